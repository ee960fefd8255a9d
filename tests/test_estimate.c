/*  test_estimate.c — broker/broker_estimate on a hall built in memory: people ahead,
    the wait formula (ahead × mean ÷ open counters), which counters count as open, the
    switch from the configured to the learned mean, and the running mean itself; the mean
    the simulation uses (drawn towards the configured one, services under way); a ticket
    far back in a long line (extrapolated past the exact picks, same answer); what
    broker_learn makes of pauses without a return time, of intervals that missed and of
    priority walk-ins; how a printed interval is rounded. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "broker_config.h"
#include "broker_estimate.h"
#include "broker_hall.h"
#include "broker_learn.h"
#include "test_util.h"
#include "tests.h"

#define S_A 0
#define S_B 1
#define S_C 2

//  A: 600 s, B: 300 s, C: 10 s. Counter 1 serves A and B, 2 only A, 3 only B, 4..6 C.
static const char *s_config_text =
    "{\"hall\": {\"id\": \"E\", \"name\": \"估算\"},"
    " \"services\": [{\"prefix\": \"A\", \"name\": \"甲\", \"mean_service_s\": 600},"
    " {\"prefix\": \"B\", \"name\": \"乙\", \"mean_service_s\": 300},"
    " {\"prefix\": \"C\", \"name\": \"丙\", \"mean_service_s\": 10}],"
    " \"counters\": [{\"id\": 1, \"services\": [\"A\", \"B\"]}, {\"id\": 2, \"services\": [\"A\"]},"
    " {\"id\": 3, \"services\": [\"B\"]}, {\"id\": 4, \"services\": [\"C\"]},"
    " {\"id\": 5, \"services\": [\"C\"]}, {\"id\": 6, \"services\": [\"C\"]}]}";

static broker_config_t *s_config;

static int
s_init (void)
{
    char err[256];
    s_config = broker_config_parse (s_config_text, err, sizeof err);
    return s_config ? 0 : -1;
}

static int
s_clean (void)
{
    broker_config_destroy (&s_config);
    return 0;
}

static broker_ticket_t *
s_ticket (broker_hall_t *hall, int service, broker_priority_t priority)
{
    return test_ticket_waiting (hall, service, (int)priority);
}

//  Opens counter `id` for all its configured services, in `state`.
static broker_counter_t *
s_counter (broker_hall_t *hall, int id, broker_counter_state_t state)
{
    broker_counter_t *c = broker_hall_counter (hall, id);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    c->state = state;
    c->services = s_config->counters[c->cfg].services;
    return c;
}

//  ---------------------------------------------------------------------------------------

static void
test_ahead (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    broker_ticket_t *n1 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *b1 = s_ticket (hall, S_B, PRIORITY_GREEN); //  other service: never ahead
    broker_ticket_t *n2 = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_ticket_t *a1 = s_ticket (hall, S_A, PRIORITY_APPOINTMENT);
    broker_ticket_t *g1 = s_ticket (hall, S_A, PRIORITY_GREEN);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, g1), 0);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, a1), 1); //  g1
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, n1), 2); //  g1, a1
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, n2), 3); //  g1, a1, n1
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, b1), 0);
    broker_ticket_t *e1 = s_ticket (hall, S_A, PRIORITY_ELDERLY);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, e1), 1); //  g1 (same class, earlier)
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, g1), 0);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, a1), 2);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, n1), 3);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, n2), 4);
    //  A new ticket would have everyone of its class and above ahead of it.
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_A, PRIORITY_NORMAL), 5);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_A, PRIORITY_APPOINTMENT), 3);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_A, PRIORITY_GREEN), 2);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_A, PRIORITY_ELDERLY), 2);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_B, PRIORITY_NORMAL), 1);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_B, PRIORITY_GREEN), 1);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_C, PRIORITY_NORMAL), 0);
    //  Once the green ticket is called, everyone moves up.
    broker_hall_dequeue (hall, g1);
    g1->state = TICKET_CALLED;
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, e1), 0);
    CU_ASSERT_EQUAL (broker_estimate_ahead (hall, n2), 3);
    CU_ASSERT_EQUAL (broker_estimate_ahead_new (hall, S_A, PRIORITY_NORMAL), 4);
    broker_hall_destroy (&hall);
}

static void
test_wait (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    //  Nobody open: unknown, even with nobody ahead.
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), -1);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 0), -1);
    CU_ASSERT_EQUAL (broker_hall_open_counters (hall, S_A), 0);
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms (hall, S_A), 600000.0, 1e-9);

    broker_counter_t *c2 = s_counter (hall, 2, COUNTER_IDLE); //  A only
    CU_ASSERT_EQUAL (broker_hall_open_counters (hall, S_A), 1);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 1800);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 0), 0);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_B, 3), -1);
    //  Counter 1 (A and B) calling or serving counts as open.
    broker_counter_t *c1 = s_counter (hall, 1, COUNTER_CALLING);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 900);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_B, 3), 900); //  3 × 300 ÷ 1
    c1->state = COUNTER_SERVING;
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 900);
    //  Paused and logged out do not count.
    c1->state = COUNTER_PAUSED;
    CU_ASSERT_EQUAL (broker_hall_open_counters (hall, S_A), 1);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 1800);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_B, 3), -1);
    c1->state = COUNTER_LOGGED_OUT;
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 1800);
    c2->state = COUNTER_PAUSED;
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), -1);
    //  Only the services opened at login count, not all configured ones.
    c1->state = COUNTER_IDLE;
    c1->services = 1u << S_B;
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), -1);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_B, 2), 600);

    //  Rounding to the nearest second: C takes 10 s, three counters open.
    s_counter (hall, 4, COUNTER_IDLE);
    s_counter (hall, 5, COUNTER_IDLE);
    s_counter (hall, 6, COUNTER_IDLE);
    CU_ASSERT_EQUAL (broker_hall_open_counters (hall, S_C), 3);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_C, 1), 3); //  3.33
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_C, 2), 7); //  6.67
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_C, 30), 100);
    broker_hall_destroy (&hall);
}

static void
test_learned_mean (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    s_counter (hall, 2, COUNTER_IDLE);
    //  Four finished tickets of 60 s: not enough, the configured 600 s still rules.
    for (int i = 0; i < BROKER_ESTIMATE_MIN_SAMPLES - 1; i++)
        broker_estimate_learn (&hall->stats[S_A], 60000);
    CU_ASSERT_EQUAL (hall->stats[S_A].n, 4);
    CU_ASSERT_DOUBLE_EQUAL (hall->stats[S_A].mean_ms, 60000.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms (hall, S_A), 600000.0, 1e-9);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 1800);
    //  The fifth switches to the learned 60 s.
    broker_estimate_learn (&hall->stats[S_A], 60000);
    CU_ASSERT_EQUAL (hall->stats[S_A].n, 5);
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms (hall, S_A), 60000.0, 1e-9);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 180);
    //  Other services are untouched.
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms (hall, S_B), 300000.0, 1e-9);
    //  With two counters open: 3 × 60 ÷ 2.
    s_counter (hall, 1, COUNTER_SERVING);
    CU_ASSERT_EQUAL (broker_estimate_wait_s (hall, S_A, 3), 90);
    broker_hall_destroy (&hall);
}

static void
test_sim_mean (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    int64_t now = 1790000000000LL;
    //  A new A ticket behind one A ticket waiting, counter 2 (A only) open.
    s_counter (hall, 2, COUNTER_IDLE);
    s_ticket (hall, S_A, PRIORITY_NORMAL)->issued_ms = now;
    //  Nothing learned: the configured 600 s.
    CU_ASSERT_EQUAL (broker_estimate_sim_new_s (hall, now, S_A), 600);
    //  Five tickets averaging 300 s: between the two, the configured mean still weighs.
    static const int64_t times[] = {150000, 450000, 150000, 450000, 300000};
    for (int i = 0; i < 5; i++)
        broker_estimate_learn_at (hall, S_A, now - 7200000, times[i]);
    int64_t five = broker_estimate_sim_new_s (hall, now, S_A);
    CU_ASSERT (five > 300 && five < 600);
    //  Fifty: close to the learned mean (the naive formula took it at five already).
    for (int i = 5; i < BROKER_ESTIMATE_WINDOW; i++)
        broker_estimate_learn_at (hall, S_A, now - 7200000, times[i % 5]);
    int64_t fifty = broker_estimate_sim_new_s (hall, now, S_A);
    CU_ASSERT (fifty > 300 && fifty < five && fifty < 330);
    CU_ASSERT_DOUBLE_EQUAL (broker_estimate_mean_ms (hall, S_A), 300000.0, 1e-6);
    //  An A service under way for 50 minutes elsewhere (counter 1, opened for B only, so it
    //  takes nothing from the A line): the finished ones were the short ones.
    broker_counter_t *c1 = s_counter (hall, 1, COUNTER_SERVING);
    c1->services = 1u << S_B;
    broker_ticket_t *long_one = s_ticket (hall, S_A, PRIORITY_NORMAL);
    broker_hall_dequeue (hall, long_one);
    long_one->state = TICKET_SERVING;
    long_one->called_ms = long_one->last_called_ms = now - 3000000;
    c1->ticket = long_one;
    CU_ASSERT (broker_estimate_sim_new_s (hall, now, S_A) > fifty);
    broker_hall_destroy (&hall);
}

static void
test_running_mean (void)
{
    broker_stats_t st = {0, 0.0, 0.0};
    //  Below the window it is the plain mean.
    broker_estimate_learn (&st, 1000);
    CU_ASSERT_DOUBLE_EQUAL (st.mean_ms, 1000.0, 1e-9);
    broker_estimate_learn (&st, 2000);
    CU_ASSERT_DOUBLE_EQUAL (st.mean_ms, 1500.0, 1e-9);
    broker_estimate_learn (&st, 6000);
    CU_ASSERT_DOUBLE_EQUAL (st.mean_ms, 3000.0, 1e-9);
    broker_estimate_learn (&st, 0); //  zero is a sample
    CU_ASSERT_EQUAL (st.n, 4);
    CU_ASSERT_DOUBLE_EQUAL (st.mean_ms, 2250.0, 1e-9);
    //  A negative time (clock went back) is ignored.
    broker_estimate_learn (&st, -5);
    CU_ASSERT_EQUAL (st.n, 4);
    CU_ASSERT_DOUBLE_EQUAL (st.mean_ms, 2250.0, 1e-9);

    //  Sequence 1..50 × 1000: mean 25500 exactly after 50.
    broker_stats_t s = {0, 0.0, 0.0};
    for (int i = 1; i <= BROKER_ESTIMATE_WINDOW; i++)
        broker_estimate_learn (&s, i * 1000);
    CU_ASSERT_EQUAL (s.n, 50);
    CU_ASSERT_DOUBLE_EQUAL (s.mean_ms, 25500.0, 1e-6);

    //  50 samples of 60 s, then each new sample moves the mean by 1/50 of its difference.
    broker_stats_t w = {0, 0.0, 0.0};
    for (int i = 0; i < 5; i++)
        broker_estimate_learn (&w, 60000);
    CU_ASSERT_DOUBLE_EQUAL (w.mean_ms, 60000.0, 1e-9);
    for (int i = 5; i < BROKER_ESTIMATE_WINDOW; i++)
        broker_estimate_learn (&w, 60000);
    CU_ASSERT_EQUAL (w.n, 50);
    CU_ASSERT_DOUBLE_EQUAL (w.mean_ms, 60000.0, 1e-9);
    broker_estimate_learn (&w, 110000);
    CU_ASSERT_EQUAL (w.n, 51);
    CU_ASSERT_DOUBLE_EQUAL (w.mean_ms, 61000.0, 1e-6);
    broker_estimate_learn (&w, 11000);
    CU_ASSERT_DOUBLE_EQUAL (w.mean_ms, 61000.0 - 50000.0 / 50.0, 1e-6);
    //  Many more samples of 120 s: the mean closes in geometrically, never overshoots.
    double expect = w.mean_ms;
    for (int i = 0; i < 200; i++) {
        broker_estimate_learn (&w, 120000);
        expect += (120000.0 - expect) / 50.0;
    }
    CU_ASSERT_DOUBLE_EQUAL (w.mean_ms, expect, 1e-6);
    CU_ASSERT_TRUE (w.mean_ms < 120000.0 && w.mean_ms > 118000.0);
    CU_ASSERT_EQUAL (w.n, 252);
}

static void
test_long_line (void)
{
    broker_hall_t *hall = broker_hall_new (s_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    int64_t now = 1790000000000LL;
    //  Counters 4..6 serve C (10 s each) and 3,000 wait: ticket k (0-based) is called after
    //  k / 3 rounds of 10 s: exactly within the exact picks, within 1% far beyond them.
    s_counter (hall, 4, COUNTER_IDLE);
    s_counter (hall, 5, COUNTER_IDLE);
    s_counter (hall, 6, COUNTER_IDLE);
    broker_ticket_t *t[3000];
    for (int i = 0; i < 3000; i++) {
        t[i] = s_ticket (hall, S_C, PRIORITY_NORMAL);
        t[i]->issued_ms = now;
    }
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[3]), 10);
    CU_ASSERT_EQUAL (broker_estimate_sim_s (hall, now, t[BROKER_ESTIMATE_EXACT - 1]),
                     (BROKER_ESTIMATE_EXACT - 1) / 3 * 10);
    CU_ASSERT (llabs (broker_estimate_sim_s (hall, now, t[2999]) - 999 * 10) <= 100);
    CU_ASSERT (llabs (broker_estimate_sim_new_s (hall, now, S_C) - 1000 * 10) <= 100);
    broker_estimate_t e;
    broker_estimate_ticket (hall, now, t[2999], &e);
    CU_ASSERT (e.lo_s < e.wait_s && e.wait_s < e.hi_s);
    broker_hall_destroy (&hall);
}

static void
test_learn_pauses (void)
{
    broker_learn_t *l = broker_learn_new (3);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    double mean, var;
    //  Nothing seen: the 15-minute prior less what has passed.
    broker_learn_pause_left (l, 0, 12, 5 * 60000, &mean, &var);
    CU_ASSERT_DOUBLE_EQUAL (mean, 10 * 60000.0, 1);
    //  Counter 0's lunches without a return time last 40 minutes: 10 minutes in, about
    //  30 are left (the prior, 5 left, weighs as one of them, each of them as 8).
    for (int i = 0; i < 5; i++)
        broker_learn_pause (l, 0, i, 12, 40 * 60000, 0, false, 0);
    broker_learn_pause_left (l, 0, 12, 10 * 60000, &mean, &var);
    CU_ASSERT_DOUBLE_EQUAL (mean, (5 + 8 * 5 * 30) / 41.0 * 60000, 1);
    //  Longer than any seen: back in a third of its length so far, 5 minutes at least.
    broker_learn_pause_left (l, 0, 12, 90 * 60000, &mean, &var);
    CU_ASSERT_DOUBLE_EQUAL (mean, 30 * 60000.0, 1);
    //  A pause with a return time teaches how late such returns are, not this.
    broker_learn_pause (l, 1, 9, 10, 20 * 60000, 15 * 60000, false, 0);
    CU_ASSERT_EQUAL (l->npauses, 5);
    CU_ASSERT_DOUBLE_EQUAL (l->overrun.mean, 5 * 60000.0, 1e-6);
    broker_learn_destroy (&l);
    CU_ASSERT_PTR_NULL (l);
}

static void
test_learn_interval (void)
{
    broker_learn_t *l = broker_learn_new (1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    double k = l->k_hi;
    //  Waits above the printed interval widen its top; waits inside narrow it a little;
    //  the bottom moves only when waits fall below it.
    for (uint64_t id = 1; id <= 10; id++) {
        broker_learn_issued (l, id, 600000, 120000, 480000, 720000);
        broker_learn_called (l, id, 900000);
    }
    CU_ASSERT (l->k_hi > 3 * k);
    CU_ASSERT (l->k_lo < k);
    double wide = l->k_hi;
    broker_learn_issued (l, 11, 600000, 120000, 480000, 720000);
    broker_learn_called (l, 11, 600000);
    CU_ASSERT (l->k_hi < wide);
    //  A ticket whose estimate was not remembered teaches nothing.
    broker_learn_called (l, 12, 0);
    CU_ASSERT (l->k_hi < wide);
    broker_learn_destroy (&l);
}

static void
test_learn_factor (void)
{
    broker_learn_t *l = broker_learn_new (1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    //  Waits that match their simulation leave it alone; so do fewer than 30 ratios.
    for (uint64_t id = 1; id <= 60; id++) {
        broker_learn_issued (l, id, 20 * 60000, 120000, 0, 0);
        broker_learn_called (l, id, id < 30 ? 60 * 60000 : 20 * 60000);
        if (id < 30)
            CU_ASSERT_DOUBLE_EQUAL (broker_learn_factor (l), 1, 0);
    }
    CU_ASSERT (broker_learn_factor (l) > 1);
    CU_ASSERT (broker_learn_factor (l) < 1.5);
    //  Waits steadily a third longer than simulated: half of it (less its noise) is added.
    broker_learn_t *m = broker_learn_new (1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (m);
    for (uint64_t id = 1; id <= 200; id++) {
        broker_learn_issued (m, id, 30 * 60000, 120000, 0, 0);
        broker_learn_called (m, id, 40 * 60000);
    }
    CU_ASSERT_DOUBLE_EQUAL (broker_learn_factor (m), 1 + 0.5 / 3, 1e-6);
    //  Estimates under 5 minutes teach no ratio.
    broker_learn_issued (m, 201, 60000, 120000, 0, 0);
    broker_learn_called (m, 201, 30 * 60000);
    CU_ASSERT_DOUBLE_EQUAL (broker_learn_factor (m), 1 + 0.5 / 3, 1e-6);
    broker_learn_destroy (&l);
    broker_learn_destroy (&m);
}

static void
test_learn_green (void)
{
    broker_learn_t *l = broker_learn_new (1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    const int64_t min = 60000, t0 = 1000 * 3600000LL;
    //  The day's first ticket is a green one, 5 minutes in: one an hour, not twelve.
    broker_learn_arrival (l, S_A, false, t0);
    broker_learn_arrival (l, S_A, true, t0 + 5 * min);
    CU_ASSERT_DOUBLE_EQUAL (broker_learn_green_rate (l, S_A) * 3600000, 1, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (broker_learn_green_rate (l, S_B), 0, 0);
    //  A ticket every 6 minutes, every fifth of A a green one, for 8 hours: two an hour
    //  (the count and the watching decay alike), however long since the last.
    broker_learn_t *m = broker_learn_new (1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (m);
    for (int i = 0; i < 80; i++)
        broker_learn_arrival (m, S_A, i % 5 == 4, t0 + i * 6 * min);
    CU_ASSERT_DOUBLE_EQUAL (broker_learn_green_rate (m, S_A) * 3600000, 2, 0.15);
    //  A night without tickets counts as an hour without priority walk-ins, not twelve.
    double before = broker_learn_green_rate (m, S_A);
    broker_learn_arrival (m, S_B, false, t0 + 24 * 3600000LL);
    CU_ASSERT (broker_learn_green_rate (m, S_A) > 0.6 * before);
    broker_learn_destroy (&l);
    broker_learn_destroy (&m);
}

static void
test_interval_rounding (void)
{
    int64_t lo, hi;
    //  30 minutes ± 1.28 × 5: 23.6-36.4, to 5 minutes: 25-35.
    broker_estimate_interval (1800, 300000, -1.2816, 1.2816, &lo, &hi);
    CU_ASSERT_EQUAL (lo, 25 * 60);
    CU_ASSERT_EQUAL (hi, 35 * 60);
    //  Short waits to the minute, never below 0, at least one step wide.
    broker_estimate_interval (120, 60000, -3, 1, &lo, &hi);
    CU_ASSERT_EQUAL (lo, 0);
    CU_ASSERT_EQUAL (hi, 3 * 60);
    broker_estimate_interval (300, 0, -1, 1, &lo, &hi);
    CU_ASSERT_EQUAL (lo, 5 * 60);
    CU_ASSERT_EQUAL (hi, 6 * 60);
    //  Above an hour to 10 minutes.
    broker_estimate_interval (5400, 600000, -1, 1, &lo, &hi);
    CU_ASSERT_EQUAL (lo, 80 * 60);
    CU_ASSERT_EQUAL (hi, 100 * 60);
}

int
test_estimate_suite (void)
{
    CU_pSuite suite = CU_add_suite ("estimate", s_init, s_clean);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "people ahead: higher classes and earlier in own class", test_ahead) ||
        !CU_add_test (suite, "wait = ahead × mean ÷ open counters", test_wait) ||
        !CU_add_test (suite, "configured mean until 5 samples, then learned", test_learned_mean) ||
        !CU_add_test (suite, "running mean, window 50", test_running_mean) ||
        !CU_add_test (suite, "simulated mean: learned, drawn to the configured, under way",
                      test_sim_mean) ||
        !CU_add_test (suite, "a long line: exact picks, then their rate", test_long_line) ||
        !CU_add_test (suite, "pauses without a return time: learned length left",
                      test_learn_pauses) ||
        !CU_add_test (suite, "interval ends move with the waits they missed",
                      test_learn_interval) ||
        !CU_add_test (suite, "simulated waits corrected by the learned ratio", test_learn_factor) ||
        !CU_add_test (suite, "priority walk-ins: a rate over hours, not the last one",
                      test_learn_green) ||
        !CU_add_test (suite, "printed interval rounded as a slip prints it",
                      test_interval_rounding))
        return -1;
    return 0;
}
