/*  vault_badge.h — staff badges as enrolled credentials, and the staff PINs that go with them.

    A badge is a keyed token, never a string anyone could read out of a file:

        OWB1-<ID>-<MAC>       e.g. OWB1-3F9A0C1D-5B0E…  (46 characters, QR alphanumeric)

    ID is 8 random hex digits; MAC is 32 hex digits of keyed BLAKE2b (libsodium
    crypto_generichash, 128 bits) over the cabinet's id and ID, under the vault's badge key.
    Two files in the vault's data folder (--data DIR) hold what the vault needs:

        DIR/badge.key     32 random bytes in hex, mode 0600: made by the first enrolment; the
                          vault refuses a key readable by group or others
        DIR/badges.json   one record per badge: id, name, cabinet, the BLAKE2b hash of the
                          badge's code (never the code), the PIN's argon2id hash
                          (crypto_pwhash_str), when enrolled and, once revoked, when

    So reading the config, the records or a backup of them gives nobody a badge: a badge
    takes the key, and its record. A badge is good while its record is there and not revoked;
    the vault re-reads the records when the file changes, so a revocation counts at the
    next scan of a running vault. Enrolment, revocation and listing run as
    `onewindow-vault --enrol-badge NAME | --revoke-badge ID | --list-badges` (vault_main.c),
    beside a running vault: they never open its store. docs/CABINET.md, "Staff". */
#ifndef VAULT_BADGE_H
#define VAULT_BADGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define VAULT_BADGE_ID_LEN   8  //  hex digits of a badge's id
#define VAULT_BADGE_CODE_LEN 46 //  "OWB1-" ID "-" MAC
#define VAULT_PIN_MIN        6  //  a staff PIN: 6..12 digits
#define VAULT_PIN_MAX        12

typedef struct vault_badges vault_badges_t;

//  The badges of cabinet `cabinet` kept in folder `dir` (borrowed strings, copied). Reads the
//  key and the records if they exist: none yet means no badge opens anything. NULL, with the
//  reason in `err`, if the key is readable by others or a file cannot be read.
vault_badges_t *vault_badges_new (const char *dir, const char *cabinet, char *err, size_t err_size);
void vault_badges_destroy (vault_badges_t **self_p);
//  Badges enrolled and not revoked, as last read.
int vault_badges_count (vault_badges_t *self);
//  True if `line` is an enrolled, unrevoked badge of this cabinet; its id goes into `id`
//  (VAULT_BADGE_ID_LEN + 1 bytes) and its holder's name into `name`. Re-reads the files
//  first when they changed.
bool vault_badges_check (vault_badges_t *self, const char *line, char *id, char *name,
                         size_t name_size);
//  True if `pin` is the PIN of badge `id` (still enrolled and not revoked).
bool vault_badges_pin (vault_badges_t *self, const char *id, const char *pin);
//  True if `line` has the form of a badge, whether or not it is one: a badge shown to a
//  citizens' source is noted as such.
bool vault_badge_form (const char *line);
//  True if `pin` is a valid staff PIN: VAULT_PIN_MIN..VAULT_PIN_MAX digits.
bool vault_badge_pin_valid (const char *pin);

//  Enrols a badge for `name` at cabinet `cabinet` with staff PIN `pin`, in folder `dir`
//  (made if missing; the key too, on the first enrolment). Its code goes into `code`
//  (VAULT_BADGE_CODE_LEN + 1 bytes): print it, it is never stored. Returns the new record
//  (no hashes; caller owns it), or NULL with the reason in `err`.
json_t *vault_badge_enrol (const char *dir, const char *cabinet, const char *name, const char *pin,
                           char *code, char *err, size_t err_size);
//  Revokes badge `id` in folder `dir`: its record stays, for the audit, marked revoked.
//  0, or -1 with the reason in `err` (no such badge).
int vault_badge_revoke (const char *dir, const char *id, char *err, size_t err_size);
//  Every badge record in `dir` without its hashes: {id, name, cabinet, enrolled, revoked?}.
//  Caller owns it; NULL with the reason in `err`.
json_t *vault_badge_list (const char *dir, char *err, size_t err_size);

#endif
