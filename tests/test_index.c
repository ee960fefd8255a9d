/*  test_index.c — the service vitality index (proto_index.h) alone: each formula at its
    edges, the weights (indicators left out when not measured, an index null when none
    is), manual scores and capabilities, the hall's own figures, the grade bands, merging
    and checking configs, the ranking with its ties, and docs/INDEX.md naming every
    default indicator. test_report_it.c computes it from a real broker's report. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_index.h"
#include "proto_json.h"
#include "test_report.h"
#include "test_util.h"
#include "tests.h"

//  ---------------------------------------------------------------------------------------
//  Formulas and grades

static void
test_index_score (void)
{
    //  Higher is better (full above zero): clamped beyond both ends, linear between.
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (1.0, 1.0, 0.8), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (0.8, 1.0, 0.8), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (0.9, 1.0, 0.8), 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (0.5, 1.0, 0.8), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (1.5, 1.0, 0.8), 100.0, 1e-9);
    //  Lower is better (a wait): full below zero.
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (600, 600, 2700), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (0, 600, 2700), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (1650, 600, 2700), 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (2700, 600, 2700), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (9999, 600, 2700), 0.0, 1e-9);
    //  A threshold (full == zero): reached or not.
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (1, 1, 1), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_score (0.99, 1, 1), 0.0, 1e-9);
    //  Rounding to 0.1, halves up.
    CU_ASSERT_DOUBLE_EQUAL (proto_index_round (89.25), 89.3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_round (89.24), 89.2, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (proto_index_round (100), 100.0, 1e-9);
}

static void
s_expect_grade (const json_t *config, double score, const char *grade)
{
    char g[16], zh[64];
    proto_index_grade (config, score, g, sizeof g, zh, sizeof zh);
    if (strcmp (g, grade) != 0)
        fprintf (stderr, "\n  %.3f: grade %s, not %s\n", score, g, grade);
    CU_ASSERT_STRING_EQUAL (g, grade);
    CU_ASSERT (*zh);
}

//  The default bands (A+ 95, A 90, B 80, C 60, D below), judged on the rounded score.
static void
test_index_grades (void)
{
    s_expect_grade (NULL, 100, "A+");
    s_expect_grade (NULL, 95, "A+");
    s_expect_grade (NULL, 94.96, "A+"); //  shown as 95.0
    s_expect_grade (NULL, 94.94, "A");
    s_expect_grade (NULL, 90, "A");
    s_expect_grade (NULL, 89.9, "B");
    s_expect_grade (NULL, 80, "B");
    s_expect_grade (NULL, 79.9, "C");
    s_expect_grade (NULL, 60, "C");
    s_expect_grade (NULL, 59.9, "D");
    s_expect_grade (NULL, 0, "D");
    //  Bands of one's own replace the defaults whole.
    char why[256];
    json_t *defaults = proto_index_config_default ();
    json_t *over = json_pack ("{s:[{s:s, s:i, s:s}, {s:s, s:i, s:s}]}", "grades", "grade", "优",
                              "min", 85, "zh", "优秀", "grade", "差", "min", 0, "zh", "待提升");
    json_t *config = proto_index_config_merge (defaults, over, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (config);
    s_expect_grade (config, 85, "优");
    s_expect_grade (config, 84.9, "差");
    CU_ASSERT_EQUAL (json_array_size (json_object_get (config, "grades")), 2);
    json_decref (config);
    json_decref (over);
    json_decref (defaults);
}

//  ---------------------------------------------------------------------------------------
//  Computing

//  A config of two indices that count: efficiency (a wait 0-100 at 10 to 30 minutes,
//  weight 3; a manual score, weight 1) and innovation (a capability seen by cabinet
//  collections, weight 1; one only declared, weight 1); the five others weigh 0.
static json_t *
s_config (const json_t *halls)
{
    json_t *defaults = proto_index_config_default ();
    json_t *over = json_pack ("{s:{s:{s:i}, s:{s:i}, s:{s:i}, s:{s:i}, s:{s:i}}}", "indices",
                              "standard", "weight", 0, "convenience", "weight", 0, "service",
                              "weight", 0, "experience", "weight", 0, "evaluation", "weight", 0);
    json_t *ix = json_object_get (defaults, "indices");
    json_object_set_new (json_object_get (ix, "efficiency"), "indicators",
                         json_pack ("[{s:s, s:s, s:i, s:i, s:i}, {s:s, s:s, s:i}]", "id", "wait",
                                    "input", "tickets.avg_wait_ms", "weight", 3, "full", 600000,
                                    "zero", 1800000, "id", "digital", "input", "manual", "weight",
                                    1));
    json_object_set_new (json_object_get (ix, "innovation"), "indicators",
                         json_pack ("[{s:s, s:b, s:s, s:i}, {s:s, s:b, s:i}]", "id", "cabinet",
                                    "capability", 1, "input", "pickup.cabinet.collected", "weight",
                                    1, "id", "self_service", "capability", 1, "weight", 1));
    json_object_set (over, "halls", (json_t *)halls);
    char why[256];
    json_t *config = proto_index_config_merge (defaults, over, why, sizeof why);
    if (!config)
        fprintf (stderr, "\n  %s\n", why);
    json_decref (over);
    json_decref (defaults);
    return config;
}

//  A report of hall H1 with an average wait (ms, or -1: none called) and `cabinet`
//  collections.
static json_t *
s_report (long long wait, int cabinet)
{
    return json_pack ("{s:{s:s}, s:{s:{s:o}, s:{s:{s:i}}}}", "hall", "id", "H1", "kpis", "tickets",
                      "avg_wait_ms", wait >= 0 ? json_integer (wait) : json_null (), "pickup",
                      "cabinet", "collected", cabinet);
}

//  Weights: an indicator not measured is left out; an index none of whose indicators was
//  measured is null, and the total is the weighted mean of the others.
static void
test_index_weights (void)
{
    json_t *halls = json_pack ("{s:{s:{s:{s:i}}, s:[s]}}", "H1", "manual", "efficiency", "digital",
                               40, "capabilities", "self_service");
    json_t *config = s_config (halls);
    CU_ASSERT_PTR_NOT_NULL_FATAL (config);
    //  An index with nothing measured stays null here (test_index_unobserved: the default).
    json_object_set_new (config, "unobserved", json_null ());
    char why[256];
    //  Wait 15 minutes: 75; manual 40: (3 × 75 + 40) ÷ 4. Innovation: a cabinet seen and
    //  self-service declared: 100. Total (20 × 66.25 + 5 × 100) ÷ 25.
    json_t *report = s_report (900000, 2);
    json_t *r = proto_index_compute (report, NULL, config, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (r);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.efficiency"), 66.3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.innovation"), 100.0, 1e-9);
    CU_ASSERT (trep_null (r, "index.standard")); //  weight 0, and nothing measured
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.total"), 73.0, 1e-9);
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.grade"), "C");
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.hall"), "H1");
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index_detail.efficiency.indicators.0.score"), 75.0, 1e-9);
    CU_ASSERT_EQUAL (trep_int (r, "index_detail.efficiency.indicators.0.value"), 900000);
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.efficiency.indicators.1.kind"), "manual");
    CU_ASSERT (json_is_true (json_object_get (
        json_array_get (
            json_object_get (json_object_get (json_object_get (r, "index_detail"), "innovation"),
                             "indicators"),
            1),
        "declared")));
    json_decref (r);
    json_decref (report);
    //  Nothing called and no manual score for another hall: efficiency is null, with its
    //  reason; the cabinet not seen scores 0, so innovation 0, and the total too.
    report = s_report (-1, 0);
    json_object_set_new (json_object_get (report, "hall"), "id", json_string ("H2"));
    r = proto_index_compute (report, NULL, config, why, sizeof why);
    CU_ASSERT (trep_null (r, "index.efficiency"));
    CU_ASSERT (*trep_str (r, "index_detail.efficiency.why"));
    CU_ASSERT (*trep_str (r, "index_detail.efficiency.indicators.1.why"));
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index_detail.efficiency.coverage"), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.innovation"), 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.total"), 0.0, 1e-9);
    CU_ASSERT (trep_null (r, "index_detail.grades.efficiency"));
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.grades.total"), "D");
    json_decref (r);
    //  A hall's own config (a hall config's `index`): its manual scores and capabilities at
    //  the top, for a hall that `halls` does not list. Efficiency is the manual 60 alone.
    json_object_set_new (config, "manual", json_pack ("{s:{s:i}}", "efficiency", "digital", 60));
    json_object_set_new (config, "capabilities", json_pack ("[s]", "self_service"));
    CU_ASSERT_EQUAL_FATAL (proto_index_config_check (config, why, sizeof why), 0);
    r = proto_index_compute (report, NULL, config, why, sizeof why);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.efficiency"), 60.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.innovation"), 50.0, 1e-9);
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.grades.efficiency"), "C");
    json_decref (r);
    //  No index measured at all: the total is null too.
    json_t *dark = json_deep_copy (config);
    json_object_set_new (json_object_get (json_object_get (dark, "indices"), "innovation"),
                         "weight", json_integer (0));
    json_object_set_new (json_object_get (json_object_get (dark, "indices"), "efficiency"),
                         "weight", json_integer (0));
    CU_ASSERT_EQUAL (proto_index_config_check (dark, why, sizeof why), -1); //  weights add to 0
    json_decref (dark);
    json_decref (report);
    json_decref (config);
    json_decref (halls);
}

//  The defaults on an empty report: every index is a number or null with its reason, the
//  kpis alone serve as well as the report; the hall's figures come from hall.info.
static void
test_index_defaults (void)
{
    char why[256];
    json_t *info = json_pack ("{s:{s:s}, s:s, s:[{}, {}], s:[{s:[s, s]}, {s:[s]}]}", "hall", "id",
                              "H9", "status_url", "http://hall/t/", "services", "counters",
                              "services", "A", "B", "services", "A");
    json_t *kpis = json_pack ("{s:{s:i, s:f}}", "tickets", "avg_wait_ms", 0, "over_wait_rate", 0.0);
    json_t *r = proto_index_compute (kpis, info, NULL, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (r);
    //  The seven and the total, nothing else (issue 16's "index"); their grades beside.
    CU_ASSERT_EQUAL (json_object_size (json_object_get (r, "index")), PROTO_INDEX_COUNT + 1);
    CU_ASSERT_EQUAL (
        json_object_size (json_object_get (json_object_get (r, "index_detail"), "grades")),
        PROTO_INDEX_COUNT + 1);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.efficiency"), 100.0, 1e-9);
    //  Nothing of evaluation measured (no rating): the unobserved score, said as such.
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.evaluation"), PROTO_INDEX_UNOBSERVED, 1e-9);
    CU_ASSERT (json_is_true (json_object_get (
        json_object_get (json_object_get (r, "index_detail"), "evaluation"), "unobserved")));
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index_detail.evaluation.coverage"), 0.0, 1e-9);
    CU_ASSERT_PTR_NOT_NULL (strstr (trep_str (r, "index_detail.evaluation.why"), "未观测"));
    //  Every one of the seven is a score 0..100 with the defaults, whatever the day held.
    for (int i = 0; i < PROTO_INDEX_COUNT; i++) {
        char path[64];
        snprintf (path, sizeof path, "index.%s", proto_index_names ()[i]);
        CU_ASSERT (!trep_null (r, path) && trep_num (r, path) >= 0 && trep_num (r, path) <= 100);
    }
    CU_ASSERT_STRING_EQUAL (trep_str (r, "index_detail.hall"), "H9");
    //  Counters open 2 and 1 of 2 services: 0.75 of the target 0.8.
    const json_t *conv = json_object_get (json_object_get (r, "index_detail"), "convenience");
    const json_t *breadth = json_array_get (json_object_get (conv, "indicators"), 3);
    CU_ASSERT_STRING_EQUAL (proto_str (breadth, "id"), "counter_breadth");
    CU_ASSERT_DOUBLE_EQUAL (json_number_value (json_object_get (breadth, "value")), 0.75, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.convenience"), proto_index_round (75 / 0.8), 1e-9);
    //  一码通办 seen: slips link to a status page.
    CU_ASSERT_EQUAL (trep_int (r, "index_detail.innovation.indicators.1.value"), 1);
    json_decref (r);
    //  Without hall.info nothing of the hall is measured.
    r = proto_index_compute (kpis, NULL, NULL, why, sizeof why);
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "index.convenience"), PROTO_INDEX_UNOBSERVED, 1e-9);
    CU_ASSERT_EQUAL (trep_int (r, "index_detail.innovation.indicators.1.value"), 0);
    json_decref (r);
    //  A config that is not valid is refused with its reason.
    json_t *bad = json_pack ("{s:i}", "indices", 3);
    CU_ASSERT_PTR_NULL (proto_index_compute (kpis, info, bad, why, sizeof why));
    CU_ASSERT (*why);
    json_decref (bad);
    bad = proto_index_config_default ();
    json_object_set_new (bad, "unobserved", json_integer (101));
    CU_ASSERT_EQUAL (proto_index_config_check (bad, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "unobserved"));
    json_decref (bad);
    json_decref (kpis);
    json_decref (info);
}

//  Sets the figure at `path` ("priority.green.avg_wait_ms") of `kpis` to `v` (taken),
//  making the groups on the way.
static void
s_set_path (json_t *kpis, const char *path, json_t *v)
{
    char buf[128];
    snprintf (buf, sizeof buf, "%s", path);
    json_t *at = kpis;
    char *part = buf, *dot;
    while ((dot = strchr (part, '.')) != NULL) {
        *dot = 0;
        if (!json_is_object (json_object_get (at, part)))
            json_object_set_new (at, part, json_object ());
        at = json_object_get (at, part);
        part = dot + 1;
    }
    json_object_set_new (at, part, v);
}

//  The score of indicator `id` of index `name` when the hall's kpis are `kpis` and the
//  config is `config`: -1 when it has none, and then it must say why.
static double
s_indicator_score (const json_t *kpis, const json_t *config, const char *name, const char *id)
{
    char why[256];
    json_t *report = json_pack ("{s:{s:s}, s:O}", "hall", "id", "H1", "kpis", kpis);
    json_t *r = proto_index_compute (report, NULL, config, why, sizeof why);
    json_decref (report);
    CU_ASSERT_PTR_NOT_NULL_FATAL (r);
    const json_t *list =
        json_object_get (json_object_get (json_object_get (r, "index_detail"), name), "indicators");
    double score = -2;
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x)
        if (proto_is (x, "id", id)) {
            const json_t *v = json_object_get (x, "score");
            score = json_is_number (v) ? json_number_value (v) : -1;
            if (score < 0)
                CU_ASSERT (*proto_str (x, "why"));
        }
    json_decref (r);
    return score;
}

//  Every default indicator at its edges: a measured one scores 100 at `full`, 0 at `zero`,
//  50 halfway and has no score without its figure; a manual one scores what the config
//  says (0, 100) and has none without it; a capability 100 declared, 0 not.
static void
test_index_each (void)
{
    char why[256];
    json_t *defaults = proto_index_config_default ();
    const char *name;
    json_t *ix;
    int checked = 0;
    json_object_foreach (json_object_get (defaults, "indices"), name, ix) {
        size_t i;
        json_t *x;
        json_array_foreach (json_object_get (ix, "indicators"), i, x) {
            const char *id = proto_str (x, "id"), *input = proto_str (x, "input");
            double got[3];
            if (json_is_true (json_object_get (x, "capability"))) {
                json_t *config = json_deep_copy (defaults);
                json_t *kpis = json_object ();
                got[0] = s_indicator_score (kpis, config, name, id);
                json_object_set_new (config, "capabilities", json_pack ("[s]", id));
                CU_ASSERT_EQUAL_FATAL (proto_index_config_check (config, why, sizeof why), 0);
                got[1] = s_indicator_score (kpis, config, name, id);
                json_decref (kpis);
                json_decref (config);
                CU_ASSERT (got[0] == 0 && got[1] == 100);
            } else if (strcmp (input, "manual") == 0) {
                json_t *config = json_deep_copy (defaults);
                json_t *kpis = json_object ();
                got[0] = s_indicator_score (kpis, config, name, id);
                json_object_set_new (config, "manual", json_pack ("{s:{s:i}}", name, id, 0));
                got[1] = s_indicator_score (kpis, config, name, id);
                json_object_set_new (config, "manual", json_pack ("{s:{s:i}}", name, id, 100));
                got[2] = s_indicator_score (kpis, config, name, id);
                json_decref (kpis);
                json_decref (config);
                CU_ASSERT (got[0] == -1 && got[1] == 0 && got[2] == 100);
            } else if (strncmp (input, "hall.", 5) != 0) { //  test_index_defaults has those
                double full = json_number_value (json_object_get (x, "full"));
                double zero = json_number_value (json_object_get (x, "zero"));
                json_t *kpis = json_object ();
                double missing = s_indicator_score (kpis, defaults, name, id);
                const double at[3] = {full, zero, (full + zero) / 2};
                for (int k = 0; k < 3; k++) {
                    s_set_path (kpis, input, json_real (at[k]));
                    got[k] = s_indicator_score (kpis, defaults, name, id);
                }
                json_decref (kpis);
                CU_ASSERT (missing == -1 && got[0] == 100 && got[1] == 0 && got[2] == 50);
                if (missing != -1 || got[0] != 100 || got[1] != 0 || got[2] != 50)
                    fprintf (stderr, "\n  %s.%s: %g %g %g %g\n", name, id, missing, got[0], got[1],
                             got[2]);
            } else
                continue;
            checked++;
        }
    }
    CU_ASSERT (checked >= 30);
    json_decref (defaults);
}

//  ---------------------------------------------------------------------------------------
//  Configs

//  proto_index_config_merge of `text` over the defaults: NULL (refused) with the reason
//  printed when `expect` is not in it, or the config.
static json_t *
s_merge (const char *text, const char *expect)
{
    char why[256] = "";
    json_t *over = json_loads (text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (over);
    json_t *defaults = proto_index_config_default ();
    json_t *config = proto_index_config_merge (defaults, over, why, sizeof why);
    if (expect && (config || !strstr (why, expect))) {
        fprintf (stderr, "\n  %s: \"%s\", not \"%s\"\n", text, why, expect);
        CU_FAIL ("a config was not refused for its reason");
    }
    if (!expect && !config) {
        fprintf (stderr, "\n  %s: %s\n", text, why);
        CU_FAIL ("a config was refused");
    }
    json_decref (defaults);
    json_decref (over);
    return config;
}

static void
test_index_config (void)
{
    char why[256];
    json_t *defaults = proto_index_config_default ();
    CU_ASSERT_EQUAL (proto_index_config_check (defaults, why, sizeof why), 0);
    //  Indicators merge by id: one weight changed, one indicator added at the end.
    json_t *c = s_merge ("{\"indices\": {\"efficiency\": {\"weight\": 40, \"indicators\": ["
                         " {\"id\": \"avg_wait\", \"weight\": 50},"
                         " {\"id\": \"handling\", \"input\": \"tickets.avg_service_ms\","
                         "  \"weight\": 5, \"full\": 300000, \"zero\": 1800000}]}}}",
                         NULL);
    const json_t *eff = json_object_get (json_object_get (c, "indices"), "efficiency");
    const json_t *list = json_object_get (eff, "indicators");
    const json_t *old = json_object_get (json_object_get (defaults, "indices"), "efficiency");
    CU_ASSERT_EQUAL (json_array_size (list),
                     json_array_size (json_object_get (old, "indicators")) + 1);
    CU_ASSERT_DOUBLE_EQUAL (
        json_number_value (json_object_get (json_array_get (list, 0), "weight")), 50, 1e-9);
    CU_ASSERT_STRING_EQUAL (proto_str (json_array_get (list, 0), "input"), "tickets.avg_wait_ms");
    CU_ASSERT_DOUBLE_EQUAL (json_number_value (json_object_get (eff, "weight")), 40, 1e-9);
    json_decref (c);
    json_decref (s_merge ("{\"halls\": {\"H1\": {\"manual\": {\"standard\": {\"staff\": 88}},"
                          " \"capabilities\": [\"extended_hours\"]}}}",
                          NULL));
    //  What is refused, and why.
    const char *bad[][2] = {
        {"{\"indices\": {\"speed\": {}}}", "not one of the seven"},
        {"{\"colour\": 1}", "unknown member \"colour\""},
        {"{\"indices\": {\"service\": {\"weight\": -1}}}", "weight"},
        {"{\"indices\": {\"service\": {\"indicators\": [{\"id\": \"green_wait\","
         " \"input\": \"tickets.nonsense\"}]}}}",
         "not a figure of the report"},
        {"{\"indices\": {\"service\": {\"indicators\": [{\"id\": \"x\", \"input\":"
         " \"tickets.avg_wait_ms\", \"weight\": 1}]}}}",
         "\"full\" and \"zero\""},
        {"{\"indices\": {\"service\": {\"indicators\": [{\"id\": \"green_wait\", \"wait\": 1}]}}}",
         "unknown member \"wait\""},
        {"{\"grades\": [{\"grade\": \"A\", \"min\": 80}, {\"grade\": \"B\", \"min\": 90}]}",
         "highest min down"},
        {"{\"grades\": [{\"grade\": \"A\", \"min\": 80}]}", "min 0"},
        {"{\"halls\": {\"H1\": {\"manual\": {\"standard\": {\"staff\": 101}}}}}", "0-100"},
        {"{\"halls\": {\"H1\": {\"manual\": {\"standard\": {\"notice_compliance\": 90}}}}}",
         "no such manual indicator"},
        {"{\"halls\": {\"H1\": {\"capabilities\": [\"teleport\"]}}}", "no capability"},
        {"{\"halls\": {\"H1\": {\"colour\": 1}}}", "halls.H1: an object"},
        {"{\"manual\": {\"standard\": {\"staff\": -1}}}", "manual.standard.staff: a score"},
        {"{\"capabilities\": \"cabinet\"}", "capabilities: must be a list"},
        {"{\"indices\": {\"evaluation\": {\"indicators\": [{\"id\": \"rating_rate\", \"weight\":"
         " 0}, {\"id\": \"good_rate\", \"weight\": 0}, {\"id\": \"rectification\", \"weight\":"
         " 0}]}}}",
         "add up to 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_PTR_NULL (s_merge (bad[i][0], bad[i][1]));
    //  From a file: the file and line of a syntax error, or the merged config.
    char *dir = test_tmpdir ();
    char path[512];
    snprintf (path, sizeof path, "%s/index.json", dir);
    test_write_file (path, "{\"grades\":\n [oops]}");
    CU_ASSERT_PTR_NULL (proto_index_config_load (path, why, sizeof why));
    CU_ASSERT (strstr (why, path) && strstr (why, ":2:"));
    test_write_file (path, "{\"indices\": {\"innovation\": {\"weight\": 10}}}");
    c = proto_index_config_load (path, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    CU_ASSERT_DOUBLE_EQUAL (
        json_number_value (json_object_get (
            json_object_get (json_object_get (c, "indices"), "innovation"), "weight")),
        10, 1e-9);
    json_decref (c);
    //  A hall config: its `index` object, whose reasons say so; none there, the defaults.
    test_write_file (path, "{\"hall\": {\"id\": \"H1\"}, \"index\": {\"manual\":"
                           " {\"service\": {\"assisted\": 101}}}}");
    CU_ASSERT_PTR_NULL (proto_index_config_load (path, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL (strstr (why, "index.manual.service.assisted"));
    test_write_file (path, "{\"hall\": {\"id\": \"H1\"}, \"index\": {\"manual\":"
                           " {\"service\": {\"assisted\": 70}}}}");
    c = proto_index_config_load (path, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    CU_ASSERT_EQUAL (
        proto_int (json_object_get (json_object_get (c, "manual"), "service"), "assisted"), 70);
    json_decref (c);
    test_write_file (path, "{\"hall\": {\"id\": \"H1\"}}");
    c = proto_index_config_load (path, why, sizeof why);
    CU_ASSERT (json_equal (c, defaults));
    json_decref (c);
    //  The example hall config's index is valid, and scores every manual indicator.
    c = proto_index_config_load (test_src ("etc/hall.example.json"), why, sizeof why);
    if (!c)
        fprintf (stderr, "\n  etc/hall.example.json: %s\n", why);
    CU_ASSERT_PTR_NOT_NULL_FATAL (c);
    const char *name;
    json_t *ix;
    json_object_foreach (json_object_get (c, "indices"), name, ix) {
        size_t i;
        json_t *x;
        json_array_foreach (json_object_get (ix, "indicators"), i, x)
            CU_ASSERT (
                !proto_is (x, "input", "manual") ||
                json_is_number (json_object_get (
                    json_object_get (json_object_get (c, "manual"), name), proto_str (x, "id"))));
    }
    json_decref (c);
    test_rmtree (dir);
    free (dir);
    json_decref (defaults);
}

//  ---------------------------------------------------------------------------------------
//  Ranking

static json_t *
s_hall (const char *id, double total, double service)
{
    return json_pack ("{s:s, s:{s:o, s:f}}", "id", id, "index", "total",
                      total >= 0 ? json_real (total) : json_null (), "service", service);
}

//  Highest first; equal rounded scores share a rank (the next skips), listed by id; halls
//  without a score come last, unranked.
static void
test_index_rank (void)
{
    json_t *halls = json_array ();
    json_array_append_new (halls, s_hall ("T2", 84.96, 70));
    json_array_append_new (halls, s_hall ("D1", 88.3, 90));
    json_array_append_new (halls, s_hall ("T9", -1, 95));
    json_array_append_new (halls, s_hall ("T1", 85.04, 70));
    json_array_append_new (halls, s_hall ("T3", 83.0, 60));
    json_t *r = proto_index_rank (halls, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL (r);
    const char *ids[] = {"D1", "T1", "T2", "T3", "T9"};
    const int ranks[] = {1, 2, 2, 4, 0};
    CU_ASSERT_EQUAL_FATAL (json_array_size (r), 5);
    for (size_t i = 0; i < 5; i++) {
        const json_t *h = json_array_get (r, i);
        CU_ASSERT_STRING_EQUAL (proto_str (h, "id"), ids[i]);
        if (ranks[i]) {
            CU_ASSERT_EQUAL (proto_int (h, "rank"), ranks[i]);
        } else {
            CU_ASSERT (json_is_null (json_object_get (h, "rank")));
        }
    }
    CU_ASSERT_DOUBLE_EQUAL (trep_num (r, "1.score"), 85.0, 1e-9);
    CU_ASSERT (json_is_object (json_object_get (json_array_get (r, 0), "index")));
    //  The input is not changed.
    CU_ASSERT_PTR_NULL (json_object_get (json_array_get (halls, 0), "rank"));
    json_decref (r);
    //  By one index: T9 first now; T1 and T2 tie again.
    r = proto_index_rank (halls, "service");
    CU_ASSERT_STRING_EQUAL (trep_str (r, "0.id"), "T9");
    CU_ASSERT_EQUAL (trep_int (r, "2.rank"), 3);
    CU_ASSERT_EQUAL (trep_int (r, "3.rank"), 3);
    CU_ASSERT_STRING_EQUAL (trep_str (r, "2.id"), "T1");
    json_decref (r);
    r = proto_index_rank (NULL, NULL);
    CU_ASSERT_EQUAL (json_array_size (r), 0);
    json_decref (r);
    json_decref (halls);
}

//  docs/INDEX.md names every default index, indicator and input.
static void
test_index_doc (void)
{
    char *doc = test_read_file (test_src ("docs/INDEX.md"));
    CU_ASSERT_PTR_NOT_NULL_FATAL (doc);
    json_t *config = proto_index_config_default ();
    const char *name;
    json_t *ix;
    json_object_foreach (json_object_get (config, "indices"), name, ix) {
        char want[160];
        snprintf (want, sizeof want, "`%s`", name);
        CU_ASSERT_PTR_NOT_NULL (strstr (doc, want));
        size_t i;
        json_t *x;
        json_array_foreach (json_object_get (ix, "indicators"), i, x) {
            snprintf (want, sizeof want, "`%s.%s`", name, proto_str (x, "id"));
            if (!strstr (doc, want))
                fprintf (stderr, "\n  docs/INDEX.md does not name %s\n", want);
            CU_ASSERT_PTR_NOT_NULL (strstr (doc, want));
            snprintf (want, sizeof want, "`%s`", proto_str (x, "input"));
            CU_ASSERT (!*proto_str (x, "input") || strstr (doc, want));
        }
    }
    json_decref (config);
    free (doc);
}

int
test_index_suite (void)
{
    CU_pSuite s = CU_add_suite ("index", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "a score at its edges, both directions, a threshold, rounding",
                 test_index_score);
    CU_add_test (s, "grade bands, the defaults and one's own", test_index_grades);
    CU_add_test (s, "weights: left out when not measured, manual, capabilities, null",
                 test_index_weights);
    CU_add_test (s, "the defaults: the hall's figures from hall.info, kpis alone, a bad config",
                 test_index_defaults);
    CU_add_test (s, "every default indicator at 0, 100, halfway and not measured", test_index_each);
    CU_add_test (s, "configs: merged by id, refused with a reason, read from a file",
                 test_index_config);
    CU_add_test (s, "ranking: ties on the rounded score, by id, unscored last", test_index_rank);
    CU_add_test (s, "docs/INDEX.md names every default indicator", test_index_doc);
    return 0;
}
