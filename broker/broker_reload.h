/*  broker_reload.h — a new calendar for a running hall: `calendar.reload`
    (broker_admin.h) and SIGHUP (broker_server.h) re-read the year files and move every
    deadline they change.

    Deadlines are stored on cases and rectifications and recomputed only when a case
    changes, so a year file added in November would fix no open case. A reload, in the
    batch's write transaction like any request:
      1. loads the calendar's path (cases.calendar) afresh into the broker's calendar, in
         place (broker_calendar_reload): all or nothing, so a broken file changes nothing
         and the reason is told (the reply's calendar_invalid, the log);
      2. recomputes the deadlines of every case accepted and not yet decided
         (broker_case_recalendar) and of every rectification not yet closed
         (broker_rating_recalendar); each deadline that moved is audited by an event with
         reason "calendar" (case.deadline_moved, rating.deadline_moved).
    Should the transaction fail to commit, the calendar in memory is already the files'
    while the stored deadlines are not: the store_failed reply asks for a retry, and the
    next reload moves them (a recompute compares with what is stored, so it never moves a
    deadline twice).

    This module stands above the case and rating modules, as broker_timers does. */
#ifndef BROKER_RELOAD_H
#define BROKER_RELOAD_H

#include "broker_ctx.h"

//  Reloads the calendar and moves the deadlines; ctx->reply gets {calendar, moved}
//  (PROTOCOL.md, calendar.reload), and the log a line naming `via` (the command, SIGHUP)
//  and a warning if the calendar still runs short (broker_snapshot_calendar). -1 with
//  calendar_invalid and the file's error when a year file is wrong: nothing changed.
int broker_reload_calendar (broker_ctx_t *ctx, const char *via);

#endif
