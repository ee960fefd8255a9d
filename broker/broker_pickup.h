/*  broker_pickup.h — pickup codes (取件码): the 8 digits a citizen types at a cabinet's
    keypad instead of scanning the slip.

    A result put in a cabinet (vault.deposited) gets a code: 8 random digits, unique among
    the results waiting in that cabinet (10^8 codes for a few dozen slots: a new one is
    drawn on the rare clash). It is kept in BROKER_DB_PICKUP_CODES under the cabinet id and
    the code, pointing to the case, while the result is there; collected or taken back
    (vault.collected, vault.recovered) the entry goes and the code opens nothing. The broker
    keeps it in clear, as it keeps tokens: the holder of the ticket's token reads it in
    ticket.status, and the cabinet gets only its hash in the pickup record
    (proto_token_pin_hash over the case number and the code, like a PIN). Who may see it,
    and why 8 digits with the second factor and the cabinet's lockout are enough: PROTOCOL.md
    6.18 and 12.

    Codes are per cabinet: the same 8 digits may name another result in another cabinet. */
#ifndef BROKER_PICKUP_H
#define BROKER_PICKUP_H

#include <stdbool.h>

#include "broker_ctx.h"

#define BROKER_PICKUP_DIGITS 8

//  A typed pickup code: 8 digits, with spaces or dashes between them as people group them
//  ("1234 5678") and what a keypad sends around them (Enter). Canonical into `out`; false
//  if `text` is not one.
bool broker_pickup_code_parse (const char *text, char out[BROKER_PICKUP_DIGITS + 1]);
//  Draws a code for case `case_no` going into `cabinet` and stores it (into `out`). An
//  entry left by a result no longer waiting there may be taken over. -1 with the failure
//  recorded if no free code is found (unheard of).
int broker_pickup_code_new (broker_ctx_t *ctx, const char *cabinet, const char *case_no,
                            char out[BROKER_PICKUP_DIGITS + 1]);
//  The pickup codes of the results in `cabinet`: {case number: code}. Caller owns it.
json_t *broker_pickup_codes_at (broker_ctx_t *ctx, const char *cabinet);
//  The code of case `c` in its cabinet (c.pickup.cabinet), into `out`; false if none.
bool broker_pickup_code_of (broker_ctx_t *ctx, const json_t *c, char out[BROKER_PICKUP_DIGITS + 1]);
//  The result of case `c` left its cabinet: its code opens nothing any more. Call while
//  c.pickup still names the cabinet.
void broker_pickup_code_drop (broker_ctx_t *ctx, const json_t *c);
//  The case that `code` (canonical) leads to at `cabinet`, or NULL with unknown_case.
//  Caller owns it.
json_t *broker_pickup_code_case (broker_ctx_t *ctx, const char *cabinet, const char *code);
//  Adds to each case view in `cases` whose result waits in a cabinet its code
//  (`pickup.code`), for ticket.status: the token's holder may see it (the token opens the
//  same door); no other view or event carries it.
void broker_pickup_show_codes (broker_ctx_t *ctx, json_t *cases);

#endif
