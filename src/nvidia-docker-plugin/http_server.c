#include "nvidia-docker-plugin/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xalloc.h"

struct http_server {
        struct MHD_Daemon *daemon;
        int fd;
        char *unix_path; /* owned; removed at stop */
        http_handler_fn handler;
        void *context;
        size_t max_body;
};

/* Per request, from the URI log callback to the completion callback. */
struct request_state {
        char *uri; /* raw request target */
        struct buf body;
        size_t body_total;
        int too_large;
        int started;
};

void http_query_parse(const char *query, struct http_query_param **params, size_t *count)
{
        struct http_query_param *list = NULL;
        size_t n = 0;
        const char *p = query ? query : "";
        while (*p) {
                size_t len = strcspn(p, "&;");
                const char *eq = memchr(p, '=', len);
                size_t klen = eq ? (size_t)(eq - p) : len;
                if (len > 0) {
                        char *key = http_unescape(p, klen, true);
                        char *value = eq ? http_unescape(eq + 1, len - klen - 1, true) : xstrdup("");
                        if (key != NULL && value != NULL && key[0] != '\0') {
                                list = xrealloc(list, (n + 1) * sizeof(*list));
                                list[n].key = key;
                                list[n].value = value;
                                n++;
                        } else {
                                free(key);
                                free(value);
                        }
                }
                p += len;
                if (*p)
                        p++;
        }
        *params = list;
        *count = n;
}

void http_query_free(struct http_query_param *params, size_t count)
{
        for (size_t i = 0; i < count; i++) {
                free((char *)params[i].key);
                free((char *)params[i].value);
        }
        free(params);
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *connection)
{
        struct request_state *state = xcalloc(1, sizeof(*state));
        state->uri = xstrdup(uri ? uri : "");
        return state;
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
        struct request_state *state = *req_cls;
        if (state == NULL)
                return;
        free(state->uri);
        buf_destroy(&state->body);
        free(state);
        *req_cls = NULL;
}

static enum MHD_Result send_simple(struct MHD_Connection *connection, unsigned int status,
                                   const char *text)
{
        struct MHD_Response *r =
            MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
        if (r == NULL)
                return MHD_NO;
        MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        enum MHD_Result ret = MHD_queue_response(connection, status, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
        struct http_server *server = cls;
        struct request_state *state = *req_cls;
        if (state == NULL) /* no URI callback: should not happen */
                return MHD_NO;
        if (!state->started) {
                state->started = 1;
                const char *length =
                    MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
                if (length != NULL && strtoull(length, NULL, 10) > server->max_body)
                        return send_simple(connection, 413, "request body too large\n");
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                state->body_total += *upload_data_size;
                if (state->body_total > server->max_body) {
                        state->too_large = 1;
                        buf_destroy(&state->body);
                } else {
                        buf_append(&state->body, upload_data, *upload_data_size);
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (state->too_large)
                return send_simple(connection, 413, "request body too large\n");

        char *question = strchr(state->uri, '?');
        cleanup_free char *path =
            question ? xstrndup(state->uri, (size_t)(question - state->uri)) : xstrdup(state->uri);
        struct http_query_param *params = NULL;
        size_t count = 0;
        http_query_parse(question ? question + 1 : NULL, &params, &count);
        struct http_request request = {
            .method = method,
            .path = path,
            .query = params,
            .query_count = count,
            .accept = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Accept"),
            .body = state->body.data,
            .body_len = state->body.len,
            .query_string = question ? question + 1 : NULL,
        };
        struct http_response response;
        memset(&response, 0, sizeof(response));
        response.status = 500;
        server->handler(server->context, &request, &response);
        http_query_free(params, count);

        struct MHD_Response *r;
        if (response.body != NULL && response.body_len > 0) {
                r = MHD_create_response_from_buffer(response.body_len, response.body,
                                                    MHD_RESPMEM_MUST_FREE);
                if (r != NULL)
                        response.body = NULL; /* MHD frees it */
        } else {
                r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        }
        if (r == NULL) {
                http_response_destroy(&response);
                return MHD_NO;
        }
        if (response.content_type != NULL)
                MHD_add_response_header(r, "Content-Type", response.content_type);
        if (response.location != NULL)
                MHD_add_response_header(r, "Location", response.location);
        if (response.nosniff)
                MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        enum MHD_Result ret = MHD_queue_response(connection, (unsigned int)response.status, r);
        MHD_destroy_response(r);
        http_response_destroy(&response);
        return ret;
}

static struct http_server *server_start(int fd, const char *unix_path, http_handler_fn handler,
                                        void *context, const struct http_server_options *options,
                                        struct error *err)
{
        struct http_server *server = xcalloc(1, sizeof(*server));
        server->fd = fd;
        server->handler = handler;
        server->context = context;
        server->max_body = options && options->max_body ? options->max_body : 1 << 20;
        unsigned int timeout = options && options->timeout ? options->timeout : 5;
        unsigned int threads = options && options->threads ? options->threads : 2;
        server->daemon = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL,
            access_handler, server, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_URI_LOG_CALLBACK,
            uri_logger, server, MHD_OPTION_NOTIFY_COMPLETED, request_completed, server,
            MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_END);
        if (server->daemon == NULL) {
                error_set(err, "cannot start the HTTP server (libmicrohttpd) on %s",
                          unix_path ? unix_path : "the TCP listener");
                close(fd);
                free(server);
                return NULL;
        }
        if (unix_path != NULL)
                server->unix_path = xstrdup(unix_path);
        return server;
}

int http_server_parse_address(const char *addr, struct sockaddr_storage *out, size_t *len,
                              struct error *err)
{
        memset(out, 0, sizeof(*out));
        const char *colon = strrchr(addr, ':');
        if (colon == NULL)
                return error_set(err, "invalid listen address %s: expected host:port", addr);
        char *end;
        errno = 0;
        unsigned long port = strtoul(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535 || colon[1] == '-' ||
            colon[1] == '+')
                return error_set(err, "invalid listen address %s: bad port", addr);
        cleanup_free char *host = xstrndup(addr, (size_t)(colon - addr));
        if (host[0] == '[') {
                size_t n = strlen(host);
                if (n < 2 || host[n - 1] != ']')
                        return error_set(err, "invalid listen address %s", addr);
                host[n - 1] = '\0';
                memmove(host, host + 1, n - 1);
                if (host[0] == '\0')
                        return error_set(err, "invalid listen address %s", addr);
        }
        if (host[0] == '\0' || strchr(host, ':') != NULL) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t)port);
                if (host[0] == '\0')
                        a->sin6_addr = in6addr_any;
                else if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
                        return error_set(err, "invalid listen address %s: not a literal IP address",
                                         addr);
                *len = sizeof(*a);
                return 0;
        }
        struct sockaddr_in *a = (struct sockaddr_in *)out;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        /* "localhost" is 1.0's default spelling: taken as 127.0.0.1 without asking DNS. */
        if (strcmp(host, "localhost") == 0)
                a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
                return error_set(err,
                                 "invalid listen address %s: not a literal IP address (no DNS "
                                 "lookups; use e.g. 127.0.0.1:3476 or :3476)",
                                 addr);
        *len = sizeof(*a);
        return 0;
}

struct http_server *http_server_start_tcp(const char *addr, http_handler_fn handler, void *context,
                                          const struct http_server_options *options,
                                          struct error *err)
{
        struct sockaddr_storage sa;
        size_t len;
        if (http_server_parse_address(addr, &sa, &len, err) < 0)
                return NULL;
        int all_interfaces =
            sa.ss_family == AF_INET6 && memcmp(&((struct sockaddr_in6 *)&sa)->sin6_addr,
                                               &in6addr_any, sizeof(struct in6_addr)) == 0;
        int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 && all_interfaces) {
                /* No IPv6 on this host: every IPv4 interface. */
                struct sockaddr_in *a = (struct sockaddr_in *)&sa;
                uint16_t port = ((struct sockaddr_in6 *)&sa)->sin6_port;
                memset(&sa, 0, sizeof(sa));
                a->sin_family = AF_INET;
                a->sin_port = port;
                a->sin_addr.s_addr = htonl(INADDR_ANY);
                len = sizeof(*a);
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        }
        if (fd < 0) {
                error_set_errno(err, errno, "listen tcp %s: socket", addr);
                return NULL;
        }
        int one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (all_interfaces && sa.ss_family == AF_INET6)
                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
        if (bind(fd, (struct sockaddr *)&sa, (socklen_t)len) < 0) {
                int e = errno;
                close(fd);
                if (e == EADDRINUSE)
                        error_set(err,
                                  "listen tcp %s: address already in use; is another "
                                  "nvidia-docker-plugin (or another program) using it?",
                                  addr);
                else
                        error_set_errno(err, e, "listen tcp %s: bind", addr);
                return NULL;
        }
        if (listen(fd, 128) < 0) {
                error_set_errno(err, errno, "listen tcp %s", addr);
                close(fd);
                return NULL;
        }
        return server_start(fd, NULL, handler, context, options, err);
}

struct http_server *http_server_start_unix(const char *path, http_handler_fn handler, void *context,
                                           const struct http_server_options *options,
                                           struct error *err)
{
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(sa.sun_path)) {
                error_set(err, "listen unix %s: path too long", path);
                return NULL;
        }
        strcpy(sa.sun_path, path);
        struct stat st;
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        error_set(err, "listen unix %s: file exists and is not a socket; remove it",
                                  path);
                        return NULL;
                }
                int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
                        close(probe);
                        error_set(err,
                                  "listen unix %s: another nvidia-docker-plugin is already "
                                  "serving this socket; stop it first",
                                  path);
                        return NULL;
                }
                if (probe >= 0)
                        close(probe);
                unlink(path); /* stale: nobody accepts on it */
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                error_set_errno(err, errno, "listen unix %s: socket", path);
                return NULL;
        }
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                error_set_errno(err, errno, "listen unix %s: bind", path);
                close(fd);
                return NULL;
        }
        if (listen(fd, 128) < 0) {
                error_set_errno(err, errno, "listen unix %s", path);
                close(fd);
                unlink(path);
                return NULL;
        }
        struct http_server *server = server_start(fd, path, handler, context, options, err);
        if (server == NULL)
                unlink(path);
        return server;
}

void http_server_stop(struct http_server *server)
{
        if (server == NULL)
                return;
        /* Stop accepting first, so that nobody connects to a socket about to be removed. */
        MHD_socket listen_fd = MHD_quiesce_daemon(server->daemon);
        if (server->unix_path != NULL)
                unlink(server->unix_path);
        MHD_stop_daemon(server->daemon);
        if (listen_fd != MHD_INVALID_SOCKET)
                close(listen_fd);
        free(server->unix_path);
        free(server);
}
