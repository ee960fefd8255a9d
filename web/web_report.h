/*  web_report.h — the hall report as a page: /report?day=YYYY-MM-DD (or ?month=YYYY-MM;
    today's so far without either) as one printable A4 landscape page, and the same
    figures as CSV (/report.csv, or /report?...&format=csv) and JSON (&format=json): the
    figures of `onewindow report`, computed by the same code from the broker's journal
    (proto_report.h; docs/REPORT.md defines them).

    The gateway has one thread, and a busy day's journal is tens of thousands of events:
    read at once, it would hold every other page up for a second or more. So a report is
    read in steps: a request for a period starts (or finds) its job and waits, its
    connection suspended, while the main loop reads one page of the journal
    (PROTO_JOURNAL_PAGE events) per turn between serving other requests; when the period
    is read its waiters are answered. A finished period is kept (WEB_REPORT_JOBS of them,
    the least recently asked dropped first) and served at once afterwards; a period still
    running (today) is served from its last reading for WEB_REPORT_FRESH_MS, then read on
    from where it stopped, not from the start.

    Measured on the development VM (2 vCPUs, shared): a busy day of 3,000 tickets issued
    and served (21,984 events, 22 pages) is read in 0.38 s, about 17 ms a page; requests
    for other pages meanwhile waited at most 36 ms (median 0.5 ms), where reading it at
    once would hold them up for the whole 0.38 s. The same report again: 0.5 ms. */
#ifndef WEB_REPORT_H
#define WEB_REPORT_H

#include <stdbool.h>

#include "web_http.h"

#define WEB_REPORT_JOBS     12    //  periods kept
#define WEB_REPORT_FRESH_MS 30000 //  a running period's reading serves this long
#define WEB_REPORT_WAITERS  64    //  requests waiting for one period at most (more: 503)

typedef struct web_report web_report_t;

//  No reports yet. NULL on out-of-memory. Caller owns it.
web_report_t *web_report_new (void);
//  Ends every reading: the requests waiting for one are answered 503 when the server runs
//  next. For when the broker is lost, and before the server stops (it cannot stop with
//  requests suspended).
void web_report_stop (web_report_t *self);
//  Frees the reports (after web_report_stop and the server's last run); sets *self_p to
//  NULL. Safe on NULL.
void web_report_destroy (web_report_t **self_p);
//  A step of the main loop: the start of a period's reading or one page of its journal,
//  through the gateway's client of the broker; nothing when no period is being read.
void web_report_step (web_report_t *self, web_t *web);
//  True while a period is being read: the main loop should not sleep.
bool web_report_busy (const web_report_t *self);
//  GET /report: the page, or with format=csv or format=json the figures as CSV or JSON.
enum MHD_Result web_report_get (web_t *web, web_req_t *req);
//  GET /report.csv: the same as /report?format=csv.
enum MHD_Result web_report_csv (web_t *web, web_req_t *req);

#endif
