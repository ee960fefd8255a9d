/*  test_util.h — helpers shared by the test suites: temp directories, paths to the built
    programs and the source tree, and a real broker process on private endpoints. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto_client.h"

//  A fresh directory under $TMPDIR (or /tmp); caller frees the string. Removed by
//  test_rmtree.
char *test_tmpdir (void);
//  Removes a directory tree (rm -rf). Safe on NULL.
void test_rmtree (const char *path);
//  Path of a file in the source tree ($OW_SRC_DIR, default "."), in a static buffer.
const char *test_src (const char *relative);
//  Path of a built program ($OW_BIN_DIR, default "bin"), in a static buffer.
const char *test_bin (const char *program);
//  Writes `text` to `path`. 0 / -1.
int test_write_file (const char *path, const char *text);
//  Reads a whole file; caller frees. NULL if it cannot be read.
char *test_read_file (const char *path);
//  Copies the file `from` to `to`. 0 / -1.
int test_copy_file (const char *from, const char *to);
//  A fresh temp directory holding a copy of etc/hall.example.json as hall.json and, in
//  calendar/ beside it (where the copy's relative cases.calendar looks), copies of the
//  published etc/calendar/YEAR.json for YEAR first..last: a hall whose year files a test
//  may change. The config's path goes to `config`. Caller frees the returned directory
//  path and removes the directory (test_rmtree). NULL on failure.
char *test_hall_copy (int first, int last, char *config, size_t size);
//  Runs a shell command and captures its stdout (caller frees). *status gets the exit code.
char *test_run (const char *command, int *status);

//  A broker started as a child process on ipc:// endpoints inside `dir`.
typedef struct {
    pid_t pid;
    char dir[512];    //  working directory (data/, endpoints, log)
    char req[600];    //  request endpoint
    char pub[600];    //  event endpoint
    char config[600]; //  config used
    char log[600];    //  broker's stderr
    char clock[64];   //  --clock argument
    char key[600];    //  --key FILE for CURVE; "" runs it --insecure
    char notify[700]; //  --notify-log FILE (the SMS outbox); "" for none
} test_broker_t;

//  Starts onewindow-broker with `config` (a path; NULL = etc/hall.example.json) in a new
//  temp dir, on a simulated clock starting at `sim_start_ms` (0 = real clock). Waits until
//  it answers hall.info. 0 / -1.
int test_broker_start (test_broker_t *b, const char *config, int64_t sim_start_ms);
//  Fills in `b` for a broker in the existing directory `dir` as test_broker_start does
//  (endpoints, log, `config` or the example hall, the clock), without starting it: for a
//  test that sets more (a --key, enrolled devices) before test_broker_restart.
void test_broker_prepare (test_broker_t *b, const char *dir, const char *config,
                          int64_t sim_start_ms);
//  Restarts a stopped broker on the same directory and endpoints. 0 / -1. (Also starts one
//  whose fields the caller filled in: dir, req, pub, log, config, clock and the others.)
int test_broker_restart (test_broker_t *b);
//  Sends a signal and reaps the process; returns its exit status (or 128+signal).
int test_broker_stop (test_broker_t *b, int sig);
//  Stops (SIGTERM) if running and removes the directory.
void test_broker_cleanup (test_broker_t *b);
//  True if the broker process is still alive.
bool test_broker_alive (test_broker_t *b);
//  A client for the broker with short timeouts; caller destroys it.
proto_client_t *test_client (const test_broker_t *b);

//  Sends a command and returns the reply body; asserts nothing. *code gets the status.
json_t *test_call (proto_client_t *c, const char *command, json_t *body, int *code);
//  Sends a command and returns its status; the reply body into *reply (the caller's), or
//  freed when `reply` is NULL.
int test_code (proto_client_t *c, const char *command, json_t *body, json_t **reply);

//  A subscriber to every event a broker publishes, for tests that watch the stream. An
//  event is {"topic": string, "seq": integer, "body": the event's JSON, or null if it is
//  not JSON}.
typedef struct test_sub test_sub_t;
//  Subscribes to everything at `endpoint` (a broker's pub). With `poke`, sends no-op
//  clock.advance commands through it until the subscription is seen to work (PUB/SUB joins
//  late), then drops the events that came; without, the caller makes sure of that.
//  NULL on failure. Caller destroys it.
test_sub_t *test_sub_new (const char *endpoint, proto_client_t *poke);
//  Closes the socket and sets *self_p to NULL. Safe on NULL.
void test_sub_destroy (test_sub_t **self_p);
//  The SUB socket (borrowed), to poll it.
void *test_sub_socket (test_sub_t *self);
//  The next journaled event (hall.estimates, which has no place in the journal's order, is
//  skipped), or NULL if none came within timeout_ms. Caller frees.
json_t *test_sub_next (test_sub_t *self, int timeout_ms);
//  The body of the next event with `topic`, skipping the others; NULL if none came within
//  timeout_ms. Caller frees.
json_t *test_sub_wait (test_sub_t *self, const char *topic, int timeout_ms);
//  As test_sub_wait, for an event whose body has the string `value` under `key`.
json_t *test_sub_wait_match (test_sub_t *self, const char *topic, const char *key,
                             const char *value, int timeout_ms);
//  Every event published so far: sends a marker (clock.advance of 0 ms through `c`) and
//  returns the events before its clock.advanced, in order (PUB/SUB delivers them first).
//  NULL if the marker did not come within 5 s. Caller frees the array.
json_t *test_sub_until_now (test_sub_t *self, proto_client_t *c);

struct broker_hall;
struct broker_ticket;
//  A new waiting ticket of `service` and `priority` in `hall`, enqueued in its line and
//  numbered PREFIX + id (asserts on failure). For policy and estimate tests.
struct broker_ticket *test_ticket_waiting (struct broker_hall *hall, int service, int priority);

#endif
