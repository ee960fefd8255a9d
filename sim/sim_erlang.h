/*  sim_erlang.h — queueing theory for the simulator: Erlang B and C, staffing by Erlang C,
    a small discrete-event M/M/c reference, and the seeded random numbers both simulators use.

    Units are the caller's: rates (lambda, mu) and times (t, waits) must use one time unit,
    e.g. arrivals per minute and minutes. The offered load is a = lambda / mu erlangs; with
    c counters the occupancy is rho = a / c, and the queue is stable only when a < c.

    Erlang C is computed from Erlang B by its recurrence, B(0) = 1 and
    B(k) = a B(k-1) / (k + a B(k-1)), then C = c B / (c - a (1 - B)): no factorial and no
    power of a, so it is exact to rounding for hundreds of counters and loads where the
    textbook sum overflows. */
#ifndef SIM_ERLANG_H
#define SIM_ERLANG_H

#include <stddef.h>
#include <stdint.h>

//  Erlang B: the share of arrivals that would find all `c` counters busy in a loss system
//  with offered load `a` (>= 0). 1 when c is 0; -1 on invalid input (c < 0, a < 0).
double sim_erlang_b (int c, double a);
//  Erlang C: the probability that an arrival waits (all `c` counters busy), offered load
//  `a`. 1 when a >= c (the queue grows without bound); -1 on invalid input (c < 1, a < 0).
double sim_erlang_c (int c, double a);
//  Mean wait in the queue, Wq = C (c, a) / (c mu - lambda), in the time unit of the rates.
//  INFINITY when lambda >= c mu; -1 on invalid input.
double sim_erlang_wq (int c, double lambda, double mu);
//  P(W > t) = C (c, a) e^{-(c mu - lambda) t}: the share of arrivals that wait longer than
//  `t`. 1 when unstable; -1 on invalid input.
double sim_erlang_p_wait_gt (int c, double lambda, double mu, double t);
//  The smallest number of counters, at most `max_c`, for which P(W <= t) >= `target`
//  (0 < target < 1). 0 when lambda is 0; -1 if even `max_c` counters are not enough.
int sim_erlang_staff (double lambda, double mu, double t, double target, int max_c);

//  A seeded pseudo-random generator (xoshiro256**, seeded with splitmix64): the same seed
//  gives the same sequence on every machine. A plain value; copy it freely.
typedef struct {
    uint64_t s[4]; //  state, never all zero
} sim_rng_t;

//  Seeds `rng` from `seed` and a `stream` number, so one seed gives independent streams
//  (arrivals, appointments, ...): drawing more from one never shifts another.
void sim_rng_seed (sim_rng_t *rng, uint64_t seed, uint64_t stream);
//  Next raw 64 bits.
uint64_t sim_rng_next (sim_rng_t *rng);
//  Uniform in the open interval (0, 1).
double sim_rng_uniform (sim_rng_t *rng);
//  Exponential with the given mean (> 0).
double sim_rng_exp (sim_rng_t *rng, double mean);
//  Standard normal (Box-Muller; one draw per call, the pair's second half is discarded so
//  the state stays a plain value).
double sim_rng_normal (sim_rng_t *rng);
//  Lognormal with the given arithmetic `mean` and log-space standard deviation `sigma`
//  (the coefficient of variation is sqrt (e^{sigma^2} - 1)).
double sim_rng_lognormal (sim_rng_t *rng, double mean, double sigma);
//  Poisson with the given mean (>= 0); by inversion, for means up to a few hundred.
int sim_rng_poisson (sim_rng_t *rng, double mean);

//  How the reference model's counters take waiting customers.
typedef enum {
    SIM_MMC_FIFO,  //  one line, first come first served (the hall's policy for one service)
    SIM_MMC_LIFO,  //  one line, last come first served (same mean wait, wider spread)
    SIM_MMC_SPLIT, //  a line per counter, chosen at random on arrival (no pooling)
} sim_mmc_policy_t;

//  What a reference run measured, over the customers after the warm-up.
typedef struct {
    long customers;     //  customers measured
    double mean_wait;   //  mean wait in the queue
    double se_wait;     //  standard error of mean_wait by 20 batch means
    double p_waited;    //  share that waited at all (estimates Erlang C)
    double p_within;    //  share that waited at most `t`
    double utilisation; //  busy time / (c x elapsed time)
} sim_mmc_result_t;

//  Simulates an M/M/c queue in memory: Poisson arrivals at `lambda`, exponential service at
//  `mu` on `c` counters under `policy`, for `warmup` + `customers` arrivals from an empty
//  hall; waits of the first `warmup` are not measured. `t` is the threshold for p_within.
//  Each customer's service time is drawn on arrival, so two policies on one seed serve the
//  same customers with the same needs. Deterministic for a seed. If `waits` is not NULL it
//  receives the measured customers' waits in order of arrival (`customers` doubles).
//  0, or -1 on invalid input or out of memory.
int sim_mmc_simulate (int c, double lambda, double mu, long customers, long warmup,
                      sim_mmc_policy_t policy, double t, uint64_t seed, sim_mmc_result_t *out,
                      double *waits);

//  Mean and its standard error by `batches` batch means over x[0..n) in time order (the
//  usual remedy for the correlation of successive waits). *se is 0 when n < 2 * batches.
void sim_batch_means (const double *x, size_t n, int batches, double *mean, double *se);

#endif
