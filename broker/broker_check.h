/*  broker_check.h — does the store agree with itself? The consistency pass the broker runs
    at start, before it loads the hall, and `onewindow-broker --check DIR` runs offline.

    LMDB keeps a store consistent through crashes, but not through a damaged disk, a
    scrambled page or a file put together by hand: such a store opens, and the hall it
    loads silently misses what it cannot read (live tickets gone from the queue, a journal
    with holes). The pass reads the store as the broker depends on it:

      - every database the broker loads from (counters, devices, cabinets, live tickets,
        open cases...) is walked to its end, and the entries walked must be as many as
        LMDB counts (a page that cannot be read cuts a walk short or loses its entries),
        its JSON values parsed; with `thorough` (--check) the history too: the whole
        journal and every ticket, case, notice, rating and booking ever. At start the
        history is read only where the hall loads it (below), so a store of a million
        cases starts as fast as an empty one;
      - the journal has no hole: its sequence numbers run 1 .. last, one event each;
      - every live ticket has its record, readable and not in a final state, and agrees
        with the last event of today's journal that names it (state and number); every
        ticket that today's journal leaves in a state that is not final is live.

    A read of a page past the end of a damaged file, or through a scrambled pointer, ends
    the process with a message (SIGBUS, SIGSEGV) rather than a bare signal: the pass is
    what touches such pages first. */
#ifndef BROKER_CHECK_H
#define BROKER_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "broker_store.h"

//  Runs the pass over `store` (no transaction open; it opens a read transaction). Each
//  problem is logged as an error; the figures of a whole store go to `report` (one line
//  each; may be NULL). `thorough` parses every JSON value of every database. Returns the
//  number of problems found (0: consistent), or -1 if the pass could not run at all.
int broker_check_store (broker_store_t *store, bool thorough, FILE *report);

#endif
