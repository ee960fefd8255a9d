/*  broker_check.c — see broker_check.h. */
#include "broker_check.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto_log.h"

//  Problems logged one by one; beyond this many only counted (a scrambled journal page
//  would otherwise print thousands of lines).
#define CHECK_LOGGED 50

//  Databases whose values are JSON.
static const bool s_json[BROKER_DB_COUNT] = {
    [BROKER_DB_TICKETS] = true,      [BROKER_DB_EVENTS] = true,  [BROKER_DB_COUNTERS] = true,
    [BROKER_DB_STATS] = true,        [BROKER_DB_CASES] = true,   [BROKER_DB_CABINETS] = true,
    [BROKER_DB_CABINET_CMDS] = true, [BROKER_DB_NOTICES] = true, [BROKER_DB_RECTIFY] = true,
    [BROKER_DB_RATINGS] = true,      [BROKER_DB_DEVICES] = true, [BROKER_DB_APPTS] = true,
};

//  ... and of those, the history that grows for ever: walked and parsed only by a thorough
//  check (--check); at start the passes read what the hall loads of it (live tickets, open
//  cases, today's events), so a start costs the same with a million cases as with none.
static const bool s_history[BROKER_DB_COUNT] = {
    [BROKER_DB_TICKETS] = true, [BROKER_DB_EVENTS] = true,  [BROKER_DB_CASES] = true,
    [BROKER_DB_NOTICES] = true, [BROKER_DB_RECTIFY] = true, [BROKER_DB_RATINGS] = true,
    [BROKER_DB_APPTS] = true,
};

static const char *s_db_names[] = {
#define X(id, name, desc) name,
    BROKER_DBS (X)
#undef X
};

typedef struct {
    broker_store_t *store;
    bool thorough;
    FILE *report;
    int problems;
} s_check_t;

//  A ticket as the pass compares it: its state, number and whether that state is final.
typedef struct {
    uint64_t id;
    size_t order; //  its place in the journal, to keep the last event of each ticket
    char state[16];
    char number[16];
    bool final;
    bool unreadable; //  live, but its record could not be read (already a problem)
} s_ticket_t;

typedef struct {
    s_ticket_t *items;
    size_t n, cap;
} s_tickets_t;

static void
s_problem (s_check_t *self, const char *fmt, ...)
{
    if (++self->problems > CHECK_LOGGED)
        return;
    char text[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    log_error ("store check: %s", text);
}

static void
s_figure (s_check_t *self, const char *fmt, ...)
{
    if (!self->report)
        return;
    va_list ap;
    va_start (ap, fmt);
    vfprintf (self->report, fmt, ap);
    va_end (ap);
    fputc ('\n', self->report);
}

//  A new read transaction: LMDB ends a transaction at its first error (MDB_CORRUPTED, a
//  page not found), so each part of the pass, and each read after a failed one, starts
//  afresh rather than report the rest as failing too. False if none can be begun.
static bool
s_fresh (s_check_t *self)
{
    broker_store_abort (self->store);
    if (broker_store_begin (self->store, false) == 0)
        return true;
    s_problem (self, "cannot begin a read transaction");
    return false;
}

//  The signal that ended a read of the map: the store is damaged past what LMDB checks.
static void
s_on_fault (int sig)
{
    static const char bus[] = "broker: store check: reading data.mdb faulted (SIGBUS): the "
                              "store is damaged. Restore it from a backup (docs/OPERATIONS.md)\n";
    static const char segv[] = "broker: store check: reading data.mdb faulted (SIGSEGV): the "
                               "store is damaged. Restore it from a backup (docs/OPERATIONS.md)\n";
    if (write (STDERR_FILENO, sig == SIGBUS ? bus : segv,
               sig == SIGBUS ? sizeof bus - 1 : sizeof segv - 1) < 0)
        _exit (1);
    _exit (1);
}

//  Walks every database to its end: as many entries as LMDB counts, and each JSON value
//  parsed where the pass parses it. At start (not thorough) the history databases are not
//  walked: a walk reads every page of them, seconds for a store of a million cases, while
//  what the hall loads from them (live tickets, open cases, today's journal) is read by the
//  passes below; `--check` walks them all.
static void
s_walk_all (s_check_t *self)
{
    for (int db = 0; db < BROKER_DB_COUNT && s_fresh (self); db++) {
        if (!self->thorough && s_history[db]) {
            s_figure (self, "%-16s %zu entries, not walked at start", s_db_names[db],
                      broker_store_count (self->store, (broker_db_t)db));
            continue;
        }
        bool parse = s_json[db];
        size_t walked = 0, bad = 0;
        size_t counted = broker_store_count (self->store, (broker_db_t)db);
        broker_store_iter_t it;
        broker_store_scan (self->store, (broker_db_t)db, NULL, 0, &it);
        while (broker_store_next (&it)) {
            walked++;
            if (parse) {
                json_t *j = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
                bad += !json_is_object (j);
                json_decref (j);
            }
        }
        int rc = broker_store_scan_end (&it);
        if (rc)
            s_problem (self, "%s: the walk stopped after %zu of %zu entries: %s", s_db_names[db],
                       walked, counted, mdb_strerror (rc));
        else if (walked != counted)
            s_problem (self, "%s: %zu entries walked, but LMDB counts %zu", s_db_names[db], walked,
                       counted);
        if (bad)
            s_problem (self, "%s: %zu of %zu values are not readable JSON", s_db_names[db], bad,
                       walked);
        s_figure (self, "%-16s %zu entries%s", s_db_names[db], walked,
                  parse ? ", every value read" : "");
    }
}

//  The journal's keys run 1 .. last without a hole.
static void
s_journal (s_check_t *self)
{
    MDB_val k, v;
    uint64_t last = 0, first = 0;
    if (!s_fresh (self))
        return;
    if (broker_store_last (self->store, BROKER_DB_EVENTS, &k, &v) == 0 && k.mv_size == 8)
        last = broker_key_u64_read (k.mv_data);
    broker_store_iter_t it;
    broker_store_scan (self->store, BROKER_DB_EVENTS, NULL, 0, &it);
    if (broker_store_next (&it) && it.key.mv_size == 8)
        first = broker_key_u64_read (it.key.mv_data);
    broker_store_scan_end (&it);
    size_t n = broker_store_count (self->store, BROKER_DB_EVENTS);
    if (n && (first != 1 || last != n))
        s_problem (self, "journal: %zu events, but their sequence numbers run from %llu to %llu", n,
                   (unsigned long long)first, (unsigned long long)last);
    s_figure (self, "journal          events 1 .. %llu", (unsigned long long)last);
}

static s_ticket_t *
s_tickets_add (s_tickets_t *list)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 256;
        s_ticket_t *items = realloc (list->items, cap * sizeof *items);
        if (!items)
            return NULL;
        list->items = items;
        list->cap = cap;
    }
    return memset (&list->items[list->n++], 0, sizeof (s_ticket_t));
}

static int
s_ticket_cmp (const void *a, const void *b)
{
    const s_ticket_t *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static s_ticket_t *
s_tickets_find (const s_tickets_t *list, uint64_t id)
{
    //  Ids are unique in a list by the time it is searched.
    size_t lo = 0, hi = list->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (list->items[mid].id == id)
            return &list->items[mid];
        if (list->items[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

//  A ticket object (as stored, or as an event carries it) into `t`; -1 if it is not one.
//  Final as broker_ticket_final says: done, cancelled, expired, missed without grace.
static int
s_ticket_read (const json_t *j, s_ticket_t *t)
{
    memset (t, 0, sizeof *t);
    const char *state = json_string_value (json_object_get (j, "state"));
    const char *number = json_string_value (json_object_get (j, "number"));
    json_t *id = json_object_get (j, "id");
    if (!state || !number || !json_is_integer (id))
        return -1;
    t->id = (uint64_t)json_integer_value (id);
    snprintf (t->state, sizeof t->state, "%s", state);
    snprintf (t->number, sizeof t->number, "%s", number);
    t->final =
        strcmp (state, "done") == 0 || strcmp (state, "cancelled") == 0 ||
        strcmp (state, "expired") == 0 ||
        (strcmp (state, "missed") == 0 && !json_integer_value (json_object_get (j, "grace_until")));
    return 0;
}

//  The ids of the live tickets (LIVE's keys, in id order) into `ids`; their number.
static size_t
s_live_ids (s_check_t *self, uint64_t **ids)
{
    size_t n = 0, cap = broker_store_count (self->store, BROKER_DB_LIVE) + 1;
    *ids = malloc (cap * sizeof **ids);
    broker_store_iter_t it;
    broker_store_scan (self->store, BROKER_DB_LIVE, NULL, 0, &it);
    while (*ids && n < cap && broker_store_next (&it)) {
        if (it.key.mv_size == 8)
            (*ids)[n++] = broker_key_u64_read (it.key.mv_data);
        else
            s_problem (self, "live: a key of %zu bytes (ticket ids have 8)", it.key.mv_size);
    }
    int rc = broker_store_scan_end (&it);
    if (rc)
        s_problem (self, "live: the walk stopped after %zu tickets: %s", n, mdb_strerror (rc));
    return *ids ? n : 0;
}

//  The live tickets, each from its record.
static void
s_live (s_check_t *self, s_tickets_t *live)
{
    uint64_t *ids = NULL;
    size_t n = s_fresh (self) ? s_live_ids (self, &ids) : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char key[8];
        broker_key_u64 (ids[i], key);
        MDB_val v;
        int rc = broker_store_get (self->store, BROKER_DB_TICKETS, key, sizeof key, &v);
        json_t *j = rc ? NULL : json_loadb (v.mv_data, v.mv_size, 0, NULL);
        s_ticket_t t = {.id = ids[i], .unreadable = true};
        if (!j)
            s_problem (self, "live ticket %llu: its record is %s", (unsigned long long)ids[i],
                       rc == MDB_NOTFOUND ? "missing"
                       : rc               ? mdb_strerror (rc)
                                          : "not readable JSON");
        else if (s_ticket_read (j, &t) != 0 || t.id != ids[i]) {
            s_problem (self, "live ticket %llu: its record is not a ticket of that id",
                       (unsigned long long)ids[i]);
            t = (s_ticket_t){.id = ids[i], .unreadable = true};
        } else if (t.final)
            s_problem (self, "live ticket %llu (%s): its record is %s, a final state",
                       (unsigned long long)ids[i], t.number, t.state);
        s_ticket_t *slot = s_tickets_add (live);
        if (slot)
            *slot = t;
        json_decref (j);
        if (rc && rc != MDB_NOTFOUND && !s_fresh (self))
            break;
    }
    free (ids);
    s_figure (self, "live tickets     %zu", live->n);
}

//  The sequence of the current business day's first event (meta "day_seq"), 1 before the
//  first day began.
static uint64_t
s_day_seq (s_check_t *self)
{
    MDB_val v;
    char buf[24];
    if (broker_store_get (self->store, BROKER_DB_META, "day_seq", 7, &v) != 0 ||
        v.mv_size >= sizeof buf)
        return 1;
    memcpy (buf, v.mv_data, v.mv_size);
    buf[v.mv_size] = 0;
    uint64_t seq = strtoull (buf, NULL, 10);
    return seq ? seq : 1;
}

//  Today's journal: the last event naming each ticket (its top-level `ticket` object), in
//  `seen` sorted by id.
static void
s_today (s_check_t *self, s_tickets_t *seen)
{
    if (!s_fresh (self))
        return;
    uint64_t from = s_day_seq (self);
    unsigned char key[8];
    broker_key_u64 (from, key);
    broker_store_iter_t it;
    broker_store_scan_from (self->store, BROKER_DB_EVENTS, key, sizeof key, &it);
    size_t events = 0;
    while (broker_store_next (&it)) {
        events++;
        json_t *e = json_loadb (it.val.mv_data, it.val.mv_size, 0, NULL);
        s_ticket_t t;
        if (!json_is_object (e))
            s_problem (self, "journal: event %llu is not readable",
                       (unsigned long long)(it.key.mv_size == 8
                                                ? broker_key_u64_read (it.key.mv_data)
                                                : 0));
        else if (json_is_object (json_object_get (e, "ticket")) &&
                 s_ticket_read (json_object_get (e, "ticket"), &t) == 0) {
            t.order = events;
            s_ticket_t *slot = s_tickets_add (seen);
            if (slot)
                *slot = t;
        }
        json_decref (e);
    }
    int rc = broker_store_scan_end (&it);
    if (rc)
        s_problem (self, "journal: the walk of today's events stopped after %zu: %s", events,
                   mdb_strerror (rc));
    //  The last event of each ticket wins: sorted by id, then journal order, the last of
    //  each run is kept.
    if (seen->n)
        qsort (seen->items, seen->n, sizeof (s_ticket_t), s_ticket_cmp);
    size_t out = 0;
    for (size_t i = 0; i < seen->n; i++) {
        if (out && seen->items[out - 1].id == seen->items[i].id)
            out--;
        seen->items[out++] = seen->items[i];
    }
    seen->n = out;
    s_figure (self, "today's journal  from event %llu: %zu events, %zu tickets named",
              (unsigned long long)from, events, seen->n);
}

//  Live tickets against today's journal, both ways.
static void
s_compare (s_check_t *self, const s_tickets_t *live, const s_tickets_t *seen)
{
    for (size_t i = 0; i < live->n; i++) {
        const s_ticket_t *t = &live->items[i];
        const s_ticket_t *e = s_tickets_find (seen, t->id);
        if (t->unreadable || t->final)
            continue; //  said already
        if (!e)
            s_problem (self, "live ticket %llu (%s, %s): no event of today's journal names it",
                       (unsigned long long)t->id, t->number, t->state);
        else if (strcmp (e->state, t->state) != 0 || strcmp (e->number, t->number) != 0)
            s_problem (self, "live ticket %llu: its record says %s %s, its last event %s %s",
                       (unsigned long long)t->id, t->number, t->state, e->number, e->state);
    }
    for (size_t i = 0; i < seen->n; i++) {
        const s_ticket_t *e = &seen->items[i];
        if (!e->final && !s_tickets_find (live, e->id))
            s_problem (self,
                       "ticket %llu (%s) is %s in today's journal, but not among the live "
                       "tickets",
                       (unsigned long long)e->id, e->number, e->state);
    }
}

//  Every open case has its record, readable.
static void
s_open_cases (s_check_t *self)
{
    json_t *open = json_array ();
    broker_store_iter_t it;
    if (!open || !s_fresh (self))
        return json_decref (open);
    broker_store_scan (self->store, BROKER_DB_OPEN_CASES, NULL, 0, &it);
    while (broker_store_next (&it))
        json_array_append_new (open, json_stringn (it.key.mv_data, it.key.mv_size));
    int rc = broker_store_scan_end (&it);
    if (rc)
        s_problem (self, "open_cases: the walk stopped after %zu: %s", json_array_size (open),
                   mdb_strerror (rc));
    size_t i;
    json_t *no;
    json_array_foreach (open, i, no) {
        const char *case_no = json_string_value (no);
        if (!case_no) {
            s_problem (self, "open_cases: a key that is not a case number");
            continue;
        }
        MDB_val v;
        rc = broker_store_get (self->store, BROKER_DB_CASES, case_no, strlen (case_no), &v);
        json_t *c = rc ? NULL : json_loadb (v.mv_data, v.mv_size, 0, NULL);
        if (!json_is_object (c))
            s_problem (self, "open case %s: its record is %s", case_no,
                       rc == MDB_NOTFOUND ? "missing"
                       : rc               ? mdb_strerror (rc)
                                          : "not readable JSON");
        json_decref (c);
        if (rc && rc != MDB_NOTFOUND && !s_fresh (self))
            break;
    }
    s_figure (self, "open cases       %zu", json_array_size (open));
    json_decref (open);
}

int
broker_check_store (broker_store_t *store, bool thorough, FILE *report)
{
    if (broker_store_begin (store, false) != 0)
        return -1;
    broker_store_abort (store);
    struct sigaction fault = {.sa_handler = s_on_fault}, old_bus, old_segv;
    sigaction (SIGBUS, &fault, &old_bus);
    sigaction (SIGSEGV, &fault, &old_segv);
    s_check_t self = {store, thorough, report, 0};
    s_figure (&self, "store id         %s",
              *broker_store_id (store) ? broker_store_id (store) : "(none yet)");
    s_walk_all (&self);
    s_journal (&self);
    s_tickets_t live = {NULL, 0, 0}, seen = {NULL, 0, 0};
    s_live (&self, &live);
    s_today (&self, &seen);
    s_compare (&self, &live, &seen);
    s_open_cases (&self);
    free (live.items);
    free (seen.items);
    sigaction (SIGBUS, &old_bus, NULL);
    sigaction (SIGSEGV, &old_segv, NULL);
    broker_store_abort (store);
    if (self.problems > CHECK_LOGGED)
        log_error ("store check: ... and %d more problems", self.problems - CHECK_LOGGED);
    return self.problems;
}
