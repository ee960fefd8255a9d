/*  vault_core.c — see vault_core.h. */
#include "vault_core.h"

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_log.h"
#include "proto_msg.h"
#include "proto_token.h"

typedef enum {
    ST_FREE,
    ST_RESERVED,
    ST_DEPOSIT_OPEN,
    ST_OCCUPIED,
    ST_PICKUP_OPEN,
    ST_OVERDUE,
    ST_RECOVERY_OPEN,
    ST_DISABLED,
    ST_COUNT
} s_state_t;

static const char *s_states[ST_COUNT] = {"free",        "reserved", "deposit_open",
                                         "occupied",    "pickup_open", "overdue",
                                         "recovery_open", "disabled"};

typedef enum { OP_NONE, OP_DEPOSIT, OP_PICKUP, OP_RECOVERY, OP_REMOTE, OP_COUNT } s_op_t;
static const char *s_ops[OP_COUNT] = {"none", "deposit", "pickup", "recovery", "remote"};

#define A_AJAR 1u
#define A_JAMMED 2u
#define A_UNCOMMANDED 4u
#define A_OFFLINE 8u
#define A_INCIDENT 16u
#define A_LOCKOUT 32u
static const char *s_alarms[] = {"ajar",     "jammed",   "uncommanded_open",
                                 "board_offline", "incident", "lockout"};
#define NALARMS 6

#define SYNC_MS 2000
#define OFFLINE_BACKOFF_MS 3000
#define PIN_WAIT_MS 60000

typedef struct {
    const vault_slot_cfg_t *cfg;
    s_state_t state;
    char case_no[64];
    unsigned alarms;
    bool sensed;          //  the sensors have been read at least once
    bool door_open;
    bool occupied;
    s_op_t op;            //  operation in progress
    int pulses;           //  unlock frames sent for it (0: journaled, not yet sent)
    bool seen_open;       //  the door opened for it
    int64_t op_time;      //  when it began, or the last pulse
    int64_t opened_at;    //  when the door was seen open
    bool proxy;           //  a pickup by a proxy's code
    int64_t command;      //  staff command behind it, 0 if none
    s_state_t prev;       //  state to return to if it fails
} s_slot_t;

struct vault_core {
    const vault_config_t *cfg;
    vault_store_t *store;
    vault_board_t *board;
    proto_client_t *broker;
    FILE *out;
    bool json;
    s_slot_t slots[VAULT_MAX_SLOTS];
    int64_t staff_until;            //  staff mode (deposit, recovery) until then
    int64_t wrong[64];              //  times of recent wrong codes
    int nwrong;
    int64_t locked_until;           //  scanner lockout
    char pin_case[64];              //  pickup waiting for its second factor
    int pin_slot;
    int pin_tries;
    bool pin_proxy;
    int64_t pin_until;
    int64_t offline_until;          //  do not try the broker before then
    int64_t next_sync;
    int64_t next_poll;
    bool report_dirty;              //  slot states changed since the last report
    int utc_offset_min;             //  the hall's local time (from vault.sync), for messages
};

int64_t
vault_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  ---------------------------------------------------------------------------------------
//  Output, journal, persistence

static void
s_say (vault_core_t *self, const char *event, const s_slot_t *slot, const char *case_no,
       const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    if (self->json) {
        json_t *j = json_pack ("{s:I, s:s, s:s}", "time", (json_int_t) vault_now_ms (), "event",
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
    }
    else
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

static void
s_save (vault_core_t *self, const s_slot_t *s)
{
    json_t *j = json_pack ("{s:s, s:s, s:I, s:s, s:i, s:b, s:I, s:I, s:b, s:I, s:s, s:o}", "state",
                           s_states[s->state], "case_no", s->case_no, "alarms",
                           (json_int_t) s->alarms, "op", s_ops[s->op], "pulses", s->pulses,
                           "seen_open", s->seen_open, "op_time", (json_int_t) s->op_time,
                           "opened_at", (json_int_t) s->opened_at, "proxy", s->proxy, "command",
                           (json_int_t) s->command, "prev", s_states[s->prev], "alarm_names",
                           s_alarm_list (s->alarms));
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

static void
s_load (vault_core_t *self, s_slot_t *s)
{
    json_t *j = vault_store_get (self->store, VAULT_DB_SLOTS, s->cfg->id);
    if (!j)
        return;
    s->state = (s_state_t) s_lookup (s_states, ST_COUNT, json_string_value (json_object_get (j, "state")));
    s->op = (s_op_t) s_lookup (s_ops, OP_COUNT, json_string_value (json_object_get (j, "op")));
    s->prev = (s_state_t) s_lookup (s_states, ST_COUNT, json_string_value (json_object_get (j, "prev")));
    const char *no = json_string_value (json_object_get (j, "case_no"));
    snprintf (s->case_no, sizeof s->case_no, "%s", no ? no : "");
    s->alarms = (unsigned) json_integer_value (json_object_get (j, "alarms"));
    s->pulses = (int) json_integer_value (json_object_get (j, "pulses"));
    s->seen_open = json_is_true (json_object_get (j, "seen_open"));
    s->op_time = json_integer_value (json_object_get (j, "op_time"));
    s->opened_at = json_integer_value (json_object_get (j, "opened_at"));
    s->proxy = json_is_true (json_object_get (j, "proxy"));
    s->command = json_integer_value (json_object_get (j, "command"));
    json_decref (j);
}

static void
s_journal (vault_core_t *self, const char *event, const s_slot_t *s, const char *detail)
{
    json_t *j = json_pack ("{s:I, s:s}", "time", (json_int_t) vault_now_ms (), "event", event);
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

//  Queues a report for the broker; it is sent in order, exactly once (outbox).
static void
s_outbox (vault_core_t *self, const char *command, json_t *body)
{
    char id[40];
    proto_request_id_new (id);
    json_object_set_new (body, "cabinet", json_string (self->cfg->id));
    json_t *entry = json_pack ("{s:s, s:s, s:o}", "command", command, "request_id", id, "body", body);
    vault_store_append (self->store, VAULT_DB_OUTBOX, entry);
    json_decref (entry);
}

static json_t *
s_slots_json (vault_core_t *self)
{
    json_t *list = json_array ();
    for (int i = 0; i < self->cfg->nslots; i++) {
        const s_slot_t *s = &self->slots[i];
        json_t *j = json_pack ("{s:s, s:s#, s:s, s:o, s:s, s:b}", "slot", s->cfg->id, "size",
                               &s->cfg->size, 1, "state", s_states[s->state], "alarms",
                               s_alarm_list (s->alarms), "door", s->door_open ? "open" : "closed",
                               "occupied", s->occupied);
        if (s->case_no[0])
            json_object_set_new (j, "case_no", json_string (s->case_no));
        json_array_append_new (list, j);
    }
    return list;
}

//  An alarm for staff: on the screen, in the journal, and to the broker at once.
static void
s_alarm (vault_core_t *self, s_slot_t *s, unsigned alarm, const char *detail)
{
    const char *name = "incident";
    for (int i = 0; i < NALARMS; i++)
        if (alarm == (1u << i))
            name = s_alarms[i];
    if (s)
        s->alarms |= alarm;
    s_journal (self, name, s, detail);
    json_t *a = json_pack ("{s:s, s:s, s:I}", "alarm", name, "detail", detail, "time",
                           (json_int_t) vault_now_ms ());
    if (s) {
        json_object_set_new (a, "slot", json_string (s->cfg->id));
        if (s->case_no[0])
            json_object_set_new (a, "case_no", json_string (s->case_no));
    }
    s_outbox (self, "vault.report",
              json_pack ("{s:s, s:o, s:o}", "name", self->cfg->name, "slots", s_slots_json (self),
                         "alarm", a));
    s_say (self, "alarm", s, s ? s->case_no : NULL, "告警 alarm %s: %s", name, detail);
    if (s)
        s_save (self, s);
    self->report_dirty = false;
}

//  ---------------------------------------------------------------------------------------
//  The broker

static bool
s_online (const vault_core_t *self)
{
    return self->broker && vault_now_ms () >= self->offline_until;
}

//  A call with the outcome: 0 ok, a proto_err_t, or PROTO_CLIENT_UNREACHABLE (then the
//  vault works offline for a few seconds before trying again).
static int
s_call (vault_core_t *self, const char *command, json_t *body, const char *request_id,
        json_t **reply)
{
    *reply = NULL;
    if (!s_online (self)) {
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

static void
s_command_done (vault_core_t *self, int64_t id, const char *result)
{
    if (!id)
        return;
    char key[32];
    snprintf (key, sizeof key, "cmd_%lld", (long long) id);
    json_t *r = json_string (result);
    vault_store_put (self->store, VAULT_DB_META, key, r);
    json_decref (r);
    s_outbox (self, "vault.command_done",
              json_pack ("{s:I, s:s}", "id", (json_int_t) id, "result", result));
}

//  ---------------------------------------------------------------------------------------
//  Doors

static void
s_pulse (vault_core_t *self, s_slot_t *s)
{
    int rc = vault_board_unlock (self->board, s->cfg->board, s->cfg->lock);
    s->pulses++;
    s->op_time = vault_now_ms ();
    s_save (self, s);
    if (rc != 0)
        log_warn ("slot %s: %s", s->cfg->id, vault_board_error (self->board));
}

//  Begins an operation: journaled and synced before the unlock frame goes out.
static void
s_begin (vault_core_t *self, s_slot_t *s, s_op_t op, s_state_t while_waiting, int64_t command,
         const char *why)
{
    s->op = op;
    s->prev = s->state;
    s->state = while_waiting;
    s->pulses = 0;
    s->seen_open = false;
    s->op_time = vault_now_ms ();
    s->command = command;
    s_save (self, s);
    s_journal (self, op == OP_PICKUP ? "pickup_unlock" : op == OP_DEPOSIT ? "deposit_unlock"
                     : op == OP_RECOVERY                ? "recovery_unlock"
                                                        : "remote_unlock",
               s, why);
    //  Test hook for the crash campaign: die between the journal and the unlock frame.
    const char *crash = getenv ("OW_VAULT_CRASH");
    if (crash && strcmp (crash, "after_journal") == 0)
        raise (SIGKILL);
    s_pulse (self, s);
}

//  The operation failed before the door opened: back to where it was.
static void
s_cancel (vault_core_t *self, s_slot_t *s)
{
    if (s->op == OP_DEPOSIT) {
        s->state = ST_FREE;
        s->case_no[0] = 0;
    }
    else
        s->state = s->prev;
    s->op = OP_NONE;
    s->pulses = 0;
    s->seen_open = false;
    s->proxy = false;
    s_save (self, s);
}

static bool
s_usable (const s_slot_t *s)
{
    return s->sensed && !(s->alarms & (A_JAMMED | A_UNCOMMANDED | A_OFFLINE)) && s->op == OP_NONE;
}

static void
s_pickup_mark (vault_core_t *self, const char *case_no, const char *key, json_t *value)
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

static void
s_on_open (vault_core_t *self, s_slot_t *s)
{
    s->door_open = true;
    s->opened_at = vault_now_ms ();
    if (s->op != OP_NONE && s->pulses > 0 && !s->seen_open) {
        s->seen_open = true;
        s->alarms &= ~A_JAMMED;
        switch (s->op) {
        case OP_DEPOSIT:
            s->state = ST_DEPOSIT_OPEN;
            s_say (self, "deposit_open", s, s->case_no,
                   "请放入材料并关门 / put the documents in and close the door");
            break;
        case OP_PICKUP:
            s->state = ST_PICKUP_OPEN;
            //  The code is used up the moment the door opens.
            s_pickup_mark (self, s->case_no, "opened", json_integer (vault_now_ms ()));
            s_say (self, "pickup_open", s, s->case_no,
                   "柜门已打开，请取件并关门 / the door is open: take your documents and close it");
            break;
        case OP_RECOVERY:
            s->state = ST_RECOVERY_OPEN;
            s_say (self, "recovery_open", s, s->case_no, "请取出逾期材料并关门 / take the overdue result out");
            break;
        default:
            s_say (self, "remote_open", s, s->case_no, "远程开门 / opened remotely");
            s_command_done (self, s->command, "opened");
            break;
        }
        s_journal (self, "door_open", s, NULL);
        s_save (self, s);
        return;
    }
    if (s->op == OP_NONE) {
        //  Nobody asked for this door: a forced or failed lock. Out of service until an
        //  administrator inspects it (a remote open and close).
        if (s->state != ST_DISABLED)
            s->prev = s->state;
        s->state = ST_DISABLED;
        s_alarm (self, s, A_UNCOMMANDED, "门在未发指令时被打开 / door opened without a command");
    }
}

static void
s_on_close (vault_core_t *self, s_slot_t *s, bool occupied, bool has_sensor)
{
    s->door_open = false;
    s->alarms &= ~A_AJAR;
    s_op_t op = s->seen_open ? s->op : OP_NONE;
    switch (op) {
    case OP_DEPOSIT:
        //  Without occupancy sensors a closed deposit door counts as filled.
        if (occupied || !has_sensor) {
            s->state = ST_OCCUPIED;
            s_outbox (self, "vault.deposited",
                      json_pack ("{s:s, s:s}", "case_no", s->case_no, "slot", s->cfg->id));
            s_say (self, "deposited", s, s->case_no, "已存入，将短信通知申请人 / deposited; the applicant is notified");
            s_command_done (self, s->command, "deposited");
        }
        else {
            s_say (self, "deposit_empty", s, s->case_no, "格口为空，未存入 / the slot is empty: nothing deposited");
            s_command_done (self, s->command, "empty");
            s->state = ST_FREE;
            s->case_no[0] = 0;
        }
        break;
    case OP_PICKUP:
        if (!occupied || !has_sensor) {
            int64_t now = vault_now_ms ();
            s_pickup_mark (self, s->case_no, "collected", json_integer (now));
            s_outbox (self, "vault.collected",
                      json_pack ("{s:s, s:s, s:I, s:b}", "case_no", s->case_no, "slot", s->cfg->id,
                                 "time", (json_int_t) now, "proxy", s->proxy));
            s_say (self, "collected", s, s->case_no, "取件完成，谢谢 / collected, thank you");
            s->state = ST_FREE;
            s->case_no[0] = 0;
        }
        else {
            //  The documents are still there: the case is not collected; the code works again.
            s_pickup_mark (self, s->case_no, "opened", NULL);
            s_say (self, "not_taken", s, s->case_no,
                   "材料仍在柜内，未取件 / the documents are still inside: not collected");
            s->state = s->prev == ST_OVERDUE ? ST_OVERDUE : ST_OCCUPIED;
        }
        break;
    case OP_RECOVERY:
    case OP_REMOTE:
        if (s->prev == ST_DISABLED)
            s->alarms &= ~A_UNCOMMANDED;  //  inspected
        s->alarms &= ~A_INCIDENT;
        if (has_sensor && occupied)
            s->state = s->case_no[0] ? (s->prev == ST_OVERDUE ? ST_OVERDUE : ST_OCCUPIED) : ST_OCCUPIED;
        else {
            if (s->case_no[0]) {
                s_outbox (self, "vault.recovered",
                          json_pack ("{s:s, s:s}", "case_no", s->case_no, "slot", s->cfg->id));
                vault_store_del (self->store, VAULT_DB_PICKUPS, s->case_no);
                s_say (self, "recovered", s, s->case_no, "已取出，转回窗口 / taken out; back to the counter");
            }
            s->state = ST_FREE;
            s->case_no[0] = 0;
        }
        break;
    default:
        break;  //  a door that opened by itself stays disabled until inspected
    }
    if (op != OP_NONE) {
        if (op == OP_DEPOSIT || op == OP_PICKUP)
            s->alarms &= ~A_INCIDENT;  //  the slot worked normally again
        s->op = OP_NONE;
        s->pulses = 0;
        s->seen_open = false;
        s->proxy = false;
        s->command = 0;
    }
    s_journal (self, "door_closed", s, occupied ? "occupied" : "empty");
    s_save (self, s);
}

//  New sensor readings for a slot.
static void
s_sense (vault_core_t *self, s_slot_t *s, bool open, bool occupied, bool has_sensor)
{
    if (s->alarms & A_OFFLINE) {
        s->alarms &= ~A_OFFLINE;
        s_journal (self, "board_online", s, NULL);
        s_save (self, s);
    }
    if (!s->sensed) {
        s->sensed = true;
        s->door_open = open;
        s->occupied = occupied;
        return;
    }
    if (open && !s->door_open)
        s_on_open (self, s);
    else if (!open && s->door_open)
        s_on_close (self, s, occupied, has_sensor);
    else if (!open && has_sensor && occupied != s->occupied && s->op == OP_NONE) {
        s->occupied = occupied;
        s_alarm (self, s, A_INCIDENT,
                 occupied ? "关门状态下出现物品 / an item appeared behind a closed door"
                          : "关门状态下物品消失 / an item vanished behind a closed door");
    }
    s->occupied = occupied;
}

static void
s_read_boards (vault_core_t *self)
{
    int done[256] = {0};
    for (int i = 0; i < self->cfg->nslots; i++) {
        int board = self->cfg->slots[i].board;
        if (done[board])
            continue;
        done[board] = 1;
        vault_board_status_t st;
        int rc = vault_board_status (self->board, board, &st);
        for (int k = 0; k < self->cfg->nslots; k++) {
            s_slot_t *s = &self->slots[k];
            if (s->cfg->board != board)
                continue;
            if (rc != 0) {
                //  No reading: the slot is unknown; nothing is allocated or opened there.
                if (!(s->alarms & A_OFFLINE))
                    s_alarm (self, s, A_OFFLINE, vault_board_error (self->board));
                continue;
            }
            uint32_t bit = 1u << (s->cfg->lock - 1);
            s_sense (self, s, (st.open & bit) != 0, (st.occupied & bit) != 0, st.has_occupancy);
        }
    }
}

//  Start-up: doors are read before anything else; nothing is pulsed again.
static void
s_reconcile (vault_core_t *self)
{
    int done[256] = {0};
    for (int i = 0; i < self->cfg->nslots; i++) {
        int board = self->cfg->slots[i].board;
        if (done[board])
            continue;
        done[board] = 1;
        vault_board_status_t st;
        int rc = vault_board_status (self->board, board, &st);
        for (int k = 0; k < self->cfg->nslots; k++) {
            s_slot_t *s = &self->slots[k];
            if (s->cfg->board != board)
                continue;
            if (rc != 0) {
                s_alarm (self, s, A_OFFLINE, vault_board_error (self->board));
                continue;
            }
            uint32_t bit = 1u << (s->cfg->lock - 1);
            bool open = (st.open & bit) != 0, occ = (st.occupied & bit) != 0;
            bool has = st.has_occupancy;
            s->sensed = true;
            s->door_open = open;
            s->occupied = occ;
            s->alarms &= ~A_OFFLINE;
            if (s->op != OP_NONE) {
                if (s->pulses == 0)
                    s_alarm (self, s, A_INCIDENT,
                             "重启：开门指令已记录但不确定是否发出，未自动重发 / restart: an unlock was "
                             "journaled but may not have been sent; it is not repeated");
                if (open) {
                    //  The door is open: the operation goes on; closing it will settle it.
                    s->pulses = s->pulses ? s->pulses : 1;
                    s->seen_open = true;
                    s->opened_at = vault_now_ms ();
                    s->state = s->op == OP_DEPOSIT  ? ST_DEPOSIT_OPEN
                               : s->op == OP_PICKUP ? ST_PICKUP_OPEN
                               : s->op == OP_RECOVERY ? ST_RECOVERY_OPEN
                                                      : s->state;
                    s_save (self, s);
                }
                else if (s->seen_open || (s->pulses > 0 && has
                                          && ((s->op == OP_DEPOSIT && occ)
                                              || (s->op != OP_DEPOSIT && !occ && s->case_no[0])))) {
                    //  The door opened and closed while we were down: the sensors say how.
                    s->seen_open = true;
                    s->pulses = s->pulses ? s->pulses : 1;
                    s_on_close (self, s, occ, has);
                    s_alarm (self, s, A_INCIDENT, "重启：按传感器结果完成操作 / restart: finished from the sensors");
                }
                else {
                    int64_t cmd = s->command;
                    s_cancel (self, s);
                    //  A staff command cut by the crash is done with, not run again.
                    s_command_done (self, cmd, "interrupted");
                }
            }
            else if (open) {
                if (s->state != ST_DISABLED)
                    s->prev = s->state;
                s->state = ST_DISABLED;
                s_alarm (self, s, A_UNCOMMANDED, "重启时柜门开着 / door found open at start");
            }
            else if (has && occ && s->state == ST_FREE)
                s_alarm (self, s, A_INCIDENT, "空格口内有物品 / an item in a free slot");
            else if (has && !occ && (s->state == ST_OCCUPIED || s->state == ST_OVERDUE))
                s_alarm (self, s, A_INCIDENT, "格口应有材料但为空 / the slot should hold documents but is empty");
        }
    }
    s_journal (self, "started", NULL, NULL);
    self->report_dirty = true;
}

//  ---------------------------------------------------------------------------------------
//  Codes

//  Counts a wrong code or wrong digits toward the cabinet's lockout; locks when too many.
static void
s_count_wrong (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    int n = 0;
    for (int i = 0; i < self->nwrong; i++)
        if (now - self->wrong[i] < self->cfg->lockout_window_ms)
            self->wrong[n++] = self->wrong[i];
    if (n < (int) (sizeof self->wrong / sizeof self->wrong[0]))
        self->wrong[n++] = now;
    self->nwrong = n;
    if (n >= self->cfg->lockout_tries) {
        self->locked_until = now + self->cfg->lockout_ms;
        self->nwrong = 0;
        char detail[128];
        snprintf (detail, sizeof detail, "%d wrong codes within %d s: scanner locked for %d s", n,
                  self->cfg->lockout_window_ms / 1000, self->cfg->lockout_ms / 1000);
        s_alarm (self, NULL, A_LOCKOUT, detail);
        s_say (self, "lockout", NULL, NULL, "错误次数过多，请稍后再试或到窗口咨询 / too many wrong codes: try later or ask at a counter");
    }
}

static void
s_wrong_code (vault_core_t *self, const char *why)
{
    s_say (self, "wrong_code", NULL, NULL, "%s", why);
    s_count_wrong (self);
}

static s_slot_t *
s_slot_named (vault_core_t *self, const char *id)
{
    int i = id ? vault_config_slot (self->cfg, id) : -1;
    return i >= 0 ? &self->slots[i] : NULL;
}

//  The local pickup record whose codes include this code's hash, or NULL. Caller owns it.
static json_t *
s_local_record (vault_core_t *self, const char *token)
{
    char hash[33];
    proto_token_hash (token, hash);
    json_t *all = vault_store_all (self->store, VAULT_DB_PICKUPS, 0);
    json_t *found = NULL;
    const char *key;
    json_t *rec;
    json_object_foreach (all, key, rec) {
        size_t i;
        json_t *h;
        json_array_foreach (json_object_get (rec, "codes"), i, h)
            if (strcmp (json_string_value (h), hash) == 0) {
                found = json_incref (rec);
                if (i > 0)
                    json_object_set_new (found, "proxy", json_true ());
            }
        if (found)
            break;
    }
    json_decref (all);
    return found;
}

static void
s_open_for_pickup (vault_core_t *self, s_slot_t *s, bool proxy)
{
    s->proxy = proxy;
    s_begin (self, s, OP_PICKUP, s->state, 0, proxy ? "proxy code" : "applicant code");
}

static void
s_pickup (vault_core_t *self, const char *token)
{
    json_t *record = NULL;
    json_t *reply = NULL;
    int rc = s_call (self, "vault.pickup_check",
                     json_pack ("{s:s, s:s}", "cabinet", self->cfg->id, "code", token), NULL, &reply);
    if (rc == PROTO_ERR_OK) {
        record = reply;
        reply = NULL;
        //  Keep the local record fresh (proxies added since), but never lose local marks.
        json_t *local = vault_store_get (self->store, VAULT_DB_PICKUPS,
                                         json_string_value (json_object_get (record, "case_no")));
        json_t *merged = json_deep_copy (record);
        json_object_del (merged, "proxy");
        if (local)
            json_object_update_missing (merged, local);
        vault_store_put (self->store, VAULT_DB_PICKUPS,
                         json_string_value (json_object_get (record, "case_no")), merged);
        json_decref (merged);
        json_decref (local);
    }
    else if (rc == PROTO_ERR_WRONG_STATE) {
        s_say (self, "refused", NULL, NULL, "%s",
               json_string_value (json_object_get (reply, "message")));
        json_decref (reply);
        return;
    }
    else if (rc != PROTO_CLIENT_UNREACHABLE) {
        json_decref (reply);
        s_wrong_code (self, "无效的取件码 / this code opens nothing here");
        return;
    }
    else {
        record = s_local_record (self, token);
        if (!record) {
            s_wrong_code (self, "无效的取件码 / this code opens nothing here");
            return;
        }
        json_int_t collected = json_integer_value (json_object_get (record, "collected"));
        if (collected) {
            //  In the hall's time, as the broker would say it.
            char when[32];
            time_t t = (time_t) (collected / 1000 + (int64_t) self->utc_offset_min * 60);
            struct tm tm;
            gmtime_r (&t, &tm);
            strftime (when, sizeof when, "%Y-%m-%d %H:%M", &tm);
            s_say (self, "refused", NULL, json_string_value (json_object_get (record, "case_no")),
                   "已于 %s 领取 / collected at %s", when, when);
            json_decref (record);
            return;
        }
    }
    const char *case_no = json_string_value (json_object_get (record, "case_no"));
    s_slot_t *s = s_slot_named (self, json_string_value (json_object_get (record, "slot")));
    bool proxy = json_is_true (json_object_get (record, "proxy"));
    if (!s || strcmp (s->case_no, case_no ? case_no : "") != 0
        || (s->state != ST_OCCUPIED && s->state != ST_OVERDUE)) {
        if (s && s->op == OP_PICKUP && strcmp (s->case_no, case_no ? case_no : "") == 0)
            s_say (self, "in_progress", s, case_no, "柜门已打开 / this door is already open");
        else
            s_say (self, "refused", s, case_no, "请到窗口领取 / please collect it at a counter");
        json_decref (record);
        return;
    }
    if (!s_usable (s)) {
        s_say (self, "refused", s, case_no,
               "该格口暂时无法开启，请到窗口处理 / this slot cannot open now: please go to a counter");
        json_decref (record);
        return;
    }
    if (json_is_string (json_object_get (record, "pin_hash"))) {
        json_t *local = vault_store_get (self->store, VAULT_DB_PICKUPS, case_no);
        int failed = (int) json_integer_value (json_object_get (local, "pin_failed"));
        json_decref (local);
        if (failed >= self->cfg->pin_tries) {
            s_say (self, "refused", s, case_no,
                   "身份核验失败次数过多，请到窗口领取 / too many wrong digits: collect it at a counter");
            json_decref (record);
            return;
        }
        snprintf (self->pin_case, sizeof self->pin_case, "%s", case_no);
        self->pin_slot = (int) (s - self->slots);
        self->pin_tries = 0;
        self->pin_proxy = proxy;
        self->pin_until = vault_now_ms () + PIN_WAIT_MS;
        s_say (self, "pin_required", s, case_no,
               "请输入申请人身份证号后四位 / enter the last 4 characters of the applicant's ID");
        json_decref (record);
        return;
    }
    json_decref (record);
    s_open_for_pickup (self, s, proxy);
}

static void
s_pin (vault_core_t *self, const char *pin)
{
    json_t *rec = vault_store_get (self->store, VAULT_DB_PICKUPS, self->pin_case);
    char hash[33];
    proto_token_pin_hash (self->pin_case, pin, hash);
    const char *want = json_string_value (json_object_get (rec, "pin_hash"));
    s_slot_t *s = &self->slots[self->pin_slot];
    if (want && strcmp (want, hash) == 0 && strcmp (s->case_no, self->pin_case) == 0 && s_usable (s)) {
        s_pickup_mark (self, self->pin_case, "pin_failed", NULL);
        self->pin_case[0] = 0;
        s_open_for_pickup (self, s, self->pin_proxy);
        json_decref (rec);
        return;
    }
    //  Wrong digits count against the case (surviving a rescan of the slip) and, like a
    //  wrong code, towards the cabinet's lockout.
    int failed = (int) json_integer_value (json_object_get (rec, "pin_failed")) + 1;
    s_pickup_mark (self, self->pin_case, "pin_failed", json_integer (failed));
    if (failed >= self->cfg->pin_tries) {
        self->pin_case[0] = 0;
        s_wrong_code (self, "后四位错误次数过多，请到窗口领取 / too many wrong digits: collect it at a counter");
    }
    else {
        s_say (self, "pin_wrong", s, self->pin_case, "后四位不正确，请重试 / wrong digits, try again");
        s_count_wrong (self);
    }
    json_decref (rec);
}

static bool
s_size_fits (char have, char need)
{
    const char *order = "SML";
    return strchr (order, have) >= strchr (order, need);
}

//  Staff: open a free slot of the right size for a case's result.
static void
s_deposit (vault_core_t *self, const char *code, const char *size, int64_t command)
{
    json_t *reply;
    int rc = s_call (self, "vault.deposit_check",
                     json_pack ("{s:s, s:s}", "cabinet", self->cfg->id, "code", code), NULL, &reply);
    if (rc != PROTO_ERR_OK) {
        const char *msg = rc == PROTO_CLIENT_UNREACHABLE
                              ? "存件需要连接大厅系统，请稍后再试 / a deposit needs the broker: try again"
                              : json_string_value (json_object_get (reply, "message"));
        s_say (self, "deposit_refused", NULL, NULL, "%s", msg ? msg : "refused");
        s_command_done (self, command, "refused");
        json_decref (reply);
        return;
    }
    const char *case_no = json_string_value (json_object_get (reply, "case_no"));
    const char *need = size && *size ? size : json_string_value (json_object_get (reply, "size"));
    char want = need && strchr ("SML", need[0]) ? need[0] : 'M';
    s_slot_t *best = NULL;
    for (int i = 0; i < self->cfg->nslots; i++) {
        s_slot_t *s = &self->slots[i];
        if (s->state == ST_FREE && s_usable (s) && !s->door_open && !s->occupied
            && s_size_fits (s->cfg->size, want) && (!best || strchr ("SML", s->cfg->size) < strchr ("SML", best->cfg->size)))
            best = s;
        if (strcmp (s->case_no, case_no) == 0 && s->state != ST_FREE) {
            s_say (self, "deposit_refused", s, case_no, "该件已在本柜 / already in this cabinet");
            s_command_done (self, command, "already_here");
            json_decref (reply);
            return;
        }
    }
    if (!best) {
        s_say (self, "deposit_refused", NULL, case_no, "没有空闲的 %c 号或更大格口 / no free slot of size %c or larger",
               want, want);
        s_command_done (self, command, "no_slot");
        json_decref (reply);
        return;
    }
    snprintf (best->case_no, sizeof best->case_no, "%s", case_no);
    s_begin (self, best, OP_DEPOSIT, ST_RESERVED, command, "staff deposit");
    json_decref (reply);
}

static bool
s_is_badge (const vault_core_t *self, const char *line)
{
    for (int i = 0; i < self->cfg->nbadges; i++)
        if (strcmp (self->cfg->badges[i], line) == 0)
            return true;
    return false;
}

void
vault_core_input (vault_core_t *self, const char *raw)
{
    char line[512];
    snprintf (line, sizeof line, "%s", raw);
    size_t n = strlen (line);
    while (n && isspace ((unsigned char) line[n - 1]))
        line[--n] = 0;
    char *p = line;
    while (isspace ((unsigned char) *p))
        p++;
    if (!*p)
        return;
    int64_t now = vault_now_ms ();
    //  Staff can always get in, lockout or not: a few junk scans must not shut them out.
    if (s_is_badge (self, p)) {
        self->staff_until = now + self->cfg->staff_mode_ms;
        s_say (self, "staff_mode", NULL, NULL, "工作人员模式：请扫描办件二维码存件或取回 / staff: scan a case to deposit or recover it");
        s_journal (self, "staff_badge", NULL, NULL);
        return;
    }
    if (now < self->locked_until && now >= self->staff_until) {
        s_say (self, "locked", NULL, NULL, "暂停服务，请稍后再试 / locked after wrong codes: try later");
        return;
    }
    //  The keypad: 4 characters (digits or X) while a second factor is awaited.
    if (self->pin_case[0] && now < self->pin_until) {
        const char *pin = strncmp (p, "PIN ", 4) == 0 ? p + 4 : p;
        if (strlen (pin) == 4) {
            char up[5];
            for (int i = 0; i < 5; i++)
                up[i] = (char) toupper ((unsigned char) pin[i]);
            s_pin (self, up);
            return;
        }
    }
    char token[PROTO_TOKEN_LEN + 1];
    bool is_token = proto_token_parse (p, strlen (p), token) == 0;
    if (now < self->staff_until) {
        //  Staff: a case in a slot here (overdue or not) is recovered; otherwise deposited.
        //  A badge is good for one action, so the next person at the screen is a citizen.
        self->staff_until = 0;
        //  The case in a slot here, by its code or its number, is recovered.
        s_slot_t *s = NULL;
        if (is_token) {
            json_t *rec = s_local_record (self, token);
            s = rec ? s_slot_named (self, json_string_value (json_object_get (rec, "slot"))) : NULL;
            if (s && strcmp (s->case_no, json_string_value (json_object_get (rec, "case_no"))) != 0)
                s = NULL;
            json_decref (rec);
        }
        else
            for (int i = 0; i < self->cfg->nslots && !s; i++)
                if (strcmp (self->slots[i].case_no, p) == 0)
                    s = &self->slots[i];
        if (s && (s->state == ST_OCCUPIED || s->state == ST_OVERDUE) && s_usable (s)) {
            s_begin (self, s, OP_RECOVERY, s->state, 0, "staff recovery");
            return;
        }
        s_deposit (self, is_token ? token : p, NULL, 0);
        return;
    }
    if (!is_token) {
        s_wrong_code (self, "无法识别的二维码 / this is not a pickup code");
        return;
    }
    s_pickup (self, token);
}

//  ---------------------------------------------------------------------------------------
//  Timers, outbox, sync

static void
s_timers (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    for (int i = 0; i < self->cfg->nslots; i++) {
        s_slot_t *s = &self->slots[i];
        if (s->op != OP_NONE && s->pulses > 0 && !s->seen_open
            && now - s->op_time > self->cfg->door_open_timeout_ms) {
            if (s->pulses < 2) {
                s_journal (self, "unlock_retry", s, "door not seen open; one more pulse");
                s_pulse (self, s);
            }
            else {
                bool pickup = s->op == OP_PICKUP;
                int64_t cmd = s->command;
                s_cancel (self, s);
                s_command_done (self, cmd, "jammed");
                s_alarm (self, s, A_JAMMED, "柜门未能打开 / the door did not open after two pulses");
                if (pickup)
                    s_say (self, "jammed", s, s->case_no,
                           "柜门未能打开，取件码仍然有效，请到窗口处理 / the door did not open; your "
                           "code stays valid: please go to a counter");
            }
        }
        if (s->door_open && s->opened_at && now - s->opened_at > self->cfg->ajar_after_ms
            && !(s->alarms & A_AJAR))
            s_alarm (self, s, A_AJAR, "柜门长时间未关 / the door has been left open");
    }
    if (self->pin_case[0] && now >= self->pin_until)
        self->pin_case[0] = 0;
}

//  Sends queued reports in order; stops at the first that cannot be delivered.
static void
s_flush (vault_core_t *self)
{
    if (!s_online (self))
        return;
    json_t *all = vault_store_all (self->store, VAULT_DB_OUTBOX, 50);
    const char *key;
    json_t *entry;
    json_object_foreach (all, key, entry) {
        const char *command = json_string_value (json_object_get (entry, "command"));
        json_t *reply;
        int rc = s_call (self, command, json_incref (json_object_get (entry, "body")),
                         json_string_value (json_object_get (entry, "request_id")), &reply);
        if (rc == PROTO_CLIENT_UNREACHABLE || rc == PROTO_ERR_STORE_FAILED
            || rc == PROTO_ERR_INTERNAL) {
            json_decref (reply);
            break;  //  later, in the same order
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

static bool
s_command_seen (vault_core_t *self, int64_t id)
{
    char key[32];
    snprintf (key, sizeof key, "cmd_%lld", (long long) id);
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
    if (s_call (self, "vault.sync", json_pack ("{s:s}", "cabinet", self->cfg->id), NULL, &reply)
        != PROTO_ERR_OK) {
        json_decref (reply);
        return;
    }
    json_t *offset = json_object_get (reply, "utc_offset_min");
    if (json_is_integer (offset) && self->utc_offset_min != (int) json_integer_value (offset)) {
        self->utc_offset_min = (int) json_integer_value (offset);
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
            continue;  //  collected here; the report is on its way
        }
        json_t *merged = json_deep_copy (x);
        if (local)
            json_object_update_missing (merged, local);
        vault_store_put (self->store, VAULT_DB_PICKUPS, no, merged);
        json_decref (merged);
        json_decref (local);
        s_slot_t *s = s_slot_named (self, json_string_value (json_object_get (x, "slot")));
        if (s && strcmp (s->case_no, no) == 0 && s->state == ST_OCCUPIED
            && json_is_true (json_object_get (x, "overdue"))) {
            s->state = ST_OVERDUE;
            s_save (self, s);
            s_say (self, "overdue", s, no, "逾期未取，待工作人员取回 / uncollected: staff will recover it");
        }
    }
    json_array_foreach (json_object_get (reply, "commands"), i, x) {
        json_int_t id = json_integer_value (json_object_get (x, "id"));
        const char *kind = json_string_value (json_object_get (x, "kind"));
        if (!id || !kind || s_command_seen (self, id))
            continue;
        if (strcmp (kind, "deposit") == 0)
            s_deposit (self, json_string_value (json_object_get (x, "case_no")),
                       json_string_value (json_object_get (x, "size")), id);
        else if (strcmp (kind, "open") == 0) {
            s_slot_t *s = s_slot_named (self, json_string_value (json_object_get (x, "slot")));
            if (!s || s->op != OP_NONE || !s->sensed || (s->alarms & A_OFFLINE))
                s_command_done (self, id, s ? "busy" : "no_such_slot");
            else if (s->door_open) {
                //  Already open (forced, or left open): the inspection is under way; closing
                //  the door finishes it. No pulse.
                s->op = OP_REMOTE;
                s->prev = s->state;
                s->pulses = 1;
                s->seen_open = true;
                s->command = id;
                s->op_time = vault_now_ms ();
                s_save (self, s);
                s_journal (self, "remote_open", s, "door already open: inspection");
                s_command_done (self, id, "opened");
            }
            else {
                char why[600];
                snprintf (why, sizeof why, "remote open by %s: %s",
                          json_string_value (json_object_get (x, "clerk")),
                          json_string_value (json_object_get (x, "reason")));
                s_begin (self, s, OP_REMOTE, s->state, id, why);
            }
        }
        else
            s_command_done (self, id, "unknown_command");
    }
    json_decref (reply);
}

void
vault_core_tick (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    if (now >= self->next_poll) {
        s_read_boards (self);
        self->next_poll = now + self->cfg->poll_ms;
    }
    s_timers (self);
    if (self->report_dirty) {
        s_outbox (self, "vault.report",
                  json_pack ("{s:s, s:o}", "name", self->cfg->name, "slots", s_slots_json (self)));
        self->report_dirty = false;
    }
    s_flush (self);
    if (now >= self->next_sync && s_online (self)) {
        s_sync (self);
        self->next_sync = now + SYNC_MS;
    }
}

int
vault_core_wait_ms (const vault_core_t *self)
{
    int64_t wait = self->next_poll - vault_now_ms ();
    return wait < 0 ? 0 : wait > 1000 ? 1000 : (int) wait;
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
    self->board = board;
    self->broker = broker;
    self->out = out;
    self->json = json;
    self->utc_offset_min = 480;
    json_t *o = vault_store_get (store, VAULT_DB_META, "utc_offset_min");
    if (json_is_integer (o))
        self->utc_offset_min = (int) json_integer_value (o);
    json_decref (o);
    for (int i = 0; i < config->nslots; i++) {
        self->slots[i].cfg = &config->slots[i];
        s_load (self, &self->slots[i]);
    }
    s_reconcile (self);
    return self;
}

void
vault_core_destroy (vault_core_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}
