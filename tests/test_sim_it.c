/*  test_sim_it.c — the day simulator, the Erlang C check and staffing (`onewindow sim`).

    Erlang B and C against values worked out independently (by hand for small cases, by the
    textbook sum for the others); the in-memory M/M/c reference against Erlang C, and why
    the broker check also compares paths (last-come-first-served has the same mean wait);
    the broker-driven M/M/c at quick length: the broker calls exactly as one pooled FIFO
    line, and its mean wait is within a tolerance of Erlang C that one counter more or
    less, or a line per counter, would fall outside; a short simulated day is repeatable
    for a seed and prints every figure; staffing reads a broker's journal. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_msg.h"
#include "sim_erlang.h"
#include "test_util.h"
#include "tests.h"

//  The textbook Erlang C, with factorials and powers: fine for small c, and independent of
//  the recurrence under test.
static double
s_erlang_c_sum (int c, double a)
{
    double term = 1, sum = 0; //  a^k / k!
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term * c / (c - a); //  a^c / c! × c / (c - a)
    return top / (sum + top);
}

static void
test_erlang_known (void)
{
    //  Erlang B by hand: B(1, 1) = 1/2; B(2, 1) = (1 × 1/2) / (2 + 1/2) = 1/5.
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_b (0, 3), 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_b (1, 1), 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_b (2, 1), 0.2, 1e-15);
    //  M/M/1: C = rho and Wq = rho / (mu - lambda). lambda 0.5, mu 1: C 0.5, Wq 1.
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_c (1, 0.5), 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_wq (1, 0.5, 1.0), 1.0, 1e-12);
    //  lambda 0.8/min, mu 1/min: Wq = 0.8 / 0.2 = 4 min.
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_wq (1, 0.8, 1.0), 4.0, 1e-12);
    //  M/M/2 with a = 1 (rho 1/2): C = 2 rho^2 / (1 + rho) = 1/3, Wq = C / (2 mu - lambda).
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_c (2, 1.0), 1.0 / 3, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_wq (2, 1.0, 1.0), 1.0 / 3, 1e-12);
    //  The check's cases and a classic table value, C(10, 8) = 0.40918 (to 5 places).
    const struct {
        int c;
        double a;
    } cases[] = {{3, 2.4}, {4, 3.0}, {2, 1.5}, {10, 8.0}, {5, 0.1}, {20, 19.5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double want = s_erlang_c_sum (cases[i].c, cases[i].a);
        CU_ASSERT_DOUBLE_EQUAL (sim_erlang_c (cases[i].c, cases[i].a), want, 1e-12 * want);
    }
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_c (10, 8.0), 0.40918, 5e-6);
    //  Case 1 of the check: lambda 0.8/min, 1/mu 3 min, c 3: Wq = C / (3/3 - 0.8) min.
    double c1 = s_erlang_c_sum (3, 2.4);
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_wq (3, 0.8, 1.0 / 3), c1 / 0.2, 1e-12);
    //  Hundreds of counters, where the textbook sum overflows: still a probability.
    double big = sim_erlang_c (1000, 990);
    CU_ASSERT (isfinite (big) && big > 0 && big < 1);
    //  Unstable and invalid.
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_c (3, 3.0), 1.0, 0);
    CU_ASSERT (isinf (sim_erlang_wq (3, 1.0, 1.0 / 3)));
    CU_ASSERT_EQUAL (sim_erlang_c (0, 1), -1);
    CU_ASSERT_EQUAL (sim_erlang_wq (2, 1, 0), -1);
    //  P(W > 0) = C; the tail falls as e^{-(c mu - lambda) t}.
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_p_wait_gt (3, 0.8, 1.0 / 3, 0), c1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (sim_erlang_p_wait_gt (3, 0.8, 1.0 / 3, 5), c1 * exp (-0.2 * 5), 1e-12);
    //  Staffing: the smallest c that meets the target, and c - 1 does not.
    int c = sim_erlang_staff (2.0, 1.0 / 6, 15, 0.8, 100); //  120/h, 6 min: a = 12
    CU_ASSERT (c >= 13);
    CU_ASSERT (1 - sim_erlang_p_wait_gt (c, 2.0, 1.0 / 6, 15) >= 0.8);
    CU_ASSERT (1 - sim_erlang_p_wait_gt (c - 1, 2.0, 1.0 / 6, 15) < 0.8);
    CU_ASSERT_EQUAL (sim_erlang_staff (0, 1, 15, 0.8, 10), 0);
    CU_ASSERT_EQUAL (sim_erlang_staff (100, 1, 15, 0.8, 10), -1);
}

static void
test_rng (void)
{
    sim_rng_t a, b, c;
    sim_rng_seed (&a, 42, 1);
    sim_rng_seed (&b, 42, 1);
    sim_rng_seed (&c, 42, 2);
    int same = 0, other = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = sim_rng_next (&a), y = sim_rng_next (&b), z = sim_rng_next (&c);
        same += x == y;
        other += x == z;
    }
    CU_ASSERT_EQUAL (same, 100);
    CU_ASSERT_EQUAL (other, 0);
    //  Means of the variates the simulators use, over 200,000 draws.
    double se = 0, sl = 0, su = 0, sp = 0;
    int n = 200000, outside = 0;
    for (int i = 0; i < n; i++) {
        double u = sim_rng_uniform (&a);
        outside += !(u > 0 && u < 1);
        su += u;
        se += sim_rng_exp (&a, 3.0);
        sl += sim_rng_lognormal (&a, 600, 0.6);
        sp += sim_rng_poisson (&a, 7.5);
    }
    CU_ASSERT_EQUAL (outside, 0);
    CU_ASSERT_DOUBLE_EQUAL (su / n, 0.5, 0.005);
    CU_ASSERT_DOUBLE_EQUAL (se / n, 3.0, 0.05);
    CU_ASSERT_DOUBLE_EQUAL (sl / n, 600, 6);
    CU_ASSERT_DOUBLE_EQUAL (sp / n, 7.5, 0.05);
}

//  The in-memory reference over a long run matches Erlang C; the policies that keep one
//  pooled line have the same mean (work conservation), but serve people in another order.
static void
test_mmc_reference (void)
{
    double lambda = 0.8, mu = 1.0 / 3;
    int c = 3;
    double wq = sim_erlang_wq (c, lambda, mu);
    sim_mmc_result_t fifo, lifo, split;
    long n = 400000;
    CU_ASSERT_EQUAL_FATAL (
        sim_mmc_simulate (c, lambda, mu, n, 20000, SIM_MMC_FIFO, 15, 5, &fifo, NULL), 0);
    CU_ASSERT_EQUAL (fifo.customers, n);
    CU_ASSERT_DOUBLE_EQUAL (fifo.mean_wait / wq, 1.0, 0.05);
    CU_ASSERT_DOUBLE_EQUAL (fifo.p_waited, sim_erlang_c (c, lambda / mu), 0.02);
    CU_ASSERT_DOUBLE_EQUAL (fifo.p_within, 1 - sim_erlang_p_wait_gt (c, lambda, mu, 15), 0.01);
    CU_ASSERT_DOUBLE_EQUAL (fifo.utilisation, lambda / mu / c, 0.01);
    CU_ASSERT (fifo.se_wait > 0 && fifo.se_wait < 0.05 * wq);

    //  Last come, first served: the same mean (within the noise), different people wait.
    long m = 20000;
    double *w1 = malloc ((size_t)m * sizeof *w1), *w2 = malloc ((size_t)m * sizeof *w2);
    CU_ASSERT_PTR_NOT_NULL_FATAL (w1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (w2);
    CU_ASSERT_EQUAL (sim_mmc_simulate (c, lambda, mu, n, 20000, SIM_MMC_LIFO, 15, 5, &lifo, NULL),
                     0);
    CU_ASSERT_DOUBLE_EQUAL (lifo.mean_wait / wq, 1.0, 0.08);
    sim_mmc_simulate (c, lambda, mu, m, 1000, SIM_MMC_FIFO, 15, 9, &fifo, w1);
    sim_mmc_simulate (c, lambda, mu, m, 1000, SIM_MMC_LIFO, 15, 9, &lifo, w2);
    long differ = 0;
    for (long i = 0; i < m; i++)
        differ += fabs (w1[i] - w2[i]) > 1e-9;
    CU_ASSERT (differ > m / 10);
    free (w1);
    free (w2);
    //  A line per counter (no pooling) waits far longer.
    CU_ASSERT_EQUAL (sim_mmc_simulate (c, lambda, mu, n, 20000, SIM_MMC_SPLIT, 15, 5, &split, NULL),
                     0);
    CU_ASSERT (split.mean_wait > 2 * wq);
    CU_ASSERT_EQUAL (sim_mmc_simulate (0, lambda, mu, n, 0, SIM_MMC_FIFO, 15, 5, &split, NULL), -1);
}

static json_t *
s_run_json (const char *args, int *status)
{
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "%s %s 2>/dev/null", test_bin ("onewindow"), args);
    char *out = test_run (cmd, status);
    json_t *j = out ? json_loads (out, 0, NULL) : NULL;
    if (!j)
        fprintf (stderr, "\n  %s: exit %d, not JSON:\n%s\n", cmd, *status, out ? out : "(none)");
    free (out);
    return j;
}

//  The broker-driven M/M/c at quick length.
static void
test_erlang_quick (void)
{
    int st;
    json_t *j = s_run_json ("sim erlang --quick --json", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    json_t *cases = json_object_get (j, "cases");
    CU_ASSERT_EQUAL (json_array_size (cases), 3);
    size_t i;
    json_t *c;
    json_array_foreach (cases, i, c) {
        double lambda = json_real_value (json_object_get (c, "lambda_per_min"));
        double mu = 1 / json_real_value (json_object_get (c, "mean_service_min"));
        int k = (int)json_integer_value (json_object_get (c, "c"));
        double erl = json_real_value (json_object_get (c, "erlang_wq_s"));
        double sim = json_real_value (json_object_get (c, "sim_wq_s"));
        double se = json_real_value (json_object_get (c, "sim_se_s"));
        long customers = (long)json_integer_value (json_object_get (c, "customers"));
        CU_ASSERT (customers >= 2500);
        //  Our own Erlang C in seconds.
        CU_ASSERT_DOUBLE_EQUAL (erl, sim_erlang_wq (k, lambda, mu) * 60, 0.01);
        //  The broker called every ticket exactly when one pooled FIFO line would have: a
        //  last-come-first-served or any other order would show here even with the same
        //  mean wait.
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (c, "path_mismatch")), 0);
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (c, "errors")), 0);
        //  The tolerance at this length: three standard errors of the run (batch means),
        //  at least 15%. At 3,000 customers and rho 0.75-0.8 one standard error is about
        //  20%, so a fixed 15% would be a coin toss, not a test.
        double tol = fmax (0.15, 3 * se / erl);
        double rel = (sim - erl) / erl;
        if (fabs (rel) > tol)
            fprintf (stderr,
                     "\n  case %zu: simulated %.1f s, Erlang C %.1f s (%+.1f%%, tol %.0f%%)\n",
                     i + 1, sim, erl, 100 * rel, 100 * tol);
        CU_ASSERT (fabs (rel) <= tol);
        //  ... and it still means something: the mean wait with one counter fewer or more,
        //  or with a line per counter (long run of the reference), lies outside it.
        CU_ASSERT (tol < 0.75);
        double fewer = sim_erlang_wq (k - 1, lambda, mu) * 60;
        double more = sim_erlang_wq (k + 1, lambda, mu) * 60;
        CU_ASSERT (isinf (fewer) || (fewer - erl) / erl > tol);
        CU_ASSERT ((more - erl) / erl < -tol);
        sim_mmc_result_t split;
        CU_ASSERT_EQUAL (
            sim_mmc_simulate (k, lambda, mu, 200000, 10000, SIM_MMC_SPLIT, 15, 1 + i, &split, NULL),
            0);
        CU_ASSERT ((split.mean_wait * 60 - erl) / erl > tol);
        //  The long in-memory reference is within the 5% target.
        CU_ASSERT (fabs (json_real_value (json_object_get (c, "reference_rel_diff"))) <= 0.05);
    }
    json_decref (j);
}

static void
test_day_repeatable (void)
{
    int st1, st2, st3;
    json_t *a = s_run_json ("sim day --hours 2 --seed 7 --json", &st1);
    json_t *b = s_run_json ("sim day --hours 2 --seed 7 --json", &st2);
    json_t *c = s_run_json ("sim day --hours 2 --seed 8 --json", &st3);
    CU_ASSERT_EQUAL (st1, 0);
    CU_ASSERT_EQUAL (st2, 0);
    CU_ASSERT_EQUAL (st3, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (a);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    char *ta = json_dumps (a, JSON_SORT_KEYS), *tb = json_dumps (b, JSON_SORT_KEYS),
         *tc = json_dumps (c, JSON_SORT_KEYS);
    CU_ASSERT_STRING_EQUAL (ta, tb);
    CU_ASSERT (strcmp (ta, tc) != 0);
    free (ta);
    free (tb);
    free (tc);

    const char *ints[] = {"tickets",         "called",         "avg_wait_s",
                          "estimate_n",      "estimate_mae_s", "estimate_p90_abs_s",
                          "estimate_bias_s", "naive_mae_s",    "naive_p90_abs_s",
                          "naive_bias_s",    "max_wait_s",     "unexpected_replies",
                          "plus1_mae_s",     "les_mae_s",      "interval_covered"};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        CU_ASSERT (json_is_integer (json_object_get (a, ints[i])));
    const char *rates[] = {"over_wait_rate", "utilisation", "no_show_rate", "interval_coverage"};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        double v = json_real_value (json_object_get (a, rates[i]));
        CU_ASSERT (json_is_real (json_object_get (a, rates[i])) && v >= 0 && v <= 1);
    }
    long tickets = (long)json_integer_value (json_object_get (a, "tickets"));
    CU_ASSERT (tickets > 30);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (a, "called")), tickets);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (a, "unexpected_replies")), 0);
    //  Every ticket called is in the metric, with or without an answer.
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (a, "estimate_n")), tickets);
    //  The simulator's figures agree with the broker's own day figures.
    json_t *br = json_object_get (a, "broker");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (br, "called")), tickets);
    CU_ASSERT (llabs (json_integer_value (json_object_get (br, "avg_wait_s")) -
                      json_integer_value (json_object_get (a, "avg_wait_s"))) <= 1);
    CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (br, "utilisation")),
                            json_real_value (json_object_get (a, "utilisation")), 0.001);
    json_decref (a);
    json_decref (b);
    json_decref (c);
}

static void
test_day_report_and_csv (void)
{
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char csv[600], cmd[1200];
    snprintf (csv, sizeof csv, "%s/day.csv", dir);
    snprintf (cmd, sizeof cmd, "%s sim day --hours 1.5 --seed 3 --csv '%s' 2>/dev/null",
              test_bin ("onewindow"), csv);
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (out);
    const char *want[] = {"tickets",       "average wait",          "over-wait rate",
                          "utilisation",   "no_show_rate",          "broker estimate",
                          "naive formula", "(ahead+1) x mean/open", "last to enter service",
                          "MAE ratio",     "best other baseline",   "80% interval"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr (out, want[i])) {
            fprintf (stderr, "\n  missing \"%s\" in:\n%s\n", want[i], out);
            CU_FAIL ("a figure is missing from the report");
        }
    free (out);
    char *text = test_read_file (csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    CU_ASSERT (strncmp (text,
                        "number,service,priority,issued,called,wait_s,est_wait_s,naive_wait_s,"
                        "missed",
                        60) == 0);
    int rows = 0;
    for (char *p = text; (p = strchr (p, '\n')); p++)
        rows++;
    CU_ASSERT (rows > 20);
    free (text);
    //  Bad usage is refused before any broker starts.
    snprintf (cmd, sizeof cmd, "%s sim day --hours 0 2>&1", test_bin ("onewindow"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 2);
    free (out);
    test_rmtree (dir);
    free (dir);
}

//  The example hall's config with its calendar found from here, to change and run.
static json_t *
s_example_config (void)
{
    json_t *cfg = json_load_file (test_src ("etc/hall.example.json"), 0, NULL);
    if (cfg)
        json_object_set_new (json_object_get (cfg, "cases"), "calendar",
                             json_string (test_src ("etc/calendar")));
    return cfg;
}

//  Runs `sim day --config DIR/config.json ARGS --csv DIR/day.csv --json` on `cfg` (taken):
//  the report, checked to have run without unexpected replies; NULL if it did not run.
static json_t *
s_day_on (const char *dir, json_t *cfg, const char *args)
{
    char config[600], cmd[1600];
    snprintf (config, sizeof config, "%s/config.json", dir);
    int rc = json_dump_file (cfg, config, 0);
    json_decref (cfg);
    CU_ASSERT_EQUAL_FATAL (rc, 0);
    snprintf (cmd, sizeof cmd, "sim day --config '%s' %s --csv '%s/day.csv' --json", config, args,
              dir);
    int st;
    json_t *j = s_run_json (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT (j && json_integer_value (json_object_get (j, "unexpected_replies")) == 0);
    return j;
}

//  The hall is what hall.info says, whatever the config: a hall an hour east of UTC (the
//  broker is started again at 08:30 local once hall.info tells the offset) with its own
//  appointment rules. Every booking is in one of its slots, the day starts at 08:30 local,
//  and the check-ins arrive within their windows as in the example hall.
static void
test_day_other_hall (void)
{
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    json_t *cfg = s_example_config ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    json_object_set_new (json_object_get (cfg, "hall"), "utc_offset_min", json_integer (60));
    json_object_set_new (cfg, "appointments",
                         json_pack ("{s:i, s:[s]}", "slot_minutes", 15, "hours", "10:00-11:30"));
    json_t *j = s_day_on (dir, cfg, "--hours 3 --seed 5");
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    char csv[600];
    snprintf (csv, sizeof csv, "%s/day.csv", dir);
    json_t *ap = json_object_get (j, "appointments");
    CU_ASSERT (json_integer_value (json_object_get (ap, "booked")) > 5);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (ap, "refused")), 0);
    CU_ASSERT (json_integer_value (json_object_get (ap, "in_window")) >
               3 * json_integer_value (json_object_get (ap, "outside_window")));
    json_decref (j);
    char *text = test_read_file (csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    int appts = 0, outside = 0;
    char first_issued[32] = "";
    for (char *line = strchr (text, '\n'); line && line[1]; line = strchr (line + 1, '\n')) {
        //  number,service,priority,issued,...,source,slot,counter,service_s
        char *f[13] = {0};
        char *p = line + 1;
        for (int k = 0; k < 13 && p; k++) {
            f[k] = p;
            p = strpbrk (p, ",\n");
            p = p && *p == ',' ? p + 1 : NULL;
        }
        if (!f[10])
            continue;
        if (!first_issued[0] && f[3])
            snprintf (first_issued, sizeof first_issued, "%.19s", f[3]);
        if (strncmp (f[9], "appointment", 11) != 0)
            continue;
        appts++;
        int h, m;
        if (sscanf (f[10], "%d:%d", &h, &m) != 2 || h * 60 + m < 600 || h * 60 + m >= 690 || m % 15)
            outside++;
    }
    CU_ASSERT (appts > 5);
    CU_ASSERT_EQUAL (outside, 0);
    //  The first walk-in comes soon after the kiosk opens at 08:30, local time.
    CU_ASSERT (strncmp (first_issued, "2026-11-24 08:", 14) == 0);
    free (text);
    test_rmtree (dir);
    free (dir);
}

//  Every scheduled break is taken, not only the first: with two breaks per counter (10:00-
//  10:20 and 11:00-11:20, taken on time by the default clerks), no counter calls anyone
//  during either, and the hall calls between and after them.
static void
test_day_two_breaks (void)
{
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    json_t *cfg = s_example_config ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    size_t i;
    json_t *ctr;
    json_array_foreach (json_object_get (cfg, "counters"), i, ctr)
        json_object_set_new (ctr, "breaks", json_pack ("[s, s]", "10:00-10:20", "11:00-11:20"));
    json_t *j = s_day_on (dir, cfg, "--hours 4 --seed 2");
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    json_decref (j);
    char csv[600];
    snprintf (csv, sizeof csv, "%s/day.csv", dir);
    char *text = test_read_file (csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    int in_break = 0, between = 0, after = 0;
    for (char *line = strchr (text, '\n'); line && line[1]; line = strchr (line + 1, '\n')) {
        //  number,service,priority,issued,called,...: the call's local time
        char *called = line + 1;
        for (int k = 0; k < 4 && called; k++) {
            called = strchr (called, ',');
            called = called ? called + 1 : NULL;
        }
        int h, m;
        if (!called || sscanf (called, "%*d-%*d-%*d %d:%d", &h, &m) != 2)
            continue;
        int min = h * 60 + m;
        in_break += (min >= 600 && min < 620) || (min >= 660 && min < 680);
        between += min >= 620 && min < 660;
        after += min >= 680;
    }
    CU_ASSERT_EQUAL (in_break, 0);
    CU_ASSERT (between > 5);
    CU_ASSERT (after > 5);
    free (text);
    test_rmtree (dir);
    free (dir);
}

//  The repository's scenarios run (two hours of each): every feature of the format is in
//  one of them (profiles, 15-minute slots, quantiles, cancellations, reaction delays,
//  unannounced breaks and pauses, closings). A key the format does not have is refused
//  before any broker starts.
static void
test_day_scenarios (void)
{
    const char *names[] = {"example", "county", "city", "overload"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[64], args[1200];
        snprintf (rel, sizeof rel, "etc/scenarios/%s.json", names[i]);
        snprintf (args, sizeof args, "sim day --scenario '%s' --hours 2 --seed 1 --json",
                  test_src (rel));
        int st;
        json_t *j = s_run_json (args, &st);
        CU_ASSERT_EQUAL (st, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL (j);
        CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (j, "scenario")), names[i]);
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (j, "unexpected_replies")), 0);
        CU_ASSERT (json_integer_value (json_object_get (j, "estimate_n")) > 10);
        json_decref (j);
    }
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char path[600], cmd[1400];
    snprintf (path, sizeof path, "%s/typo.json", dir);
    FILE *f = fopen (path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL (f);
    fputs ("{\"clerks\": {\"reaction\": {\"mean\": 10}}}\n", f);
    fclose (f);
    snprintf (cmd, sizeof cmd, "%s sim day --scenario '%s' 2>&1", test_bin ("onewindow"), path);
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_NOT_EQUAL (st, 0);
    CU_ASSERT (out && strstr (out, "reaction"));
    free (out);
    test_rmtree (dir);
    free (dir);
}

//  Staffing from a journal: two hours of one service served at known times.
static void
test_staffing (void)
{
    test_broker_t b;
    //  2026-11-24 09:00 in Beijing.
    CU_ASSERT_EQUAL_FATAL (test_broker_start (&b, NULL, 1795914000000LL), 0);
    proto_client_t *c = test_client (&b);
    int code;
    json_decref (test_call (c, "counter.login", json_pack ("{s:i}", "counter", 5), &code));
    CU_ASSERT_EQUAL (code, 0);
    //  30 tickets for B, one every 4 minutes, each served for 3 minutes.
    for (int i = 0; i < 30; i++) {
        json_decref (test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "B"), &code));
        CU_ASSERT_EQUAL (code, 0);
        json_decref (test_call (c, "ticket.call_next", json_pack ("{s:i}", "counter", 5), &code));
        json_decref (test_call (c, "ticket.start", json_pack ("{s:i}", "counter", 5), &code));
        json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 180000), &code));
        json_decref (test_call (c, "ticket.finish", json_pack ("{s:i}", "counter", 5), &code));
        CU_ASSERT_EQUAL (code, 0);
        json_decref (test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 60000), &code));
    }
    proto_client_destroy (&c);
    char args[800];
    snprintf (args, sizeof args, "--broker %s sim staffing --target 80/15 --json", b.req);
    int st;
    json_t *j = s_run_json (args, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (j);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (j, "tickets")), 30);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (j, "days")), 1);
    json_t *hours = json_object_get (j, "hours");
    CU_ASSERT_EQUAL (json_array_size (hours), 2); //  09:00 and 10:00
    size_t i;
    json_t *h;
    json_array_foreach (hours, i, h) {
        //  15 an hour at 3 minutes: a = 0.75. One counter gives P(W > 15 min) =
        //  0.75 e^{-(1/3 - 1/4) 15} = 0.215, short of 80% within; two give 0.99.
        CU_ASSERT_DOUBLE_EQUAL (json_real_value (json_object_get (h, "mean_service_s")), 180, 1);
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (h, "counters")), 2);
        CU_ASSERT (json_real_value (json_object_get (h, "p_within")) >= 0.8);
        CU_ASSERT (json_real_value (json_object_get (h, "sim_p_within")) >= 0.75);
    }
    json_decref (j);
    test_broker_cleanup (&b);
}

int
test_sim_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("sim_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "Erlang B and C against independent values", test_erlang_known);
    CU_add_test (s, "seeded random streams and their means", test_rng);
    CU_add_test (s, "in-memory M/M/c: Erlang C, LIFO same mean other order, split lines",
                 test_mmc_reference);
    CU_add_test (s,
                 "broker M/M/c at quick length: FIFO path, Erlang C within a meaningful "
                 "tolerance",
                 test_erlang_quick);
    CU_add_test (s, "a short day: same seed same JSON, another seed another", test_day_repeatable);
    CU_add_test (s, "a short day's report and CSV", test_day_report_and_csv);
    CU_add_test (s, "another hall: its time zone and appointment rules from hall.info",
                 test_day_other_hall);
    CU_add_test (s, "two breaks per counter: both taken", test_day_two_breaks);
    CU_add_test (s, "the repository's scenarios run; a typo is refused", test_day_scenarios);
    CU_add_test (s, "staffing from a broker's journal", test_staffing);
    return 0;
}
