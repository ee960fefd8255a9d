/*  term_admin.c — `onewindow admin`: the hall administrator's tools.

      onewindow admin clock-advance MS        move a simulated broker clock forward
      onewindow admin calendar reload         re-read the year files, move open deadlines
      onewindow admin call COMMAND [JSON]     send any command with a JSON body
      onewindow admin protocol-table [PART]   the generated parts of PROTOCOL.md, as Markdown
*/
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_keys.h"
#include "proto_msg.h"
#include "term_cli.h"
#include "term_table.h"
#include "term_words.h"

static void
s_help (FILE *out)
{
    fprintf (
        out,
        "usage: onewindow admin VERB [options]\n"
        "\n"
        "  clock-advance MS          advance a broker started with --clock sim by MS ms\n"
        "  calendar reload           re-read the calendar's year files (a new notice) and\n"
        "                            move every open deadline they change (audited)\n"
        "  staffing --target 80/15   counters per hour for a service level (= sim staffing)\n"
        "  audit --case CASE_NO      every step of a case: time, actor, reason (办件轨迹)\n"
        "  enroll --role R --name N KEY   admit a device's public key (or key file) in role R\n"
        "  revoke KEY_OR_NAME        refuse a device from its next request on\n"
        "  devices                   every enrolled device\n"
        "  backup DIR                hot copy of the store into DIR (on the broker's host;\n"
        "                            DIR must not exist); waits until it is done\n"
        "  call COMMAND [JSON]       send COMMAND with a JSON object body (default {})\n"
        "                            and print the reply; for scripts and diagnosis\n"
        "  protocol-table [index | event TOPIC | event-common]\n"
        "                            print the protocol's command, error and event tables\n"
        "                            (or the command index, or an event's fields) as\n"
        "                            Markdown: the generated parts of PROTOCOL.md\n"
        "\n"
        "Add --json for the broker's reply as JSON.\n");
}

static void
s_roles (unsigned roles, char *out, size_t size)
{
    out[0] = 0;
    if (roles == R_ANY) {
        snprintf (out, size, "any");
        return;
    }
    for (int r = 0; r < PROTO_ROLE_COUNT; r++)
        if (roles & (1u << r)) {
            size_t len = strlen (out);
            snprintf (out + len, size - len, "%s%s", len ? ", " : "", proto_role_name (r));
        }
}

//  Field spec "a:s b:i?" as "`a` string, `b` integer (optional)".
static void
s_fields (const char *spec, char *out, size_t size)
{
    out[0] = 0;
    proto_field_t f;
    while (proto_spec_next (&spec, &f)) {
        size_t len = strlen (out);
        snprintf (out + len, size - len, "%s`%s` %s%s", len ? ", " : "", f.name,
                  proto_type_name (f.type), f.optional ? " (optional)" : "");
    }
    if (!out[0])
        snprintf (out, size, "—");
}

//  An event's own fields, in the words of s_fields.
static void
s_event_fields (proto_evt_t evt, char *out, size_t size)
{
    out[0] = 0;
    proto_field_t f;
    for (size_t n = 0; proto_evt_field (evt, n, &f); n++) {
        size_t len = strlen (out);
        if (f.type)
            snprintf (out + len, size - len, "%s`%s` %s%s", len ? ", " : "", f.name,
                      proto_type_name (f.type), f.optional ? " (optional)" : "");
        else
            snprintf (out + len, size - len, "%sany other field", len ? ", " : "");
    }
}

static void
s_protocol_table (void)
{
    printf ("| command | kind | roles | fields | what it does |\n|---|---|---|---|---|\n");
    for (int i = 0; i < PROTO_CMD_COUNT; i++) {
        const proto_command_t *c = proto_command (i);
        char roles[256], fields[1024];
        s_roles (c->roles, roles, sizeof roles);
        s_fields (c->fields, fields, sizeof fields);
        printf ("| `%s` | %s | %s | %s | %s |\n", c->name,
                c->flags == PROTO_WRITE ? "write" : "read", roles, fields, c->summary);
    }
    printf ("\n| error code | meaning |\n|---|---|\n");
    for (int i = 1; i < PROTO_ERR_COUNT; i++)
        printf ("| `%s` | %s |\n", proto_err_code (i), proto_err_desc (i));
    printf ("\n| event topic | body fields, besides those of every event (");
    proto_field_t f;
    for (size_t n = 0; proto_evt_common_field (n, &f); n++)
        printf ("%s`%s`", n ? ", " : "", f.name);
    printf (", section 9) | what it says; who publishes it |\n|---|---|---|\n");
    for (int i = 0; i < PROTO_EVT_COUNT; i++) {
        char fields[1024];
        s_event_fields (i, fields, sizeof fields);
        printf ("| [`%s`](#event-%s) | %s | %s |\n", proto_evt_topic (i), proto_evt_topic (i),
                fields, proto_evt_summary (i));
    }
    printf ("\n| role | device |\n|---|---|\n");
    for (int i = 0; i < PROTO_ROLE_COUNT; i++)
        printf ("| `%s` | %s |\n", proto_role_name (i), proto_role_desc (i));
}

//  The command index: where each command is described (section 7 follows the table's
//  order), who may send it, and whether it writes.
static void
s_protocol_index (void)
{
    printf ("| command | section | kind | roles | what it does |\n|---|---|---|---|---|\n");
    for (int i = 0; i < PROTO_CMD_COUNT; i++) {
        const proto_command_t *c = proto_command (i);
        char roles[256];
        s_roles (c->roles, roles, sizeof roles);
        printf ("| [`%s`](#command-%s) | 7.%d | %s | %s | %s |\n", c->name, c->name, i + 1,
                c->flags == PROTO_WRITE ? "write" : "read", roles, c->summary);
    }
}

//  One event's summary and body fields (or, for NULL, the fields of every event) as a
//  table for section 9.
static int
s_protocol_event (const char *topic)
{
    int evt = topic ? proto_evt_lookup (topic) : -1;
    if (topic && evt < 0)
        return term_usage_error ("admin", "no event topic '%s'", topic);
    if (topic)
        printf ("%s\n\n", proto_evt_summary (evt));
    printf ("| field | type | present | meaning |\n|---|---|---|---|\n");
    proto_field_t f;
    for (size_t n = 0; topic ? proto_evt_field (evt, n, &f) : proto_evt_common_field (n, &f); n++)
        if (f.type)
            printf ("| `%s` | %s | %s | %s |\n", f.name, proto_type_name (f.type),
                    f.optional ? "when it applies" : "always", f.meaning);
        else
            printf ("| any other | any | when sent | %s |\n", f.meaning);
    return TERM_EXIT_OK;
}

//  `admin protocol-table [index | event TOPIC | event-common]`: the generated parts of
//  PROTOCOL.md, each between the markers that name this command line.
static int
s_protocol_main (int nargs, char **args)
{
    if (nargs == 0)
        s_protocol_table ();
    else if (nargs == 1 && strcmp (args[0], "index") == 0)
        s_protocol_index ();
    else if (nargs == 1 && strcmp (args[0], "event-common") == 0)
        return s_protocol_event (NULL);
    else if (nargs == 2 && strcmp (args[0], "event") == 0)
        return s_protocol_event (args[1]);
    else
        return term_usage_error ("admin", "protocol-table [index | event TOPIC | event-common]");
    return TERM_EXIT_OK;
}

//  Who did a step, and why: its counter or cabinet slot, clerk, device, level, reason.
static void
s_audit_who (const json_t *s, char *buf, size_t size)
{
    FILE *f = fmemopen (buf, size, "w");
    if (!f) {
        snprintf (buf, size, "?");
        return;
    }
    const char *clerk = json_string_value (json_object_get (s, "clerk"));
    const char *device = json_string_value (json_object_get (s, "device"));
    const char *reason = json_string_value (json_object_get (s, "reason"));
    const char *level = json_string_value (json_object_get (s, "level"));
    if (json_is_integer (json_object_get (s, "counter")))
        fprintf (f, "%lld 号窗口 ", (long long)proto_int (s, "counter"));
    if (json_is_string (json_object_get (s, "cabinet")))
        fprintf (f, "智能柜 %s 格口 %s%s ", proto_str (s, "cabinet"), proto_str (s, "slot"),
                 json_is_true (json_object_get (s, "proxy")) ? " 代领 proxy" : "");
    if (clerk)
        fprintf (f, "%s ", clerk);
    if (device)
        fprintf (f, "设备 device %s ", device);
    if (level)
        fprintf (f, "%s ", term_zh (level));
    if (json_is_string (json_object_get (s, "field")))
        fprintf (f, "%s %lld → %lld ", proto_str (s, "field"), (long long)proto_int (s, "from"),
                 (long long)proto_int (s, "to"));
    if (reason && *reason)
        fprintf (f, "— %s", reason);
    fclose (f);
}

static void
s_print_audit (const json_t *r)
{
    term_print_case (stdout, json_object_get (r, "case"));
    int offset = (int)json_integer_value (json_object_get (r, "utc_offset_min"));
    static const term_table_col_t cols[] = {
        {"序号", "Seq", 'r'},   {"时间", "Local time", 'l'},      {"步骤", "Step", 'l'},
        {"状态", "State", 'l'}, {"经办与理由", "Who / why", 'l'},
    };
    term_table_t *t = term_table_new (cols, 5);
    //  Failed intake checks, listed under the table by the step they belong to.
    char *failed = NULL;
    size_t failed_len = 0;
    FILE *checks = open_memstream (&failed, &failed_len);
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get (r, "steps"), i, s) {
        char when[32], who[512];
        proto_format_time (proto_int (s, "time"), offset, when, sizeof when);
        s_audit_who (s, who, sizeof who);
        term_table_cellf (t, "%lld", (long long)proto_int (s, "seq"));
        term_table_cell (t, when);
        term_table_cell (t, proto_str (s, "topic"));
        term_table_cell (t, term_zh (proto_str (s, "state")));
        term_table_cell (t, who);
        size_t k;
        json_t *ch;
        json_array_foreach (json_object_get (s, "checks"), k, ch) {
            const char *over = json_string_value (json_object_get (ch, "override"));
            if (checks && !json_is_true (json_object_get (ch, "ok")))
                fprintf (checks, "  #%lld 核验 check %s 未通过 failed: %s%s%s\n",
                         (long long)proto_int (s, "seq"), proto_str (ch, "check"),
                         proto_str (ch, "reason"), over ? " — 已人工确认 overridden: " : "",
                         over ? over : "");
        }
    }
    printf ("\n");
    term_table_print (t, stdout, 0);
    term_table_destroy (&t);
    if (checks)
        fclose (checks);
    if (failed && *failed)
        printf ("\n%s", failed);
    free (failed);
}

//  `admin calendar reload`: the broker re-reads its year files; what moved, and whether
//  the calendar still runs short.
static int
s_calendar (term_opts_t *o, int nargs, char **args)
{
    if (nargs != 1 || strcmp (args[0], "reload") != 0)
        return term_usage_error ("admin", "calendar takes one verb: reload");
    json_t *r;
    int rc = term_call (o, "calendar.reload", json_object (), &r);
    if (rc)
        return rc;
    if (o->json) {
        term_print_json (r);
        json_decref (r);
        return TERM_EXIT_OK;
    }
    json_t *cal = json_object_get (r, "calendar"), *moved = json_object_get (r, "moved");
    printf ("calendar reloaded: published %lld .. %lld; %zu deadline(s) moved\n",
            (long long)json_integer_value (json_object_get (cal, "published_from")),
            (long long)json_integer_value (json_object_get (cal, "published_until")),
            json_array_size (moved));
    size_t i;
    json_t *m;
    json_array_foreach (moved, i, m) {
        json_t *rect = json_object_get (m, "rectification");
        char who[96];
        if (rect)
            snprintf (who, sizeof who, "rectification #%lld", (long long)json_integer_value (rect));
        else
            snprintf (who, sizeof who, "%.80s", json_string_value (json_object_get (m, "case_no")));
        printf ("  %s %s %lld -> %lld\n", who, json_string_value (json_object_get (m, "field")),
                (long long)json_integer_value (json_object_get (m, "from")),
                (long long)json_integer_value (json_object_get (m, "to")));
    }
    if (json_is_string (json_object_get (cal, "warning")))
        printf ("warning: %s\n", json_string_value (json_object_get (cal, "warning")));
    json_decref (r);
    return TERM_EXIT_OK;
}

//  Starts a backup and waits for it (polling its status; a backup takes seconds).
static int
s_backup (term_opts_t *o, const char *dir)
{
    json_t *r;
    int rc = term_call (o, "admin.backup", json_pack ("{s:s}", "dir", dir), &r);
    if (rc)
        return rc;
    json_decref (r);
    for (;;) {
        rc = term_call (o, "admin.backup_status", json_object (), &r);
        if (rc)
            return rc;
        const char *state = json_string_value (json_object_get (r, "state"));
        if (strcmp (state, "running") != 0) {
            if (o->json)
                term_print_json (r);
            else if (strcmp (state, "done") == 0)
                printf ("backup done: %s (%lld bytes, %lld ms)\n", dir,
                        (long long)json_integer_value (json_object_get (r, "bytes")),
                        (long long)json_integer_value (json_object_get (r, "ms")));
            else
                fprintf (stderr, "onewindow admin: backup failed: %s\n",
                         json_string_value (json_object_get (r, "error")));
            rc = strcmp (state, "done") == 0 ? TERM_EXIT_OK : TERM_EXIT_REFUSED;
            json_decref (r);
            return rc;
        }
        json_decref (r);
        struct timespec wait = {0, 100 * 1000000};
        nanosleep (&wait, NULL); //  polling a backup in progress, not waiting for time
    }
}

int
term_admin_main (term_opts_t *o, int argc, char **argv)
{
    //  `admin staffing` is the manager's name for `sim staffing` (same options).
    if (argc >= 2 && strcmp (argv[1], "staffing") == 0)
        return term_sim_main (o, argc, argv);
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},       {"case", required_argument, NULL, 'c'},
        {"role", required_argument, NULL, 'r'}, {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *case_no = NULL, *role = NULL, *name = NULL;
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': o->json = true; break;
        case 'c': case_no = optarg; break;
        case 'r': role = optarg; break;
        case 'n': name = optarg; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("admin", "bad option");
        }
    }
    if (optind >= argc) {
        s_help (stderr);
        return TERM_EXIT_USAGE;
    }
    const char *verb = argv[optind];
    int nargs = argc - optind - 1;
    char **args = argv + optind + 1;
    if (strcmp (verb, "protocol-table") == 0)
        return s_protocol_main (nargs, args);
    if (strcmp (verb, "calendar") == 0)
        return s_calendar (o, nargs, args);
    json_t *body = NULL;
    const char *command = NULL;
    if (strcmp (verb, "clock-advance") == 0) {
        char *end;
        long long ms = nargs == 1 ? strtoll (args[0], &end, 10) : -1;
        if (nargs != 1 || *end || ms < 0)
            return term_usage_error ("admin", "clock-advance needs a number of milliseconds");
        command = "clock.advance";
        body = json_pack ("{s:I}", "ms", (json_int_t)ms);
    } else if (strcmp (verb, "audit") == 0) {
        if (nargs == 1 && !case_no)
            case_no = args[0];
        else if (nargs != 0 || !case_no)
            return term_usage_error ("admin", "audit needs --case CASE_NO");
        json_t *r;
        int rc = term_call (o, "case.audit", json_pack ("{s:s}", "case_no", case_no), &r);
        if (rc)
            return rc;
        if (o->json)
            term_print_json (r);
        else
            s_print_audit (r);
        json_decref (r);
        return TERM_EXIT_OK;
    } else if (strcmp (verb, "enroll") == 0) {
        char key[PROTO_KEY_Z85 + 1], err[300];
        if (nargs != 1 || !role || !name)
            return term_usage_error ("admin",
                                     "enroll needs --role ROLE --name NAME PUBLIC_KEY_OR_FILE");
        if (proto_keys_public (args[0], key, err, sizeof err) != 0)
            return term_usage_error ("admin", "%s", err);
        command = "device.enroll";
        body = json_pack ("{s:s, s:s, s:s}", "public_key", key, "role", role, "name", name);
    } else if (strcmp (verb, "revoke") == 0) {
        if (nargs != 1)
            return term_usage_error ("admin", "revoke needs a PUBLIC_KEY or a device NAME");
        command = "device.revoke";
        body = json_pack ("{s:s}", "device", args[0]);
    } else if (strcmp (verb, "devices") == 0) {
        command = "device.list";
        body = json_object ();
    } else if (strcmp (verb, "backup") == 0) {
        if (nargs != 1)
            return term_usage_error ("admin",
                                     "backup needs a DIR (on the broker's host, not existing yet)");
        return s_backup (o, args[0]);
    } else if (strcmp (verb, "call") == 0) {
        if (nargs < 1 || nargs > 2)
            return term_usage_error ("admin", "call needs COMMAND [JSON]");
        command = args[0];
        json_error_t jerr;
        body = nargs == 2 ? json_loads (args[1], 0, &jerr) : json_object ();
        if (!body)
            return term_usage_error ("admin", "the body is not JSON: %s", jerr.text);
    } else
        return term_usage_error ("admin", "unknown verb '%s'", verb);
    json_t *r;
    int rc = term_call (o, command, body, &r);
    if (rc)
        return rc;
    if (o->json || strcmp (verb, "call") == 0)
        term_print_json (r);
    else if (strcmp (verb, "devices") == 0) {
        static const term_table_col_t cols[] = {
            {"设备", "Device", 'l'},
            {"角色", "Role", 'l'},
            {"状态", "State", 'l'},
            {"公钥", "Public key", 'l'},
        };
        term_table_t *t = term_table_new (cols, 4);
        size_t i;
        json_t *d;
        json_array_foreach (json_object_get (r, "devices"), i, d) {
            term_table_cell (t, proto_str (d, "name"));
            term_table_cellf (t, "%s %s", term_zh (proto_str (d, "role")), proto_str (d, "role"));
            term_table_cell (t, proto_int (d, "revoked") ? "已撤销 revoked" : "在用 active");
            term_table_cell (t, proto_str (d, "public"));
        }
        term_table_print (t, stdout, 0);
        term_table_destroy (&t);
    } else if (strcmp (verb, "enroll") == 0 || strcmp (verb, "revoke") == 0)
        printf ("%s %s\n", verb,
                json_string_value (
                    json_object_get (r, strcmp (verb, "enroll") == 0 ? "name" : "device")));
    else
        printf ("clock now %lld\n", (long long)json_integer_value (json_object_get (r, "now")));
    json_decref (r);
    return TERM_EXIT_OK;
}
