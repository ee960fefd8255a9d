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

//  The event table as rows: a topic's row (topic set) is followed by its fields' rows.
typedef struct {
    const char *topic;   //  NULL on a field's row
    const char *spec;    //  the field's "name:T", or the topic's summary
    const char *meaning; //  the field's meaning; NULL on a topic's row
} s_event_row_t;

static const s_event_row_t s_event_rows[] = {
#define E(id, topic, summary) {topic, summary, NULL},
#define F(spec, meaning)      {NULL, spec, meaning},
    PROTO_EVENT_TABLE (E, F)
#undef E
#undef F
};

static const s_event_row_t s_event_common[] = {
#define F(spec, meaning) {NULL, spec, meaning},
    PROTO_EVENT_COMMON (F)
#undef F
};

#define S_ROWS(a) (sizeof (a) / sizeof (a)[0])

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
    if ((int)err < 0 || err >= PROTO_ERR_COUNT)
        return "internal";
    return s_errors[err].code;
}

const char *
proto_err_desc (proto_err_t err)
{
    if ((int)err < 0 || err >= PROTO_ERR_COUNT)
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
    if ((int)role < 0 || role >= PROTO_ROLE_COUNT)
        return "?";
    return s_roles[role].name;
}

const char *
proto_role_desc (proto_role_t role)
{
    if ((int)role < 0 || role >= PROTO_ROLE_COUNT)
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

//  The row of `evt`'s topic, or NULL for out-of-range values.
static const s_event_row_t *
s_event_row (proto_evt_t evt)
{
    int seen = -1;
    for (size_t i = 0; i < S_ROWS (s_event_rows); i++)
        if (s_event_rows[i].topic && ++seen == (int)evt)
            return &s_event_rows[i];
    return NULL;
}

const char *
proto_evt_topic (proto_evt_t evt)
{
    const s_event_row_t *row = s_event_row (evt);
    return row ? row->topic : "?";
}

const char *
proto_evt_summary (proto_evt_t evt)
{
    const s_event_row_t *row = s_event_row (evt);
    return row ? row->spec : "?";
}

int
proto_evt_lookup (const char *topic)
{
    for (int i = 0; i < PROTO_EVT_COUNT; i++)
        if (topic && strcmp (proto_evt_topic (i), topic) == 0)
            return i;
    return -1;
}

//  Fills *f from a field's row.
static bool
s_field_of (const s_event_row_t *row, proto_field_t *f)
{
    const char *p = row->spec;
    if (strcmp (p, "*") == 0) {
        memset (f, 0, sizeof *f);
        f->name[0] = '*';
    } else if (!proto_spec_next (&p, f))
        return false;
    f->meaning = row->meaning;
    return true;
}

bool
proto_evt_field (proto_evt_t evt, size_t n, proto_field_t *f)
{
    const s_event_row_t *row = s_event_row (evt);
    if (!row)
        return false;
    const s_event_row_t *end = s_event_rows + S_ROWS (s_event_rows);
    for (row++; row < end && !row->topic; row++, n--)
        if (n == 0)
            return s_field_of (row, f);
    return false;
}

bool
proto_evt_common_field (size_t n, proto_field_t *f)
{
    return n < S_ROWS (s_event_common) && s_field_of (&s_event_common[n], f);
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
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
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
proto_request_decode (const proto_frame_t *frames, size_t count, proto_request_t *req, char *why,
                      size_t why_size)
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
    if (frames[0].size != strlen (PROTO_SIGNATURE) ||
        memcmp (frames[0].data, PROTO_SIGNATURE, frames[0].size) != 0) {
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
        int n = frames[1].size > 40 ? 40 : (int)frames[1].size;
        //  Only printable bytes go into the message, so it stays valid UTF-8/ASCII.
        char name[41];
        for (int i = 0; i < n; i++) {
            unsigned char c = ((const unsigned char *)frames[1].data)[i];
            name[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        name[n] = 0;
        s_why (why, why_size, "unknown command \"%s\"", name);
        return PROTO_ERR_UNKNOWN_COMMAND;
    }
    if (frames[3].size > PROTO_MAX_BODY) {
        s_why (why, why_size, "body is %zu bytes; the limit is %d", frames[3].size, PROTO_MAX_BODY);
        return PROTO_ERR_TOO_LARGE;
    }
    json_error_t jerr;
    //  jansson rejects invalid UTF-8 and \u0000; we also reject duplicate keys.
    json_t *body = json_loadb (frames[3].data, frames[3].size,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!body) {
        s_why (why, why_size, "body is not valid JSON: %s (at byte %d)", jerr.text, jerr.position);
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

const char *
proto_type_name (char t)
{
    switch (t) {
    case 's': return "string";
    case 'i': return "integer";
    case 'b': return "boolean";
    case 'o': return "object";
    case 'a': return "array";
    case 'n': return "number";
    default: return "?";
    }
}

//  "a string", "an integer", ... for messages.
static const char *
s_a_type (char t)
{
    return t == 'i' || t == 'o' || t == 'a' ? "an" : "a";
}

//  True if `v` has type `t`. A command's strings are 1..PROTO_MAX_STRING bytes (`strict`);
//  an event's may be empty and of any length.
static bool
s_type_ok (char t, const json_t *v, bool strict)
{
    switch (t) {
    case 's':
        return json_is_string (v) && (!strict || (json_string_length (v) >= 1 &&
                                                  json_string_length (v) <= PROTO_MAX_STRING));
    case 'i': return json_is_integer (v);
    case 'b': return json_is_boolean (v);
    case 'o': return json_is_object (v);
    case 'a': return json_is_array (v);
    case 'n': return json_is_number (v);
    default: return false;
    }
}

bool
proto_spec_next (const char **p, proto_field_t *f)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    const char *colon = strchr (s, ':');
    if (!colon || !colon[1])
        return false;
    memset (f, 0, sizeof *f);
    size_t len = (size_t)(colon - s);
    if (len > PROTO_FIELD_NAME_MAX)
        len = PROTO_FIELD_NAME_MAX;
    memcpy (f->name, s, len);
    f->type = colon[1];
    f->optional = colon[2] == '?';
    f->meaning = "";
    *p = colon + 2 + (f->optional ? 1 : 0);
    return true;
}

//  Finds `key` among the fields of `spec`; true and *f filled if it is there.
static bool
s_spec_find (const char *spec, const char *key, proto_field_t *f)
{
    while (proto_spec_next (&spec, f))
        if (strcmp (f->name, key) == 0)
            return true;
    return false;
}

//  Checks one field of `what` (a command or topic name) in `body`: present unless optional,
//  and of its type. PROTO_ERR_OK, MISSING_FIELD or BAD_FIELD with the reason in `why`.
static proto_err_t
s_check_field (const char *what, const proto_field_t *f, const json_t *body, bool strict, char *why,
               size_t why_size)
{
    const json_t *v = json_object_get (body, f->name);
    if (!v || json_is_null (v)) {
        if (f->optional)
            return PROTO_ERR_OK;
        s_why (why, why_size, "%s needs field \"%s\" (%s %s)", what, f->name, s_a_type (f->type),
               proto_type_name (f->type));
        return PROTO_ERR_MISSING_FIELD;
    }
    if (s_type_ok (f->type, v, strict))
        return PROTO_ERR_OK;
    if (strict && f->type == 's' && json_is_string (v))
        s_why (why, why_size, "field \"%s\" must be 1..%d bytes long", f->name, PROTO_MAX_STRING);
    else
        s_why (why, why_size, "field \"%s\" must be %s %s", f->name, s_a_type (f->type),
               proto_type_name (f->type));
    return PROTO_ERR_BAD_FIELD;
}

//  The reason for a key `what` does not have, clipped so the message stays short.
static void
s_why_unknown (char *why, size_t why_size, const char *what, const char *key)
{
    char shown[72];
    proto_utf8_clip (shown, sizeof shown, key, 64);
    s_why (why, why_size, "%s has no field \"%s\"", what, shown);
}

proto_err_t
proto_validate (proto_cmd_t cmd, const json_t *body, char *why, size_t why_size)
{
    const char *name = s_commands[cmd].name;
    //  Every field the spec requires must be there with its type.
    proto_field_t f;
    const char *p = s_commands[cmd].fields;
    while (proto_spec_next (&p, &f)) {
        proto_err_t err = s_check_field (name, &f, body, true, why, why_size);
        if (err != PROTO_ERR_OK)
            return err;
    }
    //  And nothing else may be: a misspelt optional field must not pass silently.
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)body, key, value) {
        (void)value;
        if (!s_spec_find (s_commands[cmd].fields, key, &f)) {
            s_why_unknown (why, why_size, name, key);
            return PROTO_ERR_BAD_FIELD;
        }
    }
    return PROTO_ERR_OK;
}

//  True if `key` is a common field or one of evt's own; *open set if evt takes any field.
static bool
s_evt_declares (proto_evt_t evt, const char *key, bool *open)
{
    proto_field_t f;
    for (size_t n = 0; proto_evt_common_field (n, &f); n++)
        if (strcmp (f.name, key) == 0)
            return true;
    for (size_t n = 0; proto_evt_field (evt, n, &f); n++) {
        if (f.name[0] == '*')
            *open = true;
        else if (strcmp (f.name, key) == 0)
            return true;
    }
    return false;
}

int
proto_event_check (proto_evt_t evt, const json_t *body, char *why, size_t why_size)
{
    if ((unsigned)evt >= PROTO_EVT_COUNT || !json_is_object (body)) {
        s_why (why, why_size, "not an event body of a known topic");
        return -1;
    }
    const char *topic = proto_evt_topic (evt);
    proto_field_t f;
    for (size_t n = 0; proto_evt_common_field (n, &f); n++)
        if (s_check_field (topic, &f, body, false, why, why_size) != PROTO_ERR_OK)
            return -1;
    for (size_t n = 0; proto_evt_field (evt, n, &f); n++)
        if (f.type && s_check_field (topic, &f, body, false, why, why_size) != PROTO_ERR_OK)
            return -1;
    if (strcmp (json_string_value (json_object_get (body, "topic")), topic) != 0) {
        s_why (why, why_size, "a %s event says its topic is \"%s\"", topic,
               json_string_value (json_object_get (body, "topic")));
        return -1;
    }
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)body, key, value) {
        (void)value;
        bool open = false;
        if (!s_evt_declares (evt, key, &open) && !open) {
            s_why_unknown (why, why_size, topic, key);
            return -1;
        }
    }
    return 0;
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
    if (!body) //  the message was not valid UTF-8: fall back to the table's wording
        body =
            json_pack ("{s:s, s:s}", "code", proto_err_code (err), "message", proto_err_desc (err));
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
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    memcpy (out, s, n);
    out[n] = 0;
}
