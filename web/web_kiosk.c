/*  web_kiosk.c — see web_kiosk.h. */
#include "web_kiosk.h"

#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_qr.h"
#include "proto_text.h"
#include "web_assets.h"
#include "web_html.h"

//  The service summary for `prefix` from the mirror, or NULL.
static const json_t *
s_service (web_t *w, const char *prefix)
{
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (proto_mirror_state (w->mirror), "services"), i, s) {
        if (proto_is (s, "prefix", prefix))
            return s;
    }
    return NULL;
}

//  One service's button: a form of its own with a new request id.
static void
s_button (FILE *f, web_t *w, const json_t *s)
{
    char rid[33];
    proto_request_id_new (rid);
    const json_t *live = s_service (w, proto_str (s, "prefix"));
    fputs ("<form method=\"post\" action=\"/kiosk\"><input type=\"hidden\" name=\"service\" "
           "value=\"",
           f);
    web_escape (f, proto_str (s, "prefix"));
    fprintf (f,
             "\"><input type=\"hidden\" name=\"rid\" value=\"%s\">"
             "<button type=\"submit\" class=\"svc\">",
             rid);
    web_escape (f, proto_str (s, "name"));
    fputs ("<span>", f);
    web_escape (f, proto_str (s, "name_en"));
    fputs ("</span>", f);
    if (live) {
        char wait[96];
        proto_format_wait (json_object_get (live, "est_wait_s"), wait, sizeof wait);
        fprintf (f, "<small>等候 %lld 人 · ", (long long)proto_int (live, "waiting"));
        web_escape (f, wait);
        fputs ("</small>", f);
    }
    fputs ("</button></form>\n", f);
}

static void
s_buttons (FILE *f, web_t *w)
{
    const json_t *services = json_object_get (proto_mirror_info (w->mirror), "services");
    web_html_offline (f, w->connected);
    if (!json_array_size (services)) {
        fputs ("<p class=\"slip\">系统连接中，请稍候 <span class=\"en\">Connecting to the hall "
               "server, please wait</span></p>\n",
               f);
        return;
    }
    fputs ("<div class=\"services\">\n", f);
    size_t i;
    json_t *s;
    json_array_foreach (services, i, s)
        s_button (f, w, s);
    fputs ("</div>\n", f);
}

static void
s_page (FILE *f, web_t *w)
{
    web_html_live_begin (f, "取号 Take a ticket", "kiosk");
    fputs ("<header><h1>", f);
    web_escape (f, web_hall_name (w));
    fputs (" · 请选择业务取号 <span class=\"en\">Choose a service to take a ticket</span>"
           "</h1></header>\n<main id=\"live\" data-part=\"/kiosk?part=live\" "
           "data-on=\"mirror.\" data-every=\"30\">\n",
           f);
    s_buttons (f, w);
    fputs ("</main>\n", f);
    web_page_end (f, 1);
}

enum MHD_Result
web_kiosk_get (web_t *web, web_req_t *req)
{
    return web_send_page (req, web, web_req_part (req) ? s_buttons : s_page);
}

//  A QR code as SVG, drawn from the modules: one path of dark runs, 4 modules of quiet zone.
static void
s_qr_svg (FILE *f, const char *text)
{
    proto_qr_t qr;
    if (proto_qr_encode (text, &qr) != 0)
        return;
    int quiet = 4, size = qr.width + 2 * quiet;
    fprintf (f,
             "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\">"
             "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             size, size, size, size);
    for (int y = 0; y < qr.width; y++)
        for (int x = 0; x < qr.width;) {
            if (!qr.dark[y * qr.width + x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < qr.width && qr.dark[y * qr.width + x + run])
                run++;
            fprintf (f, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
            x += run;
        }
    fputs ("\"/></svg>\n", f);
    proto_qr_free (&qr);
}

//  The slip, on screen: number, people ahead, wait, time, QR code.
static void
s_slip (FILE *f, const json_t *r)
{
    web_page_begin (f, "您的号码 Your ticket", "kiosk",
                    "<meta http-equiv=\"refresh\" content=\"60;url=/kiosk\">\n", NULL);
    char wait[96], when[32];
    proto_format_wait (json_object_get (r, "est_wait_s"), wait, sizeof wait);
    proto_format_time (proto_int (r, "issued"), (int)proto_int (r, "utc_offset_min"), when,
                       sizeof when);
    json_int_t ahead = proto_int (r, "ahead");
    fputs ("<main><div class=\"slip\" id=\"slip\"><p>", f);
    web_escape (f, proto_str (r, "hall"));
    fputs ("</p><p>", f);
    web_escape (f, proto_str (r, "service_name"));
    fputs (" <span class=\"en\">", f);
    web_escape (f, proto_str (r, "service_name_en"));
    fputs ("</span></p><p class=\"num\">", f);
    web_escape (f, proto_str (r, "number"));
    fprintf (f,
             "</p><p>你前面还有 <b>%lld</b> 人在等待 <span class=\"en\">%lld ahead of "
             "you</span></p><p>预计等待 <span class=\"en\">Estimated wait</span>: ",
             (long long)ahead, (long long)ahead);
    web_escape (f, wait);
    fputs ("</p>\n", f);
    s_qr_svg (f, proto_str (r, "qr"));
    fputs ("<p>扫码查看排队进度 <span class=\"en\">Scan to follow your place in line</span></p><p>",
           f);
    web_escape (f, when);
    fputs ("</p><p>", f);
    web_escape (f, proto_str (r, "notice"));
    fputs ("</p><p><a class=\"btn\" href=\"/kiosk\">完成 <span class=\"en\">Done</span></a></p>"
           "</div></main>\n",
           f);
    web_page_end (f, 0);
}

enum MHD_Result
web_kiosk_post (web_t *web, web_req_t *req)
{
    const char *service = web_req_form (req, "service");
    if (!*service || strspn (service, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen (service))
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请选择业务", "Choose a service.");
    proto_client_t *client = proto_mirror_client (web->mirror);
    json_t *body = json_pack ("{s:s}", "service", service);
    char rid[48];
    web_req_request_id (req, rid, sizeof rid);
    json_t *r = NULL;
    int rc = proto_client_call_id (client, "ticket.issue", body, rid, &r);
    json_decref (body);
    if (rc != PROTO_ERR_OK) {
        json_decref (r);
        if (rc == PROTO_ERR_UNKNOWN_SERVICE)
            return web_send_error (req, MHD_HTTP_BAD_REQUEST, "没有这项业务",
                                   "No such service in this hall.");
        if (rc == PROTO_CLIENT_UNREACHABLE)
            return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法取号，请稍后再试",
                                   "Tickets cannot be issued right now; please try again.");
        return web_send_broker_error (req, rc, proto_client_message (client));
    }
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f) {
        json_decref (r);
        return MHD_NO;
    }
    s_slip (f, r);
    json_decref (r);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}
