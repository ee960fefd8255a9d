/*  web_board.h — /board, the TV display of the hall: the latest call large (flashing while
    fresh), the recent calls, and the people waiting for each service. The calls are the
    day's, from the journal (web_history.h); the page keeps itself live from /events.

    The recent calls are WEB_BOARD_CALLS numbers, each once (its latest call), never the
    number called now, in two columns so all of them fit a 16:9 screen (1920x1080,
    1280x720) with the latest call and the queues.

    The board speaks each call (叫号播报, /assets/board.js): "请 A023 号到 5 号窗口办理", with
    重呼 for a recall, by the browser's speech synthesis when it has a Chinese (zh) voice,
    else by playing the gateway's WAV of it (/voice/A023-5, web_voice.h) when espeak-ng is
    installed on the gateway's host. `?voice=tts`, `?voice=wav` or `?voice=off` on the
    board's URL choose instead. Browsers play no sound before someone has used the page:
    the board shows a 点击开启语音 button that staff click once after the screen is switched
    on (it stays on until the page is reloaded); a browser started with
    --autoplay-policy=no-user-gesture-required (a kiosk-mode TV) needs the click too, for
    speech synthesis, but then plays the WAV at once. */
#ifndef WEB_BOARD_H
#define WEB_BOARD_H

#include "web_gateway.h"

#define WEB_BOARD_CALLS 8 //  recent calls shown below the latest

//  GET /board, or its live part (?part=live).
enum MHD_Result web_board_get (web_t *web, web_req_t *req);
//  GET /voice/NUMBER-COUNTER (a recall: NUMBER-COUNTER-r): the WAV of one of the day's
//  calls; 404 for a call not made today, 503 without espeak-ng.
enum MHD_Result web_board_voice (web_t *web, web_req_t *req);

#endif
