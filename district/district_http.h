/*  district_http.h — the district's small HTTP server: libmicrohttpd on a thread of its
    own, GET (and HEAD) only, one route table that drives dispatch and --help.

    The district cannot use the web gateway's server (web/ is another component); what
    the two share is little (a route table, the responses) and is left where it is until
    a third program needs it, when it would move to protocol/.

    A route's path is exact ("/district"), or a prefix ending in "/" ("/district/hall/")
    whose remainder, one path segment, is the request's argument. Handlers run on the
    server's thread: what they read must be safe to read from there (the board, the
    store). */
#ifndef DISTRICT_HTTP_H
#define DISTRICT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DISTRICT_CT_HTML "text/html; charset=utf-8"
#define DISTRICT_CT_JSON "application/json; charset=utf-8"
#define DISTRICT_CT_CSV  "text/csv; charset=utf-8"

typedef struct district_http district_http_t;
typedef struct district_req district_req_t;

//  What a handler answers: a status, a content type and a body (taken: malloc'd, freed
//  by the server), and a file name for a download (NULL: shown in the browser).
typedef struct {
    int status;
    const char *type;
    char *body;
    const char *filename;
    char location[256]; //  for a redirect (status 302)
} district_resp_t;

typedef void (district_handler_fn) (void *app, const district_req_t *req, district_resp_t *resp);

//  One route; a table ends with a route whose path is NULL.
typedef struct {
    const char *path;        //  exact, or a prefix ending in "/" taking one more segment
    district_handler_fn *fn; //  GET and HEAD
    const char *serves;      //  one line of --help
} district_route_t;

//  Listens on `addr` (ADDR:PORT, or :PORT for every interface) and serves `routes`
//  (borrowed, must outlive the server), handing `app` to each handler. NULL with the
//  reason in err. Caller owns it.
district_http_t *district_http_new (const char *addr, const district_route_t *routes, void *app,
                                    char *err, size_t size);
//  Stops the server and its thread; sets *self_p to NULL. Safe on NULL.
void district_http_destroy (district_http_t **self_p);
//  The port it listens on (useful with port 0).
int district_http_port (const district_http_t *self);
//  One line per route for --help.
void district_http_help (FILE *out, const district_route_t *routes);

//  The path's argument after a prefix route ("" for an exact route).
const char *district_req_arg (const district_req_t *req);
//  A query-string argument, or NULL.
const char *district_req_query (const district_req_t *req, const char *name);

//  Sets the response: `status`, `type` and `body` (taken; NULL answers 500).
void district_resp_set (district_resp_t *resp, int status, const char *type, char *body);

#endif
