/*  web_call.c — see web_call.h. */
#include "web_call.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto_client.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_text.h"

enum { CALL, VERIFY };

//  One job, held by one thread at a time.
typedef struct {
    uint64_t id;
    int kind;
    int64_t deadline; //  monotonic ms: a worker that takes it later does not ask
    char command[40];
    json_t *body;
    char rid[80];
    char *hash, *password; //  VERIFY
    int rc;
    json_t *reply;
    char message[256];
} s_job_t;

//  A job being waited for, on the main thread.
typedef struct {
    uint64_t id; //  0: a free slot
    int64_t deadline;
    web_call_done_fn *done;
    void *owner;
} s_wait_t;

struct web_call {
    char *broker;
    int jobs[2]; //  main -> workers
    int back[2]; //  workers -> main
    pthread_t threads[WEB_CALL_WORKERS];
    int nthreads;
    bool up;
    uint64_t next_id;
    int out; //  jobs with the workers (some no longer waited for)
    s_wait_t waits[WEB_CALL_PENDING];
};

static void
s_job_free (s_job_t *j)
{
    if (!j)
        return;
    json_decref (j->body);
    json_decref (j->reply);
    free (j->hash);
    if (j->password) {
        sodium_memzero (j->password, strlen (j->password));
        free (j->password);
    }
    free (j);
}

//  One job, on a worker.
static void
s_work (s_job_t *j, proto_client_t *client)
{
    if (proto_mono_ms () > j->deadline) {
        j->rc = PROTO_CLIENT_UNREACHABLE;
        return;
    }
    if (j->kind == VERIFY) {
        j->rc = crypto_pwhash_str_verify (j->hash, j->password, strlen (j->password)) == 0 ? 0 : -1;
        return;
    }
    if (!client) {
        j->rc = PROTO_CLIENT_UNREACHABLE;
        snprintf (j->message, sizeof j->message, "no client for the broker");
        return;
    }
    j->rc = proto_client_call_id (client, j->command, j->body, j->rid, &j->reply);
    snprintf (j->message, sizeof j->message, "%s", proto_client_message (client));
}

static void *
s_worker (void *arg)
{
    web_call_t *self = arg; //  only broker and the pipes' ends, set before the threads
    proto_client_t *client = proto_client_new (self->broker);
    if (client)
        proto_client_set_timeout (client, WEB_CALL_TRY_MS, 2);
    s_job_t *j;
    while (read (self->jobs[0], &j, sizeof j) == (ssize_t)sizeof j) {
        s_work (j, client);
        if (write (self->back[1], &j, sizeof j) != (ssize_t)sizeof j)
            s_job_free (j); //  only when the main thread is gone
    }
    proto_client_destroy (&client);
    return NULL;
}

web_call_t *
web_call_new (const char *broker)
{
    web_call_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->jobs[0] = self->jobs[1] = self->back[0] = self->back[1] = -1;
    self->broker = strdup (broker);
    if (!self->broker || pipe2 (self->jobs, O_CLOEXEC) != 0 || pipe2 (self->back, O_CLOEXEC) != 0)
        goto fail;
    //  The main thread never waits: to hand a job over (a full pipe refuses it), nor to
    //  take one back.
    fcntl (self->jobs[1], F_SETFL, O_NONBLOCK);
    fcntl (self->back[0], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < WEB_CALL_WORKERS; i++) {
        if (pthread_create (&self->threads[i], NULL, s_worker, self) != 0)
            goto fail;
        self->nthreads++;
    }
    self->up = true;
    return self;
fail:
    log_error ("web: cannot start the workers: %s", strerror (errno));
    web_call_destroy (&self);
    return NULL;
}

void
web_call_stop (web_call_t *self)
{
    for (int i = 0; i < WEB_CALL_PENDING; i++) {
        s_wait_t w = self->waits[i];
        if (!w.id)
            continue;
        memset (&self->waits[i], 0, sizeof self->waits[i]);
        w.done (w.owner, PROTO_CLIENT_UNREACHABLE, NULL, "the gateway is stopping");
    }
}

void
web_call_destroy (web_call_t **self_p)
{
    web_call_t *self = *self_p;
    if (!self)
        return;
    web_call_stop (self);
    if (self->jobs[1] >= 0)
        close (self->jobs[1]); //  the workers read the end and stop
    for (int i = 0; i < self->nthreads; i++)
        pthread_join (self->threads[i], NULL);
    s_job_t *j;
    while (self->back[0] >= 0 && read (self->back[0], &j, sizeof j) == (ssize_t)sizeof j)
        s_job_free (j);
    int fds[] = {self->jobs[0], self->back[0], self->back[1]};
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close (fds[i]);
    free (self->broker);
    free (self);
    *self_p = NULL;
}

void
web_call_set_up (web_call_t *self, bool up)
{
    self->up = up;
}

int
web_call_fd (web_call_t *self)
{
    return self->back[0];
}

int
web_call_pending (const web_call_t *self)
{
    int n = 0;
    for (int i = 0; i < WEB_CALL_PENDING; i++)
        n += self->waits[i].id != 0;
    return n;
}

//  Hands `j` (taken) over and waits for it. 0 / -1 (j freed).
static int
s_submit (web_call_t *self, s_job_t *j, web_call_done_fn *done, void *owner)
{
    s_wait_t *slot = NULL;
    for (int i = 0; i < WEB_CALL_PENDING && !slot; i++)
        if (!self->waits[i].id)
            slot = &self->waits[i];
    //  Jobs no longer waited for still hold the workers: a bound on them too.
    if (!slot || self->out >= 2 * WEB_CALL_PENDING) {
        log_warn ("web: %d requests wait for the broker; one more refused", self->out);
        s_job_free (j);
        return -1;
    }
    j->id = ++self->next_id;
    j->deadline = proto_mono_ms () + WEB_CALL_WAIT_MS;
    if (write (self->jobs[1], &j, sizeof j) != (ssize_t)sizeof j) {
        s_job_free (j);
        return -1;
    }
    self->out++;
    *slot = (s_wait_t){j->id, j->deadline, done, owner};
    return 0;
}

//  A broker call's job (body taken), handed over. As web_call_broker.
static int
s_call (web_call_t *self, const char *command, json_t *body, const char *request_id,
        web_call_done_fn *done, void *owner)
{
    s_job_t *j = calloc (1, sizeof *j);
    if (!j) {
        json_decref (body);
        return -1;
    }
    j->kind = CALL;
    j->body = body;
    snprintf (j->command, sizeof j->command, "%s", command);
    if (request_id)
        snprintf (j->rid, sizeof j->rid, "%s", request_id);
    else
        proto_request_id_new (j->rid);
    return s_submit (self, j, done, owner);
}

int
web_call_broker (web_call_t *self, const char *command, json_t *body, const char *request_id,
                 web_call_done_fn *done, void *owner)
{
    if (!self->up) {
        json_decref (body);
        return -1;
    }
    return s_call (self, command, body, request_id, done, owner);
}

int
web_call_ping (web_call_t *self, web_call_done_fn *done, void *owner)
{
    return s_call (self, "hall.info", NULL, NULL, done, owner);
}

int
web_call_verify (web_call_t *self, const char *hash, const char *password, web_call_done_fn *done,
                 void *owner)
{
    s_job_t *j = calloc (1, sizeof *j);
    if (!j)
        return -1;
    j->kind = VERIFY;
    j->hash = strdup (hash);
    j->password = strdup (password);
    if (!j->hash || !j->password) {
        s_job_free (j);
        return -1;
    }
    return s_submit (self, j, done, owner);
}

void
web_call_run (web_call_t *self, int64_t now_ms)
{
    s_job_t *j;
    while (read (self->back[0], &j, sizeof j) == (ssize_t)sizeof j) {
        self->out--;
        for (int i = 0; i < WEB_CALL_PENDING; i++) {
            s_wait_t w = self->waits[i];
            if (w.id != j->id)
                continue;
            memset (&self->waits[i], 0, sizeof self->waits[i]);
            json_t *reply = j->reply;
            j->reply = NULL;
            w.done (w.owner, j->rc, reply, j->message);
            break;
        }
        s_job_free (j);
    }
    for (int i = 0; i < WEB_CALL_PENDING; i++) {
        s_wait_t w = self->waits[i];
        if (!w.id || w.deadline > now_ms)
            continue;
        memset (&self->waits[i], 0, sizeof self->waits[i]);
        w.done (w.owner, PROTO_CLIENT_UNREACHABLE, NULL, "the broker did not answer in time");
    }
}
