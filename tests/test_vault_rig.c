/*  test_vault_rig.c — see test_vault_rig.h. */
#include "test_vault_rig.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto_json.h"
#include "proto_keys.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "proto_token.h"

const vrig_slot_t vrig_cab[VRIG_NSLOTS] = {
    {"S01", 'S', 1, 1}, {"S02", 'S', 1, 2}, {"M01", 'M', 1, 3},
    {"M02", 'M', 1, 4}, {"L01", 'L', 2, 1}, {"L02", 'L', 2, 2},
};

//  ---------------------------------------------------------------------------------------
//  Small helpers

static int64_t
s_real_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
vrig_pause (void)
{
    poll (NULL, 0, 10);
}

bool
vrig_has_alarm (const json_t *slot, const char *alarm)
{
    size_t i;
    json_t *a;
    json_array_foreach (json_object_get (slot, "alarms"), i, a)
        if (strcmp (json_string_value (a), alarm) == 0)
            return true;
    return false;
}

void
vrig_hhmm (int64_t ms, int offset_min, bool local, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000) + (local ? 0 : offset_min * 60);
    struct tm tm;
    if (local)
        localtime_r (&t, &tm);
    else
        gmtime_r (&t, &tm);
    strftime (out, size, "%Y-%m-%d %H:%M", &tm);
}

//  ---------------------------------------------------------------------------------------
//  The rig

static vrig_t s_rig;      //  the running test's rig (static: the teardown after a fatal
                          //  assert still finds it)
static vrig_t *s_current; //  s_rig while it runs

vrig_t *
vrig (void)
{
    return &s_rig;
}

//  Writes the cabinet config: short timings, the rig's slots and boards.
static int
s_write_cabinet (vrig_t *r)
{
    json_t *slots = json_array ();
    for (size_t i = 0; i < r->nslots; i++)
        json_array_append_new (slots, json_pack ("{s:s, s:s#, s:i, s:i}", "slot", r->slots[i].slot,
                                                 "size", &r->slots[i].size, 1, "board",
                                                 r->slots[i].board, "lock", r->slots[i].lock));
    int baud = r->opts.baud ? r->opts.baud : strcmp (r->proto, "cu16") == 0 ? 19200 : 9600;
    json_t *cab = json_pack (
        "{s:s, s:s, s:{s:s, s:i, s:s}, s:f, s:f, s:i, s:{s:i, s:i, s:i}, s:i, s:i, s:o}", "id",
        CABINET, "name", "测试柜 / test cabinet", "serial", "path", r->link, "baud", baud,
        "protocol", r->proto, "door_open_timeout_s", 0.3, "ajar_after_s", 0.5, "staff_mode_s", 30,
        "lockout", "tries", 3, "window_s", 60, "lock_s", 60, "pin_tries", 3, "poll_ms",
        r->opts.poll_ms ? r->opts.poll_ms : 50, "slots", slots);
    if (r->opts.boards)
        json_object_set_new (cab, "boards", json_loads (r->opts.boards, 0, NULL));
    int rc = json_dump_file (cab, r->cab, JSON_INDENT (1));
    json_decref (cab);
    return rc;
}

//  The example hall config: biz_setup asks for the second factor at pickup as every item
//  does by default (`pin`), or opts out of it (pickup_pin false) so the code alone opens.
static int
s_write_hall (vrig_t *r, bool pin)
{
    json_t *hall = json_load_file (test_src ("etc/hall.example.json"), 0, NULL);
    if (!hall)
        return -1;
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get (hall, "items"), i, it)
        if (strcmp (proto_str (it, "id"), "biz_setup") == 0 && !pin)
            json_object_set_new (it, "pickup_pin", json_false ());
    char cal[PATH_MAX];
    if (!realpath (test_src ("etc/calendar"), cal)) {
        json_decref (hall);
        return -1;
    }
    json_object_set_new (json_object_get (hall, "cases"), "calendar", json_string (cal));
    int rc = json_dump_file (hall, r->hall, JSON_INDENT (1));
    json_decref (hall);
    return rc;
}

static int
s_sim_spawn (vrig_t *r, const char *const *extra)
{
    const char *argv[32] = {test_bin ("onewindow-boardsim"),
                            "--link",
                            r->link,
                            "--control",
                            r->control,
                            "--protocol",
                            r->proto,
                            "--boards",
                            "2"};
    int argc = 9;
    char bin[1024];
    snprintf (bin, sizeof bin, "%s", argv[0]);
    argv[0] = bin;
    if (strcmp (r->proto, "cu16") == 0) {
        argv[argc++] = "--locks";
        argv[argc++] = "4";
    }
    for (int i = 0; extra && extra[i] && argc < 30; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open (r->sim_log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, STDERR_FILENO);
            dup2 (fd, STDOUT_FILENO);
            close (fd);
        }
        execv (bin, (char *const *)argv);
        _exit (127);
    }
    r->sim_pid = pid;
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    struct stat st;
    while (lstat (r->link, &st) != 0) {
        int status;
        if (waitpid (pid, &status, WNOHANG) == pid) {
            r->sim_pid = 0;
            return -1;
        }
        if (proto_mono_ms () > deadline)
            return -1;
        vrig_pause ();
    }
    r->ctl = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen (r->control) >= sizeof addr.sun_path)
        return -1;
    strcpy (addr.sun_path, r->control);
    if (r->ctl < 0 || connect (r->ctl, (struct sockaddr *)&addr, sizeof addr) != 0)
        return -1;
    return 0;
}

static int
s_count_in_file (const char *path, const char *needle)
{
    char *text = test_read_file (path);
    int n = 0;
    for (const char *p = text; p && (p = strstr (p, needle)); p += strlen (needle))
        n++;
    free (text);
    return n;
}

int
vrig_vault_spawn (vrig_t *r, bool crash)
{
    int ready_before = s_count_in_file (r->vlog, "ready: cabinet");
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int out = open (r->screen, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int err = open (r->vlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (out >= 0)
            dup2 (out, STDOUT_FILENO);
        if (err >= 0)
            dup2 (err, STDERR_FILENO);
        if (crash)
            setenv ("OW_VAULT_CRASH", "after_journal", 1);
        else
            unsetenv ("OW_VAULT_CRASH");
        char key[800];
        snprintf (key, sizeof key, "%s/vault.key", r->dir);
        char *argv[] = {(char *)test_bin ("onewindow-vault"),
                        "--config",
                        r->cab,
                        "--data",
                        r->vdata,
                        "--broker",
                        r->b.req,
                        "--scanner",
                        r->scanner,
                        "--staff-scanner",
                        r->staff,
                        "--frames",
                        r->frames,
                        "--json",
                        r->opts.server_key ? "--key" : NULL,
                        key,
                        "--server-key",
                        (char *)r->opts.server_key,
                        NULL};
        if (r->opts.server_key && chdir (r->dir) != 0)
            _exit (126);
        execv (argv[0], argv);
        _exit (127);
    }
    r->vault_pid = pid;
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    while (s_count_in_file (r->vlog, "ready: cabinet") <= ready_before) {
        int status;
        if (waitpid (pid, &status, WNOHANG) == pid || proto_mono_ms () > deadline) {
            r->vault_pid = 0;
            fprintf (stderr, "\n  the vault did not start; see %s\n", r->vlog);
            return -1;
        }
        vrig_pause ();
    }
    return 0;
}

char *
vrig_vault_cmd (vrig_t *r, const char *args, int *status)
{
    char cmd[3000];
    snprintf (cmd, sizeof cmd, "'%s' --config '%s' --data '%s' %s", test_bin ("onewindow-vault"),
              r->cab, r->vdata, args);
    return test_run (cmd, status);
}

int
vrig_enrol (vrig_t *r, const char *name, const char *pin, char *code, char *id)
{
    char args[300];
    snprintf (args, sizeof args, "--enrol-badge '%s' --json <<'EOF'\n%s\nEOF", name, pin);
    int st;
    char *out = vrig_vault_cmd (r, args, &st);
    json_t *rec = out && st == 0 ? json_loads (out, 0, NULL) : NULL;
    free (out);
    const char *c = json_string_value (json_object_get (rec, "code"));
    if (c) {
        snprintf (code, 64, "%s", c);
        if (id)
            snprintf (id, 16, "%s", proto_str (rec, "id"));
    }
    json_decref (rec);
    return c ? 0 : -1;
}

int
vrig_vault_stop (vrig_t *r, int sig)
{
    if (r->vault_pid <= 0)
        return -1;
    kill (r->vault_pid, sig);
    int st = 0;
    waitpid (r->vault_pid, &st, 0);
    r->vault_pid = 0;
    return st;
}

//  CURVE (opts.server_key): keys for the broker, the vault and an admin in the rig's folder,
//  the vault and the admin enrolled, the broker's public file also at opts.server_key, and
//  every client of this process speaking as the admin. 0 / -1.
static int
s_keys (vrig_t *r)
{
    const char *names[3] = {"broker", "vault", "admin"};
    proto_keypair_t keys[3];
    char err[300];
    for (int i = 0; i < 3; i++) {
        char path[sizeof r->b.key];
        snprintf (path, sizeof path, "%.500s/%s.key", r->dir, names[i]);
        if (proto_keys_new (&keys[i]) != 0 ||
            proto_keys_save (&keys[i], path, names[i], err, sizeof err) != 0)
            return -1;
        if (i == 0)
            snprintf (r->b.key, sizeof r->b.key, "%s", path);
        else {
            char cmd[2400];
            snprintf (cmd, sizeof cmd, "'%s' --data '%s/data' --enroll '%s:%s:%s' 2>/dev/null",
                      test_bin ("onewindow-broker"), r->dir, i == 1 ? "vault" : "admin",
                      i == 1 ? CABINET : "管理员", path);
            int st;
            free (test_run (cmd, &st));
            if (st != 0)
                return -1;
        }
    }
    char pub[800], copy[800];
    snprintf (pub, sizeof pub, "%s/broker.pub", r->dir);
    snprintf (copy, sizeof copy, "%s/%s", r->dir, r->opts.server_key);
    if (test_copy_file (pub, copy) != 0)
        return -1;
    proto_curve_default (keys[0].public_key, keys[2].public_key, keys[2].secret_key);
    return 0;
}

int
vrig_start (vrig_t *r, const char *proto, bool pin_hall, const char *const *sim_extra)
{
    vrig_opts_t o = {.proto = proto, .pin_hall = pin_hall, .sim_extra = sim_extra};
    return vrig_start_opts (r, &o);
}

int
vrig_start_opts (vrig_t *r, const vrig_opts_t *opts)
{
    const char *proto = opts->proto;
    bool pin_hall = opts->pin_hall;
    const char *const *sim_extra = opts->sim_extra;
    memset (r, 0, sizeof *r);
    r->opts = *opts;
    r->slots = opts->slots ? opts->slots : vrig_cab;
    r->nslots = opts->slots ? opts->nslots : VRIG_NSLOTS;
    r->ctl = r->scan_fd = r->staff_fd = -1;
    s_current = r;
    r->lines = json_array ();
    char *dir = test_tmpdir ();
    if (!dir)
        return -1;
    snprintf (r->dir, sizeof r->dir, "%s", dir);
    free (dir);
    snprintf (r->proto, sizeof r->proto, "%s", proto);
    snprintf (r->b.notify, sizeof r->b.notify, "%s/sms.jsonl", r->dir);
    snprintf (r->hall, sizeof r->hall, "%s/hall.json", r->dir);
    snprintf (r->link, sizeof r->link, "%s/ttyBOARD", r->dir);
    snprintf (r->control, sizeof r->control, "%s/board.ctl", r->dir);
    snprintf (r->sim_log, sizeof r->sim_log, "%s/boardsim.log", r->dir);
    snprintf (r->cab, sizeof r->cab, "%s/cabinet.json", r->dir);
    snprintf (r->vdata, sizeof r->vdata, "%s/vault", r->dir);
    snprintf (r->scanner, sizeof r->scanner, "%s/scanner", r->dir);
    snprintf (r->staff, sizeof r->staff, "%s/staff", r->dir);
    snprintf (r->frames, sizeof r->frames, "%s/frames", r->dir);
    snprintf (r->screen, sizeof r->screen, "%s/vault.screen", r->dir);
    snprintf (r->vlog, sizeof r->vlog, "%s/vault.log", r->dir);

    //  The broker, on a simulated clock that starts now.
    test_broker_t *b = &r->b;
    snprintf (b->dir, sizeof b->dir, "%s", r->dir);
    snprintf (b->req, sizeof b->req, "ipc://%s/req", r->dir);
    snprintf (b->pub, sizeof b->pub, "ipc://%s/pub", r->dir);
    snprintf (b->log, sizeof b->log, "%s/broker.log", r->dir);
    if (s_write_hall (r, pin_hall) != 0)
        return -1;
    snprintf (b->config, sizeof b->config, "%s", r->hall);
    r->t0 = s_real_ms () / 1000 * 1000;
    snprintf (b->clock, sizeof b->clock, "sim:%lld", (long long)r->t0);
    if (opts->server_key && s_keys (r) != 0)
        return -1;
    if (test_broker_restart (b) != 0)
        return -1;
    r->c = test_client (b);
    if (!r->c)
        return -1;

    if (s_sim_spawn (r, sim_extra) != 0) {
        fprintf (stderr, "\n  the board simulator did not start; see %s\n", r->sim_log);
        return -1;
    }
    if (s_write_cabinet (r) != 0 || vrig_enrol (r, "王芳", STAFF_PIN, r->badge, NULL) != 0 ||
        mkfifo (r->scanner, 0600) != 0 || mkfifo (r->staff, 0600) != 0 ||
        mkdir (r->frames, 0700) != 0)
        return -1;
    //  Read-write: never blocks, and lines written while the vault is down wait in the FIFO.
    r->scan_fd = open (r->scanner, O_RDWR | O_CLOEXEC);
    r->staff_fd = open (r->staff, O_RDWR | O_CLOEXEC);
    if (r->scan_fd < 0 || r->staff_fd < 0 || vrig_vault_spawn (r, false) != 0)
        return -1;
    //  The vault's first report reaches the broker.
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    for (;;) {
        int code;
        json_decref (
            test_call (r->c, "vault.status", json_pack ("{s:s}", "cabinet", CABINET), &code));
        if (code == PROTO_ERR_OK)
            break;
        if (proto_mono_ms () > deadline) {
            fprintf (stderr, "\n  the vault never reported to the broker; see %s\n", r->vlog);
            return -1;
        }
        vrig_pause ();
    }
    if (opts->server_key)
        return 0; //  a plain SUB socket cannot join a CURVE broker's events
    r->sub = test_sub_new (r->b.pub, r->c);
    if (!r->sub)
        return -1;
    return 0;
}

void
vrig_stop (vrig_t *r)
{
    if (!r)
        return;
    if (r->vault_pid > 0)
        vrig_vault_stop (r, SIGTERM);
    if (r->sim_pid > 0) {
        kill (r->sim_pid, SIGTERM);
        waitpid (r->sim_pid, NULL, 0);
        r->sim_pid = 0;
    }
    test_sub_destroy (&r->sub);
    proto_client_destroy (&r->c);
    if (r->b.pid > 0)
        test_broker_stop (&r->b, SIGTERM);
    if (r->opts.server_key)
        proto_curve_default (NULL, NULL, NULL);
    if (r->ctl >= 0)
        close (r->ctl);
    if (r->scan_fd >= 0)
        close (r->scan_fd);
    if (r->staff_fd >= 0)
        close (r->staff_fd);
    r->ctl = r->scan_fd = r->staff_fd = -1;
    json_decref (r->lines);
    r->lines = NULL;
    if (r->dir[0] && !getenv ("OW_KEEP_TMP"))
        test_rmtree (r->dir);
    r->dir[0] = 0;
    s_current = NULL;
}

void
vrig_setup (void)
{
    s_current = NULL;
}

void
vrig_teardown (void)
{
    vrig_stop (s_current);
}

//  ---------------------------------------------------------------------------------------
//  The simulator

char *
vrig_ctl (vrig_t *r, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (line, sizeof line - 1, fmt, ap);
    va_end (ap);
    strcat (line, "\n");
    if (send (r->ctl, line, strlen (line), MSG_NOSIGNAL) != (ssize_t)strlen (line))
        return NULL;
    size_t cap = 1024, len = 0;
    char *buf = malloc (cap);
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    while (buf) {
        struct pollfd p = {r->ctl, POLLIN, 0};
        if (poll (&p, 1, 100) > 0) {
            if (len + 512 > cap)
                buf = realloc (buf, cap *= 2);
            ssize_t n = buf ? recv (r->ctl, buf + len, cap - len - 1, 0) : -1;
            if (n <= 0)
                break;
            len += (size_t)n;
            buf[len] = 0;
            char *nl = strchr (buf, '\n');
            if (nl) {
                *nl = 0;
                return buf;
            }
        }
        if (proto_mono_ms () > deadline)
            break;
    }
    free (buf);
    return NULL;
}

void
vrig_act (vrig_t *r, const char *verb, int board, int lock)
{
    char *reply = vrig_ctl (r, "%s %d %d", verb, board, lock);
    CU_ASSERT_PTR_NOT_NULL_FATAL (reply);
    CU_ASSERT_STRING_EQUAL (reply, "ok");
    if (strcmp (reply, "ok") != 0)
        fprintf (stderr, "\n  boardsim '%s %d %d': %s\n", verb, board, lock, reply);
    free (reply);
}

json_t *
vrig_sim_state (vrig_t *r)
{
    char *text = vrig_ctl (r, "state");
    json_t *state = text ? json_loads (text, 0, NULL) : NULL;
    free (text);
    return state;
}

void
vrig_wait_log (vrig_t *r, const char *needle, int count)
{
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    int n;
    while ((n = s_count_in_file (r->vlog, needle)) < count && proto_mono_ms () < deadline)
        vrig_pause ();
    CU_ASSERT (n >= count);
    if (n < count)
        fprintf (stderr, "\n  '%s' %d times in %s, wanted %d\n", needle, n, r->vlog, count);
}

//  One door of the simulator's state (caller frees).
static json_t *
s_door (vrig_t *r, int board, int lock)
{
    json_t *state = vrig_sim_state (r);
    CU_ASSERT_PTR_NOT_NULL_FATAL (state);
    json_t *found = NULL;
    size_t i;
    json_t *d;
    json_array_foreach (json_object_get (state, "doors"), i, d)
        if (proto_int (d, "board") == board && proto_int (d, "lock") == lock)
            found = json_incref (d);
    json_decref (state);
    CU_ASSERT_PTR_NOT_NULL_FATAL (found);
    return found;
}

int
vrig_pulses (vrig_t *r, int board, int lock)
{
    json_t *d = s_door (r, board, lock);
    int n = (int)proto_int (d, "pulses");
    json_decref (d);
    return n;
}

bool
vrig_door_open (vrig_t *r, int board, int lock)
{
    json_t *d = s_door (r, board, lock);
    bool open = json_is_true (json_object_get (d, "open"));
    json_decref (d);
    return open;
}

static int
s_index (const vrig_t *r, const char *slot)
{
    for (size_t i = 0; i < r->nslots; i++)
        if (strcmp (r->slots[i].slot, slot) == 0)
            return (int)i;
    return -1;
}

//  ---------------------------------------------------------------------------------------
//  The vault's screen and scanner

static void
s_line (int fd, const char *line)
{
    char buf[600];
    int n = snprintf (buf, sizeof buf, "%s\n", line);
    CU_ASSERT_EQUAL (write (fd, buf, (size_t)n), n);
}

void
vrig_scan (vrig_t *r, const char *line)
{
    s_line (r->scan_fd, line);
}

void
vrig_staff_scan (vrig_t *r, const char *line)
{
    s_line (r->staff_fd, line);
}

void
vrig_show_qr (vrig_t *r, const char *text)
{
    char tmp[800], dst[800], cmd[2048];
    snprintf (tmp, sizeof tmp, "%s/qr%d.png", r->dir, ++r->frame_seq);
    snprintf (dst, sizeof dst, "%s/frame%03d.png", r->frames, r->frame_seq);
    snprintf (cmd, sizeof cmd, "qrencode -s 6 -o '%s' '%s'", tmp, text);
    int status;
    free (test_run (cmd, &status));
    CU_ASSERT_EQUAL_FATAL (status, 0);
    CU_ASSERT_EQUAL_FATAL (rename (tmp, dst), 0);
}

//  Parses the screen lines written since the last look.
static void
s_read_screen (vrig_t *r)
{
    char *text = test_read_file (r->screen);
    if (!text)
        return;
    size_t len = strlen (text);
    while (r->screen_off < len) {
        char *start = text + r->screen_off;
        char *nl = strchr (start, '\n');
        if (!nl)
            break;
        *nl = 0;
        json_t *j = json_loads (start, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL (j);
        if (!j)
            fprintf (stderr, "\n  not a JSON screen line: %s\n", start);
        else
            json_array_append_new (r->lines, j);
        r->screen_off += (size_t)(nl - start) + 1;
    }
    free (text);
}

json_t *
vrig_find (vrig_t *r, size_t from, const char *event, const char *slot, size_t *at)
{
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    for (;;) {
        s_read_screen (r);
        for (size_t i = from; i < json_array_size (r->lines); i++) {
            json_t *l = json_array_get (r->lines, i);
            if (strcmp (proto_str (l, "event"), event) == 0 &&
                (!slot || strcmp (proto_str (l, "slot"), slot) == 0)) {
                if (at)
                    *at = i;
                return l;
            }
        }
        if (proto_mono_ms () > deadline)
            break;
        vrig_pause ();
    }
    fprintf (stderr, "\n  no '%s' line%s%s on the vault's screen; it showed:\n", event,
             slot ? " for slot " : "", slot ? slot : "");
    for (size_t i = from; i < json_array_size (r->lines); i++) {
        char *t = json_dumps (json_array_get (r->lines, i), JSON_COMPACT);
        fprintf (stderr, "    %s\n", t);
        free (t);
    }
    return NULL;
}

json_t *
vrig_wait (vrig_t *r, const char *event, const char *slot)
{
    size_t at;
    json_t *l = vrig_find (r, r->cursor, event, slot, &at);
    CU_ASSERT_PTR_NOT_NULL_FATAL (l);
    r->cursor = at + 1;
    return l;
}

int
vrig_count (vrig_t *r, size_t from, const char *event)
{
    s_read_screen (r);
    int n = 0;
    for (size_t i = from; i < json_array_size (r->lines); i++)
        n += strcmp (proto_str (json_array_get (r->lines, i), "event"), event) == 0;
    return n;
}

//  ---------------------------------------------------------------------------------------
//  The broker

json_t *
vrig_do (vrig_t *r, const char *command, json_t *body, int expect)
{
    int code;
    json_t *reply = test_call (r->c, command, body, &code);
    CU_ASSERT_EQUAL (code, expect);
    if (code != expect)
        fprintf (stderr, "\n  %s: expected %d, got %d (%s: %s)\n", command, expect, code,
                 proto_client_code (r->c), proto_client_message (r->c));
    return reply;
}

json_t *
vrig_case_get (vrig_t *r, const char *no)
{
    return vrig_do (r, "case.get", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK);
}

void
vrig_wait_case (vrig_t *r, const char *no, const char *state)
{
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    char last[64] = "";
    for (;;) {
        json_t *c = vrig_case_get (r, no);
        snprintf (last, sizeof last, "%s", proto_str (c, "state"));
        json_decref (c);
        if (strcmp (last, state) == 0 || proto_mono_ms () > deadline)
            break;
        vrig_pause ();
    }
    CU_ASSERT_STRING_EQUAL (last, state);
}

void
vrig_expect_case (vrig_t *r, const char *no, const char *state)
{
    json_t *c = vrig_case_get (r, no);
    CU_ASSERT_STRING_EQUAL (proto_str (c, "state"), state);
    json_decref (c);
}

json_t *
vrig_slot (vrig_t *r, const char *slot)
{
    json_t *reply =
        vrig_do (r, "vault.status", json_pack ("{s:s}", "cabinet", CABINET), PROTO_ERR_OK);
    json_t *found = NULL;
    size_t i;
    json_t *s;
    json_array_foreach (
        json_object_get (json_array_get (json_object_get (reply, "cabinets"), 0), "slots"), i, s)
        if (strcmp (proto_str (s, "slot"), slot) == 0)
            found = json_incref (s);
    json_decref (reply);
    return found;
}

json_t *
vrig_wait_slot_door (vrig_t *r, const char *slot, const char *state, const char *alarm,
                     bool present, const char *door)
{
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    json_t *s = NULL;
    for (;;) {
        json_decref (s);
        s = vrig_slot (r, slot);
        bool ok = s && strcmp (proto_str (s, "state"), state) == 0 &&
                  (alarm ? vrig_has_alarm (s, alarm) == present
                         : json_array_size (json_object_get (s, "alarms")) == 0) &&
                  (!door || strcmp (proto_str (s, "door"), door) == 0);
        if (ok)
            return s;
        if (proto_mono_ms () > deadline)
            break;
        vrig_pause ();
    }
    char *t = s ? json_dumps (s, JSON_COMPACT) : NULL;
    fprintf (stderr, "\n  slot %s: wanted %s%s%s, door %s; the broker has %s\n", slot, state,
             alarm ? (present ? " with " : " without ") : " without alarms", alarm ? alarm : "",
             door ? door : "either", t ? t : "nothing");
    free (t);
    CU_FAIL ("the broker's mirror of the slot never reached the wanted state");
    return s;
}

json_t *
vrig_wait_slot (vrig_t *r, const char *slot, const char *state, const char *alarm, bool present)
{
    return vrig_wait_slot_door (r, slot, state, alarm, present, NULL);
}

void
vrig_wait_door (vrig_t *r, const char *slot, const char *door)
{
    int64_t deadline = proto_mono_ms () + WAIT_MS;
    char last[16] = "";
    for (;;) {
        json_t *s = vrig_slot (r, slot);
        snprintf (last, sizeof last, "%s", proto_str (s, "door"));
        json_decref (s);
        if (strcmp (last, door) == 0 || proto_mono_ms () > deadline)
            break;
        vrig_pause ();
    }
    CU_ASSERT_STRING_EQUAL (last, door);
}

json_t *
vrig_event (vrig_t *r, const char *topic, const char *key, const char *value)
{
    json_t *body = test_sub_wait_match (r->sub, topic, key, value, WAIT_MS);
    if (!body)
        fprintf (stderr, "\n  no %s event%s%s%s\n", topic, key ? " with " : "", key ? key : "",
                 key ? "=" : "");
    return body;
}

int
vrig_count_case_events (vrig_t *r, const char *topic, const char *no)
{
    json_t *events = test_sub_until_now (r->sub, r->c);
    if (!events)
        CU_FAIL ("the marker event never came");
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach (events, i, e)
        if (strcmp (proto_str (e, "topic"), topic) == 0 &&
            strcmp (proto_str (json_object_get (json_object_get (e, "body"), "case"), "case_no"),
                    no) == 0)
            n++;
    json_decref (events);
    return n;
}

int
vrig_audit_count (vrig_t *r, const char *no, const char *topic)
{
    json_t *a = vrig_do (r, "case.audit", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK);
    int n = 0;
    size_t i;
    json_t *st;
    json_array_foreach (json_object_get (a, "steps"), i, st)
        n += strcmp (proto_str (st, "topic"), topic) == 0;
    json_decref (a);
    return n;
}

void
vrig_case (vrig_t *r, const char *id, char *token, char *no)
{
    json_decref (test_call (r->c, "counter.login",
                            json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三"), NULL));
    json_decref (test_call (r->c, "ticket.finish", json_pack ("{s:i}", "counter", 1), NULL));
    json_t *t = vrig_do (r, "ticket.issue", json_pack ("{s:s}", "service", "A"), PROTO_ERR_OK);
    snprintf (token, PROTO_TOKEN_LEN + 1, "%s", proto_str (t, "token"));
    json_decref (t);
    json_decref (vrig_do (r, "ticket.call_next", json_pack ("{s:i}", "counter", 1), PROTO_ERR_OK));
    json_decref (vrig_do (r, "ticket.start", json_pack ("{s:i}", "counter", 1), PROTO_ERR_OK));
    json_t *c =
        vrig_do (r, "case.accept",
                 json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s, s, s, s]}", "counter", 1, "item",
                            "biz_setup", "name", "王小明", "id_number", id, "phone", PHONE,
                            "documents", "application", "articles", "rep_id", "address"),
                 PROTO_ERR_OK);
    snprintf (no, 48, "%s", proto_str (c, "case_no"));
    json_decref (c);
    json_decref (vrig_do (r, "case.review",
                          json_pack ("{s:s, s:s}", "case_no", no, "clerk", "李四"), PROTO_ERR_OK));
    c = vrig_do (r, "case.approve", json_pack ("{s:s, s:s}", "case_no", no, "clerk", "李四"),
                 PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL_FATAL (proto_str (c, "state"), "awaiting_pickup");
    json_decref (c);
}

void
vrig_deposit (vrig_t *r, const char *token, const char *no)
{
    vrig_staff_scan (r, BADGE);
    vrig_wait (r, "staff_mode", NULL);
    vrig_staff_scan (r, token);
    json_t *l = vrig_wait (r, "deposit_open", NULL);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "slot"), "M01");
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    CU_ASSERT_TRUE (vrig_door_open (r, 1, 3));
    vrig_act (r, "put", 1, 3);
    vrig_act (r, "close", 1, 3);
    vrig_wait (r, "deposited", "M01");
    vrig_wait_case (r, no, "ready_for_pickup");
    json_decref (vrig_wait_slot (r, "M01", "occupied", "ajar", false));
}

json_t *
vrig_take_and_close (vrig_t *r, const char *slot, const char *no)
{
    int k = s_index (r, slot);
    CU_ASSERT_FATAL (k >= 0);
    vrig_act (r, "take", r->slots[k].board, r->slots[k].lock);
    vrig_act (r, "close", r->slots[k].board, r->slots[k].lock);
    json_t *l = vrig_wait (r, "collected", slot);
    CU_ASSERT_STRING_EQUAL (proto_str (l, "case_no"), no);
    return l;
}
