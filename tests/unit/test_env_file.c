/* env_file: --env-file read as the docker CLI reads it, and which entry gives a variable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "nvidia-docker/env_file.h"
#include "unit.h"

/* The entries joined by '|', or "error: <message>". */
static char *parse(const char *text, size_t len)
{
        struct strv out = STRV_INIT;
        struct error err = ERROR_INIT;
        strv_init(&out);
        char *res;
        if (env_file_parse(text, len, "f.env", &out, &err) < 0) {
                res = xasprintf("error: %s", err.message);
                error_clear(&err);
        } else {
                res = strv_join(&out, "|");
        }
        strv_destroy(&out);
        return res;
}

#define EXPECT(text, expected)                                                                     \
        do {                                                                                       \
                cleanup_free char *got_ = parse(text, sizeof(text) - 1);                           \
                if (strcmp(got_, expected) != 0)                                                   \
                        fprintf(stderr, "expected %s, got %s\n", expected, got_);                  \
                CU_ASSERT_STRING_EQUAL(got_, expected);                                            \
        } while (0)

static void test_format(void)
{
        EXPECT("", "");
        EXPECT("A=1\nB=2", "A=1|B=2");
        EXPECT("A=1\r\nB= two \r\n", "A=1|B= two ");
        EXPECT("# comment\n\n   \n\tA=x # not a comment\n", "A=x # not a comment");
        EXPECT("  #A=1\n", "");
        EXPECT("\xef\xbb\xbf"
               "A=1\n",
               "A=1");
        /* A BOM later on is part of the name, as for docker. */
        EXPECT("A=1\n\xef\xbb\xbf"
               "B=2\n",
               "A=1|\xef\xbb\xbf"
               "B=2");
        EXPECT("A\nB=\n", "A|B=");
        EXPECT("A=\"quoted\"\n", "A=\"quoted\"");
        EXPECT("A==b=c\n", "A==b=c");
        EXPECT("NVIDIA_VISIBLE_DEVICES=0,1\n", "NVIDIA_VISIBLE_DEVICES=0,1");
}

static void test_errors(void)
{
        EXPECT("A B=1\n", "error: env file f.env, line 1: variable 'A B' contains whitespaces");
        EXPECT("A=1\n=2\n", "error: env file f.env, line 2: no variable name on line '=2'");
        EXPECT("A=\xff\n", "error: env file f.env contains invalid utf8 bytes at line 1");
        EXPECT("A=\xed\xa0\x80\n", "error: env file f.env contains invalid utf8 bytes at line 1");
        char big[70000];
        memset(big, 'a', sizeof(big));
        big[0] = 'A', big[1] = '=';
        cleanup_free char *got = parse(big, sizeof(big));
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "line 1: longer than 64 KiB"));
}

static void test_lookup(void)
{
        struct strv e = STRV_INIT;
        strv_init(&e);
        strv_push(&e, "NVIDIA_VISIBLE_DEVICES=0");
        strv_push(&e, "NV_GPU=3");
        strv_push(&e, "NVIDIA_VISIBLE_DEVICES_X=9");
        strv_push(&e, "NVIDIA_VISIBLE_DEVICES");
        const char *entry = env_entries_find(&e, "NVIDIA_VISIBLE_DEVICES");
        CU_ASSERT_STRING_EQUAL(entry, "NVIDIA_VISIBLE_DEVICES");
        CU_ASSERT_STRING_EQUAL(env_entry_value(entry, "2"), "2");
        CU_ASSERT_PTR_NULL(env_entry_value(entry, NULL)); /* unset by docker */
        CU_ASSERT_STRING_EQUAL(env_entry_value(env_entries_find(&e, "NV_GPU"), "x"), "3");
        CU_ASSERT_PTR_NULL(env_entries_find(&e, "NVIDIA_DRIVER_CAPABILITIES"));
        CU_ASSERT_PTR_NULL(env_entries_find(&e, "NVIDIA"));
        strv_destroy(&e);
}

static void test_read(void)
{
        char path[] = "/tmp/nvd-env-file-XXXXXX";
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL(write(fd, "X=1\nNV_GPU=0\n", 13), 13);
        close(fd);
        struct strv out = STRV_INIT;
        struct error err = ERROR_INIT;
        strv_init(&out);
        CU_ASSERT_EQUAL(env_file_read(path, &out, &err), 0);
        CU_ASSERT_EQUAL(out.count, 2);
        unlink(path);
        CU_ASSERT_EQUAL(env_file_read(path, &out, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot read --env-file"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "No such file"));
        error_clear(&err);
        CU_ASSERT_EQUAL(env_file_read("/", &out, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Is a directory"));
        error_clear(&err);
        strv_destroy(&out);
}

UNIT_MAIN("env_file", UNIT(test_format), UNIT(test_errors), UNIT(test_lookup), UNIT(test_read))
