/*  broker_ctx.c — see broker_ctx.h. */
#include "broker_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker_devices.h"

int
broker_fail (broker_ctx_t *ctx, proto_err_t err, const char *fmt, ...)
{
    ctx->err = err;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (ctx->why, sizeof ctx->why, fmt, ap);
    va_end (ap);
    return -1;
}

uint64_t
broker_emit (broker_ctx_t *ctx, proto_evt_t evt, json_t *body)
{
    uint64_t seq = ++ctx->hall->last_seq;
    const char *topic = proto_evt_topic (evt);
    json_object_set_new (body, "seq", json_integer ((json_int_t)seq));
    json_object_set_new (body, "time", json_integer (ctx->now));
    json_object_set_new (body, "topic", json_string (topic));
    if (ctx->principal && ctx->principal[0]) {
        //  Who did it: the enrolled device's name, and its key for the record. Not "device",
        //  which some events use for the device they are about (device.changed).
        const char *name = ctx->devices ? broker_devices_name (ctx->devices, ctx->principal) : "";
        json_object_set_new (body, "by_device", json_string (*name ? name : ctx->principal));
        json_object_set_new (body, "device_key", json_string (ctx->principal));
    }
    unsigned char key[8];
    broker_key_u64 (seq, key);
    broker_store_put_json (ctx->store, BROKER_DB_EVENTS, key, sizeof key, body);
    json_t *e = json_object ();
    json_object_set_new_nocheck (e, "topic", json_string (topic));
    json_object_set_new_nocheck (e, "seq", json_integer ((json_int_t)seq));
    json_object_set_new_nocheck (e, "body", body);
    json_array_append_new (ctx->events, e);
    return seq;
}

//  Text fields are kept in fixed buffers: refuse what does not fit rather than cut it.
int
broker_check_length (broker_ctx_t *ctx, const char *field, const char *value, size_t buffer)
{
    if (value && strlen (value) >= buffer)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "%s is at most %zu bytes", field, buffer - 1);
    return 0;
}

//  The last number handed out under `key` (e.g. "YYYYMMDD/A"): 0 if none yet, -1 if the
//  stored value is unreadable (then nothing may be numbered: a restart at 1 would hand
//  out numbers twice).
long
broker_number_peek (broker_ctx_t *ctx, const char *key)
{
    MDB_val v;
    int rc = broker_store_get (ctx->store, BROKER_DB_NUMBERS, key, strlen (key), &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0 || v.mv_size == 0 || v.mv_size > 9)
        return -1;
    long n = 0;
    for (size_t i = 0; i < v.mv_size; i++) {
        char ch = ((const char *)v.mv_data)[i];
        if (ch < '0' || ch > '9')
            return -1;
        n = n * 10 + (ch - '0');
    }
    return n;
}

//  Records `n` as the last number handed out under `key`, in the transaction, so the
//  number is committed with what it numbers and is never handed out twice.
void
broker_number_put (broker_ctx_t *ctx, const char *key, long n)
{
    char val[16];
    int vlen = snprintf (val, sizeof val, "%ld", n);
    broker_store_put (ctx->store, BROKER_DB_NUMBERS, key, strlen (key), val, (size_t)vlen);
}

int
broker_today (const broker_ctx_t *ctx)
{
    return broker_business_day (ctx->now, ctx->config->utc_offset_min, 0);
}

//  The messages keep the wording clients have always seen: a command that is about to call
//  says the counter "still holds" its ticket; a command that needs a called or serving ticket
//  adds "call one first"; case.hand_out, which needs only a logged-in counter, says no more
//  than that.
int
broker_counter_require (broker_ctx_t *ctx, const json_t *body, unsigned needs,
                        broker_counter_t **cp, broker_ticket_t **tp)
{
    json_int_t id = json_integer_value (json_object_get (body, "counter"));
    broker_counter_t *c = id >= 1 && id <= 9999 ? broker_hall_counter (ctx->hall, (int)id) : NULL;
    if (!c)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_COUNTER, "no counter %lld in this hall",
                            (long long)id);
    broker_ticket_t *t = c->ticket;
    broker_ticket_state_t state = needs & BROKER_NEED_CALLED ? TICKET_CALLED : TICKET_SERVING;
    if (needs & (BROKER_NEED_CALLED | BROKER_NEED_SERVING))
        needs |= BROKER_NEED_TICKET;
    else
        state = TICKET_STATE_COUNT; //  any
    if ((needs & BROKER_NEED_LOGGED_IN) && c->state == COUNTER_LOGGED_OUT)
        return broker_fail (ctx, PROTO_ERR_NOT_LOGGED_IN,
                            needs == BROKER_NEED_LOGGED_IN
                                ? "counter %d is not logged in"
                                : "counter %d is not logged in; log in first",
                            c->id);
    if ((needs & BROKER_NEED_UNPAUSED) && c->state == COUNTER_PAUSED)
        return broker_fail (ctx, PROTO_ERR_COUNTER_PAUSED, "counter %d is paused; resume first",
                            c->id);
    if ((needs & BROKER_NEED_PAUSED) && c->state != COUNTER_PAUSED)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "counter %d is %s, not paused", c->id,
                            broker_counter_state_name (c->state));
    if ((needs & BROKER_NEED_FREE) && t)
        return broker_fail (
            ctx, PROTO_ERR_COUNTER_BUSY,
            needs & BROKER_NEED_UNPAUSED
                ? "counter %d still holds %s (%s); finish it or mark it missed first"
                : "counter %d holds ticket %s (%s); finish it or mark it missed first",
            c->id, t->number, broker_ticket_state_name (t->state));
    if (needs & BROKER_NEED_TICKET) {
        const char *number = json_string_value (json_object_get (body, "ticket"));
        if (!t)
            return broker_fail (ctx, PROTO_ERR_NO_TICKET,
                                state == TICKET_STATE_COUNT
                                    ? "counter %d holds no ticket"
                                    : "counter %d holds no ticket; call one first",
                                c->id);
        if (number && strcmp (number, t->number) != 0)
            return broker_fail (ctx, PROTO_ERR_WRONG_TICKET, "counter %d holds %s, not %.16s",
                                c->id, t->number, number);
        if (state != TICKET_STATE_COUNT && t->state != state)
            return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "ticket %s is %s, not %s", t->number,
                                broker_ticket_state_name (t->state),
                                broker_ticket_state_name (state));
    }
    *cp = c;
    if (tp)
        *tp = t;
    return 0;
}
