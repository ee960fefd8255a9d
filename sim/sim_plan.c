/*  sim_plan.c — see sim_plan.h. */
#include "sim_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "sim_cli.h"
#include "sim_erlang.h"

//  A valid-looking resident ID number (GB 11643: region, birth date, sequence, MOD 11-2),
//  unique per `n`: bookings are one per person a day. `out` holds at least 32 bytes.
static void
s_id_number (sim_rng_t *rng, long n, char *out)
{
    unsigned year = 1950 + (unsigned)(sim_rng_uniform (rng) * 50) % 50;
    unsigned month = 1 + (unsigned)(sim_rng_uniform (rng) * 12) % 12;
    unsigned day = 1 + (unsigned)(sim_rng_uniform (rng) * 28) % 28;
    snprintf (out, 32, "120116%04u%02u%02u%03u", year, month, day, (unsigned)(n % 1000));
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

//  A service time of service `v`: its empirical quantiles, else lognormal.
static double
s_service_s (sim_rng_t *rng, const sim_svc_t *v)
{
    if (v->nq > 1) {
        double u = sim_rng_uniform (rng);
        for (int i = 1; i < v->nq; i++)
            if (u <= v->q[i].x || i == v->nq - 1) {
                double span = v->q[i].x - v->q[i - 1].x;
                return span > 0 ? v->q[i - 1].y +
                                      (v->q[i].y - v->q[i - 1].y) * (u - v->q[i - 1].x) / span
                                : v->q[i].y;
            }
    }
    return sim_rng_lognormal (rng, v->mean_s, v->sigma);
}

//  Draws what a citizen of z->svc needs: their service and walk-up time.
static void
s_citizen_draws (sim_world_t *w, sim_cit_t *z, sim_rng_t *rng)
{
    const sim_scenario_t *sc = w->sc;
    z->service_s = s_service_s (rng, &sc->svc[z->svc]);
    z->walkup_s =
        sc->walkup_min_s + sim_rng_exp (rng, sc->walkup_exp_s > 0 ? sc->walkup_exp_s : 1e-9);
}

//  Schedules citizen `ci`'s arrival, and the moment they give up and cancel, if they will
//  (drawn from `cancels`, so that a scenario without cancellations draws as before).
static void
s_citizen_schedule (sim_world_t *w, long ci, sim_rng_t *cancels)
{
    const sim_scenario_t *sc = w->sc;
    sim_cit_t *z = &w->cit[ci];
    sim_heap_push (&w->heap, z->arrive, SIM_EV_ARRIVE, ci);
    w->pending++;
    if (sc->cancel <= 0)
        return;
    z->cancels = sim_rng_uniform (cancels) < sc->cancel;
    //  Patience: the wait at which the share gone reaches their draw.
    const sim_point_t *p = sc->patience;
    int n = sc->npatience;
    if (!z->cancels || z->gone_u >= p[n - 1].y)
        return;
    double tau = p[0].x;
    for (int i = 1; i < n; i++)
        if (z->gone_u < p[i].y) {
            tau = p[i - 1].x +
                  (p[i].x - p[i - 1].x) * (z->gone_u - p[i - 1].y) / (p[i].y - p[i - 1].y);
            break;
        }
    if (tau < 1)
        tau = 1;
    sim_heap_push (&w->heap, z->arrive + (int64_t)llround (tau * 60000), SIM_EV_CANCEL, ci);
}

//  Draws the day's walk-ins (times and everything about each citizen) from `rng`.
static int
s_gen_walkins (sim_world_t *w, sim_rng_t *rng, sim_rng_t *cancels, double load)
{
    const sim_scenario_t *sc = w->sc;
    for (int p = 0; p < sc->npieces; p++) {
        const sim_piece_t *pc = &sc->piece[p];
        int64_t from = sim_local_ms (w->date, pc->from, w->off);
        int64_t to = sim_local_ms (w->date, pc->to, w->off);
        if (to > w->last_arrival)
            to = w->last_arrival;
        double rate_ms = pc->rate_h * load / 3600000.0, wsum = 0;
        for (int s = 0; s < w->nsvc; s++)
            wsum += pc->w[s];
        if (rate_ms <= 0 || wsum <= 0 || from >= to)
            continue;
        //  Poisson within the piece: exponential gaps, restarted at its start.
        for (double t = from + sim_rng_exp (rng, 1 / rate_ms); t < to;
             t += sim_rng_exp (rng, 1 / rate_ms)) {
            sim_cit_t *z = sim_world_citizen (w);
            if (!z)
                return -1;
            z->arrive = (int64_t)llround (t);
            double u = sim_rng_uniform (rng) * wsum;
            z->svc = w->nsvc - 1;
            for (int s = 0; s < w->nsvc; s++) {
                if (u < pc->w[s]) {
                    z->svc = s;
                    break;
                }
                u -= pc->w[s];
            }
            const sim_svc_t *v = &sc->svc[z->svc];
            double pr = sim_rng_uniform (rng);
            z->prio = pr < v->green ? "green" : pr < v->green + v->elderly ? "elderly" : "normal";
            s_citizen_draws (w, z, rng);
            z->gone_u = sim_rng_uniform (rng);
            s_citizen_schedule (w, w->ncit - 1, cancels);
        }
    }
    return 0;
}

//  Books the day's appointments at the start (as citizens did in the days before) and
//  schedules their check-ins.
static int
s_gen_appointments (sim_world_t *w, sim_rng_t *rng, sim_rng_t *cancels, const double *expected)
{
    const sim_scenario_t *sc = w->sc;
    //  The slots that start after the kiosk opens and before the walk-ins stop.
    int slots[128], nslots = 0;
    for (int p = 0; p < w->appt_nperiods; p++)
        for (int m = w->appt_periods[2 * p];
             m + w->appt_slot_min <= w->appt_periods[2 * p + 1] && nslots < 128;
             m += w->appt_slot_min) {
            int64_t at = sim_local_ms (w->date, m, w->off);
            if (at > w->now && at < w->last_arrival)
                slots[nslots++] = m;
        }
    if (!nslots)
        return 0;
    long person = 0;
    for (int s = 0; s < w->nsvc; s++) {
        int n = sim_rng_poisson (rng, expected[s] * sc->svc[s].booked);
        for (int k = 0; k < n; k++) {
            int first = (int)(sim_rng_uniform (rng) * nslots);
            char id[32], phone[24], name[48];
            s_id_number (rng, ++person, id);
            snprintf (phone, sizeof phone, "139%08ld", 10000000 + person * 7919 % 90000000);
            snprintf (name, sizeof name, "模拟市民%04ld", person);
            bool no_show = sim_rng_uniform (rng) < sc->appt_no_show;
            double offset_min =
                sc->appt_offset_min.mean + sc->appt_offset_min.sd * sim_rng_normal (rng);
            sim_cit_t z0 = {.svc = s};
            s_citizen_draws (w, &z0, rng);
            z0.gone_u = sim_rng_uniform (rng);
            //  Late: after the check-in window (an ordinary ticket, as the broker decides).
            if (sc->appt_late > 0 && sim_rng_uniform (rng) < sc->appt_late)
                offset_min =
                    sc->appt_late_after_min + sim_rng_exp (rng, sc->appt_late_mean_min + 1e-9);
            //  A full slot: the citizen takes the next one with room.
            json_t *r = NULL;
            int st = -1, slot = -1;
            for (int tries = 0; tries < nslots && st != 0; tries++) {
                slot = slots[(first + tries) % nslots];
                char hhmm[16];
                snprintf (hhmm, sizeof hhmm, "%02d:%02d", slot / 60, slot % 60);
                json_decref (r);
                r = NULL;
                st = sim_world_request (w, "appointment.book",
                                        json_pack ("{s:s, s:i, s:s, s:s, s:s, s:s}", "service",
                                                   w->prefix[s], "date", w->date, "slot", hhmm,
                                                   "name", name, "id_number", id, "phone", phone),
                                        &r);
                if (st < 0)
                    return -1;
                if (st == PROTO_ERR_UNKNOWN_COMMAND)
                    break;
            }
            if (st != 0) {
                w->booking_refused++;
                json_decref (r);
                if (st == PROTO_ERR_UNKNOWN_COMMAND) {
                    fprintf (stderr, "onewindow sim: this broker has no appointments; "
                                     "the day runs without them\n");
                    return 0;
                }
                continue;
            }
            w->booked++;
            if (no_show) {
                w->appt_no_show++;
                json_decref (r);
                continue;
            }
            sim_cit_t *z = sim_world_citizen (w);
            if (!z) {
                json_decref (r);
                return -1;
            }
            *z = z0;
            z->est = z->naive = -1;
            z->svc = s;
            z->prio = "appointment";
            z->appt = true;
            snprintf (z->code, sizeof z->code, "%s", proto_str (r, "code"));
            snprintf (z->slot, sizeof z->slot, "%02d:%02d", slot / 60, slot % 60);
            json_decref (r);
            int64_t at =
                sim_local_ms (w->date, slot, w->off) + (int64_t)llround (offset_min * 60000);
            z->arrive = at > w->now + 1000 ? at : w->now + 1000;
            s_citizen_schedule (w, w->ncit - 1, cancels);
        }
    }
    return 0;
}

//  The counters that close early: issue 6's rule ("auto": up to two, the last in config
//  order whose every service stays covered by a counter open to the end, at 16:00 and
//  16:30), or the scenario's list. Sets `early` and each one's time in close_at.
static void
s_early_closings (sim_world_t *w, int64_t *close_at)
{
    const sim_scenario_t *sc = w->sc;
    for (int i = 0; i < w->nctr; i++)
        close_at[i] = w->close;
    if (!sc->closings_auto) {
        for (int k = 0; k < sc->nclosings; k++)
            for (int i = 0; i < w->nctr; i++) {
                int64_t t = sim_local_ms (w->date, sc->closing_at[k], w->off);
                if (w->ctr[i].id == sc->closing_id[k] && t < w->close && t > w->open) {
                    w->ctr[i].early = true;
                    close_at[i] = t;
                }
            }
        return;
    }
    int early = 0;
    for (int i = w->nctr - 1; i >= 0 && early < 2; i--) {
        uint32_t others = 0;
        for (int j = 0; j < w->nctr; j++)
            if (j != i && !w->ctr[j].early)
                others |= w->ctr[j].services;
        if ((w->ctr[i].services & ~others) == 0) {
            w->ctr[i].early = true;
            early++;
        }
    }
    int nth_early = 0;
    for (int i = 0; i < w->nctr; i++)
        if (w->ctr[i].early) {
            int64_t t = sim_local_ms (w->date, 16 * 60 + 30 * nth_early++, w->off);
            if (t < w->close && t > w->open)
                close_at[i] = t;
            else
                w->ctr[i].early = false;
        }
}

//  Adds a break or pause to counter `c` if it falls within the counters' day.
static void
s_absence (sim_world_t *w, sim_ctr_t *c, double at_min, double len_min, bool scheduled)
{
    int64_t at = sim_local_ms (w->date, 0, w->off) + (int64_t)llround (at_min * 60000);
    int64_t len = (int64_t)llround (len_min * 60000);
    if (c->nabs == SIM_MAX_ABSENCES || at <= w->open || at + len >= w->close || len <= 0)
        return;
    int i = c->nabs++;
    while (i > 0 && c->abs[i - 1].at > at) {
        c->abs[i] = c->abs[i - 1];
        i--;
    }
    c->abs[i] = (sim_absence_t){at, len, scheduled};
}

//  A counter's day of breaks and pauses, drawn from `rng`: every break the hall scheduled
//  (taken early or late, longer or shorter, as the scenario's clerks do), the default lunch
//  for a counter with none, the scenario's unannounced breaks and random pauses.
static void
s_absences (sim_world_t *w, int i, sim_rng_t *rng)
{
    const sim_scenario_t *sc = w->sc;
    sim_ctr_t *c = &w->ctr[i];
    for (int b = 0; b < c->nbreaks; b++) {
        double at = c->break_from[b] + sc->break_start_min.mean +
                    sc->break_start_min.sd * sim_rng_normal (rng);
        double len = c->break_to[b] - c->break_from[b] + sc->break_extra_min.mean +
                     sc->break_extra_min.sd * sim_rng_normal (rng);
        s_absence (w, c, at, len < 5 ? 5 : len, true);
    }
    if (!c->nbreaks && sc->nlunch)
        s_absence (w, c, sc->lunch_at[i % sc->nlunch], sc->lunch_min, false);
    for (int k = 0; k < sc->nextra; k++) {
        const sim_extra_t *x = &sc->extra[k];
        double at = x->at + x->at_sd_min * sim_rng_normal (rng);
        double len = x->minutes.mean + x->minutes.sd * sim_rng_normal (rng);
        if (i < 32 && (x->counters & (1u << i)))
            s_absence (w, c, at, len < 1 ? 1 : len, false);
    }
    if (sc->pause_per_h > 0) {
        double sigma = sqrt (log (1 + sc->pause_cv * sc->pause_cv));
        for (double t = sc->pause_from + sim_rng_exp (rng, 60 / sc->pause_per_h); t < sc->pause_to;
             t += sim_rng_exp (rng, 60 / sc->pause_per_h))
            s_absence (w, c, t, sim_rng_lognormal (rng, sc->pause_mean_min, sigma), false);
    }
}

//  Each counter's opening, breaks and pauses, and closing.
static void
s_schedule_counters (sim_world_t *w, sim_rng_t *rng)
{
    int64_t close_at[w->nctr > 0 ? w->nctr : 1];
    s_early_closings (w, close_at);
    for (int i = 0; i < w->nctr; i++) {
        sim_ctr_t *c = &w->ctr[i];
        sim_heap_push (&w->heap, w->open, SIM_EV_OPEN, i);
        s_absences (w, i, rng);
        for (int k = 0; k < c->nabs; k++)
            sim_heap_push (&w->heap, c->abs[k].at, SIM_EV_ABSENT, i);
        sim_heap_push (&w->heap, close_at[i], SIM_EV_CLOSE, i);
    }
}

int
sim_plan_day (sim_world_t *w, sim_scenario_t *sc, uint64_t seed, double load)
{
    int ids[w->nctr > 0 ? w->nctr : 1];
    uint32_t svcs[w->nctr > 0 ? w->nctr : 1];
    for (int i = 0; i < w->nctr; i++) {
        ids[i] = w->ctr[i].id;
        svcs[i] = w->ctr[i].services;
    }
    sim_hall_t hall = {w->nsvc, (const char (*)[4])w->prefix, w->config_s, w->nctr, ids, svcs};
    if (sim_scenario_apply (sc, &hall, seed) != 0)
        return -1;
    w->sc = sc;
    sim_rng_t walkins, appts, clerks, cancels;
    sim_rng_seed (&walkins, seed, 1);
    sim_rng_seed (&appts, seed, 2);
    sim_rng_seed (&clerks, seed, 5);
    sim_rng_seed (&w->react, seed, 6);
    sim_rng_seed (&cancels, seed, 7);
    if (s_gen_walkins (w, &walkins, &cancels, load) != 0)
        return -1;
    double expected[SIM_MAX_SERVICES];
    for (int s = 0; s < w->nsvc; s++) {
        expected[s] = 0;
        for (long i = 0; i < w->ncit; i++)
            expected[s] += w->cit[i].svc == s;
    }
    if (s_gen_appointments (w, &appts, &cancels, expected) != 0)
        return -1;
    s_schedule_counters (w, &clerks);
    return 0;
}
