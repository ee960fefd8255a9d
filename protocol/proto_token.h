/*  proto_token.h — the QR token that follows a citizen from ticket to pickup (一码通办).

    A token is 16 bytes written in RFC 4648 base32 without padding, 26 characters from A–Z
    and 2–7: 16 random bytes (128 bits, libsodium), or for a ticket the time it was taken
    and 11 random bytes. Upper-case letters and digits keep the QR code in its compact
    alphanumeric mode and survive scanners that type what they read. The QR
    text is either the bare token or a status URL ending in "/t/TOKEN"; proto_token_parse
    accepts both, and lower case. */
#ifndef PROTO_TOKEN_H
#define PROTO_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_TOKEN_LEN 26

//  Writes a fresh random token and NUL into `out` (>= PROTO_TOKEN_LEN + 1 bytes).
void proto_token_new (char *out);
//  The same, its first 5 bytes the time `time_ms` (Unix ms, modulo 2^40, big-endian) and
//  the other 11 random (88 bits). Tokens made in the same 1,024 ms share their first 6
//  characters, so a store keyed by them writes each new one beside the last ones instead
//  of into a page of its own (a ticket's token, docs/PERFORMANCE.md). It tells when the
//  ticket was taken, which its slip prints anyway.
void proto_token_new_at (char *out, int64_t time_ms);
//  True if `s` is exactly a canonical token (26 chars, A–Z2–7).
bool proto_token_valid (const char *s);
//  Extracts a token from scanned text (len bytes): a bare token, lower or upper case,
//  or a URL whose last path segment is the token, with surrounding whitespace ignored.
//  Writes the canonical token into `out` and returns 0, or -1 if there is none.
int proto_token_parse (const char *text, size_t len, char *out);

//  The hash under which a pickup code is kept where it must not be readable (the cabinet's
//  store): 32 hex chars (BLAKE2b-128) of the canonical token, into `out` (>= 33 bytes).
void proto_token_hash (const char *token, char *out);
//  The hash of a second factor `pin` (the last 4 of an ID number) for case `case_no`.
void proto_token_pin_hash (const char *case_no, const char *pin, char *out);

#endif
