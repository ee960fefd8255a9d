/*  test_case_flow_it.c — cases after intake, in the case_it suite (test_case_it.c registers
    these tests and holds the helpers): the legal clock (pauses, special procedures,
    extension, provisional deadlines, local dates), deadline warnings raised once each,
    refused transitions that change nothing, immediate items, a SIGKILL in mid-review,
    refusals at intake and the back office's queue, and the devices in the audit trail.

    Deadlines are counted by hand as in test_case_it.c. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_store.h"
#include "proto_json.h"
#include "proto_msg.h"
#include "test_case_it.h"

//  ---------------------------------------------------------------------------------------
//  4. The clock: pauses, special procedures, one extension, provisional deadlines.

//  Wed 11 to Mon 16: material requested after acceptance stops the clock; its arrival
//  starts it again, the deadlines moved by the working days paused.
static void
s_clock_supplement (proto_client_t *c, const char *no)
{
    //  Wed 11: two days used (Tue 10, Wed 11). Material requested: the clock stops.
    cit_advance (c, 2 * DAY);
    json_t *r = cit_get (c, no);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 2);
    json_decref (r);
    r = cit_case_cmd (c, "case.request_supplement", no,
                      json_pack ("{s:[s], s:s, s:s}", "missing", "银行开户证明", "reason",
                                 "账户信息不符", "clerk", "李四"),
                      PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "supplement_pending");
    CU_ASSERT (cit_null (r, "promised_deadline"));
    CU_ASSERT (cit_null (r, "statutory_deadline"));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "paused");
    //  The day the pause begins does not count: only Tue 10 is used.
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 1);
    json_decref (r);
    //  Fri 13: still paused, still one day used.
    cit_advance (c, 2 * DAY);
    r = cit_get (c, no);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "supplement_pending");
    CU_ASSERT (cit_null (r, "promised_deadline"));
    CU_ASSERT (cit_null (r, "deadline"));
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "paused");
    json_decref (r);
    //  Mon 16 (across the weekend): the material arrives. Paused working days: Wed 11,
    //  Thu 12, Fri 13, Mon 16 (the day it arrives never counts) = 4.
    cit_advance (c, 3 * DAY);
    r = cit_case_cmd (c, "case.supplement_received", no, json_pack ("{s:s}", "clerk", "李四"),
                      PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "accepted"); //  back where it was
    //  promised: Mon 23 + 4 working days = Tue 24, Wed 25, Thu 26, Fri 27.
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260327);
    //  statutory: Tue Apr 7 + 4 = Wed 8, Thu 9, Fri 10, Mon 13.
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260413);
    CU_ASSERT_EQUAL (proto_int (r, "accepted_day"), 20260309); //  acceptance itself unchanged
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "running");
    json_t *p = json_array_get (json_object_get (r, "pauses"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (p, "kind"), "supplement");
    CU_ASSERT_EQUAL (proto_int (p, "from"), 20260311);
    CU_ASSERT_EQUAL (proto_int (p, "to"), 20260317);
    json_decref (r);
}

//  Tue 17 to Fri 20: in review, a special procedure stops the clock again.
static void
s_clock_special (proto_client_t *c, const char *no)
{
    //  Tue 17: review (Tue 17 counts: 2 used). Wed 18: a special procedure stops it again.
    cit_advance (c, DAY);
    json_decref (
        cit_case_cmd (c, "case.review", no, json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK));
    cit_advance (c, DAY);
    json_t *r = cit_case_cmd (c, "case.special_start", no,
                              json_pack ("{s:s, s:s}", "reason", "专家评审", "clerk", "李四"),
                              PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "special_procedure");
    CU_ASSERT (cit_null (r, "promised_deadline"));
    CU_ASSERT (cit_null (r, "statutory_deadline"));
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 2);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "paused");
    json_decref (r);
    //  Fri 20: it ends. Paused working days Wed 18, Thu 19, Fri 20 = 3.
    cit_advance (c, 2 * DAY);
    r = cit_case_cmd (c, "case.special_end", no, json_pack ("{s:s}", "clerk", "李四"),
                      PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "in_review");
    //  promised: Fri 27 + 3 = Mon 30, Tue 31, Wed Apr 1. (Counted whole: Mar 10, 17,
    //  23-27, 30, 31, Apr 1 = 10.)
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260401);
    //  statutory: Mon Apr 13 + 3 = Tue 14, Wed 15, Thu 16.
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260416);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 2);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "pauses")), 2);
    json_t *p = json_array_get (json_object_get (r, "pauses"), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (p, "kind"), "special");
    CU_ASSERT_EQUAL (proto_int (p, "from"), 20260318);
    CU_ASSERT_EQUAL (proto_int (p, "to"), 20260321);
    json_decref (r);
    json_decref (cit_case_cmd (c, "case.special_end", no, NULL, PROTO_ERR_WRONG_STATE));
}

//  One extension of at most the item's 10 days (Art. 42); a refused one changes nothing.
static void
s_clock_extension (proto_client_t *c, const char *no)
{
    json_t *before = cit_get (c, no);
    json_decref (cit_case_cmd (c, "case.extend", no,
                               json_pack ("{s:i, s:s}", "days", 11, "reason", "复杂"),
                               PROTO_ERR_BAD_FIELD));
    json_decref (cit_case_cmd (c, "case.extend", no,
                               json_pack ("{s:i, s:s}", "days", 0, "reason", "复杂"),
                               PROTO_ERR_BAD_FIELD));
    json_t *after = cit_get (c, no);
    CU_ASSERT (json_equal (before, after));
    json_decref (before);
    json_decref (after);
    json_t *r = cit_case_cmd (
        c, "case.extend", no,
        json_pack ("{s:i, s:s, s:s}", "days", 3, "reason", "需现场核查", "clerk", "李四"),
        PROTO_ERR_OK);
    CU_ASSERT_EQUAL (proto_int (r, "extension_days"), 3);
    CU_ASSERT_EQUAL (proto_int (r, "limit_days"), 13);
    //  promised: Wed Apr 1 + 3 = Thu 2, Fri 3, (Apr 4-6 清明) Tue 7.
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260407);
    //  statutory: Thu Apr 16 + 3 = Fri 17, Mon 20, Tue 21.
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260421);
    json_decref (r);
    before = cit_get (c, no);
    json_decref (cit_case_cmd (c, "case.extend", no,
                               json_pack ("{s:i, s:s}", "days", 1, "reason", "再延"),
                               PROTO_ERR_WRONG_STATE));
    after = cit_get (c, no);
    CU_ASSERT (json_equal (before, after));
    json_decref (before);
    json_decref (after);
}

void
cit_test_clock_pauses_and_extension (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "B");
    char no[48];
    //  employ_subsidy: promised 10, statutory 20, accepted Mon 9 March.
    json_t *r = cit_accept (c, 1, "employ_subsidy", ID_1, NULL, no);
    //  promised 10: Mar 10-13 (4), 16-20 (9), Mon 23 (10).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260323);
    //  statutory 20: Mar 10-13 (4), 16-20 (9), 23-27 (14), 30, 31, Apr 1-3 (19),
    //  Apr 4-6 清明, Tue Apr 7 (20).
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260407);
    CU_ASSERT (json_is_false (json_object_get (r, "provisional")));
    json_decref (r);
    s_clock_supplement (c, no);
    s_clock_special (c, no);
    s_clock_extension (c, no);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

void
cit_test_provisional_deadline (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T_DEC) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char no[48];
    json_t *r = cit_accept (c, 1, "biz_setup", ID_1, NULL, no);
    CU_ASSERT_STRING_EQUAL (no, "BH01-20261228-0001");
    //  promised 3: Tue 29, Wed 30, Thu 31 December (published).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20261231);
    //  statutory 15: Dec 29-31 (3), then 2027, unpublished: weekdays less the days off by
    //  law, 元旦 Fri Jan 1 off; Jan 4-8 (8), 11-15 (13), Mon 18 (14), Tue 19 (15).
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20270119);
    CU_ASSERT (json_is_true (json_object_get (r, "provisional")));
    json_decref (r);
    r = cit_get (c, no);
    CU_ASSERT (json_is_true (json_object_get (r, "provisional")));
    json_decref (r);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  The case clock counts the hall's local dates: at 07:30 in Beijing it is still yesterday
//  in UTC, and the date turns (and warnings come) at local midnight.
void
cit_test_local_date (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T_EARLY) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char no[48];
    json_t *r = cit_accept (c, 1, "biz_setup", ID_1, NULL, no);
    CU_ASSERT_STRING_EQUAL (no, "BH01-20260310-0001");
    CU_ASSERT_EQUAL (proto_int (r, "accepted_day"), 20260310);
    //  promised 3: Wed 11 (1), Thu 12 (2), Fri 13 (3).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260313);
    //  statutory 15: Mar 11-13 (3), 16-20 (8), 23-27 (13), Mon 30 (14), Tue 31 (15).
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260331);
    json_decref (r);
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    //  Limit 3: yellow at ceil(1.5) = 2 days used. To Wed 11 23:59:59.999 local (Wed
    //  15:59 UTC): one day used, nothing yet.
    cit_advance (c, DAY + 16 * HOUR + 29 * 60000 + 59999);
    json_t *events = cit_until_now (sub, c);
    char *w = cit_warnings (events);
    CU_ASSERT_STRING_EQUAL (w, "");
    free (w);
    json_decref (events);
    r = cit_get (c, no);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 1);
    json_decref (r);
    //  One millisecond later it is Thu 12 in Beijing (still Wed 11 in UTC): yellow.
    cit_advance (c, 1);
    events = cit_until_now (sub, c);
    w = cit_warnings (events);
    char expect[96];
    snprintf (expect, sizeof expect, "%s yellow", no);
    CU_ASSERT_STRING_EQUAL (w, expect);
    free (w);
    json_decref (events);
    r = cit_get (c, no);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 2);
    json_decref (r);
    test_sub_destroy (&sub);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  5. Warnings: each level once, on the right day; none for a paused case.

void
cit_test_warnings_once (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "F");
    char no[48], paused[48];
    //  legal_aid: promised 5, statutory 7. Accepted Mon 9 March.
    json_t *r = cit_accept (c, 1, "legal_aid", ID_1, NULL, no);
    //  promised 5: Tue 10 (1), Wed 11 (2), Thu 12 (3), Fri 13 (4), Mon 16 (5).
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260316);
    //  statutory 7: ... Tue 17 (6), Wed 18 (7).
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260318);
    json_decref (r);
    //  A second case whose clock is stopped the same day: it must raise nothing.
    json_decref (cit_accept (c, 1, "legal_aid", ID_2, NULL, paused));
    json_decref (cit_case_cmd (c, "case.request_supplement", paused,
                               json_pack ("{s:[s]}", "missing", "收入证明"), PROTO_ERR_OK));
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);

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
            cit_do (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)DAY), PROTO_ERR_OK);
        long long now = proto_int (adv, "now");
        CU_ASSERT_EQUAL (now, T0 + (long long)(d + 1) * DAY);
        json_decref (adv);
        json_t *events = cit_until_now (sub, c);
        char *w = cit_warnings (events);
        char expect[128] = "";
        if (days[d].warning)
            snprintf (expect, sizeof expect, "%s %s", no, days[d].warning);
        CU_ASSERT_STRING_EQUAL (w, expect);
        if (strcmp (w, expect) != 0)
            fprintf (stderr, "\n  %d: warnings \"%s\", expected \"%s\"\n", days[d].date, w, expect);
        size_t i;
        json_t *e;
        json_array_foreach (events, i, e) {
            if (strcmp (proto_str (e, "topic"), "case.warning") != 0)
                continue;
            json_t *body = json_object_get (e, "body");
            CU_ASSERT_EQUAL (proto_int (body, "time"), now);
            CU_ASSERT_EQUAL (proto_int (body, "elapsed_days"), days[d].elapsed);
            CU_ASSERT_EQUAL (proto_int (body, "limit_days"), 5);
            CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (body, "case"), "state"),
                                    "accepted");
            json_t *app = json_object_get (json_object_get (body, "case"), "applicant");
            CU_ASSERT_STRING_EQUAL (proto_str (app, "id_number"), "1101**********0016");
        }
        free (w);
        json_decref (events);
        r = cit_get (c, no);
        CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), days[d].elapsed);
        json_decref (r);
    }
    r = cit_get (c, no);
    json_t *w = json_object_get (r, "warnings");
    CU_ASSERT_EQUAL (json_array_size (w), 4);
    const char *levels[] = {"yellow", "red", "overdue", "statutory_overdue"};
    for (size_t i = 0; i < 4 && i < json_array_size (w); i++)
        CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (w, i)), levels[i]);
    json_decref (r);
    //  The paused case: still nothing used, nothing raised.
    r = cit_get (c, paused);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "warnings")), 0);
    CU_ASSERT_EQUAL (proto_int (r, "elapsed_days"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "paused");
    json_decref (r);
    //  A jump of a week raises nothing new either.
    cit_advance (c, 7 * DAY);
    json_t *events = cit_until_now (sub, c);
    char *text = cit_warnings (events);
    CU_ASSERT_STRING_EQUAL (text, "");
    free (text);
    json_decref (events);

    json_decref (t);
    test_sub_destroy (&sub);
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
    json_t *before = cit_get (c, no);
    json_t *r = cit_case_cmd (c, command, no, extra, expect);
    json_decref (r);
    json_t *after = cit_get (c, no);
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

void
cit_test_bad_transitions (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char acc[48], pick[48], den[48], wd[48], appr[48], na[48];

    //  A promised case must be reviewed before it is decided.
    json_decref (cit_accept (c, 1, "biz_setup", ID_1, NULL, acc));
    s_refused (c, "case.approve", acc, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.deny", acc, json_pack ("{s:s}", "reason", "不符合条件"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.special_end", acc, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.supplement_received", acc, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.hand_out", acc, json_pack ("{s:i}", "counter", 1), PROTO_ERR_WRONG_STATE);
    cit_expect_state (c, acc, "accepted");

    //  Awaiting pickup: decided, so it can no longer be withdrawn; then collected.
    json_decref (cit_accept (c, 1, "biz_setup", ID_2, NULL, pick));
    json_decref (cit_case_cmd (c, "case.review", pick, NULL, PROTO_ERR_OK));
    s_refused (c, "case.review", pick, NULL, PROTO_ERR_WRONG_STATE); //  in review already
    json_decref (cit_case_cmd (c, "case.approve", pick, NULL, PROTO_ERR_OK));
    cit_expect_state (c, pick, "awaiting_pickup");
    s_refused (c, "case.withdraw", pick, json_pack ("{s:s}", "reason", "不要了"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.approve", pick, NULL, PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.extend", pick, json_pack ("{s:i, s:s}", "days", 1, "reason", "延"),
               PROTO_ERR_WRONG_STATE);
    s_refused (c, "case.request_supplement", pick, json_pack ("{s:[s]}", "missing", "证明"),
               PROTO_ERR_WRONG_STATE);
    json_decref (cit_do (c, "case.hand_out",
                         json_pack ("{s:s, s:i}", "case_no", pick, "counter", 1), PROTO_ERR_OK));
    s_refused (c, "case.review", pick, NULL, PROTO_ERR_WRONG_STATE);
    s_final_refuses_all (c, pick);

    //  Denial needs its reason; then denied is final.
    json_decref (cit_accept (c, 1, "legal_aid", ID_3, NULL, den));
    json_decref (cit_case_cmd (c, "case.review", den, NULL, PROTO_ERR_OK));
    s_refused (c, "case.deny", den, NULL, PROTO_ERR_MISSING_FIELD);
    s_refused (c, "case.deny", den, json_pack ("{s:s}", "reason", ""), PROTO_ERR_BAD_FIELD);
    json_t *r = cit_case_cmd (c, "case.deny", den,
                              json_pack ("{s:s}", "reason", "经济状况不符合条件"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "denied");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "reason"), "经济状况不符合条件");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next_step"), "不予许可：经济状况不符合条件 / Denied");
    json_decref (r);
    s_final_refuses_all (c, den);

    //  Withdrawn is final.
    json_decref (cit_accept (c, 1, "fund_withdraw", ID_4, NULL, wd));
    json_decref (cit_case_cmd (c, "case.withdraw", wd, json_pack ("{s:s}", "reason", "申请人撤回"),
                               PROTO_ERR_OK));
    cit_expect_state (c, wd, "withdrawn");
    s_final_refuses_all (c, wd);

    //  Approved without a physical result is final at once.
    json_decref (cit_accept (c, 1, "fund_withdraw", ID_5, NULL, appr));
    json_decref (cit_case_cmd (c, "case.review", appr, NULL, PROTO_ERR_OK));
    r = cit_case_cmd (c, "case.approve", appr, NULL, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "approved");
    json_decref (r);
    s_final_refuses_all (c, appr);

    //  Refused at intake is final.
    r = cit_do (c, "case.not_accepted",
                json_pack ("{s:i, s:s, s:s, s:s, s:s}", "counter", 1, "item", "biz_change", "name",
                           "某公司", "uscc", USCC_OK, "reason", "不属于本机关职权范围"),
                PROTO_ERR_OK);
    snprintf (na, sizeof na, "%s", proto_str (r, "case_no"));
    json_decref (r);
    s_final_refuses_all (c, na);

    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  7. Immediate items (即办件).

void
cit_test_immediate_item (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "E");
    char no[48];
    json_t *r = cit_accept (c, 1, "marriage", ID_1, NULL, no);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "kind"), "immediate");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "department"), "civil");
    //  0 working days: the deadline is the acceptance day itself.
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260309);
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20260309);
    CU_ASSERT_EQUAL (proto_int (r, "limit_days"), 0);
    json_decref (r);
    //  The counter decides it on the spot, straight from accepted.
    cit_advance (c, 10 * 60000);
    r = cit_case_cmd (c, "case.approve", no, json_pack ("{s:s}", "clerk", "张三"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "awaiting_pickup"); //  a certificate
    json_t *dec = json_object_get (r, "decision");
    CU_ASSERT_STRING_EQUAL (proto_str (dec, "by"), "张三");
    CU_ASSERT (json_is_true (json_object_get (dec, "on_time")));
    CU_ASSERT_EQUAL (proto_int (r, "concluded"), T0 + 10 * 60000);
    json_decref (r);
    json_decref (cit_do (c, "case.hand_out", json_pack ("{s:s, s:i}", "case_no", no, "counter", 1),
                         PROTO_ERR_OK));
    cit_expect_state (c, no, "collected");
    //  An immediate case can still go through review and be denied from there.
    char no2[48];
    json_decref (cit_accept (c, 1, "marriage", ID_2, NULL, no2));
    json_decref (cit_case_cmd (c, "case.review", no2, NULL, PROTO_ERR_OK));
    r = cit_case_cmd (c, "case.deny", no2, json_pack ("{s:s}", "reason", "未达法定婚龄"),
                      PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "denied");
    json_decref (r);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  8. SIGKILL in the middle of a review loses nothing acknowledged.

void
cit_test_crash_in_review (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    const char *ids[] = {ID_1, ID_2, ID_3};
    char nos[5][48];
    for (int i = 0; i < 3; i++)
        json_decref (cit_accept (c, 1, "biz_setup", ids[i], NULL, nos[i]));
    json_decref (cit_accept (c, 1, "legal_aid", ID_1, NULL, nos[3]));
    json_decref (cit_case_cmd (c, "case.review", nos[1], json_pack ("{s:s}", "clerk", "李四"),
                               PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.review", nos[2], json_pack ("{s:s}", "clerk", "李四"),
                               PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.request_supplement", nos[2],
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
        json_t *r = cit_get (c, nos[i]);
        CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), states[i]);
        json_decref (r);
    }
    //  The sequence continues: no number is handed out twice.
    json_t *t2 = cit_serve (c, 2, "A");
    json_decref (cit_accept (c, 2, "biz_setup", ID_4, NULL, nos[4]));
    CU_ASSERT_STRING_EQUAL (nos[4], "BH01-20260309-0005");
    //  The pause survived too: the reviewed case resumes in review.
    json_decref (cit_case_cmd (c, "case.supplement_received", nos[2], NULL, PROTO_ERR_OK));
    cit_expect_state (c, nos[2], "in_review");

    //  Warnings raised before a crash are not raised again after it. biz_setup (limit 3):
    //  yellow at 2 days used (Wed 11), red at 3 (Thu 12), overdue on Fri 13. legal_aid
    //  (limit 5): yellow Thu 12, red Fri 13. nos[2]'s pause [Mar 9, Mar 10) covers only
    //  its acceptance day, which never counts: its clock is the others'.
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    cit_advance (c, 2 * DAY); //  Wed 11
    json_t *events = cit_until_now (sub, c);
    char *w = cit_warnings (events);
    char expect[1024];
    snprintf (expect, sizeof expect, "%s yellow; %s yellow; %s yellow; %s yellow", nos[0], nos[1],
              nos[2], nos[4]);
    CU_ASSERT_STRING_EQUAL (w, expect);
    if (strcmp (w, expect) != 0)
        fprintf (stderr, "\n  Wed 11: \"%s\"\n  expected \"%s\"\n", w, expect);
    free (w);
    json_decref (events);
    cit_advance (c, DAY); //  Thu 12
    events = cit_until_now (sub, c);
    w = cit_warnings (events);
    snprintf (expect, sizeof expect, "%s red; %s red; %s red; %s yellow; %s red", nos[0], nos[1],
              nos[2], nos[3], nos[4]);
    CU_ASSERT_STRING_EQUAL (w, expect);
    if (strcmp (w, expect) != 0)
        fprintf (stderr, "\n  Thu 12: \"%s\"\n  expected \"%s\"\n", w, expect);
    free (w);
    json_decref (events);
    test_sub_destroy (&sub);

    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGKILL), 128 + SIGKILL);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_destroy (&c);
    c = test_client (&b);
    sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    //  Same day after restart: nothing again.
    events = cit_until_now (sub, c);
    w = cit_warnings (events);
    CU_ASSERT_STRING_EQUAL (w, "");
    free (w);
    json_decref (events);
    //  Fri 13: only the new levels.
    cit_advance (c, DAY);
    events = cit_until_now (sub, c);
    w = cit_warnings (events);
    snprintf (expect, sizeof expect, "%s overdue; %s overdue; %s overdue; %s red; %s overdue",
              nos[0], nos[1], nos[2], nos[3], nos[4]);
    CU_ASSERT_STRING_EQUAL (w, expect);
    if (strcmp (w, expect) != 0)
        fprintf (stderr, "\n  Fri 13: \"%s\"\n  expected \"%s\"\n", w, expect);
    free (w);
    json_decref (events);
    json_t *r = cit_get (c, nos[0]);
    json_t *levels = json_object_get (r, "warnings");
    CU_ASSERT_EQUAL (json_array_size (levels), 3);
    json_decref (r);
    test_sub_destroy (&sub);

    json_decref (t);
    json_decref (t2);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  9. Refusal at intake; the back office's queue.

//  A refusal at intake is recorded with its reason and concluded at once; its audit trail
//  has the one step.
static void
s_queue_refusal (proto_client_t *c)
{
    json_t *r = cit_do (c, "case.not_accepted",
                        json_pack ("{s:i, s:s, s:s, s:s, s:s, s:s}", "counter", 1, "item",
                                   "biz_setup", "name", "冯三", "id_number", ID_3, "phone", PHONE,
                                   "reason", "申请事项不属于本机关职权范围"),
                        PROTO_ERR_OK);
    char na[48];
    snprintf (na, sizeof na, "%s", proto_str (r, "case_no"));
    CU_ASSERT_STRING_EQUAL (na, "BH01-20260309-0003");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "not_accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "reason"), "申请事项不属于本机关职权范围");
    CU_ASSERT_EQUAL (proto_int (r, "concluded"), T0);
    CU_ASSERT (cit_null (r, "promised_deadline"));
    CU_ASSERT_STRING_EQUAL (proto_str (r, "clock"), "stopped");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "next_step"),
                            "不予受理：申请事项不属于本机关职权范围 / Not accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (r, "applicant"), "phone"), PHONE_MASKED);
    json_decref (r);
    r = cit_case_cmd (c, "case.audit", na, NULL, PROTO_ERR_OK);
    json_t *steps = json_object_get (r, "steps");
    CU_ASSERT_EQUAL_FATAL (json_array_size (steps), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (steps, 0), "topic"), "case.not_accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (steps, 0), "reason"),
                            "申请事项不属于本机关职权范围");
    json_decref (r);
}

//  The market department's queue, most urgent first; masked applicants, whole USCC.
static void
s_queue_market (proto_client_t *c, const char *c1, const char *p1, const char *p2, const char *k)
{
    //  The market department's queue, most urgent first: c1 (Fri 13), p1 (Mon 16), then
    //  those with no running deadline: p2 (awaiting material) and k (awaiting pickup), by
    //  number. The refusal is not open and not listed; h belongs to hrss.
    json_t *r = cit_do (c, "case.queue", json_pack ("{s:s}", "department", "market"), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (proto_int (r, "today"), 20260310);
    json_t *cases = json_object_get (r, "cases");
    const char *want[] = {c1, p1, p2, k};
    char got[4][48] = {"", "", "", ""};
    CU_ASSERT_EQUAL (json_array_size (cases), 4);
    for (size_t i = 0; i < 4 && i < json_array_size (cases); i++)
        snprintf (got[i], sizeof got[i], "%s", proto_str (json_array_get (cases, i), "case_no"));
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
    json_array_foreach (cases, i, cs) {
        json_t *app = json_object_get (cs, "applicant");
        if (strcmp (proto_str (cs, "case_no"), p1) == 0) {
            CU_ASSERT_STRING_EQUAL (proto_str (app, "id_number"), "1101**********0016");
            CU_ASSERT_STRING_EQUAL (proto_str (app, "phone"), PHONE_MASKED);
            CU_ASSERT_STRING_EQUAL (proto_str (cs, "clock"), "running");
            CU_ASSERT_EQUAL (proto_int (cs, "elapsed_days"), 1);
            CU_ASSERT_EQUAL (proto_int (cs, "limit_days"), 5);
        }
        if (strcmp (proto_str (cs, "case_no"), c1) == 0)
            CU_ASSERT_STRING_EQUAL (proto_str (app, "uscc"), USCC_OK2);
        CU_ASSERT_PTR_NULL (json_object_get (cs, "token"));
        CU_ASSERT_STRING_EQUAL (proto_str (cs, "department"), "market");
    }
    json_decref (r);
}

//  Filters: by state, by department and state, another department, everything.
static void
s_queue_filters (proto_client_t *c, const char *c1, const char *p1, const char *p2, const char *h)
{
    json_t *r =
        cit_do (c, "case.queue", json_pack ("{s:s}", "state", "supplement_pending"), PROTO_ERR_OK);
    json_t *cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (cases, 0), "case_no"), p2);
    json_decref (r);
    r = cit_do (c, "case.queue",
                json_pack ("{s:s, s:s}", "department", "market", "state", "accepted"),
                PROTO_ERR_OK);
    cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 2);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (cases, 0), "case_no"), c1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (cases, 1), "case_no"), p1);
    json_decref (r);
    r = cit_do (c, "case.queue", json_pack ("{s:s}", "department", "hrss"), PROTO_ERR_OK);
    cases = json_object_get (r, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (cases, 0), "case_no"), h);
    json_decref (r);
    r = cit_do (c, "case.queue", json_pack ("{s:s}", "department", "civil"), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "cases")), 0);
    json_decref (r);
    r = cit_do (c, "case.queue", json_object (), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "cases")), 5); //  + h
    json_decref (r);
}

void
cit_test_not_accepted_and_queue (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char p1[48], p2[48], h[48], k[48], c1[48];

    //  Mon 9 March.
    json_t *r = cit_do (
        c, "case.accept",
        cit_body (1, "biz_setup", "吴一", ID_1, NULL, PHONE, cit_docs ("biz_setup")), PROTO_ERR_OK);
    snprintf (p1, sizeof p1, "%s", proto_str (r, "case_no")); //  promised Thu 12
    json_decref (r);
    r = cit_do (
        c, "case.supplement",
        cit_body (1, "biz_setup", "郑二", ID_2, NULL, NULL, json_pack ("[s]", "application")),
        PROTO_ERR_OK);
    snprintf (p2, sizeof p2, "%s", proto_str (r, "case_no")); //  no deadline
    json_decref (r);
    s_queue_refusal (c);
    r = cit_accept (c, 1, "employ_subsidy", ID_1, NULL, h); //  hrss, promised Mon 23
    json_decref (r);
    json_decref (cit_accept (c, 1, "biz_setup", ID_4, NULL, k)); //  promised Thu 12
    json_decref (cit_case_cmd (c, "case.review", k, NULL, PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.approve", k, NULL, PROTO_ERR_OK)); //  awaiting pickup

    //  Tue 10: a company's change (promised Fri 13), and p1 is extended by 2 (to Mon 16).
    cit_advance (c, DAY);
    json_t *t2 = cit_serve (c, 1, "A");
    json_decref (cit_accept (c, 1, "biz_change", NULL, USCC_OK2, c1));
    CU_ASSERT_STRING_EQUAL (c1, "BH01-20260310-0001");
    r = cit_case_cmd (c, "case.extend", p1,
                      json_pack ("{s:i, s:s}", "days", 2, "reason", "需核查住所"), PROTO_ERR_OK);
    //  Thu 12 + 2 working days: Fri 13, Mon 16.
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20260316);
    json_decref (r);
    s_queue_market (c, c1, p1, p2, k);
    s_queue_filters (c, c1, p1, p2, h);
    json_decref (t);
    json_decref (t2);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  10. The audit trail names the device that acted.

//  Sets `field` to `value` in the journal event of case `no` with `topic`, in the store in
//  `data` (its broker stopped): what an earlier broker, or this one under CURVE, wrote.
static void
s_journal_set (const char *data, const char *no, const char *topic, const char *field,
               const char *value)
{
    broker_store_t *store = broker_store_open (data, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    //  The case's events, from the case log (keys: case number, NUL, sequence).
    size_t nlen = strlen (no);
    json_t *seqs = json_array ();
    broker_store_iter_t it;
    broker_store_scan (store, BROKER_DB_CASE_LOG, no, nlen + 1, &it);
    while (broker_store_next (&it))
        if (it.key.mv_size == nlen + 9)
            json_array_append_new (seqs, json_stringn ((const char *)it.key.mv_data + nlen + 1, 8));
    CU_ASSERT_EQUAL (broker_store_scan_end (&it), 0);
    int found = 0;
    size_t i;
    json_t *seq;
    json_array_foreach (seqs, i, seq) {
        json_t *e = broker_store_get_json (store, BROKER_DB_EVENTS, json_string_value (seq), 8);
        if (e && strcmp (proto_str (e, "topic"), topic) == 0) {
            json_object_set_new (e, field, json_string (value));
            CU_ASSERT_EQUAL (
                broker_store_put_json (store, BROKER_DB_EVENTS, json_string_value (seq), 8, e), 0);
            found++;
        }
        json_decref (e);
    }
    CU_ASSERT_EQUAL (found, 1);
    json_decref (seqs);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    broker_store_destroy (&store);
}

//  Events name the device that acted "by_device"; brokers before them named it "device",
//  and a store they wrote keeps its audit trail. The steps call it "device" either way.
void
cit_test_audit_devices (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = cit_serve (c, 1, "A");
    char no[48];
    json_decref (cit_accept (c, 1, "biz_setup", ID_1, NULL, no));
    json_decref (
        cit_case_cmd (c, "case.review", no, json_pack ("{s:s}", "clerk", "李四"), PROTO_ERR_OK));
    //  This test hall runs without CURVE: no device is named.
    json_t *r = cit_case_cmd (c, "case.audit", no, NULL, PROTO_ERR_OK);
    json_t *steps = json_object_get (r, "steps");
    CU_ASSERT_EQUAL_FATAL (json_array_size (steps), 2);
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (steps, 0), "device"));
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (steps, 1), "device"));
    json_decref (r);
    proto_client_destroy (&c);
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    char data[700];
    snprintf (data, sizeof data, "%s/data", b.dir);
    s_journal_set (data, no, "case.accepted", "device", "旧窗口");
    s_journal_set (data, no, "case.review_started", "by_device", "后台1");
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    c = test_client (&b);
    r = cit_case_cmd (c, "case.audit", no, NULL, PROTO_ERR_OK);
    steps = json_object_get (r, "steps");
    CU_ASSERT_EQUAL_FATAL (json_array_size (steps), 2);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (steps, 0), "device"), "旧窗口");
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (steps, 0), "clerk"), "张三");
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (steps, 1), "device"), "后台1");
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (steps, 1), "by_device"));
    json_decref (r);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}
