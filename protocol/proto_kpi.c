/*  proto_kpi.c — see proto_kpi.h. */
#include "proto_kpi.h"

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
    json_t *alarms = json_array ();
    json_array_foreach (json_object_get (state, "alarms"), i, x) {
        if (i < PROTO_KPI_RECENT_ALARMS)
            json_array_append (alarms, x);
    }
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
    return json_pack ("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "hall",
                      proto_str (hall, "name"), "hall_en", proto_str (hall, "name_en"), "now",
                      (json_int_t)now, "day", proto_int (state, "day"), "seq",
                      proto_int (state, "seq"), "utc_offset_min",
                      proto_int (state, "utc_offset_min"), "over_wait_minutes",
                      proto_int (state, "over_wait_minutes"), "totals", totals, "services",
                      services, "counters", counters, "cabinets", cabinets, "alarms", alarms,
                      "cases", s_case_kpis (json_object_get (state, "cases")));
}
