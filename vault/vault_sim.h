/*  vault_sim.h — a simulated cabinet behind a serial line: N lock boards of M locks, each
    lock with a door, a door sensor, an infrared occupancy sensor, and a person who uses them.
    The model only: frames in, reply bytes out through a writer, control lines in, reply
    lines out; time is passed in, so it never reads a clock. onewindow-boardsim
    (vault_boardsim.c) puts it on a pseudo-terminal and a control socket.

    Timing, as real boards have it: a reply leaves only after the request's bytes and its own
    have crossed the line (bytes × 10 bits / baud; one reply at a time), and an unlock is
    answered `open_ms` later (8A: about a second, when the lock has moved; the sheet's reply
    is `80 BB LL SS`, the door's state). Replies therefore come out of vault_sim_tick, at
    vault_sim_deadline. The lock moves when the frame arrives.

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
    on lock 0.

    CU16 BUSY: an unlock leaves the board busy until a `38` frame clears it; the state shows
    it (`busy`, `clears` per board). What a real board left busy does is not documented (the
    public KR-CU16 module only says it gets stuck), so nothing else depends on it. */
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

//  A cabinet of `boards` boards of `locks` locks speaking `proto` (8A: 1..64 boards, 1..32
//  locks; CU16: 1..15 boards, 1..16 locks). auto_ms 0 = no auto person. `seed` drives the
//  garbage bytes. Replies go to `writer`. Timing: the family's factory baud rate (8A 9600,
//  CU16 19200) and unlock reply delay (8A 1000 ms, CU16 none). NULL on bad sizes or
//  out-of-memory. Caller owns it.
vault_sim_t *vault_sim_new (vault_proto_t proto, int boards, int locks, int auto_ms, uint32_t seed,
                            vault_sim_writer_fn *writer, void *writer_arg);
//  Destroys the cabinet and sets *self_p to NULL. Safe on NULL.
void vault_sim_destroy (vault_sim_t **self_p);
//  Logs one line per frame received and sent (through proto_log).
void vault_sim_set_verbose (vault_sim_t *self, bool verbose);
//  Gives `board` fewer locks than the others (1..locks), for a cabinet of mixed boards.
//  0 / -1.
int vault_sim_set_board_locks (vault_sim_t *self, int board, int locks);
//  The line's speed (0: replies come at once) and how long an unlock takes to be answered.
void vault_sim_set_timing (vault_sim_t *self, int baud, int open_ms);
//  8A boards acknowledge an open with its echo `8A BB LL 11` (as some public client code
//  expects) instead of the vendor sheet's `80 BB LL SS`.
void vault_sim_set_ack_echo (vault_sim_t *self, bool echo);
//  Counts bytes that arrived at another baud rate than the boards': a board sees only
//  framing errors then and answers nothing.
void vault_sim_misframed (vault_sim_t *self, size_t bytes);

//  Bytes from the driver, at time `now_ms`; replies are queued to go out with the timing
//  above. Any bytes at all.
void vault_sim_input (vault_sim_t *self, const uint8_t *data, size_t size, int64_t now_ms);
//  Writes the replies due by `now_ms` and runs the auto person's due actions.
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
