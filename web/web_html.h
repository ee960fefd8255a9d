/*  web_html.h — the small pieces of HTML the gateway's pages share: times and dates in the
    hall's time, minutes and percentages (a dash when unknown), a state in words, text in
    both languages, a QR code, the offline banner, and the start of a live page (the event
    topics it listens for). Every page writes these the same way. */
#ifndef WEB_HTML_H
#define WEB_HTML_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

//  "HH:MM" of Unix ms in the hall's time (UTC offset in minutes) into out.
void web_html_hhmm (int64_t ms, int utc_offset_min, char *out, size_t size);
//  "YYYY-MM-DD" of a YYYYMMDD date into out.
void web_html_date (json_int_t yyyymmdd, char *out, size_t size);
//  Milliseconds as minutes with one decimal; a dash when `ms` is not an integer (unknown).
void web_html_minutes (FILE *f, const json_t *ms);
//  A ratio (a JSON number, 0..1) as a percentage with one decimal; a dash when it is not a
//  number (a ratio of nothing counted).
void web_html_ratio (FILE *f, const json_t *ratio);
//  The text of a state (HTML, trusted); for a state the page has no words for (the
//  protocol may add states: `text` NULL) "详情请咨询工作人员", never its internal name.
void web_html_state (FILE *f, const char *text);
//  Text the broker writes in both languages, "中文 / English": the Chinese, then the
//  English in a <span class="en"> (a line of its own where the page's style makes it one),
//  never pasted into the Chinese sentence. Text without " / " is written as it is.
void web_html_bilingual (FILE *f, const char *text);
//  `text` as a QR code (libqrencode, level M) in inline SVG, class "qr": one path of dark
//  runs, 4 modules of quiet zone, sharp at any size; nothing if it cannot be encoded.
void web_html_qr (FILE *f, const char *text);
//  The banner every live page shows while the gateway has lost the broker; nothing when
//  `connected`.
void web_html_offline (FILE *f, bool connected);
//  Begins a page the script keeps live (web_page_begin), its body listing every event
//  topic and mirror.snapshot in data-topics.
void web_html_live_begin (FILE *f, const char *title, const char *page);
//  The same, with more attributes of the body (written as they are; NULL for none).
void web_html_live_begin_attrs (FILE *f, const char *title, const char *page, const char *attrs);

#endif
