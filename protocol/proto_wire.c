/*  proto_wire.c — see proto_wire.h. */
#include "proto_wire.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SIG_LEN (sizeof PROTO_SIGNATURE - 1)

//  True if data[0..size) is printable ASCII without space (as request ids, codes, topics).
static bool
s_printable (const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++)
        if (p[i] < 0x21 || p[i] > 0x7e)
            return false;
    return true;
}

//  Copies a frame that fits (checked by the caller) into a C string.
static void
s_copy (char *out, zmq_msg_t *frame)
{
    size_t n = zmq_msg_size (frame);
    memcpy (out, zmq_msg_data (frame), n);
    out[n] = 0;
}

//  Reads one whole message: its first `max` frames into `frames` (each initialised), the
//  rest read and dropped, so the next receive starts at a message boundary. The number of
//  frames, or -1 with errno when none could be read (frames then hold nothing).
static int
s_recv_frames (void *socket, int flags, zmq_msg_t *frames, int max)
{
    int count = 0;
    bool more = true;
    while (more) {
        zmq_msg_t extra;
        zmq_msg_t *part = count < max ? &frames[count] : &extra;
        zmq_msg_init (part);
        if (zmq_msg_recv (part, socket, count == 0 ? flags : 0) < 0) {
            int saved = errno;
            zmq_msg_close (part);
            for (int i = 0; i < count && i < max; i++)
                zmq_msg_close (&frames[i]);
            errno = saved;
            return -1;
        }
        more = zmq_msg_more (part);
        if (part == &extra)
            zmq_msg_close (&extra);
        count++;
    }
    return count;
}

static void
s_close_frames (zmq_msg_t *frames, int count, int max)
{
    for (int i = 0; i < count && i < max; i++)
        zmq_msg_close (&frames[i]);
}

//  Moves the body frame into the struct's `held` message and points at its bytes (never
//  NULL: an empty body is "").
static void
s_hold_body (zmq_msg_t *held, zmq_msg_t *frame, const char **body, size_t *size)
{
    zmq_msg_move (held, frame);
    *size = zmq_msg_size (held);
    *body = *size ? zmq_msg_data (held) : "";
}

//  Releases a held body; the message is left empty, so releasing again is harmless.
static void
s_release_body (zmq_msg_t *held, const char **body, size_t *size)
{
    zmq_msg_close (held);
    zmq_msg_init (held);
    *body = NULL;
    *size = 0;
}

static json_t *
s_json (const char *body, size_t size)
{
    return body ? json_loadb (body, size, 0, NULL) : NULL;
}

//  Sends `n` frames, the last without ZMQ_SNDMORE. Stops at the first failure (-1).
static int
s_send_frames (void *socket, const proto_frame_t *frames, size_t n, int flags)
{
    for (size_t i = 0; i < n; i++)
        if (zmq_send (socket, frames[i].data, frames[i].size,
                      flags | (i + 1 < n ? ZMQ_SNDMORE : 0)) < 0)
            return -1;
    return 0;
}

int
proto_wire_send_request (void *socket, const char *command, const char *request_id,
                         const char *body, size_t body_size, int flags)
{
    size_t clen = strlen (command), rlen = strlen (request_id);
    if (clen == 0 || !proto_request_id_valid (request_id, rlen)) {
        errno = EINVAL;
        return -1;
    }
    if (body_size > PROTO_MAX_MSG) {
        errno = EMSGSIZE;
        return -1;
    }
    proto_frame_t frames[4] = {
        {PROTO_SIGNATURE, SIG_LEN}, {command, clen}, {request_id, rlen}, {body, body_size}};
    return s_send_frames (socket, frames, 4, flags);
}

//  Checks the frames of a reply and copies out what is small. 0, or -1 with the reason
//  in reply->why.
static int
s_reply_check (zmq_msg_t *f, int count, proto_wire_reply_t *reply)
{
    size_t clen = count == 4 ? zmq_msg_size (&f[1]) : 0;
    size_t rlen = count == 4 ? zmq_msg_size (&f[2]) : 0;
    if (count != 4)
        snprintf (reply->why, sizeof reply->why,
                  "a reply has 4 frames [signature, code, request-id, body], not %d", count);
    else if (zmq_msg_size (&f[0]) != SIG_LEN ||
             memcmp (zmq_msg_data (&f[0]), PROTO_SIGNATURE, SIG_LEN))
        snprintf (reply->why, sizeof reply->why, "the first frame is not the signature %s",
                  PROTO_SIGNATURE);
    else if (clen == 0 || clen > PROTO_WIRE_MAX_CODE || !s_printable (zmq_msg_data (&f[1]), clen))
        snprintf (reply->why, sizeof reply->why, "the status code is not 1..%d printable bytes",
                  PROTO_WIRE_MAX_CODE);
    else if (rlen > PROTO_MAX_REQUEST_ID || !s_printable (zmq_msg_data (&f[2]), rlen))
        snprintf (reply->why, sizeof reply->why, "the request id is not 0..%d printable bytes",
                  PROTO_MAX_REQUEST_ID);
    else
        return 0;
    return -1;
}

proto_wire_rc_t
proto_wire_recv_reply (void *socket, int flags, proto_wire_reply_t *reply)
{
    memset (reply, 0, sizeof *reply);
    reply->err = -1;
    zmq_msg_init (&reply->msg);
    zmq_msg_t f[4];
    int count = s_recv_frames (socket, flags, f, 4);
    if (count < 0)
        return PROTO_WIRE_ERROR;
    reply->frames = count;
    if (s_reply_check (f, count, reply) != 0) {
        s_close_frames (f, count, 4);
        return PROTO_WIRE_MALFORMED;
    }
    s_copy (reply->code, &f[1]);
    s_copy (reply->request_id, &f[2]);
    reply->err = proto_err_lookup (reply->code);
    s_hold_body (&reply->msg, &f[3], &reply->body, &reply->body_size);
    s_close_frames (f, 4, 4);
    return PROTO_WIRE_OK;
}

json_t *
proto_wire_reply_json (const proto_wire_reply_t *reply)
{
    return s_json (reply->body, reply->body_size);
}

void
proto_wire_reply_close (proto_wire_reply_t *reply)
{
    s_release_body (&reply->msg, &reply->body, &reply->body_size);
}

int
proto_wire_send_reply (void *socket, const proto_frame_t *envelope, size_t nenvelope,
                       const char *code, const char *request_id, const char *body, size_t body_size,
                       int flags)
{
    if (s_send_frames (socket, envelope, nenvelope, flags | ZMQ_SNDMORE) != 0)
        return -1;
    proto_frame_t frames[4] = {{PROTO_SIGNATURE, SIG_LEN},
                               {code, strlen (code)},
                               {request_id, strlen (request_id)},
                               {body, body_size}};
    //  Once the routing id is queued the rest of the message is too (ZeroMQ sends a
    //  message whole or not at all); without an envelope this is the first frame.
    return s_send_frames (socket, frames, 4, flags);
}

int
proto_wire_send_event (void *socket, const char *topic, uint64_t seq, const char *body,
                       size_t body_size, int flags)
{
    char digits[24];
    size_t n = sizeof digits;
    do
        digits[--n] = (char)('0' + seq % 10);
    while ((seq /= 10) > 0);
    proto_frame_t frames[3] = {
        {topic, strlen (topic)}, {digits + n, sizeof digits - n}, {body, body_size}};
    return s_send_frames (socket, frames, 3, flags);
}

//  The sequence frame as a number: decimal digits, no sign, no leading zero, from 1 and
//  within 64 bits; 0 when it is not one.
static uint64_t
s_seq (zmq_msg_t *frame)
{
    const unsigned char *p = zmq_msg_data (frame);
    size_t n = zmq_msg_size (frame);
    if (n == 0 || n > 20 || p[0] == '0')
        return 0;
    uint64_t seq = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        unsigned d = p[i] - '0';
        if (seq > (UINT64_MAX - d) / 10)
            return 0;
        seq = seq * 10 + d;
    }
    return seq;
}

proto_wire_rc_t
proto_wire_recv_event (void *socket, int flags, proto_wire_event_t *event)
{
    memset (event, 0, sizeof *event);
    zmq_msg_init (&event->msg);
    zmq_msg_t f[3];
    int count = s_recv_frames (socket, flags, f, 3);
    if (count < 0)
        return PROTO_WIRE_ERROR;
    event->frames = count;
    size_t tlen = count == 3 ? zmq_msg_size (&f[0]) : 0;
    if (count != 3)
        snprintf (event->why, sizeof event->why,
                  "an event has 3 frames [topic, sequence, body], not %d", count);
    else if (tlen == 0 || tlen > PROTO_WIRE_MAX_TOPIC || !s_printable (zmq_msg_data (&f[0]), tlen))
        snprintf (event->why, sizeof event->why, "the topic is not 1..%d printable bytes",
                  PROTO_WIRE_MAX_TOPIC);
    else if ((event->seq = s_seq (&f[1])) == 0)
        snprintf (event->why, sizeof event->why,
                  "the sequence is not a decimal number from 1 without leading zeros");
    if (event->why[0]) {
        s_close_frames (f, count, 3);
        return PROTO_WIRE_MALFORMED;
    }
    s_copy (event->topic, &f[0]);
    s_hold_body (&event->msg, &f[2], &event->body, &event->body_size);
    s_close_frames (f, 3, 3);
    return PROTO_WIRE_OK;
}

json_t *
proto_wire_event_json (const proto_wire_event_t *event)
{
    return s_json (event->body, event->body_size);
}

void
proto_wire_event_close (proto_wire_event_t *event)
{
    s_release_body (&event->msg, &event->body, &event->body_size);
}
