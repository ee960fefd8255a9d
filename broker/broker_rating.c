/*  broker_rating.c — see broker_rating.h. */
#include "broker_rating.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "broker_case.h"
#include "broker_devices.h"
#include "proto_json.h"
#include "proto_token.h"

static const char *s_levels[] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};

//  ---------------------------------------------------------------------------------------
//  The counter's rating pad

//  The pad record, META "pad:N": the token of the counter's last finished visit and when.
static int
s_pad_key (int counter, char *key, size_t size)
{
    return snprintf (key, size, "pad:%d", counter);
}

void
broker_rating_pad_set (broker_ctx_t *ctx, int counter, const broker_ticket_t *t)
{
    char key[32], val[64];
    int klen = s_pad_key (counter, key, sizeof key);
    int vlen = snprintf (val, sizeof val, "%s %lld", t->token, (long long)t->finished_ms);
    broker_store_put (ctx->store, BROKER_DB_META, key, (size_t)klen, val, (size_t)vlen);
}

//  On a CURVE broker a rating by counter number comes only from that counter's own pad, a
//  counter device enrolled as 评价器N: the counter terminal itself (its clerk), a kiosk or the
//  web could otherwise rate a visit no citizen rated. Without keys every sender holds every
//  role, and there is no device to tell apart. 0, or -1 with forbidden.
static int
s_pad_device (broker_ctx_t *ctx, json_int_t counter)
{
    if (ctx->roles == R_ANY || !ctx->devices)
        return 0;
    char want[48];
    snprintf (want, sizeof want, BROKER_PAD_NAME "%lld", (long long)counter);
    if (ctx->roles == R_COUNTER &&
        strcmp (broker_devices_name (ctx->devices, ctx->principal), want) == 0)
        return 0;
    return broker_fail (ctx, PROTO_ERR_FORBIDDEN,
                        "only counter %lld's rating pad (a counter device enrolled as %s) rates "
                        "by counter number; others rate by the slip's token",
                        (long long)counter, want);
}

//  On a CURVE broker a visit is rated by its token only where the citizen is: the phone page
//  (the web gateway) and an administrator. A kiosk prints every token and a counter scans
//  the slip it serves, so either could rate a visit no citizen rated (a clerk their own);
//  a counter device rates only through the pad path, its own counter's last visit. 0, or -1
//  with forbidden.
static int
s_token_device (broker_ctx_t *ctx)
{
    if (ctx->roles == R_ANY || !ctx->devices || (ctx->roles & (R_WEB | R_ADMIN)))
        return 0;
    return broker_fail (ctx, PROTO_ERR_FORBIDDEN,
                        "a visit is rated by its token only on the citizen's phone page (the web "
                        "gateway); a counter's rating pad (a counter device enrolled as %sN) "
                        "rates its own counter's last visit by counter number",
                        BROKER_PAD_NAME);
}

//  The token the counter's pad rates now, into `token`; 0, or -1 with the failure recorded.
static int
s_pad_token (broker_ctx_t *ctx, const json_t *body, char *token)
{
    broker_counter_t *c;
    if (s_pad_device (ctx, proto_int (body, "counter")) ||
        broker_counter_require (ctx, body, 0, &c, NULL))
        return -1;
    char key[32], val[64];
    int klen = s_pad_key (c->id, key, sizeof key);
    MDB_val v;
    long long finished = 0;
    if (broker_store_get (ctx->store, BROKER_DB_META, key, (size_t)klen, &v) == 0 &&
        v.mv_size < sizeof val) {
        memcpy (val, v.mv_data, v.mv_size);
        val[v.mv_size] = 0;
        if (sscanf (val, "%26s %lld", token, &finished) != 2)
            finished = 0;
    }
    if (!finished || ctx->now - finished > BROKER_PAD_WINDOW_MS)
        return broker_fail (ctx, PROTO_ERR_NO_TICKET,
                            "counter %d finished no visit in the last %d minutes to rate", c->id,
                            BROKER_PAD_WINDOW_MS / 60000);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Rectification items

//  What an item in `stage` awaits: the verb of its next command, or NULL once closed.
static const char *
s_next (const char *stage)
{
    if (strcmp (stage, BROKER_RATING_RECEIVED) == 0 || strcmp (stage, BROKER_RATING_APPEALED) == 0)
        return "verify";
    if (strcmp (stage, BROKER_RATING_VALID) == 0)
        return "rectify";
    if (strcmp (stage, BROKER_RATING_INVALID) == 0 || strcmp (stage, BROKER_RATING_RECTIFIED) == 0)
        return "revisit";
    return NULL;
}

//  The item's stage. Items stored before stages were kept say only open or closed.
static const char *
s_stage (const json_t *item)
{
    const char *stage = proto_str (item, "stage");
    if (*stage)
        return stage;
    return proto_is (item, "state", "closed") ? BROKER_RATING_CLOSED : BROKER_RATING_RECEIVED;
}

//  Sets the item's stage and what it awaits next.
static void
s_set_stage (json_t *item, const char *stage)
{
    const char *next = s_next (stage);
    json_t *name = json_string (stage); //  before the set: `stage` may be the item's own
    json_object_set_new (item, "stage", name);
    json_object_set_new (item, "next", next ? json_string (next) : json_null ());
}

//  Opens the rectification item of a bad rating. `subject` says what was rated (ticket,
//  level, counter, comment, time; for a case also case_no, item, department): the item is
//  its id, then those, then the clock. Stores it and emits rating.bad. Caller owns the item.
static json_t *
s_open_item (broker_ctx_t *ctx, json_t *subject)
{
    long id = broker_number_peek (ctx, "rectify");
    if (id < 0)
        id = 0;
    broker_number_put (ctx, "rectify", ++id);
    int today = broker_today (ctx), days = ctx->config->rectify_days, deadline = today;
    bool provisional = false;
    if (ctx->calendar)
        broker_calendar_add_working_days (ctx->calendar, today, days, &deadline, &provisional);
    json_t *item = json_pack ("{s:I}", "id", (json_int_t)id);
    json_object_update (item, subject);
    json_decref (subject);
    json_object_set_new (item, "day", json_integer (today));
    json_object_set_new (item, "days", json_integer (days));
    json_object_set_new (item, "deadline", json_integer (deadline));
    json_object_set_new (item, "provisional", json_boolean (provisional));
    json_object_set_new (item, "state", json_string ("open"));
    s_set_stage (item, BROKER_RATING_RECEIVED);
    unsigned char key[8];
    broker_key_u64 ((uint64_t)id, key);
    broker_store_put_json (ctx->store, BROKER_DB_RECTIFY, key, sizeof key, item);
    broker_emit (ctx, PROTO_EVT_RATING_BAD, json_pack ("{s:O}", "rectification", item));
    return item;
}

//  Refuses a step that the item's stage does not allow, saying what it awaits. Frees the
//  item.
static void
s_wrong_stage (broker_ctx_t *ctx, json_t *item, const char *stage)
{
    long long id = (long long)proto_int (item, "id");
    const char *next = s_next (stage);
    if (!next)
        broker_fail (ctx, PROTO_ERR_WRONG_STATE, "rectification %lld is closed already", id);
    else
        broker_fail (ctx, PROTO_ERR_WRONG_STATE, "rectification %lld is %s: it awaits rating.%s",
                     id, stage, next);
    json_decref (item); //  after the message: `stage` may be the item's
}

//  The item named by body's id if it awaits `verb` (verify, rectify, revisit), its key
//  into `key`, once body's `text` field and `clerk` are within their limits. NULL with the
//  failure recorded (bad_field, unknown_rating, wrong_state). Caller owns it.
static json_t *
s_item_for (broker_ctx_t *ctx, const json_t *body, const char *text, const char *verb,
            unsigned char key[8])
{
    if (broker_check_length (ctx, text, json_string_value (json_object_get (body, text)), 1024) ||
        broker_check_length (ctx, "clerk", json_string_value (json_object_get (body, "clerk")), 64))
        return NULL;
    json_int_t id = proto_int (body, "id");
    broker_key_u64 ((uint64_t)id, key);
    json_t *item = id > 0 ? broker_store_get_json (ctx->store, BROKER_DB_RECTIFY, key, 8) : NULL;
    if (!item) {
        broker_fail (ctx, PROTO_ERR_UNKNOWN_RATING, "no rectification item %lld", (long long)id);
        return NULL;
    }
    const char *stage = s_stage (item), *next = s_next (stage);
    if (next && strcmp (next, verb) == 0)
        return item;
    s_wrong_stage (ctx, item, stage);
    return NULL;
}

//  Moves the item to `stage`, stores it, publishes `evt` and replies with it. Takes `item`.
static int
s_step (broker_ctx_t *ctx, const unsigned char key[8], json_t *item, const char *stage,
        proto_evt_t evt)
{
    s_set_stage (item, stage);
    broker_store_put_json (ctx->store, BROKER_DB_RECTIFY, key, 8, item);
    broker_emit (ctx, evt, json_pack ("{s:O}", "rectification", item));
    ctx->reply = item;
    return 0;
}

//  The record of one step: who took it (NULL: not named) and when.
static json_t *
s_record (broker_ctx_t *ctx, const char *clerk)
{
    return json_pack ("{s:s, s:I}", "clerk", clerk ? clerk : "", "time", (json_int_t)ctx->now);
}

int
broker_h_rating_verify (broker_ctx_t *ctx, const json_t *body)
{
    const char *result = proto_str (body, "result");
    const char *reason = json_string_value (json_object_get (body, "reason"));
    bool valid = strcmp (result, BROKER_RATING_VALID) == 0;
    bool appeal = strcmp (result, BROKER_RATING_APPEALED) == 0;
    if (!valid && !appeal && strcmp (result, BROKER_RATING_INVALID) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "result must be valid, invalid or appealed (核实: true, untrue, "
                            "disputed before the supervising body)");
    if (!valid && !reason)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "result %s needs the reason", result);
    unsigned char key[8];
    json_t *item = s_item_for (ctx, body, "reason", "verify", key);
    if (!item)
        return -1;
    if (appeal && strcmp (s_stage (item), BROKER_RATING_APPEALED) == 0) {
        json_decref (item);
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "rectification %lld is appealed already: record the supervising "
                            "body's finding as valid or invalid",
                            (long long)proto_int (body, "id"));
    }
    json_t *step = s_record (ctx, proto_str (body, "clerk"));
    json_object_set_new (step, "result", json_string (result));
    json_object_set_new (step, "reason", json_string (reason ? reason : ""));
    json_object_set_new (item, appeal ? "appeal" : "verification", step);
    //  The rules let an untrue rating, once reviewed, be left out of the hall's figures.
    if (!valid && !appeal)
        json_object_set_new (item, "excluded", json_true ());
    return s_step (ctx, key, item, result, PROTO_EVT_RATING_VERIFIED);
}

int
broker_h_rating_rectify (broker_ctx_t *ctx, const json_t *body)
{
    const char *answer = json_string_value (json_object_get (body, "answer"));
    const char *clerk = json_string_value (json_object_get (body, "clerk"));
    unsigned char key[8];
    json_t *item = s_item_for (ctx, body, "answer", "rectify", key);
    if (!item)
        return -1;
    json_object_set_new (item, "answer", json_string (answer));
    json_object_set_new (item, "clerk", json_string (clerk ? clerk : ""));
    json_object_set_new (item, "rectified", json_integer (ctx->now));
    return s_step (ctx, key, item, BROKER_RATING_RECTIFIED, PROTO_EVT_RATING_RECTIFIED);
}

int
broker_h_rating_revisit (broker_ctx_t *ctx, const json_t *body)
{
    const char *result = proto_str (body, "result");
    const char *note = json_string_value (json_object_get (body, "note"));
    const char *clerk = json_string_value (json_object_get (body, "clerk"));
    bool reached = strcmp (result, "unreachable") != 0;
    if (reached && strcmp (result, "satisfied") != 0 && strcmp (result, "unsatisfied") != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "result must be satisfied, unsatisfied or unreachable");
    json_t *contacted = json_object_get (body, "contacted");
    if (json_is_boolean (contacted) && json_is_true (contacted) != reached)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "contacted must be false exactly when the result is unreachable");
    unsigned char key[8];
    json_t *item = s_item_for (ctx, body, "note", "revisit", key);
    if (!item)
        return -1;
    json_t *step = s_record (ctx, clerk);
    json_object_set_new (step, "contacted", json_boolean (reached));
    json_object_set_new (step, "result", json_string (result));
    json_object_set_new (step, "note", json_string (note ? note : ""));
    json_object_set_new (item, "revisit", step);
    json_object_set_new (item, "state", json_string ("closed"));
    json_object_set_new (item, "closed", json_integer (ctx->now));
    json_object_set_new (item, "on_time",
                         json_boolean (broker_today (ctx) <=
                                       json_integer_value (json_object_get (item, "deadline"))));
    return s_step (ctx, key, item, BROKER_RATING_CLOSED, PROTO_EVT_RATING_REVISITED);
}

//  ---------------------------------------------------------------------------------------
//  Rating

//  The plain words the rater is shown (PROTOCOL.md 6.17): thanks, and after a bad rating
//  when they will hear back; never an id, a stage or a raw date.
static void
s_thank (broker_ctx_t *ctx, json_t *reply, json_int_t level)
{
    char zh[160], en[160];
    if (level <= 2) {
        snprintf (zh, sizeof zh, "感谢您的评价，我们将在 %d 个工作日内核实并回访。",
                  ctx->config->rectify_days);
        snprintf (en, sizeof en,
                  "Thank you. We will look into it and get back to you within %d working days.",
                  ctx->config->rectify_days);
    } else {
        snprintf (zh, sizeof zh, "感谢您的评价！");
        snprintf (en, sizeof en, "Thank you for your rating.");
    }
    json_object_set_new (reply, "message", json_string (zh));
    json_object_set_new (reply, "message_en", json_string (en));
}

//  The ticket of a slip's token: its record (caller frees), its key and *t; NULL with the
//  failure recorded.
static json_t *
s_ticket_of (broker_ctx_t *ctx, const char *token, unsigned char key[8], broker_ticket_t *t)
{
    MDB_val v;
    if (broker_store_get (ctx->store, BROKER_DB_TOKENS, token, PROTO_TOKEN_LEN, &v) != 0 ||
        v.mv_size != 8) {
        broker_fail (ctx, PROTO_ERR_UNKNOWN_TICKET, "no ticket has this code");
        return NULL;
    }
    memcpy (key, v.mv_data, 8);
    json_t *tj = broker_store_get_json (ctx->store, BROKER_DB_TICKETS, key, 8);
    if (!tj || broker_ticket_from_json (ctx->hall, tj, t) != 0) {
        json_decref (tj);
        broker_fail (ctx, PROTO_ERR_INTERNAL, "the ticket record is unreadable");
        return NULL;
    }
    return tj;
}

//  What was rated and how, the start of a rectification item.
static json_t *
s_subject (broker_ctx_t *ctx, const char *kind, const json_t *pub, json_int_t level, int counter,
           const char *comment)
{
    return json_pack ("{s:s, s:O, s:I, s:s, s:i, s:s, s:I}", "subject", kind, "ticket", pub,
                      "level", level, "level_name", s_levels[level], "counter", counter, "comment",
                      comment ? comment : "", "time", (json_int_t)ctx->now);
}

//  Rates the visit of the ticket of `token` (一次一评).
static int
s_rate_visit (broker_ctx_t *ctx, const char *token, json_int_t level, const char *comment)
{
    unsigned char key[8];
    broker_ticket_t t;
    json_t *tj = s_ticket_of (ctx, token, key, &t);
    if (!tj)
        return -1;
    int rc = 0;
    if (t.state != TICKET_DONE)
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                          "ticket %s is %s: only a finished visit is rated", t.number,
                          broker_ticket_state_name (t.state));
    else if (json_object_get (tj, "rating"))
        rc = broker_fail (ctx, PROTO_ERR_WRONG_STATE, "ticket %s was rated already", t.number);
    if (rc) {
        json_decref (tj);
        return rc;
    }
    json_object_set_new (tj, "rating",
                         json_pack ("{s:I, s:s, s:I}", "level", level, "comment",
                                    comment ? comment : "", "time", (json_int_t)ctx->now));
    broker_store_put_json (ctx->store, BROKER_DB_TICKETS, key, sizeof key, tj);
    json_decref (tj);
    broker_day_service_t *d = &ctx->hall->day_svc[t.service];
    d->rated++;
    d->rating[level]++;
    broker_hall_save_day_service (ctx->hall, ctx->store, t.service);
    json_t *pub = broker_ticket_json (ctx->hall, &t, false);
    broker_emit (
        ctx, PROTO_EVT_RATING_RECEIVED,
        json_pack ("{s:O, s:I, s:i}", "ticket", pub, "level", level, "counter", t.last_counter));
    json_t *reply =
        json_pack ("{s:O, s:I, s:s}", "ticket", pub, "level", level, "level_name", s_levels[level]);
    //  A bad rating is never just a number: it opens an item with a deadline.
    if (level <= 2)
        json_object_set_new (
            reply, "rectification",
            s_open_item (ctx, s_subject (ctx, "visit", pub, level, t.last_counter, comment)));
    json_decref (pub);
    s_thank (ctx, reply, level);
    ctx->reply = reply;
    return 0;
}

//  A case may be rated once it is concluded: the citizen has its outcome.
static bool
s_concluded (const char *state)
{
    return strcmp (state, BROKER_CASE_COLLECTED) == 0 ||
           strcmp (state, BROKER_CASE_APPROVED) == 0 || strcmp (state, BROKER_CASE_DENIED) == 0 ||
           strcmp (state, BROKER_CASE_NOT_ACCEPTED) == 0 ||
           strcmp (state, BROKER_CASE_WITHDRAWN) == 0;
}

//  The case `case_no` if the slip of `token` leads to it, concluded and not yet rated;
//  NULL with the failure recorded. Caller owns it.
static json_t *
s_case_to_rate (broker_ctx_t *ctx, const char *token, const char *case_no)
{
    char tkey[PROTO_TOKEN_LEN + BROKER_CASE_NO_MAX + 2];
    int tlen = snprintf (tkey, sizeof tkey, "%s|%s", token, case_no);
    MDB_val v;
    json_t *c = NULL;
    if (strlen (case_no) <= BROKER_CASE_NO_MAX &&
        broker_store_get (ctx->store, BROKER_DB_TOKEN_CASES, tkey, (size_t)tlen, &v) == 0)
        c = broker_case_load (ctx, case_no);
    if (!c) {
        broker_fail (ctx, PROTO_ERR_UNKNOWN_CASE, "this slip leads to no case %.48s", case_no);
        return NULL;
    }
    const char *state = proto_str (c, "state");
    if (!s_concluded (state))
        broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                     "case %s is %s: a case is rated once it is concluded", case_no, state);
    else if (broker_store_get (ctx->store, BROKER_DB_RATINGS, case_no, strlen (case_no), &v) == 0)
        broker_fail (ctx, PROTO_ERR_WRONG_STATE, "case %s was rated already", case_no);
    else
        return c;
    json_decref (c);
    return NULL;
}

//  Rates case `case_no`, which the slip of `token` leads to (一事一评).
static int
s_rate_case (broker_ctx_t *ctx, const char *token, const char *case_no, json_int_t level,
             const char *comment)
{
    unsigned char key[8];
    broker_ticket_t t;
    json_t *tj = s_ticket_of (ctx, token, key, &t);
    if (!tj)
        return -1;
    json_decref (tj);
    json_t *c = s_case_to_rate (ctx, token, case_no);
    if (!c)
        return -1;
    int counter = (int)proto_int (c, "counter");
    json_t *rating =
        json_pack ("{s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:s, s:I, s:i}", "case_no", case_no, "item",
                   proto_str (c, "item"), "service", proto_str (c, "service"), "department",
                   proto_str (c, "department"), "level", level, "level_name", s_levels[level],
                   "counter", counter, "comment", comment ? comment : "", "time",
                   (json_int_t)ctx->now, "day", broker_today (ctx));
    broker_store_put_json (ctx->store, BROKER_DB_RATINGS, case_no, strlen (case_no), rating);
    json_t *event = json_deep_copy (rating);
    json_object_del (event, "comment");
    json_object_del (event, "level_name");
    json_object_del (event, "time");
    json_object_del (event, "day");
    broker_emit (ctx, PROTO_EVT_RATING_CASE_RECEIVED, event);
    json_decref (rating);
    json_t *reply =
        json_pack ("{s:s, s:s, s:I, s:s}", "case_no", case_no, "item_name",
                   proto_str (c, "item_name"), "level", level, "level_name", s_levels[level]);
    if (level <= 2) {
        json_t *pub = broker_ticket_json (ctx->hall, &t, false);
        json_t *subject = s_subject (ctx, "case", pub, level, counter, comment);
        json_decref (pub);
        json_object_set_new (subject, "case_no", json_string (case_no));
        json_object_set_new (subject, "item", json_string (proto_str (c, "item")));
        json_object_set_new (subject, "department", json_string (proto_str (c, "department")));
        json_object_set_new (reply, "rectification", s_open_item (ctx, subject));
    }
    json_decref (c);
    s_thank (ctx, reply, level);
    ctx->reply = reply;
    return 0;
}

int
broker_h_ticket_rate (broker_ctx_t *ctx, const json_t *body)
{
    const char *text = json_string_value (json_object_get (body, "token"));
    const char *case_no = json_string_value (json_object_get (body, "case_no"));
    json_int_t level = proto_int (body, "level");
    const char *comment = json_string_value (json_object_get (body, "comment"));
    char token[PROTO_TOKEN_LEN + 1];
    if (level < 1 || level > 5)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "level must be 1 to 5 (5 = 非常满意)");
    if (broker_check_length (ctx, "comment", comment, 512))
        return -1;
    json_t *counter = json_object_get (body, "counter");
    if (!text == !(counter && !json_is_null (counter)))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "give either token (the slip's QR code) or counter (its rating pad)");
    if (case_no && !text)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "a case is rated by the token of its slip, not on a counter's pad");
    if (!text) {
        if (s_pad_token (ctx, body, token))
            return -1;
    } else if (s_token_device (ctx))
        return -1;
    else if (proto_token_parse (text, strlen (text), token) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "token must be the code of the slip's QR code");
    if (case_no)
        return s_rate_case (ctx, token, case_no, level, comment);
    return s_rate_visit (ctx, token, level, comment);
}

//  ---------------------------------------------------------------------------------------
//  The list and the figures

//  The tallies behind the figures the hall is judged on (PROTOCOL.md 6.17).
typedef struct {
    json_int_t bad, open, overdue, closed, on_time, valid, invalid, appealed, contacted, satisfied;
    json_int_t cases_rated, case_levels[6];
} s_tally_t;

static json_t *
s_ratio (json_int_t num, json_int_t den)
{
    return den > 0 ? json_real ((double)num / (double)den) : json_null ();
}

//  Counts one item into the tallies.
static void
s_tally_item (s_tally_t *n, const json_t *item, int today)
{
    const json_t *revisit = json_object_get (item, "revisit");
    bool closed = strcmp (s_stage (item), BROKER_RATING_CLOSED) == 0;
    n->bad++;
    n->open += !closed;
    n->overdue += !closed && today > proto_int (item, "deadline");
    n->closed += closed;
    n->on_time += closed && json_is_true (json_object_get (item, "on_time"));
    n->valid += proto_is (json_object_get (item, "verification"), "result", "valid");
    n->invalid += proto_is (json_object_get (item, "verification"), "result", "invalid");
    n->appealed += json_object_get (item, "appeal") != NULL;
    n->contacted += json_is_true (json_object_get (revisit, "contacted"));
    n->satisfied += proto_is (revisit, "result", "satisfied");
}

static json_t *
s_figures (const s_tally_t *n)
{
    const json_int_t *lv = n->case_levels;
    return json_pack (
        "{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:I, s:[I,I,I,I,I], "
        "s:o}",
        "bad", n->bad, "open", n->open, "overdue", n->overdue, "closed", n->closed, "on_time",
        n->on_time, "on_time_rate", s_ratio (n->on_time, n->closed), "valid", n->valid, "invalid",
        n->invalid, "appealed", n->appealed, "revisited", n->contacted, "revisit_rate",
        s_ratio (n->contacted, n->closed), "satisfied", n->satisfied, "satisfied_rate",
        s_ratio (n->satisfied, n->contacted), "cases_rated", n->cases_rated, "case_ratings", lv[1],
        lv[2], lv[3], lv[4], lv[5], "case_good_rate", s_ratio (lv[4] + lv[5], n->cases_rated));
}

int
broker_h_rating_list (broker_ctx_t *ctx, const json_t *body)
{
    const char *state = json_string_value (json_object_get (body, "state"));
    int today = broker_today (ctx);
    s_tally_t n = {0};
    json_t *list = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_RECTIFY, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *j = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (!j)
            continue;
        s_tally_item (&n, j, today);
        if (!state || proto_is (j, "state", state)) {
            bool due = s_next (s_stage (j)) != NULL;
            s_set_stage (j, s_stage (j));
            json_object_set_new (j, "overdue",
                                 json_boolean (due && today > proto_int (j, "deadline")));
            json_array_append (list, j);
        }
        json_decref (j);
    }
    broker_store_scan_end (&it);
    broker_store_scan (ctx->store, BROKER_DB_RATINGS, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *j = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        json_int_t level = proto_int (j, "level");
        if (level >= 1 && level <= 5) {
            n.cases_rated++;
            n.case_levels[level]++;
        }
        json_decref (j);
    }
    broker_store_scan_end (&it);
    ctx->reply = json_pack ("{s:o, s:i, s:o}", "rectifications", list, "today", today, "figures",
                            s_figures (&n));
    return 0;
}

int
broker_rating_recalendar (broker_ctx_t *ctx, const char *reason)
{
    //  Read them all first: the records are written back while the scan would still run.
    json_t *items = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_RECTIFY, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *j = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (j && !json_object_get (j, "closed") && !proto_is (j, "state", "closed"))
            json_array_append (items, j);
        json_decref (j);
    }
    broker_store_scan_end (&it);
    int moved = 0;
    size_t i;
    json_t *item;
    json_array_foreach (items, i, item) {
        //  The item keeps the day its clock started and its own number of days; items stored
        //  before they did count from the rating's time and today's rectify_days.
        int day = (int)json_integer_value (json_object_get (item, "day"));
        if (!day)
            day = broker_business_day (json_integer_value (json_object_get (item, "time")),
                                       ctx->config->utc_offset_min, 0);
        int days = (int)json_integer_value (json_object_get (item, "days"));
        if (days <= 0)
            days = ctx->config->rectify_days;
        int before = (int)json_integer_value (json_object_get (item, "deadline")), after = day;
        bool provisional = false;
        if (broker_calendar_add_working_days (ctx->calendar, day, days, &after, &provisional) != 0)
            continue;
        if (after == before && provisional == json_is_true (json_object_get (item, "provisional")))
            continue;
        json_object_set_new (item, "deadline", json_integer (after));
        json_object_set_new (item, "provisional", json_boolean (provisional));
        unsigned char key[8];
        broker_key_u64 ((uint64_t)json_integer_value (json_object_get (item, "id")), key);
        broker_store_put_json (ctx->store, BROKER_DB_RECTIFY, key, sizeof key, item);
        if (after == before)
            continue;
        moved++;
        broker_emit (ctx, PROTO_EVT_RATING_DEADLINE_MOVED,
                     json_pack ("{s:O, s:i, s:i, s:s}", "rectification", item, "from", before, "to",
                                after, "reason", reason));
    }
    json_decref (items);
    return moved;
}
