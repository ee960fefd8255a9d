/*  proto_mirror.h — a live copy of the hall, kept by the ZeroMQ Guide's Clone pattern.

    Subscribe to the broker's events first, then take hall.snapshot; apply only events
    with a sequence above the snapshot's. On a gap (a lost event), a reconnect of the event
    socket (a broker restart), or a long silence while the broker's sequence moved on, read
    the missing events from the broker's journal (events.range) and apply them in order, so
    the recent calls and alarms stay whole; if the journal cannot give them all, take a new
    snapshot. Every live
    view (board, monitor, web gateway) is built on this; none polls the broker for state.

    The state (proto_mirror_state) is the snapshot's shape, kept current:
        seq, now, day, utc_offset_min, over_wait_minutes,
        services[]   (prefix, name, name_en, waiting, open_counters, mean_service_s, est_wait_s)
        counters[]   (the broker's counter objects)
        tickets      (object: id -> public ticket, live ones only)
        stats        (object: prefix -> today's figures: issued, called, served, sum_wait_ms, ...)
        cases        (open cases by state and by warning raised: open, yellow, red, overdue,
                      and each state or other warning while its count is above zero)
        cabinets[]   (each cabinet's slots as last reported)
        calls[]      (the last 30 calls, newest first: number, counter, counter_name, recall, time)
        alarms[]     (the last 30 cabinet alarms, newest first)
    plus `info`, the broker's hall.info (services, counters, items, names).

    The case counts follow the case.* events, with no snapshot: every case event carries
    the whole case after its change, and hall.snapshot gives each open case's state and
    warnings (`open_cases`, kept inside the mirror, not in the state). An event takes the
    case's old entry out of the counts and puts its new one in (none once the case is
    final), so replaying events in order, or one of them twice, gives the broker's counts
    (PROTOCOL.md 4.3). */
#ifndef PROTO_MIRROR_H
#define PROTO_MIRROR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct proto_mirror proto_mirror_t;

//  Called after each event is applied (topic, the event body), and after each snapshot
//  with topic "mirror.snapshot" and event NULL.
typedef void (proto_mirror_fn) (proto_mirror_t *mirror, const char *topic, const json_t *event,
                                void *arg);

//  A mirror of the broker at `broker` (request endpoint). `pub` overrides the event
//  endpoint the broker advertises (NULL: ask it). Caller owns it. NULL on failure.
proto_mirror_t *proto_mirror_new (const char *broker, const char *pub);
void proto_mirror_destroy (proto_mirror_t **self_p);
//  Sets the callback.
void proto_mirror_on_event (proto_mirror_t *self, proto_mirror_fn *fn, void *arg);
//  Connects: hall.info, subscribe, snapshot. 0, or -1 if the broker cannot be reached
//  (proto_mirror_poll keeps trying).
int proto_mirror_start (proto_mirror_t *self);
//  Waits up to timeout_ms for events and applies them (resyncing when needed). Returns the
//  number of events applied, or -1 while the broker is unreachable.
int proto_mirror_poll (proto_mirror_t *self, int timeout_ms);
//  The event socket, to poll it beside other things (ZMQ_POLLIN means call proto_mirror_poll
//  with timeout 0). NULL before a successful start.
void *proto_mirror_socket (proto_mirror_t *self);
//  The live state (borrowed; valid until the next poll).
const json_t *proto_mirror_state (const proto_mirror_t *self);
//  The broker's hall.info (borrowed).
const json_t *proto_mirror_info (const proto_mirror_t *self);
//  Sequence of the last event applied.
uint64_t proto_mirror_seq (const proto_mirror_t *self);
//  Snapshots taken so far (1 after start; more when a gap cannot be filled).
int proto_mirror_snapshots (const proto_mirror_t *self);
//  Gaps filled from the broker's journal (events.range) instead of a new snapshot.
int proto_mirror_fills (const proto_mirror_t *self);
//  False before a successful start and from a liveness check the broker did not answer
//  until one it answers: a poll between checks returns 0 while the broker is away, so a
//  view that shows whether the hall is up (the district) asks this instead.
bool proto_mirror_online (const proto_mirror_t *self);
//  The client the mirror uses for its requests (borrowed), for views that also send
//  commands (the web kiosk, ratings). Its CURVE keys (proto_client_set_curve, set before
//  proto_mirror_start) are the event socket's too: a program that mirrors several brokers
//  gives each mirror its broker's key.
struct proto_client *proto_mirror_client (proto_mirror_t *self);
//  The event endpoint in use.
const char *proto_mirror_pub (const proto_mirror_t *self);

#endif
