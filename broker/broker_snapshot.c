/*  broker_snapshot.c — see broker_snapshot.h. */
#include "broker_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_case.h"
#include "broker_estimate.h"
#include "broker_holidays.h"
#include "broker_idcheck.h"
#include "broker_vault.h"

//  A yyyymmdd date as JSON: null for 0.
static json_t *
s_date_json (int day)
{
    return day ? json_integer (day) : json_null ();
}

//  The sentence an operator reads when the published calendar runs short.
static json_t *
s_calendar_warning (const broker_calendar_reach_t *r, int today, int longest)
{
    char from[16], until[16], need[16], now[16], stop[48];
    broker_calendar_date_format (r->provisional_from, from, sizeof from);
    broker_calendar_date_format (r->published_until, until, sizeof until);
    broker_calendar_date_format (r->needed_until, need, sizeof need);
    broker_calendar_date_format (today, now, sizeof now);
    if (!r->published_until)
        snprintf (stop, sizeof stop, "no year file is loaded");
    else if (r->provisional_from > r->published_until)
        snprintf (stop, sizeof stop, "the published calendar ends %s", until);
    else
        snprintf (stop, sizeof stop, "no year file covers %s", from);
    char text[1024];
    snprintf (text, sizeof text,
              "%s, but a case accepted today (%s) may need days up to %s (the longest limit, %d "
              "working days, and %d days more): add the next notice's year file to the "
              "calendar (cases.calendar) and run "
              "`onewindow admin calendar reload` (or send the broker SIGHUP); until then "
              "deadlines from %s on count the statutory holidays only, no 调休, and are "
              "provisional",
              stop, now, need, longest, BROKER_CALENDAR_MARGIN_DAYS, from);
    return json_string (text);
}

json_t *
broker_snapshot_calendar (broker_ctx_t *ctx)
{
    const broker_config_t *cfg = ctx->config;
    int longest = 0;
    for (int i = 0; i < cfg->nitems; i++)
        if (cfg->items[i].statutory_days + cfg->items[i].max_extension_days > longest)
            longest = cfg->items[i].statutory_days + cfg->items[i].max_extension_days;
    int today = broker_today (ctx);
    broker_calendar_reach_t r = {0};
    broker_calendar_reach (ctx->calendar, today, longest, BROKER_CALENDAR_MARGIN_DAYS, &r);
    return json_pack ("{s:o, s:o, s:o, s:i, s:i, s:i, s:o}", "published_from",
                      s_date_json (r.published_from), "published_until",
                      s_date_json (r.published_until), "provisional_from",
                      s_date_json (r.provisional_from), "statutory_until",
                      BROKER_HOLIDAYS_LAST_YEAR * 10000 + 1231, "longest_days", longest,
                      "needed_until", r.needed_until, "warning",
                      r.short_of_need ? s_calendar_warning (&r, today, longest) : json_null ());
}

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
    json_object_set_new (ctx->reply, "calendar", broker_snapshot_calendar (ctx));
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
    json_t *open_cases = json_object ();
    ctx->reply = json_pack ("{s:I, s:I, s:i, s:o, s:o, s:o, s:o, s:i, s:i, s:o, s:o, s:o}", "seq",
                            (json_int_t)hall->last_seq, "now", (json_int_t)ctx->now, "day",
                            broker_business_day (ctx->now, cfg->utc_offset_min, cfg->reset_hour),
                            "services", services, "counters", counters, "tickets", tickets, "stats",
                            stats, "over_wait_minutes", cfg->over_wait_min, "utc_offset_min",
                            cfg->utc_offset_min, "cases", broker_case_summary (ctx, open_cases),
                            "open_cases", open_cases, "cabinets", broker_vault_cabinets (ctx));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  What each role may read of the journal (PROTOCOL.md 12)

//  The fields of a case that a device other than staff's reads: what a board or a public
//  page shows of it, nobody's name, number, documents, reasons or cabinet slot.
static const char *s_case_public[] = {
    "case_no",
    "hall",
    "item",
    "item_name",
    "service",
    "department",
    "kind",
    "physical",
    "ticket",
    "state",
    "received",
    "accepted",
    "concluded",
    "collected",
    "warnings",
    "counter",
    "statutory_days",
    "promised_days",
    "extension_days",
    "accepted_day",
    "statutory_deadline",
    "promised_deadline",
    "provisional",
};

//  ... and of a rectification item (6.17): what was rated and where it stands, not the
//  citizen's comment nor what the hall answered them.
static const char *s_rectification_public[] = {
    "id",  "subject", "level",    "level_name",  "counter", "case_no", "item", "department",
    "day", "days",    "deadline", "provisional", "state",   "stage",   "time",
};

//  Keeps only the listed fields of the object under `key` in `e` (if there is one).
static void
s_keep_only (json_t *e, const char *key, const char **keep, size_t nkeep)
{
    json_t *obj = json_object_get (e, key);
    if (!json_is_object (obj))
        return;
    json_t *small = json_object ();
    for (size_t i = 0; i < nkeep; i++) {
        json_t *v = json_object_get (obj, keep[i]);
        if (v)
            json_object_set (small, keep[i], v);
    }
    json_object_set_new (e, key, small);
}

//  Masks `key` of `obj` as `mask` does, unless it is masked already (an event journaled
//  before masking holds the whole value).
static void
s_mask (json_t *obj, const char *key, void (*mask) (const char *, char *, size_t))
{
    const char *v = json_string_value (json_object_get (obj, key));
    if (!v || strchr (v, '*'))
        return;
    char masked[256];
    mask (v, masked, sizeof masked);
    json_object_set_new (obj, key, json_string (masked));
}

//  A person's fields in `obj`, masked: `name_key`, `id_key`, and the phone.
static void
s_mask_person (json_t *obj, const char *name_key, const char *id_key)
{
    if (!json_is_object (obj))
        return;
    s_mask (obj, name_key, broker_idcheck_mask_name);
    s_mask (obj, id_key, broker_idcheck_mask_id);
    s_mask (obj, "phone", broker_idcheck_mask_phone);
}

//  Staff's view of a journaled event: its people masked, as every event is journaled now.
static void
s_staff_view (json_t *e)
{
    json_t *c = json_object_get (e, "case");
    s_mask_person (json_object_get (c, "applicant"), "name", "id_number");
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "proxies"), i, p)
        s_mask_person (p, "name", "id_number");
    s_mask_person (json_object_get (c, "collected_at"), "proxy_name", "id_number");
    s_mask (e, "proxy_name", broker_idcheck_mask_name);
    s_mask (e, "proxy_id_number", broker_idcheck_mask_id);
    s_mask (e, "id_number", broker_idcheck_mask_id);
    s_mask_person (json_object_get (e, "appointment"), "name", "id_number");
}

//  The public view of a journaled event: no person in it at all.
static void
s_public_view (json_t *e)
{
    s_keep_only (e, "case", s_case_public, sizeof s_case_public / sizeof *s_case_public);
    s_keep_only (e, "rectification", s_rectification_public,
                 sizeof s_rectification_public / sizeof *s_rectification_public);
    static const char *personal[] = {"proxy_name", "proxy_id_type", "proxy_id_number",
                                     "id_type",    "id_number",     "comment"};
    for (size_t i = 0; i < sizeof personal / sizeof *personal; i++)
        json_object_del (e, personal[i]);
    json_t *a = json_object_get (e, "appointment");
    json_object_del (a, "name");
    json_object_del (a, "phone");
}

//  The journal read back: a viewer that saw a gap in the sequence numbers fills it here.
int
broker_h_events_range (broker_ctx_t *ctx, const json_t *body)
{
    json_int_t from = json_integer_value (json_object_get (body, "from"));
    json_t *lim = json_object_get (body, "limit");
    json_int_t limit = lim ? json_integer_value (lim) : 1000;
    if (from < 1 || limit < 1 || limit > 1000)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "from must be >= 1 and limit 1..1000");
    json_t *events = json_array ();
    for (json_int_t seq = from; seq < from + limit && (uint64_t)seq <= ctx->hall->last_seq; seq++) {
        unsigned char key[8];
        broker_key_u64 ((uint64_t)seq, key);
        json_t *e = broker_store_get_json (ctx->store, BROKER_DB_EVENTS, key, sizeof key);
        if (!e)
            continue;
        if (ctx->roles & BROKER_STAFF_ROLES)
            s_staff_view (e);
        else
            s_public_view (e);
        json_array_append_new (events, e);
    }
    MDB_val v;
    json_int_t day_seq = 1;
    if (broker_store_get (ctx->store, BROKER_DB_META, "day_seq", 7, &v) == 0 && v.mv_size < 24) {
        char buf[24];
        memcpy (buf, v.mv_data, v.mv_size);
        buf[v.mv_size] = 0;
        day_seq = atoll (buf);
    }
    ctx->reply = json_pack ("{s:o, s:I, s:I}", "events", events, "last_seq",
                            (json_int_t)ctx->hall->last_seq, "day_first_seq", day_seq);
    return 0;
}
