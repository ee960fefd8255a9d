/*  proto_json.c — see proto_json.h. */
#include "proto_json.h"

#include <string.h>

const char *
proto_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

json_int_t
proto_int (const json_t *j, const char *key)
{
    return json_integer_value (json_object_get (j, key));
}

bool
proto_is (const json_t *j, const char *key, const char *value)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v && strcmp (v, value) == 0;
}
