/*  broker_guard.h — a cap on connections that have not said who they are.

    Every TCP connection the broker accepts holds a descriptor until its handshake ends:
    a device's lasts milliseconds, a silent one lasts until ZMQ_HANDSHAKE_IVL closes it.
    libzmq bounds that time but not how many may wait at once, from one peer or from all:
    a client that opens connections faster than they time out keeps every descriptor, and
    every device out (each Lazy Pirate retry being a new connection at the end of the
    line).

    The guard watches a bound socket through its monitor (ZMQ_EVENT_ACCEPTED with the new
    connection's descriptor, ZMQ_EVENT_DISCONNECTED) and remembers, per peer address, the
    connections accepted within the handshake window. When a peer holds more than
    `per_peer` of them, or all peers together more than `total`, it closes the ones that
    have not sent a single byte for BROKER_GUARD_SILENT_MS (a device sends its greeting
    the moment it connects, so it is never among them): shutdown (2) on the descriptor,
    after checking that it still is that connection (the peer's address and port), and
    libzmq then closes it as it would any connection its peer dropped. Connections
    over ipc:// are not watched: whoever can reach them is on the broker's machine. */
#ifndef BROKER_GUARD_H
#define BROKER_GUARD_H

#include <stdint.h>

//  A connection that has sent nothing for this long after it was accepted may be closed.
#define BROKER_GUARD_SILENT_MS 100

typedef struct broker_guard broker_guard_t;

//  Watches `socket` (bound, of context `zctx`; `name` for the log and the monitor's inproc
//  endpoint) with these caps; connections older than `window_ms` (the handshake interval)
//  are no longer counted. NULL if the monitor cannot be set up (logged). Caller owns it.
broker_guard_t *broker_guard_new (void *zctx, void *socket, const char *name, int per_peer,
                                  int total, int window_ms);
//  Stops the monitor, closes its socket; sets *self_p to NULL. Safe on NULL.
void broker_guard_destroy (broker_guard_t **self_p);
//  The monitor's socket (borrowed), to poll for ZMQ_POLLIN.
void *broker_guard_socket (broker_guard_t *self);
//  Reads every report waiting on the monitor, and closes what the caps say must go. Call
//  it at least every second, reports or not: a connection becomes silent with time.
void broker_guard_read (broker_guard_t *self);
//  Connections closed by the guard so far.
uint64_t broker_guard_closed (const broker_guard_t *self);

#endif
