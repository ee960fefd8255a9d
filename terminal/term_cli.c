/*  term_cli.c — see term_cli.h. */
#include "term_cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_msg.h"

const char *
term_default_broker (void)
{
    const char *env = getenv ("ONEWINDOW_BROKER");
    return env && *env ? env : "tcp://127.0.0.1:7100";
}

proto_client_t *
term_client (term_opts_t *o)
{
    if (!o->client) {
        o->client = proto_client_new (o->broker);
        if (o->client)
            proto_client_set_timeout (o->client, o->timeout_ms, o->tries);
        else
            fprintf (stderr, "onewindow: cannot create a client for %s\n", o->broker);
    }
    return o->client;
}

int
term_call (term_opts_t *o, const char *command, json_t *body, json_t **result)
{
    *result = NULL;
    proto_client_t *client = term_client (o);
    if (!client) {
        json_decref (body);
        return TERM_EXIT_UNREACHABLE;
    }
    json_t *reply = NULL;
    int rc = proto_client_call (client, command, body, &reply);
    json_decref (body);
    if (rc == PROTO_ERR_OK) {
        *result = reply;
        return TERM_EXIT_OK;
    }
    const char *code = proto_client_code (client);
    const char *message = proto_client_message (client);
    if (o->json) {
        json_t *err = json_pack ("{s:{s:s, s:s}}", "error", "code", code, "message", message);
        term_print_json (err);
        json_decref (err);
    }
    else
        fprintf (stderr, "onewindow: %s: %s [%s]\n", command, message, code);
    json_decref (reply);
    return rc == PROTO_CLIENT_UNREACHABLE ? TERM_EXIT_UNREACHABLE : TERM_EXIT_REFUSED;
}

void
term_print_json (const json_t *j)
{
    char *text = json_dumps (j, JSON_INDENT (2) | JSON_SORT_KEYS);
    if (text) {
        printf ("%s\n", text);
        free (text);
    }
    fflush (stdout);
}

json_t *
term_split_list (const char *list)
{
    json_t *arr = json_array ();
    char *copy = strdup (list);
    char *save = NULL;
    for (char *tok = strtok_r (copy, ", ", &save); tok; tok = strtok_r (NULL, ", ", &save))
        json_array_append_new (arr, json_string (tok));
    free (copy);
    return arr;
}

int
term_usage_error (const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "onewindow %s: ", prog);
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, " (try 'onewindow %s --help')\n", prog);
    va_end (ap);
    return TERM_EXIT_USAGE;
}

void
term_format_time (long long ms, int utc_offset_min, char *out, size_t size)
{
    time_t secs = (time_t) ((ms + (long long) utc_offset_min * 60000) / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (out, size, "%Y-%m-%d %H:%M", &tm);
}

void
term_format_wait (const json_t *est_wait_s, char *out, size_t size)
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
