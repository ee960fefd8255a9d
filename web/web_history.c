/*  web_history.c — see web_history.h. */
#include "web_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"

typedef struct {
    web_point_t *p;
    size_t n, cap;
} s_series_t;

struct web_history {
    bool loaded;             //  the day's journal was read
    uint64_t last;           //  sequence of the last event applied
    int64_t start_ms;        //  time of the day's first event
    json_t *waiting;         //  ticket id -> true, for the tickets waiting now
    s_series_t queue;        //  tickets waiting, at each change
    s_series_t waits;        //  wait in seconds, at each first call
    char (*wait_service)[4]; //  the service of each of waits, in step with it
    size_t wait_service_cap; //  room in wait_service
    s_series_t issued;       //  ticket id, at each issue
    json_t *calls;           //  the day's last calls, newest first (the board's list)
    json_t *alarms;          //  the day's last cabinet alarms, newest first
};

web_history_t *
web_history_new (void)
{
    web_history_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->waiting = json_object ();
    self->calls = json_array ();
    self->alarms = json_array ();
    if (!self->waiting || !self->calls || !self->alarms)
        web_history_destroy (&self);
    return self;
}

void
web_history_destroy (web_history_t **self_p)
{
    web_history_t *self = *self_p;
    if (!self)
        return;
    free (self->queue.p);
    free (self->waits.p);
    free (self->wait_service);
    free (self->issued.p);
    json_decref (self->waiting);
    json_decref (self->calls);
    json_decref (self->alarms);
    free (self);
    *self_p = NULL;
}

static void
s_push (s_series_t *s, int64_t t, int64_t v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        web_point_t *p = realloc (s->p, cap * sizeof *p);
        if (!p)
            return;
        s->p = p;
        s->cap = cap;
    }
    s->p[s->n++] = (web_point_t){t, v};
}

//  A new day whose first event is `first`.
static void
s_reset (web_history_t *self, uint64_t first)
{
    self->queue.n = 0;
    self->waits.n = 0;
    self->issued.n = 0;
    json_object_clear (self->waiting);
    json_array_clear (self->calls);
    json_array_clear (self->alarms);
    self->last = first ? first - 1 : 0;
    self->start_ms = 0;
}

//  A first call's wait, with its service.
static void
s_push_wait (web_history_t *self, int64_t t, int64_t wait_s, const char *service)
{
    if (self->waits.n == self->wait_service_cap) {
        size_t cap = self->wait_service_cap ? self->wait_service_cap * 2 : 256;
        char (*p)[4] = realloc (self->wait_service, cap * sizeof *p);
        if (!p)
            return;
        self->wait_service = p;
        self->wait_service_cap = cap;
    }
    size_t n = self->waits.n;
    s_push (&self->waits, t, wait_s);
    if (self->waits.n > n)
        snprintf (self->wait_service[n], sizeof self->wait_service[n], "%s", service);
}

//  A call: its wait (first calls only), and the board's list.
static void
s_called (web_history_t *self, const json_t *e, const json_t *tk, int64_t t)
{
    if (!proto_int (e, "recall") && json_is_integer (json_object_get (e, "wait_s")))
        s_push_wait (self, t, proto_int (e, "wait_s"), proto_str (tk, "service"));
    json_t *call =
        json_pack ("{s:s, s:s, s:I, s:I, s:I}", "number", proto_str (tk, "number"), "service",
                   proto_str (tk, "service"), "counter", proto_int (e, "counter"), "recall",
                   proto_int (e, "recall"), "time", (json_int_t)t);
    if (call)
        json_array_insert_new (self->calls, 0, call);
    while (json_array_size (self->calls) > WEB_HISTORY_CALLS)
        json_array_remove (self->calls, json_array_size (self->calls) - 1);
}

static void
s_apply (web_history_t *self, const char *topic, const json_t *e)
{
    uint64_t seq = (uint64_t)proto_int (e, "seq");
    int64_t t = proto_int (e, "time");
    if (seq <= self->last)
        return;
    if (strcmp (topic, "hall.day") == 0)
        s_reset (self, seq);
    self->last = seq;
    if (!self->start_ms)
        self->start_ms = t;
    if (strcmp (topic, "vault.alarm") == 0) {
        json_array_insert_new (self->alarms, 0, json_deep_copy (e));
        while (json_array_size (self->alarms) > WEB_HISTORY_ALARMS)
            json_array_remove (self->alarms, json_array_size (self->alarms) - 1);
    }
    const json_t *tk = json_object_get (e, "ticket");
    if (strncmp (topic, "ticket.", 7) != 0 || !json_is_object (tk))
        return;
    char id[32];
    snprintf (id, sizeof id, "%lld", (long long)proto_int (tk, "id"));
    bool was = json_object_get (self->waiting, id) != NULL;
    bool now = proto_is (tk, "state", "waiting");
    if (was != now) {
        if (now)
            json_object_set_new (self->waiting, id, json_true ());
        else
            json_object_del (self->waiting, id);
        s_push (&self->queue, t, (int64_t)json_object_size (self->waiting));
    }
    if (strcmp (topic, "ticket.called") == 0)
        s_called (self, e, tk, t);
    else if (strcmp (topic, "ticket.issued") == 0)
        s_push (&self->issued, t, proto_int (tk, "id"));
}

//  Reads the journal up to `upto` (from the day's first event when nothing was read yet).
static void
s_fetch (web_history_t *self, proto_client_t *client, uint64_t upto)
{
    if (!self->loaded) {
        json_t *body = json_pack ("{s:i, s:i}", "from", 1, "limit", 1);
        json_t *r = NULL;
        int rc = proto_client_call (client, "events.range", body, &r);
        json_decref (body);
        uint64_t first = (uint64_t)proto_int (r, "day_first_seq");
        json_decref (r);
        if (rc != PROTO_ERR_OK)
            return;
        s_reset (self, first ? first : 1);
        self->loaded = true;
    }
    for (int page = 0; self->last < upto && page < WEB_HISTORY_PAGES; page++) {
        uint64_t from = self->last + 1;
        uint64_t limit =
            upto - self->last < WEB_HISTORY_PAGE ? upto - self->last : WEB_HISTORY_PAGE;
        json_t *body =
            json_pack ("{s:I, s:I}", "from", (json_int_t)from, "limit", (json_int_t)limit);
        json_t *r = NULL;
        int rc = proto_client_call (client, "events.range", body, &r);
        json_decref (body);
        if (rc != PROTO_ERR_OK) {
            json_decref (r);
            return;
        }
        size_t i;
        json_t *e;
        json_array_foreach (json_object_get (r, "events"), i, e)
            s_apply (self, proto_str (e, "topic"), e);
        //  Sequences the journal does not have are skipped, not asked for again.
        if (self->last < from + limit - 1)
            self->last = from + limit - 1;
        json_decref (r);
    }
}

void
web_history_snapshot (web_history_t *self, proto_client_t *client, uint64_t seq)
{
    if (self->loaded && self->last > seq)
        self->loaded = false; //  a new store: start again
    s_fetch (self, client, seq);
}

void
web_history_event (web_history_t *self, proto_client_t *client, uint64_t seq, const char *topic,
                   const json_t *event)
{
    if (!self->loaded || seq > self->last + 1)
        s_fetch (self, client, seq - 1);
    if (self->loaded)
        s_apply (self, topic, event);
}

bool
web_history_loaded (const web_history_t *self)
{
    return self->loaded;
}

uint64_t
web_history_last (const web_history_t *self)
{
    return self->last;
}

int64_t
web_history_start (const web_history_t *self)
{
    return self->start_ms;
}

const web_point_t *
web_history_queue (const web_history_t *self, size_t *n)
{
    *n = self->queue.n;
    return self->queue.p;
}

const web_point_t *
web_history_waits (const web_history_t *self, size_t *n)
{
    *n = self->waits.n;
    return self->waits.p;
}

const json_t *
web_history_calls (const web_history_t *self)
{
    return self->calls;
}

const json_t *
web_history_alarms (const web_history_t *self)
{
    return self->alarms;
}

void
web_history_bins (const web_history_t *self, int64_t bins[WEB_HISTORY_BINS])
{
    memset (bins, 0, WEB_HISTORY_BINS * sizeof *bins);
    for (size_t i = 0; i < self->waits.n; i++) {
        int64_t b = self->waits.p[i].v / 300;
        bins[b < 0 ? 0 : b >= WEB_HISTORY_BINS ? WEB_HISTORY_BINS - 1 : b]++;
    }
}

size_t
web_history_over (const web_history_t *self, const char *service, int64_t limit_s, int64_t from,
                  int64_t to)
{
    size_t n = 0;
    for (size_t i = 0; i < self->waits.n; i++) {
        const web_point_t *w = &self->waits.p[i];
        if (w->t >= from && w->t < to && w->v > limit_s &&
            (!service || strcmp (self->wait_service[i], service) == 0))
            n++;
    }
    return n;
}

//  The hour of the day (0-23) of Unix ms `t` in the hall's time.
static int
s_hour (int64_t t, int utc_offset_min)
{
    int64_t day = 86400000, local = t + (int64_t)utc_offset_min * 60000;
    return (int)(((local % day) + day) % day / 3600000);
}

void
web_history_hourly (const web_history_t *self, int utc_offset_min, int64_t issued[24],
                    int64_t called[24])
{
    memset (issued, 0, 24 * sizeof *issued);
    memset (called, 0, 24 * sizeof *called);
    for (size_t i = 0; i < self->issued.n; i++)
        issued[s_hour (self->issued.p[i].t, utc_offset_min)]++;
    for (size_t i = 0; i < self->waits.n; i++)
        called[s_hour (self->waits.p[i].t, utc_offset_min)]++;
}

const web_point_t *
web_history_issued (const web_history_t *self, size_t *n)
{
    *n = self->issued.n;
    return self->issued.p;
}
