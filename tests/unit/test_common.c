/* Unit tests of src/common: error, strv, buf, text, log, work_pool, base64url, JSON lists. */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/text.h"
#include "common/work_pool.h"
#include "common/xalloc.h"
#include "unit.h"

static void test_error_first_message_wins(void)
{
        struct error err = ERROR_INIT;
        CU_ASSERT_FALSE(error_is_set(&err));
        CU_ASSERT_EQUAL(error_set(&err, "inner %d", 1), -1);
        error_set(&err, "outer");
        CU_ASSERT_STRING_EQUAL(err.message, "inner 1");
        error_prefix(&err, "step %s", "x");
        CU_ASSERT_STRING_EQUAL(err.message, "step x: inner 1");
        error_clear(&err);
        CU_ASSERT_PTR_NULL(err.message);
        error_set_errno(&err, ENOENT, "open %s", "/nope");
        CU_ASSERT_STRING_EQUAL(err.message, "open /nope: No such file or directory");
        CU_ASSERT_EQUAL(err.code, ENOENT);
        error_clear(&err);
}

static void test_strv_split_join_insert(void)
{
        struct strv v = STRV_INIT;
        strv_split(&v, ",0,, 1 2,", ", ");
        CU_ASSERT_EQUAL(v.count, 3);
        CU_ASSERT_PTR_NULL(v.items[3]);
        cleanup_free char *joined = strv_join(&v, "+");
        CU_ASSERT_STRING_EQUAL(joined, "0+1+2");
        strv_insert(&v, 1, "x");
        strv_insert(&v, 99, "end");
        cleanup_free char *joined2 = strv_join(&v, " ");
        CU_ASSERT_STRING_EQUAL(joined2, "0 x 1 2 end");
        for (int i = 0; i < 100; i++)
                strv_pushf(&v, "n%d", i);
        CU_ASSERT_EQUAL(v.count, 105);
        CU_ASSERT_STRING_EQUAL(v.items[104], "n99");
        CU_ASSERT_PTR_NULL(v.items[105]);
        strv_destroy(&v);
        strv_destroy(&v);
}

static void test_buf_printf_and_read_limit(void)
{
        struct buf b = BUF_INIT;
        buf_printf(&b, "%s=%d", "a", 7);
        buf_puts(&b, ";");
        CU_ASSERT_STRING_EQUAL(b.data, "a=7;");
        CU_ASSERT_EQUAL(b.len, 4);
        cleanup_free char *s = buf_steal(&b);
        CU_ASSERT_STRING_EQUAL(s, "a=7;");
        CU_ASSERT_PTR_NULL(b.data);

        int fds[2];
        CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
        CU_ASSERT_EQUAL(write(fds[1], "0123456789", 10), 10);
        close(fds[1]);
        CU_ASSERT_EQUAL(buf_read_fd(&b, fds[0], 5), -1);
        CU_ASSERT_EQUAL(errno, E2BIG);
        close(fds[0]);
        buf_destroy(&b);

        CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
        CU_ASSERT_EQUAL(write(fds[1], "abc", 3), 3);
        close(fds[1]);
        CU_ASSERT_EQUAL(buf_read_fd(&b, fds[0], 5), 0);
        CU_ASSERT_STRING_EQUAL(b.data, "abc");
        close(fds[0]);
        buf_destroy(&b);

        /* buf_read_path: the same through a path, errno kept. */
        CU_ASSERT_EQUAL(buf_read_path(&b, "/nonexistent/nvd-buf", 5), -1);
        CU_ASSERT_EQUAL(errno, ENOENT);
        buf_destroy(&b);
        CU_ASSERT_EQUAL(buf_read_path(&b, "/dev/zero", 5), -1);
        CU_ASSERT_EQUAL(errno, E2BIG);
        buf_destroy(&b);
        CU_ASSERT_EQUAL(buf_read_path(&b, "/dev/null", 5), 0);
        CU_ASSERT_STRING_EQUAL(b.data, "");
        buf_destroy(&b);
}

static void test_text_printable(void)
{
        cleanup_free char *plain = text_printable("GPU-1a", 6, 64);
        CU_ASSERT_STRING_EQUAL(plain, "GPU-1a");
        cleanup_free char *ctl = text_printable("a\nb\0c\x7f", 6, SIZE_MAX);
        CU_ASSERT_STRING_EQUAL(ctl, "a\\x0ab\\x00c\\x7f");
        cleanup_free char *cut = text_printable("abcdef", 6, 4);
        CU_ASSERT_STRING_EQUAL(cut, "abcd...");
        cleanup_free char *exact = text_printable("abcd", 4, 4);
        CU_ASSERT_STRING_EQUAL(exact, "abcd");
        CU_ASSERT_FALSE(text_has_control("GPU-1a", 6));
        CU_ASSERT_TRUE(text_has_control("a\0b", 3));
        CU_ASSERT_TRUE(text_has_control("a\x7f", 2));
        CU_ASSERT_FALSE(text_has_control("a\n", 1)); /* only the first len bytes */
        CU_ASSERT_FALSE(text_is_set(NULL));
        CU_ASSERT_FALSE(text_is_set(""));
        CU_ASSERT_TRUE(text_is_set("0"));
}

static void test_base64_alphabets(void)
{
        const unsigned char bytes[] = {0xfb, 0xff, 0xbf, 0xfb};
        cleanup_free char *standard = base64_encode(bytes, 4, true);
        CU_ASSERT_STRING_EQUAL(standard, "+/+/+w==");
        cleanup_free char *url = base64url_encode(bytes, 4);
        CU_ASSERT_STRING_EQUAL(url, "-_-_-w");
        size_t len = 0;
        cleanup_free unsigned char *back = base64_decode(standard, strlen(standard), &len);
        CU_ASSERT_EQUAL(len, 4);
        CU_ASSERT(back != NULL && memcmp(back, bytes, 4) == 0);
}

/* In a child with 0 and 2 closed and 1 open: 0 and 2 become /dev/null, 1 is left alone. */
static int stdio_child(void)
{
        struct stat before, after, null;
        if (fstat(1, &before) != 0 || stat("/dev/null", &null) != 0)
                return 10;
        close(0);
        close(2);
        stdio_ensure_open();
        for (int fd = 0; fd <= 2; fd += 2) {
                struct stat st;
                if (fstat(fd, &st) != 0 || st.st_rdev != null.st_rdev || !S_ISCHR(st.st_mode))
                        return 11 + fd;
        }
        if ((fcntl(0, F_GETFL) & O_ACCMODE) != O_RDONLY ||
            (fcntl(2, F_GETFL) & O_ACCMODE) != O_WRONLY)
                return 14;
        if (fstat(1, &after) != 0 || after.st_ino != before.st_ino || after.st_dev != before.st_dev)
                return 15;
        return 0;
}

static void test_stdio_ensure_open(void)
{
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0)
                _exit(stdio_child());
        int status = -1;
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

struct counted {
        atomic_int hits[1000];
};

static void count_work(void *ctx, size_t i)
{
        struct counted *c = ctx;
        atomic_fetch_add(&c->hits[i], 1);
}

static void test_work_pool_runs_each_item_once(void)
{
        static struct counted c;
        for (size_t i = 0; i < 1000; i++)
                atomic_init(&c.hits[i], 0);
        size_t threads = work_pool_run(1000, 4, count_work, &c);
        CU_ASSERT_EQUAL(threads, 4);
        int wrong = 0;
        for (size_t i = 0; i < 1000; i++)
                wrong += atomic_load(&c.hits[i]) != 1;
        CU_ASSERT_EQUAL(wrong, 0);
        CU_ASSERT_EQUAL(work_pool_run(0, 4, count_work, &c), 0);
        CU_ASSERT_EQUAL(work_pool_threads(3, 8), 3); /* never more threads than items */
        CU_ASSERT_EQUAL(work_pool_threads(100, 2), 2);
        CU_ASSERT_TRUE(work_pool_threads(100, 0) >= 1 &&
                       work_pool_threads(100, 0) <= WORK_POOL_MAX_THREADS);
}

static void test_base64url_without_padding(void)
{
        const unsigned char data[] = {0xfb, 0xff, 0xbf, 'a'};
        cleanup_free char *three = base64url_encode(data, 3);
        cleanup_free char *four = base64url_encode(data, 4);
        cleanup_free char *none = base64url_encode(data, 0);
        CU_ASSERT_STRING_EQUAL(three, "-_-_");
        CU_ASSERT_STRING_EQUAL(four, "-_-_YQ");
        CU_ASSERT_STRING_EQUAL(none, "");
}

static void test_json_string_list(void)
{
        struct strv items = STRV_INIT;
        struct buf b = BUF_INIT;
        json_append_string_list(&b, &items);
        strv_push(&items, "/dev/nvidia0");
        strv_push(&items, "a\"<b");
        json_append_string_list(&b, &items);
        CU_ASSERT_STRING_EQUAL(b.data, "[][\"/dev/nvidia0\",\"a\\\"\\u003cb\"]");
        buf_destroy(&b);
        strv_destroy(&items);
}

UNIT_MAIN("common", UNIT(test_error_first_message_wins), UNIT(test_strv_split_join_insert),
          UNIT(test_buf_printf_and_read_limit), UNIT(test_text_printable),
          UNIT(test_base64_alphabets), UNIT(test_stdio_ensure_open),
          UNIT(test_work_pool_runs_each_item_once), UNIT(test_base64url_without_padding),
          UNIT(test_json_string_list))
