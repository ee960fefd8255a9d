/*  term_office.c — `onewindow office`: the back office (后台审批).

      onewindow office [--department D] queue [--state S]
      onewindow office review|approve|get|special-end CASE_NO
      onewindow office deny CASE_NO --reason TEXT
      onewindow office supplement CASE_NO --missing TEXT [--missing TEXT]... [--reason TEXT]
      onewindow office extend CASE_NO --days N --reason TEXT --approver NAME --clerk NAME
      onewindow office supplement-withdraw CASE_NO --reason TEXT
      onewindow office notice CASE_NO --missing TEXT [--missing TEXT]... [--reason TEXT]
      onewindow office notices [CASE_NO] [--state S]
      onewindow office special-start CASE_NO --reason TEXT
      onewindow office withdraw CASE_NO [--reason TEXT]
      onewindow office [--department D] interactive

    Bad ratings (好差评, PROTOCOL.md 6.17), each verified, put right and followed up:

      onewindow office ratings [--state open|closed]
      onewindow office --clerk NAME verify ID valid|invalid|appealed [REASON]
      onewindow office rectify ID ANSWER
      onewindow office revisit ID satisfied|unsatisfied|unreachable [NOTE]
*/
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "term_cli.h"
#include "term_table.h"
#include "term_words.h"

typedef struct {
    const char *verb;
    const char *command;
    char key; //  interactive key
    const char *label;
    bool needs_reason;
} s_verb_t;

static const s_verb_t s_verbs[] = {
    {"get", "case.get", 'g', "查看 show", false},
    {"review", "case.review", 'v', "审核 review", false},
    {"approve", "case.approve", 'a', "准予 approve", false},
    {"deny", "case.deny", 'd', "不予许可 deny", true},
    {"supplement", "case.request_supplement", 'b', "补正 ask for material", false},
    {"supplement-withdraw", "case.supplement_withdraw", 'u', "撤回补正 withdraw a 补正 request",
     true},
    {"notice", "case.supplement_notice", 't', "补正告知 one-time notice", false},
    {"extend", "case.extend", 'e', "延期 extend", true},
    {"special-start", "case.special_start", 's', "特别程序 special start", true},
    {"special-end", "case.special_end", 'x', "结束特别程序 special end", false},
    {"withdraw", "case.withdraw", 'w', "撤回 withdraw", false},
};
#define NVERBS (sizeof s_verbs / sizeof s_verbs[0])

typedef struct {
    const char *department, *state, *clerk, *reason, *case_no, *approver;
    long days;
    json_t *missing;
} s_args_t;

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow office [--department D] [--clerk NAME] VERB [CASE_NO] [options]\n"
             "\n"
             "The back office (后台审批): cases of a department, most urgent deadline first.\n"
             "\n"
             "  queue [--state S]                  open cases with deadlines and warnings\n"
             "  get CASE_NO                        one case in full\n"
             "  review CASE_NO                     take an accepted case into review\n"
             "  approve CASE_NO [--reason TEXT]    approve (准予); a document then awaits pickup\n"
             "  deny CASE_NO --reason TEXT         deny (不予许可)\n"
             "  supplement CASE_NO --missing TEXT [--missing TEXT]...  ask for material; the\n"
             "                                     clock stops until it arrives\n"
             "  supplement-withdraw CASE_NO --reason TEXT  withdraw a request for material made\n"
             "                                     in error; one complete request may follow\n"
             "  notice CASE_NO --missing TEXT [--missing TEXT]...  the one-time notice of an\n"
             "                                     application taken in with notice_later\n"
             "  extend CASE_NO --days N --reason TEXT --approver NAME --clerk NAME\n"
             "                                     extend the limit once (延期), before the\n"
             "                                     statutory deadline, approved by the 负责人\n"
             "  notices [CASE_NO] [--state S]      notices to applicants (SMS) and their\n"
             "                                     delivery: a case's, or by state (pending,\n"
             "                                     delivered, rejected, no_mobile, no_gateway)\n"
             "  special-start CASE_NO --reason TEXT        hearing, testing... (clock stops)\n"
             "  special-end CASE_NO\n"
             "  withdraw CASE_NO [--reason TEXT]   the applicant withdraws\n"
             "  interactive                        keys; also the default without a verb\n"
             "\n"
             "Bad ratings (好差评): each is verified, put right and the rater called back:\n"
             "  ratings [--state open|closed]      rectification items, what each awaits,\n"
             "                                     and the figures\n"
             "  verify ID valid|invalid|appealed [REASON]   核实 (a reason for the last two)\n"
             "  rectify ID ANSWER                  整改: what was done\n"
             "  revisit ID satisfied|unsatisfied|unreachable [NOTE]   回访; closes the item\n"
             "\n"
             "--clerk names who acts (kept in the audit trail). Add --json for JSON.\n");
}

static json_t *
s_body (const s_verb_t *v, const s_args_t *a)
{
    json_t *body = json_pack ("{s:s}", "case_no", a->case_no ? a->case_no : "");
    if (a->clerk && strcmp (v->command, "case.get") != 0)
        json_object_set_new (body, "clerk", json_string (a->clerk));
    if (a->reason && strcmp (v->command, "case.get") && strcmp (v->command, "case.review") &&
        strcmp (v->command, "case.special_end"))
        json_object_set_new (body, "reason", json_string (a->reason));
    if (strcmp (v->command, "case.request_supplement") == 0 ||
        strcmp (v->command, "case.supplement_notice") == 0)
        json_object_set (body, "missing", a->missing);
    if (strcmp (v->command, "case.extend") == 0) {
        json_object_set_new (body, "days", json_integer (a->days));
        json_object_set_new (body, "approver", json_string (a->approver ? a->approver : ""));
    }
    return body;
}

//  Calls a listing `command`, filtered by `key` = `value` and the state asked for (each
//  when given). With --json the reply is printed and *r is NULL; otherwise *r is the reply
//  for a table. TERM_EXIT_OK, or the call's error.
static int
s_list_call (term_opts_t *o, const char *command, const char *key, const char *value,
             const char *state, json_t **r)
{
    json_t *body = json_object ();
    if (value)
        json_object_set_new (body, key, json_string (value));
    if (state)
        json_object_set_new (body, "state", json_string (state));
    int rc = term_call (o, command, body, r);
    if (rc)
        return rc;
    if (o->json) {
        term_print_json (*r);
        json_decref (*r);
        *r = NULL;
    }
    return TERM_EXIT_OK;
}

static int
s_queue (term_opts_t *o, const s_args_t *a)
{
    json_t *r;
    int rc = s_list_call (o, "case.queue", "department", a->department, a->state, &r);
    if (rc || !r)
        return rc;
    json_t *cases = json_object_get (r, "cases");
    printf ("在办 %zu 件 / %zu open case(s)%s%s\n\n", json_array_size (cases),
            json_array_size (cases), a->department ? "，部门 department " : "",
            a->department ? a->department : "");
    static const term_table_col_t cols[] = {
        {"办件编号", "Case", 'l'},   {"状态", "State", 'l'},    {"承诺期限", "Deadline", 'l'},
        {"已用工作日", "Used", 'r'}, {"预警", "Warnings", 'l'}, {"事项", "Item", 'l'},
    };
    term_table_t *t = term_table_new (cols, 6);
    size_t i;
    json_t *c;
    json_array_foreach (cases, i, c) {
        term_table_cell (t, proto_str (c, "case_no"));
        term_table_cell (t, term_zh (proto_str (c, "state")));
        json_t *d = json_object_get (c, "promised_deadline");
        if (json_is_integer (d))
            term_table_cellf (t, "%02lld-%02lld", (long long)json_integer_value (d) / 100 % 100,
                              (long long)json_integer_value (d) % 100);
        else
            term_table_cell (t, NULL);
        if (json_is_integer (json_object_get (c, "elapsed_days")))
            term_table_cellf (t, "%lld/%lld", (long long)proto_int (c, "elapsed_days"),
                              (long long)proto_int (c, "limit_days"));
        else
            term_table_cell (t, NULL);
        char warn[128] = "";
        size_t k;
        json_t *w;
        json_array_foreach (json_object_get (c, "warnings"), k, w) {
            size_t len = strlen (warn);
            snprintf (warn + len, sizeof warn - len, "%s%s", k ? "、" : "",
                      term_zh (json_string_value (w)));
        }
        term_table_cell (t, warn);
        term_table_cellf (t, "%s %s", proto_str (c, "item_name"), proto_str (c, "item"));
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
    json_decref (r);
    return TERM_EXIT_OK;
}

//  A notice's delivery state, in the office's words.
static const char *
s_notice_state (const json_t *n)
{
    static const char *const words[][2] = {
        {"pending", "待送达"},     {"delivered", "已送达"},    {"rejected", "网关拒收"},
        {"no_mobile", "无手机号"}, {"no_gateway", "未接网关"},
    };
    const char *st = proto_str (n, "state");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp (words[i][0], st) == 0)
            return words[i][1];
    return *st ? st : "—";
}

//  notice.list: what applicants were told, and whether it reached them.
static int
s_notices (term_opts_t *o, const s_args_t *a)
{
    json_t *r;
    int rc = s_list_call (o, "notice.list", "case_no", a->case_no, a->state, &r);
    if (rc || !r)
        return rc;
    json_t *list = json_object_get (r, "notices");
    printf ("通知 %zu 条 / %zu notice(s); 待送达 undelivered in all: %lld\n\n",
            json_array_size (list), json_array_size (list),
            (long long)proto_int (r, "undelivered"));
    static const term_table_col_t cols[] = {
        {"编号", "Id", 'l'},    {"办件编号", "Case", 'l'}, {"模板", "Template", 'l'},
        {"状态", "State", 'l'}, {"尝试", "Tries", 'r'},    {"最近错误", "Last error", 'l'},
        {"内容", "Text", 'l'},
    };
    term_table_t *t = term_table_new (cols, 7);
    size_t i;
    json_t *n;
    json_array_foreach (list, i, n) {
        term_table_cell (t, proto_str (n, "id"));
        term_table_cell (t, proto_str (n, "case_no"));
        term_table_cell (t, proto_str (n, "template"));
        term_table_cell (t, s_notice_state (n));
        term_table_cellf (t, "%lld", (long long)proto_int (n, "attempts"));
        term_table_cell (t, proto_str (n, "last_error"));
        term_table_cell (t, proto_str (n, "text"));
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
    json_decref (r);
    return TERM_EXIT_OK;
}

static int
s_run (term_opts_t *o, const s_verb_t *v, const s_args_t *a)
{
    if (!a->case_no)
        return term_usage_error ("office", "%s needs the CASE_NO", v->verb);
    if (v->needs_reason && !a->reason)
        return term_usage_error ("office", "%s needs --reason TEXT", v->verb);
    if ((strcmp (v->verb, "supplement") == 0 || strcmp (v->verb, "notice") == 0) &&
        !json_array_size (a->missing))
        return term_usage_error ("office", "%s needs --missing TEXT (all at once)", v->verb);
    if (strcmp (v->verb, "extend") == 0 && (a->days <= 0 || !a->approver || !a->clerk))
        return term_usage_error ("office", "extend needs --days N, --approver NAME (the 负责人 "
                                           "who approved it) and --clerk NAME");
    json_t *r;
    int rc = term_call (o, v->command, s_body (v, a), &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else {
        term_print_case (stdout, r);
        if (strcmp (v->verb, "get") == 0)
            term_print_checks (stdout, json_object_get (r, "checks"));
    }
    json_decref (r);
    return TERM_EXIT_OK;
}

static char *
s_prompt (const char *question, char *buf, size_t size)
{
    printf ("%s", question);
    fflush (stdout);
    char *line = fgets (buf, (int)size, stdin);
    if (line)
        line[strcspn (line, "\r\n")] = 0;
    return line;
}

//  Line-oriented: the office works on case numbers, so each action reads a line.
static int
s_interactive (term_opts_t *o, s_args_t *a)
{
    printf ("后台审批 — back office%s%s on %s\n", a->department ? " of " : "",
            a->department ? a->department : "", o->broker);
    printf ("keys: q 待办 queue");
    for (size_t i = 0; i < NVERBS; i++)
        printf ("  %c %s", s_verbs[i].key, s_verbs[i].label);
    printf ("  ! 退出 quit\n");
    char line[64];
    while (s_prompt ("> ", line, sizeof line)) {
        char key = line[0];
        if (key == '!' || key == 0x04)
            break;
        if (key == 'q') {
            s_queue (o, a);
            continue;
        }
        const s_verb_t *v = NULL;
        for (size_t i = 0; i < NVERBS; i++)
            if (s_verbs[i].key == key)
                v = &s_verbs[i];
        if (!v) {
            if (key)
                printf ("unknown key '%c'\n", key);
            continue;
        }
        s_args_t step = *a;
        char f_case[64], f_reason[512], f_missing[512], f_days[16], f_approver[128];
        step.case_no = s_prompt ("办件编号 case number: ", f_case, sizeof f_case);
        if (!step.case_no || !*step.case_no)
            continue;
        step.reason = NULL;
        if (v->needs_reason || strcmp (v->verb, "approve") == 0 ||
            strcmp (v->verb, "withdraw") == 0) {
            step.reason = s_prompt ("理由 reason: ", f_reason, sizeof f_reason);
            if (step.reason && !*step.reason)
                step.reason = NULL;
        }
        if (strcmp (v->verb, "extend") == 0 && s_prompt ("工作日 days: ", f_days, sizeof f_days))
            step.days = atol (f_days);
        if (strcmp (v->verb, "extend") == 0 &&
            s_prompt ("批准的负责人 approved by: ", f_approver, sizeof f_approver))
            step.approver = f_approver;
        json_t *missing = json_array ();
        if ((strcmp (v->verb, "supplement") == 0 || strcmp (v->verb, "notice") == 0) &&
            s_prompt ("缺少的材料，用、分隔 / missing, separated by commas: ", f_missing,
                      sizeof f_missing)) {
            json_decref (missing);
            missing = term_split_list (f_missing);
        }
        step.missing = missing;
        s_run (o, v, &step);
        json_decref (missing);
    }
    return TERM_EXIT_OK;
}

//  ---------------------------------------------------------------------------------------
//  Bad ratings: the rectification items (rating.*)

//  The words of a rectification's stage and of what it awaits.
static const char *
s_rating_zh (const char *word)
{
    static const char *const words[][2] = {
        {"received", "待核实"}, {"appealed", "申诉中"},  {"valid", "属实"},
        {"invalid", "不属实"},  {"rectified", "已整改"}, {"closed", "已办结"},
        {"verify", "核实"},     {"rectify", "整改"},     {"revisit", "回访"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp (words[i][0], word) == 0)
            return words[i][1];
    return word;
}

//  A ratio of the figures as a percentage, or "-".
static void
s_pct (const json_t *figures, const char *key, char *buf, size_t size)
{
    const json_t *v = json_object_get (figures, key);
    if (json_is_number (v))
        snprintf (buf, size, "%.0f%%", json_number_value (v) * 100);
    else
        snprintf (buf, size, "-");
}

static int
s_ratings (term_opts_t *o, const s_args_t *a)
{
    json_t *r;
    int rc = term_call (o, "rating.list",
                        a->state ? json_pack ("{s:s}", "state", a->state) : json_object (), &r);
    if (rc)
        return rc;
    if (o->json) {
        term_print_json (r);
        json_decref (r);
        return TERM_EXIT_OK;
    }
    static const term_table_col_t cols[] = {
        {"编号", "Id", 'r'},      {"阶段", "Stage", 'l'}, {"待办", "Next", 'l'},
        {"期限", "Due", 'l'},     {"评价", "Level", 'l'}, {"评价对象", "Rated", 'l'},
        {"意见", "Comment", 'l'},
    };
    term_table_t *t = term_table_new (cols, 7);
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get (r, "rectifications"), i, it) {
        json_int_t d = proto_int (it, "deadline");
        term_table_cellf (t, "%lld", (long long)proto_int (it, "id"));
        term_table_cell (t, s_rating_zh (proto_str (it, "stage")));
        term_table_cell (t, s_rating_zh (proto_str (it, "next")));
        term_table_cellf (t, "%02lld-%02lld%s", (long long)d / 100 % 100, (long long)d % 100,
                          json_is_true (json_object_get (it, "overdue")) ? " 超期" : "");
        term_table_cell (t, proto_str (it, "level_name"));
        term_table_cell (t, proto_is (it, "subject", "case")
                                ? proto_str (it, "case_no")
                                : proto_str (json_object_get (it, "ticket"), "number"));
        term_table_cell (t, proto_str (it, "comment"));
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
    const json_t *f = json_object_get (r, "figures");
    char on_time[16], revisit[16], satisfied[16], good[16];
    s_pct (f, "on_time_rate", on_time, sizeof on_time);
    s_pct (f, "revisit_rate", revisit, sizeof revisit);
    s_pct (f, "satisfied_rate", satisfied, sizeof satisfied);
    s_pct (f, "case_good_rate", good, sizeof good);
    printf ("\n差评 %lld 件，在办 %lld（超期 %lld），办结 %lld：按时 %s，回访 %s，回访满意 %s；"
            "办件评价 %lld 次，好评 %s\n"
            "bad %lld, open %lld (overdue %lld), closed %lld: on time %s, revisited %s, "
            "satisfied %s; cases rated %lld, good %s\n",
            (long long)proto_int (f, "bad"), (long long)proto_int (f, "open"),
            (long long)proto_int (f, "overdue"), (long long)proto_int (f, "closed"), on_time,
            revisit, satisfied, (long long)proto_int (f, "cases_rated"), good,
            (long long)proto_int (f, "bad"), (long long)proto_int (f, "open"),
            (long long)proto_int (f, "overdue"), (long long)proto_int (f, "closed"), on_time,
            revisit, satisfied, (long long)proto_int (f, "cases_rated"), good);
    json_decref (r);
    return TERM_EXIT_OK;
}

static bool
s_rating_verb (const char *verb)
{
    return strcmp (verb, "ratings") == 0 || strcmp (verb, "verify") == 0 ||
           strcmp (verb, "rectify") == 0 || strcmp (verb, "revisit") == 0;
}

//  A rating verb with its n positional arguments (ID, then RESULT and text, or the text).
static int
s_rating (term_opts_t *o, const s_args_t *a, const char *verb, int n, char **arg)
{
    if (strcmp (verb, "ratings") == 0)
        return n ? term_usage_error ("office", "ratings takes no argument") : s_ratings (o, a);
    bool rectify = strcmp (verb, "rectify") == 0;
    char *end;
    long long id = n ? strtoll (arg[0], &end, 10) : 0;
    if (n < 2 || n > (rectify ? 2 : 3) || id <= 0 || *end)
        return term_usage_error ("office", "%s needs the item's ID and %s", verb,
                                 rectify ? "the ANSWER" : "a RESULT, then a text if any");
    json_t *body = json_pack ("{s:I}", "id", (json_int_t)id);
    if (rectify)
        json_object_set_new (body, "answer", json_string (arg[1]));
    else {
        json_object_set_new (body, "result", json_string (arg[1]));
        if (n == 3)
            json_object_set_new (body, strcmp (verb, "verify") == 0 ? "reason" : "note",
                                 json_string (arg[2]));
    }
    if (a->clerk)
        json_object_set_new (body, "clerk", json_string (a->clerk));
    char command[32];
    snprintf (command, sizeof command, "rating.%s", verb);
    json_t *r;
    int rc = term_call (o, command, body, &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else
        printf ("#%lld %s %s%s%s\n", (long long)proto_int (r, "id"),
                s_rating_zh (proto_str (r, "stage")), proto_str (r, "stage"),
                json_is_string (json_object_get (r, "next")) ? "；待办 next: " : "",
                s_rating_zh (proto_str (r, "next")));
    json_decref (r);
    return TERM_EXIT_OK;
}

int
term_office_main (term_opts_t *o, int argc, char **argv)
{
    s_args_t a = {0};
    a.department = getenv ("ONEWINDOW_DEPARTMENT");
    a.clerk = getenv ("ONEWINDOW_CLERK");
    a.missing = json_array ();
    static const struct option longopts[] = {
        {"department", required_argument, NULL, 'D'},
        {"state", required_argument, NULL, 'S'},
        {"clerk", required_argument, NULL, 'k'},
        {"reason", required_argument, NULL, 'r'},
        {"days", required_argument, NULL, 'n'},
        {"approver", required_argument, NULL, 'A'},
        {"missing", required_argument, NULL, 'M'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch, rc = -1;
    while (rc < 0 && (ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'D': a.department = optarg; break;
        case 'S': a.state = optarg; break;
        case 'k': a.clerk = optarg; break;
        case 'r': a.reason = optarg; break;
        case 'n': a.days = atol (optarg); break;
        case 'A': a.approver = optarg; break;
        case 'M': json_array_append_new (a.missing, json_string (optarg)); break;
        case 'j': o->json = true; break;
        case 'h':
            s_help (stdout);
            rc = TERM_EXIT_OK;
            break;
        default: rc = term_usage_error ("office", "bad option"); break;
        }
    }
    if (rc < 0 && optind < argc && s_rating_verb (argv[optind]))
        rc = s_rating (o, &a, argv[optind], argc - optind - 1, argv + optind + 1);
    if (rc < 0) {
        const char *verb = optind < argc ? argv[optind] : "interactive";
        if (optind + 1 < argc)
            a.case_no = argv[optind + 1];
        if (optind + 2 < argc)
            rc = term_usage_error ("office", "unexpected argument '%s'", argv[optind + 2]);
        else if (strcmp (verb, "queue") == 0)
            rc = s_queue (o, &a);
        else if (strcmp (verb, "notices") == 0)
            rc = s_notices (o, &a);
        else if (strcmp (verb, "interactive") == 0)
            rc = s_interactive (o, &a);
        else {
            for (size_t i = 0; i < NVERBS && rc < 0; i++)
                if (strcmp (s_verbs[i].verb, verb) == 0)
                    rc = s_run (o, &s_verbs[i], &a);
            if (rc < 0)
                rc = term_usage_error ("office", "unknown verb '%s'", verb);
        }
    }
    json_decref (a.missing);
    return rc;
}
