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

typedef struct {
    long n;
    double mae, p90, bias;
    double nmae, np90, nbias;
} s_acc_t;

//  Estimator accuracy over the citizens of `svc` (-1 all) issued in [from_min, to_min).
static void
s_accuracy (const sim_world_t *w, int svc, int from_min, int to_min, s_acc_t *a)
{
    double *e1 = malloc ((size_t)(w->ncit + 1) * sizeof *e1);
    double *e2 = malloc ((size_t)(w->ncit + 1) * sizeof *e2);
    long n = 0;
    for (long i = 0; e1 && e2 && i < w->ncit; i++) {
        const sim_cit_t *z = &w->cit[i];
        int m = sim_local_min (z->issued, w->off);
        if (!z->id || !z->called || z->est < 0 || z->naive < 0 || (svc >= 0 && z->svc != svc) ||
            m < from_min || m >= to_min)
            continue;
        double wait = (z->called - z->issued) / 1000.0;
        e1[n] = z->est - wait;
        e2[n] = z->naive - wait;
        n++;
    }
    memset (a, 0, sizeof *a);
    a->n = n;
    if (e1 && e2) {
        s_errors (e1, n, &a->mae, &a->p90, &a->bias);
        s_errors (e2, n, &a->nmae, &a->np90, &a->nbias);
    }
    free (e1);
    free (e2);
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

int
sim_report_csv (const sim_world_t *w, const char *path)
{
    FILE *f = strcmp (path, "-") == 0 ? stdout : fopen (path, "w");
    if (!f) {
        fprintf (stderr, "onewindow sim: cannot write %s: %s\n", path, strerror (errno));
        return -1;
    }
    fprintf (f, "number,service,priority,issued,called,wait_s,est_wait_s,naive_wait_s,missed,"
                "source,slot,counter,service_s\n");
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
        fprintf (f, "%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%d,%s\n", z->number, w->prefix[z->svc],
                 z->priority, issued, called, wait, est, naive, z->missed ? 1 : 0,
                 z->appt ? "appointment" : "walk_in", z->slot, z->counter, svc);
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

static json_t *
s_acc_json (const s_acc_t *a)
{
    return json_pack ("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "estimate_n", (json_int_t)a->n,
                      "estimate_mae_s", s_secs (a->mae, a->n), "estimate_p90_abs_s",
                      s_secs (a->p90, a->n), "estimate_bias_s", s_secs (a->bias, a->n),
                      "naive_mae_s", s_secs (a->nmae, a->n), "naive_p90_abs_s",
                      s_secs (a->np90, a->n), "naive_bias_s", s_secs (a->nbias, a->n));
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
    long no_estimate = 0;
    for (long i = 0; i < w->ncit; i++) {
        const sim_cit_t *z = &w->cit[i];
        no_estimate += z->id && z->called && (z->est < 0 || z->naive < 0);
    }
    json_object_set_new (j, "estimate_n", json_integer (a.n));
    json_object_set_new (j, "estimate_null", json_integer (no_estimate));
    json_object_set_new (j, "estimate_mae_s", s_secs (a.mae, a.n));
    json_object_set_new (j, "estimate_p90_abs_s", s_secs (a.p90, a.n));
    json_object_set_new (j, "estimate_bias_s", s_secs (a.bias, a.n));
    json_object_set_new (j, "naive_mae_s", s_secs (a.nmae, a.n));
    json_object_set_new (j, "naive_p90_abs_s", s_secs (a.np90, a.n));
    json_object_set_new (j, "naive_bias_s", s_secs (a.nbias, a.n));
    json_object_set_new (j, "mae_ratio",
                         a.n && a.nmae > 0 ? sim_real4 (a.mae / a.nmae) : json_null ());
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
        json_t *acc = s_acc_json (&as);
        json_object_update (o, acc);
        json_decref (acc);
        json_array_append_new (services, o);
    }
    return services;
}

//  Tickets, waits and accuracy by the hour of issue.
static json_t *
s_report_hours (const sim_world_t *w)
{
    json_t *hours = json_array ();
    for (int h = SIM_START_MIN / 60; h < 24; h++) {
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
        json_t *acc = s_acc_json (&ah);
        json_object_update (o, acc);
        json_decref (acc);
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

void
sim_report_print (const json_t *j, const json_t *info)
{
    const json_t *hall = json_object_get (info, "hall");
    char b1[32], b2[32], b3[32];
    int date = (int)sim_int (j, "date");
    printf ("onewindow day simulation: %s (%s), %04d-%02d-%02d, seed %lld, load %.2f\n",
            proto_str (hall, "name"), proto_str (hall, "id"), date / 10000, date / 100 % 100,
            date % 100, (long long)sim_int (j, "seed"),
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

    printf ("\nWait estimate at issue against the actual wait (first call - issue), %lld tickets\n"
            "(%lld called without an estimate: no counter open yet)\n\n",
            (long long)sim_int (j, "estimate_n"), (long long)sim_int (j, "estimate_null"));
    printf ("                        MAE      P90 |error|   bias (estimate - actual)\n");
    s_dur_of (j, "estimate_mae_s", b1, sizeof b1);
    s_dur_of (j, "estimate_p90_abs_s", b2, sizeof b2);
    s_dur_of (j, "estimate_bias_s", b3, sizeof b3);
    printf ("  broker estimate   %10s   %10s   %10s\n", b1, b2, b3);
    s_dur_of (j, "naive_mae_s", b1, sizeof b1);
    s_dur_of (j, "naive_p90_abs_s", b2, sizeof b2);
    s_dur_of (j, "naive_bias_s", b3, sizeof b3);
    printf ("  naive formula     %10s   %10s   %10s\n", b1, b2, b3);
    json_t *ratio = json_object_get (j, "mae_ratio");
    if (json_is_real (ratio))
        printf ("  MAE ratio         %.2f (target <= 0.50: %s)\n", json_real_value (ratio),
                json_real_value (ratio) <= 0.5 ? "met" : "NOT met");
    else
        printf ("  MAE ratio         - (no ticket had both estimates)\n");

    printf ("\n  service  tickets  avg wait  over %lldm   MAE est  MAE naive\n",
            (long long)sim_int (j, "over_wait_min"));
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (j, "services"), i, s) {
        s_dur_of (s, "avg_wait_s", b1, sizeof b1);
        s_dur_of (s, "estimate_mae_s", b2, sizeof b2);
        s_dur_of (s, "naive_mae_s", b3, sizeof b3);
        printf ("  %-7s  %7lld  %8s  %6.1f%%  %8s  %9s\n",
                json_string_value (json_object_get (s, "service")),
                (long long)sim_int (s, "tickets"), b1,
                100 * json_real_value (json_object_get (s, "over_wait_rate")), b2, b3);
    }
    printf ("\n  issued   tickets  avg wait   MAE est  MAE naive\n");
    json_array_foreach (json_object_get (j, "hours"), i, s) {
        s_dur_of (s, "avg_wait_s", b1, sizeof b1);
        s_dur_of (s, "estimate_mae_s", b2, sizeof b2);
        s_dur_of (s, "naive_mae_s", b3, sizeof b3);
        printf ("  %-7s  %7lld  %8s  %8s  %9s\n", json_string_value (json_object_get (s, "hour")),
                (long long)sim_int (s, "tickets"), b1, b2, b3);
    }
    if (sim_int (j, "unexpected_replies") > 0)
        printf ("\n  WARNING: %lld unexpected broker replies (see stderr)\n",
                (long long)sim_int (j, "unexpected_replies"));
}
