/*  proto_qr.h — QR codes in and out: encode with libqrencode, decode with ZBar, and the
    8-bit gray PNG files they travel in (libpng).

    Every process uses this: the kiosk prints a token as a QR code, the counter and the
    pickup desk scan it back. Text goes in and comes out as raw bytes — the decoder never
    guesses a character set (ZBar's guess turns short Chinese text into Shift-JIS mojibake);
    it only accepts what is valid UTF-8 without NUL, and hands back the exact bytes.

    Pixels are 8-bit gray, row-major, no padding: 0 is black, 255 is white.
    Errors are reported once on stderr with the reason; functions return -1. */
#ifndef PROTO_QR_H
#define PROTO_QR_H

#include <stdbool.h>
#include <stddef.h>

//  A QR symbol as modules, without quiet zone.
typedef struct {
    int width;           //  modules per side (21 for version 1, +4 per version)
    unsigned char *dark; //  width*width bytes, dark[y*width+x] = 1 for dark; owned
} proto_qr_t;

//  Encodes `text` (NUL-terminated, 1+ bytes) at error correction M, letting libqrencode
//  pick numeric/alphanumeric/8-bit segments case-sensitively, so an upper-case token
//  stays in compact alphanumeric mode. Fills *out, which the caller releases with
//  proto_qr_free. On -1 (empty text, too long for any version, out of memory) *out is
//  {0, NULL}.
int proto_qr_encode (const char *text, proto_qr_t *out);
//  Frees the modules and resets *qr to {0, NULL}. Safe on NULL and on a freed symbol.
void proto_qr_free (proto_qr_t *qr);

//  Renders `qr` as gray pixels: each module scale×scale pixels (scale >= 1), with `quiet`
//  modules of white border on every side (the standard asks for 4). Sets *pixels to a new
//  (*size)×(*size) buffer the caller frees. -1 on bad arguments or out of memory.
int proto_qr_render (const proto_qr_t *qr, int scale, int quiet, unsigned char **pixels, int *size);

//  Finds a QR code in a gray image (pixels borrowed) and copies its bytes plus a NUL into
//  `out`. If the image holds several codes the first ZBar reports is used. Returns the
//  data length, or -1 if there is no QR code, its bytes are not valid UTF-8 or contain a
//  NUL, or they do not fit in out_size - 1 bytes.
int proto_qr_decode_gray (const unsigned char *pixels, int width, int height, char *out,
                          size_t out_size);
//  proto_qr_decode_gray on the image in the PNG file at `path`.
int proto_qr_decode_png (const char *path, char *out, size_t out_size);

#define PROTO_QR_MAX_CODES 8    //  codes kept from one image
#define PROTO_QR_TEXT_MAX  1024 //  bytes of one code's text, its NUL included

//  The codes found in one image: a citizen's phone beside a poster is two.
typedef struct {
    int count;                                        //  0..PROTO_QR_MAX_CODES
    char text[PROTO_QR_MAX_CODES][PROTO_QR_TEXT_MAX]; //  each NUL-terminated, all different
} proto_qr_codes_t;

//  Finds every QR code in a gray image (pixels borrowed) and keeps, in ZBar's order, the
//  text of each that is valid UTF-8 without NUL and fits, each text once, up to
//  PROTO_QR_MAX_CODES. Returns out->count (0: none), or -1 on bad arguments or out of memory.
int proto_qr_decode_all_gray (const unsigned char *pixels, int width, int height,
                              proto_qr_codes_t *out);
//  proto_qr_decode_all_gray on the PNG file at `path`; -1 (count 0) when the file cannot be
//  read as a picture (missing, not a regular file, truncated, corrupt), so a caller tells
//  "no code in the picture" (0) from "no picture yet" (-1).
int proto_qr_decode_all_png (const char *path, proto_qr_codes_t *out);

//  True if `s` (len bytes) is well-formed UTF-8 (RFC 3629): no overlong forms, no
//  surrogates (U+D800–DFFF), nothing above U+10FFFF, no truncated sequence. NUL bytes
//  are valid UTF-8; callers that need C strings check for them separately.
bool proto_utf8_valid (const char *s, size_t len);

//  Reads any PNG (palette, gray, RGB, with or without alpha, 1–16 bits, interlaced) as
//  8-bit gray; transparent pixels are composited onto white, as paper would show them.
//  Sets *pixels to a new width×height buffer the caller frees. -1 if the file cannot be
//  opened, is not a regular file (a FIFO named *.png is refused, never waited on), is not
//  a PNG, is corrupt or cut short, or is larger than 16384 pixels on a side.
int proto_png_read_gray (const char *path, unsigned char **pixels, int *width, int *height);
//  Writes pixels (borrowed) as an 8-bit gray PNG, replacing `path`. On -1 no partial file
//  is left behind.
int proto_png_write_gray (const char *path, const unsigned char *pixels, int width, int height);

#endif
