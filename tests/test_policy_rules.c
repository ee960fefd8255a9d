/*  test_policy_rules.c — the calling policy rule by rule and combined (broker_policy_pick on
    hand-built candidates), and the forward-simulation estimate on hand-built halls with
    answers worked out by hand. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "broker_config.h"
#include "broker_estimate.h"
#include "broker_hall.h"
#include "broker_policy.h"
#include "test_util.h"
#include "tests.h"

#define MIN 60000LL

static broker_profile_cfg_t
s_profile (int ratio_p, int ratio_n, int max_wait, int wa, int wb)
{
    broker_profile_cfg_t p;
    memset (&p, 0, sizeof p);
    p.ratio_priority = ratio_p;
    p.ratio_normal = ratio_n;
    p.max_wait_min = max_wait;
    p.weight[0] = wa;
    p.weight[1] = wb;
    return p;
}

//  A candidate: service s, class c, place in line k, issued at minute m.
static broker_candidate_t
s_cand (int s, broker_class_t c, int k, int m)
{
    return (broker_candidate_t){s, c, (int64_t)k * 65536, (uint64_t)k, (int64_t)m * MIN};
}

static void
test_green_then_appointment_then_fifo (void)
{
    broker_profile_cfg_t p = s_profile (0, 0, 0, 1, 1);
    broker_candidate_t c[] = {s_cand (0, CLASS_NORMAL, 1, 0), s_cand (1, CLASS_APPOINTMENT, 5, 4),
                              s_cand (1, CLASS_GREEN, 9, 8)};
    int cycle = 0;
    const char *why;
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 10 * MIN, c, 3, &cycle, &why), 2);
    CU_ASSERT_STRING_EQUAL (why, "green");
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 10 * MIN, c, 2, &cycle, &why), 1);
    CU_ASSERT_STRING_EQUAL (why, "appointment");
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 10 * MIN, c, 1, &cycle, &why), 0);
    CU_ASSERT_STRING_EQUAL (why, "fifo");
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 10 * MIN, c, 0, &cycle, &why), -1);
    //  FIFO across services: the older place in line wins, whatever the service.
    broker_candidate_t f[] = {s_cand (0, CLASS_NORMAL, 7, 6), s_cand (1, CLASS_NORMAL, 3, 2)};
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 10 * MIN, f, 2, &cycle, &why), 1);
    //  Ties on the order key fall to the lower id.
    broker_candidate_t t[] = {{0, CLASS_NORMAL, 100, 9, 0}, {1, CLASS_NORMAL, 100, 4, 0}};
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 0, t, 2, &cycle, &why), 1);
    CU_ASSERT_EQUAL (cycle, 0); //  no ratio: the cycle never moves
}

static void
test_ratio_one_to_two (void)
{
    //  1 priority : 2 normal while both wait; priority alone or normal alone: just those.
    broker_profile_cfg_t p = s_profile (1, 2, 0, 1, 1);
    broker_candidate_t c[] = {s_cand (0, CLASS_NORMAL, 1, 0), s_cand (0, CLASS_GREEN, 2, 1)};
    int cycle = 0;
    const char *why;
    const char *want[] = {"green", "fifo", "fifo", "green", "fifo", "fifo", "green"};
    for (int i = 0; i < 7; i++) {
        int k = broker_policy_pick (&p, 5 * MIN, c, 2, &cycle, &why);
        CU_ASSERT_STRING_EQUAL (why, want[i]);
        CU_ASSERT_EQUAL (k, strcmp (want[i], "green") == 0 ? 1 : 0);
    }
    int before = cycle;
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 5 * MIN, c + 1, 1, &cycle, &why), 0);
    CU_ASSERT_STRING_EQUAL (why, "green");
    CU_ASSERT_EQUAL (cycle, before); //  only priority waiting: no cycle step
}

static void
test_max_wait_escalation (void)
{
    //  A normal ticket past 40 minutes beats a fresh green one; the longest wait first.
    broker_profile_cfg_t p = s_profile (0, 0, 40, 1, 1);
    broker_candidate_t c[] = {s_cand (0, CLASS_GREEN, 9, 50), s_cand (1, CLASS_NORMAL, 3, 5),
                              s_cand (0, CLASS_NORMAL, 4, 2)};
    int cycle = 0;
    const char *why;
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 50 * MIN, c, 3, &cycle, &why), 2);
    CU_ASSERT_STRING_EQUAL (why, "max_wait");
    //  Exactly at the limit counts; a minute short does not.
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 42 * MIN, c, 3, &cycle, &why), 2);
    CU_ASSERT_STRING_EQUAL (why, "max_wait");
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 41 * MIN, c, 3, &cycle, &why), 0);
    CU_ASSERT_STRING_EQUAL (why, "green");
    //  No starvation: with a steady stream of green tickets, a normal one is called once it
    //  reaches the limit.
    broker_candidate_t s[] = {s_cand (0, CLASS_NORMAL, 1, 0), s_cand (0, CLASS_GREEN, 100, 0)};
    int calls_until_normal = 0;
    for (int minute = 0; minute < 100; minute++) {
        s[1].issued_ms = (int64_t)minute * MIN; //  a new green ticket every minute
        if (broker_policy_pick (&p, minute * MIN, s, 2, &cycle, &why) == 0)
            break;
        calls_until_normal++;
    }
    CU_ASSERT_EQUAL (calls_until_normal, 40);
}

static void
test_weights (void)
{
    //  Service A weighs 3, B 1: A's 5-minute wait (15) beats B's 12-minute one (12).
    broker_profile_cfg_t p = s_profile (0, 0, 0, 3, 1);
    broker_candidate_t c[] = {s_cand (1, CLASS_NORMAL, 1, 0), s_cand (0, CLASS_NORMAL, 2, 7)};
    int cycle = 0;
    const char *why;
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 12 * MIN, c, 2, &cycle, &why), 1);
    CU_ASSERT_STRING_EQUAL (why, "weight");
    //  Earlier, at minute 10, B's 10 beats A's 3 × 3 = 9.
    CU_ASSERT_EQUAL (broker_policy_pick (&p, 10 * MIN, c, 2, &cycle, &why), 0);
    //  Combined: priority still comes first, and max-wait above all.
    broker_profile_cfg_t q = s_profile (0, 0, 30, 3, 1);
    broker_candidate_t d[] = {s_cand (1, CLASS_NORMAL, 1, 0), s_cand (0, CLASS_APPOINTMENT, 2, 25)};
    CU_ASSERT_EQUAL (broker_policy_pick (&q, 26 * MIN, d, 2, &cycle, &why), 1);
    CU_ASSERT_STRING_EQUAL (why, "appointment");
    CU_ASSERT_EQUAL (broker_policy_pick (&q, 31 * MIN, d, 2, &cycle, &why), 0);
    CU_ASSERT_STRING_EQUAL (why, "max_wait");
}

//  ---------------------------------------------------------------------------------------
//  The estimator on hand-built halls.

static const char *s_hall_text =
    "{\"hall\": {\"id\": \"E\", \"name\": \"估算\"},"
    " \"services\": [{\"prefix\": \"A\", \"name\": \"甲\", \"mean_service_s\": 600},"
    " {\"prefix\": \"B\", \"name\": \"乙\", \"mean_service_s\": 300}],"
    " \"policy\": {\"max_wait_minutes\": 0},"
    " \"counters\": [{\"id\": 1, \"services\": [\"A\", \"B\"]}, {\"id\": 2, \"services\": [\"A\"]},"
    " {\"id\": 3, \"services\": [\"B\"]}]}";

static void
s_open (broker_hall_t *hall, int id, uint32_t services)
{
    broker_counter_t *c = broker_hall_counter (hall, id);
    c->state = COUNTER_IDLE;
    c->services = services;
}

static void
test_estimate_hand_built (void)
{
    char err[256];
    broker_config_t *cfg = broker_config_parse (s_hall_text, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    broker_hall_t *hall = broker_hall_new (cfg);
    int64_t now = 1000 * MIN;
    //  Counter 2 (A only) is free; counter 1 (A and B) serves an A ticket called 4 minutes
    //  ago: free at +6 min (600 s mean). Waiting: A1, A2, B1 (all normal, issued in order).
    s_open (hall, 2, 1u << 0);
    s_open (hall, 1, 3u);
    broker_ticket_t *held = test_ticket_waiting (hall, 0, PRIORITY_NORMAL);
    broker_hall_dequeue (hall, held);
    held->state = TICKET_SERVING;
    held->called_ms = held->last_called_ms = now - 4 * MIN;
    broker_hall_counter (hall, 1)->ticket = held;
    broker_hall_counter (hall, 1)->state = COUNTER_SERVING;
    broker_ticket_t *a1 = test_ticket_waiting (hall, 0, PRIORITY_NORMAL);
    broker_ticket_t *a2 = test_ticket_waiting (hall, 0, PRIORITY_NORMAL);
    broker_ticket_t *b1 = test_ticket_waiting (hall, 1, PRIORITY_NORMAL);
    a1->issued_ms = a2->issued_ms = b1->issued_ms = now;
    //  By hand: at 0 counter 2 calls A1 (busy to +10); at +6 counter 1 calls the older of
    //  A2 and B1 in line, A2 (busy to +16); at +10 counter 2 has no A left; B1 waits for
    //  counter 1 at +16.
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, a1), 0);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, a2), 6 * 60);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, b1), 16 * 60);
    //  The naive formula sees 0 ahead of B1 and one open counter for B: 0 s.
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, 1, broker_estimate_ahead (hall, b1)), 0);
    //  Counter 3 opens for B: B1 is called at once.
    s_open (hall, 3, 1u << 1);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, b1), 0);
    //  A new A ticket now: behind A1 (counter 2, +0) and A2 (counter 1, +6): counter 2
    //  again at +10.
    CU_ASSERT_EQUAL (broker_estimate_sim_new_s (hall, now, 0), 10 * 60);
    //  A service nobody will serve today has no estimate: counter 3 logged out (no usual
    //  login time learned), counter 1 for A only.
    broker_hall_counter (hall, 3)->state = COUNTER_LOGGED_OUT;
    broker_hall_counter (hall, 1)->services = 1u << 0;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, b1), -1);
    //  A counter paused without a return time is back after the pauses like it seen here
    //  (none yet: 15 minutes).
    broker_hall_counter (hall, 3)->state = COUNTER_PAUSED;
    broker_hall_counter (hall, 3)->paused_ms = now;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, b1), 15 * 60);
    //  A ticket being served past its mean still frees the counter no sooner than 30% of a
    //  mean from now (3 minutes for A).
    held->called_ms = held->last_called_ms = now - 30 * MIN;
    broker_hall_counter (hall, 2)->state = COUNTER_PAUSED;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, a1), 3 * 60);
    broker_hall_destroy (&hall);
    broker_config_destroy (&cfg);
}

//  What the hall knows of its near future: scheduled breaks, when a paused counter is back,
//  and the booked citizens still to come. One service A (10 minutes); counter 1 lunches
//  12:00-13:00; the clock is local 11:50 (UTC+8) of some day.
static void
test_estimate_knows_the_plan (void)
{
    char err[256];
    broker_config_t *cfg = broker_config_parse (
        "{\"hall\": {\"id\": \"P\", \"name\": \"计划\"},"
        " \"services\": [{\"prefix\": \"A\", \"name\": \"甲\", \"mean_service_s\": 600}],"
        " \"policy\": {\"max_wait_minutes\": 0},"
        " \"counters\": [{\"id\": 1, \"services\": [\"A\"], \"breaks\": [\"12:00-13:00\"]},"
        " {\"id\": 2, \"services\": [\"A\"]}]}",
        err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    broker_hall_t *hall = broker_hall_new (cfg);
    int64_t midnight = (int64_t)20000 * 1440 * MIN - 480 * MIN;
    int64_t now = midnight + (11 * 60 + 50) * MIN;
    s_open (hall, 1, 1u);
    s_open (hall, 2, 1u);
    broker_ticket_t *t[4];
    for (int i = 0; i < 4; i++) {
        t[i] = test_ticket_waiting (hall, 0, PRIORITY_NORMAL);
        t[i]->issued_ms = now;
    }
    //  11:50 both call (A1, A2), free at 12:00. Counter 1 then goes to lunch; counter 2
    //  calls A3 at 12:00 and A4 at 12:10. Without the break A4 would be called at 12:00.
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 10 * 60);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[3]), 20 * 60);
    //  A break already taken today (it paused after 12:00; a test's liberty) is not taken again.
    broker_hall_counter (hall, 1)->paused_ms = midnight + 12 * 60 * MIN;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[3]), 10 * 60);

    //  12:20: counter 1 is at lunch until 13:00; counter 2 calls A1 12:20, A2 12:30, A3 12:40.
    now = midnight + (12 * 60 + 20) * MIN;
    broker_counter_t *c1 = broker_hall_counter (hall, 1);
    c1->state = COUNTER_PAUSED;
    c1->paused_ms = midnight + 12 * 60 * MIN;
    c1->back_ms = midnight + 13 * 60 * MIN;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 20 * 60);
    //  Back at 12:25 instead: it takes A2, and A3 goes at 12:30 to counter 2.
    c1->back_ms = midnight + (12 * 60 + 25) * MIN;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 10 * 60);
    //  Paused with no word on its return: not counted.
    c1->back_ms = 0;
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 20 * 60);

    //  Booked citizens: a 12:30 slot is expected at 12:20 (10 minutes early until check-ins
    //  teach otherwise) and goes before the walk-ins: the booking at 12:20, then A1 12:30,
    //  A2 12:40, A3 12:50.
    CU_ASSERT_EQUAL (broker_hall_booking_add (hall, "BOOKING0000000000000000001", 0,
                                              midnight + (12 * 60 + 30) * MIN),
                     0);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 30 * 60);
    //  Checked in (or cancelled): no longer expected.
    broker_hall_booking_del (hall, "BOOKING0000000000000000001");
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 20 * 60);
    //  A booking for a slot whose window closed long ago is not expected either.
    broker_hall_booking_add (hall, "BOOKING0000000000000000002", 0, midnight + 9 * 60 * MIN);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[2]), 20 * 60);
    broker_hall_destroy (&hall);
    broker_config_destroy (&cfg);
}

static void
test_hourly_means (void)
{
    char err[256];
    broker_config_t *cfg = broker_config_parse (s_hall_text, err, sizeof err);
    broker_hall_t *hall = broker_hall_new (cfg);
    //  09:xx local (UTC+8): 5 tickets of 2 minutes; the rest of the day 12 minutes.
    int64_t nine = (int64_t)(20000 * 1440 + 9 * 60 - 480) * MIN / 1; //  a day at 09:00 local
    for (int i = 0; i < 5; i++)
        broker_estimate_learn_at (hall, 0, nine + i * MIN, 2 * MIN);
    for (int i = 0; i < 20; i++)
        broker_estimate_learn_at (hall, 0, nine + 3 * 60 * MIN, 12 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms_at (hall, 0, nine + 30 * MIN), 2 * MIN, 1);
    //  12:00 has its own 20 samples of 12 minutes.
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms_at (hall, 0, nine + 3 * 60 * MIN + 20 * MIN),
                            12 * MIN, 1);
    //  16:00 has none: the all-day mean (25 samples, window 50: plain mean = 10 min).
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms_at (hall, 0, nine + 7 * 60 * MIN), 10 * MIN, 1);
    //  Service B has nothing learned: its configured 300 s.
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms_at (hall, 1, nine), 300000, 1);
    broker_hall_destroy (&hall);
    broker_config_destroy (&cfg);
}

int
test_policy_rules_suite (void)
{
    CU_pSuite s = CU_add_suite ("policy_rules", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "green, then appointment, then first come first served",
                 test_green_then_appointment_then_fifo);
    CU_add_test (s, "priority ratio 1:2", test_ratio_one_to_two);
    CU_add_test (s, "max-wait escalation; no starvation", test_max_wait_escalation);
    CU_add_test (s, "weights, and the rules combined", test_weights);
    CU_add_test (s, "forward-simulation estimate on hand-built halls", test_estimate_hand_built);
    CU_add_test (s, "service means learned by hour of day", test_hourly_means);
    CU_add_test (s, "estimates know breaks, returns from pauses, booked arrivals",
                 test_estimate_knows_the_plan);
    return 0;
}
