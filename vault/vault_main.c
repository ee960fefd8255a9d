/*  vault_main.c — onewindow-vault: the cabinet controller.

    onewindow-vault --config FILE --data DIR --broker EP [--serial PATH] [--scanner PATH]
                    [--frames DIR] [--json]

    Scanned codes arrive as lines (a barcode scanner that types the code and Enter, on a
    tty, a FIFO, or stdin) and as image files dropped into the frames directory (a camera's
    frames: PNG, decoded with ZBar; each file is renamed *.done once read). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_client.h"
#include "proto_keys.h"
#include "proto_log.h"
#include "proto_qr.h"
#include "vault_board.h"
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
             "      --scanner PATH   where scanned codes arrive as lines (tty or FIFO);\n"
             "                       default: standard input\n"
             "      --frames DIR     camera frames (PNG) to decode with ZBar\n"
             "      --json           screen messages as JSON lines\n"
             "      --key FILE       the cabinet's CURVE keypair (enrolled as role vault)\n"
             "      --server-key K   the broker's public key or key file\n"
             "  -h, --help           this help\n"
             "\n"
             "Input lines: a pickup code (the QR text), a staff badge (then a case's code to\n"
             "deposit or recover it), or 4 characters when the screen asks for the second\n"
             "factor. See docs/LOCKBOARDS.md for the boards and their simulator.\n");
}

typedef struct {
    int fd;           //  scanner input, -1 if none
    const char *path; //  NULL: stdin
    char buf[1024];
    size_t len;
} s_scanner_t;

static void
s_scanner_open (s_scanner_t *sc)
{
    if (!sc->path) {
        sc->fd = STDIN_FILENO;
        return;
    }
    //  O_RDWR on a FIFO keeps it open when the last writer leaves (no endless EOF).
    struct stat st;
    bool fifo = stat (sc->path, &st) == 0 && S_ISFIFO (st.st_mode);
    sc->fd = open (sc->path, (fifo ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (sc->fd < 0)
        log_error ("scanner: cannot open %s: %s", sc->path, strerror (errno));
}

//  Reads what is there; calls the core for each whole line. 0, or -1 at end of input.
static int
s_scanner_read (s_scanner_t *sc, vault_core_t *core)
{
    ssize_t n = read (sc->fd, sc->buf + sc->len, sizeof sc->buf - 1 - sc->len);
    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    sc->len += (size_t)n;
    for (;;) {
        char *nl = memchr (sc->buf, '\n', sc->len);
        if (!nl && sc->len == sizeof sc->buf - 1)
            nl = sc->buf + sc->len - 1; //  an over-long line: take it as it is
        if (!nl)
            break;
        *nl = 0;
        vault_core_input (core, sc->buf);
        size_t used = (size_t)(nl - sc->buf) + 1;
        memmove (sc->buf, sc->buf + used, sc->len - used);
        sc->len -= used;
    }
    return 0;
}

//  Decodes every new PNG in the frames directory, oldest name first.
static void
s_frames (const char *dir, vault_core_t *core)
{
    DIR *d = opendir (dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir (d))) {
        size_t n = strlen (e->d_name);
        if (n < 5 || strcmp (e->d_name + n - 4, ".png") != 0)
            continue;
        char path[4096], done[4200];
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf (done, sizeof done, "%s.done", path);
        char text[1024];
        int len = proto_qr_decode_png (path, text, sizeof text);
        //  Out of the way first, so a frame is never read twice.
        if (rename (path, done) != 0)
            unlink (path);
        if (len > 0)
            vault_core_input (core, text);
        else
            log_warn ("frames: no QR code in %s", e->d_name);
    }
    closedir (d);
}

int
main (int argc, char **argv)
{
    const char *config_path = NULL, *data = NULL, *broker_ep = NULL, *serial = NULL,
               *scanner = NULL, *frames = NULL;
    bool json = false;
    const char *key_path = NULL, *server_key = NULL;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"data", required_argument, NULL, 'd'},
        {"broker", required_argument, NULL, 'b'},
        {"serial", required_argument, NULL, 's'},
        {"scanner", required_argument, NULL, 'S'},
        {"frames", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 'K'},
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
        case 'f': frames = optarg; break;
        case 'j': json = true; break;
        case 'k': key_path = optarg; break;
        case 'K': server_key = optarg; break;
        case 'h': s_usage (stdout); return 0;
        default: s_usage (stderr); return 2;
        }
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
    if (key_path || server_key) {
        proto_keypair_t keys;
        char server[PROTO_KEY_Z85 + 1];
        if (!key_path || !server_key || proto_keys_load (key_path, &keys, err, sizeof err) != 0 ||
            proto_keys_public (server_key, server, err, sizeof err) != 0) {
            log_error ("keys: %s",
                       key_path && server_key ? err : "--key and --server-key go together");
            return 1;
        }
        proto_curve_default (server, keys.public_key, keys.secret_key);
    }

    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);

    int rc = 1;
    vault_store_t *store = vault_store_open (data);
    vault_board_t *board = store
                               ? vault_board_open (config.serial_path, config.baud,
                                                   (vault_proto_t)config.protocol, err, sizeof err)
                               : NULL;
    if (board) {
        vault_board_set_timeout (board, config.timeout_ms, config.tries);
        vault_board_set_unlock_timeout (board, config.unlock_timeout_ms);
        for (int i = 0; i < config.nboards; i++)
            vault_board_set_board_locks (board, config.boards[i].board, config.boards[i].locks);
        vault_board_set_inverted (board, config.inverted);
    }
    proto_client_t *client = board ? proto_client_new (broker_ep) : NULL;
    vault_core_t *core = NULL;
    if (store && !board)
        log_error ("serial: %s", err);
    if (client) {
        //  Short: a citizen is waiting at the screen; without an answer, local records decide.
        proto_client_set_timeout (client, 700, 1);
        core = vault_core_new (&config, store, board, client, stdout, json);
    }
    if (core) {
        log_info ("ready: cabinet %s (%s), %d slots, boards on %s, broker %s", config.id,
                  config.name, config.nslots, config.serial_path, broker_ep);
        s_scanner_t sc = {.fd = -1, .path = scanner};
        s_scanner_open (&sc);
        while (!s_stop) {
            struct pollfd pfd = {sc.fd, POLLIN, 0};
            int n = poll (&pfd, sc.fd >= 0 ? 1 : 0, vault_core_wait_ms (core));
            if (n > 0 && (pfd.revents & (POLLIN | POLLHUP)) && s_scanner_read (&sc, core) != 0) {
                //  End of input: stdin closed, or a scanner unplugged. Carry on without it.
                if (sc.fd != STDIN_FILENO)
                    close (sc.fd);
                sc.fd = -1;
            }
            if (frames)
                s_frames (frames, core);
            vault_core_tick (core);
        }
        rc = 0;
        log_info ("stopping");
    }
    vault_core_destroy (&core);
    proto_client_destroy (&client);
    vault_board_close (&board);
    vault_store_destroy (&store);
    return rc;
}
