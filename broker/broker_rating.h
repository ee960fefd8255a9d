/*  broker_rating.h — ratings (好差评, 国办发〔2019〕51号).

    After a visit the citizen rates it on five levels: 5 非常满意, 4 满意, 3 基本满意,
    2 不满意, 1 非常不满意, by the slip's QR code or on the counter's rating pad. Levels 1 and
    2 are bad ratings: each opens a rectification item that must be verified, answered and
    fixed within `rectify_days` working days. The day's figures per service feed the rating
    rate (rated / served) and the good-rating rate ((5 + 4) / rated) on the dashboard. */
#ifndef BROKER_RATING_H
#define BROKER_RATING_H

#include "broker_ctx.h"

//  How long after a visit the counter's rating pad still rates it.
#define BROKER_PAD_WINDOW_MS (10 * 60000)

//  ticket.rate: a finished visit rated, by its token or on its counter's pad.
int broker_h_ticket_rate (broker_ctx_t *ctx, const json_t *body);
//  rating.list: the rectification items (of one state).
int broker_h_rating_list (broker_ctx_t *ctx, const json_t *body);
//  rating.rectify: a rectification item answered and closed.
int broker_h_rating_rectify (broker_ctx_t *ctx, const json_t *body);

//  After the calendar changed (broker_reload.h): recomputes the deadline of every
//  rectification not yet closed, `rectify_days` working days from the rating's local date,
//  and publishes rating.deadline_moved with `reason` for each that moved (a change of
//  `provisional` alone is saved without an event). Returns how many moved.
int broker_rating_recalendar (broker_ctx_t *ctx, const char *reason);

//  The counter's rating pad: remembers `t` as the visit that counter `counter` last
//  finished, so ticket.rate by counter rates it (within BROKER_PAD_WINDOW_MS).
void broker_rating_pad_set (broker_ctx_t *ctx, int counter, const broker_ticket_t *t);

#endif
