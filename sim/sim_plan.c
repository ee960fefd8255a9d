/*  sim_plan.c — see sim_plan.h. */
#include "sim_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "sim_cli.h"
#include "sim_erlang.h"

//  Walk-in arrivals by time of day, as a multiple of the hall's service capacity (every
//  counter busy with the day's service mix): the morning peak near capacity (appointments
//  come on top), lunch well below, the afternoon in between. The kiosk opens at 08:30 and
//  stops at 16:30 (docs/SIMULATOR.md has the numbers for the example hall).
static const struct {
    int from, to; //  local minutes
    double load;  //  arrivals per hour ÷ the hall's capacity per hour
} s_profile[] = {
    {8 * 60 + 30, 9 * 60, 0.45}, {9 * 60, 10 * 60, 0.90},  {10 * 60, 11 * 60, 0.90},
    {11 * 60, 12 * 60, 0.50},    {12 * 60, 13 * 60, 0.25}, {13 * 60, 14 * 60, 0.40},
    {14 * 60, 15 * 60, 0.65},    {15 * 60, 16 * 60, 0.60}, {16 * 60, 16 * 60 + 30, 0.40},
};

//  The service mix and the share of each service's demand that books an appointment, by
//  prefix (the example hall); other prefixes get the `*` row.
static const struct {
    const char *prefix;
    double mix;    //  share of walk-ins
    double booked; //  appointments per walk-in of the service
} s_mix[] = {
    {"A", 0.18, 0.25}, {"B", 0.31, 0.05}, {"C", 0.09, 0.30}, {"D", 0.10, 0.10},
    {"E", 0.12, 0.30}, {"F", 0.03, 0.20}, {"G", 0.17, 0.05}, {"*", 0.10, 0.10},
};

//  The mix row of a prefix.
static int
s_mix_row (const char *prefix)
{
    size_t n = sizeof s_mix / sizeof s_mix[0];
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp (s_mix[i].prefix, prefix) == 0)
            return (int)i;
    return (int)n - 1;
}

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

//  Draws the day's walk-ins (times and everything about each citizen) from `rng`.
static int
s_gen_walkins (sim_world_t *w, sim_rng_t *rng, double capacity_h, double load, double *mixw)
{
    double wsum = 0;
    for (int s = 0; s < w->nsvc; s++)
        wsum += mixw[s];
    for (size_t p = 0; p < sizeof s_profile / sizeof s_profile[0]; p++) {
        int64_t from = w->start + (int64_t)(s_profile[p].from - SIM_START_MIN) * 60000;
        int64_t to = w->start + (int64_t)(s_profile[p].to - SIM_START_MIN) * 60000;
        if (to > w->last_arrival)
            to = w->last_arrival;
        double rate_ms = s_profile[p].load * load * capacity_h / 3600000.0;
        if (rate_ms <= 0 || from >= to)
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
                if (u < mixw[s]) {
                    z->svc = s;
                    break;
                }
                u -= mixw[s];
            }
            double v = sim_rng_uniform (rng);
            z->prio = v < SIM_GREEN ? "green" : v < SIM_GREEN + SIM_ELDERLY ? "elderly" : "normal";
            z->service_s = sim_rng_lognormal (rng, w->mean_s[z->svc], SIM_SIGMA);
            z->walkup_s = SIM_WALKUP_MIN_S + sim_rng_exp (rng, SIM_WALKUP_EXP_S);
            z->gone_u = sim_rng_uniform (rng);
            sim_heap_push (&w->heap, z->arrive, SIM_EV_ARRIVE, w->ncit - 1);
            w->pending++;
        }
    }
    return 0;
}

//  Books the day's appointments at the start (as citizens did in the days before) and
//  schedules their check-ins.
static int
s_gen_appointments (sim_world_t *w, sim_rng_t *rng, const double *expected)
{
    //  The slots that start after the kiosk opens and before the walk-ins stop.
    int slots[128], nslots = 0;
    for (int p = 0; p < w->appt_nperiods; p++)
        for (int m = w->appt_periods[2 * p];
             m + w->appt_slot_min <= w->appt_periods[2 * p + 1] && nslots < 128;
             m += w->appt_slot_min) {
            int64_t at = w->start + (int64_t)(m - SIM_START_MIN) * 60000;
            if (at > w->now && at < w->last_arrival)
                slots[nslots++] = m;
        }
    if (!nslots)
        return 0;
    long person = 0;
    for (int s = 0; s < w->nsvc; s++) {
        int n = sim_rng_poisson (rng, expected[s] * s_mix[s_mix_row (w->prefix[s])].booked);
        for (int k = 0; k < n; k++) {
            int first = (int)(sim_rng_uniform (rng) * nslots);
            char id[32], phone[24], name[48];
            s_id_number (rng, ++person, id);
            snprintf (phone, sizeof phone, "139%08ld", 10000000 + person * 7919 % 90000000);
            snprintf (name, sizeof name, "模拟市民%04ld", person);
            bool no_show = sim_rng_uniform (rng) < SIM_APPT_NO_SHOW;
            double offset_min = SIM_APPT_MEAN_MIN + SIM_APPT_SD_MIN * sim_rng_normal (rng);
            sim_cit_t z0 = {0};
            z0.service_s = sim_rng_lognormal (rng, w->mean_s[s], SIM_SIGMA);
            z0.walkup_s = SIM_WALKUP_MIN_S + sim_rng_exp (rng, SIM_WALKUP_EXP_S);
            z0.gone_u = sim_rng_uniform (rng);
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
            int64_t at = w->start + (int64_t)(slot - SIM_START_MIN) * 60000 +
                         (int64_t)llround (offset_min * 60000);
            z->arrive = at > w->now + 1000 ? at : w->now + 1000;
            sim_heap_push (&w->heap, z->arrive, SIM_EV_ARRIVE, w->ncit - 1);
            w->pending++;
        }
    }
    return 0;
}

//  Lunch groups and early closings: counter i lunches in group i % 2; up to two counters
//  whose every service stays covered by a counter open to the end close at 16:00 and 16:30.
static void
s_schedule_counters (sim_world_t *w)
{
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
    for (int i = 0; i < w->nctr; i++) {
        sim_ctr_t *c = &w->ctr[i];
        c->cit = -1;
        sim_heap_push (&w->heap, w->open, SIM_EV_OPEN, i);
        int from = c->lunch_len ? c->lunch_from : SIM_LUNCH_MIN + 60 * (i % 2);
        if (!c->lunch_len)
            c->lunch_len = SIM_LUNCH_LEN;
        int64_t lunch = w->start + (int64_t)(from - SIM_START_MIN) * 60000;
        if (lunch > w->open && lunch + c->lunch_len * 60000 < w->close)
            sim_heap_push (&w->heap, lunch, SIM_EV_LUNCH, i);
        int64_t close = w->close;
        if (c->early) {
            int64_t t = w->start + (int64_t)(16 * 60 + 30 * nth_early++ - SIM_START_MIN) * 60000;
            if (t < w->close && t > w->open)
                close = t;
            else
                c->early = false;
        }
        sim_heap_push (&w->heap, close, SIM_EV_CLOSE, i);
    }
}

int
sim_plan_day (sim_world_t *w, uint64_t seed, double load)
{
    //  Capacity: every counter busy with the mix's mean service time.
    double mixw[SIM_MAX_SERVICES], mean_mix = 0, wsum = 0;
    for (int s = 0; s < w->nsvc; s++) {
        mixw[s] = s_mix[s_mix_row (w->prefix[s])].mix;
        mean_mix += mixw[s] * w->mean_s[s];
        wsum += mixw[s];
    }
    mean_mix /= wsum;
    double capacity_h = w->nctr * 3600.0 / mean_mix;

    sim_rng_t walkins, appts;
    sim_rng_seed (&walkins, seed, 1);
    sim_rng_seed (&appts, seed, 2);
    if (s_gen_walkins (w, &walkins, capacity_h, load, mixw) != 0)
        return -1;
    double expected[SIM_MAX_SERVICES];
    for (int s = 0; s < w->nsvc; s++) {
        expected[s] = 0;
        for (long i = 0; i < w->ncit; i++)
            expected[s] += w->cit[i].svc == s;
    }
    if (s_gen_appointments (w, &appts, expected) != 0)
        return -1;
    s_schedule_counters (w);
    return 0;
}
