/*  broker_store.c — see broker_store.h. */
#include "broker_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "proto_log.h"
#include "proto_msg.h"

#define DEFAULT_MAP_SIZE ((size_t) 64 << 20)

struct broker_store {
    MDB_env *env;                   //  the environment
    MDB_dbi dbi[BROKER_DB_COUNT];   //  named databases
    MDB_txn *txn;                   //  the open transaction, or NULL
    bool write;                     //  txn is a write transaction
    bool dirty;                     //  txn has written something
    int error;                      //  first failed write in txn (sticky)
    size_t map_size;                //  current map size
    int lock_fd;                    //  flock on DIR/broker.lock
};

static const char *s_db_names[] = {
#define X(id, name, desc) name,
    BROKER_DBS (X)
#undef X
};

void
broker_key_u64 (uint64_t value, unsigned char out[8])
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char) (value & 0xff);
        value >>= 8;
    }
}

uint64_t
broker_key_u64_read (const void *key)
{
    const unsigned char *k = key;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | k[i];
    return v;
}

broker_store_t *
broker_store_open (const char *dir, size_t map_size)
{
    broker_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->lock_fd = -1;
    self->map_size = map_size ? map_size : DEFAULT_MAP_SIZE;
    int rc = 0;
    MDB_txn *txn = NULL;

    char lock_path[4096];
    snprintf (lock_path, sizeof lock_path, "%s/broker.lock", dir);
    self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->lock_fd < 0) {
        log_error ("store: cannot open '%s': %s", lock_path, strerror (errno));
        goto fail;
    }
    if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        log_error ("store: '%s' is in use by another broker (%s)", dir, strerror (errno));
        goto fail;
    }
    if ((rc = mdb_env_create (&self->env)))
        goto lmdb_fail;
    //  The map may already be larger than asked (it grew in an earlier run); LMDB then keeps
    //  the file's size, which we read back below.
    if ((rc = mdb_env_set_mapsize (self->env, self->map_size)))
        goto lmdb_fail;
    if ((rc = mdb_env_set_maxdbs (self->env, BROKER_DB_COUNT + 4)))
        goto lmdb_fail;
    //  Default flags: every commit is synced (fdatasync) before it returns. MDB_NOTLS because
    //  read transactions are not tied to threads here.
    if ((rc = mdb_env_open (self->env, dir, MDB_NOTLS, 0640)))
        goto lmdb_fail;
    int dead = 0;
    mdb_reader_check (self->env, &dead);
    if (dead)
        log_warn ("store: cleared %d stale reader slot(s) left by a dead process", dead);
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    self->map_size = info.me_mapsize;

    if ((rc = mdb_txn_begin (self->env, NULL, 0, &txn)))
        goto lmdb_fail;
    for (int i = 0; i < BROKER_DB_COUNT; i++)
        if ((rc = mdb_dbi_open (txn, s_db_names[i], MDB_CREATE, &self->dbi[i])))
            goto lmdb_fail;
    if ((rc = mdb_txn_commit (txn))) {
        txn = NULL;
        goto lmdb_fail;
    }
    return self;

lmdb_fail:
    log_error ("store: cannot open LMDB in '%s': %s", dir, mdb_strerror (rc));
    if (txn)
        mdb_txn_abort (txn);
fail:
    broker_store_destroy (&self);
    return NULL;
}

void
broker_store_destroy (broker_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_store_t *self = *self_p;
    if (self->txn)
        mdb_txn_abort (self->txn);
    if (self->env)
        mdb_env_close (self->env);
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    free (self);
    *self_p = NULL;
}

int
broker_store_begin (broker_store_t *self, bool write)
{
    if (self->txn)
        return EINVAL;
    int rc = mdb_txn_begin (self->env, NULL, write ? 0 : MDB_RDONLY, &self->txn);
    if (rc) {
        self->txn = NULL;
        log_error ("store: cannot begin transaction: %s", mdb_strerror (rc));
        return rc;
    }
    self->write = write;
    self->dirty = false;
    self->error = 0;
    return 0;
}

int
broker_store_commit (broker_store_t *self)
{
    if (!self->txn)
        return EINVAL;
    int rc = self->error;
    if (rc || !self->dirty)
        mdb_txn_abort (self->txn);
    else
        rc = mdb_txn_commit (self->txn);
    self->txn = NULL;
    self->dirty = false;
    self->error = 0;
    return rc;
}

void
broker_store_abort (broker_store_t *self)
{
    if (self->txn)
        mdb_txn_abort (self->txn);
    self->txn = NULL;
    self->dirty = false;
    self->error = 0;
}

bool
broker_store_in_txn (const broker_store_t *self)
{
    return self->txn != NULL;
}

int
broker_store_error (const broker_store_t *self)
{
    return self->error;
}

bool
broker_store_dirty (const broker_store_t *self)
{
    return self->dirty;
}

int
broker_store_put (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                  const void *val, size_t vlen)
{
    if (self->error)
        return self->error;
    if (!self->txn || !self->write)
        return self->error = EINVAL;
    MDB_val k = {klen, (void *) key};
    MDB_val v = {vlen, (void *) val};
    int rc = mdb_put (self->txn, self->dbi[db], &k, &v, 0);
    if (rc)
        self->error = rc;
    else
        self->dirty = true;
    return rc;
}

int
broker_store_put_json (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                       const json_t *val)
{
    char *text = proto_json_dump (val);
    if (!text)
        return self->error ? self->error : (self->error = ENOMEM);
    int rc = broker_store_put (self, db, key, klen, text, strlen (text));
    free (text);
    return rc;
}

int
broker_store_del (broker_store_t *self, broker_db_t db, const void *key, size_t klen)
{
    if (self->error)
        return self->error;
    if (!self->txn || !self->write)
        return self->error = EINVAL;
    MDB_val k = {klen, (void *) key};
    int rc = mdb_del (self->txn, self->dbi[db], &k, NULL);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        self->error = rc;
    else
        self->dirty = true;
    return rc;
}

int
broker_store_get (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                  MDB_val *val)
{
    if (!self->txn)
        return EINVAL;
    MDB_val k = {klen, (void *) key};
    return mdb_get (self->txn, self->dbi[db], &k, val);
}

json_t *
broker_store_get_json (broker_store_t *self, broker_db_t db, const void *key, size_t klen)
{
    MDB_val v;
    if (broker_store_get (self, db, key, klen, &v) != 0)
        return NULL;
    return json_loadb (v.mv_data, v.mv_size, 0, NULL);
}

int
broker_store_last (broker_store_t *self, broker_db_t db, MDB_val *key, MDB_val *val)
{
    if (!self->txn)
        return EINVAL;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (self->txn, self->dbi[db], &cur);
    if (rc)
        return rc;
    rc = mdb_cursor_get (cur, key, val, MDB_LAST);
    mdb_cursor_close (cur);
    return rc;
}

int
broker_store_each (broker_store_t *self, broker_db_t db, const void *from, size_t flen,
                   broker_store_each_fn *fn, void *arg)
{
    if (!self->txn)
        return EINVAL;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (self->txn, self->dbi[db], &cur);
    if (rc)
        return rc;
    MDB_val k = {flen, (void *) from}, v;
    rc = mdb_cursor_get (cur, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0) {
        int stop = fn (&k, &v, arg);
        if (stop) {
            rc = stop;
            break;
        }
        rc = mdb_cursor_get (cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close (cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

size_t
broker_store_count (broker_store_t *self, broker_db_t db)
{
    MDB_stat st;
    if (!self->txn || mdb_stat (self->txn, self->dbi[db], &st) != 0)
        return 0;
    return st.ms_entries;
}

int
broker_store_grow (broker_store_t *self)
{
    if (self->txn)
        return EINVAL;
    size_t next = self->map_size * 2;
    int rc = mdb_env_set_mapsize (self->env, next);
    if (rc) {
        log_error ("store: cannot grow the map to %zu MiB: %s", next >> 20, mdb_strerror (rc));
        return rc;
    }
    log_info ("store: map grown to %zu MiB", next >> 20);
    self->map_size = next;
    return 0;
}

int
broker_store_maybe_grow (broker_store_t *self)
{
    if (self->txn)
        return EINVAL;
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info (self->env, &info);
    mdb_env_stat (self->env, &st);
    size_t used = (info.me_last_pgno + 1) * (size_t) st.ms_psize;
    if (used > self->map_size / 4 * 3)
        return broker_store_grow (self);
    return 0;
}

size_t
broker_store_map_size (const broker_store_t *self)
{
    return self->map_size;
}

int
broker_store_backup (broker_store_t *self, const char *dir)
{
    int rc = mdb_env_copy2 (self->env, dir, MDB_CP_COMPACT);
    if (rc)
        log_error ("store: backup to '%s' failed: %s", dir, mdb_strerror (rc));
    return rc;
}
