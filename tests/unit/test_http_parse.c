/* Unit tests of http_parse: request heads (limits, refusals), chunked bodies, query strings. */
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/http_parse.h"
#include "unit.h"

/* Parses a copy of text; returns the head length, 0 or -1 (refusal in *refusal). */
static long parse(const char *text, struct http_head *head, struct http_refusal *refusal)
{
        static char buf[HTTP_MAX_HEAD * 2];
        size_t len = strlen(text);
        memcpy(buf, text, len);
        return http_parse_head(buf, len, head, refusal);
}

static void test_head_fields(void)
{
        struct http_head h;
        struct http_refusal r;
        const char *req = "POST /VolumeDriver.Mount HTTP/1.1\r\nHost: plugin\r\n"
                          "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                          "content-length: 42\r\nConnection: keep-alive\r\n\r\n{\"Name\"";
        long n = parse(req, &h, &r);
        CU_ASSERT_EQUAL(n, (long)(strstr(req, "\r\n\r\n") - req + 4));
        CU_ASSERT_STRING_EQUAL(h.method, "POST");
        CU_ASSERT_STRING_EQUAL(h.target, "/VolumeDriver.Mount");
        CU_ASSERT_STRING_EQUAL(h.accept, "application/vnd.docker.plugins.v1.2+json");
        CU_ASSERT_EQUAL(h.minor, 1);
        CU_ASSERT_EQUAL(h.content_length, 42);
        CU_ASSERT_TRUE(h.keep_alive);
        CU_ASSERT_FALSE(h.chunked);
        /* Bare LF lines, HTTP/1.0 closes unless asked, chunked wins over a length. */
        CU_ASSERT_TRUE(parse("GET /gpu/info HTTP/1.0\nContent-Length: 3\n"
                             "Transfer-Encoding: chunked\n\n",
                             &h, &r) > 0);
        CU_ASSERT_FALSE(h.keep_alive);
        CU_ASSERT_TRUE(h.chunked);
        CU_ASSERT_EQUAL(h.content_length, -1);
        CU_ASSERT_PTR_NULL(h.accept);
        CU_ASSERT_TRUE(parse("\r\nGET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h, &r) > 0);
        CU_ASSERT_TRUE(h.keep_alive);
        CU_ASSERT_TRUE(parse("GET / HTTP/1.1\r\nConnection: foo, close\r\n"
                             "Expect: 100-continue\r\n\r\n",
                             &h, &r) > 0);
        CU_ASSERT_FALSE(h.keep_alive);
        CU_ASSERT_TRUE(h.expect_continue);
        /* Incomplete: more bytes needed. */
        CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: x\r\n", &h, &r), 0);
        CU_ASSERT_EQUAL(parse("GET / HTT", &h, &r), 0);
        CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\n\r", &h, &r), 0);
}

static void expect_refused(const char *text, int status)
{
        struct http_head h;
        struct http_refusal r = {0, NULL};
        long n = parse(text, &h, &r);
        if (n != -1 || r.status != status)
                fprintf(stderr, "'%.40s...': %ld, status %d, want %d\n", text, n, r.status, status);
        CU_ASSERT_EQUAL(n, -1);
        CU_ASSERT_EQUAL(r.status, status);
        CU_ASSERT_PTR_NOT_NULL(r.reason);
}

static void test_head_refusals(void)
{
        expect_refused("GET /\r\n\r\n", 400);
        expect_refused("GET  / HTTP/1.1\r\n\r\n", 400);
        expect_refused("GET / HTTP/2.0\r\n\r\n", 505);
        expect_refused("G(T / HTTP/1.1\r\n\r\n", 400);
        expect_refused("GET /\x01 HTTP/1.1\r\n\r\n", 400);
        expect_refused("GET / HTTP/1.1\r\n folded\r\n\r\n", 400);
        expect_refused("GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400);
        expect_refused("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
        expect_refused("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
        expect_refused("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
        expect_refused("GET / HTTP/1.1\r\nExpect: magic\r\n\r\n", 417);
        /* Limits: a long request line (414) even before its end arrives, a big head (431),
         * too many fields (431), too many query parameters (414, the 480-parameter attack). */
        cleanup_free char *line = xmalloc(HTTP_MAX_REQUEST_LINE + 100);
        memset(line, 'a', HTTP_MAX_REQUEST_LINE + 99);
        memcpy(line, "GET /", 5);
        line[HTTP_MAX_REQUEST_LINE + 99] = '\0';
        expect_refused(line, 414);
        struct buf head = BUF_INIT;
        buf_puts(&head, "GET / HTTP/1.1\r\n");
        for (int i = 0; i < HTTP_MAX_FIELDS + 1; i++)
                buf_printf(&head, "X-%d: y\r\n", i);
        buf_puts(&head, "\r\n");
        expect_refused(head.data, 431);
        head.len = 0;
        buf_puts(&head, "GET / HTTP/1.1\r\n");
        while (head.len < HTTP_MAX_HEAD)
                buf_puts(&head, "X-Filler: 0123456789012345678901234567890123456789\r\n");
        expect_refused(head.data, 431);
        head.len = 0;
        buf_puts(&head, "GET /gpu/info?a=1");
        for (int i = 0; i < 480; i++)
                buf_puts(&head, "&a=1");
        buf_puts(&head, " HTTP/1.1\r\n\r\n");
        expect_refused(head.data, 414);
        buf_destroy(&head);
        /* A NUL byte anywhere in the head. */
        struct http_head h;
        struct http_refusal r;
        char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
        CU_ASSERT_EQUAL(http_parse_head(nul, sizeof(nul) - 1, &h, &r), -1);
        CU_ASSERT_EQUAL(r.status, 400);
}

/* Decodes `in` fed in pieces of `step` bytes. */
static int decode(const char *in, size_t step, char *out, size_t *out_len)
{
        struct http_chunked c = HTTP_CHUNKED_INIT;
        char work[256];
        size_t len = strlen(in), pos = 0, kept = 0, produced_total = 0;
        int rc = 0;
        while (rc == 0 && pos < len) {
                size_t n = len - pos < step ? len - pos : step;
                memcpy(work + kept, in + pos, n);
                pos += n;
                size_t consumed = 0, produced = 0;
                rc = http_chunked_decode(&c, work, kept + n, &consumed, &produced);
                memcpy(out + produced_total, work, produced);
                produced_total += produced;
                memmove(work, work + consumed, kept + n - consumed);
                kept = kept + n - consumed;
        }
        *out_len = produced_total;
        return rc;
}

static void test_chunked(void)
{
        char out[256];
        size_t n;
        const char *body = "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
                           "Trailer: x\r\n\r\n";
        for (size_t step = 1; step <= 64; step *= 2) {
                CU_ASSERT_EQUAL(decode(body, step, out, &n), 1);
                CU_ASSERT_EQUAL(n, 23);
                CU_ASSERT_EQUAL(memcmp(out, "Wikipedia in\r\n\r\nchunks.", 23), 0);
        }
        CU_ASSERT_EQUAL(decode("0\n\n", 1, out, &n), 1);
        CU_ASSERT_EQUAL(n, 0);
        CU_ASSERT_EQUAL(decode("3\r\nabc\r\n", 4, out, &n), 0); /* no last chunk yet */
        CU_ASSERT_EQUAL(decode("x\r\n", 4, out, &n), -1);
        CU_ASSERT_EQUAL(decode("3\r\nabcd\r\n", 4, out, &n), -1);
        CU_ASSERT_EQUAL(decode("ffffffffffffffff\r\n", 4, out, &n), -1);
}

static void test_query_count(void)
{
        CU_ASSERT_EQUAL(http_query_count(NULL), 0);
        CU_ASSERT_EQUAL(http_query_count(""), 0);
        CU_ASSERT_EQUAL(http_query_count("a&&b;c&"), 3);
        struct buf q = BUF_INIT;
        for (int i = 0; i <= HTTP_MAX_PARAMS; i++)
                buf_puts(&q, "a=1&");
        struct http_query_param *p;
        size_t count;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(http_query_parse(q.data, &p, &count, &err), -1);
        CU_ASSERT_STRING_EQUAL(err.message, "too many query parameters (at most 128)");
        error_clear(&err);
        buf_destroy(&q);
}

UNIT_MAIN("http_parse", UNIT(test_head_fields), UNIT(test_head_refusals), UNIT(test_chunked),
          UNIT(test_query_count))
