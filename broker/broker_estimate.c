/*  broker_estimate.c — see broker_estimate.h. */
#include "broker_estimate.h"

#include <math.h>

int
broker_estimate_ahead (const broker_hall_t *hall, const broker_ticket_t *t)
{
    broker_class_t cls = broker_priority_class (t->priority);
    int ahead = 0;
    for (int c = 0; c < (int) cls; c++)
        ahead += (int) broker_queue_size (hall->queues[t->service][c]);
    long rank = broker_queue_rank (hall->queues[t->service][cls], t);
    return ahead + (rank > 0 ? (int) rank : 0);
}

int
broker_estimate_ahead_new (const broker_hall_t *hall, int service, broker_priority_t priority)
{
    broker_class_t cls = broker_priority_class (priority);
    int ahead = 0;
    for (int c = 0; c <= (int) cls; c++)
        ahead += (int) broker_queue_size (hall->queues[service][c]);
    return ahead;
}

double
broker_estimate_mean_ms (const broker_hall_t *hall, int service)
{
    const broker_stats_t *st = &hall->stats[service];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return hall->config->services[service].mean_service_s * 1000.0;
}

int64_t
broker_estimate_wait_s (const broker_hall_t *hall, int service, int ahead)
{
    int open = broker_hall_open_counters (hall, service);
    if (open == 0)
        return -1;
    double ms = ahead * broker_estimate_mean_ms (hall, service) / open;
    return (int64_t) llround (ms / 1000.0);
}

void
broker_estimate_learn (broker_stats_t *stats, int64_t service_ms)
{
    if (service_ms < 0)
        return;
    stats->n++;
    int64_t window = stats->n < BROKER_ESTIMATE_WINDOW ? stats->n : BROKER_ESTIMATE_WINDOW;
    stats->mean_ms += ((double) service_ms - stats->mean_ms) / (double) window;
}
