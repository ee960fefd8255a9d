/*  vault_main.c — onewindow-vault: the cabinet controller.

    onewindow-vault --config FILE --data DIR --broker EP [--serial PATH] [--scanner PATH]
                    [--staff-scanner PATH] [--frames DIR] [--keep-frames N] [--json]
    onewindow-vault --config FILE --data DIR --enrol-badge NAME [--qr PNG] [--json]
    onewindow-vault --config FILE --data DIR --revoke-badge ID | --list-badges [--json]

    Citizens' codes arrive as lines (a barcode scanner that types the code and Enter, on a
    tty, a FIFO, or stdin) and as camera frames: PNG files dropped into the frames folder,
    decoded on a thread of their own (vault_camera.h). The doors are read on a thread of
    their own too (vault_bus.h), so they are polled on time at any frame rate and whatever
    the boards take to answer. Staff badges are enrolled credentials (vault_badge.h), taken
    from the staff reader only.
    docs/CABINET.md, docs/LOCKBOARDS.md. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "proto_client.h"
#include "proto_keys.h"
#include "proto_log.h"
#include "proto_qr.h"
#include "vault_badge.h"
#include "vault_board.h"
#include "vault_camera.h"
#include "vault_config.h"
#include "vault_core.h"
#include "vault_store.h"

static volatile sig_atomic_t s_stop = 0;

static void
s_on_signal (int sig)
{
    (void)sig;
    s_stop = 1;
}

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: onewindow-vault --config FILE --data DIR --broker EP [options]\n"
             "\n"
             "The smart document cabinet's controller (智能柜): staff deposit results, citizens\n"
             "scan their QR code and a slot door opens. Keeps working from its own store when\n"
             "the broker is unreachable and reports everything once it is back.\n"
             "\n"
             "  -c, --config FILE    cabinet config (JSON; see etc/cabinet.example.json)\n"
             "  -d, --data DIR       local store (created if missing)\n"
             "  -b, --broker EP      broker request endpoint, e.g. tcp://127.0.0.1:7100\n"
             "      --serial PATH    lock-board serial device (overrides the config)\n"
             "      --scanner PATH   the citizens' scanner and keypad: codes arrive as lines\n"
             "                       (tty or FIFO); default: standard input\n"
             "      --staff-scanner PATH\n"
             "                       the staff reader (tty or FIFO): the only place a staff\n"
             "                       badge is taken; without it staff deposit from a terminal\n"
             "      --frames DIR     the camera's frames: PNG files decoded with ZBar, newest\n"
             "                       first (older ones are dropped); write each as x.tmp and\n"
             "                       rename it x.png when whole; only regular files are read\n"
             "      --keep-frames N  keep the last N read frames as *.done (default 0: delete)\n"
             "      --json           screen messages as JSON lines\n"
             "      --key FILE       the cabinet's CURVE keypair (enrolled as role vault)\n"
             "      --server-key K   the broker's public key or key file\n"
             "  -h, --help           this help\n"
             "\n"
             "Staff badges (with --config and --data, beside a running vault; run them as the\n"
             "vault's user):\n"
             "      --enrol-badge NAME\n"
             "                       enrol a badge for NAME: reads the holder's staff PIN\n"
             "                       (6 to 12 digits) from standard input, prints the badge's\n"
             "                       code once (print it as a QR code: it is kept nowhere);\n"
             "                       DIR/badges.json keeps its id and hashes only; the first\n"
             "                       enrolment makes the badge key DIR/badge.key (0600)\n"
             "      --qr PNG         with --enrol-badge: also write the badge's QR code to PNG\n"
             "      --revoke-badge ID\n"
             "                       revoke a badge: the running vault refuses it at once\n"
             "      --list-badges    the badges: id, holder, revoked (with --json: as JSON)\n"
             "\n"
             "Scanner lines: a pickup code (the QR text), or 4 characters when the screen asks\n"
             "for the second factor. Staff reader lines: a badge, then a case's QR code (slip\n"
             "or status page) to deposit it, or to recover it from its slot after the badge\n"
             "holder's PIN; a case number opens nothing. Wrong codes lock out the source they\n"
             "came from, not the others. See docs/CABINET.md (scanning, staff badges) and\n"
             "docs/LOCKBOARDS.md (boards).\n");
}

//  A source of lines: the citizens' scanner or the staff reader.
typedef struct {
    int fd;           //  -1 if none
    const char *path; //  NULL: stdin (the citizens' scanner) or none (the staff reader)
    vault_source_t source;
    char buf[1024];
    size_t len;
    bool skipping; //  the rest of an over-long line, already taken as one code
} s_reader_t;

static void
s_reader_open (s_reader_t *sc)
{
    if (!sc->path) {
        sc->fd = sc->source == VAULT_SRC_SCANNER ? STDIN_FILENO : -1;
        return;
    }
    //  O_RDWR on a FIFO keeps it open when the last writer leaves (no endless EOF).
    struct stat st;
    bool fifo = stat (sc->path, &st) == 0 && S_ISFIFO (st.st_mode);
    sc->fd = open (sc->path, (fifo ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (sc->fd < 0)
        log_error ("scanner: cannot open %s: %s", sc->path, strerror (errno));
}

//  Reads what is there; calls the core for each whole line. A line longer than the buffer
//  is one code (its head), not one per buffer's worth. 0, or -1 at end of input.
static int
s_reader_read (s_reader_t *sc, vault_core_t *core)
{
    ssize_t n = read (sc->fd, sc->buf + sc->len, sizeof sc->buf - 1 - sc->len);
    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    sc->len += (size_t)n;
    for (;;) {
        char *nl = memchr (sc->buf, '\n', sc->len);
        if (!nl) {
            if (sc->len == sizeof sc->buf - 1) {
                sc->buf[sc->len] = 0;
                if (!sc->skipping)
                    vault_core_input (core, sc->source, sc->buf);
                sc->skipping = true;
                sc->len = 0;
            }
            break;
        }
        *nl = 0;
        if (!sc->skipping)
            vault_core_input (core, sc->source, sc->buf);
        sc->skipping = false;
        size_t used = (size_t)(nl - sc->buf) + 1;
        memmove (sc->buf, sc->buf + used, sc->len - used);
        sc->len -= used;
    }
    return 0;
}

//  The control loop: lines, camera codes, and the board thread's news, until a signal.
static void
s_serve (vault_core_t *core, s_reader_t *readers, int nreaders, vault_camera_t *camera)
{
    while (!s_stop) {
        struct pollfd pfd[3];
        for (int i = 0; i < nreaders; i++)
            pfd[i] = (struct pollfd){readers[i].fd, POLLIN, 0};
        pfd[nreaders] = (struct pollfd){camera ? vault_camera_fd (camera) : -1, POLLIN, 0};
        int n = poll (pfd, (nfds_t)nreaders + 1, vault_core_wait_ms (core));
        for (int i = 0; i < nreaders && n > 0; i++) {
            s_reader_t *sc = &readers[i];
            if (sc->fd >= 0 && (pfd[i].revents & (POLLIN | POLLHUP)) &&
                s_reader_read (sc, core) != 0) {
                //  End of input: stdin closed, or a scanner unplugged. Carry on without it.
                if (sc->fd != STDIN_FILENO)
                    close (sc->fd);
                sc->fd = -1;
            }
        }
        if (n > 0 && (pfd[nreaders].revents & POLLIN)) {
            proto_qr_codes_t codes;
            if (vault_camera_take (camera, &codes) > 0)
                vault_core_codes (core, &codes);
        }
        vault_core_tick (core);
    }
}

static void
s_camera_summary (vault_camera_t *camera)
{
    vault_camera_stats_t st;
    vault_camera_stats (camera, &st);
    log_info ("camera: %llu frames decoded (%llu with codes), %llu stale dropped, %llu reads "
              "retried, %llu unreadable, %llu not regular files; decode max %lld ms",
              (unsigned long long)st.decoded, (unsigned long long)st.with_codes,
              (unsigned long long)st.stale, (unsigned long long)st.retried,
              (unsigned long long)st.unreadable, (unsigned long long)st.refused,
              (long long)st.decode_max_ms);
}

//  Opens the inputs (scanner paths NULL: stdin, and no staff reader; frames NULL: no camera)
//  and serves until a signal. 0, or 1 if the camera cannot be watched.
static int
s_run (vault_core_t *core, const char *scanner, const char *staff, const char *frames, int keep)
{
    s_reader_t readers[2] = {{.fd = -1, .path = scanner, .source = VAULT_SRC_SCANNER},
                             {.fd = -1, .path = staff, .source = VAULT_SRC_STAFF}};
    vault_camera_t *camera = frames ? vault_camera_new (frames, keep) : NULL;
    if (frames && !camera)
        return 1;
    s_reader_open (&readers[0]);
    s_reader_open (&readers[1]);
    s_serve (core, readers, 2, camera);
    if (camera)
        s_camera_summary (camera);
    vault_camera_destroy (&camera);
    for (int i = 0; i < 2; i++)
        if (readers[i].fd > STDIN_FILENO)
            close (readers[i].fd);
    return 0;
}

//  One line of standard input without its newline, with echo off on a terminal. 0 / -1.
static int
s_read_line (const char *prompt, char *out, size_t size)
{
    struct termios old, quiet;
    bool tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs (prompt, stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets (out, (int)size, stdin);
    if (tty) {
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
        fputc ('\n', stderr);
    }
    if (!got)
        return -1;
    out[strcspn (out, "\r\n")] = 0;
    return 0;
}

//  The badge's QR code as a PNG to print on the badge (8 pixels a module, quiet zone 4).
static int
s_badge_png (const char *code, const char *path)
{
    proto_qr_t qr;
    unsigned char *pixels = NULL;
    int size = 0;
    int rc = proto_qr_encode (code, &qr) == 0 && proto_qr_render (&qr, 8, 4, &pixels, &size) == 0
                 ? proto_png_write_gray (path, pixels, size, size)
                 : -1;
    free (pixels);
    proto_qr_free (&qr);
    return rc;
}

//  --enrol-badge, --revoke-badge, --list-badges: 0, or 1 with the reason on stderr.
static int
s_badge_command (char what, const char *arg, const char *config_path, const char *data,
                 const char *qr, bool json)
{
    char err[600] = "";
    static vault_config_t config;
    const vault_config_t *cfg = &config;
    if (vault_config_load (config_path, &config, err, sizeof err) != 0)
        goto fail;
    if (what == 'R') {
        if (vault_badge_revoke (data, arg, err, sizeof err) != 0)
            goto fail;
        printf ("badge %s revoked at cabinet %s\n", arg, cfg->id);
        return 0;
    }
    if (what == 'L') {
        json_t *list = vault_badge_list (data, err, sizeof err);
        if (!list)
            goto fail;
        if (json)
            json_dumpf (list, stdout, JSON_COMPACT);
        size_t i;
        json_t *b;
        json_array_foreach (list, i, b)
            if (!json)
                printf ("%s  %-20s  %s  %s\n", json_string_value (json_object_get (b, "id")),
                        json_string_value (json_object_get (b, "name")),
                        json_string_value (json_object_get (b, "cabinet")),
                        json_object_get (b, "revoked") ? "revoked" : "enrolled");
        if (json)
            putchar ('\n');
        json_decref (list);
        return 0;
    }
    char pin[64], again[64];
    if (s_read_line ("staff PIN (6-12 digits): ", pin, sizeof pin) != 0 ||
        (isatty (STDIN_FILENO) &&
         (s_read_line ("the same PIN again: ", again, sizeof again) != 0 || strcmp (pin, again)))) {
        snprintf (err, sizeof err, "no PIN, or the two differ: nothing enrolled");
        goto fail;
    }
    char code[VAULT_BADGE_CODE_LEN + 1];
    json_t *rec = vault_badge_enrol (data, cfg->id, arg, pin, code, err, sizeof err);
    if (!rec)
        goto fail;
    json_object_set_new (rec, "code", json_string (code));
    if (json) {
        json_dumpf (rec, stdout, JSON_COMPACT);
        putchar ('\n');
    } else
        printf ("badge %s enrolled for %s at cabinet %s; its code (print it as a QR code, it is "
                "kept nowhere):\n%s\n",
                json_string_value (json_object_get (rec, "id")), arg, cfg->id, code);
    json_decref (rec);
    if (qr && s_badge_png (code, qr) != 0) {
        snprintf (err, sizeof err, "cannot write the QR code to %s", qr);
        goto fail;
    }
    return 0;
fail:
    fprintf (stderr, "onewindow-vault: %s\n", err);
    return 1;
}

//  CURVE: the cabinet's keypair and the broker's public key, for every client. 0 / -1 (logged).
static int
s_keys (const char *key_path, const char *server_key)
{
    proto_keypair_t keys;
    char server[PROTO_KEY_Z85 + 1], err[512];
    if (!key_path || !server_key || proto_keys_load (key_path, &keys, err, sizeof err) != 0 ||
        proto_keys_public (server_key, server, err, sizeof err) != 0) {
        log_error ("keys: %s", key_path && server_key ? err : "--key and --server-key go together");
        return -1;
    }
    proto_curve_default (server, keys.public_key, keys.secret_key);
    return 0;
}

//  SIGINT and SIGTERM stop the loop; a reader gone away is not a reason to die.
static void
s_signals (void)
{
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
}

//  The lock boards' line, set up as the config says; NULL with the reason in `err`.
static vault_board_t *
s_board_open (const vault_config_t *config, char *err, size_t err_size)
{
    vault_board_t *board = vault_board_open (config->serial_path, config->baud,
                                             (vault_proto_t)config->protocol, err, err_size);
    if (board) {
        vault_board_set_timeout (board, config->timeout_ms, config->tries);
        vault_board_set_unlock_timeout (board, config->unlock_timeout_ms);
        for (int i = 0; i < config->nboards; i++)
            vault_board_set_board_locks (board, config->boards[i].board, config->boards[i].locks);
        vault_board_set_inverted (board, config->inverted);
    }
    return board;
}

int
main (int argc, char **argv)
{
    const char *config_path = NULL, *data = NULL, *broker_ep = NULL, *serial = NULL,
               *scanner = NULL, *staff_scanner = NULL, *frames = NULL;
    bool json = false;
    int keep_frames = 0;
    const char *key_path = NULL, *server_key = NULL, *badge_arg = NULL, *qr = NULL;
    char badge_cmd = 0;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"data", required_argument, NULL, 'd'},
        {"broker", required_argument, NULL, 'b'},
        {"serial", required_argument, NULL, 's'},
        {"scanner", required_argument, NULL, 'S'},
        {"staff-scanner", required_argument, NULL, 'T'},
        {"frames", required_argument, NULL, 'f'},
        {"keep-frames", required_argument, NULL, 'F'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 'K'},
        {"enrol-badge", required_argument, NULL, 'E'},
        {"revoke-badge", required_argument, NULL, 'R'},
        {"list-badges", no_argument, NULL, 'L'},
        {"qr", required_argument, NULL, 'Q'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long (argc, argv, "c:d:b:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config_path = optarg; break;
        case 'd': data = optarg; break;
        case 'b': broker_ep = optarg; break;
        case 's': serial = optarg; break;
        case 'S': scanner = optarg; break;
        case 'T': staff_scanner = optarg; break;
        case 'f': frames = optarg; break;
        case 'F':
            keep_frames = atoi (optarg);
            if (keep_frames < 0 || keep_frames > 100000 ||
                strspn (optarg, "0123456789") != strlen (optarg)) {
                fprintf (stderr, "onewindow-vault: --keep-frames takes 0..100000\n");
                return 2;
            }
            break;
        case 'j': json = true; break;
        case 'k': key_path = optarg; break;
        case 'K': server_key = optarg; break;
        case 'E':
        case 'R':
        case 'L':
            if (badge_cmd) {
                fprintf (stderr, "onewindow-vault: one badge command at a time\n");
                return 2;
            }
            badge_cmd = (char)ch;
            badge_arg = optarg;
            break;
        case 'Q': qr = optarg; break;
        case 'h': s_usage (stdout); return 0;
        default: s_usage (stderr); return 2;
        }
    }
    if (badge_cmd && config_path && data && optind == argc)
        return s_badge_command (badge_cmd, badge_arg, config_path, data, qr, json);
    if (badge_cmd) {
        fprintf (stderr, "onewindow-vault: badge commands take --config and --data (try --help)\n");
        return 2;
    }
    if (!config_path || !data || !broker_ep || optind < argc) {
        fprintf (stderr,
                 "onewindow-vault: --config, --data and --broker are required (try --help)\n");
        return 2;
    }
    proto_log_init ("vault", PROTO_LOG_INFO);
    static vault_config_t config;
    char err[512];
    if (vault_config_load (config_path, &config, err, sizeof err) != 0) {
        log_error ("config: %s", err);
        return 1;
    }
    if (serial)
        snprintf (config.serial_path, sizeof config.serial_path, "%s", serial);
    if ((key_path || server_key) && s_keys (key_path, server_key) != 0)
        return 1;
    s_signals ();

    int rc = 1;
    vault_store_t *store = vault_store_open (data);
    vault_board_t *board = store ? s_board_open (&config, err, sizeof err) : NULL;
    vault_badges_t *badges = board ? vault_badges_new (data, config.id, err, sizeof err) : NULL;
    if (board && !badges)
        log_error ("badges: %s", err);
    else if (badges && vault_badges_count (badges) == 0)
        log_info ("badges: none enrolled, the staff reader opens nothing (onewindow-vault "
                  "--enrol-badge NAME --config FILE --data DIR)");
    proto_client_t *client = badges ? proto_client_new (broker_ep) : NULL;
    vault_core_t *core = NULL;
    if (store && !board)
        log_error ("serial: %s", err);
    if (client) {
        //  Short: a citizen is waiting at the screen; without an answer, local records decide.
        proto_client_set_timeout (client, 700, 1);
        core = vault_core_new (&config, store, board, client, stdout, json);
        if (core)
            vault_core_set_badges (core, badges);
    }
    if (core) {
        log_info ("ready: cabinet %s (%s), %d slots, boards on %s, broker %s", config.id,
                  config.name, config.nslots, config.serial_path, broker_ep);
        rc = s_run (core, scanner, staff_scanner, frames, keep_frames);
        log_info ("stopping");
    }
    vault_core_destroy (&core);
    proto_client_destroy (&client);
    vault_badges_destroy (&badges);
    vault_board_close (&board);
    vault_store_destroy (&store);
    return rc;
}
