/*  proto_msg.h — enums, lookups, request decoding and body validation, all generated from
    proto_table.h. The frames themselves are sent and read by proto_wire.h.

    Wire format (see PROTOCOL.md):
      request  DEALER→ROUTER  [PROTO_SIGNATURE, command, request-id, body-json]
      reply    ROUTER→DEALER  [PROTO_SIGNATURE, "ok" | error-code, request-id, body-json]
      event    PUB→SUB        [topic, sequence (decimal), body-json]
*/
#ifndef PROTO_MSG_H
#define PROTO_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto_table.h"

//  The first frame of every request and reply: protocol name and version.
#define PROTO_SIGNATURE "OW1"
//  Bodies larger than this get a `too_large` reply.
#define PROTO_MAX_BODY (64 * 1024)
//  Frames larger than this are dropped by ZeroMQ itself (ZMQ_MAXMSGSIZE, which libzmq
//  applies per frame): the peer is disconnected without a reply. Frames after the fourth
//  are discarded as soon as they are read.
#define PROTO_MAX_MSG (1024 * 1024)
//  Longest request id, in bytes.
#define PROTO_MAX_REQUEST_ID 64
//  Longest string field value, in bytes.
#define PROTO_MAX_STRING 1024

typedef enum {
#define X(id, name, desc) PROTO_ROLE_##id,
    PROTO_ROLES (X)
#undef X
        PROTO_ROLE_COUNT
} proto_role_t;

typedef enum {
#define X(id, fn, name, roles, flags, fields, summary) PROTO_CMD_##id,
    PROTO_COMMANDS (X)
#undef X
        PROTO_CMD_COUNT
} proto_cmd_t;

typedef enum {
#define X(id, code, desc) PROTO_ERR_##id,
    PROTO_ERRORS (X)
#undef X
        PROTO_ERR_COUNT
} proto_err_t;

typedef enum {
#define X(id, topic, summary) PROTO_EVT_##id,
    PROTO_EVENTS (X)
#undef X
        PROTO_EVT_COUNT
} proto_evt_t;

//  One row of the command table.
typedef struct {
    const char *name;    //  wire name, e.g. "ticket.issue"
    unsigned roles;      //  bit set of (1 << proto_role_t) allowed to send it
    int flags;           //  PROTO_READ or PROTO_WRITE
    const char *fields;  //  field spec, see proto_table.h
    const char *summary; //  one line for the spec and --help
} proto_command_t;

//  Returns the table row for `cmd`. `cmd` must be valid.
const proto_command_t *proto_command (proto_cmd_t cmd);
//  Looks a command up by its wire name (len bytes, not NUL-terminated). -1 if unknown.
int proto_command_lookup (const char *name, size_t len);

//  Stable error code string ("ok", "bad_frame", ...); "internal" for out-of-range values.
const char *proto_err_code (proto_err_t err);
//  One-line meaning of an error code.
const char *proto_err_desc (proto_err_t err);
//  Looks an error up by its code string; -1 if unknown.
int proto_err_lookup (const char *code);

//  Role name ("kiosk", ...); "?" for out-of-range values.
const char *proto_role_name (proto_role_t role);
//  Looks a role up by name; -1 if unknown.
int proto_role_lookup (const char *name);
//  One-line description of a role.
const char *proto_role_desc (proto_role_t role);

//  Longest field name in a field spec, in bytes.
#define PROTO_FIELD_NAME_MAX 31

//  One field of a field spec ("name:T" or "name:T?", see proto_table.h).
typedef struct {
    char name[PROTO_FIELD_NAME_MAX + 1]; //  e.g. "ticket"; "*" for "and any other field"
    char type;                           //  s, i, b, o, a or n; 0 for "*"
    bool optional;                       //  may be absent (or null)
    const char *meaning;                 //  one line for the spec; "" for command fields
} proto_field_t;

//  Reads the field of a command's space-separated spec at *p into *f and moves *p past it.
//  False at the end of the spec.
bool proto_spec_next (const char **p, proto_field_t *f);
//  "string", "integer", "boolean", "object", "array" or "number" for a type char; "?" else.
const char *proto_type_name (char type);

//  Event topic string for `evt`; "?" for out-of-range values.
const char *proto_evt_topic (proto_evt_t evt);
//  Looks an event up by its topic; -1 if unknown.
int proto_evt_lookup (const char *topic);
//  One line: what the event says and which commands or timers publish it.
const char *proto_evt_summary (proto_evt_t evt);
//  The n-th (from 0) field of `evt`'s own body, into *f. False when it has no n-th field.
bool proto_evt_field (proto_evt_t evt, size_t n, proto_field_t *f);
//  The n-th (from 0) of the fields every event body may carry (seq, time, topic, and who
//  caused it), into *f. False past the last.
bool proto_evt_common_field (size_t n, proto_field_t *f);
//  Checks an event body against the table: every field it carries is declared (common or
//  the topic's own), every required one is present and not null, every type matches, and
//  `topic` is evt's. 0, or -1 with the first disagreement in `why`. For clients too: a
//  body that fails names either a broker bug or a newer broker (clients must ignore fields
//  they do not know, PROTOCOL.md 1.3).
int proto_event_check (proto_evt_t evt, const json_t *body, char *why, size_t why_size);

//  A frame as bytes; borrowed.
typedef struct {
    const void *data;
    size_t size;
} proto_frame_t;

//  A decoded request.
typedef struct {
    int cmd;                                   //  proto_cmd_t, or -1 when unknown
    char request_id[PROTO_MAX_REQUEST_ID + 1]; //  "" when the frame was unusable
    json_t *body;                              //  owned; NULL unless decoding succeeded
} proto_request_t;

//  Decodes and validates the four request frames. Fills `req` as far as it can (the
//  request id is filled whenever it is valid, so an error reply can echo it). Returns
//  PROTO_ERR_OK, or the error to reply with and a human message in `why`.
//  Caller frees req->body with proto_request_reset.
proto_err_t proto_request_decode (const proto_frame_t *frames, size_t count, proto_request_t *req,
                                  char *why, size_t why_size);
//  Frees what decoding allocated and clears the struct.
void proto_request_reset (proto_request_t *req);

//  Checks `body` (an object) against the field spec of `cmd`. PROTO_ERR_OK, or
//  MISSING_FIELD / BAD_FIELD with the reason in `why`.
proto_err_t proto_validate (proto_cmd_t cmd, const json_t *body, char *why, size_t why_size);

//  True if `s` (len bytes) is a valid request id: 1..64 bytes of printable ASCII.
bool proto_request_id_valid (const char *s, size_t len);
//  Writes a fresh random request id (32 hex chars + NUL) into `out` (>= 33 bytes).
void proto_request_id_new (char *out);

//  Serialises `body` compactly; caller frees with free(). NULL on out-of-memory.
char *proto_json_dump (const json_t *body);

//  Builds the body of an error reply: {"code": ..., "message": ...}. Caller owns it.
json_t *proto_error_body (proto_err_t err, const char *message);

//  Copies at most `max_bytes` of UTF-8 string `s` into `out`, never cutting a character.
void proto_utf8_clip (char *out, size_t out_size, const char *s, size_t max_bytes);

#endif
