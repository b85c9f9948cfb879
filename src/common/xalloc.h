/*
 * xalloc: allocation that never returns NULL, and scope-bound cleanup.
 *
 * Running out of memory is fatal here and only here (a message on stderr, exit 70), so call
 * sites never check for NULL. The cleanup_* attributes free a local when it goes out of
 * scope; hand ownership out with `*out = p; p = NULL;`.
 */
#ifndef NVD_XALLOC_H
#define NVD_XALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

void cleanup_freep(void *p);
void cleanup_closep(int *fd);
void cleanup_fclosep(FILE **f);

#define cleanup_free   __attribute__((cleanup(cleanup_freep)))
#define cleanup_close  __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))

/* Takes the pointer out of a cleanup variable: `*out = steal_pointer(&p);` */
#define steal_pointer(pp)                                                                          \
        ({                                                                                         \
                __typeof__(*(pp)) stolen_ = *(pp);                                                 \
                *(pp) = NULL;                                                                      \
                stolen_;                                                                           \
        })

#endif
