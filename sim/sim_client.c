/*  sim_client.c — see sim_client.h. */
#include "sim_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "proto_msg.h"
#include "proto_wire.h"
#include "sim_cli.h"

struct sim_client {
    void *ctx;             //  ZeroMQ context
    void *sock;            //  DEALER
    sim_broker_t *broker;  //  to notice that it died
    unsigned long next_id; //  request ids: "sim.PID.N"
    unsigned long *ids;    //  ids in flight, oldest first (ring)
    sim_tag_t *tags;       //  their tags
    size_t head, count, window;
    sim_reply_fn *fn; //  called for each reply of a pipelined request
    void *arg;        //  its argument
    long requests;    //  requests sent
    int timeout_s;    //  longest wait for one reply
};

void
sim_client_destroy (sim_client_t **self_p)
{
    sim_client_t *self = *self_p;
    if (!self)
        return;
    if (self->sock)
        zmq_close (self->sock);
    if (self->ctx)
        zmq_ctx_term (self->ctx);
    free (self->ids);
    free (self->tags);
    free (self);
    *self_p = NULL;
}

sim_client_t *
sim_client_new (sim_broker_t *b, size_t window)
{
    sim_client_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->broker = b;
    self->window = window;
    self->timeout_s = 120;
    self->ids = calloc (window, sizeof *self->ids);
    self->tags = calloc (window, sizeof *self->tags);
    self->ctx = zmq_ctx_new ();
    self->sock = self->ctx ? zmq_socket (self->ctx, ZMQ_DEALER) : NULL;
    if (!self->ids || !self->tags || !self->sock) {
        sim_client_destroy (&self);
        return NULL;
    }
    int zero = 0;
    zmq_setsockopt (self->sock, ZMQ_LINGER, &zero, sizeof zero);
    int64_t max = (int64_t)256 << 20;
    zmq_setsockopt (self->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    //  No high-water mark: a window of requests is queued whole, whatever its size.
    int hwm = 0;
    zmq_setsockopt (self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_connect (self->sock, b->req) != 0) {
        fprintf (stderr, "onewindow sim: cannot connect to %s: %s\n", b->req, zmq_strerror (errno));
        sim_client_destroy (&self);
    }
    return self;
}

void
sim_client_on_reply (sim_client_t *self, sim_reply_fn *fn, void *arg)
{
    self->fn = fn;
    self->arg = arg;
}

long
sim_client_requests (const sim_client_t *self)
{
    return self->requests;
}

static void
s_request_id (unsigned long id, char *out, size_t size)
{
    snprintf (out, size, "sim.%d.%lu", (int)getpid (), id);
}

//  Waits until a reply is there: 0, or -1 when interrupted, or the broker stopped or does
//  not answer within the timeout.
static int
s_wait (sim_client_t *self)
{
    zmq_pollitem_t item = {self->sock, 0, ZMQ_POLLIN, 0};
    for (int waited = 0;;) {
        if (sim_interrupted ())
            return -1;
        int rc = zmq_poll (&item, 1, 500);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return -1;
        waited += 500;
        if (!sim_broker_alive (self->broker) || waited > self->timeout_s * 1000) {
            fprintf (stderr, "onewindow sim: the broker %s\n",
                     self->broker->pid ? "does not answer" : "stopped");
            return -1;
        }
    }
}

//  Receives the oldest reply in flight: *status is 0 (ok) or a proto_err_t code (an
//  unknown code counts as internal); *body is the reply (caller owns) or NULL. 0, or -1
//  when the broker is gone, does not answer, or answers out of order.
static int
s_recv (sim_client_t *self, int *status, json_t **body, sim_tag_t *tag)
{
    *status = -1;
    *body = NULL;
    if (self->count == 0)
        return -1;
    *tag = self->tags[self->head];
    char sid[32];
    s_request_id (self->ids[self->head], sid, sizeof sid);
    self->head = (self->head + 1) % self->window;
    self->count--;
    if (s_wait (self) != 0)
        return -1;
    proto_wire_reply_t reply;
    proto_wire_rc_t wrc = proto_wire_recv_reply (self->sock, 0, &reply);
    int rc = -1;
    if (wrc == PROTO_WIRE_MALFORMED)
        fprintf (stderr, "onewindow sim: a malformed reply: %s\n", reply.why);
    else if (wrc == PROTO_WIRE_OK && strcmp (reply.request_id, sid) != 0)
        fprintf (stderr, "onewindow sim: a reply out of order (%s)\n", reply.code);
    else if (wrc == PROTO_WIRE_OK) {
        *body = proto_wire_reply_json (&reply);
        *status = reply.err < 0 ? PROTO_ERR_INTERNAL : reply.err;
        rc = 0;
    }
    proto_wire_reply_close (&reply);
    return rc;
}

//  Takes the oldest reply through the reply function. 0 / -1.
static int
s_take_one (sim_client_t *self)
{
    int status;
    json_t *body;
    sim_tag_t tag;
    if (s_recv (self, &status, &body, &tag) != 0)
        return -1;
    if (self->fn)
        self->fn (self->arg, tag, status, body);
    json_decref (body);
    return 0;
}

int
sim_client_drain (sim_client_t *self)
{
    while (self->count)
        if (s_take_one (self) != 0)
            return -1;
    return 0;
}

int
sim_client_send (sim_client_t *self, const char *command, json_t *body, sim_tag_t tag)
{
    if (self->count == self->window && s_take_one (self) != 0) {
        json_decref (body);
        return -1;
    }
    if (!body)
        body = json_object ();
    char *text = proto_json_dump (body);
    json_decref (body);
    if (!text)
        return -1;
    unsigned long id = ++self->next_id;
    char sid[32];
    s_request_id (id, sid, sizeof sid);
    int rc = proto_wire_send_request (self->sock, command, sid, text, strlen (text), 0);
    free (text);
    if (rc == 0) {
        size_t slot = (self->head + self->count) % self->window;
        self->ids[slot] = id;
        self->tags[slot] = tag;
        self->count++;
        self->requests++;
    }
    return rc;
}

int
sim_client_call (sim_client_t *self, const char *command, json_t *body, json_t **reply)
{
    if (reply)
        *reply = NULL;
    if (sim_client_drain (self) != 0) {
        json_decref (body);
        return -1;
    }
    sim_tag_t tag = {0, 0};
    if (sim_client_send (self, command, body, tag) != 0)
        return -1;
    int status;
    json_t *r;
    if (s_recv (self, &status, &r, &tag) != 0)
        return -1;
    if (reply)
        *reply = r;
    else
        json_decref (r);
    return status;
}

int
sim_client_advance (sim_client_t *self, int64_t *now, int64_t to, sim_tag_t tag)
{
    if (to <= *now)
        return 0;
    int rc = sim_client_send (self, "clock.advance",
                              json_pack ("{s:I}", "ms", (json_int_t)(to - *now)), tag);
    *now = to;
    return rc;
}

json_t *
sim_client_ready (sim_client_t *self)
{
    int saved = self->timeout_s;
    self->timeout_s = 60; //  slow machines and sanitizer builds
    json_t *info = NULL;
    int rc = sim_client_call (self, "hall.info", NULL, &info);
    self->timeout_s = saved;
    if (rc != 0) {
        json_decref (info);
        fprintf (stderr, "onewindow sim: the broker did not start\n");
        sim_broker_show_log (self->broker);
        return NULL;
    }
    return info;
}
