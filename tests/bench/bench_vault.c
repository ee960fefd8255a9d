/*  bench_vault.c — scan-to-unlock at the cabinet, with the real programs.

    The real bin/onewindow-broker and bin/onewindow-vault (the example cabinet,
    etc/cabinet.example.json: 40 slots on three CU16 boards, polled every 200 ms), and the
    boards simulated in this process: vault_sim (the model onewindow-boardsim runs) on a
    pseudo-terminal, served by a thread that also parses every frame the vault sends, so
    that the moment an unlock frame reaches the board is known here, on the same clock as
    the moment the frame was shown to the camera. Its person closes each door 400 ms after
    it opened, taking or leaving the documents (auto mode).

    Set-up: cases accepted, reviewed and approved through the broker; staff deposit each
    (badge, then the case's code, on the staff reader's line); the vault reports them
    deposited.

    One sample: a 1280×720 gray camera frame holding the QR code of the slip's status URL
    (as the SMS sends it) is written beside the frames folder and renamed into it (t0); the
    vault finds it on its next turn, decodes it with ZBar, asks the broker
    (vault.pickup_check), journals the door command with a synced write and sends the
    unlock frame; the simulated board has it (t1). Scan-to-unlock = t1 − t0. Shown at a
    random moment of the vault's 200 ms turn, like a citizen.

    Beside it, for the breakdown: the ZBar decode of the same frames in this process, and
    the vault.pickup_check round trip from a client.

    Then the same under a camera stream: a thread here drops 1920×1080 frames (the same
    counter without a code) into the folder 20 times a second, as a camera would, and a
    pickup puts the slip's code into the stream's frames until the unlock frame reaches the
    board: scan-to-unlock from the first frame holding the code. The boards' thread also
    notes every status request, so the interval between the vault's door polls is measured
    at the board, without and with the stream. */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <zmq.h>

#include "proto_qr.h"
#include "proto_token.h"
#include "vault_badge.h"
#include "vault_frame.h"
#include "vault_sim.h"

#define FRAME_W     1280
#define FRAME_H     720
#define STREAM_W    1920
#define STREAM_H    1080
#define STREAM_FPS  20
#define AUTO_MS     400
#define POLL_MS     200
#define MAX_UNLOCKS 256
#define MAX_POLLS   65536

//  ---------------------------------------------------------------------------------------
//  The boards, in a thread

typedef struct {
    int master;     //  our side of the pseudo-terminal
    int slave;      //  kept open so the line never hangs up
    char link[800]; //  symlink the vault opens
    vault_sim_t *sim;
    vault_parser_t *parser; //  our own look at the vault's frames
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock;
    int64_t unlock_ns[MAX_UNLOCKS]; //  when each unlock frame arrived (ring)
    int nunlocks;
    int64_t *status_ns; //  when each status request arrived (MAX_POLLS, then no more)
    int nstatus;
} s_boards_t;

static void
s_line_write (void *arg, const uint8_t *data, size_t size)
{
    s_boards_t *bd = arg;
    while (size > 0) {
        ssize_t n = write (bd->master, data, size);
        if (n > 0) {
            data += n;
            size -= (size_t)n;
        } else if (n < 0 && errno == EINTR)
            continue;
        else
            return; //  a line nobody reads drops bytes, as a real bus would
    }
}

static int64_t
s_ms (void)
{
    return bench_now_ns () / 1000000;
}

static void *
s_boards_loop (void *arg)
{
    s_boards_t *bd = arg;
    while (!atomic_load (&bd->stop)) {
        int64_t deadline = vault_sim_deadline (bd->sim), left = 20;
        if (deadline >= 0 && deadline - s_ms () < left)
            left = deadline - s_ms () > 0 ? deadline - s_ms () : 0;
        struct pollfd pfd = {bd->master, POLLIN, 0};
        int n = poll (&pfd, 1, (int)left);
        int64_t now = bench_now_ns ();
        if (n > 0 && (pfd.revents & POLLIN)) {
            uint8_t buf[4096];
            ssize_t got = read (bd->master, buf, sizeof buf);
            if (got > 0) {
                const uint8_t *p = buf;
                size_t size = (size_t)got;
                vault_frame_t frame;
                while (vault_parser_next (bd->parser, &p, &size, &frame)) {
                    pthread_mutex_lock (&bd->lock);
                    if (frame.cmd == VAULT_CU16_CMD_UNLOCK)
                        bd->unlock_ns[bd->nunlocks++ % MAX_UNLOCKS] = now;
                    else if (frame.cmd == VAULT_CU16_CMD_STATUS && bd->nstatus < MAX_POLLS)
                        bd->status_ns[bd->nstatus++] = now;
                    pthread_mutex_unlock (&bd->lock);
                }
                vault_sim_input (bd->sim, buf, (size_t)got, now / 1000000);
            }
        }
        vault_sim_tick (bd->sim, s_ms ());
    }
    return NULL;
}

static int
s_boards_start (s_boards_t *bd, const char *link)
{
    memset (bd, 0, sizeof *bd);
    bd->master = bd->slave = -1;
    snprintf (bd->link, sizeof bd->link, "%s", link);
    pthread_mutex_init (&bd->lock, NULL);
    char slave_name[256];
    bd->sim = vault_sim_new (VAULT_PROTO_CU16, 3, VAULT_CU16_LOCKS, AUTO_MS, 1, s_line_write, bd);
    bd->parser = vault_parser_new (VAULT_PROTO_CU16);
    bd->status_ns = calloc (MAX_POLLS, sizeof *bd->status_ns);
    if (!bd->sim || !bd->parser || !bd->status_ns ||
        openpty (&bd->master, &bd->slave, slave_name, NULL, NULL) != 0)
        return -1;
    struct termios tio;
    if (tcgetattr (bd->slave, &tio) == 0) {
        cfmakeraw (&tio);
        tio.c_cflag |= CLOCAL | CREAD;
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        cfsetispeed (&tio, B9600);
        cfsetospeed (&tio, B9600);
        tcsetattr (bd->slave, TCSANOW, &tio);
    }
    fcntl (bd->master, F_SETFL, fcntl (bd->master, F_GETFL) | O_NONBLOCK);
    fcntl (bd->master, F_SETFD, FD_CLOEXEC);
    fcntl (bd->slave, F_SETFD, FD_CLOEXEC);
    unlink (link);
    if (symlink (slave_name, link) != 0)
        return -1;
    return pthread_create (&bd->thread, NULL, s_boards_loop, bd) == 0 ? 0 : -1;
}

static void
s_boards_stop (s_boards_t *bd)
{
    atomic_store (&bd->stop, 1);
    if (bd->thread)
        pthread_join (bd->thread, NULL);
    if (bd->master >= 0)
        close (bd->master);
    if (bd->slave >= 0)
        close (bd->slave);
    unlink (bd->link);
    vault_sim_destroy (&bd->sim);
    vault_parser_destroy (&bd->parser);
    free (bd->status_ns);
    pthread_mutex_destroy (&bd->lock);
}

//  Unlock frames seen so far.
static int
s_unlocks (s_boards_t *bd, int64_t *last_ns)
{
    pthread_mutex_lock (&bd->lock);
    int n = bd->nunlocks;
    if (last_ns)
        *last_ns = n ? bd->unlock_ns[(n - 1) % MAX_UNLOCKS] : 0;
    pthread_mutex_unlock (&bd->lock);
    return n;
}

//  Status requests seen so far.
static int
s_polls (s_boards_t *bd)
{
    pthread_mutex_lock (&bd->lock);
    int n = bd->nstatus;
    pthread_mutex_unlock (&bd->lock);
    return n;
}

//  The intervals between the vault's door polls among status requests [from, to), in ns
//  (a poll asks every board in turn; a new one starts after half a period of quiet).
static void
s_poll_intervals (s_boards_t *bd, int from, int to, bench_samples_t *out)
{
    int64_t start = -1, prev = -1;
    pthread_mutex_lock (&bd->lock);
    for (int i = from; i < to; i++) {
        int64_t t = bd->status_ns[i];
        if (prev < 0 || t - prev >= (int64_t)POLL_MS * 1000000 / 2) {
            if (start >= 0)
                bench_samples_add (out, t - start);
            start = t;
        }
        prev = t;
    }
    pthread_mutex_unlock (&bd->lock);
}

//  ---------------------------------------------------------------------------------------
//  Frames

//  A w×h gray frame: a soft gradient with some sensor noise, and the QR code of `text`
//  (NULL: none; 4 px modules, quiet zone 4) at (x, y). 0 / -1.
static int
s_frame (const char *path, const char *text, int w, int h, int x, int y, uint32_t *seed)
{
    proto_qr_t qr = {0, NULL};
    unsigned char *sym = NULL;
    int size = 0;
    if (text &&
        (proto_qr_encode (text, &qr) != 0 || proto_qr_render (&qr, 4, 4, &sym, &size) != 0)) {
        proto_qr_free (&qr);
        return -1;
    }
    proto_qr_free (&qr);
    unsigned char *img = malloc ((size_t)w * (size_t)h);
    if (!img) {
        free (sym);
        return -1;
    }
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            *seed = *seed * 1103515245u + 12345u;
            int v = 150 + (c * 60) / w + (r * 30) / h + (int)((*seed >> 16) % 9) - 4;
            img[(size_t)r * (size_t)w + (size_t)c] = (unsigned char)v;
        }
    for (int r = 0; r < size && y + r < h; r++)
        for (int c = 0; c < size && x + c < w; c++)
            img[(size_t)(y + r) * (size_t)w + (size_t)(x + c)] =
                sym[(size_t)r * (size_t)size + (size_t)c] ? 235 : 25;
    int rc = proto_png_write_gray (path, img, w, h);
    free (img);
    free (sym);
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  The camera stream, in a thread: the picture in view dropped into the folder 20 times a
//  second, each frame written beside it and renamed in

typedef struct {
    char frames[760], tmp[800];
    pthread_t thread;
    bool started;
    atomic_int stop;
    pthread_mutex_t lock;
    char *pic[2]; //  PNG bytes: [0] the counter, [1] the counter with a code (under lock)
    size_t size[2];
    atomic_int show;      //  the picture in view
    atomic_llong shown;   //  when its first frame was renamed in (ns), 0: not yet
    atomic_llong written; //  frames written
} s_stream_t;

static int
s_slurp (const char *path, char **data, size_t *size)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return -1;
    fseek (f, 0, SEEK_END);
    long n = ftell (f);
    rewind (f);
    char *buf = n > 0 ? malloc ((size_t)n) : NULL;
    int rc = buf && fread (buf, 1, (size_t)n, f) == (size_t)n ? 0 : -1;
    fclose (f);
    if (rc == 0) {
        free (*data);
        *data = buf;
        *size = (size_t)n;
    } else
        free (buf);
    return rc;
}

static void *
s_stream_loop (void *arg)
{
    s_stream_t *st = arg;
    int64_t next = bench_now_ns ();
    int last = -1;
    for (long seq = 0; !atomic_load (&st->stop); seq++) {
        char dst[800];
        snprintf (dst, sizeof dst, "%s/cam%08ld.png", st->frames, seq);
        int show = atomic_load (&st->show);
        pthread_mutex_lock (&st->lock);
        FILE *f = fopen (st->tmp, "wb");
        bool ok = f && fwrite (st->pic[show], 1, st->size[show], f) == st->size[show];
        pthread_mutex_unlock (&st->lock);
        if (f && fclose (f) == 0 && ok && rename (st->tmp, dst) == 0) {
            atomic_fetch_add (&st->written, 1);
            if (show != last)
                atomic_store (&st->shown, bench_now_ns ());
            last = show;
        }
        next += 1000000000 / STREAM_FPS;
        int64_t wait = next - bench_now_ns ();
        if (wait > 0)
            bench_sleep_ms ((double)wait / 1e6);
    }
    return NULL;
}

//  Starts the stream of the counter with no code. 0 / -1.
static int
s_stream_start (s_stream_t *st, const char *dir, const char *frames)
{
    char path[800];
    snprintf (st->frames, sizeof st->frames, "%s", frames);
    snprintf (st->tmp, sizeof st->tmp, "%s/stream.tmp", frames);
    snprintf (path, sizeof path, "%s/blank.png", dir);
    pthread_mutex_init (&st->lock, NULL);
    uint32_t seed = 777;
    if (s_frame (path, NULL, STREAM_W, STREAM_H, 0, 0, &seed) != 0 ||
        s_slurp (path, &st->pic[0], &st->size[0]) != 0 ||
        s_slurp (path, &st->pic[1], &st->size[1]) != 0)
        return -1;
    atomic_store (&st->show, 0);
    if (pthread_create (&st->thread, NULL, s_stream_loop, st) != 0)
        return -1;
    st->started = true;
    return 0;
}

//  Puts the picture in `path` in view (or, NULL, the counter without a code again) and
//  returns when its first frame is in the folder: that moment, in ns.
static int64_t
s_stream_show (s_stream_t *st, const char *path)
{
    if (path) {
        pthread_mutex_lock (&st->lock);
        int rc = s_slurp (path, &st->pic[1], &st->size[1]);
        pthread_mutex_unlock (&st->lock);
        if (rc != 0)
            return -1;
    }
    atomic_store (&st->shown, 0);
    atomic_store (&st->show, path ? 1 : 0);
    while (atomic_load (&st->shown) == 0)
        bench_sleep_ms (1);
    return atomic_load (&st->shown);
}

static void
s_stream_stop (s_stream_t *st)
{
    if (st->started) {
        atomic_store (&st->stop, 1);
        pthread_join (st->thread, NULL);
        pthread_mutex_destroy (&st->lock);
        st->started = false;
    }
    free (st->pic[0]);
    free (st->pic[1]);
    st->pic[0] = st->pic[1] = NULL;
}

//  ---------------------------------------------------------------------------------------
//  The section

typedef struct {
    char token[PROTO_TOKEN_LEN + 1];
    char case_no[48];
} s_case_t;

//  A case awaiting pickup: served at counter 1, biz_setup accepted, reviewed, approved.
static int
s_make_case (bench_client_t *c, int n, s_case_t *out)
{
    char id[19], body[512];
    bench_id_number (100000 + (unsigned long)n, id);
    if (bench_client_ok (c, "ticket.issue", "{\"service\":\"A\"}") != 0 ||
        bench_reply_str (c, "token", out->token, sizeof out->token) != 0 ||
        bench_client_ok (c, "ticket.call_next", "{\"counter\":1}") != 0 ||
        bench_client_ok (c, "ticket.start", "{\"counter\":1}") != 0)
        return -1;
    snprintf (body, sizeof body,
              "{\"counter\":1,\"item\":\"biz_setup\",\"name\":\"王小明\",\"id_number\":\"%s\","
              "\"phone\":\"13812345678\",\"documents\":[\"application\",\"articles\",\"rep_id\","
              "\"address\"]}",
              id);
    if (bench_client_ok (c, "case.accept", body) != 0 ||
        bench_reply_str (c, "case_no", out->case_no, sizeof out->case_no) != 0 ||
        bench_client_ok (c, "ticket.finish", "{\"counter\":1}") != 0)
        return -1;
    snprintf (body, sizeof body, "{\"case_no\":\"%s\",\"clerk\":\"李四\"}", out->case_no);
    if (bench_client_ok (c, "case.review", body) != 0 ||
        bench_client_ok (c, "case.approve", body) != 0)
        return -1;
    return 0;
}

//  Waits until every case is ready for pickup in the cabinet. 0 / -1.
static int
s_wait_ready (bench_client_t *c, const s_case_t *cases, int n)
{
    int64_t deadline = bench_now_ns () + (int64_t)30 * 1000000000;
    for (int i = 0; i < n; i++) {
        char body[128];
        snprintf (body, sizeof body, "{\"case_no\":\"%s\"}", cases[i].case_no);
        for (;;) {
            if (bench_client_ok (c, "case.get", body) != 0)
                return -1;
            if (strstr (c->body, "\"state\":\"ready_for_pickup\""))
                break;
            if (bench_now_ns () > deadline) {
                fprintf (stderr, "bench: case %s never became ready for pickup\n",
                         cases[i].case_no);
                return -1;
            }
            bench_sleep_ms (20);
        }
    }
    return 0;
}

static char s_badge[VAULT_BADGE_CODE_LEN + 1]; //  the staff badge enrolled for the run

//  Writes the cabinet config: the example cabinet, its lines replaced by ours; enrols a staff
//  badge (s_badge) in the vault's data folder `vdata`.
static int
s_cabinet (const bench_t *b, const char *path, const char *vdata)
{
    char why[600];
    json_t *rec = vault_badge_enrol (vdata, "C1", "bench", "135790", s_badge, why, sizeof why);
    if (!rec) {
        fprintf (stderr, "bench: cannot enrol a staff badge: %s\n", why);
        return -1;
    }
    json_decref (rec);
    char example[700];
    snprintf (example, sizeof example, "%s/etc/cabinet.example.json", b->src);
    json_t *cab = json_load_file (example, 0, NULL);
    if (!cab)
        return -1;
    json_object_set_new (cab, "poll_ms", json_integer (POLL_MS));
    int rc = json_dump_file (cab, path, JSON_INDENT (1));
    json_decref (cab);
    return rc;
}

//  The bench hall with biz_setup opting out of the pickup's second factor (pickup_pin
//  false): scan-to-unlock is the camera's path, not a citizen typing 4 characters. 0 / -1.
static int
s_hall (bench_t *b, const char *path)
{
    if (bench_hall_config (b, path, 32) != 0)
        return -1;
    json_t *hall = json_load_file (path, 0, NULL);
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get (hall, "items"), i, it)
        if (strcmp (json_string_value (json_object_get (it, "id")), "biz_setup") == 0)
            json_object_set_new (it, "pickup_pin", json_false ());
    int rc = hall ? json_dump_file (hall, path, JSON_INDENT (1)) : -1;
    json_decref (hall);
    return rc;
}

//  Where a vault run keeps its files.
typedef struct {
    char dir[700], cab[760], link[760], fifo[760], staff[760], frames[760], vdata[760], screen[760],
        vlog[760];
} s_paths_t;

static void
s_paths (const bench_t *b, s_paths_t *p)
{
    snprintf (p->dir, sizeof p->dir, "%s/vault", b->work);
    snprintf (p->cab, sizeof p->cab, "%s/cabinet.json", p->dir);
    snprintf (p->link, sizeof p->link, "%s/ttyBOARD", p->dir);
    snprintf (p->fifo, sizeof p->fifo, "%s/scanner", p->dir);
    snprintf (p->staff, sizeof p->staff, "%s/staff", p->dir);
    snprintf (p->frames, sizeof p->frames, "%s/frames", p->dir);
    snprintf (p->vdata, sizeof p->vdata, "%s/vdata", p->dir);
    snprintf (p->screen, sizeof p->screen, "%s/vault.screen", p->dir);
    snprintf (p->vlog, sizeof p->vlog, "%s/vault.log", p->dir);
}

//  Starts the real onewindow-vault on the simulated boards, the scanner and staff reader
//  FIFOs and the frames directory, talking to the broker at `req`. Its pid.
static pid_t
s_vault_start (const bench_t *b, s_paths_t *p, char *req)
{
    char prog[600];
    snprintf (prog, sizeof prog, "%s/onewindow-vault", b->bin);
    pid_t pid = fork ();
    if (pid == 0) {
        int out = open (p->screen, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int err = open (p->vlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (out >= 0)
            dup2 (out, STDOUT_FILENO);
        if (err >= 0)
            dup2 (err, STDERR_FILENO);
        char *argv[] = {prog,     "--config", p->cab,    "--data",    p->vdata, "--broker",
                        req,      "--serial", p->link,   "--scanner", p->fifo,  "--staff-scanner",
                        p->staff, "--frames", p->frames, "--json",    NULL};
        execv (prog, argv);
        _exit (127);
    }
    return pid;
}

//  Waits until the vault's first report reached the broker. 0 / -1.
static int
s_vault_ready (bench_client_t *c, const s_paths_t *p)
{
    for (int i = 0;; i++) {
        if (bench_client_call (c, "vault.status", "{\"cabinet\":\"C1\"}", 5000) == 0 &&
            strcmp (c->status, "ok") == 0)
            return 0;
        if (i == 500) {
            fprintf (stderr, "bench: the vault never reported; see %s\n", p->vlog);
            return -1;
        }
        bench_sleep_ms (20);
    }
}

//  Staff deposit every case at their reader: badge, then the case's code (a badge is good
//  for one). 0 / -1.
static int
s_deposit_all (int staff_fd, bench_client_t *c, const s_case_t *cases, int n, const s_paths_t *p)
{
    for (int i = 0; i < n; i++) {
        char lines[128];
        int len = snprintf (lines, sizeof lines, "%s\n%s\n", s_badge, cases[i].token);
        if (write (staff_fd, lines, (size_t)len) != len)
            return -1;
        bench_sleep_ms (30);
    }
    if (s_wait_ready (c, cases, n) != 0) {
        char cmd[1700];
        snprintf (cmd, sizeof cmd,
                  "echo 'the vault screen:' >&2; tail -5 '%s' >&2; tail -5 '%s' >&2", p->screen,
                  p->vlog);
        if (system (cmd) != 0)
            fprintf (stderr, "(no screen)\n");
        return -1;
    }
    return 0;
}

//  The samples of one run of pickups.
typedef struct {
    bench_samples_t total, decode, rtt;
} s_pickup_samples_t;

//  One pickup of case `i` by a camera frame: first the breakdown (nothing changes: a check is
//  a read), the ZBar decode and the vault.pickup_check round trip; then the frame appears at
//  a random moment of the vault's turn, and the time until the boards see the unlock. 0 / -1.
static int
s_pickup (const s_paths_t *p, bench_client_t *c, s_boards_t *bd, const s_case_t *cs, int i,
          uint32_t *seed, s_pickup_samples_t *out)
{
    const char *url = "http://127.0.0.1:8080/t/";
    char text[128], tmp[800], dst[800], body[128];
    snprintf (text, sizeof text, "%s%s", url, cs->token);
    snprintf (tmp, sizeof tmp, "%s/next.png", p->dir);
    snprintf (dst, sizeof dst, "%s/frame%03d.png", p->frames, i);
    *seed = *seed * 1103515245u + 12345u;
    if (s_frame (tmp, text, FRAME_W, FRAME_H, 200 + (int)(*seed >> 8) % 800,
                 100 + (int)(*seed >> 4) % 400, seed) != 0)
        return -1;
    char decoded[256];
    int64_t d0 = bench_now_ns ();
    if (proto_qr_decode_png (tmp, decoded, sizeof decoded) <= 0 || strcmp (decoded, text) != 0) {
        fprintf (stderr, "bench: the frame does not decode to its code\n");
        return -1;
    }
    bench_samples_add (&out->decode, bench_now_ns () - d0);
    snprintf (body, sizeof body, "{\"cabinet\":\"C1\",\"code\":\"%s\"}", cs->token);
    d0 = bench_now_ns ();
    if (bench_client_ok (c, "vault.pickup_check", body) != 0)
        return -1;
    bench_samples_add (&out->rtt, bench_now_ns () - d0);
    *seed = *seed * 1103515245u + 12345u;
    bench_sleep_ms ((double)((*seed >> 8) % (POLL_MS + 50)));
    int before = s_unlocks (bd, NULL);
    if (rename (tmp, dst) != 0)
        return -1;
    int64_t t0 = bench_now_ns (), t1 = 0;
    while (s_unlocks (bd, &t1) == before) {
        if (bench_now_ns () - t0 > (int64_t)10 * 1000000000) {
            fprintf (stderr, "bench: no unlock frame for %s; see %s\n", cs->case_no, p->vlog);
            return -1;
        }
        bench_sleep_ms (1);
    }
    bench_samples_add (&out->total, t1 - t0);
    //  The citizen takes the documents (the simulated person, AUTO_MS later).
    bench_sleep_ms (50);
    return 0;
}

//  What the runs share.
typedef struct {
    bench_t *b;
    const s_paths_t *p;
    bench_client_t *c;
    s_boards_t *bd;
    const s_case_t *cases;
    int runs, per_run;
    uint32_t seed;
} s_ctx_t;

//  The p99 of the door-poll intervals seen at the boards since status request `from`.
static double
s_poll_p99_ms (s_boards_t *bd, int from)
{
    bench_samples_t iv = {0};
    s_poll_intervals (bd, from, s_polls (bd), &iv);
    double p99 = iv.n ? (double)bench_samples_quantile (&iv, 0.99) / 1e6 : NAN;
    bench_samples_free (&iv);
    return p99;
}

//  The pickups by one frame each (cases [0, runs × per_run)). 0 / -1.
static int
s_idle_runs (s_ctx_t *x)
{
    bench_t *b = x->b;
    bench_fig_t *p50 = bench_fig (b, "vault", "vault.scan_to_unlock_p50", 1, "ms",
                                  "scan-to-unlock p50, one 720p frame");
    bench_fig_t *p99 = bench_fig (b, "vault", "vault.scan_to_unlock_p99", 1, "ms",
                                  "scan-to-unlock p99, one 720p frame");
    p99->target = 300;
    p99->target_max = true;
    bench_fig_t *dec = bench_fig (b, "vault", "vault.decode_p50", 1, "ms",
                                  "of which: ZBar decode of a 1280x720 PNG, p50");
    bench_fig_t *chk = bench_fig (b, "vault", "vault.pickup_check_p50", 1, "ms",
                                  "of which: vault.pickup_check round trip p50");
    bench_fig_t *poll = bench_fig (b, "vault", "vault.poll_interval_p99", 1, "ms",
                                   "door poll interval p99, no stream");
    s_pickup_samples_t all = {{0}, {0}, {0}};
    int ok = 0;
    for (int r = 0; r < x->runs && ok == 0; r++) {
        s_pickup_samples_t run = {{0}, {0}, {0}};
        int from = s_polls (x->bd);
        for (int k = 0; k < x->per_run && ok == 0; k++) {
            int i = r * x->per_run + k;
            ok = s_pickup (x->p, x->c, x->bd, &x->cases[i], i, &x->seed, &run);
        }
        if (ok == 0) {
            bench_fig_add (p50, (double)bench_samples_quantile (&run.total, 0.5) / 1e6);
            bench_fig_add (p99, (double)bench_samples_quantile (&run.total, 0.99) / 1e6);
            bench_fig_add (dec, (double)bench_samples_quantile (&run.decode, 0.5) / 1e6);
            bench_fig_add (chk, (double)bench_samples_quantile (&run.rtt, 0.5) / 1e6);
            bench_fig_add (poll, s_poll_p99_ms (x->bd, from));
            bench_samples_append (&all.total, &run.total);
            bench_samples_append (&all.decode, &run.decode);
            bench_samples_append (&all.rtt, &run.rtt);
        }
        bench_samples_free (&run.total);
        bench_samples_free (&run.decode);
        bench_samples_free (&run.rtt);
    }
    if (ok == 0)
        bench_progress ("vault: scan-to-unlock over all %zu pickups: p50 %.0f ms, max %.0f ms; "
                        "decode p50 %.0f ms; check p50 %.1f ms",
                        all.total.n, (double)bench_samples_quantile (&all.total, 0.5) / 1e6,
                        (double)bench_samples_quantile (&all.total, 1.0) / 1e6,
                        (double)bench_samples_quantile (&all.decode, 0.5) / 1e6,
                        (double)bench_samples_quantile (&all.rtt, 0.5) / 1e6);
    bench_samples_free (&all.total);
    bench_samples_free (&all.decode);
    bench_samples_free (&all.rtt);
    return ok;
}

//  One pickup under the stream: the slip's code, at a random place of a 1080p frame, is put
//  into the stream at a random moment (t0: its first frame in the folder) until the boards
//  see the unlock (t1); the code stays in view a moment longer, as a citizen's would.
static int
s_stream_pickup (s_ctx_t *x, s_stream_t *st, const s_case_t *cs, s_pickup_samples_t *out)
{
    char text[128], tmp[800];
    snprintf (text, sizeof text, "http://127.0.0.1:8080/t/%s", cs->token);
    snprintf (tmp, sizeof tmp, "%s/code.png", x->p->dir);
    x->seed = x->seed * 1103515245u + 12345u;
    if (s_frame (tmp, text, STREAM_W, STREAM_H, 200 + (int)(x->seed >> 8) % 1400,
                 100 + (int)(x->seed >> 4) % 700, &x->seed) != 0)
        return -1;
    proto_qr_codes_t codes;
    int64_t d0 = bench_now_ns ();
    if (proto_qr_decode_all_png (tmp, &codes) != 1 || strcmp (codes.text[0], text) != 0) {
        fprintf (stderr, "bench: the 1080p frame does not decode to its code\n");
        return -1;
    }
    bench_samples_add (&out->decode, bench_now_ns () - d0);
    x->seed = x->seed * 1103515245u + 12345u;
    bench_sleep_ms ((double)((x->seed >> 8) % (POLL_MS + 50)));
    int before = s_unlocks (x->bd, NULL);
    int64_t t0 = s_stream_show (st, tmp), t1 = 0;
    while (s_unlocks (x->bd, &t1) == before) {
        if (bench_now_ns () - t0 > (int64_t)10 * 1000000000) {
            fprintf (stderr, "bench: no unlock frame for %s under the stream; see %s\n",
                     cs->case_no, x->p->vlog);
            return -1;
        }
        bench_sleep_ms (1);
    }
    bench_samples_add (&out->total, t1 - t0);
    bench_sleep_ms (300);
    s_stream_show (st, NULL);
    //  The simulated person closes the door (AUTO_MS after it opened).
    bench_sleep_ms (AUTO_MS);
    return 0;
}

//  The pickups under a 1080p stream at 20 fps (the cases after the idle ones). 0 / -1.
static int
s_stream_runs (s_ctx_t *x, int first, int per_run)
{
    bench_t *b = x->b;
    bench_fig_t *p50 = bench_fig (b, "vault", "vault.stream_scan_to_unlock_p50", 1, "ms",
                                  "scan-to-unlock p50, 1080p stream 20 fps");
    bench_fig_t *p99 = bench_fig (b, "vault", "vault.stream_scan_to_unlock_p99", 1, "ms",
                                  "scan-to-unlock p99, 1080p stream 20 fps");
    p99->target = 1000;
    p99->target_max = true;
    bench_fig_t *dec = bench_fig (b, "vault", "vault.stream_decode_p50", 1, "ms",
                                  "of which: ZBar decode of 1920x1080, p50");
    bench_fig_t *poll = bench_fig (b, "vault", "vault.stream_poll_interval_p99", 1, "ms",
                                   "door poll interval p99, 1080p at 20 fps");
    s_stream_t st;
    memset (&st, 0, sizeof st);
    if (s_stream_start (&st, x->p->dir, x->p->frames) != 0) {
        fprintf (stderr, "bench: cannot start the camera stream\n");
        s_stream_stop (&st);
        return -1;
    }
    bench_sleep_ms (1000); //  the stream runs before the first citizen comes
    int ok = 0;
    for (int r = 0; r < x->runs && ok == 0; r++) {
        s_pickup_samples_t run = {{0}, {0}, {0}};
        int from = s_polls (x->bd);
        for (int k = 0; k < per_run && ok == 0; k++)
            ok = s_stream_pickup (x, &st, &x->cases[first + r * per_run + k], &run);
        if (ok == 0) {
            bench_fig_add (p50, (double)bench_samples_quantile (&run.total, 0.5) / 1e6);
            bench_fig_add (p99, (double)bench_samples_quantile (&run.total, 0.99) / 1e6);
            bench_fig_add (dec, (double)bench_samples_quantile (&run.decode, 0.5) / 1e6);
            bench_fig_add (poll, s_poll_p99_ms (x->bd, from));
        }
        bench_samples_free (&run.total);
        bench_samples_free (&run.decode);
        bench_samples_free (&run.rtt);
    }
    long long written = atomic_load (&st.written);
    s_stream_stop (&st);
    bench_progress ("vault: %d pickups under a 1080p stream, %lld frames written",
                    x->runs * per_run, written);
    return ok;
}

int
bench_vault (bench_t *b)
{
    int runs = b->runs < 3 ? b->runs : 3, per_run = b->quick ? 4 : 8;
    int stream_per_run = per_run / 2, n = runs * (per_run + stream_per_run);
    s_paths_t p;
    s_paths (b, &p);
    char config[700];
    bench_rmtree (p.dir);
    bench_mkdirs (p.dir);
    snprintf (config, sizeof config, "%s/hall.json", b->work);
    if (s_hall (b, config) != 0 || s_cabinet (b, p.cab, p.vdata) != 0 ||
        mkfifo (p.fifo, 0600) != 0 || mkfifo (p.staff, 0600) != 0 || bench_mkdirs (p.frames) != 0)
        return -1;

    int rc = -1;
    bench_broker_t br;
    bench_broker_init (&br, b, "vault-broker", config);
    s_boards_t bd;
    memset (&bd, 0, sizeof bd);
    bd.master = bd.slave = -1;
    pid_t vault = -1;
    int scan_fd = -1, staff_fd = -1;
    void *zctx = bench_zctx ();
    bench_client_t c = {0};
    s_case_t *cases = calloc ((size_t)n, sizeof *cases);
    if (!cases || bench_broker_start (&br, b, NULL) != 0 ||
        bench_client_open (&c, zctx, br.req, 0) != 0 ||
        bench_client_ok (&c, "counter.login", "{\"counter\":1,\"clerk\":\"张三\"}") != 0)
        goto done;
    for (int i = 0; i < n; i++)
        if (s_make_case (&c, i, &cases[i]) != 0)
            goto done;
    if (s_boards_start (&bd, p.link) != 0) {
        fprintf (stderr, "bench: cannot start the simulated boards: %s\n", strerror (errno));
        goto done;
    }
    //  The vault, its scanners FIFOs we hold open read-write (never block, never EOF).
    scan_fd = open (p.fifo, O_RDWR | O_CLOEXEC);
    staff_fd = open (p.staff, O_RDWR | O_CLOEXEC);
    vault = s_vault_start (b, &p, br.req);
    //  The M and L slots (24) hold the cases of one part at a time: the stream's cases are
    //  deposited once the first part's have been collected.
    int first = runs * per_run;
    if (s_vault_ready (&c, &p) != 0 || s_deposit_all (staff_fd, &c, cases, first, &p) != 0)
        goto done;
    bench_progress ("vault: %d cases deposited; %d pickups by camera frames", first, first);
    s_ctx_t x = {b, &p, &c, &bd, cases, runs, per_run, 12345};
    if (s_idle_runs (&x) != 0)
        goto done;
    bench_sleep_ms (AUTO_MS + 2 * POLL_MS);
    if (s_deposit_all (staff_fd, &c, cases + first, n - first, &p) != 0)
        goto done;
    bench_progress ("vault: %d cases deposited; %d pickups under a 1080p stream at 20 fps",
                    n - first, n - first);
    if (s_stream_runs (&x, first, stream_per_run) != 0)
        goto done;
    rc = 0;
done:
    if (vault > 0)
        bench_stop (vault, SIGTERM);
    if (scan_fd >= 0)
        close (scan_fd);
    if (staff_fd >= 0)
        close (staff_fd);
    s_boards_stop (&bd);
    bench_client_close (&c);
    zmq_ctx_term (zctx);
    bench_broker_cleanup (&br);
    free (cases);
    if (rc == 0 && !getenv ("OW_BENCH_KEEP"))
        bench_rmtree (p.dir);
    return rc;
}
