/*  term_font.h — a built-in 5×7 bitmap font for ticket numbers in block letters on a
    terminal: the banner of the text slip (term_slip.h) and the current call on the
    terminal board (term_board.c), drawn in █ cells. A terminal has no font we could
    scale, so the glyphs live in the code: digits, A–Z (lower case is drawn as upper case)
    and some punctuation (space - : . / < > ~ ? # ( ) + , '). Anything else, including
    every byte of a multi-byte UTF-8 character, is drawn as '?'. The zero is slashed, so it
    is not read as the letter O in a number like "O001". Images (the PNG slip) are drawn
    with real fonts through Pango instead. */
#ifndef TERM_FONT_H
#define TERM_FONT_H

#include <stdbool.h>

#define TERM_FONT_COLS    5                    //  glyph columns
#define TERM_FONT_ROWS    7                    //  glyph rows
#define TERM_FONT_ADVANCE (TERM_FONT_COLS + 1) //  columns per character, with the gap

//  True if pixel (x, y) of c's glyph is ink; x in 0..TERM_FONT_COLS-1, y in 0..TERM_FONT_ROWS-1.
//  Out-of-range coordinates are blank.
bool term_font_ink (char c, int x, int y);

#endif
