/*  broker_estimate.h — people ahead and the estimated wait (docs/POLICY.md, "Estimates").

    Two estimates, both reported:

    - naive: people ahead × mean service time ÷ open counters serving the service (what
      most halls print);
    - simulated (ours): a forward simulation of the real calling policy from the current
      state. Every counter that will call becomes free when its current ticket is expected
      to end, when a paused one is expected back, or, before the hall opens, when it
      usually logs in; then, repeatedly, the counter that frees first calls what
      broker_policy_pick would choose among the heads of the lines it serves, and is busy
      for what that ticket is expected to cost it. The predicted call time of a ticket is
      when it is picked (beyond BROKER_ESTIMATE_EXACT picks: extrapolated at the rate
      the simulation served its line). This follows multi-service counters, work profiles and
   weights, priority classes and ratios, and max-wait escalation, which the naive formula cannot.

    What a picked ticket costs a counter is learned from the hall (broker_learn.h): the
    service time (means per service and local hour of day once 5 have finished in that
    hour, else per service: the learned mean, services under way counted, drawn towards
    the configured mean_service_s by what each is worth; their spread), the share of
    citizens gone by the time they are called after such a wait (a missed call costs the
    recall and the mark, not a service) and of those who cancel first, and the counter's
    call delay. The simulation also carries each counter's
    variance, so an estimate comes with a spread; the printed interval runs from k_lo
    spreads below the estimate to k_hi above, rounded as a slip prints it, k_lo and k_hi
    learned from how often the intervals printed held the waits (broker_learn.h). */
#ifndef BROKER_ESTIMATE_H
#define BROKER_ESTIMATE_H

#include <stdint.h>

#include "broker_hall.h"

//  Finished tickets needed before a learned mean replaces the prior.
#define BROKER_ESTIMATE_MIN_SAMPLES 5
//  Window of the running mean.
#define BROKER_ESTIMATE_WINDOW 50
//  The simulation picks this many tickets exactly; a ticket further back is reached at the
//  rate its line was served in those picks, so an estimate costs about the same at 5,000
//  waiting as at 300.
#define BROKER_ESTIMATE_EXACT 256

//  An estimate of the wait until a ticket's call.
typedef struct {
    int64_t wait_s;     //  seconds from now, or -1 if no counter will reach it
    int64_t lo_s, hi_s; //  the 80% interval as printed ("约 25–40 分钟"), seconds, or -1
    double sd_ms;       //  the simulation's spread of the wait, ms
    int64_t sim_s;      //  the simulation's wait before the learned correction, or -1
} broker_estimate_t;

//  Waiting tickets the policy will call before `t` in its service by class order (t must
//  be waiting): the "people ahead" printed on a slip.
int broker_estimate_ahead (const broker_hall_t *hall, const broker_ticket_t *t);
//  People ahead of a ticket that would be issued now for `service` with `priority`.
int broker_estimate_ahead_new (const broker_hall_t *hall, int service, broker_priority_t priority);
//  Mean service time for `service` at time `at` (its local hour), in ms.
double broker_estimate_mean_ms_at (const broker_hall_t *hall, int service, int64_t at);
//  Mean service time for `service` over the whole day, in ms.
double broker_estimate_mean_ms (const broker_hall_t *hall, int service);
//  The naive estimate: seconds for `ahead` people in `service`, or -1 if no counter is open.
int64_t broker_estimate_wait_s (const broker_hall_t *hall, int service, int ahead);
//  The simulated estimate for waiting ticket `t`, with its interval.
void broker_estimate_ticket (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t,
                             broker_estimate_t *out);
//  The simulated estimate for a ticket that would be issued now for `service` (normal
//  priority), with its interval.
void broker_estimate_new (const broker_hall_t *hall, int64_t now, int service,
                          broker_estimate_t *out);
//  broker_estimate_ticket's seconds alone: until `t`'s predicted call, or -1.
int64_t broker_estimate_sim_s (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t);
//  broker_estimate_new's seconds alone.
int64_t broker_estimate_sim_new_s (const broker_hall_t *hall, int64_t now, int service);
//  The printed interval around an estimate of `wait_s` seconds with spread `sd_ms`, from
//  `zlo` spreads (negative: below) to `zhi` spreads (above): each end rounded to the minute
//  below 10 minutes, to 5 minutes below an hour, to 10 minutes above; at least one step
//  wide, never below 0.
void broker_estimate_interval (int64_t wait_s, double sd_ms, double zlo, double zhi, int64_t *lo_s,
                               int64_t *hi_s);
//  When a booked citizen is expected, relative to the slot's start (ms, negative: early):
//  the mean over the check-ins seen since the broker started once there are 3, else -10
//  minutes.
int64_t broker_estimate_arrival_offset_ms (const broker_hall_t *hall);

//  Learns one finished ticket: its service, when it was called, how long it took.
void broker_estimate_learn_at (broker_hall_t *hall, int service, int64_t called_ms,
                               int64_t service_ms);
//  Running-mean (and variance) update of one statistic.
void broker_estimate_learn (broker_stats_t *stats, int64_t service_ms);

//  What the hall does, for broker_learn (the handlers call these as it happens):
//  a ticket was issued with estimate `e` (remembered to judge it when it is called);
void broker_estimate_learn_issue (broker_hall_t *hall, const broker_ticket_t *t,
                                  const broker_estimate_t *e);
//  counter `c` calls waiting ticket `t` now (before either changes state): its call delay,
//  and on a first call the wait against the estimate at issue;
void broker_estimate_learn_call (broker_hall_t *hall, const broker_counter_t *c,
                                 const broker_ticket_t *t, int64_t now);
//  the called citizen came (ticket.start) or did not (ticket.missed), before `t` changes;
void broker_estimate_learn_outcome (broker_hall_t *hall, const broker_ticket_t *t, bool came,
                                    int64_t now);
//  waiting ticket `t` is cancelled now;
void broker_estimate_learn_cancel (broker_hall_t *hall, const broker_ticket_t *t, int64_t now);
//  paused counter `c` resumes or logs out now (before its state changes);
void broker_estimate_learn_pause (broker_hall_t *hall, const broker_counter_t *c, int64_t now);
//  counter `c` logs in now.
void broker_estimate_learn_login (broker_hall_t *hall, const broker_counter_t *c, int64_t now);

#endif
