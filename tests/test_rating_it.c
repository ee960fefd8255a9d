/*  test_rating_it.c — 好差评 as the rules run it, against the real broker on a simulated
    clock: a bad rating's whole life (received, 核实 valid, 整改, 回访, closed), the untrue
    one (appealed, found invalid, the rater told), deadlines in working days across a
    weekend and a holiday with its 调休 working Saturday, the words the rater reads, a case
    rated once (一事一评), the figures, and on a CURVE broker the rating pad as the only
    device that rates by counter number; and the same from the command line.

    Dates are counted by hand from etc/calendar/2026.json: March 2026 has no holiday; 国庆
    is Thu 1 – Wed 7 October 2026 and Sat 10 October is a working day. */
#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_keys.h"
#include "proto_msg.h"
#include "test_case_it.h"
#include "tests.h"

//  Friday 2026-03-13 09:00 in Beijing; Wednesday 2026-09-30 10:00, the eve of 国庆.
#define T_FRI 1773363600000LL
#define T_EVE 1790733600000LL

//  What the rater reads after a bad rating, with the hall's default rectify_days (5).
#define SORRY_5 "感谢您的评价，我们将在 5 个工作日内核实并回访。"

//  Counter 8 (services F, E) serves and finishes one ticket of F; its token into `token`.
static void
s_visit (proto_client_t *c, char *token, size_t size)
{
    json_t *t = cit_serve (c, 8, "F");
    snprintf (token, size, "%s", proto_str (t, "token"));
    json_decref (t);
    cit_ok (c, "ticket.finish", json_pack ("{s:i}", "counter", 8));
}

//  ticket.rate by token; the reply (caller frees), asserted `expect`.
static json_t *
s_rate (proto_client_t *c, const char *token, int level, const char *comment, int expect)
{
    json_t *body = json_pack ("{s:s, s:i}", "token", token, "level", level);
    if (comment)
        json_object_set_new (body, "comment", json_string (comment));
    return cit_do (c, "ticket.rate", body, expect);
}

//  A step of a rectification: `command` on item `id` with `fields` (taken); its reply.
static json_t *
s_step (proto_client_t *c, const char *command, json_int_t id, json_t *fields, int expect)
{
    json_object_set_new (fields, "id", json_integer (id));
    return cit_do (c, command, fields, expect);
}

//  The rater's words hold 您 and nothing of the back office: no item id, stage, date.
static void
s_plain (const json_t *reply)
{
    const char *m = proto_str (reply, "message");
    CU_ASSERT_PTR_NOT_NULL (strstr (m, "您"));
    static const char *internal[] = {"#",      "整改",    "截止",     "2026",  "received",
                                     "valid",  "rectif",  "deadline", "stage", "open",
                                     "verify", "revisit", "("};
    for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++)
        if (strstr (m, internal[i]) || strstr (proto_str (reply, "message_en"), internal[i])) {
            fprintf (stderr, "\n    the rater's message says '%s': %s\n", internal[i], m);
            CU_FAIL ("an internal word in the rater's message");
        }
}

//  The rating.list reply (caller frees).
static json_t *
s_list (proto_client_t *c, const char *state)
{
    return cit_do (c, "rating.list", state ? json_pack ("{s:s}", "state", state) : json_object (),
                   PROTO_ERR_OK);
}

//  Case `no` (an immediate item at counter 8) approved and handed out there: concluded.
static void
s_conclude (proto_client_t *c, const char *no)
{
    json_decref (cit_case_cmd (c, "case.approve", no, NULL, PROTO_ERR_OK));
    json_decref (
        cit_case_cmd (c, "case.hand_out", no, json_pack ("{s:i}", "counter", 8), PROTO_ERR_OK));
}

//  The last journaled event of `topic` (caller frees), or NULL.
static json_t *
s_last_event (proto_client_t *c, const char *topic)
{
    json_t *r = cit_do (c, "events.range", json_pack ("{s:i}", "from", 1), PROTO_ERR_OK);
    json_t *found = NULL;
    size_t i;
    json_t *e;
    json_array_foreach (json_object_get (r, "events"), i, e)
        if (proto_is (e, "topic", topic)) {
            json_decref (found);
            found = json_incref (e);
        }
    json_decref (r);
    return found;
}

//  ---------------------------------------------------------------------------------------

//  Received → verified valid → rectified → revisited, satisfied: closed, on time.
static void
test_bad_rating_life (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    char token[64];
    s_visit (c, token, sizeof token);
    //  A good rating: thanks, nothing opened.
    json_t *r = s_rate (c, token, 4, NULL, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "message"), "感谢您的评价！");
    CU_ASSERT_PTR_NULL (json_object_get (r, "rectification"));
    s_plain (r);
    json_decref (r);
    //  A bad one: the rater is told when they will hear back, in plain words.
    s_visit (c, token, sizeof token);
    r = s_rate (c, token, 2, "等太久", PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "message"), SORRY_5);
    s_plain (r);
    json_t *item = json_object_get (r, "rectification");
    json_int_t id = proto_int (item, "id");
    CU_ASSERT (id > 0);
    CU_ASSERT_STRING_EQUAL (proto_str (item, "subject"), "visit");
    CU_ASSERT_STRING_EQUAL (proto_str (item, "stage"), "received");
    CU_ASSERT_STRING_EQUAL (proto_str (item, "next"), "verify");
    CU_ASSERT_STRING_EQUAL (proto_str (item, "state"), "open");
    //  Mon 9 March + 5 working days: Tue 10, Wed 11, Thu 12, Fri 13, Mon 16.
    CU_ASSERT_EQUAL (proto_int (item, "day"), 20260309);
    CU_ASSERT_EQUAL (proto_int (item, "days"), 5);
    CU_ASSERT_EQUAL (proto_int (item, "deadline"), 20260316);
    json_decref (r);
    //  Nothing is put right or closed before it is verified, by a named manager.
    json_decref (s_step (c, "rating.rectify", id, json_pack ("{s:s}", "answer", "已整改"),
                         PROTO_ERR_WRONG_STATE));
    json_decref (s_step (c, "rating.revisit", id, json_pack ("{s:s}", "result", "satisfied"),
                         PROTO_ERR_WRONG_STATE));
    json_decref (s_step (c, "rating.verify", id, json_pack ("{s:s}", "result", "valid"),
                         PROTO_ERR_MISSING_FIELD));
    json_decref (s_step (c, "rating.verify", id,
                         json_pack ("{s:s, s:s}", "result", "true", "clerk", "M-017 周敏"),
                         PROTO_ERR_BAD_FIELD));
    json_decref (
        cit_do (c, "rating.verify",
                json_pack ("{s:i, s:s, s:s}", "id", 99, "result", "valid", "clerk", "周敏"),
                PROTO_ERR_UNKNOWN_RATING));
    r = s_step (c, "rating.verify", id,
                json_pack ("{s:s, s:s}", "result", "valid", "clerk", "M-017 周敏"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "stage"), "valid");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next"), "rectify");
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (r, "verification"), "clerk"), "M-017 周敏");
    CU_ASSERT_PTR_NULL (json_object_get (r, "excluded"));
    json_decref (r);
    json_decref (s_step (c, "rating.verify", id,
                         json_pack ("{s:s, s:s}", "result", "valid", "clerk", "周敏"),
                         PROTO_ERR_WRONG_STATE));
    json_decref (s_step (c, "rating.revisit", id, json_pack ("{s:s}", "result", "satisfied"),
                         PROTO_ERR_WRONG_STATE));
    //  整改, two working days later; then still open, awaiting its 回访.
    cit_advance (c, 2 * DAY);
    r = s_step (c, "rating.rectify", id,
                json_pack ("{s:s, s:s}", "answer", "增开窗口，调整午间排班", "clerk", "王芳"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "stage"), "rectified");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next"), "revisit");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "open");
    json_decref (r);
    json_t *list = s_list (c, "open");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (list, "rectifications")), 1);
    CU_ASSERT (json_is_false (
        json_object_get (json_array_get (json_object_get (list, "rectifications"), 0), "overdue")));
    json_decref (list);
    //  回访: reached (contacted must agree with the result), satisfied: closed on time.
    json_decref (s_step (c, "rating.revisit", id,
                         json_pack ("{s:s, s:b}", "result", "unreachable", "contacted", 1),
                         PROTO_ERR_BAD_FIELD));
    json_decref (s_step (c, "rating.revisit", id, json_pack ("{s:s}", "result", "happy"),
                         PROTO_ERR_BAD_FIELD));
    r = s_step (c, "rating.revisit", id,
                json_pack ("{s:s, s:b, s:s, s:s}", "result", "satisfied", "contacted", 1, "note",
                           "电话回访，表示满意", "clerk", "周敏"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "closed");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "stage"), "closed");
    CU_ASSERT (json_is_null (json_object_get (r, "next")));
    CU_ASSERT (json_is_true (json_object_get (r, "on_time")));
    CU_ASSERT (json_is_true (json_object_get (json_object_get (r, "revisit"), "contacted")));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "answer"), "增开窗口，调整午间排班");
    json_decref (r);
    json_decref (s_step (c, "rating.revisit", id, json_pack ("{s:s}", "result", "satisfied"),
                         PROTO_ERR_WRONG_STATE));
    //  Each step is in the journal; the figures count it.
    static const char *topics[] = {"rating.received", "rating.bad", "rating.verified",
                                   "rating.rectified", "rating.revisited"};
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        json_t *e = s_last_event (c, topics[i]);
        CU_ASSERT_PTR_NOT_NULL (e);
        json_decref (e);
    }
    list = s_list (c, "closed");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (list, "rectifications")), 1);
    json_t *f = json_object_get (list, "figures");
    CU_ASSERT_EQUAL (proto_int (f, "bad"), 1);
    CU_ASSERT_EQUAL (proto_int (f, "closed"), 1);
    CU_ASSERT_EQUAL (proto_int (f, "on_time"), 1);
    CU_ASSERT_EQUAL (proto_int (f, "valid"), 1);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (f, "revisit_rate")), 1.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (f, "satisfied_rate")), 1.0, 1e-9);
    json_decref (list);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  Appealed, found untrue on the body's finding, left out of the figures; the rater is
//  still called back (unreachable here), and only that closes it.
static void
test_invalid_rating (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    char token[64];
    s_visit (c, token, sizeof token);
    json_t *r = s_rate (c, token, 1, NULL, PROTO_ERR_OK);
    json_int_t id = proto_int (json_object_get (r, "rectification"), "id");
    json_decref (r);
    //  Untrue and appealed need their reason.
    json_decref (s_step (c, "rating.verify", id,
                         json_pack ("{s:s, s:s}", "result", "invalid", "clerk", "周敏"),
                         PROTO_ERR_BAD_FIELD));
    r = s_step (c, "rating.verify", id,
                json_pack ("{s:s, s:s, s:s}", "result", "appealed", "reason",
                           "监控显示办理顺利，申请复核", "clerk", "周敏"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "stage"), "appealed");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next"), "verify");
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (r, "appeal"), "reason"),
                            "监控显示办理顺利，申请复核");
    json_decref (r);
    json_decref (s_step (
        c, "rating.verify", id,
        json_pack ("{s:s, s:s, s:s}", "result", "appealed", "reason", "再次", "clerk", "周敏"),
        PROTO_ERR_WRONG_STATE));
    r = s_step (c, "rating.verify", id,
                json_pack ("{s:s, s:s, s:s}", "result", "invalid", "reason",
                           "复核认定为误评 / mistaken rating", "clerk", "周敏"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "stage"), "invalid");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next"), "revisit");
    CU_ASSERT (json_is_true (json_object_get (r, "excluded")));
    CU_ASSERT_PTR_NOT_NULL (json_object_get (r, "appeal"));
    json_decref (r);
    //  Nothing to put right; still open until the rater is told.
    json_decref (s_step (c, "rating.rectify", id, json_pack ("{s:s}", "answer", "无"),
                         PROTO_ERR_WRONG_STATE));
    json_t *list = s_list (c, "open");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (list, "rectifications")), 1);
    json_decref (list);
    r = s_step (c, "rating.revisit", id, json_pack ("{s:s}", "result", "unreachable"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "closed");
    CU_ASSERT (json_is_false (json_object_get (json_object_get (r, "revisit"), "contacted")));
    json_decref (r);
    list = s_list (c, NULL);
    json_t *f = json_object_get (list, "figures");
    CU_ASSERT_EQUAL (proto_int (f, "invalid"), 1);
    CU_ASSERT_EQUAL (proto_int (f, "appealed"), 1);
    CU_ASSERT_EQUAL (proto_int (f, "closed"), 1);
    CU_ASSERT_EQUAL (proto_int (f, "revisited"), 0);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (f, "revisit_rate")), 0.0, 1e-9);
    CU_ASSERT (json_is_null (json_object_get (f, "satisfied_rate")));
    json_decref (list);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  Working days: over a weekend, and over 国庆 with its working Saturday; late is late.
static void
test_deadlines (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T_FRI) == 0);
    proto_client_t *c = test_client (&b);
    char token[64];
    s_visit (c, token, sizeof token);
    json_t *r = s_rate (c, token, 2, NULL, PROTO_ERR_OK);
    //  Fri 13 March + 5: Mon 16, Tue 17, Wed 18, Thu 19, Fri 20.
    json_t *item = json_object_get (r, "rectification");
    CU_ASSERT_EQUAL (proto_int (item, "deadline"), 20260320);
    CU_ASSERT (json_is_false (json_object_get (item, "provisional")));
    json_int_t id = proto_int (item, "id");
    json_decref (r);
    json_decref (s_step (c, "rating.verify", id,
                         json_pack ("{s:s, s:s}", "result", "valid", "clerk", "周敏"),
                         PROTO_ERR_OK));
    //  Ten days on (Mon 23 March) it is overdue; closed then, it is late.
    cit_advance (c, 10 * DAY);
    json_t *list = s_list (c, "open");
    json_t *open = json_array_get (json_object_get (list, "rectifications"), 0);
    CU_ASSERT (json_is_true (json_object_get (open, "overdue")));
    CU_ASSERT_EQUAL (proto_int (json_object_get (list, "figures"), "overdue"), 1);
    json_decref (list);
    json_decref (
        s_step (c, "rating.rectify", id, json_pack ("{s:s}", "answer", "已整改"), PROTO_ERR_OK));
    r = s_step (c, "rating.revisit", id, json_pack ("{s:s}", "result", "unsatisfied"),
                PROTO_ERR_OK);
    CU_ASSERT (json_is_false (json_object_get (r, "on_time")));
    json_decref (r);
    list = s_list (c, NULL);
    json_t *f = json_object_get (list, "figures");
    CU_ASSERT_EQUAL (proto_int (f, "on_time"), 0);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (f, "on_time_rate")), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (f, "satisfied_rate")), 0.0, 1e-9);
    json_decref (list);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);

    //  Wed 30 September + 5: 1–7 October are 国庆; Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13.
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T_EVE) == 0);
    c = test_client (&b);
    s_visit (c, token, sizeof token);
    r = s_rate (c, token, 1, NULL, PROTO_ERR_OK);
    CU_ASSERT_EQUAL (proto_int (json_object_get (r, "rectification"), "deadline"), 20261013);
    json_decref (r);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  The hall's own number of days is the one the rater is promised.
static void
test_message_days (void)
{
    char *dir = test_tmpdir ();
    char path[600];
    snprintf (path, sizeof path, "%s/hall.json", dir);
    test_write_file (path, "{\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\"},"
                           " \"rectify_days\": 15,"
                           " \"services\": [{\"prefix\": \"F\", \"name\": \"法律援助\"}],"
                           " \"counters\": [{\"id\": 8, \"services\": [\"F\"]}]}");
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, path, T0) == 0);
    proto_client_t *c = test_client (&b);
    char token[64];
    s_visit (c, token, sizeof token);
    json_t *r = s_rate (c, token, 2, NULL, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "message"),
                            "感谢您的评价，我们将在 15 个工作日内核实并回访。");
    CU_ASSERT_EQUAL (proto_int (json_object_get (r, "rectification"), "days"), 15);
    s_plain (r);
    json_decref (r);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
}

//  一事一评: a concluded case, by its slip's token, once; never on a pad; its own figures.
static void
test_case_rated_once (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 8, "E");
    char token[64], no[48], no2[48];
    snprintf (token, sizeof token, "%s", proto_str (t, "token"));
    json_decref (t);
    json_decref (cit_accept (c, 8, "marriage", ID_1, NULL, no));
    json_decref (cit_accept (c, 8, "marriage", ID_2, NULL, no2));
    json_t *body = json_pack ("{s:s, s:s, s:i}", "token", token, "case_no", no, "level", 5);
    //  Not concluded yet: the result has not reached the citizen.
    json_decref (cit_case_cmd (c, "case.approve", no, NULL, PROTO_ERR_OK));
    json_decref (cit_do (c, "ticket.rate", json_deep_copy (body), PROTO_ERR_WRONG_STATE));
    json_decref (
        cit_case_cmd (c, "case.hand_out", no, json_pack ("{s:i}", "counter", 8), PROTO_ERR_OK));
    //  Never by counter number (the counter's own case), nor by another slip.
    json_decref (cit_do (c, "ticket.rate",
                         json_pack ("{s:i, s:s, s:i}", "counter", 8, "case_no", no, "level", 5),
                         PROTO_ERR_BAD_FIELD));
    json_t *other = cit_serve (c, 8, "E");
    json_decref (cit_do (c, "ticket.rate",
                         json_pack ("{s:s, s:s, s:i}", "token", proto_str (other, "token"),
                                    "case_no", no, "level", 5),
                         PROTO_ERR_UNKNOWN_CASE));
    json_decref (other);
    json_t *r = cit_do (c, "ticket.rate", json_deep_copy (body), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "message"), "感谢您的评价！");
    CU_ASSERT_PTR_NULL (json_object_get (r, "rectification"));
    json_decref (r);
    json_decref (cit_do (c, "ticket.rate", body, PROTO_ERR_WRONG_STATE));
    //  The visit of the same slip is rated apart, once too.
    json_decref (s_rate (c, token, 4, NULL, PROTO_ERR_OK));
    json_decref (s_rate (c, token, 4, NULL, PROTO_ERR_WRONG_STATE));
    //  A bad case rating opens an item that names the case and its department.
    s_conclude (c, no2);
    r = cit_do (c, "ticket.rate",
                json_pack ("{s:s, s:s, s:i, s:s}", "token", token, "case_no", no2, "level", 2,
                           "comment", "证件照片打印模糊"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "message"), SORRY_5);
    s_plain (r);
    json_t *item = json_object_get (r, "rectification");
    CU_ASSERT_STRING_EQUAL (proto_str (item, "subject"), "case");
    CU_ASSERT_STRING_EQUAL (proto_str (item, "case_no"), no2);
    CU_ASSERT_STRING_EQUAL (proto_str (item, "department"), "civil");
    CU_ASSERT_EQUAL (proto_int (item, "counter"), 8);
    json_decref (r);
    //  Published without the citizen's words; counted in the figures.
    json_t *e = s_last_event (c, "rating.case_received");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "case_no"), no2);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "item"), "marriage");
    CU_ASSERT_EQUAL (proto_int (e, "level"), 2);
    CU_ASSERT_PTR_NULL (json_object_get (e, "comment"));
    char why[300] = "";
    CU_ASSERT_EQUAL (proto_event_check (PROTO_EVT_RATING_CASE_RECEIVED, e, why, sizeof why), 0);
    json_decref (e);
    json_t *list = s_list (c, NULL);
    json_t *f = json_object_get (list, "figures");
    CU_ASSERT_EQUAL (proto_int (f, "cases_rated"), 2);
    CU_ASSERT_EQUAL (json_integer_value (json_array_get (json_object_get (f, "case_ratings"), 4)),
                     1);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (f, "case_good_rate")), 0.5, 1e-9);
    CU_ASSERT_EQUAL (proto_int (f, "bad"), 1);
    json_decref (list);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  The command line: the pad, a case by --case, the back office's verbs

//  Runs `onewindow --broker B.req ARGS...` (printf-style); its stdout (caller frees), the
//  exit status in *status.
static char *s_cli (const test_broker_t *b, int *status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
static char *
s_cli (const test_broker_t *b, int *status, const char *fmt, ...)
{
    char args[1024], cmd[2048];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (args, sizeof args, fmt, ap);
    va_end (ap);
    snprintf (cmd, sizeof cmd, "'%s' --broker '%s' %s 2>/dev/null", test_bin ("onewindow"), b->req,
              args);
    char *out = test_run (cmd, status);
    return out ? out : strdup ("");
}

//  True if `out` holds `needle`; frees `out`.
static bool
s_says (char *out, const char *needle)
{
    bool yes = strstr (out, needle) != NULL;
    if (!yes)
        fprintf (stderr, "\n    expected \"%s\" in:\n%s\n", needle, out);
    free (out);
    return yes;
}

static void
test_cli (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 8, "E");
    char no[48];
    json_decref (cit_accept (c, 8, "marriage", ID_1, NULL, no));
    s_conclude (c, no);
    cit_ok (c, "ticket.finish", json_pack ("{s:i}", "counter", 8));
    int st;
    //  The pad shows the rater the broker's words, never the item's id or deadline.
    char *out = s_cli (&b, &st, "rate --counter 8 2");
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NULL (strstr (out, "#"));
    CU_ASSERT_PTR_NULL (strstr (out, "20260316"));
    CU_ASSERT (s_says (out, SORRY_5));
    CU_ASSERT (s_says (s_cli (&b, &st, "rate %s 5 --case %s", proto_str (t, "token"), no),
                       "感谢您的评价！"));
    CU_ASSERT_EQUAL (st, 0);
    free (s_cli (&b, &st, "rate --counter 8 5 --case %s", no));
    CU_ASSERT_EQUAL (st, 2);
    //  The back office takes the item through its life; 核实 names the manager.
    unsetenv ("ONEWINDOW_CLERK");
    free (s_cli (&b, &st, "office verify 1 valid"));
    CU_ASSERT_NOT_EQUAL (st, 0);
    CU_ASSERT (s_says (s_cli (&b, &st, "office --clerk 周敏 verify 1 valid"), "属实"));
    CU_ASSERT (s_says (s_cli (&b, &st, "office rectify 1 '调整午间排班'"), "已整改"));
    CU_ASSERT (s_says (s_cli (&b, &st, "office revisit 1 satisfied '电话回访'"), "已办结"));
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT (s_says (s_cli (&b, &st, "office ratings"), "回访 100%"));
    free (s_cli (&b, &st, "office revisit 1"));
    CU_ASSERT_EQUAL (st, 2);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  On a CURVE broker only counter N's pad (评价器N) rates by counter number

//  A client of `b` speaking as `keys`.
static proto_client_t *
s_device (const test_broker_t *b, const proto_keypair_t *server, const proto_keypair_t *keys)
{
    proto_curve_default (server->public_key, keys->public_key, keys->secret_key);
    return test_client (b);
}

//  ticket.rate by counter 8 from `c`: its status.
static int
s_pad_rate (proto_client_t *c)
{
    int code;
    json_decref (
        test_call (c, "ticket.rate", json_pack ("{s:i, s:i}", "counter", 8, "level", 4), &code));
    return code;
}

static void
test_pad_device (void)
{
    //  The broker's key and the admin's, as files; the admin enrolls the others.
    char *dir = test_tmpdir ();
    enum { BROKER, ADMIN, TERMINAL, PAD8, PAD3, KIOSK, WEB, NKEYS };
    static const char *role[NKEYS] = {"", "admin", "counter", "counter", "counter", "kiosk", "web"};
    static const char *name[NKEYS] = {"broker",  "admin",   "窗口8",   "评价器8",
                                      "评价器3", "取号机1", "网页网关"};
    proto_keypair_t k[NKEYS];
    char path[2][600], err[300], cmd[2000];
    for (int i = 0; i < NKEYS; i++)
        CU_ASSERT_EQUAL_FATAL (proto_keys_new (&k[i]), 0);
    for (int i = BROKER; i <= ADMIN; i++) {
        snprintf (path[i], sizeof path[i], "%s/%s.key", dir, name[i]);
        CU_ASSERT_EQUAL_FATAL (proto_keys_save (&k[i], path[i], name[i], err, sizeof err), 0);
    }
    snprintf (cmd, sizeof cmd,
              "'%s' --data '%s/data' --enroll 'admin:管理员:%s/admin.pub' 2>/dev/null",
              test_bin ("onewindow-broker"), dir, dir);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 0);
    test_broker_t b;
    test_broker_prepare (&b, dir, NULL, T0);
    snprintf (b.key, sizeof b.key, "%s", path[BROKER]);
    proto_curve_default (k[BROKER].public_key, k[ADMIN].public_key, k[ADMIN].secret_key);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_t *c[NKEYS] = {NULL};
    c[ADMIN] = s_device (&b, &k[BROKER], &k[ADMIN]);
    for (int i = ADMIN + 1; i < NKEYS; i++)
        cit_ok (c[ADMIN], "device.enroll",
                json_pack ("{s:s, s:s, s:s}", "public_key", k[i].public_key, "role", role[i],
                           "name", name[i]));
    for (int i = ADMIN + 1; i < NKEYS; i++)
        c[i] = s_device (&b, &k[BROKER], &k[i]);
    //  Counter 8's terminal serves a ticket from the kiosk and finishes it.
    cit_ok (c[TERMINAL], "counter.login", json_pack ("{s:i, s:s}", "counter", 8, "clerk", "张三"));
    json_t *t =
        cit_do (c[KIOSK], "ticket.issue", json_pack ("{s:s}", "service", "F"), PROTO_ERR_OK);
    cit_ok (c[TERMINAL], "ticket.call_next", json_pack ("{s:i}", "counter", 8));
    cit_ok (c[TERMINAL], "ticket.start", json_pack ("{s:i}", "counter", 8));
    cit_ok (c[TERMINAL], "ticket.finish", json_pack ("{s:i}", "counter", 8));
    //  The clerk's own terminal, the kiosk, the admin and another counter's pad may not.
    CU_ASSERT_EQUAL (s_pad_rate (c[TERMINAL]), PROTO_ERR_FORBIDDEN);
    CU_ASSERT_EQUAL (s_pad_rate (c[KIOSK]), PROTO_ERR_FORBIDDEN);
    CU_ASSERT_EQUAL (s_pad_rate (c[ADMIN]), PROTO_ERR_FORBIDDEN);
    CU_ASSERT_EQUAL (s_pad_rate (c[PAD3]), PROTO_ERR_FORBIDDEN);
    CU_ASSERT_EQUAL (s_pad_rate (c[PAD8]), PROTO_ERR_OK);
    //  By the slip's token only the citizen's phone page (the web gateway) rates: the clerk
    //  who served it (who scanned the slip), the kiosk that printed it and the pads may not.
    json_t *t2 =
        cit_do (c[KIOSK], "ticket.issue", json_pack ("{s:s}", "service", "F"), PROTO_ERR_OK);
    cit_ok (c[TERMINAL], "ticket.call_next", json_pack ("{s:i}", "counter", 8));
    cit_ok (c[TERMINAL], "ticket.start", json_pack ("{s:i}", "counter", 8));
    cit_ok (c[TERMINAL], "ticket.finish", json_pack ("{s:i}", "counter", 8));
    const char *tok = proto_str (t2, "token");
    json_decref (s_rate (c[TERMINAL], tok, 5, NULL, PROTO_ERR_FORBIDDEN));
    json_decref (s_rate (c[KIOSK], tok, 5, NULL, PROTO_ERR_FORBIDDEN));
    json_decref (s_rate (c[PAD8], tok, 5, NULL, PROTO_ERR_FORBIDDEN));
    json_decref (s_rate (c[WEB], tok, 5, NULL, PROTO_ERR_OK));
    json_decref (t);
    json_decref (t2);
    for (int i = ADMIN; i < NKEYS; i++)
        proto_client_destroy (&c[i]);
    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    free (dir);
}

int
test_rating_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("rating_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a bad rating verified, rectified, revisited and closed", test_bad_rating_life);
    CU_add_test (s, "an untrue rating: appealed, found invalid, the rater told",
                 test_invalid_rating);
    CU_add_test (s, "deadlines in working days over a weekend and a holiday", test_deadlines);
    CU_add_test (s, "the rater is promised the hall's own number of days", test_message_days);
    CU_add_test (s, "a concluded case rated once by its slip (一事一评)", test_case_rated_once);
    CU_add_test (s, "the pad's words, a case by --case, the office's rating verbs", test_cli);
    CU_add_test (s,
                 "only counter N's rating pad rates by counter number, only the phone page by "
                 "token",
                 test_pad_device);
    return 0;
}
