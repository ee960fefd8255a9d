/*  test_store.c — broker/broker_store on a temp dir: reads and writes, transactions and
    their sticky errors, the directory lock, growing the map (also out of MDB_MAP_FULL),
    big-endian keys and hot backups. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker_store.h"
#include "test_util.h"
#include "tests.h"

#define S_MIB ((size_t)1 << 20)

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
    s_dir = NULL;
    return 0;
}

//  A fresh empty subdirectory of the suite's dir; caller frees.
static char *
s_subdir (void)
{
    static int n;
    char *path = NULL;
    if (asprintf (&path, "%s/s%d", s_dir, ++n) < 0)
        return NULL;
    if (mkdir (path, 0750) != 0) {
        free (path);
        return NULL;
    }
    return path;
}

static int
s_get_str (broker_store_t *store, broker_db_t db, const char *key, char *out, size_t size)
{
    MDB_val v;
    int rc = broker_store_get (store, db, key, strlen (key), &v);
    if (rc == 0) {
        size_t n = v.mv_size < size - 1 ? v.mv_size : size - 1;
        memcpy (out, v.mv_data, n);
        out[n] = 0;
    }
    return rc;
}

static int
s_put_str (broker_store_t *store, broker_db_t db, const char *key, const char *val)
{
    return broker_store_put (store, db, key, strlen (key), val, strlen (val));
}

static int
s_put_u64 (broker_store_t *store, broker_db_t db, uint64_t id, const void *val, size_t vlen)
{
    unsigned char key[8];
    broker_key_u64 (id, key);
    return broker_store_put (store, db, key, sizeof key, val, vlen);
}

typedef struct {
    uint64_t seen[64];
    int n;
    int stop_at; //  stop after this many (0: never)
} s_walk_t;

//  Walks db with the store's iterator, from `from` (NULL: every key), recording the ids seen:
//  0 or the walk's error; 42 if it left at w->stop_at; -5 on a key that is not an id.
static int
s_walk (broker_store_t *store, broker_db_t db, const void *from, size_t flen, s_walk_t *w)
{
    broker_store_iter_t it;
    if (from)
        broker_store_scan_from (store, db, from, flen, &it);
    else
        broker_store_scan (store, db, NULL, 0, &it);
    int rc = 0;
    while (rc == 0 && broker_store_next (&it)) {
        if (it.key.mv_size != 8 || w->n == 64)
            rc = -5;
        else
            w->seen[w->n++] = broker_key_u64_read (it.key.mv_data);
        if (rc == 0 && w->stop_at && w->n == w->stop_at)
            rc = 42;
    }
    int end = broker_store_scan_end (&it);
    return rc ? rc : end;
}

//  The keys of db that begin with `prefix`, joined by spaces, into `out`.
static void
s_scan_keys (broker_store_t *store, broker_db_t db, const char *prefix, char *out, size_t size)
{
    *out = 0;
    broker_store_iter_t it;
    broker_store_scan (store, db, prefix, strlen (prefix), &it);
    while (broker_store_next (&it)) {
        size_t len = strlen (out);
        snprintf (out + len, size - len, "%s%.*s", len ? " " : "", (int)it.key.mv_size,
                  (const char *)it.key.mv_data);
    }
    CU_ASSERT_EQUAL (broker_store_scan_end (&it), 0);
}

//  ---------------------------------------------------------------------------------------

static void
test_put_get (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL (broker_store_map_size (store), 64 * S_MIB);
    CU_ASSERT_FALSE (broker_store_in_txn (store));
    //  Nothing works outside a transaction.
    MDB_val v;
    CU_ASSERT_EQUAL (broker_store_get (store, BROKER_DB_META, "k", 1, &v), EINVAL);
    CU_ASSERT_EQUAL (broker_store_commit (store), EINVAL);

    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_TRUE (broker_store_in_txn (store));
    CU_ASSERT_EQUAL (broker_store_begin (store, true), EINVAL); //  one at a time
    CU_ASSERT_FALSE (broker_store_dirty (store));
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "day", "20261128"), 0);
    CU_ASSERT_TRUE (broker_store_dirty (store));
    char buf[64];
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "day", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL (buf, "20261128"); //  own writes are visible in the txn
    //  Databases are separate.
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_STATS, "day", buf, sizeof buf), MDB_NOTFOUND);
    json_t *j = json_pack ("{s:s, s:i}", "number", "A001", "day", 20261128);
    CU_ASSERT_EQUAL (broker_store_put_json (store, BROKER_DB_COUNTERS, "1", 1, j), 0);
    json_decref (j);
    for (uint64_t id = 1; id <= 10; id++) {
        char val[16];
        int n = snprintf (val, sizeof val, "t%llu", (unsigned long long)id);
        CU_ASSERT_EQUAL (s_put_u64 (store, BROKER_DB_TICKETS, id, val, (size_t)n), 0);
    }
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_TICKETS), 10);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_FALSE (broker_store_in_txn (store));

    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "day", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL (buf, "20261128");
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "nope", buf, sizeof buf), MDB_NOTFOUND);
    j = broker_store_get_json (store, BROKER_DB_COUNTERS, "1", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (j, "number")), "A001");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (j, "day")), 20261128);
    json_decref (j);
    CU_ASSERT_PTR_NULL (broker_store_get_json (store, BROKER_DB_COUNTERS, "2", 1));
    //  Not JSON: NULL.
    CU_ASSERT_PTR_NULL (broker_store_get_json (store, BROKER_DB_META, "day", 3));
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_TICKETS), 10);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_EVENTS), 0);
    MDB_val k;
    CU_ASSERT_EQUAL (broker_store_last (store, BROKER_DB_TICKETS, &k, &v), 0);
    CU_ASSERT_EQUAL (k.mv_size, 8);
    CU_ASSERT_EQUAL (broker_key_u64_read (k.mv_data), 10);
    CU_ASSERT_EQUAL (v.mv_size, 3);
    CU_ASSERT_EQUAL (memcmp (v.mv_data, "t10", 3), 0);
    CU_ASSERT_EQUAL (broker_store_last (store, BROKER_DB_EVENTS, &k, &v), MDB_NOTFOUND);
    //  Writes in a read transaction fail (and stick).
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "x", "y"), EINVAL);
    CU_ASSERT_EQUAL (broker_store_error (store), EINVAL);

    //  Walks: everything, from a key, stopping early.
    s_walk_t w = {.n = 0};
    CU_ASSERT_EQUAL (s_walk (store, BROKER_DB_TICKETS, NULL, 0, &w), 0);
    CU_ASSERT_EQUAL_FATAL (w.n, 10);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL (w.seen[i], (uint64_t)i + 1);
    unsigned char from[8];
    broker_key_u64 (5, from);
    memset (&w, 0, sizeof w);
    CU_ASSERT_EQUAL (s_walk (store, BROKER_DB_TICKETS, from, 8, &w), 0);
    CU_ASSERT_EQUAL_FATAL (w.n, 6);
    CU_ASSERT_EQUAL (w.seen[0], 5);
    CU_ASSERT_EQUAL (w.seen[5], 10);
    memset (&w, 0, sizeof w);
    w.stop_at = 3;
    CU_ASSERT_EQUAL (s_walk (store, BROKER_DB_TICKETS, from, 8, &w), 42);
    CU_ASSERT_EQUAL (w.n, 3);
    CU_ASSERT_EQUAL (w.seen[2], 7);
    broker_key_u64 (11, from);
    memset (&w, 0, sizeof w);
    CU_ASSERT_EQUAL (s_walk (store, BROKER_DB_TICKETS, from, 8, &w), 0);
    CU_ASSERT_EQUAL (w.n, 0);
    memset (&w, 0, sizeof w);
    CU_ASSERT_EQUAL (s_walk (store, BROKER_DB_EVENTS, NULL, 0, &w), 0);
    CU_ASSERT_EQUAL (w.n, 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), EINVAL); //  the sticky EINVAL from above

    //  Deletes.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (broker_store_error (store), 0); //  a new txn starts clean
    unsigned char key[8];
    broker_key_u64 (10, key);
    CU_ASSERT_EQUAL (broker_store_del (store, BROKER_DB_TICKETS, key, 8), 0);
    CU_ASSERT_EQUAL (broker_store_del (store, BROKER_DB_TICKETS, key, 8), 0); //  missing: fine
    CU_ASSERT_EQUAL (broker_store_del (store, BROKER_DB_META, "never", 5), 0);
    CU_ASSERT_EQUAL (broker_store_error (store), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_TICKETS), 9);
    CU_ASSERT_EQUAL (broker_store_last (store, BROKER_DB_TICKETS, &k, &v), 0);
    CU_ASSERT_EQUAL (broker_key_u64_read (k.mv_data), 9);
    CU_ASSERT_EQUAL (broker_store_get (store, BROKER_DB_TICKETS, key, 8, &v), MDB_NOTFOUND);
    broker_store_abort (store);
    broker_store_destroy (&store);
    CU_ASSERT_PTR_NULL (store);
    broker_store_destroy (&store);
    free (dir);
}

static void
test_abort (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "a", "1"), 0);
    CU_ASSERT_EQUAL (s_put_u64 (store, BROKER_DB_EVENTS, 1, "e", 1), 0);
    broker_store_abort (store);
    CU_ASSERT_FALSE (broker_store_in_txn (store));
    CU_ASSERT_FALSE (broker_store_dirty (store));
    broker_store_abort (store); //  twice is harmless
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    char buf[8];
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "a", buf, sizeof buf), MDB_NOTFOUND);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_EVENTS), 0);
    broker_store_abort (store);
    //  A write txn left open at destroy is aborted, not committed.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "b", "2"), 0);
    broker_store_destroy (&store);
    store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "b", buf, sizeof buf), MDB_NOTFOUND);
    broker_store_abort (store);
    broker_store_destroy (&store);
    free (dir);
}

static void
test_sticky_error (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    char longkey[600];
    memset (longkey, 'k', sizeof longkey);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "before", "1"), 0);
    //  511 bytes is LMDB's longest key; 512 is too long.
    CU_ASSERT_EQUAL (broker_store_put (store, BROKER_DB_META, longkey, 511, "v", 1), 0);
    CU_ASSERT_EQUAL (broker_store_error (store), 0);
    CU_ASSERT_EQUAL (broker_store_put (store, BROKER_DB_META, longkey, 512, "v", 1),
                     MDB_BAD_VALSIZE);
    CU_ASSERT_EQUAL (broker_store_error (store), MDB_BAD_VALSIZE);
    //  Later writes are skipped and report the first error.
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "after", "2"), MDB_BAD_VALSIZE);
    json_t *j = json_object ();
    CU_ASSERT_EQUAL (broker_store_put_json (store, BROKER_DB_META, "json", 4, j), MDB_BAD_VALSIZE);
    json_decref (j);
    CU_ASSERT_EQUAL (broker_store_del (store, BROKER_DB_META, "before", 6), MDB_BAD_VALSIZE);
    char buf[8];
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "after", buf, sizeof buf), MDB_NOTFOUND);
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "before", buf, sizeof buf), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), MDB_BAD_VALSIZE);
    CU_ASSERT_FALSE (broker_store_in_txn (store));
    CU_ASSERT_EQUAL (broker_store_error (store), 0);
    //  Nothing of that transaction is visible.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "before", buf, sizeof buf), MDB_NOTFOUND);
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "after", buf, sizeof buf), MDB_NOTFOUND);
    //  The store's id and the schema record it was opened with (BROKER_STORE_SCHEMA).
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_META), 2);
    broker_store_abort (store);
    //  An empty key is an error too.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (broker_store_put (store, BROKER_DB_META, "", 0, "v", 1), MDB_BAD_VALSIZE);
    CU_ASSERT_EQUAL (broker_store_commit (store), MDB_BAD_VALSIZE);
    //  And the store works normally afterwards.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "later", "3"), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "later", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL (buf, "3");
    broker_store_abort (store);
    broker_store_destroy (&store);
    free (dir);
}

static void
test_commit_without_writes (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    char buf[8];
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "x", buf, sizeof buf), MDB_NOTFOUND);
    CU_ASSERT_FALSE (broker_store_dirty (store));
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_FALSE (broker_store_in_txn (store));
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    //  A delete of a missing key writes nothing.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (broker_store_del (store, BROKER_DB_META, "x", 1), 0);
    CU_ASSERT_FALSE (broker_store_dirty (store));
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), EINVAL);
    broker_store_destroy (&store);
    free (dir);
}

static void
test_reopen_and_lock (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    for (uint64_t id = 1; id <= 100; id++)
        CU_ASSERT_EQUAL (s_put_u64 (store, BROKER_DB_EVENTS, id, &id, sizeof id), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_NUMBERS, "20261128/A", "7"), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);

    //  A second open of the same directory fails while the first is open.
    broker_store_t *second = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NULL (second);
    broker_store_destroy (&second);
    broker_store_destroy (&store);

    store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_EVENTS), 100);
    char buf[8];
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_NUMBERS, "20261128/A", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL (buf, "7");
    unsigned char key[8];
    broker_key_u64 (42, key);
    MDB_val v;
    CU_ASSERT_EQUAL (broker_store_get (store, BROKER_DB_EVENTS, key, 8, &v), 0);
    uint64_t got = 0;
    CU_ASSERT_EQUAL_FATAL (v.mv_size, sizeof got);
    memcpy (&got, v.mv_data, sizeof got);
    CU_ASSERT_EQUAL (got, 42);
    broker_store_abort (store);
    //  Still locked against a second opener after a reopen.
    second = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NULL (second);
    broker_store_destroy (&store);
    //  A directory that does not exist cannot be opened.
    char missing[700];
    snprintf (missing, sizeof missing, "%s/no/such/dir", s_dir);
    CU_ASSERT_PTR_NULL (broker_store_open (missing, 0));
    free (dir);
}

static void
test_grow (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, S_MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL (broker_store_map_size (store), S_MIB);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "k", "v"), 0);
    CU_ASSERT_EQUAL (broker_store_grow (store), EINVAL); //  not inside a transaction
    CU_ASSERT_EQUAL (broker_store_map_size (store), S_MIB);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL (broker_store_grow (store), 0);
    CU_ASSERT_EQUAL (broker_store_map_size (store), 2 * S_MIB);
    CU_ASSERT_EQUAL (broker_store_grow (store), 0);
    CU_ASSERT_EQUAL (broker_store_map_size (store), 4 * S_MIB);
    //  A nearly empty map does not grow ahead of need.
    CU_ASSERT_EQUAL (broker_store_maybe_grow (store), 0);
    CU_ASSERT_EQUAL (broker_store_map_size (store), 4 * S_MIB);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    char buf[8];
    CU_ASSERT_EQUAL (s_get_str (store, BROKER_DB_META, "k", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL (buf, "v");
    CU_ASSERT_EQUAL (broker_store_maybe_grow (store), EINVAL);
    broker_store_abort (store);
    broker_store_destroy (&store);
    free (dir);
}

#define S_VAL 4000

static void
s_fill (unsigned char *val, uint64_t id)
{
    for (int i = 0; i < S_VAL; i++)
        val[i] = (unsigned char)(id * 31 + (uint64_t)i);
}

static void
test_map_full (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, S_MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    unsigned char *val = malloc (S_VAL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (val);
    //  Write in one transaction until the map is full.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    int rc = 0;
    uint64_t n = 0;
    while (n < 10000) {
        s_fill (val, n + 1);
        rc = s_put_u64 (store, BROKER_DB_TICKETS, n + 1, val, S_VAL);
        if (rc)
            break;
        n++;
    }
    CU_ASSERT_EQUAL (rc, MDB_MAP_FULL);
    CU_ASSERT_TRUE (n > 10 && n < 1000);
    CU_ASSERT_EQUAL (broker_store_error (store), MDB_MAP_FULL);
    //  Sticky: even a tiny write is refused now.
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "x", "y"), MDB_MAP_FULL);
    broker_store_abort (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_TICKETS), 0);
    broker_store_abort (store);

    //  Grow, then the same writes (and the one that failed) succeed.
    CU_ASSERT_EQUAL (broker_store_grow (store), 0);
    CU_ASSERT_EQUAL (broker_store_map_size (store), 2 * S_MIB);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    for (uint64_t id = 1; id <= n + 1; id++) {
        s_fill (val, id);
        CU_ASSERT_EQUAL (s_put_u64 (store, BROKER_DB_TICKETS, id, val, S_VAL), 0);
    }
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_TICKETS), n + 1);
    int bad = 0;
    for (uint64_t id = 1; id <= n + 1; id++) {
        unsigned char key[8];
        broker_key_u64 (id, key);
        MDB_val v;
        s_fill (val, id);
        if (broker_store_get (store, BROKER_DB_TICKETS, key, 8, &v) != 0 || v.mv_size != S_VAL ||
            memcmp (v.mv_data, val, S_VAL) != 0)
            bad++;
    }
    CU_ASSERT_EQUAL (bad, 0);
    broker_store_abort (store);
    broker_store_destroy (&store);

    //  maybe_grow: writing one value per transaction into a fresh 1 MiB store, the map
    //  grows ahead of need, before any write fails.
    char *dir2 = s_subdir ();
    store = broker_store_open (dir2, S_MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    bool grown = false;
    rc = 0;
    for (uint64_t id = 1; id <= 2 * n && !grown && rc == 0; id++) {
        CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
        s_fill (val, id);
        s_put_u64 (store, BROKER_DB_TICKETS, id, val, S_VAL);
        rc = broker_store_commit (store);
        CU_ASSERT_EQUAL (broker_store_maybe_grow (store), 0);
        grown = broker_store_map_size (store) == 2 * S_MIB;
    }
    CU_ASSERT_EQUAL (rc, 0);
    CU_ASSERT_TRUE (grown);
    broker_store_destroy (&store);
    free (val);
    free (dir);
    free (dir2);
}

static void
test_key_u64 (void)
{
    unsigned char a[8], b[8];
    broker_key_u64 (255, a);
    broker_key_u64 (256, b);
    CU_ASSERT_TRUE (memcmp (a, b, 8) < 0);
    broker_key_u64 (0x0102030405060708ull, a);
    const unsigned char expect[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CU_ASSERT_EQUAL (memcmp (a, expect, 8), 0);
    CU_ASSERT_EQUAL (broker_key_u64_read (a), 0x0102030405060708ull);
    const uint64_t values[] = {
        0, 1, 255, 256, 65535, 65536, 0xffffffffull, 0x100000000ull, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        broker_key_u64 (values[i], a);
        CU_ASSERT_EQUAL (broker_key_u64_read (a), values[i]);
        if (i > 0) {
            broker_key_u64 (values[i - 1], b);
            CU_ASSERT_TRUE (memcmp (b, a, 8) < 0);
        }
    }
    //  memcmp order equals numeric order for random pairs.
    uint64_t x = 88172645463325252ull;
    int wrong = 0;
    for (int i = 0; i < 10000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t p = x;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t q = (i % 3 == 0) ? p + (x & 0xff) : x >> (x & 63);
        broker_key_u64 (p, a);
        broker_key_u64 (q, b);
        int c = memcmp (a, b, 8);
        int want = p < q ? -1 : p > q ? 1 : 0;
        if ((c < 0 ? -1 : c > 0 ? 1 : 0) != want || broker_key_u64_read (a) != p)
            wrong++;
    }
    CU_ASSERT_EQUAL (wrong, 0);

    //  And in the store: keys come back in numeric order.
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    const uint64_t ids[] = {256, 1, 65536, 255, 2, 4294967296ull};
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_EQUAL (s_put_u64 (store, BROKER_DB_TICKETS, ids[i], "", 0), 0);
    s_walk_t w = {.n = 0};
    CU_ASSERT_EQUAL (s_walk (store, BROKER_DB_TICKETS, NULL, 0, &w), 0);
    const uint64_t sorted[] = {1, 2, 255, 256, 65536, 4294967296ull};
    CU_ASSERT_EQUAL_FATAL (w.n, 6);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL (w.seen[i], sorted[i]);
    MDB_val k, v;
    CU_ASSERT_EQUAL (broker_store_last (store, BROKER_DB_TICKETS, &k, &v), 0);
    CU_ASSERT_EQUAL (broker_key_u64_read (k.mv_data), 4294967296ull);
    broker_store_abort (store);
    broker_store_destroy (&store);
    free (dir);
}

static void
test_backup (void)
{
    char *dir = s_subdir ();
    char *copy = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    for (uint64_t id = 1; id <= 50; id++)
        CU_ASSERT_EQUAL (s_put_u64 (store, BROKER_DB_TICKETS, id, &id, sizeof id), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "day", "20261128"), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_TOKENS, "deleted", "x"), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (broker_store_del (store, BROKER_DB_TOKENS, "deleted", 7), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);

    CU_ASSERT_EQUAL (broker_store_backup (store, copy), 0);
    //  Written after the backup: not in the copy.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_META, "after", "1"), 0);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    //  A backup into a directory that does not exist fails.
    char missing[700];
    snprintf (missing, sizeof missing, "%s/no/such/dir", s_dir);
    CU_ASSERT_NOT_EQUAL (broker_store_backup (store, missing), 0);

    //  The copy opens as a store, even while the original is open, with the same data.
    broker_store_t *backup = broker_store_open (copy, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (backup);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (backup, false), 0);
    CU_ASSERT_EQUAL (broker_store_count (backup, BROKER_DB_TICKETS), 50);
    CU_ASSERT_EQUAL (broker_store_count (backup, BROKER_DB_TOKENS), 0);
    char buf[16];
    CU_ASSERT_EQUAL (s_get_str (backup, BROKER_DB_META, "day", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL (buf, "20261128");
    CU_ASSERT_EQUAL (s_get_str (backup, BROKER_DB_META, "after", buf, sizeof buf), MDB_NOTFOUND);
    s_walk_t w = {.n = 0};
    CU_ASSERT_EQUAL (s_walk (backup, BROKER_DB_TICKETS, NULL, 0, &w), 0);
    CU_ASSERT_EQUAL (w.n, 50);
    for (int i = 0; i < w.n; i++)
        CU_ASSERT_EQUAL (w.seen[i], (uint64_t)i + 1);
    broker_store_abort (backup);
    broker_store_destroy (&backup);
    broker_store_destroy (&store);
    free (dir);
    free (copy);
}

//  broker_json_dump writes exactly what json_dumps (JSON_COMPACT) writes.
//  Prefix walks: exactly the keys that begin with the prefix, in order, whatever lies around
//  them; leaving early; a walk outside a transaction ends at once with EINVAL.
static void
test_scan_prefix (void)
{
    char *dir = s_subdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    broker_store_iter_t it;
    broker_store_scan (store, BROKER_DB_TOKEN_CASES, "a|", 2, &it);
    CU_ASSERT_FALSE (broker_store_next (&it));
    CU_ASSERT_EQUAL (broker_store_scan_end (&it), EINVAL);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    const char *keys[] = {"a", "a|", "a|1", "a|2", "a}", "ab|1", "b|1", "a|10", "|a|"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CU_ASSERT_EQUAL (s_put_str (store, BROKER_DB_TOKEN_CASES, keys[i], ""), 0);
    char seen[128];
    s_scan_keys (store, BROKER_DB_TOKEN_CASES, "a|", seen, sizeof seen);
    CU_ASSERT_STRING_EQUAL (seen, "a| a|1 a|10 a|2");
    s_scan_keys (store, BROKER_DB_TOKEN_CASES, "b|", seen, sizeof seen);
    CU_ASSERT_STRING_EQUAL (seen, "b|1");
    s_scan_keys (store, BROKER_DB_TOKEN_CASES, "c", seen, sizeof seen);
    CU_ASSERT_STRING_EQUAL (seen, "");
    s_scan_keys (store, BROKER_DB_TOKEN_CASES, "", seen, sizeof seen);
    CU_ASSERT_STRING_EQUAL (seen, "a ab|1 a| a|1 a|10 a|2 a} b|1 |a|");
    s_scan_keys (store, BROKER_DB_CASES, "", seen, sizeof seen);
    CU_ASSERT_STRING_EQUAL (seen, "");
    //  Left early: scan_end closes the cursor (ASan would see a leak otherwise).
    broker_store_scan (store, BROKER_DB_TOKEN_CASES, "a", 1, &it);
    CU_ASSERT_TRUE (broker_store_next (&it));
    CU_ASSERT_EQUAL (it.key.mv_size, 1);
    CU_ASSERT_EQUAL (broker_store_scan_end (&it), 0);
    CU_ASSERT_EQUAL (broker_store_scan_end (&it), 0); //  twice is harmless
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    //  In a read transaction too.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    s_scan_keys (store, BROKER_DB_TOKEN_CASES, "a|1", seen, sizeof seen);
    CU_ASSERT_STRING_EQUAL (seen, "a|1 a|10");
    broker_store_abort (store);
    broker_store_destroy (&store);
    free (dir);
}

static void
test_json_dump_same_bytes (void)
{
    const char *texts[] = {
        "{}",
        "[]",
        "{\"a\": 1, \"b\": [true, false, null, -9223372036854775808, 9223372036854775807]}",
        "{\"中文\": \"请 A023 号到 5 号窗口\", \"esc\": "
        "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"}",
        "[1.5, -0.25, 1e300, 3.0, {\"deep\": [[[[{\"x\": \"\\ud83d\\ude00\"}]]]]}]",
        "{\"z\": 1, \"a\": 2, \"m\": {\"k\": \"\"}}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_error_t e;
        json_t *v = json_loads (texts[i], 0, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL (v);
        char *ours = broker_json_dump (v), *theirs = json_dumps (v, JSON_COMPACT);
        CU_ASSERT_PTR_NOT_NULL (ours);
        CU_ASSERT_STRING_EQUAL (ours ? ours : "", theirs);
        free (ours);
        free (theirs);
        json_decref (v);
    }
    //  Not an object or array: refused, as json_dumps refuses it.
    json_t *n = json_integer (5);
    CU_ASSERT_PTR_NULL (broker_json_dump (n));
    json_decref (n);
}

int
test_store_suite (void)
{
    CU_pSuite suite = CU_add_suite ("store", s_setup, s_teardown);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "put/get/del/walk/last/count", test_put_get) ||
        !CU_add_test (suite, "aborted write leaves nothing", test_abort) ||
        !CU_add_test (suite, "sticky error: skipped writes, commit fails", test_sticky_error) ||
        !CU_add_test (suite, "commit without writes", test_commit_without_writes) ||
        !CU_add_test (suite, "survives reopen; directory lock", test_reopen_and_lock) ||
        !CU_add_test (suite, "grow doubles the map", test_grow) ||
        !CU_add_test (suite, "MDB_MAP_FULL, abort, grow, retry; maybe_grow", test_map_full) ||
        !CU_add_test (suite, "u64 keys sort numerically", test_key_u64) ||
        !CU_add_test (suite, "backup opens with the same data", test_backup) ||
        !CU_add_test (suite, "prefix walks", test_scan_prefix) ||
        !CU_add_test (suite, "JSON text: the same bytes as json_dumps", test_json_dump_same_bytes))
        return -1;
    return 0;
}
