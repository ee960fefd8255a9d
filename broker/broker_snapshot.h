/*  broker_snapshot.h — what a viewer reads to build its copy of the hall (the Clone
    pattern): the hall's fixed description (hall.info), its whole live state with the last
    sequence number (hall.snapshot), and the journal's events from a sequence number on
    (events.range), with which a viewer that saw a gap catches up without a new snapshot. */
#ifndef BROKER_SNAPSHOT_H
#define BROKER_SNAPSHOT_H

#include "broker_ctx.h"

//  hall.info: services, counters, items, rules and the event endpoint.
int broker_h_hall_info (broker_ctx_t *ctx, const json_t *body);
//  hall.snapshot: every live ticket and counter, today's figures, cases and cabinets.
int broker_h_hall_snapshot (broker_ctx_t *ctx, const json_t *body);
//  events.range: journal events from a sequence number on (at most 1,000).
int broker_h_events_range (broker_ctx_t *ctx, const json_t *body);

#endif
