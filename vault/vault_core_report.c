/*  vault_core_report.c — what the controller tells: see vault_core_impl.h. */
#include "vault_core_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "proto_log.h"
#include "proto_msg.h"

static const char *s_states[ST_COUNT] = {"free",        "reserved", "deposit_open",  "occupied",
                                         "pickup_open", "overdue",  "recovery_open", "disabled"};
static const char *s_ops[OP_COUNT] = {"none", "deposit", "pickup", "recovery", "remote"};
static const char *s_alarms[NALARMS] = {"ajar",          "jammed",   "uncommanded_open",
                                        "board_offline", "incident", "lockout"};

void
vault_core_say (vault_core_t *self, const char *event, const vault_slot_t *slot,
                const char *case_no, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    if (self->json) {
        json_t *j = json_pack ("{s:I, s:s, s:s}", "time", (json_int_t)vault_now_ms (), "event",
                               event, "message", text);
        if (slot)
            json_object_set_new (j, "slot", json_string (slot->cfg->id));
        if (case_no && *case_no)
            json_object_set_new (j, "case_no", json_string (case_no));
        char *line = proto_json_dump (j);
        if (line)
            fprintf (self->out, "%s\n", line);
        free (line);
        json_decref (j);
    } else
        fprintf (self->out, "[%s] %s%s%s\n", self->cfg->id, slot ? slot->cfg->id : "",
                 slot ? " " : "", text);
    fflush (self->out);
}

static json_t *
s_alarm_list (unsigned alarms)
{
    json_t *list = json_array ();
    for (int i = 0; i < NALARMS; i++)
        if (alarms & (1u << i))
            json_array_append_new (list, json_string (s_alarms[i]));
    return list;
}

void
vault_core_save (vault_core_t *self, const vault_slot_t *s)
{
    json_t *j =
        json_pack ("{s:s, s:s, s:I, s:s, s:i, s:b, s:I, s:I, s:b, s:I, s:s, s:o, s:s}", "state",
                   s_states[s->state], "case_no", s->case_no, "alarms", (json_int_t)s->alarms, "op",
                   s_ops[s->op], "pulses", s->pulses, "seen_open", s->seen_open, "op_time",
                   (json_int_t)s->op_time, "opened_at", (json_int_t)s->opened_at, "proxy", s->proxy,
                   "command", (json_int_t)s->command, "prev", s_states[s->prev], "alarm_names",
                   s_alarm_list (s->alarms), "staff", s->staff);
    vault_store_put (self->store, VAULT_DB_SLOTS, s->cfg->id, j);
    json_decref (j);
    self->report_dirty = true;
}

static int
s_lookup (const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp (names[i], name) == 0)
            return i;
    return 0;
}

void
vault_core_load (vault_core_t *self, vault_slot_t *s)
{
    json_t *j = vault_store_get (self->store, VAULT_DB_SLOTS, s->cfg->id);
    if (!j)
        return;
    s->state = (vault_slot_state_t)s_lookup (s_states, ST_COUNT,
                                             json_string_value (json_object_get (j, "state")));
    s->op =
        (vault_slot_op_t)s_lookup (s_ops, OP_COUNT, json_string_value (json_object_get (j, "op")));
    s->prev = (vault_slot_state_t)s_lookup (s_states, ST_COUNT,
                                            json_string_value (json_object_get (j, "prev")));
    const char *no = json_string_value (json_object_get (j, "case_no"));
    snprintf (s->case_no, sizeof s->case_no, "%s", no ? no : "");
    s->alarms = (unsigned)json_integer_value (json_object_get (j, "alarms"));
    s->pulses = (int)json_integer_value (json_object_get (j, "pulses"));
    s->seen_open = json_is_true (json_object_get (j, "seen_open"));
    s->op_time = json_integer_value (json_object_get (j, "op_time"));
    s->opened_at = json_integer_value (json_object_get (j, "opened_at"));
    s->proxy = json_is_true (json_object_get (j, "proxy"));
    s->command = json_integer_value (json_object_get (j, "command"));
    const char *staff = json_string_value (json_object_get (j, "staff"));
    snprintf (s->staff, sizeof s->staff, "%s", staff ? staff : "");
    json_decref (j);
}

void
vault_core_journal (vault_core_t *self, const char *event, const vault_slot_t *s,
                    const char *detail)
{
    json_t *j = json_pack ("{s:I, s:s}", "time", (json_int_t)vault_now_ms (), "event", event);
    if (s) {
        json_object_set_new (j, "slot", json_string (s->cfg->id));
        json_object_set_new (j, "state", json_string (s_states[s->state]));
        if (s->case_no[0])
            json_object_set_new (j, "case_no", json_string (s->case_no));
    }
    if (detail)
        json_object_set_new (j, "detail", json_string (detail));
    vault_store_append (self->store, VAULT_DB_JOURNAL, j);
    json_decref (j);
}

void
vault_core_outbox (vault_core_t *self, const char *command, json_t *body)
{
    char id[40];
    proto_request_id_new (id);
    json_object_set_new (body, "cabinet", json_string (self->cfg->id));
    json_t *entry =
        json_pack ("{s:s, s:s, s:o}", "command", command, "request_id", id, "body", body);
    vault_store_append (self->store, VAULT_DB_OUTBOX, entry);
    json_decref (entry);
}

json_t *
vault_core_slots_json (vault_core_t *self)
{
    json_t *list = json_array ();
    for (int i = 0; i < self->cfg->nslots; i++) {
        const vault_slot_t *s = &self->slots[i];
        json_t *j =
            json_pack ("{s:s, s:s#, s:s, s:o, s:s, s:b}", "slot", s->cfg->id, "size", &s->cfg->size,
                       1, "state", s_states[s->state], "alarms", s_alarm_list (s->alarms), "door",
                       s->door_open ? "open" : "closed", "occupied", s->occupied);
        if (s->case_no[0])
            json_object_set_new (j, "case_no", json_string (s->case_no));
        json_array_append_new (list, j);
    }
    return list;
}

void
vault_core_alarm (vault_core_t *self, vault_slot_t *s, unsigned alarm, const char *detail)
{
    const char *name = "incident";
    for (int i = 0; i < NALARMS; i++)
        if (alarm == (1u << i))
            name = s_alarms[i];
    if (s)
        s->alarms |= alarm;
    vault_core_journal (self, name, s, detail);
    json_t *a = json_pack ("{s:s, s:s, s:I}", "alarm", name, "detail", detail, "time",
                           (json_int_t)vault_now_ms ());
    if (s) {
        json_object_set_new (a, "slot", json_string (s->cfg->id));
        if (s->case_no[0])
            json_object_set_new (a, "case_no", json_string (s->case_no));
    }
    vault_core_outbox (self, "vault.report",
                       json_pack ("{s:s, s:o, s:o}", "name", self->cfg->name, "slots",
                                  vault_core_slots_json (self), "alarm", a));
    vault_core_say (self, "alarm", s, s ? s->case_no : NULL, "告警 alarm %s: %s", name, detail);
    if (s)
        vault_core_save (self, s);
    self->report_dirty = false;
}

bool
vault_core_online (const vault_core_t *self)
{
    return self->broker && vault_now_ms () >= self->offline_until;
}

int
vault_core_call (vault_core_t *self, const char *command, json_t *body, const char *request_id,
                 json_t **reply)
{
    *reply = NULL;
    if (!vault_core_online (self)) {
        json_decref (body);
        return PROTO_CLIENT_UNREACHABLE;
    }
    int rc = request_id ? proto_client_call_id (self->broker, command, body, request_id, reply)
                        : proto_client_call (self->broker, command, body, reply);
    json_decref (body);
    if (rc == PROTO_CLIENT_UNREACHABLE) {
        self->offline_until = vault_now_ms () + OFFLINE_BACKOFF_MS;
        log_warn ("broker unreachable: working from the local records");
    }
    return rc;
}

void
vault_core_command_done (vault_core_t *self, int64_t id, const char *result)
{
    if (!id)
        return;
    char key[32];
    snprintf (key, sizeof key, "cmd_%lld", (long long)id);
    json_t *r = json_string (result);
    vault_store_put (self->store, VAULT_DB_META, key, r);
    json_decref (r);
    vault_core_outbox (self, "vault.command_done",
                       json_pack ("{s:I, s:s}", "id", (json_int_t)id, "result", result));
}

void
vault_core_pickup_mark (vault_core_t *self, const char *case_no, const char *key, json_t *value)
{
    json_t *p = vault_store_get (self->store, VAULT_DB_PICKUPS, case_no);
    if (!p)
        p = json_pack ("{s:s}", "case_no", case_no);
    if (value)
        json_object_set_new (p, key, value);
    else
        json_object_del (p, key);
    vault_store_put (self->store, VAULT_DB_PICKUPS, case_no, p);
    json_decref (p);
}

vault_slot_t *
vault_core_slot_named (vault_core_t *self, const char *id)
{
    int i = id ? vault_config_slot (self->cfg, id) : -1;
    return i >= 0 ? &self->slots[i] : NULL;
}

void
vault_core_flush (vault_core_t *self)
{
    if (!vault_core_online (self))
        return;
    json_t *all = vault_store_all (self->store, VAULT_DB_OUTBOX, 50);
    const char *key;
    json_t *entry;
    json_object_foreach (all, key, entry) {
        const char *command = json_string_value (json_object_get (entry, "command"));
        json_t *reply;
        int rc =
            vault_core_call (self, command, json_incref (json_object_get (entry, "body")),
                             json_string_value (json_object_get (entry, "request_id")), &reply);
        if (rc == PROTO_CLIENT_UNREACHABLE || rc == PROTO_ERR_STORE_FAILED ||
            rc == PROTO_ERR_INTERNAL) {
            json_decref (reply);
            break; //  later, in the same order
        }
        if (rc == PROTO_ERR_OK && strcmp (command, "vault.deposited") == 0) {
            json_t *rec = json_object_get (reply, "pickup");
            const char *no = json_string_value (json_object_get (rec, "case_no"));
            if (no)
                vault_store_put (self->store, VAULT_DB_PICKUPS, no, rec);
        }
        if (rc != PROTO_ERR_OK)
            log_error ("outbox: %s refused: %s", command,
                       json_string_value (json_object_get (reply, "message")));
        json_decref (reply);
        vault_store_del (self->store, VAULT_DB_OUTBOX, key);
    }
    json_decref (all);
}
