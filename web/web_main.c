/*  web_main.c — `onewindow-web [--listen-staff ADDR:PORT] [--listen-public ADDR:PORT]
    --users FILE ...` (also `onewindow web ...`): the hall's web gateway, and
    `--add-user NAME:ROLE` to make an account. Options and the main loop; the gateway is
    web_gateway.h, its doors web_http.h, its pages and routes web_routes.h, accounts and
    sessions web_auth.h.

    One thread for the pages, no locks: MHD runs without a thread of its own, and both
    doors' epoll descriptors, the workers' answers (web_call.h: the only other threads,
    which hold requests to the broker and password checks) and the mirror's event socket
    are polled together with zmq_poll. While the broker is away the pages keep being
    served from the last state, marked offline, and the mirror tries again every
    RECONNECT_MS. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <zmq.h>

#include "proto_client.h"
#include "proto_log.h"
#include "proto_text.h"
#include "web_gateway.h"
#include "web_routes.h"

#define RECONNECT_MS 5500 //  between tries while the broker is away
#define MAX_NAMES    16   //  --allowed-host and --trusted-proxy, each

static volatile sig_atomic_t s_interrupted;

static void
s_signal (int sig)
{
    (void)sig;
    s_interrupted = 1;
}

static void
s_help (FILE *out)
{
    fprintf (out, "usage: onewindow-web [--listen-staff ADDR:PORT] [--listen-public ADDR:PORT]\n"
                  "                     --users FILE [--allowed-host NAME]...\n"
                  "                     [--trusted-proxy ADDR]... [--broker EP] [--pub EP]\n"
                  "                     [--key FILE --server-key K]\n"
                  "       onewindow-web --users FILE --add-user NAME:ROLE   (password on stdin)\n"
                  "       (also: onewindow web [options])\n"
                  "\n"
                  "The hall's web gateway: a live copy of the hall (from the broker's events)\n"
                  "served over HTTP through two doors. The public door serves the citizens' pages\n"
                  "only (/t/TOKEN, /rate/TOKEN and their assets): what a reverse proxy on the\n"
                  "internet may expose. The staff door serves every page, each to a logged-in\n"
                  "account whose role it lists (b board, k kiosk, c clerk, m manager; public: no\n"
                  "login):\n"
                  "\n");
    web_http_help (out, web_routes);
    fprintf (out,
             "\n"
             "  --listen-staff ADDR:PORT  the staff door (default 127.0.0.1:8080; :PORT for\n"
             "                    every interface, [::1]:PORT for IPv6); --http and --listen\n"
             "                    are other names for it\n"
             "  --listen-public ADDR:PORT the public door (default: none)\n"
             "  --users FILE      the staff's accounts (NAME:ROLE:argon2id hash a line);\n"
             "                    without it nobody can log in\n"
             "  --add-user NAME:ROLE  writes an account into --users FILE (kept 0600) and\n"
             "                    exits: ROLE manager (every page), clerk (dashboard, board),\n"
             "                    kiosk (a kiosk screen: /kiosk) or board (a board screen:\n"
             "                    /board); the password (8 characters or more) is read from\n"
             "                    standard input; an account that exists gets the new one\n"
             "  --allowed-host NAME  a name browsers may reach a door by (repeatable): any\n"
             "                    other Host than an IP address or localhost is refused 421\n"
             "  --trusted-proxy ADDR  a reverse proxy's address (repeatable): its requests\n"
             "                    at the public door count against the client its\n"
             "                    X-Forwarded-For names (and the proxy caps connections)\n"
             "  --broker EP       broker request endpoint (default $ONEWINDOW_BROKER or\n"
             "                    tcp://127.0.0.1:7100)\n"
             "  --pub EP          event endpoint, when not the one the broker advertises\n"
             "  --key FILE        this gateway's CURVE keypair ($ONEWINDOW_KEY; role web)\n"
             "  --server-key K    the broker's public key or key file ($ONEWINDOW_SERVER_KEY)\n"
             "  -h, --help        this help\n"
             "\n"
             "Each client (by address) may hold 32 connections open on a door and make 20\n"
             "requests a second (120 at once); tighter: 20 tickets at once then one every 2 s\n"
             "(POST /kiosk), 20 unknown tokens then one every 5 s, 10 logins then one every\n"
             "6 s. Over that: 429 with Retry-After. Sessions last 12 hours (30 days for kiosk\n"
             "and board screens) and end when the gateway restarts.\n"
             "It keeps serving while the broker is away and catches up when it is back.\n"
             "Stops cleanly on SIGINT or SIGTERM. Exit status: 0 stopped (or the account\n"
             "written), 1 cannot listen (or write the account), 2 usage, 3 no client for the\n"
             "broker.\n");
}

//  Prints "onewindow-web: ..." and returns PROTO_EXIT_USAGE.
static int
s_usage_error (const char *fmt, const char *arg)
{
    fprintf (stderr, "onewindow-web: ");
    fprintf (stderr, fmt, arg);
    fprintf (stderr, " (try 'onewindow-web --help')\n");
    return PROTO_EXIT_USAGE;
}

//  Whether the broker is back, asked by a worker (web_call_ping). Lives in main's frame:
//  the workers' last answers come while the gateway is destroyed, after the loop.
typedef struct {
    bool busy; //  asked, no answer yet
    bool back; //  it answered
} s_probe_t;

static void
s_probe_done (void *owner, int rc, json_t *reply, const char *message)
{
    s_probe_t *probe = owner;
    (void)message;
    json_decref (reply);
    probe->busy = false;
    probe->back = rc == 0;
}

//  Polls the doors, the workers and the mirror until a signal; keeps trying a broker
//  that is away.
static void
s_loop (web_t *w, const char *broker, s_probe_t *probe)
{
    int64_t next_try = 0, next_beat = proto_mono_ms () + WEB_SSE_HEARTBEAT_MS;
    while (!s_interrupted) {
        //  While the broker is away its socket is left out: nothing reads it until the next
        //  try, and a readable socket nobody reads would spin the loop.
        zmq_pollitem_t items[4] = {
            {NULL, web_call_fd (w->calls), ZMQ_POLLIN, 0},
            {NULL, web_http_fd (w->http), ZMQ_POLLIN, 0},
            {NULL, w->pub ? web_http_fd (w->pub) : -1, ZMQ_POLLIN, 0},
            {w->connected ? proto_mirror_socket (w->mirror) : NULL, 0, ZMQ_POLLIN, 0},
        };
        int n = w->pub ? 3 : 2;
        if (items[3].socket)
            items[n++] = items[3];
        //  A report being read goes on at once, a page per turn, between the requests.
        long wait = web_report_busy (w->report) ? 0 : web_http_timeout (w->http, 500);
        if (w->pub)
            wait = web_http_timeout (w->pub, wait);
        if (zmq_poll (items, n, wait) < 0 && errno != EINTR) {
            log_error ("web: poll: %s", zmq_strerror (errno));
            break;
        }
        if (s_interrupted)
            break;
        int64_t now = proto_mono_ms ();
        //  While the broker is away a worker asks whether it is back every RECONNECT_MS;
        //  only then does the mirror try (its requests would hold every page up for their
        //  timeout while the broker does not answer).
        if (!w->connected && now >= next_try && !probe->busy) {
            probe->busy = web_call_ping (w->calls, s_probe_done, probe) == 0;
            next_try = now + RECONNECT_MS;
        }
        if (w->connected || probe->back) {
            probe->back = false;
            if (proto_mirror_poll (w->mirror, 0) < 0) {
                if (w->connected)
                    log_warn ("web: lost the broker at %s; retrying", broker);
                w->connected = false;
                next_try = proto_mono_ms () + RECONNECT_MS;
            } else {
                if (!w->connected)
                    log_warn ("web: the broker at %s is back", broker);
                w->connected = true;
            }
        }
        //  Before the doors run: answers that came (and requests waited for too long)
        //  resume their requests, a reading that ends resumes its own; while the broker is
        //  away the report's are answered 503 at once, and no new request waits for it.
        web_call_set_up (w->calls, w->connected);
        web_call_run (w->calls, proto_mono_ms ());
        if (w->connected)
            web_report_step (w->report, w);
        else if (web_report_busy (w->report))
            web_report_stop (w->report);
        web_http_run (w->http);
        if (w->pub)
            web_http_run (w->pub);
        if (now >= next_beat) {
            web_sse_heartbeat (w->sse);
            next_beat = now + WEB_SSE_HEARTBEAT_MS;
        }
    }
}

//  --add-user: the password from standard input (not echoed at a terminal), into the file.
static int
s_add_user (const char *file, const char *spec)
{
    if (!file) {
        fprintf (stderr, "onewindow-web: --add-user needs --users FILE (try 'onewindow-web "
                         "--help')\n");
        return PROTO_EXIT_USAGE;
    }
    bool tty = isatty (STDIN_FILENO);
    struct termios old, quiet;
    if (tty && tcgetattr (STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        fprintf (stderr, "password for %s: ", spec);
    } else
        tty = false;
    char password[256] = "";
    bool got = fgets (password, sizeof password, stdin) != NULL;
    if (tty) {
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
        fputc ('\n', stderr);
    }
    password[strcspn (password, "\r\n")] = 0;
    char err[400];
    int rc = got ? web_auth_add_user (file, spec, password, err, sizeof err) : -1;
    sodium_memzero (password, sizeof password);
    if (!got)
        snprintf (err, sizeof err, "no password on standard input");
    if (rc != 0) {
        fprintf (stderr, "onewindow-web: %s\n", err);
        return rc == -2 ? PROTO_EXIT_REFUSED : PROTO_EXIT_USAGE;
    }
    printf ("onewindow-web: account %s written to %s\n", spec, file);
    return PROTO_EXIT_OK;
}

//  The options, as given.
typedef struct {
    const char *staff, *public_, *users, *add_user, *broker, *pub, *key, *server_key;
    const char *hosts[MAX_NAMES], *proxies[MAX_NAMES];
    int nhosts, nproxies;
} s_opts_t;

//  Parses argv into `o`: -1 to go on, else the exit status.
static int
s_options (int argc, char **argv, s_opts_t *o)
{
    static const struct option longopts[] = {
        {"http", required_argument, NULL, 'l'},
        {"listen", required_argument, NULL, 'l'},
        {"listen-staff", required_argument, NULL, 'l'},
        {"listen-public", required_argument, NULL, 'P'},
        {"users", required_argument, NULL, 'u'},
        {"add-user", required_argument, NULL, 'a'},
        {"allowed-host", required_argument, NULL, 'H'},
        {"trusted-proxy", required_argument, NULL, 'T'},
        {"broker", required_argument, NULL, 'b'},
        {"pub", required_argument, NULL, 'p'},
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'l': o->staff = optarg; break;
        case 'P': o->public_ = optarg; break;
        case 'u': o->users = optarg; break;
        case 'a': o->add_user = optarg; break;
        case 'b': o->broker = optarg; break;
        case 'p': o->pub = optarg; break;
        case 'k': o->key = optarg; break;
        case 's': o->server_key = optarg; break;
        case 'H':
        case 'T':
            if ((ch == 'H' ? o->nhosts : o->nproxies) == MAX_NAMES)
                return s_usage_error ("at most 16 of each of --allowed-host and --trusted-proxy%s",
                                      "");
            if (ch == 'H')
                o->hosts[o->nhosts++] = optarg;
            else
                o->proxies[o->nproxies++] = optarg;
            break;
        case 'h': s_help (stdout); return PROTO_EXIT_OK;
        default: s_help (stderr); return PROTO_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return s_usage_error ("unexpected argument '%s'", argv[optind]);
    return -1;
}

//  Opens a door at `where` (NULL: none; an address already checked). 0, or the exit status.
static int
s_door (web_t *w, const char *where, const web_door_t *door, web_http_t **out)
{
    struct sockaddr_storage addr;
    bool v6 = false;
    if (!where)
        return 0;
    if (web_http_parse_addr (where, &addr, &v6) != 0)
        return PROTO_EXIT_USAGE; //  checked before
    *out = web_http_new (&addr, v6, web_routes, door, w);
    if (!*out) {
        fprintf (stderr, "onewindow-web: cannot listen on %s: %s\n", where, strerror (errno));
        return PROTO_EXIT_REFUSED;
    }
    return 0;
}

int
main (int argc, char **argv)
{
    proto_log_init ("onewindow-web", PROTO_LOG_WARN);
    s_opts_t o = {.staff = "127.0.0.1:8080",
                  .broker = proto_default_broker (),
                  .key = getenv ("ONEWINDOW_KEY"),
                  .server_key = getenv ("ONEWINDOW_SERVER_KEY")};
    int rc = s_options (argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (sodium_init () < 0) {
        fprintf (stderr, "onewindow-web: cannot start libsodium\n");
        return PROTO_EXIT_UNREACHABLE;
    }
    if (o.add_user)
        return s_add_user (o.users, o.add_user);
    char err[300];
    if (proto_curve_setup (o.key, o.server_key, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow-web: %s\n", err);
        return PROTO_EXIT_USAGE;
    }
    const char *where[] = {o.staff, o.public_};
    for (int i = 0; i < 2; i++) {
        struct sockaddr_storage addr;
        bool v6;
        if (where[i] && web_http_parse_addr (where[i], &addr, &v6) != 0)
            return s_usage_error ("--listen-staff and --listen-public want ADDR:PORT, e.g. "
                                  "127.0.0.1:8080 (got '%s')",
                                  where[i]);
    }

    web_t *w = web_new (o.broker, o.pub);
    if (!w || !(w->auth = web_auth_new (o.users))) {
        fprintf (stderr, "onewindow-web: cannot set up a client for %s\n", o.broker);
        web_destroy (&w);
        return PROTO_EXIT_UNREACHABLE;
    }
    if (web_auth_accounts (w->auth) == 0)
        log_warn ("web: no staff accounts%s%s: nobody can log in (onewindow-web --users FILE "
                  "--add-user NAME:manager)",
                  o.users ? " in " : "", o.users ? o.users : "");
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_signal; //  no SA_RESTART: zmq_poll returns at once
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);

    //  A reverse proxy fronts the public door only: the staff door counts its clients by
    //  their own addresses, and caps their connections.
    web_door_t door = {false, o.hosts, o.nhosts, NULL, 0, w->auth, w->calls};
    rc = s_door (w, o.staff, &door, &w->http);
    door.public_door = true;
    door.auth = NULL;
    door.proxies = o.proxies;
    door.nproxies = o.nproxies;
    if (rc == 0)
        rc = s_door (w, o.public_, &door, &w->pub);
    if (rc != 0) {
        web_destroy (&w);
        return rc;
    }
    w->connected = proto_mirror_start (w->mirror) == 0;
    if (!w->connected)
        log_warn ("web: the broker at %s does not answer yet; retrying", o.broker);
    printf ("onewindow-web: staff http://%s/login (board, dashboard, kiosk)", o.staff);
    if (o.public_)
        printf (", public http://%s/t/ (citizens' pages)", o.public_);
    printf (" for the broker at %s\n", o.broker);
    fflush (stdout);
    s_probe_t probe = {false, false};
    s_loop (w, o.broker, &probe);
    web_destroy (&w);
    return PROTO_EXIT_OK;
}
