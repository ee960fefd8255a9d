/*  test_case_it.c — cases (办件) against the real broker process on a simulated clock,
    through the real client library: a whole case life, every intake check, supplement at
    intake, the legal clock (pauses, special procedures, extension, provisional deadlines),
    deadline warnings raised once each, refused transitions that change nothing, immediate
    items, a SIGKILL in mid-review, refusals at intake and the back office's queue.

    Dates are the hall's local dates (UTC+8). Every deadline below is counted by hand from
    etc/calendar/2026.json with the rule "the day of acceptance never counts; day 1 is the
    next working day"; the count is in the comment beside it. March 2026 has no holiday;
    清明 is Sat 4 – Mon 6 April 2026. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

//  Monday 2026-03-09 09:00 in Beijing (UTC+8) = 2026-03-09T01:00:00Z.
#define T0 1773018000000LL
//  Monday 2026-12-28 09:00 in Beijing, the last week of the published calendar.
#define T_DEC 1798419600000LL
//  Tuesday 2026-03-10 07:30 in Beijing = Monday 2026-03-09T23:30:00Z: UTC is a day behind.
#define T_EARLY 1773099000000LL
#define HOUR    3600000LL
#define DAY     86400000LL

//  Identifiers (DOMAIN.md and hand-computed MOD 11-2 check characters).
#define ID_BAD         "110105194912310021" //  wrong check character (should be X)
#define ID_BAD_MASKED  "1101**********0021"
#define ID_OK          "11010519491231002X"
#define ID_FUTURE      "11010520300101001X" //  born 2030-01-01, check character right
#define ID_1           "110105198001010016"
#define ID_2           "110105198001010032"
#define ID_3           "110105198001010059"
#define ID_4           "110105198001010075"
#define ID_5           "110105198001010091"
#define USCC_OK        "91350100M000100Y43"
#define USCC_OK2       "914403001922038216"
#define USCC_BAD       "91350100M000100Y4Z" //  DOMAIN.md's invalid one: Z is outside the alphabet
#define USCC_BAD_CHECK "91350100M000100Y44" //  right alphabet, check character should be 3
#define PHONE          "13812345678"
#define PHONE_TYPED    "138-1234-5678"
#define PHONE_MASKED   "138****5678"

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

static bool
s_null (const json_t *j, const char *key)
{
    return json_is_null (json_object_get (j, key));
}

//  Sends a command, asserts its status and returns the reply (caller frees). A mismatch
//  prints the broker's message to help the reader of a failed run.
static json_t *
s_do (proto_client_t *c, const char *command, json_t *body, int expect)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    CU_ASSERT_EQUAL (code, expect);
    if (code != expect)
        fprintf (stderr, "\n  %s: expected %d, got %d (%s: %s)\n", command, expect, code,
                 proto_client_code (c), proto_client_message (c));
    return r;
}

static void
s_ok (proto_client_t *c, const char *command, json_t *body)
{
    json_decref (s_do (c, command, body, PROTO_ERR_OK));
}

static void
s_advance (proto_client_t *c, long long ms)
{
    s_ok (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)ms));
}

//  Counter `counter` (logged in as 张三 if it was not) finishes what it holds and serves a
//  new ticket of `service`. Returns the ticket.issue reply (caller frees).
static json_t *
s_serve (proto_client_t *c, int counter, const char *service)
{
    json_decref (test_call (c, "counter.login",
                            json_pack ("{s:i, s:s}", "counter", counter, "clerk", "张三"), NULL));
    json_decref (test_call (c, "ticket.finish", json_pack ("{s:i}", "counter", counter), NULL));
    json_t *t = s_do (c, "ticket.issue", json_pack ("{s:s}", "service", service), PROTO_ERR_OK);
    s_ok (c, "ticket.call_next", json_pack ("{s:i}", "counter", counter));
    s_ok (c, "ticket.start", json_pack ("{s:i}", "counter", counter));
    return t;
}

//  Every required document of an item (etc/hall.example.json).
static json_t *
s_docs (const char *item)
{
    if (strcmp (item, "biz_setup") == 0)
        return json_pack ("[s, s, s, s]", "application", "articles", "rep_id", "address");
    if (strcmp (item, "biz_change") == 0)
        return json_pack ("[s, s, s]", "application", "resolution", "license");
    if (strcmp (item, "employ_subsidy") == 0)
        return json_pack ("[s, s, s]", "application", "id_copy", "bank");
    if (strcmp (item, "legal_aid") == 0)
        return json_pack ("[s, s, s, s]", "application", "id_copy", "hardship", "case_papers");
    if (strcmp (item, "marriage") == 0)
        return json_pack ("[s, s, s, s]", "hukou", "id_card", "photo", "declaration");
    if (strcmp (item, "fund_withdraw") == 0)
        return json_pack ("[s, s, s]", "application", "id_copy", "proof");
    CU_FAIL ("no documents listed for this item in the test");
    return json_array ();
}

//  An intake body; `docs` (taken) may be NULL for none.
static json_t *
s_body (int counter, const char *item, const char *name, const char *id, const char *uscc,
        const char *phone, json_t *docs)
{
    json_t *b = json_pack ("{s:i, s:s, s:s}", "counter", counter, "item", item, "name", name);
    if (id)
        json_object_set_new (b, "id_number", json_string (id));
    if (uscc)
        json_object_set_new (b, "uscc", json_string (uscc));
    if (phone)
        json_object_set_new (b, "phone", json_string (phone));
    if (docs)
        json_object_set_new (b, "documents", docs);
    return b;
}

//  case.accept with every document; asserts success, copies the case number into `no`.
static json_t *
s_accept (proto_client_t *c, int counter, const char *item, const char *id, const char *uscc,
          char *no)
{
    json_t *r =
        s_do (c, "case.accept", s_body (counter, item, "申请人", id, uscc, NULL, s_docs (item)),
              PROTO_ERR_OK);
    if (no)
        snprintf (no, 48, "%s", s_str (r, "case_no"));
    return r;
}

static json_t *
s_get (proto_client_t *c, const char *no)
{
    return s_do (c, "case.get", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK);
}

//  State of a case by case.get.
static void
s_expect_state (proto_client_t *c, const char *no, const char *state)
{
    json_t *r = s_get (c, no);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), state);
    json_decref (r);
}

//  A case command on `no` with extra fields (taken; may be NULL).
static json_t *
s_case_cmd (proto_client_t *c, const char *command, const char *no, json_t *extra, int expect)
{
    json_t *b = json_pack ("{s:s}", "case_no", no);
    if (extra) {
        json_object_update (b, extra);
        json_decref (extra);
    }
    return s_do (c, command, b, expect);
}

//  The entry of `checks` named `name`, or NULL.
static json_t *
s_check (const json_t *checks, const char *name)
{
    size_t i;
    json_t *ch;
    json_array_foreach (checks, i, ch) if (strcmp (s_str (ch, "check"), name) == 0) return ch;
    return NULL;
}

//  ---------------------------------------------------------------------------------------
//  An event subscriber (as in test_broker_it.c).

typedef struct {
    void *ctx, *sub;
} s_sub_t;

static void
s_sub_open (s_sub_t *s, const test_broker_t *b, proto_client_t *c)
{
    s->ctx = zmq_ctx_new ();
    s->sub = zmq_socket (s->ctx, ZMQ_SUB);
    zmq_setsockopt (s->sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect (s->sub, b->pub);
    //  PUB/SUB joins late: poke the broker (a no-op clock advance emits an event) until
    //  the subscription is seen to work, then drain.
    for (int i = 0; i < 100; i++) {
        json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 0), NULL));
        zmq_pollitem_t item = {s->sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 100) > 0)
            break;
    }
    for (;;) {
        zmq_pollitem_t item = {s->sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 50) <= 0)
            break;
        zmq_msg_t m;
        zmq_msg_init (&m);
        do {
            zmq_msg_recv (&m, s->sub, 0);
        } while (zmq_msg_more (&m));
        zmq_msg_close (&m);
    }
}

//  Next event as {topic, seq, body}; NULL after `timeout_ms` without one.
static json_t *
s_sub_next (s_sub_t *s, int timeout_ms)
{
    zmq_pollitem_t item = {s->sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return NULL;
    char topic[64] = "", seq[32] = "";
    char *body = NULL;
    int part = 0;
    zmq_msg_t m;
    zmq_msg_init (&m);
    do {
        zmq_msg_recv (&m, s->sub, 0);
        size_t n = zmq_msg_size (&m);
        if (part == 0 && n < sizeof topic)
            memcpy (topic, zmq_msg_data (&m), n);
        else if (part == 1 && n < sizeof seq)
            memcpy (seq, zmq_msg_data (&m), n);
        else if (part == 2)
            body = strndup (zmq_msg_data (&m), n);
        part++;
    } while (zmq_msg_more (&m));
    zmq_msg_close (&m);
    json_t *j = json_pack ("{s:s, s:I, s:o}", "topic", topic, "seq", (json_int_t)atoll (seq),
                           "body", body ? json_loads (body, 0, NULL) : json_null ());
    free (body);
    return j;
}

static void
s_sub_close (s_sub_t *s)
{
    zmq_close (s->sub);
    zmq_ctx_term (s->ctx);
}

//  Every event published so far: sends a marker (clock.advance 0) and reads up to its
//  clock.advanced event, which PUB/SUB delivers after everything published before it.
//  Returns the events before the marker (caller frees).
static json_t *
s_sub_until_now (s_sub_t *s, proto_client_t *c)
{
    json_t *r = s_do (c, "clock.advance", json_pack ("{s:i}", "ms", 0), PROTO_ERR_OK);
    long long now = s_int (r, "now");
    json_decref (r);
    json_t *events = json_array ();
    for (;;) {
        json_t *e = s_sub_next (s, 5000);
        CU_ASSERT_PTR_NOT_NULL (e);
        if (!e)
            break;
        json_t *body = json_object_get (e, "body");
        if (strcmp (s_str (e, "topic"), "clock.advanced") == 0 && s_int (body, "ms") == 0 &&
            s_int (body, "now") == now) {
            json_decref (e);
            break;
        }
        json_array_append_new (events, e);
    }
    return events;
}

//  The case.warning events in `events` as "CASE_NO level" lines, in order (caller frees).
static char *
s_warnings (const json_t *events)
{
    char *text = calloc (1, 4096);
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
    {
        if (strcmp (s_str (e, "topic"), "case.warning") != 0)
            continue;
        json_t *body = json_object_get (e, "body");
        size_t len = strlen (text);
        snprintf (text + len, 4096 - len, "%s%s %s", len ? "; " : "",
                  s_str (json_object_get (body, "case"), "case_no"), s_str (body, "level"));
    }
    return text;
}

//  ---------------------------------------------------------------------------------------
//  1. A whole case life.

static void
test_whole_case_life (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    s_sub_t sub;
    s_sub_open (&sub, &b, c);

    json_t *t = s_serve (c, 1, "A");
    const char *token = s_str (t, "token");

    //  A wrong check character: refused, and the error body lists every check.
    json_t *r =
        s_do (c, "case.accept",
              s_body (1, "biz_setup", "王小明", ID_BAD, NULL, PHONE_TYPED, s_docs ("biz_setup")),
              PROTO_ERR_CHECK_FAILED);
    CU_ASSERT_STRING_EQUAL (s_str (r, "code"), "check_failed");
    CU_ASSERT_PTR_NOT_NULL (strstr (s_str (r, "message"), "id_check_char"));
    json_t *checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL_FATAL (json_array_size (checks), 4);
    const char *order[] = {"id_check_char", "phone", "documents", "duplicate"};
    const bool ok[] = {false, true, true, true};
    for (int i = 0; i < 4; i++) {
        json_t *ch = json_array_get (checks, (size_t)i);
        CU_ASSERT_STRING_EQUAL (s_str (ch, "check"), order[i]);
        CU_ASSERT_EQUAL (json_is_true (json_object_get (ch, "ok")), ok[i]);
        CU_ASSERT (strlen (s_str (ch, "reason")) > 0);
        CU_ASSERT_PTR_NULL (json_object_get (ch, "override"));
    }
    json_decref (r);

    //  The clerk has looked at the card and overrides that one check, with a reason.
    json_t *body =
        s_body (1, "biz_setup", "王小明", ID_BAD, NULL, PHONE_TYPED, s_docs ("biz_setup"));
    json_object_set_new (body, "overrides",
                         json_pack ("{s:s}", "id_check_char", "核验原件，系早期制证错误"));
    r = s_do (c, "case.accept", body, PROTO_ERR_OK);
    char no[48];
    snprintf (no, sizeof no, "%s", s_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (no, "BH01-20260309-0001");
    CU_ASSERT_STRING_EQUAL (s_str (r, "token"), token);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "accepted");
    CU_ASSERT_STRING_EQUAL (s_str (r, "item"), "biz_setup");
    CU_ASSERT_STRING_EQUAL (s_str (r, "department"), "market");
    CU_ASSERT_STRING_EQUAL (s_str (r, "kind"), "promised");
    CU_ASSERT_EQUAL (s_int (r, "accepted_day"), 20260309);
    CU_ASSERT_EQUAL (s_int (r, "accepted"), T0);
    //  promised 3: Tue 10 (1), Wed 11 (2), Thu 12 (3).
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260312);
    CU_ASSERT_EQUAL (s_int (r, "deadline"), 20260312);
    //  statutory 15: Mar 10-13 (4), 16-20 (9), 23-27 (14), Mon 30 (15).
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260330);
    CU_ASSERT (json_is_false (json_object_get (r, "provisional")));
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "running");
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 0);
    CU_ASSERT_EQUAL (s_int (r, "limit_days"), 3);
    checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL (json_array_size (checks), 4);
    json_t *ch = s_check (checks, "id_check_char");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_STRING_EQUAL (s_str (ch, "override"), "核验原件，系早期制证错误");
    //  The reply is a masked view.
    json_t *app = json_object_get (r, "applicant");
    CU_ASSERT_STRING_EQUAL (s_str (app, "name"), "王小明");
    CU_ASSERT_STRING_EQUAL (s_str (app, "id_number"), ID_BAD_MASKED);
    CU_ASSERT_STRING_EQUAL (s_str (app, "phone"), PHONE_MASKED);
    json_decref (r);

    //  case.get (counter, back office) shows the applicant whole, phone canonical.
    r = s_get (c, no);
    app = json_object_get (r, "applicant");
    CU_ASSERT_STRING_EQUAL (s_str (app, "id_number"), ID_BAD);
    CU_ASSERT_STRING_EQUAL (s_str (app, "phone"), PHONE);
    CU_ASSERT_STRING_EQUAL (s_str (r, "token"), token);
    CU_ASSERT_EQUAL (s_int (r, "counter"), 1);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clerk"), "张三");
    json_decref (r);

    //  The citizen's status page, by the ticket's token (一码通办).
    r = s_do (c, "ticket.status", json_pack ("{s:s}", "token", token), PROTO_ERR_OK);
    json_t *cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL_FATAL (json_array_size (cases), 1);
    json_t *cs = json_array_get (cases, 0);
    CU_ASSERT_STRING_EQUAL (s_str (cs, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (s_str (cs, "state"), "accepted");
    CU_ASSERT_EQUAL (s_int (cs, "promised_deadline"), 20260312);
    CU_ASSERT_EQUAL (s_int (cs, "statutory_deadline"), 20260330);
    CU_ASSERT_STRING_EQUAL (s_str (cs, "next_step"),
                            "审批中，承诺 2026-03-12 前办结 / In review; promised by that date");
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (cs, "applicant"), "id_number"), ID_BAD_MASKED);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (cs, "applicant"), "phone"), PHONE_MASKED);
    CU_ASSERT_PTR_NULL (json_object_get (cs, "token"));
    json_decref (r);

    //  Back office: review, then approve; a physical licence then awaits pickup.
    s_advance (c, HOUR);
    r = s_case_cmd (c, "case.review", no, json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "in_review");
    CU_ASSERT_STRING_EQUAL (s_str (r, "reviewer"), "李四");
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260312);
    json_decref (r);
    s_advance (c, HOUR);
    r = s_case_cmd (c, "case.approve", no, json_pack ("{s:s}", "clerk", "王五"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "awaiting_pickup");
    json_t *dec = json_object_get (r, "decision");
    CU_ASSERT_STRING_EQUAL (s_str (dec, "result"), "approved");
    CU_ASSERT_STRING_EQUAL (s_str (dec, "by"), "王五");
    CU_ASSERT_EQUAL (s_int (dec, "time"), T0 + 2 * HOUR);
    CU_ASSERT (json_is_true (json_object_get (dec, "on_time")));
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "stopped");
    CU_ASSERT_STRING_EQUAL (s_str (r, "next_step"),
                            "已办结，请凭取号单二维码到窗口领取 / Ready: collect it at a counter "
                            "with your slip's QR code");
    json_decref (r);
    s_advance (c, HOUR);
    r = s_do (c, "case.hand_out", json_pack ("{s:s, s:i}", "case_no", no, "counter", 1),
              PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "collected");
    CU_ASSERT_EQUAL (s_int (r, "collected"), T0 + 3 * HOUR);
    CU_ASSERT_EQUAL (s_int (json_object_get (r, "collected_at"), "counter"), 1);
    CU_ASSERT_STRING_EQUAL (s_str (r, "next_step"), "已领取 / Collected");
    json_decref (r);

    //  The audit trail: every step, in order, with time, actor and the intake checks.
    r = s_case_cmd (c, "case.audit", no, NULL, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "case_no"), no);
    json_t *steps = json_object_get (r, "steps");
    CU_ASSERT_EQUAL_FATAL (json_array_size (steps), 4);
    const char *topics[] = {"case.accepted", "case.review_started", "case.approved",
                            "case.collected"};
    const char *states[] = {"accepted", "in_review", "awaiting_pickup", "collected"};
    const char *clerks[] = {"张三", "李四", "王五", "张三"};
    long long prev_seq = 0;
    for (int i = 0; i < 4; i++) {
        json_t *st = json_array_get (steps, (size_t)i);
        CU_ASSERT_STRING_EQUAL (s_str (st, "topic"), topics[i]);
        CU_ASSERT_STRING_EQUAL (s_str (st, "state"), states[i]);
        CU_ASSERT_EQUAL (s_int (st, "time"), T0 + i * HOUR);
        CU_ASSERT_STRING_EQUAL (s_str (st, "clerk"), clerks[i]);
        CU_ASSERT (s_int (st, "seq") > prev_seq);
        prev_seq = s_int (st, "seq");
    }
    json_t *first = json_array_get (steps, 0);
    CU_ASSERT_EQUAL (s_int (first, "counter"), 1);
    ch = s_check (json_object_get (first, "checks"), "id_check_char");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT_STRING_EQUAL (s_str (ch, "override"), "核验原件，系早期制证错误");
    CU_ASSERT_EQUAL (s_int (json_array_get (steps, 3), "counter"), 1);
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (steps, 1), "checks"));
    json_decref (r);

    //  The events: the four case steps in order; nowhere the full ID or phone number.
    json_t *events = s_sub_until_now (&sub, c);
    int found = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
    {
        char *text = json_dumps (json_object_get (e, "body"), 0);
        CU_ASSERT_PTR_NULL (strstr (text, ID_BAD));
        CU_ASSERT_PTR_NULL (strstr (text, PHONE));
        CU_ASSERT_PTR_NULL (strstr (text, PHONE_TYPED));
        CU_ASSERT_PTR_NULL (strstr (text, token));
        free (text);
        if (strncmp (s_str (e, "topic"), "case.", 5) == 0) {
            CU_ASSERT (found < 4);
            if (found < 4)
                CU_ASSERT_STRING_EQUAL (s_str (e, "topic"), topics[found]);
            json_t *ev_case = json_object_get (json_object_get (e, "body"), "case");
            CU_ASSERT_STRING_EQUAL (s_str (json_object_get (ev_case, "applicant"), "id_number"),
                                    ID_BAD_MASKED);
            found++;
        }
    }
    CU_ASSERT_EQUAL (found, 4);
    json_decref (events);
    //  Nor in the broker's log.
    char *log = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (log);
    if (log) {
        CU_ASSERT_PTR_NULL (strstr (log, ID_BAD));
        CU_ASSERT_PTR_NULL (strstr (log, PHONE));
    }
    free (log);

    json_decref (t);
    s_sub_close (&sub);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  2. Each intake check.

//  Asserts a check_failed reply whose `failed` check is the only one not ok.
static void
s_expect_failed (proto_client_t *c, json_t *body, const char *failed)
{
    json_t *r = s_do (c, "case.accept", body, PROTO_ERR_CHECK_FAILED);
    json_t *checks = json_object_get (r, "checks");
    CU_ASSERT (json_array_size (checks) >= 3);
    size_t i;
    json_t *ch;
    int bad = 0;
    json_array_foreach (checks, i, ch) if (!json_is_true (json_object_get (ch, "ok")))
    {
        CU_ASSERT_STRING_EQUAL (s_str (ch, "check"), failed);
        if (strcmp (s_str (ch, "check"), failed) != 0)
            fprintf (stderr, "\n  expected %s to fail; %s failed: %s\n", failed,
                     s_str (ch, "check"), s_str (ch, "reason"));
        bad++;
    }
    CU_ASSERT_EQUAL (bad, 1);
    CU_ASSERT_PTR_NOT_NULL (s_check (checks, failed));
    json_decref (r);
}

static void
test_intake_checks (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "A");
    char no1[48], no2[48], no3[48], no4[48];

    //  A valid ID (with its X) passes every check.
    json_t *r = s_accept (c, 1, "biz_setup", "11010519491231002x", NULL, no1);
    CU_ASSERT_STRING_EQUAL (no1, "BH01-20260309-0001");
    json_t *checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL (json_array_size (checks), 3); //  id_number, documents, duplicate
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (checks, 0), "check"), "id_number");
    size_t i;
    json_t *ch;
    json_array_foreach (checks, i, ch) CU_ASSERT (json_is_true (json_object_get (ch, "ok")));
    json_decref (r);
    //  It was typed with a lower-case x: stored canonical, upper case.
    r = s_get (c, no1);
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "applicant"), "id_number"), ID_OK);
    json_decref (r);

    //  Born in 2030: id_birth_date.
    s_expect_failed (c,
                     s_body (1, "biz_setup", "未来人", ID_FUTURE, NULL, NULL, s_docs ("biz_setup")),
                     "id_birth_date");
    //  A company item with a wrong USCC. DOMAIN.md's invalid example ends in Z, which no
    //  USCC uses: the charset check catches it before the check character is computed.
    //  A wrong but well-formed check character fails uscc_check_char. The right code passes.
    s_expect_failed (
        c, s_body (1, "biz_change", "某公司", NULL, USCC_BAD, NULL, s_docs ("biz_change")),
        "uscc_charset");
    s_expect_failed (
        c, s_body (1, "biz_change", "某公司", NULL, USCC_BAD_CHECK, NULL, s_docs ("biz_change")),
        "uscc_check_char");
    r = s_accept (c, 1, "biz_change", NULL, USCC_OK, no2);
    CU_ASSERT_STRING_EQUAL (no2, "BH01-20260309-0002");
    checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL (json_array_size (checks), 3); //  uscc, documents, duplicate; no advisory
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (checks, 0), "check"), "uscc");
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "applicant"), "uscc"), USCC_OK);
    json_decref (r);
    //  A bad phone number.
    s_expect_failed (c, s_body (1, "legal_aid", "赵六", ID_1, NULL, "12345", s_docs ("legal_aid")),
                     "phone_format");

    //  Documents missing: refused by case.accept, taken in by case.supplement.
    json_t *docs = json_pack ("[s]", "application");
    r = s_do (c, "case.accept",
              s_body (1, "biz_setup", "钱七", ID_2, NULL, NULL, json_deep_copy (docs)),
              PROTO_ERR_CHECK_FAILED);
    ch = s_check (json_object_get (r, "checks"), "documents");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_PTR_NOT_NULL (
        strstr (s_str (ch, "reason"), "公司章程、法定代表人身份证件、住所使用证明"));
    json_decref (r);
    r = s_do (c, "case.supplement", s_body (1, "biz_setup", "钱七", ID_2, NULL, NULL, docs),
              PROTO_ERR_OK);
    snprintf (no3, sizeof no3, "%s", s_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (no3, "BH01-20260309-0003"); //  the refusals used no number
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "supplement_pending");
    ch = s_check (json_object_get (r, "checks"), "documents");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok"))); //  recorded, not blocking
    json_decref (r);
    //  A document the item does not have is a bad field, not a check.
    r = s_do (c, "case.accept",
              s_body (1, "biz_setup", "钱七", ID_3, NULL, NULL, json_pack ("[s]", "passport")),
              PROTO_ERR_BAD_FIELD);
    json_decref (r);

    //  Duplicate: a second open case for the same applicant and item, naming the first.
    r = s_do (c, "case.accept",
              s_body (1, "biz_setup", "申请人", ID_OK, NULL, NULL, s_docs ("biz_setup")),
              PROTO_ERR_CHECK_FAILED);
    ch = s_check (json_object_get (r, "checks"), "duplicate");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_PTR_NOT_NULL (strstr (s_str (ch, "reason"), no1));
    json_decref (r);
    //  A case awaiting its material is open too.
    s_expect_failed (c, s_body (1, "biz_setup", "钱七", ID_2, NULL, NULL, s_docs ("biz_setup")),
                     "duplicate");
    //  The same applicant for another item is no duplicate.
    r = s_accept (c, 1, "legal_aid", ID_OK, NULL, no4);
    CU_ASSERT_STRING_EQUAL (no4, "BH01-20260309-0004");
    json_decref (r);
    //  Once the first is concluded (withdrawn), the applicant may apply again.
    json_decref (s_case_cmd (c, "case.withdraw", no1, json_pack ("{s:s}", "reason", "申请人撤回"),
                             PROTO_ERR_OK));
    r = s_accept (c, 1, "biz_setup", ID_OK, NULL, NULL);
    CU_ASSERT_STRING_EQUAL (s_str (r, "case_no"), "BH01-20260309-0005");
    json_decref (r);

    //  An override must name a check that failed, with a reason.
    json_t *body = s_body (1, "fund_withdraw", "孙八", ID_3, NULL, NULL, s_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:s}", "id_check_char", "已核验"));
    json_decref (s_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD));
    body = s_body (1, "fund_withdraw", "孙八", ID_3, NULL, NULL, s_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:s}", "no_such_check", "已核验"));
    json_decref (s_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD));
    body = s_body (1, "fund_withdraw", "孙八", ID_BAD, NULL, NULL, s_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:s}", "id_check_char", ""));
    json_decref (s_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD)); //  no reason
    body = s_body (1, "fund_withdraw", "孙八", ID_BAD, NULL, NULL, s_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:i}", "id_check_char", 1));
    json_decref (s_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD)); //  not a text

    //  Unknown item and unknown case.
    json_decref (s_do (c, "case.accept", s_body (1, "dog_licence", "孙八", ID_3, NULL, NULL, NULL),
                       PROTO_ERR_UNKNOWN_ITEM));
    json_decref (s_case_cmd (c, "case.get", "BH01-20260309-9999", NULL, PROTO_ERR_UNKNOWN_CASE));
    json_decref (s_case_cmd (c, "case.review", "BH01-20260309-9999", NULL, PROTO_ERR_UNKNOWN_CASE));
    json_decref (s_case_cmd (c, "case.approve", "no such case", NULL, PROTO_ERR_UNKNOWN_CASE));

    //  Who applies: a person item needs an ID number, a company item a USCC.
    json_decref (s_do (c, "case.accept",
                       s_body (1, "biz_setup", "孙八", NULL, USCC_OK2, NULL, s_docs ("biz_setup")),
                       PROTO_ERR_MISSING_FIELD));
    json_decref (s_do (c, "case.accept",
                       s_body (1, "biz_change", "孙八", ID_3, NULL, NULL, s_docs ("biz_change")),
                       PROTO_ERR_MISSING_FIELD));

    //  A counter that is not serving anyone cannot take a case in.
    json_decref (s_do (c, "case.accept",
                       s_body (3, "biz_setup", "孙八", ID_3, NULL, NULL, s_docs ("biz_setup")),
                       PROTO_ERR_NOT_LOGGED_IN));
    s_ok (c, "counter.login", json_pack ("{s:i, s:[s]}", "counter", 3, "services", "A"));
    json_decref (s_do (c, "case.accept",
                       s_body (3, "biz_setup", "孙八", ID_3, NULL, NULL, s_docs ("biz_setup")),
                       PROTO_ERR_NO_TICKET));
    json_t *t2 = s_do (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), PROTO_ERR_OK);
    s_ok (c, "ticket.call_next", json_pack ("{s:i}", "counter", 3));
    json_decref (s_do (c, "case.accept",
                       s_body (3, "biz_setup", "孙八", ID_3, NULL, NULL, s_docs ("biz_setup")),
                       PROTO_ERR_WRONG_STATE)); //  called, not yet arrived
    json_decref (s_do (c, "case.accept",
                       s_body (9, "biz_setup", "孙八", ID_3, NULL, NULL, s_docs ("biz_setup")),
                       PROTO_ERR_UNKNOWN_COUNTER));
    //  Nothing refused used a number: the next case is 0006.
    s_ok (c, "ticket.start", json_pack ("{s:i}", "counter", 3));
    r = s_accept (c, 3, "biz_setup", ID_3, NULL, NULL);
    CU_ASSERT_STRING_EQUAL (s_str (r, "case_no"), "BH01-20260309-0006");
    CU_ASSERT_STRING_EQUAL (s_str (r, "token"), s_str (t2, "token"));
    json_decref (r);

    //  case.supplement with nothing missing would give a one-time notice listing nothing.
    int code;
    r = test_call (c, "case.supplement",
                   s_body (3, "ss_card", "孙八", ID_3, NULL, NULL,
                           json_pack ("[s, s, s]", "application", "photo", "id_copy")),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);

    json_decref (t);
    json_decref (t2);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  3. Supplement at intake: a one-time notice, accepted on the day the material arrives.

static void
test_supplement_at_intake (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    s_sub_t sub;
    s_sub_open (&sub, &b, c);
    json_t *t = s_serve (c, 1, "A");

    json_t *body =
        s_body (1, "biz_setup", "周九", ID_1, NULL, NULL, json_pack ("[s]", "application"));
    json_object_set_new (body, "missing", json_pack ("[s]", "授权委托书"));
    json_t *r = s_do (c, "case.supplement", body, PROTO_ERR_OK);
    char no[48];
    snprintf (no, sizeof no, "%s", s_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (no, "BH01-20260309-0001");
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "supplement_pending");
    CU_ASSERT_STRING_EQUAL (s_str (r, "token"), s_str (t, "token"));
    const char *notice =
        "请补齐材料后到窗口提交：公司章程、法定代表人身份证件、住所使用证明、授权委托书"
        " / Bring the missing material to a counter";
    CU_ASSERT_STRING_EQUAL (s_str (r, "notice"), notice);
    CU_ASSERT_STRING_EQUAL (s_str (r, "next_step"), notice);
    json_t *missing = json_object_get (r, "missing");
    CU_ASSERT_EQUAL (json_array_size (missing), 4);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (missing, 0)), "公司章程");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (missing, 3)), "授权委托书");
    //  Not accepted yet: no deadlines, no clock.
    CU_ASSERT (s_null (r, "promised_deadline"));
    CU_ASSERT (s_null (r, "statutory_deadline"));
    CU_ASSERT (s_null (r, "deadline"));
    CU_ASSERT_PTR_NULL (json_object_get (r, "accepted_day"));
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "stopped");
    json_decref (r);

    //  The notice is given once: one supplement_requested event listing all of it.
    json_t *events = s_sub_until_now (&sub, c);
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e) if (strncmp (s_str (e, "topic"), "case.", 5) == 0)
    {
        n++;
        CU_ASSERT_STRING_EQUAL (s_str (e, "topic"), "case.supplement_requested");
        CU_ASSERT_EQUAL (json_array_size (json_object_get (json_object_get (e, "body"), "missing")),
                         4);
    }
    CU_ASSERT_EQUAL (n, 1);
    json_decref (events);

    //  Three days later (Thu 12 March) the citizen comes back. Still one short: refused.
    s_advance (c, 3 * DAY);
    r = s_case_cmd (
        c, "case.supplement_received", no,
        json_pack ("{s:[s, s], s:s}", "documents", "articles", "rep_id", "clerk", "张三"),
        PROTO_ERR_CHECK_FAILED);
    json_t *ch = s_check (json_object_get (r, "checks"), "documents");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_PTR_NOT_NULL (strstr (s_str (ch, "reason"), "住所使用证明"));
    json_decref (r);
    s_expect_state (c, no, "supplement_pending");
    //  All of it: accepted on THAT day (Art. 32), deadlines counted from Thu 12.
    r = s_case_cmd (c, "case.supplement_received", no,
                    json_pack ("{s:[s, s, s], s:s}", "documents", "articles", "rep_id", "address",
                               "clerk", "张三"),
                    PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "accepted");
    CU_ASSERT_EQUAL (s_int (r, "accepted_day"), 20260312);
    CU_ASSERT_EQUAL (s_int (r, "accepted"), T0 + 3 * DAY);
    //  promised 3: Fri 13 (1), Mon 16 (2), Tue 17 (3).
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260317);
    //  statutory 15: Mar 13 (1), 16-20 (6), 23-27 (11), 30, 31, Apr 1, Apr 2 (15).
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260402);
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 0);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "running");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "missing")), 0);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "documents")), 4);
    json_decref (r);
    //  No material awaited any more.
    json_decref (s_case_cmd (c, "case.supplement_received", no, NULL, PROTO_ERR_WRONG_STATE));
    //  The citizen's page (the slip's token still works after its day).
    r = s_do (c, "ticket.status", json_pack ("{s:s}", "token", s_str (t, "token")), PROTO_ERR_OK);
    json_t *cs = json_array_get (json_object_get (r, "cases"), 0);
    CU_ASSERT_STRING_EQUAL (s_str (cs, "state"), "accepted");
    CU_ASSERT_STRING_EQUAL (s_str (cs, "next_step"),
                            "审批中，承诺 2026-03-17 前办结 / In review; promised by that date");
    json_decref (r);

    json_decref (t);
    s_sub_close (&sub);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  4. The clock: pauses, special procedures, one extension, provisional deadlines.

static void
test_clock_pauses_and_extension (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "B");
    char no[48];
    //  employ_subsidy: promised 10, statutory 20, accepted Mon 9 March.
    json_t *r = s_accept (c, 1, "employ_subsidy", ID_1, NULL, no);
    //  promised 10: Mar 10-13 (4), 16-20 (9), Mon 23 (10).
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260323);
    //  statutory 20: Mar 10-13 (4), 16-20 (9), 23-27 (14), 30, 31, Apr 1-3 (19),
    //  Apr 4-6 清明, Tue Apr 7 (20).
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260407);
    CU_ASSERT (json_is_false (json_object_get (r, "provisional")));
    json_decref (r);

    //  Wed 11: two days used (Tue 10, Wed 11). Material requested: the clock stops.
    s_advance (c, 2 * DAY);
    r = s_get (c, no);
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 2);
    json_decref (r);
    r = s_case_cmd (c, "case.request_supplement", no,
                    json_pack ("{s:[s], s:s, s:s}", "missing", "银行开户证明", "reason",
                               "账户信息不符", "clerk", "李四"),
                    PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "supplement_pending");
    CU_ASSERT (s_null (r, "promised_deadline"));
    CU_ASSERT (s_null (r, "statutory_deadline"));
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "paused");
    //  The day the pause begins does not count: only Tue 10 is used.
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 1);
    json_decref (r);
    //  Fri 13: still paused, still one day used.
    s_advance (c, 2 * DAY);
    r = s_get (c, no);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "supplement_pending");
    CU_ASSERT (s_null (r, "promised_deadline"));
    CU_ASSERT (s_null (r, "deadline"));
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 1);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "paused");
    json_decref (r);
    //  Mon 16 (across the weekend): the material arrives. Paused working days: Wed 11,
    //  Thu 12, Fri 13, Mon 16 (the day it arrives never counts) = 4.
    s_advance (c, 3 * DAY);
    r = s_case_cmd (c, "case.supplement_received", no, json_pack ("{s:s}", "clerk", "李四"),
                    PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "accepted"); //  back where it was
    //  promised: Mon 23 + 4 working days = Tue 24, Wed 25, Thu 26, Fri 27.
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260327);
    //  statutory: Tue Apr 7 + 4 = Wed 8, Thu 9, Fri 10, Mon 13.
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260413);
    CU_ASSERT_EQUAL (s_int (r, "accepted_day"), 20260309); //  acceptance itself unchanged
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 1);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "running");
    json_t *p = json_array_get (json_object_get (r, "pauses"), 0);
    CU_ASSERT_STRING_EQUAL (s_str (p, "kind"), "supplement");
    CU_ASSERT_EQUAL (s_int (p, "from"), 20260311);
    CU_ASSERT_EQUAL (s_int (p, "to"), 20260317);
    json_decref (r);

    //  Tue 17: review (Tue 17 counts: 2 used). Wed 18: a special procedure stops it again.
    s_advance (c, DAY);
    json_decref (
        s_case_cmd (c, "case.review", no, json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK));
    s_advance (c, DAY);
    r = s_case_cmd (c, "case.special_start", no,
                    json_pack ("{s:s, s:s}", "reason", "专家评审", "clerk", "李四"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "special_procedure");
    CU_ASSERT (s_null (r, "promised_deadline"));
    CU_ASSERT (s_null (r, "statutory_deadline"));
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 2);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "paused");
    json_decref (r);
    //  Fri 20: it ends. Paused working days Wed 18, Thu 19, Fri 20 = 3.
    s_advance (c, 2 * DAY);
    r = s_case_cmd (c, "case.special_end", no, json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "in_review");
    //  promised: Fri 27 + 3 = Mon 30, Tue 31, Wed Apr 1. (Counted whole: Mar 10, 17,
    //  23-27, 30, 31, Apr 1 = 10.)
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260401);
    //  statutory: Mon Apr 13 + 3 = Tue 14, Wed 15, Thu 16.
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260416);
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 2);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "pauses")), 2);
    p = json_array_get (json_object_get (r, "pauses"), 1);
    CU_ASSERT_STRING_EQUAL (s_str (p, "kind"), "special");
    CU_ASSERT_EQUAL (s_int (p, "from"), 20260318);
    CU_ASSERT_EQUAL (s_int (p, "to"), 20260321);
    json_decref (r);
    json_decref (s_case_cmd (c, "case.special_end", no, NULL, PROTO_ERR_WRONG_STATE));

    //  One extension of at most the item's 10 days (Art. 42).
    json_t *before = s_get (c, no);
    json_decref (s_case_cmd (c, "case.extend", no,
                             json_pack ("{s:i, s:s}", "days", 11, "reason", "复杂"),
                             PROTO_ERR_BAD_FIELD));
    json_decref (s_case_cmd (c, "case.extend", no,
                             json_pack ("{s:i, s:s}", "days", 0, "reason", "复杂"),
                             PROTO_ERR_BAD_FIELD));
    json_t *after = s_get (c, no);
    CU_ASSERT (json_equal (before, after));
    json_decref (before);
    json_decref (after);
    r = s_case_cmd (
        c, "case.extend", no,
        json_pack ("{s:i, s:s, s:s}", "days", 3, "reason", "需现场核查", "clerk", "李四"),
        PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_int (r, "extension_days"), 3);
    CU_ASSERT_EQUAL (s_int (r, "limit_days"), 13);
    //  promised: Wed Apr 1 + 3 = Thu 2, Fri 3, (Apr 4-6 清明) Tue 7.
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260407);
    //  statutory: Thu Apr 16 + 3 = Fri 17, Mon 20, Tue 21.
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260421);
    json_decref (r);
    before = s_get (c, no);
    json_decref (s_case_cmd (c, "case.extend", no,
                             json_pack ("{s:i, s:s}", "days", 1, "reason", "再延"),
                             PROTO_ERR_WRONG_STATE));
    after = s_get (c, no);
    CU_ASSERT (json_equal (before, after));
    json_decref (before);
    json_decref (after);

    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_provisional_deadline (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T_DEC) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "A");
    char no[48];
    json_t *r = s_accept (c, 1, "biz_setup", ID_1, NULL, no);
    CU_ASSERT_STRING_EQUAL (no, "BH01-20261228-0001");
    //  promised 3: Tue 29, Wed 30, Thu 31 December (published).
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20261231);
    //  statutory 15: Dec 29-31 (3), then 2027, unpublished, by the plain weekday rule:
    //  Fri Jan 1 (4), Jan 4-8 (9), 11-15 (14), Mon 18 (15).
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20270118);
    CU_ASSERT (json_is_true (json_object_get (r, "provisional")));
    json_decref (r);
    r = s_get (c, no);
    CU_ASSERT (json_is_true (json_object_get (r, "provisional")));
    json_decref (r);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  The case clock counts the hall's local dates: at 07:30 in Beijing it is still yesterday
//  in UTC, and the date turns (and warnings come) at local midnight.
static void
test_local_date (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T_EARLY) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "A");
    char no[48];
    json_t *r = s_accept (c, 1, "biz_setup", ID_1, NULL, no);
    CU_ASSERT_STRING_EQUAL (no, "BH01-20260310-0001");
    CU_ASSERT_EQUAL (s_int (r, "accepted_day"), 20260310);
    //  promised 3: Wed 11 (1), Thu 12 (2), Fri 13 (3).
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260313);
    //  statutory 15: Mar 11-13 (3), 16-20 (8), 23-27 (13), Mon 30 (14), Tue 31 (15).
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260331);
    json_decref (r);
    s_sub_t sub;
    s_sub_open (&sub, &b, c);
    //  Limit 3: yellow at ceil(1.5) = 2 days used. To Wed 11 23:59:59.999 local (Wed
    //  15:59 UTC): one day used, nothing yet.
    s_advance (c, DAY + 16 * HOUR + 29 * 60000 + 59999);
    json_t *events = s_sub_until_now (&sub, c);
    char *w = s_warnings (events);
    CU_ASSERT_STRING_EQUAL (w, "");
    free (w);
    json_decref (events);
    r = s_get (c, no);
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 1);
    json_decref (r);
    //  One millisecond later it is Thu 12 in Beijing (still Wed 11 in UTC): yellow.
    s_advance (c, 1);
    events = s_sub_until_now (&sub, c);
    w = s_warnings (events);
    char expect[96];
    snprintf (expect, sizeof expect, "%s yellow", no);
    CU_ASSERT_STRING_EQUAL (w, expect);
    free (w);
    json_decref (events);
    r = s_get (c, no);
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 2);
    json_decref (r);
    s_sub_close (&sub);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  5. Warnings: each level once, on the right day; none for a paused case.

static void
test_warnings_once (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "F");
    char no[48], paused[48];
    //  legal_aid: promised 5, statutory 7. Accepted Mon 9 March.
    json_t *r = s_accept (c, 1, "legal_aid", ID_1, NULL, no);
    //  promised 5: Tue 10 (1), Wed 11 (2), Thu 12 (3), Fri 13 (4), Mon 16 (5).
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260316);
    //  statutory 7: ... Tue 17 (6), Wed 18 (7).
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260318);
    json_decref (r);
    //  A second case whose clock is stopped the same day: it must raise nothing.
    json_decref (s_accept (c, 1, "legal_aid", ID_2, NULL, paused));
    json_decref (s_case_cmd (c, "case.request_supplement", paused,
                             json_pack ("{s:[s]}", "missing", "收入证明"), PROTO_ERR_OK));
    s_sub_t sub;
    s_sub_open (&sub, &b, c);

    //  Limit 5: yellow at ceil(0.5 * 5) = 3 days used, red at ceil(0.8 * 5) = 4.
    //  Day by day from Tue 10 to Mon 23 March (local 09:00 each day):
    const struct {
        int date;
        const char *warning; //  expected case.warning level, or NULL
        int elapsed;
    } days[] = {
        {20260310, NULL, 1},
        {20260311, NULL, 2},
        {20260312, "yellow", 3},
        {20260313, "red", 4},
        {20260314, NULL, 4},
        {20260315, NULL, 4},
        {20260316, NULL, 5}, //  the promised deadline itself is not overdue
        {20260317, "overdue", 6},
        {20260318, NULL, 7}, //  statutory deadline day
        {20260319, "statutory_overdue", 8},
        {20260320, NULL, 9},
        {20260321, NULL, 9},
        {20260322, NULL, 9},
        {20260323, NULL, 10},
    };
    for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
        json_t *adv =
            s_do (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)DAY), PROTO_ERR_OK);
        long long now = s_int (adv, "now");
        CU_ASSERT_EQUAL (now, T0 + (long long)(d + 1) * DAY);
        json_decref (adv);
        json_t *events = s_sub_until_now (&sub, c);
        char *w = s_warnings (events);
        char expect[128] = "";
        if (days[d].warning)
            snprintf (expect, sizeof expect, "%s %s", no, days[d].warning);
        CU_ASSERT_STRING_EQUAL (w, expect);
        if (strcmp (w, expect) != 0)
            fprintf (stderr, "\n  %d: warnings \"%s\", expected \"%s\"\n", days[d].date, w, expect);
        size_t i;
        json_t *e;
        json_array_foreach (events, i, e)
        {
            if (strcmp (s_str (e, "topic"), "case.warning") != 0)
                continue;
            json_t *body = json_object_get (e, "body");
            CU_ASSERT_EQUAL (s_int (body, "time"), now);
            CU_ASSERT_EQUAL (s_int (body, "elapsed_days"), days[d].elapsed);
            CU_ASSERT_EQUAL (s_int (body, "limit_days"), 5);
            CU_ASSERT_STRING_EQUAL (s_str (json_object_get (body, "case"), "state"), "accepted");
            json_t *app = json_object_get (json_object_get (body, "case"), "applicant");
            CU_ASSERT_STRING_EQUAL (s_str (app, "id_number"), "1101**********0016");
        }
        free (w);
        json_decref (events);
        r = s_get (c, no);
        CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), days[d].elapsed);
        json_decref (r);
    }
    r = s_get (c, no);
    json_t *w = json_object_get (r, "warnings");
    CU_ASSERT_EQUAL (json_array_size (w), 4);
    const char *levels[] = {"yellow", "red", "overdue", "statutory_overdue"};
    for (size_t i = 0; i < 4 && i < json_array_size (w); i++)
        CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (w, i)), levels[i]);
    json_decref (r);
    //  The paused case: still nothing used, nothing raised.
    r = s_get (c, paused);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "warnings")), 0);
    CU_ASSERT_EQUAL (s_int (r, "elapsed_days"), 0);
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "paused");
    json_decref (r);
    //  A jump of a week raises nothing new either.
    s_advance (c, 7 * DAY);
    json_t *events = s_sub_until_now (&sub, c);
    char *text = s_warnings (events);
    CU_ASSERT_STRING_EQUAL (text, "");
    free (text);
    json_decref (events);

    json_decref (t);
    s_sub_close (&sub);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  6. Refused transitions change nothing.

//  Sends `command` on `no` (extra fields taken), expects `expect`, and checks that the
//  case reads the same before and after.
static void
s_refused (proto_client_t *c, const char *command, const char *no, json_t *extra, int expect)
{
    json_t *before = s_get (c, no);
    json_t *r = s_case_cmd (c, command, no, extra, expect);
    json_decref (r);
    json_t *after = s_get (c, no);
    CU_ASSERT (json_equal (before, after));
    if (!json_equal (before, after))
        fprintf (stderr, "\n  %s on %s changed the case\n", command, no);
    json_decref (before);
    json_decref (after);
}

//  Every command on a final case is wrong_state.
static void
s_final_refuses_all (proto_client_t *c, const char *no)
{
    s_refused (c, "case.review", no, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.approve", no, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.deny", no, json_pack ("{s:s}", "reason", "不符合条件"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.request_supplement", no, json_pack ("{s:[s]}", "missing", "证明"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.extend", no, json_pack ("{s:i, s:s}", "days", 1, "reason", "延"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.special_start", no, json_pack ("{s:s}", "reason", "听证"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.special_end", no, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.withdraw", no, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.supplement_received", no, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.hand_out", no, json_pack ("{s:i}", "counter", 1), PROTO_ERR_WRONG_STATE);
}

static void
test_bad_transitions (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "A");
    char acc[48], pick[48], den[48], wd[48], appr[48], na[48];

    //  A promised case must be reviewed before it is decided.
    json_decref (s_accept (c, 1, "biz_setup", ID_1, NULL, acc));
    s_refused (c, "case.approve", acc, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.deny", acc, json_pack ("{s:s}", "reason", "不符合条件"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.special_end", acc, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.supplement_received", acc, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.hand_out", acc, json_pack ("{s:i}", "counter", 1), PROTO_ERR_WRONG_STATE);
    s_expect_state (c, acc, "accepted");

    //  Awaiting pickup: decided, so it can no longer be withdrawn; then collected.
    json_decref (s_accept (c, 1, "biz_setup", ID_2, NULL, pick));
    json_decref (s_case_cmd (c, "case.review", pick, NULL, PROTO_ERR_OK));
    s_refused (c, "case.review", pick, NULL, PROTO_ERR_WRONG_STATE); //  in review already
    json_decref (s_case_cmd (c, "case.approve", pick, NULL, PROTO_ERR_OK));
    s_expect_state (c, pick, "awaiting_pickup");
    s_refused (c, "case.withdraw", pick, json_pack ("{s:s}", "reason", "不要了"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.approve", pick, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.extend", pick, json_pack ("{s:i, s:s}", "days", 1, "reason", "延"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.request_supplement", pick, json_pack ("{s:[s]}", "missing", "证明"),
               PROTO_ERR_WRONG_STATE);
    json_decref (s_do (c, "case.hand_out", json_pack ("{s:s, s:i}", "case_no", pick, "counter", 1),
                       PROTO_ERR_OK));
    s_refused (c, "case.review", pick, NULL, PROTO_ERR_WRONG_STATE);
    s_final_refuses_all (c, pick);

    //  Denial needs its reason; then denied is final.
    json_decref (s_accept (c, 1, "legal_aid", ID_3, NULL, den));
    json_decref (s_case_cmd (c, "case.review", den, NULL, PROTO_ERR_OK));
    s_refused (c, "case.deny", den, NULL, PROTO_ERR_MISSING_FIELD);
    s_refused (c, "case.deny", den, json_pack ("{s:s}", "reason", ""), PROTO_ERR_BAD_FIELD);
    json_t *r = s_case_cmd (c, "case.deny", den,
                            json_pack ("{s:s}", "reason", "经济状况不符合条件"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "denied");
    CU_ASSERT_STRING_EQUAL (s_str (r, "reason"), "经济状况不符合条件");
    CU_ASSERT_STRING_EQUAL (s_str (r, "next_step"), "不予许可：经济状况不符合条件 / Denied");
    json_decref (r);
    s_final_refuses_all (c, den);

    //  Withdrawn is final.
    json_decref (s_accept (c, 1, "fund_withdraw", ID_4, NULL, wd));
    json_decref (s_case_cmd (c, "case.withdraw", wd, json_pack ("{s:s}", "reason", "申请人撤回"),
                             PROTO_ERR_OK));
    s_expect_state (c, wd, "withdrawn");
    s_final_refuses_all (c, wd);

    //  Approved without a physical result is final at once.
    json_decref (s_accept (c, 1, "fund_withdraw", ID_5, NULL, appr));
    json_decref (s_case_cmd (c, "case.review", appr, NULL, PROTO_ERR_OK));
    r = s_case_cmd (c, "case.approve", appr, NULL, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "approved");
    json_decref (r);
    s_final_refuses_all (c, appr);

    //  Refused at intake is final.
    r = s_do (c, "case.not_accepted",
              json_pack ("{s:i, s:s, s:s, s:s, s:s}", "counter", 1, "item", "biz_change", "name",
                         "某公司", "uscc", USCC_OK, "reason", "不属于本机关职权范围"),
              PROTO_ERR_OK);
    snprintf (na, sizeof na, "%s", s_str (r, "case_no"));
    json_decref (r);
    s_final_refuses_all (c, na);

    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  7. Immediate items (即办件).

static void
test_immediate_item (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "E");
    char no[48];
    json_t *r = s_accept (c, 1, "marriage", ID_1, NULL, no);
    CU_ASSERT_STRING_EQUAL (s_str (r, "kind"), "immediate");
    CU_ASSERT_STRING_EQUAL (s_str (r, "department"), "civil");
    //  0 working days: the deadline is the acceptance day itself.
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260309);
    CU_ASSERT_EQUAL (s_int (r, "statutory_deadline"), 20260309);
    CU_ASSERT_EQUAL (s_int (r, "limit_days"), 0);
    json_decref (r);
    //  The counter decides it on the spot, straight from accepted.
    s_advance (c, 10 * 60000);
    r = s_case_cmd (c, "case.approve", no, json_pack ("{s:s}", "clerk", "张三"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "awaiting_pickup"); //  a certificate
    json_t *dec = json_object_get (r, "decision");
    CU_ASSERT_STRING_EQUAL (s_str (dec, "by"), "张三");
    CU_ASSERT (json_is_true (json_object_get (dec, "on_time")));
    CU_ASSERT_EQUAL (s_int (r, "concluded"), T0 + 10 * 60000);
    json_decref (r);
    json_decref (s_do (c, "case.hand_out", json_pack ("{s:s, s:i}", "case_no", no, "counter", 1),
                       PROTO_ERR_OK));
    s_expect_state (c, no, "collected");
    //  An immediate case can still go through review and be denied from there.
    char no2[48];
    json_decref (s_accept (c, 1, "marriage", ID_2, NULL, no2));
    json_decref (s_case_cmd (c, "case.review", no2, NULL, PROTO_ERR_OK));
    r = s_case_cmd (c, "case.deny", no2, json_pack ("{s:s}", "reason", "未达法定婚龄"),
                    PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "denied");
    json_decref (r);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  8. SIGKILL in the middle of a review loses nothing acknowledged.

static void
test_crash_in_review (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "A");
    const char *ids[] = {ID_1, ID_2, ID_3};
    char nos[5][48];
    for (int i = 0; i < 3; i++)
        json_decref (s_accept (c, 1, "biz_setup", ids[i], NULL, nos[i]));
    json_decref (s_accept (c, 1, "legal_aid", ID_1, NULL, nos[3]));
    json_decref (
        s_case_cmd (c, "case.review", nos[1], json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK));
    json_decref (
        s_case_cmd (c, "case.review", nos[2], json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK));
    json_decref (s_case_cmd (c, "case.request_supplement", nos[2],
                             json_pack ("{s:[s]}", "missing", "租赁合同"), PROTO_ERR_OK));

    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGKILL), 128 + SIGKILL);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_destroy (&c);
    c = test_client (&b);
    const char *states[] = {"accepted", "in_review", "supplement_pending", "accepted"};
    for (int i = 0; i < 4; i++) {
        char expect[48];
        snprintf (expect, sizeof expect, "BH01-20260309-%04d", i + 1);
        CU_ASSERT_STRING_EQUAL (nos[i], expect);
        json_t *r = s_get (c, nos[i]);
        CU_ASSERT_STRING_EQUAL (s_str (r, "state"), states[i]);
        json_decref (r);
    }
    //  The sequence continues: no number is handed out twice.
    json_t *t2 = s_serve (c, 2, "A");
    json_decref (s_accept (c, 2, "biz_setup", ID_4, NULL, nos[4]));
    CU_ASSERT_STRING_EQUAL (nos[4], "BH01-20260309-0005");
    //  The pause survived too: the reviewed case resumes in review.
    json_decref (s_case_cmd (c, "case.supplement_received", nos[2], NULL, PROTO_ERR_OK));
    s_expect_state (c, nos[2], "in_review");

    //  Warnings raised before a crash are not raised again after it. biz_setup (limit 3):
    //  yellow at 2 days used (Wed 11), red at 3 (Thu 12), overdue on Fri 13. legal_aid
    //  (limit 5): yellow Thu 12, red Fri 13. nos[2]'s pause [Mar 9, Mar 10) covers only
    //  its acceptance day, which never counts: its clock is the others'.
    s_sub_t sub;
    s_sub_open (&sub, &b, c);
    s_advance (c, 2 * DAY); //  Wed 11
    json_t *events = s_sub_until_now (&sub, c);
    char *w = s_warnings (events);
    char expect[1024];
    snprintf (expect, sizeof expect, "%s yellow; %s yellow; %s yellow; %s yellow", nos[0], nos[1],
              nos[2], nos[4]);
    CU_ASSERT_STRING_EQUAL (w, expect);
    if (strcmp (w, expect) != 0)
        fprintf (stderr, "\n  Wed 11: \"%s\"\n  expected \"%s\"\n", w, expect);
    free (w);
    json_decref (events);
    s_advance (c, DAY); //  Thu 12
    events = s_sub_until_now (&sub, c);
    w = s_warnings (events);
    snprintf (expect, sizeof expect, "%s red; %s red; %s red; %s yellow; %s red", nos[0], nos[1],
              nos[2], nos[3], nos[4]);
    CU_ASSERT_STRING_EQUAL (w, expect);
    if (strcmp (w, expect) != 0)
        fprintf (stderr, "\n  Thu 12: \"%s\"\n  expected \"%s\"\n", w, expect);
    free (w);
    json_decref (events);
    s_sub_close (&sub);

    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGKILL), 128 + SIGKILL);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_destroy (&c);
    c = test_client (&b);
    s_sub_open (&sub, &b, c);
    //  Same day after restart: nothing again.
    events = s_sub_until_now (&sub, c);
    w = s_warnings (events);
    CU_ASSERT_STRING_EQUAL (w, "");
    free (w);
    json_decref (events);
    //  Fri 13: only the new levels.
    s_advance (c, DAY);
    events = s_sub_until_now (&sub, c);
    w = s_warnings (events);
    snprintf (expect, sizeof expect, "%s overdue; %s overdue; %s overdue; %s red; %s overdue",
              nos[0], nos[1], nos[2], nos[3], nos[4]);
    CU_ASSERT_STRING_EQUAL (w, expect);
    if (strcmp (w, expect) != 0)
        fprintf (stderr, "\n  Fri 13: \"%s\"\n  expected \"%s\"\n", w, expect);
    free (w);
    json_decref (events);
    json_t *r = s_get (c, nos[0]);
    json_t *levels = json_object_get (r, "warnings");
    CU_ASSERT_EQUAL (json_array_size (levels), 3);
    json_decref (r);
    s_sub_close (&sub);

    json_decref (t);
    json_decref (t2);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  9. Refusal at intake; the back office's queue.

static void
test_not_accepted_and_queue (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = s_serve (c, 1, "A");
    char p1[48], p2[48], na[48], h[48], k[48], c1[48];

    //  Mon 9 March.
    json_t *r = s_do (c, "case.accept",
                      s_body (1, "biz_setup", "吴一", ID_1, NULL, PHONE, s_docs ("biz_setup")),
                      PROTO_ERR_OK);
    snprintf (p1, sizeof p1, "%s", s_str (r, "case_no")); //  promised Thu 12
    json_decref (r);
    r = s_do (c, "case.supplement",
              s_body (1, "biz_setup", "郑二", ID_2, NULL, NULL, json_pack ("[s]", "application")),
              PROTO_ERR_OK);
    snprintf (p2, sizeof p2, "%s", s_str (r, "case_no")); //  no deadline
    json_decref (r);
    r = s_do (c, "case.not_accepted",
              json_pack ("{s:i, s:s, s:s, s:s, s:s, s:s}", "counter", 1, "item", "biz_setup",
                         "name", "冯三", "id_number", ID_3, "phone", PHONE, "reason",
                         "申请事项不属于本机关职权范围"),
              PROTO_ERR_OK);
    snprintf (na, sizeof na, "%s", s_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (na, "BH01-20260309-0003");
    CU_ASSERT_STRING_EQUAL (s_str (r, "state"), "not_accepted");
    CU_ASSERT_STRING_EQUAL (s_str (r, "reason"), "申请事项不属于本机关职权范围");
    CU_ASSERT_EQUAL (s_int (r, "concluded"), T0);
    CU_ASSERT (s_null (r, "promised_deadline"));
    CU_ASSERT_STRING_EQUAL (s_str (r, "clock"), "stopped");
    CU_ASSERT_STRING_EQUAL (s_str (r, "next_step"),
                            "不予受理：申请事项不属于本机关职权范围 / Not accepted");
    CU_ASSERT_STRING_EQUAL (s_str (json_object_get (r, "applicant"), "phone"), PHONE_MASKED);
    json_decref (r);
    r = s_case_cmd (c, "case.audit", na, NULL, PROTO_ERR_OK);
    json_t *steps = json_object_get (r, "steps");
    CU_ASSERT_EQUAL_FATAL (json_array_size (steps), 1);
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (steps, 0), "topic"), "case.not_accepted");
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (steps, 0), "reason"),
                            "申请事项不属于本机关职权范围");
    json_decref (r);
    r = s_accept (c, 1, "employ_subsidy", ID_1, NULL, h); //  hrss, promised Mon 23
    json_decref (r);
    json_decref (s_accept (c, 1, "biz_setup", ID_4, NULL, k)); //  promised Thu 12
    json_decref (s_case_cmd (c, "case.review", k, NULL, PROTO_ERR_OK));
    json_decref (s_case_cmd (c, "case.approve", k, NULL, PROTO_ERR_OK)); //  awaiting pickup

    //  Tue 10: a company's change (promised Fri 13), and p1 is extended by 2 (to Mon 16).
    s_advance (c, DAY);
    json_t *t2 = s_serve (c, 1, "A");
    json_decref (s_accept (c, 1, "biz_change", NULL, USCC_OK2, c1));
    CU_ASSERT_STRING_EQUAL (c1, "BH01-20260310-0001");
    r = s_case_cmd (c, "case.extend", p1,
                    json_pack ("{s:i, s:s}", "days", 2, "reason", "需核查住所"), PROTO_ERR_OK);
    //  Thu 12 + 2 working days: Fri 13, Mon 16.
    CU_ASSERT_EQUAL (s_int (r, "promised_deadline"), 20260316);
    json_decref (r);

    //  The market department's queue, most urgent first: c1 (Fri 13), p1 (Mon 16), then
    //  those with no running deadline: p2 (awaiting material) and k (awaiting pickup), by
    //  number. The refusal is not open and not listed; h belongs to hrss.
    r = s_do (c, "case.queue", json_pack ("{s:s}", "department", "market"), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_int (r, "today"), 20260310);
    json_t *cases = json_object_get (r, "cases");
    const char *want[] = {c1, p1, p2, k};
    char got[4][48] = {"", "", "", ""};
    CU_ASSERT_EQUAL (json_array_size (cases), 4);
    for (size_t i = 0; i < 4 && i < json_array_size (cases); i++)
        snprintf (got[i], sizeof got[i], "%s", s_str (json_array_get (cases, i), "case_no"));
    for (int i = 0; i < 4; i++)
        CU_ASSERT_STRING_EQUAL (got[i], want[i]);
    //  Masked applicants, whole USCC; warnings and clock shown.
    char *text = json_dumps (r, 0);
    CU_ASSERT_PTR_NULL (strstr (text, ID_1));
    CU_ASSERT_PTR_NULL (strstr (text, ID_2));
    CU_ASSERT_PTR_NULL (strstr (text, PHONE));
    free (text);
    size_t i;
    json_t *cs;
    json_array_foreach (cases, i, cs)
    {
        json_t *app = json_object_get (cs, "applicant");
        if (strcmp (s_str (cs, "case_no"), p1) == 0) {
            CU_ASSERT_STRING_EQUAL (s_str (app, "id_number"), "1101**********0016");
            CU_ASSERT_STRING_EQUAL (s_str (app, "phone"), PHONE_MASKED);
            CU_ASSERT_STRING_EQUAL (s_str (cs, "clock"), "running");
            CU_ASSERT_EQUAL (s_int (cs, "elapsed_days"), 1);
            CU_ASSERT_EQUAL (s_int (cs, "limit_days"), 5);
        }
        if (strcmp (s_str (cs, "case_no"), c1) == 0)
            CU_ASSERT_STRING_EQUAL (s_str (app, "uscc"), USCC_OK2);
        CU_ASSERT_PTR_NULL (json_object_get (cs, "token"));
        CU_ASSERT_STRING_EQUAL (s_str (cs, "department"), "market");
    }
    json_decref (r);

    //  Filters: by state, by department and state, another department, everything.
    r = s_do (c, "case.queue", json_pack ("{s:s}", "state", "supplement_pending"), PROTO_ERR_OK);
    cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 1);
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (cases, 0), "case_no"), p2);
    json_decref (r);
    r = s_do (c, "case.queue",
              json_pack ("{s:s, s:s}", "department", "market", "state", "accepted"), PROTO_ERR_OK);
    cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 2);
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (cases, 0), "case_no"), c1);
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (cases, 1), "case_no"), p1);
    json_decref (r);
    r = s_do (c, "case.queue", json_pack ("{s:s}", "department", "hrss"), PROTO_ERR_OK);
    cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 1);
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (cases, 0), "case_no"), h);
    json_decref (r);
    r = s_do (c, "case.queue", json_pack ("{s:s}", "department", "civil"), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "cases")), 0);
    json_decref (r);
    r = s_do (c, "case.queue", json_object (), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "cases")), 5); //  + h
    json_decref (r);

    json_decref (t);
    json_decref (t2);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_case_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("case_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a whole case life: checks, override, deadlines, status, audit",
                 test_whole_case_life);
    CU_add_test (s, "each intake check and its error code", test_intake_checks);
    CU_add_test (s, "supplement at intake: one-time notice, accepted on arrival",
                 test_supplement_at_intake);
    CU_add_test (s, "the clock: supplement, special procedure, one extension",
                 test_clock_pauses_and_extension);
    CU_add_test (s, "a deadline past the published calendar is provisional",
                 test_provisional_deadline);
    CU_add_test (s, "the case clock counts local dates (UTC+8)", test_local_date);
    CU_add_test (s, "warnings fire once each, on the right day; none while paused",
                 test_warnings_once);
    CU_add_test (s, "refused transitions change nothing", test_bad_transitions);
    CU_add_test (s, "immediate items are decided at the counter", test_immediate_item);
    CU_add_test (s, "SIGKILL in mid-review loses nothing acknowledged", test_crash_in_review);
    CU_add_test (s, "refusal at intake; the department queue", test_not_accepted_and_queue);
    return 0;
}
