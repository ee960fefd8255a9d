/*  broker_supplement.c — see broker_supplement.h. */
#include "broker_supplement.h"

#include <stdio.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_case.h"
#include "proto_json.h"

//  The reason a case ends with when its material did not come in time.
#define S_EXPIRED "逾期未补正，视为撤回申请 / the material asked for was not brought in time"

//  The working day `n` working days after `day`; 0 without a calendar or for n = 0.
static int
s_after (broker_ctx_t *ctx, int day, int n)
{
    int due = 0;
    if (!ctx->calendar || n <= 0 ||
        broker_calendar_add_working_days (ctx->calendar, day, n, &due, NULL) != 0)
        return 0;
    return due;
}

//  The date of a notice given today: the material is due by then.
static void
s_set_due (broker_ctx_t *ctx, json_t *c)
{
    int due = s_after (ctx, broker_today (ctx), ctx->config->supplement_days);
    if (due)
        json_object_set_new (c, "supplement_due", json_integer (due));
    else
        json_object_del (c, "supplement_due");
}

//  Adds the notice's dates of case `c` to an event's `fields`: `supplement_due` (the
//  material) or `notice_due` (the notice itself), those the case has.
static void
s_fields_due (const json_t *c, json_t *fields)
{
    const char *keys[] = {"supplement_due", "notice_due"};
    for (int i = 0; i < 2; i++)
        if (proto_int (c, keys[i]))
            json_object_set_new (fields, keys[i], json_integer (proto_int (c, keys[i])));
}

//  The event fields of a notice: what is missing, why, by when.
static json_t *
s_notice_fields (const json_t *c, const char *reason)
{
    json_t *f = json_pack ("{s:O, s:s}", "missing", json_object_get (c, "missing"), "reason",
                           reason ? reason : "");
    s_fields_due (c, f);
    return f;
}

//  A `missing` list of the request: 1.. texts of 1..200 bytes. 0 / -1.
static int
s_missing_ok (broker_ctx_t *ctx, const json_t *missing)
{
    if (json_array_size (missing) == 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "missing must list what is needed, all at once");
    size_t i;
    json_t *m;
    json_array_foreach (missing, i, m)
        if (!json_is_string (m) || json_string_length (m) == 0 || json_string_length (m) > 200)
            return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                                "missing[%zu] must be a text of 1..200 bytes", i);
    return 0;
}

//  The request after acceptance that still counts (not withdrawn), or NULL (borrowed).
static json_t *
s_request (const json_t *c)
{
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "pauses"), i, p)
        if (proto_is (p, "kind", "supplement") && !json_object_get (p, "withdrawn"))
            return p;
    return NULL;
}

int
broker_h_case_request_supplement (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    json_t *missing = json_object_get (body, "missing");
    const json_t *first = s_request (c);
    int rc = 0;
    if (!proto_is (c, "state", BROKER_CASE_ACCEPTED) && !proto_is (c, "state", BROKER_CASE_REVIEW))
        rc = broker_case_wrong_state (
            ctx, c, "material can be requested only while it is accepted or in review");
    else if (first)
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                          "case %s was asked for material on %lld already, and a notice names "
                          "everything missing at once (一次性告知); withdraw that request "
                          "(case.supplement_withdraw) to replace it with a complete one",
                          proto_str (c, "case_no"), (long long)proto_int (first, "from"));
    else
        rc = s_missing_ok (ctx, missing);
    if (rc) {
        json_decref (c);
        return -1;
    }
    json_object_set_new (c, "prev_state", json_string (proto_str (c, "state")));
    json_object_set (c, "missing", missing);
    broker_case_pause_open (c, "supplement", broker_today (ctx), reason);
    broker_case_set_state (c, BROKER_CASE_SUPPLEMENT);
    s_set_due (ctx, c);
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_SUPPLEMENT_REQUESTED,
                               s_notice_fields (c, reason), clerk);
}

int
broker_h_case_supplement_notice (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    json_t *missing = json_object_get (body, "missing");
    int due = (int)proto_int (c, "notice_due");
    int rc = 0;
    if (!proto_is (c, "state", BROKER_CASE_SUPPLEMENT) || proto_int (c, "accepted_day") || !due)
        rc = broker_case_wrong_state (
            ctx, c, "no one-time notice is outstanding (only an intake with notice_later has one)");
    else if (broker_today (ctx) > due)
        rc = broker_case_wrong_state (ctx, c,
                                      "the notice was due by its notice_due: the application "
                                      "counts as accepted on its day of receipt (Art. 32)");
    else
        rc = s_missing_ok (ctx, missing);
    if (rc) {
        json_decref (c);
        return -1;
    }
    //  What the intake found missing stays on the list; the notice adds the rest.
    json_t *list = json_object_get (c, "missing");
    size_t i, k;
    json_t *m, *have;
    json_array_foreach (missing, i, m) {
        bool listed = false;
        json_array_foreach (list, k, have)
            listed = listed || json_equal (have, m);
        if (!listed)
            json_array_append (list, m);
    }
    json_object_del (c, "notice_due");
    json_object_set_new (c, "notice_day", json_integer (broker_today (ctx)));
    s_set_due (ctx, c);
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_SUPPLEMENT_REQUESTED,
                               s_notice_fields (c, reason), clerk);
}

int
broker_h_case_supplement_withdraw (broker_ctx_t *ctx, const json_t *body)
{
    const char *clerk, *reason;
    json_t *c = broker_case_begin (ctx, body, &clerk, &reason);
    if (!c)
        return -1;
    json_t *p = s_request (c);
    if (!proto_is (c, "state", BROKER_CASE_SUPPLEMENT) || !p || proto_int (p, "to")) {
        broker_case_wrong_state (
            ctx, c, "only a request for material after acceptance, still awaited, is withdrawn");
        json_decref (c);
        return -1;
    }
    //  The pause stays on the record, marked: the clock no longer leaves its days out.
    broker_case_pause_close (c, broker_today (ctx));
    json_object_set_new (p, "withdrawn",
                         json_pack ("{s:I, s:s, s:s}", "time", (json_int_t)ctx->now, "reason",
                                    reason, "by", clerk ? clerk : ""));
    const char *prev = proto_str (c, "prev_state");
    broker_case_set_state (c, *prev ? prev : BROKER_CASE_REVIEW);
    json_object_del (c, "prev_state");
    json_object_set_new (c, "missing", json_array ());
    json_object_del (c, "supplement_due");
    return broker_case_finish (ctx, c, PROTO_EVT_CASE_SUPPLEMENT_WITHDRAWN,
                               json_pack ("{s:s}", "reason", reason), clerk);
}

void
broker_supplement_intake (broker_ctx_t *ctx, json_t *c, bool notice_later, const char *clerk)
{
    if (notice_later) {
        int today = broker_today (ctx);
        int due = s_after (ctx, today, BROKER_SUPPLEMENT_NOTICE_DAYS);
        json_object_set_new (c, "notice_due", json_integer (due ? due : today));
    } else
        s_set_due (ctx, c);
    json_t *fields =
        json_pack ("{s:O, s:b}", "missing", json_object_get (c, "missing"), "intake", 1);
    s_fields_due (c, fields);
    broker_case_emit (ctx,
                      notice_later ? PROTO_EVT_CASE_RECEIVED : PROTO_EVT_CASE_SUPPLEMENT_REQUESTED,
                      c, fields, clerk);
}

//  Art. 32: the notice did not come in time; the case counts as accepted on its day of
//  receipt, and its clock runs from then.
static void
s_deem_accepted (broker_ctx_t *ctx, json_t *c)
{
    json_int_t received = proto_int (c, "received");
    json_object_set_new (c, "accepted", json_integer (received));
    json_object_set_new (
        c, "accepted_day",
        json_integer (broker_business_day (received, ctx->config->utc_offset_min, 0)));
    json_object_set_new (c, "deemed_accepted", json_true ());
    json_object_del (c, "notice_due");
    broker_case_set_state (c, BROKER_CASE_ACCEPTED);
    broker_case_clock (ctx, c);
    broker_case_emit (ctx, PROTO_EVT_CASE_ACCEPTED, c,
                      json_pack ("{s:b, s:b}", "intake", 0, "deemed", 1), NULL);
}

//  The material asked for did not come by its date: the application is deemed withdrawn.
static void
s_expire (broker_ctx_t *ctx, json_t *c)
{
    broker_case_pause_close (c, broker_today (ctx));
    json_object_del (c, "prev_state");
    broker_case_set_state (c, BROKER_CASE_WITHDRAWN);
    json_object_set_new (c, "reason", json_string (S_EXPIRED));
    json_object_set_new (c, "concluded", json_integer (ctx->now));
    broker_case_clock (ctx, c);
    broker_case_emit (ctx, PROTO_EVT_CASE_WITHDRAWN, c,
                      json_pack ("{s:s, s:b}", "reason", S_EXPIRED, "deemed", 1), NULL);
}

bool
broker_supplement_sweep (broker_ctx_t *ctx, json_t *c, int today)
{
    if (!proto_is (c, "state", BROKER_CASE_SUPPLEMENT))
        return false;
    int notice_due = (int)proto_int (c, "notice_due");
    int supplement_due = (int)proto_int (c, "supplement_due");
    if (!proto_int (c, "accepted_day") && notice_due && today > notice_due)
        s_deem_accepted (ctx, c);
    else if (supplement_due && today > supplement_due)
        s_expire (ctx, c);
    else
        return false;
    return true;
}
