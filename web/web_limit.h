/*  web_limit.h — what one client may ask of a door: token buckets per client address.

    Each door (web_http.h) keeps one table of clients, by address (the address a trusted
    reverse proxy names for the requests it forwards). A client has a bucket of each kind
    below: a request takes a token from its bucket and is refused (429, with Retry-After)
    when the bucket is empty; tokens come back at the bucket's rate up to its burst. The
    table is bounded (WEB_LIMIT_CLIENTS): when a new client finds no room, the client
    seen longest ago is forgotten (it comes back with full buckets, the price of a bound).

    The numbers, per client:
      request  120 at once, 20 a second: any request (a page with its assets and live parts
               asks for 6-8; the dashboard refreshes its parts on every event)
      kiosk    20 at once, one every 2 s: POST /kiosk and /kiosk/checkin (a busy kiosk
               issues a ticket every 10 s or so; 300 in 0.3 s is a script)
      token    20 at once, one every 5 s: an unknown or malformed token on /t/, /rate/ and
               /api/status/ (a citizen mistypes a few; a guesser gets 12 a minute)
      login    10 at once, one every 6 s: POST /login (each try costs an argon2id hash) */
#ifndef WEB_LIMIT_H
#define WEB_LIMIT_H

#include <stdint.h>

#define WEB_LIMIT_CLIENTS 4096 //  clients remembered per door

typedef enum {
    WEB_BUCKET_REQUEST,
    WEB_BUCKET_KIOSK,
    WEB_BUCKET_TOKEN,
    WEB_BUCKET_LOGIN,
    WEB_BUCKETS
} web_bucket_t;

typedef struct web_limit web_limit_t;

//  An empty table. NULL on out-of-memory. Caller owns it.
web_limit_t *web_limit_new (void);
//  Frees the table; sets *self_p to NULL. Safe on NULL.
void web_limit_destroy (web_limit_t **self_p);
//  Takes a token of `bucket` for `client` (its address as text) at `now_ms` (monotonic):
//  0 if there was one, else the whole seconds until there is one (for Retry-After).
int web_limit_take (web_limit_t *self, const char *client, web_bucket_t bucket, int64_t now_ms);
//  The same without taking: 0 if `client` has a token of `bucket` now, else the seconds
//  until it has.
int web_limit_peek (web_limit_t *self, const char *client, web_bucket_t bucket, int64_t now_ms);

#endif
