/*  test_vault_faults_it.c — the smart document cabinet (智能柜) when something goes
    wrong, on the rig of test_vault_rig.h: doors, boards, the network, wrong codes, a
    crash. As in test_vault_it.c, each test checks the
    three sides: the slot as the broker mirrors it (vault.status) and as the simulator's
    doors and counters show it, the case (case.get, ticket.status, case.audit), and the
    events (the vault's screen lines, the broker's events, the SMS notify log). */
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

//  ---------------------------------------------------------------------------------------
//  3. A door that does not open: one retry, then jammed; the code stays valid.

static void
test_jammed_door (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    char *reply = vrig_ctl (r, "fault 1 3 jam");
    CU_ASSERT_STRING_EQUAL (reply, "ok");
    free (reply);

    vrig_scan (r, token);
    json_t *l = vrig_wait (r, "jammed", "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    //  The citizen is told the code stays valid and to go to a counter.
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "请到窗口"));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "code stays valid"));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "counter"));
    //  The unlock and exactly one retry: two pulses for this pickup, the door still shut.
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 3);
    CU_ASSERT_FALSE (vrig_door_open (r, 1, 3));
    CU_ASSERT_EQUAL (vrig_count (r, 0, "pickup_open"), 0);
    json_t *e = vrig_event (r, "vault.alarm", "alarm", "jammed");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "cabinet"), CABINET);
    json_decref (e);
    json_t *s = vrig_wait_slot (r, "M01", "occupied", "jammed", true);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "case_no"), no);
    json_decref (s);
    vrig_expect_case (r, no, "ready_for_pickup");
    //  The broker still takes the code for this slot.
    json_t *pc =
        vrig_do (r, "vault.pickup_check",
                 json_pack ("{s:s, s:s}", "cabinet", CABINET, "code", token), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (pc, "slot"), "M01");
    json_decref (pc);
    //  Until someone has looked at the lock the slot does not pulse again for anyone.
    vrig_scan (r, token);
    l = vrig_wait (r, "refused", "M01");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "counter"));
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 3);

    //  Staff free the lock and open the slot remotely: the door opens, the alarm clears.
    reply = vrig_ctl (r, "clear 1 3");
    CU_ASSERT_STRING_EQUAL (reply, "ok");
    free (reply);
    json_decref (vrig_do (r, "vault.remote_open",
                          json_pack ("{s:s, s:s, s:s, s:s}", "cabinet", CABINET, "slot", "M01",
                                     "reason", "卡门检修 / jammed lock repaired", "clerk", "王芳"),
                          PROTO_ERR_OK));
    vrig_wait (r, "remote_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 4);
    vrig_act (r, "close", 1, 3);
    json_decref (vrig_wait_slot_door (r, "M01", "occupied", "jammed", false, "closed"));
    //  The same code now opens the door.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 5);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  4. A door left open.

static void
test_ajar (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_staff_scan (r, token);
    vrig_wait (r, "deposit_open", "M01");
    vrig_act (r, "put", 1, 3);
    //  Nobody closes it: after ajar_after_s the alarm, on the screen and at the broker.
    json_t *l = vrig_wait (r, "alarm", "M01");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "ajar"));
    json_t *e = vrig_event (r, "vault.alarm", "alarm", "ajar");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "cabinet"), CABINET);
    json_decref (e);
    json_t *s = vrig_wait_slot (r, "M01", "deposit_open", "ajar", true);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "door"), "open");
    json_decref (s);
    vrig_expect_case (r, no, "awaiting_pickup");
    //  Closed: the alarm clears and the deposit completes.
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "deposited", "M01");
    s = vrig_wait_slot (r, "M01", "occupied", NULL, false);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "door"), "closed");
    json_decref (s);
    vrig_wait_case (r, no, "ready_for_pickup");
    //  Once only: no second ajar alarm for that opening.
    CU_ASSERT_EQUAL (vrig_count (r, 0, "alarm"), 1);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  5. A door opened without a command.

static void
test_uncommanded_open (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    //  Someone forces M01.
    vrig_act (r, "open", 1, 3);
    json_t *l = vrig_wait (r, "alarm", "M01");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "uncommanded_open"));
    json_t *e = vrig_event (r, "vault.alarm", "alarm", "uncommanded_open");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "case_no"), no);
    json_decref (e);
    json_decref (vrig_wait_slot (r, "M01", "disabled", "uncommanded_open", true));
    //  The citizen's code is refused for a disabled slot; no pulse.
    vrig_scan (r, token);
    l = vrig_wait (r, "refused", NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    vrig_expect_case (r, no, "ready_for_pickup");
    //  An administrator comes, opens it remotely with a reason (the door still hangs open)
    //  and closes it: inspected, back in service.
    json_t *cmd =
        vrig_do (r, "vault.remote_open",
                 json_pack ("{s:s, s:s, s:s, s:s}", "cabinet", CABINET, "slot", "M01", "reason",
                            "巡检 / inspection after a forced door", "clerk", "管理员"),
                 PROTO_ERR_OK);
    long long id = proto_int (cmd, "id");
    CU_ASSERT_STRING_EQUAL (proto_str (cmd, "kind"), "open");
    json_decref (cmd);
    e = vrig_event (r, "vault.command_done", NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_EQUAL (proto_int (json_object_get (e, "command"), "id"), id);
    char result[32];
    snprintf (result, sizeof result, "%s", proto_str (json_object_get (e, "command"), "result"));
    json_decref (e);
    vrig_act (r, "close", 1, 3);
    vrig_wait_door (r, "M01", "closed");
    //  The door was already open: the inspection is under way without a pulse; closing it
    //  ends it and clears the alarm.
    CU_ASSERT_STRING_EQUAL (result, "opened");
    json_t *s = vrig_wait_slot (r, "M01", "occupied", NULL, false);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "case_no"), no);
    json_decref (s);
    //  And the code works again.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  7. A board that does not answer.

static void
test_board_offline (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    //  Board 2 (L01, L02) goes silent; a CU16 status request names lock 1, so the whole board.
    char *reply = vrig_ctl (r, "fault 2 0 silent");
    CU_ASSERT_STRING_EQUAL (reply, "ok");
    free (reply);
    json_t *l = vrig_wait (r, "alarm", "L01");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "board_offline"));
    json_t *e = vrig_event (r, "vault.alarm", "alarm", "board_offline");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    json_decref (e);
    json_decref (vrig_wait_slot (r, "L01", "free", "board_offline", true));
    json_decref (vrig_wait_slot (r, "L02", "free", "board_offline", true));
    json_t *s = vrig_slot (r, "M01");
    CU_ASSERT_FALSE (vrig_has_alarm (s, "board_offline"));
    json_decref (s);
    //  A large result: only board 2 has L slots, so nothing can be allocated.
    json_t *cmd = vrig_do (
        r, "vault.deposit_request",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "code", no, "size", "L"), PROTO_ERR_OK);
    long long id = proto_int (cmd, "id");
    json_decref (cmd);
    l = vrig_wait (r, "deposit_refused", NULL);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "no free slot of size L"));
    e = vrig_event (r, "vault.command_done", NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_EQUAL (proto_int (json_object_get (e, "command"), "id"), id);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (e, "command"), "result"), "no_slot");
    json_decref (e);
    CU_ASSERT_EQUAL (vrig_pulses (r, 2, 1), 0);
    CU_ASSERT_EQUAL (vrig_pulses (r, 2, 2), 0);
    vrig_expect_case (r, no, "awaiting_pickup");
    //  The board answers again: the alarm clears and L01 can be used.
    reply = vrig_ctl (r, "clear 2 0");
    CU_ASSERT_STRING_EQUAL (reply, "ok");
    free (reply);
    json_decref (vrig_wait_slot (r, "L01", "free", "board_offline", false));
    json_decref (vrig_wait_slot (r, "L02", "free", "board_offline", false));
    json_decref (vrig_do (
        r, "vault.deposit_request",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "code", no, "size", "L"), PROTO_ERR_OK));
    l = vrig_wait (r, "deposit_open", NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "slot"), "L01");
    vrig_act (r, "put", 2, 1);
    vrig_act (r, "close", 2, 1);
    vrig_wait (r, "deposited", "L01");
    vrig_wait_case (r, no, "ready_for_pickup");
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  8. The network is down: a pickup from the local record, reported once when it is back.

static void
test_network_down (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    //  The broker goes away without a word (as a cut cable or a power loss would look).
    CU_ASSERT_EQUAL (test_broker_stop (&r->b, SIGKILL), 128 + SIGKILL);

    vrig_scan (r, token);
    json_t *open = vrig_wait (r, "pickup_open", "M01");
    int64_t opened = proto_int (open, "time");
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));
    json_t *l = vrig_take_and_close (r, "M01", no);
    int64_t closed = proto_int (l, "time");
    //  Still offline: the same code is refused from the local record.
    vrig_scan (r, token);
    l = vrig_wait (r, "refused", NULL);
    char hall_hhmm[32], local_hhmm[32], want[160];
    vrig_hhmm (closed, 480, false, hall_hhmm, sizeof hall_hhmm);
    vrig_hhmm (closed, 0, true, local_hhmm, sizeof local_hhmm);
    snprintf (want, sizeof want, "已于 %s 领取 / collected at %s", hall_hhmm, hall_hhmm);
    //  In the hall's time (UTC+8), whatever the controller's time zone, like the broker.
    CU_ASSERT_STRING_EQUAL (proto_str (l, "message"), want);
    (void)local_hhmm;
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);

    //  The broker is back: the report arrives, once, with the cabinet's time.
    CU_ASSERT_FATAL (test_broker_restart (&r->b) == 0);
    vrig_wait_case (r, no, "collected");
    json_t *c = vrig_case_get (r, no);
    long long when = proto_int (c, "collected");
    CU_ASSERT (when >= opened && when <= closed);
    CU_ASSERT (when != r->t0);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (c, "collected_at"), "slot"), "M01");
    json_decref (c);
    json_decref (vrig_wait_slot (r, "M01", "free", "ajar", false));
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.collected"), 1);
    //  Another scan goes to the broker again and is refused there; still one collection.
    vrig_scan (r, token);
    l = vrig_wait (r, "refused", NULL);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "collected at"));
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.collected"), 1);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  9. Wrong codes lock the scanner out.

static void
test_wrong_codes_lockout (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    size_t mark = json_array_size (r->lines);
    for (int i = 0; i < 3; i++) {
        char bad[PROTO_TOKEN_LEN + 1];
        proto_token_new (bad);
        vrig_scan (r, bad);
        vrig_wait (r, "wrong_code", NULL);
    }
    vrig_wait (r, "lockout", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "wrong_code"), 3);
    //  The alarm about it (skipping any ajar alarm of the deposit's door).
    json_t *e = NULL;
    for (int i = 0; i < 10; i++) {
        json_decref (e);
        e = vrig_event (r, "vault.alarm", NULL, NULL);
        if (!e || strcmp (proto_str (e, "alarm"), "ajar") != 0)
            break;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "cabinet"), CABINET);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (e, "detail"), "3 wrong codes"));
    CU_ASSERT_STRING_EQUAL (proto_str (e, "alarm"), "lockout");
    json_decref (e);
    //  The valid code is refused while locked: no door moves.
    vrig_scan (r, token);
    vrig_wait (r, "locked", NULL);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "pickup_open"), 0);
    //  A restart does not clear it: the lockout is in the vault's store.
    CU_ASSERT_EQUAL (vrig_vault_stop (r, SIGTERM), 0);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    vrig_scan (r, token);
    vrig_wait (r, "locked", NULL);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    //  The lockout is the scanner's: junk there does not shut the staff reader (the people
    //  who fix things) out of their cabinet, and the badge works there only.
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_expect_case (r, no, "ready_for_pickup");
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  9b. Wrong codes are counted once each; badges only at the staff reader.

static void
test_wrong_codes_distinct (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    size_t mark = json_array_size (r->lines);
    //  The same wrong code five times, and a 3 KB line, are two wrong codes, not five and
    //  three: no lockout (3 here).
    char bad[PROTO_TOKEN_LEN + 1];
    proto_token_new (bad);
    for (int i = 0; i < 5; i++) {
        vrig_scan (r, bad);
        vrig_wait (r, "wrong_code", NULL);
    }
    char big[3001];
    memset (big, 'Z', sizeof big - 1);
    big[sizeof big - 1] = '\n';
    CU_ASSERT_EQUAL (write (r->scan_fd, big, sizeof big), (ssize_t)sizeof big);
    vrig_wait (r, "wrong_code", NULL);
    //  A badge shown to the camera is not a badge: said to be no pickup code, no staff mode
    //  (and not counted: a camera also sees codes nobody held up to it).
    vrig_show_qr (r, BADGE);
    vrig_wait (r, "wrong_code", NULL);
    //  The citizen's own slip still opens: nothing was locked.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_count (r, mark, "wrong_code"), 7);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "lockout"), 0);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    //  A badge at the citizens' scanner is a third wrong code there: the scanner locks,
    //  and no staff mode.
    vrig_scan (r, BADGE);
    vrig_wait (r, "wrong_code", NULL);
    vrig_wait (r, "lockout", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "staff_mode"), 0);
    //  The staff reader counts wrong badges on its own: three lock it, the badge then too.
    mark = json_array_size (r->lines);
    for (int i = 0; i < 3; i++) {
        char guess[64];
        snprintf (guess, sizeof guess, "OWB1-0000000%d-%032d", i, 0);
        vrig_staff_scan (r, guess);
        vrig_wait (r, "wrong_code", NULL);
    }
    vrig_wait (r, "lockout", NULL);
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "locked", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "staff_mode"), 0);
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------
//  10. Killed between the journal and the unlock frame.

static void
test_crash_mid_unlock (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    CU_ASSERT_EQUAL (vrig_vault_stop (r, SIGTERM), 0);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, true) == 0);
    vrig_scan (r, token);
    //  It dies by SIGKILL after journaling the unlock, before the frame.
    int st = 0;
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    pid_t got = 0;
    while ((got = waitpid (r->vault_pid, &st, WNOHANG)) == 0 && proto_mono_ms () < deadline)
        vrig_pause ();
    CU_ASSERT_EQUAL_FATAL (got, r->vault_pid);
    r->vault_pid = 0;
    CU_ASSERT_TRUE (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    CU_ASSERT_FALSE (vrig_door_open (r, 1, 3));

    //  Restarted without the hook: no unlock is sent, an incident is raised for staff.
    size_t mark = json_array_size (r->lines);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    size_t at;
    json_t *l = vrig_find (r, mark, "alarm", "M01", &at);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "incident"));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "not repeated"));
    r->cursor = at + 1;
    json_t *e = vrig_event (r, "vault.alarm", "alarm", "incident");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (e, "case_no"), no);
    json_decref (e);
    json_t *s = vrig_wait_slot (r, "M01", "occupied", "incident", true);
    CU_ASSERT_STRING_EQUAL (proto_str (s, "case_no"), no);
    json_decref (s);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    CU_ASSERT_FALSE (vrig_door_open (r, 1, 3));
    CU_ASSERT_EQUAL (vrig_count (r, mark, "pickup_open"), 0);
    vrig_expect_case (r, no, "ready_for_pickup");
    //  The code still works: one pulse, now.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    s = vrig_wait_slot (r, "M01", "free", "ajar", false);
    CU_ASSERT_FALSE (vrig_has_alarm (s, "incident")); //  the pickup settled it
    json_decref (s);

    //  The same crash in a deposit asked for from a staff terminal.
    char token2[32], no2[48];
    vrig_case (r, ID_2, token2, no2);
    CU_ASSERT_EQUAL (vrig_vault_stop (r, SIGTERM), 0);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, true) == 0);
    json_decref (
        vrig_do (r, "vault.deposit_request",
                 json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "code", no2, "clerk", "王芳"),
                 PROTO_ERR_OK));
    deadline = proto_mono_ms () + WAIT_MS;
    while ((got = waitpid (r->vault_pid, &st, WNOHANG)) == 0 && proto_mono_ms () < deadline)
        vrig_pause ();
    CU_ASSERT_EQUAL_FATAL (got, r->vault_pid);
    r->vault_pid = 0;
    CU_ASSERT_TRUE (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL);
    int before = vrig_pulses (r, 1, 3);
    mark = json_array_size (r->lines);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    l = vrig_find (r, mark, "alarm", "M01", &at);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "not repeated"));
    //  A marker command after it: when its door opens, the sync that carried both is done.
    json_decref (vrig_do (
        r, "vault.remote_open",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "slot", "S01", "reason", "marker"),
        PROTO_ERR_OK));
    json_t *marker = vrig_find (r, mark, "remote_open", "S01", &at);
    CU_ASSERT_PTR_NOT_NULL_FATAL (marker);
    vrig_act (r, "close", 1, 1);
    //  Both commands came in that sync, the deposit first: its pulse, if any, is out.
    //  The staff command cut by the crash was reported "interrupted", not run again: no
    //  door is pulsed with nobody asking at the cabinet.
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), before);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "deposit_open"), 0);
    vrig_expect_case (r, no2, "awaiting_pickup");
    vrig_stop (r);
}

//  ---------------------------------------------------------------------------------------

int
test_vault_faults_it_suite (void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown ("vault_faults_it", NULL, NULL, vrig_setup,
                                                        vrig_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "a door that does not open: one retry, jammed, the code stays valid",
                 test_jammed_door);
    CU_add_test (s, "a door left open: ajar alarm, cleared when closed", test_ajar);
    CU_add_test (s, "a door opened without a command: disabled until a remote open",
                 test_uncommanded_open);
    CU_add_test (s, "a board not answering: board_offline, nothing allocated there",
                 test_board_offline);
    CU_add_test (s, "network down: pickup from the local record, reported exactly once",
                 test_network_down);
    CU_add_test (s, "wrong codes: lockout, a valid code refused while locked, also after a restart",
                 test_wrong_codes_lockout);
    CU_add_test (s, "wrong codes counted once each; badges only at the staff reader",
                 test_wrong_codes_distinct);
    CU_add_test (s, "killed between journal and unlock: no second pulse, an incident",
                 test_crash_mid_unlock);
    return 0;
}
