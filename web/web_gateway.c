/*  web_gateway.c — see web_gateway.h. */
#include "web_gateway.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_json.h"
#include "proto_kpi.h"
#include "proto_msg.h"

//  What goes out on /events: the broker's event, with a case reduced to what a board or a
//  dashboard shows (no applicant, checks or proxies) and a rating without its comment.
static json_t *
s_public_event (const char *topic, const json_t *e)
{
    static const char *case_keys[] = {
        "case_no",
        "hall",
        "item",
        "item_name",
        "service",
        "department",
        "kind",
        "state",
        "ticket",
        "warnings",
        "counter",
        "received",
        "accepted",
        "concluded",
        "collected",
        "deadline",
        "promised_deadline",
        "statutory_deadline",
        "clock",
        "elapsed_days",
        "limit_days",
        "provisional",
    };
    if (strncmp (topic, "case.", 5) != 0 && strncmp (topic, "rating.", 7) != 0)
        return json_incref ((json_t *)e);
    json_t *out = json_deep_copy (e);
    if (!out)
        return NULL;
    json_object_del (out, "proxy_name");
    json_t *c = json_object_get (e, "case");
    if (json_is_object (c)) {
        json_t *small = json_object ();
        for (size_t i = 0; i < sizeof case_keys / sizeof case_keys[0]; i++) {
            json_t *v = json_object_get (c, case_keys[i]);
            if (v)
                json_object_set (small, case_keys[i], v);
        }
        json_object_set_new (out, "case", small);
    }
    json_object_del (json_object_get (out, "rectification"), "comment");
    json_object_del (out, "comment");
    return out;
}

static void
s_on_event (proto_mirror_t *mirror, const char *topic, const json_t *event, void *arg)
{
    web_t *self = arg;
    uint64_t seq = proto_mirror_seq (mirror);
    proto_client_t *client = proto_mirror_client (mirror);
    if (!event) {
        //  A new snapshot (start, gap, broker restart): catch the history up and tell the
        //  pages to reload.
        self->connected = true;
        web_history_snapshot (self->hist, client, seq);
        json_decref (self->ratings);
        self->ratings = NULL;
        self->ratings_gen++;
        json_t *data = json_pack ("{s:I, s:i}", "seq", (json_int_t)seq, "snapshots",
                                  proto_mirror_snapshots (mirror));
        web_sse_broadcast (self->sse, seq, "mirror.snapshot", data);
        json_decref (data);
        return;
    }
    web_history_event (self->hist, client, seq, topic, event);
    if (strncmp (topic, "rating.", 7) == 0) {
        json_decref (self->ratings);
        self->ratings = NULL;
        self->ratings_gen++;
    }
    json_t *pub = s_public_event (topic, event);
    if (pub)
        web_sse_broadcast (self->sse, seq, topic, pub);
    json_decref (pub);
}

web_t *
web_new (const char *broker, const char *pub)
{
    web_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sse = web_sse_new ();
    self->hist = web_history_new ();
    self->mirror = proto_mirror_new (broker, pub);
    self->voice = web_voice_new (NULL);
    self->report = web_report_new ();
    self->calls = web_call_new (broker);
    if (!self->sse || !self->hist || !self->mirror || !self->voice || !self->report ||
        !self->calls) {
        web_destroy (&self);
        return NULL;
    }
    proto_mirror_on_event (self->mirror, s_on_event, self);
    return self;
}

void
web_destroy (web_t **self_p)
{
    web_t *self = *self_p;
    if (!self)
        return;
    if (self->http || self->pub) {
        //  End every stream, every report's reading and every request waiting for the
        //  workers, let the doors send what is queued, then stop.
        if (self->report)
            web_report_stop (self->report);
        if (self->calls)
            web_call_stop (self->calls);
        web_sse_close_all (self->sse);
        for (int i = 0; i < 21; i++) {
            if (self->http)
                web_http_run (self->http);
            if (self->pub)
                web_http_run (self->pub);
            if (i > 0 && !web_sse_clients (self->sse))
                break;
            struct timespec ts = {0, 10 * 1000000};
            nanosleep (&ts, NULL);
        }
        web_http_destroy (&self->http);
        web_http_destroy (&self->pub);
    }
    web_call_destroy (&self->calls);
    web_auth_destroy (&self->auth);
    proto_mirror_destroy (&self->mirror);
    web_sse_destroy (&self->sse);
    web_history_destroy (&self->hist);
    web_voice_destroy (&self->voice);
    web_report_destroy (&self->report);
    json_decref (self->ratings);
    free (self);
    *self_p = NULL;
}

int64_t
web_now (web_t *self)
{
    const json_t *info = proto_mirror_info (self->mirror);
    if (proto_is (info, "clock", "sim")) {
        json_int_t now = proto_int (proto_mirror_state (self->mirror), "now");
        return now ? now : proto_int (info, "now");
    }
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
web_utc_offset (web_t *self)
{
    const json_t *v = json_object_get (proto_mirror_state (self->mirror), "utc_offset_min");
    if (!json_is_integer (v))
        v = json_object_get (json_object_get (proto_mirror_info (self->mirror), "hall"),
                             "utc_offset_min");
    return json_is_integer (v) ? (int)json_integer_value (v) : 480;
}

const char *
web_hall_name (web_t *self)
{
    const char *name =
        proto_str (json_object_get (proto_mirror_info (self->mirror), "hall"), "name");
    return *name ? name : "政务服务中心";
}

//  The owner of a rating.list job: the gateway, and the generation it was asked in.
typedef struct {
    web_t *web;
    unsigned gen;
} s_ratings_job_t;

static void
s_ratings_done (void *owner, int rc, json_t *reply, const char *message)
{
    s_ratings_job_t *job = owner;
    web_t *self = job->web;
    (void)message;
    self->ratings_asked = false;
    //  Kept unless a rating event came meanwhile (the list may lack it).
    if (rc == PROTO_ERR_OK && job->gen == self->ratings_gen && !self->ratings) {
        self->ratings = reply;
        reply = NULL;
    }
    json_decref (reply);
    free (job);
}

const json_t *
web_ratings (web_t *self)
{
    //  Not while the broker is away: nobody would answer.
    if (!self->ratings && self->connected && !self->ratings_asked) {
        s_ratings_job_t *job = malloc (sizeof *job);
        if (job) {
            *job = (s_ratings_job_t){self, self->ratings_gen};
            self->ratings_asked =
                web_call_broker (self->calls, "rating.list", NULL, NULL, s_ratings_done, job) == 0;
            if (!self->ratings_asked)
                free (job);
        }
    }
    return self->ratings;
}

json_t *
web_kpi (web_t *self)
{
    return proto_kpi_hall (proto_mirror_state (self->mirror), proto_mirror_info (self->mirror),
                           web_now (self));
}
