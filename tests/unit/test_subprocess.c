/* subprocess: argv exec with captured stdout/stderr, limits, redirection, exec failures. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/subprocess.h"
#include "common/xalloc.h"
#include "unit.h"

static void test_captures_both_streams(void)
{
        const char *argv[] = {"sh", "-c", "echo out; echo 'Error: bad\n  thing' >&2; exit 3", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(subprocess_run(argv, -1, 1024, 1024, &res, &err), 0);
        CU_ASSERT_STRING_EQUAL(res.out.data, "out\n");
        CU_ASSERT_FALSE(subprocess_succeeded(&res));
        cleanup_free char *text = subprocess_error_text(&res);
        CU_ASSERT_STRING_EQUAL(text, "bad thing");
        subprocess_result_destroy(&res);
}

static void test_empty_output_is_terminated(void)
{
        const char *argv[] = {"true", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(subprocess_run(argv, -1, 16, 16, &res, &err), 0);
        CU_ASSERT_TRUE(subprocess_succeeded(&res));
        CU_ASSERT_PTR_NOT_NULL_FATAL(res.out.data);
        CU_ASSERT_STRING_EQUAL(res.out.data, "");
        cleanup_free char *text = subprocess_error_text(&res);
        CU_ASSERT_STRING_EQUAL(text, "");
        subprocess_result_destroy(&res);
}

static void test_stdout_limit_kills(void)
{
        const char *argv[] = {"sh", "-c", "yes", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(subprocess_run(argv, -1, 100000, 1024, &res, &err), -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "larger than 100000 bytes"));
        CU_ASSERT_PTR_NULL(res.out.data);
        error_clear(&err);
}

static void test_stderr_truncated_not_fatal(void)
{
        const char *argv[] = {"sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x >&2; echo done",
                              NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(subprocess_run(argv, -1, 1024, 100, &res, &err), 0);
        CU_ASSERT_EQUAL(res.err.len, 100);
        CU_ASSERT_STRING_EQUAL(res.out.data, "done\n");
        subprocess_result_destroy(&res);
}

static void test_stdout_redirected(void)
{
        char path[] = "/tmp/nvd-test-subprocess.XXXXXX";
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        const char *argv[] = {"sh", "-c", "echo progress; echo oops >&2", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(subprocess_run(argv, fd, 0, 1024, &res, &err), 0);
        CU_ASSERT_EQUAL(res.out.len, 0);
        CU_ASSERT_STRING_EQUAL(res.err.data, "oops\n");
        char buf[32] = "";
        CU_ASSERT_EQUAL(pread(fd, buf, sizeof(buf) - 1, 0), 9);
        CU_ASSERT_STRING_EQUAL(buf, "progress\n");
        close(fd);
        unlink(path);
        subprocess_result_destroy(&res);
}

static void test_stdout_to_err(void)
{
        const char *argv[] = {"sh", "-c", "echo one; echo two >&2; echo three; exit 2", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(subprocess_run(argv, SUBPROCESS_STDOUT_TO_ERR, 0, 1024, &res, &err),
                              0);
        CU_ASSERT_EQUAL(res.out.len, 0);
        CU_ASSERT_STRING_EQUAL(res.err.data, "one\ntwo\nthree\n"); /* in the order written */
        CU_ASSERT_FALSE(subprocess_succeeded(&res));
        cleanup_free char *text = subprocess_error_text(&res);
        CU_ASSERT_STRING_EQUAL(text, "one two three");
        subprocess_result_destroy(&res);
        const char *missing[] = {"nvd-no-such-program-on-path", NULL};
        CU_ASSERT_EQUAL(subprocess_run(missing, SUBPROCESS_STDOUT_TO_ERR, 0, 16, &res, &err), -1);
        CU_ASSERT_EQUAL(err.code, ENOENT);
        error_clear(&err);
}

static void test_missing_program(void)
{
        const char *argv[] = {"/nonexistent/docker", "image", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(subprocess_run(argv, -1, 16, 16, &res, &err), -1);
        CU_ASSERT_EQUAL(err.code, ENOENT);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot run `/nonexistent/docker`"));
        error_clear(&err);
        const char *on_path[] = {"nvd-no-such-program-on-path", NULL};
        CU_ASSERT_EQUAL(subprocess_run(on_path, -1, 16, 16, &res, &err), -1);
        CU_ASSERT_EQUAL(err.code, ENOENT);
        error_clear(&err);
}

static void test_no_descriptor_leak(void)
{
        /* The child sees 0, 1, 2, what we inherited without close-on-exec, and ls's own
         * directory descriptor: none of the capture pipes. */
        int inherited = 0;
        for (int fd = 3; fd < 1024; fd++) {
                int flags = fcntl(fd, F_GETFD);
                if (flags >= 0 && !(flags & FD_CLOEXEC))
                        inherited++;
        }
        const char *argv[] = {"sh", "-c", "ls /proc/self/fd | wc -l", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(subprocess_run(argv, -1, 64, 64, &res, &err), 0);
        CU_ASSERT_EQUAL(atoi(res.out.data), 3 + inherited + 1);
        subprocess_result_destroy(&res);
}

/* A caller started with stdin, stdout and stderr closed: the file and the pipes it opens get
 * descriptors 0, 1 and 2, which the child's own 0, 1 and 2 must not overwrite. Run in a forked
 * child (its 0-2 closed); it reports through its exit status which check failed. */
static int run_with_stdio_closed(void)
{
        close(0);
        close(1);
        close(2);
        char path[] = "/tmp/nvd-test-subprocess.XXXXXX";
        int fd = mkstemp(path); /* descriptor 0 */
        if (fd != 0)
                return 10;
        unlink(path);
        const char *to_file[] = {"sh", "-c", "echo progress; echo oops >&2", NULL};
        struct subprocess_result res;
        struct error err = ERROR_INIT;
        if (subprocess_run(to_file, fd, 0, 1024, &res, &err) != 0)
                return 11;
        int bad = strcmp(res.err.data, "oops\n") != 0;
        subprocess_result_destroy(&res);
        if (bad)
                return 12;
        char buf[32] = "";
        if (pread(fd, buf, sizeof(buf) - 1, 0) != 9 || strcmp(buf, "progress\n") != 0)
                return 13;
        const char *both[] = {"sh", "-c", "echo out; echo err >&2", NULL};
        if (subprocess_run(both, -1, 1024, 1024, &res, &err) != 0) /* pipes on 1 and 2 */
                return 14;
        bad = strcmp(res.out.data, "out\n") != 0 || strcmp(res.err.data, "err\n") != 0;
        subprocess_result_destroy(&res);
        return bad ? 15 : 0;
}

static void test_stdio_closed_in_caller(void)
{
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0)
                _exit(run_with_stdio_closed());
        int status = 0;
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT(WIFEXITED(status));
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

UNIT_MAIN("subprocess", UNIT(test_captures_both_streams), UNIT(test_empty_output_is_terminated),
          UNIT(test_stdout_limit_kills), UNIT(test_stderr_truncated_not_fatal),
          UNIT(test_stdout_redirected), UNIT(test_stdout_to_err), UNIT(test_missing_program),
          UNIT(test_no_descriptor_leak), UNIT(test_stdio_closed_in_caller))
