/*  broker_snapshot.h — what a viewer reads to build its copy of the hall (the Clone
    pattern): the hall's fixed description (hall.info), its whole live state with the last
    sequence number (hall.snapshot), and the journal's events from a sequence number on
    (events.range), with which a viewer that saw a gap catches up without a new snapshot. */
#ifndef BROKER_SNAPSHOT_H
#define BROKER_SNAPSHOT_H

#include "broker_ctx.h"

//  Calendar days a case accepted today may need beyond its longest clock before the
//  published calendar is said to run short: two months for next year's notice to come out.
#define BROKER_CALENDAR_MARGIN_DAYS 60

//  hall.info: services, counters, items, rules, the calendar and the event endpoint.
int broker_h_hall_info (broker_ctx_t *ctx, const json_t *body);
//  hall.info's `calendar`: how far the published year files reach from today (the
//  broker's clock), and a `warning` (else null) when they end before the hall's longest
//  clock (statutory limit + extension) plus BROKER_CALENDAR_MARGIN_DAYS. Caller owns it.
json_t *broker_snapshot_calendar (broker_ctx_t *ctx);
//  hall.snapshot: every live ticket and counter, today's figures, cases and cabinets.
int broker_h_hall_snapshot (broker_ctx_t *ctx, const json_t *body);
//  The roles that read the journal's people (masked): the counters, the back office, the
//  manager's monitor and the administrator. Every other role (kiosk, board, cabinet, web
//  gateway) reads events as a public page would show them (PROTOCOL.md 12).
#define BROKER_STAFF_ROLES (R_COUNTER | R_OFFICE | R_MONITOR | R_ADMIN)

//  events.range: journal events from a sequence number on (at most 1,000), each as the
//  sender's role may read it: staff's view with every person masked (a journal written
//  before masking holds whole names), the public one without any person in it.
int broker_h_events_range (broker_ctx_t *ctx, const json_t *body);

#endif
