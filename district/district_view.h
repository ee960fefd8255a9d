/*  district_view.h — what the district's live views show, as JSON: the halls on one
    screen (GET /api/district, the wall screen /district) and one hall in detail
    (/district/hall/ID), read from the board (district_board.h) and, for the trend and
    history, the store.

    /api/district:

        {"district": {id, name}, "halls": [{
            id, name, kind, online, last_event_age_s, waiting, longest_wait_s, est_wait_s,
            open_counters, index {standard, efficiency, convenience, service, experience,
            evaluation, innovation, total} | null, grade, trend, alarms [{level, text}],
            day, issued, served, catching_up, problem, seq, counted}], "stream": {...}}

    `waiting` is the hall's people waiting now, `longest_wait_s` the longest of their
    waits so far, `est_wait_s` what a ticket issued now would wait for the slowest of the
    hall's open services (null when no service has an open counter), `open_counters` the
    counters open (idle, calling or serving). For a hall that is not online these are the
    last known values: `online` false and `last_event_age_s` say how old. `trend` is the
    index total's change since the last earlier day the district holds (null without
    both). `alarms` are the hall's services' alerts and the cabinets' alarms, in plain
    Chinese. `issued` and `served` are today's tickets, from the district's figures; `seq`
    the hall's last sequence the link saw, `counted` the last one in those figures. */
#ifndef DISTRICT_VIEW_H
#define DISTRICT_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "district_board.h"
#include "district_config.h"
#include "district_store.h"

//  The halls on one screen (above), at monotonic time `now_ms`. `stream`, when not NULL,
//  is added as "stream" (the proxy's figures). Caller owns it.
json_t *district_view_halls (district_board_t *board, district_store_t *store,
                             const district_config_t *cfg, int64_t now_ms, json_t *stream);
//  Hall number `i` in detail: its summary (as one element of `halls` above), plus
//  `services`, `counters` and `cases` (proto_kpi_hall's), `report` (today's figures),
//  `index_detail` (every member of its index, or null), and `history`, the last 14 days the
//  district holds: [{day, issued, served, avg_wait_ms, over_wait_rate, good_rate, total}]. Caller
//  owns it.
json_t *district_view_hall (district_board_t *board, district_store_t *store,
                            const district_config_t *cfg, size_t i, int64_t now_ms);

#endif
