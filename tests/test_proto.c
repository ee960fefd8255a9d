/*  test_proto.c — protocol/proto_msg: the tables generated from proto_table.h, request
    decoding with frames built in memory, field validation against every command's own
    spec, error bodies, UTF-8 clipping and request ids. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_msg.h"
#include "tests.h"

//  A string member for comparisons; never NULL, so a missing member fails instead of crashing.
static const char *
s_jstr (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "(missing)";
}

#define S_RID "req-0001"

//  Decodes [sig, cmd, rid, body] (NUL-terminated strings) as four frames.
static proto_err_t
s_decode (const char *sig, const char *cmd, const char *rid, const char *body, proto_request_t *req,
          char *why, size_t why_size)
{
    proto_frame_t frames[4] = {
        {sig, strlen (sig)}, {cmd, strlen (cmd)}, {rid, strlen (rid)}, {body, strlen (body)}};
    return proto_request_decode (frames, 4, req, why, why_size);
}

//  A ticket.issue request with `body`; checks the request id was echoed.
static proto_err_t
s_issue (const char *body, char *why, size_t why_size)
{
    proto_request_t req;
    proto_err_t err = s_decode (PROTO_SIGNATURE, "ticket.issue", S_RID, body, &req, why, why_size);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    proto_request_reset (&req);
    CU_ASSERT_PTR_NULL (req.body);
    return err;
}

static bool
s_printable (const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

//  ---------------------------------------------------------------------------------------

static void
test_command_table (void)
{
    CU_ASSERT_TRUE_FATAL (PROTO_CMD_COUNT > 0);
    for (int i = 0; i < PROTO_CMD_COUNT; i++) {
        const proto_command_t *cmd = proto_command ((proto_cmd_t)i);
        CU_ASSERT_PTR_NOT_NULL_FATAL (cmd->name);
        CU_ASSERT_EQUAL (proto_command_lookup (cmd->name, strlen (cmd->name)), i);
        CU_ASSERT_TRUE (cmd->roles != 0);
        CU_ASSERT_TRUE (cmd->flags == PROTO_READ || cmd->flags == PROTO_WRITE);
        CU_ASSERT_TRUE (cmd->summary && cmd->summary[0]);
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL (proto_command ((proto_cmd_t)j)->name, cmd->name);
        //  A name followed by more bytes is another name.
        char longer[80];
        snprintf (longer, sizeof longer, "%sx", cmd->name);
        CU_ASSERT_EQUAL (proto_command_lookup (longer, strlen (longer)), -1);
        //  And a strict prefix of it is unknown too.
        CU_ASSERT_EQUAL (proto_command_lookup (cmd->name, strlen (cmd->name) - 1), -1);
    }
    CU_ASSERT_EQUAL (proto_command_lookup ("ticket.issue", 12), PROTO_CMD_TICKET_ISSUE);
    //  The length is honoured: the name need not be NUL-terminated.
    CU_ASSERT_EQUAL (proto_command_lookup ("ticket.issue!!", 12), PROTO_CMD_TICKET_ISSUE);
    CU_ASSERT_EQUAL (proto_command_lookup ("hall.info", 9), PROTO_CMD_HALL_INFO);
    CU_ASSERT_EQUAL (proto_command_lookup ("TICKET.ISSUE", 12), -1);
    CU_ASSERT_EQUAL (proto_command_lookup ("ticket.nope", 11), -1);
    CU_ASSERT_EQUAL (proto_command_lookup ("", 0), -1);
    CU_ASSERT_STRING_EQUAL (proto_command (PROTO_CMD_TICKET_ISSUE)->name, "ticket.issue");
    CU_ASSERT_STRING_EQUAL (proto_command (PROTO_CMD_TICKET_ISSUE)->fields,
                            "service:s priority:s?");
    CU_ASSERT_EQUAL (proto_command (PROTO_CMD_TICKET_ISSUE)->flags, PROTO_WRITE);
    CU_ASSERT_EQUAL (proto_command (PROTO_CMD_TICKET_STATUS)->flags, PROTO_READ);
    unsigned issue = proto_command (PROTO_CMD_TICKET_ISSUE)->roles;
    CU_ASSERT_TRUE (issue & (1u << PROTO_ROLE_KIOSK));
    CU_ASSERT_FALSE (issue & (1u << PROTO_ROLE_COUNTER));
    CU_ASSERT_FALSE (issue & (1u << PROTO_ROLE_BOARD));
    CU_ASSERT_EQUAL (proto_command (PROTO_CMD_CLOCK_ADVANCE)->roles, 1u << PROTO_ROLE_ADMIN);
}

static void
test_error_table (void)
{
    for (int i = 0; i < PROTO_ERR_COUNT; i++) {
        const char *code = proto_err_code ((proto_err_t)i);
        CU_ASSERT_PTR_NOT_NULL_FATAL (code);
        CU_ASSERT_EQUAL (proto_err_lookup (code), i);
        CU_ASSERT_TRUE (proto_err_desc ((proto_err_t)i)[0] != 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL (proto_err_code ((proto_err_t)j), code);
    }
    CU_ASSERT_STRING_EQUAL (proto_err_code (PROTO_ERR_OK), "ok");
    CU_ASSERT_STRING_EQUAL (proto_err_code (PROTO_ERR_BAD_FRAME), "bad_frame");
    CU_ASSERT_STRING_EQUAL (proto_err_code (PROTO_ERR_STORE_FAILED), "store_failed");
    CU_ASSERT_EQUAL (proto_err_lookup ("bad_json"), PROTO_ERR_BAD_JSON);
    CU_ASSERT_EQUAL (proto_err_lookup ("no_such_error"), -1);
    CU_ASSERT_EQUAL (proto_err_lookup (""), -1);
    CU_ASSERT_EQUAL (proto_err_lookup ("OK"), -1);
    //  Out-of-range values read as internal.
    CU_ASSERT_STRING_EQUAL (proto_err_code (PROTO_ERR_COUNT), "internal");
    CU_ASSERT_STRING_EQUAL (proto_err_code ((proto_err_t)-1), "internal");
    CU_ASSERT_TRUE (proto_err_desc (PROTO_ERR_COUNT)[0] != 0);
}

static void
test_roles_and_events (void)
{
    for (int i = 0; i < PROTO_ROLE_COUNT; i++) {
        const char *name = proto_role_name ((proto_role_t)i);
        CU_ASSERT_EQUAL (proto_role_lookup (name), i);
        CU_ASSERT_TRUE (proto_role_desc ((proto_role_t)i)[0] != 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL (proto_role_name ((proto_role_t)j), name);
    }
    CU_ASSERT_EQUAL (PROTO_ROLE_COUNT, 8);
    CU_ASSERT_EQUAL (proto_role_lookup ("kiosk"), PROTO_ROLE_KIOSK);
    CU_ASSERT_EQUAL (proto_role_lookup ("admin"), PROTO_ROLE_ADMIN);
    CU_ASSERT_EQUAL (proto_role_lookup ("Kiosk"), -1);
    CU_ASSERT_EQUAL (proto_role_lookup ("root"), -1);
    CU_ASSERT_EQUAL (proto_role_lookup (""), -1);
    CU_ASSERT_STRING_EQUAL (proto_role_name (PROTO_ROLE_COUNT), "?");
    CU_ASSERT_STRING_EQUAL (proto_role_name ((proto_role_t)-1), "?");
    CU_ASSERT_STRING_EQUAL (proto_role_desc (PROTO_ROLE_COUNT), "?");
    //  R_ANY covers every role.
    for (int i = 0; i < PROTO_ROLE_COUNT; i++)
        CU_ASSERT_TRUE (R_ANY & (1u << i));
    for (int i = 0; i < PROTO_EVT_COUNT; i++) {
        const char *topic = proto_evt_topic ((proto_evt_t)i);
        CU_ASSERT_TRUE (topic && topic[0]);
        CU_ASSERT_EQUAL (proto_evt_lookup (topic), i);
        CU_ASSERT_TRUE (proto_evt_summary ((proto_evt_t)i)[0] != 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL (proto_evt_topic ((proto_evt_t)j), topic);
    }
    CU_ASSERT_STRING_EQUAL (proto_evt_topic (PROTO_EVT_HALL_DAY), "hall.day");
    CU_ASSERT_STRING_EQUAL (proto_evt_topic (PROTO_EVT_COUNT), "?");
    CU_ASSERT_EQUAL (proto_evt_lookup ("hall.night"), -1);
    CU_ASSERT_EQUAL (proto_evt_lookup (NULL), -1);
}

//  Every event declares its fields: each has a name, a type and a meaning, none twice, none
//  that is also a common field; and the enum's order is the table's.
static void
test_event_fields (void)
{
    proto_field_t f, g;
    size_t ncommon = 0;
    for (; proto_evt_common_field (ncommon, &f); ncommon++)
        CU_ASSERT_TRUE (f.type && f.meaning[0]);
    CU_ASSERT_EQUAL (ncommon, 5);
    CU_ASSERT_TRUE (proto_evt_common_field (3, &f) && strcmp (f.name, "by_device") == 0 &&
                    f.optional);
    for (int i = 0; i < PROTO_EVT_COUNT; i++) {
        size_t n = 0;
        for (; proto_evt_field ((proto_evt_t)i, n, &f); n++) {
            CU_ASSERT_TRUE (f.name[0] && f.meaning && f.meaning[0]);
            CU_ASSERT_TRUE (f.type ? strchr ("sibaon", f.type) != NULL : f.name[0] == '*');
            for (size_t m = 0; m < n && proto_evt_field ((proto_evt_t)i, m, &g); m++)
                CU_ASSERT_STRING_NOT_EQUAL (g.name, f.name);
            for (size_t m = 0; proto_evt_common_field (m, &g); m++)
                CU_ASSERT_STRING_NOT_EQUAL (g.name, f.name);
        }
        CU_ASSERT_TRUE (n >= 1);
    }
    CU_ASSERT_TRUE (proto_evt_field (PROTO_EVT_TICKET_ISSUED, 1, &f) &&
                    strcmp (f.name, "ahead") == 0 && f.type == 'i' && !f.optional);
    CU_ASSERT_TRUE (proto_evt_field (PROTO_EVT_CLOCK_ADVANCED, 1, &f) &&
                    strcmp (f.name, "now") == 0);
    CU_ASSERT_FALSE (proto_evt_field (PROTO_EVT_CLOCK_ADVANCED, 2, &f));
    CU_ASSERT_FALSE (proto_evt_field (PROTO_EVT_COUNT, 0, &f));
    //  The spec reader the validator and the tables share.
    const char *spec = "counter:i ticket:s? ";
    CU_ASSERT_TRUE (proto_spec_next (&spec, &f) && strcmp (f.name, "counter") == 0 &&
                    f.type == 'i' && !f.optional);
    CU_ASSERT_TRUE (proto_spec_next (&spec, &f) && strcmp (f.name, "ticket") == 0 && f.optional);
    CU_ASSERT_FALSE (proto_spec_next (&spec, &f));
    CU_ASSERT_STRING_EQUAL (proto_type_name ('a'), "array");
}

static int
s_event_ok (proto_evt_t evt, const char *body_json, char *why, size_t size)
{
    json_t *body = json_loads (body_json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (body);
    int rc = proto_event_check (evt, body, why, size);
    json_decref (body);
    return rc;
}

static void
test_event_check (void)
{
    char why[200];
    const char *base = "\"seq\":3,\"time\":1795832400000,\"topic\":\"ticket.issued\"";
    char text[512];
    snprintf (text, sizeof text, "{%s,\"ticket\":{},\"ahead\":0,\"est_wait_s\":null}", base);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_TICKET_ISSUED, text, why, sizeof why), 0);
    //  Who did it, on a CURVE broker.
    snprintf (text, sizeof text,
              "{%s,\"ticket\":{},\"ahead\":0,\"by_device\":\"取号机1\",\"device_key\":\"k\"}",
              base);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_TICKET_ISSUED, text, why, sizeof why), 0);
    //  A field the table does not declare.
    snprintf (text, sizeof text, "{%s,\"ticket\":{},\"ahead\":0,\"token\":\"X\"}", base);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_TICKET_ISSUED, text, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "ticket.issued has no field \"token\""));
    //  A required one missing, or null.
    snprintf (text, sizeof text, "{%s,\"ticket\":{},\"ahead\":null}", base);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_TICKET_ISSUED, text, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "needs field \"ahead\" (an integer)"));
    //  A wrong type; an event's string may be empty, a command's may not.
    snprintf (text, sizeof text, "{%s,\"ticket\":{},\"ahead\":\"0\"}", base);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_TICKET_ISSUED, text, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "field \"ahead\" must be an integer"));
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_TICKET_CANCELLED,
                                 "{\"seq\":1,\"time\":0,\"topic\":\"ticket.cancelled\","
                                 "\"ticket\":{},\"reason\":\"\"}",
                                 why, sizeof why),
                     0);
    //  The body of another topic, a missing topic, not an object.
    CU_ASSERT_EQUAL (
        s_event_ok (PROTO_EVT_HALL_DAY,
                    "{\"seq\":1,\"time\":0,\"topic\":\"clock.advanced\",\"day\":20261128}", why,
                    sizeof why),
        -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "clock.advanced"));
    CU_ASSERT_EQUAL (
        s_event_ok (PROTO_EVT_HALL_DAY, "{\"seq\":1,\"time\":0,\"day\":20261128}", why, sizeof why),
        -1);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_HALL_DAY, "[]", why, sizeof why), -1);
    CU_ASSERT_EQUAL (s_event_ok (PROTO_EVT_COUNT, "{}", why, sizeof why), -1);
    //  A cabinet's alarm is published as sent: unknown fields pass, declared ones are typed.
    CU_ASSERT_EQUAL (
        s_event_ok (PROTO_EVT_VAULT_ALARM,
                    "{\"seq\":1,\"time\":0,\"topic\":\"vault.alarm\",\"cabinet\":\"C\","
                    "\"alarm\":\"ajar\",\"temperature\":41}",
                    why, sizeof why),
        0);
    CU_ASSERT_EQUAL (
        s_event_ok (PROTO_EVT_VAULT_ALARM,
                    "{\"seq\":1,\"time\":0,\"topic\":\"vault.alarm\",\"cabinet\":\"C\","
                    "\"slot\":7}",
                    why, sizeof why),
        -1);
}

static void
test_decode_valid (void)
{
    proto_request_t req;
    char why[256] = "";
    proto_err_t err =
        s_decode (PROTO_SIGNATURE, "ticket.issue", S_RID,
                  "{\"service\":\"A\",\"priority\":\"green\"}", &req, why, sizeof why);
    CU_ASSERT_EQUAL (err, PROTO_ERR_OK);
    CU_ASSERT_EQUAL (req.cmd, PROTO_CMD_TICKET_ISSUE);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    CU_ASSERT_PTR_NOT_NULL_FATAL (req.body);
    CU_ASSERT_STRING_EQUAL (s_jstr (req.body, "service"), "A");
    CU_ASSERT_STRING_EQUAL (s_jstr (req.body, "priority"), "green");
    proto_request_reset (&req);
    CU_ASSERT_PTR_NULL (req.body);
    CU_ASSERT_EQUAL (req.cmd, -1);
    CU_ASSERT_STRING_EQUAL (req.request_id, "");
    //  A command without fields takes an empty object; whitespace around JSON is fine.
    err = s_decode (PROTO_SIGNATURE, "hall.info", "x", " {} \n", &req, why, sizeof why);
    CU_ASSERT_EQUAL (err, PROTO_ERR_OK);
    CU_ASSERT_EQUAL (req.cmd, PROTO_CMD_HALL_INFO);
    CU_ASSERT_STRING_EQUAL (req.request_id, "x");
    proto_request_reset (&req);
    //  Chinese in a string value is fine.
    err = s_decode (PROTO_SIGNATURE, "ticket.cancel", S_RID,
                    "{\"token\":\"T\",\"reason\":\"群众离开\"}", &req, why, sizeof why);
    CU_ASSERT_EQUAL (err, PROTO_ERR_OK);
    proto_request_reset (&req);
    //  Frames need not be NUL-terminated: only `size` bytes count.
    const char buf[] = "OW1Xticket.issueX" S_RID "X{\"service\":\"B\"}X";
    proto_frame_t frames[4] = {
        {buf, 3}, {buf + 4, 12}, {buf + 17, strlen (S_RID)}, {buf + 18 + strlen (S_RID), 15}};
    err = proto_request_decode (frames, 4, &req, why, sizeof why);
    CU_ASSERT_EQUAL (err, PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    CU_ASSERT_STRING_EQUAL (s_jstr (req.body, "service"), "B");
    proto_request_reset (&req);
}

static void
test_decode_frame_count (void)
{
    proto_request_t req;
    char why[256] = "";
    proto_frame_t frames[5] = {{PROTO_SIGNATURE, 3},
                               {"ticket.issue", 12},
                               {S_RID, strlen (S_RID)},
                               {"{\"service\":\"A\"}", 15},
                               {"extra", 5}};
    CU_ASSERT_EQUAL (proto_request_decode (frames, 3, &req, why, sizeof why), PROTO_ERR_BAD_FRAME);
    //  The third frame is a fine request id, but a 3-frame message has no request id.
    CU_ASSERT_STRING_EQUAL (req.request_id, "");
    CU_ASSERT_PTR_NULL (req.body);
    CU_ASSERT_EQUAL (req.cmd, -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "got 3"));
    proto_request_reset (&req);
    CU_ASSERT_EQUAL (proto_request_decode (frames, 5, &req, why, sizeof why), PROTO_ERR_BAD_FRAME);
    CU_ASSERT_PTR_NULL (req.body);
    CU_ASSERT_STRING_EQUAL (req.request_id, ""); //  PROTOCOL.md 2.9: empty id on bad_frame
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "got 5"));
    proto_request_reset (&req);
    CU_ASSERT_EQUAL (proto_request_decode (frames, 1, &req, why, sizeof why), PROTO_ERR_BAD_FRAME);
    CU_ASSERT_STRING_EQUAL (req.request_id, "");
    proto_request_reset (&req);
    CU_ASSERT_EQUAL (proto_request_decode (frames, 0, &req, NULL, 0), PROTO_ERR_BAD_FRAME);
    proto_request_reset (&req);
    CU_ASSERT_EQUAL (proto_request_decode (frames, 4, &req, why, sizeof why), PROTO_ERR_OK);
    proto_request_reset (&req);
}

static void
test_decode_signature (void)
{
    const char *bad[] = {"OW2", "OW", "ow1", "OW1 ", "", "OW10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        proto_request_t req;
        char why[256] = "";
        CU_ASSERT_EQUAL (
            s_decode (bad[i], "ticket.issue", S_RID, "{\"service\":\"A\"}", &req, why, sizeof why),
            PROTO_ERR_BAD_SIGNATURE);
        CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
        CU_ASSERT_PTR_NULL (req.body);
        CU_ASSERT_PTR_NOT_NULL (strstr (why, PROTO_SIGNATURE));
        proto_request_reset (&req);
    }
    //  The signature with a trailing NUL byte is 4 bytes: not the signature.
    proto_frame_t frames[4] = {{"OW1", 4}, {"hall.info", 9}, {S_RID, 8}, {"{}", 2}};
    proto_request_t req;
    CU_ASSERT_EQUAL (proto_request_decode (frames, 4, &req, NULL, 0), PROTO_ERR_BAD_SIGNATURE);
    proto_request_reset (&req);
}

static void
test_decode_request_id (void)
{
    char rid64[65], rid65[66];
    memset (rid64, 'r', 64);
    rid64[64] = 0;
    memset (rid65, 'r', 65);
    rid65[65] = 0;
    const char *bad[] = {"", rid65, "a\x01", "tab\there", "del\x7f", "caf\xc3\xa9", "line\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        proto_request_t req;
        char why[256] = "";
        CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "ticket.issue", bad[i], "{\"service\":\"A\"}",
                                   &req, why, sizeof why),
                         PROTO_ERR_BAD_REQUEST_ID);
        CU_ASSERT_STRING_EQUAL (req.request_id, "");
        CU_ASSERT_PTR_NULL (req.body);
        CU_ASSERT_PTR_NOT_NULL (strstr (why, "64"));
        proto_request_reset (&req);
        CU_ASSERT_FALSE (proto_request_id_valid (bad[i], strlen (bad[i])));
    }
    //  An embedded NUL byte is not printable either.
    CU_ASSERT_FALSE (proto_request_id_valid ("ab\0cd", 5));
    proto_frame_t frames[4] = {{"OW1", 3}, {"hall.info", 9}, {"ab\0cd", 5}, {"{}", 2}};
    proto_request_t req;
    CU_ASSERT_EQUAL (proto_request_decode (frames, 4, &req, NULL, 0), PROTO_ERR_BAD_REQUEST_ID);
    CU_ASSERT_STRING_EQUAL (req.request_id, "");
    proto_request_reset (&req);
    //  64 bytes is the longest valid id; every printable ASCII byte but space is allowed.
    char why[256];
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "hall.info", rid64, "{}", &req, why, sizeof why),
                     PROTO_ERR_OK);
    CU_ASSERT_STRING_EQUAL (req.request_id, rid64);
    proto_request_reset (&req);
    CU_ASSERT_TRUE (proto_request_id_valid ("!~{}\"'\\", 7));
    CU_ASSERT_TRUE (proto_request_id_valid ("a", 1));
}

static void
test_decode_unknown_command (void)
{
    proto_request_t req;
    char why[256] = "";
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "ticket.nope", S_RID, "{}", &req, why, sizeof why),
                     PROTO_ERR_UNKNOWN_COMMAND);
    CU_ASSERT_EQUAL (req.cmd, -1);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    CU_ASSERT_PTR_NULL (req.body);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"ticket.nope\""));
    proto_request_reset (&req);

    //  Binary command bytes: the message stays printable ASCII, so an error body can be built.
    const char binary[] = "\xff\x00\x01tick\x80\xe8\xaf\xb7\n";
    proto_frame_t frames[4] = {
        {PROTO_SIGNATURE, 3}, {binary, sizeof binary - 1}, {S_RID, strlen (S_RID)}, {"{}", 2}};
    memset (why, 0, sizeof why);
    CU_ASSERT_EQUAL (proto_request_decode (frames, 4, &req, why, sizeof why),
                     PROTO_ERR_UNKNOWN_COMMAND);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    CU_ASSERT_TRUE (s_printable (why));
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "tick"));
    json_t *body = proto_error_body (PROTO_ERR_UNKNOWN_COMMAND, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (body);
    CU_ASSERT_STRING_EQUAL (s_jstr (body, "message"), why);
    json_decref (body);
    proto_request_reset (&req);

    //  A very long command name is cut, not copied whole.
    char longname[5000];
    memset (longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, longname, S_RID, "{}", &req, why, sizeof why),
                     PROTO_ERR_UNKNOWN_COMMAND);
    CU_ASSERT_TRUE (strlen (why) < 100);
    CU_ASSERT_TRUE (s_printable (why));
    proto_request_reset (&req);
    //  A small why buffer is respected.
    char small[8];
    memset (small, 'z', sizeof small);
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "nope", S_RID, "{}", &req, small, sizeof small),
                     PROTO_ERR_UNKNOWN_COMMAND);
    CU_ASSERT_EQUAL (strlen (small), sizeof small - 1);
    proto_request_reset (&req);
}

static void
test_decode_too_large (void)
{
    //  Exactly the limit is fine: {"service":"A"} padded with spaces to PROTO_MAX_BODY bytes.
    char *body = malloc (PROTO_MAX_BODY + 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL (body);
    const char *json = "{\"service\":\"A\"}";
    memset (body, ' ', PROTO_MAX_BODY + 1);
    memcpy (body, json, strlen (json));
    body[PROTO_MAX_BODY] = 0;
    char why[256] = "";
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_OK);
    body[PROTO_MAX_BODY] = ' ';
    body[PROTO_MAX_BODY + 1] = 0;
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_TOO_LARGE);
    char expect[32];
    snprintf (expect, sizeof expect, "%d", PROTO_MAX_BODY);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, expect));
    //  Too large is decided before parsing: garbage over the limit is still too_large.
    memset (body, 'x', PROTO_MAX_BODY + 1);
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_TOO_LARGE);
    free (body);
}

static void
test_decode_bad_json (void)
{
    const char *bad[] = {
        "",
        "{",
        "{\"service\":\"A\"",
        "{'service':'A'}",
        "{\"service\":\"\xff\"}",
        "{\"service\":\"\xe8\xaf\"}", //  a character cut in half
        "{\"service\":\"\xc0\xaf\"}", //  overlong encoding
        "{\"service\":\"A\",\"service\":\"B\"}",
        "{\"service\":\"A\"} {}",
        "{\"service\":\"A\\u0000\"}",
        "{\"service\":\"A\",}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[256] = "";
        CU_ASSERT_EQUAL (s_issue (bad[i], why, sizeof why), PROTO_ERR_BAD_JSON);
        CU_ASSERT_TRUE (why[0] != 0);
        //  Whatever jansson said, an error reply can be built from it.
        json_t *eb = proto_error_body (PROTO_ERR_BAD_JSON, why);
        CU_ASSERT_PTR_NOT_NULL (eb);
        json_decref (eb);
    }
    //  A raw NUL byte inside the frame.
    proto_frame_t frames[4] = {{PROTO_SIGNATURE, 3},
                               {"ticket.issue", 12},
                               {S_RID, strlen (S_RID)},
                               {"{\"service\":\"A\0\"}", 16}};
    proto_request_t req;
    CU_ASSERT_EQUAL (proto_request_decode (frames, 4, &req, NULL, 0), PROTO_ERR_BAD_JSON);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    proto_request_reset (&req);
}

static void
test_decode_bad_body (void)
{
    char why[256] = "";
    CU_ASSERT_EQUAL (s_issue ("[]", why, sizeof why), PROTO_ERR_BAD_BODY);
    CU_ASSERT_EQUAL (s_issue ("[{\"service\":\"A\"}]", why, sizeof why), PROTO_ERR_BAD_BODY);
    //  Scalars are valid JSON (RFC 8259) but not objects.
    const char *scalars[] = {"5", "\"A\"", "null", "true"};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        proto_err_t err = s_issue (scalars[i], why, sizeof why);
        CU_ASSERT_EQUAL (err, PROTO_ERR_BAD_BODY);
    }
}

static void
test_decode_fields (void)
{
    char why[256] = "";
    //  Missing required field.
    CU_ASSERT_EQUAL (s_issue ("{}", why, sizeof why), PROTO_ERR_MISSING_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"service\""));
    CU_ASSERT_EQUAL (s_issue ("{\"priority\":\"green\"}", why, sizeof why),
                     PROTO_ERR_MISSING_FIELD);
    CU_ASSERT_EQUAL (s_issue ("{\"service\":null}", why, sizeof why), PROTO_ERR_MISSING_FIELD);
    //  Wrong type, empty, too long, unknown extra field.
    CU_ASSERT_EQUAL (s_issue ("{\"service\":5}", why, sizeof why), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"service\""));
    CU_ASSERT_EQUAL (s_issue ("{\"service\":true}", why, sizeof why), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (s_issue ("{\"service\":[\"A\"]}", why, sizeof why), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (s_issue ("{\"service\":{}}", why, sizeof why), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"\"}", why, sizeof why), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "1024"));
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\",\"sevice\":\"A\"}", why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"sevice\""));
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\",\"priority\":5}", why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\",\"priority\":\"\"}", why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    //  Optional fields absent or null are fine.
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\"}", why, sizeof why), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\",\"priority\":null}", why, sizeof why),
                     PROTO_ERR_OK);
    CU_ASSERT_EQUAL (s_issue ("{\"priority\":\"green\",\"service\":\"A\"}", why, sizeof why),
                     PROTO_ERR_OK);

    //  String length is counted in bytes: 1024 fine, 1025 not; same with 3-byte characters.
    char body[4000];
    char value[3200];
    memset (value, 'a', 1024);
    value[1024] = 0;
    snprintf (body, sizeof body, "{\"service\":\"%s\"}", value);
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_OK);
    memset (value, 'a', 1025);
    value[1025] = 0;
    snprintf (body, sizeof body, "{\"service\":\"%s\"}", value);
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_BAD_FIELD);
    value[0] = 0;
    for (int i = 0; i < 341; i++)
        strcat (value, "请"); //  1023 bytes
    snprintf (body, sizeof body, "{\"service\":\"%s\"}", value);
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_OK);
    strcat (value, "请"); //  1026 bytes, 342 characters
    snprintf (body, sizeof body, "{\"service\":\"%s\"}", value);
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_BAD_FIELD);

    //  Unknown fields are rejected for a command without fields, too, and the message
    //  about a huge or odd key stays short and valid UTF-8.
    proto_request_t req;
    CU_ASSERT_EQUAL (
        s_decode (PROTO_SIGNATURE, "hall.info", S_RID, "{\"x\":1}", &req, why, sizeof why),
        PROTO_ERR_BAD_FIELD);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    proto_request_reset (&req);
    char key[2000] = "";
    for (int i = 0; i < 300; i++)
        strcat (key, "键");
    snprintf (body, sizeof body, "{\"service\":\"A\",\"%s\":1}", key);
    CU_ASSERT_EQUAL (s_issue (body, why, sizeof why), PROTO_ERR_BAD_FIELD);
    json_t *err = proto_error_body (PROTO_ERR_BAD_FIELD, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (err);
    CU_ASSERT_STRING_EQUAL (s_jstr (err, "message"), why);
    json_decref (err);
    //  Integers: a float or a numeric string is not an integer.
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "counter.resume", S_RID, "{\"counter\":1.5}", &req,
                               why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    proto_request_reset (&req);
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "counter.resume", S_RID, "{\"counter\":\"1\"}",
                               &req, why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    proto_request_reset (&req);
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "counter.resume", S_RID, "{\"counter\":3}", &req,
                               why, sizeof why),
                     PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (req.body, "counter")), 3);
    proto_request_reset (&req);
}

//  The first failing check decides (PROTOCOL.md 2.9).
static void
test_decode_order (void)
{
    proto_request_t req;
    char why[256];
    char big[PROTO_MAX_BODY + 2];
    memset (big, '{', sizeof big - 1);
    big[sizeof big - 1] = 0;
    //  Signature before request id: no id to echo.
    CU_ASSERT_EQUAL (s_decode ("XX1", "nope", "", "[", &req, why, sizeof why),
                     PROTO_ERR_BAD_SIGNATURE);
    CU_ASSERT_STRING_EQUAL (req.request_id, "");
    proto_request_reset (&req);
    //  Request id before command.
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "nope", "", big, &req, why, sizeof why),
                     PROTO_ERR_BAD_REQUEST_ID);
    proto_request_reset (&req);
    //  Command before size.
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "nope", S_RID, big, &req, why, sizeof why),
                     PROTO_ERR_UNKNOWN_COMMAND);
    CU_ASSERT_STRING_EQUAL (req.request_id, S_RID);
    proto_request_reset (&req);
    //  Size before JSON.
    CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, "hall.info", S_RID, big, &req, why, sizeof why),
                     PROTO_ERR_TOO_LARGE);
    proto_request_reset (&req);
    //  Fields in the order of the spec, unknown keys last.
    CU_ASSERT_EQUAL (s_issue ("{\"sevice\":\"A\"}", why, sizeof why), PROTO_ERR_MISSING_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"service\""));
    CU_ASSERT_EQUAL (s_issue ("{\"priority\":5}", why, sizeof why), PROTO_ERR_MISSING_FIELD);
    CU_ASSERT_EQUAL (s_issue ("{\"zz\":1,\"service\":5}", why, sizeof why), PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"service\""));
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\",\"priority\":5,\"zz\":1}", why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"priority\""));
    //  An unknown key is refused even when its value is null.
    CU_ASSERT_EQUAL (s_issue ("{\"service\":\"A\",\"zz\":null}", why, sizeof why),
                     PROTO_ERR_BAD_FIELD);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "\"zz\""));
}

//  ---------------------------------------------------------------------------------------
//  Every command against its own spec, parsed here independently of proto_msg.c.

typedef struct {
    char name[64];
    char type;
    bool optional;
} s_field_t;

//  Parses a spec strictly: `name:T` or `name:T?`, single spaces, T in "sibaon", names
//  unique. Returns the number of fields or -1.
static int
s_parse_spec (const char *spec, s_field_t *fields, int max)
{
    int n = 0;
    const char *p = spec;
    if (!*p)
        return 0;
    while (true) {
        const char *end = strchr (p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen (p);
        const char *colon = memchr (p, ':', len);
        if (!colon || colon == p || n == max)
            return -1;
        size_t nlen = (size_t)(colon - p);
        size_t rest = len - nlen - 1;
        if (nlen >= sizeof fields[n].name || (rest != 1 && rest != 2))
            return -1;
        if (!strchr ("sibaon", colon[1]) || colon[1] == 0)
            return -1;
        if (rest == 2 && colon[2] != '?')
            return -1;
        for (size_t i = 0; i < nlen; i++)
            if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
                return -1;
        memcpy (fields[n].name, p, nlen);
        fields[n].name[nlen] = 0;
        fields[n].type = colon[1];
        fields[n].optional = rest == 2;
        for (int j = 0; j < n; j++)
            if (strcmp (fields[j].name, fields[n].name) == 0)
                return -1;
        n++;
        if (!end)
            break;
        p = end + 1;
    }
    return n;
}

static json_t *
s_valid_value (char type)
{
    switch (type) {
    case 's': return json_string ("A");
    case 'i': return json_integer (1);
    case 'b': return json_true ();
    case 'o': return json_object ();
    case 'a': return json_array ();
    case 'n': return json_real (1.5);
    default: return NULL;
    }
}

static json_t *
s_wrong_value (char type)
{
    switch (type) {
    case 's': return json_integer (7);
    case 'i': return json_string ("1");
    case 'b': return json_integer (1);
    case 'o': return json_array ();
    case 'a': return json_object ();
    case 'n': return json_string ("1.5");
    default: return NULL;
    }
}

static void
test_validate_every_command (void)
{
    for (int c = 0; c < PROTO_CMD_COUNT; c++) {
        const proto_command_t *cmd = proto_command ((proto_cmd_t)c);
        s_field_t fields[16];
        int n = s_parse_spec (cmd->fields, fields, 16);
        if (n < 0)
            fprintf (stderr, "\nmalformed field spec of %s: \"%s\"\n", cmd->name, cmd->fields);
        CU_ASSERT_TRUE_FATAL (n >= 0);
        char why[256] = "";
        //  All fields present with valid values.
        json_t *full = json_object ();
        json_t *required = json_object ();
        for (int i = 0; i < n; i++) {
            json_object_set_new (full, fields[i].name, s_valid_value (fields[i].type));
            if (!fields[i].optional)
                json_object_set_new (required, fields[i].name, s_valid_value (fields[i].type));
        }
        proto_err_t err = proto_validate ((proto_cmd_t)c, full, why, sizeof why);
        if (err != PROTO_ERR_OK)
            fprintf (stderr, "\n%s with all fields: %s\n", cmd->name, why);
        CU_ASSERT_EQUAL (err, PROTO_ERR_OK);
        CU_ASSERT_EQUAL (proto_validate ((proto_cmd_t)c, required, why, sizeof why), PROTO_ERR_OK);
        //  The same through the decoder, as bytes on the wire.
        char *text = proto_json_dump (full);
        CU_ASSERT_PTR_NOT_NULL_FATAL (text);
        proto_request_t req;
        CU_ASSERT_EQUAL (s_decode (PROTO_SIGNATURE, cmd->name, S_RID, text, &req, why, sizeof why),
                         PROTO_ERR_OK);
        CU_ASSERT_EQUAL (req.cmd, c);
        proto_request_reset (&req);
        free (text);
        for (int i = 0; i < n; i++) {
            json_t *body = json_deep_copy (full);
            //  Absent: required fields are missing, optional ones fine.
            json_object_del (body, fields[i].name);
            CU_ASSERT_EQUAL (proto_validate ((proto_cmd_t)c, body, why, sizeof why),
                             fields[i].optional ? PROTO_ERR_OK : PROTO_ERR_MISSING_FIELD);
            if (!fields[i].optional)
                CU_ASSERT_PTR_NOT_NULL (strstr (why, fields[i].name));
            //  Null: the same.
            json_object_set_new (body, fields[i].name, json_null ());
            CU_ASSERT_EQUAL (proto_validate ((proto_cmd_t)c, body, why, sizeof why),
                             fields[i].optional ? PROTO_ERR_OK : PROTO_ERR_MISSING_FIELD);
            //  Wrong type: bad field, naming it.
            json_object_set_new (body, fields[i].name, s_wrong_value (fields[i].type));
            CU_ASSERT_EQUAL (proto_validate ((proto_cmd_t)c, body, why, sizeof why),
                             PROTO_ERR_BAD_FIELD);
            CU_ASSERT_PTR_NOT_NULL (strstr (why, fields[i].name));
            json_decref (body);
        }
        //  An extra field is rejected.
        json_object_set_new (full, "zz_not_in_spec", json_integer (1));
        CU_ASSERT_EQUAL (proto_validate ((proto_cmd_t)c, full, why, sizeof why),
                         PROTO_ERR_BAD_FIELD);
        CU_ASSERT_PTR_NOT_NULL (strstr (why, "zz_not_in_spec"));
        json_decref (full);
        json_decref (required);
    }
    //  The strict spec parser itself rejects malformed specs.
    s_field_t f[4];
    CU_ASSERT_EQUAL (s_parse_spec ("service:s priority:s?", f, 4), 2);
    CU_ASSERT_EQUAL (s_parse_spec ("service:x", f, 4), -1);
    CU_ASSERT_EQUAL (s_parse_spec ("service", f, 4), -1);
    CU_ASSERT_EQUAL (s_parse_spec ("service:s  priority:s", f, 4), -1);
    CU_ASSERT_EQUAL (s_parse_spec ("service:s!", f, 4), -1);
    CU_ASSERT_EQUAL (s_parse_spec ("a:s a:i", f, 4), -1);
    CU_ASSERT_EQUAL (s_parse_spec (":s", f, 4), -1);
    CU_ASSERT_EQUAL (s_parse_spec ("service:", f, 4), -1);
}

static void
test_error_body (void)
{
    json_t *b = proto_error_body (PROTO_ERR_BAD_FIELD, "field \"x\" must be a string");
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "code"), "bad_field");
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "message"), "field \"x\" must be a string");
    CU_ASSERT_EQUAL (json_object_size (b), 2);
    json_decref (b);
    //  Invalid UTF-8 in the message: still an object, with the table's wording.
    b = proto_error_body (PROTO_ERR_UNKNOWN_SERVICE, "no service \"\xff\xfe\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "code"), "unknown_service");
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "message"), proto_err_desc (PROTO_ERR_UNKNOWN_SERVICE));
    char *text = proto_json_dump (b);
    CU_ASSERT_PTR_NOT_NULL (text);
    free (text);
    json_decref (b);
    //  NULL and empty messages fall back to the table too.
    b = proto_error_body (PROTO_ERR_QUEUE_EMPTY, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "message"), proto_err_desc (PROTO_ERR_QUEUE_EMPTY));
    json_decref (b);
    b = proto_error_body (PROTO_ERR_QUEUE_EMPTY, "");
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "message"), proto_err_desc (PROTO_ERR_QUEUE_EMPTY));
    json_decref (b);
    b = proto_error_body (PROTO_ERR_COUNT, "x");
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "code"), "internal");
    json_decref (b);
    b = proto_error_body (PROTO_ERR_WRONG_STATE, "号码 A023 已过号");
    CU_ASSERT_PTR_NOT_NULL_FATAL (b);
    CU_ASSERT_STRING_EQUAL (s_jstr (b, "message"), "号码 A023 已过号");
    json_decref (b);
}

//  Length of the longest prefix of s made of whole UTF-8 sequences and <= limit bytes.
static size_t
s_boundary (const char *s, size_t limit)
{
    size_t n = strlen (s);
    if (n <= limit)
        return n;
    size_t best = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + len > limit)
            break;
        i += len;
        best = i;
    }
    return best;
}

static void
test_utf8_clip (void)
{
    //  1-, 2-, 3- and 4-byte characters.
    const char *s = "A请é😀B号窗口z";
    size_t slen = strlen (s);
    for (size_t max = 0; max <= slen + 2; max++) {
        char out[64];
        memset (out, '#', sizeof out);
        proto_utf8_clip (out, sizeof out, s, max);
        size_t expect = s_boundary (s, max);
        CU_ASSERT_EQUAL (strlen (out), expect);
        CU_ASSERT_EQUAL (memcmp (out, s, expect), 0);
    }
    //  The output buffer bounds it too.
    for (size_t size = 1; size <= slen + 2; size++) {
        char out[64];
        memset (out, '#', sizeof out);
        proto_utf8_clip (out, size, s, 1000);
        size_t expect = s_boundary (s, size - 1);
        CU_ASSERT_EQUAL (strlen (out), expect);
        CU_ASSERT_EQUAL (memcmp (out, s, expect), 0);
        CU_ASSERT_EQUAL (out[size], '#'); //  nothing written past the buffer
    }
    char out[8];
    proto_utf8_clip (out, sizeof out, "请请请", 4);
    CU_ASSERT_STRING_EQUAL (out, "请");
    proto_utf8_clip (out, sizeof out, "请请请", 6);
    CU_ASSERT_STRING_EQUAL (out, "请请");
    proto_utf8_clip (out, sizeof out, "请请请", 100); //  9 bytes, 7 fit: two characters
    CU_ASSERT_STRING_EQUAL (out, "请请");
    proto_utf8_clip (out, sizeof out, "abc", 3);
    CU_ASSERT_STRING_EQUAL (out, "abc");
    proto_utf8_clip (out, sizeof out, "", 3);
    CU_ASSERT_STRING_EQUAL (out, "");
    proto_utf8_clip (out, sizeof out, "请", 2);
    CU_ASSERT_STRING_EQUAL (out, "");
}

static void
test_request_id_new (void)
{
    char a[33], b[33];
    memset (a, 'x', sizeof a);
    memset (b, 'x', sizeof b);
    proto_request_id_new (a);
    proto_request_id_new (b);
    CU_ASSERT_EQUAL (strlen (a), 32);
    CU_ASSERT_EQUAL (strlen (b), 32);
    CU_ASSERT_EQUAL (strspn (a, "0123456789abcdef"), 32);
    CU_ASSERT_EQUAL (strspn (b, "0123456789abcdef"), 32);
    CU_ASSERT_STRING_NOT_EQUAL (a, b);
    CU_ASSERT_TRUE (proto_request_id_valid (a, strlen (a)));
}

int
test_proto_suite (void)
{
    CU_pSuite suite = CU_add_suite ("proto", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "command table round-trips names", test_command_table) ||
        !CU_add_test (suite, "error table round-trips codes", test_error_table) ||
        !CU_add_test (suite, "roles and event topics", test_roles_and_events) ||
        !CU_add_test (suite, "every event declares its fields", test_event_fields) ||
        !CU_add_test (suite, "event bodies checked against the table", test_event_check) ||
        !CU_add_test (suite, "decode a valid request", test_decode_valid) ||
        !CU_add_test (suite, "decode: wrong frame count", test_decode_frame_count) ||
        !CU_add_test (suite, "decode: wrong signature", test_decode_signature) ||
        !CU_add_test (suite, "decode: bad request ids", test_decode_request_id) ||
        !CU_add_test (suite, "decode: unknown and binary commands", test_decode_unknown_command) ||
        !CU_add_test (suite, "decode: body size limit", test_decode_too_large) ||
        !CU_add_test (suite, "decode: invalid JSON, UTF-8, duplicate keys", test_decode_bad_json) ||
        !CU_add_test (suite, "decode: non-object bodies", test_decode_bad_body) ||
        !CU_add_test (suite, "decode: missing, wrong and extra fields", test_decode_fields) ||
        !CU_add_test (suite, "decode: the first failing check decides", test_decode_order) ||
        !CU_add_test (suite, "validate every command from its own spec",
                      test_validate_every_command) ||
        !CU_add_test (suite, "error bodies, invalid UTF-8 messages", test_error_body) ||
        !CU_add_test (suite, "UTF-8 clipping keeps characters whole", test_utf8_clip) ||
        !CU_add_test (suite, "fresh request ids", test_request_id_new))
        return -1;
    return 0;
}
