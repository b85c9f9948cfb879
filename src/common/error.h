/*
 * error: the project's error contract.
 *
 * A function that can fail takes a caller-owned `struct error *err` as its last parameter and
 * returns a negative number (or NULL) on failure, after filling `err` with one line of text
 * that says what failed and what to do. Only main() prints an error and exits. An error is
 * set at most once; later error_set() calls on a set error are ignored, so the innermost,
 * most precise message wins unless a caller explicitly adds context with error_prefix().
 */
#ifndef NVD_ERROR_H
#define NVD_ERROR_H

#include <stdbool.h>

struct error {
        int code;      /* 0: no error; otherwise an errno value or -1 */
        char *message; /* owned; NULL while no error is set */
};

#define ERROR_INIT                                                                                 \
        {                                                                                          \
                0, NULL                                                                            \
        }

/* Sets the error (if not set yet) to the formatted message; code -1. Always returns -1. */
int error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, with an errno-like code; the message gets ": <strerror(code)>" appended. */
int error_set_errno(struct error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Puts "<formatted>: " in front of an existing message (no-op if none). Returns -1. */
int error_prefix(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool error_is_set(const struct error *err);
/* Frees the message and resets to no error. */
void error_clear(struct error *err);

#endif
