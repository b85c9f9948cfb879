#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xalloc.h"

extern char **environ;

void subprocess_result_destroy(struct subprocess_result *res)
{
        if (res == NULL)
                return;
        buf_destroy(&res->out);
        buf_destroy(&res->err);
}

int subprocess_succeeded(const struct subprocess_result *res)
{
        return WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0;
}

/* Writes what it can of chunk to fd (a copy for the user: failures are ignored). */
static void tee_chunk(int fd, const char *chunk, size_t len)
{
        while (fd >= 0 && len > 0) {
                ssize_t w = write(fd, chunk, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return;
                chunk += w;
                len -= (size_t)w;
        }
}

/* Reads what is available on fd into b (and a copy to tee, if >= 0). Returns 1 on EOF, 0 when
 * more may come, -1 on error. Bytes past `limit` are dropped and *overflow set. */
static int drain(int fd, struct buf *b, size_t limit, int tee, int *overflow)
{
        char chunk[16384];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0)
                return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
        if (n == 0)
                return 1;
        tee_chunk(tee, chunk, (size_t)n);
        size_t keep = (size_t)n;
        if (b->len + keep > limit) {
                keep = limit > b->len ? limit - b->len : 0;
                *overflow = 1;
        }
        if (keep > 0)
                buf_append(b, chunk, keep);
        return 0;
}

/* The child's stdout and stderr are put in place with dup2 onto 1 and 2 after /dev/null is opened
 * on 0; a source descriptor that is itself 0, 1 or 2 (a caller started with stdin closed gets a
 * pipe or file there) would be overwritten first. Returns a descriptor above 2 for the same file:
 * `fd` itself, or a close-on-exec duplicate stored in *dup_out for the caller to close. */
static int above_stdio(int fd, int *dup_out)
{
        if (fd > 2)
                return fd;
        *dup_out = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        return *dup_out;
}

/* Reads the child's stderr and stdout (out_fd < 0: not captured) until both end, stdout
 * overflows (*out_overflow) or a read fails. Returns 0, or the errno of the failure. */
static int collect(int err_fd, int out_fd, size_t out_limit, int err_tee_fd, size_t err_limit,
                   struct subprocess_result *res, int *out_overflow)
{
        int err_overflow = 0, read_failed = 0;
        struct pollfd fds[2] = {{.fd = err_fd, .events = POLLIN}, {.fd = out_fd, .events = POLLIN}};
        while (fds[0].fd >= 0 || fds[1].fd >= 0) {
                if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno;
                }
                for (int i = 0; i < 2; i++) {
                        if (fds[i].fd < 0 || fds[i].revents == 0)
                                continue;
                        int r = i == 0 ? drain(fds[i].fd, &res->err, err_limit, err_tee_fd,
                                               &err_overflow)
                                       : drain(fds[i].fd, &res->out, out_limit, -1, out_overflow);
                        if (r < 0)
                                read_failed = errno;
                        if (r != 0)
                                fds[i].fd = -1;
                }
                if (*out_overflow || read_failed)
                        break;
        }
        return read_failed;
}

int subprocess_run(const char *const *argv, int stdout_fd, size_t out_limit, size_t err_limit,
                   struct subprocess_result *res, struct error *err)
{
        return subprocess_run_tee(argv, stdout_fd, out_limit, -1, err_limit, res, err);
}

int subprocess_run_tee(const char *const *argv, int stdout_fd, size_t out_limit, int err_tee_fd,
                       size_t err_limit, struct subprocess_result *res, struct error *err)
{
        memset(res, 0, sizeof(*res));
        int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, moved[2] = {-1, -1};
        posix_spawn_file_actions_t actions;
        int rc = -1;

        bool capture = stdout_fd == SUBPROCESS_CAPTURE;
        if (pipe2(err_pipe, O_CLOEXEC) < 0 || (capture && pipe2(out_pipe, O_CLOEXEC) < 0)) {
                error_set_errno(err, errno, "cannot run `%s`: pipe", argv[0]);
                goto out_pipes;
        }
        int child_err = above_stdio(err_pipe[1], &moved[1]);
        int child_out = stdout_fd == SUBPROCESS_STDOUT_TO_ERR
                            ? child_err
                            : above_stdio(capture ? out_pipe[1] : stdout_fd, &moved[0]);
        if (child_out < 0 || child_err < 0) {
                error_set_errno(err, errno, "cannot run `%s`: dup", argv[0]);
                goto out_pipes;
        }
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, child_out, 1);
        posix_spawn_file_actions_adddup2(&actions, child_err, 2);

        pid_t pid;
        int spawn_errno = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        for (int i = 0; i < 2; i++) {
                if (moved[i] >= 0)
                        close(moved[i]);
                moved[i] = -1;
        }
        if (spawn_errno != 0) {
                error_set_errno(err, spawn_errno, "cannot run `%s`", argv[0]);
                goto out_pipes;
        }
        close(err_pipe[1]);
        err_pipe[1] = -1;
        if (out_pipe[1] >= 0) {
                close(out_pipe[1]);
                out_pipe[1] = -1;
        }

        int out_overflow = 0;
        int read_failed =
            collect(err_pipe[0], out_pipe[0], out_limit, err_tee_fd, err_limit, res, &out_overflow);
        if (out_overflow || read_failed)
                kill(pid, SIGKILL);
        while (waitpid(pid, &res->status, 0) < 0 && errno == EINTR)
                ;
        if (read_failed) {
                error_set_errno(err, read_failed, "cannot read the output of `%s`", argv[0]);
                goto out_pipes;
        }
        if (out_overflow) {
                error_set(err, "the output of `%s` is larger than %zu bytes", argv[0], out_limit);
                goto out_pipes;
        }
        /* Where posix_spawn cannot report a failed exec (valgrind, some libcs), the child
         * exits 127 without a word, as a shell does for "command not found". */
        if (WIFEXITED(res->status) && WEXITSTATUS(res->status) == 127 && res->err.len == 0 &&
            res->out.len == 0) {
                error_set_errno(err, ENOENT, "cannot run `%s`", argv[0]);
                goto out_pipes;
        }
        /* Both buffers NUL-terminated even when empty. */
        buf_append(&res->out, "", 0);
        buf_append(&res->err, "", 0);
        rc = 0;

out_pipes:
        for (int i = 0; i < 2; i++) {
                if (moved[i] >= 0)
                        close(moved[i]);
                if (out_pipe[i] >= 0)
                        close(out_pipe[i]);
                if (err_pipe[i] >= 0)
                        close(err_pipe[i]);
        }
        if (rc < 0)
                subprocess_result_destroy(res);
        return rc;
}

char *subprocess_error_text(const struct subprocess_result *res)
{
        const char *s = res->err.data != NULL ? res->err.data : "";
        struct buf line = BUF_INIT;
        for (const char *p = s; *p != '\0';) {
                size_t space = strspn(p, " \t\r\n\v\f");
                p += space;
                size_t word = strcspn(p, " \t\r\n\v\f");
                if (word == 0)
                        break;
                if (line.len > 0)
                        buf_append(&line, " ", 1);
                buf_append(&line, p, word);
                p += word;
        }
        char *text = buf_steal(&line);
        if (strncmp(text, "Error: ", 7) == 0)
                memmove(text, text + 7, strlen(text + 7) + 1);
        return text;
}
