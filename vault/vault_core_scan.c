/*  vault_core_scan.c — codes from the scanner and the keypad: see vault_core_impl.h. */
#include "vault_core_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_log.h"
#include "proto_msg.h"
#include "proto_token.h"

static const char *s_source_names[VAULT_SRC_COUNT] = {"scanner", "camera", "staff reader"};

//  FNV-1a: wrong codes and codes in view are told apart by it, and only it is stored.
static uint64_t
s_code_hash (const char *text)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h ? h : 1;
}

//  Stores a source's wrong codes and lockout: a restart must not clear them.
static void
s_source_save (vault_core_t *self, vault_source_t src)
{
    const vault_source_state_t *st = &self->src[src];
    json_t *wrong = json_array ();
    for (int i = 0; i < st->nwrong; i++) {
        char hex[17];
        snprintf (hex, sizeof hex, "%016llx", (unsigned long long)st->wrong[i]);
        json_array_append_new (wrong, json_pack ("[s, I]", hex, (json_int_t)st->wrong_at[i]));
    }
    json_t *j = json_pack ("{s:I, s:o}", "until", (json_int_t)st->locked_until, "wrong", wrong);
    char key[32];
    snprintf (key, sizeof key, "lockout.%d", (int)src);
    vault_store_put (self->store, VAULT_DB_META, key, j);
    json_decref (j);
}

//  Reads every source's wrong codes and lockout back, once, before the first code.
static void
s_sources_load (vault_core_t *self)
{
    if (self->src_loaded)
        return;
    self->src_loaded = true;
    for (int src = 0; src < VAULT_SRC_COUNT; src++) {
        char key[32];
        snprintf (key, sizeof key, "lockout.%d", src);
        json_t *j = vault_store_get (self->store, VAULT_DB_META, key);
        vault_source_state_t *st = &self->src[src];
        st->locked_until = json_integer_value (json_object_get (j, "until"));
        size_t i;
        json_t *w;
        json_array_foreach (json_object_get (j, "wrong"), i, w) {
            const char *hex = json_string_value (json_array_get (w, 0));
            if (hex && st->nwrong < NWRONG) {
                st->wrong[st->nwrong] = strtoull (hex, NULL, 16);
                st->wrong_at[st->nwrong++] = json_integer_value (json_array_get (w, 1));
            }
        }
        json_decref (j);
    }
}

//  Counts a wrong code (or wrong digits: `code` names them) toward its source's lockout,
//  once per distinct code within the window; locks the source when there are too many.
static void
s_count_wrong (vault_core_t *self, vault_source_t src, const char *code)
{
    vault_source_state_t *st = &self->src[src];
    int64_t now = vault_now_ms ();
    uint64_t h = s_code_hash (code);
    int n = 0;
    bool counted = false;
    for (int i = 0; i < st->nwrong; i++)
        if (now - st->wrong_at[i] < self->cfg->lockout_window_ms) {
            counted |= st->wrong[i] == h;
            st->wrong[n] = st->wrong[i];
            st->wrong_at[n++] = st->wrong_at[i];
        }
    st->nwrong = n;
    if (counted)
        return; //  the same code again: a citizen trying twice, not a guess
    if (n == NWRONG) {
        memmove (st->wrong, st->wrong + 1, (NWRONG - 1) * sizeof st->wrong[0]);
        memmove (st->wrong_at, st->wrong_at + 1, (NWRONG - 1) * sizeof st->wrong_at[0]);
        n--;
    }
    st->wrong[n] = h;
    st->wrong_at[n++] = now;
    st->nwrong = n;
    if (n >= self->cfg->lockout_tries) {
        st->locked_until = now + self->cfg->lockout_ms;
        st->nwrong = 0;
        char detail[160];
        snprintf (detail, sizeof detail, "%d wrong codes within %d s: %s locked for %d s", n,
                  self->cfg->lockout_window_ms / 1000, s_source_names[src],
                  self->cfg->lockout_ms / 1000);
        vault_core_alarm (self, NULL, A_LOCKOUT, detail);
        vault_core_say (self, "lockout", NULL, NULL,
                        "错误次数过多，请稍后再试或到窗口咨询 / too many wrong codes: try later or "
                        "ask at a counter");
    }
    s_source_save (self, src);
}

//  Tells the citizen the code is wrong and counts it. A camera also sees codes nobody held
//  up to it (posters, a phone's payment code): those are said once but never counted, or a
//  poster in view could lock the cabinet; a camera code of the pickup form counts.
static void
s_wrong_code (vault_core_t *self, vault_source_t src, const char *code, bool pickup_form,
              const char *why)
{
    vault_core_say (self, "wrong_code", NULL, NULL, "%s", why);
    if (src != VAULT_SRC_CAMERA || pickup_form)
        s_count_wrong (self, src, code);
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

//  The local pickup record whose typed pickup code (取件码, 8 digits) is `digits`, or NULL.
//  Records keep only a hash of CASE_NO:CODE, so each is tried in turn (a cabinet holds tens).
//  Records synced before pickup codes existed have none: their codes work online only.
static json_t *
s_local_record_typed (vault_core_t *self, const char *digits)
{
    json_t *all = vault_store_all (self->store, VAULT_DB_PICKUPS, 0);
    json_t *found = NULL;
    const char *key;
    json_t *rec;
    json_object_foreach (all, key, rec) {
        const char *want = json_string_value (json_object_get (rec, "pickup_code_hash"));
        const char *case_no = json_string_value (json_object_get (rec, "case_no"));
        if (!want || !case_no)
            continue;
        char hash[33];
        proto_token_pin_hash (case_no, digits, hash);
        if (strcmp (hash, want) == 0) {
            found = json_incref (rec);
            break;
        }
    }
    json_decref (all);
    return found;
}

//  True if `p` is a typed pickup code: exactly 8 digits, with spaces or dashes between
//  them (as the phone page groups them, "3057 2232"). Its digits go into `out` (9 bytes).
//  A token is never all digits, so the two cannot be confused.
static bool
s_typed_code (const char *p, char *out)
{
    int n = 0;
    for (; *p; p++) {
        if (isdigit ((unsigned char)*p)) {
            if (n == 8)
                return false;
            out[n++] = *p;
        } else if (*p != ' ' && *p != '-')
            return false;
    }
    out[n] = 0;
    return n == 8;
}

static void
s_open_for_pickup (vault_core_t *self, vault_slot_t *s, bool proxy)
{
    s->proxy = proxy;
    vault_core_begin (self, s, OP_PICKUP, s->state, 0, proxy ? "proxy code" : "applicant code");
}

//  A pickup by `code`: a scanned token, or the 8 digits of a typed pickup code (`typed`).
static void
s_pickup (vault_core_t *self, vault_source_t src, const char *token, bool typed)
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
        s_wrong_code (self, src, token, true, "无效的取件码 / this code opens nothing here");
        return;
    } else {
        record = typed ? s_local_record_typed (self, token) : s_local_record (self, token);
        if (!record) {
            s_wrong_code (self, src, token, true, "无效的取件码 / this code opens nothing here");
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
    //  wrong code, towards the keypad's lockout (each different guess once).
    int failed = (int)json_integer_value (json_object_get (rec, "pin_failed")) + 1;
    vault_core_pickup_mark (self, self->pin_case, "pin_failed", json_integer (failed));
    char guess[96];
    snprintf (guess, sizeof guess, "pin %s %s", self->pin_case, pin);
    if (failed >= self->cfg->pin_tries) {
        self->pin_case[0] = 0;
        s_wrong_code (
            self, VAULT_SRC_SCANNER, guess, true,
            "后四位错误次数过多，请到窗口领取 / too many wrong digits: collect it at a counter");
    } else {
        vault_core_say (self, "pin_wrong", s, self->pin_case,
                        "后四位不正确，请重试 / wrong digits, try again");
        s_count_wrong (self, VAULT_SRC_SCANNER, guess);
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
s_locked (vault_core_t *self, vault_source_t src)
{
    if (vault_now_ms () >= self->src[src].locked_until)
        return false;
    vault_core_say (self, "locked", NULL, NULL,
                    "暂停服务，请稍后再试 / locked after wrong codes: try later");
    return true;
}

//  The slot here holding the case whose pickup token is `token`, if it can be recovered now
//  (occupied or overdue, usable), else NULL.
static vault_slot_t *
s_recoverable (vault_core_t *self, const char *token)
{
    json_t *rec = s_local_record (self, token);
    vault_slot_t *s =
        rec ? vault_core_slot_named (self, json_string_value (json_object_get (rec, "slot")))
            : NULL;
    if (s && strcmp (s->case_no, json_string_value (json_object_get (rec, "case_no"))) != 0)
        s = NULL;
    json_decref (rec);
    if (s && (s->state == ST_OCCUPIED || s->state == ST_OVERDUE) && vault_core_usable (s))
        return s;
    return NULL;
}

//  The PIN of the badge that asked for a recovery: right, the slot opens, and the badge
//  holder goes with the recovery into the journal and the case's audit; wrong, nothing opens,
//  the guess counts towards the staff reader's lockout, and the badge is asked for again.
static void
s_staff_pin (vault_core_t *self, const char *pin)
{
    vault_slot_t *s = &self->slots[self->rec_slot];
    char case_no[64], who[96];
    snprintf (case_no, sizeof case_no, "%s", self->rec_case);
    snprintf (who, sizeof who, "%.60s (badge %s)", self->staff_name, self->staff_id);
    self->rec_case[0] = 0;
    if (!vault_badges_pin (self->badges, self->staff_id, pin)) {
        vault_core_journal (self, "staff_pin_wrong", s, who);
        char guess[128];
        snprintf (guess, sizeof guess, "staff pin %s %.32s", self->staff_id, pin);
        s_wrong_code (self, VAULT_SRC_STAFF, guess, true,
                      "工作人员密码错误，请重新刷卡 / wrong staff PIN: scan your badge again");
        return;
    }
    if (strcmp (s->case_no, case_no) != 0 || (s->state != ST_OCCUPIED && s->state != ST_OVERDUE) ||
        !vault_core_usable (s)) {
        vault_core_say (self, "refused", s, case_no,
                        "该格口现在无法取回 / this slot cannot be recovered now");
        return;
    }
    snprintf (s->staff, sizeof s->staff, "%s", who);
    char why[160];
    snprintf (why, sizeof why, "staff recovery by %s", who);
    vault_core_begin (self, s, OP_RECOVERY, s->state, 0, why);
}

//  A badge at the staff reader: an enrolled one opens staff mode for one action; anything
//  else of a badge's form is a wrong badge, noted and counted.
static void
s_staff_badge (vault_core_t *self, const char *p, int64_t now)
{
    self->rec_case[0] = 0;
    if (!self->badges || !vault_badges_check (self->badges, p, self->staff_id, self->staff_name,
                                              sizeof self->staff_name)) {
        vault_core_journal (self, "badge_refused", NULL, "staff reader: not an enrolled badge");
        s_wrong_code (self, VAULT_SRC_STAFF, p, true,
                      "工作证无效或已注销 / this badge is not enrolled here, or revoked");
        return;
    }
    self->staff_until = now + self->cfg->staff_mode_ms;
    char who[96];
    snprintf (who, sizeof who, "%.60s (badge %s)", self->staff_name, self->staff_id);
    vault_core_say (self, "staff_mode", NULL, NULL,
                    "工作人员模式：请扫描办件二维码存件或取回 / staff: scan a case's QR code to "
                    "deposit or recover it");
    vault_core_journal (self, "staff_badge", NULL, who);
}

//  The staff reader: an enrolled badge opens staff mode for one action. Then the case's QR
//  code (its pickup token, from the slip or the status page) deposits it into a free slot,
//  or, if it is in a slot here, asks for the badge holder's PIN and recovers it. A case
//  number opens nothing (numbers are sequential: anyone could guess one). Anything else is
//  a wrong code of the staff reader, and while it is locked out no badge is taken.
static void
s_staff (vault_core_t *self, const char *p)
{
    if (s_locked (self, VAULT_SRC_STAFF))
        return;
    int64_t now = vault_now_ms ();
    if (vault_badge_form (p)) {
        s_staff_badge (self, p, now);
        return;
    }
    if (self->rec_case[0] && now < self->rec_until) {
        s_staff_pin (self, p);
        return;
    }
    self->rec_case[0] = 0;
    if (now >= self->staff_until) {
        s_wrong_code (self, VAULT_SRC_STAFF, p, true, "请先刷工作证 / scan a staff badge first");
        return;
    }
    //  A badge is good for one action, so the next person at the reader is asked again.
    self->staff_until = 0;
    char token[PROTO_TOKEN_LEN + 1];
    if (proto_token_parse (p, strlen (p), token) != 0) {
        char who[96];
        snprintf (who, sizeof who, "%.60s (badge %s)", self->staff_name, self->staff_id);
        vault_core_journal (self, "case_number_refused", NULL, who);
        log_warn ("staff reader: %s gave a case number or other text, not a case's QR code: "
                  "refused",
                  who);
        s_wrong_code (self, VAULT_SRC_STAFF, p, true,
                      "案件编号不能开柜，请扫描办件二维码（凭条或状态页）/ a case number opens "
                      "nothing: scan the case's QR code (its slip or status page)");
        return;
    }
    vault_slot_t *s = s_recoverable (self, token);
    if (!s) {
        vault_core_deposit (self, token, NULL, 0);
        return;
    }
    self->rec_slot = (int)(s - self->slots);
    snprintf (self->rec_case, sizeof self->rec_case, "%s", s->case_no);
    self->rec_until = now + PIN_WAIT_MS;
    vault_core_say (self, "staff_pin", s, s->case_no,
                    "取回 %s：请输入工作人员密码 / to recover %s, enter your staff PIN", s->cfg->id,
                    s->cfg->id);
}

//  A citizen's code (scanner or camera) or, at the keypad, the second factor.
static void
s_citizen (vault_core_t *self, vault_source_t src, const char *p)
{
    if (s_locked (self, src))
        return;
    //  The keypad: 4 characters (digits or X) while a second factor is awaited.
    if (src == VAULT_SRC_SCANNER && self->pin_case[0] && vault_now_ms () < self->pin_until) {
        const char *pin = strncmp (p, "PIN ", 4) == 0 ? p + 4 : p;
        if (strlen (pin) == 4) {
            char up[5];
            for (int i = 0; i < 5; i++)
                up[i] = (char)toupper ((unsigned char)pin[i]);
            s_pin (self, up);
            return;
        }
    }
    //  The keypad: a pickup code typed from the phone page (取件码), then the second factor.
    char digits[9];
    if (src == VAULT_SRC_SCANNER && s_typed_code (p, digits)) {
        s_pickup (self, src, digits, true);
        return;
    }
    char token[PROTO_TOKEN_LEN + 1];
    if (proto_token_parse (p, strlen (p), token) == 0) {
        s_pickup (self, src, token, false);
        return;
    }
    //  A badge shown here opens nothing: staff use their own reader. Noted for them.
    if (vault_badge_form (p))
        vault_core_journal (self, "badge_refused", NULL, s_source_names[src]);
    s_wrong_code (self, src, p, false, "无法识别的取件码或二维码 / not a pickup code or QR code");
}

void
vault_core_input (vault_core_t *self, vault_source_t source, const char *raw)
{
    char line[512];
    snprintf (line, sizeof line, "%s", raw);
    size_t n = strlen (line);
    while (n && isspace ((unsigned char)line[n - 1]))
        line[--n] = 0;
    char *p = line;
    while (isspace ((unsigned char)*p))
        p++;
    if (!*p || (unsigned)source >= VAULT_SRC_COUNT)
        return;
    s_sources_load (self);
    if (source == VAULT_SRC_STAFF)
        s_staff (self, p);
    else
        s_citizen (self, source, p);
}

//  True if the camera code is still held: in view since it was acted on, or acted on a
//  moment ago. Either way it has been seen now.
static bool
s_held (vault_core_t *self, uint64_t h, int64_t now)
{
    for (int i = 0; i < NSEEN; i++) {
        vault_seen_t *v = &self->seen[i];
        if (v->code != h)
            continue;
        bool held = now - v->seen < CAMERA_GAP_MS || now - v->acted < CAMERA_HOLD_MS;
        v->seen = now;
        return held;
    }
    return false;
}

//  Remembers a camera code as acted on now, in place of the one seen longest ago.
static void
s_hold (vault_core_t *self, uint64_t h, int64_t now)
{
    vault_seen_t *slot = &self->seen[0];
    for (int i = 0; i < NSEEN; i++) {
        if (self->seen[i].code == h) {
            slot = &self->seen[i];
            break;
        }
        if (self->seen[i].seen < slot->seen)
            slot = &self->seen[i];
    }
    *slot = (vault_seen_t){h, now, now};
}

void
vault_core_codes (vault_core_t *self, const proto_qr_codes_t *codes)
{
    int64_t now = vault_now_ms ();
    //  Rank what is new: a pickup code known here (3), any pickup code (2), other text (1).
    int best = -1, best_rank = 0;
    bool pickup_in_view = false;
    for (int i = 0; i < codes->count; i++) {
        const char *text = codes->text[i];
        char token[PROTO_TOKEN_LEN + 1];
        bool is_token = proto_token_parse (text, strlen (text), token) == 0;
        pickup_in_view |= is_token;
        if (s_held (self, s_code_hash (text), now))
            continue;
        int rank = 1;
        if (is_token) {
            json_t *rec = s_local_record (self, token);
            rank = rec ? 3 : 2;
            json_decref (rec);
        }
        if (rank > best_rank) {
            best = i;
            best_rank = rank;
        }
    }
    //  Codes of other kinds beside a pickup code (the poster behind the phone) are ignored,
    //  and held so they are not taken up the moment the phone goes.
    for (int i = 0; i < codes->count && pickup_in_view; i++) {
        char token[PROTO_TOKEN_LEN + 1];
        if (proto_token_parse (codes->text[i], strlen (codes->text[i]), token) != 0)
            s_hold (self, s_code_hash (codes->text[i]), now);
    }
    if (best < 0 || (best_rank == 1 && pickup_in_view))
        return;
    s_hold (self, s_code_hash (codes->text[best]), now);
    vault_core_input (self, VAULT_SRC_CAMERA, codes->text[best]);
}
