/*  sim_cli.c — see sim_cli.h. */
#include "sim_cli.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "proto_msg.h"

//  The only mutable global: set by SIGINT/SIGTERM so a run stops and cleans up.
static volatile sig_atomic_t s_interrupted;

static void
s_on_signal (int sig)
{
    (void)sig;
    s_interrupted = 1;
}

void
sim_signals (void)
{
    struct sigaction sa = {0};
    sa.sa_handler = s_on_signal;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
}

bool
sim_interrupted (void)
{
    return s_interrupted != 0;
}

int
sim_call (sim_opts_t *o, const char *command, json_t *body, json_t **result)
{
    *result = NULL;
    if (!o->client) {
        o->client = proto_client_new (o->broker);
        if (!o->client) {
            json_decref (body);
            fprintf (stderr, "onewindow sim: cannot create a client for %s\n", o->broker);
            return PROTO_EXIT_UNREACHABLE;
        }
        proto_client_set_timeout (o->client, o->timeout_ms, o->tries);
    }
    json_t *reply = NULL;
    int rc = proto_client_call (o->client, command, body, &reply);
    json_decref (body);
    if (rc == PROTO_ERR_OK) {
        *result = reply;
        return PROTO_EXIT_OK;
    }
    fprintf (stderr, "onewindow sim: %s: %s [%s]\n", command, proto_client_message (o->client),
             proto_client_code (o->client));
    json_decref (reply);
    return proto_client_exit_status (o->client, rc);
}

int
sim_usage_error (const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "onewindow sim %s: ", verb);
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, " (try 'onewindow sim %s --help')\n", verb);
    va_end (ap);
    return PROTO_EXIT_USAGE;
}

double
sim_wall (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t
sim_local_ms (int ymd, int minutes, int off)
{
    struct tm tm = {0};
    tm.tm_year = ymd / 10000 - 1900;
    tm.tm_mon = ymd / 100 % 100 - 1;
    tm.tm_mday = ymd % 100;
    time_t days = timegm (&tm) / 86400;
    return ((int64_t)days * 1440 + minutes - off) * 60000;
}

int
sim_local_min (int64_t ms, int off)
{
    int64_t m = ms / 60000 + off;
    return (int)(((m % 1440) + 1440) % 1440);
}

void
sim_fmt_local (int64_t ms, int off, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000 + off * 60);
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

void
sim_dur (double seconds, char *out, size_t size)
{
    const char *sign = seconds < 0 ? "-" : "";
    long s = lround (fabs (seconds));
    if (s >= 3600)
        snprintf (out, size, "%s%ldh %02ldm", sign, s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf (out, size, "%s%ldm %02lds", sign, s / 60, s % 60);
    else
        snprintf (out, size, "%s%lds", sign, s);
}

int64_t
sim_int (const json_t *j, const char *key)
{
    json_t *v = json_object_get (j, key);
    return json_is_integer (v) ? (int64_t)json_integer_value (v) : -1;
}

json_t *
sim_real4 (double x)
{
    return json_real (round (x * 10000) / 10000);
}

void
sim_print_json (const json_t *j)
{
    char *text = json_dumps (j, JSON_INDENT (2) | JSON_REAL_PRECISION (12));
    if (text)
        printf ("%s\n", text);
    free (text);
}
