/*  district_buf.h — a growing text buffer for the district's pages, JSON-free CSV and
    HTML: printf appends, and the two escapes the views need. An allocation that fails
    makes the buffer fail as a whole (district_buf_take gives NULL): a page is served
    whole or not at all. */
#ifndef DISTRICT_BUF_H
#define DISTRICT_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data;  //  NUL-terminated once anything was written
    size_t len;  //  bytes written
    size_t cap;  //  bytes allocated
    bool failed; //  an allocation failed
} district_buf_t;

//  Appends printf-style.
void district_buf_printf (district_buf_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
//  Appends `text` with &, <, >, " and ' escaped for HTML (NULL appends nothing).
void district_buf_html (district_buf_t *self, const char *text);
//  Appends `text` as one CSV field (RFC 4180: quoted when it holds a comma, a quote or a
//  line end).
void district_buf_csv (district_buf_t *self, const char *text);
//  The text (caller frees; "" when nothing was written), or NULL when an allocation
//  failed. The buffer is empty afterwards.
char *district_buf_take (district_buf_t *self);

#endif
