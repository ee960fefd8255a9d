/*  test_mirror_it.c — the Clone-pattern mirror (protocol/proto_mirror.c) against a real
    broker, with the event stream in the test's hands.

    The mirror takes its snapshots from the real broker, but its events come through a
    relay the test owns (a SUB on the broker's PUB, an XPUB the mirror subscribes to), so
    the test can deliver them in order, twice, out of order, or not at all, and kill the
    broker between two of them. After each disturbance the mirror must agree with a fresh
    hall.snapshot: same sequence, same waiting counts, same live tickets.

    The case counts are kept from the case events alone: after intake, review, approval,
    warnings raised by the clock, hand-out and withdrawal, the mirror's `cases` equal a
    fresh snapshot's and the mirror took no snapshot of its own. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_mirror.h"
#include "test_util.h"
#include "tests.h"

#define T0       1795998600000LL //  Monday 2026-11-30 08:30 in the hall
#define MAX_HELD 256

//  One event as it came off the broker's PUB.
typedef struct {
    char topic[64];
    char seq[24];
    char *body;
} s_event_t;

typedef struct {
    test_sub_t *sub; //  on the broker's PUB
    void *ctx;
    void *xpub; //  the mirror's event endpoint
    char ep[700];
    s_event_t held[MAX_HELD];
    int count;
} s_relay_t;

//  Takes the next event from the broker into the relay's hold; 0, or -1 if none came
//  within `ms` (2 s for an event that must come; 200 ms to drain what else there is: the
//  broker publishes a batch's events together, after its commit).
static int
s_take_within (s_relay_t *r, int ms)
{
    if (r->count == MAX_HELD)
        return -1;
    json_t *e = test_sub_next (r->sub, ms);
    if (!e)
        return -1;
    s_event_t *held = &r->held[r->count++];
    snprintf (held->topic, sizeof held->topic, "%s",
              json_string_value (json_object_get (e, "topic")));
    snprintf (held->seq, sizeof held->seq, "%lld",
              (long long)json_integer_value (json_object_get (e, "seq")));
    held->body = json_dumps (json_object_get (e, "body"), JSON_ENCODE_ANY);
    json_decref (e);
    return 0;
}

static int
s_take (s_relay_t *r)
{
    return s_take_within (r, 2000);
}

static void
s_drain (s_relay_t *r)
{
    while (s_take_within (r, 200) == 0)
        ;
}

//  Passes held event i on to the mirror.
static void
s_pass (s_relay_t *r, int i)
{
    s_event_t *e = &r->held[i];
    zmq_send (r->xpub, e->topic, strlen (e->topic), ZMQ_SNDMORE);
    zmq_send (r->xpub, e->seq, strlen (e->seq), ZMQ_SNDMORE);
    zmq_send (r->xpub, e->body, strlen (e->body), 0);
}

static void
s_forget (s_relay_t *r)
{
    for (int i = 0; i < r->count; i++)
        free (r->held[i].body);
    r->count = 0;
}

//  The sequence number of the last event held.
static uint64_t
s_last_seq (const s_relay_t *r)
{
    return (uint64_t)strtoull (r->held[r->count - 1].seq, NULL, 10);
}

static json_t *
s_call (proto_client_t *c, const char *command, json_t *body)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    CU_ASSERT_EQUAL (code, 0);
    if (code != 0)
        fprintf (stderr, "\n    %s: %s\n", command, proto_client_message (c));
    return r;
}

static void
s_issue (proto_client_t *c, const char *service)
{
    json_decref (s_call (c, "ticket.issue", json_pack ("{s:s}", "service", service)));
}

//  Polls the mirror until its sequence reaches `seq` (or 40 polls of 50 ms go by).
static void
s_settle (proto_mirror_t *m, uint64_t seq)
{
    for (int i = 0; i < 40 && proto_mirror_seq (m) < seq; i++)
        proto_mirror_poll (m, 50);
    //  And whatever else is already queued (duplicates, stale ones).
    proto_mirror_poll (m, 0);
}

//  The mirror agrees with a fresh snapshot: sequence, waiting per service, live tickets.
static void
s_agrees (proto_mirror_t *m, proto_client_t *c)
{
    json_t *snap = s_call (c, "hall.snapshot", json_object ());
    const json_t *st = proto_mirror_state (m);
    CU_ASSERT_EQUAL (proto_mirror_seq (m),
                     (uint64_t)json_integer_value (json_object_get (snap, "seq")));
    size_t i;
    json_t *svc;
    json_array_foreach (json_object_get (snap, "services"), i, svc) {
        json_t *mine = json_array_get (json_object_get (st, "services"), i);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (mine, "prefix")),
                                json_string_value (json_object_get (svc, "prefix")));
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (mine, "waiting")),
                         json_integer_value (json_object_get (svc, "waiting")));
    }
    json_t *ctr;
    json_array_foreach (json_object_get (snap, "counters"), i, ctr) {
        json_t *mine = json_array_get (json_object_get (st, "counters"), i);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (mine, "state")),
                                json_string_value (json_object_get (ctr, "state")));
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (mine, "served")),
                         json_integer_value (json_object_get (ctr, "served")));
        CU_ASSERT (json_equal (json_object_get (mine, "day"), json_object_get (ctr, "day")));
    }
    size_t live = json_array_size (json_object_get (snap, "tickets"));
    CU_ASSERT_EQUAL (json_object_size (json_object_get (st, "tickets")), live);
    json_t *t;
    json_array_foreach (json_object_get (snap, "tickets"), i, t) {
        char id[24];
        snprintf (id, sizeof id, "%lld", (long long)json_integer_value (json_object_get (t, "id")));
        json_t *mine = json_object_get (json_object_get (st, "tickets"), id);
        CU_ASSERT_PTR_NOT_NULL (mine);
        if (mine)
            CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (mine, "state")),
                                    json_string_value (json_object_get (t, "state")));
    }
    json_decref (snap);
}

static int
s_waiting (proto_mirror_t *m, const char *prefix)
{
    size_t i;
    json_t *svc;
    json_array_foreach (json_object_get (proto_mirror_state (m), "services"), i, svc)
        if (strcmp (json_string_value (json_object_get (svc, "prefix")), prefix) == 0)
            return (int)json_integer_value (json_object_get (svc, "waiting"));
    return -1;
}

//  ---------------------------------------------------------------------------------------
//  Gaps, duplicates, reordering and a kill -9, with the relay between broker and mirror.

typedef struct {
    test_broker_t b;
    proto_client_t *c;
    s_relay_t r;
    proto_mirror_t *m;
    uint64_t base; //  the mirror's sequence after its first snapshot
} s_rig_t;

//  The broker, the relay with its subscription working, and a mirror on the relay.
static void
s_rig_start (s_rig_t *g)
{
    memset (g, 0, sizeof *g);
    CU_ASSERT_FATAL (test_broker_start (&g->b, NULL, T0) == 0);
    g->c = test_client (&g->b);
    g->r.sub = test_sub_new (g->b.pub, g->c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (g->r.sub);
    g->r.ctx = zmq_ctx_new ();
    g->r.xpub = zmq_socket (g->r.ctx, ZMQ_XPUB);
    snprintf (g->r.ep, sizeof g->r.ep, "ipc://%s/relay", g->b.dir);
    CU_ASSERT_EQUAL_FATAL (zmq_bind (g->r.xpub, g->r.ep), 0);

    g->m = proto_mirror_new (g->b.req, g->r.ep);
    CU_ASSERT_PTR_NOT_NULL_FATAL (g->m);
    CU_ASSERT_EQUAL_FATAL (proto_mirror_start (g->m), 0);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (g->m), 1);
    //  The mirror's subscription reaches the relay (XPUB shows it).
    zmq_pollitem_t item = {g->r.xpub, 0, ZMQ_POLLIN, 0};
    CU_ASSERT_FATAL (zmq_poll (&item, 1, 2000) == 1);
    char sub[64];
    int n = zmq_recv (g->r.xpub, sub, sizeof sub, 0);
    CU_ASSERT_FATAL (n >= 1);
    CU_ASSERT_EQUAL (sub[0], 1);
    g->base = proto_mirror_seq (g->m);
}

static void
s_rig_stop (s_rig_t *g)
{
    s_forget (&g->r);
    proto_mirror_destroy (&g->m);
    test_sub_destroy (&g->r.sub);
    zmq_close (g->r.xpub);
    zmq_ctx_term (g->r.ctx);
    proto_client_destroy (&g->c);
    test_broker_cleanup (&g->b);
}

//  In order: three tickets, three events applied, no new snapshot. A duplicate (an event
//  seen before) changes nothing.
static void
s_in_order_and_duplicates (s_rig_t *g)
{
    int waiting_a = s_waiting (g->m, "A");
    for (int i = 0; i < 3; i++) {
        s_issue (g->c, "B");
        CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0);
        s_pass (&g->r, i);
    }
    s_settle (g->m, g->base + 3);
    CU_ASSERT_EQUAL (proto_mirror_seq (g->m), g->base + 3);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (g->m), 1);
    CU_ASSERT_EQUAL (s_waiting (g->m, "B"), 3);
    CU_ASSERT_EQUAL (s_waiting (g->m, "A"), waiting_a);
    s_agrees (g->m, g->c);

    s_pass (&g->r, 2);
    s_pass (&g->r, 0);
    s_settle (g->m, g->base + 3);
    CU_ASSERT_EQUAL (proto_mirror_seq (g->m), g->base + 3);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (g->m), 1);
    CU_ASSERT_EQUAL (s_waiting (g->m, "B"), 3);
    s_forget (&g->r);
}

//  A gap: of two events only the second arrives; the mirror reads the missing one from
//  the broker's journal (no new snapshot) and has both tickets. The lost one turning up
//  late is stale.
static void
s_gap (s_rig_t *g)
{
    s_issue (g->c, "C");
    s_issue (g->c, "C");
    CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0);
    CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0);
    s_pass (&g->r, 1);
    s_settle (g->m, g->base + 5);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (g->m), 1);
    CU_ASSERT_EQUAL (proto_mirror_fills (g->m), 1);
    CU_ASSERT_EQUAL (s_waiting (g->m, "C"), 2);
    s_agrees (g->m, g->c);
    s_pass (&g->r, 0);
    s_settle (g->m, g->base + 5);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (g->m), 1);
    CU_ASSERT_EQUAL (proto_mirror_fills (g->m), 1);
    CU_ASSERT_EQUAL (s_waiting (g->m, "C"), 2);
    s_forget (&g->r);
}

//  Out of order: a call and a ticket, delivered the other way round. The first to arrive
//  is a gap (filled from the journal), the second is then stale: the state is still
//  right, and the call is in the recent calls.
static void
s_out_of_order (s_rig_t *g)
{
    json_decref (s_call (g->c, "counter.login", json_pack ("{s:i}", "counter", 6)));
    CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0); //  counter.changed and friends, in order
    s_drain (&g->r);
    for (int i = 0; i < g->r.count; i++)
        s_pass (&g->r, i);
    s_settle (g->m, s_last_seq (&g->r));
    s_forget (&g->r);
    int fills = proto_mirror_fills (g->m);
    json_decref (s_call (g->c, "ticket.call_next", json_pack ("{s:i}", "counter", 6)));
    s_issue (g->c, "D");
    CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0);
    s_drain (&g->r);
    CU_ASSERT_FATAL (g->r.count >= 2);
    for (int i = g->r.count - 1; i >= 0; i--)
        s_pass (&g->r, i);
    s_settle (g->m, s_last_seq (&g->r));
    CU_ASSERT_EQUAL (proto_mirror_fills (g->m), fills + 1);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (g->m), 1);
    json_t *call = json_array_get (json_object_get (proto_mirror_state (g->m), "calls"), 0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (call, "number")), "C001");
    CU_ASSERT_EQUAL (s_waiting (g->m, "C"), 1);
    CU_ASSERT_EQUAL (s_waiting (g->m, "D"), 1);
    s_agrees (g->m, g->c);
    s_forget (&g->r);
}

//  kill -9 between two events: the last one before the kill is lost on the way; after the
//  restart the next event shows the gap and the mirror catches up with both.
static void
s_kill_between_events (s_rig_t *g)
{
    s_issue (g->c, "E");
    CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0);
    s_forget (&g->r); //  never delivered
    test_broker_stop (&g->b, SIGKILL);
    CU_ASSERT_FATAL (test_broker_restart (&g->b) == 0);
    //  The relay's subscription finds the new broker by itself; tickets until it shows.
    bool joined = false;
    int issued_f = 0;
    for (int i = 0; i < 25 && !joined; i++) {
        s_issue (g->c, "F");
        issued_f++;
        joined = s_take_within (&g->r, 200) == 0;
    }
    CU_ASSERT_FATAL (joined);
    s_drain (&g->r);
    s_pass (&g->r, g->r.count - 1);
    s_settle (g->m, s_last_seq (&g->r));
    CU_ASSERT_EQUAL (s_waiting (g->m, "E"), 1);
    CU_ASSERT_EQUAL (s_waiting (g->m, "F"), issued_f);
    s_agrees (g->m, g->c);
    s_forget (&g->r);
}

//  Counter 6 serves the C001 it called, then the business day changes (03:00): the day's
//  figures of the services and counters start again at zero, in the mirror as in a
//  snapshot.
static void
s_day_change (s_rig_t *g)
{
    json_decref (s_call (g->c, "ticket.start", json_pack ("{s:i}", "counter", 6)));
    json_decref (s_call (g->c, "ticket.finish", json_pack ("{s:i}", "counter", 6)));
    json_decref (s_call (g->c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)86400000)));
    CU_ASSERT_EQUAL_FATAL (s_take (&g->r), 0);
    s_drain (&g->r);
    for (int i = 0; i < g->r.count; i++)
        s_pass (&g->r, i);
    uint64_t seq = s_last_seq (&g->r);
    s_settle (g->m, seq);
    CU_ASSERT_EQUAL (proto_mirror_seq (g->m), seq);
    s_agrees (g->m, g->c);
    s_forget (&g->r);
}

static void
test_gaps_duplicates_reorder_restart (void)
{
    s_rig_t g;
    s_rig_start (&g);
    s_in_order_and_duplicates (&g);
    s_gap (&g);
    s_out_of_order (&g);
    s_kill_between_events (&g);
    s_day_change (&g);
    s_rig_stop (&g);
}

//  ---------------------------------------------------------------------------------------
//  Case counts from case events, with the mirror on the broker's own event endpoint.

#define DAY_MS 86400000LL

//  The mirror has applied every event published so far (the broker's hall.info seq).
static void
s_caught_up (proto_mirror_t *m, proto_client_t *c)
{
    json_t *info = s_call (c, "hall.info", json_object ());
    uint64_t seq = (uint64_t)json_integer_value (json_object_get (info, "seq"));
    json_decref (info);
    s_settle (m, seq);
    CU_ASSERT_EQUAL (proto_mirror_seq (m), seq);
}

//  The mirror's case counts equal a fresh snapshot's, and it took no snapshot to get them.
//  Returns the count of `key` (to show the step did move something).
static json_int_t
s_cases_agree (proto_mirror_t *m, proto_client_t *c, const char *key)
{
    s_caught_up (m, c);
    json_t *snap = s_call (c, "hall.snapshot", json_object ());
    const json_t *mine = json_object_get (proto_mirror_state (m), "cases");
    const json_t *theirs = json_object_get (snap, "cases");
    bool same = json_equal ((json_t *)mine, (json_t *)theirs);
    if (!same) {
        char *a = json_dumps (mine, JSON_SORT_KEYS), *b = json_dumps (theirs, JSON_SORT_KEYS);
        fprintf (stderr, "\n    mirror %s\n    broker %s\n", a, b);
        free (a);
        free (b);
    }
    CU_ASSERT (same);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    json_int_t n = json_integer_value (json_object_get (theirs, key));
    json_decref (snap);
    return n;
}

//  A case taken in at counter 1 for a new ticket: `command` case.accept or case.supplement
//  (with documents missing), applicant `id`. Copies its number into `no`.
static void
s_intake (proto_client_t *c, const char *command, const char *id, char *no)
{
    json_decref (test_call (c, "ticket.finish", json_pack ("{s:i}", "counter", 1), NULL));
    s_issue (c, "A");
    json_decref (s_call (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1)));
    json_decref (s_call (c, "ticket.start", json_pack ("{s:i}", "counter", 1)));
    bool whole = strcmp (command, "case.accept") == 0;
    json_t *body = json_pack ("{s:i, s:s, s:s, s:s}", "counter", 1, "item", "biz_setup", "name",
                              "申请人", "id_number", id);
    json_object_set_new (
        body, "documents",
        whole ? json_pack ("[s, s, s, s]", "application", "articles", "rep_id", "address")
              : json_pack ("[s]", "application"));
    if (!whole)
        json_object_set_new (body, "missing", json_pack ("[s]", "公司章程"));
    json_t *r = s_call (c, command, body);
    snprintf (no, 48, "%s", json_string_value (json_object_get (r, "case_no")));
    json_decref (r);
}

static void
s_case_step (proto_client_t *c, const char *command, const char *no, json_t *extra)
{
    json_t *body = json_pack ("{s:s}", "case_no", no);
    if (extra) {
        json_object_update (body, extra);
        json_decref (extra);
    }
    json_decref (s_call (c, command, body));
}

static void
test_case_counts_from_events (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_decref (
        s_call (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三")));
    proto_mirror_t *m = proto_mirror_new (b.req, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (m);
    CU_ASSERT_EQUAL_FATAL (proto_mirror_start (m), 0);
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "open"), 0);

    //  Intake: two accepted, one waiting for material.
    char no1[48], no2[48], no3[48];
    s_intake (c, "case.accept", "110105198001010016", no1);
    s_intake (c, "case.accept", "110105198001010032", no2);
    s_intake (c, "case.supplement", "110105198001010059", no3);
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "open"), 3);
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "supplement_pending"), 1);
    //  Review and approval: the first awaits pickup.
    s_case_step (c, "case.review", no1, json_pack ("{s:s}", "clerk", "李四"));
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "in_review"), 1);
    s_case_step (c, "case.approve", no1, json_pack ("{s:s}", "clerk", "王五"));
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "awaiting_pickup"), 1);
    //  Days go by: the second case (limit 3 working days) raises yellow, red, then overdue,
    //  some on the same day; the broker's timers publish them as case.warning events.
    for (int d = 0; d < 5; d++) {
        json_decref (s_call (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)DAY_MS)));
        s_cases_agree (m, c, "open");
    }
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "yellow"), 1);
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "red"), 1);
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "overdue"), 1);
    //  Handed out (the new day logged the counter out), withdrawn, material received:
    //  counts leave their states and warnings.
    json_decref (
        s_call (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三")));
    s_case_step (c, "case.hand_out", no1, json_pack ("{s:i}", "counter", 1));
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "open"), 2);
    s_case_step (c, "case.withdraw", no2, json_pack ("{s:s}", "reason", "申请人撤回"));
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "overdue"), 0);
    s_case_step (c, "case.supplement_received", no3,
                 json_pack ("{s:[s, s, s]}", "documents", "articles", "rep_id", "address"));
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "accepted"), 1);
    CU_ASSERT_EQUAL (s_cases_agree (m, c, "open"), 1);
    CU_ASSERT_PTR_NULL (
        json_object_get (json_object_get (proto_mirror_state (m), "cases"), "supplement_pending"));

    proto_mirror_destroy (&m);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_mirror_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("mirror_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "gaps, duplicates, reordering and a kill -9, against a real broker",
                 test_gaps_duplicates_reorder_restart);
    CU_add_test (s, "case counts follow the case events, with no snapshot",
                 test_case_counts_from_events);
    return 0;
}
