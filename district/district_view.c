/*  district_view.c — see district_view.h. */
#include "district_view.h"

#include <stdio.h>
#include <string.h>

#include "district_report.h"
#include "proto_journal.h"
#include "proto_json.h"
#include "proto_kpi.h"

#define HISTORY_DAYS 14

//  The eight members of an index every view shows, or null.
static json_t *
s_index8 (const json_t *index)
{
    if (!json_is_object (index))
        return json_null ();
    json_t *out = json_object ();
    for (const char *const *k = district_index_keys; *k; k++) {
        json_t *v = json_object_get (index, *k);
        json_object_set (out, *k, v ? v : json_null ());
    }
    return out;
}

//  The longest wait of a new ticket over the services that have one, or null.
static json_t *
s_est_wait (const json_t *kpis)
{
    json_int_t max = -1;
    size_t i;
    json_t *svc;
    json_array_foreach (json_object_get (kpis, "services"), i, svc) {
        const json_t *est = json_object_get (svc, "est_wait_s");
        if (json_is_integer (est) && json_integer_value (est) > max)
            max = json_integer_value (est);
    }
    return max >= 0 ? json_integer (max) : json_null ();
}

static json_int_t
s_open_counters (const json_t *kpis)
{
    json_int_t n = 0;
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (kpis, "counters"), i, c)
        n += proto_is (c, "state", "idle") || proto_is (c, "state", "calling") ||
             proto_is (c, "state", "serving");
    return n;
}

//  The services' alerts and the cabinets' alarms, as a manager reads them.
static json_t *
s_alarms (const json_t *kpis)
{
    json_t *out = json_array ();
    size_t i, j;
    json_t *svc, *a;
    char text[256];
    json_array_foreach (json_object_get (kpis, "services"), i, svc)
        json_array_foreach (json_object_get (svc, "alerts"), j, a) {
            const char *alert = json_string_value (a);
            snprintf (text, sizeof text, "%s：%s", proto_str (svc, "name"),
                      proto_kpi_alert_text (alert));
            int level = proto_kpi_alert_level (alert);
            json_array_append_new (out, json_pack ("{s:s, s:s}", "level",
                                                   level == PROTO_KPI_RED ? "red" : "yellow",
                                                   "text", text));
        }
    json_array_foreach (json_object_get (kpis, "active_alarms"), i, a) {
        snprintf (text, sizeof text, "%s %lld 号格：%s", proto_str (a, "name"),
                  (long long)proto_int (a, "slot"), proto_str (a, "text"));
        json_array_append_new (out, json_pack ("{s:s, s:s}", "level", "red", "text", text));
    }
    return out;
}

//  The change of the index total since the last earlier day held, or null.
static json_t *
s_trend (district_store_t *store, const district_config_t *cfg, const district_hall_cfg_t *h,
         const json_t *index, const json_t *info, int day)
{
    const json_t *total = json_object_get (index, "total");
    if (!json_is_number (total) || !day)
        return json_null ();
    json_t *rec = district_store_day_before (store, h->id, day);
    json_t *before = rec ? district_index (cfg, h, json_object_get (rec, "report"), info) : NULL;
    const json_t *old = json_object_get (before, "total");
    json_t *out = json_is_number (old)
                      ? json_real (json_number_value (total) - json_number_value (old))
                      : json_null ();
    json_decref (before);
    json_decref (rec);
    return out;
}

//  A new reference to `v`, or to a new `fallback` when it is absent.
static json_t *
s_or (json_t *v, json_t *fallback)
{
    if (!v)
        return fallback;
    json_decref (fallback);
    return json_incref (v);
}

//  `v` when it is an object, else NULL.
static const json_t *
s_object (const json_t *v)
{
    return json_is_object (v) ? v : NULL;
}

//  One hall's summary from its board entry; `index` gets its whole index (or NULL).
static json_t *
s_summary (district_store_t *store, const district_config_t *cfg, size_t i, const json_t *entry,
           json_t **index_out)
{
    const district_hall_cfg_t *h = &cfg->halls[i];
    //  The board gives null for what it does not have yet (a hall never reached).
    const json_t *kpis = s_object (json_object_get (entry, "kpis"));
    const json_t *totals = json_object_get (kpis, "totals");
    const json_t *report = s_object (json_object_get (entry, "report"));
    const json_t *info = json_object_get (entry, "info");
    const json_t *tickets = json_object_get (json_object_get (report, "kpis"), "tickets");
    const json_t *longest = json_object_get (totals, "longest_wait_ms");
    int day = (int)proto_int (entry, "day");
    json_t *index = report ? district_index (cfg, h, report, info) : NULL;
    json_t *s = json_pack (
        "{s:s, s:s, s:s, s:O, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:O,"
        " s:O}",
        "id", h->id, "name", h->name, "kind", district_kind_name (h->kind), "online",
        json_object_get (entry, "online"), "last_event_age_s",
        json_object_get (entry, "last_event_age_s"), "waiting",
        kpis ? json_integer (proto_int (totals, "waiting")) : json_null (), "longest_wait_s",
        json_is_integer (longest) ? json_integer (json_integer_value (longest) / 1000)
                                  : json_null (),
        "est_wait_s", s_est_wait (kpis), "open_counters",
        kpis ? json_integer (s_open_counters (kpis)) : json_null (), "index", s_index8 (index),
        "grade", s_or (json_object_get (index, "grade"), json_null ()), "trend",
        s_trend (store, cfg, h, index, info, day), "alarms", s_alarms (kpis), "day", day, "issued",
        tickets ? json_integer (proto_int (tickets, "issued")) : json_null (), "served",
        tickets ? json_integer (proto_int (tickets, "served")) : json_null (), "catching_up",
        json_object_get (entry, "catching_up"), "problem", json_object_get (entry, "problem"));
    json_object_set (s, "seq", json_object_get (entry, "seq"));
    json_object_set (s, "counted", json_object_get (entry, "counted"));
    if (index_out)
        *index_out = index;
    else
        json_decref (index);
    return s;
}

json_t *
district_view_halls (district_board_t *board, district_store_t *store, const district_config_t *cfg,
                     int64_t now_ms, json_t *stream)
{
    json_t *halls = json_array ();
    for (size_t i = 0; i < cfg->nhalls; i++) {
        json_t *entry = district_board_hall (board, i, now_ms);
        json_array_append_new (halls, s_summary (store, cfg, i, entry, NULL));
        json_decref (entry);
    }
    json_t *out = json_pack ("{s:{s:s, s:s}, s:o}", "district", "id", cfg->id, "name", cfg->name,
                             "halls", halls);
    if (stream)
        json_object_set_new (out, "stream", stream);
    return out;
}

//  The last HISTORY_DAYS days the district holds of hall `h` up to `day`.
static json_t *
s_history (district_store_t *store, const district_config_t *cfg, const district_hall_cfg_t *h,
           const json_t *info, int day)
{
    json_t *out = json_array ();
    if (!day)
        return out;
    int from = proto_journal_local_date (
        proto_journal_midnight (day, 0) - (int64_t)(HISTORY_DAYS - 1) * 86400000, 0);
    json_t *records = district_store_days (store, h->id, from, day);
    size_t i;
    json_t *rec;
    json_array_foreach (records, i, rec) {
        const json_t *report = json_object_get (rec, "report");
        const json_t *kpis = json_object_get (report, "kpis");
        const json_t *t = json_object_get (kpis, "tickets");
        json_t *index = district_index (cfg, h, report, info);
        json_t *total = json_object_get (index, "total");
        json_array_append_new (
            out, json_pack ("{s:O, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "day",
                            json_object_get (rec, "day"), "issued", json_object_get (t, "issued"),
                            "served", json_object_get (t, "served"), "avg_wait_ms",
                            json_object_get (t, "avg_wait_ms"), "over_wait_rate",
                            json_object_get (t, "over_wait_rate"), "good_rate",
                            json_object_get (json_object_get (kpis, "ratings"), "good_rate"),
                            "total", total));
        json_decref (index);
    }
    json_decref (records);
    return out;
}

json_t *
district_view_hall (district_board_t *board, district_store_t *store, const district_config_t *cfg,
                    size_t i, int64_t now_ms)
{
    json_t *entry = district_board_hall (board, i, now_ms);
    json_t *index = NULL;
    json_t *s = s_summary (store, cfg, i, entry, &index);
    json_t *kpis = json_object_get (entry, "kpis");
    const json_t *info = json_object_get (entry, "info");
    json_object_set_new (s, "services", s_or (json_object_get (kpis, "services"), json_array ()));
    json_object_set_new (s, "counters", s_or (json_object_get (kpis, "counters"), json_array ()));
    json_object_set_new (s, "cases", s_or (json_object_get (kpis, "cases"), json_null ()));
    json_object_set_new (s, "report", s_or (json_object_get (entry, "report"), json_null ()));
    json_object_set_new (s, "index_detail", index ? index : json_null ());
    json_object_set_new (
        s, "history", s_history (store, cfg, &cfg->halls[i], info, (int)proto_int (entry, "day")));
    json_decref (entry);
    return s;
}
