/*
 * subprocess: runs a program with an argv (never a shell) and captures what it prints.
 *
 * The program is looked up on PATH when argv[0] has no slash, and gets the caller's full
 * environment and /dev/null as stdin. Its stdout is either captured (up to a limit: beyond
 * it the child is killed and the call fails) or sent to a given descriptor; its stderr is
 * always captured (the first `err_limit` bytes are kept, the rest is read and dropped), so
 * that a caller can quote the program's own error text.
 */
#ifndef NVD_SUBPROCESS_H
#define NVD_SUBPROCESS_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#define SUBPROCESS_CAPTURE       (-1)
#define SUBPROCESS_STDOUT_TO_ERR (-2)

struct subprocess_result {
        int status;     /* waitpid() status */
        struct buf out; /* captured stdout (empty when redirected) */
        struct buf err; /* captured stderr, truncated to err_limit */
};

/* stdout_fd SUBPROCESS_CAPTURE (-1): capture stdout (at most out_limit bytes);
 * SUBPROCESS_STDOUT_TO_ERR: stdout shares stderr's pipe, interleaved as written, in res->err
 * (a program whose diagnostics may go to either); otherwise stdout goes to that descriptor. Fails
 * (-1) only when the program cannot be started or read, or stdout is too large; a program that runs
 * and exits non-zero is a success with res->status telling (except a silent exit status 127, the
 * "could not exec" of posix_spawn and shells: ENOENT). */
int subprocess_run(const char *const *argv, int stdout_fd, size_t out_limit, size_t err_limit,
                   struct subprocess_result *res, struct error *err);
/* The same, with the program's stderr also copied, as it comes, to `err_tee_fd` (a program
 * whose progress goes to stderr, such as `podman pull`). */
int subprocess_run_tee(const char *const *argv, int stdout_fd, size_t out_limit, int err_tee_fd,
                       size_t err_limit, struct subprocess_result *res, struct error *err);
/* true when the program exited with status 0 */
int subprocess_succeeded(const struct subprocess_result *res);
/* The captured stderr as one line: white space runs (newlines included) become one space,
 * a leading "Error: " dropped. Owned string, "" if empty. */
char *subprocess_error_text(const struct subprocess_result *res);
void subprocess_result_destroy(struct subprocess_result *res);

#endif
