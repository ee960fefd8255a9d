/*  test_vault_store.c — vault/vault_store on a temp dir: every kind of JSON value survives a
    write and a read (a staff command's record is a bare string), sequences never reuse a
    number, and the directory lock keeps a second controller out. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tests.h"
#include "vault_store.h"

//  A bare string, as vault_core_command_done writes "cmd_N": written, read back, deleted.
static void
test_bare_values (void)
{
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    vault_store_t *st = vault_store_open (dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL (st);
    json_t *done = json_string ("deposited");
    CU_ASSERT_EQUAL (vault_store_put (st, VAULT_DB_META, "cmd_7", done), 0);
    json_decref (done);
    json_t *n = json_integer (480), *f = json_false ();
    CU_ASSERT_EQUAL (vault_store_put (st, VAULT_DB_META, "utc_offset_min", n), 0);
    CU_ASSERT_EQUAL (vault_store_put (st, VAULT_DB_META, "flag", f), 0);
    json_decref (n);
    json_decref (f);

    json_t *got = vault_store_get (st, VAULT_DB_META, "cmd_7");
    CU_ASSERT_TRUE (json_is_string (got));
    CU_ASSERT_STRING_EQUAL (json_string_value (got), "deposited");
    json_decref (got);
    got = vault_store_get (st, VAULT_DB_META, "utc_offset_min");
    CU_ASSERT_EQUAL (json_integer_value (got), 480);
    json_decref (got);
    got = vault_store_get (st, VAULT_DB_META, "flag");
    CU_ASSERT_TRUE (json_is_false (got));
    json_decref (got);
    //  Listed with the others.
    json_t *all = vault_store_all (st, VAULT_DB_META, 0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (all, "cmd_7")), "deposited");
    json_decref (all);
    //  It survives closing the store (the record must outlive a crash).
    vault_store_destroy (&st);
    st = vault_store_open (dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL (st);
    got = vault_store_get (st, VAULT_DB_META, "cmd_7");
    CU_ASSERT_STRING_EQUAL (json_string_value (got), "deposited");
    json_decref (got);
    CU_ASSERT_EQUAL (vault_store_del (st, VAULT_DB_META, "cmd_7"), 0);
    CU_ASSERT_PTR_NULL (vault_store_get (st, VAULT_DB_META, "cmd_7"));
    vault_store_destroy (&st);
    test_rmtree (dir);
    free (dir);
}

//  Objects in sequences; numbers are not reused after the last entry is deleted; a second
//  controller on the same directory is refused.
static void
test_sequences_and_lock (void)
{
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    vault_store_t *st = vault_store_open (dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL (st);
    CU_ASSERT_PTR_NULL (vault_store_open (dir));
    json_t *e = json_pack ("{s:s}", "event", "started");
    CU_ASSERT_EQUAL (vault_store_append (st, VAULT_DB_OUTBOX, e), 1);
    CU_ASSERT_EQUAL (vault_store_append (st, VAULT_DB_OUTBOX, e), 2);
    CU_ASSERT_EQUAL (vault_store_del (st, VAULT_DB_OUTBOX, "00000000000000000002"), 0);
    CU_ASSERT_EQUAL (vault_store_append (st, VAULT_DB_OUTBOX, e), 3);
    json_t *s = json_string ("a bare string in a sequence");
    CU_ASSERT_EQUAL (vault_store_append (st, VAULT_DB_JOURNAL, s), 1);
    json_decref (s);
    json_decref (e);
    json_t *all = vault_store_all (st, VAULT_DB_OUTBOX, 0);
    CU_ASSERT_EQUAL (json_object_size (all), 2);
    json_decref (all);
    all = vault_store_all (st, VAULT_DB_JOURNAL, 0);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (all, "00000000000000000001")),
                            "a bare string in a sequence");
    json_decref (all);
    vault_store_destroy (&st);
    test_rmtree (dir);
    free (dir);
}

int
test_vault_store_suite (void)
{
    CU_pSuite suite = CU_add_suite ("vault_store", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "bare JSON values (a command's record) written and read back",
                      test_bare_values) ||
        !CU_add_test (suite, "sequences never reuse a number; one controller per directory",
                      test_sequences_and_lock))
        return -1;
    return 0;
}
