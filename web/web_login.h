/*  web_login.h — the staff door's login: GET /login (a form: 用户名, 密码), POST /login
    (the password checked against its argon2id hash on a worker, web_call.h; a session
    cookie and a 303 to the page asked for, or to the role's own page), POST /logout.

    A wrong name and a wrong password get the same answer (401, "用户名或密码不正确") and
    take the same time: a name that has no account is checked against a decoy hash
    (web_auth_decoy), so the answer's timing does not tell which names exist. */
#ifndef WEB_LOGIN_H
#define WEB_LOGIN_H

#include "web_gateway.h"

//  GET /login[?next=PATH]: the form.
enum MHD_Result web_login_get (web_t *web, web_req_t *req);
//  POST /login (user, password, next).
enum MHD_Result web_login_post (web_t *web, web_req_t *req);
//  POST /logout: ends the session, back to /login.
enum MHD_Result web_logout_post (web_t *web, web_req_t *req);
//  The page a role starts on: /board, /kiosk or /dashboard.
const char *web_login_home (int role);

#endif
