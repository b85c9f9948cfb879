/*
 * http_server: the plugin's HTTP/1.1 servers (REST API on TCP, volume plugin on a unix socket),
 * built on epoll, with the limits of man/nvidia-docker-plugin.8.in (LIMITS).
 *
 * Each server owns its listening socket (http_listen). A few I/O threads accept, read and parse
 * requests (http_parse) and write replies; they never wait on anything but their sockets. A
 * request that the `slow` callback names (it may wait for a volume build, NVML or a program) is
 * handed to a pool of handler threads, so that cheap requests are never queued behind it.
 * Keep-alive, pipelining (one request at a time per connection), chunked bodies and
 * Expect: 100-continue are supported.
 *
 * Limits: request head (HTTP_MAX_* of http_parse.h) → 414/431 at once; a body over max_body → 413;
 * a malformed query → 400 naming the bad pair; the whole head must arrive within head_timeout
 * and each read or write must make progress within timeout, else the connection is closed; at
 * most max_connections connections: beyond, the one that has waited longest for an incomplete
 * request head (or idled longest between requests) is closed to make room, so that slow clients
 * cannot lock normal ones out.
 */
#ifndef NVD_HTTP_SERVER_H
#define NVD_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "nvidia-docker-plugin/http.h"
#include "nvidia-docker-plugin/http_parse.h"

/* True when answering `request` may block (the request then runs on the handler pool). */
typedef bool (*http_slow_fn)(void *context, const struct http_request *request);

struct http_server_options {
        size_t max_body;              /* bytes; 0 → 1 MiB */
        unsigned int timeout;         /* seconds without progress; 0 → 5 */
        unsigned int head_timeout;    /* seconds for a whole request head; 0 → 10 */
        unsigned int threads;         /* I/O threads; 0 → 2 */
        unsigned int slow_threads;    /* handler pool; 0 → 8 */
        unsigned int max_connections; /* 0 → HTTP_SERVER_MAX_CONNECTIONS */
        http_slow_fn slow;            /* NULL: every request is answered on an I/O thread */
};

#define HTTP_SERVER_MAX_CONNECTIONS 4096

/* Listens on a TCP address (http_listen_tcp). */
struct http_server *http_server_start_tcp(const char *addr, http_handler_fn handler, void *context,
                                          const struct http_server_options *options,
                                          struct error *err);
/* Listens on a unix socket at path (http_listen_unix: a stale socket file is replaced). */
struct http_server *http_server_start_unix(const char *path, http_handler_fn handler, void *context,
                                           const struct http_server_options *options,
                                           struct error *err);
/* Stops accepting (the unix socket file is removed first), waits for the handlers running,
 * closes every connection; NULL is a no-op. */
void http_server_stop(struct http_server *server);

#endif
