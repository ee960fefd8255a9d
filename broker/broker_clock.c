/*  broker_clock.c — see broker_clock.h. */
#include "broker_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct broker_clock {
    bool simulated; //  true: `now` moves only by broker_clock_advance
    int64_t now;    //  simulated time, Unix ms
};

broker_clock_t *
broker_clock_new_real (void)
{
    return calloc (1, sizeof (broker_clock_t));
}

broker_clock_t *
broker_clock_new_sim (int64_t start_ms)
{
    broker_clock_t *self = calloc (1, sizeof *self);
    if (self) {
        self->simulated = true;
        self->now = start_ms;
    }
    return self;
}

void
broker_clock_destroy (broker_clock_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

int64_t
broker_clock_now (const broker_clock_t *self)
{
    if (self->simulated)
        return self->now;
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
broker_clock_simulated (const broker_clock_t *self)
{
    return self->simulated;
}

int
broker_clock_advance (broker_clock_t *self, int64_t ms)
{
    if (!self->simulated || ms < 0)
        return -1;
    self->now += ms;
    return 0;
}

void
broker_clock_restore (broker_clock_t *self, int64_t ms)
{
    if (self->simulated && ms > self->now)
        self->now = ms;
}

void
broker_clock_set_sim (broker_clock_t *self, int64_t ms)
{
    if (self->simulated)
        self->now = ms;
}

//  Floor division, so times before 1970 (only in tests) still land on the right day.
static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int
broker_business_day (int64_t ms, int utc_offset_min, int reset_hour)
{
    int64_t local = ms + (int64_t)utc_offset_min * 60000 - (int64_t)reset_hour * 3600000;
    time_t secs = (time_t)s_floor_div (local, 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int64_t
broker_next_day_start (int64_t ms, int utc_offset_min, int reset_hour)
{
    int64_t shift = (int64_t)utc_offset_min * 60000 - (int64_t)reset_hour * 3600000;
    int64_t day = s_floor_div (ms + shift, 86400000);
    return (day + 1) * 86400000 - shift;
}

void
broker_format_time (int64_t ms, int utc_offset_min, char *out, int size)
{
    time_t secs = (time_t)s_floor_div (ms + (int64_t)utc_offset_min * 60000, 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    if (size > 0 && strftime (out, (size_t)size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        out[0] = 0;
}
