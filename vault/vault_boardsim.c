/*  vault_boardsim.c — onewindow-boardsim: simulated lock boards on a pseudo-terminal.

    onewindow-boardsim --link PATH [--protocol 8a|cu16] [--boards N] [--locks N[,N...]]
                       [--control PATH] [--auto MS] [--fault KIND:B:L]... [--baud B]
                       [--open-ms MS] [--ack state|echo] [--seed N] [--verbose]

    Opens a pseudo-terminal, makes PATH a symlink to its slave side (the "serial port" the
    vault opens), and answers frames as the boards would (vault_sim.h), with their timing:
    the wire time of every byte at the boards' baud rate and the delay of an unlock's reply.
    Bytes sent while the line is set to another baud rate than the boards' are not
    understood (a real board sees framing errors). A person is driven through the control
    socket, one command per line, one reply line each. PATH appears last, when the line and
    the control socket are ready; it and the socket are removed on exit (quit, SIGINT,
    SIGTERM). See docs/LOCKBOARDS.md. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proto_log.h"
#include "vault_sim.h"

#define S_MAX_CLIENTS 16
#define S_LINE_MAX    512

static volatile sig_atomic_t s_stop = 0;

static void
s_on_signal (int sig)
{
    (void)sig;
    s_stop = 1;
}

typedef struct {
    int fd;               //  -1 when the slot is free
    char buf[S_LINE_MAX]; //  partial command line
    size_t len;           //  bytes in buf
    bool overflow;        //  the current line is too long; skip to its end
} s_client_t;

typedef struct {
    int master;       //  our side of the pseudo-terminal
    int slave;        //  its other side, kept open: its termios say the baud rate set
    speed_t speed;    //  the boards' baud rate
    bool mismatch;    //  the line is set to another rate (logged once per change)
    uint64_t dropped; //  reply bytes the line could not take
} s_line_t;

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  Writes reply bytes to the line. Never blocks: what the line cannot take now is dropped
//  and counted, as bytes would be lost on a real bus nobody listens to.
static void
s_line_write (void *arg, const uint8_t *data, size_t size)
{
    s_line_t *line = arg;
    while (size > 0) {
        ssize_t n = write (line->master, data, size);
        if (n > 0) {
            data += n;
            size -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        line->dropped += size;
        log_warn ("line: %zu reply bytes dropped (%s)", size,
                  n < 0 ? strerror (errno) : "nobody reads");
        return;
    }
}

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: onewindow-boardsim --link PATH [--protocol 8a|cu16] [--boards N] "
                  "[--locks N[,N...]]\n"
                  "       [--control PATH] [--auto MS] [--fault KIND:B:L]... [--baud B] "
                  "[--open-ms MS]\n"
                  "       [--ack state|echo] [--seed N] [--verbose]\n"
                  "faults: jam ajar silent corrupt corrupt-once garbage uncommanded (L 0 = whole "
                  "board)\n"
                  "defaults: 8a 9600 baud, opens answered after 1000 ms (80 BB LL SS); cu16 "
                  "19200 baud, at once\n");
}

static speed_t
s_speed (int baud)
{
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    default: return 0;
    }
}

//  Points `link` at `target`, replacing an older symlink atomically; refuses to replace
//  anything that is not a symlink (a real device, a file). 0 / -1.
static int
s_make_link (const char *link, const char *target)
{
    struct stat st;
    if (lstat (link, &st) == 0 && !S_ISLNK (st.st_mode)) {
        log_error ("%s exists and is not a symlink; not replacing it", link);
        return -1;
    }
    char tmp[PATH_MAX];
    if (snprintf (tmp, sizeof tmp, "%s.%ld.tmp", link, (long)getpid ()) >= (int)sizeof tmp) {
        log_error ("link path too long: %s", link);
        return -1;
    }
    unlink (tmp);
    if (symlink (target, tmp) != 0 || rename (tmp, link) != 0) {
        log_error ("cannot make %s -> %s: %s", link, target, strerror (errno));
        unlink (tmp);
        return -1;
    }
    return 0;
}

//  Removes `link` if it still points at `target` (a newer simulator may own it now).
static void
s_remove_link (const char *link, const char *target)
{
    char buf[PATH_MAX];
    ssize_t n = readlink (link, buf, sizeof buf - 1);
    if (n < 0)
        return;
    buf[n] = '\0';
    if (strcmp (buf, target) == 0)
        unlink (link);
}

static int
s_listen (const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen (path) >= sizeof addr.sun_path) {
        log_error ("control path too long: %s", path);
        return -1;
    }
    strcpy (addr.sun_path, path);
    struct stat st;
    if (lstat (path, &st) == 0) {
        if (!S_ISSOCK (st.st_mode)) {
            log_error ("%s exists and is not a socket; not replacing it", path);
            return -1;
        }
        unlink (path);
    }
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind (fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen (fd, 8) != 0) {
        log_error ("control socket %s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    return fd;
}

//  Sends one reply line to a client; a client that does not read within a second is dropped.
static int
s_send_line (int fd, const char *text)
{
    size_t len = strlen (text);
    char *msg = malloc (len + 1);
    if (!msg)
        return -1;
    memcpy (msg, text, len);
    msg[len] = '\n';
    size_t done = 0;
    int rc = 0;
    int64_t deadline = s_now_ms () + 1000;
    while (done < len + 1) {
        ssize_t n = send (fd, msg + done, len + 1 - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        int64_t left = deadline - s_now_ms ();
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || left <= 0) {
            rc = -1;
            break;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        poll (&pfd, 1, (int)left);
    }
    free (msg);
    return rc;
}

//  Reads what a client sent and runs each whole line. -1 when the client is gone.
static int
s_client_read (s_client_t *c, vault_sim_t *sim, bool *quit)
{
    char buf[1024];
    ssize_t n = recv (c->fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n <= 0)
        return -1;
    for (ssize_t i = 0; i < n; i++) {
        char ch = buf[i];
        if (ch != '\n') {
            if (c->len + 1 < sizeof c->buf)
                c->buf[c->len++] = ch;
            else
                c->overflow = true;
            continue;
        }
        c->buf[c->len] = '\0';
        char *reply;
        bool q = false;
        if (c->overflow)
            reply = strdup ("error line too long");
        else if (memchr (c->buf, '\0', c->len))
            reply = strdup ("error NUL in command");
        else
            reply = vault_sim_control (sim, c->buf, s_now_ms (), &q);
        c->len = 0;
        c->overflow = false;
        int rc = s_send_line (c->fd, reply ? reply : "error out of memory");
        free (reply);
        if (q)
            *quit = true;
        if (rc != 0)
            return -1;
    }
    return 0;
}

//  The command line.
typedef struct {
    const char *link, *control;
    vault_proto_t proto;
    int boards, auto_ms, baud, open_ms;
    int locks[VAULT_8A_BOARDS + 1]; //  [0]: most locks on a board; [b]: board b's (0 = [0])
    const char *locks_arg;          //  --locks as given
    bool ack_echo;
    uint32_t seed;
    bool verbose;
    const char *faults[64];
    int nfaults;
} s_opts_t;

//  --locks N or N,N,...: every board's locks, or each board's in turn (the last count goes
//  on for the boards after it). 0 / -1.
static int
s_parse_locks (s_opts_t *o)
{
    int max = 0, last = 0, board = 0;
    const char *p = o->locks_arg;
    while (*p) {
        char *end;
        long v = strtol (p, &end, 10);
        if (end == p || v < 1 || v > 255 || (*end && *end != ',') || board == VAULT_8A_BOARDS)
            return -1;
        o->locks[++board] = last = (int)v;
        max = last > max ? last : max;
        p = *end ? end + 1 : end;
    }
    if (board == 0)
        return -1;
    for (int b = board + 1; b <= VAULT_8A_BOARDS; b++)
        o->locks[b] = last;
    o->locks[0] = max;
    return 0;
}

//  Parses the command line into o. *run false: exit with the status returned (0 after
//  --help, 2 after a usage error, its message printed).
static int
s_parse (int argc, char **argv, s_opts_t *o, bool *run)
{
    *o = (s_opts_t){.proto = VAULT_PROTO_8A, .boards = 1, .baud = -1, .open_ms = -1, .seed = 1};
    *run = false;
    static const struct option options[] = {
        {"link", required_argument, NULL, 'l'},    {"protocol", required_argument, NULL, 'p'},
        {"boards", required_argument, NULL, 'b'},  {"locks", required_argument, NULL, 'n'},
        {"control", required_argument, NULL, 'c'}, {"auto", required_argument, NULL, 'a'},
        {"fault", required_argument, NULL, 'f'},   {"baud", required_argument, NULL, 'B'},
        {"seed", required_argument, NULL, 's'},    {"verbose", no_argument, NULL, 'v'},
        {"open-ms", required_argument, NULL, 'o'}, {"ack", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long (argc, argv, "", options, NULL)) != -1) {
        char *end = NULL;
        long v = 0;
        if (optarg && opt != 'l' && opt != 'p' && opt != 'c' && opt != 'f' && opt != 'n' &&
            opt != 'k') {
            v = strtol (optarg, &end, 10);
            if (*end || v < 0 || v > INT_MAX) {
                fprintf (stderr, "boardsim: bad number '%s'\n", optarg);
                return 2;
            }
        }
        switch (opt) {
        case 'l': o->link = optarg; break;
        case 'c': o->control = optarg; break;
        case 'b': o->boards = (int)v; break;
        case 'n': o->locks_arg = optarg; break;
        case 'o': o->open_ms = (int)v; break;
        case 'k':
            if (strcmp (optarg, "echo") != 0 && strcmp (optarg, "state") != 0) {
                fprintf (stderr, "boardsim: --ack is state (80 BB LL SS) or echo (8A BB LL 11)\n");
                return 2;
            }
            o->ack_echo = strcmp (optarg, "echo") == 0;
            break;
        case 'a': o->auto_ms = (int)v; break;
        case 'B': o->baud = (int)v; break;
        case 's': o->seed = (uint32_t)v; break;
        case 'v': o->verbose = true; break;
        case 'p':
            if (strcmp (optarg, "8a") == 0 || strcmp (optarg, "8A") == 0)
                o->proto = VAULT_PROTO_8A;
            else if (strcmp (optarg, "cu16") == 0 || strcmp (optarg, "CU16") == 0)
                o->proto = VAULT_PROTO_CU16;
            else {
                fprintf (stderr, "boardsim: unknown protocol '%s' (8a, cu16)\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (o->nfaults == (int)(sizeof o->faults / sizeof o->faults[0])) {
                fprintf (stderr, "boardsim: too many --fault\n");
                return 2;
            }
            o->faults[o->nfaults++] = optarg;
            break;
        case 'h': s_usage (stdout); return 0;
        default: s_usage (stderr); return 2;
        }
    }
    if (!o->link || optind != argc) {
        s_usage (stderr);
        return 2;
    }
    if (!o->locks_arg)
        o->locks_arg = o->proto == VAULT_PROTO_8A ? "24" : "16";
    if (s_parse_locks (o) != 0) {
        fprintf (stderr, "boardsim: bad --locks '%s' (N or N,N,...)\n", o->locks_arg);
        return 2;
    }
    if (o->baud < 0)
        o->baud = o->proto == VAULT_PROTO_8A ? 9600 : 19200;
    if (o->open_ms < 0)
        o->open_ms = o->proto == VAULT_PROTO_8A ? 1000 : 0;
    *run = true;
    return 0;
}

//  The simulated boards of o, with its faults set. NULL (message printed) on a bad size or
//  fault.
static vault_sim_t *
s_sim_new (const s_opts_t *o, s_line_t *line)
{
    vault_sim_t *sim =
        vault_sim_new (o->proto, o->boards, o->locks[0], o->auto_ms, o->seed, s_line_write, line);
    for (int b = 1; sim && b <= o->boards; b++)
        if (vault_sim_set_board_locks (sim, b, o->locks[b]) != 0)
            vault_sim_destroy (&sim);
    if (!sim) {
        fprintf (stderr,
                 "boardsim: bad size: %d boards of %s locks (8a: 1..64 x 1..32, cu16: "
                 "1..15 x 1..16)\n",
                 o->boards, o->locks_arg);
        return NULL;
    }
    vault_sim_set_verbose (sim, o->verbose);
    vault_sim_set_timing (sim, o->baud, o->open_ms);
    vault_sim_set_ack_echo (sim, o->ack_echo);
    for (int i = 0; i < o->nfaults; i++) {
        char err[128];
        if (vault_sim_fault_spec (sim, o->faults[i], s_now_ms (), err, sizeof err) != 0) {
            fprintf (stderr, "boardsim: %s\n", err);
            vault_sim_destroy (&sim);
            return NULL;
        }
    }
    return sim;
}

//  Signals are blocked except inside ppoll (with *waitmask), so a stop request is never
//  missed.
static void
s_signals (sigset_t *waitmask)
{
    sigset_t block;
    sigemptyset (&block);
    sigaddset (&block, SIGINT);
    sigaddset (&block, SIGTERM);
    sigaddset (&block, SIGHUP);
    sigprocmask (SIG_BLOCK, &block, waitmask);
    sigdelset (waitmask, SIGINT);
    sigdelset (waitmask, SIGTERM);
    sigdelset (waitmask, SIGHUP);
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGHUP, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
}

//  Opens the pseudo-terminal, raw at `speed`: line->master is ours, *slave its other side
//  (named slave_name). The slave side stays open here too: the line then never "hangs up"
//  between two programs using it, and its settings stay raw. 0 / -1.
static int
s_open_line (s_line_t *line, int *slave, char *slave_name, speed_t speed)
{
    if (openpty (&line->master, slave, slave_name, NULL, NULL) != 0) {
        log_error ("openpty: %s", strerror (errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr (*slave, &tio) == 0) {
        cfmakeraw (&tio);
        tio.c_cflag |= CLOCAL | CREAD;
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        cfsetispeed (&tio, speed);
        cfsetospeed (&tio, speed);
        tcsetattr (*slave, TCSANOW, &tio);
    }
    fcntl (line->master, F_SETFL, fcntl (line->master, F_GETFL) | O_NONBLOCK);
    fcntl (line->master, F_SETFD, FD_CLOEXEC);
    fcntl (*slave, F_SETFD, FD_CLOEXEC);
    return 0;
}

//  True if the line is set to the boards' baud rate. The driver sets it on its side of the
//  pseudo-terminal (tcsetattr), which is the terminal our slave descriptor reads too.
static bool
s_line_speed_ok (s_line_t *line)
{
    struct termios tio;
    if (tcgetattr (line->slave, &tio) != 0)
        return true;
    bool ok = cfgetospeed (&tio) == line->speed;
    if (!ok && !line->mismatch)
        log_warn ("line: set to another baud rate than the boards'; they see framing errors "
                  "and answer nothing");
    else if (ok && line->mismatch)
        log_info ("line: at the boards' baud rate again");
    line->mismatch = !ok;
    return ok;
}

//  A new control client, in a free slot of clients (or turned away).
static void
s_accept (int listener, s_client_t *clients)
{
    int fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    int slot = -1;
    for (int i = 0; i < S_MAX_CLIENTS && fd >= 0 && slot < 0; i++)
        if (clients[i].fd < 0)
            slot = i;
    if (fd >= 0 && slot < 0) {
        s_send_line (fd, "error too many control clients");
        close (fd);
    } else if (fd >= 0)
        clients[slot] = (s_client_t){.fd = fd};
}

//  Answers the line and the control clients until a signal or a quit command: 0, or -1 if
//  polling failed. *quit tells which.
static int
s_serve (vault_sim_t *sim, s_line_t *line, int listener, s_client_t *clients,
         const sigset_t *waitmask, bool *quit)
{
    *quit = false;
    while (!s_stop && !*quit) {
        struct pollfd pfd[2 + S_MAX_CLIENTS];
        int nfd = 0;
        pfd[nfd++] = (struct pollfd){.fd = line->master, .events = POLLIN};
        pfd[nfd++] = (struct pollfd){.fd = listener, .events = POLLIN};
        for (int i = 0; i < S_MAX_CLIENTS; i++)
            pfd[nfd++] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
        struct timespec ts, *tsp = NULL;
        int64_t deadline = vault_sim_deadline (sim);
        if (deadline >= 0) {
            int64_t left = deadline - s_now_ms ();
            if (left < 0)
                left = 0;
            ts.tv_sec = (time_t)(left / 1000);
            ts.tv_nsec = (long)(left % 1000) * 1000000;
            tsp = &ts;
        }
        int n = ppoll (pfd, (nfds_t)nfd, tsp, waitmask);
        if (n < 0 && errno != EINTR) {
            log_error ("poll: %s", strerror (errno));
            return -1;
        }
        vault_sim_tick (sim, s_now_ms ());
        if (n <= 0)
            continue;
        if (pfd[0].revents & POLLIN) {
            uint8_t buf[4096];
            ssize_t got = read (line->master, buf, sizeof buf);
            if (got > 0 && s_line_speed_ok (line))
                vault_sim_input (sim, buf, (size_t)got, s_now_ms ());
            else if (got > 0)
                vault_sim_misframed (sim, (size_t)got);
        }
        if (pfd[1].revents & POLLIN)
            s_accept (listener, clients);
        for (int i = 0; i < S_MAX_CLIENTS && !*quit; i++) {
            if (clients[i].fd < 0 || !(pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (s_client_read (&clients[i], sim, quit) != 0) {
                close (clients[i].fd);
                clients[i].fd = -1;
            }
        }
    }
    return 0;
}

int
main (int argc, char **argv)
{
    proto_log_init ("boardsim", PROTO_LOG_INFO);
    s_opts_t o;
    bool run;
    int status = s_parse (argc, argv, &o, &run);
    if (!run)
        return status;
    speed_t speed = s_speed (o.baud);
    if (!speed) {
        fprintf (stderr, "boardsim: unsupported baud rate %d\n", o.baud);
        return 2;
    }
    s_line_t line = {.master = -1};
    vault_sim_t *sim = s_sim_new (&o, &line);
    if (!sim)
        return 2;

    int rc = 1, slave = -1, listener = -1;
    bool linked = false, quit = false;
    char slave_name[PATH_MAX] = "";
    s_client_t clients[S_MAX_CLIENTS];
    for (int i = 0; i < S_MAX_CLIENTS; i++)
        clients[i].fd = -1;
    sigset_t waitmask;
    s_signals (&waitmask);
    if (s_open_line (&line, &slave, slave_name, speed) != 0)
        goto done;
    line.slave = slave;
    line.speed = speed;
    if (o.control && (listener = s_listen (o.control)) < 0)
        goto done;
    if (s_make_link (o.link, slave_name) != 0)
        goto done;
    linked = true;
    log_info ("%s -> %s: %d %s board%s of %s locks%s%s, %d baud", o.link, slave_name, o.boards,
              o.proto == VAULT_PROTO_8A ? "8A" : "CU16", o.boards == 1 ? "" : "s", o.locks_arg,
              o.control ? ", control " : "", o.control ? o.control : "", o.baud);
    if (s_serve (sim, &line, listener, clients, &waitmask, &quit) != 0)
        goto done;
    rc = 0;
    log_info ("stopping (%s)", quit ? "quit" : "signal");
done:
    if (linked)
        s_remove_link (o.link, slave_name);
    if (listener >= 0) {
        close (listener);
        unlink (o.control);
    }
    for (int i = 0; i < S_MAX_CLIENTS; i++)
        if (clients[i].fd >= 0)
            close (clients[i].fd);
    if (slave >= 0)
        close (slave);
    if (line.master >= 0)
        close (line.master);
    vault_sim_destroy (&sim);
    return rc;
}
