/*  broker_sms.c — see broker_sms.h. */
#include "broker_sms.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "proto_json.h"
#include "proto_log.h"
#include "proto_text.h"

#define S_STOP      "STOP" //  the loop's last message to the thread
#define S_ERROR_MAX 200    //  bytes of an error kept (the gateway's answer, or curl's)

//  A notice the thread holds until it is delivered or rejected.
typedef struct {
    json_t *notice; //  the record as handed over
    int attempts;   //  attempts made by this thread
    int64_t due;    //  next attempt, monotonic ms
} s_item_t;

struct broker_sms {
    void *zctx;
    void *pipe;           //  the loop's end of the PAIR
    void *thread_pipe;    //  the thread's end, connected before the thread starts
    char endpoint[64];    //  inproc://broker-sms-<address>
    char url[1024];       //  notify.sms_url
    int timeout_s;        //  one POST's limit
    int retry_max_s;      //  longest wait between attempts
    pthread_t thread;     //  the sender
    bool started;         //  `thread` runs
    atomic_bool stopping; //  set by destroy: a POST under way gives up
};

//  What one attempt gave back.
typedef struct {
    long status;              //  HTTP status, 0 if none came
    bool ok, final;           //  delivered; rejected for good
    char error[S_ERROR_MAX];  //  why not, for the office (printable ASCII or UTF-8)
    char answer[S_ERROR_MAX]; //  the start of the gateway's answer
    size_t alen;
} s_attempt_t;

//  ---------------------------------------------------------------------------------------
//  One POST

//  Keeps the start of the gateway's answer for the error text; the rest is dropped.
static size_t
s_on_body (char *data, size_t size, size_t nmemb, void *arg)
{
    s_attempt_t *a = arg;
    size_t n = size * nmemb, room = sizeof a->answer - 1 - a->alen;
    memcpy (a->answer + a->alen, data, n < room ? n : room);
    a->alen += n < room ? n : room;
    a->answer[a->alen] = 0;
    return n;
}

//  libcurl asks this during a transfer: nonzero abandons it (the broker is stopping).
static int
s_on_progress (void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
               curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    broker_sms_t *self = arg;
    return atomic_load (&self->stopping) ? 1 : 0;
}

//  Keeps what the office reads valid: control characters and bytes that are not ASCII
//  become '?', so an answer cut anywhere stays valid UTF-8.
static void
s_printable (char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            *s = '?';
}

//  POSTs one notice to the gateway and classifies the outcome.
static void
s_post (broker_sms_t *self, CURL *curl, const json_t *notice, s_attempt_t *a)
{
    memset (a, 0, sizeof *a);
    json_t *msg =
        json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", proto_str (notice, "id"), "phone",
                   proto_str (notice, "phone"), "template", proto_str (notice, "template"), "text",
                   proto_str (notice, "text"), "case_no", proto_str (notice, "case_no"), "link",
                   proto_str (notice, "link"));
    char *body = msg ? json_dumps (msg, JSON_COMPACT) : NULL;
    json_decref (msg);
    if (!body) {
        snprintf (a->error, sizeof a->error, "the notice cannot be written as JSON");
        a->final = true;
        return;
    }
    char key[160], errbuf[CURL_ERROR_SIZE] = "";
    snprintf (key, sizeof key, "Idempotency-Key: %s", proto_str (notice, "id"));
    struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json; "
                                                          "charset=utf-8");
    headers = curl_slist_append (headers, key);
    headers = curl_slist_append (headers, "Expect:");
    curl_easy_setopt (curl, CURLOPT_URL, self->url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long)strlen (body));
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, a);
    curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform (curl);
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all (headers);
    free (body);
    s_printable (a->answer);
    if (rc != CURLE_OK) {
        a->status = 0;
        snprintf (a->error, sizeof a->error, "%.150s", *errbuf ? errbuf : curl_easy_strerror (rc));
        s_printable (a->error);
    } else if (a->status >= 200 && a->status < 300)
        a->ok = true;
    else {
        a->final = a->status >= 400 && a->status < 500 && a->status != 408 && a->status != 429;
        snprintf (a->error, sizeof a->error, "HTTP %ld%s%.150s", a->status, a->alen ? ": " : "",
                  a->answer);
    }
}

//  A handle for the whole life of the thread: it keeps the connection to the gateway.
static CURL *
s_curl_new (broker_sms_t *self)
{
    CURL *curl = curl_easy_init ();
    if (!curl)
        return NULL;
    long connect = self->timeout_s < 5 ? self->timeout_s : 5;
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (curl, CURLOPT_POST, 1L);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long)self->timeout_s);
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, connect);
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, s_on_progress);
    curl_easy_setopt (curl, CURLOPT_XFERINFODATA, self);
    curl_easy_setopt (curl, CURLOPT_USERAGENT, "onewindow-broker");
    return curl;
}

//  ---------------------------------------------------------------------------------------
//  The thread

//  Reads what the loop sent: notices to hold. False when told to stop.
static bool
s_take (void *pipe, s_item_t **items, size_t *n, size_t *cap)
{
    char buf[16384];
    int len;
    while ((len = zmq_recv (pipe, buf, sizeof buf - 1, ZMQ_DONTWAIT)) >= 0) {
        if (len == (int)strlen (S_STOP) && memcmp (buf, S_STOP, (size_t)len) == 0)
            return false;
        if (len >= (int)sizeof buf - 1)
            continue; //  cut by the buffer: cannot happen for a notice the broker wrote
        json_t *notice = json_loadb (buf, (size_t)len, 0, NULL);
        bool held = !notice;
        for (size_t i = 0; i < *n && !held; i++)
            held = strcmp (proto_str ((*items)[i].notice, "id"), proto_str (notice, "id")) == 0;
        if (!held && *n == *cap) {
            size_t grown = *cap ? *cap * 2 : 16;
            s_item_t *more = realloc (*items, grown * sizeof *more);
            held = !more;
            if (more) {
                *items = more;
                *cap = grown;
            }
        }
        if (held) {
            json_decref (notice);
            continue;
        }
        (*items)[(*n)++] = (s_item_t){notice, 0, proto_mono_ms ()};
    }
    return true;
}

//  Tells the loop what an attempt gave.
static void
s_report (void *pipe, const json_t *notice, const s_attempt_t *a)
{
    json_t *r =
        json_pack ("{s:I, s:s, s:b, s:b, s:I, s:s}", "seq", (json_int_t)proto_int (notice, "seq"),
                   "id", proto_str (notice, "id"), "ok", a->ok, "final", a->final, "status",
                   (json_int_t)a->status, "error", a->error);
    char *text = r ? json_dumps (r, JSON_COMPACT) : NULL;
    if (text)
        zmq_send (pipe, text, strlen (text), 0);
    free (text);
    json_decref (r);
}

//  The wait before attempt n + 1 after n failures: 1, 2, 4 ... seconds, up to the cap.
static int64_t
s_backoff_ms (const broker_sms_t *self, int failures)
{
    int64_t s = 1;
    for (int i = 1; i < failures && s < self->retry_max_s; i++)
        s *= 2;
    return (s < self->retry_max_s ? s : self->retry_max_s) * 1000;
}

//  Sends the notice most overdue, if one is due; forgets it once delivered or rejected.
static void
s_attempt (broker_sms_t *self, void *pipe, CURL *curl, s_item_t *items, size_t *n)
{
    int64_t now = proto_mono_ms ();
    size_t best = *n;
    for (size_t i = 0; i < *n; i++)
        if (items[i].due <= now && (best == *n || items[i].due < items[best].due))
            best = i;
    if (best == *n)
        return;
    s_item_t *it = &items[best];
    s_attempt_t a;
    s_post (self, curl, it->notice, &a);
    if (atomic_load (&self->stopping))
        return; //  abandoned: the notice stays pending in the store
    s_report (pipe, it->notice, &a);
    it->attempts++;
    if (a.ok || a.final) {
        if (!a.ok)
            log_warn ("sms: notice %s rejected by the gateway: %s", proto_str (it->notice, "id"),
                      a.error);
        json_decref (it->notice);
        *it = items[--*n];
        return;
    }
    it->due = proto_mono_ms () + s_backoff_ms (self, it->attempts);
    log_warn ("sms: notice %s not delivered (attempt %d): %s; again in %lld s",
              proto_str (it->notice, "id"), it->attempts, a.error,
              (long long)(s_backoff_ms (self, it->attempts) / 1000));
}

//  No high-water mark either way: a start-up with thousands of notices pending (the gateway
//  was down for days) must not lose any to EAGAIN, and no linger.
static void
s_unbounded (void *socket)
{
    int zero = 0;
    zmq_setsockopt (socket, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (socket, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt (socket, ZMQ_RCVHWM, &zero, sizeof zero);
}

static void *
s_thread (void *arg)
{
    broker_sms_t *self = arg;
    void *pipe = self->thread_pipe;
    CURL *curl = s_curl_new (self);
    if (!curl)
        log_error ("sms: the sender cannot start: notices stay pending");
    s_item_t *items = NULL;
    size_t n = 0, cap = 0;
    bool running = curl != NULL;
    while (running && !atomic_load (&self->stopping)) {
        long timeout = -1;
        int64_t now = proto_mono_ms ();
        for (size_t i = 0; i < n; i++) {
            long wait = items[i].due > now ? (long)(items[i].due - now) : 0;
            if (timeout < 0 || wait < timeout)
                timeout = wait;
        }
        zmq_pollitem_t poll = {pipe, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&poll, 1, timeout) < 0 && zmq_errno () != EINTR)
            break;
        running = s_take (pipe, &items, &n, &cap);
        if (running)
            s_attempt (self, pipe, curl, items, &n);
    }
    for (size_t i = 0; i < n; i++)
        json_decref (items[i].notice);
    free (items);
    if (curl)
        curl_easy_cleanup (curl);
    return NULL;
}

//  ---------------------------------------------------------------------------------------
//  The loop's side

broker_sms_t *
broker_sms_new (void *zctx, const broker_notify_cfg_t *cfg)
{
    broker_sms_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->zctx = zctx;
    snprintf (self->url, sizeof self->url, "%s", cfg->sms_url);
    self->timeout_s = cfg->timeout_s;
    self->retry_max_s = cfg->retry_max_s;
    atomic_init (&self->stopping, false);
    snprintf (self->endpoint, sizeof self->endpoint, "inproc://broker-sms-%p", (void *)self);
    //  Once, before any thread uses libcurl.
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error ("sms: libcurl cannot start");
        free (self);
        return NULL;
    }
    //  Both ends are made and joined here, so a notice handed over at once is never lost to
    //  a thread that has not connected yet; the thread's end then belongs to the thread
    //  (pthread_create is the memory barrier a socket needs to change threads).
    self->pipe = zmq_socket (zctx, ZMQ_PAIR);
    self->thread_pipe = zmq_socket (zctx, ZMQ_PAIR);
    if (self->pipe)
        s_unbounded (self->pipe);
    if (self->thread_pipe)
        s_unbounded (self->thread_pipe);
    if (!self->pipe || !self->thread_pipe || zmq_bind (self->pipe, self->endpoint) != 0 ||
        zmq_connect (self->thread_pipe, self->endpoint) != 0 ||
        pthread_create (&self->thread, NULL, s_thread, self) != 0) {
        log_error ("sms: cannot start the sender: %s", zmq_strerror (zmq_errno ()));
        broker_sms_destroy (&self);
        return NULL;
    }
    self->started = true;
    log_info ("sms: notices go to %s", self->url);
    return self;
}

void
broker_sms_destroy (broker_sms_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_sms_t *self = *self_p;
    if (self->started) {
        atomic_store (&self->stopping, true);
        zmq_send (self->pipe, S_STOP, strlen (S_STOP), ZMQ_DONTWAIT);
        pthread_join (self->thread, NULL);
    }
    if (self->pipe)
        zmq_close (self->pipe);
    if (self->thread_pipe)
        zmq_close (self->thread_pipe);
    curl_global_cleanup ();
    free (self);
    *self_p = NULL;
}

int
broker_sms_send (broker_sms_t *self, const json_t *notice)
{
    char *text = json_dumps (notice, JSON_COMPACT);
    int rc = text ? zmq_send (self->pipe, text, strlen (text), ZMQ_DONTWAIT) : -1;
    free (text);
    return rc < 0 ? -1 : 0;
}

void *
broker_sms_socket (broker_sms_t *self)
{
    return self->pipe;
}

json_t *
broker_sms_result (broker_sms_t *self)
{
    char buf[4096];
    int len = zmq_recv (self->pipe, buf, sizeof buf, ZMQ_DONTWAIT);
    if (len < 0 || len > (int)sizeof buf)
        return NULL;
    return json_loadb (buf, (size_t)len, 0, NULL);
}
