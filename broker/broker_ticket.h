/*  broker_ticket.h — tickets and counters: the kiosk issues, the counter calls, serves,
    parks, transfers and finishes, and the business day ends.

    The ticket and counter life is in broker_hall.h; the choice of the next ticket in
    broker_policy.h; the estimates printed on a slip in broker_estimate.h. A finished
    visit is remembered for the counter's rating pad (broker_rating.h); a ticket's status
    lists the cases opened from its QR code (broker_case.h). */
#ifndef BROKER_TICKET_H
#define BROKER_TICKET_H

#include "broker_ctx.h"

//  ticket.issue: a new ticket of a service with a priority, its slip as the reply.
int broker_h_ticket_issue (broker_ctx_t *ctx, const json_t *body);
//  ticket.status: a ticket by its QR code, with its place in line and its cases.
int broker_h_ticket_status (broker_ctx_t *ctx, const json_t *body);
//  ticket.cancel: the holder gives up a waiting, parked or missed-in-grace ticket.
int broker_h_ticket_cancel (broker_ctx_t *ctx, const json_t *body);
//  ticket.requeue: a missed ticket back in line within its grace period.
int broker_h_ticket_requeue (broker_ctx_t *ctx, const json_t *body);
//  counter.login: opens a counter (or changes its services and clerk).
int broker_h_counter_login (broker_ctx_t *ctx, const json_t *body);
//  counter.pause: a counter holding no ticket steps away.
int broker_h_counter_pause (broker_ctx_t *ctx, const json_t *body);
//  counter.resume: a paused counter is open again.
int broker_h_counter_resume (broker_ctx_t *ctx, const json_t *body);
//  counter.logout: closes a counter holding no ticket.
int broker_h_counter_logout (broker_ctx_t *ctx, const json_t *body);
//  ticket.call_next: the counter calls the ticket the policy picks.
int broker_h_ticket_call_next (broker_ctx_t *ctx, const json_t *body);
//  ticket.call_specific: the counter calls a waiting ticket by its number.
int broker_h_ticket_call_specific (broker_ctx_t *ctx, const json_t *body);
//  ticket.park: the counter sets its ticket aside (挂起).
int broker_h_ticket_park (broker_ctx_t *ctx, const json_t *body);
//  ticket.unpark: the counter calls a parked ticket back.
int broker_h_ticket_unpark (broker_ctx_t *ctx, const json_t *body);
//  ticket.recall: the counter calls its called ticket again.
int broker_h_ticket_recall (broker_ctx_t *ctx, const json_t *body);
//  ticket.missed: the called citizen did not come (过号), by the configured rule.
int broker_h_ticket_missed (broker_ctx_t *ctx, const json_t *body);
//  ticket.start: the citizen arrived; service starts.
int broker_h_ticket_start (broker_ctx_t *ctx, const json_t *body);
//  ticket.finish: service done; the time is learned for the estimates.
int broker_h_ticket_finish (broker_ctx_t *ctx, const json_t *body);
//  ticket.transfer: the ticket goes on waiting in another service.
int broker_h_ticket_transfer (broker_ctx_t *ctx, const json_t *body);

//  Issues a ticket (numbering, token, estimates, event) with ctx->reply set to the slip's
//  content. The ticket, or NULL with the failure recorded. Preconditions checked by the
//  caller: nothing is changed unless it succeeds.
broker_ticket_t *broker_issue (broker_ctx_t *ctx, int service, broker_priority_t priority);
//  What a ticket of each service taken at ctx->now would wait, by the simulated estimate:
//  {prefix: seconds, or null when no open counter will reach it}. Caller owns it.
json_t *broker_ticket_estimates (const broker_ctx_t *ctx);
//  The ticket timers due at ctx->now: a new business day (yesterday's tickets expire,
//  counters close) and grace periods that ran out.
void broker_ticket_timers (broker_ctx_t *ctx);

#endif
