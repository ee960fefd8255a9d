/*  sim_staffing.c — `onewindow sim staffing`: counters per hour from a running broker's
    journal, by Erlang C (docs/SIMULATOR.md).

    Arrivals are the journal's ticket.issued events of the last weeks by local hour (the
    hall's UTC offset from hall.info), averaged over the business days that had tickets;
    service times are the ticket.finished events' service_s by service, once there are 5,
    else the configured mean from hall.info. Each hour gets the fewest counters that meet
    the target (sim_erlang_staff), checked by the in-memory M/M/c reference. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_msg.h"
#include "sim_cli.h"
#include "sim_erlang.h"

#define STAFF_MAX_SERVICES 32
#define STAFF_MAX_DAYS     400

typedef struct {
    double target; //  share to call within t_min
    double t_min;  //  minutes
    int weeks;     //  how far back to read
    int max_c;     //  the most counters to consider
} s_staff_opts_t;

//  What the journal says about the hall's demand.
typedef struct {
    int off;                              //  the hall's UTC offset
    int64_t now;                          //  the broker's clock
    int nsvc;                             //  services (hall.info order)
    char prefix[STAFF_MAX_SERVICES][4];   //  ... their prefixes
    double conf_mean[STAFF_MAX_SERVICES]; //  ... configured mean service (s)
    long count[24][STAFF_MAX_SERVICES];   //  arrivals by local hour, service
    int days[STAFF_MAX_DAYS], ndays;      //  business days with tickets
    long tickets;                         //  arrivals read
    double sum_s[STAFF_MAX_SERVICES];     //  service times read (s) ...
    long n_s[STAFF_MAX_SERVICES];         //  ... and how many
} s_journal_t;

static void
s_staffing_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow [--broker EP] sim staffing [--target P/M] [--weeks N]\n"
             "                 [--max-counters N] [--json] [--broker EP]\n"
             "\n"
             "Recommends counters per hour from the last weeks' arrivals (ticket.issued events in\n"
             "the broker's journal, by local hour, averaged over the days that had tickets) and\n"
             "service times (ticket.finished service_s): for each hour the smallest c with\n"
             "P(wait <= M minutes) >= P%% by Erlang C, P(W > t) = C e^{-(c mu - lambda) t},\n"
             "checked by the discrete-event M/M/c reference. Counters are pooled (any counter\n"
             "serves any service): specialised counters need more.\n"
             "\n"
             "  --target P/M      P%% called within M minutes (default 80/15)\n"
             "  --weeks N         how far back to read, 1 to 52 (default 4)\n"
             "  --max-counters N  the most to consider, 1 to 1000 (default 50)\n"
             "  --json            one JSON object\n"
             "  --broker EP       the running broker to read (default $ONEWINDOW_BROKER or\n"
             "                    tcp://127.0.0.1:7100; --key, --server-key and --timeout\n"
             "                    before the verb apply)\n"
             "  -h, --help        this help\n"
             "\n"
             "Exit status: 0 done, 1 refused or no tickets in those weeks, 2 usage, 3 broker\n"
             "unreachable.\n");
}

//  Reads the options: -1 to go on, else the exit code (help, usage error).
static int
s_staffing_options (sim_opts_t *o, s_staff_opts_t *opt, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},
        {"weeks", required_argument, NULL, 'w'},
        {"max-counters", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"broker", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "+t:w:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 't': {
            double p, m;
            char tail;
            if (sscanf (optarg, "%lf/%lf%c", &p, &m, &tail) != 2 || p <= 0 || p >= 100 || m <= 0 ||
                m > 600)
                return sim_usage_error ("staffing", "--target takes P/M, e.g. 80/15");
            opt->target = p / 100;
            opt->t_min = m;
            break;
        }
        case 'w':
            opt->weeks = atoi (optarg);
            if (opt->weeks < 1 || opt->weeks > 52)
                return sim_usage_error ("staffing", "--weeks takes 1 to 52");
            break;
        case 'm':
            opt->max_c = atoi (optarg);
            if (opt->max_c < 1 || opt->max_c > 1000)
                return sim_usage_error ("staffing", "--max-counters takes 1 to 1000");
            break;
        case 'j': o->json = true; break;
        case 'b': o->broker = optarg; break;
        case 'h': s_staffing_help (stdout); return PROTO_EXIT_OK;
        default: return sim_usage_error ("staffing", "bad option");
        }
    }
    if (optind < argc)
        return sim_usage_error ("staffing", "unexpected '%s'", argv[optind]);
    return -1;
}

//  The first journal event at or after `cutoff` (Unix ms), by bisection on the sequence.
static int
s_seq_from (sim_opts_t *o, int64_t last, int64_t cutoff, int64_t *out)
{
    int64_t lo = 1, hi = last + 1; //  answer in [lo, hi]
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        json_t *r = NULL;
        int rc = sim_call (o, "events.range",
                           json_pack ("{s:I, s:i}", "from", (json_int_t)mid, "limit", 1), &r);
        if (rc != PROTO_EXIT_OK)
            return rc;
        json_t *ev = json_array_get (json_object_get (r, "events"), 0);
        int64_t t = ev ? sim_int (ev, "time") : INT64_MAX;
        json_decref (r);
        if (t >= cutoff)
            hi = mid;
        else
            lo = mid + 1;
    }
    *out = lo;
    return PROTO_EXIT_OK;
}

//  The hall from hall.info: offset, clock, services and their configured means.
static void
s_journal_hall (s_journal_t *j, const json_t *info)
{
    j->off = (int)sim_int (json_object_get (info, "hall"), "utc_offset_min");
    j->now = sim_int (info, "now");
    json_t *svcs = json_object_get (info, "services");
    j->nsvc = (int)json_array_size (svcs);
    if (j->nsvc > STAFF_MAX_SERVICES)
        j->nsvc = STAFF_MAX_SERVICES;
    for (int s = 0; s < j->nsvc; s++) {
        json_t *sv = json_array_get (svcs, (size_t)s);
        snprintf (j->prefix[s], sizeof j->prefix[s], "%s", proto_str (sv, "prefix"));
        j->conf_mean[s] = (double)sim_int (sv, "mean_service_s");
    }
}

//  Counts one journal event: an arrival (and its business day) or a service time.
static void
s_journal_event (s_journal_t *j, const json_t *ev)
{
    const char *topic = proto_str (ev, "topic");
    json_t *t = json_object_get (ev, "ticket");
    const char *p = proto_str (t, "service");
    int s = -1;
    for (int k = 0; k < j->nsvc; k++)
        if (strcmp (j->prefix[k], p) == 0)
            s = k;
    if (s < 0)
        return;
    if (strcmp (topic, "ticket.issued") == 0) {
        int h = sim_local_min (sim_int (t, "issued"), j->off) / 60;
        j->count[h][s]++;
        j->tickets++;
        int day = (int)sim_int (t, "day");
        bool seen = false;
        for (int k = 0; k < j->ndays && !seen; k++)
            seen = j->days[k] == day;
        if (!seen && j->ndays < STAFF_MAX_DAYS)
            j->days[j->ndays++] = day;
    } else if (strcmp (topic, "ticket.finished") == 0 && sim_int (ev, "service_s") >= 0) {
        j->sum_s[s] += (double)sim_int (ev, "service_s");
        j->n_s[s]++;
    }
}

//  Reads the journal's events of the last `weeks` (events.range, 1,000 at a time).
static int
s_journal_read (sim_opts_t *o, s_journal_t *j, int weeks)
{
    json_t *r = NULL;
    int rc = sim_call (o, "events.range", json_pack ("{s:i, s:i}", "from", 1, "limit", 1), &r);
    if (rc != PROTO_EXIT_OK)
        return rc;
    int64_t last = sim_int (r, "last_seq");
    json_decref (r);
    int64_t seq, cutoff = j->now - (int64_t)weeks * 7 * 86400000;
    rc = s_seq_from (o, last, cutoff, &seq);
    while (rc == PROTO_EXIT_OK && seq <= last) {
        rc = sim_call (o, "events.range",
                       json_pack ("{s:I, s:i}", "from", (json_int_t)seq, "limit", 1000), &r);
        if (rc != PROTO_EXIT_OK)
            break;
        json_t *events = json_object_get (r, "events");
        size_t i;
        json_t *ev;
        json_array_foreach (events, i, ev)
            s_journal_event (j, ev);
        size_t got = json_array_size (events);
        int64_t after = got ? sim_int (json_array_get (events, got - 1), "seq") : -1;
        seq = after >= seq ? after + 1 : seq + 1000;
        json_decref (r);
    }
    return rc;
}

//  Hour `h`'s recommendation (NULL when it had no arrivals), printed unless `json`.
static json_t *
s_staff_hour (const s_journal_t *j, int h, const double *mean_s, const s_staff_opts_t *opt,
              bool json)
{
    long n = 0;
    double work = 0;
    for (int s = 0; s < j->nsvc; s++) {
        n += j->count[h][s];
        work += j->count[h][s] * mean_s[s];
    }
    if (!n)
        return NULL;
    double lambda = (double)n / j->ndays / 60; //  per minute
    double es_min = work / n / 60, mu = 1 / es_min;
    int c = sim_erlang_staff (lambda, mu, opt->t_min, opt->target, opt->max_c);
    double p = c > 0 ? 1 - sim_erlang_p_wait_gt (c, lambda, mu, opt->t_min) : 0;
    double wq = c > 0 ? sim_erlang_wq (c, lambda, mu) : INFINITY;
    sim_mmc_result_t sim = {0};
    if (c > 0)
        sim_mmc_simulate (c, lambda, mu, 20000, 2000, SIM_MMC_FIFO, opt->t_min, 1 + (uint64_t)h,
                          &sim, NULL);
    char label[16];
    snprintf (label, sizeof label, "%02d:00", h);
    if (!json) {
        char cs[16];
        snprintf (cs, sizeof cs, c > 0 ? "%d" : "> %d", c > 0 ? c : opt->max_c);
        printf ("  %s  %10.1f  %10.0f s  %10.2f  %8s  %12.1f%%  %7.0f s  %10.1f%%\n", label,
                lambda * 60, es_min * 60, lambda / mu, cs, 100 * p, isfinite (wq) ? wq * 60 : -1,
                100 * sim.p_within);
    }
    return json_pack ("{s:s, s:o, s:o, s:o, s:i, s:o, s:o, s:o}", "hour", label, "arrivals_per_h",
                      sim_real4 (lambda * 60), "mean_service_s", sim_real4 (es_min * 60),
                      "offered_load", sim_real4 (lambda / mu), "counters", c, "p_within",
                      sim_real4 (p), "wq_s", isfinite (wq) ? sim_real4 (wq * 60) : json_null (),
                      "sim_p_within", sim_real4 (sim.p_within));
}

//  The recommendation for every hour with arrivals, printed or as one JSON object.
static void
s_staff_report (const s_journal_t *j, const s_staff_opts_t *opt, bool json)
{
    //  Service time per service: the journal's mean once it has 5 finished, else the config.
    double mean_s[STAFF_MAX_SERVICES];
    for (int s = 0; s < j->nsvc; s++)
        mean_s[s] = j->n_s[s] >= 5 ? j->sum_s[s] / j->n_s[s] : j->conf_mean[s];
    if (!json) {
        printf ("Staffing for %.0f%% called within %.0f min, from %ld tickets on %d days (last %d "
                "weeks)\n\n",
                100 * opt->target, opt->t_min, j->tickets, j->ndays, opt->weeks);
        printf ("  hour    arrivals/h  mean service  load (erl)  counters  P(wait<=%.0fm)  "
                "mean wait  simulated P\n",
                opt->t_min);
    }
    json_t *hours = json_array ();
    for (int h = 0; h < 24; h++) {
        json_t *row = s_staff_hour (j, h, mean_s, opt, json);
        if (row)
            json_array_append_new (hours, row);
    }
    json_t *services = json_array ();
    for (int s = 0; s < j->nsvc; s++)
        json_array_append_new (services,
                               json_pack ("{s:s, s:o, s:I, s:b}", "service", j->prefix[s],
                                          "mean_service_s", sim_real4 (mean_s[s]), "samples",
                                          (json_int_t)j->n_s[s], "from_journal", j->n_s[s] >= 5));
    if (json) {
        json_t *out = json_pack ("{s:{s:o, s:o}, s:i, s:i, s:I, s:o, s:o, s:s}", "target", "share",
                                 sim_real4 (opt->target), "minutes", sim_real4 (opt->t_min),
                                 "weeks", opt->weeks, "days", j->ndays, "tickets",
                                 (json_int_t)j->tickets, "hours", hours, "services", services,
                                 "model", "M/M/c per hour, counters pooled across services");
        sim_print_json (out);
        json_decref (out);
    } else {
        json_decref (hours);
        json_decref (services);
        printf (
            "\n  counters: the fewest with P(wait <= %.0f min) >= %.0f%% by Erlang C (M/M/c, one\n"
            "  pooled line per hour, stationary within the hour); simulated P: the M/M/c\n"
            "  reference at that count.\n",
            opt->t_min, 100 * opt->target);
    }
}

int
sim_staffing_main (sim_opts_t *o, int argc, char **argv)
{
    s_staff_opts_t opt = {.target = 0.8, .t_min = 15, .weeks = 4, .max_c = 50};
    int rc = s_staffing_options (o, &opt, argc, argv);
    if (rc >= 0)
        return rc;
    json_t *info = NULL;
    rc = sim_call (o, "hall.info", NULL, &info);
    if (rc != PROTO_EXIT_OK)
        return rc;
    s_journal_t *j = calloc (1, sizeof *j);
    if (!j) {
        json_decref (info);
        return PROTO_EXIT_REFUSED;
    }
    s_journal_hall (j, info);
    json_decref (info);
    rc = s_journal_read (o, j, opt.weeks);
    if (rc == PROTO_EXIT_OK && !j->ndays) {
        fprintf (stderr, "onewindow sim staffing: no tickets in the last %d weeks\n", opt.weeks);
        rc = PROTO_EXIT_REFUSED;
    }
    if (rc == PROTO_EXIT_OK)
        s_staff_report (j, &opt, o->json);
    free (j);
    return rc;
}
