/*  proto_text.h — what people read: times in the hall's local time, waits in words, the
    columns a text takes on a terminal, the monotonic clock views use for their own
    timeouts. Every view (terminal, web, reports) formats these the same way. */
#ifndef PROTO_TEXT_H
#define PROTO_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

//  Writes the printf-style message into `why` (`size` bytes, always terminated when size > 0)
//  and returns -1: the one line of every "refuse with a reason" path (configs, badges).
int proto_fail (char *why, size_t size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  Formats Unix ms in the hall's local time ("YYYY-MM-DD HH:MM") into out.
void proto_format_time (long long ms, int utc_offset_min, char *out, size_t size);
//  Human wait: "约 12 分钟 / about 12 min", "少于 1 分钟 / under 1 min", or the no-counter text.
void proto_format_wait (const json_t *est_wait_s, char *out, size_t size);
//  The wait of `obj` (a ticket, an issue reply, a status view: PROTOCOL.md 6.5) as its 80%
//  interval when it has one, est_wait_lo_s..est_wait_hi_s: "约 25–40 分钟 / about 25–40
//  min", "不超过 10 分钟 / up to 10 min", "约 50 分钟至 1 小时 20 分钟 / about 50 min to
//  1 h 20 min"; as proto_format_wait (its est_wait_s) when it has none.
void proto_format_wait_range (const json_t *obj, char *out, size_t size);
//  Decodes the UTF-8 sequence at `s` (`left` bytes, left > 0): returns its length in bytes
//  and sets *cp to its code point; or returns 1 and sets *cp to U+FFFD when the byte at s
//  does not start a valid sequence (a stray or missing continuation byte, an overlong
//  form, a surrogate, beyond U+10FFFF, or cut short by `left`).
int proto_utf8_decode (const char *s, size_t left, uint32_t *cp);
//  Terminal columns of one code point: 2 for East Asian Wide and Fullwidth (CJK, Hangul,
//  kana, CJK punctuation such as 。，、「」, fullwidth forms, most emoji), 0 for combining
//  marks and zero-width characters (U+200B, joiners, variation selectors), 1 otherwise
//  (control characters too: whoever prints them replaces them first). Our own table
//  rather than wcwidth(3), so the layout is the same in any locale.
int proto_cp_width (uint32_t cp);
//  Terminal columns of a UTF-8 string, to pad table columns: the sum of proto_cp_width,
//  with each byte of invalid UTF-8 counted as 1 (as U+FFFD). 0 for NULL.
int proto_display_width (const char *utf8);
//  Milliseconds on the monotonic clock (for timeouts and intervals, not for the hall's time).
int64_t proto_mono_ms (void);

#endif
