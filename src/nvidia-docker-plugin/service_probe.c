#include "nvidia-docker-plugin/service_probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/http_listen.h"

/* Sends `request` on a connected socket and reads the start of the answer. */
static int exchange(int fd, const struct sockaddr *sa, socklen_t len, const char *request,
                    const char *where, struct error *err)
{
        struct timeval timeout = {.tv_sec = 1};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
        if (connect(fd, sa, len) < 0)
                return error_set_errno(err, errno, "%s does not accept connections", where);
        size_t n = strlen(request);
        if (send(fd, request, n, MSG_NOSIGNAL) != (ssize_t)n)
                return error_set_errno(err, errno, "%s: cannot send a request", where);
        char answer[16];
        ssize_t got = recv(fd, answer, sizeof(answer) - 1, MSG_WAITALL);
        if (got < 12 || strncmp(answer, "HTTP/1.1 ", 9) != 0)
                return error_set(err, "%s does not answer HTTP requests", where);
        return 0;
}

int service_probe_unix(const char *path, struct error *err)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa.sun_path))
                return error_set(err, "%s: path too long", path);
        strcpy(sa.sun_path, path);
        cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set_errno(err, errno, "probe %s: socket", path);
        return exchange(fd, (struct sockaddr *)&sa, sizeof(sa),
                        "POST /VolumeDriver.Capabilities HTTP/1.1\r\nHost: plugin\r\n"
                        "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
                        path, err);
}

int service_probe_tcp(const char *listen, struct error *err)
{
        struct sockaddr_storage sa;
        size_t len;
        if (http_listen_parse_address(listen, &sa, &len, err) < 0)
                return -1;
        if (sa.ss_family == AF_INET6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;
                if (memcmp(&a->sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0) {
                        /* Every interface: IPv4 loopback answers whether IPv6 exists or not. */
                        struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
                        uint16_t port = a->sin6_port;
                        memset(&sa, 0, sizeof(sa));
                        v4->sin_family = AF_INET;
                        v4->sin_port = port;
                        v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                        len = sizeof(*v4);
                }
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *)&sa;
                if (a->sin_addr.s_addr == htonl(INADDR_ANY))
                        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        }
        cleanup_close int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set_errno(err, errno, "probe tcp %s: socket", listen);
        cleanup_free char *where = xasprintf("the REST API at %s", listen);
        return exchange(fd, (struct sockaddr *)&sa, (socklen_t)len,
                        "GET /v1.0/ HTTP/1.1\r\nHost: plugin\r\nConnection: close\r\n\r\n", where,
                        err);
}
