/*  term_table.h — the tables the CLI prints (snapshot, info, office queue, admin devices,
    admin audit, vault-status), all in one style, the monitor's (term_view.h draws both):
    the header in Chinese with the English below it, every column as wide as its widest
    cell in terminal columns (proto_display_width: a Chinese character takes two), so
    Chinese names line up; nothing is cut. Cells are given as they should read (states
    through term_zh, durations through term_minutes); control characters in them (a name
    from config or a device) are shown as '?'.

        term_table_t *t = term_table_new (cols, 3);
        term_table_cell (t, "A");  term_table_cell (t, "企业开办");  term_table_cell (t, "3");
        term_table_print (t, stdout);
        term_table_destroy (&t);
*/
#ifndef TERM_TABLE_H
#define TERM_TABLE_H

#include <stdio.h>

//  A column: its header in Chinese and in English, and 'l' (text) or 'r' (numbers).
typedef struct {
    const char *zh, *en;
    char align;
} term_table_col_t;

typedef struct term_table term_table_t;

//  A table of n columns (borrowed: they must outlive the table). NULL on out-of-memory.
term_table_t *term_table_new (const term_table_col_t *cols, int n);
//  Destroys the table and sets *self_p to NULL. Safe on NULL.
void term_table_destroy (term_table_t **self_p);
//  The next cell, left to right; a row is full after n cells and the next cell starts a
//  new one. NULL or "" shows as "-".
void term_table_cell (term_table_t *self, const char *text);
//  term_table_cell with printf formatting.
void term_table_cellf (term_table_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
//  Rows so far.
int term_table_rows (const term_table_t *self);
//  Prints the two header rows and the rows, each line indented by `indent` spaces.
void term_table_print (const term_table_t *self, FILE *out, int indent);

#endif
