/*  district_http.c — see district_http.h. */
#include "district_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "proto_log.h"

struct district_http {
    struct MHD_Daemon *daemon;
    const district_route_t *routes;
    void *app;
    int port;
};

struct district_req {
    struct MHD_Connection *conn;
    char arg[128];
};

const char *
district_req_arg (const district_req_t *req)
{
    return req->arg;
}

const char *
district_req_query (const district_req_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->conn, MHD_GET_ARGUMENT_KIND, name);
}

void
district_resp_set (district_resp_t *resp, int status, const char *type, char *body)
{
    free (resp->body);
    resp->status = body ? status : 500;
    resp->type = type;
    resp->body = body;
}

//  The route for `url`, with its argument in req->arg; NULL if none has it.
static const district_route_t *
s_route (const district_http_t *self, const char *url, district_req_t *req)
{
    for (const district_route_t *r = self->routes; r->path; r++) {
        size_t n = strlen (r->path);
        if (r->path[n - 1] != '/') {
            if (strcmp (url, r->path) == 0)
                return r;
            continue;
        }
        const char *rest = url + n;
        if (strncmp (url, r->path, n) == 0 && *rest && !strchr (rest, '/') &&
            strlen (rest) < sizeof req->arg) {
            snprintf (req->arg, sizeof req->arg, "%s", rest);
            return r;
        }
    }
    return NULL;
}

static enum MHD_Result
s_send (struct MHD_Connection *conn, district_resp_t *resp)
{
    const char *body = resp->body ? resp->body : "";
    struct MHD_Response *r =
        MHD_create_response_from_buffer (strlen (body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header (r, "Content-Type", resp->type ? resp->type : DISTRICT_CT_HTML);
    MHD_add_response_header (r, "Cache-Control", "no-store");
    if (resp->filename) {
        char disp[256];
        snprintf (disp, sizeof disp, "attachment; filename=\"%s\"", resp->filename);
        MHD_add_response_header (r, "Content-Disposition", disp);
    }
    if (resp->location[0])
        MHD_add_response_header (r, "Location", resp->location);
    enum MHD_Result ret = MHD_queue_response (conn, (unsigned)resp->status, r);
    MHD_destroy_response (r);
    return ret;
}

static enum MHD_Result
s_handler (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    district_http_t *self = cls;
    //  The first call is for the headers: answer when the (empty) body is in.
    if (!*con_cls) {
        *con_cls = self;
        return MHD_YES;
    }
    district_resp_t resp = {.status = 200, .type = DISTRICT_CT_HTML};
    district_req_t req = {.conn = conn};
    const district_route_t *route = s_route (self, url, &req);
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
        district_resp_set (&resp, 405, "text/plain; charset=utf-8",
                           strdup ("只支持 GET / only GET is served here\n"));
    else if (!route)
        district_resp_set (&resp, 404, "text/plain; charset=utf-8",
                           strdup ("没有这个页面 / no such page\n"));
    else
        route->fn (self->app, &req, &resp);
    enum MHD_Result ret = s_send (conn, &resp);
    free (resp.body);
    return ret;
}

static void
s_mhd_log (void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf (line, sizeof line, fmt, ap);
    line[strcspn (line, "\n")] = 0;
    log_warn ("http: %s", line);
}

district_http_t *
district_http_new (const char *addr, const district_route_t *routes, void *app, char *err,
                   size_t size)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    const char *colon = strrchr (addr, ':');
    char host[64] = "";
    char *end = NULL;
    long port = colon ? strtol (colon + 1, &end, 10) : -1;
    if (colon && (size_t)(colon - addr) < sizeof host)
        snprintf (host, sizeof host, "%.*s", (int)(colon - addr), addr);
    if (!colon || !end || *end || port < 0 || port > 65535 ||
        (*host && inet_pton (AF_INET, host, &sa.sin_addr) != 1)) {
        snprintf (err, size, "--http %s: expected ADDR:PORT (an IPv4 address) or :PORT", addr);
        return NULL;
    }
    if (!*host)
        sa.sin_addr.s_addr = htonl (INADDR_ANY);
    sa.sin_port = htons ((uint16_t)port);
    district_http_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, size, "out of memory");
        return NULL;
    }
    self->routes = routes;
    self->app = app;
    self->daemon = MHD_start_daemon (
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        s_handler, self, MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (const struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256, MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        self->daemon ? MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!info) {
        snprintf (err, size, "cannot listen on %s: %s", addr, strerror (errno));
        district_http_destroy (&self);
        return NULL;
    }
    self->port = info->port;
    return self;
}

void
district_http_destroy (district_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    district_http_t *self = *self_p;
    if (self->daemon)
        MHD_stop_daemon (self->daemon);
    free (self);
    *self_p = NULL;
}

int
district_http_port (const district_http_t *self)
{
    return self->port;
}

void
district_http_help (FILE *out, const district_route_t *routes)
{
    for (const district_route_t *r = routes; r->path; r++) {
        size_t n = strlen (r->path);
        char path[96];
        snprintf (path, sizeof path, "%s%s", r->path, r->path[n - 1] == '/' ? "ID" : "");
        fprintf (out, "  GET %-26s %s\n", path, r->serves);
    }
}
