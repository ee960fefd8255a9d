/*  bench.h — onewindow-bench: the speed of the hall measured against the physical limits
    of this machine, in one run (issue 8, docs/PERFORMANCE.md).

    Every figure is measured `runs` times; the table shows the median and the min–max of
    the runs, and a ratio to the limit it is bounded by where one applies. The sections:

      limits   raw LMDB synced commits (bench_limits.c), raw ZeroMQ DEALER/ROUTER echo
      broker   durable ticket.issue and a mixed counter workload (bench_broker.c)
      peers    the same durable ticket on Redis and PostgreSQL, onewindow's ratio to each
               (bench_peers.c)
      reads    ticket.status and hall.snapshot
      fan-out  events to 10 and 100 subscribers, call-to-subscriber latency
      vault    scan-to-unlock through the real onewindow-vault (bench_vault.c)
      scale    start-up and memory with 1,000,000 historical cases (bench_scale.c)
      district 32 halls at 10x a busy peak and one district: event lag, CPU, memory,
               catch-up after a 10-minute hall outage (bench_district.c)

    The client side of every network figure (echo limit and broker alike) is the same code:
    bench_load_run with N threads, each with its own DEALER socket on one shared context,
    sending [signature, command, request-id, body] and waiting for the 4-frame reply. */
#ifndef BENCH_H
#define BENCH_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_MAX_RUNS    16
#define BENCH_MAX_CLIENTS 128

//  ---------------------------------------------------------------------------------------
//  Options and figures

#define BENCH_MAX_FIGS 128

typedef struct bench_fig bench_fig_t;

typedef struct {
    bool quick;       //  --quick: short runs
    bool json;        //  --json: the results as JSON on stdout instead of the table
    int runs;         //  repetitions of every figure
    double seconds;   //  measuring window of one run
    double warmup;    //  load before the window opens
    long scale_cases; //  historical cases for the scale section
    const char *only; //  --only SECTION[,SECTION]: run just these
    char bin[512];    //  where the programs are ($OW_BIN_DIR, default bin)
    char src[512];    //  the source tree ($OW_SRC_DIR, default .)
    char work[512];   //  scratch directory (var/bench/run), same filesystem as var/
    char csv[512];    //  results CSV (var/bench/latest.csv)
    char self[512];   //  this program, for its helper modes
    bench_fig_t *figs[BENCH_MAX_FIGS]; //  every figure measured, in order
    int nfigs;
} bench_t;

//  One figure: a value per run, its unit, and the limit it is compared with.
struct bench_fig {
    char section[16]; //  limits, broker, peers, reads, fan-out, vault, scale, district
    char name[64];    //  CSV name, e.g. broker.mix.ops
    char label[64];   //  table label
    int clients;      //  concurrent clients (subscribers for fan-out); 0: not applicable
    char unit[16];
    double runs[BENCH_MAX_RUNS];
    int nruns;
    const char *limit; //  CSV name of the limit figure (same clients unless limit_clients)
    int limit_clients;
    double target; //  the target (0: none); ratio targets when target_ratio
    bool target_ratio;
    bool target_max; //  the target is a maximum (latency, time, memory)
};

//  The figure `name` with `clients`, created on first use. Never NULL (aborts on OOM).
bench_fig_t *bench_fig (bench_t *b, const char *section, const char *name, int clients,
                        const char *unit, const char *label);
//  Records one run's value.
void bench_fig_add (bench_fig_t *fig, double value);
//  Median / min / max of the runs (NAN with none).
double bench_fig_median (const bench_fig_t *fig);
double bench_fig_min (const bench_fig_t *fig);
double bench_fig_max (const bench_fig_t *fig);
//  The figure's median over its limit's median, NAN when no limit applies or is known.
double bench_fig_ratio (const bench_t *b, const bench_fig_t *fig);
//  Looks a figure up (NULL if not measured).
bench_fig_t *bench_fig_find (const bench_t *b, const char *name, int clients);
//  Prints the table / JSON; writes the CSV. 0 / -1.
void bench_print_table (const bench_t *b, double wall_s);
void bench_print_json (const bench_t *b, double wall_s);
int bench_write_csv (const bench_t *b, const char *path);

//  ---------------------------------------------------------------------------------------
//  Time and statistics

//  Monotonic clock in nanoseconds.
int64_t bench_now_ns (void);
//  Sleeps `ms` milliseconds.
void bench_sleep_ms (double ms);

//  A growable array of samples (latencies in ns, or anything).
typedef struct {
    int64_t *v;
    size_t n, cap;
} bench_samples_t;

void bench_samples_add (bench_samples_t *s, int64_t value);
void bench_samples_append (bench_samples_t *s, const bench_samples_t *more);
void bench_samples_free (bench_samples_t *s);
//  The p-quantile (0..1) by nearest rank; sorts the samples. 0 with none.
int64_t bench_samples_quantile (bench_samples_t *s, double p);

//  Prints a progress line on stderr (not in --json mode's stdout).
void bench_progress (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

//  ---------------------------------------------------------------------------------------
//  Processes

//  A free TCP port on 127.0.0.1 (bound and released). -1 on failure.
int bench_free_port (void);
//  Starts `argv` (argv[0] a path) with stdout and stderr appended to `log`. pid or -1.
pid_t bench_spawn (char *const argv[], const char *log);
//  Sends `sig`, waits; the exit status (128+signal when killed).
int bench_stop (pid_t pid, int sig);
//  Resident set size (VmRSS) and its peak (VmHWM) of `pid`, in KiB. 0 / -1.
int bench_rss_kb (pid_t pid, long *rss, long *hwm);
//  CPU time (user + system) `pid` has used so far, in seconds; -1 if unknown.
double bench_cpu_s (pid_t pid);
//  rm -rf `path` (refuses "" and "/").
void bench_rmtree (const char *path);
//  mkdir -p. 0 / -1.
int bench_mkdirs (const char *path);
//  Total size of the regular files in `dir` (not recursive), in bytes.
long long bench_dir_bytes (const char *dir);

//  A broker for one measurement: its own data directory and TCP endpoints.
typedef struct {
    pid_t pid;
    char dir[600]; //  its directory: data/, broker.log
    char data[700];
    char req[64]; //  tcp://127.0.0.1:PORT
    char pub[64];
    char config[700];
    char log[700];
    char clock[64];   //  "real" or "sim:MS"
    char notify[700]; //  --notify-log, "" for none
} bench_broker_t;

//  Prepares `b` in a new directory `name` under the work directory, with `config`.
void bench_broker_init (bench_broker_t *br, const bench_t *b, const char *name, const char *config);
//  Starts it and waits until it answers hall.info. 0 / -1 (log shown on stderr).
//  *ready_ns gets the time from exec to the first reply when not NULL.
int bench_broker_start (bench_broker_t *br, const bench_t *b, int64_t *ready_ns);
//  Stops it (SIGTERM) and keeps its directory.
void bench_broker_stop (bench_broker_t *br);
//  Stops it and removes its directory.
void bench_broker_cleanup (bench_broker_t *br);

//  ---------------------------------------------------------------------------------------
//  The client side: lean DEALER clients, one per thread

typedef struct {
    void *sock;      //  DEALER
    int index;       //  client number
    uint64_t seq;    //  request counter
    uint64_t nonce;  //  makes request ids unique across runs
    char status[40]; //  last reply's status ("ok", an error code, "timeout")
    char *body;      //  last reply's body (NUL-terminated, owned)
    size_t body_cap;
    //  what the load runner counts for this client while the window is open
    bench_samples_t lat; //  request latencies (ns)
    long ops, errors;
} bench_client_t;

//  A shared ZeroMQ context for clients (1 I/O thread, as every device has).
void *bench_zctx (void);
//  Connects client `index` to `endpoint` on `zctx`. 0 / -1.
int bench_client_open (bench_client_t *c, void *zctx, const char *endpoint, int index);
void bench_client_close (bench_client_t *c);
//  One request (body is JSON text) and its reply, waiting at most timeout_ms. 0 when a
//  reply came (c->status says which), -1 on timeout (status "timeout"). No retry:
//  a benchmark client that times out is a failure to report, not to hide.
int bench_client_call (bench_client_t *c, const char *command, const char *body, int timeout_ms);
//  Like bench_client_call but fails unless the status is "ok"; reports the failure.
int bench_client_ok (bench_client_t *c, const char *command, const char *body);
//  The string value of "key" in the last reply body (first occurrence), into out. 0 / -1.
int bench_reply_str (const bench_client_t *c, const char *key, char *out, size_t size);

//  A workload: one call per turn of a client thread. `step` runs one operation (one or
//  more requests) and returns the number of requests it completed, or -1 to stop the
//  client (a failure, reported). Latencies of single requests are recorded by the step
//  through bench_load_record.
typedef struct bench_load bench_load_t;
typedef int (bench_step_fn) (bench_load_t *load, bench_client_t *c, void *state);

struct bench_load {
    const char *endpoint;
    int clients;
    bench_step_fn *step;
    void *(*state_new) (bench_load_t *load, bench_client_t *c); //  per client; may be NULL
    void (*state_free) (void *state);
    void *arg; //  the workload's own data
    double warmup_s, seconds;
    pid_t watch; //  a process whose CPU time is measured over the window (0: none)
    //  results
    atomic_int measuring; //  set while the window is open
    atomic_int stop;
    int64_t window_ns;
    long ops;            //  requests completed in the window
    long errors;         //  non-ok replies in the window
    long failed;         //  clients that stopped on a failure
    bench_samples_t lat; //  request latencies in the window
    double watch_cpu_s;  //  CPU seconds (user + system) `watch` used in the window
};

//  Runs the workload: starts the client threads, lets them warm up, measures for
//  `seconds`, stops them. 0 / -1.
int bench_load_run (bench_load_t *load);
//  Records one request of client `c` (start time from bench_now_ns, and whether the
//  reply was ok) if the window is open.
void bench_load_record (bench_load_t *load, bench_client_t *c, int64_t start_ns, bool ok);
//  A call that records its latency when the window is open: the status check is the
//  caller's. 0 / -1 on timeout.
int bench_load_call (bench_load_t *load, bench_client_t *c, const char *command, const char *body);

//  ---------------------------------------------------------------------------------------
//  Sections

int bench_limits (bench_t *b);
int bench_broker (bench_t *b);
//  The peers: started at the first run, stopped by bench_peers_stop at the end. A peer
//  that is not installed is skipped (bench_peers_skipped says why, "" if none was).
int bench_peers (bench_t *b);
void bench_peers_stop (const bench_t *b);
const char *bench_peers_skipped (void);
int bench_reads (bench_t *b);
int bench_fanout (bench_t *b);
int bench_vault (bench_t *b);
int bench_scale (bench_t *b);
int bench_district (bench_t *b);

//  Helper modes of the program (argv[1]): the echo server and the scale generator.
int bench_echo_server_main (int argc, char **argv);
int bench_generate_main (int argc, char **argv);
int bench_load_main (int argc, char **argv);

//  A valid mainland ID number (18 characters and NUL) for applicant `n`: region 110105,
//  born 1950..1999, the check character computed.
void bench_id_number (unsigned long n, char out[19]);

//  Writes the bench hall config (the example hall, its calendar by absolute path, and
//  `counters` counters serving every service) to `path`. 0 / -1.
int bench_hall_config (const bench_t *b, const char *path, int counters);

#endif
