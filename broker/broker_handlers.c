/*  broker_handlers.c — see broker_handlers.h. */
#include "broker_handlers.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker_case.h"
#include "broker_devices.h"
#include "broker_estimate.h"
#include "broker_policy.h"
#include "broker_vault.h"
#include "proto_token.h"

broker_handler_fn *const broker_handlers[PROTO_CMD_COUNT] = {
#define X(id, fn, name, roles, flags, fields, summary) [PROTO_CMD_##id] = broker_h_##fn,
    PROTO_COMMANDS (X)
#undef X
};

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
        //  Who did it: the enrolled device's name, and its key for the record.
        const char *name = ctx->devices ? broker_devices_name (ctx->devices, ctx->principal) : "";
        json_object_set_new (body, "device", json_string (*name ? name : ctx->principal));
        json_object_set_new (body, "device_key", json_string (ctx->principal));
    }
    unsigned char key[8];
    broker_key_u64 (seq, key);
    broker_store_put_json (ctx->store, BROKER_DB_EVENTS, key, sizeof key, body);
    json_array_append_new (ctx->events, json_pack ("{s:s, s:I, s:o}", "topic", topic, "seq",
                                                   (json_int_t)seq, "body", body));
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

//  Ticket state as its holder sees it: public fields plus place in line and wait.
static json_t *
s_ticket_view (broker_ctx_t *ctx, const broker_ticket_t *t, bool live)
{
    json_t *j = broker_ticket_json (ctx->hall, t, false);
    const broker_service_cfg_t *svc = &ctx->config->services[t->service];
    json_object_set_new (j, "service_name", json_string (svc->name));
    json_object_set_new (j, "service_name_en", json_string (svc->name_en));
    if (live && t->state == TICKET_WAITING) {
        int ahead = broker_estimate_ahead (ctx->hall, t);
        json_object_set_new (j, "ahead", json_integer (ahead));
        int64_t naive = broker_estimate_wait_s (ctx->hall, t->service, ahead);
        int64_t sim = broker_estimate_sim_s (ctx->hall, ctx->now, t);
        json_object_set_new (j, "est_wait_s", sim >= 0 ? json_integer (sim) : json_null ());
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

//  ---------------------------------------------------------------------------------------
//  Hall

int
broker_h_hall_info (broker_ctx_t *ctx, const json_t *body)
{
    (void)body;
    const broker_config_t *cfg = ctx->config;
    json_t *services = json_array ();
    for (int i = 0; i < cfg->nservices; i++)
        json_array_append_new (
            services, json_pack ("{s:s, s:s, s:s, s:i}", "prefix", cfg->services[i].prefix, "name",
                                 cfg->services[i].name, "name_en", cfg->services[i].name_en,
                                 "mean_service_s", cfg->services[i].mean_service_s));
    json_t *counters = json_array ();
    for (int i = 0; i < cfg->ncounters; i++) {
        json_t *list = json_array ();
        for (int s = 0; s < cfg->nservices; s++)
            if (cfg->counters[i].services & (1u << s))
                json_array_append_new (list, json_string (cfg->services[s].prefix));
        json_t *breaks = json_array ();
        for (int b = 0; b < cfg->counters[i].nbreaks; b++) {
            char period[16];
            int from = cfg->counters[i].break_from[b], to = cfg->counters[i].break_to[b];
            snprintf (period, sizeof period, "%02d:%02d-%02d:%02d", from / 60 % 100, from % 60,
                      to / 60 % 100, to % 60);
            json_array_append_new (breaks, json_string (period));
        }
        json_array_append_new (
            counters, json_pack ("{s:i, s:s, s:o, s:o}", "id", cfg->counters[i].id, "name",
                                 cfg->counters[i].name, "services", list, "breaks", breaks));
    }
    json_t *items = json_array ();
    for (int i = 0; i < cfg->nitems; i++) {
        const broker_item_cfg_t *it = &cfg->items[i];
        json_t *docs = json_array ();
        for (int k = 0; k < it->ndocs; k++)
            json_array_append_new (
                docs, json_pack ("{s:s, s:s}", "id", it->docs[k].id, "name", it->docs[k].name));
        static const char *applicants[] = {"person", "company", "either"};
        json_array_append_new (
            items, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:b, s:o}", "id",
                              it->id, "name", it->name, "service",
                              cfg->services[it->service].prefix, "department", it->department,
                              "kind", it->kind == BROKER_ITEM_IMMEDIATE ? "immediate" : "promised",
                              "statutory_days", it->statutory_days, "promised_days",
                              it->promised_days, "max_extension_days", it->max_extension_days,
                              "applicant", applicants[it->applicant], "physical_result",
                              it->physical, "documents", docs));
    }
    ctx->reply = json_pack (
        "{s:s, s:{s:s, s:s, s:s, s:i}, s:o, s:o, s:s, s:s, s:I, s:i, s:{s:s, s:i, s:i, s:i, s:s},"
        " s:s, s:{s:i, s:i}, s:o, s:O}",
        "protocol", PROTO_SIGNATURE, "hall", "id", cfg->hall_id, "name", cfg->hall_name, "name_en",
        cfg->hall_name_en, "utc_offset_min", cfg->utc_offset_min, "services", services, "counters",
        counters, "events", ctx->pub_endpoint ? ctx->pub_endpoint : "", "clock",
        broker_clock_simulated (ctx->clock) ? "sim" : "real", "now", (json_int_t)ctx->now, "day",
        broker_business_day (ctx->now, cfg->utc_offset_min, cfg->reset_hour), "missed", "rule",
        broker_config_missed_name (cfg->missed_rule), "places", cfg->missed_places, "max_misses",
        cfg->missed_max, "minutes", cfg->missed_grace_min, "notice", cfg->missed_notice,
        "status_url", cfg->status_url, "limits", "max_body", PROTO_MAX_BODY, "max_message",
        PROTO_MAX_MSG, "items", items, "departments", cfg->departments);
    json_object_set_new (ctx->reply, "seq", json_integer ((json_int_t)ctx->hall->last_seq));
    //  The appointment rules, so a booking page can offer only slots that exist.
    json_t *hours = json_array ();
    for (int p = 0; p < cfg->appt_nperiods; p++) {
        char period[16];
        int from = cfg->appt_open_min[2 * p], to = cfg->appt_open_min[2 * p + 1];
        snprintf (period, sizeof period, "%02d:%02d-%02d:%02d", from / 60 % 100, from % 60,
                  to / 60 % 100, to % 60);
        json_array_append_new (hours, json_string (period));
    }
    json_object_set_new (
        ctx->reply, "appointments",
        json_pack ("{s:i, s:i, s:i, s:i, s:i, s:o}", "slot_minutes", cfg->appt_slot_min, "capacity",
                   cfg->appt_capacity, "early_minutes", cfg->appt_early_min, "late_minutes",
                   cfg->appt_late_min, "days_ahead", cfg->appt_days_ahead, "hours", hours));
    return 0;
}

//  Adds 1 to the count under `name` in `counts`.
static void
s_count (json_t *counts, const char *name)
{
    json_object_set_new (counts, name,
                         json_integer (json_integer_value (json_object_get (counts, name)) + 1));
}

//  Open cases by state and by warning raised: what a manager watches.
static json_t *
s_case_summary (broker_ctx_t *ctx)
{
    json_t *out =
        json_pack ("{s:i, s:i, s:i, s:i}", "open", 0, "yellow", 0, "red", 0, "overdue", 0);
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_OPEN_CASES, NULL, 0, &it);
    while (broker_store_next (&it)) {
        char no[64];
        if (it.key.mv_size >= sizeof no)
            continue;
        memcpy (no, it.key.mv_data, it.key.mv_size);
        no[it.key.mv_size] = 0;
        json_t *c = broker_case_load (ctx, no);
        if (!c)
            continue;
        const char *state = json_string_value (json_object_get (c, "state"));
        s_count (out, "open");
        if (state)
            s_count (out, state);
        size_t i;
        json_t *lvl;
        json_array_foreach (json_object_get (c, "warnings"), i, lvl)
            s_count (out, json_string_value (lvl));
        json_decref (c);
    }
    broker_store_scan_end (&it);
    return out;
}

int
broker_h_hall_snapshot (broker_ctx_t *ctx, const json_t *body)
{
    (void)body;
    broker_hall_t *hall = ctx->hall;
    const broker_config_t *cfg = ctx->config;
    json_t *services = json_array ();
    for (int s = 0; s < cfg->nservices; s++) {
        int ahead = broker_estimate_ahead_new (hall, s, PRIORITY_NORMAL);
        int64_t naive = broker_estimate_wait_s (hall, s, ahead);
        int64_t wait = broker_estimate_sim_new_s (hall, ctx->now, s);
        json_array_append_new (
            services, json_pack ("{s:s, s:s, s:s, s:I, s:i, s:I, s:o, s:o}", "prefix",
                                 cfg->services[s].prefix, "name", cfg->services[s].name, "name_en",
                                 cfg->services[s].name_en, "waiting",
                                 (json_int_t)broker_hall_waiting (hall, s), "open_counters",
                                 broker_hall_open_counters (hall, s), "mean_service_s",
                                 (json_int_t)(broker_estimate_mean_ms (hall, s) / 1000.0 + 0.5),
                                 "est_wait_s", wait >= 0 ? json_integer (wait) : json_null (),
                                 "naive_wait_s", naive >= 0 ? json_integer (naive) : json_null ()));
    }
    json_t *counters = json_array ();
    for (int i = 0; i < cfg->ncounters; i++)
        json_array_append_new (counters, broker_counter_json (hall, &hall->counters[i]));
    json_t *tickets = json_array ();
    for (size_t i = 0; i < hall->nlive; i++)
        json_array_append_new (tickets, broker_ticket_json (hall, hall->live[i], false));
    //  Today's figures per service (the day's history a view cannot rebuild from events).
    json_t *stats = json_object ();
    for (int s = 0; s < cfg->nservices; s++)
        json_object_set_new (stats, cfg->services[s].prefix,
                             broker_day_service_json (&hall->day_svc[s]));
    ctx->reply =
        json_pack ("{s:I, s:I, s:i, s:o, s:o, s:o, s:o, s:i, s:i, s:o, s:o}", "seq",
                   (json_int_t)hall->last_seq, "now", (json_int_t)ctx->now, "day",
                   broker_business_day (ctx->now, cfg->utc_offset_min, cfg->reset_hour), "services",
                   services, "counters", counters, "tickets", tickets, "stats", stats,
                   "over_wait_minutes", cfg->over_wait_min, "utc_offset_min", cfg->utc_offset_min,
                   "cases", s_case_summary (ctx), "cabinets", broker_vault_cabinets (ctx));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Tickets: kiosk side

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
    proto_token_new (t->token);
    t->ahead_at_issue = broker_estimate_ahead_new (ctx->hall, service, t->priority);
    int64_t naive = broker_estimate_wait_s (ctx->hall, service, t->ahead_at_issue);
    broker_hall_enqueue (ctx->hall, t);
    //  Printed on the slip: the forward simulation of the policy (docs/POLICY.md).
    t->est_wait_at_issue_s = broker_estimate_sim_s (ctx->hall, ctx->now, t);
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    s_day (ctx, service)->issued++;
    broker_hall_save_day_service (ctx->hall, ctx->store, service);

    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "ahead", json_integer (t->ahead_at_issue));
    json_object_set_new (evt, "est_wait_s",
                         t->est_wait_at_issue_s >= 0 ? json_integer (t->est_wait_at_issue_s)
                                                     : json_null ());
    json_object_set_new (evt, "naive_wait_s", naive >= 0 ? json_integer (naive) : json_null ());
    broker_emit (ctx, PROTO_EVT_TICKET_ISSUED, evt);

    json_t *r = s_ticket_view (ctx, t, false);
    json_object_set_new (r, "token", json_string (t->token));
    char qr[600];
    snprintf (qr, sizeof qr, "%s%s", cfg->status_url, t->token);
    json_object_set_new (r, "qr", json_string (qr));
    json_object_set_new (r, "ahead", json_integer (t->ahead_at_issue));
    json_object_set_new (r, "est_wait_s",
                         t->est_wait_at_issue_s >= 0 ? json_integer (t->est_wait_at_issue_s)
                                                     : json_null ());
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
    ctx->reply = json_pack ("{s:o, s:s, s:o}", "ticket", s_ticket_view (ctx, t, live), "hall",
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
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, false));
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
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Counters

broker_counter_t *
broker_counter_of (broker_ctx_t *ctx, const json_t *body)
{
    json_int_t id = json_integer_value (json_object_get (body, "counter"));
    broker_counter_t *c = id >= 1 && id <= 9999 ? broker_hall_counter (ctx->hall, (int)id) : NULL;
    if (!c)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_COUNTER, "no counter %lld in this hall", (long long)id);
    return c;
}

void
broker_counter_changed (broker_ctx_t *ctx, broker_counter_t *c, const char *action)
{
    broker_hall_save_counter (ctx->hall, ctx->store, c);
    broker_emit (
        ctx, PROTO_EVT_COUNTER_CHANGED,
        json_pack ("{s:o, s:s}", "counter", broker_counter_json (ctx->hall, c), "action", action));
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

int
broker_h_counter_login (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c)
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
    broker_counter_changed (ctx, c, "login");
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

static int
s_logged_in (broker_ctx_t *ctx, broker_counter_t *c)
{
    if (c->state == COUNTER_LOGGED_OUT)
        return broker_fail (ctx, PROTO_ERR_NOT_LOGGED_IN,
                            "counter %d is not logged in; log in first", c->id);
    return 0;
}

int
broker_h_counter_pause (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_logged_in (ctx, c))
        return -1;
    if (c->ticket)
        return broker_fail (ctx, PROTO_ERR_COUNTER_BUSY,
                            "counter %d holds ticket %s (%s); finish it or mark it missed first",
                            c->id, c->ticket->number, broker_ticket_state_name (c->ticket->state));
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
    broker_counter_changed (ctx, c, "pause");
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

int
broker_h_counter_resume (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_logged_in (ctx, c))
        return -1;
    if (c->state != COUNTER_PAUSED)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "counter %d is %s, not paused", c->id,
                            broker_counter_state_name (c->state));
    c->pause_reason[0] = 0;
    s_counter_state (ctx, c, COUNTER_IDLE);
    broker_counter_changed (ctx, c, "resume");
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

int
broker_h_counter_logout (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_logged_in (ctx, c))
        return -1;
    if (c->ticket)
        return broker_fail (ctx, PROTO_ERR_COUNTER_BUSY,
                            "counter %d holds ticket %s (%s); finish it or mark it missed first",
                            c->id, c->ticket->number, broker_ticket_state_name (c->ticket->state));
    c->clerk[0] = 0;
    c->pause_reason[0] = 0;
    c->services = 0;
    s_counter_state (ctx, c, COUNTER_LOGGED_OUT);
    broker_counter_changed (ctx, c, "logout");
    ctx->reply = broker_counter_json (ctx->hall, c);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Tickets: counter side

//  The logged-in counter named in `body` and its ticket, which must be in `state`. The
//  optional "ticket" field (a number) guards against acting on a ticket the clerk did not
//  mean, e.g. from a stale screen.
int
broker_counter_ticket (broker_ctx_t *ctx, const json_t *body, broker_ticket_state_t state,
                       broker_counter_t **cp, broker_ticket_t **tp)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_logged_in (ctx, c))
        return -1;
    broker_ticket_t *t = c->ticket;
    if (!t)
        return broker_fail (ctx, PROTO_ERR_NO_TICKET, "counter %d holds no ticket; call one first",
                            c->id);
    const char *number = json_string_value (json_object_get (body, "ticket"));
    if (number && strcmp (number, t->number) != 0)
        return broker_fail (ctx, PROTO_ERR_WRONG_TICKET, "counter %d holds %s, not %.16s", c->id,
                            t->number, number);
    if (t->state != state)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "ticket %s is %s, not %s", t->number,
                            broker_ticket_state_name (t->state), broker_ticket_state_name (state));
    *cp = c;
    *tp = t;
    return 0;
}

static json_t *
s_call_event (broker_ctx_t *ctx, const broker_ticket_t *t, const broker_counter_t *c,
              const char *reason)
{
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "counter_name", json_string (ctx->config->counters[c->cfg].name));
    json_object_set_new (evt, "recall", json_integer (t->recalls));
    if (reason)
        json_object_set_new (evt, "reason", json_string (reason));
    return evt;
}

static int s_ready_to_call (broker_ctx_t *ctx, broker_counter_t *c);
static void s_call (broker_ctx_t *ctx, broker_counter_t *c, broker_ticket_t *t, const char *reason,
                    const char *note);

int
broker_h_ticket_call_next (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_ready_to_call (ctx, c))
        return -1;
    const char *reason;
    broker_ticket_t *t = broker_policy_next (ctx->hall, c, ctx->now, &reason);
    if (!t)
        return broker_fail (ctx, PROTO_ERR_QUEUE_EMPTY, "nobody is waiting for counter %d", c->id);
    s_call (ctx, c, t, reason, NULL);
    size_t waiting = 0;
    for (int s = 0; s < ctx->config->nservices; s++)
        if (c->services & (1u << s))
            waiting += broker_hall_waiting (ctx->hall, s);
    ctx->reply = json_pack ("{s:o, s:i, s:s, s:I}", "ticket", s_ticket_view (ctx, t, true),
                            "counter", c->id, "reason", reason, "waiting", (json_int_t)waiting);
    return 0;
}

//  A counter that may call now: logged in, not paused, holding nothing. 0 / -1.
static int
s_ready_to_call (broker_ctx_t *ctx, broker_counter_t *c)
{
    if (c->state == COUNTER_LOGGED_OUT)
        return broker_fail (ctx, PROTO_ERR_NOT_LOGGED_IN,
                            "counter %d is not logged in; log in first", c->id);
    if (c->state == COUNTER_PAUSED)
        return broker_fail (ctx, PROTO_ERR_COUNTER_PAUSED, "counter %d is paused; resume first",
                            c->id);
    if (c->ticket)
        return broker_fail (ctx, PROTO_ERR_COUNTER_BUSY,
                            "counter %d still holds %s (%s); finish it or mark it missed first",
                            c->id, c->ticket->number, broker_ticket_state_name (c->ticket->state));
    return 0;
}

//  Calls `t` (waiting or parked) to counter `c`, with the rule that chose it.
static void
s_call (broker_ctx_t *ctx, broker_counter_t *c, broker_ticket_t *t, const char *reason,
        const char *note)
{
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
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_call_event (ctx, t, c, reason);
    if (first)
        json_object_set_new (evt, "wait_s", json_integer ((ctx->now - t->issued_ms) / 1000));
    if (note)
        json_object_set_new (evt, "note", json_string (note));
    //  The hall moved: what a new ticket of each service would wait now (boards show it).
    json_t *est = json_object ();
    for (int s = 0; s < ctx->config->nservices; s++) {
        int64_t w = broker_estimate_sim_new_s (ctx->hall, ctx->now, s);
        json_object_set_new (est, s_prefix (ctx, s), w >= 0 ? json_integer (w) : json_null ());
    }
    json_object_set_new (evt, "est_new_s", est);
    broker_emit (ctx, PROTO_EVT_TICKET_CALLED, evt);
    broker_counter_changed (ctx, c, "call");
}

int
broker_h_ticket_call_specific (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_ready_to_call (ctx, c))
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
    s_call (ctx, c, t, "specific", reason);
    ctx->reply = json_pack ("{s:o, s:i, s:s}", "ticket", s_ticket_view (ctx, t, true), "counter",
                            c->id, "reason", "specific");
    return 0;
}

int
broker_h_ticket_park (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_logged_in (ctx, c))
        return -1;
    broker_ticket_t *t = c->ticket;
    const char *number = json_string_value (json_object_get (body, "ticket"));
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (!t)
        return broker_fail (ctx, PROTO_ERR_NO_TICKET, "counter %d holds no ticket", c->id);
    if (number && strcmp (number, t->number) != 0)
        return broker_fail (ctx, PROTO_ERR_WRONG_TICKET, "counter %d holds %s, not %.16s", c->id,
                            t->number, number);
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
    broker_counter_changed (ctx, c, "park");
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true));
    return 0;
}

int
broker_h_ticket_unpark (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c = broker_counter_of (ctx, body);
    if (!c || s_ready_to_call (ctx, c))
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
    s_call (ctx, c, t, "unpark", NULL);
    ctx->reply = json_pack ("{s:o, s:i}", "ticket", s_ticket_view (ctx, t, true), "counter", c->id);
    return 0;
}

int
broker_h_ticket_recall (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_ticket (ctx, body, TICKET_CALLED, &c, &t))
        return -1;
    t->recalls++;
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    broker_emit (ctx, PROTO_EVT_TICKET_CALLED, s_call_event (ctx, t, c, "recall"));
    ctx->reply = json_pack ("{s:o, s:i, s:i}", "ticket", s_ticket_view (ctx, t, true), "counter",
                            c->id, "recall", t->recalls);
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
    if (broker_counter_ticket (ctx, body, TICKET_CALLED, &c, &t))
        return -1;
    const broker_config_t *cfg = ctx->config;
    const char *outcome;
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
    broker_counter_changed (ctx, c, "missed");
    ctx->reply =
        json_pack ("{s:o, s:s}", "ticket", s_ticket_view (ctx, t, true), "outcome", outcome);
    if (broker_ticket_final (t))
        broker_hall_retire (ctx->hall, t);
    return 0;
}

int
broker_h_ticket_start (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_ticket (ctx, body, TICKET_CALLED, &c, &t))
        return -1;
    t->state = TICKET_SERVING;
    t->started_ms = ctx->now;
    s_counter_state (ctx, c, COUNTER_SERVING);
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    broker_emit (ctx, PROTO_EVT_TICKET_STARTED, evt);
    broker_counter_changed (ctx, c, "start");
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true));
    return 0;
}

int
broker_h_ticket_finish (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_ticket (ctx, body, TICKET_SERVING, &c, &t))
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
    broker_hall_save_ticket (ctx->hall, ctx->store, t);
    broker_rating_pad_set (ctx, c->id, t);
    json_t *evt = s_ticket_event (ctx, t);
    json_object_set_new (evt, "counter", json_integer (c->id));
    json_object_set_new (evt, "service_s", json_integer (service_ms / 1000));
    broker_emit (ctx, PROTO_EVT_TICKET_FINISHED, evt);
    broker_counter_changed (ctx, c, "finish");
    ctx->reply =
        json_pack ("{s:o, s:i}", "ticket", s_ticket_view (ctx, t, false), "served", c->served);
    broker_hall_retire (ctx->hall, t);
    return 0;
}

int
broker_h_ticket_transfer (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *c;
    broker_ticket_t *t;
    if (broker_counter_ticket (ctx, body, TICKET_SERVING, &c, &t))
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
    broker_counter_changed (ctx, c, "transfer");
    ctx->reply = json_pack ("{s:o}", "ticket", s_ticket_view (ctx, t, true));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Clock and timers

int
broker_h_clock_advance (broker_ctx_t *ctx, const json_t *body)
{
    if (!broker_clock_simulated (ctx->clock))
        return broker_fail (ctx, PROTO_ERR_NOT_SIMULATED,
                            "the broker runs on the real clock; start it with --clock sim");
    json_int_t ms = json_integer_value (json_object_get (body, "ms"));
    if (ms < 0 || ms > (json_int_t)366 * 86400000)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "ms must be from 0 to 366 days");
    broker_clock_advance (ctx->clock, ms);
    ctx->now = broker_clock_now (ctx->clock);
    char now[24];
    int len = snprintf (now, sizeof now, "%lld", (long long)ctx->now);
    broker_store_put (ctx->store, BROKER_DB_META, "sim_now", 7, now, (size_t)len);
    broker_emit (ctx, PROTO_EVT_CLOCK_ADVANCED,
                 json_pack ("{s:I, s:I}", "ms", ms, "now", (json_int_t)ctx->now));
    //  Whatever became due at the new time happens in the same transaction.
    broker_timers (ctx);
    ctx->reply = json_pack ("{s:I}", "now", (json_int_t)ctx->now);
    return 0;
}

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
        broker_counter_changed (ctx, expired_at, "expire");
    broker_hall_retire (ctx->hall, t);
}

void
broker_timers (broker_ctx_t *ctx)
{
    broker_hall_t *hall = ctx->hall;
    const broker_config_t *cfg = ctx->config;
    int today = broker_business_day (ctx->now, cfg->utc_offset_min, cfg->reset_hour);
    if (hall->day != today) {
        //  A new business day: yesterday's tickets end, counters close, numbering restarts
        //  (numbers are keyed by day, so that needs no action here).
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
                broker_counter_changed (ctx, &hall->counters[i], "day");
        hall->day = today;
        char val[16];
        int len = snprintf (val, sizeof val, "%d", today);
        broker_store_put (ctx->store, BROKER_DB_META, "day", 3, val, (size_t)len);
        char seq[24];
        len = snprintf (seq, sizeof seq, "%llu", (unsigned long long)hall->last_seq + 1);
        broker_store_put (ctx->store, BROKER_DB_META, "day_seq", 7, seq, (size_t)len);
        broker_emit (ctx, PROTO_EVT_HALL_DAY, json_pack ("{s:i}", "day", today));
    }
    for (size_t i = hall->nlive; i-- > 0;) {
        broker_ticket_t *t = hall->live[i];
        if (t->state == TICKET_MISSED && t->grace_until && t->grace_until <= ctx->now)
            s_expire (ctx, t, "grace_over");
    }
    broker_appt_timers (ctx);
    //  The case clock counts local calendar days: a new date may raise deadline warnings.
    int date = broker_today (ctx);
    if (hall->case_day != date) {
        broker_case_timers (ctx);
        hall->case_day = date;
        char val[16];
        int len = snprintf (val, sizeof val, "%d", date);
        broker_store_put (ctx->store, BROKER_DB_META, "case_day", 8, val, (size_t)len);
    }
}

int64_t
broker_timers_next (const broker_hall_t *hall, int64_t now)
{
    const broker_config_t *cfg = hall->config;
    int64_t next = broker_next_day_start (now, cfg->utc_offset_min, cfg->reset_hour);
    int64_t midnight = broker_next_day_start (now, cfg->utc_offset_min, 0);
    if (midnight < next)
        next = midnight;
    if (hall->appt_due && hall->appt_due < next)
        next = hall->appt_due;
    for (size_t i = 0; i < hall->nlive; i++) {
        const broker_ticket_t *t = hall->live[i];
        if (t->state == TICKET_MISSED && t->grace_until && t->grace_until < next)
            next = t->grace_until;
    }
    return next;
}
