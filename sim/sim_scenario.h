/*  sim_scenario.h — what a simulated hall does (docs/SIMULATOR.md, "Scenarios").

    A scenario file (a JSON file in etc/scenarios/) names the hall's config (what the broker is
   told) and says how the hall's citizens and clerks behave (what the broker must find out):
    walk-ins per service by time of day, priorities, the true service-time distribution of
    each service (lognormal with its own CV, or empirical quantiles), walk-up, patience and
    cancellations, bookings, no-shows and late arrivals, and the clerks: reaction delay
    before a call, breaks taken early or late and longer or shorter, unannounced breaks and
    pauses, early closings. Every key has a default, and the defaults are the day of
    issue 6 (docs/SIMULATOR.md has them), except the true mean service times: unless the
    scenario names them, each is the configured mean times a factor drawn per service from
    the seed, so the broker never starts from the true mean.

    The file is read before the broker starts (sim_scenario_read: the config to run); it
    is resolved against the hall once hall.info tells the services and counters
    (sim_scenario_apply). Unknown keys are refused, so a typo cannot pass silently. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_SERVICES 32 //  services a hall may have here (a bit set per counter)
#define SIM_MAX_PIECES   96 //  pieces of the arrival profile (15-minute slots of a day)
#define SIM_MAX_POINTS   16 //  points of an empirical distribution
#define SIM_MAX_EXTRA    16 //  unannounced breaks of a scenario
#define SIM_MAX_CLOSINGS 64 //  early closings of a scenario

//  A point of a piecewise linear function (a quantile table, a cumulative share).
typedef struct {
    double x, y;
} sim_point_t;

//  A normal spread: mean and standard deviation.
typedef struct {
    double mean, sd;
} sim_spread_t;

//  What one service is, in truth.
typedef struct {
    double mean_s;                 //  mean service time (start to finish), seconds
    double sigma;                  //  lognormal log-space sd (when nq == 0)
    int nq;                        //  > 1: empirical: (cumulative share, seconds) rising
    sim_point_t q[SIM_MAX_POINTS]; //
    double booked;                 //  bookings per walk-in of the service
    double green, elderly;         //  shares of its walk-ins
} sim_svc_t;

//  A piece of the day with constant walk-in rates.
typedef struct {
    int from, to;               //  local minutes
    double rate_h;              //  walk-ins per hour, all services (before --load)
    double w[SIM_MAX_SERVICES]; //  the services' relative shares in it
} sim_piece_t;

//  An unannounced break: the counters pause at `at` (+ N(0, at_sd)) for `minutes`,
//  without saying when they will be back.
typedef struct {
    uint32_t counters; //  bit i: the hall's i-th counter (config order); all when 0 given
    int at;            //  local minutes
    double at_sd_min;
    sim_spread_t minutes;
} sim_extra_t;

typedef struct {
    char name[64];     //  the file's name without .json, "default" without a file
    char config[1024]; //  the hall's config file (resolved; empty: the caller's)
    json_t *spec;      //  the file (NULL: every default)
    int kiosk_from, kiosk_to, open, close; //  local minutes: kiosk, counters
    //  Resolved by sim_scenario_apply.
    int npieces;
    sim_piece_t piece[SIM_MAX_PIECES];
    sim_svc_t svc[SIM_MAX_SERVICES];
    double walkup_min_s, walkup_exp_s;    //  walk-up: min + Exp (exp mean)
    int npatience;                        //  gone by: (minutes waited, share left)
    sim_point_t patience[SIM_MAX_POINTS]; //
    double cancel;                        //  share of those who leave who cancel
    double appt_no_show;                  //  bookings never checked in
    sim_spread_t appt_offset_min;         //  check-in - slot start, on time
    double appt_late, appt_late_after_min, appt_late_mean_min; //  late: after + Exp
    double react_mean_s, react_cv;                             //  delay before a call (lognormal)
    int nlunch, lunch_at[4], lunch_min;            //  counters without configured breaks
    sim_spread_t break_start_min, break_extra_min; //  breaks early / late, longer
    double pause_per_h;                            //  unannounced pauses per counter-hour
    double pause_mean_min, pause_cv;               //  ... their length (lognormal)
    int pause_from, pause_to;                      //  ... local minutes they may start
    int nextra;
    sim_extra_t extra[SIM_MAX_EXTRA];
    bool closings_auto; //  issue 6's two early closings
    int nclosings, closing_id[SIM_MAX_CLOSINGS], closing_at[SIM_MAX_CLOSINGS];
} sim_scenario_t;

//  The hall as sim_scenario_apply needs it (from hall.info).
typedef struct {
    int nsvc;
    const char (*prefix)[4]; //  the services' prefixes
    const double *config_s;  //  their configured mean service times
    int nctr;
    const int *ctr_id;       //  the counters' ids, config order
    const uint32_t *ctr_svc; //  ... and services (bits of the service list)
} sim_hall_t;

//  Reads scenario file `path` into `sc` (NULL: the defaults), with sc->config its hall's
//  config resolved against the file's folder. 0, or -1 with the reason on stderr.
int sim_scenario_read (sim_scenario_t *sc, const char *path);
//  Resolves the scenario for `hall` and `seed`: services, arrivals, patience, clerks.
//  0, or -1 with the reason on stderr (a prefix or counter the hall does not have).
int sim_scenario_apply (sim_scenario_t *sc, const sim_hall_t *hall, uint64_t seed);
//  Frees what the scenario holds.
void sim_scenario_free (sim_scenario_t *sc);

//  Linear interpolation of points p[0..n) (x rising) at x, flat beyond the ends.
double sim_interp (const sim_point_t *p, int n, double x);
//  The local minutes of "HH:MM", or -1.
int sim_hhmm (const char *text);

#endif
