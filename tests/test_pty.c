/*  test_pty.c — see test_pty.h. */
#include "test_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto_text.h"

int
test_pty_start (test_pty_t *p, char *const argv[], unsigned short rows, unsigned short cols)
{
    memset (p, 0, sizeof *p);
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    p->pid = forkpty (&p->fd, NULL, NULL, &ws);
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        setenv ("TERM", "xterm-256color", 1);
        setenv ("LC_ALL", "C.UTF-8", 1);
        execv (argv[0], argv);
        _exit (127);
    }
    fcntl (p->fd, F_SETFL, O_NONBLOCK);
    return 0;
}

bool
test_pty_wait (test_pty_t *p, size_t from, const char *needle, int timeout_ms)
{
    int64_t end = proto_mono_ms () + timeout_ms;
    for (;;) {
        if (needle && p->out && p->len > from && strstr (p->out + from, needle))
            return true;
        int64_t left = end - proto_mono_ms ();
        if (left <= 0 || p->eof)
            return false;
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll (&pfd, 1, (int)(left < 100 ? left : 100)) <= 0)
            continue;
        char buf[4096];
        ssize_t n = read (p->fd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EAGAIN)
                continue;
            p->eof = true; //  EIO: the program closed the terminal
            continue;
        }
        if (p->len + (size_t)n + 1 > p->size) {
            p->size = (p->len + (size_t)n + 1) * 2;
            p->out = realloc (p->out, p->size);
        }
        memcpy (p->out + p->len, buf, (size_t)n);
        p->len += (size_t)n;
        p->out[p->len] = 0;
    }
}

bool
test_pty_see (test_pty_t *p, const char *needle, int timeout_ms)
{
    int64_t end = proto_mono_ms () + timeout_ms;
    do {
        size_t mark = p->len;
        if (!test_pty_type (p, "\f"))
            return false;
        if (test_pty_wait (p, mark, needle, 1000))
            return true;
    } while (proto_mono_ms () < end);
    return false;
}

bool
test_pty_type (test_pty_t *p, const char *keys)
{
    size_t len = strlen (keys);
    return write (p->fd, keys, len) == (ssize_t)len;
}

int
test_pty_exit (test_pty_t *p, int timeout_ms)
{
    int64_t end = proto_mono_ms () + timeout_ms;
    int status;
    while (proto_mono_ms () < end) {
        test_pty_wait (p, 0, NULL, 50);
        if (waitpid (p->pid, &status, WNOHANG) == p->pid)
            return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
    }
    kill (p->pid, SIGKILL);
    waitpid (p->pid, &status, 0);
    return -1;
}

void
test_pty_close (test_pty_t *p)
{
    close (p->fd);
    free (p->out);
    p->out = NULL;
    p->len = p->size = 0;
}
