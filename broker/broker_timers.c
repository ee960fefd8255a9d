/*  broker_timers.c — see broker_timers.h. */
#include "broker_timers.h"

#include <stdio.h>

#include "broker_appt.h"
#include "broker_case.h"
#include "broker_supplement.h"
#include "broker_ticket.h"
#include "broker_vault.h"

//  Once a calendar day, every open case: the 补正 deadlines (Art. 32: accepted when the
//  notice is late; withdrawn when the material is), the deadline warnings due, and a result
//  left in a cabinet too long. Without a calendar no deadline is known, and nothing is swept.
static void
s_case_sweep (broker_ctx_t *ctx)
{
    if (!ctx->calendar)
        return;
    int today = broker_today (ctx);
    json_t *open = broker_case_open_all (ctx);
    size_t i;
    json_t *c;
    json_array_foreach (open, i, c) {
        bool changed = broker_supplement_sweep (ctx, c, today);
        if (broker_case_warn (ctx, c, today))
            changed = true;
        if (broker_vault_overdue (ctx, c))
            changed = true;
        if (changed)
            broker_case_save (ctx, c);
    }
    json_decref (open);
}

void
broker_timers (broker_ctx_t *ctx)
{
    broker_ticket_timers (ctx);
    broker_appt_timers (ctx);
    //  The case clock counts local calendar days: a new date may raise deadline warnings.
    int date = broker_today (ctx);
    if (ctx->hall->case_day != date) {
        s_case_sweep (ctx);
        ctx->hall->case_day = date;
        char val[16];
        int len = snprintf (val, sizeof val, "%d", date);
        broker_store_put (ctx->store, BROKER_DB_META, "case_day", 8, val, (size_t)len);
    }
}

int64_t
broker_timers_next (const broker_hall_t *hall, int64_t now)
{
    const broker_config_t *cfg = hall->config;
    int64_t next = broker_next_day_start (now, cfg->utc_offset_min, cfg->reset_hour);
    int64_t midnight = broker_next_day_start (now, cfg->utc_offset_min, 0);
    if (midnight < next)
        next = midnight;
    if (hall->appt_due && hall->appt_due < next)
        next = hall->appt_due;
    if (hall->grace_due && hall->grace_due < next)
        next = hall->grace_due;
    return next;
}
