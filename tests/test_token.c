/*  test_token.c — protocol/proto_token: fresh tokens, canonical form checked against an
    independent RFC 4648 base32 codec (itself checked against the RFC's test vectors), and
    parsing of what scanners type: bare tokens, lower case, whitespace, status URLs. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_token.h"
#include "tests.h"

#define S_COUNT 1000

static const char s_b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

//  RFC 4648 section 6 encoding with padding. out must hold 8 * ceil(len / 5) + 1 bytes.
static void
s_encode (const unsigned char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 5) {
        unsigned char block[5] = {0};
        size_t n = len - i < 5 ? len - i : 5;
        memcpy (block, in + i, n);
        uint64_t bits = 0;
        for (int k = 0; k < 5; k++)
            bits = (bits << 8) | block[k];
        //  Output characters carrying at least one input bit: ceil(n * 8 / 5).
        size_t chars = (n * 8 + 4) / 5;
        for (size_t k = 0; k < 8; k++)
            out[o++] = k < chars ? s_b32[(bits >> (35 - 5 * k)) & 31] : '=';
    }
    out[o] = 0;
}

//  Decodes unpadded base32 of `len` characters into bits; returns the number of whole
//  bytes written to out and sets *tail to the leftover bits (which must be zero in a
//  canonical encoding) and *tail_bits to how many there were. -1 on a bad character.
static int
s_decode (const char *in, size_t len, unsigned char *out, unsigned *tail, int *tail_bits)
{
    uint32_t buffer = 0;
    int bits = 0, o = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr (s_b32, in[i]);
        if (!in[i] || !p)
            return -1;
        buffer = (buffer << 5) | (uint32_t)(p - s_b32);
        bits += 5;
        if (bits >= 8) {
            out[o++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
            buffer &= (1u << bits) - 1;
        }
    }
    *tail = buffer;
    *tail_bits = bits;
    return o;
}

//  The 26 unpadded characters of 16 bytes.
static void
s_token_of (const unsigned char bytes[16], char out[PROTO_TOKEN_LEN + 1])
{
    char padded[40];
    s_encode (bytes, 16, padded);
    CU_ASSERT_EQUAL (strlen (padded), 32);
    CU_ASSERT_EQUAL (strspn (padded + PROTO_TOKEN_LEN, "="), 6);
    memcpy (out, padded, PROTO_TOKEN_LEN);
    out[PROTO_TOKEN_LEN] = 0;
}

static int
s_cmp (const void *a, const void *b)
{
    return strcmp (a, b);
}

//  ---------------------------------------------------------------------------------------

static void
test_reference_codec (void)
{
    //  RFC 4648 section 10.
    static const struct {
        const char *in, *out;
    } vectors[] = {{"", ""},
                   {"f", "MY======"},
                   {"fo", "MZXQ===="},
                   {"foo", "MZXW6==="},
                   {"foob", "MZXW6YQ="},
                   {"fooba", "MZXW6YTB"},
                   {"foobar", "MZXW6YTBOI======"}};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char out[64];
        s_encode ((const unsigned char *)vectors[i].in, strlen (vectors[i].in), out);
        CU_ASSERT_STRING_EQUAL (out, vectors[i].out);
        unsigned char back[16];
        unsigned tail;
        int tail_bits;
        size_t chars = strcspn (vectors[i].out, "=");
        int n = s_decode (vectors[i].out, chars, back, &tail, &tail_bits);
        CU_ASSERT_EQUAL (n, (int)strlen (vectors[i].in));
        CU_ASSERT_EQUAL (memcmp (back, vectors[i].in, (size_t)n), 0);
        CU_ASSERT_EQUAL (tail, 0);
    }
    //  16 known bytes (python: base64.b32encode(bytes(range(16)))).
    unsigned char bytes[16];
    for (int i = 0; i < 16; i++)
        bytes[i] = (unsigned char)i;
    char token[PROTO_TOKEN_LEN + 1];
    s_token_of (bytes, token);
    CU_ASSERT_STRING_EQUAL (token, "AAAQEAYEAUDAOCAJBIFQYDIOB4");
    CU_ASSERT_TRUE (proto_token_valid (token));
    memcpy (bytes, "foobarfoobarfoob", 16);
    s_token_of (bytes, token);
    CU_ASSERT_STRING_EQUAL (token, "MZXW6YTBOJTG633CMFZGM33PMI");
    CU_ASSERT_TRUE (proto_token_valid (token));
    memset (bytes, 0xff, 16);
    s_token_of (bytes, token);
    CU_ASSERT_STRING_EQUAL (token, "77777777777777777777777774");
    CU_ASSERT_TRUE (proto_token_valid (token));
    memset (bytes, 0, 16);
    s_token_of (bytes, token);
    CU_ASSERT_STRING_EQUAL (token, "AAAAAAAAAAAAAAAAAAAAAAAAAA");
    CU_ASSERT_TRUE (proto_token_valid (token));
}

static void
test_new_tokens (void)
{
    char (*tokens)[PROTO_TOKEN_LEN + 1] = calloc (S_COUNT, sizeof *tokens);
    CU_ASSERT_PTR_NOT_NULL_FATAL (tokens);
    unsigned char ones[16] = {0}, zeros[16] = {0};
    for (int i = 0; i < S_COUNT; i++) {
        memset (tokens[i], '#', sizeof tokens[i]);
        proto_token_new (tokens[i]);
        CU_ASSERT_EQUAL (strlen (tokens[i]), PROTO_TOKEN_LEN);
        CU_ASSERT_TRUE (proto_token_valid (tokens[i]));
        //  Canonical base32 of 16 bytes: decodes to 16 bytes plus 2 zero bits and encodes
        //  back to the same text.
        unsigned char raw[20];
        unsigned tail;
        int tail_bits;
        CU_ASSERT_EQUAL (s_decode (tokens[i], PROTO_TOKEN_LEN, raw, &tail, &tail_bits), 16);
        CU_ASSERT_EQUAL (tail_bits, 2);
        CU_ASSERT_EQUAL (tail, 0);
        char again[PROTO_TOKEN_LEN + 1];
        s_token_of (raw, again);
        CU_ASSERT_STRING_EQUAL (again, tokens[i]);
        for (int b = 0; b < 16; b++) {
            ones[b] |= raw[b];
            zeros[b] |= (unsigned char)~raw[b];
        }
    }
    //  Every one of the 128 bits was seen both set and clear (a stuck bit would mean
    //  lost entropy; chance of a false failure is about 2^-990).
    for (int b = 0; b < 16; b++) {
        CU_ASSERT_EQUAL (ones[b], 0xff);
        CU_ASSERT_EQUAL (zeros[b], 0xff);
    }
    qsort (tokens, S_COUNT, sizeof *tokens, s_cmp);
    int dup = 0;
    for (int i = 1; i < S_COUNT; i++)
        if (strcmp (tokens[i - 1], tokens[i]) == 0)
            dup++;
    CU_ASSERT_EQUAL (dup, 0);
    free (tokens);
}

//  A ticket's token: its time first, then 88 random bits; valid, canonical, and the tokens
//  of the same 1,024 ms share their first 6 characters (the time's top 30 bits).
static void
test_new_tokens_at (void)
{
    int64_t t0 = 1796000000000LL; //  not a multiple of 1,024: the run crosses windows
    char prev[PROTO_TOKEN_LEN + 1] = "";
    unsigned char ones[11] = {0}, zeros[11] = {0};
    int dup = 0;
    for (int i = 0; i < S_COUNT; i++) {
        char tok[PROTO_TOKEN_LEN + 1];
        proto_token_new_at (tok, t0 + i);
        CU_ASSERT_TRUE (proto_token_valid (tok));
        unsigned char raw[20];
        unsigned tail;
        int tail_bits;
        CU_ASSERT_EQUAL (s_decode (tok, PROTO_TOKEN_LEN, raw, &tail, &tail_bits), 16);
        uint64_t t = 0;
        for (int b = 0; b < 5; b++)
            t = t << 8 | raw[b];
        CU_ASSERT_EQUAL (t, (uint64_t)(t0 + i) & 0xffffffffffULL);
        if (((t0 + i) >> 10) == ((t0 + i - 1) >> 10))
            CU_ASSERT_EQUAL (memcmp (prev, tok, 6), 0);
        for (int b = 0; b < 11; b++) {
            ones[b] |= raw[5 + b];
            zeros[b] |= (unsigned char)~raw[5 + b];
        }
        char same[PROTO_TOKEN_LEN + 1];
        proto_token_new_at (same, t0 + i);
        dup += strcmp (same, tok) == 0;
        CU_ASSERT_EQUAL (memcmp (same, tok, 8), 0);
        memcpy (prev, tok, sizeof prev);
    }
    CU_ASSERT_EQUAL (dup, 0);
    //  Every random bit seen set and clear.
    for (int b = 0; b < 11; b++) {
        CU_ASSERT_EQUAL (ones[b], 0xff);
        CU_ASSERT_EQUAL (zeros[b], 0xff);
    }
}

static void
test_valid_agrees_with_decode (void)
{
    //  Random 26-character strings over the alphabet: valid exactly when the 2 trailing
    //  bits of the decode are zero, i.e. for 1 in 4 last characters.
    unsigned seed = 12345;
    int valid = 0;
    for (int i = 0; i < 4000; i++) {
        char s[PROTO_TOKEN_LEN + 1];
        for (int k = 0; k < PROTO_TOKEN_LEN; k++) {
            seed = seed * 1103515245u + 12345u;
            s[k] = s_b32[(seed >> 16) & 31];
        }
        s[PROTO_TOKEN_LEN] = 0;
        unsigned char raw[20];
        unsigned tail;
        int tail_bits;
        CU_ASSERT_EQUAL (s_decode (s, PROTO_TOKEN_LEN, raw, &tail, &tail_bits), 16);
        bool canonical = tail == 0;
        CU_ASSERT_EQUAL (proto_token_valid (s), canonical);
        valid += canonical;
        char out[PROTO_TOKEN_LEN + 1];
        CU_ASSERT_EQUAL (proto_token_parse (s, strlen (s), out), canonical ? 0 : -1);
    }
    CU_ASSERT_TRUE (valid > 800 && valid < 1200);
    //  Every last character: valid iff its value is a multiple of 4.
    char s[PROTO_TOKEN_LEN + 1] = "MZXW6YTBOJTG633CMFZGM33PMI";
    for (int v = 0; v < 32; v++) {
        s[PROTO_TOKEN_LEN - 1] = s_b32[v];
        CU_ASSERT_EQUAL (proto_token_valid (s), (v & 3) == 0);
    }
}

static void
test_parse_accepts (void)
{
    const char *t = "MZXW6YTBOJTG633CMFZGM33PMI";
    const char *ok[] = {
        "MZXW6YTBOJTG633CMFZGM33PMI",
        "mzxw6ytbojtg633cmfzgm33pmi",
        "MzXw6YtBoJtG633cMfZgM33pMi",
        "MZXW6YTBOJTG633CMFZGM33PMI\r\n",
        "MZXW6YTBOJTG633CMFZGM33PMI\n",
        "  MZXW6YTBOJTG633CMFZGM33PMI  ",
        "\tMZXW6YTBOJTG633CMFZGM33PMI \r\n",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PMI",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PMI/",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PMI?x=1#f",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PMI#f",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PMI/?x=1",
        "HTTP://HOST:8080/T/mzxw6ytbojtg633cmfzgm33pmi\r\n",
        " https://zwfw.example.gov.cn/t/mzxw6ytbojtg633cmfzgm33pmi \n",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char out[PROTO_TOKEN_LEN + 8];
        memset (out, '#', sizeof out);
        int rc = proto_token_parse (ok[i], strlen (ok[i]), out);
        if (rc != 0)
            fprintf (stderr, "\nnot accepted: \"%s\"\n", ok[i]);
        CU_ASSERT_EQUAL (rc, 0);
        if (rc == 0)
            CU_ASSERT_STRING_EQUAL (out, t);
    }
    //  Only `len` bytes are read.
    char out[PROTO_TOKEN_LEN + 1];
    CU_ASSERT_EQUAL (proto_token_parse ("MZXW6YTBOJTG633CMFZGM33PMIXYZ", 26, out), 0);
    CU_ASSERT_STRING_EQUAL (out, t);
    //  Leading CR/LF (some scanners send a line break before the data) is whitespace too.
    const char *lead[] = {"\r\nMZXW6YTBOJTG633CMFZGM33PMI", "\nMZXW6YTBOJTG633CMFZGM33PMI\n"};
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
        CU_ASSERT_EQUAL (proto_token_parse (lead[i], strlen (lead[i]), out), 0);
        CU_ASSERT_STRING_EQUAL (out, t);
    }
}

static void
test_parse_rejects (void)
{
    const char *bad[] = {
        "",
        "   ",
        "\r\n",
        "MZXW6YTBOJTG633CMFZGM33PM",   //  25
        "MZXW6YTBOJTG633CMFZGM33PMIA", //  27
        "MZXW6YTBOJTG633CMFZGM33P0I",  //  0 is not base32
        "0ZXW6YTBOJTG633CMFZGM33PMI",
        "1ZXW6YTBOJTG633CMFZGM33PMI",
        "8ZXW6YTBOJTG633CMFZGM33PMI",
        "9ZXW6YTBOJTG633CMFZGM33PMI",
        "MZXW6YTBOJTG633CMFZGM33PMB", //  last char: low 2 bits not zero
        "MZXW6YTBOJTG633CMFZGM33PMC",
        "MZXW6YTBOJTG633CMFZGM33PMD",
        "MZXW6YTBOJTG633CMFZGM33PM7",
        "MZXW6YTBOJTG633CMFZGM33PM=",
        "MZXW6YTBOJTG633C MFZGM33PMI",
        "MZXW6YTBOJTG633-MFZGM33PMI",
        "MZXW6YTBOJTG633\xc3\xa9MFZGM33PM",
        "http://host:8080/t/",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PMI/extra",
        "http://host:8080/t/MZXW6YTBOJTG633CMFZGM33PM",
        "/",
        "?MZXW6YTBOJTG633CMFZGM33PMI",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[PROTO_TOKEN_LEN + 1];
        int rc = proto_token_parse (bad[i], strlen (bad[i]), out);
        if (rc != -1)
            fprintf (stderr, "\nnot rejected: \"%s\"\n", bad[i]);
        CU_ASSERT_EQUAL (rc, -1);
    }
    //  A NUL byte inside the given length is not part of a token.
    char out[PROTO_TOKEN_LEN + 1];
    CU_ASSERT_EQUAL (proto_token_parse ("MZXW6YTBOJTG633C\0MFZGM33PM", 26, out), -1);
    //  proto_token_valid wants the canonical form only.
    CU_ASSERT_TRUE (proto_token_valid ("MZXW6YTBOJTG633CMFZGM33PMI"));
    CU_ASSERT_FALSE (proto_token_valid ("mzxw6ytbojtg633cmfzgm33pmi"));
    CU_ASSERT_FALSE (proto_token_valid ("MZXW6YTBOJTG633CMFZGM33PMI\n"));
    CU_ASSERT_FALSE (proto_token_valid (""));
    CU_ASSERT_FALSE (proto_token_valid ("MZXW6YTBOJTG633CMFZGM33PM1"));
}

int
test_token_suite (void)
{
    CU_pSuite suite = CU_add_suite ("token", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "reference base32 codec vs RFC 4648 vectors", test_reference_codec) ||
        !CU_add_test (suite, "1000 new tokens: valid, canonical, distinct", test_new_tokens) ||
        !CU_add_test (suite, "tokens made at a time sort by it", test_new_tokens_at) ||
        !CU_add_test (suite, "proto_token_valid agrees with a decode",
                      test_valid_agrees_with_decode) ||
        !CU_add_test (suite, "parse accepts bare, lower case, whitespace, URLs",
                      test_parse_accepts) ||
        !CU_add_test (suite, "parse rejects bad lengths, letters, padding bits",
                      test_parse_rejects))
        return -1;
    return 0;
}
