/*  web_report.c — see web_report.h; the figures are defined in docs/REPORT.md. */
#include "web_report.h"

#include <stdlib.h>
#include <string.h>

#include "proto_figures.h"
#include "proto_journal.h"
#include "proto_json.h"
#include "proto_log.h"
#include "proto_report.h"
#include "proto_text.h"
#include "web_assets.h"
#include "web_gateway.h"
#include "web_html.h"

typedef enum {
    S_IDLE,    //  nothing to read now
    S_START,   //  asked for: hall.info (and where the period starts) next
    S_READING, //  reading the journal page by page
} s_phase_t;

//  One period and its reading.
typedef struct {
    int from, to;          //  business days YYYYMMDD (a month: YYYYMM01..YYYYMM31)
    bool month;            //  a month's report (else one day's)
    s_phase_t phase;       //  what the next step does
    json_t *info;          //  hall.info when the reading began (the report borrows it)
    proto_report_t *r;     //  the figures counted so far
    json_int_t next, stop; //  the next event to read; the last one hall.info counted
    int64_t now;           //  the broker's time the figures are as of
    bool over;             //  the period has ended in the journal: the figures are final
    json_t *result;        //  the last report object made, or NULL
    int64_t made;          //  when it was made (monotonic ms)
    int64_t used;          //  when it was last asked for (monotonic ms)
    int rc;                //  why the last reading failed (0: it did not)
    int64_t failed;        //  when (monotonic ms)
    char why[200];         //  the broker's message
    int pages;             //  journal pages read by this reading
    int64_t spent;         //  ms spent in its steps
    web_req_t *waiting[WEB_REPORT_WAITERS]; //  suspended requests (web_req_suspend)
    int nwaiting;
} s_job_t;

struct web_report {
    s_job_t *jobs[WEB_REPORT_JOBS];
};

web_report_t *
web_report_new (void)
{
    return calloc (1, sizeof (web_report_t));
}

//  Answers the job's waiting requests: their handlers run again and find the result (or
//  the failure).
static void
s_wake (s_job_t *j)
{
    for (int i = 0; i < j->nwaiting; i++)
        web_req_resume (j->waiting[i]);
    j->nwaiting = 0;
}

//  Frees a job nobody waits for.
static void
s_job_free (s_job_t *j)
{
    proto_report_destroy (&j->r);
    json_decref (j->info);
    json_decref (j->result);
    free (j);
}

void
web_report_destroy (web_report_t **self_p)
{
    web_report_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < WEB_REPORT_JOBS; i++)
        if (self->jobs[i])
            s_job_free (self->jobs[i]);
    free (self);
    *self_p = NULL;
}

void
web_report_stop (web_report_t *self)
{
    for (int i = 0; i < WEB_REPORT_JOBS; i++) {
        s_job_t *j = self->jobs[i];
        if (j && j->phase != S_IDLE) {
            j->phase = S_IDLE;
            j->rc = PROTO_CLIENT_UNREACHABLE;
            j->failed = proto_mono_ms ();
            snprintf (j->why, sizeof j->why, "the broker is away, or the gateway stops");
            s_wake (j);
        }
    }
}

bool
web_report_busy (const web_report_t *self)
{
    for (int i = 0; i < WEB_REPORT_JOBS; i++)
        if (self->jobs[i] && self->jobs[i]->phase != S_IDLE)
            return true;
    return false;
}

//  ---------------------------------------------------------------------------------------
//  Reading, a step at a time

//  The reading is over (rc 0) or failed: make the figures, wake the waiters.
static void
s_finish (s_job_t *j, int rc, proto_client_t *client)
{
    j->phase = S_IDLE;
    j->rc = rc;
    if (rc) {
        j->failed = proto_mono_ms ();
        snprintf (j->why, sizeof j->why, "%s", proto_client_message (client));
        log_warn ("web: report %d..%d: %s", j->from, j->to, j->why);
    } else {
        json_decref (j->result);
        j->result = proto_report_json (j->r, j->now);
        j->made = proto_mono_ms ();
        log_info ("web: report %d..%d read to #%lld: %d page(s), %lld ms", j->from, j->to,
                  (long long)j->next - 1, j->pages, (long long)j->spent);
    }
    s_wake (j);
}

//  The start of a reading: hall.info says how far to read and as of when; the first
//  reading (or one after the broker's store began again) also finds where the period
//  starts in the journal. 0, or the failed call's result.
static int
s_begin (s_job_t *j, web_t *web, proto_client_t *client)
{
    json_t *info = NULL;
    int rc = proto_client_call (client, "hall.info", NULL, &info);
    if (rc) {
        json_decref (info);
        return rc;
    }
    j->pages = 0;
    j->spent = 0;
    if (!j->r || proto_int (info, "seq") + 1 < j->next) {
        //  The over-wait limit as `onewindow report` takes it: the hall's, from its snapshot
        //  (the mirror has it).
        const json_t *limit =
            json_object_get (proto_mirror_state (web->mirror), "over_wait_minutes");
        json_t *snap = NULL;
        if (!json_is_integer (limit)) {
            rc = proto_client_call (client, "hall.snapshot", NULL, &snap);
            limit = json_object_get (snap, "over_wait_minutes");
        }
        json_int_t start = 0;
        if (!rc)
            rc = proto_journal_day_start (client, info, j->from, &start);
        if (!rc) {
            proto_report_destroy (&j->r);
            json_decref (j->info);
            j->info = json_incref (info);
            j->r = proto_report_new (j->info, j->from, j->to, (int)json_integer_value (limit));
            j->next = start;
            j->over = false;
        }
        json_decref (snap);
    }
    j->stop = proto_int (info, "seq");
    j->now = proto_int (info, "now");
    json_decref (info);
    return rc;
}

static int
s_feed (const json_t *event, void *arg)
{
    s_job_t *j = arg;
    j->next = proto_int (event, "seq") + 1;
    if (proto_report_add (j->r, event))
        return 1;
    j->over = true;
    return 0;
}

//  One step of a job: the start of a reading, or one page of the journal.
static void
s_step (s_job_t *j, web_t *web, proto_client_t *client)
{
    int64_t t0 = proto_mono_ms ();
    int rc = 0;
    if (j->phase == S_START) {
        rc = s_begin (j, web, client);
        if (!rc)
            j->phase = S_READING;
    } else if (!j->over && j->next <= j->stop) {
        json_int_t from = j->next, upto = j->next + PROTO_JOURNAL_PAGE - 1;
        rc = proto_journal_read (client, from, upto < j->stop ? upto : j->stop, s_feed, j);
        j->pages++;
        if (!rc && j->next == from)
            j->next = j->stop + 1; //  the journal ends sooner than hall.info said: done
    }
    j->spent += proto_mono_ms () - t0;
    if (rc)
        s_finish (j, rc, client);
    else if (j->phase == S_READING && (j->over || j->next > j->stop))
        s_finish (j, 0, client);
}

void
web_report_step (web_report_t *self, web_t *web)
{
    proto_client_t *client = proto_mirror_client (web->mirror);
    for (int i = 0; i < WEB_REPORT_JOBS; i++)
        if (self->jobs[i] && self->jobs[i]->phase != S_IDLE) {
            s_step (self->jobs[i], web, client);
            return; //  one page per turn of the loop, whichever period
        }
}

//  The job of a period: the one kept, or a new one in a free place or in the place of the
//  period asked for least recently that is not being read. NULL when every place is busy.
static s_job_t *
s_job (web_report_t *self, int from, int to, bool month)
{
    int place = -1;
    for (int i = 0; i < WEB_REPORT_JOBS; i++) {
        s_job_t *j = self->jobs[i];
        if (j && j->from == from && j->to == to)
            return j;
        if (!j && place < 0)
            place = i;
    }
    for (int i = 0; i < WEB_REPORT_JOBS && place < 0; i++)
        if (self->jobs[i]->phase == S_IDLE && !self->jobs[i]->nwaiting)
            place = i;
    for (int i = 0; place >= 0 && self->jobs[place] && i < WEB_REPORT_JOBS; i++) {
        s_job_t *j = self->jobs[i];
        if (j->phase == S_IDLE && !j->nwaiting && j->used < self->jobs[place]->used)
            place = i;
    }
    if (place < 0)
        return NULL;
    if (self->jobs[place])
        s_job_free (self->jobs[place]);
    s_job_t *j = calloc (1, sizeof *j);
    if (j) {
        j->from = from;
        j->to = to;
        j->month = month;
    }
    self->jobs[place] = j;
    return j;
}

//  ---------------------------------------------------------------------------------------
//  The page

//  A date "YYYY-MM-DD" (a month: "YYYY-MM") as YYYYMMDD (the month's 1st), or 0 when it
//  is not one or not a real date.
static int
s_date_arg (const char *text, bool month)
{
    size_t want = month ? 7 : 10;
    if (!text || strlen (text) != want)
        return 0;
    for (size_t i = 0; i < want; i++)
        if ((i == 4 || i == 7) ? text[i] != '-' : (text[i] < '0' || text[i] > '9'))
            return 0;
    int date = atoi (text) * 10000 + atoi (text + 5) * 100 + (month ? 1 : atoi (text + 8));
    //  A date that does not exist (02-30) comes back from midnight as another one.
    return date > 19700101 && proto_journal_local_date (proto_journal_midnight (date, 0), 0) == date
               ? date
               : 0;
}

//  A figure's value: counts as they are, durations in minutes, ratios in per cent; a dash
//  for null, with the reason as its title.
static void
s_value (FILE *f, const json_t *v, const char *unit)
{
    if (!v || json_is_null (v))
        fputs ("—", f);
    else if (strcmp (unit, "ms") == 0)
        web_html_minutes (f, v);
    else if (strcmp (unit, "ratio") == 0)
        web_html_ratio (f, v);
    else
        fprintf (f, "%lld", (long long)json_integer_value (v));
}

//  The groups in the grid's five cells; a group `under` the one before shares its cell, so
//  the printed page stays one A4 sheet.
static const struct {
    const char *group, *zh, *en;
    bool under;
} s_groups[] = {
    {"tickets", "取号与等候", "Tickets and waits", false},
    {"ratings", "评价（好差评）", "Ratings", false},
    {"appointments", "预约", "Appointments", true},
    {"cases", "办件", "Cases", false},
    {"notices", "一次性告知", "Notices of missing material", false},
    {"priority", "各优先级", "Priority lines", true},
    {"pickup", "取件", "Collection of results", false},
};

//  The hall's figures, a table per group; each value's cell is named by its figure
//  (id="f-GROUP.KEY") and says why when it is null.
static void
s_groups_html (FILE *f, const json_t *report)
{
    const json_t *kpis = json_object_get (report, "kpis");
    const json_t *why = json_object_get (report, "null_reasons");
    size_t n;
    const proto_figure_t *fig = proto_figures_hall (&n);
    fputs ("<div class=\"groups\">\n", f);
    for (size_t g = 0; g < sizeof s_groups / sizeof s_groups[0]; g++) {
        if (!s_groups[g].under)
            fputs (g ? "</div><div>\n" : "<div>\n", f);
        fprintf (f, "<table class=\"fig\"><caption>%s <span class=\"en\">%s</span></caption>\n",
                 s_groups[g].zh, s_groups[g].en);
        for (size_t i = 0; i < n; i++) {
            if (strcmp (fig[i].group, s_groups[g].group) != 0)
                continue;
            char id[96];
            snprintf (id, sizeof id, "%s.%s", fig[i].group, fig[i].key);
            const json_t *v =
                proto_figures_lookup (json_object_get (kpis, fig[i].group), fig[i].key);
            fprintf (f, "<tr><th>%s <span class=\"en\">", fig[i].zh);
            web_escape (f, fig[i].en);
            fprintf (f, "</span></th><td id=\"f-%s\"", id);
            char key[112];
            snprintf (key, sizeof key, "kpis.%s", id);
            if (json_is_string (json_object_get (why, key))) {
                fputs (" title=\"", f);
                web_escape (f, json_string_value (json_object_get (why, key)));
                fputs ("\"", f);
            }
            fputs (">", f);
            s_value (f, v, fig[i].unit);
            fputs ("</td></tr>\n", f);
        }
        fputs ("</table>\n", f);
    }
    fputs ("</div></div>\n", f);
}

//  A column of a table of services or counters: the figure, its unit, its names.
typedef struct {
    const char *key, *unit, *zh, *en;
} s_column_t;

//  A table with a row for each of `rows` (kpis.services or kpis.counters): its name (a
//  service's prefix before it), then `cols`.
static void
s_table (FILE *f, const char *id, const char *title, const json_t *rows, const s_column_t *cols,
         size_t ncols)
{
    fprintf (f, "<table class=\"grid\" id=\"%s\"><caption>%s</caption><tr><th></th>", id, title);
    for (size_t k = 0; k < ncols; k++)
        fprintf (f, "<th>%s <span class=\"en\">%s</span></th>", cols[k].zh, cols[k].en);
    fputs ("</tr>\n", f);
    size_t i;
    json_t *x;
    json_array_foreach (rows, i, x) {
        fputs ("<tr><td>", f);
        if (*proto_str (x, "prefix")) {
            web_escape (f, proto_str (x, "prefix"));
            fputs (" ", f);
        }
        web_escape (f, proto_str (x, "name"));
        fputs ("</td>", f);
        for (size_t k = 0; k < ncols; k++) {
            fputs ("<td>", f);
            s_value (f, json_object_get (x, cols[k].key), cols[k].unit);
            fputs ("</td>", f);
        }
        fputs ("</tr>\n", f);
    }
    fputs ("</table>\n", f);
}

//  Per service and per counter: their figures as the terminal's report has them.
static void
s_rows_html (FILE *f, const json_t *kpis)
{
    static const s_column_t svc[] = {
        {"issued", "count", "取号", "issued"},
        {"served", "count", "办结", "served"},
        {"avg_wait_ms", "ms", "平均等候(分)", "avg wait"},
        {"p90_wait_ms", "ms", "90%等候(分)", "P90 wait"},
        {"over_wait_rate", "ratio", "超时率", "over-wait"},
        {"avg_service_ms", "ms", "平均办理(分)", "handling"},
        {"rating_rate", "ratio", "评价率", "rated"},
        {"good_rate", "ratio", "好评率", "good"},
    };
    static const s_column_t ctr[] = {
        {"served", "count", "办结", "served"},
        {"open_ms", "ms", "在岗(分)", "open"},
        {"busy_ms", "ms", "服务(分)", "busy"},
        {"paused_ms", "ms", "暂停(分)", "paused"},
        {"utilisation", "ratio", "利用率", "utilisation"},
    };
    fputs ("<div class=\"rows\">", f);
    s_table (f, "services", "各业务 <span class=\"en\">Services</span>",
             json_object_get (kpis, "services"), svc, sizeof svc / sizeof svc[0]);
    s_table (f, "counters", "各窗口 <span class=\"en\">Counters</span>",
             json_object_get (kpis, "counters"), ctr, sizeof ctr / sizeof ctr[0]);
    fputs ("</div>\n", f);
}

//  "YYYY-MM-DD" (a month: "YYYY-MM") of a date, for links and titles.
static void
s_date_text (int date, bool month, char *out, size_t size)
{
    if (month)
        snprintf (out, size, "%04d-%02d", date / 10000, date / 100 % 100);
    else
        snprintf (out, size, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
}

//  The title, the period and, on screen only, the other periods and the downloads.
static void
s_head_html (FILE *f, const s_job_t *j, const json_t *report, int utc_offset)
{
    const json_t *p = json_object_get (report, "period");
    char date[16], prev[16], next[16];
    s_date_text (j->from, j->month, date, sizeof date);
    int64_t day = proto_journal_midnight (j->from, 0);
    int before = j->month ? proto_journal_local_date (day - 86400000LL, 0) / 100 * 100 + 1
                          : proto_journal_local_date (day - 86400000LL, 0);
    int after = j->month ? proto_journal_local_date (day + 32 * 86400000LL, 0) / 100 * 100 + 1
                         : proto_journal_local_date (day + 86400000LL, 0);
    s_date_text (before, j->month, prev, sizeof prev);
    s_date_text (after, j->month, next, sizeof next);
    const char *arg = j->month ? "month" : "day";
    fputs ("<header class=\"rhead\"><h1>", f);
    web_escape (f, proto_str (json_object_get (report, "hall"), "name"));
    fprintf (f, " · 营业%s %s <span class=\"en\">%s report</span></h1>\n<p class=\"period\">",
             j->month ? "月报" : "日报", date, j->month ? "Month" : "Day");
    if (proto_int (p, "days")) {
        char start[32], end[32];
        proto_format_time (proto_int (p, "start"), utc_offset, start, sizeof start);
        proto_format_time (proto_int (p, "end"), utc_offset, end, sizeof end);
        fprintf (f, "统计区间 %s – %s%s · %lld 个营业日", start, end,
                 json_is_true (json_object_get (p, "open")) ? "（营业中，截至此刻）" : "",
                 (long long)proto_int (p, "days"));
    } else
        fputs ("日志中没有这一营业日 <span class=\"en\">no business day in the journal</span>", f);
    fprintf (f, " · 超时等候标准 %lld 分钟 · 时长单位：分钟</p>\n",
             (long long)proto_int (p, "over_wait_minutes"));
    fprintf (f,
             "<nav class=\"noprint\"><a href=\"/report?%s=%s\">‹ %s</a> · <a "
             "href=\"/report?%s=%s\">%s ›</a> · <a href=\"/report\">今天</a> · <a "
             "href=\"/report?month=%.7s\">本月</a> · <a href=\"/report.csv?%s=%s\">CSV</a> · <a "
             "href=\"/report?%s=%s&amp;format=json\">JSON</a> · <a "
             "href=\"/dashboard\">大厅监控</a> <span class=\"en\">Print: Ctrl+P (A4 "
             "landscape)</span></nav>\n</header>\n",
             arg, prev, prev, arg, next, next, date, arg, date, arg, date);
}

static void
s_page (FILE *f, web_t *web, const s_job_t *j, const json_t *report)
{
    char title[64], date[16];
    s_date_text (j->from, j->month, date, sizeof date);
    snprintf (title, sizeof title, "营业报表 %s Report", date);
    web_page_begin (f, title, "report", NULL, NULL);
    s_head_html (f, j, report, web_utc_offset (web));
    fputs ("<main>\n", f);
    s_groups_html (f, report);
    s_rows_html (f, json_object_get (report, "kpis"));
    const json_t *p = json_object_get (report, "period");
    fprintf (f,
             "<p class=\"meta\">数据来源：大厅事件日志 #%lld–#%lld，计算方法见 docs/REPORT.md；"
             "“—”表示无可计算的数据（悬停查看原因）。<span class=\"en\">From the hall's event "
             "journal; a dash: nothing to compute (hover for why).</span></p>\n</main>\n",
             (long long)proto_int (p, "first_seq"), (long long)proto_int (p, "last_seq"));
    web_page_end (f, 0);
}

//  The report of a job that has one, as the request asks: page, CSV or JSON.
static enum MHD_Result
s_send (web_t *web, web_req_t *req, const s_job_t *j, const char *format)
{
    char date[16];
    s_date_text (j->from, j->month, date, sizeof date);
    if (strcmp (format, "json") == 0)
        return web_send_json (req, MHD_HTTP_OK, j->result);
    if (strcmp (format, "csv") == 0) {
        char *csv = proto_figures_csv (j->result);
        if (!csv)
            return MHD_NO;
        char name[48];
        snprintf (name, sizeof name, "report-%s.csv", date);
        return web_send_download (req, "text/csv; charset=utf-8", csv, strlen (csv), name);
    }
    web_out_t o;
    FILE *f = web_out_open (&o);
    if (!f)
        return MHD_NO;
    s_page (f, web, j, j->result);
    return web_out_send (&o, req, MHD_HTTP_OK, WEB_CT_HTML);
}

//  /report and /report.csv: the period asked for, read if it must be (the request waits,
//  suspended, while the main loop reads), then sent.
static enum MHD_Result
s_report (web_t *web, web_req_t *req, const char *format)
{
    const char *day = web_req_query (req, "day"), *month = web_req_query (req, "month");
    if (day && month)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "请只选择一天或一个月",
                               "Ask for one day or one month.");
    int from = month ? s_date_arg (month, true) : day ? s_date_arg (day, false) : 0;
    if ((day || month) && !from)
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "日期格式应为 YYYY-MM-DD（月：YYYY-MM）",
                               "The date is YYYY-MM-DD, a month YYYY-MM.");
    if (!from)
        from = (int)proto_int (proto_mirror_state (web->mirror), "day");
    if (!from)
        return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "暂时无法连接大厅服务器",
                               "The hall server cannot be reached right now; please try again.");
    if (strcmp (format, "html") && strcmp (format, "csv") && strcmp (format, "json"))
        return web_send_error (req, MHD_HTTP_BAD_REQUEST, "format 只能是 csv 或 json",
                               "format is csv or json.");
    s_job_t *j = s_job (web->report, from, month ? from + 30 : from, month != NULL);
    if (!j)
        return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "报表生成中，请稍后再试",
                               "Reports are being made; try again in a moment.");
    int64_t now = proto_mono_ms ();
    j->used = now;
    if (j->phase == S_IDLE && j->rc && now - j->failed < 2000)
        return web_send_broker_error (req, j->rc == PROTO_CLIENT_UNREACHABLE ? j->rc : -1, j->why);
    if (j->phase == S_IDLE && j->result && (j->over || now - j->made < WEB_REPORT_FRESH_MS))
        return s_send (web, req, j, format);
    if (j->nwaiting == WEB_REPORT_WAITERS)
        return web_send_error (req, MHD_HTTP_SERVICE_UNAVAILABLE, "报表生成中，请稍后再试",
                               "The report is being made; try again in a moment.");
    if (j->phase == S_IDLE)
        j->phase = S_START;
    j->waiting[j->nwaiting++] = req;
    web_req_suspend (req);
    return MHD_YES;
}

enum MHD_Result
web_report_get (web_t *web, web_req_t *req)
{
    const char *format = web_req_query (req, "format");
    return s_report (web, req, format ? format : "html");
}

enum MHD_Result
web_report_csv (web_t *web, web_req_t *req)
{
    return s_report (web, req, "csv");
}
