/*  bench.c — onewindow-bench: options, the sections in order, the table and the CSV.

    onewindow-bench [--quick] [--json] [--runs N] [--seconds S] [--cases N] [--only LIST]

    Run from the source tree (scripts/bench does): programs from $OW_BIN_DIR (default bin),
    scratch in var/bench/run, results in var/bench/latest.csv. See docs/PERFORMANCE.md. */
#include "bench.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "proto_log.h"

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: onewindow-bench [--quick] [--json] [--runs N] [--seconds S] [--cases N]\n"
             "                       [--only SECTION,...]\n"
             "\n"
             "Measures the hall on this machine against its physical limits, in one run:\n"
             "limits (LMDB synced commits, ZeroMQ echo), broker (durable ticket.issue and a\n"
             "counter mix at 1, 8, 32 clients), peers (the same durable ticket on Redis and\n"
             "PostgreSQL), reads, fan-out (events to 10 and 100 subscribers), vault\n"
             "(scan-to-unlock), scale (start-up and memory with 1,000,000 historical cases),\n"
             "district (32 halls at 10x a busy peak: event lag, CPU, memory, catch-up after a\n"
             "10-minute hall outage). Every figure is the median of N runs, min-max shown.\n"
             "\n"
             "  --quick        short runs (3 x 0.3 s, 100,000 cases)\n"
             "  --json         results as JSON on stdout instead of the table\n"
             "  --runs N       runs per figure (default 5; quick 3)\n"
             "  --seconds S    measuring window per run (default 1.0; quick 0.3)\n"
             "  --cases N      historical cases for the scale section (default 1000000)\n"
             "  --only LIST    sections to run: limits,broker,peers,reads,fanout,vault,\n"
             "                 scale,district\n"
             "  -h, --help     this help\n"
             "\n"
             "Programs come from $OW_BIN_DIR (default bin), the source tree is $OW_SRC_DIR\n"
             "(default .); scratch in var/bench/run; results also in var/bench/latest.csv\n"
             "(name,clients,value,unit,ratio_to_limit). See docs/PERFORMANCE.md.\n");
}

static bool
s_wanted (const bench_t *b, const char *section)
{
    if (!b->only)
        return true;
    size_t n = strlen (section);
    for (const char *p = b->only; (p = strstr (p, section)); p += n)
        if ((p == b->only || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
            return true;
    return false;
}

//  ---------------------------------------------------------------------------------------
//  Output

//  A number with thousands separators when large, else 3 significant digits.
static void
s_num (double v, char *out, size_t size)
{
    if (isnan (v)) {
        snprintf (out, size, "-");
        return;
    }
    if (fabs (v) >= 10000) {
        char digits[32];
        snprintf (digits, sizeof digits, "%.0f", v);
        size_t len = strlen (digits), o = 0;
        for (size_t i = 0; i < len && o + 2 < size; i++) {
            out[o++] = digits[i];
            size_t left = len - i - 1;
            if (left && left % 3 == 0 && digits[i] != '-')
                out[o++] = ',';
        }
        out[o] = 0;
    } else if (fabs (v) >= 100)
        snprintf (out, size, "%.0f", v);
    else if (fabs (v) >= 10)
        snprintf (out, size, "%.1f", v);
    else
        snprintf (out, size, "%.2f", v);
}

static bool
s_target_met (const bench_t *b, const bench_fig_t *f)
{
    double v = f->target_ratio ? bench_fig_ratio (b, f) : bench_fig_median (f);
    if (isnan (v))
        return false;
    return f->target_max ? v <= f->target : v >= f->target;
}

static void
s_target_text (const bench_t *b, const bench_fig_t *f, char *out, size_t size)
{
    if (!f->target) {
        out[0] = 0;
        return;
    }
    char num[32];
    s_num (f->target, num, sizeof num);
    snprintf (out, size, "%s%s%s %s", f->target_max ? "<=" : ">=", num, f->target_ratio ? "x" : "",
              s_target_met (b, f) ? "met" : "MISSED");
}

void
bench_print_table (const bench_t *b, double wall_s)
{
    struct utsname u;
    uname (&u);
    time_t now = time (NULL);
    char when[32];
    strftime (when, sizeof when, "%Y-%m-%d %H:%M", localtime (&now));
    printf ("\nonewindow bench — %s on %s (%ld cores), %d runs x %.1f s per figure: median "
            "(min-max)\n",
            when, u.nodename, sysconf (_SC_NPROCESSORS_ONLN), b->runs, b->seconds);
    const char *section = "";
    for (int i = 0; i < b->nfigs; i++) {
        const bench_fig_t *f = b->figs[i];
        if (strcmp (section, f->section) != 0) {
            section = f->section;
            printf ("\n%-8s %-44s %7s %10s %21s %-13s %6s  %s\n", section, "", "clients", "median",
                    "min-max", "unit", "ratio", "target");
        }
        char med[32], lo[32], hi[32], range[80], ratio[32], clients[16], target[48];
        s_num (bench_fig_median (f), med, sizeof med);
        s_num (bench_fig_min (f), lo, sizeof lo);
        s_num (bench_fig_max (f), hi, sizeof hi);
        snprintf (range, sizeof range, "%s-%s", lo, hi);
        double r = bench_fig_ratio (b, f);
        if (isnan (r))
            ratio[0] = 0;
        else
            snprintf (ratio, sizeof ratio, "%.2fx", r);
        if (f->clients)
            snprintf (clients, sizeof clients, "%d", f->clients);
        else
            clients[0] = 0;
        s_target_text (b, f, target, sizeof target);
        printf ("         %-44s %7s %10s %21s %-13s %6s  %s\n", f->label, clients, med, range,
                f->unit, ratio, target);
    }
    printf (
        "\nmix: each client works its own counter: ticket.issue, ticket.status, ticket.call_next,"
        " ticket.start, ticket.finish.\n"
        "ratio: 1 client against the LMDB synced commit (ticket.issue: of 7 puts in 7 B-trees, what"
        " one ticket writes; mix: of one put),\n"
        "       8 and 32 clients against the echo limit at as many clients.\n"
        "peers: the same durable ticket (number, 300-byte row, journal event, synced before the"
        " reply) on Redis and PostgreSQL,\n"
        "       measured turn about with the broker; onewindow / peer = this run's ticket.issue"
        " over the peer's.\n"
        "fan-out: clients = subscribers, under the mix at 8 clients.\n"
        "wall time %.0f s; results in %s; docs/PERFORMANCE.md explains every figure.\n",
        wall_s, b->csv);
    if (*bench_peers_skipped ())
        printf ("peers skipped: %s\n", bench_peers_skipped ());
}

void
bench_print_json (const bench_t *b, double wall_s)
{
    json_t *list = json_array ();
    for (int i = 0; i < b->nfigs; i++) {
        const bench_fig_t *f = b->figs[i];
        json_t *runs = json_array ();
        for (int k = 0; k < f->nruns; k++)
            json_array_append_new (runs, json_real (f->runs[k]));
        double r = bench_fig_ratio (b, f);
        json_t *j = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:f, s:f, s:f, s:o}", "section",
                               f->section, "name", f->name, "label", f->label, "clients",
                               f->clients, "unit", f->unit, "median", bench_fig_median (f), "min",
                               bench_fig_min (f), "max", bench_fig_max (f), "runs", runs);
        json_object_set_new (j, "ratio_to_limit", isnan (r) ? json_null () : json_real (r));
        if (f->target) {
            json_object_set_new (j, "target", json_real (f->target));
            json_object_set_new (j, "target_on", json_string (f->target_ratio ? "ratio" : "value"));
            json_object_set_new (j, "target_is", json_string (f->target_max ? "max" : "min"));
            json_object_set_new (j, "target_met", json_boolean (s_target_met (b, f)));
        }
        json_array_append_new (list, j);
    }
    json_t *root = json_pack ("{s:f, s:i, s:f, s:b, s:o}", "wall_s", wall_s, "runs", b->runs,
                              "seconds", b->seconds, "quick", b->quick, "figures", list);
    char *text = json_dumps (root, JSON_INDENT (1) | JSON_REAL_PRECISION (6));
    if (text)
        printf ("%s\n", text);
    free (text);
    json_decref (root);
}

int
bench_write_csv (const bench_t *b, const char *path)
{
    char tmp[600];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen (tmp, "w");
    if (!f)
        return -1;
    fprintf (f, "name,clients,value,unit,ratio_to_limit\n");
    for (int i = 0; i < b->nfigs; i++) {
        const bench_fig_t *g = b->figs[i];
        double r = bench_fig_ratio (b, g);
        char clients[16] = "", ratio[32] = "";
        if (g->clients)
            snprintf (clients, sizeof clients, "%d", g->clients);
        if (!isnan (r))
            snprintf (ratio, sizeof ratio, "%.4f", r);
        fprintf (f, "%s,%s,%.6g,%s,%s\n", g->name, clients, bench_fig_median (g), g->unit, ratio);
    }
    if (fclose (f) != 0 || rename (tmp, path) != 0)
        return -1;
    return 0;
}

//  ---------------------------------------------------------------------------------------

int
main (int argc, char **argv)
{
    if (argc > 1 && strcmp (argv[1], "--echo-server") == 0)
        return bench_echo_server_main (argc, argv);
    if (argc > 1 && strcmp (argv[1], "--generate") == 0)
        return bench_generate_main (argc, argv);
    if (argc > 1 && strcmp (argv[1], "--load") == 0)
        return bench_load_main (argc, argv);

    static bench_t bench;
    bench_t *b = &bench;
    int runs = 0;
    double seconds = 0;
    long cases = 0;
    static const struct option longopts[] = {
        {"quick", no_argument, NULL, 'q'},       {"json", no_argument, NULL, 'j'},
        {"runs", required_argument, NULL, 'r'},  {"seconds", required_argument, NULL, 's'},
        {"cases", required_argument, NULL, 'c'}, {"only", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'q': b->quick = true; break;
        case 'j': b->json = true; break;
        case 'r': runs = atoi (optarg); break;
        case 's': seconds = atof (optarg); break;
        case 'c': cases = atol (optarg); break;
        case 'o': b->only = optarg; break;
        case 'h': s_usage (stdout); return 0;
        default: s_usage (stderr); return 2;
        }
    }
    if (optind < argc || runs < 0 || runs > BENCH_MAX_RUNS || seconds < 0 || cases < 0) {
        s_usage (stderr);
        return 2;
    }
    b->runs = runs ? runs : b->quick ? 3 : 5;
    b->seconds = seconds > 0 ? seconds : b->quick ? 0.3 : 1.0;
    b->warmup = b->quick ? 0.1 : 0.3;
    b->scale_cases = cases ? cases : b->quick ? 100000 : 1000000;
    const char *env = getenv ("OW_BIN_DIR");
    snprintf (b->bin, sizeof b->bin, "%s", env && *env ? env : "bin");
    env = getenv ("OW_SRC_DIR");
    snprintf (b->src, sizeof b->src, "%s", env && *env ? env : ".");
    snprintf (b->work, sizeof b->work, "var/bench/run");
    snprintf (b->csv, sizeof b->csv, "var/bench/latest.csv");
    ssize_t n = readlink ("/proc/self/exe", b->self, sizeof b->self - 1);
    b->self[n > 0 ? n : 0] = 0;
    if (bench_mkdirs (b->work) != 0) {
        fprintf (stderr, "bench: cannot create %s\n", b->work);
        return 1;
    }
    proto_log_init ("bench", PROTO_LOG_WARN);
    signal (SIGPIPE, SIG_IGN);

    int64_t t0 = bench_now_ns ();
    int failed = 0;
    //  The repeated sections take turns, one run each, so that a limit and the figures
    //  compared with it are measured minutes apart at most, under the same conditions.
    static const struct {
        const char *name;
        int (*run) (bench_t *);
        bool repeated;
    } sections[] = {
        {"limits", bench_limits, true}, {"broker", bench_broker, true},
        {"peers", bench_peers, true},   {"reads", bench_reads, true},
        {"fanout", bench_fanout, true}, {"vault", bench_vault, false},
        {"scale", bench_scale, false},  {"district", bench_district, false},
    };
    const size_t nsections = sizeof sections / sizeof sections[0];
    bool broken[sizeof sections / sizeof sections[0]] = {false};
    for (int r = 0; r < b->runs; r++) {
        fprintf (stderr, "run %d of %d\n", r + 1, b->runs);
        for (size_t i = 0; i < nsections; i++) {
            if (!sections[i].repeated || broken[i] || !s_wanted (b, sections[i].name))
                continue;
            if (sections[i].run (b) != 0) {
                fprintf (stderr, "bench: section %s failed\n", sections[i].name);
                broken[i] = true;
                failed++;
            }
        }
    }
    bench_peers_stop (b);
    for (size_t i = 0; i < nsections; i++) {
        if (sections[i].repeated || !s_wanted (b, sections[i].name))
            continue;
        fprintf (stderr, "%s:\n", sections[i].name);
        if (sections[i].run (b) != 0) {
            fprintf (stderr, "bench: section %s failed\n", sections[i].name);
            failed++;
        }
    }
    double wall = (double)(bench_now_ns () - t0) / 1e9;
    if (bench_write_csv (b, b->csv) != 0)
        fprintf (stderr, "bench: cannot write %s\n", b->csv);
    if (b->json)
        bench_print_json (b, wall);
    else
        bench_print_table (b, wall);
    if (!getenv ("OW_BENCH_KEEP"))
        bench_rmtree (b->work);
    return failed ? 1 : 0;
}
