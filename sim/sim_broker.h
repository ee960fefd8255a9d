/*  sim_broker.h — the simulator's private broker: onewindow-broker as a child process in a
    working directory of its own (a temp dir on /dev/shm when it exists, where fsync is
    cheap), on ipc:// endpoints, --insecure, with a simulated clock (--clock sim:START)
    that only the simulator moves. The broker dies with the simulator, whatever ends it. */
#ifndef SIM_BROKER_H
#define SIM_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;     //  child process, 0 when not running
    char dir[400]; //  working directory: data/, the endpoints, broker.log
    char req[512]; //  request endpoint
    char log[512]; //  the broker's stdout and stderr
    bool keep;     //  leave dir in place at the end
} sim_broker_t;

//  Makes the working directory: `keep` if given (created, must not hold a store), else a
//  new temp directory. 0, or -1 with the reason on stderr.
int sim_broker_dir (sim_broker_t *b, const char *keep);
//  Starts the broker on `config` with its simulated clock at `start_ms`. 0 / -1.
int sim_broker_start (sim_broker_t *b, const char *config, int64_t start_ms);
//  Stops the broker and starts it again on an empty store at `start_ms` (a clock cannot
//  go back). 0 / -1.
int sim_broker_restart (sim_broker_t *b, const char *config, int64_t start_ms);
//  True while the process runs (reaps it when it has ended).
bool sim_broker_alive (sim_broker_t *b);
//  Copies the broker's log to stderr (after it failed).
void sim_broker_show_log (const sim_broker_t *b);
//  Stops the broker (SIGTERM, then waits) and removes the directory unless kept.
void sim_broker_stop (sim_broker_t *b);

//  A file of the program's tree: ../etc/NAME beside the program (bin/ of the source tree
//  or of a build dir), ../share/onewindow/NAME when installed, else $OW_SRC_DIR/etc/NAME.
//  0, or -1 when none is readable.
int sim_find_etc (const char *name, char *out, size_t size);

#endif
