/*
 * text_table: the "label: value" layout of 1.0's text replies (Go text/tabwriter with
 * minwidth 0, tabwidth 4, padding 0, pad ' ', fed "label:  \tvalue" lines).
 *
 * A line is either a row (label cell + value) or plain text. Within a run of consecutive rows
 * the values start at the same column: the widest label of the run plus two (the label cell
 * text includes its two trailing spaces). A plain-text line (headings, empty lines) ends the
 * run. Widths count UTF-8 characters, as tabwriter does.
 */
#ifndef NVD_TEXT_TABLE_H
#define NVD_TEXT_TABLE_H

#include "common/buf.h"

struct text_table_line {
        char *label; /* NULL for a plain-text line */
        char *text;  /* value of a row, or the plain text */
};

struct text_table {
        struct text_table_line *lines;
        size_t count, capacity;
};

#define TEXT_TABLE_INIT                                                                            \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

/* A row: label (with its indentation and colon, e.g. "  Model:") and value. */
void text_table_row(struct text_table *t, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A plain line (may be ""). */
void text_table_text(struct text_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends the laid-out lines, each ending with '\n', to out, and empties the table. */
void text_table_flush(struct text_table *t, struct buf *out);
void text_table_destroy(struct text_table *t);

#endif
