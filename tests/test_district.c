/*  test_district.c — the district's modules without a broker: the config's checks, the
    store's counting by sequence, the report query's dates, the text escapes of the pages.
    The whole program against real brokers is test_district_it.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "district_buf.h"
#include "district_config.h"
#include "district_pages.h"
#include "district_routes.h"
#include "district_store.h"
#include "proto_json.h"
#include "test_util.h"
#include "tests.h"

static char *s_dir;

static int
s_setup (void)
{
    s_dir = test_tmpdir ();
    return s_dir ? 0 : -1;
}

static int
s_teardown (void)
{
    test_rmtree (s_dir);
    free (s_dir);
    return 0;
}

//  Loads `text` as a district config; the error into `err` when it is refused.
static district_config_t *
s_load (const char *text, bool insecure, char *err, size_t size)
{
    char path[600];
    snprintf (path, sizeof path, "%s/district.json", s_dir);
    CU_ASSERT_FATAL (test_write_file (path, text) == 0);
    err[0] = 0;
    return district_config_load (path, insecure, err, size);
}

#define HALL_A                                                                               \
    "{\"id\": \"BH01\", \"name\": \"区中心\", \"kind\": \"district_hall\", \"request\": " \
    "\"tcp://127.0.0.1:7100\"}"
#define HALL_B                                                                                 \
    "{\"id\": \"BT01\", \"name\": \"北塘\", \"kind\": \"town_centre\", \"request\": "        \
    "\"tcp://127.0.0.1:7110\", \"events\": \"tcp://127.0.0.1:7111\", \"index\": {\"manual\": " \
    "{\"standard\": {\"guides\": 90}}}}"

static void
test_config (void)
{
    char err[600];
    district_config_t *cfg =
        s_load ("{\"district\": {\"id\": \"BH\", \"name\": \"滨海新区\"}, \"halls\": [" HALL_A
                ", " HALL_B "]}",
                true, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (cfg);
    CU_ASSERT_EQUAL (cfg->nhalls, 2);
    CU_ASSERT_STRING_EQUAL (cfg->events, "tcp://127.0.0.1:7300");
    CU_ASSERT_EQUAL (cfg->halls[1].kind, DISTRICT_KIND_TOWN);
    CU_ASSERT_PTR_NULL (cfg->halls[0].events);
    CU_ASSERT_PTR_EQUAL (district_config_hall (cfg, "BT01"), &cfg->halls[1]);
    //  The hall's own index inputs are its entry in the index config.
    const json_t *manual = json_object_get (
        json_object_get (json_object_get (json_object_get (cfg->scoring, "halls"), "BT01"),
                         "manual"),
        "standard");
    CU_ASSERT_EQUAL (proto_int (manual, "guides"), 90);
    district_config_destroy (&cfg);
    CU_ASSERT_PTR_NULL (cfg);

    //  Each refusal names what is wrong.
    static const struct {
        const char *text;
        bool insecure;
        const char *says;
    } bad[] = {
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": []}", true, "halls"},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": [" HALL_A ", " HALL_A "]}",
         true, "listed twice"},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": [{\"id\": \"X1\", \"name\": "
         "\"x\", \"kind\": \"hall\", \"request\": \"tcp://127.0.0.1:1\"}]}",
         true, "kind"},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": [" HALL_A "], \"extra\": 1}",
         true, "unknown key \"extra\""},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": [" HALL_A "]}", false,
         "server_key is required"},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\", \"events\": \"tcp://0.0.0.0:7300\"}, "
         "\"halls\": [" HALL_A "]}",
         true, "must be local"},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": [" HALL_A "], \"index\": "
         "{\"grades\": 5}}",
         true, "index"},
        {"{\"district\": {\"id\": \"BH\", \"name\": \"x\"}, \"halls\": [{\"id\": \"BH01\", "
         "\"name\": "
         "\"x\", \"kind\": \"town_centre\", \"request\": \"tcp://127.0.0.1:1\", \"server_key\": "
         "\"rJ9yWHDtIS4xTgb5p4wmeT0G8Th5fj{VBJ1eYEcp\"}]}",
         true, "--insecure"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg = s_load (bad[i].text, bad[i].insecure, err, sizeof err);
        CU_ASSERT_PTR_NULL (cfg);
        if (!strstr (err, bad[i].says))
            fprintf (stderr, "district: bad config %zu says \"%s\"\n", i, err);
        CU_ASSERT_PTR_NOT_NULL (strstr (err, bad[i].says));
        district_config_destroy (&cfg);
    }
}

static json_t *
s_events (int from, int to)
{
    json_t *a = json_array ();
    for (int seq = from; seq <= to; seq++)
        json_array_append_new (a, json_pack ("{s:s, s:i, s:I}", "topic", "ticket.issued", "seq",
                                             seq, "time", (json_int_t)1795998600000LL + seq));
    return a;
}

static int
s_count (const json_t *event, void *arg)
{
    (void)event;
    (*(int *)arg)++;
    return 1;
}

//  Events are counted once by sequence, whatever comes twice; a gap writes nothing.
static void
test_store (void)
{
    char err[300], dir[700];
    snprintf (dir, sizeof dir, "%s/store", s_dir);
    char mk[800];
    snprintf (mk, sizeof mk, "mkdir -p '%s'", dir);
    int st;
    free (test_run (mk, &st));
    district_store_t *store = district_store_open (dir, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    //  A second district on the same store is refused.
    district_store_t *other = district_store_open (dir, err, sizeof err);
    CU_ASSERT_PTR_NULL (other);
    CU_ASSERT_PTR_NOT_NULL (strstr (err, "another district"));

    json_t *days = json_pack ("[{s:i, s:i, s:i, s:{}}]", "day", 20261130, "first_seq", 1,
                              "last_seq", 3, "report");
    json_t *ev = s_events (1, 3), *rec = json_pack ("{s:i}", "last_seq", 3);
    CU_ASSERT_EQUAL (district_store_commit (store, "BT01", ev, days, rec), 0);
    json_decref (ev);
    json_decref (rec);
    //  2 and 3 again, with 4 and 5: only 4 and 5 are new.
    ev = s_events (2, 5);
    rec = json_pack ("{s:i}", "last_seq", 5);
    CU_ASSERT_EQUAL (district_store_commit (store, "BT01", ev, days, rec), 0);
    json_decref (ev);
    json_decref (rec);
    //  7 after 5: a gap, nothing written.
    ev = s_events (7, 8);
    rec = json_pack ("{s:i}", "last_seq", 8);
    CU_ASSERT_EQUAL (district_store_commit (store, "BT01", ev, days, rec), -1);
    json_decref (ev);
    json_decref (rec);
    json_decref (days);

    int n = 0;
    CU_ASSERT_EQUAL (district_store_events (store, "BT01", 1, 100, s_count, &n), 5);
    CU_ASSERT_EQUAL (n, 5);
    json_t *hall = district_store_hall (store, "BT01");
    CU_ASSERT_EQUAL (proto_int (hall, "last_seq"), 5);
    json_decref (hall);
    CU_ASSERT_PTR_NULL (district_store_hall (store, "XG01"));
    json_t *day = district_store_day (store, "BT01", 20261130);
    CU_ASSERT_EQUAL (proto_int (day, "last_seq"), 3);
    json_decref (day);
    json_t *list = district_store_days (store, "BT01", 20261101, 20261131);
    CU_ASSERT_EQUAL (json_array_size (list), 1);
    json_decref (list);
    json_t *before = district_store_day_before (store, "BT01", 20261201);
    CU_ASSERT_EQUAL (proto_int (before, "day"), 20261130);
    json_decref (before);
    CU_ASSERT_PTR_NULL (district_store_day_before (store, "BT01", 20261130));
    district_store_destroy (&store);

    //  Reopened: what was committed is there.
    store = district_store_open (dir, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL (store);
    n = 0;
    CU_ASSERT_EQUAL (district_store_events (store, "BT01", 1, 100, s_count, &n), 5);
    district_store_destroy (&store);
}

static void
test_period (void)
{
    int from, to;
    CU_ASSERT_EQUAL (district_routes_period ("2026-11-30", NULL, 0, &from, &to), 0);
    CU_ASSERT (from == 20261130 && to == 20261130);
    CU_ASSERT_EQUAL (district_routes_period (NULL, "2026-02", 0, &from, &to), 0);
    CU_ASSERT (from == 20260201 && to == 20260231);
    CU_ASSERT_EQUAL (district_routes_period (NULL, NULL, 20261201, &from, &to), 0);
    CU_ASSERT (from == 20261201 && to == 20261201);
    CU_ASSERT_EQUAL (district_routes_period ("2026-13-01", NULL, 0, &from, &to), -1);
    CU_ASSERT_EQUAL (district_routes_period ("2026-11-30x", NULL, 0, &from, &to), -1);
    CU_ASSERT_EQUAL (district_routes_period (NULL, "26-11", 0, &from, &to), -1);
}

static void
test_buf (void)
{
    district_buf_t b = {0};
    district_buf_html (&b, "<a href=\"x\">'&'</a>");
    district_buf_printf (&b, "|");
    district_buf_csv (&b, "plain");
    district_buf_printf (&b, ",");
    district_buf_csv (&b, "a,\"b\"");
    char *text = district_buf_take (&b);
    CU_ASSERT_STRING_EQUAL (text, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;|plain,"
                                  "\"a,\"\"b\"\"\"");
    free (text);
    text = district_buf_take (&b);
    CU_ASSERT_STRING_EQUAL (text, "");
    free (text);
}

//  A wall of 32 halls (the report's district), some stale, with alarms: compact cards,
//  and a screenshot at 1920x1080 in build/test/artefacts/district-32-1920x1080.png.
static void
test_wall_32 (void)
{
    json_t *halls = json_array ();
    for (int i = 0; i < 32; i++) {
        char id[16], name[64];
        snprintf (id, sizeof id, "H%02d", i);
        snprintf (name, sizeof name, i < 8 ? "第%d区级政务服务中心" : "第%d街道便民服务中心",
                  i + 1);
        json_t *h = json_pack (
            "{s:s, s:s, s:s, s:b, s:i, s:i, s:i, s:i, s:i, s:{s:f, s:f, s:f, s:f, s:f, s:f, s:f,"
            " s:f}, s:s, s:f, s:[{s:s, s:s}], s:i, s:i, s:i, s:b, s:s}",
            "id", id, "name", name, "kind", i < 8 ? "district_hall" : "town_centre", "online",
            i % 11 != 5, "last_event_age_s", 40 + i, "waiting", (i * 7) % 23, "longest_wait_s",
            (i * 97) % 2400, "est_wait_s", (i * 131) % 3000, "open_counters", 1 + i % 6, "index",
            "standard", 80.0, "efficiency", 70.0 + i % 30, "convenience", 85.0, "service", 90.0,
            "experience", 75.0, "evaluation", 99.0, "innovation", 60.0, "total", 70.0 + i % 25,
            "grade", i % 3 ? "B" : "A", "trend", (double)(i % 5) - 2.0, "alarms", "level", "red",
            "text", "社保医保：预计超时", "day", 20261130, "issued", 100 + i, "served", 80 + i,
            "catching_up", i == 7, "problem", "");
        json_array_append_new (halls, h);
    }
    json_t *view = json_pack ("{s:{s:s, s:s}, s:o}", "district", "id", "BH", "name", "滨海新区",
                              "halls", halls);
    char *page = district_page_wall (view);
    json_decref (view);
    CU_ASSERT_PTR_NOT_NULL_FATAL (page);
    CU_ASSERT_PTR_NOT_NULL (strstr (page, "<main class=\"many\">"));
    int cards = 0;
    for (const char *p = page; (p = strstr (p, "class=\"card")); p++)
        cards++;
    CU_ASSERT_EQUAL (cards, 32);
    char html[700], png[1200], cmd[3200];
    snprintf (html, sizeof html, "%s/wall.html", s_dir);
    CU_ASSERT_FATAL (test_write_file (html, page) == 0);
    free (page);
    int st;
    free (test_run ("command -v chromium >/dev/null 2>&1", &st));
    if (st != 0)
        CU_FAIL_FATAL ("chromium is not installed: run scripts/install-deps");
    free (test_run ("mkdir -p build/test/artefacts", &st));
    snprintf (png, sizeof png, "%s/district-32-1920x1080.png", test_src ("build/test/artefacts"));
    snprintf (cmd, sizeof cmd,
              "timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
              "--hide-scrollbars --user-data-dir='%s/chromium' --window-size=1920,1080 "
              "--screenshot='%s' 'file://%s' 2>/dev/null",
              s_dir, png, html);
    free (test_run (cmd, &st));
    CU_ASSERT_EQUAL (st, 0);
}

int
test_district_suite (void)
{
    CU_pSuite s = CU_add_suite ("district", s_setup, s_teardown);
    if (!s)
        return -1;
    CU_add_test (s, "the config: halls, kinds, the index config, each refusal named", test_config);
    CU_add_test (s, "the store counts each sequence once; a gap writes nothing", test_store);
    CU_add_test (s, "a report's day or month from the query", test_period);
    CU_add_test (s, "HTML and CSV escapes", test_buf);
    CU_add_test (s, "a wall of 32 halls: compact cards on one screen", test_wall_32);
    return 0;
}
