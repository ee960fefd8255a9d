/*  bench_district.c — the district (issue 16) at scale: 32 hall brokers with simulated
    traffic at ten times a busy hall's peak, one bin/onewindow-district following them.

    A busy hall's peak is taken as the brief's 1,000-ticket day at its peak hour, 150
    tickets an hour; ten times that is 1,500 an hour per hall, 13.3 a second across the
    32 halls. Each ticket is four journaled events (issued, called, serving, finished: one
    cycle of counter 1) and the broker's estimates. Figures:

      district.lag_p50/p99   from an event's publish (as a subscriber of the hall sees it)
                             to the district's stream (a subscriber of its XPUB): the
                             link's mirror, its re-publishing and the proxy
      district.cpu           the district's CPU over the window, % of one core
      district.rss           its resident memory after the window
      district.catch_up      a hall's link cut (a TCP relay between the district and the
                             hall, closed) while the hall serves ten simulated minutes at
                             the same rate on its simulated clock (clock.advance: no real
                             ten minutes), then restored: the time until the district has
                             counted every event of the hall's journal

    The brokers run on simulated clocks at a working Monday morning, each moved on by its
    own traffic, so every hall is open for tickets whatever the hour of the run. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "bench.h"
#include "proto_json.h"
#include "proto_wire.h"

#define NHALLS    32
#define T_MON     1795998600000LL //  Monday 2026-11-30 08:30 in the halls
#define CYCLE_MS  2400            //  a ticket per hall every 2.4 s: 1,500 an hour
#define OUTAGE_MS (10 * 60 * 1000)
#define SEQ_RING  8192 //  publish times kept per hall, by sequence
#define RELAY_MAX 64   //  connections through the relay

typedef struct {
    bench_broker_t br;
    bench_client_t c;
    char id[8];
    int64_t pub_ns[SEQ_RING]; //  when the hall's own subscriber saw sequence n
} s_hall_t;

//  A TCP relay in front of one hall's two endpoints: the district's link to it, which the
//  bench cuts and restores while the hall goes on.
typedef struct {
    int from_port[2]; //  what the district connects to
    int to_port[2];   //  the broker's
    pthread_t thread;
    bool running;
    atomic_int stop;
} s_relay_t;

typedef struct {
    bench_t *b;
    s_hall_t *halls;
    atomic_int stop;
    atomic_int paused_hall; //  a hall the traffic leaves alone (-1: none)
    pthread_mutex_t lock;   //  the halls' clients: the traffic's and the outage's
    bench_samples_t lag;    //  ns
    atomic_int measuring;
    long events;
    char events_ep[64];
} s_run_t;

//  ---------------------------------------------------------------------------------------
//  The relay

static int
s_listen (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons ((uint16_t)port)};
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind (fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen (fd, 16) != 0) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    return fd;
}

static int
s_dial (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons ((uint16_t)port)};
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (fd >= 0 && connect (fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close (fd);
        return -1;
    }
    return fd;
}

//  Pumps bytes both ways between each accepted connection and its dial to the broker;
//  everything closed when told to stop (the link cut).
static void *
s_relay_run (void *arg)
{
    s_relay_t *r = arg;
    int lfd[2] = {s_listen (r->from_port[0]), s_listen (r->from_port[1])};
    int pair[RELAY_MAX][2], npairs = 0;
    while (!atomic_load (&r->stop) && lfd[0] >= 0 && lfd[1] >= 0) {
        struct pollfd p[2 + 2 * RELAY_MAX];
        for (int k = 0; k < 2; k++)
            p[k] = (struct pollfd){lfd[k], POLLIN, 0};
        for (int i = 0; i < npairs; i++)
            for (int k = 0; k < 2; k++)
                p[2 + 2 * i + k] = (struct pollfd){pair[i][k], POLLIN, 0};
        if (poll (p, (nfds_t)(2 + 2 * npairs), 50) <= 0)
            continue;
        for (int k = 0; k < 2; k++)
            if (p[k].revents & POLLIN) {
                int in = accept4 (lfd[k], NULL, NULL, SOCK_CLOEXEC), out = s_dial (r->to_port[k]);
                if (in >= 0 && out >= 0 && npairs < RELAY_MAX) {
                    pair[npairs][0] = in;
                    pair[npairs++][1] = out;
                } else {
                    if (in >= 0)
                        close (in);
                    if (out >= 0)
                        close (out);
                }
            }
        for (int i = npairs - 1; i >= 0; i--) {
            bool dead = false;
            for (int k = 0; k < 2 && !dead; k++) {
                if (!(p[2 + 2 * i + k].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                char buf[65536];
                ssize_t n = read (pair[i][k], buf, sizeof buf);
                dead = n <= 0 || write (pair[i][1 - k], buf, (size_t)n) != n;
            }
            if (dead) {
                close (pair[i][0]);
                close (pair[i][1]);
                pair[i][0] = pair[--npairs][0];
                pair[i][1] = pair[npairs][1];
            }
        }
    }
    for (int i = 0; i < npairs; i++) {
        close (pair[i][0]);
        close (pair[i][1]);
    }
    for (int k = 0; k < 2; k++)
        if (lfd[k] >= 0)
            close (lfd[k]);
    return NULL;
}

static int
s_relay_start (s_relay_t *r)
{
    atomic_store (&r->stop, 0);
    r->running = pthread_create (&r->thread, NULL, s_relay_run, r) == 0;
    return r->running ? 0 : -1;
}

static void
s_relay_stop (s_relay_t *r)
{
    if (!r->running)
        return;
    atomic_store (&r->stop, 1);
    pthread_join (r->thread, NULL);
    r->running = false;
}

//  ---------------------------------------------------------------------------------------
//  Traffic and observation

//  One ticket's cycle at hall `h`: issued, and counter 1 finishes, calls and serves the
//  next; the hall's clock moves on by CYCLE_MS. 0 / -1.
static int
s_cycle (s_hall_t *h)
{
    char body[64];
    snprintf (body, sizeof body, "{\"ms\": %d}", CYCLE_MS);
    if (bench_client_ok (&h->c, "ticket.issue", "{\"service\": \"A\"}") != 0)
        return -1;
    bench_client_call (&h->c, "ticket.finish", "{\"counter\": 1}", 5000);
    if (bench_client_ok (&h->c, "ticket.call_next", "{\"counter\": 1}") != 0 ||
        bench_client_ok (&h->c, "ticket.start", "{\"counter\": 1}") != 0)
        return -1;
    return bench_client_ok (&h->c, "clock.advance", body);
}

//  The halls' traffic: one cycle a hall every CYCLE_MS of real time, spread evenly.
static void *
s_traffic (void *arg)
{
    s_run_t *run = arg;
    int64_t next = bench_now_ns ();
    for (int i = 0; !atomic_load (&run->stop); i = (i + 1) % NHALLS) {
        next += (int64_t)CYCLE_MS * 1000000 / NHALLS;
        if (i != atomic_load (&run->paused_hall)) {
            pthread_mutex_lock (&run->lock);
            int rc = s_cycle (&run->halls[i]);
            pthread_mutex_unlock (&run->lock);
            if (rc != 0)
                fprintf (stderr, "bench: district: hall %s refused a ticket cycle\n",
                         run->halls[i].id);
        }
        int64_t wait = next - bench_now_ns ();
        if (wait > 0)
            bench_sleep_ms ((double)wait / 1e6);
    }
    return NULL;
}

//  Event `ev` seen at `now` on hall i's own stream (i < NHALLS) or on the district's.
static void
s_seen (s_run_t *run, int i, const proto_wire_event_t *ev, int64_t now)
{
    if (strstr (ev->topic, "hall.estimates"))
        return; //  not journaled: it repeats the last sequence
    if (i < NHALLS) {
        run->halls[i].pub_ns[ev->seq % SEQ_RING] = now;
        return;
    }
    int h = ev->topic[0] == 'H' && strchr (ev->topic, '/') ? atoi (ev->topic + 1) : -1;
    int64_t t0 = h >= 0 && h < NHALLS ? run->halls[h].pub_ns[ev->seq % SEQ_RING] : 0;
    if (t0 && atomic_load (&run->measuring)) {
        bench_samples_add (&run->lag, now - t0);
        run->events++;
    }
}

//  Every hall's own stream and the district's, in one thread: the lag of each journaled
//  event from the first to the second.
static void *
s_observe (void *arg)
{
    s_run_t *run = arg;
    void *zctx = zmq_ctx_new ();
    zmq_pollitem_t items[NHALLS + 1];
    for (int i = 0; i <= NHALLS; i++) {
        void *s = zmq_socket (zctx, ZMQ_SUB);
        int hwm = 0;
        zmq_setsockopt (s, ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0);
        zmq_connect (s, i < NHALLS ? run->halls[i].br.pub : run->events_ep);
        items[i] = (zmq_pollitem_t){s, 0, ZMQ_POLLIN, 0};
    }
    while (!atomic_load (&run->stop)) {
        if (zmq_poll (items, NHALLS + 1, 100) <= 0)
            continue;
        int64_t now = bench_now_ns ();
        for (int i = 0; i <= NHALLS; i++) {
            proto_wire_event_t ev;
            proto_wire_rc_t wrc = PROTO_WIRE_OK;
            while ((items[i].revents & ZMQ_POLLIN) && wrc != PROTO_WIRE_ERROR) {
                wrc = proto_wire_recv_event (items[i].socket, ZMQ_DONTWAIT, &ev);
                if (wrc == PROTO_WIRE_OK)
                    s_seen (run, i, &ev, now);
                proto_wire_event_close (&ev);
            }
        }
    }
    for (int i = 0; i <= NHALLS; i++)
        zmq_close (items[i].socket);
    zmq_ctx_term (zctx);
    return NULL;
}

//  ---------------------------------------------------------------------------------------
//  The district

//  GET /api/district's hall `id`: its `counted` sequence, or -1.
static long long
s_counted (int port, const char *id)
{
    int fd = s_dial (port);
    if (fd < 0)
        return -1;
    const char req[] = "GET /api/district HTTP/1.0\r\n\r\n";
    char *all = NULL;
    size_t len = 0;
    if (write (fd, req, sizeof req - 1) == (ssize_t)sizeof req - 1) {
        FILE *mem = open_memstream (&all, &len);
        char buf[16384];
        ssize_t n;
        while ((n = read (fd, buf, sizeof buf)) > 0)
            fwrite (buf, 1, (size_t)n, mem);
        fclose (mem);
    }
    close (fd);
    const char *body = all ? strstr (all, "\r\n\r\n") : NULL;
    json_t *j = body ? json_loads (body + 4, 0, NULL) : NULL;
    long long counted = -1;
    size_t i;
    json_t *h;
    json_array_foreach (json_object_get (j, "halls"), i, h)
        if (proto_is (h, "id", id))
            counted = proto_int (h, "counted");
    json_decref (j);
    free (all);
    return counted;
}

//  The district's config for the halls, hall 0 through the relay.
static int
s_config (const char *path, const s_hall_t *halls, const s_relay_t *relay, const char *events)
{
    json_t *list = json_array ();
    for (int i = 0; i < NHALLS; i++) {
        char req[64], pub[64];
        snprintf (req, sizeof req, "tcp://127.0.0.1:%d", relay->from_port[0]);
        snprintf (pub, sizeof pub, "tcp://127.0.0.1:%d", relay->from_port[1]);
        json_array_append_new (
            list, json_pack ("{s:s, s:s, s:s, s:s, s:s}", "id", halls[i].id, "name", halls[i].id,
                             "kind", i < 8 ? "district_hall" : "town_centre", "request",
                             i ? halls[i].br.req : req, "events", i ? halls[i].br.pub : pub));
    }
    json_t *cfg = json_pack ("{s:{s:s, s:s, s:s}, s:o}", "district", "id", "BENCH", "name", "bench",
                             "events", events, "halls", list);
    int rc = json_dump_file (cfg, path, 0);
    json_decref (cfg);
    return rc;
}

//  Ten simulated minutes at hall 0 with its link cut, then the time until the district
//  has counted all of it. Seconds, or -1.
static double
s_outage (s_run_t *run, s_relay_t *relay, int http_port)
{
    s_hall_t *h = &run->halls[0];
    atomic_store (&run->paused_hall, 0);
    pthread_mutex_lock (&run->lock); //  a cycle of hall 0 under way ends first
    pthread_mutex_unlock (&run->lock);
    s_relay_stop (relay);
    for (int k = 0; k < OUTAGE_MS / CYCLE_MS; k++)
        if (s_cycle (h) != 0)
            return -1;
    if (bench_client_ok (&h->c, "hall.info", "{}") != 0)
        return -1;
    json_t *info = json_loads (h->c.body, 0, NULL);
    long long target = (long long)proto_int (info, "seq");
    json_decref (info);
    int64_t t0 = bench_now_ns ();
    if (s_relay_start (relay) != 0)
        return -1;
    while (bench_now_ns () - t0 < 120 * 1000000000LL) {
        if (s_counted (http_port, h->id) >= target && target > 0) {
            atomic_store (&run->paused_hall, -1);
            return (double)(bench_now_ns () - t0) / 1e9;
        }
        bench_sleep_ms (20);
    }
    return -1;
}

//  ---------------------------------------------------------------------------------------

static int
s_start_halls (bench_t *b, s_hall_t *halls, void *zctx)
{
    char base[700];
    snprintf (base, sizeof base, "%s/district-hall.json", b->work);
    if (bench_hall_config (b, base, 8) != 0)
        return -1;
    for (int i = 0; i < NHALLS; i++) {
        s_hall_t *h = &halls[i];
        snprintf (h->id, sizeof h->id, "H%02d", i);
        char name[32];
        snprintf (name, sizeof name, "district-%s", h->id);
        bench_broker_init (&h->br, b, name, "");
        snprintf (h->br.config, sizeof h->br.config, "%.600s/hall.json", h->br.dir);
        const char *path = h->br.config;
        json_t *cfg = json_load_file (base, 0, NULL);
        json_object_set_new (json_object_get (cfg, "hall"), "id", json_string (h->id));
        int rc = json_dump_file (cfg, path, 0);
        json_decref (cfg);
        snprintf (h->br.clock, sizeof h->br.clock, "sim:%lld", T_MON);
        if (rc != 0 || bench_broker_start (&h->br, b, NULL) != 0 ||
            bench_client_open (&h->c, zctx, h->br.req, i) != 0 ||
            bench_client_ok (&h->c, "counter.login", "{\"counter\": 1, \"clerk\": \"bench\"}") != 0)
            return -1;
    }
    return 0;
}

int
bench_district (bench_t *b)
{
    static s_hall_t halls[NHALLS];
    memset (halls, 0, sizeof halls);
    s_run_t run = {.b = b, .halls = halls};
    atomic_store (&run.paused_hall, -1);
    pthread_mutex_init (&run.lock, NULL);
    void *zctx = bench_zctx ();
    s_relay_t relay = {0};
    pid_t district = 0;
    pthread_t traffic, observer;
    bool threads = false;
    int rc = -1, http_port = bench_free_port ();
    bench_progress ("district: starting %d hall brokers", NHALLS);
    if (s_start_halls (b, halls, zctx) != 0)
        goto done;
    for (int k = 0; k < 2; k++) {
        relay.from_port[k] = bench_free_port ();
        relay.to_port[k] = atoi (strrchr (k ? halls[0].br.pub : halls[0].br.req, ':') + 1);
    }
    snprintf (run.events_ep, sizeof run.events_ep, "tcp://127.0.0.1:%d", bench_free_port ());
    char dir[700], cfg[800], data[800], log[800], http[64], prog[600];
    snprintf (dir, sizeof dir, "%s/district", b->work);
    bench_mkdirs (dir);
    snprintf (cfg, sizeof cfg, "%s/district.json", dir);
    snprintf (data, sizeof data, "%s/data", dir);
    snprintf (log, sizeof log, "%s/district.log", dir);
    snprintf (http, sizeof http, "127.0.0.1:%d", http_port);
    snprintf (prog, sizeof prog, "%s/onewindow-district", b->bin);
    if (s_relay_start (&relay) != 0 || s_config (cfg, halls, &relay, run.events_ep) != 0)
        goto done;
    char *argv[] = {prog, "--config", cfg, "--data", data, "--http", http, "--insecure", NULL};
    district = bench_spawn (argv, log);
    if (district <= 0)
        goto done;
    threads = pthread_create (&observer, NULL, s_observe, &run) == 0 &&
              pthread_create (&traffic, NULL, s_traffic, &run) == 0;
    if (!threads)
        goto done;
    bench_sleep_ms (3000); //  every link's snapshot, the subscriptions up the proxy
    double window = b->quick ? 5 : 20;
    bench_progress ("district: %.0f s at 10x a busy hall's peak", window);
    double cpu0 = bench_cpu_s (district);
    atomic_store (&run.measuring, 1);
    bench_sleep_ms (window * 1000);
    atomic_store (&run.measuring, 0);
    double cpu = bench_cpu_s (district) - cpu0;
    long rss = 0, hwm = 0;
    bench_rss_kb (district, &rss, &hwm);
    bench_progress ("district: a hall's link cut for ten simulated minutes");
    double catch_up = s_outage (&run, &relay, http_port);

    bench_fig_t *f = bench_fig (b, "district", "district.events", NHALLS, "events/s",
                                "events through the district (32 halls)");
    bench_fig_add (f, (double)run.events / window);
    f = bench_fig (b, "district", "district.lag_p50", NHALLS, "ms", "hall publish to district p50");
    bench_fig_add (f, (double)bench_samples_quantile (&run.lag, 0.5) / 1e6);
    f = bench_fig (b, "district", "district.lag_p99", NHALLS, "ms", "hall publish to district p99");
    bench_fig_add (f, (double)bench_samples_quantile (&run.lag, 0.99) / 1e6);
    f = bench_fig (b, "district", "district.cpu", NHALLS, "%", "district CPU (of one core)");
    bench_fig_add (f, 100 * cpu / window);
    f = bench_fig (b, "district", "district.rss", NHALLS, "MB", "district RSS");
    bench_fig_add (f, (double)rss / 1024);
    f = bench_fig (b, "district", "district.catch_up", 1, "s",
                   "catch-up after a 10-min hall outage");
    bench_fig_add (f, catch_up);
    rc = run.lag.n > 0 && catch_up >= 0 ? 0 : -1;
done:
    atomic_store (&run.stop, 1);
    if (threads) {
        pthread_join (traffic, NULL);
        pthread_join (observer, NULL);
    }
    if (district > 0)
        bench_stop (district, SIGTERM);
    s_relay_stop (&relay);
    for (int i = 0; i < NHALLS; i++) {
        bench_client_close (&halls[i].c);
        bench_broker_cleanup (&halls[i].br);
    }
    zmq_ctx_term (zctx);
    bench_samples_free (&run.lag);
    pthread_mutex_destroy (&run.lock);
    return rc;
}
