/*  district_rollup.h — one hall's figures per business day, counted from its journal as
    the district receives it, by the report module the hall's own `onewindow report` uses
    (protocol/proto_report.h), and kept in the district store (district_store.h).

    The events must come in sequence order with no gap: the live stream while it is
    whole, the hall's journal (events.range) for what the stream missed. Each event is
    counted into the report of the business day it belongs to (a `hall.day` ends one day
    and begins the next) and kept for the next commit, which writes the events, the day
    records they changed and the last sequence counted in one transaction. An event at or
    below the last sequence counted changes nothing, so feeding the same event twice (the
    stream and a journal page that overlap, a restart) never counts it twice.

    After a restart the day being counted is rebuilt from the store's events, so the
    figures go on from the last commit exactly. Not thread-safe: one thread per hall. */
#ifndef DISTRICT_ROLLUP_H
#define DISTRICT_ROLLUP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "district_store.h"

typedef struct district_rollup district_rollup_t;

//  What district_rollup_add did with an event.
typedef enum {
    DISTRICT_ROLLUP_COUNTED = 1, //  counted (and kept for the next commit)
    DISTRICT_ROLLUP_OLD = 0,     //  at or below the last sequence counted: nothing changed
    DISTRICT_ROLLUP_GAP = -1,    //  events are missing before it: read them from the journal
    DISTRICT_ROLLUP_NO_INFO = -2 //  no hall.info yet (district_rollup_set_info)
} district_rollup_rc_t;

//  The rollup of hall `hall`, going on from what `store` (borrowed) holds. NULL on a
//  store error or out of memory. Caller owns it.
district_rollup_t *district_rollup_new (district_store_t *store, const char *hall);
//  Destroys it (what was not committed is dropped: the journal still has it) and sets
//  *self_p to NULL. Safe on NULL.
void district_rollup_destroy (district_rollup_t **self_p);

//  The hall.info (borrowed; copied) and over-wait limit to compute the figures with, from
//  each mirror snapshot. When they differ from the ones in use, what is pending is
//  committed and the current day is counted again with them. 0, or -1 on a store error.
int district_rollup_set_info (district_rollup_t *self, const json_t *info, int over_wait_minutes);
//  For a hall never followed before: its journal is counted from sequence `first` (the
//  current business day's `hall.day`). Does nothing once anything was counted.
void district_rollup_start_at (district_rollup_t *self, uint64_t first);
//  Counts one journal event (borrowed): see district_rollup_rc_t.
district_rollup_rc_t district_rollup_add (district_rollup_t *self, const json_t *event);
//  Events counted and not yet committed.
size_t district_rollup_pending (const district_rollup_t *self);
//  Writes what was counted since the last commit in one transaction (nothing to write:
//  0 at once). 0, or -1: nothing was written and the rollup went back to what the store
//  holds (the events are read again from the journal).
int district_rollup_commit (district_rollup_t *self);

//  The last sequence counted (0: none yet).
uint64_t district_rollup_seq (const district_rollup_t *self);
//  The business day being counted (YYYYMMDD; 0 before the first `hall.day`).
int district_rollup_day (const district_rollup_t *self);
//  The current day's report as of the last commit (proto_report_json), or NULL before
//  the first day. A new reference to a shared object: read it, do not change it.
json_t *district_rollup_report (const district_rollup_t *self);

#endif
