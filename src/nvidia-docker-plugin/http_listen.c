#include "nvidia-docker-plugin/http_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/xalloc.h"

int http_listen_parse_address(const char *addr, struct sockaddr_storage *out, size_t *len,
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

int http_listen_tcp(const char *addr, int backlog, struct error *err)
{
        struct sockaddr_storage sa;
        size_t len;
        if (http_listen_parse_address(addr, &sa, &len, err) < 0)
                return -1;
        int all_interfaces =
            sa.ss_family == AF_INET6 && memcmp(&((struct sockaddr_in6 *)&sa)->sin6_addr,
                                               &in6addr_any, sizeof(struct in6_addr)) == 0;
        int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 && all_interfaces) {
                /* No IPv6 on this host: every IPv4 interface. */
                struct sockaddr_in *a = (struct sockaddr_in *)&sa;
                uint16_t port = ((struct sockaddr_in6 *)&sa)->sin6_port;
                memset(&sa, 0, sizeof(sa));
                a->sin_family = AF_INET;
                a->sin_port = port;
                a->sin_addr.s_addr = htonl(INADDR_ANY);
                len = sizeof(*a);
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        }
        if (fd < 0) {
                error_set_errno(err, errno, "listen tcp %s: socket", addr);
                return -1;
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
                return -1;
        }
        if (listen(fd, backlog) < 0) {
                error_set_errno(err, errno, "listen tcp %s", addr);
                close(fd);
                return -1;
        }
        return fd;
}

int http_listen_unix(const char *path, int backlog, struct error *err)
{
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(sa.sun_path)) {
                error_set(err, "listen unix %s: path too long", path);
                return -1;
        }
        strcpy(sa.sun_path, path);
        struct stat st;
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        error_set(err, "listen unix %s: file exists and is not a socket; remove it",
                                  path);
                        return -1;
                }
                int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
                        close(probe);
                        error_set(err,
                                  "listen unix %s: another nvidia-docker-plugin is already "
                                  "serving this socket; stop it first",
                                  path);
                        return -1;
                }
                if (probe >= 0)
                        close(probe);
                unlink(path); /* stale: nobody accepts on it */
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                error_set_errno(err, errno, "listen unix %s: socket", path);
                return -1;
        }
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                error_set_errno(err, errno, "listen unix %s: bind", path);
                close(fd);
                return -1;
        }
        if (listen(fd, backlog) < 0) {
                error_set_errno(err, errno, "listen unix %s", path);
                close(fd);
                unlink(path);
                return -1;
        }
        return fd;
}
