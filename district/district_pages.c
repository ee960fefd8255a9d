/*  district_pages.c — see district_pages.h. */
#include "district_pages.h"

#include <stdio.h>
#include <string.h>

#include "district_buf.h"
#include "district_report.h"
#include "proto_json.h"
#include "proto_kpi.h"

//  ---------------------------------------------------------------------------------------
//  What every page shares

static const char s_css[] =
    "*{box-sizing:border-box}body{margin:0;font-family:'Noto Sans CJK SC','WenQuanYi Micro "
    "Hei','PingFang SC','Microsoft YaHei',sans-serif;}"
    "a{color:inherit}.muted{opacity:.7}.num{font-variant-numeric:tabular-nums}"
    ".ok{color:#2e9e5b}.yellow{color:#d99a00}.red{color:#d23c3c}"
    "table{border-collapse:collapse}th,td{padding:6px 10px;text-align:right;"
    "border-bottom:1px solid #ccd3dd}th:first-child,td:first-child{text-align:left}"
    "th{font-weight:600;white-space:nowrap}";

static const char s_wall_css[] =
    "body{background:#0d1b2a;color:#e8eef5;height:1080px;overflow:hidden}"
    "header{display:flex;align-items:baseline;gap:32px;padding:22px 36px 10px}"
    "header h1{font-size:40px;margin:0;letter-spacing:2px}header .sum{font-size:24px}"
    "main{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:20px;"
    "padding:14px 36px}"
    ".card{background:#16263a;border-radius:14px;padding:18px 22px;position:relative;"
    "border:2px solid #24405f;text-decoration:none;display:block}"
    ".card.stale{background:repeating-linear-gradient(135deg,#1c2633,#1c2633 14px,#222d3b "
    "14px,#222d3b 28px);border-color:#6b7685;color:#aeb8c4}"
    ".card h2{font-size:28px;margin:0 0 4px;display:flex;justify-content:space-between}"
    ".kind{font-size:16px;padding:2px 10px;border-radius:10px;background:#24405f;"
    "font-weight:400;white-space:nowrap}"
    ".state{font-size:18px;margin-bottom:12px}.state.stale{color:#ffb347;font-weight:600}"
    ".figs{display:grid;grid-template-columns:repeat(4,1fr);gap:6px;margin:8px 0}"
    ".fig b{display:block;font-size:42px;line-height:1.1}.fig span{font-size:16px;opacity:.8}"
    ".index{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 14px;font-size:20px;"
    "margin-top:8px;"
    "border-top:1px solid #2c4a6b;padding-top:10px}.index b{font-size:36px}"
    ".index span{white-space:nowrap}.card h2{gap:12px}"
    ".alarms{margin:10px 0 0;padding:0;list-style:none;font-size:18px}"
    ".alarms li{margin:3px 0}.day{font-size:18px;opacity:.85}"
    "@media (max-width:760px){body{height:auto;overflow:auto}header{flex-wrap:wrap;gap:8px "
    "18px;padding:14px 16px 4px}header h1{font-size:26px;width:100%}header .sum{font-size:17px}"
    "main{grid-template-columns:1fr;gap:12px;padding:10px 12px}.card{padding:14px 16px}"
    ".card h2{font-size:22px}.fig b{font-size:30px}.fig span{font-size:13px}"
    ".alarms{font-size:15px}}"
    ".card h2{align-items:flex-start}.card h2 .kind{flex:none}"
    ".many{grid-template-columns:repeat(6,1fr);gap:8px;padding:4px 24px}"
    ".many .card{padding:6px 12px;border-radius:10px;overflow:hidden}"
    ".many .card h2{font-size:17px;margin:0}.many .card h2>span:first-child,.many .state,"
    ".many .fig span,.many .alarms li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
    ".many .kind{font-size:11px;padding:1px 6px}.many .state{font-size:12px;margin-bottom:0}"
    ".many .figs{margin:0;gap:2px}.many .fig b{font-size:24px}.many .fig span{font-size:10px;"
    "display:block}.many .day{display:none}.many .index{flex-wrap:nowrap;font-size:12px;"
    "margin-top:2px;padding-top:2px;gap:8px;overflow:hidden}.many .index b{font-size:18px}"
    ".many .long{display:none}.many .alarms{font-size:11px;margin-top:1px}.many .alarms "
    "li:nth-child(n+2){display:none}";

//  Halls the wall shows as full cards; more, and they are compact, six to a row, so that
//  a district of 32 halls fits one 1920x1080 screen.
#define WALL_ROOMY 8

static const char s_paper_css[] =
    "body{background:#f4f6f9;color:#1b2733;padding:24px 40px}h1{font-size:30px;margin:0 0 "
    "6px}h2{font-size:22px;margin:28px 0 10px}.box{background:#fff;border-radius:10px;"
    "padding:16px 22px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:16px}"
    ".figs{display:flex;flex-wrap:wrap;gap:28px}.fig b{display:block;font-size:30px}"
    ".fig span{font-size:14px;opacity:.75}.charts{display:flex;flex-wrap:wrap;gap:18px}"
    ".chart{background:#fff;border-radius:8px;padding:8px 12px;border:1px solid #dde3ea}"
    ".chart h3{margin:0 0 4px;font-size:16px}form{margin:8px 0 16px}"
    ".box td:nth-child(2),.box th:nth-child(2){text-align:left;white-space:nowrap}"
    ".box td:nth-child(3){white-space:nowrap}"
    "@media print{body{background:#fff;padding:0}.noprint{display:none}.box{box-shadow:none;"
    "border:1px solid #ccc}}";

static void
s_head (district_buf_t *b, const char *title, const char *css, int refresh_s)
{
    district_buf_printf (b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                            "<meta name=\"viewport\" content=\"width=device-width\">");
    if (refresh_s)
        district_buf_printf (b, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh_s);
    district_buf_printf (b, "<title>");
    district_buf_html (b, title);
    district_buf_printf (b, "</title><style>%s%s</style></head><body>", s_css, css);
}

//  Seconds as people read a wait: "12 分钟", "1 小时 5 分", "少于 1 分钟"; "—" for null.
static void
s_wait (district_buf_t *b, const json_t *seconds)
{
    if (!json_is_integer (seconds)) {
        district_buf_printf (b, "—");
        return;
    }
    json_int_t s = json_integer_value (seconds);
    if (s < 60)
        district_buf_printf (b, "少于 1 分钟");
    else if (s < 3600)
        district_buf_printf (b, "%lld 分钟", (long long)(s / 60));
    else
        district_buf_printf (b, "%lld 小时 %lld 分", (long long)(s / 3600),
                             (long long)(s % 3600 / 60));
}

//  A ratio 0..1 as a percentage, "—" for null.
static void
s_pct (district_buf_t *b, const json_t *ratio)
{
    if (json_is_number (ratio))
        district_buf_printf (b, "%.1f%%", json_number_value (ratio) * 100);
    else
        district_buf_printf (b, "—");
}

//  A number (an index score), "—" for null.
static void
s_score (district_buf_t *b, const json_t *v)
{
    if (json_is_number (v))
        district_buf_printf (b, "%.1f", json_number_value (v));
    else
        district_buf_printf (b, "—");
}

static void
s_int (district_buf_t *b, const json_t *v)
{
    if (json_is_integer (v))
        district_buf_printf (b, "%lld", (long long)json_integer_value (v));
    else
        district_buf_printf (b, "—");
}

//  How long ago, in words, for a stale hall.
static void
s_ago (district_buf_t *b, const json_t *age_s)
{
    if (!json_is_integer (age_s)) {
        district_buf_printf (b, "尚未收到任何事件");
        return;
    }
    json_int_t s = json_integer_value (age_s);
    district_buf_printf (b, "<span class=\"long\">最后一次收到数据在 </span>");
    if (s < 60)
        district_buf_printf (b, "%lld 秒前", (long long)s);
    else if (s < 3600)
        district_buf_printf (b, "%lld 分钟前", (long long)(s / 60));
    else
        district_buf_printf (b, "%lld 小时 %lld 分钟前", (long long)(s / 3600),
                             (long long)(s % 3600 / 60));
}

static const char *
s_kind_label (const char *kind)
{
    return strcmp (kind, "town_centre") == 0 ? "便民服务中心" : "区级大厅";
}

//  "2026年12月6日" from YYYYMMDD.
static void
s_date (district_buf_t *b, json_int_t day)
{
    if (day > 0)
        district_buf_printf (b, "%lld年%lld月%lld日", (long long)(day / 10000),
                             (long long)(day / 100 % 100), (long long)(day % 100));
    else
        district_buf_printf (b, "—");
}

//  The index total with its grade and trend, or why there is none.
static void
s_index_line (district_buf_t *b, const json_t *h)
{
    const json_t *index = json_object_get (h, "index");
    const json_t *total = json_object_get (index, "total");
    district_buf_printf (b, "<div class=\"index\"><span>今日服务指数</span>");
    if (!json_is_number (total)) {
        district_buf_printf (b, "<span class=\"muted\">暂无（指数尚未计算）</span></div>");
        return;
    }
    district_buf_printf (b, "<b class=\"num\">%.1f</b>", json_number_value (total));
    if (*proto_str (h, "grade")) {
        district_buf_printf (b, "<span>等级 ");
        district_buf_html (b, proto_str (h, "grade"));
        district_buf_printf (b, "</span>");
    }
    const json_t *trend = json_object_get (h, "trend");
    if (json_is_number (trend)) {
        double t = json_number_value (trend);
        district_buf_printf (b,
                             "<span class=\"%s\">%s %+.1f<span class=\"long\">（较上一日）"
                             "</span></span>",
                             t > 0   ? "ok"
                             : t < 0 ? "red"
                                     : "muted",
                             t > 0   ? "▲ 上升"
                             : t < 0 ? "▼ 下降"
                                     : "持平",
                             t);
    }
    district_buf_printf (b, "</div>");
}

//  ---------------------------------------------------------------------------------------
//  The wall screen

static void
s_fig (district_buf_t *b, const char *label, void (*fmt) (district_buf_t *, const json_t *),
       const json_t *v, const char *unit)
{
    district_buf_printf (b, "<div class=\"fig\"><b class=\"num\">");
    fmt (b, v);
    district_buf_printf (b, "%s</b><span>%s</span></div>", json_is_null (v) || !v ? "" : unit,
                         label);
}

//  A wait in minutes as a big figure (whole minutes, "<1" under one).
static void
s_minutes (district_buf_t *b, const json_t *seconds)
{
    if (!json_is_integer (seconds))
        district_buf_printf (b, "—");
    else if (json_integer_value (seconds) < 60)
        district_buf_printf (b, "&lt;1");
    else
        district_buf_printf (b, "%lld", (long long)(json_integer_value (seconds) / 60));
}

static void
s_card (district_buf_t *b, const json_t *h)
{
    bool online = json_is_true (json_object_get (h, "online"));
    district_buf_printf (b, "<a class=\"card%s\" href=\"/district/hall/", online ? "" : " stale");
    district_buf_html (b, proto_str (h, "id"));
    district_buf_printf (b, "\"><h2><span>");
    district_buf_html (b, proto_str (h, "name"));
    district_buf_printf (b, "</span><span class=\"kind\">%s</span></h2>",
                         s_kind_label (proto_str (h, "kind")));
    if (online && json_is_true (json_object_get (h, "catching_up")))
        district_buf_printf (b, "<div class=\"state\"><span class=\"yellow\">● 在线 · "
                                "正在补齐中断期间的数据</span></div>");
    else if (online)
        district_buf_printf (b, "<div class=\"state\"><span class=\"ok\">● 在线</span></div>");
    else {
        district_buf_printf (b, "<div class=\"state stale\">⚠ 连接中断<span class=\"long\">，"
                                "数据已过时</span> · ");
        s_ago (b, json_object_get (h, "last_event_age_s"));
        district_buf_printf (b, "</div>");
    }
    district_buf_printf (b, "<div class=\"figs\">");
    s_fig (b, "等候人数", s_int, json_object_get (h, "waiting"), "");
    s_fig (b, "最长已等（分钟）", s_minutes, json_object_get (h, "longest_wait_s"), "");
    s_fig (b, "新取号预计（分钟）", s_minutes, json_object_get (h, "est_wait_s"), "");
    s_fig (b, "开放窗口", s_int, json_object_get (h, "open_counters"), "");
    district_buf_printf (b, "</div><div class=\"day\">今日取号 ");
    s_int (b, json_object_get (h, "issued"));
    district_buf_printf (b, " · 办结 ");
    s_int (b, json_object_get (h, "served"));
    district_buf_printf (b, "</div>");
    s_index_line (b, h);
    const json_t *problem = json_object_get (h, "problem");
    size_t i;
    json_t *a;
    district_buf_printf (b, "<ul class=\"alarms\">");
    if (json_is_string (problem) && *json_string_value (problem)) {
        district_buf_printf (b, "<li class=\"red\">⚠ ");
        district_buf_html (b, json_string_value (problem));
        district_buf_printf (b, "</li>");
    }
    json_array_foreach (json_object_get (h, "alarms"), i, a) {
        if (i == 4) {
            district_buf_printf (b, "<li class=\"muted\">…… 另有 %zu 条，请点开查看</li>",
                                 json_array_size (json_object_get (h, "alarms")) - 4);
            break;
        }
        district_buf_printf (b, "<li class=\"%s\">⚠ ", proto_str (a, "level"));
        district_buf_html (b, proto_str (a, "text"));
        district_buf_printf (b, "</li>");
    }
    district_buf_printf (b, "</ul></a>");
}

char *
district_page_wall (const json_t *view)
{
    district_buf_t b = {0};
    const json_t *d = json_object_get (view, "district");
    const json_t *halls = json_object_get (view, "halls");
    char title[256];
    snprintf (title, sizeof title, "%s 政务服务一张屏", proto_str (d, "name"));
    s_head (&b, title, s_wall_css, 5);
    json_int_t online = 0, waiting = 0;
    size_t i;
    json_t *h;
    json_array_foreach (halls, i, h) {
        online += json_is_true (json_object_get (h, "online"));
        waiting += proto_int (h, "waiting");
    }
    district_buf_printf (&b, "<header><h1>");
    district_buf_html (&b, title);
    district_buf_printf (&b,
                         "</h1><span class=\"sum\">在线大厅 <b class=\"num\">%lld</b> / %zu</span>"
                         "<span class=\"sum\">全区等候 <b class=\"num\">%lld</b> 人</span>"
                         "<span class=\"sum muted\"><a href=\"/district/report\">查看日报、月报"
                         "与排名 →</a></span></header><main%s>",
                         (long long)online, json_array_size (halls), (long long)waiting,
                         json_array_size (halls) > WALL_ROOMY ? " class=\"many\"" : "");
    json_array_foreach (halls, i, h)
        s_card (&b, h);
    district_buf_printf (&b, "</main></body></html>\n");
    return district_buf_take (&b);
}

//  ---------------------------------------------------------------------------------------
//  The seven indices as bars

//  An SVG of the seven indices (0-100) of `index`, `width` pixels wide.
static void
s_bars (district_buf_t *b, const json_t *index, int width)
{
    const int row = 24, label = 56, right = 54;
    int bar = width - label - right;
    district_buf_printf (b, "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"七项指数\">",
                         width, row * 7 + 4);
    for (int k = 0; k < 7; k++) {
        const json_t *v = json_object_get (index, district_index_keys[k]);
        double x = json_is_number (v) ? json_number_value (v) : 0;
        x = x < 0 ? 0 : x > 100 ? 100 : x;
        const char *colour = x >= 90   ? "#2e9e5b"
                             : x >= 80 ? "#3b7dd8"
                             : x >= 60 ? "#d99a00"
                                       : "#d23c3c";
        int y = k * row + 2;
        district_buf_printf (b,
                             "<text x=\"0\" y=\"%d\" font-size=\"14\">%s</text>"
                             "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#e6ebf1\"/>"
                             "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"16\" fill=\"%s\"/>"
                             "<text x=\"%d\" y=\"%d\" font-size=\"14\">",
                             y + 14, district_index_labels[k], label, y, bar, label, y,
                             bar * x / 100, colour, label + bar + 6, y + 14);
        s_score (b, v);
        district_buf_printf (b, "</text>");
    }
    district_buf_printf (b, "</svg>");
}

//  ---------------------------------------------------------------------------------------
//  One hall

static const char *
s_counter_state (const char *state)
{
    static const char *const names[][2] = {{"idle", "空闲"},
                                           {"calling", "叫号中"},
                                           {"serving", "办理中"},
                                           {"paused", "暂停"},
                                           {"logged_out", "未开放"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp (state, names[i][0]) == 0)
            return names[i][1];
    return "其他";
}

static void
s_services (district_buf_t *b, const json_t *services)
{
    district_buf_printf (b, "<h2>各业务排队情况</h2><div class=\"box\"><table><tr><th>业务</th>"
                            "<th>等候人数</th><th>最长已等</th><th>新取号预计</th><th>开放窗口</th>"
                            "<th>今日取号</th><th>办结</th><th>平均等候</th><th>提示</th></tr>");
    size_t i, j;
    json_t *s, *a;
    json_array_foreach (services, i, s) {
        district_buf_printf (b, "<tr><td>");
        district_buf_html (b, proto_str (s, "name"));
        district_buf_printf (b, "</td><td class=\"num\">%lld</td><td>",
                             (long long)proto_int (s, "waiting"));
        const json_t *longest = json_object_get (s, "longest_wait_ms");
        json_t *sec = json_is_integer (longest) ? json_integer (json_integer_value (longest) / 1000)
                                                : json_null ();
        s_wait (b, sec);
        json_decref (sec);
        district_buf_printf (b, "</td><td>");
        s_wait (b, json_object_get (s, "est_wait_s"));
        district_buf_printf (b,
                             "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
                             "<td class=\"num\">%lld</td><td>",
                             (long long)proto_int (s, "open_counters"),
                             (long long)proto_int (s, "issued"),
                             (long long)proto_int (s, "served"));
        const json_t *avg = json_object_get (s, "avg_wait_ms");
        json_t *avg_s =
            json_is_integer (avg) ? json_integer (json_integer_value (avg) / 1000) : json_null ();
        s_wait (b, avg_s);
        json_decref (avg_s);
        district_buf_printf (b, "</td><td>");
        json_array_foreach (json_object_get (s, "alerts"), j, a) {
            const char *alert = json_string_value (a);
            district_buf_printf (b, "<span class=\"%s\">⚠ %s</span> ",
                                 proto_kpi_alert_level (alert) == PROTO_KPI_RED ? "red" : "yellow",
                                 proto_kpi_alert_text (alert));
        }
        district_buf_printf (b, "</td></tr>");
    }
    district_buf_printf (b, "</table></div>");
}

static void
s_counters (district_buf_t *b, const json_t *counters)
{
    district_buf_printf (b, "<h2>窗口</h2><div class=\"box\"><table><tr><th>窗口</th><th>状态</th>"
                            "<th>当前号码</th><th>今日办结</th></tr>");
    size_t i;
    json_t *c;
    json_array_foreach (counters, i, c) {
        district_buf_printf (b, "<tr><td>");
        district_buf_html (b, proto_str (c, "name"));
        district_buf_printf (b, "</td><td>%s</td><td>", s_counter_state (proto_str (c, "state")));
        district_buf_html (b, *proto_str (c, "ticket") ? proto_str (c, "ticket") : "—");
        district_buf_printf (b, "</td><td class=\"num\">%lld</td></tr>",
                             (long long)proto_int (c, "served"));
    }
    district_buf_printf (b, "</table></div>");
}

//  Today's figures from the district's roll-up of the hall's journal.
static void
s_today (district_buf_t *b, const json_t *report)
{
    const json_t *kpis = json_object_get (report, "kpis");
    const json_t *t = json_object_get (kpis, "tickets");
    const json_t *r = json_object_get (kpis, "ratings");
    const json_t *c = json_object_get (kpis, "cases");
    district_buf_printf (b, "<h2>今日数据</h2><div class=\"box figs\">");
    if (!report) {
        district_buf_printf (b, "<span class=\"muted\">区里尚未收到该大厅今日的数据</span></div>");
        return;
    }
    static const char *const counts[][2] = {
        {"issued", "取号"}, {"called", "叫号"}, {"served", "办结"}, {"missed", "过号"}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        district_buf_printf (b, "<div class=\"fig\"><b class=\"num\">");
        s_int (b, json_object_get (t, counts[i][0]));
        district_buf_printf (b, "</b><span>%s</span></div>", counts[i][1]);
    }
    const json_t *avg = json_object_get (t, "avg_wait_ms");
    json_t *avg_s =
        json_is_integer (avg) ? json_integer (json_integer_value (avg) / 1000) : json_null ();
    district_buf_printf (b, "<div class=\"fig\"><b>");
    s_wait (b, avg_s);
    district_buf_printf (b, "</b><span>平均等候</span></div>");
    json_decref (avg_s);
    static const struct {
        const char *group, *key, *label;
    } rates[] = {{"tickets", "over_wait_rate", "等候超时率"},
                 {"ratings", "rating_rate", "评价率"},
                 {"ratings", "good_rate", "好评率"},
                 {"cases", "on_time_rate", "办件按时率"}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        const json_t *g = strcmp (rates[i].group, "tickets") == 0   ? t
                          : strcmp (rates[i].group, "ratings") == 0 ? r
                                                                    : c;
        district_buf_printf (b, "<div class=\"fig\"><b class=\"num\">");
        s_pct (b, json_object_get (g, rates[i].key));
        district_buf_printf (b, "</b><span>%s</span></div>", rates[i].label);
    }
    district_buf_printf (b, "</div>");
}

static void
s_history (district_buf_t *b, const json_t *history)
{
    district_buf_printf (b,
                         "<h2>近两周</h2><div class=\"box\"><table><tr><th>日期</th><th>取号</th>"
                         "<th>办结</th><th>平均等候</th><th>等候超时率</th><th>好评率</th>"
                         "<th>指数总分</th></tr>");
    size_t i;
    json_t *d;
    json_array_foreach (history, i, d) {
        district_buf_printf (b, "<tr><td>");
        s_date (b, proto_int (d, "day"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_int (b, json_object_get (d, "issued"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_int (b, json_object_get (d, "served"));
        district_buf_printf (b, "</td><td>");
        const json_t *avg = json_object_get (d, "avg_wait_ms");
        json_t *avg_s =
            json_is_integer (avg) ? json_integer (json_integer_value (avg) / 1000) : json_null ();
        s_wait (b, avg_s);
        json_decref (avg_s);
        district_buf_printf (b, "</td><td class=\"num\">");
        s_pct (b, json_object_get (d, "over_wait_rate"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_pct (b, json_object_get (d, "good_rate"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_score (b, json_object_get (d, "total"));
        district_buf_printf (b, "</td></tr>");
    }
    district_buf_printf (b, "</table></div>");
}

char *
district_page_hall (const json_t *h, const char *district_name)
{
    district_buf_t b = {0};
    s_head (&b, proto_str (h, "name"), s_paper_css, 10);
    district_buf_printf (&b, "<p class=\"noprint\"><a href=\"/district\">← 返回");
    district_buf_html (&b, district_name);
    district_buf_printf (&b, "一张屏</a></p><h1>");
    district_buf_html (&b, proto_str (h, "name"));
    district_buf_printf (&b, " <small class=\"muted\">%s</small></h1>",
                         s_kind_label (proto_str (h, "kind")));
    if (json_is_true (json_object_get (h, "online")))
        district_buf_printf (&b, "<p class=\"ok\">● 在线</p>");
    else {
        district_buf_printf (&b, "<p class=\"red\">⚠ 连接中断，以下为最后收到的数据 · ");
        s_ago (&b, json_object_get (h, "last_event_age_s"));
        district_buf_printf (&b, "</p>");
    }
    if (*proto_str (h, "problem")) {
        district_buf_printf (&b, "<p class=\"red\">⚠ ");
        district_buf_html (&b, proto_str (h, "problem"));
        district_buf_printf (&b, "</p>");
    }
    district_buf_printf (&b, "<div class=\"box figs\">");
    s_fig (&b, "等候人数", s_int, json_object_get (h, "waiting"), "");
    s_fig (&b, "最长已等（分钟）", s_minutes, json_object_get (h, "longest_wait_s"), "");
    s_fig (&b, "新取号预计（分钟）", s_minutes, json_object_get (h, "est_wait_s"), "");
    s_fig (&b, "开放窗口", s_int, json_object_get (h, "open_counters"), "");
    district_buf_printf (&b, "</div>");
    s_services (&b, json_object_get (h, "services"));
    s_counters (&b, json_object_get (h, "counters"));
    s_today (&b, json_object_get (h, "report"));
    district_buf_printf (&b, "<h2>今日七项服务指数</h2><div class=\"box\">");
    if (json_is_object (json_object_get (h, "index_detail")))
        s_bars (&b, json_object_get (h, "index_detail"), 520);
    else
        district_buf_printf (&b, "<span class=\"muted\">暂无（指数尚未计算）</span>");
    district_buf_printf (&b, "</div>");
    s_history (&b, json_object_get (h, "history"));
    district_buf_printf (&b, "</body></html>\n");
    return district_buf_take (&b);
}

//  ---------------------------------------------------------------------------------------
//  The report

//  The period's title: "2026年12月6日" or "2026年12月".
static void
s_period (district_buf_t *b, const json_t *report)
{
    if (json_object_get (report, "day"))
        s_date (b, proto_int (report, "day"));
    else
        district_buf_printf (b, "%lld年%lld月", (long long)(proto_int (report, "month") / 100),
                             (long long)(proto_int (report, "month") % 100));
}

static void
s_ranking (district_buf_t *b, const json_t *report)
{
    district_buf_printf (b, "<h2>排名</h2><div class=\"box\"><table><tr><th>排名</th><th>大厅</th>"
                            "<th>类型</th><th>等级</th>");
    for (const char *const *l = district_index_labels; *l; l++)
        district_buf_printf (b, "<th>%s</th>", *l);
    district_buf_printf (b, "<th>取号</th><th>办结</th><th>平均等候</th><th>超时率</th>"
                            "<th>评价率</th><th>好评率</th></tr>");
    size_t i;
    json_t *h;
    json_array_foreach (json_object_get (report, "halls"), i, h) {
        const json_t *index = json_object_get (h, "index");
        const json_t *kpis = json_object_get (json_object_get (h, "report"), "kpis");
        const json_t *t = json_object_get (kpis, "tickets");
        const json_t *r = json_object_get (kpis, "ratings");
        district_buf_printf (b, "<tr><td class=\"num\">");
        s_int (b, json_object_get (h, "rank"));
        district_buf_printf (b, "</td><td>");
        district_buf_html (b, proto_str (h, "name"));
        if (!proto_int (h, "days"))
            district_buf_printf (b, " <small class=\"muted\">（本期无数据）</small>");
        district_buf_printf (b, "</td><td>%s</td><td>", s_kind_label (proto_str (h, "kind")));
        district_buf_html (b, *proto_str (index, "grade") ? proto_str (index, "grade") : "—");
        district_buf_printf (b, "</td>");
        for (const char *const *k = district_index_keys; *k; k++) {
            district_buf_printf (b, "<td class=\"num\">");
            s_score (b, json_object_get (index, *k));
            district_buf_printf (b, "</td>");
        }
        district_buf_printf (b, "<td class=\"num\">");
        s_int (b, json_object_get (t, "issued"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_int (b, json_object_get (t, "served"));
        district_buf_printf (b, "</td><td>");
        const json_t *avg = json_object_get (t, "avg_wait_ms");
        json_t *avg_s =
            json_is_integer (avg) ? json_integer (json_integer_value (avg) / 1000) : json_null ();
        s_wait (b, avg_s);
        json_decref (avg_s);
        district_buf_printf (b, "</td><td class=\"num\">");
        s_pct (b, json_object_get (t, "over_wait_rate"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_pct (b, json_object_get (r, "rating_rate"));
        district_buf_printf (b, "</td><td class=\"num\">");
        s_pct (b, json_object_get (r, "good_rate"));
        district_buf_printf (b, "</td></tr>");
    }
    district_buf_printf (b, "</table></div>");
}

char *
district_page_report (const json_t *report)
{
    district_buf_t b = {0};
    const json_t *d = json_object_get (report, "district");
    bool month = json_object_get (report, "month") != NULL;
    s_head (&b, "政务服务评估报告", s_paper_css, 0);
    district_buf_printf (&b, "<p class=\"noprint\"><a href=\"/district\">← 返回一张屏</a></p><h1>");
    district_buf_html (&b, proto_str (d, "name"));
    district_buf_printf (&b, " 政务服务%s · ", month ? "月报" : "日报");
    s_period (&b, report);
    district_buf_printf (&b, "</h1><form class=\"noprint\" action=\"/district/report\">"
                             "<label>日报 <input type=\"date\" name=\"day\"></label> "
                             "<button>查看</button></form><form class=\"noprint\" "
                             "action=\"/district/report\"><label>月报 <input type=\"month\" "
                             "name=\"month\"></label> <button>查看</button></form>"
                             "<p class=\"noprint\"><a href=\"/district/report.csv?");
    if (month)
        district_buf_printf (&b, "month=%04lld-%02lld",
                             (long long)(proto_int (report, "month") / 100),
                             (long long)(proto_int (report, "month") % 100));
    else
        district_buf_printf (&b, "day=%04lld-%02lld-%02lld",
                             (long long)(proto_int (report, "day") / 10000),
                             (long long)(proto_int (report, "day") / 100 % 100),
                             (long long)(proto_int (report, "day") % 100));
    district_buf_printf (&b,
                         "\">下载表格（CSV）</a> · <a href=\"javascript:print()\">打印</a></p>");
    if (!proto_int (report, "ranked"))
        district_buf_printf (&b, "<p class=\"muted\">本期各大厅的服务指数尚未计算，暂不排名；"
                                 "下表按配置顺序列出各大厅的数据。</p>");
    s_ranking (&b, report);
    district_buf_printf (&b, "<h2>各大厅七项指数</h2><div class=\"charts\">");
    size_t i;
    json_t *h;
    int charts = 0;
    json_array_foreach (json_object_get (report, "halls"), i, h) {
        if (!json_is_object (json_object_get (h, "index")))
            continue;
        district_buf_printf (&b, "<div class=\"chart\"><h3>");
        district_buf_html (&b, proto_str (h, "name"));
        district_buf_printf (&b, "</h3>");
        s_bars (&b, json_object_get (h, "index"), 360);
        district_buf_printf (&b, "</div>");
        charts++;
    }
    if (!charts)
        district_buf_printf (&b, "<span class=\"muted\">暂无指数数据</span>");
    district_buf_printf (&b, "</div></body></html>\n");
    return district_buf_take (&b);
}
