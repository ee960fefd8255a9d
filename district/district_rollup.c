/*  district_rollup.c — see district_rollup.h. */
#include "district_rollup.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "district_config.h"
#include "proto_json.h"
#include "proto_log.h"
#include "proto_report.h"

struct district_rollup {
    district_store_t *store;
    char hall[DISTRICT_ID_MAX + 1];
    json_t *info;           //  hall.info without what changes by the second (owned)
    int over_wait;          //  over-wait limit, minutes
    uint64_t last;          //  last sequence counted
    int day;                //  business day being counted, 0 before the first hall.day
    uint64_t day_first;     //  its hall.day's sequence
    int64_t last_time;      //  time of the last event counted (the open day's end)
    proto_report_t *report; //  the current day's, or NULL
    json_t *current;        //  its report object as of the last commit, or NULL
    json_t *pending;        //  events counted since the last commit
    json_t *closed;         //  records of the days that ended since the last commit
    bool dirty;             //  the hall record changed without an event
};

//  hall.info without the members that move with every call (now, seq, day, calendar), so
//  two snapshots of the same config compare equal.
static json_t *
s_strip (const json_t *info)
{
    json_t *copy = json_deep_copy (info);
    static const char *const moving[] = {"now", "seq", "day", "calendar"};
    for (size_t i = 0; copy && i < sizeof moving / sizeof moving[0]; i++)
        json_object_del (copy, moving[i]);
    return copy;
}

static int
s_feed (const json_t *event, void *arg)
{
    district_rollup_t *self = arg;
    proto_report_add (self->report, event);
    self->last_time = (int64_t)proto_int (event, "time");
    return 1;
}

//  The report of the current day from the store's events, for the info in use.
static int
s_recount (district_rollup_t *self)
{
    proto_report_destroy (&self->report);
    if (!self->info || !self->day)
        return 0;
    self->report = proto_report_new (self->info, self->day, self->day, self->over_wait);
    if (!self->report)
        return -1;
    long n =
        district_store_events (self->store, self->hall, self->day_first, self->last, s_feed, self);
    return n < 0 ? -1 : 0;
}

//  Memory from the store: the hall record, and the current day counted again.
static int
s_load (district_rollup_t *self)
{
    proto_report_destroy (&self->report);
    json_decref (self->info);
    json_decref (self->current);
    self->info = self->current = NULL;
    json_array_clear (self->pending);
    json_array_clear (self->closed);
    self->dirty = false;
    json_t *rec = district_store_hall (self->store, self->hall);
    self->last = (uint64_t)proto_int (rec, "last_seq");
    self->day = (int)proto_int (rec, "day");
    self->day_first = (uint64_t)proto_int (rec, "day_first_seq");
    self->over_wait = (int)proto_int (rec, "over_wait_minutes");
    json_t *info = json_object_get (rec, "info");
    self->info = json_is_object (info) ? json_incref (info) : NULL;
    json_decref (rec);
    json_t *day = self->day ? district_store_day (self->store, self->hall, self->day) : NULL;
    self->current = json_object_get (day, "report");
    if (self->current)
        json_incref (self->current);
    json_decref (day);
    return s_recount (self);
}

district_rollup_t *
district_rollup_new (district_store_t *store, const char *hall)
{
    district_rollup_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->store = store;
    snprintf (self->hall, sizeof self->hall, "%s", hall);
    self->pending = json_array ();
    self->closed = json_array ();
    if (!self->pending || !self->closed || s_load (self) != 0)
        district_rollup_destroy (&self);
    return self;
}

void
district_rollup_destroy (district_rollup_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_rollup_t *self = *self_p;
    proto_report_destroy (&self->report);
    json_decref (self->info);
    json_decref (self->current);
    json_decref (self->pending);
    json_decref (self->closed);
    free (self);
    *self_p = NULL;
}

int
district_rollup_set_info (district_rollup_t *self, const json_t *info, int over_wait_minutes)
{
    json_t *stripped = s_strip (info);
    if (!stripped)
        return -1;
    if (self->info && json_equal (self->info, stripped) && self->over_wait == over_wait_minutes) {
        json_decref (stripped);
        return 0;
    }
    if (district_rollup_commit (self) != 0) {
        json_decref (stripped);
        return -1;
    }
    json_decref (self->info);
    self->info = stripped;
    self->over_wait = over_wait_minutes;
    self->dirty = true;
    return s_recount (self);
}

void
district_rollup_start_at (district_rollup_t *self, uint64_t first)
{
    if (self->last == 0 && first > 1) {
        self->last = first - 1;
        self->dirty = true;
    }
}

//  The record of the current day up to `now`.
static json_t *
s_day_record (const district_rollup_t *self, int64_t now)
{
    return json_pack ("{s:i, s:I, s:I, s:o}", "day", self->day, "first_seq",
                      (json_int_t)self->day_first, "last_seq", (json_int_t)self->last, "report",
                      proto_report_json (self->report, now));
}

//  A hall.day: the day being counted ends at it (its record waits for the commit), and
//  the day it names begins.
static int
s_day (district_rollup_t *self, const json_t *event, uint64_t seq)
{
    int day = (int)proto_int (event, "day");
    if (self->report && day != self->day) {
        proto_report_add (self->report, event);
        json_t *rec = s_day_record (self, (int64_t)proto_int (event, "time"));
        if (!rec)
            return -1;
        json_array_append_new (self->closed, rec);
        proto_report_destroy (&self->report);
    }
    if (!self->report) {
        self->report = proto_report_new (self->info, day, day, self->over_wait);
        if (!self->report)
            return -1;
        self->day = day;
        self->day_first = seq;
    }
    return 0;
}

district_rollup_rc_t
district_rollup_add (district_rollup_t *self, const json_t *event)
{
    uint64_t seq = (uint64_t)proto_int (event, "seq");
    if (seq <= self->last)
        return DISTRICT_ROLLUP_OLD;
    if (self->last && seq != self->last + 1)
        return DISTRICT_ROLLUP_GAP;
    if (!self->info)
        return DISTRICT_ROLLUP_NO_INFO;
    if (proto_is (event, "topic", "hall.day") && s_day (self, event, seq) != 0)
        return DISTRICT_ROLLUP_NO_INFO;
    if (self->report)
        proto_report_add (self->report, event);
    json_array_append (self->pending, (json_t *)event);
    self->last = seq;
    self->last_time = (int64_t)proto_int (event, "time");
    return DISTRICT_ROLLUP_COUNTED;
}

size_t
district_rollup_pending (const district_rollup_t *self)
{
    return json_array_size (self->pending);
}

int
district_rollup_commit (district_rollup_t *self)
{
    if (!json_array_size (self->pending) && !json_array_size (self->closed) && !self->dirty)
        return 0;
    json_t *days = json_copy (self->closed);
    json_t *current = self->report ? s_day_record (self, self->last_time) : NULL;
    if (current)
        json_array_append (days, current);
    json_t *record = json_pack ("{s:I, s:i, s:I, s:O?, s:i}", "last_seq", (json_int_t)self->last,
                                "day", self->day, "day_first_seq", (json_int_t)self->day_first,
                                "info", self->info, "over_wait_minutes", self->over_wait);
    int rc = days && record
                 ? district_store_commit (self->store, self->hall, self->pending, days, record)
                 : -1;
    if (rc == 0) {
        json_array_clear (self->pending);
        json_array_clear (self->closed);
        self->dirty = false;
        if (current) {
            json_decref (self->current);
            self->current = json_incref (json_object_get (current, "report"));
        }
    } else {
        log_warn ("district: %s: figures not written; counting again from the store", self->hall);
        s_load (self);
    }
    json_decref (current);
    json_decref (days);
    json_decref (record);
    return rc;
}

uint64_t
district_rollup_seq (const district_rollup_t *self)
{
    return self->last;
}

int
district_rollup_day (const district_rollup_t *self)
{
    return self->day;
}

json_t *
district_rollup_report (const district_rollup_t *self)
{
    return self->current ? json_incref (self->current) : NULL;
}
