/*  test_district_it.c — the district (issue 16) against real processes: three brokers on
    different configs (the district hall and two town centres of etc/), each on a
    simulated clock, and bin/onewindow-district following them.

    - /api/district lists the three with live waiting counts equal to each hall's
      hall.snapshot; the district's stream gives every hall's events marked with the hall;
    - a hall's broker killed shows online:false within 10 s, with the age of its last
      event; restarted, it matches again;
    - the district killed (SIGKILL), tickets issued, the district restarted: its day
      totals equal the halls' own, nothing lost, nothing doubled;
    - the pages answer (wall, hall, report, CSV) and, with Chromium installed, are
      screenshotted at wall, desktop and phone sizes into build/test/artefacts/. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto_json.h"
#include "proto_keys.h"
#include "proto_text.h"
#include "proto_wire.h"
#include "test_case_it.h"
#include "test_util.h"
#include "tests.h"

#define T_MON  1795998600000LL //  Monday 2026-11-30 08:30 in the halls
#define NHALLS 3

static const char *const s_configs[NHALLS] = {
    "etc/hall.example.json", "etc/town-beitang.example.json", "etc/town-xingang.example.json"};
static const char *const s_ids[NHALLS] = {"BH01", "BT01", "XG01"};
static const char *const s_names[NHALLS] = {"滨海新区政务服务中心", "北塘街道便民服务中心",
                                            "新港街道便民服务中心"};

static struct {
    test_broker_t halls[NHALLS];
    proto_client_t *clients[NHALLS];
    char *dir; //  the district's config, data, log
    char config[700], events[700];
    pid_t pid;
    int port;
} s_d;

//  ---------------------------------------------------------------------------------------
//  The district process

//  Starts the district on the config DIR/district.json, its store in DIR/data, with the
//  keypair `key` (NULL: --insecure); its pid and HTTP port into *pid and *port. 0 / -1.
static int
s_spawn (const char *dir, const char *key, pid_t *pid, int *port)
{
    char config[700], data[700], log[700], out[700];
    snprintf (config, sizeof config, "%s/district.json", dir);
    snprintf (data, sizeof data, "%s/data", dir);
    snprintf (log, sizeof log, "%s/district.log", dir);
    snprintf (out, sizeof out, "%s/district.out", dir);
    unlink (out);
    *pid = fork ();
    if (*pid == 0) {
        int err = open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2 (err, STDERR_FILENO);
        dup2 (fd, STDOUT_FILENO);
        execl (test_bin ("onewindow-district"), "onewindow-district", "--config", config, "--data",
               data, "--http", "127.0.0.1:0", "--json", key ? "--key" : "--insecure", key,
               (char *)NULL);
        _exit (127);
    }
    //  The start line says the port (--http port 0: any free one).
    for (int i = 0; i < 300; i++) {
        char *line = test_read_file (out);
        json_t *j = line && strchr (line, '\n') ? json_loads (line, 0, NULL) : NULL;
        free (line);
        if (j) {
            *port = (int)proto_int (j, "http_port");
            json_decref (j);
            return *port > 0 ? 0 : -1;
        }
        if (waitpid (*pid, NULL, WNOHANG) == *pid)
            break;
        usleep (100 * 1000);
    }
    return -1;
}

static int
s_district_start (void)
{
    return s_spawn (s_d.dir, NULL, &s_d.pid, &s_d.port);
}

static void
s_district_kill (int sig)
{
    if (s_d.pid > 0) {
        kill (s_d.pid, sig);
        waitpid (s_d.pid, NULL, 0);
    }
    s_d.pid = 0;
}

//  GET `path` from the district at `port`: the status, the body into *body (caller frees).
static int
s_get_at (int port, const char *path, char **body)
{
    *body = NULL;
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons ((uint16_t)port)};
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (fd < 0 || connect (fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    char req[512];
    int n = snprintf (req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write (fd, req, (size_t)n) != n) {
        close (fd);
        return -1;
    }
    char *all = NULL;
    size_t len = 0;
    FILE *mem = open_memstream (&all, &len);
    char buf[8192];
    ssize_t got;
    while ((got = read (fd, buf, sizeof buf)) > 0)
        fwrite (buf, 1, (size_t)got, mem);
    fclose (mem);
    close (fd);
    int status = -1;
    sscanf (all, "HTTP/1.%*d %d", &status);
    char *sep = strstr (all, "\r\n\r\n");
    *body = strdup (sep ? sep + 4 : "");
    free (all);
    return status;
}

static int
s_get (const char *path, char **body)
{
    return s_get_at (s_d.port, path, body);
}

//  GET /api/district of the district at `port`, parsed; NULL if it did not answer 200
//  with JSON.
static json_t *
s_api_at (int port)
{
    char *body;
    int status = s_get_at (port, "/api/district", &body);
    json_t *j = status == 200 ? json_loads (body, 0, NULL) : NULL;
    free (body);
    return j;
}

static json_t *
s_api (void)
{
    return s_api_at (s_d.port);
}

static const json_t *
s_hall (const json_t *api, const char *id)
{
    size_t i;
    json_t *h;
    json_array_foreach (json_object_get (api, "halls"), i, h)
        if (strcmp (proto_str (h, "id"), id) == 0)
            return h;
    return NULL;
}

//  ---------------------------------------------------------------------------------------
//  The halls' own figures

//  Hall `i`'s people waiting, and today's tickets issued and served, from its snapshot.
static void
s_own (int i, json_int_t *waiting, json_int_t *issued, json_int_t *served)
{
    json_t *snap = cit_do (s_d.clients[i], "hall.snapshot", NULL, PROTO_ERR_OK);
    *waiting = *issued = *served = 0;
    size_t k;
    json_t *svc;
    json_array_foreach (json_object_get (snap, "services"), k, svc)
        *waiting += proto_int (svc, "waiting");
    const char *key;
    json_t *st;
    json_object_foreach (json_object_get (snap, "stats"), key, st) {
        *issued += proto_int (st, "issued");
        *served += proto_int (st, "served");
    }
    json_decref (snap);
}

//  Waits up to `timeout_ms` until the district shows every hall online with the waiting
//  count, and (with `totals`) the day's issued and served, of the hall's own snapshot.
static bool
s_matches (bool totals, int timeout_ms)
{
    int64_t until = proto_mono_ms () + timeout_ms;
    char why[256] = "";
    do {
        json_t *api = s_api ();
        int ok = 0;
        for (int i = 0; i < NHALLS && api; i++) {
            json_int_t waiting, issued, served;
            s_own (i, &waiting, &issued, &served);
            const json_t *h = s_hall (api, s_ids[i]);
            bool same = h && json_is_true (json_object_get (h, "online")) &&
                        proto_int (h, "waiting") == waiting &&
                        (!totals ||
                         (proto_int (h, "issued") == issued && proto_int (h, "served") == served));
            ok += same;
            if (!same)
                snprintf (why, sizeof why,
                          "%s: district waiting %lld issued %lld served %lld, hall %lld %lld %lld",
                          s_ids[i], (long long)proto_int (h, "waiting"),
                          (long long)proto_int (h, "issued"), (long long)proto_int (h, "served"),
                          (long long)waiting, (long long)issued, (long long)served);
        }
        json_decref (api);
        if (ok == NHALLS)
            return true;
        usleep (200 * 1000);
    } while (proto_mono_ms () < until);
    fprintf (stderr, "district_it: no match: %s\n", why);
    return false;
}

//  Issues `n` tickets of service B (every hall has it) at hall `i`.
static void
s_issue (int i, int n)
{
    for (int k = 0; k < n; k++)
        cit_ok (s_d.clients[i], "ticket.issue", json_pack ("{s:s}", "service", "B"));
}

//  Counter 1 of hall `i` serves the next ticket to its finish, five minutes later.
static void
s_serve_one (int i)
{
    proto_client_t *c = s_d.clients[i];
    cit_advance (c, 5 * 60 * 1000);
    cit_ok (c, "ticket.call_next", json_pack ("{s:i}", "counter", 1));
    cit_ok (c, "ticket.start", json_pack ("{s:i}", "counter", 1));
    cit_advance (c, 3 * 60 * 1000);
    cit_ok (c, "ticket.finish", json_pack ("{s:i}", "counter", 1));
}

//  ---------------------------------------------------------------------------------------
//  Setup

static int
s_setup (void)
{
    memset (&s_d, 0, sizeof s_d);
    s_d.dir = test_tmpdir ();
    if (!s_d.dir)
        return -1;
    json_t *halls = json_array ();
    for (int i = 0; i < NHALLS; i++) {
        if (test_broker_start (&s_d.halls[i], test_src (s_configs[i]), T_MON) != 0)
            return -1;
        s_d.clients[i] = test_client (&s_d.halls[i]);
        json_array_append_new (halls,
                               json_pack ("{s:s, s:s, s:s, s:s, s:s}", "id", s_ids[i], "name",
                                          s_names[i], "kind", i ? "town_centre" : "district_hall",
                                          "request", s_d.halls[i].req, "events", s_d.halls[i].pub));
    }
    snprintf (s_d.events, sizeof s_d.events, "ipc://%s/district.events", s_d.dir);
    json_t *cfg = json_pack ("{s:{s:s, s:s, s:s}, s:o}", "district", "id", "BH", "name", "滨海新区",
                             "events", s_d.events, "halls", halls);
    snprintf (s_d.config, sizeof s_d.config, "%s/district.json", s_d.dir);
    int rc = json_dump_file (cfg, s_d.config, JSON_INDENT (2));
    json_decref (cfg);
    for (int i = 0; i < NHALLS; i++)
        if (test_code (s_d.clients[i], "counter.login",
                       json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三"), NULL) != 0)
            rc = -1;
    return rc == 0 && s_district_start () == 0 ? 0 : -1;
}

static int
s_teardown (void)
{
    s_district_kill (SIGTERM);
    for (int i = 0; i < NHALLS; i++) {
        proto_client_destroy (&s_d.clients[i]);
        test_broker_cleanup (&s_d.halls[i]);
    }
    test_rmtree (s_d.dir);
    free (s_d.dir);
    return 0;
}

//  The report of `query` (/api/district/report?...): hall `id`'s tickets issued and served.
static void
s_report_tickets (const char *query, const char *id, json_int_t *issued, json_int_t *served)
{
    char path[128], *body;
    snprintf (path, sizeof path, "/api/district/report?%s", query);
    CU_ASSERT_EQUAL (s_get (path, &body), 200);
    json_t *r = json_loads (body, 0, NULL);
    free (body);
    *issued = *served = -1;
    size_t k;
    json_t *h;
    json_array_foreach (json_object_get (r, "halls"), k, h)
        if (proto_is (h, "id", id)) {
            const json_t *t = json_object_get (
                json_object_get (json_object_get (h, "report"), "kpis"), "tickets");
            *issued = proto_int (t, "issued");
            *served = proto_int (t, "served");
        }
    json_decref (r);
}

//  The halls' next business day: the district counts it apart, keeps the first day's
//  figures as they were, gives a trend, and the month is the sum of both days.
static void
test_new_day (void)
{
    json_int_t first[NHALLS][2], waiting;
    for (int i = 0; i < NHALLS; i++)
        s_own (i, &waiting, &first[i][0], &first[i][1]);
    for (int i = 0; i < NHALLS; i++) {
        cit_advance (s_d.clients[i], 24LL * 3600 * 1000);
        //  A new day finds every counter logged out.
        cit_ok (s_d.clients[i], "counter.login",
                json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三"));
        s_issue (i, 2 + i);
        s_serve_one (i);
    }
    CU_ASSERT (s_matches (true, 15000));
    json_t *api = s_api ();
    for (int i = 0; i < NHALLS; i++) {
        const json_t *h = s_hall (api, s_ids[i]);
        CU_ASSERT_EQUAL (proto_int (h, "day"), 20261201);
        CU_ASSERT (json_is_number (json_object_get (h, "trend")));
        json_int_t issued, served;
        s_report_tickets ("day=2026-11-30", s_ids[i], &issued, &served);
        CU_ASSERT_EQUAL (issued, first[i][0]);
        CU_ASSERT_EQUAL (served, first[i][1]);
        s_report_tickets ("month=2026-11", s_ids[i], &issued, &served);
        CU_ASSERT_EQUAL (issued, first[i][0]);
        s_report_tickets ("month=2026-12", s_ids[i], &issued, &served);
        CU_ASSERT_EQUAL (issued, proto_int (h, "issued"));
        CU_ASSERT_EQUAL (served, proto_int (h, "served"));
    }
    json_decref (api);
}

//  A new keypair saved as DIR/NAME.key (and its .pub).
static void
s_keygen (const char *dir, const char *name, proto_keypair_t *keys, char *path, size_t size)
{
    snprintf (path, size, "%s/%s.key", dir, name);
    char err[300];
    CU_ASSERT_EQUAL_FATAL (proto_keys_new (keys), 0);
    CU_ASSERT_EQUAL_FATAL (proto_keys_save (keys, path, name, err, sizeof err), 0);
}

//  Enrols the key at `key_path` in `role` in the broker store `data`.
static void
s_enroll (const char *data, const char *role, const char *key_path)
{
    char cmd[2400];
    snprintf (cmd, sizeof cmd, "'%s' --data '%s' --enroll '%s:%s:%s' 2>/dev/null",
              test_bin ("onewindow-broker"), data, role, role, key_path);
    int st;
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 0);
}

//  With keys: two brokers, each with its own key, the district enrolled at both in the
//  monitor role and reaching each with that hall's key (proto_client_set_curve); an entry
//  naming the wrong broker key is never online.
static void
test_curve (void)
{
    char dir[700], apath[700], dpath[700], bpath[700], data[800];
    snprintf (dir, sizeof dir, "%s/curve", s_d.dir);
    mkdir (dir, 0700);
    proto_keypair_t admin, district, broker[2];
    s_keygen (dir, "admin", &admin, apath, sizeof apath);
    s_keygen (dir, "district", &district, dpath, sizeof dpath);
    test_broker_t hb[2];
    proto_client_t *c[2];
    json_t *halls = json_array ();
    for (int i = 0; i < 2; i++) {
        char name[32];
        snprintf (name, sizeof name, "broker%d", i % 10);
        s_keygen (dir, name, &broker[i], bpath, sizeof bpath);
        memset (&hb[i], 0, sizeof hb[i]);
        char hd[512];
        snprintf (hd, sizeof hd, "%.400s/hall%d", dir, i % 10);
        mkdir (hd, 0700);
        snprintf (hb[i].dir, sizeof hb[i].dir, "%s", hd);
        snprintf (hb[i].req, sizeof hb[i].req, "ipc://%s/req", hd);
        snprintf (hb[i].pub, sizeof hb[i].pub, "ipc://%s/pub", hd);
        snprintf (hb[i].log, sizeof hb[i].log, "%s/broker.log", hd);
        snprintf (hb[i].config, sizeof hb[i].config, "%s", test_src (s_configs[i + 1]));
        snprintf (hb[i].clock, sizeof hb[i].clock, "sim:%lld", T_MON);
        snprintf (hb[i].key, sizeof hb[i].key, "%.590s", bpath);
        snprintf (data, sizeof data, "%s/data", hd);
        s_enroll (data, "admin", apath);
        s_enroll (data, "monitor", dpath);
        //  test_broker_restart's readiness probe speaks with the process's keys.
        proto_curve_default (broker[i].public_key, admin.public_key, admin.secret_key);
        CU_ASSERT_FATAL (test_broker_restart (&hb[i]) == 0);
        c[i] = proto_client_new (hb[i].req);
        CU_ASSERT_FATAL (proto_client_set_curve (c[i], broker[i].public_key, admin.public_key,
                                                 admin.secret_key) == 0);
        json_array_append_new (halls, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                                                 s_ids[i + 1], "name", s_names[i + 1], "kind",
                                                 "town_centre", "request", hb[i].req, "events",
                                                 hb[i].pub, "server_key", broker[i].public_key));
    }
    proto_curve_default ("", "", "");
    json_array_append_new (halls, json_pack ("{s:s, s:s, s:s, s:s, s:s}", "id", "WRONG", "name",
                                             "错误的密钥", "kind", "town_centre", "request",
                                             hb[1].req, "server_key", broker[0].public_key));
    char events[800], config[800];
    snprintf (events, sizeof events, "ipc://%s/events", dir);
    snprintf (config, sizeof config, "%s/district.json", dir);
    json_t *cfg = json_pack ("{s:{s:s, s:s, s:s}, s:o}", "district", "id", "BH", "name", "滨海新区",
                             "events", events, "halls", halls);
    CU_ASSERT_FATAL (json_dump_file (cfg, config, 0) == 0);
    json_decref (cfg);
    pid_t pid;
    int port;
    CU_ASSERT_FATAL (s_spawn (dir, dpath, &pid, &port) == 0);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k <= i; k++)
            cit_ok (c[i], "ticket.issue", json_pack ("{s:s}", "service", "B"));
    bool ok = false;
    json_t *api = NULL;
    for (int64_t until = proto_mono_ms () + 15000; !ok && proto_mono_ms () < until;) {
        json_decref (api);
        usleep (200 * 1000);
        api = s_api_at (port);
        const json_t *bt = s_hall (api, "BT01"), *xg = s_hall (api, "XG01");
        ok = json_is_true (json_object_get (bt, "online")) && proto_int (bt, "issued") == 1 &&
             json_is_true (json_object_get (xg, "online")) && proto_int (xg, "issued") == 2;
    }
    CU_ASSERT (ok);
    if (!ok) {
        char *text = json_dumps (api, JSON_COMPACT), log[800];
        snprintf (log, sizeof log, "%s/district.log", dir);
        char *lines = test_read_file (log);
        fprintf (stderr, "district_it: with keys: %s\n%s\n", text, lines ? lines : "");
        free (text);
        free (lines);
    }
    CU_ASSERT (json_is_false (json_object_get (s_hall (api, "WRONG"), "online")));
    CU_ASSERT (json_is_null (json_object_get (s_hall (api, "WRONG"), "last_event_age_s")));
    CU_ASSERT (json_is_null (json_object_get (s_hall (api, "WRONG"), "waiting")));
    CU_ASSERT (json_is_null (json_object_get (s_hall (api, "WRONG"), "index")));
    json_decref (api);
    kill (pid, SIGTERM);
    CU_ASSERT (waitpid (pid, NULL, 0) == pid);
    for (int i = 0; i < 2; i++) {
        proto_client_destroy (&c[i]);
        test_broker_cleanup (&hb[i]);
    }
}

//  A screenshot of `path` at w x h in build/test/artefacts/NAME.png; true when one was
//  written. Fails the test when Chromium is missing.
static bool
s_shot (const char *name, const char *path, int w, int h)
{
    int st;
    free (test_run ("command -v chromium >/dev/null 2>&1", &st));
    if (st != 0)
        CU_FAIL_FATAL ("chromium is not installed: run scripts/install-deps");
    char dir[1024], png[1200], cmd[3000];
    snprintf (dir, sizeof dir, "%s", test_src ("build/test/artefacts"));
    mkdir (test_src ("build"), 0755);
    mkdir (test_src ("build/test"), 0755);
    mkdir (dir, 0755);
    snprintf (png, sizeof png, "%s/%s.png", dir, name);
    unlink (png);
    snprintf (cmd, sizeof cmd,
              "timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
              "--disable-background-networking --disable-component-update --disable-sync "
              "--hide-scrollbars --user-data-dir='%s/chromium' --virtual-time-budget=3000 "
              "--window-size=%d,%d --screenshot='%s' http://127.0.0.1:%d%s 2>/dev/null",
              s_d.dir, w, h, png, s_d.port, path);
    free (test_run (cmd, &st));
    struct stat sb;
    return st == 0 && stat (png, &sb) == 0 && sb.st_size > 5000;
}

//  ---------------------------------------------------------------------------------------
//  Tests

//  Live waiting counts equal each hall's snapshot, and the stream marks every hall.
static void
test_live (void)
{
    void *zctx = zmq_ctx_new ();
    void *sub = zmq_socket (zctx, ZMQ_SUB);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0);
    CU_ASSERT_FATAL (zmq_connect (sub, s_d.events) == 0);
    usleep (500 * 1000); //  PUB/SUB joins late: the subscription travels up to each link
    s_issue (0, 4);
    s_issue (1, 2);
    s_issue (2, 6);
    s_serve_one (0);
    CU_ASSERT (s_matches (true, 10000));
    json_t *api = s_api ();
    CU_ASSERT_EQUAL (json_array_size (json_object_get (api, "halls")), NHALLS);
    const json_t *bh = s_hall (api, "BH01");
    CU_ASSERT (json_is_integer (json_object_get (bh, "last_event_age_s")));
    CU_ASSERT (proto_int (bh, "open_counters") >= 1);
    CU_ASSERT (json_is_object (json_object_get (bh, "index")) ||
               json_is_null (json_object_get (bh, "index")));
    CU_ASSERT (proto_is (bh, "kind", "district_hall"));
    CU_ASSERT (proto_is (s_hall (api, "XG01"), "kind", "town_centre"));
    json_decref (api);
    //  The district's stream: HALL/topic, the body marked with the hall.
    bool seen[NHALLS] = {false};
    int64_t until = proto_mono_ms () + 5000;
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    while (!(seen[0] && seen[1] && seen[2]) && proto_mono_ms () < until) {
        if (zmq_poll (&item, 1, 200) <= 0)
            continue;
        proto_wire_event_t ev;
        if (proto_wire_recv_event (sub, 0, &ev) == PROTO_WIRE_OK) {
            json_t *j = proto_wire_event_json (&ev);
            for (int i = 0; i < NHALLS; i++) {
                size_t n = strlen (s_ids[i]);
                if (strncmp (ev.topic, s_ids[i], n) == 0 && ev.topic[n] == '/' &&
                    proto_is (j, "hall", s_ids[i]))
                    seen[i] = true;
            }
            json_decref (j);
        }
        proto_wire_event_close (&ev);
    }
    for (int i = 0; i < NHALLS; i++)
        CU_ASSERT (seen[i]);
    zmq_close (sub);
    zmq_ctx_term (zctx);
}

//  A hall's broker killed: online false within 10 s with its last event's age; back, it
//  matches again.
static void
test_hall_down (void)
{
    //  The district's stream says so too: BT01/district.link, online false.
    void *zctx = zmq_ctx_new ();
    void *sub = zmq_socket (zctx, ZMQ_SUB);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "BT01/district.link", 18);
    CU_ASSERT_FATAL (zmq_connect (sub, s_d.events) == 0);
    usleep (500 * 1000);
    test_broker_stop (&s_d.halls[1], SIGKILL);
    int64_t t0 = proto_mono_ms ();
    bool down = false;
    json_t *api = NULL;
    while (!down && proto_mono_ms () - t0 < 10000) {
        json_decref (api);
        api = s_api ();
        down = json_is_false (json_object_get (s_hall (api, "BT01"), "online"));
        if (!down)
            usleep (200 * 1000);
    }
    fprintf (stderr, "district_it: BT01 shown offline after %lld ms\n",
             (long long)(proto_mono_ms () - t0));
    CU_ASSERT (down);
    CU_ASSERT (json_is_integer (json_object_get (s_hall (api, "BT01"), "last_event_age_s")));
    CU_ASSERT (json_is_true (json_object_get (s_hall (api, "BH01"), "online")));
    CU_ASSERT (json_is_true (json_object_get (s_hall (api, "XG01"), "online")));
    json_decref (api);
    char *page;
    CU_ASSERT_EQUAL (s_get ("/district", &page), 200);
    CU_ASSERT (page && strstr (page, "stale"));
    free (page);
    CU_ASSERT (s_shot ("district-stale-1920x1080", "/district", 1920, 1080));
    proto_wire_event_t ev;
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    json_t *link = NULL;
    if (zmq_poll (&item, 1, 2000) == 1) {
        if (proto_wire_recv_event (sub, 0, &ev) == PROTO_WIRE_OK)
            link = proto_wire_event_json (&ev);
        proto_wire_event_close (&ev);
    }
    CU_ASSERT (proto_is (link, "hall", "BT01") && json_is_false (json_object_get (link, "online")));
    json_decref (link);
    zmq_close (sub);
    zmq_ctx_term (zctx);
    CU_ASSERT_FATAL (test_broker_restart (&s_d.halls[1]) == 0);
    s_issue (1, 3);
    CU_ASSERT (s_matches (true, 15000));
}

//  The district killed, tickets issued, the district restarted: its totals are the halls'.
static void
test_district_restart (void)
{
    s_district_kill (SIGKILL);
    s_issue (0, 5);
    s_issue (1, 1);
    s_issue (2, 2);
    s_serve_one (1);
    s_serve_one (2);
    CU_ASSERT_FATAL (s_district_start () == 0);
    CU_ASSERT (s_matches (true, 15000));
    //  Again with nothing new: a second restart counts nothing twice.
    s_district_kill (SIGTERM);
    CU_ASSERT_FATAL (s_district_start () == 0);
    CU_ASSERT (s_matches (true, 15000));
}

//  The pages and the report answer; unknown halls and dates are refused.
static void
test_pages (void)
{
    static const struct {
        const char *path;
        int status;
        const char *needle;
    } cases[] = {
        {"/district", 200, "北塘街道便民服务中心"},
        {"/district/hall/XG01", 200, "新港街道便民服务中心"},
        {"/district/hall/NOPE", 404, "NOPE"},
        {"/api/district/hall/BH01", 200, "\"services\""},
        {"/district/report?day=2026-11-30", 200, "滨海新区政务服务中心"},
        {"/district/report?month=2026-11", 200, "北塘街道便民服务中心"},
        {"/district/report?day=2026-13-01", 400, "YYYY"},
        {"/district/report.csv?day=2026-11-30", 200, "rank,hall,name,kind"},
        {"/api/district/report?day=2026-11-30", 200, "\"halls\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body;
        int status = s_get (cases[i].path, &body);
        if (status != cases[i].status || !body || !strstr (body, cases[i].needle))
            fprintf (stderr, "district_it: %s: %d\n", cases[i].path, status);
        CU_ASSERT_EQUAL (status, cases[i].status);
        CU_ASSERT (body && strstr (body, cases[i].needle));
        free (body);
    }
    //  The day report's tickets are the halls' own.
    char *body;
    s_get ("/api/district/report?day=2026-11-30", &body);
    json_t *r = json_loads (body, 0, NULL);
    free (body);
    size_t k;
    json_t *h;
    json_array_foreach (json_object_get (r, "halls"), k, h) {
        for (int i = 0; i < NHALLS; i++) {
            if (!proto_is (h, "id", s_ids[i]))
                continue;
            json_int_t waiting, issued, served;
            s_own (i, &waiting, &issued, &served);
            const json_t *t = json_object_get (
                json_object_get (json_object_get (h, "report"), "kpis"), "tickets");
            CU_ASSERT_EQUAL (proto_int (t, "issued"), issued);
            CU_ASSERT_EQUAL (proto_int (t, "served"), served);
        }
    }
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "halls")), NHALLS);
    json_decref (r);
}

//  Screenshots of the wall at 1920x1080, a hall and the report at desktop size, the wall
//  on a phone.
static void
test_screens (void)
{
    CU_ASSERT (s_shot ("district-1920x1080", "/district", 1920, 1080));
    CU_ASSERT (s_shot ("district-hall-1366x768", "/district/hall/BH01", 1366, 768));
    CU_ASSERT (s_shot ("district-report-1366x768", "/district/report?day=2026-11-30", 1366, 768));
    CU_ASSERT (s_shot ("district-390x844", "/district", 390, 844));
}

int
test_district_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("district_it", s_setup, s_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "live waiting counts match each hall; the stream marks the hall", test_live);
    CU_add_test (s, "a hall down: offline within 10 s, caught up when back", test_hall_down);
    CU_add_test (s, "district killed and restarted: its totals are the halls' own",
                 test_district_restart);
    CU_add_test (s, "wall, hall, report and CSV answer", test_pages);
    CU_add_test (s, "the next business day: counted apart, the first kept, a trend", test_new_day);
    CU_add_test (s, "screenshots at wall, desktop and phone sizes", test_screens);
    CU_add_test (s, "with keys: each hall by its own broker key; a wrong key never online",
                 test_curve);
    return 0;
}
