/*  proto_log.h — one-line logs to stderr: "2026-11-28 09:03:11.204 broker INFO message".
    Log once, where an error is handled. ID and phone numbers never go into a log line
    unmasked (see proto_mask_id). */
#ifndef PROTO_LOG_H
#define PROTO_LOG_H

#include <stdbool.h>

typedef enum { PROTO_LOG_DEBUG, PROTO_LOG_INFO, PROTO_LOG_WARN, PROTO_LOG_ERROR } proto_log_level_t;

//  Sets the program name shown on every line and the lowest level printed.
void proto_log_init (const char *program, proto_log_level_t level);
//  printf-style logging at the given level.
void proto_log (proto_log_level_t level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#define log_debug(...) proto_log (PROTO_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  proto_log (PROTO_LOG_INFO, __VA_ARGS__)
#define log_warn(...)  proto_log (PROTO_LOG_WARN, __VA_ARGS__)
#define log_error(...) proto_log (PROTO_LOG_ERROR, __VA_ARGS__)

#endif
