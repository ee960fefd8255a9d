/*  sim_heap.h — the simulator's agenda: scheduled events in a binary heap, ordered by time
    and, at one time, by the order they were scheduled (so a run is the same on every
    machine). */
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  One scheduled event.
typedef struct {
    int64_t at;   //  Unix ms on the broker's clock
    uint64_t seq; //  scheduling order, breaks ties
    int kind;     //  what happens (the caller's kinds)
    long who;     //  to whom (the caller's subjects: a citizen, a counter)
} sim_event_t;

//  The heap; zero-initialised is empty. A plain value: free `v` when done.
typedef struct {
    sim_event_t *v; //  the heap array
    size_t n, cap;  //  events held, room
    uint64_t seq;   //  next scheduling number
    bool failed;    //  out of memory: an event was lost
} sim_heap_t;

//  Schedules `kind` for `who` at `at`. 0, or -1 (and `failed` set) on out-of-memory.
int sim_heap_push (sim_heap_t *h, int64_t at, int kind, long who);
//  Takes the earliest event. The heap must not be empty (h->n > 0).
sim_event_t sim_heap_pop (sim_heap_t *h);

#endif
