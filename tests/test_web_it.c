/*  test_web_it.c — the web gateway (`onewindow web`, which hands over to onewindow-web)
    against a real broker on a simulated clock, fetched over plain sockets: --help (both
    ways in, every route and option), JSON and metrics after tickets are issued, the
    citizen's status page (its own ticket and case, no one else's, no ID or phone number,
    404 for unknown and malformed tokens), the kiosk page issuing tickets (once per request
    id), the rating pad, /api/kpi giving the terminal monitor's figures, Server-Sent Events
    delivering a call, bad input, many stream clients, and a broker restart under a
    connected stream. The browser tests are in test_web_browser.c (test_web.h); this file
    starts the hall and registers the suite. The gateway runs with the sanitizers; its
    clean exit on SIGTERM is the last test. */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto_token.h"
#include "test_util.h"
#include "test_web.h"
#include "tests.h"
#include "web_routes.h"

#define T0        1795827600000LL //  2026-11-28 09:00 in the hall
#define ID_NUMBER "11010519491231002X"
#define PHONE     "13812345678"
#define HTTP_MS   30000 //  one request, at most (the gateway runs sanitized)

web_it_hall_t web_it_hall;

//  ---------------------------------------------------------------------------------------
//  Helpers

//  An open /events stream and what it has delivered so far.
typedef struct {
    int fd;
    char *buf;
    size_t len, cap;
} s_stream_t;

static void
s_stream_close (s_stream_t *s)
{
    if (s->fd >= 0)
        close (s->fd);
    free (s->buf);
    memset (s, 0, sizeof *s);
    s->fd = -1;
}

//  Reads what arrives for up to `ms`; false if the server closed the stream.
static bool
s_stream_read (s_stream_t *s, int ms)
{
    struct pollfd p = {s->fd, POLLIN, 0};
    if (poll (&p, 1, ms) <= 0)
        return true;
    if (s->len + 8193 > s->cap) {
        s->cap = s->cap ? s->cap * 2 + 8193 : 16384;
        s->buf = realloc (s->buf, s->cap);
    }
    ssize_t n = recv (s->fd, s->buf + s->len, 8192, 0);
    if (n <= 0)
        return false;
    s->len += (size_t)n;
    s->buf[s->len] = 0;
    return true;
}

//  Opens /events; 0 once the response headers are in.
static int
s_stream_open (s_stream_t *s)
{
    memset (s, 0, sizeof *s);
    s->fd = web_it_connect (web_it_hall.port);
    char req[300];
    int n = snprintf (req, sizeof req, "GET /events HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n%s\r\n",
                      web_it_hall.port, web_it_hall.cookie);
    if (s->fd < 0 || !web_it_send_all (s->fd, req, (size_t)n))
        return -1;
    int64_t deadline = web_it_now_ms () + HTTP_MS;
    while (web_it_now_ms () < deadline && !(s->buf && strstr (s->buf, "\r\n\r\n")))
        if (!s_stream_read (s, 200))
            return -1;
    return s->buf && strstr (s->buf, "\r\n\r\n") ? 0 : -1;
}

//  Waits until the stream carries an event `topic` whose data holds `needle`.
static bool
s_stream_wait (s_stream_t *s, const char *topic, const char *needle, int timeout_ms)
{
    char head[96];
    snprintf (head, sizeof head, "event: %s\ndata: ", topic);
    int64_t deadline = web_it_now_ms () + timeout_ms;
    for (;;) {
        for (const char *p = s->buf ? strstr (s->buf, head) : NULL; p; p = strstr (p + 1, head)) {
            const char *data = p + strlen (head);
            size_t len = strcspn (data, "\n");
            if (memmem (data, len, needle, strlen (needle)))
                return true;
        }
        if (web_it_now_ms () >= deadline || !s_stream_read (s, 200))
            return false;
    }
}

json_t *
web_it_call (const char *command, json_t *body, int expect)
{
    int code = -1;
    json_t *r = test_call (web_it_hall.client, command, body, &code);
    CU_ASSERT_EQUAL (code, expect);
    if (code != expect) {
        char *text = r ? json_dumps (r, 0) : NULL;
        fprintf (stderr, "web_it: %s gave %d: %s\n", command, code, text ? text : "(none)");
        free (text);
    }
    return r;
}

const char *
web_it_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

//  Issues a ticket of `service` and remembers its number and token.
void
web_it_issue (const char *service, char *number, size_t size)
{
    json_t *r = web_it_call ("ticket.issue", json_pack ("{s:s}", "service", service), 0);
    snprintf (number, size, "%s", web_it_str (r, "number"));
    if (r && web_it_hall.ntickets < WEB_IT_TICKETS) {
        snprintf (web_it_hall.tickets[web_it_hall.ntickets].number,
                  sizeof web_it_hall.tickets[0].number, "%s", web_it_str (r, "number"));
        snprintf (web_it_hall.tickets[web_it_hall.ntickets].token,
                  sizeof web_it_hall.tickets[0].token, "%s", web_it_str (r, "token"));
        web_it_hall.ntickets++;
    }
    json_decref (r);
}

static const char *
s_token_of (const char *number)
{
    for (int i = 0; i < web_it_hall.ntickets; i++)
        if (strcmp (web_it_hall.tickets[i].number, number) == 0)
            return web_it_hall.tickets[i].token;
    return NULL;
}

static bool
s_gateway_alive (void)
{
    if (web_it_hall.gateway <= 0)
        return false;
    int st;
    if (waitpid (web_it_hall.gateway, &st, WNOHANG) == web_it_hall.gateway) {
        web_it_hall.gateway = 0;
        return false;
    }
    return true;
}

static void
s_show_log (void)
{
    char *log = test_read_file (web_it_hall.log);
    fprintf (stderr, "web_it: the gateway's log:\n%s\n", log ? log : "(none)");
    free (log);
}

//  Stops the gateway with `sig`; its exit status, or -1 if it had to be killed.
static int
s_gateway_stop (int sig)
{
    if (web_it_hall.gateway <= 0)
        return -1;
    kill (web_it_hall.gateway, sig);
    int st = 0;
    int64_t deadline = web_it_now_ms () + 20000;
    while (waitpid (web_it_hall.gateway, &st, WNOHANG) == 0) {
        if (web_it_now_ms () > deadline) {
            kill (web_it_hall.gateway, SIGKILL);
            waitpid (web_it_hall.gateway, &st, 0);
            web_it_hall.gateway = 0;
            return -1;
        }
        web_it_pause (20);
    }
    web_it_hall.gateway = 0;
    return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + (WIFSIGNALED (st) ? WTERMSIG (st) : 0);
}

static int s_clean (void);

//  CUnit runs no cleanup when the init fails: a failure cleans up here.
static int
s_init (void)
{
    memset (&web_it_hall, 0, sizeof web_it_hall);
    if (test_broker_start (&web_it_hall.broker, NULL, T0) != 0)
        goto fail;
    web_it_hall.client = test_client (&web_it_hall.broker);
    web_it_hall.port = web_it_free_port ();
    web_it_hall.public_port = web_it_free_port ();
    snprintf (web_it_hall.log, sizeof web_it_hall.log, "%s/web.log", web_it_hall.broker.dir);
    snprintf (web_it_hall.users, sizeof web_it_hall.users, "%s/web-users", web_it_hall.broker.dir);
    //  The staff door's manager, whose session the suite's requests carry.
    if (!web_it_hall.client || web_it_hall.port <= 0 || web_it_hall.public_port <= 0 ||
        web_it_add_user ("boss:manager", WEB_IT_PASSWORD) != 0)
        goto fail;
    char http[64], pub[64];
    snprintf (http, sizeof http, "127.0.0.1:%d", web_it_hall.port);
    snprintf (pub, sizeof pub, "127.0.0.1:%d", web_it_hall.public_port);
    web_it_hall.gateway = fork ();
    if (web_it_hall.gateway == 0) {
        int fd = open (web_it_hall.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
            close (fd);
        }
        char *argv[] = {(char *)test_bin ("onewindow"),
                        "web",
                        "--http",
                        http,
                        "--listen-public",
                        pub,
                        "--users",
                        web_it_hall.users,
                        "--broker",
                        web_it_hall.broker.req,
                        NULL};
        execv (argv[0], argv);
        fprintf (stderr, "web_it: cannot exec %s: %s\n", argv[0], strerror (errno));
        _exit (127);
    }
    if (web_it_hall.gateway < 0)
        goto fail;
    //  Up when it serves the hall it mirrors (generous: sanitizers on a loaded machine).
    if (!web_it_wait_for ("/login", "name=\"password\"", 30000) ||
        web_it_login (web_it_hall.port, "boss", WEB_IT_PASSWORD, web_it_hall.cookie,
                      sizeof web_it_hall.cookie) != 303 ||
        !web_it_wait_for ("/api/snapshot", "\"connected\":true", 30000)) {
        s_show_log ();
        goto fail;
    }
    return 0;
fail:
    s_clean ();
    return -1;
}

static int
s_clean (void)
{
    if (web_it_hall.gateway > 0)
        s_gateway_stop (SIGKILL);
    proto_client_destroy (&web_it_hall.client);
    test_broker_cleanup (&web_it_hall.broker);
    return 0;
}

//  ---------------------------------------------------------------------------------------
//  Tests

//  --help from `onewindow web` and from onewindow-web itself: every route and option.
static void
test_help_and_usage (void)
{
    int st;
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "'%s' web --help", test_bin ("onewindow"));
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "/dashboard"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--listen-staff ADDR:PORT"));
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' --help", test_bin ("onewindow-web"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (out);
    for (const web_route_t *r = web_routes; r->path; r++) {
        char line[128];
        snprintf (line, sizeof line, " %s ", r->path);
        CU_ASSERT_PTR_NOT_NULL (strstr (out, line));
    }
    const char *options[] = {"--listen-staff ADDR:PORT",
                             "--listen-public ADDR:PORT",
                             "--users FILE",
                             "--add-user NAME:ROLE",
                             "--allowed-host NAME",
                             "--trusted-proxy ADDR",
                             "--broker EP",
                             "--pub EP",
                             "--key FILE",
                             "--server-key K",
                             "--help"};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        CU_ASSERT_PTR_NOT_NULL (strstr (out, options[i]));
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' web --http nonsense 2>&1", test_bin ("onewindow"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 2);
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' --bogus 2>&1", test_bin ("onewindow-web"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 2);
    free (out);
}

static void
test_snapshot_and_metrics (void)
{
    char a1[16], a2[16], b1[16];
    web_it_issue ("A", a1, sizeof a1);
    web_it_issue ("A", a2, sizeof a2);
    web_it_issue ("B", b1, sizeof b1);
    CU_ASSERT_STRING_EQUAL (a2, "A002");
    //  The mirror follows the events: wait for the third ticket to show.
    CU_ASSERT_FATAL (web_it_wait_for ("/metrics", "onewindow_waiting{service=\"B\"} 1", 10000));

    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get ("/api/snapshot", &r) == 0);
    char value[256];
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Content-Type", value, sizeof value),
                            "application/json; charset=utf-8");
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Cache-Control", value, sizeof value), "no-store");
    json_t *snap = json_loads (r.body, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (snap);
    size_t i;
    json_t *svc;
    int seen = 0;
    json_array_foreach (json_object_get (snap, "services"), i, svc) {
        if (strcmp (web_it_str (svc, "prefix"), "A") == 0) {
            CU_ASSERT_EQUAL (json_integer_value (json_object_get (svc, "waiting")), 2);
            seen++;
        }
        if (strcmp (web_it_str (svc, "prefix"), "B") == 0) {
            CU_ASSERT_EQUAL (json_integer_value (json_object_get (svc, "waiting")), 1);
            seen++;
        }
    }
    CU_ASSERT_EQUAL (seen, 2);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (
                         json_object_get (json_object_get (snap, "stats"), "A"), "issued")),
                     2);
    CU_ASSERT_EQUAL (json_object_size (json_object_get (snap, "tickets")), 3);
    CU_ASSERT (json_is_true (json_object_get (json_object_get (snap, "gateway"), "connected")));
    //  Snapshots never carry tokens.
    for (int k = 0; k < web_it_hall.ntickets; k++)
        CU_ASSERT_PTR_NULL (strstr (r.body, web_it_hall.tickets[k].token));
    json_decref (snap);
    web_it_resp_free (&r);

    CU_ASSERT_FATAL (web_it_get ("/metrics", &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Content-Type", value, sizeof value),
                            "text/plain; version=0.0.4; charset=utf-8");
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "# TYPE onewindow_waiting gauge\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_waiting{service=\"A\"} 2\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_tickets_issued_total{service=\"A\"} 2\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_wait_seconds_count{service=\"A\"} 0\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_counters{state=\"logged_out\"} 8\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_up 1\n"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_events_seq "));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "\nonewindow_sse_clients "));
    web_it_resp_free (&r);
}

static void
test_sse_call (void)
{
    s_stream_t s;
    CU_ASSERT_FATAL (s_stream_open (&s) == 0);
    CU_ASSERT_PTR_NOT_NULL (strstr (s.buf, "Content-Type: text/event-stream; charset=utf-8"));
    json_decref (web_it_call ("counter.login", json_pack ("{s:i}", "counter", 1), 0));
    json_t *r = web_it_call ("ticket.call_next", json_pack ("{s:i}", "counter", 1), 0);
    const json_t *t = json_object_get (r, "ticket");
    snprintf (web_it_hall.served, sizeof web_it_hall.served, "%s", web_it_str (t, "number"));
    json_decref (r);
    CU_ASSERT_FATAL (web_it_hall.served[0] != 0);
    char needle[64];
    snprintf (needle, sizeof needle, "\"number\":\"%s\"", web_it_hall.served);
    CU_ASSERT (s_stream_wait (&s, "ticket.called", needle, 10000));
    //  Each event names its sequence number.
    CU_ASSERT_PTR_NOT_NULL (strstr (s.buf, "\nid: "));
    s_stream_close (&s);
}

static void
test_status_page (void)
{
    const char *token = s_token_of (web_it_hall.served);
    CU_ASSERT_PTR_NOT_NULL_FATAL (token);
    snprintf (web_it_hall.served_token, sizeof web_it_hall.served_token, "%s", token);
    json_decref (web_it_call ("ticket.start", json_pack ("{s:i}", "counter", 1), 0));
    json_t *r =
        web_it_call ("case.accept",
                     json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s,s,s]}", "counter", 1, "item",
                                "biz_setup", "name", "王小明", "id_number", ID_NUMBER, "phone",
                                PHONE, "documents", "application", "articles", "rep_id", "address"),
                     0);
    snprintf (web_it_hall.case_no, sizeof web_it_hall.case_no, "%s", web_it_str (r, "case_no"));
    json_decref (r);
    CU_ASSERT_FATAL (web_it_hall.case_no[0] != 0);

    char path[128], value[256];
    snprintf (path, sizeof path, "/t/%s", token);
    web_it_resp_t p;
    CU_ASSERT_FATAL (web_it_get (path, &p) == 0);
    CU_ASSERT_EQUAL (p.status, 200);
    CU_ASSERT_STRING_EQUAL (web_it_header (&p, "Content-Type", value, sizeof value),
                            "text/html; charset=utf-8");
    CU_ASSERT_STRING_EQUAL (web_it_header (&p, "Cache-Control", value, sizeof value), "no-store");
    CU_ASSERT_PTR_NOT_NULL (strstr (p.body, web_it_hall.served));
    CU_ASSERT_PTR_NOT_NULL (strstr (p.body, web_it_hall.case_no));
    CU_ASSERT_PTR_NOT_NULL (strstr (p.body, "企业设立登记"));
    CU_ASSERT_PTR_NOT_NULL (strstr (p.body, "<!DOCTYPE html>"));
    //  Nothing of the applicant, whole or masked, and nothing of anyone else.
    const char *never[] = {ID_NUMBER, "110105", "002X", PHONE, "138****", "****", "王小明"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        CU_ASSERT_PTR_NULL (strstr (p.body, never[i]));
    for (int i = 0; i < web_it_hall.ntickets; i++)
        if (strcmp (web_it_hall.tickets[i].number, web_it_hall.served) != 0) {
            CU_ASSERT_PTR_NULL (strstr (p.body, web_it_hall.tickets[i].number));
            CU_ASSERT_PTR_NULL (strstr (p.body, web_it_hall.tickets[i].token));
        }
    web_it_resp_free (&p);

    //  The same as JSON, and in lower case as a scanner may type it.
    snprintf (path, sizeof path, "/api/status/%s", token);
    CU_ASSERT_FATAL (web_it_get (path, &p) == 0);
    CU_ASSERT_EQUAL (p.status, 200);
    json_t *j = json_loads (p.body, 0, NULL);
    CU_ASSERT_STRING_EQUAL (web_it_str (json_object_get (j, "ticket"), "number"),
                            web_it_hall.served);
    CU_ASSERT_STRING_EQUAL (
        web_it_str (json_array_get (json_object_get (j, "cases"), 0), "case_no"),
        web_it_hall.case_no);
    CU_ASSERT_PTR_NULL (strstr (p.body, "applicant"));
    CU_ASSERT_PTR_NULL (strstr (p.body, "110105"));
    CU_ASSERT_PTR_NULL (strstr (p.body, "****"));
    json_decref (j);
    web_it_resp_free (&p);
    char lower[PROTO_TOKEN_LEN + 1];
    for (int i = 0; i <= PROTO_TOKEN_LEN; i++)
        lower[i] = (char)(token[i] >= 'A' && token[i] <= 'Z' ? token[i] - 'A' + 'a' : token[i]);
    snprintf (path, sizeof path, "/t/%s", lower);
    CU_ASSERT (web_it_get (path, &p) == 0 && p.status == 200 &&
               strstr (p.body, web_it_hall.served));
    web_it_resp_free (&p);

    //  Unknown and malformed tokens: a 404 page that says nothing more.
    char unknown[PROTO_TOKEN_LEN + 1];
    proto_token_new (unknown);
    const char *bad[] = {unknown,
                         "ABC",
                         "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                         "..%2F..%2Fetc%2Fpasswd",
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf (path, sizeof path, "/t/%s", bad[i]);
        CU_ASSERT (web_it_get (path, &p) == 0 && p.status == 404);
        CU_ASSERT_PTR_NULL (p.body ? strstr (p.body, "<script>") : NULL);
        web_it_resp_free (&p);
        snprintf (path, sizeof path, "/api/status/%s", bad[i]);
        CU_ASSERT (web_it_get (path, &p) == 0 && p.status == 404);
        web_it_resp_free (&p);
    }
}

static void
test_kiosk (void)
{
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get ("/kiosk", &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "企业开办"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "法律援助"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "name=\"rid\""));
    web_it_resp_free (&r);

    //  One press, one ticket: the same request id again gives the same ticket.
    const char *form = "service=F&rid=0123456789abcdef0123456789abcdef";
    CU_ASSERT_FATAL (web_it_http ("POST", "/kiosk", form, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "F001"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<svg class=\"qr\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "您前面还有"));
    web_it_resp_free (&r);
    CU_ASSERT_FATAL (web_it_http ("POST", "/kiosk", form, &r) == 0);
    CU_ASSERT (r.status == 200 && strstr (r.body, "F001"));
    web_it_resp_free (&r);
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (
                         json_object_get (json_object_get (snap, "stats"), "F"), "issued")),
                     1);
    json_decref (snap);
    //  A new press is a new ticket.
    CU_ASSERT (web_it_http ("POST", "/kiosk", "service=F", &r) == 0 && r.status == 200 &&
               strstr (r.body, "F002"));
    web_it_resp_free (&r);

    CU_ASSERT (web_it_http ("POST", "/kiosk", "service=Z", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/kiosk", "rid=x", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/kiosk", "service=%3Cb%3E", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("PUT", "/kiosk", "service=A", &r) == 0 && r.status == 405);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/board", "service=A", &r) == 0 && r.status == 405);
    web_it_resp_free (&r);
}

static void
test_rating (void)
{
    char path[128];
    snprintf (path, sizeof path, "/rate/%s", web_it_hall.served_token);
    web_it_resp_t r;
    //  Before the visit is finished there is nothing to rate.
    CU_ASSERT (web_it_get (path, &r) == 0 && r.status == 200 &&
               strstr (r.body, "办理结束后即可评价"));
    web_it_resp_free (&r);
    json_decref (web_it_call ("ticket.finish", json_pack ("{s:i}", "counter", 1), 0));
    CU_ASSERT_FATAL (web_it_get (path, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "非常满意"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "非常不满意"));
    web_it_resp_free (&r);

    //  A bad rating (2, 不满意) with a comment: thanks, and the broker's words on what follows,
    //  in working days, with no item number or raw date.
    CU_ASSERT_FATAL (web_it_http ("POST", path,
                                  "level=2&comment=%E7%AD%89%E5%BE%97%E5%A4%AA%E4%B9%85", &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "感谢您的评价"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "id=\"follow-up\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "个工作日内核实并回访"));
    CU_ASSERT_PTR_NULL (strstr (r.body, "整改编号"));
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", path, "level=5", &r) == 0 && r.status == 409);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", path, "level=7", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);

    //  The broker has it: the day's figures and a rectification item.
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    const char *service = web_it_hall.served[0] == 'B' ? "B" : "A";
    const json_t *day = json_object_get (json_object_get (snap, "stats"), service);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (day, "rated")), 1);
    CU_ASSERT_EQUAL (json_integer_value (json_array_get (json_object_get (day, "ratings"), 1)), 1);
    json_decref (snap);
    json_t *list = web_it_call ("rating.list", json_pack ("{s:s}", "state", "open"), 0);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (list, "rectifications")), 1);
    json_decref (list);
    //  And the gateway shows it.
    char needle[96];
    snprintf (needle, sizeof needle, "onewindow_ratings_total{service=\"%s\",level=\"2\"} 1",
              service);
    CU_ASSERT (web_it_wait_for ("/metrics", needle, 10000));
    CU_ASSERT (web_it_wait_for ("/api/ratings?state=open", "\"level\":2", 10000));
    CU_ASSERT (web_it_wait_for ("/dashboard?part=live", "100.0%", 10000));
}

//  /api/kpi and `onewindow monitor --json` are the same figures (proto_kpi_hall on the
//  same state at the same simulated time), and the dashboard shows them.
static void
test_kpi (void)
{
    char cmd[1400];
    snprintf (cmd, sizeof cmd, "'%s' monitor --json --broker '%s'", test_bin ("onewindow"),
              web_it_hall.broker.req);
    json_t *web = NULL, *monitor = NULL;
    bool same = false;
    //  Both mirror the broker on their own: compare once both have the same last event.
    for (int i = 0; i < 20 && !same; i++) {
        json_decref (web);
        json_decref (monitor);
        web_it_resp_t r;
        web = web_it_get ("/api/kpi", &r) == 0 && r.status == 200 ? json_loads (r.body, 0, NULL)
                                                                  : NULL;
        web_it_resp_free (&r);
        int st;
        char *out = test_run (cmd, &st);
        monitor = st == 0 && out ? json_loads (out, 0, NULL) : NULL;
        free (out);
        same = web && monitor && json_equal (web, monitor);
        if (!same)
            web_it_pause (250);
    }
    if (!same && web && monitor) {
        //  Say where they differ, member by member.
        const char *key;
        json_t *v;
        json_object_foreach (web, key, v) {
            if (!json_equal (v, json_object_get (monitor, key))) {
                char *a = json_dumps (v, JSON_COMPACT),
                     *b = json_dumps (json_object_get (monitor, key), JSON_COMPACT);
                fprintf (stderr, "kpi: '%s' differs:\n  web:     %s\n  monitor: %s\n", key, a, b);
                free (a);
                free (b);
            }
        }
    }
    CU_ASSERT (same);
    const json_t *tot = json_object_get (web, "totals");
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (tot, "rated")), 1);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (tot, "bad")), 1);
    //  The dashboard's cards: rated 1, bad 1, one rectification to do.
    CU_ASSERT (web_it_wait_for ("/dashboard?part=live", "Rated</span><b>1</b>", 10000));
    CU_ASSERT (web_it_wait_for ("/dashboard?part=live", "Bad</span><b>1</b>", 10000));
    CU_ASSERT (web_it_wait_for ("/dashboard?part=live", "To rectify</span><b>1</b>", 10000));
    json_decref (web);
    json_decref (monitor);
}

static void
test_bad_input (void)
{
    web_it_resp_t r;
    char value[128];
    CU_ASSERT (web_it_get ("/nope", &r) == 0 && r.status == 404);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Content-Type", value, sizeof value),
                            "text/html; charset=utf-8");
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/api/nope", &r) == 0 && r.status == 404);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("DELETE", "/board", NULL, &r) == 0 && r.status == 405);
    CU_ASSERT_PTR_NOT_NULL (strstr (web_it_header (&r, "Allow", value, sizeof value), "GET"));
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/metrics", "x=1", &r) == 0 && r.status == 405);
    web_it_resp_free (&r);
    //  Too large, not text, not a form.
    char *big = malloc (20001);
    memset (big, 'a', 20000);
    memcpy (big, "comment=", 8);
    big[20000] = 0;
    CU_ASSERT (web_it_http ("POST", "/kiosk", big, &r) == 0 && r.status == 413);
    web_it_resp_free (&r);
    free (big);
    char path[128];
    snprintf (path, sizeof path, "/rate/%s", web_it_hall.served_token);
    CU_ASSERT (web_it_http ("POST", path, "level=5&comment=%FF%FE", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", path, "level=5&comment=a%00b", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/kiosk", "service=A%00B", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    char raw[600];
    snprintf (raw, sizeof raw,
              "POST /kiosk HTTP/1.0\r\nHost: 127.0.0.1\r\n%sContent-Type: application/json\r\n"
              "Content-Length: 15\r\n\r\n{\"service\":\"A\"}",
              web_it_hall.cookie);
    CU_ASSERT (web_it_raw (raw, &r) == 0 && r.status == 415);
    web_it_resp_free (&r);
    //  A form posted from another site's page.
    snprintf (raw, sizeof raw,
              "POST /kiosk HTTP/1.0\r\nHost: 127.0.0.1\r\nOrigin: http://example.com\r\n%s"
              "Content-Type: application/x-www-form-urlencoded\r\n"
              "Content-Length: 9\r\n\r\nservice=A",
              web_it_hall.cookie);
    CU_ASSERT (web_it_raw (raw, &r) == 0 && r.status == 403);
    web_it_resp_free (&r);
    //  Garbage the HTTP library refuses, and a client that leaves mid-request.
    const char *garbage[] = {"GARBAGE\r\n\r\n", "GET /board HTTP/9.9\r\n\r\n",
                             "GET /\x01\x02 HTTP/1.0\r\n\r\n"};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        web_it_raw (garbage[i], &r);
        web_it_resp_free (&r);
    }
    int fd = web_it_connect (web_it_hall.port);
    if (fd >= 0) {
        const char *cut = "POST /kiosk HTTP/1.1\r\nContent-Length: 100\r\n\r\nservice=";
        web_it_send_all (fd, cut, strlen (cut));
        close (fd);
    }
    CU_ASSERT (s_gateway_alive ());
    CU_ASSERT (web_it_get ("/api/snapshot", &r) == 0 && r.status == 200);
    web_it_resp_free (&r);
    //  Static assets and an index.
    CU_ASSERT (web_it_get ("/assets/app.js", &r) == 0 && r.status == 200);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Content-Type", value, sizeof value),
                            "text/javascript; charset=utf-8");
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/", &r) == 0 && r.status == 200 && strstr (r.body, "/dashboard"));
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/api/history", &r) == 0 && r.status == 200 &&
               strstr (r.body, "\"histogram\""));
    web_it_resp_free (&r);
}

static void
test_many_streams (void)
{
    enum { N = 24 };
    s_stream_t s[N];
    int open = 0;
    for (int i = 0; i < N; i++)
        if (s_stream_open (&s[open]) == 0)
            open++;
    CU_ASSERT_EQUAL (open, N);
    char needle[64];
    snprintf (needle, sizeof needle, "onewindow_sse_clients %d", N);
    CU_ASSERT (web_it_wait_for ("/metrics", needle, 10000));
    //  Nobody reads the first stream while tickets are issued; the others get every event
    //  and the pages still answer.
    char number[16];
    web_it_issue ("G", number, sizeof number);
    char want[64];
    snprintf (want, sizeof want, "\"number\":\"%s\"", number);
    for (int i = 1; i < open; i++)
        CU_ASSERT (s_stream_wait (&s[i], "ticket.issued", want, 10000));
    web_it_resp_t r;
    CU_ASSERT (web_it_get ("/board", &r) == 0 && r.status == 200);
    web_it_resp_free (&r);
    CU_ASSERT (s_stream_wait (&s[0], "ticket.issued", want, 10000));
    for (int i = 0; i < open; i++)
        s_stream_close (&s[i]);
}

static void
test_restart_under_stream (void)
{
    s_stream_t s;
    CU_ASSERT_FATAL (s_stream_open (&s) == 0);
    CU_ASSERT_EQUAL (test_broker_stop (&web_it_hall.broker, SIGTERM), 0);
    //  The gateway notices, says so, and keeps serving.
    CU_ASSERT (web_it_wait_for ("/board?part=live", "class=\"offline\"", 20000));
    CU_ASSERT (web_it_wait_for ("/metrics", "\nonewindow_up 0\n", 20000));
    //  Trying the broker again (every 5.5 s) holds no page up: over 8 s the board answers
    //  every time at once (a worker asks whether it is back, not the mirror on the one
    //  thread, whose requests waited 1.5 s each time).
    int64_t slowest = 0, until = web_it_now_ms () + 8000;
    while (web_it_now_ms () < until) {
        int64_t t0 = web_it_now_ms ();
        web_it_resp_t b;
        CU_ASSERT (web_it_get ("/board?part=live", &b) == 0 && b.status == 200);
        web_it_resp_free (&b);
        if (web_it_now_ms () - t0 > slowest)
            slowest = web_it_now_ms () - t0;
        web_it_pause (100);
    }
    CU_ASSERT (slowest < 1000);
    if (slowest >= 1000)
        fprintf (stderr, "web_it: /board took %lld ms while the broker was away\n",
                 (long long)slowest);
    web_it_resp_t r;
    CU_ASSERT (web_it_get ("/dashboard", &r) == 0 && r.status == 200);
    web_it_resp_free (&r);
    CU_ASSERT_FATAL (test_broker_restart (&web_it_hall.broker) == 0);
    CU_ASSERT (web_it_wait_for ("/metrics", "\nonewindow_up 1\n", 30000));
    //  The stream opened before the restart carries events after it. A ticket issued while
    //  the subscription is still reconnecting reaches the mirror by a new snapshot instead,
    //  so issue until one arrives as an event.
    bool seen = false;
    for (int i = 0; i < 10 && !seen; i++) {
        char number[16], want[64];
        web_it_issue ("D", number, sizeof number);
        snprintf (want, sizeof want, "\"number\":\"%s\"", number);
        seen = s_stream_wait (&s, "ticket.issued", want, 3000);
    }
    CU_ASSERT (seen);
    CU_ASSERT (web_it_wait_for ("/metrics", "\nonewindow_waiting{service=\"D\"} ", 10000));
    s_stream_close (&s);
}

static void
test_clean_exit (void)
{
    CU_ASSERT_FATAL (s_gateway_alive ());
    int status = s_gateway_stop (SIGTERM);
    //  0: it stopped by itself, and the sanitizers found no error or leak.
    CU_ASSERT_EQUAL (status, 0);
    if (status != 0)
        s_show_log ();
}

int
test_web_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("web_it", s_init, s_clean);
    if (!s)
        return -1;
    CU_add_test (s, "--help and usage errors", test_help_and_usage);
    CU_add_test (s, "/api/snapshot and /metrics after tickets are issued",
                 test_snapshot_and_metrics);
    CU_add_test (s, "/events delivers a ticket.called event", test_sse_call);
    CU_add_test (s, "/t/TOKEN: its own ticket and case only, no ID or phone; 404s",
                 test_status_page);
    CU_add_test (s, "/kiosk issues tickets, once per request id", test_kiosk);
    CU_add_test (s, "/rate/TOKEN records a rating; a bad one is followed up", test_rating);
    CU_add_test (s, "/api/kpi: the terminal monitor's figures, on the dashboard", test_kpi);
    CU_add_test (s, "404, 405, 413, 415, garbage: the gateway goes on", test_bad_input);
    CU_add_test (s, "many /events clients, one of them not reading", test_many_streams);
    CU_add_test (s, "two doors: the public one serves citizens' pages only; logins, roles",
                 test_web_doors);
    CU_add_test (s, "headless Chromium: the login page; a phone at the public door",
                 test_web_browser_login);
    CU_add_test (s, "headless Chromium: board and dashboard DOM, screenshots", test_web_browser);
    CU_add_test (s, "headless Chromium: open pages follow calls as they happen",
                 test_web_browser_live);
    CU_add_test (s, "a busy Monday: counters, a service with no counter, alarms, a check-in",
                 test_web_pages_busy_day);
    CU_add_test (s, "/kiosk: priorities; a service with no open counter warns first",
                 test_web_pages_kiosk);
    CU_add_test (s, "/board: 8 recent calls, not the current one; the call as WAV",
                 test_web_pages_board);
    CU_add_test (s, "/dashboard: alerts, clerks, alarms that clear, charts up to now",
                 test_web_pages_dashboard);
    CU_add_test (s, "headless Chromium: layouts at wall, TV, kiosk and phone sizes; voice",
                 test_web_browser_layout);
    CU_add_test (s, "/rate/TOKEN: a level first, then a reason and a comment",
                 test_web_pages_rating);
    CU_add_test (s, "headless Chromium: the rating page on a phone", test_web_browser_rating);
    CU_add_test (s, "/t/TOKEN in each state; 关怀模式 on /t/ and /kiosk", test_web_citizen_states);
    CU_add_test (s, "/report, /report.csv: the figures of onewindow report", test_web_report);
    CU_add_test (s, "headless Chromium: /t/ in each state on a phone; /report on A4",
                 test_web_browser_citizen);
    CU_add_test (s, "the broker stopped: status pages do not hold the board up",
                 test_web_doors_broker_stopped);
    CU_add_test (s, "Host checked (421); per-client limits (429); 1,100 half-open connections",
                 test_web_doors_limits);
    CU_add_test (s, "a broker restart under a connected stream", test_restart_under_stream);
    CU_add_test (s, "SIGTERM: a clean exit, no sanitizer reports", test_clean_exit);
    return 0;
}
