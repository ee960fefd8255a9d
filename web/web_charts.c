/*  web_charts.c — see web_charts.h. */
#include "web_charts.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "web_assets.h"
#include "web_html.h"

#define CHART_W WEB_CHART_W
#define CHART_H WEB_CHART_H

typedef struct {
    int64_t t0, t1; //  time axis
    double ymax;    //  value axis
    int l, r, t, b; //  margins
    int64_t now;    //  series end here: nothing is drawn past now
} s_plot_t;

static double
s_px (const s_plot_t *p, int64_t t)
{
    return p->l + (double)(t - p->t0) * (CHART_W - p->l - p->r) / (double)(p->t1 - p->t0);
}

static double
s_py (const s_plot_t *p, double v)
{
    return CHART_H - p->b - v * (CHART_H - p->t - p->b) / p->ymax;
}

//  1, 2 or 5 times a power of ten, at least v (and at least 1).
static double
s_nice (double v)
{
    if (v <= 1)
        return 1;
    double mag = pow (10, floor (log10 (v)));
    double f = v / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

//  The hours along the time axis.
static void
s_hours (FILE *f, const s_plot_t *p, int off)
{
    int64_t span = p->t1 - p->t0, hour = 3600000;
    int64_t step = span <= 6 * hour ? hour : span <= 12 * hour ? 2 * hour : 3 * hour;
    int64_t shift = (int64_t)off * 60000;
    int64_t t = ((p->t0 + shift + step - 1) / step) * step - shift;
    for (; t <= p->t1; t += step) {
        char hm[16];
        web_html_hhmm (t, off, hm, sizeof hm);
        double x = s_px (p, t);
        //  The labels at the ends lean inwards, so none is cut at the edge.
        const char *anchor = x < p->l + 20 ? "start" : x > CHART_W - p->r - 20 ? "end" : "middle";
        fprintf (f,
                 "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                 "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
                 x, CHART_H - p->b, x, CHART_H - p->b + 4, x, CHART_H - p->b + 18, anchor, hm);
    }
}

//  Opens a chart: the svg element, its title, the value grid and, when `times`, the hours.
static void
s_begin (FILE *f, const char *id, const char *title, const s_plot_t *p, bool times, int off)
{
    fprintf (f,
             "<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
             id, CHART_W, CHART_H);
    web_escape (f, title);
    fputs ("\"><title>", f);
    web_escape (f, title);
    fputs ("</title>\n", f);
    for (int i = 0; i <= 2; i++) {
        double v = p->ymax * i / 2;
        double y = s_py (p, v);
        fprintf (f,
                 "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                 p->l, y, CHART_W - p->r, y, p->l - 4, y + 4, v);
    }
    fprintf (f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", p->l,
             CHART_H - p->b, CHART_W - p->r, CHART_H - p->b);
    if (times)
        s_hours (f, p, off);
}

static void
s_empty (FILE *f)
{
    fprintf (f,
             "<text class=\"empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">暂无数据 No data "
             "yet</text>\n",
             CHART_W / 2, CHART_H / 2);
}

//  A dashed line at `now`, where the day's series end.
static void
s_now (FILE *f, const s_plot_t *p)
{
    if (p->now < p->t0 || p->now > p->t1)
        return;
    double x = s_px (p, p->now);
    fprintf (f,
             "<line class=\"now\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
             "<text class=\"now\" x=\"%.1f\" y=\"%d\" text-anchor=\"end\">现在</text>\n",
             x, p->t, x, CHART_H - p->b, x - 3, p->t + 10);
}

//  The points of a step line through columns 0..last: a corner wherever the value changes.
static void
s_steps (FILE *f, const s_plot_t *p, const int64_t *col, int last)
{
    fprintf (f, "%d,%.1f ", p->l, s_py (p, (double)col[0]));
    for (int c = 1; c <= last; c++)
        if (col[c] != col[c - 1])
            fprintf (f, "%d,%.1f %d,%.1f ", p->l + c, s_py (p, (double)col[c - 1]), p->l + c,
                     s_py (p, (double)col[c]));
    fprintf (f, "%d,%.1f ", p->l + last + 1, s_py (p, (double)col[last]));
}

//  The highest value of the series in each pixel column (-1: none) into col; the last
//  column with a value.
static int
s_columns (const s_plot_t *p, const web_point_t *s, size_t n, int64_t *col, int cols)
{
    for (int c = 0; c < cols; c++)
        col[c] = -1;
    for (size_t i = 0; i < n; i++) {
        int64_t end = i + 1 < n ? s[i + 1].t : p->now < p->t1 ? p->now : p->t1;
        int c0 = (int)floor (s_px (p, s[i].t)) - p->l;
        int c1 = (int)floor (s_px (p, end)) - p->l;
        c0 = c0 < 0 ? 0 : c0 >= cols ? cols - 1 : c0;
        c1 = c1 < c0 ? c0 : c1 >= cols ? cols - 1 : c1;
        for (int c = c0; c <= c1; c++)
            if (s[i].v > col[c])
                col[c] = s[i].v;
    }
    int last = cols - 1;
    while (last > 0 && col[last] < 0)
        last--;
    for (int c = 0; c <= last; c++)
        if (col[c] < 0)
            col[c] = c ? col[c - 1] : 0;
    return last;
}

//  Tickets waiting over the day, a step line (the highest value in each pixel column).
static void
s_chart_queue (FILE *f, const web_history_t *h, int64_t t0, int64_t t1, int64_t now, int off)
{
    size_t n;
    const web_point_t *s = web_history_queue (h, &n);
    int64_t vmax = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].v > vmax)
            vmax = s[i].v;
    s_plot_t p = {t0, t1, s_nice ((double)(vmax > 2 ? vmax : 2)), 40, 14, 12, 26, now};
    s_begin (f, "chart-queue", "排队人数 Tickets waiting", &p, true, off);
    s_now (f, &p);
    int cols = CHART_W - p.l - p.r;
    int64_t *col = n ? malloc ((size_t)cols * sizeof *col) : NULL;
    if (!col) {
        s_empty (f);
        fputs ("</svg>\n", f);
        return;
    }
    int last = s_columns (&p, s, n, col, cols);
    fprintf (f, "<polygon class=\"area\" points=\"%d,%.1f ", p.l, s_py (&p, 0));
    s_steps (f, &p, col, last);
    fprintf (f, "%d,%.1f\"/>\n<polyline class=\"line\" points=\"", p.l + last + 1, s_py (&p, 0));
    s_steps (f, &p, col, last);
    fputs ("\"/>\n</svg>\n", f);
    free (col);
}

//  A busy day's waits: one dot per pixel column, at the column's average.
static void
s_dots_averaged (FILE *f, const s_plot_t *p, const web_point_t *s, size_t n)
{
    int cols = CHART_W - p->l - p->r;
    double *sum = calloc ((size_t)cols, sizeof *sum);
    int *count = calloc ((size_t)cols, sizeof *count);
    for (size_t i = 0; sum && count && i < n; i++) {
        int c = (int)floor (s_px (p, s[i].t)) - p->l;
        c = c < 0 ? 0 : c >= cols ? cols - 1 : c;
        sum[c] += s[i].v / 60.0;
        count[c]++;
    }
    for (int c = 0; sum && count && c < cols; c++)
        if (count[c])
            fprintf (f, "<circle class=\"dot\" cx=\"%d.5\" cy=\"%.1f\" r=\"2\"/>\n", p->l + c,
                     s_py (p, sum[c] / count[c]));
    free (sum);
    free (count);
}

//  The wait of each call as a dot (averaged per pixel column on a busy day), and the
//  over-wait limit as a dashed line.
static void
s_chart_waits (FILE *f, const web_history_t *h, int64_t t0, int64_t t1, int64_t now, int off,
               int over_min)
{
    size_t n;
    const web_point_t *s = web_history_waits (h, &n);
    double vmax = over_min;
    for (size_t i = 0; i < n; i++)
        if (s[i].v / 60.0 > vmax)
            vmax = s[i].v / 60.0;
    s_plot_t p = {t0, t1, s_nice (vmax), 40, 14, 12, 26, now};
    s_begin (f, "chart-wait", "等候时长（分钟） Wait at call (min)", &p, true, off);
    s_now (f, &p);
    if (!n)
        s_empty (f);
    else if (n <= 1000)
        for (size_t i = 0; i < n; i++)
            fprintf (f, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
                     s_px (&p, s[i].t), s_py (&p, s[i].v / 60.0));
    else
        s_dots_averaged (f, &p, s, n);
    if (over_min > 0) {
        double y = s_py (&p, over_min);
        fprintf (f,
                 "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">超时标准 %d 分钟</text>\n",
                 p.l, y, CHART_W - p.r, y, CHART_W - p.r, y - 4, over_min);
    }
    fputs ("</svg>\n", f);
}

//  Calls per 5-minute band of wait; bands past the over-wait limit in red.
static void
s_chart_histogram (FILE *f, const web_history_t *h, int over_min)
{
    int64_t bins[WEB_HISTORY_BINS], vmax = 0;
    web_history_bins (h, bins);
    for (int i = 0; i < WEB_HISTORY_BINS; i++)
        if (bins[i] > vmax)
            vmax = bins[i];
    s_plot_t p = {0, 1, s_nice ((double)(vmax > 2 ? vmax : 2)), 40, 14, 12, 26, 0};
    s_begin (f, "chart-histogram", "等候时长分布 Wait distribution", &p, false, 0);
    size_t n;
    web_history_waits (h, &n);
    if (!n)
        s_empty (f);
    double bw = (double)(CHART_W - p.l - p.r) / WEB_HISTORY_BINS;
    for (int i = 0; i < WEB_HISTORY_BINS; i++) {
        double x = p.l + i * bw;
        double y = s_py (&p, (double)bins[i]);
        if (bins[i])
            fprintf (f,
                     "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>\n",
                     over_min > 0 && i * 5 >= over_min ? " over" : "", x + 2, y, bw - 4,
                     s_py (&p, 0) - y, x + bw / 2, y - 3, (long long)bins[i]);
        if (i < WEB_HISTORY_BINS - 1)
            fprintf (f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x,
                     CHART_H - p.b + 18, i * 5);
        else
            fprintf (f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">60+ 分</text>\n",
                     x + bw / 2, CHART_H - p.b + 18);
    }
    fputs ("</svg>\n", f);
}

void
web_charts_span (const web_history_t *h, int64_t now, int utc_offset_min, int64_t *t0, int64_t *t1)
{
    int64_t hour = 3600000, shift = (int64_t)utc_offset_min * 60000;
    size_t n;
    const web_point_t *queue = web_history_queue (h, &n);
    int64_t start = n ? queue[0].t : web_history_start (h) ? web_history_start (h) : now;
    *t0 = ((start + shift) / hour) * hour - shift;
    int64_t end = ((now + shift + hour - 1) / hour) * hour - shift;
    *t1 = end > *t0 + hour ? end : *t0 + hour;
}

//  Tickets issued and first calls in each hour, from the axis' first hour to now's: two
//  bars an hour.
static void
s_chart_hourly (FILE *f, const web_history_t *h, int64_t t0, int64_t now, int off)
{
    int64_t issued[24], called[24], vmax = 0;
    web_history_hourly (h, off, issued, called);
    int64_t hour = 3600000, shift = (int64_t)off * 60000;
    int first = (int)(((t0 + shift) % 86400000 + 86400000) % 86400000 / hour);
    int last = (int)(((now + shift) % 86400000 + 86400000) % 86400000 / hour);
    if (now - t0 >= 86400000 || last < first)
        first = 0, last = 23;
    for (int i = first; i <= last; i++)
        vmax = issued[i] > vmax ? issued[i] : called[i] > vmax ? called[i] : vmax;
    s_plot_t p = {0, 1, s_nice ((double)(vmax > 2 ? vmax : 2)), 40, 14, 12, 26, 0};
    s_begin (f, "chart-hourly", "每小时取号与叫号 Tickets per hour", &p, false, 0);
    int hours = last - first + 1;
    double bw = (double)(CHART_W - p.l - p.r) / (hours < 4 ? 4 : hours);
    for (int i = first; i <= last; i++) {
        double x = p.l + (i - first) * bw;
        const int64_t v[2] = {issued[i], called[i]};
        for (int k = 0; k < 2; k++) {
            double y = s_py (&p, (double)v[k]);
            double w = (bw - 6) / 2;
            if (v[k])
                fprintf (f,
                         "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"middle\">%lld</text>\n",
                         k ? "bar called" : "bar", x + 3 + k * w, y, w, s_py (&p, 0) - y,
                         x + 3 + k * w + w / 2, y - 3, (long long)v[k]);
        }
        fprintf (f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d时</text>\n", x + bw / 2,
                 CHART_H - p.b + 18, i);
    }
    fprintf (f,
             "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>"
             "<text x=\"%d\" y=\"%d\">取号</text><rect class=\"bar called\" x=\"%d\" "
             "y=\"%d\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"%d\">叫号</text>\n",
             CHART_W - p.r - 110, 2, CHART_W - p.r - 96, 11, CHART_W - p.r - 54, 2,
             CHART_W - p.r - 40, 11);
    fputs ("</svg>\n", f);
}

void
web_charts (FILE *f, const web_history_t *h, int64_t now, int utc_offset_min, int over_min)
{
    int64_t t0, t1;
    web_charts_span (h, now, utc_offset_min, &t0, &t1);
    fputs ("<figure><figcaption>排队人数 <span class=\"en\">Tickets waiting over the "
           "day</span></figcaption>\n",
           f);
    s_chart_queue (f, h, t0, t1, now, utc_offset_min);
    fputs ("</figure>\n<figure><figcaption>每小时取号 <span class=\"en\">Tickets issued and "
           "called per hour</span></figcaption>\n",
           f);
    s_chart_hourly (f, h, t0, now, utc_offset_min);
    fputs ("</figure>\n<figure><figcaption>等候时长 <span class=\"en\">Wait at each call, "
           "minutes</span></figcaption>\n",
           f);
    s_chart_waits (f, h, t0, t1, now, utc_offset_min, over_min);
    fputs ("</figure>\n<figure><figcaption>等候时长分布 <span class=\"en\">Calls by wait, "
           "5-minute bands</span></figcaption>\n",
           f);
    s_chart_histogram (f, h, over_min);
    fputs ("</figure>\n", f);
}
