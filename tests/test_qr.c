/*  test_qr.c — proto_qr: our encoder and decoder against each other and against the
    independent qrencode and zbarimg command-line tools, PNG reading of odd formats and
    bad files, and the UTF-8 validator. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdbool.h>
#include <png.h>
#include <qrencode.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto_qr.h"
#include "tests.h"

extern char **environ;

#define S_TOKEN   "MZXW6YTBOI3DKNZTGQ2DMNBVGI"
#define S_URL     "http://127.0.0.1:8080/t/" S_TOKEN
#define S_CHINESE "请 A023 号到 5 号窗口"

static char s_dir[64];

static int
s_init (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/onewindow-qr-XXXXXX");
    return mkdtemp (s_dir) ? 0 : -1;
}

static int
s_clean (void)
{
    DIR *dir = opendir (s_dir);
    if (!dir)
        return -1;
    struct dirent *entry;
    char path[512];
    while ((entry = readdir (dir)))
        if (strcmp (entry->d_name, ".") && strcmp (entry->d_name, "..")) {
            snprintf (path, sizeof path, "%s/%s", s_dir, entry->d_name);
            unlink (path);
        }
    closedir (dir);
    return rmdir (s_dir);
}

static void
s_path (char *buf, size_t size, const char *name)
{
    snprintf (buf, size, "%s/%s", s_dir, name);
}

//  Runs argv (no shell, so any bytes can be passed) and returns its exit status, or -1.
static int
s_run (char *const argv[])
{
    pid_t pid;
    if (posix_spawnp (&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    int status;
    if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
        return -1;
    return WEXITSTATUS (status);
}

//  Decodes `path` with the zbarimg tool in binary mode; returns the length or -1.
static int
s_zbarimg (const char *path, char *out, size_t size)
{
    //  Only our own mkdtemp paths come here; make sure quoting cannot break.
    if (strchr (path, '\''))
        return -1;
    char command[600];
    snprintf (command, sizeof command, "zbarimg --raw -q -Sbinary '%s' 2>/dev/null", path);
    FILE *pipe = popen (command, "r");
    if (!pipe)
        return -1;
    size_t len = fread (out, 1, size - 1, pipe);
    int status = pclose (pipe);
    if (status != 0)
        return -1;
    if (len > 0 && out[len - 1] == '\n')
        len--;
    out[len] = 0;
    return (int)len;
}

//  Encodes, renders and writes `text` to `path` with our own code.
static void
s_make_png (const char *text, const char *path)
{
    proto_qr_t qr;
    CU_ASSERT_FATAL (proto_qr_encode (text, &qr) == 0);
    unsigned char *pixels = NULL;
    int size = 0;
    CU_ASSERT_FATAL (proto_qr_render (&qr, 6, 4, &pixels, &size) == 0);
    CU_ASSERT_EQUAL (size, (qr.width + 8) * 6);
    CU_ASSERT_EQUAL (proto_png_write_gray (path, pixels, size, size), 0);
    free (pixels);
    proto_qr_free (&qr);
}

static void
s_roundtrip (const char *text, const char *name)
{
    char path[256], out[512];
    s_path (path, sizeof path, name);
    s_make_png (text, path);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), (int)strlen (text));
    CU_ASSERT_STRING_EQUAL (out, text);
    CU_ASSERT_EQUAL (s_zbarimg (path, out, sizeof out), (int)strlen (text));
    CU_ASSERT_STRING_EQUAL (out, text);
}

static void
test_roundtrip_token (void)
{
    proto_qr_t qr;
    CU_ASSERT_FATAL (proto_qr_encode (S_TOKEN, &qr) == 0);
    //  26 alphanumeric characters at level M need version 2.
    CU_ASSERT_EQUAL (qr.width, 25);
    //  Finder pattern corners: dark ring, light ring, dark centre.
    CU_ASSERT_EQUAL (qr.dark[0], 1);
    CU_ASSERT_EQUAL (qr.dark[1 * 25 + 1], 0);
    CU_ASSERT_EQUAL (qr.dark[3 * 25 + 3], 1);
    CU_ASSERT_EQUAL (qr.dark[7], 0); //  separator
    proto_qr_free (&qr);
    CU_ASSERT_PTR_NULL (qr.dark);
    CU_ASSERT_EQUAL (qr.width, 0);
    proto_qr_free (&qr); //  a second free is harmless
    proto_qr_free (NULL);
    s_roundtrip (S_TOKEN, "token.png");
}

static void
test_roundtrip_url (void)
{
    s_roundtrip (S_URL, "url.png");
}

static void
test_roundtrip_chinese (void)
{
    s_roundtrip (S_CHINESE, "chinese.png");
}

//  Decoding straight from pixels, and the out_size boundary.
static void
test_decode_gray_sizes (void)
{
    proto_qr_t qr;
    CU_ASSERT_FATAL (proto_qr_encode (S_TOKEN, &qr) == 0);
    unsigned char *pixels = NULL;
    int size = 0;
    CU_ASSERT_FATAL (proto_qr_render (&qr, 4, 4, &pixels, &size) == 0);
    char out[64];
    CU_ASSERT_EQUAL (proto_qr_decode_gray (pixels, size, size, out, 27), 26);
    CU_ASSERT_STRING_EQUAL (out, S_TOKEN);
    CU_ASSERT_EQUAL (proto_qr_decode_gray (pixels, size, size, out, 26), -1);
    CU_ASSERT_EQUAL (proto_qr_decode_gray (pixels, size, size, out, 0), -1);
    CU_ASSERT_EQUAL (proto_qr_decode_gray (NULL, size, size, out, sizeof out), -1);
    CU_ASSERT_EQUAL (proto_qr_decode_gray (pixels, 0, size, out, sizeof out), -1);
    //  Inverted (light on dark) is not what we print; the decoder need not find it, but
    //  must not crash or return garbage.
    for (int i = 0; i < size * size; i++)
        pixels[i] = (unsigned char)(255 - pixels[i]);
    int rc = proto_qr_decode_gray (pixels, size, size, out, sizeof out);
    CU_ASSERT (rc == -1 || (rc == 26 && strcmp (out, S_TOKEN) == 0));
    free (pixels);
    proto_qr_free (&qr);
}

//  Images from the independent encoder, including a 1-bit palette PNG and UTF-8 Chinese.
static void
test_decode_qrencode_cli (void)
{
    const char *texts[] = {S_TOKEN, S_URL, S_CHINESE, "滨海新区政务服务中心"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char path[256], out[512];
        s_path (path, sizeof path, "cli.png");
        char *argv[] = {"qrencode", "-o", path, "-s", "6", "-m", "4", (char *)texts[i], NULL};
        CU_ASSERT_FATAL (s_run (argv) == 0);
        CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), (int)strlen (texts[i]));
        CU_ASSERT_EQUAL (memcmp (out, texts[i], strlen (texts[i]) + 1), 0);
    }
}

//  A QR code whose bytes are not UTF-8 (an overlong '/') or contain a NUL is rejected.
static void
test_decode_rejects_binary (void)
{
    char path[256], out[512];
    s_path (path, sizeof path, "overlong.png");
    char *argv[] = {"qrencode",
                    "-o",
                    path,
                    "-s",
                    "6",
                    "-m",
                    "4",
                    "ab\xC0\xAF"
                    "cd",
                    NULL};
    CU_ASSERT_FATAL (s_run (argv) == 0);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);

    static const unsigned char with_nul[] = {'a', 'b', 0, 'c', 'd'};
    QRcode *code = QRcode_encodeData (sizeof with_nul, with_nul, 0, QR_ECLEVEL_M);
    CU_ASSERT_PTR_NOT_NULL_FATAL (code);
    proto_qr_t qr = {code->width, malloc ((size_t)(code->width * code->width))};
    CU_ASSERT_PTR_NOT_NULL_FATAL (qr.dark);
    for (int i = 0; i < code->width * code->width; i++)
        qr.dark[i] = code->data[i] & 1;
    QRcode_free (code);
    unsigned char *pixels = NULL;
    int size = 0;
    CU_ASSERT_FATAL (proto_qr_render (&qr, 6, 4, &pixels, &size) == 0);
    CU_ASSERT_EQUAL (proto_qr_decode_gray (pixels, size, size, out, sizeof out), -1);
    free (pixels);
    proto_qr_free (&qr);
}

//  Pastes `sym` (size×size) into `img` (w wide) at (x, y).
static void
s_paste (unsigned char *img, int w, const unsigned char *sym, int size, int x, int y)
{
    for (int r = 0; r < size; r++)
        memcpy (img + (size_t)(y + r) * (size_t)w + (size_t)x, sym + (size_t)r * (size_t)size,
                (size_t)size);
}

//  The QR code of `text` at `scale` pixels a module, pasted into `img` at (x, y).
static void
s_paste_code (unsigned char *img, int w, const char *text, int scale, int x, int y)
{
    proto_qr_t qr;
    unsigned char *sym = NULL;
    int size = 0;
    CU_ASSERT_FATAL (proto_qr_encode (text, &qr) == 0);
    CU_ASSERT_FATAL (proto_qr_render (&qr, scale, 4, &sym, &size) == 0);
    s_paste (img, w, sym, size, x, y);
    free (sym);
    proto_qr_free (&qr);
}

//  Two codes side by side: the single decoder gives one of them, whole; the decoder of
//  every code gives both, each once, and leaves out a code that is not text.
static void
test_decode_two_codes (void)
{
    int w = 2 * 6 * 41, h = 6 * 41;
    unsigned char *img = malloc ((size_t)(w * h));
    CU_ASSERT_PTR_NOT_NULL_FATAL (img);
    memset (img, 255, (size_t)(w * h));
    s_paste_code (img, w, S_TOKEN, 6, 0, 0);
    s_paste_code (img, w, S_URL, 6, w / 2, 0);
    char out[512];
    int rc = proto_qr_decode_gray (img, w, h, out, sizeof out);
    CU_ASSERT (rc > 0 && (strcmp (out, S_TOKEN) == 0 || strcmp (out, S_URL) == 0));
    CU_ASSERT_EQUAL (rc, (int)strlen (out));
    proto_qr_codes_t codes;
    CU_ASSERT_EQUAL (proto_qr_decode_all_gray (img, w, h, &codes), 2);
    CU_ASSERT_EQUAL (codes.count, 2);
    bool token = false, url = false;
    for (int i = 0; i < codes.count; i++) {
        token |= strcmp (codes.text[i], S_TOKEN) == 0;
        url |= strcmp (codes.text[i], S_URL) == 0;
    }
    CU_ASSERT_TRUE (token && url);

    //  The same poster twice is one code.
    s_paste_code (img, w, S_TOKEN, 6, w / 2, 0);
    CU_ASSERT_EQUAL (proto_qr_decode_all_gray (img, w, h, &codes), 1);
    CU_ASSERT_STRING_EQUAL (codes.text[0], S_TOKEN);
    //  Nothing at all.
    memset (img, 255, (size_t)(w * h));
    CU_ASSERT_EQUAL (proto_qr_decode_all_gray (img, w, h, &codes), 0);
    CU_ASSERT_EQUAL (proto_qr_decode_all_gray (NULL, w, h, &codes), -1);
    CU_ASSERT_EQUAL (proto_qr_decode_all_gray (img, w, h, NULL), -1);
    free (img);
}

//  A 1920×1080 camera frame (gray, noisy) with a citizen's phone (the slip's URL, small)
//  beside a poster's code (the hall's own web page, large), as a PNG: the file decoder
//  gives both, like zbarimg does.
static void
test_decode_camera_frame (void)
{
    int w = 1920, h = 1080;
    unsigned char *img = malloc ((size_t)(w * h));
    CU_ASSERT_PTR_NOT_NULL_FATAL (img);
    unsigned seed = 7;
    for (int i = 0; i < w * h; i++) {
        seed = seed * 1103515245u + 12345u;
        img[i] = (unsigned char)(170 + (i % w) / 40 + (int)((seed >> 16) % 11));
    }
    s_paste_code (img, w, "https://www.gov.cn/zhengce/hall-guide", 10, 200, 200);
    s_paste_code (img, w, S_URL, 5, 1300, 500);
    char path[256];
    s_path (path, sizeof path, "camera.png");
    CU_ASSERT_FATAL (proto_png_write_gray (path, img, w, h) == 0);
    free (img);
    proto_qr_codes_t codes;
    CU_ASSERT_EQUAL (proto_qr_decode_all_png (path, &codes), 2);
    bool phone = false, poster = false;
    for (int i = 0; i < codes.count; i++) {
        phone |= strcmp (codes.text[i], S_URL) == 0;
        poster |= strcmp (codes.text[i], "https://www.gov.cn/zhengce/hall-guide") == 0;
    }
    CU_ASSERT_TRUE (phone && poster);
    char out[512];
    CU_ASSERT (s_zbarimg (path, out, sizeof out) > 0 && strstr (out, S_URL) &&
               strstr (out, "https://www.gov.cn/zhengce/hall-guide"));
    //  No picture is not "no code": -1.
    s_path (path, sizeof path, "none.png");
    CU_ASSERT_EQUAL (proto_qr_decode_all_png (path, &codes), -1);
    CU_ASSERT_EQUAL (codes.count, 0);
}

//  Writes `gray` as RGBA 8-bit (light pixels fully transparent *black*, so only
//  compositing on white makes them light) or as 16-bit gray.
static int
s_write_png_as (const char *path, const unsigned char *gray, int w, int h, int rgba)
{
    FILE *file = fopen (path, "wb");
    if (!file)
        return -1;
    png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct (png);
    unsigned char *row = malloc ((size_t)w * 4);
    if (setjmp (png_jmpbuf (png))) {
        png_destroy_write_struct (&png, &info);
        fclose (file);
        free (row);
        return -1;
    }
    png_init_io (png, file);
    png_set_IHDR (png, info, (png_uint_32)w, (png_uint_32)h, rgba ? 8 : 16,
                  rgba ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                  PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info (png, info);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            unsigned char v = gray[y * w + x];
            if (rgba) {
                row[4 * x] = row[4 * x + 1] = row[4 * x + 2] = 0;
                row[4 * x + 3] = (unsigned char)(255 - v);
            } else
                row[2 * x] = row[2 * x + 1] = v; //  v·257, big-endian
        }
        png_write_row (png, row);
    }
    png_write_end (png, NULL);
    png_destroy_write_struct (&png, &info);
    free (row);
    return fclose (file) ? -1 : 0;
}

static void
test_png_formats (void)
{
    proto_qr_t qr;
    CU_ASSERT_FATAL (proto_qr_encode (S_URL, &qr) == 0);
    unsigned char *pixels = NULL;
    int size = 0;
    CU_ASSERT_FATAL (proto_qr_render (&qr, 6, 4, &pixels, &size) == 0);
    char path[256], out[512];
    for (int rgba = 0; rgba <= 1; rgba++) {
        s_path (path, sizeof path, rgba ? "rgba.png" : "gray16.png");
        CU_ASSERT_FATAL (s_write_png_as (path, pixels, size, size, rgba) == 0);
        unsigned char *back = NULL;
        int w = 0, h = 0;
        CU_ASSERT_FATAL (proto_png_read_gray (path, &back, &w, &h) == 0);
        CU_ASSERT_EQUAL (w, size);
        CU_ASSERT_EQUAL (h, size);
        CU_ASSERT_EQUAL (memcmp (back, pixels, (size_t)(size * size)), 0);
        free (back);
        CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), (int)strlen (S_URL));
        CU_ASSERT_STRING_EQUAL (out, S_URL);
    }
    free (pixels);
    proto_qr_free (&qr);
}

static void
test_png_bad_files (void)
{
    char path[256], out[64] = "unchanged";
    unsigned char *pixels = (unsigned char *)"x";
    int w = 1, h = 1;

    //  All white: a valid PNG with no code in it.
    s_path (path, sizeof path, "white.png");
    unsigned char white[200 * 100];
    memset (white, 255, sizeof white);
    CU_ASSERT_FATAL (proto_png_write_gray (path, white, 200, 100) == 0);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);
    CU_ASSERT_STRING_EQUAL (out, "");

    //  Text pretending to be an image.
    s_path (path, sizeof path, "not.png");
    FILE *file = fopen (path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL (file);
    fputs ("this is not a PNG file at all\n", file);
    fclose (file);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);
    CU_ASSERT_EQUAL (proto_png_read_gray (path, &pixels, &w, &h), -1);
    CU_ASSERT_PTR_NULL (pixels);

    //  A real PNG cut in half: libpng fails mid-image and longjmps.
    s_make_png (S_URL, path);
    FILE *in = fopen (path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL (in);
    char buf[8192];
    size_t n = fread (buf, 1, sizeof buf, in);
    fclose (in);
    CU_ASSERT_FATAL (n > 100);
    s_path (path, sizeof path, "half.png");
    file = fopen (path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL (file);
    fwrite (buf, 1, n / 2, file);
    fclose (file);
    CU_ASSERT_EQUAL (proto_png_read_gray (path, &pixels, &w, &h), -1);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);

    //  Corrupt header CRC.
    s_path (path, sizeof path, "crc.png");
    buf[29] ^= 0x55;
    file = fopen (path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL (file);
    fwrite (buf, 1, n, file);
    fclose (file);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);

    //  A FIFO named like a frame: refused at once, never waited on for a writer.
    s_path (path, sizeof path, "fifo.png");
    CU_ASSERT_FATAL (mkfifo (path, 0600) == 0);
    CU_ASSERT_EQUAL (proto_png_read_gray (path, &pixels, &w, &h), -1);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);

    s_path (path, sizeof path, "missing.png");
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);
    CU_ASSERT_EQUAL (proto_png_read_gray (NULL, &pixels, &w, &h), -1);

    //  Writing where no directory exists fails cleanly.
    CU_ASSERT_EQUAL (proto_png_write_gray ("/nonexistent-dir/x.png", white, 200, 100), -1);
    CU_ASSERT_EQUAL (proto_png_write_gray (path, white, 0, 100), -1);
}

static void
test_encode_bad (void)
{
    proto_qr_t qr = {7, (unsigned char *)"x"};
    CU_ASSERT_EQUAL (proto_qr_encode ("", &qr), -1);
    CU_ASSERT_PTR_NULL (qr.dark);
    CU_ASSERT_EQUAL (proto_qr_encode (NULL, &qr), -1);
    CU_ASSERT_EQUAL (proto_qr_encode ("x", NULL), -1);
    //  2331 bytes is the most an 8-bit code at level M holds.
    char big[3001];
    memset (big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CU_ASSERT_EQUAL (proto_qr_encode (big, &qr), -1);
    CU_ASSERT_EQUAL (qr.width, 0);

    unsigned char *pixels = NULL;
    int size = 0;
    CU_ASSERT_FATAL (proto_qr_encode (S_TOKEN, &qr) == 0);
    CU_ASSERT_EQUAL (proto_qr_render (&qr, 0, 4, &pixels, &size), -1);
    CU_ASSERT_EQUAL (proto_qr_render (&qr, 4, -1, &pixels, &size), -1);
    CU_ASSERT_EQUAL (proto_qr_render (NULL, 4, 4, &pixels, &size), -1);
    CU_ASSERT_EQUAL (proto_qr_render (&qr, 100000, 4, &pixels, &size), -1);
    CU_ASSERT_PTR_NULL (pixels);
    //  Quiet zone is white and exactly `quiet` modules wide.
    CU_ASSERT_FATAL (proto_qr_render (&qr, 2, 4, &pixels, &size) == 0);
    CU_ASSERT_EQUAL (size, (25 + 8) * 2);
    CU_ASSERT_EQUAL (pixels[7 * size + 7], 255);
    CU_ASSERT_EQUAL (pixels[8 * size + 8], 0);
    CU_ASSERT_EQUAL (pixels[(size - 1) * size + size - 1], 255);
    free (pixels);
    proto_qr_free (&qr);
}

#define S_VALID(lit) proto_utf8_valid (lit, sizeof (lit) - 1)

static void
test_utf8 (void)
{
    CU_ASSERT_TRUE (S_VALID (""));
    CU_ASSERT_TRUE (S_VALID ("plain ASCII"));
    CU_ASSERT_TRUE (S_VALID ("请 A023 号到 5 号窗口"));
    CU_ASSERT_TRUE (S_VALID ("\xC2\x80"));         //  U+0080, smallest 2-byte
    CU_ASSERT_TRUE (S_VALID ("\xE0\xA0\x80"));     //  U+0800, smallest 3-byte
    CU_ASSERT_TRUE (S_VALID ("\xED\x9F\xBF"));     //  U+D7FF, just below surrogates
    CU_ASSERT_TRUE (S_VALID ("\xEE\x80\x80"));     //  U+E000, just above
    CU_ASSERT_TRUE (S_VALID ("\xF0\x9F\x98\x80")); //  U+1F600
    CU_ASSERT_TRUE (S_VALID ("\xF4\x8F\xBF\xBF")); //  U+10FFFF
    CU_ASSERT_TRUE (S_VALID ("a\0b"));             //  NUL is UTF-8; callers check it

    CU_ASSERT_FALSE (S_VALID ("\xC0\xAF"));         //  overlong '/'
    CU_ASSERT_FALSE (S_VALID ("\xC1\xBF"));         //  overlong
    CU_ASSERT_FALSE (S_VALID ("\xE0\x80\xAF"));     //  overlong, 3 bytes
    CU_ASSERT_FALSE (S_VALID ("\xF0\x80\x80\xAF")); //  overlong, 4 bytes
    CU_ASSERT_FALSE (S_VALID ("\xED\xA0\x80"));     //  U+D800 surrogate
    CU_ASSERT_FALSE (S_VALID ("\xED\xBF\xBF"));     //  U+DFFF surrogate
    CU_ASSERT_FALSE (S_VALID ("\xF4\x90\x80\x80")); //  U+110000
    CU_ASSERT_FALSE (S_VALID ("\xF5\x80\x80\x80"));
    CU_ASSERT_FALSE (S_VALID ("\xFF"));
    CU_ASSERT_FALSE (S_VALID ("\x80")); //  lone continuation
    CU_ASSERT_FALSE (S_VALID ("a\xBF"
                              "b"));
    CU_ASSERT_FALSE (S_VALID ("\xE8\xAF")); //  请 without its last byte
    CU_ASSERT_FALSE (S_VALID ("\xE8\xAF"
                              "A")); //  ... followed by ASCII
    CU_ASSERT_FALSE (S_VALID ("\xF0\x9F\x98"));
    CU_ASSERT_FALSE (S_VALID ("\xE8\xAF\xB7\xE8")); //  truncated at the end
    //  The length is honoured: the first two bytes of 请 alone are truncated.
    CU_ASSERT_FALSE (proto_utf8_valid ("请", 2));
    CU_ASSERT_TRUE (proto_utf8_valid ("请", 3));
}

int
test_qr_suite (void)
{
    CU_pSuite suite = CU_add_suite ("qr", s_init, s_clean);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "encode/render/decode a token, both decoders", test_roundtrip_token) ||
        !CU_add_test (suite, "encode/render/decode a URL, both decoders", test_roundtrip_url) ||
        !CU_add_test (suite, "encode/render/decode Chinese, both decoders",
                      test_roundtrip_chinese) ||
        !CU_add_test (suite, "decode from pixels, out_size boundary", test_decode_gray_sizes) ||
        !CU_add_test (suite, "decode images made by qrencode CLI", test_decode_qrencode_cli) ||
        !CU_add_test (suite, "reject non-UTF-8 and NUL payloads", test_decode_rejects_binary) ||
        !CU_add_test (suite, "two codes in one image", test_decode_two_codes) ||
        !CU_add_test (suite, "a 1080p camera frame: a phone beside a poster",
                      test_decode_camera_frame) ||
        !CU_add_test (suite, "RGBA with alpha and 16-bit gray PNGs", test_png_formats) ||
        !CU_add_test (suite, "blank, non-PNG, truncated, missing files", test_png_bad_files) ||
        !CU_add_test (suite, "encode and render bad input", test_encode_bad) ||
        !CU_add_test (suite, "UTF-8 validator", test_utf8))
        return -1;
    return 0;
}
