/*  broker_pickup.c — see broker_pickup.h. */
#include "broker_pickup.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "broker_case.h"
#include "proto_json.h"

#define CAB_MAX     32 //  a cabinet id's bytes at most (broker_vault.c)
#define CODE_DIGITS BROKER_PICKUP_DIGITS
#define CODE_KEY    (CAB_MAX + 1 + CODE_DIGITS)

//  The key of `code` at `cabinet`: the id, NUL, the digits. Its length. (An id is at most
//  CAB_MAX bytes: vault commands refuse a longer one.)
static size_t
s_code_key (const char *cabinet, const char *code, unsigned char key[CODE_KEY])
{
    size_t clen = strnlen (cabinet, CAB_MAX);
    memcpy (key, cabinet, clen);
    key[clen] = 0;
    memcpy (key + clen + 1, code, CODE_DIGITS);
    return clen + 1 + CODE_DIGITS;
}

bool
broker_pickup_code_parse (const char *text, char out[CODE_DIGITS + 1])
{
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == CODE_DIGITS)
                return false;
            out[n++] = *p;
        } else if (!strchr (" -\t\r\n", *p))
            return false;
    }
    out[n] = 0;
    return n == CODE_DIGITS;
}

json_t *
broker_pickup_codes_at (broker_ctx_t *ctx, const char *cabinet)
{
    json_t *codes = json_object ();
    size_t plen = strlen (cabinet) + 1;
    broker_store_iter_t it;
    broker_store_scan (ctx->store, BROKER_DB_PICKUP_CODES, cabinet, plen, &it);
    while (broker_store_next (&it)) {
        if (it.key.mv_size != plen + CODE_DIGITS || it.val.mv_size > BROKER_CASE_NO_MAX)
            continue;
        char no[BROKER_CASE_NO_MAX + 1];
        memcpy (no, it.val.mv_data, it.val.mv_size);
        no[it.val.mv_size] = 0;
        json_object_set_new (codes, no,
                             json_stringn ((const char *)it.key.mv_data + plen, CODE_DIGITS));
    }
    broker_store_scan_end (&it);
    return codes;
}

bool
broker_pickup_code_of (broker_ctx_t *ctx, const json_t *c, char out[CODE_DIGITS + 1])
{
    json_t *codes =
        broker_pickup_codes_at (ctx, proto_str (json_object_get (c, "pickup"), "cabinet"));
    const char *code = json_string_value (json_object_get (codes, proto_str (c, "case_no")));
    if (code)
        snprintf (out, CODE_DIGITS + 1, "%s", code);
    json_decref (codes);
    return code != NULL;
}

int
broker_pickup_code_new (broker_ctx_t *ctx, const char *cabinet, const char *no,
                        char out[CODE_DIGITS + 1])
{
    for (int tries = 0; tries < 100; tries++) {
        snprintf (out, CODE_DIGITS + 1, "%08u", (unsigned)randombytes_uniform (100000000));
        unsigned char key[CODE_KEY];
        size_t klen = s_code_key (cabinet, out, key);
        MDB_val v;
        bool taken = false;
        if (broker_store_get (ctx->store, BROKER_DB_PICKUP_CODES, key, klen, &v) == 0) {
            char other[BROKER_CASE_NO_MAX + 1];
            snprintf (other, sizeof other, "%.*s",
                      (int)(v.mv_size < BROKER_CASE_NO_MAX ? v.mv_size : BROKER_CASE_NO_MAX),
                      (const char *)v.mv_data);
            json_t *c = broker_case_load (ctx, other);
            taken = c && proto_is (c, "state", BROKER_CASE_READY) &&
                    proto_is (json_object_get (c, "pickup"), "cabinet", cabinet);
            json_decref (c);
        }
        if (!taken) {
            broker_store_put (ctx->store, BROKER_DB_PICKUP_CODES, key, klen, no, strlen (no));
            return 0;
        }
    }
    return broker_fail (ctx, PROTO_ERR_INTERNAL, "no free pickup code in cabinet %s", cabinet);
}

void
broker_pickup_code_drop (broker_ctx_t *ctx, const json_t *c)
{
    char code[CODE_DIGITS + 1];
    if (!broker_pickup_code_of (ctx, c, code))
        return;
    unsigned char key[CODE_KEY];
    size_t klen = s_code_key (proto_str (json_object_get (c, "pickup"), "cabinet"), code, key);
    broker_store_del (ctx->store, BROKER_DB_PICKUP_CODES, key, klen);
}

json_t *
broker_pickup_code_case (broker_ctx_t *ctx, const char *cabinet, const char *code)
{
    unsigned char key[CODE_KEY];
    size_t klen = s_code_key (cabinet, code, key);
    MDB_val v;
    json_t *c = NULL;
    if (broker_store_get (ctx->store, BROKER_DB_PICKUP_CODES, key, klen, &v) == 0 &&
        v.mv_size <= BROKER_CASE_NO_MAX) {
        char no[BROKER_CASE_NO_MAX + 1];
        memcpy (no, v.mv_data, v.mv_size);
        no[v.mv_size] = 0;
        c = broker_case_load (ctx, no);
    }
    if (!c)
        broker_fail (ctx, PROTO_ERR_UNKNOWN_CASE,
                     "取件码无效 / no result in this cabinet has this pickup code");
    return c;
}

void
broker_pickup_show_codes (broker_ctx_t *ctx, json_t *cases)
{
    size_t i;
    json_t *c;
    json_array_foreach (cases, i, c) {
        char code[CODE_DIGITS + 1];
        json_t *p = json_object_get (c, "pickup");
        if (proto_is (c, "state", BROKER_CASE_READY) && json_is_object (p) &&
            broker_pickup_code_of (ctx, c, code))
            json_object_set_new (p, "code", json_string (code));
    }
}
