/*  sim_plan.h — the day's plan, drawn before the broker is asked anything (so one seed
    sends the same requests at the same simulated times, and prints the same report):
    walk-ins by time of day as a share of the hall's capacity, the service mix, priorities,
    service and walk-up times, who is gone when called; the day's bookings (made at 08:30
    in the hall's appointment slots, as citizens did in the days before) and their
    check-ins; each counter's opening, lunch and closing (docs/SIMULATOR.md). */
#ifndef SIM_PLAN_H
#define SIM_PLAN_H

#include <stdint.h>

#include "sim_world.h"

//  Draws the day into `w` (the hall and the day's times set) from `seed`, walk-ins at
//  `load` times the profile, and books the appointments with the broker. 0, or -1 when
//  memory ran out or the broker is gone.
int sim_plan_day (sim_world_t *w, uint64_t seed, double load);

#endif
