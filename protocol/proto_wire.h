/*  proto_wire.h — the one codec between ZeroMQ frames and the protocol's messages
    (PROTOCOL.md section 2). Every program that speaks the protocol frames and reads its
    messages here: the Lazy Pirate client (proto_client), the mirror's events
    (proto_mirror), the simulator's pipelined client, the benchmark's load clients, and the
    broker's replies and events.

      request  DEALER→ROUTER  [PROTO_SIGNATURE, command, request-id, body]
      reply    ROUTER→DEALER  [routing id(s)..., PROTO_SIGNATURE, code, request-id, body]
      event    PUB→SUB        [topic, sequence (decimal), body]

    This layer is frames <-> structs and nothing more: it checks the shape of a message
    (frame count, signature, lengths, the sequence's digits) and leaves the body as bytes.
    What a request means (its command, its fields) is proto_msg's job: the broker reads
    a request's frames itself (routing id, REQ delimiter, the CURVE key) and decodes them
    with proto_request_decode.

    Bodies are sent as given and received without a copy: a received body points into the
    ZeroMQ message, which the struct holds until its _close. Sends copy the bytes into the
    socket's queue (zmq_send); nothing else is allocated. */
#ifndef PROTO_WIRE_H
#define PROTO_WIRE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "proto_msg.h"

//  What a receive returns.
typedef enum {
    PROTO_WIRE_OK = 0,         //  one well-formed message
    PROTO_WIRE_ERROR = -1,     //  nothing read: the socket failed, or nothing was waiting
                               //  under ZMQ_DONTWAIT; errno says which (EAGAIN, EINTR, ETERM)
    PROTO_WIRE_MALFORMED = -2, //  one whole message was read and is not the protocol's
                               //  shape; `why` says how. It is consumed: read the next
} proto_wire_rc_t;

//  The longest status code a reply may carry, and the longest event topic, in bytes.
#define PROTO_WIRE_MAX_CODE  63
#define PROTO_WIRE_MAX_TOPIC 63

//  A received reply. Everything but the body is copied out; the body is borrowed from the
//  message the struct holds, until proto_wire_reply_close.
typedef struct {
    int err;                                   //  proto_err_t of the code (PROTO_ERR_OK for
                                               //  "ok"), or -1 for a code this build lacks
    char code[PROTO_WIRE_MAX_CODE + 1];        //  the status frame as sent
    char request_id[PROTO_MAX_REQUEST_ID + 1]; //  echoed; "" when the broker could not read it
    const char *body;                          //  body bytes, not NUL-terminated; NULL
                                               //  unless PROTO_WIRE_OK
    size_t body_size;
    int frames;    //  frames the message had
    char why[128]; //  after PROTO_WIRE_MALFORMED: what was wrong
    zmq_msg_t msg; //  holds the body (private)
} proto_wire_reply_t;

//  A received event; the body is borrowed until proto_wire_event_close.
typedef struct {
    char topic[PROTO_WIRE_MAX_TOPIC + 1]; //  e.g. "ticket.called"
    uint64_t seq;                         //  the sequence frame, >= 1
    const char *body;                     //  body bytes, not NUL-terminated; NULL unless
                                          //  PROTO_WIRE_OK
    size_t body_size;
    int frames;    //  frames the message had
    char why[128]; //  after PROTO_WIRE_MALFORMED: what was wrong
    zmq_msg_t msg; //  holds the body (private)
} proto_wire_event_t;

//  Sends the request [PROTO_SIGNATURE, command, request_id, body] on a DEALER (or REQ)
//  socket; `body` is `body_size` bytes of JSON text. `flags`: 0 or ZMQ_DONTWAIT. 0, or -1
//  with errno: EINVAL for an empty command or a request id that is not 1..64 printable
//  bytes, EMSGSIZE for a body over PROTO_MAX_MSG (the broker would drop the connection
//  without a reply), else ZeroMQ's (EAGAIN: the queue is full under ZMQ_DONTWAIT).
//  Nothing is sent when it fails.
int proto_wire_send_request (void *socket, const char *command, const char *request_id,
                             const char *body, size_t body_size, int flags);

//  Receives one reply [signature, code, request-id, body] into `reply`; `flags` applies to
//  the wait for its first frame (0 or ZMQ_DONTWAIT). MALFORMED for a frame count other
//  than 4, another signature, a code that is not 1..PROTO_WIRE_MAX_CODE printable bytes,
//  or a request id over PROTO_MAX_REQUEST_ID bytes or not printable. Call
//  proto_wire_reply_close afterwards, whatever was returned.
proto_wire_rc_t proto_wire_recv_reply (void *socket, int flags, proto_wire_reply_t *reply);
//  The reply's body parsed (caller owns), or NULL when it is not JSON.
json_t *proto_wire_reply_json (const proto_wire_reply_t *reply);
//  Releases the body's message. Safe to repeat.
void proto_wire_reply_close (proto_wire_reply_t *reply);

//  Sends a reply on a ROUTER: the `nenvelope` frames of `envelope` (the routing id the
//  request came with, and an empty delimiter for a REQ sender), then [PROTO_SIGNATURE,
//  code, request_id, body]. `flags`: ZMQ_DONTWAIT is what a broker wants (a ROUTER drops
//  what it cannot route rather than block). 0, or -1 with errno when the first frame could
//  not be queued (then nothing was sent).
int proto_wire_send_reply (void *socket, const proto_frame_t *envelope, size_t nenvelope,
                           const char *code, const char *request_id, const char *body,
                           size_t body_size, int flags);

//  Publishes the event [topic, seq in decimal, body] on a PUB socket. 0 / -1 with errno.
int proto_wire_send_event (void *socket, const char *topic, uint64_t seq, const char *body,
                           size_t body_size, int flags);
//  Receives one event into `event`; `flags` as for proto_wire_recv_reply. MALFORMED for a
//  frame count other than 3, a topic that is empty or over PROTO_WIRE_MAX_TOPIC bytes, or
//  a sequence that is not decimal digits from 1 without a leading zero that fit 64 bits.
//  Call proto_wire_event_close afterwards, whatever was returned.
proto_wire_rc_t proto_wire_recv_event (void *socket, int flags, proto_wire_event_t *event);
//  The event's body parsed (caller owns), or NULL when it is not JSON.
json_t *proto_wire_event_json (const proto_wire_event_t *event);
//  Releases the body's message. Safe to repeat.
void proto_wire_event_close (proto_wire_event_t *event);

#endif
