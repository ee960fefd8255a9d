/*  sim_client.h — a pipelined client for the simulator's private broker, over the
    protocol's codec (proto_wire).

    One DEALER socket with up to `window` requests in flight: the broker answers them in
    order, so a window's worth costs one commit (the Erlang check sends hundreds at a time;
    the day simulator, whose next step depends on each reply, one). There is no retry: the
    broker is ours, on ipc://, and a reply that does not come means it died (checked every
    half second) or hangs (a timeout). Request ids are "sim.PID.N". */
#ifndef SIM_CLIENT_H
#define SIM_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_broker.h"

//  What a request was for, handed back with its reply.
typedef struct {
    int kind; //  caller's request kind
    long who; //  caller's subject (a customer, a counter)
} sim_tag_t;

//  Called with each reply of a pipelined request: `status` 0 (ok) or a proto_err_t code;
//  `body` the reply (borrowed; NULL when it was not JSON).
typedef void (sim_reply_fn) (void *arg, sim_tag_t tag, int status, json_t *body);

typedef struct sim_client sim_client_t;

//  A client of broker `b` (borrowed: polled to notice that it died) with `window` requests
//  in flight at most. NULL on failure, with the reason on stderr. Caller owns it.
sim_client_t *sim_client_new (sim_broker_t *b, size_t window);
//  Closes the socket and context; sets *self_p to NULL. Safe on NULL.
void sim_client_destroy (sim_client_t **self_p);
//  The function that takes the replies of sim_client_send.
void sim_client_on_reply (sim_client_t *self, sim_reply_fn *fn, void *arg);
//  Sends `command` with `body` (taken; NULL means {}). When the window is full, first takes
//  the oldest reply through the reply function. 0 / -1 (the broker is gone).
int sim_client_send (sim_client_t *self, const char *command, json_t *body, sim_tag_t tag);
//  Takes every reply in flight through the reply function. 0 / -1.
int sim_client_drain (sim_client_t *self);
//  One request and its reply, after everything in flight: the status (0 ok, an error code,
//  -1 when the broker is gone) with *reply the body (caller owns; NULL to discard).
int sim_client_call (sim_client_t *self, const char *command, json_t *body, json_t **reply);
//  Moves the broker's clock from *now to `to` (nothing when not later), pipelined. 0 / -1.
int sim_client_advance (sim_client_t *self, int64_t *now, int64_t to, sim_tag_t tag);
//  Waits (up to a minute: slow machines, sanitizer builds) until a new broker answers
//  hall.info; returns the reply (caller owns), or NULL with the broker's log on stderr.
json_t *sim_client_ready (sim_client_t *self);
//  Requests sent so far.
long sim_client_requests (const sim_client_t *self);

#endif
