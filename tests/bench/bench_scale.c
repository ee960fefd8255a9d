/*  bench_scale.c — a store with years of history: start-up time, memory, bytes per case.

    Playing a million cases through the broker's handlers takes about 1.5 ms a case on this
    machine (eight requests, each building and storing JSON), 25 minutes in all. So the
    store is made by `onewindow-bench --generate` (a separate process) in two steps:

    1. A template day through the broker's own code. A scratch store, opened with
       broker_store_open, on a simulated clock; one warm-up day, then one day of 1,000 cases,
       each played through the real handlers (broker_handlers[], what the server's
       dispatcher calls) with the business-day timers run as the server runs them:
           ticket.issue, ticket.call_next, ticket.start, case.accept (biz_setup, a valid
           ID number), ticket.finish; later that day case.review, case.approve and
           case.hand_out (collected at the counter).
       Its ticket ids and event sequence numbers start at sentinel values (5e9, 7e9) so
       that they can be told from any other number.

    2. That day's records, replicated day after day up to yesterday: every record the day
       wrote (tickets, tokens, the event journal, cases, case log, token and applicant
       indexes, numbering, daily figures) is cut once into literal bytes and the values
       that depend on the day: ticket ids (and order keys), event sequence numbers, tokens,
       times, the date, and the case's two deadlines with their "provisional" flag, which
       are computed again for each day with the broker's calendar
       (broker_calendar_deadline, as the case clock does). Each copy is written through
       broker_store_put in transactions of 20,000 cases.

    So every record is byte for byte what the broker writes for that day's cases, with two
    simplifications: the same thousand applicants come every day (with fresh tokens, case
    numbers and tickets), and no idempotency records are written (the server prunes them
    after `idempotency_hours`, so a store with years of history holds only the last day's).

    The broker is then started on that store several times: the time from exec to its
    first reply (hall.info), its RSS after start-up and after a hall.snapshot and the
    ticket.status of the oldest ticket (which also checks that the copies link up). Bytes
    per case = the store's allocated bytes (data.mdb and lock.mdb) over the cases (each with
    its ticket and journal). */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "broker_calendar.h"
#include "broker_clock.h"
#include "broker_devices.h"
#include "broker_handlers.h"
#include "broker_store.h"
#include "broker_timers.h"
#include "proto_log.h"
#include "proto_token.h"

#define CASES_PER_DAY  1000
#define COPIES_PER_TXN 20
#define ID_SENTINEL    5000000000ULL
#define SEQ_SENTINEL   7000000000ULL
#define DAY_MS         86400000LL

//  ---------------------------------------------------------------------------------------
//  Step 1: the template day, through the handlers

typedef struct {
    broker_config_t *config;
    broker_store_t *store;
    broker_clock_t *clock;
    broker_calendar_t *calendar;
    broker_hall_t *hall;
    broker_devices_t *devices;
    json_t *events, *notices;
    json_t *reply; //  the last reply (owned)
} s_gen_t;

static broker_ctx_t
s_ctx (s_gen_t *g)
{
    return (broker_ctx_t){
        .hall = g->hall,
        .calendar = g->calendar,
        .devices = g->devices,
        .store = g->store,
        .clock = g->clock,
        .config = g->config,
        .pub_endpoint = "",
        .principal = "",
        .roles = R_ANY,
        .now = broker_clock_now (g->clock),
        .events = g->events,
        .notices = g->notices,
    };
}

//  One request through the real handler, as the server's dispatcher runs it. 0 / -1.
static int
s_call (s_gen_t *g, proto_cmd_t cmd, const json_t *body)
{
    broker_ctx_t ctx = s_ctx (g);
    json_decref (g->reply);
    g->reply = NULL;
    int rc = broker_handlers[cmd](&ctx, body);
    json_decref (ctx.err_detail);
    if (rc != 0) {
        fprintf (stderr, "generate: %s failed: %s\n", proto_command (cmd)->name, ctx.why);
        json_decref (ctx.reply);
        return -1;
    }
    g->reply = ctx.reply;
    //  The server publishes the events after the commit; here nobody listens.
    json_array_clear (g->events);
    json_array_clear (g->notices);
    return 0;
}

static void
s_timers (s_gen_t *g)
{
    broker_ctx_t ctx = s_ctx (g);
    broker_timers (&ctx);
    json_array_clear (g->events);
    json_array_clear (g->notices);
}

//  One business day at the counter: the timers of a new day, `cases` applicants served
//  and accepted in the morning, their cases decided and handed out in the afternoon.
static int
s_play_day (s_gen_t *g, int64_t nine, int cases)
{
    int rc = -1;
    char (*nos)[48] = calloc ((size_t)cases + 1, sizeof *nos);
    json_t *issue = json_pack ("{s:s}", "service", "A");
    json_t *counter = json_pack ("{s:i}", "counter", 1);
    json_t *login = json_pack ("{s:i, s:s}", "counter", 1, "clerk", "张三");
    json_t *accept =
        json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s,s,s]}", "counter", 1, "item", "biz_setup",
                   "name", "王小明", "id_number", "", "phone", "13812345678", "documents",
                   "application", "articles", "rep_id", "address");
    json_t *decide = json_pack ("{s:s, s:s}", "case_no", "", "clerk", "李四");
    json_t *hand_out = json_pack ("{s:s, s:i}", "case_no", "", "counter", 1);
    broker_clock_set_sim (g->clock, nine);
    s_timers (g);
    if (!nos || s_call (g, PROTO_CMD_COUNTER_LOGIN, login) != 0)
        goto done;
    for (int i = 0; i < cases; i++) {
        char id[20];
        bench_id_number ((unsigned long)i, id);
        json_object_set_new (accept, "id_number", json_string (id));
        broker_clock_advance (g->clock, 10000);
        if (s_call (g, PROTO_CMD_TICKET_ISSUE, issue) != 0 ||
            s_call (g, PROTO_CMD_TICKET_CALL_NEXT, counter) != 0 ||
            s_call (g, PROTO_CMD_TICKET_START, counter) != 0 ||
            s_call (g, PROTO_CMD_CASE_ACCEPT, accept) != 0)
            goto done;
        snprintf (nos[i], sizeof nos[i], "%s",
                  json_string_value (json_object_get (g->reply, "case_no")));
        broker_clock_advance (g->clock, 5000);
        if (s_call (g, PROTO_CMD_TICKET_FINISH, counter) != 0)
            goto done;
    }
    for (int i = 0; i < cases; i++) {
        json_object_set_new (decide, "case_no", json_string (nos[i]));
        json_object_set_new (hand_out, "case_no", json_string (nos[i]));
        broker_clock_advance (g->clock, 3000);
        if (s_call (g, PROTO_CMD_CASE_REVIEW, decide) != 0 ||
            s_call (g, PROTO_CMD_CASE_APPROVE, decide) != 0 ||
            s_call (g, PROTO_CMD_CASE_HAND_OUT, hand_out) != 0)
            goto done;
    }
    rc = s_call (g, PROTO_CMD_COUNTER_LOGOUT, counter);
done:
    free (nos);
    json_decref (issue);
    json_decref (counter);
    json_decref (login);
    json_decref (accept);
    json_decref (decide);
    json_decref (hand_out);
    return rc;
}

//  ---------------------------------------------------------------------------------------
//  Step 2: records cut into literal bytes and day-dependent values

typedef enum {
    P_LIT,     //  bytes of the template
    P_ID,      //  a ticket id, in decimal
    P_ORDER,   //  a ticket's order key (id << 16), in decimal
    P_SEQ,     //  an event sequence number, in decimal
    P_TIME,    //  a time in ms, in decimal
    P_DATE,    //  yyyymmdd: which = 0 the day, 1 statutory, 2 promised deadline
    P_ISO,     //  the same as YYYY-MM-DD
    P_PROV,    //  the deadlines' provisional flag: true / false
    P_TOKEN,   //  a ticket's token (which = its index in the day)
    P_BIN_ID,  //  a ticket id, 8 bytes big-endian
    P_BIN_SEQ, //  an event sequence number, 8 bytes big-endian
} s_kind_t;

typedef struct {
    s_kind_t kind;
    uint32_t off, len; //  P_LIT: the bytes in the record's text
    int64_t value;     //  the template's value (id, seq, time) or index (date, token)
} s_piece_t;

typedef struct {
    s_piece_t *p;
    int n, cap;
} s_cut_t;

typedef struct {
    broker_db_t db;
    unsigned char *text; //  key bytes, then value bytes
    s_cut_t key, val;
} s_record_t;

//  What varies from day to day, as the template day had it.
typedef struct {
    uint64_t id_lo, id_hi;   //  the day's ticket ids
    uint64_t seq_lo, seq_hi; //  the day's event sequence numbers
    int64_t t_lo, t_hi;      //  the day's times
    int dates[3];            //  the day, its statutory and promised deadlines
    char iso[3][11];
    char (*tokens)[PROTO_TOKEN_LEN + 1]; //  the day's tokens, sorted
    int ntokens;
    s_record_t *recs;
    int nrecs, caprecs;
    //  records written once, after the copies, with the last copy's values
    s_record_t *tail;
    int ntail, captail;
} s_template_t;

//  One copy's values.
typedef struct {
    uint64_t id_base, seq_base;
    int64_t time_delta;
    int dates[3];
    char iso[3][11];
    bool prov;
    char (*tokens)[PROTO_TOKEN_LEN + 1]; //  new token for each template token
} s_copy_t;

static void
s_cut_add (s_cut_t *c, s_kind_t kind, uint32_t off, uint32_t len, int64_t value)
{
    if (kind == P_LIT && c->n && c->p[c->n - 1].kind == P_LIT &&
        c->p[c->n - 1].off + c->p[c->n - 1].len == off) {
        c->p[c->n - 1].len += len;
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->p = realloc (c->p, (size_t)c->cap * sizeof *c->p);
        if (!c->p) {
            fprintf (stderr, "generate: out of memory\n");
            exit (1);
        }
    }
    c->p[c->n++] = (s_piece_t){kind, off, len, value};
}

static int
s_token_cmp (const void *a, const void *b)
{
    return memcmp (a, b, PROTO_TOKEN_LEN);
}

static int
s_token_index (const s_template_t *t, const unsigned char *s)
{
    const char (*hit)[PROTO_TOKEN_LEN + 1] =
        bsearch (s, t->tokens, (size_t)t->ntokens, sizeof *t->tokens, s_token_cmp);
    return hit ? (int)(hit - t->tokens) : -1;
}

static bool
s_b32 (unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7');
}

static bool
s_alnum (unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static bool
s_digit (unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

//  Cuts text bytes [off, off+len) of `buf` into pieces.
static void
s_cut_text (const s_template_t *t, const unsigned char *buf, uint32_t off, uint32_t len, s_cut_t *c)
{
    static const char prov[] = "\"provisional\":";
    uint32_t i = off, end = off + len;
    while (i < end) {
        unsigned char ch = buf[i];
        bool start = i == off || !s_alnum (buf[i - 1]);
        if (ch == '"' && end - i >= sizeof prov - 1 + 4 &&
            memcmp (buf + i, prov, sizeof prov - 1) == 0) {
            uint32_t v = i + (uint32_t)sizeof prov - 1;
            uint32_t vlen = memcmp (buf + v, "true", 4) == 0                    ? 4
                            : end - v >= 5 && memcmp (buf + v, "false", 5) == 0 ? 5
                                                                                : 0;
            if (vlen) {
                s_cut_add (c, P_LIT, i, v - i, 0);
                s_cut_add (c, P_PROV, v, vlen, 0);
                i = v + vlen;
                continue;
            }
        }
        if (s_b32 (ch) && start && end - i >= PROTO_TOKEN_LEN &&
            (i + PROTO_TOKEN_LEN == end || !s_alnum (buf[i + PROTO_TOKEN_LEN]))) {
            uint32_t j = i;
            while (j < i + PROTO_TOKEN_LEN && s_b32 (buf[j]))
                j++;
            int k = j == i + PROTO_TOKEN_LEN ? s_token_index (t, buf + i) : -1;
            if (k >= 0) {
                s_cut_add (c, P_TOKEN, i, PROTO_TOKEN_LEN, k);
                i += PROTO_TOKEN_LEN;
                continue;
            }
        }
        if (s_digit (ch) && start) {
            uint32_t j = i;
            while (j < end && s_digit (buf[j]))
                j++;
            //  YYYY-MM-DD
            if (j - i == 4 && end - i >= 10 && buf[i + 4] == '-' && buf[i + 7] == '-') {
                int which = -1;
                for (int k = 0; k < 3; k++)
                    if (memcmp (buf + i, t->iso[k], 10) == 0)
                        which = k;
                if (which >= 0 && (i + 10 == end || !s_digit (buf[i + 10]))) {
                    s_cut_add (c, P_ISO, i, 10, which);
                    i += 10;
                    continue;
                }
            }
            if (j - i <= 18 && (j == end || !s_alnum (buf[j]))) {
                char num[20];
                memcpy (num, buf + i, j - i);
                num[j - i] = 0;
                uint64_t v = strtoull (num, NULL, 10);
                s_kind_t kind = P_LIT;
                int64_t value = (int64_t)v;
                if (v >= t->id_lo && v <= t->id_hi)
                    kind = P_ID;
                else if (v >= t->seq_lo && v <= t->seq_hi)
                    kind = P_SEQ;
                else if (v % 65536 == 0 && v / 65536 >= t->id_lo && v / 65536 <= t->id_hi) {
                    kind = P_ORDER;
                    value = (int64_t)(v / 65536);
                } else if (j - i == 13 && (int64_t)v >= t->t_lo && (int64_t)v <= t->t_hi)
                    kind = P_TIME;
                else if (j - i == 8)
                    for (int k = 0; k < 3; k++)
                        if ((int)v == t->dates[k]) {
                            kind = P_DATE;
                            value = k;
                        }
                s_cut_add (c, kind, i, j - i, value);
                i = j;
                continue;
            }
            s_cut_add (c, P_LIT, i, j - i, 0);
            i = j;
            continue;
        }
        s_cut_add (c, P_LIT, i, 1, 0);
        i++;
    }
}

//  Adds a record of `db` to the template (or to its tail), cut by the database's layout.
static void
s_template_add (s_template_t *t, broker_db_t db, const MDB_val *k, const MDB_val *v, bool tail)
{
    s_record_t **list = tail ? &t->tail : &t->recs;
    int *n = tail ? &t->ntail : &t->nrecs, *cap = tail ? &t->captail : &t->caprecs;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *list = realloc (*list, (size_t)*cap * sizeof **list);
        if (!*list) {
            fprintf (stderr, "generate: out of memory\n");
            exit (1);
        }
    }
    s_record_t *r = &(*list)[(*n)++];
    memset (r, 0, sizeof *r);
    r->db = db;
    r->text = malloc (k->mv_size + v->mv_size + 1);
    if (!r->text)
        exit (1);
    memcpy (r->text, k->mv_data, k->mv_size);
    memcpy (r->text + k->mv_size, v->mv_data, v->mv_size);
    uint32_t klen = (uint32_t)k->mv_size, vlen = (uint32_t)v->mv_size;
    switch (db) {
    case BROKER_DB_TICKETS:
        s_cut_add (&r->key, P_BIN_ID, 0, 8, (int64_t)broker_key_u64_read (k->mv_data));
        s_cut_text (t, r->text, klen, vlen, &r->val);
        break;
    case BROKER_DB_TOKENS:
        s_cut_text (t, r->text, 0, klen, &r->key);
        s_cut_add (&r->val, P_BIN_ID, klen, 8, (int64_t)broker_key_u64_read (v->mv_data));
        break;
    case BROKER_DB_EVENTS:
        s_cut_add (&r->key, P_BIN_SEQ, 0, 8, (int64_t)broker_key_u64_read (k->mv_data));
        s_cut_text (t, r->text, klen, vlen, &r->val);
        break;
    case BROKER_DB_CASE_LOG:
        s_cut_text (t, r->text, 0, klen - 8, &r->key);
        s_cut_add (&r->key, P_BIN_SEQ, klen - 8, 8,
                   (int64_t)broker_key_u64_read ((const unsigned char *)k->mv_data + klen - 8));
        s_cut_text (t, r->text, klen, vlen, &r->val);
        break;
    default:
        s_cut_text (t, r->text, 0, klen, &r->key);
        s_cut_text (t, r->text, klen, vlen, &r->val);
    }
}

typedef struct {
    s_template_t *t;
    broker_db_t db;
    char day[16];      //  the template day as text
    char case_day[24]; //  "-YYYYMMDD-": in case numbers
} s_scan_t;

//  Is this record written by the template day? Then it goes into the template.
static int
s_scan_one (const MDB_val *k, const MDB_val *v, void *arg)
{
    s_scan_t *sc = arg;
    s_template_t *t = sc->t;
    bool mine = false, tail = false;
    const char *key = k->mv_data;
    switch (sc->db) {
    case BROKER_DB_TICKETS:
    case BROKER_DB_EVENTS: {
        uint64_t x = k->mv_size == 8 ? broker_key_u64_read (k->mv_data) : 0;
        mine = sc->db == BROKER_DB_TICKETS ? x >= t->id_lo && x <= t->id_hi
                                           : x >= t->seq_lo && x <= t->seq_hi;
        break;
    }
    case BROKER_DB_TOKENS:
        mine = v->mv_size == 8 && broker_key_u64_read (v->mv_data) >= t->id_lo;
        break;
    case BROKER_DB_CASES:
    case BROKER_DB_CASE_LOG:
    case BROKER_DB_TOKEN_CASES:
    case BROKER_DB_APPLICANT_CASES:
        mine = memmem (key, k->mv_size, sc->case_day, strlen (sc->case_day)) != NULL;
        break;
    case BROKER_DB_NUMBERS:
        mine = memmem (key, k->mv_size, sc->day, strlen (sc->day)) != NULL;
        break;
    case BROKER_DB_STATS:
        mine = k->mv_size > 4 && memcmp (key, "day/", 4) == 0 &&
               memmem (key, k->mv_size, sc->day, strlen (sc->day)) != NULL;
        tail = !mine && !(k->mv_size > 4 && memcmp (key, "day/", 4) == 0);
        break;
    case BROKER_DB_COUNTERS: tail = true; break;
    case BROKER_DB_META:
        tail = (k->mv_size == 3 && memcmp (key, "day", 3) == 0) ||
               (k->mv_size == 8 && memcmp (key, "case_day", 8) == 0) ||
               (k->mv_size == 7 && memcmp (key, "day_seq", 7) == 0);
        break;
    default: break;
    }
    if (mine || tail)
        s_template_add (t, sc->db, k, v, tail);
    return 0;
}

static int
s_collect_token (const MDB_val *k, const MDB_val *v, void *arg)
{
    s_template_t *t = arg;
    if (k->mv_size == PROTO_TOKEN_LEN && v->mv_size == 8 &&
        broker_key_u64_read (v->mv_data) >= t->id_lo) {
        memcpy (t->tokens[t->ntokens], k->mv_data, PROTO_TOKEN_LEN);
        t->tokens[t->ntokens++][PROTO_TOKEN_LEN] = 0;
    }
    return 0;
}

//  Calls fn on every entry of db, in key order.
static void
s_walk (broker_store_t *store, broker_db_t db,
        int (*fn) (const MDB_val *k, const MDB_val *v, void *arg), void *arg)
{
    broker_store_iter_t it;
    broker_store_scan (store, db, NULL, 0, &it);
    while (broker_store_next (&it))
        fn (&it.key, &it.val, arg);
    broker_store_scan_end (&it);
}

//  Writes `v` in decimal at `o`; returns the digits written.
static int
s_u64 (char *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    for (int i = 0; i < n; i++)
        o[i] = tmp[n - 1 - i];
    return n;
}

//  Renders one cut into `out` (grown as needed) for copy `cp`; returns the length.
static size_t
s_render (const s_template_t *t, const s_record_t *r, const s_cut_t *c, const s_copy_t *cp,
          unsigned char **out, size_t *cap)
{
    size_t len = 0;
    for (int i = 0; i < c->n; i++) {
        const s_piece_t *p = &c->p[i];
        if (len + p->len + 32 > *cap) {
            *cap = (len + p->len + 32) * 2;
            *out = realloc (*out, *cap);
            if (!*out)
                exit (1);
        }
        char *o = (char *)*out + len;
        int w = 0;
        switch (p->kind) {
        case P_LIT:
            memcpy (o, r->text + p->off, p->len);
            w = (int)p->len;
            break;
        case P_ID: w = s_u64 (o, cp->id_base + (uint64_t)p->value - t->id_lo); break;
        case P_ORDER: w = s_u64 (o, (cp->id_base + (uint64_t)p->value - t->id_lo) << 16); break;
        case P_SEQ: w = s_u64 (o, cp->seq_base + (uint64_t)p->value - t->seq_lo); break;
        case P_TIME: w = s_u64 (o, (uint64_t)(p->value + cp->time_delta)); break;
        case P_DATE: w = s_u64 (o, (uint64_t)cp->dates[p->value]); break;
        case P_ISO:
            memcpy (o, cp->iso[p->value], 10);
            w = 10;
            break;
        case P_PROV:
            w = cp->prov ? 4 : 5;
            memcpy (o, cp->prov ? "true" : "false", (size_t)w);
            break;
        case P_TOKEN:
            memcpy (o, cp->tokens[p->value], PROTO_TOKEN_LEN);
            w = PROTO_TOKEN_LEN;
            break;
        case P_BIN_ID:
            broker_key_u64 (cp->id_base + (uint64_t)p->value - t->id_lo, (unsigned char *)o);
            w = 8;
            break;
        case P_BIN_SEQ:
            broker_key_u64 (cp->seq_base + (uint64_t)p->value - t->seq_lo, (unsigned char *)o);
            w = 8;
            break;
        }
        len += (size_t)w;
    }
    return len;
}

//  Copy `k` of the template, for the day `day` (yyyymmdd).
static void
s_copy_prepare (const s_template_t *t, const broker_calendar_t *cal, long k, int day, s_copy_t *cp)
{
    uint64_t nids = t->id_hi - t->id_lo + 1, nseq = t->seq_hi - t->seq_lo + 1;
    cp->id_base = 1 + (uint64_t)k * nids;
    cp->seq_base = 1 + (uint64_t)k * nseq;
    int d0 = 0, dk = 0;
    broker_calendar_date_to_days (t->dates[0], &d0);
    broker_calendar_date_to_days (day, &dk);
    cp->time_delta = (int64_t)(dk - d0) * DAY_MS;
    cp->dates[0] = day;
    //  The case clock of a case accepted that day: biz_setup's 15 and 3 working days.
    bool p1 = false, p2 = false;
    broker_calendar_deadline (cal, day, 15, 0, NULL, 0, &cp->dates[1], &p1);
    broker_calendar_deadline (cal, day, 3, 0, NULL, 0, &cp->dates[2], &p2);
    cp->prov = p1 || p2;
    for (int i = 0; i < 3; i++)
        broker_calendar_date_format (cp->dates[i], cp->iso[i], sizeof cp->iso[i]);
    for (int i = 0; i < t->ntokens; i++)
        proto_token_new (cp->tokens[i]);
}

static int
s_write_records (broker_store_t *store, const s_template_t *t, const s_record_t *recs, int n,
                 const s_copy_t *cp)
{
    static unsigned char *kbuf, *vbuf;
    static size_t kcap, vcap;
    for (int i = 0; i < n; i++) {
        size_t klen = s_render (t, &recs[i], &recs[i].key, cp, &kbuf, &kcap);
        size_t vlen = s_render (t, &recs[i], &recs[i].val, cp, &vbuf, &vcap);
        if (broker_store_put (store, recs[i].db, kbuf, klen, vbuf, vlen) != 0)
            return -1;
    }
    return 0;
}

//  The template's own check: what it expects of a day (how many of each).
static void
s_template_summary (const s_template_t *t, long *per_db, int ndb)
{
    memset (per_db, 0, (size_t)ndb * sizeof *per_db);
    for (int i = 0; i < t->nrecs; i++)
        per_db[t->recs[i].db]++;
}

//  The template day: the first working Monday of the published calendar.
static int
s_template_date (broker_calendar_t *calendar)
{
    int first = 0, last = 0;
    broker_calendar_range (calendar, &first, &last);
    for (int d = first ? first : 20260105;; d = broker_calendar_date_add (d, 1))
        if (broker_calendar_date_weekday (d) == 1 && broker_calendar_is_working_day (calendar, d))
            return d;
}

//  The scratch store the handlers play the template day in, with sentinels below the ids
//  and sequences they hand out, and the hall loaded from it on a clock at `start_ms`.
static int
s_scratch_open (s_gen_t *g, const char *scratch, int64_t start_ms)
{
    if (bench_mkdirs (scratch) != 0 || !(g->store = broker_store_open (scratch, (size_t)256 << 20)))
        return -1;
    unsigned char key[8];
    if (broker_store_begin (g->store, true) != 0)
        return -1;
    broker_key_u64 (ID_SENTINEL - 1, key);
    broker_store_put (g->store, BROKER_DB_TICKETS, key, 8, "{}", 2);
    broker_key_u64 (SEQ_SENTINEL - 1, key);
    broker_store_put (g->store, BROKER_DB_EVENTS, key, 8, "{}", 2);
    if (broker_store_commit (g->store) != 0)
        return -1;
    g->hall = broker_hall_new (g->config);
    g->devices = broker_devices_new ();
    g->events = json_array ();
    g->notices = json_array ();
    g->clock = broker_clock_new_sim (start_ms);
    if (broker_store_begin (g->store, false) != 0 || broker_hall_load (g->hall, g->store) != 0 ||
        broker_devices_load (g->devices, g->store) != 0)
        return -1;
    broker_store_abort (g->store);
    return 0;
}

//  Cuts the template: the tokens of the day's tickets, then every record of that day.
static int
s_cut_template (s_gen_t *g, s_template_t *t, int d0)
{
    t->tokens = calloc ((size_t)(t->id_hi - t->id_lo + 1), sizeof *t->tokens);
    if (!t->tokens || broker_store_begin (g->store, false) != 0)
        return -1;
    s_walk (g->store, BROKER_DB_TOKENS, s_collect_token, t);
    qsort (t->tokens, (size_t)t->ntokens, sizeof *t->tokens, s_token_cmp);
    if (broker_store_count (g->store, BROKER_DB_LIVE) ||
        broker_store_count (g->store, BROKER_DB_OPEN_CASES)) {
        fprintf (stderr, "generate: the template day left live tickets or open cases\n");
        return -1;
    }
    for (int db = 0; db < BROKER_DB_COUNT; db++) {
        s_scan_t sc = {t, (broker_db_t)db, "", ""};
        snprintf (sc.day, sizeof sc.day, "%08d", d0);
        snprintf (sc.case_day, sizeof sc.case_day, "-%08d-", d0);
        s_walk (g->store, (broker_db_t)db, s_scan_one, &sc);
    }
    broker_store_abort (g->store);
    return 0;
}

//  Step 2: the copies, one a day, ending yesterday. 0 / -1.
static int
s_write_copies (s_gen_t *g, const s_template_t *t, int today, long ndays)
{
    s_copy_t cp = {0};
    cp.tokens = calloc ((size_t)t->ntokens + 1, sizeof *cp.tokens);
    int rc = cp.tokens && broker_store_begin (g->store, true) == 0 ? 0 : -1;
    for (long k = 0; k < ndays && rc == 0; k++) {
        int day = broker_calendar_date_add (today, (int)(k - ndays));
        s_copy_prepare (t, g->calendar, k, day, &cp);
        //  The last day may be short of a full day's cases: the records of its first
        //  tickets only would need a different cut; full days keep it simple.
        rc = s_write_records (g->store, t, t->recs, t->nrecs, &cp);
        if (rc == 0 && (k % COPIES_PER_TXN == COPIES_PER_TXN - 1 || k == ndays - 1)) {
            if (k == ndays - 1)
                rc = s_write_records (g->store, t, t->tail, t->ntail, &cp);
            int crc = broker_store_commit (g->store);
            if (crc) {
                fprintf (stderr, "generate: commit: %s\n", mdb_strerror (crc));
                rc = -1;
                break;
            }
            broker_store_maybe_grow (g->store);
            if (k < ndays - 1 && broker_store_begin (g->store, true) != 0)
                rc = -1;
        }
    }
    if (rc != 0)
        broker_store_abort (g->store);
    free (cp.tokens);
    return rc;
}

//  The oldest ticket's token into `oldest` (PROTO_TOKEN_LEN + 1 bytes): ticket 1's, looked
//  up (the template's tokens[0] is the first in sort order, not ticket 1).
static void
s_oldest_token (broker_store_t *store, char *oldest)
{
    if (broker_store_begin (store, false) == 0) {
        unsigned char k1[8];
        broker_key_u64 (1, k1);
        json_t *tk = broker_store_get_json (store, BROKER_DB_TICKETS, k1, 8);
        snprintf (oldest, PROTO_TOKEN_LEN + 1, "%s",
                  json_string_value (json_object_get (tk, "token"))
                      ? json_string_value (json_object_get (tk, "token"))
                      : "");
        json_decref (tk);
        broker_store_abort (store);
    }
}

static void
s_gen_free (s_gen_t *g)
{
    json_decref (g->reply);
    json_decref (g->events);
    json_decref (g->notices);
    broker_devices_destroy (&g->devices);
    broker_hall_destroy (&g->hall);
    broker_calendar_destroy (&g->calendar);
    broker_clock_destroy (&g->clock);
    broker_store_destroy (&g->store);
    broker_config_destroy (&g->config);
}

int
bench_generate_main (int argc, char **argv)
{
    if (argc < 6) {
        fprintf (stderr, "usage: onewindow-bench --generate CONFIG DATA_DIR CASES NOW_MS\n");
        return 2;
    }
    proto_log_init ("generate", PROTO_LOG_WARN);
    const char *config_path = argv[2], *data = argv[3];
    long cases = atol (argv[4]);
    int64_t now_ms = atoll (argv[5]);
    char err[512], scratch[700];
    snprintf (scratch, sizeof scratch, "%s.template", data);
    bench_rmtree (scratch);
    bench_rmtree (data);
    s_gen_t g = {0};
    g.config = broker_config_load (config_path, err, sizeof err);
    if (!g.config) {
        fprintf (stderr, "generate: %s\n", err);
        return 1;
    }
    g.calendar = broker_calendar_new ();
    if (broker_calendar_load (g.calendar, g.config->calendar_path, err, sizeof err) != 0) {
        fprintf (stderr, "generate: calendar: %s\n", err);
        return 1;
    }
    int64_t t_begin = bench_now_ns ();
    const int offset = g.config->utc_offset_min;
    //  The days: the copies end yesterday (the hall's local date); the template day is a
    //  working Monday in the published calendar.
    int today = broker_business_day (now_ms, offset, 0);
    long ndays = (cases + CASES_PER_DAY - 1) / CASES_PER_DAY;
    int d0 = s_template_date (g.calendar);
    //  Step 1: a warm-up day and the template day in a scratch store, through the handlers.
    int dd0 = 0;
    broker_calendar_date_to_days (d0, &dd0);
    //  09:00 local on the template day, in Unix ms.
    int64_t nine0 = ((int64_t)dd0 * 86400 + 9 * 3600 - offset * 60) * 1000;
    if (s_scratch_open (&g, scratch, nine0 - DAY_MS) != 0)
        return 1;
    s_template_t t = {0};
    int per_day = cases < CASES_PER_DAY ? (int)cases : CASES_PER_DAY;
    if (broker_store_begin (g.store, true) != 0 || s_play_day (&g, nine0 - DAY_MS, per_day) != 0 ||
        broker_store_commit (g.store) != 0)
        return 1;
    t.id_lo = g.hall->next_id;
    t.seq_lo = g.hall->last_seq + 1;
    //  Times of the day before too: the new day's first events tell of the last one.
    t.t_lo = nine0 - DAY_MS;
    if (broker_store_begin (g.store, true) != 0 || s_play_day (&g, nine0, per_day) != 0 ||
        broker_store_commit (g.store) != 0)
        return 1;
    t.id_hi = g.hall->next_id - 1;
    t.seq_hi = g.hall->last_seq;
    t.t_hi = broker_clock_now (g.clock);
    t.dates[0] = d0;
    bool prov = false;
    broker_calendar_deadline (g.calendar, d0, 15, 0, NULL, 0, &t.dates[1], &prov);
    broker_calendar_deadline (g.calendar, d0, 3, 0, NULL, 0, &t.dates[2], &prov);
    for (int i = 0; i < 3; i++)
        broker_calendar_date_format (t.dates[i], t.iso[i], sizeof t.iso[i]);
    double t_template = (double)(bench_now_ns () - t_begin) / 1e9;
    //  The store as the handlers left it after two days: bytes per case of the real thing
    //  (free pages of copy-on-write included).
    double handler_bytes = (double)bench_dir_bytes (scratch) / (2.0 * per_day);

    //  The template: every record of that day, cut.
    if (s_cut_template (&g, &t, d0) != 0)
        return 1;
    long per_db[BROKER_DB_COUNT];
    s_template_summary (&t, per_db, BROKER_DB_COUNT);

    //  Step 2: the copies, one a day, ending yesterday.
    broker_store_destroy (&g.store);
    if (bench_mkdirs (data) != 0 || !(g.store = broker_store_open (data, (size_t)1 << 30)))
        return 1;
    int rc = s_write_copies (&g, &t, today, ndays);
    double t_total = (double)(bench_now_ns () - t_begin) / 1e9;
    //  The oldest ticket's token: the bench asks for its status through the broker.
    char oldest[PROTO_TOKEN_LEN + 1] = "";
    if (rc == 0)
        s_oldest_token (g.store, oldest);
    //  cases, tickets and events written; seconds for the template and in all; a token;
    //  records per day; bytes per case in the handlers' own store.
    printf ("%ld %llu %llu %.2f %.2f %s %d %.0f\n", ndays * per_day,
            (unsigned long long)(ndays * (long)(t.id_hi - t.id_lo + 1)),
            (unsigned long long)(ndays * (long)(t.seq_hi - t.seq_lo + 1)), t_template, t_total,
            oldest[0] ? oldest : "-", t.nrecs, handler_bytes);
    fflush (stdout);
    s_gen_free (&g);
    bench_rmtree (scratch);
    return rc == 0 ? 0 : 1;
}

//  ---------------------------------------------------------------------------------------
//  The section

//  RSS of the broker (KiB), after it answered; -1 on failure.
static long
s_rss (pid_t pid)
{
    long rss = -1, hwm = -1;
    return bench_rss_kb (pid, &rss, &hwm) == 0 ? rss : -1;
}

int
bench_scale (bench_t *b)
{
    char config[700], data[700], log[700], out[700];
    snprintf (config, sizeof config, "%s/hall.json", b->work);
    snprintf (data, sizeof data, "%s/scale/data", b->work);
    snprintf (log, sizeof log, "%s/scale-generate.log", b->work);
    snprintf (out, sizeof out, "%s/scale-generate.out", b->work);
    if (bench_hall_config (b, config, 32) != 0)
        return -1;
    bench_mkdirs (data);
    //  The generator, a process of its own: stdout is its one line of figures.
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    char cases[32], now[32], cmd[4096];
    snprintf (cases, sizeof cases, "%ld", b->scale_cases);
    snprintf (now, sizeof now, "%lld", (long long)ts.tv_sec * 1000);
    snprintf (cmd, sizeof cmd, "'%s' --generate '%s' '%s' %s %s > '%s' 2> '%s'", b->self, config,
              data, cases, now, out, log);
    bench_progress ("generating a store of %ld cases ...", b->scale_cases);
    int64_t t0 = bench_now_ns ();
    if (system (cmd) != 0) {
        fprintf (stderr, "bench: the generator failed; see %s\n", log);
        return -1;
    }
    double gen_s = (double)(bench_now_ns () - t0) / 1e9;
    FILE *f = fopen (out, "r");
    long ncases = 0;
    unsigned long long ntickets = 0, nevents = 0;
    double t_template = 0, t_total = 0, handler_bytes = 0;
    char token[64] = "";
    int nrecs = 0;
    int got = f ? fscanf (f, "%ld %llu %llu %lf %lf %63s %d %lf", &ncases, &ntickets, &nevents,
                          &t_template, &t_total, token, &nrecs, &handler_bytes)
                : 0;
    if (f)
        fclose (f);
    if (got != 8) {
        fprintf (stderr, "bench: the generator said nothing useful; see %s\n", log);
        return -1;
    }
    long long bytes = bench_dir_bytes (data);
    bench_progress ("%ld cases, %llu tickets, %llu events, %.1f GB in %.0f s (template day %.1f s)",
                    ncases, ntickets, nevents, (double)bytes / 1e9, gen_s, t_template);
    bench_fig_t *fig =
        bench_fig (b, "scale", "scale.cases", 0, "cases", "historical cases in the store");
    bench_fig_add (fig, (double)ncases);
    fig = bench_fig (b, "scale", "scale.store_bytes_per_case", 0, "bytes",
                     "store bytes per case (generated store)");
    bench_fig_add (fig, (double)bytes / (double)ncases);
    fig = bench_fig (b, "scale", "scale.handler_bytes_per_case", 0, "bytes",
                     "store bytes per case (written by handlers)");
    bench_fig_add (fig, handler_bytes);
    fig = bench_fig (b, "scale", "scale.generate_s", 0, "s", "time to generate the store");
    bench_fig_add (fig, gen_s);

    bench_fig_t *start =
        bench_fig (b, "scale", "scale.startup", 0, "ms", "broker start-up to first reply");
    start->target = 1000;
    start->target_max = true;
    bench_fig_t *rss0 =
        bench_fig (b, "scale", "scale.rss_start", 0, "MB", "broker RSS after start-up");
    bench_fig_t *rss1 =
        bench_fig (b, "scale", "scale.rss", 0, "MB", "broker RSS after snapshot + old status");
    rss1->target = 64;
    rss1->target_max = true;
    int rc = 0;
    for (int r = 0; r < b->runs && rc == 0; r++) {
        bench_broker_t br;
        memset (&br, 0, sizeof br);
        snprintf (br.dir, sizeof br.dir, "%s/scale", b->work);
        snprintf (br.data, sizeof br.data, "%s", data);
        snprintf (br.log, sizeof br.log, "%s/broker.log", br.dir);
        snprintf (br.config, sizeof br.config, "%s", config);
        snprintf (br.clock, sizeof br.clock, "real");
        snprintf (br.req, sizeof br.req, "tcp://127.0.0.1:%d", bench_free_port ());
        snprintf (br.pub, sizeof br.pub, "tcp://127.0.0.1:%d", bench_free_port ());
        int64_t ready = 0;
        if (bench_broker_start (&br, b, &ready) != 0) {
            rc = -1;
            break;
        }
        bench_fig_add (start, (double)ready / 1e6);
        bench_fig_add (rss0, (double)s_rss (br.pid) / 1024.0);
        void *zctx = bench_zctx ();
        bench_client_t c = {0};
        char body[128];
        snprintf (body, sizeof body, "{\"token\":\"%s\"}", token);
        if (bench_client_open (&c, zctx, br.req, 0) != 0 ||
            bench_client_ok (&c, "hall.snapshot", "{}") != 0 ||
            bench_client_ok (&c, "ticket.status", body) != 0 || !strstr (c.body, "\"collected\"")) {
            fprintf (stderr, "bench: the oldest ticket's status is wrong: %s\n",
                     c.body ? c.body : "");
            rc = -1;
        }
        bench_fig_add (rss1, (double)s_rss (br.pid) / 1024.0);
        bench_client_close (&c);
        zmq_ctx_term (zctx);
        bench_broker_stop (&br);
        bench_progress ("scale run %d/%d: start-up %.0f ms, RSS %.1f MB", r + 1, b->runs,
                        (double)ready / 1e6, rss1->runs[rss1->nruns - 1]);
    }
    bench_rmtree (data);
    return rc;
}
