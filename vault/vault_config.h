/*  vault_config.h — a cabinet's configuration (etc/cabinet.example.json).

    The cabinet: its id (as the broker knows it) and name; the serial line to its lock
    boards (path, baud, protocol); every slot with its size (S, M, L), board address and
    lock number; the staff badges that put the cabinet into staff mode (deposit and
    recovery); and the timings that turn a door's behaviour into an alarm. */
#ifndef VAULT_CONFIG_H
#define VAULT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define VAULT_MAX_SLOTS  128
#define VAULT_MAX_BADGES 64

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
    int nslots;
    vault_slot_cfg_t slots[VAULT_MAX_SLOTS];
    int nbadges;
    char badges[VAULT_MAX_BADGES][64]; //  staff badge codes
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

#endif
