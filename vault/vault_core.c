/*  vault_core.c — see vault_core.h; the parts are listed in vault_core_impl.h. */
#include "vault_core.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_msg.h"
#include "vault_core_impl.h"

int64_t
vault_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
s_command_seen (vault_core_t *self, int64_t id)
{
    char key[32];
    snprintf (key, sizeof key, "cmd_%lld", (long long)id);
    json_t *r = vault_store_get (self->store, VAULT_DB_META, key);
    bool seen = r != NULL;
    json_decref (r);
    for (int i = 0; !seen && i < self->cfg->nslots; i++)
        seen = self->slots[i].command == id && self->slots[i].op != OP_NONE;
    return seen;
}

static void
s_sync (vault_core_t *self)
{
    json_t *reply;
    if (vault_core_call (self, "vault.sync", json_pack ("{s:s}", "cabinet", self->cfg->id), NULL,
                         &reply) != PROTO_ERR_OK) {
        json_decref (reply);
        return;
    }
    json_t *offset = json_object_get (reply, "utc_offset_min");
    if (json_is_integer (offset) && self->utc_offset_min != (int)json_integer_value (offset)) {
        self->utc_offset_min = (int)json_integer_value (offset);
        json_t *o = json_integer (self->utc_offset_min);
        vault_store_put (self->store, VAULT_DB_META, "utc_offset_min", o);
        json_decref (o);
    }
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (reply, "pickups"), i, x) {
        const char *no = json_string_value (json_object_get (x, "case_no"));
        json_t *local = no ? vault_store_get (self->store, VAULT_DB_PICKUPS, no) : NULL;
        if (!no || json_object_get (local, "collected")) {
            json_decref (local);
            continue; //  collected here; the report is on its way
        }
        json_t *merged = json_deep_copy (x);
        if (local)
            json_object_update_missing (merged, local);
        vault_store_put (self->store, VAULT_DB_PICKUPS, no, merged);
        json_decref (merged);
        json_decref (local);
        vault_slot_t *s =
            vault_core_slot_named (self, json_string_value (json_object_get (x, "slot")));
        if (s && strcmp (s->case_no, no) == 0 && s->state == ST_OCCUPIED &&
            json_is_true (json_object_get (x, "overdue"))) {
            s->state = ST_OVERDUE;
            vault_core_save (self, s);
            vault_core_say (self, "overdue", s, no,
                            "逾期未取，待工作人员取回 / uncollected: staff will recover it");
        }
    }
    json_array_foreach (json_object_get (reply, "commands"), i, x) {
        json_int_t id = json_integer_value (json_object_get (x, "id"));
        const char *kind = json_string_value (json_object_get (x, "kind"));
        if (!id || !kind || s_command_seen (self, id))
            continue;
        if (strcmp (kind, "deposit") == 0)
            vault_core_deposit (self, json_string_value (json_object_get (x, "case_no")),
                                json_string_value (json_object_get (x, "size")), id);
        else if (strcmp (kind, "open") == 0) {
            vault_slot_t *s =
                vault_core_slot_named (self, json_string_value (json_object_get (x, "slot")));
            if (!s || s->op != OP_NONE || !s->sensed || (s->alarms & A_OFFLINE))
                vault_core_command_done (self, id, s ? "busy" : "no_such_slot");
            else if (s->door_open) {
                //  Already open (forced, or left open): the inspection is under way; closing
                //  the door finishes it. No pulse.
                s->op = OP_REMOTE;
                s->prev = s->state;
                s->pulses = 1;
                s->seen_open = true;
                s->command = id;
                s->op_time = vault_now_ms ();
                vault_core_save (self, s);
                vault_core_journal (self, "remote_open", s, "door already open: inspection");
                vault_core_command_done (self, id, "opened");
            } else {
                char why[600];
                snprintf (why, sizeof why, "remote open by %s: %s",
                          json_string_value (json_object_get (x, "clerk")),
                          json_string_value (json_object_get (x, "reason")));
                vault_core_begin (self, s, OP_REMOTE, s->state, id, why);
            }
        } else
            vault_core_command_done (self, id, "unknown_command");
    }
    json_decref (reply);
}

void
vault_core_tick (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    vault_core_board_events (self);
    vault_core_timers (self);
    if (self->report_dirty) {
        vault_core_outbox (self, "vault.report",
                           json_pack ("{s:s, s:o}", "name", self->cfg->name, "slots",
                                      vault_core_slots_json (self)));
        self->report_dirty = false;
    }
    vault_core_flush (self);
    if (now >= self->next_sync && vault_core_online (self)) {
        s_sync (self);
        self->next_sync = now + SYNC_MS;
    }
}

int
vault_core_wait_ms (const vault_core_t *self)
{
    (void)self;
    return TICK_MS;
}

vault_core_t *
vault_core_new (const vault_config_t *config, vault_store_t *store, vault_board_t *board,
                proto_client_t *broker, FILE *out, bool json)
{
    vault_core_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = config;
    self->store = store;
    self->broker = broker;
    self->out = out;
    self->json = json;
    self->utc_offset_min = 480;
    json_t *o = vault_store_get (store, VAULT_DB_META, "utc_offset_min");
    if (json_is_integer (o))
        self->utc_offset_min = (int)json_integer_value (o);
    json_decref (o);
    for (int i = 0; i < config->nslots; i++) {
        self->slots[i].cfg = &config->slots[i];
        vault_core_load (self, &self->slots[i]);
    }
    //  Start-up: every door is read before anything else, in this thread; then the board
    //  thread takes the line over.
    self->bus = vault_bus_new (board, config);
    if (!self->bus) {
        vault_core_destroy (&self);
        return NULL;
    }
    bool in_flight = false;
    for (int i = 0; i < config->nslots; i++) {
        const vault_slot_t *s = &self->slots[i];
        in_flight |= s->op != OP_NONE && s->pulses > 0 && !s->seen_open;
    }
    vault_bus_first_round (self->bus, in_flight);
    vault_core_board_events (self);
    vault_core_journal (self, "started", NULL, NULL);
    self->report_dirty = true;
    if (vault_bus_start (self->bus) != 0)
        vault_core_destroy (&self);
    return self;
}

void
vault_core_set_badges (vault_core_t *self, vault_badges_t *badges)
{
    self->badges = badges;
}

void
vault_core_destroy (vault_core_t **self_p)
{
    if (self_p && *self_p) {
        vault_bus_destroy (&(*self_p)->bus);
        free (*self_p);
        *self_p = NULL;
    }
}
