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

struct proto_client {
    void *ctx;              //  own ZeroMQ context
    void *socket;           //  DEALER; recreated after a timeout
    char *endpoint;         //  broker request endpoint
    int timeout_ms;         //  per try
    int tries;              //  tries per call
    char code[64];          //  last call's status code
    char message[512];      //  last call's human message
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
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, s_server_public, 40) != 0
        || zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, s_public, 40) != 0
        || zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, s_secret, 40) != 0) {
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
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
    int64_t max = (int64_t) 256 << 20;
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (proto_curve_apply (self->socket) != 0)
        return -1;
    if (zmq_connect (self->socket, self->endpoint) != 0) {
        snprintf (self->message, sizeof self->message, "cannot connect to %s: %s",
                  self->endpoint, zmq_strerror (errno));
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

static int
s_send (proto_client_t *self, const char *command, const char *request_id, const char *body)
{
    if (zmq_send (self->socket, PROTO_SIGNATURE, strlen (PROTO_SIGNATURE), ZMQ_SNDMORE) < 0
        || zmq_send (self->socket, command, strlen (command), ZMQ_SNDMORE) < 0
        || zmq_send (self->socket, request_id, strlen (request_id), ZMQ_SNDMORE) < 0
        || zmq_send (self->socket, body, strlen (body), 0) < 0)
        return -1;
    return 0;
}

//  Reads one whole multipart reply. Returns the number of frames (up to 4 kept), or -1.
static int
s_recv_reply (proto_client_t *self, zmq_msg_t *frames)
{
    int count = 0;
    int more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, self->socket, 0) < 0) {
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
    return count;
}

int
proto_client_call_id (proto_client_t *self, const char *command, const json_t *body,
                      const char *request_id, json_t **result)
{
    *result = NULL;
    json_t *empty = NULL;
    if (!body)
        body = empty = json_object ();
    char *text = proto_json_dump (body);
    json_decref (empty);
    if (!text) {
        snprintf (self->code, sizeof self->code, "internal");
        snprintf (self->message, sizeof self->message, "out of memory");
        return PROTO_ERR_INTERNAL;
    }
    int rc = PROTO_CLIENT_UNREACHABLE;
    snprintf (self->code, sizeof self->code, "unreachable");
    snprintf (self->message, sizeof self->message,
              "no reply from the broker at %s after %d tries of %d ms; is it running?",
              self->endpoint, self->tries, self->timeout_ms);

    for (int attempt = 0; attempt < self->tries && rc == PROTO_CLIENT_UNREACHABLE; attempt++) {
        if (attempt > 0 && s_connect (self) != 0)
            break;
        if (s_send (self, command, request_id, text) != 0)
            continue;
        int64_t deadline = s_now_ms () + self->timeout_ms;
        for (;;) {
            int64_t left = deadline - s_now_ms ();
            if (left <= 0)
                break;
            zmq_pollitem_t item = {self->socket, 0, ZMQ_POLLIN, 0};
            int n = zmq_poll (&item, 1, (long) left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            zmq_msg_t frames[4];
            int count = s_recv_reply (self, frames);
            if (count < 0)
                break;
            bool ours = count == 4 && zmq_msg_size (&frames[0]) == strlen (PROTO_SIGNATURE)
                        && memcmp (zmq_msg_data (&frames[0]), PROTO_SIGNATURE,
                                   strlen (PROTO_SIGNATURE)) == 0
                        && zmq_msg_size (&frames[2]) == strlen (request_id)
                        && memcmp (zmq_msg_data (&frames[2]), request_id,
                                   strlen (request_id)) == 0;
            if (ours) {
                size_t clen = zmq_msg_size (&frames[1]);
                if (clen >= sizeof self->code)
                    clen = sizeof self->code - 1;
                memcpy (self->code, zmq_msg_data (&frames[1]), clen);
                self->code[clen] = 0;
                json_error_t jerr;
                *result = json_loadb (zmq_msg_data (&frames[3]), zmq_msg_size (&frames[3]), 0,
                                      &jerr);
                if (strcmp (self->code, "ok") == 0) {
                    rc = PROTO_ERR_OK;
                    self->message[0] = 0;
                }
                else {
                    int err = proto_err_lookup (self->code);
                    rc = err > 0 ? err : PROTO_ERR_INTERNAL;
                    const char *m = json_string_value (json_object_get (*result, "message"));
                    snprintf (self->message, sizeof self->message, "%s",
                              m ? m : proto_err_desc (rc));
                }
                if (!*result)
                    *result = json_object ();
            }
            for (int i = 0; i < count && i < 4; i++)
                zmq_msg_close (&frames[i]);
            if (ours)
                break;
            //  A late reply to an earlier try of another call: drop it, keep waiting.
        }
    }
    free (text);
    return rc;
}

int
proto_client_call (proto_client_t *self, const char *command, const json_t *body,
                   json_t **result)
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
    if (proto_keys_load (key_file, &keys, err, err_size) != 0
        || proto_keys_public (server_key, server, err, err_size) != 0)
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
