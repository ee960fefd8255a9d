/*  broker_ctx.h — what every handler works with: the request's context, failing, publishing
    an event, the numbers database, and the counter a command names.

    This is the ground floor of the broker's handler modules: the ticket, case, intake,
    vault, appointment, rating, snapshot and admin modules stand on it (and on the hall
    model and the store below it); the handler table (broker_handlers.h) and the timers
    (broker_timers.h) stand on them.

    The server calls a handler with a validated body (fields and types already checked
    against the table) inside the batch's write transaction. A handler first checks every
    precondition and fails with broker_fail() before it touches memory or the store; once
    it starts changing things it cannot fail except by a store error, which the store
    remembers and the server handles for the whole batch. That is what makes a failed
    request change nothing without nested transactions. */
#ifndef BROKER_CTX_H
#define BROKER_CTX_H

#include <jansson.h>
#include <stdint.h>

#include "broker_clock.h"
#include "broker_config.h"
#include "broker_hall.h"
#include "broker_store.h"
#include "proto_msg.h"

struct broker_calendar;
struct broker_devices;

typedef struct broker_ctx {
    broker_hall_t *hall;
    struct broker_calendar *calendar; //  working days for the case clock
    struct broker_devices *devices;   //  enrolled devices (CURVE keys and roles)
    broker_store_t *store;
    broker_clock_t *clock;
    const broker_config_t *config;
    const char *pub_endpoint; //  event endpoint advertised by hall.info
    const char *principal;    //  authenticated device ("" when unauthenticated)
    unsigned roles;           //  roles the sender holds (R_* bits; all of them when insecure)
    int64_t now;              //  the clock, read once per request
    json_t *reply;            //  success body set by the handler (owned)
    proto_err_t err;          //  failure code set by broker_fail
    char why[256];            //  failure message
    json_t *err_detail;       //  extra fields for the error body (owned), e.g. checks
    json_t *events;           //  events emitted in this batch: [{topic, seq, body}]
    json_t *notices;          //  notifications (SMS) queued in this batch, sent after commit
} broker_ctx_t;

//  A command's handler: 0 with ctx->reply set, or -1 with the failure recorded.
typedef int (broker_handler_fn) (broker_ctx_t *ctx, const json_t *body);

//  Records a failure (code and printf-style message) and returns -1.
int broker_fail (broker_ctx_t *ctx, proto_err_t err, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  Appends an event to the journal in the open transaction and to ctx->events. Takes
//  ownership of `body`, which gets seq, time and topic added, and the sending device as
//  by_device (its name) and device_key. Returns its sequence number.
uint64_t broker_emit (broker_ctx_t *ctx, proto_evt_t evt, json_t *body);
//  Refuses a text field that does not fit `buffer` bytes (with its NUL). 0 / -1.
int broker_check_length (broker_ctx_t *ctx, const char *field, const char *value, size_t buffer);
//  The last number handed out under `key` in the numbers database (0 if none, -1 if the
//  stored value is unreadable); and recording a new one.
long broker_number_peek (broker_ctx_t *ctx, const char *key);
void broker_number_put (broker_ctx_t *ctx, const char *key, long n);
//  The hall's local calendar date now (yyyymmdd), the date the case clock counts in.
int broker_today (const broker_ctx_t *ctx);

//  What a command needs of the counter its body names (broker_counter_require), checked
//  in this order, each unmet need failing with its own error code:
//    LOGGED_IN  logged in                                       not_logged_in
//    UNPAUSED   not paused                                      counter_paused
//    PAUSED     paused                                          wrong_state
//    FREE       holds no ticket                                 counter_busy
//    TICKET     holds a ticket, the one a "ticket" field names  no_ticket, wrong_ticket
//    CALLED     as TICKET, and the ticket is called             wrong_state
//    SERVING    as TICKET, and the ticket is being served       wrong_state
#define BROKER_NEED_LOGGED_IN 0x01
#define BROKER_NEED_UNPAUSED  0x02
#define BROKER_NEED_PAUSED    0x04
#define BROKER_NEED_FREE      0x08
#define BROKER_NEED_TICKET    0x10
#define BROKER_NEED_CALLED    0x20
#define BROKER_NEED_SERVING   0x40
//  May call a ticket now.
#define BROKER_NEED_READY (BROKER_NEED_LOGGED_IN | BROKER_NEED_UNPAUSED | BROKER_NEED_FREE)

//  The counter named by body's "counter" field (unknown_counter if none) with everything
//  `needs` asks of it; *cp gets the counter and *tp (if not NULL) its ticket. 0 / -1.
int broker_counter_require (broker_ctx_t *ctx, const json_t *body, unsigned needs,
                            broker_counter_t **cp, broker_ticket_t **tp);

#endif
