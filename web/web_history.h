/*  web_history.h — today's history for the charts and the board: tickets waiting over the
    day, the tickets issued, the wait (and service) of each first call, the last calls and
    the last cabinet alarms.

    Read from the broker's journal (events.range) once after each snapshot, from the day's
    first event on, and then kept up by the live events; a gap in the events (or a new
    store, whose sequence starts lower) reads the journal again. The journal is read at
    most WEB_HISTORY_PAGES pages of WEB_HISTORY_PAGE events per catch-up; on failure what
    was read stays and the next snapshot or gap tries again. A hall.day event starts a new
    day. */
#ifndef WEB_HISTORY_H
#define WEB_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto_client.h"

#define WEB_HISTORY_PAGE   1000 //  events.range's limit
#define WEB_HISTORY_PAGES  200  //  journal pages read per catch-up, at most
#define WEB_HISTORY_CALLS  30   //  last calls kept
#define WEB_HISTORY_ALARMS 30   //  last cabinet alarms kept
#define WEB_HISTORY_BINS   13   //  wait histogram: 0-5, 5-10, ... 55-60, 60+ minutes

//  A point of a time series: (Unix ms, value).
typedef struct {
    int64_t t, v;
} web_point_t;

typedef struct web_history web_history_t;

//  An empty history, not loaded. NULL on out-of-memory. Caller owns it.
web_history_t *web_history_new (void);
//  Destroys it and sets *self_p to NULL. Safe on NULL.
void web_history_destroy (web_history_t **self_p);
//  The mirror took a snapshot at `seq`: read the journal up to it through `client`.
void web_history_snapshot (web_history_t *self, proto_client_t *client, uint64_t seq);
//  The mirror applied event `seq`: read what is missing before it, then apply it.
void web_history_event (web_history_t *self, proto_client_t *client, uint64_t seq,
                        const char *topic, const json_t *event);

//  True once the day's journal was read.
bool web_history_loaded (const web_history_t *self);
//  Sequence of the last event applied.
uint64_t web_history_last (const web_history_t *self);
//  Time of the day's first event (Unix ms), 0 before any.
int64_t web_history_start (const web_history_t *self);
//  Tickets waiting, at each change; *n gets the count. Borrowed.
const web_point_t *web_history_queue (const web_history_t *self, size_t *n);
//  Wait in seconds at each first call; *n gets the count. Borrowed.
const web_point_t *web_history_waits (const web_history_t *self, size_t *n);
//  The day's last calls, newest first: {number, service, counter, recall, time}. Borrowed.
const json_t *web_history_calls (const web_history_t *self);
//  The day's last cabinet alarms, newest first: the vault.alarm events. Borrowed.
const json_t *web_history_alarms (const web_history_t *self);
//  Calls per 5-minute band of wait into bins (the last band: 60 minutes and more).
void web_history_bins (const web_history_t *self, int64_t bins[WEB_HISTORY_BINS]);
//  Ticket id at each issue; *n gets the count. Borrowed.
const web_point_t *web_history_issued (const web_history_t *self, size_t *n);
//  Tickets issued and first calls in each hour of the day (hall time: UTC offset in
//  minutes), into issued[0..23] and called[0..23].
void web_history_hourly (const web_history_t *self, int utc_offset_min, int64_t issued[24],
                         int64_t called[24]);
//  First calls at times in [from, to) that came after a wait over `limit_s` seconds, of
//  `service` (a prefix), or of every service when NULL: the over-waits of a period.
size_t web_history_over (const web_history_t *self, const char *service, int64_t limit_s,
                         int64_t from, int64_t to);

#endif
