/*  broker_estimate.c — see broker_estimate.h. */
#include "broker_estimate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker_learn.h"
#include "broker_policy.h"

int
broker_estimate_ahead (const broker_hall_t *hall, const broker_ticket_t *t)
{
    broker_class_t cls = broker_priority_class (t->priority);
    int ahead = 0;
    for (int c = 0; c < (int)cls; c++)
        ahead += (int)broker_queue_size (hall->queues[t->service][c]);
    long rank = broker_queue_rank (hall->queues[t->service][cls], t);
    return ahead + (rank > 0 ? (int)rank : 0);
}

int
broker_estimate_ahead_new (const broker_hall_t *hall, int service, broker_priority_t priority)
{
    broker_class_t cls = broker_priority_class (priority);
    int ahead = 0;
    for (int c = 0; c <= (int)cls; c++)
        ahead += (int)broker_queue_size (hall->queues[service][c]);
    return ahead;
}

static int
s_hour (const broker_hall_t *hall, int64_t ms)
{
    int64_t local = ms / 1000 + (int64_t)hall->config->utc_offset_min * 60;
    int64_t h = (local / 3600) % 24;
    return (int)(h < 0 ? h + 24 : h);
}

double
broker_estimate_mean_ms (const broker_hall_t *hall, int service)
{
    const broker_stats_t *st = &hall->stats[service];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return hall->config->services[service].mean_service_s * 1000.0;
}

double
broker_estimate_mean_ms_at (const broker_hall_t *hall, int service, int64_t at)
{
    const broker_stats_t *st = &hall->stats_hour[service][s_hour (hall, at)];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return broker_estimate_mean_ms (hall, service);
}

int64_t
broker_estimate_wait_s (const broker_hall_t *hall, int service, int ahead)
{
    int open = broker_hall_open_counters (hall, service);
    if (open == 0)
        return -1;
    double ms = ahead * broker_estimate_mean_ms (hall, service) / open;
    return (int64_t)llround (ms / 1000.0);
}

void
broker_estimate_learn (broker_stats_t *stats, int64_t service_ms)
{
    if (service_ms < 0)
        return;
    stats->n++;
    int64_t window = stats->n < BROKER_ESTIMATE_WINDOW ? stats->n : BROKER_ESTIMATE_WINDOW;
    double delta = (double)service_ms - stats->mean_ms;
    stats->mean_ms += delta / (double)window;
    stats->var_ms +=
        (delta * ((double)service_ms - stats->mean_ms) - stats->var_ms) / (double)window;
}

void
broker_estimate_learn_at (broker_hall_t *hall, int service, int64_t called_ms, int64_t service_ms)
{
    broker_estimate_learn (&hall->stats[service], service_ms);
    broker_estimate_learn (&hall->stats_hour[service][s_hour (hall, called_ms)], service_ms);
}

int64_t
broker_estimate_arrival_offset_ms (const broker_hall_t *hall)
{
    return hall->arrive_n >= 3 ? hall->arrive_sum_ms / hall->arrive_n : -10 * 60000;
}

//  The squared coefficient of variation of service times before it is learned: CV 0.7,
//  in the middle of what offices see (0.5-1).
#define S_CV2_PRIOR 0.49

//  The squared coefficient of variation of `service`'s times: learned once 5 have
//  finished, else 0 (no spread known: the remaining time of a service under way is then
//  the mean less the time it has run).
static double
s_cv2 (const broker_hall_t *hall, int service)
{
    const broker_stats_t *st = &hall->stats[service];
    if (st->n < BROKER_ESTIMATE_MIN_SAMPLES || st->mean_ms <= 0)
        return 0;
    return st->var_ms / (st->mean_ms * st->mean_ms);
}

//  Standard normal distribution function.
static double
s_phi (double x)
{
    return 0.5 * erfc (-x / M_SQRT2);
}

//  What is left of a service with mean `mean` and squared CV `cv2` that has run for
//  `elapsed` ms: with a known spread, the mean remainder of a lognormal that lasts that
//  long; without, the mean less the elapsed time, at least 30% of a mean. Its variance
//  into *var.
static double
s_left (double mean, double cv2, double elapsed, double *var)
{
    if (cv2 <= 0 || elapsed <= 0) {
        *var = (cv2 > 0 ? cv2 : S_CV2_PRIOR) * mean * mean;
        double left = mean - elapsed;
        return left > 0.3 * mean ? left : 0.3 * mean;
    }
    double sigma2 = log (1 + cv2), sigma = sqrt (sigma2), mu = log (mean) - sigma2 / 2;
    double z = (mu - log (elapsed)) / sigma;
    double survive = s_phi (z);
    double left = survive > 1e-9 ? mean * s_phi (z + sigma) / survive - elapsed : elapsed;
    if (left < 0.1 * mean)
        left = 0.1 * mean;
    *var = cv2 * left * left;
    return left;
}

//  How far off a configured mean service time may be before any is learned (relative).
#define S_PRIOR_SE 0.25

//  The mean service time of `service` the simulation uses at `now`: the learned mean, with
//  the services under way counted as lasting what a service already that long is expected
//  to (the finished ones alone are the short ones, early in a day), drawn towards the
//  configured mean by what each is worth: n tickets of squared CV cv2 against a prior
//  S_PRIOR_SE off, in logs (weight n / (n + cv2 / S_PRIOR_SE²) on the learned one). A
//  mean of five tickets is still ±30% at CV 0.66, worse than most configs.
static double
s_mean_ms (const broker_hall_t *hall, int service, int64_t now)
{
    const broker_stats_t *st = &hall->stats[service];
    double prior = hall->config->services[service].mean_service_s * 1000.0;
    if (st->n < 1 || st->mean_ms <= 0 || prior <= 0)
        return broker_estimate_mean_ms (hall, service);
    double n = (double)(st->n < BROKER_ESTIMATE_WINDOW ? st->n : BROKER_ESTIMATE_WINDOW);
    double cv2 = st->n >= BROKER_ESTIMATE_MIN_SAMPLES ? s_cv2 (hall, service) : S_CV2_PRIOR;
    double sum = n * st->mean_ms, count = n, var;
    for (int i = 0; i < hall->config->ncounters; i++) {
        const broker_ticket_t *t = hall->counters[i].ticket;
        if (hall->counters[i].state == COUNTER_PAUSED || !t || t->service != service ||
            !t->last_called_ms || now <= t->last_called_ms)
            continue;
        double elapsed = (double)(now - t->last_called_ms);
        sum += elapsed + s_left (st->mean_ms, cv2, elapsed, &var);
        count++;
    }
    double w = n / (n + cv2 / (S_PRIOR_SE * S_PRIOR_SE));
    return exp (w * log (sum / count) + (1 - w) * log (prior));
}

//  s_mean_ms at time `at`: the mean of its local hour once 5 have finished in it.
static double
s_mean_ms_at (const broker_hall_t *hall, int service, int64_t at, int64_t now)
{
    const broker_stats_t *st = &hall->stats_hour[service][s_hour (hall, at)];
    if (st->n >= BROKER_ESTIMATE_MIN_SAMPLES && st->mean_ms > 0)
        return st->mean_ms;
    return s_mean_ms (hall, service, now);
}

//  The scheduled break of counter config `cc` that a pause begun at `paused` is: one
//  whose window it began in, or at most 30 minutes before (taken early). -1 if none.
static int
s_break_of (const broker_counter_cfg_t *cc, int64_t midnight, int64_t paused)
{
    for (int b = 0; b < cc->nbreaks; b++) {
        int64_t from = midnight + (int64_t)cc->break_from[b] * 60000;
        int64_t to = midnight + (int64_t)cc->break_to[b] * 60000;
        if (paused >= from - 30 * 60000 && paused < to)
            return b;
    }
    return -1;
}

//  ---------------------------------------------------------------------------------------
//  Learning what the hall does

void
broker_estimate_learn_issue (broker_hall_t *hall, const broker_ticket_t *t,
                             const broker_estimate_t *e)
{
    if (e->wait_s >= 0)
        broker_learn_issued (hall->learn, t->id, e->sim_s * 1000, e->sd_ms, e->lo_s * 1000,
                             e->hi_s * 1000);
    broker_learn_arrival (hall->learn, t->service,
                          t->priority == PRIORITY_GREEN || t->priority == PRIORITY_ELDERLY,
                          t->issued_ms);
}

void
broker_estimate_learn_call (broker_hall_t *hall, const broker_counter_t *c,
                            const broker_ticket_t *t, int64_t now)
{
    if (t->state != TICKET_WAITING)
        return;
    //  The delay: from when the counter could call (free, and this ticket waiting) to now.
    if (c->state == COUNTER_IDLE && c->since_ms) {
        int64_t could = c->since_ms > t->issued_ms ? c->since_ms : t->issued_ms;
        if (now - could <= 30 * 60000)
            broker_learn_delay (hall->learn, c->cfg, now - could);
    }
    if (!t->called_ms) {
        broker_learn_called (hall->learn, t->id, now - t->issued_ms);
        broker_learn_waited (hall->learn, now - t->issued_ms, false);
    }
}

void
broker_estimate_learn_outcome (broker_hall_t *hall, const broker_ticket_t *t, bool came,
                               int64_t now)
{
    //  Only a first call tells how likely a wait this long loses its citizen.
    if (t->misses || t->last_called_ms != t->called_ms || !t->called_ms)
        return;
    broker_learn_outcome (hall->learn, t->called_ms - t->issued_ms, !came, now - t->called_ms);
}

void
broker_estimate_learn_cancel (broker_hall_t *hall, const broker_ticket_t *t, int64_t now)
{
    if (t->state == TICKET_WAITING && !t->called_ms)
        broker_learn_waited (hall->learn, now - t->issued_ms, true);
}

void
broker_estimate_learn_pause (broker_hall_t *hall, const broker_counter_t *c, int64_t now)
{
    if (c->state != COUNTER_PAUSED || !c->paused_ms)
        return;
    const broker_counter_cfg_t *cc = &hall->config->counters[c->cfg];
    int64_t midnight = broker_local_midnight (hall->config, c->paused_ms);
    int b = s_break_of (cc, midnight, c->paused_ms);
    int64_t said = c->back_ms ? c->back_ms - c->paused_ms : 0;
    int64_t shift = 0;
    if (b >= 0) {
        int64_t from = midnight + (int64_t)cc->break_from[b] * 60000;
        shift = c->paused_ms - from;
        if (!said)
            said = (int64_t)(cc->break_to[b] - cc->break_from[b]) * 60000;
    }
    broker_learn_pause (hall->learn, c->cfg, (int)(midnight / 86400000),
                        s_hour (hall, c->paused_ms), now - c->paused_ms, said, b >= 0, shift);
}

void
broker_estimate_learn_login (broker_hall_t *hall, const broker_counter_t *c, int64_t now)
{
    if (c->state != COUNTER_LOGGED_OUT)
        return;
    int64_t midnight = broker_local_midnight (hall->config, now);
    broker_learn_login (hall->learn, c->cfg, (int)(midnight / 86400000),
                        (int)((now - midnight) / 60000));
}

//  ---------------------------------------------------------------------------------------
//  Forward simulation
//
//  The simulation runs once per estimate, over the tickets ahead of the target: up to
//  BROKER_ESTIMATE_EXACT picks, each choosing the counter that frees first and asking
//  the policy among the heads of its lines. A pick is kept cheap: the counters are a heap
//  by the time they free, each line's next ticket is held (no queue lookups), the lines
//  that still have one are bit sets per class, so a counter's candidates are read off
//  `left[cls] & services` directly, and what a pick costs is read from tables made once
//  per simulated hour. The policy sees the same candidates as it would in the live hall
//  (their order does not matter to it: every tie is broken by place in line, then id).

typedef struct {
    const broker_counter_t *counter;
    const broker_profile_cfg_t *profile;
    uint32_t services;       //  services it serves now
    int64_t free_at;         //  when it calls next (its call delay included)
    double var;              //  the variance of free_at, ms squared
    double delay, delay_var; //  its call delay, ms
    int cycle;               //  its priority cycle, advanced as in the live hall
    int nbreaks, next_break; //  scheduled breaks still to take today, in order
    int64_t break_from[BROKER_MAX_BREAKS], break_len[BROKER_MAX_BREAKS];
} s_server_t;

//  What a pick costs a counter, by service (the means of the current simulated hour) and
//  by how long the ticket has waited (the share gone when called).
typedef struct {
    int64_t until;                       //  the end of the local hour the means are for
    double mean[BROKER_MAX_SERVICES];    //  service time, ms
    double var[BROKER_MAX_SERVICES];     //  ... its variance
    double gone[BROKER_LEARN_BUCKETS];   //  share gone when called, by wait bucket
    double miss_ms;                      //  what a missed call costs
    double cancel_rate;                  //  cancellations per ms of waiting
    double stretch;                      //  1 / the share of working time not lost to
                                         //  short unannounced pauses
    double mean_se[BROKER_MAX_SERVICES]; //  relative standard error of each mean
    int64_t now;                         //  when the estimate is made
} s_costs_t;

//  The costs of the local hour of `at`.
static void
s_costs_hour (const broker_hall_t *hall, s_costs_t *k, int64_t at)
{
    int64_t off = (int64_t)hall->config->utc_offset_min * 60000;
    k->until = ((at + off) / 3600000 + 1) * 3600000 - off;
    for (int s = 0; s < hall->config->nservices; s++) {
        double cv2 = s_cv2 (hall, s);
        k->mean[s] = s_mean_ms_at (hall, s, at, k->now) * k->stretch;
        k->var[s] = (cv2 > 0 ? cv2 : S_CV2_PRIOR) * k->mean[s] * k->mean[s];
    }
}

static void
s_costs_init (const broker_hall_t *hall, s_costs_t *k, int64_t now)
{
    //  Short pauses without a return time recur all day: the share of today's working time
    //  they took is lost to every service to come.
    const broker_learn_t *learn = hall->learn;
    k->stretch = 1;
    k->now = now;
    if (learn->short_day == (int)(broker_local_midnight (hall->config, now) / 86400000) &&
        learn->short_ms > 0) {
        double open = learn->short_ms;
        for (int i = 0; i < hall->config->ncounters; i++)
            open += (double)hall->day_ctr[i].open_ms;
        if (open > 0 && learn->short_ms < 0.5 * open)
            k->stretch = open / (open - learn->short_ms);
    }
    s_costs_hour (hall, k, now);
    for (int s = 0; s < hall->config->nservices; s++) {
        const broker_stats_t *st = &hall->stats[s];
        int64_t n = st->n < BROKER_ESTIMATE_WINDOW ? st->n : BROKER_ESTIMATE_WINDOW;
        k->mean_se[s] =
            n >= BROKER_ESTIMATE_MIN_SAMPLES ? sqrt (s_cv2 (hall, s) / (double)n) : S_PRIOR_SE;
    }
    for (int b = 0; b < BROKER_LEARN_BUCKETS; b++) {
        //  The middle of each bucket of waits (0-5, 5-15, 15-30, 30-60, 60-120, 120+ min).
        static const double mid_min[BROKER_LEARN_BUCKETS] = {2.5, 10, 22.5, 45, 90, 150};
        k->gone[b] = broker_learn_gone (hall->learn, (int64_t)(mid_min[b] * 60000));
    }
    k->miss_ms = broker_learn_miss_ms (hall->learn);
    k->cancel_rate = broker_learn_cancel_rate (hall->learn);
}

//  What picking `t` at `at` costs a counter (its mean into *cost, variance into *var):
//  a service, or a missed call if its citizen has gone, unless they cancelled first.
static void
s_cost (const broker_hall_t *hall, s_costs_t *k, const broker_ticket_t *t, int64_t at, int64_t now,
        double *cost, double *var)
{
    if (at >= k->until)
        s_costs_hour (hall, k, at);
    double m = k->mean[t->service];
    double p = k->gone[broker_learn_bucket (at - t->issued_ms)];
    double d = m - k->miss_ms;
    *cost = (1 - p) * m + p * k->miss_ms;
    *var = (1 - p) * k->var[t->service] + p * (1 - p) * d * d;
    if (k->cancel_rate > 0 && at > now) {
        double here =
            exp (-k->cancel_rate * (double)(at - (t->issued_ms > now ? t->issued_ms : now)));
        *var = here * *var + here * (1 - here) * *cost * *cost;
        *cost *= here;
    }
}

//  A citizen still to come who will go before a normal ticket: a booked citizen still to
//  check in, or a green-channel or elderly walk-in at the rate they have been coming.
typedef struct {
    broker_ticket_t ticket; //  the ticket they will get (issued = arrival)
} s_future_t;

//  Green-channel and elderly walk-ins are expected for this long (at most this many).
#define S_GREEN_HORIZON_MS (4 * 3600000LL)
#define S_GREEN_MAX        256

static int
s_cmp_future (const void *a, const void *b)
{
    const s_future_t *x = a, *y = b;
    if (x->ticket.service != y->ticket.service)
        return x->ticket.service - y->ticket.service;
    if (x->ticket.priority != y->ticket.priority)
        return (int)x->ticket.priority - (int)y->ticket.priority;
    return x->ticket.issued_ms < y->ticket.issued_ms ? -1
                                                     : x->ticket.issued_ms > y->ticket.issued_ms;
}

//  Adds the green-channel walk-ins expected over the next hours, at each service's
//  learned rate, evenly spaced, to f[*n..cap).
static void
s_green_futures (const broker_hall_t *hall, int64_t now, s_future_t *f, size_t *n, size_t cap)
{
    for (int s = 0; s < hall->config->nservices; s++) {
        double rate = broker_learn_green_rate (hall->learn, s);
        if (rate <= 0)
            continue;
        for (double at = now + 0.5 / rate; at < now + S_GREEN_HORIZON_MS && *n < cap;
             at += 1 / rate) {
            broker_ticket_t *t = &f[*n].ticket;
            t->id = hall->next_id + 1 + hall->nbookings + *n; //  after everyone there is
            t->service = s;
            t->priority = PRIORITY_GREEN;
            t->issued_ms = (int64_t)at;
            (*n)++;
        }
    }
}

//  The citizens still to come who will go before a normal ticket: today's bookings whose
//  citizens have not checked in yet, as appointment tickets issued when they are expected
//  (slot start + the hall's learned arrival offset, not before now), and the green-channel
//  walk-ins expected; sorted by service, class, arrival. *n gets their number; caller
//  frees.
static s_future_t *
s_futures (const broker_hall_t *hall, int64_t now, size_t *n)
{
    *n = 0;
    const broker_config_t *cfg = hall->config;
    int64_t offset = broker_estimate_arrival_offset_ms (hall);
    int64_t late = (int64_t)cfg->appt_late_min * 60000;
    int64_t horizon = now + 24 * 3600000LL;
    //  Room for the bookings and the green-channel walk-ins expected (none, mostly).
    double greens = 0;
    for (int s = 0; s < cfg->nservices; s++)
        greens += ceil (broker_learn_green_rate (hall->learn, s) * S_GREEN_HORIZON_MS);
    size_t cap = hall->nbookings + (size_t)(greens < S_GREEN_MAX ? greens : S_GREEN_MAX);
    if (!cap)
        return NULL;
    s_future_t *f = calloc (cap, sizeof *f);
    if (!f)
        return NULL;
    for (size_t i = 0; i < hall->nbookings; i++) {
        const broker_booking_t *b = &hall->bookings[i];
        int64_t arrive = b->start_ms + offset;
        //  Not today (or its window closed: the no-show timer will say so).
        if (b->start_ms > horizon || b->start_ms + late < now)
            continue;
        broker_ticket_t *t = &f[*n].ticket;
        t->id = hall->next_id + 1 + i; //  issued after every ticket there is now
        t->service = b->service;
        t->priority = PRIORITY_APPOINTMENT;
        t->issued_ms = arrive > now ? arrive : now;
        (*n)++;
    }
    s_green_futures (hall, now, f, n, cap);
    qsort (f, *n, sizeof *f, s_cmp_future);
    //  Their places in line follow their arrival order.
    int64_t base = (int64_t)(hall->next_id + 1) * BROKER_ORDER_GAP;
    for (size_t i = 0; i < *n; i++)
        f[i].ticket.order_key = base + f[i].ticket.issued_ms;
    return f;
}

//  Moves heap[i] down to its place: by free_at, then by config order.
static void
s_sift (const s_server_t *servers, int *heap, int n, int i)
{
    for (;;) {
        int least = i, l = 2 * i + 1, r = l + 1;
        if (l < n &&
            (servers[heap[l]].free_at < servers[heap[least]].free_at ||
             (servers[heap[l]].free_at == servers[heap[least]].free_at && heap[l] < heap[least])))
            least = l;
        if (r < n &&
            (servers[heap[r]].free_at < servers[heap[least]].free_at ||
             (servers[heap[r]].free_at == servers[heap[least]].free_at && heap[r] < heap[least])))
            least = r;
        if (least == i)
            return;
        int tmp = heap[i];
        heap[i] = heap[least];
        heap[least] = tmp;
        i = least;
    }
}

//  When logged-out counter `c` is expected to log in today (midnight: today's), or -1:
//  before its first login of the day, at its usual time, else when the hall's service
//  hours begin (the first appointment period).
static int64_t
s_login_at (const broker_hall_t *hall, const broker_counter_t *c, int64_t midnight)
{
    const broker_learn_t *learn = hall->learn;
    if (learn->login_day[c->cfg] == (int)(midnight / 86400000))
        return -1; //  it was open today and closed
    int min = broker_learn_login_min (learn, c->cfg);
    if (min < 0 && hall->config->appt_nperiods > 0)
        min = hall->config->appt_open_min[0];
    return min < 0 ? -1 : midnight + (int64_t)min * 60000;
}

//  When counter `c`, busy or paused, is next free from `now`, and the variance of it.
static int64_t
s_free_at (const broker_hall_t *hall, const broker_counter_t *c, int64_t now, int64_t midnight,
           double *var)
{
    const broker_learn_t *learn = hall->learn;
    double over = learn->overrun.n >= 3 ? learn->overrun.mean : 0;
    double over_var = learn->overrun.n >= 3 ? learn->overrun.var : 0;
    int64_t free_at = now;
    *var = 0;
    if (c->state == COUNTER_PAUSED) {
        //  Back when it said, or at the end of the scheduled break it is on (as long as
        //  such returns are late), or after the learned length of pauses like it.
        const broker_counter_cfg_t *cc = &hall->config->counters[c->cfg];
        int b = s_break_of (cc, midnight, c->paused_ms);
        *var = over_var;
        if (c->back_ms)
            free_at = c->back_ms + (int64_t)over;
        else if (b >= 0)
            free_at = c->paused_ms + (int64_t)(cc->break_to[b] - cc->break_from[b]) * 60000 +
                      (int64_t)over;
        else {
            double left;
            broker_learn_pause_left (learn, c->cfg, s_hour (hall, c->paused_ms), now - c->paused_ms,
                                     &left, var);
            free_at = now + (int64_t)left;
        }
    } else if (c->ticket) {
        int64_t since = c->ticket->last_called_ms;
        int s = c->ticket->service;
        double mean = s_mean_ms_at (hall, s, since, now);
        free_at = now + (int64_t)s_left (mean, s_cv2 (hall, s), (double)(now - since), var);
    }
    return free_at > now ? free_at : now;
}

//  The counters that will call, as the simulation starts them (into `servers`): open,
//  paused, or not yet logged in today; when each is next free, with its variance, its
//  call delay, and its breaks today not yet taken. Returns how many.
static int
s_servers (const broker_hall_t *hall, int64_t now, s_server_t *servers)
{
    const broker_config_t *cfg = hall->config;
    const broker_learn_t *learn = hall->learn;
    int64_t midnight = broker_local_midnight (cfg, now);
    double shift = learn->break_shift.n >= 3 ? learn->break_shift.mean : 0;
    double over = learn->overrun.n >= 3 ? learn->overrun.mean : 0;
    int nservers = 0;
    for (int i = 0; i < cfg->ncounters; i++) {
        const broker_counter_t *c = &hall->counters[i];
        const broker_counter_cfg_t *cc = &cfg->counters[c->cfg];
        int64_t free_at;
        double var = 0;
        uint32_t services = c->services;
        if (c->state == COUNTER_LOGGED_OUT) {
            free_at = s_login_at (hall, c, midnight);
            if (free_at <= now)
                continue;
            services = cc->services;
        } else
            free_at = s_free_at (hall, c, now, midnight, &var);
        s_server_t *sv = &servers[nservers++];
        memset (sv, 0, sizeof *sv);
        sv->counter = c;
        sv->profile = &cfg->profiles[cc->profile];
        sv->services = services;
        sv->cycle = c->cycle;
        broker_learn_delay_of (learn, c->cfg, &sv->delay, &sv->delay_var);
        sv->free_at = free_at + (int64_t)sv->delay;
        sv->var = var + sv->delay_var;
        //  Its breaks today not yet taken nor over: it pauses when next free after each
        //  (as early or late as breaks are taken here), for as long as they last here.
        for (int b = 0; b < cc->nbreaks; b++) {
            int64_t from = midnight + (int64_t)cc->break_from[b] * 60000;
            int64_t to = midnight + (int64_t)cc->break_to[b] * 60000;
            if (c->paused_ms < from - 30 * 60000 && now < to) {
                sv->break_from[sv->nbreaks] = from + (int64_t)shift;
                sv->break_len[sv->nbreaks++] = to - from + (int64_t)over;
            }
        }
    }
    return nservers;
}

//  The lines as the simulation moves through them: each line's next ticket (the virtual
//  one after the end of its line), per class the lines that still have one, and the
//  booked citizens still to come, per service in order of arrival.
typedef struct {
    const broker_hall_t *hall;
    const broker_ticket_t *virt; //  the virtual new ticket, or NULL
    int vservice;                //  ... which stands last in this service's normal line
    size_t cursor[BROKER_MAX_SERVICES][CLASS_COUNT];
    size_t size[BROKER_MAX_SERVICES][CLASS_COUNT];
    const broker_ticket_t *head[BROKER_MAX_SERVICES][CLASS_COUNT];
    uint32_t left[CLASS_COUNT];
    s_future_t *fut; //  citizens to come (caller frees)
    size_t fut_next[BROKER_MAX_SERVICES][CLASS_COUNT], fut_end[BROKER_MAX_SERVICES][CLASS_COUNT];
    uint32_t fut_left[CLASS_COUNT]; //  per class, services with a citizen still to come
} s_lines_t;

static void
s_lines_init (s_lines_t *l, const broker_hall_t *hall, int64_t now, const broker_ticket_t *virt,
              int vservice)
{
    const broker_config_t *cfg = hall->config;
    l->hall = hall;
    l->virt = virt;
    l->vservice = vservice;
    for (int cls = 0; cls < CLASS_COUNT; cls++)
        l->left[cls] = 0;
    for (int s = 0; s < cfg->nservices; s++)
        for (int cls = 0; cls < CLASS_COUNT; cls++) {
            l->cursor[s][cls] = 0;
            l->size[s][cls] = broker_queue_size (hall->queues[s][cls]);
            l->head[s][cls] = broker_queue_at (hall->queues[s][cls], 0);
            if (!l->head[s][cls] && virt && s == vservice && cls == CLASS_NORMAL)
                l->head[s][cls] = virt;
            if (l->head[s][cls])
                l->left[cls] |= 1u << s;
        }
    //  Citizens still to come join their lines as they arrive.
    size_t nfut = 0;
    l->fut = s_futures (hall, now, &nfut);
    for (int cls = 0; cls < CLASS_COUNT; cls++)
        l->fut_left[cls] = 0;
    for (size_t i = 0; i < nfut; i++) {
        int s = l->fut[i].ticket.service,
            cls = (int)broker_priority_class (l->fut[i].ticket.priority);
        if (!(l->fut_left[cls] & (1u << s)))
            l->fut_next[s][cls] = i;
        l->fut_end[s][cls] = i + 1;
        l->fut_left[cls] |= 1u << s;
    }
}

//  What counter `sv` may call at `at`: the heads of its lines, and the citizens to come
//  who have arrived by then for a line that is otherwise empty. Returns how many.
static int
s_candidates (const s_lines_t *l, const s_server_t *sv, int64_t at, broker_candidate_t *cands)
{
    int n = 0;
    for (int cls = 0; cls < CLASS_COUNT; cls++) {
        uint32_t ready = 0;
        for (uint32_t bits = l->fut_left[cls] & sv->services & ~l->left[cls]; bits;
             bits &= bits - 1) {
            int s = __builtin_ctz (bits);
            if (l->fut[l->fut_next[s][cls]].ticket.issued_ms <= at)
                ready |= 1u << s;
        }
        for (uint32_t bits = (l->left[cls] & sv->services) | ready; bits; bits &= bits - 1) {
            int s = __builtin_ctz (bits);
            const broker_ticket_t *t =
                l->head[s][cls] ? l->head[s][cls] : &l->fut[l->fut_next[s][cls]].ticket;
            cands[n++] =
                (broker_candidate_t){s, (broker_class_t)cls, t->order_key, t->id, t->issued_ms};
        }
    }
    return n;
}

//  When the next citizen to come for `services` arrives after `at`, or -1 if none will.
static int64_t
s_next_arrival (const s_lines_t *l, uint32_t services, int64_t at)
{
    int64_t next = -1;
    for (int cls = 0; cls < CLASS_COUNT; cls++)
        for (uint32_t bits = l->fut_left[cls] & services; bits; bits &= bits - 1) {
            int64_t a = l->fut[l->fut_next[__builtin_ctz (bits)][cls]].ticket.issued_ms;
            if (a > at && (next < 0 || a < next))
                next = a;
        }
    return next;
}

//  Takes the ticket at the head of line (s, cls), or the next citizen to come of that line
//  when it is empty, and moves the line on.
static const broker_ticket_t *
s_take (s_lines_t *l, int s, int cls)
{
    const broker_ticket_t *t = l->head[s][cls];
    if (!t) {
        t = &l->fut[l->fut_next[s][cls]].ticket;
        if (++l->fut_next[s][cls] == l->fut_end[s][cls])
            l->fut_left[cls] &= ~(1u << s);
        return t;
    }
    size_t next = ++l->cursor[s][cls];
    l->head[s][cls] =
        next < l->size[s][cls] ? broker_queue_at (l->hall->queues[s][cls], next)
        : l->virt && s == l->vservice && cls == CLASS_NORMAL && next == l->size[s][cls] ? l->virt
                                                                                        : NULL;
    if (!l->head[s][cls])
        l->left[cls] &= ~(1u << s);
    return t;
}

//  The spread of a wait of `wait_ms` predicted on a counter whose variance came to `var`,
//  with `work` ms of each service done before it by the `sharing` counters of its line:
//  the k-th call of c counters that each made about k / c (the variance of one counter's
//  time over c); the error of the means, shared by every service of one kind (the work
//  over c times the mean's relative error); a quarter of the wait itself for what the
//  simulation does not see; and a minute however sure it is.
static double
s_spread (const broker_hall_t *hall, const s_costs_t *costs, double var, const double *work,
          int sharing, int64_t wait_ms)
{
    double c = sharing > 0 ? sharing : 1, means = 0;
    for (int s = 0; s < hall->config->nservices; s++) {
        double e = work[s] * costs->mean_se[s] / c;
        means += e * e;
    }
    double rel = 0.25 * (double)wait_ms;
    return sqrt (var / c + means + rel * rel + 60000.0 * 60000.0);
}

//  The heap of the counters that can still call, by (free_at, config order): the top is
//  the one that frees first, the earliest in the config on a tie.
static void
s_heapify (const s_server_t *servers, int *heap, int n)
{
    for (int i = 0; i < n; i++)
        heap[i] = i;
    for (int i = n / 2 - 1; i >= 0; i--)
        s_sift (servers, heap, n, i);
}

//  Whether `t` is a citizen still to come, not a ticket of the hall (their ids follow
//  every ticket's and the virtual new one's, next_id).
static bool
s_is_future (const s_lines_t *l, const broker_ticket_t *t)
{
    return t->id > l->hall->next_id;
}

//  The target is further back than the exact picks reach: `taken` of the tickets ahead of
//  it were picked in `elapsed` ms, the rest come at that rate (at the naive rate, its
//  line's mean over the counters that serve it, if none was picked). The spread grows
//  with the wait as the simulation's did.
static void
s_extrapolate (const broker_hall_t *hall, const s_costs_t *costs, const broker_ticket_t *target,
               int service, int taken, int64_t elapsed, const s_server_t *sv, const double *work,
               int sharing, broker_estimate_t *out)
{
    int ahead = target ? broker_estimate_ahead (hall, target)
                       : broker_estimate_ahead_new (hall, service, PRIORITY_NORMAL);
    int left = ahead > taken ? ahead - taken : 0;
    double per;
    if (taken > 0)
        per = (double)elapsed / taken;
    else if (sharing > 0)
        per = costs->mean[service] / sharing;
    else
        return;
    double wait = (double)elapsed + left * per;
    double grow = elapsed > 0 ? wait / (double)elapsed : 1;
    double scaled[BROKER_MAX_SERVICES];
    for (int s = 0; s < hall->config->nservices; s++)
        scaled[s] = work[s] * grow;
    out->wait_s = (int64_t)llround (wait / 1000);
    out->sd_ms = s_spread (hall, costs, sv->var * grow, scaled, sharing, (int64_t)wait);
}

//  Predicts when `target` (a waiting ticket, or the virtual new ticket of `vservice`
//  when target is NULL) is called, into `out` (seconds from now, spread; no interval).
static void
s_simulate (const broker_hall_t *hall, int64_t now, const broker_ticket_t *target, int vservice,
            broker_estimate_t *out)
{
    *out = (broker_estimate_t){-1, -1, -1, 0, -1};
    s_server_t servers[BROKER_MAX_COUNTERS];
    int nservers = s_servers (hall, now, servers);
    if (!nservers)
        return;
    //  The virtual new ticket stands behind everyone in its service's normal line.
    broker_ticket_t virt;
    if (!target) {
        memset (&virt, 0, sizeof virt);
        virt.id = hall->next_id;
        virt.service = vservice;
        virt.priority = PRIORITY_NORMAL;
        virt.issued_ms = now;
        virt.order_key = (int64_t)virt.id * BROKER_ORDER_GAP;
        target = &virt;
    }
    //  The counters that serve the target's line share its uncertainty.
    int sharing = 0;
    for (int i = 0; i < nservers; i++)
        sharing += (servers[i].services >> target->service) & 1;
    s_lines_t lines;
    s_lines_init (&lines, hall, now, target == &virt ? &virt : NULL, vservice);
    s_costs_t costs;
    s_costs_init (hall, &costs, now);
    double work[BROKER_MAX_SERVICES] = {0}; //  per service, before the target by its counters
    int heap[BROKER_MAX_COUNTERS];
    int nheap = nservers;
    s_heapify (servers, heap, nheap);
    int picks = 0, taken = 0; //  picks made, and of them tickets ahead of the target
    broker_class_t tcls = broker_priority_class (target->priority);
    for (; picks < BROKER_ESTIMATE_EXACT && nheap; picks++) {
        s_server_t *sv = &servers[heap[0]];
        int64_t at = sv->free_at;
        if (sv->next_break < sv->nbreaks && sv->break_from[sv->next_break] <= at) {
            //  Its break is due: it pauses now, for the break's length.
            sv->free_at = at + sv->break_len[sv->next_break++] + (int64_t)sv->delay;
            s_sift (servers, heap, nheap, 0);
            continue;
        }
        broker_candidate_t cands[BROKER_MAX_SERVICES * CLASS_COUNT];
        int n = s_candidates (&lines, sv, at, cands);
        const char *reason;
        int pick = broker_policy_pick (sv->profile, at, cands, n, &sv->cycle, &reason);
        if (pick < 0) {
            //  Nothing it can serve now: wait for the next booked citizen of its services,
            //  or leave the heap.
            int64_t next_arrival = s_next_arrival (&lines, sv->services, at);
            if (next_arrival > 0)
                sv->free_at = next_arrival + (int64_t)sv->delay;
            else
                heap[0] = heap[--nheap];
            s_sift (servers, heap, nheap, 0);
            continue;
        }
        const broker_ticket_t *t = s_take (&lines, cands[pick].service, (int)cands[pick].cls);
        if (t == target) {
            out->wait_s = (at - now + 500) / 1000;
            out->sd_ms = s_spread (hall, &costs, sv->var, work, sharing, at - now);
            break;
        }
        if (t->service == target->service && !s_is_future (&lines, t) &&
            broker_priority_class (t->priority) <= tcls)
            taken++;
        double cost, var;
        s_cost (hall, &costs, t, at, now, &cost, &var);
        sv->free_at = at + (int64_t)cost + (int64_t)sv->delay;
        sv->var += var + sv->delay_var;
        if ((sv->services >> target->service) & 1)
            work[t->service] += cost;
        s_sift (servers, heap, nheap, 0);
    }
    if (picks == BROKER_ESTIMATE_EXACT && nheap && out->wait_s < 0)
        s_extrapolate (hall, &costs, target == &virt ? NULL : target, vservice, taken,
                       servers[heap[0]].free_at - now, &servers[heap[0]], work, sharing, out);
    free (lines.fut);
}

//  The grid a printed interval's end is rounded to: a minute, 5 minutes, 10 minutes.
static int64_t
s_grid (double s)
{
    return s < 600 ? 60 : s < 3600 ? 300 : 600;
}

void
broker_estimate_interval (int64_t wait_s, double sd_ms, double zlo, double zhi, int64_t *lo_s,
                          int64_t *hi_s)
{
    double lo = wait_s + zlo * sd_ms / 1000, hi = wait_s + zhi * sd_ms / 1000;
    if (lo < 0)
        lo = 0;
    int64_t glo = s_grid (lo), ghi = s_grid (hi);
    *lo_s = (int64_t)llround (lo / (double)glo) * glo;
    *hi_s = (int64_t)llround (hi / (double)ghi) * ghi;
    if (*hi_s <= *lo_s)
        *hi_s = *lo_s + s_grid ((double)*lo_s);
}

//  The estimate with its printed interval.
static void
s_estimate (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t, int service,
            broker_estimate_t *out)
{
    s_simulate (hall, now, t, service, out);
    if (out->wait_s < 0)
        return;
    out->sim_s = out->wait_s;
    double f = broker_learn_factor (hall->learn);
    out->wait_s = (int64_t)llround ((double)out->wait_s * f);
    out->sd_ms *= f;
    broker_estimate_interval (out->wait_s, out->sd_ms, -hall->learn->k_lo, hall->learn->k_hi,
                              &out->lo_s, &out->hi_s);
}

void
broker_estimate_ticket (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t,
                        broker_estimate_t *out)
{
    s_estimate (hall, now, t, t->service, out);
}

void
broker_estimate_new (const broker_hall_t *hall, int64_t now, int service, broker_estimate_t *out)
{
    s_estimate (hall, now, NULL, service, out);
}

int64_t
broker_estimate_sim_s (const broker_hall_t *hall, int64_t now, const broker_ticket_t *t)
{
    broker_estimate_t e;
    s_simulate (hall, now, t, t->service, &e);
    return e.wait_s;
}

int64_t
broker_estimate_sim_new_s (const broker_hall_t *hall, int64_t now, int service)
{
    broker_estimate_t e;
    s_simulate (hall, now, NULL, service, &e);
    return e.wait_s;
}
