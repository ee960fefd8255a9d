/*  test_http_sink.c — see test_http_sink.h. */
#include "test_http_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto_text.h"

#define S_MAX_REQUEST 65536

struct test_http_sink {
    int listener;          //  the listening socket
    int wake[2];           //  a pipe that wakes the thread (stop, or stall off)
    char url[64];          //  http://127.0.0.1:PORT/sms
    pthread_t thread;      //  serves one connection at a time
    pthread_mutex_t lock;  //  guards what follows
    pthread_cond_t change; //  signalled on every new request
    bool stop;             //  destroy asked the thread to end
    bool stall;            //  hold answers
    int fail_count;        //  the next requests answered with fail_status
    int fail_status;       //
    json_t *log;           //  every request
    json_t *accepted;      //  keys delivered: key -> true
    test_http_sink_fn *hook;
    void *hook_arg;
};

//  Reads one request (headers and a Content-Length body) into buf; its length, or -1.
static int
s_read_request (int fd, char *buf, size_t size, char **body)
{
    size_t len = 0;
    long want = -1;
    *body = NULL;
    while (len < size - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll (&p, 1, 5000) <= 0)
            return -1;
        ssize_t n = read (fd, buf + len, size - 1 - len);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = 0;
        if (!*body) {
            char *end = strstr (buf, "\r\n\r\n");
            if (!end)
                continue;
            *body = end + 4;
            const char *cl = strcasestr (buf, "\r\nContent-Length:");
            want = cl ? strtol (cl + 17, NULL, 10) : 0;
        }
        if (*body && (long)(len - (size_t)(*body - buf)) >= want)
            return (int)len;
    }
    return -1;
}

//  A header's value (trimmed) into out; "" if absent.
static void
s_header (const char *request, const char *name, char *out, size_t size)
{
    char pattern[80];
    snprintf (pattern, sizeof pattern, "\r\n%s:", name);
    const char *h = strcasestr (request, pattern);
    *out = 0;
    if (!h)
        return;
    h += strlen (pattern);
    while (*h == ' ')
        h++;
    size_t n = strcspn (h, "\r\n");
    snprintf (out, size, "%.*s", (int)(n < size ? n : size - 1), h);
}

//  Holds the answer while the sink stalls. False if the sink is stopping.
static bool
s_wait_unstalled (test_http_sink_t *self)
{
    pthread_mutex_lock (&self->lock);
    while (self->stall && !self->stop) {
        pthread_mutex_unlock (&self->lock);
        struct pollfd p = {self->wake[0], POLLIN, 0};
        if (poll (&p, 1, 100) > 0) {
            char b[16];
            if (read (self->wake[0], b, sizeof b) < 0)
                break;
        }
        pthread_mutex_lock (&self->lock);
    }
    bool go = !self->stop;
    pthread_mutex_unlock (&self->lock);
    return go;
}

//  Serves one connection: records the request, answers it as the sink is told to.
static void
s_serve (test_http_sink_t *self, int fd)
{
    char *buf = malloc (S_MAX_REQUEST), *body;
    if (!buf || s_read_request (fd, buf, S_MAX_REQUEST, &body) < 0) {
        free (buf);
        return;
    }
    char key[160], type[160], path[256] = "";
    s_header (buf, "Idempotency-Key", key, sizeof key);
    s_header (buf, "Content-Type", type, sizeof type);
    sscanf (buf, "%*s %255s", path);
    json_t *rec =
        json_pack ("{s:s, s:s, s:s, s:o?, s:i, s:b}", "key", key, "path", path, "content_type",
                   type, "body", json_loads (body, 0, NULL), "status", 0, "delivered", 0);
    pthread_mutex_lock (&self->lock);
    json_array_append (self->log, rec);
    pthread_cond_broadcast (&self->change);
    pthread_mutex_unlock (&self->lock);
    bool answer = s_wait_unstalled (self);
    pthread_mutex_lock (&self->lock);
    int status = 200;
    bool fresh = false;
    if (self->fail_count > 0) {
        self->fail_count--;
        status = self->fail_status;
    } else if (!json_object_get (self->accepted, key)) {
        fresh = true;
        json_object_set_new (self->accepted, key, json_true ());
    }
    json_object_set_new (rec, "status", json_integer (answer ? status : 0));
    json_object_set_new (rec, "delivered", json_boolean (answer && fresh));
    test_http_sink_fn *hook = answer && fresh ? self->hook : NULL;
    void *hook_arg = self->hook_arg;
    if (hook)
        self->hook = NULL;
    pthread_mutex_unlock (&self->lock);
    json_decref (rec);
    if (answer) {
        const char *reply = status != 200 ? "{\"error\": \"test\"}"
                            : fresh       ? "{\"ok\": true}"
                                          : "{\"duplicate\": true}";
        char head[256];
        int n = snprintf (head, sizeof head,
                          "HTTP/1.1 %d Test\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                          status, strlen (reply), reply);
        if (write (fd, head, (size_t)n) < 0)
            fprintf (stderr, "http sink: cannot answer\n");
    }
    free (buf);
    if (hook)
        hook (hook_arg);
}

static void *
s_thread (void *arg)
{
    test_http_sink_t *self = arg;
    for (;;) {
        struct pollfd p[2] = {{self->listener, POLLIN, 0}, {self->wake[0], POLLIN, 0}};
        poll (p, 2, 100);
        pthread_mutex_lock (&self->lock);
        bool stop = self->stop;
        pthread_mutex_unlock (&self->lock);
        if (stop)
            break;
        if (p[1].revents & POLLIN) {
            char b[16];
            if (read (self->wake[0], b, sizeof b) < 0)
                break;
        }
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept (self->listener, NULL, NULL);
        if (fd >= 0) {
            s_serve (self, fd);
            close (fd);
        }
    }
    return NULL;
}

test_http_sink_t *
test_http_sink_new (void)
{
    test_http_sink_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->listener = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (self->listener < 0 || bind (self->listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen (self->listener, 16) != 0 ||
        getsockname (self->listener, (struct sockaddr *)&addr, &alen) != 0 || pipe (self->wake)) {
        if (self->listener >= 0)
            close (self->listener);
        free (self);
        return NULL;
    }
    snprintf (self->url, sizeof self->url, "http://127.0.0.1:%d/sms", ntohs (addr.sin_port));
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->change, NULL);
    self->log = json_array ();
    self->accepted = json_object ();
    pthread_create (&self->thread, NULL, s_thread, self);
    return self;
}

void
test_http_sink_destroy (test_http_sink_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    test_http_sink_t *self = *self_p;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_mutex_unlock (&self->lock);
    if (write (self->wake[1], "x", 1) < 0)
        fprintf (stderr, "http sink: cannot wake its thread\n");
    pthread_join (self->thread, NULL);
    close (self->listener);
    close (self->wake[0]);
    close (self->wake[1]);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->change);
    json_decref (self->log);
    json_decref (self->accepted);
    free (self);
    *self_p = NULL;
}

const char *
test_http_sink_url (test_http_sink_t *self)
{
    return self->url;
}

void
test_http_sink_fail (test_http_sink_t *self, int count, int status)
{
    pthread_mutex_lock (&self->lock);
    self->fail_count = count;
    self->fail_status = status;
    pthread_mutex_unlock (&self->lock);
}

void
test_http_sink_stall (test_http_sink_t *self, bool on)
{
    pthread_mutex_lock (&self->lock);
    self->stall = on;
    pthread_mutex_unlock (&self->lock);
    if (!on && write (self->wake[1], "x", 1) < 0)
        fprintf (stderr, "http sink: cannot wake its thread\n");
}

void
test_http_sink_on_delivery (test_http_sink_t *self, test_http_sink_fn *fn, void *arg)
{
    pthread_mutex_lock (&self->lock);
    self->hook = fn;
    self->hook_arg = arg;
    pthread_mutex_unlock (&self->lock);
}

bool
test_http_sink_wait (test_http_sink_t *self, int count, int timeout_ms)
{
    int64_t until = proto_mono_ms () + timeout_ms;
    pthread_mutex_lock (&self->lock);
    while ((int)json_array_size (self->log) < count && proto_mono_ms () < until) {
        struct timespec ts;
        clock_gettime (CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait (&self->change, &self->lock, &ts);
    }
    bool ok = (int)json_array_size (self->log) >= count;
    pthread_mutex_unlock (&self->lock);
    return ok;
}

int
test_http_sink_count (test_http_sink_t *self)
{
    pthread_mutex_lock (&self->lock);
    int n = (int)json_array_size (self->log);
    pthread_mutex_unlock (&self->lock);
    return n;
}

json_t *
test_http_sink_requests (test_http_sink_t *self)
{
    pthread_mutex_lock (&self->lock);
    json_t *copy = json_deep_copy (self->log);
    pthread_mutex_unlock (&self->lock);
    return copy;
}

int
test_http_sink_delivered (test_http_sink_t *self, const char *key, int *requests)
{
    int delivered = 0, seen = 0;
    pthread_mutex_lock (&self->lock);
    size_t i;
    json_t *r;
    json_array_foreach (self->log, i, r) {
        if (strcmp (json_string_value (json_object_get (r, "key")), key) != 0)
            continue;
        seen++;
        if (json_is_true (json_object_get (r, "delivered")))
            delivered++;
    }
    pthread_mutex_unlock (&self->lock);
    if (requests)
        *requests = seen;
    return delivered;
}
