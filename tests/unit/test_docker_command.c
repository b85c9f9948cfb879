/* Unit tests of docker_command: NV_DOCKER splitting and the exec failure path. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker/docker_command.h"
#include "unit.h"

/* The words of NV_DOCKER=`value`, joined with `|`. */
static char *split(const char *value)
{
        struct strv v = STRV_INIT;
        docker_command_from_env(value, &v);
        char *joined = strv_join(&v, "|");
        CU_ASSERT_PTR_NULL(v.items[v.count]);
        strv_destroy(&v);
        return joined;
}

static void expect_split(const char *value, const char *expected)
{
        cleanup_free char *got = split(value);
        CU_ASSERT_STRING_EQUAL(got, expected);
        if (strcmp(got, expected) != 0)
                fprintf(stderr, "NV_DOCKER=%s: got %s, wanted %s\n", value ? value : "(unset)", got,
                        expected);
}

static void test_default_is_docker(void)
{
        expect_split(NULL, "docker");
        expect_split("", "docker");
        expect_split(" ", "docker");
        expect_split(" \t\n\r\v\f ", "docker");
        expect_split("\xc2\xa0", "docker"); /* NO-BREAK SPACE alone */
}

static void test_split_on_white_space(void)
{
        expect_split("docker", "docker");
        expect_split("/usr/bin/docker", "/usr/bin/docker");
        expect_split("docker -H tcp://h:2375", "docker|-H|tcp://h:2375");
        expect_split("  docker\t-H\ttcp://h:1  ", "docker|-H|tcp://h:1");
        expect_split("docker\n--config\n/d\n", "docker|--config|/d");
        expect_split("x\r\ny\vz\fw", "x|y|z|w");
        /* Go's unicode.IsSpace beyond ASCII, as 1.0's strings.Fields: NEL, NBSP, U+2003,
         * U+3000, U+2028. */
        expect_split("a\xc2\x85"
                     "b\xc2\xa0"
                     "c\xe2\x80\x83"
                     "d\xe3\x80\x80"
                     "e\xe2\x80\xa8"
                     "f",
                     "a|b|c|d|e|f");
        /* Not spaces: other UTF-8 and lone bytes stay in the word. */
        expect_split("d\xc3\xa9j\xe2\x80\x8b"
                     "x \xc2",
                     "d\xc3\xa9j\xe2\x80\x8bx|\xc2");
        /* Quotes mean nothing. */
        expect_split("'my docker' x", "'my|docker'|x");
}

static void test_exec_failure(void)
{
        struct strv prefix = STRV_INIT;
        docker_command_from_env("/nonexistent/nvd-docker -H x", &prefix);
        const char *words[] = {"ps"};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(docker_command_exec(&prefix, words, 1, &err), -1);
        CU_ASSERT_EQUAL(err.code, ENOENT);
        CU_ASSERT_STRING_EQUAL(err.message,
                               "cannot run docker (`/nonexistent/nvd-docker`): No such file or "
                               "directory; install docker or set NV_DOCKER");
        error_clear(&err);
        strv_destroy(&prefix);

        docker_command_from_env("/dev/null", &prefix);
        CU_ASSERT_EQUAL(docker_command_exec(&prefix, words, 1, &err), -1);
        CU_ASSERT_EQUAL(err.code, EACCES);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Permission denied"));
        error_clear(&err);
        strv_destroy(&prefix);
}

static void test_exec_runs_prefix_then_words(void)
{
        /* In a child: exec `sh -c 'test "$*" = ...' word0 ...` through the prefix. */
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
                struct strv prefix = STRV_INIT;
                docker_command_from_env("sh -c", &prefix);
                const char *words[] = {"test \"$0|$1|$2\" = \"a|b c|\"", "a", "b c", ""};
                struct error err = ERROR_INIT;
                docker_command_exec(&prefix, words, 4, &err);
                _exit(99);
        }
        int status = 0;
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT_TRUE(WIFEXITED(status));
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

UNIT_MAIN("docker_command", UNIT(test_default_is_docker), UNIT(test_split_on_white_space),
          UNIT(test_exec_failure), UNIT(test_exec_runs_prefix_then_words))
