/*  proto_keys.h — CURVE keypairs for devices and the broker.

    Every device (kiosk, counter, office, vault, board, monitor, web gateway, admin) and the
    broker have a CURVE keypair. A key file is JSON, mode 0600 (a key file others can read
    is refused), `created` in Unix milliseconds:
        {"public": "<40 Z85 chars>", "secret": "<40 Z85 chars>", "name": "...", "created": ms}
    Beside it, its public file (broker.key -> broker.pub), mode 0644, holds the same without
    "secret": that is what is handed out, the broker's to every device (--server-key), a
    device's to the administrator who enrols it. The broker admits only public keys
    enrolled in its device registry, each with one role (see broker/broker_devices.h). */
#ifndef PROTO_KEYS_H
#define PROTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define PROTO_KEY_Z85 40

typedef struct {
    char public_key[PROTO_KEY_Z85 + 1];
    char secret_key[PROTO_KEY_Z85 + 1];
} proto_keypair_t;

//  A new keypair. 0 / -1 (libzmq built without CURVE).
int proto_keys_new (proto_keypair_t *out);
//  Writes a key file (0600) and its public file (proto_keys_pub_path, 0644); refuses to
//  overwrite either, and writes both or neither. 0 / -1 with the reason in err.
int proto_keys_save (const proto_keypair_t *keys, const char *path, const char *name, char *err,
                     size_t err_size);
//  The public file beside key file `path`: its ".key" ending replaced by ".pub", or ".pub"
//  added.
void proto_keys_pub_path (const char *path, char *out, size_t size);
//  Reads a key file. 0 / -1 with the reason in err.
int proto_keys_load (const char *path, proto_keypair_t *out, char *err, size_t err_size);
//  A public key given as 40 Z85 characters or as the path of a public file or a key file
//  (only its "public" is read; a path that names a file is always read as one). 0 / -1
//  with the reason in err.
int proto_keys_public (const char *key_or_path, char *out, char *err, size_t err_size);
//  True if `s` is 40 valid Z85 characters that decode to 32 bytes.
bool proto_keys_valid (const char *s);
//  True if a ZeroMQ endpoint is local to this machine (ipc://, inproc://, or tcp on
//  127.0.0.0/8 or [::1] or localhost): the only places --insecure is allowed.
bool proto_endpoint_is_local (const char *endpoint);

#endif
