/*  test_wire.c — protocol/proto_wire, the codec: requests, replies and events round-trip
    over real ZeroMQ sockets (inproc); a reply reaches a REQ client through its delimiter;
    malformed messages are read whole, named, and leave the next message readable;
    requests the broker could not answer are refused before anything is sent; the Lazy
    Pirate client refuses them too, with the broker's own codes. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_client.h"
#include "proto_msg.h"
#include "proto_wire.h"
#include "tests.h"

//  Two connected sockets on a private inproc endpoint.
typedef struct {
    void *ctx;
    void *a, *b; //  a binds, b connects
} s_pair_t;

static void
s_pair_open (s_pair_t *p, int type_a, int type_b)
{
    static int n;
    char ep[64];
    snprintf (ep, sizeof ep, "inproc://wire-%d", ++n);
    p->ctx = zmq_ctx_new ();
    p->a = zmq_socket (p->ctx, type_a);
    p->b = zmq_socket (p->ctx, type_b);
    int zero = 0;
    zmq_setsockopt (p->a, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (p->b, ZMQ_LINGER, &zero, sizeof zero);
    CU_ASSERT_EQUAL_FATAL (zmq_bind (p->a, ep), 0);
    CU_ASSERT_EQUAL_FATAL (zmq_connect (p->b, ep), 0);
}

static void
s_pair_close (s_pair_t *p)
{
    zmq_close (p->a);
    zmq_close (p->b);
    zmq_ctx_term (p->ctx);
}

//  Sends NUL-terminated frames as one message.
static void
s_send_raw (void *sock, const char *const *frames, int n)
{
    for (int i = 0; i < n; i++)
        zmq_send (sock, frames[i], strlen (frames[i]), i + 1 < n ? ZMQ_SNDMORE : 0);
}

//  True if a message is waiting on `sock` within 100 ms.
static bool
s_waiting (void *sock)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    return zmq_poll (&item, 1, 100) > 0;
}

//  ---------------------------------------------------------------------------------------

static void
test_request_reply (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_ROUTER, ZMQ_DEALER);
    const char *body = "{\"service\":\"A\"}";
    CU_ASSERT_EQUAL (
        proto_wire_send_request (p.b, "ticket.issue", "rid-1", body, strlen (body), ZMQ_DONTWAIT),
        0);
    //  The broker's side: the routing id, then four frames proto_msg decodes.
    zmq_msg_t f[5];
    int n = 0;
    for (int more = 1; more && n < 5; n++) {
        zmq_msg_init (&f[n]);
        CU_ASSERT_FATAL (zmq_msg_recv (&f[n], p.a, 0) >= 0);
        more = zmq_msg_more (&f[n]);
    }
    CU_ASSERT_EQUAL_FATAL (n, 5);
    proto_frame_t frames[4];
    for (int i = 0; i < 4; i++)
        frames[i] = (proto_frame_t){zmq_msg_data (&f[i + 1]), zmq_msg_size (&f[i + 1])};
    proto_request_t req;
    char why[256];
    CU_ASSERT_EQUAL (proto_request_decode (frames, 4, &req, why, sizeof why), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (req.cmd, PROTO_CMD_TICKET_ISSUE);
    CU_ASSERT_STRING_EQUAL (req.request_id, "rid-1");
    proto_request_reset (&req);

    //  Replies back through the envelope: ok, a known error code, a code this build lacks.
    proto_frame_t env[1] = {{zmq_msg_data (&f[0]), zmq_msg_size (&f[0])}};
    const char *codes[] = {"ok", "unknown_service", "from_the_future"};
    int errs[] = {PROTO_ERR_OK, PROTO_ERR_UNKNOWN_SERVICE, -1};
    for (int i = 0; i < 3; i++) {
        const char *rb = "{\"number\":\"A001\"}";
        CU_ASSERT_EQUAL (
            proto_wire_send_reply (p.a, env, 1, codes[i], "rid-1", rb, strlen (rb), ZMQ_DONTWAIT),
            0);
        proto_wire_reply_t reply;
        CU_ASSERT_EQUAL_FATAL (proto_wire_recv_reply (p.b, 0, &reply), PROTO_WIRE_OK);
        CU_ASSERT_EQUAL (reply.err, errs[i]);
        CU_ASSERT_STRING_EQUAL (reply.code, codes[i]);
        CU_ASSERT_STRING_EQUAL (reply.request_id, "rid-1");
        CU_ASSERT_EQUAL (reply.frames, 4);
        CU_ASSERT_EQUAL (reply.body_size, strlen (rb));
        CU_ASSERT (reply.body && memcmp (reply.body, rb, strlen (rb)) == 0);
        json_t *j = proto_wire_reply_json (&reply);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (j, "number")), "A001");
        json_decref (j);
        proto_wire_reply_close (&reply);
        proto_wire_reply_close (&reply); //  safe to repeat
        CU_ASSERT_PTR_NULL (reply.body);
    }
    for (int i = 0; i < 5; i++)
        zmq_msg_close (&f[i]);
    s_pair_close (&p);
}

//  A REQ client's request arrives behind an empty delimiter; the reply goes back behind
//  one, and the REQ socket hands over a normal four-frame reply.
static void
test_req_delimiter (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_ROUTER, ZMQ_REQ);
    CU_ASSERT_EQUAL (proto_wire_send_request (p.b, "hall.info", "req-1", "{}", 2, 0), 0);
    zmq_msg_t id, part;
    zmq_msg_init (&id);
    CU_ASSERT_FATAL (zmq_msg_recv (&id, p.a, 0) >= 0);
    int frames = 0, first_empty = -1;
    for (int more = zmq_msg_more (&id); more; frames++) {
        zmq_msg_init (&part);
        zmq_msg_recv (&part, p.a, 0);
        if (frames == 0)
            first_empty = zmq_msg_size (&part) == 0;
        more = zmq_msg_more (&part);
        zmq_msg_close (&part);
    }
    CU_ASSERT_EQUAL (frames, 5);
    CU_ASSERT_EQUAL (first_empty, 1);
    proto_frame_t env[2] = {{zmq_msg_data (&id), zmq_msg_size (&id)}, {"", 0}};
    CU_ASSERT_EQUAL (proto_wire_send_reply (p.a, env, 2, "ok", "req-1", "{}", 2, ZMQ_DONTWAIT), 0);
    proto_wire_reply_t reply;
    CU_ASSERT_EQUAL (proto_wire_recv_reply (p.b, 0, &reply), PROTO_WIRE_OK);
    CU_ASSERT_STRING_EQUAL (reply.request_id, "req-1");
    CU_ASSERT_EQUAL (reply.err, PROTO_ERR_OK);
    proto_wire_reply_close (&reply);
    zmq_msg_close (&id);
    s_pair_close (&p);
}

//  Each malformed reply is read whole and named; the good reply after them is read intact.
static void
test_reply_malformed (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_PAIR, ZMQ_PAIR);
    char code64[65], rid65[66];
    memset (code64, 'x', 64);
    code64[64] = 0;
    memset (rid65, 'r', 65);
    rid65[65] = 0;
    const struct {
        const char *f[5];
        int n;
        const char *why; //  a phrase of the reason
    } bad[] = {
        {{"OW1", "ok", "r1"}, 3, "not 3"},
        {{"OW1", "ok", "r1", "{}", "extra"}, 5, "not 5"},
        {{"OW2", "ok", "r1", "{}"}, 4, "signature"},
        {{"", "ok", "r1", "{}"}, 4, "signature"},
        {{"OW1", "", "r1", "{}"}, 4, "status code"},
        {{"OW1", code64, "r1", "{}"}, 4, "status code"},
        {{"OW1", "o k", "r1", "{}"}, 4, "status code"},
        {{"OW1", "ok", rid65, "{}"}, 4, "request id"},
        {{"OW1", "ok", "with space", "{}"}, 4, "request id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        s_send_raw (p.b, bad[i].f, bad[i].n);
    //  A request id frame with a NUL in it: not printable.
    zmq_send (p.b, "OW1", 3, ZMQ_SNDMORE);
    zmq_send (p.b, "ok", 2, ZMQ_SNDMORE);
    zmq_send (p.b, "r\0x", 3, ZMQ_SNDMORE);
    zmq_send (p.b, "{}", 2, 0);
    const char *good[] = {"OW1", "ok", "", "{\"a\":1}"}; //  "" : the broker could not read it
    s_send_raw (p.b, good, 4);

    proto_wire_reply_t reply;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL (proto_wire_recv_reply (p.a, 0, &reply), PROTO_WIRE_MALFORMED);
        CU_ASSERT_EQUAL (reply.frames, bad[i].n);
        CU_ASSERT_PTR_NOT_NULL (strstr (reply.why, bad[i].why));
        CU_ASSERT_PTR_NULL (reply.body);
        CU_ASSERT_EQUAL (reply.err, -1);
        proto_wire_reply_close (&reply);
    }
    CU_ASSERT_EQUAL (proto_wire_recv_reply (p.a, 0, &reply), PROTO_WIRE_MALFORMED);
    CU_ASSERT_PTR_NOT_NULL (strstr (reply.why, "request id"));
    proto_wire_reply_close (&reply);
    CU_ASSERT_EQUAL (proto_wire_recv_reply (p.a, 0, &reply), PROTO_WIRE_OK);
    CU_ASSERT_STRING_EQUAL (reply.request_id, "");
    CU_ASSERT_EQUAL (reply.body_size, 7);
    proto_wire_reply_close (&reply);
    //  Nothing left: under ZMQ_DONTWAIT that is an error with EAGAIN, and nothing to close.
    errno = 0;
    CU_ASSERT_EQUAL (proto_wire_recv_reply (p.a, ZMQ_DONTWAIT, &reply), PROTO_WIRE_ERROR);
    CU_ASSERT_EQUAL (errno, EAGAIN);
    proto_wire_reply_close (&reply);
    s_pair_close (&p);
}

//  What the broker could not answer is refused before anything is sent.
static void
test_request_refused (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_PAIR, ZMQ_PAIR);
    char rid65[66];
    memset (rid65, 'r', 65);
    rid65[65] = 0;
    const char *bad_ids[] = {"", rid65, "with space", "tab\there", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        errno = 0;
        CU_ASSERT_EQUAL (proto_wire_send_request (p.b, "hall.info", bad_ids[i], "{}", 2, 0), -1);
        CU_ASSERT_EQUAL (errno, EINVAL);
    }
    errno = 0;
    CU_ASSERT_EQUAL (proto_wire_send_request (p.b, "", "rid", "{}", 2, 0), -1);
    CU_ASSERT_EQUAL (errno, EINVAL);
    //  A body over PROTO_MAX_MSG: the broker's libzmq would drop the connection unanswered.
    size_t huge = PROTO_MAX_MSG + 1;
    char *body = malloc (huge);
    CU_ASSERT_PTR_NOT_NULL_FATAL (body);
    memset (body, ' ', huge);
    errno = 0;
    CU_ASSERT_EQUAL (proto_wire_send_request (p.b, "hall.info", "rid", body, huge, 0), -1);
    CU_ASSERT_EQUAL (errno, EMSGSIZE);
    CU_ASSERT (!s_waiting (p.a));
    //  Exactly PROTO_MAX_MSG goes (the broker answers it with too_large).
    CU_ASSERT_EQUAL (proto_wire_send_request (p.b, "hall.info", "rid", body, huge - 1, 0), 0);
    CU_ASSERT (s_waiting (p.a));
    free (body);
    s_pair_close (&p);
}

//  A body crosses byte for byte, however large, and an empty one is empty, not absent.
static void
test_reply_bodies (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_PAIR, ZMQ_PAIR);
    size_t size = 300 * 1024;
    char *big = malloc (size);
    CU_ASSERT_PTR_NOT_NULL_FATAL (big);
    for (size_t i = 0; i < size; i++)
        big[i] = (char)(i * 7 + 1);
    CU_ASSERT_EQUAL (proto_wire_send_reply (p.b, NULL, 0, "ok", "big", big, size, 0), 0);
    CU_ASSERT_EQUAL (proto_wire_send_reply (p.b, NULL, 0, "ok", "empty", "", 0, 0), 0);
    proto_wire_reply_t reply;
    CU_ASSERT_EQUAL_FATAL (proto_wire_recv_reply (p.a, 0, &reply), PROTO_WIRE_OK);
    CU_ASSERT_EQUAL (reply.body_size, size);
    CU_ASSERT (memcmp (reply.body, big, size) == 0);
    CU_ASSERT_PTR_NULL (proto_wire_reply_json (&reply)); //  not JSON
    proto_wire_reply_close (&reply);
    CU_ASSERT_EQUAL_FATAL (proto_wire_recv_reply (p.a, 0, &reply), PROTO_WIRE_OK);
    CU_ASSERT_STRING_EQUAL (reply.request_id, "empty");
    CU_ASSERT_PTR_NOT_NULL (reply.body);
    CU_ASSERT_EQUAL (reply.body_size, 0);
    CU_ASSERT_PTR_NULL (proto_wire_reply_json (&reply));
    proto_wire_reply_close (&reply);
    free (big);
    s_pair_close (&p);
}

static void
test_events (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_PAIR, ZMQ_PAIR);
    const char *body = "{\"seq\":27,\"topic\":\"ticket.called\"}";
    CU_ASSERT_EQUAL (proto_wire_send_event (p.b, "ticket.called", 27, body, strlen (body), 0), 0);
    CU_ASSERT_EQUAL (proto_wire_send_event (p.b, "hall.day", 1, "{}", 2, 0), 0);
    CU_ASSERT_EQUAL (proto_wire_send_event (p.b, "x", UINT64_MAX, "{}", 2, 0), 0);
    proto_wire_event_t ev;
    CU_ASSERT_EQUAL_FATAL (proto_wire_recv_event (p.a, 0, &ev), PROTO_WIRE_OK);
    CU_ASSERT_STRING_EQUAL (ev.topic, "ticket.called");
    CU_ASSERT_EQUAL (ev.seq, 27);
    CU_ASSERT_EQUAL (ev.frames, 3);
    json_t *j = proto_wire_event_json (&ev);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (j, "seq")), 27);
    json_decref (j);
    proto_wire_event_close (&ev);
    CU_ASSERT_EQUAL_FATAL (proto_wire_recv_event (p.a, 0, &ev), PROTO_WIRE_OK);
    CU_ASSERT_STRING_EQUAL (ev.topic, "hall.day");
    CU_ASSERT_EQUAL (ev.seq, 1);
    proto_wire_event_close (&ev);
    CU_ASSERT_EQUAL_FATAL (proto_wire_recv_event (p.a, 0, &ev), PROTO_WIRE_OK);
    CU_ASSERT_EQUAL (ev.seq, UINT64_MAX);
    proto_wire_event_close (&ev);
    proto_wire_event_close (&ev);
    //  The wire form of the sequence: decimal, no leading zeros (PROTOCOL.md 2.4).
    CU_ASSERT_EQUAL (proto_wire_send_event (p.b, "t", 1040, "{}", 2, 0), 0);
    zmq_msg_t m;
    zmq_msg_init (&m);
    zmq_msg_recv (&m, p.a, 0);
    zmq_msg_recv (&m, p.a, 0);
    CU_ASSERT (zmq_msg_size (&m) == 4 && memcmp (zmq_msg_data (&m), "1040", 4) == 0);
    zmq_msg_recv (&m, p.a, 0);
    CU_ASSERT (!zmq_msg_more (&m));
    zmq_msg_close (&m);
    s_pair_close (&p);
}

static void
test_events_malformed (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_PAIR, ZMQ_PAIR);
    char topic64[65];
    memset (topic64, 't', 64);
    topic64[64] = 0;
    const struct {
        const char *f[4];
        int n;
        const char *why;
    } bad[] = {
        {{"ticket.called", "5"}, 2, "not 2"},
        {{"ticket.called", "5", "{}", "x"}, 4, "not 4"},
        {{"", "5", "{}"}, 3, "topic"},
        {{topic64, "5", "{}"}, 3, "topic"},
        {{"a b", "5", "{}"}, 3, "topic"},
        {{"t", "0", "{}"}, 3, "sequence"},
        {{"t", "007", "{}"}, 3, "sequence"},
        {{"t", "12a", "{}"}, 3, "sequence"},
        {{"t", "-3", "{}"}, 3, "sequence"},
        {{"t", "", "{}"}, 3, "sequence"},
        {{"t", "18446744073709551616", "{}"}, 3, "sequence"}, //  2^64
        {{"t", "123456789012345678901", "{}"}, 3, "sequence"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        s_send_raw (p.b, bad[i].f, bad[i].n);
    const char *good[] = {"ticket.issued", "18446744073709551615", "{}"};
    s_send_raw (p.b, good, 3);
    proto_wire_event_t ev;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL (proto_wire_recv_event (p.a, 0, &ev), PROTO_WIRE_MALFORMED);
        CU_ASSERT_EQUAL (ev.frames, bad[i].n);
        CU_ASSERT_PTR_NOT_NULL (strstr (ev.why, bad[i].why));
        CU_ASSERT_PTR_NULL (ev.body);
        CU_ASSERT_PTR_NULL (proto_wire_event_json (&ev));
        proto_wire_event_close (&ev);
    }
    CU_ASSERT_EQUAL (proto_wire_recv_event (p.a, 0, &ev), PROTO_WIRE_OK);
    CU_ASSERT_STRING_EQUAL (ev.topic, "ticket.issued");
    CU_ASSERT_EQUAL (ev.seq, UINT64_MAX);
    proto_wire_event_close (&ev);
    CU_ASSERT_EQUAL (proto_wire_recv_event (p.a, ZMQ_DONTWAIT, &ev), PROTO_WIRE_ERROR);
    CU_ASSERT_EQUAL (errno, EAGAIN);
    proto_wire_event_close (&ev);
    s_pair_close (&p);
}

//  Events over a real PUB/SUB pair, as the broker publishes and the mirror reads them.
static void
test_events_pubsub (void)
{
    s_pair_t p;
    s_pair_open (&p, ZMQ_PUB, ZMQ_SUB);
    zmq_setsockopt (p.b, ZMQ_SUBSCRIBE, "ticket.", 7);
    proto_wire_event_t ev;
    //  A subscription takes effect asynchronously: publish until one arrives.
    int rc = PROTO_WIRE_ERROR;
    for (int i = 0; i < 200 && rc != PROTO_WIRE_OK; i++) {
        proto_wire_send_event (p.a, "hall.day", 1, "{}", 2, ZMQ_DONTWAIT);
        proto_wire_send_event (p.a, "ticket.issued", 2, "{\"seq\":2}", 9, ZMQ_DONTWAIT);
        if (s_waiting (p.b))
            rc = proto_wire_recv_event (p.b, 0, &ev);
        if (rc == PROTO_WIRE_OK) {
            CU_ASSERT_STRING_EQUAL (ev.topic, "ticket.issued"); //  hall.day filtered out
            CU_ASSERT_EQUAL (ev.seq, 2);
        }
        proto_wire_event_close (&ev);
    }
    CU_ASSERT_EQUAL (rc, PROTO_WIRE_OK);
    s_pair_close (&p);
}

//  The Lazy Pirate client refuses locally what the broker could not answer, with the
//  broker's own codes, and without waiting for a reply that would never come.
static void
test_client_refuses (void)
{
    proto_client_t *c = proto_client_new ("tcp://127.0.0.1:9"); //  nothing listens
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    proto_client_set_timeout (c, 50, 1);
    json_t *r = NULL;
    CU_ASSERT_EQUAL (proto_client_call_id (c, "hall.info", NULL, "with space", &r),
                     PROTO_ERR_BAD_REQUEST_ID);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "bad_request_id");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "code")), "bad_request_id");
    json_decref (r);
    size_t n = PROTO_MAX_MSG + 10;
    char *text = malloc (n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    memset (text, 'a', n);
    text[n] = 0;
    json_t *body = json_pack ("{s:s}", "service", text);
    free (text);
    CU_ASSERT_EQUAL (proto_client_call (c, "ticket.issue", body, &r), PROTO_ERR_TOO_LARGE);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "too_large");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_client_message (c), "at most"));
    json_decref (r);
    json_decref (body);
    //  An ordinary call to nobody: unreachable after its one short try.
    CU_ASSERT_EQUAL (proto_client_call (c, "hall.info", NULL, &r), PROTO_CLIENT_UNREACHABLE);
    CU_ASSERT_PTR_NULL (r);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "unreachable");
    proto_client_destroy (&c);
}

int
test_wire_suite (void)
{
    CU_pSuite suite = CU_add_suite ("wire", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "request and replies round-trip", test_request_reply) ||
        !CU_add_test (suite, "a REQ client gets its reply through the delimiter",
                      test_req_delimiter) ||
        !CU_add_test (suite, "malformed replies are named and consumed", test_reply_malformed) ||
        !CU_add_test (suite, "unanswerable requests are refused unsent", test_request_refused) ||
        !CU_add_test (suite, "large and empty bodies", test_reply_bodies) ||
        !CU_add_test (suite, "events round-trip", test_events) ||
        !CU_add_test (suite, "malformed events are named and consumed", test_events_malformed) ||
        !CU_add_test (suite, "events over PUB/SUB", test_events_pubsub) ||
        !CU_add_test (suite, "the client refuses what the broker could not answer",
                      test_client_refuses))
        return -1;
    return 0;
}
