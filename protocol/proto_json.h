/*  proto_json.h — reading the members of protocol bodies without a NULL check at every use.

    Replies and events are JSON objects whose members may be absent (an old broker, an
    optional field); these accessors give the empty value instead of NULL so that views
    can print and compare without guarding each lookup. */
#ifndef PROTO_JSON_H
#define PROTO_JSON_H

#include <jansson.h>
#include <stdbool.h>

//  A string member of `j`, or "" (never NULL). Borrowed from `j`.
const char *proto_str (const json_t *j, const char *key);
//  An integer member of `j`, or 0.
json_int_t proto_int (const json_t *j, const char *key);
//  True if member `key` of `j` is the string `value`.
bool proto_is (const json_t *j, const char *key, const char *value);

#endif
