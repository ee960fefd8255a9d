/*  test_calendar_it.c — issue 12, item 1: a calendar that cannot run out silently, tried on
    the real broker with a simulated clock.

    The hall is etc/hall.example.json in a temp directory whose calendar/ holds only the
    published 2025 and 2026 files. On Mon 2026-12-07 the broker warns at start and in
    hall.info that the calendar ends 2026-12-31; a 20-working-day item (employ_subsidy)
    accepted that day gets the statutory deadline 2027-01-05 (元旦 off by law), provisional;
    one accepted Mon 2027-01-25 gets 2027-02-26 (除夕 02-05 and 初三 02-08 off, 初一 and 初二
    on the weekend made up on 02-09 and 02-10); a booking for 2027-01-01 is refused. Then a
    year file for 2027 (tests/fixtures/calendar-2027.json: the law's days and one 调休
    working day, Sat 02-20) is added: broken first (calendar.reload and SIGHUP refuse it and
    change nothing), then sound (SIGHUP: the deadlines over 02-20 move one working day
    earlier, are no longer provisional, and case.audit shows the move), then without its
    调休 day (`onewindow admin calendar reload`: they move back). */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "test_case_it.h"
#include "tests.h"

//  Mon 2026-12-07 09:00 in Beijing; Mon 2026-12-28 09:00; Mon 2027-01-25 09:00; Fri
//  2027-02-19 10:00.
#define CAL_T1207 1796605200000LL
#define CAL_T1228 1798419600000LL
#define CAL_T0125 1800838800000LL
#define CAL_T0219 1803002400000LL

//  Writes the 2027 year file: `text`, or the fixture with its 调休 day or without.
static void
s_year_2027 (const char *caldir, const char *text, bool workday)
{
    char path[700];
    snprintf (path, sizeof path, "%s/2027.json", caldir);
    char *fixture = text ? NULL : test_read_file (test_src ("tests/fixtures/calendar-2027.json"));
    CU_ASSERT_FATAL (text || fixture);
    if (fixture && !workday) {
        char *at = strstr (fixture, "[\"2027-02-20\"]");
        CU_ASSERT_PTR_NOT_NULL_FATAL (at);
        memmove (at + 1, at + 13, strlen (at + 13) + 1); //  ["2027-02-20"] -> []
    }
    CU_ASSERT_EQUAL (test_write_file (path, text ? text : fixture), 0);
    free (fixture);
}

//  True once the broker's log holds `what` (waits up to 5 s).
static bool
s_log_has (const test_broker_t *b, const char *what)
{
    for (int i = 0; i < 500; i++) {
        char *log = test_read_file (b->log);
        bool found = log && strstr (log, what);
        free (log);
        if (found)
            return true;
        usleep (10000);
    }
    return false;
}

//  hall.info's calendar (caller frees).
static json_t *
s_calendar (proto_client_t *c)
{
    json_t *info = cit_do (c, "hall.info", json_object (), PROTO_ERR_OK);
    json_t *cal = json_incref (json_object_get (info, "calendar"));
    json_decref (info);
    CU_ASSERT_PTR_NOT_NULL (cal);
    return cal ? cal : json_object ();
}

//  After a SIGHUP: waits until hall.info says the calendar is published until `until`.
static void
s_wait_published (proto_client_t *c, json_int_t until)
{
    json_int_t now = 0;
    for (int i = 0; i < 500 && now != until; i++) {
        json_t *cal = s_calendar (c);
        now = proto_int (cal, "published_until");
        json_decref (cal);
        if (now != until)
            usleep (10000);
    }
    CU_ASSERT_EQUAL (now, until);
}

//  Asserts a case's statutory deadline and whether it is provisional.
static void
s_expect_deadline (proto_client_t *c, const char *no, json_int_t statutory, bool provisional)
{
    json_t *r = cit_get (c, no);
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), statutory);
    CU_ASSERT_EQUAL (json_is_true (json_object_get (r, "provisional")), provisional);
    json_decref (r);
}

//  The open rectification's deadline, and whether it is provisional, into *provisional.
static json_int_t
s_rectify_deadline (proto_client_t *c, bool *provisional)
{
    json_t *r = cit_do (c, "rating.list", json_pack ("{s:s}", "state", "open"), PROTO_ERR_OK);
    json_t *item = json_array_get (json_object_get (r, "rectifications"), 0);
    CU_ASSERT_PTR_NOT_NULL (item);
    json_int_t deadline = proto_int (item, "deadline");
    *provisional = json_is_true (json_object_get (item, "provisional"));
    json_decref (r);
    return deadline;
}

//  The case's audit steps of topic case.deadline_moved (caller frees).
static json_t *
s_moves (proto_client_t *c, const char *no)
{
    json_t *r = cit_do (c, "case.audit", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK);
    json_t *moves = json_array ();
    size_t i;
    json_t *step;
    json_array_foreach (json_object_get (r, "steps"), i, step)
        if (strcmp (proto_str (step, "topic"), "case.deadline_moved") == 0)
            json_array_append (moves, step);
    json_decref (r);
    return moves;
}

//  Before any 2027 file: the warning, the deadlines counted on the law's days, the
//  booking refused, a bad rating's rectification. Case numbers into a and b (48 bytes).
static void
s_without_2027 (proto_client_t *c, const test_broker_t *b, char *a, char *bno)
{
    CU_ASSERT (s_log_has (b, "calendar: the published calendar ends 2026-12-31"));
    json_t *cal = s_calendar (c);
    CU_ASSERT_EQUAL (proto_int (cal, "published_from"), 20250101);
    CU_ASSERT_EQUAL (proto_int (cal, "published_until"), 20261231);
    CU_ASSERT_EQUAL (proto_int (cal, "provisional_from"), 20270101);
    CU_ASSERT_EQUAL (proto_int (cal, "statutory_until"), 21001231);
    CU_ASSERT_EQUAL (proto_int (cal, "longest_days"), 40); //  estate_transfer: 30 + 10
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (cal, "warning"), "ends 2026-12-31"));
    json_decref (cal);

    json_decref (cit_serve (c, 1, "B"));
    json_t *r = cit_accept (c, 1, "employ_subsidy", ID_1, NULL, a);
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20261221);
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20270105);
    CU_ASSERT (json_is_true (json_object_get (r, "provisional")));
    json_decref (r);

    //  Bookings: 元旦 is refused, saying why; Monday 01-04 is a working day.
    cit_advance (c, CAL_T1228 - CAL_T1207);
    r = cit_do (c, "appointment.book",
                json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20270101, "slot",
                           "09:00", "name", "刘秀英", "phone", PHONE),
                PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (
        strstr (proto_str (r, "message"), "2027-01-01 is a day off by law (元旦"));
    json_decref (r);
    cit_ok (c, "appointment.book",
            json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20270104, "slot",
                       "09:00", "name", "刘秀英", "phone", PHONE));

    cit_advance (c, CAL_T0125 - CAL_T1228);
    json_decref (cit_serve (c, 1, "B"));
    r = cit_accept (c, 1, "employ_subsidy", ID_2, NULL, bno);
    CU_ASSERT_EQUAL (proto_int (r, "promised_deadline"), 20270212);
    CU_ASSERT_EQUAL (proto_int (r, "statutory_deadline"), 20270226);
    CU_ASSERT (json_is_true (json_object_get (r, "provisional")));
    json_decref (r);

    //  Fri 02-19: a visit rated 1 opens a rectification, 5 working days: 02-22..26.
    cit_advance (c, CAL_T0219 - CAL_T0125);
    json_t *t = cit_serve (c, 1, "B");
    cit_ok (c, "ticket.finish", json_pack ("{s:i}", "counter", 1));
    cit_ok (c, "ticket.rate",
            json_pack ("{s:s, s:i}", "token", proto_str (t, "token"), "level", 1));
    json_decref (t);
    bool provisional = false;
    CU_ASSERT_EQUAL (s_rectify_deadline (c, &provisional), 20270226);
    CU_ASSERT (provisional);
}

//  A broken 2027 file: refused by calendar.reload and by SIGHUP, nothing changed.
static void
s_broken_2027 (proto_client_t *c, test_broker_t *b, const char *caldir, const char *bno)
{
    s_year_2027 (caldir,
                 "{\"year\": 2027, \"source\": \"t\", \"holidays\": [], \"workdays\": "
                 "[\"2027-02-19\"]}",
                 false);
    json_t *r = cit_do (c, "calendar.reload", json_object (), PROTO_ERR_CALENDAR_INVALID);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "message"), "2027.json: workdays[0]"));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "message"), "the calendar was not changed"));
    json_decref (r);
    CU_ASSERT_EQUAL (kill (b->pid, SIGHUP), 0);
    CU_ASSERT (s_log_has (b, "calendar: SIGHUP refused"));
    json_t *cal = s_calendar (c);
    CU_ASSERT_EQUAL (proto_int (cal, "published_until"), 20261231);
    json_decref (cal);
    s_expect_deadline (c, bno, 20270226, true);
    CU_ASSERT_TRUE (test_broker_alive (b));
}

static void
test_reload_moves_deadlines (void)
{
    char config[700], caldir[700], a[48], bno[48];
    char *dir = test_hall_copy (2025, 2026, config, sizeof config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    snprintf (caldir, sizeof caldir, "%s/calendar", dir);
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, config, CAL_T1207) == 0);
    proto_client_t *c = test_client (&b);
    s_without_2027 (c, &b, a, bno);
    s_broken_2027 (c, &b, caldir, bno);

    //  The sound file by SIGHUP: Sat 02-20 is worked, so 02-26 becomes 02-25.
    s_year_2027 (caldir, NULL, true);
    CU_ASSERT_EQUAL (kill (b.pid, SIGHUP), 0);
    s_wait_published (c, 20271231);
    CU_ASSERT (s_log_has (&b, "calendar: SIGHUP: reloaded"));
    s_expect_deadline (c, a, 20270105, false);
    s_expect_deadline (c, bno, 20270225, false);
    bool provisional = true;
    CU_ASSERT_EQUAL (s_rectify_deadline (c, &provisional), 20270225);
    CU_ASSERT_FALSE (provisional);
    json_t *moves = s_moves (c, bno);
    CU_ASSERT_EQUAL (json_array_size (moves), 1);
    json_t *m = json_array_get (moves, 0);
    CU_ASSERT_STRING_EQUAL (proto_str (m, "field"), "statutory_deadline");
    CU_ASSERT_EQUAL (proto_int (m, "from"), 20270226);
    CU_ASSERT_EQUAL (proto_int (m, "to"), 20270225);
    CU_ASSERT_STRING_EQUAL (proto_str (m, "reason"), "calendar");
    json_decref (moves);
    moves = s_moves (c, a); //  01-05 did not move: only `provisional` changed
    CU_ASSERT_EQUAL (json_array_size (moves), 0);
    json_decref (moves);
    json_t *cal = s_calendar (c);
    CU_ASSERT (json_is_null (json_object_get (cal, "warning")));
    json_decref (cal);

    //  Without its 调休 day, by the CLI: both move back, and the reply says so.
    s_year_2027 (caldir, NULL, false);
    char cmd[1600];
    snprintf (cmd, sizeof cmd, "'%s' --broker '%s' admin calendar reload 2>&1",
              test_bin ("onewindow"), b.req);
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "2 deadline(s) moved"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "statutory_deadline 20270225 -> 20270226"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "rectification #1 deadline 20270225 -> 20270226"));
    free (out);
    s_expect_deadline (c, bno, 20270226, false);
    moves = s_moves (c, bno);
    CU_ASSERT_EQUAL (json_array_size (moves), 2);
    json_decref (moves);
    //  A reload that changes nothing moves nothing.
    json_t *r = cit_do (c, "calendar.reload", json_object (), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "moved")), 0);
    json_decref (r);

    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (dir);
}

int
test_calendar_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("calendar_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "without 2027: the law's days, provisional, a warning; reload moves deadlines",
                 test_reload_moves_deadlines);
    return 0;
}
