/*  test_vault_crash_it.c — the cabinet (智能柜) killed in the middle of an unlock, on the rig
    of test_vault_rig.h: SIGKILL after the board has the unlock frame but before the vault
    has its answer (a CU16 board whose acknowledgement is corrupt, retried for 450 ms; a
    real 8A board, which answers a second later), then a restart. The pulse was saved before
    the frame went out, so the restart reads the sensors: an empty slot behind a shut door is
    a pickup done (collected once, reported to the broker once), documents still inside
    behind a door that never opened are a pickup cancelled, and nothing is pulsed again.
    Also while running: an empty slot is proof of a pickup whose door opened and closed
    between two readings. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "test_util.h"
#include "test_vault_rig.h"
#include "tests.h"
#include "vault_store.h"

//  Scans `token` and SIGKILLs the vault the moment the board has had the unlock frame for
//  M01 (its pulse count moves past `before`), before the vault has the answer.
static void
s_scan_and_kill (vrig_t *r, const char *token, int before)
{
    vrig_scan (r, token);
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    int n;
    while ((n = vrig_pulses (r, 1, 3)) == before && proto_mono_ms () < deadline)
        ;
    int st = vrig_vault_stop (r, SIGKILL);
    CU_ASSERT_FATAL (n > before);
    CU_ASSERT_TRUE (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL);
}

//  The case was collected exactly once: at the broker, in its audit, on the vault's screen
//  since `mark`, in the broker's mirror of the slot.
static void
s_collected_once (vrig_t *r, const char *no, size_t mark)
{
    vrig_wait_case (r, no, "collected");
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.collected"), 1);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "collected"), 1);
    json_t *s = vrig_wait_slot (r, "M01", "free", "incident", false);
    CU_ASSERT_FALSE (json_is_true (json_object_get (s, "occupied")));
    json_decref (s);
}

//  The staff command behind the deposit is recorded as done in the vault's store (a bare
//  string), so a sync that brings it again does not run it twice. The vault must be down.
static void
s_command_recorded (vrig_t *r, long long id)
{
    vault_store_t *st = vault_store_open (r->vdata);
    CU_ASSERT_PTR_NOT_NULL_FATAL (st);
    char key[32];
    snprintf (key, sizeof key, "cmd_%lld", id);
    json_t *rec = vault_store_get (st, VAULT_DB_META, key);
    CU_ASSERT_STRING_EQUAL (json_string_value (rec), "deposited");
    json_decref (rec);
    vault_store_destroy (&st);
}

//  A deposit asked for from a staff terminal into M01. Returns the command's id.
static long long
s_terminal_deposit (vrig_t *r, const char *no)
{
    json_t *cmd =
        vrig_do (r, "vault.deposit_request",
                 json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "code", no, "clerk", "王芳"),
                 PROTO_ERR_OK);
    long long id = proto_int (cmd, "id");
    json_decref (cmd);
    vrig_wait (r, "deposit_open", "M01");
    vrig_act (r, "put", 1, 3);
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "deposited", "M01");
    vrig_wait_case (r, no, "ready_for_pickup");
    return id;
}

//  CU16: killed between the pulse and its (corrupt) acknowledgement; the citizen takes the
//  documents and shuts the door while the vault is down.
static void
test_cu16_killed_mid_unlock (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    long long id = s_terminal_deposit (r, no);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    //  Every acknowledgement of M01's unlock is corrupt: the driver retries for 450 ms.
    free (vrig_ctl (r, "fault 1 3 corrupt"));
    s_scan_and_kill (r, token, 1);
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));
    s_command_recorded (r, id);
    vrig_act (r, "take", 1, 3);
    vrig_act (r, "close", 1, 3);
    free (vrig_ctl (r, "clear 1 3"));
    int pulses = vrig_pulses (r, 1, 3);

    size_t mark = json_array_size (r->lines);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    s_collected_once (r, no, mark);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), pulses); //  nothing pulsed again
    //  The slot is free for the next deposit; no incident was needed.
    CU_ASSERT_EQUAL (vrig_count (r, mark, "alarm"), 0);
    char *log = test_read_file (r->vlog);
    CU_ASSERT (log && !strstr (log, "cannot write"));
    free (log);
    vrig_stop (r);
}

//  CU16: killed the same way, but the door never opened (jammed): the documents are still
//  there, so the pickup is cancelled — not pulsed again — and the code works afterwards.
static void
test_cu16_killed_door_shut (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    free (vrig_ctl (r, "fault 1 3 corrupt"));
    free (vrig_ctl (r, "fault 1 3 jam"));
    s_scan_and_kill (r, token, 1);
    CU_ASSERT_FALSE (vrig_door_open (r, 1, 3));
    free (vrig_ctl (r, "clear 1 3"));
    int pulses = vrig_pulses (r, 1, 3);

    size_t mark = json_array_size (r->lines);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    //  Reconciled at start: still occupied, no alarm, the case still waiting.
    json_t *s = vrig_wait_slot (r, "M01", "occupied", NULL, false);
    CU_ASSERT_TRUE (json_is_true (json_object_get (s, "occupied")));
    json_decref (s);
    vrig_expect_case (r, no, "ready_for_pickup");
    //  Longer than the door timeout (0.3 s) and a few polls: no pulse came.
    json_decref (vrig_do (
        r, "vault.remote_open",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "slot", "S01", "reason", "marker"),
        PROTO_ERR_OK));
    vrig_wait (r, "remote_open", "S01");
    vrig_act (r, "close", 1, 1);
    json_decref (vrig_wait_slot_door (r, "S01", "free", NULL, false, "closed"));
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), pulses);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "pickup_open"), 0);
    //  The code works again: one pulse, now.
    vrig_scan (r, token);
    vrig_wait (r, "pickup_open", "M01");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), pulses + 1);
    vrig_take_and_close (r, "M01", no);
    vrig_wait_case (r, no, "collected");
    CU_ASSERT_EQUAL (vrig_audit_count (r, no, "case.collected"), 1);
    vrig_stop (r);
}

//  8A: real boards answer an open a second later, so a kill lands in that second. The
//  vault comes back while the door is still open: the pickup goes on and ends collected.
//  Then the same with the door shut again before the restart: an 8A board has no item
//  sensor, so nothing proves the pickup happened; it is not repeated, and staff are told.
static void
test_8a_killed_mid_unlock (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "8a", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    s_scan_and_kill (r, token, 1);
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));

    size_t mark = json_array_size (r->lines);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    json_decref (vrig_wait_slot_door (r, "M01", "pickup_open", "incident", false, "open"));
    vrig_act (r, "take", 1, 3);
    vrig_act (r, "close", 1, 3);
    s_collected_once (r, no, mark);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);

    //  The second case, into M01 again; killed the same way, the door shut while down.
    char token2[32], no2[48];
    vrig_case (r, ID_2, token2, no2);
    vrig_deposit (r, token2, no2);
    s_scan_and_kill (r, token2, 3);
    vrig_act (r, "take", 1, 3);
    vrig_act (r, "close", 1, 3);
    mark = json_array_size (r->lines);
    CU_ASSERT_FATAL (vrig_vault_spawn (r, false) == 0);
    size_t at;
    json_t *l = vrig_find (r, mark, "alarm", "M01", &at);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "may have been sent"));
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "not repeated"));
    json_decref (vrig_wait_slot (r, "M01", "occupied", "incident", true));
    vrig_expect_case (r, no2, "ready_for_pickup");
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 4);
    vrig_stop (r);
}

//  Running, no crash: the door opens and shuts while the board's status goes unanswered
//  (fault on the status request's lock nibble), so the vault never sees it open. The empty
//  slot behind the shut door is proof: collected, no second pulse.
static void
test_empty_slot_is_proof (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    size_t mark = json_array_size (r->lines);
    free (vrig_ctl (r, "fault 1 1 silent")); //  a CU16 status request names lock 1
    vrig_scan (r, token);
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    while (vrig_pulses (r, 1, 3) == 1 && proto_mono_ms () < deadline)
        ;
    vrig_act (r, "take", 1, 3);
    vrig_act (r, "close", 1, 3);
    free (vrig_ctl (r, "clear 1 1"));
    s_collected_once (r, no, mark);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "pickup_open"), 0);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 2);
    vrig_stop (r);
}

int
test_vault_crash_it_suite (void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown ("vault_crash_it", NULL, NULL, vrig_setup,
                                                        vrig_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "CU16 killed between pulse and reply, documents taken: collected once",
                 test_cu16_killed_mid_unlock);
    CU_add_test (s, "CU16 killed between pulse and reply, door never opened: cancelled",
                 test_cu16_killed_door_shut);
    CU_add_test (s, "8A killed between pulse and reply: collected once; shut while down: incident",
                 test_8a_killed_mid_unlock);
    CU_add_test (s, "an empty slot behind a shut door completes a pending pickup",
                 test_empty_slot_is_proof);
    return 0;
}
