/*  term_vault.c — the cabinet from staff terminals:

      onewindow staff deposit --cabinet ID TOKEN_OR_CASE_NO [--size S|M|L] [--clerk NAME]
      onewindow staff open --cabinet ID --slot SLOT --reason TEXT [--clerk NAME]
      onewindow vault-status [--cabinet ID] [--json]
*/
#include <getopt.h>
#include <string.h>

#include "term_cli.h"
#include "term_table.h"
#include "term_words.h"

static void
s_help (FILE *out)
{
    fprintf (out,
             "usage: onewindow staff deposit --cabinet ID TOKEN_OR_CASE_NO [--size S|M|L]\n"
             "       onewindow staff open --cabinet ID --slot SLOT --reason TEXT\n"
             "       onewindow vault-status [--cabinet ID] [--json]\n"
             "\n"
             "  deposit   ask cabinet ID to open a free slot for a case awaiting pickup (the\n"
             "            same as a staff badge and a scan at the cabinet); the case becomes\n"
             "            ready for pickup when the door closes on the documents\n"
             "  open      open a slot remotely, for inspection or to clear an alarm (audited)\n"
             "  vault-status  every slot: size, state, case, alarms, door, occupancy\n"
             "\n"
             "--clerk names who acts (kept in the audit trail). Add --json for JSON.\n");
}

int
term_staff_main (term_opts_t *o, int argc, char **argv)
{
    const char *cabinet = NULL, *size = NULL, *clerk = NULL, *slot = NULL, *reason = NULL;
    static const struct option longopts[] = {
        {"cabinet", required_argument, NULL, 'c'}, {"size", required_argument, NULL, 's'},
        {"clerk", required_argument, NULL, 'k'},   {"slot", required_argument, NULL, 'l'},
        {"reason", required_argument, NULL, 'r'},  {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': cabinet = optarg; break;
        case 's': size = optarg; break;
        case 'k': clerk = optarg; break;
        case 'l': slot = optarg; break;
        case 'r': reason = optarg; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("staff", "bad option");
        }
    }
    const char *verb = optind < argc ? argv[optind] : "";
    if (!cabinet)
        return term_usage_error ("staff", "which cabinet? give --cabinet ID");
    json_t *body = json_pack ("{s:s}", "cabinet", cabinet);
    if (clerk)
        json_object_set_new (body, "clerk", json_string (clerk));
    const char *command;
    if (strcmp (verb, "deposit") == 0 && optind == argc - 2) {
        command = "vault.deposit_request";
        json_object_set_new (body, "code", json_string (argv[optind + 1]));
        if (size)
            json_object_set_new (body, "size", json_string (size));
    } else if (strcmp (verb, "open") == 0 && optind == argc - 1 && slot && reason) {
        command = "vault.remote_open";
        json_object_set_new (body, "slot", json_string (slot));
        json_object_set_new (body, "reason", json_string (reason));
    } else {
        json_decref (body);
        return term_usage_error ("staff", "deposit TOKEN_OR_CASE_NO, or open --slot S --reason R");
    }
    json_t *r;
    int rc = term_call (o, command, body, &r);
    if (rc)
        return rc;
    if (o->json)
        term_print_json (r);
    else if (strcmp (command, "vault.deposit_request") == 0)
        printf ("柜 %s 将为 %s 打开一个 %s 号格口 / cabinet %s will open a size-%s slot for %s "
                "(command %lld)\n",
                cabinet, json_string_value (json_object_get (r, "case_no")),
                json_string_value (json_object_get (r, "size")), cabinet,
                json_string_value (json_object_get (r, "size")),
                json_string_value (json_object_get (r, "case_no")),
                (long long)json_integer_value (json_object_get (r, "id")));
    else
        printf ("柜 %s 格口 %s 将远程打开 / cabinet %s will open slot %s (command %lld)\n", cabinet,
                slot, cabinet, slot, (long long)json_integer_value (json_object_get (r, "id")));
    json_decref (r);
    return TERM_EXIT_OK;
}

//  A cabinet: its slots that are not plainly free (in use, alarmed or disabled), then the
//  counts.
static void
s_print_cabinet (const json_t *c)
{
    static const term_table_col_t cols[] = {
        {"格口", "Slot", 'l'},   {"尺寸", "Size", 'l'}, {"状态", "State", 'l'},
        {"办件", "Case", 'l'},   {"门", "Door", 'l'},   {"物品", "Item", 'l'},
        {"告警", "Alarms", 'l'},
    };
    char when[32];
    proto_format_time (proto_int (c, "reported"), 480, when, sizeof when);
    printf ("智能柜 %s %s（上报于 reported %s）\n", proto_str (c, "cabinet"), proto_str (c, "name"),
            when);
    term_table_t *t = term_table_new (cols, 7);
    int free_n = 0, busy = 0, alarms = 0;
    size_t k;
    json_t *s;
    json_array_foreach (json_object_get (c, "slots"), k, s) {
        const char *state = proto_str (s, "state");
        json_t *al = json_object_get (s, "alarms");
        free_n += strcmp (state, "free") == 0;
        busy += strcmp (state, "free") != 0;
        alarms += json_array_size (al) > 0;
        if (strcmp (state, "free") == 0 && !json_array_size (al))
            continue;
        char list[256] = "";
        size_t a;
        json_t *x;
        json_array_foreach (al, a, x) {
            size_t len = strlen (list);
            snprintf (list + len, sizeof list - len, "%s%s", a ? "、" : "",
                      term_zh (json_string_value (x)));
        }
        term_table_cell (t, proto_str (s, "slot"));
        term_table_cell (t, proto_str (s, "size"));
        term_table_cell (t, term_zh (state));
        term_table_cell (t, proto_str (s, "case_no"));
        term_table_cell (t, term_zh (proto_str (s, "door")));
        term_table_cell (t, json_is_true (json_object_get (s, "occupied")) ? "有" : "空");
        term_table_cell (t, list);
    }
    if (term_table_rows (t))
        term_table_print (t, stdout, 2);
    term_table_destroy (&t);
    printf ("  空闲 %d 格，在用 %d 格，告警 %d 格 / %d free, %d in use, %d with alarms\n", free_n,
            busy, alarms, free_n, busy, alarms);
}

int
term_vault_status_main (term_opts_t *o, int argc, char **argv)
{
    const char *cabinet = NULL;
    static const struct option longopts[] = {
        {"cabinet", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': cabinet = optarg; break;
        case 'j': o->json = true; break;
        case 'h': s_help (stdout); return TERM_EXIT_OK;
        default: return term_usage_error ("vault-status", "bad option");
        }
    }
    json_t *body = json_object ();
    if (cabinet)
        json_object_set_new (body, "cabinet", json_string (cabinet));
    json_t *r;
    int rc = term_call (o, "vault.status", body, &r);
    if (rc)
        return rc;
    json_t *cabinets = json_object_get (r, "cabinets");
    if (o->json) {
        //  One cabinet: its slots at the top level, for scripts.
        if (cabinet && json_array_size (cabinets) == 1)
            term_print_json (json_array_get (cabinets, 0));
        else
            term_print_json (r);
        json_decref (r);
        return TERM_EXIT_OK;
    }
    size_t i;
    json_t *c;
    json_array_foreach (cabinets, i, c)
        s_print_cabinet (c);
    json_decref (r);
    return TERM_EXIT_OK;
}
