/*  district_link.c — see district_link.h. */
#include "district_link.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "district_rollup.h"
#include "proto_client.h"
#include "proto_journal.h"
#include "proto_json.h"
#include "proto_kpi.h"
#include "proto_log.h"
#include "proto_mirror.h"
#include "proto_text.h"
#include "proto_wire.h"

#define POLL_MS      200  //  the mirror's wait for events, and how soon a stop is seen
#define COMMIT_MS    500  //  counted events are written at least this often...
#define COMMIT_MAX   1000 //  ...or when this many wait (a journal page)
#define LIVE_MS      500  //  the live figures are computed at most this often...
#define LIVE_IDLE_MS 2000 //  ...and at least this often (waits grow without events)
#define REQUEST_MS   1000 //  the mirror's request timeout (two tries)

struct district_link {
    const district_hall_cfg_t *cfg;
    size_t index;
    district_store_t *store;
    district_board_t *board;
    const proto_keypair_t *keys;
    char endpoint[64]; //  inproc endpoint of `pub`
    void *pub;         //  the hall's events, marked, for the proxy
    pthread_t thread;
    bool running;
    atomic_bool stop;
    proto_mirror_t *mirror;
    district_rollup_t *rollup;
    //  state of the link (its thread's only)
    bool online, announced; //  the hall answers; the last online state published
    bool mismatch;          //  the broker is another hall: nothing is counted
    bool need_start;        //  a hall never followed: find where today begins
    bool catching_up;
    int64_t last_event_ms; //  monotonic ms of the last event received
    int64_t last_commit_ms, last_live_ms;
    bool live_due; //  an event came since the live figures were computed
    char problem[256];
};

static int64_t
s_wall_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

district_link_t *
district_link_new (const district_hall_cfg_t *cfg, size_t index, district_store_t *store,
                   district_board_t *board, void *zctx, const proto_keypair_t *keys)
{
    district_link_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->index = index;
    self->store = store;
    self->board = board;
    self->keys = keys;
    snprintf (self->endpoint, sizeof self->endpoint, "inproc://district-hall-%zu", index);
    self->pub = zmq_socket (zctx, ZMQ_PUB);
    int zero = 0, hwm = 100000;
    if (self->pub) {
        zmq_setsockopt (self->pub, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt (self->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    }
    self->rollup = district_rollup_new (store, cfg->id);
    self->mirror = proto_mirror_new (cfg->request, cfg->events);
    if (!self->pub || zmq_bind (self->pub, self->endpoint) != 0 || !self->rollup || !self->mirror) {
        log_error ("district: %s: cannot set up the link: %s", cfg->id,
                   self->rollup ? zmq_strerror (errno) : "the store cannot be read");
        district_link_destroy (&self);
        return NULL;
    }
    //  A hall that stopped answering is shown stale within seconds (a quiet stream is
    //  checked after 5 s; the check gives up after 2 × 1 s).
    proto_client_set_timeout (proto_mirror_client (self->mirror), REQUEST_MS, 2);
    if (keys && proto_client_set_curve (proto_mirror_client (self->mirror), cfg->server_key,
                                        keys->public_key, keys->secret_key) != 0) {
        district_link_destroy (&self);
        return NULL;
    }
    return self;
}

const char *
district_link_endpoint (const district_link_t *self)
{
    return self->endpoint;
}

//  ---------------------------------------------------------------------------------------
//  The district's stream

//  Publishes `body` (borrowed) as HALL/topic with sequence `seq`, the hall's id added.
static void
s_publish (district_link_t *self, const char *topic, uint64_t seq, const json_t *body)
{
    char tagged[PROTO_WIRE_MAX_TOPIC + 1];
    int n = snprintf (tagged, sizeof tagged, "%s/%s", self->cfg->id, topic);
    if (n < 0 || (size_t)n >= sizeof tagged || seq == 0)
        return; //  a topic too long to mark: viewers could not read it
    json_t *copy = json_copy ((json_t *)body);
    json_object_set_new (copy, "hall", json_string (self->cfg->id));
    char *text = json_dumps (copy, JSON_COMPACT);
    if (text)
        proto_wire_send_event (self->pub, tagged, seq, text, strlen (text), ZMQ_DONTWAIT);
    free (text);
    json_decref (copy);
}

//  The link went up or down: says so on the stream.
static void
s_announce (district_link_t *self)
{
    if (self->announced == self->online)
        return;
    self->announced = self->online;
    uint64_t seq = proto_mirror_seq (self->mirror);
    json_t *body = json_pack ("{s:s, s:b, s:I, s:I, s:I, s:s}", "topic", "district.link", "online",
                              self->online, "seq", (json_int_t)seq, "counted",
                              (json_int_t)district_rollup_seq (self->rollup), "time",
                              (json_int_t)s_wall_ms (), "problem", self->problem);
    s_publish (self, "district.link", seq ? seq : 1, body);
    json_decref (body);
}

//  ---------------------------------------------------------------------------------------
//  The mirror's news

//  After each snapshot: the hall's info and limit for the figures, and whether it is the
//  hall the config names.
static void
s_snapshot (district_link_t *self)
{
    const json_t *info = proto_mirror_info (self->mirror);
    const char *id = proto_str (json_object_get (info, "hall"), "id");
    bool mismatch = *id && strcmp (id, self->cfg->id) != 0;
    if (mismatch && !self->mismatch)
        log_error ("district: %s: the broker at %s is hall %s, not %s: not counted", self->cfg->id,
                   self->cfg->request, id, self->cfg->id);
    self->mismatch = mismatch;
    if (mismatch) {
        snprintf (self->problem, sizeof self->problem,
                  "该地址上的大厅编号为 %s，与配置的 %s 不符，未计入", id, self->cfg->id);
        return;
    }
    self->problem[0] = 0;
    int over_wait = (int)proto_int (proto_mirror_state (self->mirror), "over_wait_minutes");
    if (district_rollup_set_info (self->rollup, info, over_wait) != 0)
        snprintf (self->problem, sizeof self->problem, "区级数据库写入失败");
    self->need_start = district_rollup_seq (self->rollup) == 0;
    self->live_due = true;
}

static void
s_on_event (proto_mirror_t *mirror, const char *topic, const json_t *event, void *arg)
{
    (void)mirror;
    district_link_t *self = arg;
    if (!event) {
        s_snapshot (self);
        return;
    }
    self->last_event_ms = proto_mono_ms ();
    self->live_due = true;
    if (self->mismatch)
        return;
    s_publish (self, topic, (uint64_t)proto_int (event, "seq"), event);
    //  hall.estimates is not in the journal (it repeats the last sequence); a hall never
    //  followed is counted from today's start, found before anything is counted.
    if (strcmp (topic, "hall.estimates") != 0 && !self->need_start)
        district_rollup_add (self->rollup, event);
}

//  ---------------------------------------------------------------------------------------
//  Counting

//  Writes what was counted when it is time to, and shows today's figures.
static void
s_commit (district_link_t *self, bool now)
{
    int64_t t = proto_mono_ms ();
    if (!now && district_rollup_pending (self->rollup) < COMMIT_MAX &&
        t - self->last_commit_ms < COMMIT_MS)
        return;
    self->last_commit_ms = t;
    if (district_rollup_commit (self->rollup) != 0)
        snprintf (self->problem, sizeof self->problem, "区级数据库写入失败，稍后重试");
    json_t *report = district_rollup_report (self->rollup);
    if (report)
        district_board_report (self->board, self->index, district_rollup_day (self->rollup),
                               report);
}

static void s_status (district_link_t *self);

//  One event of a journal page: counted, and written a page at a time.
static int
s_page_event (const json_t *event, void *arg)
{
    district_link_t *self = arg;
    if (district_rollup_add (self->rollup, event) < 0)
        return 0;
    if (district_rollup_pending (self->rollup) >= COMMIT_MAX) {
        s_commit (self, true);
        s_status (self);
    }
    return !atomic_load (&self->stop);
}

//  Counts from the hall's journal what the stream did not bring in order: after a
//  restart, an outage, a resync by snapshot, or from today's first event for a hall never
//  followed.
static void
s_catch_up (district_link_t *self)
{
    proto_client_t *client = proto_mirror_client (self->mirror);
    const json_t *info = proto_mirror_info (self->mirror);
    if (self->need_start) {
        json_int_t first;
        if (proto_journal_day_start (client, info, (int)proto_int (info, "day"), &first) != 0)
            return;
        district_rollup_start_at (self->rollup, (uint64_t)first);
        self->need_start = false;
    }
    uint64_t counted = district_rollup_seq (self->rollup), seq = proto_mirror_seq (self->mirror);
    if (counted > seq) {
        snprintf (self->problem, sizeof self->problem,
                  "大厅的事件日志（至 %llu）短于区里已统计的（至 %llu）：大厅数据可能从备份恢复过",
                  (unsigned long long)seq, (unsigned long long)counted);
        return;
    }
    if (counted == seq)
        return;
    self->catching_up = true;
    s_status (self);
    int64_t t0 = proto_mono_ms ();
    int rc =
        proto_journal_read (client, (json_int_t)counted + 1, (json_int_t)seq, s_page_event, self);
    s_commit (self, true);
    self->catching_up = false;
    if (rc == 0)
        log_info ("district: %s: caught up %llu events in %lld ms", self->cfg->id,
                  (unsigned long long)(district_rollup_seq (self->rollup) - counted),
                  (long long)(proto_mono_ms () - t0));
}

//  ---------------------------------------------------------------------------------------
//  The board

static void
s_status (district_link_t *self)
{
    district_status_t st = {
        .online = self->online && !self->mismatch,
        .last_event_ms = self->last_event_ms,
        .seq = proto_mirror_seq (self->mirror),
        .counted = district_rollup_seq (self->rollup),
        .catching_up = self->catching_up,
        .problem = self->problem,
    };
    district_board_status (self->board, self->index, &st);
}

//  The hall's broker time: the mirrored clock for a simulated one, else ours.
static int64_t
s_hall_now (district_link_t *self)
{
    const json_t *info = proto_mirror_info (self->mirror);
    if (proto_is (info, "clock", "sim")) {
        json_int_t now = proto_int (proto_mirror_state (self->mirror), "now");
        return now ? now : proto_int (info, "now");
    }
    return s_wall_ms ();
}

static void
s_live (district_link_t *self)
{
    int64_t t = proto_mono_ms ();
    if (!proto_mirror_info (self->mirror) || self->mismatch)
        return;
    if (t - self->last_live_ms < (self->live_due ? LIVE_MS : LIVE_IDLE_MS))
        return;
    self->last_live_ms = t;
    self->live_due = false;
    const json_t *info = proto_mirror_info (self->mirror);
    json_t *kpis = proto_kpi_hall (proto_mirror_state (self->mirror), info, s_hall_now (self));
    district_board_live (self->board, self->index, kpis, json_deep_copy (info));
}

//  ---------------------------------------------------------------------------------------
//  The thread

static void *
s_run (void *arg)
{
    district_link_t *self = arg;
    proto_mirror_on_event (self->mirror, s_on_event, self);
    json_t *report = district_rollup_report (self->rollup);
    if (report)
        district_board_report (self->board, self->index, district_rollup_day (self->rollup),
                               report);
    s_status (self);
    while (!atomic_load (&self->stop)) {
        int rc = proto_mirror_poll (self->mirror, POLL_MS);
        bool was = self->online;
        self->online = rc >= 0 && proto_mirror_online (self->mirror);
        if (was != self->online) //  the client's message says why (a refused key, a timeout)
            log_warn ("district: %s: %s%s", self->cfg->id,
                      self->online ? "the hall answers" : "the hall does not answer: ",
                      self->online ? ""
                                   : proto_client_message (proto_mirror_client (self->mirror)));
        if (self->online && !self->mismatch)
            s_catch_up (self);
        s_commit (self, false);
        s_live (self);
        s_announce (self);
        s_status (self);
    }
    s_commit (self, true);
    return NULL;
}

int
district_link_start (district_link_t *self)
{
    atomic_store (&self->stop, false);
    if (pthread_create (&self->thread, NULL, s_run, self) != 0)
        return -1;
    self->running = true;
    return 0;
}

void
district_link_destroy (district_link_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_link_t *self = *self_p;
    if (self->running) {
        atomic_store (&self->stop, true);
        pthread_join (self->thread, NULL);
    }
    if (self->pub)
        zmq_close (self->pub);
    proto_mirror_destroy (&self->mirror);
    district_rollup_destroy (&self->rollup);
    free (self);
    *self_p = NULL;
}
