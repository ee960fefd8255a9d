/*  web_status.h — the citizen's pages behind the slip's QR code: /t/TOKEN (the ticket's
    state, people ahead, wait, where to go, and its cases with their deadline and next
    step; a result waiting in a cabinet with the QR code to scan there and its pickup
    code), /api/status/TOKEN (the same as JSON) and /rate/TOKEN (the rating pad, 好差评).

    The broker is asked by token (ticket.status), and only the fields listed in
    web_status.c reach the page: the ticket, the case's number, item, state, deadline and
    next step, and of a result in a cabinet where it is, its second factor and its pickup
    code (which ticket.status gives the token's holder alone); never the applicant (whose
    ID and phone the broker masks anyway) nor anyone else's ticket. What a citizen reads is
    built from Chinese words (a cabinet's Chinese name), states in words, never their
    internal names. Once the visit is over its cases come first. 关怀模式 (web_req_care):
    larger type, no English, fewer words. A token is accepted in any case, as a scanner may
    type it; an unknown or malformed one is a 404 that says nothing more. */
#ifndef WEB_STATUS_H
#define WEB_STATUS_H

#include "web_gateway.h"

//  GET /t/TOKEN, or its live part (?part=live); ?care=1 or 0 switches 关怀模式.
enum MHD_Result web_status_get (web_t *web, web_req_t *req);
//  GET /api/status/TOKEN.
enum MHD_Result web_status_api (web_t *web, web_req_t *req);
//  GET /rate/TOKEN: once the visit is finished, step 1, the five levels; each is a GET of
//  /rate/TOKEN?level=N, step 2: for 1-2 what went wrong (one of a few reasons), for all a
//  comment, and the button that posts it. Plain forms: no script needed.
enum MHD_Result web_rate_get (web_t *web, web_req_t *req);
//  POST /rate/TOKEN (level, reason, comment, rid): records the rating, the reason put
//  before the comment ("【等候时间长】..."); a bad one needs a reason or a comment, and gets
//  a follow-up (rectification) with its deadline.
enum MHD_Result web_rate_post (web_t *web, web_req_t *req);

#endif
