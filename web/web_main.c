/*  web_main.c — `onewindow-web [--http ADDR:PORT] ...` (also `onewindow web ...`): the
    hall's web gateway. Options and the main loop; the gateway is web_gateway.h, its
    server web_http.h, its pages and routes web_routes.h.

    One thread, no locks: MHD runs without a thread of its own, and its epoll descriptor
    and the mirror's event socket are polled together with zmq_poll. While the broker is
    away the pages keep being served from the last state, marked offline, and the mirror
    tries again every RECONNECT_MS. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_client.h"
#include "proto_log.h"
#include "proto_text.h"
#include "web_gateway.h"
#include "web_routes.h"

#define RECONNECT_MS 5500 //  between tries while the broker is away

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
    fprintf (out,
             "usage: onewindow-web [--http ADDR:PORT] [--broker EP] [--pub EP]\n"
             "                     [--key FILE --server-key K]\n"
             "       (also: onewindow web [options])\n"
             "\n"
             "The hall's web gateway: a live copy of the hall (from the broker's events) served\n"
             "over HTTP, for browsers on the hall network.\n"
             "\n");
    web_http_help (out, web_routes);
    fprintf (out,
             "\n"
             "  --http ADDR:PORT  where to listen (default 127.0.0.1:8080; :PORT for every\n"
             "                    interface, [::1]:PORT for IPv6)\n"
             "  --broker EP       broker request endpoint (default $ONEWINDOW_BROKER or\n"
             "                    tcp://127.0.0.1:7100)\n"
             "  --pub EP          event endpoint, when not the one the broker advertises\n"
             "  --key FILE        this gateway's CURVE keypair ($ONEWINDOW_KEY; role web)\n"
             "  --server-key K    the broker's public key or key file ($ONEWINDOW_SERVER_KEY)\n"
             "  -h, --help        this help\n"
             "\n"
             "It keeps serving while the broker is away and catches up when it is back.\n"
             "Stops cleanly on SIGINT or SIGTERM. No authentication: serve it on the hall's\n"
             "network only. Exit status: 0 stopped, 1 cannot listen, 2 usage, 3 no client\n"
             "for the broker.\n");
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

//  Polls the server and the mirror until a signal; keeps trying a broker that is away.
static void
s_loop (web_t *w, const char *broker)
{
    int64_t next_try = 0, next_beat = proto_mono_ms () + WEB_SSE_HEARTBEAT_MS;
    while (!s_interrupted) {
        //  While the broker is away its socket is left out: nothing reads it until the next
        //  try, and a readable socket nobody reads would spin the loop.
        zmq_pollitem_t items[2] = {
            {NULL, web_http_fd (w->http), ZMQ_POLLIN, 0},
            {w->connected ? proto_mirror_socket (w->mirror) : NULL, 0, ZMQ_POLLIN, 0},
        };
        //  A report being read goes on at once, a page per turn, between the requests.
        long wait = web_report_busy (w->report) ? 0 : web_http_timeout (w->http, 500);
        if (zmq_poll (items, items[1].socket ? 2 : 1, wait) < 0 && errno != EINTR) {
            log_error ("web: poll: %s", zmq_strerror (errno));
            break;
        }
        if (s_interrupted)
            break;
        int64_t now = proto_mono_ms ();
        if (w->connected || now >= next_try) {
            //  Blocks up to the mirror's request timeout when the broker is away: the pages
            //  wait that long once per RECONNECT_MS.
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
        //  Before the server runs: a reading that ends resumes its requests, answered now;
        //  while the broker is away they are answered 503 at once.
        if (w->connected)
            web_report_step (w->report, w);
        else if (web_report_busy (w->report))
            web_report_stop (w->report);
        web_http_run (w->http);
        if (now >= next_beat) {
            web_sse_heartbeat (w->sse);
            next_beat = now + WEB_SSE_HEARTBEAT_MS;
        }
    }
}

int
main (int argc, char **argv)
{
    proto_log_init ("onewindow-web", PROTO_LOG_WARN);
    const char *http = "127.0.0.1:8080", *broker = proto_default_broker (), *pub = NULL;
    const char *key = getenv ("ONEWINDOW_KEY"), *server_key = getenv ("ONEWINDOW_SERVER_KEY");
    static const struct option longopts[] = {
        {"http", required_argument, NULL, 'l'},
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
        case 'l': http = optarg; break;
        case 'b': broker = optarg; break;
        case 'p': pub = optarg; break;
        case 'k': key = optarg; break;
        case 's': server_key = optarg; break;
        case 'h': s_help (stdout); return PROTO_EXIT_OK;
        default: s_help (stderr); return PROTO_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return s_usage_error ("unexpected argument '%s'", argv[optind]);
    char err[300];
    if (proto_curve_setup (key, server_key, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow-web: %s\n", err);
        return PROTO_EXIT_USAGE;
    }
    struct sockaddr_storage addr;
    bool v6 = false;
    if (web_http_parse_addr (http, &addr, &v6) != 0)
        return s_usage_error ("--http wants ADDR:PORT, e.g. 127.0.0.1:8080 (got '%s')", http);

    web_t *w = web_new (broker, pub);
    if (!w) {
        fprintf (stderr, "onewindow-web: cannot set up a client for %s\n", broker);
        return PROTO_EXIT_UNREACHABLE;
    }
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_signal; //  no SA_RESTART: zmq_poll returns at once
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);

    w->http = web_http_new (&addr, v6, web_routes, w);
    if (!w->http) {
        fprintf (stderr, "onewindow-web: cannot listen on %s: %s\n", http, strerror (errno));
        web_destroy (&w);
        return PROTO_EXIT_REFUSED;
    }
    w->connected = proto_mirror_start (w->mirror) == 0;
    if (!w->connected)
        log_warn ("web: the broker at %s does not answer yet; retrying", broker);
    printf ("onewindow-web: http://%s/ (board, dashboard, kiosk) for the broker at %s\n", http,
            broker);
    fflush (stdout);
    s_loop (w, broker);
    web_destroy (&w);
    return PROTO_EXIT_OK;
}
