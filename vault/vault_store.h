/*  vault_store.h — the cabinet's local LMDB store, so it keeps working when the broker
    is unreachable and never forgets what a door did.

    Databases: `slots` (slot id -> state JSON, including the operation in progress),
    `pickups` (case number -> pickup record: hashed codes, second-factor hash, slot),
    `outbox` (sequence -> a report for the broker with its own request id, sent in order,
    exactly once), `journal` (sequence -> every door command and what the sensors saw: the
    local audit), `meta`. Every write is one synced transaction: the vault writes what it
    is about to do before it does it (a pickup is journaled before its unlock frame). */
#ifndef VAULT_STORE_H
#define VAULT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    VAULT_DB_SLOTS,
    VAULT_DB_PICKUPS,
    VAULT_DB_OUTBOX,
    VAULT_DB_JOURNAL,
    VAULT_DB_META,
    VAULT_DB_COUNT
} vault_db_t;

typedef struct vault_store vault_store_t;

//  Opens (creating) the store in `dir` (created if missing), with an exclusive lock so
//  two controllers never drive one cabinet. NULL with the reason logged.
vault_store_t *vault_store_open (const char *dir);
void vault_store_destroy (vault_store_t **self_p);
//  Writes `value` (any JSON: an object, or a bare string such as a staff command's result)
//  under `key` in one synced transaction. 0 / -1 (logged).
int vault_store_put (vault_store_t *self, vault_db_t db, const char *key, const json_t *value);
//  Deletes `key` (synced). 0 / -1.
int vault_store_del (vault_store_t *self, vault_db_t db, const char *key);
//  Reads `key`; NULL if absent. Caller owns it.
json_t *vault_store_get (vault_store_t *self, vault_db_t db, const char *key);
//  Every entry of `db` in key order as {"key": value}, or the first `limit` (0: all).
json_t *vault_store_all (vault_store_t *self, vault_db_t db, int limit);
//  Appends `value` to a sequence-keyed database (outbox, journal) under the next number,
//  a zero-padded decimal key. Returns the number, or 0 on failure.
uint64_t vault_store_append (vault_store_t *self, vault_db_t db, const json_t *value);

#endif
