/*  sim_world.c — see sim_world.h. */
#include "sim_world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_msg.h"
#include "sim_cli.h"

sim_cit_t *
sim_world_citizen (sim_world_t *w)
{
    if (w->ncit == w->capcit) {
        long cap = w->capcit ? 2 * w->capcit : 512;
        sim_cit_t *v = realloc (w->cit, (size_t)cap * sizeof *v);
        if (!v)
            return NULL;
        w->cit = v;
        w->capcit = cap;
    }
    sim_cit_t *c = &w->cit[w->ncit++];
    memset (c, 0, sizeof *c);
    c->est = c->naive = -1;
    return c;
}

static int
s_map_id (sim_world_t *w, long id, long cit)
{
    if (id <= 0)
        return -1;
    if (id >= w->nby_id) {
        long n = id * 2 + 64;
        long *v = realloc (w->by_id, (size_t)n * sizeof *v);
        if (!v)
            return -1;
        for (long i = w->nby_id; i < n; i++)
            v[i] = -1;
        w->by_id = v;
        w->nby_id = n;
    }
    w->by_id[id] = cit;
    return 0;
}

static long
s_cit_of (const sim_world_t *w, const json_t *ticket)
{
    int64_t id = sim_int (ticket, "id");
    return id > 0 && id < w->nby_id ? w->by_id[id] : -1;
}

static void
s_unexpected (sim_world_t *w, const char *what, int status, const json_t *body)
{
    w->unexpected++;
    if (w->unexpected <= 10)
        fprintf (stderr, "onewindow sim: %s at %lld: %s (%s)\n", what, (long long)w->now,
                 status > 0 ? proto_err_code ((proto_err_t)status) : "no reply",
                 proto_str (body, "message"));
}

int
sim_world_request (sim_world_t *w, const char *command, json_t *body, json_t **reply)
{
    int status = sim_client_call (w->client, command, body, reply);
    return status < 0 ? -1 : status;
}

static int
s_goto (sim_world_t *w, int64_t t)
{
    if (t <= w->now)
        return 0;
    sim_tag_t tag = {0, 0};
    if (sim_client_advance (w->client, &w->now, t, tag) != 0)
        return -1;
    return sim_client_drain (w->client);
}

//  Books the time the counter spent in its state, then changes it (utilisation as the
//  broker counts it: calling and serving are busy, paused is not open).
static void
s_ctr_state (sim_world_t *w, sim_ctr_t *c, int state)
{
    int64_t spent = w->now - c->since;
    if (c->state == SIM_CTR_IDLE || c->state == SIM_CTR_CALLED || c->state == SIM_CTR_SERVING)
        c->open_ms += spent;
    if (c->state == SIM_CTR_CALLED || c->state == SIM_CTR_SERVING)
        c->busy_ms += spent;
    c->state = state;
    c->since = w->now;
    if (state == SIM_CTR_IDLE)
        c->idle_since = w->now;
}

static bool
s_work_for (const sim_world_t *w, const sim_ctr_t *c)
{
    for (int s = 0; s < w->nsvc; s++)
        if ((c->services & (1u << s)) && w->waiting[s] > 0)
            return true;
    return false;
}

//  The class a ticket is called in (green and elderly together), for the baselines.
static int
s_class (const char *priority)
{
    return strcmp (priority, "green") == 0 || strcmp (priority, "elderly") == 0 ? 0
           : strcmp (priority, "appointment") == 0                              ? 1
                                                                                : 2;
}

//  The counter calls its next ticket, if our mirror says anyone waits for it.
static int
s_call (sim_world_t *w, sim_ctr_t *c)
{
    if (c->state != SIM_CTR_IDLE || !s_work_for (w, c))
        return 0;
    json_t *r = NULL;
    int st = sim_world_request (w, "ticket.call_next", json_pack ("{s:i}", "counter", c->id), &r);
    if (st < 0)
        return -1;
    if (st == PROTO_ERR_QUEUE_EMPTY) {
        //  Our mirror disagrees with the broker: trust the broker.
        s_unexpected (w, "call_next said queue_empty", st, r);
        json_decref (r);
        return 0;
    }
    if (st != 0) {
        s_unexpected (w, "ticket.call_next", st, r);
        json_decref (r);
        return 0;
    }
    json_t *t = json_object_get (r, "ticket");
    long ci = s_cit_of (w, t);
    if (ci < 0) {
        s_unexpected (w, "call_next named a ticket we never issued", 0, r);
        json_decref (r);
        return 0;
    }
    sim_cit_t *z = &w->cit[ci];
    w->waiting[z->svc]--;
    if (!z->called) {
        z->called = sim_int (t, "called");
        if (z->called <= 0)
            z->called = w->now;
        z->counter = c->id;
        w->les[z->svc][s_class (z->priority)] = z->called - z->issued;
        //  Gone before being called? The longer the wait, the likelier (the scenario's
        //  patience). Those who cancel when they give up are still here if called.
        double wait_min = (z->called - z->issued) / 60000.0;
        z->gone =
            !z->cancels && z->gone_u < sim_interp (w->sc->patience, w->sc->npatience, wait_min);
    }
    json_decref (r);
    z->state = SIM_CIT_CALLED;
    c->cit = ci;
    s_ctr_state (w, c, SIM_CTR_CALLED);
    if (z->gone) {
        sim_heap_push (&w->heap, w->now + SIM_RECALL_S * 1000, SIM_EV_RECALL, c - w->ctr);
        sim_heap_push (&w->heap, w->now + SIM_MISS_S * 1000, SIM_EV_NOSHOW, c - w->ctr);
    } else
        sim_heap_push (&w->heap, w->now + (int64_t)llround (z->walkup_s * 1000), SIM_EV_WALKUP,
                       c - w->ctr);
    return 0;
}

//  The clerk will call: now, or after a reaction delay when the scenario has one.
static int
s_want_call (sim_world_t *w, sim_ctr_t *c)
{
    if (c->state != SIM_CTR_IDLE || !s_work_for (w, c))
        return 0;
    const sim_scenario_t *sc = w->sc;
    if (sc->react_mean_s <= 0)
        return s_call (w, c);
    if (!c->call_pending) {
        c->call_pending = true;
        double sigma = sqrt (log (1 + sc->react_cv * sc->react_cv));
        double d = sim_rng_lognormal (&w->react, sc->react_mean_s, sigma);
        sim_heap_push (&w->heap, w->now + (int64_t)llround (d * 1000), SIM_EV_CALL, c - w->ctr);
    }
    return 0;
}

//  True when the counter's next break or pause is due.
static bool
s_absence_due (const sim_world_t *w, const sim_ctr_t *c)
{
    return c->next_abs < c->nabs && c->abs[c->next_abs].at <= w->now;
}

//  What an idle counter does: a break or pause if due, close if due, else call (at once
//  when `reacted`: its clerk's reaction delay is over).
static int
s_idle (sim_world_t *w, sim_ctr_t *c, bool reacted)
{
    if (c->state != SIM_CTR_IDLE)
        return 0;
    json_t *r = NULL;
    int st;
    if (s_absence_due (w, c)) {
        const sim_absence_t *a = &c->abs[c->next_abs++];
        //  As clerks do: no word on when they will be back (the broker knows the hall's
        //  scheduled breaks from its config).
        st = sim_world_request (w, "counter.pause",
                                json_pack ("{s:i, s:s}", "counter", c->id, "reason",
                                           a->planned ? "休息 / break" : "暂离 / away"),
                                &r);
        if (st < 0)
            return -1;
        if (st == 0) {
            s_ctr_state (w, c, SIM_CTR_PAUSED);
            sim_heap_push (&w->heap, w->now + a->len_ms, SIM_EV_RESUME, c - w->ctr);
        } else
            s_unexpected (w, "counter.pause", st, r);
        json_decref (r);
        return 0;
    }
    //  Early closers go when idle; the others serve out the line and wait for the last
    //  arrivals (a late appointment check-in).
    if (c->close_due && (c->early || (!s_work_for (w, c) && w->pending == 0))) {
        st = sim_world_request (w, "counter.logout", json_pack ("{s:i}", "counter", c->id), &r);
        if (st < 0)
            return -1;
        if (st == 0)
            s_ctr_state (w, c, SIM_CTR_CLOSED);
        else
            s_unexpected (w, "counter.logout", st, r);
        json_decref (r);
        return 0;
    }
    return reacted ? s_call (w, c) : s_want_call (w, c);
}

//  After a ticket joins a line: idle counters call, the longest idle first (or each after
//  its clerk's reaction delay).
static int
s_wake (sim_world_t *w)
{
    for (;;) {
        sim_ctr_t *best = NULL;
        for (int i = 0; i < w->nctr; i++) {
            sim_ctr_t *c = &w->ctr[i];
            if (c->state != SIM_CTR_IDLE || !s_work_for (w, c) || s_absence_due (w, c) ||
                (c->close_due && c->early) || c->call_pending)
                continue;
            if (w->sc->react_mean_s > 0) {
                if (s_want_call (w, c) != 0)
                    return -1;
            } else if (!best || c->idle_since < best->idle_since)
                best = c;
        }
        if (!best)
            return 0;
        int64_t before = best->idle_since;
        if (s_call (w, best) != 0)
            return -1;
        if (best->state == SIM_CTR_IDLE && best->idle_since == before)
            return 0; //  refused: do not loop
    }
}

//  Counters open now that serve service `s` (logged in, not paused).
static int
s_open_for (const sim_world_t *w, int s)
{
    int n = 0;
    for (int i = 0; i < w->nctr; i++) {
        const sim_ctr_t *c = &w->ctr[i];
        n += (c->services & (1u << s)) && (c->state == SIM_CTR_IDLE || c->state == SIM_CTR_CALLED ||
                                           c->state == SIM_CTR_SERVING);
    }
    return n;
}

//  The baselines at issue (docs/SIMULATOR.md): (ahead + 1) x mean / open, with the mean as
//  the broker learns it (call to finish, the last 50, the configured mean until 5 have
//  finished); and the wait of the last ticket of the same service and class called.
static void
s_baselines (sim_world_t *w, sim_cit_t *z)
{
    const sim_mean_t *h = &w->handled[z->svc];
    double mean = h->n >= 5 ? h->mean : w->config_s[z->svc];
    int open = s_open_for (w, z->svc);
    z->plus1 = open && z->ahead >= 0 ? llround ((z->ahead + 1) * mean / open) : -1;
    int64_t les = w->les[z->svc][s_class (z->priority)];
    z->les = les >= 0 ? (les + 500) / 1000 : -1;
}

//  A ticket reply (ticket.issue or appointment.checkin) for citizen `ci`.
static void
s_issued (sim_world_t *w, long ci, const json_t *r)
{
    sim_cit_t *z = &w->cit[ci];
    const json_t *t =
        json_is_object (json_object_get (r, "ticket")) ? json_object_get (r, "ticket") : r;
    z->id = (long)sim_int (t, "id");
    snprintf (z->number, sizeof z->number, "%s", proto_str (t, "number"));
    snprintf (z->priority, sizeof z->priority, "%s", proto_str (t, "priority"));
    z->issued = sim_int (t, "issued");
    if (z->issued <= 0)
        z->issued = w->now;
    //  The estimates may sit beside the ticket or in it; absent counts as null.
    z->est = sim_int (r, "est_wait_s");
    if (z->est < 0)
        z->est = sim_int (t, "est_wait_s");
    z->naive = sim_int (r, "naive_wait_s");
    if (z->naive < 0)
        z->naive = sim_int (t, "naive_wait_s");
    z->est_lo = sim_int (r, "est_wait_lo_s");
    z->est_hi = sim_int (r, "est_wait_hi_s");
    z->ahead = sim_int (r, "ahead");
    snprintf (z->token, sizeof z->token, "%s", proto_str (r, "token"));
    s_baselines (w, z);
    z->state = SIM_CIT_WAITING;
    w->waiting[z->svc]++;
    s_map_id (w, z->id, ci);
    if (z->appt) {
        json_t *in_window = json_object_get (r, "in_window");
        if (json_is_true (in_window) || strcmp (z->priority, "appointment") == 0)
            w->appt_in_window++;
        else
            w->appt_outside++;
    }
}

//  A citizen reaches the kiosk: a ticket, or a booking's check-in.
static int
s_arrive (sim_world_t *w, long who)
{
    sim_cit_t *z = &w->cit[who];
    json_t *r = NULL;
    int st;
    w->pending--;
    if (z->appt)
        st = sim_world_request (w, "appointment.checkin", json_pack ("{s:s}", "code", z->code), &r);
    else if (strcmp (z->prio, "normal") == 0)
        st = sim_world_request (w, "ticket.issue",
                                json_pack ("{s:s}", "service", w->prefix[z->svc]), &r);
    else
        st = sim_world_request (
            w, "ticket.issue",
            json_pack ("{s:s, s:s}", "service", w->prefix[z->svc], "priority", z->prio), &r);
    if (st < 0)
        return -1;
    if (st == 0)
        s_issued (w, who, r);
    else
        s_unexpected (w, z->appt ? "appointment.checkin" : "ticket.issue", st, r);
    json_decref (r);
    return s_wake (w);
}

//  A counter asks the broker for `command` ({"counter": id}): the status, -1 when the
//  broker is gone; an error reply is counted as unexpected. *reply as for
//  sim_world_request (NULL to discard).
static int
s_counter_request (sim_world_t *w, sim_ctr_t *c, const char *command, json_t **reply)
{
    json_t *r = NULL;
    int st = sim_world_request (w, command, json_pack ("{s:i}", "counter", c->id), &r);
    if (st > 0)
        s_unexpected (w, command, st, r);
    if (reply)
        *reply = r;
    else
        json_decref (r);
    return st;
}

//  The called citizen did not come: missed (the hall's rule may put them back in line).
static int
s_noshow (sim_world_t *w, sim_ctr_t *c)
{
    sim_cit_t *z = &w->cit[c->cit];
    json_t *r = NULL;
    int st = s_counter_request (w, c, "ticket.missed", &r);
    if (st < 0)
        return -1;
    if (st == 0) {
        z->missed = true;
        const char *outcome = json_string_value (json_object_get (r, "outcome"));
        //  Rule "back" puts it in line again; the citizen is still gone.
        if (outcome && strcmp (outcome, "requeued") == 0) {
            z->state = SIM_CIT_WAITING;
            w->waiting[z->svc]++;
        } else
            z->state = SIM_CIT_MISSED;
        c->cit = -1;
        s_ctr_state (w, c, SIM_CTR_IDLE);
    }
    json_decref (r);
    if (s_idle (w, c, false) != 0)
        return -1;
    return s_wake (w);
}

//  The called citizen reaches the counter: service starts.
static int
s_walkup (sim_world_t *w, sim_ctr_t *c, long who)
{
    sim_cit_t *z = &w->cit[c->cit];
    int st = s_counter_request (w, c, "ticket.start", NULL);
    if (st < 0)
        return -1;
    if (st == 0) {
        z->state = SIM_CIT_SERVING;
        z->started = w->now;
        s_ctr_state (w, c, SIM_CTR_SERVING);
        sim_heap_push (&w->heap, w->now + (int64_t)llround (z->service_s * 1000), SIM_EV_FINISH,
                       who);
    }
    return 0;
}

//  Service ends; the counter is idle again. The call-to-finish time is observed as the
//  broker learns it (for the baselines).
static int
s_finish (sim_world_t *w, sim_ctr_t *c)
{
    sim_cit_t *z = &w->cit[c->cit];
    int st = s_counter_request (w, c, "ticket.finish", NULL);
    if (st < 0)
        return -1;
    if (st == 0) {
        z->state = SIM_CIT_DONE;
        z->finished = w->now;
        c->cit = -1;
        s_ctr_state (w, c, SIM_CTR_IDLE);
        sim_mean_t *h = &w->handled[z->svc];
        h->n++;
        h->mean += ((w->now - z->called) / 1000.0 - h->mean) / (double)(h->n < 50 ? h->n : 50);
    }
    return s_idle (w, c, false);
}

//  A citizen gives up: the ticket is cancelled if it is still waiting.
static int
s_cancel (sim_world_t *w, long who)
{
    sim_cit_t *z = &w->cit[who];
    if (z->state != SIM_CIT_WAITING || z->called || !z->id)
        return 0;
    json_t *r = NULL;
    int st = sim_world_request (
        w, "ticket.cancel", json_pack ("{s:s, s:s}", "token", z->token, "reason", "放弃等候"), &r);
    if (st < 0)
        return -1;
    if (st == 0) {
        z->state = SIM_CIT_CANCELLED;
        z->cancelled = true;
        w->waiting[z->svc]--;
    } else
        s_unexpected (w, "ticket.cancel", st, r);
    json_decref (r);
    return 0;
}

//  One scheduled event, at its time.
static int
s_on_event (sim_world_t *w, const sim_event_t *e)
{
    if (e->kind == SIM_EV_ARRIVE)
        return s_arrive (w, e->who);
    if (e->kind == SIM_EV_CANCEL)
        return s_cancel (w, e->who);
    sim_ctr_t *c = &w->ctr[e->who];
    if ((e->kind == SIM_EV_WALKUP || e->kind == SIM_EV_NOSHOW || e->kind == SIM_EV_FINISH) &&
        c->cit < 0) {
        s_unexpected (w, "a counter event without its citizen", 0, NULL);
        return 0;
    }
    int st;
    switch (e->kind) {
    case SIM_EV_OPEN:
        st = s_counter_request (w, c, "counter.login", NULL);
        if (st == 0) {
            c->since = w->now;
            c->state = SIM_CTR_IDLE;
            c->idle_since = w->now;
        }
        return st < 0 ? -1 : s_idle (w, c, false);
    case SIM_EV_ABSENT: return s_idle (w, c, false);
    case SIM_EV_RESUME:
        st = s_counter_request (w, c, "counter.resume", NULL);
        if (st == 0)
            s_ctr_state (w, c, SIM_CTR_IDLE);
        return st < 0 ? -1 : s_idle (w, c, false);
    case SIM_EV_CLOSE: c->close_due = true; return s_idle (w, c, false);
    case SIM_EV_CALL: c->call_pending = false; return s_idle (w, c, true);
    case SIM_EV_RECALL: return s_counter_request (w, c, "ticket.recall", NULL) < 0 ? -1 : 0;
    case SIM_EV_NOSHOW: return s_noshow (w, c);
    case SIM_EV_WALKUP: return s_walkup (w, c, e->who);
    case SIM_EV_FINISH: return s_finish (w, c);
    }
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  The hall, the day, the run

//  A period "HH:MM-HH:MM" in local minutes; -1 if it is not one.
static int
s_period (const char *text, int *from, int *to)
{
    int h1, m1, h2, m2;
    if (!text || sscanf (text, "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4)
        return -1;
    *from = h1 * 60 + m1;
    *to = h2 * 60 + m2;
    return 0;
}

//  The appointment rules of hall.info; the broker's defaults when it sends none.
static void
s_hall_appointments (sim_world_t *w, const json_t *appt)
{
    w->appt_slot_min = 30;
    w->appt_nperiods = 2;
    int defaults[4] = {9 * 60, 12 * 60, 13 * 60 + 30, 17 * 60};
    memcpy (w->appt_periods, defaults, sizeof defaults);
    if (json_is_integer (json_object_get (appt, "slot_minutes")))
        w->appt_slot_min = (int)json_integer_value (json_object_get (appt, "slot_minutes"));
    json_t *hours = json_object_get (appt, "hours");
    if (json_is_array (hours) && json_array_size (hours) >= 1 && json_array_size (hours) <= 2) {
        w->appt_nperiods = 0;
        size_t i;
        json_t *h;
        json_array_foreach (hours, i, h) {
            int *p = &w->appt_periods[2 * w->appt_nperiods];
            if (s_period (json_string_value (h), &p[0], &p[1]) == 0)
                w->appt_nperiods++;
        }
    }
}

//  The counters of hall.info: ids, services (as bits of our service list), breaks.
static int
s_hall_counters (sim_world_t *w, const json_t *ctrs)
{
    w->nctr = (int)json_array_size (ctrs);
    w->ctr = calloc ((size_t)w->nctr, sizeof *w->ctr);
    if (!w->ctr)
        return -1;
    for (int i = 0; i < w->nctr; i++) {
        sim_ctr_t *c = &w->ctr[i];
        json_t *jc = json_array_get (ctrs, (size_t)i);
        c->id = (int)sim_int (jc, "id");
        c->cit = -1;
        //  Every break the hall schedules for this counter (hall.info "breaks").
        size_t k;
        json_t *p;
        json_array_foreach (json_object_get (jc, "breaks"), k, p) {
            int from, to;
            if (c->nbreaks < SIM_MAX_BREAKS && s_period (json_string_value (p), &from, &to) == 0 &&
                to > from) {
                c->break_from[c->nbreaks] = from;
                c->break_to[c->nbreaks++] = to;
            }
        }
        json_array_foreach (json_object_get (jc, "services"), k, p) {
            for (int s = 0; s < w->nsvc; s++)
                if (json_is_string (p) && strcmp (w->prefix[s], json_string_value (p)) == 0)
                    c->services |= 1u << s;
        }
    }
    return 0;
}

int
sim_world_hall (sim_world_t *w, const json_t *info)
{
    json_t *o = json_object_get (json_object_get (info, "hall"), "utc_offset_min");
    w->off = json_is_integer (o) ? (int)json_integer_value (o) : 480;
    json_t *svcs = json_object_get (info, "services"), *ctrs = json_object_get (info, "counters");
    w->nsvc = (int)json_array_size (svcs);
    if (w->nsvc < 1 || w->nsvc > SIM_MAX_SERVICES || json_array_size (ctrs) < 1) {
        fprintf (stderr, "onewindow sim: the hall has no services or counters\n");
        return -1;
    }
    for (int s = 0; s < w->nsvc; s++) {
        json_t *sv = json_array_get (svcs, (size_t)s);
        snprintf (w->prefix[s], sizeof w->prefix[s], "%s", proto_str (sv, "prefix"));
        w->config_s[s] = (double)sim_int (sv, "mean_service_s");
        if (w->config_s[s] <= 0)
            w->config_s[s] = 600;
        for (int k = 0; k < 3; k++)
            w->les[s][k] = -1;
    }
    s_hall_appointments (w, json_object_get (info, "appointments"));
    return s_hall_counters (w, ctrs);
}

void
sim_world_times (sim_world_t *w, int date, double hours)
{
    const sim_scenario_t *sc = w->sc;
    w->date = date;
    w->start = sim_local_ms (date, sc->kiosk_from, w->off);
    w->now = w->start;
    w->open = sim_local_ms (date, sc->open, w->off);
    w->last_arrival = sim_local_ms (date, sc->kiosk_to, w->off);
    if (hours > 0 && w->start + (int64_t)(hours * 3600000) < w->last_arrival)
        w->last_arrival = w->start + (int64_t)(hours * 3600000);
    w->close = sim_local_ms (date, sc->close, w->off);
    if (w->last_arrival + 30 * 60000 < w->close)
        w->close = w->last_arrival + 30 * 60000;
}

int
sim_world_run (sim_world_t *w)
{
    //  The day: take the next event, move the broker's clock to it, act.
    while (w->heap.n) {
        if (sim_interrupted ())
            return -1;
        if (w->heap.failed) {
            fprintf (stderr, "onewindow sim: out of memory\n");
            return -1;
        }
        sim_event_t e = sim_heap_pop (&w->heap);
        if (e.at > sim_local_ms (w->date, 26 * 60 + 30, w->off)) {
            fprintf (stderr, "onewindow sim: the day did not end by 02:30 (the business day ends "
                             "at 03:00); giving up\n");
            return -1;
        }
        if (s_goto (w, e.at) != 0 || s_on_event (w, &e) != 0)
            return -1;
    }
    //  Counters that waited for the last arrival and had nothing more to do close now.
    for (int i = 0; i < w->nctr; i++)
        if (w->ctr[i].state == SIM_CTR_IDLE) {
            w->ctr[i].close_due = true;
            if (s_idle (w, &w->ctr[i], false) != 0)
                return -1;
        }
    long left = 0;
    for (int s = 0; s < w->nsvc; s++)
        left += w->waiting[s];
    if (left)
        fprintf (stderr, "onewindow sim: %ld tickets were never called\n", left);
    return 0;
}

void
sim_world_free (sim_world_t *w)
{
    free (w->cit);
    free (w->by_id);
    free (w->ctr);
    free (w->heap.v);
    w->cit = NULL;
    w->by_id = NULL;
    w->ctr = NULL;
    w->heap.v = NULL;
}
