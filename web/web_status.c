/*  web_status.c — see web_status.h. */
#include "web_status.h"

#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "proto_token.h"
#include "web_assets.h"
#include "web_html.h"

static const char *
s_ticket_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"waiting", "排队中 <span class=\"en\">Waiting</span>"},
        {"called", "已叫号，请到窗口 <span class=\"en\">Called: please go to the counter</span>"},
        {"serving", "办理中 <span class=\"en\">Being served</span>"},
        {"parked", "暂停办理，请在附近等候 <span class=\"en\">On hold: please stay nearby</span>"},
        {"done", "本次服务已结束 <span class=\"en\">Visit finished</span>"},
        {"missed", "已过号 <span class=\"en\">Missed</span>"},
        {"cancelled", "已取消 <span class=\"en\">Cancelled</span>"},
        {"expired", "已失效 <span class=\"en\">Expired</span>"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return NULL;
}

static const char *
s_case_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"supplement_pending", "待补正 <span class=\"en\">Waiting for material</span>"},
        {"accepted", "已受理 <span class=\"en\">Accepted</span>"},
        {"in_review", "审核中 <span class=\"en\">In review</span>"},
        {"special_procedure", "特别程序 <span class=\"en\">Special procedure</span>"},
        {"awaiting_pickup", "待领取 <span class=\"en\">Ready for pickup</span>"},
        {"ready_for_pickup", "已入柜待取 <span class=\"en\">In the cabinet</span>"},
        {"approved", "准予 <span class=\"en\">Approved</span>"},
        {"denied", "不予许可 <span class=\"en\">Denied</span>"},
        {"collected", "已领取 <span class=\"en\">Collected</span>"},
        {"not_accepted", "不予受理 <span class=\"en\">Not accepted</span>"},
        {"withdrawn", "已撤回 <span class=\"en\">Withdrawn</span>"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return NULL;
}

static const char *s_level_zh[] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};
static const char *s_level_en[] = {"",           "Very dissatisfied", "Dissatisfied",
                                   "Acceptable", "Satisfied",         "Very satisfied"};

//  A canonical token from the path segment `arg` (case-insensitive), or -1.
static int
s_token (const char *arg, char *out)
{
    if (strlen (arg) != PROTO_TOKEN_LEN)
        return -1;
    for (int i = 0; i < PROTO_TOKEN_LEN; i++) {
        char ch = arg[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7')))
            return -1;
        out[i] = ch;
    }
    out[PROTO_TOKEN_LEN] = 0;
    return proto_token_valid (out) ? 0 : -1;
}

//  ticket.status for the request's token (canonical into `token`), through the workers
//  (web_req_call). PROTO_ERR_OK with *reply (caller owns), WEB_WAIT (the handler returns
//  MHD_YES and runs again with the answer), or the error: PROTO_ERR_BAD_FIELD for a
//  malformed token, PROTO_CLIENT_UNREACHABLE when the broker does not answer.
static int
s_lookup (web_req_t *req, char *token, json_t **reply)
{
    *reply = NULL;
    if (s_token (web_req_arg (req), token) != 0)
        return PROTO_ERR_BAD_FIELD;
    json_t *body = json_pack ("{s:s}", "token", token);
    int rc = web_req_call (req, "ticket.status", body, NULL, reply);
    if (rc != PROTO_ERR_OK) {
        json_decref (*reply);
        *reply = NULL;
    }
    return rc;
}

//  A lookup that failed with `rc`: still waiting (MHD_YES), or the error page.
static enum MHD_Result
s_failed (web_req_t *req, int rc)
{
    if (rc == WEB_WAIT)
        return MHD_YES;
    return web_send_broker_error (req, rc, web_req_message (req));
}

//  The members `keys` of `from` that it has, into a new object.
static json_t *
s_pick (const json_t *from, const char *const *keys, size_t n)
{
    json_t *out = json_object ();
    for (size_t i = 0; i < n; i++)
        if (json_object_get (from, keys[i]))
            json_object_set (out, keys[i], json_object_get (from, keys[i]));
    return out;
}

//  Only these fields of a ticket and a case reach the citizen's page and /api/status; of a
//  result in a cabinet, where it is and its pickup code (the token's holder may see it).
static json_t *
s_public (const json_t *r)
{
    static const char *const ticket_keys[] = {
        "number",      "service",  "service_name",  "service_name_en", "state", "issued",
        "called",      "finished", "counter",       "counter_name",    "ahead", "est_wait_s",
        "grace_until", "recalls",  "est_wait_lo_s", "est_wait_hi_s",
    };
    static const char *const case_keys[] = {
        "case_no",   "item",      "item_name", "state",       "kind",
        "received",  "accepted",  "deadline",  "provisional", "clock",
        "next_step", "concluded", "collected", "missing",     "recovered",
    };
    static const char *const pickup_keys[] = {
        "cabinet_name", "cabinet_name_en", "slot", "factor", "code", "deposited",
    };
    json_t *ticket = s_pick (json_object_get (r, "ticket"), ticket_keys,
                             sizeof ticket_keys / sizeof ticket_keys[0]);
    json_t *cases = json_array ();
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (r, "cases"), i, c) {
        json_t *one = s_pick (c, case_keys, sizeof case_keys / sizeof case_keys[0]);
        const json_t *p = json_object_get (c, "pickup");
        if (json_is_object (p))
            json_object_set_new (
                one, "pickup", s_pick (p, pickup_keys, sizeof pickup_keys / sizeof pickup_keys[0]));
        json_array_append_new (cases, one);
    }
    return json_pack ("{s:s, s:o, s:o}", "hall", proto_str (r, "hall"), "ticket", ticket, "cases",
                      cases);
}

//  What a page is drawn for: the token, 关怀模式 (large type, fewer words), the door.
typedef struct {
    web_t *w;
    const char *token;
    bool care;
    bool pub; //  served by the public door: no event stream
} s_page_t;

//  The ticket: number, service, state, and what to do now.
static void
s_ticket_card (FILE *f, const s_page_t *pg, const json_t *view)
{
    const json_t *t = json_object_get (view, "ticket");
    const char *state = proto_str (t, "state");
    fputs ("<section class=\"ticket-card\"><p class=\"hall\">", f);
    web_escape (f, proto_str (view, "hall"));
    fputs ("</p><p class=\"num\" id=\"number\">", f);
    web_escape (f, proto_str (t, "number"));
    fputs ("</p><p>", f);
    web_escape (f, proto_str (t, "service_name"));
    fputs (" <span class=\"en\">", f);
    web_escape (f, proto_str (t, "service_name_en"));
    fputs ("</span></p><p class=\"state\" id=\"ticket-state\">", f);
    web_html_state (f, s_ticket_state_text (state));
    fputs ("</p>\n", f);
    if (strcmp (state, "waiting") == 0) {
        char wait[96];
        proto_format_wait_range (t, wait, sizeof wait);
        json_int_t ahead = proto_int (t, "ahead");
        fprintf (f,
                 "<p class=\"ahead\">您前面还有 <b>%lld</b> 人等候<span class=\"en\">%lld "
                 "ahead of you</span></p><p>预计等候",
                 (long long)ahead, (long long)ahead);
        web_html_bilingual (f, wait);
        fputs ("</p>\n", f);
    } else if (strcmp (state, "called") == 0 || strcmp (state, "serving") == 0) {
        fputs ("<p class=\"go\">请到 <b>", f);
        web_escape (f, proto_str (t, "counter_name"));
        fprintf (f, "</b> 办理 <span class=\"en\">Please go to counter %lld</span></p>\n",
                 (long long)proto_int (t, "counter"));
    } else if (json_is_integer (json_object_get (t, "grace_until"))) {
        char until[32];
        proto_format_time (proto_int (t, "grace_until"), web_utc_offset (pg->w), until,
                           sizeof until);
        fputs ("<p>请在 ", f);
        web_escape (f, until);
        fputs (" 前到取号机重新排队 <span class=\"en\">Rejoin the line at a kiosk before "
               "then</span></p>\n",
               f);
    } else if (strcmp (state, "done") == 0) {
        fputs ("<p><a href=\"/rate/", f);
        web_escape (f, pg->token);
        fputs ("\">评价本次服务 <span class=\"en\">Rate this visit</span></a></p>\n", f);
    }
    fputs ("</section>\n", f);
}

//  The Chinese part of a name the broker kept whole ("一楼自助取件柜 / Self-service ..."):
//  a case deposited before the name was kept in two.
static void
s_zh_name (FILE *f, const char *name)
{
    const char *sep = strstr (name, " / ");
    char *zh = strndup (name, sep ? (size_t)(sep - name) : strlen (name));
    web_escape (f, zh);
    free (zh);
}

//  A result waiting in a cabinet: where, the code to show the cabinet's scanner (the
//  token, as the slip's), the pickup code to type instead, and the second factor.
static void
s_pickup_box (FILE *f, const s_page_t *pg, const json_t *c)
{
    const json_t *p = json_object_get (c, "pickup");
    fputs ("<div class=\"pickup\" id=\"pickup\"><p class=\"where\">已存入<b>", f);
    s_zh_name (f, proto_str (p, "cabinet_name"));
    fputs (" <span class=\"nw\">", f);
    web_escape (f, proto_str (p, "slot"));
    fputs (" 格口</span></b><span class=\"en\">In ", f);
    web_escape (f, *proto_str (p, "cabinet_name_en") ? proto_str (p, "cabinet_name_en")
                                                     : proto_str (p, "cabinet_name"));
    fputs (", slot ", f);
    web_escape (f, proto_str (p, "slot"));
    fputs ("</span></p>\n<p>柜机扫码<span class=\"en\">Show this code to the cabinet's "
           "scanner</span></p>\n",
           f);
    web_html_qr (f, pg->token);
    const char *code = proto_str (p, "code");
    if (strlen (code) == 8)
        fprintf (f,
                 "<p>或输入取件码<span class=\"en\">or type the pickup code</span></p>"
                 "<p class=\"code\" id=\"pickup-code\">%.4s<span></span>%.4s</p>\n",
                 code, code + 4);
    if (proto_is (p, "factor", "id_last4"))
        fputs ("<p class=\"factor\">再输入申请人身份证号后四位<span class=\"en\">then the last "
               "4 characters of the applicant's ID number</span></p>\n",
               f);
    if (!pg->care)
        fputs ("<p class=\"keep\">取件码请勿告诉他人；他人代领须经您授权。<span class=\"en\">Keep "
               "the code to yourself; someone collecting for you needs your "
               "authorisation.</span></p>\n",
               f);
    fputs ("</div>\n", f);
}

//  What to do next for a case, from the page's own Chinese (and English) words where the
//  broker's sentence would paste a bilingual name into Chinese, else the broker's.
static void
s_next_step (FILE *f, const s_page_t *pg, const json_t *c)
{
    const char *cs = proto_str (c, "state");
    if (strcmp (cs, "collected") == 0 && json_is_integer (json_object_get (c, "collected"))) {
        char when[32];
        proto_format_time (proto_int (c, "collected"), web_utc_offset (pg->w), when, sizeof when);
        fprintf (f, "已于 %.16s 领取 <span class=\"en\">Collected at %.16s</span>", when, when);
    } else if (strcmp (cs, "ready_for_pickup") == 0)
        fputs ("请到智能柜取件，取件方式见上 <span class=\"en\">Collect it at the cabinet, as "
               "shown above</span>",
               f);
    else if (strcmp (cs, "awaiting_pickup") == 0 && json_object_get (c, "recovered"))
        fputs ("已从智能柜转到窗口，请携带身份证件到窗口领取 <span class=\"en\">Moved from the "
               "cabinet to the counter: collect it there with your ID card</span>",
               f);
    else if (strcmp (cs, "awaiting_pickup") == 0)
        fputs ("已办结，请携带身份证件和取号单到窗口领取 <span class=\"en\">Decided: collect the "
               "result at a counter with your ID card and the slip</span>",
               f);
    else
        web_html_bilingual (f, proto_str (c, "next_step"));
}

//  A case: number, item, state, deadline, next step, and how to collect when ready. In
//  关怀模式 the item, the state and the next step only.
static void
s_case (FILE *f, const s_page_t *pg, const json_t *c)
{
    const char *cs = proto_str (c, "state");
    fputs ("<section class=\"case\"><h2>办件 <span class=\"en\">Case</span> ", f);
    web_escape (f, proto_str (c, "case_no"));
    fputs ("</h2>", f);
    if (strcmp (cs, "ready_for_pickup") == 0)
        s_pickup_box (f, pg, c);
    fputs ("<dl><dt>事项 <span class=\"en\">Item</span></dt><dd>", f);
    web_escape (f, proto_str (c, "item_name"));
    fputs ("</dd><dt>状态 <span class=\"en\">State</span></dt><dd class=\"case-state\">", f);
    web_html_state (f, s_case_state_text (cs));
    fputs ("</dd>", f);
    const json_t *d = json_object_get (c, "deadline");
    if (!pg->care) {
        fputs ("<dt>办结期限 <span class=\"en\">Deadline</span></dt><dd>", f);
        if (json_is_integer (d)) {
            char date[16];
            web_html_date (json_integer_value (d), date, sizeof date);
            fputs (date, f);
            if (json_is_true (json_object_get (c, "provisional")))
                fputs (" （暂定 <span class=\"en\">provisional</span>）", f);
        } else if (proto_is (c, "clock", "paused"))
            fputs ("时限暂停 <span class=\"en\">Clock paused</span>", f);
        else
            fputs ("—", f);
        fputs ("</dd>", f);
    }
    fputs ("<dt>下一步 <span class=\"en\">Next step</span></dt><dd class=\"next\">", f);
    s_next_step (f, pg, c);
    fputs ("</dd></dl></section>\n", f);
}

//  The ticket, then its cases; once the visit is over, the cases first (what the citizen
//  comes back to the page for: a decision, a result to collect) and the ticket after them.
static void
s_live (FILE *f, const s_page_t *pg, const json_t *view)
{
    web_html_offline (f, pg->w->connected);
    const json_t *t = json_object_get (view, "ticket");
    bool over = json_array_size (json_object_get (view, "cases")) &&
                !proto_is (t, "state", "waiting") && !proto_is (t, "state", "called") &&
                !proto_is (t, "state", "serving") && !proto_is (t, "state", "parked");
    if (!over)
        s_ticket_card (f, pg, view);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (view, "cases"), i, c)
        s_case (f, pg, c);
    if (over)
        s_ticket_card (f, pg, view);
}

//  The switch to and from 关怀模式: a link, kept by the cookie it sets.
static void
s_care_switch (FILE *f, const char *path, bool care)
{
    fprintf (f, "<p class=\"care-switch\"><a href=\"%s?care=%d\" id=\"care-switch\">%s</a></p>\n",
             path, care ? 0 : 1,
             care ? "标准模式" : "关怀模式 · 大字 <span class=\"en\">Large type</span>");
}

static void
s_page (FILE *f, const s_page_t *pg, const json_t *view)
{
    //  The public door has no event stream (web_http.h): there the page asks every 20 s.
    if (pg->pub)
        web_page_begin (f, "排队进度 Your ticket", pg->care ? "citizen care" : "citizen", NULL,
                        NULL);
    else
        web_html_live_begin (f, "排队进度 Your ticket", pg->care ? "citizen care" : "citizen");
    char path[64];
    snprintf (path, sizeof path, "/t/%s", pg->token);
    s_care_switch (f, path, pg->care);
    //  Refreshed on events of its own ticket or service only (the page asks the broker).
    fprintf (f,
             "<main id=\"live\" data-part=\"%s?part=live%s\" data-on=\"ticket. case. "
             "rating. hall. mirror.\" data-service=\"",
             path, pg->care ? "&amp;care=1" : "");
    web_escape (f, proto_str (json_object_get (view, "ticket"), "service"));
    fprintf (f, "\" data-every=\"%d\" data-delay=\"1000\">\n", pg->pub ? 20 : 60);
    s_live (f, pg, view);
    fputs ("</main>\n", f);
    web_page_end (f, 1);
}

enum MHD_Result
web_status_get (web_t *web, web_req_t *req)
{
    char token[PROTO_TOKEN_LEN + 1];
    json_t *r;
    int rc = s_lookup (req, token, &r);
    if (rc != PROTO_ERR_OK)
        return s_failed (req, rc);
    json_t *view = s_public (r);
    json_decref (r);
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f) {
        json_decref (view);
        return MHD_NO;
    }
    s_page_t pg = {web, token, web_req_care (req), web_req_public (req)};
    if (web_req_part (req))
        s_live (f, &pg, view);
    else
        s_page (f, &pg, view);
    json_decref (view);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

enum MHD_Result
web_status_api (web_t *web, web_req_t *req)
{
    (void)web;
    char token[PROTO_TOKEN_LEN + 1];
    json_t *r;
    int rc = s_lookup (req, token, &r);
    if (rc != PROTO_ERR_OK)
        return s_failed (req, rc);
    json_t *view = s_public (r);
    json_decref (r);
    enum MHD_Result sent = web_send_json (req, MHD_HTTP_OK, view);
    json_decref (view);
    return sent;
}

//  What went wrong, for a bad rating (1 or 2): the pad offers these, one to choose, and
//  puts the chosen one before the comment as "【等候时间长】" (ticket.rate has no field of
//  its own for it).
static const struct {
    const char *code, *zh, *en;
} s_reasons[] = {
    {"wait", "等候时间长", "Long wait"},
    {"attitude", "态度不好", "Unfriendly staff"},
    {"unclear", "材料要求不清楚", "Unclear documents"},
    {"trips", "多次跑腿", "Had to come back again"},
    {"other", "其他", "Something else"},
};
#define NREASONS (sizeof s_reasons / sizeof s_reasons[0])
//  The comment box's room in characters: after the longest reason, three bytes a
//  character still fit ticket.rate's comment (at most RATE_COMMENT_MAX bytes).
#define COMMENT_CHARS    160
#define RATE_COMMENT_MAX 511

//  The index of reason `code` in s_reasons, or -1.
static int
s_reason (const char *code)
{
    for (size_t i = 0; i < NREASONS; i++)
        if (strcmp (s_reasons[i].code, code) == 0)
            return (int)i;
    return -1;
}

//  A level 1..5 from a form or query value, or 0.
static long
s_level (const char *text)
{
    char *end;
    long level = text && *text ? strtol (text, &end, 10) : 0;
    return text && *text && !*end && level >= 1 && level <= 5 ? level : 0;
}

//  Step 1: the five levels, large, each a plain GET of step 2 (no JavaScript needed;
//  nothing is recorded yet, so a slip of the finger costs nothing).
static void
s_pad_levels (FILE *f, const char *token)
{
    fputs ("<p class=\"step\">第 1 步：请选择满意程度 <span class=\"en\">Step 1: how satisfied "
           "are you?</span></p>\n",
           f);
    fprintf (f, "<form method=\"get\" action=\"/rate/%s\" class=\"levels\" id=\"levels\">\n",
             token);
    for (int l = 5; l >= 1; l--)
        fprintf (f,
                 "<button type=\"submit\" name=\"level\" value=\"%d\" class=\"l%d\">%s<span "
                 "class=\"en\">%s</span></button>\n",
                 l, l, s_level_zh[l], s_level_en[l]);
    fputs ("</form>\n", f);
}

//  Step 2: the level chosen (and a way back), for 1-2 what went wrong, a comment, and the
//  one button that records it.
static void
s_pad_details (FILE *f, const char *token, long level)
{
    char rid[33];
    proto_request_id_new (rid);
    bool bad = level <= 2;
    fprintf (f,
             "<p class=\"chosen l%ld\" id=\"chosen\">您的评价：<b>%s</b> <a href=\"/rate/%s\">"
             "重新选择</a><span class=\"en\">Your rating: %s (<a href=\"/rate/%s\">change</a>)"
             "</span></p>\n",
             level, s_level_zh[level], token, s_level_en[level], token);
    fprintf (f,
             "<form method=\"post\" action=\"/rate/%s\" class=\"rate-form\" id=\"details\">"
             "<input type=\"hidden\" name=\"rid\" value=\"%s\"><input type=\"hidden\" "
             "name=\"level\" value=\"%ld\">\n",
             token, rid, level);
    if (bad) {
        fputs ("<fieldset class=\"reasons\" id=\"reasons\"><legend>请选择主要原因 <span "
               "class=\"en\">What went wrong?</span></legend>\n",
               f);
        for (size_t i = 0; i < NREASONS; i++)
            fprintf (f,
                     "<label><input type=\"radio\" name=\"reason\" value=\"%s\" required>"
                     "<span>%s <span class=\"en\">%s</span></span></label>\n",
                     s_reasons[i].code, s_reasons[i].zh, s_reasons[i].en);
        fputs ("</fieldset>\n", f);
    }
    fprintf (f,
             "<label class=\"comment\">%s <span class=\"en\">%s</span><textarea "
             "name=\"comment\" maxlength=\"%d\" rows=\"3\"></textarea></label>\n",
             bad ? "补充说明（可选）" : "意见或建议（可选）",
             bad ? "Tell us more (optional)" : "A comment (optional)", COMMENT_CHARS);
    fputs ("<button type=\"submit\" class=\"btn\" id=\"submit\">提交评价 <span "
           "class=\"en\">Submit</span></button></form>\n",
           f);
}

//  The pad (step 1, or step 2 for `level` > 0), or a note while the visit is not finished.
//  (ticket.status does not say whether it was rated: a second rating is refused on posting.)
static void
s_pad (FILE *f, const char *token, const json_t *r, long level)
{
    const json_t *t = json_object_get (r, "ticket");
    web_page_begin (f, "服务评价 Rate your visit", "citizen", NULL, NULL);
    fputs ("<main><section class=\"ticket-card rate\"><p>", f);
    web_escape (f, proto_str (r, "hall"));
    fputs ("</p><p class=\"num\">", f);
    web_escape (f, proto_str (t, "number"));
    fputs ("</p><p>", f);
    web_escape (f, proto_str (t, "service_name"));
    fputs ("</p>\n", f);
    if (!proto_is (t, "state", "done") || !level) //  step 2 says the level chosen instead
        fputs ("<h1>请对本次服务进行评价 <span class=\"en\">How was your visit?</span></h1>\n", f);
    if (!proto_is (t, "state", "done")) {
        fputs ("<p>办理结束后即可评价 <span class=\"en\">You can rate once your visit is "
               "finished.</span></p><p><a href=\"/rate/",
               f);
        web_escape (f, token);
        fputs ("\">刷新 <span class=\"en\">Reload</span></a></p>\n", f);
    } else if (level)
        s_pad_details (f, token, level);
    else
        s_pad_levels (f, token);
    fputs ("</section></main>\n", f);
    web_page_end (f, 0);
}

enum MHD_Result
web_rate_get (web_t *web, web_req_t *req)
{
    (void)web;
    char token[PROTO_TOKEN_LEN + 1];
    json_t *r;
    int rc = s_lookup (req, token, &r);
    if (rc != PROTO_ERR_OK)
        return s_failed (req, rc);
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f) {
        json_decref (r);
        return MHD_NO;
    }
    s_pad (f, token, r, s_level (web_req_query (req, "level")));
    json_decref (r);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

//  Thanks, and for a bad rating the follow-up with its deadline.
static void
s_thanks (FILE *f, long level, const json_t *r)
{
    web_page_begin (f, "感谢评价 Thank you", "citizen", NULL, NULL);
    fprintf (f,
             "<main><section class=\"ticket-card\" id=\"thanks\"><h1>感谢您的评价 <span "
             "class=\"en\">Thank you</span></h1><p>%s <span class=\"en\">%s</span></p>\n",
             s_level_zh[level], s_level_en[level]);
    //  The broker's own words for the rater (ticket.rate `message`): no item numbers, no
    //  internal states, no raw dates.
    const char *msg = proto_str (r, "message"), *msg_en = proto_str (r, "message_en");
    if (*msg) {
        fputs ("<p class=\"", f);
        fputs (json_is_object (json_object_get (r, "rectification")) ? "bad" : "good", f);
        fputs ("\" id=\"follow-up\">", f);
        web_escape (f, msg);
        if (*msg_en) {
            fputs (" <span class=\"en\">", f);
            web_escape (f, msg_en);
            fputs ("</span>", f);
        }
        fputs ("</p>\n", f);
    }
    fputs ("</section></main>\n", f);
    web_page_end (f, 0);
}

enum MHD_Result
web_rate_post (web_t *web, web_req_t *req)
{
    (void)web;
    char token[PROTO_TOKEN_LEN + 1];
    if (s_token (web_req_arg (req), token) != 0)
        return s_failed (req, PROTO_ERR_BAD_FIELD);
    long level = s_level (web_req_form (req, "level"));
    if (!level)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请选择评价等级",
                               "Choose one of the five levels.");
    const char *code = web_req_form (req, "reason"), *comment = web_req_form (req, "comment");
    int reason = *code ? s_reason (code) : -1;
    if ((*code && reason < 0) || (level <= 2 && reason < 0 && !*comment))
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请选择不满意的原因",
                               "Choose what went wrong, or say it in the comment.");
    char text[RATE_COMMENT_MAX + 2];
    int len = snprintf (text, sizeof text, "%s%s%s%s", reason >= 0 ? "【" : "",
                        reason >= 0 ? s_reasons[reason].zh : "", reason >= 0 ? "】" : "", comment);
    if (len > RATE_COMMENT_MAX)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "意见请不超过 160 字",
                               "Please keep the comment to 160 characters.");
    json_t *body = json_pack ("{s:s, s:i}", "token", token, "level", (int)level);
    if (*text)
        json_object_set_new (body, "comment", json_string (text));
    char rid[48];
    web_req_request_id (req, rid, sizeof rid);
    json_t *r = NULL;
    int rc = web_req_call (req, "ticket.rate", body, rid, &r);
    if (rc == WEB_WAIT)
        return MHD_YES;
    if (rc != PROTO_ERR_OK)
        json_decref (r);
    if (rc == PROTO_ERR_WRONG_STATE || rc == PROTO_ERR_REQUEST_ID_REUSED)
        return web_send_error (req, MHD_HTTP_CONFLICT, "这次服务已评价，或尚未办结",
                               "This visit was rated already, or is not finished yet.");
    if (rc != PROTO_ERR_OK)
        return s_failed (req, rc);
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f) {
        json_decref (r);
        return MHD_NO;
    }
    s_thanks (f, level, r);
    json_decref (r);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}
