/*  district_proxy.h — the district's event stream for its viewers: ZeroMQ's own proxy
    (zmq_proxy_steerable) on a thread of its own, an XSUB connected to every hall link's
    PUB (district_link.h) and an XPUB bound where viewers subscribe (district.events).

    Any number of dashboards subscribe once, to the district, and get every hall's events
    marked with the hall ([HALL "/" topic, seq, body with "hall"]); a viewer that wants one
    hall subscribes to "HALL/". Subscriptions travel up through the XSUB, so a link's PUB
    sends nothing while no viewer wants it. The proxy is steered through an inproc PAIR:
    STATISTICS for the views, TERMINATE to stop.

    The halls' own PUB sockets are not the XSUB's inputs directly: a hall's events carry
    no hall id, so a viewer could not tell two halls' ticket.called apart, and a raw
    stream has the gaps and the order of the wire, which each hall's mirror repairs
    (events.range) before its link passes an event on. */
#ifndef DISTRICT_PROXY_H
#define DISTRICT_PROXY_H

#include <stddef.h>
#include <stdint.h>

typedef struct district_proxy district_proxy_t;

//  Binds the XPUB at `bind`, connects the XSUB to each of the `n` endpoints `inputs`, all
//  in `zctx`, and starts the proxy's thread. NULL with the reason logged. Caller owns it.
district_proxy_t *district_proxy_new (void *zctx, const char *bind, const char *const *inputs,
                                      size_t n);
//  Stops the proxy (TERMINATE), joins its thread, closes its sockets, sets *self_p to
//  NULL. Safe on NULL.
void district_proxy_destroy (district_proxy_t **self_p);
//  What the proxy has passed on since it started, from its STATISTICS: frames and bytes
//  from the halls, frames and bytes to the viewers. 0, or -1 when it did not answer
//  within a second. Safe from any thread.
int district_proxy_stats (district_proxy_t *self, uint64_t *frames_in, uint64_t *bytes_in,
                          uint64_t *frames_out, uint64_t *bytes_out);

#endif
