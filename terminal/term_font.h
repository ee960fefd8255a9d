/*  term_font.h — a built-in 5×7 bitmap font for ticket numbers and short ASCII lines.

    Kiosks draw slips without any font files installed, so the glyphs live in the code:
    digits, A–Z (lower case is drawn as upper case) and the punctuation a slip needs
    (space - : . / < > ~ ? # ( ) + , '). Anything else, including every byte of a
    multi-byte UTF-8 character, is drawn as '?'. There are no Chinese glyphs. */
#ifndef TERM_FONT_H
#define TERM_FONT_H

#include <stdbool.h>

#define TERM_FONT_COLS    5                    //  glyph columns
#define TERM_FONT_ROWS    7                    //  glyph rows
#define TERM_FONT_ADVANCE (TERM_FONT_COLS + 1) //  columns per character, with the gap

//  True if `c` has its own glyph (after mapping lower case to upper case).
bool term_font_has (char c);
//  True if pixel (x, y) of c's glyph is ink; x in 0..TERM_FONT_COLS-1, y in 0..TERM_FONT_ROWS-1.
//  Out-of-range coordinates are blank.
bool term_font_ink (char c, int x, int y);
//  Draws `len` characters of `text` in black into a gray image (img_w×img_h, 255 = white)
//  with its top-left corner at (x, y), each font pixel scale×scale. Pixels that fall
//  outside the image are clipped. Returns the width drawn, len·ADVANCE·scale − scale, or 0
//  when there is nothing to draw.
int term_font_draw (unsigned char *img, int img_w, int img_h, int x, int y, int scale,
                    const char *text, int len);

#endif
