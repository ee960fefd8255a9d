/*  test_numbering.c — ticket numbers through the real handler code, in-process: a config,
    a store on a temp dir, a hall and a simulated clock, with broker_h_ticket_issue called
    inside write transactions as the server does. Per-prefix sequences, business-day
    boundaries in local time (UTC+8, reset at 03:00), no reuse across a restart, more than
    the configured digits, and the day rollover expiring yesterday's tickets. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker_case.h"
#include "broker_clock.h"
#include "broker_config.h"
#include "broker_estimate.h"
#include "broker_hall.h"
#include "broker_store.h"
#include "broker_ticket.h"
#include "broker_timers.h"
#include "broker_vault.h"
#include "proto_token.h"
#include "test_util.h"
#include "tests.h"

//  A string member for comparisons; never NULL, so a missing member fails instead of crashing.
static const char *
s_jstr (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "(missing)";
}

#define S_CONFIG(digits)                                                                        \
    "{\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\", \"utc_offset_min\": 480},"         \
    " \"numbering\": {\"digits\": " #digits ", \"reset_hour\": 3},"                             \
    " \"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\", \"mean_service_s\": 600}," \
    " {\"prefix\": \"B\", \"name\": \"社保医保\", \"mean_service_s\": 300}],"               \
    " \"counters\": [{\"id\": 1, \"services\": [\"A\", \"B\"]}, {\"id\": 2, \"services\": "     \
    "[\"B\"]}]}"

typedef struct {
    char *dir;
    broker_config_t *config;
    broker_store_t *store;
    broker_hall_t *hall;
    broker_clock_t *clock;
} s_fx_t;

//  Unix ms of a local time in UTC+8.
static int64_t
s_local (int year, int month, int day, int hour, int min, int sec)
{
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec};
    return (int64_t)timegm (&tm) * 1000 - 480 * 60000;
}

static int
s_load (s_fx_t *fx)
{
    fx->store = broker_store_open (fx->dir, 0);
    fx->hall = fx->config ? broker_hall_new (fx->config) : NULL;
    if (!fx->store || !fx->hall || broker_store_begin (fx->store, false) != 0)
        return -1;
    int rc = broker_hall_load (fx->hall, fx->store);
    broker_store_abort (fx->store);
    return rc;
}

static int
s_open (s_fx_t *fx, const char *config, int64_t start_ms)
{
    memset (fx, 0, sizeof *fx);
    char err[256];
    fx->config = broker_config_parse (config, err, sizeof err);
    fx->dir = test_tmpdir ();
    fx->clock = broker_clock_new_sim (start_ms);
    if (!fx->config || !fx->dir || !fx->clock)
        return -1;
    return s_load (fx);
}

//  What a restart does: memory and the environment go, then come back from the directory.
static int
s_restart (s_fx_t *fx)
{
    broker_hall_destroy (&fx->hall);
    broker_store_destroy (&fx->store);
    return s_load (fx);
}

static void
s_close (s_fx_t *fx)
{
    broker_hall_destroy (&fx->hall);
    broker_store_destroy (&fx->store);
    broker_config_destroy (&fx->config);
    broker_clock_destroy (&fx->clock);
    test_rmtree (fx->dir);
    free (fx->dir);
    fx->dir = NULL;
}

static void
s_ctx (s_fx_t *fx, broker_ctx_t *ctx)
{
    memset (ctx, 0, sizeof *ctx);
    ctx->hall = fx->hall;
    ctx->store = fx->store;
    ctx->clock = fx->clock;
    ctx->config = fx->config;
    ctx->principal = "";
    ctx->now = broker_clock_now (fx->clock);
    ctx->events = json_array ();
}

//  Runs one handler in its own write transaction. Takes `body`. Returns the handler's
//  result; *reply and *events (if asked for) are the caller's.
static int
s_call (s_fx_t *fx, broker_handler_fn *fn, json_t *body, json_t **reply, json_t **events,
        proto_err_t *err)
{
    broker_ctx_t ctx;
    s_ctx (fx, &ctx);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx->store, true), 0);
    int rc = fn (&ctx, body);
    CU_ASSERT_EQUAL (broker_store_commit (fx->store), 0);
    json_decref (body);
    if (reply)
        *reply = ctx.reply;
    else
        json_decref (ctx.reply);
    if (events)
        *events = ctx.events;
    else
        json_decref (ctx.events);
    if (err)
        *err = ctx.err;
    return rc;
}

//  Issues a ticket; copies its number and token out. 0 / -1.
static int
s_issue (s_fx_t *fx, const char *service, char number[12], char token[PROTO_TOKEN_LEN + 1])
{
    json_t *reply = NULL;
    int rc = s_call (fx, broker_h_ticket_issue, json_pack ("{s:s}", "service", service), &reply,
                     NULL, NULL);
    if (rc == 0 && reply) {
        snprintf (number, 12, "%s", s_jstr (reply, "number"));
        if (token)
            snprintf (token, PROTO_TOKEN_LEN + 1, "%s", s_jstr (reply, "token"));
    } else {
        number[0] = 0;
        rc = -1;
    }
    json_decref (reply);
    return rc;
}

//  Runs the timers at the clock's time; returns the events (caller's).
static json_t *
s_timers (s_fx_t *fx)
{
    broker_ctx_t ctx;
    s_ctx (fx, &ctx);
    CU_ASSERT_EQUAL (broker_store_begin (fx->store, true), 0);
    broker_timers (&ctx);
    CU_ASSERT_EQUAL (broker_store_commit (fx->store), 0);
    return ctx.events;
}

//  Events with `topic` in an event list.
static int
s_count_topic (const json_t *events, const char *topic)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
        if (strcmp (s_jstr (e, "topic"), topic) == 0)
            n++;
    return n;
}

//  counter.changed events with this action.
static int
s_count_action (const json_t *events, const char *action)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
        if (strcmp (s_jstr (e, "topic"), "counter.changed") == 0 &&
            strcmp (s_jstr (json_object_get (e, "body"), "action"), action) == 0)
            n++;
    return n;
}

static json_t *
s_status (s_fx_t *fx, const char *token, proto_err_t *err)
{
    json_t *reply = NULL;
    int rc =
        s_call (fx, broker_h_ticket_status, json_pack ("{s:s}", "token", token), &reply, NULL, err);
    return rc == 0 ? reply : (json_decref (reply), NULL);
}

//  ---------------------------------------------------------------------------------------

static void
test_clock (void)
{
    //  The business day runs 03:00 to 03:00 local time (UTC+8).
    int64_t t0259 = s_local (2026, 11, 28, 2, 59, 0);
    int64_t t0300 = s_local (2026, 11, 28, 3, 0, 0);
    CU_ASSERT_EQUAL (t0300, 1795806000000LL); //  2026-11-27 19:00:00 UTC
    CU_ASSERT_EQUAL (broker_business_day (t0259, 480, 3), 20261127);
    CU_ASSERT_EQUAL (broker_business_day (t0300 - 1, 480, 3), 20261127);
    CU_ASSERT_EQUAL (broker_business_day (t0300, 480, 3), 20261128);
    CU_ASSERT_EQUAL (broker_business_day (s_local (2026, 11, 28, 23, 59, 59), 480, 3), 20261128);
    CU_ASSERT_EQUAL (broker_business_day (s_local (2026, 11, 29, 0, 30, 0), 480, 3), 20261128);
    //  Month and year ends.
    CU_ASSERT_EQUAL (broker_business_day (s_local (2027, 1, 1, 2, 0, 0), 480, 3), 20261231);
    CU_ASSERT_EQUAL (broker_business_day (s_local (2027, 1, 1, 3, 0, 0), 480, 3), 20270101);
    CU_ASSERT_EQUAL (broker_business_day (s_local (2028, 3, 1, 1, 0, 0), 480, 3), 20280229);
    //  Reset at midnight; other offsets; before 1970.
    CU_ASSERT_EQUAL (broker_business_day (t0300, 480, 0), 20261128);
    CU_ASSERT_EQUAL (broker_business_day (s_local (2026, 11, 28, 0, 0, 0) - 1, 480, 0), 20261127);
    CU_ASSERT_EQUAL (broker_business_day (t0300, 0, 0), 20261127);   //  19:00 UTC
    CU_ASSERT_EQUAL (broker_business_day (t0300, 300, 0), 20261128); //  00:00 in UTC+5
    CU_ASSERT_EQUAL (broker_business_day (t0300, -300, 0), 20261127);
    CU_ASSERT_EQUAL (broker_business_day (-1, 0, 0), 19691231);
    CU_ASSERT_EQUAL (broker_business_day (0, 0, 0), 19700101);

    //  The next day starts at the next 03:00 local.
    int64_t next = s_local (2026, 11, 29, 3, 0, 0);
    CU_ASSERT_EQUAL (broker_next_day_start (t0259, 480, 3), t0300);
    CU_ASSERT_EQUAL (broker_next_day_start (t0300 - 1, 480, 3), t0300);
    CU_ASSERT_EQUAL (broker_next_day_start (t0300, 480, 3), next);
    CU_ASSERT_EQUAL (broker_next_day_start (s_local (2026, 11, 28, 10, 0, 0), 480, 3), next);
    CU_ASSERT_EQUAL (broker_next_day_start (s_local (2026, 11, 29, 1, 0, 0), 480, 3), next);
    CU_ASSERT_EQUAL (broker_next_day_start (-1, 0, 0), 0);

    char out[32];
    broker_format_time (t0300 + 1234, 480, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "2026-11-28 03:00:01");
    broker_format_time (t0300 + 1234, 0, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "2026-11-27 19:00:01");
    broker_format_time (s_local (2026, 12, 31, 23, 59, 59) + 999, 480, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "2026-12-31 23:59:59");
    broker_format_time (-1, 0, out, 20);
    CU_ASSERT_STRING_EQUAL (out, "1969-12-31 23:59:59");

    //  The simulated clock moves only when told, never backwards.
    broker_clock_t *c = broker_clock_new_sim (t0300);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    CU_ASSERT_TRUE (broker_clock_simulated (c));
    CU_ASSERT_EQUAL (broker_clock_now (c), t0300);
    CU_ASSERT_EQUAL (broker_clock_advance (c, 1500), 0);
    CU_ASSERT_EQUAL (broker_clock_now (c), t0300 + 1500);
    CU_ASSERT_EQUAL (broker_clock_advance (c, -1), -1);
    broker_clock_restore (c, t0300);
    CU_ASSERT_EQUAL (broker_clock_now (c), t0300 + 1500);
    broker_clock_restore (c, t0300 + 5000);
    CU_ASSERT_EQUAL (broker_clock_now (c), t0300 + 5000);
    broker_clock_set_sim (c, t0300);
    CU_ASSERT_EQUAL (broker_clock_now (c), t0300);
    broker_clock_destroy (&c);
    CU_ASSERT_PTR_NULL (c);
    c = broker_clock_new_real ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    CU_ASSERT_FALSE (broker_clock_simulated (c));
    CU_ASSERT_EQUAL (broker_clock_advance (c, 1), -1);
    CU_ASSERT_TRUE (broker_clock_now (c) > 1700000000000LL);
    broker_clock_destroy (&c);
}

static void
test_per_prefix (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 10, 0, 0)), 0);
    json_decref (s_timers (&fx));
    char n[12], tok1[PROTO_TOKEN_LEN + 1], tok2[PROTO_TOKEN_LEN + 1], tok3[PROTO_TOKEN_LEN + 1];
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, tok1), 0);
    CU_ASSERT_STRING_EQUAL (n, "A001");
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, tok2), 0);
    CU_ASSERT_STRING_EQUAL (n, "A002");
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, tok3), 0);
    CU_ASSERT_STRING_EQUAL (n, "B001");
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A003");
    CU_ASSERT_TRUE (proto_token_valid (tok1));
    CU_ASSERT_TRUE (proto_token_valid (tok2));
    CU_ASSERT_STRING_NOT_EQUAL (tok1, tok2);
    CU_ASSERT_STRING_NOT_EQUAL (tok2, tok3);

    //  The reply: number, service, day, place in line; the event carries no token.
    json_t *reply = NULL, *events = NULL;
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_issue,
                             json_pack ("{s:s, s:s}", "service", "B", "priority", "elderly"),
                             &reply, &events, NULL),
                     0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (reply);
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "number"), "B002");
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "service"), "B");
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "priority"), "elderly");
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "state"), "waiting");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "day")), 20261128);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "id")), 5);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "ahead")), 0); //  green first
    CU_ASSERT_TRUE (json_is_null (json_object_get (reply, "est_wait_s")));      //  no counter open
    const char *token = json_string_value (json_object_get (reply, "token"));
    CU_ASSERT_TRUE (token && proto_token_valid (token));
    CU_ASSERT_EQUAL_FATAL (json_array_size (events), 1);
    json_t *evt = json_array_get (events, 0);
    CU_ASSERT_STRING_EQUAL (s_jstr (evt, "topic"), "ticket.issued");
    json_t *ticket = json_object_get (json_object_get (evt, "body"), "ticket");
    CU_ASSERT_STRING_EQUAL (s_jstr (ticket, "number"), "B002");
    CU_ASSERT_PTR_NULL (json_object_get (ticket, "token"));
    json_decref (reply);
    json_decref (events);
    //  A normal A ticket has the three A tickets ahead.
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_issue, json_pack ("{s:s}", "service", "A"),
                             &reply, NULL, NULL),
                     0);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "ahead")), 3);
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "number"), "A004");
    json_decref (reply);

    //  The counters kept in the store, keyed by business day and prefix.
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx.store, false), 0);
    MDB_val v;
    CU_ASSERT_EQUAL (broker_store_get (fx.store, BROKER_DB_NUMBERS, "20261128/A", 10, &v), 0);
    CU_ASSERT_TRUE (v.mv_size == 1 && memcmp (v.mv_data, "4", 1) == 0);
    CU_ASSERT_EQUAL (broker_store_get (fx.store, BROKER_DB_NUMBERS, "20261128/B", 10, &v), 0);
    CU_ASSERT_TRUE (v.mv_size == 1 && memcmp (v.mv_data, "2", 1) == 0);
    CU_ASSERT_EQUAL (broker_store_count (fx.store, BROKER_DB_TICKETS), 6);
    CU_ASSERT_EQUAL (broker_store_count (fx.store, BROKER_DB_LIVE), 6);
    CU_ASSERT_EQUAL (broker_store_count (fx.store, BROKER_DB_TOKENS), 6);
    broker_store_abort (fx.store);
    CU_ASSERT_EQUAL (broker_hall_waiting (fx.hall, 0), 4);
    CU_ASSERT_EQUAL (broker_hall_waiting (fx.hall, 1), 2);
    s_close (&fx);
}

static void
test_failed_issue_changes_nothing (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 10, 0, 0)), 0);
    json_decref (s_timers (&fx));
    char n[12];
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    broker_ctx_t ctx;
    s_ctx (&fx, &ctx);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx.store, true), 0);
    json_t *body = json_pack ("{s:s}", "service", "Z");
    CU_ASSERT_EQUAL (broker_h_ticket_issue (&ctx, body), -1);
    CU_ASSERT_EQUAL (ctx.err, PROTO_ERR_UNKNOWN_SERVICE);
    json_decref (body);
    body = json_pack ("{s:s, s:s}", "service", "A", "priority", "vip");
    CU_ASSERT_EQUAL (broker_h_ticket_issue (&ctx, body), -1);
    CU_ASSERT_EQUAL (ctx.err, PROTO_ERR_BAD_FIELD);
    json_decref (body);
    CU_ASSERT_FALSE (broker_store_dirty (fx.store));
    CU_ASSERT_EQUAL (json_array_size (ctx.events), 0);
    CU_ASSERT_EQUAL (fx.hall->nlive, 1);
    CU_ASSERT_EQUAL (fx.hall->next_id, 2);
    CU_ASSERT_EQUAL (broker_store_commit (fx.store), 0);
    json_decref (ctx.events);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A002");
    s_close (&fx);
}

static void
test_reset_hour (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 2, 0, 0)), 0);
    char n[12];
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A001");
    broker_clock_set_sim (fx.clock, s_local (2026, 11, 28, 2, 59, 59) + 999);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A002");
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B001");
    //  03:00:00.000 local: a new business day, numbers start again.
    broker_clock_advance (fx.clock, 1);
    json_t *reply = NULL;
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_issue, json_pack ("{s:s}", "service", "A"),
                             &reply, NULL, NULL),
                     0);
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "number"), "A001");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "day")), 20261128);
    json_decref (reply);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A002");
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B001");
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx.store, false), 0);
    MDB_val v;
    CU_ASSERT_EQUAL (broker_store_get (fx.store, BROKER_DB_NUMBERS, "20261127/A", 10, &v), 0);
    CU_ASSERT_TRUE (v.mv_size == 1 && memcmp (v.mv_data, "2", 1) == 0);
    CU_ASSERT_EQUAL (broker_store_get (fx.store, BROKER_DB_NUMBERS, "20261128/A", 10, &v), 0);
    CU_ASSERT_TRUE (v.mv_size == 1 && memcmp (v.mv_data, "2", 1) == 0);
    broker_store_abort (fx.store);
    s_close (&fx);
}

static void
test_restart_continues (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 9, 0, 0)), 0);
    json_decref (s_timers (&fx));
    char n[12], tok1[PROTO_TOKEN_LEN + 1];
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, tok1), 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A002");
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_EQUAL_FATAL (s_restart (&fx), 0);
    CU_ASSERT_EQUAL (fx.hall->nlive, 3);
    CU_ASSERT_EQUAL (fx.hall->next_id, 4);
    CU_ASSERT_EQUAL (fx.hall->day, 20261128);
    CU_ASSERT_EQUAL (broker_hall_waiting (fx.hall, 0), 2);
    //  Same day: no day event on the first timer run after the restart.
    json_t *events = s_timers (&fx);
    CU_ASSERT_EQUAL (json_array_size (events), 0);
    json_decref (events);
    broker_clock_advance (fx.clock, 3600000);
    json_t *reply = NULL;
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_issue, json_pack ("{s:s}", "service", "A"),
                             &reply, NULL, NULL),
                     0);
    CU_ASSERT_STRING_EQUAL (s_jstr (reply, "number"), "A003");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "id")), 4);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (reply, "ahead")), 2);
    json_decref (reply);
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B002");
    //  The first ticket is still found by its token, first in line.
    proto_err_t err = PROTO_ERR_OK;
    reply = s_status (&fx, tok1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (reply);
    json_t *t = json_object_get (reply, "ticket");
    CU_ASSERT_STRING_EQUAL (s_jstr (t, "number"), "A001");
    CU_ASSERT_STRING_EQUAL (s_jstr (t, "state"), "waiting");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (t, "ahead")), 0);
    CU_ASSERT_PTR_NULL (json_object_get (t, "token"));
    json_decref (reply);
    //  Two restarts in a row change nothing either.
    CU_ASSERT_EQUAL_FATAL (s_restart (&fx), 0);
    CU_ASSERT_EQUAL_FATAL (s_restart (&fx), 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A004");
    s_close (&fx);
}

static int
s_cmp_token (const void *a, const void *b)
{
    return strcmp (a, b);
}

static void
test_many_tickets (void)
{
    enum { N = 1005 };
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 8, 30, 0)), 0);
    json_decref (s_timers (&fx));
    char (*tokens)[PROTO_TOKEN_LEN + 1] = calloc (N, sizeof *tokens);
    CU_ASSERT_PTR_NOT_NULL_FATAL (tokens);
    //  A busy morning, 100 tickets per batch transaction.
    int issued = 0;
    while (issued < N) {
        broker_ctx_t ctx;
        s_ctx (&fx, &ctx);
        CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx.store, true), 0);
        for (int k = 0; k < 100 && issued < N; k++, issued++) {
            json_t *body = json_pack ("{s:s}", "service", "A");
            CU_ASSERT_EQUAL (broker_h_ticket_issue (&ctx, body), 0);
            json_decref (body);
            const char *number = s_jstr (ctx.reply, "number");
            char expect[16];
            snprintf (expect, sizeof expect, "A%03d", issued + 1);
            if (strcmp (number, expect) != 0) {
                fprintf (stderr, "\nticket %d is %s\n", issued + 1, number);
                CU_FAIL ("wrong number");
            }
            if (issued + 1 == 999)
                CU_ASSERT_STRING_EQUAL (number, "A999");
            if (issued + 1 == 1000)
                CU_ASSERT_STRING_EQUAL (number, "A1000");
            if (issued + 1 == N)
                CU_ASSERT_STRING_EQUAL (number, "A1005");
            snprintf (tokens[issued], PROTO_TOKEN_LEN + 1, "%s", s_jstr (ctx.reply, "token"));
            json_decref (ctx.reply);
            ctx.reply = NULL;
        }
        CU_ASSERT_EQUAL (broker_store_commit (fx.store), 0);
        json_decref (ctx.events);
    }
    qsort (tokens, N, sizeof *tokens, s_cmp_token);
    int dup = 0;
    for (int i = 1; i < N; i++)
        dup += strcmp (tokens[i - 1], tokens[i]) == 0;
    CU_ASSERT_EQUAL (dup, 0);
    free (tokens);
    CU_ASSERT_EQUAL (fx.hall->nlive, N);
    //  B is still at 1.
    char n[12];
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B001");
    //  And the count survives a restart past 1000.
    CU_ASSERT_EQUAL_FATAL (s_restart (&fx), 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A1006");
    s_close (&fx);
}

static void
test_digits (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (4), s_local (2026, 11, 28, 10, 0, 0)), 0);
    char n[12];
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A0001");
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B0001");
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A0002");
    s_close (&fx);
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (2), s_local (2026, 11, 28, 10, 0, 0)), 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B01");
    s_close (&fx);
}

static json_t *
s_event (const json_t *events, const char *topic, int nth)
{
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
        if (strcmp (s_jstr (e, "topic"), topic) == 0 && nth-- == 0)
            return json_object_get (e, "body");
    return NULL;
}

//  The events of a day rollover at 03:00 (PROTOCOL.md 6.1) with three tickets live, A001
//  held by counter 1: three ticket.expired (day_over), counter.changed "expire" for counter
//  1, "day" for both counters (logged out, served 0), and hall.day last, in rising order.
static void
s_day_over_events (const json_t *events)
{
    CU_ASSERT_EQUAL (s_count_topic (events, "ticket.expired"), 3);
    CU_ASSERT_EQUAL (s_count_topic (events, "hall.day"), 1);
    CU_ASSERT_EQUAL (s_count_action (events, "expire"), 1);
    CU_ASSERT_EQUAL (s_count_action (events, "day"), 2);
    CU_ASSERT_EQUAL (s_count_topic (events, "counter.changed"), 3);
    size_t nevents = json_array_size (events);
    CU_ASSERT_EQUAL (nevents, 7);
    if (nevents >= 3) {
        CU_ASSERT_STRING_EQUAL (s_jstr (json_array_get (events, nevents - 1), "topic"), "hall.day");
        for (size_t k = nevents - 3; k < nevents - 1; k++) {
            json_t *cc = json_object_get (json_array_get (events, k), "body");
            CU_ASSERT_STRING_EQUAL (s_jstr (cc, "action"), "day");
            json_t *counter = json_object_get (cc, "counter");
            CU_ASSERT_STRING_EQUAL (s_jstr (counter, "state"), "logged_out");
            CU_ASSERT_EQUAL (json_integer_value (json_object_get (counter, "served")), 0);
            CU_ASSERT_EQUAL (json_array_size (json_object_get (counter, "services")), 0);
            CU_ASSERT_TRUE (json_is_null (json_object_get (counter, "ticket")));
        }
    }
    json_t *day = s_event (events, "hall.day", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (day);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (day, "day")), 20261129);
    for (int i = 0; i < 3; i++) {
        json_t *e = s_event (events, "ticket.expired", i);
        CU_ASSERT_PTR_NOT_NULL_FATAL (e);
        CU_ASSERT_STRING_EQUAL (s_jstr (e, "reason"), "day_over");
        json_t *et = json_object_get (e, "ticket");
        CU_ASSERT_STRING_EQUAL (s_jstr (et, "state"), "expired");
        CU_ASSERT_PTR_NULL (json_object_get (et, "token"));
    }
    //  Sequence numbers keep rising.
    size_t i;
    json_t *e;
    int64_t last = 0;
    json_array_foreach (events, i, e) {
        int64_t seq = json_integer_value (json_object_get (e, "seq"));
        CU_ASSERT_TRUE (seq > last);
        last = seq;
    }
}

//  After the day is over, ticket.status still finds the three tickets, from the store:
//  expired, day_over; an unknown token and a malformed one are refused.
static void
s_day_over_status (s_fx_t *fx, const char *ta1, const char *ta2, const char *tb1)
{
    const char *tokens[] = {ta1, ta2, tb1};
    proto_err_t err;
    for (int k = 0; k < 3; k++) {
        json_t *reply = s_status (fx, tokens[k], &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL (reply);
        json_t *t = json_object_get (reply, "ticket");
        CU_ASSERT_STRING_EQUAL (s_jstr (t, "state"), "expired");
        CU_ASSERT_STRING_EQUAL (s_jstr (t, "reason"), "day_over");
        CU_ASSERT_PTR_NULL (json_object_get (t, "ahead"));
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (t, "day")), 20261128);
        json_decref (reply);
    }
    //  An unknown token and a malformed one.
    char unknown[PROTO_TOKEN_LEN + 1];
    proto_token_new (unknown);
    CU_ASSERT_PTR_NULL (s_status (fx, unknown, &err));
    CU_ASSERT_EQUAL (err, PROTO_ERR_UNKNOWN_TICKET);
    CU_ASSERT_PTR_NULL (s_status (fx, "A001", &err));
    CU_ASSERT_EQUAL (err, PROTO_ERR_BAD_FIELD);
}

static void
test_day_over (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 10, 0, 0)), 0);
    //  The first timer run starts the business day.
    json_t *events = s_timers (&fx);
    CU_ASSERT_EQUAL (json_array_size (events), 1);
    json_t *day = s_event (events, "hall.day", 0);
    CU_ASSERT_PTR_NOT_NULL (day);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (day, "day")), 20261128);
    json_decref (events);
    CU_ASSERT_EQUAL (fx.hall->day, 20261128);

    char n[12], ta1[PROTO_TOKEN_LEN + 1], ta2[PROTO_TOKEN_LEN + 1], tb1[PROTO_TOKEN_LEN + 1];
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, ta1), 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, ta2), 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, tb1), 0);
    //  Counter 1 opens and calls A001.
    CU_ASSERT_EQUAL (
        s_call (&fx, broker_h_counter_login, json_pack ("{s:i}", "counter", 1), NULL, NULL, NULL),
        0);
    json_t *reply = NULL;
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_call_next, json_pack ("{s:i}", "counter", 1),
                             &reply, NULL, NULL),
                     0);
    CU_ASSERT_STRING_EQUAL (s_jstr (json_object_get (reply, "ticket"), "number"), "A001");
    json_decref (reply);
    //  A002 waits with nobody ahead and one open counter, busy with A001: the naive formula
    //  says 0 s; the simulation knows the counter frees in a mean service time, 600 s.
    proto_err_t err;
    reply = s_status (&fx, ta2, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (reply);
    json_t *t = json_object_get (reply, "ticket");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (t, "ahead")), 0);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (t, "naive_wait_s")), 0);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (t, "est_wait_s")), 600);
    json_decref (reply);

    //  The next timers: local midnight (the case clock's new date), then the reset hour.
    CU_ASSERT_EQUAL (broker_timers_next (fx.hall, broker_clock_now (fx.clock)),
                     s_local (2026, 11, 29, 0, 0, 0));
    CU_ASSERT_EQUAL (broker_timers_next (fx.hall, s_local (2026, 11, 29, 0, 0, 0)),
                     s_local (2026, 11, 29, 3, 0, 0));
    //  A millisecond before the reset hour nothing happens.
    broker_clock_set_sim (fx.clock, s_local (2026, 11, 29, 3, 0, 0) - 1);
    events = s_timers (&fx);
    CU_ASSERT_EQUAL (json_array_size (events), 0);
    json_decref (events);
    CU_ASSERT_EQUAL (fx.hall->nlive, 3);

    //  At 03:00 the day is over (PROTOCOL.md 6.1): every live ticket of yesterday expires
    //  (the counter holding A001 gets counter.changed "expire"), every counter gets
    //  counter.changed "day" (logged out, served 0), and hall.day comes last.
    broker_clock_advance (fx.clock, 1);
    events = s_timers (&fx);
    s_day_over_events (events);
    json_decref (events);
    CU_ASSERT_EQUAL (fx.hall->nlive, 0);
    CU_ASSERT_EQUAL (fx.hall->day, 20261129);
    CU_ASSERT_EQUAL (broker_hall_waiting (fx.hall, 0), 0);
    CU_ASSERT_EQUAL (broker_hall_waiting (fx.hall, 1), 0);
    broker_counter_t *c1 = broker_hall_counter (fx.hall, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c1);
    CU_ASSERT_EQUAL (c1->state, COUNTER_LOGGED_OUT);
    CU_ASSERT_PTR_NULL (c1->ticket);
    //  Running the timers again does nothing.
    events = s_timers (&fx);
    CU_ASSERT_EQUAL (json_array_size (events), 0);
    json_decref (events);

    s_day_over_status (&fx, ta1, ta2, tb1);

    //  The new day numbers from 1 again, and a restart keeps the expired ones dead.
    CU_ASSERT_EQUAL (s_issue (&fx, "A", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "A001");
    CU_ASSERT_EQUAL_FATAL (s_restart (&fx), 0);
    CU_ASSERT_EQUAL (fx.hall->nlive, 1);
    CU_ASSERT_EQUAL (fx.hall->day, 20261129);
    CU_ASSERT_EQUAL (broker_hall_counter (fx.hall, 1)->state, COUNTER_LOGGED_OUT);
    CU_ASSERT_EQUAL (broker_timers_next (fx.hall, broker_clock_now (fx.clock)),
                     s_local (2026, 11, 30, 0, 0, 0));
    s_close (&fx);
}

static void
test_day_over_while_down (void)
{
    //  The broker was down across the reset hour (two days, even): the first timer run
    //  after the restart ends the old day at once.
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 16, 0, 0)), 0);
    json_decref (s_timers (&fx));
    char n[12], tok[PROTO_TOKEN_LEN + 1];
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, tok), 0);
    broker_clock_set_sim (fx.clock, s_local (2026, 11, 30, 9, 0, 0));
    CU_ASSERT_EQUAL_FATAL (s_restart (&fx), 0);
    CU_ASSERT_EQUAL (fx.hall->nlive, 1);
    json_t *events = s_timers (&fx);
    CU_ASSERT_EQUAL (s_count_topic (events, "ticket.expired"), 1);
    CU_ASSERT_EQUAL (s_count_action (events, "day"), 2);
    json_t *day = s_event (events, "hall.day", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (day);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (day, "day")), 20261130);
    json_decref (events);
    CU_ASSERT_EQUAL (fx.hall->nlive, 0);
    CU_ASSERT_EQUAL (s_issue (&fx, "B", n, NULL), 0);
    CU_ASSERT_STRING_EQUAL (n, "B001");
    s_close (&fx);
}

//  The server runs a batch's requests first and its due timers after them, in the same
//  transaction (broker_server.c s_run_batch). The first batch after the reset hour can
//  therefore issue and call a ticket of the new day before the day rollover runs.
static void
test_new_day_before_timers (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 28, 10, 0, 0)), 0);
    json_decref (s_timers (&fx));
    CU_ASSERT_EQUAL (
        s_call (&fx, broker_h_counter_login, json_pack ("{s:i}", "counter", 1), NULL, NULL, NULL),
        0);
    broker_clock_set_sim (fx.clock, s_local (2026, 11, 29, 3, 0, 0) + 500);
    broker_ctx_t ctx;
    s_ctx (&fx, &ctx);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx.store, true), 0);
    json_t *body = json_pack ("{s:s}", "service", "A");
    CU_ASSERT_EQUAL (broker_h_ticket_issue (&ctx, body), 0);
    json_decref (body);
    CU_ASSERT_STRING_EQUAL (s_jstr (ctx.reply, "number"), "A001");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (ctx.reply, "day")), 20261129);
    json_decref (ctx.reply);
    ctx.reply = NULL;
    body = json_pack ("{s:i}", "counter", 1);
    CU_ASSERT_EQUAL (broker_h_ticket_call_next (&ctx, body), 0);
    json_decref (body);
    json_decref (ctx.reply);
    ctx.reply = NULL;
    broker_timers (&ctx);
    CU_ASSERT_EQUAL (broker_store_commit (fx.store), 0);
    json_decref (ctx.events);
    CU_ASSERT_EQUAL (fx.hall->day, 20261129);
    CU_ASSERT_EQUAL_FATAL (fx.hall->nlive, 1);
    broker_ticket_t *t = fx.hall->live[0];
    broker_counter_t *c = broker_hall_counter (fx.hall, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    //  Invariant: a logged-out counter holds no ticket, and a called ticket's counter is
    //  logged in and holds it.
    bool consistent = (c->state == COUNTER_LOGGED_OUT) ? c->ticket == NULL : c->ticket == t;
    if (t->state == TICKET_CALLED)
        consistent = consistent && c->ticket == t && c->state != COUNTER_LOGGED_OUT;
    CU_ASSERT_TRUE (consistent);
    s_close (&fx);
}

//  Runs a handler that must fail; "code: message" into `out`.
static void
s_refusal (s_fx_t *fx, broker_handler_fn *fn, json_t *body, char *out, size_t size)
{
    broker_ctx_t ctx;
    s_ctx (fx, &ctx);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (fx->store, true), 0);
    CU_ASSERT_EQUAL (fn (&ctx, body), -1);
    broker_store_abort (fx->store);
    snprintf (out, size, "%s: %s", proto_err_code (ctx.err), ctx.why);
    json_decref (body);
    json_decref (ctx.reply);
    json_decref (ctx.events);
}

#define S_REFUSED(fn, body, expected)                 \
    do {                                              \
        char got_[300];                               \
        s_refusal (&fx, fn, body, got_, sizeof got_); \
        CU_ASSERT_STRING_EQUAL (got_, expected);      \
    } while (0)

//  What a counter command needs of its counter, one check at a time: the codes and the
//  wording every client has seen (broker_counter_require keeps them).
static void
test_counter_preconditions (void)
{
    s_fx_t fx;
    CU_ASSERT_EQUAL_FATAL (s_open (&fx, S_CONFIG (3), s_local (2026, 11, 30, 9, 0, 0)), 0);
    S_REFUSED (broker_h_counter_login, json_pack ("{s:i}", "counter", 9),
               "unknown_counter: no counter 9 in this hall");
    S_REFUSED (broker_h_ticket_park, json_pack ("{s:i}", "counter", 1),
               "not_logged_in: counter 1 is not logged in; log in first");
    S_REFUSED (broker_h_case_hand_out, json_pack ("{s:i, s:s}", "counter", 1, "case_no", "X"),
               "not_logged_in: counter 1 is not logged in");
    CU_ASSERT_EQUAL (
        s_call (&fx, broker_h_counter_login, json_pack ("{s:i}", "counter", 1), NULL, NULL, NULL),
        0);
    S_REFUSED (broker_h_ticket_park, json_pack ("{s:i}", "counter", 1),
               "no_ticket: counter 1 holds no ticket");
    S_REFUSED (broker_h_ticket_start, json_pack ("{s:i}", "counter", 1),
               "no_ticket: counter 1 holds no ticket; call one first");
    S_REFUSED (broker_h_counter_resume, json_pack ("{s:i}", "counter", 1),
               "wrong_state: counter 1 is idle, not paused");
    char number[12];
    CU_ASSERT_EQUAL_FATAL (s_issue (&fx, "A", number, NULL), 0);
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_call_next, json_pack ("{s:i}", "counter", 1),
                             NULL, NULL, NULL),
                     0);
    S_REFUSED (broker_h_counter_pause, json_pack ("{s:i}", "counter", 1),
               "counter_busy: counter 1 holds ticket A001 (called); finish it or mark it missed "
               "first");
    S_REFUSED (broker_h_ticket_call_next, json_pack ("{s:i}", "counter", 1),
               "counter_busy: counter 1 still holds A001 (called); finish it or mark it missed "
               "first");
    S_REFUSED (broker_h_ticket_finish, json_pack ("{s:i}", "counter", 1),
               "wrong_state: ticket A001 is called, not serving");
    S_REFUSED (broker_h_ticket_start, json_pack ("{s:i, s:s}", "counter", 1, "ticket", "A002"),
               "wrong_ticket: counter 1 holds A001, not A002");
    CU_ASSERT_EQUAL (s_call (&fx, broker_h_ticket_start,
                             json_pack ("{s:i, s:s}", "counter", 1, "ticket", "A001"), NULL, NULL,
                             NULL),
                     0);
    CU_ASSERT_EQUAL (
        s_call (&fx, broker_h_counter_login, json_pack ("{s:i}", "counter", 2), NULL, NULL, NULL),
        0);
    CU_ASSERT_EQUAL (
        s_call (&fx, broker_h_counter_pause, json_pack ("{s:i}", "counter", 2), NULL, NULL, NULL),
        0);
    S_REFUSED (broker_h_ticket_call_next, json_pack ("{s:i}", "counter", 2),
               "counter_paused: counter 2 is paused; resume first");
    s_close (&fx);
}

int
test_numbering_suite (void)
{
    CU_pSuite suite = CU_add_suite ("numbering", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "business day, next day start, format, sim clock", test_clock) ||
        !CU_add_test (suite, "counter preconditions: codes and messages",
                      test_counter_preconditions) ||
        !CU_add_test (suite, "A001 A002 B001: one sequence per prefix", test_per_prefix) ||
        !CU_add_test (suite, "a refused issue changes nothing",
                      test_failed_issue_changes_nothing) ||
        !CU_add_test (suite, "numbers restart at the reset hour", test_reset_hour) ||
        !CU_add_test (suite, "restart continues the day's numbers", test_restart_continues) ||
        !CU_add_test (suite, "1005 tickets: A1000 and on, tokens distinct", test_many_tickets) ||
        !CU_add_test (suite, "digits 4 and 2", test_digits) ||
        !CU_add_test (suite, "day over: expire, logout, hall.day, status", test_day_over) ||
        !CU_add_test (suite, "day over while the broker was down", test_day_over_while_down) ||
        !CU_add_test (suite, "a new day's ticket called before the day rollover",
                      test_new_day_before_timers))
        return -1;
    return 0;
}
