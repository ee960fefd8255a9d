/*  proto_msg.c — table lookups, request decoding and field validation. */
#include "proto_msg.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const proto_command_t s_commands[] = {
#define X(id, fn, name, roles, flags, fields, summary) {name, roles, flags, fields, summary},
    PROTO_COMMANDS (X)
#undef X
};

static const struct {
    const char *code;
    const char *desc;
} s_errors[] = {
#define X(id, code, desc) {code, desc},
    PROTO_ERRORS (X)
#undef X
};

static const struct {
    const char *name;
    const char *desc;
} s_roles[] = {
#define X(id, name, desc) {name, desc},
    PROTO_ROLES (X)
#undef X
};

static const struct {
    const char *topic;
    const char *fields;
} s_events[] = {
#define X(id, topic, fields) {topic, fields},
    PROTO_EVENTS (X)
#undef X
};

const proto_command_t *
proto_command (proto_cmd_t cmd)
{
    return &s_commands[cmd];
}

int
proto_command_lookup (const char *name, size_t len)
{
    for (int i = 0; i < PROTO_CMD_COUNT; i++)
        if (strlen (s_commands[i].name) == len && memcmp (s_commands[i].name, name, len) == 0)
            return i;
    return -1;
}

const char *
proto_err_code (proto_err_t err)
{
    if ((int) err < 0 || err >= PROTO_ERR_COUNT)
        return "internal";
    return s_errors[err].code;
}

const char *
proto_err_desc (proto_err_t err)
{
    if ((int) err < 0 || err >= PROTO_ERR_COUNT)
        return "an internal error";
    return s_errors[err].desc;
}

int
proto_err_lookup (const char *code)
{
    for (int i = 0; i < PROTO_ERR_COUNT; i++)
        if (strcmp (s_errors[i].code, code) == 0)
            return i;
    return -1;
}

const char *
proto_role_name (proto_role_t role)
{
    if ((int) role < 0 || role >= PROTO_ROLE_COUNT)
        return "?";
    return s_roles[role].name;
}

const char *
proto_role_desc (proto_role_t role)
{
    if ((int) role < 0 || role >= PROTO_ROLE_COUNT)
        return "?";
    return s_roles[role].desc;
}

int
proto_role_lookup (const char *name)
{
    for (int i = 0; i < PROTO_ROLE_COUNT; i++)
        if (strcmp (s_roles[i].name, name) == 0)
            return i;
    return -1;
}

const char *
proto_evt_topic (proto_evt_t evt)
{
    return (unsigned) evt < PROTO_EVT_COUNT ? s_events[evt].topic : "?";
}

const char *
proto_evt_fields (proto_evt_t evt)
{
    return (unsigned) evt < PROTO_EVT_COUNT ? s_events[evt].fields : "?";
}

static void
s_why (char *why, size_t size, const char *fmt, ...)
{
    if (!why || !size)
        return;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (why, size, fmt, ap);
    va_end (ap);
}

bool
proto_request_id_valid (const char *s, size_t len)
{
    if (len == 0 || len > PROTO_MAX_REQUEST_ID)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) s[i] < 0x21 || (unsigned char) s[i] > 0x7e)
            return false;
    return true;
}

void
proto_request_id_new (char *out)
{
    unsigned char raw[16];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (out, 33, raw, sizeof raw);
}

void
proto_request_reset (proto_request_t *req)
{
    json_decref (req->body);
    memset (req, 0, sizeof *req);
    req->cmd = -1;
}

proto_err_t
proto_request_decode (const proto_frame_t *frames, size_t count, proto_request_t *req,
                      char *why, size_t why_size)
{
    memset (req, 0, sizeof *req);
    req->cmd = -1;
    //  The request id comes first so that every later error can be echoed with it.
    if (count == 4 && proto_request_id_valid (frames[2].data, frames[2].size)) {
        memcpy (req->request_id, frames[2].data, frames[2].size);
        req->request_id[frames[2].size] = 0;
    }
    if (count != 4) {
        s_why (why, why_size, "expected 4 frames [signature, command, request-id, body], got %zu",
               count);
        return PROTO_ERR_BAD_FRAME;
    }
    if (frames[0].size != strlen (PROTO_SIGNATURE)
        || memcmp (frames[0].data, PROTO_SIGNATURE, frames[0].size) != 0) {
        s_why (why, why_size, "first frame must be the signature \"%s\"", PROTO_SIGNATURE);
        return PROTO_ERR_BAD_SIGNATURE;
    }
    if (!req->request_id[0]) {
        s_why (why, why_size, "request id must be 1..%d bytes of printable ASCII",
               PROTO_MAX_REQUEST_ID);
        return PROTO_ERR_BAD_REQUEST_ID;
    }
    req->cmd = proto_command_lookup (frames[1].data, frames[1].size);
    if (req->cmd < 0) {
        int n = frames[1].size > 40 ? 40 : (int) frames[1].size;
        //  Only printable bytes go into the message, so it stays valid UTF-8/ASCII.
        char name[41];
        for (int i = 0; i < n; i++) {
            unsigned char c = ((const unsigned char *) frames[1].data)[i];
            name[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
        }
        name[n] = 0;
        s_why (why, why_size, "unknown command \"%s\"", name);
        return PROTO_ERR_UNKNOWN_COMMAND;
    }
    if (frames[3].size > PROTO_MAX_BODY) {
        s_why (why, why_size, "body is %zu bytes; the limit is %d", frames[3].size,
               PROTO_MAX_BODY);
        return PROTO_ERR_TOO_LARGE;
    }
    json_error_t jerr;
    //  jansson rejects invalid UTF-8 and \u0000; we also reject duplicate keys.
    json_t *body = json_loadb (frames[3].data, frames[3].size,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!body) {
        s_why (why, why_size, "body is not valid JSON: %s (at byte %d)", jerr.text,
               jerr.position);
        return PROTO_ERR_BAD_JSON;
    }
    if (!json_is_object (body)) {
        json_decref (body);
        s_why (why, why_size, "body must be a JSON object");
        return PROTO_ERR_BAD_BODY;
    }
    req->body = body;
    return proto_validate (req->cmd, body, why, why_size);
}

static const char *
s_type_name (char t)
{
    switch (t) {
    case 's': return "a string";
    case 'i': return "an integer";
    case 'b': return "a boolean";
    case 'o': return "an object";
    case 'a': return "an array";
    case 'n': return "a number";
    default: return "?";
    }
}

static bool
s_type_ok (char t, const json_t *v)
{
    switch (t) {
    case 's':
        return json_is_string (v) && json_string_length (v) >= 1
               && json_string_length (v) <= PROTO_MAX_STRING;
    case 'i': return json_is_integer (v);
    case 'b': return json_is_boolean (v);
    case 'o': return json_is_object (v);
    case 'a': return json_is_array (v);
    case 'n': return json_is_number (v);
    default: return false;
    }
}

//  Finds `key` in the spec; returns its type char and sets *optional, or 0 if absent.
static char
s_spec_find (const char *spec, const char *key, bool *optional)
{
    size_t klen = strlen (key);
    const char *p = spec;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *colon = strchr (p, ':');
        if (!colon)
            break;
        const char *end = colon + 2;
        bool opt = *end == '?';
        if ((size_t) (colon - p) == klen && memcmp (p, key, klen) == 0) {
            *optional = opt;
            return colon[1];
        }
        p = end + (opt ? 1 : 0);
    }
    return 0;
}

proto_err_t
proto_validate (proto_cmd_t cmd, const json_t *body, char *why, size_t why_size)
{
    const char *spec = s_commands[cmd].fields;
    //  Every field the spec requires must be there with its type.
    const char *p = spec;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *colon = strchr (p, ':');
        if (!colon)
            break;
        char name[64];
        size_t nlen = (size_t) (colon - p) < sizeof name - 1 ? (size_t) (colon - p)
                                                              : sizeof name - 1;
        memcpy (name, p, nlen);
        name[nlen] = 0;
        char type = colon[1];
        bool opt = colon[2] == '?';
        const json_t *v = json_object_get (body, name);
        if (!v || json_is_null (v)) {
            if (!opt) {
                s_why (why, why_size, "%s needs field \"%s\" (%s)", s_commands[cmd].name, name,
                       s_type_name (type));
                return PROTO_ERR_MISSING_FIELD;
            }
        }
        else if (!s_type_ok (type, v)) {
            if (type == 's' && json_is_string (v))
                s_why (why, why_size, "field \"%s\" must be 1..%d bytes long", name,
                       PROTO_MAX_STRING);
            else
                s_why (why, why_size, "field \"%s\" must be %s", name, s_type_name (type));
            return PROTO_ERR_BAD_FIELD;
        }
        p = colon + 2 + (opt ? 1 : 0);
    }
    //  And nothing else may be: a misspelt optional field must not pass silently.
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *) body, key, value) {
        bool opt;
        (void) value;
        if (!s_spec_find (spec, key, &opt)) {
            char shown[72];
            proto_utf8_clip (shown, sizeof shown, key, 64);
            s_why (why, why_size, "%s has no field \"%s\"", s_commands[cmd].name, shown);
            return PROTO_ERR_BAD_FIELD;
        }
    }
    return PROTO_ERR_OK;
}

char *
proto_json_dump (const json_t *body)
{
    return json_dumps (body, JSON_COMPACT);
}

json_t *
proto_error_body (proto_err_t err, const char *message)
{
    json_t *body = json_pack ("{s:s, s:s}", "code", proto_err_code (err), "message",
                              message && *message ? message : proto_err_desc (err));
    if (!body)  //  the message was not valid UTF-8: fall back to the table's wording
        body = json_pack ("{s:s, s:s}", "code", proto_err_code (err), "message",
                          proto_err_desc (err));
    return body;
}

void
proto_utf8_clip (char *out, size_t out_size, const char *s, size_t max_bytes)
{
    size_t n = strlen (s);
    if (n > max_bytes)
        n = max_bytes;
    if (out_size == 0)
        return;
    if (n > out_size - 1)
        n = out_size - 1;
    //  Back up over continuation bytes so no character is cut in half.
    if (n < strlen (s))
        while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
            n--;
    memcpy (out, s, n);
    out[n] = 0;
}
