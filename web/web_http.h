/*  web_http.h — the gateway's HTTP server: libmicrohttpd without a thread of its own, one
    route table that drives dispatch, method checks, error pages and --help, and the
    responses every handler sends.

    MHD runs with MHD_USE_EPOLL and external polling: the main loop polls web_http_fd
    beside the mirror's socket and calls web_http_run. A request is routed when its headers
    are in; its handler is called once the whole request (and form body) has arrived, so a
    kept-alive connection stays open. Handlers return what an MHD access handler returns:
    the result of one of the web_send_* calls below (MHD_NO drops the connection).

    The route table is data, given by the caller (web_routes.c): this module never calls a
    page by name. A route's path is exact ("/board"), or ends in "/TOKEN" for any one
    further path segment, the request's argument (/t/TOKEN matches /t/ABC...); an overlong
    or nested argument is left empty, so the handler answers 404. GET routes answer HEAD too, unless
    WEB_NO_HEAD. POST takes a form (application/x-www-form-urlencoded, at most
    WEB_POST_MAX bytes) with the fields the gateway's forms have (service, priority,
    confirm, code, level, rid, comment); it is refused with 403 when the browser says it comes from
   another site, 413 when too large, 400 when a field is too long or not text (UTF-8 without NUL).

    Doors. A server is one door (web_door_t): the public door serves the routes marked
    WEB_PUBLIC and answers 404 for every other; the staff door serves them all, each
    other route to a logged-in session (web_auth.h) whose role the route lists: without a
    session a page is a 303 to /login?next=PATH, JSON and forms a 401; with a role the
    route does not list, a 403. On both doors, before anything else: a request whose Host
    is not an IP address, localhost or a name given (--allowed-host) is refused 421 (the
    CSRF check compares the Origin with that validated Host), one without a Host 400; a
    client (by address: web_limit.h) with more than WEB_CLIENT_CONNECTIONS connections
    open is not accepted, and one over its request rate gets 429 with Retry-After (POST
    of a WEB_TIGHT route and WEB_LOGIN routes take from tighter buckets; on a WEB_TOKEN
    route, a token that gets a 404 costs a token of its own bucket).

    A handler that needs the broker or a password check does not wait for it: it calls
    web_req_call (web_req_verify), which hands the work to web_call.h's workers, suspends
    the connection and returns WEB_WAIT; the handler returns MHD_YES. When the answer is
    in, the connection is resumed and the handler runs again from the start, and the same
    call (by its order in the handler) now returns the answer.
 */
#ifndef WEB_HTTP_H
#define WEB_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "web_auth.h"
#include "web_call.h"
#include "web_limit.h"

#define WEB_POST_MAX           8192    //  largest form body accepted
#define WEB_CLIENT_CONNECTIONS 32      //  connections one client may hold open on a door
#define WEB_CONNECTIONS        1000    //  connections a door holds in all
#define WEB_WAIT               (-1000) //  web_req_call: the answer is not in yet
#define WEB_REQ_CALLS          2       //  calls one request may make

#define WEB_CT_HTML "text/html; charset=utf-8"
#define WEB_CT_JSON "application/json; charset=utf-8"
#define WEB_CT_TEXT "text/plain; version=0.0.4; charset=utf-8" //  Prometheus' format

typedef struct web web_t; //  the gateway (web_gateway.h), handed to every handler
typedef struct web_http web_http_t;
typedef struct web_req web_req_t;

//  Answers one request.
typedef enum MHD_Result (web_handler_fn) (web_t *web, web_req_t *req);

//  Route flags.
enum {
    WEB_JSON_ERRORS = 1, //  errors as {"error": {status, message}}, not as a page
    WEB_NO_HEAD = 2,     //  GET only (a stream has no HEAD)
    WEB_KIOSK = 4,       //  error pages in the kiosk's style, with a way back to /kiosk
    WEB_TIGHT = 8,       //  POST takes from the kiosk bucket (it issues tickets)
    WEB_TOKEN = 16,      //  the argument is a citizen's token: a 404 costs a token
    WEB_LOGIN = 32,      //  POST takes from the login bucket (it checks a password)
};

//  Who a route serves (besides the WEB_ROLE_* bits of web_auth.h, on the staff door).
enum {
    WEB_PUBLIC = 64, //  both doors, no login: the citizens' pages and the assets
    WEB_OPEN = 128,  //  the staff door without a login: /login itself
};

//  One route. A table of them ends with a route whose path is NULL.
typedef struct {
    const char *path;     //  "/board", or "/t/TOKEN" for /t/ and any one segment
    web_handler_fn *get;  //  GET (and HEAD)
    web_handler_fn *post; //  POST of a form; NULL: 405
    unsigned flags;       //  WEB_JSON_ERRORS, WEB_NO_HEAD, WEB_KIOSK, WEB_TIGHT, ...
    unsigned access;      //  WEB_PUBLIC, WEB_OPEN, or the roles (WEB_ROLE_*) it serves
    const char *serves;   //  what it serves, one line of --help
} web_route_t;

//  What a server is: which door, and what it checks.
typedef struct {
    bool public_door;         //  WEB_PUBLIC routes only, no sessions
    const char *const *hosts; //  names a Host may be, besides addresses and localhost
    int nhosts;
    const char *const *proxies; //  reverse proxies whose X-Forwarded-For names the client
    int nproxies;
    web_auth_t *auth;  //  accounts and sessions (the staff door; borrowed)
    web_call_t *calls; //  the workers (borrowed)
} web_door_t;

//  ADDR:PORT, [V6ADDR]:PORT or :PORT (every interface) into a socket address. 0 / -1.
int web_http_parse_addr (const char *text, struct sockaddr_storage *addr, bool *v6);
//  Listens on `addr` as `door` (copied; what it points to is borrowed) and serves
//  `routes` (borrowed, must outlive the server), handing `web` to every handler. NULL
//  (errno set) if it cannot listen. Caller owns it.
web_http_t *web_http_new (const struct sockaddr_storage *addr, bool v6, const web_route_t *routes,
                          const web_door_t *door, web_t *web);
//  Stops the server, ending every connection, and sets *self_p to NULL. Safe on NULL.
void web_http_destroy (web_http_t **self_p);
//  The descriptor to poll for input (MHD's epoll descriptor).
int web_http_fd (web_http_t *self);
//  How long the main loop may wait before web_http_run is due: MHD's timeout, at most
//  `max_ms`.
long web_http_timeout (web_http_t *self, long max_ms);
//  Does what is ready: accepts, reads, answers, writes. Never blocks.
void web_http_run (web_http_t *self);
//  Writes one line per route for --help: methods, path, who, what it serves.
void web_http_help (FILE *out, const web_route_t *routes);

//  The argument of a "/TOKEN" route ("" when there is none or it was not acceptable).
const char *web_req_arg (const web_req_t *req);
//  A form field of a POST, or "" (never NULL). Borrowed from the request.
const char *web_req_form (const web_req_t *req, const char *name);
//  A query-string argument, or NULL.
const char *web_req_query (web_req_t *req, const char *name);
//  A request header, or NULL.
const char *web_req_header (web_req_t *req, const char *name);
//  True for 关怀模式 (large type, high contrast, fewer words; /t/ and /kiosk): asked by
//  ?care=1 (off: ?care=0), which the answer remembers in the cookie `care`, or by that
//  cookie.
bool web_req_care (web_req_t *req);
//  True for ?part=live: a page's live part only, the fragment its script fetches.
bool web_req_part (web_req_t *req);
//  The connection, for a handler that sends a response of its own (the event stream).
struct MHD_Connection *web_req_conn (web_req_t *req);
//  A cookie's value, or NULL.
const char *web_req_cookie (web_req_t *req, const char *name);
//  True on the public door.
bool web_req_public (const web_req_t *req);
//  The session's role (a WEB_ROLE_* bit; 0 without a session) and account name ("").
int web_req_role (const web_req_t *req);
const char *web_req_user (const web_req_t *req);
//  The requesting client's address (as web_limit.h counts it).
const char *web_req_client (const web_req_t *req);
//  The broker's answer to `command` with `body` (taken; NULL for {}) and `request_id`
//  (NULL: a new one), as proto_client_call returns it (*reply the caller's), or WEB_WAIT:
//  the request is suspended until it is in, and the handler must return MHD_YES now (it
//  runs again then). PROTO_CLIENT_UNREACHABLE at once while the broker is away.
int web_req_call (web_req_t *req, const char *command, json_t *body, const char *request_id,
                  json_t **reply);
//  Whether `password` matches `hash`: 0 it does, -1 it does not, or WEB_WAIT as above.
int web_req_verify (web_req_t *req, const char *hash, const char *password);
//  Suspends the request: its handler is called again once web_req_resume is (the return
//  of a handler that suspends is MHD_YES). For a handler that waits for work of its own
//  (the report's reading, web_report.h); web_req_call suspends by itself.
void web_req_suspend (web_req_t *req);
//  Resumes a suspended request (on the main thread, before the server runs).
void web_req_resume (web_req_t *req);
//  The broker's sentence about the last web_req_call's failure ("" after success).
const char *web_req_message (const web_req_t *req);
//  The broker request id for a form's action into `out`: "web-" and the page's own id
//  (field rid) when it is one of ours, so a second press or a reload acts once; else a
//  new one.
void web_req_request_id (const web_req_t *req, char *out, size_t size);

//  Sends `body` (taken, freed by MHD) as the answer, with the security headers every
//  answer carries; `cache` allows a revalidated copy (the assets), else no-store.
enum MHD_Result web_send (web_req_t *req, unsigned status, const char *ctype, char *body,
                          size_t len, bool cache);
//  Sends `body` (taken) as a file to save, named `name` (Content-Disposition), status 200.
enum MHD_Result web_send_download (web_req_t *req, const char *ctype, char *body, size_t len,
                                   const char *name);
//  Sends 303 See Other to `location`, setting `cookie` (a Set-Cookie value) unless NULL.
enum MHD_Result web_send_redirect (web_req_t *req, const char *location, const char *cookie);
//  Sends `body` (taken) as HTML with `status`, setting `cookie` unless NULL.
enum MHD_Result web_send_cookie (web_req_t *req, unsigned status, char *body, size_t len,
                                 const char *cookie);
//  Sends `j` (borrowed) as compact JSON.
enum MHD_Result web_send_json (web_req_t *req, unsigned status, const json_t *j);
//  Sends an error: a page in Chinese and English, or JSON on a WEB_JSON_ERRORS route;
//  a 405 names the methods the route allows.
enum MHD_Result web_send_error (web_req_t *req, unsigned status, const char *zh, const char *en);
//  The error for a broker call about a citizen's token that failed with `rc`: 404 for an
//  unknown or malformed token (on a WEB_TOKEN route it costs the client a token), 503 when the
//  broker cannot be reached, else 502 with `message` (the broker's).
enum MHD_Result web_send_broker_error (web_req_t *req, int rc, const char *message);

//  A response being written into memory.
typedef struct {
    char *data;
    size_t len;
    FILE *f; //  write here
} web_out_t;

//  Opens a memory stream. NULL on out-of-memory.
FILE *web_out_open (web_out_t *out);
//  Closes the stream and sends what was written.
enum MHD_Result web_out_send (web_out_t *out, web_req_t *req, unsigned status, const char *ctype);

//  Writes a page (or a page's live part) of the gateway.
typedef void (web_page_fn) (FILE *f, web_t *web);
//  Writes `page` into memory and sends it as HTML, status 200.
enum MHD_Result web_send_page (web_req_t *req, web_t *web, web_page_fn *page);

#endif
