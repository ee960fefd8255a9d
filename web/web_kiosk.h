/*  web_kiosk.h — /kiosk, the touch-screen ticket page: one button per service with the
    people waiting and the estimated wait, and, after a press, the slip on screen (number,
    priority, people ahead, wait, time and the QR code of the citizen's status page).

    Priorities: the citizen chooses 普通 (normal), 老年人优先 (elderly) or 绿色通道 (green)
    above the buttons (/kiosk?priority=elderly); the broker checks no entitlement, so the
    page says who each is for and that the counter checks it. An appointment's priority
    comes from checking its booking in (/kiosk/checkin, appointment.checkin), never from a
    button.

    A service with no open counter: its button says 暂无窗口办理, and a press shows a warning
    (the ticket would wait until a counter opens, with no estimate) with 仍要取号 to take one
    anyway and 返回. The kiosk warns rather than refuses: counters open during the day
    (before opening hours none is), and a citizen told so may still want a place in line.

    关怀模式 (适老化), switched by a link in the header (?care=1, kept by a cookie,
    web_req_care): two columns of large buttons on a kiosk (one on a phone), high contrast,
    no English, the instruction without the hall's name.

    Each button carries its own request id, so pressing it twice, confirming after the
    warning, or reloading the slip issues one ticket (web_req_request_id). */
#ifndef WEB_KIOSK_H
#define WEB_KIOSK_H

#include "web_gateway.h"

//  GET /kiosk, or its live part (?part=live): the buttons.
enum MHD_Result web_kiosk_get (web_t *web, web_req_t *req);
//  POST /kiosk (service, rid, priority, confirm): issues a ticket and shows its slip, or
//  the warning when no counter is open for the service and confirm is not 1.
enum MHD_Result web_kiosk_post (web_t *web, web_req_t *req);
//  GET /kiosk/checkin: the field for a booking's code (typed or scanned).
enum MHD_Result web_kiosk_checkin_get (web_t *web, web_req_t *req);
//  POST /kiosk/checkin (code, rid): checks the booking in and shows the ticket's slip.
enum MHD_Result web_kiosk_checkin_post (web_t *web, web_req_t *req);

#endif
