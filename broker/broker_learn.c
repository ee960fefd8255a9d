/*  broker_learn.c — see broker_learn.h. */
#include "broker_learn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

//  A pause without a return time, before any was seen: 15 minutes, as one more sample.
#define S_PAUSE_PRIOR_MS (15 * 60000.0)
//  Cancellations and waits weigh less by this much with each new one (~200 remembered).
#define S_DECAY 0.995
//  The share gone when called at once counts this many calls of nobody gone as a prior.
#define S_GONE_WEIGHT 10.0
//  The interval's ends before any wait was seen: a normal's 10th and 90th percentiles, in
//  spreads; and how fast they move after each wait (a step of 15% up on a miss).
#define S_Z80       1.2816
#define S_ACI_GAMMA 0.15
//  The window of the wait / estimate ratio, and how much of its distance from 1 (less one
//  standard error, so that a hall the simulation already fits is left alone) is used.
#define S_RATIO_WINDOW 100
#define S_RATIO_BETA   0.5
//  Ratios seen before any is used: the waits of tickets issued together err together, so
//  a few dozen are worth a handful (in a hall of 60 tickets a day, 10 ratios are one busy
//  hour's luck, followed for the next one).
#define S_RATIO_MIN 30

broker_learn_t *
broker_learn_new (int ncounters)
{
    broker_learn_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ncounters = ncounters;
    size_t n = ncounters > 0 ? (size_t)ncounters : 1;
    self->delay_ctr = calloc (n, sizeof *self->delay_ctr);
    self->login_min = calloc (n, sizeof *self->login_min);
    self->login_day = calloc (n, sizeof *self->login_day);
    self->k_lo = self->k_hi = S_Z80;
    if (!self->delay_ctr || !self->login_min || !self->login_day) {
        broker_learn_destroy (&self);
        return NULL;
    }
    return self;
}

void
broker_learn_destroy (broker_learn_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_learn_t *self = *self_p;
    free (self->delay_ctr);
    free (self->login_min);
    free (self->login_day);
    free (self);
    *self_p = NULL;
}

void
broker_learn_moments (broker_moments_t *m, double x, int window)
{
    m->n++;
    double w = (double)(m->n < window ? m->n : window);
    double delta = x - m->mean;
    m->mean += delta / w;
    m->var += (delta * (x - m->mean) - m->var) / w;
}

int
broker_learn_bucket (int64_t wait_ms)
{
    static const int64_t edge_min[BROKER_LEARN_BUCKETS - 1] = {5, 15, 30, 60, 120};
    int b = 0;
    while (b < BROKER_LEARN_BUCKETS - 1 && wait_ms >= edge_min[b] * 60000)
        b++;
    return b;
}

//  ---------------------------------------------------------------------------------------
//  Pauses

void
broker_learn_pause (broker_learn_t *self, int counter, int day, int hour, int64_t len_ms,
                    int64_t said_ms, bool is_break, int64_t shift_ms)
{
    if (len_ms <= 0)
        return;
    if (!said_ms && !is_break && len_ms <= BROKER_LEARN_SHORT_MS) {
        if (self->short_day != day)
            self->short_ms = 0;
        self->short_day = day;
        self->short_ms += (double)len_ms;
    }
    if (is_break)
        broker_learn_moments (&self->break_shift, (double)shift_ms, BROKER_LEARN_WINDOW);
    if (said_ms > 0) {
        broker_learn_moments (&self->overrun, (double)(len_ms - said_ms), BROKER_LEARN_WINDOW);
        return;
    }
    self->pauses[self->pause_next] = (broker_pause_t){counter, hour, len_ms};
    self->pause_next = (self->pause_next + 1) % BROKER_LEARN_PAUSES;
    if (self->npauses < BROKER_LEARN_PAUSES)
        self->npauses++;
}

void
broker_learn_pause_left (const broker_learn_t *self, int counter, int hour, int64_t elapsed_ms,
                         double *mean_ms, double *var_ms)
{
    //  The pauses that lasted longer than this one so far, weighted by likeness: the same
    //  counter twice, the same hour four times, the next hour twice; the prior once.
    double sw = 0, s1 = 0, s2 = 0;
    if (S_PAUSE_PRIOR_MS > elapsed_ms) {
        double left = S_PAUSE_PRIOR_MS - (double)elapsed_ms;
        sw = 1;
        s1 = left;
        s2 = left * left;
    }
    for (int i = 0; i < self->npauses; i++) {
        const broker_pause_t *p = &self->pauses[i];
        if (p->len_ms <= elapsed_ms)
            continue;
        int dh = abs (p->hour - hour);
        double w = (p->counter == counter ? 2 : 1) * (dh == 0 ? 4 : dh == 1 ? 2 : 1);
        double left = (double)(p->len_ms - elapsed_ms);
        sw += w;
        s1 += w * left;
        s2 += w * left * left;
    }
    if (sw <= 0) {
        //  Longer than any pause seen: back in a third of what it has lasted, 5 min at least.
        *mean_ms = fmax (5 * 60000.0, elapsed_ms / 3.0);
        *var_ms = *mean_ms * *mean_ms;
        return;
    }
    *mean_ms = s1 / sw;
    *var_ms = fmax (0, s2 / sw - *mean_ms * *mean_ms);
}

//  ---------------------------------------------------------------------------------------
//  Calls

void
broker_learn_delay (broker_learn_t *self, int counter, int64_t delay_ms)
{
    if (delay_ms < 0)
        return;
    broker_learn_moments (&self->delay, (double)delay_ms, BROKER_LEARN_WINDOW);
    if (counter >= 0 && counter < self->ncounters)
        broker_learn_moments (&self->delay_ctr[counter], (double)delay_ms, BROKER_LEARN_WINDOW);
}

void
broker_learn_delay_of (const broker_learn_t *self, int counter, double *mean_ms, double *var_ms)
{
    const broker_moments_t *m = &self->delay;
    if (counter >= 0 && counter < self->ncounters && self->delay_ctr[counter].n >= 5)
        m = &self->delay_ctr[counter];
    *mean_ms = m->n >= 5 ? m->mean : 0;
    *var_ms = m->n >= 5 ? m->var : 0;
}

void
broker_learn_outcome (broker_learn_t *self, int64_t wait_ms, bool gone, int64_t call_ms)
{
    if (wait_ms < 0)
        return;
    if (wait_ms < 2 * 60000) {
        self->at_once_n = self->at_once_n * S_DECAY + 1;
        self->at_once_gone = self->at_once_gone * S_DECAY + (gone ? 1 : 0);
    } else {
        //  Those gone left at some time in their wait: half of it, on average.
        self->gone_n = self->gone_n * S_DECAY + (gone ? 1 : 0);
        self->exposure_ms = self->exposure_ms * S_DECAY + (gone ? wait_ms / 2.0 : (double)wait_ms);
    }
    if (gone && call_ms > 0)
        broker_learn_moments (&self->miss_ms, (double)call_ms, BROKER_LEARN_WINDOW);
}

double
broker_learn_gone (const broker_learn_t *self, int64_t wait_ms)
{
    double a = self->at_once_gone / (self->at_once_n + S_GONE_WEIGHT);
    double rate = self->exposure_ms > 0 ? self->gone_n / self->exposure_ms : 0;
    return a + (1 - a) * (1 - exp (-rate * (double)(wait_ms > 0 ? wait_ms : 0)));
}

double
broker_learn_miss_ms (const broker_learn_t *self)
{
    return self->miss_ms.n >= 3 ? self->miss_ms.mean : 120000.0;
}

void
broker_learn_waited (broker_learn_t *self, int64_t waited_ms, bool cancelled)
{
    if (waited_ms < 0)
        return;
    self->cancels = self->cancels * S_DECAY + (cancelled ? 1 : 0);
    self->waited_ms = self->waited_ms * S_DECAY + (double)waited_ms;
}

double
broker_learn_cancel_rate (const broker_learn_t *self)
{
    return self->cancels > 0 && self->waited_ms > 0 ? self->cancels / self->waited_ms : 0;
}

//  ---------------------------------------------------------------------------------------
//  The interval

void
broker_learn_issued (broker_learn_t *self, uint64_t id, int64_t est_ms, double sd_ms, int64_t lo_ms,
                     int64_t hi_ms)
{
    if (est_ms < 0 || sd_ms <= 0)
        return;
    self->issued[id % BROKER_LEARN_ISSUED] = (broker_issued_t){id, est_ms, sd_ms, lo_ms, hi_ms};
}

void
broker_learn_called (broker_learn_t *self, uint64_t id, int64_t wait_ms)
{
    broker_issued_t *is = &self->issued[id % BROKER_LEARN_ISSUED];
    if (is->id != id)
        return;
    is->id = 0;
    if (is->est_ms >= 5 * 60000)
        broker_learn_moments (&self->ratio, fmin (3, (double)wait_ms / (double)is->est_ms),
                              S_RATIO_WINDOW);
    //  Each end moves out after a miss and in after a hit, so that a tenth of waits fall
    //  below the interval and a tenth above however the errors are spread (adaptive
    //  conformal inference, multiplicative on the spreads).
    self->k_lo *= exp (S_ACI_GAMMA * ((wait_ms < is->lo_ms ? 1 : 0) - 0.1));
    self->k_hi *= exp (S_ACI_GAMMA * ((wait_ms > is->hi_ms ? 1 : 0) - 0.1));
    self->k_lo = fmin (8, fmax (0.2, self->k_lo));
    self->k_hi = fmin (8, fmax (0.2, self->k_hi));
}

double
broker_learn_factor (const broker_learn_t *self)
{
    if (self->ratio.n < S_RATIO_MIN)
        return 1;
    double n = (double)(self->ratio.n < S_RATIO_WINDOW ? self->ratio.n : S_RATIO_WINDOW);
    double off = self->ratio.mean - 1, se = sqrt (self->ratio.var / n);
    off = off > se ? off - se : off < -se ? off + se : 0;
    return fmin (1.5, fmax (0.7, 1 + S_RATIO_BETA * off));
}

//  ---------------------------------------------------------------------------------------
//  Arrivals that go first

//  Priority walk-ins are rare (a few a day per service): their rate is counted over the 4
//  hours they are expected for (S_GREEN_HORIZON_MS in broker_estimate.c), not the last
//  one (one arrival there is a rate of one an hour for the next four); and over an hour at
//  least, so that the day's first few minutes do not make a stream of one arrival.
#define S_GREEN_TAU_MS (4 * 3600000.0)
#define S_GREEN_MIN_MS 3600000.0

void
broker_learn_arrival (broker_learn_t *self, int service, bool green, int64_t at)
{
    if (self->green_at && at > self->green_at) {
        //  Time watched since the last ticket, an hour at most (a night, a closed hall),
        //  and what was seen before weighs less by as much.
        double gap = fmin ((double)(at - self->green_at), 3600000.0);
        double keep = exp (-gap / S_GREEN_TAU_MS);
        for (int s = 0; s < BROKER_MAX_SERVICES; s++)
            self->green_n[s] *= keep;
        self->green_ms = self->green_ms * keep + S_GREEN_TAU_MS * (1 - keep);
    }
    if (!self->green_at || at > self->green_at)
        self->green_at = at;
    if (green && service >= 0 && service < BROKER_MAX_SERVICES)
        self->green_n[service] += 1;
}

double
broker_learn_green_rate (const broker_learn_t *self, int service)
{
    if (service < 0 || service >= BROKER_MAX_SERVICES)
        return 0;
    return self->green_n[service] / fmax (self->green_ms, S_GREEN_MIN_MS);
}

//  ---------------------------------------------------------------------------------------
//  Logins

void
broker_learn_login (broker_learn_t *self, int counter, int day, int minute)
{
    if (counter < 0 || counter >= self->ncounters || self->login_day[counter] == day)
        return;
    self->login_day[counter] = day;
    broker_learn_moments (&self->login_min[counter], minute, BROKER_LEARN_WINDOW);
}

int
broker_learn_login_min (const broker_learn_t *self, int counter)
{
    if (counter < 0 || counter >= self->ncounters || !self->login_min[counter].n)
        return -1;
    return (int)lround (self->login_min[counter].mean);
}
