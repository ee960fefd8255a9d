/*  term_report.c — `onewindow report`: the figures the hall is judged on, for one business
    day or a month, read from the broker's journal (proto_report.h; every figure defined in
    docs/REPORT.md), and the seven indices of the service vitality index computed from them
    (proto_index.h, docs/INDEX.md).

        onewindow report                       today so far, as a table
        onewindow report --day 2026-03-06      one business day
        onewindow report --month 2026-03 --csv a month, one CSV row per figure
        onewindow report --config hall.json    the hall's index config: manual scores, ...

    The table, --json and --csv are three renderings of one report object, named by one
    catalogue (proto_figures.h), so what a script reads is what the manager sees. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_figures.h"
#include "proto_index.h"
#include "proto_journal.h"
#include "proto_report.h"
#include "term_cli.h"
#include "term_table.h"
#include "term_words.h"

static void
s_usage (FILE *out)
{
    fputs ("usage: onewindow report [--day YYYY-MM-DD | --month YYYY-MM] [--json | --csv]\n"
           "                        [--config FILE]\n"
           "\n"
           "The figures the hall is judged on (营业报表), computed from the broker's journal:\n"
           "tickets issued, called and served, average, median and P90 wait, over-wait rate,\n"
           "average handling; ratings (rating rate, good-rating rate, satisfaction, bad ratings,\n"
           "rectifications closed on time); cases (on-time completion, early and statutory\n"
           "on-time rates, 一次办结率, 即办件 share); 一次性告知 compliance of 补正 notices; the\n"
           "median and P90 time from deposit to collection at the cabinet and from ready to\n"
           "collection at the counter; waits by priority (green channel, elderly, appointment);\n"
           "bookings kept; results collected out of hours; per service, and per counter its\n"
           "utilisation. docs/REPORT.md defines each figure and the events it is read from.\n"
           "\n"
           "Then the service vitality index (政务服务效能指数): seven indices 0-100, 规范\n"
           "standards, 效率 efficiency, 便利 convenience, 服务 service, 体验 experience, 评价\n"
           "evaluation, 创新 innovation, their weighted total and grade. docs/INDEX.md defines\n"
           "every indicator, its input, target and weight. What the system cannot observe (the\n"
           "hall's facilities, staff management, ...) counts only as a manual score given in\n"
           "the hall config's \"index\" object (--config); without one it is left out,\n"
           "never guessed. A figure that\n"
           "cannot be computed (nothing counted, or the journal cannot tell) is shown as '-'\n"
           "(null in --json, empty in --csv) with the reason.\n"
           "\n"
           "The period is whole business days (from the day's reset hour to the next); a day\n"
           "still running is reported up to the broker's clock now.\n"
           "\n"
           "  --day YYYY-MM-DD  one business day (default: today's, so far)\n"
           "  --month YYYY-MM   every business day of a month\n"
           "  --json            the report as one JSON object {hall, day | month, period, kpis,\n"
           "                    null_reasons, index, index_detail}\n"
           "  --csv             one row per figure: figure,value,unit,label,label_en,note\n"
           "                    (the hall's figures, then services.PREFIX.*, counters.ID.*,\n"
           "                    index.*)\n"
           "  --config FILE     the hall config (/etc/onewindow/hall.json) whose \"index\"\n"
           "                    object is merged over the index's defaults: manual scores,\n"
           "                    capabilities, weights, targets, grade bands (or a file of\n"
           "                    that object alone)\n"
           "  --index-defaults  print the index's default config (JSON) and exit\n"
           "  --broker EP       broker request endpoint (default $ONEWINDOW_BROKER or\n"
           "                    tcp://127.0.0.1:7100)\n"
           "  --help            this help\n"
           "\n"
           "Exit status: 0 done, 1 refused by the broker, 2 usage, 3 broker unreachable.\n",
           out);
}

//  A date "YYYY-MM-DD" (month: "YYYY-MM", day 1) as YYYYMMDD, or 0 if it is not a real one.
static int
s_parse_date (const char *text, bool month)
{
    int y, m, d = 1, n = 0;
    int got = month ? sscanf (text, "%4d-%2d%n", &y, &m, &n)
                    : sscanf (text, "%4d-%2d-%2d%n", &y, &m, &d, &n);
    if (got != (month ? 2 : 3) || text[n] || strlen (text) != (month ? 7u : 10u) || y < 1970 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    int date = y * 10000 + m * 100 + d;
    //  A day that does not exist (02-30) comes back as another date.
    return proto_journal_local_date (proto_journal_midnight (date, 0), 0) == date ? date : 0;
}

//  A figure's value as people read it: counts as numbers, durations in minutes, ratios in
//  per cent; "" (shown "-") when it is null.
static const char *
s_value (const json_t *v, const char *unit, char *buf, size_t size)
{
    if (!v || json_is_null (v))
        snprintf (buf, size, "%s", "");
    else if (strcmp (unit, "ms") == 0)
        term_minutes (json_integer_value (v), true, false, buf, size);
    else if (strcmp (unit, "ratio") == 0)
        snprintf (buf, size, "%.1f%%", json_number_value (v) * 100.0);
    else if (strcmp (unit, "score") == 0)
        snprintf (buf, size, "%.1f", json_number_value (v));
    else
        snprintf (buf, size, "%lld", (long long)json_integer_value (v));
    return buf;
}

//  One group of the hall's figures as a table of figure and value.
static void
s_group (const json_t *kpis, const char *group, const char *title)
{
    static const term_table_col_t cols[] = {{"指标", "figure", 'l'}, {"数值", "value", 'r'}};
    term_table_t *t = term_table_new (cols, 2);
    if (!t)
        return;
    size_t n;
    const proto_figure_t *f = proto_figures_hall (&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp (f[i].group, group) != 0)
            continue;
        char buf[64];
        term_table_cellf (t, "%s %s", f[i].zh, f[i].en);
        term_table_cell (t, s_value (proto_figures_lookup (json_object_get (kpis, group), f[i].key),
                                     f[i].unit, buf, sizeof buf));
    }
    printf ("\n%s\n", title);
    term_table_print (t, stdout, 2);
    term_table_destroy (&t);
}

//  A cell of figure `key` of a service or counter `x`.
static void
s_cell (term_table_t *t, const json_t *x, const char *key, const char *unit)
{
    char buf[64];
    term_table_cell (t, s_value (json_object_get (x, key), unit, buf, sizeof buf));
}

static void
s_services (const json_t *kpis)
{
    static const term_table_col_t cols[] = {
        {"业务", "service", 'l'},      {"取号", "issued", 'r'},       {"办结", "served", 'r'},
        {"平均等候", "avg wait", 'r'}, {"90% 等候", "P90 wait", 'r'}, {"超时率", "over-wait", 'r'},
        {"平均办理", "handling", 'r'}, {"评价率", "rated", 'r'},      {"好评率", "good", 'r'}};
    term_table_t *t = term_table_new (cols, 9);
    if (!t)
        return;
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (kpis, "services"), i, s) {
        term_table_cellf (t, "%s %s", proto_str (s, "prefix"), proto_str (s, "name"));
        s_cell (t, s, "issued", "count");
        s_cell (t, s, "served", "count");
        s_cell (t, s, "avg_wait_ms", "ms");
        s_cell (t, s, "p90_wait_ms", "ms");
        s_cell (t, s, "over_wait_rate", "ratio");
        s_cell (t, s, "avg_service_ms", "ms");
        s_cell (t, s, "rating_rate", "ratio");
        s_cell (t, s, "good_rate", "ratio");
    }
    printf ("\n各业务 / Services\n");
    term_table_print (t, stdout, 2);
    term_table_destroy (&t);
}

static void
s_counters (const json_t *kpis)
{
    static const term_table_col_t cols[] = {
        {"窗口", "counter", 'l'}, {"办结", "served", 'r'}, {"在岗", "open", 'r'},
        {"服务", "busy", 'r'},    {"暂停", "paused", 'r'}, {"利用率", "utilisation", 'r'}};
    term_table_t *t = term_table_new (cols, 6);
    if (!t)
        return;
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (kpis, "counters"), i, c) {
        term_table_cell (t, proto_str (c, "name"));
        s_cell (t, c, "served", "count");
        s_cell (t, c, "open_ms", "ms");
        s_cell (t, c, "busy_ms", "ms");
        s_cell (t, c, "paused_ms", "ms");
        s_cell (t, c, "utilisation", "ratio");
    }
    printf ("\n各窗口 / Counters\n");
    term_table_print (t, stdout, 2);
    term_table_destroy (&t);
}

//  The tickets of each priority line, one row each.
static void
s_priority (const json_t *kpis)
{
    static const term_table_col_t cols[] = {
        {"优先级", "priority", 'l'}, {"取号", "issued", 'r'},       {"叫号", "called", 'r'},
        {"办结", "served", 'r'},     {"平均等候", "avg wait", 'r'}, {"最长等候", "longest", 'r'}};
    static const char *const lines[][2] = {{"green", "绿色通道 green channel"},
                                           {"elderly", "老年人 elderly"},
                                           {"appointment", "预约 appointment"},
                                           {"normal", "普通 normal"}};
    term_table_t *t = term_table_new (cols, 6);
    if (!t)
        return;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const json_t *p = json_object_get (json_object_get (kpis, "priority"), lines[i][0]);
        term_table_cell (t, lines[i][1]);
        s_cell (t, p, "issued", "count");
        s_cell (t, p, "called", "count");
        s_cell (t, p, "served", "count");
        s_cell (t, p, "avg_wait_ms", "ms");
        s_cell (t, p, "max_wait_ms", "ms");
    }
    printf ("\n各优先级 / Priority lines\n");
    term_table_print (t, stdout, 2);
    term_table_destroy (&t);
}

//  The unit of the figure an indicator reads (proto_figures.h), "ratio" for the hall's
//  counter breadth, "count" otherwise.
static const char *
s_unit (const char *input)
{
    size_t n;
    const proto_figure_t *f = proto_figures_hall (&n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen (f[i].group);
        if (strncmp (input, f[i].group, len) == 0 && input[len] == '.' &&
            strcmp (input + len + 1, f[i].key) == 0)
            return f[i].unit;
    }
    return strcmp (input, "hall.counter_breadth") == 0 ? "ratio" : "count";
}

//  The Chinese half of a bilingual "中文 / English" text into buf.
static const char *
s_zh (const char *text, char *buf, size_t size)
{
    const char *cut = strstr (text, " / ");
    snprintf (buf, size, "%.*s", cut ? (int)(cut - text) : (int)strlen (text), text);
    return buf;
}

//  An indicator's row: what it read, its score and weight, or why it has none.
static void
s_indicator_row (term_table_t *t, const json_t *x)
{
    char buf[128];
    const json_t *v = json_object_get (x, "value");
    term_table_cellf (t, "  %s %s", proto_str (x, "zh"), proto_str (x, "en"));
    if (proto_is (x, "kind", "capability"))
        term_table_cell (t, json_integer_value (v) ? "有 yes" : "无 no");
    else if (proto_is (x, "kind", "manual"))
        term_table_cell (t, json_is_number (v) ? "人工评分 manual" : "");
    else
        term_table_cell (t, s_value (v, s_unit (proto_str (x, "input")), buf, sizeof buf));
    s_cell (t, x, "score", "score");
    term_table_cell (t, "");
    term_table_cellf (t, "%g", json_number_value (json_object_get (x, "weight")));
    term_table_cell (t, s_zh (proto_str (x, "why"), buf, sizeof buf));
}

//  The grade of an index or the total ("A 优秀"), "-" when it has no score.
static void
s_grade (term_table_t *t, const json_t *d)
{
    if (*proto_str (d, "grade"))
        term_table_cellf (t, "%s %s", proto_str (d, "grade"), proto_str (d, "grade_zh"));
    else
        term_table_cell (t, "-");
}

//  The service vitality index: each index with its indicators, then the total.
static void
s_index (const json_t *r)
{
    static const term_table_col_t cols[] = {{"指数 / 指标", "index / indicator", 'l'},
                                            {"数值", "value", 'r'},
                                            {"得分", "score", 'r'},
                                            {"等级", "grade", 'l'},
                                            {"权重", "weight", 'r'},
                                            {"说明", "note", 'l'}};
    const json_t *detail = json_object_get (r, "index_detail");
    term_table_t *t = term_table_new (cols, 6);
    if (!t || !detail) {
        term_table_destroy (&t);
        return;
    }
    const char *const *names = proto_index_names ();
    for (int i = 0; i < PROTO_INDEX_COUNT; i++) {
        const json_t *d = json_object_get (detail, names[i]);
        char buf[128];
        term_table_cellf (t, "%s %s", proto_str (d, "zh"), proto_str (d, "en"));
        term_table_cell (t, "");
        s_cell (t, d, "score", "score");
        s_grade (t, d);
        term_table_cellf (t, "%g", json_number_value (json_object_get (d, "weight")));
        term_table_cellf (
            t, "计量 %.0f%%%s%s", json_number_value (json_object_get (d, "coverage")) * 100.0,
            *proto_str (d, "why") ? "；" : "", s_zh (proto_str (d, "why"), buf, sizeof buf));
        size_t k;
        json_t *x;
        json_array_foreach (json_object_get (d, "indicators"), k, x)
            s_indicator_row (t, x);
    }
    term_table_cell (t, "总分 total");
    term_table_cell (t, "");
    s_cell (t, json_object_get (r, "index"), "total", "score");
    s_grade (t, detail);
    term_table_cell (t, "");
    term_table_cellf (t, "计量 %.0f%%",
                      json_number_value (json_object_get (detail, "coverage")) * 100.0);
    printf ("\n服务效能指数 / Service vitality index (docs/INDEX.md)\n");
    term_table_print (t, stdout, 2);
    term_table_destroy (&t);
}

//  The report as a table, Chinese first.
static void
s_print (const json_t *r)
{
    const json_t *p = json_object_get (r, "period");
    int from = (int)proto_int (p, "from"), to = (int)proto_int (p, "to");
    int off = (int)proto_int (p, "utc_offset_min");
    if (json_object_get (r, "day"))
        printf ("%s 营业日报 %04d-%02d-%02d / day report\n",
                proto_str (json_object_get (r, "hall"), "name"), from / 10000, from / 100 % 100,
                from % 100);
    else
        printf ("%s 营业月报 %04d-%02d / month report\n",
                proto_str (json_object_get (r, "hall"), "name"), from / 10000, from / 100 % 100);
    if (proto_int (p, "days")) {
        char start[32], end[32];
        proto_format_time (proto_int (p, "start"), off, start, sizeof start);
        proto_format_time (proto_int (p, "end"), off, end, sizeof end);
        printf ("统计区间 / period: %s – %s%s，%lld 个营业日 / business days\n", start, end,
                json_is_true (json_object_get (p, "open")) ? "（营业中，截至此刻 / so far）" : "",
                (long long)proto_int (p, "days"));
    } else
        printf ("%04d-%02d-%02d – %04d-%02d-%02d: 日志中没有营业日 / no business day in the "
                "journal\n",
                from / 10000, from / 100 % 100, from % 100, to / 10000, to / 100 % 100, to % 100);
    printf ("超时等候标准 / over-wait limit: %lld 分钟 / min\n",
            (long long)proto_int (p, "over_wait_minutes"));
    const json_t *kpis = json_object_get (r, "kpis");
    s_group (kpis, "tickets", "取号与等候 / Tickets and waits");
    s_group (kpis, "ratings", "评价（好差评） / Ratings");
    s_group (kpis, "cases", "办件 / Cases");
    s_group (kpis, "notices", "一次性告知（补正） / One-time notice of missing material");
    s_group (kpis, "pickup", "取件 / Collection of results");
    s_group (kpis, "appointments", "预约 / Appointments");
    s_priority (kpis);
    s_services (kpis);
    s_counters (kpis);
    const json_t *why = json_object_get (r, "null_reasons");
    if (json_object_size (why)) {
        printf ("\n说明：为何显示 '-' / Notes: why a figure shows '-'\n");
        const char *key;
        json_t *v;
        json_object_foreach ((json_t *)why, key, v)
            printf ("  %s: %s\n", key, json_string_value (v));
    }
    s_index (r);
}

//  Reads the report and its index (by the defaults, or by `config` when not NULL) from the
//  broker and prints it; a usage error or the exit status.
static int
s_report (term_opts_t *o, int from, int to, bool csv, const json_t *config)
{
    proto_client_t *client = term_client (o);
    if (!client)
        return TERM_EXIT_UNREACHABLE;
    json_t *r = NULL, *info = NULL;
    int rc = proto_report_fetch_info (client, from, to, &r, &info);
    if (rc) {
        fprintf (stderr, "onewindow report: %s [%s]\n", proto_client_message (client),
                 proto_client_code (client));
        return rc == PROTO_CLIENT_UNREACHABLE ? TERM_EXIT_UNREACHABLE : TERM_EXIT_REFUSED;
    }
    char why[256];
    json_t *index = config ? proto_index_compute (r, info, config, why, sizeof why) : NULL;
    json_decref (info);
    if (config && !index) {
        json_decref (r);
        return term_usage_error ("report", "index config: %s", why);
    }
    if (index)
        json_object_update (r, index);
    json_decref (index);
    if (o->json)
        term_print_json (r);
    else if (csv) {
        char *text = proto_figures_csv (r);
        fputs (text ? text : "", stdout);
        free (text);
    } else
        s_print (r);
    json_decref (r);
    return TERM_EXIT_OK;
}

int
term_report_main (term_opts_t *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"day", required_argument, NULL, 'd'},
        {"month", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"config", required_argument, NULL, 'i'},
        {"index-defaults", no_argument, NULL, 'D'},
        {"broker", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int from = 0, to = 0;
    bool csv = false, defaults = false;
    const char *index_file = NULL;
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
        case 'm':
            if (from)
                return term_usage_error ("report", "give one --day or one --month");
            from = s_parse_date (optarg, ch == 'm');
            if (!from)
                return term_usage_error ("report", "'%s' is not a %s", optarg,
                                         ch == 'm' ? "month YYYY-MM" : "date YYYY-MM-DD");
            to = ch == 'm' ? from + 30 : from;
            break;
        case 'j': o->json = true; break;
        case 'c': csv = true; break;
        case 'i': index_file = optarg; break;
        case 'D': defaults = true; break;
        case 'b': o->broker = optarg; break;
        case 'h': s_usage (stdout); return TERM_EXIT_OK;
        default: s_usage (stderr); return TERM_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return term_usage_error ("report", "unexpected argument '%s'", argv[optind]);
    if (csv && o->json)
        return term_usage_error ("report", "give --json or --csv, not both");
    char why[512];
    json_t *config = index_file ? proto_index_config_load (index_file, why, sizeof why)
                     : defaults ? proto_index_config_default ()
                                : NULL;
    if (index_file && !config)
        return term_usage_error ("report", "--config %s", why);
    int rc = TERM_EXIT_OK;
    if (defaults)
        term_print_json (config);
    else
        rc = s_report (o, from, to, csv, config);
    json_decref (config);
    return rc;
}
