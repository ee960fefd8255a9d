/*  web_call.h — the gateway's slow work off its one thread: requests to the broker and
    password checks, done by WEB_CALL_WORKERS threads while the pages go on.

    A request to the broker waits for its answer, up to the Lazy Pirate client's tries
    (proto_client.h) while the broker is away; the gateway serves every page from one
    thread, so a page that asked the broker itself would hold every other page up (ten
    citizens' status pages with the broker stopped held the board up 14.7 s). Here a page
    hands its request over (web_call_broker) and its connection waits, suspended
    (web_http.h: web_req_call); a worker, with a client of its own, asks the broker, and
    the answer comes back to the main thread, which finds the waiting request by the
    job's id and resumes it. A request still waiting WEB_CALL_WAIT_MS after it was handed
    over is answered as unreachable (a 503), and its late answer is dropped; while the
    broker is known to be away (web_call_set_up) none is handed over at all.

    Threads share nothing: a job is a struct handed over whole through a pipe (its
    pointer, one atomic write) to the workers and back; only the thread that holds it
    touches it. argon2id checks of a password (web_call_verify, 64 MiB and tens of ms
    each) take the same way. */
#ifndef WEB_CALL_H
#define WEB_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define WEB_CALL_WORKERS 4    //  threads, so one slow request does not queue the others
#define WEB_CALL_PENDING 64   //  jobs handed over and not answered, at most (more: refused)
#define WEB_CALL_WAIT_MS 5000 //  a request's answer is waited for this long
#define WEB_CALL_TRY_MS  1500 //  each of the workers' clients' two tries

typedef struct web_call web_call_t;

//  The end of a job, on the main thread: `rc` as proto_client_call's (for a password
//  check 0 when it matches, else -1), `reply` taken (NULL when none), `message` a sentence
//  about a failure (borrowed).
typedef void (web_call_done_fn) (void *owner, int rc, json_t *reply, const char *message);

//  Starts the workers, each with a client of the broker at `broker` (CURVE as the
//  process has set it). NULL on failure. Caller owns it.
web_call_t *web_call_new (const char *broker);
//  Ends every waiting job (web_call_stop), stops the workers (each ends its current
//  request first) and frees everything; sets *self_p to NULL. Safe on NULL.
void web_call_destroy (web_call_t **self_p);
//  Whether the broker is there (the mirror's word): while it is not, web_call_broker
//  refuses at once instead of letting the page wait for the timeout.
void web_call_set_up (web_call_t *self, bool up);
//  Hands `command` with `body` (taken; NULL for {}) and `request_id` (NULL: a new one)
//  to a worker; `done` is called with `owner` when the answer is in, or at the timeout.
//  0, or -1 when it is refused (the broker away, too many waiting): `done` is not called.
int web_call_broker (web_call_t *self, const char *command, json_t *body, const char *request_id,
                     web_call_done_fn *done, void *owner);
//  Asks the broker hall.info on a worker even while it is known to be away: whether it is
//  back, without the main thread waiting to find out. As web_call_broker.
int web_call_ping (web_call_t *self, web_call_done_fn *done, void *owner);
//  Hands a check of `password` against `hash` (crypto_pwhash_str) to a worker; as
//  web_call_broker (rc 0: it matches).
int web_call_verify (web_call_t *self, const char *hash, const char *password,
                     web_call_done_fn *done, void *owner);
//  The descriptor that is readable when a job is back, to poll.
int web_call_fd (web_call_t *self);
//  On the main thread: calls `done` for every job back and every one waited for too long.
void web_call_run (web_call_t *self, int64_t now_ms);
//  Calls `done` for every waiting job as unreachable (before the server stops: it cannot
//  stop with requests suspended).
void web_call_stop (web_call_t *self);
//  Jobs handed over and not answered.
int web_call_pending (const web_call_t *self);

#endif
