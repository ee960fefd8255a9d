/*  district_config.c — see district_config.h. */
#include "district_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_index.h"
#include "proto_text.h"

#define DEFAULT_EVENTS "tcp://127.0.0.1:7300"

const char *
district_kind_name (district_kind_t kind)
{
    return kind == DISTRICT_KIND_TOWN ? "town_centre" : "district_hall";
}

const char *
district_kind_label (district_kind_t kind)
{
    return kind == DISTRICT_KIND_TOWN ? "街镇便民服务中心" : "区级政务服务中心";
}

//  1..16 letters, digits, - or _: the broker's rule for hall.id.
static bool
s_id_ok (const char *id)
{
    size_t n = id ? strlen (id) : 0;
    if (n < 1 || n > DISTRICT_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum ((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return false;
    return true;
}

//  The string member `key` of `obj` copied into *out; `def` when absent (NULL: required).
static int
s_str (const json_t *obj, const char *key, const char *def, char **out, const char *where,
       char *err, size_t size)
{
    const json_t *v = json_object_get (obj, key);
    if (v && (!json_is_string (v) || !*json_string_value (v)))
        return proto_fail (err, size, "%s.%s must be a non-empty string", where, key);
    if (!v && !def)
        return proto_fail (err, size, "%s.%s is required", where, key);
    *out = strdup (v ? json_string_value (v) : def);
    return *out ? 0 : proto_fail (err, size, "out of memory");
}

//  Members of `obj` other than the NULL-terminated `known` are refused: a misspelt key
//  would otherwise be ignored in silence.
static int
s_known (const json_t *obj, const char *const *known, const char *where, char *err, size_t size)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)obj, key, v) {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp (*k, key) == 0;
        if (!ok)
            return proto_fail (err, size, "%s: unknown key \"%s\"", where, key);
    }
    return 0;
}

//  The broker's public key from `value` (Z85 or a file, relative to `dir`).
static int
s_server_key (const char *value, const char *dir, char *out, const char *where, char *err,
              size_t size)
{
    char path[8300], why[256];
    if (value[0] != '/' && !proto_keys_valid (value))
        snprintf (path, sizeof path, "%s/%s", dir, value);
    else
        snprintf (path, sizeof path, "%s", value);
    if (proto_keys_public (path, out, why, sizeof why) != 0)
        return proto_fail (err, size, "%s.server_key: %s", where, why);
    return 0;
}

static int
s_hall (district_config_t *self, size_t i, const json_t *h, const char *dir, bool insecure,
        char *err, size_t size)
{
    static const char *const known[] = {"id",     "name",       "kind",  "request",
                                        "events", "server_key", "index", NULL};
    char where[64];
    snprintf (where, sizeof where, "halls[%zu]", i);
    if (!json_is_object (h))
        return proto_fail (err, size, "%s must be an object", where);
    district_hall_cfg_t *hall = &self->halls[i];
    const char *id = json_string_value (json_object_get (h, "id"));
    if (!s_id_ok (id))
        return proto_fail (err, size, "%s.id must be the hall's id: 1..16 letters, digits, - or _",
                           where);
    snprintf (hall->id, sizeof hall->id, "%s", id);
    if (district_config_hall (self, id) != hall)
        return proto_fail (err, size, "%s.id \"%s\" is listed twice", where, id);
    const char *kind = json_string_value (json_object_get (h, "kind"));
    if (!kind || (strcmp (kind, "district_hall") != 0 && strcmp (kind, "town_centre") != 0))
        return proto_fail (err, size, "%s.kind must be \"district_hall\" or \"town_centre\"",
                           where);
    hall->kind = strcmp (kind, "town_centre") == 0 ? DISTRICT_KIND_TOWN : DISTRICT_KIND_HALL;
    if (s_known (h, known, where, err, size) ||
        s_str (h, "name", NULL, &hall->name, where, err, size) ||
        s_str (h, "request", NULL, &hall->request, where, err, size))
        return -1;
    if (json_object_get (h, "events") && s_str (h, "events", NULL, &hall->events, where, err, size))
        return -1;
    const char *key = json_string_value (json_object_get (h, "server_key"));
    if (json_object_get (h, "server_key") && !key)
        return proto_fail (err, size, "%s.server_key must be a string", where);
    if (insecure && key)
        return proto_fail (err, size, "%s.server_key is given but the district runs --insecure",
                           where);
    if (!insecure && !key)
        return proto_fail (err, size,
                           "%s.server_key is required with --key (the broker's public key or its "
                           ".pub file)",
                           where);
    if (key && s_server_key (key, dir, hall->server_key, where, err, size))
        return -1;
    hall->index = json_object_get (h, "index");
    if (hall->index && !json_is_object (hall->index))
        return proto_fail (err, size, "%s.index must be an object", where);
    return 0;
}

//  The index config: the defaults, the district's `index` and each hall's own, checked.
static int
s_scoring (district_config_t *self, char *err, size_t size)
{
    json_t *over = self->index ? json_deep_copy (self->index) : json_object ();
    json_t *halls = json_object ();
    if (over && halls && !json_object_get (over, "halls"))
        json_object_set (over, "halls", halls);
    json_t *own = json_object_get (over, "halls");
    for (size_t i = 0; own && i < self->nhalls; i++)
        if (self->halls[i].index)
            json_object_set (own, self->halls[i].id, self->halls[i].index);
    json_t *defaults = proto_index_config_default ();
    char why[400] = "out of memory";
    self->scoring =
        over && defaults ? proto_index_config_merge (defaults, over, why, sizeof why) : NULL;
    json_decref (defaults);
    json_decref (halls);
    json_decref (over);
    return self->scoring ? 0 : proto_fail (err, size, "index (with the halls' own): %s", why);
}

static int
s_parse (district_config_t *self, const char *dir, bool insecure, char *err, size_t size)
{
    static const char *const known[] = {"district", "halls", "index", NULL};
    static const char *const dknown[] = {"id", "name", "events", NULL};
    if (!json_is_object (self->root) || s_known (self->root, known, "config", err, size))
        return json_is_object (self->root) ? -1
                                           : proto_fail (err, size, "the config is not an object");
    const json_t *d = json_object_get (self->root, "district");
    if (!json_is_object (d))
        return proto_fail (err, size, "\"district\" is required (an object with id and name)");
    if (s_known (d, dknown, "district", err, size) ||
        s_str (d, "name", NULL, &self->name, "district", err, size) ||
        s_str (d, "events", DEFAULT_EVENTS, &self->events, "district", err, size))
        return -1;
    if (!s_id_ok (json_string_value (json_object_get (d, "id"))))
        return proto_fail (err, size, "district.id must be 1..16 letters, digits, - or _");
    snprintf (self->id, sizeof self->id, "%s", json_string_value (json_object_get (d, "id")));
    if (!proto_endpoint_is_local (self->events))
        return proto_fail (err, size,
                           "district.events (%s) must be local to this machine (ipc://, or tcp on "
                           "127.0.0.1): its stream is not encrypted; other machines read the HTTP "
                           "views",
                           self->events);
    const json_t *halls = json_object_get (self->root, "halls");
    size_t n = json_array_size (halls);
    if (!json_is_array (halls) || n == 0 || n > DISTRICT_MAX_HALLS)
        return proto_fail (err, size, "\"halls\" must list 1..%d halls", DISTRICT_MAX_HALLS);
    self->halls = calloc (n, sizeof *self->halls);
    if (!self->halls)
        return proto_fail (err, size, "out of memory");
    for (size_t i = 0; i < n; i++) {
        self->nhalls = i + 1;
        if (s_hall (self, i, json_array_get (halls, i), dir, insecure, err, size))
            return -1;
    }
    self->index = json_object_get (self->root, "index");
    if (self->index && !json_is_object (self->index))
        return proto_fail (err, size, "\"index\" must be an object");
    return s_scoring (self, err, size);
}

district_config_t *
district_config_load (const char *path, bool insecure, char *err, size_t size)
{
    district_config_t *self = calloc (1, sizeof *self);
    if (!self) {
        proto_fail (err, size, "out of memory");
        return NULL;
    }
    json_error_t jerr;
    self->root = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
    if (!self->root) {
        proto_fail (err, size, "%s: %s (line %d)", path, jerr.text, jerr.line);
        district_config_destroy (&self);
        return NULL;
    }
    char dir[4096];
    snprintf (dir, sizeof dir, "%s", path);
    char *slash = strrchr (dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf (dir, sizeof dir, ".");
    char why[512];
    if (s_parse (self, dir, insecure, why, sizeof why) != 0) {
        proto_fail (err, size, "%s: %s", path, why);
        district_config_destroy (&self);
    }
    return self;
}

void
district_config_destroy (district_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_config_t *self = *self_p;
    for (size_t i = 0; i < self->nhalls; i++) {
        free (self->halls[i].name);
        free (self->halls[i].request);
        free (self->halls[i].events);
    }
    free (self->halls);
    free (self->name);
    free (self->events);
    json_decref (self->scoring);
    json_decref (self->root);
    free (self);
    *self_p = NULL;
}

const district_hall_cfg_t *
district_config_hall (const district_config_t *self, const char *id)
{
    for (size_t i = 0; i < self->nhalls; i++)
        if (strcmp (self->halls[i].id, id) == 0)
            return &self->halls[i];
    return NULL;
}
