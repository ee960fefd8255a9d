/*  term_view.h — a surface the monitor draws on cell by cell, row by row: the curses
    screen (stdscr) or plain text lines (--once). The same drawing code makes both, so the
    text dump reads like the screen.

    Cells are cut at the right edge and nothing is drawn below the last row; text is
    sanitised (control characters and escape sequences, which names from config and devices
    could carry, become '?') and measured in terminal columns (proto_display_width: a
    Chinese character takes two). Tables are columns of fixed width beside a first column
    that takes what is left; on a narrow screen the least important columns go first. */
#ifndef TERM_VIEW_H
#define TERM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

//  Levels of attention: colour on a colour screen, and always a mark ("!" yellow, "!!"
//  red) so a monochrome terminal or a text dump reads the same.
enum {
    TERM_LVL_OK = 0,
    TERM_LVL_YELLOW = 1,
    TERM_LVL_RED = 2,
    TERM_LVL_HEAD = 3,
    TERM_LVL_TITLE = 4,
    TERM_LVL_DIM = 5
};

typedef struct {
    bool curses;     //  draw on stdscr; else write text lines to `out`
    bool color;      //  curses colour pairs 1 red, 2 yellow, 3 cyan are set up
    bool zh;         //  Chinese can be shown (else English and ASCII only)
    int rows, cols;  //  the surface
    int y, x;        //  where the next cell goes
    FILE *out;       //  text output
    char line[4096]; //  text: the row being built
    size_t len;      //  its length
} term_view_t;

//  A column of a table.
typedef struct {
    const char *zh, *en; //  header
    int width;           //  columns, including the gap before it
    char align;          //  'r' numbers, 'l' text
    int drop;            //  0: always shown; on a narrow screen the highest goes first
} term_col_t;

//  Draws `text` in the next `width` columns (width < 0: its own width), aligned 'l' or 'r',
//  marked and coloured by `level`.
void term_view_cell (term_view_t *v, const char *text, int width, char align, int level);
//  A cell of `text` then a gap of one column: for running text.
void term_view_word (term_view_t *v, const char *text, int level);
//  Ends the row (a text view writes it, trailing spaces trimmed) and starts the next.
void term_view_newline (term_view_t *v);
//  Two language forms into buf: "中文 English" where Chinese shows, else the English.
const char *term_view_bi (const term_view_t *v, const char *zh, const char *en, char *buf,
                          size_t size);

//  Chooses the columns of `col` (n of them) that fit in `cols` beside a first column of at
//  least name_min, setting shown[i]; returns the first column's width: what is left, at
//  most name_max, and at least 6 even when the essential columns alone overflow.
int term_view_layout (const term_col_t *col, int n, bool *shown, int cols, int name_min,
                      int name_max);
//  A cell of a table column: left-aligned text keeps a one-column gap before it.
void term_view_col_cell (term_view_t *v, const term_col_t *col, const char *text, int level);
//  Rows a table header takes: two (Chinese, English) where Chinese shows, else one.
int term_view_header_rows (const term_view_t *v);
//  The header rows of a table: first column zh/en, name_w wide, then the shown columns.
void term_view_header (term_view_t *v, const char *zh, const char *en, int name_w,
                       const term_col_t *col, int n, const bool *shown);
//  A row "… N more" for a table cut short on a small screen.
void term_view_more (term_view_t *v, int hidden);

#endif
