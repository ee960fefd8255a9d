/*  broker_clock.h — the broker's injectable clock.

    Real: wall-clock Unix milliseconds. Simulated: a time that moves only when advanced
    (the admin command clock.advance), so tests and the day simulator run a whole day in
    seconds and nothing ever sleeps for time to pass. Timers compare against this clock
    only. Business days (numbering resets) are computed in the hall's local time from the
    configured UTC offset, never from the machine's time zone. */
#ifndef BROKER_CLOCK_H
#define BROKER_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct broker_clock broker_clock_t;

//  A real clock. Caller owns it.
broker_clock_t *broker_clock_new_real (void);
//  A simulated clock starting at `start_ms` (Unix ms). Caller owns it.
broker_clock_t *broker_clock_new_sim (int64_t start_ms);
//  Frees it; sets *self_p to NULL.
void broker_clock_destroy (broker_clock_t **self_p);
//  Current time, Unix ms.
int64_t broker_clock_now (const broker_clock_t *self);
//  True for a simulated clock.
bool broker_clock_simulated (const broker_clock_t *self);
//  Moves a simulated clock forward by `ms` (>= 0). -1 on a real clock.
int broker_clock_advance (broker_clock_t *self, int64_t ms);
//  Moves a simulated clock to `ms` if that is later (used when restoring after restart).
void broker_clock_restore (broker_clock_t *self, int64_t ms);

//  Sets a simulated clock to exactly `ms` (used to undo an advance whose batch failed).
void broker_clock_set_sim (broker_clock_t *self, int64_t ms);

//  Business day of time `ms` as YYYYMMDD: the local date (UTC + offset) of the instant
//  `reset_hour` hours earlier, so a day runs from reset_hour to reset_hour.
int broker_business_day (int64_t ms, int utc_offset_min, int reset_hour);
//  Unix ms at which the business day after the one containing `ms` begins.
int64_t broker_next_day_start (int64_t ms, int utc_offset_min, int reset_hour);
//  Formats `ms` as local "YYYY-MM-DD HH:MM:SS" with the offset, into out (>= 20 bytes).
void broker_format_time (int64_t ms, int utc_offset_min, char *out, int size);

#endif
