/*  web_gateway.h — the gateway's state, shared by its pages: the live hall and what the
    gateway keeps beside it.

    A client of the broker like any terminal. It keeps a live copy of the hall with the
    mirror (proto_mirror.h, the Clone pattern); the state comes from the mirror's event
    stream, never from polling the broker. Each event goes to the day's history
    (web_history.h) and out to the /events clients (web_sse.h) reduced to what a board or
    a dashboard uses: a case without its applicant, checks or proxies, a rating without
    its comment. After each snapshot the history catches up and the pages are told to
    reload. The broker is asked only for what no event carries (a ticket's status by its
    token, the day's journal, a report's period, the rectification list after a rating) and to act
   (issue, rate). */
#ifndef WEB_GATEWAY_H
#define WEB_GATEWAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto_mirror.h"
#include "web_auth.h"
#include "web_call.h"
#include "web_history.h"
#include "web_http.h"
#include "web_report.h"
#include "web_sse.h"
#include "web_voice.h"

struct web {
    proto_mirror_t *mirror; //  the live hall, and the client for requests
    web_http_t *http;       //  the staff door (set by the caller once listening)
    web_http_t *pub;        //  the public door, or NULL (set by the caller)
    web_call_t *calls;      //  the workers: requests to the broker, password checks
    web_auth_t *auth;       //  the staff's accounts and sessions (set by the caller)
    web_sse_t *sse;         //  /events clients
    web_history_t *hist;    //  today's history for the charts and the board
    json_t *ratings;        //  rating.list reply, until a rating event changes it
    unsigned ratings_gen;   //  rating events and snapshots so far: an older answer is stale
    bool ratings_asked;     //  a worker is asking rating.list
    web_voice_t *voice;     //  the board's spoken calls as WAV (web_voice.h)
    web_report_t *report;   //  the hall report's periods, read a page at a time
    bool connected;         //  the mirror is in step with the broker
};

//  A gateway for the broker at `broker` (`pub`: its event endpoint when not the one it
//  advertises, else NULL), with its workers, not yet started (proto_mirror_start) and
//  without a server or accounts.
//  NULL on failure. Caller owns it.
web_t *web_new (const char *broker, const char *pub);
//  Ends every /events stream (letting what is queued go out) and every request waiting
//  for the workers, stops both doors and the workers and frees everything (the accounts
//  too); sets *self_p to NULL. Safe on NULL.
void web_destroy (web_t **self_p);
//  The broker's "now" (Unix ms): the real time, or on a simulated clock the time of the
//  last event (the simulated clock moves only by events).
int64_t web_now (web_t *self);
//  The hall's offset from UTC in minutes.
int web_utc_offset (web_t *self);
//  The hall's name, or a generic one before hall.info arrived.
const char *web_hall_name (web_t *self);
//  The rectification list (rating.list), asked for again only after a rating event; NULL
//  while the broker is away, and while a worker asks for it (the page shows it when it
//  is next drawn: it never waits for the broker). Borrowed.
const json_t *web_ratings (web_t *self);
//  The hall's figures now (proto_kpi_hall): what the dashboard, /metrics and /api/kpi
//  show, the same figures as the terminal monitor's. Caller owns it.
json_t *web_kpi (web_t *self);

#endif
