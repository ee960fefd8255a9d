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

    Codes: the QR token of the ticket (the slip), or a proxy code (代领), from the citizens'
    scanner or camera; for staff, from the staff reader only, an enrolled badge
    (vault_badge.h), then a case's QR code to deposit it or, with the badge holder's PIN,
    to recover it; never a case number. The vault asks the broker (vault.pickup_check,
    vault.deposit_check); when the broker cannot be reached it decides pickups from its
    local records (hashes only), and queues every report in the outbox. Wrong codes are
    counted per source, each distinct code once per window: N of them lock that source out
    (the others keep working), and the count and the lockout are kept in the store across
    a restart (docs/CABINET.md). */
#ifndef VAULT_CORE_H
#define VAULT_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "proto_client.h"
#include "proto_qr.h"
#include "vault_badge.h"
#include "vault_board.h"
#include "vault_config.h"
#include "vault_store.h"

typedef struct vault_core vault_core_t;

//  Where a code comes from. Each source has its own wrong-code count and lockout.
typedef enum {
    VAULT_SRC_SCANNER, //  the citizens' scanner and keypad: lines
    VAULT_SRC_CAMERA,  //  the citizens' camera: codes found in frames
    VAULT_SRC_STAFF,   //  the staff reader: a badge, a case's QR code, for a recovery a PIN
    VAULT_SRC_COUNT
} vault_source_t;

//  A controller for `config`, with its store and board driver (all borrowed) and a broker
//  client (borrowed; NULL runs it offline). Messages for the cabinet's screen go to `out`,
//  as text or, with `json`, one JSON object per line. Reads every door and reconciles with
//  them at once, then starts the board thread (vault_bus.h), which alone uses `board` until
//  vault_core_destroy. NULL if the thread cannot start.
vault_core_t *vault_core_new (const vault_config_t *config, vault_store_t *store,
                              vault_board_t *board, proto_client_t *broker, FILE *out, bool json);
void vault_core_destroy (vault_core_t **self_p);
//  The staff badges the staff reader takes (borrowed; NULL: none, the staff path is closed).
void vault_core_set_badges (vault_core_t *self, vault_badges_t *badges);
//  A line from `source`: from the scanner a code or, when the screen asks for it, 4
//  characters of the second factor; from the staff reader a badge, then a case's QR code,
//  then for a recovery the badge holder's PIN. A badge anywhere else is a wrong code.
void vault_core_input (vault_core_t *self, vault_source_t source, const char *line);
//  Codes the camera saw (vault_camera_take). A code acted on is not acted on again while it
//  stays in view; of several, a pickup code is taken and codes of other kinds are ignored.
void vault_core_codes (vault_core_t *self, const proto_qr_codes_t *codes);
//  Takes the doors' news from the board thread and runs timers, the outbox and the broker
//  sync. Call it at least every vault_core_wait_ms.
void vault_core_tick (vault_core_t *self);
//  Milliseconds until vault_core_tick should run again (the board thread keeps reading the
//  doors meanwhile, whatever this thread is doing).
int vault_core_wait_ms (const vault_core_t *self);
//  Current time in Unix ms (real clock).
int64_t vault_now_ms (void);

#endif
