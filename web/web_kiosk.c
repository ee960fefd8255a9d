/*  web_kiosk.c — see web_kiosk.h. */
#include "web_kiosk.h"

#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "web_assets.h"
#include "web_html.h"

//  The priorities a citizen may choose at the kiosk (ticket.issue's `priority`; an
//  appointment's comes from check-in only), with what the page says of each.
static const struct {
    const char *priority, *name, *en, *who;
} s_priorities[] = {
    {"normal", "普通取号", "Standard", NULL},
    {"elderly", "老年人优先", "Senior citizens", "65 岁及以上老年人，请在窗口出示身份证"},
    {"green", "绿色通道", "Green channel", "残疾人、孕妇、重点企业等，工作人员将在窗口核实"},
};
#define NPRIORITIES (sizeof s_priorities / sizeof s_priorities[0])

//  The index of `priority` in s_priorities; 0 (normal) for NULL or an unknown one.
static size_t
s_priority (const char *priority)
{
    for (size_t i = 0; priority && i < NPRIORITIES; i++)
        if (strcmp (s_priorities[i].priority, priority) == 0)
            return i;
    return 0;
}

//  The service summary for `prefix` from the mirror, or NULL.
static const json_t *
s_service (web_t *w, const char *prefix)
{
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (proto_mirror_state (w->mirror), "services"), i, s) {
        if (proto_is (s, "prefix", prefix))
            return s;
    }
    return NULL;
}

//  True if the mirror knows the service and no counter is open for it now.
static bool
s_no_counter (web_t *w, const char *prefix)
{
    const json_t *live = s_service (w, prefix);
    return live && proto_int (live, "open_counters") == 0;
}

//  One service's button: a form of its own with a new request id and the priority chosen.
static void
s_button (FILE *f, web_t *w, const json_t *s, size_t prio)
{
    char rid[33];
    proto_request_id_new (rid);
    const json_t *live = s_service (w, proto_str (s, "prefix"));
    bool closed = s_no_counter (w, proto_str (s, "prefix"));
    fputs ("<form method=\"post\" action=\"/kiosk\"><input type=\"hidden\" name=\"service\" "
           "value=\"",
           f);
    web_escape (f, proto_str (s, "prefix"));
    fprintf (f,
             "\"><input type=\"hidden\" name=\"rid\" value=\"%s\"><input type=\"hidden\" "
             "name=\"priority\" value=\"%s\"><button type=\"submit\" class=\"svc%s\">",
             rid, s_priorities[prio].priority, closed ? " closed" : "");
    web_escape (f, proto_str (s, "name"));
    fputs ("<span>", f);
    web_escape (f, proto_str (s, "name_en"));
    fputs ("</span>", f);
    if (closed)
        fprintf (f, "<small>暂无窗口办理 · 等候 %lld 人</small>",
                 (long long)proto_int (live, "waiting"));
    else if (live) {
        char wait[96];
        proto_format_wait (json_object_get (live, "est_wait_s"), wait, sizeof wait);
        fprintf (f, "<small>等候 %lld 人 · ", (long long)proto_int (live, "waiting"));
        char *sep = strstr (wait, " / ");
        if (sep)
            *sep = 0; //  the Chinese half: the English name above is the second line
        web_escape (f, wait);
        fputs ("</small>", f);
    }
    fputs ("</button></form>\n", f);
}

static void
s_buttons_for (FILE *f, web_t *w, size_t prio)
{
    const json_t *services = json_object_get (proto_mirror_info (w->mirror), "services");
    web_html_offline (f, w->connected);
    if (!json_array_size (services)) {
        fputs ("<p class=\"slip\">系统连接中，请稍候<span class=\"en\">Connecting to the hall "
               "server, please wait</span></p>\n",
               f);
        return;
    }
    fputs ("<div class=\"services\">\n", f);
    size_t i;
    json_t *s;
    json_array_foreach (services, i, s)
        s_button (f, w, s, prio);
    fputs ("</div>\n", f);
}

//  The choice of priority: a link each, the chosen one marked (a touch screen needs no
//  script for it), and who the chosen one is for.
static void
s_priority_bar (FILE *f, size_t prio)
{
    fputs ("<nav class=\"prio\" id=\"priority\">", f);
    for (size_t i = 0; i < NPRIORITIES; i++)
        fprintf (f, "<a href=\"/kiosk%s%s\"%s>%s%s<span class=\"en\">%s</span></a>",
                 i ? "?priority=" : "", i ? s_priorities[i].priority : "",
                 i == prio ? " class=\"on\" aria-current=\"true\"" : "", i == prio ? "✓ " : "",
                 s_priorities[i].name, s_priorities[i].en);
    fputs ("<a href=\"/kiosk/checkin\" class=\"checkin\">预约签到<span class=\"en\">Booked? "
           "Check in</span></a></nav>\n",
           f);
    if (s_priorities[prio].who)
        fprintf (f, "<p class=\"prio-note\">已选择%s：%s</p>\n", s_priorities[prio].name,
                 s_priorities[prio].who);
}

static void
s_header (FILE *f, web_t *w, const char *zh, const char *en)
{
    fputs ("<header><h1>", f);
    web_escape (f, web_hall_name (w));
    fprintf (f, " · %s<span class=\"en\">%s</span></h1></header>\n", zh, en);
}

typedef struct {
    web_t *w;
    size_t prio;
    bool care; //  关怀模式: large type, high contrast, one column, no English
} s_ctx_t;

//  The page's class: the kiosk's style, in 关怀模式 or not.
static const char *
s_class (bool care)
{
    return care ? "kiosk care" : "kiosk";
}

//  The header with the switch to and from 关怀模式 (kept by the cookie it sets).
static void
s_care_header (FILE *f, const s_ctx_t *c)
{
    fputs ("<header><a class=\"care-k\" id=\"care-switch\" href=\"/kiosk?care=", f);
    fprintf (f, "%d%s%s\">%s</a><h1>", c->care ? 0 : 1, c->prio ? "&amp;priority=" : "",
             c->prio ? s_priorities[c->prio].priority : "", c->care ? "标准模式" : "关怀模式 大字");
    if (!c->care) { //  关怀模式: the instruction alone, in fewer words
        web_escape (f, web_hall_name (c->w));
        fputs (" · ", f);
    }
    fputs ("请选择业务取号<span class=\"en\">Choose a service to take a ticket</span></h1>"
           "</header>\n",
           f);
}

//  The buttons are redrawn when a counter opens, closes or pauses (which marks a service
//  open or not) and every 30 s for the waits, not on each ticket: a button replaced under
//  a finger is a press lost.
static void
s_page (FILE *f, const s_ctx_t *c)
{
    web_html_live_begin (f, "取号 Take a ticket", s_class (c->care));
    s_care_header (f, c);
    s_priority_bar (f, c->prio);
    fprintf (f,
             "<main id=\"live\" data-part=\"/kiosk?part=live%s%s%s\" data-on=\"mirror. counter. "
             "hall.estimates\" "
             "data-delay=\"1000\" data-every=\"30\">\n",
             c->prio ? "&amp;priority=" : "", c->prio ? s_priorities[c->prio].priority : "",
             c->care ? "&amp;care=1" : "");
    s_buttons_for (f, c->w, c->prio);
    fputs ("</main>\n<footer class=\"help\">如需帮助，请咨询服务台工作人员。取号后请留意叫号屏和"
           "语音叫号。<span class=\"en\">Need help? Ask at the service desk. After taking a "
           "number, watch the display board and listen for your call.</span></footer>\n",
           f);
    web_page_end (f, 1);
}

enum MHD_Result
web_kiosk_get (web_t *web, web_req_t *req)
{
    s_ctx_t c = {web, s_priority (web_req_query (req, "priority")), web_req_care (req)};
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    if (web_req_part (req))
        s_buttons_for (f, web, c.prio);
    else
        s_page (f, &c);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

//  What the slip says of the ticket's priority, or NULL for a normal one.
static const char *
s_priority_text (const char *priority)
{
    if (strcmp (priority, "appointment") == 0)
        return "预约优先";
    size_t i = s_priority (priority);
    return i ? s_priorities[i].name : NULL;
}

//  The slip, on screen: number, people ahead, wait, time, QR code; after a check-in whether
//  the booking's priority held.
static void
s_slip (FILE *f, const json_t *r, bool care)
{
    web_page_begin (f, "您的号码 Your ticket", s_class (care),
                    "<meta http-equiv=\"refresh\" content=\"60;url=/kiosk\">\n", NULL);
    char wait[96], when[32];
    proto_format_wait_range (r, wait, sizeof wait);
    proto_format_time (proto_int (r, "issued"), (int)proto_int (r, "utc_offset_min"), when,
                       sizeof when);
    json_int_t ahead = proto_int (r, "ahead");
    fputs ("<main><div class=\"slip\" id=\"slip\"><p>", f);
    web_escape (f, proto_str (r, "hall"));
    fputs ("</p><p>", f);
    web_escape (f, proto_str (r, "service_name"));
    fputs ("<span class=\"en\">", f);
    web_escape (f, proto_str (r, "service_name_en"));
    fputs ("</span></p><p class=\"num\">", f);
    web_escape (f, proto_str (r, "number"));
    fputs ("</p>", f);
    const char *prio = s_priority_text (proto_str (r, "priority"));
    if (prio)
        fprintf (f, "<p class=\"prio-tag\">%s</p>", prio);
    if (json_is_false (json_object_get (r, "in_window")))
        fputs (
            "<p class=\"warn-note\">已不在预约签到时段内，按普通号排队<span class=\"en\">Outside "
            "your booking's check-in window: you queue as a walk-in</span></p>",
            f);
    fprintf (f, "<p>您前面还有 <b>%lld</b> 人等候<span class=\"en\">%lld ahead of you</span></p>",
             (long long)ahead, (long long)ahead);
    if (json_is_integer (json_object_get (r, "est_wait_s"))) {
        fputs ("<p>预计等候", f);
        web_html_bilingual (f, wait);
        fputs ("</p>\n", f);
    } else
        fputs ("<p class=\"warn-note\">暂无窗口办理该业务，窗口开放后按顺序叫号<span "
               "class=\"en\">No counter serves this yet: numbers are called in turn once one "
               "opens</span></p>\n",
               f);
    web_html_qr (f, proto_str (r, "qr"));
    fputs ("<p>扫码查看排队进度<span class=\"en\">Scan to follow your place in line</span></p><p>",
           f);
    web_escape (f, when);
    fputs ("</p><p>", f);
    web_html_bilingual (f, proto_str (r, "notice"));
    fputs ("</p><p><a class=\"btn\" href=\"/kiosk\">完成<span class=\"en\">Done</span></a></p>"
           "</div></main>\n",
           f);
    web_page_end (f, 0);
}

//  Sends the slip of an issuing reply (ticket.issue, appointment.checkin).
static enum MHD_Result
s_send_slip (web_req_t *req, const json_t *r)
{
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    s_slip (f, r, web_req_care (req));
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

//  No counter is open for the service: say so before a ticket is issued, and let the
//  citizen take one anyway (the same request id, so a second press issues one ticket).
static enum MHD_Result
s_warn_no_counter (web_t *w, web_req_t *req, const char *service, size_t prio)
{
    const json_t *live = s_service (w, service);
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    web_page_begin (f, "暂无窗口办理 No counter open", s_class (web_req_care (req)),
                    "<meta http-equiv=\"refresh\" content=\"60;url=/kiosk\">\n", NULL);
    fputs ("<main><div class=\"slip warn\" id=\"no-counter\"><h2>暂无窗口办理该业务</h2><p>", f);
    web_escape (f, proto_str (live, "name"));
    fprintf (f,
             "目前没有开放的窗口，已有 %lld 人等候。取号后须等窗口开放才会叫号，等候时间无法预计。"
             "您也可以咨询服务台工作人员。</p><p class=\"en\">No counter is open for this "
             "service now. Your number will be called only once one opens; the wait cannot be "
             "estimated.</p><form method=\"post\" action=\"/kiosk\"><input type=\"hidden\" "
             "name=\"service\" value=\"",
             (long long)proto_int (live, "waiting"));
    web_escape (f, service);
    //  The press's own id (web_req_request_id's, past its "web-"), or a new one: the
    //  confirmation reuses it, so it issues one ticket however often it is sent.
    char rid[48];
    web_req_request_id (req, rid, sizeof rid);
    fprintf (f,
             "\"><input type=\"hidden\" name=\"rid\" value=\"%s\"><input type=\"hidden\" "
             "name=\"priority\" value=\"%s\"><input type=\"hidden\" name=\"confirm\" "
             "value=\"1\"><p><button type=\"submit\" class=\"btn\" id=\"confirm\">仍要取号"
             "<span class=\"en\">Take a number anyway</span></button> <a class=\"btn quiet\" "
             "href=\"/kiosk\">返回<span class=\"en\">Back</span></a></p></form></div></main>\n",
             rid + 4, s_priorities[prio].priority);
    web_page_end (f, 0);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

//  An issuing command's failure, in words a citizen at the kiosk reads.
static enum MHD_Result
s_issue_error (web_req_t *req, int rc)
{
    if (rc == PROTO_ERR_UNKNOWN_SERVICE)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "没有这项业务",
                               "No such service in this hall.");
    if (rc == PROTO_CLIENT_UNREACHABLE)
        return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法取号，请稍后再试",
                               "Tickets cannot be issued right now; please try again.");
    if (rc == PROTO_ERR_FORBIDDEN)
        return web_send_error (req, MHD_HTTP_FORBIDDEN,
                               "本机暂不能办理，请到自助取号机办理或咨询工作人员",
                               "This page may not do this: please use a ticket kiosk or ask "
                               "staff.");
    return web_send_error (req, MHD_HTTP_BAD_GATEWAY, "服务器未能处理请求，请咨询工作人员",
                           web_req_message (req));
}

enum MHD_Result
web_kiosk_post (web_t *web, web_req_t *req)
{
    const char *service = web_req_form (req, "service");
    if (!*service || strspn (service, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen (service))
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请选择业务", "Choose a service.");
    const char *priority = web_req_form (req, "priority");
    size_t prio = s_priority (priority);
    if (*priority && strcmp (s_priorities[prio].priority, priority) != 0)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请选择取号类别",
                               "Choose standard, senior or green channel.");
    if (strcmp (web_req_form (req, "confirm"), "1") != 0 && s_no_counter (web, service))
        return s_warn_no_counter (web, req, service, prio);
    json_t *body = json_pack ("{s:s}", "service", service);
    if (prio)
        json_object_set_new (body, "priority", json_string (s_priorities[prio].priority));
    char rid[48];
    web_req_request_id (req, rid, sizeof rid);
    json_t *r = NULL;
    int rc = web_req_call (req, "ticket.issue", body, rid, &r);
    if (rc == WEB_WAIT)
        return MHD_YES;
    enum MHD_Result res = rc == PROTO_ERR_OK ? s_send_slip (req, r) : s_issue_error (req, rc);
    json_decref (r);
    return res;
}

//  The check-in page: one field for the booking code, typed or scanned (a scanner types
//  it and presses Enter).
static void
s_checkin_page (FILE *f, web_t *w)
{
    char rid[33];
    proto_request_id_new (rid);
    web_page_begin (f, "预约签到 Check in", "kiosk", NULL, NULL);
    s_header (f, w, "预约签到", "Check in for a booking");
    fprintf (
        f,
        "<main><form class=\"slip checkin\" method=\"post\" action=\"/kiosk/checkin\" "
        "id=\"checkin\"><p><label for=\"code\">请扫描预约二维码，或输入预约码<span "
        "class=\"en\">Scan your booking's QR code or type its code</span></label></p>"
        "<p><input id=\"code\" name=\"code\" autocomplete=\"off\" autocapitalize=\"characters\" "
        "spellcheck=\"false\" autofocus required maxlength=\"200\"></p>"
        "<input type=\"hidden\" name=\"rid\" value=\"%s\"><p><button type=\"submit\" "
        "class=\"btn\">签到取号<span class=\"en\">Check in</span></button> <a "
        "class=\"btn quiet\" href=\"/kiosk\">返回<span class=\"en\">Back</span></a></p>"
        "<p class=\"meta\">按预约时间签到可优先叫号；过早或过晚签到按普通号排队。</p>"
        "</form></main>\n",
        rid);
    web_page_end (f, 0);
}

enum MHD_Result
web_kiosk_checkin_get (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, s_checkin_page);
}

enum MHD_Result
web_kiosk_checkin_post (web_t *web, web_req_t *req)
{
    (void)web;
    const char *code = web_req_form (req, "code");
    if (!*code)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请输入预约码",
                               "Type or scan the booking code.");
    json_t *body = json_pack ("{s:s}", "code", code);
    char rid[48];
    web_req_request_id (req, rid, sizeof rid);
    json_t *r = NULL;
    int rc = web_req_call (req, "appointment.checkin", body, rid, &r);
    if (rc == WEB_WAIT)
        return MHD_YES;
    enum MHD_Result res;
    if (rc == PROTO_ERR_OK)
        res = s_send_slip (req, r);
    else if (rc == PROTO_ERR_UNKNOWN_TICKET || rc == PROTO_ERR_BAD_FIELD)
        res = web_send_error (req, MHD_HTTP_NOT_FOUND, "找不到这个预约，请核对预约码",
                              "No booking has this code.");
    else if (rc == PROTO_ERR_WRONG_STATE)
        res = web_send_error (req, MHD_HTTP_CONFLICT,
                              "该预约不能签到：已签到、已取消，或不是今天的预约",
                              web_req_message (req));
    else
        res = s_issue_error (req, rc);
    json_decref (r);
    return res;
}
