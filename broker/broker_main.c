/*  broker_main.c — onewindow-broker: command line, signals (SIGINT and SIGTERM stop, SIGHUP
    reloads the calendar), readiness told to systemd, run. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker_check.h"
#include "broker_server.h"
#include "broker_store.h"
#include "proto_log.h"

static volatile sig_atomic_t s_stop = 0;
static volatile sig_atomic_t s_reload = 0; //  SIGHUP: re-read the calendar's year files

static void
s_on_signal (int sig)
{
    if (sig == SIGHUP)
        s_reload = 1;
    else
        s_stop = 1;
}

//  Tells systemd the broker's state ("READY=1" once it serves, "STOPPING=1"), when a unit of
//  Type=notify started it: one datagram to the socket in $NOTIFY_SOCKET, the protocol of
//  sd_notify(3), which systemd keeps stable for programs that speak it themselves. Spoken
//  here rather than linked from libsystemd: these few lines spare every build and test
//  machine the library, and outside systemd (no variable) they do nothing.
static void
s_sd_notify (const char *state)
{
    const char *path = getenv ("NOTIFY_SOCKET");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!path || (path[0] != '/' && path[0] != '@') || strlen (path) >= sizeof addr.sun_path)
        return;
    size_t len = strlen (path);
    memcpy (addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = 0; //  an abstract socket: its name starts with a NUL
    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *)&addr,
                          (socklen_t)(offsetof (struct sockaddr_un, sun_path) + len)) < 0)
        log_warn ("systemd: cannot tell %s '%s': %s", path, state, strerror (errno));
    if (fd >= 0)
        close (fd);
}

static void
s_usage (FILE *out)
{
    fprintf (
        out,
        "usage: onewindow-broker --config FILE --data DIR [options]\n"
        "\n"
        "The onewindow broker: one per service hall. Kiosks, counters, back-office\n"
        "terminals, boards, the web gateway and the cabinet talk to it; every change\n"
        "is committed to the LMDB store in DIR and synced before it is acknowledged.\n"
        "\n"
        "  -c, --config FILE     hall config (JSON; see etc/hall.example.json, installed in\n"
        "                        /usr/share/onewindow; man onewindow-hall)\n"
        "  -d, --data DIR        store directory (created if missing)\n"
        "  -b, --bind EP         request endpoint (ROUTER), default tcp://*:7100\n"
        "  -p, --pub EP          event endpoint (PUB), default tcp://*:7101\n"
        "      --advertise EP    event endpoint told to clients (default: the bound one)\n"
        "      --clock MODE      real (default) or sim[:UNIX_MS]: a simulated clock that\n"
        "                        moves only on clock.advance (tests, simulations)\n"
        "      --map-size MB     initial LMDB map size (grows on demand), default 64\n"
        "      --key FILE        the broker's CURVE keypair (onewindow keygen): only enrolled\n"
        "                        devices may connect, each in its role\n"
        "      --insecure        no keys: every local peer may act in every role; refused\n"
        "                        unless both endpoints are local (ipc://, tcp://127.0.0.1)\n"
        "      --enroll ROLE:NAME:KEY   enrol a device's public key (or key file) in the\n"
        "                        store in --data and exit (repeatable; the first admin)\n"
        "      --new-store       make a new, empty store in --data although an earlier\n"
        "                        store's store.id or lock.mdb is there (its data.mdb was\n"
        "                        deleted or emptied); without it the broker refuses to start.\n"
        "                        A data.mdb that holds anything is never replaced\n"
        "      --check DIR       check the store in DIR (the broker stopped) and exit: 0 if\n"
        "                        it is consistent, 1 with every problem listed\n"
        "      --notify-log FILE a copy of every notice to an applicant (SMS), one JSON line\n"
        "                        each with the full phone number, for demos and tests; the\n"
        "                        notices go out through notify.sms_url of the hall config\n"
        "  -v, --verbose         debug logging\n"
        "  -h, --help            this help\n"
        "\n"
        "At start the store is checked as --check does (its size, its identity against\n"
        "DIR/store.id, live tickets against the journal): a damaged store is refused.\n"
        "Stop it with SIGINT or SIGTERM; a SIGKILL loses nothing acknowledged either.\n"
        "SIGHUP re-reads the calendar's year files and moves the open deadlines they\n"
        "change (= onewindow admin calendar reload).\n"
        "Under systemd (onewindow-broker.service, Type=notify) it tells $NOTIFY_SOCKET\n"
        "when it serves. Protocol: protocol/PROTOCOL.md\n");
}

//  Every connection is a descriptor, a device's or a stranger's that has not finished its
//  handshake yet: the 1,024 a service manager gives by default are gone with 1,100 idle
//  connections, and no device gets in until they time out. Up to the hard limit.
static void
s_raise_nofile (void)
{
    struct rlimit lim;
    if (getrlimit (RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max)
        return;
    rlim_t was = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit (RLIMIT_NOFILE, &lim) == 0)
        log_info ("descriptors: up to %llu (raised from %llu)", (unsigned long long)lim.rlim_max,
                  (unsigned long long)was);
    else
        log_warn ("descriptors: cannot raise the limit of %llu to %llu: %s",
                  (unsigned long long)was, (unsigned long long)lim.rlim_max, strerror (errno));
}

//  --check DIR: the store's checks and its consistency pass, thorough, offline.
static int
s_check (const char *dir)
{
    broker_store_t *store = broker_store_open_as (dir, 0, BROKER_STORE_CHECK);
    if (!store) {
        printf ("store %s: cannot be opened (the reason is above)\n", dir);
        return 1;
    }
    int problems = broker_check_store (store, true, stdout);
    broker_store_destroy (&store);
    if (problems)
        printf ("store %s: %s\n", dir, problems < 0 ? "cannot be read" : "INCONSISTENT");
    else
        printf ("store %s: consistent\n", dir);
    return problems ? 1 : 0;
}

int
main (int argc, char **argv)
{
    const char *enroll[64], *check = NULL;
    int nenroll = 0;
    broker_options_t opt = {
        .bind = "tcp://*:7100",
        .pub = "tcp://*:7101",
    };
    proto_log_level_t level = PROTO_LOG_INFO;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"data", required_argument, NULL, 'd'},
        {"bind", required_argument, NULL, 'b'},
        {"pub", required_argument, NULL, 'p'},
        {"advertise", required_argument, NULL, 'a'},
        {"clock", required_argument, NULL, 'C'},
        {"map-size", required_argument, NULL, 'm'},
        {"verbose", no_argument, NULL, 'v'},
        {"notify-log", required_argument, NULL, 'n'},
        {"key", required_argument, NULL, 'K'},
        {"insecure", no_argument, NULL, 'I'},
        {"enroll", required_argument, NULL, 'E'},
        {"new-store", no_argument, NULL, 'N'},
        {"check", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long (argc, argv, "c:d:b:p:vh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': opt.config_path = optarg; break;
        case 'd': opt.data_dir = optarg; break;
        case 'b': opt.bind = optarg; break;
        case 'p': opt.pub = optarg; break;
        case 'a': opt.advertise = optarg; break;
        case 'C':
            if (strcmp (optarg, "real") == 0)
                opt.sim_clock = false;
            else if (strncmp (optarg, "sim", 3) == 0 && (optarg[3] == 0 || optarg[3] == ':')) {
                opt.sim_clock = true;
                opt.sim_start_ms = optarg[3] ? strtoll (optarg + 4, NULL, 10) : 0;
            } else {
                fprintf (stderr, "onewindow-broker: --clock must be real or sim[:UNIX_MS]\n");
                return 2;
            }
            break;
        case 'm': {
            long mb = strtol (optarg, NULL, 10);
            if (mb < 1 || mb > 1024 * 1024) {
                fprintf (stderr, "onewindow-broker: --map-size is in MB, 1 to 1048576\n");
                return 2;
            }
            opt.map_size = (size_t)mb << 20;
            break;
        }
        case 'v': level = PROTO_LOG_DEBUG; break;
        case 'n': opt.notify_log = optarg; break;
        case 'K': opt.key_path = optarg; break;
        case 'I': opt.insecure = true; break;
        case 'N': opt.new_store = true; break;
        case 'k': check = optarg; break;
        case 'E':
            if (nenroll < 64)
                enroll[nenroll++] = optarg;
            break;
        case 'h': s_usage (stdout); return 0;
        default: s_usage (stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "onewindow-broker: unexpected argument '%s' (try --help)\n", argv[optind]);
        return 2;
    }
    proto_log_init ("broker", level);
    if (check)
        return s_check (check);
    if (nenroll) {
        if (!opt.data_dir) {
            fprintf (stderr, "onewindow-broker: --enroll needs --data DIR\n");
            return 2;
        }
        for (int i = 0; i < nenroll; i++)
            if (broker_enroll_offline (opt.data_dir, enroll[i]) != 0)
                return 1;
        return 0;
    }
    if (!opt.config_path || !opt.data_dir) {
        fprintf (stderr, "onewindow-broker: --config and --data are required (try --help)\n");
        return 2;
    }

    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGHUP, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);

    s_raise_nofile ();
    broker_server_t *server = broker_server_new (&opt);
    if (!server)
        return 1;
    s_sd_notify ("READY=1\nSTATUS=serving requests");
    int rc = broker_server_run (server, &s_stop, &s_reload);
    s_sd_notify ("STOPPING=1");
    broker_server_destroy (&server);
    return rc == 0 ? 0 : 1;
}
