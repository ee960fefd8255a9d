/*  web_auth.c — see web_auth.h. */
#include "web_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_log.h"
#include "proto_text.h"

#define LINE 512 //  longest line of the accounts file

typedef struct {
    char name[WEB_AUTH_NAME + 1];
    int role;
    char hash[crypto_pwhash_STRBYTES];
} s_account_t;

typedef struct {
    char token[WEB_AUTH_TOKEN + 1]; //  "" for a free slot
    char name[WEB_AUTH_NAME + 1];
    int role;
    int64_t expires; //  wall clock, ms
} s_session_t;

struct web_auth {
    char *file;
    s_account_t *accounts;
    int naccounts;
    struct timespec mtime; //  of the file when read
    off_t size;
    int64_t looked;                     //  when the file was last looked at (monotonic ms)
    char decoy[crypto_pwhash_STRBYTES]; //  web_auth_decoy's, made when first asked
    s_session_t sessions[WEB_AUTH_SESSIONS];
};

static const char *s_roles[] = {"board", "kiosk", "clerk", "manager"};

int
web_auth_role (const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp (name, s_roles[i]) == 0)
            return 1 << i;
    return 0;
}

const char *
web_auth_role_name (int role)
{
    for (int i = 0; i < 4; i++)
        if (role == 1 << i)
            return s_roles[i];
    return "";
}

static bool
s_name_ok (const char *name, size_t len)
{
    if (len == 0 || len > WEB_AUTH_NAME)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

//  One line of the file into `a`: 0, or -1 for a line that is no account.
static int
s_parse (const char *line, s_account_t *a)
{
    const char *c1 = strchr (line, ':');
    const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
    if (!c2 || !s_name_ok (line, (size_t)(c1 - line)))
        return -1;
    char role[16];
    snprintf (role, sizeof role, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    size_t hlen = strcspn (c2 + 1, "\r\n");
    if (!web_auth_role (role) || hlen == 0 || hlen >= sizeof a->hash)
        return -1;
    snprintf (a->name, sizeof a->name, "%.*s", (int)(c1 - line), line);
    a->role = web_auth_role (role);
    snprintf (a->hash, sizeof a->hash, "%.*s", (int)hlen, c2 + 1);
    return 0;
}

static const s_account_t *
s_find (const web_auth_t *self, const char *name)
{
    for (int i = 0; i < self->naccounts; i++)
        if (strcmp (self->accounts[i].name, name) == 0)
            return &self->accounts[i];
    return NULL;
}

//  Reads the file again; sessions of accounts gone, or with another role or password, end.
static void
s_load (web_auth_t *self)
{
    FILE *f = fopen (self->file, "r");
    s_account_t *list = NULL;
    int n = 0, cap = 0, lineno = 0;
    char line[LINE];
    while (f && fgets (line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[strspn (line, " \t\r\n")] == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            s_account_t *more = realloc (list, (size_t)cap * sizeof *list);
            if (!more)
                break;
            list = more;
        }
        if (s_parse (line, &list[n]) == 0)
            n++;
        else
            log_warn ("web: %s:%d is no account (NAME:ROLE:HASH); left out", self->file, lineno);
    }
    if (f)
        fclose (f);
    s_account_t *old = self->accounts;
    int nold = self->naccounts;
    self->accounts = list;
    self->naccounts = n;
    for (int i = 0; i < WEB_AUTH_SESSIONS; i++) {
        s_session_t *s = &self->sessions[i];
        if (!s->token[0])
            continue;
        const s_account_t *now = s_find (self, s->name), *before = NULL;
        for (int k = 0; k < nold; k++)
            if (strcmp (old[k].name, s->name) == 0)
                before = &old[k];
        if (!now || now->role != s->role || !before || strcmp (before->hash, now->hash) != 0)
            memset (s, 0, sizeof *s);
    }
    free (old);
}

//  Reads the file again if it changed (looked at once a second at most).
static void
s_refresh (web_auth_t *self)
{
    if (!self->file)
        return;
    int64_t now = proto_mono_ms ();
    if (self->looked && now - self->looked < 1000)
        return;
    self->looked = now;
    struct stat st;
    if (stat (self->file, &st) != 0)
        memset (&st, 0, sizeof st);
    if (st.st_mtim.tv_sec == self->mtime.tv_sec && st.st_mtim.tv_nsec == self->mtime.tv_nsec &&
        st.st_size == self->size && self->accounts)
        return;
    self->mtime = st.st_mtim;
    self->size = st.st_size;
    s_load (self);
}

web_auth_t *
web_auth_new (const char *file)
{
    web_auth_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (file && !(self->file = strdup (file))) {
        free (self);
        return NULL;
    }
    s_refresh (self);
    return self;
}

void
web_auth_destroy (web_auth_t **self_p)
{
    web_auth_t *self = *self_p;
    if (!self)
        return;
    sodium_memzero (self->sessions, sizeof self->sessions);
    free (self->accounts);
    free (self->file);
    free (self);
    *self_p = NULL;
}

int
web_auth_accounts (web_auth_t *self)
{
    s_refresh (self);
    return self->naccounts;
}

const char *
web_auth_account (web_auth_t *self, const char *name, int *role)
{
    s_refresh (self);
    const s_account_t *a = s_find (self, name);
    if (!a)
        return NULL;
    *role = a->role;
    return a->hash;
}

const char *
web_auth_decoy (web_auth_t *self)
{
    if (!self->decoy[0]) {
        unsigned char pw[16];
        randombytes_buf (pw, sizeof pw);
        if (crypto_pwhash_str (self->decoy, (const char *)pw, sizeof pw,
                               crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            self->decoy[0] = 0;
    }
    return self->decoy;
}

int
web_auth_login (web_auth_t *self, const char *name, int role, int64_t now_ms, char *token)
{
    int life = role & (WEB_ROLE_BOARD | WEB_ROLE_KIOSK) ? WEB_AUTH_SCREEN_S : WEB_AUTH_STAFF_S;
    s_session_t *slot = NULL;
    for (int i = 0; i < WEB_AUTH_SESSIONS; i++) {
        s_session_t *s = &self->sessions[i];
        if (!s->token[0] || s->expires <= now_ms) {
            slot = s;
            break;
        }
        if (!slot || s->expires < slot->expires)
            slot = s;
    }
    unsigned char raw[WEB_AUTH_TOKEN / 2];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (slot->token, sizeof slot->token, raw, sizeof raw);
    snprintf (slot->name, sizeof slot->name, "%s", name);
    slot->role = role;
    slot->expires = now_ms + (int64_t)life * 1000;
    memcpy (token, slot->token, sizeof slot->token);
    return life;
}

static s_session_t *
s_session (web_auth_t *self, const char *token)
{
    if (!token || strlen (token) != WEB_AUTH_TOKEN)
        return NULL;
    for (int i = 0; i < WEB_AUTH_SESSIONS; i++) {
        s_session_t *s = &self->sessions[i];
        if (s->token[0] && sodium_memcmp (s->token, token, WEB_AUTH_TOKEN) == 0)
            return s;
    }
    return NULL;
}

int
web_auth_session (web_auth_t *self, const char *token, int64_t now_ms, const char **name)
{
    s_refresh (self);
    s_session_t *s = s_session (self, token);
    if (!s)
        return 0;
    if (s->expires <= now_ms) {
        memset (s, 0, sizeof *s);
        return 0;
    }
    if (name)
        *name = s->name;
    return s->role;
}

void
web_auth_logout (web_auth_t *self, const char *token)
{
    s_session_t *s = s_session (self, token);
    if (s)
        memset (s, 0, sizeof *s);
}

//  Copies `file` to `out` leaving out account `name`. 0 / -1.
static int
s_copy_without (const char *file, const char *name, FILE *out)
{
    FILE *in = fopen (file, "r");
    if (!in)
        return errno == ENOENT ? 0 : -1;
    char line[LINE];
    size_t len = strlen (name);
    while (fgets (line, sizeof line, in))
        if (!(strncmp (line, name, len) == 0 && line[len] == ':'))
            fputs (line, out);
    fclose (in);
    return 0;
}

int
web_auth_add_user (const char *file, const char *spec, const char *password, char *err,
                   size_t err_size)
{
    const char *colon = strchr (spec, ':');
    char name[WEB_AUTH_NAME + 1];
    if (!colon || !s_name_ok (spec, (size_t)(colon - spec)) || !web_auth_role (colon + 1)) {
        snprintf (err, err_size,
                  "--add-user wants NAME:ROLE, NAME of letters, digits, '.', '_' or '-' (at "
                  "most %d), ROLE manager, clerk, kiosk or board (got '%s')",
                  WEB_AUTH_NAME, spec);
        return -1;
    }
    snprintf (name, sizeof name, "%.*s", (int)(colon - spec), spec);
    if (strlen (password) < 8) {
        snprintf (err, err_size, "the password must have at least 8 characters");
        return -1;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str (hash, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf (err, err_size, "cannot hash the password (out of memory)");
        return -2;
    }
    char tmp[4200];
    snprintf (tmp, sizeof tmp, "%s.new", file);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *out = fd >= 0 ? fdopen (fd, "w") : NULL;
    if (!out) {
        snprintf (err, err_size, "cannot write %s: %s", tmp, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -2;
    }
    fchmod (fd, 0600);
    int rc = s_copy_without (file, name, out);
    fprintf (out, "%s:%s:%s\n", name, colon + 1, hash);
    if (rc != 0 || fflush (out) != 0 || fsync (fd) != 0) {
        snprintf (err, err_size, "cannot write %s: %s", tmp, strerror (errno));
        fclose (out);
        unlink (tmp);
        return -2;
    }
    fclose (out);
    if (rename (tmp, file) != 0) {
        snprintf (err, err_size, "cannot replace %s: %s", file, strerror (errno));
        unlink (tmp);
        return -2;
    }
    return 0;
}
