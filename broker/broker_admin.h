/*  broker_admin.h — the administrator's commands: devices (CURVE enrolment), backup, the
    simulated clock and the calendar's reload.

    A backup is a compacting copy of the LMDB environment (mdb_env_copy2, MDB_CP_COMPACT)
    made by a thread of its own with a read transaction, so the hall keeps working while
    it runs; admin.backup_status tells when it is done. Restore: stop the broker, replace
    the data directory's data.mdb by the backup's, start it (docs/OPERATIONS.md).

    clock.advance moves a simulated clock (broker_clock.h) and runs, in the same
    transaction, every timer that fell due (broker_timers.h). calendar.reload takes a new
    year file into the running hall (broker_reload.h). */
#ifndef BROKER_ADMIN_H
#define BROKER_ADMIN_H

#include "broker_ctx.h"

//  device.enroll: admits a CURVE public key in a role, under a name.
int broker_h_device_enroll (broker_ctx_t *ctx, const json_t *body);
//  device.revoke: refuses a device (by key or name) from its next request on.
int broker_h_device_revoke (broker_ctx_t *ctx, const json_t *body);
//  device.list: every enrolled device, revoked ones included.
int broker_h_device_list (broker_ctx_t *ctx, const json_t *body);
//  admin.backup: starts a hot copy of the store into a new directory.
int broker_h_backup (broker_ctx_t *ctx, const json_t *body);
//  admin.backup_status: whether the last backup is running, done or failed.
int broker_h_backup_status (broker_ctx_t *ctx, const json_t *body);
//  clock.advance: moves the simulated clock and runs what fell due.
int broker_h_clock_advance (broker_ctx_t *ctx, const json_t *body);
//  calendar.reload: re-reads the calendar's year files and moves every open deadline they
//  change (broker_reload.h).
int broker_h_calendar_reload (broker_ctx_t *ctx, const json_t *body);

#endif
