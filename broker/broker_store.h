/*  broker_store.h — the broker's LMDB store.

    One environment in the data directory (data.mdb, lock.mdb) with the named databases
    below. The broker runs one write transaction per poll batch (group commit): every
    change of the batch, its events and its idempotency records go in, then one commit
    with a real sync (LMDB's default, no MDB_NOSYNC), and only then are replies sent.

    Errors are sticky, like hiredis's context errors: the first failing put or delete in a
    transaction is remembered, later writes in it are skipped, and broker_store_commit
    aborts and returns that error. Handlers can therefore write without checking each
    call; the server checks once, at commit, and on failure rebuilds its memory from the
    store and replays the batch (see broker_server.c).

    Values read from the store point into the map and live only until the transaction
    ends: copy them out first.

    A store proves at open that it is whole and that it is the one its directory held,
    before anything of it is read (each refusal is logged with what to do):
      - a missing or empty data.mdb beside an earlier store's store.id or lock.mdb is
        refused: the store was deleted or emptied, and LMDB would silently make a new,
        empty one (numbering from 1, no enrolled device). broker_store_start_new
        (--new-store) is the deliberate way to start afresh there;
      - a data.mdb shorter than the pages its last transaction uses (me_last_pgno) is
        refused: it was truncated, and the first read past its end would die of SIGBUS;
      - the store's identity, a random id written into meta ("store_id") when the store is
        made and copied into DIR/store.id, must match: a data.mdb of another store is
        refused. A store.id that is missing is written (a backup restored into a new
        directory), as is an id for a store made before ids.
    Whether the data inside agree with one another is broker_check.h's pass. */
#ifndef BROKER_STORE_H
#define BROKER_STORE_H

#include <jansson.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  X (ID, "name", "what it holds")
#define BROKER_DBS(X)                                                                           \
    X (META, "meta", "schema version, next ticket id, current business day, simulated clock")   \
    X (TICKETS, "tickets", "ticket id (u64 big-endian) -> ticket JSON")                         \
    X (TOKENS, "tokens", "token -> ticket id (u64 big-endian)")                                 \
    X (LIVE, "live", "ids of tickets not yet in a final state (loaded at start)")               \
    X (NUMBERS, "numbers",                                                                      \
       "\"YYYYMMDD/PREFIX\" -> last number issued that business day; also case numbers, "       \
       "appointment slot counts")                                                               \
    X (EVENTS, "events", "sequence (u64 big-endian) -> event JSON; the audit journal")          \
    X (IDEM_TIME, "idem_time",                                                                  \
       "time (u64 BE) + principal NUL request-id -> request hash, recorded reply "              \
       "(broker_idem.h)")                                                                       \
    X (COUNTERS, "counters", "counter id -> counter state JSON")                                \
    X (STATS, "stats", "service prefix -> learned service-time statistics JSON")                \
    X (CASES, "cases", "case number -> case JSON")                                              \
    X (OPEN_CASES, "open_cases", "numbers of cases not yet in a final state")                   \
    X (TOKEN_CASES, "token_cases", "token|case number: the cases a QR code leads to")           \
    X (APPLICANT_CASES, "applicant_cases", "p|TYPE|ID or c|USCC, then |item|case number")       \
    X (CASE_LOG, "case_log", "case number NUL sequence (u64 BE): the case's events")            \
    X (PROXY_CODES, "proxy_codes", "proxy pickup code (代领) -> case number")                   \
    X (PICKUP_CODES, "pickup_codes",                                                            \
       "cabinet id NUL 8-digit pickup code (取件码) -> case number, while the result is there") \
    X (CABINETS, "cabinets", "cabinet id -> its slots as the cabinet last reported them")       \
    X (CABINET_CMDS, "cabinet_cmds", "cabinet id NUL command id (u64 BE) -> pending command")   \
    X (NOTICES, "notices", "sequence (u64 BE) -> notice to the applicant and its delivery")     \
    X (NOTICE_DUE, "notice_due", "sequences (u64 BE) of the notices still to deliver")          \
    X (NOTICE_CASE, "notice_case", "case number NUL sequence (u64 BE): the case's notices")     \
    X (RECTIFY, "rectify", "id (u64 BE) -> rectification item of a bad rating")                 \
    X (RATINGS, "ratings", "case number -> the case's rating (一事一评), once per case")        \
    X (DEVICES, "devices", "CURVE public key (Z85) -> enrolled device: name, role, revoked")    \
    X (APPTS, "appts", "appointment code -> booking JSON (预约)")                               \
    X (APPT_PERSON, "appt_person", "\"YYYYMMDD|person\" -> code: one booking per person a day") \
    X (APPT_DUE, "appt_due", "no-show time (u64 BE) + code: bookings still to check in")

typedef enum {
#define X(id, name, desc) BROKER_DB_##id,
    BROKER_DBS (X)
#undef X
        BROKER_DB_COUNT
} broker_db_t;

typedef struct broker_store broker_store_t;

//  The store's schema version, kept in the meta database as "schema" (decimal text). A
//  store without the record was written before it existed (every release before issue 19)
//  and is version 0. Opening to serve brings an older store up to this version in one
//  transaction (all its steps and the new record, or nothing), and refuses a newer one: a
//  broker cannot read what a later release wrote. Raise it with every change to what the
//  databases hold, and add the step from the old version in broker_store.c (s_migrations).
#define BROKER_STORE_SCHEMA 2

//  What an open is for.
typedef enum {
    BROKER_STORE_SERVE, //  open, or create where no store lived; migrate; record its identity
    BROKER_STORE_CHECK, //  open what is there read-only, to check it: nothing is written
} broker_store_mode_t;

//  Opens (creating if needed) the store in directory `dir`, which must exist, to serve
//  from it: broker_store_open_as (dir, map_size, BROKER_STORE_SERVE).
broker_store_t *broker_store_open (const char *dir, size_t map_size);
//  Opens the store in `dir` after the checks above. Takes an exclusive lock on
//  DIR/broker.lock so two brokers (or a broker and a check) never share a store, clears
//  stale reader slots (mdb_reader_check), refuses a newer schema and (to serve) migrates an
//  older one. `map_size` is the initial map size in bytes (0
//  for the default, 64 MiB); it grows on demand. To check, a database the store does not
//  have yet (made before it existed) reads as empty. NULL on failure, the reason logged.
broker_store_t *broker_store_open_as (const char *dir, size_t map_size, broker_store_mode_t mode);
//  --new-store: removes what an earlier store left in `dir` (store.id, lock.mdb, an empty
//  data.mdb), so the next open makes a new, empty store there. A data.mdb that holds
//  anything is never touched: the open that follows reads it, or refuses it. 0 / -1.
int broker_store_start_new (const char *dir);
//  The store's identity (meta "store_id", PROTO_TOKEN_LEN characters); "" for a store made
//  before ids, opened to check it.
const char *broker_store_id (const broker_store_t *self);
//  Aborts any open transaction, closes the environment; sets *self_p to NULL.
void broker_store_destroy (broker_store_t **self_p);

//  Starts the one transaction (write or read-only). 0, or an LMDB error code.
int broker_store_begin (broker_store_t *self, bool write);
//  Commits and syncs the transaction; if a write in it failed, aborts instead and returns
//  that error. Without any write, the transaction is simply ended. 0 or an LMDB code.
int broker_store_commit (broker_store_t *self);
//  Ends the transaction without writing anything.
void broker_store_abort (broker_store_t *self);
//  True while a transaction is open.
bool broker_store_in_txn (const broker_store_t *self);
//  The sticky error of the open transaction (0 if none).
int broker_store_error (const broker_store_t *self);
//  True if the open write transaction has written anything.
bool broker_store_dirty (const broker_store_t *self);

//  Writes key -> value. 0 or the (sticky) error.
int broker_store_put (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                      const void *val, size_t vlen);
//  Writes a JSON value, compactly serialised.
int broker_store_put_json (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                           const json_t *val);
//  Deletes a key; a missing key is not an error.
int broker_store_del (broker_store_t *self, broker_db_t db, const void *key, size_t klen);
//  Reads a key. 0 with *val pointing into the map, MDB_NOTFOUND, or an LMDB error.
int broker_store_get (broker_store_t *self, broker_db_t db, const void *key, size_t klen,
                      MDB_val *val);
//  Reads and parses a JSON value; NULL if absent or unparsable. Caller owns the result.
json_t *broker_store_get_json (broker_store_t *self, broker_db_t db, const void *key, size_t klen);
//  The same text as json_dumps (val, JSON_COMPACT), faster (no per-token callbacks): for an
//  object or array; caller frees. NULL if it cannot be written (invalid UTF-8, no memory).
char *broker_json_dump (const json_t *val);
//  Reads the last (highest-keyed) entry. 0, MDB_NOTFOUND or an LMDB error.
int broker_store_last (broker_store_t *self, broker_db_t db, MDB_val *key, MDB_val *val);

//  A walk in key order over the entries of one database whose keys begin with a prefix,
//  without a callback and its argument struct at every use:
//
//      broker_store_iter_t it;
//      broker_store_scan (store, BROKER_DB_TOKEN_CASES, prefix, plen, &it);
//      while (broker_store_next (&it))
//          ...it.key, it.val...
//      broker_store_scan_end (&it);
//
//  it.key and it.val point into the map like any value read (copy them to keep them). Do
//  not write to the walked database during the walk: collect the keys, then write. Errors
//  are kept as the store keeps write errors: the walk ends, and scan_end reports it.
typedef struct {
    MDB_cursor *cursor; //  open while the walk goes on
    MDB_val key, val;   //  the current entry (borrowed from the map)
    const void *prefix; //  every key walked begins with these bytes
    size_t plen;
    MDB_cursor_op op; //  the next move of the cursor
    int rc;           //  0, or the LMDB error that ended the walk
} broker_store_iter_t;

//  Starts a walk over the keys of db that begin with `prefix` (plen 0: every key).
void broker_store_scan (broker_store_t *self, broker_db_t db, const void *prefix, size_t plen,
                        broker_store_iter_t *it);
//  Starts a walk from the first key >= `from` to the end of db.
void broker_store_scan_from (broker_store_t *self, broker_db_t db, const void *from, size_t flen,
                             broker_store_iter_t *it);
//  Moves to the next entry (the first, after a scan): true while there is one.
bool broker_store_next (broker_store_iter_t *it);
//  Ends the walk, when it ran out or to leave it early. 0, or the LMDB error that cut it short.
int broker_store_scan_end (broker_store_iter_t *it);
//  Number of entries in db.
size_t broker_store_count (broker_store_t *self, broker_db_t db);

//  Doubles the map size. Only between transactions. 0 or an LMDB error.
int broker_store_grow (broker_store_t *self);
//  Grows the map ahead of need when more than 3/4 of it is used. Between transactions.
int broker_store_maybe_grow (broker_store_t *self);
//  Current map size in bytes.
size_t broker_store_map_size (const broker_store_t *self);
//  Hot copy of the store to directory `dir` (compacting). 0 or an LMDB error. Safe to call
//  from another thread while the broker works: it uses only a read transaction.
int broker_store_backup (broker_store_t *self, const char *dir);

//  Big-endian 8-byte key for integer ids and sequences, so keys sort numerically.
void broker_key_u64 (uint64_t value, unsigned char out[8]);
//  Reads an 8-byte big-endian key.
uint64_t broker_key_u64_read (const void *key);

#endif
