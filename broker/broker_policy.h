/*  broker_policy.h — which ticket a counter calls next.

    The foundation policy, in order:
      1. the green channel (green and elderly tickets) of every service the counter opened;
      2. appointments;
      3. everyone else, first come first served across the counter's services.
    Within a class the oldest place in line wins (order key, then id), so a transferred
    ticket keeps its original place in time. The choice and its reason ("green",
    "appointment", "fifo") travel on the ticket.called event. The calling-policy issue
    extends this module with per-counter work profiles, ratios and max-wait escalation. */
#ifndef BROKER_POLICY_H
#define BROKER_POLICY_H

#include "broker_hall.h"

//  The ticket `counter` should call next, or NULL if nobody waits for its services.
//  `*reason` is set to a static string naming the rule that chose it.
broker_ticket_t *broker_policy_next (const broker_hall_t *hall, const broker_counter_t *counter,
                                     const char **reason);

#endif
