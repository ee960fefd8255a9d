/*  web_board.h — /board, the TV display of the hall: the latest call large (flashing while
    fresh), the recent calls, and the people waiting for each service. The calls are the
    day's, from the journal (web_history.h); the page keeps itself live from /events. */
#ifndef WEB_BOARD_H
#define WEB_BOARD_H

#include "web_gateway.h"

#define WEB_BOARD_CALLS 8 //  recent calls shown below the latest

//  GET /board, or its live part (?part=live).
enum MHD_Result web_board_get (web_t *web, web_req_t *req);

#endif
