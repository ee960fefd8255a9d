/*  web_sse.h — Server-Sent Events for /events: every broker event goes out to every
    connected client as it happens.

    One thread, no locks. Each client has its own queue: an event is appended to every
    queue, and a client that reads slowly falls behind on its own (and is dropped past
    WEB_SSE_MAX_QUEUE bytes) without holding up the loop or the other clients. An idle
    client's connection is suspended until there is something to send. The last
    WEB_SSE_RING events are kept, so a client that reconnects with Last-Event-ID gets what
    it missed, or, when that is gone, a mirror.snapshot event telling it to reload. */
#ifndef WEB_SSE_H
#define WEB_SSE_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>

#define WEB_SSE_HEARTBEAT_MS 15000     //  a comment line to every client this often
#define WEB_SSE_MAX_QUEUE    (1 << 20) //  bytes queued for one client before it is dropped
#define WEB_SSE_RING         512       //  recent events kept for Last-Event-ID replays

typedef struct web_sse web_sse_t;

//  No clients, no events yet. NULL on out-of-memory. Caller owns it.
web_sse_t *web_sse_new (void);
//  Frees the ring and sets *self_p to NULL. The HTTP server must be stopped first (it
//  ends the streams). Safe on NULL.
void web_sse_destroy (web_sse_t **self_p);
//  Answers a GET /events on `conn`: queues the stream, says which event it starts after
//  (`seq`, the mirror's), and with `last_id` (the Last-Event-ID header, or NULL) replays
//  what the client missed. What an MHD handler returns.
enum MHD_Result web_sse_open (web_sse_t *self, struct MHD_Connection *conn, uint64_t seq,
                              const char *last_id);
//  Sends event `topic` with `data` (borrowed) as event number `seq` to every client, and
//  keeps it for replays. A topic with characters topics are not made of is not sent.
void web_sse_broadcast (web_sse_t *self, uint64_t seq, const char *topic, const json_t *data);
//  A comment line to every client, so proxies and browsers keep the stream open.
void web_sse_heartbeat (web_sse_t *self);
//  Ends every stream once its queue is sent (the gateway is stopping).
void web_sse_close_all (web_sse_t *self);
//  Clients connected now.
int web_sse_clients (const web_sse_t *self);
//  Events broadcast so far.
uint64_t web_sse_events (const web_sse_t *self);

#endif
