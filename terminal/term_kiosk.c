/*  term_kiosk.c — `onewindow kiosk`: the ticket dispenser (取号机).

      onewindow kiosk issue --service A [--priority green] [--png FILE] [--escpos FILE]
      onewindow kiosk cancel TOKEN [--reason TEXT]
      onewindow kiosk requeue TOKEN
*/
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "term_cli.h"
#include "term_slip.h"
#include "term_words.h"

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow kiosk VERB [options]\n"
             "\n"
             "The ticket dispenser (取号机).\n"
             "\n"
             "  issue --service P [--priority normal|green|elderly|appointment]\n"
             "        [--png FILE] [--escpos FILE] [--quiet]\n"
             "        Pull a ticket for service prefix P and print the slip: hall, service,\n"
             "        the number, people ahead, estimated wait, time and the QR code.\n"
             "        --png writes the slip as an image, --escpos as receipt-printer bytes\n"
             "        (\"-\" for stdout); --quiet prints only the number.\n"
             "  cancel TOKEN [--reason TEXT]   the citizen leaves; frees the place in line\n"
             "  requeue TOKEN                  back in line after a missed call, within grace\n"
             "  book --service P --date YYYY-MM-DD --slot HH:MM --name NAME [--id-number N\n"
             "       [--id-type T]] [--phone P]   book an appointment (预约); prints its code\n"
             "       (T for a document whose number does not name it: passport,\n"
             "       hk_macao_permit, taiwan_permit, foreign_permanent_old)\n"
             "  checkin CODE [--png FILE]      check a booking in on its day: an appointment\n"
             "                                 ticket inside its window, a normal one outside\n"
             "  unbook CODE                    cancel a booking before its slot\n"
             "  proxy TOKEN --name NAME [--id-number N [--id-type T]] [--png FILE]\n"
             "                                 let NAME collect the result (代领): prints a new\n"
             "                                 pickup code for them; N: their document\n"
             "\n"
             "TOKEN is the code in the slip's QR code (or the status URL it holds).\n"
             "Add --json for the broker's reply as JSON.\n");
}

static int s_print_slip (term_opts_t *o, const char *command, json_t *body, const char *png,
                         const char *escpos, bool quiet);

static int
s_issue (term_opts_t *o, int argc, char **argv)
{
    const char *service = NULL, *priority = NULL, *png = NULL, *escpos = NULL;
    bool quiet = false;
    static const struct option longopts[] = {
        {"service", required_argument, NULL, 's'}, {"priority", required_argument, NULL, 'p'},
        {"png", required_argument, NULL, 'g'},     {"escpos", required_argument, NULL, 'e'},
        {"quiet", no_argument, NULL, 'q'},         {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "+s:p:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 's': service = optarg; break;
        case 'p': priority = optarg; break;
        case 'g': png = optarg; break;
        case 'e': escpos = optarg; break;
        case 'q': quiet = true; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("kiosk issue", "bad option");
        }
    }
    if (!service)
        return term_usage_error ("kiosk", "issue needs --service PREFIX");
    if (optind < argc)
        return term_usage_error ("kiosk", "unexpected argument '%s'", argv[optind]);
    json_t *body = json_pack ("{s:s}", "service", service);
    if (priority)
        json_object_set_new (body, "priority", json_string (priority));
    return s_print_slip (o, "ticket.issue", body, png, escpos, quiet);
}

//  Sends an issuing command (ticket.issue, appointment.checkin) and prints the slip.
static int
s_print_slip (term_opts_t *o, const char *command, json_t *body, const char *png,
              const char *escpos, bool quiet)
{
    json_t *r;
    int rc = term_call (o, command, body, &r);
    if (rc)
        return rc;

    term_slip_t slip = {
        .hall = json_string_value (json_object_get (r, "hall")),
        .hall_en = json_string_value (json_object_get (r, "hall_en")),
        .service = json_string_value (json_object_get (r, "service_name")),
        .service_en = json_string_value (json_object_get (r, "service_name_en")),
        .number = json_string_value (json_object_get (r, "number")),
        .ahead = (int)json_integer_value (json_object_get (r, "ahead")),
        .est_wait_s = json_is_integer (json_object_get (r, "est_wait_s"))
                          ? (long)json_integer_value (json_object_get (r, "est_wait_s"))
                          : -1,
        .est_wait_lo_s = (long)json_integer_value (json_object_get (r, "est_wait_lo_s")),
        .est_wait_hi_s = (long)json_integer_value (json_object_get (r, "est_wait_hi_s")),
        .issued_ms = json_integer_value (json_object_get (r, "issued")),
        .utc_offset_min = (int)json_integer_value (json_object_get (r, "utc_offset_min")),
        .qr_text = json_string_value (json_object_get (r, "qr")),
        .footer = json_string_value (json_object_get (r, "notice")),
    };
    //  The ticket exists now whatever happens to the printout; a failed image is reported
    //  but the number is still shown so the citizen is not left without it.
    int out_rc = TERM_EXIT_OK;
    if (png && term_slip_png (&slip, png) != 0)
        out_rc = TERM_EXIT_REFUSED;
    if (escpos && term_slip_escpos (&slip, escpos) != 0)
        out_rc = TERM_EXIT_REFUSED;
    bool escpos_stdout = escpos && strcmp (escpos, "-") == 0;
    if (o->json)
        term_print_json (r);
    else if (quiet)
        printf ("%s\n", slip.number);
    else if (!escpos_stdout && term_slip_text (&slip, stdout) != 0)
        printf ("%s %s\n", slip.number, json_string_value (json_object_get (r, "token")));
    json_decref (r);
    return out_rc;
}

static int
s_by_token (term_opts_t *o, int argc, char **argv, const char *command)
{
    const char *reason = NULL;
    static const struct option longopts[] = {
        {"reason", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "r:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r': reason = optarg; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("kiosk", "bad option");
        }
    }
    if (optind != argc - 1)
        return term_usage_error ("kiosk", "%s needs one TOKEN", argv[0]);
    json_t *body = json_pack ("{s:s}", "token", argv[optind]);
    if (reason && strcmp (command, "ticket.cancel") == 0)
        json_object_set_new (body, "reason", json_string (reason));
    json_t *r;
    int rc = term_call (o, command, body, &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else {
        const json_t *t = json_object_get (r, "ticket");
        const char *number = json_string_value (json_object_get (t, "number"));
        const char *state = json_string_value (json_object_get (t, "state"));
        if (strcmp (command, "ticket.cancel") == 0)
            printf ("%s 已取消 / cancelled\n", number ? number : "?");
        else
            printf ("%s 已重新排队 / back in line（%s），您前面还有 %lld 人 / %lld ahead of you\n",
                    number ? number : "?", term_zh (state),
                    (long long)json_integer_value (json_object_get (t, "ahead")),
                    (long long)json_integer_value (json_object_get (t, "ahead")));
    }
    json_decref (r);
    return TERM_EXIT_OK;
}

//  代领: the applicant authorises someone else; the new code is printed as a QR slip.
static int
s_proxy (term_opts_t *o, int argc, char **argv)
{
    const char *name = NULL, *png = NULL, *id = NULL, *id_type = NULL;
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"id-number", required_argument, NULL, 'i'},
        {"id-type", required_argument, NULL, 'y'},
        {"png", required_argument, NULL, 'g'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "n:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n': name = optarg; break;
        case 'i': id = optarg; break;
        case 'y': id_type = optarg; break;
        case 'g': png = optarg; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("kiosk", "bad option");
        }
    }
    if (optind != argc - 1 || !name)
        return term_usage_error ("kiosk",
                                 "proxy needs the applicant's TOKEN and --name PROXY_NAME");
    json_t *body = json_pack ("{s:s, s:s}", "token", argv[optind], "proxy_name", name);
    if (id)
        json_object_set_new (body, "proxy_id_number", json_string (id));
    if (id_type)
        json_object_set_new (body, "proxy_id_type", json_string (id_type));
    json_t *r;
    int rc = term_call (o, "case.authorize_proxy", body, &r);
    if (rc)
        return rc;
    term_slip_t slip = {
        .hall = "代领授权 / proxy pickup",
        .service = json_string_value (json_object_get (r, "case_no")),
        .number = "PROXY",
        .issued_ms = 0,
        .utc_offset_min = 480,
        .qr_text = json_string_value (json_object_get (r, "qr")),
        .footer = name,
        .est_wait_s = -1,
    };
    if (png && term_slip_png (&slip, png) != 0)
        rc = TERM_EXIT_REFUSED;
    if (o->json)
        term_print_json (r);
    else
        printf ("代领码 / proxy code for %s (%s): %s\n", name,
                json_string_value (json_object_get (r, "case_no")),
                json_string_value (json_object_get (r, "qr")));
    json_decref (r);
    return rc;
}

static int
s_book (term_opts_t *o, int argc, char **argv)
{
    const char *service = NULL, *date = NULL, *slot = NULL, *name = NULL, *id = NULL, *phone = NULL,
               *id_type = NULL;
    static const struct option longopts[] = {
        {"service", required_argument, NULL, 's'},
        {"date", required_argument, NULL, 'd'},
        {"slot", required_argument, NULL, 't'},
        {"name", required_argument, NULL, 'n'},
        {"id-number", required_argument, NULL, 'i'},
        {"id-type", required_argument, NULL, 'y'},
        {"phone", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 's': service = optarg; break;
        case 'd': date = optarg; break;
        case 't': slot = optarg; break;
        case 'n': name = optarg; break;
        case 'i': id = optarg; break;
        case 'y': id_type = optarg; break;
        case 'p': phone = optarg; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("kiosk", "bad option");
        }
    }
    int y, m, d;
    if (!service || !date || !slot || !name || sscanf (date, "%d-%d-%d", &y, &m, &d) != 3)
        return term_usage_error ("kiosk",
                                 "book needs --service, --date YYYY-MM-DD, --slot HH:MM, --name");
    json_t *body = json_pack ("{s:s, s:i, s:s, s:s}", "service", service, "date",
                              y * 10000 + m * 100 + d, "slot", slot, "name", name);
    if (id)
        json_object_set_new (body, "id_number", json_string (id));
    if (id_type)
        json_object_set_new (body, "id_type", json_string (id_type));
    if (phone)
        json_object_set_new (body, "phone", json_string (phone));
    json_t *r;
    int rc = term_call (o, "appointment.book", body, &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else {
        char from[32], until[32];
        proto_format_time (json_integer_value (json_object_get (r, "checkin_from")), 480, from,
                           sizeof from);
        proto_format_time (json_integer_value (json_object_get (r, "checkin_until")), 480, until,
                           sizeof until);
        printf ("预约成功 / booked: %s %s %s\n预约码 / code: %s\n请于 %s 至 %s 到取号机扫码签到 / "
                "check in "
                "at a kiosk between %s and %s\n",
                service, date, slot, json_string_value (json_object_get (r, "code")), from + 11,
                until + 11, from + 11, until + 11);
    }
    json_decref (r);
    return TERM_EXIT_OK;
}

int
term_kiosk_main (term_opts_t *o, int argc, char **argv)
{
    if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
        s_help (argc < 2 ? stderr : stdout);
        return argc < 2 ? TERM_EXIT_USAGE : TERM_EXIT_OK;
    }
    if (strcmp (argv[1], "issue") == 0)
        return s_issue (o, argc - 1, argv + 1);
    if (strcmp (argv[1], "cancel") == 0)
        return s_by_token (o, argc - 1, argv + 1, "ticket.cancel");
    if (strcmp (argv[1], "requeue") == 0)
        return s_by_token (o, argc - 1, argv + 1, "ticket.requeue");
    if (strcmp (argv[1], "proxy") == 0)
        return s_proxy (o, argc - 1, argv + 1);
    if (strcmp (argv[1], "book") == 0)
        return s_book (o, argc - 1, argv + 1);
    if (strcmp (argv[1], "checkin") == 0 || strcmp (argv[1], "unbook") == 0) {
        bool checkin = strcmp (argv[1], "checkin") == 0;
        const char *png = NULL;
        if (argc == 5 && strcmp (argv[3], "--png") == 0)
            png = argv[4];
        else if (argc == 4 && strcmp (argv[3], "--json") == 0)
            o->json = true;
        else if (argc != 3)
            return term_usage_error ("kiosk", "%s needs the booking's CODE", argv[1]);
        json_t *body = json_pack ("{s:s}", "code", argv[2]);
        if (checkin)
            return s_print_slip (o, "appointment.checkin", body, png, NULL, false);
        json_t *r;
        int rc = term_call (o, "appointment.cancel", body, &r);
        if (!rc) {
            if (o->json)
                term_print_json (r);
            else
                printf ("预约已取消 / booking cancelled\n");
            json_decref (r);
        }
        return rc;
    }
    return term_usage_error ("kiosk", "unknown verb '%s'", argv[1]);
}
