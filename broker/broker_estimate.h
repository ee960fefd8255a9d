/*  broker_estimate.h — people ahead and the estimated wait (docs/POLICY.md, "Estimates").

    Two estimates, both reported:

    - naive: people ahead × mean service time ÷ open counters serving the service (what
      most halls print);
    - simulated (ours): a forward simulation of the real calling policy from the current
      state. Every open counter becomes free when its current ticket is expected to end
      (called + mean, and never sooner than 30% of a mean from now); then, repeatedly, the
      counter that frees first calls what broker_policy_pick would choose among the heads
      of the lines it serves, and is busy for that service's mean. The predicted call time
      of a ticket is when it is picked. This follows multi-service counters, work profiles
      and weights, priority classes and ratios, and max-wait escalation, which the naive
      formula cannot.
    Means are learned from finished tickets (call to finish): per service and local hour of
    day once 5 have finished in that hour, else per service once 5 have finished at all,
    else the service's configured mean_service_s. */
#ifndef BROKER_ESTIMATE_H
#define BROKER_ESTIMATE_H

#include <stdint.h>

#include "broker_hall.h"

//  Finished tickets needed before a learned mean replaces the prior.
#define BROKER_ESTIMATE_MIN_SAMPLES 5
//  Window of the running mean.
#define BROKER_ESTIMATE_WINDOW 50
//  The simulation stops after this many calls (a backlog this long is not estimated).
#define BROKER_ESTIMATE_HORIZON 5000

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
//  The simulated estimate for waiting ticket `t`: seconds from now until its predicted
//  call, or -1 if no open counter will reach it within the horizon.
int64_t broker_estimate_sim_s (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t);
//  The simulated estimate for a ticket that would be issued now for `service` (normal
//  priority): seconds until its predicted call, or -1.
int64_t broker_estimate_sim_new_s (const broker_hall_t *hall, int64_t now, int service);
//  When a booked citizen is expected, relative to the slot's start (ms, negative: early):
//  the mean over the check-ins seen since the broker started once there are 3, else -10
//  minutes.
int64_t broker_estimate_arrival_offset_ms (const broker_hall_t *hall);
//  Learns one finished ticket: its service, when it was called, how long it took.
void broker_estimate_learn_at (broker_hall_t *hall, int service, int64_t called_ms,
                               int64_t service_ms);
//  Running-mean update of one statistic.
void broker_estimate_learn (broker_stats_t *stats, int64_t service_ms);

#endif
