/*  proto_access.h — how citizens got to service in a report period (proto_report.h): the
    priority lines (green channel, the elderly, appointments, everyone else: PROTOCOL.md
    6.5), bookings kept or missed (6.16), results collected from a cabinet rather than a
    counter and outside the hall's opening hours (the 24-hour cabinet). The report adds
    these figures to its `kpis`; the service vitality index (proto_index.h) scores them.
    docs/REPORT.md defines each figure and the events it is read from:

        priority     {green, elderly, appointment, normal: {issued, called, served,
                      avg_wait_ms, max_wait_ms}}
        appointments {booked, cancelled, checked_in, in_window, no_show, kept_rate,
                      in_window_rate}
        pickup       {... collected, after_hours, after_hours_share, cabinet_share}

    **Opening hours.** hall.info publishes none; the periods in which the hall offers
    appointment slots (`appointments.hours`, "HH:MM-HH:MM" local) stand for them, and the
    broker's default periods (09:00-12:00, 13:30-17:00) when hall.info has none. A period
    includes its start and excludes its end minute. Days off are not known to a reader of
    the journal (hall.info does not publish the calendar): only the time of day is judged,
    so a collection at 10:00 on a Sunday counts as within hours. */
#ifndef PROTO_ACCESS_H
#define PROTO_ACCESS_H

#include <jansson.h>

typedef struct proto_access proto_access_t;

//  Figures for the hall of `info` (hall.info, borrowed: its opening hours and UTC offset
//  are read now). NULL on out-of-memory. Caller owns it.
proto_access_t *proto_access_new (const json_t *info);
//  Destroys the figures and sets *self_p to NULL. Safe on NULL.
void proto_access_destroy (proto_access_t **self_p);
//  Counts one journal event (borrowed) of the period; other topics change nothing.
void proto_access_add (proto_access_t *self, const json_t *event);
//  Adds the figures to a report's `kpis` object: the groups `priority` and `appointments`,
//  and `collected`, `after_hours`, `after_hours_share`, `cabinet_share` in its `pickup`
//  group (made if absent).
void proto_access_json (const proto_access_t *self, json_t *kpis);
//  Whether local minute of the day `minute` (0-1439) is outside the opening hours of the
//  hall of `info` (above): 1 outside, 0 within.
int proto_access_after_hours (const json_t *info, int minute);

#endif
