/*  proto_kpi.c — see proto_kpi.h. */
#include "proto_kpi.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto_json.h"

//  num / den as a JSON real, or null when nothing was counted (a rate of nothing is unknown,
//  not zero).
static json_t *
s_ratio (json_int_t num, json_int_t den)
{
    return den > 0 ? json_real ((double)num / (double)den) : json_null ();
}

//  sum / n rounded to the nearest ms, or null when n is 0.
static json_t *
s_mean (json_int_t sum, json_int_t n)
{
    return n > 0 ? json_integer ((sum + n / 2) / n) : json_null ();
}

//  ---------------------------------------------------------------------------------------
//  The figures (KPIs)

static const char *const s_level_names[] = {"ok", "yellow", "red"};

//  A figure's level in the JSON: "ok", "yellow" or "red".
static json_t *
s_level_json (int level)
{
    return json_string (
        s_level_names[level >= PROTO_KPI_OK && level <= PROTO_KPI_RED ? level : PROTO_KPI_OK]);
}

int
proto_kpi_level_of (const json_t *k)
{
    for (int i = PROTO_KPI_OK; i <= PROTO_KPI_RED; i++)
        if (proto_is (k, "level", s_level_names[i]))
            return i;
    return PROTO_KPI_OK;
}

typedef struct {
    json_int_t waiting, issued, called, served, over_wait, missed, rated, ratings[5], sum_wait,
        sum_service, longest;
} s_totals_t;

static json_t *
s_service_kpis (const json_t *state, const json_t *svc, int64_t now, s_totals_t *tot)
{
    const char *prefix = proto_str (svc, "prefix");
    const json_t *st = json_object_get (json_object_get (state, "stats"), prefix);
    int64_t limit_ms = (int64_t)proto_int (state, "over_wait_minutes") * 60000;
    //  The oldest waiting ticket, and how many wait longer than the over-wait limit now.
    int64_t longest = -1;
    json_int_t waiting_over = 0;
    const char *id;
    json_t *t;
    json_object_foreach (json_object_get (state, "tickets"), id, t) {
        if (!proto_is (t, "service", prefix) || !proto_is (t, "state", "waiting"))
            continue;
        int64_t wait = now - (int64_t)proto_int (t, "issued");
        if (wait < 0)
            wait = 0;
        if (wait > longest)
            longest = wait;
        if (limit_ms > 0 && wait > limit_ms)
            waiting_over++;
    }
    json_int_t called = proto_int (st, "called"), served = proto_int (st, "served");
    json_int_t rated = proto_int (st, "rated");
    const json_t *r = json_object_get (st, "ratings");
    json_int_t lv[5];
    for (size_t i = 0; i < 5; i++)
        lv[i] = json_integer_value (json_array_get (r, i));
    json_int_t good = lv[4] + lv[3];
    json_int_t waiting = proto_int (svc, "waiting"), open = proto_int (svc, "open_counters");
    //  Red: someone has waited past the limit, or people wait and no counter serves them.
    int level = PROTO_KPI_OK;
    if ((limit_ms > 0 && longest > limit_ms) || (waiting > 0 && open == 0))
        level = PROTO_KPI_RED;
    else if (limit_ms > 0 && longest > limit_ms / 2)
        level = PROTO_KPI_YELLOW;
    const json_t *est = json_object_get (svc, "est_wait_s");
    json_t *alerts = json_array ();
    if (waiting > 0 && open == 0)
        json_array_append_new (alerts, json_string ("no_counter"));
    if (limit_ms > 0 && longest > limit_ms)
        json_array_append_new (alerts, json_string ("over_wait"));
    else if (limit_ms > 0 && longest > limit_ms / 2)
        json_array_append_new (alerts, json_string ("near_limit"));
    if (limit_ms > 0 && json_is_integer (est) && json_integer_value (est) * 1000 > limit_ms)
        json_array_append_new (alerts, json_string ("est_over"));
    json_t *k = json_pack (
        "{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:O, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:I,"
        " s:o, s:I, s:[I,I,I,I,I], s:o, s:o, s:o, s:o}",
        "prefix", prefix, "name", proto_str (svc, "name"), "name_en", proto_str (svc, "name_en"),
        "waiting", waiting, "open_counters", open, "longest_wait_ms",
        longest >= 0 ? json_integer (longest) : json_null (), "waiting_over", waiting_over,
        "est_wait_s",
        json_object_get (svc, "est_wait_s") ? json_object_get (svc, "est_wait_s") : json_null (),
        "issued", proto_int (st, "issued"), "called", called, "served", served, "missed",
        proto_int (st, "missed"), "cancelled", proto_int (st, "cancelled"), "transferred",
        proto_int (st, "transferred"), "avg_wait_ms",
        s_mean (proto_int (st, "sum_wait_ms"), called), "max_wait_ms",
        proto_int (st, "max_wait_ms"), "avg_service_ms",
        s_mean (proto_int (st, "sum_service_ms"), served), "over_wait", proto_int (st, "over_wait"),
        "over_wait_rate", s_ratio (proto_int (st, "over_wait"), called), "rated", rated, "ratings",
        lv[0], lv[1], lv[2], lv[3], lv[4], "rating_rate", s_ratio (rated, served), "good_rate",
        s_ratio (good, rated), "satisfaction", s_ratio (good + lv[2], rated), "level",
        s_level_json (level));
    json_object_set_new (k, "alerts", alerts);
    tot->waiting += waiting;
    tot->issued += proto_int (st, "issued");
    tot->called += called;
    tot->served += served;
    tot->over_wait += proto_int (st, "over_wait");
    tot->missed += proto_int (st, "missed");
    tot->rated += rated;
    for (size_t i = 0; i < 5; i++)
        tot->ratings[i] += lv[i];
    tot->sum_wait += proto_int (st, "sum_wait_ms");
    tot->sum_service += proto_int (st, "sum_service_ms");
    if (longest > tot->longest)
        tot->longest = longest;
    return k;
}

//  True if a service of counter `c` has people waiting (in the figures `services`).
static bool
s_people_wait_for (const json_t *c, const json_t *services)
{
    size_t i, j;
    json_t *p, *svc;
    json_array_foreach (json_object_get (c, "services"), i, p) {
        json_array_foreach (services, j, svc) {
            if (proto_is (svc, "prefix", json_string_value (p)) && proto_int (svc, "waiting") > 0)
                return true;
        }
    }
    return false;
}

static json_t *
s_counter_kpis (const json_t *c, int64_t now, const json_t *services)
{
    const char *state = proto_str (c, "state");
    bool idle = strcmp (state, "idle") == 0;
    bool busy = strcmp (state, "calling") == 0 || strcmp (state, "serving") == 0;
    bool paused = strcmp (state, "paused") == 0;
    //  The day object books a state's time when it ends; add the current state's so far
    //  (the broker's rule: idle, calling and serving are open; calling and serving busy).
    int64_t since = (int64_t)proto_int (c, "since");
    int64_t cur = since > 0 && now > since ? now - since : 0;
    const json_t *day = json_object_get (c, "day");
    int64_t open_ms = (int64_t)proto_int (day, "open_ms") + (idle || busy ? cur : 0);
    int64_t busy_ms = (int64_t)proto_int (day, "busy_ms") + (busy ? cur : 0);
    int64_t paused_ms = (int64_t)proto_int (day, "paused_ms") + (paused ? cur : 0);
    json_int_t served = day ? proto_int (day, "served") : proto_int (c, "served");
    const json_t *t = json_object_get (c, "ticket");
    int level = idle && cur >= PROTO_KPI_IDLE_WARN_MS && s_people_wait_for (c, services)
                    ? PROTO_KPI_YELLOW
                    : PROTO_KPI_OK;
    json_t *k = json_pack (
        "{s:I, s:s, s:s, s:O, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:o}", "id",
        proto_int (c, "id"), "name", proto_str (c, "name"), "state", state, "services",
        json_object_get (c, "services") ? json_object_get (c, "services") : json_null (), "ticket",
        json_is_object (t) ? json_string (proto_str (t, "number")) : json_null (), "ticket_service",
        json_is_object (t) ? json_string (proto_str (t, "service")) : json_null (), "served",
        served, "open_ms", (json_int_t)open_ms, "busy_ms", (json_int_t)busy_ms, "paused_ms",
        (json_int_t)paused_ms, "utilisation", s_ratio (busy_ms, open_ms), "idle_ms",
        idle ? json_integer (cur) : json_null (), "state_ms", (json_int_t)cur, "level",
        s_level_json (level));
    if (json_is_string (json_object_get (c, "clerk")))
        json_object_set (k, "clerk", json_object_get (c, "clerk"));
    if (json_is_string (json_object_get (c, "pause_reason")))
        json_object_set (k, "pause_reason", json_object_get (c, "pause_reason"));
    return k;
}

static json_t *
s_cabinet_kpis (const json_t *cab)
{
    json_int_t slots = 0, occupied = 0, in_use = 0, overdue = 0, disabled = 0;
    json_t *alarm_slots = json_array ();
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (cab, "slots"), i, s) {
        slots++;
        //  Occupied is what the slot's sensor reports: something lies in it. A cabinet
        //  without sensors reports none; then its state says so.
        const json_t *sensor = json_object_get (s, "occupied");
        occupied += json_is_boolean (sensor)
                        ? json_is_true (sensor)
                        : proto_is (s, "state", "occupied") || proto_is (s, "state", "overdue");
        in_use += !proto_is (s, "state", "free");
        overdue += proto_is (s, "state", "overdue");
        disabled += proto_is (s, "state", "disabled");
        json_t *al = json_object_get (s, "alarms");
        if (json_array_size (al) > 0)
            json_array_append_new (alarm_slots,
                                   json_pack ("{s:s, s:s, s:O}", "slot", proto_str (s, "slot"),
                                              "state", proto_str (s, "state"), "alarms", al));
    }
    json_t *online = json_object_get (cab, "online");
    bool off = online && !json_is_true (online);
    int level = json_array_size (alarm_slots) || off ? PROTO_KPI_RED
                : overdue                            ? PROTO_KPI_YELLOW
                                                     : PROTO_KPI_OK;
    return json_pack ("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:o}",
                      "cabinet", proto_str (cab, "cabinet"), "name", proto_str (cab, "name"),
                      "online", !off, "reported", proto_int (cab, "reported"), "slots", slots,
                      "occupied", occupied, "in_use", in_use, "free", slots - in_use, "occupancy",
                      s_ratio (occupied, slots), "alarm_slots", alarm_slots, "overdue_slots",
                      overdue, "disabled", disabled, "level", s_level_json (level));
}

static json_t *
s_case_kpis (const json_t *cases)
{
    //  The broker counts open cases by state and by warning; the ones a manager watches
    //  are always present, others are passed on as they come.
    json_t *k =
        json_pack ("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "open", 0, "yellow", 0, "red", 0,
                   "overdue", 0, "awaiting_pickup", 0, "ready_for_pickup", 0, "pickup_overdue", 0);
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)cases, key, v) {
        if (json_is_integer (v))
            json_object_set (k, key, v);
    }
    int level = proto_int (k, "red") || proto_int (k, "overdue")             ? PROTO_KPI_RED
                : proto_int (k, "yellow") || proto_int (k, "pickup_overdue") ? PROTO_KPI_YELLOW
                                                                             : PROTO_KPI_OK;
    json_object_set_new (k, "level", s_level_json (level));
    return k;
}

//  A service's alerts: the code, its level, and the words a manager reads.
static const struct {
    const char *alert;
    int level;
    const char *text;
} s_alerts[] = {
    {"no_counter", PROTO_KPI_RED, "无窗口办理"},
    {"over_wait", PROTO_KPI_RED, "有人已超时"},
    {"near_limit", PROTO_KPI_YELLOW, "接近超时"},
    {"est_over", PROTO_KPI_RED, "预计超时"},
};

int
proto_kpi_alert_level (const char *alert)
{
    for (size_t i = 0; alert && i < sizeof s_alerts / sizeof s_alerts[0]; i++)
        if (strcmp (s_alerts[i].alert, alert) == 0)
            return s_alerts[i].level;
    return PROTO_KPI_OK;
}

const char *
proto_kpi_alert_text (const char *alert)
{
    for (size_t i = 0; alert && i < sizeof s_alerts / sizeof s_alerts[0]; i++)
        if (strcmp (s_alerts[i].alert, alert) == 0)
            return s_alerts[i].text;
    return "需要关注";
}

const char *
proto_kpi_alarm_text (const char *alarm)
{
    static const struct {
        const char *alarm, *text;
    } texts[] = {
        {"ajar", "柜门未关"},
        {"jammed", "柜门卡滞，无法开启"},
        {"uncommanded_open", "柜门异常开启"},
        {"board_offline", "锁控板离线"},
        {"incident", "异常情况，需人工核查"},
        {"lockout", "扫码错误过多，暂时锁定"},
    };
    for (size_t i = 0; alarm && i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].alarm, alarm) == 0)
            return texts[i].text;
    return "柜体告警";
}

//  True if slot `slot` of cabinet `cabinet` (in the figures' `cabinets`) reports `alarm`.
static bool
s_alarm_on (const json_t *cabinets, const char *cabinet, const char *slot, const char *alarm)
{
    size_t i, j, k;
    json_t *cab, *s, *a;
    json_array_foreach (cabinets, i, cab) {
        if (!proto_is (cab, "cabinet", cabinet))
            continue;
        json_array_foreach (json_object_get (cab, "alarm_slots"), j, s) {
            if (!proto_is (s, "slot", slot))
                continue;
            json_array_foreach (json_object_get (s, "alarms"), k, a) {
                if (json_is_string (a) && strcmp (json_string_value (a), alarm) == 0)
                    return true;
            }
        }
    }
    return false;
}

json_t *
proto_kpi_alarms (const json_t *alarms, const json_t *cabinets)
{
    json_t *out = json_array ();
    json_t *seen = json_object ();
    size_t i;
    json_t *x;
    json_array_foreach (alarms, i, x) {
        if (i >= PROTO_KPI_RECENT_ALARMS)
            break;
        json_t *a = json_copy (x);
        const char *slot = json_string_value (json_object_get (x, "slot"));
        const char *name = proto_str (x, "alarm");
        json_t *active = json_null ();
        if (slot) {
            char key[256];
            snprintf (key, sizeof key, "%s/%s/%s", proto_str (x, "cabinet"), slot, name);
            bool newest = !json_object_get (seen, key);
            json_object_set_new (seen, key, json_true ());
            active = json_boolean (newest &&
                                   s_alarm_on (cabinets, proto_str (x, "cabinet"), slot, name));
        }
        json_object_set_new (a, "active", active);
        json_object_set_new (a, "text", json_string (proto_kpi_alarm_text (name)));
        json_array_append_new (out, a);
    }
    json_decref (seen);
    return out;
}

json_t *
proto_kpi_active_alarms (const json_t *cabinets, const json_t *recent)
{
    json_t *out = json_array ();
    size_t i, j, k, m;
    json_t *cab, *s, *a, *r;
    json_array_foreach (cabinets, i, cab) {
        json_array_foreach (json_object_get (cab, "alarm_slots"), j, s) {
            json_array_foreach (json_object_get (s, "alarms"), k, a) {
                const char *name = json_is_string (a) ? json_string_value (a) : "";
                json_t *since = json_null ();
                json_array_foreach (recent, m, r) {
                    if (json_is_true (json_object_get (r, "active")) &&
                        proto_is (r, "cabinet", proto_str (cab, "cabinet")) &&
                        proto_is (r, "slot", proto_str (s, "slot")) &&
                        proto_is (r, "alarm", name)) {
                        since = json_integer (proto_int (r, "time"));
                        break;
                    }
                }
                json_array_append_new (
                    out, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:o}", "cabinet",
                                    proto_str (cab, "cabinet"), "name", proto_str (cab, "name"),
                                    "slot", proto_str (s, "slot"), "alarm", name, "text",
                                    proto_kpi_alarm_text (name), "since", since));
            }
        }
    }
    return out;
}

json_t *
proto_kpi_hall (const json_t *state, const json_t *info, int64_t now)
{
    s_totals_t tot = {0};
    tot.longest = -1;
    json_t *services = json_array ();
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (state, "services"), i, x)
        json_array_append_new (services, s_service_kpis (state, x, now, &tot));
    json_t *counters = json_array ();
    json_array_foreach (json_object_get (state, "counters"), i, x)
        json_array_append_new (counters, s_counter_kpis (x, now, services));
    json_t *cabinets = json_array ();
    json_array_foreach (json_object_get (state, "cabinets"), i, x)
        json_array_append_new (cabinets, s_cabinet_kpis (x));
    json_t *alarms = proto_kpi_alarms (json_object_get (state, "alarms"), cabinets);
    const json_t *hall = json_object_get (info, "hall");
    const json_int_t *lv = tot.ratings;
    json_t *totals = json_pack (
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:[I,I,I,I,I], s:o, s:o,"
        " s:I}",
        "waiting", tot.waiting, "issued", tot.issued, "called", tot.called, "served", tot.served,
        "over_wait", tot.over_wait, "missed", tot.missed, "rated", tot.rated, "longest_wait_ms",
        tot.longest >= 0 ? json_integer (tot.longest) : json_null (), "avg_wait_ms",
        s_mean (tot.sum_wait, tot.called), "avg_service_ms", s_mean (tot.sum_service, tot.served),
        "over_wait_rate", s_ratio (tot.over_wait, tot.called), "rating_rate",
        s_ratio (tot.rated, tot.served), "ratings", lv[0], lv[1], lv[2], lv[3], lv[4], "good_rate",
        s_ratio (lv[4] + lv[3], tot.rated), "satisfaction",
        s_ratio (lv[4] + lv[3] + lv[2], tot.rated), "bad", lv[0] + lv[1]);
    json_t *active = proto_kpi_active_alarms (cabinets, alarms);
    return json_pack (
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "hall",
        proto_str (hall, "name"), "hall_en", proto_str (hall, "name_en"), "now", (json_int_t)now,
        "day", proto_int (state, "day"), "seq", proto_int (state, "seq"), "utc_offset_min",
        proto_int (state, "utc_offset_min"), "over_wait_minutes",
        proto_int (state, "over_wait_minutes"), "totals", totals, "services", services, "counters",
        counters, "cabinets", cabinets, "alarms", alarms, "cases",
        s_case_kpis (json_object_get (state, "cases")), "active_alarms", active);
}
