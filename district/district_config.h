/*  district_config.h — the district's config (etc/district.example.json): the district,
    the halls it follows and how to reach each, and the index settings. README ("the district view")
    describes every key; docs/INDEX.md the index's. Loading checks everything and names the
   offending key, as the hall's config does, so a district administrator can fix the file.

        {"district": {"id", "name", "events"},
         "halls": [{"id", "name", "kind", "request", "events", "server_key", "index"}],
         "index": {...}}

    `index` is an index config (docs/INDEX.md: weights, targets, grades, and manual scores
    and capabilities for every hall) merged over the defaults; a hall's own `index`
    ({"manual", "capabilities"}) is its entry `halls.ID` of that config. Loading checks
    the result, so a wrong weight stops the district at start, not in a view.

    A hall's `id` is the id its broker gives in hall.info (hall.id): the district refuses
    to count a hall whose broker names another, so a config that points two entries at
    the same broker, or one at the wrong broker, cannot mix two halls' figures. */
#ifndef DISTRICT_CONFIG_H
#define DISTRICT_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto_keys.h"

//  Halls one district follows at most (the report's district has 32).
#define DISTRICT_MAX_HALLS 256
//  Longest hall id: the broker's limit (hall.id, 1..16 letters, digits, - or _).
#define DISTRICT_ID_MAX 16

//  The two kinds the index ranks separately and the views name.
typedef enum { DISTRICT_KIND_HALL, DISTRICT_KIND_TOWN } district_kind_t;

typedef struct {
    char id[DISTRICT_ID_MAX + 1]; //  the hall's id, as its hall.info says
    char *name;                   //  what the district calls it (Chinese)
    district_kind_t kind;         //  district_hall | town_centre
    char *request;                //  the broker's request endpoint
    char *events;                 //  its event endpoint, or NULL: the one hall.info advertises
    char server_key[PROTO_KEY_Z85 + 1]; //  the broker's public key (Z85), "" without CURVE
    json_t *index; //  the hall's own index inputs ({manual, capabilities}; borrowed), or NULL
} district_hall_cfg_t;

typedef struct {
    char id[DISTRICT_ID_MAX + 1]; //  the district's id
    char *name;                   //  e.g. 滨海新区
    char *events;                 //  where district viewers subscribe (the proxy's XPUB)
    district_hall_cfg_t *halls;   //  in config order: the order of every view
    size_t nhalls;
    json_t *index;   //  the index settings (docs/INDEX.md; borrowed from root), or NULL
    json_t *scoring; //  the checked index config: the defaults, `index` and each hall's
                     //  `index` as its `halls.ID` (owned; proto_index_compute's config)
    json_t *root;    //  the whole file
} district_config_t;

//  The kind's name in the config ("district_hall", "town_centre").
const char *district_kind_name (district_kind_t kind);
//  The kind as people read it (区级政务服务中心, 街镇便民服务中心).
const char *district_kind_label (district_kind_t kind);

//  Loads and checks the config at `path`; a hall's `server_key` may name a public file,
//  relative to the config's folder. With `insecure`, no hall may have a server_key;
//  without, every hall must. NULL with the reason in err.
district_config_t *district_config_load (const char *path, bool insecure, char *err, size_t size);
//  Destroys the config and sets *self_p to NULL. Safe on NULL.
void district_config_destroy (district_config_t **self_p);
//  The hall with id `id`, or NULL.
const district_hall_cfg_t *district_config_hall (const district_config_t *self, const char *id);

#endif
