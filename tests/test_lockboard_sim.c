/*  test_lockboard_sim.c — lock boards: the real driver against the real onewindow-boardsim
    on its pseudo-terminal for both families: unlock and status, occupancy, every fault,
    stale noise, hang-up and reopen. test_lockboard.c tests the codecs and the parser. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proto_text.h"
#include "test_util.h"
#include "tests.h"
#include "vault_board.h"
#include "vault_frame.h"

extern char **environ;

//  ---------------------------------------------------------------------------------------
//  The simulator

//  Waits `ms` for nothing (used only between polls of a condition with a deadline).
static void
s_pause (int ms)
{
    poll (NULL, 0, ms);
}

//  A simulator process on a private link and control socket.
typedef struct {
    pid_t pid;
    char *dir;
    char link[600];
    char control[600];
    char log[600];
    int ctl; //  control connection
} s_sim_t;

//  Starts onewindow-boardsim with `proto`, `boards`, `locks` and extra arguments (NULL
//  ended); waits until its link exists (it appears last, when everything is ready) and
//  connects to its control socket. 0 / -1.
static int
s_sim_start_in (s_sim_t *s, const char *dir, const char *proto, int boards, int locks,
                const char *const *extra)
{
    s->pid = -1;
    s->ctl = -1;
    snprintf (s->link, sizeof s->link, "%s/ttyBOARD", dir);
    snprintf (s->control, sizeof s->control, "%s/control.sock", dir);
    snprintf (s->log, sizeof s->log, "%s/boardsim.log", dir);
    char bin[1024], nb[16], nl[16];
    snprintf (bin, sizeof bin, "%s", test_bin ("onewindow-boardsim"));
    snprintf (nb, sizeof nb, "%d", boards);
    snprintf (nl, sizeof nl, "%d", locks);
    const char *argv[40] = {bin,   "--link",   s->link, "--control", s->control, "--protocol",
                            proto, "--boards", nb,      "--locks",   nl,         "--verbose"};
    int argc = 12;
    for (int i = 0; extra && extra[i] && argc < 38; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init (&fa);
    posix_spawn_file_actions_addopen (&fa, 1, s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2 (&fa, 1, 2);
    int rc = posix_spawn (&s->pid, bin, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy (&fa);
    if (rc != 0) {
        s->pid = -1;
        return -1;
    }
    int64_t deadline = proto_mono_ms () + 10000;
    struct stat st;
    while (lstat (s->link, &st) != 0) {
        int status;
        if (waitpid (s->pid, &status, WNOHANG) == s->pid) {
            s->pid = -1;
            return -1;
        }
        if (proto_mono_ms () > deadline)
            return -1;
        s_pause (5);
    }
    s->ctl = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen (s->control);
    if (len >= sizeof addr.sun_path)
        return -1;
    memcpy (addr.sun_path, s->control, len + 1);
    if (s->ctl < 0 || connect (s->ctl, (struct sockaddr *)&addr, sizeof addr) != 0)
        return -1;
    return 0;
}

static int
s_sim_start (s_sim_t *s, const char *proto, int boards, int locks, const char *const *extra)
{
    memset (s, 0, sizeof *s);
    s->pid = -1;
    s->ctl = -1;
    s->dir = test_tmpdir ();
    if (!s->dir)
        return -1;
    return s_sim_start_in (s, s->dir, proto, boards, locks, extra);
}

//  Sends one control line, returns its reply line (caller frees) or NULL.
static char *
s_ctl (s_sim_t *s, const char *command)
{
    char line[300];
    int len = snprintf (line, sizeof line, "%s\n", command);
    if (s->ctl < 0 || send (s->ctl, line, (size_t)len, MSG_NOSIGNAL) != len)
        return NULL;
    size_t cap = 256, used = 0;
    char *reply = malloc (cap);
    int64_t deadline = proto_mono_ms () + 10000;
    while (reply) {
        int64_t left = deadline - proto_mono_ms ();
        struct pollfd pfd = {.fd = s->ctl, .events = POLLIN};
        if (left <= 0 || poll (&pfd, 1, (int)left) <= 0)
            break;
        char ch;
        if (recv (s->ctl, &ch, 1, 0) != 1)
            break;
        if (ch == '\n') {
            reply[used] = '\0';
            return reply;
        }
        if (used + 2 > cap) {
            char *bigger = realloc (reply, cap *= 2);
            if (!bigger)
                break;
            reply = bigger;
        }
        reply[used++] = ch;
    }
    free (reply);
    return NULL;
}

//  Sends a control line and asserts the reply is "ok".
static void
s_ctl_ok (s_sim_t *s, const char *command)
{
    char *reply = s_ctl (s, command);
    CU_ASSERT_PTR_NOT_NULL (reply);
    if (reply && strcmp (reply, "ok") != 0) {
        fprintf (stderr, "\ncontrol '%s' -> '%s'\n", command, reply);
        CU_FAIL ("control command failed");
    }
    free (reply);
}

//  The simulator's `state` for one door: the door object (borrowed from *root, which the
//  caller decrefs).
static json_t *
s_door (s_sim_t *s, json_t **root, int board, int lock)
{
    char *reply = s_ctl (s, "state");
    *root = reply ? json_loads (reply, 0, NULL) : NULL;
    free (reply);
    json_t *doors = json_object_get (*root, "doors");
    size_t i;
    json_t *door;
    json_array_foreach (doors, i, door) {
        if (json_integer_value (json_object_get (door, "board")) == board &&
            json_integer_value (json_object_get (door, "lock")) == lock)
            return door;
    }
    return NULL;
}

static int
s_pulses (s_sim_t *s, int board, int lock)
{
    json_t *root;
    json_t *door = s_door (s, &root, board, lock);
    int pulses = door ? (int)json_integer_value (json_object_get (door, "pulses")) : -1;
    json_decref (root);
    return pulses;
}

//  Asks the simulator to quit; asserts a clean exit (status 0, so no sanitizer report) and
//  that it removed its link. Then removes the directory.
static void
s_sim_stop (s_sim_t *s, bool remove_dir)
{
    if (s->pid > 0) {
        char *reply = s_ctl (s, "quit");
        free (reply);
        int status = -1;
        int64_t deadline = proto_mono_ms () + 10000;
        pid_t r;
        while ((r = waitpid (s->pid, &status, WNOHANG)) == 0 && proto_mono_ms () < deadline)
            s_pause (5);
        if (r == 0) {
            kill (s->pid, SIGKILL);
            waitpid (s->pid, &status, 0);
            CU_FAIL ("simulator did not quit");
        } else {
            CU_ASSERT (WIFEXITED (status) && WEXITSTATUS (status) == 0);
            if (!(WIFEXITED (status) && WEXITSTATUS (status) == 0)) {
                char *log = test_read_file (s->log);
                fprintf (stderr, "\nboardsim log:\n%s\n", log ? log : "(none)");
                free (log);
            }
            struct stat st;
            CU_ASSERT (lstat (s->link, &st) != 0);
        }
        s->pid = -1;
    }
    if (s->ctl >= 0)
        close (s->ctl);
    s->ctl = -1;
    if (remove_dir) {
        test_rmtree (s->dir);
        free (s->dir);
        s->dir = NULL;
    }
}

//  ---------------------------------------------------------------------------------------
//  Driver against the simulator

static void
test_open_errors (void)
{
    char err[256] = "";
    vault_board_t *b =
        vault_board_open ("/nonexistent/ttyX", 9600, VAULT_PROTO_8A, err, sizeof err);
    CU_ASSERT_PTR_NULL (b);
    CU_ASSERT (strstr (err, "cannot open") != NULL);

    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char file[600];
    snprintf (file, sizeof file, "%s/plain", dir);
    test_write_file (file, "not a tty\n");
    b = vault_board_open (file, 9600, VAULT_PROTO_8A, err, sizeof err);
    CU_ASSERT_PTR_NULL (b);
    CU_ASSERT (strstr (err, "not a serial device") != NULL);
    b = vault_board_open (file, 12345, VAULT_PROTO_8A, err, sizeof err);
    CU_ASSERT_PTR_NULL (b);
    CU_ASSERT (strstr (err, "baud") != NULL);
    b = vault_board_open (NULL, 9600, VAULT_PROTO_8A, NULL, 0);
    CU_ASSERT_PTR_NULL (b);
    vault_board_close (&b);
    vault_board_close (NULL);
    test_rmtree (dir);
    free (dir);
}

//  Fault scenarios shared by both families, on a simulator with two boards.
static void
s_fault_scenarios (s_sim_t *sim, vault_board_t *b, int lock_bits)
{
    vault_board_status_t st;
    vault_board_counters_t c0, c1;

    //  Jam: the board acknowledges, the door stays shut.
    s_ctl_ok (sim, "fault 1 2 jam");
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 2), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open & 2u, 0);
    CU_ASSERT_EQUAL (s_pulses (sim, 1, 2), 1);
    s_ctl_ok (sim, "clear 1 2 jam");

    //  Forced open: the door shows open without any pulse.
    s_ctl_ok (sim, "open 1 3");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 4u);
    CU_ASSERT_EQUAL (s_pulses (sim, 1, 3), 0);
    json_t *root;
    json_t *door = s_door (sim, &root, 1, 3);
    CU_ASSERT (door && json_is_true (json_object_get (door, "forced")));
    json_decref (root);
    s_ctl_ok (sim, "close 1 3");

    //  Silent board: -1 after timeout × tries, the other board still answers.
    s_ctl_ok (sim, "fault 2 0 silent");
    vault_board_counters (b, &c0);
    int64_t t0 = proto_mono_ms ();
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), -1);
    int64_t elapsed = proto_mono_ms () - t0;
    (void)elapsed; //  measured, not asserted: it returned
    CU_ASSERT_EQUAL (st.nlocks, 0);
    CU_ASSERT (strstr (vault_board_error (b), "board 2") != NULL);
    CU_ASSERT (strstr (vault_board_error (b), "no reply") != NULL);
    vault_board_counters (b, &c1);
    CU_ASSERT_EQUAL (c1.timeouts - c0.timeouts, 3);
    CU_ASSERT_EQUAL (c1.sent - c0.sent, 3);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 1), -1);
    CU_ASSERT_EQUAL (s_pulses (sim, 2, 1), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    s_ctl_ok (sim, "clear 2 0");
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), 0);

    //  Corrupt replies: retried, then reported.
    s_ctl_ok (sim, "fault 1 0 corrupt");
    vault_board_counters (b, &c0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), -1);
    CU_ASSERT (strstr (vault_board_error (b), "corrupt") != NULL);
    vault_board_counters (b, &c1);
    CU_ASSERT_EQUAL (c1.sent - c0.sent, 3);
    CU_ASSERT (c1.bad - c0.bad >= 3);
    s_ctl_ok (sim, "clear 1 0 corrupt");

    //  One corrupt reply: the retry gets a good one.
    s_ctl_ok (sim, "fault 1 0 corrupt-once");
    vault_board_counters (b, &c0);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 4), 0);
    vault_board_counters (b, &c1);
    //  Two unlock frames, and on CU16 one BUSY clear after them.
    CU_ASSERT_EQUAL (c1.cleared - c0.cleared, lock_bits == 16 ? 1 : 0);
    CU_ASSERT_EQUAL (c1.sent - c0.sent, lock_bits == 16 ? 3 : 2);
    CU_ASSERT_EQUAL (c1.bad - c0.bad, 1);
    CU_ASSERT_EQUAL (s_pulses (sim, 1, 4), 2); //  a retried unlock pulses again
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 8u);
    s_ctl_ok (sim, "close 1 4");

    //  Garbage before every reply: still parsed.
    s_ctl_ok (sim, "fault 1 0 garbage");
    vault_board_counters (b, &c0);
    for (int i = 0; i < 20; i++) {
        CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
        CU_ASSERT_EQUAL (st.open, 0);
    }
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 1), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 1u);
    vault_board_counters (b, &c1);
    CU_ASSERT (c1.discarded > c0.discarded);
    s_ctl_ok (sim, "clear 1 0");
    s_ctl_ok (sim, "close 1 1");

    //  Unsolicited noise on the line between requests: flushed, ignored.
    s_ctl_ok (sim, "noise 300");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 0);
}

static void
test_driver_8a (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "8a", 2, 4, NULL), 0);
    char err[256];
    vault_board_t *b = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL (b);
    if (!b) {
        fprintf (stderr, "\n%s\n", err);
        s_sim_stop (&sim, true);
        return;
    }
    vault_board_set_locks (b, 4);

    //  A second driver on the same line is refused.
    vault_board_t *other = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, err, sizeof err);
    CU_ASSERT_PTR_NULL (other);
    CU_ASSERT (strstr (err, "in use") != NULL);

    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.nlocks, 4);
    CU_ASSERT_EQUAL (st.open, 0);
    CU_ASSERT_FALSE (st.has_occupancy);

    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 1), 0);
    CU_ASSERT_EQUAL (s_pulses (&sim, 1, 1), 1);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 1u);
    CU_ASSERT_EQUAL (st.occupied, 0);
    s_ctl_ok (&sim, "close 1 1");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 0);

    //  Board 2 lock 4, and an inverted reading of the same line.
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 4), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), 0);
    CU_ASSERT_EQUAL (st.open, 8u);
    vault_board_set_inverted (b, true);
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), 0);
    CU_ASSERT_EQUAL (st.open, 7u);
    vault_board_set_inverted (b, false);
    s_ctl_ok (&sim, "close 2 4");

    //  Locks and boards the line does not have: no reply, or refused before sending.
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 0), -1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 33), -1);
    CU_ASSERT_EQUAL (vault_board_status (b, 0, &st), -1);
    vault_board_set_timeout (b, 20, 1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 3, 1), -1);
    vault_board_set_timeout (b, 150, 3);

    //  The unlock timeout is separate from the status timeout; an 8A line's default waits
    //  1500 ms, for boards that answer an open a second later.
    vault_board_set_unlock_timeout (b, 30);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 3, 1), -1);
    CU_ASSERT (strstr (vault_board_error (b), "3 tries of 30 ms") != NULL);
    vault_board_set_unlock_timeout (b, 1500);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);

    //  A single silent lock: status stops there and says which.
    s_ctl_ok (&sim, "fault 1 3 silent");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), -1);
    CU_ASSERT (strstr (vault_board_error (b), "lock 3") != NULL);
    s_ctl_ok (&sim, "clear 1 3");

    s_fault_scenarios (&sim, b, 4);

    vault_board_counters_t c;
    vault_board_counters (b, &c);
    CU_ASSERT (c.sent > 0 && c.replies > 0);
    vault_board_close (&b);
    CU_ASSERT_PTR_NULL (b);
    s_sim_stop (&sim, true);
}

static void
test_driver_cu16 (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "cu16", 2, 16, NULL), 0);
    char err[256];
    vault_board_t *b = vault_board_open (sim.link, 19200, VAULT_PROTO_CU16, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL (b);
    if (!b) {
        fprintf (stderr, "\n%s\n", err);
        s_sim_stop (&sim, true);
        return;
    }
    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.nlocks, 16);
    CU_ASSERT_EQUAL (st.open, 0);
    CU_ASSERT_EQUAL (st.occupied, 0);
    CU_ASSERT_TRUE (st.has_occupancy);

    //  Deposit: unlock, put, close → closed and occupied.
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 5), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 1u << 4);
    CU_ASSERT_EQUAL (st.occupied, 0);
    s_ctl_ok (&sim, "put 1 5");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.occupied, 1u << 4);
    s_ctl_ok (&sim, "close 1 5");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 0);
    CU_ASSERT_EQUAL (st.occupied, 1u << 4);
    //  Put and take need an open door.
    char *reply = s_ctl (&sim, "take 1 5");
    CU_ASSERT (reply && strncmp (reply, "error", 5) == 0);
    free (reply);
    //  Pickup: unlock, take, close → closed and empty.
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 5), 0);
    s_ctl_ok (&sim, "take 1 5");
    s_ctl_ok (&sim, "close 1 5");
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 0);
    CU_ASSERT_EQUAL (st.occupied, 0);

    //  Lock 16 of board 2 (the high bits).
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 16), 0);
    s_ctl_ok (&sim, "put 2 16");
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), 0);
    CU_ASSERT_EQUAL (st.open, 1u << 15);
    CU_ASSERT_EQUAL (st.occupied, 1u << 15);
    s_ctl_ok (&sim, "close 2 16");
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 17), -1);
    CU_ASSERT_EQUAL (vault_board_status (b, 17, &st), -1);

    s_fault_scenarios (&sim, b, 16);

    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  The auto person: a deposit leaves the slot occupied, a pickup leaves it empty; an ajar
//  door is never closed.
static void
test_driver_auto (void)
{
    s_sim_t sim;
    const char *extra[] = {"--auto", "40", "--fault", "ajar:1:2", NULL};
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "cu16", 1, 4, extra), 0);
    vault_board_t *b = vault_board_open (sim.link, 19200, VAULT_PROTO_CU16, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    vault_board_status_t st;
    for (int round = 0; round < 2; round++) {
        CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 1), 0);
        //  Wait (bounded) until the person has closed the door again.
        int64_t deadline = proto_mono_ms () + 10000;
        bool closed = false;
        while (!closed && proto_mono_ms () < deadline) {
            CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
            closed = (st.open & 1u) == 0;
            if (!closed)
                s_pause (5);
        }
        CU_ASSERT_TRUE (closed);
        CU_ASSERT_EQUAL (st.occupied & 1u, round == 0 ? 1u : 0u);
    }
    //  Ajar: the item goes in, the door stays open.
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 2), 0);
    int64_t deadline = proto_mono_ms () + 10000;
    do {
        CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
        if (!(st.occupied & 2u))
            s_pause (5);
    } while (!(st.occupied & 2u) && proto_mono_ms () < deadline);
    CU_ASSERT_EQUAL (st.occupied & 2u, 2u);
    //  Wait until the person's turn at this door is over: it is still open.
    json_t *root = NULL, *door = NULL;
    deadline = proto_mono_ms () + 10000;
    while (proto_mono_ms () < deadline) {
        json_decref (root);
        door = s_door (&sim, &root, 1, 2);
        if (!door || !json_is_true (json_object_get (door, "auto_pending")))
            break;
        s_pause (5);
    }
    CU_ASSERT (door && !json_is_true (json_object_get (door, "auto_pending")));
    CU_ASSERT (door && json_is_true (json_object_get (door, "open")));
    json_decref (root);
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  The simulator on garbage: raw noise written straight onto its line, bad control lines,
//  bad start options; it keeps answering.
static void
test_sim_robust (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "8a", 1, 8, NULL), 0);
    int fd = open (sim.link, O_RDWR | O_NOCTTY | O_NONBLOCK);
    CU_ASSERT_FATAL (fd >= 0);
    struct termios tio;
    tcgetattr (fd, &tio);
    cfmakeraw (&tio);
    tcsetattr (fd, TCSANOW, &tio);
    uint8_t junk[4096];
    unsigned seed = 12345;
    for (int round = 0; round < 8; round++) {
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (rand_r (&seed) & 1) ? 0x80 : (uint8_t)rand_r (&seed);
        size_t done = 0;
        int64_t deadline = proto_mono_ms () + 5000;
        while (done < sizeof junk && proto_mono_ms () < deadline) {
            ssize_t n = write (fd, junk + done, sizeof junk - done);
            if (n > 0)
                done += (size_t)n;
            else {
                uint8_t sink[4096];
                while (read (fd, sink, sizeof sink) > 0)
                    ;
                s_pause (1);
            }
        }
    }
    close (fd);

    const char *bad[] = {"",           "fly 1 1",  "close",          "close 9 1",
                         "close 1 99", "put 1 1",  "fault 1 1 boom", "clear 1 1 x",
                         "noise 0",    "open 1 0", "state extra"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *reply = s_ctl (&sim, bad[i]);
        CU_ASSERT (reply && strncmp (reply, "error", 5) == 0);
        free (reply);
    }
    char *reply = s_ctl (&sim, "state");
    json_t *root = reply ? json_loads (reply, 0, NULL) : NULL;
    CU_ASSERT (json_is_object (root));
    CU_ASSERT (json_integer_value (json_object_get (root, "bytes_discarded")) > 0);
    json_decref (root);
    free (reply);

    vault_board_t *b = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    vault_board_set_locks (b, 8);
    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 8), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 0x80u);
    vault_board_close (&b);
    s_sim_stop (&sim, true);

    //  Bad options: refused with status 2, no link left behind.
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    const char *cases[][2] = {{"--fault", "jam:1"}, {"--fault", "boom:1:1"}, {"--fault", "jam:3:1"},
                              {"--protocol", "x"},  {"--locks", "33"},       {"--baud", "1234"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[1400];
        snprintf (cmd, sizeof cmd, "'%s' --link '%s/tty' %s '%s' 2>/dev/null",
                  test_bin ("onewindow-boardsim"), dir, cases[i][0], cases[i][1]);
        int status;
        char *out = test_run (cmd, &status);
        free (out);
        CU_ASSERT_EQUAL (status, 2);
    }
    //  A regular file where the link should go is not replaced.
    char path[700];
    snprintf (path, sizeof path, "%s/tty", dir);
    test_write_file (path, "keep me\n");
    char cmd[1400];
    snprintf (cmd, sizeof cmd, "'%s' --link '%s' 2>/dev/null", test_bin ("onewindow-boardsim"),
              path);
    int status;
    char *out = test_run (cmd, &status);
    free (out);
    CU_ASSERT_EQUAL (status, 1);
    char *kept = test_read_file (path);
    CU_ASSERT (kept && strcmp (kept, "keep me\n") == 0);
    free (kept);
    test_rmtree (dir);
    free (dir);
}

//  The line goes away under the driver (simulator stopped), then comes back at the same
//  path (simulator restarted): -1 without a crash, then the driver reopens the path.
static void
test_driver_hangup (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "cu16", 1, 16, NULL), 0);
    vault_board_t *b = vault_board_open (sim.link, 19200, VAULT_PROTO_CU16, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    s_sim_stop (&sim, false);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), -1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 1), -1); //  the path is gone: cannot reopen
    CU_ASSERT (strstr (vault_board_error (b), "cannot open") != NULL);

    CU_ASSERT_EQUAL_FATAL (s_sim_start_in (&sim, sim.dir, "cu16", 1, 16, NULL), 0);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 1), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.open, 1u);
    vault_board_counters_t c;
    vault_board_counters (b, &c);
    CU_ASSERT_EQUAL (c.reopened, 1);
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  The simulator's state as JSON (caller frees).
static json_t *
s_state (s_sim_t *s)
{
    char *reply = s_ctl (s, "state");
    json_t *root = reply ? json_loads (reply, 0, NULL) : NULL;
    free (reply);
    return root;
}

//  One board's entry of the state's per_board list: busy, clears, locks.
static int
s_board_field (s_sim_t *s, int board, const char *field)
{
    json_t *root = s_state (s);
    json_t *b = json_array_get (json_object_get (root, "per_board"), (size_t)board - 1);
    json_t *v = json_object_get (b, field);
    int n = json_is_boolean (v) ? json_is_true (v) : (int)json_integer_value (v);
    json_decref (root);
    return n;
}

//  Real timing: an 8A open is answered about a second later, in the vendor sheet's form
//  (80 BB LL SS) or, with --ack echo, as an echo; a driver that waits less misses the answer
//  although the door opened; every frame takes its wire time (10 bytes a query at 9600 baud).
static void
test_real_timing (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "8a", 1, 24, NULL), 0);
    vault_board_t *b = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    int64_t t0 = proto_mono_ms ();
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 1), 0);
    CU_ASSERT (proto_mono_ms () - t0 >= 950);
    char *log = test_read_file (sim.log);
    CU_ASSERT (log && strstr (log, "tx 80 01 01 11 91") != NULL); //  door open, by the sheet
    free (log);
    //  24 queries of 10 bytes at 9600 baud: at least 250 ms on the wire.
    vault_board_status_t st;
    t0 = proto_mono_ms ();
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT (proto_mono_ms () - t0 >= 245);
    CU_ASSERT_EQUAL (st.open, 1u);
    //  Waiting only 150 ms a try: no acknowledgement, yet the lock moved (three times).
    vault_board_set_unlock_timeout (b, 150);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 2), -1);
    CU_ASSERT (strstr (vault_board_error (b), "no reply to open") != NULL);
    CU_ASSERT_EQUAL (s_pulses (&sim, 1, 2), 3);
    //  The three late answers hold the line for a while; then the door shows open.
    int64_t deadline = proto_mono_ms () + 5000;
    while (vault_board_status (b, 1, &st) != 0 && proto_mono_ms () < deadline)
        ;
    CU_ASSERT_EQUAL (st.open, 3u);
    vault_board_close (&b);
    s_sim_stop (&sim, true);

    const char *echo[] = {"--ack", "echo", "--open-ms", "300", NULL};
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "8a", 1, 4, echo), 0);
    b = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    t0 = proto_mono_ms ();
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 3), 0);
    CU_ASSERT (proto_mono_ms () - t0 >= 295);
    log = test_read_file (sim.log);
    CU_ASSERT (log && strstr (log, "tx 8A 01 03 11 99") != NULL);
    free (log);
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  A 24-lock and a 12-lock 8A board on one line: with the count per board both read; with
//  24 assumed for both, the small board fails at lock 13 (it has none).
static void
test_mixed_boards (void)
{
    s_sim_t sim;
    const char *mixed[] = {"--locks", "24,12", "--open-ms", "0", NULL};
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "8a", 2, 24, mixed), 0);
    CU_ASSERT_EQUAL (s_board_field (&sim, 2, "locks"), 12);
    vault_board_t *b = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), -1);
    CU_ASSERT (strstr (vault_board_error (b), "board 2 lock 13") != NULL);
    vault_board_set_board_locks (b, 2, 12);
    CU_ASSERT_EQUAL (vault_board_locks (b, 1), 24);
    CU_ASSERT_EQUAL (vault_board_locks (b, 2), 12);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 12), 0);
    CU_ASSERT_EQUAL (vault_board_status (b, 2, &st), 0);
    CU_ASSERT_EQUAL (st.nlocks, 12);
    CU_ASSERT_EQUAL (st.open, 1u << 11);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    CU_ASSERT_EQUAL (st.nlocks, 24);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 13), -1); //  no such lock: no reply
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  After each CU16 unlock the driver clears BUSY (`02 AA 38 03 SS`); an unlock that is not
//  followed by one leaves the board busy.
static void
test_cu16_busy_clear (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "cu16", 2, 16, NULL), 0);
    vault_board_t *b = vault_board_open (sim.link, 19200, VAULT_PROTO_CU16, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 3), 0);
    vault_board_counters_t c;
    vault_board_counters (b, &c);
    CU_ASSERT_EQUAL (c.cleared, 1);
    CU_ASSERT_EQUAL (s_board_field (&sim, 2, "clears"), 1);
    CU_ASSERT_EQUAL (s_board_field (&sim, 2, "busy"), 0);
    char *log = test_read_file (sim.log);
    CU_ASSERT (log && strstr (log, "rx 02 10 38 03 4D  clear BUSY board 2 lock 1") != NULL);
    free (log);
    //  A bare unlock written on the line by someone else: busy until the next clear.
    int fd = open (sim.link, O_RDWR | O_NOCTTY | O_NONBLOCK);
    CU_ASSERT_FATAL (fd >= 0);
    const uint8_t unlock[] = {0x02, 0x13, 0x31, 0x03, 0x49};
    CU_ASSERT_EQUAL (write (fd, unlock, sizeof unlock), (ssize_t)sizeof unlock);
    int64_t deadline = proto_mono_ms () + 5000;
    while (!s_board_field (&sim, 2, "busy") && proto_mono_ms () < deadline)
        s_pause (5);
    CU_ASSERT_EQUAL (s_board_field (&sim, 2, "busy"), 1);
    close (fd);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 2, 5), 0);
    CU_ASSERT_EQUAL (s_board_field (&sim, 2, "busy"), 0);
    CU_ASSERT_EQUAL (s_board_field (&sim, 2, "clears"), 2);
    CU_ASSERT_EQUAL (s_board_field (&sim, 1, "clears"), 0);
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  Addresses outside each family's space are refused before a byte is sent: CU16 board 16
//  (its ADDR F0 is the broadcast address), 17, 0, lock 17; 8A board 65 (the sheet: 01..40),
//  lock 33, lock 0.
static void
test_addresses (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "cu16", 1, 16, NULL), 0);
    vault_board_t *b = vault_board_open (sim.link, 19200, VAULT_PROTO_CU16, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_unlock (b, 16, 1), -1);
    CU_ASSERT (strstr (vault_board_error (b), "F0") != NULL);
    CU_ASSERT_EQUAL (vault_board_status (b, 16, &st), -1);
    CU_ASSERT (strstr (vault_board_error (b), "broadcast") != NULL);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 16, 2), -1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 17, 1), -1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 0, 1), -1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 17), -1);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 0), -1);
    CU_ASSERT_EQUAL (vault_board_status (b, 0, &st), -1);
    bool open;
    CU_ASSERT_EQUAL (vault_board_query (b, 1, 1, &open), -1); //  CU16 reads whole boards
    CU_ASSERT_EQUAL (vault_board_status (b, 15, &st), -1);    //  allowed, but not on this line
    CU_ASSERT (strstr (vault_board_error (b), "no reply") != NULL);
    vault_board_counters_t c;
    vault_board_counters (b, &c);
    CU_ASSERT_EQUAL (c.sent, 3); //  only the status of board 15, three tries
    vault_board_close (&b);

    b = vault_board_open (sim.link, 9600, VAULT_PROTO_8A, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 65, 1), -1);
    CU_ASSERT (strstr (vault_board_error (b), "boards 1..64") != NULL);
    CU_ASSERT_EQUAL (vault_board_unlock (b, 1, 33), -1);
    CU_ASSERT_EQUAL (vault_board_status (b, 65, &st), -1);
    CU_ASSERT_EQUAL (vault_board_query (b, 1, 0, &open), -1);
    CU_ASSERT_EQUAL (vault_board_query (b, 0, 1, &open), -1);
    vault_board_counters (b, &c);
    CU_ASSERT_EQUAL (c.sent, 0);
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

//  A line set to another baud rate than the boards': they understand nothing (the
//  simulator counts the bytes as misframed), as a real bus at the wrong speed.
static void
test_baud_mismatch (void)
{
    s_sim_t sim;
    CU_ASSERT_EQUAL_FATAL (s_sim_start (&sim, "cu16", 1, 16, NULL), 0);
    vault_board_t *b = vault_board_open (sim.link, 9600, VAULT_PROTO_CU16, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    vault_board_status_t st;
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), -1);
    json_t *root = s_state (&sim);
    CU_ASSERT (json_integer_value (json_object_get (root, "misframed")) >= 15);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (root, "baud")), 19200);
    json_decref (root);
    vault_board_close (&b);
    b = vault_board_open (sim.link, 19200, VAULT_PROTO_CU16, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_EQUAL (vault_board_status (b, 1, &st), 0);
    vault_board_close (&b);
    s_sim_stop (&sim, true);
}

int
test_lockboard_sim_suite (void)
{
    CU_pSuite suite = CU_add_suite ("lockboard_sim", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "driver open errors", test_open_errors) ||
        !CU_add_test (suite, "8A driver against the simulator, all faults", test_driver_8a) ||
        !CU_add_test (suite, "CU16 driver against the simulator, occupancy, all faults",
                      test_driver_cu16) ||
        !CU_add_test (suite, "auto person: deposit, pickup, ajar", test_driver_auto) ||
        !CU_add_test (suite, "simulator survives garbage and bad commands", test_sim_robust) ||
        !CU_add_test (suite, "line hang-up and reopen", test_driver_hangup) ||
        !CU_add_test (suite, "real timing: 8A opens answered a second later, wire time",
                      test_real_timing) ||
        !CU_add_test (suite, "mixed 8A boards: 24 and 12 locks", test_mixed_boards) ||
        !CU_add_test (suite, "CU16: BUSY cleared after each unlock", test_cu16_busy_clear) ||
        !CU_add_test (suite, "addresses outside each family's space are refused", test_addresses) ||
        !CU_add_test (suite, "a line at the wrong baud rate is not understood", test_baud_mismatch))
        return -1;
    return 0;
}
