/*  sim_scenario.c — see sim_scenario.h. */
#include "sim_scenario.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_erlang.h"

//  Issue 6's day: walk-ins by time of day as a multiple of the hall's capacity (every
//  counter busy with the day's service mix), the morning peak near capacity (appointments
//  come on top), lunch well below, the afternoon in between.
static const sim_point_t s_profile[] = {
    {8 * 60 + 30, 0.45}, {9 * 60, 0.90},  {10 * 60, 0.90}, {11 * 60, 0.50}, {12 * 60, 0.25},
    {13 * 60, 0.40},     {14 * 60, 0.65}, {15 * 60, 0.60}, {16 * 60, 0.40},
};

//  Issue 6's service mix and bookings per walk-in, by prefix (the example hall); other
//  prefixes get the `*` row.
static const struct {
    const char *prefix;
    double mix;    //  share of walk-ins
    double booked; //  appointments per walk-in of the service
} s_mix[] = {
    {"A", 0.18, 0.25}, {"B", 0.31, 0.05}, {"C", 0.09, 0.30}, {"D", 0.10, 0.10},
    {"E", 0.12, 0.30}, {"F", 0.03, 0.20}, {"G", 0.17, 0.05}, {"*", 0.10, 0.10},
};

#define S_SIGMA       0.6 //  issue 6's lognormal sigma (CV 0.66)
#define S_MEAN_SPREAD 0.2 //  true mean / configured: lognormal sigma, per service and seed

static int
s_fail (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "onewindow sim: scenario: ");
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, "\n");
    va_end (ap);
    return -1;
}

int
sim_hhmm (const char *text)
{
    int h, m;
    char tail;
    if (!text || sscanf (text, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 47 || m < 0 || m > 59)
        return -1;
    return h * 60 + m;
}

double
sim_interp (const sim_point_t *p, int n, double x)
{
    if (n <= 0)
        return 0;
    if (x <= p[0].x)
        return p[0].y;
    for (int i = 1; i < n; i++)
        if (x <= p[i].x) {
            double span = p[i].x - p[i - 1].x;
            return span > 0 ? p[i - 1].y + (p[i].y - p[i - 1].y) * (x - p[i - 1].x) / span : p[i].y;
        }
    return p[n - 1].y;
}

//  Refuses a key of `obj` not in the space-separated `known`.
static int
s_keys (const json_t *obj, const char *known, const char *where)
{
    if (!obj)
        return 0;
    if (!json_is_object (obj))
        return s_fail ("%s must be an object", where);
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)obj, key, v) {
        size_t len = strlen (key);
        const char *p = known;
        bool found = false;
        while (p && *p && !found) {
            const char *end = strchr (p, ' ');
            size_t n = end ? (size_t)(end - p) : strlen (p);
            found = n == len && strncmp (p, key, n) == 0;
            p = end ? end + 1 : NULL;
        }
        if (!found)
            return s_fail ("unknown key \"%s\" in %s (known: %s)", key, where, known);
    }
    return 0;
}

//  A number member into *out (kept when absent), within [lo, hi].
static int
s_num (const json_t *obj, const char *key, double lo, double hi, double *out)
{
    json_t *v = json_object_get (obj, key);
    if (!v)
        return 0;
    if (!json_is_number (v) || json_number_value (v) < lo || json_number_value (v) > hi)
        return s_fail ("\"%s\" must be a number from %g to %g", key, lo, hi);
    *out = json_number_value (v);
    return 0;
}

//  A time member "HH:MM" into *out (kept when absent).
static int
s_time (const json_t *obj, const char *key, int *out)
{
    json_t *v = json_object_get (obj, key);
    if (!v)
        return 0;
    int m = sim_hhmm (json_string_value (v));
    if (m < 0)
        return s_fail ("\"%s\" must be a time \"HH:MM\"", key);
    *out = m;
    return 0;
}

//  A period member "HH:MM-HH:MM" into *from, *to (kept when absent).
static int
s_period (const json_t *obj, const char *key, int *from, int *to)
{
    json_t *v = json_object_get (obj, key);
    if (!v)
        return 0;
    const char *text = json_string_value (v);
    const char *dash = text ? strchr (text, '-') : NULL;
    char a[16];
    if (!dash || dash - text >= (long)sizeof a)
        return s_fail ("\"%s\" must be a period \"HH:MM-HH:MM\"", key);
    snprintf (a, sizeof a, "%.*s", (int)(dash - text), text);
    int f = sim_hhmm (a), t = sim_hhmm (dash + 1);
    if (f < 0 || t <= f)
        return s_fail ("\"%s\" must be a period \"HH:MM-HH:MM\"", key);
    *from = f;
    *to = t;
    return 0;
}

//  A spread member: a number (its mean, sd 0) or {"mean", "sd"} (kept when absent).
static int
s_spread (const json_t *obj, const char *key, sim_spread_t *out)
{
    json_t *v = json_object_get (obj, key);
    if (!v)
        return 0;
    if (json_is_number (v)) {
        out->mean = json_number_value (v);
        out->sd = 0;
        return 0;
    }
    if (s_keys (v, "mean sd", key) || s_num (v, "mean", -1e6, 1e6, &out->mean) ||
        s_num (v, "sd", 0, 1e6, &out->sd))
        return -1;
    return 0;
}

//  Points [[x, y], ...] with x rising into p (at most SIM_MAX_POINTS); *n their number.
static int
s_points (const json_t *v, const char *key, sim_point_t *p, int *n)
{
    if (!json_is_array (v) || json_array_size (v) < 1 || json_array_size (v) > SIM_MAX_POINTS)
        return s_fail ("\"%s\" must be 1 to %d pairs [x, y]", key, SIM_MAX_POINTS);
    *n = 0;
    size_t i;
    json_t *pair;
    json_array_foreach (v, i, pair) {
        json_t *x = json_array_get (pair, 0), *y = json_array_get (pair, 1);
        if (json_array_size (pair) != 2 || !json_is_number (x) || !json_is_number (y) ||
            (i > 0 && json_number_value (x) < p[i - 1].x))
            return s_fail ("\"%s\" must be pairs [x, y] with x rising", key);
        p[(*n)++] = (sim_point_t){json_number_value (x), json_number_value (y)};
    }
    return 0;
}

int
sim_scenario_read (sim_scenario_t *sc, const char *path)
{
    memset (sc, 0, sizeof *sc);
    snprintf (sc->name, sizeof sc->name, "default");
    sc->kiosk_from = 8 * 60 + 30;
    sc->kiosk_to = 16 * 60 + 30;
    sc->open = 9 * 60;
    sc->close = 17 * 60;
    if (!path)
        return 0;
    json_error_t jerr;
    sc->spec = json_load_file (path, 0, &jerr);
    if (!sc->spec)
        return s_fail ("%s:%d: %s", path, jerr.line, jerr.text);
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    snprintf (sc->name, sizeof sc->name, "%.*s", (int)strcspn (base, "."), base);
    const json_t *j = sc->spec;
    if (s_keys (j,
                "name description config hours arrivals services mean_spread priority walkup_s "
                "patience appointments clerks",
                path))
        return -1;
    if (json_is_string (json_object_get (j, "name")))
        snprintf (sc->name, sizeof sc->name, "%s", json_string_value (json_object_get (j, "name")));
    const char *config = json_string_value (json_object_get (j, "config"));
    if (config && config[0] != '/' && strrchr (path, '/'))
        snprintf (sc->config, sizeof sc->config, "%.*s/%s", (int)(strrchr (path, '/') - path), path,
                  config);
    else if (config)
        snprintf (sc->config, sizeof sc->config, "%s", config);
    const json_t *hours = json_object_get (j, "hours");
    if (s_keys (hours, "kiosk counters", "hours") ||
        s_period (hours, "kiosk", &sc->kiosk_from, &sc->kiosk_to) ||
        s_period (hours, "counters", &sc->open, &sc->close))
        return -1;
    if (sc->open < sc->kiosk_from || sc->kiosk_to > sc->close)
        return s_fail ("the counters must open after the kiosk and close after it stops");
    return 0;
}

void
sim_scenario_free (sim_scenario_t *sc)
{
    json_decref (sc->spec);
    sc->spec = NULL;
}

//  ---------------------------------------------------------------------------------------
//  Services

//  The member of object `obj` for `prefix`, else its "*" member, else NULL.
static const json_t *
s_for (const json_t *obj, const char *prefix)
{
    const json_t *v = json_object_get (obj, prefix);
    return v ? v : json_object_get (obj, "*");
}

//  Checks that every key of `obj` but "*" is a prefix of the hall.
static int
s_prefixes (const json_t *obj, const sim_hall_t *hall, const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)obj, key, v) {
        bool found = strcmp (key, "*") == 0;
        for (int s = 0; s < hall->nsvc && !found; s++)
            found = strcmp (key, hall->prefix[s]) == 0;
        if (!found)
            return s_fail ("%s: the hall has no service \"%s\"", where, key);
    }
    return 0;
}

//  A number of service object `o`, else of the "*" object `all` (kept when both lack it).
static int
s_svc_num (const json_t *o, const json_t *all, const char *key, double lo, double hi, double *out)
{
    return s_num (json_object_get (o, key) ? o : all, key, lo, hi, out);
}

//  Service `s` in truth: its mean (given, or the configured one times a factor), the
//  distribution, bookings and priority shares. Each key comes from the service's own
//  object, else from "*", else from the defaults.
static int
s_service (sim_scenario_t *sc, const sim_hall_t *hall, int s, sim_rng_t *truth)
{
    const json_t *j = sc->spec;
    const char *prefix = hall->prefix[s];
    sim_svc_t *v = &sc->svc[s];
    size_t row = 0, nmix = sizeof s_mix / sizeof s_mix[0];
    while (row + 1 < nmix && strcmp (s_mix[row].prefix, prefix) != 0)
        row++;
    const json_t *prio = json_object_get (j, "priority");
    const json_t *svcs = json_object_get (j, "services");
    const json_t *o = json_object_get (svcs, prefix), *all = json_object_get (svcs, "*");
    const char *keys = "mean_s mean_factor cv quantiles bookings green elderly";
    double spread = S_MEAN_SPREAD, factor = 0, cv = -1;
    v->booked = s_mix[row].booked;
    v->green = 0.03;
    v->elderly = 0.05;
    v->sigma = S_SIGMA;
    v->mean_s = 0;
    //  The factor is drawn for every service, used or not, so that naming one service's
    //  mean does not change the others'.
    double z = sim_rng_normal (truth);
    if (s_num (j, "mean_spread", 0, 2, &spread) || s_keys (prio, "green elderly", "priority") ||
        s_num (prio, "green", 0, 1, &v->green) || s_num (prio, "elderly", 0, 1, &v->elderly) ||
        s_keys (o, keys, prefix) || s_keys (all, keys, "*") ||
        s_svc_num (o, all, "mean_s", 1, 86400, &v->mean_s) ||
        s_svc_num (o, all, "mean_factor", 0.01, 100, &factor) ||
        s_svc_num (o, all, "cv", 0, 5, &cv) || s_svc_num (o, all, "bookings", 0, 10, &v->booked) ||
        s_svc_num (o, all, "green", 0, 1, &v->green) ||
        s_svc_num (o, all, "elderly", 0, 1, &v->elderly))
        return -1;
    if (v->green + v->elderly > 1)
        return s_fail ("%s: the priority shares add up to more than 1", prefix);
    if (cv >= 0)
        v->sigma = sqrt (log (1 + cv * cv));
    json_t *q = json_object_get (json_object_get (o, "quantiles") ? o : all, "quantiles");
    if (q) {
        if (s_points (q, "quantiles", v->q, &v->nq) || v->nq < 2 || v->q[0].x != 0 ||
            v->q[v->nq - 1].x != 1 || v->q[0].y < 0)
            return s_fail ("%s: quantiles must run from [0, s] to [1, s] with shares rising",
                           prefix);
        for (int i = 1; i < v->nq; i++)
            if (v->q[i].y < v->q[i - 1].y)
                return s_fail ("%s: quantiles must not fall", prefix);
        //  Its mean: the area under the piecewise linear quantile function.
        double m = 0;
        for (int i = 1; i < v->nq; i++)
            m += (v->q[i].x - v->q[i - 1].x) * (v->q[i].y + v->q[i - 1].y) / 2;
        v->mean_s = m;
    }
    if (v->mean_s <= 0)
        v->mean_s = hall->config_s[s] * (factor > 0 ? factor : exp (spread * z));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Arrivals

//  The profile's value at local minute m: pieces from each point's time to the next.
static double
s_step (const sim_point_t *p, int n, int m)
{
    double v = 0;
    for (int i = 0; i < n && p[i].x <= m; i++)
        v = p[i].y;
    return v;
}

//  Reads a profile object {"HH:MM": value, ...} into points sorted by time.
static int
s_profile_read (const json_t *obj, const char *key, sim_point_t *p, int *n)
{
    *n = 0;
    if (!json_is_object (obj) || json_object_size (obj) > SIM_MAX_PIECES)
        return s_fail ("arrivals.%s must be an object {\"HH:MM\": value}", key);
    const char *at;
    json_t *v;
    json_object_foreach ((json_t *)obj, at, v) {
        int m = sim_hhmm (at);
        if (m < 0 || !json_is_number (v) || json_number_value (v) < 0)
            return s_fail ("arrivals.%s: \"%s\" must be a time with a number >= 0", key, at);
        int i = (*n)++;
        while (i > 0 && p[i - 1].x > m) {
            p[i] = p[i - 1];
            i--;
        }
        p[i] = (sim_point_t){m, json_number_value (v)};
    }
    return 0;
}

//  The walk-in pieces: 15-minute slots when some service has "slots", else the
//  profile's pieces; each with the rate of all services and their shares.
static int
s_arrivals (sim_scenario_t *sc, const sim_hall_t *hall)
{
    const json_t *a = json_object_get (sc->spec, "arrivals");
    if (s_keys (a, "capacity per_hour mix slots", "arrivals"))
        return -1;
    sim_point_t prof[SIM_MAX_PIECES];
    int nprof = sizeof s_profile / sizeof s_profile[0];
    memcpy (prof, s_profile, sizeof s_profile);
    bool per_hour = json_object_get (a, "per_hour") != NULL;
    if (per_hour && json_object_get (a, "capacity"))
        return s_fail ("arrivals: give \"capacity\" or \"per_hour\", not both");
    if ((per_hour || json_object_get (a, "capacity")) &&
        s_profile_read (json_object_get (a, per_hour ? "per_hour" : "capacity"),
                        per_hour ? "per_hour" : "capacity", prof, &nprof))
        return -1;
    const json_t *mix = json_object_get (a, "mix"), *slots = json_object_get (a, "slots");
    if ((mix && s_prefixes (mix, hall, "arrivals.mix")) ||
        (slots && s_prefixes (slots, hall, "arrivals.slots")))
        return -1;
    double mixw[SIM_MAX_SERVICES], wsum = 0, mean_mix = 0;
    for (int s = 0; s < hall->nsvc; s++) {
        size_t row = 0, nmix = sizeof s_mix / sizeof s_mix[0];
        while (row + 1 < nmix && strcmp (s_mix[row].prefix, hall->prefix[s]) != 0)
            row++;
        mixw[s] = mix ? 0 : s_mix[row].mix;
        const json_t *m = s_for (mix, hall->prefix[s]);
        if (m && (!json_is_number (m) || json_number_value (m) < 0))
            return s_fail ("arrivals.mix: %s must be a share >= 0", hall->prefix[s]);
        if (m)
            mixw[s] = json_number_value (m);
        const json_t *sl = json_object_get (slots, hall->prefix[s]);
        if (sl && (!json_is_array (sl) || json_array_size (sl) > SIM_MAX_PIECES))
            return s_fail ("arrivals.slots: %s must be a list of walk-ins per 15 minutes",
                           hall->prefix[s]);
        if (sl)
            mixw[s] = 0; //  served by its slots, not by the profile
        wsum += mixw[s];
        mean_mix += mixw[s] * sc->svc[s].mean_s;
    }
    //  Capacity: every counter busy with the mix's mean service time.
    double capacity_h = wsum > 0 ? hall->nctr * 3600.0 / (mean_mix / wsum) : 0;
    double unit = per_hour ? 1 : capacity_h;
    sc->npieces = 0;
    if (slots) {
        for (int m = sc->kiosk_from; m < sc->kiosk_to && sc->npieces < SIM_MAX_PIECES; m += 15) {
            sim_piece_t *p = &sc->piece[sc->npieces++];
            p->from = m;
            p->to = m + 15 < sc->kiosk_to ? m + 15 : sc->kiosk_to;
            double prof_h = wsum > 0 ? s_step (prof, nprof, m) * unit : 0, total = prof_h;
            for (int s = 0; s < hall->nsvc; s++) {
                const json_t *sl = json_object_get (slots, hall->prefix[s]);
                double x =
                    json_number_value (json_array_get (sl, (size_t)(m - sc->kiosk_from) / 15));
                p->w[s] = sl ? 4 * x : wsum > 0 ? prof_h * mixw[s] / wsum : 0;
                total += sl ? 4 * x : 0;
            }
            p->rate_h = total;
        }
        return 0;
    }
    for (int i = 0; i < nprof; i++) {
        int from = (int)prof[i].x, to = i + 1 < nprof ? (int)prof[i + 1].x : sc->kiosk_to;
        if (from < sc->kiosk_from)
            from = sc->kiosk_from;
        if (to > sc->kiosk_to)
            to = sc->kiosk_to;
        if (from >= to)
            continue;
        sim_piece_t *p = &sc->piece[sc->npieces++];
        p->from = from;
        p->to = to;
        p->rate_h = prof[i].y * unit;
        memcpy (p->w, mixw, sizeof mixw);
    }
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Citizens and clerks

static int
s_citizens (sim_scenario_t *sc)
{
    const json_t *j = sc->spec;
    sc->walkup_min_s = 20;
    sc->walkup_exp_s = 25;
    sc->npatience = 2;
    sc->patience[0] = (sim_point_t){0, 0.02};
    sc->patience[1] = (sim_point_t){60, 0.12};
    sc->cancel = 0;
    sc->appt_no_show = 0.10;
    sc->appt_offset_min = (sim_spread_t){-8, 12};
    sc->appt_late_after_min = 15;
    sc->appt_late_mean_min = 10;
    const json_t *wu = json_object_get (j, "walkup_s"), *pat = json_object_get (j, "patience");
    const json_t *ap = json_object_get (j, "appointments");
    const json_t *late = json_object_get (ap, "late");
    if (s_keys (wu, "min exp_mean", "walkup_s") || s_num (wu, "min", 0, 3600, &sc->walkup_min_s) ||
        s_num (wu, "exp_mean", 0, 3600, &sc->walkup_exp_s) ||
        s_keys (pat, "gone_by cancel", "patience") || s_num (pat, "cancel", 0, 1, &sc->cancel) ||
        (json_object_get (pat, "gone_by") &&
         s_points (json_object_get (pat, "gone_by"), "gone_by", sc->patience, &sc->npatience)) ||
        s_keys (ap, "no_show offset_min late", "appointments") ||
        s_num (ap, "no_show", 0, 1, &sc->appt_no_show) ||
        s_spread (ap, "offset_min", &sc->appt_offset_min) ||
        s_keys (late, "share after_min mean_min", "appointments.late") ||
        s_num (late, "share", 0, 1, &sc->appt_late) ||
        s_num (late, "after_min", 0, 600, &sc->appt_late_after_min) ||
        s_num (late, "mean_min", 0, 600, &sc->appt_late_mean_min))
        return -1;
    for (int i = 0; i < sc->npatience; i++)
        if (sc->patience[i].y < 0 || sc->patience[i].y > 1 ||
            (i > 0 && sc->patience[i].y < sc->patience[i - 1].y))
            return s_fail ("patience.gone_by: shares must rise from 0 to at most 1");
    return 0;
}

//  The counters of `list` (ids) as bits of the hall's counters; all when absent.
static int
s_counter_bits (const json_t *list, const sim_hall_t *hall, uint32_t *bits, const char *where)
{
    *bits = 0;
    if (!list) {
        *bits = hall->nctr >= 32 ? 0xffffffffu : (1u << hall->nctr) - 1;
        return 0;
    }
    size_t i;
    json_t *id;
    json_array_foreach (list, i, id) {
        int k = 0;
        while (k < hall->nctr && hall->ctr_id[k] != json_integer_value (id))
            k++;
        if (k == hall->nctr || k >= 32)
            return s_fail ("%s: the hall has no counter %lld (or it is past the 32nd)", where,
                           (long long)json_integer_value (id));
        *bits |= 1u << k;
    }
    return 0;
}

static int
s_extra (sim_scenario_t *sc, const sim_hall_t *hall, const json_t *list)
{
    if (list && (!json_is_array (list) || json_array_size (list) > SIM_MAX_EXTRA))
        return s_fail ("clerks.unannounced must be a list of at most %d breaks", SIM_MAX_EXTRA);
    size_t i;
    json_t *e;
    json_array_foreach (list, i, e) {
        sim_extra_t *x = &sc->extra[sc->nextra++];
        x->at = -1;
        x->minutes = (sim_spread_t){30, 0};
        if (s_keys (e, "counters at at_sd_min minutes", "clerks.unannounced") ||
            s_time (e, "at", &x->at) || s_num (e, "at_sd_min", 0, 240, &x->at_sd_min) ||
            s_spread (e, "minutes", &x->minutes) ||
            s_counter_bits (json_object_get (e, "counters"), hall, &x->counters,
                            "clerks.unannounced"))
            return -1;
        if (x->at < 0)
            return s_fail ("clerks.unannounced: each break needs \"at\"");
    }
    return 0;
}

static int
s_closings (sim_scenario_t *sc, const sim_hall_t *hall, const json_t *v)
{
    sc->closings_auto = !v || (json_is_string (v) && strcmp (json_string_value (v), "auto") == 0);
    if (sc->closings_auto)
        return 0;
    if (!json_is_array (v) || json_array_size (v) > SIM_MAX_CLOSINGS)
        return s_fail ("clerks.closings must be \"auto\" or a list of {counter, at}");
    size_t i;
    json_t *c;
    json_array_foreach (v, i, c) {
        int at = -1;
        json_t *id = json_object_get (c, "counter");
        if (s_keys (c, "counter at", "clerks.closings") || s_time (c, "at", &at) || at < 0 ||
            !json_is_integer (id))
            return s_fail ("clerks.closings: each needs \"counter\" and \"at\"");
        bool known = false;
        for (int k = 0; k < hall->nctr; k++)
            known = known || hall->ctr_id[k] == json_integer_value (id);
        if (!known)
            return s_fail ("clerks.closings: the hall has no counter %lld",
                           (long long)json_integer_value (id));
        sc->closing_id[sc->nclosings] = (int)json_integer_value (id);
        sc->closing_at[sc->nclosings++] = at;
    }
    return 0;
}

static int
s_clerks (sim_scenario_t *sc, const sim_hall_t *hall)
{
    const json_t *c = json_object_get (sc->spec, "clerks");
    sc->react_mean_s = 0;
    sc->react_cv = 1;
    sc->nlunch = 2;
    sc->lunch_at[0] = 11 * 60 + 30;
    sc->lunch_at[1] = 12 * 60 + 30;
    sc->lunch_min = 60;
    sc->pause_mean_min = 10;
    sc->pause_cv = 0.5;
    sc->pause_from = sc->open;
    sc->pause_to = sc->close;
    const json_t *re = json_object_get (c, "reaction_s"), *lunch = json_object_get (c, "lunch");
    const json_t *pz = json_object_get (c, "pauses");
    const json_t *pm = json_object_get (pz, "minutes");
    double lunch_min = sc->lunch_min;
    if (s_keys (c, "reaction_s lunch break_start_min break_extra_min pauses unannounced closings",
                "clerks") ||
        s_keys (re, "mean cv", "clerks.reaction_s") ||
        s_num (re, "mean", 0, 3600, &sc->react_mean_s) || s_num (re, "cv", 0, 5, &sc->react_cv) ||
        s_spread (c, "break_start_min", &sc->break_start_min) ||
        s_spread (c, "break_extra_min", &sc->break_extra_min) ||
        s_keys (pz, "per_hour minutes from to", "clerks.pauses") ||
        s_num (pz, "per_hour", 0, 10, &sc->pause_per_h) || s_time (pz, "from", &sc->pause_from) ||
        s_time (pz, "to", &sc->pause_to) || s_keys (pm, "mean cv", "clerks.pauses.minutes") ||
        s_num (pm, "mean", 0.5, 480, &sc->pause_mean_min) ||
        s_num (pm, "cv", 0, 5, &sc->pause_cv) ||
        s_extra (sc, hall, json_object_get (c, "unannounced")) ||
        s_closings (sc, hall, json_object_get (c, "closings")))
        return -1;
    if (json_is_null (lunch))
        sc->nlunch = 0;
    else if (lunch) {
        json_t *at = json_object_get (lunch, "at");
        if (s_keys (lunch, "at minutes", "clerks.lunch") ||
            s_num (lunch, "minutes", 1, 480, &lunch_min) ||
            (at && (!json_is_array (at) || json_array_size (at) < 1 || json_array_size (at) > 4)))
            return s_fail ("clerks.lunch must be null or {\"at\": [1 to 4 times], \"minutes\"}");
        sc->lunch_min = (int)lunch_min;
        if (at) {
            sc->nlunch = 0;
            for (size_t i = 0; i < json_array_size (at); i++)
                if ((sc->lunch_at[sc->nlunch++] =
                         sim_hhmm (json_string_value (json_array_get (at, i)))) < 0)
                    return s_fail ("clerks.lunch.at: times \"HH:MM\"");
        }
    }
    return 0;
}

int
sim_scenario_apply (sim_scenario_t *sc, const sim_hall_t *hall, uint64_t seed)
{
    if (hall->nsvc > SIM_MAX_SERVICES)
        return s_fail ("the hall has more than %d services", SIM_MAX_SERVICES);
    const json_t *services = json_object_get (sc->spec, "services");
    if (services && (!json_is_object (services) || s_prefixes (services, hall, "services")))
        return -1;
    sim_rng_t truth;
    sim_rng_seed (&truth, seed, 4);
    for (int s = 0; s < hall->nsvc; s++)
        if (s_service (sc, hall, s, &truth) != 0)
            return -1;
    if (s_arrivals (sc, hall) || s_citizens (sc) || s_clerks (sc, hall))
        return -1;
    return 0;
}
