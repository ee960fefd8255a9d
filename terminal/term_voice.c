/*  term_voice.c — see term_voice.h. */
#include "term_voice.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto_log.h"

extern char **environ;

#define NUMBER_MAX 16   //  a ticket number as used in a file name
#define SPOKEN_MAX 1024 //  the text given to espeak-ng

typedef struct {
    char *text;              //  the announcement
    char number[NUMBER_MAX]; //  ticket number, letters and digits only (file name)
    long long counter;       //  counter id (file name)
} s_item_t;

struct term_voice {
    char *program;       //  synthesizer
    char *voice;         //  espeak-ng voice
    char *audio_dir;     //  write WAV files here, or NULL to play
    s_item_t *ring;      //  waiting announcements, oldest at head
    size_t capacity;     //  ring size
    size_t head;         //  index of the oldest
    size_t count;        //  how many wait
    pid_t child;         //  the speaking child, or 0
    unsigned long files; //  number of the last WAV file written
    char part[1024];     //  file the child writes (audio_dir only)
    char wav[1024];      //  its final name
    size_t dropped;      //  dropped on overflow
    size_t spoken;       //  finished with success
    size_t failed;       //  child could not start or failed
};

//  ---------------------------------------------------------------------------------------
//  The announcement text

static const char *const s_digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

//  Appends `s` at *pos; false if it does not fit (with the terminating NUL).
static bool
s_put (char *out, size_t size, size_t *pos, const char *s)
{
    size_t n = strlen (s);
    if (*pos + n + 1 > size)
        return false;
    memcpy (out + *pos, s, n + 1);
    *pos += n;
    return true;
}

//  A counter number as said aloud: 5 五, 10 十, 12 十二, 20 二十, 35 三十五; from 100 on,
//  digit by digit, as halls do for long numbers.
static bool
s_put_counter (char *out, size_t size, size_t *pos, long long n)
{
    if (n < 10)
        return s_put (out, size, pos, s_digits[n]);
    if (n < 100) {
        if (n >= 20 && !s_put (out, size, pos, s_digits[n / 10]))
            return false;
        if (!s_put (out, size, pos, "十"))
            return false;
        return n % 10 == 0 || s_put (out, size, pos, s_digits[n % 10]);
    }
    char buf[24];
    snprintf (buf, sizeof buf, "%lld", n);
    for (const char *p = buf; *p; p++)
        if (!s_put (out, size, pos, s_digits[*p - '0']))
            return false;
    return true;
}

int
term_voice_text (const char *number, long long counter, int recall, char *out, size_t size)
{
    if (!out || size == 0)
        return -1;
    out[0] = 0;
    if (!number || !*number || counter < 1)
        return -1;
    size_t pos = 0;
    if (recall > 0 && !s_put (out, size, &pos, "重呼，"))
        goto fail;
    if (!s_put (out, size, &pos, "请 "))
        goto fail;
    for (const char *p = number; *p; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (!s_put (out, size, &pos, s_digits[c - '0']))
                goto fail;
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            //  Upper case; a space between two letters, or espeak-ng reads "AB" as a word.
            char letter[3] = {(char)(c & ~0x20), 0, 0};
            char next = p[1];
            if ((next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z'))
                letter[1] = ' ';
            if (!s_put (out, size, &pos, letter))
                goto fail;
        } else
            goto fail;
    }
    if (!s_put (out, size, &pos, " 号到 ") || !s_put_counter (out, size, &pos, counter) ||
        !s_put (out, size, &pos, " 号窗口办理"))
        goto fail;
    return (int)pos;
fail:
    out[0] = 0;
    return -1;
}

//  The text as espeak-ng must be given it. Without the extended dictionary espeak-ng reads
//  重 always as zhòng; a voice that reads Latin as pinyin can be told chóng directly.
static void
s_spoken (const term_voice_t *self, const char *text, char *out, size_t size)
{
    static const struct {
        const char *word, *pinyin;
    } fixes[] = {
        {"重呼", "chong2 hu1"},
    };
    snprintf (out, size, "%s", text);
    if (!strstr (self->voice, "pinyin"))
        return;
    size_t pos = 0;
    const char *p = text;
    while (*p) {
        size_t i;
        for (i = 0; i < sizeof fixes / sizeof fixes[0]; i++)
            if (strncmp (p, fixes[i].word, strlen (fixes[i].word)) == 0)
                break;
        char one[2] = {*p, 0};
        const char *put = i < sizeof fixes / sizeof fixes[0] ? fixes[i].pinyin : one;
        if (!s_put (out, size, &pos, put)) {
            snprintf (out, size, "%s", text); //  too long to fix: say it as it is
            return;
        }
        p += i < sizeof fixes / sizeof fixes[0] ? strlen (fixes[i].word) : 1;
    }
}

//  ---------------------------------------------------------------------------------------
//  The queue

//  The highest NNNNNN of the NNNNNN-*.wav files already in dir (0 if none).
static unsigned long
s_last_file (const char *dir)
{
    unsigned long last = 0;
    DIR *d = opendir (dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        char *end;
        unsigned long n = strtoul (e->d_name, &end, 10);
        size_t len = strlen (e->d_name);
        if (end - e->d_name >= 6 && *end == '-' && len > 4 &&
            strcmp (e->d_name + len - 4, ".wav") == 0 && n > last)
            last = n;
    }
    closedir (d);
    return last;
}

term_voice_t *
term_voice_new (const char *program, const char *voice, const char *audio_dir, size_t capacity)
{
    term_voice_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = capacity ? capacity : TERM_VOICE_CAPACITY;
    self->ring = calloc (self->capacity, sizeof *self->ring);
    self->program = strdup (program ? program : TERM_VOICE_PROGRAM);
    self->voice = strdup (voice ? voice : TERM_VOICE_NAME);
    if (!self->ring || !self->program || !self->voice)
        goto fail;
    if (audio_dir) {
        self->audio_dir = strdup (audio_dir);
        if (!self->audio_dir)
            goto fail;
        if (mkdir (audio_dir, 0755) != 0 && errno != EEXIST) {
            log_error ("voice: cannot create the audio directory '%s': %s", audio_dir,
                       strerror (errno));
            goto fail;
        }
        struct stat st;
        if (stat (audio_dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
            log_error ("voice: '%s' is not a directory", audio_dir);
            goto fail;
        }
        self->files = s_last_file (audio_dir);
    }
    return self;
fail:
    term_voice_destroy (&self);
    return NULL;
}

//  Handles the end of the child: keeps or removes its WAV file and counts the outcome.
static void
s_finished (term_voice_t *self, bool ok, const char *why)
{
    self->child = 0;
    if (self->audio_dir) {
        if (ok && rename (self->part, self->wav) != 0) {
            log_error ("voice: cannot rename '%s': %s", self->part, strerror (errno));
            ok = false;
        }
        if (ok)
            self->files++;
        else
            unlink (self->part);
    }
    if (ok)
        self->spoken++;
    else {
        self->failed++;
        log_warn ("voice: %s %s (%zu failed so far)", self->program, why, self->failed);
    }
}

//  Starts the oldest waiting announcement if nothing is speaking.
static void
s_start (term_voice_t *self)
{
    while (!self->child && self->count) {
        s_item_t item = self->ring[self->head];
        self->ring[self->head].text = NULL;
        self->head = (self->head + 1) % self->capacity;
        self->count--;

        char spoken[SPOKEN_MAX];
        s_spoken (self, item.text, spoken, sizeof spoken);
        char speed[16];
        snprintf (speed, sizeof speed, "%d", TERM_VOICE_SPEED);
        char *argv[10];
        int argc = 0;
        argv[argc++] = self->program;
        argv[argc++] = "-v";
        argv[argc++] = self->voice;
        argv[argc++] = "-s";
        argv[argc++] = speed;
        if (self->audio_dir) {
            unsigned long n = self->files + 1;
            snprintf (self->wav, sizeof self->wav, "%s/%06lu-%s-%lld.wav", self->audio_dir, n,
                      item.number, item.counter);
            snprintf (self->part, sizeof self->part, "%s/.%06lu-%s-%lld.wav.part", self->audio_dir,
                      n, item.number, item.counter);
            argv[argc++] = "-w";
            argv[argc++] = self->part;
        }
        argv[argc++] = "--"; //  the text is never an option
        argv[argc++] = spoken;
        argv[argc] = NULL;

        //  The child gets default signal handling, an empty mask, and no stdout/stderr: the
        //  board owns the terminal (and a machine without a sound card makes ALSA chatty).
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_init (&fa);
        posix_spawn_file_actions_addopen (&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawnattr_init (&attr);
        sigset_t def, none;
        sigemptyset (&def);
        sigaddset (&def, SIGPIPE);
        sigaddset (&def, SIGINT);
        sigaddset (&def, SIGTERM);
        sigaddset (&def, SIGCHLD);
        sigemptyset (&none);
        posix_spawnattr_setsigdefault (&attr, &def);
        posix_spawnattr_setsigmask (&attr, &none);
        //  Its own process group, so that stopping it stops whatever it started too.
        posix_spawnattr_setpgroup (&attr, 0);
        posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                             POSIX_SPAWN_SETPGROUP);
        pid_t pid;
        int rc = posix_spawnp (&pid, self->program, &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy (&fa);
        posix_spawnattr_destroy (&attr);
        if (rc == 0)
            self->child = pid;
        else {
            char why[160];
            snprintf (why, sizeof why, "cannot start: %s", strerror (rc));
            s_finished (self, false, why);
        }
        free (item.text);
    }
}

int
term_voice_say (term_voice_t *self, const char *text, const char *number, long long counter)
{
    int rc = 0;
    char *copy = strdup (text);
    if (!copy)
        return -1;
    if (self->count == self->capacity) {
        s_item_t *old = &self->ring[self->head];
        self->dropped++;
        log_warn ("voice: %zu announcements waiting: dropped the oldest, '%s' (%zu dropped so far)",
                  self->count, old->text, self->dropped);
        free (old->text);
        old->text = NULL;
        self->head = (self->head + 1) % self->capacity;
        self->count--;
        rc = 1;
    }
    s_item_t *item = &self->ring[(self->head + self->count) % self->capacity];
    item->text = copy;
    item->counter = counter;
    //  The number goes into a file name: letters and digits only.
    size_t n = 0;
    for (const char *p = number ? number : ""; *p && n < sizeof item->number - 1; p++)
        if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            item->number[n++] = *p;
    item->number[n] = 0;
    self->count++;
    s_start (self);
    return rc;
}

void
term_voice_tick (term_voice_t *self)
{
    if (self->child) {
        int st = 0;
        pid_t r = waitpid (self->child, &st, WNOHANG);
        if (r == self->child) {
            char why[64] = "";
            bool ok = WIFEXITED (st) && WEXITSTATUS (st) == 0;
            if (WIFEXITED (st))
                snprintf (why, sizeof why, "exited with status %d", WEXITSTATUS (st));
            else if (WIFSIGNALED (st))
                snprintf (why, sizeof why, "was killed by signal %d", WTERMSIG (st));
            s_finished (self, ok, why);
        } else if (r < 0 && errno != EINTR)
            s_finished (self, false, "vanished (reaped elsewhere)");
    }
    s_start (self);
}

bool
term_voice_busy (const term_voice_t *self)
{
    return self->child || self->count;
}

size_t
term_voice_queued (const term_voice_t *self)
{
    return self->count;
}

size_t
term_voice_dropped (const term_voice_t *self)
{
    return self->dropped;
}

size_t
term_voice_spoken (const term_voice_t *self)
{
    return self->spoken;
}

size_t
term_voice_failed (const term_voice_t *self)
{
    return self->failed;
}

void
term_voice_destroy (term_voice_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    term_voice_t *self = *self_p;
    if (self->child) {
        kill (-self->child, SIGTERM);
        //  Up to half a second to go quietly, then no choice.
        int st;
        pid_t r = 0;
        for (int i = 0; i < 50 && (r = waitpid (self->child, &st, WNOHANG)) == 0; i++)
            nanosleep (&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        if (r == 0) {
            kill (-self->child, SIGKILL);
            while (waitpid (self->child, &st, 0) < 0 && errno == EINTR)
                ;
        }
        if (self->audio_dir)
            unlink (self->part);
        self->child = 0;
    }
    if (self->ring)
        for (size_t i = 0; i < self->capacity; i++)
            free (self->ring[i].text);
    free (self->ring);
    free (self->program);
    free (self->voice);
    free (self->audio_dir);
    free (self);
    *self_p = NULL;
}
