/*  vault_bus.h — the board thread: one thread owns the lock-board line (vault_board.h), so
    no wait on the serial line (a silent board costs timeout × tries, a real 8A board answers
    an open a second later) ever holds up the control loop, and the doors are read at their
    period whatever the control loop is doing (decoding camera frames, waiting for the
    broker).

    It reads the doors in rounds: each board that has slots (8A: one query per slot's lock,
    so a 12-lock board is never asked about lock 13; CU16: one status request per board),
    one round every poll period, start to start. A round cannot be shorter than its wire time
    (vault_config_round_us); vault_bus_new warns when the configured period is shorter. An
    unlock asked for goes out before the next door read (between two locks of an 8A board).

    The control loop gets, in order, through vault_bus_next: a board's reading whenever
    something in it changed (so a door that opened and closed between two looks of the
    control loop is still seen open, then closed), and the result of every unlock.

    Offline verdicts: a lock (8A) or a board (CU16) that misses VAULT_BUS_MISSES rounds in a
    row is reported offline — one late reply on a busy machine is not a dead board. It is
    then asked with one try a round instead of `tries`, so a dead board does not slow the
    others; its first answer reports it back. */
#ifndef VAULT_BUS_H
#define VAULT_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vault_board.h"
#include "vault_config.h"

#define VAULT_BUS_MISSES 3 //  rounds without an answer before a lock or board is offline

typedef struct vault_bus vault_bus_t;

typedef enum {
    VAULT_BUS_READING, //  a board's doors and sensors changed
    VAULT_BUS_UNLOCKED //  an unlock was sent: acknowledged or not
} vault_bus_kind_t;

//  What the board thread reports. Bits are (lock - 1).
typedef struct {
    vault_bus_kind_t kind;
    int board;          //  the board
    int lock;           //  UNLOCKED: the lock pulsed
    int rc;             //  UNLOCKED: 0 acknowledged, -1 not (error says why)
    uint32_t open;      //  READING: doors open (the last answer of each lock)
    uint32_t occupied;  //  READING: items present (CU16)
    uint32_t known;     //  READING: locks that answered at least once
    uint32_t offline;   //  READING: locks without an answer for VAULT_BUS_MISSES rounds
    bool has_occupancy; //  READING: the board has infrared sensors (CU16)
    char error[200];    //  the driver's last failure (offline locks, a failed unlock)
} vault_bus_event_t;

//  A bus for the slots of `config` on `board` (both borrowed; the board is the bus's alone
//  from vault_bus_start until vault_bus_destroy). Logs a warning if config->poll_ms is
//  shorter than a round's wire time. NULL on out-of-memory.
vault_bus_t *vault_bus_new (vault_board_t *board, const vault_config_t *config);
//  Stops the thread (after the request under way), frees the bus, sets *self_p to NULL.
void vault_bus_destroy (vault_bus_t **self_p);
//  Reads every board once in the caller's thread, queuing the readings: the start-up look
//  at the doors, before anything is pulsed. With `unlock_in_flight` (the last run may have
//  died waiting for an unlock's answer) it first waits out that answer (the configured
//  unlock timeout), so a late reply is not taken for a door's state. Only before
//  vault_bus_start.
void vault_bus_first_round (vault_bus_t *self, bool unlock_in_flight);
//  Starts the thread. 0 / -1.
int vault_bus_start (vault_bus_t *self);
//  Asks for one unlock pulse; the result comes back as a VAULT_BUS_UNLOCKED event.
void vault_bus_unlock (vault_bus_t *self, int board, int lock);
//  The next event, oldest first: true with `out` filled, false if there is none.
bool vault_bus_next (vault_bus_t *self, vault_bus_event_t *out);

#endif
