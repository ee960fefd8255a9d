/*  proto_client.h — the request client every device uses (ZeroMQ Guide, "Lazy Pirate").

    One DEALER socket to the broker. A call sends [signature, command, request-id, body]
    (framed by proto_wire) and waits for the reply carrying the same request id. If none
    comes within the timeout, the socket is closed and reopened (dropping anything queued
    on the dead connection) and the same request, with the same request id, is sent again;
    the broker's idempotency record makes the retry safe: a request that was applied
    returns its first reply and changes nothing twice. Replies with other request ids
    (late answers to earlier tries) are discarded.

    A broker that refuses this device's CURVE handshake never sees the request, so it cannot
    answer; the client watches its socket's handshake events instead and ends the call at
    once with the code "key_refused": a key not enrolled or revoked, the wrong broker key,
    no keys for a broker that wants them, or keys for one that runs --insecure. */
#ifndef PROTO_CLIENT_H
#define PROTO_CLIENT_H

#include <jansson.h>
#include <stddef.h>

typedef struct proto_client proto_client_t;

//  Exit status of every onewindow program, for scripts: done; refused by the broker (an
//  error reply, or this device's key refused); usage error; broker unreachable.
#define PROTO_EXIT_OK          0
#define PROTO_EXIT_REFUSED     1
#define PROTO_EXIT_USAGE       2
#define PROTO_EXIT_UNREACHABLE 3

//  Result of proto_client_call beyond the proto_err_t codes.
#define PROTO_CLIENT_UNREACHABLE (-1)

//  Creates a client for `endpoint` (e.g. "tcp://127.0.0.1:7100"). NULL on failure, with
//  the reason logged. Caller owns it.
proto_client_t *proto_client_new (const char *endpoint);
//  Closes the socket and context; sets *self_p to NULL. Safe on NULL.
void proto_client_destroy (proto_client_t **self_p);
//  Per-try timeout (default 2500 ms) and number of tries (default 3).
void proto_client_set_timeout (proto_client_t *self, int timeout_ms, int tries);
//  Sends `command` with `body` (borrowed; NULL means {}) and waits for its reply.
//  Returns 0 (PROTO_ERR_OK) with *result the reply body; a proto_err_t code (> 0) with
//  *result the error body {"code", "message"}; or PROTO_CLIENT_UNREACHABLE with *result
//  NULL when no reply came after every try, or the broker refused this device's key
//  (proto_client_code says "key_refused"): either way the broker applied nothing.
//  Caller owns *result.
int proto_client_call (proto_client_t *self, const char *command, const json_t *body,
                       json_t **result);
//  Like proto_client_call with a caller-chosen request id (tests and tools that replay).
//  What the broker could not answer is refused here, unsent, with the code the broker
//  would give: an invalid request id (bad_request_id), a body over PROTO_MAX_MSG, which
//  the broker's libzmq would drop with the connection (too_large).
int proto_client_call_id (proto_client_t *self, const char *command, const json_t *body,
                          const char *request_id, json_t **result);
//  The error code string of the last call ("ok", "unknown_service", ..., "unreachable",
//  "key_refused").
const char *proto_client_code (const proto_client_t *self);
//  The exit status for the last call, which returned `rc`: PROTO_EXIT_OK, _REFUSED (an
//  error reply, or this device's key refused: retrying will not help) or _UNREACHABLE.
int proto_client_exit_status (const proto_client_t *self, int rc);
//  A human sentence about the last call's failure ("" after success).
const char *proto_client_message (const proto_client_t *self);
//  The endpoint this client talks to.
const char *proto_client_endpoint (const proto_client_t *self);

//  CURVE for every client (and event subscriber) this process creates from now on: the
//  broker's public key and this device's keypair, all Z85. NULL server_public turns it
//  off. A process sets it once, from its --key and --server-key options.
void proto_curve_default (const char *server_public, const char *public_key,
                          const char *secret_key);
//  CURVE from a device's key file and the broker's public key (40 Z85 characters or a key
//  file): both empty or NULL means none (the broker must run --insecure). 0, or -1 with
//  the reason in err. Calls proto_curve_default.
int proto_curve_setup (const char *key_file, const char *server_key, char *err, size_t err_size);
//  The broker endpoint when none is given: $ONEWINDOW_BROKER or tcp://127.0.0.1:7100.
const char *proto_default_broker (void);
//  Applies the process's CURVE settings to a socket before it connects (a SUB to the
//  broker's events, say). 0 / -1.
int proto_curve_apply (void *socket);
//  CURVE for this client alone instead of the process's, for a program that talks to
//  several brokers, each with its own key (the district): the broker's public key and
//  this device's keypair, all Z85; NULL server_public means plain TCP for this client.
//  Reconnects the client. 0 / -1.
int proto_client_set_curve (proto_client_t *self, const char *server_public, const char *public_key,
                            const char *secret_key);
//  Applies this client's CURVE settings (its own, else the process's) to another socket
//  before it connects to the same broker: a mirror's event SUB. 0 / -1.
int proto_client_curve_apply (const proto_client_t *self, void *socket);

#endif
