/*  proto_qr.c — see proto_qr.h. */
#include "proto_qr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zbar.h>

//  libpng refuses anything larger before allocating, so a hostile file cannot make us
//  ask for gigabytes. A receipt or a phone photo is far below this.
#define S_PNG_MAX_SIDE 16384

int
proto_qr_encode (const char *text, proto_qr_t *out)
{
    if (!out)
        return -1;
    out->width = 0;
    out->dark = NULL;
    if (!text || !*text) {
        fprintf (stderr, "proto_qr: nothing to encode\n");
        return -1;
    }
    //  QR_MODE_8 as the hint plus case sensitivity: libqrencode still splits the text into
    //  numeric and alphanumeric runs where they are shorter, but never into Kanji mode,
    //  which would reinterpret UTF-8 bytes as Shift-JIS.
    QRcode *code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!code) {
        fprintf (stderr, "proto_qr: cannot encode %zu bytes: %s\n", strlen (text),
                 errno == ERANGE ? "too long for a QR code" : strerror (errno));
        return -1;
    }
    size_t n = (size_t)code->width * (size_t)code->width;
    out->dark = malloc (n);
    if (!out->dark) {
        fprintf (stderr, "proto_qr: out of memory\n");
        QRcode_free (code);
        return -1;
    }
    //  Bit 0 of each libqrencode byte is the module colour; the other bits describe which
    //  function pattern the module belongs to, which nobody here needs.
    for (size_t i = 0; i < n; i++)
        out->dark[i] = code->data[i] & 1;
    out->width = code->width;
    QRcode_free (code);
    return 0;
}

void
proto_qr_free (proto_qr_t *qr)
{
    if (!qr)
        return;
    free (qr->dark);
    qr->dark = NULL;
    qr->width = 0;
}

int
proto_qr_render (const proto_qr_t *qr, int scale, int quiet, unsigned char **pixels, int *size)
{
    if (!qr || !qr->dark || qr->width <= 0 || scale < 1 || quiet < 0 || !pixels || !size)
        return -1;
    long long side = ((long long)qr->width + 2LL * quiet) * scale;
    if (side > S_PNG_MAX_SIDE) {
        fprintf (stderr, "proto_qr: rendered code would be %lld pixels wide\n", side);
        return -1;
    }
    int n = (int)side;
    unsigned char *img = malloc ((size_t)n * (size_t)n);
    if (!img) {
        fprintf (stderr, "proto_qr: out of memory\n");
        return -1;
    }
    memset (img, 255, (size_t)n * (size_t)n);
    int offset = quiet * scale;
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++) {
            if (!qr->dark[y * qr->width + x])
                continue;
            for (int dy = 0; dy < scale; dy++) {
                unsigned char *row = img + (size_t)(offset + y * scale + dy) * (size_t)n;
                memset (row + offset + x * scale, 0, (size_t)scale);
            }
        }
    *pixels = img;
    *size = n;
    return 0;
}

bool
proto_utf8_valid (const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        //  The lead byte fixes the length and, for E0/ED/F0/F4, a narrower range for the
        //  second byte: that is what rules out overlongs, surrogates and > U+10FFFF.
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return false; //  continuation byte as lead, C0/C1 overlong, F5..FF
        if (len - i - 1 < need)
            return false;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += need + 1;
    }
    return true;
}

//  Called for each QR symbol of an image with its bytes; returns false to stop.
typedef bool (s_symbol_fn) (const char *data, size_t len, void *arg);

//  Runs ZBar over a gray image (pixels borrowed) and calls `fn` for each QR symbol, in
//  ZBar's order. 0, or -1 on out of memory.
static int
s_scan (const unsigned char *pixels, int width, int height, s_symbol_fn *fn, void *arg)
{
    zbar_image_scanner_t *scanner = zbar_image_scanner_create ();
    zbar_image_t *image = zbar_image_create ();
    int rc = -1;
    if (!scanner || !image) {
        fprintf (stderr, "proto_qr: out of memory\n");
        goto done;
    }
    //  Only QR: a 1-D symbology can "find" a barcode in the edge of a photo, and a
    //  stray EAN-13 must never be mistaken for a token.
    zbar_image_scanner_set_config (scanner, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config (scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);

    zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
    zbar_image_set_size (image, (unsigned)width, (unsigned)height);
    //  ZBar only reads the buffer; with no cleanup handler it never frees it.
    zbar_image_set_data (image, (void *)pixels, (unsigned long)width * (unsigned long)height, NULL);
    rc = 0;
    if (zbar_scan_image (scanner, image) <= 0)
        goto done;
    for (const zbar_symbol_t *symbol = zbar_image_first_symbol (image); symbol;
         symbol = zbar_symbol_next (symbol)) {
        const char *data = zbar_symbol_get_data (symbol);
        if (zbar_symbol_get_type (symbol) == ZBAR_QRCODE && data &&
            !fn (data, zbar_symbol_get_data_length (symbol), arg))
            break;
    }
done:
    if (image) {
        zbar_image_set_data (image, NULL, 0, NULL);
        zbar_image_destroy (image);
    }
    if (scanner)
        zbar_image_scanner_destroy (scanner);
    return rc;
}

//  Copies a symbol's bytes plus a NUL into out: its length, or -1 (said why) if they are
//  not UTF-8 text or do not fit.
static int
s_copy_text (const char *data, size_t len, char *out, size_t out_size)
{
    if (memchr (data, 0, len) || !proto_utf8_valid (data, len)) {
        fprintf (stderr, "proto_qr: QR code holds %zu bytes that are not UTF-8 text\n", len);
        return -1;
    }
    if (len >= out_size || len > INT_MAX) {
        fprintf (stderr, "proto_qr: QR code holds %zu bytes, room for %zu\n", len, out_size - 1);
        return -1;
    }
    memcpy (out, data, len);
    out[len] = 0;
    return (int)len;
}

typedef struct {
    char *out;
    size_t size;
    int rc;
} s_first_t;

static bool
s_take_first (const char *data, size_t len, void *arg)
{
    s_first_t *first = arg;
    first->rc = s_copy_text (data, len, first->out, first->size);
    return false;
}

int
proto_qr_decode_gray (const unsigned char *pixels, int width, int height, char *out,
                      size_t out_size)
{
    if (!pixels || width <= 0 || height <= 0 || !out || out_size == 0)
        return -1;
    out[0] = 0;
    s_first_t first = {out, out_size, -1};
    if (s_scan (pixels, width, height, s_take_first, &first) != 0)
        return -1;
    return first.rc;
}

static bool
s_take_each (const char *data, size_t len, void *arg)
{
    proto_qr_codes_t *codes = arg;
    char *slot = codes->text[codes->count];
    if (s_copy_text (data, len, slot, sizeof codes->text[0]) < 0)
        return true;
    for (int i = 0; i < codes->count; i++)
        if (strcmp (codes->text[i], slot) == 0)
            return true; //  the same code twice (two copies on one poster)
    codes->count++;
    return codes->count < PROTO_QR_MAX_CODES;
}

int
proto_qr_decode_all_gray (const unsigned char *pixels, int width, int height, proto_qr_codes_t *out)
{
    if (!out)
        return -1;
    out->count = 0;
    if (!pixels || width <= 0 || height <= 0)
        return -1;
    if (s_scan (pixels, width, height, s_take_each, out) != 0)
        return -1;
    return out->count;
}

int
proto_qr_decode_all_png (const char *path, proto_qr_codes_t *out)
{
    if (!out)
        return -1;
    out->count = 0;
    unsigned char *pixels = NULL;
    int width, height;
    if (proto_png_read_gray (path, &pixels, &width, &height))
        return -1;
    int rc = proto_qr_decode_all_gray (pixels, width, height, out);
    free (pixels);
    return rc;
}

int
proto_qr_decode_png (const char *path, char *out, size_t out_size)
{
    if (out && out_size)
        out[0] = 0;
    unsigned char *pixels = NULL;
    int width, height;
    if (proto_png_read_gray (path, &pixels, &width, &height))
        return -1;
    int rc = proto_qr_decode_gray (pixels, width, height, out, out_size);
    free (pixels);
    return rc;
}

//  libpng reports errors through these. The message goes into the caller's buffer and
//  is printed once, with the file name, where the error is handled.
typedef struct {
    jmp_buf jmp;
    char message[160];
} s_png_error_t;

static void
s_png_error (png_structp png, png_const_charp message)
{
    s_png_error_t *err = png_get_error_ptr (png);
    snprintf (err->message, sizeof err->message, "%s", message);
    longjmp (err->jmp, 1);
}

static void
s_png_warning (png_structp png, png_const_charp message)
{
    //  Warnings (odd colour profiles, text chunks) do not stop us reading pixels.
    (void)png;
    (void)message;
}

int
proto_png_read_gray (const char *path, unsigned char **pixels, int *width, int *height)
{
    if (!path || !pixels || !width || !height)
        return -1;
    *pixels = NULL;
    *width = *height = 0;

    //  Everything that changes between setjmp and a longjmp back is volatile, so the
    //  cleanup after a libpng error sees the real values rather than stale registers.
    FILE *volatile file = NULL;
    unsigned char *volatile raw = NULL;
    unsigned char *volatile gray = NULL;
    png_bytep *volatile rows = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    s_png_error_t err;
    err.message[0] = 0;

    //  Without blocking, and only a regular file: a FIFO or a device named *.png would
    //  otherwise hang the reader until someone writes to it.
    int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    const char *why = NULL;
    if (fd < 0 || fstat (fd, &st) != 0)
        why = strerror (errno);
    else if (!S_ISREG (st.st_mode))
        why = "not a regular file";
    else if (!(file = fdopen (fd, "rb")))
        why = strerror (errno);
    if (why) {
        fprintf (stderr, "proto_qr: cannot open '%s': %s\n", path, why);
        if (fd >= 0)
            close (fd);
        return -1;
    }
    unsigned char signature[8];
    if (fread (signature, 1, sizeof signature, file) != sizeof signature ||
        png_sig_cmp (signature, 0, sizeof signature)) {
        fprintf (stderr, "proto_qr: '%s' is not a PNG file\n", path);
        fclose (file);
        return -1;
    }
    png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &err, s_png_error, s_png_warning);
    if (png)
        info = png_create_info_struct (png);
    if (!png || !info) {
        snprintf (err.message, sizeof err.message, "out of memory");
        goto fail;
    }
    if (setjmp (err.jmp))
        goto fail;

    png_init_io (png, file);
    png_set_sig_bytes (png, sizeof signature);
    png_set_user_limits (png, S_PNG_MAX_SIDE, S_PNG_MAX_SIDE);
    png_read_info (png, info);

    int color_type = png_get_color_type (png, info);
    //  Palette → RGB, gray below 8 bits → 8 bits, tRNS → alpha channel; then 16 → 8 bits.
    png_set_expand (png);
    png_set_strip_16 (png);
    if ((color_type & PNG_COLOR_MASK_COLOR) || color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_rgb_to_gray (png, PNG_ERROR_ACTION_NONE, -1, -1);
    png_set_interlace_handling (png);
    png_read_update_info (png, info);

    png_uint_32 w = png_get_image_width (png, info);
    png_uint_32 h = png_get_image_height (png, info);
    int channels = png_get_channels (png, info);
    size_t rowbytes = png_get_rowbytes (png, info);
    if (png_get_bit_depth (png, info) != 8 || (channels != 1 && channels != 2) ||
        rowbytes < (size_t)w * (size_t)channels) {
        snprintf (err.message, sizeof err.message, "unexpected pixel layout");
        goto fail;
    }
    raw = malloc (rowbytes * h);
    rows = malloc (sizeof (png_bytep) * h);
    gray = malloc ((size_t)w * h);
    if (!raw || !rows || !gray) {
        snprintf (err.message, sizeof err.message, "out of memory");
        goto fail;
    }
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = raw + y * rowbytes;
    png_read_image (png, rows);
    png_read_end (png, NULL);

    for (png_uint_32 y = 0; y < h; y++) {
        const unsigned char *src = raw + y * rowbytes;
        unsigned char *dst = gray + (size_t)y * w;
        if (channels == 1)
            memcpy (dst, src, w);
        else
            //  Over white paper: g·a + 255·(1 − a), rounded.
            for (png_uint_32 x = 0; x < w; x++) {
                unsigned g = src[2 * x], a = src[2 * x + 1];
                dst[x] = (unsigned char)((g * a + 255 * (255 - a) + 127) / 255);
            }
    }
    png_destroy_read_struct (&png, &info, NULL);
    free (rows);
    free (raw);
    fclose (file);
    *pixels = gray;
    *width = (int)w;
    *height = (int)h;
    return 0;

fail:
    fprintf (stderr, "proto_qr: cannot read '%s': %s\n", path,
             err.message[0] ? err.message : "corrupt PNG");
    png_destroy_read_struct (&png, &info, NULL);
    free (rows);
    free (raw);
    free (gray);
    fclose (file);
    return -1;
}

int
proto_png_write_gray (const char *path, const unsigned char *pixels, int width, int height)
{
    if (!path || !pixels || width <= 0 || height <= 0 || width > S_PNG_MAX_SIDE ||
        height > S_PNG_MAX_SIDE) {
        fprintf (stderr, "proto_qr: cannot write '%s': bad image\n", path ? path : "(null)");
        return -1;
    }
    FILE *volatile file = NULL;
    png_bytep *volatile rows = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    s_png_error_t err;
    err.message[0] = 0;

    file = fopen (path, "wb");
    if (!file) {
        fprintf (stderr, "proto_qr: cannot create '%s': %s\n", path, strerror (errno));
        return -1;
    }
    png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &err, s_png_error, s_png_warning);
    if (png)
        info = png_create_info_struct (png);
    rows = malloc (sizeof (png_bytep) * (size_t)height);
    if (!png || !info || !rows) {
        snprintf (err.message, sizeof err.message, "out of memory");
        goto fail;
    }
    if (setjmp (err.jmp))
        goto fail;

    png_init_io (png, file);
    png_set_IHDR (png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_GRAY,
                  PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info (png, info);
    //  libpng's row pointers are not const, but png_write_image only reads through them.
    for (int y = 0; y < height; y++)
        rows[y] = (png_bytep)(pixels + (size_t)y * (size_t)width);
    png_write_image (png, rows);
    png_write_end (png, NULL);
    png_destroy_write_struct (&png, &info);
    free (rows);
    FILE *f = file;
    file = NULL;
    if (fclose (f)) {
        fprintf (stderr, "proto_qr: cannot write '%s': %s\n", path, strerror (errno));
        unlink (path);
        return -1;
    }
    return 0;

fail:
    fprintf (stderr, "proto_qr: cannot write '%s': %s\n", path,
             err.message[0] ? err.message : "libpng error");
    png_destroy_write_struct (&png, &info);
    free (rows);
    fclose (file);
    unlink (path);
    return -1;
}
