/*  broker_hall.c — see broker_hall.h. */
#include "broker_hall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_learn.h"
#include "proto_log.h"

static const char *s_ticket_states[] = {"waiting", "called",    "serving", "done",
                                        "missed",  "cancelled", "expired", "parked"};
static const char *s_priorities[] = {"normal", "green", "elderly", "appointment"};
static const char *s_counter_states[] = {"logged_out", "idle", "calling", "serving", "paused"};

const char *
broker_ticket_state_name (broker_ticket_state_t s)
{
    return (unsigned)s < TICKET_STATE_COUNT ? s_ticket_states[s] : "?";
}

const char *
broker_priority_name (broker_priority_t p)
{
    return (unsigned)p < PRIORITY_COUNT ? s_priorities[p] : "?";
}

int
broker_priority_lookup (const char *name)
{
    for (int i = 0; i < PRIORITY_COUNT; i++)
        if (strcmp (s_priorities[i], name) == 0)
            return i;
    return -1;
}

const char *
broker_counter_state_name (broker_counter_state_t s)
{
    return (unsigned)s < COUNTER_STATE_COUNT ? s_counter_states[s] : "?";
}

broker_class_t
broker_priority_class (broker_priority_t p)
{
    switch (p) {
    case PRIORITY_GREEN:
    case PRIORITY_ELDERLY: return CLASS_GREEN;
    case PRIORITY_APPOINTMENT: return CLASS_APPOINTMENT;
    default: return CLASS_NORMAL;
    }
}

bool
broker_ticket_final (const broker_ticket_t *t)
{
    switch (t->state) {
    case TICKET_DONE:
    case TICKET_CANCELLED:
    case TICKET_EXPIRED: return true;
    case TICKET_MISSED: return t->grace_until == 0;
    default: return false;
    }
}

broker_hall_t *
broker_hall_new (const broker_config_t *config)
{
    broker_hall_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = config;
    self->next_id = 1;
    self->counters = calloc ((size_t)config->ncounters, sizeof *self->counters);
    self->day_ctr = calloc ((size_t)config->ncounters, sizeof *self->day_ctr);
    self->learn = broker_learn_new (config->ncounters);
    if (!self->counters || !self->day_ctr || !self->learn)
        goto fail;
    for (int s = 0; s < config->nservices; s++)
        for (int c = 0; c < CLASS_COUNT; c++)
            if (!(self->queues[s][c] = broker_queue_new ()))
                goto fail;
    for (int i = 0; i < config->ncounters; i++) {
        self->counters[i].id = config->counters[i].id;
        self->counters[i].cfg = i;
    }
    return self;
fail:
    broker_hall_destroy (&self);
    return NULL;
}

static void
s_clear (broker_hall_t *self)
{
    for (size_t i = 0; i < self->nlive; i++)
        free (self->live[i]);
    self->nlive = 0;
    for (int s = 0; s < self->config->nservices; s++)
        for (int c = 0; c < CLASS_COUNT; c++)
            if (self->queues[s][c])
                broker_queue_clear (self->queues[s][c]);
    for (int i = 0; i < self->config->ncounters; i++) {
        broker_counter_t *c = &self->counters[i];
        int id = c->id, cfg = c->cfg;
        memset (c, 0, sizeof *c);
        c->id = id;
        c->cfg = cfg;
    }
    memset (self->stats, 0, sizeof self->stats);
    memset (self->stats_hour, 0, sizeof self->stats_hour);
    broker_hall_reset_day (self);
    self->next_id = 1;
    self->last_seq = 0;
    self->day = 0;
    self->case_day = 0;
    self->appt_due = 0;
    self->grace_due = 0;
    self->nbookings = 0;
}

int
broker_hall_booking_add (broker_hall_t *self, const char *code, int service, int64_t start_ms)
{
    if (self->nbookings == self->capbookings) {
        size_t cap = self->capbookings ? self->capbookings * 2 : 64;
        broker_booking_t *b = realloc (self->bookings, cap * sizeof *b);
        if (!b)
            return -1;
        self->bookings = b;
        self->capbookings = cap;
    }
    broker_booking_t *b = &self->bookings[self->nbookings++];
    snprintf (b->code, sizeof b->code, "%s", code);
    b->service = service;
    b->start_ms = start_ms;
    return 0;
}

void
broker_hall_booking_del (broker_hall_t *self, const char *code)
{
    for (size_t i = 0; i < self->nbookings; i++)
        if (strncmp (self->bookings[i].code, code, PROTO_TOKEN_LEN) == 0) {
            self->bookings[i] = self->bookings[--self->nbookings];
            return;
        }
}

void
broker_hall_destroy (broker_hall_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_hall_t *self = *self_p;
    if (self->counters)
        s_clear (self);
    for (int s = 0; s < BROKER_MAX_SERVICES; s++)
        for (int c = 0; c < CLASS_COUNT; c++)
            broker_queue_destroy (&self->queues[s][c]);
    free (self->live);
    free (self->bookings);
    free (self->counters);
    free (self->day_ctr);
    broker_learn_destroy (&self->learn);
    free (self);
    *self_p = NULL;
}

broker_counter_t *
broker_hall_counter (broker_hall_t *self, int id)
{
    for (int i = 0; i < self->config->ncounters; i++)
        if (self->counters[i].id == id)
            return &self->counters[i];
    return NULL;
}

static long
s_live_index (const broker_hall_t *self, uint64_t id)
{
    size_t lo = 0, hi = self->nlive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->live[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < self->nlive && self->live[lo]->id == id) ? (long)lo : -(long)lo - 1;
}

broker_ticket_t *
broker_hall_live (const broker_hall_t *self, uint64_t id)
{
    long at = s_live_index (self, id);
    return at >= 0 ? self->live[at] : NULL;
}

broker_ticket_t *
broker_hall_live_by_number (const broker_hall_t *self, const char *number)
{
    //  Newest first: the same number may be live from yesterday until the day rolls over.
    for (size_t i = self->nlive; i-- > 0;)
        if (strcmp (self->live[i]->number, number) == 0)
            return self->live[i];
    return NULL;
}

static int
s_live_add (broker_hall_t *self, broker_ticket_t *t)
{
    long at = s_live_index (self, t->id);
    if (at >= 0)
        return -1;
    size_t pos = (size_t)(-at - 1);
    if (self->nlive == self->caplive) {
        size_t cap = self->caplive ? self->caplive * 2 : 64;
        broker_ticket_t **live = realloc (self->live, cap * sizeof *live);
        if (!live)
            return -1;
        self->live = live;
        self->caplive = cap;
    }
    memmove (&self->live[pos + 1], &self->live[pos], (self->nlive - pos) * sizeof *self->live);
    self->live[pos] = t;
    self->nlive++;
    return 0;
}

broker_ticket_t *
broker_hall_ticket_new (broker_hall_t *self)
{
    broker_ticket_t *t = calloc (1, sizeof *t);
    if (!t)
        return NULL;
    t->id = self->next_id;
    t->from_service = -1;
    t->order_key = (int64_t)t->id * BROKER_ORDER_GAP;
    if (s_live_add (self, t) != 0) {
        free (t);
        return NULL;
    }
    self->next_id++;
    return t;
}

int
broker_hall_enqueue (broker_hall_t *self, broker_ticket_t *t)
{
    return broker_queue_insert (self->queues[t->service][broker_priority_class (t->priority)], t);
}

void
broker_hall_dequeue (broker_hall_t *self, broker_ticket_t *t)
{
    broker_queue_remove (self->queues[t->service][broker_priority_class (t->priority)], t);
}

void
broker_hall_retire (broker_hall_t *self, broker_ticket_t *t)
{
    long at = s_live_index (self, t->id);
    if (at < 0)
        return;
    broker_hall_dequeue (self, t);
    memmove (&self->live[at], &self->live[at + 1],
             (self->nlive - (size_t)at - 1) * sizeof *self->live);
    self->nlive--;
    free (t);
}

size_t
broker_hall_waiting (const broker_hall_t *self, int service)
{
    size_t n = 0;
    for (int c = 0; c < CLASS_COUNT; c++)
        n += broker_queue_size (self->queues[service][c]);
    return n;
}

int
broker_hall_open_counters (const broker_hall_t *self, int service)
{
    int n = 0;
    for (int i = 0; i < self->config->ncounters; i++) {
        const broker_counter_t *c = &self->counters[i];
        if (c->state != COUNTER_LOGGED_OUT && c->state != COUNTER_PAUSED &&
            (c->services & (1u << service)))
            n++;
    }
    return n;
}

//  ---------------------------------------------------------------------------------------
//  JSON forms

static json_t *
s_services_json (const broker_hall_t *self, uint32_t mask)
{
    json_t *list = json_array ();
    for (int i = 0; i < self->config->nservices; i++)
        if (mask & (1u << i))
            json_array_append_new (list, json_string (self->config->services[i].prefix));
    return list;
}

//  The fields only the stored record holds, after the public ones.
static void
s_ticket_private (json_t *j, const broker_ticket_t *t)
{
    json_object_set_new (j, "token", json_string (t->token));
    json_object_set_new (j, "order_key", json_integer (t->order_key));
    json_object_set_new (j, "last_counter", json_integer (t->last_counter));
    json_object_set_new (j, "ahead_at_issue", json_integer (t->ahead_at_issue));
    json_object_set_new (j, "est_wait_at_issue_s", json_integer (t->est_wait_at_issue_s));
}

//  The hot records are built field by field rather than with json_pack, which parses its
//  format and checks every key as UTF-8 on each call; the keys here are ASCII literals.
static void
s_set_int (json_t *j, const char *key, json_int_t v)
{
    json_object_set_new_nocheck (j, key, json_integer (v));
}

static void
s_set_str (json_t *j, const char *key, const char *v)
{
    json_object_set_new_nocheck (j, key, json_string (v));
}

json_t *
broker_ticket_json (const broker_hall_t *self, const broker_ticket_t *t, bool full)
{
    const broker_config_t *cfg = self->config;
    json_t *j = json_object ();
    if (!j)
        return NULL;
    s_set_int (j, "id", (json_int_t)t->id);
    s_set_str (j, "number", t->number);
    s_set_str (j, "service", cfg->services[t->service].prefix);
    s_set_str (j, "priority", broker_priority_name (t->priority));
    s_set_str (j, "state", broker_ticket_state_name (t->state));
    s_set_int (j, "issued", t->issued_ms);
    s_set_int (j, "day", t->day);
    if (t->from_service >= 0)
        json_object_set_new (j, "from", json_string (cfg->services[t->from_service].prefix));
    if (t->called_ms)
        json_object_set_new (j, "called", json_integer (t->called_ms));
    if (t->last_called_ms && t->last_called_ms != t->called_ms)
        json_object_set_new (j, "last_called", json_integer (t->last_called_ms));
    if (t->started_ms)
        json_object_set_new (j, "started", json_integer (t->started_ms));
    if (t->finished_ms)
        json_object_set_new (j, "finished", json_integer (t->finished_ms));
    if (t->counter)
        json_object_set_new (j, "counter", json_integer (t->counter));
    if (t->grace_until)
        json_object_set_new (j, "grace_until", json_integer (t->grace_until));
    if (t->recalls)
        json_object_set_new (j, "recalls", json_integer (t->recalls));
    if (t->misses)
        json_object_set_new (j, "misses", json_integer (t->misses));
    if (t->reason[0])
        json_object_set_new (j, "reason", json_string (t->reason));
    if (full)
        s_ticket_private (j, t);
    return j;
}

static int64_t
s_int (const json_t *j, const char *key)
{
    return json_integer_value (json_object_get (j, key));
}

static void
s_copy (char *dst, size_t size, const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    snprintf (dst, size, "%s", v ? v : "");
}

int
broker_ticket_from_json (const broker_hall_t *self, const json_t *j, broker_ticket_t *t)
{
    memset (t, 0, sizeof *t);
    const char *service = json_string_value (json_object_get (j, "service"));
    const char *state = json_string_value (json_object_get (j, "state"));
    const char *priority = json_string_value (json_object_get (j, "priority"));
    if (!service || !state || !priority)
        return -1;
    t->service = broker_config_service (self->config, service);
    int p = broker_priority_lookup (priority);
    int st = -1;
    for (int i = 0; i < TICKET_STATE_COUNT; i++)
        if (strcmp (state, s_ticket_states[i]) == 0)
            st = i;
    if (t->service < 0 || p < 0 || st < 0)
        return -1;
    t->priority = (broker_priority_t)p;
    t->state = (broker_ticket_state_t)st;
    const char *from = json_string_value (json_object_get (j, "from"));
    t->from_service = from ? broker_config_service (self->config, from) : -1;
    t->id = (uint64_t)s_int (j, "id");
    s_copy (t->number, sizeof t->number, j, "number");
    s_copy (t->token, sizeof t->token, j, "token");
    s_copy (t->reason, sizeof t->reason, j, "reason");
    t->day = (int)s_int (j, "day");
    t->issued_ms = s_int (j, "issued");
    t->order_key = s_int (j, "order_key");
    t->called_ms = s_int (j, "called");
    t->last_called_ms =
        json_object_get (j, "last_called") ? s_int (j, "last_called") : t->called_ms;
    t->started_ms = s_int (j, "started");
    t->finished_ms = s_int (j, "finished");
    t->grace_until = s_int (j, "grace_until");
    t->counter = (int)s_int (j, "counter");
    t->last_counter = (int)s_int (j, "last_counter");
    t->recalls = (int)s_int (j, "recalls");
    t->misses = (int)s_int (j, "misses");
    t->ahead_at_issue = (int)s_int (j, "ahead_at_issue");
    t->est_wait_at_issue_s = s_int (j, "est_wait_at_issue_s");
    t->stored = true; //  read from its record: its token and live mark were written with it
    return 0;
}

json_t *
broker_counter_json (const broker_hall_t *self, const broker_counter_t *c)
{
    return broker_counter_json_with (self, c, NULL);
}

json_t *
broker_counter_json_with (const broker_hall_t *self, const broker_counter_t *c, json_t *ticket)
{
    const broker_counter_cfg_t *cfg = &self->config->counters[c->cfg];
    json_t *j = json_object ();
    if (!j)
        return NULL;
    s_set_int (j, "id", c->id);
    s_set_str (j, "name", cfg->name);
    s_set_str (j, "state", broker_counter_state_name (c->state));
    json_object_set_new_nocheck (j, "services", s_services_json (self, c->services));
    json_object_set_new_nocheck (j, "configured", s_services_json (self, cfg->services));
    s_set_int (j, "since", c->since_ms);
    s_set_int (j, "login", c->login_ms);
    s_set_int (j, "served", c->served);
    if (c->clerk[0])
        json_object_set_new (j, "clerk", json_string (c->clerk));
    if (c->pause_reason[0])
        json_object_set_new (j, "pause_reason", json_string (c->pause_reason));
    json_object_set_new (j, "ticket",
                         !c->ticket ? json_null ()
                         : ticket   ? json_incref (ticket)
                                    : broker_ticket_json (self, c->ticket, false));
    json_object_set_new (j, "day", broker_day_counter_json (&self->day_ctr[c->cfg]));
    json_object_set_new (
        j, "profile",
        json_string (self->config->profiles[self->config->counters[c->cfg].profile].name));
    json_object_set_new (j, "cycle", json_integer (c->cycle));
    if (c->paused_ms)
        json_object_set_new (j, "paused", json_integer (c->paused_ms));
    if (c->state == COUNTER_PAUSED && c->back_ms)
        json_object_set_new (j, "back", json_integer (c->back_ms));
    return j;
}

void
broker_hall_reset_day (broker_hall_t *self)
{
    memset (self->day_svc, 0, sizeof self->day_svc);
    memset (self->day_ctr, 0, (size_t)self->config->ncounters * sizeof *self->day_ctr);
}

json_t *
broker_day_service_json (const broker_day_service_t *d)
{
    json_t *j = json_object ();
    if (!j)
        return NULL;
    s_set_int (j, "issued", d->issued);
    s_set_int (j, "called", d->called);
    s_set_int (j, "served", d->served);
    s_set_int (j, "missed", d->missed);
    s_set_int (j, "cancelled", d->cancelled);
    s_set_int (j, "transferred", d->transferred);
    s_set_int (j, "over_wait", d->over_wait);
    s_set_int (j, "sum_wait_ms", d->sum_wait_ms);
    s_set_int (j, "max_wait_ms", d->max_wait_ms);
    s_set_int (j, "sum_service_ms", d->sum_service_ms);
    s_set_int (j, "rated", d->rated);
    json_t *ratings = json_array ();
    for (int r = 1; r <= 5; r++)
        json_array_append_new (ratings, json_integer (d->rating[r]));
    json_object_set_new_nocheck (j, "ratings", ratings);
    return j;
}

json_t *
broker_day_counter_json (const broker_day_counter_t *d)
{
    json_t *j = json_object ();
    if (!j)
        return NULL;
    s_set_int (j, "served", d->served);
    s_set_int (j, "open_ms", d->open_ms);
    s_set_int (j, "busy_ms", d->busy_ms);
    s_set_int (j, "paused_ms", d->paused_ms);
    return j;
}

static void
s_day_key (const broker_hall_t *self, char *key, size_t size, const char *kind, const char *id)
{
    snprintf (key, size, "day/%08d/%s/%s", self->day, kind, id);
}

void
broker_hall_save_day_service (broker_hall_t *self, broker_store_t *store, int service)
{
    char key[64];
    s_day_key (self, key, sizeof key, "svc", self->config->services[service].prefix);
    json_t *j = broker_day_service_json (&self->day_svc[service]);
    broker_store_put_json (store, BROKER_DB_STATS, key, strlen (key), j);
    json_decref (j);
}

void
broker_hall_save_day_counter (broker_hall_t *self, broker_store_t *store, int cfg_index)
{
    char key[64], id[16];
    snprintf (id, sizeof id, "%d", self->config->counters[cfg_index].id);
    s_day_key (self, key, sizeof key, "ctr", id);
    json_t *j = broker_day_counter_json (&self->day_ctr[cfg_index]);
    broker_store_put_json (store, BROKER_DB_STATS, key, strlen (key), j);
    json_decref (j);
}

//  Today's figures back from the store, at start.
static void
s_load_day (broker_hall_t *self, broker_store_t *store)
{
    char key[64];
    for (int s = 0; s < self->config->nservices; s++) {
        s_day_key (self, key, sizeof key, "svc", self->config->services[s].prefix);
        json_t *j = broker_store_get_json (store, BROKER_DB_STATS, key, strlen (key));
        broker_day_service_t *d = &self->day_svc[s];
        if (j) {
            d->issued = s_int (j, "issued");
            d->called = s_int (j, "called");
            d->served = s_int (j, "served");
            d->missed = s_int (j, "missed");
            d->cancelled = s_int (j, "cancelled");
            d->transferred = s_int (j, "transferred");
            d->over_wait = s_int (j, "over_wait");
            d->sum_wait_ms = s_int (j, "sum_wait_ms");
            d->max_wait_ms = s_int (j, "max_wait_ms");
            d->sum_service_ms = s_int (j, "sum_service_ms");
            d->rated = s_int (j, "rated");
            json_t *r = json_object_get (j, "ratings");
            for (int l = 1; l <= 5; l++)
                d->rating[l] = json_integer_value (json_array_get (r, (size_t)l - 1));
        }
        json_decref (j);
    }
    for (int c = 0; c < self->config->ncounters; c++) {
        char id[16];
        snprintf (id, sizeof id, "%d", self->config->counters[c].id);
        s_day_key (self, key, sizeof key, "ctr", id);
        json_t *j = broker_store_get_json (store, BROKER_DB_STATS, key, strlen (key));
        broker_day_counter_t *d = &self->day_ctr[c];
        if (j) {
            d->served = s_int (j, "served");
            d->open_ms = s_int (j, "open_ms");
            d->busy_ms = s_int (j, "busy_ms");
            d->paused_ms = s_int (j, "paused_ms");
        }
        json_decref (j);
    }
}

//  ---------------------------------------------------------------------------------------
//  Persistence

void
broker_hall_save_ticket (broker_hall_t *self, broker_store_t *store, broker_ticket_t *t)
{
    json_t *view = broker_ticket_json (self, t, false);
    broker_hall_save_ticket_view (self, store, t, view);
    json_decref (view);
}

void
broker_hall_save_ticket_view (broker_hall_t *self, broker_store_t *store, broker_ticket_t *t,
                              const json_t *view)
{
    (void)self;
    unsigned char key[8];
    broker_key_u64 (t->id, key);
    json_t *j = json_copy ((json_t *)view);
    s_ticket_private (j, t);
    broker_store_put_json (store, BROKER_DB_TICKETS, key, sizeof key, j);
    json_decref (j);
    if (!t->stored)
        broker_store_put (store, BROKER_DB_TOKENS, t->token, strlen (t->token), key, sizeof key);
    if (broker_ticket_final (t))
        broker_store_del (store, BROKER_DB_LIVE, key, sizeof key);
    else if (!t->stored)
        broker_store_put (store, BROKER_DB_LIVE, key, sizeof key, "", 0);
    t->stored = true;
}

void
broker_hall_save_counter (broker_hall_t *self, broker_store_t *store, const broker_counter_t *c)
{
    json_t *view = broker_counter_json (self, c);
    broker_hall_save_counter_view (self, store, c, view);
    json_decref (view);
}

void
broker_hall_save_counter_view (broker_hall_t *self, broker_store_t *store,
                               const broker_counter_t *c, const json_t *view)
{
    (void)self;
    char key[16];
    int klen = snprintf (key, sizeof key, "%d", c->id);
    //  A shallow copy: the stored form names the ticket by id only (the ticket's own record
    //  is the truth), and the key keeps its place, so the bytes are the same as the view's.
    json_t *j = json_copy ((json_t *)view);
    json_object_set_new (j, "ticket",
                         c->ticket ? json_integer ((json_int_t)c->ticket->id) : json_null ());
    broker_store_put_json (store, BROKER_DB_COUNTERS, key, (size_t)klen, j);
    json_decref (j);
}

void
broker_hall_save_stats (broker_hall_t *self, broker_store_t *store, int service)
{
    const char *prefix = self->config->services[service].prefix;
    json_t *j = json_pack ("{s:I, s:f, s:f}", "n", (json_int_t)self->stats[service].n, "mean_ms",
                           self->stats[service].mean_ms, "var_ms", self->stats[service].var_ms);
    broker_store_put_json (store, BROKER_DB_STATS, prefix, strlen (prefix), j);
    json_decref (j);
    for (int h = 0; h < 24; h++) {
        const broker_stats_t *st = &self->stats_hour[service][h];
        if (!st->n)
            continue;
        char key[16];
        int klen = snprintf (key, sizeof key, "%s/h%02d", prefix, h);
        j = json_pack ("{s:I, s:f, s:f}", "n", (json_int_t)st->n, "mean_ms", st->mean_ms, "var_ms",
                       st->var_ms);
        broker_store_put_json (store, BROKER_DB_STATS, key, (size_t)klen, j);
        json_decref (j);
    }
}

typedef struct {
    broker_hall_t *hall;
    broker_store_t *store;
    int bad;
} s_load_t;

static int
s_load_live (s_load_t *ld, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    if (key->mv_size != 8)
        return 0;
    json_t *j = broker_store_get_json (ld->store, BROKER_DB_TICKETS, key->mv_data, 8);
    broker_ticket_t *t = calloc (1, sizeof *t);
    if (!j || !t || broker_ticket_from_json (ld->hall, j, t) != 0 || s_live_add (ld->hall, t)) {
        log_error ("hall: live ticket %llu cannot be loaded; it stays in the store",
                   (unsigned long long)broker_key_u64_read (key->mv_data));
        free (t);
        ld->bad++;
    } else if (t->state == TICKET_WAITING)
        broker_hall_enqueue (ld->hall, t);
    else if (t->state == TICKET_MISSED && t->grace_until &&
             (!ld->hall->grace_due || t->grace_until < ld->hall->grace_due))
        ld->hall->grace_due = t->grace_until;
    json_decref (j);
    return 0;
}

static int
s_load_counter (s_load_t *ld, const MDB_val *key, const MDB_val *val)
{
    (void)key;
    json_t *j = json_loadb (val->mv_data, val->mv_size, 0, NULL);
    broker_counter_t *c = j ? broker_hall_counter (ld->hall, (int)s_int (j, "id")) : NULL;
    if (c) {
        const char *state = json_string_value (json_object_get (j, "state"));
        for (int i = 0; i < COUNTER_STATE_COUNT; i++)
            if (state && strcmp (state, s_counter_states[i]) == 0)
                c->state = (broker_counter_state_t)i;
        json_t *list = json_object_get (j, "services");
        size_t i;
        json_t *p;
        c->services = 0;
        json_array_foreach (list, i, p) {
            int si = broker_config_service (ld->hall->config,
                                            json_string_value (p) ? json_string_value (p) : "");
            if (si >= 0)
                c->services |= 1u << si;
        }
        //  A counter may lose services when the config changes; it keeps only configured ones.
        c->services &= ld->hall->config->counters[c->cfg].services;
        s_copy (c->clerk, sizeof c->clerk, j, "clerk");
        s_copy (c->pause_reason, sizeof c->pause_reason, j, "pause_reason");
        c->login_ms = s_int (j, "login");
        c->since_ms = s_int (j, "since");
        c->served = (int)s_int (j, "served");
        c->cycle = (int)s_int (j, "cycle");
        c->paused_ms = s_int (j, "paused");
        c->back_ms = s_int (j, "back");
        json_t *tid = json_object_get (j, "ticket");
        c->ticket = json_is_integer (tid)
                        ? broker_hall_live (ld->hall, (uint64_t)json_integer_value (tid))
                        : NULL;
    }
    json_decref (j);
    return 0;
}

static int
s_load_stats (s_load_t *ld, const MDB_val *key, const MDB_val *val)
{
    char prefix[8] = "";
    int hour = -1;
    if (key->mv_size < 3)
        memcpy (prefix, key->mv_data, key->mv_size);
    else if (key->mv_size <= 6 && memchr (key->mv_data, '/', key->mv_size)) {
        //  "A/h09": a service's figures for one hour of the day.
        char buf[8];
        memcpy (buf, key->mv_data, key->mv_size);
        buf[key->mv_size] = 0;
        char *slash = strchr (buf, '/');
        *slash = 0;
        if (slash[1] != 'h')
            return 0;
        hour = atoi (slash + 2);
        snprintf (prefix, sizeof prefix, "%s", buf);
        if (hour < 0 || hour > 23)
            return 0;
    } else
        return 0; //  "day/..." figures are loaded by s_load_day
    int si = broker_config_service (ld->hall->config, prefix);
    json_t *j = json_loadb (val->mv_data, val->mv_size, 0, NULL);
    if (si >= 0 && j) {
        broker_stats_t *st = hour >= 0 ? &ld->hall->stats_hour[si][hour] : &ld->hall->stats[si];
        st->n = s_int (j, "n");
        st->mean_ms = json_number_value (json_object_get (j, "mean_ms"));
        st->var_ms = json_number_value (json_object_get (j, "var_ms"));
    }
    json_decref (j);
    return 0;
}

//  Each booking still to check in (the first is the earliest no-show time).
static int
s_load_booking (s_load_t *ld, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    if (key->mv_size != 8 + PROTO_TOKEN_LEN)
        return 0;
    if (!ld->hall->appt_due)
        ld->hall->appt_due = (int64_t)broker_key_u64_read (key->mv_data);
    const char *code = (const char *)key->mv_data + 8;
    json_t *a = broker_store_get_json (ld->store, BROKER_DB_APPTS, code, PROTO_TOKEN_LEN);
    int service = broker_config_service (ld->hall->config,
                                         json_string_value (json_object_get (a, "service")));
    char text[PROTO_TOKEN_LEN + 1];
    memcpy (text, code, PROTO_TOKEN_LEN);
    text[PROTO_TOKEN_LEN] = 0;
    int rc = service >= 0
                 ? broker_hall_booking_add (ld->hall, text, service,
                                            json_integer_value (json_object_get (a, "start")))
                 : 0;
    json_decref (a);
    return rc;
}

//  Loads every entry of `db` with `fn`. 0, or -1 if one could not be loaded or the walk failed.
static int
s_load_each (s_load_t *ld, broker_db_t db,
             int (*fn) (s_load_t *ld, const MDB_val *key, const MDB_val *val))
{
    int rc = 0;
    broker_store_iter_t it;
    broker_store_scan (ld->store, db, NULL, 0, &it);
    while (rc == 0 && broker_store_next (&it))
        rc = fn (ld, &it.key, &it.val);
    return broker_store_scan_end (&it) || rc ? -1 : 0;
}

int
broker_hall_load (broker_hall_t *self, broker_store_t *store)
{
    s_clear (self);
    s_load_t ld = {self, store, 0};
    MDB_val k, v;
    if (broker_store_last (store, BROKER_DB_TICKETS, &k, &v) == 0 && k.mv_size == 8)
        self->next_id = broker_key_u64_read (k.mv_data) + 1;
    if (broker_store_last (store, BROKER_DB_EVENTS, &k, &v) == 0 && k.mv_size == 8)
        self->last_seq = broker_key_u64_read (k.mv_data);
    if (broker_store_get (store, BROKER_DB_META, "day", 3, &v) == 0 && v.mv_size < 16) {
        char buf[16];
        memcpy (buf, v.mv_data, v.mv_size);
        buf[v.mv_size] = 0;
        self->day = atoi (buf);
    }
    if (broker_store_get (store, BROKER_DB_META, "case_day", 8, &v) == 0 && v.mv_size < 16) {
        char buf[16];
        memcpy (buf, v.mv_data, v.mv_size);
        buf[v.mv_size] = 0;
        self->case_day = atoi (buf);
    }
    s_load_day (self, store);
    if (s_load_each (&ld, BROKER_DB_APPT_DUE, s_load_booking) != 0 ||
        s_load_each (&ld, BROKER_DB_LIVE, s_load_live) != 0 ||
        s_load_each (&ld, BROKER_DB_COUNTERS, s_load_counter) != 0 ||
        s_load_each (&ld, BROKER_DB_STATS, s_load_stats) != 0)
        return -1;
    //  A ticket held by a counter refers back to it; make both sides agree.
    for (size_t i = 0; i < self->nlive; i++) {
        broker_ticket_t *t = self->live[i];
        if ((t->state == TICKET_CALLED || t->state == TICKET_SERVING) && t->counter) {
            broker_counter_t *c = broker_hall_counter (self, t->counter);
            if (c && !c->ticket)
                c->ticket = t;
        }
    }
    return 0;
}
