/*
 * ssh_bridge: moves bytes both ways between a local stream socket and an SSH channel without
 * waiting (the socket and the session are non-blocking), and passes each side's end of input
 * on to the other: the bridge thread of ssh_tunnel.c calls it between polls. Internal to the
 * ssh folder.
 */
#ifndef NVD_SSH_BRIDGE_H
#define NVD_SSH_BRIDGE_H

#include <libssh2.h>
#include <stdbool.h>
#include <stddef.h>

#define SSH_BRIDGE_BUFFER (64 * 1024) /* bytes of each of `up` and `down` */

/* The local connection and the channel that carries it; the caller sets fd, channel, up and
 * down (SSH_BRIDGE_BUFFER bytes each), the rest starts at zero. */
struct ssh_bridge {
        int fd;
        LIBSSH2_CHANNEL *channel;
        char *up, *down; /* client -> channel, channel -> client */
        size_t up_len, up_off, down_len, down_off;
        bool local_eof, eof_sent, channel_eof, shut;
        bool done; /* both directions are closed */
};

/* Moves what can be moved without waiting. Returns 1 if anything moved, 0 if not, -1 when
 * the SSH session failed. */
int ssh_bridge_pump(struct ssh_bridge *bridge);

#endif
