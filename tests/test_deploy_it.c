/*  test_deploy_it.c — the installed hall (issue 19): the store's schema version and the
    migration of a store the release before wrote (tests/fixtures/store-v0), the broker's
    readiness told to systemd, the systemd units (systemd-analyze verify, when the machine
    has it), onewindow-setup's first run and onewindow-backup's nightly copy and pruning.
    Real broker processes and the real scripts, in temp directories. */
#include <CUnit/CUnit.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker_store.h"
#include "proto_client.h"
#include "proto_json.h"
#include "proto_keys.h"
#include "test_util.h"
#include "tests.h"

//  Monday 2026-11-30 10:00 China time: the fixture's business day.
#define FIXTURE_T0      1796004000000LL
#define FIXTURE_WAITING "AKLCZBBO2T6BJMBDVBOVFK23RM" //  B001, waiting
#define FIXTURE_CASE    "BH01-20261130-0001"

//  The store's schema record as text ("" if there is none); -1 if it cannot be opened.
static int
s_schema_of (const char *dir, char *out, size_t size)
{
    broker_store_t *store = broker_store_open (dir, 0);
    if (!store)
        return -1;
    out[0] = 0;
    MDB_val v;
    if (broker_store_begin (store, false) == 0 &&
        broker_store_get (store, BROKER_DB_META, "schema", 6, &v) == 0 && v.mv_size < size) {
        memcpy (out, v.mv_data, v.mv_size);
        out[v.mv_size] = 0;
    }
    broker_store_abort (store);
    broker_store_destroy (&store);
    return 0;
}

//  Writes `text` as the store's schema record (a store of another version).
static void
s_set_schema (const char *dir, const char *text)
{
    broker_store_t *store = broker_store_open (dir, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    CU_ASSERT_EQUAL (broker_store_begin (store, true), 0);
    broker_store_put (store, BROKER_DB_META, "schema", 6, text, strlen (text));
    CU_ASSERT_EQUAL (broker_store_commit (store), 0);
    broker_store_destroy (&store);
}

static void
test_schema_new_store (void)
{
    char *dir = test_tmpdir ();
    char text[16], want[16];
    snprintf (want, sizeof want, "%d", BROKER_STORE_SCHEMA);
    CU_ASSERT_EQUAL (s_schema_of (dir, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL (text, want);
    //  Opened again, it stays as it is.
    CU_ASSERT_EQUAL (s_schema_of (dir, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL (text, want);
    test_rmtree (dir);
    free (dir);
}

static void
test_schema_newer_refused (void)
{
    char newer[16], text[16];
    snprintf (newer, sizeof newer, "%d", BROKER_STORE_SCHEMA + 1);
    //  A newer version, and an unreadable record.
    const char *records[] = {newer, "1x", ""};
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        char *dir = test_tmpdir ();
        s_set_schema (dir, records[i]);
        CU_ASSERT_EQUAL (s_schema_of (dir, text, sizeof text), -1);
        test_rmtree (dir);
        free (dir);
    }

    //  The broker says why and does not start.
    test_broker_t b;
    CU_ASSERT_EQUAL_FATAL (test_broker_start (&b, NULL, FIXTURE_T0), 0);
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    char data[700];
    snprintf (data, sizeof data, "%s/data", b.dir);
    s_set_schema (data, newer);
    CU_ASSERT_NOT_EQUAL (test_broker_restart (&b), 0);
    CU_ASSERT_FALSE (test_broker_alive (&b));
    char *log = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (log ? strstr (log, "a newer onewindow wrote it") : NULL);
    free (log);
    CU_ASSERT_EQUAL (s_schema_of (data, text, sizeof text), -1);
    test_broker_cleanup (&b);
}

//  A store the release before issue 19 wrote (no schema record) opens: migrated at start,
//  its tickets and cases served.
static void
test_schema_fixture_migrates (void)
{
    char config[600];
    char *hall = test_hall_copy (2025, 2026, config, sizeof config);
    CU_ASSERT_PTR_NOT_NULL_FATAL (hall);
    test_broker_t b;
    memset (&b, 0, sizeof b);
    snprintf (b.dir, sizeof b.dir, "%s", hall);
    snprintf (b.req, sizeof b.req, "ipc://%s/req", hall);
    snprintf (b.pub, sizeof b.pub, "ipc://%s/pub", hall);
    snprintf (b.log, sizeof b.log, "%s/broker.log", hall);
    snprintf (b.config, sizeof b.config, "%s", config);
    snprintf (b.clock, sizeof b.clock, "sim:%lld", FIXTURE_T0);
    char cmd[2048], data[700], text[16];
    snprintf (data, sizeof data, "%s/data", hall);
    snprintf (cmd, sizeof cmd, "mkdir '%s' && cp '%s' '%s/'", data,
              test_src ("tests/fixtures/store-v0/data.mdb"), data);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL_FATAL (st, 0);
    CU_ASSERT_EQUAL_FATAL (test_broker_restart (&b), 0);

    proto_client_t *c = test_client (&b);
    int code;
    json_t *r =
        test_call (c, "ticket.status", json_pack ("{s:s}", "token", FIXTURE_WAITING), &code);
    CU_ASSERT_EQUAL (code, 0);
    json_t *t = json_object_get (r, "ticket");
    CU_ASSERT_STRING_EQUAL (proto_str (t, "number"), "B001");
    CU_ASSERT_STRING_EQUAL (proto_str (t, "state"), "waiting");
    json_decref (r);
    r = test_call (c, "case.get", json_pack ("{s:s}", "case_no", FIXTURE_CASE), &code);
    CU_ASSERT_EQUAL (code, 0);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "state"), "accepted");
    json_decref (r);
    //  The retry of a request the old store recorded (the kiosk's issue of A002, request id
    //  as the fixture holds it) gets its recorded reply, once its record was moved to
    //  schema 2's time order, and issues nothing.
    json_t *body = json_pack ("{s:s}", "service", "A");
    r = NULL;
    CU_ASSERT_EQUAL (
        proto_client_call_id (c, "ticket.issue", body, "1105cbb03e5c62f405ad0c8a3b5196d9", &r), 0);
    CU_ASSERT_STRING_EQUAL (r ? proto_str (r, "number") : "", "A002");
    json_decref (r);
    json_decref (body);
    //  Numbering goes on where the old store left it.
    r = test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), &code);
    CU_ASSERT_EQUAL (code, 0);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "number"), "A003");
    json_decref (r);
    proto_client_destroy (&c);
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);

    char *log = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (log ? strstr (log, "migrated from schema 0 to") : NULL);
    free (log);
    char want[16];
    snprintf (want, sizeof want, "%d", BROKER_STORE_SCHEMA);
    CU_ASSERT_EQUAL (s_schema_of (data, text, sizeof text), 0);
    CU_ASSERT_STRING_EQUAL (text, want);
    test_rmtree (hall);
    free (hall);
}

//  The next datagram on `fd` within `ms`, as text ("" if none came).
static void
s_recv (int fd, int ms, char *out, size_t size)
{
    out[0] = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll (&p, 1, ms) == 1) {
        ssize_t n = recv (fd, out, size - 1, 0);
        out[n > 0 ? n : 0] = 0;
    }
}

//  The broker tells $NOTIFY_SOCKET READY=1 once it serves and STOPPING=1 on SIGTERM: a
//  path socket, and an abstract one ("@name").
static void
test_sd_notify (void)
{
    for (int abstract = 0; abstract <= 1; abstract++) {
        char *dir = test_tmpdir ();
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        char env[100];
        if (abstract) {
            snprintf (env, sizeof env, "@onewindow-test-notify-%d", (int)getpid ());
            memcpy (addr.sun_path + 1, env + 1, strlen (env) - 1);
        } else {
            snprintf (env, sizeof env, "%s/notify", dir);
            memcpy (addr.sun_path, env, strlen (env) + 1);
        }
        int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        socklen_t len = (socklen_t)(offsetof (struct sockaddr_un, sun_path) + strlen (env));
        CU_ASSERT_EQUAL_FATAL (bind (fd, (struct sockaddr *)&addr, len), 0);
        setenv ("NOTIFY_SOCKET", env, 1);
        test_broker_t b;
        int rc = test_broker_start (&b, NULL, FIXTURE_T0);
        unsetenv ("NOTIFY_SOCKET");
        CU_ASSERT_EQUAL_FATAL (rc, 0);
        char msg[256];
        s_recv (fd, 5000, msg, sizeof msg);
        CU_ASSERT_PTR_NOT_NULL (strstr (msg, "READY=1"));
        CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
        s_recv (fd, 5000, msg, sizeof msg);
        CU_ASSERT_STRING_EQUAL (msg, "STOPPING=1");
        test_broker_cleanup (&b);
        close (fd);
        test_rmtree (dir);
        free (dir);
    }
}

//  systemd-analyze verify passes on every unit, with nothing to say, and each service has
//  the settings the hall relies on. The units name /usr/bin and /usr/sbin programs, which a
//  build machine need not have: a copy of them names the built ones instead.
static void
test_units_verify (void)
{
    static const char *services[] = {"onewindow-broker", "onewindow-web", "onewindow-vault"};
    static const char *settings[] = {"Restart=on-failure\n", "ProtectSystem=strict\n",
                                     "NoNewPrivileges=yes\n", "PrivateTmp=yes\n",
                                     "KillSignal=SIGTERM\n"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        char rel[100];
        snprintf (rel, sizeof rel, "systemd/%s.service", services[i]);
        char *unit = test_read_file (test_src (rel));
        CU_ASSERT_PTR_NOT_NULL_FATAL (unit);
        for (size_t j = 0; j < sizeof settings / sizeof settings[0]; j++)
            if (!strstr (unit, settings[j]))
                CU_FAIL_FATAL ("a service unit lacks a setting the hall relies on");
        free (unit);
    }
    char *broker = test_read_file (test_src ("systemd/onewindow-broker.service"));
    CU_ASSERT_PTR_NOT_NULL (broker ? strstr (broker, "Type=notify\n") : NULL);
    CU_ASSERT_PTR_NOT_NULL (broker ? strstr (broker, "StateDirectory=") : NULL);
    free (broker);

    int st;
    free (test_run ("command -v systemd-analyze >/dev/null", &st));
    if (st != 0) {
        printf ("\n    systemd-analyze not found: the units' syntax is not verified here "
                "(scripts/deb-check verifies the installed ones)\n    ");
        return;
    }
    char *dir = test_tmpdir ();
    char bin[600], units[600], backup[600], cmd[4096];
    snprintf (bin, sizeof bin, "%s", test_bin ("onewindow-broker"));
    *strrchr (bin, '/') = 0;
    snprintf (units, sizeof units, "%s", test_src ("systemd"));
    snprintf (backup, sizeof backup, "%s", test_src ("scripts/onewindow-backup"));
    snprintf (cmd, sizeof cmd,
              "cd '%s' && for f in '%s'/*.service '%s'/*.timer; do sed -e 's|/usr/bin/|%s/|' "
              "-e 's|/usr/sbin/onewindow-backup|%s|' \"$f\" > \"$(basename \"$f\")\"; done && "
              "systemd-analyze verify --man=no *.service *.timer 2>&1",
              dir, units, units, bin, backup);
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_STRING_EQUAL (out ? out : "(none)", "");
    if (st != 0 || (out && *out))
        fprintf (stderr, "systemd-analyze verify said:\n%s\n", out ? out : "");
    free (out);
    test_rmtree (dir);
    free (dir);
}

//  Every man page (man/NAME.SECTION.in through man/mkman, with the built program's --help)
//  renders without a warning, and a program's page holds its --help's first line.
static void
test_man_pages (void)
{
    int st;
    free (test_run ("command -v man >/dev/null", &st));
    if (st != 0) {
        printf ("\n    man not found: the pages are not rendered here\n    ");
        return;
    }
    char bin[600], src[600], cmd[4096];
    snprintf (bin, sizeof bin, "%s", test_bin ("onewindow"));
    *strrchr (bin, '/') = 0;
    snprintf (src, sizeof src, "%s", test_src ("."));
    char *dir = test_tmpdir ();
    //  For each page: its --help (a program's, else a script's, else none), the page, then
    //  man's warnings, and whether the page shows the help's first line.
    snprintf (cmd, sizeof cmd,
              "cd '%s' && out='%s' && n=0 && for t in man/*.in; do page=$(basename \"$t\" .in); "
              "p=${page%%.*}; h=; if [ -x '%s'/$p ]; then h=\"%s/$p --help\"; "
              "elif [ -x scripts/$p ]; then h=\"scripts/$p --help\"; fi; "
              "man/mkman \"$t\" 0.test $h > \"$out/$page\" || echo \"$page: mkman failed\"; "
              "LANG=C.UTF-8 MANWIDTH=80 man --warnings -l \"$out/$page\" 2>&1 >\"$out/$page.txt\" "
              "| sed \"s|^|$page: |\"; grep -q . \"$out/$page.txt\" || echo \"$page: empty\"; "
              "if [ -n \"$h\" ]; then first=$($h | head -1 | tr -s ' '); "
              "tr -s ' ' < \"$out/$page.txt\" | grep -qF -- \"$first\" || "
              "echo \"$page: no '$first'\"; fi; n=$((n+1)); done; echo \"pages: $n\"",
              src, dir, bin, bin);
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    //  Twelve pages: seven programs and two scripts, three config formats.
    CU_ASSERT_STRING_EQUAL (out ? out : "", "pages: 12\n");
    if (out && strcmp (out, "pages: 12\n") != 0)
        fprintf (stderr, "man pages:\n%s\n", out);
    free (out);
    test_rmtree (dir);
    free (dir);
}

//  The environment that points the scripts at a temp hall instead of /etc and /var.
static void
s_script_env (char *out, size_t size, const char *root)
{
    char bin[600];
    snprintf (bin, sizeof bin, "%s", test_bin ("onewindow"));
    *strrchr (bin, '/') = 0;
    snprintf (out, size,
              "PATH='%s':\"$PATH\" ONEWINDOW_ETC='%s/etc' ONEWINDOW_STATE='%s/state' "
              "ONEWINDOW_SHARE='%s' ONEWINDOW_USER=\"$(id -un)\" ONEWINDOW_CONF='%s/ow.conf' "
              "ONEWINDOW_KEY='%s/etc/keys/backup.key' "
              "ONEWINDOW_SERVER_KEY='%s/etc/keys/broker.pub'",
              bin, root, root, test_src ("etc"), root, root, root);
}

//  A broker on the hall onewindow-setup made in `root`, with its keys; the process speaks
//  as the first administrator.
static int
s_start_setup_hall (test_broker_t *b, const char *root)
{
    memset (b, 0, sizeof *b);
    snprintf (b->dir, sizeof b->dir, "%s/state/broker-run", root);
    mkdir (b->dir, 0750);
    snprintf (b->req, sizeof b->req, "ipc://%s/req", root);
    snprintf (b->pub, sizeof b->pub, "ipc://%s/pub", root);
    snprintf (b->log, sizeof b->log, "%s/broker.log", root);
    snprintf (b->config, sizeof b->config, "%s/etc/hall.json", root);
    snprintf (b->clock, sizeof b->clock, "sim:%lld", FIXTURE_T0);
    snprintf (b->key, sizeof b->key, "%s/etc/keys/broker.key", root);
    //  The store setup enrolled the devices in, where the broker looks (DIR/data).
    char cmd[1400];
    snprintf (cmd, sizeof cmd, "ln -s '%s/state/broker' '%s/data'", root, b->dir);
    int st;
    free (test_run (cmd, &st));
    char path[700], err[300], broker[64];
    proto_keypair_t admin;
    snprintf (path, sizeof path, "%s/etc/keys/broker.pub", root);
    if (st != 0 || proto_keys_public (path, broker, err, sizeof err) != 0)
        return -1;
    snprintf (path, sizeof path, "%s/etc/keys/admin.key", root);
    if (proto_keys_load (path, &admin, err, sizeof err) != 0)
        return -1;
    proto_curve_default (broker, admin.public_key, admin.secret_key);
    return test_broker_restart (b);
}

//  onewindow-setup: the keys, the first devices enrolled, a config the broker starts from
//  with the installed calendar; a second run refuses. Then onewindow-backup copies the
//  store and prunes only its own old copies, and removes nothing when the copy fails.
static void
test_setup_and_backup (void)
{
    char *root = test_tmpdir ();
    char env[4096], cmd[8192];
    s_script_env (env, sizeof env, root);
    snprintf (cmd, sizeof cmd,
              "%s '%s' --id BH09 --name '测试&中心' --admin 王主任 --status-url "
              "http://hall.test/t/ 2>&1",
              env, test_src ("scripts/onewindow-setup"));
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    if (st != 0)
        fprintf (stderr, "onewindow-setup said:\n%s\n", out ? out : "");
    CU_ASSERT_PTR_NOT_NULL (out ? strstr (out, "onewindow admin enroll --role counter") : NULL);
    free (out);
    char path[700];
    struct stat sb;
    snprintf (path, sizeof path, "%s/etc/keys/admin.key", root);
    CU_ASSERT_TRUE (stat (path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    out = test_run (cmd, &st); //  again: refused, nothing changed
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out ? strstr (out, "set up already") : NULL);
    free (out);

    test_broker_t b;
    if (s_start_setup_hall (&b, root) != 0) {
        CU_FAIL ("the broker does not start on the hall onewindow-setup made");
        proto_curve_default (NULL, NULL, NULL);
        test_broker_cleanup (&b);
        test_rmtree (root);
        free (root);
        return;
    }
    proto_client_t *c = test_client (&b);
    int code;
    json_t *r = test_call (c, "hall.info", NULL, &code);
    CU_ASSERT_EQUAL (code, 0);
    json_t *h = json_object_get (r, "hall");
    CU_ASSERT_STRING_EQUAL (proto_str (h, "name"), "测试&中心");
    CU_ASSERT_STRING_EQUAL (proto_str (h, "id"), "BH09");
    CU_ASSERT_STRING_EQUAL (proto_str (r, "status_url"), "http://hall.test/t/");
    json_decref (r);
    r = test_call (c, "device.list", NULL, &code);
    char *text = r ? json_dumps (r, 0) : NULL;
    CU_ASSERT_PTR_NOT_NULL (text ? strstr (text, "王主任") : NULL);
    CU_ASSERT_PTR_NOT_NULL (text ? strstr (text, "nightly-backup") : NULL);
    CU_ASSERT_PTR_NOT_NULL (text ? strstr (text, "web-gateway") : NULL);
    free (text);
    json_decref (r);
    proto_client_destroy (&c);

    //  The backups: two of its own old copies and a folder of someone else's.
    snprintf (cmd, sizeof cmd,
              "cd '%s' && mkdir backups backups/hall-20200101-000000 backups/hall-20261129-020000 "
              "backups/keep-me && touch -d '-30 days' backups/hall-20200101-000000 "
              "backups/keep-me && touch -d '-1 day' backups/hall-20261129-020000 && "
              "printf 'BACKUP_DIR=\"%s/backups\"\\nBACKUP_KEEP_DAYS=14\\nONEWINDOW_BROKER=%s\\n' "
              "> ow.conf",
              root, root, b.req);
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL_FATAL (st, 0);
    snprintf (cmd, sizeof cmd, "%s '%s' 2>&1 && ls '%s/backups'", env,
              test_src ("scripts/onewindow-backup"), root);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out ? strstr (out, "backup done") : NULL);
    CU_ASSERT_PTR_NULL (out ? strstr (out, "\nhall-20200101-000000") : "");
    CU_ASSERT_PTR_NOT_NULL (out ? strstr (out, "\nhall-20261129-020000") : NULL);
    CU_ASSERT_PTR_NOT_NULL (out ? strstr (out, "\nkeep-me") : NULL);
    free (out);
    snprintf (cmd, sizeof cmd, "ls -d '%s'/backups/hall-2*/data.mdb | wc -l", root);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (out ? atoi (out) : 0, 1); //  the new copy; the kept old one is empty
    free (out);

    //  The broker gone: the copy fails, and the old copies stay.
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    snprintf (cmd, sizeof cmd,
              "touch -d '-30 days' '%s'/backups/hall-20261129-020000 && %s ONEWINDOW='%s "
              "--timeout 300' '%s' 2>&1",
              root, env, test_bin ("onewindow"), test_src ("scripts/onewindow-backup"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out ? strstr (out, "no old copy was removed") : NULL);
    free (out);
    snprintf (path, sizeof path, "%s/backups/hall-20261129-020000", root);
    CU_ASSERT_EQUAL (access (path, F_OK), 0);

    proto_curve_default (NULL, NULL, NULL);
    test_broker_cleanup (&b);
    test_rmtree (root);
    free (root);
}

int
test_deploy_it_suite (void)
{
    CU_pSuite suite = CU_add_suite ("deploy_it", NULL, NULL);
    if (!suite ||
        !CU_add_test (suite, "store schema: a new store gets the version", test_schema_new_store) ||
        !CU_add_test (suite, "store schema: a newer or unreadable one is refused",
                      test_schema_newer_refused) ||
        !CU_add_test (suite, "store schema: the release before's store migrates and serves",
                      test_schema_fixture_migrates) ||
        !CU_add_test (suite, "sd_notify: READY=1 when serving, STOPPING=1 on SIGTERM",
                      test_sd_notify) ||
        !CU_add_test (suite, "systemd units: settings, systemd-analyze verify",
                      test_units_verify) ||
        !CU_add_test (suite, "man pages: rendered, each with its --help", test_man_pages) ||
        !CU_add_test (suite, "onewindow-setup, then onewindow-backup copies and prunes",
                      test_setup_and_backup))
        return -1;
    return 0;
}
