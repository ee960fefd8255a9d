/*  term_voice.h — the hall's spoken calls (叫号播报): the announcement text, and a queue
    that speaks announcements one at a time with espeak-ng in a child process.

    Announcements never overlap and are never dropped, except when more than `capacity`
    wait behind the one being spoken: then the oldest waiting one is dropped, counted and
    logged. Nothing here blocks: term_voice_say queues and returns, and term_voice_tick
    (called from the owner's loop) reaps a finished child with waitpid WNOHANG and starts
    the next. With an audio directory each announcement is written to a WAV file instead of
    played: DIR/NNNNNN-A023-5.wav, numbered in the order spoken, continuing after the
    highest number already in DIR. A file appears under its final name only once espeak-ng
    has finished it (it is written as a hidden .part file and renamed).

    Why the default voice is "cmn-latn-pinyin" and not "cmn": espeak-ng 1.51 as packaged
    by Debian (no extended Mandarin dictionary) reads Chinese characters with "cmn" as
    pinyin spoken in English ("号" becomes "hao four"); "cmn-latn-pinyin" is the same
    Mandarin voice and reads them correctly. Single capital letters, the only Latin text in
    an announcement, are read as letter names by both. */
#ifndef TERM_VOICE_H
#define TERM_VOICE_H

#include <stdbool.h>
#include <stddef.h>

#define TERM_VOICE_PROGRAM  "espeak-ng"       //  default synthesizer, found on PATH
#define TERM_VOICE_NAME     "cmn-latn-pinyin" //  default espeak-ng voice (see above)
#define TERM_VOICE_SPEED    150               //  words per minute, espeak-ng -s
#define TERM_VOICE_CAPACITY 64                //  default number of waiting announcements
#define TERM_VOICE_TICK_MS  50                //  call term_voice_tick this often while busy

typedef struct term_voice term_voice_t;

//  Writes the announcement for ticket `number` called to counter `counter` into out:
//  "请 A零二三 号到 五 号窗口办理"; with recall > 0 (a recall) "重呼，请 ...". The ticket's
//  digits are read one by one (A1024: A一零二四), its letters as letters, two letters
//  apart (AB015: A B零一五); the counter as a number (12: 十二; from 100 on digit by digit).
//  Returns the length in bytes, or -1 if `number` is empty or holds other characters than
//  letters and digits, counter < 1, or out is too small.
int term_voice_text (const char *number, long long counter, int recall, char *out, size_t size);

//  A queue speaking with `program` (NULL: TERM_VOICE_PROGRAM) and espeak-ng voice `voice`
//  (NULL: TERM_VOICE_NAME), holding up to `capacity` waiting announcements (0: the
//  default). `audio_dir` (NULL: play on the sound card) is created if missing. Caller owns
//  it. NULL, with the reason logged, if the directory cannot be made or memory is short.
term_voice_t *term_voice_new (const char *program, const char *voice, const char *audio_dir,
                              size_t capacity);
//  Stops the announcement being spoken (SIGTERM to the child's process group, then
//  SIGKILL if it lingers), reaps it,
//  drops the queue, and sets *self_p to NULL. A half-written WAV file is removed. Safe on
//  NULL.
void term_voice_destroy (term_voice_t **self_p);
//  Queues `text` (copied); `number` and `counter` name the WAV file. Starts speaking at
//  once when idle. 0 when queued; 1 when the queue was full and its oldest waiting
//  announcement was dropped to make room; -1 on out-of-memory.
int term_voice_say (term_voice_t *self, const char *text, const char *number, long long counter);
//  Reaps the child if it finished (never waits) and starts the next announcement.
void term_voice_tick (term_voice_t *self);
//  True while an announcement is being spoken or waits.
bool term_voice_busy (const term_voice_t *self);
//  Announcements waiting (not counting the one being spoken).
size_t term_voice_queued (const term_voice_t *self);
//  Announcements dropped because the queue was full.
size_t term_voice_dropped (const term_voice_t *self);
//  Announcements spoken (or written) successfully, and those whose child failed.
size_t term_voice_spoken (const term_voice_t *self);
size_t term_voice_failed (const term_voice_t *self);

#endif
