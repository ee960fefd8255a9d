/*  term_slip.c — see term_slip.h. */
#include "term_slip.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_qr.h"
#include "term_font.h"

//  Width of a 58 mm receipt at 203 dpi, the narrowest paper a hall is likely to use: a
//  PNG this wide prints 1:1, and the printer's own QR code must fit in it too.
#define S_PAPER_DOTS 384
//  Quiet zone the QR standard asks for, in modules.
#define S_QUIET 4
//  Largest offset from UTC anyone uses, with room to spare (ISO 8601 allows ±18 h).
#define S_MAX_OFFSET_MIN (18 * 60)

//  A text field is usable if it is short UTF-8 without control characters: a stray ESC or
//  GS in a hall name would otherwise become a printer command.
static int
s_check_text (const char *field, const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen (s);
    if (len > TERM_SLIP_TEXT_MAX) {
        fprintf (stderr, "slip: %s is %zu bytes, at most %d allowed\n", field, len,
                 TERM_SLIP_TEXT_MAX);
        return -1;
    }
    if (!proto_utf8_valid (s, len)) {
        fprintf (stderr, "slip: %s is not valid UTF-8\n", field);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            fprintf (stderr, "slip: %s contains a control character\n", field);
            return -1;
        }
    return 0;
}

static bool
s_has_qr (const term_slip_t *slip)
{
    return slip->qr_text && *slip->qr_text;
}

//  Checks everything the three writers rely on; with qr != NULL also encodes the QR code
//  (the caller frees it), since that is the only way to know the text fits in one.
static int
s_check (const term_slip_t *slip, proto_qr_t *qr)
{
    if (qr) {
        qr->width = 0;
        qr->dark = NULL;
    }
    if (!slip) {
        fprintf (stderr, "slip: no slip\n");
        return -1;
    }
    if (!slip->number || !*slip->number) {
        fprintf (stderr, "slip: no ticket number\n");
        return -1;
    }
    size_t number_len = strlen (slip->number);
    if (number_len > TERM_SLIP_NUMBER_MAX) {
        fprintf (stderr, "slip: ticket number is %zu characters, at most %d allowed\n", number_len,
                 TERM_SLIP_NUMBER_MAX);
        return -1;
    }
    for (size_t i = 0; i < number_len; i++)
        if (slip->number[i] <= 0x20 || slip->number[i] >= 0x7f) {
            fprintf (stderr, "slip: ticket number must be printable ASCII\n");
            return -1;
        }
    if (slip->ahead < 0) {
        fprintf (stderr, "slip: %d people ahead\n", slip->ahead);
        return -1;
    }
    if (slip->utc_offset_min < -S_MAX_OFFSET_MIN || slip->utc_offset_min > S_MAX_OFFSET_MIN) {
        fprintf (stderr, "slip: UTC offset of %d minutes\n", slip->utc_offset_min);
        return -1;
    }
    if (s_check_text ("hall name", slip->hall) || s_check_text ("service", slip->service) ||
        s_check_text ("English service name", slip->service_en) ||
        s_check_text ("footer", slip->footer))
        return -1;
    if (s_has_qr (slip)) {
        //  Our own scanners reject codes that are not UTF-8, so never print one.
        if (!proto_utf8_valid (slip->qr_text, strlen (slip->qr_text))) {
            fprintf (stderr, "slip: QR text is not valid UTF-8\n");
            return -1;
        }
        proto_qr_t tmp;
        if (proto_qr_encode (slip->qr_text, qr ? qr : &tmp))
            return -1;
        if (!qr)
            proto_qr_free (&tmp);
    }
    return 0;
}

//  "YYYY-MM-DD HH:MM" in the hall's own time, whatever TZ the kiosk's machine has.
static int
s_format_time (const term_slip_t *slip, char *buf, size_t size)
{
    long long secs = slip->issued_ms / 1000;
    if (slip->issued_ms % 1000 < 0)
        secs--; //  floor, so 1969-12-31 23:59:59.5 is not rounded up to midnight
    time_t t = (time_t)(secs + (long long)slip->utc_offset_min * 60);
    struct tm tm;
    if (!gmtime_r (&t, &tm) || strftime (buf, size, "%Y-%m-%d %H:%M", &tm) == 0) {
        fprintf (stderr, "slip: issue time %lld ms is out of range\n", slip->issued_ms);
        return -1;
    }
    return 0;
}

//  Whole minutes, rounded up: telling someone "about 0 min" sends them to the counter
//  too early.
static long
s_wait_minutes (long secs)
{
    return secs / 60 + (secs % 60 != 0);
}

static void
s_wait_zh (const term_slip_t *slip, char *buf, size_t size)
{
    if (slip->est_wait_s < 0)
        snprintf (buf, size, "暂无窗口开放");
    else if (slip->est_wait_s < 60)
        snprintf (buf, size, "预计等待少于 1 分钟");
    else
        snprintf (buf, size, "预计等待约 %ld 分钟", s_wait_minutes (slip->est_wait_s));
}

static void
s_wait_en (const term_slip_t *slip, char *buf, size_t size, bool upper)
{
    if (slip->est_wait_s < 0)
        snprintf (buf, size, upper ? "NO COUNTER OPEN" : "no counter open");
    else if (slip->est_wait_s < 60)
        snprintf (buf, size, upper ? "WAIT UNDER 1 MIN" : "under 1 min");
    else
        snprintf (buf, size, upper ? "WAIT ABOUT %ld MIN" : "about %ld min",
                  s_wait_minutes (slip->est_wait_s));
}

//  Is module (x, y) of the code plus its quiet zone light? Rows past the bottom edge are
//  "nothing", drawn like dark modules (the terminal's background).
static bool
s_light (const proto_qr_t *qr, int x, int y)
{
    int side = qr->width + 2 * S_QUIET;
    if (y >= side)
        return false;
    x -= S_QUIET;
    y -= S_QUIET;
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
        return true;
    return !qr->dark[y * qr->width + x];
}

static void
s_text_qr (const proto_qr_t *qr, FILE *out)
{
    //  Indexed by (top light) * 2 + (bottom light), qrencode -t UTF8's convention.
    static const char *cells[4] = {" ", "▄", "▀", "█"};
    int side = qr->width + 2 * S_QUIET;
    for (int y = 0; y < side; y += 2) {
        fputs ("  ", out);
        for (int x = 0; x < side; x++)
            fputs (cells[s_light (qr, x, y) * 2 + s_light (qr, x, y + 1)], out);
        fputc ('\n', out);
    }
}

//  The number in block letters, 7 lines high. Each font pixel is two columns wide when the
//  number is short, because terminal cells are about twice as tall as they are wide.
static void
s_text_banner (const char *number, FILE *out)
{
    int len = (int)strlen (number);
    int cell = len <= 6 ? 2 : 1;
    for (int y = 0; y < TERM_FONT_ROWS; y++) {
        char line[TERM_SLIP_NUMBER_MAX * TERM_FONT_ADVANCE * 2 * 3 + 8];
        size_t n = 0, last_ink = 0;
        for (int i = 0; i < len; i++)
            for (int x = 0; x < TERM_FONT_ADVANCE; x++)
                for (int c = 0; c < cell; c++) {
                    if (term_font_ink (number[i], x, y)) {
                        memcpy (line + n, "█", 3);
                        n += 3;
                        last_ink = n;
                    } else
                        line[n++] = ' ';
                }
        line[last_ink] = 0; //  no trailing blanks
        fprintf (out, "  %s\n", line);
    }
}

int
term_slip_text (const term_slip_t *slip, FILE *out)
{
    proto_qr_t qr;
    if (!out) {
        fprintf (stderr, "slip: no output stream\n");
        return -1;
    }
    if (s_check (slip, &qr))
        return -1;
    char when[32], wait_zh[64], wait_en[64];
    if (s_format_time (slip, when, sizeof when)) {
        proto_qr_free (&qr);
        return -1;
    }
    s_wait_zh (slip, wait_zh, sizeof wait_zh);
    s_wait_en (slip, wait_en, sizeof wait_en, false);

    if (slip->hall)
        fprintf (out, "  %s\n", slip->hall);
    if (slip->service || slip->service_en)
        fprintf (out, "  %s%s%s\n", slip->service ? slip->service : "",
                 slip->service && slip->service_en ? " / " : "",
                 slip->service_en ? slip->service_en : "");
    fputc ('\n', out);
    s_text_banner (slip->number, out);
    fprintf (out, "\n  号码 No. %s\n", slip->number);
    fprintf (out, "  你前面还有 %d 人在等待 / %d %s ahead\n", slip->ahead, slip->ahead,
             slip->ahead == 1 ? "person" : "people");
    fprintf (out, "  %s / %s\n", wait_zh, wait_en);
    fprintf (out, "  取号时间 Issued %s\n", when);
    if (qr.dark) {
        fputc ('\n', out);
        s_text_qr (&qr, out);
    }
    if (slip->footer)
        fprintf (out, "\n  %s\n", slip->footer);
    proto_qr_free (&qr);
    if (fflush (out) || ferror (out)) {
        fprintf (stderr, "slip: cannot write text: %s\n", strerror (errno));
        return -1;
    }
    return 0;
}

//  One line of ASCII for the PNG, scaled as large as `max_scale` allows within `avail`
//  pixels; if even scale 1 is too wide, the line is cut short.
typedef struct {
    char text[80];
    int len;
    int scale;
} s_png_line_t;

static void
s_png_line (s_png_line_t *line, const char *text, int max_scale, int avail)
{
    snprintf (line->text, sizeof line->text, "%s", text);
    line->len = (int)strlen (line->text);
    //  n characters at scale s are s·(6n − 1) pixels wide.
    int scale = line->len ? avail / (TERM_FONT_ADVANCE * line->len - 1) : 1;
    if (scale > max_scale)
        scale = max_scale;
    if (scale < 1) {
        scale = 1;
        line->len = (avail + 1) / TERM_FONT_ADVANCE;
        line->text[line->len] = 0;
    }
    line->scale = scale;
}

int
term_slip_png (const term_slip_t *slip, const char *path)
{
    proto_qr_t qr;
    if (!path) {
        fprintf (stderr, "slip: no PNG path\n");
        return -1;
    }
    if (s_check (slip, &qr))
        return -1;
    char when[32], wait[64], ahead[48];
    if (s_format_time (slip, when, sizeof when)) {
        proto_qr_free (&qr);
        return -1;
    }
    s_wait_en (slip, wait, sizeof wait, true);
    snprintf (ahead, sizeof ahead, "AHEAD %d", slip->ahead);

    const int margin = 16, gap = 12;
    int width = S_PAPER_DOTS;
    //  Largest module size from 8 down to 6 that fits the paper; a big code widens the
    //  image rather than going below 6 px, under which phone cameras start to miss.
    int module = 6;
    if (qr.dark) {
        int side = qr.width + 2 * S_QUIET;
        for (module = 8; module > 6 && side * module > width; module--)
            ;
        if (side * module > width)
            width = side * module;
    }
    int avail = width - 2 * margin;
    s_png_line_t lines[5];
    int nlines = 0;
    if (slip->service_en)
        s_png_line (&lines[nlines++], slip->service_en, 3, avail);
    s_png_line (&lines[nlines++], slip->number, 12, avail);
    s_png_line (&lines[nlines++], ahead, 4, avail);
    s_png_line (&lines[nlines++], wait, 3, avail);
    s_png_line (&lines[nlines++], when, 3, avail);

    int height = margin;
    for (int i = 0; i < nlines; i++)
        height += TERM_FONT_ROWS * lines[i].scale + gap;
    unsigned char *code = NULL;
    int code_side = 0;
    if (qr.dark && proto_qr_render (&qr, module, S_QUIET, &code, &code_side)) {
        proto_qr_free (&qr);
        return -1;
    }
    proto_qr_free (&qr);
    //  The quiet zone is white already, so the code needs no margin of its own.
    height += code ? code_side : margin;

    unsigned char *img = malloc ((size_t)width * (size_t)height);
    if (!img) {
        fprintf (stderr, "slip: out of memory\n");
        free (code);
        return -1;
    }
    memset (img, 255, (size_t)width * (size_t)height);
    int y = margin;
    for (int i = 0; i < nlines; i++) {
        int w = lines[i].scale * (TERM_FONT_ADVANCE * lines[i].len - 1);
        term_font_draw (img, width, height, (width - w) / 2, y, lines[i].scale, lines[i].text,
                        lines[i].len);
        y += TERM_FONT_ROWS * lines[i].scale + gap;
    }
    if (code) {
        int x0 = (width - code_side) / 2;
        for (int r = 0; r < code_side; r++)
            memcpy (img + (size_t)(y + r) * (size_t)width + (size_t)x0,
                    code + (size_t)r * (size_t)code_side, (size_t)code_side);
        free (code);
    }
    int rc = proto_png_write_gray (path, img, width, height);
    free (img);
    return rc;
}

//  Appends `text` (UTF-8) to `mem` in GB18030.
static int
s_put_gb (iconv_t cd, FILE *mem, const char *text)
{
    size_t in_left = strlen (text);
    //  GB18030 needs at most 4 bytes per character, and UTF-8 at least 1.
    char buf[TERM_SLIP_TEXT_MAX * 4 + 64];
    if (in_left > TERM_SLIP_TEXT_MAX + 16) {
        fprintf (stderr, "slip: line of %zu bytes is too long\n", in_left);
        return -1;
    }
    char *in = (char *)text, *outp = buf;
    size_t out_left = sizeof buf;
    iconv (cd, NULL, NULL, NULL, NULL);
    if (iconv (cd, &in, &in_left, &outp, &out_left) == (size_t)-1) {
        fprintf (stderr, "slip: cannot convert \"%s\" to GB18030: %s\n", text, strerror (errno));
        return -1;
    }
    fwrite (buf, 1, (size_t)(outp - buf), mem);
    return 0;
}

static int
s_put_line (iconv_t cd, FILE *mem, const char *text)
{
    if (s_put_gb (cd, mem, text))
        return -1;
    fputc ('\n', mem);
    return 0;
}

static void
s_put_bytes (FILE *mem, const unsigned char *bytes, size_t len)
{
    fwrite (bytes, 1, len, mem);
}

//  QR code through the printer's own GS ( k commands: the printer draws it at its native
//  resolution, sharper than any bitmap we could send.
static void
s_put_qr (FILE *mem, const char *text, int qr_width)
{
    //  Module size in dots: 6 unless the code would not fit on 58 mm paper.
    int module = S_PAPER_DOTS / (qr_width + 2 * S_QUIET);
    if (module > 6)
        module = 6;
    if (module < 1)
        module = 1;
    size_t len = strlen (text);
    size_t stored = len + 3; //  pL pH count the "31 50 30" that follow them
    const unsigned char model[] = {0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00};
    const unsigned char size[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, (unsigned char)module};
    const unsigned char level[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31};
    const unsigned char store[] = {
        0x1D, 0x28, 0x6B, (unsigned char)(stored & 0xFF), (unsigned char)(stored >> 8),
        0x31, 0x50, 0x30};
    const unsigned char print[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30};
    s_put_bytes (mem, model, sizeof model);
    s_put_bytes (mem, size, sizeof size);
    s_put_bytes (mem, level, sizeof level);
    s_put_bytes (mem, store, sizeof store);
    s_put_bytes (mem, (const unsigned char *)text, len);
    s_put_bytes (mem, print, sizeof print);
    fputc ('\n', mem);
}

static int
s_write_all (const char *path, const char *data, size_t len)
{
    bool to_stdout = strcmp (path, "-") == 0;
    FILE *file = to_stdout ? stdout : fopen (path, "wb");
    if (!file) {
        fprintf (stderr, "slip: cannot open '%s': %s\n", path, strerror (errno));
        return -1;
    }
    int rc = 0;
    if (fwrite (data, 1, len, file) != len)
        rc = -1;
    if (to_stdout ? fflush (file) != 0 : fclose (file) != 0)
        rc = -1;
    if (rc)
        fprintf (stderr, "slip: cannot write '%s': %s\n", path, strerror (errno));
    return rc;
}

int
term_slip_escpos (const term_slip_t *slip, const char *path)
{
    proto_qr_t qr;
    if (!path) {
        fprintf (stderr, "slip: no ESC/POS path\n");
        return -1;
    }
    if (s_check (slip, &qr))
        return -1;
    int qr_width = qr.width;
    proto_qr_free (&qr);
    char when[32], wait_zh[64], wait_en[64], line[128];
    if (s_format_time (slip, when, sizeof when))
        return -1;
    s_wait_zh (slip, wait_zh, sizeof wait_zh);
    s_wait_en (slip, wait_en, sizeof wait_en, false);

    iconv_t cd = iconv_open ("GB18030", "UTF-8");
    if (cd == (iconv_t)-1) {
        fprintf (stderr, "slip: no UTF-8 to GB18030 converter: %s\n", strerror (errno));
        return -1;
    }
    //  Built in memory first, so a conversion error leaves no half slip in the printer.
    char *data = NULL;
    size_t len = 0;
    FILE *mem = open_memstream (&data, &len);
    if (!mem) {
        fprintf (stderr, "slip: out of memory\n");
        iconv_close (cd);
        return -1;
    }
    int rc = -1;
    static const unsigned char init[] = {
        0x1B, 0x40,       //  ESC @      reset
        0x1C, 0x26,       //  FS &       double-byte (Chinese) character mode
        0x1B, 0x61, 0x01, //  ESC a 1    centre
    };
    static const unsigned char bold_tall[] = {0x1B, 0x45, 0x01, 0x1D, 0x21, 0x01};
    static const unsigned char huge[] = {0x1D, 0x21, 0x33}; //  GS ! 0x33: 4× wide and tall
    static const unsigned char normal[] = {0x1B, 0x45, 0x00, 0x1D, 0x21, 0x00};
    static const unsigned char cut[] = {
        0x1B, 0x64, 0x03,       //  ESC d 3    feed 3 lines
        0x1D, 0x56, 0x42, 0x00, //  GS V 66 0  feed to the cutter, partial cut
    };
    s_put_bytes (mem, init, sizeof init);
    if (slip->hall) {
        s_put_bytes (mem, bold_tall, sizeof bold_tall);
        if (s_put_line (cd, mem, slip->hall))
            goto done;
        s_put_bytes (mem, normal, sizeof normal);
    }
    if (slip->service && s_put_line (cd, mem, slip->service))
        goto done;
    if (slip->service_en && s_put_line (cd, mem, slip->service_en))
        goto done;
    fputc ('\n', mem);
    s_put_bytes (mem, huge, sizeof huge);
    if (s_put_line (cd, mem, slip->number))
        goto done;
    s_put_bytes (mem, normal, sizeof normal);
    fputc ('\n', mem);
    snprintf (line, sizeof line, "你前面还有 %d 人在等待", slip->ahead);
    if (s_put_line (cd, mem, line))
        goto done;
    snprintf (line, sizeof line, "%d %s ahead", slip->ahead,
              slip->ahead == 1 ? "person" : "people");
    if (s_put_line (cd, mem, line) || s_put_line (cd, mem, wait_zh) ||
        s_put_line (cd, mem, wait_en))
        goto done;
    snprintf (line, sizeof line, "取号时间 %s", when);
    if (s_put_line (cd, mem, line))
        goto done;
    if (s_has_qr (slip)) {
        fputc ('\n', mem);
        s_put_qr (mem, slip->qr_text, qr_width);
    }
    if (slip->footer) {
        fputc ('\n', mem);
        if (s_put_line (cd, mem, slip->footer))
            goto done;
    }
    s_put_bytes (mem, cut, sizeof cut);
    rc = 0;
done:
    iconv_close (cd);
    if (fclose (mem) != 0 && rc == 0) {
        fprintf (stderr, "slip: out of memory\n");
        rc = -1;
    }
    if (rc == 0)
        rc = s_write_all (path, data, len);
    free (data);
    return rc;
}
