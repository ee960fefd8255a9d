/*  proto_client.c — see proto_client.h. */
#include "proto_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "proto_keys.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_wire.h"

//  Why the broker refused this device's handshake (its monitor events say so; the broker
//  never sees the request, so only the client can tell).
typedef enum {
    S_KEY_ACCEPTED,     //  no refusal seen
    S_KEY_NOT_ENROLLED, //  the ZAP handler said 400: not enrolled, or revoked
    S_KEY_WRONG_SERVER, //  our CURVE hello could not be opened: not the key we trust
    S_KEY_DROPPED,      //  our CURVE handshakes are closed at once: that, or --insecure
    S_KEY_REQUIRED,     //  we speak without keys to a broker that wants them
    S_KEY_UNWANTED      //  we speak CURVE to an --insecure broker
} s_key_refusal_t;

//  Handshakes dropped in a row before the client concludes it is the key, not bad luck: a
//  broker killed mid-handshake drops one, and its restart shows as failed connects first.
#define S_DROPS_REFUSED 3

struct proto_client {
    void *ctx;               //  own ZeroMQ context
    void *socket;            //  DEALER; recreated after a timeout
    void *monitor;           //  PAIR with the DEALER's handshake events; NULL if none
    int generation;          //  numbers each DEALER's monitor endpoint
    bool curve;              //  the DEALER speaks CURVE
    int drops;               //  handshakes dropped in a row (S_DROPS_REFUSED)
    s_key_refusal_t refusal; //  seen on the current DEALER
    char *endpoint;          //  broker request endpoint
    int timeout_ms;          //  per try
    int tries;               //  tries per call
    char code[64];           //  last call's status code
    char message[512];       //  last call's human message
    bool own_curve;          //  keys below set for this client alone (proto_client_set_curve)
    char own_server[41], own_public[41], own_secret[41];
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

//  Sets the three CURVE keys on `socket`; none when `server` is empty. 0 / -1.
static int
s_curve_set (void *socket, const char *server, const char *pub, const char *secret)
{
    if (!server[0])
        return 0;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, server, 40) != 0 ||
        zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, pub, 40) != 0 ||
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, secret, 40) != 0) {
        log_error ("client: cannot set CURVE keys: %s", zmq_strerror (errno));
        return -1;
    }
    return 0;
}

int
proto_curve_apply (void *socket)
{
    return s_curve_set (socket, s_server_public, s_public, s_secret);
}

int
proto_client_curve_apply (const proto_client_t *self, void *socket)
{
    if (self->own_curve)
        return s_curve_set (socket, self->own_server, self->own_public, self->own_secret);
    return proto_curve_apply (socket);
}

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  Watches the new DEALER's handshakes through an inproc PAIR, connected before the DEALER
//  connects so that no event is lost. Without it, a refused key only times out.
static void
s_monitor_open (proto_client_t *self)
{
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://proto-client-monitor-%d", ++self->generation);
    int events = ZMQ_EVENT_CLOSED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor (self->socket, endpoint, events) != 0)
        return;
    self->monitor = zmq_socket (self->ctx, ZMQ_PAIR);
    int zero = 0;
    if (self->monitor && (zmq_setsockopt (self->monitor, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
                          zmq_connect (self->monitor, endpoint) != 0)) {
        zmq_close (self->monitor);
        self->monitor = NULL;
    }
}

//  Takes one monitor event: what it says about this device's key goes into self.
static void
s_monitor_event (proto_client_t *self, uint16_t event, uint32_t value)
{
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED || event == ZMQ_EVENT_CLOSED)
        self->drops = 0; //  a handshake went through, or no broker answered the connect
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && value == 400)
        self->refusal = S_KEY_NOT_ENROLLED;
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
             value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        self->refusal = self->curve ? S_KEY_UNWANTED : S_KEY_REQUIRED;
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
             value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        self->refusal = S_KEY_WRONG_SERVER;
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL && ++self->drops >= S_DROPS_REFUSED)
        //  A CURVE broker closes at once on a hello it cannot open (the wrong server key)
        //  and on a client without CURVE; an --insecure broker on a CURVE client too, when
        //  it closes before the client has read its greeting.
        self->refusal = self->curve ? S_KEY_DROPPED : S_KEY_REQUIRED;
}

//  Reads every event waiting on the monitor (each is two frames: event id and value, then
//  the endpoint).
static void
s_monitor_drain (proto_client_t *self)
{
    while (self->monitor) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, self->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&msg);
            return;
        }
        if (zmq_msg_size (&msg) == 6) {
            uint16_t event;
            uint32_t value;
            memcpy (&event, zmq_msg_data (&msg), 2);
            memcpy (&value, (uint8_t *)zmq_msg_data (&msg) + 2, 4);
            s_monitor_event (self, event, value);
        }
        while (zmq_msg_more (&msg) && zmq_msg_recv (&msg, self->monitor, 0) >= 0)
            ;
        zmq_msg_close (&msg);
    }
}

//  Stops the DEALER's monitor, then closes its reader. In that order: libzmq sends a
//  monitor event blocking, from the context's I/O thread, so an event sent to a monitor
//  whose reader is already closed (the failed handshakes of a connection being replaced)
//  would hold that thread, and every later request of this client, for good.
static void
s_monitor_close (proto_client_t *self)
{
    if (self->socket && self->monitor)
        zmq_socket_monitor (self->socket, NULL, 0);
    if (self->monitor)
        zmq_close (self->monitor);
    self->monitor = NULL;
}

static int
s_connect (proto_client_t *self)
{
    s_monitor_close (self);
    if (self->socket)
        zmq_close (self->socket);
    self->refusal = S_KEY_ACCEPTED;
    self->socket = zmq_socket (self->ctx, ZMQ_DEALER);
    if (!self->socket)
        return -1;
    int zero = 0;
    zmq_setsockopt (self->socket, ZMQ_LINGER, &zero, sizeof zero);
    //  Replies can be larger than requests (a snapshot of a busy hall), and they come from
    //  the broker this device chose to trust; the limit only guards against a runaway.
    int64_t max = (int64_t)256 << 20;
    zmq_setsockopt (self->socket, ZMQ_MAXMSGSIZE, &max, sizeof max);
    if (proto_client_curve_apply (self, self->socket) != 0)
        return -1;
    self->curve = self->own_curve ? self->own_server[0] != 0 : s_server_public[0] != 0;
    s_monitor_open (self);
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
    s_monitor_close (self);
    if (self->socket)
        zmq_close (self->socket);
    if (self->ctx)
        zmq_ctx_term (self->ctx);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

int
proto_client_set_curve (proto_client_t *self, const char *server_public, const char *public_key,
                        const char *secret_key)
{
    self->own_curve = true;
    bool on = server_public && public_key && secret_key;
    snprintf (self->own_server, sizeof self->own_server, "%s", on ? server_public : "");
    snprintf (self->own_public, sizeof self->own_public, "%s", on ? public_key : "");
    snprintf (self->own_secret, sizeof self->own_secret, "%s", on ? secret_key : "");
    return s_connect (self);
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

int
proto_client_exit_status (const proto_client_t *self, int rc)
{
    if (rc == PROTO_ERR_OK)
        return PROTO_EXIT_OK;
    if (rc == PROTO_CLIENT_UNREACHABLE && strcmp (self->code, "key_refused") != 0)
        return PROTO_EXIT_UNREACHABLE;
    return PROTO_EXIT_REFUSED;
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

//  The call's outcome when the broker refused this device's handshake: what to change.
static void
s_refused (proto_client_t *self)
{
    snprintf (self->code, sizeof self->code, "key_refused");
    const char *why =
        self->refusal == S_KEY_NOT_ENROLLED
            ? "refused this device's key: it is not enrolled, or was revoked (an administrator "
              "enrols its .pub: onewindow admin enroll)"
        : self->refusal == S_KEY_WRONG_SERVER
            ? "refused this device's key: the broker key it was given is not this broker's "
              "(--server-key or ONEWINDOW_SERVER_KEY: the broker's broker.pub)"
        : self->refusal == S_KEY_DROPPED
            ? "refused this device's key: the broker key it was given is not this broker's "
              "(--server-key or ONEWINDOW_SERVER_KEY: the broker's broker.pub), or the broker "
              "runs --insecure and takes no keys"
        : self->refusal == S_KEY_REQUIRED
            ? "requires keys: give --key and --server-key (or ONEWINDOW_KEY and "
              "ONEWINDOW_SERVER_KEY)"
            : "takes no keys (it runs --insecure): leave out --key and --server-key";
    snprintf (self->message, sizeof self->message, "the broker at %s %s", self->endpoint, why);
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
//  PROTO_CLIENT_UNREACHABLE when none came or the broker refused our key (self->refusal).
static int
s_wait_reply (proto_client_t *self, const char *request_id, int timeout_ms, json_t **result)
{
    int64_t deadline = s_now_ms () + timeout_ms;
    for (;;) {
        int64_t left = deadline - s_now_ms ();
        if (left <= 0)
            return PROTO_CLIENT_UNREACHABLE;
        zmq_pollitem_t items[2] = {{self->socket, 0, ZMQ_POLLIN, 0},
                                   {self->monitor, 0, ZMQ_POLLIN, 0}};
        int n = zmq_poll (items, self->monitor ? 2 : 1, (long)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return PROTO_CLIENT_UNREACHABLE;
        if (items[1].revents & ZMQ_POLLIN) {
            s_monitor_drain (self);
            if (self->refusal != S_KEY_ACCEPTED)
                return PROTO_CLIENT_UNREACHABLE;
        }
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
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
    //  What happened since the last call is history: a socket whose handshake failed then
    //  (a key revoked and enrolled again, a broker restarted) starts afresh.
    s_monitor_drain (self);
    bool fresh = self->refusal != S_KEY_ACCEPTED || self->drops > 0;
    self->drops = 0;
    if (fresh && s_connect (self) != 0) {
        free (text);
        return rc;
    }
    for (int attempt = 0;
         attempt < self->tries && rc == PROTO_CLIENT_UNREACHABLE && self->refusal == S_KEY_ACCEPTED;
         attempt++) {
        if (attempt > 0 && s_connect (self) != 0)
            break;
        if (proto_wire_send_request (self->socket, command, request_id, text, size, 0) != 0)
            continue;
        rc = s_wait_reply (self, request_id, self->timeout_ms, result);
    }
    free (text);
    if (self->refusal != S_KEY_ACCEPTED)
        s_refused (self);
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
