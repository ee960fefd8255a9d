/*  broker_devices.c — see broker_devices.h. */
#include "broker_devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_keys.h"

typedef struct {
    char key[PROTO_KEY_Z85 + 1];
    char name[65];
    int role;
    int64_t enrolled;
    int64_t revoked; //  0 while valid
} s_device_t;

struct broker_devices {
    s_device_t *list;
    int count, cap;
};

broker_devices_t *
broker_devices_new (void)
{
    return calloc (1, sizeof (broker_devices_t));
}

void
broker_devices_destroy (broker_devices_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->list);
    free (*self_p);
    *self_p = NULL;
}

static s_device_t *
s_find (const broker_devices_t *self, const char *key)
{
    for (int i = 0; key && i < self->count; i++)
        if (strcmp (self->list[i].key, key) == 0)
            return &self->list[i];
    return NULL;
}

static s_device_t *
s_add (broker_devices_t *self, const char *key)
{
    s_device_t *d = s_find (self, key);
    if (d)
        return d;
    if (self->count == self->cap) {
        int cap = self->cap ? self->cap * 2 : 16;
        s_device_t *list = realloc (self->list, (size_t)cap * sizeof *list);
        if (!list)
            return NULL;
        self->list = list;
        self->cap = cap;
    }
    d = &self->list[self->count++];
    memset (d, 0, sizeof *d);
    snprintf (d->key, sizeof d->key, "%s", key);
    return d;
}

static json_t *
s_json (const s_device_t *d)
{
    return json_pack ("{s:s, s:s, s:s, s:I, s:I}", "public", d->key, "name", d->name, "role",
                      proto_role_name (d->role), "enrolled", (json_int_t)d->enrolled, "revoked",
                      (json_int_t)d->revoked);
}

//  One stored device (key: its public key in Z85); an unreadable one is left out.
static void
s_load_one (broker_devices_t *self, const MDB_val *key, const MDB_val *val)
{
    if (key->mv_size != PROTO_KEY_Z85)
        return;
    char k[PROTO_KEY_Z85 + 1];
    memcpy (k, key->mv_data, PROTO_KEY_Z85);
    k[PROTO_KEY_Z85] = 0;
    json_t *j = json_loadb (val->mv_data, val->mv_size, 0, NULL);
    int role = j ? proto_role_lookup (json_string_value (json_object_get (j, "role"))
                                          ? json_string_value (json_object_get (j, "role"))
                                          : "")
                 : -1;
    s_device_t *d = role >= 0 ? s_add (self, k) : NULL;
    if (d) {
        d->role = role;
        snprintf (d->name, sizeof d->name, "%s",
                  json_string_value (json_object_get (j, "name"))
                      ? json_string_value (json_object_get (j, "name"))
                      : "");
        d->enrolled = json_integer_value (json_object_get (j, "enrolled"));
        d->revoked = json_integer_value (json_object_get (j, "revoked"));
    }
    json_decref (j);
}

int
broker_devices_load (broker_devices_t *self, broker_store_t *store)
{
    self->count = 0;
    broker_store_iter_t it;
    broker_store_scan (store, BROKER_DB_DEVICES, NULL, 0, &it);
    while (broker_store_next (&it))
        s_load_one (self, &it.key, &it.val);
    return broker_store_scan_end (&it) == 0 ? 0 : -1;
}

int
broker_devices_role (const broker_devices_t *self, const char *public_key)
{
    const s_device_t *d = s_find (self, public_key);
    return d && !d->revoked ? d->role : -1;
}

const char *
broker_devices_name (const broker_devices_t *self, const char *public_key)
{
    const s_device_t *d = s_find (self, public_key);
    return d ? d->name : "";
}

static void
s_save (broker_store_t *store, const s_device_t *d)
{
    json_t *j = s_json (d);
    broker_store_put_json (store, BROKER_DB_DEVICES, d->key, PROTO_KEY_Z85, j);
    json_decref (j);
}

int
broker_devices_enroll (broker_devices_t *self, broker_store_t *store, const char *public_key,
                       proto_role_t role, const char *name, int64_t now)
{
    if (!proto_keys_valid (public_key) || (int)role < 0 || role >= PROTO_ROLE_COUNT || !name ||
        !*name || strlen (name) > 64)
        return -1;
    s_device_t *d = s_add (self, public_key);
    if (!d)
        return -1;
    d->role = role;
    snprintf (d->name, sizeof d->name, "%s", name);
    d->enrolled = now;
    d->revoked = 0;
    s_save (store, d);
    return 0;
}

int
broker_devices_revoke (broker_devices_t *self, broker_store_t *store, const char *key_or_name,
                       int64_t now)
{
    int n = 0;
    for (int i = 0; i < self->count; i++) {
        s_device_t *d = &self->list[i];
        if (!d->revoked &&
            (strcmp (d->key, key_or_name) == 0 || strcmp (d->name, key_or_name) == 0)) {
            d->revoked = now;
            s_save (store, d);
            n++;
        }
    }
    return n ? 0 : -1;
}

json_t *
broker_devices_json (const broker_devices_t *self)
{
    json_t *list = json_array ();
    for (int i = 0; i < self->count; i++)
        json_array_append_new (list, s_json (&self->list[i]));
    return list;
}

int
broker_devices_count (const broker_devices_t *self)
{
    int n = 0;
    for (int i = 0; i < self->count; i++)
        n += !self->list[i].revoked;
    return n;
}
