/*  broker_guard.c — see broker_guard.h. */
#include "broker_guard.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <zmq.h>

#include "proto_log.h"

//  A summary of what was closed, at most this often (ms).
#define GUARD_LOG_MS 10000

//  A connection accepted within the window.
typedef struct {
    int fd;
    unsigned char addr[16]; //  the peer's address (4 bytes of IPv4, 16 of IPv6)
    socklen_t alen;
    uint16_t port;    //  the peer's port: with the address, this connection and no other
    int64_t accepted; //  monotonic ms
} s_conn_t;

struct broker_guard {
    void *monitor; //  PAIR connected to the socket's monitor
    void *socket;  //  the watched socket (borrowed)
    char name[32];
    int per_peer, total, window_ms;
    s_conn_t *conns;
    size_t n, cap;
    uint64_t closed;   //  connections closed so far
    uint64_t logged;   //  ... of which the log has told
    int64_t log_after; //  no summary before this (monotonic ms)
};

static int64_t
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

broker_guard_t *
broker_guard_new (void *zctx, void *socket, const char *name, int per_peer, int total,
                  int window_ms)
{
    broker_guard_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->name, sizeof self->name, "%s", name);
    self->socket = socket;
    self->per_peer = per_peer;
    self->total = total;
    self->window_ms = window_ms;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://broker-guard-%s", name);
    int zero = 0;
    if (zmq_socket_monitor (socket, endpoint, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0 ||
        !(self->monitor = zmq_socket (zctx, ZMQ_PAIR)) ||
        zmq_setsockopt (self->monitor, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_connect (self->monitor, endpoint) != 0) {
        log_error ("guard %s: cannot monitor the socket: %s", name, zmq_strerror (errno));
        broker_guard_destroy (&self);
    }
    return self;
}

void
broker_guard_destroy (broker_guard_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_guard_t *self = *self_p;
    if (self->socket)
        zmq_socket_monitor (self->socket, NULL, 0);
    if (self->monitor)
        zmq_close (self->monitor);
    free (self->conns);
    free (self);
    *self_p = NULL;
}

void *
broker_guard_socket (broker_guard_t *self)
{
    return self->monitor;
}

uint64_t
broker_guard_closed (const broker_guard_t *self)
{
    return self->closed;
}

//  The peer's address (4 or 16 bytes) and port of a TCP connection; alen 0 if it is not one.
static void
s_peer (int fd, s_conn_t *c)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    c->alen = 0;
    if (getpeername (fd, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        memcpy (c->addr, &in->sin_addr, 4);
        c->alen = 4;
        c->port = in->sin_port;
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        memcpy (c->addr, &in6->sin6_addr, 16);
        c->alen = 16;
        c->port = in6->sin6_port;
    }
}

//  True if `a` and `b` are from the same peer address.
static bool
s_same_peer (const s_conn_t *a, const s_conn_t *b)
{
    return a->alen == b->alen && memcmp (a->addr, b->addr, a->alen) == 0;
}

static void
s_forget (broker_guard_t *self, size_t i)
{
    self->conns[i] = self->conns[--self->n];
}

//  Drops the connections accepted before the window: their handshake ended one way or
//  the other.
static void
s_expire (broker_guard_t *self, int64_t now)
{
    for (size_t i = self->n; i-- > 0;)
        if (now - self->conns[i].accepted > self->window_ms)
            s_forget (self, i);
}

//  True if connection `c` has not sent a byte since it was accepted, long enough ago to
//  have (and it is still that connection: the descriptor was not reused for another).
static bool
s_silent (const s_conn_t *c, int64_t now)
{
    if (now - c->accepted < BROKER_GUARD_SILENT_MS)
        return false;
    s_conn_t now_there;
    s_peer (c->fd, &now_there);
    if (!s_same_peer (&now_there, c) || now_there.port != c->port)
        return false;
    struct tcp_info info;
    socklen_t len = sizeof info;
    memset (&info, 0, sizeof info);
    if (getsockopt (c->fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        len < offsetof (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
        return false;
    return info.tcpi_bytes_received == 0;
}

static int
s_by_peer (const void *a, const void *b)
{
    const s_conn_t *x = a, *y = b;
    if (x->alen != y->alen)
        return x->alen < y->alen ? -1 : 1;
    int c = memcmp (x->addr, y->addr, x->alen);
    if (c)
        return c;
    return x->accepted < y->accepted ? -1 : x->accepted > y->accepted;
}

//  Closes the silent connections of conns[from..to) (one peer's, or everyone's) while
//  more than `cap` of them are counted; a closed one's fd becomes -1.
static void
s_shed (broker_guard_t *self, size_t from, size_t to, int cap, int64_t now)
{
    size_t count = to - from;
    for (size_t i = from; i < to && count > (size_t)cap; i++) {
        s_conn_t *c = &self->conns[i];
        if (c->fd < 0)
            count--;
        else if (s_silent (c, now)) {
            //  libzmq owns the descriptor: it sees the connection end and closes it.
            shutdown (c->fd, SHUT_RDWR);
            c->fd = -1;
            self->closed++;
            count--;
        }
    }
}

//  The caps, applied to what is counted now: per peer (the array sorted by peer), then
//  over all peers; the oldest silent connections go first.
static void
s_sweep (broker_guard_t *self, int64_t now)
{
    s_expire (self, now);
    if (self->n <= (size_t)self->per_peer)
        return;
    qsort (self->conns, self->n, sizeof *self->conns, s_by_peer);
    for (size_t from = 0, to; from < self->n; from = to) {
        for (to = from + 1; to < self->n && s_same_peer (&self->conns[to], &self->conns[from]);)
            to++;
        if (to - from > (size_t)self->per_peer)
            s_shed (self, from, to, self->per_peer, now);
    }
    if (self->n > (size_t)self->total)
        s_shed (self, 0, self->n, self->total, now);
    for (size_t i = self->n; i-- > 0;)
        if (self->conns[i].fd < 0)
            s_forget (self, i);
}

static void
s_accepted (broker_guard_t *self, int fd)
{
    s_conn_t c = {.fd = fd, .accepted = s_now ()};
    s_peer (fd, &c);
    if (!c.alen)
        return; //  not TCP
    for (size_t i = self->n; i-- > 0;)
        if (self->conns[i].fd == fd)
            s_forget (self, i); //  a closed connection's descriptor, reused
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 256;
        s_conn_t *conns = realloc (self->conns, cap * sizeof *conns);
        if (!conns)
            return;
        self->conns = conns;
        self->cap = cap;
    }
    self->conns[self->n++] = c;
}

//  A line in the log for what was closed since the last one, at most every GUARD_LOG_MS.
static void
s_log (broker_guard_t *self, int64_t now)
{
    if (self->closed == self->logged || now < self->log_after)
        return;
    log_warn ("guard %s: closed %llu connection(s) that had said nothing (one peer may hold at "
              "most %d waiting for their handshake, all peers %d)",
              self->name, (unsigned long long)(self->closed - self->logged), self->per_peer,
              self->total);
    self->logged = self->closed;
    self->log_after = now + GUARD_LOG_MS;
}

void
broker_guard_read (broker_guard_t *self)
{
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init (&m);
        if (zmq_msg_recv (&m, self->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&m);
            break;
        }
        //  Each report is two frames: 6 bytes (event, value), then the endpoint.
        uint16_t event = 0;
        uint32_t value = 0;
        bool report = zmq_msg_size (&m) == 6 && zmq_msg_more (&m);
        if (report) {
            memcpy (&event, zmq_msg_data (&m), 2);
            memcpy (&value, (char *)zmq_msg_data (&m) + 2, 4);
        }
        zmq_msg_close (&m);
        if (!report)
            continue;
        if (event == ZMQ_EVENT_ACCEPTED)
            s_accepted (self, (int)value);
        else if (event == ZMQ_EVENT_DISCONNECTED)
            for (size_t i = self->n; i-- > 0;)
                if (self->conns[i].fd == (int)value)
                    s_forget (self, i);
    }
    int64_t now = s_now ();
    s_sweep (self, now);
    s_log (self, now);
}
