/*  test_mirror_it.c — the Clone-pattern mirror (protocol/proto_mirror.c) against a real
    broker, with the event stream in the test's hands.

    The mirror takes its snapshots from the real broker, but its events come through a
    relay the test owns (a SUB on the broker's PUB, an XPUB the mirror subscribes to), so
    the test can deliver them in order, twice, out of order, or not at all, and kill the
    broker between two of them. After each disturbance the mirror must agree with a fresh
    hall.snapshot: same sequence, same waiting counts, same live tickets. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_mirror.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795998600000LL  //  Monday 2026-11-30 08:30 in the hall
#define MAX_HELD 256

//  One event as it came off the broker's PUB: its three frames.
typedef struct {
    char topic[64];
    char seq[24];
    char *body;
} s_event_t;

typedef struct {
    void *ctx;
    void *sub;      //  on the broker's PUB
    void *xpub;     //  the mirror's event endpoint
    char ep[700];
    s_event_t held[MAX_HELD];
    int count;
} s_relay_t;

static void
s_frame (void *sock, char *out, size_t size, int *more)
{
    zmq_msg_t m;
    zmq_msg_init (&m);
    zmq_msg_recv (&m, sock, 0);
    size_t n = zmq_msg_size (&m) < size - 1 ? zmq_msg_size (&m) : size - 1;
    memcpy (out, zmq_msg_data (&m), n);
    out[n] = 0;
    *more = zmq_msg_more (&m);
    zmq_msg_close (&m);
}

//  Takes the next event from the broker into the relay's hold; 0, or -1 if none came
//  within `ms` (2 s for an event that must come; 200 ms to drain what else there is: the
//  broker publishes a batch's events together, after its commit).
static int
s_take_within (s_relay_t *r, int ms)
{
    zmq_pollitem_t item = {r->sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, ms) != 1 || r->count == MAX_HELD)
        return -1;
    s_event_t *e = &r->held[r->count++];
    int more;
    char body[16384];
    s_frame (r->sub, e->topic, sizeof e->topic, &more);
    s_frame (r->sub, e->seq, sizeof e->seq, &more);
    s_frame (r->sub, body, sizeof body, &more);
    e->body = strdup (body);
    while (more) {
        char skip[64];
        s_frame (r->sub, skip, sizeof skip, &more);
    }
    return 0;
}

//  Passes held event i on to the mirror.
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

static json_t *
s_call (proto_client_t *c, const char *command, json_t *body)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    CU_ASSERT_EQUAL (code, 0);
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
    CU_ASSERT_EQUAL (proto_mirror_seq (m), (uint64_t) json_integer_value (json_object_get (snap, "seq")));
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
        snprintf (id, sizeof id, "%lld", (long long) json_integer_value (json_object_get (t, "id")));
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
            return (int) json_integer_value (json_object_get (svc, "waiting"));
    return -1;
}

static void
test_gaps_duplicates_reorder_restart (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    s_relay_t r = {0};
    r.ctx = zmq_ctx_new ();
    r.sub = zmq_socket (r.ctx, ZMQ_SUB);
    zmq_setsockopt (r.sub, ZMQ_SUBSCRIBE, "", 0);
    CU_ASSERT_EQUAL_FATAL (zmq_connect (r.sub, b.pub), 0);
    r.xpub = zmq_socket (r.ctx, ZMQ_XPUB);
    snprintf (r.ep, sizeof r.ep, "ipc://%s/relay", b.dir);
    CU_ASSERT_EQUAL_FATAL (zmq_bind (r.xpub, r.ep), 0);

    //  The relay's own subscription reaches the broker: tickets until one event shows.
    bool joined = false;
    for (int i = 0; i < 25 && !joined; i++) {
        s_issue (c, "A");
        joined = s_take_within (&r, 200) == 0;
    }
    CU_ASSERT_FATAL (joined);
    s_drain (&r);
    s_forget (&r);

    proto_mirror_t *m = proto_mirror_new (b.req, r.ep);
    CU_ASSERT_PTR_NOT_NULL_FATAL (m);
    CU_ASSERT_EQUAL_FATAL (proto_mirror_start (m), 0);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    //  The mirror's subscription reaches the relay (XPUB shows it).
    zmq_pollitem_t item = {r.xpub, 0, ZMQ_POLLIN, 0};
    CU_ASSERT_FATAL (zmq_poll (&item, 1, 2000) == 1);
    char sub[64];
    int more;
    s_frame (r.xpub, sub, sizeof sub, &more);
    CU_ASSERT_EQUAL (sub[0], 1);
    uint64_t base = proto_mirror_seq (m);
    int waiting_a = s_waiting (m, "A");

    //  In order: three tickets, three events applied, no new snapshot.
    for (int i = 0; i < 3; i++) {
        s_issue (c, "B");
        CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);
        s_pass (&r, i);
    }
    s_settle (m, base + 3);
    CU_ASSERT_EQUAL (proto_mirror_seq (m), base + 3);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    CU_ASSERT_EQUAL (s_waiting (m, "B"), 3);
    CU_ASSERT_EQUAL (s_waiting (m, "A"), waiting_a);
    s_agrees (m, c);

    //  A duplicate (an event seen before) changes nothing.
    s_pass (&r, 2);
    s_pass (&r, 0);
    s_settle (m, base + 3);
    CU_ASSERT_EQUAL (proto_mirror_seq (m), base + 3);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    CU_ASSERT_EQUAL (s_waiting (m, "B"), 3);
    s_forget (&r);

    //  A gap: of two events only the second arrives; the mirror reads the missing one from
    //  the broker's journal (no new snapshot) and has both tickets.
    s_issue (c, "C");
    s_issue (c, "C");
    CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);
    CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);
    s_pass (&r, 1);
    s_settle (m, base + 5);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    CU_ASSERT_EQUAL (proto_mirror_fills (m), 1);
    CU_ASSERT_EQUAL (s_waiting (m, "C"), 2);
    s_agrees (m, c);
    //  The lost one turning up late is stale.
    s_pass (&r, 0);
    s_settle (m, base + 5);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    CU_ASSERT_EQUAL (proto_mirror_fills (m), 1);
    CU_ASSERT_EQUAL (s_waiting (m, "C"), 2);
    s_forget (&r);

    //  Out of order: a call and a ticket, delivered the other way round. The first to
    //  arrive is a gap (filled from the journal), the second is then stale: the state is
    //  still right, and the call is in the recent calls.
    json_decref (s_call (c, "counter.login", json_pack ("{s:i}", "counter", 6)));
    CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);  //  counter.changed and friends, in order
    s_drain (&r);
    for (int i = 0; i < r.count; i++)
        s_pass (&r, i);
    uint64_t seq = (uint64_t) strtoull (r.held[r.count - 1].seq, NULL, 10);
    s_settle (m, seq);
    s_forget (&r);
    int fills = proto_mirror_fills (m);
    json_decref (s_call (c, "ticket.call_next", json_pack ("{s:i}", "counter", 6)));
    s_issue (c, "D");
    CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);
    s_drain (&r);
    CU_ASSERT_FATAL (r.count >= 2);
    for (int i = r.count - 1; i >= 0; i--)
        s_pass (&r, i);
    seq = (uint64_t) strtoull (r.held[r.count - 1].seq, NULL, 10);
    s_settle (m, seq);
    CU_ASSERT_EQUAL (proto_mirror_fills (m), fills + 1);
    CU_ASSERT_EQUAL (proto_mirror_snapshots (m), 1);
    json_t *call = json_array_get (json_object_get (proto_mirror_state (m), "calls"), 0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (call, "number")), "C001");
    CU_ASSERT_EQUAL (s_waiting (m, "C"), 1);
    CU_ASSERT_EQUAL (s_waiting (m, "D"), 1);
    s_agrees (m, c);
    s_forget (&r);

    //  kill -9 between two events: the last one before the kill is lost on the way; after
    //  the restart the next event shows the gap and the mirror catches up with both.
    s_issue (c, "E");
    CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);
    s_forget (&r);  //  never delivered
    test_broker_stop (&b, SIGKILL);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    //  The relay's subscription finds the new broker by itself; tickets until it shows.
    joined = false;
    int issued_f = 0;
    for (int i = 0; i < 25 && !joined; i++) {
        s_issue (c, "F");
        issued_f++;
        joined = s_take_within (&r, 200) == 0;
    }
    CU_ASSERT_FATAL (joined);
    s_drain (&r);
    s_pass (&r, r.count - 1);
    seq = (uint64_t) strtoull (r.held[r.count - 1].seq, NULL, 10);
    s_settle (m, seq);
    CU_ASSERT_EQUAL (s_waiting (m, "E"), 1);
    CU_ASSERT_EQUAL (s_waiting (m, "F"), issued_f);
    s_agrees (m, c);
    s_forget (&r);

    //  Counter 6 serves the C001 it called, then the business day changes (03:00): the
    //  day's figures of the services and counters start again at zero, in the mirror as in
    //  a snapshot.
    json_decref (s_call (c, "ticket.start", json_pack ("{s:i}", "counter", 6)));
    json_decref (s_call (c, "ticket.finish", json_pack ("{s:i}", "counter", 6)));
    json_decref (s_call (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t) 86400000)));
    CU_ASSERT_EQUAL_FATAL (s_take (&r), 0);
    s_drain (&r);
    for (int i = 0; i < r.count; i++)
        s_pass (&r, i);
    seq = (uint64_t) strtoull (r.held[r.count - 1].seq, NULL, 10);
    s_settle (m, seq);
    CU_ASSERT_EQUAL (proto_mirror_seq (m), seq);
    s_agrees (m, c);
    s_forget (&r);

    proto_mirror_destroy (&m);
    zmq_close (r.sub);
    zmq_close (r.xpub);
    zmq_ctx_term (r.ctx);
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
    return 0;
}
