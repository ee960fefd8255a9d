/*  broker_appt.c — see broker_appt.h. */
#include "broker_appt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_holidays.h"
#include "broker_idcheck.h"
#include "broker_ticket.h"
#include "proto_json.h"
#include "proto_token.h"

//  A request's date field as a date (yyyymmdd), 0 if it is none: taken as a whole JSON
//  integer, never cut to an int first (2^32 + 20261207 is not 20261207).
static int
s_date (const json_t *field)
{
    json_int_t v = json_integer_value (field);
    return v >= 10000101 && v <= 99991231 && broker_calendar_date_valid ((int)v) ? (int)v : 0;
}

//  Unix ms of local date `day` (yyyymmdd) at `minutes` past midnight.
static int64_t
s_local_ms (const broker_ctx_t *ctx, int day, int minutes)
{
    int days;
    if (broker_calendar_date_to_days (day, &days) != 0)
        return -1;
    return ((int64_t)days * 1440 + minutes - ctx->config->utc_offset_min) * 60000;
}

//  Parses "HH:MM" into minutes from midnight; -1 if malformed.
static int
s_hhmm (const char *s)
{
    int h, m;
    char tail;
    if (!s || sscanf (s, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 || m > 59 ||
        strlen (s) != 5)
        return -1;
    return h * 60 + m;
}

static void
s_due_key (int64_t due, const char *code, unsigned char *key)
{
    broker_key_u64 ((uint64_t)due, key);
    memcpy (key + 8, code, PROTO_TOKEN_LEN);
}

static json_t *
s_public (const json_t *a)
{
    json_t *v = json_deep_copy (a);
    json_object_del (v, "code");
    json_object_del (v, "person");
    char name[192];
    broker_idcheck_mask_name (proto_str (a, "name"), name, sizeof name);
    json_object_set_new (v, "name", json_string (name));
    const char *phone = proto_str (a, "phone");
    if (*phone) {
        char masked[32];
        broker_idcheck_mask_phone (phone, masked, sizeof masked);
        json_object_set_new (v, "phone", json_string (masked));
    }
    return v;
}

static json_t *
s_load (broker_ctx_t *ctx, const char *text, char *code)
{
    if (proto_token_parse (text, strlen (text), code) != 0) {
        broker_fail (ctx, PROTO_ERR_BAD_FIELD, "code must be the booking's QR code");
        return NULL;
    }
    json_t *a = broker_store_get_json (ctx->store, BROKER_DB_APPTS, code, PROTO_TOKEN_LEN);
    if (!a)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_TICKET, "no booking has this code");
    return a;
}

static void
s_save (broker_ctx_t *ctx, const char *code, const json_t *a)
{
    broker_store_put_json (ctx->store, BROKER_DB_APPTS, code, PROTO_TOKEN_LEN, a);
}

//  A booking no longer awaited at check-in: off the no-show timers and the estimates.
static void
s_due_del (broker_ctx_t *ctx, const json_t *a, const char *code)
{
    unsigned char dkey[8 + PROTO_TOKEN_LEN];
    s_due_key (json_integer_value (json_object_get (a, "due")), code, dkey);
    broker_store_del (ctx->store, BROKER_DB_APPT_DUE, dkey, sizeof dkey);
    broker_hall_booking_del (ctx->hall, code);
}

//  Gives a booking's place back (cancelled).
static void
s_release (broker_ctx_t *ctx, const json_t *a, const char *code)
{
    char key[48];
    snprintf (key, sizeof key, "%d/%s/%s", (int)json_integer_value (json_object_get (a, "date")),
              proto_str (a, "service"), proto_str (a, "slot_key"));
    long n = broker_number_peek (ctx, key);
    broker_number_put (ctx, key, n > 0 ? n - 1 : 0);
    char pkey[160];
    int plen =
        snprintf (pkey, sizeof pkey, "%d|%s", (int)json_integer_value (json_object_get (a, "date")),
                  proto_str (a, "person"));
    broker_store_del (ctx->store, BROKER_DB_APPT_PERSON, pkey, (size_t)plen);
    s_due_del (ctx, a, code);
}

//  Refuses a booking on a day off, saying which kind: the hall is closed on the days the
//  published calendar gives off and, in a year without a notice yet, on those the law
//  fixes (broker_calendar.h), as on weekends not made working days. Returns -1.
static int
s_day_off (broker_ctx_t *ctx, int day)
{
    char date[16];
    broker_calendar_date_format (day, date, sizeof date);
    int kind = broker_calendar_day_kind (ctx->calendar, day);
    if (kind == BROKER_DAY_HOLIDAY)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "%s is a public holiday (节假日, the published calendar): not a "
                            "working day; choose another date",
                            date);
    if (kind == BROKER_DAY_STATUTORY) {
        const char *name = broker_holidays_name (day);
        return broker_fail (
            ctx, PROTO_ERR_BAD_FIELD,
            "%s is a day off by law (%s, 全国年节及纪念日放假办法; the %d notice is "
            "not published yet): not a working day; choose another date",
            date, name ? name : "法定节假日", day / 10000);
    }
    return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                        "%s is a weekend day (周末) not made a working day: choose another date",
                        date);
}

int
broker_h_appointment_book (broker_ctx_t *ctx, const json_t *body)
{
    const broker_config_t *cfg = ctx->config;
    const char *prefix = proto_str (body, "service");
    int service = broker_config_service (cfg, prefix);
    if (service < 0)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_SERVICE, "no service \"%.16s\" in this hall",
                            prefix);
    int day = s_date (json_object_get (body, "date"));
    int today = broker_today (ctx);
    int last = broker_calendar_date_add (today, cfg->appt_days_ahead);
    if (!day || day < today || day > last)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "date must be from today to %d days ahead (yyyymmdd)",
                            cfg->appt_days_ahead);
    if (!broker_calendar_is_working_day (ctx->calendar, day))
        return s_day_off (ctx, day);
    int start = s_hhmm (proto_str (body, "slot"));
    bool inside = false;
    for (int p = 0; p < cfg->appt_nperiods; p++) {
        int from = cfg->appt_open_min[2 * p], to = cfg->appt_open_min[2 * p + 1];
        if (start >= from && start + cfg->appt_slot_min <= to &&
            (start - from) % cfg->appt_slot_min == 0)
            inside = true;
    }
    if (!inside)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "slot must be the start of a %d-minute slot within the opening hours",
                            cfg->appt_slot_min);
    int64_t start_ms = s_local_ms (ctx, day, start);
    if (start_ms <= ctx->now)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "that slot has begun already");
    const char *name = proto_str (body, "name");
    const char *id = json_string_value (json_object_get (body, "id_number"));
    const char *id_type = json_string_value (json_object_get (body, "id_type"));
    const char *phone = json_string_value (json_object_get (body, "phone"));
    if (broker_check_length (ctx, "name", name, 64) ||
        broker_check_length (ctx, "id_number", id, 32) ||
        broker_check_length (ctx, "phone", phone, 32))
        return -1;
    if (!id && !phone)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD,
                            "give id_number or phone: one booking per person a day");
    if (id_type && !id)
        return broker_fail (ctx, PROTO_ERR_MISSING_FIELD,
                            "id_type names the document of id_number: give id_number");
    broker_id_type_t want = broker_idcheck_type (id_type), type = BROKER_ID_NONE;
    if (id_type && !want)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "id_type \"%.32s\" is not a document type",
                            id_type);
    //  A wrong ID or phone number would let the same person book twice (and reach nobody):
    //  both are checked, and the person is keyed by the canonical form.
    broker_check_t idc = {0}, phc = {0};
    if (id && broker_idcheck_document (id, want, today, &idc, &type) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "id_number: %s", idc.reason);
    if (phone && broker_idcheck_phone (phone, &phc) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "phone: %s", phc.reason);
    //  The person: the document's type and number (hashed, never stored in clear here; a
    //  passport and a permit may share a number), else the phone.
    char who[64], person[40];
    if (id)
        snprintf (who, sizeof who, "%s|%s", broker_idcheck_type_name (type), idc.canonical);
    else
        snprintf (who, sizeof who, "%s", phc.canonical);
    proto_token_hash (who, person);
    char pkey[160];
    int plen = snprintf (pkey, sizeof pkey, "%d|%s", day, person);
    MDB_val v;
    if (broker_store_get (ctx->store, BROKER_DB_APPT_PERSON, pkey, (size_t)plen, &v) == 0)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "this person has a booking on %d already",
                            day);
    char slot_key[8], key[48];
    snprintf (slot_key, sizeof slot_key, "%02d%02d", start / 60, start % 60);
    snprintf (key, sizeof key, "%d/%s/%s", day, prefix, slot_key);
    long taken = broker_number_peek (ctx, key);
    if (taken < 0)
        return broker_fail (ctx, PROTO_ERR_INTERNAL, "the slot counter %s is unreadable", key);
    if (taken >= cfg->appt_capacity)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "slot %s of %d is full (%d places)",
                            proto_str (body, "slot"), day, cfg->appt_capacity);
    //  Nothing fails from here on.
    char code[PROTO_TOKEN_LEN + 1];
    proto_token_new (code);
    broker_number_put (ctx, key, taken + 1);
    broker_store_put (ctx->store, BROKER_DB_APPT_PERSON, pkey, (size_t)plen, code, PROTO_TOKEN_LEN);
    //  `due` is the first millisecond past the check-in window: the no-show timer's time.
    //  The window itself is closed at both ends, [start - early, start + late].
    int64_t due = start_ms + (int64_t)cfg->appt_late_min * 60000 + 1;
    json_t *a = json_pack (
        "{s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:s}", "code", code, "service",
        prefix, "date", day, "slot", proto_str (body, "slot"), "slot_key", slot_key, "start",
        (json_int_t)start_ms, "due", (json_int_t)due, "name", name, "person", person, "phone",
        phone ? phc.canonical : "", "booked", (json_int_t)ctx->now, "state", "booked");
    if (id)
        json_object_set_new (a, "id_type", json_string (broker_idcheck_type_name (type)));
    s_save (ctx, code, a);
    unsigned char dkey[8 + PROTO_TOKEN_LEN];
    s_due_key (due, code, dkey);
    broker_store_put (ctx->store, BROKER_DB_APPT_DUE, dkey, sizeof dkey, "", 0);
    if (!ctx->hall->appt_due || due < ctx->hall->appt_due)
        ctx->hall->appt_due = due;
    broker_hall_booking_add (ctx->hall, code, service, start_ms);
    broker_emit (ctx, PROTO_EVT_APPOINTMENT_BOOKED,
                 json_pack ("{s:o}", "appointment", s_public (a)));
    char qr[600];
    snprintf (qr, sizeof qr, "%s%s", cfg->status_url, code);
    json_t *reply = s_public (a);
    json_object_set_new (reply, "code", json_string (code));
    json_object_set_new (reply, "qr", json_string (qr));
    json_object_set_new (reply, "checkin_from",
                         json_integer (start_ms - (int64_t)cfg->appt_early_min * 60000));
    json_object_set_new (reply, "checkin_until", json_integer (due - 1));
    ctx->reply = reply;
    json_decref (a);
    return 0;
}

int
broker_h_appointment_cancel (broker_ctx_t *ctx, const json_t *body)
{
    char code[PROTO_TOKEN_LEN + 1];
    json_t *a = s_load (ctx, proto_str (body, "code"), code);
    if (!a)
        return -1;
    if (strcmp (proto_str (a, "state"), "booked") != 0 ||
        json_integer_value (json_object_get (a, "start")) <= ctx->now) {
        json_decref (a);
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "only a booking whose slot has not begun can be cancelled");
    }
    s_release (ctx, a, code);
    json_object_set_new (a, "state", json_string ("cancelled"));
    s_save (ctx, code, a);
    broker_emit (ctx, PROTO_EVT_APPOINTMENT_CANCELLED,
                 json_pack ("{s:o}", "appointment", s_public (a)));
    ctx->reply = s_public (a);
    json_decref (a);
    return 0;
}

int
broker_h_appointment_checkin (broker_ctx_t *ctx, const json_t *body)
{
    char code[PROTO_TOKEN_LEN + 1];
    json_t *a = s_load (ctx, proto_str (body, "code"), code);
    if (!a)
        return -1;
    const char *state = proto_str (a, "state");
    int today = broker_today (ctx);
    int rc = 0;
    if (strcmp (state, "booked") != 0 && strcmp (state, "no_show") != 0)
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE, "this booking is %s", state);
    else if (json_integer_value (json_object_get (a, "date")) != today)
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE, "this booking is for %d, not today",
                          (int)json_integer_value (json_object_get (a, "date")));
    if (rc) {
        json_decref (a);
        return rc;
    }
    int64_t start = json_integer_value (json_object_get (a, "start"));
    bool in_window = strcmp (state, "booked") == 0 &&
                     ctx->now >= start - (int64_t)ctx->config->appt_early_min * 60000 &&
                     ctx->now <= start + (int64_t)ctx->config->appt_late_min * 60000;
    int service = broker_config_service (ctx->config, proto_str (a, "service"));
    broker_ticket_t *t =
        broker_issue (ctx, service, in_window ? PRIORITY_APPOINTMENT : PRIORITY_NORMAL);
    if (!t) {
        json_decref (a);
        return -1;
    }
    if (strcmp (state, "booked") == 0)
        s_due_del (ctx, a, code);
    if (in_window) {
        ctx->hall->arrive_sum_ms += ctx->now - start;
        ctx->hall->arrive_n++;
    }
    json_object_set_new (a, "state", json_string ("checked_in"));
    json_object_set_new (a, "checked_in", json_integer (ctx->now));
    json_object_set_new (a, "ticket", json_string (t->number));
    json_object_set_new (a, "in_window", json_boolean (in_window));
    s_save (ctx, code, a);
    broker_emit (ctx, PROTO_EVT_APPOINTMENT_CHECKED_IN,
                 json_pack ("{s:o, s:s, s:b}", "appointment", s_public (a), "ticket", t->number,
                            "in_window", in_window));
    json_object_set_new (ctx->reply, "appointment", s_public (a));
    json_object_set_new (ctx->reply, "in_window", json_boolean (in_window));
    json_decref (a);
    return 0;
}

int
broker_h_appointment_list (broker_ctx_t *ctx, const json_t *body)
{
    json_t *d = json_object_get (body, "date");
    int date = d ? s_date (d) : broker_today (ctx);
    if (json_is_integer (d) && !date)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "date must be a date (yyyymmdd)");
    const char *service = json_string_value (json_object_get (body, "service"));
    json_t *list = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_APPTS, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *a = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (a && json_integer_value (json_object_get (a, "date")) == date &&
            (!service || strcmp (service, proto_str (a, "service")) == 0))
            json_array_append_new (list, s_public (a));
        json_decref (a);
    }
    broker_store_scan_end (&it);
    ctx->reply = json_pack ("{s:i, s:o}", "date", date, "appointments", list);
    return 0;
}

void
broker_appt_timers (broker_ctx_t *ctx)
{
    if (!ctx->hall->appt_due || ctx->hall->appt_due > ctx->now)
        return;
    //  The codes whose window closed, then the first still to come; written after the walk.
    json_t *due = json_array ();
    int64_t next = 0;
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_APPT_DUE, NULL, 0, &it);
    while (broker_store_next (&it)) {
        if (it.key.mv_size != 8 + PROTO_TOKEN_LEN)
            continue;
        int64_t when = (int64_t)broker_key_u64_read (it.key.mv_data);
        if (when > ctx->now) {
            next = when;
            break;
        }
        json_array_append_new (due,
                               json_stringn ((const char *)it.key.mv_data + 8, PROTO_TOKEN_LEN));
    }
    broker_store_scan_end (&it);
    size_t i;
    json_t *c;
    json_array_foreach (due, i, c) {
        const char *code = json_string_value (c);
        json_t *a = broker_store_get_json (ctx->store, BROKER_DB_APPTS, code, PROTO_TOKEN_LEN);
        s_due_del (ctx, a, code);
        if (a && strcmp (proto_str (a, "state"), "booked") == 0) {
            json_object_set_new (a, "state", json_string ("no_show"));
            s_save (ctx, code, a);
            broker_emit (ctx, PROTO_EVT_APPOINTMENT_NO_SHOW,
                         json_pack ("{s:o}", "appointment", s_public (a)));
        }
        json_decref (a);
    }
    json_decref (due);
    ctx->hall->appt_due = next;
}
