/*  web_http.c — see web_http.h. */
#include "web_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sodium.h>
#include <strings.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto_client.h"
#include "proto_log.h"
#include "proto_msg.h"
#include "proto_qr.h"
#include "proto_text.h"
#include "web_assets.h"

//  The gateway's form fields and the room each has (a longer value is refused).
static const struct {
    const char *name;
    size_t size;
} s_fields[] = {
    {"service", 8},    //  /kiosk: a service prefix
    {"priority", 16},  //  /kiosk: normal, elderly or green
    {"confirm", 8},    //  /kiosk: 1 to issue for a service with no open counter
    {"code", 256},     //  /kiosk/checkin: a booking code, bare or as QR text
    {"level", 8},      //  /rate/TOKEN: 1..5
    {"rid", 40},       //  all: the page's request id (32 hex digits)
    {"comment", 1024}, //  /rate/TOKEN: the citizen's comment
    {"reason", 16},    //  /rate/TOKEN: what went wrong, for a bad rating (a code)
    {"user", 40},      //  /login: the account's name
    {"password", 256}, //  /login
    {"next", 128},     //  /login: the page to go on to
};
#define NFIELDS    (sizeof s_fields / sizeof s_fields[0])
#define FIELD_ROOM 1024

struct web_http {
    struct MHD_Daemon *daemon;
    const web_route_t *routes;
    web_t *web;
    web_door_t door;
    web_limit_t *limit;
};

//  An answer from the workers, kept for the handler's next run.
typedef struct {
    int rc;
    json_t *reply;
    char message[256];
} s_result_t;

//  One request, kept across MHD's calls of the handler for it.
struct web_req {
    const web_route_t *route; //  NULL: no route has the path
    struct MHD_Connection *conn;
    web_http_t *http;
    char client[64]; //  its address (a trusted proxy's X-Forwarded-For)
    int role;        //  the session's, 0 without one
    char user[WEB_AUTH_NAME + 1];
    s_result_t results[WEB_REQ_CALLS]; //  the calls answered so far, in order
    int nresults;
    int step; //  the calls made in the handler's current run
    const char *message;
    char arg[64]; //  the last segment of a "/TOKEN" route
    bool post;
    struct MHD_PostProcessor *pp;
    size_t total; //  body bytes received
    bool bad;     //  a form field too long
    char value[NFIELDS][FIELD_ROOM];
    size_t len[NFIELDS]; //  bytes received for each field (a NUL among them is refused)
};

//  ---------------------------------------------------------------------------------------
//  Requests

const char *
web_req_arg (const web_req_t *req)
{
    return req->arg;
}

const char *
web_req_form (const web_req_t *req, const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp (s_fields[i].name, name) == 0)
            return req->value[i];
    return "";
}

const char *
web_req_query (web_req_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
web_req_header (web_req_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->conn, MHD_HEADER_KIND, name);
}

bool
web_req_part (web_req_t *req)
{
    const char *part = web_req_query (req, "part");
    return part && strcmp (part, "live") == 0;
}

struct MHD_Connection *
web_req_conn (web_req_t *req)
{
    return req->conn;
}

const char *
web_req_cookie (web_req_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->conn, MHD_COOKIE_KIND, name);
}

bool
web_req_public (const web_req_t *req)
{
    return req->http->door.public_door;
}

int
web_req_role (const web_req_t *req)
{
    return req->role;
}

const char *
web_req_user (const web_req_t *req)
{
    return req->user;
}

const char *
web_req_client (const web_req_t *req)
{
    return req->client;
}

const char *
web_req_message (const web_req_t *req)
{
    return req->message ? req->message : "";
}

void
web_req_suspend (web_req_t *req)
{
    MHD_suspend_connection (req->conn);
}

void
web_req_resume (web_req_t *req)
{
    MHD_resume_connection (req->conn);
}

//  The workers' answer for a suspended request: kept, and the request resumed.
static void
s_call_done (void *owner, int rc, json_t *reply, const char *message)
{
    web_req_t *req = owner;
    if (req->nresults < WEB_REQ_CALLS) {
        s_result_t *r = &req->results[req->nresults++];
        r->rc = rc;
        r->reply = reply;
        snprintf (r->message, sizeof r->message, "%s", message ? message : "");
    } else
        json_decref (reply);
    web_req_resume (req);
}

//  The answer of this run's next call if it is in (taken into *reply), else NULL.
static s_result_t *
s_answered (web_req_t *req)
{
    int k = req->step++;
    return k < req->nresults ? &req->results[k] : NULL;
}

//  A job handed over (rc 0): the request waits. WEB_WAIT, or `refused` when it was not.
static int
s_wait (web_req_t *req, int rc, int refused)
{
    if (rc != 0)
        return refused;
    web_req_suspend (req);
    return WEB_WAIT;
}

int
web_req_call (web_req_t *req, const char *command, json_t *body, const char *request_id,
              json_t **reply)
{
    *reply = NULL;
    s_result_t *r = s_answered (req);
    if (r) {
        json_decref (body);
        *reply = r->reply;
        r->reply = NULL;
        req->message = r->message;
        return r->rc;
    }
    req->message = "The hall server cannot be reached right now.";
    if (req->step > WEB_REQ_CALLS || !req->http->door.calls) {
        json_decref (body);
        return PROTO_CLIENT_UNREACHABLE;
    }
    int rc = web_call_broker (req->http->door.calls, command, body, request_id, s_call_done, req);
    return s_wait (req, rc, PROTO_CLIENT_UNREACHABLE);
}

int
web_req_verify (web_req_t *req, const char *hash, const char *password)
{
    s_result_t *r = s_answered (req);
    if (r)
        return r->rc == 0 ? 0 : -1;
    if (req->step > WEB_REQ_CALLS || !req->http->door.calls)
        return -1;
    int rc = web_call_verify (req->http->door.calls, hash, password, s_call_done, req);
    return s_wait (req, rc, -1);
}

void
web_req_request_id (const web_req_t *req, char *out, size_t size)
{
    const char *given = web_req_form (req, "rid");
    char rid[33];
    if (strlen (given) == 32 && strspn (given, "0123456789abcdef") == 32)
        snprintf (rid, sizeof rid, "%s", given);
    else
        proto_request_id_new (rid);
    snprintf (out, size, "web-%s", rid);
}

//  ---------------------------------------------------------------------------------------
//  Responses

bool
web_req_care (web_req_t *req)
{
    const char *asked = web_req_query (req, "care");
    if (asked)
        return strcmp (asked, "1") == 0;
    const char *kept = MHD_lookup_connection_value (req->conn, MHD_COOKIE_KIND, "care");
    return kept && strcmp (kept, "1") == 0;
}

//  Queues `body` (taken), with one more header `hname: hvalue` unless hname is NULL (the
//  Allow of a 405, a Retry-After, a Location, a Set-Cookie); `file` names a download.
static enum MHD_Result
s_send_as (web_req_t *req, unsigned status, const char *ctype, char *body, size_t len, bool cache,
           const char *hname, const char *hvalue, const char *file)
{
    struct MHD_Connection *conn = req->conn;
    struct MHD_Response *r = MHD_create_response_from_buffer (len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free (body);
        return MHD_NO;
    }
    MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, cache ? "no-cache" : "no-store");
    MHD_add_response_header (r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (r, "Referrer-Policy", "no-referrer");
    if (strncmp (ctype, "text/html", 9) == 0)
        MHD_add_response_header (r, "Content-Security-Policy",
                                 "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                 "script-src 'self'; worker-src 'self'; base-uri 'none'; "
                                 "form-action 'self'; frame-ancestors 'none'");
    if (hname)
        MHD_add_response_header (r, hname, hvalue);
    if (file) {
        char disposition[160];
        snprintf (disposition, sizeof disposition, "attachment; filename=\"%s\"", file);
        MHD_add_response_header (r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    }
    //  关怀模式 switched by a link: remembered for the browser's next pages (a year).
    const char *care = web_req_query (req, "care");
    if (care && (strcmp (care, "1") == 0 || strcmp (care, "0") == 0))
        MHD_add_response_header (r, MHD_HTTP_HEADER_SET_COOKIE,
                                 strcmp (care, "1") == 0
                                     ? "care=1; Path=/; Max-Age=31536000; SameSite=Lax"
                                     : "care=0; Path=/; Max-Age=0; SameSite=Lax");
    enum MHD_Result rc = MHD_queue_response (conn, status, r);
    MHD_destroy_response (r);
    return rc;
}

enum MHD_Result
web_send (web_req_t *req, unsigned status, const char *ctype, char *body, size_t len, bool cache)
{
    return s_send_as (req, status, ctype, body, len, cache, NULL, NULL, NULL);
}

enum MHD_Result
web_send_redirect (web_req_t *req, const char *location, const char *cookie)
{
    struct MHD_Response *r = MHD_create_response_from_buffer (0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header (r, MHD_HTTP_HEADER_LOCATION, location);
    MHD_add_response_header (r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (cookie)
        MHD_add_response_header (r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    enum MHD_Result rc = MHD_queue_response (req->conn, MHD_HTTP_SEE_OTHER, r);
    MHD_destroy_response (r);
    return rc;
}

enum MHD_Result
web_send_cookie (web_req_t *req, unsigned status, char *body, size_t len, const char *cookie)
{
    return s_send_as (req, status, WEB_CT_HTML, body, len, false,
                      cookie ? MHD_HTTP_HEADER_SET_COOKIE : NULL, cookie, NULL);
}

enum MHD_Result
web_send_download (web_req_t *req, const char *ctype, char *body, size_t len, const char *name)
{
    return s_send_as (req, MHD_HTTP_OK, ctype, body, len, false, NULL, NULL, name);
}

enum MHD_Result
web_send_json (web_req_t *req, unsigned status, const json_t *j)
{
    char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
    if (!text)
        return MHD_NO;
    size_t len = strlen (text);
    return web_send (req, status, WEB_CT_JSON, text, len, false);
}

FILE *
web_out_open (web_out_t *out)
{
    out->data = NULL;
    out->len = 0;
    out->f = open_memstream (&out->data, &out->len);
    return out->f;
}

enum MHD_Result
web_out_send (web_out_t *out, web_req_t *req, unsigned status, const char *ctype)
{
    if (fclose (out->f) != 0) {
        free (out->data);
        return MHD_NO;
    }
    return web_send (req, status, ctype, out->data, out->len, false);
}

enum MHD_Result
web_send_page (web_req_t *req, web_t *web, web_page_fn *page)
{
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    page (f, web);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

//  The methods a route allows, for the Allow header of a 405.
static const char *
s_allowed (const web_route_t *route)
{
    if (route && route->post)
        return route->get ? "GET, HEAD, POST" : "POST";
    return route && (route->flags & WEB_NO_HEAD) ? "GET" : "GET, HEAD";
}

//  An error page: the status, what happened in both languages, and a way on.
static void
s_error_page (FILE *f, unsigned status, bool kiosk, bool home, const char *zh, const char *en)
{
    char title[64];
    snprintf (title, sizeof title, "%u", status);
    web_page_begin (f, title, kiosk ? "kiosk" : "citizen", NULL, NULL);
    fprintf (f, "<main><section class=\"note slip\"><h1>%u ", status);
    web_escape (f, zh);
    fputs ("</h1><p class=\"en\">", f);
    web_escape (f, en);
    //  A kiosk goes back to its buttons; staff to the index (the public door has none).
    fputs (kiosk  ? "</p><p><a class=\"btn\" href=\"/kiosk\">返回 <span "
                    "class=\"en\">Back</span></a></p>"
           : home ? "</p><p><a href=\"/\">首页 <span class=\"en\">Home</span></a></p>"
                  : "</p>",
           f);
    fputs ("</section></main>\n", f);
    web_page_end (f, 0);
}

//  An error with one more header (see s_send_as).
static enum MHD_Result
s_error_with (web_req_t *req, unsigned status, const char *zh, const char *en, const char *hname,
              const char *hvalue)
{
    unsigned flags = req->route ? req->route->flags : 0;
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    if (flags & WEB_JSON_ERRORS) {
        json_t *j = json_pack ("{s:{s:i, s:s}}", "error", "status", (int)status, "message", en);
        char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
        fputs (text ? text : "{}", f);
        free (text);
        json_decref (j);
    } else
        s_error_page (f, status, flags & WEB_KIOSK, !req->http->door.public_door, zh, en);
    if (fclose (f) != 0) {
        free (o.data);
        return MHD_NO;
    }
    return s_send_as (req, status, flags & WEB_JSON_ERRORS ? WEB_CT_JSON : WEB_CT_HTML, o.data,
                      o.len, false, hname, hvalue, NULL);
}

enum MHD_Result
web_send_error (web_req_t *req, unsigned status, const char *zh, const char *en)
{
    bool m405 = status == MHD_HTTP_METHOD_NOT_ALLOWED;
    return s_error_with (req, status, zh, en, m405 ? MHD_HTTP_HEADER_ALLOW : NULL,
                         m405 ? s_allowed (req->route) : NULL);
}

//  429 Too Many Requests, to come back in `secs`.
static enum MHD_Result
s_too_many (web_req_t *req, int secs)
{
    char after[16];
    snprintf (after, sizeof after, "%d", secs);
    return s_error_with (req, MHD_HTTP_TOO_MANY_REQUESTS, "请求过于频繁，请稍后再试",
                         "Too many requests: please wait a moment.", MHD_HTTP_HEADER_RETRY_AFTER,
                         after);
}

enum MHD_Result
web_send_broker_error (web_req_t *req, int rc, const char *message)
{
    if (rc == PROTO_ERR_UNKNOWN_TICKET || rc == PROTO_ERR_BAD_FIELD) {
        //  A guess costs the guesser (web_limit.h).
        if (req->route && (req->route->flags & WEB_TOKEN))
            web_limit_take (req->http->limit, req->client, WEB_BUCKET_TOKEN, proto_mono_ms ());
        return web_send_error (req, MHD_HTTP_NOT_FOUND, "找不到这张号 / 页面",
                               "No ticket has this code: check the link or the slip's QR code.");
    }
    if (rc == PROTO_CLIENT_UNREACHABLE)
        return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法连接大厅服务器",
                               "The hall server cannot be reached right now; please try again.");
    return web_send_error (req, MHD_HTTP_BAD_GATEWAY, "服务器未能处理请求", message);
}

//  ---------------------------------------------------------------------------------------
//  Routing and dispatch

#define ARG "/TOKEN"

//  The route for `url`, with the argument of a "/TOKEN" route in req->arg; NULL if none.
static const web_route_t *
s_route (const web_route_t *routes, const char *url, web_req_t *req)
{
    req->arg[0] = 0;
    for (const web_route_t *r = routes; r->path; r++) {
        size_t len = strlen (r->path);
        bool wild = len > strlen (ARG) && strcmp (r->path + len - strlen (ARG), ARG) == 0;
        if (!wild && strcmp (url, r->path) == 0)
            return r;
        size_t stem = len - strlen (ARG) + 1; //  up to and with the slash
        if (wild && strncmp (url, r->path, stem) == 0) {
            const char *rest = url + stem;
            //  An overlong or nested argument is no token: the handler answers 404.
            if (strlen (rest) < sizeof req->arg && !strchr (rest, '/'))
                snprintf (req->arg, sizeof req->arg, "%s", rest);
            return r;
        }
    }
    return NULL;
}

static enum MHD_Result
s_post_field (void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
              const char *content_type, const char *transfer_encoding, const char *data,
              uint64_t off, size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    web_req_t *req = cls;
    for (size_t i = 0; i < NFIELDS; i++) {
        if (strcmp (key, s_fields[i].name) != 0)
            continue;
        if (off + size >= s_fields[i].size) {
            req->bad = true;
            return MHD_YES;
        }
        memcpy (req->value[i] + off, data, size);
        req->value[i][off + size] = 0;
        req->len[i] = (size_t)off + size;
    }
    return MHD_YES; //  fields we do not know are ignored
}

//  True if every form field is text: valid UTF-8 without NUL bytes.
static bool
s_form_is_text (const web_req_t *req)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strlen (req->value[i]) != req->len[i] || !proto_utf8_valid (req->value[i], req->len[i]))
            return false;
    return true;
}

//  True unless the browser says the form comes from another site: a page elsewhere must
//  not issue tickets or rate visits through a citizen's or a kiosk's browser.
static bool
s_same_origin (web_req_t *req)
{
    const char *site = web_req_header (req, "Sec-Fetch-Site");
    if (site && strcmp (site, "cross-site") == 0)
        return false;
    const char *origin = web_req_header (req, "Origin");
    const char *host = web_req_header (req, "Host");
    if (!origin)
        return true;
    if (strcmp (origin, "null") == 0) //  a sandboxed or privacy-sensitive context
        return !site || strcmp (site, "same-origin") == 0;
    const char *sep = strstr (origin, "://");
    return host && sep && strcmp (sep + 3, host) == 0;
}

static enum MHD_Result
s_dispatch (web_http_t *self, web_req_t *req)
{
    req->step = 0;
    if (!req->post)
        return req->route->get (self->web, req);
    if (!s_same_origin (req))
        return web_send_error (req, MHD_HTTP_FORBIDDEN, "不接受来自其他网站的提交",
                               "Forms are accepted from this site's own pages only.");
    if (req->total > WEB_POST_MAX)
        return web_send_error (req, MHD_HTTP_CONTENT_TOO_LARGE, "提交的内容过长",
                               "The form is too large.");
    if (req->bad || !s_form_is_text (req))
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "提交的内容有误",
                               "The form holds a field that is too long or not text.");
    return req->route->post (self->web, req);
}

//  True if `host` (a Host header) names this server: an IP address (no one can point a
//  name of theirs at it: DNS rebinding), localhost, or a name given with --allowed-host;
//  the port is not compared (the request reached this one).
static bool
s_host_ok (const web_http_t *self, const char *host)
{
    char name[256];
    const char *port;
    if (host[0] == '[') {
        const char *end = strchr (host, ']');
        if (!end || (size_t)(end - host) >= sizeof name)
            return false;
        snprintf (name, sizeof name, "%.*s", (int)(end - host - 1), host + 1);
        port = end + 1;
    } else {
        size_t len = strcspn (host, ":");
        if (len == 0 || len >= sizeof name)
            return false;
        snprintf (name, sizeof name, "%.*s", (int)len, host);
        port = host + len;
    }
    if (*port &&
        (port[0] != ':' || !port[1] || strspn (port + 1, "0123456789") != strlen (port + 1)))
        return false;
    unsigned char a[sizeof (struct in6_addr)];
    if (inet_pton (host[0] == '[' ? AF_INET6 : AF_INET, name, a) == 1)
        return true;
    if (host[0] == '[')
        return false;
    if (strcasecmp (name, "localhost") == 0)
        return true;
    for (int i = 0; i < self->door.nhosts; i++)
        if (strcasecmp (name, self->door.hosts[i]) == 0)
            return true;
    return false;
}

//  The client's address into req->client: the peer's, or for a trusted reverse proxy the
//  last address of its X-Forwarded-For (the one the proxy itself added).
static void
s_client (web_http_t *self, web_req_t *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info (req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    snprintf (req->client, sizeof req->client, "?");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop (AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->client,
                   sizeof req->client);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->client,
                   sizeof req->client);
    const char *xff = web_req_header (req, "X-Forwarded-For");
    for (int i = 0; xff && i < self->door.nproxies; i++) {
        if (strcmp (req->client, self->door.proxies[i]) != 0)
            continue;
        const char *last = strrchr (xff, ',');
        last = last ? last + 1 : xff;
        last += strspn (last, " ");
        size_t len = strcspn (last, " ");
        if (len && len < sizeof req->client && strspn (last, "0123456789abcdefABCDEF.:") == len)
            snprintf (req->client, sizeof req->client, "%.*s", (int)len, last);
        break;
    }
}

//  The session named by the request's cookie: its role and account into req.
static void
s_session (web_http_t *self, web_req_t *req)
{
    const char *name = NULL;
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (self->door.auth)
        req->role =
            web_auth_session (self->door.auth, web_req_cookie (req, WEB_AUTH_COOKIE), now, &name);
    snprintf (req->user, sizeof req->user, "%s", req->role && name ? name : "");
}

//  No session for a staff route: a page goes to the login (and back), else 401.
static enum MHD_Result
s_login_first (web_req_t *req, const char *url, bool get)
{
    if (get && !(req->route->flags & WEB_JSON_ERRORS)) {
        char to[160] = "/login";
        //  Back to a plain path only: never to another site, nor anything to escape.
        if (strlen (url) < 100 && url[0] == '/' && url[1] != '/' &&
            strspn (url, "abcdefghijklmnopqrstuvwxyz0123456789/._-") == strlen (url))
            snprintf (to, sizeof to, "/login?next=%s", url);
        return web_send_redirect (req, to, NULL);
    }
    return web_send_error (req, MHD_HTTP_UNAUTHORIZED, "请先登录", "Log in first.");
}

//  Who may: the door, the session, the role. True to go on; else false with the answer
//  sent in *answer.
static bool
s_admit (web_http_t *self, web_req_t *req, const char *url, bool get, enum MHD_Result *answer)
{
    unsigned access = req->route->access;
    if (!self->door.public_door)
        s_session (self, req);
    if (access & (WEB_PUBLIC | WEB_OPEN))
        return true;
    if (!req->role)
        *answer = s_login_first (req, url, get);
    else if (!(access & (unsigned)req->role))
        *answer = web_send_error (req, MHD_HTTP_FORBIDDEN, "您的账号无权访问此页面",
                                  "This account may not open this page.");
    else
        return true;
    return false;
}

//  The client's buckets (web_limit.h): 0 to go on, else the seconds to wait.
static int
s_limited (web_http_t *self, web_req_t *req, int64_t now)
{
    unsigned flags = req->route ? req->route->flags : 0;
    int wait = web_limit_take (self->limit, req->client, WEB_BUCKET_REQUEST, now);
    if (!wait && (flags & WEB_TOKEN))
        wait = web_limit_peek (self->limit, req->client, WEB_BUCKET_TOKEN, now);
    if (!wait && req->post && (flags & WEB_TIGHT))
        wait = web_limit_take (self->limit, req->client, WEB_BUCKET_KIOSK, now);
    if (!wait && req->post && (flags & WEB_LOGIN))
        wait = web_limit_take (self->limit, req->client, WEB_BUCKET_LOGIN, now);
    return wait;
}

//  The headers are in: check the host, the client's rate, the route, the method and who
//  asks, and start reading a form.
static enum MHD_Result
s_begin (web_http_t *self, web_req_t *req, const char *url, const char *method)
{
    req->route = s_route (self->routes, url, req);
    //  The public door knows its own routes only.
    if (req->route && self->door.public_door && !(req->route->access & WEB_PUBLIC))
        req->route = NULL;
    bool head = strcmp (method, MHD_HTTP_METHOD_HEAD) == 0;
    bool get = strcmp (method, MHD_HTTP_METHOD_GET) == 0 || head;
    req->post = strcmp (method, MHD_HTTP_METHOD_POST) == 0;
    s_client (self, req);
    const char *host = web_req_header (req, "Host");
    if (!host)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请求缺少主机名",
                               "The request names no Host.");
    if (!s_host_ok (self, host))
        return web_send_error (req, MHD_HTTP_MISDIRECTED_REQUEST, "此服务器不接受该主机名",
                               "This server does not answer for that host name.");
    int wait = s_limited (self, req, proto_mono_ms ());
    if (wait)
        return s_too_many (req, wait);
    if (!req->route)
        return web_send_error (req, MHD_HTTP_NOT_FOUND, "找不到页面", "Not found.");
    if ((get && !req->route->get) || (head && (req->route->flags & WEB_NO_HEAD)) ||
        (req->post && !req->route->post) || (!get && !req->post))
        return web_send_error (req, MHD_HTTP_METHOD_NOT_ALLOWED, "不支持此请求方式",
                               "Method not allowed.");
    enum MHD_Result answer;
    if (!s_admit (self, req, url, get, &answer))
        return answer;
    //  The answer comes on a later call, once MHD has the whole request (answering now
    //  would make it close the connection instead of keeping it alive).
    if (!req->post)
        return MHD_YES;
    req->pp = MHD_create_post_processor (req->conn, 1024, s_post_field, req);
    if (!req->pp)
        return web_send_error (req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "不支持的提交格式",
                               "Send the form as application/x-www-form-urlencoded.");
    return MHD_YES;
}

static enum MHD_Result
s_handler (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    web_http_t *self = cls;
    web_req_t *req = *con_cls;
    if (!req) {
        req = calloc (1, sizeof *req);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        req->conn = conn;
        req->http = self;
        return s_begin (self, req, url, method);
    }
    if (*upload_data_size) {
        req->total += *upload_data_size;
        if (req->total <= WEB_POST_MAX && req->pp &&
            MHD_post_process (req->pp, upload_data, *upload_data_size) != MHD_YES)
            req->bad = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return s_dispatch (self, req);
}

static void
s_completed (void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    web_req_t *req = *con_cls;
    if (!req)
        return;
    if (req->pp)
        MHD_destroy_post_processor (req->pp);
    for (int i = 0; i < req->nresults; i++)
        json_decref (req->results[i].reply);
    sodium_memzero (req->value, sizeof req->value); //  a password may be among the fields
    free (req);
    *con_cls = NULL;
}

static void
s_mhd_log (void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf (line, sizeof line, fmt, ap);
    line[strcspn (line, "\n")] = 0;
    log_info ("web: http: %s", line);
}

//  ---------------------------------------------------------------------------------------
//  The server

int
web_http_parse_addr (const char *text, struct sockaddr_storage *addr, bool *v6)
{
    char host[256];
    const char *port;
    if (text[0] == '[') {
        const char *end = strchr (text, ']');
        if (!end || end[1] != ':' || (size_t)(end - text - 1) >= sizeof host)
            return -1;
        snprintf (host, sizeof host, "%.*s", (int)(end - text - 1), text + 1);
        port = end + 2;
    } else {
        const char *colon = strrchr (text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            return -1;
        snprintf (host, sizeof host, "%.*s", (int)(colon - text), text);
        port = colon + 1;
    }
    if (!*port || strspn (port, "0123456789") != strlen (port) || atoi (port) > 65535)
        return -1;
    struct addrinfo hints, *res = NULL;
    memset (&hints, 0, sizeof hints);
    hints.ai_family = *host && strcmp (host, "*") != 0 ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    const char *node = *host && strcmp (host, "*") != 0 ? host : NULL;
    if (getaddrinfo (node, port, &hints, &res) != 0 || !res)
        return -1;
    memset (addr, 0, sizeof *addr);
    memcpy (addr, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo (res);
    return 0;
}

web_http_t *
web_http_new (const struct sockaddr_storage *addr, bool v6, const web_route_t *routes,
              const web_door_t *door, web_t *web)
{
    web_http_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->routes = routes;
    self->web = web;
    self->door = *door;
    self->limit = web_limit_new ();
    if (!self->limit) {
        free (self);
        errno = ENOMEM;
        return NULL;
    }
    //  Behind a reverse proxy every client has the proxy's address: the proxy caps them.
    unsigned per_client = door->nproxies ? 0 : WEB_CLIENT_CONNECTIONS;
    self->daemon = MHD_start_daemon (
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0), 0,
        NULL, NULL, s_handler, self, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, self, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_client, MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL,
        MHD_OPTION_END);
    if (!self->daemon || !MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_EPOLL_FD)) {
        int err = errno;
        web_http_destroy (&self);
        errno = err;
    }
    return self;
}

void
web_http_destroy (web_http_t **self_p)
{
    web_http_t *self = *self_p;
    if (!self)
        return;
    if (self->daemon)
        MHD_stop_daemon (self->daemon);
    web_limit_destroy (&self->limit);
    free (self);
    *self_p = NULL;
}

int
web_http_fd (web_http_t *self)
{
    return MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
}

long
web_http_timeout (web_http_t *self, long max_ms)
{
    MHD_UNSIGNED_LONG_LONG mt;
    if (MHD_get_timeout (self->daemon, &mt) == MHD_YES && mt < (MHD_UNSIGNED_LONG_LONG)max_ms)
        return (long)mt;
    return max_ms;
}

void
web_http_run (web_http_t *self)
{
    MHD_run (self->daemon);
}

//  Who a route serves, for --help: "public", "login", or its roles' initials.
static const char *
s_who (unsigned access, char *out, size_t size)
{
    if (access & WEB_PUBLIC)
        return "public";
    if (access & WEB_OPEN)
        return "anyone";
    size_t n = 0;
    static const char initials[] = "bkcm"; //  board, kiosk, clerk, manager
    for (int i = 0; i < 4 && n + 1 < size; i++)
        out[n++] = access & (1u << i) ? initials[i] : '-';
    out[n] = 0;
    return out;
}

void
web_http_help (FILE *out, const web_route_t *routes)
{
    char who[8];
    for (const web_route_t *r = routes; r->path; r++)
        fprintf (out, "  %-9s %-22s %-6s %s\n",
                 !r->get   ? "POST"
                 : r->post ? "GET, POST"
                           : "GET",
                 r->path, s_who (r->access, who, sizeof who), r->serves);
}
