/*  term_table.c — see term_table.h. */
#include "term_table.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>

#include "proto_text.h"
#include "term_view.h"

struct term_table {
    const term_table_col_t *cols;
    int n;
    json_t *rows; //  arrays of n strings
};

term_table_t *
term_table_new (const term_table_col_t *cols, int n)
{
    term_table_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cols = cols;
    self->n = n;
    self->rows = json_array ();
    return self;
}

void
term_table_destroy (term_table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    json_decref ((*self_p)->rows);
    free (*self_p);
    *self_p = NULL;
}

void
term_table_cell (term_table_t *self, const char *text)
{
    json_t *row = json_array_get (self->rows, json_array_size (self->rows) - 1);
    if (!row || (int)json_array_size (row) == self->n) {
        row = json_array ();
        json_array_append_new (self->rows, row);
    }
    json_t *cell = json_string (text && *text ? text : "-");
    json_array_append_new (row, cell ? cell : json_string ("?")); //  not UTF-8
}

void
term_table_cellf (term_table_t *self, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (buf, sizeof buf, fmt, ap);
    va_end (ap);
    term_table_cell (self, buf);
}

int
term_table_rows (const term_table_t *self)
{
    return (int)json_array_size (self->rows);
}

//  The width of column i: its widest cell or header.
static int
s_width (const term_table_t *self, int i)
{
    int w = proto_display_width (self->cols[i].zh);
    int en = proto_display_width (self->cols[i].en);
    w = en > w ? en : w;
    size_t r;
    json_t *row;
    json_array_foreach (self->rows, r, row) {
        int c = proto_display_width (json_string_value (json_array_get (row, (size_t)i)));
        w = c > w ? c : w;
    }
    return w;
}

//  One line: the cells of a row (or a header), two columns apart.
static void
s_line (term_view_t *v, const term_table_t *self, const int *width, int indent, const json_t *row,
        int lang)
{
    term_view_cell (v, "", indent, 'l', TERM_LVL_OK);
    for (int i = 0; i < self->n; i++) {
        const char *text = row    ? json_string_value (json_array_get (row, (size_t)i))
                           : lang ? self->cols[i].en
                                  : self->cols[i].zh;
        if (i > 0)
            term_view_cell (v, "", 2, 'l', TERM_LVL_OK);
        term_view_cell (v, text, width[i], self->cols[i].align, TERM_LVL_OK);
    }
    term_view_newline (v);
}

void
term_table_print (const term_table_t *self, FILE *out, int indent)
{
    int *width = calloc ((size_t)self->n, sizeof *width);
    if (!width)
        return;
    for (int i = 0; i < self->n; i++)
        width[i] = s_width (self, i);
    term_view_t v = {.zh = true, .rows = INT_MAX, .cols = INT_MAX / 2, .out = out};
    s_line (&v, self, width, indent, NULL, 0);
    s_line (&v, self, width, indent, NULL, 1);
    size_t r;
    json_t *row;
    json_array_foreach (self->rows, r, row)
        s_line (&v, self, width, indent, row, 0);
    free (width);
}
