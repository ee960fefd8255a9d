/*  proto_figures.c — see proto_figures.h; the figures are defined in docs/REPORT.md. */
#include "proto_figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_index.h"
#include "proto_json.h"

#define NO_CALL  "没有叫号 / no ticket was called in the period"
#define NO_SERVE "没有办结的号 / no ticket was finished in the period"
#define NO_RATE  "没有评价 / no rating was received in the period"
#define NO_CASE  "没有办结件 / no case was decided in the period"
#define NO_PICK  "没有取件 / nothing was collected in the period"
#define NO_PRIO  "没有叫号 / no ticket of this priority was called in the period"

//  The figures of one priority line (proto_access.h).
#define PRIORITY(P, ZH, EN)                                                                       \
    {"priority", P ".issued", "count", ZH " 取号", EN ": tickets issued", NULL},                  \
        {"priority", P ".called", "count", ZH " 叫号", EN ": tickets called", NULL},              \
        {"priority", P ".served", "count", ZH " 办结", EN ": tickets served", NULL},              \
        {"priority", P ".avg_wait_ms", "ms", ZH " 平均等候", EN ": average wait", NO_PRIO},       \
    {                                                                                             \
        "priority", P ".max_wait_ms", "ms", ZH " 最长等候", EN ": longest wait (0: none called)", \
            NULL                                                                                  \
    }

static const proto_figure_t s_hall[] = {
    {"tickets", "issued", "count", "取号", "tickets issued", NULL},
    {"tickets", "called", "count", "叫号", "tickets called (first calls)", NULL},
    {"tickets", "served", "count", "办结", "tickets served", NULL},
    {"tickets", "missed", "count", "过号", "missed", NULL},
    {"tickets", "cancelled", "count", "取消", "cancelled", NULL},
    {"tickets", "transferred", "count", "转出", "transferred out", NULL},
    {"tickets", "expired", "count", "过期未办", "expired unserved", NULL},
    {"tickets", "over_wait", "count", "超时等候", "waits over the limit", NULL},
    {"tickets", "avg_wait_ms", "ms", "平均等候", "average wait", NO_CALL},
    {"tickets", "median_wait_ms", "ms", "等候中位数", "median wait", NO_CALL},
    {"tickets", "p90_wait_ms", "ms", "90% 等候", "P90 wait", NO_CALL},
    {"tickets", "max_wait_ms", "ms", "最长等候", "longest wait (0: none called)", NULL},
    {"tickets", "over_wait_rate", "ratio", "超时等候率", "over-wait rate", NO_CALL},
    {"tickets", "avg_service_ms", "ms", "平均办理时长", "average handling", NO_SERVE},
    {"tickets", "unserved", "count", "未获办理", "ended unserved (cancelled, expired, missed)",
     NULL},
    {"tickets", "unserved_rate", "ratio", "未获办理率", "unserved rate",
     "没有结束的号 / no ticket ended in the period"},
    {"tickets", "median_visit_ms", "ms", "取号至办结中位数", "visit (issue to finish), median",
     NO_SERVE},
    {"tickets", "p90_visit_ms", "ms", "取号至办结 90%", "visit (issue to finish), P90", NO_SERVE},
    {"ratings", "rated", "count", "评价", "ratings", NULL},
    {"ratings", "ratings.4", "count", "非常满意", "5 very satisfied", NULL},
    {"ratings", "ratings.3", "count", "满意", "4 satisfied", NULL},
    {"ratings", "ratings.2", "count", "基本满意", "3 fair", NULL},
    {"ratings", "ratings.1", "count", "不满意", "2 dissatisfied", NULL},
    {"ratings", "ratings.0", "count", "非常不满意", "1 very dissatisfied", NULL},
    {"ratings", "rating_rate", "ratio", "评价率", "rating rate", NO_SERVE},
    {"ratings", "good_rate", "ratio", "好评率", "good-rating rate", NO_RATE},
    {"ratings", "satisfaction", "ratio", "满意度", "satisfaction", NO_RATE},
    {"ratings", "bad", "count", "差评", "bad ratings", NULL},
    {"ratings", "rectifications_opened", "count", "整改立项", "rectifications opened", NULL},
    {"ratings", "rectifications_closed", "count", "整改办结", "rectifications closed", NULL},
    {"ratings", "rectifications_on_time", "count", "按期整改", "closed on time", NULL},
    {"ratings", "rectification_on_time_rate", "ratio", "整改按期率", "rectification on-time rate",
     "没有整改办结 / no rectification was closed in the period"},
    {"cases", "received", "count", "收件", "applications received", NULL},
    {"cases", "accepted", "count", "受理", "accepted", NULL},
    {"cases", "immediate", "count", "即办件受理", "immediate items accepted", NULL},
    {"cases", "immediate_share", "ratio", "即办件占比", "immediate-item share",
     "没有受理 / nothing was accepted in the period"},
    {"cases", "not_accepted", "count", "不予受理", "not accepted", NULL},
    {"cases", "withdrawn", "count", "撤回", "withdrawn", NULL},
    {"cases", "decided", "count", "办结", "decided", NULL},
    {"cases", "approved", "count", "准予", "approved", NULL},
    {"cases", "denied", "count", "不予许可", "denied", NULL},
    {"cases", "on_time", "count", "按时办结", "decided on time", NULL},
    {"cases", "on_time_rate", "ratio", "按时办结率", "on-time completion rate", NO_CASE},
    {"cases", "late", "count", "超期办结", "decided late", NULL},
    {"cases", "early", "count", "提前办结", "decided early", NULL},
    {"cases", "early_rate", "ratio", "提前办结率", "early completion rate", NO_CASE},
    {"cases", "statutory_judged", "count", "有法定期限的办结", "decided with a statutory deadline",
     NULL},
    {"cases", "statutory_on_time", "count", "法定时限内办结", "decided by the statutory deadline",
     NULL},
    {"cases", "statutory_on_time_rate", "ratio", "法定时限内办结率", "statutory on-time rate",
     "没有带法定期限的办结件 / no decided case had a statutory deadline"},
    {"cases", "first_time", "count", "一次办结", "decided without a later 补正", NULL},
    {"cases", "first_time_rate", "ratio", "一次办结率", "first-time completion rate", NO_CASE},
    {"cases", "overdue_warnings", "count", "超期预警", "overdue warnings", NULL},
    {"cases", "statutory_overdue_warnings", "count", "超法定时限预警", "statutory overdue warnings",
     NULL},
    {"cases", "checked", "count", "收件核验", "intake check rounds", NULL},
    {"cases", "overridden", "count", "人工确认放行", "check rounds with an override", NULL},
    {"cases", "override_rate", "ratio", "人工确认率", "override rate",
     "没有收件核验 / no intake check in the period"},
    {"cases", "one_visit", "count", "一次办成", "decided with no 补正 at all", NULL},
    {"cases", "one_visit_rate", "ratio", "一次办成率", "one-visit rate", NO_CASE},
    {"notices", "notices", "count", "补正告知", "补正 notices given", NULL},
    {"notices", "compliant", "count", "合规告知", "compliant notices", NULL},
    {"notices", "compliance", "ratio", "一次性告知合规率", "一次性告知 compliance",
     "没有可判定的补正告知 / no 补正 notice that the journal can judge was given"},
    {"notices", "repeated", "count", "重复告知", "repeated notices", NULL},
    {"notices", "late", "count", "逾期告知", "notices after 5 working days", NULL},
    {"notices", "unjudged", "count", "无法判定", "notices the journal cannot judge", NULL},
    {"pickup", "cabinet.collected", "count", "智能柜取件", "collected at a cabinet", NULL},
    {"pickup", "cabinet.median_ms", "ms", "存件至取件中位数", "deposit to collection, median",
     "没有智能柜取件 / nothing was collected at a cabinet"},
    {"pickup", "cabinet.p90_ms", "ms", "存件至取件 90%", "deposit to collection, P90",
     "没有智能柜取件 / nothing was collected at a cabinet"},
    {"pickup", "counter.collected", "count", "窗口取件", "collected at a counter", NULL},
    {"pickup", "counter.median_ms", "ms", "待领至取件中位数", "ready to collection, median",
     "没有窗口取件 / nothing was collected at a counter"},
    {"pickup", "counter.p90_ms", "ms", "待领至取件 90%", "ready to collection, P90",
     "没有窗口取件 / nothing was collected at a counter"},
    {"pickup", "unmeasured", "count", "无法计时的取件", "collections without a start", NULL},
    {"pickup", "collected", "count", "取件", "results collected", NULL},
    {"pickup", "after_hours", "count", "非工作时间取件", "collected outside opening hours", NULL},
    {"pickup", "after_hours_share", "ratio", "非工作时间取件占比", "share collected out of hours",
     NO_PICK},
    {"pickup", "cabinet_share", "ratio", "智能柜取件占比", "share collected at a cabinet", NO_PICK},
    PRIORITY ("green", "绿色通道", "green channel"),
    PRIORITY ("elderly", "老年人", "elderly"),
    PRIORITY ("appointment", "预约", "appointment"),
    PRIORITY ("normal", "普通", "normal"),
    {"appointments", "booked", "count", "预约", "bookings made", NULL},
    {"appointments", "cancelled", "count", "取消预约", "bookings cancelled", NULL},
    {"appointments", "checked_in", "count", "预约签到", "bookings checked in", NULL},
    {"appointments", "in_window", "count", "按时签到", "checked in within the window", NULL},
    {"appointments", "no_show", "count", "爽约", "no-shows", NULL},
    {"appointments", "kept_rate", "ratio", "预约履约率", "bookings kept",
     "没有到期的预约 / no booking was checked in or missed in the period"},
    {"appointments", "in_window_rate", "ratio", "按时签到率", "checked in within the window",
     "没有预约签到 / no booking was checked in in the period"},
};

static const proto_figure_t s_service[] = {
    {"services", "issued", "count", "取号", "tickets issued", NULL},
    {"services", "called", "count", "叫号", "tickets called", NULL},
    {"services", "served", "count", "办结", "tickets served", NULL},
    {"services", "missed", "count", "过号", "missed", NULL},
    {"services", "cancelled", "count", "取消", "cancelled", NULL},
    {"services", "transferred", "count", "转出", "transferred out", NULL},
    {"services", "over_wait", "count", "超时等候", "waits over the limit", NULL},
    {"services", "avg_wait_ms", "ms", "平均等候", "average wait", NO_CALL},
    {"services", "median_wait_ms", "ms", "等候中位数", "median wait", NO_CALL},
    {"services", "p90_wait_ms", "ms", "90% 等候", "P90 wait", NO_CALL},
    {"services", "max_wait_ms", "ms", "最长等候", "longest wait (0: none called)", NULL},
    {"services", "over_wait_rate", "ratio", "超时等候率", "over-wait rate", NO_CALL},
    {"services", "avg_service_ms", "ms", "平均办理时长", "average handling", NO_SERVE},
    {"services", "rated", "count", "评价", "ratings", NULL},
    {"services", "rating_rate", "ratio", "评价率", "rating rate", NO_SERVE},
    {"services", "good_rate", "ratio", "好评率", "good-rating rate", NO_RATE},
    {"services", "satisfaction", "ratio", "满意度", "satisfaction", NO_RATE},
};

static const proto_figure_t s_counter_figs[] = {
    {"counters", "served", "count", "办结", "tickets served", NULL},
    {"counters", "open_ms", "ms", "在岗时长", "open (logged in, not paused)", NULL},
    {"counters", "busy_ms", "ms", "服务时长", "busy (calling or serving)", NULL},
    {"counters", "paused_ms", "ms", "暂停时长", "paused", NULL},
    {"counters", "utilisation", "ratio", "利用率", "utilisation",
     "窗口未开 / the counter was not open in the period"},
};

const proto_figure_t *
proto_figures_hall (size_t *n)
{
    *n = sizeof s_hall / sizeof s_hall[0];
    return s_hall;
}

const proto_figure_t *
proto_figures_service (size_t *n)
{
    *n = sizeof s_service / sizeof s_service[0];
    return s_service;
}

const proto_figure_t *
proto_figures_counter (size_t *n)
{
    *n = sizeof s_counter_figs / sizeof s_counter_figs[0];
    return s_counter_figs;
}

const json_t *
proto_figures_lookup (const json_t *j, const char *path)
{
    char part[64];
    while (j && *path) {
        size_t len = strcspn (path, ".");
        snprintf (part, sizeof part, "%.*s", (int)len, path);
        if (json_is_array (j)) {
            char *end;
            unsigned long i = strtoul (part, &end, 10);
            j = *part && !*end ? json_array_get (j, i) : NULL;
        } else
            j = json_object_get (j, part);
        path += len + (path[len] == '.');
    }
    return j;
}

//  A CSV field, quoted when it must be (RFC 4180).
static void
s_csv_field (FILE *f, const char *s)
{
    if (!strpbrk (s, ",\"\r\n")) {
        fputs (s, f);
        return;
    }
    fputc ('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc ('"', f);
        fputc (*s, f);
    }
    fputc ('"', f);
}

static void
s_csv_row (FILE *f, const char *figure, const json_t *v, const proto_figure_t *fig,
           const char *name, const char *name_en, const char *note)
{
    char label[512], label_en[512];
    snprintf (label, sizeof label, "%s%s%s", name, *name ? " " : "", fig->zh);
    snprintf (label_en, sizeof label_en, "%s%s%s", name_en, *name_en ? ": " : "", fig->en);
    s_csv_field (f, figure);
    fputc (',', f);
    if (json_is_integer (v))
        fprintf (f, "%lld", (long long)json_integer_value (v));
    else if (json_is_real (v))
        fprintf (f, "%.6g", json_real_value (v));
    fputc (',', f);
    s_csv_field (f, fig->unit);
    fputc (',', f);
    s_csv_field (f, label);
    fputc (',', f);
    s_csv_field (f, label_en);
    fputc (',', f);
    s_csv_field (f, note ? note : "");
    fputc ('\n', f);
}

//  The rows of each element of list `group` (services or counters), named by `id_key`.
static void
s_csv_list (FILE *f, const json_t *kpis, const char *group, const char *id_key,
            const proto_figure_t *figs, size_t n)
{
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get (kpis, group), i, x) {
        const json_t *id = json_object_get (x, id_key);
        char idtext[32], figure[160], name_en[160];
        if (json_is_integer (id))
            snprintf (idtext, sizeof idtext, "%lld", (long long)json_integer_value (id));
        else
            snprintf (idtext, sizeof idtext, "%s",
                      json_string_value (id) ? json_string_value (id) : "");
        if (*proto_str (x, "name_en"))
            snprintf (name_en, sizeof name_en, "%s", proto_str (x, "name_en"));
        else
            snprintf (name_en, sizeof name_en, "%s %s", group, idtext);
        for (size_t k = 0; k < n; k++) {
            snprintf (figure, sizeof figure, "%s.%s.%s", group, idtext, figs[k].key);
            const json_t *v = proto_figures_lookup (x, figs[k].key);
            s_csv_row (f, figure, v, &figs[k], proto_str (x, "name"), name_en,
                       v && !json_is_null (v) ? NULL : figs[k].why);
        }
    }
}

//  A number of the index (a score 0-100) as CSV writes it.
static json_t *
s_score (const json_t *v)
{
    return json_is_number (v) ? json_real (json_number_value (v)) : json_null ();
}

//  The rows of the service vitality index (proto_index.h), when the report has one: each
//  index, its indicators, then the total. The note says the grade, or why there is no score.
static void
s_csv_index (FILE *f, const json_t *report)
{
    const json_t *index = json_object_get (report, "index");
    const json_t *detail = json_object_get (report, "index_detail");
    char figure[160], note[256];
    for (int n = 0; n < PROTO_INDEX_COUNT; n++) {
        const char *name = proto_index_names ()[n];
        const json_t *d = json_object_get (detail, name);
        if (!json_is_object (d))
            continue;
        proto_figure_t fig = {"index", name, "score", proto_str (d, "zh"), proto_str (d, "en"),
                              NULL};
        snprintf (figure, sizeof figure, "index.%s", name);
        snprintf (note, sizeof note, "%s %s", proto_str (d, "grade"), proto_str (d, "grade_zh"));
        json_t *v = s_score (json_object_get (index, name));
        s_csv_row (f, figure, v, &fig, "", "", json_is_null (v) ? proto_str (d, "why") : note);
        json_decref (v);
        size_t i;
        json_t *x;
        json_array_foreach (json_object_get (d, "indicators"), i, x) {
            proto_figure_t ind = {
                "index", proto_str (x, "id"), "score", proto_str (x, "zh"), proto_str (x, "en"),
                NULL};
            snprintf (figure, sizeof figure, "index.%s.%s", name, proto_str (x, "id"));
            v = s_score (json_object_get (x, "score"));
            s_csv_row (f, figure, v, &ind, proto_str (d, "zh"), proto_str (d, "en"),
                       proto_str (x, "why"));
            json_decref (v);
        }
    }
    if (!index)
        return;
    proto_figure_t total = {"index", "total", "score", "总分", "total", NULL};
    snprintf (note, sizeof note, "%s %s", proto_str (detail, "grade"),
              proto_str (detail, "grade_zh"));
    json_t *v = s_score (json_object_get (index, "total"));
    s_csv_row (f, "index.total", v, &total, "", "", json_is_null (v) ? "" : note);
    json_decref (v);
}

char *
proto_figures_csv (const json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    if (!f)
        return NULL;
    fputs ("figure,value,unit,label,label_en,note\n", f);
    const json_t *kpis = json_object_get (report, "kpis");
    const json_t *why = json_object_get (report, "null_reasons");
    size_t n;
    const proto_figure_t *fig = proto_figures_hall (&n);
    for (size_t i = 0; i < n; i++) {
        char figure[128];
        snprintf (figure, sizeof figure, "%s.%s", fig[i].group, fig[i].key);
        char path[140];
        snprintf (path, sizeof path, "kpis.%s", figure);
        s_csv_row (f, figure,
                   proto_figures_lookup (json_object_get (kpis, fig[i].group), fig[i].key), &fig[i],
                   "", "", json_string_value (json_object_get (why, path)));
    }
    fig = proto_figures_service (&n);
    s_csv_list (f, kpis, "services", "prefix", fig, n);
    fig = proto_figures_counter (&n);
    s_csv_list (f, kpis, "counters", "id", fig, n);
    s_csv_index (f, report);
    if (fclose (f) != 0) {
        free (buf);
        return NULL;
    }
    return buf;
}
