/*  district_routes.h — the district's HTTP routes: the route table (district_routes) and
    what its handlers read, the running district (district_app_t). Each handler builds one
    JSON object (district_view.h, district_report.h) and renders it: as it is (the API), as
    a page (district_pages.h) or as CSV.

        GET /district                   the wall screen
        GET /district/hall/ID           one hall
        GET /district/report            ?day=YYYY-MM-DD | ?month=YYYY-MM (default today)
        GET /district/report.csv        the same as CSV
        GET /api/district               the halls as JSON (district_view.h)
        GET /api/district/hall/ID       one hall as JSON
        GET /api/district/report        the report as JSON

    A hall's "today" is the business day its link last counted; a report without day or
    month is of the latest such day across the halls. */
#ifndef DISTRICT_ROUTES_H
#define DISTRICT_ROUTES_H

#include "district_board.h"
#include "district_config.h"
#include "district_http.h"
#include "district_proxy.h"
#include "district_store.h"

//  What the handlers read; each member is safe to read from the server's thread.
typedef struct {
    const district_config_t *cfg;
    district_board_t *board;
    district_store_t *store;
    district_proxy_t *proxy; //  NULL: no stream figures
} district_app_t;

//  The route table, for district_http_new (the app is a district_app_t).
extern const district_route_t district_routes[];

//  The period a report query asks for: ?day=YYYY-MM-DD or ?month=YYYY-MM (`day` and
//  `month` as given, NULL when absent); with neither, the business day `today` (YYYYMMDD).
//  0 with *from and *to set (a month is YYYYMM01..YYYYMM31), -1 when the query is not a
//  valid date.
int district_routes_period (const char *day, const char *month, int today, int *from, int *to);

#endif
