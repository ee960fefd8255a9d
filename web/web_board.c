/*  web_board.c — see web_board.h. */
#include "web_board.h"

#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "web_assets.h"
#include "web_html.h"
#include "web_voice.h"

//  The day's calls, newest first: from the journal; the mirror's own list (which starts
//  empty when the gateway starts) when the journal could not be read.
static const json_t *
s_calls (web_t *w)
{
    return web_history_loaded (w->hist) ? web_history_calls (w->hist)
                                        : json_object_get (proto_mirror_state (w->mirror), "calls");
}

//  The attributes the page's voice script reads from a call: a key of its own, the
//  sentence shown, the sentence spoken, and where its WAV is.
static void
s_voice_attrs (FILE *f, const json_t *c)
{
    const char *number = proto_str (c, "number");
    long long counter = (long long)proto_int (c, "counter");
    bool recall = proto_int (c, "recall") > 0;
    char speak[160];
    if (web_voice_text (number, counter, recall, speak, sizeof speak) < 0)
        return;
    fprintf (f, " data-key=\"%lld-", (long long)proto_int (c, "time"));
    web_escape (f, number);
    fprintf (f, "-%lld-%lld\" data-say=\"%s请 ", counter, (long long)proto_int (c, "recall"),
             recall ? "重呼：" : "");
    web_escape (f, number);
    fprintf (f, " 号到 %lld 号窗口办理\" data-speak=\"", counter);
    web_escape (f, speak);
    fputs ("\" data-wav=\"/voice/", f);
    web_escape (f, number);
    fprintf (f, "-%lld%s\"", counter, recall ? "-r" : "");
}

//  The latest call, large, in both languages; a welcome while nobody was called yet.
static void
s_latest (FILE *f, const json_t *c, int64_t now)
{
    if (!c) {
        fputs ("<p class=\"latest idle\">欢迎光临，请取号等候叫号<span class=\"en\">Welcome: "
               "please take a ticket and wait for your number</span></p>\n",
               f);
        return;
    }
    json_int_t recall = proto_int (c, "recall");
    fprintf (f, "<p class=\"latest%s\" id=\"latest\"",
             now - proto_int (c, "time") < 15000 ? " fresh" : "");
    s_voice_attrs (f, c);
    fputs (">", f);
    if (recall)
        fputs ("<span class=\"tag\">重呼</span> ", f);
    fputs ("请 <b class=\"num\">", f);
    web_escape (f, proto_str (c, "number"));
    fprintf (f, "</b> 号到 <b class=\"ctr\">%lld</b> 号窗口办理",
             (long long)proto_int (c, "counter"));
    fputs ("<span class=\"en\">Number ", f);
    web_escape (f, proto_str (c, "number"));
    fprintf (f, ", please go to counter %lld%s</span></p>\n", (long long)proto_int (c, "counter"),
             recall ? " (recall)" : "");
}

//  The recent calls below the latest: up to WEB_BOARD_CALLS numbers, each once (its latest
//  call), never the number called now.
static void
s_recent (FILE *f, const json_t *calls)
{
    const char *current = proto_str (json_array_get (calls, 0), "number");
    json_t *shown = json_object ();
    fputs ("<section class=\"recent\"><h2>最近叫号 <span class=\"en\">Recent calls</span></h2>\n"
           "<ol id=\"recent\">\n",
           f);
    size_t n = 0;
    for (size_t i = 1; i < json_array_size (calls) && n < WEB_BOARD_CALLS; i++) {
        const json_t *c = json_array_get (calls, i);
        const char *number = proto_str (c, "number");
        if (strcmp (number, current) == 0 || json_object_get (shown, number))
            continue;
        json_object_set_new (shown, number, json_true ());
        n++;
        fputs ("<li", f);
        s_voice_attrs (f, c);
        fputs ("><b class=\"num\">", f);
        web_escape (f, number);
        fprintf (f, "</b><span><span class=\"ctr\">%lld</span> 号窗口%s</span></li>\n",
                 (long long)proto_int (c, "counter"), proto_int (c, "recall") ? " · 重呼" : "");
    }
    fputs ("</ol></section>\n", f);
    json_decref (shown);
}

static void
s_live (FILE *f, web_t *w)
{
    const json_t *st = proto_mirror_state (w->mirror);
    const json_t *calls = s_calls (w);
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
    s_recent (f, calls);
    fputs ("<section class=\"queues\"><h2>等候人数 <span class=\"en\">Waiting</span></h2>\n"
           "<table>\n",
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
    char attrs[2100];
    snprintf (attrs, sizeof attrs, " data-wav=\"%s\"",
              web_voice_available (w->voice) ? "on" : "off");
    web_html_live_begin_attrs (f, "叫号屏 Display board", "board", attrs);
    fputs ("<div id=\"live\" data-part=\"/board?part=live\" data-on=\"ticket. counter. hall. "
           "mirror. clock.\" data-delay=\"150\" data-every=\"20\">\n",
           f);
    s_live (f, w);
    fputs ("</div>\n<button type=\"button\" id=\"voice\" class=\"voice\">点击开启语音"
           "<span class=\"en\">Click to turn on spoken calls</span></button>\n"
           "<script src=\"/assets/board.js\"></script>\n",
           f);
    web_page_end (f, 1);
}

enum MHD_Result
web_board_get (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, web_req_part (req) ? s_live : s_page);
}

//  The call that `arg` ("A023-5", "A023-5-r") names among the day's calls, or NULL.
static const json_t *
s_find_call (web_t *w, const char *arg)
{
    size_t i;
    json_t *c;
    json_array_foreach (s_calls (w), i, c) {
        char key[64];
        snprintf (key, sizeof key, "%s-%lld%s", proto_str (c, "number"),
                  (long long)proto_int (c, "counter"), proto_int (c, "recall") ? "-r" : "");
        if (strcmp (key, arg) == 0)
            return c;
    }
    return NULL;
}

enum MHD_Result
web_board_voice (web_t *web, web_req_t *req)
{
    //  Only the day's calls are said: nobody makes the gateway say what they like.
    const json_t *c = s_find_call (web, web_req_arg (req));
    char text[160];
    if (!c || web_voice_text (proto_str (c, "number"), (long long)proto_int (c, "counter"),
                              proto_int (c, "recall") > 0, text, sizeof text) < 0)
        return web_send_error (req, MHD_HTTP_NOT_FOUND, "没有这次叫号", "No such call today.");
    const char *wav;
    size_t len;
    if (web_voice_wav (web->voice, text, &wav, &len) != 0)
        return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "语音暂不可用",
                               "No voice: espeak-ng is not installed or failed.");
    char *copy = malloc (len);
    if (!copy)
        return MHD_NO;
    memcpy (copy, wav, len);
    return web_send (req, MHD_HTTP_OK, "audio/wav", copy, len, true);
}
