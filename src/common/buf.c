#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static void buf_reserve(struct buf *b, size_t extra)
{
        if (b->len + extra + 1 <= b->capacity)
                return;
        size_t cap = b->capacity ? b->capacity : 64;
        while (b->len + extra + 1 > cap)
                cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->capacity = cap;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
        buf_reserve(b, len);
        if (len > 0)
                memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
        buf_append(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        cleanup_free char *s = xvasprintf(fmt, ap);
        va_end(ap);
        buf_puts(b, s);
}

char *buf_steal(struct buf *b)
{
        char *s = b->data ? b->data : xstrdup("");
        b->data = NULL;
        b->len = b->capacity = 0;
        return s;
}

void buf_destroy(struct buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = b->capacity = 0;
}

int buf_read_fd(struct buf *b, int fd, size_t limit)
{
        char chunk[8192];
        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -1;
                if (n == 0)
                        break;
                if (b->len + (size_t)n > limit) {
                        errno = E2BIG;
                        return -1;
                }
                buf_append(b, chunk, (size_t)n);
        }
        buf_reserve(b, 0);
        b->data[b->len] = '\0';
        return 0;
}

int buf_read_path(struct buf *b, const char *path, size_t limit)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        int rc = buf_read_fd(b, fd, limit);
        int saved = errno;
        close(fd);
        errno = saved;
        return rc;
}
