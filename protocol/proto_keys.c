/*  proto_keys.c — see proto_keys.h. */
#include "proto_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static int
s_err (char *err, size_t size, const char *fmt, ...)
{
    if (err && size) {
        va_list ap;
        va_start (ap, fmt);
        vsnprintf (err, size, fmt, ap);
        va_end (ap);
    }
    return -1;
}

bool
proto_keys_valid (const char *s)
{
    uint8_t raw[32];
    return s && strlen (s) == PROTO_KEY_Z85 && zmq_z85_decode (raw, s) != NULL;
}

int
proto_keys_new (proto_keypair_t *out)
{
    memset (out, 0, sizeof *out);
    return zmq_curve_keypair (out->public_key, out->secret_key) == 0 ? 0 : -1;
}

void
proto_keys_pub_path (const char *path, char *out, size_t size)
{
    size_t len = strlen (path);
    if (len > 4 && strcmp (path + len - 4, ".key") == 0)
        snprintf (out, size, "%.*s.pub", (int)(len - 4), path);
    else
        snprintf (out, size, "%s.pub", path);
}

//  Writes `j` as a new file (never over another) with `mode`. 0 / -1 with the reason.
static int
s_write_new (const char *path, int mode, const json_t *j, char *err, size_t err_size)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return s_err (err, err_size, "cannot create %s: %s", path, strerror (errno));
    char *text = j ? json_dumps (j, JSON_INDENT (2)) : NULL;
    //  fchmod: the mode must not depend on the umask (a public file is for everyone).
    bool ok = text && fchmod (fd, (mode_t)mode) == 0 &&
              write (fd, text, strlen (text)) == (ssize_t)strlen (text) &&
              write (fd, "\n", 1) == 1 && fsync (fd) == 0;
    free (text);
    close (fd);
    if (!ok) {
        unlink (path);
        return s_err (err, err_size, "cannot write %s", path);
    }
    return 0;
}

int
proto_keys_save (const proto_keypair_t *keys, const char *path, const char *name, char *err,
                 size_t err_size)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    json_int_t created = (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    json_t *pub = json_pack ("{s:s, s:s, s:I}", "public", keys->public_key, "name",
                             name ? name : "", "created", created);
    json_t *key = json_pack ("{s:s, s:s, s:s, s:I}", "public", keys->public_key, "secret",
                             keys->secret_key, "name", name ? name : "", "created", created);
    char pub_path[4096];
    proto_keys_pub_path (path, pub_path, sizeof pub_path);
    int rc = s_write_new (path, 0600, key, err, err_size);
    if (rc == 0 && (rc = s_write_new (pub_path, 0644, pub, err, err_size)) != 0)
        unlink (path); //  both or neither: a key file whose public file failed is retried whole
    json_decref (pub);
    json_decref (key);
    return rc;
}

int
proto_keys_load (const char *path, proto_keypair_t *out, char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    struct stat st;
    if (stat (path, &st) != 0)
        return s_err (err, err_size, "cannot read key file %s: %s", path, strerror (errno));
    if (st.st_mode & 077)
        return s_err (err, err_size, "key file %s is readable by others (chmod 600 it)", path);
    json_error_t jerr;
    json_t *j = json_load_file (path, 0, &jerr);
    const char *pub = json_string_value (json_object_get (j, "public"));
    const char *sec = json_string_value (json_object_get (j, "secret"));
    int rc = 0;
    if (!j)
        rc = s_err (err, err_size, "%s is not a key file: %s", path, jerr.text);
    else if (!proto_keys_valid (pub) || !proto_keys_valid (sec))
        rc = s_err (err, err_size, "%s does not hold a valid CURVE keypair", path);
    else {
        memcpy (out->public_key, pub, PROTO_KEY_Z85 + 1);
        memcpy (out->secret_key, sec, PROTO_KEY_Z85 + 1);
    }
    json_decref (j);
    return rc;
}

int
proto_keys_public (const char *key_or_path, char *out, char *err, size_t err_size)
{
    //  A file first: a path can be 40 Z85 characters long too ("./keys/..." are Z85).
    struct stat st;
    if (stat (key_or_path, &st) != 0 && proto_keys_valid (key_or_path)) {
        memcpy (out, key_or_path, PROTO_KEY_Z85 + 1);
        return 0;
    }
    json_error_t jerr;
    json_t *j = json_load_file (key_or_path, 0, &jerr);
    const char *pub = json_string_value (json_object_get (j, "public"));
    int rc = 0;
    if (!proto_keys_valid (pub))
        rc = s_err (err, err_size, "%s is neither a public key (40 Z85 characters) nor a key file",
                    key_or_path);
    else
        memcpy (out, pub, PROTO_KEY_Z85 + 1);
    json_decref (j);
    return rc;
}

bool
proto_endpoint_is_local (const char *ep)
{
    if (strncmp (ep, "ipc://", 6) == 0 || strncmp (ep, "inproc://", 9) == 0)
        return true;
    if (strncmp (ep, "tcp://", 6) != 0)
        return false;
    const char *host = ep + 6;
    return strncmp (host, "127.", 4) == 0 || strncmp (host, "localhost:", 10) == 0 ||
           strncmp (host, "[::1]:", 6) == 0 || strncmp (host, "lo:", 3) == 0;
}
