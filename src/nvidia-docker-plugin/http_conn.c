#include "nvidia-docker-plugin/http_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"

#define READ_CHUNK ((size_t)16 << 10)

static const char *reason_phrase(int status)
{
        switch (status) {
        case 200:
                return "OK";
        case 301:
                return "Moved Permanently";
        case 400:
                return "Bad Request";
        case 404:
                return "Not Found";
        case 406:
                return "Not Acceptable";
        case 408:
                return "Request Timeout";
        case 413:
                return "Request Entity Too Large";
        case 414:
                return "Request-URI Too Long";
        case 417:
                return "Expectation Failed";
        case 431:
                return "Request Header Fields Too Large";
        case 500:
                return "Internal Server Error";
        case 501:
                return "Not Implemented";
        case 503:
                return "Service Unavailable";
        case 505:
                return "HTTP Version Not Supported";
        default:
                return "Unknown";
        }
}

void http_conn_init(struct http_conn *conn, int fd, const struct http_conn_config *config, long now)
{
        memset(conn, 0, sizeof(*conn));
        conn->fd = fd;
        conn->config = config;
        conn->phase = HTTP_CONN_IDLE;
        conn->last_progress = now;
}

static void request_clear(struct http_conn *conn)
{
        http_query_free(conn->params, conn->param_count);
        conn->params = NULL;
        conn->param_count = 0;
        http_response_destroy(&conn->response);
        memset(&conn->response, 0, sizeof(conn->response));
        memset(&conn->request, 0, sizeof(conn->request));
}

void http_conn_destroy(struct http_conn *conn)
{
        request_clear(conn);
        buf_destroy(&conn->out);
        free(conn->in);
        conn->in = NULL;
        if (conn->fd >= 0)
                close(conn->fd);
        conn->fd = -1;
}

/* "Sat, 05 Dec 2026 13:10:50 GMT", as HTTP dates are written; formatted once a second per
 * thread. */
static const char *http_date(void)
{
        static __thread time_t second = -1;
        static __thread char text[40];
        time_t now = time(NULL);
        if (now != second) {
                struct tm tm;
                gmtime_r(&now, &tm);
                strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
                second = now;
        }
        return text;
}

/* The status line, headers and body of conn->response into conn->out. */
static void serialize(struct http_conn *conn)
{
        const struct http_response *r = &conn->response;
        const char *date = http_date();
        struct buf *b = &conn->out;
        b->len = 0;
        buf_printf(b, "HTTP/1.%d %d %s\r\n", conn->head.minor, r->status, reason_phrase(r->status));
        if (r->content_type != NULL)
                buf_printf(b, "Content-Type: %s\r\n", r->content_type);
        if (r->nosniff)
                buf_puts(b, "X-Content-Type-Options: nosniff\r\n");
        if (r->location != NULL)
                buf_printf(b, "Location: %s\r\n", r->location);
        size_t body_len = r->body != NULL ? r->body_len : 0;
        buf_printf(b, "Date: %s\r\nContent-Length: %zu\r\n", date, body_len);
        if (conn->close_after)
                buf_puts(b, "Connection: close\r\n");
        else if (conn->head.minor == 0)
                buf_puts(b, "Connection: keep-alive\r\n");
        buf_puts(b, "\r\n");
        if (body_len > 0 && !conn->head_only)
                buf_append(b, r->body, body_len);
        conn->out_off = 0;
}

/* Writes what is pending; then the next request, or close. */
static enum http_conn_want flush(struct http_conn *conn, long now)
{
        while (conn->out_off < conn->out.len) {
                ssize_t n = send(conn->fd, conn->out.data + conn->out_off,
                                 conn->out.len - conn->out_off, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return HTTP_CONN_WRITE;
                if (n <= 0)
                        return HTTP_CONN_CLOSE;
                conn->out_off += (size_t)n;
                conn->last_progress = now;
        }
        if (conn->phase != HTTP_CONN_REPLYING)
                return HTTP_CONN_READ; /* a 100 Continue went out: the body comes next */
        if (conn->close_after)
                return HTTP_CONN_CLOSE;
        /* Keep what was pipelined after this request, at the start of the buffer. */
        memmove(conn->in, conn->in + conn->request_end, conn->in_len - conn->request_end);
        conn->in_len -= conn->request_end;
        request_clear(conn);
        conn->phase = HTTP_CONN_IDLE;
        conn->head_started = now;
        conn->served++;
        /* Pipelined bytes are parsed by the caller's loop, or on the server's next round. */
        return conn->in_len > 0 ? HTTP_CONN_AGAIN : HTTP_CONN_READ;
}

static enum http_conn_want reply(struct http_conn *conn, long now)
{
        conn->phase = HTTP_CONN_REPLYING;
        if (!conn->head.keep_alive)
                conn->close_after = true;
        serialize(conn);
        return flush(conn, now);
}

enum http_conn_want http_conn_refuse(struct http_conn *conn, int status, const char *reason,
                                     long now)
{
        cleanup_free char *text = xasprintf("%s\n", reason);
        request_clear(conn);
        http_response_error(&conn->response, status, text);
        conn->close_after = true;
        conn->head_only = false;
        return reply(conn, now);
}

/* Splits the target, decodes the query and answers, here or on the pool. */
static enum http_conn_want dispatch(struct http_conn *conn, long now)
{
        char *target = conn->head.target;
        char *question = strchr(target, '?');
        if (question != NULL)
                *question = '\0';
        struct error err = ERROR_INIT;
        if (http_query_parse(question ? question + 1 : NULL, &conn->params, &conn->param_count,
                             &err) < 0) {
                enum http_conn_want want = http_conn_refuse(conn, 400, err.message, now);
                error_clear(&err);
                return want;
        }
        conn->head_only = strcmp(conn->head.method, "HEAD") == 0;
        conn->request = (struct http_request){
            .method = conn->head.method,
            .path = target,
            .query = conn->params,
            .query_count = conn->param_count,
            .accept = conn->head.accept,
            .body = conn->in + conn->head_len,
            .body_len = conn->body_end - conn->head_len,
            .query_string = question ? question + 1 : NULL,
        };
        conn->phase = HTTP_CONN_HANDLING;
        if (conn->config->slow != NULL &&
            conn->config->slow(conn->config->context, &conn->request)) {
                conn->request.may_block = true; /* answered on the handler pool */
                return HTTP_CONN_SLOW;
        }
        http_conn_handle(conn);
        return http_conn_handled(conn, now);
}

void http_conn_handle(struct http_conn *conn)
{
        memset(&conn->response, 0, sizeof(conn->response));
        conn->response.status = 500;
        conn->config->handler(conn->config->context, &conn->request, &conn->response);
}

enum http_conn_want http_conn_handled(struct http_conn *conn, long now)
{
        return reply(conn, now);
}

/* After the head: what the body needs; may answer 413 or send 100 Continue. */
static enum http_conn_want start_body(struct http_conn *conn, long now)
{
        const struct http_head *head = &conn->head;
        if (head->content_length > 0 && (uint64_t)head->content_length > conn->config->max_body)
                return http_conn_refuse(conn, 413, "request body too large", now);
        conn->phase = HTTP_CONN_BODY;
        conn->body_end = conn->raw_pos = conn->head_len;
        conn->chunked = (struct http_chunked)HTTP_CHUNKED_INIT;
        bool has_body = head->chunked || head->content_length > 0;
        if (has_body && head->expect_continue && conn->in_len == conn->head_len) {
                conn->out.len = 0;
                buf_printf(&conn->out, "HTTP/1.%d 100 Continue\r\n\r\n", head->minor);
                conn->out_off = 0;
                return flush(conn, now);
        }
        return HTTP_CONN_READ;
}

/* Advances the body with the bytes read; 1 when complete, 0 for more, -1 refused (answered). */
static int take_body(struct http_conn *conn, long now, enum http_conn_want *want)
{
        const struct http_head *head = &conn->head;
        if (!head->chunked) {
                size_t need = head->content_length > 0 ? (size_t)head->content_length : 0;
                if (conn->in_len - conn->head_len < need)
                        return 0;
                conn->body_end = conn->request_end = conn->head_len + need;
                return 1;
        }
        size_t consumed = 0, produced = 0;
        int rc = http_chunked_decode(&conn->chunked, conn->in + conn->raw_pos,
                                     conn->in_len - conn->raw_pos, &consumed, &produced);
        memmove(conn->in + conn->body_end, conn->in + conn->raw_pos, produced);
        conn->body_end += produced;
        conn->raw_pos += consumed;
        if (rc < 0) {
                *want = http_conn_refuse(conn, 400, "malformed chunked body", now);
                return -1;
        }
        if (conn->body_end - conn->head_len > conn->config->max_body) {
                *want = http_conn_refuse(conn, 413, "request body too large", now);
                return -1;
        }
        if (rc == 0)
                return 0;
        conn->request_end = conn->raw_pos;
        return 1;
}

/* Parses what the buffer holds: the next thing the connection wants. */
static enum http_conn_want advance(struct http_conn *conn, long now)
{
        enum http_conn_want want = HTTP_CONN_READ;
        if (conn->phase == HTTP_CONN_IDLE || conn->phase == HTTP_CONN_HEAD) {
                if (conn->in_len == 0)
                        return HTTP_CONN_READ;
                if (conn->phase == HTTP_CONN_IDLE) {
                        conn->phase = HTTP_CONN_HEAD;
                        conn->head_started = now;
                        conn->head.minor = 1; /* for a refusal before the version is read */
                }
                struct http_refusal refusal;
                long len = http_parse_head(conn->in, conn->in_len, &conn->head, &refusal);
                if (len < 0)
                        return http_conn_refuse(conn, refusal.status, refusal.reason, now);
                if (len == 0)
                        return HTTP_CONN_READ;
                conn->head_len = (size_t)len;
                want = start_body(conn, now);
                if (conn->phase != HTTP_CONN_BODY || want != HTTP_CONN_READ)
                        return want;
        }
        if (conn->phase == HTTP_CONN_BODY) {
                int rc = take_body(conn, now, &want);
                if (rc <= 0)
                        return rc < 0 ? want : HTTP_CONN_READ;
                return dispatch(conn, now);
        }
        return want;
}

/* The most a connection buffers: a full head plus the largest body (chunk framing included). */
static size_t buffer_limit(const struct http_conn *conn)
{
        return HTTP_MAX_HEAD + 2 * conn->config->max_body + 4096;
}

enum http_conn_want http_conn_readable(struct http_conn *conn, long now)
{
        if (conn->phase == HTTP_CONN_REPLYING)
                return HTTP_CONN_WRITE;
        unsigned int budget = HTTP_CONN_BURST; /* requests per call: other clients wait */
        unsigned long served = conn->served;
        for (;;) {
                enum http_conn_want want = advance(conn, now);
                if (want == HTTP_CONN_AGAIN && --budget > 0)
                        continue;
                if (want != HTTP_CONN_READ)
                        return want;
                if (conn->served != served && conn->in_len == 0)
                        return want; /* answered all it sent: epoll says when more comes */
                if (conn->in_cap - conn->in_len < READ_CHUNK / 4) {
                        if (conn->in_cap >= buffer_limit(conn))
                                return http_conn_refuse(conn, 413, "request too large", now);
                        conn->in_cap = conn->in_cap ? 2 * conn->in_cap : READ_CHUNK;
                        conn->in = xrealloc(conn->in, conn->in_cap);
                }
                ssize_t n = recv(conn->fd, conn->in + conn->in_len, conn->in_cap - conn->in_len, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return HTTP_CONN_READ;
                if (n <= 0)
                        return HTTP_CONN_CLOSE;
                conn->in_len += (size_t)n;
                conn->last_progress = now;
        }
}

enum http_conn_want http_conn_writable(struct http_conn *conn, long now)
{
        return flush(conn, now);
}
