/*  broker_net.h — the broker's two sockets and who gets through them.

    The request ROUTER and the event PUB, bound to their endpoints, each with a handshake
    deadline (BROKER_NET_HANDSHAKE_MS) and a guard on the connections still in it
    (broker_guard.h). With a key, both are CURVE servers behind the ZAP handler, which
    admits an enrolled, unrevoked key (broker_devices.h) and names the connection by it;
    without one, the insecure mode, which only local endpoints may use.

    ZAP is asked once per connection, at its handshake: a revoked device's requests are
    refused at once (the server looks the role up per request), but a SUB connection it
    opened before would keep receiving events for ever. So a revocation restarts the PUB:
    every subscriber is disconnected and reconnects through ZAP, which refuses the revoked
    key; the others' mirrors fill the events they missed from the journal (events.range),
    as after any reconnection (docs/DESIGN-NOTES.md, "Revoked devices and the event
    socket"). */
#ifndef BROKER_NET_H
#define BROKER_NET_H

#include <stdbool.h>
#include <zmq.h>

#include "broker_devices.h"

//  A connection must finish its handshake (ZMTP greeting, CURVE and the ZAP check) within
//  this many ms, or it is closed (ZMQ_HANDSHAKE_IVL; libzmq's default is 30 s).
#define BROKER_NET_HANDSHAKE_MS 5000
//  Connections one peer address may have waiting for their handshake before the silent
//  ones are closed (broker_guard.h); all peers together may have half the descriptors.
#define BROKER_NET_PER_PEER 32
//  Poll items broker_net_poll_items may add.
#define BROKER_NET_POLL_MAX 3

typedef struct {
    const char *bind;      //  request endpoint (ROUTER)
    const char *pub;       //  event endpoint (PUB)
    const char *advertise; //  event endpoint told to clients; NULL: the bound one
    const char *key_path;  //  the broker's CURVE keypair file; NULL: no CURVE
    bool insecure;         //  no CURVE: local endpoints only
} broker_net_config_t;

typedef struct broker_net broker_net_t;

//  A context with both sockets secured and bound, and the ZAP handler on the enrolled
//  `devices` (borrowed: it must outlive the net). NULL on failure, the reason logged.
broker_net_t *broker_net_new (const broker_net_config_t *config, broker_devices_t *devices);
//  Closes the sockets and terminates the context; sets *self_p to NULL. Safe on NULL.
void broker_net_destroy (broker_net_t **self_p);
//  The ZeroMQ context (for other sockets of the broker's, e.g. the SMS sender's).
void *broker_net_ctx (broker_net_t *self);
//  The request ROUTER (borrowed).
void *broker_net_router (broker_net_t *self);
//  The event PUB (borrowed; a revocation replaces it: do not keep it).
void *broker_net_pub (broker_net_t *self);
//  The event endpoint told to clients: as configured, or the bound one with a wildcard host
//  written as "*" (PROTOCOL.md, "Events").
const char *broker_net_advertise (const broker_net_t *self);
//  True with CURVE and ZAP; false in the insecure mode.
bool broker_net_curve (const broker_net_t *self);
//  The broker's public key (Z85), "" in the insecure mode.
const char *broker_net_public_key (const broker_net_t *self);
//  Adds the poll items of the net's own work (ZAP requests, the guards' monitors) to
//  `items`; returns how many (at most BROKER_NET_POLL_MAX).
int broker_net_poll_items (broker_net_t *self, zmq_pollitem_t *items);
//  Does that work: answers every ZAP request waiting, lets the guards read their monitors.
//  Call it after each poll, whatever it returned.
void broker_net_serve (broker_net_t *self);
//  Disconnects every subscriber by replacing the PUB with a new one on the same endpoint,
//  after a revocation (see above). 0, or -1 if the new one cannot be bound (logged; the
//  broker then publishes nothing until it is restarted).
int broker_net_restart_pub (broker_net_t *self);

#endif
