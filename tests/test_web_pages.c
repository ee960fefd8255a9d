/*  test_web_pages.c — the gateway's pages on a busy day, part of the web_it suite
    (test_web.h; the hall is started by test_web_it.c): the hall moves to a working Monday
    and runs a morning (counters with clerks, a service with no counter open, waits past
    the limit, a cabinet alarm on and one recovered), then the kiosk (priorities, the
    warning for a service with no open counter, appointment check-in), the board (eight
    recent calls, never the current one; the call as WAV) and the dashboard (alerts, clerks,
    alarms in Chinese that clear, charts that stop at now) are checked over HTTP. The same
    hall is what the browser tests lay out and photograph (test_web_browser.c). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_web.h"

#define MONDAY_0830 1795998600000LL //  2026-11-30 08:30 in the hall, a working day
#define MIN         60000LL

//  The booking made on Saturday for Monday's 09:00 slot, checked in at the web kiosk.
static char s_booking[64];

//  Sends a command whose failure does not matter (a counter already logged out).
static void
s_try (const char *command, json_t *body)
{
    int code;
    json_decref (test_call (web_it_hall.client, command, body, &code));
}

static void
s_advance (int64_t ms)
{
    json_decref (web_it_call ("clock.advance", json_pack ("{s:I}", "ms", (json_int_t)ms), 0));
}

//  Each open counter finishes what it holds and calls the next ticket.
static void
s_serve_round (const int *counters, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s_try ("ticket.start", json_pack ("{s:i}", "counter", counters[i]));
        s_try ("ticket.finish", json_pack ("{s:i}", "counter", counters[i]));
        s_try ("ticket.call_next", json_pack ("{s:i}", "counter", counters[i]));
    }
}

//  A cabinet report: slot A02 jammed, A03 ajar or not, and the alarm to raise (or none).
static void
s_cabinet (bool a03_ajar, const char *alarm, const char *slot, const char *detail)
{
    json_t *body = json_pack (
        "{s:s, s:s, s:[{s:s, s:s, s:s, s:[], s:s, s:b}, {s:s, s:s, s:s, s:[s], s:s, s:b},"
        " {s:s, s:s, s:s, s:o, s:s, s:b}]}",
        "cabinet", "CAB1", "name", "1号智能柜", "slots", "slot", "A01", "size", "S", "state",
        "occupied", "alarms", "door", "closed", "occupied", 1, "slot", "A02", "size", "M", "state",
        "free", "alarms", "jammed", "door", "closed", "occupied", 0, "slot", "A03", "size", "L",
        "state", "free", "alarms", a03_ajar ? json_pack ("[s]", "ajar") : json_array (), "door",
        a03_ajar ? "open" : "closed", "occupied", 0);
    if (alarm)
        json_object_set_new (body, "alarm",
                             json_pack ("{s:s, s:s, s:s, s:i}", "alarm", alarm, "slot", slot,
                                        "detail", detail, "time", 0));
    json_decref (web_it_call ("vault.report", body, 0));
}

//  Checks the Saturday booking in at the web kiosk: the slip, with appointment priority.
static void
s_checkin (void)
{
    char form[200];
    snprintf (form, sizeof form,
              "code=http%%3A%%2F%%2F127.0.0.1%%3A8080%%2Ft%%2F%s&rid="
              "c0ffee00c0ffee00c0ffee00c0ffee00",
              s_booking);
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_http ("POST", "/kiosk/checkin", form, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "id=\"slip\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "预约优先"));
    web_it_resp_free (&r);
    //  The same press again is the same ticket; a new one is refused: checked in already.
    CU_ASSERT (web_it_http ("POST", "/kiosk/checkin", form, &r) == 0 && r.status == 200);
    web_it_resp_free (&r);
    snprintf (form, sizeof form, "code=%s", s_booking);
    CU_ASSERT (web_it_http ("POST", "/kiosk/checkin", form, &r) == 0 && r.status == 409);
    CU_ASSERT_PTR_NOT_NULL (r.body && strstr (r.body, "不能签到"));
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/kiosk/checkin", "code=NOSUCHCODE", &r) == 0 &&
               r.status == 404);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/kiosk/checkin", "code=", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/kiosk/checkin", &r) == 0 && r.status == 200 &&
               strstr (r.body, "name=\"code\""));
    web_it_resp_free (&r);
}

void
test_web_pages_busy_day (void)
{
    //  Saturday: book Monday 09:00, then go to Monday 08:30.
    json_t *b =
        web_it_call ("appointment.book",
                     json_pack ("{s:s, s:i, s:s, s:s, s:s}", "service", "B", "date", 20261130,
                                "slot", "09:00", "name", "刘秀英", "phone", "13812345678"),
                     0);
    snprintf (s_booking, sizeof s_booking, "%s", web_it_str (b, "code"));
    json_decref (b);
    CU_ASSERT_FATAL (s_booking[0] != 0);
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    int64_t now = (int64_t)json_integer_value (json_object_get (snap, "now"));
    json_decref (snap);
    CU_ASSERT_FATAL (now > 0 && now < MONDAY_0830);
    s_advance (MONDAY_0830 - now);
    //  Six counters open with their clerks; 4 (A, D) and 8 (F, E) stay closed: nobody
    //  serves D or F.
    static const struct {
        int counter;
        const char *clerk, *services;
    } open[] = {
        {1, "0412 王芳", "ABC"}, {2, "0415 赵强", "BCG"}, {3, "0421 李娜", "A"},
        {5, "0433 陈静", "BG"},  {6, "0438 刘洋", "C"},   {7, "0440 周敏", "E"},
    };
    int counters[8];
    size_t n = sizeof open / sizeof open[0];
    for (int c = 1; c <= 8; c++)
        s_try ("counter.logout", json_pack ("{s:i}", "counter", c));
    for (size_t i = 0; i < n; i++) {
        json_t *services = json_array ();
        for (const char *p = open[i].services; *p; p++)
            json_array_append_new (services, json_stringn (p, 1));
        json_decref (web_it_call ("counter.login",
                                  json_pack ("{s:i, s:s, s:o}", "counter", open[i].counter, "clerk",
                                             open[i].clerk, "services", services),
                                  0));
        counters[i] = open[i].counter;
    }
    //  A morning, five minutes a step: the line grows from ten o'clock.
    for (int step = 1; step <= 28; step++) {
        const char *issue = step > 16 ? "ABCEBGABC" : step > 6 ? "ABCEBG" : "ABCE";
        for (const char *p = issue; *p; p++) {
            char service[2] = {*p, 0};
            json_decref (web_it_call ("ticket.issue", json_pack ("{s:s}", "service", service), 0));
        }
        if (step % 3 == 0)
            json_decref (web_it_call ("ticket.issue", json_pack ("{s:s}", "service", "D"), 0));
        s_advance (2 * MIN);
        s_serve_round (counters, n);
        s_advance (3 * MIN);
        if (step == 4)
            s_checkin ();
    }
    //  Now: a recall at 5, 1, 2 and 7 serving, 6 on a break, 3 idle.
    s_try ("ticket.recall", json_pack ("{s:i}", "counter", 5));
    for (int c = 1; c <= 7; c++)
        if (c != 5)
            s_try ("ticket.start", json_pack ("{s:i}", "counter", c));
    s_try ("ticket.finish", json_pack ("{s:i}", "counter", 6));
    s_try ("ticket.finish", json_pack ("{s:i}", "counter", 3));
    json_decref (
        web_it_call ("counter.pause", json_pack ("{s:i, s:s}", "counter", 6, "reason", "午休"), 0));
    //  The cabinet: A02 jams, A03 is left open and then closed (recovered).
    s_cabinet (false, "jammed", "A02", "柜门未能打开 / the door did not open after two pulses");
    s_advance (MIN);
    s_cabinet (true, "ajar", "A03", "柜门长时间未关 / the door has been left open");
    s_advance (MIN);
    s_cabinet (false, NULL, NULL, NULL);
    CU_ASSERT (web_it_wait_for ("/dashboard?part=live", "已恢复", 15000));
}

//  The number after `marker` in `html` up to the next '<', into out ("" if none).
static void
s_after (const char *html, const char *marker, char *out, size_t size)
{
    const char *p = html ? strstr (html, marker) : NULL;
    out[0] = 0;
    if (p)
        snprintf (out, size, "%.*s", (int)strcspn (p + strlen (marker), "<\""),
                  p + strlen (marker));
}

//  The day's issued count of `service`, from the broker.
static json_int_t
s_issued (const char *service)
{
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    json_int_t n = json_integer_value (
        json_object_get (json_object_get (json_object_get (snap, "stats"), service), "issued"));
    json_decref (snap);
    return n;
}

//  The priority the broker holds for ticket `number` (a live one), or "".
static void
s_priority_of (const char *number, char *out, size_t size)
{
    json_t *snap = web_it_call ("hall.snapshot", NULL, 0);
    size_t i;
    json_t *t;
    out[0] = 0;
    json_array_foreach (json_object_get (snap, "tickets"), i, t) {
        if (strcmp (web_it_str (t, "number"), number) == 0)
            snprintf (out, size, "%s", web_it_str (t, "priority"));
    }
    json_decref (snap);
}

void
test_web_pages_kiosk (void)
{
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get ("/kiosk?priority=elderly", &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "name=\"priority\" value=\"elderly\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "aria-current=\"true\">✓ 老年人优先"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "class=\"svc closed\">税务办理"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "暂无窗口办理"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "href=\"/kiosk/checkin\""));
    CU_ASSERT_PTR_NULL (strstr (r.body, "你"));
    web_it_resp_free (&r);

    //  An elderly citizen's ticket: the slip says so, and so does the broker.
    CU_ASSERT_FATAL (web_it_http ("POST", "/kiosk", "service=B&priority=elderly", &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "老年人优先"));
    char number[16], priority[16];
    s_after (r.body, "class=\"num\">", number, sizeof number);
    web_it_resp_free (&r);
    s_priority_of (number, priority, sizeof priority);
    CU_ASSERT_STRING_EQUAL (priority, "elderly");
    CU_ASSERT (web_it_http ("POST", "/kiosk", "service=B&priority=vip", &r) == 0 &&
               r.status == 400);
    web_it_resp_free (&r);

    //  D has no open counter: a warning, and no ticket until the citizen confirms; the
    //  confirmation issues one ticket however often it is sent.
    json_int_t before = s_issued ("D");
    const char *form = "service=D&priority=green&rid=d00d00d00d00d00d00d00d00d00d00d0";
    CU_ASSERT_FATAL (web_it_http ("POST", "/kiosk", form, &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "id=\"no-counter\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "暂无窗口办理该业务"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "value=\"d00d00d00d00d00d00d00d00d00d00d0\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "name=\"confirm\" value=\"1\""));
    CU_ASSERT_PTR_NULL (strstr (r.body, "id=\"slip\""));
    web_it_resp_free (&r);
    CU_ASSERT_EQUAL (s_issued ("D"), before);
    char confirmed[120], first[16] = "", again[16] = "";
    snprintf (confirmed, sizeof confirmed, "%s&confirm=1", form);
    CU_ASSERT (web_it_http ("POST", "/kiosk", confirmed, &r) == 0 && r.status == 200);
    s_after (r.body, "class=\"num\">", first, sizeof first);
    CU_ASSERT_PTR_NOT_NULL (r.body && strstr (r.body, "绿色通道"));
    CU_ASSERT_PTR_NOT_NULL (r.body && strstr (r.body, "窗口开放后按顺序叫号"));
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", "/kiosk", confirmed, &r) == 0 && r.status == 200);
    s_after (r.body, "class=\"num\">", again, sizeof again);
    web_it_resp_free (&r);
    CU_ASSERT (first[0] == 'D' && strcmp (first, again) == 0);
    CU_ASSERT_EQUAL (s_issued ("D"), before + 1);
}

void
test_web_pages_board (void)
{
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get ("/board?part=live", &r) == 0 && r.status == 200);
    char latest[16];
    s_after (strstr (r.body, "id=\"latest\""), "class=\"num\">", latest, sizeof latest);
    CU_ASSERT_FATAL (latest[0] != 0);
    //  Eight recent calls, each number once, never the one called now.
    const char *list = strstr (r.body, "<ol id=\"recent\">");
    CU_ASSERT_PTR_NOT_NULL_FATAL (list);
    char seen[8][16];
    int n = 0;
    for (const char *li = strstr (list, "<li"); li && li < strstr (list, "</ol>");
         li = strstr (li + 1, "<li")) {
        char number[16];
        s_after (li, "class=\"num\">", number, sizeof number);
        CU_ASSERT_STRING_NOT_EQUAL (number, latest);
        for (int k = 0; k < n && k < 8; k++)
            CU_ASSERT_STRING_NOT_EQUAL (number, seen[k]);
        if (n < 8)
            snprintf (seen[n], sizeof seen[n], "%s", number);
        n++;
    }
    CU_ASSERT_EQUAL (n, 8);
    //  The latest call as the page's voice script reads it, and as a WAV.
    char say[96], wav[64];
    s_after (r.body, "data-say=\"", say, sizeof say);
    s_after (r.body, "data-wav=\"", wav, sizeof wav);
    web_it_resp_free (&r);
    char want[64];
    snprintf (want, sizeof want, "请 %s 号到 ", latest);
    CU_ASSERT_PTR_NOT_NULL (strstr (say, want));
    CU_ASSERT_PTR_NOT_NULL (strstr (say, " 号窗口办理"));
    int st;
    free (test_run ("command -v espeak-ng >/dev/null 2>&1", &st));
    CU_ASSERT_FATAL (web_it_get (wav, &r) == 0);
    if (st == 0) {
        CU_ASSERT (r.status == 200 && r.body && strncmp (r.body, "RIFF", 4) == 0);
    } else {
        CU_ASSERT_EQUAL (r.status, 503);
    }
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/voice/Z999-1", &r) == 0 && r.status == 404);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_get ("/voice/..%2Fetc", &r) == 0 && r.status == 404);
    web_it_resp_free (&r);
}

//  The text of `html` without its tags (what a reader sees); caller frees.
static char *
s_text (const char *html)
{
    char *out = malloc (strlen (html) + 1), *o = out;
    bool tag = false;
    for (const char *p = html; out && *p; p++) {
        if (*p == '<')
            tag = true;
        else if (*p == '>')
            tag = false;
        else if (!tag)
            *o++ = *p;
    }
    if (out)
        *o = 0;
    return out;
}

//  The x of every point of the first polyline in the chart `id`, at most `limit`; false
//  if there is none.
static bool
s_points_before (const char *html, const char *id, double limit)
{
    const char *chart = html ? strstr (html, id) : NULL;
    const char *pts = chart ? strstr (chart, "<polyline class=\"line\" points=\"") : NULL;
    if (!pts)
        return false;
    pts += strlen ("<polyline class=\"line\" points=\"");
    bool ok = true;
    while (*pts && *pts != '"') {
        char *end;
        double x = strtod (pts, &end);
        if (end == pts)
            break;
        ok = ok && x <= limit + 1.0;
        pts = strchr (end, ' ');
        if (!pts)
            break;
        pts++;
    }
    return ok;
}

void
test_web_pages_dashboard (void)
{
    web_it_resp_t r;
    CU_ASSERT_FATAL (web_it_get ("/dashboard?part=live", &r) == 0 && r.status == 200);
    //  D: people wait with no counter open, red, with its mark and in words.
    const char *d = strstr (r.body, "D 税务办理");
    CU_ASSERT_PTR_NOT_NULL_FATAL (d);
    CU_ASSERT_PTR_NOT_NULL (strstr (d, "<b class=\"mk\">!!</b>无窗口办理"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<tr class=\"lvl-red\"><td>D 税务办理"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "预计超时"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "0412 王芳"));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "暂停（午休）"));
    //  The jam is on; the open door was closed again: history, recovered.
    const char *now = strstr (r.body, "id=\"alarms-now\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL (now);
    CU_ASSERT_PTR_NOT_NULL (strstr (now, "A02 格口：<b>柜门卡滞，无法开启</b>"));
    const char *history = strstr (now, "id=\"alarms\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL (history);
    const char *ajar = strstr (history, "柜门未关");
    CU_ASSERT (ajar && strstr (ajar, "已恢复") && strstr (ajar, "已恢复") < strstr (ajar, "</li>"));
    //  What a reader sees holds no internal state names.
    char *text = s_text (r.body);
    const char *states[] = {"logged_out", "idle", "calling", "serving", "paused", "jammed", "ajar"};
    for (size_t k = 0; k < sizeof states / sizeof states[0]; k++)
        CU_ASSERT_PTR_NULL (text ? strstr (text, states[k]) : "no text");
    free (text);
    web_it_resp_free (&r);

    //  The same from /api/kpi: alerts and the alarms' state.
    CU_ASSERT_FATAL (web_it_get ("/api/kpi", &r) == 0 && r.status == 200);
    json_t *k = json_loads (r.body, 0, NULL);
    web_it_resp_free (&r);
    const json_t *active = json_object_get (k, "active_alarms");
    CU_ASSERT_EQUAL (json_array_size (active), 1);
    CU_ASSERT_STRING_EQUAL (web_it_str (json_array_get (active, 0), "alarm"), "jammed");
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (k, "services"), i, s) {
        if (strcmp (web_it_str (s, "prefix"), "D") == 0)
            CU_ASSERT_STRING_EQUAL (
                json_string_value (json_array_get (json_object_get (s, "alerts"), 0)),
                "no_counter");
    }
    json_decref (k);

    //  The charts stop at now: no point of the queue's line lies right of the now line.
    CU_ASSERT_FATAL (web_it_get ("/api/charts", &r) == 0 && r.status == 200);
    const char *mark = strstr (r.body, "<line class=\"now\" x1=\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL (mark);
    double x_now = strtod (mark + strlen ("<line class=\"now\" x1=\""), NULL);
    CU_ASSERT (x_now > 40 && x_now < 640);
    CU_ASSERT (s_points_before (r.body, "id=\"chart-queue\"", x_now));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "id=\"chart-hourly\""));
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, ">9时<"));
    web_it_resp_free (&r);
}

void
test_web_pages_finished_visit (char *token, size_t size)
{
    json_t *t = web_it_call ("ticket.issue", json_pack ("{s:s}", "service", "A"), 0);
    char number[16];
    snprintf (number, sizeof number, "%s", web_it_str (t, "number"));
    snprintf (token, size, "%s", web_it_str (t, "token"));
    json_decref (t);
    //  Counter 3 (A) lets go of whatever it holds, then serves this one out of turn.
    s_try ("ticket.start", json_pack ("{s:i}", "counter", 3));
    s_try ("ticket.finish", json_pack ("{s:i}", "counter", 3));
    json_decref (web_it_call ("ticket.call_specific",
                              json_pack ("{s:i, s:s, s:s}", "counter", 3, "ticket", number,
                                         "reason", "评价页测试 / the rating page's test"),
                              0));
    json_decref (web_it_call ("ticket.start", json_pack ("{s:i}", "counter", 3), 0));
    json_decref (web_it_call ("ticket.finish", json_pack ("{s:i}", "counter", 3), 0));
}

//  The count of `needle` in `text`.
static int
s_count (const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; p && (p = strstr (p, needle)) != NULL; p += strlen (needle))
        n++;
    return n;
}

//  True if a rectification item (a bad rating) the broker holds has `comment`.
static bool
s_bad_comment (const char *comment)
{
    json_t *list = web_it_call ("rating.list", NULL, 0);
    size_t i;
    json_t *item;
    bool found = false;
    json_array_foreach (json_object_get (list, "rectifications"), i, item)
        found = found || strcmp (web_it_str (item, "comment"), comment) == 0;
    json_decref (list);
    return found;
}

void
test_web_pages_rating (void)
{
    char token[PROTO_TOKEN_LEN + 1], path[128], url[160];
    test_web_pages_finished_visit (token, sizeof token);
    snprintf (path, sizeof path, "/rate/%s", token);
    web_it_resp_t r;
    //  Step 1: five levels, each a plain GET of step 2; nothing on it records anything.
    CU_ASSERT_FATAL (web_it_get (path, &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<form method=\"get\" action=\"/rate/"));
    CU_ASSERT_EQUAL (s_count (r.body, "name=\"level\" value=\""), 5);
    CU_ASSERT_PTR_NULL (strstr (r.body, "method=\"post\""));
    CU_ASSERT_PTR_NULL (strstr (r.body, "<textarea"));
    web_it_resp_free (&r);
    //  Step 2 of a bad rating: the level, the five reasons (one to choose), the comment box
    //  and the button, in one form that posts.
    snprintf (url, sizeof url, "%s?level=2", path);
    CU_ASSERT_FATAL (web_it_get (url, &r) == 0 && r.status == 200);
    const char *form = strstr (r.body, "<form method=\"post\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL (form);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<b>不满意</b>"));
    CU_ASSERT_PTR_NOT_NULL (strstr (form, "name=\"level\" value=\"2\""));
    const char *reasons[] = {"等候时间长", "态度不好", "材料要求不清楚", "多次跑腿", "其他"};
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_PTR_NOT_NULL (strstr (form, reasons[i]));
    CU_ASSERT_EQUAL (s_count (form, "type=\"radio\" name=\"reason\""), 5);
    const char *comment = strstr (form, "<textarea name=\"comment\"");
    const char *submit = strstr (form, "type=\"submit\"");
    CU_ASSERT (comment && submit && comment < submit && strstr (form, "</form>") > submit);
    web_it_resp_free (&r);
    //  Step 2 of a good one: a comment box and the button, no reasons.
    snprintf (url, sizeof url, "%s?level=4", path);
    CU_ASSERT_FATAL (web_it_get (url, &r) == 0 && r.status == 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "<textarea name=\"comment\""));
    CU_ASSERT_PTR_NULL (strstr (r.body, "name=\"reason\""));
    web_it_resp_free (&r);
    //  A level that is not one: step 1 again.
    snprintf (url, sizeof url, "%s?level=9", path);
    CU_ASSERT (web_it_get (url, &r) == 0 && r.status == 200 &&
               s_count (r.body, "name=\"level\" value=\"") == 5);
    web_it_resp_free (&r);

    //  A bad rating needs a reason (or a comment); an unknown reason and a comment over
    //  ticket.rate's room are refused before anything is recorded.
    CU_ASSERT (web_it_http ("POST", path, "level=1", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    CU_ASSERT (web_it_http ("POST", path, "level=1&reason=weather", &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    char form_text[2048] = "level=1&reason=unclear&comment=";
    for (int i = 0; i < 170; i++)
        strcat (form_text, "%E5%A5%BD"); //  好: 170 characters, 510 bytes
    CU_ASSERT (web_it_http ("POST", path, form_text, &r) == 0 && r.status == 400);
    web_it_resp_free (&r);
    //  The reason and the comment reach the broker as the comment, the reason first.
    CU_ASSERT_FATAL (
        web_it_http ("POST", path,
                     "level=1&reason=trips&comment=%E8%B7%91%E4%BA%86%E4%B8%89%E6%AC%A1", &r) == 0);
    CU_ASSERT_EQUAL (r.status, 200);
    CU_ASSERT_PTR_NOT_NULL (strstr (r.body, "id=\"follow-up\""));
    web_it_resp_free (&r);
    CU_ASSERT (s_bad_comment ("【多次跑腿】跑了三次"));
    //  Rated once only.
    CU_ASSERT (web_it_http ("POST", path, "level=5", &r) == 0 && r.status == 409);
    web_it_resp_free (&r);
}
