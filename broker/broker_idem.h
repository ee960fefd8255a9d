/*  broker_idem.h — idempotency records: a retried write request gets the reply it got the
    first time and changes nothing twice (clients retry with the same request id, the
    ZeroMQ Guide's Lazy Pirate pattern).

    A write request's reply, failures included, is recorded in its batch's transaction, so
    with the change it made, under the time it ran and the sender's principal and request id
    (`idem_time`, schema 2):

        key:   time (u64 BE) | principal NUL request id
        value: fingerprint (BROKER_IDEM_HASH bytes) | command NUL status NUL body

    Records older than the config's idem_hours are forgotten from the front of that
    database, a bounded number per batch so that pruning never stalls the loop. The
    fingerprint is a BLAKE2b hash of the request's body: the same id with another command
    or body is another request, and gets request_id_reused, never the recorded reply.

    Why time first: request ids are the clients' (random, or one run per client), so a
    database keyed by them takes each new record into a page of its own — one more 4 KiB
    page written and flushed per request. Keyed by time, a batch's records are appended to
    the last page (docs/PERFORMANCE.md). A request is then found through an index in
    memory, the hash of principal and request id -> the time of its record, rebuilt from the
    database whenever the hall is loaded (at start, and after a batch that did not commit):
    16 bytes a slot, at most three quarters full, so 21-32 bytes a write request of the last
    idem_hours (a busy hall's day of 20,000 is well under a MB). Its hash is SipHash with a
    key drawn at start, so request ids chosen to collide cannot slow it down; keys of the
    same hash are told apart by the records themselves. An index entry whose record is not
    there (its batch did not commit) is a request not seen. Schema 1 kept the records in
    `idem`, keyed by principal and request id; the move to schema 2 moves them (broker_store.c). */
#ifndef BROKER_IDEM_H
#define BROKER_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include "broker_store.h"
#include "proto_msg.h"

#define BROKER_IDEM_HASH 16
//  Records forgotten per call of broker_idem_prune at most.
#define BROKER_IDEM_PRUNE_MAX 1000

//  A write request as its record knows it.
typedef struct {
    char key[PROTO_MAX_REQUEST_ID + 130]; //  principal NUL request id
    size_t klen;                          //  0 if too long to record: the request runs unrecorded
    unsigned char hash[BROKER_IDEM_HASH]; //  the request's fingerprint
} broker_idem_t;

//  A recorded reply, pointing into the map (valid until the transaction ends).
typedef struct {
    const char *command; //  the command the request id was first used for
    const char *status;  //  "ok" or an error code
    const char *body;    //  the reply's JSON text (not NUL-terminated)
    size_t body_len;
} broker_idem_reply_t;

typedef enum {
    BROKER_IDEM_NEW,       //  not seen before: run it
    BROKER_IDEM_REPLAY,    //  a retry: send the recorded reply
    BROKER_IDEM_REUSED,    //  the id was used for another request (reply->command)
    BROKER_IDEM_UNREADABLE //  a record is there but cannot be read
} broker_idem_found_t;

//  The index in memory: principal and request id -> the time of its record.
typedef struct broker_idem_index broker_idem_index_t;

//  An empty index; NULL without memory.
broker_idem_index_t *broker_idem_index_new (void);
void broker_idem_index_destroy (broker_idem_index_t **self_p);
//  Rebuilds the index from the records in the open transaction. 0, or -1 without memory.
int broker_idem_index_load (broker_idem_index_t *self, broker_store_t *store);
//  Requests the index knows.
size_t broker_idem_index_count (const broker_idem_index_t *self);

//  The record key of a request from `principal` with `request_id`, and the fingerprint of
//  its body.
void broker_idem_init (broker_idem_t *self, const char *principal, const char *request_id,
                       const void *body, size_t blen);
//  Looks the request up in the open transaction; *reply is set for REPLAY and REUSED.
broker_idem_found_t broker_idem_find (broker_store_t *store, const broker_idem_index_t *index,
                                      const broker_idem_t *self, const char *command,
                                      broker_idem_reply_t *reply);
//  Records the request's reply at time `now` in the open write transaction and the index.
void broker_idem_record (broker_store_t *store, broker_idem_index_t *index,
                         const broker_idem_t *self, int64_t now, const char *command,
                         const char *status, const char *body);
//  Forgets the records older than `cutoff` (Unix ms), at most BROKER_IDEM_PRUNE_MAX of them.
void broker_idem_prune (broker_store_t *store, broker_idem_index_t *index, int64_t cutoff);

#endif
