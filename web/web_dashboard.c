/*  web_dashboard.c — see web_dashboard.h. */
#include "web_dashboard.h"

#include <string.h>

#include "proto_json.h"
#include "proto_kpi.h"
#include "web_assets.h"
#include "web_charts.h"
#include "web_html.h"

static const char *
s_counter_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"logged_out", "未登录 <span class=\"en\">Closed</span>"},
        {"idle", "空闲 <span class=\"en\">Idle</span>"},
        {"calling", "叫号中 <span class=\"en\">Calling</span>"},
        {"serving", "办理中 <span class=\"en\">Serving</span>"},
        {"paused", "暂停 <span class=\"en\">Paused</span>"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return NULL;
}

//  The day's figures of a service, or of the hall (the same members in both).
static void
s_day_cells (FILE *f, const json_t *k)
{
    fprintf (f, "<td>%lld</td><td>%lld</td><td>", (long long)proto_int (k, "issued"),
             (long long)proto_int (k, "served"));
    web_html_minutes (f, json_object_get (k, "avg_wait_ms"));
    fputs ("</td><td>", f);
    web_html_minutes (f, json_object_get (k, "avg_service_ms"));
    fprintf (f, "</td><td>%lld (", (long long)proto_int (k, "over_wait"));
    web_html_ratio (f, json_object_get (k, "over_wait_rate"));
    fputs (")</td><td>", f);
    web_html_ratio (f, json_object_get (k, "rating_rate"));
    fputs ("</td><td>", f);
    web_html_ratio (f, json_object_get (k, "good_rate"));
    fputs ("</td>", f);
}

static void
s_services (FILE *f, const json_t *kpi)
{
    fputs ("<section class=\"panel\"><h2>各业务排队 <span class=\"en\">Queues by "
           "service</span></h2>\n<table class=\"grid\" id=\"services\"><thead><tr>"
           "<th>业务<span class=\"en\">Service</span></th>"
           "<th>等候<span class=\"en\">Waiting</span></th>"
           "<th>最长等候<span class=\"en\">Longest wait, min</span></th>"
           "<th>预计等候<span class=\"en\">Est. wait, min</span></th>"
           "<th>取号<span class=\"en\">Issued</span></th>"
           "<th>办结<span class=\"en\">Served</span></th>"
           "<th>平均等候<span class=\"en\">Avg wait, min</span></th>"
           "<th>平均办理<span class=\"en\">Avg handling, min</span></th>"
           "<th>超时等候<span class=\"en\">Over-wait</span></th>"
           "<th>评价率<span class=\"en\">Rating rate</span></th>"
           "<th>好评率<span class=\"en\">Good ratings</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (kpi, "services"), i, s) {
        fputs ("<tr><td>", f);
        web_escape (f, proto_str (s, "prefix"));
        fputs (" ", f);
        web_escape (f, proto_str (s, "name"));
        fputs (" <span class=\"en\">", f);
        web_escape (f, proto_str (s, "name_en"));
        fprintf (f, "</span></td><td>%lld</td><td>", (long long)proto_int (s, "waiting"));
        web_html_minutes (f, json_object_get (s, "longest_wait_ms"));
        fputs ("</td><td>", f);
        const json_t *est = json_object_get (s, "est_wait_s");
        if (json_is_integer (est))
            fprintf (f, "%.1f", (double)json_integer_value (est) / 60.0);
        else
            fputs ("<span class=\"en\">无窗口 none open</span>", f);
        fputs ("</td>", f);
        s_day_cells (f, s);
        fputs ("</tr>\n", f);
    }
    const json_t *tot = json_object_get (kpi, "totals");
    fprintf (f,
             "<tr><td><b>合计 <span class=\"en\">Total</span></b></td><td>%lld</td><td></td>"
             "<td></td>",
             (long long)proto_int (tot, "waiting"));
    s_day_cells (f, tot);
    fputs ("</tr>\n</tbody></table></section>\n", f);
}

//  The rectifications still open, and those past their deadline, as two cards.
static void
s_rectifications (FILE *f, const json_t *ratings)
{
    json_int_t open = 0, late = 0, today = proto_int (ratings, "today");
    size_t j;
    json_t *r;
    json_array_foreach (json_object_get (ratings, "rectifications"), j, r) {
        if (!proto_is (r, "state", "open"))
            continue;
        open++;
        if (today > proto_int (r, "deadline"))
            late++;
    }
    fprintf (f,
             "<div class=\"card warn\">待整改 <span class=\"en\">To rectify</span><b>%lld</b>"
             "</div><div class=\"card bad\">整改超期 <span class=\"en\">Rectification "
             "overdue</span><b>%lld</b></div>",
             (long long)open, (long long)late);
}

//  Cases and ratings as cards.
static void
s_cards (FILE *f, web_t *w, const json_t *kpi)
{
    const json_t *cases = json_object_get (kpi, "cases");
    const json_t *tot = json_object_get (kpi, "totals");
    fprintf (f,
             "<section class=\"panel\"><h2>办件 <span class=\"en\">Cases</span> · 好差评 <span "
             "class=\"en\">Ratings</span></h2>\n<div class=\"cards\">"
             "<div class=\"card\">在办 <span class=\"en\">Open</span><b>%lld</b></div>"
             "<div class=\"card warn\">黄灯 <span class=\"en\">Yellow</span><b>%lld</b></div>"
             "<div class=\"card bad\">红灯 <span class=\"en\">Red</span><b>%lld</b></div>"
             "<div class=\"card bad\">超期 <span class=\"en\">Overdue</span><b>%lld</b></div>"
             "<div class=\"card\">已评价 <span class=\"en\">Rated</span><b>%lld</b></div>"
             "<div class=\"card\">评价率 <span class=\"en\">Rating rate</span><b>",
             (long long)proto_int (cases, "open"), (long long)proto_int (cases, "yellow"),
             (long long)proto_int (cases, "red"), (long long)proto_int (cases, "overdue"),
             (long long)proto_int (tot, "rated"));
    web_html_ratio (f, json_object_get (tot, "rating_rate"));
    fputs ("</b></div><div class=\"card ok\">好评率 <span class=\"en\">Good-rating "
           "rate</span><b>",
           f);
    web_html_ratio (f, json_object_get (tot, "good_rate"));
    fputs ("</b></div><div class=\"card\">满意率 <span class=\"en\">Satisfaction</span><b>", f);
    web_html_ratio (f, json_object_get (tot, "satisfaction"));
    fprintf (f,
             "</b></div><div class=\"card bad\">差评 <span class=\"en\">Bad</span><b>%lld</b>"
             "</div>",
             (long long)proto_int (tot, "bad"));
    const json_t *ratings = web_ratings (w);
    if (ratings)
        s_rectifications (f, ratings);
    fputs ("</div></section>\n", f);
}

static void
s_counters (FILE *f, const json_t *kpi)
{
    fputs ("<section class=\"panel\"><h2>窗口 <span class=\"en\">Counters</span></h2>\n"
           "<table class=\"grid\" id=\"counters\"><thead><tr>"
           "<th>窗口<span class=\"en\">Counter</span></th>"
           "<th>状态<span class=\"en\">State</span></th>"
           "<th>当前号<span class=\"en\">Ticket</span></th>"
           "<th>已办<span class=\"en\">Served</span></th>"
           "<th>利用率<span class=\"en\">Utilisation</span></th>"
           "<th>本状态时长<span class=\"en\">In state, min</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (kpi, "counters"), i, c) {
        const char *state = proto_str (c, "state");
        const json_t *ticket = json_object_get (c, "ticket");
        fputs ("<tr><td>", f);
        web_escape (f, proto_str (c, "name"));
        fputs ("</td><td class=\"st-", f);
        web_escape (f, state);
        fputs ("\">", f);
        web_html_state (f, s_counter_state_text (state), state);
        fputs ("</td><td>", f);
        web_escape (f, json_is_string (ticket) ? json_string_value (ticket) : "—");
        fprintf (f, "</td><td>%lld</td><td>", (long long)proto_int (c, "served"));
        web_html_ratio (f, json_object_get (c, "utilisation"));
        fputs ("</td><td>", f);
        //  A closed counter has no time in its state worth showing.
        web_html_minutes (f, strcmp (state, "logged_out") != 0 ? json_object_get (c, "state_ms")
                                                               : NULL);
        fputs ("</td></tr>\n", f);
    }
    fputs ("</tbody></table></section>\n", f);
}

static void
s_alarms (FILE *f, const json_t *alarms, int off)
{
    fputs ("<h2>告警 <span class=\"en\">Alarms</span></h2>\n<ul id=\"alarms\">\n", f);
    for (size_t i = 0; i < json_array_size (alarms) && i < WEB_DASHBOARD_ALARMS; i++) {
        const json_t *a = json_array_get (alarms, i);
        char hm[16];
        web_html_hhmm (proto_int (a, "time"), off, hm, sizeof hm);
        fprintf (f, "<li class=\"bad\">%s ", hm);
        web_escape (f, proto_str (a, "cabinet"));
        fputs (" ", f);
        web_escape (f, proto_str (a, "slot"));
        fputs (" <b>", f);
        web_escape (f, proto_str (a, "alarm"));
        fputs ("</b> ", f);
        web_escape (f, proto_str (a, "detail"));
        fputs ("</li>\n", f);
    }
    fputs ("</ul>\n", f);
}

static void
s_cabinets (FILE *f, const json_t *kpi, int off)
{
    const json_t *cabinets = json_object_get (kpi, "cabinets");
    fputs ("<section class=\"panel\"><h2>智能柜 <span class=\"en\">Cabinets</span></h2>\n", f);
    if (!json_array_size (cabinets))
        fputs ("<p class=\"meta\">暂无智能柜上报 <span class=\"en\">No cabinet has "
               "reported</span></p>\n",
               f);
    else {
        fputs ("<table class=\"grid\" id=\"cabinets\"><thead><tr>"
               "<th>智能柜<span class=\"en\">Cabinet</span></th>"
               "<th>在线<span class=\"en\">Online</span></th>"
               "<th>格口<span class=\"en\">Slots</span></th>"
               "<th>占用<span class=\"en\">Occupied</span></th>"
               "<th>空闲<span class=\"en\">Free</span></th>"
               "<th>超期<span class=\"en\">Overdue</span></th>"
               "<th>停用<span class=\"en\">Disabled</span></th>"
               "<th>占用率<span class=\"en\">Occupancy</span></th>"
               "</tr></thead>\n<tbody>\n",
               f);
        size_t i;
        json_t *cab;
        json_array_foreach (cabinets, i, cab) {
            fputs ("<tr><td>", f);
            web_escape (f, proto_str (cab, "name"));
            fprintf (f,
                     "</td><td>%s</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
                     "<td>%lld</td><td>",
                     json_is_true (json_object_get (cab, "online")) ? "✓" : "✗",
                     (long long)proto_int (cab, "slots"), (long long)proto_int (cab, "occupied"),
                     (long long)proto_int (cab, "free"),
                     (long long)proto_int (cab, "overdue_slots"),
                     (long long)proto_int (cab, "disabled"));
            web_html_ratio (f, json_object_get (cab, "occupancy"));
            fputs ("</td></tr>\n", f);
        }
        fputs ("</tbody></table>\n", f);
    }
    if (json_array_size (json_object_get (kpi, "alarms")))
        s_alarms (f, json_object_get (kpi, "alarms"), off);
    fputs ("</section>\n", f);
}

static void
s_live (FILE *f, web_t *w)
{
    json_t *kpi = web_kpi (w);
    int off = web_utc_offset (w);
    char day[16], hm[16];
    web_html_date (proto_int (kpi, "day"), day, sizeof day);
    web_html_hhmm (proto_int (kpi, "now"), off, hm, sizeof hm);
    web_html_offline (f, w->connected);
    fprintf (f,
             "<p class=\"meta\">营业日 <span class=\"en\">Business day</span> %s · 时间 <span "
             "class=\"en\">Time</span> %s · 事件 <span class=\"en\">Event</span> #%llu · "
             "超时标准 <span class=\"en\">Over-wait limit</span> %lld min</p>\n",
             day, hm, (unsigned long long)proto_mirror_seq (w->mirror),
             (long long)proto_int (kpi, "over_wait_minutes"));
    s_services (f, kpi);
    s_cards (f, w, kpi);
    s_counters (f, kpi);
    s_cabinets (f, kpi, off);
    json_decref (kpi);
}

static void
s_charts (FILE *f, web_t *w)
{
    web_charts (f, w->hist, web_now (w), web_utc_offset (w),
                (int)proto_int (proto_mirror_state (w->mirror), "over_wait_minutes"));
}

static void
s_page (FILE *f, web_t *w)
{
    web_html_live_begin (f, "大厅监控 Hall dashboard", "dashboard");
    fputs ("<header class=\"bar\"><h1>", f);
    web_escape (f, web_hall_name (w));
    fputs (" · 大厅监控 <span class=\"en\">Hall dashboard</span></h1><span><span "
           "class=\"live-dot\" title=\"实时 live\">●</span> <a href=\"/board\">叫号屏 "
           "Board</a> · <a href=\"/kiosk\">取号 Kiosk</a> · <a href=\"/api/snapshot\">JSON</a> "
           "· <a href=\"/metrics\">Metrics</a></span></header>\n<main>\n"
           "<div id=\"live\" data-part=\"/dashboard?part=live\" data-on=\"ticket. counter. "
           "rating. case. vault. hall. mirror. clock.\" data-delay=\"500\" "
           "data-every=\"15\">\n",
           f);
    s_live (f, w);
    fputs ("</div>\n<section class=\"panel\"><h2>今日趋势 <span class=\"en\">Today</span></h2>\n"
           "<div class=\"charts\" id=\"charts\" data-part=\"/api/charts\" data-on=\"hall. "
           "mirror.\" data-delay=\"1000\" data-every=\"30\">\n",
           f);
    s_charts (f, w);
    fputs ("</div></section>\n</main>\n", f);
    web_page_end (f, 1);
}

enum MHD_Result
web_dashboard_get (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, web_req_part (req) ? s_live : s_page);
}

enum MHD_Result
web_dashboard_charts (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, s_charts);
}
