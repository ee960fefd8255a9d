/*  test_notify_it.c — notices to applicants through a real SMS gateway interface: a broker
    whose hall config points notify.sms_url at a local HTTP server the test starts
    (test_http_sink.h), which records, dedups by Idempotency-Key, fails or stalls on demand.

    - A decision reaches the gateway exactly once across a gateway that fails twice and a
      broker killed (SIGKILL) right after the gateway accepted it; a delivered notice is
      never sent again after a restart.
    - The broker's loop stays responsive while a POST stalls, and stops promptly.
    - A gateway's 4xx rejects a notice for good; the office sees it.
    - The texts: 您, Chinese only, the link, no QR code claimed, the remedies of a refusal
      and a denial, the cabinet's Chinese name, hours and date; no mobile, no SMS.
    - The config keys of the notices. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker_config.h"
#include "proto_json.h"
#include "proto_msg.h"
#include "proto_text.h"
#include "test_case_it.h"
#include "test_http_sink.h"
#include "tests.h"

#define HALL_SIGN "【滨海新区政务服务中心】"
#define LINK      "http://127.0.0.1:8080/t/"
#define REMEDIES                                                                                                                        \
    "如不服，可自收到本通知之日起60日内向天津市滨海新区人民政府申请行政复议，或者6个月内向天" \
    "津市滨海新区人民法院提起行政诉讼。"

//  The example hall with its SMS gateway at `url` ("" for none), POSTs limited to
//  `timeout_s` and retries at most 2 s apart, written to DIR/hall.json (path into `path`).
static void
s_config (const char *dir, const char *url, int timeout_s, char *path, size_t size)
{
    json_t *cfg = json_load_file (test_src ("etc/hall.example.json"), 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    json_t *n = json_object_get (cfg, "notify");
    json_object_set_new (n, "sms_url", json_string (url));
    json_object_set_new (n, "timeout_s", json_integer (timeout_s));
    json_object_set_new (n, "retry_max_s", json_integer (2));
    json_object_set_new (json_object_get (cfg, "cases"), "calendar",
                         json_string (test_src ("etc/calendar")));
    snprintf (path, size, "%s/hall.json", dir);
    CU_ASSERT_EQUAL_FATAL (json_dump_file (cfg, path, JSON_INDENT (2)), 0);
    json_decref (cfg);
}

//  A broker on that hall on the simulated clock at T0, with a local gateway (or none).
typedef struct {
    test_http_sink_t *sink; //  the gateway; NULL for none
    char *dir;              //  the config's directory
    test_broker_t b;
} s_rig_t;

static void
s_rig_start (s_rig_t *r, bool gateway, int timeout_s)
{
    r->sink = gateway ? test_http_sink_new () : NULL;
    CU_ASSERT_FATAL (!gateway || r->sink);
    r->dir = test_tmpdir ();
    char cfg[600];
    s_config (r->dir, r->sink ? test_http_sink_url (r->sink) : "", timeout_s, cfg, sizeof cfg);
    CU_ASSERT_FATAL (test_broker_start (&r->b, cfg, T0) == 0);
}

static void
s_rig_stop (s_rig_t *r)
{
    test_broker_cleanup (&r->b);
    test_http_sink_destroy (&r->sink);
    test_rmtree (r->dir);
    free (r->dir);
}

//  The case's notice with `template` (case.get), or NULL. Caller frees.
static json_t *
s_notice (proto_client_t *c, const char *no, const char *template)
{
    json_t *r = cit_get (c, no), *found = NULL;
    size_t i;
    json_t *n;
    json_array_foreach (json_object_get (r, "notices"), i, n)
        if (proto_is (n, "template", template))
            found = json_incref (n);
    json_decref (r);
    return found;
}

//  Waits (real time) until the case's notice with `template` is in `state`; it, or NULL.
static json_t *
s_wait_state (proto_client_t *c, const char *no, const char *template, const char *state,
              int timeout_ms)
{
    int64_t until = proto_mono_ms () + timeout_ms;
    for (;;) {
        json_t *n = s_notice (c, no, template);
        if (n && proto_is (n, "state", state))
            return n;
        json_decref (n);
        if (proto_mono_ms () > until) {
            fprintf (stderr, "\n  %s of %s never became %s\n", template, no, state);
            return NULL;
        }
        usleep (50000);
    }
}

//  An intake of fund_withdraw (no physical result) with a mobile number; its case number.
static void
s_fund_case (proto_client_t *c, const char *id, char *no)
{
    json_decref (cit_serve (c, 1, "G"));
    json_t *r = cit_do (
        c, "case.accept",
        cit_body (1, "fund_withdraw", "孙八", id, NULL, "13912345678", cit_docs ("fund_withdraw")),
        PROTO_ERR_OK);
    snprintf (no, 48, "%s", proto_str (r, "case_no"));
    json_decref (r);
}

static void
s_kill (void *arg)
{
    test_broker_t *b = arg;
    kill (b->pid, SIGKILL);
}

//  Every request that carried notice `n`: the gateway's JSON, the same key each time.
static void
s_check_requests (test_http_sink_t *sink, const json_t *n)
{
    json_t *all = test_http_sink_requests (sink);
    size_t i;
    json_t *r;
    json_array_foreach (all, i, r) {
        json_t *body = json_object_get (r, "body");
        if (!proto_is (body, "id", proto_str (n, "id")))
            continue;
        CU_ASSERT_STRING_EQUAL (proto_str (r, "key"), proto_str (n, "id"));
        CU_ASSERT_STRING_EQUAL (proto_str (r, "path"), "/sms");
        CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (r, "content_type"), "application/json"));
        CU_ASSERT_EQUAL (json_object_size (body), 6);
        CU_ASSERT_STRING_EQUAL (proto_str (body, "phone"), "13912345678");
        CU_ASSERT_STRING_EQUAL (proto_str (body, "template"), proto_str (n, "template"));
        CU_ASSERT_STRING_EQUAL (proto_str (body, "text"), proto_str (n, "text"));
        CU_ASSERT_STRING_EQUAL (proto_str (body, "case_no"), proto_str (n, "case_no"));
        CU_ASSERT_STRING_EQUAL (proto_str (body, "link"), proto_str (n, "link"));
    }
    json_decref (all);
}

//  ---------------------------------------------------------------------------------------
//  1. Exactly once, across a gateway that fails twice and a SIGKILL.

static void
test_exactly_once (void)
{
    s_rig_t rig;
    s_rig_start (&rig, true, 2);
    test_http_sink_t *sink = rig.sink;
    test_broker_t *b = &rig.b;
    proto_client_t *c = test_client (b);
    char no[48];
    s_fund_case (c, ID_3, no);
    //  The acceptance goes out at once.
    json_t *acc = s_wait_state (c, no, "case_accepted", "delivered", 10000);
    CU_ASSERT_PTR_NOT_NULL_FATAL (acc);
    CU_ASSERT_EQUAL (test_http_sink_delivered (sink, proto_str (acc, "id"), NULL), 1);
    CU_ASSERT_EQUAL (proto_int (acc, "attempts"), 1);
    int before = test_http_sink_count (sink);
    //  The gateway fails twice; the broker dies right after it accepted the decision.
    test_http_sink_fail (sink, 2, 500);
    test_http_sink_on_delivery (sink, s_kill, b);
    json_decref (cit_case_cmd (c, "case.review", no, NULL, PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.approve", no, NULL, PROTO_ERR_OK));
    CU_ASSERT_FATAL (test_http_sink_wait (sink, before + 3, 20000));
    for (int i = 0; i < 100 && test_broker_alive (b); i++)
        usleep (50000);
    CU_ASSERT_FALSE_FATAL (test_broker_alive (b));
    //  Restarted, the broker sends what it had not recorded as delivered, same key.
    proto_client_destroy (&c);
    CU_ASSERT_FATAL (test_broker_restart (b) == 0);
    c = test_client (b);
    json_t *dec = s_wait_state (c, no, "case_approved", "delivered", 10000);
    CU_ASSERT_PTR_NOT_NULL_FATAL (dec);
    int requests = 0;
    CU_ASSERT_EQUAL (test_http_sink_delivered (sink, proto_str (dec, "id"), &requests), 1);
    CU_ASSERT (requests >= 3); //  two failures, the delivery, maybe its repeat after the kill
    CU_ASSERT (proto_int (dec, "attempts") >= 1);
    CU_ASSERT_PTR_NULL (json_object_get (dec, "last_error"));
    s_check_requests (sink, dec);
    s_check_requests (sink, acc);
    //  Delivered is delivered: a restart sends nothing again.
    before = test_http_sink_count (sink);
    proto_client_destroy (&c);
    CU_ASSERT_EQUAL (test_broker_stop (b, SIGTERM), 0);
    CU_ASSERT_FATAL (test_broker_restart (b) == 0);
    CU_ASSERT_FALSE (test_http_sink_wait (sink, before + 1, 1500));
    c = test_client (b);
    json_t *r = cit_do (c, "notice.list", json_pack ("{s:s}", "state", "pending"), PROTO_ERR_OK);
    CU_ASSERT_EQUAL (json_array_size (json_object_get (r, "notices")), 0);
    CU_ASSERT_EQUAL (proto_int (r, "undelivered"), 0);
    json_decref (r);
    json_decref (acc);
    json_decref (dec);
    proto_client_destroy (&c);
    s_rig_stop (&rig);
}

//  ---------------------------------------------------------------------------------------
//  2. A stalled gateway: the loop answers at once; a stop does not wait for it.

static void
test_stalled_gateway (void)
{
    s_rig_t rig;
    s_rig_start (&rig, true, 30);
    test_http_sink_t *sink = rig.sink;
    test_broker_t *b = &rig.b;
    test_http_sink_stall (sink, true);
    proto_client_t *c = test_client (b);
    char no[48];
    s_fund_case (c, ID_4, no);
    CU_ASSERT_FATAL (test_http_sink_wait (sink, 1, 10000)); //  the POST is held
    int64_t t0 = proto_mono_ms ();
    json_decref (cit_do (c, "ticket.issue", json_pack ("{s:s}", "service", "A"), PROTO_ERR_OK));
    int64_t took = proto_mono_ms () - t0;
    CU_ASSERT (took < 1000);
    if (took >= 1000)
        fprintf (stderr, "\n  ticket.issue took %lld ms during a stalled POST\n", (long long)took);
    json_t *n = s_notice (c, no, "case_accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (n, "state"), "pending");
    CU_ASSERT_EQUAL (proto_int (n, "attempts"), 0);
    json_decref (n);
    //  Released, it is delivered.
    test_http_sink_stall (sink, false);
    json_decref (s_wait_state (c, no, "case_accepted", "delivered", 10000));
    //  Held again: a stop abandons the POST at once; the notice stays pending.
    test_http_sink_stall (sink, true);
    json_decref (cit_case_cmd (c, "case.review", no, NULL, PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.approve", no, NULL, PROTO_ERR_OK));
    CU_ASSERT_FATAL (test_http_sink_wait (sink, 2, 10000));
    proto_client_destroy (&c);
    t0 = proto_mono_ms ();
    CU_ASSERT_EQUAL (test_broker_stop (b, SIGTERM), 0);
    CU_ASSERT (proto_mono_ms () - t0 < 5000);
    //  Back up with the gateway answering: the decision goes out.
    test_http_sink_stall (sink, false);
    CU_ASSERT_FATAL (test_broker_restart (b) == 0);
    c = test_client (b);
    n = s_wait_state (c, no, "case_approved", "delivered", 10000);
    CU_ASSERT_PTR_NOT_NULL (n);
    CU_ASSERT_EQUAL (test_http_sink_delivered (sink, proto_str (n, "id"), NULL), 1);
    json_decref (n);
    proto_client_destroy (&c);
    s_rig_stop (&rig);
}

//  ---------------------------------------------------------------------------------------
//  3. A gateway's refusal is final, and the office sees it.

static void
test_rejected (void)
{
    s_rig_t rig;
    s_rig_start (&rig, true, 2);
    test_http_sink_t *sink = rig.sink;
    test_broker_t *b = &rig.b;
    test_http_sink_fail (sink, 1, 400);
    proto_client_t *c = test_client (b);
    char no[48];
    s_fund_case (c, ID_5, no);
    json_t *n = s_wait_state (c, no, "case_accepted", "rejected", 10000);
    CU_ASSERT_PTR_NOT_NULL_FATAL (n);
    CU_ASSERT_EQUAL (proto_int (n, "last_status"), 400);
    CU_ASSERT_PTR_NOT_NULL (strstr (proto_str (n, "last_error"), "HTTP 400"));
    CU_ASSERT_EQUAL (proto_int (n, "attempts"), 1);
    //  Not tried again.
    CU_ASSERT_FALSE (test_http_sink_wait (sink, 2, 2500));
    json_t *r = cit_do (c, "notice.list", json_pack ("{s:s}", "state", "rejected"), PROTO_ERR_OK);
    json_t *list = json_object_get (r, "notices");
    CU_ASSERT_EQUAL_FATAL (json_array_size (list), 1);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (list, 0), "id"), proto_str (n, "id"));
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (list, 0), "phone"), "139****5678");
    json_decref (r);
    json_decref (n);
    proto_client_destroy (&c);
    s_rig_stop (&rig);
}

//  ---------------------------------------------------------------------------------------
//  4. What the texts say.

//  A text as the hall writes to applicants: 您, the sign, the link at the end, no QR code
//  claimed, and no English: no two Latin letters in a row outside the case number and the
//  link (a slot is named like M01).
static void
s_check_text (const json_t *n, const char *token)
{
    const char *text = proto_str (n, "text");
    char link[128];
    snprintf (link, sizeof link, "详情：%s%s", LINK, token);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "您"));
    CU_ASSERT_EQUAL (strncmp (text, HALL_SIGN, strlen (HALL_SIGN)), 0);
    size_t tl = strlen (text), ll = strlen (link);
    CU_ASSERT (tl > ll && strcmp (text + tl - ll, link) == 0);
    CU_ASSERT_PTR_NULL (strstr (text, "二维码"));
    CU_ASSERT_PTR_NULL (strstr (text, "本短信"));
    const char *no = proto_str (n, "case_no");
    const char *at_no = strstr (text, no);
    for (size_t i = 0; i + 1 < tl - ll; i++) {
        bool in_no = at_no && text + i >= at_no && text + i < at_no + strlen (no);
        char a = text[i] | 0x20, z = text[i + 1] | 0x20;
        if (!in_no && a >= 'a' && a <= 'z' && z >= 'a' && z <= 'z') {
            fprintf (stderr, "\n  a Latin letter in \"%s\"\n", text);
            CU_FAIL ("English in a notice");
            break;
        }
    }
    CU_ASSERT_STRING_EQUAL (proto_str (n, "state"), "no_gateway");
}

//  The text of the case's notice with `template`, checked; caller frees.
static char *
s_text (proto_client_t *c, const char *no, const char *template, const char *token)
{
    json_t *n = s_notice (c, no, template);
    CU_ASSERT_PTR_NOT_NULL (n);
    if (!n)
        return strdup ("");
    s_check_text (n, token);
    char *text = strdup (proto_str (n, "text"));
    json_decref (n);
    return text;
}

//  Accepted, extended with a bilingual reason, asked for material, denied.
static void
s_texts_case (proto_client_t *c, const char *token)
{
    json_t *r = cit_do (
        c, "case.accept",
        cit_body (1, "biz_setup", "王小明", ID_1, NULL, "13912345678", cit_docs ("biz_setup")),
        PROTO_ERR_OK);
    char no[48], want[1024];
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    json_decref (r);
    char *text = s_text (c, no, "case_accepted", token);
    snprintf (want, sizeof want,
              HALL_SIGN "您的企业设立登记申请（%s）已受理，承诺于2026年3月12日前办结。详情：" LINK
                        "%s",
              no, token);
    CU_ASSERT_STRING_EQUAL (text, want);
    free (text);
    json_decref (cit_case_cmd (c, "case.extend", no,
                               json_pack ("{s:i, s:s, s:s, s:s}", "days", 2, "reason",
                                          "需核查住所 / the address must be checked", "approver",
                                          "王主任", "clerk", "李四"),
                               PROTO_ERR_OK));
    text = s_text (c, no, "case_extended", token);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "经本机关负责人批准，办理期限延长2个工作日，理由：需核"
                                          "查住所。承诺办结日期延至2026年3月16日。"));
    CU_ASSERT_PTR_NULL (strstr (text, "王主任")); //  the approver is the office's record
    free (text);
    json_decref (cit_case_cmd (c, "case.request_supplement", no,
                               json_pack ("{s:[s, s]}", "missing", "住所产权证明", "租赁合同"),
                               PROTO_ERR_OK));
    text = s_text (c, no, "supplement_requested", token);
    //  20 working days after Mon 9 March: Mar 10-13, 16-20, 23-27, 30, 31, Apr 1-3, Apr 7.
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "需补正以下材料：住所产权证明、租赁合同；补正期间办"
                                          "理时限暂停计算。请于2026年4月7日前提交到窗口，逾期未"
                                          "补正的视为撤回申请。"));
    free (text);
    json_decref (cit_case_cmd (c, "case.supplement_received", no, NULL, PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.review", no, NULL, PROTO_ERR_OK));
    json_decref (cit_case_cmd (c, "case.deny", no,
                               json_pack ("{s:s}", "reason", "住所不符合要求 / unsuitable address"),
                               PROTO_ERR_OK));
    text = s_text (c, no, "case_denied", token);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "不予许可，理由：住所不符合要求。" REMEDIES));
    free (text);
}

//  Refused at intake; approved and put in a cabinet; a landline gets no SMS.
static void
s_texts_more (proto_client_t *c, const char *token)
{
    json_t *r = cit_do (c, "case.not_accepted",
                        json_pack ("{s:i, s:s, s:s, s:s, s:s, s:s}", "counter", 1, "item",
                                   "biz_setup", "name", "冯三", "id_number", ID_2, "phone",
                                   "13912345678", "reason", "不属于本中心管辖"),
                        PROTO_ERR_OK);
    char no[48];
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    json_decref (r);
    char *text = s_text (c, no, "case_not_accepted", token);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "不予受理，理由：不属于本中心管辖。" REMEDIES));
    free (text);
    //  Approved (an immediate item, at the counter), deposited in a bilingual-named cabinet.
    r = cit_do (c, "case.accept",
                cit_body (1, "marriage", "周九", ID_3, NULL, "13912345678", cit_docs ("marriage")),
                PROTO_ERR_OK);
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    json_decref (r);
    json_t *n = s_notice (c, no, "case_accepted");
    CU_ASSERT_PTR_NULL (n); //  decided while the applicant waits: no promise to send
    json_decref (n);
    json_decref (cit_case_cmd (c, "case.approve", no, NULL, PROTO_ERR_OK));
    text = s_text (c, no, "case_approved", token);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "已办结，准予许可。请凭取号单到窗口领取（工作日 "
                                          "9:00-12:00、13:30-17:00）"));
    free (text);
    cit_ok (c, "vault.report",
            json_pack ("{s:s, s:s, s:[{s:s, s:s}]}", "cabinet", "C1", "name",
                       "一楼自助取件柜 / Self-service pickup cabinet, ground floor", "slots",
                       "slot", "M01", "state", "free"));
    cit_ok (c, "vault.deposited",
            json_pack ("{s:s, s:s, s:s}", "cabinet", "C1", "case_no", no, "slot", "M01"));
    text = s_text (c, no, "ready_for_pickup", token);
    //  Deposited Mon 9 March; 7 days to collect (cases.pickup_overdue_days).
    CU_ASSERT_PTR_NOT_NULL (strstr (
        text, "已存入一楼自助取件柜 M01 格口，取件时间：每日 "
              "7:00-22:00。请于2026年3月16日前到柜前扫描取号单，或输入取件码（见下方链接）取件"));
    free (text);
    //  Material brought after an incomplete intake: the case is accepted, and told so.
    r = cit_do (c, "case.supplement",
                cit_body (1, "fund_withdraw", "吴一", ID_5, NULL, "13912345678",
                          json_pack ("[s]", "application")),
                PROTO_ERR_OK);
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    json_decref (r);
    text = s_text (c, no, "supplement_requested", token);
    CU_ASSERT_PTR_NOT_NULL (
        strstr (text, "材料不齐全，需补正以下全部内容：身份证、提取证明材料。"));
    free (text);
    json_decref (cit_case_cmd (c, "case.supplement_received", no,
                               json_pack ("{s:[s, s]}", "documents", "id_copy", "proof"),
                               PROTO_ERR_OK));
    text = s_text (c, no, "case_accepted", token);
    CU_ASSERT_PTR_NOT_NULL (strstr (text, "已受理，承诺于2026年3月12日前办结。"));
    free (text);
    //  A landline: the notice is kept, and says why nothing was sent.
    r = cit_do (
        c, "case.accept",
        cit_body (1, "legal_aid", "赵六", ID_4, NULL, "022-23456789", cit_docs ("legal_aid")),
        PROTO_ERR_OK);
    snprintf (no, sizeof no, "%s", proto_str (r, "case_no"));
    json_decref (r);
    n = s_notice (c, no, "case_accepted");
    CU_ASSERT_STRING_EQUAL (proto_str (n, "state"), "no_mobile");
    json_decref (n);
}

static void
test_texts (void)
{
    s_rig_t rig;
    s_rig_start (&rig, false, 2);
    test_broker_t *b = &rig.b;
    proto_client_t *c = test_client (b);
    json_t *t = cit_serve (c, 1, "A");
    const char *token = proto_str (t, "token");
    s_texts_case (c, token);
    s_texts_more (c, token);
    //  The office's list: by state, phones masked; an unknown state is refused.
    json_t *r = cit_do (c, "notice.list", json_pack ("{s:s}", "state", "no_gateway"), PROTO_ERR_OK);
    json_t *list = json_object_get (r, "notices");
    CU_ASSERT_EQUAL (json_array_size (list), 9);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (list, 0), "phone"), "139****5678");
    CU_ASSERT (json_is_null (json_object_get (r, "next")));
    //  No token in a list (PROTOCOL.md 5): cut to 4 characters.
    char *text = json_dumps (list, 0), cut[64];
    snprintf (cut, sizeof cut, "/t/%.4s…\"", token);
    CU_ASSERT_PTR_NULL (strstr (text, token));
    CU_ASSERT_PTR_NOT_NULL (strstr (text, cut));
    free (text);
    json_decref (r);
    r = cit_do (c, "notice.list", json_pack ("{s:i, s:i}", "from", 2, "limit", 3), PROTO_ERR_OK);
    list = json_object_get (r, "notices");
    CU_ASSERT_EQUAL (json_array_size (list), 3);
    CU_ASSERT_EQUAL (proto_int (json_array_get (list, 0), "seq"), 2);
    CU_ASSERT_EQUAL (proto_int (r, "next"), 5);
    json_decref (r);
    json_decref (
        cit_do (c, "notice.list", json_pack ("{s:s}", "state", "lost"), PROTO_ERR_BAD_FIELD));
    json_decref (t);
    proto_client_destroy (&c);
    s_rig_stop (&rig);
}

//  ---------------------------------------------------------------------------------------
//  5. The config keys: defaults, and what is refused.

static void
test_config_keys (void)
{
    const char *base = "{\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\"},"
                       " \"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\"}],"
                       " \"counters\": [{\"id\": 1, \"services\": [\"A\"]}]";
    char text[1024], err[256];
    snprintf (text, sizeof text, "%s}", base);
    broker_config_t *cfg = broker_config_parse (text, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_STRING_EQUAL (cfg->notify.sms_url, "");
    CU_ASSERT_EQUAL (cfg->notify.timeout_s, 10);
    CU_ASSERT_EQUAL (cfg->notify.retry_max_s, 300);
    CU_ASSERT_EQUAL (cfg->remedies.review_days, 60);
    CU_ASSERT_EQUAL (cfg->remedies.litigation_months, 6);
    CU_ASSERT_STRING_EQUAL (cfg->remedies.review_body, "");
    CU_ASSERT_EQUAL (cfg->supplement_days, 20);
    broker_config_destroy (&cfg);
    const struct {
        const char *extra, *error;
    } bad[] = {
        {"\"notify\": {\"sms_url\": \"ftp://x/\"}", "notify.sms_url must be an http"},
        {"\"notify\": {\"timeout_s\": 0}", "notify.timeout_s"},
        {"\"notify\": []", "\"notify\" must be an object"},
        {"\"remedies\": {\"review_days\": \"60\"}", "remedies.review_days"},
        {"\"cases\": {\"supplement_days\": -1}", "cases.supplement_days"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf (text, sizeof text, "%s, %s}", base, bad[i].extra);
        cfg = broker_config_parse (text, err, sizeof err);
        CU_ASSERT_PTR_NULL (cfg);
        CU_ASSERT_PTR_NOT_NULL (strstr (err, bad[i].error));
        if (!strstr (err, bad[i].error))
            fprintf (stderr, "\n  %s: \"%s\"\n", bad[i].extra, err);
        broker_config_destroy (&cfg);
    }
}

int
test_notify_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("notify_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a decision reaches the gateway once: two failures and a SIGKILL",
                 test_exactly_once);
    CU_add_test (s, "a stalled gateway: the loop answers, a stop does not wait",
                 test_stalled_gateway);
    CU_add_test (s, "a gateway's 4xx rejects a notice for good; the office sees it", test_rejected);
    CU_add_test (s, "the texts: 您, Chinese only, link, remedies, the cabinet", test_texts);
    CU_add_test (s, "the notify and remedies keys of the hall config", test_config_keys);
    return 0;
}
