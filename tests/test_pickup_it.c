/*  test_pickup_it.c — the pickup code (取件码) on the broker's side, through the commands a
    cabinet and a citizen's page use: made when the door closes on a result
    (vault.deposited), read by the token's holder (ticket.status), accepted by
    vault.pickup_check at its own cabinet only, typed with or without spaces, given to the
    cabinet only as a hash (the pickup record of vault.deposited, vault.pickup_check and
    vault.sync), never in an event or another view, and refused once the result is
    collected or taken back. Also what the citizen reads at the cabinet and on the page: no
    internal state names after a recovery, the cabinet's Chinese name in Chinese text. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_msg.h"
#include "proto_token.h"
#include "test_util.h"
#include "tests.h"

//  Monday 2026-11-30 08:30 in Beijing.
#define T0 1795998600000LL

//  A company and an agent of their own for each result (an open application per company,
//  or person, and item is a duplicate): valid USCCs and ID numbers (their check characters
//  computed by the GB 32100 and GB 11643 rules).
static const char *const s_uscc[] = {
    "91350100M0001011X8", "91350100M0001022XY", "91350100M0001033XM",
    "91350100M0001044XC", "91350100M0001055X3", "91350100M0001066XR",
};
static const char *const s_agent[] = {
    "110105198002020128", "110105198002020144", "110105198002020160",
    "110105198002020187", "110105198002020208", "110105198002020224",
};
static size_t s_results;
#define CAB_NAME "一楼自助取件柜 / Self-service pickup cabinet, ground floor"

static test_broker_t s_broker;
static proto_client_t *s_client;

//  Sends a command, asserts its status, returns the reply (caller frees; never NULL).
static json_t *
s_call (const char *command, json_t *body, int expect)
{
    int code = -1;
    json_t *r = test_call (s_client, command, body, &code);
    CU_ASSERT_EQUAL (code, expect);
    if (code != expect)
        fprintf (stderr, "\n    %s gave %d: %s\n", command, code, proto_str (r, "message"));
    return r ? r : json_object ();
}

static void
s_ok (const char *command, json_t *body)
{
    json_decref (s_call (command, body, PROTO_ERR_OK));
}

//  A ticket of service D served at counter 4 and its result (发票领用, an immediate item
//  with a document to hand out) approved: awaiting pickup. Its token and case number.
static void
s_result (char *token, char *no)
{
    json_t *t = s_call ("ticket.issue", json_pack ("{s:s}", "service", "D"), PROTO_ERR_OK);
    snprintf (token, PROTO_TOKEN_LEN + 1, "%s", proto_str (t, "token"));
    json_decref (t);
    s_ok ("ticket.call_next", json_pack ("{s:i}", "counter", 4));
    s_ok ("ticket.start", json_pack ("{s:i}", "counter", 4));
    json_t *r =
        s_call ("case.accept",
                json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s]}", "counter", 4, "item", "invoice",
                           "name", "示例科技有限公司", "uscc", s_uscc[s_results % 6], "id_number",
                           s_agent[s_results % 6], "documents", "application", "agent_id"),
                PROTO_ERR_OK);
    snprintf (no, 48, "%s", proto_str (r, "case_no"));
    json_decref (r);
    s_results++;
    s_ok ("case.approve", json_pack ("{s:s}", "case_no", no));
    s_ok ("ticket.finish", json_pack ("{s:i}", "counter", 4));
}

//  The case of ticket.status for `token` (caller frees the whole reply in *status).
static const json_t *
s_status_case (const char *token, json_t **status)
{
    *status = s_call ("ticket.status", json_pack ("{s:s}", "token", token), PROTO_ERR_OK);
    return json_object_get (*status, "case");
}

//  The pickup code ticket.status shows for `token` into `code` ("" when none).
static void
s_code (const char *token, char *code)
{
    json_t *st;
    const json_t *c = s_status_case (token, &st);
    snprintf (code, 16, "%s", proto_str (json_object_get (c, "pickup"), "code"));
    json_decref (st);
}

static json_t *
s_check (const char *cabinet, const char *code, int expect)
{
    return s_call ("vault.pickup_check", json_pack ("{s:s, s:s}", "cabinet", cabinet, "code", code),
                   expect);
}

static int
s_init (void)
{
    if (test_broker_start (&s_broker, NULL, T0) != 0)
        return -1;
    s_client = test_client (&s_broker);
    if (!s_client)
        return -1;
    json_t *slots = json_pack ("[{s:s, s:s}, {s:s, s:s}]", "slot", "M01", "state", "free", "slot",
                               "M02", "state", "free");
    int code;
    json_decref (test_call (
        s_client, "vault.report",
        json_pack ("{s:s, s:s, s:o}", "cabinet", "CAB1", "name", CAB_NAME, "slots", slots), &code));
    json_decref (test_call (s_client, "counter.login",
                            json_pack ("{s:i, s:[s]}", "counter", 4, "services", "D"), &code));
    return code == PROTO_ERR_OK ? 0 : -1;
}

static int
s_clean (void)
{
    proto_client_destroy (&s_client);
    test_broker_cleanup (&s_broker);
    return 0;
}

//  The code appears with the deposit, for the token's holder; the cabinet's record has its
//  hash; the cabinet accepts it, typed as people type it, and no other cabinet does.
static void
test_code_at_deposit (void)
{
    char token[PROTO_TOKEN_LEN + 1], no[48], code[16];
    s_result (token, no);
    s_code (token, code);
    CU_ASSERT_STRING_EQUAL (code, ""); //  not in a cabinet yet
    json_t *d =
        s_call ("vault.deposited",
                json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", no, "slot", "M01"),
                PROTO_ERR_OK);
    const json_t *rec = json_object_get (d, "pickup");
    s_code (token, code);
    CU_ASSERT_EQUAL_FATAL (strlen (code), 8);
    CU_ASSERT_EQUAL (strspn (code, "0123456789"), 8);
    char hash[33];
    proto_token_pin_hash (no, code, hash);
    CU_ASSERT_STRING_EQUAL (proto_str (rec, "pickup_code_hash"), hash);
    char *text = json_dumps (d, JSON_COMPACT);
    CU_ASSERT_PTR_NULL (strstr (text, code));
    free (text);
    json_decref (d);

    //  The cabinet's name in two: Chinese for Chinese sentences, English beside it.
    json_t *st;
    const json_t *c = s_status_case (token, &st);
    const json_t *p = json_object_get (c, "pickup");
    CU_ASSERT_STRING_EQUAL (proto_str (p, "cabinet_name"), "一楼自助取件柜");
    CU_ASSERT_STRING_EQUAL (proto_str (p, "cabinet_name_en"),
                            "Self-service pickup cabinet, ground floor");
    const char *next = proto_str (c, "next_step");
    CU_ASSERT_PTR_NOT_NULL (strstr (next, "已存入一楼自助取件柜 M01 格口"));
    CU_ASSERT_PTR_NULL (strstr (next, "取件柜 / Self-service"));
    json_decref (st);

    //  Accepted at its cabinet, bare or grouped; the record is the token's.
    char spaced[32];
    snprintf (spaced, sizeof spaced, " %.4s %.4s\r\n", code, code + 4);
    const char *typed[] = {code, spaced};
    for (size_t i = 0; i < 2; i++) {
        json_t *r = s_check ("CAB1", typed[i], PROTO_ERR_OK);
        CU_ASSERT_STRING_EQUAL (proto_str (r, "case_no"), no);
        CU_ASSERT_STRING_EQUAL (proto_str (r, "slot"), "M01");
        CU_ASSERT_TRUE (json_is_false (json_object_get (r, "proxy")));
        CU_ASSERT_STRING_EQUAL (proto_str (r, "pickup_code_hash"), hash);
        CU_ASSERT_PTR_NOT_NULL (json_object_get (r, "pin_hash")); //  the second factor still
        json_decref (r);
    }
    //  Another code, another cabinet, a code too short or too long: nothing opens.
    char other[16];
    snprintf (other, sizeof other, "%08d", (atoi (code) + 1) % 100000000);
    json_decref (s_check ("CAB1", other, PROTO_ERR_UNKNOWN_CASE));
    json_decref (s_check ("CAB2", code, PROTO_ERR_UNKNOWN_CASE));
    json_decref (s_check ("CAB1", "1234567", PROTO_ERR_BAD_FIELD));
    json_decref (s_check ("CAB1", "123456789", PROTO_ERR_BAD_FIELD));
    //  The cabinet gets the same hash with its records, to work offline.
    json_t *sync = s_call ("vault.sync", json_pack ("{s:s}", "cabinet", "CAB1"), PROTO_ERR_OK);
    const json_t *first = json_array_get (json_object_get (sync, "pickups"), 0);
    CU_ASSERT_STRING_EQUAL (proto_str (first, "case_no"), no);
    CU_ASSERT_STRING_EQUAL (proto_str (first, "pickup_code_hash"), hash);
    json_decref (sync);
    //  A deposit reported again (a new request id) keeps the code.
    d = s_call ("vault.deposited",
                json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", no, "slot", "M01"),
                PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (json_object_get (d, "pickup"), "pickup_code_hash"), hash);
    json_decref (d);
    char again[16];
    s_code (token, again);
    CU_ASSERT_STRING_EQUAL (again, code);
}

//  The code is the token holder's only: no event, no snapshot, no staff view carries it.
static void
test_code_nowhere_else (void)
{
    test_sub_t *sub = test_sub_new (s_broker.pub, s_client);
    CU_ASSERT_PTR_NOT_NULL_FATAL (sub);
    char token[PROTO_TOKEN_LEN + 1], no[48], code[16];
    s_result (token, no);
    s_ok ("vault.deposited",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", no, "slot", "M02"));
    s_code (token, code);
    CU_ASSERT_EQUAL (strlen (code), 8);
    if (strlen (code) != 8)
        snprintf (code, sizeof code, "no code"); //  found nowhere: the assert above failed
    json_t *events = test_sub_until_now (sub, s_client);
    CU_ASSERT_PTR_NOT_NULL (events);
    char *text = json_dumps (events, JSON_COMPACT);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, no)); //  the events are there...
    CU_ASSERT_PTR_NULL (strstr (text, code));   //  ...the code is not
    free (text);
    json_decref (events);
    json_t *journal =
        s_call ("events.range", json_pack ("{s:i, s:i}", "from", 1, "limit", 1000), PROTO_ERR_OK);
    json_t *views[] = {
        journal,
        s_call ("case.get", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK),
        s_call ("case.queue", json_object (), PROTO_ERR_OK),
        s_call ("hall.snapshot", json_object (), PROTO_ERR_OK),
        s_call ("case.audit", json_pack ("{s:s}", "case_no", no), PROTO_ERR_OK),
    };
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        text = json_dumps (views[i], JSON_COMPACT);
        CU_ASSERT_PTR_NULL (text ? strstr (text, code) : NULL);
        if (text && strstr (text, code))
            fprintf (stderr, "\n    view %zu shows the pickup code\n", i);
        free (text);
        json_decref (views[i]);
    }
    test_sub_destroy (&sub);
}

//  Collected or taken back, the code opens nothing; what the citizen is told at the
//  cabinet names no internal state; a new deposit makes a new code.
static void
test_code_after (void)
{
    char t1[PROTO_TOKEN_LEN + 1], t2[PROTO_TOKEN_LEN + 1], n1[48], n2[48], c1[16], c2[16];
    s_result (t1, n1);
    s_result (t2, n2);
    //  Both in the cabinet, slots freed by the earlier tests' results first.
    json_t *sync = s_call ("vault.sync", json_pack ("{s:s}", "cabinet", "CAB1"), PROTO_ERR_OK);
    size_t i;
    json_t *rec;
    json_array_foreach (json_object_get (sync, "pickups"), i, rec)
        s_ok ("vault.collected", json_pack ("{s:s, s:s, s:s, s:I}", "cabinet", "CAB1", "case_no",
                                            proto_str (rec, "case_no"), "slot",
                                            proto_str (rec, "slot"), "time", (json_int_t)T0));
    json_decref (sync);
    s_ok ("vault.deposited",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", n1, "slot", "M01"));
    s_ok ("vault.deposited",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", n2, "slot", "M02"));
    s_code (t1, c1);
    s_code (t2, c2);
    CU_ASSERT_EQUAL_FATAL (strlen (c1), 8);
    CU_ASSERT_EQUAL_FATAL (strlen (c2), 8);
    CU_ASSERT_STRING_NOT_EQUAL (c1, c2); //  unique in the cabinet

    //  Collected: the code opens nothing, the page shows none.
    s_ok ("vault.collected", json_pack ("{s:s, s:s, s:s, s:I}", "cabinet", "CAB1", "case_no", n1,
                                        "slot", "M01", "time", (json_int_t)T0));
    json_decref (s_check ("CAB1", c1, PROTO_ERR_UNKNOWN_CASE));
    char none[16];
    s_code (t1, none);
    CU_ASSERT_STRING_EQUAL (none, "");
    //  Its token: "collected at", in words.
    json_t *r = s_check ("CAB1", t1, PROTO_ERR_WRONG_STATE);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "message"), "领取 / collected at"));
    json_decref (r);

    //  Taken back by staff: the code opens nothing; the slip is told to go to a counter, in
    //  words, not "awaiting_pickup, not ready_for_pickup".
    s_ok ("vault.recovered",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", n2, "slot", "M02"));
    json_decref (s_check ("CAB1", c2, PROTO_ERR_UNKNOWN_CASE));
    r = s_check ("CAB1", t2, PROTO_ERR_WRONG_STATE);
    const char *msg = proto_str (r, "message");
    CU_ASSERT_PTR_NOT_NULL (strstr (msg, "本件请到窗口领取"));
    CU_ASSERT_PTR_NULL (strstr (msg, "_pickup"));
    json_decref (r);
    s_code (t2, none);
    CU_ASSERT_STRING_EQUAL (none, "");
    //  Put back in: a new code; the old one stays dead (unless drawn again, 1 in 10^8).
    s_ok ("vault.deposited",
          json_pack ("{s:s, s:s, s:s}", "cabinet", "CAB1", "case_no", n2, "slot", "M01"));
    char c3[16];
    s_code (t2, c3);
    CU_ASSERT_EQUAL (strlen (c3), 8);
    if (strcmp (c3, c2) != 0)
        json_decref (s_check ("CAB1", c2, PROTO_ERR_UNKNOWN_CASE));
    r = s_check ("CAB1", c3, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (proto_str (r, "slot"), "M01");
    json_decref (r);
    //  In another cabinet than the one asked: said with the cabinet's name, no state.
    r = s_check ("CAB2", t2, PROTO_ERR_WRONG_STATE);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "message"), "本件存放在一楼自助取件柜"));
    json_decref (r);
}

int
test_pickup_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("pickup_it", s_init, s_clean);
    if (!s)
        return -1;
    if (!CU_add_test (s, "the pickup code: made at the deposit, accepted at its cabinet",
                      test_code_at_deposit) ||
        !CU_add_test (s, "the pickup code is in no event or other view", test_code_nowhere_else) ||
        !CU_add_test (s, "collected or recovered: the code refused; words, not states",
                      test_code_after))
        return -1;
    return 0;
}
