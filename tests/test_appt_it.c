/*  test_appt_it.c — appointments at the edges of their windows, capacity and one booking
    per person, no-shows on the simulated clock; calling a ticket out of turn and the park
    pool; the policy's reason on ticket.called. The real broker, on a simulated clock. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

//  Monday 2026-11-30 08:30 in Beijing.
#define T0  1795998600000LL
#define MIN 60000LL

static int
s_code (proto_client_t *c, const char *command, json_t *body, json_t **out)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    if (out)
        *out = r;
    else
        json_decref (r);
    return code;
}

static json_t *
s_book (proto_client_t *c, const char *slot, const char *phone, int *code)
{
    json_t *r = NULL;
    *code = s_code (c, "appointment.book",
                    json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261130,
                               "slot", slot, "name", "预约者", "phone", phone),
                    &r);
    return r;
}

static void
s_advance (proto_client_t *c, int64_t ms)
{
    CU_ASSERT_EQUAL (s_code (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)ms), NULL),
                     0);
}

static void
test_booking_rules (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    int code;
    json_t *r = s_book (c, "10:00", "13800000001", &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    CU_ASSERT_EQUAL (strlen (json_string_value (json_object_get (r, "code"))), 26);
    //  Check-in from 09:30 (30 min early) to 10:15 (15 min late).
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (r, "checkin_from")), T0 + 60 * MIN);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (r, "checkin_until")), T0 + 105 * MIN);
    json_decref (r);
    //  One booking per person a day.
    json_decref (s_book (c, "11:00", "13800000001", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_WRONG_STATE);
    //  ... however the number is written.
    json_decref (s_book (c, "11:00", "+86 138 0000 0001", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_WRONG_STATE);
    //  A phone that is not one, an ID number with a wrong check character: refused, named.
    json_decref (s_book (c, "11:00", "12345", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_t *err =
        test_call (c, "appointment.book",
                   json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261130, "slot",
                              "11:00", "name", "李明", "id_number", "110105194912310021"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    const char *msg = json_string_value (json_object_get (err, "message"));
    CU_ASSERT_PTR_NOT_NULL (msg && strstr (msg, "id_number"));
    json_decref (err);
    err = test_call (c, "appointment.book",
                     json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261130,
                                "slot", "11:00", "name", "李明", "id_number", "11010519491231002x"),
                     &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_decref (err);
    //  Capacity 4 per slot: the 5th is refused.
    for (int i = 2; i <= 4; i++) {
        char phone[32];
        snprintf (phone, sizeof phone, "1380000000%d", i);
        json_decref (s_book (c, "10:00", phone, &code));
        CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    }
    json_decref (s_book (c, "10:00", "13800000005", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_WRONG_STATE);
    //  Not a slot start, outside the hours, in the past, on a Saturday, too far ahead.
    json_decref (s_book (c, "10:10", "13800000006", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (s_book (c, "12:00", "13800000006", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    json_decref (s_book (c, "08:00", "13800000006", &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (
        s_code (c, "appointment.book",
                json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261205, "slot",
                           "10:00", "name", "x", "phone", "13800000006"),
                NULL),
        PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (
        s_code (c, "appointment.book",
                json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261231, "slot",
                           "10:00", "name", "x", "phone", "13800000006"),
                NULL),
        PROTO_ERR_BAD_FIELD);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_checkin_windows_and_no_show (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    int code;
    char codes[4][32];
    const char *phones[] = {"13800000011", "13800000012", "13800000013", "13800000014"};
    for (int i = 0; i < 4; i++) {
        json_t *r = s_book (c, "10:00", phones[i], &code);
        CU_ASSERT_EQUAL_FATAL (code, 0);
        snprintf (codes[i], sizeof codes[i], "%s", json_string_value (json_object_get (r, "code")));
        json_decref (r);
    }
    json_t *r;
    //  09:29:59.999 — a millisecond before the window: an ordinary ticket.
    s_advance (c, 60 * MIN - 1);
    CU_ASSERT_EQUAL (s_code (c, "appointment.checkin", json_pack ("{s:s}", "code", codes[0]), &r),
                     0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "priority")), "normal");
    CU_ASSERT_FALSE (json_is_true (json_object_get (r, "in_window")));
    json_decref (r);
    //  09:30:00 — the window opens: appointment priority.
    s_advance (c, 1);
    CU_ASSERT_EQUAL (s_code (c, "appointment.checkin", json_pack ("{s:s}", "code", codes[1]), &r),
                     0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "priority")), "appointment");
    json_decref (r);
    //  Checked in once: again is refused.
    CU_ASSERT_EQUAL (s_code (c, "appointment.checkin", json_pack ("{s:s}", "code", codes[1]), NULL),
                     PROTO_ERR_WRONG_STATE);
    //  10:15:00 — the last instant of the window.
    s_advance (c, 45 * MIN);
    CU_ASSERT_EQUAL (s_code (c, "appointment.checkin", json_pack ("{s:s}", "code", codes[2]), &r),
                     0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "priority")), "appointment");
    json_decref (r);
    //  10:15:00.001 — past it: the last booking becomes a no-show (a timer on the broker's
    //  clock), and checking in now gives an ordinary ticket.
    s_advance (c, 1);
    CU_ASSERT_EQUAL (s_code (c, "appointment.list", json_pack ("{s:i}", "date", 20261130), &r), 0);
    int no_show = 0, checked = 0;
    size_t i;
    json_t *a;
    json_array_foreach (json_object_get (r, "appointments"), i, a) {
        no_show += strcmp (json_string_value (json_object_get (a, "state")), "no_show") == 0;
        checked += strcmp (json_string_value (json_object_get (a, "state")), "checked_in") == 0;
    }
    CU_ASSERT_EQUAL (no_show, 1);
    CU_ASSERT_EQUAL (checked, 3);
    char *text = json_dumps (r, 0);
    CU_ASSERT_PTR_NULL (strstr (text, "13800000014")); //  phones masked in the list
    CU_ASSERT_PTR_NULL (strstr (text, "预约者"));      //  and names
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "预*者"));
    free (text);
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "appointment.checkin", json_pack ("{s:s}", "code", codes[3]), &r),
                     0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "priority")), "normal");
    json_decref (r);
    //  Counter 5 serves B. B001 (walk-in, 09:29:59.999) and B002 (appointment, 09:30) have
    //  both waited past 45 minutes, the default max wait: escalation calls them oldest first.
    //  Then the appointment B003 goes before the later walk-in B004.
    CU_ASSERT_EQUAL (s_code (c, "counter.login", json_pack ("{s:i}", "counter", 5), NULL), 0);
    const char *order[][2] = {
        {"B001", "max_wait"}, {"B002", "max_wait"}, {"B003", "appointment"}, {"B004", "fifo"}};
    for (int k = 0; k < 4; k++) {
        CU_ASSERT_EQUAL (s_code (c, "ticket.call_next", json_pack ("{s:i}", "counter", 5), &r), 0);
        CU_ASSERT_STRING_EQUAL (
            json_string_value (json_object_get (json_object_get (r, "ticket"), "number")),
            order[k][0]);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "reason")), order[k][1]);
        json_decref (r);
        CU_ASSERT_EQUAL (s_code (c, "ticket.start", json_pack ("{s:i}", "counter", 5), NULL), 0);
        CU_ASSERT_EQUAL (s_code (c, "ticket.finish", json_pack ("{s:i}", "counter", 5), NULL), 0);
    }
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_call_specific_and_park (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), NULL), 0);
    CU_ASSERT_EQUAL (s_code (c, "counter.login", json_pack ("{s:i}", "counter", 3), NULL), 0);
    json_t *r;
    //  Out of turn: A003 first, with the reason, which the event carries.
    CU_ASSERT_EQUAL (s_code (c, "ticket.call_specific",
                             json_pack ("{s:i, s:s, s:s}", "counter", 3, "ticket", "A003", "reason",
                                        "行动不便 / limited mobility, seen waiting"),
                             &r),
                     0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "reason")), "specific");
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "events.range", json_pack ("{s:i}", "from", 1), &r), 0);
    bool noted = false;
    size_t i;
    json_t *e;
    json_array_foreach (json_object_get (r, "events"), i, e)
        noted =
            noted || (json_is_string (json_object_get (e, "note")) &&
                      strcmp (json_string_value (json_object_get (e, "reason")), "specific") == 0);
    CU_ASSERT_TRUE (noted);
    json_decref (r);
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.call_specific",
                json_pack ("{s:i, s:s, s:s}", "counter", 3, "ticket", "A001", "reason", "x"), NULL),
        PROTO_ERR_COUNTER_BUSY);
    //  Park A003 (the citizen fetches a document); the counter goes on with A001.
    CU_ASSERT_EQUAL (s_code (c, "ticket.start", json_pack ("{s:i}", "counter", 3), NULL), 0);
    CU_ASSERT_EQUAL (s_code (c, "ticket.park",
                             json_pack ("{s:i, s:s}", "counter", 3, "reason", "取户口本"), NULL),
                     0);
    CU_ASSERT_EQUAL (s_code (c, "ticket.call_next", json_pack ("{s:i}", "counter", 3), &r), 0);
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_object_get (json_object_get (r, "ticket"), "number")), "A001");
    json_decref (r);
    //  A parked ticket is not called by call_next, and cannot be unparked onto a busy counter.
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 3, "ticket", "A003"), NULL),
        PROTO_ERR_COUNTER_BUSY);
    CU_ASSERT_EQUAL (s_code (c, "ticket.missed", json_pack ("{s:i}", "counter", 3), NULL), 0);
    s_advance (c, 10 * MIN); //  ten minutes fetching the document
    //  Only onto a counter that serves it (counter 5 serves B and G).
    CU_ASSERT_EQUAL (s_code (c, "counter.login", json_pack ("{s:i}", "counter", 5), NULL), 0);
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 5, "ticket", "A003"), NULL),
        PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 3, "ticket", "A003"), &r),
        0);
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_object_get (json_object_get (r, "ticket"), "state")), "called");
    json_decref (r);
    s_advance (c, 3 * MIN);
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 3, "ticket", "A002"), NULL),
        PROTO_ERR_COUNTER_BUSY);
    CU_ASSERT_EQUAL (s_code (c, "ticket.start", json_pack ("{s:i}", "counter", 3), NULL), 0);
    CU_ASSERT_EQUAL (s_code (c, "ticket.finish", json_pack ("{s:i}", "counter", 3), NULL), 0);
    //  The service timed (and learned) is from the unpark's call: 3 minutes, not the 13 since
    //  the first call, nor the time parked.
    CU_ASSERT_EQUAL (s_code (c, "hall.info", json_object (), &r), 0);
    json_int_t last = json_integer_value (json_object_get (r, "seq"));
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "events.range", json_pack ("{s:I}", "from", last - 1), &r), 0);
    json_t *fin = json_array_get (json_object_get (r, "events"), 0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (fin, "topic")), "ticket.finished");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (fin, "service_s")), 180);
    json_decref (r);
    CU_ASSERT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 3, "ticket", "A002"), NULL),
        PROTO_ERR_WRONG_STATE);
    //  A parked citizen who gives up cancels by their slip like one waiting in line.
    CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), &r), 0);
    char token[64];
    snprintf (token, sizeof token, "%s", json_string_value (json_object_get (r, "token")));
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "ticket.call_next", json_pack ("{s:i}", "counter", 3), NULL), 0);
    CU_ASSERT_EQUAL (s_code (c, "ticket.park", json_pack ("{s:i}", "counter", 3), NULL), 0);
    CU_ASSERT_EQUAL (s_code (c, "ticket.cancel", json_pack ("{s:s}", "token", token), &r), 0);
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_object_get (json_object_get (r, "ticket"), "state")), "cancelled");
    json_decref (r);
    CU_ASSERT_NOT_EQUAL (
        s_code (c, "ticket.unpark", json_pack ("{s:i, s:s}", "counter", 3, "ticket", "A004"), NULL),
        PROTO_ERR_OK);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  A pause says when the counter will be back: the clerk's minutes, or the length of the
//  scheduled break it is (example hall: counter 1 lunches 11:30-12:30).
static void
test_pause_and_breaks (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *r;
    CU_ASSERT_EQUAL (s_code (c, "counter.login", json_pack ("{s:i}", "counter", 1), NULL), 0);
    //  10:00: not a break; no return time unless the clerk gives one.
    s_advance (c, 90 * MIN);
    CU_ASSERT_EQUAL (s_code (c, "counter.pause", json_pack ("{s:i}", "counter", 1), &r), 0);
    CU_ASSERT_PTR_NULL (json_object_get (r, "back"));
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "counter.resume", json_pack ("{s:i}", "counter", 1), NULL), 0);
    CU_ASSERT_EQUAL (
        s_code (c, "counter.pause", json_pack ("{s:i, s:i}", "counter", 1, "minutes", 15), &r), 0);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (r, "back")), T0 + 105 * MIN);
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "counter.resume", json_pack ("{s:i}", "counter", 1), NULL), 0);
    CU_ASSERT_EQUAL (
        s_code (c, "counter.pause", json_pack ("{s:i, s:i}", "counter", 1, "minutes", 0), NULL),
        PROTO_ERR_BAD_FIELD);
    //  11:40: lunch, an hour from now.
    s_advance (c, 100 * MIN);
    CU_ASSERT_EQUAL (
        s_code (c, "counter.pause", json_pack ("{s:i, s:s}", "counter", 1, "reason", "午休"), &r),
        0);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (r, "back")), T0 + 250 * MIN);
    json_decref (r);
    CU_ASSERT_EQUAL (s_code (c, "counter.resume", json_pack ("{s:i}", "counter", 1), NULL), 0);
    //  11:50, the break taken already: a second pause is not lunch again.
    s_advance (c, 10 * MIN);
    CU_ASSERT_EQUAL (s_code (c, "counter.pause", json_pack ("{s:i}", "counter", 1), &r), 0);
    CU_ASSERT_PTR_NULL (json_object_get (r, "back"));
    json_decref (r);
    //  hall.info publishes the breaks (simulators and displays plan with them).
    CU_ASSERT_EQUAL (s_code (c, "hall.info", json_object (), &r), 0);
    json_t *brk = json_object_get (json_array_get (json_object_get (r, "counters"), 1), "breaks");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (brk, 0)), "12:30-13:30");
    //  ... and the appointment rules (a booking page offers only slots that exist).
    json_t *appt = json_object_get (r, "appointments");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (appt, "slot_minutes")), 30);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (appt, "capacity")), 4);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_array_get (json_object_get (appt, "hours"), 1)),
                            "13:30-17:00");
    json_decref (r);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

int
test_appt_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("appt_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "booking: capacity, one per person, slots, working days", test_booking_rules);
    CU_add_test (s, "check-in at the window's edges; no-shows; appointment first",
                 test_checkin_windows_and_no_show);
    CU_add_test (s, "call out of turn (audited); park and unpark", test_call_specific_and_park);
    CU_add_test (s, "pauses: minutes, scheduled breaks, taken once", test_pause_and_breaks);
    return 0;
}
