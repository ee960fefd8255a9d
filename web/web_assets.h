/*  web_assets.h — what the web gateway's pages are made of: the style sheet, the page
    script and its event-stream worker, embedded as C strings so the pages work offline
    with no file installed and nothing fetched from elsewhere (no CDN), plus the page frame
    and the HTML escaper every page uses.

    The pages are rendered by the server (web_board.c, web_dashboard.c, web_kiosk.c,
    web_status.c); the script only keeps them live: every element with `data-part="URL"` is
    re-fetched from URL (an HTML fragment) when an event whose topic starts with one of the
    prefixes in its `data-on` arrives on /events, and every `data-every` seconds.
    `data-ticket` / `data-service` narrow that to events of one ticket or one service (the
    citizen's status page). The body's `data-topics` lists the topics to listen for
    (web_html_topics); `data-live` is set to "on" while the stream is connected. */
#ifndef WEB_ASSETS_H
#define WEB_ASSETS_H

#include <stdio.h>

//  /assets/app.css: every page's style (board, dashboard, kiosk, citizen pages).
extern const char web_css[];
//  /assets/app.js: keeps the live parts of a page current (see above).
extern const char web_app_js[];
//  /assets/board.js: the board's voice, speaking each new call (web_board.h).
extern const char web_board_js[];
//  /assets/live-worker.js: holds the EventSource and posts each event to the page.
extern const char web_worker_js[];

//  Writes `text` with & < > " ' escaped, for element content and quoted attributes.
//  NULL writes nothing.
void web_escape (FILE *out, const char *text);
//  Writes the page up to and including <body ...>. `title` is escaped; `page` names the
//  page's style (board, dashboard, kiosk, citizen, index); `head_extra` (inside <head>) and
//  `body_attrs` (inside the body tag) are written as they are: the caller escapes what it
//  puts there; NULL for none.
void web_page_begin (FILE *out, const char *title, const char *page, const char *head_extra,
                     const char *body_attrs);
//  Closes the page; with `script` it first loads /assets/app.js.
void web_page_end (FILE *out, int script);

#endif
