/*  broker_rating.h — ratings (好差评, 国办发〔2019〕51号) and the rectification of bad ones.

    The citizen rates on five levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
    Two things are rated, each once: a visit (一次一评: a finished ticket, by the slip's QR
    code or on the counter's rating pad) and a case (一事一评: a concluded case, by the token
    of the slip it was taken in on, never on a pad). A visit's rating counts in the day's
    figures of its service (rating rate = rated / served, good-rating rate = (5 + 4) / rated);
    a case's is kept in the `ratings` database and counted in rating.list's figures.

    Levels 1 and 2 are bad ratings: each opens a rectification item (整改), whose life is

        received ──verify──► valid ──rectify──► rectified ──revisit──► closed
            │  ▲                                                  ▲
            │  └─verify (the body's finding)─ appealed            │
            └──verify──► invalid ─────────────revisit─────────────┘

    核实: a manager finds the rating true (`valid`), untrue (`invalid`, with the reason: a
    mistaken or malicious rating, which the rules let the hall leave out of its figures once
    reviewed) or disputes it before the supervising body (`appealed`, later verified valid or
    invalid on the body's finding). 整改: what was done. 回访: the rater is called back and
    told the outcome, and says whether they are satisfied (or cannot be reached). Only a 回访
    closes an item, an invalid one too: the rater is owed the answer either way. The whole
    life is due within `rectify_days` working days after the rating's date (copied into the
    item as `days`, so a later config change does not move it); an appeal does not stop it.

    On a CURVE broker only the counter's own rating pad rates by counter number: a device of
    role counter enrolled as 评价器N for counter N. Everyone else rates by the slip's token,
    which only the citizen holds. */
#ifndef BROKER_RATING_H
#define BROKER_RATING_H

#include "broker_ctx.h"

//  How long after a visit the counter's rating pad still rates it.
#define BROKER_PAD_WINDOW_MS (10 * 60000)
//  The enrolled name of counter N's rating pad is this followed by N: "评价器5".
#define BROKER_PAD_NAME "评价器"

//  Stages of a rectification item, as on the wire (`stage`, PROTOCOL.md 6.17).
#define BROKER_RATING_RECEIVED  "received"
#define BROKER_RATING_APPEALED  "appealed"
#define BROKER_RATING_VALID     "valid"
#define BROKER_RATING_INVALID   "invalid"
#define BROKER_RATING_RECTIFIED "rectified"
#define BROKER_RATING_CLOSED    "closed"

//  ticket.rate: a finished visit, or with case_no a concluded case, rated once.
int broker_h_ticket_rate (broker_ctx_t *ctx, const json_t *body);
//  rating.list: the rectification items (of one state), what each awaits, the figures.
int broker_h_rating_list (broker_ctx_t *ctx, const json_t *body);
//  rating.verify: 核实 of a bad rating: valid, invalid (reason) or appealed (reason).
int broker_h_rating_verify (broker_ctx_t *ctx, const json_t *body);
//  rating.rectify: 整改 of a verified bad rating: what was done.
int broker_h_rating_rectify (broker_ctx_t *ctx, const json_t *body);
//  rating.revisit: 回访 of the rater, with their response; closes the item.
int broker_h_rating_revisit (broker_ctx_t *ctx, const json_t *body);

//  After the calendar changed (broker_reload.h): recomputes the deadline of every
//  rectification not yet closed, `rectify_days` working days from the rating's local date,
//  and publishes rating.deadline_moved with `reason` for each that moved (a change of
//  `provisional` alone is saved without an event). Returns how many moved.
int broker_rating_recalendar (broker_ctx_t *ctx, const char *reason);

//  The counter's rating pad: remembers `t` as the visit that counter `counter` last
//  finished, so ticket.rate by counter rates it (within BROKER_PAD_WINDOW_MS).
void broker_rating_pad_set (broker_ctx_t *ctx, int counter, const broker_ticket_t *t);

#endif
