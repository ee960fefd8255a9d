/*  broker_devices.h — the device registry: which CURVE public keys may speak to the
    broker, and in which role.

    Each enrolled device has one role (proto_table.h, PROTO_ROLES) and a name ("窗口5").
    The ZAP handler admits a connection only if its key is enrolled and not revoked, and
    names the connection by its key (the message's User-Id). Every request is then
    authorised against the role column of the protocol table with the role the registry
    holds *now*, so a revocation takes effect on the next request, not the next connection.
    The registry lives in the store (`devices`) and in memory. */
#ifndef BROKER_DEVICES_H
#define BROKER_DEVICES_H

#include <stdbool.h>

#include "broker_store.h"
#include "proto_msg.h"

typedef struct broker_devices broker_devices_t;

broker_devices_t *broker_devices_new (void);
void broker_devices_destroy (broker_devices_t **self_p);
//  Loads the registry from the store (a transaction must be open). 0 / -1.
int broker_devices_load (broker_devices_t *self, broker_store_t *store);
//  Role of an enrolled, unrevoked key (Z85); -1 if none.
int broker_devices_role (const broker_devices_t *self, const char *public_key);
//  Name of a key, or "" if unknown.
const char *broker_devices_name (const broker_devices_t *self, const char *public_key);
//  Enrols (or re-enrols, replacing role and name) a key, in memory and in the open write
//  transaction. 0 / -1 (bad key, role or name).
int broker_devices_enroll (broker_devices_t *self, broker_store_t *store, const char *public_key,
                           proto_role_t role, const char *name, int64_t now);
//  Revokes a key given by itself or by its name. 0, or -1 if no such device.
int broker_devices_revoke (broker_devices_t *self, broker_store_t *store, const char *key_or_name,
                           int64_t now);
//  The registry as JSON: [{public, name, role, enrolled, revoked}]. Caller owns it.
json_t *broker_devices_json (const broker_devices_t *self);
//  Number of enrolled (unrevoked) devices.
int broker_devices_count (const broker_devices_t *self);

#endif
