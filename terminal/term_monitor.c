/*  term_monitor.c — `onewindow monitor`: the hall manager's live screen (大厅监控).

    Every number comes from the mirror (proto_mirror.h: snapshot plus events), never from
    polling the broker. proto_kpi_hall (proto_kpi.h) turns the mirrored state into one JSON
    object of the hall's key figures (DOMAIN.md, "What halls report"); the curses screen,
    --once (plain text) and --json all render that one object, so what a script reads is
    what the manager sees. Both the screen and --once draw on a term_view (term_view.h).

    Time: "now" is the broker's clock as last seen (the snapshot's or the latest event's
    `time`), moved on by our own monotonic clock between events when the broker runs on a
    real clock. A broker on a simulated clock is not extrapolated: its time moves only by
    clock.advance, which is an event. --once and --json use the snapshot's `now` as is. */
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <ncurses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "term_cli.h"
#include "term_view.h"
#include "proto_kpi.h"
#include "proto_mirror.h"
#include "term_words.h"

//  Timers on the screen (longest wait, idle time) move at least this often.
#define TICK_MS 1000
//  Recent cabinet alarms kept in the figures and shown on the screen.
#define SCREEN_ALARMS 5

//  The one signal flag: SIGINT, SIGTERM, SIGHUP (an ssh session that went away).
static volatile sig_atomic_t s_interrupted;

static void
s_on_signal (int sig)
{
    (void)sig;
    s_interrupted = 1;
}

static bool
s_is (const json_t *j, const char *key, const char *value)
{
    return strcmp (proto_str (j, key), value) == 0;
}

//  ---------------------------------------------------------------------------------------
//  Formatting figures

//  A duration in minutes (term_words.h), as the view's language says it; "-" for none.
//  Estimates round up, as on the citizen's slip; time gone by rounds down.
static const char *
s_dur (const term_view_t *v, const json_t *ms, bool estimate, char *buf, size_t size)
{
    if (!json_is_integer (ms)) {
        snprintf (buf, size, "-");
        return buf;
    }
    return term_minutes (json_integer_value (ms), v->zh, estimate, buf, size);
}

static const char *
s_pct (const json_t *ratio, char *buf, size_t size)
{
    if (!json_is_number (ratio)) {
        snprintf (buf, size, "-");
        return buf;
    }
    snprintf (buf, size, "%.0f%%", json_number_value (ratio) * 100.0);
    return buf;
}

static const char *
s_num (json_int_t n, char *buf, size_t size)
{
    snprintf (buf, size, "%lld", (long long)n);
    return buf;
}

static const char *
s_clock (int64_t ms, int utc_offset_min, const char *fmt, char *buf, size_t size)
{
    time_t secs = (time_t)((ms + (int64_t)utc_offset_min * 60000) / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (buf, size, fmt, &tm);
    return buf;
}

//  A state or alarm: in Chinese where Chinese shows (term_words.h), else as on the wire.
static const char *
s_word (const term_view_t *v, const char *word)
{
    return v->zh ? term_zh (word) : word;
}

//  The services' columns. Widths are the least each takes; a column grows to its widest
//  cell (s_fit). On a narrow screen the highest `drop` goes first: the key figures (over-
//  wait rate, rated and good rates, open counters, next to who waits and how long) stay
//  on an 80-column terminal, where averages and the over-wait count give way.
static const term_col_t s_svc_cols[] = {
    {"等候", "Waiting", 8, 'r', 0},      {"最长等候", "Longest", 9, 'r', 4},
    {"预计等候", "Est.wait", 9, 'r', 6}, {"已办", "Served", 7, 'r', 5},
    {"平均等候", "Avg wait", 9, 'r', 7}, {"平均办理", "Avg serv", 9, 'r', 9},
    {"超时", "Over", 6, 'r', 8},         {"超时率", "Over%", 7, 'r', 1},
    {"评价率", "Rated%", 7, 'r', 3},     {"好评率", "Good%", 7, 'r', 2},
    {"开窗", "Open", 6, 'r', 0},
};
#define SVC_COLS ((int)(sizeof s_svc_cols / sizeof s_svc_cols[0]))
#define MAX_COLS 11

//  A table cell: its text and level.
typedef struct {
    char text[48];
    int level;
} s_cell_t;

//  Longest wait: red past the over-wait limit, yellow past half of it.
static int
s_wait_level (const json_t *k, const json_t *ms)
{
    json_int_t limit = proto_int (k, "over_wait_minutes") * 60000;
    if (!json_is_integer (ms) || limit <= 0)
        return TERM_LVL_OK;
    json_int_t w = json_integer_value (ms);
    return w > limit ? TERM_LVL_RED : w > limit / 2 ? TERM_LVL_YELLOW : TERM_LVL_OK;
}

//  Widens each column to its widest cell (with its mark, "!" or "!!") and its header, so
//  "1 小时 5 分钟" is never cut.
static void
s_fit (const term_view_t *v, term_col_t *col, int ncols, const s_cell_t *cells, int nrows)
{
    for (int c = 0; c < ncols; c++) {
        int w = proto_display_width (col[c].en);
        if (v->zh && proto_display_width (col[c].zh) > w)
            w = proto_display_width (col[c].zh);
        for (int r = 0; r < nrows; r++) {
            const s_cell_t *cell = &cells[r * ncols + c];
            int cw = proto_display_width (cell->text) + (cell->level == TERM_LVL_RED      ? 2
                                                         : cell->level == TERM_LVL_YELLOW ? 1
                                                                                          : 0);
            w = cw > w ? cw : w;
        }
        if (w + 1 > col[c].width)
            col[c].width = w + 1;
    }
}

//  One service's cells, in the order of s_svc_cols.
static void
s_service_cells (const term_view_t *v, const json_t *k, const json_t *s, s_cell_t *cell)
{
    bool nobody = proto_int (s, "waiting") > 0 && proto_int (s, "open_counters") == 0;
    json_t *est = json_object_get (s, "est_wait_s");
    json_t *est_ms =
        json_is_integer (est) ? json_integer (json_integer_value (est) * 1000) : json_null ();
    s_num (proto_int (s, "waiting"), cell[0].text, sizeof cell[0].text);
    cell[0].level = nobody ? TERM_LVL_RED : TERM_LVL_OK;
    s_dur (v, json_object_get (s, "longest_wait_ms"), false, cell[1].text, sizeof cell[1].text);
    cell[1].level = s_wait_level (k, json_object_get (s, "longest_wait_ms"));
    s_dur (v, est_ms, true, cell[2].text, sizeof cell[2].text);
    json_decref (est_ms);
    s_num (proto_int (s, "served"), cell[3].text, sizeof cell[3].text);
    s_dur (v, json_object_get (s, "avg_wait_ms"), false, cell[4].text, sizeof cell[4].text);
    s_dur (v, json_object_get (s, "avg_service_ms"), false, cell[5].text, sizeof cell[5].text);
    s_num (proto_int (s, "over_wait"), cell[6].text, sizeof cell[6].text);
    cell[6].level = proto_int (s, "over_wait") > 0 ? TERM_LVL_YELLOW : TERM_LVL_OK;
    s_pct (json_object_get (s, "over_wait_rate"), cell[7].text, sizeof cell[7].text);
    cell[7].level = cell[6].level; //  the rate carries the mark where the count is dropped
    s_pct (json_object_get (s, "rating_rate"), cell[8].text, sizeof cell[8].text);
    s_pct (json_object_get (s, "good_rate"), cell[9].text, sizeof cell[9].text);
    s_num (proto_int (s, "open_counters"), cell[10].text, sizeof cell[10].text);
    cell[10].level = nobody ? TERM_LVL_RED : TERM_LVL_OK;
}

//  The rows of a table (cells n × ncols, row by row) under its header, in at most
//  max_rows rows; the first column (name[r]) takes what the others leave, between
//  name_min and its natural width. `dim[r]` draws a row dimmed.
static void
s_table (term_view_t *v, const char *zh, const char *en, term_col_t *col, int ncols,
         const s_cell_t *cells, char (*name)[256], const bool *dim, int n, int name_min,
         int max_rows)
{
    int hdr = term_view_header_rows (v), natural = 8;
    if (max_rows <= hdr)
        return;
    for (int r = 0; r < n; r++) {
        int w = proto_display_width (name[r]);
        natural = w > natural ? w : natural;
    }
    s_fit (v, col, ncols, cells, n);
    bool shown[MAX_COLS];
    int name_w = term_view_layout (col, ncols, shown, v->cols, name_min, natural + 1);
    term_view_header (v, zh, en, name_w, col, ncols, shown);
    int room = max_rows - hdr, rows = n <= room ? n : room - 1;
    for (int r = 0; r < rows; r++) {
        term_view_cell (v, name[r], name_w, 'l', dim[r] ? TERM_LVL_DIM : TERM_LVL_OK);
        for (int c = 0; c < ncols; c++)
            if (shown[c])
                term_view_col_cell (v, &col[c], cells[r * ncols + c].text,
                                    cells[r * ncols + c].level);
        term_view_newline (v);
    }
    if (rows < n)
        term_view_more (v, n - rows);
}

//  The services table in at most max_rows rows, header included.
static void
s_services (term_view_t *v, const json_t *k, int max_rows)
{
    const json_t *list = json_object_get (k, "services");
    int n = (int)json_array_size (list);
    s_cell_t *cells = calloc ((size_t)(n ? n : 1) * SVC_COLS, sizeof *cells);
    char (*name)[256] = calloc ((size_t)(n ? n : 1), sizeof *name);
    bool *dim = calloc ((size_t)(n ? n : 1), sizeof *dim);
    term_col_t col[SVC_COLS];
    memcpy (col, s_svc_cols, sizeof col);
    for (int r = 0; cells && name && dim && r < n; r++) {
        const json_t *s = json_array_get (list, (size_t)r);
        snprintf (name[r], sizeof name[r], "%s %s%s%s", proto_str (s, "prefix"),
                  v->zh ? proto_str (s, "name") : "", v->zh ? " " : "", proto_str (s, "name_en"));
        s_service_cells (v, k, s, &cells[r * SVC_COLS]);
    }
    if (cells && name && dim)
        s_table (v, "业务", "Service", col, SVC_COLS, cells, name, dim, n, 18, max_rows);
    free (cells);
    free (name);
    free (dim);
}

//  The counters table in at most max_rows rows: working counters first, then the closed.
static void
s_counters (term_view_t *v, const json_t *k, int max_rows)
{
    term_col_t col[] = {
        {"状态", "State", v->zh ? 9 : 12, 'l', 0},
        {"当前号", "Ticket", 8, 'l', 0},
        {"人员", "Clerk", 13, 'l', 4},
        {"已办", "Served", 7, 'r', 0},
        {"利用率", "Util", 7, 'r', 2},
        {"空闲", "Idle", 9, 'r', 3},
        {"本状态", "In state", 10, 'r', 5},
    };
    enum { NCOLS = sizeof col / sizeof col[0] };
    const json_t *list = json_object_get (k, "counters");
    int n = (int)json_array_size (list), r = 0;
    s_cell_t *cells = calloc ((size_t)(n ? n : 1) * NCOLS, sizeof *cells);
    char (*name)[256] = calloc ((size_t)(n ? n : 1), sizeof *name);
    bool *dim = calloc ((size_t)(n ? n : 1), sizeof *dim);
    for (int pass = 0; cells && name && dim && pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const json_t *c = json_array_get (list, (size_t)i);
            bool closed = s_is (c, "state", "logged_out");
            if (closed != (pass == 1))
                continue;
            s_cell_t *cell = &cells[r * NCOLS];
            if (v->zh)
                snprintf (name[r], sizeof name[r], "%s", proto_str (c, "name"));
            else
                snprintf (name[r], sizeof name[r], "Counter %lld", (long long)proto_int (c, "id"));
            dim[r++] = closed;
            snprintf (cell[0].text, sizeof cell[0].text, "%s", s_word (v, proto_str (c, "state")));
            cell[0].level = closed ? TERM_LVL_DIM : TERM_LVL_OK;
            snprintf (cell[1].text, sizeof cell[1].text, "%s",
                      json_is_string (json_object_get (c, "ticket")) ? proto_str (c, "ticket")
                                                                     : "-");
            snprintf (cell[2].text, sizeof cell[2].text, "%s",
                      json_is_string (json_object_get (c, "clerk")) ? proto_str (c, "clerk") : "-");
            s_num (proto_int (c, "served"), cell[3].text, sizeof cell[3].text);
            s_pct (json_object_get (c, "utilisation"), cell[4].text, sizeof cell[4].text);
            s_dur (v, json_object_get (c, "idle_ms"), false, cell[5].text, sizeof cell[5].text);
            cell[5].level = proto_kpi_level_of (c);
            s_dur (v, closed ? NULL : json_object_get (c, "state_ms"), false, cell[6].text,
                   sizeof cell[6].text);
        }
    if (cells && name && dim)
        s_table (v, "窗口", "Counter", col, NCOLS, cells, name, dim, n, 12, max_rows);
    free (cells);
    free (name);
    free (dim);
}

//  "label value" with the value's level, then a gap.
static void
s_figure (term_view_t *v, const char *zh, const char *en, const char *value, int level)
{
    char buf[160];
    term_view_cell (v, term_view_bi (v, zh, en, buf, sizeof buf), -1, 'l', TERM_LVL_OK);
    term_view_cell (v, " ", 1, 'l', TERM_LVL_OK);
    term_view_cell (v, value, -1, 'l', level);
    term_view_cell (v, "  ", 2, 'l', TERM_LVL_OK);
}

static void
s_title (term_view_t *v, const json_t *k, bool online)
{
    char when[48], title[512], status[96];
    s_clock (proto_int (k, "now"), (int)proto_int (k, "utc_offset_min"), "%Y-%m-%d %H:%M:%S", when,
             sizeof when);
    if (online)
        snprintf (status, sizeof status, "%s seq %lld", v->zh ? "在线 live" : "live",
                  (long long)proto_int (k, "seq"));
    else
        snprintf (status, sizeof status, "%s",
                  v->zh ? "离线 offline, 重连中 reconnecting" : "offline, reconnecting");
    snprintf (title, sizeof title, " %s  %s  %s  %s",
              v->zh ? "大厅监控 Hall monitor" : "Hall monitor",
              v->zh ? proto_str (k, "hall") : proto_str (k, "hall_en"), when, status);
    term_view_cell (v, title, v->curses ? v->cols : -1, 'l',
                    online ? TERM_LVL_TITLE : TERM_LVL_RED);
    term_view_newline (v);
}

static void
s_totals (term_view_t *v, const json_t *k)
{
    const json_t *t = json_object_get (k, "totals");
    char buf[64];
    term_view_word (v, v->zh ? "合计 Total:" : "Total:", TERM_LVL_HEAD);
    s_figure (v, "等候", "waiting", s_num (proto_int (t, "waiting"), buf, sizeof buf), TERM_LVL_OK);
    s_figure (v, "已办", "served", s_num (proto_int (t, "served"), buf, sizeof buf), TERM_LVL_OK);
    s_figure (v, "平均等候", "avg wait",
              s_dur (v, json_object_get (t, "avg_wait_ms"), false, buf, sizeof buf), TERM_LVL_OK);
    s_figure (v, "平均办理", "avg serv",
              s_dur (v, json_object_get (t, "avg_service_ms"), false, buf, sizeof buf),
              TERM_LVL_OK);
    s_figure (v, "超时", "over wait", s_num (proto_int (t, "over_wait"), buf, sizeof buf),
              proto_int (t, "over_wait") ? TERM_LVL_YELLOW : TERM_LVL_OK);
    s_figure (v, "评价率", "rated", s_pct (json_object_get (t, "rating_rate"), buf, sizeof buf),
              TERM_LVL_OK);
    s_figure (v, "好评率", "good", s_pct (json_object_get (t, "good_rate"), buf, sizeof buf),
              TERM_LVL_OK);
    term_view_newline (v);
}

static void
s_cases (term_view_t *v, const json_t *k)
{
    const json_t *c = json_object_get (k, "cases");
    char buf[32];
    term_view_word (v, v->zh ? "办件 Cases:" : "Cases:", TERM_LVL_HEAD);
    s_figure (v, "在办", "open", s_num (proto_int (c, "open"), buf, sizeof buf), TERM_LVL_OK);
    s_figure (v, "黄灯", "yellow", s_num (proto_int (c, "yellow"), buf, sizeof buf),
              proto_int (c, "yellow") ? TERM_LVL_YELLOW : TERM_LVL_OK);
    s_figure (v, "红灯", "red", s_num (proto_int (c, "red"), buf, sizeof buf),
              proto_int (c, "red") ? TERM_LVL_RED : TERM_LVL_OK);
    s_figure (v, "超期", "overdue", s_num (proto_int (c, "overdue"), buf, sizeof buf),
              proto_int (c, "overdue") ? TERM_LVL_RED : TERM_LVL_OK);
    s_figure (v, "待取件", "awaiting pickup",
              s_num (proto_int (c, "awaiting_pickup"), buf, sizeof buf), TERM_LVL_OK);
    s_figure (v, "柜中待取", "in cabinet",
              s_num (proto_int (c, "ready_for_pickup"), buf, sizeof buf), TERM_LVL_OK);
    s_figure (v, "取件超期", "pickup overdue",
              s_num (proto_int (c, "pickup_overdue"), buf, sizeof buf),
              proto_int (c, "pickup_overdue") ? TERM_LVL_YELLOW : TERM_LVL_OK);
    term_view_newline (v);
}

//  One line per cabinet (at most max_lines; a last line sums up the rest).
static void
s_cabinets (term_view_t *v, const json_t *k, int max_lines)
{
    const json_t *list = json_object_get (k, "cabinets");
    int n = (int)json_array_size (list);
    char buf[160];
    if (n == 0) {
        term_view_word (v, v->zh ? "智能柜 Cabinet:" : "Cabinet:", TERM_LVL_HEAD);
        term_view_word (v, term_view_bi (v, "未接入", "none reported", buf, sizeof buf),
                        TERM_LVL_DIM);
        term_view_newline (v);
        return;
    }
    for (int i = 0; i < n && i < max_lines; i++) {
        const json_t *c = json_array_get (list, (size_t)i);
        if (i == max_lines - 1 && i < n - 1) {
            snprintf (buf, sizeof buf, "... %d", n - i);
            term_view_word (v, v->zh ? "智能柜 Cabinets" : "Cabinets", TERM_LVL_HEAD);
            term_view_word (v, buf, TERM_LVL_DIM);
            term_view_newline (v);
            break;
        }
        snprintf (buf, sizeof buf, "%s %s %s:", v->zh ? "智能柜 Cabinet" : "Cabinet",
                  proto_str (c, "cabinet"), v->zh ? proto_str (c, "name") : "");
        term_view_word (v, buf, TERM_LVL_HEAD);
        if (!json_is_true (json_object_get (c, "online")))
            term_view_word (v, term_view_bi (v, "离线", "offline", buf, sizeof buf), TERM_LVL_RED);
        char value[64], pct[16];
        snprintf (value, sizeof value, "%lld/%lld %s", (long long)proto_int (c, "occupied"),
                  (long long)proto_int (c, "slots"),
                  s_pct (json_object_get (c, "occupancy"), pct, sizeof pct));
        s_figure (v, "占用", "occupied", value, TERM_LVL_OK);
        const json_t *alarmed = json_object_get (c, "alarm_slots");
        s_figure (v, "告警格口", "alarm slots",
                  s_num ((json_int_t)json_array_size (alarmed), value, sizeof value),
                  json_array_size (alarmed) ? TERM_LVL_RED : TERM_LVL_OK);
        size_t j, a;
        json_t *s, *name;
        json_array_foreach (alarmed, j, s) {
            term_view_word (v, proto_str (s, "slot"), TERM_LVL_OK);
            json_array_foreach (json_object_get (s, "alarms"), a, name)
                term_view_word (
                    v, s_word (v, json_string_value (name) ? json_string_value (name) : "?"),
                    TERM_LVL_RED);
        }
        if (proto_int (c, "overdue_slots"))
            s_figure (v, "取件超期", "overdue slots",
                      s_num (proto_int (c, "overdue_slots"), value, sizeof value), TERM_LVL_YELLOW);
        term_view_newline (v);
    }
}

//  The latest cabinet alarms seen since the monitor started, newest first.
static void
s_alarms (term_view_t *v, const json_t *k, int max_rows)
{
    const json_t *list = json_object_get (k, "alarms");
    int n = (int)json_array_size (list);
    if (n == 0 || max_rows < 2)
        return;
    char buf[160];
    term_view_cell (v, term_view_bi (v, "最近告警", "Recent alarms", buf, sizeof buf), -1, 'l',
                    TERM_LVL_HEAD);
    term_view_newline (v);
    for (int i = 0; i < n && i < max_rows - 1 && i < SCREEN_ALARMS; i++) {
        const json_t *a = json_array_get (list, (size_t)i);
        term_view_word (v,
                        s_clock (proto_int (a, "time"), (int)proto_int (k, "utc_offset_min"),
                                 "%H:%M:%S", buf, sizeof buf),
                        TERM_LVL_OK);
        term_view_word (v, proto_str (a, "cabinet"), TERM_LVL_OK);
        term_view_word (v, proto_str (a, "slot"), TERM_LVL_OK);
        term_view_word (v, s_word (v, proto_str (a, "alarm")), TERM_LVL_RED);
        term_view_word (v, proto_str (a, "detail"), TERM_LVL_OK);
        term_view_newline (v);
    }
}

static void
s_footer (term_view_t *v)
{
    v->y = v->rows - 1;
    v->x = 0;
    term_view_cell (
        v,
        v->zh ? "q 退出 quit  ? 帮助 help  r 重绘 redraw  ! 提醒 attention  !! 警告 warning"
              : "q quit  ? help  r redraw  ! attention  !! warning",
        v->cols - 1, 'l', TERM_LVL_TITLE);
}

//  The smallest screen that shows the tables at all; smaller gets a notice.
#define MIN_COLS 30
#define MIN_ROWS 8

//  One frame of the figures `k` on view v. On a screen (finite rows), sections share the
//  rows: the summary lines first, then the services and counters tables, cut short with
//  "N more" when the screen is small, then the recent alarms if room is left.
static void
s_render (term_view_t *v, const json_t *k, bool online)
{
    char buf[160];
    if (v->curses && (v->cols < MIN_COLS || v->rows < MIN_ROWS)) {
        term_view_cell (v, v->zh ? "窗口太小 too small" : "Too small", -1, 'l', TERM_LVL_RED);
        term_view_newline (v);
        snprintf (buf, sizeof buf, "need %dx%d", MIN_COLS, MIN_ROWS);
        term_view_cell (v, buf, -1, 'l', TERM_LVL_OK);
        term_view_newline (v);
        term_view_cell (v, "q quit", -1, 'l', TERM_LVL_OK);
        return;
    }
    int ncab = (int)json_array_size (json_object_get (k, "cabinets"));
    int cab_lines = ncab < 1 ? 1 : ncab > 3 && v->curses ? 3 : ncab;
    int hdr = term_view_header_rows (v);
    int svc = hdr + (int)json_array_size (json_object_get (k, "services"));
    int ctr = hdr + (int)json_array_size (json_object_get (k, "counters"));
    int nal = (int)json_array_size (json_object_get (k, "alarms"));
    int al = nal ? 1 + (nal < SCREEN_ALARMS ? nal : SCREEN_ALARMS) : 0;
    int svc_rows = svc, ctr_rows = ctr, al_rows = al, gap = 1;
    if (v->curses) {
        int avail = v->rows - (3 + cab_lines) - 1; //  title, totals, cases, cabinets; footer
        if (svc + ctr + 2 > avail)
            gap = 0;
        if (svc + ctr + 2 * gap > avail) {
            svc_rows = avail * svc / (svc + ctr);
            if (svc_rows < hdr + 2)
                svc_rows = hdr + 2 < svc ? hdr + 2 : svc;
            if (svc_rows > avail)
                svc_rows = avail;
            ctr_rows = avail - svc_rows;
        }
        al_rows = avail - svc_rows - ctr_rows - 3 * gap;
        if (al_rows > al)
            al_rows = al;
    }
    s_title (v, k, online);
    s_totals (v, k);
    s_cases (v, k);
    s_cabinets (v, k, cab_lines);
    v->y += gap;
    if (!v->curses && gap)
        fputs ("\n", v->out);
    s_services (v, k, svc_rows);
    v->y += gap;
    if (!v->curses && gap)
        fputs ("\n", v->out);
    s_counters (v, k, ctr_rows);
    if (al_rows >= 2) {
        v->y += gap;
        if (!v->curses && gap)
            fputs ("\n", v->out);
        s_alarms (v, k, al_rows);
    }
    if (v->curses)
        s_footer (v);
}

static void
s_help (term_view_t *v)
{
    //  Each line: its Chinese words (shown on a UTF-8 terminal) and the English text.
    static const char *lines[][2] = {
        {"大厅监控 帮助 /", "Hall monitor help"},
        {"", ""},
        {"业务", "Service"},
        {"  等候", "waiting: tickets in the line now"},
        {"  最长等候", "longest: now - issue time of the oldest waiting ticket"},
        {"  预计等候", "est. wait: for a ticket issued now (the broker's estimate)"},
        {"  已办", "served: tickets finished today"},
        {"  平均等候", "avg wait = sum (call - issue) / tickets called"},
        {"  平均办理", "avg serv = sum (finish - call) / tickets finished"},
        {"  超时", "over: tickets called after waiting longer than the hall's limit"},
        {"  超时率 / 评价率", "over% = over / called;  rated% = rated / served"},
        {"  好评率", "good% = (level 5 + level 4) / rated"},
        {"  开窗", "open: counters open for the line (not paused)"},
        {"窗口", "Counter"},
        {"  利用率", "util = busy (calling + serving) / open time; pauses are not open time"},
        {"  空闲 / 本状态", "idle: time idle so far;  in state: time in the current state"},
        {"标记", "Marks: ! attention (yellow), !! warning (red)"},
        {"", "  !! a wait past the limit, people waiting with no counter open, a red or"},
        {"", "     overdue case, a cabinet slot alarm or a cabinet offline"},
        {"", "  !  half the limit, a counter idle 2 min while people wait for it,"},
        {"", "     a yellow case, a result left in the cabinet too long"},
        {"", ""},
        {"键", "Keys: q quit   ? help   r redraw        any other key: back"},
    };
    char buf[300];
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        if (v->zh && lines[i][0][0])
            snprintf (buf, sizeof buf, "%s %s", lines[i][0], lines[i][1]);
        else
            snprintf (buf, sizeof buf, "%s%s", lines[i][0][0] == ' ' ? "  " : "", lines[i][1]);
        term_view_cell (v, buf, -1, 'l', i == 0 ? TERM_LVL_TITLE : TERM_LVL_OK);
        term_view_newline (v);
    }
}

//  ---------------------------------------------------------------------------------------
//  The live screen

typedef struct {
    proto_mirror_t *mirror;
    const char *broker;  //  for the "connecting" notice
    bool zh;             //  the terminal shows Chinese (a UTF-8 locale)
    bool color;          //  colour pairs are set up
    bool online;         //  the last contact with the broker worked
    bool dirty;          //  an event or snapshot came since the last frame
    bool help;           //  the help page is shown
    int64_t anchor_now;  //  the broker's time last seen
    int64_t anchor_mono; //  our monotonic clock then
} s_screen_t;

static void
s_on_event (proto_mirror_t *mirror, const char *topic, const json_t *event, void *arg)
{
    (void)topic;
    (void)event;
    s_screen_t *self = arg;
    self->anchor_now = (int64_t)proto_int (proto_mirror_state (mirror), "now");
    self->anchor_mono = proto_mono_ms ();
    self->online = true;
    self->dirty = true;
}

//  The broker's time now, as well as we know it.
static int64_t
s_now (const s_screen_t *self)
{
    if (s_is (proto_mirror_info (self->mirror), "clock", "sim"))
        return self->anchor_now;
    return self->anchor_now + (proto_mono_ms () - self->anchor_mono);
}

static void
s_frame (s_screen_t *self)
{
    erase ();
    term_view_t v = {
        .curses = true, .color = self->color, .zh = self->zh, .rows = LINES, .cols = COLS};
    if (self->help)
        s_help (&v);
    else if (!proto_mirror_socket (self->mirror)) {
        char buf[700];
        term_view_cell (&v, v.zh ? " 大厅监控 Hall monitor" : " Hall monitor", v.cols, 'l',
                        TERM_LVL_TITLE);
        term_view_newline (&v);
        snprintf (buf, sizeof buf, "%s %s ...", v.zh ? "正在连接 connecting to" : "connecting to",
                  self->broker);
        term_view_cell (&v, buf, -1, 'l', TERM_LVL_HEAD);
        if (v.rows >= 3)
            s_footer (&v);
    } else {
        json_t *k = proto_kpi_hall (proto_mirror_state (self->mirror),
                                    proto_mirror_info (self->mirror), s_now (self));
        s_render (&v, k, self->online);
        json_decref (k);
    }
    refresh ();
    self->dirty = false;
}

//  Keys; false when the user quits.
static bool
s_key (s_screen_t *self, int ch)
{
    if (ch == 'q' || ch == 'Q')
        return false;
    if (ch == KEY_RESIZE || ch == 'r' || ch == 'R' || ch == 12 /* Ctrl-L */)
        clearok (curscr, TRUE); //  repaint everything: the old layout is gone
    else if (ch == '?' || ch == 'h' || ch == KEY_F (1))
        self->help = !self->help;
    else if (self->help)
        self->help = false;
    self->dirty = true;
    return true;
}

static int
s_screen_run (proto_mirror_t *mirror, const char *broker)
{
    if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO)) {
        fprintf (stderr, "onewindow monitor: needs a terminal; use --once or --json in scripts\n");
        return TERM_EXIT_USAGE;
    }
    s_screen_t self = {.mirror = mirror, .broker = broker};
    const char *codeset = nl_langinfo (CODESET);
    self.zh = codeset && strcmp (codeset, "UTF-8") == 0;
    proto_mirror_on_event (mirror, s_on_event, &self);
    //  Our handlers before curses starts, so it leaves them alone: a signal ends the loop
    //  and the terminal is restored on the way out.
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGHUP, &sa, NULL);
    SCREEN *scr = newterm (NULL, stdout, stdin);
    if (!scr) {
        fprintf (stderr, "onewindow monitor: cannot drive terminal type '%s'\n",
                 getenv ("TERM") ? getenv ("TERM") : "");
        return TERM_EXIT_USAGE;
    }
    set_term (scr);
    //  Log lines would scribble over the screen: while it is up they go nowhere, unless
    //  stderr was redirected away from the terminal (then they go there as usual).
    int saved_err = -1;
    if (isatty (STDERR_FILENO)) {
        int null = open ("/dev/null", O_WRONLY);
        fflush (stderr);
        saved_err = dup (STDERR_FILENO);
        if (null >= 0) {
            dup2 (null, STDERR_FILENO);
            close (null);
        }
    }
    cbreak ();
    noecho ();
    nonl ();
    keypad (stdscr, TRUE);
    nodelay (stdscr, TRUE);
    curs_set (0);
    if (has_colors () && start_color () == OK) {
        int bg = use_default_colors () == OK ? -1 : COLOR_BLACK;
        init_pair (1, COLOR_RED, (short)bg);
        init_pair (2, COLOR_YELLOW, (short)bg);
        init_pair (3, COLOR_CYAN, (short)bg);
        self.color = true;
    }
    if (proto_mirror_start (mirror) != 0)
        self.online = false;
    s_frame (&self);
    int64_t last_frame = proto_mono_ms (), next_try = 0;
    bool running = true;
    while (running && !s_interrupted) {
        void *sock = proto_mirror_socket (mirror);
        zmq_pollitem_t items[2];
        int n = 0;
        if (sock)
            items[n++] = (zmq_pollitem_t){sock, 0, ZMQ_POLLIN, 0};
        items[n++] = (zmq_pollitem_t){NULL, STDIN_FILENO, ZMQ_POLLIN, 0};
        int64_t wait = TICK_MS - (proto_mono_ms () - last_frame);
        zmq_poll (items, n,
                  wait < 0         ? 0
                  : wait > TICK_MS ? TICK_MS
                                   : (long)wait); //  EINTR:
                                                  //  go on
        //  Keys first: a call to a lost broker can block for its timeout.
        int ch;
        while (running && (ch = getch ()) != ERR)
            running = s_key (&self, ch);
        if (!running || s_interrupted)
            break;
        //  The mirror applies what came (and resyncs, or retries a lost broker; not
        //  started yet, it tries to connect once a second).
        if (sock || proto_mono_ms () >= next_try) {
            if (proto_mirror_poll (mirror, 0) < 0) {
                if (self.online)
                    self.dirty = true;
                self.online = false;
            }
            next_try = proto_mono_ms () + TICK_MS;
        }
        if (running && (self.dirty || proto_mono_ms () - last_frame >= TICK_MS)) {
            s_frame (&self);
            last_frame = proto_mono_ms ();
        }
    }
    endwin ();
    delscreen (scr);
    if (saved_err >= 0) {
        fflush (stderr);
        dup2 (saved_err, STDERR_FILENO);
        close (saved_err);
    }
    proto_mirror_on_event (mirror, NULL, NULL);
    return TERM_EXIT_OK;
}

//  ---------------------------------------------------------------------------------------

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: onewindow monitor [--broker EP] [--pub EP] [--once] [--json]\n"
                  "\n"
                  "The hall manager's live screen (大厅监控), fed by the broker's events:\n"
                  "per service the people waiting, the longest wait, the estimated wait, served\n"
                  "today, average wait and handling time, over-wait count and rate, rating rate\n"
                  "and good-rating rate; per counter its state, ticket, clerk, served today,\n"
                  "utilisation and idle time; the cabinets' occupancy and alarms; the open\n"
                  "cases' yellow, red and overdue counts. Warnings are coloured and marked\n"
                  "'!' (attention) or '!!' (warning). Keys: q quit, ? help, r redraw.\n"
                  "\n"
                  "  --broker EP  broker request endpoint (default $ONEWINDOW_BROKER or\n"
                  "               tcp://127.0.0.1:7100)\n"
                  "  --pub EP     event endpoint (default: the one the broker advertises)\n"
                  "  --once       print one frame as plain text and exit\n"
                  "  --columns N  with --once: lay the frame out for an N-column screen, as\n"
                  "               the live screen would (default: every column, unbounded)\n"
                  "  --json       print the figures as one JSON object and exit\n"
                  "  --help       this help\n"
                  "\n"
                  "Exit status: 0 done, 2 usage (or no terminal), 3 broker unreachable.\n");
}

int
term_monitor_main (term_opts_t *o, int argc, char **argv)
{
    const char *pub = NULL;
    bool once = false;
    int columns = 1000;
    static const struct option longopts[] = {
        {"broker", required_argument, NULL, 'b'},
        {"pub", required_argument, NULL, 'p'},
        {"once", no_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"columns", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int ch;
    while ((ch = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b': o->broker = optarg; break;
        case 'p': pub = optarg; break;
        case 'o': once = true; break;
        case 'c':
            columns = atoi (optarg);
            if (columns < MIN_COLS)
                return term_usage_error ("monitor", "--columns needs at least %d", MIN_COLS);
            break;
        case 'j': o->json = true; break;
        case 'h': s_usage (stdout); return TERM_EXIT_OK;
        default: s_usage (stderr); return TERM_EXIT_USAGE;
        }
    }
    if (optind != argc)
        return term_usage_error ("monitor", "unexpected argument '%s'", argv[optind]);
    setlocale (LC_ALL, "");
    proto_mirror_t *mirror = proto_mirror_new (o->broker, pub);
    if (!mirror) {
        fprintf (stderr, "onewindow monitor: cannot set up a client for %s\n", o->broker);
        return TERM_EXIT_UNREACHABLE;
    }
    int rc;
    if (once || o->json) {
        if (proto_mirror_start (mirror) != 0) {
            fprintf (stderr, "onewindow monitor: broker %s unreachable\n", o->broker);
            rc = TERM_EXIT_UNREACHABLE;
        } else {
            //  The snapshot's own clock: the figures are exactly those of that moment.
            const json_t *state = proto_mirror_state (mirror);
            json_t *k = proto_kpi_hall (state, proto_mirror_info (mirror),
                                        (int64_t)proto_int (state, "now"));
            if (o->json)
                term_print_json (k);
            else {
                term_view_t v = {.zh = true, .rows = INT_MAX, .cols = columns, .out = stdout};
                s_render (&v, k, true);
            }
            json_decref (k);
            rc = TERM_EXIT_OK;
        }
    } else
        rc = s_screen_run (mirror, o->broker);
    proto_mirror_destroy (&mirror);
    return rc;
}
