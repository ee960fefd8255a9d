/*  broker_vault.c — see broker_vault.h. */
#include "broker_vault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_case.h"
#include "broker_idcheck.h"
#include "broker_pickup.h"
#include "proto_json.h"
#include "proto_token.h"

#define CAB_MAX 32

//  The cabinet id of the request: 1..32 bytes of letters, digits, '-' or '_'.
static const char *
s_cabinet (broker_ctx_t *ctx, const json_t *body)
{
    const char *id = proto_str (body, "cabinet");
    size_t n = strlen (id);
    bool ok = n >= 1 && n <= CAB_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= 'a' && id[i] <= 'z') ||
             (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_';
    if (!ok) {
        broker_fail (ctx, PROTO_ERR_BAD_FIELD, "cabinet must be 1..%d letters, digits, - or _",
                     CAB_MAX);
        return NULL;
    }
    return id;
}

//  The case a scanned code leads to, among those in `state`: the code may be a ticket
//  token (or its URL), a proxy pickup code, or (for staff) a case number. NULL with the
//  failure recorded. *proxy says whether a proxy code was used. Caller owns it.
static json_t *
s_case_by_code (broker_ctx_t *ctx, const char *code, const char *state, bool allow_case_no,
                bool *proxy)
{
    *proxy = false;
    char token[PROTO_TOKEN_LEN + 1];
    json_t *candidates = json_array ();
    if (proto_token_parse (code, strlen (code), token) == 0) {
        char prefix[PROTO_TOKEN_LEN + 2];
        int plen = snprintf (prefix, sizeof prefix, "%s|", token);
        broker_store_iter_t it;
        broker_store_scan (ctx->store, BROKER_DB_TOKEN_CASES, prefix, (size_t)plen, &it);
        while (broker_store_next (&it))
            json_array_append_new (candidates, json_stringn ((const char *)it.key.mv_data + plen,
                                                             it.key.mv_size - (size_t)plen));
        broker_store_scan_end (&it);
        MDB_val v;
        if (!json_array_size (candidates) &&
            broker_store_get (ctx->store, BROKER_DB_PROXY_CODES, token, PROTO_TOKEN_LEN, &v) == 0) {
            json_array_append_new (candidates, json_stringn (v.mv_data, v.mv_size));
            *proxy = true;
        }
    } else if (allow_case_no && strlen (code) <= 48)
        json_array_append_new (candidates, json_string (code));
    else {
        json_decref (candidates);
        broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                     "不是取件码，请扫描取号单二维码或输入 8 位取件码 / not a pickup code: scan "
                     "the QR code of the slip or notice, or type the 8-digit pickup code");
        return NULL;
    }
    //  Prefer the case in the wanted state; otherwise report the most telling one.
    json_t *best = NULL;
    size_t i;
    json_t *no;
    json_array_foreach (candidates, i, no) {
        json_t *c = broker_case_load (ctx, json_string_value (no));
        if (!c)
            continue;
        if (strcmp (proto_str (c, "state"), state) == 0) {
            json_decref (best);
            best = c;
            break;
        }
        json_decref (best);
        best = c;
    }
    json_decref (candidates);
    if (!best)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_CASE, "no case has this code");
    return best;
}

static int
s_state_error (broker_ctx_t *ctx, const json_t *c, const char *want)
{
    const char *st = proto_str (c, "state");
    if (strcmp (st, "collected") == 0) {
        char when[24];
        broker_format_time (json_integer_value (json_object_get (c, "collected")),
                            ctx->config->utc_offset_min, when, sizeof when);
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "已于 %.16s 领取 / collected at %.16s",
                            when, when);
    }
    return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "case %s is %s, not %s",
                        proto_str (c, "case_no"), st, want);
}

//  Why a citizen's code opens no door now, in words for the cabinet's screen and never a
//  state's internal name: a result taken back from a cabinet is to be collected at a
//  counter, a case not decided yet has nothing to collect.
static int
s_refused (broker_ctx_t *ctx, const json_t *c)
{
    const char *st = proto_str (c, "state");
    if (strcmp (st, BROKER_CASE_COLLECTED) == 0)
        return s_state_error (ctx, c, BROKER_CASE_READY);
    if (strcmp (st, BROKER_CASE_AWAITING) == 0)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "本件请到窗口领取，请携带身份证件 / please collect this result at a "
                            "counter, with your ID card");
    if (strcmp (st, BROKER_CASE_SUPPLEMENT) == 0 || strcmp (st, BROKER_CASE_ACCEPTED) == 0 ||
        strcmp (st, BROKER_CASE_REVIEW) == 0 || strcmp (st, BROKER_CASE_SPECIAL) == 0)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "本件尚在办理中，办结后将通知您 / this case is still being handled: "
                            "you will be told when its result is ready");
    return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                        "本件没有存放在智能柜中的材料，详情请咨询窗口 / nothing of this case "
                        "waits in a cabinet: please ask at a counter");
}

//  The cabinet's second factor for a case: "id_last4", the last 4 characters of the
//  applicant's ID document number (never shown in a mask: broker_idcheck_mask_id), when its
//  item asks for one (pickup_pin, on unless the item opts out), else "none". What was
//  decided at the deposit (`pickup.factor`) holds until collection. NULL when the item asks
//  for one and the case has no personal document number to take it from: a company's USCC
//  is public, so it would be no secret.
static const char *
s_factor (broker_ctx_t *ctx, const json_t *c)
{
    const char *fixed = proto_str (json_object_get (c, "pickup"), "factor");
    if (*fixed)
        return fixed;
    int ii = broker_config_item (ctx->config, proto_str (c, "item"));
    if (ii < 0 || !ctx->config->items[ii].pickup_pin)
        return "none";
    return strlen (proto_str (json_object_get (c, "applicant"), "id_number")) >= 4 ? "id_last4"
                                                                                   : NULL;
}

//  The hash of the second factor the vault checks (proto_token_pin_hash), if there is one.
static bool
s_pin (broker_ctx_t *ctx, const json_t *c, char pin_hash[33])
{
    const char *factor = s_factor (ctx, c);
    if (!factor || strcmp (factor, "id_last4"))
        return false;
    const char *id = proto_str (json_object_get (c, "applicant"), "id_number");
    size_t n = strlen (id);
    if (n < 4)
        return false;
    proto_token_pin_hash (proto_str (c, "case_no"), id + n - 4, pin_hash);
    return true;
}

//  Refuses a cabinet for a case whose second factor cannot be asked (s_factor NULL).
static int
s_factor_check (broker_ctx_t *ctx, const json_t *c)
{
    if (s_factor (ctx, c))
        return 0;
    return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                        "本件无个人证件号码，不能作柜取第二因素，请到窗口出件 / case %s has no "
                        "personal ID number for the cabinet's second factor: hand it out at a "
                        "counter (case.hand_out)",
                        proto_str (c, "case_no"));
}

//  The document named by body's `num_key` and `type_key` (both optional, the type only
//  with a number), checked as at intake: {"id_type", "id_number"} (canonical) into `doc`,
//  nothing if no number is given. -1 with the failure recorded.
static int
s_document (broker_ctx_t *ctx, const json_t *body, const char *num_key, const char *type_key,
            json_t *doc)
{
    const char *num = json_string_value (json_object_get (body, num_key));
    const char *type = json_string_value (json_object_get (body, type_key));
    if (type && !num)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD, "%s names the document of %s: give %s",
                            type_key, num_key, num_key);
    if (!num)
        return 0;
    broker_id_type_t want = broker_idcheck_type (type), found;
    broker_check_t r;
    if (type && !want)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "%s \"%.32s\" is not a document type",
                            type_key, type);
    if (broker_check_length (ctx, num_key, num, 32))
        return -1;
    if (broker_idcheck_document (num, want, broker_today (ctx), &r, &found))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "%s: %s", num_key, r.reason);
    json_object_set_new (doc, "id_type", json_string (broker_idcheck_type_name (found)));
    json_object_set_new (doc, "id_number", json_string (r.canonical));
    return 0;
}

//  A document `doc` into an event, masked, under `type_key` and `num_key`.
static void
s_document_event (json_t *evt, const json_t *doc, const char *type_key, const char *num_key)
{
    json_t *v = json_object ();
    broker_case_document_view (v, doc, false);
    if (json_object_get (v, "id_number")) {
        json_object_set (evt, type_key, json_object_get (v, "id_type"));
        json_object_set (evt, num_key, json_object_get (v, "id_number"));
    }
    json_decref (v);
}

//  A name into an event (or reply), masked.
static void
s_name_event (json_t *evt, const char *key, const char *name)
{
    char masked[192];
    broker_idcheck_mask_name (name, masked, sizeof masked);
    json_object_set_new (evt, key, json_string (masked));
}

//  What the vault keeps about a case in one of its slots: no code in clear. `code` is its
//  pickup code (NULL: none).
static json_t *
s_pickup_record (broker_ctx_t *ctx, const json_t *c, const char *code)
{
    const json_t *p = json_object_get (c, "pickup");
    json_t *codes = json_array ();
    char h[33];
    proto_token_hash (proto_str (c, "token"), h);
    json_array_append_new (codes, json_string (h));
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (c, "proxies"), i, x)
        json_array_append_new (codes, json_string (proto_str (x, "code_hash")));
    json_t *r = json_pack ("{s:s, s:s, s:o, s:I, s:s}", "case_no", proto_str (c, "case_no"), "slot",
                           proto_str (p, "slot"), "codes", codes, "deposited",
                           json_integer_value (json_object_get (p, "deposited")), "item_name",
                           proto_str (c, "item_name"));
    char pin[33];
    if (s_pin (ctx, c, pin))
        json_object_set_new (r, "pin_hash", json_string (pin));
    if (code) {
        proto_token_pin_hash (proto_str (c, "case_no"), code, h);
        json_object_set_new (r, "pickup_code_hash", json_string (h));
    }
    return r;
}

//  The record of a case in a cabinet, with its pickup code looked up.
static json_t *
s_record_of (broker_ctx_t *ctx, const json_t *c)
{
    char code[BROKER_PICKUP_DIGITS + 1];
    return s_pickup_record (ctx, c, broker_pickup_code_of (ctx, c, code) ? code : NULL);
}

//  ---------------------------------------------------------------------------------------
//  Deposit

static const char *
s_size_of (broker_ctx_t *ctx, const json_t *c)
{
    int ii = broker_config_item (ctx->config, proto_str (c, "item"));
    return ii >= 0 ? ctx->config->items[ii].result_size : "M";
}

int
broker_h_vault_deposit_check (broker_ctx_t *ctx, const json_t *body)
{
    if (!s_cabinet (ctx, body))
        return -1;
    bool proxy;
    json_t *c = s_case_by_code (ctx, proto_str (body, "code"), "awaiting_pickup", true, &proxy);
    if (!c)
        return -1;
    int rc = 0;
    if (proxy)
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE, "a proxy code cannot deposit");
    else if (strcmp (proto_str (c, "state"), "awaiting_pickup") != 0)
        rc = s_state_error (ctx, c, "awaiting_pickup");
    else
        rc = s_factor_check (ctx, c);
    if (rc) {
        json_decref (c);
        return rc;
    }
    json_t *view = broker_case_view (ctx, c, false);
    ctx->reply = json_pack ("{s:s, s:s, s:s, s:O}", "case_no", proto_str (c, "case_no"),
                            "item_name", proto_str (c, "item_name"), "size", s_size_of (ctx, c),
                            "applicant", json_object_get (view, "applicant"));
    json_decref (view);
    json_decref (c);
    return 0;
}

static json_t *
s_case_named (broker_ctx_t *ctx, const json_t *body)
{
    const char *no = proto_str (body, "case_no");
    json_t *c = strlen (no) <= 48 ? broker_case_load (ctx, no) : NULL;
    if (!c)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_CASE, "no case %.48s", no);
    return c;
}

static bool
s_here (const json_t *c, const char *cabinet, const char *slot)
{
    const json_t *p = json_object_get (c, "pickup");
    return strcmp (proto_str (p, "cabinet"), cabinet) == 0 &&
           (!slot || strcmp (proto_str (p, "slot"), slot) == 0);
}

//  The cabinet's name as the case keeps it: its report's "中文 / English" name in two,
//  `cabinet_name` (Chinese, what sentences to the citizen are built from) and, when the
//  name has one, `cabinet_name_en`; the id when it reported no name.
static void
s_cabinet_names (json_t *pickup, const char *name, const char *cabinet)
{
    const char *sep = strstr (name, " / ");
    size_t n = sep ? (size_t)(sep - name) : strlen (name);
    json_object_set_new (pickup, "cabinet_name",
                         n ? json_stringn (name, n) : json_string (cabinet));
    if (sep && sep[3])
        json_object_set_new (pickup, "cabinet_name_en", json_string (sep + 3));
}

int
broker_h_vault_deposited (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    const char *slot = proto_str (body, "slot");
    if (!cabinet || broker_check_length (ctx, "slot", slot, 16))
        return -1;
    json_t *c = s_case_named (ctx, body);
    if (!c)
        return -1;
    //  A report that arrives twice (a retry with a new id after a vault restart) is a no-op.
    if (strcmp (proto_str (c, "state"), "ready_for_pickup") == 0 && s_here (c, cabinet, slot)) {
        ctx->reply = json_pack ("{s:o}", "pickup", s_record_of (ctx, c));
        json_decref (c);
        return 0;
    }
    if (strcmp (proto_str (c, "state"), "awaiting_pickup") != 0) {
        int rc = s_state_error (ctx, c, "awaiting_pickup");
        json_decref (c);
        return rc;
    }
    char code[BROKER_PICKUP_DIGITS + 1];
    if (broker_pickup_code_new (ctx, cabinet, proto_str (c, "case_no"), code)) {
        json_decref (c);
        return -1;
    }
    json_t *mirror =
        broker_store_get_json (ctx->store, BROKER_DB_CABINETS, cabinet, strlen (cabinet));
    json_object_set_new (c, "state", json_string ("ready_for_pickup"));
    //  The factor is fixed now: the one the vault will ask until collection. A case the
    //  deposit check would have refused (s_factor_check) is in the slot all the same.
    const char *factor = s_factor (ctx, c);
    json_t *pickup =
        json_pack ("{s:s, s:s, s:I, s:s}", "cabinet", cabinet, "slot", slot, "deposited",
                   (json_int_t)ctx->now, "factor", factor ? factor : "none");
    s_cabinet_names (pickup, mirror ? proto_str (mirror, "name") : "", cabinet);
    json_object_set_new (c, "pickup", pickup);
    json_decref (mirror);
    broker_case_save (ctx, c);
    broker_case_emit (ctx, PROTO_EVT_CASE_READY_FOR_PICKUP, c,
                      json_pack ("{s:s, s:s}", "cabinet", cabinet, "slot", slot),
                      json_string_value (json_object_get (body, "clerk")));
    ctx->reply = json_pack ("{s:o}", "pickup", s_pickup_record (ctx, c, code));
    json_decref (c);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Pickup

int
broker_h_vault_pickup_check (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    if (!cabinet)
        return -1;
    bool proxy = false;
    char typed[BROKER_PICKUP_DIGITS + 1];
    const char *code = proto_str (body, "code");
    json_t *c = broker_pickup_code_parse (code, typed)
                    ? broker_pickup_code_case (ctx, cabinet, typed)
                    : s_case_by_code (ctx, code, "ready_for_pickup", false, &proxy);
    if (!c)
        return -1;
    int rc = 0;
    if (strcmp (proto_str (c, "state"), "ready_for_pickup") != 0)
        rc = s_refused (ctx, c);
    else if (!s_here (c, cabinet, NULL)) {
        const json_t *p = json_object_get (c, "pickup");
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                          "本件存放在%s，请到该柜取件 / this result is in another cabinet: %s",
                          proto_str (p, "cabinet_name"),
                          *proto_str (p, "cabinet_name_en") ? proto_str (p, "cabinet_name_en")
                                                            : proto_str (p, "cabinet"));
    } else {
        ctx->reply = s_record_of (ctx, c);
        json_object_set_new (ctx->reply, "proxy", json_boolean (proxy));
    }
    json_decref (c);
    return rc;
}

int
broker_h_vault_collected (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    const char *slot = proto_str (body, "slot");
    if (!cabinet)
        return -1;
    json_t *c = s_case_named (ctx, body);
    if (!c)
        return -1;
    json_int_t when = json_integer_value (json_object_get (body, "time"));
    if (strcmp (proto_str (c, "state"), "collected") == 0 && s_here (c, cabinet, slot)) {
        ctx->reply = broker_case_view (ctx, c, false);
        json_decref (c);
        return 0;
    }
    if (strcmp (proto_str (c, "state"), "ready_for_pickup") != 0 || !s_here (c, cabinet, slot)) {
        int rc = strcmp (proto_str (c, "state"), "ready_for_pickup") != 0
                     ? s_state_error (ctx, c, "ready_for_pickup")
                     : broker_fail (ctx, PROTO_ERR_WRONG_STATE, "case %s is not in %s slot %s",
                                    proto_str (c, "case_no"), cabinet, slot);
        json_decref (c);
        return rc;
    }
    //  The time is the cabinet's: the door closed on an empty slot then, maybe while the
    //  network was down.
    if (when <= 0 || when > ctx->now + 3600000)
        when = ctx->now;
    bool proxy = json_is_true (json_object_get (body, "proxy"));
    //  What was checked: the code (the applicant's or a proxy's) and the factor, the last 4
    //  of the applicant's document, which the record names.
    const char *factor = s_factor (ctx, c);
    factor = factor ? factor : "none";
    json_t *at = json_pack ("{s:s, s:s, s:s, s:b, s:s, s:s}", "kind", "cabinet", "cabinet", cabinet,
                            "slot", slot, "proxy", proxy, "collector",
                            proxy ? "proxy" : "applicant", "factor", factor);
    json_t *evt = json_pack ("{s:s, s:s, s:b, s:s, s:s}", "cabinet", cabinet, "slot", slot, "proxy",
                             proxy, "collector", proxy ? "proxy" : "applicant", "factor", factor);
    if (strcmp (factor, "id_last4") == 0) {
        const json_t *a = json_object_get (c, "applicant");
        json_object_set_new (
            at, "id_type", json_string (broker_idcheck_type_name (broker_case_document_type (a))));
        json_object_set_new (at, "id_number", json_string (proto_str (a, "id_number")));
        s_document_event (evt, a, "id_type", "id_number");
    }
    broker_pickup_code_drop (ctx, c);
    json_object_set_new (c, "state", json_string ("collected"));
    json_object_set_new (c, "collected", json_integer (when));
    json_object_set_new (c, "collected_at", at);
    broker_case_save (ctx, c);
    broker_case_emit (ctx, PROTO_EVT_CASE_COLLECTED, c, evt, NULL);
    ctx->reply = broker_case_view (ctx, c, false);
    json_decref (c);
    return 0;
}

int
broker_h_vault_recovered (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    const char *slot = proto_str (body, "slot");
    if (!cabinet)
        return -1;
    json_t *c = s_case_named (ctx, body);
    if (!c)
        return -1;
    if (strcmp (proto_str (c, "state"), "awaiting_pickup") == 0 && !json_object_get (c, "pickup")) {
        ctx->reply = broker_case_view (ctx, c, false);
        json_decref (c);
        return 0;
    }
    if (strcmp (proto_str (c, "state"), "ready_for_pickup") != 0 || !s_here (c, cabinet, slot)) {
        int rc = s_state_error (ctx, c, "ready_for_pickup in this slot");
        json_decref (c);
        return rc;
    }
    //  Back to the counter (统一出件): a clerk hands it out from there.
    broker_pickup_code_drop (ctx, c);
    json_object_set_new (c, "state", json_string ("awaiting_pickup"));
    json_object_set_new (c, "recovered",
                         json_pack ("{s:s, s:s, s:I}", "cabinet", cabinet, "slot", slot, "time",
                                    (json_int_t)ctx->now));
    json_object_del (c, "pickup");
    //  A later deposit starts a new wait: the overdue warning was about this one.
    json_t *w = json_object_get (c, "warnings");
    for (size_t k = json_array_size (w); k-- > 0;)
        if (strcmp (json_string_value (json_array_get (w, k)), "pickup_overdue") == 0)
            json_array_remove (w, k);
    broker_case_save (ctx, c);
    broker_case_emit (ctx, PROTO_EVT_CASE_RECOVERED, c,
                      json_pack ("{s:s, s:s}", "cabinet", cabinet, "slot", slot),
                      json_string_value (json_object_get (body, "clerk")));
    ctx->reply = broker_case_view (ctx, c, false);
    json_decref (c);
    return 0;
}

bool
broker_vault_overdue (broker_ctx_t *ctx, json_t *c)
{
    if (strcmp (proto_str (c, "state"), "ready_for_pickup") != 0)
        return false;
    json_int_t deposited =
        json_integer_value (json_object_get (json_object_get (c, "pickup"), "deposited"));
    if (ctx->now - deposited < (json_int_t)ctx->config->pickup_overdue_days * 86400000)
        return false;
    json_t *w = json_object_get (c, "warnings");
    size_t i;
    json_t *x;
    json_array_foreach (w, i, x)
        if (strcmp (json_string_value (x), "pickup_overdue") == 0)
            return false;
    if (!w) {
        w = json_array ();
        json_object_set_new (c, "warnings", w);
    }
    json_array_append_new (w, json_string ("pickup_overdue"));
    const json_t *p = json_object_get (c, "pickup");
    broker_case_emit (ctx, PROTO_EVT_CASE_WARNING, c,
                      json_pack ("{s:s, s:s, s:s}", "level", "pickup_overdue", "cabinet",
                                 proto_str (p, "cabinet"), "slot", proto_str (p, "slot")),
                      NULL);
    return true;
}

//  ---------------------------------------------------------------------------------------
//  Hand-out at a counter (窗口出件)

//  Who collects at a counter: the document the clerk checked (body's id_number and
//  id_type), matched against the applicant's and the proxies': `applicant`, `proxy`, or
//  `other` (a document the clerk accepted with a written authorisation, e.g. a company's
//  agent); without one, the applicant's own. Into `at` (the record, whole) and `evt` (the
//  event, masked). -1 with the failure recorded if the document fails its check.
static int
s_collector (broker_ctx_t *ctx, const json_t *c, const json_t *body, json_t *at, json_t *evt)
{
    const json_t *a = json_object_get (c, "applicant");
    json_t *doc = json_object ();
    if (s_document (ctx, body, "id_number", "id_type", doc)) {
        json_decref (doc);
        return -1;
    }
    const char *collector = "applicant", *proxy_name = NULL;
    if (json_object_size (doc)) {
        broker_id_type_t type = broker_idcheck_type (proto_str (doc, "id_type"));
        const char *number = proto_str (doc, "id_number");
        bool applicant = broker_case_document_type (a) == type && proto_is (a, "id_number", number);
        size_t i;
        json_t *p;
        json_array_foreach (json_object_get (c, "proxies"), i, p)
            if (!applicant && !proxy_name && broker_case_document_type (p) == type &&
                proto_is (p, "id_number", number))
                proxy_name = proto_str (p, "name");
        collector = applicant ? "applicant" : proxy_name ? "proxy" : "other";
    } else if (*proto_str (a, "id_number")) {
        json_object_set_new (
            doc, "id_type", json_string (broker_idcheck_type_name (broker_case_document_type (a))));
        json_object_set_new (doc, "id_number", json_string (proto_str (a, "id_number")));
    }
    json_object_set_new (at, "collector", json_string (collector));
    json_object_set_new (evt, "collector", json_string (collector));
    json_object_update (at, doc);
    s_document_event (evt, doc, "id_type", "id_number");
    if (proxy_name) {
        json_object_set_new (at, "proxy_name", json_string (proxy_name));
        s_name_event (evt, "proxy_name", proxy_name);
    }
    json_decref (doc);
    return 0;
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
    json_t *at = json_pack ("{s:s, s:i}", "kind", "counter", "counter", counter->id);
    json_t *evt = json_pack ("{s:i}", "counter", counter->id);
    if (s_collector (ctx, c, body, at, evt)) {
        json_decref (at);
        json_decref (evt);
        json_decref (c);
        return -1;
    }
    broker_case_set_state (c, BROKER_CASE_COLLECTED);
    json_object_set_new (c, "collected", json_integer (ctx->now));
    json_object_set_new (c, "collected_at", at);
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_COLLECTED, evt, counter->clerk);
}

//  ---------------------------------------------------------------------------------------
//  Proxy pickup (代领)

int
broker_h_case_authorize_proxy (broker_ctx_t *ctx, const json_t *body)
{
    const char *name = proto_str (body, "proxy_name");
    json_t *doc = json_object ();
    if (broker_check_length (ctx, "proxy_name", name, 64) ||
        s_document (ctx, body, "proxy_id_number", "proxy_id_type", doc)) {
        json_decref (doc);
        return -1;
    }
    bool proxy;
    json_t *c = s_case_by_code (ctx, proto_str (body, "token"), "ready_for_pickup", false, &proxy);
    if (!c) {
        json_decref (doc);
        return -1;
    }
    const char *st = proto_str (c, "state");
    if (proxy || (strcmp (st, "ready_for_pickup") != 0 && strcmp (st, "awaiting_pickup") != 0)) {
        int rc = proxy ? broker_fail (ctx, PROTO_ERR_FORBIDDEN,
                                      "only the applicant's own code can authorise a proxy")
                       : s_state_error (ctx, c, "awaiting or ready for pickup");
        json_decref (doc);
        json_decref (c);
        return rc;
    }
    json_t *proxies = json_object_get (c, "proxies");
    if (json_array_size (proxies) >= 3) {
        json_decref (doc);
        json_decref (c);
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "at most 3 proxies per case");
    }
    char code[PROTO_TOKEN_LEN + 1], hash[33];
    proto_token_new (code);
    proto_token_hash (code, hash);
    if (!proxies) {
        proxies = json_array ();
        json_object_set_new (c, "proxies", proxies);
    }
    //  The proxy's document, when given, is the one to see at a counter (case.hand_out).
    json_t *entry = json_pack ("{s:s, s:s, s:I}", "name", name, "code_hash", hash, "created",
                               (json_int_t)ctx->now);
    json_object_update (entry, doc);
    json_array_append_new (proxies, entry);
    const char *no = proto_str (c, "case_no");
    broker_store_put (ctx->store, BROKER_DB_PROXY_CODES, code, PROTO_TOKEN_LEN, no, strlen (no));
    broker_case_save (ctx, c);
    json_t *evt = json_object ();
    s_name_event (evt, "proxy_name", name);
    s_document_event (evt, doc, "proxy_id_type", "proxy_id_number");
    broker_case_emit (ctx, PROTO_EVT_CASE_PROXY_AUTHORIZED, c, evt, NULL);
    char qr[600];
    snprintf (qr, sizeof qr, "%s%s", ctx->config->status_url, code);
    ctx->reply = json_pack ("{s:s, s:s, s:s}", "case_no", no, "proxy_code", code, "qr", qr);
    s_name_event (ctx->reply, "proxy_name", name);
    s_document_event (ctx->reply, doc, "proxy_id_type", "proxy_id_number");
    json_decref (doc);
    json_decref (c);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Cabinet state, commands, sync

int
broker_h_vault_report (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    if (!cabinet)
        return -1;
    json_t *slots = json_object_get (body, "slots");
    size_t i;
    json_t *s;
    json_array_foreach (slots, i, s)
        if (!json_is_object (s) || !json_is_string (json_object_get (s, "slot")) ||
            !json_is_string (json_object_get (s, "state")))
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "slots[%zu] needs slot and state", i);
    const char *name = json_string_value (json_object_get (body, "name"));
    json_t *mirror =
        json_pack ("{s:s, s:s, s:O, s:I, s:b}", "cabinet", cabinet, "name", name ? name : cabinet,
                   "slots", slots, "reported", (json_int_t)ctx->now, "online", 1);
    broker_store_put_json (ctx->store, BROKER_DB_CABINETS, cabinet, strlen (cabinet), mirror);
    json_t *alarm = json_object_get (body, "alarm");
    if (json_is_object (alarm)) {
        json_t *evt = json_deep_copy (alarm);
        json_object_set_new (evt, "cabinet", json_string (cabinet));
        broker_emit (ctx, PROTO_EVT_VAULT_ALARM, evt);
    }
    broker_emit (ctx, PROTO_EVT_VAULT_CHANGED, json_pack ("{s:o}", "cabinet", mirror));
    ctx->reply = json_pack ("{s:b}", "ok", 1);
    return 0;
}

static uint64_t
s_next_command_id (broker_ctx_t *ctx)
{
    long n = broker_number_peek (ctx, "cabinet_cmd");
    if (n < 0)
        return 0;
    broker_number_put (ctx, "cabinet_cmd", n + 1);
    return (uint64_t)n + 1;
}

static int
s_command_add (broker_ctx_t *ctx, const char *cabinet, json_t *cmd)
{
    uint64_t id = s_next_command_id (ctx);
    if (!id) {
        json_decref (cmd);
        return broker_fail (ctx, PROTO_ERR_INTERNAL, "the command counter is unreadable");
    }
    json_object_set_new (cmd, "id", json_integer ((json_int_t)id));
    json_object_set_new (cmd, "time", json_integer (ctx->now));
    size_t clen = strlen (cabinet);
    unsigned char key[CAB_MAX + 9];
    memcpy (key, cabinet, clen);
    key[clen] = 0;
    broker_key_u64 (id, key + clen + 1);
    broker_store_put_json (ctx->store, BROKER_DB_CABINET_CMDS, key, clen + 9, cmd);
    broker_emit (ctx, PROTO_EVT_VAULT_COMMAND,
                 json_pack ("{s:s, s:O}", "cabinet", cabinet, "command", cmd));
    ctx->reply = cmd;
    return 0;
}

int
broker_h_vault_deposit_request (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    const char *size = json_string_value (json_object_get (body, "size"));
    const char *clerk = json_string_value (json_object_get (body, "clerk"));
    if (!cabinet || broker_check_length (ctx, "clerk", clerk, 64))
        return -1;
    if (size && strcmp (size, "S") && strcmp (size, "M") && strcmp (size, "L"))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "size must be S, M or L");
    bool proxy;
    json_t *c = s_case_by_code (ctx, proto_str (body, "code"), "awaiting_pickup", true, &proxy);
    if (!c)
        return -1;
    int rc = proxy || strcmp (proto_str (c, "state"), "awaiting_pickup") != 0
                 ? s_state_error (ctx, c, "awaiting_pickup")
                 : s_factor_check (ctx, c);
    if (rc) {
        json_decref (c);
        return rc;
    }
    json_t *cmd =
        json_pack ("{s:s, s:s, s:s, s:s}", "kind", "deposit", "case_no", proto_str (c, "case_no"),
                   "size", size ? size : s_size_of (ctx, c), "clerk", clerk ? clerk : "");
    json_decref (c);
    return s_command_add (ctx, cabinet, cmd);
}

int
broker_h_vault_remote_open (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    const char *slot = proto_str (body, "slot");
    const char *reason = proto_str (body, "reason");
    const char *clerk = json_string_value (json_object_get (body, "clerk"));
    if (!cabinet || broker_check_length (ctx, "slot", slot, 16) ||
        broker_check_length (ctx, "reason", reason, 512) ||
        broker_check_length (ctx, "clerk", clerk, 64))
        return -1;
    return s_command_add (ctx, cabinet,
                          json_pack ("{s:s, s:s, s:s, s:s}", "kind", "open", "slot", slot, "reason",
                                     reason, "clerk", clerk ? clerk : ""));
}

int
broker_h_vault_command_done (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    if (!cabinet)
        return -1;
    json_int_t id = json_integer_value (json_object_get (body, "id"));
    size_t clen = strlen (cabinet);
    unsigned char key[CAB_MAX + 9];
    memcpy (key, cabinet, clen);
    key[clen] = 0;
    broker_key_u64 ((uint64_t)id, key + clen + 1);
    json_t *cmd = broker_store_get_json (ctx->store, BROKER_DB_CABINET_CMDS, key, clen + 9);
    if (!cmd) //  done already (a retry): nothing to do
        return (ctx->reply = json_pack ("{s:b}", "ok", 1)) ? 0 : -1;
    broker_store_del (ctx->store, BROKER_DB_CABINET_CMDS, key, clen + 9);
    json_object_set (cmd, "result", json_object_get (body, "result"));
    broker_emit (ctx, PROTO_EVT_VAULT_COMMAND_DONE,
                 json_pack ("{s:s, s:o}", "cabinet", cabinet, "command", cmd));
    ctx->reply = json_pack ("{s:b}", "ok", 1);
    return 0;
}

//  The cabinet's pending commands, oldest first (keys: cabinet id NUL command id).
static json_t *
s_sync_commands (broker_ctx_t *ctx, const char *cabinet)
{
    json_t *out = json_array ();
    size_t clen = strlen (cabinet);
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_CABINET_CMDS, cabinet, clen + 1, &it);
    while (broker_store_next (&it)) {
        if (it.key.mv_size != clen + 9)
            break;
        json_t *cmd = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (cmd)
            json_array_append_new (out, cmd);
    }
    broker_store_scan_end (&it);
    return out;
}

//  The pickup records of the results in the cabinet's slots.
static json_t *
s_sync_pickups (broker_ctx_t *ctx, const char *cabinet)
{
    json_t *out = json_array ();
    json_t *open = broker_case_open_all (ctx);
    json_t *codes = broker_pickup_codes_at (ctx, cabinet);
    size_t k;
    json_t *c;
    json_array_foreach (open, k, c) {
        if (strcmp (proto_str (c, "state"), "ready_for_pickup") != 0 || !s_here (c, cabinet, NULL))
            continue;
        json_t *r = s_pickup_record (
            ctx, c, json_string_value (json_object_get (codes, proto_str (c, "case_no"))));
        size_t i;
        json_t *w;
        json_array_foreach (json_object_get (c, "warnings"), i, w)
            if (strcmp (json_string_value (w), "pickup_overdue") == 0)
                json_object_set_new (r, "overdue", json_true ());
        json_array_append_new (out, r);
    }
    json_decref (codes);
    json_decref (open);
    return out;
}

int
broker_h_vault_sync (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = s_cabinet (ctx, body);
    if (!cabinet)
        return -1;
    ctx->reply = json_pack ("{s:o, s:o, s:i, s:I, s:i}", "commands", s_sync_commands (ctx, cabinet),
                            "pickups", s_sync_pickups (ctx, cabinet), "overdue_days",
                            ctx->config->pickup_overdue_days, "now", (json_int_t)ctx->now,
                            "utc_offset_min", ctx->config->utc_offset_min);
    return 0;
}

json_t *
broker_vault_cabinets (broker_ctx_t *ctx)
{
    json_t *list = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_CABINETS, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *j = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (j)
            json_array_append_new (list, j);
    }
    broker_store_scan_end (&it);
    return list;
}

int
broker_h_vault_status (broker_ctx_t *ctx, const json_t *body)
{
    const char *cabinet = json_string_value (json_object_get (body, "cabinet"));
    if (!cabinet) {
        ctx->reply = json_pack ("{s:o}", "cabinets", broker_vault_cabinets (ctx));
        return 0;
    }
    json_t *one =
        strlen (cabinet) <= CAB_MAX
            ? broker_store_get_json (ctx->store, BROKER_DB_CABINETS, cabinet, strlen (cabinet))
            : NULL;
    if (!one)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_CABINET,
                            "no cabinet %.32s has reported to this broker", cabinet);
    ctx->reply = json_pack ("{s:[o]}", "cabinets", one);
    return 0;
}
