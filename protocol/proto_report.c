/*  proto_report.c — see proto_report.h; the figures are defined in docs/REPORT.md. */
#include "proto_report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_access.h"
#include "proto_figures.h"
#include "proto_index.h"
#include "proto_journal.h"
#include "proto_json.h"
#include "proto_kpi.h"

//  ---------------------------------------------------------------------------------------
//  Durations kept for medians and percentiles

typedef struct {
    int64_t *v;
    size_t n, cap;
} s_list_t;

static void
s_list_push (s_list_t *l, int64_t x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *v = realloc (l->v, cap * sizeof *v);
        if (!v)
            return; //  out of memory: the percentile misses one value, nothing crashes
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = x;
}

static int
s_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

//  The `pct` percentile of the list by nearest rank (the value at rank ⌈pct × n / 100⌉ of
//  the sorted values), or null for an empty list.
static json_t *
s_rank (const s_list_t *l, int pct)
{
    if (l->n == 0)
        return json_null ();
    int64_t *v = malloc (l->n * sizeof *v);
    if (!v)
        return json_null ();
    memcpy (v, l->v, l->n * sizeof *v);
    qsort (v, l->n, sizeof *v, s_cmp);
    size_t rank = (l->n * (size_t)pct + 99) / 100;
    json_t *r = json_integer (v[rank ? rank - 1 : 0]);
    free (v);
    return r;
}

//  num / den, or null when nothing was counted (proto_kpi's rule).
static json_t *
s_ratio (json_int_t num, json_int_t den)
{
    return den > 0 ? json_real ((double)num / (double)den) : json_null ();
}

//  ---------------------------------------------------------------------------------------
//  The report

//  A service's first-call waits.
typedef struct {
    char prefix[8];
    s_list_t waits;
} s_waits_t;

typedef struct {
    json_int_t received, accepted, immediate, not_accepted, withdrawn, decided, approved, denied,
        on_time, early, stat_judged, stat_on_time, first_time, overdue, stat_overdue, checked,
        overridden, one_visit;
} s_cases_t;

typedef struct {
    json_int_t notices, compliant, repeated, late, unjudged;
} s_notices_t;

struct proto_report {
    const json_t *info;     //  hall.info (borrowed)
    int from_day, to_day;   //  the period, business days YYYYMMDD
    int over_wait_minutes;  //  the limit of over_wait
    int utc_offset_min;     //  the hall's
    bool in, done;          //  inside the period; past it
    int days;               //  business days begun in the period
    int64_t start, end;     //  time of its first hall.day; of the one after it
    json_int_t first_seq;   //  its first event (its first hall.day)
    json_int_t last_seq;    //  its last event counted so far
    json_t *stats;          //  prefix -> the period's figures, as hall.snapshot's stats (6.7)
    json_t *counters;       //  [{id, cur: counter object or null, served, open_ms, ...}]
    s_waits_t *waits;       //  per service
    size_t nwaits;          //  ... how many
    s_list_t all_waits;     //  every first-call wait
    json_int_t expired;     //  tickets expired unserved
    json_int_t unserved;    //  tickets that ended unserved: cancelled, expired, missed void
    s_list_t visits;        //  issue to finish of each ticket served
    json_int_t rect[3];     //  rectifications opened, closed, closed on time
    s_cases_t cases;        //  case figures
    s_notices_t notices;    //  一次性告知
    json_t *accepted;       //  case_no -> true: acceptances counted
    json_t *noticed;        //  case_no -> true: 补正 notices counted
    s_list_t pickup[2];     //  deposit (or ready) to collection: at a cabinet, at a counter
    json_int_t unmeasured;  //  collections without a known start
    proto_access_t *access; //  priority lines, bookings, collections out of hours
};

enum { PICK_CABINET, PICK_COUNTER };

//  The figures of service `prefix` (made on first use: a prefix the config no longer has).
static json_t *
s_stats (proto_report_t *self, const char *prefix)
{
    if (!prefix || !*prefix)
        return NULL;
    json_t *st = json_object_get (self->stats, prefix);
    if (st)
        return st;
    st = json_pack ("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:[i,i,i,i,i]}",
                    "issued", 0, "called", 0, "served", 0, "missed", 0, "cancelled", 0,
                    "transferred", 0, "over_wait", 0, "sum_wait_ms", 0, "max_wait_ms", 0,
                    "sum_service_ms", 0, "rated", 0, "ratings", 0, 0, 0, 0, 0);
    json_object_set_new (self->stats, prefix, st);
    return st;
}

static void
s_add (json_t *obj, const char *key, json_int_t n)
{
    if (obj)
        json_object_set_new (obj, key, json_integer (proto_int (obj, key) + n));
}

//  Where the waits of service `prefix` are kept, or -1 if none was counted.
static long
s_waits_index (const proto_report_t *self, const char *prefix)
{
    for (size_t i = 0; i < self->nwaits; i++)
        if (strcmp (self->waits[i].prefix, prefix) == 0)
            return (long)i;
    return -1;
}

//  The waits of service `prefix` (made on first use); NULL on out-of-memory.
static s_list_t *
s_waits_of (proto_report_t *self, const char *prefix)
{
    long i = s_waits_index (self, prefix);
    if (i >= 0)
        return &self->waits[i].waits;
    s_waits_t *w = realloc (self->waits, (self->nwaits + 1) * sizeof *w);
    if (!w)
        return NULL;
    self->waits = w;
    memset (&w[self->nwaits], 0, sizeof w[0]);
    snprintf (w[self->nwaits].prefix, sizeof w[0].prefix, "%s", prefix);
    return &w[self->nwaits++].waits;
}

//  The entry of counter `id` (made on first use).
static json_t *
s_counter (proto_report_t *self, json_int_t id)
{
    size_t i;
    json_t *c;
    json_array_foreach (self->counters, i, c)
        if (proto_int (c, "id") == id)
            return c;
    c = json_pack ("{s:I, s:n, s:i, s:i, s:i, s:i}", "id", id, "cur", "served", 0, "open_ms", 0,
                   "busy_ms", 0, "paused_ms", 0);
    json_array_append_new (self->counters, c);
    return c;
}

proto_report_t *
proto_report_new (const json_t *info, int from_day, int to_day, int over_wait_minutes)
{
    proto_report_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->info = info;
    self->from_day = from_day;
    self->to_day = to_day;
    self->over_wait_minutes = over_wait_minutes;
    self->utc_offset_min = (int)proto_int (json_object_get (info, "hall"), "utc_offset_min");
    self->stats = json_object ();
    self->counters = json_array ();
    self->accepted = json_object ();
    self->noticed = json_object ();
    self->access = proto_access_new (info);
    if (!self->stats || !self->counters || !self->accepted || !self->noticed || !self->access) {
        proto_report_destroy (&self);
        return NULL;
    }
    //  The config's services and counters first, in config order.
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (info, "services"), i, x)
        s_stats (self, proto_str (x, "prefix"));
    json_array_foreach (json_object_get (info, "counters"), i, x)
        s_counter (self, proto_int (x, "id"));
    return self;
}

void
proto_report_destroy (proto_report_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    proto_report_t *self = *self_p;
    json_decref (self->stats);
    json_decref (self->counters);
    json_decref (self->accepted);
    json_decref (self->noticed);
    for (size_t i = 0; i < self->nwaits; i++)
        free (self->waits[i].waits.v);
    free (self->waits);
    free (self->all_waits.v);
    free (self->visits.v);
    proto_access_destroy (&self->access);
    free (self->pickup[0].v);
    free (self->pickup[1].v);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------------------------
//  Tickets, ratings, counters: counted as the mirror counts the day (proto_mirror.c)

static void
s_ticket (proto_report_t *self, const char *topic, const json_t *e)
{
    const json_t *t = json_object_get (e, "ticket");
    const char *prefix = proto_str (t, "service");
    json_t *day = s_stats (self, prefix);
    if (strcmp (topic, "ticket.issued") == 0)
        s_add (day, "issued", 1);
    else if (strcmp (topic, "ticket.called") == 0) {
        //  A first call carries its wait; recalls and later calls do not count.
        const json_t *wait = json_object_get (e, "wait_s");
        if (!json_is_integer (wait) || proto_int (e, "recall"))
            return;
        json_int_t ms = json_integer_value (wait) * 1000;
        s_add (day, "called", 1);
        s_add (day, "sum_wait_ms", ms);
        if (day && ms > proto_int (day, "max_wait_ms"))
            json_object_set_new (day, "max_wait_ms", json_integer (ms));
        if (ms > (json_int_t)self->over_wait_minutes * 60000)
            s_add (day, "over_wait", 1);
        s_list_t *w = *prefix ? s_waits_of (self, prefix) : NULL;
        if (w)
            s_list_push (w, ms);
        s_list_push (&self->all_waits, ms);
    } else if (strcmp (topic, "ticket.finished") == 0) {
        s_add (day, "served", 1);
        s_add (day, "sum_service_ms", proto_int (e, "service_s") * 1000);
        //  The whole visit, from the slip to the finish (across transfers).
        json_int_t done =
            proto_int (t, "finished") ? proto_int (t, "finished") : proto_int (e, "time");
        if (proto_int (t, "issued") > 0 && done >= proto_int (t, "issued"))
            s_list_push (&self->visits, done - proto_int (t, "issued"));
    } else if (strcmp (topic, "ticket.missed") == 0) {
        s_add (day, "missed", 1);
        self->unserved += proto_is (e, "outcome", "void");
    } else if (strcmp (topic, "ticket.cancelled") == 0) {
        s_add (day, "cancelled", 1);
        self->unserved++;
    } else if (strcmp (topic, "ticket.transferred") == 0)
        s_add (s_stats (self, proto_str (e, "from")), "transferred", 1);
    else if (strcmp (topic, "ticket.expired") == 0) {
        self->expired++;
        self->unserved++;
    }
}

static void
s_rating (proto_report_t *self, const char *topic, const json_t *e)
{
    if (strcmp (topic, "rating.received") == 0) {
        json_t *day = s_stats (self, proto_str (json_object_get (e, "ticket"), "service"));
        json_int_t level = proto_int (e, "level");
        s_add (day, "rated", 1);
        json_t *r = json_object_get (day, "ratings");
        if (json_is_array (r) && level >= 1 && level <= 5)
            json_array_set_new (
                r, (size_t)level - 1,
                json_integer (json_integer_value (json_array_get (r, level - 1)) + 1));
    } else if (strcmp (topic, "rating.bad") == 0)
        self->rect[0]++;
    else if (strcmp (topic, "rating.revisited") == 0 || strcmp (topic, "rating.rectified") == 0) {
        //  An item is closed by its 回访 (rating.revisited); journals from before 回访 existed
        //  closed it with rating.rectified. Either way, the item then carries `closed`.
        const json_t *item = json_object_get (e, "rectification");
        if (json_object_get (item, "closed")) {
            self->rect[1]++;
            self->rect[2] += json_is_true (json_object_get (item, "on_time"));
        }
    }
}

//  The time a counter object `c` spent in its current state up to `t`, by the broker's
//  rule (PROTOCOL.md 6.6): idle, calling and serving are open, calling and serving busy.
static void
s_current (const json_t *c, int64_t t, int64_t *open, int64_t *busy, int64_t *paused)
{
    const char *state = proto_str (c, "state");
    int64_t since = (int64_t)proto_int (c, "since");
    int64_t cur = since > 0 && t > since ? t - since : 0;
    bool is_busy = strcmp (state, "calling") == 0 || strcmp (state, "serving") == 0;
    *open = is_busy || strcmp (state, "idle") == 0 ? cur : 0;
    *busy = is_busy ? cur : 0;
    *paused = strcmp (state, "paused") == 0 ? cur : 0;
}

//  Books counter entry `k`'s day up to `t` (its current object's figures and the time of
//  its current state) and ends that day.
static void
s_book (json_t *k, int64_t t)
{
    const json_t *c = json_object_get (k, "cur");
    if (!json_is_object (c))
        return;
    const json_t *day = json_object_get (c, "day");
    int64_t open, busy, paused;
    s_current (c, t, &open, &busy, &paused);
    s_add (k, "served", proto_int (day, "served"));
    s_add (k, "open_ms", proto_int (day, "open_ms") + open);
    s_add (k, "busy_ms", proto_int (day, "busy_ms") + busy);
    s_add (k, "paused_ms", proto_int (day, "paused_ms") + paused);
    json_object_set_new (k, "cur", json_null ());
}

static void
s_counter_changed (proto_report_t *self, const json_t *e)
{
    json_t *c = json_object_get (e, "counter");
    if (!json_is_object (c))
        return;
    json_t *k = s_counter (self, proto_int (c, "id"));
    //  The day change resets the counter's figures: its old day ends here.
    if (proto_is (e, "action", "day"))
        s_book (k, (int64_t)proto_int (e, "time"));
    json_object_set (k, "cur", c);
}

//  ---------------------------------------------------------------------------------------
//  Cases

//  The case's pauses of `kind`.
static int
s_pauses (const json_t *c, const char *kind)
{
    int n = 0;
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get (c, "pauses"), i, p)
        n += proto_is (p, "kind", kind);
    return n;
}

static void
s_decided (proto_report_t *self, const char *topic, const json_t *e, const json_t *c)
{
    s_cases_t *k = &self->cases;
    const json_t *d = json_object_get (c, "decision");
    k->decided++;
    if (strcmp (topic, "case.denied") == 0)
        k->denied++;
    else
        k->approved++;
    int64_t when = proto_int (d, "time") ? (int64_t)proto_int (d, "time") : proto_int (e, "time");
    int day = proto_journal_local_date (when, self->utc_offset_min);
    int promised = (int)proto_int (c, "promised_deadline");
    int statutory = (int)proto_int (c, "statutory_deadline");
    //  The broker's own judgement (decided by the promised deadline, a local date), or the
    //  same rule when a case carries none.
    const json_t *on_time = json_object_get (d, "on_time");
    bool in_time =
        json_is_boolean (on_time) ? json_is_true (on_time) : !promised || day <= promised;
    k->on_time += in_time;
    k->early += promised && day < promised;
    if (statutory) {
        k->stat_judged++;
        k->stat_on_time += day <= statutory;
    }
    //  一次办结: no 补正 was asked for after acceptance (each such request is a pause).
    bool first = s_pauses (c, "supplement") == 0;
    k->first_time += first;
    //  一次办成: nor at intake (the case was accepted when it was received, not deemed so
    //  after a notice), so the applicant never came back with material.
    k->one_visit += first && proto_int (c, "accepted") == proto_int (c, "received") &&
                    !json_object_get (c, "notice_day") &&
                    !json_is_true (json_object_get (c, "deemed_accepted"));
}

//  The overrides (人工确认) among `checks` from index `from` on.
static bool
s_overridden (const json_t *checks, size_t from)
{
    for (size_t i = from; i < json_array_size (checks); i++)
        if (json_object_get (json_array_get (checks, i), "override"))
            return true;
    return false;
}

//  Whether a 补正 notice came within 5 working days of receipt: 1 yes, 0 no, -1 the
//  journal cannot tell (docs/REPORT.md, 一次性告知).
static int
s_notice_in_time (const proto_report_t *self, const json_t *e, const json_t *c)
{
    int received = proto_journal_local_date (proto_int (c, "received"), self->utc_offset_min);
    int given = proto_journal_local_date (proto_int (e, "time"), self->utc_offset_min);
    //  The fifth working day after receipt is at least five dates after it.
    if (proto_journal_days_between (received, given) <= 5)
        return 1;
    //  The case's own clock: with no other pause, elapsed_days counts exactly the working
    //  days from receipt to the notice; other pauses only make it smaller.
    const json_t *elapsed = json_object_get (c, "elapsed_days");
    if (!json_is_integer (elapsed) || proto_int (c, "accepted_day") != received)
        return -1;
    if (json_integer_value (elapsed) >= 5)
        return 0;
    return json_array_size (json_object_get (c, "pauses")) == 1 ? 1 : -1;
}

//  A 补正 notice (一次性告知): compliant when it is the case's first and came in time.
static void
s_notice (proto_report_t *self, const json_t *e, const json_t *c)
{
    s_notices_t *k = &self->notices;
    const char *no = proto_str (c, "case_no");
    k->notices++;
    bool intake = json_is_true (json_object_get (e, "intake"));
    //  Earlier notices: one counted in this period; one at intake, before an acceptance
    //  later than the receipt; each earlier request after acceptance (a pause each).
    bool earlier = json_object_get (self->noticed, no) != NULL;
    if (!intake) {
        json_int_t accepted = proto_int (c, "accepted");
        earlier = earlier || (accepted && accepted != proto_int (c, "received")) ||
                  s_pauses (c, "supplement") > 1;
    }
    json_object_set_new (self->noticed, no, json_true ());
    if (earlier) {
        k->repeated++;
        return;
    }
    //  A notice at intake is given on receipt.
    int in_time = intake ? 1 : s_notice_in_time (self, e, c);
    if (in_time < 0)
        k->unjudged++;
    else if (in_time == 0)
        k->late++;
    else
        k->compliant++;
}

//  A collection: from the deposit (cabinet), or from when the result was ready at the
//  counter (the decision, or its recovery from a cabinet), to the collection.
static void
s_collected (proto_report_t *self, const json_t *c)
{
    const json_t *at = json_object_get (c, "collected_at");
    int64_t got = (int64_t)proto_int (c, "collected"), from = 0;
    int where;
    if (proto_is (at, "kind", "cabinet")) {
        where = PICK_CABINET;
        from = (int64_t)proto_int (json_object_get (c, "pickup"), "deposited");
    } else if (proto_is (at, "kind", "counter")) {
        where = PICK_COUNTER;
        const json_t *rec = json_object_get (c, "recovered");
        from = (int64_t)(rec ? proto_int (rec, "time") : proto_int (c, "concluded"));
    } else {
        self->unmeasured++;
        return;
    }
    if (from <= 0 || got < from) {
        self->unmeasured++;
        return;
    }
    s_list_push (&self->pickup[where], got - from);
}

static void
s_case (proto_report_t *self, const char *topic, const json_t *e)
{
    const json_t *c = json_object_get (e, "case");
    const char *no = proto_str (c, "case_no");
    if (!*no)
        return;
    s_cases_t *k = &self->cases;
    //  An acceptance in the period, whatever event brought it (case.accept, material
    //  received after an intake notice), counted once.
    json_int_t accepted = proto_int (c, "accepted");
    if (accepted >= self->start && accepted > 0 && !json_object_get (self->accepted, no)) {
        json_object_set_new (self->accepted, no, json_true ());
        k->accepted++;
        k->immediate += proto_is (c, "kind", "immediate");
    }
    //  Check rounds: an intake checks every field, a receipt of material appends one
    //  `documents` check (PROTOCOL.md 6.13); either may be overridden.
    const json_t *checks = json_object_get (c, "checks");
    bool intake = json_is_true (json_object_get (e, "intake"));
    bool material = strcmp (topic, "case.supplement_received") == 0;
    if (intake || (material && json_array_size (checks))) {
        k->checked++;
        k->overridden += s_overridden (checks, intake ? 0 : json_array_size (checks) - 1);
    }
    k->received += intake;
    if (strcmp (topic, "case.not_accepted") == 0)
        k->not_accepted++;
    else if (strcmp (topic, "case.withdrawn") == 0)
        k->withdrawn++;
    else if (strcmp (topic, "case.approved") == 0 || strcmp (topic, "case.denied") == 0)
        s_decided (self, topic, e, c);
    else if (strcmp (topic, "case.supplement_requested") == 0)
        s_notice (self, e, c);
    else if (strcmp (topic, "case.collected") == 0)
        s_collected (self, c);
    else if (strcmp (topic, "case.warning") == 0) {
        k->overdue += proto_is (e, "level", "overdue");
        k->stat_overdue += proto_is (e, "level", "statutory_overdue");
    }
}

//  ---------------------------------------------------------------------------------------

//  A hall.day: a day of the period ends (every counter's day is booked up to it), the next
//  begins, or the period is over.
static int
s_day (proto_report_t *self, const json_t *e)
{
    int day = (int)proto_int (e, "day");
    int64_t t = (int64_t)proto_int (e, "time");
    if (self->in) {
        size_t i;
        json_t *k;
        json_array_foreach (self->counters, i, k)
            s_book (k, t);
    }
    if (day > self->to_day) {
        self->done = true;
        self->end = t;
        return 0;
    }
    if (day >= self->from_day) {
        if (!self->in) {
            self->start = t;
            self->first_seq = proto_int (e, "seq");
        }
        self->in = true;
        self->days++;
        self->last_seq = proto_int (e, "seq");
    }
    return 1;
}

int
proto_report_add (proto_report_t *self, const json_t *event)
{
    if (self->done)
        return 0;
    const char *topic = proto_str (event, "topic");
    if (strcmp (topic, "hall.day") == 0)
        return s_day (self, event);
    if (!self->in)
        return 1;
    self->last_seq = proto_int (event, "seq");
    proto_access_add (self->access, event);
    if (strncmp (topic, "ticket.", 7) == 0)
        s_ticket (self, topic, event);
    else if (strncmp (topic, "rating.", 7) == 0)
        s_rating (self, topic, event);
    else if (strcmp (topic, "counter.changed") == 0)
        s_counter_changed (self, event);
    else if (strncmp (topic, "case.", 5) == 0)
        s_case (self, topic, event);
    return 1;
}

//  ---------------------------------------------------------------------------------------
//  The report object

//  The members `keys` (NULL-terminated) of `from`, in that order; null where absent.
static json_t *
s_pick (const json_t *from, const char *const *keys)
{
    json_t *o = json_object ();
    for (; *keys; keys++) {
        json_t *v = json_object_get (from, *keys);
        json_object_set (o, *keys, v ? v : json_null ());
    }
    return o;
}

static void
s_put (json_t *o, const char *key, json_int_t n)
{
    json_object_set_new (o, key, json_integer (n));
}

//  The config's entry of `key` == `value` in hall.info's list `list`, or NULL.
static const json_t *
s_config (const json_t *info, const char *list, const char *key, const json_t *value)
{
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (info, list), i, x)
        if (json_equal (json_object_get (x, key), value))
            return x;
    return NULL;
}

//  The counter objects proto_kpi_hall reads: each counter's booked time, plus its current
//  state's up to `end`, as a closed day.
static json_t *
s_state_counters (const proto_report_t *self, int64_t end)
{
    json_t *out = json_array ();
    size_t i;
    json_t *k;
    json_array_foreach (self->counters, i, k) {
        int64_t open = 0, busy = 0, paused = 0;
        const json_t *cur = json_object_get (k, "cur");
        const json_t *day = json_object_get (cur, "day");
        if (json_is_object (cur))
            s_current (cur, end, &open, &busy, &paused);
        const json_t *cfg = s_config (self->info, "counters", "id", json_object_get (k, "id"));
        json_array_append_new (
            out,
            json_pack ("{s:O, s:s, s:s, s:i, s:[], s:n, s:{s:I, s:I, s:I, s:I}}", "id",
                       json_object_get (k, "id"), "name",
                       cfg ? proto_str (cfg, "name") : proto_str (cur, "name"), "state",
                       "logged_out", "since", 0, "services", "ticket", "day", "served",
                       proto_int (k, "served") + proto_int (day, "served"), "open_ms",
                       proto_int (k, "open_ms") + proto_int (day, "open_ms") + open, "busy_ms",
                       proto_int (k, "busy_ms") + proto_int (day, "busy_ms") + busy, "paused_ms",
                       proto_int (k, "paused_ms") + proto_int (day, "paused_ms") + paused));
    }
    return out;
}

//  The period's counts in the shape of the mirrored hall (proto_mirror.h), for
//  proto_kpi_hall: the services as configured (and any other prefix counted), the
//  counters' booked time, nothing live (no ticket waits, every counter closed).
static json_t *
s_state (const proto_report_t *self, int64_t end)
{
    json_t *services = json_array ();
    const char *prefix;
    json_t *st;
    json_object_foreach (self->stats, prefix, st) {
        json_t *p = json_string (prefix);
        const json_t *cfg = s_config (self->info, "services", "prefix", p);
        json_decref (p);
        json_array_append_new (services, json_pack ("{s:s, s:s, s:s, s:i, s:i}", "prefix", prefix,
                                                    "name", proto_str (cfg, "name"), "name_en",
                                                    proto_str (cfg, "name_en"), "waiting", 0,
                                                    "open_counters", 0));
    }
    return json_pack ("{s:o, s:O, s:o, s:{}, s:[], s:[], s:{}, s:i, s:i, s:I, s:i}", "services",
                      services, "stats", self->stats, "counters", s_state_counters (self, end),
                      "tickets", "cabinets", "alarms", "cases", "over_wait_minutes",
                      self->over_wait_minutes, "day", self->to_day, "seq", self->last_seq,
                      "utc_offset_min", self->utc_offset_min);
}

//  The sum of the services' `key`.
static json_int_t
s_sum (const proto_report_t *self, const char *key)
{
    json_int_t n = 0;
    const char *prefix;
    json_t *st;
    json_object_foreach (self->stats, prefix, st)
        n += proto_int (st, key);
    return n;
}

static json_t *
s_tickets_json (const proto_report_t *self, const json_t *totals)
{
    static const char *const keys[] = {
        "issued",      "called",      "served",         "missed",         "cancelled",
        "transferred", "expired",     "over_wait",      "avg_wait_ms",    "median_wait_ms",
        "p90_wait_ms", "max_wait_ms", "over_wait_rate", "avg_service_ms", NULL};
    json_t *t = s_pick (totals, keys);
    s_put (t, "cancelled", s_sum (self, "cancelled"));
    s_put (t, "transferred", s_sum (self, "transferred"));
    s_put (t, "expired", self->expired);
    s_put (t, "unserved", self->unserved);
    json_object_set_new (t, "unserved_rate",
                         s_ratio (self->unserved, proto_int (totals, "served") + self->unserved));
    json_object_set_new (t, "median_visit_ms", s_rank (&self->visits, 50));
    json_object_set_new (t, "p90_visit_ms", s_rank (&self->visits, 90));
    json_object_set_new (t, "median_wait_ms", s_rank (&self->all_waits, 50));
    json_object_set_new (t, "p90_wait_ms", s_rank (&self->all_waits, 90));
    //  The longest of the services' (0 when nothing was called, as proto_kpi has it).
    json_int_t max = 0;
    const char *prefix;
    json_t *st;
    json_object_foreach (self->stats, prefix, st)
        if (proto_int (st, "max_wait_ms") > max)
            max = proto_int (st, "max_wait_ms");
    s_put (t, "max_wait_ms", max);
    return t;
}

static json_t *
s_ratings_json (const proto_report_t *self, const json_t *totals)
{
    static const char *const keys[] = {"rated",        "ratings", "rating_rate", "good_rate",
                                       "satisfaction", "bad",     NULL};
    json_t *r = s_pick (totals, keys);
    s_put (r, "rectifications_opened", self->rect[0]);
    s_put (r, "rectifications_closed", self->rect[1]);
    s_put (r, "rectifications_on_time", self->rect[2]);
    json_object_set_new (r, "rectification_on_time_rate", s_ratio (self->rect[2], self->rect[1]));
    return r;
}

static json_t *
s_cases_json (const proto_report_t *self)
{
    const s_cases_t *k = &self->cases;
    json_t *c = json_object ();
    s_put (c, "received", k->received);
    s_put (c, "accepted", k->accepted);
    s_put (c, "immediate", k->immediate);
    json_object_set_new (c, "immediate_share", s_ratio (k->immediate, k->accepted));
    s_put (c, "not_accepted", k->not_accepted);
    s_put (c, "withdrawn", k->withdrawn);
    s_put (c, "decided", k->decided);
    s_put (c, "approved", k->approved);
    s_put (c, "denied", k->denied);
    s_put (c, "on_time", k->on_time);
    json_object_set_new (c, "on_time_rate", s_ratio (k->on_time, k->decided));
    s_put (c, "late", k->decided - k->on_time);
    s_put (c, "early", k->early);
    json_object_set_new (c, "early_rate", s_ratio (k->early, k->decided));
    s_put (c, "statutory_judged", k->stat_judged);
    s_put (c, "statutory_on_time", k->stat_on_time);
    json_object_set_new (c, "statutory_on_time_rate", s_ratio (k->stat_on_time, k->stat_judged));
    s_put (c, "first_time", k->first_time);
    json_object_set_new (c, "first_time_rate", s_ratio (k->first_time, k->decided));
    s_put (c, "overdue_warnings", k->overdue);
    s_put (c, "statutory_overdue_warnings", k->stat_overdue);
    s_put (c, "checked", k->checked);
    s_put (c, "overridden", k->overridden);
    json_object_set_new (c, "override_rate", s_ratio (k->overridden, k->checked));
    s_put (c, "one_visit", k->one_visit);
    json_object_set_new (c, "one_visit_rate", s_ratio (k->one_visit, k->decided));
    return c;
}

static json_t *
s_notices_json (const proto_report_t *self)
{
    const s_notices_t *k = &self->notices;
    json_t *n = json_object ();
    s_put (n, "notices", k->notices);
    s_put (n, "compliant", k->compliant);
    json_object_set_new (n, "compliance", s_ratio (k->compliant, k->notices - k->unjudged));
    s_put (n, "repeated", k->repeated);
    s_put (n, "late", k->late);
    s_put (n, "unjudged", k->unjudged);
    return n;
}

static json_t *
s_pickup_json (const proto_report_t *self)
{
    json_t *p = json_object ();
    static const char *const where[] = {"cabinet", "counter"};
    for (int i = PICK_CABINET; i <= PICK_COUNTER; i++)
        json_object_set_new (
            p, where[i],
            json_pack ("{s:I, s:o, s:o}", "collected", (json_int_t)self->pickup[i].n, "median_ms",
                       s_rank (&self->pickup[i], 50), "p90_ms", s_rank (&self->pickup[i], 90)));
    s_put (p, "unmeasured", self->unmeasured);
    return p;
}

static json_t *
s_services_json (const proto_report_t *self, const json_t *k)
{
    static const char *const keys[] = {
        "prefix",       "name",        "name_en",        "issued",
        "called",       "served",      "missed",         "cancelled",
        "transferred",  "over_wait",   "avg_wait_ms",    "median_wait_ms",
        "p90_wait_ms",  "max_wait_ms", "over_wait_rate", "avg_service_ms",
        "rated",        "ratings",     "rating_rate",    "good_rate",
        "satisfaction", NULL};
    json_t *out = json_array ();
    size_t i;
    json_t *svc;
    json_array_foreach (json_object_get (k, "services"), i, svc) {
        json_t *s = s_pick (svc, keys);
        long w = s_waits_index (self, proto_str (svc, "prefix"));
        s_list_t none = {0};
        const s_list_t *waits = w >= 0 ? &self->waits[w].waits : &none;
        json_object_set_new (s, "median_wait_ms", s_rank (waits, 50));
        json_object_set_new (s, "p90_wait_ms", s_rank (waits, 90));
        json_array_append_new (out, s);
    }
    return out;
}

static json_t *
s_counters_json (const json_t *k)
{
    static const char *const keys[] = {"id",      "name",      "served",      "open_ms",
                                       "busy_ms", "paused_ms", "utilisation", NULL};
    json_t *out = json_array ();
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (k, "counters"), i, c)
        json_array_append_new (out, s_pick (c, keys));
    return out;
}

//  Why each null hall figure is null (the catalogue's reasons).
static json_t *
s_null_reasons (const proto_report_t *self, const json_t *kpis)
{
    json_t *why = json_object ();
    if (!self->days)
        json_object_set_new (why, "period",
                             json_string ("日志中没有该期间的营业日 / the journal holds no "
                                          "business day of this period"));
    size_t n;
    const proto_figure_t *f = proto_figures_hall (&n);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = proto_figures_lookup (json_object_get (kpis, f[i].group), f[i].key);
        if (f[i].why && (!v || json_is_null (v))) {
            char path[128];
            snprintf (path, sizeof path, "kpis.%s.%s", f[i].group, f[i].key);
            json_object_set_new (why, path, json_string (f[i].why));
        }
    }
    return why;
}

json_t *
proto_report_json (const proto_report_t *self, int64_t now)
{
    int64_t end = self->done ? self->end : now;
    json_t *state = s_state (self, end);
    json_t *k = proto_kpi_hall (state, self->info, end);
    json_decref (state);
    const json_t *totals = json_object_get (k, "totals");
    json_t *kpis =
        json_pack ("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "tickets", s_tickets_json (self, totals),
                   "ratings", s_ratings_json (self, totals), "cases", s_cases_json (self),
                   "notices", s_notices_json (self), "pickup", s_pickup_json (self), "services",
                   s_services_json (self, k), "counters", s_counters_json (k));
    json_decref (k);
    proto_access_json (self->access, kpis);
    const json_t *hall = json_object_get (self->info, "hall");
    json_t *r = json_pack ("{s:{s:s, s:s, s:s}}", "hall", "id", proto_str (hall, "id"), "name",
                           proto_str (hall, "name"), "name_en", proto_str (hall, "name_en"));
    if (self->from_day == self->to_day)
        s_put (r, "day", self->from_day);
    else if (self->from_day / 100 == self->to_day / 100 && self->from_day % 100 == 1 &&
             self->to_day % 100 == 31)
        s_put (r, "month", self->from_day / 100);
    json_object_set_new (
        r, "period",
        json_pack ("{s:i, s:i, s:i, s:I, s:I, s:o, s:o, s:b, s:i, s:i}", "from", self->from_day,
                   "to", self->to_day, "days", self->days, "first_seq", self->first_seq, "last_seq",
                   self->last_seq, "start", self->days ? json_integer (self->start) : json_null (),
                   "end", self->days ? json_integer (end) : json_null (), "open",
                   self->days && !self->done, "over_wait_minutes", self->over_wait_minutes,
                   "utc_offset_min", self->utc_offset_min));
    json_object_set_new (r, "kpis", kpis);
    json_object_set_new (r, "null_reasons", s_null_reasons (self, kpis));
    //  The service vitality index by the defaults, so that every reader shows the same.
    char why[256];
    json_t *index = proto_index_compute (r, self->info, NULL, why, sizeof why);
    if (index)
        json_object_update (r, index);
    json_decref (index);
    return r;
}

//  ---------------------------------------------------------------------------------------
//  Reading the report from a broker

static int
s_feed (const json_t *event, void *arg)
{
    return proto_report_add (arg, event);
}

int
proto_report_fetch_info (proto_client_t *client, int from_day, int to_day, json_t **report,
                         json_t **info_p)
{
    *report = NULL;
    if (info_p)
        *info_p = NULL;
    json_t *info = NULL, *snap = NULL;
    proto_report_t *r = NULL;
    int rc = proto_client_call (client, "hall.info", NULL, &info);
    if (!rc)
        rc = proto_client_call (client, "hall.snapshot", NULL, &snap);
    if (rc)
        goto done;
    from_day = from_day ? from_day : (int)proto_int (info, "day");
    to_day = to_day ? to_day : from_day;
    //  Up to the last event when we asked: the figures are those of hall.info's `now`.
    json_int_t start, stop = proto_int (info, "seq");
    rc = proto_journal_day_start (client, info, from_day, &start);
    r = proto_report_new (info, from_day, to_day, (int)proto_int (snap, "over_wait_minutes"));
    if (!rc && r)
        rc = proto_journal_read (client, start, stop, s_feed, r);
    if (!rc && r)
        *report = proto_report_json (r, (int64_t)proto_int (info, "now"));
    if (!rc && info_p) {
        *info_p = info;
        info = NULL;
    }
done:
    proto_report_destroy (&r);
    json_decref (snap);
    json_decref (info);
    return rc;
}

int
proto_report_fetch (proto_client_t *client, int from_day, int to_day, json_t **report)
{
    return proto_report_fetch_info (client, from_day, to_day, report, NULL);
}
