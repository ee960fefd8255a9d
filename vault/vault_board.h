/*  vault_board.h — the lock-board driver: one serial line (RS485 through a USB adapter, or
    the simulator's pseudo-terminal), one or more boards of one frame family on it.

    Every request is: flush stale input, send one frame, wait up to the timeout for the reply
    that matches it (same board, same lock where the reply names one, the expected command),
    ignoring unsolicited frames and garbage; on a timeout or a corrupt reply, send again, up to
    `tries` times. A call therefore never blocks longer than timeout × tries (status of an 8A
    board is one request per lock, each bounded alike; it stops at the first lock that does
    not answer). Nothing the line delivers can crash the driver.

    Addresses are checked against each family's address space before anything is sent: 8A
    boards 1..64 (01..40 hex on the vendor sheet), locks 1..32; CU16 boards 1..15 (DIP 0..14),
    locks 1..16 — board 16 (DIP 15) is refused, because its status request and its lock 1
    would carry ADDR F0, the bus broadcast address. After every CU16 unlock the driver sends
    `02 AA 38 03 SS` to clear the board's BUSY state, as the public KR-CU16 module does.

    Not thread-safe: one thread owns a vault_board_t (in the vault, the board thread of
    vault_bus.h). */
#ifndef VAULT_BOARD_H
#define VAULT_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vault_frame.h"

typedef struct vault_board vault_board_t;

//  Opens the serial device `path` (raw, 8N1, `baud`, CLOCAL, no flow control) for boards
//  speaking `proto`. Baud: 1200 2400 4800 9600 19200 38400 57600 115200. Takes an advisory
//  lock (flock) so two programs cannot drive one line. NULL on failure, with the reason in
//  `err` (may be NULL). Caller closes it.
vault_board_t *vault_board_open (const char *path, int baud, vault_proto_t proto, char *err,
                                 size_t err_size);
//  Closes the line and frees the driver; sets *self_p to NULL. Safe on NULL.
void vault_board_close (vault_board_t **self_p);

//  Reply timeout per try (ms, at least 1) and tries per request (at least 1). Default 150 ms,
//  3 tries.
void vault_board_set_timeout (vault_board_t *self, int timeout_ms, int tries);
//  Reply timeout per try of an unlock only (ms); 0 = the timeout above. Default 1500 ms on
//  8A lines (real 8A boards reply to an open after the lock has moved, about a second
//  later), 0 on CU16 lines.
void vault_board_set_unlock_timeout (vault_board_t *self, int timeout_ms);
//  Locks per 8A board read by vault_board_status (1..32, default 24). CU16 boards have 16.
void vault_board_set_locks (vault_board_t *self, int nlocks);
//  Locks of one 8A board (1..32; 0 = the count above), for a cabinet of mixed boards: a
//  12-lock board is not asked about locks 13..24, which would never answer.
void vault_board_set_board_locks (vault_board_t *self, int board, int nlocks);
//  Locks vault_board_status reads on `board`.
int vault_board_locks (const vault_board_t *self, int board);
//  For 8A boards whose door switches are wired the other way round: a query reply of 00
//  then means open and 11 closed. Default false (11 = open).
void vault_board_set_inverted (vault_board_t *self, bool inverted);

//  Pulses one lock. 0 when the board acknowledged; -1 when it did not (no reply after all
//  tries, corrupt replies, or bad arguments), within unlock timeout × tries (CU16: plus the
//  BUSY clear's wait, at most one status timeout). Says nothing about the door either way: the
//  caller reads status. A try that timed out may have reached the board, so a lock can be pulsed
//  more than once by one call (harmless: an open door stays open).
int vault_board_unlock (vault_board_t *self, int board, int lock);
//  Listens for `ms` and throws away whatever arrives: after a restart, the answer to an
//  unlock sent before the crash may still be on its way, and an 8A board answers an open
//  with the very bytes of a query's reply (`80 BB LL SS`), which would be taken for the
//  door's state now.
void vault_board_drain (vault_board_t *self, int ms);
//  Reads one door of an 8A board (`80 BB LL 33`): 0 with *open set, or -1 (no answer, or a
//  CU16 line, whose status comes a board at a time).
int vault_board_query (vault_board_t *self, int board, int lock, bool *open);

//  Doors and sensors of one board. Bits are (lock - 1).
typedef struct {
    int nlocks;         //  locks reported
    uint32_t open;      //  door open (8A: the door switch; CU16: the lock hook not latched)
    uint32_t occupied;  //  item present (infrared); 0 when the board has no sensors
    bool has_occupancy; //  true for CU16 boards
} vault_board_status_t;

//  Reads every door (and occupancy sensor) of `board`. 0, or -1 if the board did not answer
//  (`out` is then zeroed). For 8A boards this is one query per lock (locks 1..
//  vault_board_locks), stopping at the first that does not answer: the "all locks" query
//  form differs between board models, the per-lock form does not.
int vault_board_status (vault_board_t *self, int board, vault_board_status_t *out);

//  The last failure in words ("board 2: no reply to status after 3 tries of 150 ms").
const char *vault_board_error (const vault_board_t *self);

//  Counters since open, for diagnostics.
typedef struct {
    uint64_t sent;      //  request frames written (BUSY clears included)
    uint64_t cleared;   //  BUSY clears (CU16 `38`) written after unlocks
    uint64_t replies;   //  replies that matched a request
    uint64_t timeouts;  //  tries that ended with no matching reply
    uint64_t bad;       //  corrupt candidate frames (wrong check byte or ETX)
    uint64_t unmatched; //  valid frames that answered nothing we asked
    uint64_t discarded; //  bytes thrown away (garbage, stale input, corrupt frames)
    uint64_t reopened;  //  times the line was reopened after a hang-up or I/O error
} vault_board_counters_t;

//  Copies the counters into `out`.
void vault_board_counters (const vault_board_t *self, vault_board_counters_t *out);

#endif
