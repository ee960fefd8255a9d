/*  term_main.c — `onewindow [--broker EP] [--json] ROLE VERB [options]`.

    Roles that are programs of their own (`web`, `sim`) are handed over as git does with
    its subcommands: `onewindow web ARGS` runs `onewindow-web ARGS` from the folder this
    program is in (else $OW_BIN_DIR, else $PATH), with the global options passed on through
    the environment ($ONEWINDOW_BROKER, $ONEWINDOW_KEY, $ONEWINDOW_SERVER_KEY). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto_log.h"
#include "term_cli.h"

//  The key options in force (NULL: none), passed on to a program we hand over to.
static const char *s_key, *s_server_key;

//  Runs program `name` with argv[1..] (argv[0], the role, is replaced by the program's
//  name). Returns only on failure, with the exit status to use.
static int
s_hand_over (term_opts_t *o, const char *name, int argc, char **argv)
{
    setenv ("ONEWINDOW_BROKER", o->broker, 1);
    if (s_key && s_server_key) {
        setenv ("ONEWINDOW_KEY", s_key, 1);
        setenv ("ONEWINDOW_SERVER_KEY", s_server_key, 1);
    }
    char **args = calloc ((size_t)argc + 3, sizeof *args);
    if (!args)
        return TERM_EXIT_USAGE;
    int n = 0;
    args[n++] = (char *)name;
    if (o->json)
        args[n++] = "--json";
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    char self[PATH_MAX], path[PATH_MAX + 64];
    ssize_t len = readlink ("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = 0;
        char *slash = strrchr (self, '/');
        if (slash) {
            *slash = 0;
            snprintf (path, sizeof path, "%s/%s", self, name);
            execv (path, args);
        }
    }
    const char *bin = getenv ("OW_BIN_DIR");
    if (bin && *bin) {
        snprintf (path, sizeof path, "%s/%s", bin, name);
        execv (path, args);
    }
    execvp (name, args);
    fprintf (stderr, "onewindow: cannot run %s: %s (build it with 'make')\n", name,
             strerror (errno));
    free (args);
    return TERM_EXIT_USAGE;
}

static int
s_web_main (term_opts_t *o, int argc, char **argv)
{
    //  The gateway has no --json; drop the flag rather than refuse it.
    o->json = false;
    return s_hand_over (o, "onewindow-web", argc, argv);
}

int
term_sim_main (term_opts_t *o, int argc, char **argv)
{
    return s_hand_over (o, "onewindow-sim", argc, argv);
}

static const struct {
    const char *role;
    int (*main) (term_opts_t *o, int argc, char **argv);
    const char *what;
} s_roles[] = {
    {"kiosk", term_kiosk_main, "ticket dispenser: issue a ticket and print its slip"},
    {"counter", term_counter_main,
     "counter terminal: login, call, recall, missed, start, finish, transfer"},
    {"office", term_office_main,
     "back office: case queue, review, approve, deny, supplement, extend"},
    {"staff", term_staff_main, "cabinet staff: deposit a case's result, open a slot remotely"},
    {"vault-status", term_vault_status_main, "the cabinets' slots, cases and alarms"},
    {"status", term_status_main, "a ticket's state, wait and cases, by the token in its QR code"},
    {"snapshot", term_snapshot_main, "the whole live hall"},
    {"info", term_info_main, "the hall's services, counters and event endpoint"},
    {"rate", term_rate_main, "the counter's rating pad (好差评): five levels, by counter or slip"},
    {"web", s_web_main, "web gateway: board, dashboard, kiosk, status pages, SSE, metrics"},
    {"board", term_board_main, "the hall's call display with spoken calls (叫号屏)"},
    {"monitor", term_monitor_main, "the manager's live screen: waits, counters, cabinet, cases"},
    {"report", term_report_main, "the figures the hall is judged on, for a day or a month"},
    {"admin", term_admin_main, "devices (enroll, revoke), backup, audit, clock-advance, raw calls"},
    {"keygen", term_keygen_main, "write a new CURVE keypair for a device or the broker"},
    {"sim", term_sim_main, "day simulator, Erlang C check and staffing on a simulated clock"},
};

static void
s_help (FILE *out)
{
    fprintf (out, "usage: onewindow [--broker EP] [--json] [--timeout MS] ROLE VERB [options]\n"
                  "\n"
                  "Terminals of the onewindow service hall. Each talks to the broker at EP\n"
                  "(default $ONEWINDOW_BROKER or tcp://127.0.0.1:7100), retrying a request with\n"
                  "the same id when the broker does not answer in time, so a retry never\n"
                  "issues two tickets.\n"
                  "\n");
    for (size_t i = 0; i < sizeof s_roles / sizeof s_roles[0]; i++)
        fprintf (out, "  %-9s %s\n", s_roles[i].role, s_roles[i].what);
    fprintf (out,
             "\n"
             "  --broker EP    broker request endpoint\n"
             "  --json         print the broker's reply as JSON (for scripts)\n"
             "  --timeout MS   per-try reply timeout (default 2500), 3 tries\n"
             "  --key FILE     this device's CURVE keypair ($ONEWINDOW_KEY)\n"
             "  --server-key K the broker's public key, or its key file ($ONEWINDOW_SERVER_KEY);\n"
             "                 without both, the broker must run --insecure (local tests only)\n"
             "  --help         this help; 'onewindow ROLE --help' for a role's verbs\n"
             "\n"
             "Exit status: 0 done, 1 refused by the broker (also this device's key:\n"
             "key_refused), 2 usage, 3 broker unreachable.\n");
}

int
main (int argc, char **argv)
{
    proto_log_init ("onewindow", PROTO_LOG_WARN);
    term_opts_t o = {
        .broker = term_default_broker (),
        .timeout_ms = 2500,
        .tries = 3,
    };
    static const struct option longopts[] = {
        {"broker", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key = getenv ("ONEWINDOW_KEY");
    const char *server_key = getenv ("ONEWINDOW_SERVER_KEY");
    int ch;
    //  "+": stop at the role; what follows belongs to it.
    while ((ch = getopt_long (argc, argv, "+b:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b': o.broker = optarg; break;
        case 'j': o.json = true; break;
        case 't': o.timeout_ms = atoi (optarg); break;
        case 'k': key = optarg; break;
        case 's': server_key = optarg; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: s_help (stderr); return TERM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        s_help (stderr);
        return TERM_EXIT_USAGE;
    }
    s_key = key;
    s_server_key = server_key;
    if (term_curve_setup (key, server_key) != 0)
        return TERM_EXIT_USAGE;
    if (o.timeout_ms <= 0)
        o.timeout_ms = 2500;
    const char *role = argv[optind];
    int rc = -1;
    for (size_t i = 0; i < sizeof s_roles / sizeof s_roles[0]; i++)
        if (strcmp (s_roles[i].role, role) == 0)
            rc = s_roles[i].main (&o, argc - optind, argv + optind);
    if (rc < 0) {
        fprintf (stderr, "onewindow: unknown role '%s' (try --help)\n", role);
        rc = TERM_EXIT_USAGE;
    }
    proto_client_destroy (&o.client);
    return rc;
}
