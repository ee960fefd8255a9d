/*  sim_heap.c — see sim_heap.h. */
#include "sim_heap.h"

#include <stdlib.h>

static bool
s_before (const sim_event_t *a, const sim_event_t *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

int
sim_heap_push (sim_heap_t *h, int64_t at, int kind, long who)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        sim_event_t *v = realloc (h->v, cap * sizeof *v);
        if (!v) {
            h->failed = true;
            return -1;
        }
        h->v = v;
        h->cap = cap;
    }
    sim_event_t e = {at, h->seq++, kind, who};
    size_t i = h->n++;
    while (i > 0 && s_before (&e, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = e;
    return 0;
}

sim_event_t
sim_heap_pop (sim_heap_t *h)
{
    sim_event_t top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && s_before (&h->v[c + 1], &h->v[c]))
            c++;
        if (!s_before (&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}
