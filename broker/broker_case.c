/*  broker_case.c — see broker_case.h. */
#include "broker_case.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_idcheck.h"
#include "proto_json.h"

static int
s_int (const json_t *j, const char *key)
{
    return (int)json_integer_value (json_object_get (j, key));
}

//  Open states: anything not final. A case awaiting pickup is still open (its result
//  has not reached the citizen).
static bool
s_open (const char *state)
{
    return strcmp (state, BROKER_CASE_SUPPLEMENT) == 0 ||
           strcmp (state, BROKER_CASE_ACCEPTED) == 0 || strcmp (state, BROKER_CASE_REVIEW) == 0 ||
           strcmp (state, BROKER_CASE_SPECIAL) == 0 || strcmp (state, BROKER_CASE_AWAITING) == 0 ||
           strcmp (state, BROKER_CASE_READY) == 0;
}

//  Decided, with a result on its way to the citizen (at the counter or in a cabinet).
static bool
s_decided (const char *state)
{
    return strcmp (state, BROKER_CASE_AWAITING) == 0 || strcmp (state, BROKER_CASE_READY) == 0;
}

//  States in which the legal clock runs.
static bool
s_clock_running (const char *state)
{
    return strcmp (state, BROKER_CASE_ACCEPTED) == 0 || strcmp (state, BROKER_CASE_REVIEW) == 0;
}

const broker_item_cfg_t *
broker_case_item (broker_ctx_t *ctx, const json_t *c)
{
    int i = broker_config_item (ctx->config, proto_str (c, "item"));
    return i >= 0 ? &ctx->config->items[i] : NULL;
}

//  ---------------------------------------------------------------------------------------
//  The clock

//  Pauses of a case as calendar pauses; an open pause is closed at `close_at`.
static int
s_pauses (const json_t *c, int close_at, broker_calendar_pause_t *out, int max)
{
    int n = 0;
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "pauses"), i, p) {
        if (n == max)
            break;
        int from = s_int (p, "from"), to = s_int (p, "to");
        if (!to)
            to = close_at;
        if (to > from)
            out[n++] = (broker_calendar_pause_t){from, to};
    }
    return n;
}

static bool
s_has_open_pause (const json_t *c)
{
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "pauses"), i, p)
        if (s_int (p, "to") == 0)
            return true;
    return false;
}

//  The limit warnings are measured against: the promised one when the hall promises one.
static int
s_limit (const json_t *c)
{
    int promised = s_int (c, "promised_days");
    return (promised > 0 ? promised : s_int (c, "statutory_days")) + s_int (c, "extension_days");
}

//  Recomputes the stored deadlines from acceptance, limits, extension and closed pauses.
//  While a pause is open the deadlines are unknown (null): they move with every day.
void
broker_case_clock (broker_ctx_t *ctx, json_t *c)
{
    int start = s_int (c, "accepted_day");
    if (!start || s_has_open_pause (c)) {
        json_object_set_new (c, "statutory_deadline", json_null ());
        json_object_set_new (c, "promised_deadline", json_null ());
        json_object_set_new (c, "provisional", json_false ());
        return;
    }
    broker_calendar_pause_t pauses[32];
    int np = s_pauses (c, 0, pauses, 32);
    int ext = s_int (c, "extension_days");
    int statutory = 0, promised = 0;
    bool prov1 = false, prov2 = false;
    broker_calendar_deadline (ctx->calendar, start, s_int (c, "statutory_days"), ext, pauses, np,
                              &statutory, &prov1);
    broker_calendar_deadline (ctx->calendar, start, s_int (c, "promised_days"), ext, pauses, np,
                              &promised, &prov2);
    json_object_set_new (c, "statutory_deadline", json_integer (statutory));
    json_object_set_new (c, "promised_deadline", json_integer (promised));
    json_object_set_new (c, "provisional", json_boolean (prov1 || prov2));
}

//  Working days used so far (an open pause counts as running to today).
static int
s_elapsed (broker_ctx_t *ctx, const json_t *c, int today)
{
    int start = s_int (c, "accepted_day");
    if (!start)
        return 0;
    broker_calendar_pause_t pauses[32];
    int np = s_pauses (c, broker_calendar_date_add (today, 1), pauses, 32);
    int n = broker_calendar_elapsed (ctx->calendar, start, today, pauses, np, NULL);
    return n > 0 ? n : 0;
}

static void
s_pause_open (json_t *c, const char *kind, int today, const char *reason)
{
    json_t *pauses = json_object_get (c, "pauses");
    if (!pauses) {
        pauses = json_array ();
        json_object_set_new (c, "pauses", pauses);
    }
    json_array_append_new (pauses, json_pack ("{s:s, s:i, s:i, s:s}", "kind", kind, "from", today,
                                              "to", 0, "reason", reason ? reason : ""));
}

//  Closes the open pause: the clock runs again from the day after `today` (the day the
//  material arrives is treated like a day of receipt, which never counts).
void
broker_case_pause_close (json_t *c, int today)
{
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "pauses"), i, p)
        if (s_int (p, "to") == 0)
            json_object_set_new (p, "to", json_integer (broker_calendar_date_add (today, 1)));
}

//  ---------------------------------------------------------------------------------------
//  Views

static json_t *
s_applicant_view (const json_t *a, bool full)
{
    json_t *v = json_pack ("{s:s}", "name", proto_str (a, "name"));
    const char *id = proto_str (a, "id_number"), *uscc = proto_str (a, "uscc"),
               *phone = proto_str (a, "phone");
    char masked[64];
    if (*id) {
        broker_idcheck_mask_id (id, masked, sizeof masked);
        json_object_set_new (v, "id_number", json_string (full ? id : masked));
    }
    //  A USCC is public (it is printed on the business licence): never masked.
    if (*uscc)
        json_object_set_new (v, "uscc", json_string (uscc));
    if (*phone) {
        broker_idcheck_mask_phone (phone, masked, sizeof masked);
        json_object_set_new (v, "phone", json_string (full ? phone : masked));
    }
    return v;
}

//  What the citizen must do next, in Chinese and English.
static json_t *
s_next_step (const json_t *c)
{
    const char *st = proto_str (c, "state");
    char text[1024];
    if (strcmp (st, BROKER_CASE_SUPPLEMENT) == 0) {
        char list[700] = "";
        size_t i;
        json_t *m;
        json_array_foreach (json_object_get (c, "missing"), i, m) {
            size_t len = strlen (list);
            snprintf (list + len, sizeof list - len, "%s%s", i ? "、" : "", json_string_value (m));
        }
        snprintf (text, sizeof text,
                  "请补齐材料后到窗口提交：%s / Bring the missing material to a counter", list);
    } else if (strcmp (st, BROKER_CASE_ACCEPTED) == 0 || strcmp (st, BROKER_CASE_REVIEW) == 0) {
        int d = s_int (c, "promised_deadline");
        snprintf (text, sizeof text,
                  "审批中，承诺 %04d-%02d-%02d 前办结 / In review; promised by that date",
                  d / 10000, d / 100 % 100, d % 100);
    } else if (strcmp (st, BROKER_CASE_SPECIAL) == 0)
        snprintf (text, sizeof text,
                  "特别程序中（不计入办理时限） / In a special procedure (the clock is stopped)");
    else if (strcmp (st, BROKER_CASE_AWAITING) == 0)
        snprintf (text, sizeof text,
                  "已办结，请凭取号单二维码到窗口领取 / Ready: collect it at a counter with your "
                  "slip's QR code");
    else if (strcmp (st, BROKER_CASE_READY) == 0) {
        const json_t *p = json_object_get (c, "pickup");
        snprintf (
            text, sizeof text,
            "已存入%s %s 格口，请到智能柜扫取号单二维码取件 / In cabinet %s, slot %s: scan your "
            "slip's QR code there",
            proto_str (p, "cabinet_name"), proto_str (p, "slot"), proto_str (p, "cabinet"),
            proto_str (p, "slot"));
    } else if (strcmp (st, BROKER_CASE_APPROVED) == 0)
        snprintf (text, sizeof text, "已办结（准予） / Approved");
    else if (strcmp (st, BROKER_CASE_DENIED) == 0)
        snprintf (text, sizeof text, "不予许可：%s / Denied", proto_str (c, "reason"));
    else if (strcmp (st, BROKER_CASE_COLLECTED) == 0)
        snprintf (text, sizeof text, "已领取 / Collected");
    else if (strcmp (st, BROKER_CASE_NOT_ACCEPTED) == 0)
        snprintf (text, sizeof text, "不予受理：%s / Not accepted", proto_str (c, "reason"));
    else
        snprintf (text, sizeof text, "已撤回 / Withdrawn");
    return json_string (text);
}

//  A case as others see it. `full` (counter and back office) shows the applicant whole.
json_t *
broker_case_view (broker_ctx_t *ctx, const json_t *c, bool full)
{
    json_t *v = json_deep_copy (c);
    json_object_del (v, "token");
    json_object_del (v, "prev_state");
    json_object_set_new (v, "applicant", s_applicant_view (json_object_get (c, "applicant"), full));
    if (full)
        json_object_set_new (v, "token", json_string (proto_str (c, "token")));
    const char *st = proto_str (c, "state");
    int today = broker_today (ctx);
    if (s_int (c, "accepted_day") && s_open (st) && !s_decided (st)) {
        int elapsed = s_elapsed (ctx, c, today);
        json_object_set_new (v, "elapsed_days", json_integer (elapsed));
        json_object_set_new (v, "limit_days", json_integer (s_limit (c)));
        json_object_set_new (v, "clock", json_string (s_clock_running (st) ? "running" : "paused"));
    } else
        json_object_set_new (v, "clock", json_string ("stopped"));
    json_object_set_new (v, "deadline", json_incref (json_object_get (c, "promised_deadline")));
    json_object_set_new (v, "next_step", s_next_step (c));
    return v;
}

//  ---------------------------------------------------------------------------------------
//  Store

json_t *
broker_case_load (broker_ctx_t *ctx, const char *case_no)
{
    return broker_store_get_json (ctx->store, BROKER_DB_CASES, case_no, strlen (case_no));
}

void
broker_case_save (broker_ctx_t *ctx, const json_t *c)
{
    const char *no = proto_str (c, "case_no");
    broker_store_put_json (ctx->store, BROKER_DB_CASES, no, strlen (no), c);
    if (s_open (proto_str (c, "state")))
        broker_store_put (ctx->store, BROKER_DB_OPEN_CASES, no, strlen (no), "", 0);
    else
        broker_store_del (ctx->store, BROKER_DB_OPEN_CASES, no, strlen (no));
}

//  Emits a case event (masked view + extra fields) and indexes it for the audit trail.
void
broker_case_emit (broker_ctx_t *ctx, proto_evt_t evt, const json_t *c, json_t *extra,
                  const char *clerk)
{
    json_t *body = extra ? extra : json_object ();
    json_object_set_new (body, "case", broker_case_view (ctx, c, false));
    if (clerk && *clerk)
        json_object_set_new (body, "clerk", json_string (clerk));
    uint64_t seq = broker_emit (ctx, evt, body);
    const char *no = proto_str (c, "case_no");
    size_t nlen = strlen (no);
    unsigned char key[BROKER_CASE_NO_MAX + 9];
    if (nlen > BROKER_CASE_NO_MAX)
        return;
    memcpy (key, no, nlen);
    key[nlen] = 0;
    broker_key_u64 (seq, key + nlen + 1);
    broker_store_put (ctx->store, BROKER_DB_CASE_LOG, key, nlen + 9, "", 0);
}

//  The case named by body's case_no, or NULL with unknown_case. Caller owns it.
json_t *
broker_case_named (broker_ctx_t *ctx, const json_t *body)
{
    const char *no = proto_str (body, "case_no");
    json_t *c = strlen (no) <= BROKER_CASE_NO_MAX ? broker_case_load (ctx, no) : NULL;
    if (!c)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_CASE, "no case %.48s in this hall", no);
    return c;
}

int
broker_case_wrong_state (broker_ctx_t *ctx, const json_t *c, const char *what)
{
    return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "case %s is %s; %s", proto_str (c, "case_no"),
                        proto_str (c, "state"), what);
}

void
broker_case_set_state (json_t *c, const char *state)
{
    json_object_set_new (c, "state", json_string (state));
}

//  ---------------------------------------------------------------------------------------
//  Commands

//  Common start of the back-office commands: the case, the clerk, a length check.
json_t *
broker_case_begin (broker_ctx_t *ctx, const json_t *body, const char **clerk, const char **reason)
{
    *clerk = json_string_value (json_object_get (body, "clerk"));
    if (reason)
        *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "clerk", *clerk, BROKER_CASE_NAME_MAX) ||
        (reason && broker_check_length (ctx, "reason", *reason, BROKER_CASE_REASON_MAX)))
        return NULL;
    return broker_case_named (ctx, body);
}

int
broker_case_finish (broker_ctx_t *ctx, json_t *c, proto_evt_t evt, json_t *extra, const char *clerk)
{
    broker_case_clock (ctx, c);
    broker_case_save (ctx, c);
    broker_case_emit (ctx, evt, c, extra, clerk);
    ctx->reply = broker_case_view (ctx, c, false);
    json_decref (c);
    return 0;
}

int
broker_h_case_get (broker_ctx_t *ctx, const json_t *body)
{
    json_t *c = broker_case_named (ctx, body);
    if (!c)
        return -1;
    ctx->reply = broker_case_view (ctx, c, true);
    json_decref (c);
    return 0;
}

json_t *
broker_case_open_all (broker_ctx_t *ctx)
{
    json_t *cases = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_OPEN_CASES, NULL, 0, &it);
    while (broker_store_next (&it)) {
        char no[BROKER_CASE_NO_MAX + 1];
        if (it.key.mv_size > BROKER_CASE_NO_MAX)
            continue;
        memcpy (no, it.key.mv_data, it.key.mv_size);
        no[it.key.mv_size] = 0;
        json_t *c = broker_case_load (ctx, no);
        if (c)
            json_array_append_new (cases, c);
    }
    broker_store_scan_end (&it);
    return cases;
}

static int
s_by_deadline (const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    //  Cases without a running deadline (paused, awaiting pickup) sort last.
    long dx = s_clock_running (proto_str (x, "state"))
                  ? json_integer_value (json_object_get (x, "promised_deadline"))
                  : 0;
    long dy = s_clock_running (proto_str (y, "state"))
                  ? json_integer_value (json_object_get (y, "promised_deadline"))
                  : 0;
    if (!dx)
        dx = 99999999;
    if (!dy)
        dy = 99999999;
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp (proto_str (x, "case_no"), proto_str (y, "case_no"));
}

int
broker_h_case_queue (broker_ctx_t *ctx, const json_t *body)
{
    const char *dept = json_string_value (json_object_get (body, "department"));
    const char *state = json_string_value (json_object_get (body, "state"));
    json_t *open = broker_case_open_all (ctx);
    json_t **list = calloc (json_array_size (open) + 1, sizeof *list);
    size_t count = 0;
    size_t i;
    json_t *c;
    json_array_foreach (open, i, c)
        if ((!dept || strcmp (dept, proto_str (c, "department")) == 0) &&
            (!state || strcmp (state, proto_str (c, "state")) == 0))
            list[count++] = c;
    qsort (list, count, sizeof *list, s_by_deadline);
    json_t *cases = json_array ();
    for (size_t k = 0; k < count; k++)
        json_array_append_new (cases, broker_case_view (ctx, list[k], false));
    free (list);
    json_decref (open);
    ctx->reply = json_pack ("{s:o, s:i}", "cases", cases, "today", broker_today (ctx));
    return 0;
}

int
broker_h_case_review (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk;
    json_t *c = broker_case_begin (ctx, body, &clerk, NULL);
    if (!c)
        return -1;
    if (!proto_is (c, "state", BROKER_CASE_ACCEPTED)) {
        broker_case_wrong_state (ctx, c, "only an accepted case can be taken into review");
        json_decref (c);
        return -1;
    }
    broker_case_set_state (c, BROKER_CASE_REVIEW);
    json_object_set_new (c, "reviewer", json_string (clerk ? clerk : ""));
    json_object_set_new (c, "review_started", json_integer (ctx->now));
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_REVIEW_STARTED, NULL, clerk);
}

//  A decision: from in_review, or from accepted for an immediate item (即办件: decided at
//  the counter). Counters may decide immediate items only.
static int
s_decide (broker_ctx_t *ctx, const json_t *body, bool approve)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    bool immediate = strcmp (proto_str (c, "kind"), "immediate") == 0;
    if (!proto_is (c, "state", BROKER_CASE_REVIEW) &&
        !(immediate && proto_is (c, "state", BROKER_CASE_ACCEPTED))) {
        broker_case_wrong_state (ctx, c,
                                 immediate
                                     ? "it cannot be decided now"
                                     : "only a case in review can be decided (review it first)");
        json_decref (c);
        return -1;
    }
    //  A counter decides only what it may decide on the spot (即办件); the rest is the back
    //  office's.
    if (!immediate && !(ctx->roles & (R_OFFICE | R_ADMIN))) {
        json_decref (c);
        return broker_fail (
            ctx, PROTO_ERR_FORBIDDEN,
            "a counter decides immediate items only; %s is decided by the back office",
            proto_str (c, "item"));
    }
    if (!approve && (!reason || !*reason)) {
        json_decref (c);
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD, "a denial needs its reason");
    }
    int today = broker_today (ctx);
    int deadline = s_int (c, "promised_deadline");
    json_object_set_new (c, "decision",
                         json_pack ("{s:s, s:s, s:I, s:s, s:b}", "result",
                                    approve ? "approved" : "denied", "reason", reason ? reason : "",
                                    "time", (json_int_t)ctx->now, "by", clerk ? clerk : "",
                                    "on_time", !deadline || today <= deadline));
    json_object_set_new (c, "concluded", json_integer (ctx->now));
    if (!approve)
        json_object_set_new (c, "reason", json_string (reason));
    bool physical = json_is_true (json_object_get (c, "physical"));
    broker_case_set_state (c, !approve   ? BROKER_CASE_DENIED
                              : physical ? BROKER_CASE_AWAITING
                                         : BROKER_CASE_APPROVED);
    if (!approve)
        return broker_case_finish (ctx, c, PROTO_EVT_CASE_DENIED,
                                   json_pack ("{s:s}", "reason", reason), clerk);
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_APPROVED, NULL, clerk);
}

int
broker_h_case_approve (broker_ctx_t *ctx, const json_t *body)
{
    return s_decide (ctx, body, true);
}

int
broker_h_case_deny (broker_ctx_t *ctx, const json_t *body)
{
    return s_decide (ctx, body, false);
}

int
broker_h_case_request_supplement (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    if (!proto_is (c, "state", BROKER_CASE_ACCEPTED) &&
        !proto_is (c, "state", BROKER_CASE_REVIEW)) {
        broker_case_wrong_state (
            ctx, c, "material can be requested only while it is accepted or in review");
        json_decref (c);
        return -1;
    }
    json_t *missing = json_object_get (body, "missing");
    size_t i;
    json_t *m;
    if (json_array_size (missing) == 0) {
        json_decref (c);
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "missing must list what is needed, all at once");
    }
    json_array_foreach (missing, i, m)
        if (!json_is_string (m) || json_string_length (m) == 0 || json_string_length (m) > 200) {
            json_decref (c);
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "missing[%zu] must be a text of 1..200 bytes", i);
        }
    json_object_set_new (c, "prev_state", json_string (proto_str (c, "state")));
    json_object_set (c, "missing", missing);
    s_pause_open (c, "supplement", broker_today (ctx), reason);
    broker_case_set_state (c, BROKER_CASE_SUPPLEMENT);
    return broker_case_finish (
        ctx, c, PROTO_EVT_CASE_SUPPLEMENT_REQUESTED,
        json_pack ("{s:O, s:s}", "missing", missing, "reason", reason ? reason : ""), clerk);
}

int
broker_h_case_extend (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    const broker_item_cfg_t *item = broker_case_item (ctx, c);
    json_int_t days = json_integer_value (json_object_get (body, "days"));
    const char *st = proto_str (c, "state");
    int rc = 0;
    if (!s_int (c, "accepted_day") || !s_open (st) || s_decided (st))
        rc = broker_case_wrong_state (ctx, c, "only a case on the clock can be extended");
    else if (s_int (c, "extension_days"))
        rc = broker_case_wrong_state (ctx, c,
                                      "it was extended already (one extension per case, Art. 42)");
    else if (!item || days < 1 || days > item->max_extension_days)
        rc = broker_fail (ctx, PROTO_ERR_BAD_FIELD, "days must be 1 to %d for this item",
                          item ? item->max_extension_days : 0);
    if (rc) {
        json_decref (c);
        return -1;
    }
    json_object_set_new (c, "extension_days", json_integer (days));
    json_object_set_new (c, "extension_reason", json_string (reason));
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_EXTENDED,
                               json_pack ("{s:I, s:s}", "days", days, "reason", reason), clerk);
}

int
broker_h_case_special_start (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    if (!proto_is (c, "state", BROKER_CASE_ACCEPTED) &&
        !proto_is (c, "state", BROKER_CASE_REVIEW)) {
        broker_case_wrong_state (ctx, c, "a special procedure starts from accepted or in review");
        json_decref (c);
        return -1;
    }
    json_object_set_new (c, "prev_state", json_string (proto_str (c, "state")));
    s_pause_open (c, "special", broker_today (ctx), reason);
    broker_case_set_state (c, BROKER_CASE_SPECIAL);
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_SPECIAL_STARTED,
                               json_pack ("{s:s}", "reason", reason), clerk);
}

int
broker_h_case_special_end (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk;
    json_t *c = broker_case_begin (ctx, body, &clerk, NULL);
    if (!c)
        return -1;
    if (!proto_is (c, "state", BROKER_CASE_SPECIAL)) {
        broker_case_wrong_state (ctx, c, "no special procedure is running");
        json_decref (c);
        return -1;
    }
    broker_case_pause_close (c, broker_today (ctx));
    const char *prev = proto_str (c, "prev_state");
    broker_case_set_state (c, *prev ? prev : BROKER_CASE_REVIEW);
    json_object_del (c, "prev_state");
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_SPECIAL_ENDED, NULL, clerk);
}

int
broker_h_case_withdraw (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    const char *st = proto_str (c, "state");
    if (!s_open (st) || s_decided (st)) {
        broker_case_wrong_state (ctx, c, "only a case not yet decided can be withdrawn");
        json_decref (c);
        return -1;
    }
    broker_case_pause_close (c, broker_today (ctx));
    broker_case_set_state (c, BROKER_CASE_WITHDRAWN);
    json_object_set_new (c, "reason", json_string (reason ? reason : ""));
    json_object_set_new (c, "concluded", json_integer (ctx->now));
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_WITHDRAWN,
                               json_pack ("{s:s}", "reason", reason ? reason : ""), clerk);
}

int
broker_h_case_hand_out (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *counter;
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN, &counter, NULL))
        return -1;
    json_t *c = broker_case_named (ctx, body);
    if (!c)
        return -1;
    if (!proto_is (c, "state", BROKER_CASE_AWAITING)) {
        broker_case_wrong_state (ctx, c, "only a result awaiting pickup can be handed out");
        json_decref (c);
        return -1;
    }
    broker_case_set_state (c, BROKER_CASE_COLLECTED);
    json_object_set_new (c, "collected", json_integer (ctx->now));
    json_object_set_new (c, "collected_at",
                         json_pack ("{s:s, s:i}", "kind", "counter", "counter", counter->id));
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_COLLECTED,
                               json_pack ("{s:i}", "counter", counter->id), counter->clerk);
}

//  One step of the audit trail: the journal's event `seq` (8 bytes, big-endian).
static json_t *
s_audit_step (broker_ctx_t *ctx, const void *seq)
{
    json_t *e = broker_store_get_json (ctx->store, BROKER_DB_EVENTS, seq, 8);
    if (!e)
        return NULL;
    json_t *cs = json_object_get (e, "case");
    json_t *step =
        json_pack ("{s:I, s:I, s:s, s:s}", "seq", json_integer_value (json_object_get (e, "seq")),
                   "time", json_integer_value (json_object_get (e, "time")), "topic",
                   proto_str (e, "topic"), "state", proto_str (cs, "state"));
    //  "device" is the device that acted: events name it "by_device"; brokers before that
    //  named it "device", and their journals are still read.
    const char *fields[] = {"clerk",      "device",  "reason",  "level", "days",
                            "counter",    "missing", "cabinet", "slot",  "proxy",
                            "proxy_name", "field",   "from",    "to"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *by = strcmp (fields[i], "device") == 0 ? json_object_get (e, "by_device") : NULL;
        json_t *v = by ? by : json_object_get (e, fields[i]);
        if (v)
            json_object_set (step, fields[i], v);
    }
    if (json_is_true (json_object_get (e, "intake"))) {
        json_object_set (step, "checks", json_object_get (cs, "checks"));
        json_object_set (step, "counter", json_object_get (cs, "counter"));
    }
    json_decref (e);
    return step;
}

int
broker_h_case_audit (broker_ctx_t *ctx, const json_t *body)
{
    json_t *c = broker_case_named (ctx, body);
    if (!c)
        return -1;
    const char *no = proto_str (c, "case_no");
    size_t nlen = strlen (no);
    json_t *steps = json_array ();
    //  The case's keys in the case log: its number, NUL, the event's sequence.
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_CASE_LOG, no, nlen + 1, &it);
    while (broker_store_next (&it)) {
        if (it.key.mv_size != nlen + 9)
            break;
        json_t *step = s_audit_step (ctx, (const char *)it.key.mv_data + nlen + 1);
        if (step)
            json_array_append_new (steps, step);
    }
    broker_store_scan_end (&it);
    ctx->reply =
        json_pack ("{s:s, s:o, s:o, s:i}", "case_no", no, "case", broker_case_view (ctx, c, false),
                   "steps", steps, "utc_offset_min", ctx->config->utc_offset_min);
    json_decref (c);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Status and timers

json_t *
broker_case_for_token (broker_ctx_t *ctx, const char *token)
{
    char prefix[PROTO_TOKEN_LEN + 2];
    int plen = snprintf (prefix, sizeof prefix, "%s|", token);
    json_t *cases = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_TOKEN_CASES, prefix, (size_t)plen, &it);
    while (broker_store_next (&it)) {
        char no[BROKER_CASE_NO_MAX + 1];
        size_t nlen = it.key.mv_size - (size_t)plen;
        if (nlen > BROKER_CASE_NO_MAX)
            continue;
        memcpy (no, (const char *)it.key.mv_data + plen, nlen);
        no[nlen] = 0;
        json_t *c = broker_case_load (ctx, no);
        if (c)
            json_array_append_new (cases, broker_case_view (ctx, c, false));
        json_decref (c);
    }
    broker_store_scan_end (&it);
    return cases;
}

static bool
s_warned (const json_t *c, const char *level)
{
    size_t i;
    json_t *w;
    json_array_foreach (json_object_get (c, "warnings"), i, w)
        if (strcmp (json_string_value (w), level) == 0)
            return true;
    return false;
}

bool
broker_case_warn (broker_ctx_t *ctx, json_t *c, int today)
{
    const char *st = proto_str (c, "state");
    if (!s_clock_running (st) || !s_int (c, "accepted_day"))
        return false;
    int limit = s_limit (c);
    int elapsed = s_elapsed (ctx, c, today);
    int promised = s_int (c, "promised_deadline"), statutory = s_int (c, "statutory_deadline");
    const char *levels[4];
    int n = 0;
    if (limit > 0 && elapsed >= (int)ceil (ctx->config->warn_yellow * limit))
        levels[n++] = "yellow";
    if (limit > 0 && elapsed >= (int)ceil (ctx->config->warn_red * limit))
        levels[n++] = "red";
    if (promised && today > promised)
        levels[n++] = "overdue";
    if (statutory && today > statutory)
        levels[n++] = "statutory_overdue";
    bool changed = false;
    for (int i = 0; i < n; i++) {
        if (s_warned (c, levels[i]))
            continue;
        json_t *w = json_object_get (c, "warnings");
        if (!w) {
            w = json_array ();
            json_object_set_new (c, "warnings", w);
        }
        json_array_append_new (w, json_string (levels[i]));
        changed = true;
        broker_case_emit (ctx, PROTO_EVT_CASE_WARNING, c,
                          json_pack ("{s:s, s:i, s:i}", "level", levels[i], "elapsed_days", elapsed,
                                     "limit_days", limit),
                          NULL);
    }
    return changed;
}

//  Adds 1 to the count under `name` in `counts`.
static void
s_count (json_t *counts, const char *name)
{
    json_object_set_new (counts, name,
                         json_integer (json_integer_value (json_object_get (counts, name)) + 1));
}

json_t *
broker_case_summary (broker_ctx_t *ctx, json_t *open_cases)
{
    json_t *out =
        json_pack ("{s:i, s:i, s:i, s:i}", "open", 0, "yellow", 0, "red", 0, "overdue", 0);
    json_t *open = broker_case_open_all (ctx);
    size_t k;
    json_t *c;
    json_array_foreach (open, k, c) {
        const char *state = json_string_value (json_object_get (c, "state"));
        s_count (out, "open");
        if (state)
            s_count (out, state);
        json_t *entry = json_pack ("[s]", state ? state : "");
        size_t i;
        json_t *lvl;
        json_array_foreach (json_object_get (c, "warnings"), i, lvl) {
            s_count (out, json_string_value (lvl));
            json_array_append (entry, lvl);
        }
        json_object_set_new (open_cases, proto_str (c, "case_no"), entry);
    }
    json_decref (open);
    return out;
}

//  ---------------------------------------------------------------------------------------
//  A new calendar

bool
broker_case_recalendar (broker_ctx_t *ctx, json_t *c, const char *reason)
{
    const char *st = proto_str (c, "state");
    if (!s_int (c, "accepted_day") || !s_open (st) || s_decided (st))
        return false;
    static const char *const fields[] = {"statutory_deadline", "promised_deadline"};
    int before[2] = {s_int (c, fields[0]), s_int (c, fields[1])};
    bool was_provisional = json_is_true (json_object_get (c, "provisional"));
    broker_case_clock (ctx, c);
    bool changed = was_provisional != json_is_true (json_object_get (c, "provisional"));
    for (int i = 0; i < 2; i++) {
        int after = s_int (c, fields[i]);
        if (after == before[i])
            continue;
        changed = true;
        broker_case_emit (ctx, PROTO_EVT_CASE_DEADLINE_MOVED, c,
                          json_pack ("{s:s, s:i, s:i, s:s}", "field", fields[i], "from", before[i],
                                     "to", after, "reason", reason),
                          NULL);
    }
    return changed;
}
