/*  sim_erlang.c — see sim_erlang.h. */
#include "sim_erlang.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double
sim_erlang_b (int c, double a)
{
    if (c < 0 || !(a >= 0) || isinf (a))
        return -1;
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

double
sim_erlang_c (int c, double a)
{
    if (c < 1 || !(a >= 0) || isinf (a))
        return -1;
    if (a >= c)
        return 1.0;
    double b = sim_erlang_b (c, a);
    return c * b / (c - a * (1 - b));
}

double
sim_erlang_wq (int c, double lambda, double mu)
{
    if (c < 1 || !(lambda >= 0) || !(mu > 0))
        return -1;
    if (lambda >= c * mu)
        return INFINITY;
    return sim_erlang_c (c, lambda / mu) / (c * mu - lambda);
}

double
sim_erlang_p_wait_gt (int c, double lambda, double mu, double t)
{
    if (c < 1 || !(lambda >= 0) || !(mu > 0) || !(t >= 0))
        return -1;
    if (lambda >= c * mu)
        return 1.0;
    return sim_erlang_c (c, lambda / mu) * exp (-(c * mu - lambda) * t);
}

int
sim_erlang_staff (double lambda, double mu, double t, double target, int max_c)
{
    if (!(lambda >= 0) || !(mu > 0) || !(t >= 0) || !(target > 0 && target < 1) || max_c < 1)
        return -1;
    if (lambda == 0)
        return 0;
    //  Below the load nothing is stable; start at the first stable count.
    int c = (int)floor (lambda / mu) + 1;
    for (; c <= max_c; c++)
        if (1 - sim_erlang_p_wait_gt (c, lambda, mu, t) >= target)
            return c;
    return -1;
}

//  ---------------------------------------------------------------------------------------
//  Random numbers

static uint64_t
s_splitmix (uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void
sim_rng_seed (sim_rng_t *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        rng->s[i] = s_splitmix (&x);
    if (!(rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]))
        rng->s[0] = 1;
}

static uint64_t
s_rotl (uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
sim_rng_next (sim_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = s_rotl (s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl (s[3], 45);
    return result;
}

double
sim_rng_uniform (sim_rng_t *rng)
{
    //  53 random bits, shifted half a step off zero: never 0, never 1.
    return ((double)(sim_rng_next (rng) >> 11) + 0.5) / 9007199254740992.0;
}

double
sim_rng_exp (sim_rng_t *rng, double mean)
{
    return -mean * log (sim_rng_uniform (rng));
}

double
sim_rng_normal (sim_rng_t *rng)
{
    double u1 = sim_rng_uniform (rng), u2 = sim_rng_uniform (rng);
    return sqrt (-2 * log (u1)) * cos (2 * M_PI * u2);
}

double
sim_rng_lognormal (sim_rng_t *rng, double mean, double sigma)
{
    //  E[e^X] = e^{m + sigma^2 / 2} for X ~ N (m, sigma^2): choose m to hit `mean`.
    double m = log (mean) - sigma * sigma / 2;
    return exp (m + sigma * sim_rng_normal (rng));
}

int
sim_rng_poisson (sim_rng_t *rng, double mean)
{
    if (!(mean > 0))
        return 0;
    //  Inversion by sequential search; the terms stay representable up to mean ~700.
    double u = sim_rng_uniform (rng);
    double p = exp (-mean), cdf = p;
    int k = 0;
    while (u > cdf && k < 100000) {
        k++;
        p *= mean / k;
        cdf += p;
        if (p == 0)
            break;
    }
    return k;
}

//  ---------------------------------------------------------------------------------------
//  The M/M/c reference

//  A line of waiting customers: arrival time, service time and arrival index.
typedef struct {
    double *arrived;
    double *service;
    long *index;
    size_t head, tail, cap; //  live items are [head, tail)
} s_line_t;

static int
s_line_push (s_line_t *l, double arrived, double service, long index)
{
    if (l->tail == l->cap) {
        if (l->head > 0) {
            size_t n = l->tail - l->head;
            memmove (l->arrived, l->arrived + l->head, n * sizeof *l->arrived);
            memmove (l->service, l->service + l->head, n * sizeof *l->service);
            memmove (l->index, l->index + l->head, n * sizeof *l->index);
            l->head = 0;
            l->tail = n;
        }
        if (l->tail == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 64;
            double *a = realloc (l->arrived, cap * sizeof *a);
            if (a)
                l->arrived = a;
            double *s = realloc (l->service, cap * sizeof *s);
            if (s)
                l->service = s;
            long *i = realloc (l->index, cap * sizeof *i);
            if (i)
                l->index = i;
            if (!a || !s || !i)
                return -1;
            l->cap = cap;
        }
    }
    l->arrived[l->tail] = arrived;
    l->service[l->tail] = service;
    l->index[l->tail] = index;
    l->tail++;
    return 0;
}

static void
s_line_free (s_line_t *l)
{
    free (l->arrived);
    free (l->service);
    free (l->index);
}

int
sim_mmc_simulate (int c, double lambda, double mu, long customers, long warmup,
                  sim_mmc_policy_t policy, double t, uint64_t seed, sim_mmc_result_t *out,
                  double *waits_out)
{
    if (!out || c < 1 || c > 10000 || !(lambda > 0) || !(mu > 0) || customers < 1 || warmup < 0)
        return -1;
    memset (out, 0, sizeof *out);
    long total = warmup + customers;
    int nlines = policy == SIM_MMC_SPLIT ? c : 1;
    s_line_t *lines = calloc ((size_t)nlines, sizeof *lines);
    double *free_at = malloc ((size_t)c * sizeof *free_at);
    double *waits = malloc ((size_t)customers * sizeof *waits);
    int rc = -1;
    if (!lines || !free_at || !waits)
        goto done;
    for (int k = 0; k < c; k++)
        free_at[k] = -1; //  free

    sim_rng_t arrivals, services, routes;
    sim_rng_seed (&arrivals, seed, 1);
    sim_rng_seed (&services, seed, 2);
    sim_rng_seed (&routes, seed, 3);
    double now = 0, next_arrival = sim_rng_exp (&arrivals, 1 / lambda), busy = 0;
    long arrived = 0, departed = 0, waited = 0, within = 0;
    while (departed < total) {
        int k_next = -1;
        for (int k = 0; k < c; k++)
            if (free_at[k] >= 0 && (k_next < 0 || free_at[k] < free_at[k_next]))
                k_next = k;
        double wait = -1, service = 0;
        long who = -1;
        int server = -1;
        if (arrived < total && (k_next < 0 || next_arrival <= free_at[k_next])) {
            now = next_arrival;
            service = sim_rng_exp (&services, 1 / mu);
            int line = 0;
            if (policy == SIM_MMC_SPLIT) {
                line = (int)(sim_rng_uniform (&routes) * c);
                if (free_at[line] < 0 && lines[line].head == lines[line].tail)
                    server = line;
            } else
                for (int k = 0; k < c && server < 0; k++)
                    if (free_at[k] < 0)
                        server = k;
            if (server >= 0) {
                wait = 0;
                who = arrived;
            } else if (s_line_push (&lines[line], now, service, arrived) != 0)
                goto done;
            arrived++;
            next_arrival = now + sim_rng_exp (&arrivals, 1 / lambda);
        } else {
            now = free_at[k_next];
            free_at[k_next] = -1;
            departed++;
            s_line_t *l = &lines[policy == SIM_MMC_SPLIT ? k_next : 0];
            if (l->head < l->tail) {
                size_t i = policy == SIM_MMC_LIFO ? --l->tail : l->head++;
                wait = now - l->arrived[i];
                service = l->service[i];
                who = l->index[i];
                server = k_next;
            }
        }
        if (server >= 0) {
            free_at[server] = now + service;
            busy += service;
            if (who >= warmup) {
                waits[who - warmup] = wait;
                waited += wait > 0;
                within += wait <= t;
            }
        }
    }
    out->customers = customers;
    if (waits_out)
        memcpy (waits_out, waits, (size_t)customers * sizeof *waits);
    sim_batch_means (waits, (size_t)customers, 20, &out->mean_wait, &out->se_wait);
    out->p_waited = (double)waited / customers;
    out->p_within = (double)within / customers;
    out->utilisation = now > 0 ? busy / (c * now) : 0;
    rc = 0;
done:
    for (int i = 0; lines && i < nlines; i++)
        s_line_free (&lines[i]);
    free (lines);
    free (free_at);
    free (waits);
    return rc;
}

void
sim_batch_means (const double *x, size_t n, int batches, double *mean, double *se)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    *mean = n ? sum / n : 0;
    *se = 0;
    if (batches < 2 || n < (size_t)batches * 2)
        return;
    size_t size = n / batches;
    double m = 0, m2 = 0;
    for (int b = 0; b < batches; b++) {
        double s = 0;
        for (size_t i = 0; i < size; i++)
            s += x[b * size + i];
        s /= size;
        m += s;
        m2 += s * s;
    }
    m /= batches;
    double var = (m2 / batches - m * m) * batches / (batches - 1);
    *se = var > 0 ? sqrt (var / batches) : 0;
}
