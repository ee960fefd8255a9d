/*  sim_main.c — `onewindow-sim VERB [options]` (also `onewindow sim VERB`): the day
    simulator, the Erlang C check and staffing (docs/SIMULATOR.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_log.h"
#include "proto_msg.h"
#include "sim_cli.h"

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow-sim [--broker EP] [--key FILE --server-key K] [--timeout MS]\n"
             "                     [--json] VERB [options]\n"
             "       (also: onewindow sim VERB [options])\n"
             "\n"
             "Simulations on the broker's simulated clock (docs/SIMULATOR.md).\n"
             "\n"
             "  day        a whole hall day on a private broker: KPIs and the wait estimator's\n"
             "             accuracy against the actual waits (scripts/simulate-day)\n"
             "  erlang     M/M/c on a private broker against Erlang C (scripts/erlang-check)\n"
             "  staffing   counters per hour from a running broker's journal, by Erlang C\n"
             "             (--target 80/15); talks to --broker EP\n"
             "\n"
             "day and erlang start brokers of their own; these options are for staffing:\n"
             "  --broker EP      broker request endpoint (default $ONEWINDOW_BROKER or\n"
             "                   tcp://127.0.0.1:7100)\n"
             "  --key FILE       this device's CURVE keypair ($ONEWINDOW_KEY)\n"
             "  --server-key K   the broker's public key or key file ($ONEWINDOW_SERVER_KEY)\n"
             "  --timeout MS     per-try reply timeout (default 2500), 3 tries\n"
             "and for every verb:\n"
             "  --json           one JSON object instead of the report\n"
             "  -h, --help       this help\n"
             "\n"
             "'onewindow-sim VERB --help' for each verb's options. Exit status: 0 done,\n"
             "1 refused or failed, 2 usage, 3 broker unreachable, 130 interrupted.\n");
}

int
main (int argc, char **argv)
{
    proto_log_init ("onewindow-sim", PROTO_LOG_WARN);
    sim_opts_t o = {.broker = proto_default_broker (), .timeout_ms = 2500, .tries = 3};
    static const struct option longopts[] = {
        {"broker", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key = getenv ("ONEWINDOW_KEY"), *server_key = getenv ("ONEWINDOW_SERVER_KEY");
    int ch;
    while ((ch = getopt_long (argc, argv, "+b:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b': o.broker = optarg; break;
        case 'j': o.json = true; break;
        case 't': o.timeout_ms = atoi (optarg); break;
        case 'k': key = optarg; break;
        case 's': server_key = optarg; break;
        case 'h': s_help (stdout); return PROTO_EXIT_OK;
        default: s_help (stderr); return PROTO_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        s_help (stderr);
        return PROTO_EXIT_USAGE;
    }
    char err[300];
    if (proto_curve_setup (key, server_key, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow-sim: %s\n", err);
        return PROTO_EXIT_USAGE;
    }
    if (o.timeout_ms <= 0)
        o.timeout_ms = 2500;
    const char *verb = argv[optind];
    int vargc = argc - optind;
    char **vargv = argv + optind;
    optind = 0;
    sim_signals ();
    int rc;
    if (strcmp (verb, "day") == 0)
        rc = sim_day_main (&o, vargc, vargv);
    else if (strcmp (verb, "erlang") == 0)
        rc = sim_erlang_main (&o, vargc, vargv);
    else if (strcmp (verb, "staffing") == 0)
        rc = sim_staffing_main (&o, vargc, vargv);
    else {
        fprintf (stderr,
                 "onewindow sim: unknown verb '%s' (day, erlang or staffing; try "
                 "'onewindow sim --help')\n",
                 verb);
        rc = PROTO_EXIT_USAGE;
    }
    proto_client_destroy (&o.client);
    return rc;
}
