/*  district_buf.c — see district_buf.h. */
#include "district_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Room for `more` bytes and a NUL.
static bool
s_room (district_buf_t *self, size_t more)
{
    if (self->failed)
        return false;
    if (self->len + more + 1 <= self->cap)
        return true;
    size_t cap = self->cap ? self->cap : 4096;
    while (cap < self->len + more + 1)
        cap *= 2;
    char *data = realloc (self->data, cap);
    if (!data) {
        self->failed = true;
        return false;
    }
    self->data = data;
    self->cap = cap;
    return true;
}

static void
s_append (district_buf_t *self, const char *text, size_t n)
{
    if (!s_room (self, n))
        return;
    memcpy (self->data + self->len, text, n);
    self->len += n;
    self->data[self->len] = 0;
}

void
district_buf_printf (district_buf_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (NULL, 0, fmt, ap);
    va_end (ap);
    if (n < 0 || !s_room (self, (size_t)n))
        return;
    va_start (ap, fmt);
    vsnprintf (self->data + self->len, (size_t)n + 1, fmt, ap);
    va_end (ap);
    self->len += (size_t)n;
}

void
district_buf_html (district_buf_t *self, const char *text)
{
    for (const char *p = text; p && *p; p++) {
        const char *esc = *p == '&'    ? "&amp;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&#39;"
                                       : NULL;
        if (esc)
            s_append (self, esc, strlen (esc));
        else
            s_append (self, p, 1);
    }
}

void
district_buf_csv (district_buf_t *self, const char *text)
{
    text = text ? text : "";
    if (!strpbrk (text, ",\"\r\n")) {
        s_append (self, text, strlen (text));
        return;
    }
    s_append (self, "\"", 1);
    for (const char *p = text; *p; p++)
        s_append (self, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    s_append (self, "\"", 1);
}

char *
district_buf_take (district_buf_t *self)
{
    char *out = self->failed ? NULL : self->data ? self->data : strdup ("");
    if (self->failed)
        free (self->data);
    self->data = NULL;
    self->len = self->cap = 0;
    self->failed = false;
    return out;
}
