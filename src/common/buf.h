/*
 * buf: a growable byte buffer, always NUL-terminated, for building response bodies and
 * reading whole files or pipes.
 */
#ifndef NVD_BUF_H
#define NVD_BUF_H

#include <stddef.h>

struct buf {
        char *data; /* NUL-terminated; NULL until something is added */
        size_t len;
        size_t capacity;
};

#define BUF_INIT                                                                                   \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents as an owned string ("" if empty) and resets the buffer. */
char *buf_steal(struct buf *b);
void buf_destroy(struct buf *b);
/* Reads fd to EOF, stopping with -1 (errno E2BIG) past `limit` bytes; -1 with errno on error. */
int buf_read_fd(struct buf *b, int fd, size_t limit);
/* The same for the file at `path` (opened read-only, close-on-exec); -1 with errno (ENOENT,
 * E2BIG, ...) on failure. */
int buf_read_path(struct buf *b, const char *path, size_t limit);

#endif
