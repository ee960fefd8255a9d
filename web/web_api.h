/*  web_api.h — the gateway's JSON and its event stream, for scripts and other screens:

        /api/snapshot   the mirrored hall (proto_mirror.h) with the hall's description and
                        the gateway's own state (connected, seq, snapshots, sse_clients,
                        events). Never a token: the mirror holds none.
        /api/kpi        the hall's figures (proto_kpi.h), as the dashboard and the terminal
                        monitor (`onewindow monitor --json`) show them
        /api/history    today's series for the charts: tickets waiting, waits at call,
                        tickets issued, the wait histogram; `start` and `end` are the
                        charts' time axis, `now` the broker's time (the series stop there)
        /api/ratings    the rectification list (rating.list); ?state=open filters it
        /events         Server-Sent Events (web_sse.h) */
#ifndef WEB_API_H
#define WEB_API_H

#include "web_gateway.h"

enum MHD_Result web_api_snapshot (web_t *web, web_req_t *req);
enum MHD_Result web_api_kpi (web_t *web, web_req_t *req);
enum MHD_Result web_api_history (web_t *web, web_req_t *req);
enum MHD_Result web_api_ratings (web_t *web, web_req_t *req);
enum MHD_Result web_api_events (web_t *web, web_req_t *req);

#endif
