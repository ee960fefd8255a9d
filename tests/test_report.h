/*  test_report.h — what the report's tests share (test_report.c, test_report_it.c,
    test_index.c): reading a figure of a report by its path (proto_figures_lookup), saying
    which path it was when it is not what the test expects. */
#ifndef TEST_REPORT_H
#define TEST_REPORT_H

#include <jansson.h>
#include <stdbool.h>

//  The integer at `path` ("kpis.tickets.issued"), 0 (and the path on stderr) if none.
long long trep_int (const json_t *r, const char *path);
//  The number at `path`, 0 (and the path on stderr) if none.
double trep_num (const json_t *r, const char *path);
//  The string at `path`, "" if none. Borrowed from `r`.
const char *trep_str (const json_t *r, const char *path);
//  True if `path` is JSON null (not merely absent).
bool trep_null (const json_t *r, const char *path);

#endif
