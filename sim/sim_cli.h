/*  sim_cli.h — what the simulator's verbs share: the options and the broker client of
    `staffing`, calling a command, usage errors, the interrupt flag, the hall's local time,
    reading and writing the JSON of replies and reports. Exit codes are the protocol's
    (PROTO_EXIT_*), as for every program. */
#ifndef SIM_CLI_H
#define SIM_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto_client.h"
#include "proto_json.h"

typedef struct {
    const char *broker;     //  request endpoint (staffing talks to a running broker)
    bool json;              //  machine-readable output
    int timeout_ms;         //  per try
    int tries;              //  Lazy Pirate tries
    proto_client_t *client; //  created on first use
} sim_opts_t;

//  Sends `command` with `body` (taken) to o->broker. PROTO_EXIT_OK with *result the reply
//  (caller owns), or the exit code with the broker's message printed on stderr.
int sim_call (sim_opts_t *o, const char *command, json_t *body, json_t **result);
//  Prints "onewindow sim VERB: ..." and returns PROTO_EXIT_USAGE.
int sim_usage_error (const char *verb, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

//  The verbs: argv[0] is the verb.
int sim_day_main (sim_opts_t *o, int argc, char **argv);
int sim_erlang_main (sim_opts_t *o, int argc, char **argv);
int sim_staffing_main (sim_opts_t *o, int argc, char **argv);

//  Sets the interrupt flag's handler for SIGINT and SIGTERM.
void sim_signals (void);
//  True once SIGINT or SIGTERM came: a run stops, removes its broker, exits 130.
bool sim_interrupted (void);

//  Seconds on the monotonic clock, for the wall time a run took.
double sim_wall (void);
//  Unix ms of local date `ymd` (YYYYMMDD) at `minutes` past midnight, UTC offset `off`.
int64_t sim_local_ms (int ymd, int minutes, int off);
//  Minutes past local midnight of Unix ms `ms`.
int sim_local_min (int64_t ms, int off);
//  "YYYY-MM-DD HH:MM:SS" local of Unix ms `ms` into out.
void sim_fmt_local (int64_t ms, int off, char *out, size_t size);
//  "1h 02m", "12m 05s", "45s" (negative with a sign) into out.
void sim_dur (double seconds, char *out, size_t size);

//  An integer member of `j`, or -1 when absent or null (where proto_int's 0 would pass
//  for a real value: an estimate of 0 s, a time).
int64_t sim_int (const json_t *j, const char *key);
//  A real rounded to 4 decimals, so reports print the same on every machine.
json_t *sim_real4 (double x);
//  Prints `j` indented, with a newline, on stdout.
void sim_print_json (const json_t *j);

#endif
