/*  test_badinput_it.c — bad input against the running broker, over raw ZeroMQ sockets:
    each gets its documented error reply (or, over the hard size limit, a dropped
    connection), the broker stays up, and nothing in the store changes. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795827600000LL

typedef struct {
    const void *data;
    size_t size;
} s_frame_t;

#define F(s)              \
    {                     \
        s, sizeof (s) - 1 \
    }

//  Sends `n` frames on a fresh DEALER (or REQ) and returns the reply's status frame and
//  request-id frame; status "" when no reply came within the timeout.
static void
s_exchange (const test_broker_t *b, int type, const s_frame_t *frames, int n, char *status,
            char *request_id, json_t **body)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, type);
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect (s, b->req);
    for (int i = 0; i < n; i++)
        zmq_send (s, frames[i].data, frames[i].size, i < n - 1 ? ZMQ_SNDMORE : 0);
    status[0] = request_id[0] = 0;
    if (body)
        *body = NULL;
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, 3000) > 0) {
        int part = 0;
        zmq_msg_t m;
        zmq_msg_init (&m);
        do {
            zmq_msg_recv (&m, s, 0);
            size_t len = zmq_msg_size (&m);
            if (part == 1 && len < 64) {
                memcpy (status, zmq_msg_data (&m), len);
                status[len] = 0;
            } else if (part == 2 && len < 80) {
                memcpy (request_id, zmq_msg_data (&m), len);
                request_id[len] = 0;
            } else if (part == 3 && body)
                *body = json_loadb (zmq_msg_data (&m), len, 0, NULL);
            part++;
        } while (zmq_msg_more (&m));
        zmq_msg_close (&m);
    }
    zmq_close (s);
    zmq_ctx_term (ctx);
}

static void
s_expect (const test_broker_t *b, const s_frame_t *frames, int n, const char *want_status,
          const char *want_id)
{
    char status[64], id[80];
    json_t *body;
    s_exchange (b, ZMQ_DEALER, frames, n, status, id, &body);
    CU_ASSERT_STRING_EQUAL (status, want_status);
    CU_ASSERT_STRING_EQUAL (id, want_id);
    if (strcmp (want_status, "ok") != 0) {
        //  Every error body carries the code and a human message.
        CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (body, "code")), want_status);
        const char *msg = json_string_value (json_object_get (body, "message"));
        CU_ASSERT (msg && strlen (msg) > 5);
    }
    if (strcmp (status, want_status) != 0)
        fprintf (stderr, "\n    expected %s, got '%s' (%s)\n", want_status, status,
                 body ? json_string_value (json_object_get (body, "message")) : "no body");
    json_decref (body);
}

static long long
s_seq (proto_client_t *c)
{
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    long long seq = json_integer_value (json_object_get (snap, "seq"));
    CU_ASSERT_EQUAL (json_array_size (json_object_get (snap, "tickets")), 0);
    json_decref (snap);
    return seq;
}

static void
test_bad_frames (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    long long seq0 = s_seq (c);

    s_frame_t one[] = {F ("OW1")};
    s_expect (&b, one, 1, "bad_frame", "");
    s_frame_t three[] = {F ("OW1"), F ("ticket.issue"), F ("r1")};
    s_expect (&b, three, 3, "bad_frame", "");
    s_frame_t five[] = {F ("OW1"), F ("ticket.issue"), F ("r1"), F ("{}"), F ("extra")};
    s_expect (&b, five, 5, "bad_frame", "");
    s_frame_t sig[] = {F ("OW9"), F ("ticket.issue"), F ("r2"), F ("{\"service\":\"A\"}")};
    s_expect (&b, sig, 4, "bad_signature", "r2");
    s_frame_t noid[] = {F ("OW1"), F ("ticket.issue"), F (""), F ("{\"service\":\"A\"}")};
    s_expect (&b, noid, 4, "bad_request_id", "");
    s_frame_t binid[] = {F ("OW1"), F ("ticket.issue"), F ("a\x01z"), F ("{\"service\":\"A\"}")};
    s_expect (&b, binid, 4, "bad_request_id", "");
    s_frame_t unknown[] = {F ("OW1"), F ("ticket.print_money"), F ("r3"), F ("{}")};
    s_expect (&b, unknown, 4, "unknown_command", "r3");
    s_frame_t binary_cmd[] = {F ("OW1"), F ("\xff\xfe\x00\x01"), F ("r4"), F ("{}")};
    s_expect (&b, binary_cmd, 4, "unknown_command", "r4");
    s_frame_t json1[] = {F ("OW1"), F ("ticket.issue"), F ("r5"), F ("{\"service\":")};
    s_expect (&b, json1, 4, "bad_json", "r5");
    s_frame_t utf8[] = {F ("OW1"), F ("ticket.issue"), F ("r6"), F ("{\"service\":\"\xc3\x28\"}")};
    s_expect (&b, utf8, 4, "bad_json", "r6");
    s_frame_t dupkey[] = {F ("OW1"), F ("ticket.issue"), F ("r7"),
                          F ("{\"service\":\"A\",\"service\":\"B\"}")};
    s_expect (&b, dupkey, 4, "bad_json", "r7");
    s_frame_t arr[] = {F ("OW1"), F ("ticket.issue"), F ("r8"), F ("[\"A\"]")};
    s_expect (&b, arr, 4, "bad_body", "r8");
    s_frame_t missing[] = {F ("OW1"), F ("ticket.issue"), F ("r9"), F ("{}")};
    s_expect (&b, missing, 4, "missing_field", "r9");
    s_frame_t wrongtype[] = {F ("OW1"), F ("ticket.issue"), F ("r10"), F ("{\"service\":7}")};
    s_expect (&b, wrongtype, 4, "bad_field", "r10");
    s_frame_t extra[] = {F ("OW1"), F ("ticket.issue"), F ("r11"),
                         F ("{\"service\":\"A\",\"sevice\":\"B\"}")};
    s_expect (&b, extra, 4, "bad_field", "r11");
    s_frame_t nested[] = {F ("OW1"), F ("ticket.issue"), F ("r12"),
                          F ("{\"service\":{\"a\":[[[[[[[[[[1]]]]]]]]]]}}")};
    s_expect (&b, nested, 4, "bad_field", "r12");
    s_frame_t counter[] = {F ("OW1"), F ("ticket.call_next"), F ("r13"), F ("{\"counter\":1.5}")};
    s_expect (&b, counter, 4, "bad_field", "r13");
    s_frame_t bigint[] = {F ("OW1"), F ("ticket.call_next"), F ("r14"),
                          F ("{\"counter\":99999999999999}")};
    s_expect (&b, bigint, 4, "unknown_counter", "r14");
    s_frame_t nul[] = {F ("OW1"), F ("ticket.issue"), F ("r15"), F ("{\"service\":\"A\\u0000\"}")};
    s_expect (&b, nul, 4, "bad_json", "r15");

    //  A body over the soft limit gets too_large.
    size_t big = PROTO_MAX_BODY + 1000;
    char *large = malloc (big + 1);
    memset (large, ' ', big);
    large[0] = '{';
    large[big - 1] = '}';
    s_frame_t toolarge[] = {F ("OW1"), F ("ticket.issue"), F ("r16"), {large, big}};
    s_expect (&b, toolarge, 4, "too_large", "r16");
    free (large);
    //  A message over the hard limit is dropped by ZeroMQ with the connection: no reply,
    //  and the broker keeps serving everyone else.
    size_t huge = 2 * PROTO_MAX_MSG;
    char *hugebuf = calloc (1, huge);
    s_frame_t toohuge[] = {F ("OW1"), F ("ticket.issue"), F ("r17"), {hugebuf, huge}};
    char status[64], id[80];
    s_exchange (&b, ZMQ_DEALER, toohuge, 4, status, id, NULL);
    CU_ASSERT_STRING_EQUAL (status, "");
    free (hugebuf);

    CU_ASSERT_TRUE (test_broker_alive (&b));
    //  Nothing changed: no ticket, no event.
    CU_ASSERT_EQUAL (s_seq (c), seq0);
    //  And a good request still works, also from a REQ socket (delimiter echoed).
    s_frame_t good[] = {F ("OW1"), F ("ticket.issue"), F ("r18"), F ("{\"service\":\"A\"}")};
    json_t *body;
    s_exchange (&b, ZMQ_REQ, good, 4, status, id, &body);
    CU_ASSERT_STRING_EQUAL (status, "ok");
    CU_ASSERT_STRING_EQUAL (id, "r18");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (body, "number")), "A001");
    json_decref (body);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_flood_of_garbage (void)
{
    //  Thousands of malformed messages from many sockets: the broker answers each and stays
    //  responsive to a well-behaved client.
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect (s, b.req);
    unsigned seed = 42;
    int sent = 3000;
    for (int i = 0; i < sent; i++) {
        char junk[64];
        int len = (int)(rand_r (&seed) % sizeof junk);
        for (int k = 0; k < len; k++)
            junk[k] = (char)rand_r (&seed);
        int frames = 1 + (int)(rand_r (&seed) % 6);
        for (int f = 0; f < frames; f++)
            zmq_send (s, f == 0 && i % 2 ? "OW1" : junk, f == 0 && i % 2 ? 3 : (size_t)len,
                      f < frames - 1 ? ZMQ_SNDMORE : 0);
    }
    int replies = 0;
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    while (replies < sent && zmq_poll (&item, 1, 5000) > 0) {
        zmq_msg_t m;
        zmq_msg_init (&m);
        do {
            zmq_msg_recv (&m, s, 0);
        } while (zmq_msg_more (&m));
        zmq_msg_close (&m);
        replies++;
    }
    CU_ASSERT_EQUAL (replies, sent);
    zmq_close (s);
    zmq_ctx_term (ctx);
    proto_client_t *c = test_client (&b);
    int code;
    json_t *r = test_call (c, "hall.info", NULL, &code);
    CU_ASSERT_EQUAL (code, 0);
    json_decref (r);
    //  Only the start-up's own event (hall.day) is in the journal.
    CU_ASSERT_EQUAL (s_seq (c), 1);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  Anonymous resident memory of a process (the heap; not the store's file mapping, which
//  holds the idempotency records every refused write leaves for its retries), in kB.
static long
s_rss_kb (pid_t pid)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
    char *status = test_read_file (path);
    const char *rss = status ? strstr (status, "RssAnon:") : NULL;
    long kb = rss ? atol (rss + 8) : -1;
    free (status);
    return kb;
}

static void
test_hostile_bodies (void)
{
    test_broker_t b;
    //  AddressSanitizer keeps freed memory in quarantine (256 MB by default), which would
    //  look like growth: this broker runs with none.
    const char *asan = getenv ("ASAN_OPTIONS");
    char *saved = asan ? strdup (asan) : NULL;
    char opts[512];
    snprintf (opts, sizeof opts, "%s%squarantine_size_mb=0", asan ? asan : "", asan ? ":" : "");
    setenv ("ASAN_OPTIONS", opts, 1);
    int started = test_broker_start (&b, NULL, T0);
    if (saved)
        setenv ("ASAN_OPTIONS", saved, 1);
    else
        unsetenv ("ASAN_OPTIONS");
    free (saved);
    CU_ASSERT_FATAL (started == 0);
    proto_client_t *c = test_client (&b);
    long seq0 = s_seq (c);
    int code;
    //  A string far over the field limit, inside a body under the size limit.
    char *huge = malloc (60000);
    memset (huge, 'x', 59999);
    huge[59999] = 0;
    json_decref (test_call (c, "ticket.issue", json_pack ("{s:s}", "service", huge), &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    free (huge);
    //  Deep nesting: 10,000 brackets (jansson stops at its depth limit).
    size_t depth = 10000;
    char *deep = malloc (2 * depth + 32);
    size_t n = (size_t)sprintf (deep, "{\"service\":");
    for (size_t i = 0; i < depth; i++)
        deep[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    s_frame_t nested[] = {F ("OW1"), F ("ticket.issue"), F ("deep"), {deep, n}};
    char status[64], id[80];
    s_exchange (&b, ZMQ_DEALER, nested, 4, status, id, NULL);
    CU_ASSERT (strcmp (status, "bad_json") == 0 || strcmp (status, "bad_field") == 0);
    free (deep);
    //  Forged tokens: well formed, random, belonging to no ticket.
    for (int i = 0; i < 50; i++) {
        char token[27];
        proto_request_id_new (token); //  32 hex chars: upper-case them into a token shape
        for (int k = 0; k < 26; k++)
            token[k] = (char)("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(unsigned char)token[k] % 32]);
        token[25] = 'A';
        token[26] = 0;
        json_decref (test_call (c, "ticket.status", json_pack ("{s:s}", "token", token), &code));
        CU_ASSERT (code == PROTO_ERR_UNKNOWN_TICKET);
        json_decref (test_call (c, "vault.pickup_check",
                                json_pack ("{s:s, s:s}", "cabinet", "C1", "code", token), &code));
        CU_ASSERT (code == PROTO_ERR_UNKNOWN_CASE);
    }
    //  Nothing changed.
    CU_ASSERT_EQUAL (s_seq (c), seq0);
    //  Memory does not grow with bad input: after a warm-up flood, 20,000 more bad requests
    //  leave the broker's resident size within 2 MB.
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect (s, b.req);
    //  Three rounds of 20,000 after a warm-up: the allocator settles during the first ones;
    //  a leak would add the same again every round.
    long heap[4] = {0};
    for (int round = 0; round < 4; round++) {
        int sent = 20000;
        for (int i = 0; i < sent; i++) {
            zmq_send (s, "OW1", 3, ZMQ_SNDMORE);
            zmq_send (s, "ticket.issue", 12, ZMQ_SNDMORE);
            char rid[24];
            int len = snprintf (rid, sizeof rid, "r%d-%d", round, i);
            zmq_send (s, rid, (size_t)len, ZMQ_SNDMORE);
            zmq_send (s, "{\"service\":\"NOPE\"}", 18, 0);
        }
        for (int got = 0; got < sent;) {
            zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
            if (zmq_poll (&item, 1, 10000) <= 0)
                break;
            zmq_msg_t m;
            zmq_msg_init (&m);
            do
                zmq_msg_recv (&m, s, 0);
            while (zmq_msg_more (&m));
            zmq_msg_close (&m);
            got++;
        }
        heap[round] = s_rss_kb (b.pid);
    }
    printf ("\n    broker heap after each 20,000 bad requests: %ld, %ld, %ld, %ld kB\n", heap[0],
            heap[1], heap[2], heap[3]);
    CU_ASSERT (heap[3] > 0 && heap[3] - heap[2] < 2048 && heap[3] - heap[1] < 4096);
    zmq_close (s);
    zmq_ctx_term (ctx);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_badinput_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("badinput_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "every malformed request gets its error; nothing changes", test_bad_frames);
    CU_add_test (s, "a flood of random frames is answered; broker stays up", test_flood_of_garbage);
    CU_add_test (s, "huge strings, deep nesting, forged tokens; memory does not grow",
                 test_hostile_bodies);
    return 0;
}
