/*  district_store.h — the district's LMDB store: each hall's journal as the district
    followed it, and each hall's figures per business day, rolled up from that journal by
    the hall's own report module (protocol/proto_report.h).

    One environment in the --data directory (data.mdb, lock.mdb), with three databases:

        halls   hall id -> the hall record: {"last_seq", "day", "day_first_seq", "info",
                "over_wait_minutes"}: the last journal event counted, the business day
                being counted and its first event, the hall.info and over-wait limit the
                figures are computed with
        events  hall id NUL seq (u64 big-endian) -> the journal event as the hall
                published it, from the first day the district followed
        days    hall id NUL day (u32 big-endian, YYYYMMDD) -> the day record: {"day",
                "first_seq", "last_seq", "report"}, `report` the proto_report_json of that
                day up to `last_seq`

    Counting is idempotent by sequence number: a commit writes a hall's new events, the
    records of the days they touched and the hall record in one transaction, and skips
    every event at or below the hall's stored last_seq. A restart, a hall that sends a
    journal page twice or a catch-up that overlaps the live stream therefore counts each
    event once; nothing is counted that is not stored with it.

    Every call runs its own transaction and may come from any thread (one thread per
    hall writes that hall's keys; the HTTP server reads). The map starts small and
    doubles when full, between transactions. Results are the caller's: nothing borrowed
    from the map leaves this module. */
#ifndef DISTRICT_STORE_H
#define DISTRICT_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct district_store district_store_t;

//  Opens (creating if needed) the store in directory `dir`, which must exist; takes the
//  lock DIR/district.lock so two districts never share it. NULL with the reason in err.
district_store_t *district_store_open (const char *dir, char *err, size_t size);
//  Closes the environment; sets *self_p to NULL. Safe on NULL. No call may be running.
void district_store_destroy (district_store_t **self_p);

//  Writes one batch of hall `hall` in one transaction: `events` (an array of journal
//  events in sequence order; those at or below the stored last_seq are skipped, and the
//  first new one must follow it), `days` (day records, see above, each replacing its day)
//  and `record` (the hall record; its last_seq must be at least the last event's). 0, or
//  -1 with nothing written (the reason logged: a gap, a full disk).
int district_store_commit (district_store_t *self, const char *hall, const json_t *events,
                           const json_t *days, const json_t *record);
//  The hall record, or NULL when the district never followed the hall. Caller owns it.
json_t *district_store_hall (district_store_t *self, const char *hall);

//  Called with each stored event (borrowed) in sequence order; returns 0 to stop.
typedef int (district_store_fn) (const json_t *event, void *arg);
//  Reads hall `hall`'s stored events from..to (both included) and gives each to `fn`. The
//  number given, or -1 on a store error.
long district_store_events (district_store_t *self, const char *hall, uint64_t from, uint64_t to,
                            district_store_fn *fn, void *arg);
//  The record of business day `day` (YYYYMMDD), or NULL. Caller owns it.
json_t *district_store_day (district_store_t *self, const char *hall, int day);
//  The records of the days from_day..to_day that have one, in day order. Caller owns the
//  array (empty when there are none; NULL on a store error).
json_t *district_store_days (district_store_t *self, const char *hall, int from_day, int to_day);
//  The record of the last day before `day` that has one, or NULL. Caller owns it.
json_t *district_store_day_before (district_store_t *self, const char *hall, int day);
//  Bytes of the store's data file (what it uses on disk).
long long district_store_bytes (district_store_t *self);

#endif
