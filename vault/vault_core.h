/*  vault_core.h — the cabinet controller's logic: slots, doors, codes, and the broker.

    Slot states (the state changes only on what the door and occupancy sensors report,
    never on a command alone):

        free ─reserve─► reserved ─door seen open─► deposit_open ─closed, occupied─► occupied
          ▲                                                     └─closed, empty──► free
          │        occupied ─code ok, pulse─► (pickup) ─door seen open─► pickup_open
          │                                                  ├─closed, empty────► free (collected)
          │                                                  └─closed, occupied─► occupied
          └──closed, empty── recovery_open ◄─staff, door open── overdue ◄─sync── occupied

    plus `disabled` (an uncommanded opening, until an administrator enables it) and alarms
    on a slot: ajar (open too long), jammed (an unlocked door never opened), board_offline.

    Every door command is journaled (and synced) before its frame is sent, every pulse
    saved before the board thread sends it; after a crash no door is pulsed again
    automatically: the start-up reconciliation reads every door and sensor and settles what
    they prove — a pickup whose slot is empty behind a closed door was collected, a deposit
    whose slot holds an item was deposited — cancels what they prove did not happen (the
    documents still there, the door never seen open), and raises an incident when they
    cannot tell (8A boards have no item sensor). While an operation waits, an empty slot
    behind a closed door is proof the documents were taken, even if the door's opening was
    never seen. Documents that vanish otherwise (through a forced door) are a missing-item
    incident, never booked as recovered by the inspection that finds the slot empty.

    Codes: the QR token of the ticket (the slip), or a proxy code (代领), or for staff a
    badge and then a case's code or number. The vault asks the broker (vault.pickup_check,
    vault.deposit_check); when the broker cannot be reached it decides pickups from its
    local records (hashes only), and queues every report in the outbox. Wrong codes lock
    the scanner out after N tries per window. */
#ifndef VAULT_CORE_H
#define VAULT_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "proto_client.h"
#include "vault_board.h"
#include "vault_config.h"
#include "vault_store.h"

typedef struct vault_core vault_core_t;

//  A controller for `config`, with its store and board driver (all borrowed) and a broker
//  client (borrowed; NULL runs it offline). Messages for the cabinet's screen go to `out`,
//  as text or, with `json`, one JSON object per line. Reads every door and reconciles with
//  them at once, then starts the board thread (vault_bus.h), which alone uses `board` until
//  vault_core_destroy. NULL if the thread cannot start.
vault_core_t *vault_core_new (const vault_config_t *config, vault_store_t *store,
                              vault_board_t *board, proto_client_t *broker, FILE *out, bool json);
void vault_core_destroy (vault_core_t **self_p);
//  A line from the scanner or the keypad: a code, a badge, or 4 digits of a second factor.
void vault_core_input (vault_core_t *self, const char *line);
//  Takes the doors' news from the board thread and runs timers, the outbox and the broker
//  sync. Call it at least every vault_core_wait_ms.
void vault_core_tick (vault_core_t *self);
//  Milliseconds until vault_core_tick should run again (the board thread keeps reading the
//  doors meanwhile, whatever this thread is doing).
int vault_core_wait_ms (const vault_core_t *self);
//  Current time in Unix ms (real clock).
int64_t vault_now_ms (void);

#endif
