/*  test_text.c — protocol/proto_text.c: the columns a text takes on a terminal (what the
    board, the monitor and the CLI's tables pad with), UTF-8 decoding, and the wait as a
    citizen reads it. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "proto_text.h"
#include "tests.h"

static void
s_expect_wait (long long est, long long lo, long long hi, const char *want)
{
    json_t *t = json_pack ("{s:I}", "est_wait_s", (json_int_t)est);
    if (lo >= 0)
        json_object_set_new (t, "est_wait_lo_s", json_integer (lo));
    if (hi >= 0)
        json_object_set_new (t, "est_wait_hi_s", json_integer (hi));
    char out[160];
    proto_format_wait_range (t, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, want);
    json_decref (t);
}

//  The estimate's 80% interval (PROTOCOL.md 6.5) where the broker gives one, else the point.
static void
test_wait_range (void)
{
    s_expect_wait (1800, 1500, 2400, "约 25–40 分钟 / about 25–40 min");
    s_expect_wait (300, 0, 600, "不超过 10 分钟 / up to 10 min");
    s_expect_wait (3600, 3000, 4800, "约 50 分钟至 1 小时 20 分钟 / about 50 min to 1 h 20 min");
    s_expect_wait (3600, 3600, 7200, "约 1 小时至 2 小时 / about 1 h to 2 h");
    s_expect_wait (600, -1, -1, "约 10 分钟 / about 10 min");   //  no interval
    s_expect_wait (600, 600, 600, "约 10 分钟 / about 10 min"); //  an empty one
    s_expect_wait (30, 0, 60, "少于 1 分钟 / under 1 min");     //  under a minute
    json_t *none = json_object ();
    char out[160];
    proto_format_wait_range (none, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "暂无窗口开放 / no counter open yet");
    json_decref (none);
}

static void
test_ascii (void)
{
    CU_ASSERT_EQUAL (proto_display_width (NULL), 0);
    CU_ASSERT_EQUAL (proto_display_width (""), 0);
    CU_ASSERT_EQUAL (proto_display_width ("Hello"), 5);
    CU_ASSERT_EQUAL (proto_display_width ("A001 -> 3"), 9);
    CU_ASSERT_EQUAL (proto_cp_width ('A'), 1);
    CU_ASSERT_EQUAL (proto_cp_width (' '), 1);
}

static void
test_chinese_and_mixed (void)
{
    CU_ASSERT_EQUAL (proto_display_width ("中文"), 4);
    CU_ASSERT_EQUAL (proto_display_width ("社保医保"), 8);
    CU_ASSERT_EQUAL (proto_display_width ("A1 中文 ok"), 10);
    CU_ASSERT_EQUAL (proto_display_width ("5号窗口 社保"), 12);
    //  CJK punctuation, Hangul, kana, a CJK extension B ideograph (𠀀).
    CU_ASSERT_EQUAL (proto_display_width ("。，、「」"), 10);
    CU_ASSERT_EQUAL (proto_display_width ("한국어"), 6);
    CU_ASSERT_EQUAL (proto_display_width ("カナ"), 4);
    CU_ASSERT_EQUAL (proto_display_width ("\xf0\xa0\x80\x80"), 2);
    CU_ASSERT_EQUAL (proto_cp_width (0x4e2d), 2);
    CU_ASSERT_EQUAL (proto_cp_width (0x3002), 2);
    CU_ASSERT_EQUAL (proto_cp_width (0xac00), 2);
    CU_ASSERT_EQUAL (proto_cp_width (0x1100), 2); //  a Hangul leading consonant
}

static void
test_fullwidth (void)
{
    //  Fullwidth digits and letters, the fullwidth yen sign; halfwidth katakana stay 1.
    CU_ASSERT_EQUAL (proto_display_width ("１２３"), 6);
    CU_ASSERT_EQUAL (proto_display_width ("ＡＢ"), 4);
    CU_ASSERT_EQUAL (proto_cp_width (0xffe5), 2);
    CU_ASSERT_EQUAL (proto_display_width ("ｶﾅ"), 2);
    //  Ambiguous-width characters are narrow here (a Western terminal's view).
    CU_ASSERT_EQUAL (proto_display_width ("±°"), 2);
}

static void
test_zero_width (void)
{
    //  e + combining acute, precomposed é, a Hangul syllable spelt in jamo (3 → 2 columns).
    CU_ASSERT_EQUAL (proto_display_width ("e\xcc\x81"), 1);
    CU_ASSERT_EQUAL (proto_display_width ("\xc3\xa9"), 1);
    CU_ASSERT_EQUAL (proto_display_width ("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8"), 2);
    CU_ASSERT_EQUAL (proto_cp_width (0x0301), 0);
    CU_ASSERT_EQUAL (proto_cp_width (0x20dd), 0); //  combining enclosing circle (Me)
    //  Zero-width space, joiner, variation selector 16, byte order mark.
    CU_ASSERT_EQUAL (proto_display_width ("a\xe2\x80\x8b"
                                          "b"),
                     2);
    CU_ASSERT_EQUAL (proto_cp_width (0x200d), 0);
    CU_ASSERT_EQUAL (proto_cp_width (0xfe0f), 0);
    CU_ASSERT_EQUAL (proto_cp_width (0xfeff), 0);
    //  The soft hyphen shows where a line breaks: 1.
    CU_ASSERT_EQUAL (proto_cp_width (0x00ad), 1);
}

static void
test_emoji (void)
{
    CU_ASSERT_EQUAL (proto_display_width ("😀"), 2);
    CU_ASSERT_EQUAL (proto_display_width ("👍 ok"), 5);
    CU_ASSERT_EQUAL (proto_cp_width (0x1f600), 2);
    CU_ASSERT_EQUAL (proto_cp_width (0x1f44d), 2);
    //  ☺ (U+263A) is a narrow text symbol; ⌚ (U+231A) is wide.
    CU_ASSERT_EQUAL (proto_cp_width (0x263a), 1);
    CU_ASSERT_EQUAL (proto_cp_width (0x231a), 2);
}

static void
test_invalid_bytes (void)
{
    //  One column per byte that is not valid UTF-8.
    CU_ASSERT_EQUAL (proto_display_width ("\xff"), 1);
    CU_ASSERT_EQUAL (proto_display_width ("\x80\x80"), 2);
    CU_ASSERT_EQUAL (proto_display_width ("a\xe4\xb8"), 3);        //  中 cut short
    CU_ASSERT_EQUAL (proto_display_width ("\xe4\xb8z中"), 5);      //  ... then z and 中
    CU_ASSERT_EQUAL (proto_display_width ("\xc0\x80"), 2);         //  overlong NUL
    CU_ASSERT_EQUAL (proto_display_width ("\xed\xa0\x80"), 3);     //  a surrogate
    CU_ASSERT_EQUAL (proto_display_width ("\xf4\x90\x80\x80"), 4); //  beyond U+10FFFF
}

static void
test_decode (void)
{
    uint32_t cp;
    CU_ASSERT_EQUAL (proto_utf8_decode ("A", 1, &cp), 1);
    CU_ASSERT_EQUAL (cp, 0x41);
    CU_ASSERT_EQUAL (proto_utf8_decode ("\xc3\xa9", 2, &cp), 2);
    CU_ASSERT_EQUAL (cp, 0xe9);
    CU_ASSERT_EQUAL (proto_utf8_decode ("中", 3, &cp), 3);
    CU_ASSERT_EQUAL (cp, 0x4e2d);
    CU_ASSERT_EQUAL (proto_utf8_decode ("😀", 4, &cp), 4);
    CU_ASSERT_EQUAL (cp, 0x1f600);
    //  A sequence longer than the bytes left is invalid, even if more follow in memory.
    CU_ASSERT_EQUAL (proto_utf8_decode ("中", 2, &cp), 1);
    CU_ASSERT_EQUAL (cp, 0xfffd);
    CU_ASSERT_EQUAL (proto_utf8_decode ("\xe0\x80\x80", 3, &cp), 1); //  overlong
    CU_ASSERT_EQUAL (cp, 0xfffd);
    CU_ASSERT_EQUAL (proto_utf8_decode ("\xf8\x88\x80\x80", 4, &cp), 1);
    CU_ASSERT_EQUAL (cp, 0xfffd);
}

int
test_text_suite (void)
{
    CU_pSuite s = CU_add_suite ("text", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "ASCII is one column a character", test_ascii);
    CU_add_test (s, "Chinese, Hangul, kana and CJK punctuation take two", test_chinese_and_mixed);
    CU_add_test (s, "fullwidth forms take two", test_fullwidth);
    CU_add_test (s, "combining marks and zero-width characters take none", test_zero_width);
    CU_add_test (s, "emoji take two", test_emoji);
    CU_add_test (s, "invalid UTF-8 takes one column a byte", test_invalid_bytes);
    CU_add_test (s, "UTF-8 decoding refuses what is not UTF-8", test_decode);
    CU_add_test (s, "the wait as its 80% interval", test_wait_range);
    return 0;
}
