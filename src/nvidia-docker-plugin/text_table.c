#include "nvidia-docker-plugin/text_table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

static struct text_table_line *text_table_add(struct text_table *t)
{
        if (t->count == t->capacity) {
                t->capacity = t->capacity ? 2 * t->capacity : 64;
                t->lines = xrealloc(t->lines, t->capacity * sizeof(*t->lines));
        }
        return &t->lines[t->count++];
}

void text_table_row(struct text_table *t, const char *label, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        struct text_table_line *line = text_table_add(t);
        line->label = xstrdup(label);
        line->text = xvasprintf(fmt, ap);
        va_end(ap);
}

void text_table_text(struct text_table *t, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        struct text_table_line *line = text_table_add(t);
        line->label = NULL;
        line->text = xvasprintf(fmt, ap);
        va_end(ap);
}

static size_t utf8_width(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                if (((unsigned char)*s & 0xc0) != 0x80)
                        n++;
        return n;
}

void text_table_flush(struct text_table *t, struct buf *out)
{
        size_t i = 0;
        while (i < t->count) {
                if (t->lines[i].label == NULL) {
                        buf_puts(out, t->lines[i].text);
                        buf_append(out, "\n", 1);
                        i++;
                        continue;
                }
                size_t end = i, width = 0;
                for (; end < t->count && t->lines[end].label != NULL; end++) {
                        size_t w = utf8_width(t->lines[end].label);
                        if (w > width)
                                width = w;
                }
                width += 2;
                for (; i < end; i++) {
                        size_t w = utf8_width(t->lines[i].label);
                        buf_puts(out, t->lines[i].label);
                        for (; w < width; w++)
                                buf_append(out, " ", 1);
                        buf_puts(out, t->lines[i].text);
                        buf_append(out, "\n", 1);
                }
        }
        text_table_destroy(t);
}

void text_table_destroy(struct text_table *t)
{
        for (size_t i = 0; i < t->count; i++) {
                free(t->lines[i].label);
                free(t->lines[i].text);
        }
        free(t->lines);
        t->lines = NULL;
        t->count = t->capacity = 0;
}
