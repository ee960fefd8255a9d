/*  broker_vault.h — results handed out (出件): at a counter, and the broker's side of the
    smart document cabinet (智能柜).

    The cabinet controller (onewindow-vault) is the truth about doors and slots; the broker
    is the truth about cases. The vault asks before it opens a door (vault.deposit_check,
    vault.pickup_check) and reports what the door sensors saw afterwards (vault.deposited,
    vault.collected, vault.recovered, vault.report), each through its outbox so every
    report arrives exactly once even across network loss and crashes; it pulls its work
    (pickup records and staff commands) with vault.sync. Codes are kept in the vault only
    as BLAKE2b hashes, so a stolen controller leaks no pickup code.

    Besides the slip's QR code, a result in a cabinet has a pickup code (取件码): 8 random
    digits made when the door closes on it (vault.deposited), unique among the results
    waiting in that cabinet, for a citizen who has no slip or cannot scan: typed at the
    cabinet's keypad, with the second factor after it as for a scan. The holder of the
    token reads it in ticket.status (the status page shows it); the cabinet gets only its
    hash (pickup_code_hash in the pickup record), and it opens nothing once the result is
    collected or taken back (vault.recovered): broker_pickup.h.

    A case with a physical result goes awaiting_pickup -> ready_for_pickup (deposited in a
    slot; the citizen is notified) -> collected (the door closed on an empty slot), or
    back to awaiting_pickup when staff recover an uncollected result from the cabinet; or
    awaiting_pickup -> collected at a counter (case.hand_out).

    Who may collect: the applicant, or a proxy the applicant authorised (代领: a code of
    their own, and the proxy's document when given). The cabinet asks a second factor
    besides the code, on unless the item opts out (pickup_pin): the last 4 characters of
    the applicant's ID document number, which no masked view shows. A case without a
    personal document number (a company's, by its USCC alone, which is public) cannot go
    into a cabinet that must ask one: it is handed out at a counter. Every collection
    record names what was checked: the collector (applicant, proxy, other), the document's
    type and number (masked in events), and at a cabinet the factor.

    The applicant hears of a deposit and of an overdue result through the notices that
    follow those case events (broker_notify.h). */
#ifndef BROKER_VAULT_H
#define BROKER_VAULT_H

#include "broker_ctx.h"

//  vault.deposit_check: may this code's result go into a slot now? (the staff's scan)
int broker_h_vault_deposit_check (broker_ctx_t *ctx, const json_t *body);
//  vault.deposited: the door closed on the result; the citizen is notified.
int broker_h_vault_deposited (broker_ctx_t *ctx, const json_t *body);
//  vault.pickup_check: may this code open a door here? (the citizen's scan)
int broker_h_vault_pickup_check (broker_ctx_t *ctx, const json_t *body);
//  vault.collected: the door closed on an empty slot.
int broker_h_vault_collected (broker_ctx_t *ctx, const json_t *body);
//  vault.recovered: staff took an uncollected result back to the counter.
int broker_h_vault_recovered (broker_ctx_t *ctx, const json_t *body);
//  case.hand_out: a result awaiting pickup handed out at a counter, with the document
//  checked.
int broker_h_case_hand_out (broker_ctx_t *ctx, const json_t *body);
//  case.authorize_proxy: a proxy pickup code (代领) for someone else.
int broker_h_case_authorize_proxy (broker_ctx_t *ctx, const json_t *body);
//  vault.report: the cabinet's slots as its sensors see them, and any alarm.
int broker_h_vault_report (broker_ctx_t *ctx, const json_t *body);
//  vault.sync: the cabinet's pending commands and the pickups it must know.
int broker_h_vault_sync (broker_ctx_t *ctx, const json_t *body);
//  vault.command_done: a command carried out (or failed) by the cabinet.
int broker_h_vault_command_done (broker_ctx_t *ctx, const json_t *body);
//  vault.deposit_request: staff ask the cabinet to open a slot for a result.
int broker_h_vault_deposit_request (broker_ctx_t *ctx, const json_t *body);
//  vault.remote_open: staff open a slot from afar, with a reason.
int broker_h_vault_remote_open (broker_ctx_t *ctx, const json_t *body);
//  vault.status: the cabinets as they last reported.
int broker_h_vault_status (broker_ctx_t *ctx, const json_t *body);

//  Raises pickup_overdue for a result left in a cabinet too long (once), with a reminder.
//  Called by the daily case sweep (broker_timers.h). True if the case changed (the caller
//  saves it).
bool broker_vault_overdue (broker_ctx_t *ctx, json_t *c);
//  Every cabinet as it last reported (vault.report). Caller owns it.
json_t *broker_vault_cabinets (broker_ctx_t *ctx);

#endif
