/*  web_charts.h — the dashboard's charts of the day, drawn as inline SVG from the history
    (web_history.h): tickets waiting over the day (a step line), tickets issued and called
    in each hour (two bars an hour), the wait at each call (a dot each, averaged per pixel
    column on a busy day, with the over-wait limit dashed) and the calls by 5-minute band
    of wait (bars, red past the limit). The time axis runs to the end of the current hour,
    but every series stops at now, marked by a dashed line: nothing is drawn into the
    future. No script draws them: the page is complete as served. */
#ifndef WEB_CHARTS_H
#define WEB_CHARTS_H

#include <stdint.h>
#include <stdio.h>

#include "web_history.h"

#define WEB_CHART_W 640 //  SVG view box
#define WEB_CHART_H 220

//  The time axis of the day's charts into *t0 and *t1 (Unix ms): from the hour of the first
//  change of the queue (or the first event) to the end of `now`'s hour, at least one hour.
void web_charts_span (const web_history_t *h, int64_t now, int utc_offset_min, int64_t *t0,
                      int64_t *t1);
//  The four charts, each in a <figure> with its caption. `over_min` is the hall's
//  over-wait limit in minutes (0: none).
void web_charts (FILE *f, const web_history_t *h, int64_t now, int utc_offset_min, int over_min);

#endif
