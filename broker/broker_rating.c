/*  broker_rating.c — see broker_rating.h. */
#include "broker_rating.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_calendar.h"
#include "proto_token.h"

static const char *s_levels[] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};

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

//  The token the counter's pad rates now, into `token`; 0, or -1 with the failure recorded.
static int
s_pad_token (broker_ctx_t *ctx, const json_t *body, char *token)
{
    broker_counter_t *c;
    if (broker_counter_require (ctx, body, 0, &c, NULL))
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

int
broker_h_ticket_rate (broker_ctx_t *ctx, const json_t *body)
{
    const char *text = json_string_value (json_object_get (body, "token"));
    json_int_t level = json_integer_value (json_object_get (body, "level"));
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
    if (!text) {
        if (s_pad_token (ctx, body, token))
            return -1;
    } else if (proto_token_parse (text, strlen (text), token) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "token must be the code of the slip's QR code");
    MDB_val v;
    if (broker_store_get (ctx->store, BROKER_DB_TOKENS, token, PROTO_TOKEN_LEN, &v) != 0 ||
        v.mv_size != 8)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_TICKET, "no ticket has this code");
    unsigned char key[8];
    memcpy (key, v.mv_data, 8);
    json_t *tj = broker_store_get_json (ctx->store, BROKER_DB_TICKETS, key, sizeof key);
    broker_ticket_t t;
    if (!tj || broker_ticket_from_json (ctx->hall, tj, &t) != 0) {
        json_decref (tj);
        return broker_fail (ctx, PROTO_ERR_INTERNAL, "the ticket record is unreadable");
    }
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
    if (level <= 2) {
        //  A bad rating is never just a number: it opens an item with a deadline.
        long id = broker_number_peek (ctx, "rectify");
        if (id < 0)
            id = 0;
        broker_number_put (ctx, "rectify", ++id);
        int today = broker_today (ctx), deadline = today;
        bool provisional = false;
        if (ctx->calendar)
            broker_calendar_add_working_days (ctx->calendar, today, ctx->config->rectify_days,
                                              &deadline, &provisional);
        json_t *item = json_pack ("{s:I, s:O, s:I, s:s, s:i, s:s, s:I, s:i, s:b, s:s}", "id",
                                  (json_int_t)id, "ticket", pub, "level", level, "level_name",
                                  s_levels[level], "counter", t.last_counter, "comment",
                                  comment ? comment : "", "time", (json_int_t)ctx->now, "deadline",
                                  deadline, "provisional", provisional, "state", "open");
        unsigned char rkey[8];
        broker_key_u64 ((uint64_t)id, rkey);
        broker_store_put_json (ctx->store, BROKER_DB_RECTIFY, rkey, sizeof rkey, item);
        broker_emit (ctx, PROTO_EVT_RATING_BAD, json_pack ("{s:O}", "rectification", item));
        json_object_set_new (reply, "rectification", item);
    }
    json_decref (pub);
    json_decref (tj);
    ctx->reply = reply;
    return 0;
}

int
broker_h_rating_list (broker_ctx_t *ctx, const json_t *body)
{
    const char *state = json_string_value (json_object_get (body, "state"));
    json_t *list = json_array ();
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_RECTIFY, NULL, 0, &it);
    while (broker_store_next (&it)) {
        json_t *j = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        if (j && (!state || strcmp (state, json_string_value (json_object_get (j, "state"))) == 0))
            json_array_append (list, j);
        json_decref (j);
    }
    broker_store_scan_end (&it);
    ctx->reply = json_pack ("{s:o, s:i}", "rectifications", list, "today", broker_today (ctx));
    return 0;
}

int
broker_h_rating_rectify (broker_ctx_t *ctx, const json_t *body)
{
    json_int_t id = json_integer_value (json_object_get (body, "id"));
    const char *answer = json_string_value (json_object_get (body, "answer"));
    const char *clerk = json_string_value (json_object_get (body, "clerk"));
    if (broker_check_length (ctx, "answer", answer, 1024) ||
        broker_check_length (ctx, "clerk", clerk, 64))
        return -1;
    unsigned char key[8];
    broker_key_u64 ((uint64_t)id, key);
    json_t *item =
        id > 0 ? broker_store_get_json (ctx->store, BROKER_DB_RECTIFY, key, sizeof key) : NULL;
    if (!item)
        return broker_fail (ctx, PROTO_ERR_UNKNOWN_RATING, "no rectification item %lld",
                            (long long)id);
    if (strcmp (json_string_value (json_object_get (item, "state")), "open") != 0) {
        json_decref (item);
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE, "rectification %lld is closed already",
                            (long long)id);
    }
    int today = broker_today (ctx);
    json_object_set_new (item, "state", json_string ("closed"));
    json_object_set_new (item, "answer", json_string (answer));
    json_object_set_new (item, "clerk", json_string (clerk ? clerk : ""));
    json_object_set_new (item, "closed", json_integer (ctx->now));
    json_object_set_new (
        item, "on_time",
        json_boolean (today <= json_integer_value (json_object_get (item, "deadline"))));
    broker_store_put_json (ctx->store, BROKER_DB_RECTIFY, key, sizeof key, item);
    broker_emit (ctx, PROTO_EVT_RATING_RECTIFIED, json_pack ("{s:O}", "rectification", item));
    ctx->reply = item;
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
        if (j && !json_object_get (j, "closed"))
            json_array_append (items, j);
        json_decref (j);
    }
    broker_store_scan_end (&it);
    int moved = 0;
    size_t i;
    json_t *item;
    json_array_foreach (items, i, item) {
        int day = broker_business_day (json_integer_value (json_object_get (item, "time")),
                                       ctx->config->utc_offset_min, 0);
        int before = (int)json_integer_value (json_object_get (item, "deadline")), after = day;
        bool provisional = false;
        if (broker_calendar_add_working_days (ctx->calendar, day, ctx->config->rectify_days, &after,
                                              &provisional) != 0)
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
