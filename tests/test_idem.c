/*  test_idem.c — idempotency records kept in time order, found through the index in memory
    (broker_idem.h), and the move of schema 1's records (keyed by request id) to schema 2. */
#include <CUnit/CUnit.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_idem.h"
#include "broker_store.h"
#include "test_util.h"
#include "tests.h"

#define T0 1796000000000LL

static void
s_request (broker_idem_t *idem, int n, const char *body)
{
    char id[32];
    snprintf (id, sizeof id, "req-%d", n);
    broker_idem_init (idem, n % 2 ? "KEY-A" : "", id, body, strlen (body));
}

//  Records many requests, finds each again, forgets the older half, and finds only the rest:
//  enough keys that the index grows several times and removals shift runs back.
static void
test_record_find_prune (void)
{
    char *dir = test_tmpdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    broker_idem_index_t *index = broker_idem_index_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_PTR_NOT_NULL_FATAL (index);
    enum { N = 5000 };
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    for (int i = 0; i < N; i++) {
        broker_idem_t idem;
        s_request (&idem, i, "{\"service\":\"A\"}");
        broker_idem_reply_t r;
        CU_ASSERT_EQUAL (broker_idem_find (store, index, &idem, "ticket.issue", &r),
                         BROKER_IDEM_NEW);
        char body[32];
        snprintf (body, sizeof body, "{\"n\":%d}", i);
        broker_idem_record (store, index, &idem, T0 + i, "ticket.issue", "ok", body);
    }
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL (broker_idem_index_count (index), N);

    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    int replayed = 0, reused = 0;
    for (int i = 0; i < N; i++) {
        broker_idem_t idem;
        s_request (&idem, i, "{\"service\":\"A\"}");
        broker_idem_reply_t r;
        char want[32];
        snprintf (want, sizeof want, "{\"n\":%d}", i);
        replayed +=
            broker_idem_find (store, index, &idem, "ticket.issue", &r) == BROKER_IDEM_REPLAY &&
            r.body_len == strlen (want) && memcmp (r.body, want, r.body_len) == 0 &&
            strcmp (r.status, "ok") == 0;
        //  The same id with another body, or for another command, is another request.
        s_request (&idem, i, "{\"service\":\"B\"}");
        reused += broker_idem_find (store, index, &idem, "ticket.issue", &r) == BROKER_IDEM_REUSED;
        s_request (&idem, i, "{\"service\":\"A\"}");
        reused += broker_idem_find (store, index, &idem, "ticket.cancel", &r) == BROKER_IDEM_REUSED;
    }
    CU_ASSERT_EQUAL (replayed, N);
    CU_ASSERT_EQUAL (reused, 2 * N);
    //  At most BROKER_IDEM_PRUNE_MAX a call.
    for (int k = 0; k < N / 2 / BROKER_IDEM_PRUNE_MAX + 1; k++)
        broker_idem_prune (store, index, T0 + N / 2);
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    CU_ASSERT_EQUAL (broker_idem_index_count (index), N - N / 2);

    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_store_count (store, BROKER_DB_IDEM_TIME), N - N / 2);
    int found = 0;
    for (int i = 0; i < N; i++) {
        broker_idem_t idem;
        s_request (&idem, i, "{\"service\":\"A\"}");
        broker_idem_reply_t r;
        found += broker_idem_find (store, index, &idem, "ticket.issue", &r) == BROKER_IDEM_REPLAY;
        if (i < N / 2)
            CU_ASSERT_EQUAL (broker_idem_find (store, index, &idem, "ticket.issue", &r),
                             BROKER_IDEM_NEW);
    }
    CU_ASSERT_EQUAL (found, N - N / 2);
    //  Rebuilt from the store (a restart), it knows the same.
    broker_idem_index_t *again = broker_idem_index_new ();
    CU_ASSERT_EQUAL (broker_idem_index_load (again, store), 0);
    CU_ASSERT_EQUAL (broker_idem_index_count (again), N - N / 2);
    broker_idem_t idem;
    s_request (&idem, N - 1, "{\"service\":\"A\"}");
    broker_idem_reply_t r;
    CU_ASSERT_EQUAL (broker_idem_find (store, again, &idem, "ticket.issue", &r),
                     BROKER_IDEM_REPLAY);
    broker_store_abort (store);
    broker_idem_index_destroy (&again);
    broker_idem_index_destroy (&index);
    broker_store_destroy (&store);
    test_rmtree (dir);
    free (dir);
}

//  A record whose batch did not commit is not there: the request is new.
static void
test_aborted_record_is_new (void)
{
    char *dir = test_tmpdir ();
    broker_store_t *store = broker_store_open (dir, 0);
    broker_idem_index_t *index = broker_idem_index_new ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    broker_idem_t idem;
    s_request (&idem, 1, "{}");
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    broker_idem_record (store, index, &idem, T0, "ticket.issue", "ok", "{}");
    broker_idem_reply_t r;
    //  Seen within its own batch (a retry in the same batch replays)...
    CU_ASSERT_EQUAL (broker_idem_find (store, index, &idem, "ticket.issue", &r),
                     BROKER_IDEM_REPLAY);
    broker_store_abort (store);
    //  ... and not once the batch is gone.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_idem_find (store, index, &idem, "ticket.issue", &r), BROKER_IDEM_NEW);
    broker_store_abort (store);
    broker_idem_index_destroy (&index);
    broker_store_destroy (&store);
    test_rmtree (dir);
    free (dir);
}

//  Writes a schema-1 store by hand: its version, one record in `idem` and its time key.
static int
s_schema1_store (const char *dir, const char *key, size_t klen, const char *rec, size_t rlen)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi meta, idem, itime;
    int rc = mdb_env_create (&env);
    if (!rc)
        rc = mdb_env_set_maxdbs (env, 64);
    if (!rc)
        rc = mdb_env_open (env, dir, MDB_NOTLS, 0640);
    if (!rc)
        rc = mdb_txn_begin (env, NULL, 0, &txn);
    if (!rc)
        rc = mdb_dbi_open (txn, "meta", MDB_CREATE, &meta);
    if (!rc)
        rc = mdb_dbi_open (txn, "idem", MDB_CREATE, &idem);
    if (!rc)
        rc = mdb_dbi_open (txn, "idem_time", MDB_CREATE, &itime);
    unsigned char tkey[256];
    memcpy (tkey, rec, 8);
    memcpy (tkey + 8, key, klen);
    MDB_val sk = {6, "schema"}, sv = {1, "1"}, ik = {klen, (void *)key}, iv = {rlen, (void *)rec},
            tk = {8 + klen, tkey}, tv = {0, ""};
    if (!rc)
        rc = mdb_put (txn, meta, &sk, &sv, 0);
    if (!rc)
        rc = mdb_put (txn, idem, &ik, &iv, 0);
    if (!rc)
        rc = mdb_put (txn, itime, &tk, &tv, 0);
    if (!rc)
        rc = mdb_txn_commit (txn);
    else if (txn)
        mdb_txn_abort (txn);
    if (env)
        mdb_env_close (env);
    return rc;
}

static void
test_schema1_moves (void)
{
    char *dir = test_tmpdir ();
    broker_idem_t idem;
    s_request (&idem, 7, "{\"service\":\"A\"}");
    //  A schema-1 record: time | fingerprint | command NUL status NUL body.
    unsigned char rec[128];
    broker_key_u64 ((uint64_t)T0, rec);
    memcpy (rec + 8, idem.hash, BROKER_IDEM_HASH);
    size_t at = 8 + BROKER_IDEM_HASH;
    static const char tail[] = "ticket.issue\0ok\0{\"number\":\"A001\"}";
    memcpy (rec + at, tail, sizeof tail - 1);
    CU_ASSERT_EQUAL_FATAL (
        s_schema1_store (dir, idem.key, idem.klen, (char *)rec, at + sizeof tail - 1), 0);

    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    broker_idem_index_t *index = broker_idem_index_new ();
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, false), 0);
    CU_ASSERT_EQUAL (broker_idem_index_load (index, store), 0);
    CU_ASSERT_EQUAL (broker_idem_index_count (index), 1);
    broker_idem_reply_t r;
    CU_ASSERT_EQUAL_FATAL (broker_idem_find (store, index, &idem, "ticket.issue", &r),
                           BROKER_IDEM_REPLAY);
    CU_ASSERT_EQUAL (r.body_len, strlen ("{\"number\":\"A001\"}"));
    CU_ASSERT_EQUAL (memcmp (r.body, "{\"number\":\"A001\"}", r.body_len), 0);
    MDB_val v;
    CU_ASSERT_EQUAL (broker_store_get (store, BROKER_DB_META, "schema", 6, &v), 0);
    char want[16];
    snprintf (want, sizeof want, "%d", BROKER_STORE_SCHEMA);
    CU_ASSERT (v.mv_size == strlen (want) && memcmp (v.mv_data, want, v.mv_size) == 0);
    broker_store_abort (store);
    broker_idem_index_destroy (&index);
    broker_store_destroy (&store);

    //  `idem` itself is gone.
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    CU_ASSERT_EQUAL_FATAL (mdb_env_create (&env), 0);
    mdb_env_set_maxdbs (env, 64);
    CU_ASSERT_EQUAL_FATAL (mdb_env_open (env, dir, MDB_NOTLS | MDB_RDONLY, 0640), 0);
    CU_ASSERT_EQUAL_FATAL (mdb_txn_begin (env, NULL, MDB_RDONLY, &txn), 0);
    CU_ASSERT_EQUAL (mdb_dbi_open (txn, "idem", 0, &dbi), MDB_NOTFOUND);
    mdb_txn_abort (txn);
    mdb_env_close (env);
    test_rmtree (dir);
    free (dir);
}

int
test_idem_suite (void)
{
    CU_pSuite suite = CU_add_suite ("idem", NULL, NULL);
    if (!suite ||
        !CU_add_test (suite, "record, find, reuse, prune, reload", test_record_find_prune) ||
        !CU_add_test (suite, "a record not committed is not there", test_aborted_record_is_new) ||
        !CU_add_test (suite, "schema 1's records move to schema 2", test_schema1_moves))
        return -1;
    return 0;
}
