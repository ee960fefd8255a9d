/*  broker_idem.h — idempotency records: a retried write request gets the reply it got the
    first time and changes nothing twice (clients retry with the same request id, the
    ZeroMQ Guide's Lazy Pirate pattern).

    A write request's reply, failures included, is recorded in its batch's transaction, so
    with the change it made, under the sender's principal and the request id (`idem`):

        time (u64 BE) | fingerprint (BROKER_IDEM_HASH bytes) | command NUL status NUL body

    and indexed by time (`idem_time`), from which records older than the config's
    idem_hours are forgotten, a bounded number per batch so that pruning never stalls the
    loop. The fingerprint is a BLAKE2b hash of the request's body: the same id with another
    command or body is another request, and gets request_id_reused, never the recorded
    reply. */
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

//  The record key of a request from `principal` with `request_id`, and the fingerprint of
//  its body.
void broker_idem_init (broker_idem_t *self, const char *principal, const char *request_id,
                       const void *body, size_t blen);
//  Looks the request up in the open transaction; *reply is set for REPLAY and REUSED.
broker_idem_found_t broker_idem_find (broker_store_t *store, const broker_idem_t *self,
                                      const char *command, broker_idem_reply_t *reply);
//  Records the request's reply at time `now` in the open write transaction.
void broker_idem_record (broker_store_t *store, const broker_idem_t *self, int64_t now,
                         const char *command, const char *status, const char *body);
//  Forgets the records older than `cutoff` (Unix ms), at most BROKER_IDEM_PRUNE_MAX of them.
void broker_idem_prune (broker_store_t *store, int64_t cutoff);

#endif
