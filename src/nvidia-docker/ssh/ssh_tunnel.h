/*
 * ssh_tunnel: one SSH connection (libssh2) to a host and one direct-tcpip channel through it to
 * 127.0.0.1:<remote port> on that host, seen here as one end of a socket pair.
 *
 * ssh_tunnel_open() does every step before it returns, in this order: the SSH configuration
 * (ssh_config.h), name resolution, the TCP connection and the SSH handshake (both within one
 * ConnectTimeout, default 10 s, however the server behaves), the host key check (known_hosts.h),
 * authentication (ssh_auth.h) and the channel. Each failure is one error that names its step.
 * Then a thread copies bytes between the channel and the socket pair until either side closes
 * or ssh_tunnel_close() is called.
 *
 * ssh_tunnel_fd() is the local end: one byte stream, i.e. ONE TCP connection to the remote port
 * (for HTTP: one keep-alive connection; when the far side closes it, the tunnel is done).
 * Behaviour, messages and the configuration honoured: docs/remote.md.
 */
#ifndef NVD_SSH_TUNNEL_H
#define NVD_SSH_TUNNEL_H

#include "common/error.h"

/* What the caller's environment says about SSH (NULL = unset); read by the caller, not here. */
struct ssh_environment {
        const char *home;      /* HOME (NULL or "": the home of this process's passwd entry) */
        const char *user;      /* USER: the local name when this process has no passwd entry */
        const char *auth_sock; /* SSH_AUTH_SOCK: non-empty = the agent's keys are tried */
        const char *ci;        /* CI: set and not "false" or "0" = never prompt for secrets */
};

/* Where to go. Plain values; ports are decimal text as written (validated here). */
struct ssh_destination {
        const char *user;        /* NULL: User of the SSH configuration, else local_user */
        const char *local_user;  /* $USER (NULL or "": the login name of this process) */
        const char *host;        /* name, alias of ~/.ssh/config, or address (IPv6 unbracketed) */
        const char *port;        /* NULL: Port of the SSH configuration, else 22 */
        const char *remote_port; /* the TCP port on the remote 127.0.0.1 */
        struct ssh_environment env;
};

struct ssh_tunnel;

int ssh_tunnel_open(const struct ssh_destination *destination, struct ssh_tunnel **out,
                    struct error *err);
/* The local end, a connected stream socket owned by the tunnel (dup it to keep it). */
int ssh_tunnel_fd(const struct ssh_tunnel *tunnel);
/* Stops the thread, closes the channel and the connection. NULL is a no-op. */
void ssh_tunnel_close(struct ssh_tunnel *tunnel);

#endif
