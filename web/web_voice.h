/*  web_voice.h — the board's spoken calls (叫号播报) as the gateway serves them: the
    sentence to say, and the same sentence as a WAV file made by espeak-ng.

    The board page speaks each call with the browser's speech synthesis (zh-CN) when the
    browser has a Chinese voice, else plays the WAV from /voice/NUMBER-COUNTER (web_board.h).
    The WAV is made by running the `espeak-ng` program (the terminal board's synthesizer;
    the gateway cannot use the terminal's code) with its Mandarin voice "cmn-latn-pinyin",
    which reads Chinese characters, digits one by one when they stand apart, and a capital
    letter as its name; it reads 重 as zhòng, so "重呼" is given to it in pinyin.

    espeak-ng makes a call's sentence in about 30 ms. It runs while the gateway waits (at
    most WEB_VOICE_TIMEOUT_MS, then it is killed), once per call: the last WEB_VOICE_CACHE
    WAVs are kept, so every board in the hall gets the same file without a second run. */
#ifndef WEB_VOICE_H
#define WEB_VOICE_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_VOICE_PROGRAM    "espeak-ng"       //  found on PATH
#define WEB_VOICE_NAME       "cmn-latn-pinyin" //  espeak-ng voice
#define WEB_VOICE_SPEED      150               //  words per minute
#define WEB_VOICE_TIMEOUT_MS 3000              //  longest run of espeak-ng
#define WEB_VOICE_CACHE      16                //  WAVs kept
#define WEB_VOICE_MAX        (4 << 20)         //  largest WAV accepted from espeak-ng

typedef struct web_voice web_voice_t;

//  The sentence for ticket `number` called to counter `counter`: "请 A 0 2 3 号到 5 号窗口
//  办理", with "重呼，" before it for a recall. The ticket's letters and digits stand apart,
//  so a synthesizer reads them one by one (A 零 二 三), the counter whole (十二). -1 if
//  `number` is empty or holds more than letters and digits, counter < 1, or out is too
//  small; else the length.
int web_voice_text (const char *number, long long counter, bool recall, char *out, size_t size);

//  A synthesizer running `program` (NULL: WEB_VOICE_PROGRAM, found on PATH). Caller owns
//  it. NULL on out-of-memory.
web_voice_t *web_voice_new (const char *program);
//  Frees the cache and sets *self_p to NULL. Safe on NULL.
void web_voice_destroy (web_voice_t **self_p);
//  True if the program was found (an executable file on PATH, or the path given).
bool web_voice_available (const web_voice_t *self);
//  The WAV of `text` (web_voice_text's) into *data and *len, borrowed until the next call;
//  from the cache when `text` was said lately. 0 / -1 (no program, it failed, timed out or
//  said nothing).
int web_voice_wav (web_voice_t *self, const char *text, const char **data, size_t *len);

#endif
