/*  broker_sms.h — the SMS gateway adapter: a thread that POSTs the applicant's notices to
    the hall's gateway (notify.sms_url), so the broker's loop never waits on HTTP.

    The loop hands a committed notice over with broker_sms_send and picks the results up
    from broker_sms_socket (an inproc ZeroMQ PAIR: the thread never touches the store);
    it records them in its next batch (broker_notify_record).

    One request per notice attempt, with libcurl:

        POST <sms_url>
        Content-Type: application/json; charset=utf-8
        Idempotency-Key: <id>

        {"id", "phone", "template", "text", "case_no", "link"}

    A 2xx answer delivers the notice. A 4xx other than 408 and 429 rejects it for good (the
    gateway says the request itself is wrong: sending it again cannot help). Anything else
    (no connection, a timeout after notify.timeout_s, 408, 429, 3xx, 5xx) is tried again
    after 1, 2, 4, 8 ... seconds, doubling up to notify.retry_max_s, for as long as the
    broker runs; a notice still pending at start is handed over again (broker_notify.h),
    with the same id, so a gateway that dedups by Idempotency-Key sends one message
    whatever happened in between. Notices go one at a time, oldest due first. */
#ifndef BROKER_SMS_H
#define BROKER_SMS_H

#include <jansson.h>

#include "broker_config.h"

typedef struct broker_sms broker_sms_t;

//  Starts the sender for the gateway of `cfg` (copied) on ZeroMQ context `zctx`. NULL on
//  failure, with the reason logged. Caller destroys it.
broker_sms_t *broker_sms_new (void *zctx, const broker_notify_cfg_t *cfg);
//  Stops the thread (a POST under way is abandoned at once) and sets *self_p to NULL. Safe
//  on NULL. Notices not yet delivered stay pending in the store.
void broker_sms_destroy (broker_sms_t **self_p);
//  Hands a notice record (broker_notify.h) to the sender; it is copied. A notice it holds
//  already is not queued twice. 0, or -1 if it could not be passed on (it stays pending).
int broker_sms_send (broker_sms_t *self, const json_t *notice);
//  The socket to poll for ZMQ_POLLIN: results are waiting.
void *broker_sms_socket (broker_sms_t *self);
//  The next result, without waiting, or NULL: {"seq", "id", "ok": true if delivered,
//  "final": true if rejected for good, "status": the HTTP status or 0, "error": why it
//  failed}. Caller owns it.
json_t *broker_sms_result (broker_sms_t *self);

#endif
