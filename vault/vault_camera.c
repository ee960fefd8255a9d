/*  vault_camera.c — see vault_camera.h. */
#include "vault_camera.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proto_log.h"

#define S_SETTLE_MS \
    1000                //  a frame that does not read is tried again until it stood still this long
#define S_RETRY_MS 50   //  ... this often; also the look without inotify
#define S_IDLE_MS  1000 //  a look at least this often, should an inotify event be lost
#define S_NICE     5    //  the decoder yields to the control loop on a busy machine
#define S_TRIES    2    //  reads per look: the newest frame, and one older if it is unfinished
#define S_STUCK    16 //  frames that could not be removed, remembered so as not to read them again

//  A file of the folder.
typedef struct {
    char name[256];
    int64_t mtime_ns;
    off_t size;
    ino_t ino;
} s_entry_t;

typedef struct {
    s_entry_t *v;
    size_t n, cap;
} s_list_t;

struct vault_camera {
    char *dir;
    int dirfd;   //  the folder, for the *at calls
    int inotify; //  -1: looked at every S_RETRY_MS
    int wake[2]; //  a byte in [0] while codes wait
    int stop[2]; //  a byte in [1] stops the thread
    int keep;    //  read frames kept as *.done
    bool lost;   //  the folder could not be read (said once)
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    proto_qr_codes_t pending;    //  codes found, not yet taken (under lock)
    vault_camera_stats_t stats;  //  (under lock)
    s_entry_t stuck[S_STUCK];    //  never read again (thread only)
    int nstuck;                  //  how many of stuck[] are used, as a ring
    s_list_t frames, done, skip; //  this look's *.png, *.done, non-regular (thread only)
};

static int64_t
s_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool
s_ends_with (const char *name, const char *tail)
{
    size_t n = strlen (name), t = strlen (tail);
    return n > t && strcmp (name + n - t, tail) == 0;
}

static int
s_add (s_list_t *list, const char *name, const struct stat *st)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 32;
        s_entry_t *v = realloc (list->v, cap * sizeof *v);
        if (!v)
            return -1;
        list->v = v;
        list->cap = cap;
    }
    s_entry_t *e = &list->v[list->n++];
    snprintf (e->name, sizeof e->name, "%s", name);
    e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    e->size = st->st_size;
    e->ino = st->st_ino;
    return 0;
}

//  Oldest first: by modification time, then by name.
static int
s_older (const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp (x->name, y->name);
}

static bool
s_is_stuck (const vault_camera_t *self, const s_entry_t *e)
{
    for (int i = 0; i < S_STUCK && i < self->nstuck; i++)
        if (self->stuck[i].ino == e->ino && self->stuck[i].mtime_ns == e->mtime_ns)
            return true;
    return false;
}

static void
s_stick (vault_camera_t *self, const s_entry_t *e, const char *what)
{
    log_warn ("camera: cannot %s %s/%s: %s; it is left alone", what, self->dir, e->name,
              strerror (errno));
    self->stuck[self->nstuck++ % S_STUCK] = *e;
}

//  Lists the folder: frames, read frames (*.done) and what is named *.png but is not a
//  regular file. 0 / -1.
static int
s_look (vault_camera_t *self)
{
    self->frames.n = self->done.n = self->skip.n = 0;
    DIR *d = opendir (self->dir);
    if (!d) {
        if (!self->lost)
            log_error ("camera: cannot read %s: %s", self->dir, strerror (errno));
        self->lost = true;
        return -1;
    }
    self->lost = false;
    struct dirent *de;
    while ((de = readdir (d))) {
        const char *name = de->d_name;
        bool png = s_ends_with (name, ".png"), done = s_ends_with (name, ".png.done");
        struct stat st;
        //  Hidden names are a writer's unfinished files.
        if (name[0] == '.' || (!png && !done) ||
            fstatat (self->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        s_list_t *list = !S_ISREG (st.st_mode) ? (png ? &self->skip : NULL)
                         : png                 ? &self->frames
                                               : &self->done;
        if (list && s_add (list, name, &st) != 0)
            break;
    }
    closedir (d);
    return 0;
}

//  A frame read or dropped: deleted, or kept as *.done. One that cannot be removed is
//  remembered and never read again.
static void
s_retire (vault_camera_t *self, const s_entry_t *e)
{
    if (self->keep > 0) {
        char done[300];
        snprintf (done, sizeof done, "%s.done", e->name);
        if (renameat (self->dirfd, e->name, self->dirfd, done) == 0) {
            struct stat st = {.st_mtim = {e->mtime_ns / 1000000000, e->mtime_ns % 1000000000}};
            s_add (&self->done, done, &st);
            return;
        }
    } else if (unlinkat (self->dirfd, e->name, 0) == 0)
        return;
    if (errno != ENOENT)
        s_stick (self, e, "remove");
}

//  Deletes the oldest *.done beyond `keep`.
static void
s_prune (vault_camera_t *self)
{
    if ((size_t)self->keep >= self->done.n)
        return;
    qsort (self->done.v, self->done.n, sizeof *self->done.v, s_older);
    for (size_t i = 0; i + (size_t)self->keep < self->done.n; i++)
        unlinkat (self->dirfd, self->done.v[i].name, 0);
}

//  Anything named *.png that is not a regular file is set aside, never opened.
static void
s_refuse (vault_camera_t *self)
{
    for (size_t i = 0; i < self->skip.n; i++) {
        s_entry_t *e = &self->skip.v[i];
        if (s_is_stuck (self, e))
            continue;
        char bad[300];
        snprintf (bad, sizeof bad, "%s.bad", e->name);
        pthread_mutex_lock (&self->lock);
        self->stats.refused++;
        pthread_mutex_unlock (&self->lock);
        if (renameat (self->dirfd, e->name, self->dirfd, bad) == 0)
            log_warn ("camera: %s/%s is not a regular file: renamed %s", self->dir, e->name, bad);
        else
            s_stick (self, e, "rename");
    }
}

//  Adds a frame's codes to those waiting, each once, and wakes the loop.
static void
s_deliver (vault_camera_t *self, const proto_qr_codes_t *codes, int64_t ms)
{
    pthread_mutex_lock (&self->lock);
    self->stats.decoded++;
    self->stats.with_codes += codes->count > 0;
    self->stats.decode_ms = ms;
    if (ms > self->stats.decode_max_ms)
        self->stats.decode_max_ms = ms;
    proto_qr_codes_t *p = &self->pending;
    bool was_empty = p->count == 0;
    for (int i = 0; i < codes->count && p->count < PROTO_QR_MAX_CODES; i++) {
        bool known = false;
        for (int k = 0; k < p->count && !known; k++)
            known = strcmp (p->text[k], codes->text[i]) == 0;
        if (!known)
            memcpy (p->text[p->count++], codes->text[i], sizeof p->text[0]);
    }
    if (was_empty && p->count > 0 && write (self->wake[1], "c", 1) != 1)
        log_warn ("camera: cannot wake the loop: %s", strerror (errno));
    pthread_mutex_unlock (&self->lock);
}

//  Reads and decodes one frame into *codes: 1 done (with or without codes), 0 still being
//  written (try again), -1 not a picture although it stood still (drop it), -2 gone.
static int
s_read (vault_camera_t *self, const s_entry_t *e, proto_qr_codes_t *codes)
{
    char path[4400];
    snprintf (path, sizeof path, "%s/%s", self->dir, e->name);
    if (proto_qr_decode_all_png (path, codes) >= 0)
        return 1;
    struct stat st;
    if (fstatat (self->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return -2;
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    bool writing = st.st_size != e->size || mtime != e->mtime_ns ||
                   s_now_ns () - mtime < (int64_t)S_SETTLE_MS * 1000000;
    pthread_mutex_lock (&self->lock);
    if (writing)
        self->stats.retried++;
    else
        self->stats.unreadable++;
    pthread_mutex_unlock (&self->lock);
    if (writing)
        return 0;
    log_warn ("camera: %s/%s is not a readable PNG; dropped", self->dir, e->name);
    return -1;
}

//  One look at the folder: the newest frame is decoded, older ones are dropped. True if a
//  frame is being written and must be tried again soon.
static bool
s_pass (vault_camera_t *self, proto_qr_codes_t *codes)
{
    if (s_look (self) != 0)
        return true;
    s_refuse (self);
    s_list_t *f = &self->frames;
    if (f->n > 1)
        qsort (f->v, f->n, sizeof *f->v, s_older);
    bool retry = false;
    size_t cut = 0, tries = 0, i = f->n;
    while (i > 0 && tries < S_TRIES) {
        s_entry_t *e = &f->v[--i];
        if (s_is_stuck (self, e))
            continue;
        tries++;
        int64_t t0 = s_now_ns ();
        int rc = s_read (self, e, codes);
        if (rc == 0) {
            retry = true;
            continue;
        }
        //  Out of the way before its codes are acted on, so a frame is never read twice.
        if (rc != -2)
            s_retire (self, e);
        if (rc == 1)
            s_deliver (self, codes, (s_now_ns () - t0) / 1000000);
        cut = i;
        break;
    }
    //  Everything older than the frame read is stale.
    uint64_t stale = 0;
    for (size_t k = 0; k < cut; k++)
        if (!s_is_stuck (self, &f->v[k])) {
            s_retire (self, &f->v[k]);
            stale++;
        }
    pthread_mutex_lock (&self->lock);
    self->stats.stale += stale;
    pthread_mutex_unlock (&self->lock);
    s_prune (self);
    return retry;
}

static void
s_lower_priority (void)
{
    //  On Linux nice is per thread: only the decoder yields.
    id_t tid = (id_t)syscall (SYS_gettid);
    errno = 0;
    int prio = getpriority (PRIO_PROCESS, tid);
    if (errno == 0)
        setpriority (PRIO_PROCESS, tid, prio + S_NICE > 19 ? 19 : prio + S_NICE);
}

static void *
s_thread (void *arg)
{
    vault_camera_t *self = arg;
    s_lower_priority ();
    proto_qr_codes_t *codes = malloc (sizeof *codes);
    if (!codes) {
        log_error ("camera: out of memory");
        return NULL;
    }
    for (;;) {
        bool retry = s_pass (self, codes);
        struct pollfd p[2] = {{self->stop[0], POLLIN, 0}, {self->inotify, POLLIN, 0}};
        int wait = retry || self->inotify < 0 ? S_RETRY_MS : S_IDLE_MS;
        int n = poll (p, self->inotify >= 0 ? 2 : 1, wait);
        if (n > 0 && (p[0].revents & (POLLIN | POLLHUP)))
            break;
        if (n > 0 && (p[1].revents & POLLIN)) {
            //  What happened does not matter: the next look sees it.
            char buf[4096];
            while (read (self->inotify, buf, sizeof buf) > 0)
                ;
        }
    }
    free (codes);
    return NULL;
}

vault_camera_t *
vault_camera_new (const char *dir, int keep)
{
    vault_camera_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->dirfd = self->inotify = -1;
    self->wake[0] = self->wake[1] = self->stop[0] = self->stop[1] = -1;
    self->keep = keep > 0 ? keep : 0;
    pthread_mutex_init (&self->lock, NULL);
    self->dir = strdup (dir);
    if (mkdir (dir, 0750) != 0 && errno != EEXIST)
        log_warn ("camera: cannot make %s: %s", dir, strerror (errno));
    self->dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!self->dir || self->dirfd < 0 || pipe2 (self->wake, O_NONBLOCK | O_CLOEXEC) != 0 ||
        pipe2 (self->stop, O_NONBLOCK | O_CLOEXEC) != 0) {
        log_error ("camera: cannot watch %s: %s", dir, strerror (errno));
        vault_camera_destroy (&self);
        return NULL;
    }
    self->inotify = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
    if (self->inotify >= 0 &&
        inotify_add_watch (self->inotify, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        close (self->inotify);
        self->inotify = -1;
    }
    if (self->inotify < 0)
        log_warn ("camera: no inotify on %s (%s): looking every %d ms", dir, strerror (errno),
                  S_RETRY_MS);
    int rc = pthread_create (&self->thread, NULL, s_thread, self);
    if (rc != 0) {
        log_error ("camera: cannot start the decoder: %s", strerror (rc));
        vault_camera_destroy (&self);
        return NULL;
    }
    self->started = true;
    return self;
}

void
vault_camera_destroy (vault_camera_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    vault_camera_t *self = *self_p;
    if (self->started) {
        if (write (self->stop[1], "q", 1) != 1)
            log_warn ("camera: cannot stop the decoder: %s", strerror (errno));
        pthread_join (self->thread, NULL);
    }
    int fds[] = {self->dirfd,   self->inotify, self->wake[0],
                 self->wake[1], self->stop[0], self->stop[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close (fds[i]);
    pthread_mutex_destroy (&self->lock);
    free (self->frames.v);
    free (self->done.v);
    free (self->skip.v);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

int
vault_camera_fd (const vault_camera_t *self)
{
    return self->wake[0];
}

int
vault_camera_take (vault_camera_t *self, proto_qr_codes_t *out)
{
    pthread_mutex_lock (&self->lock);
    memcpy (out, &self->pending, sizeof *out);
    self->pending.count = 0;
    char buf[64];
    while (read (self->wake[0], buf, sizeof buf) > 0)
        ;
    pthread_mutex_unlock (&self->lock);
    return out->count;
}

void
vault_camera_stats (vault_camera_t *self, vault_camera_stats_t *out)
{
    pthread_mutex_lock (&self->lock);
    *out = self->stats;
    pthread_mutex_unlock (&self->lock);
}
