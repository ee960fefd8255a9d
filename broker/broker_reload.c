/*  broker_reload.c — see broker_reload.h. */
#include "broker_reload.h"

#include <stdio.h>

#include "broker_calendar.h"
#include "broker_case.h"
#include "broker_rating.h"
#include "broker_snapshot.h"
#include "proto_json.h"
#include "proto_log.h"

//  What a move event says, for the reply: {case_no | rectification, field, from, to}.
static json_t *
s_move (const json_t *body)
{
    const json_t *rect = json_object_get (body, "rectification");
    json_t *move = rect ? json_pack ("{s:O, s:s}", "rectification", json_object_get (rect, "id"),
                                     "field", "deadline")
                        : json_pack ("{s:s, s:s}", "case_no",
                                     proto_str (json_object_get (body, "case"), "case_no"), "field",
                                     proto_str (body, "field"));
    json_object_set (move, "from", json_object_get (body, "from"));
    json_object_set (move, "to", json_object_get (body, "to"));
    return move;
}

int
broker_reload_calendar (broker_ctx_t *ctx, const char *via)
{
    char err[512];
    const char *path = ctx->config->calendar_path;
    if (!ctx->calendar || broker_calendar_reload (ctx->calendar, path, err, sizeof err) != 0) {
        log_error ("calendar: %s refused: %s; the calendar was not changed", via,
                   ctx->calendar ? err : "the broker has no calendar");
        return broker_fail (ctx, PROTO_ERR_CALENDAR_INVALID, "%s; the calendar was not changed",
                            ctx->calendar ? err : "the broker has no calendar");
    }
    size_t first = json_array_size (ctx->events);
    json_t *open = broker_case_open_all (ctx);
    size_t i;
    json_t *c;
    json_array_foreach (open, i, c)
        if (broker_case_recalendar (ctx, c, "calendar"))
            broker_case_save (ctx, c);
    json_decref (open);
    broker_rating_recalendar (ctx, "calendar");
    json_t *moved = json_array ();
    for (i = first; i < json_array_size (ctx->events); i++)
        json_array_append_new (moved,
                               s_move (json_object_get (json_array_get (ctx->events, i), "body")));
    json_t *cal = broker_snapshot_calendar (ctx);
    char until[16] = "nothing";
    int last = (int)json_integer_value (json_object_get (cal, "published_until"));
    if (last)
        broker_calendar_date_format (last, until, sizeof until);
    log_info ("calendar: %s: reloaded %s (published until %s); %zu deadline(s) moved", via, path,
              until, json_array_size (moved));
    if (json_is_string (json_object_get (cal, "warning")))
        log_warn ("calendar: %s", proto_str (cal, "warning"));
    ctx->reply = json_pack ("{s:o, s:o}", "calendar", cal, "moved", moved);
    return 0;
}
