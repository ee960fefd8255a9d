/*  test_idcheck.c — broker_idcheck: the DOMAIN.md vectors, vectors computed here by an
    independent formulation of each check (ISO 7064 MOD 11-2 as the recursive "times 2",
    GB 32100 weights as powers of 3 mod 31) and vectors computed outside C (python3, cross-
    checked with python-stdnum's cn.ric and cn.uscc), every single substitution and adjacent
    transposition, calendar edge cases, ID document types (every type, valid and not),
    phones, masking and hostile input. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "broker_idcheck.h"
#include "tests.h"

//  A fixed "today" so the tests do not depend on the clock.
#define S_TODAY 20240601

//  Valid ID numbers computed with python3 (own MOD 11-2) and confirmed by stdnum.cn.ric,
//  which also checks the birth date and that the region code exists.
static const char *s_python_ids[] = {
    "110101190001011201", "310104194910014666", "440305196002294303", "510107197812184872",
    "330106198401018030", "42010619991231265X", "650102200002295988", "230102200808089413",
    "350203201202298732", "530102201511302434", "610113202001014348", "150102202312313257",
    "15010219900515567X", "440305199001015070",
};

//  Valid USCCs computed with python3 (own mod-31 and GB 11714 code) and confirmed by
//  stdnum.cn.uscc; the organisation-code check holds for all of them.
static const char *s_python_usccs[] = {
    "91111238MALLB81D9P", "91319512MA6E1JTF5A", "914443082847LUKA33", "92516642MADL94L97L",
    "12111742DQ0267CK3B", "51336794H6XA2UDX01", "91423734MA7R8MQR4B", "93616321MAFTRTC547",
    "92652478NXHTCD8Y5K", "31115624MA5CG85M8U", "91353735H4TKREKA41", "91538025CHRWX61U6A",
    "91440300000000000E", //  organisation check character 0 (11 -> '0')
    "914403000008710920", //  mod-31 result 31 -> '0'
    "9144030000158380XC", //  organisation check character X
    "91440300009344424Y", //  mod-31 check character Y (30)
};

#define S_COUNT(a) (sizeof (a) / sizeof (a)[0])

//  True if `s` is well-formed UTF-8 (no overlongs or surrogates needed for our texts).
static bool
s_utf8_ok (const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra = *p < 0x80             ? 0
                    : (*p & 0xE0) == 0xC0 ? 1
                    : (*p & 0xF0) == 0xE0 ? 2
                    : (*p & 0xF8) == 0xF0 ? 3
                                          : -1;
        if (extra < 0)
            return false;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

//  Every result must be consistent: bilingual UTF-8 reason, code set, canonical on success.
static void
s_assert_well_formed (const broker_check_t *r)
{
    CU_ASSERT (r->code[0] != '\0');
    CU_ASSERT (s_utf8_ok (r->reason));
    CU_ASSERT_PTR_NOT_NULL (strstr (r->reason, " / "));
    CU_ASSERT (strlen (r->reason) < sizeof r->reason - 1); //  never truncated
    CU_ASSERT (r->ok ? r->canonical[0] != '\0' : r->canonical[0] == '\0');
}

static void
s_expect_id (const char *id, int today, int rc, const char *code)
{
    broker_check_t r;
    CU_ASSERT_EQUAL (broker_idcheck_id_number (id, today, &r), rc);
    CU_ASSERT_EQUAL (r.ok, rc == 0);
    CU_ASSERT_STRING_EQUAL (r.code, code);
    s_assert_well_formed (&r);
}

static void
s_expect_uscc (const char *code, int rc, const char *result_code)
{
    broker_check_t r;
    CU_ASSERT_EQUAL (broker_idcheck_uscc (code, &r), rc);
    CU_ASSERT_EQUAL (r.ok, rc == 0);
    CU_ASSERT_STRING_EQUAL (r.code, result_code);
    s_assert_well_formed (&r);
}

static void
s_expect_phone (const char *phone, int rc, const char *canonical)
{
    broker_check_t r;
    CU_ASSERT_EQUAL (broker_idcheck_phone (phone, &r), rc);
    CU_ASSERT_STRING_EQUAL (r.code, rc == 0 ? "phone" : "phone_format");
    CU_ASSERT_STRING_EQUAL (r.canonical, canonical);
    s_assert_well_formed (&r);
}

//  ISO 7064 MOD 11-2, recursive form: p = (p + d) * 2 mod 11, check = (12 - p) mod 11.
static char
s_mod11_2 (const char *digits17)
{
    int p = 0;
    for (int i = 0; i < 17; i++)
        p = (p + (digits17[i] - '0')) * 2 % 11;
    int check = (12 - p) % 11;
    return check == 10 ? 'X' : (char)('0' + check);
}

//  GB 32100 check with the weights recomputed as 3^i mod 31.
static char
s_mod31 (const char *first17)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    int sum = 0, weight = 1;
    for (int i = 0; i < 17; i++) {
        sum += (int)(strchr (alphabet, first17[i]) - alphabet) * weight;
        weight = weight * 3 % 31;
    }
    return alphabet[(31 - sum % 31) % 31];
}

//  GB 11714 over a digits-only organisation body, written out independently.
static char
s_gb11714_digits (const char *first8)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (first8[i] - '0') * w[i];
    int c = (11 - sum % 11) % 11; //  11 -> 0
    return c == 10 ? 'X' : (char)('0' + c);
}

//  Builds an 18-char ID from region, date and sequence with a computed check character.
static void
s_make_id (char id[19], const char *region, const char *date, int seq)
{
    snprintf (id, 19, "%.6s%.8s%03d", region, date, seq % 1000);
    id[17] = s_mod11_2 (id);
    id[18] = '\0';
}

static void
test_domain_vectors (void)
{
    s_expect_id ("11010519491231002X", S_TODAY, 0, "id_number");
    s_expect_id ("440524188001010014", S_TODAY, 0, "id_number");
    s_expect_id ("110105194912310021", S_TODAY, -1, "id_check_char");
    broker_check_t r;
    broker_idcheck_id_number ("110105194912310021", S_TODAY, &r);
    CU_ASSERT_STRING_EQUAL (r.reason, "身份证校验码错误 / ID number check character is wrong: "
                                      "expected X, got 1");

    s_expect_uscc ("91350100M000100Y43", 0, "uscc");
    s_expect_uscc ("914403001922038216", 0, "uscc");
    s_expect_uscc ("91350100M000100Y4Z", -1, "uscc_charset"); //  Z is not in the alphabet
    //  The same code with a wrong check character that is in the alphabet.
    s_expect_uscc ("91350100M000100Y44", -1, "uscc_check_char");
    broker_idcheck_uscc ("91350100M000100Y44", &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "expected 3, got 4"));

    CU_ASSERT_EQUAL (broker_idcheck_id_check_char ("11010519491231002"), 'X');
    CU_ASSERT_EQUAL (broker_idcheck_id_check_char ("44052418800101001"), '4');
    CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char ("91350100M000100Y4"), '3');
    CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char ("91440300192203821"), '6');
    //  The GB 11714 organisation check holds for both published codes.
    CU_ASSERT_EQUAL (broker_idcheck_org_check_char ("M000100Y"), '4');
    CU_ASSERT_EQUAL (broker_idcheck_org_check_char ("19220382"), '1');
    CU_ASSERT_EQUAL (broker_idcheck_uscc_org ("91350100M000100Y43", &r), 0);
    CU_ASSERT_STRING_EQUAL (r.code, "uscc_org_check");
    CU_ASSERT_EQUAL (broker_idcheck_uscc_org ("914403001922038216", &r), 0);
}

static void
test_python_vectors (void)
{
    for (size_t i = 0; i < S_COUNT (s_python_ids); i++) {
        const char *id = s_python_ids[i];
        s_expect_id (id, S_TODAY, 0, "id_number");
        CU_ASSERT_EQUAL (broker_idcheck_id_check_char (id), id[17]);
        CU_ASSERT_EQUAL (s_mod11_2 (id), id[17]);
    }
    for (size_t i = 0; i < S_COUNT (s_python_usccs); i++) {
        const char *code = s_python_usccs[i];
        s_expect_uscc (code, 0, "uscc");
        CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char (code), code[17]);
        CU_ASSERT_EQUAL (s_mod31 (code), code[17]);
        broker_check_t r;
        CU_ASSERT_EQUAL (broker_idcheck_uscc_org (code, &r), 0);
        CU_ASSERT_STRING_EQUAL (r.canonical, code);
    }
}

static void
test_derived_ids (void)
{
    static const char *regions[] = {
        "110101", "120101", "130102", "140105", "150102", "210102", "220102", "230102", "310101",
        "320102", "330102", "340102", "350102", "360102", "370102", "410102", "420102", "430102",
        "440103", "450102", "460105", "500101", "510104", "520102", "530102", "540102", "610102",
        "620102", "630102", "640104", "650102", "710000", "810000", "820000", "830000"};
    static const char *dates[] = {"19000101", "19041231", "19490101", "19600229",
                                  "19991231", "20000229", "20240229", "20240601"};
    char id[19];
    int made = 0;
    for (size_t r = 0; r < S_COUNT (regions); r++)
        for (size_t d = 0; d < S_COUNT (dates); d++) {
            s_make_id (id, regions[r], dates[d], (int)(r * 37 + d * 11));
            CU_ASSERT_EQUAL (broker_idcheck_id_check_char (id), id[17]);
            s_expect_id (id, S_TODAY, 0, "id_number");
            made++;
        }
    CU_ASSERT (made >= 20);
    //  Every check character value turns up, X included.
    bool seen[11] = {false};
    for (int seq = 0; seq < 1000; seq++) {
        s_make_id (id, "440305", "19900515", seq);
        char c = broker_idcheck_id_check_char (id);
        CU_ASSERT_EQUAL (c, id[17]);
        seen[c == 'X' ? 10 : c - '0'] = true;
    }
    for (int i = 0; i < 11; i++)
        CU_ASSERT (seen[i]);
}

static void
test_derived_usccs (void)
{
    static const char *heads[] = {"11", "12", "13", "19", "21", "31", "51", "52",
                                  "53", "91", "92", "93", "A1", "N2", "Y1"};
    char code[19];
    int made = 0;
    for (size_t h = 0; h < S_COUNT (heads); h++)
        for (int k = 0; k < 3; k++) {
            //  Spread the organisation bodies over the digit space; regions 110000-124002.
            unsigned body = (unsigned)(h * 7654321u + (unsigned)k * 1234567u) % 100000000u;
            unsigned region = 110000u + 1000u * (unsigned)h + (unsigned)k;
            char org8[9];
            for (int i = 7; i >= 0; i--, body /= 10)
                org8[i] = (char)('0' + body % 10);
            org8[8] = '\0';
            memcpy (code, heads[h], 2);
            for (int i = 7; i >= 2; i--, region /= 10)
                code[i] = (char)('0' + region % 10);
            memcpy (code + 8, org8, 8);
            code[16] = s_gb11714_digits (org8);
            CU_ASSERT_EQUAL (broker_idcheck_org_check_char (org8), code[16]);
            code[17] = s_mod31 (code);
            code[18] = '\0';
            CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char (code), code[17]);
            s_expect_uscc (code, 0, "uscc");
            CU_ASSERT_EQUAL (broker_idcheck_uscc_org (code, NULL), 0);
            made++;
        }
    CU_ASSERT (made >= 20);
}

static void
test_id_single_substitution (void)
{
    int tried = 0, missed = 0;
    for (size_t v = 0; v < S_COUNT (s_python_ids) + 2; v++) {
        const char *valid =
            v < 2 ? (v ? "440524188001010014" : "11010519491231002X") : s_python_ids[v - 2];
        for (int pos = 0; pos < 18; pos++) {
            const char *subs = pos < 17 ? "0123456789" : "0123456789X";
            for (const char *s = subs; *s; s++) {
                if (*s == valid[pos])
                    continue;
                char id[19];
                memcpy (id, valid, 19);
                id[pos] = *s;
                broker_check_t r;
                tried++;
                if (broker_idcheck_id_number (id, S_TODAY, &r) == 0 ||
                    strcmp (r.code, "id_check_char") != 0)
                    missed++;
            }
            //  A letter where a digit belongs is a format failure.
            if (pos < 17) {
                char id[19];
                memcpy (id, valid, 19);
                id[pos] = 'A';
                s_expect_id (id, S_TODAY, -1, "id_format");
            }
        }
    }
    CU_ASSERT_EQUAL (tried, 16 * (17 * 9 + 10));
    CU_ASSERT_EQUAL (missed, 0);
}

static void
test_id_transposition (void)
{
    int tried = 0, missed = 0;
    for (size_t v = 0; v < S_COUNT (s_python_ids); v++) {
        const char *valid = s_python_ids[v];
        for (int pos = 0; pos < 17; pos++) {
            if (valid[pos] == valid[pos + 1])
                continue;
            char id[19];
            memcpy (id, valid, 19);
            id[pos] = valid[pos + 1];
            id[pos + 1] = valid[pos];
            broker_check_t r;
            tried++;
            //  Swapping an X into position 17 breaks the format instead.
            if (broker_idcheck_id_number (id, S_TODAY, &r) == 0 ||
                (strcmp (r.code, "id_check_char") && strcmp (r.code, "id_format")))
                missed++;
        }
    }
    CU_ASSERT (tried > 100);
    CU_ASSERT_EQUAL (missed, 0);
}

static void
test_uscc_substitution_transposition (void)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    int tried = 0, missed = 0;
    for (size_t v = 0; v < S_COUNT (s_python_usccs); v++) {
        const char *valid = s_python_usccs[v];
        for (int pos = 0; pos < 18; pos++) {
            const char *subs = pos >= 2 && pos < 8 ? "0123456789" : alphabet;
            for (const char *s = subs; *s; s++) {
                if (*s == valid[pos])
                    continue;
                char code[19];
                memcpy (code, valid, 19);
                code[pos] = *s;
                broker_check_t r;
                tried++;
                if (broker_idcheck_uscc (code, &r) == 0 || strcmp (r.code, "uscc_check_char"))
                    missed++;
            }
        }
        for (int pos = 0; pos < 17; pos++) {
            if (valid[pos] == valid[pos + 1])
                continue;
            char code[19];
            memcpy (code, valid, 19);
            code[pos] = valid[pos + 1];
            code[pos + 1] = valid[pos];
            tried++;
            if (broker_idcheck_uscc (code, NULL) == 0)
                missed++;
        }
    }
    CU_ASSERT (tried > 16 * 12 * 30);
    CU_ASSERT_EQUAL (missed, 0);
}

static void
test_id_dates (void)
{
    char id[19];
    s_make_id (id, "110101", "20000229", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "110101", "19000229", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    s_make_id (id, "110101", "20230229", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    s_make_id (id, "110101", "20240229", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "110101", "19901301", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    s_make_id (id, "110101", "19900001", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    s_make_id (id, "110101", "19900100", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    s_make_id (id, "110101", "19900431", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    //  1800 is the floor, not 1900: DOMAIN.md's 440524188001010014 was born in 1880.
    s_make_id (id, "110101", "17991231", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    s_make_id (id, "110101", "18000101", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "110101", "18991231", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "110101", "00010101", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");

    //  Born today is fine, tomorrow is not; today 0 skips the test.
    s_make_id (id, "110101", "20240601", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "110101", "20240602", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");
    broker_check_t r;
    broker_idcheck_id_number (id, S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "future"));
    s_expect_id (id, 0, 0, "id_number");
    s_make_id (id, "110101", "20991231", 1);
    s_expect_id (id, S_TODAY, -1, "id_birth_date");

    int birth = 0;
    CU_ASSERT_EQUAL (broker_idcheck_id_birth ("11010519491231002X", &birth), 0);
    CU_ASSERT_EQUAL (birth, 19491231);
    CU_ASSERT_EQUAL (broker_idcheck_id_birth ("11010519491231002x", &birth), 0);
    s_make_id (id, "110101", "20230229", 1);
    CU_ASSERT_EQUAL (broker_idcheck_id_birth (id, &birth), -1);
    CU_ASSERT_EQUAL (broker_idcheck_id_birth ("1101051949123100", &birth), -1);
    CU_ASSERT_EQUAL (broker_idcheck_id_birth (NULL, &birth), -1);

    CU_ASSERT_EQUAL (broker_idcheck_id_gender ("11010519491231002X"), 'F');
    CU_ASSERT_EQUAL (broker_idcheck_id_gender ("440524188001010014"), 'M');
    CU_ASSERT_EQUAL (broker_idcheck_id_gender ("4405241880010100"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_id_gender (NULL), 0);

    CU_ASSERT_EQUAL (broker_idcheck_age (19491231, 20240601), 74);
    CU_ASSERT_EQUAL (broker_idcheck_age (19640601, 20240601), 60);
    CU_ASSERT_EQUAL (broker_idcheck_age (19640602, 20240601), 59);
    CU_ASSERT_EQUAL (broker_idcheck_age (20000229, 20230228), 22);
    CU_ASSERT_EQUAL (broker_idcheck_age (20000229, 20230301), 23);
    CU_ASSERT_EQUAL (broker_idcheck_age (20240601, 20240601), 0);
    CU_ASSERT_EQUAL (broker_idcheck_age (20240602, 20240601), -1);
    CU_ASSERT_EQUAL (broker_idcheck_age (20230229, 20240601), -1);
    CU_ASSERT_EQUAL (broker_idcheck_age (19900101, 0), -1);
}

static void
test_id_format_and_region (void)
{
    broker_check_t r;
    //  Lower-case x is accepted and reported as X.
    s_expect_id ("11010519491231002x", S_TODAY, 0, "id_number");
    broker_idcheck_id_number ("11010519491231002x", S_TODAY, &r);
    CU_ASSERT_STRING_EQUAL (r.canonical, "11010519491231002X");
    s_expect_id ("11010519491231002Y", S_TODAY, -1, "id_format");
    broker_idcheck_id_number ("11010519491231002Y", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "character 18"));
    //  A wrong lower-case x is reported as X.
    broker_idcheck_id_number ("44052418800101001x", S_TODAY, &r);
    CU_ASSERT_STRING_EQUAL (r.code, "id_check_char");
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "expected 4, got X"));

    //  15 digits: the old format, named as such.
    s_expect_id ("110105491231002", S_TODAY, -1, "id_format");
    broker_idcheck_id_number ("110105491231002", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "15-digit"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "old"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "旧版"));

    s_expect_id ("11010519491231002", S_TODAY, -1, "id_format");
    s_expect_id ("11010519491231002X1", S_TODAY, -1, "id_format");
    broker_idcheck_id_number ("11010519491231002X1", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "got 19"));
    s_expect_id (" 11010519491231002X", S_TODAY, -1, "id_format");
    s_expect_id ("1101051949123100-X", S_TODAY, -1, "id_format");
    broker_idcheck_id_number ("1101051949123100-X", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "character 17"));
    //  The check character never hides behind a letter in the body.
    s_expect_id ("X10105194912310021", S_TODAY, -1, "id_format");

    //  Region: all province-level codes pass (derived test); these do not.
    char id[19];
    s_make_id (id, "000000", "19900101", 1);
    s_expect_id (id, S_TODAY, -1, "id_region");
    s_make_id (id, "160000", "19900101", 1);
    s_expect_id (id, S_TODAY, -1, "id_region");
    s_make_id (id, "840000", "19900101", 1);
    s_expect_id (id, S_TODAY, -1, "id_region");
    broker_idcheck_id_number (id, S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "84"));
    //  A leading 9 is no longer a region: the foreigner's card (test_id_types).
    s_make_id (id, "911560", "19900101", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    //  Hong Kong, Macau and Taiwan residence permits: exactly these regions.
    s_make_id (id, "810000", "19900101", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "830000", "19900101", 1);
    s_expect_id (id, S_TODAY, 0, "id_number");
    s_make_id (id, "811000", "19900101", 1);
    s_expect_id (id, S_TODAY, -1, "id_region");

    //  Reasons never carry the whole number.
    broker_idcheck_id_number ("110105194912310021", S_TODAY, &r);
    CU_ASSERT_PTR_NULL (strstr (r.reason, "1101051949"));
}

static void
test_uscc_format (void)
{
    broker_check_t r;
    //  Letters the standard leaves out, wherever they appear.
    s_expect_uscc ("9I350100M000100Y43", -1, "uscc_charset");
    s_expect_uscc ("91350100O000100Y43", -1, "uscc_charset");
    s_expect_uscc ("91350100M0001S0Y43", -1, "uscc_charset");
    s_expect_uscc ("91350100M000100V43", -1, "uscc_charset");
    s_expect_uscc ("Z1350100M000100Y43", -1, "uscc_charset");
    broker_idcheck_uscc ("91350100M000100V43", &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "character 16 is V"));
    s_expect_uscc ("91350100M000100-43", -1, "uscc_charset");
    //  Lower case is normalised, not rejected.
    s_expect_uscc ("91350100m000100y43", 0, "uscc");
    broker_idcheck_uscc ("91350100m000100y43", &r);
    CU_ASSERT_STRING_EQUAL (r.canonical, "91350100M000100Y43");
    s_expect_uscc ("91350100m000100y4z", -1, "uscc_charset");
    //  Region code must be digits.
    s_expect_uscc ("913501A0M000100Y43", -1, "uscc_format");
    broker_idcheck_uscc ("913501A0M000100Y43", &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "character 7"));
    s_expect_uscc ("91350100M000100Y4", -1, "uscc_format");
    s_expect_uscc ("91350100M000100Y433", -1, "uscc_format");
    s_expect_uscc ("91350100M000100Y4０", -1, "uscc_format");
    s_expect_uscc ("", -1, "uscc_format");
    s_expect_uscc (NULL, -1, "uscc_format");

    //  The organisation-code check is separate and advisory: this code's mod-31 check
    //  holds but its GB 11714 character (5) should be 4.
    s_expect_uscc ("91350100M000100Y56", 0, "uscc");
    CU_ASSERT_EQUAL (broker_idcheck_uscc_org ("91350100M000100Y56", &r), -1);
    CU_ASSERT_STRING_EQUAL (r.code, "uscc_org_check");
    CU_ASSERT_FALSE (r.ok);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "expected 4, got 5"));
    s_assert_well_formed (&r);
    //  A malformed code gives its own failure from the org check too.
    CU_ASSERT_EQUAL (broker_idcheck_uscc_org ("91350100M000100Y44", &r), -1);
    CU_ASSERT_STRING_EQUAL (r.code, "uscc_check_char");
    CU_ASSERT_EQUAL (broker_idcheck_uscc_org (NULL, NULL), -1);

    CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char ("91350100M000100Y"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char ("91350100M000100I4"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_uscc_check_char (NULL), 0);
    CU_ASSERT_EQUAL (broker_idcheck_org_check_char ("m000100y"), '4');
    CU_ASSERT_EQUAL (broker_idcheck_org_check_char ("M00010"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_org_check_char ("M00010-Y"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_org_check_char (NULL), 0);
}

static void
test_phone (void)
{
    s_expect_phone ("13812345678", 0, "13812345678");
    s_expect_phone ("+86 138 1234 5678", 0, "13812345678");
    s_expect_phone ("0086 13812345678", 0, "13812345678");
    s_expect_phone ("+8613812345678", 0, "13812345678");
    s_expect_phone ("138-1234-5678", 0, "13812345678");
    s_expect_phone ("19912345678", 0, "19912345678");
    s_expect_phone ("12812345678", -1, "");
    s_expect_phone ("10812345678", -1, "");
    s_expect_phone ("1381234567", -1, "");
    s_expect_phone ("138123456789", -1, "");
    s_expect_phone ("+1 138 1234 5678", -1, "");

    s_expect_phone ("021-12345678", 0, "021-12345678");
    s_expect_phone ("0755-1234567", 0, "0755-1234567");
    s_expect_phone ("02112345678", 0, "021-12345678");
    s_expect_phone ("07551234567", 0, "0755-1234567");
    s_expect_phone ("010-8888 6666", 0, "010-88886666");
    s_expect_phone ("+86 21 1234 5678", 0, "021-12345678");
    s_expect_phone ("+86 10 8888 6666", 0, "010-88886666");
    s_expect_phone ("+86 755 1234567", 0, "0755-1234567");
    s_expect_phone ("021-123456", -1, "");
    s_expect_phone ("021-123456789", -1, "");
    s_expect_phone ("02-112345678", -1, ""); //  area code too short
    s_expect_phone ("0755-12-34567", -1, "");
    s_expect_phone ("075-51234567", -1, ""); //  07xx codes have 4 digits
    s_expect_phone ("011-12345678", -1, "");
    s_expect_phone ("5551234", -1, "");
    s_expect_phone ("138 1234 5678 转 8", -1, "");
    s_expect_phone ("138x1234x5678", -1, "");
    s_expect_phone ("+86", -1, "");
    s_expect_phone ("   ", -1, "");
    s_expect_phone ("", -1, "");
    s_expect_phone (NULL, -1, "");
    s_expect_phone ("１３８１２３４５６７８", -1, ""); //  full-width digits
}

static void
test_masking (void)
{
    char out[64];
    //  A quarter kept, at most 4 characters; never the last 4 (the cabinet's second factor).
    broker_idcheck_mask_id ("11010519491231002X", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "1101**************");
    broker_idcheck_mask_id ("11010519491231002x", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "1101**************");
    broker_idcheck_mask_id ("440524188001010014", out, 19);
    CU_ASSERT_STRING_EQUAL (out, "4405**************");
    broker_idcheck_mask_id ("110105491231002", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "110************");
    broker_idcheck_mask_id ("e12345678", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "E1*******");
    broker_idcheck_mask_id ("12345678", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "12******");
    broker_idcheck_mask_id ("AB123", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "A****");
    broker_idcheck_mask_id ("A123", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "****");
    //  Every length: none of the last 4 characters shows.
    const char *long_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    for (size_t len = 1; len <= 32; len++) {
        char in[33];
        snprintf (in, sizeof in, "%.*s", (int)len, long_id);
        broker_idcheck_mask_id (in, out, sizeof out);
        for (size_t k = len > 4 ? len - 4 : 0; k < len; k++)
            CU_ASSERT_PTR_NULL (strchr (out, in[k]));
    }
    broker_idcheck_mask_id ("1101051949123100２X", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "****");
    broker_idcheck_mask_id ("", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "****");
    broker_idcheck_mask_id (NULL, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "");
    broker_idcheck_mask_id ("11010519491231002X", out, 8);
    CU_ASSERT_STRING_EQUAL (out, "1101***");
    broker_idcheck_mask_id ("11010519491231002X", NULL, 0);
    out[0] = 'q';
    broker_idcheck_mask_id ("11010519491231002X", out, 0);
    CU_ASSERT_EQUAL (out[0], 'q');

    broker_idcheck_mask_phone ("13812345678", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "138****5678");
    broker_idcheck_mask_phone ("+86 138 1234 5678", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "138****5678");
    broker_idcheck_mask_phone ("0755-1234567", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "0755-***4567");
    broker_idcheck_mask_phone ("021 12345678", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "021-****5678");
    broker_idcheck_mask_phone ("12812345678", out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "****");
    broker_idcheck_mask_phone (NULL, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "");
    broker_idcheck_mask_phone ("13812345678", out, 4);
    CU_ASSERT_STRING_EQUAL (out, "138");
    //  Names: first character, last from three on, stars between; whole characters only.
    const char *names[][2] = {{"张三", "张*"}, {"李小明", "李*明"}, {"欧阳小华", "欧**华"},
                              {"王", "王"},    {"\xff\xfe", "*"},   {"", ""}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        broker_idcheck_mask_name (names[i][0], out, sizeof out);
        CU_ASSERT_STRING_EQUAL (out, names[i][1]);
    }
    broker_idcheck_mask_name ("李小明", out, 5); //  room for 李 and * only, never half a 明
    CU_ASSERT_STRING_EQUAL (out, "李*");
    broker_idcheck_mask_name (NULL, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "");
}

//  Checks a document number of `type` and expects `rc`, `code` and (on success) the type
//  found and the canonical form.
static void
s_expect_doc (const char *number, broker_id_type_t type, int rc, const char *code,
              broker_id_type_t found, const char *canonical)
{
    broker_check_t r;
    broker_id_type_t got = (broker_id_type_t)99;
    CU_ASSERT_EQUAL (broker_idcheck_document (number, type, S_TODAY, &r, &got), rc);
    CU_ASSERT_STRING_EQUAL (r.code, code);
    CU_ASSERT_EQUAL (got, found);
    if (rc == 0)
        CU_ASSERT_STRING_EQUAL (r.canonical, canonical);
    s_assert_well_formed (&r);
}

static void
test_id_types (void)
{
    //  Names: every type round-trips; unknown names are no type.
    for (int t = BROKER_ID_RESIDENT; t <= BROKER_ID_PASSPORT; t++) {
        const char *wire = broker_idcheck_type_name ((broker_id_type_t)t);
        CU_ASSERT (*wire && *broker_idcheck_type_label ((broker_id_type_t)t));
        CU_ASSERT_EQUAL (broker_idcheck_type (wire), t);
    }
    CU_ASSERT_EQUAL (broker_idcheck_type ("passport"), BROKER_ID_PASSPORT);
    CU_ASSERT_STRING_EQUAL (broker_idcheck_type_label (BROKER_ID_FOREIGN_PERMANENT),
                            "外国人永久居留身份证");
    CU_ASSERT_EQUAL (broker_idcheck_type ("driving_licence"), BROKER_ID_NONE);
    CU_ASSERT_EQUAL (broker_idcheck_type (""), BROKER_ID_NONE);
    CU_ASSERT_EQUAL (broker_idcheck_type (NULL), BROKER_ID_NONE);
    CU_ASSERT_STRING_EQUAL (broker_idcheck_type_name (BROKER_ID_NONE), "");

    //  外国人永久居留身份证 (2023): the number, and the example of the immigration
    //  administration's adaptation notes (province 32, nationality 682 Saudi Arabia).
    s_expect_doc ("911011199001010012", BROKER_ID_NONE, 0, "id_number", BROKER_ID_FOREIGN_PERMANENT,
                  "911011199001010012");
    s_expect_doc ("932682198501010017", BROKER_ID_NONE, 0, "id_number", BROKER_ID_FOREIGN_PERMANENT,
                  "932682198501010017");
    s_expect_doc ("932682198501010017", BROKER_ID_FOREIGN_PERMANENT, 0, "id_number",
                  BROKER_ID_FOREIGN_PERMANENT, "932682198501010017");
    CU_ASSERT_EQUAL (broker_idcheck_type_of ("911011199001010012"), BROKER_ID_FOREIGN_PERMANENT);
    broker_check_t r;
    broker_idcheck_id_number ("911011199001010012", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "外国人永久居留身份证"));
    //  Nationality: 682 is listed in ISO 3166-1; the 011 is not (advisory only).
    CU_ASSERT_EQUAL (broker_idcheck_nationality_listed ("932682198501010017", &r), 0);
    CU_ASSERT_STRING_EQUAL (r.code, "id_nationality_list");
    CU_ASSERT_EQUAL (broker_idcheck_nationality_listed ("911011199001010012", &r), -1);
    CU_ASSERT_STRING_EQUAL (r.code, "id_nationality_list");
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "011"));
    CU_ASSERT_EQUAL (broker_idcheck_nationality_listed ("911011199001010013", &r), -1);
    CU_ASSERT_STRING_EQUAL (r.code, "id_check_char");
    CU_ASSERT_EQUAL (broker_idcheck_nationality_listed ("11010519491231002X", &r), -1);
    CU_ASSERT_STRING_EQUAL (r.code, "id_type");
    //  Its sub-checks, each failing alone (the check characters computed by python3).
    s_expect_doc ("911011199001010013", BROKER_ID_NONE, -1, "id_check_char",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("911840202513010016", BROKER_ID_NONE, -1, "id_birth_date",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("971156198501010013", BROKER_ID_NONE, -1, "id_region",
                  BROKER_ID_FOREIGN_PERMANENT, ""); //  71: no immigration office there
    s_expect_doc ("991826198501010017", BROKER_ID_NONE, -1, "id_region",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("90082619850101001X", BROKER_ID_NONE, -1, "id_region",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("911000199001010013", BROKER_ID_NONE, -1, "id_nationality",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("911950199001010016", BROKER_ID_NONE, -1, "id_nationality",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("911156199001010010", BROKER_ID_NONE, -1, "id_nationality",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("932156198501010017", BROKER_ID_NONE, -1, "id_nationality",
                  BROKER_ID_FOREIGN_PERMANENT, "");

    //  港澳台居民居住证: exactly 810000, 820000, 830000.
    s_expect_doc ("810000199001010019", BROKER_ID_NONE, 0, "id_number", BROKER_ID_HMT_RESIDENCE,
                  "810000199001010019");
    s_expect_doc ("820000199001010010", BROKER_ID_HMT_RESIDENCE, 0, "id_number",
                  BROKER_ID_HMT_RESIDENCE, "820000199001010010");
    s_expect_doc ("830000199001010012", BROKER_ID_NONE, 0, "id_number", BROKER_ID_HMT_RESIDENCE,
                  "830000199001010012");
    s_expect_doc ("81100019900101001X", BROKER_ID_NONE, -1, "id_region", BROKER_ID_HMT_RESIDENCE,
                  "");
    s_expect_doc ("821234199001010016", BROKER_ID_NONE, -1, "id_region", BROKER_ID_HMT_RESIDENCE,
                  "");
    broker_idcheck_id_number ("81100019900101001X", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "810000"));

    //  A resident ID, with or without its type; a type given must agree with the number.
    s_expect_doc ("11010519491231002x", BROKER_ID_RESIDENT, 0, "id_number", BROKER_ID_RESIDENT,
                  "11010519491231002X");
    s_expect_doc ("11010519491231002X", BROKER_ID_FOREIGN_PERMANENT, -1, "id_type",
                  BROKER_ID_FOREIGN_PERMANENT, "");
    s_expect_doc ("911011199001010012", BROKER_ID_RESIDENT, -1, "id_type", BROKER_ID_RESIDENT, "");
    s_expect_doc ("810000199001010019", BROKER_ID_RESIDENT, -1, "id_type", BROKER_ID_RESIDENT, "");
    s_expect_doc ("11010519491231002X", BROKER_ID_HMT_RESIDENCE, -1, "id_type",
                  BROKER_ID_HMT_RESIDENCE, "");
    //  Without a type, a number that is not 18 characters cannot be told: the reason says
    //  to name its type.
    s_expect_doc ("E12345678", BROKER_ID_NONE, -1, "id_format", BROKER_ID_NONE, "");
    broker_idcheck_id_number ("E12345678", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "id_type"));
    CU_ASSERT_EQUAL (broker_idcheck_type_of ("E12345678"), BROKER_ID_NONE);
}

//  The documents whose number does not say what they are: format checks.
static void
test_id_typed (void)
{
    broker_check_t r;
    s_expect_doc ("kaz110090123105", BROKER_ID_FOREIGN_PERMANENT_OLD, 0, "id_number",
                  BROKER_ID_FOREIGN_PERMANENT_OLD, "KAZ110090123105");
    s_expect_doc ("KA1110090123105", BROKER_ID_FOREIGN_PERMANENT_OLD, -1, "id_format",
                  BROKER_ID_FOREIGN_PERMANENT_OLD, "");
    s_expect_doc ("KAZ11009012310", BROKER_ID_FOREIGN_PERMANENT_OLD, -1, "id_format",
                  BROKER_ID_FOREIGN_PERMANENT_OLD, "");
    s_expect_doc ("KAZ11009012310X", BROKER_ID_FOREIGN_PERMANENT_OLD, -1, "id_format",
                  BROKER_ID_FOREIGN_PERMANENT_OLD, "");
    s_expect_doc ("H12345678", BROKER_ID_HK_MACAO_PERMIT, 0, "id_number", BROKER_ID_HK_MACAO_PERMIT,
                  "H12345678");
    s_expect_doc ("m1234567890", BROKER_ID_HK_MACAO_PERMIT, 0, "id_number",
                  BROKER_ID_HK_MACAO_PERMIT, "M1234567890");
    const char *bad_hkm[] = {"H1234567",  "H123456789", "H123456789012",
                             "A12345678", "HM1234567",  "12345678"};
    for (size_t i = 0; i < S_COUNT (bad_hkm); i++)
        s_expect_doc (bad_hkm[i], BROKER_ID_HK_MACAO_PERMIT, -1, "id_format",
                      BROKER_ID_HK_MACAO_PERMIT, "");
    s_expect_doc ("12345678", BROKER_ID_TAIWAN_PERMIT, 0, "id_number", BROKER_ID_TAIWAN_PERMIT,
                  "12345678");
    s_expect_doc ("1234567", BROKER_ID_TAIWAN_PERMIT, -1, "id_format", BROKER_ID_TAIWAN_PERMIT, "");
    s_expect_doc ("1234567A", BROKER_ID_TAIWAN_PERMIT, -1, "id_format", BROKER_ID_TAIWAN_PERMIT,
                  "");
    s_expect_doc ("123456789", BROKER_ID_TAIWAN_PERMIT, -1, "id_format", BROKER_ID_TAIWAN_PERMIT,
                  "");
    const char *good_pp[] = {"E12345678", "ea1234567", "123456789", "G1234", "AB1234567890CDEFG"};
    const char *canon_pp[] = {"E12345678", "EA1234567", "123456789", "G1234", "AB1234567890CDEFG"};
    for (size_t i = 0; i < S_COUNT (good_pp); i++)
        s_expect_doc (good_pp[i], BROKER_ID_PASSPORT, 0, "id_number", BROKER_ID_PASSPORT,
                      canon_pp[i]);
    const char *bad_pp[] = {"E123",      "ABCDEFGH", "AB1234567890CDEFGH", "E1234-567", "E 1234567",
                            "E１234567", ""};
    for (size_t i = 0; i < S_COUNT (bad_pp); i++)
        s_expect_doc (bad_pp[i], BROKER_ID_PASSPORT, -1, "id_format", BROKER_ID_PASSPORT, "");
    s_expect_doc (NULL, BROKER_ID_PASSPORT, -1, "id_format", BROKER_ID_PASSPORT, "");
    //  A type outside the enum.
    s_expect_doc ("E12345678", (broker_id_type_t)42, -1, "id_type", BROKER_ID_NONE, "");
    //  Reasons never carry the whole number.
    broker_idcheck_document ("E1234-567", BROKER_ID_PASSPORT, S_TODAY, &r, NULL);
    CU_ASSERT_PTR_NULL (strstr (r.reason, "E1234-567"));
}

static void
test_hostile_input (void)
{
    //  NULL out pointers are allowed.
    CU_ASSERT_EQUAL (broker_idcheck_id_number ("11010519491231002X", S_TODAY, NULL), 0);
    CU_ASSERT_EQUAL (broker_idcheck_id_number (NULL, S_TODAY, NULL), -1);
    CU_ASSERT_EQUAL (broker_idcheck_uscc (NULL, NULL), -1);
    CU_ASSERT_EQUAL (broker_idcheck_phone (NULL, NULL), -1);
    CU_ASSERT_EQUAL (broker_idcheck_id_check_char (NULL), 0);
    CU_ASSERT_EQUAL (broker_idcheck_id_check_char ("1101"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_id_check_char ("1101051949123100一"), 0);
    CU_ASSERT_EQUAL (broker_idcheck_id_birth ("11010519491231002X", NULL), 0);

    s_expect_id (NULL, S_TODAY, -1, "id_format");
    s_expect_id ("", S_TODAY, -1, "id_format");
    //  A Chinese character or full-width digit where a digit should be.
    s_expect_id ("1101051949123100二X", S_TODAY, -1, "id_format");
    s_expect_id ("一一〇一〇五一九四九一二三一〇〇二X", S_TODAY, -1, "id_format");
    s_expect_id ("１１０１０５１９４９１２３１００２Ｘ", S_TODAY, -1, "id_format");
    broker_check_t r;
    broker_idcheck_id_number ("1101051949123100二X", S_TODAY, &r);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.reason, "non-ASCII"));
    //  Invalid UTF-8 and control bytes.
    s_expect_id ("\xff\xfe\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80",
                 S_TODAY, -1, "id_format");
    s_expect_id ("11010519491231002\x01", S_TODAY, -1, "id_format");
    s_expect_uscc ("91350100M000100Y4\xc3", -1, "uscc_format");
    s_expect_uscc ("91350100M000100Y4\x01", -1, "uscc_charset");
    s_expect_phone ("138\xe4\xb8\x80"
                    "12345678",
                    -1, "");

    //  Over-long input: a 100 KB string of digits and one of Chinese text.
    static char huge[100001];
    memset (huge, '1', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    s_expect_id (huge, S_TODAY, -1, "id_format");
    s_expect_uscc (huge, -1, "uscc_format");
    s_expect_phone (huge, -1, "");
    char out[32];
    broker_idcheck_mask_id (huge, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "****");
    broker_idcheck_mask_phone (huge, out, sizeof out);
    CU_ASSERT_STRING_EQUAL (out, "****");
    for (size_t i = 0; i + 3 < sizeof huge; i += 3)
        memcpy (huge + i, "号", 3);
    s_expect_id (huge, S_TODAY, -1, "id_format");
    s_expect_uscc (huge, -1, "uscc_format");
    s_expect_phone (huge, -1, "");
}

int
test_idcheck_suite (void)
{
    CU_pSuite suite = CU_add_suite ("idcheck", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "DOMAIN.md vectors", test_domain_vectors) ||
        !CU_add_test (suite, "vectors computed in python3 and stdnum", test_python_vectors) ||
        !CU_add_test (suite, "derived ID numbers, every check character", test_derived_ids) ||
        !CU_add_test (suite, "derived USCCs", test_derived_usccs) ||
        !CU_add_test (suite, "ID: every single substitution", test_id_single_substitution) ||
        !CU_add_test (suite, "ID: adjacent transpositions", test_id_transposition) ||
        !CU_add_test (suite, "USCC: substitutions and transpositions",
                      test_uscc_substitution_transposition) ||
        !CU_add_test (suite, "ID: birth dates, gender, age", test_id_dates) ||
        !CU_add_test (suite, "ID: format, x, 15 digits, region", test_id_format_and_region) ||
        !CU_add_test (suite, "USCC: charset, case, organisation code", test_uscc_format) ||
        !CU_add_test (suite, "phone numbers", test_phone) ||
        !CU_add_test (suite, "ID types: the numbers that name their type", test_id_types) ||
        !CU_add_test (suite, "ID types: the documents that must be named", test_id_typed) ||
        !CU_add_test (suite, "masking", test_masking) ||
        !CU_add_test (suite, "NULL, empty, UTF-8, over-long", test_hostile_input))
        return -1;
    return 0;
}
