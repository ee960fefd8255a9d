/*  web_login.c — see web_login.h. */
#include "web_login.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web_assets.h"

const char *
web_login_home (int role)
{
    if (role == WEB_ROLE_BOARD)
        return "/board";
    if (role == WEB_ROLE_KIOSK)
        return "/kiosk";
    return "/dashboard";
}

//  `next` if it is a path of this site (never another site: "//host" or "/\host"), else "".
static const char *
s_next (const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen (next) > 100 ||
        strspn (next, "abcdefghijklmnopqrstuvwxyz0123456789/._-") != strlen (next))
        return "";
    return next;
}

//  The form; `failed`: the last try was refused.
static void
s_page (FILE *f, web_t *web, const char *user, const char *next, bool failed)
{
    web_page_begin (f, "工作人员登录", "login", NULL, NULL);
    fputs ("<main><form class=\"login-form\" method=\"post\" action=\"/login\">\n<h1>", f);
    web_escape (f, web_hall_name (web));
    fputs ("</h1>\n<p class=\"sub\">工作人员登录</p>\n", f);
    if (failed)
        fputs ("<p class=\"login-error\" role=\"alert\">用户名或密码不正确</p>\n", f);
    fputs ("<label>用户名<input name=\"user\" autocomplete=\"username\" autocapitalize=\"none\" "
           "spellcheck=\"false\" maxlength=\"32\" required",
           f);
    if (*user) {
        fputs (" value=\"", f);
        web_escape (f, user);
        fputs ("\"", f);
    } else
        fputs (" autofocus", f);
    fputs ("></label>\n<label>密码<input name=\"password\" type=\"password\" "
           "autocomplete=\"current-password\" maxlength=\"200\" required",
           f);
    fputs (*user ? " autofocus" : "", f);
    fputs ("></label>\n<input type=\"hidden\" name=\"next\" value=\"", f);
    web_escape (f, next);
    fputs ("\">\n<button class=\"btn\" type=\"submit\">登录</button>\n"
           "<p class=\"help\">账号由大厅管理员开设。忘记密码请联系管理员重新设置。</p>\n"
           "</form></main>\n",
           f);
    web_page_end (f, 0);
}

//  Sends the form with `status`.
static enum MHD_Result
s_send (web_t *web, web_req_t *req, unsigned status, const char *user, const char *next,
        bool failed)
{
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    s_page (f, web, user, next, failed);
    if (fclose (f) != 0) {
        free (o.data);
        return MHD_NO;
    }
    return web_send_cookie (req, status, o.data, o.len, NULL);
}

enum MHD_Result
web_login_get (web_t *web, web_req_t *req)
{
    const char *next = s_next (web_req_query (req, "next"));
    //  Already in: on to the page.
    if (web_req_role (req))
        return web_send_redirect (req, *next ? next : web_login_home (web_req_role (req)), NULL);
    return s_send (web, req, MHD_HTTP_OK, "", next, false);
}

enum MHD_Result
web_login_post (web_t *web, web_req_t *req)
{
    const char *user = web_req_form (req, "user"), *password = web_req_form (req, "password");
    const char *next = s_next (web_req_form (req, "next"));
    int role = 0;
    const char *hash = web_auth_account (web->auth, user, &role);
    int rc = web_req_verify (req, hash ? hash : web_auth_decoy (web->auth), password);
    if (rc == WEB_WAIT)
        return MHD_YES;
    //  The account is looked up again: the file may have changed while the check ran.
    if (rc != 0 || !hash || !*password)
        return s_send (web, req, MHD_HTTP_UNAUTHORIZED, user, next, true);
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    char token[WEB_AUTH_TOKEN + 1], cookie[200];
    int life = web_auth_login (web->auth, user, role,
                               (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, token);
    snprintf (cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict",
              WEB_AUTH_COOKIE, token, life);
    sodium_memzero (token, sizeof token);
    return web_send_redirect (req, *next ? next : web_login_home (role), cookie);
}

enum MHD_Result
web_logout_post (web_t *web, web_req_t *req)
{
    web_auth_logout (web->auth, web_req_cookie (req, WEB_AUTH_COOKIE));
    return web_send_redirect (req, "/login",
                              WEB_AUTH_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}
