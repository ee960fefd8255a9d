/*  term_counter.c — `onewindow counter`: the clerk's counter terminal (窗口).

      onewindow counter --counter 5 login [--services A,B] [--clerk NAME]
      onewindow counter --counter 5 call-next | recall | missed | start | finish
      onewindow counter --counter 5 transfer --to B
      onewindow counter --counter 5 pause [--reason TEXT] | resume | logout
      onewindow counter --counter 5 cancel TOKEN [--reason TEXT]
      onewindow counter --counter 5 interactive      (keys; also when no verb is given)
*/
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <zmq.h>

#include "proto_mirror.h"
#include "term_cli.h"
#include "term_words.h"

typedef struct {
    const char *verb;    //  command-line verb
    const char *command; //  protocol command
    char key;            //  key in interactive mode
    const char *label;   //  shown in interactive mode
} s_verb_t;

static const s_verb_t s_verbs[] = {
    {"call-next", "ticket.call_next", 'c', "叫号 call next"},
    {"recall", "ticket.recall", 'r', "重呼 recall"},
    {"missed", "ticket.missed", 'm', "过号 missed"},
    {"start", "ticket.start", 's', "开始 start"},
    {"finish", "ticket.finish", 'f', "办结 finish"},
    {"transfer", "ticket.transfer", 't', "转号 transfer"},
    {"pause", "counter.pause", 'p', "暂停 pause"},
    {"resume", "counter.resume", 'u', "恢复 resume"},
    {"login", "counter.login", 'l', "登录 login"},
    {"logout", "counter.logout", 'o', "退出 logout"},
    {"accept", "case.accept", 'a', "收件 accept"},
    {"supplement", "case.supplement", 'b', "补正告知 supplement notice"},
    {"not-accepted", "case.not_accepted", 'n', "不予受理 not accepted"},
    {"received", "case.supplement_received", 'e', "补正收件 material received"},
    {"hand-out", "case.hand_out", 'g', "出件 hand out"},
    {"call", "ticket.call_specific", 'k', "指定叫号 call a number"},
    {"park", "ticket.park", 'w', "挂起 park"},
    {"unpark", "ticket.unpark", 'v', "恢复挂起 unpark"},
    {"cancel", "ticket.cancel", 'x', "取消号 cancel a ticket"},
};
#define NVERBS (sizeof s_verbs / sizeof s_verbs[0])

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow counter --counter N VERB [options]\n"
             "\n"
             "The clerk's counter terminal (窗口). N is the window number; it may also come\n"
             "from $ONEWINDOW_COUNTER.\n"
             "\n"
             "  login [--services A,B] [--clerk NAME]  open the counter (default: all the\n"
             "                                         services the hall config gives it)\n"
             "  call-next                              call the next ticket (叫号)\n"
             "  recall                                 call it again (重呼)\n"
             "  missed                                 the citizen did not come (过号)\n"
             "  start                                  the citizen arrived; service starts\n"
             "  finish                                 service finished (办结)\n"
             "  transfer --to P                        send the ticket to service P's line\n"
             "  pause [--reason TEXT] | resume         a break; no calls while paused\n"
             "  logout                                 close the counter\n"
             "  interactive                            one key per action (the default\n"
             "                                         when no verb is given), a status line\n"
             "                                         (state, ticket, people waiting); m and\n"
             "                                         x ask y/N first, Esc cancels a prompt\n"
             "\n"
             "\n"
             "Cases (办件), from the ticket being served:\n"
             "  accept --item ITEM --name NAME [--id-number N [--id-type T]] [--uscc C]\n"
             "         [--phone P] [--docs a,b] [--override CHECK=REASON]...   accept (收件受理);\n"
             "         T: passport, hk_macao_permit, taiwan_permit, foreign_permanent_old (an\n"
             "         18-character number names its own type); the\n"
             "         checks run and a failed one refuses unless overridden with a reason\n"
             "  supplement --item ITEM --name NAME ... [--missing TEXT]...   take an incomplete\n"
             "         application and print the one-time notice of what is missing (补正告知)\n"
             "  not-accepted --item ITEM --name NAME --reason TEXT    refuse, with the reason\n"
             "  call NUMBER --reason TEXT        call one ticket out of turn (audited)\n"
             "  park [--reason TEXT] | unpark NUMBER   set the ticket aside (挂起) / call it back\n"
             "  cancel TOKEN [--reason TEXT]     the citizen leaves: void a waiting ticket (by\n"
             "                                   its slip's QR code)\n"
             "  received CASE_NO [--docs a,b]    the missing material arrived\n"
             "  hand-out CASE_NO [--id-number N [--id-type T]]   the result is collected (出件);\n"
             "         N: the collector's document checked (default: the applicant's)\n"
             "\n"
             "recall/missed/start/finish/transfer take --ticket NUMBER to make sure the\n"
             "counter holds that ticket. Add --json for the broker's reply as JSON.\n");
}

//  The text typed at the interactive prompts, where s_args_t points.
typedef struct {
    char code[128], reason[512], to[64], item[64], name[128], id[64], phone[64], docs[256];
} s_fields_t;

typedef struct {
    int counter;
    const char *services, *clerk, *to, *reason, *ticket;
    const char *item, *name, *id_number, *id_type, *uscc, *phone, *docs, *case_no;
    json_t *overrides; //  {check: reason}
    json_t *missing;   //  [text]
} s_args_t;

static json_t *
s_body (const s_verb_t *v, const s_args_t *a)
{
    if (strcmp (v->verb, "cancel") == 0) {
        //  The ticket by its token (the QR argument); no counter in this command.
        json_t *body = json_pack ("{s:s}", "token", a->case_no ? a->case_no : "");
        if (a->reason)
            json_object_set_new (body, "reason", json_string (a->reason));
        return body;
    }
    json_t *body = json_pack ("{s:i}", "counter", a->counter);
    if (strcmp (v->verb, "login") == 0) {
        if (a->services)
            json_object_set_new (body, "services", term_split_list (a->services));
        if (a->clerk)
            json_object_set_new (body, "clerk", json_string (a->clerk));
    }
    if (strcmp (v->verb, "transfer") == 0 && a->to)
        json_object_set_new (body, "to", json_string (a->to));
    if (strcmp (v->verb, "pause") == 0 && a->reason)
        json_object_set_new (body, "reason", json_string (a->reason));
    if (a->ticket && strncmp (v->command, "ticket.", 7) == 0 && strcmp (v->verb, "call-next"))
        json_object_set_new (body, "ticket", json_string (a->ticket));
    if ((strcmp (v->verb, "call") == 0 || strcmp (v->verb, "unpark") == 0) && a->case_no)
        json_object_set_new (body, "ticket", json_string (a->case_no)); //  the NUMBER argument
    if ((strcmp (v->verb, "call") == 0 || strcmp (v->verb, "park") == 0) && a->reason)
        json_object_set_new (body, "reason", json_string (a->reason));
    if (strncmp (v->command, "case.", 5) == 0) {
        bool intake = strcmp (v->command, "case.accept") == 0 ||
                      strcmp (v->command, "case.supplement") == 0 ||
                      strcmp (v->command, "case.not_accepted") == 0;
        if (!intake) {
            //  received and hand-out name the case; received has no counter field.
            if (strcmp (v->command, "case.supplement_received") == 0) {
                json_object_del (body, "counter");
                if (a->clerk)
                    json_object_set_new (body, "clerk", json_string (a->clerk));
            }
            json_object_set_new (body, "case_no", json_string (a->case_no ? a->case_no : ""));
            //  hand-out: the document the clerk checked, the applicant's if none.
            if (strcmp (v->command, "case.hand_out") == 0 && a->id_number)
                json_object_set_new (body, "id_number", json_string (a->id_number));
            if (strcmp (v->command, "case.hand_out") == 0 && a->id_type)
                json_object_set_new (body, "id_type", json_string (a->id_type));
        } else {
            json_object_set_new (body, "item", json_string (a->item ? a->item : ""));
            json_object_set_new (body, "name", json_string (a->name ? a->name : ""));
            if (a->id_number)
                json_object_set_new (body, "id_number", json_string (a->id_number));
            if (a->id_type)
                json_object_set_new (body, "id_type", json_string (a->id_type));
            if (a->uscc)
                json_object_set_new (body, "uscc", json_string (a->uscc));
            if (a->phone)
                json_object_set_new (body, "phone", json_string (a->phone));
            if (a->reason)
                json_object_set_new (body, "reason", json_string (a->reason));
            if (a->ticket)
                json_object_set_new (body, "ticket", json_string (a->ticket));
            if (json_array_size (a->missing) && strcmp (v->command, "case.supplement") == 0)
                json_object_set (body, "missing", a->missing);
        }
        if (a->docs && strcmp (v->command, "case.hand_out") &&
            strcmp (v->command, "case.not_accepted"))
            json_object_set_new (body, "documents", term_split_list (a->docs));
        if (json_object_size (a->overrides) && strcmp (v->command, "case.hand_out") &&
            strcmp (v->command, "case.not_accepted"))
            json_object_set (body, "overrides", a->overrides);
    }
    return body;
}

static const char *
s_str (const json_t *j, const char *key)
{
    const char *v = json_string_value (json_object_get (j, key));
    return v ? v : "?";
}

//  One line describing the reply, for the clerk.
static void
s_describe (const s_verb_t *v, const json_t *r, int counter)
{
    const json_t *t = json_object_get (r, "ticket");
    const char *number = s_str (t, "number");
    if (strcmp (v->verb, "call-next") == 0 || strcmp (v->verb, "call") == 0 ||
        strcmp (v->verb, "unpark") == 0) {
        char waited[48];
        term_minutes (json_integer_value (json_object_get (t, "called")) -
                          json_integer_value (json_object_get (t, "issued")),
                      true, false, waited, sizeof waited);
        printf ("请 %s 号到 %d 号窗口办理 — called %s (%s %s, %s, 已等 %s); %lld still waiting\n",
                number, counter, number, s_str (t, "service"), s_str (t, "service_name"),
                s_str (r, "reason"), waited,
                (long long)json_integer_value (json_object_get (r, "waiting")));
    } else if (strcmp (v->verb, "recall") == 0)
        printf ("重呼 %s 号到 %d 号窗口 — recalled %s (recall #%lld)\n", number, counter, number,
                (long long)json_integer_value (json_object_get (r, "recall")));
    else if (strcmp (v->verb, "missed") == 0)
        printf ("过号 %s — marked missed: %s\n", number, s_str (r, "outcome"));
    else if (strcmp (v->verb, "cancel") == 0)
        printf ("%s 已取消 — cancelled\n", number);
    else if (strcmp (v->verb, "start") == 0)
        printf ("%s 开始办理 — serving %s\n", number, number);
    else if (strcmp (v->verb, "finish") == 0)
        printf ("%s 办结 — finished %s; %lld served today at this counter\n", number, number,
                (long long)json_integer_value (json_object_get (r, "served")));
    else if (strncmp (v->command, "case.", 5) == 0) {
        term_print_case (stdout, r);
        if (json_array_size (json_object_get (r, "checks")) && strcmp (v->verb, "hand-out"))
            term_print_checks (stdout, json_object_get (r, "checks"));
        const char *notice = json_string_value (json_object_get (r, "notice"));
        if (notice)
            printf ("\n一次性告知 / one-time notice:\n  %s\n", notice);
        const char *token = json_string_value (json_object_get (r, "token"));
        if (token)
            printf ("  二维码 token: %s (the slip's QR code follows the case)\n", token);
    } else if (strcmp (v->verb, "park") == 0)
        printf ("%s 已挂起 — parked; call it back with unpark %s\n", number, number);
    else if (strcmp (v->verb, "transfer") == 0)
        printf ("%s 转至 %s — transferred to %s (%s), %lld ahead\n", number, s_str (t, "service"),
                s_str (t, "service"), s_str (t, "service_name"),
                (long long)json_integer_value (json_object_get (t, "ahead")));
    else {
        //  counter.* replies are the counter's state.
        const json_t *services = json_object_get (r, "services");
        printf ("%s: %s", s_str (r, "name"), term_zh (s_str (r, "state")));
        size_t i;
        json_t *p;
        printf (" [");
        json_array_foreach (services, i, p)
            printf ("%s%s", i ? "," : "", json_string_value (p));
        printf ("]");
        if (json_is_string (json_object_get (r, "clerk")))
            printf (" clerk %s", s_str (r, "clerk"));
        printf ("\n");
    }
    fflush (stdout);
}

static int
s_run (term_opts_t *o, const s_verb_t *v, const s_args_t *a)
{
    if (strcmp (v->verb, "transfer") == 0 && !a->to)
        return term_usage_error ("counter", "transfer needs --to PREFIX");
    bool intake = strcmp (v->verb, "accept") == 0 || strcmp (v->verb, "supplement") == 0 ||
                  strcmp (v->verb, "not-accepted") == 0;
    if (intake && (!a->item || !a->name))
        return term_usage_error ("counter", "%s needs --item ITEM and --name NAME", v->verb);
    if (strcmp (v->verb, "not-accepted") == 0 && !a->reason)
        return term_usage_error ("counter",
                                 "not-accepted needs --reason TEXT (the written reason)");
    if ((strcmp (v->verb, "received") == 0 || strcmp (v->verb, "hand-out") == 0) && !a->case_no)
        return term_usage_error ("counter", "%s needs the CASE_NO", v->verb);
    if ((strcmp (v->verb, "call") == 0 || strcmp (v->verb, "unpark") == 0) && !a->case_no)
        return term_usage_error ("counter", "%s needs the ticket NUMBER", v->verb);
    if (strcmp (v->verb, "cancel") == 0 && !a->case_no)
        return term_usage_error ("counter", "cancel needs the ticket's TOKEN (its QR code)");
    if (strcmp (v->verb, "call") == 0 && !a->reason)
        return term_usage_error ("counter", "call NUMBER needs --reason TEXT (it is audited)");
    json_t *r;
    int rc = term_call (o, v->command, s_body (v, a), &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else
        s_describe (v, r, a->counter);
    json_decref (r);
    return TERM_EXIT_OK;
}

//  ---------------------------------------------------------------------------------------
//  Interactive mode: one key per action, a status line fed by the mirror (the Clone
//  pattern: events pushed by the broker, never polled), prompts that Esc cancels, and a
//  y/N question before a citizen's ticket is voided.

//  The timer on the status line moves at least this often.
#define S_TICK_MS 1000

//  The one signal flag: Ctrl-C ends the desk cleanly, with the terminal restored.
static volatile sig_atomic_t s_interrupted;

static void
s_on_signal (int sig)
{
    (void)sig;
    s_interrupted = 1;
}

typedef struct {
    term_opts_t *o;
    const s_args_t *a;
    proto_mirror_t *mirror; //  the hall, for the status line
    bool tty_in;            //  stdin is a terminal, put in raw mode
    bool tty_out;           //  stdout is a terminal: the status line is redrawn in place
    struct termios saved;   //  the terminal's mode before raw mode
    bool raw;               //  raw mode is on
    int pushback;           //  a byte read ahead (after an Esc), or -1
    bool eof;               //  stdin is at its end
    bool online;            //  the mirror is in sync with the broker
    char status[512];       //  the status line as last drawn; "" when none is on screen
    int64_t anchor_now;     //  the broker's time last seen ...
    int64_t anchor_mono;    //  ... and our monotonic clock then
    int64_t next_poll;      //  when the mirror is polled next without an event
} s_desk_t;

static void
s_raw_on (s_desk_t *d)
{
    if (!d->tty_in || tcgetattr (STDIN_FILENO, &d->saved) != 0)
        return;
    struct termios raw = d->saved;
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0)
        d->raw = true;
}

static void
s_raw_off (s_desk_t *d)
{
    if (d->raw)
        tcsetattr (STDIN_FILENO, TCSANOW, &d->saved);
    d->raw = false;
}

static void
s_desk_on_event (proto_mirror_t *mirror, const char *topic, const json_t *event, void *arg)
{
    (void)topic;
    (void)event;
    s_desk_t *d = arg;
    d->anchor_now = (int64_t)proto_int (proto_mirror_state (mirror), "now");
    d->anchor_mono = proto_mono_ms ();
    d->online = true;
}

//  The broker's time now, as well as we know it: a simulated clock moves only by events.
static int64_t
s_desk_now (const s_desk_t *d)
{
    if (strcmp (proto_str (proto_mirror_info (d->mirror), "clock"), "sim") == 0)
        return d->anchor_now;
    return d->anchor_now + (proto_mono_ms () - d->anchor_mono);
}

//  Appends to the string in buf (size bytes), as far as it holds.
static void s_append (char *buf, size_t size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
static void
s_append (char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen (buf);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (buf + len, size - len, fmt, ap);
    va_end (ap);
}

//  "5号窗口 社保医保 │ 办理中 A023 3 分钟 │ 等候 B 2 人 G 0 人，共 2 人"
static void
s_status_text (const s_desk_t *d, char *buf, size_t size)
{
    const json_t *st = proto_mirror_state (d->mirror), *c = NULL, *x;
    size_t i;
    json_array_foreach (json_object_get (st, "counters"), i, x)
        if (proto_int (x, "id") == d->a->counter)
            c = x;
    if (!d->online || !c) {
        snprintf (buf, size, "%d 号窗口 │ %s", d->a->counter,
                  !d->online ? "与叫号系统断开，重连中 offline"
                             : "本厅没有这个窗口 no such counter");
        return;
    }
    const json_t *t = json_object_get (c, "ticket");
    const char *state = proto_str (c, "state");
    snprintf (buf, size, "%s │ %s", proto_str (c, "name"), term_zh (state));
    if (json_is_object (t))
        s_append (buf, size, " %s", proto_str (t, "number"));
    if (json_is_string (json_object_get (c, "pause_reason")))
        s_append (buf, size, "（%s）", proto_str (c, "pause_reason"));
    if (strcmp (state, "logged_out") != 0) {
        char took[48];
        term_minutes (s_desk_now (d) - (int64_t)proto_int (c, "since"), true, false, took,
                      sizeof took);
        s_append (buf, size, " %s", took);
    }
    //  People waiting for the services this counter serves (those it may serve, logged out).
    const json_t *mine = json_object_get (c, "services");
    if (!json_array_size (mine))
        mine = json_object_get (c, "configured");
    long long total = 0;
    s_append (buf, size, " │ 等候");
    json_array_foreach (json_object_get (st, "services"), i, x) {
        bool served = false;
        for (size_t j = 0; j < json_array_size (mine); j++)
            served = served || strcmp (json_string_value (json_array_get (mine, j)),
                                       proto_str (x, "prefix")) == 0;
        if (served) {
            total += proto_int (x, "waiting");
            s_append (buf, size, " %s %lld 人", proto_str (x, "prefix"),
                      (long long)proto_int (x, "waiting"));
        }
    }
    s_append (buf, size, "，共 %lld 人", total);
}

//  Takes the status line off the screen before other output (a terminal only).
static void
s_status_clear (s_desk_t *d)
{
    if (d->tty_out && d->status[0])
        fputs ("\r\033[K", stdout);
    d->status[0] = 0;
}

//  Draws the status line: on a terminal as the last line, redrawn in place when it
//  changes (cut to the screen's width, so it never wraps); elsewhere (a pipe, a log) as a
//  line after each action, when `after_action`.
static void
s_status_draw (s_desk_t *d, bool after_action)
{
    char text[512], line[sizeof d->status];
    s_status_text (d, text, sizeof text);
    if (!d->tty_out) {
        if (after_action)
            printf ("[%s]\n", text);
        fflush (stdout);
        return;
    }
    struct winsize ws;
    int cols = ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    term_cut (text, cols - 1, line, sizeof line);
    if (strcmp (line, d->status) == 0)
        return;
    printf ("\r\033[K\033[7m%s\033[0m", line);
    fflush (stdout);
    snprintf (d->status, sizeof d->status, "%s", line);
}

//  The next byte typed, waiting up to timeout_ms while the mirror follows the hall (and
//  the status line with it, unless in a prompt). -1 on timeout or a signal, -2 at the end
//  of input.
static int
s_read_byte (s_desk_t *d, int timeout_ms, bool prompting)
{
    if (d->pushback >= 0) {
        int c = d->pushback;
        d->pushback = -1;
        return c;
    }
    int64_t end = proto_mono_ms () + timeout_ms;
    while (!s_interrupted && !d->eof) {
        void *sock = proto_mirror_socket (d->mirror);
        zmq_pollitem_t items[2] = {{NULL, STDIN_FILENO, ZMQ_POLLIN, 0}, {sock, 0, ZMQ_POLLIN, 0}};
        int64_t left = end - proto_mono_ms ();
        int ready = zmq_poll (items, sock ? 2 : 1, left > 0 ? (long)left : 0);
        //  A closed pipe polls as an error (POLLHUP), not as input: read it all the same.
        if (ready > 0 && (items[0].revents & (ZMQ_POLLIN | ZMQ_POLLERR))) {
            unsigned char c;
            if (read (STDIN_FILENO, &c, 1) == 1)
                return c;
            d->eof = true;
            break;
        }
        //  Events as they come, and once a tick in any case: the mirror notices a silent
        //  or lost broker, and retries one, only when polled.
        if ((ready > 0 && (items[1].revents & ZMQ_POLLIN)) || proto_mono_ms () >= d->next_poll) {
            d->next_poll = proto_mono_ms () + S_TICK_MS;
            bool was = d->online;
            if (proto_mirror_poll (d->mirror, 0) < 0)
                d->online = false;
            if (!prompting && (d->online || was))
                s_status_draw (d, false);
        }
        if (proto_mono_ms () >= end)
            return -1;
    }
    return d->eof ? -2 : -1;
}

//  After an Esc: the rest of an escape sequence (an arrow or function key) is swallowed,
//  and true is returned if it was one; a lone Esc (nothing follows at once) is Esc.
static bool
s_escape_sequence (s_desk_t *d)
{
    int c = s_read_byte (d, 30, true);
    if (c != '[' && c != 'O') {
        if (c >= 0)
            d->pushback = c;
        return false;
    }
    while ((c = s_read_byte (d, 30, true)) >= 0 && !(c >= 0x40 && c <= 0x7e))
        ;
    return true;
}

//  Asks `question` and reads a line: Enter takes it, Esc (or the end of input) cancels
//  and returns NULL, Backspace and Ctrl-U edit. Typed text is echoed when stdin is a
//  terminal (raw mode does not echo).
static char *
s_prompt (s_desk_t *d, const char *question, char *buf, size_t size)
{
    s_status_clear (d);
    printf ("%s", question);
    fflush (stdout);
    size_t len = 0;
    for (;;) {
        int c = s_read_byte (d, S_TICK_MS, true);
        if (c == -1 && !s_interrupted)
            continue;
        if (c < 0 || c == 4 || (c == 0x1b && !s_escape_sequence (d))) {
            printf ("%s已取消 cancelled\n", len && d->raw ? " " : "");
            return NULL;
        }
        if (c == 0x1b)
            continue;
        if (c == '\r' || c == '\n')
            break;
        if ((c == 0x7f || c == 0x08 || c == 0x15) && len > 0) {
            //  Back over one character (all of them for Ctrl-U), as wide as it was drawn.
            do {
                size_t start = len;
                while (start > 0 && ((unsigned char)buf[start - 1] & 0xc0) == 0x80)
                    start--;
                start = start > 0 ? start - 1 : 0;
                buf[len] = 0;
                int w = proto_display_width (buf + start);
                for (int i = 0; d->raw && i < w; i++)
                    fputs ("\b \b", stdout);
                len = start;
            } while (c == 0x15 && len > 0);
        } else if (c >= 0x20 && c != 0x7f && len + 1 < size) {
            buf[len++] = (char)c;
            if (d->raw)
                putchar (c);
        }
        fflush (stdout);
    }
    buf[len] = 0;
    if (d->raw)
        putchar ('\n');
    return buf;
}

//  A yes/no question on one key: y or Y is yes; anything else (n, Enter, Esc) is no.
static bool
s_confirm (s_desk_t *d, const char *question)
{
    s_status_clear (d);
    printf ("%s (y/N) ", question);
    fflush (stdout);
    int c;
    while ((c = s_read_byte (d, S_TICK_MS, true)) == -1 && !s_interrupted)
        ;
    if (c == 0x1b)
        s_escape_sequence (d);
    bool yes = c == 'y' || c == 'Y';
    printf ("%s\n", yes ? "y" : "n — 未执行 not done");
    return yes;
}

static void
s_keys (s_desk_t *d)
{
    s_status_clear (d);
    printf ("keys:");
    for (size_t i = 0; i < NVERBS; i++)
        printf ("  %c %s", s_verbs[i].key, s_verbs[i].label);
    printf ("  ? help  q 退出程序 quit   (Esc 取消输入 cancels a prompt)\n");
    fflush (stdout);
}

//  The fields an action needs, asked for one by one; false if the clerk cancelled.
static bool
s_ask (s_desk_t *d, const s_verb_t *v, s_args_t *step, s_fields_t *f)
{
    const char *verb = v->verb;
    const json_t *c = NULL, *x;
    size_t i;
    json_array_foreach (json_object_get (proto_mirror_state (d->mirror), "counters"), i, x)
        if (proto_int (x, "id") == step->counter)
            c = x;
    const char *number = proto_str (json_object_get (c, "ticket"), "number");
    char question[256];
    if (strcmp (verb, "missed") == 0) {
        snprintf (question, sizeof question, "%s %s 过号？/ mark %s missed?", "确认",
                  *number ? number : "当前号", *number ? number : "the ticket");
        return s_confirm (d, question);
    }
    if (strcmp (verb, "cancel") == 0) {
        step->case_no = s_prompt (
            d, "取消的号 扫描取号单二维码 / scan the slip to cancel: ", f->code, sizeof f->code);
        if (!step->case_no || !*step->case_no)
            return false;
        step->reason = s_prompt (d, "原因 reason (blank: none): ", f->reason, sizeof f->reason);
        if (!step->reason)
            return false;
        if (!*step->reason)
            step->reason = NULL;
        return s_confirm (d, "确认取消这张号？作废后不能恢复 / cancel this ticket for good?");
    }
    if (strcmp (verb, "transfer") == 0) {
        step->to = s_prompt (d, "转至服务 / transfer to service prefix: ", f->to, sizeof f->to);
        return step->to && *step->to;
    }
    if (strcmp (verb, "call") == 0 || strcmp (verb, "unpark") == 0) {
        step->case_no = s_prompt (d, "号码 ticket number: ", f->code, sizeof f->code);
        if (!step->case_no || !*step->case_no)
            return false;
        if (strcmp (verb, "call") == 0) {
            step->reason = s_prompt (d, "原因 reason: ", f->reason, sizeof f->reason);
            return step->reason && *step->reason;
        }
        return true;
    }
    if (strcmp (verb, "received") == 0 || strcmp (verb, "hand-out") == 0) {
        step->case_no = s_prompt (d, "办件编号 case number: ", f->code, sizeof f->code);
        if (!step->case_no || !*step->case_no)
            return false;
        if (strcmp (verb, "received") == 0) {
            step->docs = s_prompt (d, "材料 documents a,b: ", f->docs, sizeof f->docs);
            if (!step->docs)
                return false;
            if (!*step->docs)
                step->docs = NULL;
        }
        return true;
    }
    if (strcmp (verb, "accept") && strcmp (verb, "supplement") && strcmp (verb, "not-accepted"))
        return true;
    step->item = s_prompt (d, "事项 item id: ", f->item, sizeof f->item);
    step->name = step->item ? s_prompt (d, "申请人 name: ", f->name, sizeof f->name) : NULL;
    step->id_number =
        step->name ? s_prompt (d, "身份证号 ID number (blank: none): ", f->id, sizeof f->id) : NULL;
    step->phone = step->id_number
                      ? s_prompt (d, "手机 phone (blank: none): ", f->phone, sizeof f->phone)
                      : NULL;
    step->docs = step->phone
                     ? s_prompt (d, "材料 documents a,b (blank: none): ", f->docs, sizeof f->docs)
                     : NULL;
    if (!step->docs || !*step->item || !*step->name)
        return false;
    if (!*step->id_number)
        step->id_number = NULL;
    if (!*step->phone)
        step->phone = NULL;
    if (!*step->docs)
        step->docs = NULL;
    if (strcmp (verb, "not-accepted") == 0) {
        step->reason = s_prompt (d, "不予受理理由 reason: ", f->reason, sizeof f->reason);
        return step->reason && *step->reason;
    }
    return true;
}

static int
s_interactive (term_opts_t *o, s_args_t *a)
{
    s_desk_t d = {
        .o = o,
        .a = a,
        .tty_in = isatty (STDIN_FILENO),
        .tty_out = isatty (STDOUT_FILENO),
        .pushback = -1,
    };
    d.mirror = proto_mirror_new (o->broker, NULL);
    if (!d.mirror) {
        fprintf (stderr, "onewindow counter: cannot set up a client for %s\n", o->broker);
        return TERM_EXIT_UNREACHABLE;
    }
    proto_mirror_on_event (d.mirror, s_desk_on_event, &d);
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGHUP, &sa, NULL);
    printf ("窗口 %d — counter %d terminal on %s\n", a->counter, a->counter, o->broker);
    s_keys (&d);
    d.online = proto_mirror_start (d.mirror) == 0;
    s_raw_on (&d);
    s_status_draw (&d, true);
    int last = TERM_EXIT_OK;
    for (;;) {
        int ch = s_read_byte (&d, S_TICK_MS, false);
        if (s_interrupted || ch == -2 || ch == 'q' || ch == 4)
            break;
        if (ch == -1) {
            s_status_draw (&d, false); //  the timer moves
            continue;
        }
        if (ch == 0x1b) {
            s_escape_sequence (&d);
            continue;
        }
        if (ch == '?' || ch == 'h') {
            s_keys (&d);
            s_status_draw (&d, false);
            continue;
        }
        if (isspace (ch))
            continue;
        const s_verb_t *v = NULL;
        for (size_t i = 0; i < NVERBS; i++)
            if (s_verbs[i].key == ch)
                v = &s_verbs[i];
        s_status_clear (&d);
        if (!v) {
            printf ("unknown key '%c' (? for help)\n", isprint (ch) ? ch : '?');
            s_status_draw (&d, false);
            continue;
        }
        s_args_t step = *a;
        step.ticket = NULL;
        s_fields_t f;
        if (s_ask (&d, v, &step, &f)) {
            last = s_run (o, v, &step);
            if (last == TERM_EXIT_UNREACHABLE)
                printf ("(the broker is not answering; the request will be retried on the next "
                        "key)\n");
            //  The reply is in; its events follow within moments (a call is a ticket
            //  event, then a counter event): take them before the desk is shown again.
            for (int64_t end = proto_mono_ms () + 500;
                 proto_mirror_poll (d.mirror, 100) > 0 && proto_mono_ms () < end;)
                ;
        }
        s_status_draw (&d, true);
    }
    s_status_clear (&d);
    s_raw_off (&d);
    proto_mirror_destroy (&d.mirror);
    return last == TERM_EXIT_UNREACHABLE ? last : TERM_EXIT_OK;
}

static int s_main (term_opts_t *o, s_args_t *ap, int argc, char **argv,
                   const struct option *longopts);

int
term_counter_main (term_opts_t *o, int argc, char **argv)
{
    s_args_t a = {0};
    const char *env = getenv ("ONEWINDOW_COUNTER");
    if (env)
        a.counter = atoi (env);
    static const struct option longopts[] = {
        {"counter", required_argument, NULL, 'n'},
        {"services", required_argument, NULL, 's'},
        {"clerk", required_argument, NULL, 'k'},
        {"to", required_argument, NULL, 't'},
        {"reason", required_argument, NULL, 'r'},
        {"ticket", required_argument, NULL, 'T'},
        {"item", required_argument, NULL, 'I'},
        {"name", required_argument, NULL, 'N'},
        {"id-number", required_argument, NULL, 'D'},
        {"id-type", required_argument, NULL, 'Y'},
        {"uscc", required_argument, NULL, 'U'},
        {"phone", required_argument, NULL, 'P'},
        {"docs", required_argument, NULL, 'd'},
        {"override", required_argument, NULL, 'O'},
        {"missing", required_argument, NULL, 'M'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    a.overrides = json_object ();
    a.missing = json_array ();
    int rc = s_main (o, &a, argc, argv, longopts);
    json_decref (a.overrides);
    json_decref (a.missing);
    return rc;
}

static int
s_main (term_opts_t *o, s_args_t *ap, int argc, char **argv, const struct option *longopts)
{
    s_args_t a = *ap;
    //  Options may come before and after the verb: permute, and take the first non-option.
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "n:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n': a.counter = atoi (optarg); break;
        case 's': a.services = optarg; break;
        case 'k': a.clerk = optarg; break;
        case 't': a.to = optarg; break;
        case 'r': a.reason = optarg; break;
        case 'T': a.ticket = optarg; break;
        case 'I': a.item = optarg; break;
        case 'N': a.name = optarg; break;
        case 'D': a.id_number = optarg; break;
        case 'Y': a.id_type = optarg; break;
        case 'U': a.uscc = optarg; break;
        case 'P': a.phone = optarg; break;
        case 'd': a.docs = optarg; break;
        case 'M': json_array_append_new (a.missing, json_string (optarg)); break;
        case 'O': {
            const char *eq = strchr (optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return term_usage_error ("counter", "--override takes CHECK=REASON");
            char check[64];
            snprintf (check, sizeof check, "%.*s", (int)(eq - optarg), optarg);
            json_object_set_new (a.overrides, check, json_string (eq + 1));
            break;
        }
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("counter", "bad option");
        }
    }
    if (a.counter <= 0)
        return term_usage_error ("counter", "which counter? give --counter N");
    const char *verb = optind < argc ? argv[optind] : "interactive";
    bool takes_case = strcmp (verb, "received") == 0 || strcmp (verb, "hand-out") == 0 ||
                      strcmp (verb, "call") == 0 || strcmp (verb, "unpark") == 0 ||
                      strcmp (verb, "cancel") == 0;
    if (takes_case && optind == argc - 2)
        a.case_no = argv[optind + 1];
    else if (optind < argc - 1)
        return term_usage_error ("counter", "one verb at a time ('%s' is extra)", argv[optind + 1]);
    if (strcmp (verb, "interactive") == 0)
        return s_interactive (o, &a);
    for (size_t i = 0; i < NVERBS; i++)
        if (strcmp (s_verbs[i].verb, verb) == 0)
            return s_run (o, &s_verbs[i], &a);
    return term_usage_error ("counter", "unknown verb '%s'", verb);
}
