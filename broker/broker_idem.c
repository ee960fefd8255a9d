/*  broker_idem.c — see broker_idem.h. */
#include "broker_idem.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

//  Bytes before the command in a record: the time and the fingerprint.
#define HEAD (8 + BROKER_IDEM_HASH)

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

broker_idem_found_t
broker_idem_find (broker_store_t *store, const broker_idem_t *self, const char *command,
                  broker_idem_reply_t *reply)
{
    MDB_val v;
    if (!self->klen || broker_store_get (store, BROKER_DB_IDEM, self->key, self->klen, &v) != 0)
        return BROKER_IDEM_NEW;
    const char *rec = v.mv_size > HEAD ? (const char *)v.mv_data + HEAD : "";
    size_t rlen = v.mv_size > HEAD ? v.mv_size - HEAD : 0;
    const char *status = memchr (rec, 0, rlen);
    const char *body = status ? memchr (status + 1, 0, rlen - (size_t)(status + 1 - rec)) : NULL;
    if (!status || !body)
        return BROKER_IDEM_UNREADABLE;
    *reply = (broker_idem_reply_t){rec, status + 1, body + 1, rlen - (size_t)(body + 1 - rec)};
    if (strcmp (rec, command) != 0 ||
        memcmp ((const char *)v.mv_data + 8, self->hash, sizeof self->hash) != 0)
        return BROKER_IDEM_REUSED;
    return BROKER_IDEM_REPLAY;
}

void
broker_idem_record (broker_store_t *store, const broker_idem_t *self, int64_t now,
                    const char *command, const char *status, const char *body)
{
    if (!self->klen)
        return;
    size_t nlen = strlen (command), slen = strlen (status), blen = strlen (body);
    size_t vlen = HEAD + nlen + 1 + slen + 1 + blen;
    unsigned char *val = malloc (vlen);
    if (!val)
        return;
    broker_key_u64 ((uint64_t)now, val);
    memcpy (val + 8, self->hash, sizeof self->hash);
    memcpy (val + HEAD, command, nlen + 1);
    memcpy (val + HEAD + nlen + 1, status, slen + 1);
    memcpy (val + HEAD + nlen + 1 + slen + 1, body, blen);
    broker_store_put (store, BROKER_DB_IDEM, self->key, self->klen, val, vlen);
    free (val);
    unsigned char tkey[8 + sizeof self->key];
    broker_key_u64 ((uint64_t)now, tkey);
    memcpy (tkey + 8, self->key, self->klen);
    broker_store_put (store, BROKER_DB_IDEM_TIME, tkey, 8 + self->klen, "", 0);
}

void
broker_idem_prune (broker_store_t *store, int64_t cutoff)
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
        broker_store_del (store, BROKER_DB_IDEM, old[i].key + 8, old[i].len - 8);
        broker_store_del (store, BROKER_DB_IDEM_TIME, old[i].key, old[i].len);
    }
}
