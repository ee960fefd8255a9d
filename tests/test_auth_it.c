/*  test_auth_it.c — only enrolled devices speak, each only in its role (CURVE + ZAP), and
    the hot backup restores to the same hall. Real broker processes, real keys. */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker_store.h"
#include "proto_client.h"
#include "proto_json.h"
#include "proto_keys.h"
#include "proto_mirror.h"
#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795827600000LL

static void
s_keygen (const char *dir, const char *name, proto_keypair_t *keys, char *path, size_t size)
{
    snprintf (path, size, "%s/%s.key", dir, name);
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (keys), 0);
    char err[300];
    CU_ASSERT_EQUAL_FATAL (proto_keys_save (keys, path, name, err, sizeof err), 0);
}

static void
s_enroll (const char *data, const char *role, const char *name, const char *key_path)
{
    char cmd[2048];
    snprintf (cmd, sizeof cmd, "'%s' --data '%s' --enroll '%s:%s:%s' 2>/dev/null",
              test_bin ("onewindow-broker"), data, role, name, key_path);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 0);
}

//  A client speaking with `keys` to a broker whose public key is `server`.
static proto_client_t *
s_client_as (const test_broker_t *b, const char *server, const proto_keypair_t *keys)
{
    proto_curve_default (server, keys->public_key, keys->secret_key);
    proto_client_t *c = proto_client_new (b->req);
    proto_client_set_timeout (c, 1500, 1);
    return c;
}

static int
s_code (proto_client_t *c, const char *command, json_t *body)
{
    int code;
    json_decref (test_call (c, command, body, &code));
    return code;
}

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  A client with the default timeouts (3 tries of 2.5 s) whose key the broker refuses is
//  told so within 3 s, with code key_refused and a message that contains `why`.
static void
s_assert_refused (proto_client_t *c, const char *why)
{
    int64_t start = s_now_ms ();
    CU_ASSERT_EQUAL (s_code (c, "hall.info", NULL), PROTO_CLIENT_UNREACHABLE);
    CU_ASSERT (s_now_ms () - start < 3000);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "key_refused");
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_client_message (c), why));
    CU_ASSERT_EQUAL (proto_client_exit_status (c, PROTO_CLIENT_UNREACHABLE), PROTO_EXIT_REFUSED);
    proto_client_set_timeout (c, 2500, 3);
}

//  The handshakes the broker `b` (public key `broker`, `kiosk` enrolled, `stranger` not)
//  refuses, each said at once: a key not enrolled, the wrong server key, no keys; and on
//  the command line, exit status 1.
static void
s_assert_refusals (const test_broker_t *b, const proto_keypair_t *broker_keys,
                   const proto_keypair_t *kiosk, const proto_keypair_t *stranger)
{
    //  A key nobody enrolled does not get through the handshake at all, and the client
    //  says so at once (its monitor sees the ZAP handler's 400), twice on one client.
    proto_client_t *c = s_client_as (b, broker_keys->public_key, stranger);
    proto_client_set_timeout (c, 2500, 3);
    s_assert_refused (c, "not enrolled, or was revoked");
    s_assert_refused (c, "not enrolled, or was revoked");
    proto_client_destroy (&c);
    //  Nor does a client that trusts the wrong server key (the broker drops its hello).
    c = s_client_as (b, stranger->public_key, kiosk);
    proto_client_set_timeout (c, 2500, 3);
    s_assert_refused (c, "not this broker's");
    proto_client_destroy (&c);
    //  Nor a client without CURVE.
    proto_curve_default (NULL, NULL, NULL);
    c = proto_client_new (b->req);
    s_assert_refused (c, "requires keys");
    proto_client_destroy (&c);
    //  The command line: exit status 1 (refused, not unreachable), the reason, within 3 s.
    char cmd[1500];
    snprintf (cmd, sizeof cmd,
              "env -u ONEWINDOW_KEY -u ONEWINDOW_SERVER_KEY '%s' --broker '%s' info 2>&1",
              test_bin ("onewindow"), b->req);
    int st;
    int64_t start = s_now_ms ();
    char *out = test_run (cmd, &st);
    CU_ASSERT (s_now_ms () - start < 3000);
    CU_ASSERT_EQUAL (st, PROTO_EXIT_REFUSED);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "requires keys: give --key and --server-key"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "[key_refused]"));
    free (out);
}

static void
test_roles_and_keys (void)
{
    char *dir = test_tmpdir ();
    proto_keypair_t broker, kiosk, counter, admin, stranger;
    char bpath[600], kpath[600], cpath[600], apath[600], spath[600], data[600];
    s_keygen (dir, "broker", &broker, bpath, sizeof bpath);
    s_keygen (dir, "kiosk", &kiosk, kpath, sizeof kpath);
    s_keygen (dir, "counter", &counter, cpath, sizeof cpath);
    s_keygen (dir, "admin", &admin, apath, sizeof apath);
    s_keygen (dir, "stranger", &stranger, spath, sizeof spath);

    test_broker_t b;
    test_broker_prepare (&b, dir, NULL, T0);
    snprintf (b.key, sizeof b.key, "%s", bpath);
    snprintf (data, sizeof data, "%s/data", dir);
    s_enroll (data, "kiosk", "取号机1", kpath);
    s_enroll (data, "counter", "窗口5", cpath);
    s_enroll (data, "admin", "管理员", apath);
    //  The readiness probe inside test_broker_restart needs a key that may send hall.info.
    proto_curve_default (broker.public_key, admin.public_key, admin.secret_key);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);

    //  An enrolled kiosk issues a ticket.
    proto_client_t *c = s_client_as (&b, broker.public_key, &kiosk);
    CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A")), PROTO_ERR_OK);
    //  ... but may not approve a case, nor log in a counter.
    CU_ASSERT_EQUAL (s_code (c, "case.approve", json_pack ("{s:s}", "case_no", "X")),
                     PROTO_ERR_FORBIDDEN);
    CU_ASSERT_EQUAL (s_code (c, "counter.login", json_pack ("{s:i}", "counter", 5)),
                     PROTO_ERR_FORBIDDEN);
    proto_client_destroy (&c);
    //  The counter may log in; it may not issue tickets.
    c = s_client_as (&b, broker.public_key, &counter);
    CU_ASSERT_EQUAL (s_code (c, "counter.login", json_pack ("{s:i}", "counter", 5)), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A")),
                     PROTO_ERR_FORBIDDEN);
    proto_client_destroy (&c);
    s_assert_refusals (&b, &broker, &kiosk, &stranger);

    //  The admin enrols the stranger as a kiosk; its next connection works.
    c = s_client_as (&b, broker.public_key, &admin);
    CU_ASSERT_EQUAL (s_code (c, "device.enroll",
                             json_pack ("{s:s, s:s, s:s}", "public_key", stranger.public_key,
                                        "role", "kiosk", "name", "取号机2")),
                     PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_code (c, "device.enroll",
                             json_pack ("{s:s, s:s, s:s}", "public_key", "not-a-key", "role",
                                        "kiosk", "name", "x")),
                     PROTO_ERR_BAD_FIELD);
    proto_client_t *k2 = s_client_as (&b, broker.public_key, &stranger);
    CU_ASSERT_EQUAL (s_code (k2, "ticket.issue", json_pack ("{s:s}", "service", "B")),
                     PROTO_ERR_OK);
    //  Revoked: its very next request on the same connection is refused.
    proto_curve_default (broker.public_key, admin.public_key, admin.secret_key);
    CU_ASSERT_EQUAL (s_code (c, "device.revoke", json_pack ("{s:s}", "device", "取号机2")),
                     PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_code (k2, "ticket.issue", json_pack ("{s:s}", "service", "B")),
                     PROTO_ERR_FORBIDDEN);
    proto_client_destroy (&k2);
    //  ... and a new connection with that key is refused in the handshake, said at once.
    k2 = s_client_as (&b, broker.public_key, &stranger);
    proto_client_set_timeout (k2, 2500, 3);
    s_assert_refused (k2, "not enrolled, or was revoked");
    proto_client_destroy (&k2);
    proto_curve_default (broker.public_key, admin.public_key, admin.secret_key);
    //  Events name the device that acted.
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (snap, "tickets")), 2);
    json_decref (snap);
    json_t *range = test_call (c, "events.range", json_pack ("{s:i}", "from", 1), NULL);
    bool named = false;
    int enrolled = 0;
    size_t i;
    json_t *e;
    json_array_foreach (json_object_get (range, "events"), i, e) {
        const char *topic = json_string_value (json_object_get (e, "topic"));
        const char *by = json_string_value (json_object_get (e, "by_device"));
        if (strcmp (topic, "ticket.issued") == 0 && by && strcmp (by, "取号机1") == 0)
            named = true;
        //  device.changed: the device it is about under "device", who acted under "by_device".
        json_t *about = json_object_get (e, "device");
        if (strcmp (topic, "device.changed") == 0 && by && strcmp (by, "管理员") == 0 &&
            json_is_object (about) &&
            strcmp (json_string_value (json_object_get (about, "name")), "取号机2") == 0 &&
            strcmp (json_string_value (json_object_get (about, "public")), stranger.public_key) ==
                0)
            enrolled++;
    }
    CU_ASSERT_TRUE (named);
    CU_ASSERT_EQUAL (enrolled, 2); //  enroll, then revoke
    json_decref (range);
    proto_client_destroy (&c);
    //  The refusals are in the broker's log.
    char *log = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (log && strstr (log, "refused a connection"));
    CU_ASSERT_PTR_NOT_NULL (log && strstr (log, "refused case.approve"));
    free (log);
    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    free (dir);
}

static void
test_insecure_only_local (void)
{
    char *dir = test_tmpdir ();
    char cmd[2048];
    snprintf (
        cmd, sizeof cmd,
        "'%s' --config '%s' --data '%s/d' --bind tcp://0.0.0.0:0 --pub ipc://%s/p --insecure 2>&1",
        test_bin ("onewindow-broker"), test_src ("etc/hall.example.json"), dir, dir);
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--insecure is allowed only on local endpoints"));
    free (out);
    //  And without either --key or --insecure it does not start.
    snprintf (cmd, sizeof cmd,
              "'%s' --config '%s' --data '%s/d' --bind ipc://%s/r --pub ipc://%s/p 2>&1",
              test_bin ("onewindow-broker"), test_src ("etc/hall.example.json"), dir, dir, dir);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--key"));
    free (out);
    test_rmtree (dir);
    free (dir);
}

//  A device with keys against a broker that runs without them is told to leave them out; the
//  same client, once it drops its keys, gets through (a refusal is not remembered).
static void
test_keys_to_insecure (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_keypair_t broker, kiosk;
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (&broker), 0);
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (&kiosk), 0);
    proto_curve_default (broker.public_key, kiosk.public_key, kiosk.secret_key);
    proto_client_t *c = proto_client_new (b.req);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    //  (Which of the two messages depends on whether the client read the broker's greeting
    //  before the broker closed.)
    s_assert_refused (c, "--insecure");
    proto_curve_default (NULL, NULL, NULL);
    CU_ASSERT_EQUAL (s_code (c, "hall.info", NULL), PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "ok");
    proto_client_destroy (&c);
    //  A broker that is not running is still "unreachable" (exit status 3), not refused.
    test_broker_stop (&b, SIGTERM);
    c = proto_client_new (b.req);
    proto_client_set_timeout (c, 300, 2);
    CU_ASSERT_EQUAL (s_code (c, "hall.info", NULL), PROTO_CLIENT_UNREACHABLE);
    CU_ASSERT_STRING_EQUAL (proto_client_code (c), "unreachable");
    CU_ASSERT_EQUAL (proto_client_exit_status (c, PROTO_CLIENT_UNREACHABLE),
                     PROTO_EXIT_UNREACHABLE);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

static void
test_backup_restore (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    for (int i = 0; i < 5; i++)
        json_decref (test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "C"), NULL));
    char backup[700];
    snprintf (backup, sizeof backup, "%s/backup", b.dir);
    int code;
    json_decref (test_call (c, "admin.backup", json_pack ("{s:s}", "dir", backup), &code));
    CU_ASSERT_EQUAL (code, 0);
    //  Wait for the copy (a thread of the broker's): poll its status, bounded.
    json_t *st = NULL;
    for (int i = 0; i < 200; i++) {
        json_decref (st);
        st = test_call (c, "admin.backup_status", NULL, NULL);
        if (strcmp (json_string_value (json_object_get (st, "state")), "running") != 0)
            break;
    }
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (st, "state")), "done");
    json_decref (st);
    //  A second backup into the same directory is refused (never overwrite).
    json_decref (test_call (c, "admin.backup", json_pack ("{s:s}", "dir", backup), &code));
    CU_ASSERT_EQUAL (code, PROTO_ERR_BAD_FIELD);
    //  Changes after the backup are not in it.
    json_decref (test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "C"), NULL));
    proto_client_destroy (&c);
    test_broker_stop (&b, SIGTERM);
    //  Restore: the backup's data.mdb replaces the store's (docs/OPERATIONS.md).
    char cmd[2000];
    snprintf (cmd, sizeof cmd, "cp '%s/data.mdb' '%s/data/data.mdb' && rm -f '%s/data/lock.mdb'",
              backup, b.dir, b.dir);
    int rc;
    free (test_run (cmd, &rc));
    CU_ASSERT_EQUAL_FATAL (rc, 0);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    c = test_client (&b);
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (snap, "tickets")), 5);
    json_decref (snap);
    json_t *t = test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "C"), NULL);
    //  The next number continues from the backup's state: C006 (the lost C006 was never
    //  restored; a restore rewinds the hall to the moment of the backup).
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (t, "number")), "C006");
    json_decref (t);
    proto_client_destroy (&c);
    test_broker_cleanup (&b);
}

//  A loopback TCP port that is free now, for a broker that must be reached over TCP.
static int
s_tcp_port (void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket (AF_INET, SOCK_STREAM, 0), port = 0;
    if (bind (fd, (struct sockaddr *)&a, len) == 0 &&
        getsockname (fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs (a.sin_port);
    close (fd);
    return port;
}

//  A CURVE broker in `dir` with an admin enrolled (its keys in *admin, the broker's in
//  *broker), its requests on TCP `port`; started with the descriptor limit `nofile` (as a
//  service manager's default of 1,024 would give it; the hard limit stays).
static void
s_tcp_broker (test_broker_t *b, const char *dir, int port, rlim_t nofile, proto_keypair_t *broker,
              proto_keypair_t *admin)
{
    char bpath[600], apath[600], data[600];
    s_keygen (dir, "broker", broker, bpath, sizeof bpath);
    s_keygen (dir, "admin", admin, apath, sizeof apath);
    memset (b, 0, sizeof *b);
    snprintf (b->dir, sizeof b->dir, "%s", dir);
    snprintf (b->req, sizeof b->req, "tcp://127.0.0.1:%d", port);
    snprintf (b->pub, sizeof b->pub, "ipc://%s/pub", dir);
    snprintf (b->log, sizeof b->log, "%s/broker.log", dir);
    snprintf (b->config, sizeof b->config, "%s", test_src ("etc/hall.example.json"));
    snprintf (b->clock, sizeof b->clock, "sim:%lld", T0);
    snprintf (b->key, sizeof b->key, "%s", bpath);
    snprintf (data, sizeof data, "%s/data", dir);
    s_enroll (data, "admin", "管理员", apath);
    proto_curve_default (broker->public_key, admin->public_key, admin->secret_key);
    struct rlimit old, low;
    getrlimit (RLIMIT_NOFILE, &old);
    low = old;
    low.rlim_cur = nofile < old.rlim_cur ? nofile : old.rlim_cur;
    setrlimit (RLIMIT_NOFILE, &low);
    int rc = test_broker_restart (b);
    setrlimit (RLIMIT_NOFILE, &old);
    CU_ASSERT_FATAL (rc == 0);
}

//  Opens `n` TCP connections to `port` that never say a word, their descriptors into
//  `fds`: 50 at a time, so the broker's accept queue takes them all in (a connection the
//  queue dropped would never reach it, as its client sends nothing). The number opened.
static int
s_idle_flood (int port, int *fds, int n)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons ((uint16_t)port),
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    int opened = 0;
    for (int i = 0; i < n; i++) {
        fds[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fds[i] < 0)
            break;
        if (connect (fds[i], (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
            close (fds[i]);
            fds[i] = -1;
            break;
        }
        if (++opened % 50 == 0)
            usleep (20 * 1000);
    }
    return opened;
}

//  How many of the `n` connections in `fds` the broker has closed (a read sees the end).
static int
s_closed (const int *fds, int n)
{
    int closed = 0;
    for (int i = 0; i < n; i++) {
        struct pollfd p = {fds[i], POLLIN, 0};
        char byte;
        if (fds[i] >= 0 && poll (&p, 1, 0) == 1 && recv (fds[i], &byte, 1, MSG_DONTWAIT) <= 0)
            closed++;
    }
    return closed;
}

//  Waits until at least `want` of the connections are closed, or `deadline` (s_now_ms)
//  passes. The number closed.
static int
s_wait_closed (const int *fds, int n, int want, int64_t deadline)
{
    int closed = s_closed (fds, n);
    while (closed < want && s_now_ms () < deadline) {
        usleep (100 * 1000);
        closed = s_closed (fds, n);
    }
    return closed;
}

static void
test_idle_flood (void)
{
    //  This process needs 1,100 descriptors and more.
    struct rlimit lim;
    getrlimit (RLIMIT_NOFILE, &lim);
    if (lim.rlim_max < 2400) {
        fprintf (stderr, "(skipped: the hard descriptor limit is %llu)",
                 (unsigned long long)lim.rlim_max);
        return;
    }
    rlim_t own = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    setrlimit (RLIMIT_NOFILE, &lim);
    char *dir = test_tmpdir ();
    proto_keypair_t broker, admin;
    test_broker_t b;
    int port = s_tcp_port ();
    s_tcp_broker (&b, dir, port, 1024, &broker, &admin);
    //  1,100 connections that never handshake, then a device: its answer comes at once, not
    //  after the flood's handshakes time out (nor never, while a flood is renewed).
    static int fds[1100];
    int64_t flood = s_now_ms ();
    CU_ASSERT_EQUAL (s_idle_flood (port, fds, 1100), 1100);
    usleep (300 * 1000);
    proto_client_t *c = s_client_as (&b, broker.public_key, &admin);
    proto_client_set_timeout (c, 3000, 2);
    int64_t start = s_now_ms ();
    CU_ASSERT_EQUAL (s_code (c, "hall.info", NULL), PROTO_ERR_OK);
    CU_ASSERT (s_now_ms () - start < 5000); //  before any of the flood's handshakes ends
    //  A second device while the flood still stands.
    proto_client_destroy (&c);
    c = s_client_as (&b, broker.public_key, &admin);
    proto_client_set_timeout (c, 3000, 2);
    CU_ASSERT_EQUAL (s_code (c, "hall.snapshot", NULL), PROTO_ERR_OK);
    proto_client_destroy (&c);
    //  One peer may keep only a few connections waiting for their handshake: within a
    //  second or two the broker has closed all but BROKER_NET_PER_PEER (32) of the silent
    //  ones, and the rest when their handshake interval (5 s) ends.
    int64_t after = s_now_ms ();
    CU_ASSERT (s_wait_closed (fds, 1100, 1100 - 32, after + 4000) >= 1100 - 32);
    CU_ASSERT_EQUAL (s_wait_closed (fds, 1100, 1100, flood + 5000 + 3000), 1100);
    for (int i = 0; i < 1100; i++)
        if (fds[i] >= 0)
            close (fds[i]);
    CU_ASSERT_TRUE (test_broker_alive (&b));
    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    free (dir);
    lim.rlim_cur = own;
    setrlimit (RLIMIT_NOFILE, &lim);
}

//  A SUB to `endpoint` with the current CURVE keys (proto_curve_default), on everything.
static void *
s_curve_sub (void *ctx, const char *endpoint)
{
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    CU_ASSERT_EQUAL (proto_curve_apply (sub), 0);
    CU_ASSERT_EQUAL (zmq_connect (sub, endpoint), 0);
    return sub;
}

//  The journaled events `sub` receives within `ms` (hall.estimates, which is not one, aside).
static int
s_sub_events (void *sub, int ms)
{
    int events = 0;
    int64_t end = s_now_ms () + ms;
    for (int64_t left = ms; left > 0; left = end - s_now_ms ()) {
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, (long)left) <= 0)
            break;
        char topic[64] = "";
        int n = zmq_recv (sub, topic, sizeof topic - 1, 0);
        topic[n > 0 && n < (int)sizeof topic ? n : 0] = 0;
        int more = 1;
        size_t len = sizeof more;
        while (zmq_getsockopt (sub, ZMQ_RCVMORE, &more, &len) == 0 && more) {
            zmq_msg_t m;
            zmq_msg_init (&m);
            zmq_msg_recv (&m, sub, 0);
            zmq_msg_close (&m);
        }
        events += strcmp (topic, "hall.estimates") != 0;
    }
    return events;
}

//  Polls `mirror` until it has applied event `seq`, for at most `ms`. Its sequence then.
static uint64_t
s_mirror_until (proto_mirror_t *mirror, uint64_t seq, int ms)
{
    int64_t end = s_now_ms () + ms;
    while (proto_mirror_seq (mirror) < seq && s_now_ms () < end)
        proto_mirror_poll (mirror, 100);
    return proto_mirror_seq (mirror);
}

static void
test_revoked_subscriber (void)
{
    char *dir = test_tmpdir ();
    proto_keypair_t broker, admin, board, kiosk;
    char bpath[600], apath[600], opath[600], kpath[600], data[600];
    s_keygen (dir, "broker", &broker, bpath, sizeof bpath);
    s_keygen (dir, "admin", &admin, apath, sizeof apath);
    s_keygen (dir, "board", &board, opath, sizeof opath);
    s_keygen (dir, "kiosk", &kiosk, kpath, sizeof kpath);
    test_broker_t b;
    test_broker_prepare (&b, dir, NULL, T0);
    snprintf (b.key, sizeof b.key, "%s", bpath);
    snprintf (data, sizeof data, "%s/data", dir);
    s_enroll (data, "admin", "管理员", apath);
    s_enroll (data, "board", "叫号屏1", opath);
    s_enroll (data, "kiosk", "取号机9", kpath);
    proto_curve_default (broker.public_key, admin.public_key, admin.secret_key);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    //  The kiosk subscribes while it is enrolled; the board keeps a mirror.
    void *ctx = zmq_ctx_new ();
    proto_curve_default (broker.public_key, kiosk.public_key, kiosk.secret_key);
    void *sub = s_curve_sub (ctx, b.pub);
    proto_curve_default (broker.public_key, board.public_key, board.secret_key);
    proto_mirror_t *mirror = proto_mirror_new (b.req, b.pub);
    CU_ASSERT_EQUAL_FATAL (proto_mirror_start (mirror), 0);
    proto_curve_default (broker.public_key, admin.public_key, admin.secret_key);
    proto_client_t *c = s_client_as (&b, broker.public_key, &admin);
    int seen = 0;
    for (int i = 0; i < 20 && !seen; i++) {
        CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "A")), 0);
        seen = s_sub_events (sub, 200);
    }
    CU_ASSERT_TRUE_FATAL (seen);
    //  Revoked: whatever was under way may still arrive, then nothing more.
    CU_ASSERT_EQUAL (s_code (c, "device.revoke", json_pack ("{s:s}", "device", "取号机9")), 0);
    s_sub_events (sub, 500);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "B")), 0);
    CU_ASSERT_EQUAL (s_sub_events (sub, 2000), 0);
    //  The board's stream goes on: its mirror has every event and every ticket.
    json_t *snap = test_call (c, "hall.snapshot", NULL, NULL);
    uint64_t last = (uint64_t)json_integer_value (json_object_get (snap, "seq"));
    CU_ASSERT_EQUAL (s_mirror_until (mirror, last, 5000), last);
    CU_ASSERT_EQUAL (json_object_size (json_object_get (proto_mirror_state (mirror), "tickets")),
                     json_array_size (json_object_get (snap, "tickets")));
    json_decref (snap);
    //  ... and it kept it after a ticket more (its connection was made again and admitted).
    CU_ASSERT_EQUAL (s_code (c, "ticket.issue", json_pack ("{s:s}", "service", "B")), 0);
    CU_ASSERT_EQUAL (s_mirror_until (mirror, last + 1, 5000), last + 1);
    char *log = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (log &&
                            strstr (log, "every subscriber disconnected after a revocation"));
    CU_ASSERT_PTR_NOT_NULL (log && strstr (log, kiosk.public_key));
    free (log);
    proto_mirror_destroy (&mirror);
    proto_client_destroy (&c);
    zmq_close (sub);
    zmq_ctx_term (ctx);
    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    free (dir);
}

//  Appends `events` (JSON texts, in order) to the journal of the store in `data` (the
//  broker stopped), as a journal written before names were masked holds them. The first
//  one's sequence number.
static json_int_t
s_journal_append (const char *data, const char **events, int n)
{
    broker_store_t *store = broker_store_open (data, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL_FATAL (broker_store_begin (store, true), 0);
    MDB_val k, v;
    uint64_t seq = broker_store_last (store, BROKER_DB_EVENTS, &k, &v) == 0
                       ? broker_key_u64_read (k.mv_data)
                       : 0;
    json_int_t first = (json_int_t)seq + 1;
    for (int i = 0; i < n; i++) {
        json_t *e = json_loads (events[i], 0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL (e);
        json_object_set_new (e, "seq", json_integer ((json_int_t)++seq));
        unsigned char key[8];
        broker_key_u64 (seq, key);
        CU_ASSERT_EQUAL (broker_store_put_json (store, BROKER_DB_EVENTS, key, 8, e), 0);
        json_decref (e);
    }
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    broker_store_destroy (&store);
    return first;
}

//  Events `from` .. `from` + `n` - 1 of the journal as `keys` may read them. Caller frees.
static json_t *
s_range_as (const test_broker_t *b, const char *server, const proto_keypair_t *keys,
            json_int_t from, int n)
{
    proto_client_t *c = s_client_as (b, server, keys);
    json_t *r =
        test_call (c, "events.range", json_pack ("{s:I, s:i}", "from", from, "limit", n), NULL);
    proto_client_destroy (&c);
    json_t *events = json_incref (json_object_get (r, "events"));
    json_decref (r);
    return events;
}

static void
test_range_by_role (void)
{
    char *dir = test_tmpdir ();
    proto_keypair_t broker, admin, office, board, web;
    char bpath[600], apath[600], opath[600], dpath[600], wpath[600], data[600];
    s_keygen (dir, "broker", &broker, bpath, sizeof bpath);
    s_keygen (dir, "admin", &admin, apath, sizeof apath);
    s_keygen (dir, "office", &office, opath, sizeof opath);
    s_keygen (dir, "board", &board, dpath, sizeof dpath);
    s_keygen (dir, "web", &web, wpath, sizeof wpath);
    test_broker_t b;
    test_broker_prepare (&b, dir, NULL, T0);
    snprintf (b.key, sizeof b.key, "%s", bpath);
    snprintf (data, sizeof data, "%s/data", dir);
    s_enroll (data, "admin", "管理员", apath);
    s_enroll (data, "office", "后台1", opath);
    s_enroll (data, "board", "叫号屏1", dpath);
    s_enroll (data, "web", "网关", wpath);
    //  A journal of before names were masked: an intake, a booking, a bad rating.
    const char *old[] = {
        "{\"topic\":\"case.accepted\",\"time\":1795827600000,\"intake\":true,\"case\":{"
        "\"case_no\":\"BH01-20261128-0001\",\"item\":\"biz_setup\",\"state\":\"accepted\","
        "\"applicant\":{\"name\":\"张三丰\",\"id_type\":\"resident_id\",\"id_number\":"
        "\"11010119900307451X\",\"phone\":\"13812345678\"},\"checks\":[],\"clerk\":\"李娜\","
        "\"proxies\":[{\"name\":\"王五六\",\"id_number\":\"110101198001011234\"}]}}",
        "{\"topic\":\"appointment.booked\",\"time\":1795827600000,\"appointment\":{\"service\":"
        "\"A\",\"date\":20261130,\"name\":\"赵小明\",\"phone\":\"13900001111\"}}",
        "{\"topic\":\"rating.bad\",\"time\":1795827600000,\"rectification\":{\"id\":1,\"level\":1,"
        "\"counter\":3,\"state\":\"open\",\"comment\":\"太慢了 请回电 13700002222\"}}",
    };
    json_int_t first = s_journal_append (data, old, 3);
    proto_curve_default (broker.public_key, admin.public_key, admin.secret_key);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    //  The back office (staff): every person there, masked.
    json_t *ev = s_range_as (&b, broker.public_key, &office, first, 3);
    CU_ASSERT_EQUAL_FATAL (json_array_size (ev), 3);
    json_t *applicant =
        json_object_get (json_object_get (json_array_get (ev, 0), "case"), "applicant");
    CU_ASSERT_STRING_EQUAL (proto_str (applicant, "name"), "张*丰");
    CU_ASSERT_PTR_NULL (strstr (proto_str (applicant, "id_number"), "451X"));
    CU_ASSERT_STRING_EQUAL (proto_str (applicant, "phone"), "138****5678");
    json_t *proxy = json_array_get (
        json_object_get (json_object_get (json_array_get (ev, 0), "case"), "proxies"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (proxy, "name"), "王*六");
    CU_ASSERT_STRING_EQUAL (
        proto_str (json_object_get (json_array_get (ev, 1), "appointment"), "name"), "赵*明");
    CU_ASSERT_STRING_EQUAL (
        proto_str (json_object_get (json_array_get (ev, 1), "appointment"), "phone"),
        "139****1111");
    json_decref (ev);
    //  A board and the web gateway: the case and the booking without anyone in them.
    const proto_keypair_t *publics[] = {&board, &web};
    for (int i = 0; i < 2; i++) {
        ev = s_range_as (&b, broker.public_key, publics[i], first, 3);
        CU_ASSERT_EQUAL_FATAL (json_array_size (ev), 3);
        char *text = json_dumps (ev, 0);
        CU_ASSERT_PTR_NULL (strstr (text, "张"));
        CU_ASSERT_PTR_NULL (strstr (text, "王"));
        CU_ASSERT_PTR_NULL (strstr (text, "赵"));
        CU_ASSERT_PTR_NULL (strstr (text, "1101"));
        CU_ASSERT_PTR_NULL (strstr (text, "5678"));
        CU_ASSERT_PTR_NULL (strstr (text, "1111"));
        CU_ASSERT_PTR_NULL (strstr (text, "2222"));
        CU_ASSERT_PTR_NULL (strstr (text, "李娜"));
        free (text);
        json_t *c = json_object_get (json_array_get (ev, 0), "case");
        CU_ASSERT_STRING_EQUAL (proto_str (c, "case_no"), "BH01-20261128-0001");
        CU_ASSERT_STRING_EQUAL (proto_str (c, "state"), "accepted");
        CU_ASSERT_EQUAL (json_integer_value (json_object_get (
                             json_object_get (json_array_get (ev, 2), "rectification"), "level")),
                         1);
        json_decref (ev);
    }
    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    free (dir);
}

int
test_auth_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("auth_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "only enrolled keys, each in its role; revocation at once; a refused key said",
                 test_roles_and_keys);
    CU_add_test (s, "--insecure only on local endpoints", test_insecure_only_local);
    CU_add_test (s, "keys given to an --insecure broker: said at once", test_keys_to_insecure);
    CU_add_test (s, "hot backup while serving, and restore", test_backup_restore);
    CU_add_test (s, "1,100 idle connections do not keep a device out", test_idle_flood);
    CU_add_test (s, "a revoked device's subscription ends; a board's stream goes on",
                 test_revoked_subscriber);
    CU_add_test (s, "events.range by role: staff read people masked, others not at all",
                 test_range_by_role);
    return 0;
}
