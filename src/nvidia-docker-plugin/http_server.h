/*
 * http_server: libmicrohttpd glue for the plugin's two servers.
 *
 * Each server owns its listening socket (created here, so errors are precise: "address already
 * in use; is another nvidia-docker-plugin running?") and hands it to MHD, which runs it on a
 * small thread pool with epoll. Every request becomes a `struct http_request` (raw path, query
 * decoded the Go way — pairs split on '&' and ';', '+' is a space, malformed pairs dropped,
 * order and repeats kept — Accept header, body) and the handler's `struct http_response` is
 * sent back. POST bodies over `max_body` get 413; idle connections close after 5 s.
 */
#ifndef NVD_HTTP_SERVER_H
#define NVD_HTTP_SERVER_H

#include <stddef.h>
#include <sys/socket.h>

#include "common/error.h"
#include "nvidia-docker-plugin/http.h"

struct http_server;

struct http_server_options {
        size_t max_body;      /* bytes; 0 → 1 MiB */
        unsigned int timeout; /* seconds per connection; 0 → 5 */
        unsigned int threads; /* MHD thread pool size; 0 → 2 */
};

/* Parses "host:port" (literal IPv4, [IPv6], "localhost" or empty host = all interfaces). */
int http_server_parse_address(const char *addr, struct sockaddr_storage *out, size_t *len,
                              struct error *err);
/* Listens on a TCP address (no DNS lookup). */
struct http_server *http_server_start_tcp(const char *addr, http_handler_fn handler, void *context,
                                          const struct http_server_options *options,
                                          struct error *err);
/* Listens on a unix socket at path. A live socket there (one that accepts a connection) is an
 * error; a stale one is replaced. The directory must exist. */
struct http_server *http_server_start_unix(const char *path, http_handler_fn handler, void *context,
                                           const struct http_server_options *options,
                                           struct error *err);
/* Stops accepting, closes connections, removes the unix socket file; NULL is a no-op. */
void http_server_stop(struct http_server *server);
/* Splits a raw query string into decoded pairs (exposed for tests). Free with
 * http_query_free(params, count). */
void http_query_parse(const char *query, struct http_query_param **params, size_t *count);
void http_query_free(struct http_query_param *params, size_t count);

#endif
