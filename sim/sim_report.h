/*  sim_report.h — what a simulated day measured (docs/SIMULATOR.md, "The report"): the
    day's KPIs as the simulator counted them and as the broker did (a cross-check of the
    definitions), the broker's wait estimate at issue against the actual wait beside the
    naive formula's (MAE, P90 of the absolute error, bias), by service and by the hour of
    issue; as one JSON object, as the printed report, and one CSV row per ticket. */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "sim_world.h"

//  The day's report as one JSON object (caller owns): `seed` and `load` of the run, the
//  broker's hall.info and its hall.snapshot at the end of the day.
json_t *sim_report_json (const sim_world_t *w, uint64_t seed, double load, const json_t *info,
                         const json_t *snap);
//  Prints the report (from sim_report_json) for people, on stdout.
void sim_report_print (const json_t *report, const json_t *info);
//  Writes one row per ticket, in order of issue, to `path` ("-": stdout). 0, or -1 with
//  the reason on stderr.
int sim_report_csv (const sim_world_t *w, const char *path);

#endif
