/*  bench_util.c — figures, statistics, processes, the lean client and the load runner.
    See bench.h. */
#include "bench.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker_idcheck.h"
#include "proto_msg.h"
#include "proto_wire.h"

//  ---------------------------------------------------------------------------------------
//  Figures

bench_fig_t *
bench_fig (bench_t *b, const char *section, const char *name, int clients, const char *unit,
           const char *label)
{
    bench_fig_t *f = bench_fig_find (b, name, clients);
    if (f)
        return f;
    if (b->nfigs == BENCH_MAX_FIGS || !(f = calloc (1, sizeof *f))) {
        fprintf (stderr, "bench: too many figures\n");
        abort ();
    }
    snprintf (f->section, sizeof f->section, "%s", section);
    snprintf (f->name, sizeof f->name, "%s", name);
    snprintf (f->label, sizeof f->label, "%s", label);
    snprintf (f->unit, sizeof f->unit, "%s", unit);
    f->clients = clients;
    b->figs[b->nfigs++] = f;
    return f;
}

bench_fig_t *
bench_fig_find (const bench_t *b, const char *name, int clients)
{
    for (int i = 0; i < b->nfigs; i++)
        if (strcmp (b->figs[i]->name, name) == 0 && b->figs[i]->clients == clients)
            return b->figs[i];
    return NULL;
}

void
bench_fig_add (bench_fig_t *fig, double value)
{
    if (fig->nruns < BENCH_MAX_RUNS)
        fig->runs[fig->nruns++] = value;
}

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double
bench_fig_median (const bench_fig_t *fig)
{
    if (!fig->nruns)
        return NAN;
    double v[BENCH_MAX_RUNS];
    memcpy (v, fig->runs, sizeof v);
    qsort (v, (size_t)fig->nruns, sizeof v[0], s_cmp_double);
    int n = fig->nruns;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
bench_fig_min (const bench_fig_t *fig)
{
    double m = NAN;
    for (int i = 0; i < fig->nruns; i++)
        if (isnan (m) || fig->runs[i] < m)
            m = fig->runs[i];
    return m;
}

double
bench_fig_max (const bench_fig_t *fig)
{
    double m = NAN;
    for (int i = 0; i < fig->nruns; i++)
        if (isnan (m) || fig->runs[i] > m)
            m = fig->runs[i];
    return m;
}

double
bench_fig_ratio (const bench_t *b, const bench_fig_t *fig)
{
    if (!fig->limit)
        return NAN;
    const bench_fig_t *lim =
        bench_fig_find (b, fig->limit, fig->limit_clients ? fig->limit_clients : fig->clients);
    double m = lim ? bench_fig_median (lim) : NAN;
    return m > 0 ? bench_fig_median (fig) / m : NAN;
}

//  ---------------------------------------------------------------------------------------
//  Time and statistics

int64_t
bench_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bench_sleep_ms (double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(fmod (ms, 1000) * 1e6)};
    while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
        ;
}

void
bench_samples_add (bench_samples_t *s, int64_t value)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        int64_t *v = realloc (s->v, cap * sizeof *v);
        if (!v)
            return; //  a lost sample, not a crash
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = value;
}

void
bench_samples_append (bench_samples_t *s, const bench_samples_t *more)
{
    for (size_t i = 0; i < more->n; i++)
        bench_samples_add (s, more->v[i]);
}

void
bench_samples_free (bench_samples_t *s)
{
    free (s->v);
    memset (s, 0, sizeof *s);
}

static int
s_cmp_i64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int64_t
bench_samples_quantile (bench_samples_t *s, double p)
{
    if (!s->n)
        return 0;
    qsort (s->v, s->n, sizeof s->v[0], s_cmp_i64);
    double rank = ceil (p * (double)s->n);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return s->v[i < s->n ? i : s->n - 1];
}

void
bench_progress (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "  ");
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, "\n");
    va_end (ap);
}

//  ---------------------------------------------------------------------------------------
//  Processes

int
bench_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind (fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname (fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs (a.sin_port);
    close (fd);
    return port;
}

pid_t
bench_spawn (char *const argv[], const char *log)
{
    pid_t pid = fork ();
    if (pid != 0)
        return pid;
    int fd = open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2 (fd, STDERR_FILENO);
        dup2 (fd, STDOUT_FILENO);
        close (fd);
    }
    execv (argv[0], argv);
    fprintf (stderr, "bench: cannot exec %s: %s\n", argv[0], strerror (errno));
    _exit (127);
}

int
bench_stop (pid_t pid, int sig)
{
    if (pid <= 0)
        return -1;
    kill (pid, sig);
    int st = 0;
    while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + (WIFSIGNALED (st) ? WTERMSIG (st) : 0);
}

int
bench_rss_kb (pid_t pid, long *rss, long *hwm)
{
    char path[64], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return -1;
    *rss = *hwm = -1;
    while (fgets (line, sizeof line, f)) {
        if (strncmp (line, "VmRSS:", 6) == 0)
            *rss = strtol (line + 6, NULL, 10);
        else if (strncmp (line, "VmHWM:", 6) == 0)
            *hwm = strtol (line + 6, NULL, 10);
    }
    fclose (f);
    return *rss >= 0 ? 0 : -1;
}

double
bench_cpu_s (pid_t pid)
{
    char path[64], buf[1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return -1;
    size_t n = fread (buf, 1, sizeof buf - 1, f);
    fclose (f);
    buf[n] = 0;
    //  Fields 14 and 15 (utime, stime) follow the ")" that ends the command name.
    const char *p = strrchr (buf, ')');
    unsigned long long ut = 0, st = 0;
    if (!p ||
        sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf (_SC_CLK_TCK);
}

void
bench_rmtree (const char *path)
{
    if (!path || !*path || strcmp (path, "/") == 0 || strchr (path, '\''))
        return;
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system (cmd) != 0)
        fprintf (stderr, "bench: cannot remove %s\n", path);
}

int
bench_mkdirs (const char *path)
{
    char buf[1024];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir (buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir (buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

long long
bench_dir_bytes (const char *dir)
{
    DIR *d = opendir (dir);
    if (!d)
        return 0;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        char path[2048];
        struct stat st;
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        //  Blocks actually used: LMDB's file is sparse up to the map size.
        if (stat (path, &st) == 0 && S_ISREG (st.st_mode))
            total += (long long)st.st_blocks * 512;
    }
    closedir (d);
    return total;
}

//  ---------------------------------------------------------------------------------------
//  A broker

void
bench_broker_init (bench_broker_t *br, const bench_t *b, const char *name, const char *config)
{
    memset (br, 0, sizeof *br);
    snprintf (br->dir, sizeof br->dir, "%s/%s", b->work, name);
    bench_rmtree (br->dir);
    bench_mkdirs (br->dir);
    snprintf (br->data, sizeof br->data, "%s/data", br->dir);
    snprintf (br->log, sizeof br->log, "%s/broker.log", br->dir);
    snprintf (br->config, sizeof br->config, "%s", config);
    snprintf (br->clock, sizeof br->clock, "real");
    snprintf (br->req, sizeof br->req, "tcp://127.0.0.1:%d", bench_free_port ());
    snprintf (br->pub, sizeof br->pub, "tcp://127.0.0.1:%d", bench_free_port ());
}

int
bench_broker_start (bench_broker_t *br, const bench_t *b, int64_t *ready_ns)
{
    char prog[600];
    snprintf (prog, sizeof prog, "%s/onewindow-broker", b->bin);
    char *argv[16] = {prog,    "--config", br->config, "--data",  br->data,  "--bind",
                      br->req, "--pub",    br->pub,    "--clock", br->clock, "--insecure"};
    int argc = 12;
    if (br->notify[0]) {
        argv[argc++] = "--notify-log";
        argv[argc++] = br->notify;
    }
    argv[argc] = NULL;
    //  The probe is connected first, with a short reconnect interval, so that the time to
    //  the first reply is the broker's start-up and not the client's back-off.
    void *zctx = zmq_ctx_new ();
    void *probe = zmq_socket (zctx, ZMQ_DEALER);
    int ivl = 2, zero = 0;
    zmq_setsockopt (probe, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt (probe, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect (probe, br->req);
    int64_t t0 = bench_now_ns ();
    br->pid = bench_spawn (argv, br->log);
    int rc = -1;
    if (br->pid > 0) {
        proto_wire_send_request (probe, "hall.info", "probe-1", "{}", 2, 0);
        for (int i = 0; i < 600 && rc != 0; i++) {
            zmq_pollitem_t item = {probe, 0, ZMQ_POLLIN, 0};
            if (zmq_poll (&item, 1, 100) > 0) {
                int64_t t1 = bench_now_ns ();
                proto_wire_reply_t reply; //  any answer means the broker is up
                proto_wire_recv_reply (probe, 0, &reply);
                proto_wire_reply_close (&reply);
                if (ready_ns)
                    *ready_ns = t1 - t0;
                rc = 0;
            } else if (waitpid (br->pid, NULL, WNOHANG) == br->pid) {
                br->pid = 0;
                break;
            }
        }
    }
    zmq_close (probe);
    zmq_ctx_term (zctx);
    if (rc != 0) {
        fprintf (stderr, "bench: the broker in %s did not start; its log:\n", br->dir);
        char cmd[800];
        snprintf (cmd, sizeof cmd, "tail -20 '%s' >&2", br->log);
        if (system (cmd) != 0)
            fprintf (stderr, "(no log)\n");
        if (br->pid > 0)
            bench_stop (br->pid, SIGKILL);
        br->pid = 0;
    }
    return rc;
}

void
bench_broker_stop (bench_broker_t *br)
{
    if (br->pid > 0)
        bench_stop (br->pid, SIGTERM);
    br->pid = 0;
}

void
bench_broker_cleanup (bench_broker_t *br)
{
    bench_broker_stop (br);
    if (br->dir[0] && !getenv ("OW_BENCH_KEEP"))
        bench_rmtree (br->dir);
}

int
bench_hall_config (const bench_t *b, const char *path, int counters)
{
    char example[700], cal[700], real[PATH_MAX];
    snprintf (example, sizeof example, "%s/etc/hall.example.json", b->src);
    snprintf (cal, sizeof cal, "%s/etc/calendar", b->src);
    json_t *hall = json_load_file (example, 0, NULL);
    if (!hall || !realpath (cal, real)) {
        fprintf (stderr, "bench: cannot read %s or %s\n", example, cal);
        json_decref (hall);
        return -1;
    }
    json_object_set_new (json_object_get (hall, "cases"), "calendar", json_string (real));
    json_t *list = json_object_get (hall, "counters");
    json_t *all = json_array ();
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (hall, "services"), i, s)
        json_array_append (all, json_object_get (s, "prefix"));
    for (int id = (int)json_array_size (list) + 1; id <= counters; id++) {
        char name[64];
        snprintf (name, sizeof name, "%d号窗口 综合受理", id);
        json_array_append_new (
            list, json_pack ("{s:i, s:s, s:O}", "id", id, "name", name, "services", all));
    }
    json_decref (all);
    int rc = json_dump_file (hall, path, JSON_INDENT (1));
    json_decref (hall);
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Clients

void *
bench_zctx (void)
{
    void *zctx = zmq_ctx_new ();
    if (zctx)
        zmq_ctx_set (zctx, ZMQ_MAX_SOCKETS, 4096);
    return zctx;
}

int
bench_client_open (bench_client_t *c, void *zctx, const char *endpoint, int index)
{
    if (c->sock)
        zmq_close (c->sock);
    c->sock = zmq_socket (zctx, ZMQ_DEALER);
    if (!c->sock)
        return -1;
    c->index = index;
    if (!c->nonce)
        c->nonce = (uint64_t)bench_now_ns ();
    int zero = 0, ivl = 10;
    zmq_setsockopt (c->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (c->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    return zmq_connect (c->sock, endpoint);
}

void
bench_client_close (bench_client_t *c)
{
    if (c->sock)
        zmq_close (c->sock);
    c->sock = NULL;
    free (c->body);
    c->body = NULL;
    c->body_cap = 0;
    bench_samples_free (&c->lat);
}

//  Keeps a copy of the reply body, NUL-terminated, in the client's buffer.
static void
s_keep_body (bench_client_t *c, const char *body, size_t size)
{
    if (size + 1 > c->body_cap) {
        char *nb = realloc (c->body, size + 1);
        if (!nb)
            return;
        c->body = nb;
        c->body_cap = size + 1;
    }
    memcpy (c->body, body, size);
    c->body[size] = 0;
}

int
bench_client_call (bench_client_t *c, const char *command, const char *body, int timeout_ms)
{
    char id[64];
    snprintf (id, sizeof id, "%llx-%d-%llu", (unsigned long long)c->nonce, c->index,
              (unsigned long long)++c->seq);
    if (proto_wire_send_request (c->sock, command, id, body, strlen (body), 0) != 0) {
        snprintf (c->status, sizeof c->status, "send_failed");
        return -1;
    }
    int64_t deadline = bench_now_ns () + (int64_t)timeout_ms * 1000000;
    for (;;) {
        int64_t left = (deadline - bench_now_ns ()) / 1000000;
        zmq_pollitem_t item = {c->sock, 0, ZMQ_POLLIN, 0};
        if (left <= 0 || zmq_poll (&item, 1, (long)left) <= 0)
            break;
        proto_wire_reply_t reply;
        bool ours = proto_wire_recv_reply (c->sock, 0, &reply) == PROTO_WIRE_OK &&
                    strcmp (reply.request_id, id) == 0;
        if (ours) {
            snprintf (c->status, sizeof c->status, "%.*s", (int)sizeof c->status - 1, reply.code);
            s_keep_body (c, reply.body, reply.body_size);
        }
        proto_wire_reply_close (&reply);
        if (ours)
            return 0;
    }
    snprintf (c->status, sizeof c->status, "timeout");
    return -1;
}

int
bench_client_ok (bench_client_t *c, const char *command, const char *body)
{
    if (bench_client_call (c, command, body, 30000) == 0 && strcmp (c->status, "ok") == 0)
        return 0;
    fprintf (stderr, "bench: %s %s -> %s %s\n", command, body, c->status,
             strcmp (c->status, "timeout") ? (c->body ? c->body : "") : "");
    return -1;
}

int
bench_reply_str (const bench_client_t *c, const char *key, char *out, size_t size)
{
    char pat[80];
    snprintf (pat, sizeof pat, "\"%s\":\"", key);
    const char *p = c->body ? strstr (c->body, pat) : NULL;
    if (!p)
        return -1;
    p += strlen (pat);
    const char *q = strchr (p, '"');
    if (!q || (size_t)(q - p) >= size)
        return -1;
    memcpy (out, p, (size_t)(q - p));
    out[q - p] = 0;
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  The load runner

typedef struct {
    bench_load_t *load;
    void *zctx;
    bench_client_t c;
    pthread_t thread;
    atomic_int *ready;
    bool failed;
} s_worker_t;

static void *
s_worker (void *arg)
{
    s_worker_t *w = arg;
    bench_load_t *load = w->load;
    void *state = NULL;
    if (bench_client_open (&w->c, w->zctx, load->endpoint, w->c.index) != 0)
        w->failed = true;
    else if (load->state_new && !(state = load->state_new (load, &w->c)))
        w->failed = true;
    atomic_fetch_add (w->ready, 1);
    while (!w->failed && !atomic_load (&load->stop))
        if (load->step (load, &w->c, state) < 0)
            w->failed = true;
    if (state && load->state_free)
        load->state_free (state);
    if (w->c.sock)
        zmq_close (w->c.sock);
    w->c.sock = NULL;
    return NULL;
}

int
bench_load_run (bench_load_t *load)
{
    int n = load->clients;
    s_worker_t *w = calloc ((size_t)n, sizeof *w);
    void *zctx = bench_zctx ();
    if (!w || !zctx) {
        free (w);
        return -1;
    }
    atomic_int ready = 0;
    atomic_store (&load->measuring, 0);
    atomic_store (&load->stop, 0);
    int started = 0;
    for (int i = 0; i < n; i++) {
        w[i].load = load;
        w[i].zctx = zctx;
        w[i].ready = &ready;
        w[i].c.index = i;
        if (pthread_create (&w[i].thread, NULL, s_worker, &w[i]) != 0)
            break;
        started++;
    }
    while (atomic_load (&ready) < started)
        bench_sleep_ms (1);
    bench_sleep_ms (load->warmup_s * 1000);
    double cpu0 = load->watch > 0 ? bench_cpu_s (load->watch) : -1;
    int64_t t0 = bench_now_ns ();
    atomic_store (&load->measuring, 1);
    bench_sleep_ms (load->seconds * 1000);
    atomic_store (&load->measuring, 0);
    int64_t t1 = bench_now_ns ();
    double cpu1 = load->watch > 0 ? bench_cpu_s (load->watch) : -1;
    load->watch_cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
    atomic_store (&load->stop, 1);
    load->window_ns = t1 - t0;
    load->ops = load->errors = load->failed = 0;
    bench_samples_free (&load->lat);
    for (int i = 0; i < started; i++) {
        pthread_join (w[i].thread, NULL);
        load->ops += w[i].c.ops;
        load->errors += w[i].c.errors;
        load->failed += w[i].failed;
        bench_samples_append (&load->lat, &w[i].c.lat);
        bench_client_close (&w[i].c);
    }
    zmq_ctx_term (zctx);
    free (w);
    return started == n && load->failed == 0 ? 0 : -1;
}

void
bench_load_record (bench_load_t *load, bench_client_t *c, int64_t start_ns, bool ok)
{
    if (!atomic_load (&load->measuring))
        return;
    c->ops++;
    if (!ok)
        c->errors++;
    bench_samples_add (&c->lat, bench_now_ns () - start_ns);
}

int
bench_load_call (bench_load_t *load, bench_client_t *c, const char *command, const char *body)
{
    int64_t t0 = bench_now_ns ();
    if (bench_client_call (c, command, body, 10000) != 0) {
        fprintf (stderr, "bench: client %d: %s timed out\n", c->index, command);
        return -1;
    }
    bench_load_record (load, c, t0, strcmp (c->status, "ok") == 0);
    return 0;
}

void
bench_id_number (unsigned long n, char out[19])
{
    unsigned year = 1950 + (unsigned)(n % 50), month = 1 + (unsigned)(n / 50 % 12);
    unsigned day = 1 + (unsigned)(n / 600 % 28), seq = (unsigned)(n / 16800 % 1000);
    char buf[24];
    snprintf (buf, sizeof buf, "110105%04u%02u%02u%03u", year % 10000, month % 100, day % 100,
              seq % 1000);
    buf[17] = broker_idcheck_id_check_char (buf);
    buf[18] = 0;
    memcpy (out, buf, 19);
}
