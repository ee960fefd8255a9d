/*  test_report.c — the report module alone (proto_report.h, proto_access.h), on journal
    events made by hand: the bounds of a period, counters across a day change, events and
    fields it does not know, 一次性告知, and the figures the service vitality index reads
    (priority lines, bookings, overrides, one visit, visits, collections out of hours).
    test_report_it.c plays the same against a real broker. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "proto_access.h"
#include "proto_figures.h"
#include "proto_journal.h"
#include "proto_json.h"
#include "proto_report.h"
#include "test_report.h"
#include "tests.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL

long long
trep_int (const json_t *r, const char *path)
{
    const json_t *v = proto_figures_lookup (r, path);
    if (!json_is_integer (v))
        fprintf (stderr, "\n  %s is not an integer\n", path);
    return json_integer_value (v);
}

double
trep_num (const json_t *r, const char *path)
{
    const json_t *v = proto_figures_lookup (r, path);
    if (!json_is_number (v))
        fprintf (stderr, "\n  %s is not a number\n", path);
    return json_number_value (v);
}

const char *
trep_str (const json_t *r, const char *path)
{
    const char *v = json_string_value (proto_figures_lookup (r, path));
    return v ? v : "";
}

bool
trep_null (const json_t *r, const char *path)
{
    const json_t *v = proto_figures_lookup (r, path);
    return v && json_is_null (v);
}

//  ---------------------------------------------------------------------------------------
//  The report module alone, on events made by hand

//  A hall.info with service A and counter 1, at UTC+8.
static json_t *
s_info (void)
{
    return json_pack ("{s:{s:s, s:s, s:s, s:i}, s:[{s:s, s:s, s:s}], s:[{s:i, s:s}]}", "hall", "id",
                      "U1", "name", "单元大厅", "name_en", "Unit hall", "utc_offset_min", 480,
                      "services", "prefix", "A", "name", "甲", "name_en", "A", "counters", "id", 1,
                      "name", "1号窗口");
}

//  Adds event `topic` with `seq`, `time` and the fields of `body` (taken); returns what
//  proto_report_add did.
static int
s_add (proto_report_t *r, const char *topic, int seq, long long time, json_t *body)
{
    json_object_set_new (body, "topic", json_string (topic));
    json_object_set_new (body, "seq", json_integer (seq));
    json_object_set_new (body, "time", json_integer (time));
    int rc = proto_report_add (r, body);
    json_decref (body);
    return rc;
}

//  A counter object in `state` since `since`, with its day's figures so far.
static json_t *
s_counter_obj (const char *state, long long since, long long open, long long busy)
{
    return json_pack ("{s:i, s:s, s:s, s:I, s:{s:i, s:I, s:I, s:i}}", "id", 1, "name", "1号窗口",
                      "state", state, "since", (json_int_t)since, "day", "served", 0, "open_ms",
                      (json_int_t)open, "busy_ms", (json_int_t)busy, "paused_ms", 0);
}

//  A two-day period: what comes before it and after it is not counted; a counter's day
//  ends at the day change (its figures reset there), the next day adds to it; topics and
//  fields the report does not know change nothing.
static void
test_report_days (void)
{
    json_t *info = s_info ();
    proto_report_t *r = proto_report_new (info, 20260302, 20260303, 30);
    CU_ASSERT_PTR_NOT_NULL_FATAL (r);
    json_t *ticket = json_pack ("{s:{s:s, s:s, s:i}, s:b}", "ticket", "service", "A", "number",
                                "A001", "misc", 7, "new_field", 1);
    CU_ASSERT_EQUAL (s_add (r, "hall.day", 1, 0, json_pack ("{s:i}", "day", 20260301)), 1);
    CU_ASSERT_EQUAL (s_add (r, "ticket.issued", 2, 10, json_deep_copy (ticket)), 1);
    CU_ASSERT_EQUAL (s_add (r, "hall.day", 3, 1000000, json_pack ("{s:i}", "day", 20260302)), 1);
    s_add (r, "counter.changed", 4, 1000000,
           json_pack ("{s:o, s:s}", "counter", s_counter_obj ("idle", 1000000, 0, 0), "action",
                      "login"));
    s_add (r, "counter.changed", 5, 1600000,
           json_pack ("{s:o, s:s}", "counter", s_counter_obj ("calling", 1600000, 600000, 0),
                      "action", "call"));
    //  The day change: the broker books the day, resets it and logs the counter out.
    s_add (r, "counter.changed", 6, 2000000,
           json_pack ("{s:o, s:s}", "counter", s_counter_obj ("logged_out", 2000000, 0, 0),
                      "action", "day"));
    s_add (r, "hall.day", 7, 2000000, json_pack ("{s:i}", "day", 20260303));
    s_add (r, "counter.changed", 8, 3000000,
           json_pack ("{s:o, s:s}", "counter", s_counter_obj ("idle", 3000000, 0, 0), "action",
                      "login"));
    s_add (r, "ticket.issued", 9, 3000000, json_deep_copy (ticket));
    s_add (r, "district.something", 10, 3000000, json_pack ("{s:[i]}", "whatever", 1));
    CU_ASSERT_EQUAL (s_add (r, "hall.day", 11, 5000000, json_pack ("{s:i}", "day", 20260304)), 0);
    CU_ASSERT_EQUAL (s_add (r, "ticket.issued", 12, 5000000, json_deep_copy (ticket)), 0);
    json_t *k = proto_report_json (r, 9000000);
    CU_ASSERT_EQUAL (trep_int (k, "period.days"), 2);
    CU_ASSERT_EQUAL (trep_int (k, "period.first_seq"), 3);
    CU_ASSERT_EQUAL (trep_int (k, "period.last_seq"), 10);
    CU_ASSERT_EQUAL (trep_int (k, "period.start"), 1000000);
    CU_ASSERT_EQUAL (trep_int (k, "period.end"), 5000000); //  not `now`: the period is over
    CU_ASSERT (json_is_false (proto_figures_lookup (k, "period.open")));
    CU_ASSERT_PTR_NULL (json_object_get (k, "day"));
    CU_ASSERT_EQUAL (trep_int (k, "kpis.tickets.issued"), 1);
    //  Open 0.6 + 0.4 (calling until the day change) + 2.0 (idle until the period's end).
    CU_ASSERT_EQUAL (trep_int (k, "kpis.counters.0.open_ms"), 3000000);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.counters.0.busy_ms"), 400000);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.counters.0.utilisation"), 400000.0 / 3000000.0,
                            1e-12);
    CU_ASSERT_STRING_EQUAL (trep_str (k, "hall.id"), "U1");
    json_decref (k);
    json_decref (ticket);
    proto_report_destroy (&r);
    CU_ASSERT_PTR_NULL (r);
    json_decref (info);
}

//  A case as a 补正 notice event carries it: received at `received` (ms), accepted at
//  `accepted` (0: not yet), with `pauses` (taken) and `elapsed` working days (-1: none).
static json_t *
s_case_obj (const char *no, long long received, long long accepted, json_t *pauses, int elapsed)
{
    json_t *c =
        json_pack ("{s:s, s:s, s:I, s:o, s:s}", "case_no", no, "state", "supplement_pending",
                   "received", (json_int_t)received, "pauses", pauses, "kind", "promised");
    if (accepted) {
        json_object_set_new (c, "accepted", json_integer (accepted));
        json_object_set_new (c, "accepted_day",
                             json_integer (proto_journal_local_date (accepted, 480)));
    }
    if (elapsed >= 0)
        json_object_set_new (c, "elapsed_days", json_integer (elapsed));
    return c;
}

//  Local time `hour`:00 of date `date` at UTC+8.
static long long
s_local (int date, int hour)
{
    return proto_journal_midnight (date, 480) + hour * 3600000LL;
}

//  一次性告知: a notice on the case's own clock in time across the Spring Festival, a
//  second notice, a notice after one at intake, one whose timing the journal cannot tell,
//  a late one; a decision without the broker's judgement; a collection from somewhere
//  unknown.
static void
test_report_notices (void)
{
    json_t *info = s_info ();
    proto_report_t *r = proto_report_new (info, 20260225, 20260310, 30);
    s_add (r, "hall.day", 1, s_local (20260225, 3), json_pack ("{s:i}", "day", 20260225));
    //  Received Fri 02-13; asked Wed 02-25, twelve dates later but after two working days
    //  only (Sat 02-14, a 调休 working day, and Tue 02-24).
    long long fri = s_local (20260213, 9);
    json_t *sup = json_pack ("[{s:s, s:i, s:i}]", "kind", "supplement", "from", 20260225, "to", 0);
    s_add (r, "case.supplement_requested", 2, s_local (20260225, 10),
           json_pack ("{s:o, s:[s]}", "case", s_case_obj ("X1", fri, fri, json_deep_copy (sup), 2),
                      "missing", "证明"));
    //  The same case asked again.
    s_add (r, "case.supplement_requested", 3, s_local (20260226, 10),
           json_pack ("{s:o}", "case", s_case_obj ("X1", fri, fri, json_deep_copy (sup), 2)));
    //  Accepted later than received: it had a notice at intake already.
    s_add (
        r, "case.supplement_requested", 4, s_local (20260226, 10),
        json_pack ("{s:o}", "case", s_case_obj ("X3", fri, fri + DAY_MS, json_deep_copy (sup), 2)));
    //  At intake.
    s_add (r, "case.supplement_requested", 5, s_local (20260226, 11),
           json_pack ("{s:o, s:b}", "case",
                      s_case_obj ("X4", s_local (20260226, 11), 0, json_array (), -1), "intake",
                      1));
    //  Nine dates after receipt, with a special procedure before it: elapsed_days (2) does
    //  not count all the working days between.
    json_t *two =
        json_pack ("[{s:s, s:i, s:i}, {s:s, s:i, s:i}]", "kind", "special", "from", 20260302, "to",
                   20260305, "kind", "supplement", "from", 20260309, "to", 0);
    s_add (r, "case.supplement_requested", 6, s_local (20260309, 10),
           json_pack ("{s:o}", "case",
                      s_case_obj ("X5", s_local (20260227, 9), s_local (20260227, 9), two, 2)));
    //  Received Mon 03-02, asked Tue 03-10: five working days had passed.
    s_add (r, "case.supplement_requested", 7, s_local (20260310, 10),
           json_pack ("{s:o}", "case",
                      s_case_obj ("X6", s_local (20260302, 9), s_local (20260302, 9),
                                  json_deep_copy (sup), 5)));
    //  A decision without `on_time`: judged by its promised deadline (03-01) itself.
    s_add (r, "case.approved", 8, s_local (20260310, 11),
           json_pack ("{s:{s:s, s:s, s:i, s:i, s:[], s:{s:I}, s:b}}", "case", "case_no", "X7",
                      "kind", "promised", "promised_deadline", 20260301, "statutory_deadline",
                      20260320, "pauses", "decision", "time", (json_int_t)s_local (20260310, 11),
                      "future", 1));
    s_add (r, "case.collected", 9, s_local (20260310, 12),
           json_pack ("{s:{s:s, s:{s:s}, s:I}}", "case", "case_no", "X7", "collected_at", "kind",
                      "drone", "collected", (json_int_t)s_local (20260310, 12)));
    json_t *k = proto_report_json (r, s_local (20260310, 13));
    CU_ASSERT_EQUAL (trep_int (k, "kpis.notices.notices"), 6);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.notices.compliant"), 2); //  X1's first, X4
    CU_ASSERT_EQUAL (trep_int (k, "kpis.notices.repeated"), 2);  //  X1's second, X3
    CU_ASSERT_EQUAL (trep_int (k, "kpis.notices.unjudged"), 1);  //  X5
    CU_ASSERT_EQUAL (trep_int (k, "kpis.notices.late"), 1);      //  X6
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.notices.compliance"), 2.0 / 5.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.decided"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.late"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.statutory_on_time"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.first_time"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.pickup.unmeasured"), 1);
    CU_ASSERT (trep_null (k, "kpis.pickup.counter.median_ms"));
    const json_t *why = json_object_get (k, "null_reasons");
    CU_ASSERT_PTR_NOT_NULL (json_object_get (why, "kpis.pickup.counter.median_ms"));
    CU_ASSERT_PTR_NOT_NULL (json_object_get (why, "kpis.ratings.good_rate"));
    //  X5 and X6 were accepted in the period (X1 and X3 before it), neither immediate.
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.accepted"), 2);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.cases.immediate_share"), 0.0, 1e-12);
    CU_ASSERT_PTR_NULL (json_object_get (why, "kpis.notices.compliance"));
    json_decref (k);
    json_decref (sup);
    proto_report_destroy (&r);
    json_decref (info);
}

//  A ticket event's body: the ticket of `priority` issued at `issued`, finished at
//  `finished` (0: not), with the fields of `more` (taken; may be NULL).
static json_t *
s_ticket (const char *priority, long long issued, long long finished, json_t *more)
{
    json_t *t = json_pack ("{s:s, s:s, s:I}", "service", "A", "priority", priority, "issued",
                           (json_int_t)issued);
    if (finished)
        json_object_set_new (t, "finished", json_integer (finished));
    json_t *body = more ? more : json_object ();
    json_object_set_new (body, "ticket", t);
    return body;
}

//  A case event's body: case `no` received at `received`, accepted at `accepted`, with the
//  checks `checks` (taken) and the fields of `more` (taken; may be NULL) on the case.
static json_t *
s_case_with (const char *no, long long received, long long accepted, json_t *checks, json_t *more)
{
    json_t *c = json_pack ("{s:s, s:s, s:I, s:I, s:o, s:[]}", "case_no", no, "kind", "promised",
                           "received", (json_int_t)received, "accepted", (json_int_t)accepted,
                           "checks", checks, "pauses");
    if (more) {
        json_object_update (c, more);
        json_decref (more);
    }
    return json_pack ("{s:o}", "case", c);
}

//  The figures the index reads: the priority lines (recalls and unknown priorities not
//  counted), tickets left unserved and whole visits, bookings kept, check rounds with an
//  override, decisions in one visit, and collections outside the opening hours.
static void
test_report_access (void)
{
    json_t *info = s_info ();
    proto_report_t *r = proto_report_new (info, 20260302, 20260302, 30);
    long long t9 = s_local (20260302, 9);
    int seq = 1;
    s_add (r, "hall.day", seq++, s_local (20260302, 3), json_pack ("{s:i}", "day", 20260302));
    const char *kinds[] = {"green", "elderly", "appointment", "normal", "vip"};
    for (int i = 0; i < 5; i++)
        s_add (r, "ticket.issued", seq++, t9, s_ticket (kinds[i], t9, 0, NULL));
    s_add (r, "ticket.called", seq++, t9 + 5 * MIN_MS,
           s_ticket ("green", t9, 0, json_pack ("{s:i, s:i}", "recall", 0, "wait_s", 300)));
    s_add (r, "ticket.called", seq++, t9 + 6 * MIN_MS,
           s_ticket ("green", t9, 0, json_pack ("{s:i}", "recall", 1)));
    s_add (r, "ticket.called", seq++, t9 + 10 * MIN_MS,
           s_ticket ("elderly", t9, 0, json_pack ("{s:i, s:i}", "recall", 0, "wait_s", 600)));
    s_add (r, "ticket.called", seq++, t9 + 20 * MIN_MS,
           s_ticket ("elderly", t9, 0, json_pack ("{s:i, s:i}", "recall", 0, "wait_s", 1200)));
    //  Visits: 20 minutes (the ticket's own `finished`) and 40 (the event's time).
    s_add (r, "ticket.finished", seq++, t9 + 20 * MIN_MS,
           s_ticket ("green", t9, t9 + 20 * MIN_MS, json_pack ("{s:i}", "service_s", 900)));
    s_add (r, "ticket.finished", seq++, t9 + 40 * MIN_MS,
           s_ticket ("elderly", t9, 0, json_pack ("{s:i}", "service_s", 600)));
    //  Unserved: a cancel, a void miss, an expiry; a miss that requeued is not.
    s_add (r, "ticket.cancelled", seq++, t9, s_ticket ("normal", t9, t9, NULL));
    s_add (r, "ticket.missed", seq++, t9,
           s_ticket ("vip", t9, 0, json_pack ("{s:s}", "outcome", "requeued")));
    s_add (r, "ticket.missed", seq++, t9,
           s_ticket ("vip", t9, t9, json_pack ("{s:s}", "outcome", "void")));
    s_add (r, "ticket.expired", seq++, t9, s_ticket ("appointment", t9, t9, NULL));
    //  Bookings: two made, one cancelled, two check-ins (one late), one no-show.
    const char *bookings[] = {"appointment.booked", "appointment.booked", "appointment.cancelled",
                              "appointment.no_show"};
    for (int i = 0; i < 4; i++)
        s_add (r, bookings[i], seq++, t9, json_pack ("{s:{}}", "appointment"));
    s_add (r, "appointment.checked_in", seq++, t9,
           json_pack ("{s:{}, s:b}", "appointment", "in_window", 1));
    s_add (r, "appointment.checked_in", seq++, t9,
           json_pack ("{s:{}, s:b}", "appointment", "in_window", 0));
    //  Check rounds: an intake with an override, a refusal without, material received with
    //  its new check overridden, material received after an earlier override only.
    json_t *over = json_pack ("[{s:b}, {s:b, s:s}]", "ok", 1, "ok", 0, "override", "原件已核验");
    json_t *late = json_pack ("[{s:b, s:s}, {s:b}]", "ok", 0, "override", "原件已核验", "ok", 1);
    json_t *body = s_case_with ("K1", t9, t9, json_deep_copy (over), NULL);
    json_object_set_new (body, "intake", json_true ());
    s_add (r, "case.accepted", seq++, t9, body);
    body = s_case_with ("K2", t9, 0, json_pack ("[{s:b}]", "ok", 0), NULL);
    json_object_set_new (body, "intake", json_true ());
    s_add (r, "case.not_accepted", seq++, t9, body);
    s_add (r, "case.supplement_received", seq++, t9, s_case_with ("K3", t9, t9, over, NULL));
    s_add (r, "case.supplement_received", seq++, t9, s_case_with ("K4", t9, t9, late, NULL));
    //  Decisions: in one visit (K1); after an intake notice (K3, accepted later; K5, deemed
    //  accepted; K6, a notice given later) they are not.
    s_add (r, "case.approved", seq++, t9, s_case_with ("K1", t9, t9, json_array (), NULL));
    s_add (r, "case.approved", seq++, t9, s_case_with ("K3", t9 - DAY_MS, t9, json_array (), NULL));
    s_add (r, "case.approved", seq++, t9,
           s_case_with ("K5", t9, t9, json_array (), json_pack ("{s:b}", "deemed_accepted", 1)));
    s_add (r, "case.approved", seq++, t9,
           s_case_with ("K6", t9, t9, json_array (), json_pack ("{s:i}", "notice_day", 20260302)));
    //  Collections at 08:59 and 12:30 (outside), 09:00 (inside), 17:00 (the end: outside).
    const int minutes[] = {8 * 60 + 59, 12 * 60 + 30, 9 * 60, 17 * 60};
    for (int i = 0; i < 4; i++) {
        long long at = s_local (20260302, 0) + minutes[i] * MIN_MS;
        s_add (r, "case.collected", seq++, at,
               s_case_with ("K1", t9, t9, json_array (),
                            json_pack ("{s:I, s:{s:s}}", "collected", (json_int_t)at,
                                       "collected_at", "kind", i < 2 ? "cabinet" : "counter")));
    }
    json_t *k = proto_report_json (r, s_local (20260302, 18));
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.green.issued"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.green.called"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.green.avg_wait_ms"), 5 * MIN_MS);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.elderly.avg_wait_ms"), 15 * MIN_MS);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.elderly.max_wait_ms"), 20 * MIN_MS);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.elderly.served"), 1);
    CU_ASSERT (trep_null (k, "kpis.priority.normal.avg_wait_ms"));
    CU_ASSERT_EQUAL (trep_int (k, "kpis.priority.normal.max_wait_ms"), 0);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.tickets.issued"), 5);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.tickets.unserved"), 3);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.tickets.unserved_rate"), 3.0 / 5.0, 1e-12);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.tickets.median_visit_ms"), 20 * MIN_MS);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.tickets.p90_visit_ms"), 40 * MIN_MS);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.appointments.booked"), 2);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.appointments.cancelled"), 1);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.appointments.in_window"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.appointments.kept_rate"), 2.0 / 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.appointments.in_window_rate"), 0.5, 1e-12);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.checked"), 4);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.overridden"), 2);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.cases.override_rate"), 0.5, 1e-12);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.first_time"), 4);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.cases.one_visit"), 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.cases.one_visit_rate"), 0.25, 1e-12);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.pickup.collected"), 4);
    CU_ASSERT_EQUAL (trep_int (k, "kpis.pickup.after_hours"), 3);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.pickup.after_hours_share"), 0.75, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (k, "kpis.pickup.cabinet_share"), 0.5, 1e-12);
    json_decref (k);
    proto_report_destroy (&r);
    json_decref (info);
}

//  The opening hours: the hall's appointment periods, else the broker's defaults; a period
//  holds its start minute, not its end.
static void
test_report_hours (void)
{
    json_t *info = json_pack ("{s:{s:[s]}}", "appointments", "hours", "08:30-20:00");
    CU_ASSERT_EQUAL (proto_access_after_hours (info, 8 * 60 + 29), 1);
    CU_ASSERT_EQUAL (proto_access_after_hours (info, 8 * 60 + 30), 0);
    CU_ASSERT_EQUAL (proto_access_after_hours (info, 12 * 60 + 30), 0);
    CU_ASSERT_EQUAL (proto_access_after_hours (info, 20 * 60), 1);
    json_decref (info);
    info = json_pack ("{s:{s:[s]}}", "appointments", "hours", "nonsense");
    CU_ASSERT_EQUAL (proto_access_after_hours (info, 12 * 60 + 30), 1);
    CU_ASSERT_EQUAL (proto_access_after_hours (info, 13 * 60 + 30), 0);
    CU_ASSERT_EQUAL (proto_access_after_hours (NULL, 16 * 60 + 59), 0);
    CU_ASSERT_EQUAL (proto_access_after_hours (NULL, 17 * 60), 1);
    json_decref (info);
}

int
test_report_suite (void)
{
    CU_pSuite s = CU_add_suite ("report", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a period of days: bounds, counters across the day change, tolerance",
                 test_report_days);
    CU_add_test (s, "一次性告知, a decision without on_time, an unknown collection",
                 test_report_notices);
    CU_add_test (s, "what the index reads: priorities, bookings, overrides, visits, hours",
                 test_report_access);
    CU_add_test (s, "opening hours: the appointment periods, else the defaults", test_report_hours);
    return 0;
}
