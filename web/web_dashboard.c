/*  web_dashboard.c — see web_dashboard.h. */
#include "web_dashboard.h"

#include <string.h>

#include "proto_json.h"
#include "proto_kpi.h"
#include "web_assets.h"
#include "web_charts.h"
#include "web_html.h"

#define HOUR_MS 3600000

static const char *
s_counter_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"logged_out", "未开窗"}, {"idle", "空闲"},   {"calling", "叫号中"},
        {"serving", "办理中"},    {"paused", "暂停"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return "—";
}

//  The CSS class of a level: colour on a colour screen; the marks say it without.
static const char *
s_lvl (int level)
{
    return level == PROTO_KPI_RED ? "lvl-red" : level == PROTO_KPI_YELLOW ? "lvl-yellow" : "lvl-ok";
}

//  The mark that says a level in monochrome: "!!" red, "!" yellow, nothing when fine.
static void
s_mark (FILE *f, int level)
{
    if (level == PROTO_KPI_RED)
        fputs ("<b class=\"mk\">!!</b>", f);
    else if (level == PROTO_KPI_YELLOW)
        fputs ("<b class=\"mk\">!</b>", f);
}

//  True if the service's figures list `alert`.
static bool
s_has (const json_t *s, const char *alert)
{
    size_t i;
    json_t *a;
    json_array_foreach (json_object_get (s, "alerts"), i, a) {
        if (json_is_string (a) && strcmp (json_string_value (a), alert) == 0)
            return true;
    }
    return false;
}

//  Over-waits in the last hour and in the hour before, of `service` (NULL: the hall).
typedef struct {
    size_t recent, before;
} s_trend_t;

static s_trend_t
s_trend (web_t *w, const json_t *kpi, const char *service)
{
    int64_t now = web_now (w), limit_s = proto_int (kpi, "over_wait_minutes") * 60;
    s_trend_t t = {0, 0};
    if (limit_s <= 0)
        return t;
    t.recent = web_history_over (w->hist, service, limit_s, now - HOUR_MS, now + 1);
    t.before = web_history_over (w->hist, service, limit_s, now - 2 * HOUR_MS, now - HOUR_MS);
    return t;
}

//  Over-waits are rising: more in the last hour than in the hour before.
static bool
s_rising (s_trend_t t)
{
    return t.recent > t.before;
}

//  The service's alerts as words, each with its mark; "正常" when there is none.
static void
s_alerts (FILE *f, const json_t *s, bool rising)
{
    size_t i, n = 0;
    json_t *a;
    json_array_foreach (json_object_get (s, "alerts"), i, a) {
        const char *code = json_string_value (a);
        int level = proto_kpi_alert_level (code);
        fprintf (f, "<span class=\"alert %s\">", s_lvl (level));
        s_mark (f, level);
        web_escape (f, proto_kpi_alert_text (code));
        fputs ("</span>", f);
        n++;
    }
    if (rising) {
        fputs ("<span class=\"alert lvl-yellow\"><b class=\"mk\">!</b>超时增加 ↑</span>", f);
        n++;
    }
    if (!n)
        fputs ("<span class=\"alert lvl-ok\">正常</span>", f);
}

//  Over-waits of the day with their rate, and a rising trend marked.
static void
s_over_cell (FILE *f, const json_t *k, s_trend_t t)
{
    fprintf (f, "<td class=\"opt%s\">%lld (", s_rising (t) ? " lvl-yellow" : "",
             (long long)proto_int (k, "over_wait"));
    web_html_ratio (f, json_object_get (k, "over_wait_rate"));
    fputs (")", f);
    if (s_rising (t))
        fprintf (f, " <b class=\"mk\">↑%zu</b>", t.recent);
    fputs ("</td>", f);
}

//  The day's figures of a service, or of the hall (the same members in both).
static void
s_day_cells (FILE *f, const json_t *k, s_trend_t t)
{
    fprintf (f, "<td class=\"opt\">%lld</td><td class=\"opt\">%lld</td><td class=\"opt\">",
             (long long)proto_int (k, "issued"), (long long)proto_int (k, "served"));
    web_html_minutes (f, json_object_get (k, "avg_wait_ms"));
    fputs ("</td><td class=\"wide\">", f);
    web_html_minutes (f, json_object_get (k, "avg_service_ms"));
    fputs ("</td>", f);
    s_over_cell (f, k, t);
    fputs ("<td class=\"wide\">", f);
    web_html_ratio (f, json_object_get (k, "good_rate"));
    fputs ("</td>", f);
}

//  A cell with a level: its colour and its mark.
static void
s_level_cell (FILE *f, int level, const char *cls)
{
    fprintf (f, "<td class=\"%s%s%s\">", s_lvl (level), cls ? " " : "", cls ? cls : "");
    s_mark (f, level);
}

static void
s_service_row (FILE *f, web_t *w, const json_t *kpi, const json_t *s)
{
    s_trend_t t = s_trend (w, kpi, proto_str (s, "prefix"));
    int level = PROTO_KPI_OK;
    size_t i;
    json_t *a;
    json_array_foreach (json_object_get (s, "alerts"), i, a) {
        int l = proto_kpi_alert_level (json_string_value (a));
        level = l > level ? l : level;
    }
    if (s_rising (t) && level == PROTO_KPI_OK)
        level = PROTO_KPI_YELLOW;
    fprintf (f, "<tr class=\"%s\"><td>", s_lvl (level));
    web_escape (f, proto_str (s, "prefix"));
    fputs (" ", f);
    web_escape (f, proto_str (s, "name"));
    fputs ("<span class=\"en\">", f);
    web_escape (f, proto_str (s, "name_en"));
    fputs ("</span></td><td class=\"alerts\">", f);
    s_alerts (f, s, s_rising (t));
    bool nobody = s_has (s, "no_counter");
    fputs ("</td>", f);
    s_level_cell (f, nobody ? PROTO_KPI_RED : PROTO_KPI_OK, "big");
    fprintf (f, "%lld</td>", (long long)proto_int (s, "waiting"));
    s_level_cell (f, nobody ? PROTO_KPI_RED : PROTO_KPI_OK, "opt");
    fprintf (f, "%lld</td>", (long long)proto_int (s, "open_counters"));
    s_level_cell (f,
                  s_has (s, "over_wait")    ? PROTO_KPI_RED
                  : s_has (s, "near_limit") ? PROTO_KPI_YELLOW
                                            : PROTO_KPI_OK,
                  NULL);
    web_html_minutes (f, json_object_get (s, "longest_wait_ms"));
    fputs ("</td>", f);
    s_level_cell (f, s_has (s, "est_over") ? PROTO_KPI_RED : PROTO_KPI_OK, NULL);
    const json_t *est = json_object_get (s, "est_wait_s");
    if (json_is_integer (est))
        fprintf (f, "%.1f", (double)json_integer_value (est) / 60.0);
    else
        fputs ("无窗口", f);
    fputs ("</td>", f);
    s_day_cells (f, s, t);
    fputs ("</tr>\n", f);
}

static void
s_services (FILE *f, web_t *w, const json_t *kpi)
{
    fputs ("<section class=\"panel\" id=\"queues\"><h2>各业务排队 <span class=\"en\">Queues by "
           "service</span></h2>\n<table class=\"grid\" id=\"services\"><thead><tr>"
           "<th>业务<span class=\"en\">Service</span></th>"
           "<th class=\"alerts\">提示<span class=\"en\">Attention</span></th>"
           "<th>等候<span class=\"en\">Waiting</span></th>"
           "<th class=\"opt\">开窗<span class=\"en\">Open</span></th>"
           "<th>最长等候<span class=\"en\">Longest, min</span></th>"
           "<th>预计等候<span class=\"en\">Est. wait, min</span></th>"
           "<th class=\"opt\">取号<span class=\"en\">Issued</span></th>"
           "<th class=\"opt\">办结<span class=\"en\">Served</span></th>"
           "<th class=\"opt\">平均等候<span class=\"en\">Avg wait, min</span></th>"
           "<th class=\"wide\">平均办理<span class=\"en\">Avg handling, min</span></th>"
           "<th class=\"opt\">超时等候<span class=\"en\">Over-wait</span></th>"
           "<th class=\"wide\">好评率<span class=\"en\">Good ratings</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (kpi, "services"), i, s)
        s_service_row (f, w, kpi, s);
    const json_t *tot = json_object_get (kpi, "totals");
    fprintf (f,
             "<tr class=\"total\"><td>合计<span class=\"en\">Total</span></td><td "
             "class=\"alerts\"></td><td class=\"big\">%lld</td><td "
             "class=\"opt\"></td><td></td><td></td>",
             (long long)proto_int (tot, "waiting"));
    s_day_cells (f, tot, s_trend (w, kpi, NULL));
    fputs ("</tr>\n</tbody></table></section>\n", f);
}

//  A card: its label in both languages, a number, a level shown as colour and mark.
static void
s_card (FILE *f, const char *zh, const char *en, json_int_t n, int level)
{
    fprintf (f, "<div class=\"card %s\">", s_lvl (level));
    s_mark (f, level);
    fprintf (f, "%s<span class=\"en\">%s</span><b>%lld</b></div>", zh, en, (long long)n);
}

//  A card holding a ratio.
static void
s_card_ratio (FILE *f, const char *zh, const char *en, const json_t *ratio)
{
    fprintf (f, "<div class=\"card\">%s<span class=\"en\">%s</span><b>", zh, en);
    web_html_ratio (f, ratio);
    fputs ("</b></div>", f);
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
    s_card (f, "待整改", "To rectify", open, open ? PROTO_KPI_YELLOW : PROTO_KPI_OK);
    s_card (f, "整改超期", "Rectification overdue", late, late ? PROTO_KPI_RED : PROTO_KPI_OK);
}

//  Over-waits, cases and ratings as cards.
static void
s_cards (FILE *f, web_t *w, const json_t *kpi)
{
    const json_t *cases = json_object_get (kpi, "cases");
    const json_t *tot = json_object_get (kpi, "totals");
    s_trend_t t = s_trend (w, kpi, NULL);
    fputs ("<section class=\"panel\" id=\"figures\"><h2>超时 <span class=\"en\">Over-wait</span> "
           "· 办件 <span class=\"en\">Cases</span> · 好差评 <span class=\"en\">Ratings</span>"
           "</h2>\n<div class=\"cards\">",
           f);
    fprintf (f,
             "<div class=\"card %s\" id=\"over-trend\">%s近1小时超时<span class=\"en\">Over-waits, "
             "last hour</span><b>%zu%s</b><small>前1小时 %zu</small></div>",
             s_rising (t) ? "lvl-yellow" : "", s_rising (t) ? "<b class=\"mk\">!</b>" : "",
             t.recent, s_rising (t) ? " ↑" : "", t.before);
    json_int_t red = proto_int (cases, "red"), overdue = proto_int (cases, "overdue");
    s_card (f, "在办", "Open", proto_int (cases, "open"), PROTO_KPI_OK);
    s_card (f, "黄灯", "Yellow", proto_int (cases, "yellow"),
            proto_int (cases, "yellow") ? PROTO_KPI_YELLOW : PROTO_KPI_OK);
    s_card (f, "红灯", "Red", red, red ? PROTO_KPI_RED : PROTO_KPI_OK);
    s_card (f, "超期", "Overdue", overdue, overdue ? PROTO_KPI_RED : PROTO_KPI_OK);
    s_card (f, "已评价", "Rated", proto_int (tot, "rated"), PROTO_KPI_OK);
    s_card_ratio (f, "评价率", "Rating rate", json_object_get (tot, "rating_rate"));
    s_card_ratio (f, "好评率", "Good-rating rate", json_object_get (tot, "good_rate"));
    s_card_ratio (f, "满意率", "Satisfaction", json_object_get (tot, "satisfaction"));
    s_card (f, "差评", "Bad", proto_int (tot, "bad"),
            proto_int (tot, "bad") ? PROTO_KPI_YELLOW : PROTO_KPI_OK);
    const json_t *ratings = web_ratings (w);
    if (ratings)
        s_rectifications (f, ratings);
    fputs ("</div></section>\n", f);
}

static void
s_counter_row (FILE *f, const json_t *c)
{
    const char *state = proto_str (c, "state");
    const json_t *ticket = json_object_get (c, "ticket");
    bool closed = strcmp (state, "logged_out") == 0;
    int level = proto_kpi_level_of (c);
    fprintf (f, "<tr class=\"%s%s\"><td>", s_lvl (level), closed ? " closed" : "");
    web_escape (f, proto_str (c, "name"));
    fputs ("</td><td class=\"clerk\">", f);
    const char *clerk = json_string_value (json_object_get (c, "clerk"));
    web_escape (f, clerk && *clerk ? clerk : "—");
    fputs ("</td><td class=\"st-", f);
    web_escape (f, state);
    fputs ("\">", f);
    s_mark (f, level);
    fputs (s_counter_state_text (state), f);
    const char *reason = json_string_value (json_object_get (c, "pause_reason"));
    if (reason && *reason) {
        fputs ("（", f);
        web_escape (f, reason);
        fputs ("）", f);
    }
    if (level != PROTO_KPI_OK)
        fputs ("，有人等候", f);
    fputs ("</td><td>", f);
    web_escape (f, json_is_string (ticket) ? json_string_value (ticket) : "—");
    fprintf (f, "</td><td class=\"opt\">%lld</td><td class=\"opt\">",
             (long long)proto_int (c, "served"));
    web_html_ratio (f, json_object_get (c, "utilisation"));
    fputs ("</td><td class=\"opt\">", f);
    //  A closed counter has no time in its state worth showing.
    web_html_minutes (f, closed ? NULL : json_object_get (c, "state_ms"));
    fputs ("</td></tr>\n", f);
}

static void
s_counters (FILE *f, const json_t *kpi)
{
    fputs ("<section class=\"panel\" id=\"counter-panel\"><h2>窗口 <span "
           "class=\"en\">Counters</span></h2>\n"
           "<table class=\"grid\" id=\"counters\"><thead><tr>"
           "<th>窗口<span class=\"en\">Counter</span></th>"
           "<th class=\"clerk\">工作人员<span class=\"en\">Clerk</span></th>"
           "<th>状态<span class=\"en\">State</span></th>"
           "<th>当前号<span class=\"en\">Ticket</span></th>"
           "<th class=\"opt\">已办<span class=\"en\">Served</span></th>"
           "<th class=\"opt\">利用率<span class=\"en\">Utilisation</span></th>"
           "<th class=\"opt\">本状态<span class=\"en\">In state, min</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (kpi, "counters"), i, c)
        s_counter_row (f, c);
    fputs ("</tbody></table></section>\n", f);
}

//  What the cabinet said beside the alarm, when it said it in Chinese: the part before
//  " / " (onewindow-vault writes "中文 / English"); nothing for an English-only detail.
static void
s_detail_zh (FILE *f, const char *detail)
{
    const char *sep = strstr (detail, " / ");
    size_t len = sep ? (size_t)(sep - detail) : strlen (detail);
    bool cjk = false;
    for (size_t i = 0; i < len; i++)
        cjk = cjk || (unsigned char)detail[i] >= 0xe0;
    if (!cjk)
        return;
    fputs ("：", f);
    char part[256];
    snprintf (part, sizeof part, "%.*s", (int)(len < sizeof part ? len : sizeof part - 1), detail);
    web_escape (f, part);
}

//  The alarms on now (from the cabinets' slot states), then the day's recent ones as
//  history, each marked on or recovered. The history is the journal's (web_history.h):
//  the mirror's own list starts empty when the gateway starts.
static void
s_alarms (FILE *f, web_t *w, const json_t *kpi, int off)
{
    const json_t *cabinets = json_object_get (kpi, "cabinets");
    json_t *recent = proto_kpi_alarms (
        web_history_loaded (w->hist) ? web_history_alarms (w->hist)
                                     : json_object_get (proto_mirror_state (w->mirror), "alarms"),
        cabinets);
    json_t *active = proto_kpi_active_alarms (cabinets, recent);
    fputs ("<h3>当前告警 <span class=\"en\">Alarms now</span></h3>\n<ul class=\"alarms\" "
           "id=\"alarms-now\">\n",
           f);
    if (!json_array_size (active))
        fputs ("<li class=\"lvl-ok\">无</li>\n", f);
    size_t i;
    json_t *a;
    json_array_foreach (active, i, a) {
        fputs ("<li class=\"lvl-red\"><b class=\"mk\">!!</b>", f);
        web_escape (f, proto_str (a, "name"));
        fputs (" ", f);
        web_escape (f, proto_str (a, "slot"));
        fputs (" 格口：<b>", f);
        web_escape (f, proto_str (a, "text"));
        fputs ("</b>", f);
        if (json_is_integer (json_object_get (a, "since"))) {
            char hm[16];
            web_html_hhmm (proto_int (a, "since"), off, hm, sizeof hm);
            fprintf (f, "（%s 起）", hm);
        }
        fputs ("</li>\n", f);
    }
    fputs ("</ul>\n", f);
    json_decref (active);
    if (!json_array_size (recent)) {
        json_decref (recent);
        return;
    }
    fputs ("<h3>告警记录 <span class=\"en\">Recent alarms</span></h3>\n<ul class=\"alarms "
           "history\" id=\"alarms\">\n",
           f);
    for (i = 0; i < json_array_size (recent) && i < WEB_DASHBOARD_ALARMS; i++) {
        a = json_array_get (recent, i);
        const json_t *on = json_object_get (a, "active");
        char hm[16];
        web_html_hhmm (proto_int (a, "time"), off, hm, sizeof hm);
        fprintf (f, "<li class=\"%s\">%s ",
                 json_is_true (on)    ? "lvl-red"
                 : json_is_false (on) ? "cleared"
                                      : "",
                 hm);
        web_escape (f, proto_str (a, "slot"));
        fputs (" <b>", f);
        web_escape (f, proto_str (a, "text"));
        fputs ("</b>", f);
        s_detail_zh (f, proto_str (a, "detail"));
        fputs (json_is_true (on)    ? " <span class=\"tag\">未恢复</span>"
               : json_is_false (on) ? " <span class=\"tag\">已恢复</span>"
                                    : "",
               f);
        fputs ("</li>\n", f);
    }
    fputs ("</ul>\n", f);
    json_decref (recent);
}

static void
s_cabinets (FILE *f, web_t *w, const json_t *kpi, int off)
{
    const json_t *cabinets = json_object_get (kpi, "cabinets");
    fputs ("<section class=\"panel\" id=\"cabinet-panel\"><h2>智能柜 <span "
           "class=\"en\">Cabinets</span></h2>\n",
           f);
    if (!json_array_size (cabinets)) {
        fputs ("<p class=\"meta\">暂无智能柜上报<span class=\"en\">No cabinet has "
               "reported</span></p>\n</section>\n",
               f);
        return;
    }
    fputs ("<table class=\"grid\" id=\"cabinets\"><thead><tr>"
           "<th>智能柜<span class=\"en\">Cabinet</span></th>"
           "<th>在线<span class=\"en\">Online</span></th>"
           "<th>格口<span class=\"en\">Slots</span></th>"
           "<th>占用<span class=\"en\">Occupied</span></th>"
           "<th>空闲<span class=\"en\">Free</span></th>"
           "<th>超期<span class=\"en\">Overdue</span></th>"
           "<th class=\"opt\">停用<span class=\"en\">Disabled</span></th>"
           "<th class=\"opt\">占用率<span class=\"en\">Occupancy</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    size_t i;
    json_t *cab;
    json_array_foreach (cabinets, i, cab) {
        int level = proto_kpi_level_of (cab);
        fprintf (f, "<tr class=\"%s\"><td>", s_lvl (level));
        s_mark (f, level);
        web_escape (f, proto_str (cab, "name"));
        fprintf (f,
                 "</td><td>%s</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
                 "<td class=\"opt\">%lld</td><td class=\"opt\">",
                 json_is_true (json_object_get (cab, "online")) ? "✓ 在线" : "✗ 离线",
                 (long long)proto_int (cab, "slots"), (long long)proto_int (cab, "occupied"),
                 (long long)proto_int (cab, "free"), (long long)proto_int (cab, "overdue_slots"),
                 (long long)proto_int (cab, "disabled"));
        web_html_ratio (f, json_object_get (cab, "occupancy"));
        fputs ("</td></tr>\n", f);
    }
    fputs ("</tbody></table>\n", f);
    s_alarms (f, w, kpi, off);
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
             "<p class=\"meta\">营业日 %s · 时间 %s · 超时标准 %lld 分钟 · 事件 #%llu · 标记："
             "<b class=\"mk\">!!</b> 警告（红） <b class=\"mk\">!</b> 注意（黄）</p>\n",
             day, hm, (long long)proto_int (kpi, "over_wait_minutes"),
             (unsigned long long)proto_mirror_seq (w->mirror));
    fputs ("<div class=\"col-a\">\n", f);
    s_services (f, w, kpi);
    s_cards (f, w, kpi);
    fputs ("</div>\n<div class=\"col-b\">\n", f);
    s_counters (f, kpi);
    s_cabinets (f, w, kpi, off);
    fputs ("</div>\n", f);
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
    fputs (" · 大厅监控 <span class=\"en\">Hall dashboard</span></h1><nav><span "
           "class=\"live-dot\" title=\"实时 live\">●</span> <a href=\"/board\">叫号屏</a> · "
           "<a href=\"/kiosk\">取号</a> · <a href=\"/report\" id=\"report-link\">营业报表 "
           "<span class=\"en\">Report</span></a> · <a href=\"/api/kpi\">JSON</a> · <a "
           "href=\"/metrics\">Metrics</a> · <form class=\"logout\" method=\"post\" "
           "action=\"/logout\"><button type=\"submit\">退出</button></form></nav></header>\n"
           "<main class=\"wall\">\n"
           "<div id=\"live\" data-part=\"/dashboard?part=live\" data-on=\"ticket. counter. "
           "rating. case. vault. hall. mirror. clock.\" data-delay=\"500\" "
           "data-every=\"15\">\n",
           f);
    s_live (f, w);
    fputs ("</div>\n<section class=\"panel\" id=\"today\"><h2>今日趋势 <span "
           "class=\"en\">Today</span></h2>\n"
           "<div class=\"charts\" id=\"charts\" data-part=\"/api/charts\" data-on=\"hall.day "
           "mirror. ticket.called ticket.issued clock.\" data-delay=\"2000\" "
           "data-every=\"30\">\n",
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
