/*  test_pty.h — a program run on a pseudo-terminal, as a person at a screen runs it: the
    tests of the interactive terminals (the monitor's curses screen, the counter's keys and
    status line) type into it and read what it draws. */
#ifndef TEST_PTY_H
#define TEST_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    int fd;    //  the terminal's master side
    char *out; //  everything the program wrote, NUL-terminated (NULL before any output)
    size_t len, size;
    bool eof; //  the program closed the terminal
} test_pty_t;

//  Starts argv[0] (a path) with argv on a new rows×cols terminal, TERM=xterm-256color and
//  a UTF-8 locale. 0 / -1.
int test_pty_start (test_pty_t *p, char *const argv[], unsigned short rows, unsigned short cols);
//  Reads what the program writes for up to timeout_ms, until `needle` appears after
//  offset `from` (NULL: just reads for that long). True if it did.
bool test_pty_wait (test_pty_t *p, size_t from, const char *needle, int timeout_ms);
//  Waits until a curses screen shows `needle`. Curses sends only what changed (A001
//  becoming A002 is one character on the wire), so each second the screen is repainted
//  whole (Ctrl-L) and looked at again.
bool test_pty_see (test_pty_t *p, const char *needle, int timeout_ms);
//  Types `keys`. True if all were written.
bool test_pty_type (test_pty_t *p, const char *keys);
//  Waits for the program to exit (bounded; killed after the timeout). Its exit status,
//  128 + the signal that ended it, or -1 if it had to be killed.
int test_pty_exit (test_pty_t *p, int timeout_ms);
//  Closes the terminal and frees the output (the program should have exited).
void test_pty_close (test_pty_t *p);

#endif
