/*  web_routes.c — see web_routes.h. The index page and the assets are served here; each
    other page has a module of its own. */
#include "web_routes.h"

#include <stdlib.h>
#include <string.h>

#include "web_api.h"
#include "web_assets.h"
#include "web_board.h"
#include "web_dashboard.h"
#include "web_kiosk.h"
#include "web_login.h"
#include "web_metrics.h"
#include "web_report.h"
#include "web_status.h"

static void
s_index_page (FILE *f, web_t *web)
{
    web_page_begin (f, "onewindow", "index", NULL, NULL);
    fputs ("<main><h1>", f);
    web_escape (f, web_hall_name (web));
    fputs ("</h1><ul>"
           "<li><a href=\"/board\">叫号屏 <span class=\"en\">Display board</span></a></li>"
           "<li><a href=\"/dashboard\">大厅监控 <span class=\"en\">Hall "
           "dashboard</span></a></li>"
           "<li><a href=\"/kiosk\">取号 <span class=\"en\">Take a ticket</span></a></li>"
           "<li><a href=\"/report\">营业报表 <span class=\"en\">Report</span></a></li>"
           "<li><a href=\"/api/snapshot\">/api/snapshot</a> · <a href=\"/api/kpi\">/api/kpi</a> "
           "· <a href=\"/api/history\">/api/history</a> · <a "
           "href=\"/api/ratings\">/api/ratings</a> · <a href=\"/metrics\">/metrics</a></li>"
           "</ul><p class=\"en\">查看排队进度请扫描取号单上的二维码 / Scan your slip's QR "
           "code to follow your ticket.</p></main>\n",
           f);
    web_page_end (f, 0);
}

static enum MHD_Result
s_index (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, s_index_page);
}

//  An embedded asset; browsers may keep it and revalidate.
static enum MHD_Result
s_asset (web_req_t *req, const char *text, const char *ctype)
{
    char *copy = strdup (text);
    if (!copy)
        return MHD_NO;
    return web_send (req, MHD_HTTP_OK, ctype, copy, strlen (copy), true);
}

static enum MHD_Result
s_css (web_t *web, web_req_t *req)
{
    (void)web;
    return s_asset (req, web_css, "text/css; charset=utf-8");
}

static enum MHD_Result
s_js (web_t *web, web_req_t *req)
{
    (void)web;
    return s_asset (req, web_app_js, "text/javascript; charset=utf-8");
}

static enum MHD_Result
s_board_js (web_t *web, web_req_t *req)
{
    (void)web;
    return s_asset (req, web_board_js, "text/javascript; charset=utf-8");
}

static enum MHD_Result
s_worker (web_t *web, web_req_t *req)
{
    (void)web;
    return s_asset (req, web_worker_js, "text/javascript; charset=utf-8");
}

#define JSON    WEB_JSON_ERRORS
#define PUBLIC  WEB_PUBLIC
#define BOARD   WEB_ROLE_BOARD
#define KIOSK   WEB_ROLE_KIOSK
#define CLERK   WEB_ROLE_CLERK
#define MANAGER WEB_ROLE_MANAGER
#define SCREENS (BOARD | KIOSK | CLERK | MANAGER) //  every page that keeps itself live

const web_route_t web_routes[] = {
    {"/", s_index, NULL, 0, CLERK | MANAGER, "an index of the pages"},
    {"/login", web_login_get, web_login_post, WEB_LOGIN, WEB_OPEN,
     "the staff's login form; POST logs in"},
    {"/logout", NULL, web_logout_post, 0, WEB_OPEN, "POST ends the session"},
    {"/board", web_board_get, NULL, 0, BOARD | CLERK | MANAGER,
     "the TV display: last calls, people waiting; speaks"},
    {"/voice/TOKEN", web_board_voice, NULL, 0, BOARD | CLERK | MANAGER,
     "a call spoken as WAV (espeak-ng), for the board"},
    {"/dashboard", web_dashboard_get, NULL, 0, CLERK | MANAGER,
     "the manager's live page, today's charts"},
    {"/report", web_report_get, NULL, 0, MANAGER,
     "the hall report (?day=YYYY-MM-DD, ?month=YYYY-MM): print, &format=csv|json"},
    {"/report.csv", web_report_csv, NULL, 0, MANAGER, "the hall report as CSV (?day=, ?month=)"},
    {"/kiosk", web_kiosk_get, web_kiosk_post, WEB_KIOSK | WEB_TIGHT, KIOSK | MANAGER,
     "touch-screen tickets; POST issues one"},
    {"/kiosk/checkin", web_kiosk_checkin_get, web_kiosk_checkin_post, WEB_KIOSK | WEB_TIGHT,
     KIOSK | MANAGER, "appointment check-in (预约签到); POST checks a booking in"},
    {"/t/TOKEN", web_status_get, NULL, WEB_TOKEN, PUBLIC,
     "a citizen's status page (the slip's QR code)"},
    {"/rate/TOKEN", web_rate_get, web_rate_post, WEB_TOKEN, PUBLIC,
     "the rating pad (好差评); POST rates the visit"},
    {"/api/snapshot", web_api_snapshot, NULL, JSON, MANAGER,
     "JSON: the live hall and the gateway's state"},
    {"/api/kpi", web_api_kpi, NULL, JSON, MANAGER, "JSON: the hall's figures (as monitor --json)"},
    {"/api/status/TOKEN", web_status_api, NULL, JSON | WEB_TOKEN, MANAGER,
     "JSON: a citizen's ticket and cases"},
    {"/api/history", web_api_history, NULL, JSON, MANAGER, "JSON: today's series for the charts"},
    {"/api/ratings", web_api_ratings, NULL, JSON, MANAGER, "JSON: rectifications (?state=open)"},
    {"/api/charts", web_dashboard_charts, NULL, JSON, CLERK | MANAGER,
     "the dashboard's charts (SVG in HTML)"},
    {"/events", web_api_events, NULL, JSON | WEB_NO_HEAD, SCREENS,
     "Server-Sent Events: each broker event, live"},
    {"/metrics", web_metrics_get, NULL, JSON, MANAGER, "Prometheus text format"},
    {"/assets/app.css", s_css, NULL, 0, PUBLIC, "the pages' style sheet"},
    {"/assets/app.js", s_js, NULL, 0, PUBLIC, "the script that keeps pages live"},
    {"/assets/live-worker.js", s_worker, NULL, 0, PUBLIC, "its worker, holding the event stream"},
    {"/assets/board.js", s_board_js, NULL, 0, PUBLIC, "the board's voice: speaks each call"},
    {NULL, NULL, NULL, 0, 0, NULL},
};
