/*  vault_core_scan.c — codes from the scanner and the keypad: see vault_core_impl.h. */
#include "vault_core_impl.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include "proto_msg.h"
#include "proto_token.h"

//  Counts a wrong code or wrong digits toward the cabinet's lockout; locks when too many.
static void
s_count_wrong (vault_core_t *self)
{
    int64_t now = vault_now_ms ();
    int n = 0;
    for (int i = 0; i < self->nwrong; i++)
        if (now - self->wrong[i] < self->cfg->lockout_window_ms)
            self->wrong[n++] = self->wrong[i];
    if (n < (int)(sizeof self->wrong / sizeof self->wrong[0]))
        self->wrong[n++] = now;
    self->nwrong = n;
    if (n >= self->cfg->lockout_tries) {
        self->locked_until = now + self->cfg->lockout_ms;
        self->nwrong = 0;
        char detail[128];
        snprintf (detail, sizeof detail, "%d wrong codes within %d s: scanner locked for %d s", n,
                  self->cfg->lockout_window_ms / 1000, self->cfg->lockout_ms / 1000);
        vault_core_alarm (self, NULL, A_LOCKOUT, detail);
        vault_core_say (self, "lockout", NULL, NULL,
                        "错误次数过多，请稍后再试或到窗口咨询 / too many wrong codes: try later or "
                        "ask at a counter");
    }
}

static void
s_wrong_code (vault_core_t *self, const char *why)
{
    vault_core_say (self, "wrong_code", NULL, NULL, "%s", why);
    s_count_wrong (self);
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
s_open_for_pickup (vault_core_t *self, vault_slot_t *s, bool proxy)
{
    s->proxy = proxy;
    vault_core_begin (self, s, OP_PICKUP, s->state, 0, proxy ? "proxy code" : "applicant code");
}

static void
s_pickup (vault_core_t *self, const char *token)
{
    json_t *record = NULL;
    json_t *reply = NULL;
    int rc = vault_core_call (self, "vault.pickup_check",
                              json_pack ("{s:s, s:s}", "cabinet", self->cfg->id, "code", token),
                              NULL, &reply);
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
    } else if (rc == PROTO_ERR_WRONG_STATE) {
        vault_core_say (self, "refused", NULL, NULL, "%s",
                        json_string_value (json_object_get (reply, "message")));
        json_decref (reply);
        return;
    } else if (rc != PROTO_CLIENT_UNREACHABLE) {
        json_decref (reply);
        s_wrong_code (self, "无效的取件码 / this code opens nothing here");
        return;
    } else {
        record = s_local_record (self, token);
        if (!record) {
            s_wrong_code (self, "无效的取件码 / this code opens nothing here");
            return;
        }
        json_int_t collected = json_integer_value (json_object_get (record, "collected"));
        if (collected) {
            //  In the hall's time, as the broker would say it.
            char when[32];
            time_t t = (time_t)(collected / 1000 + (int64_t)self->utc_offset_min * 60);
            struct tm tm;
            gmtime_r (&t, &tm);
            strftime (when, sizeof when, "%Y-%m-%d %H:%M", &tm);
            vault_core_say (self, "refused", NULL,
                            json_string_value (json_object_get (record, "case_no")),
                            "已于 %s 领取 / collected at %s", when, when);
            json_decref (record);
            return;
        }
    }
    const char *case_no = json_string_value (json_object_get (record, "case_no"));
    vault_slot_t *s =
        vault_core_slot_named (self, json_string_value (json_object_get (record, "slot")));
    bool proxy = json_is_true (json_object_get (record, "proxy"));
    if (!s || strcmp (s->case_no, case_no ? case_no : "") != 0 ||
        (s->state != ST_OCCUPIED && s->state != ST_OVERDUE)) {
        if (s && s->op == OP_PICKUP && strcmp (s->case_no, case_no ? case_no : "") == 0)
            vault_core_say (self, "in_progress", s, case_no,
                            "柜门已打开 / this door is already open");
        else
            vault_core_say (self, "refused", s, case_no,
                            "请到窗口领取 / please collect it at a counter");
        json_decref (record);
        return;
    }
    if (!vault_core_usable (s)) {
        vault_core_say (
            self, "refused", s, case_no,
            "该格口暂时无法开启，请到窗口处理 / this slot cannot open now: please go to a counter");
        json_decref (record);
        return;
    }
    if (json_is_string (json_object_get (record, "pin_hash"))) {
        json_t *local = vault_store_get (self->store, VAULT_DB_PICKUPS, case_no);
        int failed = (int)json_integer_value (json_object_get (local, "pin_failed"));
        json_decref (local);
        if (failed >= self->cfg->pin_tries) {
            vault_core_say (self, "refused", s, case_no,
                            "身份核验失败次数过多，请到窗口领取 / too many wrong digits: collect "
                            "it at a counter");
            json_decref (record);
            return;
        }
        snprintf (self->pin_case, sizeof self->pin_case, "%s", case_no);
        self->pin_slot = (int)(s - self->slots);
        self->pin_tries = 0;
        self->pin_proxy = proxy;
        self->pin_until = vault_now_ms () + PIN_WAIT_MS;
        vault_core_say (
            self, "pin_required", s, case_no,
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
    vault_slot_t *s = &self->slots[self->pin_slot];
    if (want && strcmp (want, hash) == 0 && strcmp (s->case_no, self->pin_case) == 0 &&
        vault_core_usable (s)) {
        vault_core_pickup_mark (self, self->pin_case, "pin_failed", NULL);
        self->pin_case[0] = 0;
        s_open_for_pickup (self, s, self->pin_proxy);
        json_decref (rec);
        return;
    }
    //  Wrong digits count against the case (surviving a rescan of the slip) and, like a
    //  wrong code, towards the cabinet's lockout.
    int failed = (int)json_integer_value (json_object_get (rec, "pin_failed")) + 1;
    vault_core_pickup_mark (self, self->pin_case, "pin_failed", json_integer (failed));
    if (failed >= self->cfg->pin_tries) {
        self->pin_case[0] = 0;
        s_wrong_code (
            self,
            "后四位错误次数过多，请到窗口领取 / too many wrong digits: collect it at a counter");
    } else {
        vault_core_say (self, "pin_wrong", s, self->pin_case,
                        "后四位不正确，请重试 / wrong digits, try again");
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

void
vault_core_deposit (vault_core_t *self, const char *code, const char *size, int64_t command)
{
    json_t *reply;
    int rc = vault_core_call (self, "vault.deposit_check",
                              json_pack ("{s:s, s:s}", "cabinet", self->cfg->id, "code", code),
                              NULL, &reply);
    if (rc != PROTO_ERR_OK) {
        const char *msg =
            rc == PROTO_CLIENT_UNREACHABLE
                ? "存件需要连接大厅系统，请稍后再试 / a deposit needs the broker: try again"
                : json_string_value (json_object_get (reply, "message"));
        vault_core_say (self, "deposit_refused", NULL, NULL, "%s", msg ? msg : "refused");
        vault_core_command_done (self, command, "refused");
        json_decref (reply);
        return;
    }
    const char *case_no = json_string_value (json_object_get (reply, "case_no"));
    const char *need = size && *size ? size : json_string_value (json_object_get (reply, "size"));
    char want = need && strchr ("SML", need[0]) ? need[0] : 'M';
    vault_slot_t *best = NULL;
    for (int i = 0; i < self->cfg->nslots; i++) {
        vault_slot_t *s = &self->slots[i];
        if (s->state == ST_FREE && vault_core_usable (s) && !s->door_open && !s->occupied &&
            s_size_fits (s->cfg->size, want) &&
            (!best || strchr ("SML", s->cfg->size) < strchr ("SML", best->cfg->size)))
            best = s;
        if (strcmp (s->case_no, case_no) == 0 && s->state != ST_FREE) {
            vault_core_say (self, "deposit_refused", s, case_no,
                            "该件已在本柜 / already in this cabinet");
            vault_core_command_done (self, command, "already_here");
            json_decref (reply);
            return;
        }
    }
    if (!best) {
        vault_core_say (self, "deposit_refused", NULL, case_no,
                        "没有空闲的 %c 号或更大格口 / no free slot of size %c or larger", want,
                        want);
        vault_core_command_done (self, command, "no_slot");
        json_decref (reply);
        return;
    }
    snprintf (best->case_no, sizeof best->case_no, "%s", case_no);
    vault_core_begin (self, best, OP_DEPOSIT, ST_RESERVED, command, "staff deposit");
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
    while (n && isspace ((unsigned char)line[n - 1]))
        line[--n] = 0;
    char *p = line;
    while (isspace ((unsigned char)*p))
        p++;
    if (!*p)
        return;
    int64_t now = vault_now_ms ();
    //  Staff can always get in, lockout or not: a few junk scans must not shut them out.
    if (s_is_badge (self, p)) {
        self->staff_until = now + self->cfg->staff_mode_ms;
        vault_core_say (self, "staff_mode", NULL, NULL,
                        "工作人员模式：请扫描办件二维码存件或取回 / staff: scan a case to deposit "
                        "or recover it");
        vault_core_journal (self, "staff_badge", NULL, NULL);
        return;
    }
    if (now < self->locked_until && now >= self->staff_until) {
        vault_core_say (self, "locked", NULL, NULL,
                        "暂停服务，请稍后再试 / locked after wrong codes: try later");
        return;
    }
    //  The keypad: 4 characters (digits or X) while a second factor is awaited.
    if (self->pin_case[0] && now < self->pin_until) {
        const char *pin = strncmp (p, "PIN ", 4) == 0 ? p + 4 : p;
        if (strlen (pin) == 4) {
            char up[5];
            for (int i = 0; i < 5; i++)
                up[i] = (char)toupper ((unsigned char)pin[i]);
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
        vault_slot_t *s = NULL;
        if (is_token) {
            json_t *rec = s_local_record (self, token);
            s = rec ? vault_core_slot_named (self,
                                             json_string_value (json_object_get (rec, "slot")))
                    : NULL;
            if (s && strcmp (s->case_no, json_string_value (json_object_get (rec, "case_no"))) != 0)
                s = NULL;
            json_decref (rec);
        } else
            for (int i = 0; i < self->cfg->nslots && !s; i++)
                if (strcmp (self->slots[i].case_no, p) == 0)
                    s = &self->slots[i];
        if (s && (s->state == ST_OCCUPIED || s->state == ST_OVERDUE) && vault_core_usable (s)) {
            vault_core_begin (self, s, OP_RECOVERY, s->state, 0, "staff recovery");
            return;
        }
        vault_core_deposit (self, is_token ? token : p, NULL, 0);
        return;
    }
    if (!is_token) {
        s_wrong_code (self, "无法识别的二维码 / this is not a pickup code");
        return;
    }
    s_pickup (self, token);
}
