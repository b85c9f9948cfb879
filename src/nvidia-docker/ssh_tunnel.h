/*
 * ssh_tunnel: one SSH connection (libssh2) to the plugin's host and one direct-tcpip channel
 * to 127.0.0.1:<plugin port> there, exposed as a local connected stream socket.
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
/* The local end: a connected stream socket owned by the tunnel (dup it to keep it). */
int ssh_tunnel_fd(const struct ssh_tunnel *tunnel);
void ssh_tunnel_close(struct ssh_tunnel *tunnel);

#endif
