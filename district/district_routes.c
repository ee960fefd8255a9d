/*  district_routes.c — see district_routes.h. */
#include "district_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "district_pages.h"
#include "district_report.h"
#include "district_view.h"
#include "proto_journal.h"
#include "proto_json.h"
#include "proto_text.h"

int
district_routes_period (const char *day, const char *month, int today, int *from, int *to)
{
    int y = 0, m = 0, d = 0;
    char end;
    if (day) {
        if (sscanf (day, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || y < 2000 || y > 2999 || m < 1 ||
            m > 12 || d < 1 || d > 31)
            return -1;
        *from = *to = y * 10000 + m * 100 + d;
        return 0;
    }
    if (month) {
        if (sscanf (month, "%4d-%2d%c", &y, &m, &end) != 2 || y < 2000 || y > 2999 || m < 1 ||
            m > 12)
            return -1;
        *from = y * 10000 + m * 100 + 1;
        *to = y * 10000 + m * 100 + 31;
        return 0;
    }
    *from = *to = today;
    return 0;
}

//  The latest business day any hall's link counted; the UTC date before any did.
static int
s_today (district_app_t *app)
{
    int today = 0;
    for (size_t i = 0; i < app->cfg->nhalls; i++) {
        json_t *entry = district_board_hall (app->board, i, proto_mono_ms ());
        int day = (int)proto_int (entry, "day");
        today = day > today ? day : today;
        json_decref (entry);
    }
    return today ? today : proto_journal_local_date ((int64_t)time (NULL) * 1000, 0);
}

//  The proxy's figures as the API gives them, or NULL.
static json_t *
s_stream (district_app_t *app)
{
    uint64_t fin, bin, fout, bout;
    if (!app->proxy || district_proxy_stats (app->proxy, &fin, &bin, &fout, &bout) != 0)
        return NULL;
    return json_pack ("{s:s, s:I, s:I, s:I, s:I}", "endpoint", app->cfg->events, "frames_in",
                      (json_int_t)fin, "bytes_in", (json_int_t)bin, "frames_out", (json_int_t)fout,
                      "bytes_out", (json_int_t)bout);
}

//  Answers `obj` (taken) as JSON, or 500 when it is NULL.
static void
s_json (district_resp_t *resp, json_t *obj)
{
    char *text = obj ? json_dumps (obj, JSON_COMPACT) : NULL;
    json_decref (obj);
    district_resp_set (resp, 200, DISTRICT_CT_JSON, text);
}

static void
s_not_found (district_resp_t *resp, const char *what)
{
    char text[256];
    snprintf (text, sizeof text, "没有这个大厅 / no hall %s\n", what);
    district_resp_set (resp, 404, "text/plain; charset=utf-8", strdup (text));
}

static void
s_wall (void *arg, const district_req_t *req, district_resp_t *resp)
{
    (void)req;
    district_app_t *app = arg;
    json_t *view = district_view_halls (app->board, app->store, app->cfg, proto_mono_ms (), NULL);
    district_resp_set (resp, 200, DISTRICT_CT_HTML, view ? district_page_wall (view) : NULL);
    json_decref (view);
}

static void
s_api_halls (void *arg, const district_req_t *req, district_resp_t *resp)
{
    (void)req;
    district_app_t *app = arg;
    s_json (resp, district_view_halls (app->board, app->store, app->cfg, proto_mono_ms (),
                                       s_stream (app)));
}

//  Hall `req`'s detail, or NULL after answering 404.
static json_t *
s_hall_view (district_app_t *app, const district_req_t *req, district_resp_t *resp)
{
    long i = district_board_find (app->board, district_req_arg (req));
    if (i < 0) {
        s_not_found (resp, district_req_arg (req));
        return NULL;
    }
    return district_view_hall (app->board, app->store, app->cfg, (size_t)i, proto_mono_ms ());
}

static void
s_hall (void *arg, const district_req_t *req, district_resp_t *resp)
{
    district_app_t *app = arg;
    json_t *view = s_hall_view (app, req, resp);
    if (view)
        district_resp_set (resp, 200, DISTRICT_CT_HTML, district_page_hall (view, app->cfg->name));
    json_decref (view);
}

static void
s_api_hall (void *arg, const district_req_t *req, district_resp_t *resp)
{
    district_app_t *app = arg;
    json_t *view = s_hall_view (app, req, resp);
    if (view)
        s_json (resp, view);
}

//  The report the query asks for, or NULL after answering 400 (or 500).
static json_t *
s_report (district_app_t *app, const district_req_t *req, district_resp_t *resp)
{
    int from, to;
    if (district_routes_period (district_req_query (req, "day"), district_req_query (req, "month"),
                                s_today (app), &from, &to) != 0) {
        district_resp_set (resp, 400, "text/plain; charset=utf-8",
                           strdup ("日期应为 day=YYYY-MM-DD 或 month=YYYY-MM / "
                                   "expected day=YYYY-MM-DD or month=YYYY-MM\n"));
        return NULL;
    }
    json_t *report = district_report_build (app->store, app->cfg, from, to);
    if (!report)
        district_resp_set (resp, 500, "text/plain; charset=utf-8",
                           strdup ("区级数据库读取失败 / the district store cannot be read\n"));
    return report;
}

static void
s_report_page (void *arg, const district_req_t *req, district_resp_t *resp)
{
    json_t *report = s_report (arg, req, resp);
    if (report)
        district_resp_set (resp, 200, DISTRICT_CT_HTML, district_page_report (report));
    json_decref (report);
}

static void
s_report_csv (void *arg, const district_req_t *req, district_resp_t *resp)
{
    json_t *report = s_report (arg, req, resp);
    if (!report)
        return;
    district_resp_set (resp, 200, DISTRICT_CT_CSV, district_report_csv (report));
    resp->filename = "district-report.csv";
    json_decref (report);
}

static void
s_api_report (void *arg, const district_req_t *req, district_resp_t *resp)
{
    json_t *report = s_report (arg, req, resp);
    if (report)
        s_json (resp, report);
}

const district_route_t district_routes[] = {
    {"/district", s_wall, "every hall on one wall screen (every 5 s)"},
    {"/district/hall/", s_hall, "one hall: now, today, its indices, 14 days"},
    {"/district/report", s_report_page, "?day=YYYY-MM-DD|month=YYYY-MM: the ranking"},
    {"/district/report.csv", s_report_csv, "the same report as CSV"},
    {"/api/district", s_api_halls, "every hall as JSON"},
    {"/api/district/hall/", s_api_hall, "one hall as JSON"},
    {"/api/district/report", s_api_report, "the report as JSON"},
    {NULL, NULL, NULL},
};
