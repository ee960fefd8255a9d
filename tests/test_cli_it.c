/*  test_cli_it.c — the `onewindow` terminal program as a person or a script uses it,
    against a real broker: the kiosk slip (its PNG decoded by our ZBar decoder and by the
    independent zbarimg to the ticket's QR text), counter verbs, the interactive counter on
    a pseudo-terminal, --json, exit codes, --help, and PROTOCOL.md's generated tables
    matching the protocol table. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_qr.h"
#include "proto_text.h"
#include "test_pty.h"
#include "test_util.h"
#include "tests.h"

#define T0 1795827600000LL

//  Runs `onewindow --broker EP ARGS`; returns stdout (caller frees) and the exit status.
static char *
s_ow (const test_broker_t *b, const char *args, int *status)
{
    char cmd[2048];
    snprintf (cmd, sizeof cmd, "'%s' --broker '%s' %s 2>/dev/null", test_bin ("onewindow"),
              b ? b->req : "ipc:///nonexistent/ow", args);
    return test_run (cmd, status);
}

static void
test_kiosk_slip_and_counter (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    int st;
    char png[700], escpos[700], args[1600];
    snprintf (png, sizeof png, "%s/slip.png", b.dir);
    snprintf (escpos, sizeof escpos, "%s/slip.bin", b.dir);
    snprintf (args, sizeof args, "kiosk issue --service F --png '%s' --escpos '%s' --json", png,
              escpos);
    char *out = s_ow (&b, args, &st);
    CU_ASSERT_EQUAL (st, 0);
    json_t *r = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    CU_ASSERT_PTR_NOT_NULL_FATAL (r);
    const char *qr = json_string_value (json_object_get (r, "qr"));
    const char *token = json_string_value (json_object_get (r, "token"));
    CU_ASSERT_STRING_EQUAL (json_string_value (json_object_get (r, "number")), "F001");
    CU_ASSERT_PTR_NOT_NULL_FATAL (qr);
    CU_ASSERT_PTR_NOT_NULL (strstr (qr, token));
    //  Our decoder reads the slip image.
    char decoded[512];
    CU_ASSERT (proto_qr_decode_png (png, decoded, sizeof decoded) > 0);
    CU_ASSERT_STRING_EQUAL (decoded, qr);
    //  So does an independent one.
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "zbarimg --raw -q -Sbinary '%s' 2>/dev/null", png);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    if (out) {
        out[strcspn (out, "\n")] = 0;
        CU_ASSERT_STRING_EQUAL (out, qr);
    }
    free (out);
    //  The printer bytes start with ESC @ and carry the QR text in GS ( k.
    FILE *f = fopen (escpos, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL (f);
    unsigned char head[2] = {0};
    CU_ASSERT_EQUAL (fread (head, 1, 2, f), 2);
    fclose (f);
    CU_ASSERT (head[0] == 0x1b && head[1] == 0x40);

    //  The human slip shows the number, people ahead and the notice.
    out = s_ow (&b, "kiosk issue --service F", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "F002"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "您前面还有 1 人\n"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "过号无效"));
    free (out);

    //  Status by token, human and JSON.
    snprintf (args, sizeof args, "status %s", token);
    out = s_ow (&b, args, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "F001"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "排队中"));
    free (out);

    //  The counter: login, call, start, finish; human lines and JSON.
    out = s_ow (&b, "counter --counter 8 login --clerk 王五", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "空闲"));
    free (out);
    out = s_ow (&b, "counter --counter 8 call-next", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "请 F001 号到 8 号窗口办理"));
    free (out);
    out = s_ow (&b, "counter --counter 8 start --json", &st);
    CU_ASSERT_EQUAL (st, 0);
    json_t *j = out ? json_loads (out, 0, NULL) : NULL;
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_object_get (json_object_get (j, "ticket"), "state")), "serving");
    json_decref (j);
    free (out);
    out = s_ow (&b, "counter --counter 8 transfer --to E", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "transferred to E"));
    free (out);
    //  Refused: exit 1, and with --json the error object on stdout.
    out = s_ow (&b, "counter --counter 8 finish --json", &st);
    CU_ASSERT_EQUAL (st, 1);
    j = out ? json_loads (out, 0, NULL) : NULL;
    CU_ASSERT_STRING_EQUAL (
        json_string_value (json_object_get (json_object_get (j, "error"), "code")), "no_ticket");
    json_decref (j);
    free (out);
    //  Interactive mode reads keys (here from a pipe): call, start, finish, quit. Counter 8
    //  serves F and E: the transferred F001, now in E, keeps its place and comes first.
    snprintf (cmd, sizeof cmd, "printf 'csfq' | '%s' --broker '%s' counter --counter 8 2>&1",
              test_bin ("onewindow"), b.req);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "请 F001 号到 8 号窗口办理"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "F001 办结"));
    free (out);
    out = s_ow (&b, "snapshot", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "Legal aid"));
    free (out);
    json_decref (r);
    test_broker_cleanup (&b);
}

static void
test_exit_codes_and_help (void)
{
    int st;
    char *out = s_ow (NULL, "--timeout 100 status AAAAAAAAAAAAAAAAAAAAAAAAAA", &st);
    CU_ASSERT_EQUAL (st, 3); //  unreachable
    free (out);
    out = s_ow (NULL, "kiosk issue", &st);
    CU_ASSERT_EQUAL (st, 2); //  usage: no --service
    free (out);
    out = s_ow (NULL, "teleport", &st);
    CU_ASSERT_EQUAL (st, 2);
    free (out);
    const char *helps[] = {"--help",          "kiosk --help", "counter --help", "status --help",
                           "snapshot --help", "info --help",  "admin --help",   "rate --help"};
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        out = s_ow (NULL, helps[i], &st);
        CU_ASSERT_EQUAL (st, 0);
        CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "usage"));
        free (out);
    }
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "'%s' --help", test_bin ("onewindow-broker"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "--config"));
    free (out);
    snprintf (cmd, sizeof cmd, "'%s' --data /tmp 2>&1", test_bin ("onewindow-broker"));
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 2);
    free (out);
    //  A broken config is refused with the key named.
    char *dir = test_tmpdir ();
    char path[600];
    snprintf (path, sizeof path, "%s/bad.json", dir);
    test_write_file (path, "{\"hall\":{\"id\":\"X\",\"name\":\"X\"},\"services\":[{\"prefix\":"
                           "\"a\",\"name\":\"x\"}],\"counters\":[]}");
    snprintf (cmd, sizeof cmd,
              "'%s' --config '%s' --data '%s/d' --bind ipc://%s/r --pub ipc://%s/p 2>&1",
              test_bin ("onewindow-broker"), path, dir, dir, dir);
    out = test_run (cmd, &st);
    CU_ASSERT_EQUAL (st, 1);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "services[0].prefix"));
    free (out);
    test_rmtree (dir);
    free (dir);
}

//  Runs `onewindow --broker EP ARGS` with `input` on its standard input.
static char *
s_ow_input (const test_broker_t *b, const char *input, const char *args, int *status)
{
    char cmd[2048];
    snprintf (cmd, sizeof cmd, "printf '%s' | '%s' --broker '%s' %s 2>/dev/null", input,
              test_bin ("onewindow"), b->req, args);
    return test_run (cmd, status);
}

//  Counter 8 serves F and E: issue an F ticket and take it through to finished.
static void
s_serve_one (const test_broker_t *b, char *token, size_t size)
{
    int st;
    char *out = s_ow (b, "kiosk issue --service F --json", &st);
    json_t *r = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    snprintf (token, size, "%s", r ? json_string_value (json_object_get (r, "token")) : "");
    json_decref (r);
    const char *verbs[] = {"call-next", "start", "finish"};
    for (int i = 0; i < 3; i++) {
        char args[128];
        snprintf (args, sizeof args, "counter --counter 8 %s", verbs[i]);
        free (s_ow (b, args, &st));
        CU_ASSERT_EQUAL (st, 0);
    }
}

static void
test_rating_pad_and_booking (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    int st;
    free (s_ow (&b, "counter --counter 8 login --clerk pad", &st));
    CU_ASSERT_EQUAL (st, 0);
    //  Nothing finished yet: the pad has nothing to rate.
    free (s_ow (&b, "rate --counter 8 5", &st));
    CU_ASSERT_NOT_EQUAL (st, 0);
    char token[64];
    s_serve_one (&b, token, sizeof token);
    //  The pad: a wrong key is refused, 4 rates, a second 4 is refused (rated already).
    char *out = s_ow_input (&b, "9\\n4\\n4\\nq\\n", "rate --counter 8", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "F001: 4 满意"));
    CU_ASSERT_PTR_NULL (out && strstr (strstr (out, "F001: 4") + 1, "F001: 4"));
    free (out);
    char args[256];
    snprintf (args, sizeof args, "rate %s 5", token);
    free (s_ow (&b, args, &st));
    CU_ASSERT_NOT_EQUAL (st, 0);
    //  A bad rating by the slip's code opens a rectification with a deadline.
    s_serve_one (&b, token, sizeof token);
    snprintf (args, sizeof args, "rate %s 2 --comment '等太久' --json", token);
    out = s_ow (&b, args, &st);
    CU_ASSERT_EQUAL (st, 0);
    json_t *r = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    CU_ASSERT_EQUAL (json_integer_value (json_object_get (r, "level")), 2);
    CU_ASSERT_PTR_NOT_NULL (json_object_get (json_object_get (r, "rectification"), "deadline"));
    json_decref (r);
    //  Ten minutes and a millisecond after a finish, the pad no longer rates it.
    s_serve_one (&b, token, sizeof token);
    free (s_ow (&b, "admin clock-advance 600001", &st));
    CU_ASSERT_EQUAL (st, 0);
    free (s_ow (&b, "rate --counter 8 5", &st));
    CU_ASSERT_NOT_EQUAL (st, 0);
    free (s_ow (&b, "rate --counter 8 7", &st));
    CU_ASSERT_EQUAL (st, 2);

    //  An appointment booked and checked in at the kiosk (Monday 30 November, 10:00).
    out = s_ow (&b,
                "kiosk book --service B --date 2026-11-30 --slot 10:00 --name 张三 "
                "--phone 13800000001 --json",
                &st);
    CU_ASSERT_EQUAL (st, 0);
    r = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    const char *code = json_string_value (json_object_get (r, "code"));
    CU_ASSERT_PTR_NOT_NULL_FATAL (code);
    char *text = json_dumps (r, 0);
    CU_ASSERT_PTR_NULL (strstr (text, "13800000001")); //  the phone comes back masked
    free (text);
    //  Saturday 09:00 + 2 days + 1 h 10 min: 10:10 on Monday, inside the window.
    free (s_ow (&b, "admin clock-advance 177000000", &st));
    snprintf (args, sizeof args, "kiosk checkin %s", code);
    out = s_ow (&b, args, &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "B001"));
    free (out);
    free (s_ow (&b, args, &st));
    CU_ASSERT_NOT_EQUAL (st, 0); //  checked in already
    json_decref (r);
    test_broker_cleanup (&b);
}

//  A ticket's state by its token, from the broker ("" if unknown). Caller frees.
static char *
s_state_of (const test_broker_t *b, const char *token)
{
    char args[256];
    int st;
    snprintf (args, sizeof args, "status %s --json", token);
    char *out = s_ow (b, args, &st);
    json_t *r = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    const char *state =
        json_string_value (json_object_get (json_object_get (r, "ticket"), "state"));
    char *copy = strdup (state ? state : "");
    json_decref (r);
    return copy;
}

//  The token of a new F ticket (caller frees).
static char *
s_issue_f (const test_broker_t *b)
{
    int st;
    char *out = s_ow (b, "kiosk issue --service F --json", &st);
    json_t *r = out ? json_loads (out, 0, NULL) : NULL;
    free (out);
    char *token = strdup (r ? json_string_value (json_object_get (r, "token")) : "");
    json_decref (r);
    return token;
}

//  Expects the program on the pty to show `text` after offset *mark, and moves the mark
//  to the end of it.
static void
s_expect (test_pty_t *p, size_t *mark, const char *text)
{
    bool seen = test_pty_wait (p, *mark, text, 15000);
    CU_ASSERT (seen);
    if (seen)
        *mark = (size_t)(strstr (p->out + *mark, text) - p->out) + strlen (text);
    else
        fprintf (stderr, "\n  the counter did not show '%s'; it showed:\n%s\n", text,
                 p->out ? p->out + *mark : "");
}

//  The counter terminal on a real terminal: the status line (state, the ticket held, the
//  people waiting, kept live by the broker's events), a y/N question before a ticket is
//  voided (过号, cancel), and Esc cancelling a prompt instead of typing "^[".
static void
test_counter_desk (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    int st;
    char *f1 = s_issue_f (&b), *f2 = s_issue_f (&b);
    free (s_ow (&b, "counter --counter 8 login --clerk 王五", &st));
    CU_ASSERT_EQUAL (st, 0);
    test_pty_t p;
    char *argv[] = {
        (char *)test_bin ("onewindow"), "--broker", b.req, "counter", "--counter", "8", NULL};
    CU_ASSERT_FATAL (test_pty_start (&p, argv, 24, 100) == 0);
    size_t mark = 0;
    s_expect (&p, &mark, "8号窗口 法律援助 │ 空闲");
    s_expect (&p, &mark, "等候 E 0 人 F 2 人，共 2 人");
    //  A ticket taken at a kiosk shows without a key pressed: the line follows the events.
    char *f3 = s_issue_f (&b);
    s_expect (&p, &mark, "F 3 人，共 3 人");

    CU_ASSERT (test_pty_type (&p, "c"));
    s_expect (&p, &mark, "请 F001 号到 8 号窗口办理");
    s_expect (&p, &mark, "呼叫中 F001");
    //  过号 asks first; n (or anything but y) leaves the ticket called.
    CU_ASSERT (test_pty_type (&p, "m"));
    s_expect (&p, &mark, "确认 F001 过号？/ mark F001 missed? (y/N)");
    CU_ASSERT (test_pty_type (&p, "n"));
    s_expect (&p, &mark, "未执行 not done");
    char *state = s_state_of (&b, f1);
    CU_ASSERT_STRING_EQUAL (state, "called");
    free (state);
    CU_ASSERT (test_pty_type (&p, "m"));
    s_expect (&p, &mark, "(y/N)");
    CU_ASSERT (test_pty_type (&p, "y"));
    s_expect (&p, &mark, "过号 F001 — marked missed");
    s_expect (&p, &mark, "│ 空闲");
    state = s_state_of (&b, f1);
    CU_ASSERT_STRING_EQUAL (state, "missed");
    free (state);

    //  Esc at the transfer prompt cancels it: nothing sent, no "^[" typed.
    CU_ASSERT (test_pty_type (&p, "c"));
    s_expect (&p, &mark, "呼叫中 F002");
    CU_ASSERT (test_pty_type (&p, "t"));
    s_expect (&p, &mark, "transfer to service prefix: ");
    CU_ASSERT (test_pty_type (&p, "E"));
    s_expect (&p, &mark, "E");
    CU_ASSERT (test_pty_type (&p, "\033"));
    s_expect (&p, &mark, "已取消 cancelled");
    CU_ASSERT_PTR_NULL (strstr (p.out, "^["));
    state = s_state_of (&b, f2);
    CU_ASSERT_STRING_EQUAL (state, "called"); //  still F002 at this counter, not sent to E
    free (state);

    //  Cancel by the slip's code: asked first, then done.
    char keys[128];
    snprintf (keys, sizeof keys, "x%s\n\n", f3);
    CU_ASSERT (test_pty_type (&p, keys));
    s_expect (&p, &mark, "cancel this ticket for good? (y/N)");
    CU_ASSERT (test_pty_type (&p, "\033"));
    s_expect (&p, &mark, "未执行 not done");
    state = s_state_of (&b, f3);
    CU_ASSERT_STRING_EQUAL (state, "waiting");
    free (state);
    snprintf (keys, sizeof keys, "x%s\n等不及\ny", f3);
    CU_ASSERT (test_pty_type (&p, keys));
    s_expect (&p, &mark, "F003 已取消 — cancelled");
    s_expect (&p, &mark, "F 0 人，共 0 人");
    state = s_state_of (&b, f3);
    CU_ASSERT_STRING_EQUAL (state, "cancelled");
    free (state);

    CU_ASSERT (test_pty_type (&p, "q"));
    CU_ASSERT_EQUAL (test_pty_exit (&p, 10000), 0);
    CU_ASSERT (!p.out || !strstr (p.out, "Sanitizer"));
    test_pty_close (&p);
    free (f1);
    free (f2);
    free (f3);
    test_broker_cleanup (&b);
}

//  True if the table that starts with the line beginning `head` in `out` has every line
//  (both header rows and each row, up to the next blank line) of the same width on a
//  terminal: the case for a table whose last column is right-aligned, when Chinese names
//  are measured as two columns each.
static bool
s_aligned (const char *out, const char *head)
{
    const char *p = out ? strstr (out, head) : NULL;
    if (!p || (p != out && p[-1] != '\n'))
        return false;
    int width = -1, lines = 0;
    while (*p && *p != '\n') {
        const char *end = strchr (p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen (p);
        char line[1024];
        snprintf (line, sizeof line, "%.*s", (int)len, p);
        int w = proto_display_width (line);
        if (width >= 0 && w != width) {
            fprintf (stderr, "\n  %d columns, not %d: '%s'\n", w, width, line);
            return false;
        }
        width = w;
        lines++;
        p += len + (end ? 1 : 0);
    }
    return lines >= 3;
}

//  The CLI's tables: Chinese header over English, states in Chinese, columns aligned
//  however wide the Chinese in them; --json as it always was.
static void
test_tables (void)
{
    test_broker_t b;
    CU_ASSERT_FATAL (test_broker_start (&b, NULL, T0) == 0);
    int st;
    free (s_issue_f (&b));
    const char *steps[] = {
        "counter --counter 8 login --clerk 王五", "counter --counter 8 call-next",
        "counter --counter 8 start",
        "counter --counter 8 accept --item legal_aid --name 张三 --id-number 11010519491231002X "
        "--docs application,id_copy,hardship,case_papers"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        free (s_ow (&b, steps[i], &st));
        CU_ASSERT_EQUAL (st, 0);
    }
    char *out = s_ow (&b, "snapshot", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "业务"));
    CU_ASSERT_TRUE (s_aligned (out, "业务"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "\nService "));
    const char *row = out ? strstr (out, "\n8号窗口 法律援助 ") : NULL;
    const char *eol = row ? strchr (row + 1, '\n') : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL (eol);
    CU_ASSERT (strstr (row, "  办理中  F001 ") && strstr (row, "  办理中  F001 ") < eol);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "未登录"));
    CU_ASSERT_PTR_NULL (out && strstr (out, "logged_out"));
    CU_ASSERT_PTR_NULL (out && strstr (out, "serving"));
    free (out);
    out = s_ow (&b, "snapshot --json", &st);
    json_t *j = out ? json_loads (out, 0, NULL) : NULL;
    CU_ASSERT_PTR_NOT_NULL (strstr (out ? out : "", "\"logged_out\"")); //  raw, for scripts
    CU_ASSERT_PTR_NOT_NULL (json_object_get (j, "counters"));
    json_decref (j);
    free (out);

    out = s_ow (&b, "office --department justice queue", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "办件编号"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "已受理"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "法律援助"));
    CU_ASSERT_PTR_NULL (out && strstr (out, "accepted "));
    free (out);

    //  A cabinet with one slot in use and one door left open.
    free (s_ow (&b,
                "admin call vault.report '{\"cabinet\":\"CAB1\",\"name\":\"一号柜\",\"slots\":["
                "{\"slot\":\"A01\",\"size\":\"S\",\"state\":\"occupied\",\"occupied\":true,"
                "\"alarms\":[],\"door\":\"closed\"},{\"slot\":\"A02\",\"size\":\"M\",\"state\":"
                "\"free\",\"occupied\":false,\"alarms\":[\"ajar\"],\"door\":\"open\"},{\"slot\":"
                "\"A03\",\"size\":\"L\",\"state\":\"free\",\"occupied\":false,\"alarms\":[],"
                "\"door\":\"closed\"}]}'",
                &st));
    CU_ASSERT_EQUAL (st, 0);
    out = s_ow (&b, "vault-status", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "智能柜 CAB1 一号柜"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "  A01   S     有件"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "门未关"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "空闲 2 格，在用 1 格，告警 1 格"));
    CU_ASSERT_PTR_NULL (out && strstr (out, "A03")); //  plainly free: not listed
    free (out);

    //  A device enrolled: its role in Chinese (and as the CLI spells it), active.
    char path[700], args[900];
    snprintf (path, sizeof path, "%s/kiosk.key", b.dir);
    snprintf (args, sizeof args, "keygen --out '%s'", path);
    free (s_ow (&b, args, &st));
    snprintf (args, sizeof args, "admin enroll --role kiosk --name 一号取号机 '%s'", path);
    free (s_ow (&b, args, &st));
    CU_ASSERT_EQUAL (st, 0);
    out = s_ow (&b, "admin devices", &st);
    CU_ASSERT_EQUAL (st, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "一号取号机  取号机 kiosk  在用 active"));
    free (out);
    test_broker_cleanup (&b);
}

static void
test_protocol_md_in_sync (void)
{
    //  PROTOCOL.md carries the generated tables verbatim between its markers.
    int st;
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "'%s' admin protocol-table", test_bin ("onewindow"));
    char *table = test_run (cmd, &st);
    CU_ASSERT_EQUAL_FATAL (st, 0);
    char *doc = test_read_file (test_src ("protocol/PROTOCOL.md"));
    CU_ASSERT_PTR_NOT_NULL_FATAL (doc);
    const char *begin_mark = "<!-- BEGIN GENERATED: onewindow admin protocol-table -->\n";
    const char *end_mark = "<!-- END GENERATED -->";
    char *begin = strstr (doc, begin_mark);
    char *end = begin ? strstr (begin, end_mark) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL (end);
    begin += strlen (begin_mark);
    size_t len = (size_t)(end - begin);
    CU_ASSERT_EQUAL (len, strlen (table));
    CU_ASSERT (strncmp (begin, table, len) == 0);
    if (len != strlen (table) || strncmp (begin, table, len) != 0)
        fprintf (stderr, "\n    PROTOCOL.md is out of date: run scripts/gen-protocol-tables\n");
    free (doc);
    free (table);
}

int
test_cli_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("cli_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "kiosk slip (PNG, ESC/POS, text) and counter verbs",
                 test_kiosk_slip_and_counter);
    CU_add_test (s, "exit codes, --help, config errors", test_exit_codes_and_help);
    CU_add_test (s, "counter terminal on a pty: status line, y/N before voiding, Esc",
                 test_counter_desk);
    CU_add_test (s, "tables: Chinese first, states in Chinese, aligned", test_tables);
    CU_add_test (s, "PROTOCOL.md tables match the protocol table", test_protocol_md_in_sync);
    CU_add_test (s, "rating pad, rating by slip, kiosk booking and check-in",
                 test_rating_pad_and_booking);
    return 0;
}
