/*  test_vault_keys_it.c — the cabinet controller on a CURVE broker, given the broker's key
    as a file whose path is exactly 40 Z85 characters long: the path must be read as a file,
    not taken for a key (protocol/proto_keys.c), or the vault would trust the wrong server
    and never reach the broker. On the rig of test_vault_rig.h. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_keys.h"
#include "test_util.h"
#include "test_vault_rig.h"
#include "tests.h"

static void
test_server_key_path_40 (void)
{
    //  The name: a public key's 40 characters (without '/'), so it is also a valid key —
    //  of nobody's broker.
    static char name[PROTO_KEY_Z85 + 1];
    proto_keypair_t k;
    do {
        CU_ASSERT_EQUAL_FATAL (proto_keys_new (&k), 0);
    } while (strchr (k.public_key, '/') || k.public_key[0] == '-');
    snprintf (name, sizeof name, "%s", k.public_key);
    CU_ASSERT_EQUAL (strlen (name), 40);
    vrig_opts_t o = {.proto = "cu16", .server_key = name};
    vrig_t *r = vrig ();
    //  Started means its first report reached the broker: through CURVE, with the right key.
    CU_ASSERT_FATAL (vrig_start_opts (r, &o) == 0);
    json_t *s = vrig_slot (r, "M01");
    CU_ASSERT_PTR_NOT_NULL (s);
    json_decref (s);
    //  The same path naming a file that holds no key: refused, not taken as a key.
    vrig_vault_stop (r, SIGTERM);
    char path[800];
    snprintf (path, sizeof path, "%s/%s", r->dir, name);
    test_write_file (path, "not a key file\n");
    CU_ASSERT_EQUAL (vrig_vault_spawn (r, false), -1);
    char *log = test_read_file (r->vlog);
    CU_ASSERT (log && strstr (log, "is neither a public key (40 Z85 characters) nor a key file"));
    free (log);
    vrig_stop (r);
}

int
test_vault_keys_it_suite (void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown ("vault_keys_it", NULL, NULL, vrig_setup,
                                                        vrig_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "--server-key: a key file whose path is 40 Z85 characters long",
                 test_server_key_path_40);
    return 0;
}
