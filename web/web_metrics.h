/*  web_metrics.h — /metrics in Prometheus' text format: the gateway's own state (up, the
    event sequence, snapshots, /events clients and events sent), and the hall's figures
    from proto_kpi_hall (people waiting, open counters and estimated wait per service;
    the day's tickets issued, called, served, missed and cancelled, over-waits and
    ratings by level; counters by state and served per counter; open cases by kind),
    plus what Prometheus sums itself: the wait and handling summaries (sums and counts)
    and cabinet slots by state. */
#ifndef WEB_METRICS_H
#define WEB_METRICS_H

#include "web_gateway.h"

//  GET /metrics.
enum MHD_Result web_metrics_get (web_t *web, web_req_t *req);

#endif
