/*  proto_report.h — the figures a hall is judged on, computed from its journal: one
    business day, or several (a month), the same way for every reader (`onewindow report`,
    the web gateway, the district). docs/REPORT.md defines each figure, its formula and the
    events it is read from.

    Input: the hall's journal events in sequence order (events.range, PROTOCOL.md 7.52),
    starting at or before the period's first `hall.day`, and the hall's hall.info (names,
    UTC offset, services, counters). The period is whole business days (6.1): from the
    `hall.day` of its first day to the `hall.day` after its last, whose time ends it; a
    period still running ends at the `now` given. Events before the period are read and
    ignored, so a reader may start anywhere before its first day. Output: one JSON object

        {hall {id, name, name_en}, day (a one-day period) | month (a whole month),
         period {from, to, days, first_seq, last_seq, start, end, open, over_wait_minutes,
                 utc_offset_min},
         kpis {tickets  {issued, called, served, missed, cancelled, transferred, expired,
                         over_wait, avg_wait_ms, median_wait_ms, p90_wait_ms, max_wait_ms,
                         over_wait_rate, avg_service_ms, unserved, unserved_rate,
                         median_visit_ms, p90_visit_ms},
               ratings  {rated, ratings[5], rating_rate, good_rate, satisfaction, bad,
                         rectifications_opened, rectifications_closed,
                         rectifications_on_time, rectification_on_time_rate},
               cases    {received, accepted, immediate, immediate_share, not_accepted,
                         withdrawn, decided, approved, denied, on_time, on_time_rate, late,
                         early, early_rate, statutory_judged, statutory_on_time,
                         statutory_on_time_rate, first_time, first_time_rate,
                         overdue_warnings, statutory_overdue_warnings, checked, overridden,
                         override_rate, one_visit, one_visit_rate},
               notices  {notices, compliant, compliance, repeated, late, unjudged},
               pickup   {cabinet {collected, median_ms, p90_ms},
                         counter {collected, median_ms, p90_ms}, unmeasured, collected,
                         after_hours, after_hours_share, cabinet_share},
               priority {green, elderly, appointment, normal: {issued, called, served,
                         avg_wait_ms, max_wait_ms}},
               appointments {booked, cancelled, checked_in, in_window, no_show, kept_rate,
                         in_window_rate},
               services [{prefix, name, name_en, issued, called, served, missed, cancelled,
                          transferred, over_wait, avg_wait_ms, median_wait_ms, p90_wait_ms,
                          max_wait_ms, over_wait_rate, avg_service_ms, rated, ratings[5],
                          rating_rate, good_rate, satisfaction}],
               counters [{id, name, served, open_ms, busy_ms, paused_ms, utilisation}]},
         null_reasons {"kpis.GROUP.KEY": why that figure is null}}

    The ticket, rating and counter figures are proto_kpi's (proto_kpi.h): the journal's
    events are counted into the shape of the mirrored day (stats per service, counter
    objects) and proto_kpi_hall computes means and rates from it, so a day's report equals
    the live figures at the end of that day (where both have a figure). A ratio of nothing
    counted is null; every null figure of the hall-wide groups above has its reason in
    `null_reasons`, from the catalogue of proto_figures.h, which also names the figures and
    writes the report as CSV. The priority lines, bookings and collections out of hours are
    counted by proto_access.h. The service vitality index (proto_index.h) is computed from
    this object by the default index config and comes beside `kpis` as `index` and
    `index_detail`; a reader with a config of its own (the hall's, the district's)
    computes it again with proto_index_compute and json_object_update's the result in.
    A period with no `hall.day` in the journal (the broker did not run) has `days` 0,
    `start` and `end` null, and the reason under "period".

    Fields and topics the reader does not know are ignored: events and cases may carry
    more. */
#ifndef PROTO_REPORT_H
#define PROTO_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "proto_client.h"

typedef struct proto_report proto_report_t;

//  A report of business days from_day..to_day (YYYYMMDD, from_day <= to_day; a month is
//  YYYYMM01..YYYYMM31) of the hall described by `info` (hall.info, borrowed: it must
//  outlive the report), with the over-wait limit `over_wait_minutes` (hall.snapshot).
//  NULL on out-of-memory. Caller owns it.
proto_report_t *proto_report_new (const json_t *info, int from_day, int to_day,
                                  int over_wait_minutes);
//  Destroys the report and sets *self_p to NULL. Safe on NULL.
void proto_report_destroy (proto_report_t **self_p);
//  Counts one journal event (borrowed). Events must come in sequence order. Returns 1
//  while the period may go on, 0 once it is over (the `hall.day` after to_day): later
//  events change nothing.
int proto_report_add (proto_report_t *self, const json_t *event);
//  The report object (above) as of broker time `now` (Unix ms), which ends a period still
//  running. Caller owns the result.
json_t *proto_report_json (const proto_report_t *self, int64_t now);

//  Reads the report of business days from_day..to_day from the broker behind `client`:
//  hall.info and hall.snapshot, then the journal (proto_journal.h: in pages of 1000, from
//  where the period's first day starts) up to the last event hall.info counted; a period
//  still running ends at hall.info's `now`. from_day 0 means the broker's current business
//  day (to_day 0: the same day). Returns 0 with *report set (caller owns), or the failed
//  call's result (a proto_err_t code, or PROTO_CLIENT_UNREACHABLE): proto_client_code and
//  proto_client_message say why.
int proto_report_fetch (proto_client_t *client, int from_day, int to_day, json_t **report);
//  proto_report_fetch, also giving the hall.info the report was read with in *info (caller
//  owns; NULL on failure): what the caller computes from the same moment beside the
//  figures, such as the service vitality index (proto_index.h).
int proto_report_fetch_info (proto_client_t *client, int from_day, int to_day, json_t **report,
                             json_t **info);

#endif
