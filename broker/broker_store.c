/*  broker_store.c — see broker_store.h. */
#include "broker_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_log.h"
#include "proto_msg.h"
#include "proto_qr.h"
#include "proto_token.h"

#define DEFAULT_MAP_SIZE ((size_t)64 << 20)

//  A JSON text being written (see broker_json_dump).
typedef struct {
    char *text;
    size_t len, cap;
    bool failed; //  a value could not be written as JSON
} s_text_t;

struct broker_store {
    MDB_env *env;                 //  the environment
    MDB_dbi dbi[BROKER_DB_COUNT]; //  named databases
    MDB_txn *txn;                 //  the open transaction, or NULL
    bool write;                   //  txn is a write transaction
    bool dirty;                   //  txn has written something
    int error;                    //  first failed write in txn (sticky)
    size_t map_size;              //  current map size
    int lock_fd;                  //  flock on DIR/broker.lock
    s_text_t json;                //  JSON text of the last put_json (buffer reused)
    bool have[BROKER_DB_COUNT];   //  the database exists (to check, an old store may lack one)
    char id[PROTO_TOKEN_LEN + 1]; //  the store's identity (meta "store_id")
};

static const char *s_db_names[] = {
#define X(id, name, desc) name,
    BROKER_DBS (X)
#undef X
};

//  Databases whose new keys are nearly always the largest yet: sequence numbers, ticket
//  ids, times, case numbers (dated). A new key there is put with MDB_APPEND, so LMDB
//  leaves a full page full and starts the next one, where an ordinary put splits it in
//  half: the journal, which never shrinks, takes about half the pages. A key that is not
//  the largest (an update, an event of an older case) fails the append (MDB_KEYEXIST,
//  nothing changed) and is put the ordinary way.
static const bool s_appended[BROKER_DB_COUNT] = {
    [BROKER_DB_TICKETS] = true, [BROKER_DB_EVENTS] = true,   [BROKER_DB_IDEM_TIME] = true,
    [BROKER_DB_CASES] = true,   [BROKER_DB_CASE_LOG] = true, [BROKER_DB_NOTICES] = true,
    [BROKER_DB_RECTIFY] = true,
};

void
broker_key_u64 (uint64_t value, unsigned char out[8])
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)(value & 0xff);
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

//  What an earlier store leaves in its directory besides data.mdb.
static const char *s_traces[] = {"store.id", "lock.mdb"};

//  Before LMDB sees data.mdb: a missing or empty one where an earlier store lived is
//  refused (LMDB would make a new store of it without a word), and so is any missing one
//  to check. 0 / -1.
static int
s_precheck (const char *dir, broker_store_mode_t mode)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/data.mdb", dir);
    struct stat st;
    bool missing = stat (path, &st) != 0;
    if (missing && errno != ENOENT) {
        log_error ("store: cannot read '%s': %s", path, strerror (errno));
        return -1;
    }
    if (!missing && st.st_size > 0)
        return 0;
    for (size_t i = 0; i < sizeof s_traces / sizeof s_traces[0]; i++) {
        snprintf (path, sizeof path, "%s/%s", dir, s_traces[i]);
        if (access (path, F_OK) == 0) {
            log_error ("store: '%s' holds an earlier store's %s, but its data.mdb %s: the store "
                       "was deleted or emptied, and starting would make a new, empty one "
                       "(numbering from 1, no device enrolled). Restore data.mdb from a backup "
                       "(docs/OPERATIONS.md), or start a new store deliberately with --new-store",
                       dir, s_traces[i], missing ? "is missing" : "is empty");
            return -1;
        }
    }
    if (mode == BROKER_STORE_CHECK) {
        snprintf (path, sizeof path, "%s/data.mdb", dir);
        log_error ("store: '%s' %s: there is no store to check", path,
                   missing ? "does not exist" : "is empty");
        return -1;
    }
    return 0;
}

//  A data.mdb shorter than the pages its last transaction uses was cut (a copy that did not
//  finish, a bad restore): LMDB would map it and die of SIGBUS at the first read past its
//  end. 0 / -1.
static int
s_size_check (broker_store_t *self, const char *dir)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_filehandle_t fd;
    struct stat fst;
    if (mdb_env_info (self->env, &info) || mdb_env_stat (self->env, &st) ||
        mdb_env_get_fd (self->env, &fd) || fstat (fd, &fst) != 0) {
        log_error ("store: cannot read the size of '%s/data.mdb'", dir);
        return -1;
    }
    size_t used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
    if ((size_t)fst.st_size >= used)
        return 0;
    log_error ("store: '%s/data.mdb' is %lld bytes, but its last transaction uses %zu (%zu pages "
               "of %u bytes): the file was truncated. Restore it from a backup "
               "(docs/OPERATIONS.md)",
               dir, (long long)fst.st_size, used, info.me_last_pgno + 1, st.ms_psize);
    return -1;
}

//  Reads DIR/store.id into `out` (PROTO_TOKEN_LEN + 1 bytes): 1, 0 if there is none, or -1
//  if it cannot be read or holds no id.
static int
s_id_file_read (const char *dir, char *out)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/store.id", dir);
    FILE *f = fopen (path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[64] = "";
    bool read = fgets (line, sizeof line, f) != NULL;
    fclose (f);
    line[strcspn (line, "\r\n")] = 0;
    if (!read || !proto_token_valid (line))
        return -1;
    memcpy (out, line, PROTO_TOKEN_LEN + 1);
    return 1;
}

//  Writes DIR/store.id as a whole or not at all: a temporary file, synced, renamed over it,
//  and the directory synced. 0 / -1.
static int
s_id_file_write (const char *dir, const char *id)
{
    char path[4096], tmp[4200];
    snprintf (path, sizeof path, "%s/store.id", dir);
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    char line[64];
    int len = snprintf (line, sizeof line, "%s\n", id);
    bool ok = fd >= 0 && write (fd, line, (size_t)len) == len && fsync (fd) == 0;
    if (fd >= 0)
        close (fd);
    ok = ok && rename (tmp, path) == 0;
    int dfd = ok ? open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dfd >= 0) {
        fsync (dfd);
        close (dfd);
    }
    if (!ok)
        log_error ("store: cannot write '%s': %s", path, strerror (errno));
    return ok ? 0 : -1;
}

//  The store's identity, in the transaction that opened it: read from meta, or made for a
//  store that has none (to serve), and held against DIR/store.id. 0 / -1.
static int
s_identity (broker_store_t *self, const char *dir, broker_store_mode_t mode, MDB_txn *txn)
{
    MDB_val k = {8, "store_id"}, v;
    int rc = mdb_get (txn, self->dbi[BROKER_DB_META], &k, &v);
    if (rc == 0 && v.mv_size == PROTO_TOKEN_LEN) {
        memcpy (self->id, v.mv_data, PROTO_TOKEN_LEN);
        self->id[PROTO_TOKEN_LEN] = 0;
    } else if (rc != MDB_NOTFOUND) {
        log_error ("store: the store id in '%s/data.mdb' cannot be read (%s)", dir,
                   rc ? mdb_strerror (rc) : "wrong size");
        return -1;
    }
    char file[PROTO_TOKEN_LEN + 1] = "";
    int have_file = s_id_file_read (dir, file);
    if (have_file < 0) {
        log_error ("store: '%s/store.id' cannot be read or holds no store id", dir);
        return -1;
    }
    if (have_file && strcmp (file, self->id) != 0) {
        log_error ("store: '%s/data.mdb' is %s%s, but store.id says it should be %s: this data.mdb "
                   "is not the store this directory held. Put the right one back, or remove "
                   "store.id to adopt this one",
                   dir, self->id[0] ? "store " : "a store without an id", self->id, file);
        return -1;
    }
    if (mode == BROKER_STORE_CHECK || (self->id[0] && have_file))
        return 0;
    if (!self->id[0]) {
        proto_token_new (self->id);
        v = (MDB_val){PROTO_TOKEN_LEN, self->id};
        if ((rc = mdb_put (txn, self->dbi[BROKER_DB_META], &k, &v, 0))) {
            log_error ("store: cannot record the store id: %s", mdb_strerror (rc));
            return -1;
        }
    }
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  The schema version (BROKER_STORE_SCHEMA). One step per version, from `from` to from + 1,
//  run in order inside the transaction that opens the store; `up` rewrites what that version
//  changed (NULL when only the record is new). 0 / an LMDB error.
typedef struct {
    int from;
    const char *what; //  for the log
    int (*up) (broker_store_t *self, MDB_txn *txn);
} s_migration_t;

//  Schema 2: the idempotency records move from `idem` (keyed by principal and request id,
//  a random page written per request) into their time index `idem_time`, whose entries
//  had no value until then; the time that began each record is its key's now, and the
//  record keeps the rest. `idem` is deleted (broker_idem.h).
static int
s_idem_by_time (broker_store_t *self, MDB_txn *txn)
{
    MDB_dbi idem;
    int rc = mdb_dbi_open (txn, "idem", 0, &idem);
    if (rc == MDB_NOTFOUND)
        return 0;
    MDB_cursor *cur = NULL;
    if (rc || (rc = mdb_cursor_open (txn, idem, &cur)))
        return rc;
    MDB_val k, v;
    unsigned char tkey[8 + 511];
    for (int op = MDB_FIRST; (rc = mdb_cursor_get (cur, &k, &v, (MDB_cursor_op)op)) == 0;
         op = MDB_NEXT) {
        //  A record begins with its time; one without cannot be found again, and is left.
        if (v.mv_size < 8 || k.mv_size > sizeof tkey - 8)
            continue;
        memcpy (tkey, v.mv_data, 8);
        memcpy (tkey + 8, k.mv_data, k.mv_size);
        MDB_val tk = {8 + k.mv_size, tkey}, rest = {v.mv_size - 8, (char *)v.mv_data + 8};
        if ((rc = mdb_put (txn, self->dbi[BROKER_DB_IDEM_TIME], &tk, &rest, 0)))
            break;
    }
    mdb_cursor_close (cur);
    if (rc != MDB_NOTFOUND)
        return rc;
    return mdb_drop (txn, idem, 1);
}

static const s_migration_t s_migrations[] = {
    {0, "the schema record itself; the databases hold what they held", NULL},
    {1, "idempotency records kept in time order (idem -> idem_time)", s_idem_by_time},
};

//  True if any database of the store holds an entry: an old store, not a new one.
static bool
s_store_used (broker_store_t *self, MDB_txn *txn)
{
    for (int i = 0; i < BROKER_DB_COUNT; i++) {
        MDB_stat st;
        if (mdb_stat (txn, self->dbi[i], &st) == 0 && st.ms_entries > 0)
            return true;
    }
    return false;
}

//  Reads the store's schema version in `txn` (the write transaction that opens the store),
//  refuses a newer one, and migrates an older one step by step, writing the new record in
//  the same transaction. To `check`, an older version is only read (the broker that serves
//  the store will migrate it). 0 / -1 with the reason logged.
static int
s_schema_open (broker_store_t *self, MDB_txn *txn, const char *dir, bool check)
{
    if (check && !self->have[BROKER_DB_META])
        return 0;
    MDB_dbi meta = self->dbi[BROKER_DB_META];
    MDB_val k = {6, "schema"}, v;
    int version = 0;
    int rc = mdb_get (txn, meta, &k, &v);
    if (rc == 0) {
        char text[16] = "";
        char *end = NULL;
        long n = -1;
        if (v.mv_size > 0 && v.mv_size < sizeof text) {
            memcpy (text, v.mv_data, v.mv_size);
            n = strtol (text, &end, 10);
        }
        if (n < 0 || n > 1000000 || !end || *end) {
            log_error ("store: '%s' has an unreadable schema record: not a onewindow store, "
                       "or a damaged one (restore a backup)",
                       dir);
            return -1;
        }
        version = (int)n;
    } else if (rc != MDB_NOTFOUND) {
        log_error ("store: cannot read the schema of '%s': %s", dir, mdb_strerror (rc));
        return -1;
    }
    if (version > BROKER_STORE_SCHEMA) {
        log_error ("store: '%s' has schema version %d, and this broker knows versions up to "
                   "%d: a newer onewindow wrote it. Run that release (or a later one); to go "
                   "back to this one, restore a backup this release made",
                   dir, version, BROKER_STORE_SCHEMA);
        return -1;
    }
    if (version == BROKER_STORE_SCHEMA)
        return 0;
    if (check) {
        log_info ("store: '%s' has schema %d; a broker serving it migrates it to %d", dir, version,
                  BROKER_STORE_SCHEMA);
        return 0;
    }
    bool used = s_store_used (self, txn);
    for (size_t i = 0; i < sizeof s_migrations / sizeof s_migrations[0]; i++) {
        const s_migration_t *step = &s_migrations[i];
        if (step->from < version)
            continue;
        if (used)
            log_info ("store: schema %d -> %d: %s", step->from, step->from + 1, step->what);
        if (step->up && (rc = step->up (self, txn)) != 0) {
            log_error ("store: migrating '%s' from schema %d failed (%s); the store is as it "
                       "was",
                       dir, step->from, mdb_strerror (rc));
            return -1;
        }
    }
    char text[16];
    int len = snprintf (text, sizeof text, "%d", BROKER_STORE_SCHEMA);
    v = (MDB_val){(size_t)len, text};
    if ((rc = mdb_put (txn, meta, &k, &v, 0)) != 0) {
        log_error ("store: cannot record the schema of '%s': %s", dir, mdb_strerror (rc));
        return -1;
    }
    if (used)
        log_info ("store: '%s' migrated from schema %d to %d", dir, version, BROKER_STORE_SCHEMA);
    return 0;
}

broker_store_t *
broker_store_open (const char *dir, size_t map_size)
{
    return broker_store_open_as (dir, map_size, BROKER_STORE_SERVE);
}

broker_store_t *
broker_store_open_as (const char *dir, size_t map_size, broker_store_mode_t mode)
{
    broker_store_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->lock_fd = -1;
    self->map_size = map_size ? map_size : DEFAULT_MAP_SIZE;
    int rc = 0;
    MDB_txn *txn = NULL;
    bool check = mode == BROKER_STORE_CHECK;

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
    if (s_precheck (dir, mode) != 0)
        goto fail;
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
    if ((rc = mdb_env_open (self->env, dir, MDB_NOTLS | (check ? MDB_RDONLY : 0), 0640)))
        goto lmdb_fail;
    if (s_size_check (self, dir) != 0)
        goto fail;
    int dead = 0;
    mdb_reader_check (self->env, &dead);
    if (dead)
        log_warn ("store: cleared %d stale reader slot(s) left by a dead process", dead);
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    self->map_size = info.me_mapsize;

    if ((rc = mdb_txn_begin (self->env, NULL, check ? MDB_RDONLY : 0, &txn)))
        goto lmdb_fail;
    for (int i = 0; i < BROKER_DB_COUNT; i++) {
        rc = mdb_dbi_open (txn, s_db_names[i], check ? 0 : MDB_CREATE, &self->dbi[i]);
        self->have[i] = rc == 0;
        if (rc && !(check && rc == MDB_NOTFOUND))
            goto lmdb_fail;
    }
    if (s_schema_open (self, txn, dir, check) != 0)
        goto fail;
    if (s_identity (self, dir, mode, txn) != 0)
        goto fail;
    if ((rc = mdb_txn_commit (txn))) {
        txn = NULL;
        goto lmdb_fail;
    }
    txn = NULL;
    //  The copy beside the store is written once the store holds its id: a crash between
    //  the two leaves a store without store.id, which the next open completes.
    char file[PROTO_TOKEN_LEN + 1];
    if (!check && s_id_file_read (dir, file) == 0) {
        if (s_id_file_write (dir, self->id) != 0)
            goto fail;
        log_debug ("store: '%s' is store %s (written to store.id)", dir, self->id);
    }
    return self;

lmdb_fail:
    log_error ("store: cannot open LMDB in '%s': %s", dir, mdb_strerror (rc));
fail:
    if (txn)
        mdb_txn_abort (txn);
    broker_store_destroy (&self);
    return NULL;
}

int
broker_store_start_new (const char *dir)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/data.mdb", dir);
    struct stat st;
    if (stat (path, &st) == 0 && st.st_size > 0) {
        log_warn ("store: --new-store: '%s' holds a store (%lld bytes), which is opened as it is; "
                  "move it away first to start a new one",
                  path, (long long)st.st_size);
        return 0;
    }
    const char *gone[] = {"data.mdb", "lock.mdb", "store.id"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        snprintf (path, sizeof path, "%s/%s", dir, gone[i]);
        if (unlink (path) != 0 && errno != ENOENT) {
            log_error ("store: --new-store: cannot remove '%s': %s", path, strerror (errno));
            return -1;
        }
    }
    log_warn ("store: --new-store: a new, empty store is made in '%s'", dir);
    return 0;
}

const char *
broker_store_id (const broker_store_t *self)
{
    return self->id;
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
    free (self->json.text);
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
    MDB_val k = {klen, (void *)key};
    MDB_val v = {vlen, (void *)val};
    int rc = s_appended[db] ? mdb_put (self->txn, self->dbi[db], &k, &v, MDB_APPEND) : MDB_KEYEXIST;
    if (rc == MDB_KEYEXIST)
        rc = mdb_put (self->txn, self->dbi[db], &k, &v, 0);
    if (rc)
        self->error = rc;
    else
        self->dirty = true;
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  JSON text for the store: the same bytes as json_dumps (v, JSON_COMPACT), written into one
//  buffer reused from put to put. json_dumps goes through a callback per token, a growable
//  string, a printf per integer and a UTF-8 decoder per character; every request stores
//  several records and the journal one per event, so that was a large part of the loop.
//  Strings are checked as UTF-8 whole (as jansson checks them) and escaped as jansson
//  escapes them: \\ \" \b \f \n \r \t, other control characters as \u00XX. Reals, which
//  are rare (learned means), are left to jansson itself.

//  Room for `n` more bytes (and a terminating zero); false (and failed) if there is none.
static bool
s_text_room (s_text_t *self, size_t n)
{
    if (self->failed)
        return false;
    if (self->len + n + 1 > self->cap) {
        size_t cap = self->cap ? self->cap : 1024;
        while (self->len + n + 1 > cap)
            cap *= 2;
        char *text = realloc (self->text, cap);
        if (!text) {
            self->failed = true;
            return false;
        }
        self->text = text;
        self->cap = cap;
    }
    return true;
}

static inline void
s_text_put (s_text_t *self, const char *bytes, size_t n)
{
    if (self->len + n + 1 > self->cap && !s_text_room (self, n))
        return;
    if (self->failed)
        return;
    memcpy (self->text + self->len, bytes, n);
    self->len += n;
}

//  A string that needs an escape, or is not all ASCII (then checked as UTF-8).
static void
s_text_string_slow (s_text_t *self, const char *s, size_t len)
{
    if (!proto_utf8_valid (s, len)) {
        self->failed = true;
        return;
    }
    s_text_put (self, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        s_text_put (self, s + run, i - run);
        run = i + 1;
        char esc[8];
        size_t elen = 2;
        esc[0] = '\\';
        switch (ch) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default: elen = (size_t)snprintf (esc, sizeof esc, "\\u%04X", ch);
        }
        s_text_put (self, esc, elen);
    }
    s_text_put (self, s + run, len - run);
    s_text_put (self, "\"", 1);
}

//  True if any byte of `x` is a control character, not ASCII, '"' or a backslash: the
//  bytes a JSON string cannot hold as they are (tested eight at a time, no false negatives).
static inline bool
s_text_special8 (uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\');
    return ((x | ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) &
            high) != 0;
}

//  Most strings (keys, numbers, states) are printable ASCII: copied in one piece, quoted.
static void
s_text_string (s_text_t *self, const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy (&x, s + i, 8);
        if (s_text_special8 (x)) {
            s_text_string_slow (self, s, len);
            return;
        }
    }
    for (; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch >= 0x80 || ch == '"' || ch == '\\') {
            s_text_string_slow (self, s, len);
            return;
        }
    }
    if (self->len + len + 3 > self->cap && !s_text_room (self, len + 2))
        return;
    if (self->failed)
        return;
    char *out = self->text + self->len;
    out[0] = '"';
    memcpy (out + 1, s, len);
    out[len + 1] = '"';
    self->len += len + 2;
}

static void
s_text_value (s_text_t *self, const json_t *v, int depth)
{
    if (depth > 4096) { //  deeper than anything jansson parses (2048): a cycle
        self->failed = true;
        return;
    }
    switch (json_typeof (v)) {
    case JSON_OBJECT: {
        s_text_put (self, "{", 1);
        bool first = true;
        for (void *it = json_object_iter ((json_t *)v); it;
             it = json_object_iter_next ((json_t *)v, it)) {
            if (!first)
                s_text_put (self, ",", 1);
            first = false;
            s_text_string (self, json_object_iter_key (it), json_object_iter_key_len (it));
            s_text_put (self, ":", 1);
            s_text_value (self, json_object_iter_value (it), depth + 1);
        }
        s_text_put (self, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        s_text_put (self, "[", 1);
        size_t n = json_array_size (v);
        for (size_t i = 0; i < n; i++) {
            if (i)
                s_text_put (self, ",", 1);
            s_text_value (self, json_array_get (v, i), depth + 1);
        }
        s_text_put (self, "]", 1);
        break;
    }
    case JSON_STRING: s_text_string (self, json_string_value (v), json_string_length (v)); break;
    case JSON_INTEGER: {
        json_int_t x = json_integer_value (v);
        uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
        char digits[24];
        size_t n = sizeof digits;
        do
            digits[--n] = (char)('0' + u % 10);
        while ((u /= 10));
        if (x < 0)
            digits[--n] = '-';
        s_text_put (self, digits + n, sizeof digits - n);
        break;
    }
    case JSON_REAL: {
        char *text = json_dumps (v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text)
            s_text_put (self, text, strlen (text));
        else
            self->failed = true;
        free (text);
        break;
    }
    case JSON_TRUE: s_text_put (self, "true", 4); break;
    case JSON_FALSE: s_text_put (self, "false", 5); break;
    case JSON_NULL: s_text_put (self, "null", 4); break;
    }
}

int
broker_store_put_json (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                       const json_t *val)
{
    s_text_t *t = &self->json;
    t->len = 0;
    t->failed = false;
    if (!val || (!json_is_object (val) && !json_is_array (val)))
        t->failed = true; //  json_dumps without JSON_ENCODE_ANY refuses these
    else
        s_text_value (t, val, 0);
    if (t->failed)
        return self->error ? self->error : (self->error = ENOMEM);
    return broker_store_put (self, db, key, klen, t->text, t->len);
}

char *
broker_json_dump (const json_t *val)
{
    s_text_t t = {NULL, 0, 0, false};
    if (!val || (!json_is_object (val) && !json_is_array (val)))
        return NULL;
    s_text_value (&t, val, 0);
    if (t.failed || !t.text) {
        free (t.text);
        return NULL;
    }
    t.text[t.len] = 0;
    return t.text;
}

int
broker_store_del (broker_store_t *self, broker_db_t db, const void *key, size_t klen)
{
    if (self->error)
        return self->error;
    if (!self->txn || !self->write)
        return self->error = EINVAL;
    MDB_val k = {klen, (void *)key};
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
broker_store_get (broker_store_t *self, broker_db_t db, const void *key, size_t klen, MDB_val *val)
{
    if (!self->txn)
        return EINVAL;
    if (!self->have[db])
        return MDB_NOTFOUND;
    MDB_val k = {klen, (void *)key};
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
    if (!self->have[db])
        return MDB_NOTFOUND;
    MDB_cursor *cur;
    int rc = mdb_cursor_open (self->txn, self->dbi[db], &cur);
    if (rc)
        return rc;
    rc = mdb_cursor_get (cur, key, val, MDB_LAST);
    mdb_cursor_close (cur);
    return rc;
}

//  The walk starts at the first key >= `from` and stops at the first key that does not
//  begin with the first `plen` bytes of `from`.
static void
s_scan (broker_store_t *self, broker_db_t db, const void *from, size_t flen, size_t plen,
        broker_store_iter_t *it)
{
    *it = (broker_store_iter_t){.key = {flen, (void *)from},
                                .prefix = from,
                                .plen = plen,
                                .op = flen ? MDB_SET_RANGE : MDB_FIRST};
    it->rc = !self->txn       ? EINVAL
             : self->have[db] ? mdb_cursor_open (self->txn, self->dbi[db], &it->cursor)
                              : 0;
    if (it->rc)
        it->cursor = NULL;
}

void
broker_store_scan (broker_store_t *self, broker_db_t db, const void *prefix, size_t plen,
                   broker_store_iter_t *it)
{
    s_scan (self, db, prefix, plen, plen, it);
}

void
broker_store_scan_from (broker_store_t *self, broker_db_t db, const void *from, size_t flen,
                        broker_store_iter_t *it)
{
    s_scan (self, db, from, flen, 0, it);
}

bool
broker_store_next (broker_store_iter_t *it)
{
    if (!it->cursor)
        return false;
    int rc = mdb_cursor_get (it->cursor, &it->key, &it->val, it->op);
    it->op = MDB_NEXT;
    if (rc == 0 && it->plen &&
        (it->key.mv_size < it->plen || memcmp (it->key.mv_data, it->prefix, it->plen) != 0))
        rc = MDB_NOTFOUND; //  past the prefix: the end of this walk
    if (rc == 0)
        return true;
    it->rc = rc == MDB_NOTFOUND ? 0 : rc;
    mdb_cursor_close (it->cursor);
    it->cursor = NULL;
    return false;
}

int
broker_store_scan_end (broker_store_iter_t *it)
{
    if (it->cursor)
        mdb_cursor_close (it->cursor);
    it->cursor = NULL;
    return it->rc;
}

size_t
broker_store_count (broker_store_t *self, broker_db_t db)
{
    MDB_stat st;
    if (!self->txn || !self->have[db] || mdb_stat (self->txn, self->dbi[db], &st) != 0)
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
    size_t used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
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
