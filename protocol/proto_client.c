/*  proto_client.c — see proto_client.h. */
#include "proto_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "proto_keys.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_wire.h"

struct proto_client {
    void *ctx;         //  own ZeroMQ context
    void *socket;      //  DEALER; recreated after a timeout
    char *endpoint;    //  broker request endpoint
    int timeout_ms;    //  per try
    int tries;         //  tries per call
    char code[64];     //  last call's status code
    char message[512]; //  last call's human message
};

//  The process's CURVE settings (proto_curve_default); empty server key: plain TCP.
static char s_server_public[41], s_public[41], s_secret[41];

void
proto_curve_default (const char *server_public, const char *public_key, const char *secret_key)
{
    if (!server_public || !public_key || !secret_key) {
        s_server_public[0] = 0;
        return;
    }
    snprintf (s_server_public, sizeof s_server_public, "%s", server_public);
    snprintf (s_public, sizeof s_public, "%s", public_key);
    snprintf (s_secret, sizeof s_secret, "%s", secret_key);
}

int
proto_curve_apply (void *socket)
{
    if (!s_server_public[0])
        return 0;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, s_server_public, 40) != 0 ||
        zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, s_public, 40) != 0 ||
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, s_secret, 40) != 0) {
        log_error ("client: cannot set CURVE keys: %s", zmq_strerror (errno));
        return -1;
    }
    return 0;
}

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
s_connect (proto_client_t *self)
{
    if (self->socket)
        zmq_close (self->socket);
    self->socket = zmq_socket (self->ctx, ZMQ_DEALER);
    if (!self->socket)
        return -1;
    int zero = 0;
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    //  Replies can be larger than requests (a snapshot of a busy hall), and they come from
    //  the broker this device chose to trust; the limit only guards against a runaway.
    int64_t max = (int64_t)256 << 20;
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (proto_curve_apply (self->socket) != 0)
        return -1;
    if (zmq_connect (self->socket, self->endpoint) != 0) {
        snprintf (self->message, sizeof self->message, "cannot connect to %s: %s", self->endpoint,
                  zmq_strerror (errno));
        return -1;
    }
    return 0;
}

proto_client_t *
proto_client_new (const char *endpoint)
{
    proto_client_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ctx = zmq_ctx_new ();
    self->endpoint = strdup (endpoint);
    self->timeout_ms = 2500;
    self->tries = 3;
    if (!self->ctx || !self->endpoint || s_connect (self) != 0) {
        log_error ("client: %s", self->message[0] ? self->message : "out of memory");
        proto_client_destroy (&self);
        return NULL;
    }
    return self;
}

void
proto_client_destroy (proto_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    proto_client_t *self = *self_p;
    if (self->socket)
        zmq_close (self->socket);
    if (self->ctx)
        zmq_ctx_term (self->ctx);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

void
proto_client_set_timeout (proto_client_t *self, int timeout_ms, int tries)
{
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    self->tries = tries > 0 ? tries : 1;
}

const char *
proto_client_code (const proto_client_t *self)
{
    return self->code;
}

const char *
proto_client_message (const proto_client_t *self)
{
    return self->message;
}

const char *
proto_client_endpoint (const proto_client_t *self)
{
    return self->endpoint;
}

//  A refusal decided here, before anything is sent: the code and body the broker would
//  have answered with.
static int
s_refuse (proto_client_t *self, proto_err_t err, const char *message, json_t **result)
{
    snprintf (self->code, sizeof self->code, "%s", proto_err_code (err));
    snprintf (self->message, sizeof self->message, "%s", message);
    *result = proto_error_body (err, message);
    return err;
}

//  Takes the reply to our request: its code and message into self, its body into *result.
//  The call's result code.
static int
s_take_reply (proto_client_t *self, const proto_wire_reply_t *reply, json_t **result)
{
    snprintf (self->code, sizeof self->code, "%s", reply->code);
    *result = proto_wire_reply_json (reply);
    int rc = PROTO_ERR_OK;
    if (reply->err == PROTO_ERR_OK)
        self->message[0] = 0;
    else {
        rc = reply->err > 0 ? reply->err : PROTO_ERR_INTERNAL;
        const char *m = json_string_value (json_object_get (*result, "message"));
        snprintf (self->message, sizeof self->message, "%s", m ? m : proto_err_desc (rc));
    }
    if (!*result)
        *result = json_object ();
    return rc;
}

//  Waits up to `timeout_ms` for the reply carrying `request_id`, dropping late replies to
//  earlier tries and malformed messages. The call's result code, or
//  PROTO_CLIENT_UNREACHABLE when none came.
static int
s_wait_reply (proto_client_t *self, const char *request_id, int timeout_ms, json_t **result)
{
    int64_t deadline = s_now_ms () + timeout_ms;
    for (;;) {
        int64_t left = deadline - s_now_ms ();
        if (left <= 0)
            return PROTO_CLIENT_UNREACHABLE;
        zmq_pollitem_t item = {self->socket, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll (&item, 1, (long)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return PROTO_CLIENT_UNREACHABLE;
        proto_wire_reply_t reply;
        proto_wire_rc_t wrc = proto_wire_recv_reply (self->socket, 0, &reply);
        int rc = PROTO_CLIENT_UNREACHABLE;
        if (wrc == PROTO_WIRE_OK && strcmp (reply.request_id, request_id) == 0)
            rc = s_take_reply (self, &reply, result);
        else if (wrc == PROTO_WIRE_MALFORMED)
            log_warn ("client: dropped a reply from %s: %s", self->endpoint, reply.why);
        proto_wire_reply_close (&reply);
        if (wrc == PROTO_WIRE_ERROR || rc != PROTO_CLIENT_UNREACHABLE)
            return rc;
        //  A late reply to an earlier try of another call: drop it, keep waiting.
    }
}

int
proto_client_call_id (proto_client_t *self, const char *command, const json_t *body,
                      const char *request_id, json_t **result)
{
    *result = NULL;
    if (!proto_request_id_valid (request_id, strlen (request_id)))
        return s_refuse (self, PROTO_ERR_BAD_REQUEST_ID,
                         "request id must be 1..64 bytes of printable ASCII", result);
    json_t *empty = NULL;
    if (!body)
        body = empty = json_object ();
    char *text = proto_json_dump (body);
    json_decref (empty);
    if (!text)
        return s_refuse (self, PROTO_ERR_INTERNAL, "out of memory", result);
    size_t size = strlen (text);
    if (size > PROTO_MAX_MSG) {
        free (text);
        char why[128];
        snprintf (why, sizeof why, "the body is %zu bytes; the broker takes at most %d", size,
                  PROTO_MAX_BODY);
        return s_refuse (self, PROTO_ERR_TOO_LARGE, why, result);
    }
    int rc = PROTO_CLIENT_UNREACHABLE;
    snprintf (self->code, sizeof self->code, "unreachable");
    snprintf (self->message, sizeof self->message,
              "no reply from the broker at %s after %d tries of %d ms; is it running?",
              self->endpoint, self->tries, self->timeout_ms);
    for (int attempt = 0; attempt < self->tries && rc == PROTO_CLIENT_UNREACHABLE; attempt++) {
        if (attempt > 0 && s_connect (self) != 0)
            break;
        if (proto_wire_send_request (self->socket, command, request_id, text, size, 0) != 0)
            continue;
        rc = s_wait_reply (self, request_id, self->timeout_ms, result);
    }
    free (text);
    return rc;
}

int
proto_client_call (proto_client_t *self, const char *command, const json_t *body, json_t **result)
{
    char request_id[33];
    proto_request_id_new (request_id);
    return proto_client_call_id (self, command, body, request_id, result);
}

int
proto_curve_setup (const char *key_file, const char *server_key, char *err, size_t err_size)
{
    bool have_key = key_file && *key_file, have_server = server_key && *server_key;
    if (!have_key && !have_server)
        return 0;
    if (!have_key || !have_server) {
        snprintf (err, err_size, "--key and --server-key go together (CURVE needs both)");
        return -1;
    }
    proto_keypair_t keys;
    char server[PROTO_KEY_Z85 + 1];
    if (proto_keys_load (key_file, &keys, err, err_size) != 0 ||
        proto_keys_public (server_key, server, err, err_size) != 0)
        return -1;
    proto_curve_default (server, keys.public_key, keys.secret_key);
    return 0;
}

const char *
proto_default_broker (void)
{
    const char *env = getenv ("ONEWINDOW_BROKER");
    return env && *env ? env : "tcp://127.0.0.1:7100";
}
