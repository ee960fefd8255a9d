/*  proto_index.c — see proto_index.h; every indicator is defined in docs/INDEX.md. */
#include "proto_index.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_figures.h"
#include "proto_json.h"
#include "proto_text.h"

#define MIN_MS 60000.0

//  ---------------------------------------------------------------------------------------
//  The compiled-in config (docs/INDEX.md gives the same tables)

static const char *const s_names[PROTO_INDEX_COUNT] = {
    "standard", "efficiency", "convenience", "service", "experience", "evaluation", "innovation"};

static const struct {
    const char *zh, *en;
    double weight;
} s_index_defaults[PROTO_INDEX_COUNT] = {
    {"规范", "standards", 15}, {"效率", "efficiency", 20}, {"便利", "convenience", 15},
    {"服务", "service", 15},   {"体验", "experience", 15}, {"评价", "evaluation", 15},
    {"创新", "innovation", 5},
};

//  An indicator: measured (input a figure), manual (input "manual") or a capability.
typedef struct {
    int index; //  into s_names
    const char *id, *zh, *en, *input;
    double weight, full, zero;
    bool capability;
} s_indicator_t;

enum { STANDARD, EFFICIENCY, CONVENIENCE, SERVICE, EXPERIENCE, EVALUATION, INNOVATION };

#define MANUAL(I, ID, ZH, EN, W)                \
    {                                           \
        I, ID, ZH, EN, "manual", W, 0, 0, false \
    }
#define ABLE(ID, ZH, EN, IN, W)                   \
    {                                             \
        INNOVATION, ID, ZH, EN, IN, W, 0, 0, true \
    }
#define WAIT_FULL (5 * MIN_MS)
#define WAIT_ZERO (30 * MIN_MS)

static const s_indicator_t s_defaults[] = {
    {STANDARD, "notice_compliance", "一次性告知合规率", "一次性告知 compliance",
     "notices.compliance", 25, 1.0, 0.8, false},
    {STANDARD, "override_rate", "人工确认率", "intake checks overridden", "cases.override_rate", 15,
     0.05, 0.3, false},
    {STANDARD, "statutory_on_time", "法定时限内办结率", "decided within the statutory limit",
     "cases.statutory_on_time_rate", 20, 1.0, 0.9, false},
    MANUAL (STANDARD, "guides", "办事指南", "service guides", 15),
    MANUAL (STANDARD, "facilities", "大厅设施", "hall facilities and signs", 10),
    MANUAL (STANDARD, "staff", "人员管理", "staff management", 15),
    {EFFICIENCY, "avg_wait", "平均等候", "average wait", "tickets.avg_wait_ms", 20, 10 * MIN_MS,
     45 * MIN_MS, false},
    {EFFICIENCY, "over_wait", "超时等候率", "over-wait rate", "tickets.over_wait_rate", 15, 0.05,
     0.5, false},
    {EFFICIENCY, "on_time", "按时办结率", "on-time completion", "cases.on_time_rate", 25, 1.0, 0.8,
     false},
    {EFFICIENCY, "immediate", "即办件占比", "immediate-item share", "cases.immediate_share", 15,
     0.5, 0.0, false},
    MANUAL (EFFICIENCY, "digital", "电子证照与减材料", "e-licences and fewer documents", 25),
    {CONVENIENCE, "cabinet", "智能柜取件占比", "collected at a cabinet", "pickup.cabinet_share", 20,
     0.5, 0.0, false},
    {CONVENIENCE, "after_hours", "非工作时间取件占比", "collected out of hours",
     "pickup.after_hours_share", 15, 0.2, 0.0, false},
    {CONVENIENCE, "appointments_kept", "预约履约率", "bookings kept", "appointments.kept_rate", 20,
     0.95, 0.5, false},
    {CONVENIENCE, "counter_breadth", "综合窗口覆盖", "services per counter", "hall.counter_breadth",
     25, 0.8, 0.0, false},
    MANUAL (CONVENIENCE, "one_door", "一门办理", "one door for every department", 20),
    {SERVICE, "green_wait", "绿色通道平均等候", "green channel: average wait",
     "priority.green.avg_wait_ms", 20, WAIT_FULL, WAIT_ZERO, false},
    {SERVICE, "elderly_wait", "老年人平均等候", "elderly: average wait",
     "priority.elderly.avg_wait_ms", 20, WAIT_FULL, WAIT_ZERO, false},
    {SERVICE, "appointment_wait", "预约平均等候", "appointments: average wait",
     "priority.appointment.avg_wait_ms", 20, WAIT_FULL, WAIT_ZERO, false},
    MANUAL (SERVICE, "cross_region", "跨域通办", "services across regions", 20),
    MANUAL (SERVICE, "assisted", "帮办代办", "assisted applications", 20),
    {EXPERIENCE, "visit", "取号至办结中位数", "visit, issue to finish (median)",
     "tickets.median_visit_ms", 30, 20 * MIN_MS, 90 * MIN_MS, false},
    {EXPERIENCE, "unserved", "未获办理率", "unserved rate", "tickets.unserved_rate", 25, 0.02, 0.2,
     false},
    {EXPERIENCE, "one_visit", "一次办成率", "one-visit rate", "cases.one_visit_rate", 25, 0.95, 0.6,
     false},
    MANUAL (EXPERIENCE, "walkthrough", "体验官评价", "walk-through by inspectors", 20),
    {EVALUATION, "rating_rate", "评价率", "rating rate", "ratings.rating_rate", 30, 0.9, 0.3,
     false},
    {EVALUATION, "good_rate", "好评率", "good-rating rate", "ratings.good_rate", 40, 0.999, 0.9,
     false},
    {EVALUATION, "rectification", "差评整改按期率", "bad ratings rectified on time",
     "ratings.rectification_on_time_rate", 30, 1.0, 0.5, false},
    ABLE ("cabinet", "智能柜", "document cabinet", "pickup.cabinet.collected", 20),
    ABLE ("one_code", "一码通办", "one code from ticket to result", "hall.status_page", 20),
    ABLE ("appointments", "预约服务", "appointments", "appointments.booked", 15),
    ABLE ("self_service", "自助服务区", "self-service area", NULL, 15),
    ABLE ("extended_hours", "错时延时服务", "weekend and evening opening", NULL, 15),
    MANUAL (INNOVATION, "other", "其他创新", "other innovations, as judged", 15),
};

static const struct {
    const char *grade, *zh, *en;
    double min;
} s_grades[] = {
    {"A+", "卓越", "outstanding", 95}, {"A", "优秀", "excellent", 90}, {"B", "良好", "good", 80},
    {"C", "合格", "adequate", 60},     {"D", "待改进", "poor", 0},
};

//  The figures of the hall itself that an input may name (besides the report's kpis).
static const char *const s_hall_inputs[] = {"hall.counter_breadth", "hall.status_page"};

const char *const *
proto_index_names (void)
{
    return s_names;
}

static json_t *
s_indicator_json (const s_indicator_t *d)
{
    json_t *o = json_pack ("{s:s, s:s, s:s, s:f}", "id", d->id, "zh", d->zh, "en", d->en, "weight",
                           d->weight);
    if (d->capability) {
        json_object_set_new (o, "capability", json_true ());
        if (d->input)
            json_object_set_new (o, "input", json_string (d->input));
    } else {
        json_object_set_new (o, "input", json_string (d->input));
        if (strcmp (d->input, "manual") != 0) {
            json_object_set_new (o, "full", json_real (d->full));
            json_object_set_new (o, "zero", json_real (d->zero));
        }
    }
    return o;
}

json_t *
proto_index_config_default (void)
{
    json_t *indices = json_object ();
    for (int i = 0; i < PROTO_INDEX_COUNT; i++) {
        json_t *list = json_array ();
        for (size_t k = 0; k < sizeof s_defaults / sizeof s_defaults[0]; k++)
            if (s_defaults[k].index == i)
                json_array_append_new (list, s_indicator_json (&s_defaults[k]));
        json_object_set_new (indices, s_names[i],
                             json_pack ("{s:f, s:s, s:s, s:o}", "weight",
                                        s_index_defaults[i].weight, "zh", s_index_defaults[i].zh,
                                        "en", s_index_defaults[i].en, "indicators", list));
    }
    json_t *grades = json_array ();
    for (size_t i = 0; i < sizeof s_grades / sizeof s_grades[0]; i++)
        json_array_append_new (grades, json_pack ("{s:s, s:f, s:s, s:s}", "grade",
                                                  s_grades[i].grade, "min", s_grades[i].min, "zh",
                                                  s_grades[i].zh, "en", s_grades[i].en));
    return json_pack ("{s:o, s:o, s:{}, s:f}", "indices", indices, "grades", grades, "halls",
                      "unobserved", PROTO_INDEX_UNOBSERVED);
}

//  ---------------------------------------------------------------------------------------
//  Merging and checking a config

//  True if every element of `a` is an object with a string `id`.
static bool
s_by_id (const json_t *a)
{
    size_t i;
    json_t *x;
    json_array_foreach (a, i, x)
        if (!json_is_string (json_object_get (x, "id")))
            return false;
    return json_is_array (a);
}

//  `over` merged into `into` (proto_index.h's rules); `into` is changed.
static void
s_merge (json_t *into, const json_t *over)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)over, key, v) {
        json_t *old = json_object_get (into, key);
        if (json_is_object (old) && json_is_object (v))
            s_merge (old, v);
        else if (json_array_size (old) && s_by_id (old) && s_by_id (v)) {
            size_t i;
            json_t *x;
            json_array_foreach (v, i, x) {
                size_t k;
                json_t *y, *hit = NULL;
                json_array_foreach (old, k, y)
                    if (json_equal (json_object_get (y, "id"), json_object_get (x, "id")))
                        hit = y;
                if (hit && json_is_object (hit))
                    s_merge (hit, x);
                else
                    json_array_append_new (old, json_deep_copy (x));
            }
        } else
            json_object_set_new (into, key, json_deep_copy (v));
    }
}

//  -1 with `why` set to the formatted reason.
//  True if `o` has no member other than the NULL-terminated `keys`; the first other into
//  *bad.
static bool
s_only (const json_t *o, const char *const *keys, const char **bad)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)o, key, v) {
        const char *const *k = keys;
        while (*k && strcmp (*k, key) != 0)
            k++;
        if (!*k) {
            *bad = key;
            return false;
        }
    }
    return true;
}

//  True if `input` names a figure a measured indicator can read.
static bool
s_known_input (const char *input)
{
    for (size_t i = 0; i < sizeof s_hall_inputs / sizeof s_hall_inputs[0]; i++)
        if (strcmp (input, s_hall_inputs[i]) == 0)
            return true;
    size_t n;
    const proto_figure_t *f = proto_figures_hall (&n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen (f[i].group);
        if (strncmp (input, f[i].group, len) == 0 && input[len] == '.' &&
            strcmp (input + len + 1, f[i].key) == 0)
            return true;
    }
    return false;
}

static bool
s_number (const json_t *o, const char *key, double lo, double hi)
{
    const json_t *v = json_object_get (o, key);
    return json_is_number (v) && json_number_value (v) >= lo && json_number_value (v) <= hi;
}

//  Checks indicator `x` of index `name`.
static int
s_check_indicator (const char *name, const json_t *x, char *why, size_t size)
{
    static const char *const keys[] = {"id",   "zh",   "en",         "weight", "input",
                                       "full", "zero", "capability", NULL};
    const char *bad = NULL, *id = proto_str (x, "id");
    if (!json_is_object (x) || !*id)
        return proto_fail (why, size, "indices.%s.indicators: each needs an \"id\"", name);
    if (!s_only (x, keys, &bad))
        return proto_fail (why, size, "indices.%s.%s: unknown member \"%s\"", name, id, bad);
    if (!s_number (x, "weight", 0, 1e6))
        return proto_fail (why, size, "indices.%s.%s: \"weight\" must be a number >= 0", name, id);
    const json_t *input = json_object_get (x, "input");
    if (input && !json_is_string (input))
        return proto_fail (why, size, "indices.%s.%s: \"input\" must be a string", name, id);
    bool manual = proto_is (x, "input", "manual");
    if (json_object_get (x, "capability") && !json_is_boolean (json_object_get (x, "capability")))
        return proto_fail (why, size, "indices.%s.%s: \"capability\" must be true or false", name,
                           id);
    bool able = json_is_true (json_object_get (x, "capability"));
    if (!able && !input)
        return proto_fail (why, size, "indices.%s.%s: needs an \"input\"", name, id);
    if (input && !manual && !s_known_input (json_string_value (input)))
        return proto_fail (why, size, "indices.%s.%s: \"%s\" is not a figure of the report", name,
                           id, json_string_value (input));
    if (able && manual)
        return proto_fail (why, size, "indices.%s.%s: a capability is not manual", name, id);
    if (!able && !manual &&
        (!s_number (x, "full", -1e15, 1e15) || !s_number (x, "zero", -1e15, 1e15)))
        return proto_fail (why, size, "indices.%s.%s: needs numbers \"full\" and \"zero\"", name,
                           id);
    return 0;
}

//  Checks index `name` of the config.
static int
s_check_index (const char *name, const json_t *ix, char *why, size_t size)
{
    static const char *const keys[] = {"weight", "zh", "en", "indicators", NULL};
    const char *bad = NULL;
    if (!json_is_object (ix))
        return proto_fail (why, size, "indices.%s: must be an object", name);
    if (!s_only (ix, keys, &bad))
        return proto_fail (why, size, "indices.%s: unknown member \"%s\"", name, bad);
    if (!s_number (ix, "weight", 0, 1e6))
        return proto_fail (why, size, "indices.%s: \"weight\" must be a number >= 0", name);
    const json_t *list = json_object_get (ix, "indicators");
    if (!json_is_array (list))
        return proto_fail (why, size, "indices.%s: \"indicators\" must be an array", name);
    double sum = 0;
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x) {
        if (s_check_indicator (name, x, why, size))
            return -1;
        for (size_t k = 0; k < i; k++)
            if (proto_is (json_array_get (list, k), "id", proto_str (x, "id")))
                return proto_fail (why, size, "indices.%s: \"%s\" is there twice", name,
                                   proto_str (x, "id"));
        sum += json_number_value (json_object_get (x, "weight"));
    }
    if (sum <= 0)
        return proto_fail (why, size, "indices.%s: its indicators' weights add up to 0", name);
    return 0;
}

static int
s_check_grades (const json_t *grades, char *why, size_t size)
{
    static const char *const keys[] = {"grade", "min", "zh", "en", NULL};
    const char *bad = NULL;
    if (!json_array_size (grades))
        return proto_fail (why, size, "grades: must be a list of bands");
    double last = 1e9;
    size_t i;
    json_t *g;
    json_array_foreach (grades, i, g) {
        if (!json_is_object (g) || !*proto_str (g, "grade") || !s_number (g, "min", 0, 100))
            return proto_fail (why, size,
                               "grades: each band needs a \"grade\" and a \"min\" 0-100");
        if (!s_only (g, keys, &bad))
            return proto_fail (why, size, "grades.%s: unknown member \"%s\"",
                               proto_str (g, "grade"), bad);
        double min = json_number_value (json_object_get (g, "min"));
        if (min >= last)
            return proto_fail (why, size, "grades: the bands must go from the highest min down");
        last = min;
    }
    if (last != 0)
        return proto_fail (why, size, "grades: the last band must have min 0");
    return 0;
}

//  The indicator `id` of index `name` in `config`, or NULL.
static const json_t *
s_indicator (const json_t *config, const char *name, const char *id)
{
    const json_t *list =
        json_object_get (json_object_get (json_object_get (config, "indices"), name), "indicators");
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x)
        if (proto_is (x, "id", id))
            return x;
    return NULL;
}

//  True if some index has a capability `id`.
static bool
s_is_capability (const json_t *config, const char *id)
{
    for (int i = 0; i < PROTO_INDEX_COUNT; i++)
        if (json_is_true (json_object_get (s_indicator (config, s_names[i], id), "capability")))
            return true;
    return false;
}

//  Checks the `manual` scores and `capabilities` of `h` (the config itself, or one of its
//  `halls`), whose members' names in reasons begin with `at` ("" or "halls.ID.").
static int
s_check_hall (const json_t *config, const char *at, const json_t *h, char *why, size_t size)
{
    const char *name;
    json_t *scores;
    const json_t *manual = json_object_get (h, "manual");
    if (manual && !json_is_object (manual))
        return proto_fail (why, size, "%smanual: must be an object of indices", at);
    json_object_foreach ((json_t *)manual, name, scores) {
        const char *id;
        if (!json_is_object (scores))
            return proto_fail (why, size, "%smanual.%s: must be an object of scores", at, name);
        json_t *v;
        json_object_foreach (scores, id, v) {
            if (!proto_is (s_indicator (config, name, id), "input", "manual"))
                return proto_fail (why, size, "%smanual.%s.%s: no such manual indicator", at, name,
                                   id);
            if (!json_is_number (v) || json_number_value (v) < 0 || json_number_value (v) > 100)
                return proto_fail (why, size, "%smanual.%s.%s: a score must be 0-100", at, name,
                                   id);
        }
    }
    const json_t *able = json_object_get (h, "capabilities");
    if (able && !json_is_array (able))
        return proto_fail (why, size, "%scapabilities: must be a list", at);
    size_t i;
    json_t *c;
    json_array_foreach (able, i, c)
        if (!json_is_string (c) || !s_is_capability (config, json_string_value (c)))
            return proto_fail (why, size, "%scapabilities: \"%s\" is no capability", at,
                               json_is_string (c) ? json_string_value (c) : "?");
    return 0;
}

int
proto_index_config_check (const json_t *config, char *why, size_t size)
{
    static const char *const keys[] = {"indices", "grades",     "manual", "capabilities",
                                       "halls",   "unobserved", NULL};
    const char *bad = NULL, *key;
    json_t *v;
    if (!json_is_object (config))
        return proto_fail (why, size, "the index config must be a JSON object");
    if (!s_only (config, keys, &bad))
        return proto_fail (why, size, "unknown member \"%s\"", bad);
    const json_t *indices = json_object_get (config, "indices");
    json_object_foreach ((json_t *)indices, key, v) {
        int i = 0;
        while (i < PROTO_INDEX_COUNT && strcmp (s_names[i], key) != 0)
            i++;
        if (i == PROTO_INDEX_COUNT)
            return proto_fail (why, size, "indices: \"%s\" is not one of the seven", key);
    }
    double sum = 0;
    for (int i = 0; i < PROTO_INDEX_COUNT; i++) {
        if (s_check_index (s_names[i], json_object_get (indices, s_names[i]), why, size))
            return -1;
        sum +=
            json_number_value (json_object_get (json_object_get (indices, s_names[i]), "weight"));
    }
    if (sum <= 0)
        return proto_fail (why, size, "indices: their weights add up to 0");
    if (s_check_grades (json_object_get (config, "grades"), why, size))
        return -1;
    const json_t *unobserved = json_object_get (config, "unobserved");
    if (unobserved && !json_is_null (unobserved) &&
        (!json_is_number (unobserved) || json_number_value (unobserved) < 0 ||
         json_number_value (unobserved) > 100))
        return proto_fail (why, size, "unobserved: a score 0..100, or null");
    const json_t *halls = json_object_get (config, "halls");
    if (halls && !json_is_object (halls))
        return proto_fail (why, size, "halls: must be an object of hall ids");
    static const char *const hall_keys[] = {"manual", "capabilities", NULL};
    json_object_foreach ((json_t *)halls, key, v) {
        char at[64];
        snprintf (at, sizeof at, "halls.%s.", key);
        if (!json_is_object (v) || !s_only (v, hall_keys, &bad))
            return proto_fail (why, size, "halls.%s: an object of \"manual\" and \"capabilities\"",
                               key);
        if (s_check_hall (config, at, v, why, size))
            return -1;
    }
    return s_check_hall (config, "", config, why, size);
}

json_t *
proto_index_config_merge (const json_t *base, const json_t *override, char *why, size_t size)
{
    if (override && !json_is_object (override)) {
        proto_fail (why, size, "the index config must be a JSON object");
        return NULL;
    }
    json_t *config = json_deep_copy (base);
    if (!config) {
        proto_fail (why, size, "out of memory");
        return NULL;
    }
    if (override)
        s_merge (config, override);
    if (proto_index_config_check (config, why, size)) {
        json_decref (config);
        return NULL;
    }
    return config;
}

json_t *
proto_index_config_load (const char *path, char *why, size_t size)
{
    json_error_t err;
    json_t *file = json_load_file (path, 0, &err);
    if (!file) {
        if (err.line > 0)
            proto_fail (why, size, "%s:%d: %s", path, err.line, err.text);
        else
            proto_fail (why, size, "%s", err.text); //  cannot open: names the file
        return NULL;
    }
    //  A hall config (it has a "hall") holds the index config as its "index", if at all.
    bool hall = json_is_object (json_object_get (file, "hall"));
    const json_t *own = hall ? json_object_get (file, "index") : file;
    json_t *defaults = proto_index_config_default ();
    char reason[256];
    json_t *config = own ? proto_index_config_merge (defaults, own, reason, sizeof reason)
                         : json_incref (defaults);
    if (!config)
        proto_fail (why, size, "%s: %s%s", path, hall ? "index." : "", reason);
    json_decref (defaults);
    json_decref (file);
    return config;
}

//  ---------------------------------------------------------------------------------------
//  Scores

double
proto_index_score (double value, double full, double zero)
{
    if (full == zero)
        return value >= full ? 100.0 : 0.0;
    double s = 100.0 * (value - zero) / (full - zero);
    return s < 0 ? 0 : s > 100 ? 100 : s;
}

double
proto_index_round (double score)
{
    return floor (score * 10.0 + 0.5) / 10.0;
}

void
proto_index_grade (const json_t *config, double score, char *grade, size_t gsize, char *zh,
                   size_t zsize)
{
    json_t *own = config ? NULL : proto_index_config_default ();
    const json_t *grades = json_object_get (config ? config : own, "grades");
    double rounded = proto_index_round (score);
    size_t i;
    json_t *g;
    snprintf (grade, gsize, "%s", "");
    snprintf (zh, zsize, "%s", "");
    json_array_foreach (grades, i, g)
        if (rounded >= json_number_value (json_object_get (g, "min"))) {
            snprintf (grade, gsize, "%s", proto_str (g, "grade"));
            snprintf (zh, zsize, "%s", proto_str (g, "zh"));
            break;
        }
    json_decref (own);
}

//  ---------------------------------------------------------------------------------------
//  Computing the indices

//  What an indicator reads: the report's kpis and the hall's own figures.
typedef struct {
    const json_t *config;  //  the index config
    const json_t *kpis;    //  the report's figures
    const json_t *reasons; //  the report's null_reasons, if any
    const json_t *hall;    //  {counter_breadth, status_page} from hall.info
    const json_t *own;     //  this hall's entry of the config's `halls`, if any
} s_inputs_t;

//  The hall's figures from hall.info: the mean share of the hall's services each counter
//  may open, and whether the slips link to a status page. Members are absent when `info`
//  does not tell.
static json_t *
s_hall_figures (const json_t *info)
{
    json_t *h = json_object ();
    if (!info)
        return h;
    size_t services = json_array_size (json_object_get (info, "services"));
    const json_t *counters = json_object_get (info, "counters");
    if (services && json_array_size (counters)) {
        double sum = 0;
        size_t i;
        json_t *c;
        json_array_foreach (counters, i, c) {
            double share = (double)json_array_size (json_object_get (c, "services")) / services;
            sum += share > 1 ? 1 : share;
        }
        json_object_set_new (h, "counter_breadth", json_real (sum / json_array_size (counters)));
    }
    json_object_set_new (h, "status_page", json_integer (*proto_str (info, "status_url") != 0));
    return h;
}

//  The figure `input` names, or NULL when there is none (or it is null).
static const json_t *
s_figure (const s_inputs_t *in, const char *input)
{
    const json_t *v = strncmp (input, "hall.", 5) == 0 ? json_object_get (in->hall, input + 5)
                                                       : proto_figures_lookup (in->kpis, input);
    return json_is_number (v) ? v : NULL;
}

//  True if the hall declares capability `id`.
static bool
s_declared (const s_inputs_t *in, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get (in->own, "capabilities"), i, c)
        if (strcmp (json_string_value (c), id) == 0)
            return true;
    return false;
}

//  The detail of indicator `x` of index `name`; its score into *score, or -1 when it was
//  not measured.
static json_t *
s_score_indicator (const s_inputs_t *in, const char *name, const json_t *x, double *score)
{
    const char *id = proto_str (x, "id"), *input = proto_str (x, "input");
    bool able = json_is_true (json_object_get (x, "capability"));
    bool manual = strcmp (input, "manual") == 0;
    json_t *d = json_pack ("{s:s, s:s, s:s, s:s, s:O}", "id", id, "zh", proto_str (x, "zh"), "en",
                           proto_str (x, "en"), "kind",
                           able     ? "capability"
                           : manual ? "manual"
                                    : "measured",
                           "weight", json_object_get (x, "weight"));
    json_object_set_new (d, "input", *input ? json_string (input) : json_null ());
    const json_t *v = NULL;
    *score = -1;
    if (able) {
        bool declared = s_declared (in, id);
        const json_t *seen = *input ? s_figure (in, input) : NULL;
        bool held = declared || (seen && json_number_value (seen) > 0);
        json_object_set_new (d, "declared", json_boolean (declared));
        json_object_set_new (d, "value", json_integer (held));
        *score = held ? 100 : 0;
    } else if (manual) {
        v = json_object_get (json_object_get (json_object_get (in->own, "manual"), name), id);
        json_object_set (d, "value", v ? (json_t *)v : json_null ());
        if (v)
            *score = json_number_value (v);
        else
            json_object_set_new (d, "why",
                                 json_string ("本厅未配置人工评分 / no manual score is "
                                              "configured for this hall"));
    } else {
        double full = json_number_value (json_object_get (x, "full"));
        double zero = json_number_value (json_object_get (x, "zero"));
        json_object_set_new (d, "full", json_real (full));
        json_object_set_new (d, "zero", json_real (zero));
        v = s_figure (in, input);
        json_object_set (d, "value", v ? (json_t *)v : json_null ());
        if (v)
            *score = proto_index_score (json_number_value (v), full, zero);
        else {
            char path[128];
            snprintf (path, sizeof path, "kpis.%s", input);
            const char *r = json_string_value (json_object_get (in->reasons, path));
            json_object_set_new (d, "why", json_string (r ? r : "未计量 / not measured"));
        }
    }
    json_object_set_new (d, "score",
                         *score >= 0 ? json_real (proto_index_round (*score)) : json_null ());
    return d;
}

//  Sets the score, grade and coverage of a detail object `d`.
static void
s_scored (const json_t *config, json_t *d, double score, double measured, double all)
{
    char grade[16], zh[64];
    if (score >= 0) {
        proto_index_grade (config, score, grade, sizeof grade, zh, sizeof zh);
        json_object_set_new (d, "score", json_real (proto_index_round (score)));
        json_object_set_new (d, "grade", json_string (grade));
        json_object_set_new (d, "grade_zh", json_string (zh));
    } else {
        json_object_set_new (d, "score", json_null ());
        json_object_set_new (d, "grade", json_null ());
        json_object_set_new (d, "grade_zh", json_null ());
    }
    json_object_set_new (d, "coverage", json_real (all > 0 ? measured / all : 0));
}

//  Index `name`: its detail; its unrounded score into *score (-1: null) and its coverage
//  into *coverage.
static json_t *
s_score_index (const s_inputs_t *in, const char *name, double *score, double *coverage)
{
    const json_t *ix = json_object_get (json_object_get (in->config, "indices"), name);
    json_t *list = json_array ();
    double sum = 0, measured = 0, all = 0;
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (ix, "indicators"), i, x) {
        double s, w = json_number_value (json_object_get (x, "weight"));
        json_array_append_new (list, s_score_indicator (in, name, x, &s));
        all += w;
        if (s >= 0 && w > 0) {
            sum += w * s;
            measured += w;
        }
    }
    json_t *d = json_pack ("{s:s, s:s, s:O}", "zh", proto_str (ix, "zh"), "en",
                           proto_str (ix, "en"), "weight", json_object_get (ix, "weight"));
    *score = measured > 0 ? sum / measured : -1;
    *coverage = all > 0 ? measured / all : 0;
    //  Nothing of it measured in the period (no case concluded, no priority ticket...): the
    //  configured score for what was not observed, said as such, or null without one.
    const json_t *unobserved = json_object_get (in->config, "unobserved");
    if (measured <= 0 && json_is_number (unobserved))
        *score = json_number_value (unobserved);
    s_scored (in->config, d, *score, measured, all);
    if (measured <= 0) {
        char text[160];
        if (*score >= 0)
            snprintf (text, sizeof text,
                      "没有可计量的指标，按未观测分 %g 计 / none of its indicators was "
                      "measured: the configured score %g",
                      *score, *score);
        else
            snprintf (text, sizeof text, "没有可计量的指标 / none of its indicators was measured");
        json_object_set_new (d, "why", json_string (text));
        json_object_set_new (d, "unobserved", json_true ());
    }
    json_object_set_new (d, "indicators", list);
    return d;
}

json_t *
proto_index_compute (const json_t *report, const json_t *info, const json_t *config, char *why,
                     size_t size)
{
    json_t *own = NULL;
    if (!config)
        config = own = proto_index_config_default ();
    if (proto_index_config_check (config, why, size)) {
        json_decref (own);
        return NULL;
    }
    const json_t *kpis =
        json_object_get (report, "kpis") ? json_object_get (report, "kpis") : report;
    const char *hall = proto_str (json_object_get (report, "hall"), "id");
    if (!*hall)
        hall = proto_str (json_object_get (info, "hall"), "id");
    json_t *figures = s_hall_figures (info);
    //  The hall's manual scores and capabilities: its entry in `halls`, else the config's.
    const json_t *entry = json_object_get (json_object_get (config, "halls"), hall);
    s_inputs_t in = {config, kpis, json_object_get (report, "null_reasons"), figures,
                     entry ? entry : config};
    json_t *index = json_object (), *grades = json_object ();
    json_t *detail = json_pack ("{s:s}", "hall", hall);
    double sum = 0, weights = 0, covered = 0, all = 0;
    for (int i = 0; i < PROTO_INDEX_COUNT; i++) {
        double score, coverage;
        json_t *d = s_score_index (&in, s_names[i], &score, &coverage);
        double w = json_number_value (json_object_get (d, "weight"));
        json_object_set_new (index, s_names[i],
                             score >= 0 ? json_real (proto_index_round (score)) : json_null ());
        json_object_set (grades, s_names[i], json_object_get (d, "grade"));
        json_object_set_new (detail, s_names[i], d);
        all += w;
        covered += w * coverage;
        if (score >= 0 && w > 0) {
            sum += w * score;
            weights += w;
        }
    }
    double total = weights > 0 ? sum / weights : -1;
    json_object_set_new (index, "total",
                         total >= 0 ? json_real (proto_index_round (total)) : json_null ());
    s_scored (config, detail, total, weights, all);
    json_object_set_new (detail, "coverage", json_real (all > 0 ? covered / all : 0));
    json_object_del (detail, "score");
    json_object_set (grades, "total", json_object_get (detail, "grade"));
    json_object_set_new (detail, "grades", grades);
    json_decref (figures);
    json_decref (own);
    return json_pack ("{s:o, s:o}", "index", index, "index_detail", detail);
}

//  ---------------------------------------------------------------------------------------
//  Ranking

typedef struct {
    json_t *hall; //  the shallow copy
    double score; //  rounded; -1 without one
    const char *id;
} s_ranked_t;

static int
s_rank_cmp (const void *a, const void *b)
{
    const s_ranked_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp (x->id, y->id);
}

json_t *
proto_index_rank (const json_t *halls, const char *key)
{
    size_t n = json_array_size (halls);
    s_ranked_t *r = calloc (n ? n : 1, sizeof *r);
    json_t *out = json_array ();
    if (!r || !out) {
        free (r);
        json_decref (out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *h = json_array_get (halls, i);
        const json_t *v = json_object_get (json_object_get (h, "index"), key ? key : "total");
        r[i].hall = json_is_object (h) ? json_copy ((json_t *)h) : json_object ();
        r[i].score = json_is_number (v) ? proto_index_round (json_number_value (v)) : -1;
        r[i].id = proto_str (h, "id");
    }
    qsort (r, n, sizeof *r, s_rank_cmp);
    for (size_t i = 0; i < n; i++) {
        bool tie = i > 0 && r[i].score == r[i - 1].score;
        json_int_t rank =
            tie ? json_integer_value (json_object_get (r[i - 1].hall, "rank")) : (json_int_t)i + 1;
        json_object_set_new (r[i].hall, "score",
                             r[i].score >= 0 ? json_real (r[i].score) : json_null ());
        json_object_set_new (r[i].hall, "rank",
                             r[i].score >= 0 ? json_integer (rank) : json_null ());
        json_array_append_new (out, r[i].hall);
    }
    free (r);
    return out;
}
