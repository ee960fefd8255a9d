/*  test_case_it.c — cases (办件) against the real broker process on a simulated clock,
    through the real client library: a whole case life, every intake check, supplement at
    intake (this file); the legal clock (pauses, special procedures, extension, provisional
    deadlines), deadline warnings raised once each, refused transitions that change
    nothing, immediate items, a SIGKILL in mid-review, refusals at intake and the back
    office's queue, the audit trail's devices (test_case_flow_it.c). The helpers both files
    use are here, declared in test_case_it.h; the suite is registered here.

    Dates are the hall's local dates (UTC+8). Every deadline below is counted by hand from
    etc/calendar/2026.json with the rule "the day of acceptance never counts; day 1 is the
    next working day"; the count is in the comment beside it. March 2026 has no holiday;
    清明 is Sat 4 – Mon 6 April 2026. */
#include "test_case_it.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "tests.h"

//  ---------------------------------------------------------------------------------------
//  Helpers

bool
cit_null (const json_t *j, const char *key)
{
    return json_is_null (json_object_get (j, key));
}

//  Sends a command, asserts its status and returns the reply (caller frees). A mismatch
//  prints the broker's message to help the reader of a failed run.
json_t *
cit_do (proto_client_t *c, const char *command, json_t *body, int expect)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    CU_ASSERT_EQUAL (code, expect);
    if (code != expect)
        fprintf (stderr, "\n  %s: expected %d, got %d (%s: %s)\n", command, expect, code,
                 proto_client_code (c), proto_client_message (c));
    return r;
}

void
cit_ok (proto_client_t *c, const char *command, json_t *body)
{
    json_decref (cit_do (c, command, body, PROTO_ERR_OK));
}

void
cit_advance (proto_client_t *c, long long ms)
{
    cit_ok (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)ms));
}

//  Counter `counter` (logged in as 张三 if it was not) finishes what it holds and serves a
//  new ticket of `service`. Returns the ticket.issue reply (caller frees).
json_t *
cit_serve (proto_client_t *c, int counter, const char *service)
{
    json_decref (test_call (c, "counter.login",
                            json_pack ("{s:i, s:s}", "counter", counter, "clerk", "张三"), NULL));
    json_decref (test_call (c, "ticket.finish", json_pack ("{s:i}", "counter", counter), NULL));
    json_t *t = cit_do (c, "ticket.issue", json_pack ("{s:s}", "service", service), PROTO_ERR_OK);
    cit_ok (c, "ticket.call_next", json_pack ("{s:i}", "counter", counter));
    cit_ok (c, "ticket.start", json_pack ("{s:i}", "counter", counter));
    return t;
}

//  Every required document of an item (etc/hall.example.json).
json_t *
cit_docs (const char *item)
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
json_t *
cit_body (int counter, const char *item, const char *name, const char *id, const char *uscc,
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
json_t *
cit_accept (proto_client_t *c, int counter, const char *item, const char *id, const char *uscc,
            char *no)
{
    json_t *r =
        cit_do (c, "case.accept",
                cit_body (counter, item, "申请人", id, uscc, NULL, cit_docs (item)), PROTO_ERR_OK);
    if (no)
        snprintf (no, 48, "%s", proto_str (r, "case_no"));
    return r;
}

json_t *
cit_get (proto_client_t *c, const char *no)
{
    return cit_do (c, "case.get", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK);
}

//  State of a case by case.get.
void
cit_expect_state (proto_client_t *c, const char *no, const char *state)
{
    json_t *r = cit_get (c, no);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), state);
    json_decref (r);
}

//  A case command on `no` with extra fields (taken; may be NULL).
json_t *
cit_case_cmd (proto_client_t *c, const char *command, const char *no, json_t *extra, int expect)
{
    json_t *b = json_pack ("{s:s}", "case_no", no);
    if (extra) {
        json_object_update (b, extra);
        json_decref (extra);
    }
    return cit_do (c, command, b, expect);
}

//  The entry of `checks` named `name`, or NULL.
json_t *
cit_check (const json_t *checks, const char *name)
{
    size_t i;
    json_t *ch;
    json_array_foreach (checks, i, ch)
        if (strcmp (proto_str (ch, "check"), name) == 0)
            return ch;
    return NULL;
}

json_t *
cit_until_now (test_sub_t *sub, proto_client_t *c)
{
    json_t *events = test_sub_until_now (sub, c);
    CU_ASSERT_PTR_NOT_NULL (events);
    return events ? events : json_array ();
}

//  The case.warning events in `events` as "CASE_NO level" lines, in order (caller frees).
char *
cit_warnings (const json_t *events)
{
    char *text = calloc (1, 4096);
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e) {
        if (strcmp (proto_str (e, "topic"), "case.warning") != 0)
            continue;
        json_t *body = json_object_get (e, "body");
        size_t len = strlen (text);
        snprintf (text + len, 4096 - len, "%s%s %s", len ? "; " : "",
                  proto_str (json_object_get (body, "case"), "case_no"), proto_str (body, "level"));
    }
    return text;
}

//  ---------------------------------------------------------------------------------------
//  1. A whole case life.

//  The case events of the life below, in order.
static const char *const s_life_topics[] = {"case.accepted", "case.review_started", "case.approved",
                                            "case.collected"};

//  Intake: a wrong check character is refused with every check listed; overridden with a
//  reason, the case is accepted with its deadlines. Its number into `no` (48 bytes).
static void
s_life_intake (proto_client_t *c, const char *token, char *no)
{
    //  A wrong check character: refused, and the error body lists every check.
    json_t *r = cit_do (
        c, "case.accept",
        cit_body (1, "biz_setup", "王小明", ID_BAD, NULL, PHONE_TYPED, cit_docs ("biz_setup")),
        PROTO_ERR_CHECK_FAILED);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "code"), "check_failed");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "message"), "id_check_char"));
    json_t *checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL_FATAL (json_array_size (checks), 4);
    const char *order[] = {"id_check_char", "phone", "documents", "duplicate"};
    const bool ok[] = {false, true, true, true};
    for (int i = 0; i < 4; i++) {
        json_t *ch = json_array_get (checks, (size_t)i);
        CU_ASSERT_STRING_EQUAL (proto_str (ch, "check"), order[i]);
        CU_ASSERT_EQUAL (json_is_true (json_object_get (ch, "ok")), ok[i]);
        CU_ASSERT (strlen (proto_str (ch, "reason")) > 0);
        CU_ASSERT_PTR_NULL (json_object_get (ch, "override"));
    }
    json_decref (r);

    //  The clerk has looked at the card and overrides that one check, with a reason.
    json_t *body =
        cit_body (1, "biz_setup", "王小明", ID_BAD, NULL, PHONE_TYPED, cit_docs ("biz_setup"));
    json_object_set_new (body, "overrides",
                         json_pack ("{s:s}", "id_check_char", "核验原件，系早期制证错误"));
    r = cit_do (c, "case.accept", body, PROTO_ERR_OK);
    snprintf (no, 48, "%s", proto_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (no, "BH01-20260309-0001");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "token"), token);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "item"), "biz_setup");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "department"), "market");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "kind"), "promised");
    CU_ASSERT_EQUAL (proto_int (r, "accepted_day"), 20260309);
    CU_ASSERT_EQUAL (proto_int (r, "accepted"), T0);
    //  promised 3: Tue 10 (1), Wed 11 (2), Thu 12 (3).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260312);
    CU_ASSERT_EQUAL (proto_int (r, "deadline"), 20260312);
    //  statutory 15: Mar 10-13 (4), 16-20 (9), 23-27 (14), Mon 30 (15).
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260330);
    CU_ASSERT (json_is_false (json_object_get (r, "provisional")));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "running");
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 0);
    CU_ASSERT_EQUAL (proto_int (r, "limit_days"), 3);
    checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL (json_array_size (checks), 4);
    json_t *ch = cit_check (checks, "id_check_char");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_STRING_EQUAL (proto_str (ch, "override"), "核验原件，系早期制证错误");
    //  The reply is a masked view.
    json_t *app = json_object_get (r, "applicant");
    CU_ASSERT_STRING_EQUAL (proto_str (app, "name"), "王*明"); //  only case.get shows it whole
    CU_ASSERT_STRING_EQUAL (proto_str (app, "id_number"), ID_BAD_MASKED);
    CU_ASSERT_STRING_EQUAL (proto_str (app, "phone"), PHONE_MASKED);
    json_decref (r);
}

//  The case as the counter and back office see it (whole), and as the citizen does (by the
//  ticket's token, masked).
static void
s_life_views (proto_client_t *c, const char *no, const char *token)
{
    //  case.get (counter, back office) shows the applicant whole, phone canonical.
    json_t *r = cit_get (c, no);
    json_t *app = json_object_get (r, "applicant");
    CU_ASSERT_STRING_EQUAL (proto_str (app, "id_number"), ID_BAD);
    CU_ASSERT_STRING_EQUAL (proto_str (app, "phone"), PHONE);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "token"), token);
    CU_ASSERT_EQUAL (proto_int (r, "counter"), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clerk"), "张三");
    json_decref (r);

    //  The citizen's status page, by the ticket's token (一码通办).
    r = cit_do (c, "ticket.status", json_pack ("{s:s}", "token", token), PROTO_ERR_OK);
    json_t *cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL_FATAL (json_array_size (cases), 1);
    json_t *cs = json_array_get (cases, 0);
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "state"), "accepted");
    CU_ASSERT_EQUAL (proto_int (cs, "promised_deadline"), 20260312);
    CU_ASSERT_EQUAL (proto_int (cs, "statutory_deadline"), 20260330);
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "next_step"),
                            "审批中，承诺 2026-03-12 前办结 / In review; promised by that date");
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (cs, "applicant"), "id_number"),
                            ID_BAD_MASKED);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (cs, "applicant"), "phone"), PHONE_MASKED);
    CU_ASSERT_PTR_NULL (json_object_get (cs, "token"));
    json_decref (r);
}

//  The back office reviews and approves; the licence awaits pickup, then is handed out.
static void
s_life_decide (proto_client_t *c, const char *no)
{
    //  Back office: review, then approve; a physical licence then awaits pickup.
    cit_advance (c, HOUR);
    json_t *r =
        cit_case_cmd (c, "case.review", no, json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "in_review");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "reviewer"), "李四");
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260312);
    json_decref (r);
    cit_advance (c, HOUR);
    r = cit_case_cmd (c, "case.approve", no, json_pack ("{s:s}", "clerk", "王五"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "awaiting_pickup");
    json_t *dec = json_object_get (r, "decision");
    CU_ASSERT_STRING_EQUAL (proto_str (dec, "result"), "approved");
    CU_ASSERT_STRING_EQUAL (proto_str (dec, "by"), "王五");
    CU_ASSERT_EQUAL (proto_int (dec, "time"), T0 + 2 * HOUR);
    CU_ASSERT (json_is_true (json_object_get (dec, "on_time")));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "stopped");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next_step"),
                            "已办结，请凭取号单二维码到窗口领取 / Ready: collect it at a counter "
                            "with your slip's QR code");
    json_decref (r);
    cit_advance (c, HOUR);
    r = cit_do (c, "case.hand_out", json_pack ("{s:s, s:i}", "case_no", no, "counter", 1),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "collected");
    CU_ASSERT_EQUAL (proto_int (r, "collected"), T0 + 3 * HOUR);
    CU_ASSERT_EQUAL (proto_int (json_object_get (r, "collected_at"), "counter"), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next_step"), "已领取 / Collected");
    json_decref (r);
}

//  The audit trail: every step, in order, with time, actor and the intake checks.
static void
s_life_audit (proto_client_t *c, const char *no)
{
    //  The audit trail: every step, in order, with time, actor and the intake checks.
    json_t *r = cit_case_cmd (c, "case.audit", no, NULL, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "case_no"), no);
    json_t *steps = json_object_get (r, "steps");
    CU_ASSERT_EQUAL_FATAL (json_array_size (steps), 4);
    const char *states[] = {"accepted", "in_review", "awaiting_pickup", "collected"};
    const char *clerks[] = {"张三", "李四", "王五", "张三"};
    long long prev_seq = 0;
    for (int i = 0; i < 4; i++) {
        json_t *st = json_array_get (steps, (size_t)i);
        CU_ASSERT_STRING_EQUAL (proto_str (st, "topic"), s_life_topics[i]);
        CU_ASSERT_STRING_EQUAL (proto_str (st, "state"), states[i]);
        CU_ASSERT_EQUAL (proto_int (st, "time"), T0 + i * HOUR);
        CU_ASSERT_STRING_EQUAL (proto_str (st, "clerk"), clerks[i]);
        CU_ASSERT (proto_int (st, "seq") > prev_seq);
        prev_seq = proto_int (st, "seq");
    }
    json_t *first = json_array_get (steps, 0);
    CU_ASSERT_EQUAL (proto_int (first, "counter"), 1);
    json_t *ch = cit_check (json_object_get (first, "checks"), "id_check_char");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT_STRING_EQUAL (proto_str (ch, "override"), "核验原件，系早期制证错误");
    CU_ASSERT_EQUAL (proto_int (json_array_get (steps, 3), "counter"), 1);
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (steps, 1), "checks"));
    json_decref (r);
}

//  The events: the four case steps in order; nowhere the full ID or phone number, nor in
//  the broker's log.
static void
s_life_events (test_sub_t *sub, proto_client_t *c, const char *token, const test_broker_t *b)
{
    json_t *events = cit_until_now (sub, c);
    int found = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e) {
        char *text = json_dumps (json_object_get (e, "body"), 0);
        CU_ASSERT_PTR_NULL (strstr (text, ID_BAD));
        CU_ASSERT_PTR_NULL (strstr (text, PHONE));
        CU_ASSERT_PTR_NULL (strstr (text, PHONE_TYPED));
        CU_ASSERT_PTR_NULL (strstr (text, token));
        free (text);
        if (strncmp (proto_str (e, "topic"), "case.", 5) == 0) {
            CU_ASSERT (found < 4);
            if (found < 4)
                CU_ASSERT_STRING_EQUAL (proto_str (e, "topic"), s_life_topics[found]);
            json_t *ev_case = json_object_get (json_object_get (e, "body"), "case");
            CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (ev_case, "applicant"), "id_number"),
                                    ID_BAD_MASKED);
            found++;
        }
    }
    CU_ASSERT_EQUAL (found, 4);
    json_decref (events);
    //  Nor in the broker's log.
    char *log = test_read_file (b->log);
    CU_ASSERT_PTR_NOT_NULL (log);
    if (log) {
        CU_ASSERT_PTR_NULL (strstr (log, ID_BAD));
        CU_ASSERT_PTR_NULL (strstr (log, PHONE));
    }
    free (log);
}

static void
test_whole_case_life (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    json_t *t = cit_serve (c, 1, "A");
    const char *token = proto_str (t, "token");
    char no[48];
    s_life_intake (c, token, no);
    s_life_views (c, no, token);
    s_life_decide (c, no);
    s_life_audit (c, no);
    s_life_events (sub, c, token, &b);
    json_decref (t);
    test_sub_destroy (&sub);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  2. Each intake check.

//  Asserts a check_failed reply whose `failed` check is the only one not ok.
static void
s_expect_failed (proto_client_t *c, json_t *body, const char *failed)
{
    json_t *r = cit_do (c, "case.accept", body, PROTO_ERR_CHECK_FAILED);
    json_t *checks = json_object_get (r, "checks");
    CU_ASSERT (json_array_size (checks) >= 3);
    size_t i;
    json_t *ch;
    int bad = 0;
    json_array_foreach (checks, i, ch)
        if (!json_is_true (json_object_get (ch, "ok"))) {
            CU_ASSERT_STRING_EQUAL (proto_str (ch, "check"), failed);
            if (strcmp (proto_str (ch, "check"), failed) != 0)
                fprintf (stderr, "\n  expected %s to fail; %s failed: %s\n", failed,
                         proto_str (ch, "check"), proto_str (ch, "reason"));
            bad++;
        }
    CU_ASSERT_EQUAL (bad, 1);
    CU_ASSERT_PTR_NOT_NULL (cit_check (checks, failed));
    json_decref (r);
}

//  Identifiers: a valid ID (typed with a lower-case x), a birth date in the future, a bad
//  USCC (charset, check character), a good one, a bad phone number.
static void
s_checks_identifiers (proto_client_t *c, char *no1)
{
    char no2[48];
    //  A valid ID (with its X) passes every check.
    json_t *r = cit_accept (c, 1, "biz_setup", "11010519491231002x", NULL, no1);
    CU_ASSERT_STRING_EQUAL (no1, "BH01-20260309-0001");
    json_t *checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL (json_array_size (checks), 3); //  id_number, documents, duplicate
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (checks, 0), "check"), "id_number");
    size_t i;
    json_t *ch;
    json_array_foreach (checks, i, ch)
        CU_ASSERT (json_is_true (json_object_get (ch, "ok")));
    json_decref (r);
    //  It was typed with a lower-case x: stored canonical, upper case.
    r = cit_get (c, no1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (r, "applicant"), "id_number"), ID_OK);
    json_decref (r);

    //  Born in 2030: id_birth_date.
    s_expect_failed (
        c, cit_body (1, "biz_setup", "未来人", ID_FUTURE, NULL, NULL, cit_docs ("biz_setup")),
        "id_birth_date");
    //  A company item with a wrong USCC. DOMAIN.md's invalid example ends in Z, which no
    //  USCC uses: the charset check catches it before the check character is computed.
    //  A wrong but well-formed check character fails uscc_check_char. The right code passes.
    s_expect_failed (
        c, cit_body (1, "biz_change", "某公司", NULL, USCC_BAD, NULL, cit_docs ("biz_change")),
        "uscc_charset");
    s_expect_failed (
        c,
        cit_body (1, "biz_change", "某公司", NULL, USCC_BAD_CHECK, NULL, cit_docs ("biz_change")),
        "uscc_check_char");
    r = cit_accept (c, 1, "biz_change", NULL, USCC_OK, no2);
    CU_ASSERT_STRING_EQUAL (no2, "BH01-20260309-0002");
    checks = json_object_get (r, "checks");
    CU_ASSERT_EQUAL (json_array_size (checks), 3); //  uscc, documents, duplicate; no advisory
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (checks, 0), "check"), "uscc");
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (r, "applicant"), "uscc"), USCC_OK);
    json_decref (r);
    //  A bad phone number.
    s_expect_failed (c,
                     cit_body (1, "legal_aid", "赵六", ID_1, NULL, "12345", cit_docs ("legal_aid")),
                     "phone_format");
}

//  Documents missing (refused by case.accept, taken in by case.supplement), a document the
//  item does not have, and duplicates of an open case.
static void
s_checks_documents (proto_client_t *c, const char *no1)
{
    char no3[48], no4[48];
    //  Documents missing: refused by case.accept, taken in by case.supplement.
    json_t *docs = json_pack ("[s]", "application");
    json_t *r = cit_do (c, "case.accept",
                        cit_body (1, "biz_setup", "钱七", ID_2, NULL, NULL, json_deep_copy (docs)),
                        PROTO_ERR_CHECK_FAILED);
    json_t *ch = cit_check (json_object_get (r, "checks"), "documents");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_PTR_NOT_NULL (
        strstr (proto_str (ch, "reason"), "公司章程、法定代表人身份证件、住所使用证明"));
    json_decref (r);
    r = cit_do (c, "case.supplement", cit_body (1, "biz_setup", "钱七", ID_2, NULL, NULL, docs),
                PROTO_ERR_OK);
    snprintf (no3, sizeof no3, "%s", proto_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (no3, "BH01-20260309-0003"); //  the refusals used no number
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "supplement_pending");
    ch = cit_check (json_object_get (r, "checks"), "documents");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok"))); //  recorded, not blocking
    json_decref (r);
    //  A document the item does not have is a bad field, not a check.
    r = cit_do (c, "case.accept",
                cit_body (1, "biz_setup", "钱七", ID_3, NULL, NULL, json_pack ("[s]", "passport")),
                PROTO_ERR_BAD_FIELD);
    json_decref (r);

    //  Duplicate: a second open case for the same applicant and item, naming the first.
    r = cit_do (c, "case.accept",
                cit_body (1, "biz_setup", "申请人", ID_OK, NULL, NULL, cit_docs ("biz_setup")),
                PROTO_ERR_CHECK_FAILED);
    ch = cit_check (json_object_get (r, "checks"), "duplicate");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (ch, "reason"), no1));
    json_decref (r);
    //  A case awaiting its material is open too.
    s_expect_failed (c, cit_body (1, "biz_setup", "钱七", ID_2, NULL, NULL, cit_docs ("biz_setup")),
                     "duplicate");
    //  The same applicant for another item is no duplicate.
    r = cit_accept (c, 1, "legal_aid", ID_OK, NULL, no4);
    CU_ASSERT_STRING_EQUAL (no4, "BH01-20260309-0004");
    json_decref (r);
    //  Once the first is concluded (withdrawn), the applicant may apply again.
    json_decref (cit_case_cmd (c, "case.withdraw", no1, json_pack ("{s:s}", "reason", "申请人撤回"),
                               PROTO_ERR_OK));
    r = cit_accept (c, 1, "biz_setup", ID_OK, NULL, NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "case_no"), "BH01-20260309-0005");
    json_decref (r);
}

//  Overrides that name no failed check or give no reason, unknown items and cases, and who
//  may apply for what.
static void
s_checks_refusals (proto_client_t *c)
{
    //  An override must name a check that failed, with a reason.
    json_t *body =
        cit_body (1, "fund_withdraw", "孙八", ID_3, NULL, NULL, cit_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:s}", "id_check_char", "已核验"));
    json_decref (cit_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD));
    body = cit_body (1, "fund_withdraw", "孙八", ID_3, NULL, NULL, cit_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:s}", "no_such_check", "已核验"));
    json_decref (cit_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD));
    body = cit_body (1, "fund_withdraw", "孙八", ID_BAD, NULL, NULL, cit_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:s}", "id_check_char", ""));
    json_decref (cit_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD)); //  no reason
    body = cit_body (1, "fund_withdraw", "孙八", ID_BAD, NULL, NULL, cit_docs ("fund_withdraw"));
    json_object_set_new (body, "overrides", json_pack ("{s:i}", "id_check_char", 1));
    json_decref (cit_do (c, "case.accept", body, PROTO_ERR_BAD_FIELD)); //  not a text

    //  Unknown item and unknown case.
    json_decref (cit_do (c, "case.accept",
                         cit_body (1, "dog_licence", "孙八", ID_3, NULL, NULL, NULL),
                         PROTO_ERR_UNKNOWN_ITEM));
    json_decref (cit_case_cmd (c, "case.get", "BH01-20260309-9999", NULL, PROTO_ERR_UNKNOWN_CASE));
    json_decref (
        cit_case_cmd (c, "case.review", "BH01-20260309-9999", NULL, PROTO_ERR_UNKNOWN_CASE));
    json_decref (cit_case_cmd (c, "case.approve", "no such case", NULL, PROTO_ERR_UNKNOWN_CASE));

    //  Who applies: a person item needs an ID number, a company item a USCC.
    json_decref (
        cit_do (c, "case.accept",
                cit_body (1, "biz_setup", "孙八", NULL, USCC_OK2, NULL, cit_docs ("biz_setup")),
                PROTO_ERR_MISSING_FIELD));
    json_decref (
        cit_do (c, "case.accept",
                cit_body (1, "biz_change", "孙八", ID_3, NULL, NULL, cit_docs ("biz_change")),
                PROTO_ERR_MISSING_FIELD));
}

//  The counter must be serving the applicant's ticket; nothing refused used a number.
static void
s_checks_counter (proto_client_t *c)
{
    //  A counter that is not serving anyone cannot take a case in.
    json_decref (
        cit_do (c, "case.accept",
                cit_body (3, "biz_setup", "孙八", ID_3, NULL, NULL, cit_docs ("biz_setup")),
                PROTO_ERR_NOT_LOGGED_IN));
    cit_ok (c, "counter.login", json_pack ("{s:i, s:[s]}", "counter", 3, "services", "A"));
    json_decref (
        cit_do (c, "case.accept",
                cit_body (3, "biz_setup", "孙八", ID_3, NULL, NULL, cit_docs ("biz_setup")),
                PROTO_ERR_NO_TICKET));
    json_t *t2 = cit_do (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), PROTO_ERR_OK);
    cit_ok (c, "ticket.call_next", json_pack ("{s:i}", "counter", 3));
    json_decref (
        cit_do (c, "case.accept",
                cit_body (3, "biz_setup", "孙八", ID_3, NULL, NULL, cit_docs ("biz_setup")),
                PROTO_ERR_WRONG_STATE)); //  called, not yet arrived
    json_decref (
        cit_do (c, "case.accept",
                cit_body (9, "biz_setup", "孙八", ID_3, NULL, NULL, cit_docs ("biz_setup")),
                PROTO_ERR_UNKNOWN_COUNTER));
    //  Nothing refused used a number: the next case is 0006.
    cit_ok (c, "ticket.start", json_pack ("{s:i}", "counter", 3));
    json_t *r = cit_accept (c, 3, "biz_setup", ID_3, NULL, NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "case_no"), "BH01-20260309-0006");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "token"), proto_str (t2, "token"));
    json_decref (r);

    //  case.supplement with nothing missing would give a one-time notice listing nothing.
    int code;
    r = test_call (c, "case.supplement",
                   cit_body (3, "ss_card", "孙八", ID_3, NULL, NULL,
                             json_pack ("[s, s, s]", "application", "photo", "id_copy")),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (r);

    json_decref (t2);
}

static void
test_intake_checks (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char no1[48];
    s_checks_identifiers (c, no1);
    s_checks_documents (c, no1);
    s_checks_refusals (c);
    s_checks_counter (c);
    json_decref (t);
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
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    json_t *t = cit_serve (c, 1, "A");

    json_t *body =
        cit_body (1, "biz_setup", "周九", ID_1, NULL, NULL, json_pack ("[s]", "application"));
    json_object_set_new (body, "missing", json_pack ("[s]", "授权委托书"));
    json_t *r = cit_do (c, "case.supplement", body, PROTO_ERR_OK);
    char no[48];
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (no, "BH01-20260309-0001");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "supplement_pending");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "token"), proto_str (t, "token"));
    const char *notice =
        "请补齐材料后到窗口提交：公司章程、法定代表人身份证件、住所使用证明、授权委托书"
        " / Bring the missing material to a counter";
    CU_ASSERT_STRING_EQUAL (proto_str (r, "notice"), notice);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next_step"), notice);
    json_t *missing = json_object_get (r, "missing");
    CU_ASSERT_EQUAL (json_array_size (missing), 4);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (missing, 0)), "公司章程");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (missing, 3)), "授权委托书");
    //  Not accepted yet: no deadlines, no clock.
    CU_ASSERT (cit_null (r, "promised_deadline"));
    CU_ASSERT (cit_null (r, "statutory_deadline"));
    CU_ASSERT (cit_null (r, "deadline"));
    CU_ASSERT_PTR_NULL (json_object_get (r, "accepted_day"));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "stopped");
    json_decref (r);

    //  The notice is given once: one supplement_requested event listing all of it.
    json_t *events = cit_until_now (sub, c);
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
        if (strncmp (proto_str (e, "topic"), "case.", 5) == 0) {
            n++;
            CU_ASSERT_STRING_EQUAL (proto_str (e, "topic"), "case.supplement_requested");
            CU_ASSERT_EQUAL (
                json_array_size (json_object_get (json_object_get (e, "body"), "missing")), 4);
        }
    CU_ASSERT_EQUAL (n, 1);
    json_decref (events);

    //  Three days later (Thu 12 March) the citizen comes back. Still one short: refused.
    cit_advance (c, 3 * DAY);
    r = cit_case_cmd (
        c, "case.supplement_received", no,
        json_pack ("{s:[s, s], s:s}", "documents", "articles", "rep_id", "clerk", "张三"),
        PROTO_ERR_CHECK_FAILED);
    json_t *ch = cit_check (json_object_get (r, "checks"), "documents");
    CU_ASSERT_PTR_NOT_NULL_FATAL (ch);
    CU_ASSERT (json_is_false (json_object_get (ch, "ok")));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (ch, "reason"), "住所使用证明"));
    json_decref (r);
    cit_expect_state (c, no, "supplement_pending");
    //  All of it: accepted on THAT day (Art. 32), deadlines counted from Thu 12.
    r = cit_case_cmd (c, "case.supplement_received", no,
                      json_pack ("{s:[s, s, s], s:s}", "documents", "articles", "rep_id", "address",
                                 "clerk", "张三"),
                      PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "accepted");
    CU_ASSERT_EQUAL (proto_int (r, "accepted_day"), 20260312);
    CU_ASSERT_EQUAL (proto_int (r, "accepted"), T0 + 3 * DAY);
    //  promised 3: Fri 13 (1), Mon 16 (2), Tue 17 (3).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260317);
    //  statutory 15: Mar 13 (1), 16-20 (6), 23-27 (11), 30, 31, Apr 1, Apr 2 (15).
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260402);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "running");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "missing")), 0);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "documents")), 4);
    json_decref (r);
    //  No material awaited any more.
    json_decref (cit_case_cmd (c, "case.supplement_received", no, NULL, PROTO_ERR_WRONG_STATE));
    //  The citizen's page (the slip's token still works after its day).
    r = cit_do (c, "ticket.status", json_pack ("{s:s}", "token", proto_str (t, "token")),
                PROTO_ERR_OK);
    json_t *cs = json_array_get (json_object_get (r, "cases"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "state"), "accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "next_step"),
                            "审批中，承诺 2026-03-17 前办结 / In review; promised by that date");
    json_decref (r);

    json_decref (t);
    test_sub_destroy (&sub);
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
                 cit_test_clock_pauses_and_extension);
    CU_add_test (s, "a deadline past the published calendar is provisional",
                 cit_test_provisional_deadline);
    CU_add_test (s, "the case clock counts local dates (UTC+8)", cit_test_local_date);
    CU_add_test (s, "warnings fire once each, on the right day; none while paused",
                 cit_test_warnings_once);
    CU_add_test (s, "refused transitions change nothing", cit_test_bad_transitions);
    CU_add_test (s, "immediate items are decided at the counter", cit_test_immediate_item);
    CU_add_test (s, "SIGKILL in mid-review loses nothing acknowledged", cit_test_crash_in_review);
    CU_add_test (s, "refusal at intake; the department queue", cit_test_not_accepted_and_queue);
    CU_add_test (s, "the audit trail names the device, from old journals too",
                 cit_test_audit_devices);
    return 0;
}
