/*  district_board.c — see district_board.h. */
#include "district_board.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    district_status_t status;
    char problem[256]; //  status.problem points here
    json_t *kpis, *info, *report;
    int day;
} s_hall_t;

struct district_board {
    const district_config_t *cfg;
    pthread_mutex_t lock;
    s_hall_t *halls;
};

district_board_t *
district_board_new (const district_config_t *cfg)
{
    district_board_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->halls = calloc (cfg->nhalls, sizeof *self->halls);
    if (!self->halls) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
district_board_destroy (district_board_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_board_t *self = *self_p;
    for (size_t i = 0; i < self->cfg->nhalls; i++) {
        json_decref (self->halls[i].kpis);
        json_decref (self->halls[i].info);
        json_decref (self->halls[i].report);
    }
    pthread_mutex_destroy (&self->lock);
    free (self->halls);
    free (self);
    *self_p = NULL;
}

size_t
district_board_size (const district_board_t *self)
{
    return self->cfg->nhalls;
}

void
district_board_status (district_board_t *self, size_t i, const district_status_t *status)
{
    pthread_mutex_lock (&self->lock);
    s_hall_t *h = &self->halls[i];
    h->status = *status;
    snprintf (h->problem, sizeof h->problem, "%s", status->problem ? status->problem : "");
    h->status.problem = h->problem;
    pthread_mutex_unlock (&self->lock);
}

//  Replaces *slot by `value` (taken) unless it is NULL.
static void
s_swap (json_t **slot, json_t *value)
{
    if (!value)
        return;
    json_decref (*slot);
    *slot = value;
}

void
district_board_live (district_board_t *self, size_t i, json_t *kpis, json_t *info)
{
    pthread_mutex_lock (&self->lock);
    s_swap (&self->halls[i].kpis, kpis);
    s_swap (&self->halls[i].info, info);
    pthread_mutex_unlock (&self->lock);
}

void
district_board_report (district_board_t *self, size_t i, int day, json_t *report)
{
    pthread_mutex_lock (&self->lock);
    s_swap (&self->halls[i].report, report);
    self->halls[i].day = day;
    pthread_mutex_unlock (&self->lock);
}

json_t *
district_board_hall (district_board_t *self, size_t i, int64_t now_ms)
{
    const district_hall_cfg_t *cfg = &self->cfg->halls[i];
    pthread_mutex_lock (&self->lock);
    const s_hall_t *h = &self->halls[i];
    const district_status_t *st = &h->status;
    json_t *age =
        st->last_event_ms ? json_integer ((now_ms - st->last_event_ms) / 1000) : json_null ();
    json_t *out =
        json_pack ("{s:s, s:s, s:s, s:b, s:o, s:I, s:I, s:b, s:s, s:O?, s:O?, s:O?, s:i}", "id",
                   cfg->id, "name", cfg->name, "kind", district_kind_name (cfg->kind), "online",
                   st->online, "last_event_age_s", age, "seq", (json_int_t)st->seq, "counted",
                   (json_int_t)st->counted, "catching_up", st->catching_up, "problem", h->problem,
                   "info", h->info, "kpis", h->kpis, "report", h->report, "day", h->day);
    pthread_mutex_unlock (&self->lock);
    return out;
}

long
district_board_find (const district_board_t *self, const char *id)
{
    for (size_t i = 0; i < self->cfg->nhalls; i++)
        if (strcmp (self->cfg->halls[i].id, id) == 0)
            return (long)i;
    return -1;
}
