/*  vault_config.c — see vault_config.h. */
#include "vault_config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "proto_text.h"
#include "vault_board.h"

static int
s_copy (json_t *obj, const char *key, char *out, size_t size, const char *def, const char *where,
        char *err, size_t esz)
{
    json_t *v = json_object_get (obj, key);
    const char *s = json_string_value (v);
    if (!v && def)
        s = def;
    if (!s || !*s || strlen (s) >= size)
        return proto_fail (err, esz, "%s.%s must be a string of 1..%zu bytes", where, key,
                           size - 1);
    snprintf (out, size, "%s", s);
    return 0;
}

static int
s_ms (json_t *obj, const char *key, int def_s, int *out, char *err, size_t esz)
{
    json_t *v = json_object_get (obj, key);
    if (!v) {
        *out = def_s * 1000;
        return 0;
    }
    if (!json_is_number (v) || json_number_value (v) <= 0 || json_number_value (v) > 86400)
        return proto_fail (err, esz, "%s must be a number of seconds (0..86400]", key);
    *out = (int)(json_number_value (v) * 1000);
    return 0;
}

//  The "serial" section: the line to the lock boards.
static int
s_serial (json_t *serial, vault_config_t *out, char *err, size_t esz)
{
    if (!json_is_object (serial))
        return proto_fail (err, esz, "\"serial\" is required: {\"path\", \"baud\", \"protocol\"}");
    if (s_copy (serial, "path", out->serial_path, sizeof out->serial_path, NULL, "serial", err,
                esz))
        return -1;
    json_t *t = json_object_get (serial, "timeout_ms"),
           *ut = json_object_get (serial, "unlock_timeout_ms"),
           *tr = json_object_get (serial, "tries"), *inv = json_object_get (serial, "inverted");
    out->timeout_ms = t ? (int)json_integer_value (t) : 150;
    out->tries = tr ? (int)json_integer_value (tr) : 3;
    out->inverted = json_is_true (inv);
    if (out->timeout_ms < 1 || out->timeout_ms > 10000 || out->tries < 1 || out->tries > 10 ||
        (inv && !json_is_boolean (inv)))
        return proto_fail (
            err, esz,
            "serial.timeout_ms must be 1..10000, serial.tries 1..10, serial.inverted true/false");
    const char *proto = json_string_value (json_object_get (serial, "protocol"));
    if (proto && strcmp (proto, "8a") == 0)
        out->protocol = VAULT_PROTO_8A;
    else if (proto && strcmp (proto, "cu16") == 0)
        out->protocol = VAULT_PROTO_CU16;
    else
        return proto_fail (err, esz, "serial.protocol must be \"8a\" or \"cu16\"");
    //  The factory settings: 8A boards 9600 baud, Kerong CU16 19200.
    json_t *baud = json_object_get (serial, "baud");
    out->baud = baud                              ? (int)json_integer_value (baud)
                : out->protocol == VAULT_PROTO_8A ? 9600
                                                  : 19200;
    if (out->baud != 9600 && out->baud != 19200 && out->baud != 38400 && out->baud != 57600 &&
        out->baud != 115200)
        return proto_fail (err, esz, "serial.baud must be 9600, 19200, 38400, 57600 or 115200");
    //  Real 8A boards answer an unlock only after the lock has moved (docs/LOCKBOARDS.md).
    out->unlock_timeout_ms = ut                                ? (int)json_integer_value (ut)
                             : out->protocol == VAULT_PROTO_8A ? 1500
                                                               : out->timeout_ms;
    if (out->unlock_timeout_ms < 1 || out->unlock_timeout_ms > 10000)
        return proto_fail (err, esz, "serial.unlock_timeout_ms must be 1..10000");
    return 0;
}

//  The protocol's address space: boards 1..*boards, locks 1..*locks.
static void
s_space (const vault_config_t *out, int *boards, int *locks)
{
    *boards = out->protocol == VAULT_PROTO_8A ? VAULT_8A_BOARDS : VAULT_CU16_BOARDS;
    *locks = out->protocol == VAULT_PROTO_8A ? VAULT_8A_MAX_LOCK : VAULT_CU16_LOCKS;
}

//  A board address of the protocol, or an error naming `where`.
static int
s_board_address (const vault_config_t *out, json_t *v, const char *where, char *err, size_t esz)
{
    int boards, locks;
    s_space (out, &boards, &locks);
    json_int_t b = json_is_integer (v) ? json_integer_value (v) : -1;
    if (out->protocol == VAULT_PROTO_CU16 && b == VAULT_CU16_MAX_BOARD)
        return proto_fail (
            err, esz,
            "%s.board 16 (DIP 15) cannot be used on CU16: its status request and lock "
            "1 would carry ADDR F0, the bus broadcast address; boards are 1..%d",
            where, boards);
    if (b < 1 || b > boards)
        return proto_fail (err, esz, "%s.board must be 1..%d on %s boards (%s)", where, boards,
                           out->protocol == VAULT_PROTO_8A ? "8A" : "CU16",
                           out->protocol == VAULT_PROTO_8A ? "addresses 01..40 hex"
                                                           : "board = DIP address + 1");
    return 0;
}

//  The optional "boards" list: [{"board": B, "locks": N}], the locks each board has. Without
//  it every board has the protocol's usual count (8A 24, CU16 16).
static int
s_boards (json_t *list, vault_config_t *out, char *err, size_t esz)
{
    if (!list)
        return 0;
    int boards, locks;
    s_space (out, &boards, &locks);
    if (!json_is_array (list) || json_array_size (list) == 0 ||
        json_array_size (list) > VAULT_MAX_BOARDS)
        return proto_fail (err, esz, "\"boards\" must list 1..%d boards: {\"board\", \"locks\"}",
                           VAULT_MAX_BOARDS);
    size_t i;
    json_t *b;
    json_array_foreach (list, i, b) {
        char where[32];
        snprintf (where, sizeof where, "boards[%zu]", i);
        if (s_board_address (out, json_object_get (b, "board"), where, err, esz))
            return -1;
        json_t *n = json_object_get (b, "locks");
        if (!json_is_integer (n) || json_integer_value (n) < 1 || json_integer_value (n) > locks)
            return proto_fail (err, esz, "%s.locks must be 1..%d", where, locks);
        vault_board_cfg_t *bc = &out->boards[i];
        bc->board = (int)json_integer_value (json_object_get (b, "board"));
        bc->locks = (int)json_integer_value (n);
        for (size_t j = 0; j < i; j++)
            if (out->boards[j].board == bc->board)
                return proto_fail (err, esz, "%s: board %d is listed twice", where, bc->board);
        out->nboards = (int)i + 1;
    }
    return 0;
}

//  The board of a slot: listed in "boards", or (with no such list) added with the usual
//  count. Its entry, or NULL with the error set.
static const vault_board_cfg_t *
s_slot_board (vault_config_t *out, bool listed, int board, const char *where, char *err, size_t esz)
{
    for (int j = 0; j < out->nboards; j++)
        if (out->boards[j].board == board)
            return &out->boards[j];
    if (listed) {
        proto_fail (err, esz, "%s: board %d is not in \"boards\"", where, board);
        return NULL;
    }
    vault_board_cfg_t *bc = &out->boards[out->nboards++];
    bc->board = board;
    bc->locks = out->protocol == VAULT_PROTO_8A ? 24 : VAULT_CU16_LOCKS;
    return bc;
}

//  The "slots" list: each slot's id, size, board and lock, none used twice, every lock on
//  its board.
static int
s_slots (json_t *slots, vault_config_t *out, char *err, size_t esz)
{
    bool listed = out->nboards > 0;
    if (!json_is_array (slots) || json_array_size (slots) == 0 ||
        json_array_size (slots) > VAULT_MAX_SLOTS)
        return proto_fail (err, esz, "\"slots\" must list 1..%d slots", VAULT_MAX_SLOTS);
    size_t i;
    json_t *s;
    json_array_foreach (slots, i, s) {
        char where[32];
        snprintf (where, sizeof where, "slots[%zu]", i);
        vault_slot_cfg_t *slot = &out->slots[i];
        if (s_copy (s, "slot", slot->id, sizeof slot->id, NULL, where, err, esz))
            return -1;
        const char *size = json_string_value (json_object_get (s, "size"));
        if (!size || strlen (size) != 1 || !strchr ("SML", size[0]))
            return proto_fail (err, esz, "%s.size must be S, M or L", where);
        slot->size = size[0];
        json_t *board = json_object_get (s, "board"), *lock = json_object_get (s, "lock");
        if (s_board_address (out, board, where, err, esz))
            return -1;
        slot->board = (int)json_integer_value (board);
        const vault_board_cfg_t *bc = s_slot_board (out, listed, slot->board, where, err, esz);
        if (!bc)
            return -1;
        if (!json_is_integer (lock) || json_integer_value (lock) < 1 ||
            json_integer_value (lock) > bc->locks)
            return proto_fail (err, esz, "%s.lock must be 1..%d: board %d has %d locks%s", where,
                               bc->locks, bc->board, bc->locks,
                               listed ? "" : " (give the count per board in \"boards\")");
        slot->lock = (int)json_integer_value (lock);
        for (size_t j = 0; j < i; j++) {
            if (strcmp (out->slots[j].id, slot->id) == 0)
                return proto_fail (err, esz, "%s.slot \"%s\" is used twice", where, slot->id);
            if (out->slots[j].board == slot->board && out->slots[j].lock == slot->lock)
                return proto_fail (err, esz, "%s uses board %d lock %d twice", where, slot->board,
                                   slot->lock);
        }
        out->nslots = (int)i + 1;
    }
    return 0;
}

int
vault_config_load (const char *path, vault_config_t *out, char *err, size_t esz)
{
    memset (out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return proto_fail (err, esz, "%s: %s (line %d)", path, jerr.text, jerr.line);
    int rc = -1;
    json_t *lockout = json_object_get (root, "lockout");
    if (s_copy (root, "id", out->id, sizeof out->id, NULL, "cabinet", err, esz) ||
        s_copy (root, "name", out->name, sizeof out->name, out->id, "cabinet", err, esz) ||
        s_serial (json_object_get (root, "serial"), out, err, esz) ||
        s_boards (json_object_get (root, "boards"), out, err, esz) ||
        s_slots (json_object_get (root, "slots"), out, err, esz))
        goto done;
    //  Badges were once readable strings here: whoever read the config could open any slot.
    json_t *badges = json_object_get (root, "staff_badges");
    if (badges && !(json_is_array (badges) && json_array_size (badges) == 0)) {
        proto_fail (err, esz,
                    "staff_badges: badge codes in the config are no longer accepted (anyone who "
                    "reads it could open a slot); remove the key and enrol each badge instead: "
                    "onewindow-vault --enrol-badge NAME --config FILE --data DIR (docs/CABINET.md, "
                    "\"Staff badges\")");
        goto done;
    }
    if (s_ms (root, "door_open_timeout_s", 5, &out->door_open_timeout_ms, err, esz) ||
        s_ms (root, "ajar_after_s", 60, &out->ajar_after_ms, err, esz) ||
        s_ms (root, "staff_mode_s", 120, &out->staff_mode_ms, err, esz) ||
        s_ms (lockout, "window_s", 60, &out->lockout_window_ms, err, esz) ||
        s_ms (lockout, "lock_s", 300, &out->lockout_ms, err, esz))
        goto done;
    json_t *tries = json_object_get (lockout, "tries");
    out->lockout_tries = tries ? (int)json_integer_value (tries) : 5;
    json_t *pin = json_object_get (root, "pin_tries");
    out->pin_tries = pin ? (int)json_integer_value (pin) : 3;
    json_t *poll = json_object_get (root, "poll_ms");
    out->poll_ms = poll ? (int)json_integer_value (poll) : 200;
    if (out->lockout_tries < 1 || out->pin_tries < 1 || out->poll_ms < 20 || out->poll_ms > 5000) {
        proto_fail (err, esz, "lockout.tries and pin_tries must be >= 1, poll_ms 20..5000");
        goto done;
    }
    rc = 0;
done:
    json_decref (root);
    return rc;
}

int
vault_config_board_locks (const vault_config_t *self, int board)
{
    for (int i = 0; i < self->nboards; i++)
        if (self->boards[i].board == board)
            return self->boards[i].locks;
    return 0;
}

int64_t
vault_config_round_us (const vault_config_t *self)
{
    if (self->protocol == VAULT_PROTO_8A)
        return vault_frame_wire_us (self->baud, (size_t)self->nslots * 2 * VAULT_8A_FRAME_SIZE);
    int used = 0;
    for (int i = 0; i < self->nboards; i++)
        for (int k = 0; k < self->nslots; k++)
            if (self->slots[k].board == self->boards[i].board) {
                used++;
                break;
            }
    return vault_frame_wire_us (self->baud,
                                (size_t)used * (VAULT_CU16_REQ_SIZE + VAULT_CU16_REPLY_SIZE));
}

int
vault_config_slot (const vault_config_t *self, const char *id)
{
    for (int i = 0; i < self->nslots; i++)
        if (strcmp (self->slots[i].id, id) == 0)
            return i;
    return -1;
}
