/*  broker_handlers.h — one handler per command of the protocol table, and the timers.

    The server calls a handler with a validated body (fields and types already checked
    against the table) inside the batch's write transaction. A handler first checks every
    precondition and fails with broker_fail() before it touches memory or the store; once
    it starts changing things it cannot fail except by a store error, which the store
    remembers and the server handles for the whole batch. That is what makes a failed
    request change nothing without nested transactions. */
#ifndef BROKER_HANDLERS_H
#define BROKER_HANDLERS_H

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
    struct broker_calendar *calendar;  //  working days for the case clock
    struct broker_devices *devices;    //  enrolled devices (CURVE keys and roles)
    broker_store_t *store;
    broker_clock_t *clock;
    const broker_config_t *config;
    const char *pub_endpoint;   //  event endpoint advertised by hall.info
    const char *principal;      //  authenticated device ("" when unauthenticated)
    unsigned roles;             //  roles the sender holds (R_* bits; all of them when insecure)
    int64_t now;                //  the clock, read once per request
    json_t *reply;              //  success body set by the handler (owned)
    proto_err_t err;            //  failure code set by broker_fail
    char why[256];              //  failure message
    json_t *err_detail;         //  extra fields for the error body (owned), e.g. checks
    json_t *events;             //  events emitted in this batch: [{topic, seq, body}]
    json_t *notices;            //  notifications (SMS) queued in this batch, sent after commit
} broker_ctx_t;

typedef int (broker_handler_fn) (broker_ctx_t *ctx, const json_t *body);

#define X(id, fn, name, roles, flags, fields, summary) \
    int broker_h_##fn (broker_ctx_t *ctx, const json_t *body);
PROTO_COMMANDS (X)
#undef X

//  The handler of each command, indexed by proto_cmd_t.
extern broker_handler_fn *const broker_handlers[PROTO_CMD_COUNT];

//  Records a failure (code and printf-style message) and returns -1.
int broker_fail (broker_ctx_t *ctx, proto_err_t err, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  Appends an event to the journal in the open transaction and to ctx->events. Takes
//  ownership of `body`, which gets seq, time and topic added. Returns its sequence number.
uint64_t broker_emit (broker_ctx_t *ctx, proto_evt_t evt, json_t *body);
//  Helpers shared by the handler files. Each records a failure and returns -1/NULL.
//  Refuses a text field that does not fit `buffer` bytes (with its NUL).
int broker_check_length (broker_ctx_t *ctx, const char *field, const char *value, size_t buffer);
//  The last number handed out under `key` in the numbers database (0 if none, -1 if the
//  stored value is unreadable); and recording a new one.
long broker_number_peek (broker_ctx_t *ctx, const char *key);
void broker_number_put (broker_ctx_t *ctx, const char *key, long n);
//  The counter named by body's "counter" field (unknown_counter if none).
broker_counter_t *broker_counter_of (broker_ctx_t *ctx, const json_t *body);
//  The logged-in counter of `body` and its ticket, which must be in `state` (and be the
//  one named by an optional "ticket" field). 0 / -1.
int broker_counter_ticket (broker_ctx_t *ctx, const json_t *body, broker_ticket_state_t state,
                           broker_counter_t **cp, broker_ticket_t **tp);
//  Issues a ticket (numbering, token, estimates, event) with ctx->reply set to the slip's
//  content. The ticket, or NULL with the failure recorded. Preconditions checked by the
//  caller: nothing is changed unless it succeeds.
broker_ticket_t *broker_issue (broker_ctx_t *ctx, int service, broker_priority_t priority);
//  Saves a counter and publishes counter.changed with `action`.
void broker_counter_changed (broker_ctx_t *ctx, broker_counter_t *c, const char *action);
//  The hall's local calendar date now (yyyymmdd), the date the case clock counts in.
int broker_today (const broker_ctx_t *ctx);
//  Appointment timers: bookings whose check-in window closed become no-shows.
void broker_appt_timers (broker_ctx_t *ctx);
//  Case timers (deadline warnings), run by broker_timers when the date changes.
void broker_case_timers (broker_ctx_t *ctx);
//  Case lines of ticket.status: the cases opened from this ticket's token. Caller owns it.
json_t *broker_case_for_token (broker_ctx_t *ctx, const char *token);

//  The counter's rating pad: remembers `t` as the visit that counter `counter` last
//  finished, so ticket.rate by counter rates it (within BROKER_PAD_WINDOW_MS).
#define BROKER_PAD_WINDOW_MS (10 * 60000)
void broker_rating_pad_set (broker_ctx_t *ctx, int counter, const broker_ticket_t *t);

//  Runs every timer that is due at ctx->now (day rollover, grace expiry).
void broker_timers (broker_ctx_t *ctx);
//  When the next timer is due (Unix ms on the broker's clock).
int64_t broker_timers_next (const broker_hall_t *hall, int64_t now);

#endif
