/*  sim_report.c — see sim_report.h. */
#include "sim_report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "sim_cli.h"

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

//  MAE, 90th percentile of |error| (nearest rank) and bias of err[0..n).
static void
s_errors (double *err, long n, double *mae, double *p90, double *bias)
{
    *mae = *p90 = *bias = 0;
    if (n <= 0)
        return;
    double sa = 0, s = 0;
    for (long i = 0; i < n; i++) {
        s += err[i];
        err[i] = fabs (err[i]);
        sa += err[i];
    }
    qsort (err, (size_t)n, sizeof *err, s_cmp_double);
    long rank = (long)ceil (0.9 * n);
    *p90 = err[rank > 0 ? rank - 1 : 0];
    *mae = sa / n;
    *bias = s / n;
}

//  The estimates measured: ours and three baselines (docs/SIMULATOR.md).
enum { M_EST, M_NAIVE, M_PLUS1, M_LES, M_COUNT };
static const char *s_method[M_COUNT] = {"estimate", "naive", "plus1", "les"};

typedef struct {
    long n;      //  tickets called (every one is measured)
    double wait; //  their mean wait
    double mae[M_COUNT], p90[M_COUNT], bias[M_COUNT];
    long null[M_COUNT]; //  tickets the method had no answer for
    long covered;       //  actual wait within the printed interval
    double width;       //  the interval's mean width
} s_acc_t;

//  What method `m` said at issue for citizen `z`, -1 when it had no answer.
static int64_t
s_said (const sim_cit_t *z, int m)
{
    return m == M_EST ? z->est : m == M_NAIVE ? z->naive : m == M_PLUS1 ? z->plus1 : z->les;
}

//  Accuracy over the citizens of `svc` (-1 all) issued in [from_min, to_min): every ticket
//  called is measured; a method's missing answer counts as a promise of 0 s.
static void
s_accuracy (const sim_world_t *w, int svc, int from_min, int to_min, s_acc_t *a)
{
    memset (a, 0, sizeof *a);
    double *e[M_COUNT];
    bool ok = true;
    for (int m = 0; m < M_COUNT; m++)
        ok = (e[m] = malloc ((size_t)(w->ncit + 1) * sizeof *e[m])) != NULL && ok;
    long n = 0;
    for (long i = 0; ok && i < w->ncit; i++) {
        const sim_cit_t *z = &w->cit[i];
        int min = sim_local_min (z->issued, w->off);
        if (!z->id || !z->called || (svc >= 0 && z->svc != svc) || min < from_min || min >= to_min)
            continue;
        double wait = (z->called - z->issued) / 1000.0;
        a->wait += wait;
        for (int m = 0; m < M_COUNT; m++) {
            int64_t said = s_said (z, m);
            a->null[m] += said < 0;
            e[m][n] = (said < 0 ? 0 : (double)said) - wait;
        }
        if (z->est_lo >= 0 && z->est_hi >= z->est_lo) {
            a->covered += wait >= z->est_lo && wait <= z->est_hi;
            a->width += (double)(z->est_hi - z->est_lo);
        }
        n++;
    }
    a->n = n;
    if (n) {
        a->wait /= n;
        a->width /= n;
    }
    for (int m = 0; m < M_COUNT; m++) {
        if (ok)
            s_errors (e[m], n, &a->mae[m], &a->p90[m], &a->bias[m]);
        free (e[m]);
    }
}

//  The best baseline (smallest MAE) other than the naive formula.
static int
s_best_other (const s_acc_t *a)
{
    return a->mae[M_LES] < a->mae[M_PLUS1] ? M_LES : M_PLUS1;
}

typedef struct {
    long tickets, called, served, missed, over, finished;
    double wait_sum, handle_sum, max_wait;
} s_kpi_t;

static void
s_kpis (const sim_world_t *w, int svc, int from_min, int to_min, s_kpi_t *k)
{
    memset (k, 0, sizeof *k);
    for (long i = 0; i < w->ncit; i++) {
        const sim_cit_t *z = &w->cit[i];
        int m = sim_local_min (z->issued, w->off);
        if (!z->id || (svc >= 0 && z->svc != svc) || m < from_min || m >= to_min)
            continue;
        k->tickets++;
        if (z->called) {
            double wait = (z->called - z->issued) / 1000.0;
            k->called++;
            k->wait_sum += wait;
            if (wait > k->max_wait)
                k->max_wait = wait;
            k->over += wait > SIM_OVER_WAIT_MIN * 60;
        }
        k->missed += z->missed;
        if (z->state == SIM_CIT_DONE) {
            k->finished++;
            k->handle_sum += (z->finished - z->called) / 1000.0;
        }
    }
    k->served = k->finished;
}

//  A CSV field for seconds, empty when -1 (no answer).
static void
s_field (char *out, size_t size, int64_t v)
{
    if (v >= 0)
        snprintf (out, size, "%lld", (long long)v);
    else if (size)
        out[0] = 0;
}

int
sim_report_csv (const sim_world_t *w, const char *path)
{
    FILE *f = strcmp (path, "-") == 0 ? stdout : fopen (path, "w");
    if (!f) {
        fprintf (stderr, "onewindow sim: cannot write %s: %s\n", path, strerror (errno));
        return -1;
    }
    fprintf (f, "number,service,priority,issued,called,wait_s,est_wait_s,naive_wait_s,missed,"
                "source,slot,counter,service_s,est_wait_lo_s,est_wait_hi_s,plus1_s,les_s,"
                "cancelled\n");
    //  In order of issue (citizens are stored in the order they were drawn).
    long *order = malloc ((size_t)(w->ncit + 1) * sizeof *order);
    long n = 0;
    for (long i = 0; order && i < w->ncit; i++)
        if (w->cit[i].id)
            order[n++] = i;
    for (long a = 1; order && a < n; a++) { //  insertion sort by ticket id: nearly sorted
        long v = order[a], b = a;
        while (b > 0 && w->cit[order[b - 1]].id > w->cit[v].id) {
            order[b] = order[b - 1];
            b--;
        }
        order[b] = v;
    }
    for (long k = 0; order && k < n; k++) {
        const sim_cit_t *z = &w->cit[order[k]];
        char issued[32], called[32] = "", wait[24] = "", est[24] = "", naive[24] = "", svc[24] = "";
        char lo[24] = "", hi[24] = "", plus1[24] = "", les[24] = "";
        sim_fmt_local (z->issued, w->off, issued, sizeof issued);
        if (z->called) {
            sim_fmt_local (z->called, w->off, called, sizeof called);
            snprintf (wait, sizeof wait, "%lld", (long long)((z->called - z->issued) / 1000));
        }
        if (z->est >= 0)
            snprintf (est, sizeof est, "%lld", (long long)z->est);
        if (z->naive >= 0)
            snprintf (naive, sizeof naive, "%lld", (long long)z->naive);
        if (z->state == SIM_CIT_DONE)
            snprintf (svc, sizeof svc, "%lld", (long long)((z->finished - z->started) / 1000));
        s_field (lo, sizeof lo, z->est_lo);
        s_field (hi, sizeof hi, z->est_hi);
        s_field (plus1, sizeof plus1, z->plus1);
        s_field (les, sizeof les, z->les);
        fprintf (f, "%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%d,%s,%s,%s,%s,%s,%d\n", z->number,
                 w->prefix[z->svc], z->priority, issued, called, wait, est, naive,
                 z->missed ? 1 : 0, z->appt ? "appointment" : "walk_in", z->slot, z->counter, svc,
                 lo, hi, plus1, les, z->cancelled ? 1 : 0);
    }
    free (order);
    if (f != stdout && fclose (f) != 0)
        return -1;
    return 0;
}

//  Seconds, or null when nothing was measured.
static json_t *
s_secs (double v, long n)
{
    return n > 0 ? json_integer (lround (v)) : json_null ();
}

//  The accuracy figures of `a` into `j`: per method MAE, P90 |error|, bias and the tickets
//  without an answer; the interval's coverage and width; the ratios.
static void
s_acc_put (json_t *j, const s_acc_t *a)
{
    char key[48];
    json_object_set_new (j, "estimate_n", json_integer (a->n));
    for (int m = 0; m < M_COUNT; m++) {
        snprintf (key, sizeof key, "%s_mae_s", s_method[m]);
        json_object_set_new (j, key, s_secs (a->mae[m], a->n));
        snprintf (key, sizeof key, "%s_p90_abs_s", s_method[m]);
        json_object_set_new (j, key, s_secs (a->p90[m], a->n));
        snprintf (key, sizeof key, "%s_bias_s", s_method[m]);
        json_object_set_new (j, key, s_secs (a->bias[m], a->n));
        snprintf (key, sizeof key, "%s_null", s_method[m]);
        json_object_set_new (j, key, json_integer (a->null[m]));
    }
    int best = s_best_other (a);
    json_object_set_new (j, "interval_covered", json_integer (a->covered));
    json_object_set_new (j, "interval_coverage",
                         a->n ? sim_real4 ((double)a->covered / a->n) : json_null ());
    json_object_set_new (j, "interval_width_s", s_secs (a->width, a->n));
    json_object_set_new (j, "wait_mean_s", s_secs (a->wait, a->n));
    json_object_set_new (j, "bias_pct",
                         a->n && a->wait > 0 ? sim_real4 (a->bias[M_EST] / a->wait) : json_null ());
    json_object_set_new (j, "mae_ratio",
                         a->n && a->mae[M_NAIVE] > 0 ? sim_real4 (a->mae[M_EST] / a->mae[M_NAIVE])
                                                     : json_null ());
    json_object_set_new (j, "best_baseline", json_string (s_method[best]));
    json_object_set_new (j, "mae_ratio_best",
                         a->n && a->mae[best] > 0 ? sim_real4 (a->mae[M_EST] / a->mae[best])
                                                  : json_null ());
}

//  Utilisation as the broker counts it, averaged over the counters that opened; the
//  hours they were open into *open_h.
static double
s_utilisation (const sim_world_t *w, double *open_h)
{
    double open = 0, util_sum = 0;
    int util_n = 0;
    for (int i = 0; i < w->nctr; i++)
        if (w->ctr[i].open_ms > 0) {
            util_sum += (double)w->ctr[i].busy_ms / w->ctr[i].open_ms;
            util_n++;
            open += w->ctr[i].open_ms;
        }
    *open_h = open / 3600000.0;
    return util_n ? util_sum / util_n : 0;
}

//  The day's tickets and waits, counted by the simulator, into `j`.
static void
s_report_day (const sim_world_t *w, json_t *j, double utilisation)
{
    s_kpi_t k;
    s_kpis (w, -1, 0, 1440, &k);
    long walkins = 0, appts = 0;
    for (long i = 0; i < w->ncit; i++)
        if (w->cit[i].id && w->cit[i].appt)
            appts++;
        else if (w->cit[i].id)
            walkins++;
    json_object_set_new (j, "tickets", json_integer (k.tickets));
    json_object_set_new (j, "walk_in", json_integer (walkins));
    json_object_set_new (j, "appointment_tickets", json_integer (appts));
    json_object_set_new (j, "called", json_integer (k.called));
    json_object_set_new (j, "served", json_integer (k.served));
    json_object_set_new (j, "missed", json_integer (k.missed));
    json_object_set_new (j, "avg_wait_s",
                         json_integer (k.called ? lround (k.wait_sum / k.called) : 0));
    json_object_set_new (j, "max_wait_s", json_integer (lround (k.max_wait)));
    json_object_set_new (j, "over_wait_min", json_integer (SIM_OVER_WAIT_MIN));
    json_object_set_new (j, "over_wait_rate", sim_real4 (k.called ? (double)k.over / k.called : 0));
    json_object_set_new (j, "avg_handling_s",
                         json_integer (k.finished ? lround (k.handle_sum / k.finished) : 0));
    json_object_set_new (j, "utilisation", sim_real4 (utilisation));
    json_object_set_new (j, "no_show_rate", sim_real4 (k.called ? (double)k.missed / k.called : 0));
    json_object_set_new (
        j, "appointments",
        json_pack ("{s:I, s:I, s:I, s:I, s:I, s:o}", "booked", (json_int_t)w->booked, "refused",
                   (json_int_t)w->booking_refused, "no_show", (json_int_t)w->appt_no_show,
                   "in_window", (json_int_t)w->appt_in_window, "outside_window",
                   (json_int_t)w->appt_outside, "no_show_rate",
                   sim_real4 (w->booked ? (double)w->appt_no_show / w->booked : 0)));
}

//  The estimator's accuracy over the whole day into `j`.
static void
s_report_accuracy (const sim_world_t *w, json_t *j)
{
    s_acc_t a;
    s_accuracy (w, -1, 0, 1440, &a);
    s_acc_put (j, &a);
    long cancelled = 0;
    for (long i = 0; i < w->ncit; i++)
        cancelled += w->cit[i].cancelled;
    json_object_set_new (j, "cancelled", json_integer (cancelled));
}

//  The broker's own day figures from its snapshot, for a cross-check of the definitions.
static json_t *
s_report_broker (const json_t *snap)
{
    json_t *stats = json_object_get (snap, "stats");
    double called = 0, sum_wait = 0, over = 0;
    const char *key;
    json_t *v;
    json_object_foreach (stats, key, v) {
        called += sim_int (v, "called") > 0 ? sim_int (v, "called") : 0;
        sum_wait += sim_int (v, "sum_wait_ms") > 0 ? sim_int (v, "sum_wait_ms") : 0;
        over += sim_int (v, "over_wait") > 0 ? sim_int (v, "over_wait") : 0;
    }
    double b_util = 0;
    int b_n = 0;
    size_t i;
    json_array_foreach (json_object_get (snap, "counters"), i, v) {
        json_t *day = json_object_get (v, "day");
        double o = (double)sim_int (day, "open_ms"), b = (double)sim_int (day, "busy_ms");
        if (o > 0) {
            b_util += b / o;
            b_n++;
        }
    }
    return json_pack ("{s:I, s:I, s:o, s:I, s:o}", "called", (json_int_t)called, "avg_wait_s",
                      (json_int_t)(called ? lround (sum_wait / called / 1000) : 0),
                      "over_wait_rate", sim_real4 (called ? over / called : 0), "over_wait_min",
                      (json_int_t)sim_int (snap, "over_wait_minutes"), "utilisation",
                      sim_real4 (b_n ? b_util / b_n : 0));
}

//  Tickets, waits and accuracy by service.
static json_t *
s_report_services (const sim_world_t *w)
{
    json_t *services = json_array ();
    for (int s = 0; s < w->nsvc; s++) {
        s_kpi_t ks;
        s_kpis (w, s, 0, 1440, &ks);
        s_acc_t as;
        s_accuracy (w, s, 0, 1440, &as);
        json_t *o = json_pack (
            "{s:s, s:I, s:I, s:o, s:I}", "service", w->prefix[s], "tickets", (json_int_t)ks.tickets,
            "avg_wait_s", (json_int_t)(ks.called ? lround (ks.wait_sum / ks.called) : 0),
            "over_wait_rate", sim_real4 (ks.called ? (double)ks.over / ks.called : 0),
            "avg_handling_s", (json_int_t)(ks.finished ? lround (ks.handle_sum / ks.finished) : 0));
        s_acc_put (o, &as);
        json_array_append_new (services, o);
    }
    return services;
}

//  Tickets, waits and accuracy by the hour of issue.
static json_t *
s_report_hours (const sim_world_t *w)
{
    json_t *hours = json_array ();
    for (int h = w->sc->kiosk_from / 60; h < 24; h++) {
        s_kpi_t kh;
        s_kpis (w, -1, h * 60, h * 60 + 60, &kh);
        if (!kh.tickets)
            continue;
        s_acc_t ah;
        s_accuracy (w, -1, h * 60, h * 60 + 60, &ah);
        char label[16];
        snprintf (label, sizeof label, "%02d:00", h);
        json_t *o = json_pack ("{s:s, s:I, s:I}", "hour", label, "tickets", (json_int_t)kh.tickets,
                               "avg_wait_s",
                               (json_int_t)(kh.called ? lround (kh.wait_sum / kh.called) : 0));
        s_acc_put (o, &ah);
        json_array_append_new (hours, o);
    }
    return hours;
}

json_t *
sim_report_json (const sim_world_t *w, uint64_t seed, double load, const json_t *info,
                 const json_t *snap)
{
    double open_h, utilisation = s_utilisation (w, &open_h);
    long gone = 0;
    for (long i = 0; i < w->ncit; i++)
        gone += w->cit[i].id && w->cit[i].gone;
    json_t *j = json_object ();
    json_object_set_new (j, "hall", json_string (proto_str (json_object_get (info, "hall"), "id")));
    json_object_set_new (j, "date", json_integer (w->date));
    json_object_set_new (j, "seed", json_integer ((json_int_t)seed));
    json_object_set_new (j, "load", sim_real4 (load));
    s_report_day (w, j, utilisation);
    s_report_accuracy (w, j);
    json_object_set_new (j, "broker", s_report_broker (snap));
    json_object_set_new (j, "services", s_report_services (w));
    json_object_set_new (j, "hours", s_report_hours (w));
    json_object_set_new (j, "counters_open_h", sim_real4 (open_h));
    char last[32];
    sim_fmt_local (w->now, w->off, last, sizeof last);
    json_object_set_new (j, "day_ended", json_string (last + 11));
    json_object_set_new (j, "gone_before_call", json_integer (gone));
    json_object_set_new (j, "requests", json_integer (sim_client_requests (w->client)));
    json_object_set_new (j, "unexpected_replies", json_integer (w->unexpected));
    return j;
}

//  A duration field as sim_dur writes it, "-" when null.
static void
s_dur_of (const json_t *j, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get (j, key);
    if (json_is_integer (v))
        sim_dur ((double)json_integer_value (v), out, size);
    else
        snprintf (out, size, "-");
}

//  A ratio and whether it meets its target, or "-".
static void
s_ratio_of (const json_t *j, const char *key, double target, char *out, size_t size)
{
    json_t *v = json_object_get (j, key);
    if (json_is_real (v))
        snprintf (out, size, "%.2f (target <= %.2f: %s)", json_real_value (v), target,
                  json_real_value (v) <= target ? "met" : "NOT met");
    else
        snprintf (out, size, "-");
}

//  The accuracy of the estimate and the baselines, and the interval's coverage.
static void
s_print_accuracy (const json_t *j)
{
    static const char *label[M_COUNT] = {"broker estimate", "naive formula",
                                         "(ahead+1) x mean/open", "last to enter service"};
    char b1[32], b2[32], b3[32];
    printf (
        "\nWait estimate at issue against the actual wait (first call - issue): all %lld "
        "tickets called\n(%lld cancelled before their call have no wait; no answer counts as 0 s: "
        "ours %lld, naive %lld,\n(ahead+1) %lld, last to enter %lld)\n\n",
        (long long)sim_int (j, "estimate_n"), (long long)sim_int (j, "cancelled"),
        (long long)sim_int (j, "estimate_null"), (long long)sim_int (j, "naive_null"),
        (long long)sim_int (j, "plus1_null"), (long long)sim_int (j, "les_null"));
    printf ("                              MAE   P90 |error|   bias (estimate - actual)\n");
    for (int m = 0; m < M_COUNT; m++) {
        char key[48];
        snprintf (key, sizeof key, "%s_mae_s", s_method[m]);
        s_dur_of (j, key, b1, sizeof b1);
        snprintf (key, sizeof key, "%s_p90_abs_s", s_method[m]);
        s_dur_of (j, key, b2, sizeof b2);
        snprintf (key, sizeof key, "%s_bias_s", s_method[m]);
        s_dur_of (j, key, b3, sizeof b3);
        printf ("  %-22s %9s    %9s    %9s\n", label[m], b1, b2, b3);
    }
    char r1[64], r2[64];
    s_ratio_of (j, "mae_ratio", 0.5, r1, sizeof r1);
    s_ratio_of (j, "mae_ratio_best", 0.7, r2, sizeof r2);
    const char *best = json_string_value (json_object_get (j, "best_baseline"));
    printf ("  MAE ratio to the naive formula %s\n", r1);
    printf ("  ... to the best other baseline %s, %s\n", r2,
            best && strcmp (best, "les") == 0 ? "last to enter service" : "(ahead+1) x mean/open");
    json_t *bias = json_object_get (j, "bias_pct");
    s_dur_of (j, "wait_mean_s", b1, sizeof b1);
    if (json_is_real (bias))
        printf ("  bias               %+.1f%% of the mean wait %s (target within 10%%: %s)\n",
                100 * json_real_value (bias), b1,
                fabs (json_real_value (bias)) <= 0.1 ? "met" : "NOT met");
    json_t *cov = json_object_get (j, "interval_coverage");
    s_dur_of (j, "interval_width_s", b2, sizeof b2);
    if (json_is_real (cov))
        printf ("  80%% interval       as printed (\"约 25-40 分钟\"): covered %.1f%% of the "
                "waits\n                     (target 75-85%%: %s), mean width %s\n",
                100 * json_real_value (cov),
                json_real_value (cov) >= 0.75 && json_real_value (cov) <= 0.85 ? "met" : "NOT met",
                b2);
}

//  One row of the service or hour table.
static void
s_print_row (const char *label, const json_t *s, bool over)
{
    char b[5][32];
    s_dur_of (s, "avg_wait_s", b[0], sizeof b[0]);
    s_dur_of (s, "estimate_mae_s", b[1], sizeof b[1]);
    s_dur_of (s, "naive_mae_s", b[2], sizeof b[2]);
    s_dur_of (s, "plus1_mae_s", b[3], sizeof b[3]);
    s_dur_of (s, "les_mae_s", b[4], sizeof b[4]);
    json_t *cov = json_object_get (s, "interval_coverage");
    char c[16] = "-", o[16] = "";
    if (json_is_real (cov))
        snprintf (c, sizeof c, "%.0f%%", 100 * json_real_value (cov));
    if (over)
        snprintf (o, sizeof o, "%6.1f%%  ",
                  100 * json_real_value (json_object_get (s, "over_wait_rate")));
    printf ("  %-7s  %7lld  %8s  %s%8s  %8s  %8s  %8s  %5s\n", label,
            (long long)sim_int (s, "tickets"), b[0], o, b[1], b[2], b[3], b[4], c);
}

//  Waits and accuracy by service and by the hour of issue.
static void
s_print_tables (const json_t *j)
{
    printf (
        "\n  service  tickets  avg wait  over %lldm   MAE est     naive   (a+1)     LES  cover\n",
        (long long)sim_int (j, "over_wait_min"));
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (j, "services"), i, s)
        s_print_row (json_string_value (json_object_get (s, "service")), s, true);
    printf ("\n  issued   tickets  avg wait   MAE est     naive   (a+1)     LES  cover\n");
    json_array_foreach (json_object_get (j, "hours"), i, s)
        s_print_row (json_string_value (json_object_get (s, "hour")), s, false);
}

void
sim_report_print (const json_t *j, const json_t *info)
{
    const json_t *hall = json_object_get (info, "hall");
    char b1[32], b2[32];
    int date = (int)sim_int (j, "date");
    printf ("onewindow day simulation: %s (%s), %04d-%02d-%02d, scenario %s, seed %lld, load "
            "%.2f\n",
            proto_str (hall, "name"), proto_str (hall, "id"), date / 10000, date / 100 % 100,
            date % 100, proto_str (j, "scenario"), (long long)sim_int (j, "seed"),
            json_real_value (json_object_get (j, "load")));
    const json_t *ap = json_object_get (j, "appointments");
    printf ("\n  tickets            %lld (%lld walk-in, %lld appointment check-ins: %lld in their "
            "window)\n",
            (long long)sim_int (j, "tickets"), (long long)sim_int (j, "walk_in"),
            (long long)sim_int (j, "appointment_tickets"), (long long)sim_int (ap, "in_window"));
    printf ("  appointments       %lld booked, %lld no-shows (%.1f%%), %lld refused\n",
            (long long)sim_int (ap, "booked"), (long long)sim_int (ap, "no_show"),
            100 * json_real_value (json_object_get (ap, "no_show_rate")),
            (long long)sim_int (ap, "refused"));
    printf ("  called / served    %lld / %lld, %lld missed (no_show_rate %.1f%%)\n",
            (long long)sim_int (j, "called"), (long long)sim_int (j, "served"),
            (long long)sim_int (j, "missed"),
            100 * json_real_value (json_object_get (j, "no_show_rate")));
    s_dur_of (j, "avg_wait_s", b1, sizeof b1);
    s_dur_of (j, "max_wait_s", b2, sizeof b2);
    printf ("  average wait       %s (avg_wait_s %lld), longest %s\n", b1,
            (long long)sim_int (j, "avg_wait_s"), b2);
    printf ("  over-wait rate     %.1f%% waited over %lld min\n",
            100 * json_real_value (json_object_get (j, "over_wait_rate")),
            (long long)sim_int (j, "over_wait_min"));
    s_dur_of (j, "avg_handling_s", b1, sizeof b1);
    printf ("  average handling   %s (call to finish)\n", b1);
    printf ("  utilisation        %.1f%% (average over counters: calling or serving / logged "
            "in, pauses excluded)\n",
            100 * json_real_value (json_object_get (j, "utilisation")));
    const json_t *br = json_object_get (j, "broker");
    printf ("  broker's figures   avg wait %llds, over %lld min %.1f%%, utilisation %.1f%%\n",
            (long long)sim_int (br, "avg_wait_s"), (long long)sim_int (br, "over_wait_min"),
            100 * json_real_value (json_object_get (br, "over_wait_rate")),
            100 * json_real_value (json_object_get (br, "utilisation")));
    printf ("  day ended          %s (the last counter logged out)\n",
            json_string_value (json_object_get (j, "day_ended")));

    s_print_accuracy (j);
    s_print_tables (j);
    if (sim_int (j, "unexpected_replies") > 0)
        printf ("\n  WARNING: %lld unexpected broker replies (see stderr)\n",
                (long long)sim_int (j, "unexpected_replies"));
}
