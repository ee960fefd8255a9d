/*  web_routes.h — every URL the gateway serves, in one table (web_http.h's route type):
    the path, the handlers for GET and POST, how errors are answered, and what it serves.
    The table drives dispatch, the method checks and the route list of --help; adding a
    page is one line here plus its handler. */
#ifndef WEB_ROUTES_H
#define WEB_ROUTES_H

#include "web_http.h"

//  The routes, ended by a route whose path is NULL.
extern const web_route_t web_routes[];

#endif
