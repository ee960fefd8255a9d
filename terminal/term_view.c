/*  term_view.c — see term_view.h. */
#include "term_view.h"

#include <ncurses.h>
#include <string.h>

#include "proto_text.h"

//  Copies `in` into out (size bytes) as exactly `width` columns (width < 0: as wide as it
//  is), cut or padded on the right (align 'l') or left ('r'). Control characters and
//  escape sequences (names come from config and devices) become '?', and so does anything
//  beyond ASCII when `ascii` is set (a terminal that cannot show Chinese). Returns the
//  columns written.
static int
s_fit (const char *in, int width, char align, bool ascii, char *out, size_t size)
{
    char text[1024];
    size_t len = 0;
    int cols = 0;
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t left = strlen ((const char *)s);
    while (left > 0) {
        uint32_t cp;
        int adv = proto_utf8_decode ((const char *)s, left, &cp), n = adv, w = proto_cp_width (cp);
        const char *bytes = (const char *)s;
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffd ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || (ascii && cp >= 0x80)) {
            bytes = "?";
            n = 1;
            w = 1;
        }
        if ((width >= 0 && cols + w > width) || len + (size_t)n >= sizeof text)
            break;
        memcpy (text + len, bytes, (size_t)n);
        len += (size_t)n;
        cols += w;
        s += adv;
        left -= (size_t)adv;
    }
    text[len] = 0;
    //  Pad with spaces, as far as out holds (size > 0 is the caller's promise).
    int pad = width > cols ? width - cols : 0;
    if (len >= size)
        len = 0;
    if (len + (size_t)pad >= size)
        pad = (int)(size - len - 1);
    char *p = out;
    if (align == 'r') {
        memset (p, ' ', (size_t)pad);
        p += pad;
    }
    memcpy (p, text, len);
    p += len;
    if (align != 'r') {
        memset (p, ' ', (size_t)pad);
        p += pad;
    }
    *p = 0;
    return cols + pad;
}

static attr_t
s_attr (const term_view_t *v, int level)
{
    switch (level) {
    case TERM_LVL_RED: return v->color ? COLOR_PAIR (1) | A_BOLD : A_REVERSE | A_BOLD;
    case TERM_LVL_YELLOW: return v->color ? COLOR_PAIR (2) | A_BOLD : A_BOLD;
    case TERM_LVL_HEAD: return v->color ? COLOR_PAIR (3) | A_BOLD : A_BOLD;
    case TERM_LVL_TITLE: return A_REVERSE;
    case TERM_LVL_DIM: return A_DIM;
    default: return A_NORMAL;
    }
}

void
term_view_cell (term_view_t *v, const char *text, int width, char align, int level)
{
    int room = v->cols - v->x;
    if (room <= 0 || v->y >= v->rows)
        return;
    char marked[600], buf[1024];
    snprintf (marked, sizeof marked, "%s%s", text,
              level == TERM_LVL_RED      ? "!!"
              : level == TERM_LVL_YELLOW ? "!"
                                         : "");
    int w = width < 0 ? s_fit (marked, -1, 'l', !v->zh, buf, sizeof buf) : width;
    if (w > room)
        w = room;
    s_fit (marked, w, align, !v->zh, buf, sizeof buf);
    if (v->curses) {
        attr_t a = s_attr (v, level);
        attron (a);
        mvaddstr (v->y, v->x, buf);
        attroff (a);
    } else {
        size_t n = strlen (buf);
        if (v->len + n < sizeof v->line) {
            memcpy (v->line + v->len, buf, n + 1);
            v->len += n;
        }
    }
    v->x += w;
}

void
term_view_word (term_view_t *v, const char *text, int level)
{
    term_view_cell (v, text, -1, 'l', level);
    term_view_cell (v, " ", 1, 'l', TERM_LVL_OK);
}

const char *
term_view_bi (const term_view_t *v, const char *zh, const char *en, char *buf, size_t size)
{
    if (v->zh)
        snprintf (buf, size, "%s %s", zh, en);
    else
        snprintf (buf, size, "%s", en);
    return buf;
}

void
term_view_newline (term_view_t *v)
{
    if (!v->curses && v->y < v->rows) {
        while (v->len > 0 && v->line[v->len - 1] == ' ')
            v->len--;
        v->line[v->len] = 0;
        fprintf (v->out, "%s\n", v->line);
    }
    v->len = 0;
    v->line[0] = 0;
    v->x = 0;
    v->y++;
}

int
term_view_layout (const term_col_t *col, int n, bool *shown, int cols, int name_min, int name_max)
{
    int fixed = 0;
    for (int i = 0; i < n; i++) {
        shown[i] = true;
        fixed += col[i].width;
    }
    while (name_min + fixed > cols) {
        int worst = -1;
        for (int i = 0; i < n; i++)
            if (shown[i] && col[i].drop > 0 && (worst < 0 || col[i].drop > col[worst].drop))
                worst = i;
        if (worst < 0)
            break;
        shown[worst] = false;
        fixed -= col[worst].width;
    }
    //  Still too narrow with only the essential columns: the first one gives way.
    int w = cols - fixed;
    if (w > name_max)
        w = name_max;
    return w < 6 ? 6 : w;
}

void
term_view_col_cell (term_view_t *v, const term_col_t *col, const char *text, int level)
{
    if (col->align == 'l') {
        term_view_cell (v, " ", 1, 'l', TERM_LVL_OK);
        term_view_cell (v, text, col->width - 1, 'l', level);
    } else
        term_view_cell (v, text, col->width, 'r', level);
}

int
term_view_header_rows (const term_view_t *v)
{
    return v->zh ? 2 : 1;
}

void
term_view_header (term_view_t *v, const char *zh, const char *en, int name_w, const term_col_t *col,
                  int n, const bool *shown)
{
    for (int lang = v->zh ? 0 : 1; lang < 2; lang++) {
        term_view_cell (v, lang ? en : zh, name_w, 'l', TERM_LVL_HEAD);
        for (int i = 0; i < n; i++)
            if (shown[i])
                term_view_col_cell (v, &col[i], lang ? col[i].en : col[i].zh, TERM_LVL_HEAD);
        term_view_newline (v);
    }
}

void
term_view_more (term_view_t *v, int hidden)
{
    char buf[96], zh[48], en[48];
    snprintf (zh, sizeof zh, "... 另有 %d 项", hidden);
    snprintf (en, sizeof en, "%d more (enlarge the window)", hidden);
    term_view_cell (v, term_view_bi (v, zh, en, buf, sizeof buf), -1, 'l', TERM_LVL_DIM);
    term_view_newline (v);
}
