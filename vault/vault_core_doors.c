/*  vault_core_doors.c — the slot state machine on the door sensors: see vault_core.h and
    vault_core_impl.h. */
#include "vault_core_impl.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "proto_log.h"

void
vault_core_pulse (vault_core_t *self, vault_slot_t *s)
{
    //  Saved first: from here on the door may open, and a restart must know it may have.
    s->pulses++;
    s->op_time = vault_now_ms ();
    s->unlocking = true;
    vault_core_save (self, s);
    vault_bus_unlock (self->bus, s->cfg->board, s->cfg->lock);
}

void
vault_core_begin (vault_core_t *self, vault_slot_t *s, vault_slot_op_t op,
                  vault_slot_state_t while_waiting, int64_t command, const char *why)
{
    s->op = op;
    s->prev = s->state;
    s->state = while_waiting;
    s->pulses = 0;
    s->seen_open = false;
    s->op_time = vault_now_ms ();
    s->command = command;
    vault_core_save (self, s);
    vault_core_journal (self,
                        op == OP_PICKUP     ? "pickup_unlock"
                        : op == OP_DEPOSIT  ? "deposit_unlock"
                        : op == OP_RECOVERY ? "recovery_unlock"
                                            : "remote_unlock",
                        s, why);
    //  Test hook for the crash campaign: die between the journal and the unlock frame.
    const char *crash = getenv ("OW_VAULT_CRASH");
    if (crash && strcmp (crash, "after_journal") == 0)
        raise (SIGKILL);
    vault_core_pulse (self, s);
}

void
vault_core_cancel (vault_core_t *self, vault_slot_t *s)
{
    if (s->op == OP_DEPOSIT) {
        s->state = ST_FREE;
        s->case_no[0] = 0;
    } else
        s->state = s->prev;
    s->op = OP_NONE;
    s->pulses = 0;
    s->unlocking = false;
    s->seen_open = false;
    s->proxy = false;
    s->staff[0] = 0;
    vault_core_save (self, s);
}

bool
vault_core_usable (const vault_slot_t *s)
{
    return s->sensed && !(s->alarms & (A_JAMMED | A_UNCOMMANDED | A_OFFLINE)) && s->op == OP_NONE;
}

static void
s_on_open (vault_core_t *self, vault_slot_t *s)
{
    s->door_open = true;
    s->opened_at = vault_now_ms ();
    if (s->op != OP_NONE && s->pulses > 0 && !s->seen_open) {
        s->seen_open = true;
        s->alarms &= ~A_JAMMED;
        switch (s->op) {
        case OP_DEPOSIT:
            s->state = ST_DEPOSIT_OPEN;
            vault_core_say (self, "deposit_open", s, s->case_no,
                            "请放入材料并关门 / put the documents in and close the door");
            break;
        case OP_PICKUP:
            s->state = ST_PICKUP_OPEN;
            //  The code is used up the moment the door opens.
            vault_core_pickup_mark (self, s->case_no, "opened", json_integer (vault_now_ms ()));
            vault_core_say (
                self, "pickup_open", s, s->case_no,
                "柜门已打开，请取件并关门 / the door is open: take your documents and close it");
            break;
        case OP_RECOVERY:
            s->state = ST_RECOVERY_OPEN;
            vault_core_say (self, "recovery_open", s, s->case_no,
                            "请取出逾期材料并关门 / take the overdue result out");
            break;
        default:
            vault_core_say (self, "remote_open", s, s->case_no, "远程开门 / opened remotely");
            vault_core_command_done (self, s->command, "opened");
            break;
        }
        vault_core_journal (self, "door_open", s, NULL);
        vault_core_save (self, s);
        return;
    }
    if (s->op == OP_NONE) {
        //  Nobody asked for this door: a forced or failed lock. Out of service until an
        //  administrator inspects it (a remote open and close).
        if (s->state != ST_DISABLED)
            s->prev = s->state;
        s->state = ST_DISABLED;
        vault_core_alarm (self, s, A_UNCOMMANDED,
                          "门在未发指令时被打开 / door opened without a command");
    }
}

//  Staff closed a door they opened (a recovery, or an inspection by remote open): whatever
//  the sensors show is settled. An empty slot whose documents went missing earlier is not
//  booked as recovered: staff did not take them out.
static void
s_close_inspection (vault_core_t *self, vault_slot_t *s, bool occupied, bool has_sensor)
{
    if (s->prev == ST_DISABLED)
        s->alarms &= ~A_UNCOMMANDED; //  inspected
    s->alarms &= ~A_INCIDENT;
    if (has_sensor && occupied) {
        s->state = s->case_no[0] && s->prev == ST_OVERDUE ? ST_OVERDUE : ST_OCCUPIED;
        s->missing = false;
        return;
    }
    if (s->case_no[0] && s->missing) {
        vault_core_journal (self, "missing_confirmed", s, "inspected: the slot is empty");
        vault_core_say (self, "missing", s, s->case_no,
                        "材料缺失，请按事故处理 / the documents are missing: handle it as an "
                        "incident");
        vault_store_del (self->store, VAULT_DB_PICKUPS, s->case_no);
    } else if (s->case_no[0]) {
        //  Who recovered it (the badge holder) goes with it, into the case's audit.
        json_t *body = json_pack ("{s:s, s:s}", "case_no", s->case_no, "slot", s->cfg->id);
        if (s->staff[0])
            json_object_set_new (body, "clerk", json_string (s->staff));
        vault_core_outbox (self, "vault.recovered", body);
        vault_store_del (self->store, VAULT_DB_PICKUPS, s->case_no);
        vault_core_say (self, "recovered", s, s->case_no,
                        "已取出，转回窗口 / taken out; back to the counter");
    }
    s->state = ST_FREE;
    s->case_no[0] = 0;
    s->staff[0] = 0;
    s->missing = false;
}

//  The documents of the slot's case are gone without a pickup: a missing-item incident.
static void
s_missing (vault_core_t *self, vault_slot_t *s, const char *detail)
{
    s->missing = true;
    vault_core_alarm (self, s, A_INCIDENT, detail);
}

//  A door nobody asked for closed again: if it was forced open on a slot holding a case and
//  the slot is empty now, the documents went out through it.
static void
s_close_uncommanded (vault_core_t *self, vault_slot_t *s, bool occupied, bool has_sensor)
{
    bool held = s->state == ST_DISABLED && (s->prev == ST_OCCUPIED || s->prev == ST_OVERDUE);
    if (has_sensor && !occupied && s->case_no[0] && held && !s->missing)
        s_missing (self, s,
                   "强行开门后材料缺失 / documents missing: taken through a door opened without "
                   "a command");
}

static void
s_on_close (vault_core_t *self, vault_slot_t *s, bool occupied, bool has_sensor)
{
    s->door_open = false;
    s->alarms &= ~A_AJAR;
    vault_slot_op_t op = s->seen_open ? s->op : OP_NONE;
    switch (op) {
    case OP_DEPOSIT:
        //  Without occupancy sensors a closed deposit door counts as filled.
        if (occupied || !has_sensor) {
            s->state = ST_OCCUPIED;
            vault_core_outbox (self, "vault.deposited",
                               json_pack ("{s:s, s:s}", "case_no", s->case_no, "slot", s->cfg->id));
            vault_core_say (self, "deposited", s, s->case_no,
                            "已存入，将短信通知申请人 / deposited; the applicant is notified");
            vault_core_command_done (self, s->command, "deposited");
        } else {
            vault_core_say (self, "deposit_empty", s, s->case_no,
                            "格口为空，未存入 / the slot is empty: nothing deposited");
            vault_core_command_done (self, s->command, "empty");
            s->state = ST_FREE;
            s->case_no[0] = 0;
        }
        break;
    case OP_PICKUP:
        if (!occupied || !has_sensor) {
            int64_t now = vault_now_ms ();
            vault_core_pickup_mark (self, s->case_no, "collected", json_integer (now));
            vault_core_outbox (self, "vault.collected",
                               json_pack ("{s:s, s:s, s:I, s:b}", "case_no", s->case_no, "slot",
                                          s->cfg->id, "time", (json_int_t)now, "proxy", s->proxy));
            vault_core_say (self, "collected", s, s->case_no,
                            "取件完成，谢谢 / collected, thank you");
            s->state = ST_FREE;
            s->case_no[0] = 0;
        } else {
            //  The documents are still there: the case is not collected; the code works again.
            vault_core_pickup_mark (self, s->case_no, "opened", NULL);
            vault_core_say (self, "not_taken", s, s->case_no,
                            "材料仍在柜内，未取件 / the documents are still inside: not collected");
            s->state = s->prev == ST_OVERDUE ? ST_OVERDUE : ST_OCCUPIED;
        }
        break;
    case OP_RECOVERY:
    case OP_REMOTE: s_close_inspection (self, s, occupied, has_sensor); break;
    default:
        //  A door that opened by itself stays disabled until inspected.
        s_close_uncommanded (self, s, occupied, has_sensor);
        break;
    }
    if (op != OP_NONE) {
        if (op == OP_DEPOSIT || op == OP_PICKUP)
            s->alarms &= ~A_INCIDENT; //  the slot worked normally again
        s->op = OP_NONE;
        s->pulses = 0;
        s->unlocking = false;
        s->seen_open = false;
        s->proxy = false;
        s->command = 0;
    }
    vault_core_journal (self, "door_closed", s, occupied ? "occupied" : "empty");
    vault_core_save (self, s);
}

//  True if the sensors prove the pending operation happened although its door was never
//  seen open: the door is shut, and a pickup's (or recovery's) slot emptied, or a deposit's
//  filled. Only boards with item sensors can tell.
static bool
s_done_unseen (const vault_slot_t *s, bool occupied, bool has_sensor)
{
    if (s->op == OP_NONE || s->pulses == 0 || s->seen_open || !has_sensor)
        return false;
    if (s->op == OP_DEPOSIT)
        return occupied;
    return !occupied && s->case_no[0];
}

//  The operation's door opened and closed between two readings (or while the vault was
//  down): finished from the sensors.
static void
s_finish_unseen (vault_core_t *self, vault_slot_t *s, bool occupied, const char *why)
{
    vault_core_journal (self, "door_open_unseen", s, why);
    s->seen_open = true;
    s_on_close (self, s, occupied, true);
}

//  New sensor readings for a slot.
static void
s_sense (vault_core_t *self, vault_slot_t *s, bool open, bool occupied, bool has_sensor)
{
    if (open && !s->door_open)
        s_on_open (self, s);
    else if (!open && s->door_open)
        s_on_close (self, s, occupied, has_sensor);
    else if (!open && occupied != s->occupied && s_done_unseen (s, occupied, has_sensor))
        s_finish_unseen (self, s, occupied, "the sensors changed behind a shut door");
    else if (!open && has_sensor && occupied != s->occupied && s->op == OP_NONE) {
        s->occupied = occupied;
        if (!occupied && s->case_no[0] && !s->missing)
            s_missing (self, s, "关门状态下材料消失 / the documents vanished behind a closed door");
        else
            vault_core_alarm (self, s, A_INCIDENT,
                              occupied
                                  ? "关门状态下出现物品 / an item appeared behind a closed door"
                                  : "关门状态下物品消失 / an item vanished behind a closed door");
    }
    s->occupied = occupied;
}

//  An operation cut by the crash, at its slot's first reading: finished or cancelled from
//  the sensors, never pulsed again.
static void
s_reconcile_op (vault_core_t *self, vault_slot_t *s, bool open, bool occ, bool has)
{
    if (open) {
        //  The door is open: the operation goes on; closing it will settle it.
        if (s->pulses == 0)
            vault_core_alarm (self, s, A_INCIDENT,
                              "重启：未发开门指令但柜门开着 / restart: the door is open although "
                              "no unlock was sent");
        s->pulses = s->pulses ? s->pulses : 1;
        s->seen_open = true;
        s->opened_at = vault_now_ms ();
        s->state = s->op == OP_DEPOSIT    ? ST_DEPOSIT_OPEN
                   : s->op == OP_PICKUP   ? ST_PICKUP_OPEN
                   : s->op == OP_RECOVERY ? ST_RECOVERY_OPEN
                                          : s->state;
        vault_core_save (self, s);
        return;
    }
    if (s->seen_open) {
        //  It was seen open before the crash and is shut now: closing settles it.
        s_on_close (self, s, occ, has);
        return;
    }
    if (s_done_unseen (s, occ, has)) {
        s_finish_unseen (self, s, occ, "restart: the sensors show it done");
        return;
    }
    //  Nothing proves the door opened: cancelled, not repeated. An unlock that may have gone
    //  out on a board without item sensors is for staff to check.
    bool unsure = s->pulses == 0 || !has;
    int64_t cmd = s->command;
    vault_core_cancel (self, s);
    vault_core_command_done (self, cmd, "interrupted"); //  a staff command is not run again
    if (unsure)
        vault_core_alarm (self, s, A_INCIDENT,
                          "重启：开门指令可能已发出，未自动重发，请查看格口 / restart: an unlock "
                          "may have been sent; it is not repeated: check the slot");
    else
        vault_core_journal (self, "unlock_cancelled", s,
                            "restart: the door stayed shut, the slot as it was; not repeated");
}

//  A slot's first reading: what the sensors prove is settled.
static void
s_reconcile (vault_core_t *self, vault_slot_t *s, bool open, bool occ, bool has)
{
    s->sensed = true;
    s->door_open = open;
    s->occupied = occ;
    if (s->op != OP_NONE)
        s_reconcile_op (self, s, open, occ, has);
    else if (open) {
        if (s->state != ST_DISABLED)
            s->prev = s->state;
        s->state = ST_DISABLED;
        vault_core_alarm (self, s, A_UNCOMMANDED, "重启时柜门开着 / door found open at start");
    } else if (has && occ && s->state == ST_FREE)
        vault_core_alarm (self, s, A_INCIDENT, "空格口内有物品 / an item in a free slot");
    else if (has && !occ && s->case_no[0] && !s->missing &&
             (s->state == ST_OCCUPIED || s->state == ST_OVERDUE ||
              (s->state == ST_DISABLED && (s->prev == ST_OCCUPIED || s->prev == ST_OVERDUE))))
        s_missing (self, s, "格口应有材料但为空 / the slot should hold documents but is empty");
}

//  " S01 S02 ..." for `n` slots, cut short to fit `size`.
static void
s_names (vault_slot_t *const *slots, int n, char *buf, size_t size)
{
    buf[0] = 0;
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        size_t need = strlen (slots[i]->cfg->id) + 1;
        if (used + need + 1 > size)
            break;
        buf[used++] = ' ';
        memcpy (buf + used, slots[i]->cfg->id, need);
        used += need - 1;
    }
}

//  The slots of a reading that went offline or came back, told once per board.
static void
s_tell_offline (vault_core_t *self, const vault_bus_event_t *ev, vault_slot_t **down, int ndown,
                vault_slot_t **up, int nup)
{
    char names[400];
    if (ndown) {
        s_names (down, ndown, names, sizeof names);
        char detail[700];
        snprintf (detail, sizeof detail, "锁控板 %d 无应答 / board %d does not answer (%s):%s",
                  ev->board, ev->board, ev->error, names);
        vault_core_alarm (self, down[0], A_OFFLINE, detail);
    }
    if (nup) {
        s_names (up, nup, names, sizeof names);
        vault_core_journal (self, "board_online", up[0], names + 1);
        vault_core_say (self, "board_online", up[0], NULL,
                        "锁控板 %d 已恢复 / board %d answers again:%s", ev->board, ev->board,
                        names);
    }
}

//  A board's reading from the board thread.
static void
s_on_reading (vault_core_t *self, const vault_bus_event_t *ev)
{
    vault_slot_t *down[VAULT_MAX_SLOTS] = {0}, *up[VAULT_MAX_SLOTS] = {0};
    int ndown = 0, nup = 0;
    for (int k = 0; k < self->cfg->nslots; k++) {
        vault_slot_t *s = &self->slots[k];
        if (s->cfg->board != ev->board)
            continue;
        uint32_t bit = 1u << (s->cfg->lock - 1);
        if (ev->offline & bit) {
            //  No reading: the slot is unknown; nothing is allocated or opened there.
            if (!(s->alarms & A_OFFLINE)) {
                s->alarms |= A_OFFLINE;
                vault_core_save (self, s);
                down[ndown++] = s;
            }
            continue;
        }
        if (!(ev->known & bit))
            continue;
        if (s->alarms & A_OFFLINE) {
            s->alarms &= ~A_OFFLINE;
            vault_core_save (self, s);
            up[nup++] = s;
        }
        bool open = (ev->open & bit) != 0, occ = (ev->occupied & bit) != 0;
        if (!s->sensed)
            s_reconcile (self, s, open, occ, ev->has_occupancy);
        else
            s_sense (self, s, open, occ, ev->has_occupancy);
    }
    s_tell_offline (self, ev, down, ndown, up, nup);
}

void
vault_core_board_events (vault_core_t *self)
{
    vault_bus_event_t ev;
    while (vault_bus_next (self->bus, &ev)) {
        if (ev.kind == VAULT_BUS_READING) {
            s_on_reading (self, &ev);
            continue;
        }
        for (int k = 0; k < self->cfg->nslots; k++) {
            vault_slot_t *s = &self->slots[k];
            if (s->cfg->board != ev.board || s->cfg->lock != ev.lock || !s->unlocking)
                continue;
            //  The door's timer runs from when the board answered (a real 8A board takes a
            //  second), not from when the pulse was asked for.
            s->unlocking = false;
            s->op_time = vault_now_ms ();
        }
        if (ev.rc != 0)
            log_warn ("board %d lock %d: %s", ev.board, ev.lock, ev.error);
    }
}

void
vault_core_timers (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    for (int i = 0; i < self->cfg->nslots; i++) {
        vault_slot_t *s = &self->slots[i];
        //  Not before the slot is reconciled: an operation cut by a crash is never pulsed again.
        if (s->sensed && s->op != OP_NONE && s->pulses > 0 && !s->seen_open && !s->unlocking &&
            now - s->op_time > self->cfg->door_open_timeout_ms) {
            if (s->pulses < 2) {
                vault_core_journal (self, "unlock_retry", s, "door not seen open; one more pulse");
                vault_core_pulse (self, s);
            } else {
                bool pickup = s->op == OP_PICKUP;
                int64_t cmd = s->command;
                vault_core_cancel (self, s);
                vault_core_command_done (self, cmd, "jammed");
                vault_core_alarm (self, s, A_JAMMED,
                                  "柜门未能打开 / the door did not open after two pulses");
                if (pickup)
                    vault_core_say (
                        self, "jammed", s, s->case_no,
                        "柜门未能打开，取件码仍然有效，请到窗口处理 / the door did not open; your "
                        "code stays valid: please go to a counter");
            }
        }
        if (s->door_open && s->opened_at && now - s->opened_at > self->cfg->ajar_after_ms &&
            !(s->alarms & A_AJAR))
            vault_core_alarm (self, s, A_AJAR, "柜门长时间未关 / the door has been left open");
    }
    if (self->pin_case[0] && now >= self->pin_until)
        self->pin_case[0] = 0;
}
