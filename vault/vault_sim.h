/*  vault_sim.h — a simulated cabinet behind a serial line: N lock boards of M locks, each
    lock with a door, a door sensor, an infrared occupancy sensor, and a person who uses them.
    The model only: frames in, reply bytes out through a writer, control lines in, reply
    lines out; time is passed in, so it never reads a clock. onewindow-boardsim
    (vault_boardsim.c) puts it on a pseudo-terminal and a control socket.

    Doors: an unlock pulse opens a closed door (unless jammed); the lock latches again when
    the door is closed. A door can also be opened without a command (forced). With auto mode,
    a person closes every door opened by a pulse `auto_ms` later, having put an item into an
    empty slot or taken the item from a full one at half time.

    Faults, per lock or (lock 0) per board, from --fault KIND:B:L or `fault B L KIND`:
        jam          the door does not open on a pulse; the board still acknowledges
        ajar         the auto person never closes this door
        silent       no reply at all (lock 0: the whole board; lock L: frames naming lock L)
        corrupt      replies carry a wrong check byte
        corrupt-once the next reply carries a wrong check byte, then the fault clears
        garbage      random bytes are written before each reply
        uncommanded  the door opens now without a command (not kept as a fault)
    Reply faults (silent, corrupt, corrupt-once, garbage) set on lock L apply to frames that
    name lock L; a CU16 status request names lock 1 (address nibble 0), so for CU16 set them
    on lock 0. */
#ifndef VAULT_SIM_H
#define VAULT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vault_frame.h"

#define VAULT_SIM_FAULTS(X)          \
    X (JAM, "jam")                   \
    X (AJAR, "ajar")                 \
    X (SILENT, "silent")             \
    X (CORRUPT, "corrupt")           \
    X (CORRUPT_ONCE, "corrupt-once") \
    X (GARBAGE, "garbage")           \
    X (UNCOMMANDED, "uncommanded")

typedef enum {
#define X(id, name) VAULT_SIM_FAULT_##id,
    VAULT_SIM_FAULTS (X)
#undef X
        VAULT_SIM_FAULT_COUNT
} vault_sim_fault_t;

typedef struct vault_sim vault_sim_t;

//  Receives bytes the simulated boards put on the line.
typedef void (vault_sim_writer_fn) (void *arg, const uint8_t *data, size_t size);

//  A cabinet of `boards` boards of `locks` locks speaking `proto` (8A: 1..255 boards, 1..32
//  locks; CU16: 1..16 boards, 1..16 locks). auto_ms 0 = no auto person. `seed` drives the
//  garbage bytes. Replies go to `writer`. NULL on bad sizes or out-of-memory. Caller owns it.
vault_sim_t *vault_sim_new (vault_proto_t proto, int boards, int locks, int auto_ms, uint32_t seed,
                            vault_sim_writer_fn *writer, void *writer_arg);
//  Destroys the cabinet and sets *self_p to NULL. Safe on NULL.
void vault_sim_destroy (vault_sim_t **self_p);
//  Logs one line per frame received and sent (through proto_log).
void vault_sim_set_verbose (vault_sim_t *self, bool verbose);

//  Bytes from the driver, at time `now_ms`; replies are written at once. Any bytes at all.
void vault_sim_input (vault_sim_t *self, const uint8_t *data, size_t size, int64_t now_ms);
//  Runs the auto person's due actions.
void vault_sim_tick (vault_sim_t *self, int64_t now_ms);
//  When vault_sim_tick next has something to do (ms), or -1 if never.
int64_t vault_sim_deadline (const vault_sim_t *self);

//  Applies a fault spec "KIND:B:L" (L 0 = whole board). 0, or -1 with the reason in `err`.
int vault_sim_fault_spec (vault_sim_t *self, const char *spec, int64_t now_ms, char *err,
                          size_t err_size);

//  Runs one control line (see docs/LOCKBOARDS.md): close B L, open B L, put B L, take B L,
//  state, fault B L KIND, clear B L [KIND], noise N, quit. Returns the reply line without a
//  newline ("ok", "error <why>", or the state JSON); caller frees. *quit is set by `quit`.
char *vault_sim_control (vault_sim_t *self, const char *line, int64_t now_ms, bool *quit);

//  Every door, sensor, fault and counter as one line of JSON; caller frees.
char *vault_sim_state_json (const vault_sim_t *self);

#endif
