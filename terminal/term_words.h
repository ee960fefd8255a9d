/*  term_words.h — what the terminal calls things, said one way everywhere: the Chinese
    name of every state and level the protocol sends (tickets, counters, cases and their
    clocks and warnings, cabinet slots, doors and alarms, bookings) and of the device
    roles, and durations in whole minutes.

    Durations: "12 分钟", "1 小时 5 分钟", "2 小时", "0 分钟" (English "12 min",
    "1 h 5 min", "2 h", "0 min"), the words a citizen's slip uses for its estimate
    ("预计等候约 12 分钟"), so a clerk, a manager and a citizen read a wait the same way;
    never mm:ss, which reads as hh:mm at a glance, nor decimal minutes.

    --json output never goes through here: scripts get the raw states and milliseconds. */
#ifndef TERM_WORDS_H
#define TERM_WORDS_H

#include <stdbool.h>
#include <stddef.h>

//  The Chinese name of a word as it is on the wire: a state ("idle" → "空闲", "in_review"
//  → "审核中"), an alarm, a warning level, a role. A word with no name here (a newer
//  broker's) is returned as it is; NULL gives "". Borrowed, static.
const char *term_zh (const char *word);
//  A duration `ms` (>= 0; negative counts as 0) in whole minutes into buf, in Chinese or
//  (zh false) English. Time gone by rounds down; an estimate (round_up) rounds up, so
//  nobody is told to come back before their turn. Returns buf.
const char *term_minutes (long long ms, bool zh, bool round_up, char *buf, size_t size);

#endif
