/*  test_report_it.c — the hall's report (proto_report.h, `onewindow report`) and its
    service vitality index (proto_index.h) against a real broker on a simulated clock; the
    report module alone, on events made by hand, is tested in test_report.c.

    A week of March 2026 (no holiday in it) is played with exact clock steps, so every
    figure is worked out by hand below: tickets with known waits and handling times,
    ratings and a rectification, counters with a pause, and cases — decided on time, early,
    late, after a 补正, an immediate item (即办件), a refusal at intake, a 补正 notice at
    intake, a result collected from the cabinet and two at counters. The day report is
    checked against the hand-worked figures, against `onewindow monitor --json` (proto_kpi,
    the live figures) at the same moment and at the end of the day, and again once the day
    is closed; --csv is parsed; the month report adds the other days and a late notice.
    The rest of a Tuesday adds priority tickets, bookings, an override and a collection
    after hours, so that every index is measured and can be worked out by hand. */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_figures.h"
#include "proto_index.h"
#include "proto_json.h"
#include "proto_journal.h"
#include "proto_msg.h"
#include "proto_report.h"
#include "test_case_it.h"
#include "test_report.h"
#include "tests.h"

//  Monday 2026-03-02 09:00 in Beijing (test_case_it.h's T0 is a week later).
#define MON (T0 - 7 * DAY)
#define MIN 60000LL
//  Friday 2026-03-06, the day of the report.
#define FRI (MON + 4 * DAY)

//  The hall: services A and D, counters 1 (A, D), 2 (A) and 5 (D), a 30-minute over-wait
//  limit, three items on the published calendar; its index config (the broker ignores it):
//  a manual score and a capability, a weight taken away. Caller frees the path.
static char *
s_config (const char *dir)
{
    char calendar[PATH_MAX];
    CU_ASSERT_FATAL (realpath (test_src ("etc/calendar"), calendar) != NULL);
    char *path = malloc (600), *text = malloc (8192);
    snprintf (path, 600, "%s/hall.json", dir);
    snprintf (
        text, 8192,
        "{\"hall\": {\"id\": \"R1\", \"name\": \"报表测试大厅\", \"name_en\": \"Report hall\"},"
        " \"over_wait_minutes\": 30, \"missed\": {\"rule\": \"void\"},"
        " \"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\", \"name_en\": \"Business\","
        "                 \"mean_service_s\": 600},"
        "                {\"prefix\": \"D\", \"name\": \"税务办理\", \"name_en\": \"Tax\","
        "                 \"mean_service_s\": 300}],"
        " \"counters\": [{\"id\": 1, \"services\": [\"A\", \"D\"]}, {\"id\": 2, \"services\": "
        "[\"A\"]},"
        "                {\"id\": 5, \"services\": [\"D\"]}],"
        " \"cases\": {\"calendar\": \"%s\"},"
        " \"departments\": {\"market\": \"市场监督管理局\", \"tax\": \"税务局\"},"
        " \"items\": ["
        "  {\"id\": \"licence\", \"name\": \"经营许可\", \"service\": \"A\", \"department\": "
        "\"market\","
        "   \"kind\": \"promised\", \"statutory_days\": 10, \"promised_days\": 3,"
        "   \"applicant\": \"person\", \"physical_result\": true,"
        "   \"documents\": [{\"id\": \"application\", \"name\": \"申请书\"},"
        "                  {\"id\": \"id_copy\", \"name\": \"身份证复印件\"}]},"
        "  {\"id\": \"subsidy\", \"name\": \"补贴申领\", \"service\": \"A\", \"department\": "
        "\"market\","
        "   \"kind\": \"promised\", \"statutory_days\": 10, \"promised_days\": 2,"
        "   \"applicant\": \"person\", \"physical_result\": false,"
        "   \"documents\": [{\"id\": \"application\", \"name\": \"申请书\"}]},"
        "  {\"id\": \"invoice\", \"name\": \"发票领用\", \"service\": \"D\", \"department\": "
        "\"tax\","
        "   \"kind\": \"immediate\", \"statutory_days\": 0, \"applicant\": \"company\","
        "   \"physical_result\": true,"
        "   \"documents\": [{\"id\": \"application\", \"name\": \"发票领用申请\"}]}],"
        " \"index\": {\"manual\": {\"service\": {\"cross_region\": 100}},"
        "             \"capabilities\": [\"self_service\"],"
        "             \"indices\": {\"evaluation\": {\"indicators\": [{\"id\": "
        "\"rating_rate\", \"weight\": 0}]}}}}",
        calendar);
    test_write_file (path, text);
    free (text);
    return path;
}

//  ---------------------------------------------------------------------------------------
//  Driving the hall

//  The broker's clock, moved only through s_at.
static long long s_now;

static void
s_at (proto_client_t *c, long long when)
{
    CU_ASSERT_FATAL (when >= s_now);
    if (when > s_now)
        cit_advance (c, when - s_now);
    s_now = when;
}

static void
s_counter (proto_client_t *c, const char *command, int counter)
{
    cit_ok (c, command, json_pack ("{s:i}", "counter", counter));
}

//  Issues a ticket of `service`; its token into `token` (32 bytes) when not NULL.
static void
s_issue (proto_client_t *c, const char *service, char *token)
{
    json_t *r = cit_do (c, "ticket.issue", json_pack ("{s:s}", "service", service), PROTO_ERR_OK);
    if (token)
        snprintf (token, 32, "%s", proto_str (r, "token"));
    json_decref (r);
}

//  An intake (`command`) at `counter` with the item's documents (`docs`: how many of them,
//  in the config's order; 0 sends none), and `extra` fields (taken; may be NULL); the case
//  number into `no` (48 bytes).
static void
s_intake (proto_client_t *c, const char *command, int counter, const char *item, const char *id,
          int docs, json_t *extra, char *no)
{
    json_t *d = docs ? json_array () : NULL;
    static const char *const names[] = {"application", "id_copy"};
    for (int i = 0; i < docs; i++)
        json_array_append_new (d, json_string (names[i]));
    json_t *body = cit_body (counter, item, "申请人", strcmp (item, "invoice") ? id : NULL,
                             strcmp (item, "invoice") ? NULL : id, NULL, d);
    if (extra) {
        json_object_update (body, extra);
        json_decref (extra);
    }
    json_t *r = cit_do (c, command, body, PROTO_ERR_OK);
    if (no)
        snprintf (no, 48, "%s", proto_str (r, "case_no"));
    json_decref (r);
}

//  A case command expected to succeed, with extra fields (taken; may be NULL).
static void
s_case (proto_client_t *c, const char *command, const char *no, json_t *extra)
{
    json_decref (cit_case_cmd (c, command, no, extra, PROTO_ERR_OK));
}

//  The cases of the week, by their part in it (docs/REPORT.md's figures, by hand).
typedef struct {
    char c1[48]; //  licence, accepted Wed, approved Fri: on time, early; collected at the cabinet
    char c2[48]; //  licence, accepted Mon, approved Fri: late (promised Thu); handed out
    char c3[48]; //  subsidy, accepted Mon, 补正 Tue-Wed, approved Fri: on time, not 一次办结
    char c4[48]; //  licence, 补正 notice at intake Fri, material the same day: accepted
    char c5[48]; //  invoice (即办件), accepted and approved Fri at counter 5, handed out
    char c6[48]; //  licence, refused at intake Fri
    char c7[48]; //  licence, accepted Mon, 补正 asked Tue 03-10: a late notice
    char c9[48]; //  subsidy, accepted Mon, denied Fri: late (promised Wed)
} s_week_t;

//  Monday to Wednesday: the cases taken in before the report's day. Counter 1 serves one
//  A ticket each day (wait 0, handling 5 minutes) and takes the applications in.
static void
s_before (proto_client_t *c, s_week_t *w)
{
    json_decref (cit_serve (c, 1, "A"));
    s_intake (c, "case.accept", 1, "licence", ID_1, 2, NULL, w->c2);
    s_intake (c, "case.accept", 1, "subsidy", ID_1, 1, NULL, w->c3);
    s_intake (c, "case.accept", 1, "licence", ID_2, 2, NULL, w->c7);
    s_intake (c, "case.accept", 1, "subsidy", ID_2, 1, NULL, w->c9);
    s_at (c, MON + 5 * MIN);
    s_counter (c, "ticket.finish", 1);
    s_counter (c, "counter.logout", 1);
    s_case (c, "case.review", w->c2, NULL);
    s_case (c, "case.review", w->c3, NULL);
    s_case (c, "case.review", w->c9, NULL);
    //  Tuesday: the back office asks for more (a notice 1 day after receipt).
    s_at (c, MON + DAY);
    s_case (c, "case.request_supplement", w->c3,
            json_pack ("{s:[s], s:s}", "missing", "银行账户证明", "reason", "账户信息不全"));
    //  Wednesday: it arrives; C1 is taken in.
    s_at (c, MON + 2 * DAY);
    s_case (c, "case.supplement_received", w->c3, NULL);
    json_decref (cit_serve (c, 1, "A"));
    s_intake (c, "case.accept", 1, "licence", ID_3, 2, NULL, w->c1);
    s_at (c, MON + 2 * DAY + 5 * MIN);
    s_counter (c, "ticket.finish", 1);
    s_counter (c, "counter.logout", 1);
    s_case (c, "case.review", w->c1, NULL);
}

//  Friday from 09:00 to 10:05, the day of the report (minutes after 09:00):
//
//    0   A001, A002, A003, D001 issued; counters 1 (A, D) and 5 (D) open
//    10  1 calls A001 (wait 10), 5 calls D001 (wait 10), both start; C1, C2, C3 approved,
//        C9 denied; at 5: C5 accepted and approved (即办件), C6 refused
//    15  at 1: C4 taken in with a 补正 notice (一次性告知 at intake)
//    20  C4's material arrives (accepted); 1 and 5 finish (handling 10 each); C1 into the
//        cabinet; C5 handed out at 5 (10 minutes after its decision)
//    40  1 calls A002 (wait 40: over 30), starts
//    50  1 finishes A002 (10); C2 handed out at 1 (40 minutes after its decision);
//        1 calls A003 (wait 50: over), missed
//    60  A001 rated 5, A002 4, D001 2 (差评: a rectification, closed at once); 5 pauses
//    65  C1 collected from the cabinet (45 minutes after its deposit)
static void
s_friday (proto_client_t *c, s_week_t *w)
{
    char a001[32], a002[32], d001[32];
    s_at (c, FRI);
    s_issue (c, "A", a001);
    s_issue (c, "A", a002);
    s_issue (c, "A", NULL);
    s_issue (c, "D", d001);
    cit_ok (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三"));
    cit_ok (c, "counter.login",
            json_pack ("{s:i, s:[s], s:s}", "counter", 5, "services", "D", "clerk", "王芳"));
    s_at (c, FRI + 10 * MIN);
    s_counter (c, "ticket.call_next", 1);
    s_counter (c, "ticket.start", 1);
    s_counter (c, "ticket.call_next", 5);
    s_counter (c, "ticket.start", 5);
    s_case (c, "case.approve", w->c1, json_pack ("{s:s}", "clerk", "周敏"));
    s_case (c, "case.approve", w->c2, json_pack ("{s:s}", "clerk", "周敏"));
    s_case (c, "case.approve", w->c3, json_pack ("{s:s}", "clerk", "周敏"));
    s_case (c, "case.deny", w->c9, json_pack ("{s:s}", "reason", "不符合申领条件"));
    s_intake (c, "case.accept", 5, "invoice", USCC_OK, 1, NULL, w->c5);
    s_case (c, "case.approve", w->c5, NULL);
    s_intake (c, "case.not_accepted", 5, "licence", ID_5, 0,
              json_pack ("{s:s}", "reason", "不属于本中心管辖"), w->c6);
    s_at (c, FRI + 15 * MIN);
    s_intake (c, "case.supplement", 1, "licence", ID_4, 1, NULL, w->c4);
    s_at (c, FRI + 20 * MIN);
    s_case (c, "case.supplement_received", w->c4, json_pack ("{s:[s]}", "documents", "id_copy"));
    s_counter (c, "ticket.finish", 1);
    s_counter (c, "ticket.finish", 5);
    s_case (c, "vault.deposited", w->c1,
            json_pack ("{s:s, s:s}", "cabinet", "CAB1", "slot", "A01"));
    s_case (c, "case.hand_out", w->c5, json_pack ("{s:i}", "counter", 5));
    s_at (c, FRI + 40 * MIN);
    s_counter (c, "ticket.call_next", 1);
    s_counter (c, "ticket.start", 1);
    s_at (c, FRI + 50 * MIN);
    s_counter (c, "ticket.finish", 1);
    s_case (c, "case.hand_out", w->c2, json_pack ("{s:i}", "counter", 1));
    s_counter (c, "ticket.call_next", 1);
    s_counter (c, "ticket.missed", 1);
    s_at (c, FRI + 60 * MIN);
    cit_ok (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", a001, "level", 5));
    cit_ok (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", a002, "level", 4));
    json_t *bad = cit_do (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", d001, "level", 2),
                          PROTO_ERR_OK);
    //  核实, 整改, 回访: the item is closed (on time) by the return visit.
    json_int_t rid = proto_int (json_object_get (bad, "rectification"), "id");
    cit_ok (c, "rating.verify",
            json_pack ("{s:I, s:s, s:s}", "id", rid, "result", "valid", "clerk", "0101 张主任"));
    cit_ok (c, "rating.rectify",
            json_pack ("{s:I, s:s}", "id", rid, "answer", "已致电回访 / called back"));
    cit_ok (
        c, "rating.revisit",
        json_pack ("{s:I, s:s, s:s}", "id", rid, "result", "satisfied", "clerk", "0101 张主任"));
    json_decref (bad);
    cit_ok (c, "counter.pause", json_pack ("{s:i, s:s}", "counter", 5, "reason", "午休"));
    s_at (c, FRI + 65 * MIN);
    s_case (c, "vault.collected", w->c1,
            json_pack ("{s:s, s:s, s:I}", "cabinet", "CAB1", "slot", "A01", "time",
                       (json_int_t)(FRI + 65 * MIN)));
}

//  ---------------------------------------------------------------------------------------
//  Reading the figures

//  Runs `onewindow ARGS` against broker b: stdout (caller frees) and the exit status. Its
//  stderr goes to a file, which must hold no sanitizer report.
static char *
s_cli (const test_broker_t *b, const char *args, int *status)
{
    char cmd[2048], err[700];
    snprintf (err, sizeof err, "%s/cli.err", b->dir);
    snprintf (cmd, sizeof cmd, "'%s' --broker '%s' %s 2>'%s'", test_bin ("onewindow"), b->req, args,
              err);
    char *out = test_run (cmd, status);
    char *errors = test_read_file (err);
    CU_ASSERT (!errors || !strstr (errors, "Sanitizer"));
    free (errors);
    return out;
}

//  `onewindow ARGS` whose output is JSON, parsed (caller frees); asserts exit 0.
static json_t *
s_cli_json (const test_broker_t *b, const char *args)
{
    int status;
    char *out = s_cli (b, args, &status);
    CU_ASSERT_EQUAL (status, 0);
    json_t *j = json_loads (out ? out : "", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    free (out);
    return j;
}

//  The element of list `list` whose `key` equals `value` (a string or an integer).
static const json_t *
s_find (const json_t *list, const char *key, const json_t *value)
{
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x)
        if (json_equal (json_object_get (x, key), value))
            return x;
    return NULL;
}

//  Every member of `mine` that `live` has too is equal to it; says which is not.
static void
s_same_members (const json_t *mine, const json_t *live, const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)mine, key, v) {
        const json_t *lv = json_object_get (live, key);
        if (lv && !json_equal (v, lv)) {
            char *a = json_dumps (v, JSON_ENCODE_ANY), *l = json_dumps (lv, JSON_ENCODE_ANY);
            fprintf (stderr, "\n  %s.%s: report %s, live %s\n", where, key, a, l);
            free (a);
            free (l);
            CU_FAIL ("a figure of the report differs from the live one");
        }
    }
}

//  The report's figures equal the live ones (proto_kpi, `monitor --json`) where both have
//  them: the hall's totals, each service's and each counter's.
static void
s_same_as_live (const json_t *report, const json_t *live)
{
    const json_t *kpis = json_object_get (report, "kpis");
    const json_t *totals = json_object_get (live, "totals");
    s_same_members (json_object_get (kpis, "tickets"), totals, "tickets");
    s_same_members (json_object_get (kpis, "ratings"), totals, "ratings");
    const char *lists[][2] = {{"services", "prefix"}, {"counters", "id"}};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *x;
        json_array_foreach (json_object_get (kpis, lists[l][0]), i, x) {
            const json_t *lx = s_find (json_object_get (live, lists[l][0]), lists[l][1],
                                       json_object_get (x, lists[l][1]));
            CU_ASSERT_PTR_NOT_NULL_FATAL (lx);
            s_same_members (x, lx, lists[l][0]);
        }
    }
}

//  The ticket, rating and counter figures of Friday (s_friday), closed at 10:10 with both
//  counters logged out.
static void
s_check_friday_tickets (const json_t *r)
{
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.issued"), 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.called"), 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.served"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.missed"), 1);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.expired"), 0);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.over_wait"), 2);               //  40 and 50
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.avg_wait_ms"), 110 * MIN / 4); //  10+10+40+50
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.median_wait_ms"), 10 * MIN);   //  rank 2 of 4
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.p90_wait_ms"), 50 * MIN);      //  rank 4 of 4
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.max_wait_ms"), 50 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.tickets.over_wait_rate"), 0.5, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.avg_service_ms"), 10 * MIN);
    //  Services in config order: A, then D.
    CU_ASSERT_STRING_EQUAL (trep_str (r, "kpis.services.0.prefix"), "A");
    CU_ASSERT_EQUAL (trep_int (r, "kpis.services.0.issued"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.services.0.avg_wait_ms"), 100 * MIN / 3); //  10+40+50
    CU_ASSERT_EQUAL (trep_int (r, "kpis.services.0.median_wait_ms"), 40 * MIN);   //  rank 2 of 3
    CU_ASSERT_EQUAL (trep_int (r, "kpis.services.0.p90_wait_ms"), 50 * MIN);      //  rank 3 of 3
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.services.0.over_wait_rate"), 2.0 / 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.services.0.good_rate"), 1.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.services.1.p90_wait_ms"), 10 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.services.1.good_rate"), 0.0, 1e-12);
    //  Ratings: 5, 4 and 2 for three visits served.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.ratings.rated"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.ratings.ratings.1"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.ratings.rating_rate"), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.ratings.good_rate"), 2.0 / 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.ratings.satisfaction"), 2.0 / 3.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.ratings.bad"), 1);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.ratings.rectifications_opened"), 1);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.ratings.rectifications_on_time"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.ratings.rectification_on_time_rate"), 1.0, 1e-12);
    //  Counters: 1 open 0-70, busy 10-20 and 40-50; 5 open 0-60, busy 10-20, paused 60-70.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.0.served"), 2);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.0.open_ms"), 70 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.0.busy_ms"), 20 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.counters.0.utilisation"), 20.0 / 70.0, 1e-12);
    CU_ASSERT (trep_null (r, "kpis.counters.1.utilisation")); //  counter 2 never opened
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.2.open_ms"), 60 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.2.paused_ms"), 10 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.counters.2.utilisation"), 1.0 / 6.0, 1e-12);
}

//  The case figures of Friday (the decisions, intakes, notice and collections of s_friday;
//  the warnings raised when the clock reached it).
static void
s_check_friday_cases (const json_t *r)
{
    //  C4, C5, C6 taken in; C4 (after its 补正) and C5 accepted, C5 an immediate item.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.received"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.accepted"), 2);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.immediate"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.immediate_share"), 0.5, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.not_accepted"), 1);
    //  Decided: C1 (by Mon 03-09: on time, early), C2 (by Thu 03-05: late), C3 (by Fri
    //  03-06 after its pause: on time), C5 (the same day: on time), C9 denied (by Wed
    //  03-04: late). Every statutory deadline (10 days) is later.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.decided"), 5);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.approved"), 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.denied"), 1);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.on_time"), 3);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.on_time_rate"), 0.6, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.late"), 2);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.early_rate"), 0.2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.statutory_on_time_rate"), 1.0, 1e-12);
    //  一次办结: all but C3, whose 补正 came after acceptance.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.first_time"), 4);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.first_time_rate"), 0.8, 1e-12);
    //  Past the promised deadline when the date became Friday: C2, C7, C9.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.overdue_warnings"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.statutory_overdue_warnings"), 0);
    //  C4's notice at intake: given on receipt, the only one.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.notices.notices"), 1);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.notices.compliant"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.notices.compliance"), 1.0, 1e-12);
    //  C1: 09:20 into the cabinet, out at 10:05. C5: decided 09:10, handed out 09:20; C2:
    //  decided 09:10, handed out 09:50.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.cabinet.collected"), 1);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.cabinet.median_ms"), 45 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.cabinet.p90_ms"), 45 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.counter.collected"), 2);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.counter.median_ms"), 10 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.counter.p90_ms"), 40 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.unmeasured"), 0);
    //  The figures the index reads: A003 missed (void), every ticket a normal one, visits
    //  of 20 (A001, D001) and 50 minutes (A002); four check rounds (C5, C6 and C4 at
    //  intake, C4's material), no override; 一次办成 as 一次办结; collections all in hours.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.unserved"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.tickets.unserved_rate"), 0.25, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.median_visit_ms"), 20 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.p90_visit_ms"), 50 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.normal.issued"), 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.normal.served"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.normal.avg_wait_ms"), 110 * MIN / 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.green.issued"), 0);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.checked"), 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.overridden"), 0);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.override_rate"), 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.one_visit_rate"), 0.8, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.collected"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.after_hours"), 0);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.pickup.cabinet_share"), 1.0 / 3.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.appointments.booked"), 0);
    //  Null only: the waits of priorities nobody had, the bookings nobody made.
    const char *nulls[] = {"kpis.priority.green.avg_wait_ms", "kpis.priority.elderly.avg_wait_ms",
                           "kpis.priority.appointment.avg_wait_ms", "kpis.appointments.kept_rate",
                           "kpis.appointments.in_window_rate"};
    const json_t *why = json_object_get (r, "null_reasons");
    CU_ASSERT_EQUAL (json_object_size (why), sizeof nulls / sizeof nulls[0]);
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        CU_ASSERT_PTR_NOT_NULL (json_object_get (why, nulls[i]));
}

//  Splits one CSV record (RFC 4180) at *p into fields (caller frees); moves *p past it.
static json_t *
s_csv_record (const char **p)
{
    json_t *fields = json_array ();
    char field[1024];
    size_t n = 0;
    bool quoted = false;
    for (;; (*p)++) {
        char ch = **p;
        if (quoted && ch == '"' && (*p)[1] == '"') {
            field[n++] = '"';
            (*p)++;
        } else if (ch == '"' && (quoted || n == 0))
            quoted = !quoted;
        else if (!quoted && (ch == ',' || ch == '\n' || !ch)) {
            field[n] = 0;
            json_array_append_new (fields, json_string (field));
            n = 0;
            if (ch != ',') {
                *p += ch ? 1 : 0;
                return fields;
            }
        } else if (n < sizeof field - 1)
            field[n++] = ch;
    }
}

//  --csv of Friday: a header, then one row of six fields per figure, values as --json's.
static void
s_check_csv (const test_broker_t *b)
{
    int status;
    char *out = s_cli (b, "report --day 2026-03-06 --csv", &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (out);
    const char *p = out;
    json_t *rows = json_object ();
    json_t *head = s_csv_record (&p);
    char *header = json_dumps (head, JSON_COMPACT);
    CU_ASSERT_STRING_EQUAL (header,
                            "[\"figure\",\"value\",\"unit\",\"label\",\"label_en\",\"note\"]");
    free (header);
    json_decref (head);
    size_t count = 0, index = 0;
    while (*p) {
        json_t *f = s_csv_record (&p);
        CU_ASSERT_EQUAL (json_array_size (f), 6);
        index += strncmp (json_string_value (json_array_get (f, 0)), "index.", 6) == 0;
        json_object_set_new (rows, json_string_value (json_array_get (f, 0)), f);
        count++;
    }
    size_t nh, ns, nc;
    proto_figures_hall (&nh);
    proto_figures_service (&ns);
    proto_figures_counter (&nc);
    CU_ASSERT_EQUAL (count, nh + 2 * ns + 3 * nc + index); //  two services, three counters
    //  The index: each of the seven, each of its indicators, the total.
    json_t *config = proto_index_config_default ();
    size_t indicators = 0;
    for (int i = 0; i < PROTO_INDEX_COUNT; i++)
        indicators += json_array_size (json_object_get (
            json_object_get (json_object_get (config, "indices"), proto_index_names ()[i]),
            "indicators"));
    json_decref (config);
    CU_ASSERT_EQUAL (index, PROTO_INDEX_COUNT + indicators + 1);
    const char *expect[][3] = {
        {"tickets.avg_wait_ms", "1650000", "ms"},
        {"tickets.p90_wait_ms", "3000000", "ms"},
        {"cases.on_time_rate", "0.6", "ratio"},
        {"cases.first_time_rate", "0.8", "ratio"},
        {"notices.compliance", "1", "ratio"},
        {"pickup.counter.p90_ms", "2400000", "ms"},
        {"ratings.ratings.4", "1", "count"},
        {"services.A.p90_wait_ms", "3000000", "ms"},
        {"counters.5.utilisation", "0.166667", "ratio"},
        {"counters.2.utilisation", "", "ratio"},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const json_t *f = json_object_get (rows, expect[i][0]);
        CU_ASSERT_PTR_NOT_NULL_FATAL (f);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (f, 1)), expect[i][1]);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (f, 2)), expect[i][2]);
    }
    //  A null figure has its reason; the labels are Chinese first.
    const json_t *idle = json_object_get (rows, "counters.2.utilisation");
    CU_ASSERT (strlen (json_string_value (json_array_get (idle, 5))) > 0);
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_array_get (json_object_get (rows, "cases.on_time_rate"), 3)),
        "按时办结率");
    json_decref (rows);
    free (out);
}

//  The month so far (Tuesday 03-10, 09:00): Friday's figures plus Monday's and
//  Wednesday's tickets and intakes, and C7's 补正 asked on Tuesday 03-10.
static void
s_check_month (const json_t *r)
{
    CU_ASSERT_EQUAL (trep_int (r, "month"), 202603);
    CU_ASSERT_EQUAL (trep_int (r, "period.days"), 5); //  Mon, Tue, Wed, Fri, Tue
    CU_ASSERT (json_is_true (proto_figures_lookup (r, "period.open")));
    //  Two more tickets (wait 0, handling 5 minutes each).
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.issued"), 6);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.served"), 5);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.avg_wait_ms"), 110 * MIN / 6);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.median_wait_ms"), 10 * MIN); //  rank 3 of 6
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.p90_wait_ms"), 50 * MIN);    //  rank 6 of 6
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.avg_service_ms"), 40 * MIN / 5);
    //  Counter 1 on three days: open 5 + 5 + 70, busy 5 + 5 + 20.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.0.served"), 4);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.counters.0.open_ms"), 80 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.counters.0.utilisation"), 30.0 / 80.0, 1e-12);
    //  Eight intakes, seven acceptances, one of them immediate.
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.received"), 8);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.accepted"), 7);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.immediate_share"), 1.0 / 7.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.on_time_rate"), 0.6, 1e-12);
    //  Notices: C3's (a day after receipt), C4's (at intake), C7's (5 working days had
    //  passed since its receipt on 03-02: Tue to Mon).
    CU_ASSERT_EQUAL (trep_int (r, "kpis.notices.notices"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.notices.compliant"), 2);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.notices.late"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.notices.compliance"), 2.0 / 3.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.counter.collected"), 2);
}

//  The text table, the help and the usage errors.
static void
s_check_text (const test_broker_t *b)
{
    int status;
    char *out = s_cli (b, "report --day 2026-03-06", &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (out);
    CU_ASSERT_PTR_NOT_NULL (strstr (out, "报表测试大厅 营业日报 2026-03-06"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out, "按时办结率"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out, "60.0%"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out, "一次性告知合规率"));
    CU_ASSERT_PTR_NOT_NULL (strstr (out, "45 分钟"));
    free (out);
    out = s_cli (b, "report --help", &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT (out && strstr (out, "--month YYYY-MM") && strstr (out, "--csv"));
    free (out);
    const char *bad[] = {"report --day 2026-02-30", "report --month 2026-13",
                         "report --day 2026-03-06 --json --csv", "report --day 2026-03-06 x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        free (s_cli (b, bad[i], &status));
        CU_ASSERT_EQUAL (status, 2);
    }
    //  `report` is listed among the roles.
    out = s_cli (b, "--help", &status);
    CU_ASSERT (out && strstr (out, "report"));
    free (out);
}

//  A booking of service A today at `slot`; its code into `code` (64 bytes).
static void
s_book (proto_client_t *c, const char *slot, const char *phone, char *code)
{
    json_t *r = cit_do (c, "appointment.book",
                        json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "A", "date", 20260310,
                                   "slot", slot, "name", "预约者", "phone", phone),
                        PROTO_ERR_OK);
    snprintf (code, 64, "%s", proto_str (r, "code"));
    json_decref (r);
}

//  Counter 2 calls the next ticket and starts it.
static void
s_call (proto_client_t *c)
{
    s_counter (c, "ticket.call_next", 2);
    s_counter (c, "ticket.start", 2);
}

//  Tuesday 03-10 from 09:00 (after C7's 补正), what the index needs beyond Friday:
//
//    0    bookings for 09:30 (kept) and 10:00 (a no-show at 10:15); a green and an
//         elderly A ticket issued; counter 2 (A) opens
//    5    the 09:30 booking checked in: an appointment ticket
//    10   2 calls the green ticket (wait 10), 15 the elderly one (wait 15), 20 the
//         appointment one (wait 15), each served for 5 minutes; at 20 C10 taken in with
//         its ID number's check overridden; at 25 approved, rated 5 the green visit
//    30   C10 into the cabinet; collected at 19:00, after hours
static void
s_tuesday (proto_client_t *c, char *c10)
{
    long long tue = MON + 8 * DAY;
    char kept[64], missed[64], green[32];
    s_book (c, "09:30", PHONE, kept);
    s_book (c, "10:00", "13912345678", missed);
    json_t *r =
        cit_do (c, "ticket.issue", json_pack ("{s:s, s:s}", "service", "A", "priority", "green"),
                PROTO_ERR_OK);
    snprintf (green, sizeof green, "%s", proto_str (r, "token"));
    json_decref (r);
    cit_ok (c, "ticket.issue", json_pack ("{s:s, s:s}", "service", "A", "priority", "elderly"));
    cit_ok (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 2, "clerk", "李四"));
    s_at (c, tue + 5 * MIN);
    cit_ok (c, "appointment.checkin", json_pack ("{s:s}", "code", kept));
    for (int i = 0; i < 3; i++) {
        s_at (c, tue + (10 + 5 * i) * MIN);
        if (i)
            s_counter (c, "ticket.finish", 2);
        s_call (c);
    }
    s_intake (c, "case.accept", 2, "licence", ID_BAD, 2,
              json_pack ("{s:{s:s}}", "overrides", "id_check_char", "原件已核验 / card seen"), c10);
    s_at (c, tue + 25 * MIN);
    s_counter (c, "ticket.finish", 2);
    cit_ok (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", green, "level", 5));
    s_case (c, "case.review", c10, NULL);
    s_case (c, "case.approve", c10, NULL);
    s_at (c, tue + 30 * MIN);
    s_case (c, "vault.deposited", c10, json_pack ("{s:s, s:s}", "cabinet", "CAB1", "slot", "A02"));
    s_at (c, tue + 10 * 60 * MIN);
    s_case (c, "vault.collected", c10,
            json_pack ("{s:s, s:s, s:I}", "cabinet", "CAB1", "slot", "A02", "time",
                       (json_int_t)(tue + 10 * 60 * MIN)));
}

//  Tuesday's report (s_tuesday, C7's late notice): the figures by hand, and the seven
//  indices, each 0-100, by docs/INDEX.md's defaults.
static void
s_check_tuesday (const json_t *r)
{
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.green.avg_wait_ms"), 10 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.elderly.max_wait_ms"), 15 * MIN);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.priority.appointment.served"), 1);
    CU_ASSERT (trep_null (r, "kpis.priority.normal.avg_wait_ms"));
    CU_ASSERT_EQUAL (trep_int (r, "kpis.tickets.median_visit_ms"), 20 * MIN); //  15, 20, 20
    CU_ASSERT_EQUAL (trep_int (r, "kpis.appointments.booked"), 2);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.appointments.no_show"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.appointments.kept_rate"), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.appointments.in_window_rate"), 1.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.cases.overridden"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.cases.override_rate"), 1.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (r, "kpis.pickup.after_hours"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "kpis.pickup.after_hours_share"), 1.0, 1e-12);
    //  By hand from the figures: standard (notice 0, override 0, statutory 100), efficiency
    //  (wait 800 s, over-wait 0, on time, no immediate item), convenience (cabinet, after
    //  hours, half the bookings kept, counters open 2/3 of the services), service (waits of
    //  10, 15, 15 minutes), experience (all full), evaluation (1 rating of 3 visits, good),
    //  innovation (a cabinet and bookings seen, no status page).
    const char *names[] = {"standard",   "efficiency", "convenience", "service",
                           "experience", "evaluation", "innovation",  "total"};
    const double expect[] = {2000.0 / 60,
                             (20 * 1900.0 / 21 + 1500 + 2500) / 75,
                             (2000 + 1500 + 25 * 250.0 / 3) / 80,
                             4000.0 / 60,
                             100,
                             (3000.0 / 18 + 4000) / 70,
                             3500.0 / 85,
                             0};
    double total = 0;
    for (int i = 0; i < 7; i++)
        total += expect[i] * (i == 1 ? 20 : i == 6 ? 5 : 15) / 100;
    for (int i = 0; i < 8; i++) {
        char path[64];
        snprintf (path, sizeof path, "index.%s", names[i]);
        double v = trep_num (r, path);
        CU_ASSERT (v >= 0 && v <= 100);
        CU_ASSERT_DOUBLE_EQUAL (v, proto_index_round (i < 7 ? expect[i] : total), 1e-9);
    }
    //  The seven and the total, nothing else (issue 16's "index"); their grades beside.
    CU_ASSERT_EQUAL (json_object_size (json_object_get (r, "index")), 8);
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.grades.total"), "C");
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.grades.experience"), "A+");
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.grade"), "C");
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.service.indicators.3.why"),
                            "本厅未配置人工评分 / no manual score is configured for this hall");
}

//  --config: the hall config's index (s_config), on Tuesday by its date; a config that
//  names no index is refused.
static void
s_check_index_config (const test_broker_t *b, const char *config)
{
    char path[700], args[800];
    snprintf (args, sizeof args, "report --day 2026-03-10 --json --config '%s'", config);
    json_t *r = s_cli_json (b, args);
    CU_ASSERT_EQUAL (trep_int (r, "day"), 20260310);
    CU_ASSERT_STRING_EQUAL (trep_str (r, "hall.id"), "R1");
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.service"), 75.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.evaluation"), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.innovation"), proto_index_round (5000.0 / 85),
                            1e-9);
    json_decref (r);
    snprintf (path, sizeof path, "%s/index.json", b->dir);
    snprintf (args, sizeof args, "report --json --config '%s'", path);
    test_write_file (path, "{\"indices\": {\"speed\": {}}}");
    int status;
    free (s_cli (b, args, &status));
    CU_ASSERT_EQUAL (status, 2);
    //  The table and the CSV show the index too.
    char *out = s_cli (b, "report", &status);
    CU_ASSERT (out && strstr (out, "服务效能指数") && strstr (out, "便利 convenience"));
    free (out);
    out = s_cli (b, "report --csv", &status);
    CU_ASSERT (out && strstr (out, "\nindex.total,"));
    free (out);
}

static void
test_report_week (void)
{
    test_broker_t b;
    char *dir = test_tmpdir ();
    char *config = s_config (dir);
    CU_ASSERT_FATAL (test_broker_start (&b, config, MON) == 0);
    s_now = MON;
    proto_client_t *c = test_client (&b);
    s_week_t w;
    memset (&w, 0, sizeof w);
    s_before (c, &w);
    s_friday (c, &w);
    //  The day still running: the report equals the live figures of this moment, counter
    //  1 idle since 50 and counter 5 paused since 60 included.
    json_t *live = s_cli_json (&b, "monitor --json");
    json_t *today = s_cli_json (&b, "report --json");
    CU_ASSERT_EQUAL (trep_int (today, "day"), 20260306);
    CU_ASSERT (json_is_true (proto_figures_lookup (today, "period.open")));
    CU_ASSERT_EQUAL (trep_int (today, "kpis.counters.0.open_ms"), 65 * MIN);
    CU_ASSERT_EQUAL (trep_int (today, "kpis.counters.2.paused_ms"), 5 * MIN);
    s_same_as_live (today, live);
    json_decref (today);
    json_decref (live);
    //  The end of the day: both counters close.
    s_at (c, FRI + 70 * MIN);
    s_counter (c, "counter.logout", 1);
    s_counter (c, "counter.logout", 5);
    live = s_cli_json (&b, "monitor --json");
    json_t *day = s_cli_json (&b, "report --day 2026-03-06 --json");
    s_check_friday_tickets (day);
    s_check_friday_cases (day);
    s_same_as_live (day, live);
    json_decref (day);
    s_check_csv (&b);
    s_check_text (&b);
    //  Tuesday 03-10: C7's 补正, late. Friday is closed now (by Tuesday's hall.day; Thursday
    //  and the weekend have no journal) and reads the same.
    s_at (c, MON + 8 * DAY);
    s_case (c, "case.request_supplement", w.c7, json_pack ("{s:[s]}", "missing", "经营场所证明"));
    day = s_cli_json (&b, "report --day 2026-03-06 --json");
    CU_ASSERT (json_is_false (proto_figures_lookup (day, "period.open")));
    CU_ASSERT_EQUAL (trep_int (day, "period.end"), MON + 8 * DAY);
    s_check_friday_tickets (day);
    s_check_friday_cases (day);
    s_same_as_live (day, live);
    json_decref (day);
    json_decref (live);
    json_t *thursday = s_cli_json (&b, "report --day 2026-03-05 --json");
    CU_ASSERT_EQUAL (trep_int (thursday, "period.days"), 0);
    CU_ASSERT_EQUAL (trep_int (thursday, "kpis.tickets.issued"), 0);
    CU_ASSERT_PTR_NOT_NULL (json_object_get (json_object_get (thursday, "null_reasons"), "period"));
    json_decref (thursday);
    json_t *month = s_cli_json (&b, "report --month 2026-03 --json");
    s_check_month (month);
    json_decref (month);
    //  The rest of Tuesday: every index measured.
    char c10[48];
    s_tuesday (c, c10);
    json_t *tuesday = s_cli_json (&b, "report --json");
    s_check_tuesday (tuesday);
    json_decref (tuesday);
    s_check_index_config (&b, config);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (config);
    free (dir);
}

int
test_report_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("report_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a week on a broker: the day by hand, live figures, CSV, the month",
                 test_report_week);
    return 0;
}
