#include "strv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void strv_init(struct strv *v)
{
        v->count = 0;
        v->capacity = 4;
        v->items = xcalloc(v->capacity + 1, sizeof(char *));
}

static void strv_reserve(struct strv *v, size_t extra)
{
        if (v->items == NULL)
                strv_init(v);
        if (v->count + extra <= v->capacity)
                return;
        while (v->count + extra > v->capacity)
                v->capacity *= 2;
        v->items = xrealloc(v->items, (v->capacity + 1) * sizeof(char *));
}

void strv_push_owned(struct strv *v, char *s)
{
        strv_reserve(v, 1);
        v->items[v->count++] = s;
        v->items[v->count] = NULL;
}

void strv_push(struct strv *v, const char *s)
{
        strv_push_owned(v, xstrdup(s));
}

void strv_pushf(struct strv *v, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        strv_push_owned(v, xvasprintf(fmt, ap));
        va_end(ap);
}

void strv_insert(struct strv *v, size_t index, const char *s)
{
        strv_reserve(v, 1);
        if (index > v->count)
                index = v->count;
        memmove(&v->items[index + 1], &v->items[index], (v->count - index + 1) * sizeof(char *));
        v->items[index] = xstrdup(s);
        v->count++;
}

void strv_split(struct strv *v, const char *s, const char *separators)
{
        if (v->items == NULL)
                strv_init(v);
        while (s != NULL && *s != '\0') {
                s += strspn(s, separators);
                size_t n = strcspn(s, separators);
                if (n > 0)
                        strv_push_owned(v, xstrndup(s, n));
                s += n;
        }
}

char *strv_join(const struct strv *v, const char *separator)
{
        size_t seplen = strlen(separator), total = 1;
        for (size_t i = 0; i < v->count; i++)
                total += strlen(v->items[i]) + seplen;
        char *out = xmalloc(total), *p = out;
        for (size_t i = 0; i < v->count; i++) {
                if (i > 0) {
                        memcpy(p, separator, seplen);
                        p += seplen;
                }
                size_t n = strlen(v->items[i]);
                memcpy(p, v->items[i], n);
                p += n;
        }
        *p = '\0';
        return out;
}

void strv_destroy(struct strv *v)
{
        if (v == NULL || v->items == NULL)
                return;
        for (size_t i = 0; i < v->count; i++)
                free(v->items[i]);
        free(v->items);
        v->items = NULL;
        v->count = v->capacity = 0;
}
