/*
 * http_conn: one HTTP/1.x connection of http_server as a state machine that knows nothing of
 * epoll or threads: the server reports "readable" or "writable", and each call answers what the
 * connection wants next. Requests are read into one buffer (head, then body: Content-Length or
 * chunked, decoded in place), parsed with http_parse, answered by the handler (or, when the
 * `slow` callback says so, by http_conn_handle on a pool thread) and the reply is written with
 * as few system calls as the socket allows. One request at a time: pipelined bytes wait in the
 * buffer until the reply before them is written.
 */
#ifndef NVD_HTTP_CONN_H
#define NVD_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "nvidia-docker-plugin/http.h"
#include "nvidia-docker-plugin/http_parse.h"

struct http_conn_config {
        http_handler_fn handler;
        void *context;
        bool (*slow)(void *context, const struct http_request *request); /* may be NULL */
        size_t max_body;
};

enum http_conn_want {
        HTTP_CONN_READ,  /* wait until readable */
        HTTP_CONN_WRITE, /* wait until writable */
        HTTP_CONN_SLOW,  /* run http_conn_handle on a pool thread, then http_conn_handled */
        HTTP_CONN_CLOSE, /* done with it: http_conn_destroy */
        HTTP_CONN_AGAIN, /* pipelined bytes wait: call http_conn_readable again soon */
};

/* Requests one http_conn_readable call answers at most before returning HTTP_CONN_AGAIN. */
#define HTTP_CONN_BURST 16

enum http_conn_phase {
        HTTP_CONN_IDLE, /* no byte of the next request yet */
        HTTP_CONN_HEAD, /* part of a head */
        HTTP_CONN_BODY,
        HTTP_CONN_HANDLING,
        HTTP_CONN_REPLYING,
};

struct http_conn {
        int fd;
        const struct http_conn_config *config;
        enum http_conn_phase phase;
        long head_started;  /* ms, when the first byte of the current head arrived */
        long last_progress; /* ms, last byte read or written */
        char *in;           /* bytes read, from the start of the current request */
        size_t in_len, in_cap;
        /* The current request: */
        struct http_head head;
        size_t head_len;
        size_t body_end;    /* end of the (decoded) body in `in` */
        size_t raw_pos;     /* chunked: next undecoded byte */
        size_t request_end; /* end of this request's bytes in `in` */
        struct http_chunked chunked;
        bool head_only; /* HEAD: reply without a body */
        struct http_request request;
        struct http_query_param *params;
        size_t param_count;
        struct http_response response;
        /* The reply being written: */
        struct buf out;
        size_t out_off;
        bool close_after;
        unsigned long served; /* requests answered on this connection */
        /* The server's lists (owned by the server, untouched here). */
        struct http_conn *prev, *next, *done_next;
};

void http_conn_init(struct http_conn *conn, int fd, const struct http_conn_config *config,
                    long now);
/* Closes the socket and frees what the connection holds (not the struct). */
void http_conn_destroy(struct http_conn *conn);
enum http_conn_want http_conn_readable(struct http_conn *conn, long now);
enum http_conn_want http_conn_writable(struct http_conn *conn, long now);
/* The handler, for HTTP_CONN_SLOW: may block; touches nothing of the server. */
void http_conn_handle(struct http_conn *conn);
/* After http_conn_handle: writes the reply. */
enum http_conn_want http_conn_handled(struct http_conn *conn, long now);
/* A one-line refusal (status, "<reason>\n") on a connection that closes afterwards; for the
 * server's own refusals (e.g. a timed-out head: 408). */
enum http_conn_want http_conn_refuse(struct http_conn *conn, int status, const char *reason,
                                     long now);

#endif
