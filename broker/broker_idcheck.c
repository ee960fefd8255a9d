/*  broker_idcheck.c — see broker_idcheck.h. */
#include "broker_idcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define S_PRINTF(f, a) __attribute__ ((format (printf, f, a)))
#else
#define S_PRINTF(f, a)
#endif

//  Longest input any check reads; longer strings are reported as "too long".
#define S_SCAN_MAX 64

//  Earliest birth date an ID number may carry.
#define S_BIRTH_MIN 18000101

//  ISO 7064 MOD 11-2 weights (2^(17-i) mod 11) and check characters, GB 11643-1999.
static const int s_id_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char s_id_checks[] = "10X98765432";

//  GB 32100-2015 alphabet (value = index) and weights (3^(i-1) mod 31).
static const char s_uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int s_uscc_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};

//  GB 11714-1997 organisation code weights.
static const int s_org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

//  Province-level codes of GB/T 2260 that start a resident ID number (71: Taiwan, which
//  GB/T 2260 lists). 81-83 start only the residence permits, with exact region codes.
static const int s_provinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
                                  42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71};

//  ISO 3166-1 numeric codes, ascending: the 249 of Debian's iso-codes 4.15 (iso_3166-1.json).
static const short s_iso_numeric[] = {
    4,   8,   10,  12,  16,  20,  24,  28,  31,  32,  36,  40,  44,  48,  50,  51,  52,  56,
    60,  64,  68,  70,  72,  74,  76,  84,  86,  90,  92,  96,  100, 104, 108, 112, 116, 120,
    124, 132, 136, 140, 144, 148, 152, 156, 158, 162, 166, 170, 174, 175, 178, 180, 184, 188,
    191, 192, 196, 203, 204, 208, 212, 214, 218, 222, 226, 231, 232, 233, 234, 238, 239, 242,
    246, 248, 250, 254, 258, 260, 262, 266, 268, 270, 275, 276, 288, 292, 296, 300, 304, 308,
    312, 316, 320, 324, 328, 332, 334, 336, 340, 344, 348, 352, 356, 360, 364, 368, 372, 376,
    380, 384, 388, 392, 398, 400, 404, 408, 410, 414, 417, 418, 422, 426, 428, 430, 434, 438,
    440, 442, 446, 450, 454, 458, 462, 466, 470, 474, 478, 480, 484, 492, 496, 498, 499, 500,
    504, 508, 512, 516, 520, 524, 528, 531, 533, 534, 535, 540, 548, 554, 558, 562, 566, 570,
    574, 578, 580, 581, 583, 584, 585, 586, 591, 598, 600, 604, 608, 612, 616, 620, 624, 626,
    630, 634, 638, 642, 643, 646, 652, 654, 659, 660, 662, 663, 666, 670, 674, 678, 682, 686,
    688, 690, 694, 702, 703, 704, 705, 706, 710, 716, 724, 728, 729, 732, 740, 744, 748, 752,
    756, 760, 762, 764, 768, 772, 776, 780, 784, 788, 792, 795, 796, 798, 800, 804, 807, 818,
    826, 831, 832, 833, 834, 840, 850, 854, 858, 860, 862, 876, 882, 887, 894};

//  The document types, indexed by broker_id_type_t (0: none).
static const struct {
    const char *wire, *zh, *en;
    bool self; //  the number names its own type
} s_types[] = {{"", "", "", false},
#define S_TYPE_ROW(id, wire, zh, en, self) {wire, zh, en, self},
               BROKER_ID_TYPES (S_TYPE_ROW)
#undef S_TYPE_ROW
};

#define S_NTYPES (sizeof s_types / sizeof s_types[0])

//  Length of `s`, but stops counting at S_SCAN_MAX + 1 so huge inputs are not walked.
static size_t
s_len (const char *s)
{
    size_t n = 0;
    while (n <= S_SCAN_MAX && s[n])
        n++;
    return n;
}

static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

static char
s_upper (char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool
s_has_non_ascii (const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

//  Cuts `buf` (of length `len`) back to the last complete UTF-8 sequence.
static void
s_utf8_trim (char *buf, size_t len)
{
    size_t start = len;
    while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)buf[start - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (start - 1 + need > len)
        buf[start - 1] = '\0';
}

//  Fills `out` (never NULL here) with a result; `canonical` only on success.
static int s_result (broker_check_t *out, bool ok, const char *code, const char *fmt, ...)
    S_PRINTF (4, 5);

static int
s_result (broker_check_t *out, bool ok, const char *code, const char *fmt, ...)
{
    out->ok = ok;
    snprintf (out->code, sizeof out->code, "%s", code);
    va_list args;
    va_start (args, fmt);
    int n = vsnprintf (out->reason, sizeof out->reason, fmt, args);
    va_end (args);
    if (n >= (int)sizeof out->reason)
        s_utf8_trim (out->reason, sizeof out->reason - 1);
    if (!ok)
        out->canonical[0] = '\0';
    return ok ? 0 : -1;
}

static void
s_reset (broker_check_t *out)
{
    memset (out, 0, sizeof *out);
}

static bool
s_is_leap (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_days_in_month (int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && s_is_leap (year) ? 29 : days[month - 1];
}

static bool
s_is_date (int yyyymmdd)
{
    int year = yyyymmdd / 10000, month = yyyymmdd / 100 % 100, day = yyyymmdd % 100;
    return yyyymmdd > 0 && year >= 1 && month >= 1 && month <= 12 && day >= 1 &&
           day <= s_days_in_month (year, month);
}

static int
s_digits (const char *s, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++)
        value = value * 10 + (s[i] - '0');
    return value;
}

//  --- ID number ---

//  True if `id` has 17 digits then a digit, 'X' or 'x', and nothing after.
static bool
s_id_well_formed (const char *id)
{
    if (!id || s_len (id) != 18)
        return false;
    for (int i = 0; i < 17; i++)
        if (!s_is_digit (id[i]))
            return false;
    return s_is_digit (id[17]) || id[17] == 'X' || id[17] == 'x';
}

//  The Chinese noun for a number of `type` in reasons: "身份证" for a resident ID or when
//  the type is not known yet.
static const char *
s_noun (broker_id_type_t type)
{
    return type == BROKER_ID_NONE || type == BROKER_ID_RESIDENT ? "身份证" : s_types[type].zh;
}

//  Format of an 18-character number. `want` is the type asked for (NONE: not given).
static int
s_id_format (const char *id, broker_id_type_t want, broker_check_t *out)
{
    const char *code = "id_format", *noun = s_noun (want);
    if (!id || !*id)
        return s_result (out, false, code, "%s号码为空 / ID number is empty", noun);
    size_t len = s_len (id);
    if (s_has_non_ascii (id, len))
        return s_result (out, false, code,
                         "%s号码含全角字符或汉字 / ID number contains non-ASCII characters "
                         "(full-width digits or Chinese?)",
                         noun);
    if (len == 15 && strspn (id, "0123456789") == 15 && want != BROKER_ID_FOREIGN_PERMANENT &&
        want != BROKER_ID_HMT_RESIDENCE)
        return s_result (out, false, code,
                         "15 位身份证号码为 1999 年前的旧版号码，请使用 18 位号码 / 15-digit ID "
                         "numbers are the old pre-1999 format; use the 18-digit number");
    //  Without a type, only an 18-character number can say what it is.
    const char *hint = want ? "" : "；其他证件请注明证件类型";
    const char *hint_en = want ? "" : "; for another document give its type (id_type)";
    if (len > S_SCAN_MAX)
        return s_result (out, false, code,
                         "%s号码应为 18 位，实际超过 %d 位%s / ID number must be 18 characters, "
                         "got more than %d%s",
                         noun, S_SCAN_MAX, hint, S_SCAN_MAX, hint_en);
    if (len != 18)
        return s_result (out, false, code,
                         "%s号码应为 18 位，实际 %zu 位%s / ID number must be 18 characters, "
                         "got %zu%s",
                         noun, len, hint, len, hint_en);
    for (int i = 0; i < 17; i++)
        if (!s_is_digit (id[i]))
            return s_result (out, false, code,
                             "%s号码第 %d 位应为数字 / ID number character %d must be a digit",
                             noun, i + 1, i + 1);
    if (!s_id_well_formed (id))
        return s_result (out, false, code,
                         "%s号码第 18 位应为数字或 X / ID number character 18 must be a digit "
                         "or X",
                         noun);
    return 0;
}

static bool
s_is_province (int code)
{
    for (size_t i = 0; i < sizeof s_provinces / sizeof s_provinces[0]; i++)
        if (s_provinces[i] == code)
            return true;
    return false;
}

char
broker_idcheck_id_check_char (const char *first17)
{
    if (!first17)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!s_is_digit (first17[i]))
            return 0; //  also stops at a NUL before the 17th digit
        sum += (first17[i] - '0') * s_id_weights[i];
    }
    return s_id_checks[sum % 11];
}

int
broker_idcheck_id_birth (const char *id, int *yyyymmdd)
{
    if (!s_id_well_formed (id))
        return -1;
    int date = s_digits (id + 6, 8);
    if (!s_is_date (date))
        return -1;
    if (yyyymmdd)
        *yyyymmdd = date;
    return 0;
}

char
broker_idcheck_id_gender (const char *id)
{
    if (!s_id_well_formed (id))
        return 0;
    return (id[16] - '0') % 2 ? 'M' : 'F';
}

int
broker_idcheck_age (int birth_yyyymmdd, int today_yyyymmdd)
{
    if (!s_is_date (birth_yyyymmdd) || !s_is_date (today_yyyymmdd) ||
        birth_yyyymmdd > today_yyyymmdd)
        return -1;
    int age = today_yyyymmdd / 10000 - birth_yyyymmdd / 10000;
    if (today_yyyymmdd % 10000 < birth_yyyymmdd % 10000)
        age--;
    return age;
}

broker_id_type_t
broker_idcheck_type (const char *wire)
{
    for (size_t i = 1; wire && i < S_NTYPES; i++)
        if (strcmp (s_types[i].wire, wire) == 0)
            return (broker_id_type_t)i;
    return BROKER_ID_NONE;
}

const char *
broker_idcheck_type_name (broker_id_type_t type)
{
    return (size_t)type < S_NTYPES ? s_types[type].wire : "";
}

const char *
broker_idcheck_type_label (broker_id_type_t type)
{
    return (size_t)type < S_NTYPES ? s_types[type].zh : "";
}

broker_id_type_t
broker_idcheck_type_of (const char *number)
{
    if (!number || s_len (number) != 18)
        return BROKER_ID_NONE;
    if (number[0] == '9')
        return BROKER_ID_FOREIGN_PERMANENT;
    if (number[0] == '8' && number[1] >= '1' && number[1] <= '3')
        return BROKER_ID_HMT_RESIDENCE;
    return BROKER_ID_RESIDENT;
}

//  The region (resident ID, residence permit) or province and nationality (foreigner's
//  card) of a number whose check character and birth date passed.
static int
s_id_origin (const char *id, broker_id_type_t type, broker_check_t *out)
{
    if (type == BROKER_ID_HMT_RESIDENCE) {
        if (strncmp (id, "810000", 6) && strncmp (id, "820000", 6) && strncmp (id, "830000", 6))
            return s_result (out, false, "id_region",
                             "港澳台居民居住证的地址码应为 810000、820000 或 830000 / a residence "
                             "permit's region code must be 810000, 820000 or 830000");
        return 0;
    }
    if (type == BROKER_ID_RESIDENT) {
        int province = s_digits (id, 2);
        if (!s_is_province (province))
            return s_result (out, false, "id_region",
                             "地址码前两位 %02d 不是省级行政区划代码 / region code starts with "
                             "%02d, not a province-level code",
                             province, province);
        return 0;
    }
    int province = s_digits (id + 1, 2), nationality = s_digits (id + 3, 3);
    if (!s_is_province (province) || province == 71)
        return s_result (out, false, "id_region",
                         "第 2-3 位 %02d 不是受理地省级行政区划代码 / characters 2-3 (%02d) are "
                         "not the province-level code of a mainland province",
                         province, province);
    if (nationality == 0 || nationality >= 900)
        return s_result (out, false, "id_nationality",
                         "第 4-6 位国籍代码 %03d 不是 ISO 3166-1 数字代码 / the nationality code "
                         "%03d is not an ISO 3166-1 numeric code",
                         nationality, nationality);
    if (nationality == 156 || nationality == 158 || nationality == 344 || nationality == 446)
        return s_result (out, false, "id_nationality",
                         "国籍代码 %03d 为中国（含港澳台），中国公民不持外国人永久居留身份证 / "
                         "nationality code %03d is China's (with Hong Kong, Macao, Taiwan): "
                         "Chinese citizens hold other documents",
                         nationality, nationality);
    return 0;
}

//  An 18-character number of a self-describing type (`want`, or NONE for any).
static int
s_id_18 (const char *id, broker_id_type_t want, int today_yyyymmdd, broker_check_t *out,
         broker_id_type_t *found)
{
    if (s_id_format (id, want, out))
        return -1;
    broker_id_type_t type = broker_idcheck_type_of (id);
    *found = want ? want : type;
    if (want && want != type)
        return s_result (out, false, "id_type",
                         "号码不是%s号码（此号码形式为%s） / the number is not a %s number (it "
                         "has the form of a %s number)",
                         s_types[want].zh, s_types[type].zh, s_types[want].en, s_types[type].en);
    const char *noun = s_noun (type);
    char given = s_upper (id[17]);
    char expected = broker_idcheck_id_check_char (id);
    if (given != expected)
        return s_result (out, false, "id_check_char",
                         "%s校验码错误 / ID number check character is wrong: expected %c, "
                         "got %c",
                         noun, expected, given);

    int year = s_digits (id + 6, 4), month = s_digits (id + 10, 2), day = s_digits (id + 12, 2);
    int birth = year * 10000 + month * 100 + day;
    if (month < 1 || month > 12)
        return s_result (out, false, "id_birth_date",
                         "出生日期不存在（月份 %02d） / birth date is not a real date (month %02d)",
                         month, month);
    if (day < 1 || day > s_days_in_month (year, month))
        return s_result (out, false, "id_birth_date",
                         "出生日期不存在（%02d 月无 %02d 日） / birth date is not a real date (no "
                         "day %02d in month %02d of that year)",
                         month, day, day, month);
    //  Not 1900: DOMAIN.md's 440524188001010014, the worked example usually quoted from
    //  GB 11643, was born in 1880. Whether a date is plausible for a living person is the
    //  caller's call (broker_idcheck_age).
    if (birth < S_BIRTH_MIN)
        return s_result (out, false, "id_birth_date",
                         "出生日期早于 1800 年 / birth date is before 1800");
    if (today_yyyymmdd > 0 && birth > today_yyyymmdd)
        return s_result (out, false, "id_birth_date",
                         "出生日期晚于今天 / birth date is in the future");
    if (s_id_origin (id, type, out))
        return -1;
    for (int i = 0; i < 17; i++)
        out->canonical[i] = id[i];
    out->canonical[17] = given;
    out->canonical[18] = '\0';
    return s_result (out, true, "id_number", "%s号码有效 / %s number is valid", s_types[type].zh,
                     s_types[type].en);
}

//  True if the `len` characters at `s` are all ASCII digits.
static bool
s_all_digits (const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!s_is_digit (s[i]))
            return false;
    return true;
}

//  A number of a document that does not say its own type: the format of `type`.
static int
s_id_typed (const char *n, broker_id_type_t type, broker_check_t *out)
{
    const char *zh = s_types[type].zh, *en = s_types[type].en, *code = "id_format";
    if (!n || !*n)
        return s_result (out, false, code, "%s号码为空 / %s number is empty", zh, en);
    size_t len = s_len (n);
    if (s_has_non_ascii (n, len))
        return s_result (out, false, code,
                         "%s号码含全角字符或汉字 / %s number contains non-ASCII characters", zh,
                         en);
    bool ok = false;
    const char *rule_zh = "", *rule_en = "";
    char lead = s_upper (n[0]);
    switch (type) {
    case BROKER_ID_FOREIGN_PERMANENT_OLD:
        ok = len == 15 && s_all_digits (n + 3, 12);
        for (size_t i = 0; ok && i < 3; i++)
            ok = s_upper (n[i]) >= 'A' && s_upper (n[i]) <= 'Z';
        rule_zh = "3 个字母加 12 位数字";
        rule_en = "3 letters then 12 digits";
        break;
    case BROKER_ID_HK_MACAO_PERMIT:
        ok = (len == 9 || len == 11) && (lead == 'H' || lead == 'M') &&
             s_all_digits (n + 1, len - 1);
        rule_zh = "H 或 M 加 8 位或 10 位数字";
        rule_en = "H or M then 8 or 10 digits";
        break;
    case BROKER_ID_TAIWAN_PERMIT:
        ok = len == 8 && s_all_digits (n, 8);
        rule_zh = "8 位数字";
        rule_en = "8 digits";
        break;
    default: {
        size_t digits = 0;
        ok = len >= 5 && len <= 17;
        for (size_t i = 0; ok && i < len; i++) {
            char c = s_upper (n[i]);
            ok = s_is_digit (c) || (c >= 'A' && c <= 'Z');
            digits += s_is_digit (c);
        }
        ok = ok && digits > 0;
        rule_zh = "5 至 17 位字母或数字（至少一位数字）";
        rule_en = "5 to 17 letters or digits, at least one a digit";
    }
    }
    if (!ok)
        return s_result (out, false, code, "%s号码应为%s / a %s number is %s", zh, rule_zh, en,
                         rule_en);
    for (size_t i = 0; i < len; i++)
        out->canonical[i] = s_upper (n[i]);
    out->canonical[len] = '\0';
    return s_result (out, true, "id_number", "%s号码格式正确 / %s number is well formed", zh, en);
}

int
broker_idcheck_document (const char *number, broker_id_type_t type, int today_yyyymmdd,
                         broker_check_t *out, broker_id_type_t *found)
{
    broker_check_t scratch;
    broker_id_type_t found_scratch;
    if (!out)
        out = &scratch;
    if (!found)
        found = &found_scratch;
    s_reset (out);
    *found = (size_t)type < S_NTYPES ? type : BROKER_ID_NONE;
    if ((size_t)type >= S_NTYPES)
        return s_result (out, false, "id_type", "证件类型无效 / no such document type");
    if (type == BROKER_ID_NONE || s_types[type].self)
        return s_id_18 (number, type, today_yyyymmdd, out, found);
    return s_id_typed (number, type, out);
}

int
broker_idcheck_id_number (const char *id, int today_yyyymmdd, broker_check_t *out)
{
    return broker_idcheck_document (id, BROKER_ID_NONE, today_yyyymmdd, out, NULL);
}

static int
s_cmp_short (const void *a, const void *b)
{
    return *(const short *)a - *(const short *)b;
}

int
broker_idcheck_nationality_listed (const char *number, broker_check_t *out)
{
    broker_check_t scratch;
    if (!out)
        out = &scratch;
    if (broker_idcheck_document (number, BROKER_ID_FOREIGN_PERMANENT, 0, out, NULL))
        return -1;
    short code = (short)s_digits (number + 3, 3);
    if (!bsearch (&code, s_iso_numeric, sizeof s_iso_numeric / sizeof s_iso_numeric[0], sizeof code,
                  s_cmp_short))
        return s_result (out, false, "id_nationality_list",
                         "国籍代码 %03d 不在 ISO 3166-1 数字代码表中，请核对证件 / nationality "
                         "code %03d is not assigned in ISO 3166-1: check the card",
                         code, code);
    return s_result (out, true, "id_nationality_list",
                     "国籍代码在 ISO 3166-1 中 / the nationality code is assigned in ISO 3166-1");
}

//  --- Unified Social Credit Code ---

//  Value 0..30 of `c` in the USCC alphabet (lower case accepted), or -1.
static int
s_uscc_value (char c)
{
    c = s_upper (c);
    if (!c)
        return -1;
    const char *hit = strchr (s_uscc_alphabet, c);
    return hit ? (int)(hit - s_uscc_alphabet) : -1;
}

char
broker_idcheck_uscc_check_char (const char *first17)
{
    if (!first17)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int value = s_uscc_value (first17[i]);
        if (value < 0)
            return 0;
        sum += value * s_uscc_weights[i];
    }
    return s_uscc_alphabet[(31 - sum % 31) % 31];
}

char
broker_idcheck_org_check_char (const char *first8)
{
    if (!first8)
        return 0;
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        char c = s_upper (first8[i]);
        int value;
        if (s_is_digit (c))
            value = c - '0';
        else if (c >= 'A' && c <= 'Z')
            value = c - 'A' + 10;
        else
            return 0;
        sum += value * s_org_weights[i];
    }
    int check = 11 - sum % 11;
    return check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
}

int
broker_idcheck_uscc (const char *code, broker_check_t *out)
{
    broker_check_t scratch;
    if (!out)
        out = &scratch;
    s_reset (out);
    const char *fmt_code = "uscc_format";
    if (!code || !*code)
        return s_result (out, false, fmt_code,
                         "统一社会信用代码为空 / unified social credit code is empty");
    size_t len = s_len (code);
    if (s_has_non_ascii (code, len))
        return s_result (out, false, fmt_code,
                         "统一社会信用代码含全角字符或汉字 / unified social credit code contains "
                         "non-ASCII characters (full-width or Chinese?)");
    if (len > S_SCAN_MAX)
        return s_result (out, false, fmt_code,
                         "统一社会信用代码应为 18 位，实际超过 %d 位 / unified social credit code "
                         "must be 18 characters, got more than %d",
                         S_SCAN_MAX, S_SCAN_MAX);
    if (len != 18)
        return s_result (out, false, fmt_code,
                         "统一社会信用代码应为 18 位，实际 %zu 位 / unified social credit code "
                         "must be 18 characters, got %zu",
                         len, len);
    for (int i = 2; i < 8; i++)
        if (!s_is_digit (code[i]))
            return s_result (out, false, fmt_code,
                             "统一社会信用代码第 3-8 位为行政区划码，应为数字（第 %d 位不是） / "
                             "characters 3-8 are the region code and must be digits (character "
                             "%d is not)",
                             i + 1, i + 1);
    for (int i = 0; i < 18; i++) {
        if (s_uscc_value (code[i]) >= 0)
            continue;
        char c = s_upper (code[i]);
        if (c && strchr ("IOSVZ", c))
            return s_result (out, false, "uscc_charset",
                             "统一社会信用代码不使用字母 I、O、S、V、Z（第 %d 位为 %c） / the code "
                             "never uses the letters I O S V Z (character %d is %c)",
                             i + 1, c, i + 1, c);
        if (c > ' ' && c < 0x7F)
            return s_result (out, false, "uscc_charset",
                             "统一社会信用代码第 %d 位字符 %c 无效 / character %d ('%c') is not "
                             "a digit or code letter",
                             i + 1, c, i + 1, c);
        return s_result (out, false, "uscc_charset",
                         "统一社会信用代码第 %d 位字符无效 / character %d is not a digit or "
                         "code letter",
                         i + 1, i + 1);
    }
    char given = s_upper (code[17]);
    char expected = broker_idcheck_uscc_check_char (code);
    if (given != expected)
        return s_result (out, false, "uscc_check_char",
                         "统一社会信用代码校验码错误 / unified social credit code check "
                         "character is wrong: expected %c, got %c",
                         expected, given);
    for (int i = 0; i < 18; i++)
        out->canonical[i] = s_upper (code[i]);
    out->canonical[18] = '\0';
    return s_result (out, true, "uscc",
                     "统一社会信用代码有效 / unified social credit code is valid");
}

int
broker_idcheck_uscc_org (const char *code, broker_check_t *out)
{
    broker_check_t scratch;
    if (!out)
        out = &scratch;
    if (broker_idcheck_uscc (code, out))
        return -1;
    //  The code is well formed: 18 characters of the alphabet.
    char given = s_upper (code[16]);
    char expected = broker_idcheck_org_check_char (code + 8);
    if (given != expected)
        return s_result (out, false, "uscc_org_check",
                         "组织机构代码（第 9-17 位）校验码不符，请核对执照 / the organisation code "
                         "(characters 9-17) has a wrong check character: expected %c, got %c; "
                         "check the licence",
                         expected, given);
    return s_result (out, true, "uscc_org_check",
                     "组织机构代码校验码正确 / organisation code check character is right");
}

//  --- Phone numbers ---

//  Normalises `phone` into `canon` (size >= 16) and returns 0, or fills `out` with the
//  failure and returns -1. `local_at` gets the offset of the landline's local number, or 0.
static int
s_phone (const char *phone, char *canon, size_t *local_at, broker_check_t *out)
{
    const char *code = "phone_format";
    *local_at = 0;
    if (!phone || !*phone)
        return s_result (out, false, code, "电话号码为空 / phone number is empty");
    size_t len = s_len (phone);
    if (s_has_non_ascii (phone, len))
        return s_result (out, false, code,
                         "电话号码含全角字符或汉字 / phone number contains non-ASCII characters "
                         "(full-width digits or Chinese?)");
    if (len > S_SCAN_MAX)
        return s_result (out, false, code, "电话号码过长 / phone number is too long");
    //  Drop spaces; keep digits, '+' and '-' for the checks below.
    char buf[S_SCAN_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = phone[i];
        if (c == ' ')
            continue;
        if (!s_is_digit (c) && c != '+' && c != '-')
            return s_result (out, false, code,
                             "电话号码只能含数字、空格、+ 和 - / phone number may contain only "
                             "digits, spaces, + and -");
        buf[n++] = c;
    }
    buf[n] = '\0';
    const char *p = buf;
    bool international = false;
    if (strncmp (p, "+86", 3) == 0) {
        p += 3;
        international = true;
    } else if (strncmp (p, "0086", 4) == 0) {
        p += 4;
        international = true;
    }
    if (strchr (p, '+'))
        return s_result (out, false, code,
                         "只支持 +86 国际区号 / only the +86 country code is accepted");
    while (*p == '-')
        p++; //  "+86-138…"
    if (!*p)
        return s_result (out, false, code, "电话号码为空 / phone number is empty");

    //  Mobiles never start with 10; "+86 10 …" is Beijing without its trunk 0.
    if (p[0] == '1' && !(international && p[1] == '0')) {
        size_t digits = 0;
        for (const char *q = p; *q; q++)
            if (*q != '-') {
                if (digits < 11)
                    canon[digits] = *q;
                digits++;
            }
        if (digits != 11)
            return s_result (out, false, code,
                             "手机号码应为 11 位，实际 %zu 位 / mobile number must be 11 digits, "
                             "got %zu",
                             digits, digits);
        if (canon[1] < '3')
            return s_result (out, false, code,
                             "手机号码应以 13-19 开头 / mobile number must start with 13 to 19");
        canon[11] = '\0';
        return 0;
    }

    //  Landline: optional trunk 0 after +86, area code, optional '-', local number.
    char digits[16];
    size_t nd = 0, hyphen_at = 0;
    int hyphens = 0;
    if (international && p[0] != '0')
        digits[nd++] = '0';
    for (const char *q = p; *q; q++) {
        if (*q == '-') {
            hyphens++;
            hyphen_at = nd;
            continue;
        }
        if (nd >= 13)
            return s_result (out, false, code, "电话号码过长 / phone number is too long");
        digits[nd++] = *q;
    }
    digits[nd] = '\0';
    if (digits[0] != '0')
        return s_result (out, false, code,
                         "固定电话应以区号 0 开头，手机号码应以 1 开头 / a landline must start "
                         "with its area code (0…), a mobile with 1");
    //  00… is the international prefix, never an area code (found by the token fuzzer:
    //  "0086008614040004" passed as area 0086).
    if (digits[1] == '0')
        return s_result (out, false, code,
                         "区号无效：区号不以 00 开头（00 为国际冠码）/ invalid area code: 00 is "
                         "the international prefix, not an area code");
    size_t area = (digits[1] == '1' || digits[1] == '2') ? 3 : 4;
    if (digits[1] == '1' && digits[2] != '0')
        return s_result (out, false, code,
                         "区号无效：三位区号只有 010 和 02x / invalid area code: the only "
                         "3-digit area codes are 010 and 02x");
    if (hyphens > 1 || (hyphens == 1 && hyphen_at != area))
        return s_result (out, false, code,
                         "区号位数不对：010、02x 为三位，其他为四位 / wrong area code length: "
                         "010 and 02x have 3 digits, all others 4");
    size_t local = nd - area;
    if (nd < area || local < 7 || local > 8)
        return s_result (out, false, code,
                         "固定电话号码（不含区号）应为 7 或 8 位 / a landline number must have 7 "
                         "or 8 digits after the area code");
    memcpy (canon, digits, area);
    canon[area] = '-';
    memcpy (canon + area + 1, digits + area, local);
    canon[area + 1 + local] = '\0';
    *local_at = area + 1;
    return 0;
}

int
broker_idcheck_phone (const char *phone, broker_check_t *out)
{
    broker_check_t scratch;
    if (!out)
        out = &scratch;
    s_reset (out);
    char canon[16] = "";
    size_t local_at;
    if (s_phone (phone, canon, &local_at, out))
        return -1;
    snprintf (out->canonical, sizeof out->canonical, "%s", canon);
    return s_result (out, true, "phone",
                     local_at ? "固定电话号码格式正确 / landline number is well formed"
                              : "手机号码格式正确 / mobile number is well formed");
}

//  --- Masking ---

static void
s_copy_out (const char *text, char *out, size_t size)
{
    if (!out || size == 0)
        return;
    size_t n = strlen (text);
    if (n >= size)
        n = size - 1;
    memcpy (out, text, n);
    out[n] = '\0';
}

void
broker_idcheck_mask_id (const char *id, char *out, size_t size)
{
    if (!id) {
        s_copy_out ("", out, size);
        return;
    }
    size_t len = s_len (id);
    bool plain = len >= 5 && len <= 32;
    for (size_t i = 0; plain && i < len; i++) {
        char c = id[i];
        plain = s_is_digit (c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
    if (!plain) {
        s_copy_out ("****", out, size);
        return;
    }
    //  A quarter at most, never the last 4 (the pickup's second factor): len / 4 <= len - 4
    //  from 5 characters on.
    size_t keep = len / 4 < 4 ? len / 4 : 4;
    char masked[33];
    for (size_t i = 0; i < len; i++)
        masked[i] = i < keep ? s_upper (id[i]) : '*';
    masked[len] = '\0';
    s_copy_out (masked, out, size);
}

void
broker_idcheck_mask_phone (const char *phone, char *out, size_t size)
{
    if (!phone) {
        s_copy_out ("", out, size);
        return;
    }
    broker_check_t scratch;
    s_reset (&scratch);
    char canon[16] = "";
    size_t local_at;
    if (s_phone (phone, canon, &local_at, &scratch)) {
        s_copy_out ("****", out, size);
        return;
    }
    size_t len = strlen (canon);
    size_t keep_head = local_at ? local_at : 3;
    for (size_t i = keep_head; i + 4 < len; i++)
        canon[i] = '*';
    s_copy_out (canon, out, size);
}

//  Length of the UTF-8 sequence starting at `p` (1-4), or 0 if it is not a valid one.
static size_t
s_utf8_len (const unsigned char *p)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xE0) == 0xC0 ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void
broker_idcheck_mask_name (const char *name, char *out, size_t size)
{
    if (!out || size == 0)
        return;
    out[0] = 0;
    if (!name)
        return;
    //  The characters: where each starts and how long it is.
    size_t start[64], len[64], count = 0;
    const unsigned char *p = (const unsigned char *)name;
    while (*p && count < 64) {
        size_t n = s_utf8_len (p);
        if (n == 0) {
            snprintf (out, size, "*");
            return;
        }
        start[count] = (size_t)(p - (const unsigned char *)name);
        len[count++] = n;
        p += n;
    }
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        bool keep = i == 0 || (count >= 3 && i == count - 1);
        const char *piece = keep ? name + start[i] : "*";
        size_t n = keep ? len[i] : 1;
        if (used + n + 1 > size)
            break;
        memcpy (out + used, piece, n);
        used += n;
    }
    out[used] = 0;
}
