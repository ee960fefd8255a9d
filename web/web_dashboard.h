/*  web_dashboard.h — /dashboard, the manager's live page: queues and the day's figures by
    service with the hall's total, cases and ratings as cards, the counters, the cabinets
    and their recent alarms, and today's charts (web_charts.h).

    Every figure comes from one object, proto_kpi_hall's (web_kpi), so the page, /metrics,
    /api/kpi and the terminal monitor cannot disagree; only the rectification counts come
    from the broker's rating.list. */
#ifndef WEB_DASHBOARD_H
#define WEB_DASHBOARD_H

#include "web_gateway.h"

//  Cabinet alarms listed below the cabinets, newest first.
#define WEB_DASHBOARD_ALARMS 5

//  GET /dashboard, or its live part (?part=live).
enum MHD_Result web_dashboard_get (web_t *web, web_req_t *req);
//  GET /api/charts: the charts alone, the fragment the page re-fetches.
enum MHD_Result web_dashboard_charts (web_t *web, web_req_t *req);

#endif
