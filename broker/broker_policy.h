/*  broker_policy.h — which ticket a counter calls next (docs/POLICY.md).

    Each counter has a work profile (broker_config.h): the services it serves with a
    weight each, a priority ratio, and a maximum wait. Among the tickets at the head of
    each line the counter serves (one line per service and calling class), in order:

      1. max wait: any ticket that has waited longer than the profile's max_wait_minutes
         goes first, the longest-waiting of them (no one waits forever: no starvation);
      2. priority: the green channel (green, elderly), then appointments — always first,
         or, with a priority_ratio [p, n], p priority calls then n normal ones while both
         kinds wait (a cycle kept per counter), so a stream of priority tickets cannot
         starve the others;
      3. everyone else: with equal weights first come, first served across the counter's
         services (oldest place in line); with weights, the ticket whose wait × weight is
         largest.
    Ties fall to the older place in line (order key), then the lower id. The rule that
    chose a ticket ("max_wait", "green", "appointment", "fifo", "weight", "specific")
    travels on the ticket.called event.

    The same function picks for the live hall and for the wait estimator's forward
    simulation (broker_estimate.h), so the estimate follows the real policy. */
#ifndef BROKER_POLICY_H
#define BROKER_POLICY_H

#include <stdint.h>

#include "broker_hall.h"

//  One line's head, as the policy sees it.
typedef struct {
    int service;
    broker_class_t cls;
    int64_t order_key;
    uint64_t id;
    int64_t issued_ms;
} broker_candidate_t;

//  Picks among `n` candidates for a counter with `profile` at time `now`. Returns the
//  index, or -1 if n is 0. *cycle is the counter's place in its priority cycle (updated
//  when the ratio decided). *reason is set to a static string.
int broker_policy_pick (const broker_profile_cfg_t *profile, int64_t now,
                        const broker_candidate_t *cands, int n, int *cycle, const char **reason);

//  The ticket `counter` should call next in the live hall, or NULL if nobody waits for
//  its services. Advances the counter's priority cycle.
broker_ticket_t *broker_policy_next (const broker_hall_t *hall, broker_counter_t *counter,
                                     int64_t now, const char **reason);

#endif
