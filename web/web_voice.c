/*  web_voice.c — see web_voice.h. */
#include "web_voice.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto_log.h"
#include "proto_text.h"

extern char **environ;

typedef struct {
    char *text; //  what was said
    char *wav;  //  the WAV espeak-ng made of it
    size_t len;
} s_entry_t;

struct web_voice {
    char *program;                    //  the synthesizer
    bool available;                   //  found when made
    s_entry_t cache[WEB_VOICE_CACHE]; //  the latest WAVs
    size_t next;                      //  the cache entry to use next
};

int
web_voice_text (const char *number, long long counter, bool recall, char *out, size_t size)
{
    if (!out || !size)
        return -1;
    out[0] = 0;
    if (!number || !*number || counter < 1)
        return -1;
    char spaced[64] = "";
    size_t pos = 0;
    for (const char *p = number; *p; p++) {
        bool alnum =
            (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
        if (!alnum || pos + 3 > sizeof spaced)
            return -1;
        if (pos)
            spaced[pos++] = ' ';
        spaced[pos++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        spaced[pos] = 0;
    }
    int n = snprintf (out, size, "%s请 %s 号到 %lld 号窗口办理", recall ? "重呼，" : "", spaced,
                      counter);
    if (n < 0 || (size_t)n >= size) {
        out[0] = 0;
        return -1;
    }
    return n;
}

//  True if `program` is an executable file: the path given, or found on PATH.
static bool
s_find (const char *program)
{
    if (strchr (program, '/'))
        return access (program, X_OK) == 0;
    const char *path = getenv ("PATH");
    char *dirs = strdup (path ? path : "/usr/bin:/bin");
    bool found = false;
    for (char *save = NULL, *d = dirs ? strtok_r (dirs, ":", &save) : NULL; d && !found;
         d = strtok_r (NULL, ":", &save)) {
        char file[1024];
        snprintf (file, sizeof file, "%s/%s", *d ? d : ".", program);
        found = access (file, X_OK) == 0;
    }
    free (dirs);
    return found;
}

web_voice_t *
web_voice_new (const char *program)
{
    web_voice_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->program = strdup (program ? program : WEB_VOICE_PROGRAM);
    if (!self->program) {
        free (self);
        return NULL;
    }
    self->available = s_find (self->program);
    return self;
}

void
web_voice_destroy (web_voice_t **self_p)
{
    web_voice_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < WEB_VOICE_CACHE; i++) {
        free (self->cache[i].text);
        free (self->cache[i].wav);
    }
    free (self->program);
    free (self);
    *self_p = NULL;
}

bool
web_voice_available (const web_voice_t *self)
{
    return self->available;
}

//  The text as espeak-ng's pinyin voice must be given it: 重呼 in pinyin (it reads 重 as
//  zhòng), the rest as it is.
static void
s_spoken (const char *text, char *out, size_t size)
{
    const char *recall = "重呼";
    if (strncmp (text, recall, strlen (recall)) == 0)
        snprintf (out, size, "chong2 hu1%s", text + strlen (recall));
    else
        snprintf (out, size, "%s", text);
}

//  Reads the child's output from `fd` until it ends or the time is up. 0 / -1.
static int
s_read_all (int fd, char **data, size_t *len)
{
    size_t cap = 1 << 16;
    char *buf = malloc (cap);
    *len = 0;
    int64_t deadline = proto_mono_ms () + WEB_VOICE_TIMEOUT_MS;
    while (buf) {
        int left = (int)(deadline - proto_mono_ms ());
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll (&p, 1, left) <= 0)
            break;
        if (*len == cap) {
            char *more = cap < WEB_VOICE_MAX ? realloc (buf, cap * 2) : NULL;
            if (!more)
                break;
            buf = more;
            cap *= 2;
        }
        ssize_t n = read (fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) {
            *data = buf;
            return 0;
        }
        if (n < 0)
            break;
        *len += (size_t)n;
    }
    free (buf);
    return -1;
}

//  Runs espeak-ng on `text`, its WAV (from --stdout) into *wav and *len. 0 / -1.
static int
s_synthesize (web_voice_t *self, const char *text, char **wav, size_t *len)
{
    char spoken[512], speed[16];
    s_spoken (text, spoken, sizeof spoken);
    snprintf (speed, sizeof speed, "%d", WEB_VOICE_SPEED);
    int out[2];
    if (pipe2 (out, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init (&fa);
    posix_spawn_file_actions_adddup2 (&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    char *argv[] = {self->program, "-v", WEB_VOICE_NAME, "-s", speed, "--stdout", spoken, NULL};
    pid_t pid;
    int rc = posix_spawnp (&pid, self->program, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy (&fa);
    close (out[1]);
    if (rc != 0) {
        close (out[0]);
        log_warn ("web: voice: cannot run %s: %s", self->program, strerror (rc));
        return -1;
    }
    rc = s_read_all (out[0], wav, len);
    close (out[0]);
    int status = 0;
    if (rc != 0)
        kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
    bool ok = rc == 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0 && *len > 44 &&
              memcmp (*wav, "RIFF", 4) == 0;
    if (!ok) {
        if (rc == 0)
            free (*wav);
        *wav = NULL;
        log_warn ("web: voice: %s gave no WAV for \"%s\"", self->program, text);
        return -1;
    }
    return 0;
}

int
web_voice_wav (web_voice_t *self, const char *text, const char **data, size_t *len)
{
    for (size_t i = 0; i < WEB_VOICE_CACHE; i++) {
        const s_entry_t *e = &self->cache[i];
        if (e->text && strcmp (e->text, text) == 0) {
            *data = e->wav;
            *len = e->len;
            return 0;
        }
    }
    if (!self->available)
        return -1;
    char *wav = NULL;
    size_t n = 0;
    char *copy = strdup (text);
    if (!copy || s_synthesize (self, text, &wav, &n) != 0) {
        free (copy);
        return -1;
    }
    s_entry_t *e = &self->cache[self->next];
    self->next = (self->next + 1) % WEB_VOICE_CACHE;
    free (e->text);
    free (e->wav);
    *e = (s_entry_t){copy, wav, n};
    *data = wav;
    *len = n;
    return 0;
}
