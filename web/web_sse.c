/*  web_sse.c — see web_sse.h. */
#include "web_sse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_log.h"

//  One /events client.
typedef struct s_client {
    web_sse_t *sse;
    struct MHD_Connection *conn;
    char *buf; //  bytes waiting to be sent, from off to len
    size_t off, len, cap;
    bool suspended; //  MHD_suspend_connection'ed while the queue is empty
    bool dead;      //  dropped: its queue overflowed
    bool closing;   //  end the stream once the queue is sent
    struct s_client *prev, *next;
} s_client_t;

//  A recent event as sent.
typedef struct {
    uint64_t seq;
    char *text;
} s_ring_t;

struct web_sse {
    s_client_t *clients;          //  connected clients
    int nclients;                 //  how many
    uint64_t events;              //  events broadcast so far
    s_ring_t ring[WEB_SSE_RING];  //  the last events, oldest at ring_next when full
    size_t ring_next, ring_count; //  next slot to write, slots in use
};

web_sse_t *
web_sse_new (void)
{
    return calloc (1, sizeof (web_sse_t));
}

void
web_sse_destroy (web_sse_t **self_p)
{
    web_sse_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < WEB_SSE_RING; i++)
        free (self->ring[i].text);
    free (self);
    *self_p = NULL;
}

static void
s_wake (s_client_t *c)
{
    if (c->suspended) {
        c->suspended = false;
        MHD_resume_connection (c->conn);
    }
}

//  Appends to one client's queue; drops the client when it is too far behind.
static void
s_append (s_client_t *c, const char *text, size_t n)
{
    if (c->dead || c->closing)
        return;
    if (c->len - c->off + n > WEB_SSE_MAX_QUEUE) {
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
    s_wake (c);
}

//  MHD asks for the next bytes of a client's stream.
static ssize_t
s_read (void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    s_client_t *c = cls;
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
s_free (void *cls)
{
    s_client_t *c = cls;
    web_sse_t *self = c->sse;
    if (c->prev)
        c->prev->next = c->next;
    else
        self->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    self->nclients--;
    free (c->buf);
    free (c);
}

//  What a client that reconnects with Last-Event-ID `last` missed: the events after it
//  from the ring, or, when the ring no longer has them, a mirror.snapshot to reload.
static void
s_replay (web_sse_t *self, s_client_t *c, uint64_t seq, const char *last)
{
    char *end;
    errno = 0;
    unsigned long long seen = strtoull (last, &end, 10);
    if (end == last || *end || errno || seen == seq)
        return;
    size_t first = (self->ring_next + WEB_SSE_RING - self->ring_count) % WEB_SSE_RING;
    if (seen < seq && self->ring_count && self->ring[first].seq <= seen + 1) {
        for (size_t i = 0; i < self->ring_count; i++) {
            const s_ring_t *r = &self->ring[(first + i) % WEB_SSE_RING];
            if (r->seq > seen)
                s_append (c, r->text, strlen (r->text));
        }
        return;
    }
    char text[160];
    int n = snprintf (text, sizeof text,
                      "id: %llu\nevent: mirror.snapshot\ndata: {\"seq\":%llu,\"replay\":false}\n\n",
                      (unsigned long long)seq, (unsigned long long)seq);
    s_append (c, text, (size_t)n);
}

enum MHD_Result
web_sse_open (web_sse_t *self, struct MHD_Connection *conn, uint64_t seq, const char *last_id)
{
    s_client_t *c = calloc (1, sizeof *c);
    if (!c)
        return MHD_NO;
    c->sse = self;
    c->conn = conn;
    struct MHD_Response *r =
        MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 4096, s_read, c, s_free);
    if (!r) {
        free (c);
        return MHD_NO;
    }
    c->next = self->clients;
    if (self->clients)
        self->clients->prev = c;
    self->clients = c;
    self->nclients++;
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header (r, "X-Accel-Buffering", "no");
    MHD_add_response_header (r, "X-Content-Type-Options", "nosniff");
    char hello[96];
    int n = snprintf (hello, sizeof hello, "retry: 3000\n: onewindow events after #%llu\n\n",
                      (unsigned long long)seq);
    s_append (c, hello, (size_t)n);
    if (last_id)
        s_replay (self, c, seq, last_id);
    enum MHD_Result rc = MHD_queue_response (conn, MHD_HTTP_OK, r);
    MHD_destroy_response (r);
    return rc;
}

void
web_sse_broadcast (web_sse_t *self, uint64_t seq, const char *topic, const json_t *data)
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
    s_ring_t *slot = &self->ring[self->ring_next];
    free (slot->text);
    slot->seq = seq;
    slot->text = text;
    self->ring_next = (self->ring_next + 1) % WEB_SSE_RING;
    if (self->ring_count < WEB_SSE_RING)
        self->ring_count++;
    for (s_client_t *c = self->clients; c; c = c->next)
        s_append (c, text, (size_t)n);
    self->events++;
}

void
web_sse_heartbeat (web_sse_t *self)
{
    static const char beat[] = ": heartbeat\n\n";
    for (s_client_t *c = self->clients; c; c = c->next)
        s_append (c, beat, sizeof beat - 1);
}

void
web_sse_close_all (web_sse_t *self)
{
    for (s_client_t *c = self->clients; c; c = c->next) {
        c->closing = true;
        s_wake (c);
    }
}

int
web_sse_clients (const web_sse_t *self)
{
    return self->nclients;
}

uint64_t
web_sse_events (const web_sse_t *self)
{
    return self->events;
}
