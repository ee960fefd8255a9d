/*  proto_mirror.c — see proto_mirror.h. */
#include "proto_mirror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "proto_client.h"
#include "proto_json.h"
#include "proto_text.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_wire.h"

#define RECENT       30
#define CHECK_MS     5000 //  liveness check when no event arrives for this long
#define OFFLINE_MS   1000 //  ... and how often while the broker does not answer
#define RECONNECT_MS 300  //  ... and this soon after the event socket reconnects
#define FILL_MAX     1000 //  a gap up to this long is filled from the journal

struct proto_mirror {
    char *broker;       //  request endpoint
    char *pub_override; //  event endpoint given by the user, or NULL
    char pub[512];      //  event endpoint in use
    proto_client_t *client;
    void *zctx;
    void *sub;
    void *monitor;       //  PAIR on the SUB's socket monitor: reconnects
    bool connected_once; //  the SUB's first connection was seen
    json_t *info;        //  hall.info
    json_t *state;       //  see proto_mirror.h
    uint64_t seq;        //  last event applied
    int snapshots;
    bool started;
    bool offline;          //  the last check found no broker: check again soon
    int fills;             //  gaps filled from the journal
    int64_t last_event_ms; //  monotonic ms of the last event (or check)
    json_t *open_cases;    //  case_no -> [state, warning...], as hall.snapshot gave it
    proto_mirror_fn *fn;
    void *fn_arg;
};

proto_mirror_t *
proto_mirror_new (const char *broker, const char *pub)
{
    proto_mirror_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->broker = strdup (broker);
    self->pub_override = pub ? strdup (pub) : NULL;
    self->client = proto_client_new (broker);
    self->zctx = zmq_ctx_new ();
    self->state = json_object ();
    if (!self->broker || !self->client || !self->zctx) {
        proto_mirror_destroy (&self);
        return NULL;
    }
    proto_client_set_timeout (self->client, 1500, 1);
    return self;
}

//  Stops the SUB's monitor before closing its reader: libzmq sends monitor events blocking
//  from the context's I/O thread, which an event for a closed reader would hold for good
//  (proto_client.c does the same).
static void
s_monitor_close (proto_mirror_t *self)
{
    if (self->sub && self->monitor)
        zmq_socket_monitor (self->sub, NULL, 0);
    if (self->monitor)
        zmq_close (self->monitor);
    self->monitor = NULL;
}

void
proto_mirror_destroy (proto_mirror_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    proto_mirror_t *self = *self_p;
    s_monitor_close (self);
    if (self->sub)
        zmq_close (self->sub);
    proto_client_destroy (&self->client);
    if (self->zctx)
        zmq_ctx_term (self->zctx);
    json_decref (self->info);
    json_decref (self->state);
    json_decref (self->open_cases);
    free (self->broker);
    free (self->pub_override);
    free (self);
    *self_p = NULL;
}

void
proto_mirror_on_event (proto_mirror_t *self, proto_mirror_fn *fn, void *arg)
{
    self->fn = fn;
    self->fn_arg = arg;
}

const json_t *
proto_mirror_state (const proto_mirror_t *self)
{
    return self->state;
}

const json_t *
proto_mirror_info (const proto_mirror_t *self)
{
    return self->info;
}

uint64_t
proto_mirror_seq (const proto_mirror_t *self)
{
    return self->seq;
}

int
proto_mirror_snapshots (const proto_mirror_t *self)
{
    return self->snapshots;
}

struct proto_client *
proto_mirror_client (proto_mirror_t *self)
{
    return self->client;
}

const char *
proto_mirror_pub (const proto_mirror_t *self)
{
    return self->pub;
}

void *
proto_mirror_socket (proto_mirror_t *self)
{
    return self->sub;
}

//  The advertised endpoint with a "*" host replaced by the host we reach the broker at.
static void
s_resolve_pub (proto_mirror_t *self, const char *advertised)
{
    const char *star = strstr (advertised, "://*");
    if (!star) {
        snprintf (self->pub, sizeof self->pub, "%s", advertised);
        return;
    }
    //  tcp://HOST:PORT of the broker: take HOST.
    const char *host = strstr (self->broker, "://");
    host = host ? host + 3 : self->broker;
    const char *colon = strrchr (host, ':');
    int hlen = colon ? (int)(colon - host) : (int)strlen (host);
    if (hlen == 1 && host[0] == '*')
        host = "127.0.0.1", hlen = 9;
    snprintf (self->pub, sizeof self->pub, "%.*s://%.*s%s", (int)(star - advertised), advertised,
              hlen, host, star + 4);
}

static void
s_notify (proto_mirror_t *self, const char *topic, const json_t *event)
{
    if (self->fn)
        self->fn (self, topic, event, self->fn_arg);
}

//  Recomputes the service summaries from the mirrored tickets and counters.
static void
s_recount (proto_mirror_t *self)
{
    json_t *services = json_object_get (self->state, "services");
    json_t *tickets = json_object_get (self->state, "tickets");
    json_t *counters = json_object_get (self->state, "counters");
    size_t i;
    json_t *svc;
    json_array_foreach (services, i, svc) {
        const char *prefix = json_string_value (json_object_get (svc, "prefix"));
        int waiting = 0, open = 0;
        const char *k;
        json_t *t;
        json_object_foreach (tickets, k, t)
            if (strcmp (json_string_value (json_object_get (t, "service")), prefix) == 0 &&
                strcmp (json_string_value (json_object_get (t, "state")), "waiting") == 0)
                waiting++;
        size_t j;
        json_t *c;
        json_array_foreach (counters, j, c) {
            const char *st = json_string_value (json_object_get (c, "state"));
            if (!st || strcmp (st, "logged_out") == 0 || strcmp (st, "paused") == 0)
                continue;
            size_t m;
            json_t *p;
            json_array_foreach (json_object_get (c, "services"), m, p)
                if (strcmp (json_string_value (p), prefix) == 0)
                    open++;
        }
        json_object_set_new (svc, "waiting", json_integer (waiting));
        json_object_set_new (svc, "open_counters", json_integer (open));
        //  The naive formula follows the counts; the broker's simulated estimate arrives
        //  with each call (ticket.called est_new_s) and each snapshot.
        json_int_t mean = json_integer_value (json_object_get (svc, "mean_service_s"));
        json_object_set_new (svc, "naive_wait_s",
                             open ? json_integer ((json_int_t)waiting * mean / open)
                                  : json_null ());
        if (!open)
            json_object_set_new (svc, "est_wait_s", json_null ());
    }
}

static int
s_snapshot (proto_mirror_t *self)
{
    json_t *snap = NULL;
    if (proto_client_call (self->client, "hall.snapshot", NULL, &snap) != PROTO_ERR_OK) {
        json_decref (snap);
        return -1;
    }
    //  Tickets by id, so events can replace them.
    json_t *tickets = json_object ();
    size_t i;
    json_t *t;
    json_array_foreach (json_object_get (snap, "tickets"), i, t) {
        char id[32];
        snprintf (id, sizeof id, "%lld", (long long)json_integer_value (json_object_get (t, "id")));
        json_object_set (tickets, id, t);
    }
    json_object_set_new (snap, "tickets", tickets);
    //  Recent calls and alarms survive a resync: they are history, not state.
    json_t *calls = json_object_get (self->state, "calls");
    json_t *alarms = json_object_get (self->state, "alarms");
    json_object_set_new (snap, "calls", calls ? json_incref (calls) : json_array ());
    json_object_set_new (snap, "alarms", alarms ? json_incref (alarms) : json_array ());
    //  The open cases' states and warnings: case events move the counts with them.
    json_decref (self->open_cases);
    self->open_cases = json_object_get (snap, "open_cases");
    self->open_cases = self->open_cases ? json_incref (self->open_cases) : json_object ();
    json_object_del (snap, "open_cases");
    json_decref (self->state);
    self->state = snap;
    self->seq = (uint64_t)json_integer_value (json_object_get (snap, "seq"));
    self->snapshots++;
    self->last_event_ms = proto_mono_ms ();
    s_notify (self, "mirror.snapshot", NULL);
    return 0;
}

int
proto_mirror_start (proto_mirror_t *self)
{
    json_t *info = NULL;
    if (proto_client_call (self->client, "hall.info", NULL, &info) != PROTO_ERR_OK) {
        json_decref (info);
        return -1;
    }
    json_decref (self->info);
    self->info = info;
    if (self->pub_override)
        snprintf (self->pub, sizeof self->pub, "%s", self->pub_override);
    else
        s_resolve_pub (self, json_string_value (json_object_get (info, "events")));
    s_monitor_close (self);
    if (self->sub)
        zmq_close (self->sub);
    self->connected_once = false;
    self->sub = zmq_socket (self->zctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (self->sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, "", 0);
    //  Each (re)connection of the event socket is reported: after a broker restart the
    //  first events can be published before our subscription reaches it, so a reconnect
    //  is followed by a check of the broker's sequence.
    char mon[64];
    snprintf (mon, sizeof mon, "inproc://mirror-%p", (void *)self->sub);
    if (zmq_socket_monitor (self->sub, mon, ZMQ_EVENT_CONNECTED) == 0) {
        self->monitor = zmq_socket (self->zctx, ZMQ_PAIR);
        zmq_setsockopt (self->monitor, ZMQ_LINGER, &zero, sizeof zero);
        if (zmq_connect (self->monitor, mon) != 0) {
            zmq_close (self->monitor);
            self->monitor = NULL;
        }
    }
    if (proto_client_curve_apply (self->client, self->sub) != 0 ||
        zmq_connect (self->sub, self->pub) != 0) {
        log_error ("mirror: cannot connect to events at %s: %s", self->pub, zmq_strerror (errno));
        return -1;
    }
    //  Subscribe first, then snapshot: events that race the snapshot are buffered and
    //  dropped by sequence; none falls between the two.
    if (s_snapshot (self) != 0)
        return -1;
    self->started = true;
    return 0;
}

static void
s_push_recent (json_t *list, json_t *item)
{
    json_array_insert_new (list, 0, item);
    while (json_array_size (list) > RECENT)
        json_array_remove (list, json_array_size (list) - 1);
}

static json_t *
s_stats_of (proto_mirror_t *self, const json_t *ticket)
{
    json_t *stats = json_object_get (self->state, "stats");
    const char *svc = json_string_value (json_object_get (ticket, "service"));
    return svc ? json_object_get (stats, svc) : NULL;
}

static void
s_add (json_t *obj, const char *key, json_int_t n)
{
    if (obj)
        json_object_set_new (obj, key,
                             json_integer (json_integer_value (json_object_get (obj, key)) + n));
}

static bool
s_final (const json_t *t)
{
    const char *st = json_string_value (json_object_get (t, "state"));
    return !st || strcmp (st, "done") == 0 || strcmp (st, "cancelled") == 0 ||
           strcmp (st, "expired") == 0 ||
           (strcmp (st, "missed") == 0 && !json_object_get (t, "grace_until"));
}

//  What a new ticket of each service would wait (ticket.called and hall.estimates carry
//  it as est_new_s: prefix -> seconds or null).
static void
s_apply_estimates (proto_mirror_t *self, const json_t *est_new_s)
{
    const char *prefix;
    json_t *est;
    json_object_foreach ((json_t *)est_new_s, prefix, est) {
        size_t k;
        json_t *svc;
        json_array_foreach (json_object_get (self->state, "services"), k, svc)
            if (strcmp (json_string_value (json_object_get (svc, "prefix")), prefix) == 0)
                json_object_set (svc, "est_wait_s", est);
    }
}

//  A ticket.called event: a first call counts its wait, every call brings the services'
//  new estimates and goes to the recent calls.
static void
s_apply_call (proto_mirror_t *self, const json_t *e, const json_t *t, json_t *day)
{
    json_t *st = self->state;
    json_t *wait = json_object_get (e, "wait_s");
    if (json_is_integer (wait) && !json_integer_value (json_object_get (e, "recall"))) {
        json_int_t ms = json_integer_value (wait) * 1000;
        s_add (day, "called", 1);
        s_add (day, "sum_wait_ms", ms);
        if (day && ms > json_integer_value (json_object_get (day, "max_wait_ms")))
            json_object_set_new (day, "max_wait_ms", json_integer (ms));
        if (ms > json_integer_value (json_object_get (st, "over_wait_minutes")) * 60000)
            s_add (day, "over_wait", 1);
    }
    s_apply_estimates (self, json_object_get (e, "est_new_s"));
    json_t *call = json_pack (
        "{s:O, s:O, s:O, s:O, s:O, s:O}", "number", json_object_get (t, "number"), "service",
        json_object_get (t, "service"), "counter", json_object_get (e, "counter"), "counter_name",
        json_object_get (e, "counter_name"), "recall", json_object_get (e, "recall"), "time",
        json_object_get (e, "time"));
    if (call)
        s_push_recent (json_object_get (st, "calls"), call);
}

//  A ticket.* event: the ticket replaces its copy (or leaves the live set), the day's
//  figures of its service move, and a counter holding it shows its new state.
static void
s_apply_ticket (proto_mirror_t *self, const char *topic, const json_t *e, const json_t *t)
{
    json_t *st = self->state;
    char id[32];
    snprintf (id, sizeof id, "%lld", (long long)json_integer_value (json_object_get (t, "id")));
    json_t *tickets = json_object_get (st, "tickets");
    if (s_final (t))
        json_object_del (tickets, id);
    else
        json_object_set (tickets, id, (json_t *)t);
    json_t *day = s_stats_of (self, t);
    if (strcmp (topic, "ticket.issued") == 0)
        s_add (day, "issued", 1);
    else if (strcmp (topic, "ticket.called") == 0)
        s_apply_call (self, e, t, day);
    else if (strcmp (topic, "ticket.finished") == 0) {
        s_add (day, "served", 1);
        s_add (day, "sum_service_ms", json_integer_value (json_object_get (e, "service_s")) * 1000);
    } else if (strcmp (topic, "ticket.missed") == 0)
        s_add (day, "missed", 1);
    else if (strcmp (topic, "ticket.cancelled") == 0)
        s_add (day, "cancelled", 1);
    else if (strcmp (topic, "ticket.transferred") == 0) {
        json_t *from = json_object_get (json_object_get (st, "stats"),
                                        json_string_value (json_object_get (e, "from")));
        s_add (from, "transferred", 1);
    }
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (st, "counters"), i, c) {
        json_t *held = json_object_get (c, "ticket");
        if (json_is_object (held) && json_integer_value (json_object_get (held, "id")) ==
                                         json_integer_value (json_object_get (t, "id")))
            json_object_set (c, "ticket", (json_t *)t);
    }
}

//  hall.day: a new day's figures start at zero, the services' and the counters'; the
//  snapshot would say the same.
static void
s_apply_day (proto_mirror_t *self, const json_t *e)
{
    json_t *st = self->state;
    json_object_set (st, "day", json_object_get (e, "day"));
    const char *k;
    json_t *day;
    json_object_foreach (json_object_get (st, "stats"), k, day) {
        const char *kk;
        json_t *v;
        json_object_foreach (day, kk, v)
            if (json_is_integer (v))
                json_object_set_new (day, kk, json_integer (0));
        json_object_set_new (day, "ratings", json_pack ("[i,i,i,i,i]", 0, 0, 0, 0, 0));
    }
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (st, "counters"), i, c) {
        json_t *cday = json_object_get (c, "day");
        const char *kk;
        json_t *v;
        json_object_foreach (cday, kk, v)
            if (json_is_integer (v))
                json_object_set_new (cday, kk, json_integer (0));
        if (json_object_get (c, "served"))
            json_object_set_new (c, "served", json_integer (0));
    }
}

//  The open states of PROTOCOL.md 6.11: the cases hall.snapshot counts.
static bool
s_case_open (const char *state)
{
    static const char *open[] = {"supplement_pending", "accepted",        "in_review",
                                 "special_procedure",  "awaiting_pickup", "ready_for_pickup"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (strcmp (state, open[i]) == 0)
            return true;
    return false;
}

//  Counts one open case's entry [state, warning...] in (sign 1) or out (-1) of `cases`.
//  Like the broker's, the counts show a state or another warning only while it is
//  above zero; open, yellow, red and overdue always.
static void
s_case_count (json_t *cases, const json_t *entry, int sign)
{
    static const char *always[] = {"open", "yellow", "red", "overdue"};
    s_add (cases, "open", sign);
    size_t i;
    json_t *name;
    json_array_foreach (entry, i, name) {
        const char *key = json_string_value (name);
        if (!key || !*key)
            continue;
        s_add (cases, key, sign);
        bool kept = false;
        for (size_t k = 0; k < sizeof always / sizeof always[0]; k++)
            kept = kept || strcmp (key, always[k]) == 0;
        if (!kept && json_integer_value (json_object_get (cases, key)) <= 0)
            json_object_del (cases, key);
    }
}

//  A case.* event carries the whole case after its change: its state and warnings replace
//  the ones kept for it, and the counts move with them. Replaying the same event again
//  changes nothing.
static void
s_apply_case (proto_mirror_t *self, const json_t *e)
{
    const json_t *c = json_object_get (e, "case");
    const char *no = proto_str (c, "case_no");
    json_t *cases = json_object_get (self->state, "cases");
    if (!*no || !json_is_object (cases))
        return;
    json_t *old = json_object_get (self->open_cases, no);
    if (old) {
        s_case_count (cases, old, -1);
        json_object_del (self->open_cases, no);
    }
    const char *state = proto_str (c, "state");
    if (!s_case_open (state))
        return;
    json_t *entry = json_pack ("[s]", state);
    size_t i;
    json_t *level;
    json_array_foreach (json_object_get (c, "warnings"), i, level)
        if (json_is_string (level))
            json_array_append (entry, level);
    s_case_count (cases, entry, 1);
    json_object_set_new (self->open_cases, no, entry);
}

static void
s_apply (proto_mirror_t *self, const char *topic, json_t *e)
{
    json_t *st = self->state;
    json_object_set (st, "now", json_object_get (e, "time"));
    json_object_set (st, "seq", json_object_get (e, "seq"));
    const json_t *t = json_object_get (e, "ticket");
    if (strncmp (topic, "ticket.", 7) == 0 && json_is_object (t))
        s_apply_ticket (self, topic, e, t);
    else if (strcmp (topic, "counter.changed") == 0) {
        json_t *c = json_object_get (e, "counter");
        size_t i;
        json_t *old;
        json_array_foreach (json_object_get (st, "counters"), i, old)
            if (json_integer_value (json_object_get (old, "id")) ==
                json_integer_value (json_object_get (c, "id")))
                json_array_set (json_object_get (st, "counters"), i, c);
    } else if (strcmp (topic, "rating.received") == 0) {
        json_t *day = s_stats_of (self, t);
        json_int_t level = json_integer_value (json_object_get (e, "level"));
        s_add (day, "rated", 1);
        json_t *r = json_object_get (day, "ratings");
        if (json_is_array (r) && level >= 1 && level <= 5)
            json_array_set_new (
                r, (size_t)level - 1,
                json_integer (json_integer_value (json_array_get (r, (size_t)level - 1)) + 1));
    } else if (strcmp (topic, "hall.day") == 0)
        s_apply_day (self, e);
    else if (strcmp (topic, "vault.changed") == 0) {
        json_t *cab = json_object_get (e, "cabinet");
        json_t *list = json_object_get (st, "cabinets");
        size_t i;
        json_t *old;
        bool found = false;
        json_array_foreach (list, i, old)
            if (strcmp (json_string_value (json_object_get (old, "cabinet")),
                        json_string_value (json_object_get (cab, "cabinet"))) == 0) {
                json_array_set (list, i, cab);
                found = true;
            }
        if (!found)
            json_array_append (list, cab);
    } else if (strcmp (topic, "vault.alarm") == 0)
        s_push_recent (json_object_get (st, "alarms"), json_incref (e));
    else if (strncmp (topic, "case.", 5) == 0)
        s_apply_case (self, e);
    s_recount (self);
}

//  Reads one event message; 1 if one was read (a malformed one leaves *body NULL), 0 if
//  none waiting, -1 on error.
static int
s_read (proto_mirror_t *self, char *topic, size_t tsize, uint64_t *seq, json_t **body)
{
    proto_wire_event_t event;
    proto_wire_rc_t rc = proto_wire_recv_event (self->sub, ZMQ_DONTWAIT, &event);
    bool none = rc == PROTO_WIRE_ERROR && errno == EAGAIN;
    snprintf (topic, tsize, "%s", event.topic);
    *seq = event.seq;
    *body = rc == PROTO_WIRE_OK ? proto_wire_event_json (&event) : NULL;
    proto_wire_event_close (&event);
    if (rc == PROTO_WIRE_ERROR)
        return none ? 0 : -1;
    return 1;
}

//  Applies the journal's events from self->seq + 1 up to `upto` (events.range). The number
//  applied, or -1 if the journal could not give all of them (nothing is applied then: the
//  caller takes a snapshot instead).
static int
s_fill (proto_mirror_t *self, uint64_t upto)
{
    if (upto <= self->seq || upto - self->seq > FILL_MAX)
        return -1;
    json_t *r = NULL;
    json_t *range = json_pack ("{s:I, s:I}", "from", (json_int_t)(self->seq + 1), "limit",
                               (json_int_t)(upto - self->seq));
    int rc = proto_client_call (self->client, "events.range", range, &r);
    json_decref (range);
    json_t *events = json_object_get (r, "events");
    //  All of them, consecutive, or none.
    bool whole = rc == PROTO_ERR_OK && json_array_size (events) == upto - self->seq;
    for (size_t k = 0; whole && k < json_array_size (events); k++)
        whole = (uint64_t)json_integer_value (
                    json_object_get (json_array_get (events, k), "seq")) == self->seq + 1 + k;
    if (!whole) {
        json_decref (r);
        return -1;
    }
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e) {
        const char *topic = json_string_value (json_object_get (e, "topic"));
        json_t *body = json_incref (e);
        s_apply (self, topic ? topic : "", body);
        self->seq++;
        s_notify (self, topic ? topic : "", body);
        json_decref (body);
    }
    self->fills++;
    self->last_event_ms = proto_mono_ms ();
    json_decref (r);
    return (int)i;
}

//  True if the event socket connected again since the last call (not its first connect).
static bool
s_reconnected (proto_mirror_t *self)
{
    bool again = false;
    while (self->monitor) {
        zmq_msg_t m;
        zmq_msg_init (&m);
        if (zmq_msg_recv (&m, self->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&m);
            break;
        }
        //  Each report is two frames: 6 bytes (event, value), then the endpoint.
        if (zmq_msg_size (&m) == 6 && zmq_msg_more (&m)) {
            again = again || self->connected_once;
            self->connected_once = true;
        }
        zmq_msg_close (&m);
    }
    return again;
}

int
proto_mirror_fills (const proto_mirror_t *self)
{
    return self->fills;
}

bool
proto_mirror_online (const proto_mirror_t *self)
{
    return self->started && !self->offline;
}

int
proto_mirror_poll (proto_mirror_t *self, int timeout_ms)
{
    if (!self->started && proto_mirror_start (self) != 0)
        return -1;
    int applied = 0;
    zmq_pollitem_t item = {self->sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, timeout_ms) < 0 && errno != EINTR)
        return -1;
    for (;;) {
        char topic[64];
        uint64_t seq;
        json_t *body;
        int rc = s_read (self, topic, sizeof topic, &seq, &body);
        if (rc <= 0)
            break;
        self->last_event_ms = proto_mono_ms ();
        if (!body || seq == 0) {
            json_decref (body);
            continue;
        }
        if (strcmp (topic, "hall.estimates") == 0) {
            //  Not journaled: it carries the last journaled event's sequence and is applied
            //  as it comes (a lost one is followed by the next, or by a snapshot).
            s_apply_estimates (self, json_object_get (body, "est_new_s"));
            s_notify (self, topic, body);
            json_decref (body);
            applied++;
            continue;
        }
        if (seq <= self->seq) {
            json_decref (body); //  already in the snapshot
            continue;
        }
        if (seq > self->seq + 1) {
            //  A gap: events were lost (a slow subscriber, a restart). Read them from the
            //  broker's journal, or start again from a snapshot.
            int n = s_fill (self, seq - 1);
            if (n < 0 && s_snapshot (self) != 0) {
                json_decref (body);
                return -1;
            }
            applied += n > 0 ? n : 0;
            if (seq != self->seq + 1) {
                json_decref (body); //  in the snapshot already
                continue;
            }
        }
        s_apply (self, topic, body);
        self->seq = seq;
        s_notify (self, topic, body);
        json_decref (body);
        applied++;
    }
    if (s_reconnected (self))
        self->last_event_ms = proto_mono_ms () - CHECK_MS + RECONNECT_MS;
    int64_t now = proto_mono_ms ();
    if (now - self->last_event_ms > (self->offline ? OFFLINE_MS : CHECK_MS)) {
        //  A quiet stream: make sure nothing was missed (the last event before a broker
        //  restart, or a stream that silently broke). While the broker is away, look
        //  again every second.
        self->last_event_ms = now;
        json_t *info = NULL;
        int rc = proto_client_call (self->client, "hall.info", NULL, &info);
        uint64_t seq = (uint64_t)json_integer_value (json_object_get (info, "seq"));
        json_decref (info);
        self->offline = rc != PROTO_ERR_OK;
        if (rc != PROTO_ERR_OK)
            return -1;
        if (seq > self->seq) {
            int n = s_fill (self, seq);
            if (n < 0 && s_snapshot (self) != 0)
                return -1;
            applied += n > 0 ? n : 0;
        } else if (seq < self->seq && s_snapshot (self) != 0)
            return -1; //  a different store (restored from a backup): start again
    }
    return applied;
}
