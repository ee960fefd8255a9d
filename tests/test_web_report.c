/*  test_web_report.c — the hall report as the gateway serves it, part of the web_it suite
    (test_web.h): /report?day=, ?month= and today's, as JSON (format=json), as CSV
    (/report.csv) and as the page, each against `onewindow report` on the same broker: the
    JSON equal to `--json`, the CSV equal to `--csv` and each of its values to the JSON's
    figure, each figure's cell on the page the JSON's value as the page writes it. Bad
    dates and formats are refused. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_figures.h"
#include "test_web.h"

//  `onewindow report ARGS` on the suite's broker: its output (caller frees), NULL unless 0.
static char *
s_cli (const char *args)
{
    char cmd[1400];
    snprintf (cmd, sizeof cmd, "'%s' --broker '%s' report %s 2>/dev/null", test_bin ("onewindow"),
              web_it_hall.broker.req, args);
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    if (st != 0) {
        free (out);
        return NULL;
    }
    return out;
}

//  GET path: the body of a 200 (caller frees), else NULL.
static char *
s_get (const char *path)
{
    web_it_resp_t r;
    int rc = web_it_get (path, &r);
    CU_ASSERT (rc == 0 && r.status == 200);
    if (rc != 0 || r.status != 200) {
        fprintf (stderr, "\n    %s gave %d\n", path, rc == 0 ? r.status : -1);
        web_it_resp_free (&r);
        return NULL;
    }
    char *body = r.body;
    r.body = NULL;
    web_it_resp_free (&r);
    return body;
}

//  Each member of `a` that `b` does not have the same, said for the reader of a failure.
static void
s_diff (const char *where, const json_t *a, const json_t *b)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)a, key, v) {
        if (json_equal (v, json_object_get (b, key)))
            continue;
        char *x = json_dumps (v, JSON_COMPACT | JSON_ENCODE_ANY),
             *y = json_dumps (json_object_get (b, key), JSON_COMPACT | JSON_ENCODE_ANY);
        fprintf (stderr, "\n    %s '%s':\n      web: %.400s\n      cli: %.400s\n", where, key,
                 x ? x : "-", y ? y : "-");
        free (x);
        free (y);
    }
}

//  Each CSV row of a hall figure has the JSON's value: empty for null, else the number (a
//  ratio written with 6 significant digits). The index's rows are not figures of `kpis`.
static void
s_csv_values (const char *csv, const json_t *report)
{
    const json_t *kpis = json_object_get (report, "kpis");
    char *copy = strdup (csv), *save = NULL;
    int rows = 0;
    for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        char *comma = strchr (line, ','), *dot = strchr (line, '.');
        if (!comma || !dot || dot > comma || strncmp (line, "services.", 9) == 0 ||
            strncmp (line, "counters.", 9) == 0 || strncmp (line, "index.", 6) == 0)
            continue;
        char group[32], key[64], value[64];
        snprintf (group, sizeof group, "%.*s", (int)(dot - line), line);
        snprintf (key, sizeof key, "%.*s", (int)(comma - dot - 1), dot + 1);
        snprintf (value, sizeof value, "%.*s", (int)strcspn (comma + 1, ","), comma + 1);
        const json_t *v = proto_figures_lookup (json_object_get (kpis, group), key);
        bool same = json_is_null (v) ? !*value
                    : json_is_number (v)
                        ? *value && fabs (strtod (value, NULL) - json_number_value (v)) <=
                                        1e-5 * fabs (json_number_value (v))
                        : false;
        CU_ASSERT (same);
        if (!same)
            fprintf (stderr, "\n    csv %s.%s is '%s'\n", group, key, value);
        rows++;
    }
    size_t n;
    proto_figures_hall (&n);
    CU_ASSERT_EQUAL (rows, (int)n);
    free (copy);
}

//  Each hall figure's cell on the page (id="f-GROUP.KEY") shows the JSON's value: counts
//  as they are, durations in minutes with a decimal, ratios in per cent, a dash for null.
static void
s_page_values (const char *html, const json_t *report)
{
    size_t n;
    const proto_figure_t *f = proto_figures_hall (&n);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = proto_figures_lookup (
            json_object_get (json_object_get (report, "kpis"), f[i].group), f[i].key);
        char want[64], id[96];
        if (!v || json_is_null (v))
            snprintf (want, sizeof want, "—");
        else if (strcmp (f[i].unit, "ms") == 0)
            snprintf (want, sizeof want, "%.1f", (double)json_integer_value (v) / 60000.0);
        else if (strcmp (f[i].unit, "ratio") == 0)
            snprintf (want, sizeof want, "%.1f%%", 100.0 * json_number_value (v));
        else
            snprintf (want, sizeof want, "%lld", (long long)json_integer_value (v));
        snprintf (id, sizeof id, "id=\"f-%s.%s\"", f[i].group, f[i].key);
        const char *cell = strstr (html, id);
        const char *text = cell ? strchr (cell, '>') : NULL;
        bool same =
            text && strncmp (text + 1, want, strlen (want)) == 0 && text[1 + strlen (want)] == '<';
        CU_ASSERT (same);
        if (!same)
            fprintf (stderr, "\n    page %s: want '%s', have '%.20s'\n", id, want,
                     text ? text + 1 : "(none)");
    }
}

//  One period: `query` for the gateway ("day=2026-11-28"), `args` for the terminal.
static void
s_agree (const char *query, const char *args)
{
    char path[160], cli[160];
    snprintf (path, sizeof path, "/report?%s&format=json", query);
    char *web_text = s_get (path);
    snprintf (cli, sizeof cli, "%s --json", args);
    char *cli_text = s_cli (cli);
    json_t *web = web_text ? json_loads (web_text, 0, NULL) : NULL;
    json_t *ref = cli_text ? json_loads (cli_text, 0, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL (web);
    CU_ASSERT_PTR_NOT_NULL_FATAL (ref);
    CU_ASSERT (json_equal (web, ref));
    if (!json_equal (web, ref))
        s_diff (query, web, ref);
    CU_ASSERT (json_integer_value (json_object_get (
                   json_object_get (json_object_get (ref, "kpis"), "tickets"), "issued")) > 0);
    free (web_text);
    free (cli_text);
    //  CSV: the terminal's, byte for byte, and the JSON's values.
    snprintf (path, sizeof path, "/report.csv?%s", query);
    char *csv = s_get (path);
    snprintf (cli, sizeof cli, "%s --csv", args);
    char *cli_csv = s_cli (cli);
    CU_ASSERT (csv && cli_csv && strcmp (csv, cli_csv) == 0);
    if (csv)
        s_csv_values (csv, ref);
    free (csv);
    free (cli_csv);
    snprintf (path, sizeof path, "/report?%s&format=csv", query);
    csv = s_get (path);
    CU_ASSERT (csv && strncmp (csv, "figure,value,unit,label,label_en,note\n", 38) == 0);
    free (csv);
    //  The page.
    snprintf (path, sizeof path, "/report?%s", query);
    char *html = s_get (path);
    if (html)
        s_page_values (html, ref);
    CU_ASSERT (html && strstr (html, "<body class=\"report\""));
    free (html);
    json_decref (web);
    json_decref (ref);
}

void
test_web_report (void)
{
    //  Today (the busy Monday, still open), the Saturday before (closed), the month.
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    json_int_t day = json_integer_value (json_object_get (snap, "day"));
    json_decref (snap);
    CU_ASSERT_FATAL (day == 20261130);
    s_agree ("day=2026-11-28", "--day 2026-11-28");
    s_agree ("day=2026-11-30", "--day 2026-11-30");
    s_agree ("month=2026-11", "--month 2026-11");
    //  Today's without a date is the same as today's by date.
    char *a = s_get ("/report?format=json"), *b = s_get ("/report?day=2026-11-30&format=json");
    CU_ASSERT (a && b && strcmp (a, b) == 0);
    free (a);
    free (b);
    //  The CSV is a download with its date in its name.
    web_it_resp_t r;
    CU_ASSERT (web_it_get ("/report.csv?day=2026-11-28", &r) == 0 && r.status == 200 &&
               strstr (r.head, "filename=\"report-2026-11-28.csv\"") &&
               strstr (r.head, "text/csv; charset=utf-8"));
    web_it_resp_free (&r);
    //  Printed, one A4 landscape sheet (test_web_browser.c prints it); the dashboard links it.
    CU_ASSERT (web_it_get ("/assets/app.css", &r) == 0 &&
               strstr (r.body, "@page{size:A4 landscape"));
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/dashboard", &r) == 0 && strstr (r.body, "href=\"/report\""));
    web_it_resp_free (&r);
    //  Refused: no such date, not a date, both a day and a month, an unknown format.
    const char *bad[] = {
        "/report?day=2026-02-30",
        "/report?day=2026-11-3",
        "/report?day=yesterday",
        "/report?month=2026-13",
        "/report?day=2026-11-28&month=2026-11",
        "/report?format=xml",
        "/report.csv?month=11-2026",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT (web_it_get (bad[i], &r) == 0 && r.status == 400);
        web_it_resp_free (&r);
    }
}
