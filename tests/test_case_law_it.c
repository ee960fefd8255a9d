/*  test_case_law_it.c — the 《行政许可法》 rules of the case clock, in the case_it suite
    (test_case_it.c registers these tests and holds the helpers): an extension only before
    the statutory deadline (Art. 42); one request for material after acceptance, unless
    withdrawn; the one-time notice within 5 working days of receipt, or the case counts as
    accepted on receipt (Art. 32); material not brought in time ends the case; a result not
    made available within 10 working days of the decision is flagged (Art. 44).

    Dates are counted by hand on the 2026 calendar, as in test_case_it.c. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "test_case_it.h"

//  case.extend with the approver and the clerk.
static json_t *
s_extend (int days)
{
    return json_pack ("{s:i, s:s, s:s, s:s}", "days", days, "reason", "需现场核查", "approver",
                      "王主任", "clerk", "李四");
}

//  The journal's events of `topic` among `events` (test_sub_until_now), their bodies.
static json_t *
s_bodies (const json_t *events, const char *topic)
{
    json_t *out = json_array ();
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
        if (proto_is (e, "topic", topic))
            json_array_append (out, json_object_get (e, "body"));
    return out;
}

//  ---------------------------------------------------------------------------------------
//  1. An extension only before the statutory deadline (Art. 42).

void
cit_test_extension_deadline (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char on_day[48], late[48], paused_late[48], paused[48];
    //  biz_setup, Mon 9 March: statutory 3, deadline Thu 12.
    json_decref (cit_accept (c, 1, "biz_setup", ID_1, NULL, on_day));
    json_decref (cit_accept (c, 1, "biz_setup", ID_2, NULL, late));
    json_decref (cit_accept (c, 1, "biz_setup", ID_3, NULL, paused_late));
    json_decref (cit_accept (c, 1, "biz_setup", ID_4, NULL, paused));
    //  Tue 10: one stops its clock at once (Tue 10 no longer counts).
    cit_advance (c, DAY);
    json_decref (cit_case_cmd (c, "case.special_start", paused,
                               json_pack ("{s:s}", "reason", "专家评审"), PROTO_ERR_OK));
    //  Thu 12, the deadline itself: still in time. + 3: Fri 13, Mon 16, Tue 17.
    cit_advance (c, 2 * DAY);
    json_t *r = cit_case_cmd (c, "case.extend", on_day, s_extend (3), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260317);
    json_decref (r);
    //  More than the item's maximum (3, 市场主体登记管理条例 Art. 19) is refused.
    json_decref (cit_case_cmd (c, "case.extend", late, s_extend (4), PROTO_ERR_BAD_FIELD));
    //  Fri 13: too late, whether the clock runs or has stopped since.
    cit_advance (c, DAY);
    json_decref (cit_case_cmd (c, "case.special_start", paused_late,
                               json_pack ("{s:s}", "reason", "听证"), PROTO_ERR_OK));
    const char *refused[] = {late, paused_late};
    for (int i = 0; i < 2; i++) {
        json_t *before = cit_get (c, refused[i]);
        r = cit_case_cmd (c, "case.extend", refused[i], s_extend (3), PROTO_ERR_WRONG_STATE);
        json_decref (r);
        json_t *after = cit_get (c, refused[i]);
        CU_ASSERT (json_equal (before, after));
        CU_ASSERT_EQUAL (proto_int (after, "extension_days"), 0);
        json_decref (before);
        json_decref (after);
    }
    //  The one paused since Tue 10 has used nothing: its deadline, were the pause to end
    //  today, is Wed 18 (Mon 16, Tue 17, Wed 18). It may still be extended.
    r = cit_case_cmd (c, "case.extend", paused, s_extend (1), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (proto_int (r, "extension_days"), 1);
    json_decref (r);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  2. One request for material after acceptance (一次性告知), unless withdrawn.

//  The request withdrawn: the case back in review, the pause kept but not counted.
static void
s_withdraw (proto_client_t *c, test_sub_t *sub, const char *no)
{
    json_t *r = cit_case_cmd (c, "case.supplement_withdraw", no,
                              json_pack ("{s:s, s:s}", "reason", "材料已在卷", "clerk", "李四"),
                              PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "in_review");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "missing")), 0);
    CU_ASSERT_PTR_NULL (json_object_get (r, "supplement_due"));
    json_t *p = json_array_get (json_object_get (r, "pauses"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (p, "withdrawn"), "reason"), "材料已在卷");
    //  As if the clock had never stopped: promised Mon 23, 3 days used (Mar 10, 11, 12).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260323);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 3);
    json_decref (r);
    json_t *events = cit_until_now (sub, c);
    json_t *w = s_bodies (events, "case.supplement_withdrawn");
    CU_ASSERT_EQUAL_FATAL (json_array_size (w), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (w, 0), "reason"), "材料已在卷");
    json_decref (w);
    json_decref (events);
}

void
cit_test_supplement_once (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "B");
    char no[48], other[48];
    //  employ_subsidy, Mon 9 March: promised 10 (Mon 23).
    json_decref (cit_accept (c, 1, "employ_subsidy", ID_1, NULL, no));
    json_decref (cit_accept (c, 1, "employ_subsidy", ID_2, NULL, other));
    json_decref (cit_case_cmd (c, "case.review", no, NULL, PROTO_ERR_OK));
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    //  Tue 10: asked, by Wed 8 April (20 working days: Mar 11-13, 16-20, 23-27, 30, 31,
    //  Apr 1-3, 7, 8).
    cit_advance (c, DAY);
    json_t *r = cit_case_cmd (c, "case.request_supplement", no,
                              json_pack ("{s:[s]}", "missing", "银行开户证明"), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (proto_int (r, "supplement_due"), 20260408);
    json_decref (r);
    //  Thu 12: it was made in error; withdrawn, and replaced by a complete one.
    cit_advance (c, 2 * DAY);
    json_decref (cit_until_now (sub, c));
    s_withdraw (c, sub, no);
    json_decref (cit_case_cmd (c, "case.supplement_withdraw", no,
                               json_pack ("{s:s}", "reason", "再撤"), PROTO_ERR_WRONG_STATE));
    json_decref (cit_case_cmd (c, "case.request_supplement", no,
                               json_pack ("{s:[s, s]}", "missing", "银行开户证明", "社保缴费证明"),
                               PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.supplement_received", no, NULL, PROTO_ERR_OK));
    //  That one counted: a third is refused, and changes nothing.
    json_t *before = cit_get (c, no);
    json_decref (cit_case_cmd (c, "case.request_supplement", no,
                               json_pack ("{s:[s]}", "missing", "户口簿"), PROTO_ERR_WRONG_STATE));
    json_t *after = cit_get (c, no);
    CU_ASSERT (json_equal (before, after));
    json_decref (before);
    json_decref (after);
    //  Another case asked once and supplied: once is once.
    json_decref (cit_case_cmd (c, "case.request_supplement", other,
                               json_pack ("{s:[s]}", "missing", "银行开户证明"), PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.supplement_received", other, NULL, PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.request_supplement", other,
                               json_pack ("{s:[s]}", "missing", "户口簿"), PROTO_ERR_WRONG_STATE));
    test_sub_destroy (&sub);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  3. The one-time notice within 5 working days of receipt (Art. 32).

//  A case taken in with notice_later; its number into `no`.
static void
s_received (proto_client_t *c, const char *id, char *no)
{
    json_t *body = cit_body (1, "biz_setup", "钱七", id, NULL, NULL, cit_docs ("biz_setup"));
    json_object_set_new (body, "notice_later", json_true ());
    json_t *r = cit_do (c, "case.supplement", body, PROTO_ERR_OK);
    snprintf (no, 48, "%s", proto_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "supplement_pending");
    //  Mon 9 + 5 working days: Tue 10, Wed 11, Thu 12, Fri 13, Mon 16.
    CU_ASSERT_EQUAL (proto_int (r, "notice_due"), 20260316);
    CU_ASSERT_PTR_NULL (json_object_get (r, "notice"));
    CU_ASSERT_PTR_NULL (json_object_get (r, "supplement_due"));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next_step"),
                            "材料已收到，2026-03-16 前告知是否受理或需补正的全部内容 / Received: "
                            "by that date you are told whether it is accepted or all that is "
                            "missing");
    json_decref (r);
}

void
cit_test_notice_within_5_days (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    char noticed[48], silent[48];
    s_received (c, ID_1, noticed);
    s_received (c, ID_2, silent);
    json_t *events = cit_until_now (sub, c);
    json_t *rec = s_bodies (events, "case.received");
    CU_ASSERT_EQUAL_FATAL (json_array_size (rec), 2);
    CU_ASSERT_EQUAL (proto_int (json_array_get (rec, 0), "notice_due"), 20260316);
    json_decref (rec);
    json_decref (events);
    //  Mon 16, the last day: the notice, in time.
    cit_advance (c, 7 * DAY);
    json_t *r = cit_case_cmd (
        c, "case.supplement_notice", noticed,
        json_pack ("{s:[s], s:s}", "missing", "全体股东签署的章程", "clerk", "李四"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "supplement_pending");
    CU_ASSERT_EQUAL (proto_int (r, "notice_day"), 20260316);
    CU_ASSERT_PTR_NULL (json_object_get (r, "notice_due"));
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (json_object_get (r, "missing"), 0)),
                            "全体股东签署的章程");
    CU_ASSERT (proto_int (r, "supplement_due") > 20260316);
    json_decref (r);
    json_decref (cit_case_cmd (c, "case.supplement_notice", noticed,
                               json_pack ("{s:[s]}", "missing", "再告知"), PROTO_ERR_WRONG_STATE));
    json_decref (cit_until_now (sub, c));
    //  Tue 17: the other one had no notice by Mon 16: accepted on its day of receipt.
    cit_advance (c, DAY);
    events = cit_until_now (sub, c);
    json_t *acc = s_bodies (events, "case.accepted");
    CU_ASSERT_EQUAL_FATAL (json_array_size (acc), 1);
    json_t *e = json_array_get (acc, 0);
    CU_ASSERT (json_is_true (json_object_get (e, "deemed")));
    CU_ASSERT (json_is_false (json_object_get (e, "intake")));
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (e, "case"), "case_no"), silent);
    json_decref (acc);
    json_decref (events);
    r = cit_get (c, silent);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "accepted");
    CU_ASSERT (json_is_true (json_object_get (r, "deemed_accepted")));
    CU_ASSERT_EQUAL (proto_int (r, "accepted_day"), 20260309);
    CU_ASSERT_EQUAL (proto_int (r, "accepted"), T0);
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260312); //  counted from Mon 9
    CU_ASSERT_PTR_NULL (json_object_get (r, "notice_due"));
    json_decref (r);
    //  A notice now comes too late.
    json_decref (cit_case_cmd (c, "case.supplement_notice", silent,
                               json_pack ("{s:[s]}", "missing", "章程"), PROTO_ERR_WRONG_STATE));
    test_sub_destroy (&sub);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  4. Material not brought by its date ends the case (逾期未补正).

void
cit_test_supplement_expiry (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    json_t *r = cit_do (
        c, "case.supplement",
        cit_body (1, "biz_setup", "郑二", ID_1, NULL, NULL, json_pack ("[s]", "application")),
        PROTO_ERR_OK);
    char no[48];
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    //  Mon 9 + 20 working days (cases.supplement_days): Mar 10-13, 16-20, 23-27, 30, 31,
    //  Apr 1-3 (19), Apr 4-6 清明, Tue Apr 7 (20).
    CU_ASSERT_EQUAL (proto_int (r, "supplement_due"), 20260407);
    json_decref (r);
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    //  Tue 7 April, the last day: still waiting.
    cit_advance (c, 29 * DAY);
    cit_expect_state (c, no, "supplement_pending");
    json_decref (cit_until_now (sub, c));
    //  Wed 8: deemed withdrawn.
    cit_advance (c, DAY);
    json_t *events = cit_until_now (sub, c);
    json_t *w = s_bodies (events, "case.withdrawn");
    CU_ASSERT_EQUAL_FATAL (json_array_size (w), 1);
    CU_ASSERT (json_is_true (json_object_get (json_array_get (w, 0), "deemed")));
    json_decref (w);
    json_decref (events);
    r = cit_get (c, no);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "withdrawn");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "reason"), "逾期未补正"));
    CU_ASSERT_EQUAL (proto_int (r, "concluded"), T0 + 30 * DAY);
    json_decref (r);
    test_sub_destroy (&sub);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  5. The result made available within 10 working days of the decision (Art. 44).

void
cit_test_issue_deadline (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char waiting[48], in_cabinet[48];
    json_decref (cit_accept (c, 1, "biz_setup", ID_1, NULL, waiting));
    json_decref (cit_accept (c, 1, "biz_setup", ID_2, NULL, in_cabinet));
    const char *both[] = {waiting, in_cabinet};
    for (int i = 0; i < 2; i++) {
        json_decref (cit_case_cmd (c, "case.review", both[i], NULL, PROTO_ERR_OK));
        json_t *r = cit_case_cmd (c, "case.approve", both[i], NULL, PROTO_ERR_OK);
        //  Mon 9 + 10 working days: Mar 10-13, 16-20, Mon 23.
        CU_ASSERT_EQUAL (proto_int (r, "issue_deadline"), 20260323);
        json_decref (r);
    }
    cit_ok (c, "vault.deposited",
            json_pack ("{s:s, s:s, s:s}", "cabinet", "C1", "case_no", in_cabinet, "slot", "M01"));
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    //  Mon 23, the deadline itself: nothing. Tue 24: the one never made available.
    cit_advance (c, 14 * DAY);
    json_t *events = cit_until_now (sub, c);
    char *w = cit_warnings (events);
    CU_ASSERT_PTR_NULL (strstr (w, "issue_overdue"));
    free (w);
    json_decref (events);
    cit_advance (c, DAY);
    events = cit_until_now (sub, c);
    w = cit_warnings (events);
    char expect[96];
    snprintf (expect, sizeof expect, "%s issue_overdue", waiting);
    CU_ASSERT_STRING_EQUAL (w, expect);
    free (w);
    json_t *warn = s_bodies (events, "case.warning");
    CU_ASSERT_EQUAL (proto_int (json_array_get (warn, 0), "issue_deadline"), 20260323);
    json_decref (warn);
    json_decref (events);
    //  The office sees it in its queue.
    json_t *r =
        cit_do (c, "case.queue", json_pack ("{s:s}", "state", "awaiting_pickup"), PROTO_ERR_OK);
    json_t *cs = json_array_get (json_object_get (r, "cases"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "case_no"), waiting);
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_array_get (json_object_get (cs, "warnings"), 0)), "issue_overdue");
    json_decref (r);
    test_sub_destroy (&sub);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}
