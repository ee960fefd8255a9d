/*  bench_peers.c — the same durable "issue a ticket" transaction on Redis and PostgreSQL,
    measured in the same run as the broker, turn about with it (issue 18).

    The transaction: take the next number of one of 7 services (a counter per service, as
    the broker numbers each service's line), store a 300-byte ticket row under a new id,
    append a 300-byte event to a journal, and answer only once it is on disk:

      Redis       one EVAL per ticket (INCR num:SERVICE, INCR ticket:id, SET ticket:ID,
                  XADD events), appendonly with appendfsync always: the AOF is written and
                  fsynced before any reply of the event-loop turn leaves (group commit).
                  Driven by redis-benchmark, N connections, no pipelining.
      PostgreSQL  one transaction per ticket (UPDATE numbers ... RETURNING, INSERT tickets
                  ... RETURNING id, INSERT events, COMMIT) with synchronous_commit on and
                  fsync on (the WAL is flushed at commit; concurrent commits share a flush).
                  Driven by pgbench with a custom script, N connections.

    Each server is started once, on a throwaway data directory under the bench's work
    directory (the filesystem the broker's store is measured on), and stopped at the end.
    Each run of this section measures both at 1, 8 and 32 clients, right after the broker
    section's run, and records onewindow's ticket.issue of that same run over each peer's
    figure: ratios measured minutes apart at most, under the same load. Without
    redis-server and redis-benchmark, or without PostgreSQL's initdb/pg_ctl/pgbench/psql,
    that peer is skipped with a line saying so (scripts/install-deps --bench installs
    them). As root, PostgreSQL (which refuses to run as root) runs as the user postgres. */
#include "bench.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const int s_clients[] = {1, 8, 32};
#define NCLIENTS   (int)(sizeof s_clients / sizeof s_clients[0])
#define ROW_BYTES  300
#define NSERVICES  7
#define PG_TX_USER "postgres" //  who runs PostgreSQL when the bench runs as root

//  The Redis side of the transaction: ARGV[1] the service, ARGV[2] the row.
#define REDIS_SCRIPT                                                    \
    "local n = redis.call('INCR', 'num:' .. ARGV[1]) "                  \
    "local id = redis.call('INCR', 'ticket:id') "                       \
    "redis.call('SET', 'ticket:' .. id, ARGV[2]) "                      \
    "redis.call('XADD', 'events', '*', 'ticket', id, 'body', ARGV[2]) " \
    "return n"

//  The PostgreSQL side, a pgbench script.
#define PG_SCRIPT                                                                       \
    "\\set s random(1, 7)\n"                                                            \
    "BEGIN;\n"                                                                          \
    "UPDATE numbers SET n = n + 1 WHERE service = :s RETURNING n;\n"                    \
    "INSERT INTO tickets (service, body) VALUES (:s, repeat('x', 300)) RETURNING id;\n" \
    "INSERT INTO events (body) VALUES (repeat('e', 300));\n"                            \
    "COMMIT;\n"

#define PG_SCHEMA                                                                                \
    "CREATE TABLE numbers (service int PRIMARY KEY, n bigint NOT NULL);"                         \
    "INSERT INTO numbers SELECT g, 0 FROM generate_series(1, 7) g;"                              \
    "CREATE TABLE tickets (id bigserial PRIMARY KEY, service int NOT NULL, body text NOT NULL);" \
    "CREATE TABLE events (seq bigserial PRIMARY KEY, body text NOT NULL);"

typedef struct {
    bool tried;       //  start attempted (once per program run)
    bool up;          //  running
    const char *skip; //  why it is not measured
    int port;
    pid_t pid; //  redis-server (PostgreSQL is stopped with pg_ctl)
    char dir[700];
    double rate[NCLIENTS]; //  the last rate measured, to size the next run
} s_peer_t;

static s_peer_t s_redis, s_pg;
static char s_pgbin[512];

//  True if `prog` is an executable in $PATH; its path into `out` (may be NULL).
static bool
s_which (const char *prog, char *out, size_t size)
{
    const char *path = getenv ("PATH");
    char buf[1024];
    for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
        const char *colon = strchr (p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen (p);
        snprintf (buf, sizeof buf, "%.*s/%s", (int)n, p, prog);
        if (access (buf, X_OK) == 0) {
            if (out && strlen (buf) < size)
                memcpy (out, buf, strlen (buf) + 1);
            return true;
        }
        p = colon ? colon + 1 : NULL;
    }
    return false;
}

//  Waits until something listens on 127.0.0.1:port (at most `ms`). 0 / -1.
static int
s_wait_port (int port, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons ((uint16_t)port),
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
        int ok = fd >= 0 && connect (fd, (struct sockaddr *)&a, sizeof a) == 0;
        if (fd >= 0)
            close (fd);
        if (ok)
            return 0;
        bench_sleep_ms (20);
    }
    return -1;
}

//  Runs a shell command with its output appended to `log`. 0 if it exited 0.
static int s_sh (const char *log, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static int
s_sh (const char *log, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (cmd, sizeof cmd, fmt, ap);
    va_end (ap);
    if (n < 0 || (size_t)n >= sizeof cmd - 32 - strlen (log))
        return -1;
    snprintf (cmd + n, sizeof cmd - (size_t)n, " >>'%s' 2>&1", log);
    return system (cmd) == 0 ? 0 : -1;
}

//  ---------------------------------------------------------------------------------------
//  Redis

static void
s_redis_start (bench_t *b)
{
    s_peer_t *p = &s_redis;
    p->tried = true;
    char prog[600];
    if (!s_which ("redis-server", prog, sizeof prog) || !s_which ("redis-benchmark", NULL, 0)) {
        p->skip = "redis-server or redis-benchmark is not installed (scripts/install-deps --bench)";
        return;
    }
    snprintf (p->dir, sizeof p->dir, "%s/peer-redis", b->work);
    bench_rmtree (p->dir);
    bench_mkdirs (p->dir);
    p->port = bench_free_port ();
    char port[16], log[760];
    snprintf (port, sizeof port, "%d", p->port);
    snprintf (log, sizeof log, "%s/redis.log", p->dir);
    char *argv[] = {prog,        "--port",
                    port,        "--bind",
                    "127.0.0.1", "--dir",
                    p->dir,      "--appendonly",
                    "yes",       "--appendfsync",
                    "always",    "--save",
                    "",          "--daemonize",
                    "no",        "--protected-mode",
                    "no",        "--maxclients",
                    "1000",      "--logfile",
                    "",          NULL};
    p->pid = bench_spawn (argv, log);
    if (p->pid <= 0 || s_wait_port (p->port, 5000) != 0) {
        p->skip = "redis-server did not start (see its log with OW_BENCH_KEEP=1)";
        if (p->pid > 0)
            bench_stop (p->pid, SIGKILL);
        p->pid = 0;
        return;
    }
    p->up = true;
    for (int k = 0; k < NCLIENTS; k++)
        p->rate[k] = s_clients[k] == 1 ? 2000 : 8000;
}

//  One redis-benchmark run with `clients` connections for about `seconds`: ops/s and p99
//  (ms). 0 / -1.
static int
s_redis_run (bench_t *b, int k, double *ops, double *p99)
{
    s_peer_t *p = &s_redis;
    int clients = s_clients[k];
    long n = (long)(p->rate[k] * b->seconds);
    if (n < 100L * clients)
        n = 100L * clients;
    char row[ROW_BYTES + 1];
    memset (row, 'x', ROW_BYTES);
    row[ROW_BYTES] = 0;
    char cmd[2048];
    //  -r 7: __rand_int__ becomes one of 7 services. --csv: test, rps, avg, min, p50, p95,
    //  p99, max (latencies in ms).
    snprintf (cmd, sizeof cmd,
              "redis-benchmark -h 127.0.0.1 -p %d -c %d -n %ld -r %d --csv EVAL \"%s\" 0 "
              "__rand_int__ %s 2>/dev/null",
              p->port, clients, n, NSERVICES, REDIS_SCRIPT, row);
    FILE *f = popen (cmd, "r");
    if (!f)
        return -1;
    char line[4096], last[4096] = "";
    while (fgets (line, sizeof line, f))
        if (strncmp (line, "\"EVAL", 5) == 0)
            snprintf (last, sizeof last, "%s", line);
    int rc = pclose (f);
    //  The fields after the command (which holds no ",\"" of its own).
    const char *q = strstr (last, "\",\"");
    double v[7] = {0};
    int got = 0;
    for (q = q ? q + 1 : NULL; q && got < 7; q = strstr (q + 1, ",\""))
        v[got++] = atof (q + 2);
    if (rc != 0 || got < 6 || v[0] <= 0) {
        fprintf (stderr, "bench: redis-benchmark at %d clients failed\n", clients);
        return -1;
    }
    *ops = v[0];
    *p99 = v[5];
    p->rate[k] = v[0];
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  PostgreSQL

//  "runuser -u postgres -- " when root (PostgreSQL refuses to run as root), else "".
static const char *
s_pg_as (void)
{
    return geteuid () == 0 ? "runuser -u " PG_TX_USER " -- " : "";
}

//  The directory of initdb, pg_ctl and postgres: Debian keeps them out of $PATH.
static int
s_pg_find (void)
{
    glob_t g;
    if (glob ("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0 && g.gl_pathc) {
        snprintf (s_pgbin, sizeof s_pgbin, "%s", g.gl_pathv[g.gl_pathc - 1]);
        *strrchr (s_pgbin, '/') = 0;
        globfree (&g);
        return 0;
    }
    globfree (&g);
    if (s_which ("initdb", NULL, 0) && s_which ("pg_ctl", NULL, 0)) {
        s_pgbin[0] = 0;
        return 0;
    }
    return -1;
}

static void
s_pg_start (bench_t *b)
{
    s_peer_t *p = &s_pg;
    p->tried = true;
    if (s_pg_find () != 0 || !s_which ("pgbench", NULL, 0) || !s_which ("psql", NULL, 0)) {
        p->skip = "PostgreSQL (initdb, pg_ctl, pgbench, psql) is not installed "
                  "(scripts/install-deps --bench)";
        return;
    }
    char bin[600], log[760], data[760];
    snprintf (bin, sizeof bin, "%s%s", s_pgbin, s_pgbin[0] ? "/" : "");
    //  Absolute: the server runs in its data directory, and its socket goes beside it.
    char work[PATH_MAX + 1] = "";
    if (!realpath (b->work, work)) {
        p->skip = "the work directory has no absolute path";
        return;
    }
    snprintf (p->dir, sizeof p->dir, "%.600s/peer-pg", work);
    bench_rmtree (p->dir);
    bench_mkdirs (p->dir);
    snprintf (log, sizeof log, "%s/pg.log", p->dir);
    snprintf (data, sizeof data, "%s/data", p->dir);
    p->port = bench_free_port ();
    if (geteuid () == 0 && s_sh (log, "chown %s: '%s' '%s'", PG_TX_USER, p->dir, log) != 0) {
        p->skip = "cannot give the user " PG_TX_USER " its data directory";
        return;
    }
    //  --no-sync for initdb only: the measured commits are synced (fsync and
    //  synchronous_commit on, the defaults, named here so no config can change them).
    if (s_sh (log, "%s'%sinitdb' -D '%s' -U bench --auth=trust -E UTF8 --no-sync", s_pg_as (), bin,
              data) != 0 ||
        s_sh (log,
              "%s'%spg_ctl' -D '%s' -l '%s/server.log' -w -t 30 -o \"-p %d -k '%s' -c "
              "listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c "
              "full_page_writes=on -c max_connections=100\" start",
              s_pg_as (), bin, data, p->dir, p->port, p->dir) != 0) {
        p->skip = "PostgreSQL did not start (its log: OW_BENCH_KEEP=1, var/bench/run/peer-pg)";
        return;
    }
    p->up = true;
    if (s_sh (log, "psql -q -h 127.0.0.1 -p %d -U bench -d postgres -v ON_ERROR_STOP=1 -c \"%s\"",
              p->port, PG_SCHEMA) != 0) {
        p->skip = "psql could not make the bench's tables";
        return;
    }
    char script[760];
    snprintf (script, sizeof script, "%s/issue.sql", p->dir);
    FILE *f = fopen (script, "w");
    if (!f || fputs (PG_SCRIPT, f) < 0) {
        p->skip = "cannot write the pgbench script";
        if (f)
            fclose (f);
        return;
    }
    fclose (f);
    for (int k = 0; k < NCLIENTS; k++)
        p->rate[k] = 1000;
}

//  The p99 of the latencies (µs, third field) in pgbench's transaction logs PREFIX.*, ms.
static double
s_pg_p99 (const char *dir, const char *prefix)
{
    bench_samples_t lat = {0};
    DIR *d = opendir (dir);
    struct dirent *e;
    while (d && (e = readdir (d))) {
        if (strncmp (e->d_name, prefix, strlen (prefix)) != 0)
            continue;
        char path[1200], line[256];
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen (path, "r");
        long client, tx, us;
        while (f && fgets (line, sizeof line, f))
            if (sscanf (line, "%ld %ld %ld", &client, &tx, &us) == 3)
                bench_samples_add (&lat, us);
        if (f)
            fclose (f);
        unlink (path);
    }
    if (d)
        closedir (d);
    double p99 = lat.n ? (double)bench_samples_quantile (&lat, 0.99) / 1e3 : NAN;
    bench_samples_free (&lat);
    return p99;
}

//  One pgbench run with `clients` connections for about `seconds`: ops/s and p99 (ms).
static int
s_pg_run (bench_t *b, int k, double *ops, double *p99)
{
    s_peer_t *p = &s_pg;
    int clients = s_clients[k];
    long per_client = (long)(p->rate[k] * b->seconds / clients);
    if (per_client < 20)
        per_client = 20;
    char cmd[2048];
    //  -n: no vacuum of pgbench's own tables (there are none); -t: transactions per client;
    //  -l: every transaction's latency into pglog.* for the p99.
    snprintf (cmd, sizeof cmd,
              "cd '%s' && pgbench -n -h 127.0.0.1 -p %d -U bench -c %d -j %d -t %ld -l "
              "--log-prefix=pglog -f issue.sql postgres 2>&1",
              p->dir, p->port, clients, clients < 2 ? clients : 2, per_client);
    FILE *f = popen (cmd, "r");
    if (!f)
        return -1;
    char line[512];
    double tps = 0;
    while (fgets (line, sizeof line, f)) {
        const char *t = strstr (line, "tps = ");
        if (t)
            tps = atof (t + 6);
    }
    int rc = pclose (f);
    double q = s_pg_p99 (p->dir, "pglog");
    if (rc != 0 || tps <= 0) {
        fprintf (stderr, "bench: pgbench at %d clients failed\n", clients);
        return -1;
    }
    *ops = tps;
    *p99 = q;
    p->rate[k] = tps;
    return 0;
}

static void
s_pg_stop (void)
{
    char bin[600], log[760];
    snprintf (bin, sizeof bin, "%s%s", s_pgbin, s_pgbin[0] ? "/" : "");
    snprintf (log, sizeof log, "%s/pg.log", s_pg.dir);
    s_sh (log, "%s'%spg_ctl' -D '%s/data' -m immediate -w stop", s_pg_as (), bin, s_pg.dir);
}

//  ---------------------------------------------------------------------------------------
//  The section

//  Records one peer's run and onewindow's ticket.issue of this run over it.
static void
s_record (bench_t *b, const char *peer, const char *label, int clients, double ops, double p99)
{
    const char *peer_name = strcmp (peer, "redis") == 0 ? "Redis" : "PostgreSQL";
    char name[64], text[64];
    snprintf (name, sizeof name, "peers.%s.ops", peer);
    snprintf (text, sizeof text, "%s: tickets", label);
    bench_fig_add (bench_fig (b, "peers", name, clients, "tickets/s", text), ops);
    snprintf (name, sizeof name, "peers.%s.p99", peer);
    snprintf (text, sizeof text, "%s: p99", label);
    bench_fig_add (bench_fig (b, "peers", name, clients, "ms", text), p99);
    //  The broker section ran just before this one in the same run: its latest figure.
    const bench_fig_t *ow = bench_fig_find (b, "broker.issue.ops", clients);
    if (!ow || !ow->nruns || ops <= 0)
        return;
    snprintf (name, sizeof name, "peers.ow_over_%s", peer);
    snprintf (text, sizeof text, "onewindow ticket.issue / %s", peer_name);
    bench_fig_t *f = bench_fig (b, "peers", name, clients, "x", text);
    if (clients == 32) {
        f->target = strcmp (peer, "redis") == 0 ? 1 : 5;
    }
    bench_fig_add (f, ow->runs[ow->nruns - 1] / ops);
}

int
bench_peers (bench_t *b)
{
    if (!s_redis.tried)
        s_redis_start (b);
    if (!s_pg.tried)
        s_pg_start (b);
    static bool said;
    if (!said) {
        said = true;
        if (s_redis.skip)
            bench_progress ("peers: Redis skipped: %s", s_redis.skip);
        if (s_pg.skip)
            bench_progress ("peers: PostgreSQL skipped: %s", s_pg.skip);
    }
    for (int k = 0; k < NCLIENTS; k++) {
        double ops, p99;
        if (s_redis.up && !s_redis.skip && s_redis_run (b, k, &ops, &p99) == 0) {
            s_record (b, "redis", "Redis EVAL, appendfsync always", s_clients[k], ops, p99);
            bench_progress ("peers: Redis at %d clients: %.0f tickets/s, p99 %.2f ms", s_clients[k],
                            ops, p99);
        }
        if (s_pg.up && !s_pg.skip && s_pg_run (b, k, &ops, &p99) == 0) {
            s_record (b, "pg", "PostgreSQL, synchronous_commit", s_clients[k], ops, p99);
            bench_progress ("peers: PostgreSQL at %d clients: %.0f tickets/s, p99 %.2f ms",
                            s_clients[k], ops, p99);
        }
    }
    return 0;
}

void
bench_peers_stop (const bench_t *b)
{
    (void)b;
    if (s_redis.pid > 0)
        bench_stop (s_redis.pid, SIGTERM);
    s_redis.pid = 0;
    if (s_pg.up)
        s_pg_stop ();
    s_redis.up = s_pg.up = false;
}

const char *
bench_peers_skipped (void)
{
    static char text[512];
    text[0] = 0;
    if (s_redis.skip)
        snprintf (text, sizeof text, "Redis: %s. ", s_redis.skip);
    if (s_pg.skip)
        snprintf (text + strlen (text), sizeof text - strlen (text), "PostgreSQL: %s.", s_pg.skip);
    return text;
}
