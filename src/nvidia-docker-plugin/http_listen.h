/*
 * http_listen: the listening sockets of the plugin's servers, made here so that errors are
 * precise ("address already in use; is another nvidia-docker-plugin running?"). Sockets are
 * non-blocking and close-on-exec.
 */
#ifndef NVD_HTTP_LISTEN_H
#define NVD_HTTP_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#include "common/error.h"

/* Parses "host:port" (literal IPv4, [IPv6], "localhost" or empty host = all interfaces). */
int http_listen_parse_address(const char *addr, struct sockaddr_storage *out, size_t *len,
                              struct error *err);
/* A TCP socket listening on addr (no DNS lookup; an empty host is IPv6 and IPv4, or IPv4 only
 * where the host has no IPv6). */
int http_listen_tcp(const char *addr, int backlog, struct error *err);
/* A unix socket listening at path. A live socket there (one that accepts a connection) is an
 * error; a stale one is replaced. The directory must exist. */
int http_listen_unix(const char *path, int backlog, struct error *err);

#endif
