/*  sim_erlang_check.c — `onewindow sim erlang`: the broker-driven M/M/c against Erlang C
    (docs/SIMULATOR.md, scripts/erlang-check).

    For each case (lambda, 1/mu, c) a private broker runs a one-service hall with c
    counters; the simulator computes the timeline of one pooled first-come line (the
    reference) on seeded arrival and service draws, and tells the broker each arrival,
    call, start and finish at its time, pipelined (hundreds of requests in flight). The
    broker's calls must match the reference's exactly (FIFO path); its mean wait is
    compared with Erlang C (sim_erlang.h) and with the in-memory M/M/c model. The cases run
    in parallel, each in a child process with its own broker. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto_msg.h"
#include "sim_broker.h"
#include "sim_cli.h"
#include "sim_client.h"
#include "sim_erlang.h"

//  The cases of the check: arrivals per minute, mean service in minutes, counters.
static const struct {
    double lambda_min, service_min;
    int c;
} s_cases[] = {{0.8, 3, 3}, {1.5, 2, 4}, {0.3, 5, 2}};

#define ERL_DAY_MIN  (3 * 60 + 1) //  each simulated day starts at 03:01 (after reset)
#define ERL_ARRIVE_H 22           //  arrivals for 22 hours a day, then the line drains
#define ERL_WARMUP_H 2            //  the first 2 hours of each day are not measured
#define ERL_LONG     100000       //  measured customers per case, full run
#define ERL_QUICK    3000         //  ... --quick (a smoke test: one SE is about 20%)
#define ERL_REF      4000000      //  the in-memory reference's customers from ERL_LONG on
#define ERL_BATCHES  20           //  batch means
#define ERL_T95      2.093        //  Student's t, 19 degrees of freedom, two-sided 95%

enum { RQ_OTHER, RQ_ISSUE, RQ_CALL };

typedef struct {
    long n;              //  customers issued
    int64_t *issued_ref; //  by customer: arrival time (ms)
    int64_t *called_ref; //  by customer: the reference's call time (FIFO, same inputs)
    int64_t *called;     //  by customer: the broker's call time (0 until called)
    bool *measured;      //  by customer: after the day's warm-up
    long *by_id;         //  ticket id -> customer
    long nby_id;
    long errors;     //  unexpected replies
    long mismatched; //  customers the broker called at another time than FIFO
    int64_t max_diff_ms;
} s_erl_t;

static void
s_erl_reply (void *arg, sim_tag_t tag, int status, json_t *body)
{
    s_erl_t *e = arg;
    if (status != 0) {
        if (e->errors++ < 5)
            fprintf (stderr, "onewindow sim erlang: a request (%d) was refused: %s (%s)\n",
                     tag.kind, proto_err_code ((proto_err_t)status), proto_str (body, "message"));
        return;
    }
    if (tag.kind == RQ_ISSUE) {
        int64_t id = sim_int (body, "id");
        if (id > 0 && id < e->nby_id)
            e->by_id[id] = tag.who;
        else
            e->errors++;
    } else if (tag.kind == RQ_CALL) {
        json_t *t = json_object_get (body, "ticket");
        int64_t id = sim_int (t, "id");
        long who = id > 0 && id < e->nby_id ? e->by_id[id] : -1;
        if (who < 0) {
            e->errors++;
            return;
        }
        if (!e->called[who])
            e->called[who] = sim_int (t, "called");
    }
}

typedef struct {
    double lambda_min, service_min;
    int c;
    long customers, days;
    double erlang_c, erlang_wq_s, sim_wq_s, se_s, rel_diff, p_waited;
    double ref_wq_s, ref_rel_diff, ref_se_s;
    long ref_customers;
    long path_mismatch;
    int64_t path_max_diff_ms;
    long errors;
    double wall_s;
} s_erl_case_t;

//  One case being played: the reference timeline (one pooled FIFO line) and the broker it
//  is told to. The k-th service to begin lasts the k-th service draw, so the timeline does
//  not depend on which ticket the broker calls, and its call times can be compared with
//  the reference's.
typedef struct {
    sim_client_t *client;   //  to the case's broker
    s_erl_t *e;             //  what is measured per customer
    int c;                  //  counters
    long target, cap;       //  measured customers wanted; room for customers
    double lambda_ms;       //  arrivals per ms
    double mean_ms;         //  mean service, ms
    sim_rng_t arr, svc;     //  arrival gaps, service times
    int64_t now;            //  the broker's clock
    long measured;          //  customers after a day's warm-up so far
    int64_t *busy_until;    //  by counter: when its service ends, 0 when idle
    long *line, head, tail; //  the FIFO of waiting customers
} s_erl_play_t;

//  Starts the case's broker: a one-service hall with `c` counters (its config written in
//  the broker's directory), the clock at `day0`; and a client with a window of 512. 0 / -1.
static int
s_erl_broker (sim_broker_t *b, double service_min, int c, int64_t day0, sim_client_t **client)
{
    if (sim_broker_dir (b, NULL) != 0)
        return -1;
    char config[600];
    snprintf (config, sizeof config, "%s/erlang.json", b->dir);
    json_t *counters = json_array ();
    for (int k = 1; k <= c; k++) {
        char name[32];
        snprintf (name, sizeof name, "%d号窗口", k);
        json_array_append_new (
            counters, json_pack ("{s:i, s:s, s:[s]}", "id", k, "name", name, "services", "A"));
    }
    json_t *cfg =
        json_pack ("{s:{s:s, s:s, s:i}, s:[{s:s, s:s, s:i}], s:o}", "hall", "id", "ERLANG", "name",
                   "M/M/c check", "utc_offset_min", 480, "services", "prefix", "A", "name", "M/M/c",
                   "mean_service_s", (int)lround (service_min * 60), "counters", counters);
    int rc = json_dump_file (cfg, config, JSON_INDENT (2));
    json_decref (cfg);
    if (rc != 0 || sim_broker_start (b, config, day0) != 0 || !(*client = sim_client_new (b, 512)))
        return -1;
    json_t *info = sim_client_ready (*client);
    json_decref (info);
    return info ? 0 : -1;
}

//  Room for every customer: the target plus the warm-ups and the drain, generously.
static int
s_erl_alloc (s_erl_play_t *pl)
{
    s_erl_t *e = pl->e;
    pl->cap = pl->target + pl->target / 5 + 20000;
    size_t cap = (size_t)pl->cap;
    e->issued_ref = calloc (cap, sizeof *e->issued_ref);
    e->called_ref = calloc (cap, sizeof *e->called_ref);
    e->called = calloc (cap, sizeof *e->called);
    e->measured = calloc (cap, sizeof *e->measured);
    e->nby_id = pl->cap + 64;
    e->by_id = malloc ((size_t)e->nby_id * sizeof *e->by_id);
    pl->busy_until = calloc ((size_t)pl->c, sizeof *pl->busy_until);
    pl->line = malloc (cap * sizeof *pl->line);
    if (!e->issued_ref || !e->called_ref || !e->called || !e->measured || !e->by_id ||
        !pl->busy_until || !pl->line)
        return -1;
    for (long i = 0; i < e->nby_id; i++)
        e->by_id[i] = -1;
    return 0;
}

static void
s_erl_free (s_erl_play_t *pl)
{
    free (pl->e->issued_ref);
    free (pl->e->called_ref);
    free (pl->e->called);
    free (pl->e->measured);
    free (pl->e->by_id);
    free (pl->busy_until);
    free (pl->line);
}

//  Counter `kd` finishes its service; it takes the first in line, if any (*server, *who).
static int
s_erl_depart (s_erl_play_t *pl, int kd, int *server, long *who)
{
    sim_tag_t other = {RQ_OTHER, 0};
    if (sim_client_advance (pl->client, &pl->now, pl->busy_until[kd], other) != 0 ||
        sim_client_send (pl->client, "ticket.finish", json_pack ("{s:i}", "counter", kd + 1),
                         other) != 0)
        return -1;
    pl->busy_until[kd] = 0;
    if (pl->head < pl->tail) {
        *server = kd;
        *who = pl->line[pl->head++];
    }
    return 0;
}

//  The next customer arrives at *next and takes a ticket; an idle counter takes them
//  (*server, *who), else they join the line. Draws the arrival after.
static int
s_erl_arrive (s_erl_play_t *pl, int64_t *next, int64_t warm, int *server, long *who)
{
    s_erl_t *e = pl->e;
    if (e->n >= pl->cap) {
        fprintf (stderr, "onewindow sim erlang: more customers than planned for\n");
        return -1;
    }
    *who = e->n++;
    e->issued_ref[*who] = *next;
    e->measured[*who] = *next >= warm;
    pl->measured += e->measured[*who];
    sim_tag_t other = {RQ_OTHER, 0}, t = {RQ_ISSUE, *who};
    if (sim_client_advance (pl->client, &pl->now, *next, other) != 0 ||
        sim_client_send (pl->client, "ticket.issue", json_pack ("{s:s}", "service", "A"), t) != 0)
        return -1;
    for (int k = 0; k < pl->c && *server < 0; k++)
        if (!pl->busy_until[k])
            *server = k;
    if (*server < 0) {
        pl->line[pl->tail++] = *who;
        *who = -1;
    }
    *next += (int64_t)llround (sim_rng_exp (&pl->arr, 1 / pl->lambda_ms));
    return 0;
}

//  Counter `server` calls customer `who` now and starts serving them for the next draw.
static int
s_erl_serve (s_erl_play_t *pl, int server, long who)
{
    int64_t service = (int64_t)llround (sim_rng_exp (&pl->svc, pl->mean_ms));
    if (service < 1)
        service = 1;
    pl->e->called_ref[who] = pl->now;
    pl->busy_until[server] = pl->now + service;
    sim_tag_t other = {RQ_OTHER, 0}, t = {RQ_CALL, who};
    if (sim_client_send (pl->client, "ticket.call_next", json_pack ("{s:i}", "counter", server + 1),
                         t) != 0 ||
        sim_client_send (pl->client, "ticket.start", json_pack ("{s:i}", "counter", server + 1),
                         other) != 0)
        return -1;
    return 0;
}

//  One simulated day from `d0`: the counters log in, customers arrive for ERL_ARRIVE_H
//  hours (or until enough are measured), then the line drains. Each arrival, call, start
//  and finish is told to the broker at its time. 0 / -1.
static int
s_erl_day (s_erl_play_t *pl, int64_t d0)
{
    sim_tag_t other = {RQ_OTHER, 0};
    if (sim_client_advance (pl->client, &pl->now, d0, other) != 0)
        return -1;
    for (int k = 1; k <= pl->c; k++)
        if (sim_client_send (pl->client, "counter.login", json_pack ("{s:i}", "counter", k),
                             other) != 0)
            return -1;
    int64_t end = d0 + ERL_ARRIVE_H * 3600000LL, warm = d0 + ERL_WARMUP_H * 3600000LL;
    int64_t next = d0 + (int64_t)llround (sim_rng_exp (&pl->arr, 1 / pl->lambda_ms));
    for (;;) {
        if (sim_interrupted ())
            return -1;
        //  The next departure (counters busy until a time); ties: departures first.
        int kd = -1;
        for (int k = 0; k < pl->c; k++)
            if (pl->busy_until[k] && (kd < 0 || pl->busy_until[k] < pl->busy_until[kd]))
                kd = k;
        bool arrival = next < end && pl->measured < pl->target;
        if (kd < 0 && !arrival)
            break;
        int server = -1;
        long who = -1;
        int rc = kd >= 0 && (!arrival || pl->busy_until[kd] <= next)
                     ? s_erl_depart (pl, kd, &server, &who)
                     : s_erl_arrive (pl, &next, warm, &server, &who);
        if (rc != 0 || (server >= 0 && s_erl_serve (pl, server, who) != 0))
            return -1;
    }
    if (pl->now > d0 + 86400000 - 120000) {
        fprintf (stderr, "onewindow sim erlang: the line did not drain before the day's end\n");
        return -1;
    }
    return 0;
}

//  The broker's waits of the measured customers, in order of arrival, against Erlang C and
//  the in-memory reference (ten times longer, on its own seed), into `out`. 0 / -1.
static int
s_erl_measure (s_erl_play_t *pl, uint64_t seed, s_erl_case_t *out)
{
    s_erl_t *e = pl->e;
    double *w = malloc ((size_t)(pl->measured + 1) * sizeof *w);
    if (!w)
        return -1;
    long n = 0, waited = 0;
    for (long i = 0; i < e->n; i++) {
        if (!e->called[i])
            e->errors++;
        else if (e->called[i] != e->called_ref[i]) {
            e->mismatched++;
            int64_t diff = llabs (e->called[i] - e->called_ref[i]);
            if (diff > e->max_diff_ms)
                e->max_diff_ms = diff;
        }
        if (e->measured[i] && e->called[i]) {
            w[n] = (e->called[i] - e->issued_ref[i]) / 1000.0;
            waited += w[n] > 0;
            n++;
        }
    }
    double mean, se;
    sim_batch_means (w, (size_t)n, ERL_BATCHES, &mean, &se);
    free (w);
    int c = out->c;
    double lambda_min = out->lambda_min, mu_min = 1 / out->service_min;
    out->customers = n;
    out->erlang_c = sim_erlang_c (c, lambda_min / mu_min);
    out->erlang_wq_s = sim_erlang_wq (c, lambda_min, mu_min) * 60;
    out->sim_wq_s = mean;
    out->se_s = se;
    out->rel_diff = (mean - out->erlang_wq_s) / out->erlang_wq_s;
    out->p_waited = n ? (double)waited / n : 0;
    out->path_mismatch = e->mismatched;
    out->path_max_diff_ms = e->max_diff_ms;
    out->errors = e->errors;
    //  The reference: long enough from a full run on for its 95% interval to lie well
    //  within 5% of Erlang C (its SE is under 1% at 4,000,000 customers).
    sim_mmc_result_t ref;
    long nref = pl->target >= ERL_LONG ? ERL_REF : 10 * pl->target;
    if (sim_mmc_simulate (c, lambda_min, mu_min, nref, nref / 100, SIM_MMC_FIFO, 15, seed + 1000,
                          &ref, NULL) == 0) {
        out->ref_customers = ref.customers;
        out->ref_wq_s = ref.mean_wait * 60;
        out->ref_se_s = ref.se_wait * 60;
        out->ref_rel_diff = (out->ref_wq_s - out->erlang_wq_s) / out->erlang_wq_s;
    }
    return 0;
}

//  One case on a broker of its own: `target` measured customers. 0 / -1.
static int
s_erl_case (double lambda_min, double service_min, int c, long target, uint64_t seed,
            s_erl_case_t *out)
{
    double wall0 = sim_wall ();
    memset (out, 0, sizeof *out);
    out->lambda_min = lambda_min;
    out->service_min = service_min;
    out->c = c;
    sim_broker_t b = {0};
    s_erl_t e = {0};
    s_erl_play_t pl = {.e = &e, .c = c, .target = target};
    pl.lambda_ms = lambda_min / 60000.0;
    pl.mean_ms = service_min * 60000.0;
    sim_rng_seed (&pl.arr, seed, 11);
    sim_rng_seed (&pl.svc, seed, 12);
    int64_t day0 = sim_local_ms (20261124, ERL_DAY_MIN, 480);
    pl.now = day0;
    int rc = -1;
    if (s_erl_broker (&b, service_min, c, day0, &pl.client) == 0 && s_erl_alloc (&pl) == 0) {
        sim_client_on_reply (pl.client, s_erl_reply, &e);
        rc = 0;
        for (int64_t d0 = day0; rc == 0 && pl.measured < target && !sim_interrupted ();
             d0 += 86400000) {
            out->days++;
            rc = s_erl_day (&pl, d0);
        }
        if (rc == 0 && sim_client_drain (pl.client) == 0)
            rc = s_erl_measure (&pl, seed, out);
        else
            rc = -1;
    }
    s_erl_free (&pl);
    sim_client_destroy (&pl.client);
    sim_broker_stop (&b);
    out->wall_s = sim_wall () - wall0;
    return rc;
}

static void
s_erlang_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow sim erlang [--json] [--quick] [--customers N] [--seed N]\n"
             "\n"
             "Checks the broker-driven simulation against queueing theory: for one service with\n"
             "Poisson arrivals and exponential service on c counters (M/M/c), the long-run mean\n"
             "wait must match Erlang C, Wq = C(c, a) / (c mu - lambda), within 5%% at 95%%\n"
             "confidence: the broker calls exactly as one first-come line on every customer,\n"
             "the in-memory model of that line (%d customers) has its 95%% interval within 5%%\n"
             "and the broker's own 95%% interval (batch means) reaches that band. Cases:\n"
             "(lambda 0.8/min, 3 min, c 3), (1.5/min, 2 min, 4), (0.3/min, 5 min, 2).\n"
             "\n"
             "The cases run at once, each on a private broker of its own (docs/SIMULATOR.md).\n"
             "\n"
             "  --quick         a smoke test: %d measured customers per case instead of %d\n"
             "                  (seconds, for tests; the FIFO path is checked, Erlang C not)\n"
             "  --customers N   measured customers per case, 100 to 5000000\n"
             "  --seed N        random seed (default 1); the cases use N, N + 1 and N + 2\n"
             "  --json          one JSON object\n"
             "  -h, --help      this help\n"
             "\n"
             "Exit status: 0 done, 1 the broker did not call first-come-first-served, or\n"
             "(full run) a case is more than 5%% from Erlang C, or a case failed; 2 usage;\n"
             "130 interrupted.\n",
             ERL_REF, ERL_QUICK, ERL_LONG);
}

//  Runs every case at once, each in a child process with its own broker (they share
//  nothing), and collects the results in case order. 0 / -1.
static int
s_erl_run_all (long customers, uint64_t seed, s_erl_case_t *results, size_t n)
{
    pid_t pids[8] = {0};
    int fds[8];
    fflush (stdout);
    fflush (stderr);
    for (size_t i = 0; i < n; i++) {
        int pipefd[2];
        if (pipe (pipefd) != 0)
            return -1;
        pid_t pid = fork ();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            close (pipefd[0]);
            s_erl_case_t r;
            int rc = s_erl_case (s_cases[i].lambda_min, s_cases[i].service_min, s_cases[i].c,
                                 customers, seed + i, &r);
            if (rc == 0 && write (pipefd[1], &r, sizeof r) != (ssize_t)sizeof r)
                rc = -1;
            close (pipefd[1]);
            _exit (rc == 0 ? 0 : 1);
        }
        close (pipefd[1]);
        pids[i] = pid;
        fds[i] = pipefd[0];
    }
    int rc = 0;
    bool forwarded = false;
    for (size_t i = 0; i < n; i++) {
        ssize_t got = 0;
        while (got < (ssize_t)sizeof results[i]) {
            ssize_t k = read (fds[i], (char *)&results[i] + got, sizeof results[i] - (size_t)got);
            if (k < 0 && errno == EINTR) {
                //  Interrupted: the cases stop too (and remove their brokers' directories).
                for (size_t j = 0; j < n && !forwarded; j++)
                    kill (pids[j], SIGTERM);
                forwarded = true;
                continue;
            }
            if (k <= 0)
                break;
            got += k;
        }
        close (fds[i]);
        int st = 0;
        while (waitpid (pids[i], &st, 0) < 0 && errno == EINTR)
            ;
        if (got != (ssize_t)sizeof results[i] || !WIFEXITED (st) || WEXITSTATUS (st) != 0) {
            if (!sim_interrupted ())
                fprintf (stderr, "onewindow sim erlang: case %zu failed\n", i + 1);
            rc = -1;
        }
    }
    return rc;
}

//  The verdict on a case at `tol`: the broker called first-come-first-served on every
//  customer (sound), the reference's 95% interval lies within tol of Erlang C (so, the
//  broker's calls being the reference's order on the same kind of draws, the hall's mean
//  wait agrees with Erlang C within tol at 95% confidence), and the broker's own 95%
//  interval reaches that band (its run does not contradict it).
static bool
s_erl_within (const s_erl_case_t *r, double tol)
{
    double e = r->erlang_wq_s;
    return r->errors == 0 && r->path_mismatch == 0 &&
           fabs (r->ref_rel_diff) + ERL_T95 * r->ref_se_s / e <= tol &&
           fabs (r->rel_diff) <= tol + ERL_T95 * r->se_s / e;
}

//  One case's figures as JSON.
static json_t *
s_erl_case_json (const s_erl_case_t *r, double tolerance)
{
    json_t *c = json_object ();
    json_object_set_new (c, "lambda_per_min", sim_real4 (r->lambda_min));
    json_object_set_new (c, "mean_service_min", sim_real4 (r->service_min));
    json_object_set_new (c, "c", json_integer (r->c));
    json_object_set_new (c, "rho", sim_real4 (r->lambda_min * r->service_min / r->c));
    json_object_set_new (c, "customers", json_integer (r->customers));
    json_object_set_new (c, "days", json_integer (r->days));
    json_object_set_new (c, "erlang_c", sim_real4 (r->erlang_c));
    json_object_set_new (c, "erlang_wq_s", sim_real4 (r->erlang_wq_s));
    json_object_set_new (c, "sim_wq_s", sim_real4 (r->sim_wq_s));
    json_object_set_new (c, "sim_se_s", sim_real4 (r->se_s));
    json_object_set_new (c, "sim_p_waited", sim_real4 (r->p_waited));
    json_object_set_new (c, "rel_diff", sim_real4 (r->rel_diff));
    json_object_set_new (c, "ci95_rel", sim_real4 (ERL_T95 * r->se_s / r->erlang_wq_s));
    json_object_set_new (c, "within_5pct", json_boolean (fabs (r->rel_diff) <= tolerance));
    json_object_set_new (c, "within_2se",
                         json_boolean (fabs (r->sim_wq_s - r->erlang_wq_s) <= 2 * r->se_s));
    json_object_set_new (c, "agrees_95", json_boolean (s_erl_within (r, tolerance)));
    json_object_set_new (c, "path_mismatch", json_integer (r->path_mismatch));
    json_object_set_new (c, "path_max_diff_ms", json_integer (r->path_max_diff_ms));
    json_object_set_new (c, "reference_customers", json_integer (r->ref_customers));
    json_object_set_new (c, "reference_wq_s", sim_real4 (r->ref_wq_s));
    json_object_set_new (c, "reference_se_s", sim_real4 (r->ref_se_s));
    json_object_set_new (c, "reference_rel_diff", sim_real4 (r->ref_rel_diff));
    json_object_set_new (c, "reference_ci95_rel",
                         sim_real4 (ERL_T95 * r->ref_se_s / r->erlang_wq_s));
    json_object_set_new (c, "errors", json_integer (r->errors));
    return c;
}

//  One case's line of the printed table.
static void
s_erl_case_print (const s_erl_case_t *r, bool sound)
{
    char b1[40];
    double e = r->erlang_wq_s;
    snprintf (b1, sizeof b1, "%.1f s (+-%.1f)", r->sim_wq_s, r->se_s);
    printf ("  %10.2f  %4.1f  %2d  %4.2f  %8.1f s   %-18s %+6.2f%% +-%4.1f%%  %-7s  %+5.2f%% "
            "+-%3.1f%%\n",
            r->lambda_min, r->service_min, r->c, r->lambda_min * r->service_min / r->c, e, b1,
            100 * r->rel_diff, 100 * ERL_T95 * r->se_s / e, sound ? "same" : "DIFFERS",
            100 * r->ref_rel_diff, 100 * ERL_T95 * r->ref_se_s / e);
}

//  The check's options.
typedef struct {
    bool json, quick;
    long customers; //  measured per case
    uint64_t seed;
} s_erl_opts_t;

//  Reads the options into `opt`: -1 to go on, else the exit code (help, usage error).
static int
s_erlang_options (s_erl_opts_t *opt, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"quick", no_argument, NULL, 'q'},
        {"customers", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    char *end;
    while ((ch = getopt_long (argc, argv, "+qn:s:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': opt->json = true; break;
        case 'q': opt->quick = true; break;
        case 'n':
            opt->customers = strtol (optarg, &end, 10);
            if (*end || opt->customers < 100 || opt->customers > 5000000)
                return sim_usage_error ("erlang", "--customers takes 100 to 5000000");
            break;
        case 's':
            opt->seed = strtoull (optarg, &end, 10);
            if (*end || !*optarg)
                return sim_usage_error ("erlang", "--seed takes a number");
            break;
        case 'h': s_erlang_help (stdout); return PROTO_EXIT_OK;
        default: return sim_usage_error ("erlang", "bad option");
        }
    }
    if (optind < argc)
        return sim_usage_error ("erlang", "unexpected '%s'", argv[optind]);
    if (!opt->customers)
        opt->customers = opt->quick ? ERL_QUICK : ERL_LONG;
    return -1;
}

int
sim_erlang_main (sim_opts_t *o, int argc, char **argv)
{
    s_erl_opts_t opt = {.json = o->json, .seed = 1};
    int rc = s_erlang_options (&opt, argc, argv);
    if (rc >= 0)
        return rc;
    const double tolerance = 0.05;
    size_t n = sizeof s_cases / sizeof s_cases[0];
    s_erl_case_t results[sizeof s_cases / sizeof s_cases[0]];
    double wall0 = sim_wall ();
    if (s_erl_run_all (opt.customers, opt.seed, results, n) != 0)
        return sim_interrupted () ? 130 : PROTO_EXIT_REFUSED;
    bool all_within = true, all_sound = true;
    json_t *cases = json_array ();
    if (!opt.json) {
        printf ("M/M/c: the broker-driven simulation against Erlang C (%ld measured customers "
                "per case, seed %llu)%s\n\n",
                opt.customers, (unsigned long long)opt.seed,
                opt.quick ? "\nSMOKE TEST (--quick): too short to say anything about Erlang C; "
                            "it checks the FIFO path"
                          : "");
        printf ("  lambda/min  1/mu   c   rho  Erlang C Wq  simulated Wq (+-SE)  rel diff, 95%%  "
                "FIFO     reference, 95%%\n");
    }
    for (size_t i = 0; i < n; i++) {
        const s_erl_case_t *r = &results[i];
        bool sound = r->errors == 0 && r->path_mismatch == 0;
        all_sound = all_sound && sound;
        all_within = all_within && s_erl_within (r, tolerance);
        json_array_append_new (cases, s_erl_case_json (r, tolerance));
        if (!opt.json)
            s_erl_case_print (r, sound);
        fprintf (stderr, "sim erlang: case %zu: %ld customers over %ld days in %.1f s wall\n",
                 i + 1, r->customers, r->days, r->wall_s);
    }
    if (opt.json) {
        json_t *j = json_object ();
        json_object_set_new (j, "seed", json_integer ((json_int_t)opt.seed));
        json_object_set_new (j, "customers", json_integer (opt.customers));
        json_object_set_new (j, "quick", json_boolean (opt.quick));
        json_object_set_new (j, "tolerance", sim_real4 (tolerance));
        json_object_set_new (j, "all_within", json_boolean (all_within));
        json_object_set_new (j, "cases", cases);
        sim_print_json (j);
        json_decref (j);
    } else {
        json_decref (cases);
        printf (
            "\n  rel diff = (simulated - Erlang C) / Erlang C and its 95%% interval (t, %d batch "
            "means).\n"
            "  FIFO: the broker called every ticket exactly when one pooled first-come line\n"
            "  would have, on the same arrival and service draws. reference: the in-memory\n"
            "  M/M/c model (%ld customers) against Erlang C. A case agrees within %.0f%% at\n"
            "  95%% confidence when its path is the same, the reference's interval lies within\n"
            "  %.0f%% and the broker's reaches it: %s.\n",
            ERL_BATCHES, results[0].ref_customers, 100 * tolerance, 100 * tolerance,
            opt.quick    ? "not judged in a smoke test"
            : all_within ? "every case agrees"
                         : "NOT every case agrees");
    }
    fflush (stdout);
    fprintf (stderr, "sim erlang: %.1f s wall\n", sim_wall () - wall0);
    if (sim_interrupted ())
        return 130;
    if (!all_sound || (!opt.quick && !all_within))
        return PROTO_EXIT_REFUSED;
    return PROTO_EXIT_OK;
}
