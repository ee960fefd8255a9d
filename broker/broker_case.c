/*  broker_case.c — see broker_case.h. */
#include "broker_case.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_idcheck.h"
#include "broker_vault.h"

//  States, as on the wire.
#define S_SUPPLEMENT   "supplement_pending"
#define S_ACCEPTED     "accepted"
#define S_REVIEW       "in_review"
#define S_SPECIAL      "special_procedure"
#define S_APPROVED     "approved"
#define S_DENIED       "denied"
#define S_AWAITING     "awaiting_pickup"
#define S_READY        "ready_for_pickup"
#define S_COLLECTED    "collected"
#define S_NOT_ACCEPTED "not_accepted"
#define S_WITHDRAWN    "withdrawn"

#define NAME_MAX_BYTES   64
#define REASON_MAX_BYTES 512
#define CASE_NO_MAX      48

static const char *
s_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

static int
s_int (const json_t *j, const char *key)
{
    return (int)json_integer_value (json_object_get (j, key));
}

static bool
s_state_is (const json_t *c, const char *state)
{
    return strcmp (s_str (c, "state"), state) == 0;
}

//  Open states: anything not final. A case awaiting pickup is still open (its result
//  has not reached the citizen).
static bool
s_open (const char *state)
{
    return strcmp (state, S_SUPPLEMENT) == 0 || strcmp (state, S_ACCEPTED) == 0 ||
           strcmp (state, S_REVIEW) == 0 || strcmp (state, S_SPECIAL) == 0 ||
           strcmp (state, S_AWAITING) == 0 || strcmp (state, S_READY) == 0;
}

//  Decided, with a result on its way to the citizen (at the counter or in a cabinet).
static bool
s_decided (const char *state)
{
    return strcmp (state, S_AWAITING) == 0 || strcmp (state, S_READY) == 0;
}

//  States in which the legal clock runs.
static bool
s_clock_running (const char *state)
{
    return strcmp (state, S_ACCEPTED) == 0 || strcmp (state, S_REVIEW) == 0;
}

int
broker_today (const broker_ctx_t *ctx)
{
    return broker_business_day (ctx->now, ctx->config->utc_offset_min, 0);
}

static const broker_item_cfg_t *
s_item_of (broker_ctx_t *ctx, const json_t *c)
{
    int i = broker_config_item (ctx->config, s_str (c, "item"));
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
static void
s_clock (broker_ctx_t *ctx, json_t *c)
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
static void
s_pause_close (json_t *c, int today)
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
    json_t *v = json_pack ("{s:s}", "name", s_str (a, "name"));
    const char *id = s_str (a, "id_number"), *uscc = s_str (a, "uscc"), *phone = s_str (a, "phone");
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
    const char *st = s_str (c, "state");
    char text[1024];
    if (strcmp (st, S_SUPPLEMENT) == 0) {
        char list[700] = "";
        size_t i;
        json_t *m;
        json_array_foreach (json_object_get (c, "missing"), i, m) {
            size_t len = strlen (list);
            snprintf (list + len, sizeof list - len, "%s%s", i ? "、" : "", json_string_value (m));
        }
        snprintf (text, sizeof text,
                  "请补齐材料后到窗口提交：%s / Bring the missing material to a counter", list);
    } else if (strcmp (st, S_ACCEPTED) == 0 || strcmp (st, S_REVIEW) == 0) {
        int d = s_int (c, "promised_deadline");
        snprintf (text, sizeof text,
                  "审批中，承诺 %04d-%02d-%02d 前办结 / In review; promised by that date",
                  d / 10000, d / 100 % 100, d % 100);
    } else if (strcmp (st, S_SPECIAL) == 0)
        snprintf (text, sizeof text,
                  "特别程序中（不计入办理时限） / In a special procedure (the clock is stopped)");
    else if (strcmp (st, S_AWAITING) == 0)
        snprintf (text, sizeof text,
                  "已办结，请凭取号单二维码到窗口领取 / Ready: collect it at a counter with your "
                  "slip's QR code");
    else if (strcmp (st, S_READY) == 0) {
        const json_t *p = json_object_get (c, "pickup");
        snprintf (
            text, sizeof text,
            "已存入%s %s 格口，请到智能柜扫取号单二维码取件 / In cabinet %s, slot %s: scan your "
            "slip's QR code there",
            s_str (p, "cabinet_name"), s_str (p, "slot"), s_str (p, "cabinet"), s_str (p, "slot"));
    } else if (strcmp (st, S_APPROVED) == 0)
        snprintf (text, sizeof text, "已办结（准予） / Approved");
    else if (strcmp (st, S_DENIED) == 0)
        snprintf (text, sizeof text, "不予许可：%s / Denied", s_str (c, "reason"));
    else if (strcmp (st, S_COLLECTED) == 0)
        snprintf (text, sizeof text, "已领取 / Collected");
    else if (strcmp (st, S_NOT_ACCEPTED) == 0)
        snprintf (text, sizeof text, "不予受理：%s / Not accepted", s_str (c, "reason"));
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
        json_object_set_new (v, "token", json_string (s_str (c, "token")));
    const char *st = s_str (c, "state");
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
    const char *no = s_str (c, "case_no");
    broker_store_put_json (ctx->store, BROKER_DB_CASES, no, strlen (no), c);
    if (s_open (s_str (c, "state")))
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
    const char *no = s_str (c, "case_no");
    size_t nlen = strlen (no);
    unsigned char key[CASE_NO_MAX + 9];
    if (nlen > CASE_NO_MAX)
        return;
    memcpy (key, no, nlen);
    key[nlen] = 0;
    broker_key_u64 (seq, key + nlen + 1);
    broker_store_put (ctx->store, BROKER_DB_CASE_LOG, key, nlen + 9, "", 0);
}

//  The case named by body's case_no, or NULL with unknown_case. Caller owns it.
static json_t *
s_case_of (broker_ctx_t *ctx, const json_t *body)
{
    const char *no = s_str (body, "case_no");
    json_t *c = strlen (no) <= CASE_NO_MAX ? broker_case_load (ctx, no) : NULL;
    if (!c)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_CASE, "no case %.48s in this hall", no);
    return c;
}

static int
s_wrong_state (broker_ctx_t *ctx, const json_t *c, const char *what)
{
    return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "case %s is %s; %s", s_str (c, "case_no"),
                        s_str (c, "state"), what);
}

static void
s_set_state (json_t *c, const char *state)
{
    json_object_set_new (c, "state", json_string (state));
}

//  ---------------------------------------------------------------------------------------
//  Intake

typedef enum { INTAKE_ACCEPT, INTAKE_SUPPLEMENT, INTAKE_REFUSE } s_intake_t;

static void
s_check_add (json_t *checks, const char *check, bool ok, const char *reason, bool advisory)
{
    json_t *j = json_pack ("{s:s, s:b, s:s}", "check", check, "ok", ok, "reason", reason);
    if (advisory)
        json_object_set_new (j, "advisory", json_true ());
    json_array_append_new (checks, j);
}

//  An open case of the same applicant (`kind` "p" for an ID number, "c" for a USCC) and
//  item; its number into `found`, or "" if none.
static void
s_find_duplicate (broker_ctx_t *ctx, char kind, const char *who, const char *item, char *found,
                  size_t size)
{
    char prefix[160];
    int plen = snprintf (prefix, sizeof prefix, "%c|%s|%s|", kind, who, item);
    *found = 0;
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_APPLICANT_CASES, prefix, (size_t)plen, &it);
    while (broker_store_next (&it)) {
        size_t nlen = it.key.mv_size - (size_t)plen;
        MDB_val v;
        if (nlen > 0 && nlen <= CASE_NO_MAX &&
            broker_store_get (ctx->store, BROKER_DB_OPEN_CASES, (const char *)it.key.mv_data + plen,
                              nlen, &v) == 0) {
            snprintf (found, size, "%.*s", (int)nlen, (const char *)it.key.mv_data + plen);
            break;
        }
    }
    broker_store_scan_end (&it);
}

static void
s_index_applicant (broker_ctx_t *ctx, char kind, const char *who, const char *item,
                   const char *case_no)
{
    char key[200];
    int len = snprintf (key, sizeof key, "%c|%s|%s|%s", kind, who, item, case_no);
    if (len > 0 && (size_t)len < sizeof key)
        broker_store_put (ctx->store, BROKER_DB_APPLICANT_CASES, key, (size_t)len, "", 0);
}

//  Runs the checks of an intake. Fills `checks`, the canonical ID/USCC/phone, and the
//  documents missing. Returns 0, or -1 with a failure recorded (bad input, not a check).
static int
s_run_checks (broker_ctx_t *ctx, const json_t *body, const broker_item_cfg_t *item, json_t *checks,
              char *id, char *uscc, char *phone, json_t *missing_names)
{
    int today = broker_today (ctx);
    broker_check_t r;
    const char *id_in = json_string_value (json_object_get (body, "id_number"));
    const char *uscc_in = json_string_value (json_object_get (body, "uscc"));
    const char *phone_in = json_string_value (json_object_get (body, "phone"));
    if (item->applicant == BROKER_APPLICANT_PERSON && !id_in)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD,
                            "%s is applied for by a person: give id_number", item->id);
    if (item->applicant == BROKER_APPLICANT_COMPANY && !uscc_in)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD,
                            "%s is applied for by a company: give uscc", item->id);
    if (!id_in && !uscc_in)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD,
                            "give id_number or uscc for the applicant");
    if (broker_check_length (ctx, "id_number", id_in, 32) ||
        broker_check_length (ctx, "uscc", uscc_in, 32) ||
        broker_check_length (ctx, "phone", phone_in, 32))
        return -1;
    if (id_in) {
        broker_idcheck_id_number (id_in, today, &r);
        s_check_add (checks, r.ok ? "id_number" : r.code, r.ok, r.reason, false);
        //  Stored as the clerk typed it, upper-cased, when it is not valid.
        snprintf (id, 32, "%s", r.ok ? r.canonical : id_in);
        for (char *p = id; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    }
    if (uscc_in) {
        broker_idcheck_uscc (uscc_in, &r);
        s_check_add (checks, r.ok ? "uscc" : r.code, r.ok, r.reason, false);
        snprintf (uscc, 32, "%s", r.ok ? r.canonical : uscc_in);
        if (r.ok) {
            //  Some genuine older codes fail the organisation-code check: a warning only.
            broker_idcheck_uscc_org (uscc_in, &r);
            if (!r.ok)
                s_check_add (checks, r.code, false, r.reason, true);
        }
    }
    if (phone_in) {
        broker_idcheck_phone (phone_in, &r);
        s_check_add (checks, r.ok ? "phone" : r.code, r.ok, r.reason, false);
        snprintf (phone, 32, "%s", r.ok ? r.canonical : phone_in);
    }
    //  Documents: each named must be one the item requires; every required one present.
    json_t *docs = json_object_get (body, "documents");
    size_t i;
    json_t *d;
    json_array_foreach (docs, i, d) {
        const char *doc = json_string_value (d);
        bool known = false;
        for (int k = 0; doc && k < item->ndocs; k++)
            known = known || strcmp (item->docs[k].id, doc) == 0;
        if (!known)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "documents[%zu] is not a document of %s (see hall.info items)", i,
                                item->id);
    }
    char list[600] = "";
    for (int k = 0; k < item->ndocs; k++) {
        bool given = false;
        json_array_foreach (docs, i, d)
            given = given || strcmp (json_string_value (d), item->docs[k].id) == 0;
        if (!given) {
            json_array_append_new (missing_names, json_string (item->docs[k].name));
            size_t len = strlen (list);
            snprintf (list + len, sizeof list - len, "%s%s", len ? "、" : "", item->docs[k].name);
        }
    }
    char reason[800];
    if (json_array_size (missing_names))
        snprintf (reason, sizeof reason, "材料不全：缺 %s / required documents missing", list);
    else
        snprintf (reason, sizeof reason, "材料齐全 / all required documents present");
    s_check_add (checks, "documents", json_array_size (missing_names) == 0, reason, false);
    //  Duplicate: an open case of the same applicant for the same item.
    char found[CASE_NO_MAX + 1] = "";
    if (id_in)
        s_find_duplicate (ctx, 'p', id, item->id, found, sizeof found);
    if (!*found && uscc_in)
        s_find_duplicate (ctx, 'c', uscc, item->id, found, sizeof found);
    if (*found)
        snprintf (
            reason, sizeof reason,
            "该申请人已有同一事项的在办件 %s / an open case for this applicant and item exists",
            found);
    else
        snprintf (reason, sizeof reason, "无重复在办件 / no open case for this applicant and item");
    s_check_add (checks, "duplicate", !*found, reason, false);
    return 0;
}

//  Applies the clerk's overrides and decides. 0 if nothing blocks; -1 with check_failed
//  (and the checks in the error body) if a failed check is neither advisory, waived by
//  this kind of intake, nor overridden.
static int
s_apply_overrides (broker_ctx_t *ctx, const json_t *body, json_t *checks, s_intake_t kind)
{
    json_t *overrides = json_object_get (body, "overrides");
    const char *key;
    json_t *value;
    json_object_foreach (overrides, key, value) {
        bool failed = false;
        size_t i;
        json_t *ch;
        json_array_foreach (checks, i, ch)
            if (strcmp (s_str (ch, "check"), key) == 0 &&
                !json_is_true (json_object_get (ch, "ok")))
                failed = true;
        if (!json_is_string (value) || json_string_length (value) == 0 ||
            json_string_length (value) >= REASON_MAX_BYTES)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "overrides.%.40s must be the reason, 1 to %d bytes", key,
                                REASON_MAX_BYTES - 1);
        if (!failed)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "overrides names \"%.40s\", which is not a failed check", key);
    }
    int blocking = 0;
    char list[256] = "";
    size_t i;
    json_t *ch;
    json_array_foreach (checks, i, ch) {
        if (json_is_true (json_object_get (ch, "ok")))
            continue;
        const char *name = s_str (ch, "check");
        json_t *why = json_object_get (overrides, name);
        if (why) {
            json_object_set (ch, "override", why);
            continue;
        }
        if (json_is_true (json_object_get (ch, "advisory")))
            continue;
        //  Missing documents are the point of a supplement notice; a refusal records all.
        if (kind == INTAKE_REFUSE || (kind == INTAKE_SUPPLEMENT && strcmp (name, "documents") == 0))
            continue;
        size_t len = strlen (list);
        snprintf (list + len, sizeof list - len, "%s%s", len ? ", " : "", name);
        blocking++;
    }
    if (blocking) {
        broker_fail (ctx, PROTO_ERR_CHECK_FAILED,
                     "intake checks failed: %s; correct the input, or override each with a reason",
                     list);
        ctx->err_detail = json_pack ("{s:O}", "checks", checks);
        return -1;
    }
    return 0;
}

static int
s_intake (broker_ctx_t *ctx, const json_t *body, s_intake_t kind)
{
    broker_counter_t *counter;
    broker_ticket_t *ticket;
    if (broker_counter_ticket (ctx, body, TICKET_SERVING, &counter, &ticket))
        return -1;
    const char *item_id = s_str (body, "item");
    int ii = broker_config_item (ctx->config, item_id);
    if (ii < 0)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_ITEM, "no service item \"%.40s\" in this hall",
                            item_id);
    const broker_item_cfg_t *item = &ctx->config->items[ii];
    const char *name = s_str (body, "name");
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "name", name, NAME_MAX_BYTES) ||
        broker_check_length (ctx, "reason", reason, REASON_MAX_BYTES))
        return -1;
    json_t *extra_missing = json_object_get (body, "missing");
    size_t i;
    json_t *m;
    json_array_foreach (extra_missing, i, m)
        if (!json_is_string (m) || json_string_length (m) == 0 || json_string_length (m) > 200)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "missing[%zu] must be a text of 1..200 bytes", i);
    int today = broker_today (ctx);
    char key[48];
    snprintf (key, sizeof key, "case/%08d", today);
    long seq = broker_number_peek (ctx, key);
    if (seq < 0 || seq >= 99999)
        return broker_fail (ctx, PROTO_ERR_INTERNAL,
                            "the case number counter %s is unreadable or full", key);

    json_t *checks = json_array ();
    json_t *missing = json_array ();
    char id[32] = "", uscc[32] = "", phone[32] = "";
    if (s_run_checks (ctx, body, item, checks, id, uscc, phone, missing) ||
        s_apply_overrides (ctx, body, checks, kind)) {
        json_decref (checks);
        json_decref (missing);
        return -1;
    }
    if (kind == INTAKE_SUPPLEMENT && json_array_size (missing) == 0 &&
        json_array_size (extra_missing) == 0) {
        json_decref (checks);
        json_decref (missing);
        return broker_fail (
            ctx, PROTO_ERR_BAD_FIELD,
            "nothing is missing: every required document is here (use case.accept), "
            "or list what else is needed in \"missing\"");
    }
    //  Nothing can fail from here on.
    broker_number_put (ctx, key, ++seq);
    char case_no[CASE_NO_MAX + 1];
    snprintf (case_no, sizeof case_no, "%s-%08d-%04ld", ctx->config->hall_id, today, seq);
    json_array_foreach (extra_missing, i, m)
        json_array_append (missing, m);
    json_t *applicant = json_pack ("{s:s}", "name", name);
    if (*id)
        json_object_set_new (applicant, "id_number", json_string (id));
    if (*uscc)
        json_object_set_new (applicant, "uscc", json_string (uscc));
    if (*phone)
        json_object_set_new (applicant, "phone", json_string (phone));
    json_t *docs = json_object_get (body, "documents");
    const char *state = kind == INTAKE_ACCEPT       ? S_ACCEPTED
                        : kind == INTAKE_SUPPLEMENT ? S_SUPPLEMENT
                                                    : S_NOT_ACCEPTED;
    json_t *c = json_pack (
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:I, s:s}, s:o, s:O, s:o, s:o, s:s,"
        " s:I, s:i, s:i, s:i, s:[], s:[], s:i, s:s}",
        "case_no", case_no, "hall", ctx->config->hall_id, "item", item->id, "item_name", item->name,
        "service", ctx->config->services[item->service].prefix, "department", item->department,
        "kind", item->kind == BROKER_ITEM_IMMEDIATE ? "immediate" : "promised", "physical",
        item->physical, "token", ticket->token, "ticket", "id", (json_int_t)ticket->id, "number",
        ticket->number, "applicant", applicant, "documents", docs ? docs : json_array (), "missing",
        missing, "checks", checks, "state", state, "received", (json_int_t)ctx->now,
        "statutory_days", item->statutory_days, "promised_days", item->promised_days,
        "extension_days", 0, "pauses", "warnings", "counter", counter->id, "clerk", counter->clerk);
    if (kind == INTAKE_REFUSE) {
        json_object_set_new (c, "reason", json_string (reason ? reason : ""));
        json_object_set_new (c, "concluded", json_integer (ctx->now));
    }
    if (kind == INTAKE_ACCEPT) {
        json_object_set_new (c, "accepted", json_integer (ctx->now));
        json_object_set_new (c, "accepted_day", json_integer (today));
    }
    s_clock (ctx, c);
    broker_case_save (ctx, c);
    char tkey[PROTO_TOKEN_LEN + CASE_NO_MAX + 2];
    int tlen = snprintf (tkey, sizeof tkey, "%s|%s", ticket->token, case_no);
    broker_store_put (ctx->store, BROKER_DB_TOKEN_CASES, tkey, (size_t)tlen, "", 0);
    if (*id)
        s_index_applicant (ctx, 'p', id, item->id, case_no);
    if (*uscc)
        s_index_applicant (ctx, 'c', uscc, item->id, case_no);

    json_t *reply = broker_case_view (ctx, c, false);
    json_object_set_new (reply, "token", json_string (ticket->token));
    if (kind == INTAKE_ACCEPT)
        broker_case_emit (ctx, PROTO_EVT_CASE_ACCEPTED, c, json_pack ("{s:b}", "intake", 1),
                          counter->clerk);
    else if (kind == INTAKE_SUPPLEMENT) {
        //  The one-time notice (一次性告知): everything missing, in one list.
        json_object_set_new (reply, "notice", json_incref (json_object_get (reply, "next_step")));
        broker_case_emit (
            ctx, PROTO_EVT_CASE_SUPPLEMENT_REQUESTED, c,
            json_pack ("{s:O, s:b}", "missing", json_object_get (c, "missing"), "intake", 1),
            counter->clerk);
    } else
        broker_case_emit (ctx, PROTO_EVT_CASE_NOT_ACCEPTED, c,
                          json_pack ("{s:s, s:b}", "reason", reason ? reason : "", "intake", 1),
                          counter->clerk);
    json_decref (c);
    ctx->reply = reply;
    return 0;
}

int
broker_h_case_accept (broker_ctx_t *ctx, const json_t *body)
{
    return s_intake (ctx, body, INTAKE_ACCEPT);
}

int
broker_h_case_supplement (broker_ctx_t *ctx, const json_t *body)
{
    return s_intake (ctx, body, INTAKE_SUPPLEMENT);
}

int
broker_h_case_not_accepted (broker_ctx_t *ctx, const json_t *body)
{
    return s_intake (ctx, body, INTAKE_REFUSE);
}

//  ---------------------------------------------------------------------------------------
//  After intake

//  Common start of the back-office commands: the case, the clerk, a length check.
static json_t *
s_begin (broker_ctx_t *ctx, const json_t *body, const char **clerk, const char **reason)
{
    *clerk = json_string_value (json_object_get (body, "clerk"));
    if (reason)
        *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "clerk", *clerk, NAME_MAX_BYTES) ||
        (reason && broker_check_length (ctx, "reason", *reason, REASON_MAX_BYTES)))
        return NULL;
    return s_case_of (ctx, body);
}

static int
s_finish (broker_ctx_t *ctx, json_t *c, proto_evt_t evt, json_t *extra, const char *clerk)
{
    s_clock (ctx, c);
    broker_case_save (ctx, c);
    broker_case_emit (ctx, evt, c, extra, clerk);
    ctx->reply = broker_case_view (ctx, c, false);
    json_decref (c);
    return 0;
}

int
broker_h_case_supplement_received (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk;
    json_t *c = s_begin (ctx, body, &clerk, NULL);
    if (!c)
        return -1;
    if (!s_state_is (c, S_SUPPLEMENT)) {
        s_wrong_state (ctx, c, "no material is awaited");
        json_decref (c);
        return -1;
    }
    const broker_item_cfg_t *item = s_item_of (ctx, c);
    //  The documents now held: those at intake plus those brought now. Still missing
    //  required ones block, unless overridden (容缺受理).
    json_t *docs = json_deep_copy (json_object_get (c, "documents"));
    size_t i;
    json_t *d;
    json_array_foreach (json_object_get (body, "documents"), i, d) {
        const char *doc = json_string_value (d);
        bool known = false;
        for (int k = 0; item && doc && k < item->ndocs; k++)
            known = known || strcmp (item->docs[k].id, doc) == 0;
        if (!known) {
            json_decref (docs);
            json_decref (c);
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "documents[%zu] is not a document of %s",
                                i, s_str (c, "item"));
        }
        json_array_append (docs, d);
    }
    json_t *checks = json_array ();
    char list[600] = "";
    for (int k = 0; item && k < item->ndocs; k++) {
        bool given = false;
        json_array_foreach (docs, i, d)
            given = given || strcmp (json_string_value (d), item->docs[k].id) == 0;
        if (!given) {
            size_t len = strlen (list);
            snprintf (list + len, sizeof list - len, "%s%s", len ? "、" : "", item->docs[k].name);
        }
    }
    char reason[800];
    snprintf (reason, sizeof reason,
              *list ? "材料仍不全：缺 %s / still missing" : "材料齐全 / complete", list);
    s_check_add (checks, "documents", !*list, reason, false);
    if (s_apply_overrides (ctx, body, checks, INTAKE_ACCEPT)) {
        json_decref (checks);
        json_decref (docs);
        json_decref (c);
        return -1;
    }
    int today = broker_today (ctx);
    json_object_set_new (c, "documents", docs);
    //  What is still missing stays listed even when the clerk accepted without it (容缺受理).
    json_t *still = json_array ();
    for (int k = 0; item && k < item->ndocs; k++) {
        bool given = false;
        json_array_foreach (docs, i, d)
            given = given || strcmp (json_string_value (d), item->docs[k].id) == 0;
        if (!given)
            json_array_append_new (still, json_string (item->docs[k].name));
    }
    json_object_set_new (c, "missing", still);
    json_array_extend (json_object_get (c, "checks"), checks);
    json_decref (checks);
    if (!s_int (c, "accepted_day")) {
        //  Art. 32: accepted on the day the material arrived.
        s_set_state (c, S_ACCEPTED);
        json_object_set_new (c, "accepted", json_integer (ctx->now));
        json_object_set_new (c, "accepted_day", json_integer (today));
    } else {
        s_pause_close (c, today);
        const char *prev = s_str (c, "prev_state");
        s_set_state (c, *prev ? prev : S_REVIEW);
    }
    json_object_del (c, "prev_state");
    return s_finish (ctx, c, PROTO_EVT_CASE_SUPPLEMENT_RECEIVED, NULL, clerk);
}

int
broker_h_case_get (broker_ctx_t *ctx, const json_t *body)
{
    json_t *c = s_case_of (ctx, body);
    if (!c)
        return -1;
    ctx->reply = broker_case_view (ctx, c, true);
    json_decref (c);
    return 0;
}

//  Numbers of all open cases. Caller owns the array.
static json_t *
s_open_cases (broker_ctx_t *ctx)
{
    json_t *names = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_OPEN_CASES, NULL, 0, &it);
    while (broker_store_next (&it))
        json_array_append_new (names, json_stringn (it.key.mv_data, it.key.mv_size));
    broker_store_scan_end (&it);
    return names;
}

static int
s_by_deadline (const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    //  Cases without a running deadline (paused, awaiting pickup) sort last.
    long dx = s_clock_running (s_str (x, "state"))
                  ? json_integer_value (json_object_get (x, "promised_deadline"))
                  : 0;
    long dy = s_clock_running (s_str (y, "state"))
                  ? json_integer_value (json_object_get (y, "promised_deadline"))
                  : 0;
    if (!dx)
        dx = 99999999;
    if (!dy)
        dy = 99999999;
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp (s_str (x, "case_no"), s_str (y, "case_no"));
}

int
broker_h_case_queue (broker_ctx_t *ctx, const json_t *body)
{
    const char *dept = json_string_value (json_object_get (body, "department"));
    const char *state = json_string_value (json_object_get (body, "state"));
    json_t *names = s_open_cases (ctx);
    size_t n = json_array_size (names);
    json_t **list = calloc (n ? n : 1, sizeof *list);
    size_t count = 0;
    size_t i;
    json_t *name;
    json_array_foreach (names, i, name) {
        json_t *c = broker_case_load (ctx, json_string_value (name));
        if (!c || (dept && strcmp (dept, s_str (c, "department")) != 0) ||
            (state && strcmp (state, s_str (c, "state")) != 0)) {
            json_decref (c);
            continue;
        }
        list[count++] = c;
    }
    qsort (list, count, sizeof *list, s_by_deadline);
    json_t *cases = json_array ();
    for (size_t k = 0; k < count; k++) {
        json_array_append_new (cases, broker_case_view (ctx, list[k], false));
        json_decref (list[k]);
    }
    free (list);
    json_decref (names);
    ctx->reply = json_pack ("{s:o, s:i}", "cases", cases, "today", broker_today (ctx));
    return 0;
}

int
broker_h_case_review (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk;
    json_t *c = s_begin (ctx, body, &clerk, NULL);
    if (!c)
        return -1;
    if (!s_state_is (c, S_ACCEPTED)) {
        s_wrong_state (ctx, c, "only an accepted case can be taken into review");
        json_decref (c);
        return -1;
    }
    s_set_state (c, S_REVIEW);
    json_object_set_new (c, "reviewer", json_string (clerk ? clerk : ""));
    json_object_set_new (c, "review_started", json_integer (ctx->now));
    return s_finish (ctx, c, PROTO_EVT_CASE_REVIEW_STARTED, NULL, clerk);
}

//  A decision: from in_review, or from accepted for an immediate item (即办件: decided at
//  the counter). Counters may decide immediate items only.
static int
s_decide (broker_ctx_t *ctx, const json_t *body, bool approve)
{
    const char *clerk, *reason;
    json_t *c = s_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    bool immediate = strcmp (s_str (c, "kind"), "immediate") == 0;
    if (!s_state_is (c, S_REVIEW) && !(immediate && s_state_is (c, S_ACCEPTED))) {
        s_wrong_state (ctx, c,
                       immediate ? "it cannot be decided now"
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
            s_str (c, "item"));
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
    s_set_state (c, !approve ? S_DENIED : physical ? S_AWAITING : S_APPROVED);
    if (!approve)
        return s_finish (ctx, c, PROTO_EVT_CASE_DENIED, json_pack ("{s:s}", "reason", reason),
                         clerk);
    return s_finish (ctx, c, PROTO_EVT_CASE_APPROVED, NULL, clerk);
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
    json_t *c = s_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    if (!s_state_is (c, S_ACCEPTED) && !s_state_is (c, S_REVIEW)) {
        s_wrong_state (ctx, c, "material can be requested only while it is accepted or in review");
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
    json_object_set_new (c, "prev_state", json_string (s_str (c, "state")));
    json_object_set (c, "missing", missing);
    s_pause_open (c, "supplement", broker_today (ctx), reason);
    s_set_state (c, S_SUPPLEMENT);
    return s_finish (ctx, c, PROTO_EVT_CASE_SUPPLEMENT_REQUESTED,
                     json_pack ("{s:O, s:s}", "missing", missing, "reason", reason ? reason : ""),
                     clerk);
}

int
broker_h_case_extend (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = s_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    const broker_item_cfg_t *item = s_item_of (ctx, c);
    json_int_t days = json_integer_value (json_object_get (body, "days"));
    const char *st = s_str (c, "state");
    int rc = 0;
    if (!s_int (c, "accepted_day") || !s_open (st) || s_decided (st))
        rc = s_wrong_state (ctx, c, "only a case on the clock can be extended");
    else if (s_int (c, "extension_days"))
        rc = s_wrong_state (ctx, c, "it was extended already (one extension per case, Art. 42)");
    else if (!item || days < 1 || days > item->max_extension_days)
        rc = broker_fail (ctx, PROTO_ERR_BAD_FIELD, "days must be 1 to %d for this item",
                          item ? item->max_extension_days : 0);
    if (rc) {
        json_decref (c);
        return -1;
    }
    json_object_set_new (c, "extension_days", json_integer (days));
    json_object_set_new (c, "extension_reason", json_string (reason));
    return s_finish (ctx, c, PROTO_EVT_CASE_EXTENDED,
                     json_pack ("{s:I, s:s}", "days", days, "reason", reason), clerk);
}

int
broker_h_case_special_start (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = s_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    if (!s_state_is (c, S_ACCEPTED) && !s_state_is (c, S_REVIEW)) {
        s_wrong_state (ctx, c, "a special procedure starts from accepted or in review");
        json_decref (c);
        return -1;
    }
    json_object_set_new (c, "prev_state", json_string (s_str (c, "state")));
    s_pause_open (c, "special", broker_today (ctx), reason);
    s_set_state (c, S_SPECIAL);
    return s_finish (ctx, c, PROTO_EVT_CASE_SPECIAL_STARTED, json_pack ("{s:s}", "reason", reason),
                     clerk);
}

int
broker_h_case_special_end (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk;
    json_t *c = s_begin (ctx, body, &clerk, NULL);
    if (!c)
        return -1;
    if (!s_state_is (c, S_SPECIAL)) {
        s_wrong_state (ctx, c, "no special procedure is running");
        json_decref (c);
        return -1;
    }
    s_pause_close (c, broker_today (ctx));
    const char *prev = s_str (c, "prev_state");
    s_set_state (c, *prev ? prev : S_REVIEW);
    json_object_del (c, "prev_state");
    return s_finish (ctx, c, PROTO_EVT_CASE_SPECIAL_ENDED, NULL, clerk);
}

int
broker_h_case_withdraw (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = s_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    const char *st = s_str (c, "state");
    if (!s_open (st) || s_decided (st)) {
        s_wrong_state (ctx, c, "only a case not yet decided can be withdrawn");
        json_decref (c);
        return -1;
    }
    s_pause_close (c, broker_today (ctx));
    s_set_state (c, S_WITHDRAWN);
    json_object_set_new (c, "reason", json_string (reason ? reason : ""));
    json_object_set_new (c, "concluded", json_integer (ctx->now));
    return s_finish (ctx, c, PROTO_EVT_CASE_WITHDRAWN,
                     json_pack ("{s:s}", "reason", reason ? reason : ""), clerk);
}

int
broker_h_case_hand_out (broker_ctx_t *ctx, const json_t *body)
{
    broker_counter_t *counter = broker_counter_of (ctx, body);
    if (!counter)
        return -1;
    if (counter->state == COUNTER_LOGGED_OUT)
        return broker_fail (ctx, PROTO_ERR_NOT_LOGGED_IN, "counter %d is not logged in",
                            counter->id);
    json_t *c = s_case_of (ctx, body);
    if (!c)
        return -1;
    if (!s_state_is (c, S_AWAITING)) {
        s_wrong_state (ctx, c, "only a result awaiting pickup can be handed out");
        json_decref (c);
        return -1;
    }
    s_set_state (c, S_COLLECTED);
    json_object_set_new (c, "collected", json_integer (ctx->now));
    json_object_set_new (c, "collected_at",
                         json_pack ("{s:s, s:i}", "kind", "counter", "counter", counter->id));
    return s_finish (ctx, c, PROTO_EVT_CASE_COLLECTED, json_pack ("{s:i}", "counter", counter->id),
                     counter->clerk);
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
                   s_str (e, "topic"), "state", s_str (cs, "state"));
    const char *fields[] = {"clerk",   "device",  "reason", "level", "days",      "counter",
                            "missing", "cabinet", "slot",   "proxy", "proxy_name"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (json_object_get (e, fields[i]))
            json_object_set (step, fields[i], json_object_get (e, fields[i]));
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
    json_t *c = s_case_of (ctx, body);
    if (!c)
        return -1;
    const char *no = s_str (c, "case_no");
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
        char no[CASE_NO_MAX + 1];
        size_t nlen = it.key.mv_size - (size_t)plen;
        if (nlen > CASE_NO_MAX)
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

//  Raises the warnings that are due for one case, each once.
static void
s_warn_case (broker_ctx_t *ctx, json_t *c, int today)
{
    const char *st = s_str (c, "state");
    if (!s_clock_running (st) || !s_int (c, "accepted_day"))
        return;
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
    if (changed)
        broker_case_save (ctx, c);
}

void
broker_case_timers (broker_ctx_t *ctx)
{
    if (!ctx->calendar)
        return;
    int today = broker_today (ctx);
    json_t *names = s_open_cases (ctx);
    size_t i;
    json_t *name;
    json_array_foreach (names, i, name) {
        json_t *c = broker_case_load (ctx, json_string_value (name));
        if (c)
            s_warn_case (ctx, c, today);
        if (c && broker_vault_overdue (ctx, c))
            broker_case_save (ctx, c);
        json_decref (c);
    }
    json_decref (names);
}
