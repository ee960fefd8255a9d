/*  district_report.c — see district_report.h. */
#include "district_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "district_buf.h"
#include "proto_json.h"
#include "proto_index.h"
#include "proto_report.h"

const char *const district_index_keys[] = {"standard",   "efficiency", "convenience",
                                           "service",    "experience", "evaluation",
                                           "innovation", "total",      NULL};
const char *const district_index_labels[] = {"规范", "效率", "便利", "服务", "体验",
                                             "评价", "创新", "总分", NULL};

json_t *
district_index (const district_config_t *cfg, const district_hall_cfg_t *hall, const json_t *report,
                const json_t *info)
{
    (void)hall; //  proto_index finds the hall's own scores by the report's hall id
    char why[256];
    json_t *r = proto_index_compute (report, info, cfg->scoring, why, sizeof why);
    const json_t *detail = json_object_get (r, "index_detail");
    json_t *out = r ? json_deep_copy (json_object_get (r, "index")) : NULL;
    if (out) {
        json_object_set (out, "grade", json_object_get (detail, "grade"));
        json_object_set (out, "grade_zh", json_object_get (detail, "grade_zh"));
        json_object_set (out, "coverage", json_object_get (detail, "coverage"));
        json_object_set (out, "detail", (json_t *)detail);
    }
    json_decref (r);
    return out;
}

//  ---------------------------------------------------------------------------------------
//  A month, counted again from the stored events

typedef struct {
    proto_report_t *report;
    int64_t last_time;
} s_month_t;

static int
s_month_feed (const json_t *event, void *arg)
{
    s_month_t *m = arg;
    m->last_time = (int64_t)proto_int (event, "time");
    return proto_report_add (m->report, event);
}

//  Hall `id`'s report of from_day..to_day from its stored events, or NULL (no day).
static json_t *
s_period (district_store_t *store, const char *id, int from_day, int to_day, int *days)
{
    json_t *records = district_store_days (store, id, from_day, to_day);
    *days = (int)json_array_size (records);
    json_t *out = NULL;
    if (*days == 1 && from_day == to_day)
        out = json_incref (json_object_get (json_array_get (records, 0), "report"));
    else if (*days > 0) {
        json_t *rec = district_store_hall (store, id);
        const json_t *info = json_object_get (rec, "info");
        s_month_t m = {
            proto_report_new (info, from_day, to_day, (int)proto_int (rec, "over_wait_minutes")),
            0};
        uint64_t first = (uint64_t)proto_int (json_array_get (records, 0), "first_seq");
        uint64_t last =
            (uint64_t)proto_int (json_array_get (records, (size_t)*days - 1), "last_seq");
        //  One more: the next day's hall.day, when stored, ends the period.
        if (m.report && json_is_object (info) &&
            district_store_events (store, id, first, last + 1, s_month_feed, &m) >= 0)
            out = proto_report_json (m.report, m.last_time);
        proto_report_destroy (&m.report);
        json_decref (rec);
    }
    json_decref (records);
    return out;
}

//  ---------------------------------------------------------------------------------------
//  The report

json_t *
district_report_build (district_store_t *store, const district_config_t *cfg, int from_day,
                       int to_day)
{
    json_t *all = json_array ();
    for (size_t i = 0; all && i < cfg->nhalls; i++) {
        const district_hall_cfg_t *h = &cfg->halls[i];
        int days = 0;
        json_t *report = s_period (store, h->id, from_day, to_day, &days);
        json_t *rec = district_store_hall (store, h->id);
        json_t *index =
            report ? district_index (cfg, h, report, json_object_get (rec, "info")) : NULL;
        json_decref (rec);
        json_array_append_new (all,
                               json_pack ("{s:s, s:s, s:s, s:i, s:o?, s:o?}", "id", h->id, "name",
                                          h->name, "kind", district_kind_name (h->kind), "days",
                                          days, "report", report, "index", index));
    }
    //  The ranking is proto_index's: by total, ties share a rank, unranked last.
    json_t *list = all ? proto_index_rank (all, NULL) : NULL;
    json_decref (all);
    if (!list)
        return NULL;
    int ranked = 0;
    size_t i;
    json_t *h;
    json_array_foreach (list, i, h) {
        ranked += json_is_integer (json_object_get (h, "rank"));
        json_object_del (h, "score");
    }
    json_t *out =
        json_pack ("{s:{s:s, s:s}, s:i, s:i, s:o, s:i}", "district", "id", cfg->id, "name",
                   cfg->name, "from", from_day, "to", to_day, "halls", list, "ranked", ranked);
    if (from_day == to_day)
        json_object_set_new (out, "day", json_integer (from_day));
    else
        json_object_set_new (out, "month", json_integer (from_day / 100));
    return out;
}

//  ---------------------------------------------------------------------------------------
//  CSV

//  A number as the CSV shows it: integers bare, reals with up to 4 decimals, "" for null.
static void
s_csv_num (district_buf_t *b, const json_t *v)
{
    if (json_is_integer (v))
        district_buf_printf (b, ",%lld", (long long)json_integer_value (v));
    else if (json_is_real (v))
        district_buf_printf (b, ",%.4g", json_real_value (v));
    else
        district_buf_printf (b, ",");
}

char *
district_report_csv (const json_t *report)
{
    static const char *const figures[][2] = {
        {"tickets", "issued"},         {"tickets", "served"},        {"tickets", "avg_wait_ms"},
        {"tickets", "over_wait_rate"}, {"ratings", "rating_rate"},   {"ratings", "good_rate"},
        {"cases", "on_time_rate"},     {"cases", "immediate_share"},
    };
    district_buf_t b = {0};
    district_buf_printf (&b, "rank,hall,name,kind,days,grade");
    for (const char *const *k = district_index_keys; *k; k++)
        district_buf_printf (&b, ",%s", *k);
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        district_buf_printf (&b, ",%s.%s", figures[i][0], figures[i][1]);
    district_buf_printf (&b, "\n");
    size_t i;
    json_t *h;
    json_array_foreach (json_object_get (report, "halls"), i, h) {
        const json_t *index = json_object_get (h, "index");
        const json_t *kpis = json_object_get (json_object_get (h, "report"), "kpis");
        const json_t *rank = json_object_get (h, "rank");
        if (json_is_integer (rank))
            district_buf_printf (&b, "%lld", (long long)json_integer_value (rank));
        district_buf_printf (&b, ",");
        district_buf_csv (&b, proto_str (h, "id"));
        district_buf_printf (&b, ",");
        district_buf_csv (&b, proto_str (h, "name"));
        district_buf_printf (&b, ",%s,%lld,", proto_str (h, "kind"),
                             (long long)proto_int (h, "days"));
        district_buf_csv (&b, proto_str (index, "grade"));
        for (const char *const *k = district_index_keys; *k; k++)
            s_csv_num (&b, json_object_get (index, *k));
        for (size_t f = 0; f < sizeof figures / sizeof figures[0]; f++)
            s_csv_num (&b, json_object_get (json_object_get (kpis, figures[f][0]), figures[f][1]));
        district_buf_printf (&b, "\n");
    }
    return district_buf_take (&b);
}
