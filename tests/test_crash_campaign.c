/*  test_crash_campaign.c — SIGKILL the broker at random moments under a mixed load, many
    times, and check from the replies the load received that nothing acknowledged is lost.

    The load plays every device in turn: a kiosk issues, a counter calls, starts and takes
    in a case, the back office reviews and approves it, a cabinet reports the deposit and
    the pickup. Every request is retried with the same request id until the broker answers
    (Lazy Pirate across the crashes), so a request whose commit survived but whose reply
    was lost is answered from its idempotency record, never applied twice. A killer thread
    SIGKILLs the broker after a random delay and restarts it, N times. At the end:
      - every acknowledged ticket exists with its number; every acknowledged case is at
        least as far as its last acknowledged step;
      - no ticket number was handed out twice in a day;
      - the event journal has no gap and no duplicate (entries = last sequence);
      - no cabinet slot holds two cases.
    It prints `kills=N acked=M lost=L duplicates=D`.

    `run_tests --crash-campaign [--kills N] [--seed S]` runs it on its own (scripts/crash-test);
    the crash_campaign suite runs a short one in `make test`. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto_client.h"
#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define MAX_OPS 20000

typedef struct {
    char kind;       //  't' ticket, 'c' case step
    char key[48];    //  token or case number
    char expect[32]; //  ticket number, or the case state reached
    int day;         //  business day of a ticket
} s_acked_t;

typedef struct {
    test_broker_t broker;
    int kills_wanted;
    atomic_int kills;
    atomic_bool done;
    unsigned seed;
    pthread_mutex_t lock; //  the broker struct while restarting
} s_campaign_t;

static void
s_nap_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep (&ts, NULL); //  the killer's random delay: when to strike, not a test wait
}

static void *
s_killer (void *arg)
{
    s_campaign_t *c = arg;
    unsigned seed = c->seed ^ 0x9e3779b9u;
    while (atomic_load (&c->kills) < c->kills_wanted) {
        s_nap_ms (40 + (int)(rand_r (&seed) % 400));
        pthread_mutex_lock (&c->lock);
        test_broker_stop (&c->broker, SIGKILL);
        atomic_fetch_add (&c->kills, 1);
        int rc = test_broker_restart (&c->broker);
        pthread_mutex_unlock (&c->lock);
        if (rc != 0) {
            fprintf (stderr, "crash campaign: the broker did not come back\n");
            break;
        }
    }
    atomic_store (&c->done, true);
    return NULL;
}

//  A call retried with one request id until the broker answers (up to ~60 s of outage).
static int
s_call (proto_client_t *client, const char *command, json_t *body, json_t **reply)
{
    char id[33];
    proto_request_id_new (id);
    int rc = PROTO_CLIENT_UNREACHABLE;
    for (int i = 0; i < 120 && rc == PROTO_CLIENT_UNREACHABLE; i++) {
        json_decref (*reply);
        *reply = NULL;
        rc = proto_client_call_id (client, command, body, id, reply);
    }
    json_decref (body);
    return rc;
}

static const char *
s_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

//  Order of case states, to compare "at least as far as".
static int
s_rank (const char *state)
{
    static const char *order[] = {"accepted", "in_review", "awaiting_pickup", "ready_for_pickup",
                                  "collected"};
    for (int i = 0; i < 5; i++)
        if (strcmp (order[i], state) == 0)
            return i;
    return -1;
}

//  The load as it goes: the replies acknowledged so far, to check at the end.
typedef struct {
    proto_client_t *client;
    s_acked_t *acked;
    int nacked;
    int slot; //  the next cabinet slot to fill
} s_load_t;

//  Remembers an acknowledged ticket (kind 't': its token, number, day) or case step ('c':
//  its number and the state it reached).
static void
s_ack (s_load_t *load, char kind, const char *key, const char *expect, int day)
{
    s_acked_t *a = &load->acked[load->nacked++];
    a->kind = kind;
    snprintf (a->key, sizeof a->key, "%s", key);
    snprintf (a->expect, sizeof a->expect, "%s", expect);
    a->day = day;
}

//  The counter takes a case in for the ticket it serves; its number into case_no ("" if
//  none was acknowledged). The same applicant each time: every case after the first
//  overrides the duplicate check, and the first is retried without that override.
static void
s_take_in (s_load_t *load, char *case_no, size_t size)
{
    json_t *r = NULL;
    json_t *body =
        json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s,s,s]}", "counter", 1, "item", "biz_setup",
                   "name", "压力测试", "id_number", "11010519491231002X", "phone", "13812345678",
                   "documents", "application", "articles", "rep_id", "address");
    json_t *overridden = json_deep_copy (body);
    json_object_set_new (
        overridden, "overrides",
        json_pack ("{s:s}", "duplicate", "crash campaign: the same applicant many times"));
    int rc = s_call (load->client, "case.accept", overridden, &r);
    if (rc == PROTO_ERR_CHECK_FAILED) {
        //  The first case of this applicant had no duplicate: retry without the override.
        json_decref (r);
        r = NULL;
        rc = s_call (load->client, "case.accept", json_incref (body), &r);
    }
    json_decref (body);
    *case_no = 0;
    if (rc == PROTO_ERR_OK) {
        snprintf (case_no, size, "%s", s_str (r, "case_no"));
        s_ack (load, 'c', case_no, "accepted", 0);
    }
    json_decref (r);
}

//  The back office and the cabinet take the case all the way: review, approve, deposit in
//  a slot of its own, collect.
static void
s_case_to_the_end (s_load_t *load, const char *case_no)
{
    const char *steps[][2] = {{"case.review", "in_review"},
                              {"case.approve", "awaiting_pickup"},
                              {"vault.deposited", "ready_for_pickup"},
                              {"vault.collected", "collected"}};
    char slot_name[16];
    snprintf (slot_name, sizeof slot_name, "S%04d", load->slot++);
    for (int s = 0; s < 4; s++) {
        json_t *r = NULL;
        json_t *body = json_pack ("{s:s}", "case_no", case_no);
        if (s >= 2) {
            json_object_set_new (body, "cabinet", json_string ("CR"));
            json_object_set_new (body, "slot", json_string (slot_name));
        }
        if (s == 3)
            json_object_set_new (body, "time", json_integer (0));
        if (s_call (load->client, steps[s][0], body, &r) == PROTO_ERR_OK)
            s_ack (load, 'c', case_no, steps[s][1], 0);
        json_decref (r);
    }
}

//  One round of the load: a kiosk issues; counter 1 (serving every service) calls, starts,
//  for every 3rd round takes in a case, and finishes; the case goes all the way.
static void
s_round (s_load_t *load, int i, unsigned *rnd)
{
    static const char *services[] = {"A", "B", "C", "D", "E", "F", "G"};
    json_t *r = NULL;
    int rc = s_call (load->client, "ticket.issue",
                     json_pack ("{s:s}", "service", services[rand_r (rnd) % 7]), &r);
    if (rc == PROTO_ERR_OK)
        s_ack (load, 't', s_str (r, "token"), s_str (r, "number"),
               (int)json_integer_value (json_object_get (r, "day")));
    json_decref (r);
    r = NULL;
    rc = s_call (load->client, "ticket.call_next", json_pack ("{s:i}", "counter", 1), &r);
    json_decref (r);
    r = NULL;
    if (rc != PROTO_ERR_OK)
        return;
    s_call (load->client, "ticket.start", json_pack ("{s:i}", "counter", 1), &r);
    json_decref (r);
    r = NULL;
    char case_no[48] = "";
    if (i % 3 == 0)
        s_take_in (load, case_no, sizeof case_no);
    s_call (load->client, "ticket.finish", json_pack ("{s:i}", "counter", 1), &r);
    json_decref (r);
    if (case_no[0])
        s_case_to_the_end (load, case_no);
}

//  Every acknowledged ticket exists with its number, none twice a day; every acknowledged
//  case is at least as far as its last acknowledged step. Adds to *lost and *dups.
static void
s_verdict_acked (const s_load_t *load, FILE *out, int *lost, int *dups)
{
    const s_acked_t *acked = load->acked;
    for (int i = 0; i < load->nacked; i++) {
        const s_acked_t *a = &acked[i];
        if (a->kind == 't') {
            json_t *st = NULL;
            int rc =
                s_call (load->client, "ticket.status", json_pack ("{s:s}", "token", a->key), &st);
            if (rc != PROTO_ERR_OK ||
                strcmp (s_str (json_object_get (st, "ticket"), "number"), a->expect) != 0) {
                fprintf (out, "lost: ticket %s (%s)\n", a->expect, a->key);
                (*lost)++;
            }
            json_decref (st);
            for (int j = i + 1; j < load->nacked; j++)
                if (acked[j].kind == 't' && acked[j].day == a->day &&
                    strcmp (acked[j].expect, a->expect) == 0) {
                    fprintf (out, "duplicate number %s on day %d\n", a->expect, a->day);
                    (*dups)++;
                }
        } else {
            json_t *cj = NULL;
            int rc = s_call (load->client, "case.get", json_pack ("{s:s}", "case_no", a->key), &cj);
            if (rc != PROTO_ERR_OK || s_rank (s_str (cj, "state")) < s_rank (a->expect)) {
                fprintf (out, "lost: case %s should be at least %s, is %s\n", a->key, a->expect,
                         s_str (cj, "state"));
                (*lost)++;
            }
            json_decref (cj);
        }
    }
}

//  The journal has as many entries as the last sequence number (no gap, no duplicate), and
//  no slot holds two cases (here all were collected, so none may still claim one). The
//  number of breaches.
static int
s_verdict_store (proto_client_t *client, const char *dir, FILE *out)
{
    int dups = 0;
    json_t *snap = NULL;
    s_call (client, "hall.snapshot", NULL, &snap);
    long long seq = json_integer_value (json_object_get (snap, "seq"));
    json_decref (snap);
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "mdb_stat -s events '%s/data' | awk '/Entries:/ {print $2}'", dir);
    int st;
    char *entries = test_run (cmd, &st);
    long long n = entries ? atoll (entries) : -1;
    free (entries);
    if (n != seq) {
        fprintf (out, "journal: %lld entries for last sequence %lld\n", n, seq);
        dups++;
    }
    json_t *queue = NULL;
    s_call (client, "case.queue", json_pack ("{s:s}", "state", "ready_for_pickup"), &queue);
    if (json_array_size (json_object_get (queue, "cases")) != 0) {
        fprintf (out, "cabinet: %zu cases still claim a slot\n",
                 json_array_size (json_object_get (queue, "cases")));
        dups++;
    }
    json_decref (queue);
    return dups;
}

int
crash_campaign (int kills, unsigned seed, FILE *out)
{
    static s_campaign_t c;
    memset (&c, 0, sizeof c);
    c.kills_wanted = kills;
    c.seed = seed;
    pthread_mutex_init (&c.lock, NULL);
    if (test_broker_start (&c.broker, NULL, 0) != 0)
        return -1;
    s_load_t load = {proto_client_new (c.broker.req), calloc (MAX_OPS, sizeof (s_acked_t)), 0, 0};
    proto_client_set_timeout (load.client, 500, 1);
    pthread_t killer;
    pthread_create (&killer, NULL, s_killer, &c);

    json_t *r = NULL;
    s_call (load.client, "counter.login", json_pack ("{s:i}", "counter", 1), &r);
    json_decref (r);
    unsigned rnd = seed;
    for (int i = 0; !atomic_load (&c.done) && load.nacked < MAX_OPS - 8; i++)
        s_round (&load, i, &rnd);
    atomic_store (&c.done, true);
    pthread_join (killer, NULL);

    //  The verdict, from a broker restarted after the last kill.
    proto_client_set_timeout (load.client, 5000, 3);
    int lost = 0, dups = 0;
    s_verdict_acked (&load, out, &lost, &dups);
    dups += s_verdict_store (load.client, c.broker.dir, out);
    int k = atomic_load (&c.kills);
    fprintf (out, "kills=%d acked=%d lost=%d duplicates=%d\n", k, load.nacked, lost, dups);
    fflush (out);
    proto_client_destroy (&load.client);
    test_broker_cleanup (&c.broker);
    free (load.acked);
    return (lost || dups || k < kills) ? 1 : 0;
}

static void
test_short_campaign (void)
{
    int kills = getenv ("OW_CRASH_KILLS") ? atoi (getenv ("OW_CRASH_KILLS")) : 20;
    printf ("\n    ");
    CU_ASSERT_EQUAL (crash_campaign (kills, 1, stdout), 0);
}

int
test_crash_campaign_suite (void)
{
    CU_pSuite s = CU_add_suite ("crash_campaign", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "20 SIGKILLs under a mixed load lose nothing acknowledged",
                 test_short_campaign);
    return 0;
}
