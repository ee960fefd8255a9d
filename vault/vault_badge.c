/*  vault_badge.c — see vault_badge.h. */
#include "vault_badge.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto_text.h"

#define KEY_BYTES 32
#define MAC_BYTES 16

struct vault_badges {
    char key_path[4096];
    char rec_path[4096];
    char cabinet[64];
    unsigned char key[KEY_BYTES];
    bool have_key;
    json_t *records; //  the "badges" array as last read
    struct stat key_st, rec_st;
};

static void
s_paths (const char *dir, char *key, char *rec)
{
    snprintf (key, 4096, "%.4000s/badge.key", dir);
    snprintf (rec, 4096, "%.4000s/badges.json", dir);
}

//  Reads the key; 0, 1 if there is none, -1 (with `err`) if it is unsafe or unreadable.
static int
s_key_read (const char *path, unsigned char *key, struct stat *st, char *err, size_t esz)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0)
        return proto_fail (err, esz, "badge key %s: %s", path, strerror (errno));
    char hex[2 * KEY_BYTES + 2] = "";
    ssize_t n = fstat (fd, st) == 0 ? read (fd, hex, sizeof hex - 1) : -1;
    close (fd);
    if (n >= 0 && (st->st_mode & 077))
        return proto_fail (
            err, esz,
            "badge key %s is readable by others (mode %03o): chmod 600 it, and enrol "
            "the badges again if it may have been copied",
            path, (unsigned)(st->st_mode & 0777));
    size_t len;
    if (n < 2 * KEY_BYTES ||
        sodium_hex2bin (key, KEY_BYTES, hex, 2 * KEY_BYTES, NULL, &len, NULL) != 0 ||
        len != KEY_BYTES)
        return proto_fail (err, esz, "badge key %s is not 64 hex digits", path);
    return 0;
}

//  The records file's "badges" array (caller owns it): empty if there is no file.
static json_t *
s_records_read (const char *path, struct stat *st, char *err, size_t esz)
{
    if (stat (path, st) != 0) {
        memset (st, 0, sizeof *st);
        if (errno == ENOENT)
            return json_array ();
        proto_fail (err, esz, "badge records %s: %s", path, strerror (errno));
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_load_file (path, 0, &jerr);
    json_t *list = json_incref (json_object_get (root, "badges"));
    json_decref (root);
    if (!json_is_array (list)) {
        json_decref (list);
        proto_fail (err, esz, "badge records %s: not a badge file (%s)", path, jerr.text);
        return NULL;
    }
    return list;
}

//  The MAC of badge `id` at `cabinet` as 32 upper-case hex digits (33 bytes).
static void
s_mac (const unsigned char *key, const char *cabinet, const char *id, char *out)
{
    char msg[160];
    int n = snprintf (msg, sizeof msg, "onewindow-badge-1\n%s\n%s", cabinet, id);
    unsigned char mac[MAC_BYTES];
    crypto_generichash (mac, sizeof mac, (const unsigned char *)msg, (size_t)n, key, KEY_BYTES);
    sodium_bin2hex (out, 2 * MAC_BYTES + 1, mac, sizeof mac);
    for (char *p = out; *p; p++)
        *p = (char)toupper ((unsigned char)*p);
}

//  The hash a record keeps of a badge's code: 64 hex digits (65 bytes).
static void
s_code_hash (const char *code, char *out)
{
    unsigned char h[32];
    crypto_generichash (h, sizeof h, (const unsigned char *)code, strlen (code), NULL, 0);
    sodium_bin2hex (out, sizeof h * 2 + 1, h, sizeof h);
}

static bool
s_hex (const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit ((unsigned char)p[i]))
            return false;
    return true;
}

bool
vault_badge_form (const char *line)
{
    return strncasecmp (line, "OWB1-", 5) == 0;
}

bool
vault_badge_pin_valid (const char *pin)
{
    size_t n = strlen (pin);
    return n >= VAULT_PIN_MIN && n <= VAULT_PIN_MAX && strspn (pin, "0123456789") == n;
}

//  Re-reads what changed on disk (the key, the records). Keeps the last good records when
//  the file cannot be read now (being replaced), so a badge does not flicker.
static int
s_reload (vault_badges_t *self, char *err, size_t esz)
{
    struct stat st;
    bool key_changed = stat (self->key_path, &st) != 0
                           ? self->have_key
                           : st.st_ino != self->key_st.st_ino ||
                                 st.st_mtim.tv_nsec != self->key_st.st_mtim.tv_nsec ||
                                 st.st_mtime != self->key_st.st_mtime || !self->have_key;
    if (key_changed) {
        int rc = s_key_read (self->key_path, self->key, &self->key_st, err, esz);
        self->have_key = rc == 0;
        if (rc < 0)
            return -1;
    }
    bool exists = stat (self->rec_path, &st) == 0;
    if (self->records && exists == (self->rec_st.st_ino != 0) &&
        (!exists || (st.st_ino == self->rec_st.st_ino && st.st_size == self->rec_st.st_size &&
                     st.st_mtim.tv_sec == self->rec_st.st_mtim.tv_sec &&
                     st.st_mtim.tv_nsec == self->rec_st.st_mtim.tv_nsec)))
        return 0;
    json_t *list = s_records_read (self->rec_path, &self->rec_st, err, esz);
    if (!list)
        return -1;
    json_decref (self->records);
    self->records = list;
    return 0;
}

vault_badges_t *
vault_badges_new (const char *dir, const char *cabinet, char *err, size_t esz)
{
    if (sodium_init () < 0) {
        proto_fail (err, esz, "libsodium cannot start");
        return NULL;
    }
    vault_badges_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    s_paths (dir, self->key_path, self->rec_path);
    snprintf (self->cabinet, sizeof self->cabinet, "%s", cabinet);
    if (s_reload (self, err, esz) != 0)
        vault_badges_destroy (&self);
    return self;
}

void
vault_badges_destroy (vault_badges_t **self_p)
{
    if (!*self_p)
        return;
    sodium_memzero ((*self_p)->key, KEY_BYTES);
    json_decref ((*self_p)->records);
    free (*self_p);
    *self_p = NULL;
}

int
vault_badges_count (vault_badges_t *self)
{
    int n = 0;
    size_t i;
    json_t *r;
    json_array_foreach (self->records, i, r)
        n += !json_object_get (r, "revoked") &&
             strcmp (json_string_value (json_object_get (r, "cabinet")), self->cabinet) == 0;
    return self->have_key ? n : 0;
}

//  The live record of badge `id` at this cabinet (borrowed), or NULL.
static json_t *
s_record (vault_badges_t *self, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach (self->records, i, r)
        if (strcmp (json_string_value (json_object_get (r, "id")), id) == 0 &&
            !json_object_get (r, "revoked") &&
            strcmp (json_string_value (json_object_get (r, "cabinet")), self->cabinet) == 0)
            return r;
    return NULL;
}

bool
vault_badges_check (vault_badges_t *self, const char *line, char *id, char *name, size_t name_size)
{
    char err[300];
    if (s_reload (self, err, sizeof err) != 0 || !self->have_key)
        return false;
    char code[VAULT_BADGE_CODE_LEN + 1];
    if (strlen (line) != VAULT_BADGE_CODE_LEN || !vault_badge_form (line))
        return false;
    for (int i = 0; i <= VAULT_BADGE_CODE_LEN; i++)
        code[i] = (char)toupper ((unsigned char)line[i]);
    const char *pid = code + 5, *pmac = code + 6 + VAULT_BADGE_ID_LEN;
    if (!s_hex (pid, VAULT_BADGE_ID_LEN) || pid[VAULT_BADGE_ID_LEN] != '-' ||
        !s_hex (pmac, 2 * MAC_BYTES))
        return false;
    char bid[VAULT_BADGE_ID_LEN + 1], want[2 * MAC_BYTES + 1], hash[65];
    memcpy (bid, pid, VAULT_BADGE_ID_LEN);
    bid[VAULT_BADGE_ID_LEN] = 0;
    s_mac (self->key, self->cabinet, bid, want);
    if (sodium_memcmp (want, pmac, 2 * MAC_BYTES) != 0)
        return false;
    json_t *r = s_record (self, bid);
    const char *have = json_string_value (json_object_get (r, "hash"));
    s_code_hash (code, hash);
    if (!have || strlen (have) != 64 || sodium_memcmp (have, hash, 64) != 0)
        return false;
    snprintf (id, VAULT_BADGE_ID_LEN + 1, "%s", bid);
    snprintf (name, name_size, "%s", json_string_value (json_object_get (r, "name")));
    return true;
}

bool
vault_badges_pin (vault_badges_t *self, const char *id, const char *pin)
{
    char err[300];
    if (s_reload (self, err, sizeof err) != 0 || !vault_badge_pin_valid (pin))
        return false;
    const char *hash = json_string_value (json_object_get (s_record (self, id), "pin"));
    return hash && crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
}

//  ---------------------------------------------------------------------------------------
//  Enrolment, revocation, listing: the command line, beside a running vault

//  Gives a new file to the folder's owner when root enrols, so the vault's user can read it.
//  If that fails the vault says it cannot read the file, naming it.
static void
s_own (int fd, const char *dir)
{
    struct stat st;
    if (geteuid () == 0 && stat (dir, &st) == 0 && fchown (fd, st.st_uid, st.st_gid) != 0)
        return;
}

//  Writes `text` to `path` as a new 0600 file, replacing it in one rename. 0 / -1.
static int
s_write (const char *dir, const char *path, const char *text, char *err, size_t esz)
{
    char tmp[4200];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    size_t len = strlen (text);
    if (fd < 0)
        return proto_fail (err, esz, "%s: %s", tmp, strerror (errno));
    s_own (fd, dir);
    bool ok = fchmod (fd, 0600) == 0 && write (fd, text, len) == (ssize_t)len && fsync (fd) == 0;
    ok &= close (fd) == 0;
    if (!ok || rename (tmp, path) != 0) {
        proto_fail (err, esz, "%s: %s", path, strerror (errno));
        unlink (tmp);
        return -1;
    }
    return 0;
}

//  Locks the folder's records against another enrolment at once; the fd, or -1.
static int
s_lock (const char *dir, char *err, size_t esz)
{
    if (mkdir (dir, 0750) != 0 && errno != EEXIST)
        return proto_fail (err, esz, "cannot create %s: %s", dir, strerror (errno));
    char path[4200];
    snprintf (path, sizeof path, "%s/badges.lock", dir);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock (fd, LOCK_EX) != 0) {
        proto_fail (err, esz, "%s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    return fd;
}

static int
s_records_write (const char *dir, const char *path, json_t *list, char *err, size_t esz)
{
    json_t *root = json_pack ("{s:i, s:O}", "version", 1, "badges", list);
    char *text = json_dumps (root, JSON_INDENT (1));
    json_decref (root);
    int rc = text ? s_write (dir, path, text, err, esz) : proto_fail (err, esz, "out of memory");
    free (text);
    return rc;
}

//  The record as listed: no hashes.
static json_t *
s_public (const json_t *r)
{
    json_t *p = json_deep_copy (r);
    json_object_del (p, "hash");
    json_object_del (p, "pin");
    return p;
}

//  The key, made on the first enrolment. 0 / -1.
static int
s_key_get (const char *dir, const char *path, unsigned char *key, char *err, size_t esz)
{
    struct stat st;
    int rc = s_key_read (path, key, &st, err, esz);
    if (rc <= 0)
        return rc;
    randombytes_buf (key, KEY_BYTES);
    char hex[2 * KEY_BYTES + 2];
    sodium_bin2hex (hex, sizeof hex, key, KEY_BYTES);
    strcat (hex, "\n");
    return s_write (dir, path, hex, err, esz);
}

json_t *
vault_badge_enrol (const char *dir, const char *cabinet, const char *name, const char *pin,
                   char *code, char *err, size_t esz)
{
    if (!name || !*name || strlen (name) > 64 || strpbrk (name, "\n\r\t")) {
        proto_fail (err, esz, "a badge holder's name is 1..64 bytes on one line");
        return NULL;
    }
    if (!vault_badge_pin_valid (pin)) {
        proto_fail (err, esz, "a staff PIN is %d to %d digits", VAULT_PIN_MIN, VAULT_PIN_MAX);
        return NULL;
    }
    if (sodium_init () < 0) {
        proto_fail (err, esz, "libsodium cannot start");
        return NULL;
    }
    char key_path[4096], rec_path[4096];
    s_paths (dir, key_path, rec_path);
    int lock = s_lock (dir, err, esz);
    if (lock < 0)
        return NULL;
    unsigned char key[KEY_BYTES];
    struct stat st;
    json_t *list = NULL, *rec = NULL;
    char pin_hash[crypto_pwhash_STRBYTES];
    if (s_key_get (dir, key_path, key, err, esz) != 0 ||
        !(list = s_records_read (rec_path, &st, err, esz)))
        goto done;
    if (crypto_pwhash_str (pin_hash, pin, strlen (pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        proto_fail (err, esz, "out of memory hashing the PIN");
        goto done;
    }
    char id[VAULT_BADGE_ID_LEN + 1], mac[2 * MAC_BYTES + 1], hash[65];
    bool taken;
    do {
        unsigned char raw[VAULT_BADGE_ID_LEN / 2];
        randombytes_buf (raw, sizeof raw);
        sodium_bin2hex (id, sizeof id, raw, sizeof raw);
        for (char *p = id; *p; p++)
            *p = (char)toupper ((unsigned char)*p);
        taken = false;
        size_t i;
        json_t *r;
        json_array_foreach (list, i, r)
            taken |= strcmp (json_string_value (json_object_get (r, "id")), id) == 0;
    } while (taken);
    s_mac (key, cabinet, id, mac);
    snprintf (code, VAULT_BADGE_CODE_LEN + 1, "OWB1-%s-%s", id, mac);
    s_code_hash (code, hash);
    rec = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:I}", "id", id, "name", name, "cabinet", cabinet,
                     "hash", hash, "pin", pin_hash, "enrolled", (json_int_t)time (NULL) * 1000);
    json_array_append (list, rec);
    if (s_records_write (dir, rec_path, list, err, esz) != 0) {
        json_decref (rec);
        rec = NULL;
    }
done:
    sodium_memzero (key, sizeof key);
    json_decref (list);
    close (lock);
    json_t *out = rec ? s_public (rec) : NULL;
    json_decref (rec);
    return out;
}

int
vault_badge_revoke (const char *dir, const char *id, char *err, size_t esz)
{
    char key_path[4096], rec_path[4096];
    s_paths (dir, key_path, rec_path);
    int lock = s_lock (dir, err, esz);
    if (lock < 0)
        return -1;
    struct stat st;
    json_t *list = s_records_read (rec_path, &st, err, esz);
    int rc = -1;
    size_t i;
    json_t *r;
    json_array_foreach (list, i, r)
        if (strcasecmp (json_string_value (json_object_get (r, "id")), id) == 0) {
            if (!json_object_get (r, "revoked"))
                json_object_set_new (r, "revoked", json_integer ((json_int_t)time (NULL) * 1000));
            rc = s_records_write (dir, rec_path, list, err, esz);
            break;
        }
    if (list && i == json_array_size (list))
        proto_fail (err, esz, "no badge %s in %s (--list-badges lists them)", id, rec_path);
    json_decref (list);
    close (lock);
    return rc;
}

json_t *
vault_badge_list (const char *dir, char *err, size_t esz)
{
    char key_path[4096], rec_path[4096];
    s_paths (dir, key_path, rec_path);
    struct stat st;
    json_t *list = s_records_read (rec_path, &st, err, esz);
    json_t *out = list ? json_array () : NULL;
    size_t i;
    json_t *r;
    json_array_foreach (list, i, r)
        json_array_append_new (out, s_public (r));
    json_decref (list);
    return out;
}
