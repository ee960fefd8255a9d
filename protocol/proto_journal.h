/*  proto_journal.h — reading a hall's event journal (events.range, PROTOCOL.md 7.52) by
    business day, and the hall's local dates of the times in it: what reports and
    catch-ups need beyond "the events from N".

    The journal is never pruned and its events come in sequence order. A business day
    (6.1) begins with its `hall.day` event, which comes at or after local midnight of that
    date (the day begins `reset_hour` hours after midnight, or later when the broker was
    down): so the first event at or after that midnight is at or before the day's
    `hall.day`, and reading from there misses none of the day. Finding it is a binary
    search on event time, which relies on the broker's clock never going back. */
#ifndef PROTO_JOURNAL_H
#define PROTO_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "proto_client.h"

//  Events read per events.range call (the most the broker gives).
#define PROTO_JOURNAL_PAGE 1000

//  Called with each event (borrowed) in sequence order; returns 0 to stop reading.
typedef int (proto_journal_fn) (const json_t *event, void *arg);

//  The sequence number to read from to replay business day `day` (YYYYMMDD) and after, of
//  the broker behind `client` whose hall.info is `info`: the current day's `hall.day`
//  (events.range's day_first_seq); for an earlier day the first event at or after its
//  local midnight; for a later day, after the last event. 0 with *seq set, or the failed
//  call's result (a proto_err_t code, PROTO_CLIENT_UNREACHABLE).
int proto_journal_day_start (proto_client_t *client, const json_t *info, int day, json_int_t *seq);
//  Reads events from..stop (stop included) in pages of PROTO_JOURNAL_PAGE and gives each
//  to `fn`, until `fn` returns 0 or the journal ends. 0, or the failed call's result.
int proto_journal_read (proto_client_t *client, json_int_t from, json_int_t stop,
                        proto_journal_fn *fn, void *arg);

//  The hall's local date (YYYYMMDD) of Unix ms `ms` at `utc_offset_min`.
int proto_journal_local_date (int64_t ms, int utc_offset_min);
//  Unix ms of the local midnight that begins date `yyyymmdd` at `utc_offset_min`.
int64_t proto_journal_midnight (int yyyymmdd, int utc_offset_min);
//  Calendar days from date `from` to date `to` (YYYYMMDD), negative if `to` is earlier.
int proto_journal_days_between (int from, int to);

#endif
