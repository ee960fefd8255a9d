/*  term_counter.c — `onewindow counter`: the clerk's counter terminal (窗口).

      onewindow counter --counter 5 login [--services A,B] [--clerk NAME]
      onewindow counter --counter 5 call-next | recall | missed | start | finish
      onewindow counter --counter 5 transfer --to B
      onewindow counter --counter 5 pause [--reason TEXT] | resume | logout
      onewindow counter --counter 5 interactive      (keys; also when no verb is given)
*/
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "term_cli.h"

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
             "                                         when no verb is given)\n"
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
             "  received CASE_NO [--docs a,b]    the missing material arrived\n"
             "  hand-out CASE_NO [--id-number N [--id-type T]]   the result is collected (出件);\n"
             "         N: the collector's document checked (default: the applicant's)\n"
             "\n"
             "recall/missed/start/finish/transfer take --ticket NUMBER to make sure the\n"
             "counter holds that ticket. Add --json for the broker's reply as JSON.\n");
}

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
        long long waited = (json_integer_value (json_object_get (t, "called")) -
                            json_integer_value (json_object_get (t, "issued"))) /
                           60000;
        printf ("请 %s 号到 %d 号窗口办理 — called %s (%s %s, %s, waited %lld min); %lld still "
                "waiting\n",
                number, counter, number, s_str (t, "service"), s_str (t, "service_name"),
                s_str (r, "reason"), waited,
                (long long)json_integer_value (json_object_get (r, "waiting")));
    } else if (strcmp (v->verb, "recall") == 0)
        printf ("重呼 %s 号到 %d 号窗口 — recalled %s (recall #%lld)\n", number, counter, number,
                (long long)json_integer_value (json_object_get (r, "recall")));
    else if (strcmp (v->verb, "missed") == 0)
        printf ("过号 %s — marked missed: %s\n", number, s_str (r, "outcome"));
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
        printf ("%s: %s", s_str (r, "name"), s_str (r, "state"));
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
//  Interactive mode

static struct termios s_saved;
static bool s_raw = false;

static void
s_raw_on (void)
{
    if (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &s_saved) != 0)
        return;
    struct termios raw = s_saved;
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0)
        s_raw = true;
}

static void
s_raw_off (void)
{
    if (s_raw)
        tcsetattr (STDIN_FILENO, TCSANOW, &s_saved);
    s_raw = false;
}

//  Reads a line in cooked mode (for the transfer target). NULL at end of input.
static char *
s_prompt (const char *question, char *buf, size_t size)
{
    bool was_raw = s_raw;
    s_raw_off ();
    printf ("%s", question);
    fflush (stdout);
    char *line = fgets (buf, (int)size, stdin);
    if (line)
        line[strcspn (line, "\r\n")] = 0;
    if (was_raw)
        s_raw_on ();
    return line;
}

static void
s_keys (void)
{
    printf ("keys:");
    for (size_t i = 0; i < NVERBS; i++)
        printf ("  %c %s", s_verbs[i].key, s_verbs[i].label);
    printf ("  ? help  q 退出程序 quit\n");
    fflush (stdout);
}

static int
s_interactive (term_opts_t *o, s_args_t *a)
{
    printf ("窗口 %d — counter %d terminal on %s\n", a->counter, a->counter, o->broker);
    s_keys ();
    s_raw_on ();
    int ch;
    int last = TERM_EXIT_OK;
    while ((ch = getchar ()) != EOF) {
        if (ch == 'q' || ch == 4)
            break;
        if (ch == '?' || ch == 'h') {
            s_keys ();
            continue;
        }
        if (isspace (ch))
            continue;
        const s_verb_t *v = NULL;
        for (size_t i = 0; i < NVERBS; i++)
            if (s_verbs[i].key == ch)
                v = &s_verbs[i];
        if (!v) {
            printf ("unknown key '%c' (? for help)\n", isprint (ch) ? ch : '?');
            continue;
        }
        s_args_t step = *a;
        step.ticket = NULL;
        char buf[64];
        char f_item[64], f_name[128], f_id[64], f_phone[64], f_docs[256], f_case[64], f_reason[512];
        if (strcmp (v->verb, "transfer") == 0) {
            step.to = s_prompt ("转至服务 / transfer to service prefix: ", buf, sizeof buf);
            if (!step.to || !*step.to)
                continue;
        } else if (strcmp (v->verb, "accept") == 0 || strcmp (v->verb, "supplement") == 0 ||
                   strcmp (v->verb, "not-accepted") == 0) {
            step.item = s_prompt ("事项 item id: ", f_item, sizeof f_item);
            step.name = step.item ? s_prompt ("申请人 name: ", f_name, sizeof f_name) : NULL;
            step.id_number =
                step.name ? s_prompt ("身份证号 ID number (blank: none): ", f_id, sizeof f_id)
                          : NULL;
            step.phone = step.id_number
                             ? s_prompt ("手机 phone (blank: none): ", f_phone, sizeof f_phone)
                             : NULL;
            step.docs = step.phone
                            ? s_prompt ("材料 documents a,b (blank: none): ", f_docs, sizeof f_docs)
                            : NULL;
            if (!step.docs || !*step.item || !*step.name)
                continue;
            if (!*step.id_number)
                step.id_number = NULL;
            if (!*step.phone)
                step.phone = NULL;
            if (!*step.docs)
                step.docs = NULL;
            if (strcmp (v->verb, "not-accepted") == 0) {
                step.reason = s_prompt ("不予受理理由 reason: ", f_reason, sizeof f_reason);
                if (!step.reason || !*step.reason)
                    continue;
            }
        } else if (strcmp (v->verb, "received") == 0 || strcmp (v->verb, "hand-out") == 0) {
            step.case_no = s_prompt ("办件编号 case number: ", f_case, sizeof f_case);
            if (!step.case_no || !*step.case_no)
                continue;
            if (strcmp (v->verb, "received") == 0) {
                step.docs = s_prompt ("材料 documents a,b: ", f_docs, sizeof f_docs);
                if (step.docs && !*step.docs)
                    step.docs = NULL;
            }
        }
        last = s_run (o, v, &step);
        if (last == TERM_EXIT_UNREACHABLE)
            printf ("(the broker is not answering; the request will be retried on the next key)\n");
    }
    s_raw_off ();
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
                      strcmp (verb, "call") == 0 || strcmp (verb, "unpark") == 0;
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
