/*  test_broker_it.c — the real broker process on private ipc:// endpoints and a temp
    store, driven through the real client library: a whole ticket life with its events,
    retried request ids, counter rules, transfer, missed-number rules, the wait estimate
    and the daily reset on the simulated clock. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

//  2026-11-28 09:00 in Beijing (UTC+8), a Saturday morning of an extended-hours session.
#define T0 1795827600000LL

static const char *
s_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

static long long
s_int (const json_t *j, const char *key)
{
    return json_integer_value (json_object_get (j, key));
}

//  ticket.issue; returns the reply (caller frees) and asserts success.
static json_t *
s_issue (proto_client_t *c, const char *service, const char *priority)
{
    json_t *body = json_pack ("{s:s}", "service", service);
    if (priority)
        json_object_set_new (body, "priority", json_string (priority));
    int code;
    json_t *r = test_call (c, "ticket.issue", body, &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    return r;
}

//  A counter command; returns the status code and frees the reply unless `out` is given.
static int
s_counter (proto_client_t *c, const char *command, int counter, json_t **out)
{
    int code;
    json_t *r = test_call (c, command, json_pack ("{s:i}", "counter", counter), &code);
    if (out)
        *out = r;
    else
        json_decref (r);
    return code;
}

static json_t *
s_status (proto_client_t *c, const char *token)
{
    int code;
    json_t *r = test_call (c, "ticket.status", json_pack ("{s:s}", "token", token), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    return r;
}

//  ---------------------------------------------------------------------------------------

static void
test_whole_life (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);

    json_t *a1 = s_issue (c, "A", NULL);
    json_t *a2 = s_issue (c, "A", "green");
    CU_ASSERT_STRING_EQUAL (s_str (a1, "number"), "A001");
    CU_ASSERT_STRING_EQUAL (s_str (a2, "number"), "A002");
    CU_ASSERT_EQUAL (strlen (s_str (a1, "token")), 26);
    CU_ASSERT_STRING_NOT_EQUAL (s_str (a1, "token"), s_str (a2, "token"));
    CU_ASSERT_EQUAL (s_int (a1, "ahead"), 0);
    CU_ASSERT_EQUAL (s_int (a2, "ahead"), 0); //  green goes before the normal ticket
    CU_ASSERT (json_is_null (json_object_get (a1, "est_wait_s"))); //  no counter open yet
    CU_ASSERT_EQUAL (s_int (a1, "issued"), T0);

    json_t *r;
    int code;
    r = test_call (c, "counter.login",
                   json_pack ("{s:i, s:[s], s:s}", "counter", 3, "services", "A", "clerk", "张三"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clerk"), "张三");
    json_decref (r);
    //  Green channel first.
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 3, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "number"), "A002");
    CU_ASSERT_STRING_EQUAL (s_str (r, "reason"), "green");
    CU_ASSERT_EQUAL (s_int (r, "waiting"), 1);
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.recall", 3, &r), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_int (r, "recall"), 1);
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.start", 3, NULL), PROTO_ERR_OK);
    json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 600000), NULL));
    CU_ASSERT_EQUAL (s_counter (c, "ticket.finish", 3, &r), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_int (r, "served"), 1);
    json_decref (r);
    r = s_status (c, s_str (a2, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "done");
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "finished"), T0 + 600000);
    json_decref (r);
    //  The normal ticket now; waiting status first, then called with the counter's name.
    r = s_status (c, s_str (a1, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "waiting");
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "ahead"), 0);
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 3, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "reason"), "fifo");
    json_decref (r);
    r = s_status (c, s_str (a1, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "called");
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "counter"), 3);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "counter_name"),
                            "3号窗口 企业开办");
    json_decref (r);
    //  Missed, with the example hall's rule "void".
    CU_ASSERT_EQUAL (s_counter (c, "ticket.missed", 3, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "outcome"), "void");
    json_decref (r);
    r = s_status (c, s_str (a1, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "missed");
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 3, NULL), PROTO_ERR_QUEUE_EMPTY);
    CU_ASSERT_EQUAL (s_counter (c, "counter.logout", 3, NULL), PROTO_ERR_OK);

    //  The events: every change, in order, sequence numbers without a gap, no tokens.
    const char *expect[] = {
        "ticket.issued",   "ticket.issued",   "counter.changed", "ticket.called",
        "counter.changed", "ticket.called",   "ticket.started",  "counter.changed",
        "clock.advanced",  "ticket.finished", "counter.changed", "ticket.called",
        "counter.changed", "ticket.missed",   "counter.changed", "counter.changed"};
    const char *actions[] = {NULL, NULL, "login",  NULL, "call", NULL, NULL,     "start",
                             NULL, NULL, "finish", NULL, "call", NULL, "missed", "logout"};
    long long last = -1;
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        json_t *e = test_sub_next (sub, 5000);
        CU_ASSERT_PTR_NOT_NULL_FATAL (e);
        CU_ASSERT_STRING_EQUAL (s_str (e, "topic"), expect[i]);
        if (last >= 0)
            CU_ASSERT_EQUAL (s_int (e, "seq"), last + 1);
        last = s_int (e, "seq");
        json_t *body = json_object_get (e, "body");
        CU_ASSERT_EQUAL (s_int (body, "seq"), last);
        CU_ASSERT_STRING_EQUAL (s_str (body, "topic"), expect[i]);
        char *text = json_dumps (body, 0);
        CU_ASSERT_PTR_NULL (strstr (text, s_str (a1, "token")));
        CU_ASSERT_PTR_NULL (strstr (text, s_str (a2, "token")));
        if (i == 5) //  the recall is marked on the call event
            CU_ASSERT_EQUAL (s_int (body, "recall"), 1);
        if (actions[i])
            CU_ASSERT_STRING_EQUAL (s_str (body, "action"), actions[i]);
        free (text);
        json_decref (e);
    }
    //  The snapshot's sequence is the last event's.
    r = test_call (c, "hall.snapshot", NULL, NULL);
    CU_ASSERT_EQUAL (s_int (r, "seq"), last);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "tickets")), 0);
    json_decref (r);

    json_decref (a1);
    json_decref (a2);
    test_sub_destroy (&sub);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_retry_same_request_id (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *body = json_pack ("{s:s}", "service", "B");
    json_t *r1 = NULL, *r2 = NULL, *r3 = NULL;
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", body, "retry-1", &r1), 0);
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", body, "retry-1", &r2), 0);
    //  The same reply, byte for byte: same number, same token; only one ticket exists.
    CU_ASSERT_TRUE (json_equal (r1, r2));
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (snap, "tickets")), 1);
    json_decref (snap);
    //  A failed request is recorded too: the retry hears the same refusal.
    json_t *bad = json_pack ("{s:i}", "counter", 5);
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.call_next", bad, "retry-2", &r3),
                     PROTO_ERR_NOT_LOGGED_IN);
    json_decref (r3);
    json_decref (test_call (c, "counter.login", json_pack ("{s:i}", "counter", 5), NULL));
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.call_next", bad, "retry-2", &r3),
                     PROTO_ERR_NOT_LOGGED_IN);
    json_decref (r3);
    //  The same id with another body is another request: refused, nothing issued.
    json_t *other = json_pack ("{s:s}", "service", "C");
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", other, "retry-1", &r3),
                     PROTO_ERR_REQUEST_ID_REUSED);
    json_decref (r3);
    json_decref (other);
    //  The same id for another command is refused.
    CU_ASSERT_EQUAL (proto_client_call_id (c, "counter.logout", bad, "retry-1", &r3),
                     PROTO_ERR_REQUEST_ID_REUSED);
    json_decref (r3);
    //  Read commands are not recorded: the same id reads fresh state.
    CU_ASSERT_EQUAL (proto_client_call_id (c, "hall.snapshot", NULL, "read-1", &r3), 0);
    json_decref (r3);
    CU_ASSERT_EQUAL (proto_client_call_id (c, "hall.info", NULL, "read-1", &r3), 0);
    json_decref (r3);
    json_decref (bad);
    json_decref (body);
    json_decref (r1);
    json_decref (r2);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_counter_rules (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *r;
    int code;
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 4, NULL), PROTO_ERR_NOT_LOGGED_IN);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 99, NULL), PROTO_ERR_UNKNOWN_COUNTER);
    CU_ASSERT_EQUAL (s_counter (c, "counter.pause", 4, NULL), PROTO_ERR_NOT_LOGGED_IN);
    //  A number that would wrap to a real counter's in 32 bits is still unknown.
    r = test_call (c, "counter.login", json_pack ("{s:I}", "counter", (json_int_t)4294967297LL),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_UNKNOWN_COUNTER);
    json_decref (r);
    //  A clerk name that does not fit is refused, not cut.
    char longname[100];
    memset (longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    r = test_call (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 1, "clerk", longname),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);
    //  services: null means all configured services.
    r = test_call (c, "counter.login", json_pack ("{s:i, s:n}", "counter", 1, "services"), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "services")), 7);
    json_decref (r);
    r = NULL;
    CU_ASSERT_EQUAL (s_counter (c, "counter.logout", 1, &r), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "services")), 0);
    json_decref (r);
    r = test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "Q"), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_UNKNOWN_SERVICE);
    CU_ASSERT_STRING_EQUAL (s_str (r, "code"), "unknown_service");
    json_decref (r);
    r = test_call (c, "ticket.issue", json_pack ("{s:s, s:s}", "service", "A", "priority", "vip"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);
    //  Counter 4 serves A and D only.
    r = test_call (c, "counter.login", json_pack ("{s:i, s:[s]}", "counter", 4, "services", "B"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 4, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 4, NULL), PROTO_ERR_QUEUE_EMPTY);
    json_t *t = s_issue (c, "D", NULL);
    json_t *tb = s_issue (c, "B", NULL);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.finish", 4, NULL), PROTO_ERR_NO_TICKET);
    CU_ASSERT_EQUAL (s_counter (c, "counter.pause", 4, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 4, NULL), PROTO_ERR_COUNTER_PAUSED);
    //  A counter paused without a return time is expected back after the pauses like it
    //  seen here (none yet: 15 minutes), not never: D is called then.
    r = s_status (c, s_str (t, "token"));
    json_t *est = json_object_get (json_object_get (r, "ticket"), "est_wait_s");
    CU_ASSERT (json_is_integer (est) && json_integer_value (est) >= 14 * 60 &&
               json_integer_value (est) <= 15 * 60);
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "counter.resume", 4, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "counter.resume", 4, NULL), PROTO_ERR_WRONG_STATE);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 4, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "number"), "D001");
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 4, NULL), PROTO_ERR_COUNTER_BUSY);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.finish", 4, NULL), PROTO_ERR_WRONG_STATE);
    CU_ASSERT_EQUAL (s_counter (c, "counter.logout", 4, NULL), PROTO_ERR_COUNTER_BUSY);
    CU_ASSERT_EQUAL (s_counter (c, "counter.pause", 4, NULL), PROTO_ERR_COUNTER_BUSY);
    r = test_call (c, "ticket.start", json_pack ("{s:i, s:s}", "counter", 4, "ticket", "D002"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_WRONG_TICKET);
    json_decref (r);
    r = test_call (c, "ticket.start", json_pack ("{s:i, s:s}", "counter", 4, "ticket", "D001"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_decref (r);
    //  A waiting ticket can be cancelled; a served one cannot.
    r = test_call (c, "ticket.cancel", json_pack ("{s:s}", "token", s_str (t, "token")), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_WRONG_STATE);
    json_decref (r);
    r = test_call (c, "ticket.cancel",
                   json_pack ("{s:s, s:s}", "token", s_str (tb, "token"), "reason", "left"), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_decref (r);
    r = s_status (c, s_str (tb, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "cancelled");
    json_decref (r);
    r = test_call (c, "ticket.status", json_pack ("{s:s}", "token", "AAAAAAAAAAAAAAAAAAAAAAAAAA"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_UNKNOWN_TICKET);
    json_decref (r);
    r = test_call (c, "ticket.status", json_pack ("{s:s}", "token", "not-a-token"), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);
    //  The status URL printed in the QR code works as well as the bare token.
    char url[128];
    snprintf (url, sizeof url, "http://127.0.0.1:8080/t/%s", s_str (t, "token"));
    r = test_call (c, "ticket.status", json_pack ("{s:s}", "token", url), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_decref (r);
    r = test_call (c, "clock.advance", json_pack ("{s:i}", "ms", -5), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);
    json_decref (t);
    json_decref (tb);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_transfer_keeps_place (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *a = s_issue (c, "A", NULL); //  issued first
    json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 60000), NULL));
    json_t *b1 = s_issue (c, "B", NULL); //  a minute later
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 3, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 3, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.start", 3, NULL), PROTO_ERR_OK);
    int code;
    json_t *r =
        test_call (c, "ticket.transfer", json_pack ("{s:i, s:s}", "counter", 3, "to", "A"), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD); //  already in A
    json_decref (r);
    r = test_call (c, "ticket.transfer", json_pack ("{s:i, s:s}", "counter", 3, "to", "B"), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_t *t = json_object_get (r, "ticket");
    CU_ASSERT_STRING_EQUAL (s_str (t, "number"), "A001");
    CU_ASSERT_STRING_EQUAL (s_str (t, "service"), "B");
    CU_ASSERT_STRING_EQUAL (s_str (t, "from"), "A");
    CU_ASSERT_EQUAL (s_int (t, "issued"), T0);
    CU_ASSERT_EQUAL (s_int (t, "ahead"), 0); //  ahead of B001, issued later
    json_decref (r);
    //  Counter 5 serves B: it calls the transferred A001 before B001.
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 5, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 5, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "number"), "A001");
    json_decref (r);
    json_decref (a);
    json_decref (b1);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  A hall config with a given missed rule, written into dir.
static char *
s_config_with_missed (const char *dir, const char *missed_json)
{
    char *path = malloc (600);
    snprintf (path, 600, "%s/hall.json", dir);
    char text[2048];
    snprintf (
        text, sizeof text,
        "{\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\"},"
        " \"missed\": %s,"
        " \"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\", \"mean_service_s\": 600},"
        "                {\"prefix\": \"B\", \"name\": \"社保\", \"mean_service_s\": 300}],"
        " \"counters\": [{\"id\": 1, \"services\": [\"A\", \"B\"]},"
        "                {\"id\": 2, \"services\": [\"A\"]}]}",
        missed_json);
    test_write_file (path, text);
    return path;
}

static void
test_missed_back_places (void)
{
    char *dir = test_tmpdir ();
    char *config =
        s_config_with_missed (dir, "{\"rule\": \"back\", \"places\": 2, \"max_misses\": 1}");
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, config, T0) == 0);
    proto_client_t *c = test_client (&b);
    for (int i = 0; i < 4; i++)
        json_decref (s_issue (c, "A", NULL));
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 1, NULL), PROTO_ERR_OK);
    json_t *r;
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 1, NULL), PROTO_ERR_OK); //  A001
    CU_ASSERT_EQUAL (s_counter (c, "ticket.missed", 1, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "outcome"), "requeued");
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "ahead"), 2);
    json_decref (r);
    //  Order now: A002, A003, A001, A004.
    const char *order[] = {"A002", "A003", "A001", "A004"};
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 1, &r), PROTO_ERR_OK);
        CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "number"), order[i]);
        json_decref (r);
        if (i == 2) {
            //  A001's second miss is past max_misses: void.
            CU_ASSERT_EQUAL (s_counter (c, "ticket.missed", 1, &r), PROTO_ERR_OK);
            CU_ASSERT_STRING_EQUAL (s_str (r, "outcome"), "void");
            json_decref (r);
        } else {
            CU_ASSERT_EQUAL (s_counter (c, "ticket.start", 1, NULL), PROTO_ERR_OK);
            CU_ASSERT_EQUAL (s_counter (c, "ticket.finish", 1, NULL), PROTO_ERR_OK);
        }
    }
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 1, NULL), PROTO_ERR_QUEUE_EMPTY);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
    free (config);
}

static void
test_missed_grace (void)
{
    char *dir = test_tmpdir ();
    char *config = s_config_with_missed (dir, "{\"rule\": \"grace\", \"minutes\": 10}");
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, config, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t1 = s_issue (c, "A", NULL);
    json_t *t2 = s_issue (c, "A", NULL);
    json_t *t3 = s_issue (c, "A", NULL);
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 1, NULL), PROTO_ERR_OK);
    json_t *r;
    int code;
    //  t1 missed, then comes back within grace: back in line at its old place (first).
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 1, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.missed", 1, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "outcome"), "grace");
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "grace_until"), T0 + 600000);
    json_decref (r);
    json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 5 * 60000), NULL));
    r = test_call (c, "ticket.requeue", json_pack ("{s:s}", "token", s_str (t1, "token")), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 1, &r), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "number"), "A001");
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.start", 1, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.finish", 1, NULL), PROTO_ERR_OK);
    //  t2 missed and does not come back: after 10 minutes the timer expires it, once.
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 1, NULL), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.missed", 1, NULL), PROTO_ERR_OK);
    json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 9 * 60000), NULL));
    r = s_status (c, s_str (t2, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "missed");
    json_decref (r);
    json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 60000), NULL));
    r = s_status (c, s_str (t2, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "expired");
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "reason"), "grace_over");
    json_decref (r);
    r = test_call (c, "ticket.requeue", json_pack ("{s:s}", "token", s_str (t2, "token")), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_WRONG_STATE);
    json_decref (r);
    json_decref (t1);
    json_decref (t2);
    json_decref (t3);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
    free (config);
}

static void
test_wait_estimate (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    //  Service A's configured mean is 900 s. Counter 3 serves A only.
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 3, NULL), PROTO_ERR_OK);
    json_t *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = s_issue (c, "A", NULL);
    CU_ASSERT_EQUAL (s_int (t[0], "est_wait_s"), 0);
    CU_ASSERT_EQUAL (s_int (t[3], "ahead"), 3);
    CU_ASSERT_EQUAL (s_int (t[3], "est_wait_s"), 3 * 900);
    //  A second counter for A halves it.
    json_decref (test_call (c, "counter.login",
                            json_pack ("{s:i, s:[s]}", "counter", 4, "services", "A"), NULL));
    json_t *r = s_status (c, s_str (t[3], "token"));
    //  The naive formula: 3 ahead × 900 s ÷ 2 counters. The simulation: both counters are
    //  free now and call A001 and A002 at once, A003 and A004 900 s later.
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "naive_wait_s"), 3 * 900 / 2);
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "ticket"), "est_wait_s"), 900);
    json_decref (r);
    //  Five finished tickets of 2 minutes each replace the configured mean.
    for (int i = 0; i < 5; i++) {
        json_decref (s_issue (c, "A", NULL));
    }
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 3, NULL), PROTO_ERR_OK);
        CU_ASSERT_EQUAL (s_counter (c, "ticket.start", 3, NULL), PROTO_ERR_OK);
        json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 120000), NULL));
        CU_ASSERT_EQUAL (s_counter (c, "ticket.finish", 3, NULL), PROTO_ERR_OK);
    }
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    json_t *svc = json_array_get (json_object_get (snap, "services"), 0);
    CU_ASSERT_STRING_EQUAL (s_str (svc, "prefix"), "A");
    CU_ASSERT_EQUAL (s_int (svc, "mean_service_s"), 120);
    CU_ASSERT_EQUAL (s_int (svc, "waiting"), 4);
    CU_ASSERT_EQUAL (s_int (svc, "open_counters"), 2);
    CU_ASSERT_EQUAL (s_int (svc, "est_wait_s"), 4 * 120 / 2);
    json_decref (snap);
    for (int i = 0; i < 4; i++)
        json_decref (t[i]);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_daily_reset (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t1 = s_issue (c, "C", NULL);
    json_t *t2 = s_issue (c, "C", NULL);
    CU_ASSERT_STRING_EQUAL (s_str (t2, "number"), "C002");
    CU_ASSERT_EQUAL (s_counter (c, "counter.login", 6, NULL), PROTO_ERR_OK);
    //  To 02:59 next morning: same business day (reset at 03:00), numbering continues.
    json_decref (test_call (c, "clock.advance",
                            json_pack ("{s:I}", "ms", (json_int_t)17 * 3600000 + 59 * 60000),
                            NULL));
    json_t *t3 = s_issue (c, "C", NULL);
    CU_ASSERT_STRING_EQUAL (s_str (t3, "number"), "C003");
    CU_ASSERT_EQUAL (s_int (t3, "day"), 20261128);
    //  03:00: a new day. Yesterday's tickets expire, counters are logged out, numbers restart.
    json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 60000), NULL));
    json_t *r = s_status (c, s_str (t1, "token"));
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "state"), "expired");
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "ticket"), "reason"), "day_over");
    json_decref (r);
    CU_ASSERT_EQUAL (s_counter (c, "ticket.call_next", 6, NULL), PROTO_ERR_NOT_LOGGED_IN);
    json_t *t4 = s_issue (c, "C", NULL);
    CU_ASSERT_STRING_EQUAL (s_str (t4, "number"), "C001");
    CU_ASSERT_EQUAL (s_int (t4, "day"), 20261129);
    CU_ASSERT_EQUAL (s_int (t4, "ahead"), 0);
    //  Across a restart the new day's numbering continues (C002), never C001 twice.
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_destroy (&c);
    c = test_client (&b);
    json_t *t5 = s_issue (c, "C", NULL);
    CU_ASSERT_STRING_EQUAL (s_str (t5, "number"), "C002");
    CU_ASSERT_EQUAL (s_int (t5, "issued"), T0 + 18 * 3600000LL); //  sim clock kept
    json_decref (t1);
    json_decref (t2);
    json_decref (t3);
    json_decref (t4);
    json_decref (t5);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_real_clock_refuses_advance (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, 0) == 0);
    proto_client_t *c = test_client (&b);
    int code;
    json_t *r = test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 1000), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_NOT_SIMULATED);
    json_decref (r);
    r = test_call (c, "hall.info", NULL, &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "real");
    CU_ASSERT_STRING_EQUAL (s_str (r, "events"), b.pub);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "services")), 7);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "counters")), 8);
    json_decref (r);
    //  SIGTERM stops it cleanly.
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_broker_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("broker_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a whole ticket life, with its events", test_whole_life);
    CU_add_test (s, "a retried request id changes nothing twice", test_retry_same_request_id);
    CU_add_test (s, "counter rules and their error codes", test_counter_rules);
    CU_add_test (s, "transfer keeps the original place in time", test_transfer_keeps_place);
    CU_add_test (s, "missed: back N places, void after max", test_missed_back_places);
    CU_add_test (s, "missed: grace period, requeue, expiry", test_missed_grace);
    CU_add_test (s, "wait estimate: configured then learned mean", test_wait_estimate);
    CU_add_test (s, "daily reset at the configured hour, across restart", test_daily_reset);
    CU_add_test (s, "a real clock cannot be advanced; hall.info", test_real_clock_refuses_advance);
    return 0;
}
