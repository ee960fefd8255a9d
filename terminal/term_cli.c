/*  term_cli.c — see term_cli.h. */
#include "term_cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_keys.h"
#include "proto_msg.h"
#include "term_words.h"

int
term_curve_setup (const char *key_file, const char *server_key)
{
    char err[300];
    if (proto_curve_setup (key_file, server_key, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow: %s\n", err);
        return -1;
    }
    return 0;
}

const char *
term_default_broker (void)
{
    return proto_default_broker ();
}

proto_client_t *
term_client (term_opts_t *o)
{
    if (!o->client) {
        o->client = proto_client_new (o->broker);
        if (o->client)
            proto_client_set_timeout (o->client, o->timeout_ms, o->tries);
        else
            fprintf (stderr, "onewindow: cannot create a client for %s\n", o->broker);
    }
    return o->client;
}

int
term_call (term_opts_t *o, const char *command, json_t *body, json_t **result)
{
    *result = NULL;
    proto_client_t *client = term_client (o);
    if (!client) {
        json_decref (body);
        return TERM_EXIT_UNREACHABLE;
    }
    json_t *reply = NULL;
    int rc = proto_client_call (client, command, body, &reply);
    json_decref (body);
    if (rc == PROTO_ERR_OK) {
        *result = reply;
        return TERM_EXIT_OK;
    }
    const char *code = proto_client_code (client);
    const char *message = proto_client_message (client);
    if (o->json) {
        //  The whole error body: code, message and any details (e.g. the intake checks).
        json_t *detail = json_is_object (reply) ? json_deep_copy (reply) : json_object ();
        json_object_set_new (detail, "code", json_string (code));
        json_object_set_new (detail, "message", json_string (message));
        json_t *err = json_pack ("{s:o}", "error", detail);
        term_print_json (err);
        json_decref (err);
    } else {
        fprintf (stderr, "onewindow: %s: %s [%s]\n", command, message, code);
        term_print_checks (stderr, json_object_get (reply, "checks"));
    }
    json_decref (reply);
    return proto_client_exit_status (client, rc);
}

int
term_keygen_main (term_opts_t *o, int argc, char **argv)
{
    const char *out = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp (argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp (argv[i], "--json") == 0)
            o->json = true;
        else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
            printf ("usage: onewindow keygen --out FILE [--name NAME] [--json]\n\n"
                    "Writes a new CURVE keypair for a device or the broker into FILE (mode 0600,\n"
                    "kept on that machine) and its public key into FILE's .pub file (broker.key:\n"
                    "broker.pub, mode 0644, to hand out: the broker's to every device, a device's\n"
                    "to the administrator who enrols it), and prints the public key.\n");
            return TERM_EXIT_OK;
        } else
            return term_usage_error ("keygen", "unexpected '%s'", argv[i]);
    }
    if (!out)
        return term_usage_error ("keygen", "needs --out FILE");
    proto_keypair_t keys;
    char err[300];
    if (proto_keys_new (&keys) != 0) {
        fprintf (stderr, "onewindow keygen: this libzmq has no CURVE support\n");
        return TERM_EXIT_REFUSED;
    }
    if (proto_keys_save (&keys, out, name, err, sizeof err) != 0) {
        fprintf (stderr, "onewindow keygen: %s\n", err);
        return TERM_EXIT_REFUSED;
    }
    if (o->json) {
        char pub[4096];
        proto_keys_pub_path (out, pub, sizeof pub);
        json_t *j = json_pack ("{s:s, s:s, s:s}", "public", keys.public_key, "file", out,
                               "public_file", pub);
        term_print_json (j);
        json_decref (j);
    } else
        printf ("%s\n", keys.public_key);
    return TERM_EXIT_OK;
}

void
term_print_checks (FILE *out, const json_t *checks)
{
    size_t i;
    json_t *ch;
    json_array_foreach (checks, i, ch) {
        bool ok = json_is_true (json_object_get (ch, "ok"));
        const char *over = json_string_value (json_object_get (ch, "override"));
        const char *mark = ok                                                ? "✓"
                           : over                                            ? "!"
                           : json_is_true (json_object_get (ch, "advisory")) ? "?"
                                                                             : "✗";
        fprintf (out, "  %s %-16s %s", mark, json_string_value (json_object_get (ch, "check")),
                 json_string_value (json_object_get (ch, "reason")));
        if (over)
            fprintf (out, " — 已人工确认 / overridden: %s", over);
        fprintf (out, "\n");
    }
}

void
term_print_case (FILE *out, const json_t *c)
{
    const char *s;
    fprintf (out, "办件 %s  %s【%s】\n", json_string_value (json_object_get (c, "case_no")),
             json_string_value (json_object_get (c, "item_name")),
             term_zh (json_string_value (json_object_get (c, "state"))));
    const json_t *a = json_object_get (c, "applicant");
    fprintf (out, "  申请人 applicant: %s", json_string_value (json_object_get (a, "name")));
    if ((s = json_string_value (json_object_get (a, "id_number"))))
        fprintf (out, "  %s", s);
    if ((s = json_string_value (json_object_get (a, "uscc"))))
        fprintf (out, "  %s", s);
    if ((s = json_string_value (json_object_get (a, "phone"))))
        fprintf (out, "  %s", s);
    fprintf (out, "\n");
    json_t *p = json_object_get (c, "promised_deadline"),
           *st = json_object_get (c, "statutory_deadline");
    if (json_is_integer (p) && json_is_integer (st)) {
        long long pd = json_integer_value (p), sd = json_integer_value (st);
        fprintf (
            out,
            "  承诺期限 promised %04lld-%02lld-%02lld  法定期限 statutory %04lld-%02lld-%02lld%s\n",
            pd / 10000, pd / 100 % 100, pd % 100, sd / 10000, sd / 100 % 100, sd % 100,
            json_is_true (json_object_get (c, "provisional"))
                ? "  (provisional: past the published calendar)"
                : "");
    }
    if (json_is_integer (json_object_get (c, "elapsed_days")))
        fprintf (out, "  已用 used %lld / %lld 个工作日 working days，%s\n",
                 (long long)json_integer_value (json_object_get (c, "elapsed_days")),
                 (long long)json_integer_value (json_object_get (c, "limit_days")),
                 term_zh (json_string_value (json_object_get (c, "clock"))));
    const json_t *w = json_object_get (c, "warnings");
    if (json_array_size (w)) {
        fprintf (out, "  预警 warnings:");
        size_t i;
        json_t *x;
        json_array_foreach (w, i, x)
            fprintf (out, " %s", term_zh (json_string_value (x)));
        fprintf (out, "\n");
    }
    if ((s = json_string_value (json_object_get (c, "next_step"))))
        fprintf (out, "  下一步 next: %s\n", s);
}

void
term_print_json (const json_t *j)
{
    char *text = json_dumps (j, JSON_INDENT (2) | JSON_SORT_KEYS);
    if (text) {
        printf ("%s\n", text);
        free (text);
    }
    fflush (stdout);
}

const char *
term_pad (const char *text, int width, char *buf, size_t size)
{
    text = text ? text : "";
    int len = snprintf (buf, size, "%s", text);
    size_t at = len < 0 ? 0 : (size_t)len < size ? (size_t)len : size - 1;
    for (int w = proto_display_width (text); w < width && at + 1 < size; w++)
        buf[at++] = ' ';
    buf[at] = 0;
    return buf;
}

const char *
term_cut (const char *text, int width, char *buf, size_t size)
{
    const char *s = text ? text : "";
    size_t len = 0, left = strlen (s);
    int cols = 0;
    while (left > 0) {
        uint32_t cp;
        int n = proto_utf8_decode (s + len, left, &cp), w = proto_cp_width (cp);
        if (cols + w > width || len + (size_t)n >= size)
            break;
        cols += w;
        len += (size_t)n;
        left -= (size_t)n;
    }
    memcpy (buf, s, len);
    buf[len] = 0;
    return buf;
}

json_t *
term_split_list (const char *list)
{
    json_t *arr = json_array ();
    char *copy = strdup (list);
    char *save = NULL;
    for (char *tok = strtok_r (copy, ", ", &save); tok; tok = strtok_r (NULL, ", ", &save))
        json_array_append_new (arr, json_string (tok));
    free (copy);
    return arr;
}

int
term_usage_error (const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "onewindow %s: ", prog);
    vfprintf (stderr, fmt, ap);
    fprintf (stderr, " (try 'onewindow %s --help')\n", prog);
    va_end (ap);
    return TERM_EXIT_USAGE;
}
