/*  vault_bus.c — see vault_bus.h. */
#include "vault_bus.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_log.h"
#include "proto_text.h"

//  One board in use: what the thread last read, and what it last reported.
typedef struct {
    int board;                         //  address
    uint32_t slots;                    //  locks that have a slot (8A: the locks queried)
    uint32_t open, occupied;           //  last answers
    uint32_t known;                    //  locks that answered at least once
    uint32_t offline;                  //  locks with VAULT_BUS_MISSES misses in a row
    int misses[VAULT_8A_MAX_LOCK + 1]; //  misses in a row per lock (CU16: [0], the board)
    bool has_occupancy;                //  CU16
    bool reported;                     //  reported at least once
    vault_bus_event_t last;            //  the last reading reported
    char error[200];                   //  the last failure on this board
} s_board_t;

typedef struct {
    int board, lock;
} s_unlock_t;

struct vault_bus {
    vault_board_t *line;        //  the driver, the thread's alone once started
    const vault_config_t *cfg;  //  timeouts and tries, the poll period
    s_board_t *boards;          //  boards in use
    int nboards;                //  how many
    pthread_t thread;           //  the board thread
    bool started;               //  the thread runs
    pthread_mutex_t lock;       //  guards what follows
    pthread_cond_t wake;        //  an unlock asked for, or stop
    bool stop;                  //  the thread should end
    s_unlock_t unlocks[64];     //  unlocks asked for, oldest first
    int nunlocks;               //  how many
    vault_bus_event_t *events;  //  events for the control loop, oldest first
    size_t nevents, events_cap; //  used, allocated
};

//  Queues an event for the control loop.
static void
s_post (vault_bus_t *self, const vault_bus_event_t *ev)
{
    pthread_mutex_lock (&self->lock);
    if (self->nevents == self->events_cap) {
        size_t cap = self->events_cap ? self->events_cap * 2 : 32;
        vault_bus_event_t *bigger = realloc (self->events, cap * sizeof *bigger);
        if (bigger) {
            self->events = bigger;
            self->events_cap = cap;
        }
    }
    if (self->nevents < self->events_cap)
        self->events[self->nevents++] = *ev;
    else
        log_error ("board thread: out of memory, a reading of board %d is lost", ev->board);
    pthread_mutex_unlock (&self->lock);
}

//  The board's entry, made if new.
static s_board_t *
s_board (vault_bus_t *self, int board)
{
    for (int i = 0; i < self->nboards; i++)
        if (self->boards[i].board == board)
            return &self->boards[i];
    s_board_t *b = &self->boards[self->nboards++];
    memset (b, 0, sizeof *b);
    b->board = board;
    return b;
}

vault_bus_t *
vault_bus_new (vault_board_t *board, const vault_config_t *config)
{
    vault_bus_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->boards = calloc ((size_t)config->nslots, sizeof *self->boards);
    if (!self->boards) {
        free (self);
        return NULL;
    }
    self->line = board;
    self->cfg = config;
    pthread_mutex_init (&self->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->wake, &attr);
    pthread_condattr_destroy (&attr);
    for (int i = 0; i < config->nslots; i++)
        s_board (self, config->slots[i].board)->slots |= 1u << (config->slots[i].lock - 1);
    int64_t wire_ms = (vault_config_round_us (config) + 999) / 1000;
    if (wire_ms > config->poll_ms)
        log_warn ("poll_ms %d cannot be met: %d %s board%s with %d slots need %lld ms of wire "
                  "time a round at %d baud (docs/LOCKBOARDS.md); the doors are read every "
                  "%d ms at best",
                  config->poll_ms, self->nboards,
                  config->protocol == VAULT_PROTO_8A ? "8A" : "CU16", self->nboards == 1 ? "" : "s",
                  config->nslots, (long long)wire_ms, config->baud, (int)wire_ms);
    return self;
}

void
vault_bus_destroy (vault_bus_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    vault_bus_t *self = *self_p;
    if (self->started) {
        pthread_mutex_lock (&self->lock);
        self->stop = true;
        pthread_cond_signal (&self->wake);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);
    }
    pthread_cond_destroy (&self->wake);
    pthread_mutex_destroy (&self->lock);
    free (self->events);
    free (self->boards);
    free (self);
    *self_p = NULL;
}

void
vault_bus_unlock (vault_bus_t *self, int board, int lock)
{
    pthread_mutex_lock (&self->lock);
    bool room = self->nunlocks < (int)(sizeof self->unlocks / sizeof self->unlocks[0]);
    if (room)
        self->unlocks[self->nunlocks++] = (s_unlock_t){board, lock};
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
    if (!room) {
        vault_bus_event_t ev = {.kind = VAULT_BUS_UNLOCKED, .board = board, .lock = lock, .rc = -1};
        snprintf (ev.error, sizeof ev.error, "too many unlocks waiting for the line: not sent");
        s_post (self, &ev);
    }
}

bool
vault_bus_next (vault_bus_t *self, vault_bus_event_t *out)
{
    pthread_mutex_lock (&self->lock);
    bool got = self->nevents > 0;
    if (got) {
        *out = self->events[0];
        memmove (self->events, self->events + 1, (self->nevents - 1) * sizeof *self->events);
        self->nevents--;
    }
    pthread_mutex_unlock (&self->lock);
    return got;
}

//  Sends the unlocks asked for so far, each reported back.
static void
s_unlocks (vault_bus_t *self)
{
    while (true) {
        pthread_mutex_lock (&self->lock);
        bool any = self->nunlocks > 0;
        s_unlock_t u = any ? self->unlocks[0] : (s_unlock_t){0, 0};
        if (any)
            memmove (self->unlocks, self->unlocks + 1,
                     (size_t)--self->nunlocks * sizeof self->unlocks[0]);
        pthread_mutex_unlock (&self->lock);
        if (!any)
            return;
        vault_board_set_timeout (self->line, self->cfg->timeout_ms, self->cfg->tries);
        vault_bus_event_t ev = {.kind = VAULT_BUS_UNLOCKED, .board = u.board, .lock = u.lock};
        ev.rc = vault_board_unlock (self->line, u.board, u.lock);
        if (ev.rc != 0)
            snprintf (ev.error, sizeof ev.error, "%s", vault_board_error (self->line));
        s_post (self, &ev);
    }
}

//  One request's outcome for the locks in `bits`: answered, or one more miss.
static void
s_answer (s_board_t *b, uint32_t bits, int *misses, bool answered, const char *error)
{
    if (answered) {
        *misses = 0;
        b->known |= bits;
        b->offline &= ~bits;
        return;
    }
    snprintf (b->error, sizeof b->error, "%s", error);
    if (*misses < VAULT_BUS_MISSES)
        (*misses)++;
    if (*misses >= VAULT_BUS_MISSES)
        b->offline |= bits;
}

//  Reads one board: each slot's lock of an 8A board, the whole CU16 board at once. Unlocks
//  asked for meanwhile go out between two requests.
static void
s_read_board (vault_bus_t *self, s_board_t *b)
{
    vault_board_t *line = self->line;
    if (self->cfg->protocol == VAULT_PROTO_CU16) {
        s_unlocks (self);
        vault_board_set_timeout (line, self->cfg->timeout_ms, b->offline ? 1 : self->cfg->tries);
        vault_board_status_t st;
        bool ok = vault_board_status (line, b->board, &st) == 0;
        if (ok) {
            b->open = st.open;
            b->occupied = st.occupied;
            b->has_occupancy = st.has_occupancy;
        }
        s_answer (b, b->slots, &b->misses[0], ok, vault_board_error (line));
        return;
    }
    for (int lock = 1; lock <= VAULT_8A_MAX_LOCK; lock++) {
        uint32_t bit = 1u << (lock - 1);
        if (!(b->slots & bit))
            continue;
        s_unlocks (self);
        vault_board_set_timeout (line, self->cfg->timeout_ms,
                                 (b->offline & bit) ? 1 : self->cfg->tries);
        bool open;
        bool ok = vault_board_query (line, b->board, lock, &open) == 0;
        if (ok)
            b->open = open ? b->open | bit : b->open & ~bit;
        s_answer (b, bit, &b->misses[lock], ok, vault_board_error (line));
    }
}

//  Reports the board's reading if anything in it changed since the last report.
static void
s_report (vault_bus_t *self, s_board_t *b)
{
    vault_bus_event_t ev = {.kind = VAULT_BUS_READING,
                            .board = b->board,
                            .open = b->open & b->known,
                            .occupied = b->occupied & b->known,
                            .known = b->known,
                            .offline = b->offline,
                            .has_occupancy = b->has_occupancy};
    if (b->offline)
        snprintf (ev.error, sizeof ev.error, "%s", b->error);
    if (b->reported && ev.open == b->last.open && ev.occupied == b->last.occupied &&
        ev.known == b->last.known && ev.offline == b->last.offline)
        return;
    b->reported = true;
    b->last = ev;
    s_post (self, &ev);
}

//  Reads every board once and reports what changed.
static void
s_round (vault_bus_t *self)
{
    for (int i = 0; i < self->nboards; i++) {
        s_read_board (self, &self->boards[i]);
        s_report (self, &self->boards[i]);
    }
}

void
vault_bus_first_round (vault_bus_t *self, bool unlock_in_flight)
{
    if (unlock_in_flight)
        vault_board_drain (self->line, self->cfg->unlock_timeout_ms);
    s_round (self);
}

//  Waits until `next` (monotonic ms), sending unlocks as they are asked for. False when the
//  thread should stop.
static bool
s_wait_until (vault_bus_t *self, int64_t next)
{
    //  Monotonic milliseconds, as the condition's clock counts.
    struct timespec until = {.tv_sec = (time_t)(next / 1000),
                             .tv_nsec = (long)(next % 1000) * 1000000};
    while (true) {
        s_unlocks (self);
        pthread_mutex_lock (&self->lock);
        int rc = 0;
        while (!self->stop && self->nunlocks == 0 && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait (&self->wake, &self->lock, &until);
        bool stop = self->stop, more = self->nunlocks > 0;
        pthread_mutex_unlock (&self->lock);
        if (stop)
            return false;
        if (!more)
            return true;
    }
}

//  A round every poll period, start to start; a round that overran is followed at once.
static void *
s_run (void *arg)
{
    vault_bus_t *self = arg;
    int64_t next = proto_mono_ms () + self->cfg->poll_ms;
    while (s_wait_until (self, next)) {
        int64_t now = proto_mono_ms ();
        next = next + self->cfg->poll_ms > now ? next + self->cfg->poll_ms : now;
        s_round (self);
    }
    return NULL;
}

int
vault_bus_start (vault_bus_t *self)
{
    if (self->started)
        return 0;
    int rc = pthread_create (&self->thread, NULL, s_run, self);
    if (rc != 0) {
        log_error ("board thread: cannot start: %s", strerror (rc));
        return -1;
    }
    self->started = true;
    return 0;
}
