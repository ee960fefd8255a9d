/*  broker_server.c — see broker_server.h. */
#include "broker_server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker_calendar.h"
#include "broker_check.h"
#include "broker_devices.h"
#include "proto_keys.h"
#include "broker_handlers.h"
#include "broker_idem.h"
#include "broker_net.h"
#include "broker_reload.h"
#include "broker_snapshot.h"
#include "broker_timers.h"
#include "broker_hall.h"
#include "broker_idcheck.h"
#include "broker_notify.h"
#include "broker_sms.h"
#include "broker_store.h"
#include "broker_ticket.h"
#include "proto_json.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_wire.h"

//  One request as it arrived, kept until its reply is sent (and for a replay).
typedef struct {
    zmq_msg_t identity;  //  ROUTER routing id of the sender
    bool delimiter;      //  the sender is a REQ socket: echo the empty frame
    zmq_msg_t frames[4]; //  the first four frames after the envelope
    int kept;            //  frames initialised in `frames`
    int count;           //  frames received after the envelope (may be > 4)
    size_t bytes;        //  ... and their bytes in all
    char principal[128]; //  ZAP User-Id, "" without authentication
} s_incoming_t;

//  An event's body as the journal holds it.
typedef struct {
    char *text; //  JSON (malloc)
    size_t len;
} s_event_text_t;

typedef struct {
    char status[32]; //  "ok" or an error code
    char request_id[PROTO_MAX_REQUEST_ID + 1];
    char *body; //  JSON text (malloc)
} s_reply_t;

struct broker_server {
    broker_options_t opt;
    broker_config_t *config;
    broker_store_t *store;
    broker_hall_t *hall;
    broker_clock_t *clock;
    broker_calendar_t *calendar;
    broker_devices_t *devices;
    broker_idem_index_t *idem; //  write requests seen, for their records (broker_idem.h)
    broker_net_t *net;         //  the sockets, CURVE and ZAP (broker_net.h)
    void *router;              //  its request ROUTER (borrowed)
    s_incoming_t in[BROKER_BATCH_MAX];
    s_reply_t out[BROKER_BATCH_MAX];
    int nin;
    json_t *events;        //  events of the batch, published after commit
    s_event_text_t *texts; //  ... their bodies as stored, same order
    size_t ntexts, captexts;
    json_t *notices;       //  notices of the batch, handed to the sender after commit
    broker_sms_t *sms;     //  the SMS sender (broker_sms.h); NULL without notify.sms_url
    json_t *deliveries;    //  its results, recorded by the next batch that commits
    int64_t timers_due;    //  next timer, on the broker clock
    int64_t prune_due;     //  next idempotency pruning, on the broker clock
    bool reload_due;       //  SIGHUP came: reload the calendar in the next batch
    bool est_dirty;        //  the hall changed since hall.estimates was last published
    int64_t est_due;       //  publish it no earlier than this (monotonic ms)
    char *est_last;        //  the est_new_s last published (compact JSON), to skip repeats
    int last_nin;          //  requests in the previous batch: how many clients are busy
    uint64_t oversized;    //  messages too large or of too many frames, since the last report
    int64_t oversized_log; //  no report of them before this (monotonic ms)
};

static int
s_mkdirs (const char *path)
{
    char buf[4096];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir (buf, 0750) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir (buf, 0750) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int
s_reload (broker_server_t *self)
{
    if (broker_store_begin (self->store, false) != 0)
        return -1;
    int rc = broker_hall_load (self->hall, self->store);
    if (rc == 0)
        rc = broker_devices_load (self->devices, self->store);
    if (rc == 0)
        rc = broker_idem_index_load (self->idem, self->store);
    broker_store_abort (self->store);
    return rc;
}

//  A simulated clock starting at the given time (0: now), or the real clock.
static broker_clock_t *
s_clock_new (const broker_options_t *options)
{
    if (!options->sim_clock)
        return broker_clock_new_real ();
    if (options->sim_start_ms)
        return broker_clock_new_sim (options->sim_start_ms);
    broker_clock_t *real = broker_clock_new_real ();
    broker_clock_t *sim = real ? broker_clock_new_sim (broker_clock_now (real)) : NULL;
    broker_clock_destroy (&real);
    return sim;
}

//  A simulated clock never runs backwards across a restart: it goes on from the time
//  the store last saw.
static void
s_clock_restore (broker_server_t *self)
{
    if (!broker_clock_simulated (self->clock) || broker_store_begin (self->store, false) != 0)
        return;
    MDB_val v;
    if (broker_store_get (self->store, BROKER_DB_META, "sim_now", 7, &v) == 0 && v.mv_size < 24) {
        char buf[24];
        memcpy (buf, v.mv_data, v.mv_size);
        buf[v.mv_size] = 0;
        broker_clock_restore (self->clock, strtoll (buf, NULL, 10));
    }
    broker_store_abort (self->store);
}

//  The config, the store, the clock, the calendar and the hall as the store holds it. 0 / -1.
static int
s_open_hall (broker_server_t *self)
{
    const broker_options_t *options = &self->opt;
    char err[512];
    self->config = broker_config_load (options->config_path, err, sizeof err);
    if (!self->config) {
        log_error ("config: %s", err);
        return -1;
    }
    if (s_mkdirs (options->data_dir) != 0) {
        log_error ("cannot create data directory '%s': %s", options->data_dir, strerror (errno));
        return -1;
    }
    if (options->new_store && broker_store_start_new (options->data_dir) != 0)
        return -1;
    self->store = broker_store_open (options->data_dir, options->map_size);
    if (!self->store)
        return -1;
    //  Before the hall is loaded from it: a store that does not agree with itself would
    //  start with tickets missing from their queues, or die reading a damaged page.
    int problems = broker_check_store (self->store, false, NULL);
    if (problems != 0) {
        log_error ("store: refusing to start: the store in '%s' is %s (onewindow-broker --check "
                   "%s lists every problem); restore it from a backup (docs/OPERATIONS.md)",
                   options->data_dir, problems < 0 ? "unreadable" : "inconsistent",
                   options->data_dir);
        return -1;
    }
    self->clock = s_clock_new (options);
    self->calendar = broker_calendar_new ();
    if (!self->calendar)
        return -1;
    if (broker_calendar_load (self->calendar, self->config->calendar_path, err, sizeof err) != 0) {
        //  Without its year files no deadline is sure; a hall with service items needs them.
        //  One without keeps the empty calendar (the law's days, weekends) for bookings,
        //  and a reload may bring the files later.
        if (self->config->nitems) {
            log_error ("calendar: %s", err);
            return -1;
        }
        log_warn ("calendar: %s (no service items, so no case deadlines are needed)", err);
    }
    self->hall = broker_hall_new (self->config);
    self->devices = broker_devices_new ();
    self->idem = broker_idem_index_new ();
    self->events = json_array ();
    self->notices = json_array ();
    self->deliveries = json_array ();
    if (!self->clock || !self->hall || !self->events || !self->devices || !self->idem)
        return -1;
    if (s_reload (self) != 0) {
        log_error ("cannot load the hall from the store in '%s'", options->data_dir);
        return -1;
    }
    s_clock_restore (self);
    return 0;
}

static broker_ctx_t s_ctx (broker_server_t *self, const char *principal);

//  At start: a warning when the published calendar ends within the hall's longest clock
//  (and two months) of today on the broker's clock, as hall.info's calendar says.
static void
s_calendar_check (broker_server_t *self)
{
    broker_ctx_t ctx = s_ctx (self, "");
    json_t *cal = broker_snapshot_calendar (&ctx);
    if (json_is_string (json_object_get (cal, "warning")))
        log_warn ("calendar: %s (%s)", json_string_value (json_object_get (cal, "warning")),
                  self->config->calendar_path);
    json_decref (cal);
}

broker_server_t *
broker_server_new (const broker_options_t *options)
{
    broker_server_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opt = *options;
    broker_net_config_t net = {options->bind, options->pub, options->advertise, options->key_path,
                               options->insecure};
    if (s_open_hall (self) != 0 || !(self->net = broker_net_new (&net, self->devices)) ||
        (*self->config->notify.sms_url &&
         !(self->sms = broker_sms_new (broker_net_ctx (self->net), &self->config->notify)))) {
        broker_server_destroy (&self);
        return NULL;
    }
    self->router = broker_net_router (self->net);
    char now[32];
    broker_format_time (broker_clock_now (self->clock), self->config->utc_offset_min, now,
                        sizeof now);
    log_info ("ready: %s; requests on %s, events on %s; store %s (id %s, %zu live tickets, last "
              "event #%llu); %s clock at %s; %s",
              self->config->hall_name, options->bind, broker_net_advertise (self->net),
              options->data_dir, broker_store_id (self->store), self->hall->nlive,
              (unsigned long long)self->hall->last_seq,
              broker_clock_simulated (self->clock) ? "simulated" : "real", now,
              broker_net_curve (self->net) ? "CURVE, enrolled devices only"
                                           : "INSECURE (local test mode)");
    if (broker_net_curve (self->net))
        log_info ("broker public key: %s (%d devices enrolled)", broker_net_public_key (self->net),
                  broker_devices_count (self->devices));
    s_calendar_check (self);
    return self;
}

void
broker_server_destroy (broker_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_server_t *self = *self_p;
    broker_sms_destroy (&self->sms);
    broker_net_destroy (&self->net);
    json_decref (self->events);
    for (size_t i = 0; i < self->ntexts; i++)
        free (self->texts[i].text);
    free (self->texts);
    json_decref (self->notices);
    json_decref (self->deliveries);
    free (self->est_last);
    broker_hall_destroy (&self->hall);
    broker_devices_destroy (&self->devices);
    broker_idem_index_destroy (&self->idem);
    broker_calendar_destroy (&self->calendar);
    broker_clock_destroy (&self->clock);
    broker_store_destroy (&self->store);
    broker_config_destroy (&self->config);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------------------------
//  Receiving

//  Monotonic µs, for the linger below; in ms, hall.estimates is paced by real time,
//  whatever the broker's clock.
static int64_t
s_mono_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
s_mono_ms (void)
{
    return s_mono_us () / 1000;
}

static void
s_incoming_close (s_incoming_t *in)
{
    zmq_msg_close (&in->identity);
    for (int i = 0; i < in->kept; i++)
        zmq_msg_close (&in->frames[i]);
    in->kept = 0;
}

//  A message of more than four frames, or more bytes than a request can have, is not the
//  mistake of a client that follows the protocol: the log says which device sent it (at
//  most once every ten seconds, with how many came since).
static void
s_oversized (broker_server_t *self, const s_incoming_t *in)
{
    int64_t now = s_mono_ms ();
    self->oversized++;
    if (now < self->oversized_log)
        return;
    log_warn ("refused a message of %d frames, %zu bytes, from %s (a request is 4 frames of at "
              "most %d bytes in all; %llu such message(s) since the last report)",
              in->count, in->bytes,
              in->principal[0] ? broker_devices_name (self->devices, in->principal) : "a peer",
              BROKER_MAX_REQUEST, (unsigned long long)self->oversized);
    self->oversized = 0;
    self->oversized_log = now + 10000;
}

//  Reads one whole message without blocking. 1 if one was read, 0 if none was ready.
static int
s_recv (broker_server_t *self, s_incoming_t *in)
{
    memset (in, 0, sizeof *in);
    zmq_msg_init (&in->identity);
    if (zmq_msg_recv (&in->identity, self->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&in->identity);
        return 0;
    }
    bool more = zmq_msg_more (&in->identity);
    bool first = true;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, self->router, 0) < 0) {
            zmq_msg_close (&part);
            break;
        }
        more = zmq_msg_more (&part);
        //  The ZAP handler's User-Id travels on the peer's frames (not on the routing id the
        //  ROUTER prepends): the device's CURVE key.
        if (!in->principal[0]) {
            const char *user = zmq_msg_gets (&part, "User-Id");
            if (user)
                snprintf (in->principal, sizeof in->principal, "%s", user);
        }
        //  A REQ socket puts an empty delimiter before the request; accept and echo it.
        if (first && zmq_msg_size (&part) == 0 && more) {
            in->delimiter = true;
            first = false;
            zmq_msg_close (&part);
            continue;
        }
        first = false;
        //  A request is four frames of at most BROKER_MAX_REQUEST bytes in all: the frames
        //  of anything beyond are let go as they are read, and a request over it keeps none.
        in->bytes += zmq_msg_size (&part);
        in->count++;
        if (in->kept < 4 && in->bytes <= BROKER_MAX_REQUEST)
            in->frames[in->kept++] = part;
        else
            zmq_msg_close (&part);
        if (in->bytes > BROKER_MAX_REQUEST)
            while (in->kept > 0)
                zmq_msg_close (&in->frames[--in->kept]);
    }
    if (in->count > 4 || in->bytes > BROKER_MAX_REQUEST)
        s_oversized (self, in);
    return 1;
}

//  Group commit gathers what arrived while the previous batch committed. The clients that
//  batch answered send again within a few hundred µs of their replies; a batch started at
//  once holds the quickest of them, and the rest wait a whole commit more. So a batch
//  smaller than the previous one waits up to BROKER_LINGER_US for as many requests: one
//  commit (its page writes and two flushes) then serves them all. A lone client's batch is
//  never smaller than its previous one, so it never waits.
static void
s_linger (broker_server_t *self)
{
    int fd;
    size_t len = sizeof fd;
    if (zmq_getsockopt (self->router, ZMQ_FD, &fd, &len) != 0)
        return;
    int64_t deadline = s_mono_us () + BROKER_LINGER_US;
    while (self->nin < self->last_nin && self->nin < BROKER_BATCH_MAX) {
        if (s_recv (self, &self->in[self->nin])) {
            self->nin++;
            continue;
        }
        //  ZMQ_FD is edge-triggered: it turns readable when the socket's state changes
        //  after the read above found nothing.
        int64_t left = deadline - s_mono_us ();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        struct timespec ts = {0, (long)left * 1000};
        ppoll (&p, 1, &ts, NULL);
    }
}

//  ---------------------------------------------------------------------------------------
//  Processing

static void
s_reply_set (s_reply_t *out, const char *status, const char *request_id, json_t *body)
{
    snprintf (out->status, sizeof out->status, "%s", status);
    snprintf (out->request_id, sizeof out->request_id, "%s", request_id);
    free (out->body);
    out->body = body ? broker_json_dump (body) : NULL;
    if (!out->body)
        out->body = strdup ("{}");
    json_decref (body);
}

static void
s_reply_error (s_reply_t *out, proto_err_t err, const char *why, const char *request_id)
{
    s_reply_set (out, proto_err_code (err), request_id, proto_error_body (err, why));
}

//  The request id as the request's third frame holds it ("" if it is not a valid one),
//  for a reply built without s_process: its own copy in `out` may be of an earlier batch,
//  and formatting a reply's id from the buffer it is written to empties it.
static void
s_incoming_id (const s_incoming_t *in, char *out, size_t size)
{
    out[0] = 0;
    if (in->count != 4) //  as proto_request_decode: no id is read from a malformed request
        return;
    const char *id = zmq_msg_data ((zmq_msg_t *)&in->frames[2]);
    size_t len = zmq_msg_size ((zmq_msg_t *)&in->frames[2]);
    if (proto_request_id_valid (id, len) && len < size) {
        memcpy (out, id, len);
        out[len] = 0;
    }
}

//  Roles the sender may act in: the enrolled role of its CURVE key, looked up per request
//  (a revocation applies at once). In the insecure mode every sender has every role.
static unsigned
s_roles (const broker_server_t *self, const s_incoming_t *in)
{
    if (!broker_net_curve (self->net))
        return R_ANY;
    int role = broker_devices_role (self->devices, in->principal);
    return role >= 0 ? 1u << role : 0;
}

//  A handler's context for a request from `principal`, at the clock's current time.
static broker_ctx_t
s_ctx (broker_server_t *self, const char *principal)
{
    return (broker_ctx_t){
        .hall = self->hall,
        .calendar = self->calendar,
        .devices = self->devices,
        .store = self->store,
        .clock = self->clock,
        .config = self->config,
        .pub_endpoint = broker_net_advertise (self->net),
        .principal = principal,
        .roles = R_ANY,
        .now = broker_clock_now (self->clock),
        .events = self->events,
        .notices = self->notices,
    };
}

//  A write request seen before: its recorded reply, or the reason it gets none, into `out`.
//  False if the request is new.
static bool
s_replay (broker_server_t *self, const broker_idem_t *idem, const char *command,
          const char *request_id, s_reply_t *out)
{
    broker_idem_reply_t rec;
    char why[256];
    switch (broker_idem_find (self->store, self->idem, idem, command, &rec)) {
    case BROKER_IDEM_NEW: return false;
    case BROKER_IDEM_UNREADABLE:
        s_reply_error (out, PROTO_ERR_INTERNAL, "unreadable idempotency record", request_id);
        break;
    case BROKER_IDEM_REUSED:
        snprintf (why, sizeof why, "request id %s was used before for a different request (%s)",
                  request_id, rec.command);
        s_reply_error (out, PROTO_ERR_REQUEST_ID_REUSED, why, request_id);
        break;
    case BROKER_IDEM_REPLAY:
        snprintf (out->status, sizeof out->status, "%s", rec.status);
        snprintf (out->request_id, sizeof out->request_id, "%s", request_id);
        free (out->body);
        out->body = strndup (rec.body, rec.body_len);
        break;
    }
    return true;
}

static void
s_process (broker_server_t *self, s_incoming_t *in, s_reply_t *out)
{
    proto_frame_t frames[4];
    for (int i = 0; i < in->kept; i++) {
        frames[i].data = zmq_msg_data (&in->frames[i]);
        frames[i].size = zmq_msg_size (&in->frames[i]);
    }
    proto_request_t req;
    char why[256] = "";
    //  (More frames than four are bad_frame, below, whatever their size: no frame is read.)
    if (in->count == 4 && in->bytes > BROKER_MAX_REQUEST) {
        snprintf (why, sizeof why, "a request has at most %d bytes in its frames; this one had %zu",
                  BROKER_MAX_REQUEST, in->bytes);
        s_reply_error (out, PROTO_ERR_TOO_LARGE, why, "");
        return;
    }
    proto_err_t err = proto_request_decode (frames, (size_t)in->count, &req, why, sizeof why);
    if (err != PROTO_ERR_OK) {
        s_reply_error (out, err, why, req.request_id);
        proto_request_reset (&req);
        return;
    }
    const proto_command_t *cmd = proto_command (req.cmd);
    unsigned roles = s_roles (self, in);
    if (!(cmd->roles & roles)) {
        if (roles)
            snprintf (why, sizeof why, "a %s device (%s) may not send %s",
                      proto_role_name (__builtin_ctz (roles)),
                      broker_devices_name (self->devices, in->principal), cmd->name);
        else
            snprintf (why, sizeof why, "this device's key is not enrolled or was revoked");
        log_warn ("refused %s from %.8s… (%s)", cmd->name, in->principal[0] ? in->principal : "?",
                  why);
        s_reply_error (out, PROTO_ERR_FORBIDDEN, why, req.request_id);
        proto_request_reset (&req);
        return;
    }

    //  A write request seen before gets its recorded reply, and runs no second time.
    broker_idem_t idem = {.klen = 0};
    if (cmd->flags == PROTO_WRITE) {
        broker_idem_init (&idem, in->principal, req.request_id, frames[3].data, frames[3].size);
        if (s_replay (self, &idem, cmd->name, req.request_id, out)) {
            proto_request_reset (&req);
            return;
        }
    }

    broker_ctx_t ctx = s_ctx (self, in->principal);
    ctx.roles = roles;
    int rc = broker_handlers[req.cmd](&ctx, req.body);
    if (rc == 0 && !ctx.reply)
        rc = broker_fail (&ctx, PROTO_ERR_INTERNAL, "the handler built no reply");
    if (rc == 0)
        s_reply_set (out, "ok", req.request_id, ctx.reply);
    else {
        json_decref (ctx.reply);
        json_t *err_body = proto_error_body (ctx.err ? ctx.err : PROTO_ERR_INTERNAL, ctx.why);
        if (ctx.err_detail)
            json_object_update_missing (err_body, ctx.err_detail);
        s_reply_set (out, json_string_value (json_object_get (err_body, "code")), req.request_id,
                     err_body);
    }
    json_decref (ctx.err_detail);
    //  Record the reply, failures included, so a retry always hears the same answer.
    if (cmd->flags == PROTO_WRITE)
        broker_idem_record (self->store, self->idem, &idem, ctx.now, cmd->name, out->status,
                            out->body);
    proto_request_reset (&req);
}

//  Hands a committed notice over: to the SMS sender when it is to be delivered, as a JSON
//  line to the --notify-log file (a copy for demos and tests, not the delivery path), and
//  to the log with the phone masked.
static void
s_hand_over (broker_server_t *self, const json_t *n)
{
    if (self->opt.notify_log) {
        FILE *f = fopen (self->opt.notify_log, "a");
        char *line = proto_json_dump (n);
        if (f && line) {
            fprintf (f, "%s\n", line);
            fflush (f);
            fsync (fileno (f));
        } else
            log_error ("notify: cannot append to %s: %s", self->opt.notify_log, strerror (errno));
        free (line);
        if (f)
            fclose (f);
    }
    char masked[32];
    broker_idcheck_mask_phone (proto_str (n, "phone"), masked, sizeof masked);
    log_info ("notice %s (%s) to %s: %s", proto_str (n, "id"), proto_str (n, "template"), masked,
              proto_str (n, "text"));
    if (self->sms && proto_is (n, "state", "pending") && broker_sms_send (self->sms, n) != 0)
        log_error ("notice %s: cannot reach the SMS sender; it is sent at the next start",
                   proto_str (n, "id"));
}

//  At start: the notices not yet delivered (a crash may have come between a POST and its
//  record) go to the sender again, with their ids.
static void
s_deliver_pending (broker_server_t *self)
{
    if (broker_store_begin (self->store, false) != 0)
        return;
    json_t *pending = broker_notify_pending (self->store);
    broker_store_abort (self->store);
    size_t i;
    json_t *n;
    if (!self->sms && json_array_size (pending))
        log_warn ("%zu notice(s) wait for an SMS gateway (notify.sms_url is not set)",
                  json_array_size (pending));
    json_array_foreach (pending, i, n)
        if (self->sms && broker_sms_send (self->sms, n) != 0)
            log_error ("notice %s: cannot reach the SMS sender", proto_str (n, "id"));
    json_decref (pending);
}

//  Results from the SMS sender, kept until a batch records them.
static void
s_take_deliveries (broker_server_t *self)
{
    json_t *r;
    while (self->sms && (r = broker_sms_result (self->sms)))
        json_array_append_new (self->deliveries, r);
}

static void
s_timers (broker_server_t *self)
{
    if (broker_clock_now (self->clock) < self->timers_due)
        return;
    broker_ctx_t ctx = s_ctx (self, "");
    broker_timers (&ctx);
    self->timers_due = broker_timers_next (self->hall, ctx.now);
}

static void
s_texts_clear (broker_server_t *self)
{
    for (size_t i = 0; i < self->ntexts; i++)
        free (self->texts[i].text);
    self->ntexts = 0;
}

//  Reads the batch's events back from the journal, in the open transaction: they are
//  published as stored, without serialising each body a second time. An event that
//  cannot be read back (none should) is serialised again when it is sent.
static void
s_texts_collect (broker_server_t *self)
{
    s_texts_clear (self);
    size_t n = json_array_size (self->events);
    if (n > self->captexts) {
        s_event_text_t *texts = realloc (self->texts, n * sizeof *texts);
        if (!texts)
            return;
        self->texts = texts;
        self->captexts = n;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *evt = json_array_get (self->events, i);
        unsigned char key[8];
        broker_key_u64 ((uint64_t)json_integer_value (json_object_get (evt, "seq")), key);
        MDB_val v;
        s_event_text_t *t = &self->texts[self->ntexts++];
        t->text = NULL;
        t->len = 0;
        if (broker_store_get (self->store, BROKER_DB_EVENTS, key, sizeof key, &v) == 0 &&
            (t->text = malloc (v.mv_size + 1))) {
            memcpy (t->text, v.mv_data, v.mv_size);
            t->text[v.mv_size] = 0;
            t->len = v.mv_size;
        }
    }
}

//  Runs the batch in one transaction. 0 if it committed (or had nothing to commit).
static int
s_run_batch (broker_server_t *self)
{
    json_array_clear (self->events);
    s_texts_clear (self);
    int rc = broker_store_begin (self->store, true);
    if (rc)
        return rc;
    //  Timers that fell due while waiting run first, so requests see the new business day
    //  (no ticket of the new day is issued or called in the old one); timers that fall due
    //  while the batch runs (the clock moved, or clock.advance) run after it.
    json_array_clear (self->notices);
    s_timers (self);
    if (self->reload_due) {
        //  SIGHUP: the reload is one more change of this batch, committed with it.
        broker_ctx_t ctx = s_ctx (self, "");
        broker_reload_calendar (&ctx, "SIGHUP");
        json_decref (ctx.reply);
    }
    for (int i = 0; i < self->nin; i++)
        s_process (self, &self->in[i], &self->out[i]);
    s_timers (self);
    int64_t now = broker_clock_now (self->clock);
    size_t i;
    json_t *r;
    json_array_foreach (self->deliveries, i, r)
        broker_notify_record (self->store, r, now);
    if (now >= self->prune_due) {
        broker_idem_prune (self->store, self->idem,
                           now - (int64_t)self->config->idem_hours * 3600000);
        self->prune_due = now + 60000;
    }
    s_texts_collect (self);
    return broker_store_commit (self->store);
}

static void
s_send_all (broker_server_t *self)
{
    for (int i = 0; i < self->nin; i++) {
        s_incoming_t *in = &self->in[i];
        s_reply_t *out = &self->out[i];
        //  The routing id, and the empty delimiter a REQ sender expects back.
        proto_frame_t envelope[2] = {{zmq_msg_data (&in->identity), zmq_msg_size (&in->identity)},
                                     {"", 0}};
        //  ROUTER drops what it cannot route (a client that went away) instead of blocking.
        proto_wire_send_reply (self->router, envelope, in->delimiter ? 2 : 1, out->status,
                               out->request_id, out->body, strlen (out->body), ZMQ_DONTWAIT);
    }
    size_t i;
    json_t *evt;
    bool revoked = false;
    json_array_foreach (self->events, i, evt) {
        const char *topic = json_string_value (json_object_get (evt, "topic"));
        revoked = revoked || (strcmp (topic, "device.changed") == 0 &&
                              proto_is (json_object_get (evt, "body"), "action", "revoke"));
        uint64_t seq = (uint64_t)json_integer_value (json_object_get (evt, "seq"));
        char *dumped = NULL;
        const char *body = i < self->ntexts ? self->texts[i].text : NULL;
        size_t blen = body ? self->texts[i].len : 0;
        if (!body && (dumped = broker_json_dump (json_object_get (evt, "body")))) {
            body = dumped;
            blen = strlen (dumped);
        }
        if (!body)
            continue;
        proto_wire_send_event (broker_net_pub (self->net), topic, seq, body, blen, ZMQ_DONTWAIT);
        free (dumped);
    }
    //  A revoked device may still hold a SUB connection: every subscriber is disconnected and
    //  comes back through the key check (broker_net.h).
    if (revoked && broker_net_curve (self->net))
        broker_net_restart_pub (self->net);
    if (json_array_size (self->events) > 0)
        self->est_dirty = true;
    json_array_clear (self->events);
    s_texts_clear (self);
}

static void
s_batch (broker_server_t *self)
{
    int64_t clock_before = broker_clock_now (self->clock);
    int rc = s_run_batch (self);
    for (int attempt = 0; rc != 0 && attempt < 2; attempt++) {
        //  Nothing of this batch has been sent. Undo memory by rebuilding it from the store,
        //  make room if the map was full, and try once more.
        log_error ("batch of %d request(s) not committed: %s", self->nin, mdb_strerror (rc));
        broker_store_abort (self->store);
        if (rc == MDB_MAP_FULL)
            broker_store_grow (self->store);
        broker_clock_set_sim (self->clock, clock_before);
        if (s_reload (self) != 0)
            log_error ("cannot reload the hall from the store");
        if (attempt == 1)
            break;
        rc = s_run_batch (self);
    }
    if (rc == 0) {
        json_array_clear (self->deliveries);
        size_t i;
        json_t *n;
        json_array_foreach (self->notices, i, n)
            s_hand_over (self, n);
    }
    json_array_clear (self->notices);
    if (rc != 0 && self->reload_due)
        log_error ("calendar: the SIGHUP reload was not committed; send SIGHUP again");
    self->reload_due = false;
    if (rc != 0) {
        json_array_clear (self->events);
        for (int i = 0; i < self->nin; i++) {
            char id[PROTO_MAX_REQUEST_ID + 1];
            s_incoming_id (&self->in[i], id, sizeof id);
            s_reply_error (&self->out[i], PROTO_ERR_STORE_FAILED,
                           "the store could not commit; nothing was changed; try again", id);
        }
    }
    s_send_all (self);
    self->timers_due = broker_timers_next (self->hall, broker_clock_now (self->clock));
    broker_store_maybe_grow (self->store);
}

int
broker_enroll_offline (const char *data_dir, const char *spec)
{
    char role[32] = "", name[128] = "";
    const char *c1 = strchr (spec, ':');
    const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
    if (!c1 || !c2 || c1 - spec >= (long)sizeof role || c2 - c1 - 1 >= (long)sizeof name) {
        log_error ("--enroll takes ROLE:NAME:PUBLIC_KEY_OR_KEY_FILE");
        return -1;
    }
    memcpy (role, spec, (size_t)(c1 - spec));
    memcpy (name, c1 + 1, (size_t)(c2 - c1 - 1));
    char key[PROTO_KEY_Z85 + 1], err[300];
    int r = proto_role_lookup (role);
    if (r < 0 || !name[0]) {
        log_error ("--enroll: unknown role '%s' or empty name", role);
        return -1;
    }
    if (proto_keys_public (c2 + 1, key, err, sizeof err) != 0) {
        log_error ("--enroll: %s", err);
        return -1;
    }
    if (s_mkdirs (data_dir) != 0)
        return -1;
    broker_store_t *store = broker_store_open (data_dir, 0);
    broker_devices_t *devices = broker_devices_new ();
    int rc = -1;
    if (store && devices && broker_store_begin (store, true) == 0) {
        broker_devices_load (devices, store);
        struct timespec ts;
        clock_gettime (CLOCK_REALTIME, &ts);
        rc = broker_devices_enroll (devices, store, key, (proto_role_t)r, name,
                                    (int64_t)ts.tv_sec * 1000);
        if (rc == 0)
            rc = broker_store_commit (store) ? -1 : 0;
        else
            broker_store_abort (store);
    }
    if (rc == 0)
        log_info ("enrolled %s \"%s\" %s", role, name, key);
    broker_devices_destroy (&devices);
    broker_store_destroy (&store);
    return rc;
}

//  hall.estimates: what a new ticket of each service would wait, published at most once a
//  second after the hall changed, and only when it differs from the last one. It is not
//  journaled (it describes the state, not a change): it carries the last event's sequence,
//  and views apply it as it comes (PROTOCOL.md 9). Without it a view's estimates would
//  move only with calls, while every issue, pause and tick of the clock moves them.
static void
s_publish_estimates (broker_server_t *self)
{
    self->est_dirty = false;
    self->est_due = s_mono_ms () + BROKER_ESTIMATES_MS;
    broker_ctx_t ctx = s_ctx (self, "");
    json_t *est = broker_ticket_estimates (&ctx);
    char *text = est ? json_dumps (est, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (text && (!self->est_last || strcmp (text, self->est_last) != 0)) {
        json_t *body =
            json_pack ("{s:I, s:I, s:s, s:O}", "seq", (json_int_t)self->hall->last_seq, "time",
                       (json_int_t)ctx.now, "topic", "hall.estimates", "est_new_s", est);
        char *dumped = body ? broker_json_dump (body) : NULL;
        if (dumped)
            proto_wire_send_event (broker_net_pub (self->net), "hall.estimates",
                                   self->hall->last_seq, dumped, strlen (dumped), ZMQ_DONTWAIT);
        free (dumped);
        json_decref (body);
        free (self->est_last);
        self->est_last = text;
        text = NULL;
    }
    free (text);
    json_decref (est);
}

int
broker_server_run (broker_server_t *self, volatile sig_atomic_t *stop,
                   volatile sig_atomic_t *reload)
{
    self->timers_due = 0; //  run the timers once at start (a day may have ended while down)
    s_deliver_pending (self);
    self->prune_due = 0;
    while (!*stop) {
        if (reload && *reload) {
            *reload = 0;
            self->reload_due = true;
        }
        int64_t now = broker_clock_now (self->clock);
        long timeout = self->reload_due ? 0 : 1000;
        if (!broker_clock_simulated (self->clock) && self->timers_due - now < timeout)
            timeout = self->timers_due > now ? (long)(self->timers_due - now) : 0;
        if (self->est_dirty) {
            int64_t wait = self->est_due - s_mono_ms ();
            if (wait < timeout)
                timeout = wait > 0 ? (long)wait : 0;
        }
        zmq_pollitem_t items[2 + BROKER_NET_POLL_MAX] = {{self->router, 0, ZMQ_POLLIN, 0}};
        int nitems = 1;
        if (self->sms)
            items[nitems++] = (zmq_pollitem_t){broker_sms_socket (self->sms), 0, ZMQ_POLLIN, 0};
        nitems += broker_net_poll_items (self->net, items + nitems);
        int n = zmq_poll (items, nitems, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_error ("poll failed: %s", zmq_strerror (errno));
            return -1;
        }
        broker_net_serve (self->net);
        s_take_deliveries (self);
        self->nin = 0;
        while (self->nin < BROKER_BATCH_MAX && s_recv (self, &self->in[self->nin]))
            self->nin++;
        if (self->nin > 0 && self->nin < self->last_nin)
            s_linger (self);
        if (self->nin > 0)
            self->last_nin = self->nin;
        now = broker_clock_now (self->clock);
        if (self->est_dirty && s_mono_ms () >= self->est_due)
            s_publish_estimates (self);
        if (self->nin == 0 && now < self->timers_due && now < self->prune_due &&
            !self->reload_due && !json_array_size (self->deliveries))
            continue;
        s_batch (self);
        for (int i = 0; i < self->nin; i++) {
            s_incoming_close (&self->in[i]);
            free (self->out[i].body);
            self->out[i].body = NULL;
        }
    }
    log_info ("stopping: every acknowledged change is on disk");
    return 0;
}
