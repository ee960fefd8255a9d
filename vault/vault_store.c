/*  vault_store.c — see vault_store.h. */
#include "vault_store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_log.h"

struct vault_store {
    MDB_env *env;
    MDB_dbi dbi[VAULT_DB_COUNT];
    int lock_fd;
};

static const char *s_names[VAULT_DB_COUNT] = {"slots", "pickups", "outbox", "journal", "meta"};

//  Values are any JSON, not only objects and arrays: a staff command's record in meta is a
//  bare string ("deposited"), and jansson refuses to write or read one without the _ANY flags.
static char *
s_dump (const json_t *value)
{
    return json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY);
}

static json_t *
s_load (const MDB_val *v)
{
    return json_loadb (v->mv_data, v->mv_size, JSON_DECODE_ANY, NULL);
}

vault_store_t *
vault_store_open (const char *dir)
{
    vault_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->lock_fd = -1;
    MDB_txn *txn = NULL;
    int rc = 0;
    if (mkdir (dir, 0750) != 0 && errno != EEXIST) {
        log_error ("vault store: cannot create '%s': %s", dir, strerror (errno));
        goto fail;
    }
    char lock[4096];
    snprintf (lock, sizeof lock, "%s/vault.lock", dir);
    self->lock_fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        log_error ("vault store: '%s' is in use by another controller", dir);
        goto fail;
    }
    if ((rc = mdb_env_create (&self->env)) ||
        (rc = mdb_env_set_mapsize (self->env, (size_t)64 << 20)) ||
        (rc = mdb_env_set_maxdbs (self->env, VAULT_DB_COUNT + 2)) ||
        (rc = mdb_env_open (self->env, dir, MDB_NOTLS, 0640)))
        goto lmdb_fail;
    int dead = 0;
    mdb_reader_check (self->env, &dead);
    if ((rc = mdb_txn_begin (self->env, NULL, 0, &txn)))
        goto lmdb_fail;
    for (int i = 0; i < VAULT_DB_COUNT; i++)
        if ((rc = mdb_dbi_open (txn, s_names[i], MDB_CREATE, &self->dbi[i])))
            goto lmdb_fail;
    rc = mdb_txn_commit (txn);
    txn = NULL;
    if (rc)
        goto lmdb_fail;
    return self;
lmdb_fail:
    log_error ("vault store: cannot open LMDB in '%s': %s", dir, mdb_strerror (rc));
    if (txn)
        mdb_txn_abort (txn);
fail:
    vault_store_destroy (&self);
    return NULL;
}

void
vault_store_destroy (vault_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    vault_store_t *self = *self_p;
    if (self->env)
        mdb_env_close (self->env);
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    free (self);
    *self_p = NULL;
}

static int
s_write (vault_store_t *self, vault_db_t db, const char *key, const json_t *value)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    if (rc)
        goto fail;
    MDB_val k = {strlen (key), (void *)key};
    if (value) {
        char *text = s_dump (value);
        MDB_val v = {text ? strlen (text) : 0, text};
        rc = text ? mdb_put (txn, self->dbi[db], &k, &v, 0) : ENOMEM;
        free (text);
    } else {
        rc = mdb_del (txn, self->dbi[db], &k, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    if (rc) {
        mdb_txn_abort (txn);
        goto fail;
    }
    if ((rc = mdb_txn_commit (txn)))
        goto fail;
    return 0;
fail:
    log_error ("vault store: cannot write %s/%s: %s", s_names[db], key, mdb_strerror (rc));
    return -1;
}

int
vault_store_put (vault_store_t *self, vault_db_t db, const char *key, const json_t *value)
{
    return s_write (self, db, key, value);
}

int
vault_store_del (vault_store_t *self, vault_db_t db, const char *key)
{
    return s_write (self, db, key, NULL);
}

json_t *
vault_store_get (vault_store_t *self, vault_db_t db, const char *key)
{
    MDB_txn *txn;
    if (mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn))
        return NULL;
    MDB_val k = {strlen (key), (void *)key}, v;
    json_t *j = NULL;
    if (mdb_get (txn, self->dbi[db], &k, &v) == 0)
        j = s_load (&v);
    mdb_txn_abort (txn);
    return j;
}

json_t *
vault_store_all (vault_store_t *self, vault_db_t db, int limit)
{
    json_t *all = json_object ();
    MDB_txn *txn;
    MDB_cursor *cur;
    if (mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn))
        return all;
    if (mdb_cursor_open (txn, self->dbi[db], &cur) == 0) {
        MDB_val k, v;
        int n = 0;
        for (int rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST); rc == 0 && (!limit || n < limit);
             rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT), n++) {
            char key[256];
            if (k.mv_size >= sizeof key)
                continue;
            memcpy (key, k.mv_data, k.mv_size);
            key[k.mv_size] = 0;
            json_t *j = s_load (&v);
            if (j)
                json_object_set_new (all, key, j);
        }
        mdb_cursor_close (cur);
    }
    mdb_txn_abort (txn);
    return all;
}

uint64_t
vault_store_append (vault_store_t *self, vault_db_t db, const json_t *value)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    uint64_t next = 1;
    if (mdb_txn_begin (self->env, NULL, 0, &txn))
        return 0;
    if (mdb_cursor_open (txn, self->dbi[db], &cur) == 0) {
        MDB_val k, v;
        if (mdb_cursor_get (cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 20) {
            char buf[21];
            memcpy (buf, k.mv_data, 20);
            buf[20] = 0;
            next = strtoull (buf, NULL, 10) + 1;
        }
        mdb_cursor_close (cur);
    }
    //  The high-water mark survives deleting the last entry (an outbox emptied by delivery),
    //  so a number, and a request id made from it, is never used twice.
    char mkey[32];
    snprintf (mkey, sizeof mkey, "seq_%s", s_names[db]);
    MDB_val mk = {strlen (mkey), mkey}, mv;
    if (mdb_get (txn, self->dbi[VAULT_DB_META], &mk, &mv) == 0 && mv.mv_size < 24) {
        char buf[24];
        memcpy (buf, mv.mv_data, mv.mv_size);
        buf[mv.mv_size] = 0;
        uint64_t high = strtoull (buf, NULL, 10);
        if (high >= next)
            next = high + 1;
    }
    char key[21], high[24];
    snprintf (key, sizeof key, "%020llu", (unsigned long long)next);
    snprintf (high, sizeof high, "%llu", (unsigned long long)next);
    char *text = s_dump (value);
    MDB_val k = {20, key}, v = {text ? strlen (text) : 0, text};
    MDB_val hv = {strlen (high), high};
    int rc = text ? mdb_put (txn, self->dbi[db], &k, &v, 0) : ENOMEM;
    if (!rc)
        rc = mdb_put (txn, self->dbi[VAULT_DB_META], &mk, &hv, 0);
    free (text);
    if (rc || mdb_txn_commit (txn)) {
        if (rc)
            mdb_txn_abort (txn);
        log_error ("vault store: cannot append to %s", s_names[db]);
        return 0;
    }
    return next;
}
