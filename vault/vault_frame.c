/*  vault_frame.c — see vault_frame.h. */
#include "vault_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t
vault_frame_xor (const uint8_t *data, size_t size)
{
    uint8_t x = 0;
    for (size_t i = 0; i < size; i++)
        x ^= data[i];
    return x;
}

uint8_t
vault_frame_sum (const uint8_t *data, size_t size)
{
    unsigned sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += data[i];
    return (uint8_t)(sum & 0xFF);
}

static void
s_clear (vault_frame_t *frame, vault_proto_t proto)
{
    memset (frame, 0, sizeof *frame);
    frame->proto = proto;
}

int
vault_frame_8a (vault_frame_t *frame, uint8_t head, int board, int lock, uint8_t cmd)
{
    s_clear (frame, VAULT_PROTO_8A);
    if (board < 1 || board > VAULT_8A_MAX_BOARD || lock < 0 || lock > 255)
        return -1;
    uint8_t *d = frame->data;
    d[0] = head;
    d[1] = (uint8_t)board;
    d[2] = (uint8_t)lock;
    d[3] = cmd;
    d[4] = vault_frame_xor (d, 4);
    frame->size = 5;
    frame->head = head;
    frame->cmd = cmd;
    frame->board = board;
    frame->lock = lock;
    return 0;
}

int
vault_frame_8a_open (vault_frame_t *frame, int board, int lock)
{
    if (lock < 1) {
        s_clear (frame, VAULT_PROTO_8A);
        return -1;
    }
    return vault_frame_8a (frame, VAULT_8A_HEAD_OPEN, board, lock, VAULT_8A_CMD_OPEN);
}

int
vault_frame_8a_query (vault_frame_t *frame, int board, int lock)
{
    if (lock < 1) {
        s_clear (frame, VAULT_PROTO_8A);
        return -1;
    }
    return vault_frame_8a (frame, VAULT_8A_HEAD_QUERY, board, lock, VAULT_8A_CMD_QUERY);
}

//  The CU16 ADDR byte: board address (DIP switches 0..15) high, lock index 0..15 low.
static int
s_cu16_addr (int board, int lock)
{
    if (board < 1 || board > VAULT_CU16_MAX_BOARD || lock < 1 || lock > VAULT_CU16_LOCKS)
        return -1;
    return ((board - 1) << 4) | (lock - 1);
}

int
vault_frame_cu16 (vault_frame_t *frame, int board, int lock, uint8_t cmd)
{
    s_clear (frame, VAULT_PROTO_CU16);
    int addr = s_cu16_addr (board, lock);
    if (addr < 0)
        return -1;
    uint8_t *d = frame->data;
    d[0] = VAULT_CU16_STX;
    d[1] = (uint8_t)addr;
    d[2] = cmd;
    d[3] = VAULT_CU16_ETX;
    d[4] = vault_frame_sum (d, 4);
    frame->size = 5;
    frame->head = VAULT_CU16_STX;
    frame->cmd = cmd;
    frame->board = board;
    frame->lock = lock;
    return 0;
}

int
vault_frame_cu16_status (vault_frame_t *frame, int board, int lock, uint16_t latched,
                         uint16_t infrared)
{
    s_clear (frame, VAULT_PROTO_CU16);
    int addr = s_cu16_addr (board, lock);
    if (addr < 0)
        return -1;
    uint8_t *d = frame->data;
    d[0] = VAULT_CU16_STX;
    d[1] = (uint8_t)addr;
    d[2] = VAULT_CU16_CMD_REPLY;
    d[3] = (uint8_t)(latched & 0xFF);
    d[4] = (uint8_t)(latched >> 8);
    d[5] = (uint8_t)(infrared & 0xFF);
    d[6] = (uint8_t)(infrared >> 8);
    d[7] = VAULT_CU16_ETX;
    d[8] = vault_frame_sum (d, 8);
    frame->size = 9;
    frame->head = VAULT_CU16_STX;
    frame->cmd = VAULT_CU16_CMD_REPLY;
    frame->board = board;
    frame->lock = lock;
    frame->latched = latched;
    frame->infrared = infrared;
    return 0;
}

//  True if `byte` can start a frame of `proto`.
static bool
s_is_start (vault_proto_t proto, uint8_t byte)
{
    if (proto == VAULT_PROTO_8A)
        return byte == VAULT_8A_HEAD_OPEN || byte == VAULT_8A_HEAD_QUERY;
    return byte == VAULT_CU16_STX;
}

//  Length of the frame whose first `size` bytes are `data`: > 0 the length, 0 not known yet,
//  -1 no frame of this family starts like this. The CU16 length depends on the CMD byte;
//  only the commands we speak or answer are known (30..33 and 38 requests, 35 status reply).
static int
s_need (vault_proto_t proto, const uint8_t *data, size_t size)
{
    if (size < 1 || !s_is_start (proto, data[0]))
        return -1;
    if (proto == VAULT_PROTO_8A)
        return 5;
    if (size < 3)
        return 0;
    switch (data[2]) {
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case VAULT_CU16_CMD_CLEAR: return 5;
    case VAULT_CU16_CMD_REPLY: return 9;
    default: return -1;
    }
}

int
vault_frame_decode (vault_proto_t proto, const uint8_t *data, size_t size, vault_frame_t *frame)
{
    s_clear (frame, proto);
    if (!data || size == 0 || size > VAULT_FRAME_MAX)
        return -1;
    int need = s_need (proto, data, size);
    if (need <= 0 || (size_t)need != size)
        return -1;
    if (proto == VAULT_PROTO_8A) {
        if (data[4] != vault_frame_xor (data, 4) || data[1] == 0)
            return -1;
        frame->head = data[0];
        frame->board = data[1];
        frame->lock = data[2];
        frame->cmd = data[3];
    } else {
        if (data[size - 2] != VAULT_CU16_ETX || data[size - 1] != vault_frame_sum (data, size - 1))
            return -1;
        frame->head = data[0];
        frame->board = (data[1] >> 4) + 1;
        frame->lock = (data[1] & 0x0F) + 1;
        frame->cmd = data[2];
        if (frame->cmd == VAULT_CU16_CMD_REPLY) {
            frame->latched = (uint16_t)(data[3] | (data[4] << 8));
            frame->infrared = (uint16_t)(data[5] | (data[6] << 8));
        }
    }
    memcpy (frame->data, data, size);
    frame->size = size;
    return 0;
}

int64_t
vault_frame_wire_us (int baud, size_t bytes)
{
    if (baud <= 0)
        return 0;
    return ((int64_t)bytes * 10 * 1000000 + baud - 1) / baud;
}

char *
vault_frame_hex (const uint8_t *data, size_t size, char *buf, size_t buf_size)
{
    if (!buf || buf_size == 0)
        return buf;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < size && used + 4 <= buf_size; i++)
        used += (size_t)snprintf (buf + used, buf_size - used, i ? " %02X" : "%02X", data[i]);
    return buf;
}

//  ---------------------------------------------------------------------------------------
//  The stream parser. `win` holds the candidate frame being assembled (it always starts
//  with a start byte); when a candidate fails, its first byte is dropped and the rest go to
//  `replay`, which is read again before any new input. Bytes held (win + replay) never
//  exceed VAULT_FRAME_MAX: new input is taken only when replay is empty, a window is decided
//  as soon as it reaches its length, and a failure releases one byte.

struct vault_parser {
    vault_proto_t proto;             //  family
    uint8_t win[VAULT_FRAME_MAX];    //  candidate frame so far
    size_t win_size;                 //  bytes in win
    uint8_t replay[VAULT_FRAME_MAX]; //  bytes to read again, oldest first
    size_t replay_size;              //  bytes in replay
    uint64_t discarded;              //  bytes thrown away
    uint64_t bad_frames;             //  candidates with a wrong check byte or ETX
    uint64_t frames;                 //  valid frames returned
};

vault_parser_t *
vault_parser_new (vault_proto_t proto)
{
    vault_parser_t *self = calloc (1, sizeof *self);
    if (self)
        self->proto = proto;
    return self;
}

void
vault_parser_destroy (vault_parser_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
vault_parser_reset (vault_parser_t *self)
{
    self->discarded += self->win_size + self->replay_size;
    self->win_size = 0;
    self->replay_size = 0;
}

//  Drops the candidate's first byte and queues the others to be read again.
static void
s_reject (vault_parser_t *self)
{
    self->discarded++;
    size_t keep = self->win_size - 1;
    if (keep + self->replay_size > sizeof self->replay) {
        //  Cannot happen (see the invariant above); stay safe and drop everything held.
        self->discarded += keep + self->replay_size;
        self->win_size = self->replay_size = 0;
        return;
    }
    memmove (self->replay + keep, self->replay, self->replay_size);
    memcpy (self->replay, self->win + 1, keep);
    self->replay_size += keep;
    self->win_size = 0;
}

//  Adds one byte; true when it completes a valid frame.
static bool
s_step (vault_parser_t *self, uint8_t byte, vault_frame_t *frame)
{
    if (self->win_size == 0 && !s_is_start (self->proto, byte)) {
        self->discarded++;
        return false;
    }
    if (self->win_size >= sizeof self->win) {
        s_reject (self);
        self->discarded++;
        return false;
    }
    self->win[self->win_size++] = byte;
    int need = s_need (self->proto, self->win, self->win_size);
    if (need < 0) {
        s_reject (self);
        return false;
    }
    if (need == 0 || self->win_size < (size_t)need)
        return false;
    if (vault_frame_decode (self->proto, self->win, self->win_size, frame) == 0) {
        self->frames++;
        self->win_size = 0;
        return true;
    }
    self->bad_frames++;
    s_reject (self);
    return false;
}

bool
vault_parser_next (vault_parser_t *self, const uint8_t **data, size_t *size, vault_frame_t *frame)
{
    while (true) {
        uint8_t byte;
        if (self->replay_size > 0) {
            byte = self->replay[0];
            self->replay_size--;
            memmove (self->replay, self->replay + 1, self->replay_size);
        } else if (data && *data && size && *size > 0) {
            byte = **data;
            (*data)++;
            (*size)--;
        } else
            return false;
        if (s_step (self, byte, frame))
            return true;
    }
}

uint64_t
vault_parser_discarded (const vault_parser_t *self)
{
    return self->discarded;
}

uint64_t
vault_parser_bad_frames (const vault_parser_t *self)
{
    return self->bad_frames;
}

uint64_t
vault_parser_frames (const vault_parser_t *self)
{
    return self->frames;
}

size_t
vault_parser_pending (const vault_parser_t *self)
{
    return self->win_size + self->replay_size;
}
