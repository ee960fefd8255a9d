/*  broker_net.c — see broker_net.h. */
#include "broker_net.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "broker_guard.h"
#include "proto_keys.h"
#include "proto_log.h"
#include "proto_msg.h"

//  How long a restart of the PUB waits for the old listener to close (ms).
#define NET_CLOSE_WAIT_MS 2000

struct broker_net {
    broker_net_config_t config;
    broker_devices_t *devices; //  who may connect (borrowed)
    void *zctx;
    void *router;
    void *pub;
    void *zap;                 //  the ZAP handler (REP on inproc://zeromq.zap.01)
    broker_guard_t *guards[2]; //  on the router's and the pub's connections
    proto_keypair_t keys;      //  the broker's, with CURVE
    bool curve;
    char advertise[256]; //  event endpoint told to clients
    int total;           //  connections all peers may have in their handshake
    int restarts;        //  of the PUB, to name each one's monitor
};

//  CURVE with the ZAP handler when the broker has a key; otherwise the insecure mode, on
//  local endpoints only. 0 / -1.
static int
s_secure (broker_net_t *self)
{
    const broker_net_config_t *config = &self->config;
    char err[512];
    if (!config->key_path) {
        if (!config->insecure) {
            log_error ("give --key FILE (CURVE, devices enrolled with their roles), or "
                       "--insecure for a test on this machine only");
            return -1;
        }
        if (!proto_endpoint_is_local (config->bind) || !proto_endpoint_is_local (config->pub)) {
            log_error ("--insecure is allowed only on local endpoints (ipc://, tcp://127.0.0.1): "
                       "anyone reaching %s could act in any role",
                       config->bind);
            return -1;
        }
        return 0;
    }
    if (proto_keys_load (config->key_path, &self->keys, err, sizeof err) != 0) {
        log_error ("key: %s", err);
        return -1;
    }
    //  The ZAP handler must exist before any peer connects.
    self->zap = zmq_socket (self->zctx, ZMQ_REP);
    int linger = 0;
    zmq_setsockopt (self->zap, ZMQ_LINGER, &linger, sizeof linger);
    if (!self->zap || zmq_bind (self->zap, "inproc://zeromq.zap.01") != 0) {
        log_error ("cannot start the ZAP handler: %s", zmq_strerror (errno));
        return -1;
    }
    self->curve = true;
    if (!broker_devices_count (self->devices))
        log_warn ("no device is enrolled: nobody can connect (onewindow-broker --enroll "
                  "admin:NAME:KEY)");
    return 0;
}

//  The options both sockets share: CURVE, the handshake deadline, no linger, deep queues.
static int
s_options (broker_net_t *self, void *socket)
{
    int zero = 0, server = 1, hwm = 100000, handshake = BROKER_NET_HANDSHAKE_MS;
    if (self->curve &&
        (zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &server, sizeof server) != 0 ||
         zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, self->keys.secret_key, 40) != 0 ||
         zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, "onewindow", 9) != 0)) {
        log_error ("cannot enable CURVE: %s", zmq_strerror (errno));
        return -1;
    }
    //  A connection that has not finished its handshake by then is closed: one that never
    //  speaks holds a descriptor for seconds, not libzmq's 30.
    zmq_setsockopt (socket, ZMQ_HANDSHAKE_IVL, &handshake, sizeof handshake);
    zmq_setsockopt (socket, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
    return 0;
}

//  The event endpoint told to clients: as configured, or the bound one.
static void
s_advertise (broker_net_t *self)
{
    if (self->config.advertise) {
        snprintf (self->advertise, sizeof self->advertise, "%s", self->config.advertise);
        return;
    }
    //  The bound endpoint, with a wildcard host written as "*": a client replaces "*" by the
    //  host it reaches the broker at (PROTOCOL.md, "Events").
    char last[256] = "";
    size_t len = sizeof last;
    zmq_getsockopt (self->pub, ZMQ_LAST_ENDPOINT, last, &len);
    char *wild = strstr (last, "0.0.0.0");
    if (wild)
        snprintf (self->advertise, sizeof self->advertise, "%.*s*%s", (int)(wild - last), last,
                  wild + 7);
    else
        snprintf (self->advertise, sizeof self->advertise, "%s", last);
}

//  A guard on `socket`'s connections, named `name` (+ the restart count for the PUB's).
static broker_guard_t *
s_guard (broker_net_t *self, void *socket, const char *name)
{
    //  "events", then "events1", "events2"... after restarts ("%.0d" prints no 0): the
    //  monitor of each needs an inproc endpoint of its own.
    char full[32];
    snprintf (full, sizeof full, "%s%.0d", name, self->restarts);
    return broker_guard_new (self->zctx, socket, full, BROKER_NET_PER_PEER, self->total,
                             BROKER_NET_HANDSHAKE_MS);
}

broker_net_t *
broker_net_new (const broker_net_config_t *config, broker_devices_t *devices)
{
    broker_net_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = *config;
    self->devices = devices;
    struct rlimit lim;
    self->total = getrlimit (RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur / 2 < INT_MAX
                      ? (int)(lim.rlim_cur / 2)
                      : INT_MAX;
    self->zctx = zmq_ctx_new ();
    self->router = self->zctx ? zmq_socket (self->zctx, ZMQ_ROUTER) : NULL;
    self->pub = self->zctx ? zmq_socket (self->zctx, ZMQ_PUB) : NULL;
    if (!self->router || !self->pub || s_secure (self) != 0 ||
        s_options (self, self->router) != 0 || s_options (self, self->pub) != 0)
        goto fail;
    //  Oversized frames are dropped by libzmq, which disconnects the sender: no frame of
    //  anyone's input over PROTO_MAX_MSG is buffered (a message of many frames is; the
    //  server lets each beyond the fourth go as it reads it).
    int hwm = 100000;
    int64_t max = PROTO_MAX_MSG;
    zmq_setsockopt (self->router, ZMQ_MAXMSGSIZE, &max, sizeof max);
    zmq_setsockopt (self->router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind (self->router, config->bind) != 0) {
        log_error ("cannot bind the request endpoint %s: %s (is another broker running?)",
                   config->bind, zmq_strerror (errno));
        goto fail;
    }
    if (zmq_bind (self->pub, config->pub) != 0) {
        log_error ("cannot bind the event endpoint %s: %s", config->pub, zmq_strerror (errno));
        goto fail;
    }
    s_advertise (self);
    self->guards[0] = s_guard (self, self->router, "requests");
    self->guards[1] = s_guard (self, self->pub, "events");
    if (!self->guards[0] || !self->guards[1])
        goto fail;
    return self;
fail:
    broker_net_destroy (&self);
    return NULL;
}

void
broker_net_destroy (broker_net_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_net_t *self = *self_p;
    broker_guard_destroy (&self->guards[0]);
    broker_guard_destroy (&self->guards[1]);
    if (self->router)
        zmq_close (self->router);
    if (self->pub)
        zmq_close (self->pub);
    if (self->zap)
        zmq_close (self->zap);
    if (self->zctx)
        zmq_ctx_term (self->zctx);
    free (self);
    *self_p = NULL;
}

void *
broker_net_ctx (broker_net_t *self)
{
    return self->zctx;
}

void *
broker_net_router (broker_net_t *self)
{
    return self->router;
}

void *
broker_net_pub (broker_net_t *self)
{
    return self->pub;
}

const char *
broker_net_advertise (const broker_net_t *self)
{
    return self->advertise;
}

bool
broker_net_curve (const broker_net_t *self)
{
    return self->curve;
}

const char *
broker_net_public_key (const broker_net_t *self)
{
    return self->curve ? self->keys.public_key : "";
}

int
broker_net_poll_items (broker_net_t *self, zmq_pollitem_t *items)
{
    int n = 0;
    items[n++] = (zmq_pollitem_t){broker_guard_socket (self->guards[0]), 0, ZMQ_POLLIN, 0};
    if (self->guards[1])
        items[n++] = (zmq_pollitem_t){broker_guard_socket (self->guards[1]), 0, ZMQ_POLLIN, 0};
    if (self->zap)
        items[n++] = (zmq_pollitem_t){self->zap, 0, ZMQ_POLLIN, 0};
    return n;
}

//  One ZAP request (ZeroMQ RFC 27): admit an enrolled, unrevoked CURVE key, naming the
//  connection by the key (Z85) as its User-Id. Everyone else is refused and logged.
static void
s_zap (broker_net_t *self)
{
    zmq_msg_t frames[7];
    int count = 0;
    bool more = true;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init (&m);
        if (zmq_msg_recv (&m, self->zap, 0) < 0) {
            zmq_msg_close (&m);
            break;
        }
        more = zmq_msg_more (&m);
        if (count < 7)
            frames[count++] = m;
        else
            zmq_msg_close (&m);
    }
    //  [version, request id, domain, address, identity, mechanism, credentials]
    char key[PROTO_KEY_Z85 + 1] = "";
    const char *status = "400", *text = "not a CURVE client";
    if (count == 7 && zmq_msg_size (&frames[5]) == 5 &&
        memcmp (zmq_msg_data (&frames[5]), "CURVE", 5) == 0 && zmq_msg_size (&frames[6]) == 32) {
        zmq_z85_encode (key, zmq_msg_data (&frames[6]), 32);
        int role = broker_devices_role (self->devices, key);
        if (role >= 0) {
            status = "200";
            text = "OK";
        } else {
            text = "key not enrolled or revoked";
            char addr[64] = "";
            size_t alen = zmq_msg_size (&frames[3]) < sizeof addr - 1 ? zmq_msg_size (&frames[3])
                                                                      : sizeof addr - 1;
            memcpy (addr, zmq_msg_data (&frames[3]), alen);
            log_warn ("refused a connection from %s: key %s is not enrolled or was revoked", addr,
                      key);
        }
    }
    const char *reqid = count >= 2 ? zmq_msg_data (&frames[1]) : "";
    size_t rlen = count >= 2 ? zmq_msg_size (&frames[1]) : 0;
    zmq_send (self->zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send (self->zap, reqid, rlen, ZMQ_SNDMORE);
    zmq_send (self->zap, status, 3, ZMQ_SNDMORE);
    zmq_send (self->zap, text, strlen (text), ZMQ_SNDMORE);
    zmq_send (self->zap, status[0] == '2' ? key : "", status[0] == '2' ? strlen (key) : 0,
              ZMQ_SNDMORE);
    zmq_send (self->zap, "", 0, 0);
    for (int i = 0; i < count; i++)
        zmq_msg_close (&frames[i]);
}

void
broker_net_serve (broker_net_t *self)
{
    while (self->zap) {
        zmq_pollitem_t item = {self->zap, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 0) != 1)
            break;
        s_zap (self);
    }
    for (int i = 0; i < 2; i++)
        if (self->guards[i])
            broker_guard_read (self->guards[i]);
}

//  Unbinds `socket` from `endpoint` and waits (bounded) until its listener is closed:
//  an ipc:// listener removes its file when it closes, which would remove the new one's.
static void
s_unbind_wait (broker_net_t *self, void *socket, const char *endpoint)
{
    char mon[64];
    snprintf (mon, sizeof mon, "inproc://broker-net-close-%d", self->restarts);
    void *pair = NULL;
    int zero = 0, timeout = NET_CLOSE_WAIT_MS;
    if (zmq_socket_monitor (socket, mon, ZMQ_EVENT_CLOSED) == 0 &&
        (pair = zmq_socket (self->zctx, ZMQ_PAIR))) {
        zmq_setsockopt (pair, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt (pair, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        zmq_connect (pair, mon);
    }
    if (zmq_unbind (socket, endpoint) != 0)
        log_warn ("events: cannot unbind %s: %s", endpoint, zmq_strerror (errno));
    else if (pair) {
        zmq_msg_t m;
        zmq_msg_init (&m);
        if (zmq_msg_recv (&m, pair, 0) < 0)
            log_warn ("events: %s did not close within %d ms", endpoint, NET_CLOSE_WAIT_MS);
        zmq_msg_close (&m);
    }
    zmq_socket_monitor (socket, NULL, 0);
    if (pair)
        zmq_close (pair);
}

int
broker_net_restart_pub (broker_net_t *self)
{
    char last[256] = "";
    size_t len = sizeof last;
    zmq_getsockopt (self->pub, ZMQ_LAST_ENDPOINT, last, &len);
    //  The guard's monitor goes first: a socket has one monitor at a time.
    broker_guard_destroy (&self->guards[1]);
    self->restarts++;
    s_unbind_wait (self, self->pub, last);
    zmq_close (self->pub);
    //  The same endpoint as bound (a wildcard port resolved): clients keep the advertised one.
    self->pub = zmq_socket (self->zctx, ZMQ_PUB);
    if (!self->pub || s_options (self, self->pub) != 0 || zmq_bind (self->pub, last) != 0) {
        log_error ("events: cannot bind %s again: %s; no event is published until the broker "
                   "is restarted",
                   last, zmq_strerror (errno));
        return -1;
    }
    self->guards[1] = s_guard (self, self->pub, "events");
    log_info ("events: every subscriber disconnected after a revocation; they reconnect "
              "through the key check (%s)",
              last);
    return 0;
}
