/*  test_spec.c — protocol/PROTOCOL.md held to the broker and to the protocol table.

    - Every event a real broker journals, over a day that publishes every topic (tickets,
      calls, misses, transfer, park, appointments, ratings of visits and cases and their
      rectification, cases from intake to the cabinet, devices, the clock and the day, a
      calendar reload), is checked against the event table of protocol/proto_table.h with
      proto_event_check: no undeclared field, every required one, the declared types. A
      CURVE broker's events name the device (`by_device`).
    - The generated parts of PROTOCOL.md equal what `onewindow admin protocol-table` prints
      now, every event topic has its field list in section 9, and every command its section
      7.N with its roles and kind.
    - Each statement of appendix A (known deviations) is a test here, and so are the
      corrections that replaced stale ones.
    - Key files: the public file beside every key file, and paths that look like keys. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto_client.h"
#include "proto_json.h"
#include "proto_keys.h"
#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

//  Monday 2026-11-30 08:30 in Beijing (the run 3 clock of PROTOCOL.md).
#define T0     1795998600000LL
#define MIN    60000LL
#define DAY    86400000LL
#define ID_OK  "11010519491231002X"
#define ID_2   "110105198001010016"
#define USCC   "91350100M000100Y43"
#define USCC_2 "91120116MA05JTQK3A"

//  Sends a command; the status code, and the reply in *out (or freed).
static int
s_code (proto_client_t *c, const char *command, json_t *body, json_t **out)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    if (out)
        *out = r ? r : json_object ();
    else
        json_decref (r);
    return code;
}

//  Sends a command that must succeed; its reply (never NULL). Caller frees.
static json_t *
s_ok (proto_client_t *c, const char *command, json_t *body)
{
    json_t *r;
    int code = s_code (c, command, body, &r);
    if (code != PROTO_ERR_OK)
        fprintf (stderr, "\n    %s: %s\n", command, proto_str (r, "message"));
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    return r;
}

static void
s_do (proto_client_t *c, const char *command, json_t *body)
{
    json_decref (s_ok (c, command, body));
}

//  The whole event journal, in seq order. Caller frees.
static json_t *
s_journal (proto_client_t *c)
{
    json_t *all = json_array ();
    for (json_int_t from = 1;; from += 1000) {
        json_t *r = s_ok (c, "events.range", json_pack ("{s:I}", "from", from));
        json_t *events = json_object_get (r, "events");
        json_array_extend (all, events);
        size_t n = json_array_size (events);
        json_decref (r);
        if (n < 1000)
            return all;
    }
}

//  The last journalled event of `topic`, or NULL. Borrowed from `journal`.
static json_t *
s_last (json_t *journal, const char *topic)
{
    for (size_t i = json_array_size (journal); i-- > 0;)
        if (strcmp (proto_str (json_array_get (journal, i), "topic"), topic) == 0)
            return json_array_get (journal, i);
    return NULL;
}

//  Holds every event of `journal` to the event table, and counts the topics in seen[].
static void
s_check_journal (const json_t *journal, int *seen)
{
    size_t i, told = 0;
    json_t *e;
    json_array_foreach (journal, i, e) {
        CU_ASSERT_EQUAL (proto_int (e, "seq"), (json_int_t)i + 1);
        int evt = proto_evt_lookup (proto_str (e, "topic"));
        CU_ASSERT (evt >= 0);
        if (evt < 0)
            continue;
        seen[evt]++;
        char why[300] = "";
        if (proto_event_check ((proto_evt_t)evt, e, why, sizeof why) != 0) {
            char *text = json_dumps (e, JSON_COMPACT);
            if (told++ < 3) //  the first few say enough
                fprintf (stderr, "\n    event and table disagree: %s\n    %.600s\n", why, text);
            free (text);
            CU_FAIL ("an event body disagrees with the event table");
        }
    }
}

//  Holds published events that are not in the journal (no sequence of their own) to the
//  table.
static void
s_check_unjournaled (const json_t *events, int *seen)
{
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e) {
        int evt = proto_evt_lookup (proto_str (e, "topic"));
        CU_ASSERT (evt >= 0);
        if (evt < 0)
            continue;
        seen[evt]++;
        char why[300] = "";
        if (proto_event_check ((proto_evt_t)evt, e, why, sizeof why) != 0) {
            fprintf (stderr, "\n    event and table disagree: %s\n", why);
            CU_FAIL ("an event body disagrees with the event table");
        }
    }
}

//  ---------------------------------------------------------------------------------------
//  A day that publishes every topic

//  Tickets, calls, park, transfer, ratings and appointments at counters 1 and 5.
static void
s_tickets (proto_client_t *c)
{
    s_do (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 5, "clerk", "0107 王芳"));
    s_do (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 1, "clerk", "0231 李娜"));
    json_t *b1 = s_ok (c, "appointment.book",
                       json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261130,
                                  "slot", "09:00", "name", "刘秀英", "id_number", ID_OK));
    json_t *b2 = s_ok (c, "appointment.book",
                       json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261201,
                                  "slot", "10:00", "name", "王强", "phone", "022-23456789"));
    s_do (c, "appointment.cancel", json_pack ("{s:s}", "code", proto_str (b2, "code")));
    //  Never checked in: a no-show once the clock passes 09:15.
    s_do (c, "appointment.book",
          json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "G", "date", 20261130, "slot", "09:00",
                     "name", "赵强", "phone", "13912345678"));
    s_do (c, "ticket.issue", json_pack ("{s:s}", "service", "B"));
    json_t *t2 =
        s_ok (c, "ticket.issue", json_pack ("{s:s, s:s}", "service", "B", "priority", "elderly"));
    json_t *t3 = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "G"));
    s_do (c, "appointment.checkin", json_pack ("{s:s}", "code", proto_str (b1, "code")));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 5)); //  t2, green
    s_do (c, "ticket.recall", json_pack ("{s:i}", "counter", 5));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 5));
    s_do (c, "ticket.park", json_pack ("{s:i, s:s}", "counter", 5, "reason", "回家取户口本"));
    s_do (c, "counter.pause", json_pack ("{s:i, s:s}", "counter", 5, "reason", "午休 lunch"));
    s_do (c, "counter.resume", json_pack ("{s:i}", "counter", 5));
    s_do (c, "ticket.call_specific",
          json_pack ("{s:i, s:s, s:s}", "counter", 5, "ticket", proto_str (t3, "number"), "reason",
                     "同一家庭，合并办理"));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 5));
    s_do (c, "ticket.finish", json_pack ("{s:i}", "counter", 5));
    json_t *rated =
        s_ok (c, "ticket.rate",
              json_pack ("{s:i, s:i, s:s}", "counter", 5, "level", 1, "comment", "态度差"));
    //  The bad rating's life: verified true, put right, the rater called back.
    json_int_t rid = proto_int (json_object_get (rated, "rectification"), "id");
    s_do (c, "rating.verify",
          json_pack ("{s:I, s:s, s:s}", "id", rid, "result", "valid", "clerk", "M-017 周敏"));
    s_do (c, "rating.rectify",
          json_pack ("{s:I, s:s, s:s}", "id", rid, "answer", "已约谈窗口人员", "clerk",
                     "M-017 周敏"));
    s_do (c, "rating.revisit",
          json_pack ("{s:I, s:s, s:b, s:s}", "id", rid, "result", "satisfied", "contacted", 1,
                     "note", "电话回访，表示满意"));
    s_do (c, "ticket.unpark",
          json_pack ("{s:i, s:s}", "counter", 5, "ticket", proto_str (t2, "number")));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 5));
    s_do (c, "ticket.transfer", json_pack ("{s:i, s:s}", "counter", 5, "to", "G"));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1));
    s_do (c, "ticket.missed", json_pack ("{s:i}", "counter", 1));
    json_t *t4 = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "C"));
    s_do (c, "ticket.cancel",
          json_pack ("{s:s, s:s}", "token", proto_str (t4, "token"), "reason", "等不及"));
    json_decref (b1);
    json_decref (b2);
    json_decref (t2);
    json_decref (t3);
    json_decref (t4);
    json_decref (rated);
}

//  An intake at counter 4 (which serves a ticket); the new case's number, in `no`.
static void
s_intake (proto_client_t *c, const char *command, json_t *body, char *no, size_t size)
{
    json_object_set_new (body, "counter", json_integer (4));
    json_t *r = s_ok (c, command, body);
    snprintf (no, size, "%s", proto_str (r, "case_no"));
    json_decref (r);
}

#define S_CASE(no) json_pack ("{s:s}", "case_no", no)

//  A case rated at hand-out (一事一评), badly; appealed, found untrue, the rater told.
static void
s_rate_case (proto_client_t *c, const char *token, const char *case_no)
{
    json_t *rated =
        s_ok (c, "ticket.rate",
              json_pack ("{s:s, s:s, s:i}", "token", token, "case_no", case_no, "level", 1));
    json_int_t rid = proto_int (json_object_get (rated, "rectification"), "id");
    s_do (c, "rating.verify",
          json_pack ("{s:I, s:s, s:s, s:s}", "id", rid, "result", "appealed", "reason",
                     "评价人误选，已向上级申诉", "clerk", "M-017 周敏"));
    s_do (c, "rating.verify",
          json_pack ("{s:I, s:s, s:s, s:s}", "id", rid, "result", "invalid", "reason",
                     "申诉成立：误评", "clerk", "M-017 周敏"));
    s_do (c, "rating.revisit", json_pack ("{s:I, s:s}", "id", rid, "result", "unreachable"));
    json_decref (rated);
}

//  Cases from intake to the cabinet, every step of the back office, at counter 4.
static void
s_cases (proto_client_t *c)
{
    char c1[64], c2[64], c3[64], c4[64], c5[64], c6[64];
    s_do (c, "counter.login", json_pack ("{s:i, s:s}", "counter", 4, "clerk", "0415 赵强"));
    json_t *td = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "D"));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 4));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 4));
    //  An immediate item approved at the counter, deposited, collected by a proxy. The
    //  agent's ID number (经办人) gives the cabinet its second factor: a USCC is public.
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:s, s:s, s:[s,s]}", "item", "invoice", "name",
                         "示例科技有限公司", "uscc", USCC, "id_number", ID_2, "phone",
                         "13912345678", "documents", "application", "agent_id"),
              c1, sizeof c1);
    s_do (c, "case.approve", json_pack ("{s:s, s:s}", "case_no", c1, "clerk", "0415 赵强"));
    s_do (c, "vault.report",
          json_pack ("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:{s:s, s:s, s:I, s:s}}", "cabinet",
                     "CAB1", "name", "1号智能柜", "slots", "slot", "A01", "state", "free", "slot",
                     "A02", "state", "free", "alarm", "alarm", "ajar", "detail", "门未关好", "time",
                     (json_int_t)1, "slot", "A02"));
    json_t *cmd =
        s_ok (c, "vault.deposit_request",
              json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "code", c1, "clerk", "0415 赵强"));
    s_do (c, "vault.command_done",
          json_pack ("{s:s, s:I, s:s}", "cabinet", "CAB1", "id", proto_int (cmd, "id"), "result",
                     "deposited"));
    s_do (c, "vault.deposited",
          json_pack ("{s:s, s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", c1, "slot", "A02",
                     "clerk", "0415 赵强"));
    s_do (c, "case.authorize_proxy",
          json_pack ("{s:s, s:s}", "token", proto_str (td, "token"), "proxy_name", "李娜"));
    s_do (c, "vault.collected",
          json_pack ("{s:s, s:s, s:s, s:I, s:b}", "cabinet", "CAB1", "case_no", c1, "slot", "A02",
                     "time", (json_int_t)T0, "proxy", 1));
    //  Handed out at the counter; and one left in the cabinet, overdue a week later.
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s,s,s]}", "item", "marriage", "name", "张伟",
                         "id_number", ID_OK, "documents", "hukou", "id_card", "photo",
                         "declaration"),
              c2, sizeof c2);
    s_do (c, "case.approve", S_CASE (c2));
    s_do (c, "case.hand_out", json_pack ("{s:s, s:i}", "case_no", c2, "counter", 4));
    s_rate_case (c, proto_str (td, "token"), c2);
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s]}", "item", "invoice", "name", "示例科技有限公司",
                         "uscc", USCC, "documents", "application", "agent_id"),
              c3, sizeof c3);
    s_do (c, "case.approve", S_CASE (c3));
    s_do (c, "vault.deposited",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", c3, "slot", "A01"));
    //  A promised item through supplement, review, pauses and extension to a denial.
    s_intake (c, "case.supplement",
              json_pack ("{s:s, s:s, s:s, s:s, s:[s,s], s:[s]}", "item", "ss_card", "name",
                         "刘秀英", "id_number", ID_OK, "phone", "022-23456789", "documents",
                         "application", "id_copy", "missing", "户口簿首页复印件"),
              c4, sizeof c4);
    s_do (
        c, "case.supplement_received",
        json_pack ("{s:s, s:[s], s:s}", "case_no", c4, "documents", "photo", "clerk", "0107 王芳"));
    s_do (c, "case.review", json_pack ("{s:s, s:s}", "case_no", c4, "clerk", "M-017 周敏"));
    //  A request made in error, withdrawn, and the complete one that replaces it.
    s_do (c, "case.request_supplement",
          json_pack ("{s:s, s:[s], s:s}", "case_no", c4, "missing", "照片", "reason", "误发"));
    s_do (c, "case.supplement_withdraw",
          json_pack ("{s:s, s:s, s:s}", "case_no", c4, "reason", "照片已在卷", "clerk",
                     "M-017 周敏"));
    s_do (c, "case.request_supplement",
          json_pack ("{s:s, s:[s], s:s}", "case_no", c4, "missing", "户口簿", "reason",
                     "户籍地不符"));
    s_do (c, "case.supplement_received", S_CASE (c4));
    s_do (c, "case.special_start", json_pack ("{s:s, s:s}", "case_no", c4, "reason", "现场核查"));
    s_do (c, "case.special_end", S_CASE (c4));
    s_do (c, "case.extend",
          json_pack ("{s:s, s:i, s:s, s:s, s:s}", "case_no", c4, "days", 5, "reason", "征求意见",
                     "approver", "李主任", "clerk", "M-017 周敏"));
    s_do (c, "case.deny",
          json_pack ("{s:s, s:s, s:s}", "case_no", c4, "reason", "已持卡", "clerk", "H-003"));
    //  Taken in to be examined; its one-time notice follows (Art. 32).
    s_intake (c, "case.supplement",
              json_pack ("{s:s, s:s, s:s, s:[s,s,s], s:b}", "item", "biz_change", "name",
                         "示例科技有限公司", "uscc", USCC_2, "documents", "application",
                         "resolution", "license", "notice_later", 1),
              c5, sizeof c5);
    s_do (c, "case.supplement_notice",
          json_pack ("{s:s, s:[s], s:s}", "case_no", c5, "missing", "股东会决议应由全体股东签署",
                     "clerk", "0415 赵强"));
    //  Refused at intake; withdrawn; and one left accepted, for the deadline warnings.
    s_intake (c, "case.not_accepted",
              json_pack ("{s:s, s:s, s:s, s:s}", "item", "biz_change", "name", "示例科技有限公司",
                         "uscc", USCC_2, "reason", "不属于本中心管辖"),
              c5, sizeof c5);
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s,s,s]}", "item", "biz_setup", "name", "张伟",
                         "id_number", ID_2, "documents", "application", "articles", "rep_id",
                         "address"),
              c6, sizeof c6);
    s_do (c, "case.withdraw", json_pack ("{s:s, s:s}", "case_no", c6, "reason", "申请人撤回"));
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s,s]}", "item", "fund_withdraw", "name", "王芳",
                         "id_number", ID_OK, "documents", "application", "id_copy", "proof"),
              c6, sizeof c6);
    //  Devices; then eight days on: the day's end, no-shows, warnings, the overdue result.
    proto_keypair_t k;
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (&k), 0);
    s_do (c, "device.enroll",
          json_pack ("{s:s, s:s, s:s}", "public_key", k.public_key, "role", "counter", "name",
                     "窗口5"));
    s_do (c, "device.revoke", json_pack ("{s:s}", "device", "窗口5"));
    s_do (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)(8 * DAY)));
    s_do (c, "vault.recovered",
          json_pack ("{s:s, s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", c3, "slot", "A01",
                     "clerk", "0415 赵强"));
    json_decref (td);
    json_decref (cmd);
}

//  A hall whose missed rule is `grace`: requeue, and the grace running out.
static void
s_grace_hall (int *seen)
{
    char *dir = test_tmpdir ();
    char path[600];
    snprintf (path, sizeof path, "%s/hall.json", dir);
    test_write_file (path, "{\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\"},"
                           " \"missed\": {\"rule\": \"grace\", \"minutes\": 10},"
                           " \"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\"}],"
                           " \"counters\": [{\"id\": 1, \"services\": [\"A\"]}]}");
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, path, T0) == 0);
    proto_client_t *c = test_client (&b);
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 1));
    json_t *t = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "A"));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1));
    s_do (c, "ticket.missed", json_pack ("{s:i}", "counter", 1));
    s_do (c, "ticket.requeue", json_pack ("{s:s}", "token", proto_str (t, "token")));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1));
    s_do (c, "ticket.missed", json_pack ("{s:i}", "counter", 1));
    s_do (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)(11 * MIN)));
    json_t *journal = s_journal (c);
    s_check_journal (journal, seen);
    json_t *e = s_last (journal, "ticket.expired");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "reason"), "grace_over");
    json_decref (journal);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
}

//  A hall whose calendar gains a year file while it runs (calendar.reload): on Fri
//  2027-02-19, without a 2027 file, a case and a rectification are counted over the law's
//  days; the fixture's 调休 day, Sat 02-20, moves their three deadlines a day earlier.
static void
s_reload_hall (int *seen)
{
    char config[700], path[800];
    char *dir = test_hall_copy (2026, 2026, config, sizeof config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, config, 1803002400000LL) == 0);
    proto_client_t *c = test_client (&b);
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 1));
    json_t *t = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "B"));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 1));
    s_do (c, "case.accept",
          json_pack ("{s:i, s:s, s:s, s:s, s:[s,s,s]}", "counter", 1, "item", "employ_subsidy",
                     "name", "刘秀英", "id_number", ID_OK, "documents", "application", "id_copy",
                     "bank"));
    s_do (c, "ticket.finish", json_pack ("{s:i}", "counter", 1));
    s_do (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", proto_str (t, "token"), "level", 2));
    snprintf (path, sizeof path, "%s/calendar/2027.json", dir);
    CU_ASSERT_EQUAL (test_copy_file (test_src ("tests/fixtures/calendar-2027.json"), path), 0);
    json_t *r = s_ok (c, "calendar.reload", json_object ());
    //  The case's promised (03-05) and statutory (03-19) deadlines, and the rectification's.
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "moved")), 3);
    json_decref (r);
    json_t *journal = s_journal (c);
    s_check_journal (journal, seen);
    json_decref (journal);
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
}

static void
test_event_bodies (void)
{
    int seen[PROTO_EVT_COUNT] = {0};
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    //  The one topic that is not journaled (hall.estimates) is checked as it is published.
    test_sub_t *sub = test_sub_new (b.pub, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    s_tickets (c);
    s_cases (c);
    json_t *journal = s_journal (c);
    s_check_journal (journal, seen);
    json_t *published = test_sub_until_now (sub, c);
    CU_ASSERT_PTR_NOT_NULL (published);
    json_t *estimates = json_array ();
    size_t k;
    json_t *ev;
    json_array_foreach (published, k, ev) {
        if (strcmp (proto_str (ev, "topic"), "hall.estimates") == 0) {
            json_t *bd = json_object_get (ev, "body");
            //  It carries the last journaled event's sequence number, never a new one.
            CU_ASSERT (proto_int (bd, "seq") <= (json_int_t)json_array_size (journal));
            json_array_append (estimates, bd);
        }
    }
    //  A change of what a new ticket would wait is followed by hall.estimates within
    //  BROKER_ESTIMATES_MS of real time (the day's counters are logged out by now: open one).
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 1));
    json_t *last = test_sub_wait (sub, "hall.estimates", 5000);
    CU_ASSERT (json_is_integer (json_object_get (json_object_get (last, "est_new_s"), "A")));
    CU_ASSERT_PTR_NOT_NULL (last);
    if (last)
        json_array_append_new (estimates, last);
    s_check_unjournaled (estimates, seen);
    json_decref (estimates);
    json_decref (published);
    test_sub_destroy (&sub);
    //  Section 9 on particular fields: the booking's name in clear; the `day` action
    //  carries the new day's figures, all zero (4.3).
    size_t i, days = 0, booked = 0;
    json_t *e;
    json_array_foreach (journal, i, e) {
        json_t *ctr = json_object_get (e, "counter");
        if (strcmp (proto_str (e, "topic"), "appointment.booked") == 0 && !booked++)
            CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (e, "appointment"), "name"),
                                    "刘*英");
        if (strcmp (proto_str (e, "action"), "day") != 0)
            continue;
        days++;
        CU_ASSERT_EQUAL (proto_int (json_object_get (ctr, "day"), "open_ms"), 0);
        CU_ASSERT_EQUAL (proto_int (json_object_get (ctr, "day"), "busy_ms"), 0);
        CU_ASSERT_EQUAL (proto_int (json_object_get (ctr, "day"), "served"), 0);
    }
    CU_ASSERT (days >= 3);
    json_decref (journal);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    s_grace_hall (seen);
    s_reload_hall (seen);
    for (int evt = 0; evt < PROTO_EVT_COUNT; evt++)
        if (!seen[evt]) {
            fprintf (stderr, "\n    no %s event in the scenario\n", proto_evt_topic (evt));
            CU_FAIL ("a topic of the table was not published");
        }
}

//  ---------------------------------------------------------------------------------------
//  A CURVE broker names the device that caused an event

static void
s_keygen (const char *dir, const char *name, proto_keypair_t *keys, char *path, size_t size)
{
    snprintf (path, size, "%s/%s.key", dir, name);
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (keys), 0);
    char err[300];
    CU_ASSERT_EQUAL_FATAL (proto_keys_save (keys, path, name, err, sizeof err), 0);
}

//  A client of `b` speaking with `keys`.
static proto_client_t *
s_client_as (const test_broker_t *b, const char *server, const proto_keypair_t *keys)
{
    proto_curve_default (server, keys->public_key, keys->secret_key);
    return test_client (b);
}

static void
test_event_by_device (void)
{
    char *dir = test_tmpdir ();
    proto_keypair_t broker, admin, kiosk, other;
    char bpath[600], apath[600], kpath[600], opath[600], cmd[2400];
    s_keygen (dir, "broker", &broker, bpath, sizeof bpath);
    s_keygen (dir, "admin", &admin, apath, sizeof apath);
    s_keygen (dir, "kiosk", &kiosk, kpath, sizeof kpath);
    s_keygen (dir, "other", &other, opath, sizeof opath);
    test_broker_t b;
    test_broker_prepare (&b, dir, NULL, T0);
    //  Devices get the broker's public file, never its key file.
    snprintf (b.key, sizeof b.key, "%s", bpath);
    snprintf (cmd, sizeof cmd,
              "'%s' --data '%s/data' --enroll 'admin:管理员:%s/admin.pub' --enroll "
              "'kiosk:取号机1:%s/kiosk.pub' 2>/dev/null",
              test_bin ("onewindow-broker"), dir, dir, dir);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 0);
    char server[PROTO_KEY_Z85 + 1], err[300], pub[700];
    proto_keys_pub_path (bpath, pub, sizeof pub);
    CU_ASSERT_EQUAL_FATAL (proto_keys_public (pub, server, err, sizeof err), 0);
    proto_curve_default (server, admin.public_key, admin.secret_key);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    proto_client_t *c = s_client_as (&b, server, &kiosk);
    s_do (c, "ticket.issue", json_pack ("{s:s}", "service", "B"));
    proto_client_destroy (&c);
    c = s_client_as (&b, server, &admin);
    s_do (c, "device.enroll",
          json_pack ("{s:s, s:s, s:s}", "public_key", other.public_key, "role", "board", "name",
                     "叫号屏"));
    //  case.audit names who took each step: the event's by_device, as the step's `device`.
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 4));
    s_do (c, "ticket.issue", json_pack ("{s:s}", "service", "D"));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 4));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 4));
    char no[64];
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s]}", "item", "invoice", "name", "示例科技有限公司",
                         "uscc", USCC, "documents", "application", "agent_id"),
              no, sizeof no);
    json_t *audit = s_ok (c, "case.audit", S_CASE (no));
    CU_ASSERT_STRING_EQUAL (
        proto_str (json_array_get (json_object_get (audit, "steps"), 0), "device"), "管理员");
    json_decref (audit);
    json_t *journal = s_journal (c);
    int seen[PROTO_EVT_COUNT] = {0};
    s_check_journal (journal, seen);
    json_t *e = json_array_get (journal, 1); //  after the first hall.day
    CU_ASSERT_STRING_EQUAL (proto_str (e, "topic"), "ticket.issued");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "by_device"), "取号机1");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "device_key"), kiosk.public_key);
    //  device.changed keeps its device object: who did it is a field of its own.
    e = s_last (journal, "device.changed");
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (e, "device"), "name"), "叫号屏");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "by_device"), "管理员");
    //  The broker's own timers name nobody.
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (journal, 0), "by_device"));
    json_decref (journal);
    proto_client_destroy (&c);
    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    free (dir);
}

//  ---------------------------------------------------------------------------------------
//  PROTOCOL.md and the table

//  The roles of a command as the tables print them.
static void
s_roles (unsigned roles, char *out, size_t size)
{
    out[0] = 0;
    if (roles == R_ANY)
        snprintf (out, size, "any");
    for (int r = 0; roles != R_ANY && r < PROTO_ROLE_COUNT; r++)
        if (roles & (1u << r)) {
            size_t len = strlen (out);
            snprintf (out + len, size - len, "%s%s", len ? ", " : "", proto_role_name (r));
        }
}

//  Checks one generated part (the text after the marker line, up to END) against what its
//  command prints now. The part's name (e.g. " event ticket.issued") in `part`.
static void
s_check_part (const char *marker, const char *after_begin, char *part, size_t size)
{
    const char *close = strstr (marker, " -->\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL (close);
    snprintf (part, size, "%.*s", (int)(close - after_begin), after_begin);
    CU_ASSERT_EQUAL (strspn (part, " abcdefghijklmnopqrstuvwxyz._-"), strlen (part));
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "'%s' admin protocol-table%s", test_bin ("onewindow"), part);
    int st;
    char *want = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    const char *body = close + 5;
    const char *end = strstr (body, "<!-- END GENERATED -->");
    CU_ASSERT_PTR_NOT_NULL_FATAL (end);
    bool same =
        want && strlen (want) == (size_t)(end - body) && strncmp (want, body, strlen (want)) == 0;
    if (!same)
        fprintf (stderr,
                 "\n    PROTOCOL.md part '%s' is out of date: run scripts/gen-protocol-tables\n",
                 part);
    CU_ASSERT (same);
    free (want);
}

static void
test_doc_generated (void)
{
    char *doc = test_read_file (test_src ("protocol/PROTOCOL.md"));
    CU_ASSERT_PTR_NOT_NULL_FATAL (doc);
    const char *begin = "<!-- BEGIN GENERATED: onewindow admin protocol-table";
    int parts = 0;
    bool index = false, common = false, tables = false;
    for (const char *m = strstr (doc, begin); m; m = strstr (m + 1, begin)) {
        char part[200];
        s_check_part (m, m + strlen (begin), part, sizeof part);
        parts++;
        index |= strcmp (part, " index") == 0;
        common |= strcmp (part, " event-common") == 0;
        tables |= part[0] == 0;
    }
    CU_ASSERT (index && common && tables);
    CU_ASSERT_EQUAL (parts, 3 + PROTO_EVT_COUNT);
    //  Every topic has its subsection in section 9, with its field list.
    for (int evt = 0; evt < PROTO_EVT_COUNT; evt++) {
        char want[300];
        const char *topic = proto_evt_topic (evt);
        snprintf (want, sizeof want, "#### <a id=\"event-%s\"></a>`%s`\n", topic, topic);
        const char *at = strstr (doc, want);
        snprintf (want, sizeof want, "%s event %s -->\n", begin, topic);
        const char *list = strstr (doc, want);
        CU_ASSERT (at && list && list > at);
        if (!at || !list)
            fprintf (stderr, "\n    section 9 has no subsection or field list for %s\n", topic);
    }
    //  Every command has its section 7.N, in the table's order, with its roles and kind.
    for (int cmd = 0; cmd < PROTO_CMD_COUNT; cmd++) {
        const proto_command_t *c = proto_command (cmd);
        char want[300], roles[200];
        snprintf (want, sizeof want, "### <a id=\"command-%s\"></a>7.%d `%s`", c->name, cmd + 1,
                  c->name);
        const char *at = strstr (doc, want);
        const char *next = at ? strstr (at + 1, "\n### ") : NULL;
        s_roles (c->roles, roles, sizeof roles);
        snprintf (want, sizeof want, "\nRoles: %s. Kind: %s.", roles,
                  c->flags == PROTO_WRITE ? "write" : "read");
        const char *line = at ? strstr (at, want) : NULL;
        CU_ASSERT (at && line && (!next || line < next));
        if (!at || !line || (next && line > next))
            fprintf (stderr, "\n    section 7.%d: no heading for %s, or not \"%s\"\n", cmd + 1,
                     c->name, want + 1);
    }
    free (doc);
}

//  ---------------------------------------------------------------------------------------
//  Appendix A, and the corrections that replaced its stale points

//  Calls the next ticket at `counter` and starts it.
static void
s_serve_next (proto_client_t *c, int counter)
{
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", counter));
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", counter));
}

static void
s_advance (proto_client_t *c, json_int_t ms)
{
    s_do (c, "clock.advance", json_pack ("{s:I}", "ms", ms));
}

//  6.3, 7.15, 7.18 and 7.53, each once a point of appendix A: `called` keeps the first
//  call while `service_s` counts from the latest; unpark only onto a counter that opened
//  the ticket's service; a null `counter` of ticket.rate is absent. And 3.2: the same id
//  with another body is request_id_reused.
static void
s_corrections (proto_client_t *c)
{
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 5));
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 3));
    json_t *t = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "B"));
    s_serve_next (c, 5);
    s_advance (c, MIN);
    s_do (c, "ticket.transfer", json_pack ("{s:i, s:s}", "counter", 5, "to", "G"));
    s_advance (c, MIN);
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 5));
    s_advance (c, 30000);
    s_do (c, "ticket.start", json_pack ("{s:i}", "counter", 5));
    s_advance (c, 30000);
    json_t *r = s_ok (c, "ticket.finish", json_pack ("{s:i}", "counter", 5));
    CU_ASSERT_EQUAL (proto_int (json_object_get (r, "ticket"), "called"), T0);
    json_t *journal = s_journal (c);
    CU_ASSERT_EQUAL (proto_int (s_last (journal, "ticket.finished"), "service_s"), 60);
    json_decref (journal);
    json_decref (r);
    s_do (c, "ticket.rate",
          json_pack ("{s:s, s:n, s:i}", "token", proto_str (t, "token"), "counter", "level", 5));
    json_decref (t);
    s_do (c, "ticket.issue", json_pack ("{s:s}", "service", "B"));
    s_do (c, "ticket.call_next", json_pack ("{s:i}", "counter", 5));
    s_do (c, "ticket.park", json_pack ("{s:i}", "counter", 5));
    json_t *parked = NULL;
    r = s_ok (c, "hall.snapshot", json_object ());
    size_t i;
    json_t *tk;
    json_array_foreach (json_object_get (r, "tickets"), i, tk)
        if (strcmp (proto_str (tk, "state"), "parked") == 0)
            parked = tk;
    const char *number = proto_str (parked, "number");
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 3, "ticket", number), NULL),
        PROTO_ERR_BAD_FIELD);
    s_do (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 5, "ticket", number));
    json_decref (r);
    json_t *b1 = json_pack ("{s:s}", "service", "E"), *b2 = json_pack ("{s:s}", "service", "F");
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", b1, "spec-same-id", &r),
                     PROTO_ERR_OK);
    json_decref (r);
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", b2, "spec-same-id", &r),
                     PROTO_ERR_REQUEST_ID_REUSED);
    json_decref (r);
    json_decref (b1);
    json_decref (b2);
}

//  An immediate item taken in at counter 4 and approved: awaiting pickup. Its number.
static void
s_awaiting (proto_client_t *c, char *no, size_t size)
{
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s]}", "item", "invoice", "name", "示例科技有限公司",
                         "uscc", USCC, "documents", "application", "agent_id"),
              no, size);
    s_do (c, "case.approve", S_CASE (no));
}

//  Appendix A.5, A.6, A.7 and the intake half of A.1.
static void
s_appendix_cases (proto_client_t *c)
{
    char x1[64], x2[64], x3[64];
    s_do (c, "counter.login", json_pack ("{s:i}", "counter", 4));
    json_t *td1 = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "D"));
    s_serve_next (c, 4);
    s_awaiting (c, x1, sizeof x1);
    //  A.7: a proxy's code names the state it wants as the one it found.
    json_t *p =
        s_ok (c, "case.authorize_proxy",
              json_pack ("{s:s, s:s}", "token", proto_str (td1, "token"), "proxy_name", "李娜"));
    json_t *r;
    CU_ASSERT_EQUAL (
        s_code (c, "vault.deposit_request",
                json_pack ("{s:s, s:s}", "cabinet", "CAB1", "code", proto_str (p, "proxy_code")),
                &r),
        PROTO_ERR_WRONG_STATE);
    CU_ASSERT_PTR_NOT_NULL (
        strstr (proto_str (r, "message"), "is awaiting_pickup, not awaiting_pickup"));
    json_decref (r);
    //  A.5: recovered from no cabinet is ok; collected before it was deposited is ok.
    s_do (c, "vault.recovered",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", x1, "slot", "A01"));
    s_do (c, "vault.deposited",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", x1, "slot", "A01"));
    r = s_ok (c, "vault.collected",
              json_pack ("{s:s, s:s, s:s, s:I}", "cabinet", "CAB1", "case_no", x1, "slot", "A01",
                         "time", (json_int_t)(T0 - MIN)));
    CU_ASSERT_EQUAL (proto_int (r, "collected"), T0 - MIN);
    json_decref (r);
    //  A.6: of two cases, none in a cabinet, the last decides, though the first waits.
    s_do (c, "ticket.finish", json_pack ("{s:i}", "counter", 4));
    json_t *td2 = s_ok (c, "ticket.issue", json_pack ("{s:s}", "service", "D"));
    s_serve_next (c, 4);
    s_awaiting (c, x2, sizeof x2);
    s_intake (c, "case.accept",
              json_pack ("{s:s, s:s, s:s, s:[s,s,s]}", "item", "fund_withdraw", "name", "王芳",
                         "id_number", ID_OK, "documents", "application", "id_copy", "proof"),
              x3, sizeof x3);
    CU_ASSERT (strcmp (x2, x3) < 0);
    CU_ASSERT_EQUAL (
        s_code (c, "case.authorize_proxy",
                json_pack ("{s:s, s:s}", "token", proto_str (td2, "token"), "proxy_name", "李娜"),
                NULL),
        PROTO_ERR_WRONG_STATE);
    //  A.1: "documents": null is kept as null.
    r = s_ok (c, "case.accept",
              json_pack ("{s:i, s:s, s:s, s:s, s:n, s:{s:s}}", "counter", 4, "item", "marriage",
                         "name", "张伟", "id_number", ID_OK, "documents", "overrides", "documents",
                         "容缺受理"));
    CU_ASSERT (json_is_null (json_object_get (r, "documents")));
    json_decref (r);
    json_decref (p);
    json_decref (td1);
    json_decref (td2);
}

//  Appendix A.1 (the rest), A.2, A.3 and A.4.
static void
s_appendix_admin (proto_client_t *c, const char *dir)
{
    json_t *r;
    CU_ASSERT_EQUAL (s_code (c, "events.range", json_pack ("{s:i, s:n}", "from", 1, "limit"), NULL),
                     PROTO_ERR_BAD_FIELD);
    r = s_ok (c, "appointment.list", json_pack ("{s:n}", "date"));
    CU_ASSERT_EQUAL (proto_int (r, "date"), 0);
    json_decref (r);
    s_do (c, "vault.report",
          json_pack ("{s:s, s:[{s:s, s:s}], s:{s:s, s:I}}", "cabinet", "CAB1", "slots", "slot",
                     "A01", "state", "free", "alarm", "alarm", "jammed", "time", (json_int_t)1));
    proto_keypair_t k1, k2;
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (&k1) || proto_keys_new (&k2), 0);
    s_do (c, "device.enroll",
          json_pack ("{s:s, s:s, s:s}", "public_key", k1.public_key, "role", "board", "name",
                     "同名"));
    s_do (c, "device.enroll",
          json_pack ("{s:s, s:s, s:s}", "public_key", k2.public_key, "role", "board", "name",
                     "同名"));
    s_do (c, "device.revoke", json_pack ("{s:s}", "device", "同名"));
    json_t *journal = s_journal (c);
    json_t *alarm = s_last (journal, "vault.alarm");
    CU_ASSERT_EQUAL (proto_int (alarm, "time"),
                     proto_int (s_last (journal, "vault.changed"), "time"));
    CU_ASSERT_NOT_EQUAL (proto_int (alarm, "time"), 1);
    size_t i, revokes = 0;
    json_t *e;
    json_array_foreach (journal, i, e)
        revokes += strcmp (proto_str (e, "action"), "revoke") == 0;
    CU_ASSERT_EQUAL (revokes, 1);
    json_decref (journal);
    r = s_ok (c, "device.list", json_object ());
    json_array_foreach (json_object_get (r, "devices"), i, e)
        CU_ASSERT_NOT_EQUAL (proto_int (e, "revoked"), 0);
    json_decref (r);
    //  A.4: once the backup is done, a retry finds its directory.
    char backup[700];
    snprintf (backup, sizeof backup, "%s/backup", dir);
    s_do (c, "admin.backup", json_pack ("{s:s}", "dir", backup));
    for (int n = 0; n < 500; n++) {
        r = s_ok (c, "admin.backup_status", json_object ());
        bool running = strcmp (proto_str (r, "state"), "running") == 0;
        json_decref (r);
        if (!running)
            break;
        usleep (10000);
    }
    CU_ASSERT_EQUAL (s_code (c, "admin.backup", json_pack ("{s:s}", "dir", backup), &r),
                     PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "message"), "File exists"));
    json_decref (r);
}

static void
test_appendix_a (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    s_corrections (c);
    s_appendix_cases (c);
    s_appendix_admin (c, b.dir);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  ---------------------------------------------------------------------------------------
//  Key files (section 12)

static int
s_mode (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void
test_key_files (void)
{
    char *dir = test_tmpdir ();
    char key[600], pub[600], err[300], got[PROTO_KEY_Z85 + 1];
    proto_keypair_t k, other, read;
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (&k), 0);
    snprintf (key, sizeof key, "%s/broker.key", dir);
    CU_ASSERT_EQUAL_FATAL (proto_keys_save (&k, key, "broker", err, sizeof err), 0);
    proto_keys_pub_path (key, pub, sizeof pub);
    CU_ASSERT_PTR_NOT_NULL (strstr (pub, "/broker.pub"));
    CU_ASSERT_EQUAL (s_mode (key), 0600);
    CU_ASSERT_EQUAL (s_mode (pub), 0644);
    //  The public file holds the public key, the name and the time, and nothing secret.
    json_t *j = json_load_file (pub, 0, NULL);
    CU_ASSERT_EQUAL (json_object_size (j), 3);
    CU_ASSERT_STRING_EQUAL (proto_str (j, "public"), k.public_key);
    CU_ASSERT_STRING_EQUAL (proto_str (j, "name"), "broker");
    //  Unix milliseconds of the moment it was made.
    json_int_t now_ms = (json_int_t)time (NULL) * 1000;
    CU_ASSERT (json_is_integer (json_object_get (j, "created")));
    CU_ASSERT (proto_int (j, "created") > now_ms - MIN && proto_int (j, "created") <= now_ms + MIN);
    json_decref (j);
    CU_ASSERT_EQUAL (proto_keys_public (pub, got, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL (got, k.public_key);
    CU_ASSERT_EQUAL (proto_keys_public (key, got, err, sizeof err), 0);
    CU_ASSERT_EQUAL (proto_keys_load (key, &read, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL (read.secret_key, k.secret_key);
    //  Not over an existing file; both files or neither; no secret from a public file.
    CU_ASSERT_EQUAL (proto_keys_save (&k, key, "broker", err, sizeof err), -1);
    snprintf (key, sizeof key, "%s/x.key", dir);
    snprintf (pub, sizeof pub, "%s/x.pub", dir);
    test_write_file (pub, "{}");
    CU_ASSERT_EQUAL (proto_keys_save (&k, key, "x", err, sizeof err), -1);
    CU_ASSERT_EQUAL (access (key, F_OK), -1);
    CU_ASSERT_EQUAL (proto_keys_load (pub, &read, err, sizeof err), -1);
    proto_keys_pub_path ("keys/dev", got, sizeof got);
    CU_ASSERT_STRING_EQUAL (got, "keys/dev.pub");
    //  A path of 40 Z85 characters that names a file is read as the file, not as a key.
    char cwd[1024];
    CU_ASSERT_PTR_NOT_NULL_FATAL (getcwd (cwd, sizeof cwd));
    CU_ASSERT_EQUAL_FATAL (chdir (dir), 0);
    do {
        CU_ASSERT_EQUAL_FATAL (proto_keys_new (&other), 0);
    } while (strchr (other.public_key, '/'));
    char text[200];
    snprintf (text, sizeof text, "{\"public\": \"%s\", \"name\": \"\", \"created\": 0}",
              k.public_key);
    CU_ASSERT_EQUAL (test_write_file (other.public_key, text), 0);
    CU_ASSERT_EQUAL (proto_keys_public (other.public_key, got, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL (got, k.public_key);
    CU_ASSERT_EQUAL (chdir (cwd), 0);
    //  And a key that names no file is the key.
    CU_ASSERT_EQUAL (proto_keys_public (other.public_key, got, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL (got, other.public_key);
    //  onewindow keygen writes both.
    char cmd[1600];
    snprintf (cmd, sizeof cmd, "'%s' keygen --out '%s/dev.key' --name 窗口5",
              test_bin ("onewindow"), dir);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 0);
    snprintf (pub, sizeof pub, "%s/dev.pub", dir);
    CU_ASSERT_EQUAL (s_mode (pub), 0644);
    test_rmtree (dir);
    free (dir);
}

int
test_spec_suite (void)
{
    CU_pSuite s = CU_add_suite ("spec", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "every journalled event body agrees with the event table", test_event_bodies);
    CU_add_test (s, "a CURVE broker's events name the device (by_device)", test_event_by_device);
    CU_add_test (s, "PROTOCOL.md: generated parts, event lists, command sections",
                 test_doc_generated);
    CU_add_test (s, "appendix A, each point, and the corrections of stale ones", test_appendix_a);
    CU_add_test (s, "key files: the public file, paths that look like keys", test_key_files);
    return 0;
}
