/*  proto_text.h — what people read: times in the hall's local time, waits in words, the
    monotonic clock views use for their own timeouts. Every view (terminal, web, reports)
    formats these the same way. */
#ifndef PROTO_TEXT_H
#define PROTO_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

//  Formats Unix ms in the hall's local time ("YYYY-MM-DD HH:MM") into out.
void proto_format_time (long long ms, int utc_offset_min, char *out, size_t size);
//  Human wait: "约 12 分钟 / about 12 min", "少于 1 分钟 / under 1 min", or the no-counter text.
void proto_format_wait (const json_t *est_wait_s, char *out, size_t size);
//  Milliseconds on the monotonic clock (for timeouts and intervals, not for the hall's time).
int64_t proto_mono_ms (void);

#endif
