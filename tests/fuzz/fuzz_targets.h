/*  fuzz_targets.h — the bodies of the fuzz harnesses, shared by the libFuzzer wrappers in
    tests/fuzz/fuzz_*.c and by the regression suite tests/test_fuzz_regress.c.

    Each function feeds one input through the entry points of one module and checks what
    those modules promise (round trips, counters that add up, terminated and UTF-8 error
    messages). Memory errors, leaks and undefined behaviour are left to the sanitizers.
    Returns 0, or -1 after printing on stderr which promise an input broke; the libFuzzer
    wrappers turn -1 into abort() so libFuzzer records the input as a crash. */
#ifndef FUZZ_TARGETS_H
#define FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

//  proto_request_decode on 1..6 frames cut from the input, proto_validate for every command
//  on any JSON object the input (or its body frame) holds. Layout: byte 0 picks the frame
//  count (1 + byte % 6); every frame but the last is a 2-byte big-endian length and that
//  many bytes (clipped to what is left); the last frame is the rest of the input.
int fuzz_request_one (const uint8_t *data, size_t size);
//  The lock-board stream parsers of both families, fed whole and in chunks, with a reset;
//  vault_frame_decode on the input and on every 5- and 9-byte window of it.
int fuzz_frames_one (const uint8_t *data, size_t size);
//  broker_config_parse on the input as text (up to its first NUL).
int fuzz_config_one (const uint8_t *data, size_t size);
//  broker_calendar_load on the input written to a temp file (one path per process, reused).
int fuzz_calendar_one (const uint8_t *data, size_t size);
//  proto_token_parse, proto_utf8_valid (against jansson's own UTF-8 check), proto_utf8_clip
//  and the identifier checks and masks of broker_idcheck.h on the input as a C string.
int fuzz_token_one (const uint8_t *data, size_t size);

#endif
