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
    char kind;          //  't' ticket, 'c' case step
    char key[48];       //  token or case number
    char expect[32];    //  ticket number, or the case state reached
    int day;            //  business day of a ticket
} s_acked_t;

typedef struct {
    test_broker_t broker;
    int kills_wanted;
    atomic_int kills;
    atomic_bool done;
    unsigned seed;
    pthread_mutex_t lock;   //  the broker struct while restarting
} s_campaign_t;

static void
s_nap_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000};
    nanosleep (&ts, NULL);  //  the killer's random delay: when to strike, not a test wait
}

static void *
s_killer (void *arg)
{
    s_campaign_t *c = arg;
    unsigned seed = c->seed ^ 0x9e3779b9u;
    while (atomic_load (&c->kills) < c->kills_wanted) {
        s_nap_ms (40 + (int) (rand_r (&seed) % 400));
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
    proto_client_t *client = proto_client_new (c.broker.req);
    proto_client_set_timeout (client, 500, 1);
    s_acked_t *acked = calloc (MAX_OPS, sizeof *acked);
    int nacked = 0, refused = 0;
    pthread_t killer;
    pthread_create (&killer, NULL, s_killer, &c);

    json_t *r = NULL;
    s_call (client, "counter.login", json_pack ("{s:i}", "counter", 1), &r);
    json_decref (r);
    r = NULL;
    const char *services[] = {"A", "B", "C", "D", "E", "F", "G"};
    unsigned rnd = seed;
    int slot = 0;
    for (int i = 0; !atomic_load (&c.done) && nacked < MAX_OPS - 8; i++) {
        int rc = s_call (client, "ticket.issue",
                         json_pack ("{s:s}", "service", services[rand_r (&rnd) % 7]), &r);
        if (rc == PROTO_ERR_OK) {
            s_acked_t *a = &acked[nacked++];
            a->kind = 't';
            snprintf (a->key, sizeof a->key, "%s", s_str (r, "token"));
            snprintf (a->expect, sizeof a->expect, "%s", s_str (r, "number"));
            a->day = (int) json_integer_value (json_object_get (r, "day"));
        }
        else if (rc != PROTO_CLIENT_UNREACHABLE)
            refused++;
        json_decref (r);
        r = NULL;
        //  Counter 1 serves every service: call, start, and for every 3rd take in a case.
        if (s_call (client, "ticket.call_next", json_pack ("{s:i}", "counter", 1), &r) != PROTO_ERR_OK) {
            json_decref (r);
            r = NULL;
            continue;
        }
        json_decref (r);
        r = NULL;
        s_call (client, "ticket.start", json_pack ("{s:i}", "counter", 1), &r);
        json_decref (r);
        r = NULL;
        char case_no[48] = "";
        if (i % 3 == 0) {
            rc = s_call (client, "case.accept",
                         json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s,s,s], s:{s:s}}", "counter", 1,
                                    "item", "biz_setup", "name", "压力测试", "id_number",
                                    "11010519491231002X", "phone", "13812345678", "documents",
                                    "application", "articles", "rep_id", "address", "overrides",
                                    "duplicate", "crash campaign: the same applicant many times"),
                         &r);
            if (rc == PROTO_ERR_OK) {
                snprintf (case_no, sizeof case_no, "%s", s_str (r, "case_no"));
                s_acked_t *a = &acked[nacked++];
                a->kind = 'c';
                snprintf (a->key, sizeof a->key, "%s", case_no);
                snprintf (a->expect, sizeof a->expect, "accepted");
            }
            else if (rc == PROTO_ERR_CHECK_FAILED) {
                //  The first case of this applicant had no duplicate: retry without the override.
                json_decref (r);
                r = NULL;
                rc = s_call (client, "case.accept",
                             json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s,s,s]}", "counter", 1, "item",
                                        "biz_setup", "name", "压力测试", "id_number",
                                        "11010519491231002X", "phone", "13812345678", "documents",
                                        "application", "articles", "rep_id", "address"),
                             &r);
                if (rc == PROTO_ERR_OK) {
                    snprintf (case_no, sizeof case_no, "%s", s_str (r, "case_no"));
                    s_acked_t *a = &acked[nacked++];
                    a->kind = 'c';
                    snprintf (a->key, sizeof a->key, "%s", case_no);
                    snprintf (a->expect, sizeof a->expect, "accepted");
                }
            }
            json_decref (r);
            r = NULL;
        }
        s_call (client, "ticket.finish", json_pack ("{s:i}", "counter", 1), &r);
        json_decref (r);
        r = NULL;
        if (!case_no[0])
            continue;
        //  The back office and the cabinet take the case all the way.
        const char *steps[][2] = {{"case.review", "in_review"},
                                  {"case.approve", "awaiting_pickup"},
                                  {"vault.deposited", "ready_for_pickup"},
                                  {"vault.collected", "collected"}};
        char slot_name[16];
        snprintf (slot_name, sizeof slot_name, "S%04d", slot++);
        for (int s = 0; s < 4; s++) {
            json_t *body = json_pack ("{s:s}", "case_no", case_no);
            if (s >= 2) {
                json_object_set_new (body, "cabinet", json_string ("CR"));
                json_object_set_new (body, "slot", json_string (slot_name));
            }
            if (s == 3)
                json_object_set_new (body, "time", json_integer (0));
            if (s_call (client, steps[s][0], body, &r) == PROTO_ERR_OK) {
                s_acked_t *a = &acked[nacked++];
                a->kind = 'c';
                snprintf (a->key, sizeof a->key, "%s", case_no);
                snprintf (a->expect, sizeof a->expect, "%s", steps[s][1]);
            }
            json_decref (r);
            r = NULL;
        }
    }
    atomic_store (&c.done, true);
    pthread_join (killer, NULL);

    //  The verdict, from a broker restarted after the last kill.
    proto_client_set_timeout (client, 5000, 3);
    int lost = 0, dups = 0;
    for (int i = 0; i < nacked; i++) {
        s_acked_t *a = &acked[i];
        if (a->kind == 't') {
            json_t *st = NULL;
            int rc = s_call (client, "ticket.status", json_pack ("{s:s}", "token", a->key), &st);
            if (rc != PROTO_ERR_OK
                || strcmp (s_str (json_object_get (st, "ticket"), "number"), a->expect) != 0) {
                fprintf (out, "lost: ticket %s (%s)\n", a->expect, a->key);
                lost++;
            }
            json_decref (st);
            for (int j = i + 1; j < nacked; j++)
                if (acked[j].kind == 't' && acked[j].day == a->day
                    && strcmp (acked[j].expect, a->expect) == 0) {
                    fprintf (out, "duplicate number %s on day %d\n", a->expect, a->day);
                    dups++;
                }
        }
        else {
            json_t *cj = NULL;
            int rc = s_call (client, "case.get", json_pack ("{s:s}", "case_no", a->key), &cj);
            if (rc != PROTO_ERR_OK || s_rank (s_str (cj, "state")) < s_rank (a->expect)) {
                fprintf (out, "lost: case %s should be at least %s, is %s\n", a->key, a->expect,
                         s_str (cj, "state"));
                lost++;
            }
            json_decref (cj);
        }
    }
    //  The journal: as many entries as the last sequence number (no gap, no duplicate).
    json_t *snap = NULL;
    s_call (client, "hall.snapshot", NULL, &snap);
    long long seq = json_integer_value (json_object_get (snap, "seq"));
    json_decref (snap);
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "mdb_stat -s events '%s/data' | awk '/Entries:/ {print $2}'",
              c.broker.dir);
    int st;
    char *entries = test_run (cmd, &st);
    long long n = entries ? atoll (entries) : -1;
    free (entries);
    if (n != seq) {
        fprintf (out, "journal: %lld entries for last sequence %lld\n", n, seq);
        dups++;
    }
    //  No slot holds two cases: every ready case has its own slot (here all were collected,
    //  so none may still claim one).
    json_t *queue = NULL;
    s_call (client, "case.queue", json_pack ("{s:s}", "state", "ready_for_pickup"), &queue);
    if (json_array_size (json_object_get (queue, "cases")) != 0) {
        fprintf (out, "cabinet: %zu cases still claim a slot\n", json_array_size (json_object_get (queue, "cases")));
        dups++;
    }
    json_decref (queue);
    int k = atomic_load (&c.kills);
    fprintf (out, "kills=%d acked=%d lost=%d duplicates=%d\n", k, nacked, lost, dups);
    fflush (out);
    proto_client_destroy (&client);
    test_broker_cleanup (&c.broker);
    free (acked);
    (void) refused;
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
    CU_add_test (s, "20 SIGKILLs under a mixed load lose nothing acknowledged", test_short_campaign);
    return 0;
}
