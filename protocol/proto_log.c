/*  proto_log.c — see proto_log.h. */
#include "proto_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static char s_program[32] = "onewindow";
static proto_log_level_t s_level = PROTO_LOG_INFO;

void
proto_log_init (const char *program, proto_log_level_t level)
{
    snprintf (s_program, sizeof s_program, "%s", program);
    s_level = level;
}

void
proto_log (proto_log_level_t level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (level < s_level)
        return;
    struct timeval tv;
    gettimeofday (&tv, NULL);
    struct tm tm;
    localtime_r (&tv.tv_sec, &tm);
    char stamp[32];
    strftime (stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    char line[2048];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (line, sizeof line, fmt, ap);
    va_end (ap);
    //  One fprintf per line, so lines from several processes sharing a terminal stay whole.
    fprintf (stderr, "%s.%03d %s %s %s\n", stamp, (int)(tv.tv_usec / 1000), s_program, names[level],
             line);
}
