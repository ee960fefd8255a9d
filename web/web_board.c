/*  web_board.c — see web_board.h. */
#include "web_board.h"

#include "proto_json.h"
#include "web_assets.h"
#include "web_html.h"

//  The latest call, large, in both languages; a welcome while nobody was called yet.
static void
s_latest (FILE *f, const json_t *c, int64_t now)
{
    if (!c) {
        fputs ("<p class=\"latest idle\">欢迎光临，请取号等候叫号 <span class=\"en\">Welcome: "
               "please take a ticket and wait for your number</span></p>\n",
               f);
        return;
    }
    json_int_t recall = proto_int (c, "recall");
    fprintf (f, "<p class=\"latest%s\">", now - proto_int (c, "time") < 15000 ? " fresh" : "");
    fputs ("请 <b class=\"num\">", f);
    web_escape (f, proto_str (c, "number"));
    fprintf (f, "</b> 号到 <b class=\"ctr\">%lld</b> 号窗口办理",
             (long long)proto_int (c, "counter"));
    if (recall)
        fputs (" <span class=\"tag\">重呼</span>", f);
    fputs ("<span class=\"en\">Number ", f);
    web_escape (f, proto_str (c, "number"));
    fprintf (f, ", please go to counter %lld%s</span></p>\n", (long long)proto_int (c, "counter"),
             recall ? " (recall)" : "");
}

static void
s_live (FILE *f, web_t *w)
{
    const json_t *st = proto_mirror_state (w->mirror);
    //  The day's calls from the journal: the mirror's own list starts empty when the
    //  gateway starts; it is the fallback when the journal could not be read.
    const json_t *calls =
        web_history_loaded (w->hist) ? web_history_calls (w->hist) : json_object_get (st, "calls");
    int64_t now = web_now (w);
    char hm[16];
    web_html_hhmm (now, web_utc_offset (w), hm, sizeof hm);
    fputs ("<header><h1>", f);
    web_escape (f, web_hall_name (w));
    fprintf (f,
             "</h1><span>叫号 <span class=\"en\">Calling</span> %s <span class=\"live-dot\" "
             "title=\"实时 live\">●</span></span></header>\n",
             hm);
    web_html_offline (f, w->connected);
    fputs ("<main>\n", f);
    s_latest (f, json_array_get (calls, 0), now);
    fputs ("<section class=\"recent\"><h2>最近叫号 <span class=\"en\">Recent "
           "calls</span></h2>\n<ol>\n",
           f);
    for (size_t i = 1; i < json_array_size (calls) && i <= WEB_BOARD_CALLS; i++) {
        const json_t *c = json_array_get (calls, i);
        fputs ("<li><b class=\"num\">", f);
        web_escape (f, proto_str (c, "number"));
        fprintf (f, "</b><span><span class=\"ctr\">%lld</span> 号窗口%s</span></li>\n",
                 (long long)proto_int (c, "counter"), proto_int (c, "recall") ? " · 重呼" : "");
    }
    fputs ("</ol></section>\n<section class=\"queues\"><h2>等候人数 <span "
           "class=\"en\">Waiting</span></h2>\n<table>\n",
           f);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (st, "services"), i, s) {
        fputs ("<tr><th>", f);
        web_escape (f, proto_str (s, "name"));
        fputs (" <small>", f);
        web_escape (f, proto_str (s, "name_en"));
        fprintf (f, "</small></th><td>%lld</td></tr>\n", (long long)proto_int (s, "waiting"));
    }
    fputs ("</table></section>\n</main>\n", f);
}

static void
s_page (FILE *f, web_t *w)
{
    web_html_live_begin (f, "叫号屏 Display board", "board");
    fputs ("<div id=\"live\" data-part=\"/board?part=live\" data-on=\"ticket. counter. hall. "
           "mirror. clock.\" data-delay=\"150\" data-every=\"20\">\n",
           f);
    s_live (f, w);
    fputs ("</div>\n", f);
    web_page_end (f, 1);
}

enum MHD_Result
web_board_get (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, web_req_part (req) ? s_live : s_page);
}
