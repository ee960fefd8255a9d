/*  test_web_browser.c — the web gateway's pages in headless Chromium, part of the web_it
    suite (test_web.h; the hall is started by test_web_it.c), driven over the DevTools
    protocol: the login page and a citizen's phone at the public door; then, with the
    manager's session in the browser's cookies (a citizen's page at the public door), the
    board and the dashboard as a browser builds them (their DOM), screenshots of every page
    kept in build/test/artefacts/, and pages left open while tickets are called, following
    the calls as they happen. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_web.h"

//  Chromium on a page (defined below, with the DevTools helpers).
static char *s_chromium_at (const char *what, const char *path, const char *screenshot, int width,
                            int height);

static char *
s_chromium (const char *what, const char *path, const char *screenshot)
{
    return s_chromium_at (what, path, screenshot, 0, 0);
}

//  build/test/artefacts/ in the source tree, created if needed.
static const char *
s_artefacts (void)
{
    static char dir[1024];
    const char *parts[] = {"build", "build/test", "build/test/artefacts"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf (dir, sizeof dir, "%s", test_src (parts[i]));
        if (mkdir (dir, 0755) != 0 && errno != EEXIST)
            return NULL;
    }
    return dir;
}

void
test_web_browser (void)
{
    int st;
    free (test_run ("command -v chromium >/dev/null 2>&1", &st));
    if (st != 0) {
        CU_FAIL_FATAL ("chromium is not installed: run scripts/install-deps (Debian package "
                       "'chromium') for the web gateway's browser tests");
    }
    //  Call a ticket and wait until the gateway has it.
    char number[16];
    web_it_issue ("E", number, sizeof number);
    json_t *r = web_it_call ("ticket.call_next", json_pack ("{s:i}", "counter", 1), 0);
    char called[16];
    snprintf (called, sizeof called, "%s", web_it_str (json_object_get (r, "ticket"), "number"));
    json_decref (r);
    CU_ASSERT_FATAL (called[0] != 0);
    char needle[64];
    snprintf (needle, sizeof needle, "class=\"num\">%s<", called);
    CU_ASSERT_FATAL (web_it_wait_for ("/board?part=live", needle, 10000));

    char *dom = s_chromium ("board", "/board", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (dom);
    CU_ASSERT_PTR_NOT_NULL (strstr (dom, needle));
    CU_ASSERT_PTR_NOT_NULL (strstr (dom, "号窗口办理"));
    free (dom);
    dom = s_chromium ("dashboard", "/dashboard", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (dom);
    CU_ASSERT_PTR_NOT_NULL (strstr (dom, "企业开办"));
    CU_ASSERT_PTR_NOT_NULL (strstr (dom, "<svg class=\"chart\" id=\"chart-queue\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (dom, "id=\"chart-histogram\""));
    free (dom);

    const char *dir = s_artefacts ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char status[96], rate[96];
    snprintf (status, sizeof status, "/t/%s", web_it_hall.served_token);
    snprintf (rate, sizeof rate, "/rate/%s", web_it_hall.served_token);
    const struct {
        const char *name, *path;
    } pages[] = {
        {"board", "/board"}, {"dashboard", "/dashboard"}, {"kiosk", "/kiosk"}, {"status", status},
        {"rate", rate},
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        char png[1200];
        snprintf (png, sizeof png, "%s/web-%s.png", dir, pages[i].name);
        unlink (png);
        free (s_chromium (pages[i].name, pages[i].path, png));
        struct stat sb;
        CU_ASSERT (stat (png, &sb) == 0 && sb.st_size > 1000);
        //  A PNG: the signature's first bytes.
        char *head = test_read_file (png);
        CU_ASSERT (head && memcmp (head, "\x89PNG", 4) == 0);
        free (head);
    }
}

//  Chromium driven over --remote-debugging-pipe (DevTools protocol messages, each ended by
//  a NUL, on fds 3 and 4): a page stays open while tickets are called.
typedef struct {
    pid_t pid;
    int to, from; //  our ends of the pipes
    char *buf;    //  bytes read, not yet split into messages
    size_t len, cap;
    int id;
    char session[128]; //  the page's session
} s_cdp_t;

static int
s_cdp_start (s_cdp_t *c, const char *profile)
{
    memset (c, 0, sizeof *c);
    int in[2], out[2];
    if (pipe (in) != 0)
        return -1;
    if (pipe (out) != 0) {
        close (in[0]);
        close (in[1]);
        return -1;
    }
    char dir[800];
    snprintf (dir, sizeof dir, "--user-data-dir=%s", profile);
    c->pid = fork ();
    if (c->pid == 0) {
        //  Out of the way of 3 and 4 first, then into place.
        int r = fcntl (in[0], F_DUPFD, 10), w = fcntl (out[1], F_DUPFD, 10);
        dup2 (r, 3);
        dup2 (w, 4);
        int null = open ("/dev/null", O_WRONLY);
        dup2 (null, STDOUT_FILENO);
        dup2 (null, STDERR_FILENO);
        for (int fd = 5; fd < 1024; fd++)
            close (fd);
        execlp ("chromium", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--remote-debugging-pipe",
                "--window-size=1280,720", dir, "about:blank", (char *)NULL);
        _exit (127);
    }
    close (in[0]);
    close (out[1]);
    c->to = in[1];
    c->from = out[0];
    return c->pid > 0 ? 0 : -1;
}

static void
s_cdp_stop (s_cdp_t *c)
{
    if (c->pid > 0) {
        kill (c->pid, SIGTERM);
        int64_t deadline = web_it_now_ms () + 10000;
        while (waitpid (c->pid, NULL, WNOHANG) == 0 && web_it_now_ms () < deadline)
            web_it_pause (50);
        if (waitpid (c->pid, NULL, WNOHANG) == 0) {
            kill (c->pid, SIGKILL);
            waitpid (c->pid, NULL, 0);
        }
    }
    if (c->to > 0)
        close (c->to);
    if (c->from > 0)
        close (c->from);
    free (c->buf);
    memset (c, 0, sizeof *c);
}

//  Sends a command (params taken) and returns its result (caller owns), or NULL on an
//  error reply or after timeout_ms. Events and other replies are skipped.
static json_t *
s_cdp_call (s_cdp_t *c, const char *method, json_t *params, bool session, int timeout_ms)
{
    int id = ++c->id;
    json_t *msg = json_pack ("{s:i, s:s, s:o}", "id", id, "method", method, "params",
                             params ? params : json_object ());
    if (session)
        json_object_set_new (msg, "sessionId", json_string (c->session));
    char *text = json_dumps (msg, JSON_COMPACT);
    json_decref (msg);
    bool sent = text != NULL;
    for (size_t off = 0, len = text ? strlen (text) + 1 : 0; sent && off < len;) {
        ssize_t n = write (c->to, text + off, len - off);
        sent = n > 0;
        off += sent ? (size_t)n : 0;
    }
    free (text);
    if (!sent)
        return NULL;
    int64_t deadline = web_it_now_ms () + timeout_ms;
    for (;;) {
        char *end = c->buf ? memchr (c->buf, 0, c->len) : NULL;
        while (end) {
            json_t *reply = json_loads (c->buf, 0, NULL);
            size_t used = (size_t)(end - c->buf) + 1;
            memmove (c->buf, end + 1, c->len - used);
            c->len -= used;
            if (reply && json_integer_value (json_object_get (reply, "id")) == id) {
                json_t *result = json_incref (json_object_get (reply, "result"));
                json_decref (reply);
                return result;
            }
            json_decref (reply);
            end = memchr (c->buf, 0, c->len);
        }
        struct pollfd p = {c->from, POLLIN, 0};
        int left = (int)(deadline - web_it_now_ms ());
        if (left <= 0 || poll (&p, 1, left) <= 0)
            return NULL;
        if (c->len + 65536 > c->cap) {
            c->cap = c->len + 131072;
            c->buf = realloc (c->buf, c->cap);
        }
        ssize_t n = read (c->from, c->buf + c->len, 65536);
        if (n <= 0)
            return NULL;
        c->len += (size_t)n;
    }
}

//  Opens a page target and attaches to it, the manager's session in its cookies unless
//  `anonymous` (the suite's session: web_it_hall.cookie). 0 / -1.
static int
s_cdp_page (s_cdp_t *c, bool anonymous)
{
    json_t *r = s_cdp_call (c, "Target.createTarget", json_pack ("{s:s}", "url", "about:blank"),
                            false, 30000);
    char target[128];
    snprintf (target, sizeof target, "%s", web_it_str (r, "targetId"));
    json_decref (r);
    if (!target[0])
        return -1;
    r = s_cdp_call (c, "Target.attachToTarget",
                    json_pack ("{s:s, s:b}", "targetId", target, "flatten", 1), false, 30000);
    snprintf (c->session, sizeof c->session, "%s", web_it_str (r, "sessionId"));
    json_decref (r);
    if (!c->session[0])
        return -1;
    const char *value = strchr (web_it_hall.cookie, '=');
    if (anonymous || !value)
        return 0;
    char token[100], url[64];
    snprintf (token, sizeof token, "%.*s", (int)strcspn (value + 1, "\r"), value + 1);
    snprintf (url, sizeof url, "http://127.0.0.1:%d/", web_it_hall.port);
    r = s_cdp_call (c, "Network.setCookie",
                    json_pack ("{s:s, s:s, s:s, s:s, s:b, s:s}", "name", "ow_session", "value",
                               token, "url", url, "path", "/", "httpOnly", 1, "sameSite", "Strict"),
                    true, 10000);
    bool set = json_is_true (json_object_get (r, "success"));
    json_decref (r);
    return set ? 0 : -1;
}

//  The string value of `expression` in the page ("" if it is not a string).
static char *
s_cdp_eval (s_cdp_t *c, const char *expression)
{
    json_t *r = s_cdp_call (c, "Runtime.evaluate",
                            json_pack ("{s:s, s:b}", "expression", expression, "returnByValue", 1),
                            true, 10000);
    char *v = strdup (web_it_str (json_object_get (r, "result"), "value"));
    json_decref (r);
    return v;
}

//  Waits until `expression` evaluates to a string holding `needle`.
static bool
s_cdp_wait (s_cdp_t *c, const char *expression, const char *needle, int timeout_ms)
{
    int64_t deadline = web_it_now_ms () + timeout_ms;
    while (web_it_now_ms () < deadline) {
        char *v = s_cdp_eval (c, expression);
        bool ok = v && strstr (v, needle);
        free (v);
        if (ok)
            return true;
        web_it_pause (200);
    }
    return false;
}

//  Frees counter 1 and calls the next ticket there; the number called.
static void
s_call_next (char *number, size_t size)
{
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    const json_t *c1 = json_array_get (json_object_get (snap, "counters"), 0);
    const char *state = web_it_str (c1, "state");
    if (strcmp (state, "calling") == 0 || strcmp (state, "serving") == 0) {
        if (strcmp (state, "calling") == 0)
            json_decref (web_it_call ("ticket.start", json_pack ("{s:i}", "counter", 1), 0));
        json_decref (web_it_call ("ticket.finish", json_pack ("{s:i}", "counter", 1), 0));
    }
    json_decref (snap);
    char issued[16];
    web_it_issue ("G", issued, sizeof issued);
    json_t *r = web_it_call ("ticket.call_next", json_pack ("{s:i}", "counter", 1), 0);
    snprintf (number, size, "%s", web_it_str (json_object_get (r, "ticket"), "number"));
    json_decref (r);
}

void
test_web_browser_live (void)
{
    int st;
    free (test_run ("command -v chromium >/dev/null 2>&1", &st));
    if (st != 0)
        CU_FAIL_FATAL ("chromium is not installed: run scripts/install-deps");
    char profile[700];
    snprintf (profile, sizeof profile, "%s/chromium-live", web_it_hall.broker.dir);
    //  A browser that dies must fail the test, not kill the runner with SIGPIPE.
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    sigaction (SIGPIPE, &ignore, &old);
    s_cdp_t c;
    if (s_cdp_start (&c, profile) != 0) {
        sigaction (SIGPIPE, &old, NULL);
        CU_FAIL_FATAL ("cannot start chromium");
    }
    if (s_cdp_page (&c, false) != 0) {
        CU_FAIL ("chromium gave no page over --remote-debugging-pipe");
        s_cdp_stop (&c);
        sigaction (SIGPIPE, &old, NULL);
        return;
    }
    const char *pages[] = {"/board", "/dashboard"};
    const char *where[] = {"document.querySelector('.latest').textContent",
                           "document.getElementById('counters').textContent"};
    for (size_t i = 0; i < 2; i++) {
        char url[128];
        snprintf (url, sizeof url, "http://127.0.0.1:%d%s", web_it_hall.port, pages[i]);
        json_decref (
            s_cdp_call (&c, "Page.navigate", json_pack ("{s:s}", "url", url), true, 30000));
        //  The page's stream is connected: what happens now must reach it as it happens.
        CU_ASSERT (s_cdp_wait (&c, "document.body ? document.body.getAttribute('data-live') : ''",
                               "on", 20000));
        char number[16];
        s_call_next (number, sizeof number);
        CU_ASSERT_FATAL (number[0] != 0);
        char expr[200];
        snprintf (expr, sizeof expr, "(function(){try{return %s;}catch(e){return '';}})()",
                  where[i]);
        CU_ASSERT (s_cdp_wait (&c, expr, number, 15000));
    }
    json_decref (s_cdp_call (&c, "Browser.close", NULL, false, 5000));
    s_cdp_stop (&c);
    sigaction (SIGPIPE, &old, NULL);
}

//  Opens `path` of the door at `port` in the page at `width` x `height` (a phone below
//  600 wide) and waits until it has loaded. 0 / -1.
static int
s_cdp_open_at (s_cdp_t *c, int port, const char *path, int width, int height)
{
    json_decref (s_cdp_call (c, "Emulation.setDeviceMetricsOverride",
                             json_pack ("{s:i, s:i, s:i, s:b}", "width", width, "height", height,
                                        "deviceScaleFactor", 1, "mobile", width < 600),
                             true, 10000));
    char url[160];
    snprintf (url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    json_t *r = s_cdp_call (c, "Page.navigate", json_pack ("{s:s}", "url", url), true, 30000);
    json_decref (r);
    return r && s_cdp_wait (c, "document.readyState", "complete", 20000) ? 0 : -1;
}

//  The same at the staff door.
static int
s_cdp_open (s_cdp_t *c, const char *path, int width, int height)
{
    return s_cdp_open_at (c, web_it_hall.port, path, width, height);
}

//  Evaluates a layout fact (a JavaScript expression giving "yes", or what is wrong) in the
//  page and asserts it, naming the page and the fact when it fails.
static void
s_fact (s_cdp_t *c, const char *page, const char *expression)
{
    char wrapped[2400];
    snprintf (wrapped, sizeof wrapped,
              "(function(){try{return String(%s);}catch(e){return 'error: '+e;}})()", expression);
    char *v = s_cdp_eval (c, wrapped);
    bool ok = v && strcmp (v, "yes") == 0;
    CU_ASSERT (ok);
    if (!ok)
        fprintf (stderr, "web_it: %s: %s gave '%s'\n", page, expression, v ? v : "(nothing)");
    free (v);
}

//  Writes the base64 `data` of a DevTools result `r` (taken) decoded to `path`. 0 / -1.
static int
s_cdp_save (json_t *r, const char *path)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *b64 = web_it_str (r, "data");
    size_t len = strlen (b64), n = 0;
    unsigned char *png = malloc (len / 4 * 3 + 3);
    unsigned bits = 0;
    int have = 0;
    for (size_t i = 0; png && i < len && b64[i] != '='; i++) {
        const char *d = strchr (digits, b64[i]);
        if (!d)
            break;
        bits = bits << 6 | (unsigned)(d - digits);
        have += 6;
        if (have >= 8) {
            have -= 8;
            png[n++] = (unsigned char)(bits >> have);
        }
    }
    FILE *f = png && n > 8 ? fopen (path, "wb") : NULL;
    int rc = f && fwrite (png, 1, n, f) == n ? 0 : -1;
    if (f && fclose (f) != 0)
        rc = -1;
    free (png);
    json_decref (r);
    return rc;
}

//  Writes what the page shows now as a PNG (Page.captureScreenshot) to `path`. 0 / -1.
static int
s_cdp_screenshot (s_cdp_t *c, const char *path)
{
    return s_cdp_save (
        s_cdp_call (c, "Page.captureScreenshot", json_pack ("{s:s}", "format", "png"), true, 30000),
        path);
}

//  Starts Chromium over the DevTools pipe with a profile of its own (`what`) and a page,
//  SIGPIPE ignored meanwhile (a browser that dies must fail the test, not kill the runner;
//  *old gets the action to put back), and the screenshots' directory into `dir`. 0, or -1
//  with the test failed and everything put back.
static int
s_cdp_begin (s_cdp_t *c, const char *what, char *dir, size_t size, struct sigaction *old)
{
    char profile[700];
    snprintf (profile, sizeof profile, "%s/chromium-%s", web_it_hall.broker.dir, what);
    snprintf (dir, size, "%s/screens", s_artefacts () ? s_artefacts () : ".");
    if (mkdir (dir, 0755) != 0 && errno != EEXIST) {
        CU_FAIL ("cannot make the screenshots' directory");
        return -1;
    }
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigaction (SIGPIPE, &ignore, old);
    if (s_cdp_start (c, profile) != 0 || s_cdp_page (c, strcmp (what, "staff") == 0) != 0) {
        CU_FAIL ("cannot start chromium over --remote-debugging-pipe");
        s_cdp_stop (c);
        sigaction (SIGPIPE, old, NULL);
        return -1;
    }
    return 0;
}

//  Closes the browser and puts SIGPIPE's action back.
static void
s_cdp_end (s_cdp_t *c, const struct sigaction *old)
{
    json_decref (s_cdp_call (c, "Browser.close", NULL, false, 5000));
    s_cdp_stop (c);
    sigaction (SIGPIPE, old, NULL);
}

//  Chromium on a gateway page with a profile of its own (`what`), its window `width` x
//  `height` (0: 1280x720): a citizen's page (/t/, /rate/) at the public door, any other at
//  the staff door as the manager; once its scripts have had 2 s, a screenshot to
//  `screenshot` ("" returned) or, when NULL, its DOM as HTML. Caller frees; NULL when it
//  could not.
static char *
s_chromium_at (const char *what, const char *path, const char *screenshot, int width, int height)
{
    s_cdp_t c;
    char dir[1024];
    struct sigaction old;
    if (s_cdp_begin (&c, what, dir, sizeof dir, &old) != 0)
        return NULL;
    bool citizen = strncmp (path, "/t/", 3) == 0 || strncmp (path, "/rate/", 6) == 0;
    char *out = NULL;
    if (s_cdp_open_at (&c, citizen ? web_it_hall.public_port : web_it_hall.port, path,
                       width ? width : 1280, height ? height : 720) == 0) {
        web_it_pause (2000);
        if (!screenshot)
            out = s_cdp_eval (&c, "document.documentElement.outerHTML");
        else if (s_cdp_screenshot (&c, screenshot) == 0)
            out = strdup ("");
    }
    if (!out)
        fprintf (stderr, "web_it: chromium on %s gave nothing\n", path);
    s_cdp_end (&c, &old);
    return out;
}

//  No scrolling either way: the page fits the window.
#define FITS                                                        \
    "document.documentElement.scrollHeight <= innerHeight && "      \
    "document.documentElement.scrollWidth <= innerWidth ? 'yes' : " \
    "'page ' + document.documentElement.scrollWidth + 'x' + "       \
    "document.documentElement.scrollHeight"
//  No horizontal scrolling of the page.
#define NARROW                                                                      \
    "document.documentElement.scrollWidth <= innerWidth ? 'yes' : 'page width ' + " \
    "document.documentElement.scrollWidth"
//  Element `id` is wholly in the first screen and shows all it holds (nothing clipped).
#define SHOWN(id)                                                                              \
    "(function(e){var b=e.getBoundingClientRect();return b.bottom<=innerHeight&&"              \
    "b.right<=innerWidth&&e.scrollWidth<=e.clientWidth+1?'yes':'#" id " '+"                    \
    "[b.right,b.bottom,e.scrollWidth,e.clientWidth].join(',');})(document.getElementById('" id \
    "'))"
//  The board: 8 recent calls, all on screen, none of them the current call.
#define BOARD                                                                          \
    "(function(){var now=document.querySelector('#latest .num').textContent;"          \
    "var li=[].slice.call(document.querySelectorAll('#recent li'));"                   \
    "var bad=li.filter(function(l){return l.querySelector('.num').textContent===now||" \
    "l.getBoundingClientRect().bottom>innerHeight;});"                                 \
    "return li.length===8&&!bad.length?'yes':li.length+' calls, '+bad.length+' bad';})()"

//  The element `sel` (a CSS selector) is wholly in the first screen.
#define ON_SCREEN(sel)                                                                     \
    "(function(e){var b=e.getBoundingClientRect();return b.top>=0&&b.bottom<=innerHeight?" \
    "'yes':'" sel " at '+b.top+'..'+b.bottom;})(document.querySelector('" sel "'))"

//  The pages at the sizes they are made for, in the busy hall (test_web_pages.c): what
//  must hold there, and a screenshot each in build/test/artefacts/screens/ (the ones in
//  docs/screens/ are these). Then the kiosk's warning by touch, and the board's voice.
void
test_web_browser_layout (void)
{
    static const struct {
        const char *name, *path;
        int w, h;
        const char *facts[3];
    } pages[] = {
        {"board-1920x1080", "/board", 1920, 1080, {FITS, BOARD}},
        {"board-1280x720", "/board", 1280, 720, {FITS, BOARD}},
        {"dashboard-1920x1080", "/dashboard", 1920, 1080, {FITS, SHOWN ("queues")}},
        {"dashboard-1366x768",
         "/dashboard",
         1366,
         768,
         {FITS, SHOWN ("queues"), SHOWN ("counter-panel")}},
        {"dashboard-390x844", "/dashboard", 390, 844, {NARROW, SHOWN ("services")}},
        {"kiosk-1080x1920", "/kiosk", 1080, 1920, {FITS}},
        {"kiosk-390x844", "/kiosk", 390, 844, {NARROW}},
    };
    char dir[1100];
    struct sigaction old;
    s_cdp_t c;
    if (s_cdp_begin (&c, "layout", dir, sizeof dir, &old) != 0)
        return;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        CU_ASSERT_FATAL (s_cdp_open (&c, pages[i].path, pages[i].w, pages[i].h) == 0);
        for (size_t k = 0; k < 3 && pages[i].facts[k]; k++)
            s_fact (&c, pages[i].name, pages[i].facts[k]);
        char png[1300];
        snprintf (png, sizeof png, "%s/%s.png", dir, pages[i].name);
        unlink (png);
        free (s_chromium_at (pages[i].name, pages[i].path, png, pages[i].w, pages[i].h));
        struct stat sb;
        CU_ASSERT (stat (png, &sb) == 0 && sb.st_size > 1000);
    }
    //  A touch on a service with no open counter: the warning, then the slip; and the
    //  check-in page; on a phone, photographed.
    char shot[1300];
    CU_ASSERT_FATAL (s_cdp_open (&c, "/kiosk", 390, 844) == 0);
    s_fact (&c, "kiosk", "document.querySelector('button.svc.closed').click() || 'yes'");
    CU_ASSERT (
        s_cdp_wait (&c, "document.getElementById('no-counter') ? 'warned' : ''", "warned", 20000));
    s_fact (&c, "kiosk warning", NARROW);
    snprintf (shot, sizeof shot, "%s/kiosk-no-counter-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    s_fact (&c, "kiosk", "document.getElementById('confirm').click() || 'yes'");
    CU_ASSERT (s_cdp_wait (&c, "document.getElementById('slip') ? 'slip' : ''", "slip", 20000));
    snprintf (shot, sizeof shot, "%s/kiosk-slip-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    CU_ASSERT_FATAL (s_cdp_open (&c, "/kiosk/checkin", 390, 844) == 0);
    s_fact (&c, "check-in", NARROW);
    snprintf (shot, sizeof shot, "%s/kiosk-checkin-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    //  The board, its voice turned on by a click, says the next call.
    CU_ASSERT_FATAL (s_cdp_open (&c, "/board", 1280, 720) == 0);
    CU_ASSERT (s_cdp_wait (&c, "document.body.getAttribute('data-live') || ''", "on", 20000));
    json_decref (
        s_cdp_call (&c, "Runtime.evaluate",
                    json_pack ("{s:s, s:b}", "expression",
                               "document.getElementById('voice').click()", "userGesture", 1),
                    true, 10000));
    s_fact (&c, "board", "document.body.getAttribute('data-voice-on') === 'on' ? 'yes' : 'off'");
    char number[16], said[48];
    s_call_next (number, sizeof number);
    snprintf (said, sizeof said, "请 %s 号到 1 号窗口办理", number);
    CU_ASSERT (s_cdp_wait (&c, "document.body.getAttribute('data-said') || ''", said, 20000));
    s_cdp_end (&c, &old);
}

//  The rating page on a phone as plain forms (the page's scripts off): step 1 shows the five
//  levels and nothing else to tap; a level leads to step 2, whose reasons, comment box and
//  button fit the first screen; a reason and a comment are submitted. Both steps are
//  photographed into build/test/artefacts/screens/ (docs/screens/rate-*.png are these).
void
test_web_browser_rating (void)
{
    char token[PROTO_TOKEN_LEN + 1], path[128], dir[1100], shot[1300];
    test_web_pages_finished_visit (token, sizeof token);
    snprintf (path, sizeof path, "/rate/%s", token);
    struct sigaction old;
    s_cdp_t c;
    if (s_cdp_begin (&c, "rating", dir, sizeof dir, &old) != 0)
        return;
    json_decref (s_cdp_call (&c, "Emulation.setScriptExecutionDisabled",
                             json_pack ("{s:b}", "value", 1), true, 10000));
    CU_ASSERT_FATAL (s_cdp_open (&c, path, 390, 844) == 0);
    s_fact (&c, "rate", NARROW);
    s_fact (&c, "rate", ON_SCREEN ("#levels button.l1"));
    s_fact (&c, "rate",
            "document.querySelectorAll('#levels button').length === 5 && "
            "!document.querySelector('textarea') ? 'yes' : 'not five levels alone'");
    snprintf (shot, sizeof shot, "%s/rate-levels-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    s_fact (&c, "rate", "document.querySelector('#levels button.l2').click() || 'yes'");
    CU_ASSERT (
        s_cdp_wait (&c, "document.getElementById('reasons') ? 'step 2' : ''", "step 2", 20000));
    s_fact (&c, "rate, step 2", NARROW);
    s_fact (&c, "rate, step 2", ON_SCREEN ("#submit"));
    snprintf (shot, sizeof shot, "%s/rate-reason-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    s_fact (&c, "rate, step 2", "document.querySelector('input[value=wait]').click() || 'yes'");
    s_fact (&c, "rate, step 2",
            "(document.querySelector('textarea').value = '排队一个多小时') && 'yes'");
    s_fact (&c, "rate, step 2", "document.getElementById('submit').click() || 'yes'");
    CU_ASSERT (
        s_cdp_wait (&c, "document.getElementById('follow-up') ? 'thanks' : ''", "thanks", 20000));
    CU_ASSERT (web_it_wait_for ("/api/ratings?state=open", "【等候时间长】排队一个多小时", 10000));
    s_cdp_end (&c, &old);
}

//  The citizen's pages of test_web_citizen.c on a phone, one per state: nothing wider than
//  the screen; a result in the cabinet shows its pickup code and QR code in the first
//  screen; 关怀模式 has type of 24 px and more. Then the kiosk in 关怀模式 (the cookie the
//  last page set keeps it), and the report printed: one A4 landscape page, photographed
//  as printed. Screenshots in build/test/artefacts/screens/ (docs/screens/ has these).
void
test_web_browser_citizen (void)
{
    char dir[1100], shot[1300];
    CU_ASSERT_FATAL (web_it_hall.ncitizen >= 8);
    struct sigaction old;
    s_cdp_t c;
    if (s_cdp_begin (&c, "citizen", dir, sizeof dir, &old) != 0)
        return;
    for (int i = 0; i < web_it_hall.ncitizen; i++) {
        const char *name = web_it_hall.citizen[i].name;
        CU_ASSERT_FATAL (s_cdp_open (&c, web_it_hall.citizen[i].path, 390, 844) == 0);
        s_fact (&c, name, NARROW);
        if (strncmp (name, "ready", 5) == 0) {
            s_fact (&c, name, ON_SCREEN ("#pickup-code"));
            s_fact (&c, name, ON_SCREEN ("#pickup svg.qr"));
        }
        if (strstr (name, "care"))
            s_fact (&c, name,
                    "parseFloat(getComputedStyle(document.body).fontSize) >= 24 ? 'yes' : "
                    "getComputedStyle(document.body).fontSize");
        snprintf (shot, sizeof shot, "%s/status-%s-390x844.png", dir, name);
        CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    }
    CU_ASSERT_FATAL (s_cdp_open (&c, "/kiosk", 1080, 1920) == 0);
    s_fact (&c, "kiosk, care",
            "document.body.className === 'kiosk care' && "
            "parseFloat(getComputedStyle(document.body).fontSize) >= 24 ? 'yes' : "
            "document.body.className");
    s_fact (&c, "kiosk, care", FITS);
    snprintf (shot, sizeof shot, "%s/kiosk-care-1080x1920.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    //  The report as printed: its PDF (A4 landscape as the page asks) is one page.
    CU_ASSERT_FATAL (s_cdp_open (&c, "/report?day=2026-11-30", 1123, 794) == 0);
    char pdf[1300];
    snprintf (pdf, sizeof pdf, "%s/report.pdf", dir);
    CU_ASSERT (s_cdp_save (s_cdp_call (&c, "Page.printToPDF",
                                       json_pack ("{s:b, s:b}", "preferCSSPageSize", 1,
                                                  "printBackground", 1),
                                       true, 60000),
                           pdf) == 0);
    char cmd[1500];
    snprintf (cmd, sizeof cmd, "grep -a -o -e '/Count [0-9]*' -e '/MediaBox \\[0 0 [0-9]*' '%s'",
              pdf);
    int st;
    //  The page tree's count and each page's width in points (A4 landscape: 841.92), in
    //  whichever order the file has them: one of each.
    char *pages = test_run (cmd, &st);
    bool one = pages && strstr (pages, "/Count 1\n") && strstr (pages, "/MediaBox [0 0 841\n") &&
               strlen (pages) == strlen ("/Count 1\n/MediaBox [0 0 841\n");
    CU_ASSERT (one);
    if (!one)
        fprintf (stderr, "\n    the report's PDF: %s\n", pages ? pages : "(unreadable)");
    free (pages);
    json_decref (s_cdp_call (&c, "Emulation.setEmulatedMedia",
                             json_pack ("{s:s}", "media", "print"), true, 10000));
    s_fact (&c, "report, printed", FITS);
    snprintf (shot, sizeof shot, "%s/report-a4-1123x794.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, shot) == 0);
    s_cdp_end (&c, &old);
}

//  The login page at a desktop's and a phone's size, a wrong password and the right one;
//  then, in the same browser (the manager's cookie in it), a citizen's phone at the public
//  door, which serves the status page and nothing of the staff's. Screenshots
//  login-*.png.
void
test_web_browser_login (void)
{
    s_cdp_t c;
    char dir[1024], png[1200];
    struct sigaction old;
    if (s_cdp_begin (&c, "staff", dir, sizeof dir, &old) != 0)
        return;
    CU_ASSERT (s_cdp_open (&c, "/dashboard", 1280, 800) == 0);
    s_fact (&c, "login",
            "location.pathname + location.search === '/login?next=/dashboard' ? "
            "'yes' : location.href");
    s_fact (&c, "login", "document.title === '工作人员登录' ? 'yes' : document.title");
    s_fact (&c, "login",
            "document.querySelector('input[name=password]').type === 'password' ? "
            "'yes' : 'the password shows'");
    s_fact (&c, "login", FITS);
    snprintf (png, sizeof png, "%s/login-1280x800.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, png) == 0);
    CU_ASSERT (s_cdp_open (&c, "/login", 390, 844) == 0);
    s_fact (&c, "login (phone)", FITS);
    snprintf (png, sizeof png, "%s/login-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, png) == 0);
    //  A wrong password: said clearly, the name kept.
    free (s_cdp_eval (&c, "(function(){var f=document.querySelector('.login-form');"
                          "f.elements.user.value='boss';f.elements.password.value='wrong-one';"
                          "f.submit();return '';})()"));
    CU_ASSERT (s_cdp_wait (&c,
                           "(function(){var e=document.querySelector('.login-error');"
                           "return e?e.textContent:'';})()",
                           "用户名或密码不正确", 20000));
    s_fact (&c, "login (refused)",
            "document.querySelector('input[name=user]').value === 'boss' "
            "? 'yes' : 'name lost'");
    s_fact (&c, "login (refused)", ON_SCREEN (".login-error"));
    snprintf (png, sizeof png, "%s/login-error-390x844.png", dir);
    CU_ASSERT (s_cdp_screenshot (&c, png) == 0);
    free (s_cdp_eval (&c, "(function(){var f=document.querySelector('.login-form');"
                          "f.elements.password.value='" WEB_IT_PASSWORD "';"
                          "f.submit();return '';})()"));
    CU_ASSERT (s_cdp_wait (&c, "location.pathname", "/dashboard", 20000));
    CU_ASSERT (s_cdp_wait (&c, "document.readyState", "complete", 20000));
    s_fact (&c, "dashboard",
            "document.cookie.indexOf('ow_session') < 0 ? 'yes' : 'a script "
            "reads the session'");

    //  A citizen's phone at the public door.
    const char *staff[] = {"/dashboard",    "/login",       "/kiosk",   "/board",
                           "/api/snapshot", "/api/ratings", "/metrics", "/"};
    char url[200];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/t/%s", web_it_hall.public_port,
              web_it_hall.served_token);
    json_decref (s_cdp_call (&c, "Page.navigate", json_pack ("{s:s}", "url", url), true, 30000));
    char expr[300];
    snprintf (expr, sizeof expr, "document.body ? document.body.textContent : ''");
    CU_ASSERT (s_cdp_wait (&c, expr, web_it_hall.served, 20000));
    for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++) {
        snprintf (url, sizeof url, "http://127.0.0.1:%d%s", web_it_hall.public_port, staff[i]);
        json_decref (
            s_cdp_call (&c, "Page.navigate", json_pack ("{s:s}", "url", url), true, 30000));
        bool refused = s_cdp_wait (&c, expr, "找不到页面", 20000);
        CU_ASSERT (refused);
        if (!refused)
            fprintf (stderr, "web_it: the public door showed %s\n", staff[i]);
    }
    s_cdp_end (&c, &old);
}
