/*  broker_queue.h — one waiting line: tickets kept sorted by (order key, id).

    A new ticket's order key is its id × BROKER_ORDER_GAP, so a queue is first come, first
    served and appends are O(1). The gap leaves room to place a ticket between two others
    without renumbering: a missed ticket sent back N places, a transfer that keeps its
    original place in time, a requeue within grace. Rank and insertion are binary searches. */
#ifndef BROKER_QUEUE_H
#define BROKER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define BROKER_ORDER_GAP ((int64_t)1 << 16)

struct broker_ticket;
typedef struct broker_queue broker_queue_t;

//  An empty queue. NULL on out-of-memory. Caller owns it.
broker_queue_t *broker_queue_new (void);
//  Frees the queue (not the tickets); sets *self_p to NULL.
void broker_queue_destroy (broker_queue_t **self_p);
//  Inserts `t` at its place by (order_key, id). 0, or -1 on out-of-memory.
int broker_queue_insert (broker_queue_t *self, struct broker_ticket *t);
//  Removes `t`; 0, or -1 if it is not in the queue.
int broker_queue_remove (broker_queue_t *self, const struct broker_ticket *t);
//  Number of tickets.
size_t broker_queue_size (const broker_queue_t *self);
//  The i-th ticket (0 = next to be called), or NULL past the end.
struct broker_ticket *broker_queue_at (const broker_queue_t *self, size_t i);
//  Number of tickets ahead of `t` (its index); -1 if it is not in the queue.
long broker_queue_rank (const broker_queue_t *self, const struct broker_ticket *t);
//  Removes every ticket (does not free them).
void broker_queue_clear (broker_queue_t *self);

#endif
