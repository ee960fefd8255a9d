/*  test_slip.c — term_slip: the PNG carries its Chinese text (tesseract reads the hall's
    name and 您前面还有 back from the pixels) and its QR code (our decoder and zbarimg read
    it from the same file), the text slip has the banner, counts, hall-local time and a QR
    code that decodes when read back from its half blocks, and the ESC/POS bytes are
    exactly the commands a receipt printer needs, in GB18030. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto_qr.h"
#include "term_slip.h"
#include "tests.h"

#define S_TOKEN "MZXW6YTBOI3DKNZTGQ2DMNBVGI"
#define S_URL   "http://127.0.0.1:8080/t/" S_TOKEN

static char s_dir[64];

static int
s_init (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/onewindow-slip-XXXXXX");
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

static int
s_zbarimg (const char *path, char *out, size_t size)
{
    if (strchr (path, '\''))
        return -1;
    char command[600];
    snprintf (command, sizeof command, "zbarimg --raw -q -Sbinary '%s' 2>/dev/null", path);
    FILE *pipe = popen (command, "r");
    if (!pipe)
        return -1;
    size_t len = fread (out, 1, size - 1, pipe);
    if (pclose (pipe) != 0)
        return -1;
    if (len > 0 && out[len - 1] == '\n')
        len--;
    out[len] = 0;
    return (int)len;
}

//  The text tesseract reads in the image at `path` (Simplified Chinese and English), with
//  every space and line break taken out: tesseract puts spaces between some CJK
//  characters and not others, which says nothing about the slip. Caller frees; NULL if
//  tesseract did not run.
static char *
s_ocr (const char *path)
{
    if (strchr (path, '\''))
        return NULL;
    char command[600];
    snprintf (command, sizeof command,
              "OMP_THREAD_LIMIT=1 tesseract '%s' - -l chi_sim+eng 2>/dev/null", path);
    FILE *pipe = popen (command, "r");
    if (!pipe)
        return NULL;
    size_t size = 8192, len = 0;
    char *text = malloc (size);
    int c;
    while (text && (c = fgetc (pipe)) != EOF)
        if (c != ' ' && c != '\n' && len + 1 < size)
            text[len++] = (char)c;
    if (pclose (pipe) != 0 || !text) {
        free (text);
        return NULL;
    }
    text[len] = 0;
    return text;
}

static term_slip_t
s_sample (void)
{
    term_slip_t slip = {
        .hall = "滨海新区政务服务中心",
        .hall_en = "Binhai New Area Government Service Centre",
        .service = "企业开办",
        .service_en = "Business registration",
        .number = "A023",
        .ahead = 3,
        .est_wait_s = 270,
        .issued_ms = 1764291780000LL, //  2025-11-28 01:03:00 UTC
        .utc_offset_min = 480,
        .qr_text = S_TOKEN,
        .footer = "过号无效，请重新取号 / Missed numbers are void",
    };
    return slip;
}

//  term_slip_text into a malloc'd string (caller frees), or NULL if it returned -1.
static char *
s_text (const term_slip_t *slip)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream (&text, &len);
    if (!mem)
        return NULL;
    int rc = term_slip_text (slip, mem);
    fclose (mem);
    if (rc) {
        free (text);
        return NULL;
    }
    return text;
}

//  Reads a whole file into a malloc'd buffer.
static unsigned char *
s_slurp (const char *path, size_t *len)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    unsigned char *buf = malloc (65536);
    *len = buf ? fread (buf, 1, 65536, file) : 0;
    fclose (file);
    return buf;
}

static const unsigned char *
s_find (const unsigned char *hay, size_t hay_len, const void *needle, size_t len)
{
    return memmem (hay, hay_len, needle, len);
}

static void
test_png_scans (void)
{
    const char *texts[] = {S_TOKEN, S_URL};
    for (size_t i = 0; i < 2; i++) {
        term_slip_t slip = s_sample ();
        slip.qr_text = texts[i];
        char path[256], out[256];
        s_path (path, sizeof path, "slip.png");
        CU_ASSERT_FATAL (term_slip_png (&slip, path) == 0);
        CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), (int)strlen (texts[i]));
        CU_ASSERT_STRING_EQUAL (out, texts[i]);
        CU_ASSERT_EQUAL (s_zbarimg (path, out, sizeof out), (int)strlen (texts[i]));
        CU_ASSERT_STRING_EQUAL (out, texts[i]);

        unsigned char *pixels = NULL;
        int w = 0, h = 0;
        CU_ASSERT_FATAL (proto_png_read_gray (path, &pixels, &w, &h) == 0);
        CU_ASSERT_EQUAL (w, 384);
        CU_ASSERT (h > w);
        //  White paper with black ink somewhere above the code (the number).
        CU_ASSERT_EQUAL (pixels[0], 255);
        CU_ASSERT_PTR_NOT_NULL (memchr (pixels, 0, (size_t)w * 120));
        free (pixels);
    }
    //  A six-character number and no QR text still make an image.
    term_slip_t slip = s_sample ();
    slip.number = "A10245";
    slip.qr_text = NULL;
    slip.service_en = NULL;
    char path[256], out[64];
    s_path (path, sizeof path, "noqr.png");
    CU_ASSERT_EQUAL (term_slip_png (&slip, path), 0);
    CU_ASSERT_EQUAL (proto_qr_decode_png (path, out, sizeof out), -1);
    CU_ASSERT_EQUAL (term_slip_png (&slip, "/nonexistent-dir/slip.png"), -1);
}

//  The Chinese is in the pixels: OCR reads it back from the slip at its printed size
//  (384 px, 28 px type), and ZBar reads the QR code from the same file.
static void
test_png_ocr (void)
{
    CU_ASSERT_EQUAL_FATAL (system ("tesseract --list-langs 2>/dev/null | grep -qx chi_sim"), 0);
    term_slip_t slip = s_sample ();
    slip.qr_text = S_URL;
    char path[256], out[256];
    s_path (path, sizeof path, "ocr.png");
    CU_ASSERT_FATAL (term_slip_png (&slip, path) == 0);
    char *text = s_ocr (path);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    const char *want[] = {"滨海新区政务服务中心", "您前面还有3人", "企业开办", "预计等候约5分钟",
                          "取号时间2025-11-2809:03"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr (text, want[i])) {
            fprintf (stderr, "\n  OCR did not find '%s' in: %s\n", want[i], text);
            CU_FAIL ("the PNG slip lacks a line");
        }
    free (text);
    CU_ASSERT_EQUAL (s_zbarimg (path, out, sizeof out), (int)strlen (S_URL));
    CU_ASSERT_STRING_EQUAL (out, S_URL);

    //  Another hall, a bigger crowd and a wait of over an hour.
    slip.hall = "北京市朝阳区政务服务中心";
    slip.service = "不动产登记";
    slip.ahead = 17;
    slip.est_wait_s = 4000;
    CU_ASSERT_FATAL (term_slip_png (&slip, path) == 0);
    text = s_ocr (path);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "北京市朝阳区政务服务中心"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "您前面还有17人"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "预计等候约1小时7分钟"));
    free (text);

    //  A character no installed font can draw: refused, rather than printed as a box.
    slip.hall = "\xF4\x8F\xBF\xBD大厅"; //  U+10FFFD, private use
    unlink (path);
    CU_ASSERT_EQUAL (term_slip_png (&slip, path), -1);
    CU_ASSERT_EQUAL (access (path, F_OK), -1);
}

static void
test_text_content (void)
{
    term_slip_t slip = s_sample ();
    char *text = s_text (&slip);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "滨海新区政务服务中心"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "企业开办"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "Business registration"));
    //  Banner rows 1 and 4 of "A023", each font pixel two columns wide.
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "\n    ██████      ██████      ██████    ██████████\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "\n  ██████████  ██  ██  ██        ██          ██\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "A023"));
    //  Each sentence in Chinese, its English on the line below.
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "  滨海新区政务服务中心\n  Binhai New Area"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "  您前面还有 3 人\n  3 people ahead of you\n"));
    CU_ASSERT_PTR_NOT_NULL (
        strstr (text, "  预计等候约 5 分钟\n  Estimated wait: about 5 min\n")); //  270 s rounds up
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "取号时间 2025-11-28 09:03"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "  过号无效，请重新取号\n  Missed numbers are void\n"));
    CU_ASSERT_PTR_NULL (strstr (text, "你")); //  a citizen is addressed as 您
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "▀"));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "▄"));
    free (text);
}

//  The slip's text holds both lines.
static void
s_expect_text (const term_slip_t *slip, const char *zh, const char *en)
{
    char *text = s_text (slip);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, zh));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, en));
    free (text);
}

static void
s_expect_wait (long secs, const char *zh, const char *en)
{
    term_slip_t slip = s_sample ();
    slip.est_wait_s = secs;
    s_expect_text (&slip, zh, en);
}

static void
test_text_wait (void)
{
    s_expect_wait (-1, "暂无窗口开放", "No counter open");
    s_expect_wait (0, "预计等候不到 1 分钟", "under 1 min");
    s_expect_wait (59, "预计等候不到 1 分钟", "under 1 min");
    s_expect_wait (60, "预计等候约 1 分钟\n", "about 1 min\n");
    s_expect_wait (61, "预计等候约 2 分钟\n", "about 2 min\n");
    s_expect_wait (3600, "预计等候约 1 小时\n", "about 1 h\n");
    s_expect_wait (3601, "预计等候约 1 小时 1 分钟\n", "about 1 h 1 min\n");
}

static void
s_expect_interval (long lo, long hi, const char *zh, const char *en)
{
    term_slip_t slip = s_sample ();
    slip.est_wait_s = lo + hi > 0 ? (lo + hi) / 2 : 60;
    slip.est_wait_lo_s = lo;
    slip.est_wait_hi_s = hi;
    s_expect_text (&slip, zh, en);
}

//  The estimate's 80% interval, as the broker gives it (est_wait_lo_s, est_wait_hi_s).
static void
test_text_interval (void)
{
    s_expect_interval (1500, 2400, "预计等候约 25–40 分钟\n", "about 25–40 min\n");
    s_expect_interval (0, 600, "预计等候不超过 10 分钟\n", "up to 10 min\n");
    s_expect_interval (3000, 4800, "预计等候约 50 分钟 至 1 小时 20 分钟\n",
                       "about 50 min to 1 h 20 min\n");
    //  No interval (an older broker, or none learned yet): the point estimate.
    s_expect_interval (0, 0, "预计等候约 1 分钟\n", "about 1 min\n");
    s_expect_interval (600, 600, "预计等候约 10 分钟\n", "about 10 min\n");
}

static void
s_expect_time (long long ms, int offset, const char *when)
{
    term_slip_t slip = s_sample ();
    slip.issued_ms = ms;
    slip.utc_offset_min = offset;
    char *text = s_text (&slip);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, when));
    free (text);
}

//  The hall's clock, not the machine's: run under a TZ far from China.
static void
test_text_time (void)
{
    const char *saved = getenv ("TZ");
    char *old = saved ? strdup (saved) : NULL;
    setenv ("TZ", "America/New_York", 1);
    tzset ();
    s_expect_time (1764291780000LL, 480, "2025-11-28 09:03");
    s_expect_time (1764291780000LL, 0, "2025-11-28 01:03");
    s_expect_time (1764291780000LL, -300, "2025-11-27 20:03");
    s_expect_time (1764291780000LL, 345, "2025-11-28 06:48"); //  Nepal, +05:45
    s_expect_time (-1, 0, "1969-12-31 23:59");
    s_expect_time (1764287999999LL, 480, "2025-11-28 07:59");
    if (old)
        setenv ("TZ", old, 1);
    else
        unsetenv ("TZ");
    free (old);
    tzset ();
}

//  Reads the half-block QR back from the text slip: the lines after the blank line that
//  follows the time ("取号时间"). A glyph (█ ▀ ▄) is light, a space is dark, as qrencode -t UTF8
//  does.
static void
test_text_qr_scans (void)
{
    const char *texts[] = {S_TOKEN, S_URL};
    for (size_t t = 0; t < 2; t++) {
        term_slip_t slip = s_sample ();
        slip.qr_text = texts[t];
        char *text = s_text (&slip);
        CU_ASSERT_PTR_NOT_NULL_FATAL (text);
        char *p = strstr (text, "取号时间");
        CU_ASSERT_PTR_NOT_NULL_FATAL (p);
        p = strstr (p, "\n\n");
        CU_ASSERT_PTR_NOT_NULL_FATAL (p);
        p += 2;
        enum { MAX = 200, SCALE = 4 };
        static unsigned char modules[MAX][MAX];
        memset (modules, 0, sizeof modules);
        int rows = 0, cols = -1;
        while (*p && *p != '\n' && rows + 1 < MAX) {
            CU_ASSERT_FATAL (strncmp (p, "  ", 2) == 0);
            p += 2;
            int x = 0;
            while (*p && *p != '\n' && x < MAX) {
                int top, bottom, glyph_len = 3;
                if (*p == ' ')
                    top = bottom = 0, glyph_len = 1;
                else if (strncmp (p, "█", 3) == 0)
                    top = bottom = 1;
                else if (strncmp (p, "▀", 3) == 0)
                    top = 1, bottom = 0;
                else if (strncmp (p, "▄", 3) == 0)
                    top = 0, bottom = 1;
                else
                    break;
                p += glyph_len;
                modules[rows][x] = (unsigned char)top;
                modules[rows + 1][x] = (unsigned char)bottom;
                x++;
            }
            CU_ASSERT_FATAL (*p == '\n');
            p++;
            if (cols < 0)
                cols = x;
            CU_ASSERT_EQUAL (x, cols);
            rows += 2;
        }
        //  Symbol width + 2×4 quiet modules, an odd number, so the last line is half used.
        CU_ASSERT_FATAL (cols >= 29);
        CU_ASSERT_EQUAL (rows, cols + 1);
        //  Quiet zone: the first two module rows are light all the way across.
        for (int x = 0; x < cols; x++)
            CU_ASSERT_EQUAL (modules[0][x] & modules[1][x], 1);

        int side = cols * SCALE;
        unsigned char *img = malloc ((size_t)side * (size_t)side);
        CU_ASSERT_PTR_NOT_NULL_FATAL (img);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                img[y * side + x] = modules[y / SCALE][x / SCALE] ? 255 : 0;
        char out[128];
        CU_ASSERT_EQUAL (proto_qr_decode_gray (img, side, side, out, sizeof out),
                         (int)strlen (texts[t]));
        CU_ASSERT_STRING_EQUAL (out, texts[t]);
        free (img);
        free (text);
    }
}

static void
s_check_escpos (const char *qr_text)
{
    term_slip_t slip = s_sample ();
    slip.qr_text = qr_text;
    char path[256];
    s_path (path, sizeof path, "slip.bin");
    CU_ASSERT_FATAL (term_slip_escpos (&slip, path) == 0);
    size_t len = 0;
    unsigned char *bytes = s_slurp (path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL (bytes);
    CU_ASSERT_FATAL (len > 40);
    CU_ASSERT_EQUAL (bytes[0], 0x1B);
    CU_ASSERT_EQUAL (bytes[1], 0x40);

    size_t qlen = strlen (qr_text);
    unsigned char store[8] = {
        0x1D, 0x28, 0x6B, (unsigned char)((qlen + 3) & 0xFF), (unsigned char)((qlen + 3) >> 8),
        0x31, 0x50, 0x30};
    const unsigned char *at = s_find (bytes, len, store, sizeof store);
    CU_ASSERT_PTR_NOT_NULL_FATAL (at);
    CU_ASSERT_FATAL ((size_t)(at - bytes) + sizeof store + qlen <= len);
    CU_ASSERT_EQUAL (memcmp (at + sizeof store, qr_text, qlen), 0);
    static const unsigned char print[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30};
    CU_ASSERT_EQUAL (memcmp (at + sizeof store + qlen, print, sizeof print), 0);
    static const unsigned char model[] = {0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00};
    static const unsigned char level[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31};
    static const unsigned char size6[] = {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06};
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, model, sizeof model));
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, level, sizeof level));
    if (qlen < 100)
        CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, size6, sizeof size6));

    //  The same lines as the other forms, in GB18030: 您前面还有, 预计等候约, the hall, and
    //  the notice's English in the printer's small font B (ESC M 1), then back (ESC M 0).
    static const unsigned char ahead[] = {0xC4, 0xFA, 0xC7, 0xB0, 0xC3,
                                          0xE6, 0xBB, 0xB9, 0xD3, 0xD0};
    static const unsigned char wait[] = {0xD4, 0xA4, 0xBC, 0xC6, 0xB5,
                                         0xC8, 0xBA, 0xF2, 0xD4, 0xBC};
    static const unsigned char hall[] = {0xB1, 0xF5, 0xBA, 0xA3, 0xD0, 0xC2, 0xC7, 0xF8};
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, ahead, sizeof ahead));
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, wait, sizeof wait));
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, hall, sizeof hall));
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len, "\x1BM\x01Missed numbers are void\n", 27));
    CU_ASSERT_PTR_NOT_NULL (s_find (bytes, len,
                                    "\x1BM\x01"
                                    "3 people ahead of you\n",
                                    25));
    //  No UTF-8 leaked through: E6 82 A8 is 您 in UTF-8.
    CU_ASSERT_PTR_NULL (s_find (bytes, len, "\xE6\x82\xA8", 3));
    //  The number at 4× size, then back to normal.
    static const unsigned char big[] = {0x1D, 0x21, 0x33, 'A', '0', '2', '3', '\n'};
    const unsigned char *num = s_find (bytes, len, big, sizeof big);
    CU_ASSERT_PTR_NOT_NULL (num);
    if (num)
        CU_ASSERT_PTR_NOT_NULL (s_find (num, len - (size_t)(num - bytes), "\x1D\x21\x00", 3));
    static const unsigned char cut[] = {0x1D, 0x56, 0x42, 0x00};
    CU_ASSERT_EQUAL (memcmp (bytes + len - 4, cut, 4), 0);
    free (bytes);
}

static void
test_escpos (void)
{
    s_check_escpos (S_TOKEN); //  pL pH = 29 0
    s_check_escpos (S_URL);   //  53 0
    char long_text[301];
    memset (long_text, 'A', 300);
    long_text[300] = 0;
    s_check_escpos (long_text); //  303 = 0x2F 0x01, pH in use

    //  No QR text: no QR commands at all.
    term_slip_t slip = s_sample ();
    slip.qr_text = NULL;
    char path[256];
    s_path (path, sizeof path, "noqr.bin");
    CU_ASSERT_FATAL (term_slip_escpos (&slip, path) == 0);
    size_t len = 0;
    unsigned char *bytes = s_slurp (path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL (bytes);
    CU_ASSERT_PTR_NULL (s_find (bytes, len, "\x1D\x28\x6B", 3));
    free (bytes);
    CU_ASSERT_EQUAL (term_slip_escpos (&slip, "/nonexistent-dir/slip.bin"), -1);
}

//  Every writer refuses a bad slip with -1 rather than crashing or printing half of it.
static void
s_expect_all (const term_slip_t *slip, int expected)
{
    char png[256], bin[256];
    s_path (png, sizeof png, "bad.png");
    s_path (bin, sizeof bin, "bad.bin");
    unlink (png);
    unlink (bin);
    char *text = s_text (slip);
    CU_ASSERT_EQUAL (text ? 0 : -1, expected);
    free (text);
    CU_ASSERT_EQUAL (term_slip_png (slip, png), expected);
    CU_ASSERT_EQUAL (term_slip_escpos (slip, bin), expected);
    if (expected)
        CU_ASSERT_EQUAL (access (bin, F_OK), -1); //  no half-written slip
}

static void
test_bad_input (void)
{
    s_expect_all (NULL, -1);
    term_slip_t slip = s_sample ();
    slip.number = NULL;
    s_expect_all (&slip, -1);
    slip.number = "";
    s_expect_all (&slip, -1);
    slip.number = "A1234567890BC"; //  13 characters
    s_expect_all (&slip, -1);
    slip.number = "A 23";
    s_expect_all (&slip, -1);
    slip.number = "A10245"; //  six characters are fine
    s_expect_all (&slip, 0);

    slip = s_sample ();
    slip.hall = "滨海\x1B@新区"; //  would reset the printer mid-slip
    s_expect_all (&slip, -1);
    slip.hall = "\xC0\xAF";
    s_expect_all (&slip, -1);
    slip = s_sample ();
    slip.hall_en = "Hall\x1D!";
    s_expect_all (&slip, -1);
    slip = s_sample ();
    slip.footer = "line\nbreak";
    s_expect_all (&slip, -1);
    slip = s_sample ();
    slip.ahead = -1;
    s_expect_all (&slip, -1);
    slip = s_sample ();
    slip.utc_offset_min = 100000;
    s_expect_all (&slip, -1);
    slip = s_sample ();
    slip.qr_text = "\xE8\xAF";
    s_expect_all (&slip, -1);
    static char huge[3001];
    memset (huge, 'a', 3000);
    slip.qr_text = huge;
    s_expect_all (&slip, -1);

    //  Optional fields all absent.
    slip = s_sample ();
    slip.hall = slip.hall_en = slip.service = slip.service_en = slip.footer = slip.qr_text = NULL;
    slip.est_wait_s = -1;
    slip.ahead = 0;
    s_expect_all (&slip, 0);
    char *text = s_text (&slip);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "暂无窗口开放"));
    CU_ASSERT_PTR_NULL (strstr (text, "▀"));
    free (text);

    CU_ASSERT_EQUAL (term_slip_text (&slip, NULL), -1);
    CU_ASSERT_EQUAL (term_slip_png (&slip, NULL), -1);
    CU_ASSERT_EQUAL (term_slip_escpos (&slip, NULL), -1);
    //  A full disk is reported, not ignored.
    FILE *full = fopen ("/dev/full", "w");
    if (full) {
        slip = s_sample ();
        CU_ASSERT_EQUAL (term_slip_text (&slip, full), -1);
        fclose (full);
    }
}

int
test_slip_suite (void)
{
    CU_pSuite suite = CU_add_suite ("slip", s_init, s_clean);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "PNG slip scans with both decoders", test_png_scans) ||
        !CU_add_test (suite, "PNG slip: OCR reads its Chinese, ZBar its QR code", test_png_ocr) ||
        !CU_add_test (suite, "text slip content", test_text_content) ||
        !CU_add_test (suite, "text slip wait rounding", test_text_wait) ||
        !CU_add_test (suite, "text slip wait interval", test_text_interval) ||
        !CU_add_test (suite, "text slip time in the hall's offset", test_text_time) ||
        !CU_add_test (suite, "text slip half-block QR decodes", test_text_qr_scans) ||
        !CU_add_test (suite, "ESC/POS bytes", test_escpos) ||
        !CU_add_test (suite, "bad slips are refused", test_bad_input))
        return -1;
    return 0;
}
