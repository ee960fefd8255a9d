/*  broker_notify.c — see broker_notify.h. */
#include "broker_notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_idcheck.h"
#include "proto_json.h"
#include "proto_token.h"

#define S_TEXT_MAX  2048 //  a message's bytes at most (about 600 Chinese characters)
#define S_LIST_MAX  600  //  bytes of a 补正 list in one message; the rest is cut with 等
#define S_LIST_PAGE 100  //  notice.list: notices per reply by default
#define S_LIST_SCAN 5000 //  ... and records looked at per reply at most
#define S_CASE_NO   48   //  a case number's bytes at most (broker_case.h)

//  ---------------------------------------------------------------------------------------
//  Texts

typedef struct {
    char buf[S_TEXT_MAX];
    size_t len;
} s_text_t;

//  The length of the longest prefix of `s` (longer than max) that fits `max` bytes and
//  ends on a character boundary, so a cut text stays valid UTF-8.
static size_t
s_fit (const char *s, size_t max)
{
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void s_add (s_text_t *t, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

//  Appends to the message; what does not fit is cut at a character boundary.
static void
s_add (s_text_t *t, const char *fmt, ...)
{
    char *piece = NULL;
    va_list ap;
    va_start (ap, fmt);
    int n = vasprintf (&piece, fmt, ap);
    va_end (ap);
    if (n > 0) {
        size_t room = sizeof t->buf - 1 - t->len;
        size_t k = (size_t)n <= room ? (size_t)n : s_fit (piece, room);
        memcpy (t->buf + t->len, piece, k);
        t->len += k;
        t->buf[t->len] = 0;
    }
    free (n >= 0 ? piece : NULL);
}

//  The Chinese part of a text written "中文 / English" (all of it if it has no " / "),
//  into out: the applicant is written to in Chinese only.
static const char *
s_zh (const char *text, char *out, size_t size)
{
    const char *slash = strstr (text, " / ");
    size_t n = slash ? (size_t)(slash - text) : strlen (text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    if (n >= size)
        n = s_fit (text, size - 1);
    memcpy (out, text, n);
    out[n] = 0;
    return out;
}

//  A date yyyymmdd as 2026年3月16日.
static const char *
s_date (long long day, char *out, size_t size)
{
    snprintf (out, size, "%lld年%lld月%lld日", day / 10000, day / 100 % 100, day % 100);
    return out;
}

//  "【hall】您的ITEM申请（CASE_NO）": the start of every message.
static void
s_begin (s_text_t *t, broker_ctx_t *ctx, const json_t *c, const char *what)
{
    char hall[256], item[256];
    s_add (t, "【%s】您的%s%s（%s）", s_zh (ctx->config->hall_name, hall, sizeof hall),
           s_zh (proto_str (c, "item_name"), item, sizeof item), what, proto_str (c, "case_no"));
}

static void
s_received (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    char d[32];
    s_begin (t, ctx, c, "申请材料");
    s_add (t, "已收到，我们将于%s前告知您是否受理或需要补正的全部内容。",
           s_date (proto_int (c, "notice_due"), d, sizeof d));
}

static void
s_accepted (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    char d1[32], d2[32];
    s_begin (t, ctx, c, "申请");
    if (json_is_true (json_object_get (c, "deemed_accepted")))
        s_add (t, "未在法定期限内获得补正告知，依法自收到申请材料之日（%s）起视为受理，",
               s_date (proto_int (c, "accepted_day"), d1, sizeof d1));
    else
        s_add (t, "已受理，");
    s_add (t, "承诺于%s前办结%s。", s_date (proto_int (c, "promised_deadline"), d2, sizeof d2),
           json_is_true (json_object_get (c, "provisional")) ? "（按暂定节假日计算）" : "");
}

static void
s_supplement (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    char list[S_LIST_MAX + 8] = "", item[256], d[32];
    size_t len = 0, i;
    json_t *m;
    json_array_foreach (json_object_get (c, "missing"), i, m) {
        s_zh (json_string_value (m), item, sizeof item);
        if (len + strlen (item) + 4 > S_LIST_MAX) {
            snprintf (list + len, sizeof list - len, "等");
            break;
        }
        len += (size_t)snprintf (list + len, sizeof list - len, "%s%s", i ? "、" : "", item);
    }
    s_begin (t, ctx, c, "申请");
    if (proto_int (c, "accepted_day"))
        s_add (t, "需补正以下材料：%s；补正期间办理时限暂停计算。", list);
    else
        s_add (t, "材料不齐全，需补正以下全部内容：%s。", list);
    if (proto_int (c, "supplement_due"))
        s_add (t, "请于%s前提交到窗口，逾期未补正的视为撤回申请。",
               s_date (proto_int (c, "supplement_due"), d, sizeof d));
    else
        s_add (t, "请补齐后提交到窗口。");
}

static void
s_supplement_withdrawn (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    s_begin (t, ctx, c, "申请");
    s_add (t, "此前的补正通知已撤回，无需按该通知提交材料，办理时限继续计算。");
}

static void
s_supplement_expired (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    char d[32];
    s_begin (t, ctx, c, "申请");
    s_add (t, "未在%s前补正材料，依规定视为撤回申请。如仍需办理，请重新提出申请。",
           s_date (proto_int (c, "supplement_due"), d, sizeof d));
}

static void
s_extended (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    char reason[600], d[32];
    s_begin (t, ctx, c, "申请");
    s_add (t, "经本机关负责人批准，办理期限延长%lld个工作日，理由：%s。承诺办结日期延至%s。",
           (long long)proto_int (extra, "days"),
           s_zh (proto_str (extra, "reason"), reason, sizeof reason),
           s_date (proto_int (c, "promised_deadline"), d, sizeof d));
}

static void
s_approved (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    const char *hours = ctx->config->notify.counter_hours;
    s_begin (t, ctx, c, "申请");
    s_add (t, "已办结，准予许可。");
    if (json_is_true (json_object_get (c, "physical")))
        s_add (t, "请凭取号单到窗口领取%s%s%s；如存入自助取件柜，将另行短信告知。",
               *hours ? "（" : "", hours, *hours ? "）" : "");
}

//  A refusal or a denial: the reason, and where and how long it can be challenged.
static void
s_refused (broker_ctx_t *ctx, const json_t *c, const char *what, s_text_t *t)
{
    const broker_remedies_cfg_t *r = &ctx->config->remedies;
    char reason[600], body[256], court[256];
    s_zh (r->review_body, body, sizeof body);
    s_zh (r->litigation_court, court, sizeof court);
    s_begin (t, ctx, c, "申请");
    s_add (t, "%s，理由：%s。", what, s_zh (proto_str (c, "reason"), reason, sizeof reason));
    s_add (t, "如不服，可自收到本通知之日起%d日内%s%s申请行政复议，或者%d个月内%s%s提起行政诉讼。",
           r->review_days, *body ? "向" : "依法", body, r->litigation_months,
           *court ? "向" : "依法", court);
}

static void
s_denied (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    s_refused (ctx, c, "不予许可", t);
}

static void
s_not_accepted (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    s_refused (ctx, c, "不予受理", t);
}

//  The cabinet's Chinese name ("一楼自助取件柜" of "一楼自助取件柜 / Self-service ...").
static const char *
s_cabinet (const json_t *c, char *out, size_t size)
{
    const json_t *p = json_object_get (c, "pickup");
    const char *name = proto_str (p, "cabinet_name");
    return s_zh (*name ? name : proto_str (p, "cabinet"), out, size);
}

static void
s_ready (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    const json_t *p = json_object_get (c, "pickup");
    const char *hours = ctx->config->notify.pickup_hours;
    int64_t by = proto_int (p, "deposited") + (int64_t)ctx->config->pickup_overdue_days * 86400000;
    char cab[256], d[32];
    s_begin (t, ctx, c, "");
    s_add (t, "已存入%s %s 格口%s%s。", s_cabinet (c, cab, sizeof cab), proto_str (p, "slot"),
           *hours ? "，取件时间：" : "", hours);
    s_add (t, "请于%s前到柜前扫描取号单，或输入取件码（见下方链接）取件，逾期将转回窗口领取。",
           s_date (broker_business_day (by, ctx->config->utc_offset_min, 0), d, sizeof d));
}

static void
s_reminder (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t)
{
    (void)extra;
    char cab[256];
    s_begin (t, ctx, c, "");
    s_add (t, "已在%s存放%d天，请尽快凭取号单取件；逾期件将转回窗口，届时请到窗口领取。",
           s_cabinet (c, cab, sizeof cab), ctx->config->pickup_overdue_days);
}

typedef void (s_compose_fn) (broker_ctx_t *ctx, const json_t *c, const json_t *extra, s_text_t *t);

typedef struct {
    const char *name; //  the gateway's "template"
    s_compose_fn *compose;
} s_template_t;

typedef enum {
    T_RECEIVED,
    T_ACCEPTED,
    T_SUPPLEMENT,
    T_SUPPLEMENT_WITHDRAWN,
    T_SUPPLEMENT_EXPIRED,
    T_EXTENDED,
    T_APPROVED,
    T_DENIED,
    T_NOT_ACCEPTED,
    T_READY,
    T_REMINDER,
    T_NONE
} s_kind_t;

static const s_template_t s_templates[T_NONE] = {
    [T_RECEIVED] = {"case_received", s_received},
    [T_ACCEPTED] = {"case_accepted", s_accepted},
    [T_SUPPLEMENT] = {"supplement_requested", s_supplement},
    [T_SUPPLEMENT_WITHDRAWN] = {"supplement_withdrawn", s_supplement_withdrawn},
    [T_SUPPLEMENT_EXPIRED] = {"supplement_expired", s_supplement_expired},
    [T_EXTENDED] = {"case_extended", s_extended},
    [T_APPROVED] = {"case_approved", s_approved},
    [T_DENIED] = {"case_denied", s_denied},
    [T_NOT_ACCEPTED] = {"case_not_accepted", s_not_accepted},
    [T_READY] = {"ready_for_pickup", s_ready},
    [T_REMINDER] = {"pickup_reminder", s_reminder},
};

//  True if material was ever asked for after acceptance (a pause of kind supplement).
static bool
s_has_request (const json_t *c)
{
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "pauses"), i, p)
        if (proto_is (p, "kind", "supplement"))
            return true;
    return false;
}

//  Which notice an event calls for (the table of broker_notify.h).
static s_kind_t
s_kind (proto_evt_t evt, const json_t *c, const json_t *extra)
{
    bool immediate = proto_is (c, "kind", "immediate");
    bool deemed = json_is_true (json_object_get (c, "deemed_accepted"));
    switch (evt) {
    case PROTO_EVT_CASE_RECEIVED: return T_RECEIVED;
    //  An immediate item (即办件) is decided while the applicant waits: no promise to send.
    case PROTO_EVT_CASE_ACCEPTED: return immediate && !deemed ? T_NONE : T_ACCEPTED;
    //  The material of a notice before acceptance accepts the case; after acceptance the
    //  case has the request's pause, and the clock only runs again.
    case PROTO_EVT_CASE_SUPPLEMENT_RECEIVED:
        return proto_is (c, "state", "accepted") && !s_has_request (c) && !immediate ? T_ACCEPTED
                                                                                     : T_NONE;
    case PROTO_EVT_CASE_SUPPLEMENT_REQUESTED: return T_SUPPLEMENT;
    case PROTO_EVT_CASE_SUPPLEMENT_WITHDRAWN: return T_SUPPLEMENT_WITHDRAWN;
    case PROTO_EVT_CASE_WITHDRAWN:
        return json_is_true (json_object_get (extra, "deemed")) ? T_SUPPLEMENT_EXPIRED : T_NONE;
    case PROTO_EVT_CASE_EXTENDED: return T_EXTENDED;
    case PROTO_EVT_CASE_APPROVED: return T_APPROVED;
    case PROTO_EVT_CASE_DENIED: return T_DENIED;
    case PROTO_EVT_CASE_NOT_ACCEPTED: return T_NOT_ACCEPTED;
    case PROTO_EVT_CASE_READY_FOR_PICKUP: return T_READY;
    case PROTO_EVT_CASE_WARNING:
        return proto_is (extra, "level", "pickup_overdue") ? T_REMINDER : T_NONE;
    default: return T_NONE;
    }
}

//  ---------------------------------------------------------------------------------------
//  The outbox

//  A mainland mobile number, as the intake check stores one: 11 digits from 1.
static bool
s_mobile (const char *phone)
{
    if (strlen (phone) != 11 || phone[0] != '1')
        return false;
    for (int i = 0; i < 11; i++)
        if (phone[i] < '0' || phone[i] > '9')
            return false;
    return true;
}

//  Writes a new notice to the outbox: the record, the due list, the case's list.
static void
s_queue (broker_ctx_t *ctx, const json_t *c, const char *template, const char *text)
{
    const char *phone = proto_str (json_object_get (c, "applicant"), "phone");
    const char *no = proto_str (c, "case_no");
    uint64_t seq = 1;
    MDB_val k, v;
    if (broker_store_last (ctx->store, BROKER_DB_NOTICES, &k, &v) == 0 && k.mv_size == 8)
        seq = broker_key_u64_read (k.mv_data) + 1;
    char token[PROTO_TOKEN_LEN + 1], id[96], link[700] = "";
    proto_token_new (token);
    snprintf (id, sizeof id, "%s-%llu-%.8s", ctx->config->hall_id, (unsigned long long)seq, token);
    if (*ctx->config->status_url)
        snprintf (link, sizeof link, "%s%s", ctx->config->status_url, proto_str (c, "token"));
    const char *state = !s_mobile (phone)               ? "no_mobile"
                        : !*ctx->config->notify.sms_url ? "no_gateway"
                                                        : "pending";
    json_t *n =
        json_pack ("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i}", "id", id, "seq",
                   (json_int_t)seq, "template", template, "case_no", no, "phone", phone, "text",
                   text, "link", link, "time", (json_int_t)ctx->now, "state", state, "attempts", 0);
    unsigned char key[S_CASE_NO + 9];
    broker_key_u64 (seq, key);
    broker_store_put_json (ctx->store, BROKER_DB_NOTICES, key, 8, n);
    if (strcmp (state, "pending") == 0)
        broker_store_put (ctx->store, BROKER_DB_NOTICE_DUE, key, 8, "", 0);
    size_t nlen = strlen (no);
    if (nlen + 9 <= sizeof key) {
        memcpy (key, no, nlen);
        key[nlen] = 0;
        broker_key_u64 (seq, key + nlen + 1);
        broker_store_put (ctx->store, BROKER_DB_NOTICE_CASE, key, nlen + 9, "", 0);
    }
    //  The server logs it and hands it to the sender after the commit.
    if (strcmp (state, "no_mobile") != 0)
        json_array_append (ctx->notices, n);
    json_decref (n);
}

void
broker_notify_case (broker_ctx_t *ctx, proto_evt_t evt, const json_t *c, const json_t *extra)
{
    s_kind_t kind = s_kind (evt, c, extra);
    if (kind == T_NONE)
        return;
    s_text_t t = {.len = 0};
    t.buf[0] = 0;
    s_templates[kind].compose (ctx, c, extra, &t);
    if (*ctx->config->status_url)
        s_add (&t, "详情：%s%s", ctx->config->status_url, proto_str (c, "token"));
    s_queue (ctx, c, s_templates[kind].name, t.buf);
}

//  ---------------------------------------------------------------------------------------
//  Reading and recording

//  `text` with every `token` in it cut to its first 4 characters and "…".
static json_t *
s_without_token (const char *text, const char *token)
{
    char *out = strdup (text), *at = out;
    size_t tlen = strlen (token);
    while (out && tlen > 7 && (at = strstr (at, token))) {
        memmove (at + 7, at + tlen, strlen (at + tlen) + 1);
        memcpy (at + 4, "…", 3);
        at += 7;
    }
    json_t *j = json_string (out ? out : "");
    free (out);
    return j;
}

//  A notice as the office sees it in a list: the phone masked, and the ticket's token
//  (the link's last part) cut to 4 characters, as lists never carry tokens (PROTOCOL.md 5).
//  A case's own notices (`full`, in case.get beside the token) are shown whole, without
//  the phone the case already has.
static json_t *
s_view (broker_ctx_t *ctx, const json_t *n, bool full)
{
    json_t *v = json_deep_copy (n);
    json_object_del (v, "phone");
    if (full)
        return v;
    char masked[32];
    broker_idcheck_mask_phone (proto_str (n, "phone"), masked, sizeof masked);
    json_object_set_new (v, "phone", json_string (masked));
    const char *base = ctx->config->status_url, *link = proto_str (n, "link");
    if (*base && strncmp (link, base, strlen (base)) == 0 && strlen (link) > strlen (base)) {
        const char *token = link + strlen (base);
        json_object_set_new (v, "text", s_without_token (proto_str (n, "text"), token));
        json_object_set_new (v, "link", s_without_token (link, token));
    }
    return v;
}

static json_t *
s_load (broker_store_t *store, uint64_t seq)
{
    unsigned char key[8];
    broker_key_u64 (seq, key);
    return broker_store_get_json (store, BROKER_DB_NOTICES, key, sizeof key);
}

//  The notices of one case, oldest first, as s_view shows them.
static json_t *
s_case_notices (broker_ctx_t *ctx, const char *case_no, bool full)
{
    json_t *list = json_array ();
    size_t nlen = strlen (case_no);
    if (nlen > S_CASE_NO)
        return list;
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_NOTICE_CASE, case_no, nlen + 1, &it);
    while (broker_store_next (&it)) {
        if (it.key.mv_size != nlen + 9)
            continue;
        json_t *n =
            s_load (ctx->store, broker_key_u64_read ((const char *)it.key.mv_data + nlen + 1));
        if (n)
            json_array_append_new (list, s_view (ctx, n, full));
        json_decref (n);
    }
    broker_store_scan_end (&it);
    return list;
}

json_t *
broker_notify_case_list (broker_ctx_t *ctx, const char *case_no)
{
    return s_case_notices (ctx, case_no, true);
}

//  notice.list without case_no: from sequence `from` on, those in `state` (all if NULL).
static json_t *
s_list_from (broker_ctx_t *ctx, const char *state, json_int_t from, json_int_t limit,
             json_int_t *next)
{
    json_t *list = json_array ();
    bool due = state && strcmp (state, "pending") == 0;
    unsigned char key[8];
    broker_key_u64 ((uint64_t)from, key);
    broker_store_iter_t it;
    //  Pending notices have their own list; the others are found by walking the outbox.
    broker_store_scan_from (ctx->store, due ? BROKER_DB_NOTICE_DUE : BROKER_DB_NOTICES, key,
                            sizeof key, &it);
    int looked = 0;
    *next = 0;
    while (broker_store_next (&it)) {
        if (it.key.mv_size != 8)
            continue;
        uint64_t seq = broker_key_u64_read (it.key.mv_data);
        if ((json_int_t)json_array_size (list) == limit || looked++ == S_LIST_SCAN) {
            *next = (json_int_t)seq;
            break;
        }
        json_t *n =
            due ? s_load (ctx->store, seq) : json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (n && (!state || proto_is (n, "state", state)))
            json_array_append_new (list, s_view (ctx, n, false));
        json_decref (n);
    }
    broker_store_scan_end (&it);
    return list;
}

int
broker_h_notice_list (broker_ctx_t *ctx, const json_t *body)
{
    const char *no = json_string_value (json_object_get (body, "case_no"));
    const char *state = json_string_value (json_object_get (body, "state"));
    json_t *jfrom = json_object_get (body, "from"), *jlimit = json_object_get (body, "limit");
    json_int_t from = jfrom ? json_integer_value (jfrom) : 1;
    json_int_t limit = jlimit ? json_integer_value (jlimit) : S_LIST_PAGE;
    if (from < 1 || limit < 1 || limit > 1000)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "from must be >= 1 and limit 1..1000");
    static const char *const states[] = {"pending", "delivered", "rejected", "no_mobile",
                                         "no_gateway"};
    bool known = !state;
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        known = known || strcmp (state, states[i]) == 0;
    if (!known)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "state must be pending, delivered, rejected, no_mobile or no_gateway");
    json_int_t next = 0;
    json_t *list;
    if (no) {
        list = json_array ();
        json_t *all = s_case_notices (ctx, no, false);
        size_t i;
        json_t *n;
        json_array_foreach (all, i, n)
            if (!state || proto_is (n, "state", state))
                json_array_append (list, n);
        json_decref (all);
    } else
        list = s_list_from (ctx, state, from, limit, &next);
    ctx->reply = json_pack ("{s:o, s:o, s:I}", "notices", list, "next",
                            next ? json_integer (next) : json_null (), "undelivered",
                            (json_int_t)broker_store_count (ctx->store, BROKER_DB_NOTICE_DUE));
    return 0;
}

json_t *
broker_notify_pending (broker_store_t *store)
{
    json_t *list = json_array ();
    broker_store_iter_t it;
    broker_store_scan (store, BROKER_DB_NOTICE_DUE, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *n =
            it.key.mv_size == 8 ? s_load (store, broker_key_u64_read (it.key.mv_data)) : NULL;
        if (n)
            json_array_append_new (list, n);
    }
    broker_store_scan_end (&it);
    return list;
}

void
broker_notify_record (broker_store_t *store, const json_t *result, int64_t now)
{
    uint64_t seq = (uint64_t)proto_int (result, "seq");
    json_t *n = s_load (store, seq);
    if (!n || !proto_is (n, "state", "pending")) {
        json_decref (n);
        return;
    }
    bool ok = json_is_true (json_object_get (result, "ok"));
    bool final = json_is_true (json_object_get (result, "final"));
    json_object_set_new (n, "attempts", json_integer (proto_int (n, "attempts") + 1));
    json_object_set_new (n, "last_attempt", json_integer (now));
    json_object_set_new (n, "last_status", json_integer (proto_int (result, "status")));
    if (ok) {
        json_object_set_new (n, "state", json_string ("delivered"));
        json_object_set_new (n, "delivered", json_integer (now));
        json_object_del (n, "last_error");
    } else {
        json_object_set_new (n, "last_error", json_string (proto_str (result, "error")));
        if (final)
            json_object_set_new (n, "state", json_string ("rejected"));
    }
    unsigned char key[8];
    broker_key_u64 (seq, key);
    broker_store_put_json (store, BROKER_DB_NOTICES, key, sizeof key, n);
    if (ok || final)
        broker_store_del (store, BROKER_DB_NOTICE_DUE, key, sizeof key);
    json_decref (n);
}
