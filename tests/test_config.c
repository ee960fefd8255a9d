/*  test_config.c — broker/broker_config: the example hall loads as written, every error
    names the offending key, and absent keys take their documented defaults. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_config.h"
#include "test_util.h"
#include "tests.h"

#define S_HALL "\"hall\": {\"id\": \"T1\", \"name\": \"测试大厅\"}"
#define S_SERVICES                                                                         \
    "\"services\": [{\"prefix\": \"A\", \"name\": \"企业开办\"}, {\"prefix\": \"B\", " \
    "\"name\": \"社保医保\"}]"
#define S_COUNTERS                                                                         \
    "\"counters\": [{\"id\": 1, \"services\": [\"A\", \"B\"]}, {\"id\": 2, \"services\": " \
    "[\"B\"]}]"

//  Parses text that must fail; checks the error names `key`.
static void
s_expect_error (const char *text, const char *key)
{
    char err[512];
    memset (err, 0, sizeof err);
    broker_config_t *cfg = broker_config_parse (text, err, sizeof err);
    CU_ASSERT_PTR_NULL (cfg);
    if (cfg) {
        fprintf (stderr, "\naccepted: %s\n", text);
        broker_config_destroy (&cfg);
        return;
    }
    if (!strstr (err, key))
        fprintf (stderr, "\nerror \"%s\" does not name \"%s\"\n", err, key);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, key));
}

//  A hall with `extra` keys added before the services and counters (which may be
//  replaced by passing them in `services` / `counters`).
static char *
s_hall (const char *extra, const char *services, const char *counters)
{
    char *text = NULL;
    if (asprintf (&text, "{%s, %s%s%s, %s}", S_HALL, extra ? extra : "", extra ? ", " : "",
                  services ? services : S_SERVICES, counters ? counters : S_COUNTERS) < 0)
        return NULL;
    return text;
}

static void
s_expect_hall_error (const char *extra, const char *services, const char *counters, const char *key)
{
    char *text = s_hall (extra, services, counters);
    CU_ASSERT_PTR_NOT_NULL_FATAL (text);
    s_expect_error (text, key);
    free (text);
}

//  ---------------------------------------------------------------------------------------

static void
test_example_loads (void)
{
    char err[512] = "";
    broker_config_t *cfg = broker_config_load (test_src ("etc/hall.example.json"), err, sizeof err);
    if (!cfg)
        fprintf (stderr, "\n%s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_TRUE (cfg->nservices >= 6);
    CU_ASSERT_EQUAL (cfg->ncounters, 8);
    //  Staggered lunches: counter 1 from 11:30, counter 2 from 12:30, an hour each.
    CU_ASSERT_EQUAL (cfg->counters[0].nbreaks, 1);
    CU_ASSERT_EQUAL (cfg->counters[0].break_from[0], 11 * 60 + 30);
    CU_ASSERT_EQUAL (cfg->counters[1].break_from[0], 12 * 60 + 30);
    CU_ASSERT_EQUAL (cfg->counters[1].break_to[0], 13 * 60 + 30);
    CU_ASSERT_STRING_EQUAL (cfg->hall_id, "BH01");
    CU_ASSERT_STRING_EQUAL (cfg->hall_name, "滨海新区政务服务中心");
    CU_ASSERT_EQUAL (cfg->utc_offset_min, 480);
    CU_ASSERT_EQUAL (cfg->digits, 3);
    CU_ASSERT_EQUAL (cfg->reset_hour, 3);
    CU_ASSERT_EQUAL (cfg->missed_rule, BROKER_MISSED_VOID);
    CU_ASSERT_STRING_EQUAL (cfg->status_url, "http://127.0.0.1:8080/t/");
    CU_ASSERT_EQUAL (cfg->idem_hours, 24);
    for (int i = 0; i < cfg->nservices; i++) {
        char prefix[3] = {(char)('A' + i), 0, 0};
        CU_ASSERT_STRING_EQUAL (cfg->services[i].prefix, prefix);
        CU_ASSERT_EQUAL (broker_config_service (cfg, prefix), i);
        CU_ASSERT_TRUE (cfg->services[i].name && cfg->services[i].name[0]);
    }
    CU_ASSERT_EQUAL (cfg->services[0].mean_service_s, 900);
    CU_ASSERT_STRING_EQUAL (cfg->services[0].name, "企业开办");
    CU_ASSERT_EQUAL (broker_config_service (cfg, "Z"), -1);
    CU_ASSERT_EQUAL (broker_config_service (cfg, "a"), -1);
    CU_ASSERT_EQUAL (broker_config_service (cfg, ""), -1);

    //  Each counter's mask matches the file, read here with jansson directly.
    json_error_t jerr;
    json_t *root = json_load_file (test_src ("etc/hall.example.json"), 0, &jerr);
    CU_ASSERT_PTR_NOT_NULL_FATAL (root);
    json_t *services = json_object_get (root, "services");
    json_t *counters = json_object_get (root, "counters");
    CU_ASSERT_EQUAL ((int)json_array_size (services), cfg->nservices);
    CU_ASSERT_EQUAL_FATAL ((int)json_array_size (counters), cfg->ncounters);
    size_t i;
    json_t *ctr;
    json_array_foreach (counters, i, ctr) {
        uint32_t mask = 0;
        size_t j;
        json_t *p;
        json_array_foreach (json_object_get (ctr, "services"), j, p) {
            size_t k;
            json_t *svc;
            json_array_foreach (services, k, svc)
                if (strcmp (json_string_value (json_object_get (svc, "prefix")),
                            json_string_value (p)) == 0)
                    mask |= 1u << k;
        }
        int id = (int)json_integer_value (json_object_get (ctr, "id"));
        CU_ASSERT_EQUAL (cfg->counters[i].id, id);
        CU_ASSERT_EQUAL (broker_config_counter (cfg, id), (int)i);
        CU_ASSERT_EQUAL (cfg->counters[i].services, mask);
        CU_ASSERT_STRING_EQUAL (cfg->counters[i].name,
                                json_string_value (json_object_get (ctr, "name")));
    }
    json_decref (root);
    //  And a few by hand, so the comparison above cannot be vacuous.
    CU_ASSERT_EQUAL (cfg->counters[0].services, 0x7fu); //  1: A..G
    CU_ASSERT_EQUAL (cfg->counters[2].services, 0x01u); //  3: A
    CU_ASSERT_EQUAL (cfg->counters[3].services, 0x09u); //  4: A, D
    CU_ASSERT_EQUAL (cfg->counters[4].services, 0x42u); //  5: B, G
    CU_ASSERT_EQUAL (cfg->counters[7].services, 0x30u); //  8: F, E
    CU_ASSERT_EQUAL (broker_config_counter (cfg, 9), -1);
    CU_ASSERT_EQUAL (broker_config_counter (cfg, 0), -1);
    broker_config_destroy (&cfg);
    CU_ASSERT_PTR_NULL (cfg);
    broker_config_destroy (&cfg); //  safe on NULL
    broker_config_destroy (NULL);
}

static void
test_load_errors (void)
{
    char err[512] = "";
    CU_ASSERT_PTR_NULL (broker_config_load ("/nonexistent/dir/hall.json", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "/nonexistent/dir/hall.json"));
    //  A file that is not JSON names the file and says so.
    char *dir = test_tmpdir ();
    CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
    char path[600];
    snprintf (path, sizeof path, "%s/bad.json", dir);
    CU_ASSERT_EQUAL (test_write_file (path, "{\"hall\": "), 0);
    CU_ASSERT_PTR_NULL (broker_config_load (path, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, path));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "JSON"));
    CU_ASSERT_EQUAL (test_write_file (path, ""), 0);
    CU_ASSERT_PTR_NULL (broker_config_load (path, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "JSON"));
    //  A good file through load.
    char *text = s_hall (NULL, NULL, NULL);
    CU_ASSERT_EQUAL (test_write_file (path, text), 0);
    free (text);
    broker_config_t *cfg = broker_config_load (path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL (cfg);
    broker_config_destroy (&cfg);
    test_rmtree (dir);
    free (dir);
}

static void
test_parse_errors (void)
{
    s_expect_error ("not json", "JSON");
    s_expect_error ("{\"hall\": {\"id\": \"T1\",}}", "JSON");
    s_expect_error ("[]", "JSON object");
    //  Duplicate keys are refused (the second would silently win).
    s_expect_error ("{" S_HALL ", " S_HALL ", " S_SERVICES ", " S_COUNTERS "}", "JSON");

    //  hall
    s_expect_error ("{" S_SERVICES ", " S_COUNTERS "}", "hall");
    s_expect_error ("{\"hall\": 1, " S_SERVICES ", " S_COUNTERS "}", "hall");
    s_expect_error ("{\"hall\": {\"name\": \"x\"}, " S_SERVICES ", " S_COUNTERS "}", "hall.id");
    s_expect_error ("{\"hall\": {\"id\": \"x\"}, " S_SERVICES ", " S_COUNTERS "}", "hall.name");
    s_expect_error ("{\"hall\": {\"id\": 5, \"name\": \"x\"}, " S_SERVICES ", " S_COUNTERS "}",
                    "hall.id");
    s_expect_error (
        "{\"hall\": {\"id\": \"x\", \"name\": \"x\", \"utc_offset_min\": 900}, " S_SERVICES
        ", " S_COUNTERS "}",
        "hall.utc_offset_min");

    //  services
    s_expect_hall_error (NULL, "\"services\": []", NULL, "services");
    s_expect_hall_error (NULL, "\"services\": {}", NULL, "services");
    s_expect_error ("{" S_HALL ", " S_COUNTERS "}", "services");
    const char *bad_prefixes[] = {"\"a\"",  "\"ABC\"", "\"1\"", "\"\"", "\"A1\"",
                                  "\"Ab\"", "5",       "null",  "\"É\""};
    for (size_t i = 0; i < sizeof bad_prefixes / sizeof bad_prefixes[0]; i++) {
        char services[200];
        snprintf (services, sizeof services,
                  "\"services\": [{\"prefix\": \"A\", \"name\": \"x\"}, {\"prefix\": %s, "
                  "\"name\": \"y\"}]",
                  bad_prefixes[i]);
        s_expect_hall_error (NULL, services, "\"counters\": [{\"id\": 1, \"services\": [\"A\"]}]",
                             "services[1].prefix");
    }
    s_expect_hall_error (NULL,
                         "\"services\": [{\"prefix\": \"A\", \"name\": \"x\"}, {\"prefix\": "
                         "\"B\", \"name\": \"y\"}, {\"prefix\": \"A\", \"name\": \"z\"}]",
                         NULL, "services[2].prefix");
    s_expect_hall_error (NULL, "\"services\": [{\"prefix\": \"A\"}]",
                         "\"counters\": [{\"id\": 1, \"services\": [\"A\"]}]", "services[0].name");
    s_expect_hall_error (NULL,
                         "\"services\": [{\"prefix\": \"A\", \"name\": \"x\", "
                         "\"mean_service_s\": 5}]",
                         "\"counters\": [{\"id\": 1, \"services\": [\"A\"]}]",
                         "services[0].mean_service_s");
    s_expect_hall_error (NULL, "\"services\": [\"A\"]",
                         "\"counters\": [{\"id\": 1, \"services\": [\"A\"]}]", "services[0]");

    //  counters
    s_expect_hall_error (NULL, NULL, "\"counters\": []", "counters");
    s_expect_error ("{" S_HALL ", " S_SERVICES "}", "counters");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": 0, \"services\": [\"A\"]}]",
                         "counters[0].id");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": -3, \"services\": [\"A\"]}]",
                         "counters[0].id");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": 10000, \"services\": [\"A\"]}]",
                         "counters[0].id");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": \"1\", \"services\": [\"A\"]}]",
                         "counters[0].id");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"services\": [\"A\"]}]", "counters[0].id");
    s_expect_hall_error (NULL, NULL,
                         "\"counters\": [{\"id\": 1, \"services\": [\"A\"]}, {\"id\": 2, "
                         "\"services\": [\"A\"]}, {\"id\": 1, \"services\": [\"B\"]}]",
                         "counters[2].id");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": 1, \"services\": [\"A\", \"Q\"]}]",
                         "counters[0].services[1]");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": 1, \"services\": [\"A\", 1]}]",
                         "counters[0].services[1]");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": 1, \"services\": []}]",
                         "counters[0].services");
    s_expect_hall_error (NULL, NULL, "\"counters\": [{\"id\": 1}]", "counters[0].services");
    s_expect_hall_error (NULL, NULL,
                         "\"counters\": [{\"id\": 1, \"services\": [\"A\"], "
                         "\"name\": 7}]",
                         "counters[0].name");

    //  missed and numbering
    s_expect_hall_error ("\"missed\": {\"rule\": \"sometimes\"}", NULL, NULL, "missed.rule");
    s_expect_hall_error ("\"missed\": {\"rule\": 1}", NULL, NULL, "missed.rule");
    s_expect_hall_error ("\"missed\": \"void\"", NULL, NULL, "missed");
    s_expect_hall_error ("\"missed\": {\"rule\": \"back\", \"places\": 0}", NULL, NULL,
                         "missed.places");
    s_expect_hall_error ("\"missed\": {\"rule\": \"grace\", \"minutes\": 0}", NULL, NULL,
                         "missed.minutes");
    s_expect_hall_error ("\"numbering\": {\"digits\": 9}", NULL, NULL, "numbering.digits");
    s_expect_hall_error ("\"numbering\": {\"digits\": 1}", NULL, NULL, "numbering.digits");
    s_expect_hall_error ("\"numbering\": {\"digits\": \"3\"}", NULL, NULL, "numbering.digits");
    s_expect_hall_error ("\"numbering\": {\"reset_hour\": 24}", NULL, NULL, "numbering.reset_hour");
    s_expect_hall_error ("\"numbering\": {\"reset_hour\": -1}", NULL, NULL, "numbering.reset_hour");
    s_expect_hall_error ("\"numbering\": 3", NULL, NULL, "numbering");
    s_expect_hall_error ("\"idempotency_hours\": 0", NULL, NULL, "idempotency_hours");
    s_expect_hall_error ("\"status_url\": 1", NULL, NULL, "status_url");
    //  Scheduled breaks: periods, in order, at most four.
    const char *bad_breaks[] = {"[\"12:30-11:30\"]", "[\"11:30-12:30\", \"12:00-13:00\"]",
                                "\"11:30-12:30\"", "[1]",
                                "[\"08:00-08:10\", \"09:00-09:10\", \"10:00-10:10\", "
                                "\"11:00-11:10\", \"12:00-12:10\"]"};
    for (size_t i = 0; i < sizeof bad_breaks / sizeof bad_breaks[0]; i++) {
        char counters[300];
        snprintf (counters, sizeof counters,
                  "\"counters\": [{\"id\": 1, \"services\": [\"A\"], \"breaks\": %s}]",
                  bad_breaks[i]);
        s_expect_hall_error (NULL, NULL, counters, "counters[0].breaks");
    }
    //  Appointment hours: exactly HH:MM-HH:MM, a real time, 24:00 only as an end.
    const char *bad_hours[] = {"23:00-24:59", " 9:0-12:0",   "09:00-12:60",
                               "12:00-09:00", "24:00-24:00", "09:00-99999999999:00",
                               "09:00_12:00"};
    for (size_t i = 0; i < sizeof bad_hours / sizeof bad_hours[0]; i++) {
        char extra[160];
        snprintf (extra, sizeof extra, "\"appointments\": {\"hours\": [\"%s\"]}", bad_hours[i]);
        s_expect_hall_error (extra, NULL, NULL, "appointments.hours");
    }

    //  A tiny error buffer is still terminated and not overrun.
    char small[9];
    memset (small, 'x', sizeof small);
    CU_ASSERT_PTR_NULL (broker_config_parse ("{}", small, 8));
    CU_ASSERT_EQUAL (strlen (small), 7);
    CU_ASSERT_EQUAL (small[8], 'x');
}

static void
test_limits (void)
{
    //  32 services (A..Z, AA..AF) fit the 32-bit mask; a counter may serve all of them.
    char services[4096] = "\"services\": [";
    char list[512] = "";
    for (int i = 0; i < 33; i++) {
        char prefix[3] = {(char)(i < 26 ? 'A' + i : 'A'), (char)(i < 26 ? 0 : 'A' + i - 26), 0};
        char one[80];
        snprintf (one, sizeof one, "%s{\"prefix\": \"%s\", \"name\": \"s%d\"}", i ? ", " : "",
                  prefix, i);
        if (i == 32) {
            //  The 33rd service is one too many.
            char too_many[4200];
            snprintf (too_many, sizeof too_many, "%s%s]", services, one);
            char counters[700];
            snprintf (counters, sizeof counters, "\"counters\": [{\"id\": 1, \"services\": [%s]}]",
                      list);
            s_expect_hall_error (NULL, too_many, counters, "32");
            break;
        }
        strcat (services, one);
        snprintf (one, sizeof one, "%s\"%s\"", i ? ", " : "", prefix);
        strcat (list, one);
    }
    strcat (services, "]");
    char counters[700];
    snprintf (counters, sizeof counters, "\"counters\": [{\"id\": 9999, \"services\": [%s]}]",
              list);
    char *text = s_hall (NULL, services, counters);
    char err[512] = "";
    broker_config_t *cfg = broker_config_parse (text, err, sizeof err);
    free (text);
    if (!cfg)
        fprintf (stderr, "\n%s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_EQUAL (cfg->nservices, 32);
    CU_ASSERT_STRING_EQUAL (cfg->services[31].prefix, "AF");
    CU_ASSERT_EQUAL (broker_config_service (cfg, "AF"), 31);
    CU_ASSERT_EQUAL (cfg->counters[0].services, 0xffffffffu);
    CU_ASSERT_EQUAL (cfg->counters[0].id, 9999);
    CU_ASSERT_STRING_EQUAL (cfg->counters[0].name, "9999号窗口");
    broker_config_destroy (&cfg);
}

static void
test_defaults (void)
{
    char err[512] = "";
    char *text = s_hall (NULL, NULL, NULL);
    broker_config_t *cfg = broker_config_parse (text, err, sizeof err);
    free (text);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_EQUAL (cfg->digits, 3);
    CU_ASSERT_EQUAL (cfg->reset_hour, 3);
    CU_ASSERT_EQUAL (cfg->missed_rule, BROKER_MISSED_VOID);
    CU_ASSERT_STRING_EQUAL (cfg->missed_notice, "过号无效，请重新取号");
    CU_ASSERT_EQUAL (cfg->missed_places, 3);
    CU_ASSERT_EQUAL (cfg->missed_max, 2);
    CU_ASSERT_EQUAL (cfg->missed_grace_min, 10);
    CU_ASSERT_EQUAL (cfg->utc_offset_min, 480);
    CU_ASSERT_EQUAL (cfg->idem_hours, 24);
    CU_ASSERT_STRING_EQUAL (cfg->status_url, "");
    CU_ASSERT_STRING_EQUAL (cfg->hall_name_en, "");
    CU_ASSERT_EQUAL (cfg->nservices, 2);
    CU_ASSERT_EQUAL (cfg->services[1].mean_service_s, 600);
    CU_ASSERT_STRING_EQUAL (cfg->services[1].name_en, "");
    CU_ASSERT_EQUAL (cfg->ncounters, 2);
    CU_ASSERT_STRING_EQUAL (cfg->counters[0].name, "1号窗口");
    CU_ASSERT_EQUAL (cfg->counters[0].services, 0x3u);
    CU_ASSERT_EQUAL (cfg->counters[1].services, 0x2u);
    CU_ASSERT_STRING_EQUAL (broker_config_missed_name (cfg->missed_rule), "void");
    broker_config_destroy (&cfg);

    //  Empty numbering and missed objects take the defaults too.
    text = s_hall ("\"numbering\": {}, \"missed\": {}", NULL, NULL);
    cfg = broker_config_parse (text, err, sizeof err);
    free (text);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_EQUAL (cfg->digits, 3);
    CU_ASSERT_EQUAL (cfg->reset_hour, 3);
    CU_ASSERT_EQUAL (cfg->missed_rule, BROKER_MISSED_VOID);
    broker_config_destroy (&cfg);
}

static void
test_values (void)
{
    char err[512] = "";
    char *text = s_hall ("\"numbering\": {\"digits\": 4, \"reset_hour\": 0}, \"missed\": "
                         "{\"rule\": \"grace\", \"minutes\": 15}, \"status_url\": \"http://x/t/\"",
                         NULL, NULL);
    broker_config_t *cfg = broker_config_parse (text, err, sizeof err);
    free (text);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_EQUAL (cfg->digits, 4);
    CU_ASSERT_EQUAL (cfg->reset_hour, 0);
    CU_ASSERT_EQUAL (cfg->missed_rule, BROKER_MISSED_GRACE);
    CU_ASSERT_EQUAL (cfg->missed_grace_min, 15);
    CU_ASSERT_STRING_EQUAL (cfg->missed_notice, "过号请到取号机重新排队");
    CU_ASSERT_STRING_EQUAL (cfg->status_url, "http://x/t/");
    CU_ASSERT_STRING_EQUAL (broker_config_missed_name (cfg->missed_rule), "grace");
    broker_config_destroy (&cfg);

    text = s_hall ("\"missed\": {\"rule\": \"back\", \"places\": 5, \"max_misses\": 1, "
                   "\"notice\": \"过号顺延5位\"}",
                   NULL, NULL);
    cfg = broker_config_parse (text, err, sizeof err);
    free (text);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_EQUAL (cfg->missed_rule, BROKER_MISSED_BACK);
    CU_ASSERT_EQUAL (cfg->missed_places, 5);
    CU_ASSERT_EQUAL (cfg->missed_max, 1);
    CU_ASSERT_STRING_EQUAL (cfg->missed_notice, "过号顺延5位");
    CU_ASSERT_STRING_EQUAL (broker_config_missed_name (cfg->missed_rule), "back");
    broker_config_destroy (&cfg);
    CU_ASSERT_STRING_EQUAL (broker_config_missed_name (BROKER_MISSED_VOID), "void");
}

int
test_config_suite (void)
{
    CU_pSuite suite = CU_add_suite ("config", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "etc/hall.example.json loads as written", test_example_loads) ||
        !CU_add_test (suite, "load: missing and non-JSON files", test_load_errors) ||
        !CU_add_test (suite, "parse errors name the offending key", test_parse_errors) ||
        !CU_add_test (suite, "32 services, 2-letter prefixes, no 33rd", test_limits) ||
        !CU_add_test (suite, "defaults when keys are absent", test_defaults) ||
        !CU_add_test (suite, "numbering and missed values", test_values))
        return -1;
    return 0;
}
