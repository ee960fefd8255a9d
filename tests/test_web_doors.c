/*  test_web_doors.c — the gateway's two doors, part of the web_it suite (test_web.h; the
    hall is started by test_web_it.c): the public door serves the citizens' pages and
    nothing else, even to a staff session; the staff door serves each page to a logged-in
    account whose role it lists (401, 303 to /login, 403), accounts made with --add-user
    (argon2id, 0600), sessions as HttpOnly SameSite=Strict cookies that a logout or a new
    password ends. A second gateway of its own (fresh limits, --allowed-host) takes the
    attacks: a Host that is no name of its (421), request, ticket, token and login floods
    (429 with Retry-After), 1,100 half-open connections from one client while another
    reads /board. And with the broker stopped, ten citizens' status pages do not hold the
    board up (they waited for the broker on the gateway's one thread: 14.7 s). */
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_web.h"

//  ---------------------------------------------------------------------------------------
//  Accounts and logins

int
web_it_add_user (const char *spec, const char *password)
{
    char cmd[1600];
    snprintf (cmd, sizeof cmd, "printf '%%s\\n' '%s' | '%s' --users '%s' --add-user '%s' 2>&1",
              password, test_bin ("onewindow-web"), web_it_hall.users, spec);
    int st;
    char *out = test_run (cmd, &st);
    if (st != 0 && st != 2) //  2: a usage error, which the tests make on purpose
        fprintf (stderr, "web_it: --add-user %s: %s\n", spec, out ? out : "");
    free (out);
    return st;
}

int
web_it_login (int port, const char *user, const char *password, char *cookie, size_t size)
{
    char form[200], value[300];
    snprintf (form, sizeof form, "user=%s&password=%s", user, password);
    cookie[0] = 0;
    web_it_resp_t r;
    if (web_it_request (port, "POST", "/login", "", form, &r) != 0)
        return -1;
    web_it_header (&r, "Set-Cookie", value, sizeof value);
    size_t len = strcspn (value, ";");
    if (r.status == 303 && strncmp (value, "ow_session=", 11) == 0 && len > 11)
        snprintf (cookie, size, "Cookie: %.*s\r\n", (int)len, value);
    int status = r.status;
    web_it_resp_free (&r);
    return status;
}

//  GET (or POST `form`) `path` on `port` with `cookie`; the status (-1: no answer).
static int
s_status (int port, const char *cookie, const char *path, const char *form)
{
    web_it_resp_t r;
    int rc = web_it_request (port, form ? "POST" : "GET", path, cookie, form, &r);
    int status = rc == 0 ? r.status : -1;
    web_it_resp_free (&r);
    return status;
}

//  Asserts `path` answers `want` on `port` with `cookie`, naming both when not.
static void
s_expect (int port, const char *cookie, const char *who, const char *path, const char *form,
          int want)
{
    int got = s_status (port, cookie, path, form);
    CU_ASSERT_EQUAL (got, want);
    if (got != want)
        fprintf (stderr, "web_it: %s %s %s as %s: %d, not %d\n", form ? "POST" : "GET", path,
                 port == web_it_hall.port ? "(staff door)" : "(public door)", who, got, want);
}

//  Logs `user` in (its account may be new: the gateway looks at the file once a second).
static void
s_login (const char *user, const char *password, char *cookie, size_t size)
{
    web_it_pause (1100);
    CU_ASSERT_EQUAL (web_it_login (web_it_hall.port, user, password, cookie, size), 303);
    CU_ASSERT (cookie[0] != 0);
}

//  ---------------------------------------------------------------------------------------
//  The doors

//  What the public door serves, and what it does not: everything of the staff's is a 404
//  there, whoever asks.
static void
s_public_door (void)
{
    int pub = web_it_hall.public_port;
    char path[128];
    snprintf (path, sizeof path, "/t/%s", web_it_hall.served_token);
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_request (pub, "GET", path, "", NULL, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, web_it_hall.served));
    //  No event stream there: the page asks again every 20 s.
    CU_ASSERT_PTR_NULL (strstr (r.body, "data-topics"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "data-every=\"20\""));
    web_it_resp_free (&r);
    snprintf (path, sizeof path, "/rate/%s", web_it_hall.served_token);
    s_expect (pub, "", "a citizen", path, NULL, 200);
    s_expect (pub, "", "a citizen", "/assets/app.css", NULL, 200);
    s_expect (pub, "", "a citizen", "/assets/app.js", NULL, 200);
    const char *staff[] = {
        "/",
        "/login",
        "/dashboard",
        "/board",
        "/kiosk",
        "/report",
        "/report.csv",
        "/api/snapshot",
        "/api/ratings",
        "/api/kpi",
        "/api/history",
        "/api/charts",
        "/events",
        "/metrics",
        "/voice/A001",
        "/kiosk/checkin",
    };
    char status_api[128];
    snprintf (status_api, sizeof status_api, "/api/status/%s", web_it_hall.served_token);
    for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++) {
        s_expect (pub, "", "a citizen", staff[i], NULL, 404);
        s_expect (pub, web_it_hall.cookie, "the manager", staff[i], NULL, 404);
    }
    s_expect (pub, web_it_hall.cookie, "the manager", status_api, NULL, 404);
    s_expect (pub, web_it_hall.cookie, "the manager", "/kiosk", "service=A", 404);
    s_expect (pub, "", "a citizen", "/login", "user=boss&password=" WEB_IT_PASSWORD, 404);
}

//  The staff door without a session: a page goes to the login, the rest is 401.
static void
s_no_session (void)
{
    int port = web_it_hall.port;
    s_expect (port, "", "nobody", "/api/snapshot", NULL, 401);
    s_expect (port, "", "nobody", "/api/ratings", NULL, 401);
    s_expect (port, "", "nobody", "/metrics", NULL, 401);
    s_expect (port, "", "nobody", "/kiosk", "service=A", 401);
    s_expect (port, "Cookie: ow_session=0123456789abcdef\r\n", "a made-up session", "/api/snapshot",
              NULL, 401);
    web_it_resp_t r;
    char value[200];
    CU_ASSERT_FATAL (web_it_request (port, "GET", "/dashboard", "", NULL, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 303);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Location", value, sizeof value),
                            "/login?next=/dashboard");
    web_it_resp_free (&r);
    //  The citizens' pages need no login on the staff door either.
    char path[128];
    snprintf (path, sizeof path, "/t/%s", web_it_hall.served_token);
    s_expect (port, "", "a citizen", path, NULL, 200);
    //  A wrong password and an unknown name: the same answer, no session.
    const char *tries[] = {"user=boss&password=wrong-password", "user=nobody&password=x12345678"};
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT_FATAL (web_it_request (port, "POST", "/login", "", tries[i], &r) == 0);
        CU_ASSERT_EQUAL (r.status, 401);
        CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "用户名或密码不正确"));
        CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Set-Cookie", value, sizeof value), "");
        web_it_resp_free (&r);
    }
    //  The manager's cookie: HttpOnly, SameSite=Strict, an expiry.
    CU_ASSERT_FATAL (web_it_request (port, "POST", "/login", "",
                                     "user=boss&password=" WEB_IT_PASSWORD "&next=/report",
                                     &r) == 0);
    CU_ASSERT_EQUAL (r.status, 303);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Location", value, sizeof value), "/report");
    web_it_header (&r, "Set-Cookie", value, sizeof value);
    CU_ASSERT_PTR_NOT_NULL (strstr (value, "; HttpOnly"));
    CU_ASSERT_PTR_NOT_NULL (strstr (value, "; SameSite=Strict"));
    CU_ASSERT_PTR_NOT_NULL (strstr (value, "; Max-Age=43200"));
    web_it_resp_free (&r);
    //  Never on to another site.
    CU_ASSERT_FATAL (web_it_request (port, "POST", "/login", "",
                                     "user=boss&password=" WEB_IT_PASSWORD "&next=//evil.example/x",
                                     &r) == 0);
    CU_ASSERT_STRING_EQUAL (web_it_header (&r, "Location", value, sizeof value), "/dashboard");
    web_it_resp_free (&r);
}

void
test_web_doors (void)
{
    CU_ASSERT_FATAL (web_it_hall.served_token[0] != 0);
    s_public_door ();
    s_no_session ();
    //  The accounts file: the manager's line, argon2id, 0600.
    struct stat st;
    CU_ASSERT (stat (web_it_hall.users, &st) == 0 && (st.st_mode & 0777) == 0600);
    char *users = test_read_file (web_it_hall.users);
    CU_ASSERT_PTR_NOT_NULL (users && strstr (users, "boss:manager:$argon2id$"));
    CU_ASSERT_PTR_NULL (users ? strstr (users, WEB_IT_PASSWORD) : "");
    free (users);
    CU_ASSERT_EQUAL (web_it_add_user ("bad name:clerk", "password-1"), 2);
    CU_ASSERT_EQUAL (web_it_add_user ("someone:janitor", "password-1"), 2);
    CU_ASSERT_EQUAL (web_it_add_user ("someone:clerk", "short"), 2);

    //  Each role sees its own pages.
    CU_ASSERT_FATAL (web_it_add_user ("clerk1:clerk", "clerk-password") == 0);
    CU_ASSERT_FATAL (web_it_add_user ("kiosk1:kiosk", "kiosk-password") == 0);
    CU_ASSERT_FATAL (web_it_add_user ("tv1:board", "board-password") == 0);
    char clerk[160], kiosk[160], board[160];
    s_login ("clerk1", "clerk-password", clerk, sizeof clerk);
    s_login ("kiosk1", "kiosk-password", kiosk, sizeof kiosk);
    s_login ("tv1", "board-password", board, sizeof board);
    int port = web_it_hall.port;
    const struct {
        const char *who, *cookie;
        const char *yes[4], *no[8];
    } roles[] = {
        {"a board screen",
         board,
         {"/board", "/assets/board.js"},
         {"/dashboard", "/kiosk", "/api/snapshot", "/api/ratings", "/report", "/metrics", "/"}},
        {"a kiosk screen",
         kiosk,
         {"/kiosk", "/kiosk/checkin"},
         {"/board", "/dashboard", "/api/snapshot", "/api/ratings", "/report", "/metrics", "/"}},
        {"a clerk",
         clerk,
         {"/dashboard", "/board", "/api/charts", "/"},
         {"/kiosk", "/api/snapshot", "/api/ratings", "/report", "/report.csv", "/metrics",
          "/api/kpi"}},
    };
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        for (size_t k = 0; k < 4 && roles[i].yes[k]; k++)
            s_expect (port, roles[i].cookie, roles[i].who, roles[i].yes[k], NULL, 200);
        for (size_t k = 0; k < 8 && roles[i].no[k]; k++)
            s_expect (port, roles[i].cookie, roles[i].who, roles[i].no[k], NULL, 403);
    }
    //  A kiosk may post its form (a service that does not exist: no ticket), a board not.
    s_expect (port, kiosk, "a kiosk screen", "/kiosk", "service=Z", 400);
    s_expect (port, board, "a board screen", "/kiosk", "service=Z", 403);
    //  A logout ends the session; a new password ends the old one's.
    s_expect (port, clerk, "a clerk", "/logout", "x=1", 303);
    s_expect (port, clerk, "a logged-out clerk", "/dashboard", NULL, 303);
    CU_ASSERT (web_it_add_user ("tv1:board", "new-board-password") == 0);
    web_it_pause (1100);
    s_expect (port, board, "a board with an old password", "/board", NULL, 303);
    s_expect (port, kiosk, "a kiosk screen", "/kiosk", NULL, 200);
}

//  ---------------------------------------------------------------------------------------
//  The broker stopped

void
test_web_doors_broker_stopped (void)
{
    char path[128], req[400];
    snprintf (path, sizeof path, "/t/%s", web_it_hall.served_token);
    CU_ASSERT_FATAL (web_it_wait_for (path, web_it_hall.served, 10000));
    CU_ASSERT_FATAL (kill (web_it_hall.broker.pid, SIGSTOP) == 0);
    //  Ten citizens open their status page at the public door, and do not wait.
    enum { N = 10 };
    int fds[N];
    snprintf (req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    for (int i = 0; i < N; i++) {
        fds[i] = web_it_connect (web_it_hall.public_port);
        if (fds[i] >= 0)
            web_it_send_all (fds[i], req, strlen (req));
    }
    web_it_pause (300);
    //  The board answers meanwhile (before: 14.7 s). At most once, the mirror's own
    //  request that finds the broker gone holds the loop up for its timeout (about 1.5 s
    //  here); the status pages' requests never do.
    int64_t t0 = web_it_now_ms ();
    web_it_resp_t r;
    CU_ASSERT (web_it_get ("/board?part=live", &r) == 0 && r.status == 200);
    web_it_resp_free (&r);
    int64_t took = web_it_now_ms () - t0;
    CU_ASSERT (took < 3000);
    if (took >= 3000)
        fprintf (stderr, "web_it: /board took %lld ms with the broker stopped\n", (long long)took);
    //  The status pages: 503 once the broker has not answered in time.
    int unavailable = 0;
    for (int i = 0; i < N; i++) {
        char buf[256] = "";
        struct pollfd p = {fds[i], POLLIN, 0};
        if (fds[i] >= 0 && poll (&p, 1, 20000) == 1 && recv (fds[i], buf, sizeof buf - 1, 0) > 0)
            unavailable +=
                strncmp (buf, "HTTP/1.0 503", 12) == 0 || strncmp (buf, "HTTP/1.1 503", 12) == 0;
        if (fds[i] >= 0)
            close (fds[i]);
    }
    CU_ASSERT_EQUAL (unavailable, N);
    kill (web_it_hall.broker.pid, SIGCONT);
    CU_ASSERT (web_it_wait_for (path, web_it_hall.served, 20000));
}

//  ---------------------------------------------------------------------------------------
//  A second gateway for the attacks

static pid_t s_gw;
static int s_port, s_public; //  its staff and public doors

//  Starts a gateway of its own (fresh limits; --allowed-host hall.example; a public door
//  behind a trusted proxy, 127.0.0.1). 0 / -1.
static int
s_gateway_start (void)
{
    s_port = web_it_free_port ();
    s_public = web_it_free_port ();
    char http[64], pub[64], log[800];
    snprintf (http, sizeof http, "127.0.0.1:%d", s_port);
    snprintf (pub, sizeof pub, "127.0.0.1:%d", s_public);
    snprintf (log, sizeof log, "%s/web-doors.log", web_it_hall.broker.dir);
    s_gw = fork ();
    if (s_gw == 0) {
        int fd = open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
            close (fd);
        }
        execl (test_bin ("onewindow-web"), "onewindow-web", "--listen-staff", http,
               "--listen-public", pub, "--trusted-proxy", "127.0.0.1", "--users", web_it_hall.users,
               "--broker", web_it_hall.broker.req, "--allowed-host", "hall.example", (char *)NULL);
        _exit (127);
    }
    int64_t deadline = web_it_now_ms () + 30000;
    while (s_gw > 0 && web_it_now_ms () < deadline) {
        if (s_status (s_port, "", "/login", NULL) == 200)
            return 0;
        web_it_pause (100);
    }
    return -1;
}

static void
s_gateway_stop (void)
{
    if (s_gw <= 0)
        return;
    kill (s_gw, SIGTERM);
    int st = 0;
    waitpid (s_gw, &st, 0);
    CU_ASSERT (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    s_gw = 0;
}

//  GET `path` to the second gateway with Host `host`; the status.
static int
s_with_host (const char *host, const char *path)
{
    char req[300];
    snprintf (req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
              host);
    int fd = web_it_connect (s_port);
    char buf[64] = "";
    int status = -1;
    struct pollfd p = {fd, POLLIN, 0};
    if (fd >= 0 && web_it_send_all (fd, req, strlen (req)) && poll (&p, 1, 20000) == 1 &&
        recv (fd, buf, sizeof buf - 1, 0) > 0)
        sscanf (buf, "HTTP/1.%*d %d", &status);
    if (fd >= 0)
        close (fd);
    return status;
}

//  Sends the same request until a 429 comes back (at most `max`); how many passed, and
//  the 429's Retry-After in *after (0 when none came).
static int
s_flood (const char *cookie, const char *path, const char *form, int max, int *after)
{
    *after = 0;
    for (int i = 0; i < max; i++) {
        web_it_resp_t r;
        char value[32];
        if (web_it_request (s_port, form ? "POST" : "GET", path, cookie, form, &r) != 0)
            return -1;
        if (r.status == 429)
            *after = atoi (web_it_header (&r, "Retry-After", value, sizeof value));
        web_it_resp_free (&r);
        if (*after)
            return i;
    }
    return max;
}

//  A connection from 127.0.0.2: another client than the flood's 127.0.0.1.
static int
s_connect_other (void)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
    from.sin_addr.s_addr = htonl (0x7f000002);
    to.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    to.sin_port = htons ((uint16_t)s_port);
    if (fd >= 0 && (bind (fd, (struct sockaddr *)&from, sizeof from) != 0 ||
                    connect (fd, (struct sockaddr *)&to, sizeof to) != 0)) {
        close (fd);
        fd = -1;
    }
    return fd;
}

//  1,100 connections from one client that send half a request and wait; another client
//  reads /board meanwhile.
static void
s_half_open (const char *cookie)
{
    enum { N = 1100 };
    struct rlimit rl;
    getrlimit (RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < N + 100) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit (RLIMIT_NOFILE, &rl);
    }
    CU_ASSERT_FATAL (rl.rlim_cur >= N + 100);
    static int fds[N];
    int open = 0;
    for (int i = 0; i < N; i++) {
        fds[i] = web_it_connect (s_port);
        if (fds[i] < 0)
            continue;
        open++;
        web_it_send_all (fds[i], "GET /board HTTP/1.1\r\nHost: 127.0.0.1\r\n", 38);
    }
    CU_ASSERT (open > 1000);
    char req[400];
    snprintf (req, sizeof req, "GET /board HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n", cookie);
    int64_t t0 = web_it_now_ms ();
    int fd = s_connect_other ();
    char buf[64] = "";
    struct pollfd p = {fd, POLLIN, 0};
    bool served = fd >= 0 && web_it_send_all (fd, req, strlen (req)) && poll (&p, 1, 10000) == 1 &&
                  recv (fd, buf, sizeof buf - 1, 0) > 0 && strstr (buf, " 200 ");
    CU_ASSERT (served);
    CU_ASSERT (web_it_now_ms () - t0 < 3000);
    if (fd >= 0)
        close (fd);
    for (int i = 0; i < N; i++)
        if (fds[i] >= 0)
            close (fds[i]);
}

void
test_web_doors_limits (void)
{
    CU_ASSERT_FATAL (s_gateway_start () == 0);
    //  Host: an address, localhost or the name it was given; nothing else (DNS rebinding).
    CU_ASSERT_EQUAL (s_with_host ("127.0.0.1", "/login"), 200);
    CU_ASSERT_EQUAL (s_with_host ("localhost:8080", "/login"), 200);
    CU_ASSERT_EQUAL (s_with_host ("hall.example", "/login"), 200);
    CU_ASSERT_EQUAL (s_with_host ("HALL.example:80", "/login"), 200);
    CU_ASSERT_EQUAL (s_with_host ("[::1]:80", "/login"), 200);
    CU_ASSERT_EQUAL (s_with_host ("attacker.example", "/login"), 421);
    CU_ASSERT_EQUAL (s_with_host ("hall.example.attacker.example", "/login"), 421);
    CU_ASSERT_EQUAL (s_with_host ("127.0.0.1:80:80", "/login"), 421);
    web_it_resp_t r;
    CU_ASSERT (web_it_raw ("GET /login HTTP/1.0\r\n\r\n", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    char cookie[160];
    CU_ASSERT_FATAL (web_it_login (s_port, "boss", WEB_IT_PASSWORD, cookie, sizeof cookie) == 303);
    //  A form whose Origin is the validated Host is accepted; another site's is not.
    char raw[600];
    snprintf (raw, sizeof raw,
              "POST /kiosk HTTP/1.0\r\nHost: hall.example\r\nOrigin: http://hall.example\r\n%s"
              "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n"
              "service=Z",
              cookie);
    int fd = web_it_connect (s_port);
    char buf[64] = "";
    struct pollfd p = {fd, POLLIN, 0};
    CU_ASSERT (fd >= 0 && web_it_send_all (fd, raw, strlen (raw)) && poll (&p, 1, 20000) == 1 &&
               recv (fd, buf, sizeof buf - 1, 0) > 0 && strstr (buf, " 400 "));
    if (fd >= 0)
        close (fd);

    //  Tickets: 300 presses in a burst issued 300; now 20, then 429 (a service that does
    //  not exist: the hall gets no ticket, the bucket is the same).
    int after;
    int passed = s_flood (cookie, "/kiosk", "service=Z", 300, &after);
    CU_ASSERT (passed >= 19 && passed <= 21);
    CU_ASSERT (after >= 1 && after <= 3);
    //  Guessing tokens: 20, then 429.
    char guess[64];
    snprintf (guess, sizeof guess, "/t/%s", "AAAAAAAAAAAAAAAAAAAAAAAAAA");
    passed = s_flood ("", guess, NULL, 300, &after);
    CU_ASSERT (passed >= 19 && passed <= 21);
    CU_ASSERT (after >= 1 && after <= 6);
    //  Behind the trusted proxy, each citizen its own: the guesser (as X-Forwarded-For
    //  names it) is refused, another citizen is not.
    int guessed = 0;
    for (int i = 0; i < 40 && s_status (s_public, "X-Forwarded-For: 1.2.3.4, 10.0.0.1\r\n", guess,
                                        NULL) != 429;
         i++)
        guessed++;
    CU_ASSERT (guessed >= 19 && guessed <= 21);
    CU_ASSERT_EQUAL (s_status (s_public, "X-Forwarded-For: 10.0.0.2\r\n", guess, NULL), 404);
    //  Logins: 10, then 429.
    passed = s_flood ("", "/login", "user=boss&password=guess-guess", 100, &after);
    CU_ASSERT (passed >= 9 && passed <= 11);
    //  Any request: 120 at once and 20 a second (the floods above took some already).
    int64_t t0 = web_it_now_ms ();
    passed = s_flood ("", "/assets/app.css", NULL, 5000, &after);
    double secs = (double)(web_it_now_ms () - t0) / 1000.0;
    CU_ASSERT (after > 0);
    CU_ASSERT (passed <= 120 + 20 * secs + 5);

    s_half_open (cookie);
    s_gateway_stop ();
}
