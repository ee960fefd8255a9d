/*  sim_day.c — `onewindow-sim`: a discrete-event simulation of the hall whose clock is the
    broker's own simulated clock (docs/SIMULATOR.md).

      onewindow sim day [--config FILE] [--seed N] [--json] [--csv FILE] [--keep DIR]
                        [--hours H] [--load F] [--date YYYYMMDD]
      onewindow sim erlang [--json] [--quick] [--customers N] [--seed N]
      onewindow sim staffing --target P/M [--weeks N] [--max-counters N] [--json]

    `day` and `erlang` start a private broker (a temp dir on /dev/shm when it exists, ipc://
    endpoints, --insecure, --clock sim:START) and drive it: every citizen, kiosk and counter
    is a scheduled event; between events the simulator moves the broker's clock with
    clock.advance to the next event's time, so nothing ever sleeps and a day takes seconds.
    Every random draw is made from seeded streams before the broker is asked anything, so
    the same seed sends the same requests at the same simulated times and the output is
    identical. `staffing` reads a running broker's journal and recommends counters per hour
    by Erlang C (sim_erlang.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto_msg.h"
#include "sim_cli.h"
#include "sim_erlang.h"

//  The only mutable global: set by SIGINT/SIGTERM so a run stops and cleans up.
static volatile sig_atomic_t s_interrupted;

static void
s_on_signal (int sig)
{
    (void)sig;
    s_interrupted = 1;
}

static double
s_wall (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

//  Unix ms of local date `ymd` (yyyymmdd) at `minutes` past midnight, UTC offset `off`.
static int64_t
s_local_ms (int ymd, int minutes, int off)
{
    struct tm tm = {0};
    tm.tm_year = ymd / 10000 - 1900;
    tm.tm_mon = ymd / 100 % 100 - 1;
    tm.tm_mday = ymd % 100;
    time_t days = timegm (&tm) / 86400;
    return ((int64_t)days * 1440 + minutes - off) * 60000;
}

//  Minutes past local midnight of Unix ms `ms`.
static int
s_local_min (int64_t ms, int off)
{
    int64_t m = ms / 60000 + off;
    return (int)(((m % 1440) + 1440) % 1440);
}

static json_t *
s_real4 (double x)
{
    return json_real (round (x * 10000) / 10000);
}

//  A string field, or "" when absent.
static const char *
s_get_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

//  An integer field, or -1 when absent or null.
static int64_t
s_get_int (const json_t *j, const char *key)
{
    json_t *v = json_object_get (j, key);
    return json_is_integer (v) ? (int64_t)json_integer_value (v) : -1;
}

static void
s_print_json (const json_t *j)
{
    char *text = json_dumps (j, JSON_INDENT (2) | JSON_REAL_PRECISION (12));
    if (text)
        printf ("%s\n", text);
    free (text);
}

//  "1h 02m", "12m 05s", "45s" (negative with a sign) into out.
static void
s_dur (double seconds, char *out, size_t size)
{
    const char *sign = seconds < 0 ? "-" : "";
    long s = lround (fabs (seconds));
    if (s >= 3600)
        snprintf (out, size, "%s%ldh %02ldm", sign, s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf (out, size, "%s%ldm %02lds", sign, s / 60, s % 60);
    else
        snprintf (out, size, "%s%lds", sign, s);
}

//  ---------------------------------------------------------------------------------------
//  The private broker

typedef struct {
    pid_t pid;     //  child process, 0 when not running
    char dir[400]; //  working directory: data/, endpoints, broker.log
    char req[512]; //  request endpoint
    char log[512]; //  broker's stdout and stderr
    bool keep;     //  leave dir in place at the end
} s_broker_t;

static int
s_rm_one (const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove (path) == 0 || errno == ENOENT ? 0 : -1;
}

//  The broker program: beside this executable, else in $OW_BIN_DIR.
static int
s_broker_path (char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr (self, '/');
        if (slash) {
            *slash = 0;
            snprintf (out, size, "%s/onewindow-broker", self);
            if (access (out, X_OK) == 0)
                return 0;
        }
    }
    const char *bin = getenv ("OW_BIN_DIR");
    if (bin && *bin) {
        snprintf (out, size, "%s/onewindow-broker", bin);
        if (access (out, X_OK) == 0)
            return 0;
    }
    fprintf (stderr, "onewindow sim: cannot find onewindow-broker beside this program or in "
                     "$OW_BIN_DIR; build it with 'make'\n");
    return -1;
}

//  A file beside the program's tree: ../etc/NAME, ../share/onewindow/NAME, $OW_SRC_DIR/etc.
static int
s_find_etc (const char *name, char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr (self, '/');
        if (slash) {
            *slash = 0;
            const char *tries[] = {"%s/../etc/%s", "%s/../../../etc/%s",
                                   "%s/../share/onewindow/%s"};
            for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
                snprintf (out, size, tries[i], self, name);
                if (access (out, R_OK) == 0)
                    return 0;
            }
        }
    }
    const char *src = getenv ("OW_SRC_DIR");
    snprintf (out, size, "%s/etc/%s", src && *src ? src : ".", name);
    return access (out, R_OK) == 0 ? 0 : -1;
}

//  Makes the working directory: `keep` if given (created, must be empty), else a new temp
//  directory on /dev/shm (fsync there is cheap) or $TMPDIR.
static int
s_broker_dir (s_broker_t *b, const char *keep)
{
    if (keep) {
        if (mkdir (keep, 0755) != 0 && errno != EEXIST) {
            fprintf (stderr, "onewindow sim: cannot create %s: %s\n", keep, strerror (errno));
            return -1;
        }
        char probe[512];
        snprintf (probe, sizeof probe, "%s/data", keep);
        if (access (probe, F_OK) == 0) {
            fprintf (stderr, "onewindow sim: %s holds a store already; give a new directory\n",
                     keep);
            return -1;
        }
        char *real = realpath (keep, NULL);
        snprintf (b->dir, sizeof b->dir, "%s", real ? real : keep);
        free (real);
        b->keep = true;
        return 0;
    }
    const char *base = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv ("TMPDIR");
    snprintf (b->dir, sizeof b->dir, "%s/owsim.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp (b->dir)) {
        fprintf (stderr, "onewindow sim: cannot make a temp directory: %s\n", strerror (errno));
        return -1;
    }
    return 0;
}

//  Starts the broker on `config` with a simulated clock at `start_ms`.
static int
s_broker_start (s_broker_t *b, const char *config, int64_t start_ms)
{
    char prog[PATH_MAX + 32];
    if (s_broker_path (prog, sizeof prog) != 0)
        return -1;
    if (strlen (b->dir) > 90) {
        fprintf (stderr,
                 "onewindow sim: the directory path %s is too long for an ipc:// "
                 "endpoint; use a shorter one\n",
                 b->dir);
        return -1;
    }
    char data[512], pub[512], clock_arg[64], cfg[PATH_MAX];
    snprintf (data, sizeof data, "%s/data", b->dir);
    snprintf (b->req, sizeof b->req, "ipc://%s/req", b->dir);
    snprintf (pub, sizeof pub, "ipc://%s/pub", b->dir);
    snprintf (b->log, sizeof b->log, "%s/broker.log", b->dir);
    snprintf (clock_arg, sizeof clock_arg, "sim:%lld", (long long)start_ms);
    if (!realpath (config, cfg)) {
        fprintf (stderr, "onewindow sim: cannot read %s: %s\n", config, strerror (errno));
        return -1;
    }
    fflush (stdout);
    fflush (stderr);
    pid_t pid = fork ();
    if (pid < 0) {
        fprintf (stderr, "onewindow sim: cannot fork: %s\n", strerror (errno));
        return -1;
    }
    if (pid == 0) {
        //  The broker dies with the simulator, whatever ends it.
        prctl (PR_SET_PDEATHSIG, SIGTERM);
        int fd = open (b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
            close (fd);
        }
        char *argv[] = {prog,    "--config", cfg,       "--data",  data,         "--bind", b->req,
                        "--pub", pub,        "--clock", clock_arg, "--insecure", NULL};
        execv (prog, argv);
        fprintf (stderr, "cannot exec %s: %s\n", prog, strerror (errno));
        _exit (127);
    }
    b->pid = pid;
    return 0;
}

static bool
s_broker_alive (s_broker_t *b)
{
    if (b->pid <= 0)
        return false;
    int st;
    if (waitpid (b->pid, &st, WNOHANG) == b->pid) {
        b->pid = 0;
        return false;
    }
    return true;
}

static void
s_broker_show_log (const s_broker_t *b)
{
    FILE *f = fopen (b->log, "r");
    if (!f)
        return;
    fprintf (stderr, "--- %s ---\n", b->log);
    char line[1024];
    while (fgets (line, sizeof line, f))
        fputs (line, stderr);
    fclose (f);
}

//  Stops the broker (SIGTERM, then waits) and removes the directory unless kept.
static void
s_broker_stop (s_broker_t *b)
{
    if (b->pid > 0) {
        kill (b->pid, SIGTERM);
        int st;
        waitpid (b->pid, &st, 0);
        b->pid = 0;
    }
    if (b->dir[0] && !b->keep)
        nftw (b->dir, s_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    b->dir[0] = 0;
}

//  ---------------------------------------------------------------------------------------
//  A pipelined client for the private broker

//  What a request was for, handed back with its reply.
typedef struct {
    int kind; //  caller's request kind
    long who; //  caller's subject (a customer, a counter)
} s_tag_t;

typedef void (s_reply_fn) (void *arg, s_tag_t tag, int status, json_t *body);

//  One DEALER socket with up to `window` requests in flight; the broker answers in order,
//  so a batch of them costs one commit. Only for the simulator's own broker on ipc://.
typedef struct {
    void *ctx;             //  ZeroMQ context
    void *sock;            //  DEALER
    s_broker_t *broker;    //  to notice that it died
    unsigned long next_id; //  request ids: "sim.PID.N"
    unsigned long *ids;    //  ids in flight, oldest first (ring)
    s_tag_t *tags;         //  their tags
    size_t head, count, window;
    s_reply_fn *fn; //  called for each reply of a pipelined request
    void *arg;      //  its argument
    long requests;  //  requests sent
    int timeout_s;  //  longest wait for one reply
} s_pipe_t;

static void
s_pipe_destroy (s_pipe_t **p_p)
{
    s_pipe_t *p = *p_p;
    if (!p)
        return;
    if (p->sock)
        zmq_close (p->sock);
    if (p->ctx)
        zmq_ctx_term (p->ctx);
    free (p->ids);
    free (p->tags);
    free (p);
    *p_p = NULL;
}

static s_pipe_t *
s_pipe_new (s_broker_t *b, size_t window)
{
    s_pipe_t *p = calloc (1, sizeof *p);
    if (!p)
        return NULL;
    p->broker = b;
    p->window = window;
    p->timeout_s = 120;
    p->ids = calloc (window, sizeof *p->ids);
    p->tags = calloc (window, sizeof *p->tags);
    p->ctx = zmq_ctx_new ();
    p->sock = p->ctx ? zmq_socket (p->ctx, ZMQ_DEALER) : NULL;
    if (!p->ids || !p->tags || !p->sock) {
        s_pipe_destroy (&p);
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt (p->sock, ZMQ_LINGER, &zero, sizeof zero);
    int64_t max = (int64_t)256 << 20;
    zmq_setsockopt (p->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    int hwm = 0;
    zmq_setsockopt (p->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (p->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_connect (p->sock, b->req) != 0) {
        fprintf (stderr, "onewindow sim: cannot connect to %s: %s\n", b->req, zmq_strerror (errno));
        s_pipe_destroy (&p);
    }
    return p;
}

//  Receives the oldest reply in flight: *status is 0 (ok), a proto_err_t code, or -1 when
//  the broker is gone or does not answer; *body is the reply (caller owns) or NULL.
static int
s_pipe_recv (s_pipe_t *p, int *status, json_t **body, s_tag_t *tag)
{
    *status = -1;
    *body = NULL;
    if (p->count == 0)
        return -1;
    *tag = p->tags[p->head];
    unsigned long id = p->ids[p->head];
    p->head = (p->head + 1) % p->window;
    p->count--;
    zmq_pollitem_t item = {p->sock, 0, ZMQ_POLLIN, 0};
    for (int waited = 0;;) {
        if (s_interrupted)
            return -1;
        int rc = zmq_poll (&item, 1, 500);
        if (rc > 0)
            break;
        if (rc < 0 && errno != EINTR)
            return -1;
        waited += 500;
        if (!s_broker_alive (p->broker) || waited > p->timeout_s * 1000) {
            fprintf (stderr, "onewindow sim: the broker %s\n",
                     p->broker->pid ? "does not answer" : "stopped");
            return -1;
        }
    }
    zmq_msg_t frames[4];
    int count = 0, more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, p->sock, 0) < 0) {
            zmq_msg_close (&part);
            for (int i = 0; i < count && i < 4; i++)
                zmq_msg_close (&frames[i]);
            return -1;
        }
        more = zmq_msg_more (&part);
        if (count < 4)
            frames[count] = part;
        else
            zmq_msg_close (&part);
        count++;
    }
    int rc = -1;
    if (count == 4) {
        char sid[32], code[64];
        snprintf (sid, sizeof sid, "sim.%d.%lu", (int)getpid (), id);
        size_t clen = zmq_msg_size (&frames[1]);
        snprintf (code, sizeof code, "%.*s", (int)(clen < 63 ? clen : 63),
                  (const char *)zmq_msg_data (&frames[1]));
        if (zmq_msg_size (&frames[2]) == strlen (sid) &&
            memcmp (zmq_msg_data (&frames[2]), sid, strlen (sid)) == 0) {
            *body = json_loadb (zmq_msg_data (&frames[3]), zmq_msg_size (&frames[3]), 0, NULL);
            int err = proto_err_lookup (code);
            *status = err < 0 ? PROTO_ERR_INTERNAL : err;
            rc = 0;
        } else
            fprintf (stderr, "onewindow sim: a reply out of order (%s)\n", code);
    }
    for (int i = 0; i < count && i < 4; i++)
        zmq_msg_close (&frames[i]);
    return rc;
}

//  Receives every reply in flight, each through the pipe's reply function. 0 / -1.
static int
s_pipe_drain (s_pipe_t *p)
{
    while (p->count) {
        int status;
        json_t *body;
        s_tag_t tag;
        if (s_pipe_recv (p, &status, &body, &tag) != 0)
            return -1;
        if (p->fn)
            p->fn (p->arg, tag, status, body);
        json_decref (body);
    }
    return 0;
}

//  Sends `command` with `body` (taken). When the window is full, first takes the oldest
//  reply through the reply function. 0 / -1.
static int
s_pipe_send (s_pipe_t *p, const char *command, json_t *body, s_tag_t tag)
{
    if (p->count == p->window) {
        int status;
        json_t *reply;
        s_tag_t old;
        if (s_pipe_recv (p, &status, &reply, &old) != 0) {
            json_decref (body);
            return -1;
        }
        if (p->fn)
            p->fn (p->arg, old, status, reply);
        json_decref (reply);
    }
    if (!body)
        body = json_object ();
    char *text = proto_json_dump (body);
    json_decref (body);
    if (!text)
        return -1;
    unsigned long id = ++p->next_id;
    char sid[32];
    snprintf (sid, sizeof sid, "sim.%d.%lu", (int)getpid (), id);
    int rc = 0;
    if (zmq_send (p->sock, PROTO_SIGNATURE, strlen (PROTO_SIGNATURE), ZMQ_SNDMORE) < 0 ||
        zmq_send (p->sock, command, strlen (command), ZMQ_SNDMORE) < 0 ||
        zmq_send (p->sock, sid, strlen (sid), ZMQ_SNDMORE) < 0 ||
        zmq_send (p->sock, text, strlen (text), 0) < 0)
        rc = -1;
    free (text);
    if (rc == 0) {
        size_t slot = (p->head + p->count) % p->window;
        p->ids[slot] = id;
        p->tags[slot] = tag;
        p->count++;
        p->requests++;
    }
    return rc;
}

//  One request and its reply, after everything in flight: the status (0 ok, an error
//  code, -1 transport) with *reply the body (caller owns; NULL to discard).
static int
s_pipe_call (s_pipe_t *p, const char *command, json_t *body, json_t **reply)
{
    if (reply)
        *reply = NULL;
    if (s_pipe_drain (p) != 0) {
        json_decref (body);
        return -1;
    }
    s_tag_t tag = {0, 0};
    if (s_pipe_send (p, command, body, tag) != 0)
        return -1;
    int status;
    json_t *r;
    if (s_pipe_recv (p, &status, &r, &tag) != 0)
        return -1;
    if (reply)
        *reply = r;
    else
        json_decref (r);
    return status;
}

//  Waits until the new broker answers hall.info; returns the reply (caller owns) or NULL.
static json_t *
s_broker_ready (s_broker_t *b, s_pipe_t *p)
{
    int saved = p->timeout_s;
    p->timeout_s = 60; //  slow machines and sanitizer builds
    json_t *info = NULL;
    int rc = s_pipe_call (p, "hall.info", NULL, &info);
    p->timeout_s = saved;
    if (rc != 0) {
        json_decref (info);
        fprintf (stderr, "onewindow sim: the broker did not start\n");
        s_broker_show_log (b);
        return NULL;
    }
    return info;
}

//  Moves the broker's clock from *now to `to` (nothing when not later). Pipelined.
static int
s_advance (s_pipe_t *p, int64_t *now, int64_t to, s_tag_t tag)
{
    if (to <= *now)
        return 0;
    int rc =
        s_pipe_send (p, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)(to - *now)), tag);
    *now = to;
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Events: a binary heap ordered by time, then by the order they were scheduled

typedef struct {
    int64_t at;   //  Unix ms on the broker's clock
    uint64_t seq; //  scheduling order, breaks ties
    int kind;     //  what happens
    long who;     //  to whom (citizen, counter)
} s_event_t;

typedef struct {
    s_event_t *v;
    size_t n, cap;
    uint64_t seq;
    bool failed; //  out of memory: an event was lost
} s_heap_t;

static bool
s_before (const s_event_t *a, const s_event_t *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static int
s_heap_push (s_heap_t *h, int64_t at, int kind, long who)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        s_event_t *v = realloc (h->v, cap * sizeof *v);
        if (!v) {
            h->failed = true;
            return -1;
        }
        h->v = v;
        h->cap = cap;
    }
    s_event_t e = {at, h->seq++, kind, who};
    size_t i = h->n++;
    while (i > 0 && s_before (&e, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = e;
    return 0;
}

static s_event_t
s_heap_pop (s_heap_t *h)
{
    s_event_t top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && s_before (&h->v[c + 1], &h->v[c]))
            c++;
        if (!s_before (&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

//  =======================================================================================
//  sim day

//  Walk-in arrivals by time of day, as a multiple of the hall's service capacity (every
//  counter busy with the day's service mix): the morning peak near capacity (appointments
//  come on top), lunch well below, the afternoon in between. The kiosk opens at 08:30 and
//  stops at 16:30 (docs/SIMULATOR.md has the numbers for the example hall).
static const struct {
    int from, to; //  local minutes
    double load;  //  arrivals per hour ÷ the hall's capacity per hour
} s_profile[] = {
    {8 * 60 + 30, 9 * 60, 0.45}, {9 * 60, 10 * 60, 0.90},  {10 * 60, 11 * 60, 0.90},
    {11 * 60, 12 * 60, 0.50},    {12 * 60, 13 * 60, 0.25}, {13 * 60, 14 * 60, 0.40},
    {14 * 60, 15 * 60, 0.65},    {15 * 60, 16 * 60, 0.60}, {16 * 60, 16 * 60 + 30, 0.40},
};

//  The service mix and the share of each service's demand that books an appointment, by
//  prefix (the example hall); other prefixes get the `*` row.
static const struct {
    const char *prefix;
    double mix;    //  share of walk-ins
    double booked; //  appointments per walk-in of the service
} s_mix[] = {
    {"A", 0.18, 0.25}, {"B", 0.31, 0.05}, {"C", 0.09, 0.30}, {"D", 0.10, 0.10},
    {"E", 0.12, 0.30}, {"F", 0.03, 0.20}, {"G", 0.17, 0.05}, {"*", 0.10, 0.10},
};

#define SIM_START_MIN     (8 * 60 + 30)  //  the simulation (and the kiosk) start at 08:30
#define SIM_OPEN_MIN      (9 * 60)       //  counters log in at 09:00
#define SIM_CLOSE_MIN     (17 * 60)      //  the hall closes at 17:00 (queue is served out)
#define SIM_LAST_MIN      (16 * 60 + 30) //  the kiosk stops at 16:30
#define SIM_LUNCH_MIN     (11 * 60 + 30) //  first lunch group; the second an hour later
#define SIM_LUNCH_LEN     60             //  minutes
#define SIM_SIGMA         0.6            //  lognormal sigma of service times (CV 0.66)
#define SIM_GREEN         0.03           //  share of walk-ins on the green channel
#define SIM_ELDERLY       0.05           //  share of walk-ins that are elderly
#define SIM_WALKUP_MIN_S  20.0           //  walking to the counter: 20 s + Exp (25 s)
#define SIM_WALKUP_EXP_S  25.0
#define SIM_GONE_BASE     0.02   //  P(citizen gone when called) = 0.02 + 0.10 ×
#define SIM_GONE_SLOPE    0.10   //    min (1, wait / 1 h)
#define SIM_RECALL_S      60     //  a counter recalls after 60 s and marks missed
#define SIM_MISS_S        120    //    after 120 s
#define SIM_APPT_NO_SHOW  0.10   //  bookings never checked in
#define SIM_APPT_MEAN_MIN (-8.0) //  check-in vs slot start: N (-8 min, 12 min)
#define SIM_APPT_SD_MIN   12.0
#define SIM_OVER_WAIT_MIN 30 //  over-wait threshold for over_wait_rate

enum { CIT_WAITING = 1, CIT_CALLED, CIT_SERVING, CIT_DONE, CIT_MISSED };
enum { CTR_OFF, CTR_IDLE, CTR_CALLED, CTR_SERVING, CTR_PAUSED, CTR_CLOSED };
enum {
    EV_ARRIVE = 1, //  a walk-in takes a ticket, or a booking checks in
    EV_OPEN,       //  a counter logs in
    EV_LUNCH,      //  a counter's lunch is due (taken when it is next idle)
    EV_RESUME,     //  back from lunch
    EV_CLOSE,      //  a counter's closing time (early: when idle; else when drained)
    EV_WALKUP,     //  the called citizen reaches the counter
    EV_RECALL,     //  the called citizen is not there: call again
    EV_NOSHOW,     //  ... still not there: missed
    EV_FINISH,     //  service ends
};

typedef struct {
    int svc;          //  service index
    const char *prio; //  requested priority: "normal", "green", "elderly"
    bool appt;        //  a booking's check-in, not a walk-in
    char code[64];    //  the booking's code
    char slot[16];    //  the booked slot
    int64_t arrive;   //  when they reach the kiosk
    double service_s; //  how long their business takes at the counter
    double walkup_s;  //  how long they take to reach the counter
    double gone_u;    //  uniform draw: gone when called if below P(gone | wait)
    //  What the broker said.
    long id;                                   //  ticket id, 0 until issued
    char number[16];                           //  ticket number
    char priority[16];                         //  priority of the ticket as issued
    int64_t issued, called, started, finished; //  Unix ms, 0 when not (yet)
    int64_t est, naive;                        //  estimates at issue (s), -1 when null
    int state;                                 //  CIT_*
    bool gone;                                 //  left before being called
    bool missed;                               //  marked missed at least once
    int counter;                               //  counter of the first call
} s_cit_t;

typedef struct {
    int id;                     //  window number
    uint32_t services;          //  bit i: serves service i
    int state;                  //  CTR_*
    long cit;                   //  citizen at the counter, -1
    int64_t since;              //  when the current state began (for utilisation)
    int64_t idle_since;         //  when it last became idle (longest-idle calls first)
    int64_t open_ms, busy_ms;   //  logged in and not paused; calling or serving
    bool lunch_due, lunch_done; //  lunch time has come; lunch taken
    int lunch_from, lunch_len;  //  the hall's scheduled break (local minutes; len 0: none
                                //  configured, the simulator's staggered default)
    bool close_due, early;      //  closing time has come; closes before the others
} s_ctr_t;

typedef struct {
    s_pipe_t *pipe;
    int64_t now, start, open, last_arrival, close;
    int date, off;
    s_heap_t heap;
    int nsvc;
    char prefix[32][4];
    double mean_s[32];
    int waiting[32]; //  our mirror of the waiting tickets per service
    s_cit_t *cit;
    long ncit, capcit;
    long *by_id; //  ticket id -> citizen
    long nby_id;
    s_ctr_t *ctr;
    int nctr;
    long pending; //  arrivals still to come
    long booked, booking_refused, appt_no_show, appt_in_window, appt_outside;
    long unexpected;
} s_day_t;

static s_cit_t *
s_cit_new (s_day_t *d)
{
    if (d->ncit == d->capcit) {
        long cap = d->capcit ? 2 * d->capcit : 512;
        s_cit_t *v = realloc (d->cit, (size_t)cap * sizeof *v);
        if (!v)
            return NULL;
        d->cit = v;
        d->capcit = cap;
    }
    s_cit_t *c = &d->cit[d->ncit++];
    memset (c, 0, sizeof *c);
    c->est = c->naive = -1;
    return c;
}

static int
s_map_id (s_day_t *d, long id, long cit)
{
    if (id <= 0)
        return -1;
    if (id >= d->nby_id) {
        long n = id * 2 + 64;
        long *v = realloc (d->by_id, (size_t)n * sizeof *v);
        if (!v)
            return -1;
        for (long i = d->nby_id; i < n; i++)
            v[i] = -1;
        d->by_id = v;
        d->nby_id = n;
    }
    d->by_id[id] = cit;
    return 0;
}

static long
s_cit_of (const s_day_t *d, const json_t *ticket)
{
    int64_t id = s_get_int (ticket, "id");
    return id > 0 && id < d->nby_id ? d->by_id[id] : -1;
}

static void
s_unexpected (s_day_t *d, const char *what, int status, const json_t *body)
{
    d->unexpected++;
    if (d->unexpected <= 10)
        fprintf (stderr, "onewindow sim: %s at %lld: %s (%s)\n", what, (long long)d->now,
                 status > 0 ? proto_err_code ((proto_err_t)status) : "no reply",
                 s_get_str (body, "message"));
}

//  A day-simulation request: synchronous, and -1 only when the broker is gone.
static int
s_req (s_day_t *d, const char *command, json_t *body, json_t **reply)
{
    int status = s_pipe_call (d->pipe, command, body, reply);
    return status < 0 ? -1 : status;
}

static int
s_goto (s_day_t *d, int64_t t)
{
    if (t <= d->now)
        return 0;
    s_tag_t tag = {0, 0};
    if (s_advance (d->pipe, &d->now, t, tag) != 0)
        return -1;
    return s_pipe_drain (d->pipe);
}

//  Books the time the counter spent in its state, then changes it (utilisation as the
//  broker counts it: calling and serving are busy, paused is not open).
static void
s_ctr_state (s_day_t *d, s_ctr_t *c, int state)
{
    int64_t spent = d->now - c->since;
    if (c->state == CTR_IDLE || c->state == CTR_CALLED || c->state == CTR_SERVING)
        c->open_ms += spent;
    if (c->state == CTR_CALLED || c->state == CTR_SERVING)
        c->busy_ms += spent;
    c->state = state;
    c->since = d->now;
    if (state == CTR_IDLE)
        c->idle_since = d->now;
}

static bool
s_work_for (const s_day_t *d, const s_ctr_t *c)
{
    for (int s = 0; s < d->nsvc; s++)
        if ((c->services & (1u << s)) && d->waiting[s] > 0)
            return true;
    return false;
}

//  The counter calls its next ticket, if our mirror says anyone waits for it.
static int
s_call (s_day_t *d, s_ctr_t *c)
{
    if (c->state != CTR_IDLE || !s_work_for (d, c))
        return 0;
    json_t *r = NULL;
    int st = s_req (d, "ticket.call_next", json_pack ("{s:i}", "counter", c->id), &r);
    if (st < 0)
        return -1;
    if (st == PROTO_ERR_QUEUE_EMPTY) {
        //  Our mirror disagrees with the broker: trust the broker.
        s_unexpected (d, "call_next said queue_empty", st, r);
        json_decref (r);
        return 0;
    }
    if (st != 0) {
        s_unexpected (d, "ticket.call_next", st, r);
        json_decref (r);
        return 0;
    }
    json_t *t = json_object_get (r, "ticket");
    long ci = s_cit_of (d, t);
    if (ci < 0) {
        s_unexpected (d, "call_next named a ticket we never issued", 0, r);
        json_decref (r);
        return 0;
    }
    s_cit_t *z = &d->cit[ci];
    d->waiting[z->svc]--;
    if (!z->called) {
        z->called = s_get_int (t, "called");
        if (z->called <= 0)
            z->called = d->now;
        z->counter = c->id;
        //  Gone before being called? The longer the wait, the likelier.
        double wait_h = (z->called - z->issued) / 3600000.0;
        z->gone = z->gone_u < SIM_GONE_BASE + SIM_GONE_SLOPE * (wait_h < 1 ? wait_h : 1);
    }
    json_decref (r);
    z->state = CIT_CALLED;
    c->cit = ci;
    s_ctr_state (d, c, CTR_CALLED);
    if (z->gone) {
        s_heap_push (&d->heap, d->now + SIM_RECALL_S * 1000, EV_RECALL, c - d->ctr);
        s_heap_push (&d->heap, d->now + SIM_MISS_S * 1000, EV_NOSHOW, c - d->ctr);
    } else
        s_heap_push (&d->heap, d->now + (int64_t)llround (z->walkup_s * 1000), EV_WALKUP,
                     c - d->ctr);
    return 0;
}

//  What an idle counter does: lunch if due, close if due, else call.
static int
s_idle (s_day_t *d, s_ctr_t *c)
{
    if (c->state != CTR_IDLE)
        return 0;
    json_t *r = NULL;
    int st;
    if (c->lunch_due && !c->lunch_done) {
        c->lunch_done = true;
        st = s_req (d, "counter.pause",
                    json_pack ("{s:i, s:s}", "counter", c->id, "reason", "午休 / lunch"), &r);
        if (st < 0)
            return -1;
        if (st == 0) {
            s_ctr_state (d, c, CTR_PAUSED);
            s_heap_push (&d->heap, d->now + (int64_t)c->lunch_len * 60000, EV_RESUME, c - d->ctr);
        } else
            s_unexpected (d, "counter.pause", st, r);
        json_decref (r);
        return 0;
    }
    //  Early closers go when idle; the others serve out the line and wait for the last
    //  arrivals (a late appointment check-in).
    if (c->close_due && (c->early || (!s_work_for (d, c) && d->pending == 0))) {
        st = s_req (d, "counter.logout", json_pack ("{s:i}", "counter", c->id), &r);
        if (st < 0)
            return -1;
        if (st == 0)
            s_ctr_state (d, c, CTR_CLOSED);
        else
            s_unexpected (d, "counter.logout", st, r);
        json_decref (r);
        return 0;
    }
    return s_call (d, c);
}

//  After a ticket joins a line: idle counters call, the longest idle first.
static int
s_wake (s_day_t *d)
{
    for (;;) {
        s_ctr_t *best = NULL;
        for (int i = 0; i < d->nctr; i++) {
            s_ctr_t *c = &d->ctr[i];
            if (c->state == CTR_IDLE && s_work_for (d, c) && !(c->lunch_due && !c->lunch_done) &&
                !(c->close_due && c->early) && (!best || c->idle_since < best->idle_since))
                best = c;
        }
        if (!best)
            return 0;
        int64_t before = best->idle_since;
        if (s_call (d, best) != 0)
            return -1;
        if (best->state == CTR_IDLE && best->idle_since == before)
            return 0; //  refused: do not loop
    }
}

//  A ticket reply (ticket.issue or appointment.checkin) for citizen `ci`.
static void
s_issued (s_day_t *d, long ci, const json_t *r)
{
    s_cit_t *z = &d->cit[ci];
    const json_t *t =
        json_is_object (json_object_get (r, "ticket")) ? json_object_get (r, "ticket") : r;
    z->id = (long)s_get_int (t, "id");
    snprintf (z->number, sizeof z->number, "%s", s_get_str (t, "number"));
    snprintf (z->priority, sizeof z->priority, "%s", s_get_str (t, "priority"));
    z->issued = s_get_int (t, "issued");
    if (z->issued <= 0)
        z->issued = d->now;
    //  The estimates may sit beside the ticket or in it; absent counts as null.
    z->est = s_get_int (r, "est_wait_s");
    if (z->est < 0)
        z->est = s_get_int (t, "est_wait_s");
    z->naive = s_get_int (r, "naive_wait_s");
    if (z->naive < 0)
        z->naive = s_get_int (t, "naive_wait_s");
    z->state = CIT_WAITING;
    d->waiting[z->svc]++;
    s_map_id (d, z->id, ci);
    if (z->appt) {
        json_t *w = json_object_get (r, "in_window");
        if (json_is_true (w) || strcmp (z->priority, "appointment") == 0)
            d->appt_in_window++;
        else
            d->appt_outside++;
    }
}

static int
s_on_event (s_day_t *d, const s_event_t *e)
{
    json_t *r = NULL;
    int st = 0;
    if (e->kind == EV_ARRIVE) {
        s_cit_t *z = &d->cit[e->who];
        d->pending--;
        if (z->appt)
            st = s_req (d, "appointment.checkin", json_pack ("{s:s}", "code", z->code), &r);
        else if (strcmp (z->prio, "normal") == 0)
            st = s_req (d, "ticket.issue", json_pack ("{s:s}", "service", d->prefix[z->svc]), &r);
        else
            st = s_req (d, "ticket.issue",
                        json_pack ("{s:s, s:s}", "service", d->prefix[z->svc], "priority", z->prio),
                        &r);
        if (st < 0)
            return -1;
        if (st == 0)
            s_issued (d, e->who, r);
        else
            s_unexpected (d, z->appt ? "appointment.checkin" : "ticket.issue", st, r);
        json_decref (r);
        return s_wake (d);
    }
    s_ctr_t *c = &d->ctr[e->who];
    if ((e->kind == EV_WALKUP || e->kind == EV_NOSHOW || e->kind == EV_FINISH) && c->cit < 0) {
        s_unexpected (d, "a counter event without its citizen", 0, NULL);
        return 0;
    }
    switch (e->kind) {
    case EV_OPEN:
        st = s_req (d, "counter.login", json_pack ("{s:i}", "counter", c->id), &r);
        if (st == 0) {
            c->since = d->now;
            c->state = CTR_IDLE;
            c->idle_since = d->now;
        } else if (st > 0)
            s_unexpected (d, "counter.login", st, r);
        json_decref (r);
        return st < 0 ? -1 : s_idle (d, c);
    case EV_LUNCH: c->lunch_due = true; return s_idle (d, c);
    case EV_RESUME:
        st = s_req (d, "counter.resume", json_pack ("{s:i}", "counter", c->id), &r);
        if (st == 0)
            s_ctr_state (d, c, CTR_IDLE);
        else if (st > 0)
            s_unexpected (d, "counter.resume", st, r);
        json_decref (r);
        return st < 0 ? -1 : s_idle (d, c);
    case EV_CLOSE: c->close_due = true; return s_idle (d, c);
    case EV_RECALL:
        st = s_req (d, "ticket.recall", json_pack ("{s:i}", "counter", c->id), &r);
        if (st > 0)
            s_unexpected (d, "ticket.recall", st, r);
        json_decref (r);
        return st < 0 ? -1 : 0;
    case EV_NOSHOW: {
        s_cit_t *z = &d->cit[c->cit];
        st = s_req (d, "ticket.missed", json_pack ("{s:i}", "counter", c->id), &r);
        if (st < 0)
            return -1;
        if (st == 0) {
            z->missed = true;
            const char *outcome = json_string_value (json_object_get (r, "outcome"));
            //  Rule "back" puts it in line again; the citizen is still gone.
            if (outcome && strcmp (outcome, "requeued") == 0) {
                z->state = CIT_WAITING;
                d->waiting[z->svc]++;
            } else
                z->state = CIT_MISSED;
            c->cit = -1;
            s_ctr_state (d, c, CTR_IDLE);
        } else
            s_unexpected (d, "ticket.missed", st, r);
        json_decref (r);
        if (s_idle (d, c) != 0)
            return -1;
        return s_wake (d);
    }
    case EV_WALKUP: {
        s_cit_t *z = &d->cit[c->cit];
        st = s_req (d, "ticket.start", json_pack ("{s:i}", "counter", c->id), &r);
        if (st < 0)
            return -1;
        if (st == 0) {
            z->state = CIT_SERVING;
            z->started = d->now;
            s_ctr_state (d, c, CTR_SERVING);
            s_heap_push (&d->heap, d->now + (int64_t)llround (z->service_s * 1000), EV_FINISH,
                         e->who);
        } else
            s_unexpected (d, "ticket.start", st, r);
        json_decref (r);
        return 0;
    }
    case EV_FINISH: {
        s_cit_t *z = &d->cit[c->cit];
        st = s_req (d, "ticket.finish", json_pack ("{s:i}", "counter", c->id), &r);
        if (st < 0)
            return -1;
        if (st == 0) {
            z->state = CIT_DONE;
            z->finished = d->now;
            c->cit = -1;
            s_ctr_state (d, c, CTR_IDLE);
        } else
            s_unexpected (d, "ticket.finish", st, r);
        json_decref (r);
        return s_idle (d, c);
    }
    }
    return 0;
}

//  The mix row of a prefix.
static int
s_mix_row (const char *prefix)
{
    size_t n = sizeof s_mix / sizeof s_mix[0];
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp (s_mix[i].prefix, prefix) == 0)
            return (int)i;
    return (int)n - 1;
}

//  A valid-looking resident ID number (GB 11643: region, birth date, sequence, MOD 11-2),
//  unique per `n`: bookings are one per person a day. `out` holds at least 32 bytes.
static void
s_id_number (sim_rng_t *rng, long n, char *out)
{
    unsigned year = 1950 + (unsigned)(sim_rng_uniform (rng) * 50) % 50;
    unsigned month = 1 + (unsigned)(sim_rng_uniform (rng) * 12) % 12;
    unsigned day = 1 + (unsigned)(sim_rng_uniform (rng) * 28) % 28;
    snprintf (out, 32, "120116%04u%02u%02u%03u", year, month, day, (unsigned)(n % 1000));
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

typedef struct {
    const char *config;
    uint64_t seed;
    bool json;
    const char *csv;
    const char *keep;
    double hours; //  walk-in hours from 08:30 (0: the whole day)
    double load;  //  multiplies every arrival rate
    int date;     //  yyyymmdd
} s_day_opts_t;

//  Appointment settings of the config (the broker's defaults when absent).
typedef struct {
    int slot_min, capacity;
    int periods[4];
    int nperiods;
} s_appt_cfg_t;

static void
s_read_config (const char *path, int *off, s_appt_cfg_t *a)
{
    *off = 480;
    *a = (s_appt_cfg_t){30, 4, {9 * 60, 12 * 60, 13 * 60 + 30, 17 * 60}, 2};
    json_t *root = json_load_file (path, 0, NULL);
    if (!root)
        return;
    json_t *o = json_object_get (json_object_get (root, "hall"), "utc_offset_min");
    if (json_is_integer (o))
        *off = (int)json_integer_value (o);
    json_t *appt = json_object_get (root, "appointments");
    if (json_is_integer (json_object_get (appt, "slot_minutes")))
        a->slot_min = (int)json_integer_value (json_object_get (appt, "slot_minutes"));
    if (json_is_integer (json_object_get (appt, "capacity")))
        a->capacity = (int)json_integer_value (json_object_get (appt, "capacity"));
    json_t *hours = json_object_get (appt, "hours");
    if (json_is_array (hours) && json_array_size (hours) >= 1 && json_array_size (hours) <= 2) {
        a->nperiods = 0;
        size_t i;
        json_t *h;
        json_array_foreach (hours, i, h)
        {
            int h1, m1, h2, m2;
            if (sscanf (json_string_value (h) ? json_string_value (h) : "", "%d:%d-%d:%d", &h1, &m1,
                        &h2, &m2) == 4) {
                a->periods[2 * a->nperiods] = h1 * 60 + m1;
                a->periods[2 * a->nperiods + 1] = h2 * 60 + m2;
                a->nperiods++;
            }
        }
    }
    json_decref (root);
}

//  Draws the day's walk-ins (times and everything about each citizen) from `rng`.
static int
s_gen_walkins (s_day_t *d, sim_rng_t *rng, double capacity_h, double load, double *mixw)
{
    double wsum = 0;
    for (int s = 0; s < d->nsvc; s++)
        wsum += mixw[s];
    for (size_t p = 0; p < sizeof s_profile / sizeof s_profile[0]; p++) {
        int64_t from = d->start + (int64_t)(s_profile[p].from - SIM_START_MIN) * 60000;
        int64_t to = d->start + (int64_t)(s_profile[p].to - SIM_START_MIN) * 60000;
        if (to > d->last_arrival)
            to = d->last_arrival;
        double rate_ms = s_profile[p].load * load * capacity_h / 3600000.0;
        if (rate_ms <= 0 || from >= to)
            continue;
        //  Poisson within the piece: exponential gaps, restarted at its start.
        for (double t = from + sim_rng_exp (rng, 1 / rate_ms); t < to;
             t += sim_rng_exp (rng, 1 / rate_ms)) {
            s_cit_t *z = s_cit_new (d);
            if (!z)
                return -1;
            z->arrive = (int64_t)llround (t);
            double u = sim_rng_uniform (rng) * wsum;
            z->svc = d->nsvc - 1;
            for (int s = 0; s < d->nsvc; s++) {
                if (u < mixw[s]) {
                    z->svc = s;
                    break;
                }
                u -= mixw[s];
            }
            double v = sim_rng_uniform (rng);
            z->prio = v < SIM_GREEN ? "green" : v < SIM_GREEN + SIM_ELDERLY ? "elderly" : "normal";
            z->service_s = sim_rng_lognormal (rng, d->mean_s[z->svc], SIM_SIGMA);
            z->walkup_s = SIM_WALKUP_MIN_S + sim_rng_exp (rng, SIM_WALKUP_EXP_S);
            z->gone_u = sim_rng_uniform (rng);
            s_heap_push (&d->heap, z->arrive, EV_ARRIVE, d->ncit - 1);
            d->pending++;
        }
    }
    return 0;
}

//  Books the day's appointments at the start (as citizens did in the days before) and
//  schedules their check-ins.
static int
s_gen_appointments (s_day_t *d, sim_rng_t *rng, const s_appt_cfg_t *ac, double *expected)
{
    //  The slots that start after the kiosk opens and before the walk-ins stop.
    int slots[128], nslots = 0;
    for (int p = 0; p < ac->nperiods; p++)
        for (int m = ac->periods[2 * p]; m + ac->slot_min <= ac->periods[2 * p + 1] && nslots < 128;
             m += ac->slot_min) {
            int64_t at = d->start + (int64_t)(m - SIM_START_MIN) * 60000;
            if (at > d->now && at < d->last_arrival)
                slots[nslots++] = m;
        }
    if (!nslots)
        return 0;
    long person = 0;
    for (int s = 0; s < d->nsvc; s++) {
        int n = sim_rng_poisson (rng, expected[s] * s_mix[s_mix_row (d->prefix[s])].booked);
        for (int k = 0; k < n; k++) {
            int first = (int)(sim_rng_uniform (rng) * nslots);
            char id[32], phone[24], name[48];
            s_id_number (rng, ++person, id);
            snprintf (phone, sizeof phone, "139%08ld", 10000000 + person * 7919 % 90000000);
            snprintf (name, sizeof name, "模拟市民%04ld", person);
            bool no_show = sim_rng_uniform (rng) < SIM_APPT_NO_SHOW;
            double offset_min = SIM_APPT_MEAN_MIN + SIM_APPT_SD_MIN * sim_rng_normal (rng);
            s_cit_t z0 = {0};
            z0.service_s = sim_rng_lognormal (rng, d->mean_s[s], SIM_SIGMA);
            z0.walkup_s = SIM_WALKUP_MIN_S + sim_rng_exp (rng, SIM_WALKUP_EXP_S);
            z0.gone_u = sim_rng_uniform (rng);
            //  A full slot: the citizen takes the next one with room.
            json_t *r = NULL;
            int st = -1, slot = -1;
            for (int tries = 0; tries < nslots && st != 0; tries++) {
                slot = slots[(first + tries) % nslots];
                char hhmm[16];
                snprintf (hhmm, sizeof hhmm, "%02d:%02d", slot / 60, slot % 60);
                json_decref (r);
                r = NULL;
                st = s_req (d, "appointment.book",
                            json_pack ("{s:s, s:i, s:s, s:s, s:s, s:s}", "service", d->prefix[s],
                                       "date", d->date, "slot", hhmm, "name", name, "id_number", id,
                                       "phone", phone),
                            &r);
                if (st < 0)
                    return -1;
                if (st == PROTO_ERR_UNKNOWN_COMMAND)
                    break;
            }
            if (st != 0) {
                d->booking_refused++;
                json_decref (r);
                if (st == PROTO_ERR_UNKNOWN_COMMAND) {
                    fprintf (stderr, "onewindow sim: this broker has no appointments; "
                                     "the day runs without them\n");
                    return 0;
                }
                continue;
            }
            d->booked++;
            if (no_show) {
                d->appt_no_show++;
                json_decref (r);
                continue;
            }
            s_cit_t *z = s_cit_new (d);
            if (!z) {
                json_decref (r);
                return -1;
            }
            *z = z0;
            z->est = z->naive = -1;
            z->svc = s;
            z->prio = "appointment";
            z->appt = true;
            snprintf (z->code, sizeof z->code, "%s", s_get_str (r, "code"));
            snprintf (z->slot, sizeof z->slot, "%02d:%02d", slot / 60, slot % 60);
            json_decref (r);
            int64_t at = d->start + (int64_t)(slot - SIM_START_MIN) * 60000 +
                         (int64_t)llround (offset_min * 60000);
            z->arrive = at > d->now + 1000 ? at : d->now + 1000;
            s_heap_push (&d->heap, z->arrive, EV_ARRIVE, d->ncit - 1);
            d->pending++;
        }
    }
    return 0;
}

//  Lunch groups and early closings: counter i lunches in group i % 2; up to two counters
//  whose every service stays covered by a counter open to the end close at 16:00 and 16:30.
static void
s_schedule_counters (s_day_t *d)
{
    int early = 0;
    for (int i = d->nctr - 1; i >= 0 && early < 2; i--) {
        uint32_t others = 0;
        for (int j = 0; j < d->nctr; j++)
            if (j != i && !d->ctr[j].early)
                others |= d->ctr[j].services;
        if ((d->ctr[i].services & ~others) == 0) {
            d->ctr[i].early = true;
            early++;
        }
    }
    int nth_early = 0;
    for (int i = 0; i < d->nctr; i++) {
        s_ctr_t *c = &d->ctr[i];
        c->cit = -1;
        s_heap_push (&d->heap, d->open, EV_OPEN, i);
        int from = c->lunch_len ? c->lunch_from : SIM_LUNCH_MIN + 60 * (i % 2);
        if (!c->lunch_len)
            c->lunch_len = SIM_LUNCH_LEN;
        int64_t lunch = d->start + (int64_t)(from - SIM_START_MIN) * 60000;
        if (lunch > d->open && lunch + c->lunch_len * 60000 < d->close)
            s_heap_push (&d->heap, lunch, EV_LUNCH, i);
        int64_t close = d->close;
        if (c->early) {
            int64_t t = d->start + (int64_t)(16 * 60 + 30 * nth_early++ - SIM_START_MIN) * 60000;
            if (t < d->close && t > d->open)
                close = t;
            else
                c->early = false;
        }
        s_heap_push (&d->heap, close, EV_CLOSE, i);
    }
}

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

//  MAE, 90th percentile of |error| (nearest rank) and bias of err[0..n).
static void
s_errors (double *err, long n, double *mae, double *p90, double *bias)
{
    *mae = *p90 = *bias = 0;
    if (n <= 0)
        return;
    double sa = 0, s = 0;
    for (long i = 0; i < n; i++) {
        s += err[i];
        err[i] = fabs (err[i]);
        sa += err[i];
    }
    qsort (err, (size_t)n, sizeof *err, s_cmp_double);
    long rank = (long)ceil (0.9 * n);
    *p90 = err[rank > 0 ? rank - 1 : 0];
    *mae = sa / n;
    *bias = s / n;
}

typedef struct {
    long n;
    double mae, p90, bias;
    double nmae, np90, nbias;
} s_acc_t;

//  Estimator accuracy over the citizens of `svc` (-1 all) issued in [from_min, to_min).
static void
s_accuracy (const s_day_t *d, int svc, int from_min, int to_min, s_acc_t *a)
{
    double *e1 = malloc ((size_t)(d->ncit + 1) * sizeof *e1);
    double *e2 = malloc ((size_t)(d->ncit + 1) * sizeof *e2);
    long n = 0;
    for (long i = 0; e1 && e2 && i < d->ncit; i++) {
        const s_cit_t *z = &d->cit[i];
        int m = s_local_min (z->issued, d->off);
        if (!z->id || !z->called || z->est < 0 || z->naive < 0 || (svc >= 0 && z->svc != svc) ||
            m < from_min || m >= to_min)
            continue;
        double wait = (z->called - z->issued) / 1000.0;
        e1[n] = z->est - wait;
        e2[n] = z->naive - wait;
        n++;
    }
    memset (a, 0, sizeof *a);
    a->n = n;
    if (e1 && e2) {
        s_errors (e1, n, &a->mae, &a->p90, &a->bias);
        s_errors (e2, n, &a->nmae, &a->np90, &a->nbias);
    }
    free (e1);
    free (e2);
}

typedef struct {
    long tickets, called, served, missed, over, finished;
    double wait_sum, handle_sum, max_wait;
} s_kpi_t;

static void
s_kpis (const s_day_t *d, int svc, int from_min, int to_min, s_kpi_t *k)
{
    memset (k, 0, sizeof *k);
    for (long i = 0; i < d->ncit; i++) {
        const s_cit_t *z = &d->cit[i];
        int m = s_local_min (z->issued, d->off);
        if (!z->id || (svc >= 0 && z->svc != svc) || m < from_min || m >= to_min)
            continue;
        k->tickets++;
        if (z->called) {
            double w = (z->called - z->issued) / 1000.0;
            k->called++;
            k->wait_sum += w;
            if (w > k->max_wait)
                k->max_wait = w;
            k->over += w > SIM_OVER_WAIT_MIN * 60;
        }
        k->missed += z->missed;
        if (z->state == CIT_DONE) {
            k->finished++;
            k->handle_sum += (z->finished - z->called) / 1000.0;
        }
    }
    k->served = k->finished;
}

static void
s_fmt_local (int64_t ms, int off, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000 + off * 60);
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static int
s_write_csv (const s_day_t *d, const char *path)
{
    FILE *f = strcmp (path, "-") == 0 ? stdout : fopen (path, "w");
    if (!f) {
        fprintf (stderr, "onewindow sim: cannot write %s: %s\n", path, strerror (errno));
        return -1;
    }
    fprintf (f, "number,service,priority,issued,called,wait_s,est_wait_s,naive_wait_s,missed,"
                "source,slot,counter,service_s\n");
    //  In order of issue (citizens are stored in the order they were drawn).
    long *order = malloc ((size_t)(d->ncit + 1) * sizeof *order);
    long n = 0;
    for (long i = 0; order && i < d->ncit; i++)
        if (d->cit[i].id)
            order[n++] = i;
    for (long a = 1; order && a < n; a++) { //  insertion sort by ticket id: nearly sorted
        long v = order[a], b = a;
        while (b > 0 && d->cit[order[b - 1]].id > d->cit[v].id) {
            order[b] = order[b - 1];
            b--;
        }
        order[b] = v;
    }
    for (long k = 0; order && k < n; k++) {
        const s_cit_t *z = &d->cit[order[k]];
        char issued[32], called[32] = "", wait[24] = "", est[24] = "", naive[24] = "", svc[24] = "";
        s_fmt_local (z->issued, d->off, issued, sizeof issued);
        if (z->called) {
            s_fmt_local (z->called, d->off, called, sizeof called);
            snprintf (wait, sizeof wait, "%lld", (long long)((z->called - z->issued) / 1000));
        }
        if (z->est >= 0)
            snprintf (est, sizeof est, "%lld", (long long)z->est);
        if (z->naive >= 0)
            snprintf (naive, sizeof naive, "%lld", (long long)z->naive);
        if (z->state == CIT_DONE)
            snprintf (svc, sizeof svc, "%lld", (long long)((z->finished - z->started) / 1000));
        fprintf (f, "%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%d,%s\n", z->number, d->prefix[z->svc],
                 z->priority, issued, called, wait, est, naive, z->missed ? 1 : 0,
                 z->appt ? "appointment" : "walk_in", z->slot, z->counter, svc);
    }
    free (order);
    if (f != stdout && fclose (f) != 0)
        return -1;
    return 0;
}

//  Seconds, or null when nothing was measured.
static json_t *
s_secs (double v, long n)
{
    return n > 0 ? json_integer (lround (v)) : json_null ();
}

static json_t *
s_acc_json (const s_acc_t *a)
{
    return json_pack ("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "estimate_n", (json_int_t)a->n,
                      "estimate_mae_s", s_secs (a->mae, a->n), "estimate_p90_abs_s",
                      s_secs (a->p90, a->n), "estimate_bias_s", s_secs (a->bias, a->n),
                      "naive_mae_s", s_secs (a->nmae, a->n), "naive_p90_abs_s",
                      s_secs (a->np90, a->n), "naive_bias_s", s_secs (a->nbias, a->n));
}

//  The day's report as one JSON object.
static json_t *
s_day_report (s_day_t *d, const s_day_opts_t *opt, const json_t *info, const json_t *snap)
{
    s_kpi_t k;
    s_kpis (d, -1, 0, 1440, &k);
    s_acc_t a;
    s_accuracy (d, -1, 0, 1440, &a);
    double open = 0, util_sum = 0;
    int util_n = 0;
    for (int i = 0; i < d->nctr; i++)
        if (d->ctr[i].open_ms > 0) {
            util_sum += (double)d->ctr[i].busy_ms / d->ctr[i].open_ms;
            util_n++;
            open += d->ctr[i].open_ms;
        }
    long walkins = 0, appts = 0, no_estimate = 0, gone = 0;
    for (long i = 0; i < d->ncit; i++) {
        const s_cit_t *z = &d->cit[i];
        if (!z->id)
            continue;
        if (z->appt)
            appts++;
        else
            walkins++;
        no_estimate += z->called && (z->est < 0 || z->naive < 0);
        gone += z->gone;
    }
    json_t *j = json_object ();
    json_object_set_new (j, "hall", json_string (s_get_str (json_object_get (info, "hall"), "id")));
    json_object_set_new (j, "date", json_integer (d->date));
    json_object_set_new (j, "seed", json_integer ((json_int_t)opt->seed));
    json_object_set_new (j, "load", s_real4 (opt->load));
    json_object_set_new (j, "tickets", json_integer (k.tickets));
    json_object_set_new (j, "walk_in", json_integer (walkins));
    json_object_set_new (j, "appointment_tickets", json_integer (appts));
    json_object_set_new (j, "called", json_integer (k.called));
    json_object_set_new (j, "served", json_integer (k.served));
    json_object_set_new (j, "missed", json_integer (k.missed));
    json_object_set_new (j, "avg_wait_s",
                         json_integer (k.called ? lround (k.wait_sum / k.called) : 0));
    json_object_set_new (j, "max_wait_s", json_integer (lround (k.max_wait)));
    json_object_set_new (j, "over_wait_min", json_integer (SIM_OVER_WAIT_MIN));
    json_object_set_new (j, "over_wait_rate", s_real4 (k.called ? (double)k.over / k.called : 0));
    json_object_set_new (j, "avg_handling_s",
                         json_integer (k.finished ? lround (k.handle_sum / k.finished) : 0));
    json_object_set_new (j, "utilisation", s_real4 (util_n ? util_sum / util_n : 0));
    json_object_set_new (j, "no_show_rate", s_real4 (k.called ? (double)k.missed / k.called : 0));
    json_object_set_new (
        j, "appointments",
        json_pack ("{s:I, s:I, s:I, s:I, s:I, s:o}", "booked", (json_int_t)d->booked, "refused",
                   (json_int_t)d->booking_refused, "no_show", (json_int_t)d->appt_no_show,
                   "in_window", (json_int_t)d->appt_in_window, "outside_window",
                   (json_int_t)d->appt_outside, "no_show_rate",
                   s_real4 (d->booked ? (double)d->appt_no_show / d->booked : 0)));
    json_object_set_new (j, "estimate_n", json_integer (a.n));
    json_object_set_new (j, "estimate_null", json_integer (no_estimate));
    json_object_set_new (j, "estimate_mae_s", s_secs (a.mae, a.n));
    json_object_set_new (j, "estimate_p90_abs_s", s_secs (a.p90, a.n));
    json_object_set_new (j, "estimate_bias_s", s_secs (a.bias, a.n));
    json_object_set_new (j, "naive_mae_s", s_secs (a.nmae, a.n));
    json_object_set_new (j, "naive_p90_abs_s", s_secs (a.np90, a.n));
    json_object_set_new (j, "naive_bias_s", s_secs (a.nbias, a.n));
    json_object_set_new (j, "mae_ratio",
                         a.n && a.nmae > 0 ? s_real4 (a.mae / a.nmae) : json_null ());

    //  The broker's own day figures, for a cross-check of the definitions.
    json_t *stats = json_object_get (snap, "stats");
    double called = 0, sum_wait = 0, over = 0;
    const char *key;
    json_t *v;
    json_object_foreach (stats, key, v)
    {
        called += s_get_int (v, "called") > 0 ? s_get_int (v, "called") : 0;
        sum_wait += s_get_int (v, "sum_wait_ms") > 0 ? s_get_int (v, "sum_wait_ms") : 0;
        over += s_get_int (v, "over_wait") > 0 ? s_get_int (v, "over_wait") : 0;
    }
    double b_util = 0;
    int b_n = 0;
    size_t i;
    json_array_foreach (json_object_get (snap, "counters"), i, v)
    {
        json_t *day = json_object_get (v, "day");
        double o = (double)s_get_int (day, "open_ms"), b = (double)s_get_int (day, "busy_ms");
        if (o > 0) {
            b_util += b / o;
            b_n++;
        }
    }
    json_object_set_new (
        j, "broker",
        json_pack ("{s:I, s:I, s:o, s:I, s:o}", "called", (json_int_t)called, "avg_wait_s",
                   (json_int_t)(called ? lround (sum_wait / called / 1000) : 0), "over_wait_rate",
                   s_real4 (called ? over / called : 0), "over_wait_min",
                   (json_int_t)s_get_int (snap, "over_wait_minutes"), "utilisation",
                   s_real4 (b_n ? b_util / b_n : 0)));

    json_t *services = json_array ();
    for (int s = 0; s < d->nsvc; s++) {
        s_kpi_t ks;
        s_kpis (d, s, 0, 1440, &ks);
        s_acc_t as;
        s_accuracy (d, s, 0, 1440, &as);
        json_t *o = json_pack (
            "{s:s, s:I, s:I, s:o, s:I}", "service", d->prefix[s], "tickets", (json_int_t)ks.tickets,
            "avg_wait_s", (json_int_t)(ks.called ? lround (ks.wait_sum / ks.called) : 0),
            "over_wait_rate", s_real4 (ks.called ? (double)ks.over / ks.called : 0),
            "avg_handling_s", (json_int_t)(ks.finished ? lround (ks.handle_sum / ks.finished) : 0));
        json_t *acc = s_acc_json (&as);
        json_object_update (o, acc);
        json_decref (acc);
        json_array_append_new (services, o);
    }
    json_object_set_new (j, "services", services);

    json_t *hours = json_array ();
    for (int h = SIM_START_MIN / 60; h < 24; h++) {
        s_kpi_t kh;
        s_kpis (d, -1, h * 60, h * 60 + 60, &kh);
        if (!kh.tickets)
            continue;
        s_acc_t ah;
        s_accuracy (d, -1, h * 60, h * 60 + 60, &ah);
        char label[16];
        snprintf (label, sizeof label, "%02d:00", h);
        json_t *o = json_pack ("{s:s, s:I, s:I}", "hour", label, "tickets", (json_int_t)kh.tickets,
                               "avg_wait_s",
                               (json_int_t)(kh.called ? lround (kh.wait_sum / kh.called) : 0));
        json_t *acc = s_acc_json (&ah);
        json_object_update (o, acc);
        json_decref (acc);
        json_array_append_new (hours, o);
    }
    json_object_set_new (j, "hours", hours);
    json_object_set_new (j, "counters_open_h", s_real4 (open / 3600000.0));
    char last[32];
    s_fmt_local (d->now, d->off, last, sizeof last);
    json_object_set_new (j, "day_ended", json_string (last + 11));
    json_object_set_new (j, "gone_before_call", json_integer (gone));
    json_object_set_new (j, "requests", json_integer (d->pipe->requests));
    json_object_set_new (j, "unexpected_replies", json_integer (d->unexpected));
    return j;
}

//  A duration field as s_dur writes it, "-" when null.
static void
s_dur_of (const json_t *j, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get (j, key);
    if (json_is_integer (v))
        s_dur ((double)json_integer_value (v), out, size);
    else
        snprintf (out, size, "-");
}

static void
s_day_print (const json_t *j, const json_t *info)
{
    const json_t *hall = json_object_get (info, "hall");
    char b1[32], b2[32], b3[32];
    int date = (int)s_get_int (j, "date");
    printf ("onewindow day simulation: %s (%s), %04d-%02d-%02d, seed %lld, load %.2f\n",
            s_get_str (hall, "name"), s_get_str (hall, "id"), date / 10000, date / 100 % 100,
            date % 100, (long long)s_get_int (j, "seed"),
            json_real_value (json_object_get (j, "load")));
    const json_t *ap = json_object_get (j, "appointments");
    printf ("\n  tickets            %lld (%lld walk-in, %lld appointment check-ins: %lld in their "
            "window)\n",
            (long long)s_get_int (j, "tickets"), (long long)s_get_int (j, "walk_in"),
            (long long)s_get_int (j, "appointment_tickets"),
            (long long)s_get_int (ap, "in_window"));
    printf ("  appointments       %lld booked, %lld no-shows (%.1f%%), %lld refused\n",
            (long long)s_get_int (ap, "booked"), (long long)s_get_int (ap, "no_show"),
            100 * json_real_value (json_object_get (ap, "no_show_rate")),
            (long long)s_get_int (ap, "refused"));
    printf ("  called / served    %lld / %lld, %lld missed (no_show_rate %.1f%%)\n",
            (long long)s_get_int (j, "called"), (long long)s_get_int (j, "served"),
            (long long)s_get_int (j, "missed"),
            100 * json_real_value (json_object_get (j, "no_show_rate")));
    s_dur_of (j, "avg_wait_s", b1, sizeof b1);
    s_dur_of (j, "max_wait_s", b2, sizeof b2);
    printf ("  average wait       %s (avg_wait_s %lld), longest %s\n", b1,
            (long long)s_get_int (j, "avg_wait_s"), b2);
    printf ("  over-wait rate     %.1f%% waited over %lld min\n",
            100 * json_real_value (json_object_get (j, "over_wait_rate")),
            (long long)s_get_int (j, "over_wait_min"));
    s_dur_of (j, "avg_handling_s", b1, sizeof b1);
    printf ("  average handling   %s (call to finish)\n", b1);
    printf ("  utilisation        %.1f%% (average over counters: calling or serving / logged "
            "in, pauses excluded)\n",
            100 * json_real_value (json_object_get (j, "utilisation")));
    const json_t *br = json_object_get (j, "broker");
    printf ("  broker's figures   avg wait %llds, over %lld min %.1f%%, utilisation %.1f%%\n",
            (long long)s_get_int (br, "avg_wait_s"), (long long)s_get_int (br, "over_wait_min"),
            100 * json_real_value (json_object_get (br, "over_wait_rate")),
            100 * json_real_value (json_object_get (br, "utilisation")));
    printf ("  day ended          %s (the last counter logged out)\n",
            json_string_value (json_object_get (j, "day_ended")));

    printf ("\nWait estimate at issue against the actual wait (first call - issue), %lld tickets\n"
            "(%lld called without an estimate: no counter open yet)\n\n",
            (long long)s_get_int (j, "estimate_n"), (long long)s_get_int (j, "estimate_null"));
    printf ("                        MAE      P90 |error|   bias (estimate - actual)\n");
    s_dur_of (j, "estimate_mae_s", b1, sizeof b1);
    s_dur_of (j, "estimate_p90_abs_s", b2, sizeof b2);
    s_dur_of (j, "estimate_bias_s", b3, sizeof b3);
    printf ("  broker estimate   %10s   %10s   %10s\n", b1, b2, b3);
    s_dur_of (j, "naive_mae_s", b1, sizeof b1);
    s_dur_of (j, "naive_p90_abs_s", b2, sizeof b2);
    s_dur_of (j, "naive_bias_s", b3, sizeof b3);
    printf ("  naive formula     %10s   %10s   %10s\n", b1, b2, b3);
    json_t *ratio = json_object_get (j, "mae_ratio");
    if (json_is_real (ratio))
        printf ("  MAE ratio         %.2f (target <= 0.50: %s)\n", json_real_value (ratio),
                json_real_value (ratio) <= 0.5 ? "met" : "NOT met");
    else
        printf ("  MAE ratio         - (no ticket had both estimates)\n");

    printf ("\n  service  tickets  avg wait  over %lldm   MAE est  MAE naive\n",
            (long long)s_get_int (j, "over_wait_min"));
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (j, "services"), i, s)
    {
        s_dur_of (s, "avg_wait_s", b1, sizeof b1);
        s_dur_of (s, "estimate_mae_s", b2, sizeof b2);
        s_dur_of (s, "naive_mae_s", b3, sizeof b3);
        printf ("  %-7s  %7lld  %8s  %6.1f%%  %8s  %9s\n",
                json_string_value (json_object_get (s, "service")),
                (long long)s_get_int (s, "tickets"), b1,
                100 * json_real_value (json_object_get (s, "over_wait_rate")), b2, b3);
    }
    printf ("\n  issued   tickets  avg wait   MAE est  MAE naive\n");
    json_array_foreach (json_object_get (j, "hours"), i, s)
    {
        s_dur_of (s, "avg_wait_s", b1, sizeof b1);
        s_dur_of (s, "estimate_mae_s", b2, sizeof b2);
        s_dur_of (s, "naive_mae_s", b3, sizeof b3);
        printf ("  %-7s  %7lld  %8s  %8s  %9s\n", json_string_value (json_object_get (s, "hour")),
                (long long)s_get_int (s, "tickets"), b1, b2, b3);
    }
    if (s_get_int (j, "unexpected_replies") > 0)
        printf ("\n  WARNING: %lld unexpected broker replies (see stderr)\n",
                (long long)s_get_int (j, "unexpected_replies"));
}

static void
s_day_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow sim day [--config FILE] [--seed N] [--json] [--csv FILE]\n"
             "                         [--keep DIR] [--hours H] [--load F] [--date YYYYMMDD]\n"
             "\n"
             "Runs a whole hall day on a private broker's simulated clock, in seconds: walk-ins\n"
             "by hour with a morning peak, the service mix, lognormal service times, citizens\n"
             "gone when called, appointments, counters opening at 09:00, staggered lunches, two\n"
             "closing early. Prints the day's KPIs and how far the broker's wait estimate at\n"
             "issue (and the naive formula) was from the actual wait (docs/SIMULATOR.md).\n"
             "\n"
             "  --config FILE   hall config (default etc/hall.example.json)\n"
             "  --seed N        random seed (default 1); the same seed gives the same output\n"
             "  --json          one JSON object instead of the report\n"
             "  --csv FILE      one row per ticket (\"-\" for stdout)\n"
             "  --keep DIR      run in DIR and keep the broker's store and log there\n"
             "  --hours H       walk-ins only for the first H hours from 08:30 (quick runs)\n"
             "  --load F        multiply every arrival rate by F (default 1)\n"
             "  --date D        the working day to simulate (default 20261124, a Tuesday)\n");
}

int
sim_day_main (sim_opts_t *o, int argc, char **argv)
{
    s_day_opts_t opt = {.seed = 1, .json = o->json, .load = 1.0, .date = 20261124};
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"seed", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},         {"csv", required_argument, NULL, 'v'},
        {"keep", required_argument, NULL, 'k'},   {"hours", required_argument, NULL, 'H'},
        {"load", required_argument, NULL, 'l'},   {"date", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    char *end;
    while ((ch = getopt_long (argc, argv, "+c:s:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': opt.config = optarg; break;
        case 's':
            opt.seed = strtoull (optarg, &end, 10);
            if (*end || !*optarg)
                return sim_usage_error ("day", "--seed takes a number");
            break;
        case 'j': opt.json = true; break;
        case 'v': opt.csv = optarg; break;
        case 'k': opt.keep = optarg; break;
        case 'H':
            opt.hours = strtod (optarg, &end);
            if (*end || opt.hours <= 0 || opt.hours > 8)
                return sim_usage_error ("day", "--hours takes 0 < H <= 8");
            break;
        case 'l':
            opt.load = strtod (optarg, &end);
            if (*end || opt.load <= 0 || opt.load > 10)
                return sim_usage_error ("day", "--load takes 0 < F <= 10");
            break;
        case 'd':
            opt.date = atoi (optarg);
            if (opt.date < 20000101 || opt.date > 29991231)
                return sim_usage_error ("day", "--date takes YYYYMMDD");
            break;
        case 'h': s_day_help (stdout); return PROTO_EXIT_OK;
        default: return sim_usage_error ("day", "bad option");
        }
    }
    if (optind < argc)
        return sim_usage_error ("day", "unexpected '%s'", argv[optind]);
    char config[PATH_MAX];
    if (opt.config)
        snprintf (config, sizeof config, "%s", opt.config);
    else if (s_find_etc ("hall.example.json", config, sizeof config) != 0)
        return sim_usage_error ("day", "cannot find etc/hall.example.json; give --config");

    double wall0 = s_wall ();
    s_appt_cfg_t ac;
    s_day_t d = {0};
    s_read_config (config, &d.off, &ac);
    d.date = opt.date;
    d.start = s_local_ms (opt.date, SIM_START_MIN, d.off);
    d.now = d.start;
    d.open = d.start + (SIM_OPEN_MIN - SIM_START_MIN) * 60000;
    d.last_arrival = d.start + (SIM_LAST_MIN - SIM_START_MIN) * 60000;
    if (opt.hours > 0 && d.start + (int64_t)(opt.hours * 3600000) < d.last_arrival)
        d.last_arrival = d.start + (int64_t)(opt.hours * 3600000);
    d.close = d.start + (SIM_CLOSE_MIN - SIM_START_MIN) * 60000;
    if (d.last_arrival + 30 * 60000 < d.close)
        d.close = d.last_arrival + 30 * 60000;

    s_broker_t b = {0};
    int rc = PROTO_EXIT_REFUSED;
    json_t *info = NULL, *snap = NULL, *report = NULL;
    if (s_broker_dir (&b, opt.keep) != 0 || s_broker_start (&b, config, d.start) != 0)
        goto done;
    d.pipe = s_pipe_new (&b, 1);
    if (!d.pipe || !(info = s_broker_ready (&b, d.pipe)))
        goto done;

    //  The hall as the broker sees it.
    json_t *svcs = json_object_get (info, "services"), *ctrs = json_object_get (info, "counters");
    d.nsvc = (int)json_array_size (svcs);
    if (d.nsvc < 1 || d.nsvc > 32 || json_array_size (ctrs) < 1) {
        fprintf (stderr, "onewindow sim: the hall has no services or counters\n");
        goto done;
    }
    double mixw[32], mean_mix = 0, wsum = 0;
    for (int s = 0; s < d.nsvc; s++) {
        json_t *sv = json_array_get (svcs, (size_t)s);
        snprintf (d.prefix[s], sizeof d.prefix[s], "%s", s_get_str (sv, "prefix"));
        d.mean_s[s] = (double)s_get_int (sv, "mean_service_s");
        if (d.mean_s[s] <= 0)
            d.mean_s[s] = 600;
        mixw[s] = s_mix[s_mix_row (d.prefix[s])].mix;
        mean_mix += mixw[s] * d.mean_s[s];
        wsum += mixw[s];
    }
    mean_mix /= wsum;
    d.nctr = (int)json_array_size (ctrs);
    d.ctr = calloc ((size_t)d.nctr, sizeof *d.ctr);
    if (!d.ctr)
        goto done;
    for (int i = 0; i < d.nctr; i++) {
        json_t *c = json_array_get (ctrs, (size_t)i), *p;
        d.ctr[i].id = (int)s_get_int (c, "id");
        //  A break the hall schedules for this counter (hall.info "breaks"): its lunch.
        int h1, m1, h2, m2;
        const char *brk = json_string_value (json_array_get (json_object_get (c, "breaks"), 0));
        if (brk && sscanf (brk, "%2d:%2d-%2d:%2d", &h1, &m1, &h2, &m2) == 4
            && h2 * 60 + m2 > h1 * 60 + m1) {
            d.ctr[i].lunch_from = h1 * 60 + m1;
            d.ctr[i].lunch_len = h2 * 60 + m2 - d.ctr[i].lunch_from;
        }
        size_t k;
        json_array_foreach (json_object_get (c, "services"), k,
                            p) for (int s = 0; s < d.nsvc;
                                    s++) if (json_is_string (p) &&
                                             strcmp (d.prefix[s], json_string_value (p)) == 0)
            d.ctr[i]
                .services |= 1u << s;
    }
    //  Capacity: every counter busy with the mix's mean service time.
    double capacity_h = d.nctr * 3600.0 / mean_mix;

    sim_rng_t walkins, appts;
    sim_rng_seed (&walkins, opt.seed, 1);
    sim_rng_seed (&appts, opt.seed, 2);
    if (s_gen_walkins (&d, &walkins, capacity_h, opt.load, mixw) != 0)
        goto done;
    double expected[32];
    for (int s = 0; s < d.nsvc; s++) {
        expected[s] = 0;
        for (long i = 0; i < d.ncit; i++)
            expected[s] += d.cit[i].svc == s;
    }
    if (s_gen_appointments (&d, &appts, &ac, expected) != 0)
        goto done;
    s_schedule_counters (&d);

    //  The day: take the next event, move the broker's clock to it, act.
    while (d.heap.n) {
        if (s_interrupted)
            goto done;
        if (d.heap.failed) {
            fprintf (stderr, "onewindow sim: out of memory\n");
            goto done;
        }
        s_event_t e = s_heap_pop (&d.heap);
        if (e.at > d.start + 18 * 3600000LL) {
            fprintf (stderr, "onewindow sim: the day did not end by 02:30 (the business day ends "
                             "at 03:00); giving up\n");
            goto done;
        }
        if (s_goto (&d, e.at) != 0 || s_on_event (&d, &e) != 0)
            goto done;
    }
    //  Counters that waited for the last arrival and had nothing more to do close now.
    for (int i = 0; i < d.nctr; i++)
        if (d.ctr[i].state == CTR_IDLE) {
            d.ctr[i].close_due = true;
            if (s_idle (&d, &d.ctr[i]) != 0)
                goto done;
        }
    long left = 0;
    for (int s = 0; s < d.nsvc; s++)
        left += d.waiting[s];
    if (left)
        fprintf (stderr, "onewindow sim: %ld tickets were never called\n", left);
    if (s_req (&d, "hall.snapshot", NULL, &snap) != 0)
        goto done;
    report = s_day_report (&d, &opt, info, snap);
    if (opt.csv && s_write_csv (&d, opt.csv) != 0)
        goto done;
    if (opt.json)
        s_print_json (report);
    else
        s_day_print (report, info);
    fflush (stdout);
    fprintf (stderr, "sim day: %lld tickets, %ld requests in %.1f s wall%s%s\n",
             (long long)s_get_int (report, "tickets"), d.pipe->requests, s_wall () - wall0,
             opt.keep ? "; store kept in " : "", opt.keep ? b.dir : "");
    rc = d.unexpected ? PROTO_EXIT_REFUSED : PROTO_EXIT_OK;
done:
    if (rc != PROTO_EXIT_OK && b.pid && !s_broker_alive (&b))
        s_broker_show_log (&b);
    s_pipe_destroy (&d.pipe);
    s_broker_stop (&b);
    json_decref (info);
    json_decref (snap);
    json_decref (report);
    free (d.cit);
    free (d.by_id);
    free (d.ctr);
    free (d.heap.v);
    return s_interrupted ? 130 : rc;
}

//  =======================================================================================
//  sim erlang

//  The cases of the check: arrivals per minute, mean service in minutes, counters.
static const struct {
    double lambda_min, service_min;
    int c;
} s_cases[] = {{0.8, 3, 3}, {1.5, 2, 4}, {0.3, 5, 2}};

#define ERL_DAY_MIN  (3 * 60 + 1) //  each simulated day starts at 03:01 (after reset)
#define ERL_ARRIVE_H 22           //  arrivals for 22 hours a day, then the line drains
#define ERL_WARMUP_H 2            //  the first 2 hours of each day are not measured
#define ERL_LONG     100000       //  measured customers per case, full run
#define ERL_QUICK    3000         //  ... --quick

enum { RQ_OTHER, RQ_ISSUE, RQ_CALL };

typedef struct {
    long n;              //  customers issued
    int64_t *issued_ref; //  by customer: arrival time (ms)
    int64_t *called_ref; //  by customer: the reference's call time (FIFO, same inputs)
    int64_t *called;     //  by customer: the broker's call time (0 until called)
    bool *measured;      //  by customer: after the day's warm-up
    long *by_id;         //  ticket id -> customer
    long nby_id;
    long errors;     //  unexpected replies
    long mismatched; //  customers the broker called at another time than FIFO
    int64_t max_diff_ms;
} s_erl_t;

static void
s_erl_reply (void *arg, s_tag_t tag, int status, json_t *body)
{
    s_erl_t *e = arg;
    if (status != 0) {
        if (e->errors++ < 5)
            fprintf (stderr, "onewindow sim erlang: a request (%d) was refused: %s (%s)\n",
                     tag.kind, proto_err_code ((proto_err_t)status), s_get_str (body, "message"));
        return;
    }
    if (tag.kind == RQ_ISSUE) {
        int64_t id = s_get_int (body, "id");
        if (id > 0 && id < e->nby_id)
            e->by_id[id] = tag.who;
        else
            e->errors++;
    } else if (tag.kind == RQ_CALL) {
        json_t *t = json_object_get (body, "ticket");
        int64_t id = s_get_int (t, "id");
        long who = id > 0 && id < e->nby_id ? e->by_id[id] : -1;
        if (who < 0) {
            e->errors++;
            return;
        }
        if (!e->called[who])
            e->called[who] = s_get_int (t, "called");
    }
}

typedef struct {
    double lambda_min, service_min;
    int c;
    long customers, days;
    double erlang_c, erlang_wq_s, sim_wq_s, se_s, rel_diff, p_waited;
    double ref_wq_s, ref_rel_diff;
    long path_mismatch;
    int64_t path_max_diff_ms;
    long errors;
    double wall_s;
} s_erl_case_t;

//  One case on a broker: `target` measured customers. 0 / -1.
static int
s_erl_case (double lambda_min, double service_min, int c, long target, uint64_t seed,
            s_erl_case_t *out)
{
    double wall0 = s_wall ();
    memset (out, 0, sizeof *out);
    out->lambda_min = lambda_min;
    out->service_min = service_min;
    out->c = c;
    s_broker_t b = {0};
    s_pipe_t *p = NULL;
    json_t *info = NULL;
    s_erl_t e = {0};
    int rc = -1;
    if (s_broker_dir (&b, NULL) != 0)
        return -1;
    //  A one-service hall with c counters.
    char config[600];
    snprintf (config, sizeof config, "%s/erlang.json", b.dir);
    json_t *counters = json_array ();
    for (int k = 1; k <= c; k++) {
        char name[32];
        snprintf (name, sizeof name, "%d号窗口", k);
        json_array_append_new (
            counters, json_pack ("{s:i, s:s, s:[s]}", "id", k, "name", name, "services", "A"));
    }
    json_t *cfg =
        json_pack ("{s:{s:s, s:s, s:i}, s:[{s:s, s:s, s:i}], s:o}", "hall", "id", "ERLANG", "name",
                   "M/M/c check", "utc_offset_min", 480, "services", "prefix", "A", "name", "M/M/c",
                   "mean_service_s", (int)lround (service_min * 60), "counters", counters);
    int wrc = json_dump_file (cfg, config, JSON_INDENT (2));
    json_decref (cfg);
    if (wrc != 0)
        goto done;
    int64_t day0 = s_local_ms (20261124, ERL_DAY_MIN, 480);
    if (s_broker_start (&b, config, day0) != 0)
        goto done;
    p = s_pipe_new (&b, 512);
    if (!p || !(info = s_broker_ready (&b, p)))
        goto done;
    p->fn = s_erl_reply;
    p->arg = &e;

    //  Room for every customer: target plus the warm-ups and the drain, generously.
    long cap = target + target / 5 + 20000;
    e.issued_ref = calloc ((size_t)cap, sizeof *e.issued_ref);
    e.called_ref = calloc ((size_t)cap, sizeof *e.called_ref);
    e.called = calloc ((size_t)cap, sizeof *e.called);
    e.measured = calloc ((size_t)cap, sizeof *e.measured);
    e.nby_id = cap + 64;
    e.by_id = malloc ((size_t)e.nby_id * sizeof *e.by_id);
    int64_t *busy_until = calloc ((size_t)c, sizeof *busy_until);
    long *line = malloc ((size_t)cap * sizeof *line); //  FIFO of waiting customers
    if (!e.issued_ref || !e.called_ref || !e.called || !e.measured || !e.by_id || !busy_until ||
        !line) {
        free (busy_until);
        free (line);
        goto done;
    }
    for (long i = 0; i < e.nby_id; i++)
        e.by_id[i] = -1;

    sim_rng_t arr, svc;
    sim_rng_seed (&arr, seed, 11);
    sim_rng_seed (&svc, seed, 12);
    double lambda_ms = lambda_min / 60000.0, mean_ms = service_min * 60000.0;
    int64_t now = day0;
    long measured = 0, head = 0, tail = 0;
    s_tag_t other = {RQ_OTHER, 0};
    //  The timeline is computed here (one pooled FIFO line: the reference); the broker is
    //  told each arrival, call, start and finish at its time. The k-th service to begin
    //  lasts the k-th service draw, so the timeline does not depend on which ticket the
    //  broker calls, and its call times can be compared with the reference's.
    for (int64_t d0 = day0; measured < target && !s_interrupted; d0 += 86400000) {
        out->days++;
        if (s_advance (p, &now, d0, other) != 0)
            goto fail;
        for (int k = 1; k <= c; k++)
            if (s_pipe_send (p, "counter.login", json_pack ("{s:i}", "counter", k), other) != 0)
                goto fail;
        int64_t end = d0 + ERL_ARRIVE_H * 3600000LL, warm = d0 + ERL_WARMUP_H * 3600000LL;
        int64_t next = d0 + (int64_t)llround (sim_rng_exp (&arr, 1 / lambda_ms));
        for (;;) {
            if (s_interrupted)
                goto fail;
            //  The next departure (counters busy until a time); ties: departures first.
            int kd = -1;
            for (int k = 0; k < c; k++)
                if (busy_until[k] && (kd < 0 || busy_until[k] < busy_until[kd]))
                    kd = k;
            bool arrival = next < end && measured < target;
            if (kd < 0 && !arrival)
                break;
            int server = -1;
            long who = -1;
            if (kd >= 0 && (!arrival || busy_until[kd] <= next)) {
                if (s_advance (p, &now, busy_until[kd], other) != 0 ||
                    s_pipe_send (p, "ticket.finish", json_pack ("{s:i}", "counter", kd + 1),
                                 other) != 0)
                    goto fail;
                busy_until[kd] = 0;
                if (head < tail) {
                    server = kd;
                    who = line[head++];
                }
            } else {
                if (e.n >= cap) {
                    fprintf (stderr, "onewindow sim erlang: more customers than planned for\n");
                    goto fail;
                }
                who = e.n++;
                e.issued_ref[who] = next;
                e.measured[who] = next >= warm;
                measured += e.measured[who];
                s_tag_t t = {RQ_ISSUE, who};
                if (s_advance (p, &now, next, other) != 0 ||
                    s_pipe_send (p, "ticket.issue", json_pack ("{s:s}", "service", "A"), t) != 0)
                    goto fail;
                for (int k = 0; k < c && server < 0; k++)
                    if (!busy_until[k])
                        server = k;
                if (server < 0) {
                    line[tail++] = who;
                    who = -1;
                }
                next += (int64_t)llround (sim_rng_exp (&arr, 1 / lambda_ms));
            }
            if (server >= 0) {
                int64_t service = (int64_t)llround (sim_rng_exp (&svc, mean_ms));
                if (service < 1)
                    service = 1;
                e.called_ref[who] = now;
                busy_until[server] = now + service;
                s_tag_t t = {RQ_CALL, who};
                if (s_pipe_send (p, "ticket.call_next", json_pack ("{s:i}", "counter", server + 1),
                                 t) != 0 ||
                    s_pipe_send (p, "ticket.start", json_pack ("{s:i}", "counter", server + 1),
                                 other) != 0)
                    goto fail;
            }
        }
        if (now > d0 + 86400000 - 120000) {
            fprintf (stderr, "onewindow sim erlang: the line did not drain before the day's end\n");
            goto fail;
        }
    }
    if (s_pipe_drain (p) != 0)
        goto fail;

    //  The broker's waits of the measured customers, in order of arrival.
    double *w = malloc ((size_t)(measured + 1) * sizeof *w);
    if (!w)
        goto fail;
    long n = 0, waited = 0;
    for (long i = 0; i < e.n; i++) {
        if (!e.called[i])
            e.errors++;
        else if (e.called[i] != e.called_ref[i]) {
            e.mismatched++;
            int64_t diff = llabs (e.called[i] - e.called_ref[i]);
            if (diff > e.max_diff_ms)
                e.max_diff_ms = diff;
        }
        if (e.measured[i] && e.called[i]) {
            w[n] = (e.called[i] - e.issued_ref[i]) / 1000.0;
            waited += w[n] > 0;
            n++;
        }
    }
    double mean, se;
    sim_batch_means (w, (size_t)n, 20, &mean, &se);
    free (w);
    double mu_min = 1 / service_min;
    out->customers = n;
    out->erlang_c = sim_erlang_c (c, lambda_min / mu_min);
    out->erlang_wq_s = sim_erlang_wq (c, lambda_min, mu_min) * 60;
    out->sim_wq_s = mean;
    out->se_s = se;
    out->rel_diff = (mean - out->erlang_wq_s) / out->erlang_wq_s;
    out->p_waited = n ? (double)waited / n : 0;
    out->path_mismatch = e.mismatched;
    out->path_max_diff_ms = e.max_diff_ms;
    out->errors = e.errors;
    //  The in-memory reference, ten times longer, on its own seed.
    sim_mmc_result_t ref;
    if (sim_mmc_simulate (c, lambda_min, mu_min, 10 * target, target / 10, SIM_MMC_FIFO, 15,
                           seed + 1000, &ref, NULL) == 0) {
        out->ref_wq_s = ref.mean_wait * 60;
        out->ref_rel_diff = (out->ref_wq_s - out->erlang_wq_s) / out->erlang_wq_s;
    }
    rc = 0;
fail:
    free (busy_until);
    free (line);
done:
    json_decref (info);
    s_pipe_destroy (&p);
    s_broker_stop (&b);
    free (e.issued_ref);
    free (e.called_ref);
    free (e.called);
    free (e.measured);
    free (e.by_id);
    out->wall_s = s_wall () - wall0;
    return rc;
}

static void
s_erlang_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow sim erlang [--json] [--quick] [--customers N] [--seed N]\n"
             "\n"
             "Checks the broker-driven simulation against queueing theory: for one service with\n"
             "Poisson arrivals and exponential service on c counters (M/M/c), the long-run mean\n"
             "wait must match Erlang C, Wq = C(c, a) / (c mu - lambda), within 5%%. Cases:\n"
             "(lambda 0.8/min, 3 min, c 3), (1.5/min, 2 min, 4), (0.3/min, 5 min, 2).\n"
             "\n"
             "  --quick         %d measured customers per case instead of %d (for tests)\n"
             "  --customers N   measured customers per case\n"
             "  --seed N        random seed (default 1)\n"
             "  --json          one JSON object\n",
             ERL_QUICK, ERL_LONG);
}

//  Runs every case at once, each in a child process with its own broker (they share
//  nothing), and collects the results in case order. 0 / -1.
static int
s_erl_run_all (long customers, uint64_t seed, s_erl_case_t *results, size_t n)
{
    pid_t pids[8] = {0};
    int fds[8];
    fflush (stdout);
    fflush (stderr);
    for (size_t i = 0; i < n; i++) {
        int pipefd[2];
        if (pipe (pipefd) != 0)
            return -1;
        pid_t pid = fork ();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            close (pipefd[0]);
            s_erl_case_t r;
            int rc = s_erl_case (s_cases[i].lambda_min, s_cases[i].service_min, s_cases[i].c,
                                 customers, seed + i, &r);
            if (rc == 0 && write (pipefd[1], &r, sizeof r) != (ssize_t)sizeof r)
                rc = -1;
            close (pipefd[1]);
            _exit (rc == 0 ? 0 : 1);
        }
        close (pipefd[1]);
        pids[i] = pid;
        fds[i] = pipefd[0];
    }
    int rc = 0;
    bool forwarded = false;
    for (size_t i = 0; i < n; i++) {
        ssize_t got = 0;
        while (got < (ssize_t)sizeof results[i]) {
            ssize_t k = read (fds[i], (char *)&results[i] + got, sizeof results[i] - (size_t)got);
            if (k < 0 && errno == EINTR) {
                //  Interrupted: the cases stop too (and remove their brokers' directories).
                for (size_t j = 0; j < n && !forwarded; j++)
                    kill (pids[j], SIGTERM);
                forwarded = true;
                continue;
            }
            if (k <= 0)
                break;
            got += k;
        }
        close (fds[i]);
        int st = 0;
        while (waitpid (pids[i], &st, 0) < 0 && errno == EINTR)
            ;
        if (got != (ssize_t)sizeof results[i] || !WIFEXITED (st) || WEXITSTATUS (st) != 0) {
            if (!s_interrupted)
                fprintf (stderr, "onewindow sim erlang: case %zu failed\n", i + 1);
            rc = -1;
        }
    }
    return rc;
}

int
sim_erlang_main (sim_opts_t *o, int argc, char **argv)
{
    bool json = o->json, quick = false;
    long customers = 0;
    uint64_t seed = 1;
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"quick", no_argument, NULL, 'q'},
        {"customers", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    char *end;
    while ((ch = getopt_long (argc, argv, "+qn:s:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': json = true; break;
        case 'q': quick = true; break;
        case 'n':
            customers = strtol (optarg, &end, 10);
            if (*end || customers < 100 || customers > 5000000)
                return sim_usage_error ("erlang", "--customers takes 100 to 5000000");
            break;
        case 's':
            seed = strtoull (optarg, &end, 10);
            if (*end || !*optarg)
                return sim_usage_error ("erlang", "--seed takes a number");
            break;
        case 'h': s_erlang_help (stdout); return PROTO_EXIT_OK;
        default: return sim_usage_error ("erlang", "bad option");
        }
    }
    if (optind < argc)
        return sim_usage_error ("erlang", "unexpected '%s'", argv[optind]);
    if (!customers)
        customers = quick ? ERL_QUICK : ERL_LONG;
    const double tolerance = 0.05;
    size_t n = sizeof s_cases / sizeof s_cases[0];
    s_erl_case_t results[sizeof s_cases / sizeof s_cases[0]];
    double wall0 = s_wall ();
    if (s_erl_run_all (customers, seed, results, n) != 0)
        return s_interrupted ? 130 : PROTO_EXIT_REFUSED;
    bool all_within = true, all_sound = true;
    json_t *cases = json_array ();
    if (!json) {
        printf ("M/M/c: the broker-driven simulation against Erlang C (%ld measured customers "
                "per case, seed %llu)\n\n",
                customers, (unsigned long long)seed);
        printf ("  lambda/min  1/mu   c   rho   Erlang C Wq   simulated Wq (+-SE)   rel diff   "
                "FIFO path  reference\n");
    }
    for (size_t i = 0; i < n; i++) {
        const s_erl_case_t *r = &results[i];
        bool sound = r->errors == 0 && r->path_mismatch == 0;
        bool within = fabs (r->rel_diff) <= tolerance;
        bool within_2se = fabs (r->sim_wq_s - r->erlang_wq_s) <= 2 * r->se_s;
        all_sound = all_sound && sound;
        all_within = all_within && within && sound;
        double rho = r->lambda_min * r->service_min / r->c;
        json_t *c = json_object ();
        json_object_set_new (c, "lambda_per_min", s_real4 (r->lambda_min));
        json_object_set_new (c, "mean_service_min", s_real4 (r->service_min));
        json_object_set_new (c, "c", json_integer (r->c));
        json_object_set_new (c, "rho", s_real4 (rho));
        json_object_set_new (c, "customers", json_integer (r->customers));
        json_object_set_new (c, "days", json_integer (r->days));
        json_object_set_new (c, "erlang_c", s_real4 (r->erlang_c));
        json_object_set_new (c, "erlang_wq_s", s_real4 (r->erlang_wq_s));
        json_object_set_new (c, "sim_wq_s", s_real4 (r->sim_wq_s));
        json_object_set_new (c, "sim_se_s", s_real4 (r->se_s));
        json_object_set_new (c, "sim_p_waited", s_real4 (r->p_waited));
        json_object_set_new (c, "rel_diff", s_real4 (r->rel_diff));
        json_object_set_new (c, "within_5pct", json_boolean (within));
        json_object_set_new (c, "within_2se", json_boolean (within_2se));
        json_object_set_new (c, "path_mismatch", json_integer (r->path_mismatch));
        json_object_set_new (c, "path_max_diff_ms", json_integer (r->path_max_diff_ms));
        json_object_set_new (c, "reference_customers", json_integer (10 * customers));
        json_object_set_new (c, "reference_wq_s", s_real4 (r->ref_wq_s));
        json_object_set_new (c, "reference_rel_diff", s_real4 (r->ref_rel_diff));
        json_object_set_new (c, "errors", json_integer (r->errors));
        json_array_append_new (cases, c);
        if (!json) {
            char b1[40];
            snprintf (b1, sizeof b1, "%.1f s (+-%.1f)", r->sim_wq_s, r->se_s);
            printf ("  %10.2f  %4.1f  %2d  %4.2f  %10.1f s   %-20s  %+7.2f%%   %-9s  %+6.2f%%\n",
                    r->lambda_min, r->service_min, r->c, rho, r->erlang_wq_s, b1, 100 * r->rel_diff,
                    sound ? "same" : "DIFFERS", 100 * r->ref_rel_diff);
        }
        fprintf (stderr, "sim erlang: case %zu: %ld customers over %ld days in %.1f s wall\n",
                 i + 1, r->customers, r->days, r->wall_s);
    }
    if (json) {
        json_t *j = json_object ();
        json_object_set_new (j, "seed", json_integer ((json_int_t)seed));
        json_object_set_new (j, "customers", json_integer (customers));
        json_object_set_new (j, "quick", json_boolean (quick));
        json_object_set_new (j, "tolerance", s_real4 (tolerance));
        json_object_set_new (j, "all_within", json_boolean (all_within));
        json_object_set_new (j, "cases", cases);
        s_print_json (j);
        json_decref (j);
    } else {
        json_decref (cases);
        printf ("\n  rel diff = (simulated - Erlang C) / Erlang C, target within %.0f%% on long "
                "runs (SE: batch\n"
                "  means). FIFO path: the broker called every ticket exactly when one pooled\n"
                "  first-come line would have, on the same arrival and service draws. reference:\n"
                "  the in-memory M/M/c model, ten times longer, against Erlang C.\n",
                100 * tolerance);
    }
    fflush (stdout);
    fprintf (stderr, "sim erlang: %.1f s wall\n", s_wall () - wall0);
    if (s_interrupted)
        return 130;
    if (!all_sound || (!quick && !all_within))
        return PROTO_EXIT_REFUSED;
    return PROTO_EXIT_OK;
}

//  =======================================================================================
//  sim staffing

static void
s_staffing_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow [--broker EP] sim staffing --target P/M [--weeks N]\n"
             "                 [--max-counters N] [--json]\n"
             "\n"
             "Recommends counters per hour from the last weeks' arrivals (ticket.issued events in\n"
             "the broker's journal, by local hour, averaged over the days that had tickets) and\n"
             "service times (ticket.finished service_s): for each hour the smallest c with\n"
             "P(wait <= M minutes) >= P%% by Erlang C, P(W > t) = C e^{-(c mu - lambda) t},\n"
             "checked by the discrete-event M/M/c reference. Counters are pooled (any counter\n"
             "serves any service): specialised counters need more.\n"
             "\n"
             "  --target P/M      e.g. 80/15: 80%% called within 15 minutes (default)\n"
             "  --weeks N         how far back to read (default 4)\n"
             "  --max-counters N  the most to consider (default 50)\n"
             "  --json            one JSON object\n");
}

//  The first journal event at or after `cutoff` (Unix ms), by bisection on the sequence.
static int
s_seq_from (sim_opts_t *o, int64_t last, int64_t cutoff, int64_t *out)
{
    int64_t lo = 1, hi = last + 1; //  answer in [lo, hi]
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        json_t *r = NULL;
        int rc = sim_call (o, "events.range",
                            json_pack ("{s:I, s:i}", "from", (json_int_t)mid, "limit", 1), &r);
        if (rc != PROTO_EXIT_OK)
            return rc;
        json_t *ev = json_array_get (json_object_get (r, "events"), 0);
        int64_t t = ev ? s_get_int (ev, "time") : INT64_MAX;
        json_decref (r);
        if (t >= cutoff)
            hi = mid;
        else
            lo = mid + 1;
    }
    *out = lo;
    return PROTO_EXIT_OK;
}

int
sim_staffing_main (sim_opts_t *o, int argc, char **argv)
{
    double target = 0.8, t_min = 15;
    int weeks = 4, max_c = 50;
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},
        {"weeks", required_argument, NULL, 'w'},
        {"max-counters", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"broker", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "+t:w:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 't': {
            double p, m;
            char tail;
            if (sscanf (optarg, "%lf/%lf%c", &p, &m, &tail) != 2 || p <= 0 || p >= 100 || m <= 0 ||
                m > 600)
                return sim_usage_error ("staffing", "--target takes P/M, e.g. 80/15");
            target = p / 100;
            t_min = m;
            break;
        }
        case 'w':
            weeks = atoi (optarg);
            if (weeks < 1 || weeks > 52)
                return sim_usage_error ("staffing", "--weeks takes 1 to 52");
            break;
        case 'm':
            max_c = atoi (optarg);
            if (max_c < 1 || max_c > 1000)
                return sim_usage_error ("staffing", "--max-counters takes 1 to 1000");
            break;
        case 'j': o->json = true; break;
        case 'b': o->broker = optarg; break;
        case 'h': s_staffing_help (stdout); return PROTO_EXIT_OK;
        default: return sim_usage_error ("staffing", "bad option");
        }
    }
    if (optind < argc)
        return sim_usage_error ("staffing", "unexpected '%s'", argv[optind]);

    json_t *info = NULL, *r = NULL;
    int rc = sim_call (o, "hall.info", NULL, &info);
    if (rc != PROTO_EXIT_OK)
        return rc;
    int off = (int)s_get_int (json_object_get (info, "hall"), "utc_offset_min");
    int64_t now = s_get_int (info, "now");
    json_t *svcs = json_object_get (info, "services");
    int nsvc = (int)json_array_size (svcs);
    if (nsvc > 32)
        nsvc = 32;
    double conf_mean[32], sum_s[32] = {0};
    long n_s[32] = {0};
    char prefix[32][4];
    for (int s = 0; s < nsvc; s++) {
        json_t *sv = json_array_get (svcs, (size_t)s);
        snprintf (prefix[s], sizeof prefix[s], "%s", s_get_str (sv, "prefix"));
        conf_mean[s] = (double)s_get_int (sv, "mean_service_s");
    }
    //  Arrivals by (local hour, service), and the business days seen.
    long count[24][32] = {{0}};
    int days[400], ndays = 0;
    long tickets = 0;
    rc = sim_call (o, "events.range", json_pack ("{s:i, s:i}", "from", 1, "limit", 1), &r);
    if (rc != PROTO_EXIT_OK)
        goto done;
    int64_t last = s_get_int (r, "last_seq");
    json_decref (r);
    r = NULL;
    int64_t cutoff = now - (int64_t)weeks * 7 * 86400000;
    int64_t seq;
    rc = s_seq_from (o, last, cutoff, &seq);
    if (rc != PROTO_EXIT_OK)
        goto done;
    while (seq <= last) {
        rc = sim_call (o, "events.range",
                        json_pack ("{s:I, s:i}", "from", (json_int_t)seq, "limit", 1000), &r);
        if (rc != PROTO_EXIT_OK)
            goto done;
        json_t *events = json_object_get (r, "events");
        size_t i;
        json_t *ev;
        json_array_foreach (events, i, ev)
        {
            const char *topic = s_get_str (ev, "topic");
            json_t *t = json_object_get (ev, "ticket");
            const char *p = s_get_str (t, "service");
            int s = -1;
            for (int k = 0; k < nsvc; k++)
                if (strcmp (prefix[k], p) == 0)
                    s = k;
            if (s < 0)
                continue;
            if (strcmp (topic, "ticket.issued") == 0) {
                int h = s_local_min (s_get_int (t, "issued"), off) / 60;
                count[h][s]++;
                tickets++;
                int day = (int)s_get_int (t, "day");
                bool seen = false;
                for (int k = 0; k < ndays && !seen; k++)
                    seen = days[k] == day;
                if (!seen && ndays < 400)
                    days[ndays++] = day;
            } else if (strcmp (topic, "ticket.finished") == 0 && s_get_int (ev, "service_s") >= 0) {
                sum_s[s] += (double)s_get_int (ev, "service_s");
                n_s[s]++;
            }
        }
        size_t got = json_array_size (events);
        int64_t after = got ? s_get_int (json_array_get (events, got - 1), "seq") : -1;
        seq = after >= seq ? after + 1 : seq + 1000;
        json_decref (r);
        r = NULL;
    }
    if (!ndays) {
        fprintf (stderr, "onewindow sim staffing: no tickets in the last %d weeks\n", weeks);
        rc = PROTO_EXIT_REFUSED;
        goto done;
    }
    //  Service time per service: the journal's mean once it has 5 finished, else the config.
    double mean_s[32];
    for (int s = 0; s < nsvc; s++)
        mean_s[s] = n_s[s] >= 5 ? sum_s[s] / n_s[s] : conf_mean[s];
    json_t *hours = json_array ();
    if (!o->json) {
        printf ("Staffing for %.0f%% called within %.0f min, from %ld tickets on %d days (last %d "
                "weeks)\n\n",
                100 * target, t_min, tickets, ndays, weeks);
        printf ("  hour    arrivals/h  mean service  load (erl)  counters  P(wait<=%.0fm)  "
                "mean wait  simulated P\n",
                t_min);
    }
    for (int h = 0; h < 24; h++) {
        long n = 0;
        double work = 0;
        for (int s = 0; s < nsvc; s++) {
            n += count[h][s];
            work += count[h][s] * mean_s[s];
        }
        if (!n)
            continue;
        double lambda = (double)n / ndays / 60; //  per minute
        double es_min = work / n / 60, mu = 1 / es_min;
        int c = sim_erlang_staff (lambda, mu, t_min, target, max_c);
        double p = c > 0 ? 1 - sim_erlang_p_wait_gt (c, lambda, mu, t_min) : 0;
        double wq = c > 0 ? sim_erlang_wq (c, lambda, mu) : INFINITY;
        sim_mmc_result_t sim = {0};
        if (c > 0)
            sim_mmc_simulate (c, lambda, mu, 20000, 2000, SIM_MMC_FIFO, t_min, 1 + (uint64_t)h,
                               &sim, NULL);
        char label[16];
        snprintf (label, sizeof label, "%02d:00", h);
        json_array_append_new (hours, json_pack ("{s:s, s:o, s:o, s:o, s:i, s:o, s:o, s:o}", "hour",
                                                 label, "arrivals_per_h", s_real4 (lambda * 60),
                                                 "mean_service_s", s_real4 (es_min * 60),
                                                 "offered_load", s_real4 (lambda / mu), "counters",
                                                 c, "p_within", s_real4 (p), "wq_s",
                                                 isfinite (wq) ? s_real4 (wq * 60) : json_null (),
                                                 "sim_p_within", s_real4 (sim.p_within)));
        if (!o->json) {
            char cs[16];
            snprintf (cs, sizeof cs, c > 0 ? "%d" : "> %d", c > 0 ? c : max_c);
            printf ("  %s  %10.1f  %10.0f s  %10.2f  %8s  %12.1f%%  %7.0f s  %10.1f%%\n", label,
                    lambda * 60, es_min * 60, lambda / mu, cs, 100 * p,
                    isfinite (wq) ? wq * 60 : -1, 100 * sim.p_within);
        }
    }
    json_t *services = json_array ();
    for (int s = 0; s < nsvc; s++)
        json_array_append_new (services,
                               json_pack ("{s:s, s:o, s:I, s:b}", "service", prefix[s],
                                          "mean_service_s", s_real4 (mean_s[s]), "samples",
                                          (json_int_t)n_s[s], "from_journal", n_s[s] >= 5));
    if (o->json) {
        json_t *j =
            json_pack ("{s:{s:o, s:o}, s:i, s:i, s:I, s:o, s:o, s:s}", "target", "share",
                       s_real4 (target), "minutes", s_real4 (t_min), "weeks", weeks, "days", ndays,
                       "tickets", (json_int_t)tickets, "hours", hours, "services", services,
                       "model", "M/M/c per hour, counters pooled across services");
        s_print_json (j);
        json_decref (j);
    } else {
        json_decref (hours);
        json_decref (services);
        printf (
            "\n  counters: the fewest with P(wait <= %.0f min) >= %.0f%% by Erlang C (M/M/c, one\n"
            "  pooled line per hour, stationary within the hour); simulated P: the M/M/c\n"
            "  reference at that count.\n",
            t_min, 100 * target);
    }
    rc = PROTO_EXIT_OK;
done:
    json_decref (info);
    json_decref (r);
    return rc;
}

void
sim_signals (void)
{
    struct sigaction sa = {0};
    sa.sa_handler = s_on_signal;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
}
