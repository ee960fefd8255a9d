/*  web_kiosk.h — /kiosk, the touch-screen ticket page: one button per service with the
    people waiting and the estimated wait, and, after a press, the slip on screen (number,
    people ahead, wait, time and the QR code of the citizen's status page).

    Each button carries its own request id, so pressing it twice or reloading the slip
    issues one ticket (web_req_request_id). */
#ifndef WEB_KIOSK_H
#define WEB_KIOSK_H

#include "web_gateway.h"

//  GET /kiosk, or its live part (?part=live): the buttons.
enum MHD_Result web_kiosk_get (web_t *web, web_req_t *req);
//  POST /kiosk (service, rid): issues a ticket and shows its slip.
enum MHD_Result web_kiosk_post (web_t *web, web_req_t *req);

#endif
