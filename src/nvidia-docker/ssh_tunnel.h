/*
 * ssh_tunnel: one SSH connection (libssh2) to the plugin's host and one direct-tcpip channel
 * to 127.0.0.1:<plugin port> there, exposed as a local stream socket.
 *
 * The local end is an abstract AF_UNIX listener of this process (other processes are
 * refused). With libcurl, set CURLOPT_ABSTRACT_UNIX_SOCKET to ssh_tunnel_socket_name() and
 * let libcurl connect: libcurl 7.88 (Debian 12) ignores CURL_SOCKOPT_ALREADY_CONNECTED and
 * fails with a socket handed over by CURLOPT_OPENSOCKETFUNCTION (curl/curl#10626). Each
 * local connection is carried by one channel; the first channel is opened by
 * ssh_tunnel_open() itself, so that an absent plugin is reported there.
 *
 * Host keys are checked against known_hosts; authentication follows OpenSSH's order (agent,
 * identity files, password/keyboard-interactive on the terminal); ~/.ssh/config is honoured.
 * A bridge thread copies bytes between the local socket and the channel until either side
 * closes. Errors name the failing step (resolve, connect, handshake, host key, auth, channel).
 */
#ifndef NVD_SSH_TUNNEL_H
#define NVD_SSH_TUNNEL_H

#include "common/error.h"
#include "nvidia-docker/host_select.h"

struct ssh_tunnel;

int ssh_tunnel_open(const struct plugin_target *target, struct ssh_tunnel **out,
                    struct error *err);
/* The local end: a connected stream socket owned by the tunnel (dup it to keep it), made on
 * first call; -1 if it cannot be made. Not usable with libcurl 7.88: see above. */
int ssh_tunnel_fd(const struct ssh_tunnel *tunnel);
/* The abstract socket name (without the leading NUL) for CURLOPT_ABSTRACT_UNIX_SOCKET. */
const char *ssh_tunnel_socket_name(const struct ssh_tunnel *tunnel);
/* Local connections carried so far (one SSH channel each): for tests. */
unsigned ssh_tunnel_channels(const struct ssh_tunnel *tunnel);
void ssh_tunnel_close(struct ssh_tunnel *tunnel);

#endif
