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
    int rc = vault_board_unlock (self->board, s->cfg->board, s->cfg->lock);
    s->pulses++;
    s->op_time = vault_now_ms ();
    vault_core_save (self, s);
    if (rc != 0)
        log_warn ("slot %s: %s", s->cfg->id, vault_board_error (self->board));
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
    s->seen_open = false;
    s->proxy = false;
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
    case OP_REMOTE:
        if (s->prev == ST_DISABLED)
            s->alarms &= ~A_UNCOMMANDED; //  inspected
        s->alarms &= ~A_INCIDENT;
        if (has_sensor && occupied)
            s->state =
                s->case_no[0] ? (s->prev == ST_OVERDUE ? ST_OVERDUE : ST_OCCUPIED) : ST_OCCUPIED;
        else {
            if (s->case_no[0]) {
                vault_core_outbox (
                    self, "vault.recovered",
                    json_pack ("{s:s, s:s}", "case_no", s->case_no, "slot", s->cfg->id));
                vault_store_del (self->store, VAULT_DB_PICKUPS, s->case_no);
                vault_core_say (self, "recovered", s, s->case_no,
                                "已取出，转回窗口 / taken out; back to the counter");
            }
            s->state = ST_FREE;
            s->case_no[0] = 0;
        }
        break;
    default: break; //  a door that opened by itself stays disabled until inspected
    }
    if (op != OP_NONE) {
        if (op == OP_DEPOSIT || op == OP_PICKUP)
            s->alarms &= ~A_INCIDENT; //  the slot worked normally again
        s->op = OP_NONE;
        s->pulses = 0;
        s->seen_open = false;
        s->proxy = false;
        s->command = 0;
    }
    vault_core_journal (self, "door_closed", s, occupied ? "occupied" : "empty");
    vault_core_save (self, s);
}

//  New sensor readings for a slot.
static void
s_sense (vault_core_t *self, vault_slot_t *s, bool open, bool occupied, bool has_sensor)
{
    if (s->alarms & A_OFFLINE) {
        s->alarms &= ~A_OFFLINE;
        vault_core_journal (self, "board_online", s, NULL);
        vault_core_save (self, s);
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
        vault_core_alarm (self, s, A_INCIDENT,
                          occupied ? "关门状态下出现物品 / an item appeared behind a closed door"
                                   : "关门状态下物品消失 / an item vanished behind a closed door");
    }
    s->occupied = occupied;
}

//  What to do with one slot's reading: `open` and `occupied` as its board reports them
//  (`has_sensor`: the board has occupancy sensors).
typedef void (s_reading_fn) (vault_core_t *self, vault_slot_t *s, bool open, bool occupied,
                             bool has_sensor);

//  Reads each board once and hands each slot on it its reading, or raises board_offline
//  for it (only if not raised yet, with `once`) when the board does not answer.
static void
s_each_reading (vault_core_t *self, s_reading_fn *fn, bool once)
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
            vault_slot_t *s = &self->slots[k];
            if (s->cfg->board != board)
                continue;
            if (rc != 0) {
                //  No reading: the slot is unknown; nothing is allocated or opened there.
                if (!once || !(s->alarms & A_OFFLINE))
                    vault_core_alarm (self, s, A_OFFLINE, vault_board_error (self->board));
                continue;
            }
            uint32_t bit = 1u << (s->cfg->lock - 1);
            fn (self, s, (st.open & bit) != 0, (st.occupied & bit) != 0, st.has_occupancy);
        }
    }
}

void
vault_core_read_boards (vault_core_t *self)
{
    s_each_reading (self, s_sense, true);
}

//  A slot at start-up: its reading settles what the sensors prove; an operation cut by
//  the crash is finished from them, or cancelled, never pulsed again.
static void
s_reconcile_slot (vault_core_t *self, vault_slot_t *s, bool open, bool occ, bool has)
{
    s->sensed = true;
    s->door_open = open;
    s->occupied = occ;
    s->alarms &= ~A_OFFLINE;
    if (s->op != OP_NONE) {
        if (s->pulses == 0)
            vault_core_alarm (
                self, s, A_INCIDENT,
                "重启：开门指令已记录但不确定是否发出，未自动重发 / restart: an unlock was "
                "journaled but may not have been sent; it is not repeated");
        if (open) {
            //  The door is open: the operation goes on; closing it will settle it.
            s->pulses = s->pulses ? s->pulses : 1;
            s->seen_open = true;
            s->opened_at = vault_now_ms ();
            s->state = s->op == OP_DEPOSIT    ? ST_DEPOSIT_OPEN
                       : s->op == OP_PICKUP   ? ST_PICKUP_OPEN
                       : s->op == OP_RECOVERY ? ST_RECOVERY_OPEN
                                              : s->state;
            vault_core_save (self, s);
        } else if (s->seen_open || (s->pulses > 0 && has &&
                                    ((s->op == OP_DEPOSIT && occ) ||
                                     (s->op != OP_DEPOSIT && !occ && s->case_no[0])))) {
            //  The door opened and closed while we were down: the sensors say how.
            s->seen_open = true;
            s->pulses = s->pulses ? s->pulses : 1;
            s_on_close (self, s, occ, has);
            vault_core_alarm (self, s, A_INCIDENT,
                              "重启：按传感器结果完成操作 / restart: finished from the sensors");
        } else {
            int64_t cmd = s->command;
            vault_core_cancel (self, s);
            //  A staff command cut by the crash is done with, not run again.
            vault_core_command_done (self, cmd, "interrupted");
        }
    } else if (open) {
        if (s->state != ST_DISABLED)
            s->prev = s->state;
        s->state = ST_DISABLED;
        vault_core_alarm (self, s, A_UNCOMMANDED, "重启时柜门开着 / door found open at start");
    } else if (has && occ && s->state == ST_FREE)
        vault_core_alarm (self, s, A_INCIDENT, "空格口内有物品 / an item in a free slot");
    else if (has && !occ && (s->state == ST_OCCUPIED || s->state == ST_OVERDUE))
        vault_core_alarm (self, s, A_INCIDENT,
                          "格口应有材料但为空 / the slot should hold documents but is empty");
}

void
vault_core_reconcile (vault_core_t *self)
{
    s_each_reading (self, s_reconcile_slot, false);
    vault_core_journal (self, "started", NULL, NULL);
    self->report_dirty = true;
}

void
vault_core_timers (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    for (int i = 0; i < self->cfg->nslots; i++) {
        vault_slot_t *s = &self->slots[i];
        if (s->op != OP_NONE && s->pulses > 0 && !s->seen_open &&
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
