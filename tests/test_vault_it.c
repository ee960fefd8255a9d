/*  test_vault_it.c — the smart document cabinet (智能柜) end to end on the rig of
    test_vault_rig.h: the paths of a result through the cabinet. Each test checks the
    three sides: the slot as the broker mirrors it (vault.status) and as the simulator's
    doors and counters show it, the case (case.get, ticket.status, case.audit), and the
    events (the vault's screen lines, the broker's events, the SMS notify log).
    test_vault_faults_it.c has what goes wrong. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "proto_token.h"
#include "test_util.h"
#include "test_vault_rig.h"
#include "tests.h"

//  The one notice with `template` in the broker's --notify-log (one JSON line each), or
//  NULL. Caller frees.
static json_t *
s_notice (vrig_t *r, const char *template)
{
    char *log = test_read_file (r->b.notify);
    json_t *found = NULL;
    int count = 0;
    for (char *line = log ? strtok (log, "\n") : NULL; line; line = strtok (NULL, "\n")) {
        json_t *n = json_loads (line, 0, NULL);
        if (n && proto_is (n, "template", template) && !count++)
            found = json_incref (n);
        json_decref (n);
    }
    free (log);
    CU_ASSERT_EQUAL (count, 1);
    return found;
}

//  ---------------------------------------------------------------------------------------
//  1. Deposit by badge and scan; pickup by a qrencode image; a code used twice.

static void
test_deposit_and_qr_pickup (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);

    //  Staff, at their reader: badge, then the case's slip; the door of M01 opens.
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_staff_scan (r, token);
    json_t *l = vrig_wait (r, "deposit_open", NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    //  Nothing else moved.
    for (size_t i = 0; i < VRIG_NSLOTS; i++)
        if (strcmp (vrig_cab[i].slot, "M01") != 0)
            CU_ASSERT_EQUAL (vrig_pulses (r, vrig_cab[i].board, vrig_cab[i].lock), 0);
    //  Door open but not closed yet: not ready for pickup.
    vrig_expect_case (r, no, "awaiting_pickup");
    vrig_act (r, "put", 1, 3);
    vrig_act (r, "close", 1, 3);
    l = vrig_wait (r, "deposited", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    vrig_wait_case (r, no, "ready_for_pickup");
    json_t *c = vrig_case_get (r, no);
    json_t *p = json_object_get (c, "pickup");
    CU_ASSERT_STRING_EQUAL (proto_str (p, "cabinet"), CABINET);
    CU_ASSERT_STRING_EQUAL (proto_str (p, "slot"), "M01");
    CU_ASSERT_EQUAL (proto_int (p, "deposited"), r->t0);
    json_decref (c);
    json_t *s = vrig_wait_slot (r, "M01", "occupied", "ajar", false);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "case_no"), no);
    CU_ASSERT_TRUE (json_is_true (json_object_get (s, "occupied")));
    CU_ASSERT_STRING_EQUAL (proto_str (s, "door"), "closed");
    CU_ASSERT_STRING_EQUAL (proto_str (s, "size"), "M");
    json_decref (s);

    //  The SMS (after the approval's): the applicant's full phone, the slot, the link to
    //  the status page (the address the slip's QR code holds).
    json_t *n = s_notice (r, "ready_for_pickup");
    CU_ASSERT_PTR_NOT_NULL_FATAL (n);
    CU_ASSERT_STRING_EQUAL (proto_str (n, "phone"), PHONE);
    CU_ASSERT_STRING_EQUAL (proto_str (n, "case_no"), no);
    char qr[128];
    snprintf (qr, sizeof qr, "%s%s", URL, token);
    CU_ASSERT_STRING_EQUAL (proto_str (n, "link"), qr);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (n, "text"), "M01"));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (n, "text"), no));
    json_decref (n);

    //  The citizen shows that code (made by qrencode) to the camera.
    vrig_show_qr (r, qr);
    json_t *open = vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (open, "case_no"), no);
    int64_t opened = proto_int (open, "time");
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    //  The frame read is deleted, not kept (the disk would fill).
    char frame[800], done[800];
    snprintf (frame, sizeof frame, "%.700s/frame%03d.png", r->frames, r->frame_seq);
    snprintf (done, sizeof done, "%.700s/frame%03d.png.done", r->frames, r->frame_seq);
    CU_ASSERT_NOT_EQUAL (access (frame, F_OK), 0);
    CU_ASSERT_NOT_EQUAL (access (done, F_OK), 0);
    //  Door open: the code is used up, but the case is collected only when it closes empty.
    vrig_expect_case (r, no, "ready_for_pickup");
    l = vrig_take_and_close (r, "M01", no);
    int64_t closed = proto_int (l, "time");
    vrig_wait_case (r, no, "collected");
    json_t *st = vrig_do (r, "ticket.status", json_pack ("{s:s}", "token", token), PROTO_ERR_OK);
    json_t *cs = json_object_get (st, "case");
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (cs, "state"), "collected");
    long long when = proto_int (cs, "collected");
    CU_ASSERT (when >= opened && when <= closed); //  the vault's time, not the broker's
    json_t *at = json_object_get (cs, "collected_at");
    CU_ASSERT_STRING_EQUAL (proto_str (at, "kind"), "cabinet");
    CU_ASSERT_STRING_EQUAL (proto_str (at, "cabinet"), CABINET);
    CU_ASSERT_STRING_EQUAL (proto_str (at, "slot"), "M01");
    CU_ASSERT_TRUE (json_is_false (json_object_get (at, "proxy")));
    json_decref (st);
    s = vrig_wait_slot (r, "M01", "free", "ajar", false);
    CU_ASSERT_PTR_NULL (json_object_get (s, "case_no"));
    CU_ASSERT_TRUE (json_is_false (json_object_get (s, "occupied")));
    json_decref (s);
    CU_ASSERT_EQUAL (vrig_count_case_events (r, "case.collected", no), 1);

    //  The same code again: refused, "collected at HH:MM" (the broker's words, the hall's
    //  time, UTC+8).
    vrig_scan (r, token);
    l = vrig_wait (r, "refused", NULL);
    char day[32], want[128];
    time_t t = (time_t)(when / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (day, sizeof day, "%Y-%m-%d %H:%M", &tm);
    snprintf (want, sizeof want, "已于 %s 领取 / collected at %s", day, day);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "message"), want);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    CU_ASSERT_FALSE (vrig_door_open (r, 1, 3));
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  2. A deposit asked for from a staff terminal, on 8A boards.

static void
test_terminal_deposit_8a (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "8a", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    json_t *cmd =
        vrig_do (r, "vault.deposit_request",
                 json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "code", no, "clerk", "王芳"),
                 PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (cmd, "kind"), "deposit");
    CU_ASSERT_STRING_EQUAL (proto_str (cmd, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (cmd, "size"), "M");
    long long id = proto_int (cmd, "id");
    CU_ASSERT (id > 0);
    json_decref (cmd);
    //  The vault picks the command up on its next sync and opens M01.
    json_t *l = vrig_wait (r, "deposit_open", NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    vrig_act (r, "put", 1, 3);
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "deposited", "M01");
    json_t *e = vrig_event (r, "vault.command_done", NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    json_t *done = json_object_get (e, "command");
    CU_ASSERT_EQUAL (proto_int (done, "id"), id);
    CU_ASSERT_STRING_EQUAL (proto_str (done, "result"), "deposited");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "cabinet"), CABINET);
    json_decref (e);
    vrig_wait_case (r, no, "ready_for_pickup");
    json_t *s = vrig_wait_slot (r, "M01", "occupied", "ajar", false);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "case_no"), no);
    json_decref (s);
    //  The case is in the cabinet now: it cannot be asked for twice.
    json_decref (vrig_do (r, "vault.deposit_request",
                          json_pack ("{s:s, s:s}", "cabinet", CABINET, "code", no),
                          PROTO_ERR_WRONG_STATE));
    //  Pickup on 8A (no occupancy sensor): the typed slip code opens, the closed door counts.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    for (size_t i = 0; i < VRIG_NSLOTS; i++)
        if (strcmp (vrig_cab[i].slot, "M01") != 0)
            CU_ASSERT_EQUAL (vrig_pulses (r, vrig_cab[i].board, vrig_cab[i].lock), 0);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  6. The documents are not taken.

static void
test_not_taken (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    vrig_act (r, "close", 1, 3);
    json_t *l = vrig_wait (r, "not_taken", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    json_t *s = vrig_wait_slot (r, "M01", "occupied", "ajar", false);
    CU_ASSERT_TRUE (json_is_true (json_object_get (s, "occupied")));
    CU_ASSERT_STRING_EQUAL (proto_str (s, "case_no"), no);
    json_decref (s);
    vrig_expect_case (r, no, "ready_for_pickup");
    CU_ASSERT_EQUAL (vrig_count (r, 0, "collected"), 0);
    //  The code works again.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 3);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.collected"), 1);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  11. Uncollected past pickup_overdue_days: warning, reminder, staff recovery.

static void
test_overdue_recovery (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    json_decref (vrig_do (r, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)(8 * DAY)),
                          PROTO_ERR_OK));
    json_t *e = vrig_event (r, "case.warning", "level", "pickup_overdue");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (e, "case"), "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "slot"), "M01");
    json_decref (e);
    //  The reminder SMS.
    json_t *n = s_notice (r, "pickup_reminder");
    CU_ASSERT_PTR_NOT_NULL_FATAL (n);
    CU_ASSERT_STRING_EQUAL (proto_str (n, "phone"), PHONE);
    CU_ASSERT_STRING_EQUAL (proto_str (n, "case_no"), no);
    json_decref (n);
    //  The vault marks the slot overdue on its next sync.
    vrig_wait (r, "overdue", "M01");
    json_decref (vrig_wait_slot (r, "M01", "overdue", "ajar", false));
    //  Staff: badge, the case's QR code, then the badge holder's PIN (a case number opens
    //  nothing: test_vault_staff_it.c).
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_staff_scan (r, token);
    vrig_wait (r, "staff_pin", "M01");
    vrig_staff_scan (r, STAFF_PIN);
    vrig_wait (r, "recovery_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    vrig_act (r, "take", 1, 3);
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "recovered", "M01");
    vrig_wait_case (r, no, "awaiting_pickup");
    json_t *c = vrig_case_get (r, no);
    CU_ASSERT_PTR_NULL (json_object_get (c, "pickup"));
    json_t *rec = json_object_get (c, "recovered");
    CU_ASSERT_STRING_EQUAL (proto_str (rec, "cabinet"), CABINET);
    CU_ASSERT_STRING_EQUAL (proto_str (rec, "slot"), "M01");
    json_decref (c);
    json_t *s = vrig_wait_slot (r, "M01", "free", "ajar", false);
    CU_ASSERT_PTR_NULL (json_object_get (s, "case_no"));
    json_decref (s);
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.recovered"), 1);
    //  The citizen's code no longer opens anything here.
    vrig_scan (r, token);
    vrig_wait (r, "refused", NULL);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);

    //  The counter puts it back in the cabinet later: a fresh deposit, not overdue.
    size_t mark = json_array_size (r->lines);
    vrig_deposit (r, token, no);
    //  A marker command: when its door opens, a sync after the deposit has been applied.
    json_decref (vrig_do (
        r, "vault.remote_open",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "slot", "S01", "reason", "marker"),
        PROTO_ERR_OK));
    vrig_wait (r, "remote_open", "S01");
    vrig_act (r, "close", 1, 1);
    vrig_wait_door (r, "S01", "closed");
    json_t *again = vrig_slot (r, "M01");
    c = vrig_case_get (r, no);
    //  Recovery ended the overdue wait: the new deposit is not overdue.
    CU_ASSERT_EQUAL (vrig_count (r, mark, "overdue"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (again, "state"), "occupied");
    json_decref (again);
    json_decref (c);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  12. Proxy pickup (代领).

static void
test_proxy_pickup (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    json_t *p =
        vrig_do (r, "case.authorize_proxy",
                 json_pack ("{s:s, s:s}", "token", token, "proxy_name", "李四"), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (p, "case_no"), no);
    char code[64], qr[128];
    snprintf (code, sizeof code, "%s", proto_str (p, "proxy_code"));
    snprintf (qr, sizeof qr, "%s", proto_str (p, "qr"));
    CU_ASSERT_EQUAL (strlen (code), PROTO_TOKEN_LEN);
    CU_ASSERT_STRING_NOT_EQUAL (code, token);
    json_decref (p);
    //  The proxy's own code cannot authorise another proxy.
    json_decref (vrig_do (r, "case.authorize_proxy",
                          json_pack ("{s:s, s:s}", "token", code, "proxy_name", "王五"),
                          PROTO_ERR_FORBIDDEN));
    //  The proxy shows the code to the camera.
    vrig_show_qr (r, qr);
    json_t *l = vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    json_t *c = vrig_case_get (r, no);
    CU_ASSERT_TRUE (json_is_true (json_object_get (json_object_get (c, "collected_at"), "proxy")));
    json_decref (c);
    json_t *e = vrig_event (r, "case.collected", NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_TRUE (json_is_true (json_object_get (e, "proxy")));
    json_decref (e);
    //  The applicant's own code is used up with it.
    vrig_scan (r, token);
    l = vrig_wait (r, "refused", NULL);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "collected at"));
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  13. The second factor: the last 4 characters of the applicant's ID.

static void
test_second_factor (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", true, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    vrig_scan (r, token);
    json_t *l = vrig_wait (r, "pin_required", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    vrig_scan (r, "1234");
    vrig_wait (r, "pin_wrong", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    CU_ASSERT_FALSE (vrig_door_open (r, 1, 3));
    //  The right digits (the X typed in lower case counts): the door opens. The citizen
    //  changes their mind and closes it: the documents stay.
    vrig_scan (r, "002x");
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "not_taken", "M01");
    json_decref (vrig_wait_slot (r, "M01", "occupied", "ajar", false));

    //  Someone with the slip but not the ID guesses: every wrong try counts toward the
    //  cabinet's lockout (3 within 60 s here, the one above included) and toward the case's
    //  own limit, which a rescan of the slip does not reset.
    vrig_scan (r, token);
    vrig_wait (r, "pin_required", "M01");
    vrig_scan (r, "1111");
    vrig_wait (r, "pin_wrong", "M01");
    vrig_scan (r, token);
    vrig_wait (r, "pin_required", "M01");
    vrig_scan (r, "2222");
    vrig_wait (r, "lockout", NULL);
    //  Locked: the slip opens nothing now, not even with the right digits.
    vrig_scan (r, token);
    vrig_wait (r, "locked", NULL);
    vrig_scan (r, "002X");
    vrig_wait (r, "locked", NULL);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    vrig_expect_case (r, no, "ready_for_pickup");
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  14. The pickup code (取件码) typed at the keypad, from the phone page: online, then with
//      the network down from the local record; the second factor either way.

//  The pickup code ticket.status gives the token's holder, with a space in the middle as
//  the phone page shows it.
static void
s_pickup_code (vrig_t *r, const char *token, char *out, size_t size)
{
    json_t *st = vrig_do (r, "ticket.status", json_pack ("{s:s}", "token", token), PROTO_ERR_OK);
    const json_t *cases = json_object_get (st, "cases");
    const char *code = proto_str (json_object_get (json_array_get (cases, 0), "pickup"), "code");
    CU_ASSERT_EQUAL (strlen (code), 8);
    snprintf (out, size, "%.4s %s", code, strlen (code) == 8 ? code + 4 : "");
    json_decref (st);
}

static void
test_typed_pickup_code (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", true, NULL) == 0);
    char token[32], no[48], typed[16];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    s_pickup_code (r, token, typed, sizeof typed);
    //  A wrong code opens nothing and is counted; the right one asks for the second factor.
    vrig_scan (r, "1234 5678");
    vrig_wait (r, "wrong_code", NULL);
    vrig_scan (r, typed);
    json_t *l = vrig_wait (r, "pin_required", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    vrig_scan (r, "002X");
    vrig_wait (r, "pickup_open", "M01");
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "not_taken", "M01");

    //  The network goes down: the same code, from the local record (its hash), and the
    //  documents taken this time; reported once when the broker is back.
    CU_ASSERT_EQUAL (test_broker_stop (&r->b, SIGKILL), 128 + SIGKILL);
    vrig_scan (r, typed);
    vrig_wait (r, "pin_required", "M01");
    vrig_scan (r, "002X");
    vrig_wait (r, "pickup_open", "M01");
    json_decref (vrig_take_and_close (r, "M01", no));
    CU_ASSERT_FATAL (test_broker_restart (&r->b) == 0);
    vrig_wait_case (r, no, "collected");
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.collected"), 1);
    //  Collected: the code is gone (the broker forgets it), so it opens nothing any more.
    vrig_scan (r, typed);
    l = vrig_wait (r, "wrong_code", NULL);
    CU_ASSERT_PTR_NOT_NULL (l);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------

int
test_vault_it_suite (void)
{
    CU_pSuite s =
        CU_add_suite_with_setup_and_teardown ("vault_it", NULL, NULL, vrig_setup, vrig_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "deposit by badge and scan; pickup by a qrencode image; a used code",
                 test_deposit_and_qr_pickup);
    CU_add_test (s, "a deposit from a staff terminal on 8A boards", test_terminal_deposit_8a);
    CU_add_test (s, "documents not taken: not collected, the code works again", test_not_taken);
    CU_add_test (s, "overdue: warning, reminder, slot overdue, staff recovery",
                 test_overdue_recovery);
    CU_add_test (s, "proxy pickup (代领) with the applicant's authorisation", test_proxy_pickup);
    CU_add_test (s, "second factor: the last 4 characters of the ID", test_second_factor);
    CU_add_test (s, "the pickup code typed at the keypad, online and offline",
                 test_typed_pickup_code);
    return 0;
}
