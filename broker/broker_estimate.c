/*  broker_estimate.c — see broker_estimate.h. */
#include "broker_estimate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker_policy.h"

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

static int
s_hour (const broker_hall_t *hall, int64_t ms)
{
    int64_t local = ms / 1000 + (int64_t) hall->config->utc_offset_min * 60;
    int64_t h = (local / 3600) % 24;
    return (int) (h < 0 ? h + 24 : h);
}

double
broker_estimate_mean_ms (const broker_hall_t *hall, int service)
{
    const broker_stats_t *st = &hall->stats[service];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return hall->config->services[service].mean_service_s * 1000.0;
}

double
broker_estimate_mean_ms_at (const broker_hall_t *hall, int service, int64_t at)
{
    const broker_stats_t *st = &hall->stats_hour[service][s_hour (hall, at)];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return broker_estimate_mean_ms (hall, service);
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

void
broker_estimate_learn_at (broker_hall_t *hall, int service, int64_t called_ms, int64_t service_ms)
{
    broker_estimate_learn (&hall->stats[service], service_ms);
    broker_estimate_learn (&hall->stats_hour[service][s_hour (hall, called_ms)], service_ms);
}

//  ---------------------------------------------------------------------------------------
//  Forward simulation

typedef struct {
    const broker_counter_t *counter;
    int64_t free_at;     //  when it can call next
    int cycle;           //  its priority cycle, advanced as in the live hall
    bool done;           //  nothing left it can serve
} s_server_t;

//  Predicts when `target` (a waiting ticket, or the virtual new ticket of `vservice`
//  when target is NULL) is called. Returns Unix ms, or -1.
static int64_t
s_simulate (const broker_hall_t *hall, int64_t now, const broker_ticket_t *target, int vservice)
{
    const broker_config_t *cfg = hall->config;
    s_server_t servers[BROKER_MAX_COUNTERS];
    int nservers = 0;
    for (int i = 0; i < cfg->ncounters; i++) {
        const broker_counter_t *c = &hall->counters[i];
        if (c->state == COUNTER_LOGGED_OUT || c->state == COUNTER_PAUSED)
            continue;
        int64_t free_at = now;
        if (c->ticket) {
            int64_t since = c->ticket->last_called_ms;
            double mean = broker_estimate_mean_ms_at (hall, c->ticket->service, since);
            int64_t expected = since + (int64_t) mean;
            int64_t floor = now + (int64_t) (0.3 * mean);
            free_at = expected > floor ? expected : floor;
        }
        servers[nservers++] = (s_server_t){c, free_at, c->cycle, false};
    }
    //  The virtual new ticket stands behind everyone in its service's normal line.
    broker_ticket_t virt;
    if (!target) {
        memset (&virt, 0, sizeof virt);
        virt.id = hall->next_id;
        virt.service = vservice;
        virt.priority = PRIORITY_NORMAL;
        virt.issued_ms = now;
        virt.order_key = (int64_t) virt.id * BROKER_ORDER_GAP;
        target = &virt;
    }
    size_t cursor[BROKER_MAX_SERVICES][CLASS_COUNT];
    memset (cursor, 0, sizeof cursor);
    bool virt_taken = false;
    for (int picks = 0; picks < BROKER_ESTIMATE_HORIZON; picks++) {
        s_server_t *sv = NULL;
        for (int i = 0; i < nservers; i++)
            if (!servers[i].done && (!sv || servers[i].free_at < sv->free_at))
                sv = &servers[i];
        if (!sv)
            return -1;
        broker_candidate_t cands[BROKER_MAX_SERVICES * CLASS_COUNT];
        const broker_ticket_t *tickets[BROKER_MAX_SERVICES * CLASS_COUNT];
        int n = 0;
        for (int s = 0; s < cfg->nservices; s++) {
            if (!(sv->counter->services & (1u << s)))
                continue;
            for (int cls = 0; cls < CLASS_COUNT; cls++) {
                const broker_ticket_t *t = broker_queue_at (hall->queues[s][cls], cursor[s][cls]);
                if (!t && target == &virt && !virt_taken && s == vservice && cls == CLASS_NORMAL)
                    t = &virt;
                if (!t)
                    continue;
                cands[n] = (broker_candidate_t){s, (broker_class_t) cls, t->order_key, t->id,
                                                t->issued_ms};
                tickets[n++] = t;
            }
        }
        const char *reason;
        int64_t at = sv->free_at;
        const broker_profile_cfg_t *profile = &cfg->profiles[cfg->counters[sv->counter->cfg].profile];
        int pick = broker_policy_pick (profile, at, cands, n, &sv->cycle, &reason);
        if (pick < 0) {
            sv->done = true;
            continue;
        }
        const broker_ticket_t *t = tickets[pick];
        if (t == target)
            return at;
        if (t == &virt)
            virt_taken = true;
        else
            cursor[t->service][broker_priority_class (t->priority)]++;
        sv->free_at = at + (int64_t) broker_estimate_mean_ms_at (hall, t->service, at);
    }
    return -1;
}

int64_t
broker_estimate_sim_s (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t)
{
    int64_t at = s_simulate (hall, now, t, t->service);
    return at < 0 ? -1 : (at - now + 500) / 1000;
}

int64_t
broker_estimate_sim_new_s (const broker_hall_t *hall, int64_t now, int service)
{
    int64_t at = s_simulate (hall, now, NULL, service);
    return at < 0 ? -1 : (at - now + 500) / 1000;
}
