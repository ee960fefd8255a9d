/*  district_main.c — `onewindow-district --config FILE --data DIR [--http ADDR:PORT]
    [--key FILE | --insecure] [--json]`: many halls live on one screen (issue 16). Options
    and the lifetime of the parts; the parts are:

        district_config.h   the config: the district and the halls it follows
        district_store.h    LMDB in --data: each hall's journal and day figures
        district_link.h     one thread per hall: its mirror, its rollup, its stream
        district_proxy.h    zmq_proxy_steerable: every hall's events to the viewers
        district_board.h    what the links know now, for the views
        district_routes.h   the HTTP views (district_http.h serves them)

    The main thread only waits for SIGINT or SIGTERM; everything runs on the links', the
    proxy's and the HTTP server's threads. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "district_board.h"
#include "district_config.h"
#include "district_http.h"
#include "district_link.h"
#include "district_proxy.h"
#include "district_routes.h"
#include "district_store.h"
#include "proto_client.h"
#include "proto_keys.h"
#include "proto_log.h"

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
    fprintf (out, "usage: onewindow-district --config FILE --data DIR [--http ADDR:PORT]\n"
                  "                          [--key FILE | --insecure] [--json]\n"
                  "\n"
                  "Many halls live on one screen: follows every hall of the config (its broker's\n"
                  "snapshot and events), keeps each hall's day figures in DIR, serves the views\n"
                  "over HTTP and every hall's events, marked with the hall, on district.events.\n"
                  "\n");
    district_http_help (out, district_routes);
    fprintf (out,
             "\n"
             "  --config FILE     the district's config (etc/district.example.json)\n"
             "  --data DIR        where the district keeps its figures (created if missing)\n"
             "  --http ADDR:PORT  where to listen (default 127.0.0.1:8090; :PORT for every\n"
             "                    interface)\n"
             "  --key FILE        the district's CURVE keypair, enrolled at every hall in the\n"
             "                    monitor role; each hall's server_key comes from the config\n"
             "  --insecure        plain TCP to every hall (their brokers run --insecure)\n"
             "  --json            print the start line as JSON (http, events, halls)\n"
             "  -h, --help        this help\n"
             "\n"
             "A hall that is down is shown stale with the age of its last event and caught up\n"
             "from its journal when it is back; nothing is counted twice. Stops cleanly on\n"
             "SIGINT or SIGTERM. No authentication: serve the views on the district's network\n"
             "only. Exit status: 0 stopped, 1 cannot start (store, listen), 2 usage.\n");
}

//  Prints "onewindow-district: ..." and returns PROTO_EXIT_USAGE.
static int
s_usage (const char *what)
{
    fprintf (stderr, "onewindow-district: %s (try 'onewindow-district --help')\n", what);
    return PROTO_EXIT_USAGE;
}

typedef struct {
    district_config_t *cfg;
    district_store_t *store;
    district_board_t *board;
    void *zctx;
    district_link_t **links;
    district_proxy_t *proxy;
    district_http_t *http;
    district_app_t app;
} s_district_t;

static void
s_stop (s_district_t *d)
{
    district_http_destroy (&d->http);
    for (size_t i = 0; d->links && i < d->cfg->nhalls; i++)
        district_link_destroy (&d->links[i]);
    district_proxy_destroy (&d->proxy);
    free (d->links);
    if (d->zctx)
        zmq_ctx_term (d->zctx);
    district_board_destroy (&d->board);
    district_store_destroy (&d->store);
    district_config_destroy (&d->cfg);
}

//  Opens the store, links every hall, starts the proxy, the links and the server. 0, or
//  PROTO_EXIT_REFUSED with the reason printed.
static int
s_start (s_district_t *d, const char *data, const char *http, const proto_keypair_t *keys)
{
    char err[600];
    if (mkdir (data, 0750) != 0 && errno != EEXIST) {
        fprintf (stderr, "onewindow-district: --data %s: %s\n", data, strerror (errno));
        return PROTO_EXIT_REFUSED;
    }
    d->store = district_store_open (data, err, sizeof err);
    d->board = district_board_new (d->cfg);
    d->zctx = zmq_ctx_new ();
    d->links = calloc (d->cfg->nhalls, sizeof *d->links);
    const char **inputs = calloc (d->cfg->nhalls, sizeof *inputs);
    if (!d->store || !d->board || !d->zctx || !d->links || !inputs) {
        fprintf (stderr, "onewindow-district: %s\n", d->store ? "out of memory" : err);
        free (inputs);
        return PROTO_EXIT_REFUSED;
    }
    int rc = 0;
    for (size_t i = 0; i < d->cfg->nhalls && rc == 0; i++) {
        d->links[i] = district_link_new (&d->cfg->halls[i], i, d->store, d->board, d->zctx, keys);
        if (d->links[i])
            inputs[i] = district_link_endpoint (d->links[i]);
        else
            rc = PROTO_EXIT_REFUSED;
    }
    if (rc == 0)
        d->proxy = district_proxy_new (d->zctx, d->cfg->events, inputs, d->cfg->nhalls);
    free (inputs);
    if (rc != 0 || !d->proxy) {
        fprintf (stderr,
                 "onewindow-district: cannot set up the halls' links or the stream at "
                 "%s (see the log)\n",
                 d->cfg->events);
        return PROTO_EXIT_REFUSED;
    }
    d->app = (district_app_t){d->cfg, d->board, d->store, d->proxy};
    d->http = district_http_new (http, district_routes, &d->app, err, sizeof err);
    if (!d->http) {
        fprintf (stderr, "onewindow-district: %s\n", err);
        return PROTO_EXIT_REFUSED;
    }
    for (size_t i = 0; i < d->cfg->nhalls; i++)
        if (district_link_start (d->links[i]) != 0) {
            fprintf (stderr, "onewindow-district: cannot start a thread\n");
            return PROTO_EXIT_REFUSED;
        }
    return 0;
}

//  The start line: where the views and the stream are.
static void
s_announce (const s_district_t *d, bool json)
{
    int port = district_http_port (d->http);
    if (json)
        printf ("{\"district\":\"%s\",\"http_port\":%d,\"events\":\"%s\",\"halls\":%zu}\n",
                d->cfg->id, port, d->cfg->events, d->cfg->nhalls);
    else
        printf ("onewindow-district: %s, %zu halls: http port %d (/district), events at %s\n",
                d->cfg->name, d->cfg->nhalls, port, d->cfg->events);
    fflush (stdout);
}

int
main (int argc, char **argv)
{
    proto_log_init ("onewindow-district", PROTO_LOG_WARN);
    const char *config = NULL, *data = NULL, *http = "127.0.0.1:8090", *key = NULL;
    bool insecure = false, json = false;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"data", required_argument, NULL, 'd'},
        {"http", required_argument, NULL, 'l'},   {"key", required_argument, NULL, 'k'},
        {"insecure", no_argument, NULL, 'i'},     {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 'd': data = optarg; break;
        case 'l': http = optarg; break;
        case 'k': key = optarg; break;
        case 'i': insecure = true; break;
        case 'j': json = true; break;
        case 'h': s_help (stdout); return PROTO_EXIT_OK;
        default: s_help (stderr); return PROTO_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return s_usage ("unexpected argument");
    if (!config || !data)
        return s_usage ("--config and --data are required");
    if (!key == !insecure)
        return s_usage ("give --key FILE (the district's keypair) or --insecure");
    char err[600];
    proto_keypair_t keys;
    if (key && proto_keys_load (key, &keys, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow-district: --key %s: %s\n", key, err);
        return PROTO_EXIT_USAGE;
    }
    s_district_t d = {0};
    d.cfg = district_config_load (config, insecure, err, sizeof err);
    if (!d.cfg) {
        fprintf (stderr, "onewindow-district: %s\n", err);
        return PROTO_EXIT_USAGE;
    }
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_signal;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
    int rc = s_start (&d, data, http, key ? &keys : NULL);
    if (rc == 0) {
        s_announce (&d, json);
        struct timespec pause = {0, 100 * 1000000};
        while (!s_interrupted)
            nanosleep (&pause, NULL);
    }
    s_stop (&d);
    return rc;
}
