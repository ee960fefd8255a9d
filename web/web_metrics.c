/*  web_metrics.c — see web_metrics.h. */
#include "web_metrics.h"

#include <string.h>

#include "proto_json.h"

//  A Prometheus label value: backslash, quote and newline escaped.
static void
s_label (FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            fputc ('\\', f);
        if (*v == '\n')
            fputs ("\\n", f);
        else
            fputc (*v, f);
    }
}

static void
s_head (FILE *f, const char *name, const char *type, const char *help)
{
    fprintf (f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

//  `name`{service="P"} for a service of the figures.
static void
s_service_label (FILE *f, const char *name, const json_t *service)
{
    fprintf (f, "%s{service=\"", name);
    s_label (f, proto_str (service, "prefix"));
    fputs ("\"}", f);
}

//  One integer figure `key` per service, for each service that has it as an integer.
static void
s_per_service (FILE *f, const json_t *kpi, const char *name, const char *type, const char *help,
               const char *key)
{
    s_head (f, name, type, help);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (kpi, "services"), i, s) {
        if (!json_is_integer (json_object_get (s, key)))
            continue;
        s_service_label (f, name, s);
        fprintf (f, " %lld\n", (long long)proto_int (s, key));
    }
}

//  A summary without quantiles per service: the sum of `sum_key` (ms, from today's stats)
//  and the count of `count_key`, what halls report averages from.
static void
s_summary (FILE *f, const json_t *kpi, const json_t *stats, const char *name, const char *help,
           const char *sum_key, const char *count_key)
{
    s_head (f, name, "summary", help);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (kpi, "services"), i, s) {
        const json_t *day = json_object_get (stats, proto_str (s, "prefix"));
        fprintf (f, "%s_sum{service=\"", name);
        s_label (f, proto_str (s, "prefix"));
        fprintf (f, "\"} %.3f\n%s_count{service=\"", (double)proto_int (day, sum_key) / 1000.0,
                 name);
        s_label (f, proto_str (s, "prefix"));
        fprintf (f, "\"} %lld\n", (long long)proto_int (s, count_key));
    }
}

static void
s_gateway (FILE *f, web_t *w)
{
    s_head (f, "onewindow_up", "gauge", "1 while the gateway's mirror is in step with the broker.");
    fprintf (f, "onewindow_up %d\n", w->connected ? 1 : 0);
    s_head (f, "onewindow_events_seq", "gauge", "Sequence of the last broker event applied.");
    fprintf (f, "onewindow_events_seq %llu\n", (unsigned long long)proto_mirror_seq (w->mirror));
    s_head (f, "onewindow_mirror_snapshots_total", "counter",
            "Snapshots the mirror took (start, gaps, broker restarts).");
    fprintf (f, "onewindow_mirror_snapshots_total %d\n", proto_mirror_snapshots (w->mirror));
    s_head (f, "onewindow_sse_clients", "gauge", "Clients connected to /events.");
    fprintf (f, "onewindow_sse_clients %d\n", web_sse_clients (w->sse));
    s_head (f, "onewindow_sse_events_total", "counter", "Events sent out on /events.");
    fprintf (f, "onewindow_sse_events_total %llu\n", (unsigned long long)web_sse_events (w->sse));
}

//  The per-service figures, each one integer member of a service in proto_kpi_hall's
//  object.
static const struct {
    const char *name, *type, *key, *help;
} s_service_figures[] = {
    {"onewindow_waiting", "gauge", "waiting", "Tickets waiting, per service."},
    {"onewindow_open_counters", "gauge", "open_counters", "Counters open for the service."},
    {"onewindow_estimated_wait_seconds", "gauge", "est_wait_s",
     "Estimated wait for a new ticket (absent while no counter is open)."},
    {"onewindow_tickets_issued_total", "counter", "issued", "Tickets issued this business day."},
    {"onewindow_tickets_called_total", "counter", "called",
     "Tickets called (first calls) this business day."},
    {"onewindow_tickets_served_total", "counter", "served",
     "Tickets served to the end this business day."},
    {"onewindow_tickets_missed_total", "counter", "missed",
     "Tickets missed (过号) this business day."},
    {"onewindow_tickets_cancelled_total", "counter", "cancelled",
     "Tickets cancelled this business day."},
    {"onewindow_over_wait_total", "counter", "over_wait",
     "Calls after a wait over the hall's limit this business day."},
};

static void
s_services (FILE *f, const json_t *kpi, const json_t *stats)
{
    for (size_t k = 0; k < sizeof s_service_figures / sizeof s_service_figures[0]; k++)
        s_per_service (f, kpi, s_service_figures[k].name, s_service_figures[k].type,
                       s_service_figures[k].help, s_service_figures[k].key);
    s_summary (f, kpi, stats, "onewindow_wait_seconds",
               "Wait from issue to first call this business day.", "sum_wait_ms", "called");
    s_summary (f, kpi, stats, "onewindow_service_seconds",
               "Handling time from call to finish this business day.", "sum_service_ms", "served");
    s_head (f, "onewindow_ratings_total", "counter",
            "Ratings (好差评) by level this business day: 5 非常满意 .. 1 非常不满意.");
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (kpi, "services"), i, s) {
        for (int l = 1; l <= 5; l++) {
            fputs ("onewindow_ratings_total{service=\"", f);
            s_label (f, proto_str (s, "prefix"));
            fprintf (f, "\",level=\"%d\"} %lld\n", l,
                     (long long)json_integer_value (
                         json_array_get (json_object_get (s, "ratings"), (size_t)l - 1)));
        }
    }
}

static void
s_counters (FILE *f, const json_t *kpi)
{
    static const char *states[] = {"logged_out", "idle", "calling", "serving", "paused"};
    const json_t *counters = json_object_get (kpi, "counters");
    s_head (f, "onewindow_counters", "gauge", "Counters by state.");
    size_t i;
    json_t *c;
    for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
        int n = 0;
        json_array_foreach (counters, i, c)
            n += proto_is (c, "state", states[k]);
        fprintf (f, "onewindow_counters{state=\"%s\"} %d\n", states[k], n);
    }
    s_head (f, "onewindow_counter_served_total", "counter",
            "Tickets served per counter this business day.");
    json_array_foreach (counters, i, c)
        fprintf (f, "onewindow_counter_served_total{counter=\"%lld\"} %lld\n",
                 (long long)proto_int (c, "id"), (long long)proto_int (c, "served"));
}

//  Slots by the state each cabinet reports, as it reports them.
static void
s_cabinets (FILE *f, const json_t *st)
{
    s_head (f, "onewindow_cabinet_slots", "gauge", "Cabinet slots by state.");
    size_t i;
    json_t *cab;
    json_array_foreach (json_object_get (st, "cabinets"), i, cab) {
        json_t *by = json_object ();
        size_t j;
        json_t *slot;
        json_array_foreach (json_object_get (cab, "slots"), j, slot) {
            const char *state = proto_str (slot, "state");
            json_object_set_new (by, state, json_integer (proto_int (by, state) + 1));
        }
        const char *state;
        json_t *n;
        json_object_foreach (by, state, n) {
            fputs ("onewindow_cabinet_slots{cabinet=\"", f);
            s_label (f, proto_str (cab, "cabinet"));
            fputs ("\",state=\"", f);
            s_label (f, state);
            fprintf (f, "\"} %lld\n", (long long)json_integer_value (n));
        }
        json_decref (by);
    }
}

static void
s_cases (FILE *f, const json_t *kpi)
{
    s_head (f, "onewindow_cases", "gauge",
            "Open cases (kind=\"open\") and those with each warning raised.");
    const char *kind;
    json_t *n;
    json_object_foreach (json_object_get (kpi, "cases"), kind, n) {
        if (!json_is_integer (n))
            continue;
        fputs ("onewindow_cases{kind=\"", f);
        s_label (f, kind);
        fprintf (f, "\"} %lld\n", (long long)json_integer_value (n));
    }
}

enum MHD_Result
web_metrics_get (web_t *web, web_req_t *req)
{
    const json_t *st = proto_mirror_state (web->mirror);
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    json_t *kpi = web_kpi (web);
    s_gateway (f, web);
    s_services (f, kpi, json_object_get (st, "stats"));
    s_counters (f, kpi);
    s_cabinets (f, st);
    s_cases (f, kpi);
    json_decref (kpi);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_TEXT);
}
