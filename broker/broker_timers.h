/*  broker_timers.h — what happens on the broker's clock rather than on a request: a new
    business day (tickets expire, counters close), grace periods that run out, bookings
    that become no-shows, and once a calendar day the case sweep (deadline warnings, and
    results left in a cabinet too long).

    The server runs the timers in the batch's transaction, before and after its requests;
    clock.advance (broker_admin.h) runs them at once at the new time. Each module keeps its
    own timer (broker_ticket_timers, broker_appt_timers, broker_case_warn,
    broker_vault_overdue); this is where they are called from. */
#ifndef BROKER_TIMERS_H
#define BROKER_TIMERS_H

#include "broker_ctx.h"

//  Runs every timer that is due at ctx->now.
void broker_timers (broker_ctx_t *ctx);
//  When the next timer is due (Unix ms on the broker's clock).
int64_t broker_timers_next (const broker_hall_t *hall, int64_t now);

#endif
