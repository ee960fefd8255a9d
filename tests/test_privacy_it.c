/*  test_privacy_it.c — names, ID and phone numbers never leave unmasked where they are not
    for the back office: not in the broker's log, not in any event of the journal (what
    events.range returns, and the raw store), not in a citizen's status, not in the queue,
    the audit or the snapshot; and no masked ID number shows its last 4 characters, the
    cabinet's second factor. (The SMS outbox holds the phone number: it is the message's
    address; case.get shows the applicant whole to the counter and the office.) */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_msg.h"
#include "test_util.h"
#include "tests.h"

#define T0     1795827600000LL
#define ID     "11010519491231002X"
#define ID_BAD "110105194912310021"
#define PHONE  "13812345678"
#define NAME   "李小明"
//  The proxy (代领) and the passport the clerk checks at hand-out.
#define PROXY    "王大力"
#define PASSPORT "EA7654321"

//  What must not show, and what it is; a masked ID showing its tail is "*" then the tail.
static const char *const s_secrets[][2] = {
    {ID, "an ID number"},
    {ID_BAD, "an ID number"},
    {PASSPORT, "a passport number"},
    {PHONE, "a phone number"},
    {NAME, "the applicant's name"},
    {PROXY, "the proxy's name"},
    {"*002X", "an ID number's last 4 characters (the pickup factor)"},
    {"*0021", "an ID number's last 4 characters (the pickup factor)"},
    {"*4321", "a passport's last 4 characters"},
};

static void
s_absent (const char *where, const char *text)
{
    for (size_t i = 0; i < sizeof s_secrets / sizeof s_secrets[0]; i++) {
        bool shown = text && strstr (text, s_secrets[i][0]);
        if (shown)
            fprintf (stderr, "\n    %s shows %s unmasked\n", where, s_secrets[i][1]);
        CU_ASSERT_FALSE (shown);
    }
}

static void
test_masked_everywhere (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    proto_client_t *c = test_client (&b);
    json_t *t = test_call (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), NULL);
    char token[64];
    snprintf (token, sizeof token, "%s", json_string_value (json_object_get (t, "token")));
    json_decref (t);
    json_decref (test_call (c, "counter.login", json_pack ("{s:i}", "counter", 3), NULL));
    json_decref (test_call (c, "ticket.call_next", json_pack ("{s:i}", "counter", 3), NULL));
    json_decref (test_call (c, "ticket.start", json_pack ("{s:i}", "counter", 3), NULL));
    //  A refused intake with a wrong ID (its error body lists the checks), then the case.
    json_t *body = json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s,s,s]}", "counter", 3, "item",
                              "biz_setup", "name", NAME, "id_number", ID_BAD, "phone", PHONE,
                              "documents", "application", "articles", "rep_id", "address");
    int code;
    json_t *r = test_call (c, "case.accept", json_deep_copy (body), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_CHECK_FAILED);
    char *text = json_dumps (r, 0);
    s_absent ("a check_failed reply", text);
    free (text);
    json_decref (r);
    json_object_set_new (body, "id_number", json_string (ID));
    r = test_call (c, "case.accept", body, &code);
    CU_ASSERT_EQUAL_FATAL (code, PROTO_ERR_OK);
    char case_no[48];
    snprintf (case_no, sizeof case_no, "%s", json_string_value (json_object_get (r, "case_no")));
    text = json_dumps (r, 0);
    s_absent ("the intake's reply", text);
    free (text);
    json_decref (r);
    json_decref (test_call (c, "case.review", json_pack ("{s:s}", "case_no", case_no), NULL));
    json_decref (test_call (c, "case.approve", json_pack ("{s:s}", "case_no", case_no), NULL));
    //  A proxy with a passport, who collects at the counter showing it.
    r = test_call (c, "case.authorize_proxy",
                   json_pack ("{s:s, s:s, s:s, s:s}", "token", token, "proxy_name", PROXY,
                              "proxy_id_number", PASSPORT, "proxy_id_type", "passport"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    text = json_dumps (r, 0);
    s_absent ("case.authorize_proxy's reply", text);
    free (text);
    json_decref (r);
    r = test_call (c, "case.hand_out",
                   json_pack ("{s:s, s:i, s:s, s:s}", "case_no", case_no, "counter", 3, "id_number",
                              PASSPORT, "id_type", "passport"),
                   &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_object_get (json_object_get (r, "collected_at"), "collector")),
        "proxy");
    json_decref (r);

    //  The citizen's status, the office queue, the audit, the snapshot: masked.
    const char *reads[][2] = {{"ticket.status", "token"},
                              {"case.queue", NULL},
                              {"case.audit", "case_no"},
                              {"hall.snapshot", NULL}};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        json_t *q = reads[i][1] ? json_pack ("{s:s}", reads[i][1],
                                             strcmp (reads[i][1], "token") == 0 ? token : case_no)
                                : json_object ();
        r = test_call (c, reads[i][0], q, &code);
        CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
        text = json_dumps (r, 0);
        s_absent (reads[i][0], text);
        free (text);
        json_decref (r);
    }
    //  case.get is for the counter and the back office: there the people are whole.
    r = test_call (c, "case.get", json_pack ("{s:s}", "case_no", case_no), NULL);
    text = json_dumps (r, 0);
    CU_ASSERT_PTR_NOT_NULL (text && strstr (text, ID));
    CU_ASSERT_PTR_NOT_NULL (text && strstr (text, NAME));
    CU_ASSERT_PTR_NOT_NULL (text && strstr (text, PROXY));
    CU_ASSERT_PTR_NOT_NULL (text && strstr (text, PASSPORT));
    free (text);
    json_decref (r);
    //  Every event in the journal.
    r = test_call (c, "events.range", json_pack ("{s:i}", "from", 1), NULL);
    CU_ASSERT (json_array_size (json_object_get (r, "events")) >= 8);
    text = json_dumps (r, 0);
    s_absent ("the event journal", text);
    free (text);
    json_decref (r);
    //  And the raw store's events database, and the broker's log.
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "mdb_dump -p -s events '%s/data'", b.dir);
    int st;
    text = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    s_absent ("mdb_dump of events", text);
    free (text);
    proto_client_destroy (&c);
    test_broker_stop (&b, SIGTERM);
    text = test_read_file (b.log);
    CU_ASSERT_PTR_NOT_NULL (text);
    s_absent ("the broker's log", text);
    free (text);
    test_broker_cleanup (&b);
}

int
test_privacy_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("privacy_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "names, ID and phone numbers masked in logs, events, status, queue",
                 test_masked_everywhere);
    return 0;
}
