/*  test_web_citizen.c — the citizen's phone page /t/TOKEN in each state a visit passes
    through, part of the web_it suite (test_web.h; after the busy day of test_web_pages.c):
    waiting, called, being served, finished without a case, finished with a case only
    accepted, a result ready in the cabinet (its QR code and pickup code), collected, and
    taken back from the cabinet. Each page says what it must in Chinese, never an internal
    state name, never 已办结 for a case not concluded, and the cabinet's name in Chinese
    sentences in Chinese only. 关怀模式 (large type) by ?care=1, kept by a cookie, on /t/
    and /kiosk. The pages are left in web_it_hall.citizen for the browser to photograph
    (test_web_browser.c). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_text.h"
#include "test_web.h"

#define CABINET  "C2"
#define CAB_NAME "一楼自助取件柜 / Self-service pickup cabinet, ground floor"

//  Internal names of ticket and case states: none may reach a citizen's page.
static const char *const s_internal[] = {
    "awaiting_pickup", "ready_for_pickup",  "in_review",  "supplement_pending",
    "not_accepted",    "special_procedure", "logged_out",
};

static void
s_try (const char *command, json_t *body)
{
    int code;
    json_decref (test_call (web_it_hall.client, command, body, &code));
}

//  Issues a ticket of `service`; its number and token.
static void
s_issue (const char *service, char *number, char *token)
{
    json_t *t = web_it_call ("ticket.issue", json_pack ("{s:s}", "service", service), 0);
    snprintf (number, 16, "%s", web_it_str (t, "number"));
    snprintf (token, PROTO_TOKEN_LEN + 1, "%s", web_it_str (t, "token"));
    json_decref (t);
}

//  Counter `counter` lets go of what it holds and calls ticket `number` out of turn.
static void
s_call (int counter, const char *number)
{
    s_try ("ticket.start", json_pack ("{s:i}", "counter", counter));
    s_try ("ticket.finish", json_pack ("{s:i}", "counter", counter));
    json_decref (web_it_call ("ticket.call_specific",
                              json_pack ("{s:i, s:s, s:s}", "counter", counter, "ticket", number,
                                         "reason", "状态页测试 / the status page's test"),
                              0));
}

//  A result of 发票领用 (immediate, a document to hand out) for the company `uscc`, its
//  agent `id`, served at counter 4: approved, awaiting pickup. Its token and case number.
static void
s_result (const char *uscc, const char *id, char *token, char *no)
{
    char number[16];
    s_issue ("D", number, token);
    s_call (4, number);
    json_decref (web_it_call ("ticket.start", json_pack ("{s:i}", "counter", 4), 0));
    json_t *r = web_it_call ("case.accept",
                             json_pack ("{s:i, s:s, s:s, s:s, s:s, s:[s,s]}", "counter", 4, "item",
                                        "invoice", "name", "示例科技有限公司", "uscc", uscc,
                                        "id_number", id, "documents", "application", "agent_id"),
                             0);
    snprintf (no, 48, "%s", web_it_str (r, "case_no"));
    json_decref (r);
    json_decref (web_it_call ("case.approve", json_pack ("{s:s}", "case_no", no), 0));
    json_decref (web_it_call ("ticket.finish", json_pack ("{s:i}", "counter", 4), 0));
}

static void
s_deposit (const char *no, const char *slot)
{
    json_decref (web_it_call (
        "vault.deposited",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "case_no", no, "slot", slot), 0));
}

//  Remembers a page for the browser: /t/TOKEN (with `query`) as `name`.
static void
s_keep (const char *name, const char *token, const char *query)
{
    if (web_it_hall.ncitizen >= WEB_IT_CITIZEN)
        return;
    snprintf (web_it_hall.citizen[web_it_hall.ncitizen].name, sizeof web_it_hall.citizen[0].name,
              "%s", name);
    snprintf (web_it_hall.citizen[web_it_hall.ncitizen].path, sizeof web_it_hall.citizen[0].path,
              "/t/%s%s", token, query);
    web_it_hall.ncitizen++;
}

//  GET /t/TOKEN: the page, which must hold every one of `want` and none of `never` nor an
//  internal state name. Caller frees the body.
static char *
s_page (const char *token, const char *const *want, const char *const *never)
{
    char path[96];
    snprintf (path, sizeof path, "/t/%s", token);
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get (path, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    for (size_t i = 0; want && want[i]; i++) {
        CU_ASSERT_PTR_NOT_NULL (strstr (r.body, want[i]));
        if (!strstr (r.body, want[i]))
            fprintf (stderr, "\n    %s lacks '%s'\n", path, want[i]);
    }
    for (size_t i = 0; never && never[i]; i++) {
        CU_ASSERT_PTR_NULL (strstr (r.body, never[i]));
        if (strstr (r.body, never[i]))
            fprintf (stderr, "\n    %s shows '%s'\n", path, never[i]);
    }
    //  What the page says (its text and attributes), but the topics its script listens
    //  for: `case.ready_for_pickup` is an event's name, not shown.
    char *topics = strstr (r.body, " data-topics=\"");
    char *end = topics ? strchr (topics + 14, '"') : NULL;
    if (end)
        memset (topics, ' ', (size_t)(end - topics) + 1);
    for (size_t i = 0; i < sizeof s_internal / sizeof s_internal[0]; i++) {
        CU_ASSERT_PTR_NULL (strstr (r.body, s_internal[i]));
        if (strstr (r.body, s_internal[i]))
            fprintf (stderr, "\n    %s shows '%s'\n", path, s_internal[i]);
    }
    char *body = r.body;
    r.body = NULL;
    web_it_resp_free (&r);
    return body;
}

//  The pickup code ticket.status gives the holder of `token` ("" when none).
static void
s_code (const char *token, char *code)
{
    json_t *st = web_it_call ("ticket.status", json_pack ("{s:s}", "token", token), 0);
    snprintf (code, 16, "%s",
              web_it_str (json_object_get (json_object_get (st, "case"), "pickup"), "code"));
    json_decref (st);
}

//  The visit's states before any case: waiting, called, served, finished.
static void
s_ticket_states (void)
{
    char number[16], token[PROTO_TOKEN_LEN + 1];
    //  Waiting: E, which counter 7 serves (an estimate), behind three others.
    for (int i = 0; i < 4; i++)
        s_issue ("E", number, token);
    free (s_page (token, (const char *const[]){"您前面还有", "预计等候", number, NULL}, NULL));
    //  The wait as the broker's 80% interval, in the words of the slip and onewindow status.
    json_t *st = web_it_call ("ticket.status", json_pack ("{s:s}", "token", token), 0);
    const json_t *t = json_object_get (st, "ticket");
    CU_ASSERT (json_is_integer (json_object_get (t, "est_wait_hi_s")));
    char range[160];
    proto_format_wait_range (t, range, sizeof range);
    char *slash = strstr (range, " / ");
    if (slash)
        *slash = 0;
    free (s_page (token, (const char *const[]){range, NULL}, NULL));
    json_decref (st);
    s_keep ("waiting", token, "");
    //  Being served: F at counter 8.
    json_decref (web_it_call (
        "counter.login",
        json_pack ("{s:i, s:s, s:[s]}", "counter", 8, "clerk", "0451 孙丽", "services", "F"), 0));
    s_issue ("F", number, token);
    s_call (8, number);
    json_decref (web_it_call ("ticket.start", json_pack ("{s:i}", "counter", 8), 0));
    free (s_page (token, (const char *const[]){"办理中", "8号窗口", NULL}, NULL));
    s_keep ("serving", token, "");
    //  Finished, no case: the visit is over, nothing was decided.
    test_web_pages_finished_visit (token, sizeof token);
    free (s_page (token, (const char *const[]){"本次服务已结束", "评价本次服务", NULL},
                  (const char *const[]){"已办结", "办件", NULL}));
    s_keep ("done", token, "");
}

//  A visit that left a case only accepted: the visit is over, the case is not.
static void
s_accepted (void)
{
    char number[16], token[PROTO_TOKEN_LEN + 1];
    s_issue ("A", number, token);
    s_call (3, number);
    json_decref (web_it_call ("ticket.start", json_pack ("{s:i}", "counter", 3), 0));
    json_decref (
        web_it_call ("case.accept",
                     json_pack ("{s:i, s:s, s:s, s:s, s:[s,s,s,s]}", "counter", 3, "item",
                                "biz_setup", "name", "张建国", "id_number", "110105198002020128",
                                "documents", "application", "articles", "rep_id", "address"),
                     0));
    json_decref (web_it_call ("ticket.finish", json_pack ("{s:i}", "counter", 3), 0));
    free (s_page (token,
                  (const char *const[]){"本次服务已结束", "已受理", "企业设立登记", "审批中", NULL},
                  (const char *const[]){"已办结", "张建国", "11010519800202", NULL}));
    s_keep ("accepted", token, "");
}

//  Results in the cabinet: ready (the QR code, the pickup code and the second factor, the
//  cabinet's name in Chinese), collected, taken back to the counter.
static void
s_results (void)
{
    json_t *slots =
        json_pack ("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "slot", "M01", "state", "free", "slot",
                   "M02", "state", "free", "slot", "M03", "state", "free");
    json_decref (web_it_call (
        "vault.report",
        json_pack ("{s:s, s:s, s:o}", "cabinet", CABINET, "name", CAB_NAME, "slots", slots), 0));
    json_decref (web_it_call (
        "counter.login",
        json_pack ("{s:i, s:s, s:[s]}", "counter", 4, "clerk", "0427 吴敏", "services", "D"), 0));
    char ready[PROTO_TOKEN_LEN + 1], taken[PROTO_TOKEN_LEN + 1], back[PROTO_TOKEN_LEN + 1];
    char n1[48], n2[48], n3[48], code[16];
    s_result ("91350100M0001011X8", "110105198002020144", ready, n1);
    s_result ("91350100M0001022XY", "110105198002020160", taken, n2);
    s_result ("91350100M0001033XM", "110105198002020187", back, n3);
    s_deposit (n1, "M01");
    s_deposit (n2, "M02");
    s_deposit (n3, "M03");
    //  Ready: the code the broker gives the token's holder, grouped in two.
    s_code (ready, code);
    CU_ASSERT_EQUAL_FATAL (strlen (code), 8);
    char grouped[48];
    snprintf (grouped, sizeof grouped, "id=\"pickup-code\">%.4s<span></span>%.4s<", code, code + 4);
    char *body =
        s_page (ready,
                (const char *const[]){"<svg class=\"qr\"", grouped,
                                      "已存入<b>一楼自助取件柜 <span class=\"nw\">M01 格口",
                                      "再输入申请人身份证号后四位", "已入柜待取", NULL},
                (const char *const[]){"取件柜 / Self-service", "已办结（", "11010519800202", NULL});
    free (body);
    s_keep ("ready", ready, "");
    //  /api/status has it too, for the same holder.
    char path[96];
    snprintf (path, sizeof path, "/api/status/%s", ready);
    web_it_resp_t r;
    CU_ASSERT (web_it_get (path, &r) == 0 && r.status == 200 && strstr (r.body, code));
    web_it_resp_free (&r);
    //  Collected: said so, no code, no QR code.
    s_code (taken, code);
    json_decref (web_it_call ("vault.collected",
                              json_pack ("{s:s, s:s, s:s, s:I}", "cabinet", CABINET, "case_no", n2,
                                         "slot", "M02", "time", (json_int_t)0),
                              0));
    free (s_page (taken, (const char *const[]){"已领取", "已于 2026-11-30 ", NULL},
                  (const char *const[]){"<svg class=\"qr\"", "id=\"pickup-code\"", NULL}));
    s_keep ("collected", taken, "");
    //  Taken back by staff: to the counter, in words.
    json_decref (web_it_call (
        "vault.recovered",
        json_pack ("{s:s, s:s, s:s}", "cabinet", CABINET, "case_no", n3, "slot", "M03"), 0));
    free (s_page (back, (const char *const[]){"已从智能柜转到窗口", "待领取", NULL},
                  (const char *const[]){"<svg class=\"qr\"", NULL}));
    //  The terminal's `onewindow status` says the same, the cabinet in Chinese.
    char cmd[1400];
    snprintf (cmd, sizeof cmd, "'%s' --broker '%s' status '%s'", test_bin ("onewindow"),
              web_it_hall.broker.req, ready);
    int st;
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    s_code (ready, code);
    char want[64];
    snprintf (want, sizeof want, "%.4s %.4s", code, code + 4);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, want));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "一楼自助取件柜 M01 格口"));
    CU_ASSERT_PTR_NULL (out ? strstr (out, "取件柜 / Self-service") : NULL);
    free (out);
    //  Called: the last, so counter 4 keeps it (the browser photographs it so).
    char number[16], token[PROTO_TOKEN_LEN + 1];
    s_issue ("D", number, token);
    s_call (4, number);
    free (s_page (token, (const char *const[]){"已叫号", "请到 <b>4号窗口", NULL}, NULL));
    s_keep ("called", token, "");
    s_keep ("ready-care", ready, "?care=1");
}

//  关怀模式: ?care=1 turns it on and says so in a cookie, the cookie keeps it, ?care=0
//  turns it off; the page then is larger, without English, with fewer words.
static void
s_care (void)
{
    const char *token = NULL;
    for (int i = 0; i < web_it_hall.ncitizen; i++)
        if (strcmp (web_it_hall.citizen[i].name, "ready") == 0)
            token = web_it_hall.citizen[i].path + 3;
    CU_ASSERT_PTR_NOT_NULL_FATAL (token);
    char path[96], req[512];
    snprintf (path, sizeof path, "/t/%s?care=1", token);
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get (path, &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<body class=\"citizen care\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.head, "Set-Cookie: care=1; Path=/"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "id=\"pickup-code\""));
    CU_ASSERT_PTR_NULL (strstr (r.body, "办结期限")); //  fewer words
    CU_ASSERT_PTR_NULL (strstr (r.body, "取件码请勿告诉他人"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "?care=0\" id=\"care-switch\">标准模式"));
    web_it_resp_free (&r);
    //  The cookie alone keeps it, for the page and its live part.
    const char *with[] = {"", "?part=live"};
    for (size_t i = 0; i < 2; i++) {
        snprintf (req, sizeof req,
                  "GET /t/%s%s HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: care=1\r\n\r\n", token,
                  with[i]);
        CU_ASSERT_FATAL (web_it_raw (req, &r) == 0 && r.status == 200);
        CU_ASSERT_PTR_NULL (strstr (r.body, "办结期限"));
        CU_ASSERT_PTR_NULL (strstr (r.head, "Set-Cookie"));
        web_it_resp_free (&r);
    }
    snprintf (req, sizeof req,
              "GET /t/%s?care=0 HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: care=1\r\n\r\n", token);
    CU_ASSERT_FATAL (web_it_raw (req, &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<body class=\"citizen\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.head, "Set-Cookie: care=0; Path=/; Max-Age=0"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "办结期限"));
    web_it_resp_free (&r);
    //  The kiosk: the switch, then one column of large buttons and no English.
    CU_ASSERT_FATAL (web_it_get ("/kiosk", &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "href=\"/kiosk?care=1\">关怀模式"));
    web_it_resp_free (&r);
    CU_ASSERT_FATAL (web_it_get ("/kiosk?care=1&priority=elderly", &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<body class=\"kiosk care\""));
    CU_ASSERT_PTR_NOT_NULL (
        strstr (r.body, "data-part=\"/kiosk?part=live&amp;priority=elderly&amp;care=1\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.head, "Set-Cookie: care=1"));
    web_it_resp_free (&r);
}

void
test_web_citizen_states (void)
{
    web_it_hall.ncitizen = 0;
    s_ticket_states ();
    s_accepted ();
    s_results ();
    s_care ();
}
