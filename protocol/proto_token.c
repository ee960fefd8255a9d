/*  proto_token.c — see proto_token.h. */
#include "proto_token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char s_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

//  16 bytes in base32 without padding: 130 bits of output for 128 of input, the last
//  character carrying 3 bits.
static void
s_encode (const unsigned char raw[16], char *out)
{
    unsigned buffer = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        buffer = (buffer << 8) | raw[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = s_alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = s_alphabet[(buffer << (5 - bits)) & 31];
    out[o] = 0;
}

void
proto_token_new (char *out)
{
    unsigned char raw[16];
    randombytes_buf (raw, sizeof raw);
    s_encode (raw, out);
}

void
proto_token_new_at (char *out, int64_t time_ms)
{
    unsigned char raw[16];
    uint64_t t = (uint64_t)time_ms;
    for (int i = 4; i >= 0; i--, t >>= 8)
        raw[i] = (unsigned char)(t & 0xff);
    randombytes_buf (raw + 5, sizeof raw - 5);
    s_encode (raw, out);
}

static int
s_value (char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    const char *p = c ? strchr (s_alphabet, c) : NULL;
    return p ? (int)(p - s_alphabet) : -1;
}

bool
proto_token_valid (const char *s)
{
    if (strlen (s) != PROTO_TOKEN_LEN)
        return false;
    for (int i = 0; i < PROTO_TOKEN_LEN; i++)
        if (!(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= '2' && s[i] <= '7'))
            return false;
    //  The last character holds 3 data bits and 2 zero padding bits.
    return (s_value (s[PROTO_TOKEN_LEN - 1]) & 3) == 0;
}

void
proto_token_hash (const char *token, char *out)
{
    unsigned char h[16];
    crypto_generichash (h, sizeof h, (const unsigned char *)token, strlen (token), NULL, 0);
    sodium_bin2hex (out, 33, h, sizeof h);
}

void
proto_token_pin_hash (const char *case_no, const char *pin, char *out)
{
    char text[128];
    snprintf (text, sizeof text, "%s:%s", case_no, pin);
    proto_token_hash (text, out);
}

int
proto_token_parse (const char *text, size_t len, char *out)
{
    //  Trim whitespace (scanners end lines with CR/LF).
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
                   text[len - 1] == '\t'))
        len--;
    while (len && (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')) {
        text++;
        len--;
    }
    //  A URL: take the last path segment, ignoring a query or fragment.
    for (size_t i = 0; i < len; i++)
        if (text[i] == '?' || text[i] == '#') {
            len = i;
            break;
        }
    while (len && text[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && text[start - 1] != '/')
        start--;
    if (len - start != PROTO_TOKEN_LEN)
        return -1;
    for (size_t i = 0; i < PROTO_TOKEN_LEN; i++) {
        int v = s_value (text[start + i]);
        if (v < 0)
            return -1;
        out[i] = s_alphabet[v];
    }
    out[PROTO_TOKEN_LEN] = 0;
    return proto_token_valid (out) ? 0 : -1;
}
