/*  broker_learn.h — what the broker learns of how its hall behaves, beyond the mean service
    times, for the wait estimates (docs/SIMULATOR.md, "How good the estimate is").

    - Pauses without a return time: the last BROKER_LEARN_PAUSES of them (counter, local
      hour it began, length). A counter paused without saying for how long is expected
      back after the mean remaining length of the pauses like it that lasted longer than
      it has so far, pauses of the same counter and time of day counting most.
    - Pauses with a return time (said, or a scheduled break's): how much longer they last
      than said; and how far from the scheduled start a scheduled break is taken.
    - The call delay: from the moment a counter could call (it was free and someone waited
      for it) to its call, per counter and for the hall.
    - Citizens who leave: how patient they are (the share gone when called at once, and the
      rate at which the others leave while they wait, from the first calls that end
      missed and the waiting that came before them); what a missed call costs the counter
      (call to missed); the rate at which waiting citizens cancel their tickets.
    - The interval: the estimate at issue, its model spread and the interval printed of
      the last BROKER_LEARN_ISSUED tickets (by id); each first call moves the interval's
      ends, in spreads below and above the estimate, out when its wait fell outside and in
      when inside, so that a tenth of waits fall below and a tenth above.
    - When each counter usually logs in (the local minute of its first login of a day).
    - How often green-channel and elderly citizens arrive, per service (they will go
      before a ticket issued now), and what share of the counters' working time short
      unannounced pauses take.

    All of it is in memory: a broker that restarts learns it again within the day (the
    mean service times, the slow part, are in the store). Plain data with update and
    lookup functions; the hall owns one (broker_hall_t.learn) and broker_estimate.c reads
    and feeds it. */
#ifndef BROKER_LEARN_H
#define BROKER_LEARN_H

#include <stdbool.h>
#include <stdint.h>

#include "broker_config.h"

#define BROKER_LEARN_PAUSES  64   //  unannounced pauses remembered
#define BROKER_LEARN_BUCKETS 6    //  waits 0-5, 5-15, 15-30, 30-60, 60-120, 120+ minutes
#define BROKER_LEARN_ISSUED  4096 //  estimates at issue remembered (direct-mapped by id)
#define BROKER_LEARN_WINDOW  50   //  window of the running means

//  A running mean and variance over a window (like the service-time means: the first
//  `window` values weigh equally, later ones decay).
typedef struct {
    int64_t n;
    double mean, var;
} broker_moments_t;

typedef struct {
    int counter;    //  config index
    int hour;       //  local hour it began
    int64_t len_ms; //  how long it lasted
} broker_pause_t;

typedef struct {
    uint64_t id;          //  ticket id (0: empty)
    int64_t est_ms;       //  its estimate at issue
    double sd_ms;         //  ... and the model's spread of it
    int64_t lo_ms, hi_ms; //  ... and the interval printed
} broker_issued_t;

typedef struct broker_learn {
    int ncounters;
    broker_pause_t pauses[BROKER_LEARN_PAUSES]; //  a ring
    int npauses, pause_next;
    broker_moments_t overrun;       //  pauses with a return time: actual - said (ms)
    broker_moments_t break_shift;   //  scheduled breaks: start - scheduled start (ms)
    broker_moments_t delay;         //  call delay, the hall (ms)
    broker_moments_t *delay_ctr;    //  ... per counter (config order)
    double at_once_n, at_once_gone; //  first calls within 2 minutes, and missed (decayed)
    double gone_n, exposure_ms;     //  later ones missed, and the waiting before (decayed)
    broker_moments_t miss_ms;       //  call to missed (ms)
    double cancels, waited_ms;      //  cancellations and the waiting they ended or not (decayed)
    broker_issued_t issued[BROKER_LEARN_ISSUED];
    double k_lo, k_hi;           //  the interval's ends in spreads below and above the estimate
    broker_moments_t ratio;      //  first calls: wait / simulated wait at issue (5 min and more)
    broker_moments_t *login_min; //  per counter: local minute of the day's first login
    int *login_day;              //  ... the day of its last login (local days since 1970)
    double green_n[BROKER_MAX_SERVICES]; //  priority walk-ins seen, decaying (4 h)
    double green_ms;                     //  ... the time they were watched for, decaying
    int64_t green_at;                    //  ... as of this time (the latest ticket's issue)
    int short_day;                       //  the day short_ms counts (local days)
    double short_ms;                     //  short unannounced pauses that day, ms
} broker_learn_t;

//  A new learning state for `ncounters` counters; NULL on out-of-memory.
broker_learn_t *broker_learn_new (int ncounters);
//  Frees it; sets *self_p to NULL. Safe on NULL.
void broker_learn_destroy (broker_learn_t **self_p);

//  Adds `x` to running moments with window `window`.
void broker_learn_moments (broker_moments_t *m, double x, int window);
//  The wait bucket of a wait in ms.
int broker_learn_bucket (int64_t wait_ms);

//  A pause of counter `counter` that began at local hour `hour` of local day `day` lasted
//  `len_ms`; `said_ms` is how long it was said to last (0: not said). `shift_ms` is how far
//  from its scheduled start a scheduled break began (0 and `is_break` false when it was
//  none).
void broker_learn_pause (broker_learn_t *self, int counter, int day, int hour, int64_t len_ms,
                         int64_t said_ms, bool is_break, int64_t shift_ms);
//  What is left of a pause without a return time of counter `counter`, begun at local
//  hour `hour`, `elapsed_ms` ago: the mean and the variance of the remaining ms.
void broker_learn_pause_left (const broker_learn_t *self, int counter, int hour, int64_t elapsed_ms,
                              double *mean_ms, double *var_ms);

//  Counter `counter` called after being able to for `delay_ms`.
void broker_learn_delay (broker_learn_t *self, int counter, int64_t delay_ms);
//  The mean and variance of counter `counter`'s call delay (ms).
void broker_learn_delay_of (const broker_learn_t *self, int counter, double *mean_ms,
                            double *var_ms);

//  A first call after `wait_ms` ended with the citizen there (`gone` false) or missed,
//  the call having taken the counter `call_ms` (missed only).
void broker_learn_outcome (broker_learn_t *self, int64_t wait_ms, bool gone, int64_t call_ms);
//  The share of first calls after `wait_ms` that end missed: a + (1 - a)(1 - e^{-λ w}),
//  a the share gone when called within 2 minutes, λ the others' rate of leaving (missed
//  calls over the waiting time that came before them, half of it for the missed).
double broker_learn_gone (const broker_learn_t *self, int64_t wait_ms);
//  What a missed call costs a counter (ms).
double broker_learn_miss_ms (const broker_learn_t *self);
//  A waiting ticket was cancelled after `waited_ms` (`cancelled`), or was called after it.
void broker_learn_waited (broker_learn_t *self, int64_t waited_ms, bool cancelled);
//  Cancellations per ms of waiting (0 until some were seen).
double broker_learn_cancel_rate (const broker_learn_t *self);

//  Remembers ticket `id`'s estimate at issue, its spread and the interval printed.
void broker_learn_issued (broker_learn_t *self, uint64_t id, int64_t est_ms, double sd_ms,
                          int64_t lo_ms, int64_t hi_ms);
//  Ticket `id` was first called after `wait_ms`: moves the interval's ends (k_lo, k_hi) by
//  whether its printed interval held the wait, and learns the ratio of the wait to the
//  simulated one.
void broker_learn_called (broker_learn_t *self, uint64_t id, int64_t wait_ms);
//  What the simulated waits are multiplied by: 1 until 30 ratios were seen, then half way
//  from 1 to their recent mean less one standard error (what the simulation does not see,
//  such as unannounced lunches or means still learned, shows there), within 0.7-1.5.
double broker_learn_factor (const broker_learn_t *self);

//  A ticket of `service` was issued at `at`: a green-channel or elderly walk-in if `green`.
void broker_learn_arrival (broker_learn_t *self, int service, bool green, int64_t at);
//  Their rate per ms: those seen over the time the hall was watched (from the first ticket;
//  a gap between two tickets counts an hour at most, so a night is not an hour without
//  them), both weighing less by e^(-watched since / 4 h), over an hour at least; 0 for none.
double broker_learn_green_rate (const broker_learn_t *self, int service);
//  Pauses without a return time up to this long are short: they recur all day.
#define BROKER_LEARN_SHORT_MS (30 * 60000)

//  Counter `counter` logged in at local minute `minute` of business day `day`.
void broker_learn_login (broker_learn_t *self, int counter, int day, int minute);
//  The local minute at which counter `counter` usually logs in first, or -1 if unknown.
int broker_learn_login_min (const broker_learn_t *self, int counter);

#endif
