/*  broker_intake.c — see broker_intake.h. */
#include "broker_intake.h"

#include <stdio.h>
#include <string.h>

#include "broker_case.h"
#include "broker_idcheck.h"
#include "proto_json.h"

typedef enum { INTAKE_ACCEPT, INTAKE_SUPPLEMENT, INTAKE_REFUSE } s_intake_t;

static void
s_check_add (json_t *checks, const char *check, bool ok, const char *reason, bool advisory)
{
    json_t *j = json_pack ("{s:s, s:b, s:s}", "check", check, "ok", ok, "reason", reason);
    if (advisory)
        json_object_set_new (j, "advisory", json_true ());
    json_array_append_new (checks, j);
}

//  An open case of the same applicant (`kind` "p" for a person: `who` is "TYPE|NUMBER";
//  "c" for a company: `who` is the USCC) and item; its number into `found`, or "" if none.
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
        if (nlen > 0 && nlen <= BROKER_CASE_NO_MAX &&
            broker_store_get (ctx->store, BROKER_DB_OPEN_CASES, (const char *)it.key.mv_data + plen,
                              nlen, &v) == 0) {
            snprintf (found, size, "%.*s", (int)nlen, (const char *)it.key.mv_data + plen);
            break;
        }
    }
    broker_store_scan_end (&it);
}

//  The applicant key of a person: the document's type and number ("passport|E12345678"):
//  the same number may belong to two documents, and so to two people. Returns `who`.
static const char *
s_person (char *who, size_t size, broker_id_type_t type, const char *id)
{
    snprintf (who, size, "%s|%s", broker_idcheck_type_name (type), id);
    return who;
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

//  The ID document check of an intake: `id_type` (optional) names the document of
//  `id_number`; an 18-character number names its own. Adds the check (and, for a
//  foreigner's permanent residence ID card, the advisory nationality check) to `checks`;
//  the number as stored into `id` (32 bytes) and its type into *type: the one checked, or
//  for a number of no type that could be told, the resident ID (as before types existed).
//  Returns 0, or -1 with a failure recorded (bad input, not a check).
static int
s_check_id (broker_ctx_t *ctx, const json_t *body, json_t *checks, char *id, broker_id_type_t *type)
{
    const char *id_in = json_string_value (json_object_get (body, "id_number"));
    const char *type_in = json_string_value (json_object_get (body, "id_type"));
    *type = BROKER_ID_NONE;
    if (type_in && !id_in)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD,
                            "id_type names the document of id_number: give id_number");
    if (!id_in)
        return 0;
    broker_id_type_t want = broker_idcheck_type (type_in);
    if (type_in && want == BROKER_ID_NONE)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "id_type \"%.32s\" is not a document type (section 6.13)", type_in);
    broker_check_t r;
    broker_idcheck_document (id_in, want, broker_today (ctx), &r, type);
    s_check_add (checks, r.ok ? "id_number" : r.code, r.ok, r.reason, false);
    //  Stored as the clerk typed it, upper-cased, when it is not valid.
    snprintf (id, 32, "%s", r.ok ? r.canonical : id_in);
    for (char *p = id; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (r.ok && *type == BROKER_ID_FOREIGN_PERMANENT &&
        broker_idcheck_nationality_listed (id, &r) != 0)
        s_check_add (checks, r.code, false, r.reason, true);
    if (*type == BROKER_ID_NONE)
        *type = BROKER_ID_RESIDENT;
    return 0;
}

//  Runs the checks of an intake. Fills `checks`, the canonical ID (and its type), USCC and
//  phone, and the documents missing. Returns 0, or -1 with a failure recorded (bad input,
//  not a check).
static int
s_run_checks (broker_ctx_t *ctx, const json_t *body, const broker_item_cfg_t *item, json_t *checks,
              char *id, broker_id_type_t *id_type, char *uscc, char *phone, json_t *missing_names)
{
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
        broker_check_length (ctx, "phone", phone_in, 32) ||
        s_check_id (ctx, body, checks, id, id_type))
        return -1;
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
    char found[BROKER_CASE_NO_MAX + 1] = "", who[64];
    if (id_in) {
        s_find_duplicate (ctx, 'p', s_person (who, sizeof who, *id_type, id), item->id, found,
                          sizeof found);
        //  Cases opened before ID types were recorded are keyed by the number alone, which
        //  was always 18 characters then: a number that names its own type.
        if (!*found && broker_idcheck_type_of (id) == *id_type)
            s_find_duplicate (ctx, 'p', id, item->id, found, sizeof found);
    }
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
            if (strcmp (proto_str (ch, "check"), key) == 0 &&
                !json_is_true (json_object_get (ch, "ok")))
                failed = true;
        if (!json_is_string (value) || json_string_length (value) == 0 ||
            json_string_length (value) >= BROKER_CASE_REASON_MAX)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "overrides.%.40s must be the reason, 1 to %d bytes", key,
                                BROKER_CASE_REASON_MAX - 1);
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
        const char *name = proto_str (ch, "check");
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
    if (broker_counter_require (ctx, body, BROKER_NEED_LOGGED_IN | BROKER_NEED_SERVING, &counter,
                                &ticket))
        return -1;
    const char *item_id = proto_str (body, "item");
    int ii = broker_config_item (ctx->config, item_id);
    if (ii < 0)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_ITEM, "no service item \"%.40s\" in this hall",
                            item_id);
    const broker_item_cfg_t *item = &ctx->config->items[ii];
    const char *name = proto_str (body, "name");
    const char *reason = json_string_value (json_object_get (body, "reason"));
    if (broker_check_length (ctx, "name", name, BROKER_CASE_NAME_MAX) ||
        broker_check_length (ctx, "reason", reason, BROKER_CASE_REASON_MAX))
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
    char id[32] = "", uscc[32] = "", phone[32] = "", who[64];
    broker_id_type_t id_type = BROKER_ID_NONE;
    if (s_run_checks (ctx, body, item, checks, id, &id_type, uscc, phone, missing) ||
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
    char case_no[BROKER_CASE_NO_MAX + 1];
    snprintf (case_no, sizeof case_no, "%s-%08d-%04ld", ctx->config->hall_id, today, seq);
    json_array_foreach (extra_missing, i, m)
        json_array_append (missing, m);
    json_t *applicant = json_pack ("{s:s}", "name", name);
    if (*id) {
        json_object_set_new (applicant, "id_type",
                             json_string (broker_idcheck_type_name (id_type)));
        json_object_set_new (applicant, "id_number", json_string (id));
    }
    if (*uscc)
        json_object_set_new (applicant, "uscc", json_string (uscc));
    if (*phone)
        json_object_set_new (applicant, "phone", json_string (phone));
    json_t *docs = json_object_get (body, "documents");
    const char *state = kind == INTAKE_ACCEPT       ? BROKER_CASE_ACCEPTED
                        : kind == INTAKE_SUPPLEMENT ? BROKER_CASE_SUPPLEMENT
                                                    : BROKER_CASE_NOT_ACCEPTED;
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
    broker_case_clock (ctx, c);
    broker_case_save (ctx, c);
    char tkey[PROTO_TOKEN_LEN + BROKER_CASE_NO_MAX + 2];
    int tlen = snprintf (tkey, sizeof tkey, "%s|%s", ticket->token, case_no);
    broker_store_put (ctx->store, BROKER_DB_TOKEN_CASES, tkey, (size_t)tlen, "", 0);
    if (*id)
        s_index_applicant (ctx, 'p', s_person (who, sizeof who, id_type, id), item->id, case_no);
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
//  The material awaited arrives

int
broker_h_case_supplement_received (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk;
    json_t *c = broker_case_begin (ctx, body, &clerk, NULL);
    if (!c)
        return -1;
    if (!proto_is (c, "state", BROKER_CASE_SUPPLEMENT)) {
        broker_case_wrong_state (ctx, c, "no material is awaited");
        json_decref (c);
        return -1;
    }
    const broker_item_cfg_t *item = broker_case_item (ctx, c);
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
                                i, proto_str (c, "item"));
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
    if (!proto_int (c, "accepted_day")) {
        //  Art. 32: accepted on the day the material arrived.
        broker_case_set_state (c, BROKER_CASE_ACCEPTED);
        json_object_set_new (c, "accepted", json_integer (ctx->now));
        json_object_set_new (c, "accepted_day", json_integer (today));
    } else {
        broker_case_pause_close (c, today);
        const char *prev = proto_str (c, "prev_state");
        broker_case_set_state (c, *prev ? prev : BROKER_CASE_REVIEW);
    }
    json_object_del (c, "prev_state");
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_SUPPLEMENT_RECEIVED, NULL, clerk);
}
