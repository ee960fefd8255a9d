/*  broker_vault.h — the broker's side of the smart document cabinet (智能柜).

    The cabinet controller (onewindow-vault) is the truth about doors and slots; the broker
    is the truth about cases. The vault asks before it opens a door (vault.deposit_check,
    vault.pickup_check) and reports what the door sensors saw afterwards (vault.deposited,
    vault.collected, vault.recovered, vault.report), each through its outbox so every
    report arrives exactly once even across network loss and crashes; it pulls its work
    (pickup records and staff commands) with vault.sync. Codes are kept in the vault only
    as BLAKE2b hashes, so a stolen controller leaks no pickup code.

    A case with a physical result goes awaiting_pickup -> ready_for_pickup (deposited in a
    slot; the citizen is notified) -> collected (the door closed on an empty slot), or
    back to awaiting_pickup when staff recover an uncollected result from the cabinet.

    Notifications (SMS) are queued in the store with the change that causes them and
    handed to the sender after the commit: a JSON line per message in the --notify-log
    file (the adapter to a real SMS gateway reads it), and a masked log line. */
#ifndef BROKER_VAULT_H
#define BROKER_VAULT_H

#include "broker_handlers.h"

//  Queues a notification to the case's applicant (if a phone is known).
void broker_notify (broker_ctx_t *ctx, const json_t *c, const char *kind, const char *text);
//  Raises pickup_overdue for a result left in a cabinet too long (once), with a reminder.
//  Called by the daily case sweep. Returns true if the case changed.
bool broker_vault_overdue (broker_ctx_t *ctx, json_t *c);
//  Every cabinet as it last reported (vault.report). Caller owns it.
json_t *broker_vault_cabinets (broker_ctx_t *ctx);

#endif
