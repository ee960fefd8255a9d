/*  broker_ticket.c — see broker_ticket.h. */
#include "broker_ticket.h"

#include <stdio.h>
#include <string.h>

#include "broker_case.h"
#include "broker_estimate.h"
#include "broker_pickup.h"
#include "broker_policy.h"
#include "broker_rating.h"
#include "proto_token.h"

static const char *
s_prefix (const broker_ctx_t *ctx, int service)
{
    return ctx->config->services[service].prefix;
}

static broker_day_service_t *
s_day (broker_ctx_t *ctx, int service)
{
    return &ctx->hall->day_svc[service];
}

static json_t *
s_ticket_event (broker_ctx_t *ctx, const broker_ticket_t *t)
{
    return json_pack ("{s:o}", "ticket", broker_ticket_json (ctx->hall, t, false));
}

//  Saves the ticket (broker_hall_save_ticket) and returns its event body: the ticket's public
//  JSON is built once, for the stored record, the event and (s_ticket_view) the reply.
static json_t *
s_saved_event (broker_ctx_t *ctx, broker_ticket_t *t)
{
    json_t *view = broker_ticket_json (ctx->hall, t, false);
    broker_hall_save_ticket_view (ctx->hall, ctx->store, t, view);
    return json_pack ("{s:o}", "ticket", view);
}

//  The estimate and its printed interval into `j` (est_wait_s, est_wait_lo_s, est_wait_hi_s;
//  null when no counter will reach the ticket).
static void
s_put_estimate (json_t *j, const broker_estimate_t *e)
{
    json_object_set_new (j, "est_wait_s", e->wait_s >= 0 ? json_integer (e->wait_s) : json_null ());
    json_object_set_new (j, "est_wait_lo_s", e->lo_s >= 0 ? json_integer (e->lo_s) : json_null ());
    json_object_set_new (j, "est_wait_hi_s", e->hi_s >= 0 ? json_integer (e->hi_s) : json_null ());
}

//  Ticket state as its holder sees it: public fields plus place in line and wait. `evt`,
//  when not NULL, is the event just built for `t` as it is now (s_ticket_event): its ticket
//  is copied (shallow, its values shared) instead of being built again.
static json_t *
s_ticket_view (broker_ctx_t *ctx, const broker_ticket_t *t, bool live, const json_t *evt)
{
    json_t *base = evt ? json_object_get (evt, "ticket") : NULL;
    json_t *j = base ? json_copy (base) : broker_ticket_json (ctx->hall, t, false);
    const broker_service_cfg_t *svc = &ctx->config->services[t->service];
    json_object_set_new (j, "service_name", json_string (svc->name));
    json_object_set_new (j, "service_name_en", json_string (svc->name_en));
    if (live && t->state == TICKET_WAITING) {
        int ahead = broker_estimate_ahead (ctx->hall, t);
        json_object_set_new (j, "ahead", json_integer (ahead));
        int64_t naive = broker_estimate_wait_s (ctx->hall, t->service, ahead);
        broker_estimate_t e;
        broker_estimate_ticket (ctx->hall, ctx->now, t, &e);
        s_put_estimate (j, &e);
        json_object_set_new (j, "naive_wait_s", naive >= 0 ? json_integer (naive) : json_null ());
    }
    if (t->counter) {
        broker_counter_t *c = broker_hall_counter (ctx->hall, t->counter);
        if (c)
            json_object_set_new (j, "counter_name",
                                 json_string (ctx->config->counters[c->cfg].name));
    }
    return j;
}

//  Saves a counter and publishes counter.changed with `action`. `evt`, when not NULL, is an
//  event just built for the counter's ticket as it is now: its ticket JSON is shared.
static void
s_counter_changed (broker_ctx_t *ctx, broker_counter_t *c, const char *action, const json_t *evt)
{
    json_t *tj = evt && c->ticket ? json_object_get (evt, "ticket") : NULL;
    if (tj && (uint64_t)json_integer_value (json_object_get (tj, "id")) != c->ticket->id)
        tj = NULL;
    json_t *view = broker_counter_json_with (ctx->hall, c, tj);
    broker_hall_save_counter_view (ctx->hall, ctx->store, c, view);
    broker_emit (ctx, PROTO_EVT_COUNTER_CHANGED,
                 json_pack ("{s:o, s:s}", "counter", view, "action", action));
}

//  Changes a counter's state, first booking the time spent in the old one into today's
//  figures (utilisation = busy / open; paused time is not open time).
static void
s_counter_state (broker_ctx_t *ctx, broker_counter_t *c, broker_counter_state_t state)
{
    if (c->state == state)
        return;
    int64_t spent = c->since_ms && ctx->now > c->since_ms ? ctx->now - c->since_ms : 0;
    broker_day_counter_t *d = &ctx->hall->day_ctr[c->cfg];
    if (c->state == COUNTER_IDLE || c->state == COUNTER_CALLING || c->state == COUNTER_SERVING)
        d->open_ms += spent;
    if (c->state == COUNTER_CALLING || c->state == COUNTER_SERVING)
        d->busy_ms += spent;
    if (c->state == COUNTER_PAUSED)
        d->paused_ms += spent;
    broker_hall_save_day_counter (ctx->hall, ctx->store, c->cfg);
    c->since_ms = ctx->now;
    c->state = state;
}

//  ---------------------------------------------------------------------------------------
//  Tickets: kiosk side

int
broker_h_ticket_issue (broker_ctx_t *ctx, const json_t *body)
{
    const char *prefix = json_string_value (json_object_get (body, "service"));
    int service = broker_config_service (ctx->config, prefix);
    if (service < 0)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_SERVICE, "no service \"%.16s\" in this hall",
                            prefix);
    const char *pname = json_string_value (json_object_get (body, "priority"));
    int priority = pname ? broker_priority_lookup (pname) : PRIORITY_NORMAL;
    if (priority < 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "priority must be normal, green, elderly or appointment");
    return broker_issue (ctx, service, (broker_priority_t)priority) ? 0 : -1;
}

json_t *
broker_ticket_estimates (const broker_ctx_t *ctx)
{
    json_t *est = json_object ();
    for (int s = 0; s < ctx->config->nservices; s++) {
        int64_t w = broker_estimate_sim_new_s (ctx->hall, ctx->now, s);
        json_object_set_new (est, s_prefix (ctx, s), w >= 0 ? json_integer (w) : json_null ());
    }
    return est;
}

broker_ticket_t *
broker_issue (broker_ctx_t *ctx, int service, broker_priority_t priority)
{
    const broker_config_t *cfg = ctx->config;
    int day = broker_business_day (ctx->now, cfg->utc_offset_min, cfg->reset_hour);
    char key[32];
    snprintf (key, sizeof key, "%08d/%s", day, s_prefix (ctx, service));
    long n = broker_number_peek (ctx, key);
    if (n < 0 || n >= 99999999) {
        broker_fail (ctx, PROTO_ERR_INTERNAL,
                     "the number counter %s is unreadable or full; nothing was issued", key);
        return NULL;
    }
    broker_ticket_t *t = broker_hall_ticket_new (ctx->hall);
    if (!t) {
        broker_fail (ctx, PROTO_ERR_INTERNAL, "out of memory");
        return NULL;
    }
    t->service = service;
    t->priority = priority;
    t->state = TICKET_WAITING;
    t->day = day;
    t->issued_ms = ctx->now;
    broker_number_put (ctx, key, ++n);
    snprintf (t->number, sizeof t->number, "%s%0*ld", s_prefix (ctx, service), cfg->digits, n);
    proto_token_new_at (t->token, ctx->now);
    t->ahead_at_issue = broker_estimate_ahead_new (ctx->hall, service, t->priority);
    int64_t naive = broker_estimate_wait_s (ctx->hall, service, t->ahead_at_issue);
    broker_hall_enqueue (ctx->hall, t);
    //  Printed on the slip: the forward simulation of the policy (docs/POLICY.md).
    broker_estimate_t e;
    broker_estimate_ticket (ctx->hall, ctx->now, t, &e);
    t->est_wait_at_issue_s = e.wait_s;
    broker_estimate_learn_issue (ctx->hall, t, &e);
    s_day (ctx, service)->issued++;
    broker_hall_save_day_service (ctx->hall, ctx->store, service);

    json_t *evt = s_saved_event (ctx, t);
    json_object_set_new (evt, "ahead", json_integer (t->ahead_at_issue));
    s_put_estimate (evt, &e);
    json_object_set_new (evt, "naive_wait_s", naive >= 0 ? json_integer (naive) : json_null ());
    broker_emit (ctx, PROTO_EVT_TICKET_ISSUED, json_incref (evt)); //  kept for the reply

    json_t *r = s_ticket_view (ctx, t, false, evt);
    json_decref (evt);
    json_object_set_new (r, "token", json_string (t->token));
    char qr[600];
    snprintf (qr, sizeof qr, "%s%s", cfg->status_url, t->token);
    json_object_set_new (r, "qr", json_string (qr));
    json_object_set_new (r, "ahead", json_integer (t->ahead_at_issue));
    s_put_estimate (r, &e);
    json_object_set_new (r, "naive_wait_s", naive >= 0 ? json_integer (naive) : json_null ());
    json_object_set_new (r, "hall", json_string (cfg->hall_name));
    json_object_set_new (r, "hall_en", json_string (cfg->hall_name_en));
    json_object_set_new (r, "notice", json_string (cfg->missed_notice));
    json_object_set_new (r, "utc_offset_min", json_integer (cfg->utc_offset_min));
    ctx->reply = r;
    return t;
}

//  Finds a ticket by the token (or status URL) in `body`; live copy when it is live,
//  else a copy read from the store into *scratch. NULL with the failure recorded.
static broker_ticket_t *
s_find_by_token (broker_ctx_t *ctx, const json_t *body, broker_ticket_t *scratch, bool *live)
{
    const char *text = json_string_value (json_object_get (body, "token"));
    char token[PROTO_TOKEN_LEN + 1];
    if (proto_token_parse (text, strlen (text), token) != 0) {
        broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                     "token must be the %d-character code from the slip's QR code",
                     PROTO_TOKEN_LEN);
        return NULL;
    }
    MDB_val v;
    if (broker_store_get (ctx->store, BROKER_DB_TOKENS, token, PROTO_TOKEN_LEN, &v) != 0 ||
        v.mv_size != 8) {
        broker_fail (ctx, PROTO_ERR_UNKNOWN_TICKET, "no ticket has this code");
        return NULL;
    }
    uint64_t id = broker_key_u64_read (v.mv_data);
    broker_ticket_t *t = broker_hall_live (ctx->hall, id);
    *live = t != NULL;
    if (t)
        return t;
    unsigned char key[8];
    broker_key_u64 (id, key);
    json_t *j = broker_store_get_json (ctx->store, BROKER_DB_TICKETS, key, sizeof key);
    int rc = j ? broker_ticket_from_json (ctx->hall, j, scratch) : -1;
    json_decref (j);
    if (rc != 0) {
        broker_fail (ctx, PROTO_ERR_INTERNAL, "ticket record %llu is unreadable",
                     (unsigned long long)id);
        return NULL;
    }
    return scratch;
}

int
broker_h_ticket_status (broker_ctx_t *ctx, const json_t *body)
{
    broker_ticket_t scratch;
    bool live;
    broker_ticket_t *t = s_find_by_token (ctx, body, &scratch, &live);
    if (!t)
        return -1;
    json_t *cases = broker_case_for_token (ctx, t->token);
    broker_pickup_show_codes (ctx, cases);
    ctx->reply = json_pack ("{s:o, s:s, s:o}", "ticket", s_ticket_view (ctx, t, live, NULL), "hall",
                            ctx->config->hall_name, "cases", cases);
    //  The latest case also as "case": most tickets lead to one.
    if (json_array_size (cases))
        json_object_set (ctx->reply, "case", json_array_get (cases, json_array_size (cases) - 1));
    return 0;
}

int
broker_h_ticket_cancel (broker_ctx_t *ctx, const json_t *body)
{
    broker_ticket_t scratch;
    bool live;
    broker_ticket_t *t = s_find_by_token (ctx, body, &scratch, &live);
    if (!t)
        return -1;
    bool grace = t->state == TICKET_MISSED && t->grace_until > 0;
    if (!live || (t->state != TICKET_WAITING && t->state != TICKET_PARKED && !grace))
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "ticket %s is %s; only a waiting or parked ticket can be cancelled",
                            t->number, broker_ticket_state_name (t->state));
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "reason", reason, sizeof t->reason))
        return -1;
    broker_estimate_learn_cancel (ctx->hall, t, ctx->now);
    broker_hall_dequeue (ctx->hall, t);
    t->state = TICKET_CANCELLED;
    t->grace_until = 0;
    t->finished_ms = ctx->now;
    s_day (ctx, t->service)->cancelled++;
    broker_hall_save_day_service (ctx->hall, ctx->store, t->service);
    snprintf (t->reason, sizeof t->reason, "%s", reason ? reason : "");
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "reason", json_string (t->reason));
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, false, NULL));
    broker_emit (ctx, PROTO_EVT_TICKET_CANCELLED, evt);
    broker_hall_retire (ctx->hall, t);
    return 0;
}

int
broker_h_ticket_requeue (broker_ctx_t *ctx, const json_t *body)
{
    broker_ticket_t scratch;
    bool live;
    broker_ticket_t *t = s_find_by_token (ctx, body, &scratch, &live);
    if (!t)
        return -1;
    if (!live || t->state != TICKET_MISSED || t->grace_until == 0)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "ticket %s is %s; only a missed ticket within its grace period can "
                            "go back in line",
                            t->number, broker_ticket_state_name (t->state));
    t->state = TICKET_WAITING;
    t->grace_until = 0;
    broker_hall_enqueue (ctx->hall, t);
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    broker_emit (ctx, PROTO_EVT_TICKET_REQUEUED, s_ticket_event (ctx, t));
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true, NULL));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Counters

int
broker_h_counter_login (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, 0, &c, NULL))
        return -1;
    const broker_counter_cfg_t *cfg = &ctx->config->counters[c->cfg];
    uint32_t services = cfg->services;
    json_t *list = json_object_get (body, "services");
    if (list && !json_is_null (list)) {
        services = 0;
        size_t i;
        json_t *p;
        json_array_foreach (list, i, p) {
            const char *prefix = json_string_value (p);
            if (!prefix)
                return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                    "services must be a list of service prefixes");
            int s = broker_config_service (ctx->config, prefix);
            if (s < 0)
                return broker_fail (ctx, PROTO_ERR_UNKNOWN_SERVICE,
                                    "no service \"%.16s\" in this hall", prefix);
            if (!(cfg->services & (1u << s)))
                return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                    "counter %d does not serve %s (see the hall config)", c->id,
                                    prefix);
            services |= 1u << s;
        }
        if (!services)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "services must not be empty");
    }
    const char *clerk = json_string_value (json_object_get (body, "clerk"));
    if (broker_check_length (ctx, "clerk", clerk, sizeof c->clerk))
        return -1;
    broker_estimate_learn_login (ctx->hall, c, ctx->now);
    if (c->state == COUNTER_LOGGED_OUT) {
        c->login_ms = ctx->now;
        c->pause_reason[0] = 0;
    }
    c->services = services;
    if (clerk)
        snprintf (c->clerk, sizeof c->clerk, "%s", clerk);
    if (c->state == COUNTER_LOGGED_OUT || c->state == COUNTER_PAUSED) {
        c->pause_reason[0] = 0;
        s_counter_state (ctx, c, COUNTER_IDLE);
    }
    s_counter_changed (ctx, c, "login", NULL);
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

int
broker_h_counter_pause (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_FREE, &c, NULL))
        return -1;
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "reason", reason, sizeof c->pause_reason))
        return -1;
    json_t *minutes = json_object_get (body, "minutes");
    if (minutes && !json_is_null (minutes) &&
        (json_integer_value (minutes) < 1 || json_integer_value (minutes) > 480))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "minutes must be from 1 to 480");
    snprintf (c->pause_reason, sizeof c->pause_reason, "%s", reason ? reason : "");
    //  When it will be back, for the wait estimates: as the clerk says, or the length of the
    //  scheduled break this pause is (the first not yet taken that has begun).
    c->back_ms = 0;
    if (json_is_integer (minutes))
        c->back_ms = ctx->now + json_integer_value (minutes) * 60000;
    else {
        const broker_counter_cfg_t *cc = &ctx->config->counters[c->cfg];
        int64_t midnight = broker_local_midnight (ctx->config, ctx->now);
        for (int b = 0; b < cc->nbreaks && !c->back_ms; b++) {
            int64_t from = midnight + (int64_t)cc->break_from[b] * 60000;
            int64_t to = midnight + (int64_t)cc->break_to[b] * 60000;
            if (ctx->now >= from && ctx->now < to && c->paused_ms < from)
                c->back_ms = ctx->now + (to - from);
        }
    }
    c->paused_ms = ctx->now;
    s_counter_state (ctx, c, COUNTER_PAUSED);
    s_counter_changed (ctx, c, "pause", NULL);
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

int
broker_h_counter_resume (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_PAUSED, &c, NULL))
        return -1;
    broker_estimate_learn_pause (ctx->hall, c, ctx->now);
    c->pause_reason[0] = 0;
    s_counter_state (ctx, c, COUNTER_IDLE);
    s_counter_changed (ctx, c, "resume", NULL);
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

int
broker_h_counter_logout (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_FREE, &c, NULL))
        return -1;
    broker_estimate_learn_pause (ctx->hall, c, ctx->now);
    c->clerk[0] = 0;
    c->pause_reason[0] = 0;
    c->services = 0;
    s_counter_state (ctx, c, COUNTER_LOGGED_OUT);
    s_counter_changed (ctx, c, "logout", NULL);
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Tickets: counter side

//  `evt`: the ticket's event body to fill (s_saved_event), or NULL for a new one.
static json_t *
s_call_event (broker_ctx_t *ctx, const broker_ticket_t *t, const broker_counter_t *c,
              const char *reason, json_t *evt)
{
    if (!evt)
        evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "counter_name", json_string (ctx->config->counters[c->cfg].name));
    json_object_set_new (evt, "recall", json_integer (t->recalls));
    if (reason)
        json_object_set_new (evt, "reason", json_string (reason));
    return evt;
}

static json_t *s_call (broker_ctx_t *ctx, broker_counter_t *c, broker_ticket_t *t,
                       const char *reason, const char *note);

int
broker_h_ticket_call_next (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, BROKER_NEED_READY, &c, NULL))
        return -1;
    const char *reason;
    broker_ticket_t *t = broker_policy_next (ctx->hall, c, ctx->now, &reason);
    if (!t)
        return broker_fail (ctx, PROTO_ERR_QUEUE_EMPTY, "nobody is waiting for counter %d", c->id);
    json_t *evt = s_call (ctx, c, t, reason, NULL);
    size_t waiting = 0;
    for (int s = 0; s < ctx->config->nservices; s++)
        if (c->services & (1u << s))
            waiting += broker_hall_waiting (ctx->hall, s);
    ctx->reply = json_pack ("{s:o, s:i, s:s, s:I}", "ticket", s_ticket_view (ctx, t, true, evt),
                            "counter", c->id, "reason", reason, "waiting", (json_int_t)waiting);
    json_decref (evt);
    return 0;
}

//  Calls `t` (waiting or parked) to counter `c`, with the rule that chose it. Returns the
//  ticket.called event (a reference of the caller's, for s_ticket_view).
static json_t *
s_call (broker_ctx_t *ctx, broker_counter_t *c, broker_ticket_t *t, const char *reason,
        const char *note)
{
    broker_estimate_learn_call (ctx->hall, c, t, ctx->now);
    if (t->state == TICKET_WAITING)
        broker_hall_dequeue (ctx->hall, t);
    bool first = !t->called_ms;
    if (first) {
        broker_day_service_t *d = s_day (ctx, t->service);
        int64_t wait = ctx->now - t->issued_ms;
        d->called++;
        d->sum_wait_ms += wait;
        if (wait > d->max_wait_ms)
            d->max_wait_ms = wait;
        if (wait > (int64_t)ctx->config->over_wait_min * 60000)
            d->over_wait++;
        broker_hall_save_day_service (ctx->hall, ctx->store, t->service);
    }
    t->state = TICKET_CALLED;
    t->counter = c->id;
    t->last_counter = c->id;
    if (first)
        t->called_ms = ctx->now;
    t->last_called_ms = ctx->now;
    t->recalls = 0;
    c->ticket = t;
    s_counter_state (ctx, c, COUNTER_CALLING);
    json_t *evt = s_call_event (ctx, t, c, reason, s_saved_event (ctx, t));
    if (first)
        json_object_set_new (evt, "wait_s", json_integer ((ctx->now - t->issued_ms) / 1000));
    if (note)
        json_object_set_new (evt, "note", json_string (note));
    //  The hall moved: what a new ticket of each service would wait now (boards show it).
    json_object_set_new (evt, "est_new_s", broker_ticket_estimates (ctx));
    broker_emit (ctx, PROTO_EVT_TICKET_CALLED, json_incref (evt));
    s_counter_changed (ctx, c, "call", evt);
    return evt;
}

int
broker_h_ticket_call_specific (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, BROKER_NEED_READY, &c, NULL))
        return -1;
    const char *number = json_string_value (json_object_get (body, "ticket"));
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "reason", reason, 256))
        return -1;
    broker_ticket_t *t = broker_hall_live_by_number (ctx->hall, number);
    if (!t)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_TICKET, "no live ticket %.16s today", number);
    if (t->state != TICKET_WAITING)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "ticket %s is %s, not waiting", t->number,
                            broker_ticket_state_name (t->state));
    if (!(c->services & (1u << t->service)))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "counter %d does not serve %s now", c->id,
                            s_prefix (ctx, t->service));
    json_decref (s_call (ctx, c, t, "specific", reason));
    ctx->reply = json_pack ("{s:o, s:i, s:s}", "ticket", s_ticket_view (ctx, t, true, NULL),
                            "counter", c->id, "reason", "specific");
    return 0;
}

int
broker_h_ticket_park (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_TICKET, &c, &t))
        return -1;
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "reason", reason, sizeof t->reason))
        return -1;
    t->state = TICKET_PARKED;
    t->counter = 0;
    snprintf (t->reason, sizeof t->reason, "%s", reason ? reason : "");
    c->ticket = NULL;
    s_counter_state (ctx, c, COUNTER_IDLE);
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "reason", json_string (t->reason));
    broker_emit (ctx, PROTO_EVT_TICKET_PARKED, evt);
    s_counter_changed (ctx, c, "park", NULL);
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true, NULL));
    return 0;
}

int
broker_h_ticket_unpark (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, BROKER_NEED_READY, &c, NULL))
        return -1;
    const char *number = json_string_value (json_object_get (body, "ticket"));
    broker_ticket_t *t = broker_hall_live_by_number (ctx->hall, number);
    if (!t || t->state != TICKET_PARKED)
        return broker_fail (ctx, t ? PROTO_ERR_WRONG_STATE : PROTO_ERR_UNKNOWN_TICKET,
                            "no parked ticket %.16s", number);
    if (!(c->services & (1u << t->service)))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "counter %d does not serve %s now", c->id,
                            s_prefix (ctx, t->service));
    t->reason[0] = 0;
    json_decref (s_call (ctx, c, t, "unpark", NULL));
    ctx->reply =
        json_pack ("{s:o, s:i}", "ticket", s_ticket_view (ctx, t, true, NULL), "counter", c->id);
    return 0;
}

int
broker_h_ticket_recall (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_CALLED, &c, &t))
        return -1;
    t->recalls++;
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    broker_emit (ctx, PROTO_EVT_TICKET_CALLED, s_call_event (ctx, t, c, "recall", NULL));
    ctx->reply = json_pack ("{s:o, s:i, s:i}", "ticket", s_ticket_view (ctx, t, true, NULL),
                            "counter", c->id, "recall", t->recalls);
    return 0;
}

//  Order key that puts a ticket `places` behind the head of `q` (or at its end).
static int64_t
s_key_behind (const broker_queue_t *q, int places, int64_t current)
{
    size_t size = broker_queue_size (q);
    if (size == 0)
        return current;
    if ((size_t)places >= size)
        return broker_queue_at (q, size - 1)->order_key + 1;
    int64_t a = broker_queue_at (q, (size_t)places - 1)->order_key;
    int64_t b = broker_queue_at (q, (size_t)places)->order_key;
    //  Between the two; when they are adjacent, ties fall back to ticket id order.
    return b - a >= 2 ? a + (b - a) / 2 : a;
}

int
broker_h_ticket_missed (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_CALLED, &c, &t))
        return -1;
    const broker_config_t *cfg = ctx->config;
    const char *outcome;
    broker_estimate_learn_outcome (ctx->hall, t, false, ctx->now);
    t->misses++;
    s_day (ctx, t->service)->missed++;
    broker_hall_save_day_service (ctx->hall, ctx->store, t->service);
    t->counter = 0;
    c->ticket = NULL;
    s_counter_state (ctx, c, COUNTER_IDLE);
    if (cfg->missed_rule == BROKER_MISSED_BACK && t->misses <= cfg->missed_max) {
        broker_queue_t *q = ctx->hall->queues[t->service][broker_priority_class (t->priority)];
        t->order_key = s_key_behind (q, cfg->missed_places, t->order_key);
        t->state = TICKET_WAITING;
        broker_hall_enqueue (ctx->hall, t);
        outcome = "requeued";
    } else if (cfg->missed_rule == BROKER_MISSED_GRACE) {
        t->state = TICKET_MISSED;
        t->grace_until = ctx->now + (int64_t)cfg->missed_grace_min * 60000;
        if (!ctx->hall->grace_due || t->grace_until < ctx->hall->grace_due)
            ctx->hall->grace_due = t->grace_until;
        outcome = "grace";
    } else {
        t->state = TICKET_MISSED;
        t->grace_until = 0;
        t->finished_ms = ctx->now;
        outcome = "void";
    }
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "rule", json_string (broker_config_missed_name (cfg->missed_rule)));
    json_object_set_new (evt, "outcome", json_string (outcome));
    broker_emit (ctx, PROTO_EVT_TICKET_MISSED, evt);
    s_counter_changed (ctx, c, "missed", NULL);
    ctx->reply =
        json_pack ("{s:o, s:s}", "ticket", s_ticket_view (ctx, t, true, NULL), "outcome", outcome);
    if (broker_ticket_final (t))
        broker_hall_retire (ctx->hall, t);
    return 0;
}

int
broker_h_ticket_start (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_CALLED, &c, &t))
        return -1;
    broker_estimate_learn_outcome (ctx->hall, t, true, ctx->now);
    t->state = TICKET_SERVING;
    t->started_ms = ctx->now;
    s_counter_state (ctx, c, COUNTER_SERVING);
    json_t *evt = s_saved_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    broker_emit (ctx, PROTO_EVT_TICKET_STARTED, json_incref (evt)); //  kept for the reply
    s_counter_changed (ctx, c, "start", evt);
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true, evt));
    json_decref (evt);
    return 0;
}

int
broker_h_ticket_finish (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_SERVING, &c, &t))
        return -1;
    t->state = TICKET_DONE;
    t->finished_ms = ctx->now;
    t->counter = 0;
    c->ticket = NULL;
    c->served++;
    s_counter_state (ctx, c, COUNTER_IDLE);
    //  From this call: time spent at another counter or parked is not this service's.
    int64_t service_ms = t->finished_ms - t->last_called_ms;
    s_day (ctx, t->service)->served++;
    s_day (ctx, t->service)->sum_service_ms += service_ms;
    broker_hall_save_day_service (ctx->hall, ctx->store, t->service);
    ctx->hall->day_ctr[c->cfg].served++;
    broker_estimate_learn_at (ctx->hall, t->service, t->last_called_ms, service_ms);
    broker_hall_save_stats (ctx->hall, ctx->store, t->service);
    broker_rating_pad_set (ctx, c->id, t);
    json_t *evt = s_saved_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "service_s", json_integer (service_ms / 1000));
    broker_emit (ctx, PROTO_EVT_TICKET_FINISHED, json_incref (evt)); //  kept for the reply
    s_counter_changed (ctx, c, "finish", NULL);
    ctx->reply =
        json_pack ("{s:o, s:i}", "ticket", s_ticket_view (ctx, t, false, evt), "served", c->served);
    json_decref (evt);
    broker_hall_retire (ctx->hall, t);
    return 0;
}

int
broker_h_ticket_transfer (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_SERVING, &c, &t))
        return -1;
    const char *to = json_string_value (json_object_get (body, "to"));
    int service = broker_config_service (ctx->config, to);
    if (service < 0)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_SERVICE, "no service \"%.16s\" in this hall",
                            to);
    if (service == t->service)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "ticket %s is already in service %s",
                            t->number, to);
    int from = t->service;
    s_day (ctx, from)->transferred++;
    broker_hall_save_day_service (ctx->hall, ctx->store, from);
    ctx->hall->day_ctr[c->cfg].served++;
    t->from_service = from;
    t->service = service;
    t->state = TICKET_WAITING;
    t->counter = 0;
    t->started_ms = 0;
    t->recalls = 0;
    //  order_key is kept: the ticket keeps its original place in time in the new line.
    c->ticket = NULL;
    c->served++;
    s_counter_state (ctx, c, COUNTER_IDLE);
    broker_hall_enqueue (ctx->hall, t);
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "from", json_string (s_prefix (ctx, from)));
    json_object_set_new (evt, "to", json_string (to));
    broker_emit (ctx, PROTO_EVT_TICKET_TRANSFERRED, evt);
    s_counter_changed (ctx, c, "transfer", NULL);
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true, NULL));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Timers

static void
s_expire (broker_ctx_t *ctx, broker_ticket_t *t, const char *reason)
{
    broker_counter_t *expired_at = NULL;
    if (t->counter) {
        broker_counter_t *c = broker_hall_counter (ctx->hall, t->counter);
        if (c && c->ticket == t) {
            c->ticket = NULL;
            s_counter_state (ctx, c, COUNTER_IDLE);
            expired_at = c;
        }
    }
    broker_hall_dequeue (ctx->hall, t);
    t->state = TICKET_EXPIRED;
    t->grace_until = 0;
    t->counter = 0;
    t->finished_ms = ctx->now;
    snprintf (t->reason, sizeof t->reason, "%s", reason);
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "reason", json_string (reason));
    broker_emit (ctx, PROTO_EVT_TICKET_EXPIRED, evt);
    if (expired_at)
        s_counter_changed (ctx, expired_at, "expire", NULL);
    broker_hall_retire (ctx->hall, t);
}

//  A new business day: yesterday's tickets end, counters close, numbering restarts
//  (numbers are keyed by day, so that needs no action here).
static void
s_new_day (broker_ctx_t *ctx, int today)
{
    broker_hall_t *hall = ctx->hall;
    const broker_config_t *cfg = ctx->config;
    for (size_t i = hall->nlive; i-- > 0;)
        if (hall->live[i]->day < today)
            s_expire (ctx, hall->live[i], "day_over");
    bool changed[BROKER_MAX_COUNTERS];
    for (int i = 0; i < cfg->ncounters; i++) {
        broker_counter_t *c = &hall->counters[i];
        //  Yesterday's tickets were expired above; a counter that still holds one holds
        //  a ticket of the new day and stays open.
        bool was_open = c->state != COUNTER_LOGGED_OUT && !c->ticket;
        c->served = 0;
        if (was_open) {
            c->clerk[0] = 0;
            c->pause_reason[0] = 0;
            c->services = 0;
            s_counter_state (ctx, c, COUNTER_LOGGED_OUT); //  closes yesterday's time
        }
        changed[i] = was_open || (hall->day && !c->ticket);
    }
    //  Yesterday's figures stay in the store under yesterday's date; the counters'
    //  events carry the new day's (zero) figures.
    broker_hall_reset_day (hall);
    for (int i = 0; i < cfg->ncounters; i++)
        if (changed[i])
            s_counter_changed (ctx, &hall->counters[i], "day", NULL);
    hall->day = today;
    char val[16];
    int len = snprintf (val, sizeof val, "%d", today);
    broker_store_put (ctx->store, BROKER_DB_META, "day", 3, val, (size_t)len);
    char seq[24];
    len = snprintf (seq, sizeof seq, "%llu", (unsigned long long)hall->last_seq + 1);
    broker_store_put (ctx->store, BROKER_DB_META, "day_seq", 7, seq, (size_t)len);
    broker_emit (ctx, PROTO_EVT_HALL_DAY, json_pack ("{s:i}", "day", today));
}

void
broker_ticket_timers (broker_ctx_t *ctx)
{
    broker_hall_t *hall = ctx->hall;
    const broker_config_t *cfg = ctx->config;
    int today = broker_business_day (ctx->now, cfg->utc_offset_min, cfg->reset_hour);
    if (hall->day != today)
        s_new_day (ctx, today);
    if (!hall->grace_due || hall->grace_due > ctx->now)
        return;
    int64_t next = 0;
    for (size_t i = hall->nlive; i-- > 0;) {
        broker_ticket_t *t = hall->live[i];
        if (t->state != TICKET_MISSED || !t->grace_until)
            continue;
        if (t->grace_until <= ctx->now)
            s_expire (ctx, t, "grace_over");
        else if (!next || t->grace_until < next)
            next = t->grace_until;
    }
    hall->grace_due = next;
}
