/*  term_web.c — `onewindow web --http ADDR:PORT`: the hall's web gateway.

    A client of the broker like any terminal. It keeps a live copy of the hall with the
    mirror (proto_mirror.h, the Clone pattern) and serves it over HTTP with libmicrohttpd:
    the TV board, the manager's dashboard with charts drawn from the journal, the citizen's
    status page behind the slip's QR code, a touch-screen kiosk, the rating pad, JSON,
    Server-Sent Events and Prometheus metrics. The state comes from the mirror's event
    stream, never from polling the broker; the broker is asked only for what no event
    carries (a ticket's status by its token, the day's journal for the charts once after
    each snapshot, the rectification list after a rating) and to act (issue, rate).

    One thread, no locks: MHD runs without a thread of its own (MHD_USE_EPOLL, external
    polling), and its epoll descriptor and the mirror's event socket are polled together
    with zmq_poll. Each /events client has its own queue: an event is appended to every
    queue, and a client that reads slowly falls behind on its own (and is dropped past
    SSE_MAX_QUEUE bytes) without holding up the loop or the other clients. An idle
    client's connection is suspended until there is something to send.

    Nothing a citizen gave at intake reaches a page: the status page shows the ticket, the
    case's number, item, state, deadline and next step (never the applicant, whose ID and
    phone the broker masks anyway), and case events go out on /events reduced to the
    fields a board or a dashboard uses. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <zmq.h>

#include "proto_client.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_qr.h"
#include "proto_token.h"
#include "proto_json.h"
#include "proto_text.h"
#include "proto_mirror.h"
#include "web_assets.h"

#define SSE_HEARTBEAT_MS  15000     //  a comment line to every /events client this often
#define SSE_MAX_QUEUE     (1 << 20) //  bytes queued for one client before it is dropped
#define SSE_RING          512       //  recent events kept for Last-Event-ID replays
#define POST_MAX          8192      //  largest form body accepted
#define RECONNECT_MS      5500      //  between tries while the broker is away
#define HISTORY_PAGE      1000      //  events.range's limit
#define HISTORY_MAX_PAGES 200       //  journal read per catch-up, at most
#define CALLS_SHOWN       8         //  recent calls on the board
#define CALLS_KEPT        30
#define CHART_W           640
#define CHART_H           220

static volatile sig_atomic_t s_interrupted;

typedef struct s_web s_web_t;

//  One /events client.
typedef struct s_sse {
    s_web_t *web;
    struct MHD_Connection *conn;
    char *buf; //  bytes waiting to be sent, from off to len
    size_t off, len, cap;
    bool suspended; //  MHD_suspend_connection'ed while the queue is empty
    bool dead;      //  dropped: its queue overflowed
    bool closing;   //  end the stream once the queue is sent
    struct s_sse *prev, *next;
} s_sse_t;

//  A time series: (Unix ms, value).
typedef struct {
    int64_t t, v;
} s_point_t;

typedef struct {
    s_point_t *p;
    size_t n, cap;
} s_series_t;

//  Today's history for the charts, rebuilt from the journal (events.range) and then kept
//  up by the live events.
typedef struct {
    bool loaded;      //  the day's journal was read
    uint64_t last;    //  sequence of the last event applied
    int64_t start_ms; //  time of the day's first event
    json_t *waiting;  //  ticket id -> true, for the tickets waiting now
    s_series_t queue; //  tickets waiting, at each change
    s_series_t waits; //  wait in seconds, at each first call
    json_t *calls;    //  the day's last calls, newest first (the board's list)
} s_history_t;

//  A recent event as sent on /events.
typedef struct {
    uint64_t seq;
    char *text;
} s_ring_t;

struct s_web {
    proto_mirror_t *mirror;        //  the live hall, and the client for requests
    struct MHD_Daemon *daemon;    //  the HTTP server
    s_sse_t *clients;             //  /events clients
    int nclients;                 //  how many
    uint64_t sse_events;          //  events broadcast so far
    s_ring_t ring[SSE_RING];      //  the last events, oldest at ring_next when full
    size_t ring_next, ring_count; //  next slot to write, slots in use
    s_history_t hist;             //  today's history for the charts and the board
    json_t *ratings;              //  rating.list reply, until a rating event changes it
    bool connected;               //  the mirror is in step with the broker
};

//  Routes.
typedef enum {
    ROUTE_NONE,
    ROUTE_INDEX,
    ROUTE_BOARD,
    ROUTE_DASHBOARD,
    ROUTE_KIOSK,
    ROUTE_STATUS,
    ROUTE_RATE,
    ROUTE_API_SNAPSHOT,
    ROUTE_API_STATUS,
    ROUTE_API_HISTORY,
    ROUTE_API_RATINGS,
    ROUTE_API_CHARTS,
    ROUTE_EVENTS,
    ROUTE_METRICS,
    ROUTE_CSS,
    ROUTE_JS,
    ROUTE_WORKER,
} s_route_t;

//  One request, kept across MHD's calls of the handler for it.
typedef struct {
    s_route_t route;
    char arg[64]; //  the TOKEN of /t/TOKEN, /rate/TOKEN, /api/status/TOKEN
    bool post;
    struct MHD_PostProcessor *pp;
    size_t total;    //  body bytes received
    bool bad;        //  a form field too long or not text
    char service[8]; //  form fields
    char level[8];
    char rid[40];
    char comment[1024];
    size_t comment_len;
} s_req_t;

//  ---------------------------------------------------------------------------------------
//  Small helpers

static void
s_esc (FILE *f, const char *text)
{
    web_escape (f, text);
}

//  The hall's offset from UTC in minutes.
static int
s_utc_offset (s_web_t *w)
{
    const json_t *v = json_object_get (proto_mirror_state (w->mirror), "utc_offset_min");
    if (!json_is_integer (v))
        v = json_object_get (json_object_get (proto_mirror_info (w->mirror), "hall"),
                             "utc_offset_min");
    return json_is_integer (v) ? (int)json_integer_value (v) : 480;
}

//  The broker's "now": the real time, or on a simulated clock the time of the last event
//  (the simulated clock moves only by events).
static int64_t
s_now (s_web_t *w)
{
    const json_t *info = proto_mirror_info (w->mirror);
    if (strcmp (proto_str (info, "clock"), "sim") == 0) {
        json_int_t now = proto_int (proto_mirror_state (w->mirror), "now");
        return now ? now : proto_int (info, "now");
    }
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  "HH:MM" of Unix ms in the hall's time.
static void
s_hhmm (int64_t ms, int off, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000) + (time_t)off * 60;
    struct tm tm;
    gmtime_r (&t, &tm);
    snprintf (out, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

//  "YYYY-MM-DD" of a YYYYMMDD date.
static void
s_date (json_int_t d, char *out, size_t size)
{
    snprintf (out, size, "%04d-%02d-%02d", (int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
}

//  Minutes with one decimal, or a dash.
static void
s_minutes (FILE *f, bool known, double seconds)
{
    if (known)
        fprintf (f, "%.1f", seconds / 60.0);
    else
        fputs ("—", f);
}

//  A percentage, or a dash when there is nothing to divide by.
static void
s_percent (FILE *f, json_int_t part, json_int_t whole)
{
    if (whole > 0)
        fprintf (f, "%.1f%%", 100.0 * (double)part / (double)whole);
    else
        fputs ("—", f);
}

static const char *
s_counter_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"logged_out", "未登录 <span class=\"en\">Closed</span>"},
        {"idle", "空闲 <span class=\"en\">Idle</span>"},
        {"calling", "叫号中 <span class=\"en\">Calling</span>"},
        {"serving", "办理中 <span class=\"en\">Serving</span>"},
        {"paused", "暂停 <span class=\"en\">Paused</span>"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return NULL;
}

static const char *
s_ticket_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"waiting", "排队中 <span class=\"en\">Waiting</span>"},
        {"called", "已叫号，请到窗口 <span class=\"en\">Called: please go to the counter</span>"},
        {"serving", "办理中 <span class=\"en\">Being served</span>"},
        {"done", "已办结 <span class=\"en\">Done</span>"},
        {"missed", "已过号 <span class=\"en\">Missed</span>"},
        {"cancelled", "已取消 <span class=\"en\">Cancelled</span>"},
        {"expired", "已失效 <span class=\"en\">Expired</span>"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return NULL;
}

static const char *
s_case_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"supplement_pending", "待补正 <span class=\"en\">Waiting for material</span>"},
        {"accepted", "已受理 <span class=\"en\">Accepted</span>"},
        {"in_review", "审核中 <span class=\"en\">In review</span>"},
        {"special_procedure", "特别程序 <span class=\"en\">Special procedure</span>"},
        {"awaiting_pickup", "待领取 <span class=\"en\">Ready for pickup</span>"},
        {"ready_for_pickup", "已入柜待取 <span class=\"en\">In the cabinet</span>"},
        {"approved", "准予 <span class=\"en\">Approved</span>"},
        {"denied", "不予许可 <span class=\"en\">Denied</span>"},
        {"collected", "已领取 <span class=\"en\">Collected</span>"},
        {"not_accepted", "不予受理 <span class=\"en\">Not accepted</span>"},
        {"withdrawn", "已撤回 <span class=\"en\">Withdrawn</span>"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return NULL;
}

//  Writes a state's text, or the state itself (escaped) when it is not known.
static void
s_state (FILE *f, const char *text, const char *state)
{
    if (text)
        fputs (text, f);
    else
        s_esc (f, state);
}

//  The space-separated list of event topics pages listen for, as a body attribute.
static void
s_topics_attr (char *out, size_t size)
{
    size_t len = (size_t)snprintf (out, size, " data-topics=\"");
#define X(id, topic, fields)                                                                       \
    if (len < size)                                                                                \
        len += (size_t)snprintf (out + len, size - len, "%s ", topic);
    PROTO_EVENTS (X)
#undef X
    if (len < size)
        snprintf (out + len, size - len, "mirror.snapshot\"");
}

//  A canonical token from the path segment `arg` (case-insensitive), or -1.
static int
s_token (const char *arg, char *out)
{
    if (strlen (arg) != PROTO_TOKEN_LEN)
        return -1;
    for (int i = 0; i < PROTO_TOKEN_LEN; i++) {
        char ch = arg[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7')))
            return -1;
        out[i] = ch;
    }
    out[PROTO_TOKEN_LEN] = 0;
    return proto_token_valid (out) ? 0 : -1;
}

//  ---------------------------------------------------------------------------------------
//  Server-Sent Events

static void
s_sse_wake (s_sse_t *c)
{
    if (c->suspended) {
        c->suspended = false;
        MHD_resume_connection (c->conn);
    }
}

//  Appends to one client's queue; drops the client when it is too far behind.
static void
s_sse_append (s_sse_t *c, const char *text, size_t n)
{
    if (c->dead || c->closing)
        return;
    if (c->len - c->off + n > SSE_MAX_QUEUE) {
        log_warn ("web: an /events client is %zu bytes behind: dropped", c->len - c->off);
        c->dead = true;
    } else {
        if (c->off && c->len + n > c->cap) {
            memmove (c->buf, c->buf + c->off, c->len - c->off);
            c->len -= c->off;
            c->off = 0;
        }
        if (c->len + n > c->cap) {
            size_t cap = c->cap ? c->cap : 4096;
            while (cap < c->len + n)
                cap *= 2;
            char *buf = realloc (c->buf, cap);
            if (!buf)
                c->dead = true;
            else {
                c->buf = buf;
                c->cap = cap;
            }
        }
        if (!c->dead) {
            memcpy (c->buf + c->len, text, n);
            c->len += n;
        }
    }
    if (c->dead) {
        free (c->buf);
        c->buf = NULL;
        c->off = c->len = c->cap = 0;
    }
    s_sse_wake (c);
}

//  MHD asks for the next bytes of a client's stream.
static ssize_t
s_sse_read (void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    s_sse_t *c = cls;
    if (c->dead)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (c->off == c->len) {
        c->off = c->len = 0;
        if (c->closing)
            return MHD_CONTENT_READER_END_OF_STREAM;
        //  Nothing to send: park the connection until an event or a heartbeat.
        MHD_suspend_connection (c->conn);
        c->suspended = true;
        return 0;
    }
    size_t n = c->len - c->off < max ? c->len - c->off : max;
    memcpy (buf, c->buf + c->off, n);
    c->off += n;
    return (ssize_t)n;
}

//  The stream is over (client gone, dropped or gateway stopping).
static void
s_sse_free (void *cls)
{
    s_sse_t *c = cls;
    s_web_t *w = c->web;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->nclients--;
    free (c->buf);
    free (c);
}

//  Sends an event to every client and keeps it for replays.
static void
s_sse_broadcast (s_web_t *w, uint64_t seq, const char *topic, const json_t *data)
{
    //  A topic is written raw into the stream: only the characters topics are made of.
    if (!*topic || strspn (topic, "abcdefghijklmnopqrstuvwxyz_.") != strlen (topic))
        return;
    char *json = json_dumps (data, JSON_COMPACT);
    if (!json)
        return;
    char *text = NULL;
    int n =
        asprintf (&text, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)seq, topic, json);
    free (json);
    if (n < 0)
        return;
    s_ring_t *slot = &w->ring[w->ring_next];
    free (slot->text);
    slot->seq = seq;
    slot->text = text;
    w->ring_next = (w->ring_next + 1) % SSE_RING;
    if (w->ring_count < SSE_RING)
        w->ring_count++;
    for (s_sse_t *c = w->clients; c; c = c->next)
        s_sse_append (c, text, (size_t)n);
    w->sse_events++;
}

static void
s_sse_heartbeat (s_web_t *w)
{
    static const char beat[] = ": heartbeat\n\n";
    for (s_sse_t *c = w->clients; c; c = c->next)
        s_sse_append (c, beat, sizeof beat - 1);
}

//  A client that reconnects with Last-Event-ID gets what it missed from the ring, or, when
//  that is gone, a mirror.snapshot event telling it to reload.
static void
s_sse_replay (s_web_t *w, s_sse_t *c, const char *last)
{
    char *end;
    errno = 0;
    unsigned long long seen = strtoull (last, &end, 10);
    uint64_t seq = proto_mirror_seq (w->mirror);
    if (end == last || *end || errno || seen == seq)
        return;
    size_t first = (w->ring_next + SSE_RING - w->ring_count) % SSE_RING;
    if (seen < seq && w->ring_count && w->ring[first].seq <= seen + 1) {
        for (size_t i = 0; i < w->ring_count; i++) {
            const s_ring_t *r = &w->ring[(first + i) % SSE_RING];
            if (r->seq > seen)
                s_sse_append (c, r->text, strlen (r->text));
        }
        return;
    }
    char text[160];
    int n = snprintf (text, sizeof text,
                      "id: %llu\nevent: mirror.snapshot\ndata: {\"seq\":%llu,\"replay\":false}\n\n",
                      (unsigned long long)seq, (unsigned long long)seq);
    s_sse_append (c, text, (size_t)n);
}

//  ---------------------------------------------------------------------------------------
//  Today's history, for the charts

static void
s_series_push (s_series_t *s, int64_t t, int64_t v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        s_point_t *p = realloc (s->p, cap * sizeof *p);
        if (!p)
            return;
        s->p = p;
        s->cap = cap;
    }
    s->p[s->n++] = (s_point_t){t, v};
}

static void
s_history_reset (s_history_t *h, uint64_t first)
{
    h->queue.n = 0;
    h->waits.n = 0;
    json_object_clear (h->waiting);
    json_array_clear (h->calls);
    h->last = first ? first - 1 : 0;
    h->start_ms = 0;
}

static void
s_history_apply (s_history_t *h, const char *topic, const json_t *e)
{
    uint64_t seq = (uint64_t)proto_int (e, "seq");
    int64_t t = proto_int (e, "time");
    if (seq <= h->last)
        return;
    if (strcmp (topic, "hall.day") == 0)
        s_history_reset (h, seq);
    h->last = seq;
    if (!h->start_ms)
        h->start_ms = t;
    const json_t *tk = json_object_get (e, "ticket");
    if (strncmp (topic, "ticket.", 7) != 0 || !json_is_object (tk))
        return;
    char id[32];
    snprintf (id, sizeof id, "%lld", (long long)proto_int (tk, "id"));
    bool was = json_object_get (h->waiting, id) != NULL;
    bool now = strcmp (proto_str (tk, "state"), "waiting") == 0;
    if (was != now) {
        if (now)
            json_object_set_new (h->waiting, id, json_true ());
        else
            json_object_del (h->waiting, id);
        s_series_push (&h->queue, t, (int64_t)json_object_size (h->waiting));
    }
    if (strcmp (topic, "ticket.called") != 0)
        return;
    if (!proto_int (e, "recall") && json_is_integer (json_object_get (e, "wait_s")))
        s_series_push (&h->waits, t, proto_int (e, "wait_s"));
    json_t *call = json_pack ("{s:s, s:s, s:I, s:I, s:I}", "number", proto_str (tk, "number"),
                              "service", proto_str (tk, "service"), "counter", proto_int (e, "counter"),
                              "recall", proto_int (e, "recall"), "time", (json_int_t)t);
    if (call)
        json_array_insert_new (h->calls, 0, call);
    while (json_array_size (h->calls) > CALLS_KEPT)
        json_array_remove (h->calls, json_array_size (h->calls) - 1);
}

//  Reads the journal up to `upto` (from the day's first event when nothing was read yet).
//  On failure what was read stays; the next snapshot or gap tries again.
static void
s_history_fetch (s_web_t *w, uint64_t upto)
{
    s_history_t *h = &w->hist;
    proto_client_t *client = proto_mirror_client (w->mirror);
    if (!h->loaded) {
        json_t *body = json_pack ("{s:i, s:i}", "from", 1, "limit", 1);
        json_t *r = NULL;
        int rc = proto_client_call (client, "events.range", body, &r);
        json_decref (body);
        uint64_t first = (uint64_t)proto_int (r, "day_first_seq");
        json_decref (r);
        if (rc != PROTO_ERR_OK)
            return;
        s_history_reset (h, first ? first : 1);
        h->loaded = true;
    }
    for (int page = 0; h->last < upto && page < HISTORY_MAX_PAGES; page++) {
        uint64_t from = h->last + 1;
        uint64_t limit = upto - h->last < HISTORY_PAGE ? upto - h->last : HISTORY_PAGE;
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
            s_history_apply (h, proto_str (e, "topic"), e);
        //  Sequences the journal does not have are skipped, not asked for again.
        if (h->last < from + limit - 1)
            h->last = from + limit - 1;
        json_decref (r);
    }
}

//  ---------------------------------------------------------------------------------------
//  The mirror's events

//  What goes out on /events: the broker's event, with a case reduced to what a board or a
//  dashboard shows (no applicant, checks or proxies) and a rating without its comment.
static json_t *
s_public_event (const char *topic, const json_t *e)
{
    static const char *case_keys[] = {
        "case_no",
        "hall",
        "item",
        "item_name",
        "service",
        "department",
        "kind",
        "state",
        "ticket",
        "warnings",
        "counter",
        "received",
        "accepted",
        "concluded",
        "collected",
        "deadline",
        "promised_deadline",
        "statutory_deadline",
        "clock",
        "elapsed_days",
        "limit_days",
        "provisional",
    };
    if (strncmp (topic, "case.", 5) != 0 && strncmp (topic, "rating.", 7) != 0)
        return json_incref ((json_t *)e);
    json_t *out = json_deep_copy (e);
    if (!out)
        return NULL;
    json_object_del (out, "proxy_name");
    json_t *c = json_object_get (e, "case");
    if (json_is_object (c)) {
        json_t *small = json_object ();
        for (size_t i = 0; i < sizeof case_keys / sizeof case_keys[0]; i++) {
            json_t *v = json_object_get (c, case_keys[i]);
            if (v)
                json_object_set (small, case_keys[i], v);
        }
        json_object_set_new (out, "case", small);
    }
    json_object_del (json_object_get (out, "rectification"), "comment");
    json_object_del (out, "comment");
    return out;
}

static void
s_on_event (proto_mirror_t *mirror, const char *topic, const json_t *event, void *arg)
{
    s_web_t *w = arg;
    uint64_t seq = proto_mirror_seq (mirror);
    if (!event) {
        //  A new snapshot (start, gap, broker restart): catch the history up and tell the
        //  pages to reload.
        w->connected = true;
        if (w->hist.loaded && w->hist.last > seq)
            w->hist.loaded = false; //  a new store: start again
        s_history_fetch (w, seq);
        json_decref (w->ratings);
        w->ratings = NULL;
        json_t *data = json_pack ("{s:I, s:i}", "seq", (json_int_t)seq, "snapshots",
                                  proto_mirror_snapshots (mirror));
        s_sse_broadcast (w, seq, "mirror.snapshot", data);
        json_decref (data);
        return;
    }
    if (!w->hist.loaded || seq > w->hist.last + 1)
        s_history_fetch (w, seq - 1);
    if (w->hist.loaded)
        s_history_apply (&w->hist, topic, event);
    if (strncmp (topic, "rating.", 7) == 0) {
        json_decref (w->ratings);
        w->ratings = NULL;
    }
    json_t *pub = s_public_event (topic, event);
    if (pub)
        s_sse_broadcast (w, seq, topic, pub);
    json_decref (pub);
}

//  The rectification list (rating.list), asked for again only after a rating event.
static const json_t *
s_ratings (s_web_t *w)
{
    //  Not while the broker is away: every page that shows it would wait for the timeout.
    if (!w->ratings && w->connected) {
        json_t *r = NULL;
        if (proto_client_call (proto_mirror_client (w->mirror), "rating.list", NULL, &r) ==
            PROTO_ERR_OK)
            w->ratings = r;
        else
            json_decref (r);
    }
    return w->ratings;
}

//  ---------------------------------------------------------------------------------------
//  Page pieces

static void
s_offline (FILE *f, s_web_t *w)
{
    if (!w->connected)
        fputs ("<p class=\"offline\">与大厅服务器的连接中断，正在重连；数据可能不是最新 "
               "<span class=\"en\">Connection to the hall server lost, reconnecting: figures "
               "may be out of date</span></p>\n",
               f);
}

static const char *
s_hall_name (s_web_t *w)
{
    const char *name = proto_str (json_object_get (proto_mirror_info (w->mirror), "hall"), "name");
    return *name ? name : "政务服务中心";
}

//  The service summary for `prefix` from the mirror, or NULL.
static const json_t *
s_service (s_web_t *w, const char *prefix)
{
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (proto_mirror_state (w->mirror), "services"), i,
                        s) if (strcmp (proto_str (s, "prefix"), prefix) == 0) return s;
    return NULL;
}

//  A QR code as SVG, drawn from the modules: one path of dark runs, 4 modules of quiet zone.
static void
s_qr_svg (FILE *f, const char *text)
{
    proto_qr_t qr;
    if (proto_qr_encode (text, &qr) != 0)
        return;
    int quiet = 4, size = qr.width + 2 * quiet;
    fprintf (f,
             "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\">"
             "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             size, size, size, size);
    for (int y = 0; y < qr.width; y++)
        for (int x = 0; x < qr.width;) {
            if (!qr.dark[y * qr.width + x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < qr.width && qr.dark[y * qr.width + x + run])
                run++;
            fprintf (f, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
            x += run;
        }
    fputs ("\"/></svg>\n", f);
    proto_qr_free (&qr);
}

//  ---------------------------------------------------------------------------------------
//  Charts (inline SVG, drawn here from the history)

typedef struct {
    int64_t t0, t1; //  time axis
    double ymax;    //  value axis
    int l, r, t, b; //  margins
} s_plot_t;

static double
s_px (const s_plot_t *p, int64_t t)
{
    return p->l + (double)(t - p->t0) * (CHART_W - p->l - p->r) / (double)(p->t1 - p->t0);
}

static double
s_py (const s_plot_t *p, double v)
{
    return CHART_H - p->b - v * (CHART_H - p->t - p->b) / p->ymax;
}

//  1, 2 or 5 times a power of ten, at least v (and at least 1).
static double
s_nice (double v)
{
    if (v <= 1)
        return 1;
    double mag = pow (10, floor (log10 (v)));
    double f = v / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

//  Opens a chart: the svg element, its title, the value grid and, when `times`, the hours.
static void
s_chart_begin (FILE *f, const char *id, const char *title, const s_plot_t *p, bool times, int off)
{
    fprintf (f,
             "<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
             id, CHART_W, CHART_H);
    s_esc (f, title);
    fputs ("\"><title>", f);
    s_esc (f, title);
    fputs ("</title>\n", f);
    for (int i = 0; i <= 2; i++) {
        double v = p->ymax * i / 2;
        double y = s_py (p, v);
        fprintf (f,
                 "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                 p->l, y, CHART_W - p->r, y, p->l - 4, y + 4, v);
    }
    fprintf (f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", p->l,
             CHART_H - p->b, CHART_W - p->r, CHART_H - p->b);
    if (!times)
        return;
    int64_t span = p->t1 - p->t0, hour = 3600000;
    int64_t step = span <= 6 * hour ? hour : span <= 12 * hour ? 2 * hour : 3 * hour;
    int64_t shift = (int64_t)off * 60000;
    int64_t t = ((p->t0 + shift + step - 1) / step) * step - shift;
    for (; t <= p->t1; t += step) {
        char hm[16];
        s_hhmm (t, off, hm, sizeof hm);
        double x = s_px (p, t);
        fprintf (f,
                 "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                 "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                 x, CHART_H - p->b, x, CHART_H - p->b + 4, x, CHART_H - p->b + 16, hm);
    }
}

static void
s_chart_empty (FILE *f)
{
    fprintf (f,
             "<text class=\"empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">暂无数据 No data "
             "yet</text>\n",
             CHART_W / 2, CHART_H / 2);
}

//  The points of a step line through columns 0..last: a corner wherever the value changes.
static void
s_steps (FILE *f, const s_plot_t *p, const int64_t *col, int last)
{
    fprintf (f, "%d,%.1f ", p->l, s_py (p, (double)col[0]));
    for (int c = 1; c <= last; c++)
        if (col[c] != col[c - 1])
            fprintf (f, "%d,%.1f %d,%.1f ", p->l + c, s_py (p, (double)col[c - 1]), p->l + c,
                     s_py (p, (double)col[c]));
    fprintf (f, "%d,%.1f ", p->l + last + 1, s_py (p, (double)col[last]));
}

//  Tickets waiting over the day, a step line (the highest value in each pixel column).
static void
s_chart_queue (FILE *f, s_web_t *w, int64_t t0, int64_t t1, int off)
{
    const s_series_t *s = &w->hist.queue;
    int64_t vmax = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i].v > vmax)
            vmax = s->p[i].v;
    s_plot_t p = {t0, t1, s_nice ((double)(vmax > 2 ? vmax : 2)), 40, 14, 12, 26};
    s_chart_begin (f, "chart-queue", "排队人数 Tickets waiting", &p, true, off);
    int cols = CHART_W - p.l - p.r;
    int64_t *col = s->n ? malloc ((size_t)cols * sizeof *col) : NULL;
    if (!col) {
        s_chart_empty (f);
        fputs ("</svg>\n", f);
        return;
    }
    for (int c = 0; c < cols; c++)
        col[c] = -1;
    for (size_t i = 0; i < s->n; i++) {
        int64_t end = i + 1 < s->n ? s->p[i + 1].t : t1;
        int c0 = (int)floor (s_px (&p, s->p[i].t)) - p.l;
        int c1 = (int)floor (s_px (&p, end)) - p.l;
        c0 = c0 < 0 ? 0 : c0 >= cols ? cols - 1 : c0;
        c1 = c1 < c0 ? c0 : c1 >= cols ? cols - 1 : c1;
        for (int c = c0; c <= c1; c++)
            if (s->p[i].v > col[c])
                col[c] = s->p[i].v;
    }
    int last = cols - 1;
    while (last > 0 && col[last] < 0)
        last--;
    for (int c = 0; c <= last; c++)
        if (col[c] < 0)
            col[c] = c ? col[c - 1] : 0;
    fprintf (f, "<polygon class=\"area\" points=\"%d,%.1f ", p.l, s_py (&p, 0));
    s_steps (f, &p, col, last);
    fprintf (f, "%d,%.1f\"/>\n<polyline class=\"line\" points=\"", p.l + last + 1, s_py (&p, 0));
    s_steps (f, &p, col, last);
    fputs ("\"/>\n</svg>\n", f);
    free (col);
}

//  The wait of each call as a dot (averaged per pixel column on a busy day), and the
//  over-wait limit as a dashed line.
static void
s_chart_waits (FILE *f, s_web_t *w, int64_t t0, int64_t t1, int off, int over_min)
{
    const s_series_t *s = &w->hist.waits;
    double vmax = over_min;
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i].v / 60.0 > vmax)
            vmax = s->p[i].v / 60.0;
    s_plot_t p = {t0, t1, s_nice (vmax), 40, 14, 12, 26};
    s_chart_begin (f, "chart-wait", "等候时长（分钟） Wait at call (min)", &p, true, off);
    if (!s->n)
        s_chart_empty (f);
    else if (s->n <= 1000)
        for (size_t i = 0; i < s->n; i++)
            fprintf (f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
                     s_px (&p, s->p[i].t), s_py (&p, s->p[i].v / 60.0));
    else {
        int cols = CHART_W - p.l - p.r;
        double *sum = calloc ((size_t)cols, sizeof *sum);
        int *count = calloc ((size_t)cols, sizeof *count);
        for (size_t i = 0; sum && count && i < s->n; i++) {
            int c = (int)floor (s_px (&p, s->p[i].t)) - p.l;
            c = c < 0 ? 0 : c >= cols ? cols - 1 : c;
            sum[c] += s->p[i].v / 60.0;
            count[c]++;
        }
        for (int c = 0; sum && count && c < cols; c++)
            if (count[c])
                fprintf (f, "<circle class=\"dot\" cx=\"%d.5\" cy=\"%.1f\" r=\"2\"/>\n", p.l + c,
                         s_py (&p, sum[c] / count[c]));
        free (sum);
        free (count);
    }
    if (over_min > 0) {
        double y = s_py (&p, over_min);
        fprintf (f,
                 "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">超时 over-wait %d min</text>\n",
                 p.l, y, CHART_W - p.r, y, CHART_W - p.r, y - 4, over_min);
    }
    fputs ("</svg>\n", f);
}

#define HIST_BINS 13 //  0–5, 5–10, ... 55–60, 60+ minutes

static void
s_histogram (const s_series_t *s, int64_t *bins)
{
    memset (bins, 0, HIST_BINS * sizeof *bins);
    for (size_t i = 0; i < s->n; i++) {
        int64_t b = s->p[i].v / 300;
        bins[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b]++;
    }
}

//  Calls per 5-minute band of wait; bands past the over-wait limit in red.
static void
s_chart_histogram (FILE *f, s_web_t *w, int over_min)
{
    int64_t bins[HIST_BINS], vmax = 0;
    s_histogram (&w->hist.waits, bins);
    for (int i = 0; i < HIST_BINS; i++)
        if (bins[i] > vmax)
            vmax = bins[i];
    s_plot_t p = {0, 1, s_nice ((double)(vmax > 2 ? vmax : 2)), 40, 14, 12, 26};
    s_chart_begin (f, "chart-histogram", "等候时长分布 Wait distribution", &p, false, 0);
    if (!w->hist.waits.n)
        s_chart_empty (f);
    double bw = (double)(CHART_W - p.l - p.r) / HIST_BINS;
    for (int i = 0; i < HIST_BINS; i++) {
        double x = p.l + i * bw;
        double y = s_py (&p, (double)bins[i]);
        if (bins[i])
            fprintf (f,
                     "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>\n",
                     over_min > 0 && i * 5 >= over_min ? " over" : "", x + 2, y, bw - 4,
                     s_py (&p, 0) - y, x + bw / 2, y - 3, (long long)bins[i]);
        if (i < HIST_BINS - 1)
            fprintf (f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x,
                     CHART_H - p.b + 16, i * 5);
        else
            fprintf (f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">60+ min</text>\n",
                     x + bw / 2, CHART_H - p.b + 16);
    }
    fputs ("</svg>\n", f);
}

//  The time axis of the day's charts: from the hour of the first ticket to now.
static void
s_chart_span (s_web_t *w, int64_t *t0, int64_t *t1)
{
    const s_history_t *h = &w->hist;
    int64_t hour = 3600000, shift = (int64_t)s_utc_offset (w) * 60000;
    int64_t now = s_now (w);
    int64_t start = h->queue.n ? h->queue.p[0].t : h->start_ms ? h->start_ms : now;
    *t0 = ((start + shift) / hour) * hour - shift;
    *t1 = now > *t0 + hour ? now : *t0 + hour;
}

static void
s_charts (FILE *f, s_web_t *w)
{
    int64_t t0, t1;
    s_chart_span (w, &t0, &t1);
    int off = s_utc_offset (w);
    int over = (int)proto_int (proto_mirror_state (w->mirror), "over_wait_minutes");
    fputs ("<figure><figcaption>排队人数 <span class=\"en\">Tickets waiting over the "
           "day</span></figcaption>\n",
           f);
    s_chart_queue (f, w, t0, t1, off);
    fputs ("</figure>\n<figure><figcaption>等候时长 <span class=\"en\">Wait at each call, "
           "minutes</span></figcaption>\n",
           f);
    s_chart_waits (f, w, t0, t1, off, over);
    fputs ("</figure>\n<figure><figcaption>等候时长分布 <span class=\"en\">Calls by wait, "
           "5-minute bands</span></figcaption>\n",
           f);
    s_chart_histogram (f, w, over);
    fputs ("</figure>\n", f);
}

//  ---------------------------------------------------------------------------------------
//  /board

static void
s_board_live (FILE *f, s_web_t *w)
{
    const json_t *st = proto_mirror_state (w->mirror);
    //  The day's calls from the journal: the mirror's own list starts empty when the
    //  gateway starts; it is the fallback when the journal could not be read.
    const json_t *calls = w->hist.loaded ? w->hist.calls : json_object_get (st, "calls");
    int64_t now = s_now (w);
    int off = s_utc_offset (w);
    char hm[16];
    s_hhmm (now, off, hm, sizeof hm);
    fputs ("<header><h1>", f);
    s_esc (f, s_hall_name (w));
    fprintf (f,
             "</h1><span>叫号 <span class=\"en\">Calling</span> %s <span class=\"live-dot\" "
             "title=\"实时 live\">●</span></span></header>\n",
             hm);
    s_offline (f, w);
    fputs ("<main>\n", f);
    const json_t *c = json_array_get (calls, 0);
    if (c) {
        json_int_t recall = proto_int (c, "recall");
        fprintf (f, "<p class=\"latest%s\">", now - proto_int (c, "time") < 15000 ? " fresh" : "");
        fputs ("请 <b class=\"num\">", f);
        s_esc (f, proto_str (c, "number"));
        fprintf (f, "</b> 号到 <b class=\"ctr\">%lld</b> 号窗口办理",
                 (long long)proto_int (c, "counter"));
        if (recall)
            fputs (" <span class=\"tag\">重呼</span>", f);
        fputs ("<span class=\"en\">Number ", f);
        s_esc (f, proto_str (c, "number"));
        fprintf (f, ", please go to counter %lld%s</span></p>\n", (long long)proto_int (c, "counter"),
                 recall ? " (recall)" : "");
    } else
        fputs ("<p class=\"latest idle\">欢迎光临，请取号等候叫号 <span class=\"en\">Welcome: "
               "please take a ticket and wait for your number</span></p>\n",
               f);
    fputs ("<section class=\"recent\"><h2>最近叫号 <span class=\"en\">Recent "
           "calls</span></h2>\n<ol>\n",
           f);
    for (size_t i = 1; i < json_array_size (calls) && i <= CALLS_SHOWN; i++) {
        c = json_array_get (calls, i);
        fputs ("<li><b class=\"num\">", f);
        s_esc (f, proto_str (c, "number"));
        fprintf (f, "</b><span><span class=\"ctr\">%lld</span> 号窗口%s</span></li>\n",
                 (long long)proto_int (c, "counter"), proto_int (c, "recall") ? " · 重呼" : "");
    }
    fputs ("</ol></section>\n<section class=\"queues\"><h2>等候人数 <span "
           "class=\"en\">Waiting</span></h2>\n<table>\n",
           f);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (st, "services"), i, s)
    {
        fputs ("<tr><th>", f);
        s_esc (f, proto_str (s, "name"));
        fputs (" <small>", f);
        s_esc (f, proto_str (s, "name_en"));
        fprintf (f, "</small></th><td>%lld</td></tr>\n", (long long)proto_int (s, "waiting"));
    }
    fputs ("</table></section>\n</main>\n", f);
}

static void
s_board_page (FILE *f, s_web_t *w)
{
    char attrs[2048];
    s_topics_attr (attrs, sizeof attrs);
    web_page_begin (f, "叫号屏 Display board", "board", NULL, attrs);
    fputs ("<div id=\"live\" data-part=\"/board?part=live\" data-on=\"ticket. counter. hall. "
           "mirror. clock.\" data-delay=\"150\" data-every=\"20\">\n",
           f);
    s_board_live (f, w);
    fputs ("</div>\n", f);
    web_page_end (f, 1);
}

//  ---------------------------------------------------------------------------------------
//  /dashboard

typedef struct {
    json_int_t issued, called, served, over, sum_wait, sum_service, rated, r[6];
} s_sums_t;

static void
s_sums_add (s_sums_t *t, const json_t *day)
{
    t->issued += proto_int (day, "issued");
    t->called += proto_int (day, "called");
    t->served += proto_int (day, "served");
    t->over += proto_int (day, "over_wait");
    t->sum_wait += proto_int (day, "sum_wait_ms");
    t->sum_service += proto_int (day, "sum_service_ms");
    t->rated += proto_int (day, "rated");
    for (int l = 1; l <= 5; l++)
        t->r[l] +=
            json_integer_value (json_array_get (json_object_get (day, "ratings"), (size_t)l - 1));
}

static void
s_sums_cells (FILE *f, const s_sums_t *t)
{
    fprintf (f, "<td>%lld</td><td>%lld</td><td>", (long long)t->issued, (long long)t->served);
    s_minutes (f, t->called > 0, t->called ? (double)t->sum_wait / 1000.0 / t->called : 0);
    fputs ("</td><td>", f);
    s_minutes (f, t->served > 0, t->served ? (double)t->sum_service / 1000.0 / t->served : 0);
    fprintf (f, "</td><td>%lld (", (long long)t->over);
    s_percent (f, t->over, t->called);
    fputs (")</td><td>", f);
    s_percent (f, t->rated, t->served);
    fputs ("</td><td>", f);
    s_percent (f, t->r[5] + t->r[4], t->rated);
    fputs ("</td>", f);
}

static void
s_dash_services (FILE *f, s_web_t *w, int64_t now)
{
    const json_t *st = proto_mirror_state (w->mirror);
    fputs ("<section class=\"panel\"><h2>各业务排队 <span class=\"en\">Queues by "
           "service</span></h2>\n<table class=\"grid\" id=\"services\"><thead><tr>"
           "<th>业务<span class=\"en\">Service</span></th>"
           "<th>等候<span class=\"en\">Waiting</span></th>"
           "<th>最长等候<span class=\"en\">Longest wait, min</span></th>"
           "<th>预计等候<span class=\"en\">Est. wait, min</span></th>"
           "<th>取号<span class=\"en\">Issued</span></th>"
           "<th>办结<span class=\"en\">Served</span></th>"
           "<th>平均等候<span class=\"en\">Avg wait, min</span></th>"
           "<th>平均办理<span class=\"en\">Avg handling, min</span></th>"
           "<th>超时等候<span class=\"en\">Over-wait</span></th>"
           "<th>评价率<span class=\"en\">Rating rate</span></th>"
           "<th>好评率<span class=\"en\">Good ratings</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    s_sums_t all = {0};
    json_int_t waiting_all = 0;
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (st, "services"), i, s)
    {
        const char *prefix = proto_str (s, "prefix");
        int64_t longest = -1;
        const char *k;
        json_t *t;
        json_object_foreach (json_object_get (st, "tickets"), k,
                             t) if (strcmp (proto_str (t, "service"), prefix) == 0 &&
                                    strcmp (proto_str (t, "state"), "waiting") == 0 &&
                                    now - proto_int (t, "issued") > longest) longest =
            now - proto_int (t, "issued");
        s_sums_t one = {0};
        s_sums_add (&one, json_object_get (json_object_get (st, "stats"), prefix));
        s_sums_add (&all, json_object_get (json_object_get (st, "stats"), prefix));
        waiting_all += proto_int (s, "waiting");
        fputs ("<tr><td>", f);
        s_esc (f, prefix);
        fputs (" ", f);
        s_esc (f, proto_str (s, "name"));
        fputs (" <span class=\"en\">", f);
        s_esc (f, proto_str (s, "name_en"));
        fprintf (f, "</span></td><td>%lld</td><td>", (long long)proto_int (s, "waiting"));
        s_minutes (f, longest >= 0, longest > 0 ? (double)longest / 1000.0 : 0);
        fputs ("</td><td>", f);
        const json_t *est = json_object_get (s, "est_wait_s");
        if (json_is_integer (est))
            s_minutes (f, true, (double)json_integer_value (est));
        else
            fputs ("<span class=\"en\">无窗口 none open</span>", f);
        fputs ("</td>", f);
        s_sums_cells (f, &one);
        fputs ("</tr>\n", f);
    }
    fprintf (f,
             "<tr><td><b>合计 <span class=\"en\">Total</span></b></td><td>%lld</td><td></td>"
             "<td></td>",
             (long long)waiting_all);
    s_sums_cells (f, &all);
    fputs ("</tr>\n</tbody></table></section>\n", f);

    //  Cases and ratings as cards.
    const json_t *cases = json_object_get (st, "cases");
    fprintf (f,
             "<section class=\"panel\"><h2>办件 <span class=\"en\">Cases</span> · 好差评 <span "
             "class=\"en\">Ratings</span></h2>\n<div class=\"cards\">"
             "<div class=\"card\">在办 <span class=\"en\">Open</span><b>%lld</b></div>"
             "<div class=\"card warn\">黄灯 <span class=\"en\">Yellow</span><b>%lld</b></div>"
             "<div class=\"card bad\">红灯 <span class=\"en\">Red</span><b>%lld</b></div>"
             "<div class=\"card bad\">超期 <span class=\"en\">Overdue</span><b>%lld</b></div>"
             "<div class=\"card\">已评价 <span class=\"en\">Rated</span><b>%lld</b></div>"
             "<div class=\"card\">评价率 <span class=\"en\">Rating rate</span><b>",
             (long long)proto_int (cases, "open"), (long long)proto_int (cases, "yellow"),
             (long long)proto_int (cases, "red"), (long long)proto_int (cases, "overdue"),
             (long long)all.rated);
    s_percent (f, all.rated, all.served);
    fputs ("</b></div><div class=\"card ok\">好评率 <span class=\"en\">Good-rating "
           "rate</span><b>",
           f);
    s_percent (f, all.r[5] + all.r[4], all.rated);
    fputs ("</b></div><div class=\"card\">满意率 <span class=\"en\">Satisfaction</span><b>", f);
    s_percent (f, all.r[5] + all.r[4] + all.r[3], all.rated);
    fprintf (f,
             "</b></div><div class=\"card bad\">差评 <span class=\"en\">Bad</span><b>%lld</b>"
             "</div>",
             (long long)(all.r[1] + all.r[2]));
    const json_t *ratings = s_ratings (w);
    if (ratings) {
        json_int_t open = 0, late = 0, today = proto_int (ratings, "today");
        size_t j;
        json_t *r;
        json_array_foreach (json_object_get (ratings, "rectifications"), j,
                            r) if (strcmp (proto_str (r, "state"), "open") == 0)
        {
            open++;
            if (today > proto_int (r, "deadline"))
                late++;
        }
        fprintf (f,
                 "<div class=\"card warn\">待整改 <span class=\"en\">To rectify</span><b>%lld</b>"
                 "</div><div class=\"card bad\">整改超期 <span class=\"en\">Rectification "
                 "overdue</span><b>%lld</b></div>",
                 (long long)open, (long long)late);
    }
    fputs ("</div></section>\n", f);
}

static void
s_dash_counters (FILE *f, s_web_t *w, int64_t now)
{
    fputs ("<section class=\"panel\"><h2>窗口 <span class=\"en\">Counters</span></h2>\n"
           "<table class=\"grid\" id=\"counters\"><thead><tr>"
           "<th>窗口<span class=\"en\">Counter</span></th>"
           "<th>状态<span class=\"en\">State</span></th>"
           "<th>当前号<span class=\"en\">Ticket</span></th>"
           "<th>已办<span class=\"en\">Served</span></th>"
           "<th>利用率<span class=\"en\">Utilisation</span></th>"
           "<th>本状态时长<span class=\"en\">In state, min</span></th>"
           "</tr></thead>\n<tbody>\n",
           f);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (proto_mirror_state (w->mirror), "counters"), i, c)
    {
        const char *state = proto_str (c, "state");
        const json_t *day = json_object_get (c, "day");
        int64_t since = proto_int (c, "since");
        int64_t in_state = since && now > since ? now - since : 0;
        bool open = strcmp (state, "idle") == 0 || strcmp (state, "calling") == 0 ||
                    strcmp (state, "serving") == 0;
        bool busy = strcmp (state, "calling") == 0 || strcmp (state, "serving") == 0;
        int64_t open_ms = proto_int (day, "open_ms") + (open ? in_state : 0);
        int64_t busy_ms = proto_int (day, "busy_ms") + (busy ? in_state : 0);
        const json_t *t = json_object_get (c, "ticket");
        fputs ("<tr><td>", f);
        s_esc (f, proto_str (c, "name"));
        fputs ("</td><td class=\"st-", f);
        s_esc (f, state);
        fputs ("\">", f);
        s_state (f, s_counter_state_text (state), state);
        fputs ("</td><td>", f);
        s_esc (f, json_is_object (t) ? proto_str (t, "number") : "—");
        fprintf (f, "</td><td>%lld</td><td>", (long long)proto_int (c, "served"));
        s_percent (f, busy_ms, open_ms);
        fputs ("</td><td>", f);
        s_minutes (f, strcmp (state, "logged_out") != 0 && since, (double)in_state / 1000.0);
        fputs ("</td></tr>\n", f);
    }
    fputs ("</tbody></table></section>\n", f);
}

static bool
s_slot_occupied (const json_t *slot)
{
    const json_t *o = json_object_get (slot, "occupied");
    if (json_is_boolean (o))
        return json_is_true (o);
    const char *st = proto_str (slot, "state");
    return strcmp (st, "occupied") == 0 || strcmp (st, "overdue") == 0;
}

static void
s_dash_cabinets (FILE *f, s_web_t *w)
{
    const json_t *st = proto_mirror_state (w->mirror);
    const json_t *cabinets = json_object_get (st, "cabinets");
    const json_t *alarms = json_object_get (st, "alarms");
    fputs ("<section class=\"panel\"><h2>智能柜 <span class=\"en\">Cabinets</span></h2>\n", f);
    if (!json_array_size (cabinets))
        fputs ("<p class=\"meta\">暂无智能柜上报 <span class=\"en\">No cabinet has "
               "reported</span></p>\n",
               f);
    else {
        fputs ("<table class=\"grid\" id=\"cabinets\"><thead><tr>"
               "<th>智能柜<span class=\"en\">Cabinet</span></th>"
               "<th>在线<span class=\"en\">Online</span></th>"
               "<th>格口<span class=\"en\">Slots</span></th>"
               "<th>占用<span class=\"en\">Occupied</span></th>"
               "<th>空闲<span class=\"en\">Free</span></th>"
               "<th>超期<span class=\"en\">Overdue</span></th>"
               "<th>停用<span class=\"en\">Disabled</span></th>"
               "<th>占用率<span class=\"en\">Occupancy</span></th>"
               "</tr></thead>\n<tbody>\n",
               f);
        size_t i;
        json_t *cab;
        json_array_foreach (cabinets, i, cab)
        {
            json_int_t total = 0, occupied = 0, freed = 0, overdue = 0, disabled = 0;
            size_t j;
            json_t *slot;
            json_array_foreach (json_object_get (cab, "slots"), j, slot)
            {
                const char *state = proto_str (slot, "state");
                total++;
                occupied += s_slot_occupied (slot);
                freed += strcmp (state, "free") == 0;
                overdue += strcmp (state, "overdue") == 0;
                disabled += strcmp (state, "disabled") == 0;
            }
            fputs ("<tr><td>", f);
            s_esc (f, proto_str (cab, "name"));
            fprintf (f,
                     "</td><td>%s</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
                     "<td>%lld</td><td>",
                     json_is_true (json_object_get (cab, "online")) ? "✓" : "✗", (long long)total,
                     (long long)occupied, (long long)freed, (long long)overdue,
                     (long long)disabled);
            s_percent (f, occupied, total);
            fputs ("</td></tr>\n", f);
        }
        fputs ("</tbody></table>\n", f);
    }
    if (json_array_size (alarms)) {
        fputs ("<h2>告警 <span class=\"en\">Alarms</span></h2>\n<ul id=\"alarms\">\n", f);
        int off = s_utc_offset (w);
        for (size_t i = 0; i < json_array_size (alarms) && i < 5; i++) {
            const json_t *a = json_array_get (alarms, i);
            char hm[16];
            s_hhmm (proto_int (a, "time"), off, hm, sizeof hm);
            fprintf (f, "<li class=\"bad\">%s ", hm);
            s_esc (f, proto_str (a, "cabinet"));
            fputs (" ", f);
            s_esc (f, proto_str (a, "slot"));
            fputs (" <b>", f);
            s_esc (f, proto_str (a, "alarm"));
            fputs ("</b> ", f);
            s_esc (f, proto_str (a, "detail"));
            fputs ("</li>\n", f);
        }
        fputs ("</ul>\n", f);
    }
    fputs ("</section>\n", f);
}

static void
s_dashboard_live (FILE *f, s_web_t *w)
{
    const json_t *st = proto_mirror_state (w->mirror);
    int64_t now = s_now (w);
    char day[16], hm[16];
    s_date (proto_int (st, "day"), day, sizeof day);
    s_hhmm (now, s_utc_offset (w), hm, sizeof hm);
    s_offline (f, w);
    fprintf (f,
             "<p class=\"meta\">营业日 <span class=\"en\">Business day</span> %s · 时间 <span "
             "class=\"en\">Time</span> %s · 事件 <span class=\"en\">Event</span> #%llu · "
             "超时标准 <span class=\"en\">Over-wait limit</span> %lld min</p>\n",
             day, hm, (unsigned long long)proto_mirror_seq (w->mirror),
             (long long)proto_int (st, "over_wait_minutes"));
    s_dash_services (f, w, now);
    s_dash_counters (f, w, now);
    s_dash_cabinets (f, w);
}

static void
s_dashboard_page (FILE *f, s_web_t *w)
{
    char attrs[2048];
    s_topics_attr (attrs, sizeof attrs);
    web_page_begin (f, "大厅监控 Hall dashboard", "dashboard", NULL, attrs);
    fputs ("<header class=\"bar\"><h1>", f);
    s_esc (f, s_hall_name (w));
    fputs (" · 大厅监控 <span class=\"en\">Hall dashboard</span></h1><span><span "
           "class=\"live-dot\" title=\"实时 live\">●</span> <a href=\"/board\">叫号屏 "
           "Board</a> · <a href=\"/kiosk\">取号 Kiosk</a> · <a href=\"/api/snapshot\">JSON</a> "
           "· <a href=\"/metrics\">Metrics</a></span></header>\n<main>\n"
           "<div id=\"live\" data-part=\"/dashboard?part=live\" data-on=\"ticket. counter. "
           "rating. case. vault. hall. mirror. clock.\" data-delay=\"500\" "
           "data-every=\"15\">\n",
           f);
    s_dashboard_live (f, w);
    fputs ("</div>\n<section class=\"panel\"><h2>今日趋势 <span class=\"en\">Today</span></h2>\n"
           "<div class=\"charts\" id=\"charts\" data-part=\"/api/charts\" data-on=\"hall. "
           "mirror.\" data-delay=\"1000\" data-every=\"30\">\n",
           f);
    s_charts (f, w);
    fputs ("</div></section>\n</main>\n", f);
    web_page_end (f, 1);
}

//  ---------------------------------------------------------------------------------------
//  /kiosk

static void
s_kiosk_services (FILE *f, s_web_t *w)
{
    const json_t *services = json_object_get (proto_mirror_info (w->mirror), "services");
    s_offline (f, w);
    if (!json_array_size (services)) {
        fputs ("<p class=\"slip\">系统连接中，请稍候 <span class=\"en\">Connecting to the hall "
               "server, please wait</span></p>\n",
               f);
        return;
    }
    fputs ("<div class=\"services\">\n", f);
    size_t i;
    json_t *s;
    json_array_foreach (services, i, s)
    {
        //  One request id per button and page: pressing it twice, or reloading the result
        //  page, issues one ticket.
        char rid[33];
        proto_request_id_new (rid);
        const json_t *live = s_service (w, proto_str (s, "prefix"));
        fputs ("<form method=\"post\" action=\"/kiosk\"><input type=\"hidden\" name=\"service\" "
               "value=\"",
               f);
        s_esc (f, proto_str (s, "prefix"));
        fprintf (f,
                 "\"><input type=\"hidden\" name=\"rid\" value=\"%s\">"
                 "<button type=\"submit\" class=\"svc\">",
                 rid);
        s_esc (f, proto_str (s, "name"));
        fputs ("<span>", f);
        s_esc (f, proto_str (s, "name_en"));
        fputs ("</span>", f);
        if (live) {
            char wait[96];
            proto_format_wait (json_object_get (live, "est_wait_s"), wait, sizeof wait);
            fprintf (f, "<small>等候 %lld 人 · ", (long long)proto_int (live, "waiting"));
            s_esc (f, wait);
            fputs ("</small>", f);
        }
        fputs ("</button></form>\n", f);
    }
    fputs ("</div>\n", f);
}

static void
s_kiosk_page (FILE *f, s_web_t *w)
{
    char attrs[2048];
    s_topics_attr (attrs, sizeof attrs);
    web_page_begin (f, "取号 Take a ticket", "kiosk", NULL, attrs);
    fputs ("<header><h1>", f);
    s_esc (f, s_hall_name (w));
    fputs (" · 请选择业务取号 <span class=\"en\">Choose a service to take a ticket</span></h1>"
           "</header>\n<main id=\"live\" data-part=\"/kiosk?part=live\" data-on=\"mirror.\" "
           "data-every=\"30\">\n",
           f);
    s_kiosk_services (f, w);
    fputs ("</main>\n", f);
    web_page_end (f, 1);
}

//  The slip, on screen: number, people ahead, wait, time, QR code.
static void
s_kiosk_slip (FILE *f, s_web_t *w, const json_t *r)
{
    web_page_begin (f, "您的号码 Your ticket", "kiosk",
                         "<meta http-equiv=\"refresh\" content=\"60;url=/kiosk\">\n", NULL);
    char wait[96], when[32];
    proto_format_wait (json_object_get (r, "est_wait_s"), wait, sizeof wait);
    proto_format_time (proto_int (r, "issued"), (int)proto_int (r, "utc_offset_min"), when, sizeof when);
    json_int_t ahead = proto_int (r, "ahead");
    fputs ("<main><div class=\"slip\" id=\"slip\"><p>", f);
    s_esc (f, proto_str (r, "hall"));
    fputs ("</p><p>", f);
    s_esc (f, proto_str (r, "service_name"));
    fputs (" <span class=\"en\">", f);
    s_esc (f, proto_str (r, "service_name_en"));
    fputs ("</span></p><p class=\"num\">", f);
    s_esc (f, proto_str (r, "number"));
    fprintf (f,
             "</p><p>你前面还有 <b>%lld</b> 人在等待 <span class=\"en\">%lld ahead of "
             "you</span></p><p>预计等待 <span class=\"en\">Estimated wait</span>: ",
             (long long)ahead, (long long)ahead);
    s_esc (f, wait);
    fputs ("</p>\n", f);
    s_qr_svg (f, proto_str (r, "qr"));
    fputs ("<p>扫码查看排队进度 <span class=\"en\">Scan to follow your place in line</span></p><p>",
           f);
    s_esc (f, when);
    fputs ("</p><p>", f);
    s_esc (f, proto_str (r, "notice"));
    fputs ("</p><p><a class=\"btn\" href=\"/kiosk\">完成 <span class=\"en\">Done</span></a></p>"
           "</div></main>\n",
           f);
    web_page_end (f, 0);
    (void)w;
}

//  ---------------------------------------------------------------------------------------
//  /t/TOKEN and /rate/TOKEN

//  ticket.status by token. PROTO_ERR_OK with *reply, or the error (PROTO_CLIENT_UNREACHABLE
//  when the broker does not answer).
static int
s_status (s_web_t *w, const char *token, json_t **reply)
{
    json_t *body = json_pack ("{s:s}", "token", token);
    int rc = proto_client_call (proto_mirror_client (w->mirror), "ticket.status", body, reply);
    json_decref (body);
    if (rc != PROTO_ERR_OK) {
        json_decref (*reply);
        *reply = NULL;
    }
    return rc;
}

//  Only these fields of a ticket and a case reach the citizen's page and /api/status.
static json_t *
s_status_public (const json_t *r)
{
    static const char *ticket_keys[] = {
        "number", "service",    "service_name", "service_name_en", "state",
        "issued", "called",     "finished",     "counter",         "counter_name",
        "ahead",  "est_wait_s", "grace_until",  "recalls",
    };
    static const char *case_keys[] = {
        "case_no",  "item",        "item_name", "state",     "kind",      "received",  "accepted",
        "deadline", "provisional", "clock",     "next_step", "concluded", "collected", "missing",
    };
    const json_t *t = json_object_get (r, "ticket");
    json_t *ticket = json_object ();
    for (size_t i = 0; i < sizeof ticket_keys / sizeof ticket_keys[0]; i++)
        if (json_object_get (t, ticket_keys[i]))
            json_object_set (ticket, ticket_keys[i], json_object_get (t, ticket_keys[i]));
    json_t *cases = json_array ();
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (r, "cases"), i, c)
    {
        json_t *one = json_object ();
        for (size_t k = 0; k < sizeof case_keys / sizeof case_keys[0]; k++)
            if (json_object_get (c, case_keys[k]))
                json_object_set (one, case_keys[k], json_object_get (c, case_keys[k]));
        const json_t *p = json_object_get (c, "pickup");
        if (json_is_object (p))
            json_object_set_new (one, "pickup",
                                 json_pack ("{s:s, s:s}", "cabinet_name", proto_str (p, "cabinet_name"),
                                            "slot", proto_str (p, "slot")));
        json_array_append_new (cases, one);
    }
    return json_pack ("{s:s, s:o, s:o}", "hall", proto_str (r, "hall"), "ticket", ticket, "cases",
                      cases);
}

static void
s_status_live (FILE *f, s_web_t *w, const char *token, const json_t *view)
{
    const json_t *t = json_object_get (view, "ticket");
    const char *state = proto_str (t, "state");
    s_offline (f, w);
    fputs ("<section class=\"ticket-card\"><p>", f);
    s_esc (f, proto_str (view, "hall"));
    fputs ("</p><p class=\"num\" id=\"number\">", f);
    s_esc (f, proto_str (t, "number"));
    fputs ("</p><p>", f);
    s_esc (f, proto_str (t, "service_name"));
    fputs (" <span class=\"en\">", f);
    s_esc (f, proto_str (t, "service_name_en"));
    fputs ("</span></p><p class=\"state\">", f);
    s_state (f, s_ticket_state_text (state), state);
    fputs ("</p>\n", f);
    if (strcmp (state, "waiting") == 0) {
        char wait[96];
        proto_format_wait (json_object_get (t, "est_wait_s"), wait, sizeof wait);
        json_int_t ahead = proto_int (t, "ahead");
        fprintf (f,
                 "<p class=\"ahead\">你前面还有 <b>%lld</b> 人在等待 <span class=\"en\">%lld "
                 "ahead of you</span></p><p>预计等待 <span class=\"en\">Estimated "
                 "wait</span>: ",
                 (long long)ahead, (long long)ahead);
        s_esc (f, wait);
        fputs ("</p>\n", f);
    } else if (strcmp (state, "called") == 0 || strcmp (state, "serving") == 0) {
        fputs ("<p>请到 <b>", f);
        s_esc (f, proto_str (t, "counter_name"));
        fprintf (f, "</b> 办理 <span class=\"en\">Please go to counter %lld</span></p>\n",
                 (long long)proto_int (t, "counter"));
    } else if (json_is_integer (json_object_get (t, "grace_until"))) {
        char until[32];
        proto_format_time (proto_int (t, "grace_until"), s_utc_offset (w), until, sizeof until);
        fputs ("<p>请在 ", f);
        s_esc (f, until);
        fputs (" 前到取号机重新排队 <span class=\"en\">Rejoin the line at a kiosk before "
               "then</span></p>\n",
               f);
    } else if (strcmp (state, "done") == 0) {
        fputs ("<p><a href=\"/rate/", f);
        s_esc (f, token);
        fputs ("\">评价本次服务 <span class=\"en\">Rate this visit</span></a></p>\n", f);
    }
    fputs ("</section>\n", f);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (view, "cases"), i, c)
    {
        const char *cs = proto_str (c, "state");
        fputs ("<section class=\"case\"><h2>办件 <span class=\"en\">Case</span> ", f);
        s_esc (f, proto_str (c, "case_no"));
        fputs ("</h2><dl><dt>事项 <span class=\"en\">Item</span></dt><dd>", f);
        s_esc (f, proto_str (c, "item_name"));
        fputs ("</dd><dt>状态 <span class=\"en\">State</span></dt><dd>", f);
        s_state (f, s_case_state_text (cs), cs);
        fputs ("</dd><dt>办结期限 <span class=\"en\">Deadline</span></dt><dd>", f);
        const json_t *d = json_object_get (c, "deadline");
        if (json_is_integer (d)) {
            char date[16];
            s_date (json_integer_value (d), date, sizeof date);
            fputs (date, f);
            if (json_is_true (json_object_get (c, "provisional")))
                fputs (" （暂定 <span class=\"en\">provisional</span>）", f);
        } else if (strcmp (proto_str (c, "clock"), "paused") == 0)
            fputs ("时限暂停 <span class=\"en\">Clock paused</span>", f);
        else
            fputs ("—", f);
        fputs ("</dd><dt>下一步 <span class=\"en\">Next step</span></dt><dd>", f);
        s_esc (f, proto_str (c, "next_step"));
        fputs ("</dd></dl>\n", f);
        if (strcmp (cs, "awaiting_pickup") == 0 || strcmp (cs, "ready_for_pickup") == 0) {
            fputs ("<div class=\"pickup\"><b>领取方式 <span class=\"en\">How to "
                   "collect</span></b><br>",
                   f);
            s_esc (f, proto_str (c, "next_step"));
            fputs ("<br>请携带本人身份证件和取号单（或本页二维码）；他人代领须经授权。<span "
                   "class=\"en\">Bring your ID card and the slip (or this page's code); "
                   "someone collecting for you needs your authorisation.</span></div>\n",
                   f);
        }
        fputs ("</section>\n", f);
    }
}

//  ---------------------------------------------------------------------------------------
//  Responses

//  Queues `body` (taken). `allow` is the Allow header of a 405.
static enum MHD_Result
s_send_allow (struct MHD_Connection *conn, unsigned status, const char *ctype, char *body,
              size_t len, bool cache, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer (len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free (body);
        return MHD_NO;
    }
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, cache ? "no-cache" : "no-store");
    MHD_add_response_header (r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (r, "Referrer-Policy", "no-referrer");
    if (strncmp (ctype, "text/html", 9) == 0)
        MHD_add_response_header (r, "Content-Security-Policy",
                                 "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                 "script-src 'self'; worker-src 'self'; base-uri 'none'; "
                                 "form-action 'self'; frame-ancestors 'none'");
    if (allow)
        MHD_add_response_header (r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result rc = MHD_queue_response (conn, status, r);
    MHD_destroy_response (r);
    return rc;
}

static enum MHD_Result
s_send (struct MHD_Connection *conn, unsigned status, const char *ctype, char *body, size_t len,
        bool cache)
{
    return s_send_allow (conn, status, ctype, body, len, cache, NULL);
}

//  A memory stream for one response.
typedef struct {
    char *data;
    size_t len;
    FILE *f;
} s_out_t;

static FILE *
s_out_open (s_out_t *o)
{
    o->data = NULL;
    o->len = 0;
    o->f = open_memstream (&o->data, &o->len);
    return o->f;
}

static enum MHD_Result
s_out_send (s_out_t *o, struct MHD_Connection *conn, unsigned status, const char *ctype)
{
    if (fclose (o->f) != 0) {
        free (o->data);
        return MHD_NO;
    }
    return s_send (conn, status, ctype, o->data, o->len, false);
}

#define CT_HTML "text/html; charset=utf-8"
#define CT_JSON "application/json; charset=utf-8"

static enum MHD_Result
s_send_json (struct MHD_Connection *conn, unsigned status, const json_t *j)
{
    char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
    if (!text)
        return MHD_NO;
    size_t len = strlen (text);
    return s_send (conn, status, CT_JSON, text, len, false);
}

//  An error page (or JSON error for /api/ and /metrics).
static enum MHD_Result
s_error (struct MHD_Connection *conn, const s_req_t *req, unsigned status, const char *zh,
         const char *en)
{
    s_route_t route = req ? req->route : ROUTE_NONE;
    const char *allow = NULL;
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        allow = route == ROUTE_KIOSK || route == ROUTE_RATE ? "GET, HEAD, POST"
                : route == ROUTE_EVENTS                     ? "GET"
                                                            : "GET, HEAD";
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f)
        return MHD_NO;
    const char *ctype = CT_HTML;
    if (route >= ROUTE_API_SNAPSHOT && route <= ROUTE_METRICS) {
        ctype = CT_JSON;
        json_t *j = json_pack ("{s:{s:i, s:s}}", "error", "status", (int)status, "message", en);
        char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
        fputs (text ? text : "{}", f);
        free (text);
        json_decref (j);
    } else {
        char title[64];
        snprintf (title, sizeof title, "%u", status);
        web_page_begin (f, title, route == ROUTE_KIOSK ? "kiosk" : "citizen", NULL, NULL);
        fprintf (f, "<main><section class=\"note slip\"><h1>%u ", status);
        s_esc (f, zh);
        fputs ("</h1><p class=\"en\">", f);
        s_esc (f, en);
        //  A kiosk goes back to its buttons; anyone else to the index.
        fputs (route == ROUTE_KIOSK ? "</p><p><a class=\"btn\" href=\"/kiosk\">返回 <span "
                                      "class=\"en\">Back</span></a></p>"
                                    : "</p><p><a href=\"/\">首页 <span "
                                      "class=\"en\">Home</span></a></p>",
               f);
        fputs ("</section></main>\n", f);
        web_page_end (f, 0);
    }
    if (fclose (f) != 0) {
        free (o.data);
        return MHD_NO;
    }
    return s_send_allow (conn, status, ctype, o.data, o.len, false, allow);
}

//  The error for a failed broker call about a citizen's token.
static enum MHD_Result
s_broker_error (struct MHD_Connection *conn, const s_req_t *req, s_web_t *w, int rc)
{
    if (rc == PROTO_ERR_UNKNOWN_TICKET || rc == PROTO_ERR_BAD_FIELD)
        return s_error (conn, req, MHD_HTTP_NOT_FOUND, "找不到这张号 / 页面",
                        "No ticket has this code: check the link or the slip's QR code.");
    if (rc == PROTO_CLIENT_UNREACHABLE)
        return s_error (conn, req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法连接大厅服务器",
                        "The hall server cannot be reached right now; please try again.");
    return s_error (conn, req, MHD_HTTP_BAD_GATEWAY, "服务器未能处理请求",
                    proto_client_message (proto_mirror_client (w->mirror)));
}

//  ---------------------------------------------------------------------------------------
//  Handlers

static bool
s_part (struct MHD_Connection *conn)
{
    const char *part = MHD_lookup_connection_value (conn, MHD_GET_ARGUMENT_KIND, "part");
    return part && strcmp (part, "live") == 0;
}

static enum MHD_Result
s_get_page (s_web_t *w, struct MHD_Connection *conn, const s_req_t *req)
{
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f)
        return MHD_NO;
    bool part = s_part (conn);
    switch (req->route) {
    case ROUTE_BOARD: part ? s_board_live (f, w) : s_board_page (f, w); break;
    case ROUTE_DASHBOARD: part ? s_dashboard_live (f, w) : s_dashboard_page (f, w); break;
    case ROUTE_KIOSK: part ? s_kiosk_services (f, w) : s_kiosk_page (f, w); break;
    case ROUTE_API_CHARTS: s_charts (f, w); break;
    default:
        web_page_begin (f, "onewindow", "index", NULL, NULL);
        fputs ("<main><h1>", f);
        s_esc (f, s_hall_name (w));
        fputs ("</h1><ul>"
               "<li><a href=\"/board\">叫号屏 <span class=\"en\">Display board</span></a></li>"
               "<li><a href=\"/dashboard\">大厅监控 <span class=\"en\">Hall "
               "dashboard</span></a></li>"
               "<li><a href=\"/kiosk\">取号 <span class=\"en\">Take a ticket</span></a></li>"
               "<li><a href=\"/api/snapshot\">/api/snapshot</a> · <a "
               "href=\"/api/history\">/api/history</a> · <a href=\"/api/ratings\">/api/ratings</a> "
               "· <a href=\"/metrics\">/metrics</a></li>"
               "</ul><p class=\"en\">查看排队进度请扫描取号单上的二维码 / Scan your slip's QR "
               "code to follow your ticket.</p></main>\n",
               f);
        web_page_end (f, 0);
    }
    return s_out_send (&o, conn, MHD_HTTP_OK, CT_HTML);
}

static enum MHD_Result
s_get_status (s_web_t *w, struct MHD_Connection *conn, const s_req_t *req)
{
    char token[PROTO_TOKEN_LEN + 1];
    if (s_token (req->arg, token) != 0)
        return s_broker_error (conn, req, w, PROTO_ERR_BAD_FIELD);
    json_t *r;
    int rc = s_status (w, token, &r);
    if (rc != PROTO_ERR_OK)
        return s_broker_error (conn, req, w, rc);
    json_t *view = s_status_public (r);
    json_decref (r);
    if (req->route == ROUTE_API_STATUS) {
        enum MHD_Result ok = s_send_json (conn, MHD_HTTP_OK, view);
        json_decref (view);
        return ok;
    }
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f) {
        json_decref (view);
        return MHD_NO;
    }
    if (s_part (conn))
        s_status_live (f, w, token, view);
    else {
        const json_t *t = json_object_get (view, "ticket");
        char attrs[2048];
        s_topics_attr (attrs, sizeof attrs);
        web_page_begin (f, "排队进度 Your ticket", "citizen", NULL, attrs);
        //  Refreshed on events of its own ticket or service only (the page asks the broker).
        fprintf (f,
                 "<main id=\"live\" data-part=\"/t/%s?part=live\" data-on=\"ticket. case. "
                 "rating. hall. mirror.\" data-service=\"",
                 token);
        s_esc (f, proto_str (t, "service"));
        fputs ("\" data-every=\"60\" data-delay=\"1000\">\n", f);
        s_status_live (f, w, token, view);
        fputs ("</main>\n", f);
        web_page_end (f, 1);
    }
    json_decref (view);
    return s_out_send (&o, conn, MHD_HTTP_OK, CT_HTML);
}

static const char *s_level_zh[] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};
static const char *s_level_en[] = {"",           "Very dissatisfied", "Dissatisfied",
                                   "Acceptable", "Satisfied",         "Very satisfied"};

static enum MHD_Result
s_get_rate (s_web_t *w, struct MHD_Connection *conn, const s_req_t *req)
{
    char token[PROTO_TOKEN_LEN + 1];
    if (s_token (req->arg, token) != 0)
        return s_broker_error (conn, req, w, PROTO_ERR_BAD_FIELD);
    json_t *r;
    int rc = s_status (w, token, &r);
    if (rc != PROTO_ERR_OK)
        return s_broker_error (conn, req, w, rc);
    const json_t *t = json_object_get (r, "ticket");
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f) {
        json_decref (r);
        return MHD_NO;
    }
    web_page_begin (f, "服务评价 Rate your visit", "citizen", NULL, NULL);
    fputs ("<main><section class=\"ticket-card\"><p>", f);
    s_esc (f, proto_str (r, "hall"));
    fputs ("</p><p class=\"num\">", f);
    s_esc (f, proto_str (t, "number"));
    fputs ("</p><p>", f);
    s_esc (f, proto_str (t, "service_name"));
    fputs ("</p><h1>请对本次服务进行评价 <span class=\"en\">How was your visit?</span></h1>\n", f);
    if (strcmp (proto_str (t, "state"), "done") != 0) {
        fputs ("<p>办理结束后即可评价 <span class=\"en\">You can rate once your visit is "
               "finished.</span></p><p><a href=\"/rate/",
               f);
        s_esc (f, token);
        fputs ("\">刷新 <span class=\"en\">Reload</span></a></p>\n", f);
    } else {
        char rid[33];
        proto_request_id_new (rid);
        fprintf (f,
                 "<form method=\"post\" action=\"/rate/%s\"><input type=\"hidden\" "
                 "name=\"rid\" value=\"%s\"><div class=\"levels\">\n",
                 token, rid);
        for (int l = 5; l >= 1; l--)
            fprintf (f,
                     "<button type=\"submit\" name=\"level\" value=\"%d\" class=\"l%d\">%s<span "
                     "class=\"en\">%s</span></button>\n",
                     l, l, s_level_zh[l], s_level_en[l]);
        fputs ("</div><label>意见或建议（可选） <span class=\"en\">Comment (optional)</span>"
               "<textarea name=\"comment\" maxlength=\"500\"></textarea></label></form>\n",
               f);
    }
    fputs ("</section></main>\n", f);
    web_page_end (f, 0);
    json_decref (r);
    return s_out_send (&o, conn, MHD_HTTP_OK, CT_HTML);
}

//  A request id for a form: the page's, when it is one of ours, or a new one.
static void
s_request_id (const s_req_t *req, char *out, size_t size)
{
    char rid[33];
    if (strlen (req->rid) == 32 && strspn (req->rid, "0123456789abcdef") == 32) {
        memcpy (rid, req->rid, 32);
        rid[32] = 0;
    } else
        proto_request_id_new (rid);
    snprintf (out, size, "web-%s", rid);
}

static enum MHD_Result
s_post_rate (s_web_t *w, struct MHD_Connection *conn, const s_req_t *req)
{
    char token[PROTO_TOKEN_LEN + 1];
    if (s_token (req->arg, token) != 0)
        return s_broker_error (conn, req, w, PROTO_ERR_BAD_FIELD);
    char *end;
    long level = strtol (req->level, &end, 10);
    if (!*req->level || *end || level < 1 || level > 5)
        return s_error (conn, req, MHD_HTTP_BAD_REQUEST, "请选择评价等级",
                        "Choose one of the five levels.");
    json_t *body = json_pack ("{s:s, s:i}", "token", token, "level", (int)level);
    if (req->comment_len)
        json_object_set_new (body, "comment", json_string (req->comment));
    char rid[48];
    s_request_id (req, rid, sizeof rid);
    json_t *r = NULL;
    int rc = proto_client_call_id (proto_mirror_client (w->mirror), "ticket.rate", body, rid, &r);
    json_decref (body);
    if (rc == PROTO_ERR_WRONG_STATE || rc == PROTO_ERR_REQUEST_ID_REUSED) {
        json_decref (r);
        return s_error (conn, req, MHD_HTTP_CONFLICT, "这次服务已评价，或尚未办结",
                        "This visit was rated already, or is not finished yet.");
    }
    if (rc != PROTO_ERR_OK) {
        json_decref (r);
        return s_broker_error (conn, req, w, rc);
    }
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f) {
        json_decref (r);
        return MHD_NO;
    }
    web_page_begin (f, "感谢评价 Thank you", "citizen", NULL, NULL);
    fprintf (f,
             "<main><section class=\"ticket-card\" id=\"thanks\"><h1>感谢您的评价 <span "
             "class=\"en\">Thank you</span></h1><p>%s <span class=\"en\">%s</span></p>\n",
             s_level_zh[level], s_level_en[level]);
    const json_t *item = json_object_get (r, "rectification");
    if (json_is_object (item)) {
        char date[16];
        s_date (proto_int (item, "deadline"), date, sizeof date);
        fprintf (f,
                 "<p class=\"bad\" id=\"follow-up\">我们将核实并整改您反映的问题，于 %s 前答复您"
                 "（整改编号 %lld）。<span class=\"en\">We will look into this and answer by %s "
                 "(item %lld).</span></p>\n",
                 date, (long long)proto_int (item, "id"), date, (long long)proto_int (item, "id"));
    }
    fputs ("</section></main>\n", f);
    web_page_end (f, 0);
    json_decref (r);
    return s_out_send (&o, conn, MHD_HTTP_OK, CT_HTML);
}

static enum MHD_Result
s_post_kiosk (s_web_t *w, struct MHD_Connection *conn, const s_req_t *req)
{
    if (!*req->service ||
        strspn (req->service, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen (req->service))
        return s_error (conn, req, MHD_HTTP_BAD_REQUEST, "请选择业务", "Choose a service.");
    json_t *body = json_pack ("{s:s}", "service", req->service);
    char rid[48];
    s_request_id (req, rid, sizeof rid);
    json_t *r = NULL;
    int rc = proto_client_call_id (proto_mirror_client (w->mirror), "ticket.issue", body, rid, &r);
    json_decref (body);
    if (rc == PROTO_ERR_UNKNOWN_SERVICE) {
        json_decref (r);
        return s_error (conn, req, MHD_HTTP_BAD_REQUEST, "没有这项业务",
                        "No such service in this hall.");
    }
    if (rc != PROTO_ERR_OK) {
        json_decref (r);
        if (rc == PROTO_CLIENT_UNREACHABLE)
            return s_error (conn, req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法取号，请稍后再试",
                            "Tickets cannot be issued right now; please try again.");
        return s_broker_error (conn, req, w, rc);
    }
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f) {
        json_decref (r);
        return MHD_NO;
    }
    s_kiosk_slip (f, w, r);
    json_decref (r);
    return s_out_send (&o, conn, MHD_HTTP_OK, CT_HTML);
}

static enum MHD_Result
s_api_snapshot (s_web_t *w, struct MHD_Connection *conn)
{
    json_t *j = json_object ();
    json_object_update (j, (json_t *)proto_mirror_state (w->mirror));
    json_t *hall = json_object_get (proto_mirror_info (w->mirror), "hall");
    if (hall)
        json_object_set (j, "hall", hall);
    json_object_set_new (j, "gateway",
                         json_pack ("{s:b, s:I, s:i, s:i, s:s}", "connected", w->connected, "seq",
                                    (json_int_t)proto_mirror_seq (w->mirror), "snapshots",
                                    proto_mirror_snapshots (w->mirror), "sse_clients", w->nclients,
                                    "events", proto_mirror_pub (w->mirror)));
    enum MHD_Result rc = s_send_json (conn, MHD_HTTP_OK, j);
    json_decref (j);
    return rc;
}

static json_t *
s_series_json (const s_series_t *s)
{
    json_t *a = json_array ();
    for (size_t i = 0; i < s->n; i++)
        json_array_append_new (a,
                               json_pack ("[I, I]", (json_int_t)s->p[i].t, (json_int_t)s->p[i].v));
    return a;
}

static enum MHD_Result
s_api_history (s_web_t *w, struct MHD_Connection *conn)
{
    int64_t t0, t1, bins[HIST_BINS];
    s_chart_span (w, &t0, &t1);
    s_histogram (&w->hist.waits, bins);
    json_t *counts = json_array ();
    for (int i = 0; i < HIST_BINS; i++)
        json_array_append_new (counts, json_integer (bins[i]));
    const json_t *st = proto_mirror_state (w->mirror);
    json_t *j = json_pack ("{s:O, s:b, s:I, s:I, s:I, s:i, s:o, s:o, s:{s:i, s:o}}", "day",
                           json_object_get (st, "day") ? json_object_get (st, "day") : json_null (),
                           "loaded", w->hist.loaded, "last_seq", (json_int_t)w->hist.last, "start",
                           (json_int_t)t0, "now", (json_int_t)t1, "over_wait_minutes",
                           (int)proto_int (st, "over_wait_minutes"), "queue",
                           s_series_json (&w->hist.queue), "waits", s_series_json (&w->hist.waits),
                           "histogram", "bin_minutes", 5, "counts", counts);
    enum MHD_Result rc = s_send_json (conn, MHD_HTTP_OK, j);
    json_decref (j);
    return rc;
}

static enum MHD_Result
s_api_ratings (s_web_t *w, struct MHD_Connection *conn, const s_req_t *req)
{
    const json_t *r = s_ratings (w);
    if (!r)
        return s_error (conn, req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法连接大厅服务器",
                        "The hall server cannot be reached right now.");
    const char *state = MHD_lookup_connection_value (conn, MHD_GET_ARGUMENT_KIND, "state");
    if (!state)
        return s_send_json (conn, MHD_HTTP_OK, r);
    json_t *list = json_array ();
    size_t i;
    json_t *item;
    json_array_foreach (json_object_get (r, "rectifications"), i,
                        item) if (strcmp (proto_str (item, "state"), state) == 0)
        json_array_append (list, item);
    json_t *j =
        json_pack ("{s:o, s:O}", "rectifications", list, "today",
                   json_object_get (r, "today") ? json_object_get (r, "today") : json_null ());
    enum MHD_Result rc = s_send_json (conn, MHD_HTTP_OK, j);
    json_decref (j);
    return rc;
}

//  A Prometheus label value: backslash, quote and newline escaped.
static void
s_label (FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            fputc ('\\', f);
        if (*v == '\n')
            fputs ("\\n", f);
        else
            fputc (*v, f);
    }
}

static void
s_metric_head (FILE *f, const char *name, const char *type, const char *help)
{
    fprintf (f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

//  One figure per service from today's stats.
static void
s_metric_per_service (FILE *f, const json_t *st, const char *name, const char *type,
                      const char *help, const char *key, double scale)
{
    s_metric_head (f, name, type, help);
    const char *prefix;
    json_t *day;
    json_object_foreach (json_object_get ((json_t *)st, "stats"), prefix, day)
    {
        fprintf (f, "%s{service=\"", name);
        s_label (f, prefix);
        if (scale == 1)
            fprintf (f, "\"} %lld\n", (long long)proto_int (day, key));
        else
            fprintf (f, "\"} %.3f\n", (double)proto_int (day, key) * scale);
    }
}

static enum MHD_Result
s_metrics (s_web_t *w, struct MHD_Connection *conn)
{
    const json_t *st = proto_mirror_state (w->mirror);
    s_out_t o;
    FILE *f = s_out_open (&o);
    if (!f)
        return MHD_NO;
    s_metric_head (f, "onewindow_up", "gauge",
                   "1 while the gateway's mirror is in step with the broker.");
    fprintf (f, "onewindow_up %d\n", w->connected ? 1 : 0);
    s_metric_head (f, "onewindow_events_seq", "gauge",
                   "Sequence of the last broker event applied.");
    fprintf (f, "onewindow_events_seq %llu\n", (unsigned long long)proto_mirror_seq (w->mirror));
    s_metric_head (f, "onewindow_mirror_snapshots_total", "counter",
                   "Snapshots the mirror took (start, gaps, broker restarts).");
    fprintf (f, "onewindow_mirror_snapshots_total %d\n", proto_mirror_snapshots (w->mirror));
    s_metric_head (f, "onewindow_sse_clients", "gauge", "Clients connected to /events.");
    fprintf (f, "onewindow_sse_clients %d\n", w->nclients);
    s_metric_head (f, "onewindow_sse_events_total", "counter", "Events sent out on /events.");
    fprintf (f, "onewindow_sse_events_total %llu\n", (unsigned long long)w->sse_events);

    s_metric_head (f, "onewindow_waiting", "gauge", "Tickets waiting, per service.");
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (st, "services"), i, s)
    {
        fputs ("onewindow_waiting{service=\"", f);
        s_label (f, proto_str (s, "prefix"));
        fprintf (f, "\"} %lld\n", (long long)proto_int (s, "waiting"));
    }
    s_metric_head (f, "onewindow_open_counters", "gauge", "Counters open for the service.");
    json_array_foreach (json_object_get (st, "services"), i, s)
    {
        fputs ("onewindow_open_counters{service=\"", f);
        s_label (f, proto_str (s, "prefix"));
        fprintf (f, "\"} %lld\n", (long long)proto_int (s, "open_counters"));
    }
    s_metric_head (f, "onewindow_estimated_wait_seconds", "gauge",
                   "Estimated wait for a new ticket (absent while no counter is open).");
    json_array_foreach (json_object_get (st, "services"), i,
                        s) if (json_is_integer (json_object_get (s, "est_wait_s")))
    {
        fputs ("onewindow_estimated_wait_seconds{service=\"", f);
        s_label (f, proto_str (s, "prefix"));
        fprintf (f, "\"} %lld\n", (long long)proto_int (s, "est_wait_s"));
    }
    s_metric_per_service (f, st, "onewindow_tickets_issued_total", "counter",
                          "Tickets issued this business day.", "issued", 1);
    s_metric_per_service (f, st, "onewindow_tickets_called_total", "counter",
                          "Tickets called (first calls) this business day.", "called", 1);
    s_metric_per_service (f, st, "onewindow_tickets_served_total", "counter",
                          "Tickets served to the end this business day.", "served", 1);
    s_metric_per_service (f, st, "onewindow_tickets_missed_total", "counter",
                          "Tickets missed (过号) this business day.", "missed", 1);
    s_metric_per_service (f, st, "onewindow_tickets_cancelled_total", "counter",
                          "Tickets cancelled this business day.", "cancelled", 1);
    s_metric_per_service (f, st, "onewindow_over_wait_total", "counter",
                          "Calls after a wait over the hall's limit this business day.",
                          "over_wait", 1);
    //  Summaries without quantiles: the sums and counts halls report averages from.
    s_metric_head (f, "onewindow_wait_seconds", "summary",
                   "Wait from issue to first call this business day.");
    const char *prefix;
    json_t *day;
    json_object_foreach (json_object_get ((json_t *)st, "stats"), prefix, day)
    {
        fputs ("onewindow_wait_seconds_sum{service=\"", f);
        s_label (f, prefix);
        fprintf (f, "\"} %.3f\nonewindow_wait_seconds_count{service=\"",
                 (double)proto_int (day, "sum_wait_ms") / 1000.0);
        s_label (f, prefix);
        fprintf (f, "\"} %lld\n", (long long)proto_int (day, "called"));
    }
    s_metric_head (f, "onewindow_service_seconds", "summary",
                   "Handling time from call to finish this business day.");
    json_object_foreach (json_object_get ((json_t *)st, "stats"), prefix, day)
    {
        fputs ("onewindow_service_seconds_sum{service=\"", f);
        s_label (f, prefix);
        fprintf (f, "\"} %.3f\nonewindow_service_seconds_count{service=\"",
                 (double)proto_int (day, "sum_service_ms") / 1000.0);
        s_label (f, prefix);
        fprintf (f, "\"} %lld\n", (long long)proto_int (day, "served"));
    }
    s_metric_head (f, "onewindow_ratings_total", "counter",
                   "Ratings (好差评) by level this business day: 5 非常满意 .. 1 非常不满意.");
    json_object_foreach (json_object_get ((json_t *)st, "stats"), prefix, day) for (int l = 1;
                                                                                    l <= 5; l++)
    {
        fputs ("onewindow_ratings_total{service=\"", f);
        s_label (f, prefix);
        fprintf (f, "\",level=\"%d\"} %lld\n", l,
                 (long long)json_integer_value (
                     json_array_get (json_object_get (day, "ratings"), (size_t)l - 1)));
    }

    static const char *states[] = {"logged_out", "idle", "calling", "serving", "paused"};
    s_metric_head (f, "onewindow_counters", "gauge", "Counters by state.");
    for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
        int n = 0;
        json_t *c;
        json_array_foreach (json_object_get (st, "counters"), i, c) n +=
            strcmp (proto_str (c, "state"), states[k]) == 0;
        fprintf (f, "onewindow_counters{state=\"%s\"} %d\n", states[k], n);
    }
    s_metric_head (f, "onewindow_counter_served_total", "counter",
                   "Tickets served per counter this business day.");
    json_t *c;
    json_array_foreach (json_object_get (st, "counters"), i, c)
        fprintf (f, "onewindow_counter_served_total{counter=\"%lld\"} %lld\n",
                 (long long)proto_int (c, "id"), (long long)proto_int (c, "served"));

    s_metric_head (f, "onewindow_cabinet_slots", "gauge", "Cabinet slots by state.");
    json_t *cab;
    json_array_foreach (json_object_get (st, "cabinets"), i, cab)
    {
        json_t *by = json_object ();
        size_t j;
        json_t *slot;
        json_array_foreach (json_object_get (cab, "slots"), j, slot)
        {
            const char *state = proto_str (slot, "state");
            json_object_set_new (by, state, json_integer (proto_int (by, state) + 1));
        }
        const char *state;
        json_t *n;
        json_object_foreach (by, state, n)
        {
            fputs ("onewindow_cabinet_slots{cabinet=\"", f);
            s_label (f, proto_str (cab, "cabinet"));
            fputs ("\",state=\"", f);
            s_label (f, state);
            fprintf (f, "\"} %lld\n", (long long)json_integer_value (n));
        }
        json_decref (by);
    }
    s_metric_head (f, "onewindow_cases", "gauge",
                   "Open cases (kind=\"open\") and those with each warning raised.");
    const char *kind;
    json_t *n;
    json_object_foreach (json_object_get ((json_t *)st, "cases"), kind, n) if (json_is_integer (n))
    {
        fputs ("onewindow_cases{kind=\"", f);
        s_label (f, kind);
        fprintf (f, "\"} %lld\n", (long long)json_integer_value (n));
    }
    if (fclose (f) != 0) {
        free (o.data);
        return MHD_NO;
    }
    return s_send (conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", o.data, o.len,
                   false);
}

static enum MHD_Result
s_events (s_web_t *w, struct MHD_Connection *conn)
{
    s_sse_t *c = calloc (1, sizeof *c);
    if (!c)
        return MHD_NO;
    c->web = w;
    c->conn = conn;
    struct MHD_Response *r =
        MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 4096, s_sse_read, c, s_sse_free);
    if (!r) {
        free (c);
        return MHD_NO;
    }
    c->next = w->clients;
    if (w->clients)
        w->clients->prev = c;
    w->clients = c;
    w->nclients++;
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header (r, "X-Accel-Buffering", "no");
    MHD_add_response_header (r, "X-Content-Type-Options", "nosniff");
    char hello[96];
    int n = snprintf (hello, sizeof hello, "retry: 3000\n: onewindow events after #%llu\n\n",
                      (unsigned long long)proto_mirror_seq (w->mirror));
    s_sse_append (c, hello, (size_t)n);
    const char *last = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Last-Event-ID");
    if (last)
        s_sse_replay (w, c, last);
    enum MHD_Result rc = MHD_queue_response (conn, MHD_HTTP_OK, r);
    MHD_destroy_response (r);
    return rc;
}

static enum MHD_Result
s_asset (struct MHD_Connection *conn, const char *text, const char *ctype)
{
    char *copy = strdup (text);
    if (!copy)
        return MHD_NO;
    return s_send (conn, MHD_HTTP_OK, ctype, copy, strlen (copy), true);
}

//  ---------------------------------------------------------------------------------------
//  HTTP plumbing

static s_route_t
s_route (const char *url, char *arg, size_t size)
{
    static const struct {
        const char *path;
        s_route_t route;
        bool prefix; //  path + "/" + argument
    } routes[] = {
        {"/", ROUTE_INDEX, false},
        {"/board", ROUTE_BOARD, false},
        {"/dashboard", ROUTE_DASHBOARD, false},
        {"/kiosk", ROUTE_KIOSK, false},
        {"/t", ROUTE_STATUS, true},
        {"/rate", ROUTE_RATE, true},
        {"/api/snapshot", ROUTE_API_SNAPSHOT, false},
        {"/api/status", ROUTE_API_STATUS, true},
        {"/api/history", ROUTE_API_HISTORY, false},
        {"/api/ratings", ROUTE_API_RATINGS, false},
        {"/api/charts", ROUTE_API_CHARTS, false},
        {"/events", ROUTE_EVENTS, false},
        {"/metrics", ROUTE_METRICS, false},
        {"/assets/app.css", ROUTE_CSS, false},
        {"/assets/app.js", ROUTE_JS, false},
        {"/assets/live-worker.js", ROUTE_WORKER, false},
    };
    arg[0] = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t len = strlen (routes[i].path);
        if (!routes[i].prefix && strcmp (url, routes[i].path) == 0)
            return routes[i].route;
        if (routes[i].prefix && strncmp (url, routes[i].path, len) == 0 && url[len] == '/') {
            const char *rest = url + len + 1;
            //  An overlong or nested argument is no token: the handler answers 404.
            if (strlen (rest) < size && !strchr (rest, '/'))
                snprintf (arg, size, "%s", rest);
            return routes[i].route;
        }
    }
    return ROUTE_NONE;
}

static enum MHD_Result
s_post_field (void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
              const char *content_type, const char *transfer_encoding, const char *data,
              uint64_t off, size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    s_req_t *req = cls;
    char *dst = NULL;
    size_t cap = 0;
    if (strcmp (key, "service") == 0)
        dst = req->service, cap = sizeof req->service;
    else if (strcmp (key, "level") == 0)
        dst = req->level, cap = sizeof req->level;
    else if (strcmp (key, "rid") == 0)
        dst = req->rid, cap = sizeof req->rid;
    else if (strcmp (key, "comment") == 0)
        dst = req->comment, cap = sizeof req->comment;
    if (!dst)
        return MHD_YES; //  fields we do not know are ignored
    if (off + size >= cap) {
        req->bad = true;
        return MHD_YES;
    }
    memcpy (dst + off, data, size);
    dst[off + size] = 0;
    if (dst == req->comment)
        req->comment_len = (size_t)off + size;
    return MHD_YES;
}

//  True unless the browser says the form comes from another site: a page elsewhere must
//  not issue tickets or rate visits through a citizen's or a kiosk's browser.
static bool
s_same_origin (struct MHD_Connection *conn)
{
    const char *site = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    if (site && strcmp (site, "cross-site") == 0)
        return false;
    const char *origin = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Host");
    if (!origin)
        return true;
    if (strcmp (origin, "null") == 0) //  a sandboxed or privacy-sensitive context
        return !site || strcmp (site, "same-origin") == 0;
    const char *sep = strstr (origin, "://");
    return host && sep && strcmp (sep + 3, host) == 0;
}

static enum MHD_Result
s_dispatch (s_web_t *w, struct MHD_Connection *conn, s_req_t *req)
{
    if (req->post) {
        if (!s_same_origin (conn))
            return s_error (conn, req, MHD_HTTP_FORBIDDEN, "不接受来自其他网站的提交",
                            "Forms are accepted from this site's own pages only.");
        if (req->total > POST_MAX)
            return s_error (conn, req, MHD_HTTP_CONTENT_TOO_LARGE, "提交的内容过长",
                            "The form is too large.");
        //  A comment must be text: valid UTF-8 without NUL bytes.
        if (req->bad || strlen (req->comment) != req->comment_len ||
            !proto_utf8_valid (req->comment, req->comment_len))
            return s_error (conn, req, MHD_HTTP_BAD_REQUEST, "提交的内容有误",
                            "The form holds a field that is too long or not text.");
        return req->route == ROUTE_KIOSK ? s_post_kiosk (w, conn, req) : s_post_rate (w, conn, req);
    }
    switch (req->route) {
    case ROUTE_STATUS:
    case ROUTE_API_STATUS: return s_get_status (w, conn, req);
    case ROUTE_RATE: return s_get_rate (w, conn, req);
    case ROUTE_API_SNAPSHOT: return s_api_snapshot (w, conn);
    case ROUTE_API_HISTORY: return s_api_history (w, conn);
    case ROUTE_API_RATINGS: return s_api_ratings (w, conn, req);
    case ROUTE_EVENTS: return s_events (w, conn);
    case ROUTE_METRICS: return s_metrics (w, conn);
    case ROUTE_CSS: return s_asset (conn, web_css, "text/css; charset=utf-8");
    case ROUTE_JS: return s_asset (conn, web_app_js, "text/javascript; charset=utf-8");
    case ROUTE_WORKER: return s_asset (conn, web_worker_js, "text/javascript; charset=utf-8");
    default: return s_get_page (w, conn, req);
    }
}

static enum MHD_Result
s_handler (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    s_web_t *w = cls;
    s_req_t *req = *con_cls;
    if (!req) {
        //  The headers are in: route, check the method, and answer what needs no body.
        req = calloc (1, sizeof *req);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        req->route = s_route (url, req->arg, sizeof req->arg);
        bool get =
            strcmp (method, MHD_HTTP_METHOD_GET) == 0 || strcmp (method, MHD_HTTP_METHOD_HEAD) == 0;
        req->post = strcmp (method, MHD_HTTP_METHOD_POST) == 0;
        if (req->route == ROUTE_NONE)
            return s_error (conn, req, MHD_HTTP_NOT_FOUND, "找不到页面", "Not found.");
        bool post_ok = req->route == ROUTE_KIOSK || req->route == ROUTE_RATE;
        if (!get && !(req->post && post_ok))
            return s_error (conn, req, MHD_HTTP_METHOD_NOT_ALLOWED, "不支持此请求方式",
                            "Method not allowed.");
        if (req->route == ROUTE_EVENTS && strcmp (method, MHD_HTTP_METHOD_HEAD) == 0)
            return s_error (conn, req, MHD_HTTP_METHOD_NOT_ALLOWED, "不支持此请求方式",
                            "Method not allowed.");
        //  The answer comes on the next call, once MHD has the whole request (answering
        //  now would make it close the connection instead of keeping it alive).
        if (!req->post)
            return MHD_YES;
        req->pp = MHD_create_post_processor (conn, 1024, s_post_field, req);
        if (!req->pp)
            return s_error (conn, req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "不支持的提交格式",
                            "Send the form as application/x-www-form-urlencoded.");
        return MHD_YES;
    }
    if (*upload_data_size) {
        req->total += *upload_data_size;
        if (req->total <= POST_MAX && req->pp &&
            MHD_post_process (req->pp, upload_data, *upload_data_size) != MHD_YES)
            req->bad = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return s_dispatch (w, conn, req);
}

static void
s_completed (void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    s_req_t *req = *con_cls;
    if (!req)
        return;
    if (req->pp)
        MHD_destroy_post_processor (req->pp);
    free (req);
    *con_cls = NULL;
}

static void
s_mhd_log (void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf (line, sizeof line, fmt, ap);
    line[strcspn (line, "\n")] = 0;
    log_info ("web: http: %s", line);
}

//  ---------------------------------------------------------------------------------------
//  The role

static void
s_signal (int sig)
{
    (void)sig;
    s_interrupted = 1;
}

//  ADDR:PORT, [V6ADDR]:PORT or :PORT (every interface) into a socket address.
static int
s_parse_addr (const char *text, struct sockaddr_storage *ss, bool *v6)
{
    char host[256];
    const char *port;
    if (text[0] == '[') {
        const char *end = strchr (text, ']');
        if (!end || end[1] != ':' || (size_t)(end - text - 1) >= sizeof host)
            return -1;
        snprintf (host, sizeof host, "%.*s", (int)(end - text - 1), text + 1);
        port = end + 2;
    } else {
        const char *colon = strrchr (text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            return -1;
        snprintf (host, sizeof host, "%.*s", (int)(colon - text), text);
        port = colon + 1;
    }
    if (!*port || strspn (port, "0123456789") != strlen (port) || atoi (port) > 65535)
        return -1;
    struct addrinfo hints, *res = NULL;
    memset (&hints, 0, sizeof hints);
    hints.ai_family = *host && strcmp (host, "*") != 0 ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    const char *node = *host && strcmp (host, "*") != 0 ? host : NULL;
    if (getaddrinfo (node, port, &hints, &res) != 0 || !res)
        return -1;
    memset (ss, 0, sizeof *ss);
    memcpy (ss, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo (res);
    return 0;
}

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow-web [--http ADDR:PORT] [--broker EP] [--pub EP] [--key FILE --server-key K]\n"
             "       (also: onewindow web [options])\n"
             "\n"
             "The hall's web gateway: a live copy of the hall (from the broker's events) served\n"
             "over HTTP, for browsers on the hall network.\n"
             "\n"
             "  /board            the TV display: the last calls and people waiting\n"
             "  /dashboard        the manager's live page with today's charts\n"
             "  /kiosk            a touch-screen ticket page\n"
             "  /t/TOKEN          a citizen's status page (the slip's QR code)\n"
             "  /rate/TOKEN       the rating pad (好差评)\n"
             "  /api/snapshot, /api/status/TOKEN, /api/history, /api/ratings   JSON\n"
             "  /events           Server-Sent Events: every broker event as it happens\n"
             "  /metrics          Prometheus text format\n"
             "\n"
             "  --http ADDR:PORT  where to listen (default 127.0.0.1:8080; :PORT for every\n"
             "                    interface, [::1]:PORT for IPv6)\n"
             "  --broker EP       broker request endpoint (default $ONEWINDOW_BROKER or\n"
             "                    tcp://127.0.0.1:7100)\n"
             "  --pub EP          event endpoint, when not the one the broker advertises\n"
             "  --key FILE        this gateway's CURVE keypair ($ONEWINDOW_KEY; role web)\n"
             "  --server-key K    the broker's public key or key file ($ONEWINDOW_SERVER_KEY)\n"
             "\n"
             "It keeps serving while the broker is away and catches up when it is back.\n"
             "Stops cleanly on SIGINT or SIGTERM. No authentication: serve it on the hall's\n"
             "network only.\n");
}

static void
s_web_destroy (s_web_t **self_p)
{
    s_web_t *w = *self_p;
    if (!w)
        return;
    if (w->daemon) {
        //  End every stream, let MHD send what is queued, then stop.
        for (s_sse_t *c = w->clients; c; c = c->next) {
            c->closing = true;
            s_sse_wake (c);
        }
        for (int i = 0; i < 20 && w->clients; i++) {
            MHD_run (w->daemon);
            struct timespec ts = {0, 10 * 1000000};
            nanosleep (&ts, NULL);
        }
        MHD_stop_daemon (w->daemon);
    }
    proto_mirror_destroy (&w->mirror);
    for (size_t i = 0; i < SSE_RING; i++)
        free (w->ring[i].text);
    free (w->hist.queue.p);
    free (w->hist.waits.p);
    json_decref (w->hist.waiting);
    json_decref (w->hist.calls);
    json_decref (w->ratings);
    free (w);
    *self_p = NULL;
}

//  Prints "onewindow-web: ..." and returns PROTO_EXIT_USAGE.
static int
s_usage_error (const char *fmt, const char *arg)
{
    fprintf (stderr, "onewindow-web: ");
    fprintf (stderr, fmt, arg);
    fprintf (stderr, " (try 'onewindow-web --help')\n");
    return PROTO_EXIT_USAGE;
}

int
main (int argc, char **argv)
{
    proto_log_init ("onewindow-web", PROTO_LOG_WARN);
    const char *http = "127.0.0.1:8080", *broker = proto_default_broker (), *pub = NULL;
    const char *key = getenv ("ONEWINDOW_KEY"), *server_key = getenv ("ONEWINDOW_SERVER_KEY");
    static const struct option longopts[] = {
        {"http", required_argument, NULL, 'l'},
        {"broker", required_argument, NULL, 'b'},
        {"pub", required_argument, NULL, 'p'},
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'l': http = optarg; break;
        case 'b': broker = optarg; break;
        case 'p': pub = optarg; break;
        case 'k': key = optarg; break;
        case 's': server_key = optarg; break;
        case 'h': s_help (stdout); return PROTO_EXIT_OK;
        default: s_help (stderr); return PROTO_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return s_usage_error ("unexpected argument '%s'", argv[optind]);
    char err[300];
    if (proto_curve_setup (key, server_key, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow-web: %s\n", err);
        return PROTO_EXIT_USAGE;
    }
    struct sockaddr_storage addr;
    bool v6 = false;
    if (s_parse_addr (http, &addr, &v6) != 0)
        return s_usage_error ("--http wants ADDR:PORT, e.g. 127.0.0.1:8080 (got '%s')", http);

    s_web_t *w = calloc (1, sizeof *w);
    if (!w)
        return PROTO_EXIT_REFUSED;
    w->hist.waiting = json_object ();
    w->hist.calls = json_array ();
    w->mirror = proto_mirror_new (broker, pub);
    if (!w->mirror || !w->hist.waiting || !w->hist.calls) {
        fprintf (stderr, "onewindow-web: cannot set up a client for %s\n", broker);
        s_web_destroy (&w);
        return PROTO_EXIT_UNREACHABLE;
    }
    proto_mirror_on_event (w->mirror, s_on_event, w);

    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_signal; //  no SA_RESTART: zmq_poll returns at once
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);

    w->daemon = MHD_start_daemon (
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0), 0,
        NULL, NULL, s_handler, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, w, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
        MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        w->daemon ? MHD_get_daemon_info (w->daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info) {
        fprintf (stderr, "onewindow-web: cannot listen on %s: %s\n", http, strerror (errno));
        s_web_destroy (&w);
        return PROTO_EXIT_REFUSED;
    }
    int epfd = info->epoll_fd;
    w->connected = proto_mirror_start (w->mirror) == 0;
    if (!w->connected)
        log_warn ("web: the broker at %s does not answer yet; retrying", broker);
    printf ("onewindow-web: http://%s/ (board, dashboard, kiosk) for the broker at %s\n", http,
            broker);
    fflush (stdout);

    int64_t next_try = 0, next_beat = proto_mono_ms () + SSE_HEARTBEAT_MS;
    while (!s_interrupted) {
        long timeout = 500;
        MHD_UNSIGNED_LONG_LONG mt;
        if (MHD_get_timeout (w->daemon, &mt) == MHD_YES && mt < (MHD_UNSIGNED_LONG_LONG)timeout)
            timeout = (long)mt;
        //  While the broker is away its socket is left out: nothing reads it until the next
        //  try, and a readable socket nobody reads would spin the loop.
        zmq_pollitem_t items[2] = {
            {NULL, epfd, ZMQ_POLLIN, 0},
            {w->connected ? proto_mirror_socket (w->mirror) : NULL, 0, ZMQ_POLLIN, 0},
        };
        if (zmq_poll (items, items[1].socket ? 2 : 1, timeout) < 0 && errno != EINTR) {
            log_error ("web: poll: %s", zmq_strerror (errno));
            break;
        }
        if (s_interrupted)
            break;
        int64_t now = proto_mono_ms ();
        if (w->connected || now >= next_try) {
            //  Blocks up to the mirror's request timeout when the broker is away: the pages
            //  wait that long once per RECONNECT_MS.
            if (proto_mirror_poll (w->mirror, 0) < 0) {
                if (w->connected)
                    log_warn ("web: lost the broker at %s; retrying", broker);
                w->connected = false;
                next_try = proto_mono_ms () + RECONNECT_MS;
            } else {
                if (!w->connected)
                    log_warn ("web: the broker at %s is back", broker);
                w->connected = true;
            }
        }
        MHD_run (w->daemon);
        if (now >= next_beat) {
            s_sse_heartbeat (w);
            next_beat = now + SSE_HEARTBEAT_MS;
        }
    }
    s_web_destroy (&w);
    return PROTO_EXIT_OK;
}
