/*  term_slip.h — the ticket slip a kiosk hands out, in three forms that say the same
    things: the hall, the service, the number, "您前面还有 N 人", "预计等候约 N 分钟", the
    time, the QR code and the hall's missed-number notice (过号), each in Chinese with its
    English as a second line (smaller where the form allows):

      text    UTF-8 for a terminal: the number also as a block-letter banner (term_font.h),
              the QR code in half blocks;
      png     an 8-bit gray image for screens and image printers, laid out by Pango and
              drawn by Cairo in a CJK font from fontconfig (Debian: fonts-wqy-zenhei), the
              number in large type; a character no installed font can draw is an error,
              never an empty box;
      escpos  bytes for a Chinese receipt printer: text in GB18030 (English in the printer's
              smaller font B), the number at 4× size, the QR code drawn by the printer
              itself (GS ( k, model 2, level M), then a partial cut.

    A notice of the form "中文 / English" (etc/hall.example.json) is split at " / " into
    its Chinese line and its English line.

    All strings are borrowed; NULL and "" both leave a line out. Every function checks the
    slip first and returns -1 with one message on stderr if it is unusable: number missing,
    not printable ASCII or longer than TERM_SLIP_NUMBER_MAX; a text field that is not UTF-8
    or holds control characters (which could smuggle printer commands into the ESC/POS
    stream); a QR text no QR code can hold; a negative `ahead`; an offset beyond ±18 h. */
#ifndef TERM_SLIP_H
#define TERM_SLIP_H

#include <stdio.h>

//  Longest ticket number, in characters.
#define TERM_SLIP_NUMBER_MAX 12
//  Longest hall, hall_en, service, service_en or footer text, in bytes.
#define TERM_SLIP_TEXT_MAX 256

typedef struct {
    const char *hall;    //  hall name, UTF-8, e.g. "滨海新区政务服务中心"; NULL to omit
    const char *hall_en; //  its English name, e.g. "Binhai New Area Government Service Centre"
    const char *service; //  service name, UTF-8, e.g. "企业开办"; NULL to omit
    const char *service_en; //  English service name, e.g. "Business registration"; NULL to omit
    const char *number;     //  ticket number, printable ASCII, e.g. "A023"; required
    int ahead;              //  people ahead, >= 0
    long est_wait_s;        //  estimated wait in seconds, negative when unknown (no counter open)
    long est_wait_lo_s;     //  its 80% interval's ends (PROTOCOL.md 6.5), printed instead of
    long est_wait_hi_s;     //  est_wait_s when hi > lo >= 0 and hi >= 60; 0 when not given
    long long issued_ms;    //  when issued, Unix ms
    int utc_offset_min;     //  hall's offset from UTC in minutes, e.g. 480 for China
    const char
        *qr_text; //  what the QR code carries, e.g. the token or its URL; NULL or "" for none
    const char *footer; //  the hall's missed-number rule, e.g. "过号无效，请重新取号"; NULL to omit
} term_slip_t;

//  Writes the slip as UTF-8 text to `out`. The QR code uses qrencode -t UTF8's convention:
//  light modules are the drawn glyphs (█ ▀ ▄) and dark modules are spaces, with a
//  4-module quiet zone. So it scans on the usual light-on-dark terminal; on a dark-on-light
//  terminal it appears inverted, which most phone scanners (WeChat, Alipay, ZXing) also
//  read. -1 on a bad slip or a write error.
int term_slip_text (const term_slip_t *slip, FILE *out);
//  Writes the slip as an 8-bit gray PNG at `path`: 384 px wide, the width of a 58 mm
//  receipt at 203 dpi (wider when a large QR code needs it), 28 px Chinese type for the
//  hall and the people ahead. The QR code is at least 6 px per module with a 4-module
//  quiet zone. -1 on a bad slip, a character no installed font has, or if the file cannot
//  be written.
int term_slip_png (const term_slip_t *slip, const char *path);
//  Writes ESC/POS bytes for the slip to `path`, or to stdout when path is "-". Nothing is
//  written unless the whole slip converts to GB18030. -1 on a bad slip, a missing iconv
//  converter, or a write error.
int term_slip_escpos (const term_slip_t *slip, const char *path);

#endif
