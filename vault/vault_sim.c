/*  vault_sim.c — see vault_sim.h. */
#include "vault_sim.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_log.h"

//  One lock; index 0 of each board holds only the board-wide faults.
typedef struct {
    bool open;              //  door sensor: open
    bool occupied;          //  infrared sensor: item present
    bool forced;            //  last opened without a command
    unsigned faults;        //  bit per vault_sim_fault_t
    unsigned pulses;        //  unlock pulses received
    int64_t auto_toggle_at; //  auto person puts/takes the item then (0 = not pending)
    int64_t auto_close_at;  //  auto person closes the door then (0 = not pending)
} s_lock_t;

//  Reply bytes on their way: they have fully arrived at `due_us`.
typedef struct {
    int64_t due_us;                     //  when the last byte is on the driver's side
    size_t size;                        //  bytes in data
    uint8_t data[16 + VAULT_FRAME_MAX]; //  garbage (up to 16 bytes) and a frame
} s_out_t;

//  One board: its size and, for CU16, the BUSY state the KR-CU16 is said to enter.
typedef struct {
    int locks;       //  locks on this board
    bool busy;       //  CU16: unlocked since the last `38` clear
    unsigned clears; //  CU16: `38` clears received
} s_board_t;

struct vault_sim {
    vault_proto_t proto;         //  frame family
    int boards;                  //  boards on the line
    int locks;                   //  most locks on a board (lock slots allocated per board)
    s_board_t *board;            //  boards, [0] unused
    int baud;                    //  modelled line speed; 0 = replies at once
    int open_ms;                 //  an unlock's reply comes this much later
    bool ack_echo;               //  8A: acknowledge an open with its echo, not the door state
    s_out_t *out;                //  replies on their way, oldest first
    size_t nout, out_cap;        //  used, allocated
    int64_t line_free_us;        //  the line is busy sending until then
    int auto_ms;                 //  auto person delay; 0 = off
    uint32_t rng;                //  xorshift state for garbage
    bool verbose;                //  log every frame
    vault_sim_writer_fn *writer; //  where replies go
    void *writer_arg;            //  its argument
    vault_parser_t *parser;      //  request parser
    s_lock_t *lock;              //  boards × (locks + 1)
    uint64_t frames_in;          //  valid frames received
    uint64_t frames_out;         //  replies sent
    uint64_t ignored;            //  valid frames we do not answer (other address, command)
    uint64_t misframed;          //  bytes received at another baud rate than the boards'
};

static const char *s_fault_names[] = {
#define X(id, name) name,
    VAULT_SIM_FAULTS (X)
#undef X
};

static s_lock_t *
s_at (const vault_sim_t *self, int board, int lock)
{
    return &self->lock[(size_t)(board - 1) * (size_t)(self->locks + 1) + (size_t)lock];
}

//  Locks on `board` (1..boards).
static int
s_locks (const vault_sim_t *self, int board)
{
    return self->board[board].locks;
}

static bool
s_has (const vault_sim_t *self, int board, int lock, vault_sim_fault_t fault)
{
    unsigned bit = 1u << fault;
    if (s_at (self, board, 0)->faults & bit)
        return true;
    return lock >= 1 && lock <= s_locks (self, board) && (s_at (self, board, lock)->faults & bit);
}

static uint32_t
s_random (vault_sim_t *self)
{
    uint32_t x = self->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    self->rng = x;
    return x;
}

vault_sim_t *
vault_sim_new (vault_proto_t proto, int boards, int locks, int auto_ms, uint32_t seed,
               vault_sim_writer_fn *writer, void *writer_arg)
{
    int max_boards = proto == VAULT_PROTO_8A ? VAULT_8A_BOARDS : VAULT_CU16_BOARDS;
    int max_locks = proto == VAULT_PROTO_8A ? VAULT_8A_MAX_LOCK : VAULT_CU16_LOCKS;
    if (boards < 1 || boards > max_boards || locks < 1 || locks > max_locks || auto_ms < 0 ||
        !writer)
        return NULL;
    vault_sim_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->proto = proto;
    self->boards = boards;
    self->locks = locks;
    self->auto_ms = auto_ms;
    self->rng = seed ? seed : 0x9E3779B9u;
    self->writer = writer;
    self->writer_arg = writer_arg;
    self->baud = proto == VAULT_PROTO_8A ? 9600 : 19200;
    self->open_ms = proto == VAULT_PROTO_8A ? 1000 : 0;
    self->parser = vault_parser_new (proto);
    self->lock = calloc ((size_t)boards * (size_t)(locks + 1), sizeof (s_lock_t));
    self->board = calloc ((size_t)boards + 1, sizeof (s_board_t));
    if (!self->parser || !self->lock || !self->board) {
        vault_sim_destroy (&self);
        return NULL;
    }
    for (int b = 1; b <= boards; b++)
        self->board[b].locks = locks;
    return self;
}

void
vault_sim_destroy (vault_sim_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    vault_sim_t *self = *self_p;
    vault_parser_destroy (&self->parser);
    free (self->lock);
    free (self->board);
    free (self->out);
    free (self);
    *self_p = NULL;
}

int
vault_sim_set_board_locks (vault_sim_t *self, int board, int locks)
{
    if (board < 1 || board > self->boards || locks < 1 || locks > self->locks)
        return -1;
    self->board[board].locks = locks;
    return 0;
}

void
vault_sim_set_timing (vault_sim_t *self, int baud, int open_ms)
{
    self->baud = baud > 0 ? baud : 0;
    self->open_ms = open_ms > 0 ? open_ms : 0;
}

void
vault_sim_set_ack_echo (vault_sim_t *self, bool echo)
{
    self->ack_echo = echo;
}

void
vault_sim_misframed (vault_sim_t *self, size_t bytes)
{
    self->misframed += bytes;
}

void
vault_sim_set_verbose (vault_sim_t *self, bool verbose)
{
    self->verbose = verbose;
}

static void
s_log_frame (vault_sim_t *self, const char *dir, const uint8_t *data, size_t size, const char *what)
{
    if (!self->verbose)
        return;
    char hex[3 * 64 + 1];
    log_info ("%s %s%s%s", dir, vault_frame_hex (data, size, hex, sizeof hex), *what ? "  " : "",
              what);
}

//  Queues `size` bytes to arrive `delay_us` after `now_ms` at the earliest, once the line is
//  free, plus their own time on the wire (bytes × 10 bits / baud).
static void
s_queue (vault_sim_t *self, const uint8_t *data, size_t size, int64_t now_ms, int64_t delay_us)
{
    if (self->nout == self->out_cap) {
        size_t cap = self->out_cap ? self->out_cap * 2 : 16;
        s_out_t *bigger = realloc (self->out, cap * sizeof *bigger);
        if (!bigger)
            return; //  out of memory: the reply is lost, as on a noisy bus
        self->out = bigger;
        self->out_cap = cap;
    }
    int64_t start = now_ms * 1000 + delay_us;
    if (start < self->line_free_us)
        start = self->line_free_us;
    s_out_t *o = &self->out[self->nout++];
    o->due_us = start + vault_frame_wire_us (self->baud, size);
    o->size = size < sizeof o->data ? size : sizeof o->data;
    memcpy (o->data, data, o->size);
    self->line_free_us = o->due_us;
}

//  Sends a reply frame from (board, lock), applying that board's reply faults; it leaves
//  `delay_us` after `now_ms` (the request's own wire time, and for an open the lock's time).
static void
s_reply (vault_sim_t *self, int board, int lock, const vault_frame_t *frame, const char *what,
         int64_t now_ms, int64_t delay_us)
{
    uint8_t out[16 + VAULT_FRAME_MAX];
    size_t n = 0;
    if (s_has (self, board, lock, VAULT_SIM_FAULT_GARBAGE)) {
        n = 1 + s_random (self) % 16;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)s_random (self);
        s_log_frame (self, "tx", out, n, "(garbage)");
    }
    memcpy (out + n, frame->data, frame->size);
    bool corrupt = s_has (self, board, lock, VAULT_SIM_FAULT_CORRUPT);
    if (s_has (self, board, lock, VAULT_SIM_FAULT_CORRUPT_ONCE)) {
        corrupt = true;
        s_at (self, board, 0)->faults &= ~(1u << VAULT_SIM_FAULT_CORRUPT_ONCE);
        if (lock >= 1 && lock <= s_locks (self, board))
            s_at (self, board, lock)->faults &= ~(1u << VAULT_SIM_FAULT_CORRUPT_ONCE);
    }
    if (corrupt)
        out[n + frame->size - 1] ^= 0x5A;
    s_log_frame (self, "tx", out + n, frame->size, corrupt ? "(corrupt check byte)" : what);
    s_queue (self, out, n + frame->size, now_ms, delay_us);
    self->frames_out++;
}

//  An unlock pulse on (board, lock).
static void
s_pulse (vault_sim_t *self, int board, int lock, int64_t now_ms)
{
    s_lock_t *l = s_at (self, board, lock);
    l->pulses++;
    if (l->open || s_has (self, board, lock, VAULT_SIM_FAULT_JAM))
        return;
    l->open = true;
    l->forced = false;
    if (self->auto_ms > 0) {
        l->auto_toggle_at = now_ms + self->auto_ms / 2;
        if (l->auto_toggle_at == 0)
            l->auto_toggle_at = 1;
        l->auto_close_at = now_ms + self->auto_ms;
    }
}

static void
s_handle_8a (vault_sim_t *self, const vault_frame_t *f, int64_t now_ms)
{
    char what[64];
    bool open = f->head == VAULT_8A_HEAD_OPEN && f->cmd == VAULT_8A_CMD_OPEN;
    bool query = f->head == VAULT_8A_HEAD_QUERY && f->cmd == VAULT_8A_CMD_QUERY;
    snprintf (what, sizeof what, "%s board %d lock %d",
              open    ? "open"
              : query ? "query"
                      : "?",
              f->board, f->lock);
    s_log_frame (self, "rx", f->data, f->size, what);
    //  No board at that address, no such lock, a command we do not know, or the "all
    //  locks" forms (LL 00), which we do not simulate: silence, as on a real bus.
    if ((!open && !query) || f->board < 1 || f->board > self->boards || f->lock < 1 ||
        f->lock > s_locks (self, f->board) ||
        s_has (self, f->board, f->lock, VAULT_SIM_FAULT_SILENT)) {
        self->ignored++;
        return;
    }
    int64_t delay = vault_frame_wire_us (self->baud, f->size);
    if (open)
        s_pulse (self, f->board, f->lock, now_ms);
    bool door_open = s_at (self, f->board, f->lock)->open;
    uint8_t state = door_open ? VAULT_8A_DOOR_OPEN : VAULT_8A_DOOR_CLOSED;
    vault_frame_t reply;
    if (open && self->ack_echo) {
        vault_frame_8a (&reply, VAULT_8A_HEAD_OPEN, f->board, f->lock, VAULT_8A_CMD_OPEN);
        s_reply (self, f->board, f->lock, &reply, "ack (echo)", now_ms,
                 delay + (int64_t)self->open_ms * 1000);
    } else {
        //  The vendor sheet: an open is answered like a query, with the door's state, once
        //  the lock has moved.
        vault_frame_8a (&reply, VAULT_8A_HEAD_QUERY, f->board, f->lock, state);
        s_reply (self, f->board, f->lock, &reply, door_open ? "door open" : "door closed", now_ms,
                 delay + (open ? (int64_t)self->open_ms * 1000 : 0));
    }
}

static void
s_handle_cu16 (vault_sim_t *self, const vault_frame_t *f, int64_t now_ms)
{
    char what[64];
    bool unlock = f->cmd == VAULT_CU16_CMD_UNLOCK;
    bool status = f->cmd == VAULT_CU16_CMD_STATUS;
    bool clear = f->cmd == VAULT_CU16_CMD_CLEAR;
    snprintf (what, sizeof what, "%s board %d lock %d",
              unlock   ? "unlock"
              : status ? "status"
              : clear  ? "clear BUSY"
                       : "?",
              f->board, f->lock);
    s_log_frame (self, "rx", f->data, f->size, what);
    if ((!unlock && !status && !clear) || f->board > self->boards ||
        (unlock && f->lock > s_locks (self, f->board)) ||
        s_has (self, f->board, f->lock, VAULT_SIM_FAULT_SILENT)) {
        self->ignored++;
        return;
    }
    if (clear) {
        //  What a board answers to `38` is not documented: nothing here.
        self->board[f->board].busy = false;
        self->board[f->board].clears++;
        return;
    }
    if (unlock) {
        s_pulse (self, f->board, f->lock, now_ms);
        self->board[f->board].busy = true;
    }
    uint16_t latched = 0xFFFF, infrared = 0;
    for (int lock = 1; lock <= s_locks (self, f->board); lock++) {
        const s_lock_t *l = s_at (self, f->board, lock);
        if (l->open)
            latched &= (uint16_t) ~(1u << (lock - 1));
        if (l->occupied)
            infrared |= (uint16_t)(1u << (lock - 1));
    }
    vault_frame_t reply;
    vault_frame_cu16_status (&reply, f->board, f->lock, latched, infrared);
    snprintf (what, sizeof what, "status latched %04X infrared %04X", latched, infrared);
    s_reply (self, f->board, f->lock, &reply, what, now_ms,
             vault_frame_wire_us (self->baud, f->size) +
                 (unlock ? (int64_t)self->open_ms * 1000 : 0));
}

void
vault_sim_input (vault_sim_t *self, const uint8_t *data, size_t size, int64_t now_ms)
{
    vault_frame_t frame;
    while (vault_parser_next (self->parser, &data, &size, &frame)) {
        self->frames_in++;
        if (self->proto == VAULT_PROTO_8A)
            s_handle_8a (self, &frame, now_ms);
        else
            s_handle_cu16 (self, &frame, now_ms);
    }
}

//  Writes the replies that have arrived by `now_ms`, oldest first.
static void
s_release (vault_sim_t *self, int64_t now_ms)
{
    size_t done = 0;
    while (done < self->nout && self->out[done].due_us <= now_ms * 1000) {
        self->writer (self->writer_arg, self->out[done].data, self->out[done].size);
        done++;
    }
    if (done) {
        memmove (self->out, self->out + done, (self->nout - done) * sizeof *self->out);
        self->nout -= done;
    }
}

void
vault_sim_tick (vault_sim_t *self, int64_t now_ms)
{
    s_release (self, now_ms);
    for (int board = 1; board <= self->boards; board++)
        for (int lock = 1; lock <= s_locks (self, board); lock++) {
            s_lock_t *l = s_at (self, board, lock);
            if (l->auto_toggle_at && now_ms >= l->auto_toggle_at) {
                l->auto_toggle_at = 0;
                if (l->open)
                    l->occupied = !l->occupied;
            }
            if (l->auto_close_at && now_ms >= l->auto_close_at && !l->auto_toggle_at) {
                l->auto_close_at = 0;
                if (!s_has (self, board, lock, VAULT_SIM_FAULT_AJAR))
                    l->open = false;
            }
        }
}

int64_t
vault_sim_deadline (const vault_sim_t *self)
{
    int64_t next = self->nout ? (self->out[0].due_us + 999) / 1000 : -1;
    for (int board = 1; board <= self->boards; board++)
        for (int lock = 1; lock <= s_locks (self, board); lock++) {
            const s_lock_t *l = s_at (self, board, lock);
            int64_t t = l->auto_toggle_at ? l->auto_toggle_at : l->auto_close_at;
            if (t && (next < 0 || t < next))
                next = t;
        }
    return next;
}

//  ---------------------------------------------------------------------------------------
//  Control lines

static char *s_printf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
s_printf (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *text = NULL;
    if (vasprintf (&text, fmt, ap) < 0)
        text = NULL;
    va_end (ap);
    return text;
}

//  Parses a decimal int in [lo, hi]. 0 / -1.
static int
s_int (const char *text, int lo, int hi, int *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    long v = strtol (text, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int
s_fault_kind (const char *name)
{
    for (int i = 0; i < VAULT_SIM_FAULT_COUNT; i++)
        if (strcmp (name, s_fault_names[i]) == 0)
            return i;
    return -1;
}

//  Sets `kind` on (board, lock); lock 0 = the whole board. 0, or -1 with the reason.
static int
s_set_fault (vault_sim_t *self, int board, int lock, const char *kind, int64_t now_ms, char *err,
             size_t err_size)
{
    int k = s_fault_kind (kind);
    if (k < 0) {
        snprintf (err, err_size, "unknown fault '%s'", kind);
        return -1;
    }
    if (k == VAULT_SIM_FAULT_UNCOMMANDED) {
        //  Not a lasting fault: someone opens the door now.
        if (lock == 0) {
            snprintf (err, err_size, "uncommanded needs a lock");
            return -1;
        }
        s_lock_t *l = s_at (self, board, lock);
        if (!l->open) {
            l->open = true;
            l->forced = true;
        }
        return 0;
    }
    (void)now_ms;
    s_at (self, board, lock)->faults |= 1u << k;
    return 0;
}

int
vault_sim_fault_spec (vault_sim_t *self, const char *spec, int64_t now_ms, char *err,
                      size_t err_size)
{
    char copy[64];
    if (!spec || strlen (spec) >= sizeof copy) {
        snprintf (err, err_size, "bad fault spec (KIND:BOARD:LOCK)");
        return -1;
    }
    strcpy (copy, spec);
    char *kind = copy;
    char *b = strchr (kind, ':');
    char *l = b ? strchr (b + 1, ':') : NULL;
    if (!b || !l) {
        snprintf (err, err_size, "bad fault spec '%s' (KIND:BOARD:LOCK)", spec);
        return -1;
    }
    *b++ = '\0';
    *l++ = '\0';
    int board, lock;
    if (s_int (b, 1, self->boards, &board) || s_int (l, 0, s_locks (self, board), &lock)) {
        snprintf (err, err_size, "fault '%s': no board %s lock %s here", spec, b, l);
        return -1;
    }
    return s_set_fault (self, board, lock, kind, now_ms, err, err_size);
}

typedef char *(s_command_fn)(vault_sim_t *self, char **argv, int64_t now_ms, bool *quit);

//  Parses argv[1], argv[2] as a door (lock 1..locks, or 0 when `board_ok`).
static char *
s_door (const vault_sim_t *self, char **argv, bool board_ok, int *board, int *lock)
{
    if (s_int (argv[1], 1, self->boards, board))
        return s_printf ("error no board '%s' (1..%d)", argv[1], self->boards);
    if (s_int (argv[2], board_ok ? 0 : 1, s_locks (self, *board), lock))
        return s_printf ("error no lock '%s' (%d..%d)", argv[2], board_ok ? 0 : 1,
                         s_locks (self, *board));
    return NULL;
}

static char *
s_cmd_close (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)now_ms, (void)quit;
    int board, lock;
    char *bad = s_door (self, argv, false, &board, &lock);
    if (bad)
        return bad;
    s_lock_t *l = s_at (self, board, lock);
    l->open = false;
    l->auto_toggle_at = l->auto_close_at = 0;
    return strdup ("ok");
}

static char *
s_cmd_open (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)quit;
    int board, lock;
    char *bad = s_door (self, argv, false, &board, &lock);
    if (bad)
        return bad;
    char err[96];
    s_set_fault (self, board, lock, "uncommanded", now_ms, err, sizeof err);
    return strdup ("ok");
}

static char *
s_cmd_put (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)now_ms, (void)quit;
    int board, lock;
    char *bad = s_door (self, argv, false, &board, &lock);
    if (bad)
        return bad;
    s_lock_t *l = s_at (self, board, lock);
    if (!l->open)
        return s_printf ("error door %d/%d is closed", board, lock);
    if (l->occupied)
        return s_printf ("error slot %d/%d is already occupied", board, lock);
    l->occupied = true;
    return strdup ("ok");
}

static char *
s_cmd_take (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)now_ms, (void)quit;
    int board, lock;
    char *bad = s_door (self, argv, false, &board, &lock);
    if (bad)
        return bad;
    s_lock_t *l = s_at (self, board, lock);
    if (!l->open)
        return s_printf ("error door %d/%d is closed", board, lock);
    if (!l->occupied)
        return s_printf ("error slot %d/%d is empty", board, lock);
    l->occupied = false;
    return strdup ("ok");
}

static char *
s_cmd_state (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)argv, (void)now_ms, (void)quit;
    return vault_sim_state_json (self);
}

static char *
s_cmd_fault (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)quit;
    int board, lock;
    char *bad = s_door (self, argv, true, &board, &lock);
    if (bad)
        return bad;
    char err[96];
    if (s_set_fault (self, board, lock, argv[3], now_ms, err, sizeof err) != 0)
        return s_printf ("error %s", err);
    return strdup ("ok");
}

static char *
s_cmd_clear (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)now_ms, (void)quit;
    int board, lock;
    char *bad = s_door (self, argv, true, &board, &lock);
    if (bad)
        return bad;
    s_lock_t *l = s_at (self, board, lock);
    if (!argv[3]) {
        l->faults = 0;
        return strdup ("ok");
    }
    int k = s_fault_kind (argv[3]);
    if (k < 0)
        return s_printf ("error unknown fault '%s'", argv[3]);
    l->faults &= ~(1u << k);
    return strdup ("ok");
}

static char *
s_cmd_noise (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)now_ms, (void)quit;
    int n;
    if (s_int (argv[1], 1, 4096, &n))
        return s_printf ("error noise wants a byte count 1..4096");
    uint8_t junk[4096];
    for (int i = 0; i < n; i++)
        junk[i] = (uint8_t)s_random (self);
    s_log_frame (self, "tx", junk, (size_t)(n < 64 ? n : 64), "(noise)");
    self->writer (self->writer_arg, junk, (size_t)n);
    return strdup ("ok");
}

static char *
s_cmd_quit (vault_sim_t *self, char **argv, int64_t now_ms, bool *quit)
{
    (void)self, (void)argv, (void)now_ms;
    *quit = true;
    return strdup ("ok");
}

//  The control commands: name, arguments required, arguments allowed, handler.
#define S_COMMANDS(X)              \
    X ("close", 2, 2, s_cmd_close) \
    X ("open", 2, 2, s_cmd_open)   \
    X ("put", 2, 2, s_cmd_put)     \
    X ("take", 2, 2, s_cmd_take)   \
    X ("state", 0, 0, s_cmd_state) \
    X ("fault", 3, 3, s_cmd_fault) \
    X ("clear", 2, 3, s_cmd_clear) \
    X ("noise", 1, 1, s_cmd_noise) \
    X ("quit", 0, 0, s_cmd_quit)

static const struct {
    const char *name;
    int min_args;
    int max_args;
    s_command_fn *fn;
} s_commands[] = {
#define X(name, min, max, fn) {name, min, max, fn},
    S_COMMANDS (X)
#undef X
};

char *
vault_sim_control (vault_sim_t *self, const char *line, int64_t now_ms, bool *quit)
{
    *quit = false;
    char copy[256];
    if (strlen (line) >= sizeof copy)
        return strdup ("error line too long");
    strcpy (copy, line);
    char *argv[8] = {0};
    int argc = 0;
    char *save = NULL;
    for (char *tok = strtok_r (copy, " \t\r\n", &save); tok;
         tok = strtok_r (NULL, " \t\r\n", &save)) {
        if (argc == 7)
            return strdup ("error too many arguments");
        argv[argc++] = tok;
    }
    if (argc == 0)
        return strdup ("error empty command");
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        if (strcmp (argv[0], s_commands[i].name) != 0)
            continue;
        if (argc - 1 < s_commands[i].min_args || argc - 1 > s_commands[i].max_args)
            return s_printf ("error %s takes %d%s argument%s", argv[0], s_commands[i].min_args,
                             s_commands[i].max_args > s_commands[i].min_args ? " or more" : "",
                             s_commands[i].min_args == 1 ? "" : "s");
        return s_commands[i].fn (self, argv, now_ms, quit);
    }
    return s_printf ("error unknown command '%s'", argv[0]);
}

static json_t *
s_fault_list (unsigned faults)
{
    json_t *list = json_array ();
    for (int k = 0; k < VAULT_SIM_FAULT_COUNT; k++)
        if (faults & (1u << k))
            json_array_append_new (list, json_string (s_fault_names[k]));
    return list;
}

char *
vault_sim_state_json (const vault_sim_t *self)
{
    json_t *doors = json_array ();
    json_t *board_faults = json_array ();
    json_t *per_board = json_array ();
    for (int board = 1; board <= self->boards; board++) {
        unsigned bf = s_at (self, board, 0)->faults;
        if (bf)
            json_array_append_new (board_faults, json_pack ("{s:i, s:o}", "board", board, "faults",
                                                            s_fault_list (bf)));
        const s_board_t *b = &self->board[board];
        json_array_append_new (per_board,
                               json_pack ("{s:i, s:i, s:b, s:i}", "board", board, "locks", b->locks,
                                          "busy", b->busy, "clears", (int)b->clears));
        for (int lock = 1; lock <= b->locks; lock++) {
            const s_lock_t *l = s_at (self, board, lock);
            json_array_append_new (doors, json_pack ("{s:i, s:i, s:b, s:b, s:b, s:i, s:b, s:o}",
                                                     "board", board, "lock", lock, "open", l->open,
                                                     "occupied", l->occupied, "forced", l->forced,
                                                     "pulses", (int)l->pulses, "auto_pending",
                                                     l->auto_toggle_at || l->auto_close_at,
                                                     "faults", s_fault_list (l->faults)));
        }
    }
    json_t *root =
        json_pack ("{s:s, s:i, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
                   "protocol", self->proto == VAULT_PROTO_8A ? "8a" : "cu16", "boards",
                   self->boards, "locks", self->locks, "auto_ms", self->auto_ms, "baud", self->baud,
                   "open_ms", self->open_ms, "frames_in", (json_int_t)self->frames_in, "frames_out",
                   (json_int_t)self->frames_out, "ignored", (json_int_t)self->ignored,
                   "bytes_discarded", (json_int_t)vault_parser_discarded (self->parser),
                   "bad_frames", (json_int_t)vault_parser_bad_frames (self->parser), "misframed",
                   (json_int_t)self->misframed, "doors", doors, "board_faults", board_faults,
                   "per_board", per_board);
    char *text = root ? json_dumps (root, JSON_COMPACT) : NULL;
    json_decref (root);
    return text ? text : strdup ("{}");
}
