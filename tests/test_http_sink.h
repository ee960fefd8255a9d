/*  test_http_sink.h — a tiny HTTP server in the test process, standing in for an SMS
    gateway: it listens on a free loopback port, records every request, dedups by
    Idempotency-Key as a real gateway must, and can be told to fail requests or to stall.

    One connection at a time, one request per connection (it answers "Connection: close"),
    in a thread of its own. A request whose key it has accepted before is answered 200
    with {"duplicate": true} and is not delivered again. */
#ifndef TEST_HTTP_SINK_H
#define TEST_HTTP_SINK_H

#include <jansson.h>
#include <stdbool.h>

typedef struct test_http_sink test_http_sink_t;

//  Called by the sink's thread right after it answered a new delivery with 2xx.
typedef void (test_http_sink_fn) (void *arg);

//  Starts a sink on 127.0.0.1 and a free port. NULL on failure. Caller destroys it.
test_http_sink_t *test_http_sink_new (void);
//  Stops it (a stalled answer is released) and sets *self_p to NULL. Safe on NULL.
void test_http_sink_destroy (test_http_sink_t **self_p);
//  Its endpoint, "http://127.0.0.1:PORT/sms" (borrowed).
const char *test_http_sink_url (test_http_sink_t *self);
//  The next `count` requests are answered `status` (e.g. 500), and not delivered.
void test_http_sink_fail (test_http_sink_t *self, int count, int status);
//  While on, every request is held unanswered (a stalled gateway); off answers them.
void test_http_sink_stall (test_http_sink_t *self, bool on);
//  `fn` (with `arg`) is called once, after the next new delivery is answered.
void test_http_sink_on_delivery (test_http_sink_t *self, test_http_sink_fn *fn, void *arg);
//  Waits until at least `count` requests have arrived (answered or not). False on timeout.
bool test_http_sink_wait (test_http_sink_t *self, int count, int timeout_ms);
//  Requests received so far, answered or held.
int test_http_sink_count (test_http_sink_t *self);
//  Every request so far, in order: {"key", "path", "content_type", "body" (the JSON, or
//  null), "status" (the answer, 0 while held), "delivered" (a new delivery)}. Caller frees.
json_t *test_http_sink_requests (test_http_sink_t *self);
//  How many times the notice with Idempotency-Key `key` was delivered (0 or 1 by dedup),
//  and how many requests carried it (into *requests, if not NULL).
int test_http_sink_delivered (test_http_sink_t *self, const char *key, int *requests);

#endif
