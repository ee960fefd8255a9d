/*  term_status.c — `onewindow status TOKEN`, `onewindow snapshot`, `onewindow info`:
    what a citizen, a manager or a script asks of the hall without changing it. */
#include <getopt.h>
#include <string.h>

#include "term_cli.h"

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

static const char *
s_state_text (const char *state)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"waiting", "排队中 / waiting"},
        {"called", "已叫号，请到窗口 / called: go to the counter"},
        {"serving", "办理中 / being served"},
        {"done", "已办结 / done"},
        {"missed", "已过号 / missed"},
        {"cancelled", "已取消 / cancelled"},
        {"expired", "已失效 / expired"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (texts[i].state, state) == 0)
            return texts[i].text;
    return state;
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
    printf ("%s\n%s  %s %s\n%s\n", proto_str (r, "hall"), proto_str (t, "number"),
            proto_str (t, "service_name"), proto_str (t, "service_name_en"),
            s_state_text (proto_str (t, "state")));
    const char *state = proto_str (t, "state");
    if (strcmp (state, "waiting") == 0) {
        char wait[96];
        proto_format_wait (json_object_get (t, "est_wait_s"), wait, sizeof wait);
        long long ahead = json_integer_value (json_object_get (t, "ahead"));
        printf ("你前面还有 %lld 人在等待 / %lld ahead\n预计等待 / wait: %s\n", ahead, ahead, wait);
    } else if (strcmp (state, "called") == 0 || strcmp (state, "serving") == 0)
        printf ("窗口 / counter: %s\n", proto_str (t, "counter_name"));
    else if (json_is_integer (json_object_get (t, "grace_until")))
        printf ("请在宽限期内到取号机重新排队 / rejoin the line at a kiosk before the grace period "
                "ends\n");
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (r, "cases"), i, c) {
        printf ("\n");
        term_print_case (stdout, c);
    }
    json_decref (r);
    return TERM_EXIT_OK;
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
    printf ("hall snapshot at event #%lld, business day %lld\n\n",
            (long long)json_integer_value (json_object_get (r, "seq")),
            (long long)json_integer_value (json_object_get (r, "day")));
    printf ("%-4s %-14s %8s %6s %14s\n", "svc", "service", "waiting", "open", "new ticket wait");
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (r, "services"), i, s) {
        char wait[96] = "-";
        json_t *w = json_object_get (s, "est_wait_s");
        if (json_is_integer (w))
            snprintf (wait, sizeof wait, "%lld min", (long long)(json_integer_value (w) + 59) / 60);
        char name[256];
        printf ("%-4s %s %8lld %6lld %14s   %s\n", proto_str (s, "prefix"),
                term_pad (proto_str (s, "name_en"), 14, name, sizeof name),
                (long long)json_integer_value (json_object_get (s, "waiting")),
                (long long)json_integer_value (json_object_get (s, "open_counters")), wait,
                proto_str (s, "name"));
    }
    printf ("\n%-4s %-11s %-8s %-8s %s\n", "ctr", "state", "ticket", "served", "name");
    json_t *c;
    json_array_foreach (json_object_get (r, "counters"), i, c) {
        const json_t *t = json_object_get (c, "ticket");
        printf ("%-4lld %-11s %-8s %-8lld %s\n",
                (long long)json_integer_value (json_object_get (c, "id")), proto_str (c, "state"),
                json_is_object (t) ? proto_str (t, "number") : "-",
                (long long)json_integer_value (json_object_get (c, "served")),
                proto_str (c, "name"));
    }
    printf ("\n%zu live ticket(s)\n", json_array_size (json_object_get (r, "tickets")));
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
    printf ("%s — %s (%s)\nprotocol %s, events on %s, %s clock\n\nservices:\n",
            proto_str (hall, "name"), proto_str (hall, "name_en"), proto_str (hall, "id"),
            proto_str (r, "protocol"), proto_str (r, "events"), proto_str (r, "clock"));
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (r, "services"), i, s)
        printf ("  %-3s %s / %s\n", proto_str (s, "prefix"), proto_str (s, "name"),
                proto_str (s, "name_en"));
    printf ("counters:\n");
    json_array_foreach (json_object_get (r, "counters"), i, s) {
        printf ("  %-3lld %s  [", (long long)json_integer_value (json_object_get (s, "id")),
                proto_str (s, "name"));
        size_t j;
        json_t *p;
        json_array_foreach (json_object_get (s, "services"), j, p)
            printf ("%s%s", j ? "," : "", json_string_value (p));
        printf ("]\n");
    }
    json_decref (r);
    return TERM_EXIT_OK;
}
