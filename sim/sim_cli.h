/*  sim_cli.h — what the simulator's verbs share: the broker client, calling a command,
    usage errors. Exit codes are the protocol's (PROTO_EXIT_*), as for every program. */
#ifndef SIM_CLI_H
#define SIM_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "proto_client.h"
#include "proto_json.h"

typedef struct {
    const char *broker;       //  request endpoint (staffing talks to a running broker)
    bool json;                //  machine-readable output
    int timeout_ms;           //  per try
    int tries;                //  Lazy Pirate tries
    proto_client_t *client;   //  created on first use
} sim_opts_t;

//  Sends `command` with `body` (taken) to o->broker. PROTO_EXIT_OK with *result the reply
//  (caller owns), or the exit code with the broker's message printed on stderr.
int sim_call (sim_opts_t *o, const char *command, json_t *body, json_t **result);
//  Prints "onewindow sim VERB: ..." and returns PROTO_EXIT_USAGE.
int sim_usage_error (const char *verb, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

//  The verbs: argv[0] is the verb.
int sim_day_main (sim_opts_t *o, int argc, char **argv);
int sim_erlang_main (sim_opts_t *o, int argc, char **argv);
int sim_staffing_main (sim_opts_t *o, int argc, char **argv);
//  Sets the interrupt flag's handler for SIGINT and SIGTERM.
void sim_signals (void);

#endif
