/*  vault_config.h — a cabinet's configuration (etc/cabinet.example.json).

    The cabinet: its id (as the broker knows it) and name; the serial line to its lock
    boards (path, baud, protocol); its boards with the number of locks each has; every slot
    with its size (S, M, L), board address and lock number; and the timings that turn a door's
    behaviour into an alarm. Staff badges are not here: they are enrolled credentials
    (vault_badge.h), and a config that still lists badge codes (`staff_badges`) is refused.

    Addresses are checked against the protocol's address space (docs/LOCKBOARDS.md): 8A
    boards 1..64 (01..40 hex), up to 32 locks; CU16 boards 1..15 (DIP 0..14; DIP 15 would
    put the broadcast address F0 on the bus), up to 16 locks. A slot's lock must exist on its
    board. */
#ifndef VAULT_CONFIG_H
#define VAULT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAULT_MAX_SLOTS  128
#define VAULT_MAX_BOARDS 64

typedef struct {
    int board; //  board address (8A 1..64; CU16 1..15, = DIP + 1)
    int locks; //  locks it has (8A 12, 24, 32...; CU16 16)
} vault_board_cfg_t;

typedef struct {
    char id[16]; //  "A01": printed on the door
    char size;   //  'S', 'M' or 'L'
    int board;   //  board address on the RS485 line
    int lock;    //  lock number on that board (1-based)
} vault_slot_cfg_t;

typedef struct {
    char id[33];           //  cabinet id, as in vault.* commands
    char name[128];        //  e.g. 一楼自助取件柜
    char serial_path[256]; //  serial device (or the simulator's link)
    int baud;
    int protocol;          //  vault_proto_t
    int timeout_ms;        //  reply timeout per try (driver default 150)
    int unlock_timeout_ms; //  unlock reply timeout (real 8A boards answer after ~1 s)
    int tries;             //  tries per request
    bool inverted;         //  8A door switches wired the other way round
    int nboards;           //  boards in use: every board a slot is on
    vault_board_cfg_t boards[VAULT_MAX_BOARDS];
    int nslots;
    vault_slot_cfg_t slots[VAULT_MAX_SLOTS];
    int door_open_timeout_ms; //  an unlocked door not seen open by then: retry once, then jammed
    int ajar_after_ms;        //  a door open longer: ajar alarm
    int staff_mode_ms;        //  how long a badge scan waits for its one deposit or recovery
    int lockout_tries;        //  wrong codes per window before lockout
    int lockout_window_ms;
    int lockout_ms; //  how long a lockout lasts
    int pin_tries;  //  wrong second factors before the code is refused for the session
    int poll_ms;    //  board status polling period
} vault_config_t;

//  Loads and checks a cabinet config. 0, or -1 with a reason naming the key in `err`.
int vault_config_load (const char *path, vault_config_t *out, char *err, size_t err_size);
//  Index of slot `id`, or -1.
int vault_config_slot (const vault_config_t *self, const char *id);
//  Locks of `board` (0 if the cabinet does not use it).
int vault_config_board_locks (const vault_config_t *self, int board);
//  Microseconds one round of door polling takes on the wire at the configured baud rate:
//  8A, a query and its reply (5 + 5 bytes) per slot; CU16, a status request and its reply
//  (5 + 9 bytes) per board; ten bits a byte. No poll period can be shorter.
int64_t vault_config_round_us (const vault_config_t *self);

#endif
