/*  test_vault_staff_it.c — the cabinet's staff path (issue 14): badges are enrolled
    credentials (a keyed token, revocable, never a string in the config), taken from the
    staff reader only and never while it is locked; a slot is recovered by the case's QR
    code and the badge holder's PIN, never by a case number; who recovered goes into the
    case's audit. On the rig of test_vault_rig.h (real broker, board simulator, vault). */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "test_vault_rig.h"
#include "tests.h"

//  An overdue case in M01 (deposited, then 8 days later marked overdue by the vault).
static void
s_overdue (vrig_t *r, char *token, char *no)
{
    vrig_case (r, ID_OK, token, no);
    vrig_deposit (r, token, no);
    json_decref (vrig_do (r, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)(8 * DAY)),
                          PROTO_ERR_OK));
    vrig_wait (r, "overdue", "M01");
}

//  True if `needle` is anywhere in the file at `path`.
static bool
s_file_has (const char *path, const char *needle)
{
    char *text = test_read_file (path);
    bool has = text && strstr (text, needle);
    free (text);
    return has;
}

//  1. The badge is an enrolled credential: the config and the records do not hold it; the
//     old readable badge string is refused at start; a forged and a revoked badge open
//     nothing, a revocation counting on the running vault.
static void
test_badges_enrolled (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    vrig_case (r, ID_OK, token, no);
    //  Reading the config, the records or the key gives nobody the badge's code.
    char records[800], key[800];
    snprintf (records, sizeof records, "%s/badges.json", r->vdata);
    snprintf (key, sizeof key, "%s/badge.key", r->vdata);
    CU_ASSERT_FALSE (s_file_has (r->cab, BADGE));
    CU_ASSERT_FALSE (s_file_has (records, BADGE));
    CU_ASSERT_FALSE (s_file_has (records, STAFF_PIN));
    CU_ASSERT (s_file_has (records, "$argon2id$"));
    //  A string of a badge's form with a made-up MAC, and the old kind of badge string,
    //  open no staff mode; each is a wrong badge of the staff reader.
    size_t mark = json_array_size (r->lines);
    char forged[64];
    snprintf (forged, sizeof forged, "%.14s%s", BADGE, "00000000000000000000000000000000");
    vrig_staff_scan (r, forged);
    vrig_wait (r, "wrong_code", NULL);
    vrig_staff_scan (r, "STAFF-0107-WANGFANG");
    vrig_wait (r, "wrong_code", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "staff_mode"), 0);
    //  A second badge, listed; revoked beside the running vault, it opens nothing at once.
    char second[64], id[16];
    CU_ASSERT_EQUAL_FATAL (vrig_enrol (r, "刘洋", "778899", second, id), 0);
    vrig_staff_scan (r, second);
    vrig_wait (r, "staff_mode", NULL);
    int st;
    char *list = vrig_vault_cmd (r, "--list-badges --json", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (strstr (list ? list : "", id));
    CU_ASSERT_PTR_NULL (strstr (list ? list : "", "argon2"));
    free (list);
    char args[64];
    snprintf (args, sizeof args, "--revoke-badge %s", id);
    free (vrig_vault_cmd (r, args, &st));
    CU_ASSERT_EQUAL (st, 0);
    mark = json_array_size (r->lines);
    vrig_staff_scan (r, second);
    vrig_wait (r, "wrong_code", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "staff_mode"), 0);
    //  That was the staff reader's third wrong badge: locked, and the good badge with it.
    vrig_wait (r, "lockout", NULL);
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "locked", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "staff_mode"), 0);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 0);
    //  The old config format, badge strings in it, is refused at start with the way out.
    CU_ASSERT_EQUAL (vrig_vault_stop (r, SIGTERM), 0);
    json_t *cab = json_load_file (r->cab, 0, NULL);
    json_object_set_new (cab, "staff_badges", json_pack ("[s]", "STAFF-0107-WANGFANG"));
    CU_ASSERT_EQUAL (json_dump_file (cab, r->cab, 0), 0);
    json_decref (cab);
    CU_ASSERT_NOT_EQUAL (vrig_vault_spawn (r, false), 0);
    vrig_wait_log (r, "--enrol-badge", 1);
    vrig_stop (r);
}

//  2. Recovery: a case number opens nothing; the case's QR code asks for the PIN; a wrong
//     PIN opens nothing and counts; the right one opens, and the case's audit names who.
static void
test_recovery_by_token_and_pin (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    s_overdue (r, token, no);
    //  The case number (sequential, guessable) is refused, said so and journaled.
    size_t mark = json_array_size (r->lines);
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_staff_scan (r, no);
    json_t *l = vrig_wait (r, "wrong_code", NULL);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (l, "message"), "case number"));
    vrig_wait_log (r, "not a case's QR code: refused", 1);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    //  The case's QR code asks for the badge holder's PIN; a wrong PIN opens nothing.
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_staff_scan (r, token);
    vrig_wait (r, "staff_pin", "M01");
    vrig_staff_scan (r, "000000");
    vrig_wait (r, "wrong_code", NULL);
    CU_ASSERT_EQUAL (vrig_pulses (r, 1, 3), 1);
    //  Nor does the case's QR code without a badge first: the third wrong code of the staff
    //  reader, which locks it.
    vrig_staff_scan (r, token);
    vrig_wait (r, "wrong_code", NULL);
    vrig_wait (r, "lockout", NULL);
    CU_ASSERT_EQUAL (vrig_count (r, mark, "recovery_open"), 0);
    vrig_stop (r);
}

//  3. The right PIN recovers the slot; the badge holder is in the case's audit.
static void
test_recovery_audited (void)
{
    vrig_t *r = vrig ();
    CU_ASSERT_FATAL (vrig_start (r, "cu16", false, NULL) == 0);
    char token[32], no[48];
    s_overdue (r, token, no);
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
    json_t *e = vrig_event (r, "case.recovered", "slot", "M01");
    CU_ASSERT_PTR_NOT_NULL_FATAL (e);
    char who[64];
    snprintf (who, sizeof who, "王芳 (badge %.8s)", BADGE + 5);
    CU_ASSERT_STRING_EQUAL (proto_str (e, "clerk"), who);
    json_decref (e);
    vrig_wait_case (r, no, "awaiting_pickup");
    json_t *a = vrig_do (r, "case.audit", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK);
    char *text = json_dumps (a, 0);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, who));
    free (text);
    json_decref (a);
    vrig_stop (r);
}

int
test_vault_staff_it_suite (void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown ("vault_staff_it", NULL, NULL, vrig_setup,
                                                        vrig_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "badges are enrolled: not in the config, forged and revoked refused",
                 test_badges_enrolled);
    CU_add_test (s, "recovery: a case number refused, a wrong PIN opens nothing",
                 test_recovery_by_token_and_pin);
    CU_add_test (s, "recovery by the case's QR code and the PIN, audited with the badge holder",
                 test_recovery_audited);
    return 0;
}
