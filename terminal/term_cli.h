/*  term_cli.h — what every `onewindow ROLE VERB` command shares: global options, the
    broker client, calling a command and reporting its outcome in human or --json form.

    Exit codes, for scripts: 0 success; 1 the broker refused (an error reply; with --json
    the body {"error": {"code", "message"}} is printed); 2 usage error; 3 broker
    unreachable. */
#ifndef TERM_CLI_H
#define TERM_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "proto_client.h"
#include "proto_json.h"
#include "proto_text.h"

#define TERM_EXIT_OK          PROTO_EXIT_OK
#define TERM_EXIT_REFUSED     PROTO_EXIT_REFUSED
#define TERM_EXIT_USAGE       PROTO_EXIT_USAGE
#define TERM_EXIT_UNREACHABLE PROTO_EXIT_UNREACHABLE

typedef struct {
    const char *broker;     //  request endpoint
    bool json;              //  machine-readable output
    int timeout_ms;         //  per try
    int tries;              //  Lazy Pirate tries
    proto_client_t *client; //  created on first use
} term_opts_t;

//  Default endpoint: $ONEWINDOW_BROKER or tcp://127.0.0.1:7100.
const char *term_default_broker (void);
//  The client, connecting on first use. NULL (with a message printed) on failure.
proto_client_t *term_client (term_opts_t *o);
//  Sends `command` with `body` (taken: the caller's reference is consumed). On success
//  returns TERM_EXIT_OK with *result the reply (caller owns). Otherwise prints the error
//  (to stderr, or as JSON on stdout with --json) and returns the exit code.
int term_call (term_opts_t *o, const char *command, json_t *body, json_t **result);
//  Prints intake checks, one line each: ✓ passed, ✗ failed, ! overridden, ? advisory.
void term_print_checks (FILE *out, const json_t *checks);
//  Prints a case: number, item, state, applicant (as given: masked or not), deadlines,
//  clock, warnings and the next step.
void term_print_case (FILE *out, const json_t *c);
//  Prints JSON, indented, with a newline.
void term_print_json (const json_t *j);
//  `text` (NULL: "") padded with spaces to `width` terminal columns into buf, for a table
//  column: a Chinese character takes two (proto_display_width), which printf's %-Ns does
//  not know. Longer text is kept whole, as far as buf holds. Returns buf.
const char *term_pad (const char *text, int width, char *buf, size_t size);
//  `text` (NULL: "") cut to at most `width` terminal columns into buf, never in the middle
//  of a character. Returns buf.
const char *term_cut (const char *text, int width, char *buf, size_t size);
//  Parses "A,B,C" into a JSON array of strings. Caller owns it.
json_t *term_split_list (const char *list);
//  CURVE for every connection of this process: this device's key file and the broker's
//  public key (a key or a key file). Both NULL or empty: none. 0, or -1 with a message.
int term_curve_setup (const char *key_file, const char *server_key);
//  Prints a usage error and returns TERM_EXIT_USAGE.
int term_usage_error (const char *prog, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Role entry points: argv[0] is the role name.
int term_kiosk_main (term_opts_t *o, int argc, char **argv);
int term_counter_main (term_opts_t *o, int argc, char **argv);
int term_status_main (term_opts_t *o, int argc, char **argv);
int term_snapshot_main (term_opts_t *o, int argc, char **argv);
int term_info_main (term_opts_t *o, int argc, char **argv);
int term_admin_main (term_opts_t *o, int argc, char **argv);
int term_office_main (term_opts_t *o, int argc, char **argv);
int term_keygen_main (term_opts_t *o, int argc, char **argv);
int term_staff_main (term_opts_t *o, int argc, char **argv);
int term_vault_status_main (term_opts_t *o, int argc, char **argv);
int term_rate_main (term_opts_t *o, int argc, char **argv);
int term_monitor_main (term_opts_t *o, int argc, char **argv);
int term_report_main (term_opts_t *o, int argc, char **argv);
int term_board_main (term_opts_t *o, int argc, char **argv);
//  `onewindow sim ...` (and `admin staffing`): runs the onewindow-sim program.
int term_sim_main (term_opts_t *o, int argc, char **argv);

#endif
