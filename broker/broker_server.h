/*  broker_server.h — the broker's event loop.

    One thread, one zmq_poll over the request ROUTER, with the event PUB beside it and the
    timers folded into the poll timeout. Each turn is one batch (group commit):

      1. read every request that is ready (up to BROKER_BATCH_MAX) without blocking;
      2. decode and validate each against the protocol table; a bad one gets its error
         reply queued and touches nothing;
      3. for a write command, look its request id up in the idempotency records
         (broker_idem.h): a retry gets the recorded reply; otherwise run the handler
         (broker_handlers.h) inside the one write transaction and record its reply there too;
      4. run due timers in the same transaction (broker_timers.h), after a SIGHUP the
         calendar's reload (broker_reload.h), and record what the SMS sender reported of
         its deliveries (broker_sms.h, broker_notify.h);
      5. commit with a real sync — once for the whole batch;
      6. only then send every reply, publish every event and hand the batch's notices to
         the SMS sender (a thread: the loop never waits on the gateway).

    If the commit fails (the map is full, the disk is failing), nothing has been sent: the
    server grows the map if that was the cause, rebuilds memory from the store, and runs
    the batch again once; if that fails too, every request in it gets `store_failed` and
    nothing it asked for happened. */
#ifndef BROKER_SERVER_H
#define BROKER_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "broker_clock.h"
#include "broker_config.h"
#include "proto_msg.h"

#define BROKER_BATCH_MAX 1024
//  The most a request's frames may hold in all: a body of PROTO_MAX_MSG (which gets its
//  too_large reply) and room for the signature, command and request id. libzmq refuses any
//  one frame over PROTO_MAX_MSG (ZMQ_MAXMSGSIZE), but not a message of many such frames.
#define BROKER_MAX_REQUEST (PROTO_MAX_MSG + 1024)
//  The longest a batch smaller than the previous one waits for more requests (µs; see
//  s_linger in broker_server.c).
#define BROKER_LINGER_US 300
//  hall.estimates is published at most this often (ms of real time) while the hall changes.
#define BROKER_ESTIMATES_MS 1000

typedef struct {
    const char *config_path; //  hall config file
    const char *data_dir;    //  LMDB directory (created if missing)
    const char *bind;        //  request endpoint (ROUTER), e.g. tcp://*:7100
    const char *pub;         //  event endpoint (PUB), e.g. tcp://*:7101
    const char *advertise;   //  event endpoint told to clients (hall.info); NULL = derived
    size_t map_size;         //  initial LMDB map size in bytes (0 = default)
    const char *notify_log;  //  a copy of each notice (SMS), one JSON line each; NULL: none
    const char *key_path;    //  the broker's CURVE keypair file; NULL: no CURVE
    bool insecure;           //  no CURVE, every peer every role: local endpoints only
    bool new_store;          //  --new-store: make a new store beside an earlier one's traces
    bool sim_clock;          //  run on the simulated clock
    int64_t sim_start_ms;    //  its start, Unix ms (0 = now)
} broker_options_t;

typedef struct broker_server broker_server_t;

//  Loads the config, opens the store, rebuilds the hall, binds the sockets. NULL on
//  failure with the reason logged.
broker_server_t *broker_server_new (const broker_options_t *options);
//  Closes everything; sets *self_p to NULL.
void broker_server_destroy (broker_server_t **self_p);
//  Enrols a device in the store in `data_dir` without starting the broker (the first
//  admin key, or a demo's devices). spec: "ROLE:NAME:PUBLIC_KEY_OR_KEY_FILE". 0 / -1.
int broker_enroll_offline (const char *data_dir, const char *spec);

//  Runs the loop until *stop becomes nonzero (set from a signal handler). When *reload
//  (may be NULL) becomes nonzero (SIGHUP), clears it and reloads the calendar in the next
//  batch, as calendar.reload does (broker_reload.h). 0 on a clean stop, -1 on a fatal error.
int broker_server_run (broker_server_t *self, volatile sig_atomic_t *stop,
                       volatile sig_atomic_t *reload);

#endif
