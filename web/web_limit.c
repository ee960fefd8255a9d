/*  web_limit.c — see web_limit.h. */
#include "web_limit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE 16 //  slots looked at for a client (open addressing)

//  A bucket's size and how fast it fills (tokens per minute).
static const struct {
    double burst;
    double per_min;
} s_kinds[WEB_BUCKETS] = {
    [WEB_BUCKET_REQUEST] = {120, 1200},
    [WEB_BUCKET_KIOSK] = {20, 30},
    [WEB_BUCKET_TOKEN] = {20, 12},
    [WEB_BUCKET_LOGIN] = {10, 10},
};

typedef struct {
    char client[48]; //  "" for a free slot
    int64_t seen;    //  last request, ms
    double tokens[WEB_BUCKETS];
    int64_t filled[WEB_BUCKETS]; //  when tokens[] was last brought up to date
} s_client_t;

struct web_limit {
    s_client_t slots[WEB_LIMIT_CLIENTS];
};

web_limit_t *
web_limit_new (void)
{
    return calloc (1, sizeof (web_limit_t));
}

void
web_limit_destroy (web_limit_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

static uint32_t
s_hash (const char *s)
{
    uint32_t h = 2166136261u; //  FNV-1a
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

//  The client's slot: found, or a free one, or the one seen longest ago in its reach.
static s_client_t *
s_client (web_limit_t *self, const char *client, int64_t now)
{
    uint32_t h = s_hash (client);
    s_client_t *oldest = NULL;
    for (int i = 0; i < PROBE; i++) {
        s_client_t *c = &self->slots[(h + (uint32_t)i) % WEB_LIMIT_CLIENTS];
        if (strcmp (c->client, client) == 0)
            return c;
        if (!oldest || !c->client[0] || (oldest->client[0] && c->seen < oldest->seen))
            oldest = c;
    }
    memset (oldest, 0, sizeof *oldest);
    snprintf (oldest->client, sizeof oldest->client, "%s", client);
    for (int k = 0; k < WEB_BUCKETS; k++) {
        oldest->tokens[k] = s_kinds[k].burst;
        oldest->filled[k] = now;
    }
    return oldest;
}

//  Seconds until `c` has a token of `k` (0: it has), after bringing it up to date.
static int
s_wait (s_client_t *c, int k, int64_t now)
{
    double gained = (double)(now - c->filled[k]) * s_kinds[k].per_min / 60000.0;
    if (gained > 0) {
        c->tokens[k] += gained;
        if (c->tokens[k] > s_kinds[k].burst)
            c->tokens[k] = s_kinds[k].burst;
        c->filled[k] = now;
    }
    if (c->tokens[k] >= 1)
        return 0;
    double secs = (1 - c->tokens[k]) * 60.0 / s_kinds[k].per_min;
    return (int)secs + 1;
}

int
web_limit_take (web_limit_t *self, const char *client, web_bucket_t bucket, int64_t now_ms)
{
    s_client_t *c = s_client (self, client, now_ms);
    c->seen = now_ms;
    int wait = s_wait (c, (int)bucket, now_ms);
    if (wait == 0)
        c->tokens[bucket] -= 1;
    return wait;
}

int
web_limit_peek (web_limit_t *self, const char *client, web_bucket_t bucket, int64_t now_ms)
{
    s_client_t *c = s_client (self, client, now_ms);
    c->seen = now_ms;
    return s_wait (c, (int)bucket, now_ms);
}
