/*  web_auth.h — the staff door's accounts and sessions.

    Accounts live in a file (--users FILE, mode 0600), one a line:
        NAME:ROLE:$argon2id$v=19$m=65536,t=2,p=1$...
    (a hash from libsodium's crypto_pwhash_str: argon2id, its cost the INTERACTIVE
    limits, 64 MiB and 2 passes), "#" comments and blank lines ignored. `onewindow-web
    --users FILE --add-user NAME:ROLE` writes a line, the password read from standard input
    (web_auth_add_user); the running gateway sees the change on its next request (the file
    is looked at again once a second at most), and a removed account, a new password or a
    new role ends that account's sessions.

    Roles, each a bit, so a route lists those it serves (web_http.h):
      manager  every staff page: dashboard, board, kiosk, reports, ratings, /api, /metrics
      clerk    the dashboard and the board, read only
      kiosk    a kiosk screen: /kiosk and its check-in only
      board    a board screen: /board only (and its voice)

    A login makes a session: 32 random bytes as 64 hex digits, sent as the cookie
    WEB_AUTH_COOKIE (HttpOnly, SameSite=Strict, Path=/), valid WEB_AUTH_STAFF_S for a
    manager or a clerk and WEB_AUTH_SCREEN_S for a screen (a TV or a kiosk is logged in
    once and left). Sessions live in the gateway's memory (WEB_AUTH_SESSIONS at most, the
    one ending first dropped for a new one): a restart logs everyone out. */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define WEB_AUTH_COOKIE   "ow_session"
#define WEB_AUTH_SESSIONS 512
#define WEB_AUTH_STAFF_S  (12 * 3600)      //  a manager's or a clerk's session
#define WEB_AUTH_SCREEN_S (30 * 24 * 3600) //  a kiosk's or a board's
#define WEB_AUTH_TOKEN    64               //  hex digits of a session token
#define WEB_AUTH_NAME     32               //  longest account name (letters, digits, . _ -)

enum {
    WEB_ROLE_BOARD = 1,
    WEB_ROLE_KIOSK = 2,
    WEB_ROLE_CLERK = 4,
    WEB_ROLE_MANAGER = 8,
    WEB_ROLE_ANY = 15,
};

typedef struct web_auth web_auth_t;

//  Accounts from `file` (NULL: none, so nobody can log in); a missing file is no
//  accounts yet. NULL on out-of-memory. Caller owns it.
web_auth_t *web_auth_new (const char *file);
//  Frees accounts and sessions; sets *self_p to NULL. Safe on NULL.
void web_auth_destroy (web_auth_t **self_p);
//  The role bit of a role's name ("manager", "clerk", "kiosk", "board"), or 0.
int web_auth_role (const char *name);
//  A role bit's name, or "".
const char *web_auth_role_name (int role);
//  The number of accounts (after looking at the file again if it changed).
int web_auth_accounts (web_auth_t *self);
//  Account `name`: its role and its password's hash (borrowed, until the next call), or
//  NULL when there is none.
const char *web_auth_account (web_auth_t *self, const char *name, int *role);
//  A hash of a random password with the accounts' cost, made when first asked: what a
//  login for a name with no account is checked against, so that it takes as long as one
//  with a wrong password (the answer's timing does not tell which names exist).
const char *web_auth_decoy (web_auth_t *self);
//  A new session for account `name` with `role` from `now_ms` (wall clock) into `token`
//  (WEB_AUTH_TOKEN + 1 bytes); its lifetime in seconds, or -1.
int web_auth_login (web_auth_t *self, const char *name, int role, int64_t now_ms, char *token);
//  The role of the session `token` (0 when none or expired); its account's name in *name
//  (borrowed) when not NULL.
int web_auth_session (web_auth_t *self, const char *token, int64_t now_ms, const char **name);
//  Ends the session `token`, if there is one.
void web_auth_logout (web_auth_t *self, const char *token);
//  Adds account NAME:ROLE (`spec`) with `password` to `file`, or gives it a new password
//  and role, keeping the file 0600 (written beside and renamed). 0, or with the reason in
//  err -1 (a bad name, role or password: under 8 characters) or -2 (the file).
int web_auth_add_user (const char *file, const char *spec, const char *password, char *err,
                       size_t err_size);

#endif
