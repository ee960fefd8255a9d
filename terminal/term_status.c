/*  term_status.c — `onewindow status TOKEN`, `onewindow snapshot`, `onewindow info`:
    what a citizen, a manager or a script asks of the hall without changing it. */
#include <getopt.h>
#include <string.h>

#include "proto_text.h"
#include "term_cli.h"
#include "term_table.h"
#include "term_words.h"

//  Parses only --json/--help; returns -1 to continue, or an exit code.
static int
s_opts (term_opts_t *o, int argc, char **argv, const char *help)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': o->json = true; break;
        case 'h': fputs (help, stdout); return TERM_EXIT_OK;
        default: return term_usage_error (argv[0], "bad option");
        }
    }
    return -1;
}

//  A result waiting in a cabinet: where (the cabinet's Chinese name), and the pickup code
//  to type at its keypad with the second factor.
static void
s_pickup (const json_t *c)
{
    const json_t *p = json_object_get (c, "pickup");
    if (!proto_is (c, "state", "ready_for_pickup") || !json_is_object (p))
        return;
    const char *name = proto_str (p, "cabinet_name"), *sep = strstr (name, " / ");
    const char *code = proto_str (p, "code");
    printf ("  取件 pickup: %.*s %s 格口", sep ? (int)(sep - name) : (int)strlen (name), name,
            proto_str (p, "slot"));
    if (strlen (code) == 8)
        printf ("，扫取号单二维码或输入取件码 %.4s %.4s / scan the slip or type pickup code %.4s "
                "%.4s",
                code, code + 4, code, code + 4);
    printf ("\n");
    if (proto_is (p, "factor", "id_last4"))
        printf ("  再输入申请人身份证号后四位 / then the last 4 characters of the applicant's "
                "ID\n");
}

int
term_status_main (term_opts_t *o, int argc, char **argv)
{
    int rc = s_opts (o, argc, argv,
                     "usage: onewindow status TOKEN [--json]\n\n"
                     "A ticket's state, people ahead and estimated wait, by the code in its QR\n"
                     "code (or the status URL it holds).\n");
    if (rc >= 0)
        return rc;
    if (optind != argc - 1)
        return term_usage_error ("status", "needs one TOKEN");
    json_t *r;
    rc = term_call (o, "ticket.status", json_pack ("{s:s}", "token", argv[optind]), &r);
    if (rc)
        return rc;
    if (o->json) {
        term_print_json (r);
        json_decref (r);
        return TERM_EXIT_OK;
    }
    const json_t *t = json_object_get (r, "ticket");
    const char *state = proto_str (t, "state");
    //  A finished visit is not a concluded case: its cases below say where they stand.
    printf ("%s\n%s  %s %s\n状态 state: %s\n", proto_str (r, "hall"), proto_str (t, "number"),
            proto_str (t, "service_name"), proto_str (t, "service_name_en"),
            strcmp (state, "done") == 0 ? "本次服务已结束 / visit finished" : term_zh (state));
    if (strcmp (state, "waiting") == 0) {
        long long ahead = json_integer_value (json_object_get (t, "ahead"));
        const json_t *est = json_object_get (t, "est_wait_s");
        printf ("您前面还有 %lld 人 / %lld ahead of you\n", ahead, ahead);
        char range[128];
        proto_format_wait_range (t, range, sizeof range);
        if (json_is_integer (est) && json_integer_value (est) < 60)
            printf ("预计等候不到 1 分钟 / under 1 min\n");
        else if (json_is_integer (json_object_get (t, "est_wait_hi_s")))
            printf ("预计等候%s\n", range); //  its 80% interval
        else if (json_is_integer (est)) {
            char zh[48], en[48];
            long long ms = json_integer_value (est) * 1000;
            printf ("预计等候约 %s / about %s\n", term_minutes (ms, true, true, zh, sizeof zh),
                    term_minutes (ms, false, true, en, sizeof en));
        } else
            printf ("暂无窗口开放 / no counter open yet\n");
    } else if (strcmp (state, "called") == 0 || strcmp (state, "serving") == 0)
        printf ("请到 %s / go to the counter\n", proto_str (t, "counter_name"));
    else if (json_is_integer (json_object_get (t, "grace_until")))
        printf ("请在宽限期内到取号机重新排队 / rejoin the line at a kiosk before the grace period "
                "ends\n");
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (r, "cases"), i, c) {
        printf ("\n");
        term_print_case (stdout, c);
        s_pickup (c);
    }
    json_decref (r);
    return TERM_EXIT_OK;
}

//  The lines: people waiting, counters open, and what a ticket taken now can expect.
static void
s_snapshot_services (const json_t *r)
{
    static const term_table_col_t cols[] = {
        {"业务", "Service", 'l'},
        {"等候", "Waiting", 'r'},
        {"开窗", "Open", 'r'},
        {"新取号预计等候", "New ticket wait", 'r'},
    };
    term_table_t *t = term_table_new (cols, 4);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (r, "services"), i, s) {
        const json_t *est = json_object_get (s, "est_wait_s");
        char wait[48] = "暂无窗口";
        if (json_is_integer (est))
            term_minutes (json_integer_value (est) * 1000, true, true, wait, sizeof wait);
        term_table_cellf (t, "%s %s %s", proto_str (s, "prefix"), proto_str (s, "name"),
                          proto_str (s, "name_en"));
        term_table_cellf (t, "%lld", (long long)proto_int (s, "waiting"));
        term_table_cellf (t, "%lld", (long long)proto_int (s, "open_counters"));
        term_table_cell (t, wait);
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
}

//  The counters: state and for how long, the ticket held, who works there.
static void
s_snapshot_counters (const json_t *r)
{
    static const term_table_col_t cols[] = {
        {"窗口", "Counter", 'l'},    {"状态", "State", 'l'},  {"当前号", "Ticket", 'l'},
        {"本状态", "In state", 'r'}, {"已办", "Served", 'r'}, {"人员", "Clerk", 'l'},
    };
    term_table_t *t = term_table_new (cols, 6);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (r, "counters"), i, c) {
        const char *state = proto_str (c, "state");
        char took[48] = "-";
        if (strcmp (state, "logged_out") != 0)
            term_minutes (proto_int (r, "now") - proto_int (c, "since"), true, false, took,
                          sizeof took);
        term_table_cell (t, proto_str (c, "name"));
        term_table_cell (t, term_zh (state));
        term_table_cell (t, proto_str (json_object_get (c, "ticket"), "number"));
        term_table_cell (t, took);
        term_table_cellf (t, "%lld", (long long)proto_int (c, "served"));
        term_table_cell (t, proto_str (c, "clerk"));
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
}

int
term_snapshot_main (term_opts_t *o, int argc, char **argv)
{
    int rc = s_opts (o, argc, argv,
                     "usage: onewindow snapshot [--json]\n\n"
                     "The whole live hall: queues, counters and tickets, with the sequence number\n"
                     "of the last event it includes.\n");
    if (rc >= 0)
        return rc;
    if (optind != argc)
        return term_usage_error ("snapshot", "takes no arguments");
    json_t *r;
    rc = term_call (o, "hall.snapshot", json_object (), &r);
    if (rc)
        return rc;
    if (o->json) {
        term_print_json (r);
        json_decref (r);
        return TERM_EXIT_OK;
    }
    printf ("大厅快照 hall snapshot: 事件 event #%lld, 营业日 business day %lld\n\n",
            (long long)json_integer_value (json_object_get (r, "seq")),
            (long long)json_integer_value (json_object_get (r, "day")));
    s_snapshot_services (r);
    printf ("\n");
    s_snapshot_counters (r);
    printf ("\n在办的号 %zu 张 / %zu live ticket(s)\n",
            json_array_size (json_object_get (r, "tickets")),
            json_array_size (json_object_get (r, "tickets")));
    json_decref (r);
    return TERM_EXIT_OK;
}

int
term_info_main (term_opts_t *o, int argc, char **argv)
{
    int rc = s_opts (o, argc, argv,
                     "usage: onewindow info [--json]\n\n"
                     "The hall's services and counters, the event endpoint and the clock.\n");
    if (rc >= 0)
        return rc;
    if (optind != argc)
        return term_usage_error ("info", "takes no arguments");
    json_t *r;
    rc = term_call (o, "hall.info", json_object (), &r);
    if (rc)
        return rc;
    if (o->json) {
        term_print_json (r);
        json_decref (r);
        return TERM_EXIT_OK;
    }
    const json_t *hall = json_object_get (r, "hall");
    printf ("%s — %s (%s)\n协议 protocol %s，事件 events %s，时钟 clock %s\n\n",
            proto_str (hall, "name"), proto_str (hall, "name_en"), proto_str (hall, "id"),
            proto_str (r, "protocol"), proto_str (r, "events"), proto_str (r, "clock"));
    static const term_table_col_t svc_cols[] = {{"业务", "Service", 'l'}, {"名称", "Name", 'l'}};
    static const term_table_col_t ctr_cols[] = {
        {"窗口", "Counter", 'l'}, {"名称", "Name", 'l'}, {"可办业务", "Services", 'l'}};
    term_table_t *t = term_table_new (svc_cols, 2);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (r, "services"), i, s) {
        term_table_cell (t, proto_str (s, "prefix"));
        term_table_cellf (t, "%s %s", proto_str (s, "name"), proto_str (s, "name_en"));
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
    printf ("\n");
    t = term_table_new (ctr_cols, 3);
    json_array_foreach (json_object_get (r, "counters"), i, s) {
        term_table_cellf (t, "%lld", (long long)proto_int (s, "id"));
        term_table_cell (t, proto_str (s, "name"));
        char list[256] = "";
        size_t j;
        json_t *p;
        json_array_foreach (json_object_get (s, "services"), j, p) {
            size_t len = strlen (list);
            snprintf (list + len, sizeof list - len, "%s%s", j ? "," : "", json_string_value (p));
        }
        term_table_cell (t, list);
    }
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
    json_decref (r);
    return TERM_EXIT_OK;
}
