/*
 * strv: a growable, NULL-terminated array of owned strings, as a (pointer, count) pair.
 * `items[count]` is always NULL, so `items` can be handed to execv() directly.
 */
#ifndef NVD_STRV_H
#define NVD_STRV_H

#include <stddef.h>

struct strv {
        char **items;
        size_t count;
        size_t capacity;
};

#define STRV_INIT                                                                                  \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

void strv_init(struct strv *v);
void strv_push(struct strv *v, const char *s); /* copies s */
void strv_push_owned(struct strv *v, char *s); /* takes s */
void strv_pushf(struct strv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_insert(struct strv *v, size_t index, const char *s); /* copies s */
/* Splits s on runs of the characters in `separators`, dropping empty pieces. */
void strv_split(struct strv *v, const char *s, const char *separators);
/* Joins with `separator` into a new string. */
char *strv_join(const struct strv *v, const char *separator);
void strv_destroy(struct strv *v);

#endif
