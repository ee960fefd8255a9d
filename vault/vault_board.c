/*  vault_board.c — see vault_board.h. */
#include "vault_board.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

//  A board's time to start answering, beyond the wire time: a margin, not from a data sheet.
#define S_TURNAROUND_MS 30

struct vault_board {
    char *path;            //  serial device, kept to reopen it
    speed_t speed;         //  termios speed constant
    int baud;              //  the same in bits per second
    vault_proto_t proto;   //  frame family of every board on the line
    int fd;                //  the line; -1 after a hang-up, reopened on next request
    int timeout_ms;        //  reply timeout per try
    int unlock_timeout_ms; //  reply timeout per try of an unlock; 0 = timeout_ms
    int tries;             //  tries per request
    int nlocks;            //  locks per 8A board read by status, unless set per board
    uint8_t board_locks[VAULT_8A_BOARDS + 1]; //  locks of one 8A board; 0 = nlocks
    bool inverted;                            //  8A door switches wired the other way round
    vault_parser_t *parser;          //  reply parser, kept across requests for its counters
    uint64_t drained;                //  stale bytes thrown away before requests
    vault_board_counters_t counters; //  sent, replies, timeouts, unmatched, reopened
    char error[256];                 //  last failure
};

static void s_set_error (vault_board_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_set_error (vault_board_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (self->error, sizeof self->error, fmt, ap);
    va_end (ap);
}

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
s_speed (int baud, speed_t *speed)
{
    switch (baud) {
    case 1200: *speed = B1200; return 0;
    case 2400: *speed = B2400; return 0;
    case 4800: *speed = B4800; return 0;
    case 9600: *speed = B9600; return 0;
    case 19200: *speed = B19200; return 0;
    case 38400: *speed = B38400; return 0;
    case 57600: *speed = B57600; return 0;
    case 115200: *speed = B115200; return 0;
    default: return -1;
    }
}

//  Opens and configures the line: raw bytes (no echo, no signals from 0x03, no XON/XOFF
//  eating 0x11 and 0x13, no CR/LF mapping), 8N1, receiver on, modem lines ignored, reads
//  that never block (VMIN = VTIME = 0; we wait with poll).
static int
s_open_line (const char *path, speed_t speed, char *err, size_t err_size)
{
    int fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf (err, err_size, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf (err, err_size, "%s is in use by another program: %s", path,
                  errno == EWOULDBLOCK ? "locked" : strerror (errno));
        close (fd);
        return -1;
    }
    struct termios tio;
    if (tcgetattr (fd, &tio) != 0) {
        snprintf (err, err_size, "%s is not a serial device: %s", path, strerror (errno));
        close (fd);
        return -1;
    }
    cfmakeraw (&tio);
    tio.c_iflag &= ~(unsigned)(IXON | IXOFF | IXANY | INPCK | ISTRIP);
    tio.c_iflag |= IGNBRK;
    tio.c_cflag &= ~(unsigned)(CSIZE | PARENB | CSTOPB | CRTSCTS | HUPCL);
    tio.c_cflag |= CS8 | CLOCAL | CREAD;
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed (&tio, speed) != 0 || cfsetospeed (&tio, speed) != 0 ||
        tcsetattr (fd, TCSANOW, &tio) != 0) {
        snprintf (err, err_size, "cannot configure %s: %s", path, strerror (errno));
        close (fd);
        return -1;
    }
    tcflush (fd, TCIOFLUSH);
    return fd;
}

vault_board_t *
vault_board_open (const char *path, int baud, vault_proto_t proto, char *err, size_t err_size)
{
    char dummy[8];
    if (!err || err_size == 0) {
        err = dummy;
        err_size = sizeof dummy;
    }
    err[0] = '\0';
    speed_t speed;
    if (!path || !*path) {
        snprintf (err, err_size, "no serial device given");
        return NULL;
    }
    if (s_speed (baud, &speed) != 0) {
        snprintf (err, err_size, "unsupported baud rate %d", baud);
        return NULL;
    }
    if (proto != VAULT_PROTO_8A && proto != VAULT_PROTO_CU16) {
        snprintf (err, err_size, "unknown board protocol %d", (int)proto);
        return NULL;
    }
    vault_board_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->fd = -1;
    self->path = strdup (path);
    self->parser = vault_parser_new (proto);
    if (!self->path || !self->parser) {
        snprintf (err, err_size, "out of memory");
        vault_board_close (&self);
        return NULL;
    }
    self->speed = speed;
    self->baud = baud;
    self->proto = proto;
    self->timeout_ms = 150;
    self->tries = 3;
    self->nlocks = 24;
    //  Real 8A boards answer an open after the lock has moved, about a second later.
    self->unlock_timeout_ms = proto == VAULT_PROTO_8A ? 1500 : 0;
    self->fd = s_open_line (path, speed, err, err_size);
    if (self->fd < 0) {
        vault_board_close (&self);
        return NULL;
    }
    return self;
}

void
vault_board_close (vault_board_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    vault_board_t *self = *self_p;
    if (self->fd >= 0)
        close (self->fd);
    vault_parser_destroy (&self->parser);
    free (self->path);
    free (self);
    *self_p = NULL;
}

void
vault_board_set_timeout (vault_board_t *self, int timeout_ms, int tries)
{
    self->timeout_ms = timeout_ms < 1 ? 1 : timeout_ms;
    self->tries = tries < 1 ? 1 : tries;
}

void
vault_board_set_unlock_timeout (vault_board_t *self, int timeout_ms)
{
    self->unlock_timeout_ms = timeout_ms < 0 ? 0 : timeout_ms;
}

void
vault_board_set_locks (vault_board_t *self, int nlocks)
{
    if (nlocks < 1)
        nlocks = 1;
    if (nlocks > VAULT_8A_MAX_LOCK)
        nlocks = VAULT_8A_MAX_LOCK;
    self->nlocks = nlocks;
}

void
vault_board_set_board_locks (vault_board_t *self, int board, int nlocks)
{
    if (board < 1 || board > VAULT_8A_BOARDS)
        return;
    if (nlocks < 0)
        nlocks = 0;
    if (nlocks > VAULT_8A_MAX_LOCK)
        nlocks = VAULT_8A_MAX_LOCK;
    self->board_locks[board] = (uint8_t)nlocks;
}

void
vault_board_set_inverted (vault_board_t *self, bool inverted)
{
    self->inverted = inverted;
}

const char *
vault_board_error (const vault_board_t *self)
{
    return self->error;
}

void
vault_board_counters (const vault_board_t *self, vault_board_counters_t *out)
{
    *out = self->counters;
    out->bad = vault_parser_bad_frames (self->parser);
    out->discarded = vault_parser_discarded (self->parser) + self->drained;
}

//  The line hung up or failed: close it; the next request reopens the path (a USB adapter
//  plugged back in, a simulator restarted behind the same symlink).
static void
s_break (vault_board_t *self)
{
    if (self->fd >= 0)
        close (self->fd);
    self->fd = -1;
}

static int
s_ensure_line (vault_board_t *self)
{
    if (self->fd >= 0)
        return 0;
    char err[200];
    self->fd = s_open_line (self->path, self->speed, err, sizeof err);
    if (self->fd < 0) {
        s_set_error (self, "%s", err);
        return -1;
    }
    self->counters.reopened++;
    return 0;
}

//  Throws away whatever arrived before the request: a late reply to an earlier try, noise.
static void
s_flush (vault_board_t *self)
{
    tcflush (self->fd, TCIFLUSH);
    uint8_t buf[256];
    ssize_t n;
    while ((n = read (self->fd, buf, sizeof buf)) > 0)
        self->drained += (uint64_t)n;
    vault_parser_reset (self->parser);
}

//  Writes the whole frame before `deadline`. 1 written, 0 out of time, -1 line failed.
static int
s_write (vault_board_t *self, const vault_frame_t *req, int64_t deadline)
{
    size_t done = 0;
    while (done < req->size) {
        ssize_t n = write (self->fd, req->data + done, req->size - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        int64_t left = deadline - s_now_ms ();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = self->fd, .events = POLLOUT};
        int rc = poll (&pfd, 1, (int)left);
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
            errno = EIO;
            return -1;
        }
    }
    //  No tcdrain: it can wait without bound on a stuck adapter; the bytes are queued.
    return 1;
}

//  What a request expects back.
typedef struct {
    const vault_frame_t *req; //  the request
    bool (*match) (const vault_frame_t *req, const vault_frame_t *reply);
    const char *what; //  "open", "status" for messages
    int timeout_ms;   //  per try
} s_expect_t;

static bool
s_match_8a_open (const vault_frame_t *req, const vault_frame_t *reply)
{
    //  The documented ack is the echo `8A BB LL 11`; some boards answer `80 BB LL SS` with
    //  the door state instead. Either acknowledges; the state byte is not trusted here.
    return (reply->head == VAULT_8A_HEAD_OPEN || reply->head == VAULT_8A_HEAD_QUERY) &&
           reply->board == req->board && reply->lock == req->lock &&
           (reply->cmd == VAULT_8A_DOOR_OPEN || reply->cmd == VAULT_8A_DOOR_CLOSED);
}

static bool
s_match_8a_query (const vault_frame_t *req, const vault_frame_t *reply)
{
    //  A reply's fourth byte is a door state; 33 would be our own query echoed back.
    return reply->head == VAULT_8A_HEAD_QUERY && reply->board == req->board &&
           reply->lock == req->lock &&
           (reply->cmd == VAULT_8A_DOOR_OPEN || reply->cmd == VAULT_8A_DOOR_CLOSED);
}

static bool
s_match_cu16 (const vault_frame_t *req, const vault_frame_t *reply)
{
    //  Both 30 and 31 are answered with the board's 35 status frame. Only the board nibble
    //  is matched: boards are not known to echo the lock nibble.
    return reply->cmd == VAULT_CU16_CMD_REPLY && reply->board == req->board;
}

//  Reads what the line delivers until a frame `match`es `req` or `deadline` passes.
//  1 with `reply` filled, 0 out of time, -1 the line failed (error set, line closed).
static int
s_await (vault_board_t *self, const vault_frame_t *req,
         bool (*match) (const vault_frame_t *req, const vault_frame_t *reply), int64_t deadline,
         const char *who, vault_frame_t *reply)
{
    while (true) {
        int64_t left = deadline - s_now_ms ();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = self->fd, .events = POLLIN};
        int rc = poll (&pfd, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0) {
            s_set_error (self, "%s: poll on %s: %s", who, self->path, strerror (errno));
            s_break (self);
            return -1;
        }
        if (rc == 0)
            return 0;
        if (!(pfd.revents & POLLIN)) {
            s_set_error (self, "%s: serial line %s hung up", who, self->path);
            s_break (self);
            return -1;
        }
        uint8_t buf[256];
        ssize_t n = read (self->fd, buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n <= 0) {
            s_set_error (self, "%s: serial line %s: %s", who, self->path,
                         n == 0 ? "hung up" : strerror (errno));
            s_break (self);
            return -1;
        }
        const uint8_t *p = buf;
        size_t size = (size_t)n;
        vault_frame_t frame;
        while (vault_parser_next (self->parser, &p, &size, &frame)) {
            if (match (req, &frame)) {
                self->counters.replies++;
                *reply = frame;
                return 1;
            }
            self->counters.unmatched++;
        }
    }
}

//  "board 2 lock 3" or "board 2", for messages about `req`.
static void
s_who (const vault_board_t *self, const vault_frame_t *req, char *who, size_t size)
{
    if (self->proto == VAULT_PROTO_8A || req->cmd == VAULT_CU16_CMD_UNLOCK)
        snprintf (who, size, "board %d lock %d", req->board, req->lock);
    else
        snprintf (who, size, "board %d", req->board);
}

//  One request with retries. 0 and `reply` filled, or -1 with the error set.
static int
s_transact (vault_board_t *self, const s_expect_t *expect, vault_frame_t *reply)
{
    const vault_frame_t *req = expect->req;
    char who[48];
    s_who (self, req, who, sizeof who);
    if (s_ensure_line (self) != 0)
        return -1;
    bool corrupt = false;
    for (int attempt = 0; attempt < self->tries; attempt++) {
        s_flush (self);
        int64_t deadline = s_now_ms () + expect->timeout_ms;
        int wrote = s_write (self, req, deadline);
        if (wrote < 0) {
            s_set_error (self, "%s: cannot write to %s: %s", who, self->path, strerror (errno));
            s_break (self);
            return -1;
        }
        if (wrote == 0) {
            self->counters.timeouts++;
            continue;
        }
        self->counters.sent++;
        uint64_t bad_before = vault_parser_bad_frames (self->parser);
        int got = s_await (self, req, expect->match, deadline, who, reply);
        if (got < 0)
            return -1;
        if (got > 0)
            return 0;
        self->counters.timeouts++;
        if (vault_parser_bad_frames (self->parser) > bad_before)
            corrupt = true;
    }
    s_set_error (self, "%s: %s to %s after %d tries of %d ms", who,
                 corrupt ? "corrupt replies (bad checksum)" : "no reply", expect->what, self->tries,
                 expect->timeout_ms);
    return -1;
}

static bool
s_match_cu16_any (const vault_frame_t *req, const vault_frame_t *reply)
{
    return reply->board == req->board;
}

//  After a CU16 unlock: `02 AA 38 03 SS` to the board (lock nibble 0), as the public KR-CU16
//  module does to clear the board's BUSY state. What a board answers is not documented: any
//  frame from it ends the wait; silence is accepted after the time the frame and a status
//  reply take on the wire plus S_TURNAROUND_MS (at most one status timeout), so that an
//  answer is over before the next request. Sent once, whatever became of the unlock.
static void
s_clear_busy (vault_board_t *self, int board)
{
    vault_frame_t req, reply;
    if (self->fd < 0 || vault_frame_cu16 (&req, board, 1, VAULT_CU16_CMD_CLEAR) != 0)
        return;
    char who[48];
    snprintf (who, sizeof who, "board %d", board);
    s_flush (self);
    int64_t quiet = vault_frame_wire_us (self->baud, VAULT_CU16_REQ_SIZE + VAULT_CU16_REPLY_SIZE);
    quiet = (quiet + 999) / 1000 + S_TURNAROUND_MS;
    int64_t deadline = s_now_ms () + (quiet < self->timeout_ms ? quiet : self->timeout_ms);
    int wrote = s_write (self, &req, deadline);
    if (wrote < 0) {
        s_set_error (self, "%s: cannot write to %s: %s", who, self->path, strerror (errno));
        s_break (self);
        return;
    }
    if (wrote == 0)
        return;
    self->counters.sent++;
    self->counters.cleared++;
    s_await (self, &req, s_match_cu16_any, deadline, who, &reply);
}

//  True if `board` and `lock` (0 with `whole`: the board as a whole) can be addressed on
//  this line; otherwise the error says why.
static bool
s_addressable (vault_board_t *self, int board, int lock, bool whole)
{
    bool cu16 = self->proto == VAULT_PROTO_CU16;
    int boards = cu16 ? VAULT_CU16_BOARDS : VAULT_8A_BOARDS;
    int locks = cu16 ? VAULT_CU16_LOCKS : VAULT_8A_MAX_LOCK;
    if (board >= 1 && board <= boards && lock >= (whole ? 0 : 1) && lock <= locks)
        return true;
    if (cu16 && board == VAULT_CU16_MAX_BOARD)
        s_set_error (self, "CU16 board 16 (DIP 15) is not used: its status request and lock 1 "
                           "would carry ADDR F0, the broadcast address");
    else
        s_set_error (self, "no board %d lock %d on a%s line (boards 1..%d, locks 1..%d)", board,
                     lock, cu16 ? " CU16" : "n 8A", boards, locks);
    return false;
}

int
vault_board_unlock (vault_board_t *self, int board, int lock)
{
    vault_frame_t req, reply;
    s_expect_t expect = {.req = &req,
                         .what = "open",
                         .timeout_ms =
                             self->unlock_timeout_ms ? self->unlock_timeout_ms : self->timeout_ms};
    if (!s_addressable (self, board, lock, false))
        return -1;
    if (self->proto == VAULT_PROTO_8A) {
        vault_frame_8a_open (&req, board, lock);
        expect.match = s_match_8a_open;
        return s_transact (self, &expect, &reply);
    }
    vault_frame_cu16 (&req, board, lock, VAULT_CU16_CMD_UNLOCK);
    expect.match = s_match_cu16;
    uint64_t sent = self->counters.sent;
    int rc = s_transact (self, &expect, &reply);
    if (self->counters.sent > sent) {
        char error[sizeof self->error];
        memcpy (error, self->error, sizeof error);
        s_clear_busy (self, board);
        memcpy (self->error, error, sizeof error); //  the unlock's outcome is what counts
    }
    return rc;
}

void
vault_board_drain (vault_board_t *self, int ms)
{
    if (s_ensure_line (self) != 0)
        return;
    int64_t deadline = s_now_ms () + ms;
    int64_t left;
    while ((left = deadline - s_now_ms ()) > 0) {
        struct pollfd pfd = {.fd = self->fd, .events = POLLIN};
        int rc = poll (&pfd, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0 || !(pfd.revents & POLLIN))
            break;
        uint8_t buf[256];
        ssize_t n = read (self->fd, buf, sizeof buf);
        if (n > 0)
            self->drained += (uint64_t)n;
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            break;
    }
    if (left > 0) //  the line failed: wait out the rest, the next request reopens it
        poll (NULL, 0, (int)left);
    vault_parser_reset (self->parser);
}

int
vault_board_query (vault_board_t *self, int board, int lock, bool *open)
{
    *open = false;
    if (self->proto != VAULT_PROTO_8A) {
        s_set_error (self, "a single door is read on 8A lines only");
        return -1;
    }
    if (!s_addressable (self, board, lock, false))
        return -1;
    vault_frame_t req, reply;
    s_expect_t expect = {
        .req = &req, .what = "status", .timeout_ms = self->timeout_ms, .match = s_match_8a_query};
    vault_frame_8a_query (&req, board, lock);
    if (s_transact (self, &expect, &reply) != 0)
        return -1;
    *open = (reply.cmd == VAULT_8A_DOOR_OPEN) != self->inverted;
    return 0;
}

int
vault_board_locks (const vault_board_t *self, int board)
{
    if (self->proto == VAULT_PROTO_CU16)
        return VAULT_CU16_LOCKS;
    if (board >= 1 && board <= VAULT_8A_BOARDS && self->board_locks[board])
        return self->board_locks[board];
    return self->nlocks;
}

int
vault_board_status (vault_board_t *self, int board, vault_board_status_t *out)
{
    memset (out, 0, sizeof *out);
    if (!s_addressable (self, board, 0, true))
        return -1;
    vault_frame_t req, reply;
    s_expect_t expect = {.req = &req, .what = "status", .timeout_ms = self->timeout_ms};
    if (self->proto == VAULT_PROTO_CU16) {
        vault_frame_cu16 (&req, board, 1, VAULT_CU16_CMD_STATUS);
        expect.match = s_match_cu16;
        if (s_transact (self, &expect, &reply) != 0)
            return -1;
        out->nlocks = VAULT_CU16_LOCKS;
        out->open = (uint32_t)(~reply.latched & 0xFFFFu);
        out->occupied = reply.infrared;
        out->has_occupancy = true;
        return 0;
    }
    vault_board_status_t status = {.nlocks = vault_board_locks (self, board)};
    for (int lock = 1; lock <= status.nlocks; lock++) {
        bool open;
        if (vault_board_query (self, board, lock, &open) != 0)
            return -1;
        if (open)
            status.open |= 1u << (lock - 1);
    }
    *out = status;
    return 0;
}
