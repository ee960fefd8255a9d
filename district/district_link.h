/*  district_link.h — the district's link to one hall, on a thread of its own so that a
    hall that is slow or down never holds up another (halls stay autonomous).

    The link keeps the hall with the protocol's Clone-pattern mirror (proto_mirror.h: a
    snapshot, then the events, gaps filled from events.range), and does three things with
    what the mirror applies:

      - counts each journal event into the hall's day figures (district_rollup.h), in
        order; whatever the stream did not bring in order (a district restart, a hall or
        link outage, a resync by snapshot) is read from the hall's journal, page by page,
        from the last event counted, so a hall that comes back is caught up and nothing
        is counted twice;
      - re-publishes each event, marked with the hall, on its own PUB socket
        (district_link_endpoint), which the district proxy's XSUB connects to
        (district_proxy.h): frames [HALL "/" topic, seq, body with "hall": HALL]; and a
        "HALL/district.link" event {hall, online, seq, counted, time} when the link goes
        up or down;
      - reports the hall's live figures (proto_kpi_hall), today's figures and the link's
        state on the board (district_board.h) for the views.

    A hall whose hall.info names another hall id than the config's is not counted (the
    board says why). With CURVE, the mirror's requests and events use the district's
    keypair and the hall's server key: the district is a device enrolled at each hall in
    the `monitor` role (it only reads: hall.info, hall.snapshot, events.range). */
#ifndef DISTRICT_LINK_H
#define DISTRICT_LINK_H

#include <stddef.h>

#include "district_board.h"
#include "district_config.h"
#include "district_store.h"
#include "proto_keys.h"

typedef struct district_link district_link_t;

//  A link to hall number `index` of the board, configured by `cfg`; its rollup in `store`
//  (everything borrowed: it must outlive the link). Its PUB is bound in `zctx` (the
//  proxy's context) at once; `keys` is the district's keypair, NULL without CURVE. NULL
//  on failure, with the reason logged. Caller owns it.
district_link_t *district_link_new (const district_hall_cfg_t *cfg, size_t index,
                                    district_store_t *store, district_board_t *board, void *zctx,
                                    const proto_keypair_t *keys);
//  Starts its thread. 0 / -1.
int district_link_start (district_link_t *self);
//  Stops the thread (committing what it counted), closes everything, sets *self_p to NULL.
//  Safe on NULL.
void district_link_destroy (district_link_t **self_p);
//  The inproc endpoint its PUB is bound to, for the proxy's XSUB.
const char *district_link_endpoint (const district_link_t *self);

#endif
