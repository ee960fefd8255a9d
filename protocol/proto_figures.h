/*  proto_figures.h — the figures of a hall report (proto_report.h), named once for every
    view: where each is in the report, its unit, its Chinese and English names, and why it
    can be null. The terminal's table, the CSV below and the report's `null_reasons` are
    all made from this one catalogue; docs/REPORT.md defines each figure.

    CSV (RFC 4180 quoting, LF line ends), one row per figure, with the header

        figure,value,unit,label,label_en,note

    `figure` is GROUP.KEY for the hall's figures (tickets.avg_wait_ms, pickup.cabinet.p90_ms),
    services.PREFIX.KEY and counters.ID.KEY for the per-service and per-counter ones;
    `value` an integer (count, ms) or a decimal (ratio, 0 to 1), empty when the figure is
    null, and then `note` says why; `label` is the Chinese name (with the service's or
    counter's name before it), `label_en` the English. A report with the service vitality
    index (proto_index.h) ends with its rows: index.NAME (each index, unit "score", the
    note its grade), index.NAME.INDICATOR (each indicator's score, the note why it has
    none) and index.total. */
#ifndef PROTO_FIGURES_H
#define PROTO_FIGURES_H

#include <jansson.h>
#include <stddef.h>

//  A figure: where it is in the report (kpis.GROUP.KEY, KEY a path such as "ratings.4" or
//  "cabinet.median_ms"), its unit ("count", "ms", "ratio"), its names, and why it is null
//  when it is (NULL for a count, which never is).
typedef struct {
    const char *group, *key, *unit, *zh, *en, *why;
} proto_figure_t;

//  The hall-wide figures in the order views show them; *n gets their number. Static.
const proto_figure_t *proto_figures_hall (size_t *n);
//  The figures of each element of kpis.services, keyed within it. Static.
const proto_figure_t *proto_figures_service (size_t *n);
//  The figures of each element of kpis.counters, keyed within it. Static.
const proto_figure_t *proto_figures_counter (size_t *n);
//  The value at `path` ("ratings.4", "cabinet.median_ms") inside `j`: object members by
//  name, array elements by index. NULL when absent. Borrowed from `j`.
const json_t *proto_figures_lookup (const json_t *j, const char *path);
//  A report (proto_report_json) as CSV, as above. Caller frees. NULL on out-of-memory.
char *proto_figures_csv (const json_t *report);

#endif
