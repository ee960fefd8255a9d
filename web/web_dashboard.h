/*  web_dashboard.h — /dashboard, the manager's live page: queues and the day's figures by
    service with the hall's total, over-waits, cases and ratings as cards, the counters
    with their clerks, the cabinets with the alarms on now and the day's recent ones, and
    today's charts (web_charts.h).

    Every figure comes from one object, proto_kpi_hall's (web_kpi), so the page, /metrics,
    /api/kpi and the terminal monitor cannot disagree; only the rectification counts come
    from the broker's rating.list, and the over-wait trend and the alarm history from the
    day's journal (web_history.h).

    What needs attention is shown as colour and as a mark that reads in monochrome (!! red,
    ! yellow) with words: a service's alerts from proto_kpi.h (无窗口办理, 有人已超时,
    接近超时, 预计超时) and 超时增加 when the last hour had more over-waits than the hour
    before; a counter idle while people wait for it; a cabinet alarm, in Chinese, listed as
    on while the cabinet's slot still reports it and marked 已恢复 once it does not.

    Layout: one screen on a 1920x1080 wall display (two columns of live figures above four
    charts), one screen at 1366x768 (fewer columns), and one column on a phone, where the
    tables keep the columns that matter. */
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
