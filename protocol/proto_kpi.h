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
                    satisfaction, level, alerts}],
         counters [{id, name, state, services, ticket, ticket_service, served, open_ms,
                    busy_ms, paused_ms, utilisation, idle_ms, state_ms, level, clerk?,
                    pause_reason?}],
         cabinets [{cabinet, name, online, reported, slots, occupied, in_use, free,
                    occupancy, alarm_slots, overdue_slots, disabled, level}],
         alarms   [the latest PROTO_KPI_RECENT_ALARMS cabinet alarms, newest first, each
                   with text and active],
         active_alarms [{cabinet, name, slot, alarm, text, since}],
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
    when idle PROTO_KPI_IDLE_WARN_MS while people wait for its services.

    A service's `alerts` name why it needs attention, each a level of its own: "no_counter"
    (red: people wait and no counter is open for them), "over_wait" (red: someone waits
    past the over-wait limit now), "near_limit" (yellow: the longest wait is past half the
    limit, not yet past it), "est_over" (red: the estimate for a ticket issued now is past
    the limit). Views show them as colour and as words, never by colour alone.

    Cabinet alarms: a cabinet reports no "cleared"; an alarm ends when the slot's state
    stops listing it (vault.changed). So `active_alarms` are read from the cabinets' slot
    states now (`since`: the time of its report among the recent alarms, or null), and
    each of the recent `alarms` (history) says whether it is still `active`: true while it
    is the newest report of that slot and alarm and the slot still lists it, false once
    recovered, null for an alarm without a slot (the scanner's lockout), whose end no
    report shows. `text` is the alarm in plain Chinese (proto_kpi_alarm_text). */
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
//  The level of a service's alert ("no_counter", ...: see above) as PROTO_KPI_*; OK for
//  one not known.
int proto_kpi_alert_level (const char *alert);
//  A service's alert in a few plain Chinese words ("无窗口办理"). Static.
const char *proto_kpi_alert_text (const char *alert);
//  The recent cabinet `alarms` (newest first: the mirror's, or a day's from the journal),
//  at most PROTO_KPI_RECENT_ALARMS, each with its `text` and whether it is still `active`
//  (see above) by the figures' `cabinets`. Caller owns the result.
json_t *proto_kpi_alarms (const json_t *alarms, const json_t *cabinets);
//  Every alarm the figures' `cabinets` report on their slots now, as {cabinet, name, slot,
//  alarm, text, since}; `since` from `recent` (proto_kpi_alarms' result), null when none
//  of them is its report. Caller owns the result.
json_t *proto_kpi_active_alarms (const json_t *cabinets, const json_t *recent);
//  A cabinet alarm (ajar, jammed, uncommanded_open, board_offline, incident, lockout) in
//  plain Chinese for staff ("柜门未关"); a generic text for one not known. Static.
const char *proto_kpi_alarm_text (const char *alarm);

#endif
