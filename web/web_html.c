/*  web_html.c — see web_html.h. */
#include "web_html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_qr.h"
#include "proto_table.h"
#include "web_assets.h"

void
web_html_hhmm (int64_t ms, int utc_offset_min, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000) + (time_t)utc_offset_min * 60;
    struct tm tm;
    gmtime_r (&t, &tm);
    snprintf (out, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void
web_html_date (json_int_t yyyymmdd, char *out, size_t size)
{
    json_int_t d = yyyymmdd;
    snprintf (out, size, "%04d-%02d-%02d", (int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
}

void
web_html_minutes (FILE *f, const json_t *ms)
{
    if (json_is_integer (ms))
        fprintf (f, "%.1f", (double)json_integer_value (ms) / 60000.0);
    else
        fputs ("—", f);
}

void
web_html_ratio (FILE *f, const json_t *ratio)
{
    if (json_is_number (ratio))
        fprintf (f, "%.1f%%", 100.0 * json_number_value (ratio));
    else
        fputs ("—", f);
}

void
web_html_state (FILE *f, const char *text)
{
    fputs (text ? text : "详情请咨询工作人员", f);
}

void
web_html_bilingual (FILE *f, const char *text)
{
    const char *sep = text ? strstr (text, " / ") : NULL;
    if (!sep) {
        web_escape (f, text);
        return;
    }
    char *zh = strndup (text, (size_t)(sep - text));
    web_escape (f, zh);
    free (zh);
    fputs ("<span class=\"en\">", f);
    web_escape (f, sep + 3);
    fputs ("</span>", f);
}

void
web_html_offline (FILE *f, bool connected)
{
    if (!connected)
        fputs ("<p class=\"offline\">与大厅服务器的连接中断，正在重连；数据可能不是最新 "
               "<span class=\"en\">Connection to the hall server lost, reconnecting: figures "
               "may be out of date</span></p>\n",
               f);
}

void
web_html_live_begin (FILE *f, const char *title, const char *page)
{
    web_html_live_begin_attrs (f, title, page, NULL);
}

void
web_html_live_begin_attrs (FILE *f, const char *title, const char *page, const char *extra)
{
    char attrs[4096];
    size_t len = (size_t)snprintf (attrs, sizeof attrs, " data-topics=\"");
#define X(id, topic, fields) \
    if (len < sizeof attrs)  \
        len += (size_t)snprintf (attrs + len, sizeof attrs - len, "%s ", topic);
    PROTO_EVENTS (X)
#undef X
    if (len < sizeof attrs)
        len += (size_t)snprintf (attrs + len, sizeof attrs - len, "mirror.snapshot\"");
    if (extra && len < sizeof attrs)
        snprintf (attrs + len, sizeof attrs - len, "%s", extra);
    web_page_begin (f, title, page, NULL, attrs);
}

void
web_html_qr (FILE *f, const char *text)
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
