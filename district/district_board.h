/*  district_board.h — what the district knows of each hall right now, shared between the
    halls' links (one thread each, district_link.h), which write it, and the HTTP views,
    which read it. One mutex; the JSON a link hands over is never changed afterwards, so a
    reader holds a reference instead of a copy.

    A hall's entry (district_board_hall):

        {id, name, kind, online, last_event_age_s, seq, counted, catching_up, problem,
         info (hall.info), kpis (proto_kpi_hall of the mirrored hall), report (today's
         figures, proto_report_json), day}

    `online` is the link's: the hall answered its last check (a stream that went quiet is
    checked within seconds). `last_event_age_s` is the seconds since the district last
    received an event from it, null before the first; `seq` the hall's last sequence seen,
    `counted` the last one counted into the district's figures. */
#ifndef DISTRICT_BOARD_H
#define DISTRICT_BOARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "district_config.h"

typedef struct district_board district_board_t;

//  A link's state, as district_board_status takes it.
typedef struct {
    bool online;           //  the hall answers
    int64_t last_event_ms; //  monotonic ms of the last event received, 0 before the first
    uint64_t seq;          //  the hall's last sequence seen
    uint64_t counted;      //  the last sequence counted into the district's figures
    bool catching_up;      //  reading the journal the stream missed
    const char *problem;   //  why the hall is not counted ("" when it is), in Chinese
} district_status_t;

//  The board of the halls of `cfg` (borrowed: it must outlive the board). NULL on
//  out-of-memory. Caller owns it.
district_board_t *district_board_new (const district_config_t *cfg);
//  Destroys the board and sets *self_p to NULL. Safe on NULL.
void district_board_destroy (district_board_t **self_p);
//  Number of halls (the config's).
size_t district_board_size (const district_board_t *self);

//  Hall number `i`'s link state (copied).
void district_board_status (district_board_t *self, size_t i, const district_status_t *status);
//  Hall number `i`'s live figures and hall.info; each taken (NULL leaves it as it was).
void district_board_live (district_board_t *self, size_t i, json_t *kpis, json_t *info);
//  Hall number `i`'s figures of business day `day` so far (taken).
void district_board_report (district_board_t *self, size_t i, int day, json_t *report);

//  Hall number `i`'s entry (above), as of monotonic time `now_ms`. Caller owns it.
json_t *district_board_hall (district_board_t *self, size_t i, int64_t now_ms);
//  The number of the hall with id `id`, or -1.
long district_board_find (const district_board_t *self, const char *id);

#endif
