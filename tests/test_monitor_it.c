/*  test_monitor_it.c — `onewindow monitor` against a real broker on a simulated clock.

    A morning is played with exact clock steps, so every figure is known in advance: the
    --json figures (average wait and handling, over-wait count and rate with a 30-minute
    limit, served, rating and good-rating rates, counter utilisation and idle time, cabinet
    occupancy and alarms) are checked to the millisecond, --once shows the names and
    states, and the curses screen runs on a pseudo-terminal: first frame, a live update
    from an event, a resize, a broker restart, and 'q'. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "proto_msg.h"
#include "proto_text.h"
#include "test_pty.h"
#include "test_util.h"
#include "tests.h"

//  2026-11-28 09:00 in Beijing (UTC+8).
#define T0  1795827600000LL
#define MIN 60000LL

//  A small hall: services A and B, counters 1 and 3 for A, 5 for B, and the over-wait
//  limit set explicitly to 30 minutes. Caller frees the path.
static char *
s_config (const char *dir)
{
    char *path = malloc (600);
    snprintf (path, 600, "%s/hall.json", dir);
    test_write_file (
        path,
        "{\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\", \"name_en\": \"Test hall\"},"
        " \"over_wait_minutes\": 30,"
        " \"missed\": {\"rule\": \"void\"},"
        " \"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\","
        "                 \"name_en\": \"Business registration\", \"mean_service_s\": 600},"
        "                {\"prefix\": \"B\", \"name\": \"社保医保\","
        "                 \"name_en\": \"Social security\", \"mean_service_s\": 300}],"
        " \"counters\": [{\"id\": 1, \"services\": [\"A\"]}, {\"id\": 3, \"services\": [\"A\"]},"
        "                {\"id\": 5, \"services\": [\"B\"]}]}");
    return path;
}

static void
s_ok (proto_client_t *c, const char *command, json_t *body)
{
    int code;
    json_t *r = test_call (c, command, body, &code);
    if (code != PROTO_ERR_OK)
        fprintf (stderr, "\n  %s: %s\n", command,
                 json_string_value (json_object_get (r, "message")));
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    json_decref (r);
}

static void
s_counter (proto_client_t *c, const char *command, int counter)
{
    s_ok (c, command, json_pack ("{s:i}", "counter", counter));
}

static void
s_login (proto_client_t *c, int counter, const char *service, const char *clerk)
{
    s_ok (c, "counter.login",
          json_pack ("{s:i, s:[s], s:s}", "counter", counter, "services", service, "clerk", clerk));
}

static void
s_advance (proto_client_t *c, long long ms)
{
    s_ok (c, "clock.advance", json_pack ("{s:I}", "ms", (json_int_t)ms));
}

//  Issues a ticket; returns its token (caller frees).
static char *
s_issue (proto_client_t *c, const char *service)
{
    int code;
    json_t *r = test_call (c, "ticket.issue", json_pack ("{s:s}", "service", service), &code);
    CU_ASSERT_EQUAL (code, PROTO_ERR_OK);
    const char *token = json_string_value (json_object_get (r, "token"));
    char *copy = strdup (token ? token : "");
    json_decref (r);
    return copy;
}

//  Runs `onewindow monitor --broker EP ARGS`: stdout (caller frees) and the exit status.
//  stderr goes to a file in the broker's directory and must be empty of sanitizer reports.
static char *
s_monitor (const test_broker_t *b, const char *args, int *status)
{
    char cmd[2048], err[700];
    snprintf (err, sizeof err, "%s/monitor.err", b->dir);
    snprintf (cmd, sizeof cmd, "'%s' monitor --broker '%s' %s 2>'%s'", test_bin ("onewindow"),
              b->req, args, err);
    char *out = test_run (cmd, status);
    char *errors = test_read_file (err);
    CU_ASSERT (!errors || !strstr (errors, "Sanitizer"));
    if (errors && *errors)
        fprintf (stderr, "\n  monitor stderr: %s\n", errors);
    free (errors);
    return out;
}

static const char *
s_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "";
}

static const json_t *
s_find (const json_t *list, const char *key, const char *value)
{
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x) {
        if (strcmp (s_str (x, key), value) == 0)
            return x;
    }
    return NULL;
}

static const json_t *
s_counter_of (const json_t *k, int id)
{
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (k, "counters"), i, x) {
        if (json_integer_value (json_object_get (x, "id")) == id)
            return x;
    }
    return NULL;
}

static long long
s_int (const json_t *j, const char *key)
{
    return json_integer_value (json_object_get (j, key));
}

static double
s_real (const json_t *j, const char *key)
{
    return json_number_value (json_object_get (j, key));
}

//  Plays the morning below on broker b (started on the simulated clock at T0). Times are
//  minutes after 09:00; wait = call - issue, handling = finish - call.
//
//    0   A001-A003, B001, B002 issued; counter 1 opens A (张三), counter 5 opens B (王芳)
//    10  1 calls A001 (wait 10), starts             15  1 finishes A001 (5);
//                                                       5 calls B001 (wait 15), starts
//    35  5 finishes B001 (20); 1 calls A002 (wait 35: over 30), starts
//    45  1 finishes A002 (10); 1 calls A003 (wait 45: over), missed;
//        5 calls B002 (wait 45: over), starts
//    49  5 finishes B002 (4) and pauses; A004, A005 issued
//    50  counter 3 opens A (李四), calls A004 (wait 1), starts
//    52  A001 rated 5 (非常满意), B001 rated 1 (非常不满意); the figures are read here
static void
s_morning (const test_broker_t *b)
{
    proto_client_t *c = test_client (b);
    char *a001 = s_issue (c, "A");
    free (s_issue (c, "A"));
    free (s_issue (c, "A"));
    char *b001 = s_issue (c, "B");
    free (s_issue (c, "B"));
    s_login (c, 1, "A", "张三");
    s_login (c, 5, "B", "王芳");
    s_advance (c, 10 * MIN);
    s_counter (c, "ticket.call_next", 1);
    s_counter (c, "ticket.start", 1);
    s_advance (c, 5 * MIN);
    s_counter (c, "ticket.finish", 1);
    s_counter (c, "ticket.call_next", 5);
    s_counter (c, "ticket.start", 5);
    s_advance (c, 20 * MIN);
    s_counter (c, "ticket.finish", 5);
    s_counter (c, "ticket.call_next", 1);
    s_counter (c, "ticket.start", 1);
    s_advance (c, 10 * MIN);
    s_counter (c, "ticket.finish", 1);
    s_counter (c, "ticket.call_next", 1);
    s_counter (c, "ticket.missed", 1);
    s_counter (c, "ticket.call_next", 5);
    s_counter (c, "ticket.start", 5);
    s_advance (c, 4 * MIN);
    s_counter (c, "ticket.finish", 5);
    s_ok (c, "counter.pause", json_pack ("{s:i, s:s}", "counter", 5, "reason", "午休 lunch"));
    free (s_issue (c, "A"));
    free (s_issue (c, "A"));
    s_advance (c, 1 * MIN);
    s_login (c, 3, "A", "李四");
    s_counter (c, "ticket.call_next", 3);
    s_counter (c, "ticket.start", 3);
    s_advance (c, 2 * MIN);
    s_ok (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", a001, "level", 5));
    s_ok (c, "ticket.rate", json_pack ("{s:s, s:i}", "token", b001, "level", 1));
    //  The cabinet: 4 slots, 2 with something in them (one left past its pickup time),
    //  one door ajar.
    s_ok (c, "vault.report",
          json_pack ("{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:[], s:s}, {s:s, s:s, s:s, s:b, s:[s],"
                     " s:s}, {s:s, s:s, s:s, s:b, s:[], s:s}, {s:s, s:s, s:s, s:b, s:[], s:s}],"
                     " s:{s:s, s:s, s:s}}",
                     "cabinet", "CAB1", "name", "一号柜", "slots", "slot", "A01", "size", "S",
                     "state", "occupied", "occupied", 1, "alarms", "door", "closed", "slot", "A02",
                     "size", "S", "state", "free", "occupied", 0, "alarms", "ajar", "door", "open",
                     "slot", "A03", "size", "M", "state", "free", "occupied", 0, "alarms", "door",
                     "closed", "slot", "A04", "size", "L", "state", "overdue", "occupied", 1,
                     "alarms", "door", "closed", "alarm", "alarm", "ajar", "slot", "A02", "detail",
                     "door left open"));
    free (a001);
    free (b001);
    proto_client_destroy (&c);
}

//  The services' figures of s_morning, and the estimate the broker's own.
static void
s_check_services (const json_t *k, const test_broker_t *b)
{
    const json_t *a = s_find (json_object_get (k, "services"), "prefix", "A");
    CU_ASSERT_PTR_NOT_NULL_FATAL (a);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (a, "name")), "企业开办");
    CU_ASSERT_EQUAL (s_int (a, "waiting"), 1);               //  A005
    CU_ASSERT_EQUAL (s_int (a, "longest_wait_ms"), 3 * MIN); //  A005, issued at 49
    CU_ASSERT_EQUAL (s_int (a, "issued"), 5);
    CU_ASSERT_EQUAL (s_int (a, "called"), 4); //  the missed one counts
    CU_ASSERT_EQUAL (s_int (a, "served"), 2);
    CU_ASSERT_EQUAL (s_int (a, "missed"), 1);
    CU_ASSERT_EQUAL (s_int (a, "avg_wait_ms"), (10 + 35 + 45 + 1) * MIN / 4);
    CU_ASSERT_EQUAL (s_int (a, "max_wait_ms"), 45 * MIN);
    CU_ASSERT_EQUAL (s_int (a, "avg_service_ms"), (5 + 10) * MIN / 2);
    CU_ASSERT_EQUAL (s_int (a, "over_wait"), 2); //  35 and 45 > 30
    CU_ASSERT_DOUBLE_EQUAL (s_real (a, "over_wait_rate"), 2.0 / 4.0, 1e-12);
    CU_ASSERT_EQUAL (s_int (a, "rated"), 1);
    CU_ASSERT_DOUBLE_EQUAL (s_real (a, "rating_rate"), 1.0 / 2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (s_real (a, "good_rate"), 1.0, 1e-12);
    CU_ASSERT_EQUAL (json_integer_value (json_array_get (json_object_get (a, "ratings"), 4)), 1);
    CU_ASSERT_EQUAL (s_int (a, "open_counters"), 2);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (a, "level")), "ok");

    const json_t *bs = s_find (json_object_get (k, "services"), "prefix", "B");
    CU_ASSERT_PTR_NOT_NULL_FATAL (bs);
    CU_ASSERT_EQUAL (s_int (bs, "waiting"), 0);
    CU_ASSERT (json_is_null (json_object_get (bs, "longest_wait_ms")));
    CU_ASSERT_EQUAL (s_int (bs, "called"), 2);
    CU_ASSERT_EQUAL (s_int (bs, "served"), 2);
    CU_ASSERT_EQUAL (s_int (bs, "avg_wait_ms"), (15 + 45) * MIN / 2);
    CU_ASSERT_EQUAL (s_int (bs, "avg_service_ms"), (20 + 4) * MIN / 2);
    CU_ASSERT_EQUAL (s_int (bs, "over_wait"), 1);
    CU_ASSERT_DOUBLE_EQUAL (s_real (bs, "over_wait_rate"), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (s_real (bs, "rating_rate"), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (s_real (bs, "good_rate"), 0.0, 1e-12);
    CU_ASSERT_EQUAL (json_integer_value (json_array_get (json_object_get (bs, "ratings"), 0)), 1);
    CU_ASSERT_EQUAL (s_int (bs, "open_counters"), 0); //  counter 5 is paused
    //  ... without a return time: B is estimated for when such pauses end (broker_learn.h).
    CU_ASSERT (json_is_integer (json_object_get (bs, "est_wait_s")));

    //  The estimate is the broker's own (the snapshot's), not a second formula.
    proto_client_t *c = test_client (b);
    int code;
    json_t *snap = test_call (c, "hall.snapshot", NULL, &code);
    CU_ASSERT_EQUAL_FATAL (code, PROTO_ERR_OK);
    const json_t *sa = s_find (json_object_get (snap, "services"), "prefix", "A");
    CU_ASSERT (json_equal (json_object_get (sa, "est_wait_s"), json_object_get (a, "est_wait_s")));
    const json_t *sb = s_find (json_object_get (snap, "services"), "prefix", "B");
    CU_ASSERT (json_equal (json_object_get (sb, "est_wait_s"), json_object_get (bs, "est_wait_s")));
    json_decref (snap);
    proto_client_destroy (&c);
}

//  The counters' figures: utilisation, idle time, the ticket served.
static void
s_check_counters (const json_t *k)
{
    //  Utilisation = busy / open with the current state's time counted up to `now`. The
    //  figures are read at the snapshot's own clock (the simulated clock stands still
    //  between the last clock.advance and the snapshot), so busy and open are exact
    //  milliseconds and the only tolerance needed is the rounding of one double division
    //  (1e-9). A live screen on a real clock adds its own elapsed time between events;
    //  that is not what is checked here.
    const json_t *c1 = s_counter_of (k, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c1);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (c1, "state")), "idle");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (c1, "clerk")), "张三");
    CU_ASSERT_EQUAL (s_int (c1, "served"), 2);
    CU_ASSERT_EQUAL (s_int (c1, "open_ms"), 52 * MIN);
    CU_ASSERT_EQUAL (s_int (c1, "busy_ms"), (5 + 10) * MIN); //  10-15 and 35-45
    CU_ASSERT_DOUBLE_EQUAL (s_real (c1, "utilisation"), 15.0 / 52.0, 1e-9);
    CU_ASSERT_EQUAL (s_int (c1, "idle_ms"), 7 * MIN); //  idle since the miss at 45
    CU_ASSERT (json_is_null (json_object_get (c1, "ticket")));

    const json_t *c5 = s_counter_of (k, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c5);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (c5, "state")), "paused");
    CU_ASSERT_EQUAL (s_int (c5, "open_ms"), 49 * MIN); //  the pause is not open time
    CU_ASSERT_EQUAL (s_int (c5, "busy_ms"), (20 + 4) * MIN);
    CU_ASSERT_EQUAL (s_int (c5, "paused_ms"), 3 * MIN);
    CU_ASSERT_DOUBLE_EQUAL (s_real (c5, "utilisation"), 24.0 / 49.0, 1e-9);
    CU_ASSERT (json_is_null (json_object_get (c5, "idle_ms")));

    const json_t *c3 = s_counter_of (k, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c3);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (c3, "state")), "serving");
    CU_ASSERT_STRING_EQUAL (s_str (c3, "ticket"), "A004");
    CU_ASSERT_EQUAL (s_int (c3, "open_ms"), 2 * MIN); //  all of it the current state's
    CU_ASSERT_DOUBLE_EQUAL (s_real (c3, "utilisation"), 1.0, 1e-9);
}

//  --pub, and the text frame (--once) showing the same hall.
static void
s_check_text (const test_broker_t *b)
{
    int st;
    char *out;
    //  --pub names the event endpoint instead of the one the broker advertises.
    char args[700];
    snprintf (args, sizeof args, "--json --pub '%s'", b->pub);
    out = s_monitor (b, args, &st);
    CU_ASSERT_EQUAL (st, 0);
    free (out);

    //  The text frame shows the same hall: names, states, the cabinet and its alarm.
    out = s_monitor (b, "--once", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (out);
    const char *want[] = {"测试大厅", "企业开办", "社保医保", "Business registration",
                          "空闲",     "暂停",     "办理中",   "A004",
                          "张三",     "一号柜",   "2/4 50%",  "门未关",
                          "22 分钟", /* A's average wait, 91 min / 4, in whole minutes */
                          "!!"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr (out, want[i])) {
            fprintf (stderr, "\n  --once lacks '%s':\n%s\n", want[i], out);
            CU_FAIL ("--once lacks an expected text");
        }
    //  Raw states and mm:ss are for --json only.
    CU_ASSERT_PTR_NULL (strstr (out, "idle"));
    CU_ASSERT_PTR_NULL (strstr (out, "22:45"));
    CU_ASSERT_PTR_NULL (strchr (out, '\033')); //  plain text, no terminal codes
    free (out);
}

//  On an 80-column screen the key columns stay (over-wait rate, rated, good, open) and
//  no line is longer than the screen.
static void
s_check_80 (const test_broker_t *b)
{
    int st;
    char *out = s_monitor (b, "--once --columns 80", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL (out);
    const char *want[] = {"Waiting", "Longest", "Over%", "Rated%", "Good%", "Open", "超时率",
                          "评价率",  "好评率",  "开窗",  "State",  "Util",  "Idle"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr (out, want[i])) {
            fprintf (stderr, "\n  --once --columns 80 lacks '%s':\n%s\n", want[i], out);
            CU_FAIL ("a key column is missing at 80 columns");
        }
    char *save = NULL;
    for (char *line = strtok_r (out, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        if (proto_display_width (line) > 80) {
            fprintf (stderr, "\n  a line of %d columns: %s\n", proto_display_width (line), line);
            CU_FAIL ("a line is wider than the screen");
        }
    free (out);
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "'%s' monitor --broker '%s' --once --columns 5 2>/dev/null",
              test_bin ("onewindow"), b->req);
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 2); //  narrower than any screen the monitor draws
}

static void
test_json_figures (void)
{
    char *dir = test_tmpdir ();
    char *config = s_config (dir);
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, config, T0) == 0);
    s_morning (&b);
    int st;
    char *out = s_monitor (&b, "--json", &st);
    CU_ASSERT_EQUAL (st, 0);
    json_t *k = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    CU_ASSERT_PTR_NOT_NULL_FATAL (k);
    //  The figures are taken at the snapshot's clock: 09:52 exactly.
    CU_ASSERT_EQUAL (s_int (k, "now"), T0 + 52 * MIN);
    CU_ASSERT_EQUAL (s_int (k, "over_wait_minutes"), 30);
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (k, "hall")), "测试大厅");

    s_check_services (k, &b);

    const json_t *t = json_object_get (k, "totals");
    CU_ASSERT_EQUAL (s_int (t, "waiting"), 1);
    CU_ASSERT_EQUAL (s_int (t, "called"), 6);
    CU_ASSERT_EQUAL (s_int (t, "served"), 4);
    CU_ASSERT_EQUAL (s_int (t, "over_wait"), 3);
    CU_ASSERT_EQUAL (s_int (t, "avg_wait_ms"), (10 + 35 + 45 + 1 + 15 + 45) * MIN / 6);
    CU_ASSERT_EQUAL (s_int (t, "avg_service_ms"), (5 + 10 + 20 + 4) * MIN / 4);
    CU_ASSERT_DOUBLE_EQUAL (s_real (t, "rating_rate"), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (s_real (t, "good_rate"), 0.5, 1e-12);

    s_check_counters (k);

    const json_t *cab = s_find (json_object_get (k, "cabinets"), "cabinet", "CAB1");
    CU_ASSERT_PTR_NOT_NULL_FATAL (cab);
    CU_ASSERT_EQUAL (s_int (cab, "slots"), 4);
    CU_ASSERT_EQUAL (s_int (cab, "occupied"), 2);
    CU_ASSERT_DOUBLE_EQUAL (s_real (cab, "occupancy"), 0.5, 1e-12);
    CU_ASSERT_EQUAL (s_int (cab, "overdue_slots"), 1);
    const json_t *alarmed = json_object_get (cab, "alarm_slots");
    CU_ASSERT_EQUAL (json_array_size (alarmed), 1);
    CU_ASSERT_STRING_EQUAL (s_str (json_array_get (alarmed, 0), "slot"), "A02");
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (cab, "level")), "red");

    const json_t *cases = json_object_get (k, "cases");
    CU_ASSERT_EQUAL (s_int (cases, "open"), 0);
    CU_ASSERT_PTR_NOT_NULL (json_object_get (cases, "overdue"));
    CU_ASSERT_PTR_NOT_NULL (json_object_get (cases, "awaiting_pickup"));
    json_decref (k);

    s_check_text (&b);
    s_check_80 (&b);

    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (config);
    free (dir);
}

static void
test_usage_and_unreachable (void)
{
    int st;
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "'%s' monitor --help", test_bin ("onewindow"));
    char *out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--once"));
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' monitor --json --broker ipc:///nonexistent/ow 2>/dev/null",
              test_bin ("onewindow"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 3);
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' monitor --bogus 2>/dev/null", test_bin ("onewindow"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 2);
    free (out);
}

//  ---------------------------------------------------------------------------------------
//  The screen on a pseudo-terminal

//  `onewindow monitor` on a terminal of rows×cols.
static int
s_pty_start (test_pty_t *p, const test_broker_t *b, unsigned short rows, unsigned short cols)
{
    char *argv[] = {(char *)test_bin ("onewindow"), "monitor", "--broker", (char *)b->req, NULL};
    return test_pty_start (p, argv, rows, cols);
}

static void
test_screen (void)
{
    char *dir = test_tmpdir ();
    char *config = s_config (dir);
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, config, T0) == 0);
    proto_client_t *c = test_client (&b);
    free (s_issue (c, "A"));
    free (s_issue (c, "A"));
    s_login (c, 1, "A", "张三");

    test_pty_t p;
    CU_ASSERT_FATAL (s_pty_start (&p, &b, 30, 110) == 0);
    //  The first frame: the services by name (ASan makes the start slow: 15 s bound).
    bool first = test_pty_wait (&p, 0, "企业开办", 15000);
    CU_ASSERT (first);
    CU_ASSERT (test_pty_wait (&p, 0, "张三", 2000));

    //  An event shows within a second or two: counter 1 calls A001.
    size_t mark = p.len;
    int64_t t = proto_mono_ms ();
    s_counter (c, "ticket.call_next", 1);
    CU_ASSERT (test_pty_wait (&p, mark, "A001", 2000) || test_pty_see (&p, "A001", 10000));
    if (proto_mono_ms () - t > 2000)
        fprintf (stderr, "\n  the call took %lld ms to show\n", (long long)(proto_mono_ms () - t));

    //  A smaller window: the size changes (the kernel sends SIGWINCH; we send one too) and
    //  the screen is drawn again in full.
    mark = p.len;
    struct winsize ws = {.ws_row = 14, .ws_col = 72};
    CU_ASSERT (ioctl (p.fd, TIOCSWINSZ, &ws) == 0);
    kill (p.pid, SIGWINCH);
    CU_ASSERT (test_pty_wait (&p, mark, "企业开办", 5000));
    //  And one too small for the tables: a notice, no crash.
    mark = p.len;
    ws = (struct winsize){.ws_row = 5, .ws_col = 20};
    ioctl (p.fd, TIOCSWINSZ, &ws);
    kill (p.pid, SIGWINCH);
    CU_ASSERT (test_pty_wait (&p, mark, "too small", 5000));
    mark = p.len;
    ws = (struct winsize){.ws_row = 30, .ws_col = 110};
    ioctl (p.fd, TIOCSWINSZ, &ws);
    kill (p.pid, SIGWINCH);
    CU_ASSERT (test_pty_wait (&p, mark, "企业开办", 5000));

    //  The broker restarts; the mirror resyncs and the screen follows the new events.
    proto_client_destroy (&c);
    CU_ASSERT_EQUAL (test_broker_stop (&b, SIGTERM), 0);
    test_pty_wait (&p, 0, NULL, 500);
    CU_ASSERT_FATAL (test_broker_restart (&b) == 0);
    c = test_client (&b);
    s_counter (c, "ticket.start", 1);
    s_counter (c, "ticket.finish", 1);
    mark = p.len;
    s_counter (c, "ticket.call_next", 1);
    CU_ASSERT (test_pty_see (&p, "A002", 15000));

    //  A cabinet alarm arrives as an event: the cabinet line and the recent alarms show it.
    mark = p.len;
    s_ok (c, "vault.report",
          json_pack ("{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:[s], s:s}], s:{s:s, s:s, s:s}}",
                     "cabinet", "CAB1", "name", "一号柜", "slots", "slot", "A01", "size", "S",
                     "state", "free", "occupied", 0, "alarms", "jammed", "door", "closed", "alarm",
                     "alarm", "jammed", "slot", "A01", "detail", "bolt stuck"));
    CU_ASSERT (test_pty_wait (&p, mark, "bolt stuck", 5000));
    CU_ASSERT (strstr (p.out + mark, "最近告警") != NULL);

    //  '?' shows the help, any key goes back, 'q' quits with status 0.
    mark = p.len;
    CU_ASSERT (test_pty_type (&p, "?"));
    CU_ASSERT (test_pty_wait (&p, mark, "Hall monitor help", 5000));
    CU_ASSERT (test_pty_type (&p, "x"));
    test_pty_wait (&p, 0, NULL, 300);
    CU_ASSERT (test_pty_type (&p, "q"));
    CU_ASSERT_EQUAL (test_pty_exit (&p, 10000), 0);
    CU_ASSERT (!p.out || !strstr (p.out, "Sanitizer"));
    if (p.out && strstr (p.out, "Sanitizer"))
        fprintf (stderr, "\n%s\n", strstr (p.out, "=="));
    test_pty_close (&p);

    //  SIGTERM (a closed ssh session sends SIGHUP, handled alike) also ends it cleanly.
    //  On 80 columns the key columns are on the screen too.
    CU_ASSERT_FATAL (s_pty_start (&p, &b, 24, 80) == 0);
    CU_ASSERT (test_pty_wait (&p, 0, "企业开办", 15000));
    CU_ASSERT (test_pty_wait (&p, 0, "Over%", 5000));
    CU_ASSERT (test_pty_wait (&p, 0, "Good%", 5000));
    kill (p.pid, SIGTERM);
    CU_ASSERT_EQUAL (test_pty_exit (&p, 10000), 0);
    test_pty_close (&p);

    proto_client_destroy (&c);
    test_broker_cleanup (&b);
    test_rmtree (dir);
    free (config);
    free (dir);
}

int
test_monitor_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("monitor_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "--json figures of a played morning, exact; --once text", test_json_figures);
    CU_add_test (s, "--help, usage errors, an unreachable broker", test_usage_and_unreachable);
    CU_add_test (s, "the curses screen on a pty: frame, event, resize, restart, quit", test_screen);
    return 0;
}
