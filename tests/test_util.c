/*  test_util.c — see test_util.h. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <CUnit/CUnit.h>

#include "broker_hall.h"
#include "proto_msg.h"
#include "proto_text.h"

char *
test_tmpdir (void)
{
    const char *base = getenv ("TMPDIR");
    char tmpl[512];
    snprintf (tmpl, sizeof tmpl, "%s/owtest.XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp (tmpl);
    return dir ? strdup (dir) : NULL;
}

void
test_rmtree (const char *path)
{
    if (!path || !*path || strcmp (path, "/") == 0)
        return;
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system (cmd) != 0)
        fprintf (stderr, "test: cannot remove %s\n", path);
}

const char *
test_src (const char *relative)
{
    static char buf[1024];
    const char *src = getenv ("OW_SRC_DIR");
    snprintf (buf, sizeof buf, "%s/%s", src && *src ? src : ".", relative);
    return buf;
}

const char *
test_bin (const char *program)
{
    static char buf[1024];
    const char *bin = getenv ("OW_BIN_DIR");
    snprintf (buf, sizeof buf, "%s/%s", bin && *bin ? bin : "bin", program);
    return buf;
}

int
test_write_file (const char *path, const char *text)
{
    FILE *f = fopen (path, "w");
    if (!f)
        return -1;
    int rc = fputs (text, f) < 0 ? -1 : 0;
    if (fclose (f) != 0)
        rc = -1;
    return rc;
}

char *
test_read_file (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&text, &size);
    char buf[4096];
    size_t n;
    while (mem && (n = fread (buf, 1, sizeof buf, f)) > 0)
        fwrite (buf, 1, n, mem);
    fclose (f);
    if (mem)
        fclose (mem);
    return text;
}

int
test_copy_file (const char *from, const char *to)
{
    char *text = test_read_file (from);
    int rc = text ? test_write_file (to, text) : -1;
    free (text);
    return rc;
}

char *
test_hall_copy (int first, int last, char *config, size_t size)
{
    char *dir = test_tmpdir ();
    char path[700];
    snprintf (config, size, "%s/hall.json", dir ? dir : "");
    snprintf (path, sizeof path, "%s/calendar", dir ? dir : "");
    if (!dir || test_copy_file (test_src ("etc/hall.example.json"), config) != 0 ||
        mkdir (path, 0750) != 0)
        goto fail;
    for (int year = first; year <= last; year++) {
        char from[64], to[800];
        snprintf (from, sizeof from, "etc/calendar/%d.json", year);
        snprintf (to, sizeof to, "%s/%d.json", path, year);
        if (test_copy_file (test_src (from), to) != 0)
            goto fail;
    }
    return dir;
fail:
    test_rmtree (dir);
    free (dir);
    return NULL;
}

broker_ticket_t *
test_ticket_waiting (broker_hall_t *hall, int service, int priority)
{
    broker_ticket_t *t = broker_hall_ticket_new (hall);
    CU_ASSERT_PTR_NOT_NULL_FATAL (t);
    t->service = service;
    t->priority = (broker_priority_t)priority;
    t->state = TICKET_WAITING;
    snprintf (t->number, sizeof t->number, "%s%03llu", hall->config->services[service].prefix,
              (unsigned long long)t->id);
    CU_ASSERT_EQUAL (broker_hall_enqueue (hall, t), 0);
    return t;
}

char *
test_run (const char *command, int *status)
{
    FILE *p = popen (command, "r");
    if (!p) {
        *status = -1;
        return NULL;
    }
    char *out = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&out, &size);
    char buf[4096];
    size_t n;
    while ((n = fread (buf, 1, sizeof buf, p)) > 0)
        fwrite (buf, 1, n, mem);
    fclose (mem);
    int st = pclose (p);
    *status = WIFEXITED (st) ? WEXITSTATUS (st) : 128 + (WIFSIGNALED (st) ? WTERMSIG (st) : 0);
    return out;
}

static pid_t
s_spawn (test_broker_t *b)
{
    pid_t pid = fork ();
    if (pid != 0)
        return pid;
    int fd = open (b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2 (fd, STDERR_FILENO);
        dup2 (fd, STDOUT_FILENO);
        close (fd);
    }
    char data[600];
    snprintf (data, sizeof data, "%s/data", b->dir);
    char *argv[16] = {(char *)test_bin ("onewindow-broker"),
                      "--config",
                      b->config,
                      "--data",
                      data,
                      "--bind",
                      b->req,
                      "--pub",
                      b->pub,
                      "--clock",
                      b->clock};
    int n = 11;
    if (b->key[0]) {
        argv[n++] = "--key";
        argv[n++] = b->key;
    } else
        argv[n++] = "--insecure";
    if (b->notify[0]) {
        argv[n++] = "--notify-log";
        argv[n++] = b->notify;
    }
    argv[n] = NULL;
    execv (argv[0], argv);
    fprintf (stderr, "test: cannot exec %s: %s\n", argv[0], strerror (errno));
    _exit (127);
}

//  Waits until the broker answers, or it died.
static int
s_wait_ready (test_broker_t *b)
{
    proto_client_t *c = proto_client_new (b->req);
    if (!c)
        return -1;
    proto_client_set_timeout (c, 200, 1);
    int rc = -1;
    //  Up to ~30 s under sanitizers on a loaded machine; normally the first try answers.
    for (int i = 0; i < 150 && test_broker_alive (b); i++) {
        json_t *r = NULL;
        if (proto_client_call (c, "hall.info", NULL, &r) == 0) {
            json_decref (r);
            rc = 0;
            break;
        }
        json_decref (r);
    }
    proto_client_destroy (&c);
    return rc;
}

int
test_broker_start (test_broker_t *b, const char *config, int64_t sim_start_ms)
{
    char *dir = test_tmpdir ();
    if (!dir)
        return -1;
    test_broker_prepare (b, dir, config, sim_start_ms);
    free (dir);
    return test_broker_restart (b);
}

void
test_broker_prepare (test_broker_t *b, const char *dir, const char *config, int64_t sim_start_ms)
{
    memset (b, 0, sizeof *b);
    snprintf (b->dir, sizeof b->dir, "%s", dir);
    snprintf (b->req, sizeof b->req, "ipc://%s/req", b->dir);
    snprintf (b->pub, sizeof b->pub, "ipc://%s/pub", b->dir);
    snprintf (b->log, sizeof b->log, "%s/broker.log", b->dir);
    snprintf (b->config, sizeof b->config, "%s",
              config ? config : test_src ("etc/hall.example.json"));
    if (sim_start_ms)
        snprintf (b->clock, sizeof b->clock, "sim:%lld", (long long)sim_start_ms);
    else
        snprintf (b->clock, sizeof b->clock, "real");
}

int
test_broker_restart (test_broker_t *b)
{
    b->pid = s_spawn (b);
    if (b->pid < 0)
        return -1;
    if (s_wait_ready (b) != 0) {
        fprintf (stderr, "test: broker in %s did not become ready; its log:\n", b->dir);
        char cmd[700];
        snprintf (cmd, sizeof cmd, "cat '%s' >&2", b->log);
        if (system (cmd) != 0)
            fprintf (stderr, "(no log)\n");
        return -1;
    }
    return 0;
}

bool
test_broker_alive (test_broker_t *b)
{
    if (b->pid <= 0)
        return false;
    int st;
    pid_t r = waitpid (b->pid, &st, WNOHANG);
    if (r == b->pid) {
        b->pid = 0;
        return false;
    }
    return true;
}

int
test_broker_stop (test_broker_t *b, int sig)
{
    if (b->pid <= 0)
        return -1;
    kill (b->pid, sig);
    int st = 0;
    waitpid (b->pid, &st, 0);
    b->pid = 0;
    if (WIFEXITED (st))
        return WEXITSTATUS (st);
    return 128 + (WIFSIGNALED (st) ? WTERMSIG (st) : 0);
}

void
test_broker_cleanup (test_broker_t *b)
{
    if (b->pid > 0)
        test_broker_stop (b, SIGTERM);
    if (b->dir[0])
        test_rmtree (b->dir);
    b->dir[0] = 0;
}

proto_client_t *
test_client (const test_broker_t *b)
{
    proto_client_t *c = proto_client_new (b->req);
    if (c)
        proto_client_set_timeout (c, 5000, 2);
    return c;
}

json_t *
test_call (proto_client_t *c, const char *command, json_t *body, int *code)
{
    json_t *r = NULL;
    int rc = proto_client_call (c, command, body, &r);
    json_decref (body);
    if (code)
        *code = rc;
    return r;
}

int
test_code (proto_client_t *c, const char *command, json_t *body, json_t **reply)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    if (reply)
        *reply = r;
    else
        json_decref (r);
    return code;
}

//  ---------------------------------------------------------------------------------------
//  An event subscriber

struct test_sub {
    void *ctx;
    void *sub;
};

//  Drops every message already queued (a quiet 50 ms ends it).
static void
s_sub_drain (test_sub_t *self)
{
    for (;;) {
        zmq_pollitem_t item = {self->sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 50) <= 0)
            break;
        zmq_msg_t m;
        zmq_msg_init (&m);
        do
            zmq_msg_recv (&m, self->sub, 0);
        while (zmq_msg_more (&m));
        zmq_msg_close (&m);
    }
}

test_sub_t *
test_sub_new (const char *endpoint, proto_client_t *poke)
{
    test_sub_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ctx = zmq_ctx_new ();
    self->sub = self->ctx ? zmq_socket (self->ctx, ZMQ_SUB) : NULL;
    int zero = 0;
    if (!self->sub || zmq_setsockopt (self->sub, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_setsockopt (self->sub, ZMQ_SUBSCRIBE, "", 0) != 0 ||
        zmq_connect (self->sub, endpoint) != 0) {
        test_sub_destroy (&self);
        return NULL;
    }
    if (!poke)
        return self;
    for (int i = 0; i < 100; i++) {
        json_decref (test_call (poke, "clock.advance", json_pack ("{s:i}", "ms", 0), NULL));
        zmq_pollitem_t item = {self->sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 100) > 0)
            break;
    }
    s_sub_drain (self);
    return self;
}

void
test_sub_destroy (test_sub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    test_sub_t *self = *self_p;
    if (self->sub)
        zmq_close (self->sub);
    if (self->ctx)
        zmq_ctx_term (self->ctx);
    free (self);
    *self_p = NULL;
}

void *
test_sub_socket (test_sub_t *self)
{
    return self->sub;
}

//  The next event of any topic, or NULL after timeout_ms.
static json_t *
s_sub_read (test_sub_t *self, int timeout_ms)
{
    zmq_pollitem_t item = {self->sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll (&item, 1, timeout_ms) <= 0)
        return NULL;
    char topic[64] = "", seq[32] = "";
    json_t *body = NULL;
    int part = 0;
    zmq_msg_t m;
    zmq_msg_init (&m);
    do {
        zmq_msg_recv (&m, self->sub, 0);
        size_t n = zmq_msg_size (&m);
        if (part == 0 && n < sizeof topic)
            memcpy (topic, zmq_msg_data (&m), n);
        else if (part == 1 && n < sizeof seq)
            memcpy (seq, zmq_msg_data (&m), n);
        else if (part == 2 && !body)
            body = json_loadb (zmq_msg_data (&m), n, 0, NULL);
        part++;
    } while (zmq_msg_more (&m));
    zmq_msg_close (&m);
    return json_pack ("{s:s, s:I, s:o}", "topic", topic, "seq", (json_int_t)atoll (seq), "body",
                      body ? body : json_null ());
}

json_t *
test_sub_next (test_sub_t *self, int timeout_ms)
{
    //  hall.estimates is not part of the journal's order: it comes whenever the broker's
    //  pacing allows, so sequence-minded readers skip it (test_sub_wait finds it).
    int64_t deadline = proto_mono_ms () + timeout_ms;
    for (;;) {
        int64_t left = deadline - proto_mono_ms ();
        json_t *e = s_sub_read (self, left > 0 ? (int)left : 0);
        if (!e || strcmp (json_string_value (json_object_get (e, "topic")), "hall.estimates") != 0)
            return e;
        json_decref (e);
    }
}

json_t *
test_sub_wait_match (test_sub_t *self, const char *topic, const char *key, const char *value,
                     int timeout_ms)
{
    int64_t deadline = proto_mono_ms () + timeout_ms;
    for (int64_t now = proto_mono_ms (); now < deadline; now = proto_mono_ms ()) {
        json_t *e = s_sub_read (self, (int)(deadline - now));
        if (!e)
            break;
        json_t *body = json_object_get (e, "body");
        const char *got = key ? json_string_value (json_object_get (body, key)) : NULL;
        if (strcmp (json_string_value (json_object_get (e, "topic")), topic) == 0 &&
            json_is_object (body) && (!key || (got && strcmp (got, value) == 0))) {
            json_incref (body);
            json_decref (e);
            return body;
        }
        json_decref (e);
    }
    return NULL;
}

json_t *
test_sub_wait (test_sub_t *self, const char *topic, int timeout_ms)
{
    return test_sub_wait_match (self, topic, NULL, NULL, timeout_ms);
}

json_t *
test_sub_until_now (test_sub_t *self, proto_client_t *c)
{
    json_t *r = test_call (c, "clock.advance", json_pack ("{s:i}", "ms", 0), NULL);
    json_int_t now = json_integer_value (json_object_get (r, "now"));
    json_decref (r);
    json_t *events = json_array ();
    for (;;) {
        json_t *e = test_sub_next (self, 5000);
        if (!e) {
            json_decref (events);
            return NULL;
        }
        json_t *body = json_object_get (e, "body");
        if (strcmp (json_string_value (json_object_get (e, "topic")), "clock.advanced") == 0 &&
            json_integer_value (json_object_get (body, "ms")) == 0 &&
            json_integer_value (json_object_get (body, "now")) == now) {
            json_decref (e);
            return events;
        }
        json_array_append_new (events, e);
    }
}
