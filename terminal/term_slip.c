/*  term_slip.c — see term_slip.h. */
#include "term_slip.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pango/pangocairo.h>

#include "proto_qr.h"
#include "term_font.h"
#include "term_words.h"

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

//  Optional text: NULL and "" both mean "not on the slip".
static bool
s_has (const char *s)
{
    return s && *s;
}

static bool
s_has_qr (const term_slip_t *slip)
{
    return s_has (slip->qr_text);
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
    if (s_check_text ("hall name", slip->hall) ||
        s_check_text ("English hall name", slip->hall_en) ||
        s_check_text ("service", slip->service) ||
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

//  The slip's sentences, the same on every form: each in Chinese, and in English for a
//  second, smaller line.
typedef struct {
    char when[32]; //  "2025-11-28 09:03", the hall's local time
    char ahead_zh[64], ahead_en[64];
    char wait_zh[96], wait_en[96];
    char notice_zh[TERM_SLIP_TEXT_MAX + 1]; //  the footer before " / " (all of it without)
    const char *notice_en;                  //  after " / ", or NULL
} s_words_t;

//  The estimate's 80% interval: "约 25–40 分钟" (the broker rounds its ends as printed);
//  under a minute at the low end, "不超过 N 分钟"; past an hour, each end in hours and
//  minutes. The high end rounds up, the low end down: the interval never narrows.
static void
s_interval (long lo_s, long hi_s, s_words_t *w)
{
    long lo = lo_s / 60, hi = (hi_s + 59) / 60;
    if (lo < 1) {
        char zh[48], en[48];
        snprintf (w->wait_zh, sizeof w->wait_zh, "预计等候不超过 %s",
                  term_minutes ((long long)hi * 60000, true, true, zh, sizeof zh));
        snprintf (w->wait_en, sizeof w->wait_en, "Estimated wait: up to %s",
                  term_minutes ((long long)hi * 60000, false, true, en, sizeof en));
    } else if (hi < 60) {
        snprintf (w->wait_zh, sizeof w->wait_zh, "预计等候约 %ld–%ld 分钟", lo, hi);
        snprintf (w->wait_en, sizeof w->wait_en, "Estimated wait: about %ld–%ld min", lo, hi);
    } else {
        char lz[48], hz[48], le[48], he[48];
        snprintf (w->wait_zh, sizeof w->wait_zh, "预计等候约 %s 至 %s",
                  term_minutes ((long long)lo * 60000, true, false, lz, sizeof lz),
                  term_minutes ((long long)hi * 60000, true, true, hz, sizeof hz));
        snprintf (w->wait_en, sizeof w->wait_en, "Estimated wait: about %s to %s",
                  term_minutes ((long long)lo * 60000, false, false, le, sizeof le),
                  term_minutes ((long long)hi * 60000, false, true, he, sizeof he));
    }
}

static int
s_words (const term_slip_t *slip, s_words_t *w)
{
    if (s_format_time (slip, w->when, sizeof w->when))
        return -1;
    snprintf (w->ahead_zh, sizeof w->ahead_zh, "您前面还有 %d 人", slip->ahead);
    snprintf (w->ahead_en, sizeof w->ahead_en, "%d %s ahead of you", slip->ahead,
              slip->ahead == 1 ? "person" : "people");
    char zh[48], en[48];
    if (slip->est_wait_s < 0) {
        snprintf (w->wait_zh, sizeof w->wait_zh, "暂无窗口开放");
        snprintf (w->wait_en, sizeof w->wait_en, "No counter open yet");
    } else if (slip->est_wait_s < 60) {
        snprintf (w->wait_zh, sizeof w->wait_zh, "预计等候不到 1 分钟");
        snprintf (w->wait_en, sizeof w->wait_en, "Estimated wait: under 1 min");
    } else if (slip->est_wait_hi_s > slip->est_wait_lo_s && slip->est_wait_lo_s >= 0 &&
               slip->est_wait_hi_s >= 60) {
        s_interval (slip->est_wait_lo_s, slip->est_wait_hi_s, w);
    } else {
        //  Rounded up: "about 0 min" would send someone to the counter too early.
        long long ms = (long long)slip->est_wait_s * 1000;
        snprintf (w->wait_zh, sizeof w->wait_zh, "预计等候约 %s",
                  term_minutes (ms, true, true, zh, sizeof zh));
        snprintf (w->wait_en, sizeof w->wait_en, "Estimated wait: about %s",
                  term_minutes (ms, false, true, en, sizeof en));
    }
    //  A hall's notice may carry its English after " / " (etc/hall.example.json does).
    w->notice_zh[0] = 0;
    w->notice_en = NULL;
    if (s_has (slip->footer)) {
        const char *slash = strstr (slip->footer, " / ");
        int len = slash ? (int)(slash - slip->footer) : (int)strlen (slip->footer);
        snprintf (w->notice_zh, sizeof w->notice_zh, "%.*s", len, slip->footer);
        w->notice_en = slash && slash[3] ? slash + 3 : NULL;
    }
    return 0;
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

//  A line of the text slip, if there is text for it.
static void
s_text_line (FILE *out, const char *text)
{
    if (s_has (text))
        fprintf (out, "  %s\n", text);
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
    s_words_t w;
    if (s_words (slip, &w)) {
        proto_qr_free (&qr);
        return -1;
    }
    s_text_line (out, slip->hall);
    s_text_line (out, slip->hall_en);
    s_text_line (out, slip->service);
    s_text_line (out, slip->service_en);
    fputc ('\n', out);
    s_text_banner (slip->number, out);
    fprintf (out, "\n  号码 %s\n", slip->number);
    s_text_line (out, w.ahead_zh);
    s_text_line (out, w.ahead_en);
    s_text_line (out, w.wait_zh);
    s_text_line (out, w.wait_en);
    fprintf (out, "  取号时间 %s\n", w.when);
    if (qr.dark) {
        fputc ('\n', out);
        s_text_qr (&qr, out);
    }
    if (w.notice_zh[0] || w.notice_en)
        fputc ('\n', out);
    s_text_line (out, w.notice_zh);
    s_text_line (out, w.notice_en);
    proto_qr_free (&qr);
    if (fflush (out) || ferror (out)) {
        fprintf (stderr, "slip: cannot write text: %s\n", strerror (errno));
        return -1;
    }
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  The PNG: Pango lays the text out (CJK, wrapping, centring), Cairo draws it.

//  Fonts, by fontconfig's family names: the first one installed is used, and fontconfig
//  falls back to any other font that has a glyph the first lacks. WenQuanYi Zen Hei
//  (Debian 12: fonts-wqy-zenhei, in main) is what scripts/install-deps installs: a 17 MB
//  sans-serif face with every CJK Unified Ideograph of the basic block, which the browser
//  tests already need; fonts-noto-cjk would add 91 MB for the same slip. Noto Sans CJK is
//  used where a hall has it instead.
#define S_FONT "WenQuanYi Zen Hei, Noto Sans CJK SC, Droid Sans Fallback, sans-serif"
//  The number: a Latin face with a plain zero, in large bold type.
#define S_NUMBER_FONT "DejaVu Sans, Liberation Sans, sans-serif"
//  Paper margin, and the largest and smallest size of the number, in pixels.
#define S_MARGIN     16
#define S_NUMBER_MAX 112
#define S_NUMBER_MIN 32
//  Lines on the slip at most (hall, its English name, service ×2, number, ahead ×2,
//  wait ×2, time, notice ×2; the QR code sits between time and notice).
#define S_PNG_LINES 12

typedef struct {
    PangoFontMap *fonts;
    PangoContext *ctx;
    PangoLayout *line[S_PNG_LINES]; //  laid out, top to bottom
    int gap[S_PNG_LINES];           //  pixels after each
    int n;
    int qr_after; //  the QR code goes after this many lines
    int text_w;   //  width the text is laid out in, pixels
} s_png_t;

//  Adds a line of `text` in `px`-pixel type (bold or not), centred and wrapped to the
//  paper, with `gap` pixels after it. Nothing for NULL or "".
static void
s_png_add (s_png_t *p, const char *family, const char *text, int px, bool bold, int gap)
{
    if (!s_has (text) || p->n == S_PNG_LINES)
        return;
    PangoLayout *layout = pango_layout_new (p->ctx);
    PangoFontDescription *font = pango_font_description_new ();
    pango_font_description_set_family (font, family);
    pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
    pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description (layout, font);
    pango_font_description_free (font);
    pango_layout_set_width (layout, p->text_w * PANGO_SCALE);
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
    pango_layout_set_text (layout, text, -1);
    p->gap[p->n] = gap;
    p->line[p->n++] = layout;
}

//  The number as large as fits on one line of the paper.
static void
s_png_number (s_png_t *p, const char *number)
{
    for (int px = S_NUMBER_MAX;; px -= 8) {
        s_png_add (p, S_NUMBER_FONT, number, px, true, 10);
        PangoLayout *layout = p->line[p->n - 1];
        if (pango_layout_get_line_count (layout) == 1 || px - 8 < S_NUMBER_MIN)
            return;
        g_object_unref (layout);
        p->n--;
    }
}

static void
s_png_free (s_png_t *p)
{
    for (int i = 0; i < p->n; i++)
        g_object_unref (p->line[i]);
    if (p->ctx)
        g_object_unref (p->ctx);
    if (p->fonts)
        g_object_unref (p->fonts);
}

//  Lays out the slip's lines. -1 if a character has no glyph in any installed font: a
//  slip of empty boxes is worse than an error the kiosk reports.
static int
s_png_layout (s_png_t *p, const term_slip_t *slip, const s_words_t *w)
{
    //  A font map of our own, released after the slip, not the process-wide default.
    p->fonts = pango_cairo_font_map_new ();
    p->ctx = p->fonts ? pango_font_map_create_context (p->fonts) : NULL;
    if (!p->ctx) {
        fprintf (stderr, "slip: cannot set up Pango\n");
        return -1;
    }
    //  Gray antialiasing: the image is gray, and a thermal printer thresholds it anyway.
    cairo_font_options_t *options = cairo_font_options_create ();
    cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_SLIGHT);
    pango_cairo_context_set_font_options (p->ctx, options);
    cairo_font_options_destroy (options);

    s_png_add (p, S_FONT, slip->hall, 28, true, 4);
    s_png_add (p, S_FONT, slip->hall_en, 15, false, 12);
    s_png_add (p, S_FONT, slip->service, 26, false, 2);
    s_png_add (p, S_FONT, slip->service_en, 15, false, 4);
    s_png_number (p, slip->number);
    s_png_add (p, S_FONT, w->ahead_zh, 28, true, 2);
    s_png_add (p, S_FONT, w->ahead_en, 15, false, 10);
    s_png_add (p, S_FONT, w->wait_zh, 26, false, 2);
    s_png_add (p, S_FONT, w->wait_en, 15, false, 10);
    char when[64];
    snprintf (when, sizeof when, "取号时间 %s", w->when);
    s_png_add (p, S_FONT, when, 20, false, 6);
    p->qr_after = p->n;
    s_png_add (p, S_FONT, w->notice_zh, 22, false, 2);
    s_png_add (p, S_FONT, w->notice_en, 15, false, 0);
    for (int i = 0; i < p->n; i++)
        if (pango_layout_get_unknown_glyphs_count (p->line[i]) > 0) {
            fprintf (stderr,
                     "slip: no installed font can draw \"%s\" (Debian: apt-get install "
                     "fonts-wqy-zenhei)\n",
                     pango_layout_get_text (p->line[i]));
            return -1;
        }
    return 0;
}

//  Draws the lines and the code (code_side pixels square, or none) into a new gray image
//  width pixels wide; sets *img (caller frees) and *height.
static int
s_png_draw (const s_png_t *p, const unsigned char *code, int code_side, int width,
            unsigned char **img, int *height)
{
    int h = S_MARGIN;
    for (int i = 0; i < p->n; i++) {
        int lw, lh;
        pango_layout_get_pixel_size (p->line[i], &lw, &lh);
        h += lh + p->gap[i];
    }
    //  The quiet zone is white already, so the code needs no margin of its own.
    h += (code ? code_side : 0) + S_MARGIN;
    //  A8: each pixel is ink coverage, 0 (paper) to 255 (black).
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, width, h);
    cairo_t *cr = cairo_create (surface);
    if (cairo_status (cr) != CAIRO_STATUS_SUCCESS) {
        fprintf (stderr, "slip: cannot make a %d×%d image\n", width, h);
        cairo_destroy (cr);
        cairo_surface_destroy (surface);
        return -1;
    }
    int y = S_MARGIN;
    for (int i = 0; i < p->n; i++) {
        if (i == p->qr_after && code)
            y += code_side;
        int lw, lh;
        pango_layout_get_pixel_size (p->line[i], &lw, &lh);
        cairo_move_to (cr, (width - p->text_w) / 2, y);
        pango_cairo_show_layout (cr, p->line[i]);
        y += lh + p->gap[i];
    }
    cairo_destroy (cr);
    cairo_surface_flush (surface);
    unsigned char *gray = malloc ((size_t)width * (size_t)h);
    if (!gray) {
        cairo_surface_destroy (surface);
        fprintf (stderr, "slip: out of memory\n");
        return -1;
    }
    const unsigned char *ink = cairo_image_surface_get_data (surface);
    int stride = cairo_image_surface_get_stride (surface);
    for (int r = 0; r < h; r++)
        for (int c = 0; c < width; c++)
            gray[(size_t)r * (size_t)width + (size_t)c] =
                (unsigned char)(255 - ink[r * stride + c]);
    cairo_surface_destroy (surface);
    if (code) {
        int top = S_MARGIN;
        for (int i = 0; i < p->qr_after; i++) {
            int lw, lh;
            pango_layout_get_pixel_size (p->line[i], &lw, &lh);
            top += lh + p->gap[i];
        }
        int x0 = (width - code_side) / 2;
        for (int r = 0; r < code_side; r++)
            memcpy (gray + (size_t)(top + r) * (size_t)width + (size_t)x0,
                    code + (size_t)r * (size_t)code_side, (size_t)code_side);
    }
    *img = gray;
    *height = h;
    return 0;
}

//  For LeakSanitizer (the test build; a release build never calls it): fontconfig 2.14.1,
//  Debian 12's, loses 288 bytes once per process while it parses the stock
//  70-no-bitmaps.conf (<rejectfont><pattern>) in FcInitLoadConfigAndFonts, which Pango
//  calls for the PNG slip. Not ours to free, so memory fontconfig itself allocated is not
//  reported (matched by library: the sanitizer's fast unwinder stops inside it, before
//  any function name would). Linked in with this file, so it covers every program that
//  can draw a slip.
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
    return "leak:libfontconfig.so\n";
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
    s_words_t w;
    unsigned char *code = NULL, *img = NULL;
    int code_side = 0, width = S_PAPER_DOTS, height = 0, rc = -1;
    s_png_t page = {0};
    if (s_words (slip, &w))
        goto done;
    if (qr.dark) {
        //  Largest module size from 8 down to 6 that fits the paper; a big code widens the
        //  image rather than going below 6 px, under which phone cameras start to miss.
        int side = qr.width + 2 * S_QUIET, module;
        for (module = 8; module > 6 && side * module > width; module--)
            ;
        if (side * module > width)
            width = side * module;
        if (proto_qr_render (&qr, module, S_QUIET, &code, &code_side))
            goto done;
    }
    page.text_w = (width < S_PAPER_DOTS ? width : S_PAPER_DOTS) - 2 * S_MARGIN;
    if (s_png_layout (&page, slip, &w) == 0 &&
        s_png_draw (&page, code, code_side, width, &img, &height) == 0)
        rc = proto_png_write_gray (path, img, width, height);
done:
    s_png_free (&page);
    proto_qr_free (&qr);
    free (code);
    free (img);
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  ESC/POS

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

//  The text styles of the ESC/POS slip.
enum { S_PLAIN, S_SMALL, S_TITLE };

//  A line of text in a style (the title bold and double height; English in the printer's
//  smaller font B), then back to plain; nothing for NULL or "".
static int
s_put_styled (iconv_t cd, FILE *mem, const char *text, int style)
{
    static const unsigned char title[] = {0x1B, 0x45, 0x01, 0x1D, 0x21, 0x01}; //  ESC E 1, GS ! 1
    static const unsigned char small[] = {0x1B, 0x4D, 0x01};                   //  ESC M 1
    static const unsigned char plain[] = {0x1B, 0x45, 0x00, 0x1D, 0x21, 0x00, 0x1B, 0x4D, 0x00};
    if (!s_has (text))
        return 0;
    if (style == S_TITLE)
        s_put_bytes (mem, title, sizeof title);
    else if (style == S_SMALL)
        s_put_bytes (mem, small, sizeof small);
    if (s_put_line (cd, mem, text))
        return -1;
    if (style != S_PLAIN)
        s_put_bytes (mem, plain, sizeof plain);
    return 0;
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
    s_words_t w;
    char when[64];
    if (s_words (slip, &w))
        return -1;
    snprintf (when, sizeof when, "取号时间 %s", w.when);

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
    static const unsigned char huge[] = {0x1D, 0x21, 0x33}; //  GS ! 0x33: 4× wide and tall
    static const unsigned char normal[] = {0x1B, 0x45, 0x00, 0x1D, 0x21, 0x00, 0x1B, 0x4D, 0x00};
    static const unsigned char cut[] = {
        0x1B, 0x64, 0x03,       //  ESC d 3    feed 3 lines
        0x1D, 0x56, 0x42, 0x00, //  GS V 66 0  feed to the cutter, partial cut
    };
    s_put_bytes (mem, init, sizeof init);
    if (s_put_styled (cd, mem, slip->hall, S_TITLE) ||
        s_put_styled (cd, mem, slip->hall_en, S_SMALL) ||
        s_put_styled (cd, mem, slip->service, S_PLAIN) ||
        s_put_styled (cd, mem, slip->service_en, S_SMALL))
        goto done;
    fputc ('\n', mem);
    s_put_bytes (mem, huge, sizeof huge);
    if (s_put_line (cd, mem, slip->number))
        goto done;
    s_put_bytes (mem, normal, sizeof normal);
    fputc ('\n', mem);
    if (s_put_styled (cd, mem, w.ahead_zh, S_PLAIN) ||
        s_put_styled (cd, mem, w.ahead_en, S_SMALL) || s_put_styled (cd, mem, w.wait_zh, S_PLAIN) ||
        s_put_styled (cd, mem, w.wait_en, S_SMALL) || s_put_styled (cd, mem, when, S_PLAIN))
        goto done;
    if (s_has_qr (slip)) {
        fputc ('\n', mem);
        s_put_qr (mem, slip->qr_text, qr_width);
    }
    if (w.notice_zh[0] || w.notice_en)
        fputc ('\n', mem);
    if (s_put_styled (cd, mem, w.notice_zh, S_PLAIN) ||
        s_put_styled (cd, mem, w.notice_en, S_SMALL))
        goto done;
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
