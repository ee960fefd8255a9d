/*  proto_kpi.h — the hall's key figures (DOMAIN.md, "What halls report"), computed once,
    the same way for every view: the terminal monitor, the web dashboard, reports.

    Input is the mirrored hall state (proto_mirror.h, the hall.snapshot shape kept current)
    and the broker's hall.info; output is one JSON object:

        {hall, hall_en, now, day, seq, utc_offset_min, over_wait_minutes,
         totals   {waiting, issued, called, served, over_wait, missed, rated,
                   longest_wait_ms, avg_wait_ms, avg_service_ms, over_wait_rate,
                   rating_rate, ratings[5], good_rate, satisfaction, bad},
         services [{prefix, name, name_en, waiting, open_counters, longest_wait_ms,
                    waiting_over, est_wait_s, issued, called, served, missed, cancelled,
                    transferred, avg_wait_ms, max_wait_ms, avg_service_ms, over_wait,
                    over_wait_rate, rated, ratings[5], rating_rate, good_rate,
                    satisfaction, level}],
         counters [{id, name, state, services, ticket, ticket_service, served, open_ms,
                    busy_ms, paused_ms, utilisation, idle_ms, state_ms, level, clerk?,
                    pause_reason?}],
         cabinets [{cabinet, name, online, reported, slots, occupied, in_use, free,
                    occupancy, alarm_slots, overdue_slots, disabled, level}],
         alarms   [the latest PROTO_KPI_RECENT_ALARMS cabinet alarms],
         cases    {open, yellow, red, overdue, awaiting_pickup, ready_for_pickup,
                   pickup_overdue, ..., level}}

    Definitions: average wait = Σ(first call − issue) / called; average handling =
    Σ(finish − latest call) / served; over-wait rate = over_wait / called; rating rate = rated /
    served; good rate = (5 + 4) / rated; satisfaction = (5 + 4 + 3) / rated; bad (差评) =
    ratings of 1 and 2 (each opens a rectification); utilisation = busy / open (paused time
    excluded); a slot is occupied when its sensor says so, or, from a cabinet that reports
    no sensor, when its state is occupied or overdue; occupancy = occupied / slots. Means are
    rounded to the nearest ms; a ratio of nothing counted is null (unknown), never 0.
    `level` is "ok", "yellow" or "red": red when someone has waited past the over-wait limit
    or people wait with no counter open, yellow past half the limit; a counter is yellow
    when idle PROTO_KPI_IDLE_WARN_MS while people wait for its services. */
#ifndef PROTO_KPI_H
#define PROTO_KPI_H

#include <jansson.h>
#include <stdint.h>

//  A counter idle this long while people wait for its services is flagged.
#define PROTO_KPI_IDLE_WARN_MS 120000
//  Recent cabinet alarms kept in the figures.
#define PROTO_KPI_RECENT_ALARMS 10

//  Levels of attention, as in the figures' "level" member.
enum { PROTO_KPI_OK = 0, PROTO_KPI_YELLOW = 1, PROTO_KPI_RED = 2 };

//  The hall's figures from the mirrored `state` and `info` at broker time `now` (Unix ms).
//  Caller owns the result.
json_t *proto_kpi_hall (const json_t *state, const json_t *info, int64_t now);
//  The level of a figures object (its "level" member) as PROTO_KPI_OK/YELLOW/RED.
int proto_kpi_level_of (const json_t *k);

#endif
