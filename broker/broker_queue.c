/*  broker_queue.c — see broker_queue.h. */
#include "broker_queue.h"

#include <stdlib.h>
#include <string.h>

#include "broker_hall.h"

struct broker_queue {
    broker_ticket_t **items; //  sorted by (order_key, id)
    size_t size;             //  tickets held
    size_t cap;              //  slots allocated
};

broker_queue_t *
broker_queue_new (void)
{
    return calloc (1, sizeof (broker_queue_t));
}

void
broker_queue_destroy (broker_queue_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->items);
    free (*self_p);
    *self_p = NULL;
}

static int
s_before (const broker_ticket_t *a, const broker_ticket_t *b)
{
    return a->order_key < b->order_key || (a->order_key == b->order_key && a->id < b->id);
}

//  First index whose ticket is not before `t`.
static size_t
s_lower_bound (const broker_queue_t *self, const broker_ticket_t *t)
{
    size_t lo = 0, hi = self->size;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_before (self->items[mid], t))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int
broker_queue_insert (broker_queue_t *self, broker_ticket_t *t)
{
    if (self->size == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 16;
        broker_ticket_t **items = realloc (self->items, cap * sizeof *items);
        if (!items)
            return -1;
        self->items = items;
        self->cap = cap;
    }
    size_t at = s_lower_bound (self, t);
    memmove (&self->items[at + 1], &self->items[at], (self->size - at) * sizeof *self->items);
    self->items[at] = t;
    self->size++;
    return 0;
}

long
broker_queue_rank (const broker_queue_t *self, const broker_ticket_t *t)
{
    size_t at = s_lower_bound (self, t);
    return (at < self->size && self->items[at] == t) ? (long)at : -1;
}

int
broker_queue_remove (broker_queue_t *self, const broker_ticket_t *t)
{
    long at = broker_queue_rank (self, t);
    if (at < 0)
        return -1;
    memmove (&self->items[at], &self->items[at + 1],
             (self->size - (size_t)at - 1) * sizeof *self->items);
    self->size--;
    return 0;
}

size_t
broker_queue_size (const broker_queue_t *self)
{
    return self->size;
}

broker_ticket_t *
broker_queue_at (const broker_queue_t *self, size_t i)
{
    return i < self->size ? self->items[i] : NULL;
}

void
broker_queue_clear (broker_queue_t *self)
{
    self->size = 0;
}
