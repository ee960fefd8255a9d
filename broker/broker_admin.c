/*  broker_admin.c — see broker_admin.h. */
#include "broker_admin.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "broker_devices.h"
#include "broker_reload.h"
#include "broker_timers.h"
#include "proto_keys.h"

static void
s_device_event (broker_ctx_t *ctx, const char *key, const char *action)
{
    json_t *all = broker_devices_json (ctx->devices);
    size_t i;
    json_t *d;
    json_array_foreach (all, i, d)
        if (strcmp (json_string_value (json_object_get (d, "public")), key) == 0)
            broker_emit (ctx, PROTO_EVT_DEVICE_CHANGED,
                         json_pack ("{s:O, s:s}", "device", d, "action", action));
    json_decref (all);
}

int
broker_h_device_enroll (broker_ctx_t *ctx, const json_t *body)
{
    const char *key = json_string_value (json_object_get (body, "public_key"));
    const char *role = json_string_value (json_object_get (body, "role"));
    const char *name = json_string_value (json_object_get (body, "name"));
    int r = proto_role_lookup (role);
    if (!proto_keys_valid (key))
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "public_key must be 40 Z85 characters (onewindow keygen)");
    if (r < 0)
        return broker_fail (
            ctx, PROTO_ERR_BAD_FIELD,
            "role must be kiosk, counter, office, vault, board, monitor, web or admin");
    if (broker_check_length (ctx, "name", name, 65))
        return -1;
    broker_devices_enroll (ctx->devices, ctx->store, key, (proto_role_t)r, name, ctx->now);
    s_device_event (ctx, key, "enroll");
    ctx->reply = json_pack ("{s:s, s:s, s:s}", "public", key, "role", role, "name", name);
    return 0;
}

int
broker_h_device_revoke (broker_ctx_t *ctx, const json_t *body)
{
    const char *which = json_string_value (json_object_get (body, "device"));
    //  The key revoked, for the event: by key, or the key under that name.
    json_t *all = broker_devices_json (ctx->devices);
    char key[PROTO_KEY_Z85 + 1] = "";
    size_t i;
    json_t *d;
    json_array_foreach (all, i, d)
        if (!json_integer_value (json_object_get (d, "revoked")) &&
            (strcmp (json_string_value (json_object_get (d, "public")), which) == 0 ||
             strcmp (json_string_value (json_object_get (d, "name")), which) == 0))
            snprintf (key, sizeof key, "%s", json_string_value (json_object_get (d, "public")));
    json_decref (all);
    if (!key[0] || broker_devices_revoke (ctx->devices, ctx->store, which, ctx->now) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "no enrolled device %.64s", which);
    s_device_event (ctx, key, "revoke");
    ctx->reply = json_pack ("{s:s, s:b}", "device", which, "revoked", 1);
    return 0;
}

int
broker_h_device_list (broker_ctx_t *ctx, const json_t *body)
{
    (void)body;
    ctx->reply = json_pack ("{s:o}", "devices", broker_devices_json (ctx->devices));
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Backup

static struct {
    pthread_mutex_t lock;
    bool running;
    int rc; //  LMDB result of the last backup
    char dir[1024];
    char error[256];
    int64_t started, ms, bytes;
    broker_store_t *store;
} s_backup = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int64_t
s_mono (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
s_backup_thread (void *arg)
{
    (void)arg;
    int64_t t0 = s_mono ();
    int rc = broker_store_backup (s_backup.store, s_backup.dir);
    char path[1100];
    snprintf (path, sizeof path, "%s/data.mdb", s_backup.dir);
    struct stat st;
    pthread_mutex_lock (&s_backup.lock);
    s_backup.rc = rc;
    s_backup.ms = s_mono () - t0;
    s_backup.bytes = rc == 0 && stat (path, &st) == 0 ? (int64_t)st.st_size : 0;
    snprintf (s_backup.error, sizeof s_backup.error, "%s", rc ? mdb_strerror (rc) : "");
    s_backup.running = false;
    pthread_mutex_unlock (&s_backup.lock);
    return NULL;
}

int
broker_h_backup (broker_ctx_t *ctx, const json_t *body)
{
    const char *dir = json_string_value (json_object_get (body, "dir"));
    if (strlen (dir) >= sizeof s_backup.dir)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "dir is too long");
    pthread_mutex_lock (&s_backup.lock);
    bool busy = s_backup.running;
    pthread_mutex_unlock (&s_backup.lock);
    if (busy)
        return broker_fail (ctx, PROTO_ERR_WRONG_STATE,
                            "a backup is running; see admin.backup_status");
    //  A new directory, so a backup never overwrites another (or the live store).
    if (mkdir (dir, 0750) != 0)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD,
                            "cannot create %.200s: %s (it must not exist yet)", dir,
                            strerror (errno));
    pthread_mutex_lock (&s_backup.lock);
    s_backup.running = true;
    s_backup.store = ctx->store;
    snprintf (s_backup.dir, sizeof s_backup.dir, "%s", dir);
    s_backup.started = ctx->now;
    s_backup.error[0] = 0;
    pthread_mutex_unlock (&s_backup.lock);
    pthread_t thread;
    if (pthread_create (&thread, NULL, s_backup_thread, NULL) != 0) {
        pthread_mutex_lock (&s_backup.lock);
        s_backup.running = false;
        pthread_mutex_unlock (&s_backup.lock);
        return broker_fail (ctx, PROTO_ERR_INTERNAL, "cannot start the backup thread");
    }
    pthread_detach (thread);
    ctx->reply = json_pack ("{s:s, s:s, s:I}", "state", "running", "dir", dir, "seq",
                            (json_int_t)ctx->hall->last_seq);
    return 0;
}

int
broker_h_backup_status (broker_ctx_t *ctx, const json_t *body)
{
    (void)body;
    pthread_mutex_lock (&s_backup.lock);
    const char *state = s_backup.running   ? "running"
                        : !s_backup.dir[0] ? "none"
                        : s_backup.rc      ? "failed"
                                           : "done";
    ctx->reply = json_pack ("{s:s, s:s, s:I, s:I, s:I, s:s}", "state", state, "dir", s_backup.dir,
                            "started", (json_int_t)s_backup.started, "ms", (json_int_t)s_backup.ms,
                            "bytes", (json_int_t)s_backup.bytes, "error", s_backup.error);
    pthread_mutex_unlock (&s_backup.lock);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  The simulated clock

int
broker_h_clock_advance (broker_ctx_t *ctx, const json_t *body)
{
    if (!broker_clock_simulated (ctx->clock))
        return broker_fail (ctx, PROTO_ERR_NOT_SIMULATED,
                            "the broker runs on the real clock; start it with --clock sim");
    json_int_t ms = json_integer_value (json_object_get (body, "ms"));
    if (ms < 0 || ms > (json_int_t)366 * 86400000)
        return broker_fail (ctx, PROTO_ERR_BAD_FIELD, "ms must be from 0 to 366 days");
    broker_clock_advance (ctx->clock, ms);
    ctx->now = broker_clock_now (ctx->clock);
    char now[24];
    int len = snprintf (now, sizeof now, "%lld", (long long)ctx->now);
    broker_store_put (ctx->store, BROKER_DB_META, "sim_now", 7, now, (size_t)len);
    broker_emit (ctx, PROTO_EVT_CLOCK_ADVANCED,
                 json_pack ("{s:I, s:I}", "ms", ms, "now", (json_int_t)ctx->now));
    //  Whatever became due at the new time happens in the same transaction.
    broker_timers (ctx);
    ctx->reply = json_pack ("{s:I}", "now", (json_int_t)ctx->now);
    return 0;
}

int
broker_h_calendar_reload (broker_ctx_t *ctx, const json_t *body)
{
    (void)body;
    return broker_reload_calendar (ctx, "calendar.reload");
}
