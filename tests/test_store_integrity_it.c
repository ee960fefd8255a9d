/*  test_store_integrity_it.c — the broker and a store it cannot trust: a store that cannot
    commit answers every request with `store_failed` and its request id; a truncated,
    emptied, deleted or scrambled store is refused at start with a clear message and a
    non-zero exit, and `--check DIR` says the same offline; `--new-store` is the one way
    to start afresh beside an earlier store's traces. Real broker processes, real files. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795827600000LL

//  Size of DIR/data/NAME in bytes, -1 if it is missing.
static long long
s_size (const test_broker_t *b, const char *name)
{
    char path[700];
    snprintf (path, sizeof path, "%s/data/%s", b->dir, name);
    struct stat st;
    return stat (path, &st) == 0 ? (long long)st.st_size : -1;
}

//  A broker whose store cannot grow its file: RLIMIT_FSIZE at the size data.mdb has now,
//  with SIGXFSZ ignored (both inherited through exec), so a commit that needs a new page
//  fails with EFBIG as one on a full disk fails with ENOSPC.
static int
s_restart_file_capped (test_broker_t *b)
{
    struct rlimit old, capped;
    getrlimit (RLIMIT_FSIZE, &old);
    capped = old;
    capped.rlim_cur = (rlim_t)s_size (b, "data.mdb");
    struct sigaction ign = {.sa_handler = SIG_IGN}, was;
    sigaction (SIGXFSZ, &ign, &was);
    setrlimit (RLIMIT_FSIZE, &capped);
    int rc = test_broker_restart (b);
    setrlimit (RLIMIT_FSIZE, &old);
    sigaction (SIGXFSZ, &was, NULL);
    return rc;
}

static void
test_store_failed_keeps_id (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    CU_ASSERT_EQUAL (test_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), NULL), 0);
    proto_client_destroy (&c);
    test_broker_stop (&b, SIGTERM);
    CU_ASSERT_FATAL (s_restart_file_capped (&b) == 0);
    c = test_client (&b);
    //  One try each: a reply without the request's id is never matched, so the call would
    //  time out (and a client would retry for ever) instead of hearing store_failed.
    proto_client_set_timeout (c, 3000, 1);
    int code = 0, issued = 0;
    char id[64];
    for (int i = 0; i < 400 && code == 0; i++) {
        snprintf (id, sizeof id, "full-disk-%d", i);
        json_t *body = json_pack ("{s:s}", "service", "A"), *r = NULL;
        code = proto_client_call_id (c, "ticket.issue", body, id, &r);
        json_decref (body);
        json_decref (r);
        issued += code == 0;
    }
    CU_ASSERT_EQUAL (code, PROTO_ERR_STORE_FAILED);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "store_failed");
    //  The same request again, same id: the same answer (nothing was recorded).
    json_t *body = json_pack ("{s:s}", "service", "A"), *r = NULL;
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", body, id, &r),
                     PROTO_ERR_STORE_FAILED);
    json_decref (r);
    CU_ASSERT_TRUE (test_broker_alive (&b));
    proto_client_destroy (&c);
    //  Room again: the retry of that id issues the ticket, numbered after the last one.
    test_broker_stop (&b, SIGTERM);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    c = test_client (&b);
    r = NULL;
    CU_ASSERT_EQUAL (proto_client_call_id (c, "ticket.issue", body, id, &r), 0);
    char number[16];
    snprintf (number, sizeof number, "A%03d", issued + 2);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "number")), number);
    json_decref (r);
    json_decref (body);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  A hall of 300 live tickets (A001..A300) and a counter serving one, stopped: the store
//  every damage below starts from.
static void
s_hall (test_broker_t *b)
{
    CU_ASSERT_FATAL (test_broker_start (b, NULL, T0) == 0);
    proto_client_t *c = test_client (b);
    for (int i = 0; i < 300; i++)
        CU_ASSERT_EQUAL (test_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), NULL),
                         0);
    CU_ASSERT_EQUAL (test_code (c, "counter.login", json_pack ("{s:i}", "counter", 1), NULL), 0);
    CU_ASSERT_EQUAL (test_code (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1), NULL), 0);
    proto_client_destroy (&c);
    CU_ASSERT_EQUAL (test_broker_stop (b, SIGTERM), 0);
}

//  A copy of `b`'s data directory as DIR/NAME/data, to damage; its path into `data`.
static void
s_copy (const test_broker_t *b, const char *name, char *data, size_t size)
{
    snprintf (data, size, "%s/%s/data", b->dir, name);
    char cmd[2000];
    snprintf (cmd, sizeof cmd, "mkdir -p '%s/%s' && cp -a '%s/data' '%s'", b->dir, name, b->dir,
              data);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL_FATAL (st, 0);
}

//  Starts the broker of `b` on the store in `data` (with `extra` options) for at most
//  `seconds`, and returns what it printed; *status gets its exit status (124: it ran on).
static char *
s_start (const test_broker_t *b, const char *data, const char *extra, int seconds, int *status)
{
    char cmd[3000];
    snprintf (cmd, sizeof cmd,
              "timeout %d '%s' --config '%s' --data '%s' --bind 'ipc://%s/x-req' --pub "
              "'ipc://%s/x-pub' --clock '%s' --insecure %s 2>&1",
              seconds, test_bin ("onewindow-broker"), b->config, data, b->dir, b->dir, b->clock,
              extra);
    return test_run (cmd, status);
}

//  The broker refuses the store in `data`: exit status 1 and `why` said, before "ready";
//  --check says so too, with status 1.
static void
s_assert_refused (const test_broker_t *b, const char *data, const char *why)
{
    int st;
    char *out = s_start (b, data, "", 15, &st);
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, why));
    CU_ASSERT_PTR_NULL (out && strstr (out, "ready:"));
    if (st != 1 || !out || !strstr (out, why))
        fprintf (stderr, "\nbroker on %s said (status %d):\n%s\n", data, st, out ? out : "");
    free (out);
    char cmd[1500];
    snprintf (cmd, sizeof cmd, "'%s' --check '%s' 2>&1", test_bin ("onewindow-broker"), data);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, why));
    free (out);
}

//  The page (its number) that holds the value of `key` in database `db` of the store in
//  `data`: the value points into its page, whose header begins with the page's number.
static size_t
s_page_of (const char *data, const char *db, const void *key, size_t klen, size_t *psize)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_stat st;
    size_t pgno = 0;
    mdb_env_create (&env);
    mdb_env_set_maxdbs (env, 64);
    if (mdb_env_open (env, data, MDB_RDONLY, 0640) == 0 &&
        mdb_txn_begin (env, NULL, MDB_RDONLY, &txn) == 0) {
        MDB_val k = {klen, (void *)key}, v;
        mdb_env_stat (env, &st);
        *psize = st.ms_psize;
        if (mdb_dbi_open (txn, db, 0, &dbi) == 0 && mdb_get (txn, dbi, &k, &v) == 0) {
            const char *page = (const char *)((uintptr_t)v.mv_data & ~(uintptr_t)(st.ms_psize - 1));
            memcpy (&pgno, page, sizeof pgno);
        }
        mdb_txn_abort (txn);
    }
    mdb_env_close (env);
    return pgno;
}

//  Overwrites page `pgno` of DATA/data.mdb with noise, as a failing disk would.
static void
s_scramble (const char *data, size_t pgno, size_t psize)
{
    char path[700];
    snprintf (path, sizeof path, "%s/data.mdb", data);
    unsigned char *noise = malloc (psize);
    CU_ASSERT_PTR_NOT_NULL_FATAL (noise);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < psize; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise[i] = (unsigned char)x;
    }
    int fd = open (path, O_WRONLY);
    CU_ASSERT_EQUAL (pwrite (fd, noise, psize, (off_t)(pgno * psize)), (ssize_t)psize);
    close (fd);
    free (noise);
}

//  The page holding the value of `key` in `db` of a copy named `name`, scrambled.
static void
s_scramble_copy (const test_broker_t *b, const char *name, const char *db, const void *key,
                 size_t klen, char *data, size_t size)
{
    s_copy (b, name, data, size);
    size_t psize = 4096, pgno = s_page_of (data, db, key, klen, &psize);
    CU_ASSERT_FATAL (pgno > 1); //  past the two meta pages
    s_scramble (data, pgno, psize);
}

static void
test_damaged_store_refused (void)
{
    test_broker_t b;
    s_hall (&b);
    char data[800], cmd[2000];
    int st;
    //  The healthy store: --check says so, and not while a broker has it.
    snprintf (data, sizeof data, "%s/data", b.dir);
    snprintf (cmd, sizeof cmd, "'%s' --check '%s' 2>&1", test_bin ("onewindow-broker"), data);
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "consistent"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "live tickets     300"));
    free (out);
    //  Truncated: refused before LMDB reads past the end (it died of SIGBUS after "ready").
    s_copy (&b, "truncated", data, sizeof data);
    snprintf (cmd, sizeof cmd, "truncate -s %lld '%s/data.mdb'", s_size (&b, "data.mdb") / 2, data);
    free (test_run (cmd, &st));
    s_assert_refused (&b, data, "was truncated");
    //  Emptied, or deleted beside its lock and id files: refused, not made anew.
    s_copy (&b, "emptied", data, sizeof data);
    snprintf (cmd, sizeof cmd, ": > '%s/data.mdb'", data);
    free (test_run (cmd, &st));
    s_assert_refused (&b, data, "deleted or emptied");
    s_copy (&b, "deleted", data, sizeof data);
    snprintf (cmd, sizeof cmd, "rm '%s/data.mdb'", data);
    free (test_run (cmd, &st));
    s_assert_refused (&b, data, "deleted or emptied");
    //  ... until the operator says to start a new store there: then a new id, and from then
    //  on it starts without being told again.
    char *old_id = test_read_file (strcat (strcpy (cmd, data), "/store.id"));
    out = s_start (&b, data, "--new-store", 5, &st);
    CU_ASSERT_EQUAL (st, 124);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--new-store: a new, empty store"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "ready:"));
    free (out);
    char *new_id = test_read_file (cmd);
    CU_ASSERT_FATAL (old_id && new_id);
    CU_ASSERT_STRING_NOT_EQUAL (old_id, new_id);
    free (old_id);
    free (new_id);
    out = s_start (&b, data, "", 5, &st);
    CU_ASSERT_EQUAL (st, 124);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "ready:"));
    free (out);
    //  Another store's data.mdb: refused by the identity in store.id.
    s_copy (&b, "swapped", data, sizeof data);
    test_broker_t other;
    CU_ASSERT_FATAL (test_broker_start (&other, NULL, T0) == 0);
    test_broker_stop (&other, SIGTERM);
    snprintf (cmd, sizeof cmd, "cp '%s/data/data.mdb' '%s/data.mdb'", other.dir, data);
    free (test_run (cmd, &st));
    test_broker_cleanup (&other);
    s_assert_refused (&b, data, "is not the store this directory held");
    //  Scrambled pages: of a live ticket's record (a dozen live tickets would be missing),
    //  of today's journal, of the live set.
    unsigned char key[8];
    for (int i = 0; i < 8; i++)
        key[i] = 0;
    key[7] = 150;
    s_scramble_copy (&b, "scrambled-ticket", "tickets", key, 8, data, sizeof data);
    s_assert_refused (&b, data, "live ticket");
    key[6] = 0x01;
    key[7] = 0x2c; //  event 300
    s_scramble_copy (&b, "scrambled-journal", "events", key, 8, data, sizeof data);
    s_assert_refused (&b, data, "store check");
    key[6] = 0;
    key[7] = 200;
    s_scramble_copy (&b, "scrambled-live", "live", key, 8, data, sizeof data);
    s_assert_refused (&b, data, "store check");
    test_broker_cleanup (&b);
}

//  `scripts/crash-test --help` prints its usage and runs nothing (it ran a campaign).
static void
test_crash_test_help (void)
{
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "timeout 20 '%s' --help 2>&1", test_src ("scripts/crash-test"));
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out &&
                            strstr (out, "usage: scripts/crash-test [--kills N] [--seed S]"));
    CU_ASSERT_PTR_NULL (out && strstr (out, "duplicates=0")); //  a campaign's last line
    free (out);
    snprintf (cmd, sizeof cmd, "timeout 20 '%s' --kills many 2>&1",
              test_src ("scripts/crash-test"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 2);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--kills takes a number"));
    free (out);
}

int
test_store_integrity_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("store_integrity_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a store that cannot commit: store_failed with the request's id",
                 test_store_failed_keeps_id);
    CU_add_test (s, "truncated, emptied, deleted, swapped, scrambled: refused, and --check says so",
                 test_damaged_store_refused);
    CU_add_test (s, "scripts/crash-test --help prints its usage", test_crash_test_help);
    return 0;
}
