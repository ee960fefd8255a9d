/*  proto_text.c — see proto_text.h. */
#include "proto_text.h"

#include <stdio.h>
#include <time.h>

void
proto_format_time (long long ms, int utc_offset_min, char *out, size_t size)
{
    time_t secs = (time_t) ((ms + (long long) utc_offset_min * 60000) / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (out, size, "%Y-%m-%d %H:%M", &tm);
}

void
proto_format_wait (const json_t *est_wait_s, char *out, size_t size)
{
    if (!json_is_integer (est_wait_s)) {
        snprintf (out, size, "暂无窗口开放 / no counter open yet");
        return;
    }
    long long s = json_integer_value (est_wait_s);
    if (s < 60)
        snprintf (out, size, "少于 1 分钟 / under 1 min");
    else
        snprintf (out, size, "约 %lld 分钟 / about %lld min", (s + 59) / 60, (s + 59) / 60);
}

int64_t
proto_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
