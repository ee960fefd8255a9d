/*  broker_policy.c — see broker_policy.h. */
#include "broker_policy.h"

#include <stdbool.h>
#include <stddef.h>

static bool
s_older (const broker_candidate_t *a, const broker_candidate_t *b)
{
    return a->order_key < b->order_key || (a->order_key == b->order_key && a->id < b->id);
}

//  The best of the candidates of one class by place in line, or -1.
static int
s_oldest_of (const broker_candidate_t *c, int n, broker_class_t cls)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (c[i].cls == cls && (best < 0 || s_older (&c[i], &c[best])))
            best = i;
    return best;
}

int
broker_policy_pick (const broker_profile_cfg_t *profile, int64_t now, const broker_candidate_t *c,
                    int n, int *cycle, const char **reason)
{
    if (n <= 0)
        return -1;
    //  1. Nobody waits past the maximum: the longest wait goes first, whatever its class.
    if (profile->max_wait_min > 0) {
        int64_t limit = (int64_t)profile->max_wait_min * 60000;
        int best = -1;
        for (int i = 0; i < n; i++)
            if (now - c[i].issued_ms >= limit &&
                (best < 0 || c[i].issued_ms < c[best].issued_ms ||
                 (c[i].issued_ms == c[best].issued_ms && s_older (&c[i], &c[best]))))
                best = i;
        if (best >= 0) {
            *reason = "max_wait";
            return best;
        }
    }
    //  2. Priority, within the ratio when one is set and both kinds wait.
    bool prio = false, norm = false;
    for (int i = 0; i < n; i++) {
        prio = prio || c[i].cls != CLASS_NORMAL;
        norm = norm || c[i].cls == CLASS_NORMAL;
    }
    bool want_prio = prio;
    if (prio && norm && profile->ratio_priority > 0 && profile->ratio_normal > 0) {
        int len = profile->ratio_priority + profile->ratio_normal;
        want_prio = (*cycle % len) < profile->ratio_priority;
        *cycle = (*cycle + 1) % len;
    }
    if (want_prio) {
        int g = s_oldest_of (c, n, CLASS_GREEN);
        if (g >= 0) {
            *reason = "green";
            return g;
        }
        *reason = "appointment";
        return s_oldest_of (c, n, CLASS_APPOINTMENT);
    }
    //  3. Everyone else: first come, first served, or by weighted wait.
    bool equal = true;
    int w0 = -1;
    for (int i = 0; i < n; i++)
        if (c[i].cls == CLASS_NORMAL) {
            int w = profile->weight[c[i].service];
            if (w0 >= 0 && w != w0)
                equal = false;
            w0 = w;
        }
    if (equal) {
        *reason = "fifo";
        return s_oldest_of (c, n, CLASS_NORMAL);
    }
    int best = -1;
    double best_score = 0;
    for (int i = 0; i < n; i++) {
        if (c[i].cls != CLASS_NORMAL)
            continue;
        double wait = (double)(now - c[i].issued_ms);
        double score =
            (wait > 0 ? wait : 0) * profile->weight[c[i].service] + profile->weight[c[i].service];
        if (best < 0 || score > best_score || (score == best_score && s_older (&c[i], &c[best]))) {
            best = i;
            best_score = score;
        }
    }
    *reason = "weight";
    return best;
}

broker_ticket_t *
broker_policy_next (const broker_hall_t *hall, broker_counter_t *counter, int64_t now,
                    const char **reason)
{
    broker_candidate_t cands[BROKER_MAX_SERVICES * CLASS_COUNT];
    broker_ticket_t *tickets[BROKER_MAX_SERVICES * CLASS_COUNT];
    int n = 0;
    for (int s = 0; s < hall->config->nservices; s++) {
        if (!(counter->services & (1u << s)))
            continue;
        for (int cls = 0; cls < CLASS_COUNT; cls++) {
            broker_ticket_t *t = broker_queue_at (hall->queues[s][cls], 0);
            if (!t)
                continue;
            cands[n] =
                (broker_candidate_t){s, (broker_class_t)cls, t->order_key, t->id, t->issued_ms};
            tickets[n++] = t;
        }
    }
    const broker_profile_cfg_t *profile =
        &hall->config->profiles[hall->config->counters[counter->cfg].profile];
    const char *why = NULL;
    int i = broker_policy_pick (profile, now, cands, n, &counter->cycle, &why);
    if (reason)
        *reason = i < 0 ? NULL : why;
    return i < 0 ? NULL : tickets[i];
}
