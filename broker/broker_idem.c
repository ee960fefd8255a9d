/*  broker_idem.c — see broker_idem.h. */
#include "broker_idem.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

//  Bytes before the command in a record: the fingerprint (the time is its key's).
#define HEAD BROKER_IDEM_HASH
//  The index's first capacity (a power of two); it doubles past three quarters full.
#define INDEX_MIN 1024

//  A request the index knows: the hash of its key and the time of its record. Keys are not
//  kept (16 bytes a request, not 100): two keys of the same hash are told apart by the
//  store, which is asked for each record of that hash in turn. time 0: a free slot.
typedef struct {
    uint64_t hash;
    int64_t time;
} s_slot_t;

//  Open addressing with linear probing; a removal shifts the run after it back, so no
//  slot is ever a tombstone.
struct broker_idem_index {
    s_slot_t *slots;
    size_t cap, count;
    unsigned char sip[crypto_shorthash_KEYBYTES];
};

static uint64_t
s_hash (const broker_idem_index_t *self, const void *key, size_t klen)
{
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash (out, key, klen, self->sip);
    uint64_t h;
    memcpy (&h, out, sizeof h);
    return h;
}

static int
s_grow (broker_idem_index_t *self)
{
    size_t cap = self->cap ? self->cap * 2 : INDEX_MIN, mask = cap - 1;
    s_slot_t *old = self->slots, *slots = calloc (cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < self->cap; i++)
        if (old[i].time) {
            size_t j = (size_t)old[i].hash & mask;
            while (slots[j].time)
                j = (j + 1) & mask;
            slots[j] = old[i];
        }
    free (old);
    self->slots = slots;
    self->cap = cap;
    return 0;
}

//  Adds hash -> time unless it is there. 0, or -1 without memory (the request is then not
//  found again).
static int
s_add (broker_idem_index_t *self, uint64_t hash, int64_t time)
{
    if ((self->count + 1) * 4 > self->cap * 3 && s_grow (self) != 0)
        return -1;
    size_t mask = self->cap - 1, i = (size_t)hash & mask;
    for (; self->slots[i].time; i = (i + 1) & mask)
        if (self->slots[i].hash == hash && self->slots[i].time == time)
            return 0;
    self->slots[i] = (s_slot_t){hash, time ? time : 1};
    self->count++;
    return 0;
}

//  Removes hash -> time if it is there.
static void
s_remove (broker_idem_index_t *self, uint64_t hash, int64_t time)
{
    if (!self->count)
        return;
    size_t mask = self->cap - 1, i = (size_t)hash & mask;
    while (self->slots[i].time && !(self->slots[i].hash == hash && self->slots[i].time == time))
        i = (i + 1) & mask;
    if (!self->slots[i].time)
        return;
    self->count--;
    //  Backward shift: an entry after the hole moves into it unless its home slot lies
    //  cyclically in (hole, its place].
    for (size_t j = (i + 1) & mask; self->slots[j].time; j = (j + 1) & mask) {
        size_t home = (size_t)self->slots[j].hash & mask;
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            self->slots[i] = self->slots[j];
            i = j;
        }
    }
    self->slots[i] = (s_slot_t){0, 0};
}

static void
s_clear (broker_idem_index_t *self)
{
    free (self->slots);
    self->slots = NULL;
    self->cap = self->count = 0;
}

broker_idem_index_t *
broker_idem_index_new (void)
{
    if (sodium_init () < 0)
        return NULL;
    broker_idem_index_t *self = calloc (1, sizeof *self);
    if (self)
        crypto_shorthash_keygen (self->sip);
    return self;
}

void
broker_idem_index_destroy (broker_idem_index_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_clear (*self_p);
    free (*self_p);
    *self_p = NULL;
}

int
broker_idem_index_load (broker_idem_index_t *self, broker_store_t *store)
{
    s_clear (self);
    int rc = 0;
    broker_store_iter_t it;
    broker_store_scan (store, BROKER_DB_IDEM_TIME, NULL, 0, &it);
    while (rc == 0 && broker_store_next (&it))
        if (it.key.mv_size > 8)
            rc = s_add (self, s_hash (self, (const char *)it.key.mv_data + 8, it.key.mv_size - 8),
                        (int64_t)broker_key_u64_read (it.key.mv_data));
    broker_store_scan_end (&it);
    return rc;
}

size_t
broker_idem_index_count (const broker_idem_index_t *self)
{
    return self->count;
}

void
broker_idem_init (broker_idem_t *self, const char *principal, const char *request_id,
                  const void *body, size_t blen)
{
    size_t plen = strlen (principal), rlen = strlen (request_id);
    self->klen = 0;
    if (plen + 1 + rlen <= sizeof self->key) {
        memcpy (self->key, principal, plen);
        self->key[plen] = 0;
        memcpy (self->key + plen + 1, request_id, rlen);
        self->klen = plen + 1 + rlen;
    }
    crypto_generichash (self->hash, sizeof self->hash, body, blen, NULL, 0);
}

//  The record of the request in the open transaction: 0 with *v set, or MDB_NOTFOUND.
static int
s_lookup (broker_store_t *store, const broker_idem_index_t *index, const broker_idem_t *self,
          MDB_val *v)
{
    if (!self->klen || !index->count)
        return MDB_NOTFOUND;
    uint64_t h = s_hash (index, self->key, self->klen);
    size_t mask = index->cap - 1;
    unsigned char tkey[8 + sizeof self->key];
    memcpy (tkey + 8, self->key, self->klen);
    for (size_t i = (size_t)h & mask; index->slots[i].time; i = (i + 1) & mask) {
        if (index->slots[i].hash != h)
            continue;
        broker_key_u64 ((uint64_t)index->slots[i].time, tkey);
        if (broker_store_get (store, BROKER_DB_IDEM_TIME, tkey, 8 + self->klen, v) == 0)
            return 0;
    }
    return MDB_NOTFOUND;
}

broker_idem_found_t
broker_idem_find (broker_store_t *store, const broker_idem_index_t *index,
                  const broker_idem_t *self, const char *command, broker_idem_reply_t *reply)
{
    MDB_val v;
    if (s_lookup (store, index, self, &v) != 0)
        return BROKER_IDEM_NEW;
    const char *rec = v.mv_size > HEAD ? (const char *)v.mv_data + HEAD : "";
    size_t rlen = v.mv_size > HEAD ? v.mv_size - HEAD : 0;
    const char *status = memchr (rec, 0, rlen);
    const char *body = status ? memchr (status + 1, 0, rlen - (size_t)(status + 1 - rec)) : NULL;
    if (!status || !body)
        return BROKER_IDEM_UNREADABLE;
    *reply = (broker_idem_reply_t){rec, status + 1, body + 1, rlen - (size_t)(body + 1 - rec)};
    if (strcmp (rec, command) != 0 || memcmp (v.mv_data, self->hash, sizeof self->hash) != 0)
        return BROKER_IDEM_REUSED;
    return BROKER_IDEM_REPLAY;
}

void
broker_idem_record (broker_store_t *store, broker_idem_index_t *index, const broker_idem_t *self,
                    int64_t now, const char *command, const char *status, const char *body)
{
    if (!self->klen)
        return;
    size_t nlen = strlen (command), slen = strlen (status), blen = strlen (body);
    size_t vlen = HEAD + nlen + 1 + slen + 1 + blen;
    unsigned char *val = malloc (vlen);
    if (!val)
        return;
    memcpy (val, self->hash, sizeof self->hash);
    memcpy (val + HEAD, command, nlen + 1);
    memcpy (val + HEAD + nlen + 1, status, slen + 1);
    memcpy (val + HEAD + nlen + 1 + slen + 1, body, blen);
    unsigned char tkey[8 + sizeof self->key];
    broker_key_u64 ((uint64_t)now, tkey);
    memcpy (tkey + 8, self->key, self->klen);
    broker_store_put (store, BROKER_DB_IDEM_TIME, tkey, 8 + self->klen, val, vlen);
    free (val);
    s_add (index, s_hash (index, self->key, self->klen), now);
}

void
broker_idem_prune (broker_store_t *store, broker_idem_index_t *index, int64_t cutoff)
{
    //  The keys to forget, collected first (no writes to a database during its walk).
    static struct {
        unsigned char key[8 + sizeof ((broker_idem_t *)0)->key];
        size_t len;
    } old[BROKER_IDEM_PRUNE_MAX]; //  large; one loop thread
    int n = 0;
    broker_store_iter_t it;
    broker_store_scan (store, BROKER_DB_IDEM_TIME, NULL, 0, &it);
    while (n < BROKER_IDEM_PRUNE_MAX && broker_store_next (&it)) {
        if (it.key.mv_size < 8 || broker_key_u64_read (it.key.mv_data) >= (uint64_t)cutoff ||
            it.key.mv_size > sizeof old[0].key)
            break;
        memcpy (old[n].key, it.key.mv_data, it.key.mv_size);
        old[n++].len = it.key.mv_size;
    }
    broker_store_scan_end (&it);
    for (int i = 0; i < n; i++) {
        broker_store_del (store, BROKER_DB_IDEM_TIME, old[i].key, old[i].len);
        s_remove (index, s_hash (index, old[i].key + 8, old[i].len - 8),
                  (int64_t)broker_key_u64_read (old[i].key));
    }
}
