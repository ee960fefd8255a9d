/*  district_store.c — see district_store.h. */
#include "district_store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_json.h"
#include "proto_log.h"

#define MAP_START ((size_t)64 << 20) //  doubled when full
#define KEY_MAX   (16 + 1 + 8)       //  hall id, NUL, u64

struct district_store {
    MDB_env *env;
    MDB_dbi halls, events, days;
    int lock_fd;           //  flock on DIR/district.lock
    pthread_rwlock_t grow; //  every transaction holds it shared; growing the map, alone
    char path[4096];       //  DIR/data.mdb
};

//  hall NUL, then `n` bytes of `value` big-endian. The key's length.
static size_t
s_key (unsigned char *out, const char *hall, uint64_t value, int n)
{
    size_t len = strnlen (hall, 16);
    memcpy (out, hall, len);
    out[len++] = 0;
    for (int i = n - 1; i >= 0; i--)
        out[len++] = (unsigned char)(value >> (8 * i));
    return len;
}

static uint64_t
s_key_read (const MDB_val *k, int n)
{
    const unsigned char *p = (const unsigned char *)k->mv_data + k->mv_size - n;
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

district_store_t *
district_store_open (const char *dir, char *err, size_t size)
{
    district_store_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, size, "out of memory");
        return NULL;
    }
    self->lock_fd = -1;
    pthread_rwlock_init (&self->grow, NULL);
    snprintf (self->path, sizeof self->path, "%s/data.mdb", dir);
    char lock[4096];
    snprintf (lock, sizeof lock, "%s/district.lock", dir);
    int rc = 0;
    MDB_txn *txn = NULL;
    self->lock_fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf (err, size, "%s: %s", lock,
                  errno == EWOULDBLOCK ? "another district uses this store" : strerror (errno));
        goto fail;
    }
    if ((rc = mdb_env_create (&self->env)) || (rc = mdb_env_set_maxdbs (self->env, 4)) ||
        (rc = mdb_env_set_mapsize (self->env, MAP_START)) ||
        (rc = mdb_env_open (self->env, dir, MDB_NOTLS, 0640)))
        goto lmdb_fail;
    int dead;
    mdb_reader_check (self->env, &dead);
    //  A map grown in an earlier run: LMDB takes the file's size when it is larger.
    if ((rc = mdb_txn_begin (self->env, NULL, 0, &txn)) ||
        (rc = mdb_dbi_open (txn, "halls", MDB_CREATE, &self->halls)) ||
        (rc = mdb_dbi_open (txn, "events", MDB_CREATE, &self->events)) ||
        (rc = mdb_dbi_open (txn, "days", MDB_CREATE, &self->days)) || (rc = mdb_txn_commit (txn)))
        goto lmdb_fail;
    return self;
lmdb_fail:
    if (txn && rc)
        mdb_txn_abort (txn);
    snprintf (err, size, "store %s: %s", dir, mdb_strerror (rc));
fail:
    district_store_destroy (&self);
    return NULL;
}

void
district_store_destroy (district_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_store_t *self = *self_p;
    if (self->env)
        mdb_env_close (self->env);
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    pthread_rwlock_destroy (&self->grow);
    free (self);
    *self_p = NULL;
}

//  Doubles the map, alone: no transaction of this process is open meanwhile.
static int
s_grow (district_store_t *self)
{
    pthread_rwlock_wrlock (&self->grow);
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    int rc = mdb_env_set_mapsize (self->env, info.me_mapsize * 2);
    pthread_rwlock_unlock (&self->grow);
    if (rc)
        log_error ("store: cannot grow the map: %s", mdb_strerror (rc));
    else
        log_info ("store: map grown to %zu MiB", info.me_mapsize * 2 >> 20);
    return rc;
}

static int
s_put_json (MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const json_t *value)
{
    char *text = json_dumps (value, JSON_COMPACT);
    if (!text)
        return ENOMEM;
    MDB_val k = {klen, (void *)key}, v = {strlen (text), text};
    int rc = mdb_put (txn, dbi, &k, &v, 0);
    free (text);
    return rc;
}

static json_t *
s_get_json (MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
    MDB_val k = {klen, (void *)key}, v;
    if (mdb_get (txn, dbi, &k, &v) != 0)
        return NULL;
    return json_loadb (v.mv_data, v.mv_size, 0, NULL);
}

//  The batch's writes inside `txn`: MDB codes, or EINVAL for events that do not follow
//  the stored journal.
static int
s_write (district_store_t *self, MDB_txn *txn, const char *hall, const json_t *events,
         const json_t *days, const json_t *record)
{
    unsigned char key[KEY_MAX];
    size_t hlen = strnlen (hall, 16);
    json_t *old = s_get_json (txn, self->halls, hall, hlen);
    uint64_t last = (uint64_t)proto_int (old, "last_seq");
    json_decref (old);
    int rc = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e) {
        uint64_t seq = (uint64_t)proto_int (e, "seq");
        if (seq <= last)
            continue; //  counted before: a page read twice, a restart
        if (last && seq != last + 1) {
            log_error ("store: %s: event %llu does not follow %llu", hall, (unsigned long long)seq,
                       (unsigned long long)last);
            return EINVAL;
        }
        size_t klen = s_key (key, hall, seq, 8);
        if ((rc = s_put_json (txn, self->events, key, klen, e)))
            return rc;
        last = seq;
    }
    if ((uint64_t)proto_int (record, "last_seq") < last) {
        log_error ("store: %s: the hall record is behind its events", hall);
        return EINVAL;
    }
    json_array_foreach (days, i, e) {
        size_t klen = s_key (key, hall, (uint64_t)proto_int (e, "day"), 4);
        if ((rc = s_put_json (txn, self->days, key, klen, e)))
            return rc;
    }
    return s_put_json (txn, self->halls, hall, hlen, record);
}

int
district_store_commit (district_store_t *self, const char *hall, const json_t *events,
                       const json_t *days, const json_t *record)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        pthread_rwlock_rdlock (&self->grow);
        MDB_txn *txn;
        int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
        if (!rc) {
            rc = s_write (self, txn, hall, events, days, record);
            if (rc)
                mdb_txn_abort (txn);
            else
                rc = mdb_txn_commit (txn);
        }
        pthread_rwlock_unlock (&self->grow);
        if (rc == MDB_MAP_FULL && s_grow (self) == 0)
            continue;
        if (rc && rc != EINVAL)
            log_error ("store: %s: cannot commit: %s", hall, mdb_strerror (rc));
        return rc ? -1 : 0;
    }
    return -1;
}

//  A read transaction under the shared lock; NULL (logged) on failure. End with s_read_end.
static MDB_txn *
s_read (district_store_t *self)
{
    pthread_rwlock_rdlock (&self->grow);
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        pthread_rwlock_unlock (&self->grow);
        log_error ("store: cannot read: %s", mdb_strerror (rc));
        return NULL;
    }
    return txn;
}

static void
s_read_end (district_store_t *self, MDB_txn *txn)
{
    mdb_txn_abort (txn);
    pthread_rwlock_unlock (&self->grow);
}

json_t *
district_store_hall (district_store_t *self, const char *hall)
{
    MDB_txn *txn = s_read (self);
    if (!txn)
        return NULL;
    json_t *r = s_get_json (txn, self->halls, hall, strnlen (hall, 16));
    s_read_end (self, txn);
    return r;
}

json_t *
district_store_day (district_store_t *self, const char *hall, int day)
{
    unsigned char key[KEY_MAX];
    size_t klen = s_key (key, hall, (uint64_t)day, 4);
    MDB_txn *txn = s_read (self);
    if (!txn)
        return NULL;
    json_t *r = s_get_json (txn, self->days, key, klen);
    s_read_end (self, txn);
    return r;
}

json_t *
district_store_day_before (district_store_t *self, const char *hall, int day)
{
    unsigned char key[KEY_MAX];
    size_t klen = s_key (key, hall, (uint64_t)day, 4);
    MDB_txn *txn = s_read (self);
    MDB_cursor *cur = NULL;
    if (!txn)
        return NULL;
    json_t *out = NULL;
    MDB_val k = {klen, key}, v;
    if (mdb_cursor_open (txn, self->days, &cur) == 0) {
        //  The first key at or after `day`, then the one before it; or the last key of all.
        int rc = mdb_cursor_get (cur, &k, &v, MDB_SET_RANGE);
        rc = mdb_cursor_get (cur, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
        if (rc == 0 && k.mv_size == klen && memcmp (k.mv_data, key, klen - 4) == 0 &&
            s_key_read (&k, 4) < (uint64_t)day)
            out = json_loadb (v.mv_data, v.mv_size, 0, NULL);
        mdb_cursor_close (cur);
    }
    s_read_end (self, txn);
    return out;
}

//  Walks `dbi` from hall's key `from` while the key stays the hall's and at most `to`,
//  giving each value parsed to fn (stopping when it returns 0). The number given, or -1.
static long
s_walk (district_store_t *self, MDB_dbi dbi, const char *hall, uint64_t from, uint64_t to, int n,
        district_store_fn *fn, void *arg)
{
    unsigned char key[KEY_MAX];
    size_t klen = s_key (key, hall, from, n);
    size_t plen = klen - (size_t)n;
    MDB_txn *txn = s_read (self);
    MDB_cursor *cur = NULL;
    if (!txn)
        return -1;
    long given = 0;
    int rc = mdb_cursor_open (txn, dbi, &cur);
    MDB_val k = {klen, key}, v;
    for (MDB_cursor_op op = MDB_SET_RANGE; !rc; op = MDB_NEXT) {
        rc = mdb_cursor_get (cur, &k, &v, op);
        if (rc || k.mv_size != klen || memcmp (k.mv_data, key, plen) != 0 ||
            s_key_read (&k, n) > to)
            break;
        json_t *j = json_loadb (v.mv_data, v.mv_size, 0, NULL);
        int go = j ? fn (j, arg) : 1;
        json_decref (j);
        given++;
        if (!go)
            break;
    }
    if (cur)
        mdb_cursor_close (cur);
    s_read_end (self, txn);
    if (rc && rc != MDB_NOTFOUND) {
        log_error ("store: %s: cannot read: %s", hall, mdb_strerror (rc));
        return -1;
    }
    return given;
}

long
district_store_events (district_store_t *self, const char *hall, uint64_t from, uint64_t to,
                       district_store_fn *fn, void *arg)
{
    return s_walk (self, self->events, hall, from, to, 8, fn, arg);
}

static int
s_collect (const json_t *record, void *arg)
{
    json_array_append ((json_t *)arg, (json_t *)record);
    return 1;
}

json_t *
district_store_days (district_store_t *self, const char *hall, int from_day, int to_day)
{
    json_t *out = json_array ();
    if (s_walk (self, self->days, hall, (uint64_t)from_day, (uint64_t)to_day, 4, s_collect, out) <
        0) {
        json_decref (out);
        return NULL;
    }
    return out;
}

long long
district_store_bytes (district_store_t *self)
{
    struct stat st;
    return stat (self->path, &st) == 0 ? (long long)st.st_size : 0;
}
