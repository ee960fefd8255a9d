/*  proto_access.c — see proto_access.h; the figures are defined in docs/REPORT.md. */
#include "proto_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"

#define DAY_MS     86400000LL
#define MAX_PERIOD 8

//  The priorities of PROTOCOL.md 6.5, in the order views show them.
static const char *const s_priorities[] = {"green", "elderly", "appointment", "normal"};
#define PRIORITIES (sizeof s_priorities / sizeof s_priorities[0])

typedef struct {
    json_int_t issued, called, served, sum_wait_ms, max_wait_ms;
} s_line_t;

struct proto_access {
    int utc_offset_min;            //  the hall's
    int hours[MAX_PERIOD][2];      //  opening periods, local minutes [start, end)
    int periods;                   //  ... how many
    s_line_t line[PRIORITIES];     //  per priority
    json_int_t booked, cancelled;  //  bookings made, cancelled in the period
    json_int_t checked_in, in_win; //  check-ins, of them within the window
    json_int_t no_show;            //  no-shows
    json_int_t collected;          //  results collected, anywhere
    json_int_t at_cabinet;         //  ... from a cabinet
    json_int_t after_hours;        //  ... outside the opening hours
};

//  The periods of `list` ("HH:MM-HH:MM" strings) into `hours`; returns how many.
static int
s_periods (const json_t *list, int hours[MAX_PERIOD][2])
{
    int periods = 0;
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x) {
        int h1, m1, h2, m2;
        const char *text = json_string_value (x);
        if (periods == MAX_PERIOD || !text || sscanf (text, "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4)
            continue;
        hours[periods][0] = h1 * 60 + m1;
        hours[periods][1] = h2 * 60 + m2;
        periods++;
    }
    return periods;
}

//  The opening periods of `info` (proto_access.h) into `hours`; returns how many.
static int
s_hours (const json_t *info, int hours[MAX_PERIOD][2])
{
    int periods =
        s_periods (json_object_get (json_object_get (info, "appointments"), "hours"), hours);
    if (periods)
        return periods;
    json_t *defaults = json_pack ("[s, s]", "09:00-12:00", "13:30-17:00");
    periods = s_periods (defaults, hours);
    json_decref (defaults);
    return periods;
}

static int
s_outside (int hours[MAX_PERIOD][2], int periods, int minute)
{
    for (int i = 0; i < periods; i++)
        if (minute >= hours[i][0] && minute < hours[i][1])
            return 0;
    return 1;
}

int
proto_access_after_hours (const json_t *info, int minute)
{
    int hours[MAX_PERIOD][2];
    int periods = s_hours (info, hours);
    return s_outside (hours, periods, minute);
}

proto_access_t *
proto_access_new (const json_t *info)
{
    proto_access_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->utc_offset_min = (int)proto_int (json_object_get (info, "hall"), "utc_offset_min");
    self->periods = s_hours (info, self->hours);
    return self;
}

void
proto_access_destroy (proto_access_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

//  The line of the ticket's priority, or NULL for one not known.
static s_line_t *
s_line (proto_access_t *self, const json_t *ticket)
{
    for (size_t i = 0; i < PRIORITIES; i++)
        if (proto_is (ticket, "priority", s_priorities[i]))
            return &self->line[i];
    return NULL;
}

static void
s_ticket (proto_access_t *self, const char *topic, const json_t *e)
{
    s_line_t *l = s_line (self, json_object_get (e, "ticket"));
    if (!l)
        return;
    if (strcmp (topic, "ticket.issued") == 0)
        l->issued++;
    else if (strcmp (topic, "ticket.finished") == 0)
        l->served++;
    else if (strcmp (topic, "ticket.called") == 0) {
        //  The first call carries the wait, as the report's own wait figures count it.
        const json_t *wait = json_object_get (e, "wait_s");
        if (!json_is_integer (wait) || proto_int (e, "recall"))
            return;
        json_int_t ms = json_integer_value (wait) * 1000;
        l->called++;
        l->sum_wait_ms += ms;
        if (ms > l->max_wait_ms)
            l->max_wait_ms = ms;
    }
}

static void
s_appointment (proto_access_t *self, const char *topic, const json_t *e)
{
    if (strcmp (topic, "appointment.booked") == 0)
        self->booked++;
    else if (strcmp (topic, "appointment.cancelled") == 0)
        self->cancelled++;
    else if (strcmp (topic, "appointment.no_show") == 0)
        self->no_show++;
    else if (strcmp (topic, "appointment.checked_in") == 0) {
        self->checked_in++;
        self->in_win += json_is_true (json_object_get (e, "in_window"));
    }
}

//  A result collected: where, and at what local time of day.
static void
s_collected (proto_access_t *self, const json_t *e)
{
    const json_t *c = json_object_get (e, "case");
    int64_t t = proto_int (c, "collected") ? (int64_t)proto_int (c, "collected")
                                           : (int64_t)proto_int (e, "time");
    int64_t local = (t + (int64_t)self->utc_offset_min * 60000) % DAY_MS;
    if (local < 0)
        local += DAY_MS;
    self->collected++;
    self->at_cabinet += proto_is (json_object_get (c, "collected_at"), "kind", "cabinet");
    self->after_hours += s_outside (self->hours, self->periods, (int)(local / 60000));
}

void
proto_access_add (proto_access_t *self, const json_t *event)
{
    const char *topic = proto_str (event, "topic");
    if (strncmp (topic, "ticket.", 7) == 0)
        s_ticket (self, topic, event);
    else if (strncmp (topic, "appointment.", 12) == 0)
        s_appointment (self, topic, event);
    else if (strcmp (topic, "case.collected") == 0)
        s_collected (self, event);
}

static json_t *
s_ratio (json_int_t num, json_int_t den)
{
    return den > 0 ? json_real ((double)num / (double)den) : json_null ();
}

void
proto_access_json (const proto_access_t *self, json_t *kpis)
{
    json_t *priority = json_object ();
    for (size_t i = 0; i < PRIORITIES; i++) {
        const s_line_t *l = &self->line[i];
        //  The mean rounded to the nearest ms, as proto_kpi rounds the hall's.
        json_object_set_new (
            priority, s_priorities[i],
            json_pack ("{s:I, s:I, s:I, s:o, s:I}", "issued", l->issued, "called", l->called,
                       "served", l->served, "avg_wait_ms",
                       l->called ? json_integer ((l->sum_wait_ms + l->called / 2) / l->called)
                                 : json_null (),
                       "max_wait_ms", l->max_wait_ms));
    }
    json_object_set_new (kpis, "priority", priority);
    json_object_set_new (kpis, "appointments",
                         json_pack ("{s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "booked", self->booked,
                                    "cancelled", self->cancelled, "checked_in", self->checked_in,
                                    "in_window", self->in_win, "no_show", self->no_show,
                                    "kept_rate",
                                    s_ratio (self->checked_in, self->checked_in + self->no_show),
                                    "in_window_rate", s_ratio (self->in_win, self->checked_in)));
    json_t *pickup = json_object_get (kpis, "pickup");
    if (!pickup) {
        pickup = json_object ();
        json_object_set_new (kpis, "pickup", pickup);
    }
    json_object_set_new (pickup, "collected", json_integer (self->collected));
    json_object_set_new (pickup, "after_hours", json_integer (self->after_hours));
    json_object_set_new (pickup, "after_hours_share", s_ratio (self->after_hours, self->collected));
    json_object_set_new (pickup, "cabinet_share", s_ratio (self->at_cabinet, self->collected));
}
