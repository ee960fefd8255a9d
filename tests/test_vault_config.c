/*  test_vault_config.c — vault/vault_config: the example cabinet, the factory baud rates,
    lock counts per board, and addresses checked against each protocol's address space
    (docs/LOCKBOARDS.md): 8A boards 1..64 with up to 32 locks, CU16 boards 1..15 (board 16
    would put ADDR F0, the broadcast address, on the bus) with up to 16. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"
#include "tests.h"
#include "vault_badge.h"
#include "vault_config.h"
#include "vault_frame.h"

static char *s_dir;

static int
s_setup (void)
{
    s_dir = test_tmpdir ();
    return s_dir ? 0 : -1;
}

static int
s_teardown (void)
{
    test_rmtree (s_dir);
    free (s_dir);
    return 0;
}

//  Loads a config made of `serial` (the inside of the "serial" object), `boards` (the
//  "boards" value, or NULL for none) and `slots` (the inside of the "slots" list). The
//  result of vault_config_load; `err` gets its reason.
static int
s_load (const char *serial, const char *boards, const char *slots, vault_config_t *cfg, char *err,
        size_t size)
{
    char text[4096], path[600];
    snprintf (text, sizeof text,
              "{\"id\": \"T1\", \"serial\": {\"path\": \"/dev/null\", %s}, %s%s%s \"slots\": [%s]}",
              serial, boards ? "\"boards\": " : "", boards ? boards : "", boards ? "," : "", slots);
    snprintf (path, sizeof path, "%s/cabinet.json", s_dir);
    test_write_file (path, text);
    err[0] = 0;
    return vault_config_load (path, cfg, err, size);
}

//  The refusal of `slots` on `serial`, with `boards`, names `want`.
static void
s_refused (const char *serial, const char *boards, const char *slots, const char *want)
{
    static vault_config_t cfg;
    char err[512];
    CU_ASSERT_EQUAL (s_load (serial, boards, slots, &cfg, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, want));
    if (!strstr (err, want))
        fprintf (stderr, "\n  wanted '%s' in: %s\n", want, err);
}

static void
test_example (void)
{
    static vault_config_t cfg;
    char err[512];
    CU_ASSERT_EQUAL_FATAL (
        vault_config_load (test_src ("etc/cabinet.example.json"), &cfg, err, sizeof err), 0);
    CU_ASSERT_EQUAL (cfg.protocol, VAULT_PROTO_CU16);
    CU_ASSERT_EQUAL (cfg.baud, 19200); //  the CU16 factory setting
    CU_ASSERT_EQUAL (cfg.nboards, 3);
    CU_ASSERT_EQUAL (vault_config_board_locks (&cfg, 2), 16);
    CU_ASSERT_EQUAL (vault_config_board_locks (&cfg, 4), 0);
    CU_ASSERT_EQUAL (cfg.nslots, 40);
    //  Three status round trips of 14 bytes at 19200 baud: about 22 ms a round.
    CU_ASSERT_EQUAL (vault_config_round_us (&cfg), vault_frame_wire_us (19200, 3 * 14));
}

static void
test_defaults_and_counts (void)
{
    static vault_config_t cfg;
    char err[512];
    //  Factory baud rates when none is given.
    CU_ASSERT_EQUAL (s_load ("\"protocol\": \"cu16\"", NULL,
                             "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 1}", &cfg,
                             err, sizeof err),
                     0);
    CU_ASSERT_EQUAL (cfg.baud, 19200);
    CU_ASSERT_EQUAL (s_load ("\"protocol\": \"8a\"", NULL,
                             "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 24}", &cfg,
                             err, sizeof err),
                     0);
    CU_ASSERT_EQUAL (cfg.baud, 9600);
    CU_ASSERT_EQUAL (vault_config_board_locks (&cfg, 1), 24);
    //  A 24-lock and a 12-lock board: every lock of each is a slot; 36 queries a round, 375 ms
    //  at 9600 baud.
    char slots[4096] = "";
    size_t used = 0;
    for (int b = 1; b <= 2; b++)
        for (int l = 1; l <= (b == 1 ? 24 : 12); l++)
            used += (size_t)snprintf (slots + used, sizeof slots - used,
                                      "%s{\"slot\": \"%c%02d\", \"size\": \"M\", \"board\": %d, "
                                      "\"lock\": %d}",
                                      used ? ", " : "", 'A' + b - 1, l, b, l);
    CU_ASSERT_EQUAL (s_load ("\"protocol\": \"8a\"",
                             "[{\"board\": 1, \"locks\": 24}, {\"board\": 2, \"locks\": 12}]",
                             slots, &cfg, err, sizeof err),
                     0);
    CU_ASSERT_EQUAL (cfg.nslots, 36);
    CU_ASSERT_EQUAL (vault_config_board_locks (&cfg, 2), 12);
    CU_ASSERT_EQUAL (vault_config_round_us (&cfg), 375000);
    //  A lock the board does not have.
    s_refused (
        "\"protocol\": \"8a\"", "[{\"board\": 1, \"locks\": 24}, {\"board\": 2, \"locks\": 12}]",
        "{\"slot\": \"B13\", \"size\": \"S\", \"board\": 2, \"lock\": 13}", "board 2 has 12 locks");
    s_refused ("\"protocol\": \"8a\"", NULL,
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 25}",
               "give the count per board");
    //  A slot on a board not in the list; a board listed twice; a count out of range.
    s_refused ("\"protocol\": \"8a\"", "[{\"board\": 1, \"locks\": 24}]",
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 2, \"lock\": 1}",
               "board 2 is not in \"boards\"");
    s_refused ("\"protocol\": \"8a\"",
               "[{\"board\": 1, \"locks\": 24}, {\"board\": 1, \"locks\": 12}]",
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 1}", "listed twice");
    s_refused ("\"protocol\": \"8a\"", "[{\"board\": 1, \"locks\": 33}]",
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 1}",
               "locks must be 1..32");
    s_refused ("\"protocol\": \"cu16\"", "[{\"board\": 1, \"locks\": 24}]",
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 1}",
               "locks must be 1..16");
}

//  Each protocol's address space, as the issue found it open: CU16 board 17, lock 17, board 0.
static void
test_address_space (void)
{
    const char *cu16 = "\"protocol\": \"cu16\"", *a8 = "\"protocol\": \"8a\"";
    s_refused (cu16, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 17, \"lock\": 1}",
               "board must be 1..15");
    s_refused (cu16, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 0, \"lock\": 1}",
               "board must be 1..15");
    s_refused (cu16, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 17}",
               "lock must be 1..16");
    s_refused (cu16, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 0}",
               "lock must be 1..16");
    s_refused (cu16, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 16, \"lock\": 2}",
               "ADDR F0");
    s_refused (a8, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 65, \"lock\": 1}",
               "board must be 1..64");
    s_refused (a8, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": 0, \"lock\": 1}",
               "board must be 1..64");
    s_refused (a8, NULL, "{\"slot\": \"A\", \"size\": \"S\", \"board\": \"1\", \"lock\": 1}",
               "board must be 1..64");
    s_refused (a8, "[{\"board\": 64, \"locks\": 32}]",
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 64, \"lock\": 33}",
               "lock must be 1..32");
    s_refused ("\"protocol\": \"cu16\", \"baud\": 4800", NULL,
               "{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 1}", "serial.baud");
    //  The edges that are allowed.
    static vault_config_t cfg;
    char err[512];
    CU_ASSERT_EQUAL (s_load (cu16, NULL,
                             "{\"slot\": \"A\", \"size\": \"S\", \"board\": 15, \"lock\": 16}",
                             &cfg, err, sizeof err),
                     0);
    CU_ASSERT_EQUAL (s_load (a8, "[{\"board\": 64, \"locks\": 32}]",
                             "{\"slot\": \"A\", \"size\": \"S\", \"board\": 64, \"lock\": 32}",
                             &cfg, err, sizeof err),
                     0);
}

//  A config that still lists badge codes is refused, saying how to enrol badges instead.
static void
test_badge_strings_refused (void)
{
    static vault_config_t cfg;
    char err[512], path[600];
    snprintf (path, sizeof path, "%s/old.json", s_dir);
    test_write_file (path, "{\"id\": \"T1\", \"serial\": {\"path\": \"/dev/null\", \"protocol\": "
                           "\"cu16\"}, \"staff_badges\": [\"STAFF-0107-WANGFANG\"], \"slots\": "
                           "[{\"slot\": \"A\", \"size\": \"S\", \"board\": 1, \"lock\": 1}]}");
    CU_ASSERT_EQUAL (vault_config_load (path, &cfg, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "staff_badges"));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "--enrol-badge"));
}

//  vault_badge: an enrolled badge is good at its cabinet only, with its PIN only, until
//  revoked (seen by a running vault's reader); a forged MAC and an unsafe key are refused.
static void
test_badges (void)
{
    char dir[600], err[600], code[VAULT_BADGE_CODE_LEN + 1], other[VAULT_BADGE_CODE_LEN + 1];
    char id[VAULT_BADGE_ID_LEN + 1], name[80];
    snprintf (dir, sizeof dir, "%s/badges", s_dir);
    CU_ASSERT_PTR_NULL (vault_badge_enrol (dir, "T1", "王芳", "12345", code, err, sizeof err));
    json_t *rec = vault_badge_enrol (dir, "T1", "王芳", "240517", code, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (rec);
    CU_ASSERT_PTR_NULL (json_object_get (rec, "hash"));
    CU_ASSERT_PTR_NULL (json_object_get (rec, "pin"));
    json_decref (rec);
    json_decref (vault_badge_enrol (dir, "T2", "刘洋", "778899", other, err, sizeof err));
    vault_badges_t *b = vault_badges_new (dir, "T1", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_EQUAL (vault_badges_count (b), 1);
    CU_ASSERT_TRUE (vault_badges_check (b, code, id, name, sizeof name));
    CU_ASSERT_STRING_EQUAL (name, "王芳");
    CU_ASSERT_TRUE (vault_badges_pin (b, id, "240517"));
    CU_ASSERT_FALSE (vault_badges_pin (b, id, "240518"));
    //  Another cabinet's badge, a changed MAC, a changed id: nothing.
    CU_ASSERT_FALSE (vault_badges_check (b, other, id, name, sizeof name));
    char forged[VAULT_BADGE_CODE_LEN + 1];
    snprintf (forged, sizeof forged, "%s", code);
    forged[VAULT_BADGE_CODE_LEN - 1] = forged[VAULT_BADGE_CODE_LEN - 1] == '0' ? '1' : '0';
    CU_ASSERT_FALSE (vault_badges_check (b, forged, id, name, sizeof name));
    snprintf (forged, sizeof forged, "%s", code);
    forged[5] = forged[5] == '0' ? '1' : '0';
    CU_ASSERT_FALSE (vault_badges_check (b, forged, id, name, sizeof name));
    //  Revoked beside the reader: refused at its next look, and listed as revoked.
    CU_ASSERT_TRUE (vault_badges_check (b, code, id, name, sizeof name));
    CU_ASSERT_EQUAL (vault_badge_revoke (dir, id, err, sizeof err), 0);
    CU_ASSERT_FALSE (vault_badges_check (b, code, id, name, sizeof name));
    CU_ASSERT_EQUAL (vault_badge_revoke (dir, "00000000", err, sizeof err), -1);
    json_t *list = vault_badge_list (dir, err, sizeof err);
    CU_ASSERT_EQUAL (json_array_size (list), 2);
    CU_ASSERT_PTR_NOT_NULL (json_object_get (json_array_get (list, 0), "revoked"));
    json_decref (list);
    vault_badges_destroy (&b);
    //  A key others may read is refused.
    char key[700];
    snprintf (key, sizeof key, "%s/badge.key", dir);
    CU_ASSERT_EQUAL (chmod (key, 0644), 0);
    CU_ASSERT_PTR_NULL (vault_badges_new (dir, "T1", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "chmod 600"));
}

int
test_vault_config_suite (void)
{
    CU_pSuite suite = CU_add_suite ("vault_config", s_setup, s_teardown);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "the example cabinet: CU16 at 19200 baud, three boards",
                      test_example) ||
        !CU_add_test (suite, "factory baud rates, lock counts per board, mixed boards",
                      test_defaults_and_counts) ||
        !CU_add_test (suite, "addresses checked against each protocol's address space",
                      test_address_space) ||
        !CU_add_test (suite, "badge codes in the config refused, naming --enrol-badge",
                      test_badge_strings_refused) ||
        !CU_add_test (suite, "badges: enrolled, per cabinet, PIN, forged, revoked, key mode",
                      test_badges))
        return -1;
    return 0;
}
