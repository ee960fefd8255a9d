/*  sim_plan.h — the day's plan, drawn before the broker is asked anything (so one seed
    sends the same requests at the same simulated times, and prints the same report), as
    the scenario says (sim_scenario.h): walk-ins by time of day and service, priorities,
    service and walk-up times, patience (who is gone when called, who cancels); the day's
    bookings (made when the kiosk opens in the hall's appointment slots, as citizens did in
    the days before) and their check-ins; each counter's opening, breaks and pauses and
    closing (docs/SIMULATOR.md). Only the clerks' reaction delays are drawn as the day
    goes (sim_world), from a stream of their own. */
#ifndef SIM_PLAN_H
#define SIM_PLAN_H

#include <stdint.h>

#include "sim_world.h"

//  Resolves scenario `sc` for the hall of `w` (the hall and the day's times set) and
//  `seed` (w->sc becomes sc), draws the day into `w` from `seed`, walk-ins at `load` times
//  the scenario's, and books the appointments with the broker. 0, or -1 when the scenario
//  does not fit the hall, memory ran out or the broker is gone.
int sim_plan_day (sim_world_t *w, sim_scenario_t *sc, uint64_t seed, double load);

#endif
