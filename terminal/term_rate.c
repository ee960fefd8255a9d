/*  term_rate.c — `onewindow rate`: the rating pad (好差评评价器) beside a counter.

    After the clerk finishes a visit, the citizen presses one of five keys: 5 非常满意,
    4 满意, 3 基本满意, 2 不满意, 1 非常不满意. The pad is bound to its counter and rates the
    visit that counter finished last (within ten minutes); a citizen who walked away can
    still rate later by the token of the slip's QR code, and with it rate a concluded case
    taken in on that slip (一事一评). Levels 1 and 2 open a rectification item in the back
    office; the citizen is shown only the broker's plain words (`message`): thanks, and when
    they will hear back.

        onewindow rate --counter 5             interactive pad: waits for a key, rates, repeats
        onewindow rate --counter 5 4           one rating from a script
        onewindow rate TOKEN 2 --comment "..." by the slip's code
        onewindow rate TOKEN 5 --case CASE_NO  a case the slip leads to
*/
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "term_cli.h"

static const char *const s_levels[] = {"",
                                       "非常不满意 very dissatisfied",
                                       "不满意 dissatisfied",
                                       "基本满意 fair",
                                       "满意 satisfied",
                                       "非常满意 very satisfied"};

static int
s_level (const char *text)
{
    char *end;
    long v = strtol (text, &end, 10);
    return *text && !*end && v >= 1 && v <= 5 ? (int)v : 0;
}

//  Sends one rating; prints the outcome. A term exit code.
static int
s_rate (term_opts_t *o, const char *token, int counter, int level, const char *comment,
        const char *case_no)
{
    json_t *body = json_pack ("{s:i}", "level", level);
    if (token)
        json_object_set_new (body, "token", json_string (token));
    else
        json_object_set_new (body, "counter", json_integer (counter));
    if (comment)
        json_object_set_new (body, "comment", json_string (comment));
    if (case_no)
        json_object_set_new (body, "case_no", json_string (case_no));
    json_t *r;
    int rc = term_call (o, "ticket.rate", body, &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else {
        //  The citizen reads this: their own number, then the broker's words for them (no
        //  item ids, stages or raw dates).
        const char *rated = case_no ? case_no : proto_str (json_object_get (r, "ticket"), "number");
        printf ("%s: %d %s\n%s\n%s\n", rated, level, s_levels[level], proto_str (r, "message"),
                proto_str (r, "message_en"));
    }
    json_decref (r);
    return TERM_EXIT_OK;
}

//  The pad's loop: one key per visit, until end of input or q.
static int
s_pad (term_opts_t *o, int counter)
{
    char line[64];
    for (;;) {
        if (!o->json) {
            printf ("\n%d 号窗口 请您对本次服务进行评价 / please rate this visit:\n", counter);
            for (int l = 5; l >= 1; l--)
                printf ("  %d  %s\n", l, s_levels[l]);
            printf ("> ");
            fflush (stdout);
        }
        if (!fgets (line, sizeof line, stdin))
            return TERM_EXIT_OK;
        line[strcspn (line, "\r\n")] = 0;
        if (strcmp (line, "q") == 0)
            return TERM_EXIT_OK;
        int level = s_level (line);
        if (!level) {
            fprintf (stderr, "rate: press a key from 1 to 5 (q quits)\n");
            continue;
        }
        //  A refused rating (nothing to rate, rated already) is shown, and the pad waits on.
        s_rate (o, NULL, counter, level, NULL, NULL);
    }
}

int
term_rate_main (term_opts_t *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"counter", required_argument, NULL, 'c'}, {"comment", required_argument, NULL, 'm'},
        {"case", required_argument, NULL, 'C'},    {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int counter = 0;
    const char *comment = NULL, *case_no = NULL;
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': counter = atoi (optarg); break;
        case 'm': comment = optarg; break;
        case 'C': case_no = optarg; break;
        case 'j': o->json = true; break;
        case 'h':
            fputs ("usage: onewindow rate --counter N [LEVEL]   the counter's rating pad\n"
                   "       onewindow rate TOKEN LEVEL           by the slip's QR code\n"
                   "       onewindow rate TOKEN LEVEL --case CASE_NO   a case on that slip\n\n"
                   "Rates a finished visit (好差评) on five levels:\n"
                   "  5 非常满意  4 满意  3 基本满意  2 不满意  1 非常不满意\n"
                   "Levels 1 and 2 open a rectification item: the back office verifies it,\n"
                   "puts it right and calls the citizen back within the hall's working days.\n"
                   "With --case, rates the concluded case (一事一评) the slip's token leads to,\n"
                   "once; a case is never rated at a counter's pad.\n\n"
                   "With --counter and no LEVEL it is the pad itself: it shows the levels, reads\n"
                   "one key per visit from standard input and rates the visit that counter\n"
                   "finished last (within 10 minutes), until end of input or q.\n\n"
                   "  --counter N       the counter this pad stands at\n"
                   "  --comment TEXT    what the citizen wrote (at most 511 bytes)\n"
                   "  --case CASE_NO    rate that case instead of the visit (with TOKEN)\n"
                   "  --json            the broker's reply as JSON\n",
                   stdout);
            return TERM_EXIT_OK;
        default: return term_usage_error ("rate", "bad option");
        }
    }
    int left = argc - optind;
    if (counter) {
        if (case_no)
            return term_usage_error ("rate", "a case is rated by TOKEN, not at a counter's pad");
        if (counter < 1)
            return term_usage_error ("rate", "--counter needs a counter number");
        if (left == 0)
            return s_pad (o, counter);
        if (left != 1 || !s_level (argv[optind]))
            return term_usage_error ("rate", "with --counter, give at most one LEVEL from 1 to 5");
        return s_rate (o, NULL, counter, s_level (argv[optind]), comment, NULL);
    }
    if (left != 2 || !s_level (argv[optind + 1]))
        return term_usage_error ("rate", "needs TOKEN and a LEVEL from 1 to 5, or --counter N");
    return s_rate (o, argv[optind], 0, s_level (argv[optind + 1]), comment, case_no);
}
