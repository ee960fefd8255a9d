/*  district_pages.h — the district's pages, in Chinese first as a manager reads them:
    each renders one JSON object of district_view.h or district_report.h as a whole HTML
    page, and does nothing else (no store, no board), so each can be tested with any
    figures.

      /district               every hall on one wall screen (1920×1080), refreshed every
                              5 s; a hall that is not online is marked stale with the age
                              of its last event
      /district/hall/ID       one hall: services, counters, today's figures, its seven
                              indices as bars, the last 14 days
      /district/report        the ranking of a day or a month, printable, with each hall's
                              seven indices as a chart and a link to the CSV */
#ifndef DISTRICT_PAGES_H
#define DISTRICT_PAGES_H

#include <jansson.h>

//  The wall screen from district_view_halls' object. Caller frees; NULL on out-of-memory.
char *district_page_wall (const json_t *view);
//  One hall from district_view_hall's object. Caller frees; NULL on out-of-memory.
char *district_page_hall (const json_t *hall, const char *district_name);
//  The printable report from district_report_build's object. Caller frees.
char *district_page_report (const json_t *report);

#endif
