/*  broker_estimate.h — people ahead and the estimated wait.

    Foundation formula (the queue-length estimate most halls print):
        wait = people ahead × mean service time of the service ÷ open counters serving it
    People ahead counts the waiting tickets of the same service that the policy calls
    first: every ticket of a higher class, and those of the same class earlier in line.
    The mean is learned from finished tickets (call to finish, a running mean over the
    last 50) and falls back to the service's configured mean until 5 have finished.
    With no counter open for the service the wait is unknown (-1). The wait-estimate issue
    replaces this with a forward simulation of the policy and reports both. */
#ifndef BROKER_ESTIMATE_H
#define BROKER_ESTIMATE_H

#include <stdint.h>

#include "broker_hall.h"

//  Finished tickets needed before the learned mean replaces the configured one.
#define BROKER_ESTIMATE_MIN_SAMPLES 5
//  Window of the running mean.
#define BROKER_ESTIMATE_WINDOW 50

//  Waiting tickets the policy will call before `t` in its service (t must be waiting).
int broker_estimate_ahead (const broker_hall_t *hall, const broker_ticket_t *t);
//  People ahead of a ticket that would be issued now for `service` with `priority`.
int broker_estimate_ahead_new (const broker_hall_t *hall, int service, broker_priority_t priority);
//  Mean service time used for `service`, in ms.
double broker_estimate_mean_ms (const broker_hall_t *hall, int service);
//  Estimated wait in seconds for `ahead` people in `service`, or -1 if no counter is open.
int64_t broker_estimate_wait_s (const broker_hall_t *hall, int service, int ahead);
//  Learns one finished ticket's service time.
void broker_estimate_learn (broker_stats_t *stats, int64_t service_ms);

#endif
