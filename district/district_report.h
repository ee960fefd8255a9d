/*  district_report.h — the district's report of a business day or a month, from its
    store alone (so halls that are down are still in it): each hall's figures, by the
    hall's own report module (protocol/proto_report.h), its seven indices and the ranking.

        {"district": {id, name}, "day": YYYYMMDD | "month": YYYYMM, "from", "to",
         "halls": [{id, name, kind, rank, days, report, index}], "ranked"}

    `report` is the hall's proto_report_json for the period (null when the district holds
    no day of it: `days` 0), `index` its indices (district_index), `rank` its place by
    total (proto_index_rank: best first, equal totals share a rank; null without a
    total); `halls` are in that order, the unranked ones after. A day's
    figures are the stored record of that day; a month's are counted again from the
    stored events of its days, so they equal the hall's own month report. */
#ifndef DISTRICT_REPORT_H
#define DISTRICT_REPORT_H

#include <jansson.h>

#include "district_config.h"
#include "district_store.h"

//  The eight index members every view shows, in order (NULL-terminated).
extern const char *const district_index_keys[];
//  Their Chinese names (规范, 效率, ..., 总分), in the same order.
extern const char *const district_index_labels[];

//  The report of business days from_day..to_day (YYYYMMDD; a month is YYYYMM01..YYYYMM31).
//  Caller owns it. NULL on a store error.
json_t *district_report_build (district_store_t *store, const district_config_t *cfg, int from_day,
                               int to_day);
//  The report as CSV (RFC 4180, LF): a header, then one row per hall in report order.
//  Caller frees.
char *district_report_csv (const json_t *report);
//  Hall `hall`'s indices from one of its reports (proto_report_json) and hall.info, by
//  proto_index_compute with the config's checked index config: {standard, efficiency,
//  convenience, service, experience, evaluation, innovation, total (each 0-100 or null),
//  grade, grade_zh, coverage, detail (proto_index's index_detail)}; NULL on out of
//  memory. The one place the district computes them. Caller owns the result.
json_t *district_index (const district_config_t *cfg, const district_hall_cfg_t *hall,
                        const json_t *report, const json_t *info);

#endif
