/*  broker_policy.c — see broker_policy.h. */
#include "broker_policy.h"

#include <stddef.h>

static const char *s_class_reason[CLASS_COUNT] = {"green", "appointment", "fifo"};

broker_ticket_t *
broker_policy_next (const broker_hall_t *hall, const broker_counter_t *counter,
                    const char **reason)
{
    for (int cls = 0; cls < CLASS_COUNT; cls++) {
        broker_ticket_t *best = NULL;
        for (int s = 0; s < hall->config->nservices; s++) {
            if (!(counter->services & (1u << s)))
                continue;
            broker_ticket_t *head = broker_queue_at (hall->queues[s][cls], 0);
            if (head
                && (!best || head->order_key < best->order_key
                    || (head->order_key == best->order_key && head->id < best->id)))
                best = head;
        }
        if (best) {
            if (reason)
                *reason = s_class_reason[cls];
            return best;
        }
    }
    if (reason)
        *reason = NULL;
    return NULL;
}
