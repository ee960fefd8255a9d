/*  district_proxy.c — see district_proxy.h. */
#include "district_proxy.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto_log.h"

struct district_proxy {
    void *xsub, *xpub;    //  the proxy's, used on its thread only
    void *control_in;     //  PAIR: the proxy's end of the control pipe
    void *control;        //  PAIR: ours
    pthread_mutex_t lock; //  one command at a time on `control`
    pthread_t thread;
    bool running;
};

static void *
s_run (void *arg)
{
    district_proxy_t *self = arg;
    if (zmq_proxy_steerable (self->xsub, self->xpub, NULL, self->control_in) != 0 && errno != ETERM)
        log_error ("district: the event proxy stopped: %s", zmq_strerror (errno));
    return NULL;
}

static void *
s_socket (void *zctx, int type)
{
    void *s = zmq_socket (zctx, type);
    int zero = 0;
    if (s)
        zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    return s;
}

district_proxy_t *
district_proxy_new (void *zctx, const char *bind, const char *const *inputs, size_t n)
{
    district_proxy_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init (&self->lock, NULL);
    char control[64];
    snprintf (control, sizeof control, "inproc://district-proxy-%p", (void *)self);
    self->xsub = s_socket (zctx, ZMQ_XSUB);
    self->xpub = s_socket (zctx, ZMQ_XPUB);
    self->control_in = s_socket (zctx, ZMQ_PAIR);
    self->control = s_socket (zctx, ZMQ_PAIR);
    int hwm = 100000;
    if (!self->xsub || !self->xpub || !self->control_in || !self->control)
        goto fail;
    zmq_setsockopt (self->xpub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (self->xsub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind (self->xpub, bind) != 0) {
        log_error ("district: cannot bind the viewers' endpoint %s: %s", bind,
                   zmq_strerror (errno));
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        if (zmq_connect (self->xsub, inputs[i]) != 0)
            goto fail;
    if (zmq_bind (self->control_in, control) != 0 || zmq_connect (self->control, control) != 0)
        goto fail;
    //  The sockets move to the proxy's thread: pthread_create is the full fence ZeroMQ asks.
    if (pthread_create (&self->thread, NULL, s_run, self) != 0)
        goto fail;
    self->running = true;
    return self;
fail:
    log_error ("district: cannot start the event proxy: %s", zmq_strerror (errno));
    district_proxy_destroy (&self);
    return NULL;
}

void
district_proxy_destroy (district_proxy_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_proxy_t *self = *self_p;
    if (self->running) {
        pthread_mutex_lock (&self->lock);
        zmq_send (self->control, "TERMINATE", 9, 0);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);
    }
    void *sockets[] = {self->xsub, self->xpub, self->control_in, self->control};
    for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
        if (sockets[i])
            zmq_close (sockets[i]);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

int
district_proxy_stats (district_proxy_t *self, uint64_t *frames_in, uint64_t *bytes_in,
                      uint64_t *frames_out, uint64_t *bytes_out)
{
    //  The reply is eight frames of one uint64 each: for the frontend, then the backend,
    //  messages in, bytes in, messages out, bytes out.
    uint64_t v[8] = {0};
    int got = 0;
    pthread_mutex_lock (&self->lock);
    zmq_pollitem_t item = {self->control, 0, ZMQ_POLLIN, 0};
    if (zmq_send (self->control, "STATISTICS", 10, 0) == 10 && zmq_poll (&item, 1, 1000) == 1) {
        int more = 1;
        while (more) {
            uint64_t x = 0;
            if (zmq_recv (self->control, &x, sizeof x, 0) < 0)
                break;
            if (got < 8)
                v[got++] = x;
            size_t size = sizeof more;
            zmq_getsockopt (self->control, ZMQ_RCVMORE, &more, &size);
        }
    }
    pthread_mutex_unlock (&self->lock);
    if (got != 8)
        return -1;
    *frames_in = v[0];
    *bytes_in = v[1];
    *frames_out = v[6];
    *bytes_out = v[7];
    return 0;
}
