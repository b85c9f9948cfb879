/* ssh_bridge: see ssh_bridge.h. */
#include "nvidia-docker/ssh/ssh_bridge.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

/* Client -> channel: reads the client's bytes, writes them to the channel, and passes the
 * client's end of input on as the channel's EOF. -1 when the SSH session failed. */
static int pump_up(struct ssh_bridge *c, bool *progress)
{
        if (!c->local_eof && c->up_len == 0) {
                ssize_t n = read(c->fd, c->up, SSH_BRIDGE_BUFFER);
                if (n > 0) {
                        c->up_len = (size_t)n;
                        c->up_off = 0;
                        *progress = true;
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                        c->local_eof = true;
                        *progress = true;
                }
        }
        if (c->up_len > 0) {
                ssize_t n =
                    libssh2_channel_write(c->channel, c->up + c->up_off, c->up_len - c->up_off);
                if (n > 0) {
                        c->up_off += (size_t)n;
                        if (c->up_off == c->up_len)
                                c->up_len = c->up_off = 0;
                        *progress = true;
                } else if (n != LIBSSH2_ERROR_EAGAIN) {
                        if (n != LIBSSH2_ERROR_CHANNEL_CLOSED &&
                            n != LIBSSH2_ERROR_CHANNEL_EOF_SENT)
                                return -1;
                        /* the plugin side is gone: drop what the client sends */
                        c->up_len = c->up_off = 0;
                        c->local_eof = c->eof_sent = true;
                        *progress = true;
                }
        }
        if (c->local_eof && c->up_len == 0 && !c->eof_sent) {
                int rc = libssh2_channel_send_eof(c->channel);
                if (rc != LIBSSH2_ERROR_EAGAIN) {
                        if (rc != 0 && rc != LIBSSH2_ERROR_CHANNEL_CLOSED)
                                return -1;
                        c->eof_sent = true;
                        *progress = true;
                }
        }
        return 0;
}

/* Channel -> client: reads the channel, sends to the client, and shuts the client's socket
 * for writing after the channel's EOF. -1 when the SSH session failed. */
static int pump_down(struct ssh_bridge *c, bool *progress)
{
        if (!c->channel_eof && c->down_len == 0) {
                ssize_t n = libssh2_channel_read(c->channel, c->down, SSH_BRIDGE_BUFFER);
                if (n > 0) {
                        c->down_len = (size_t)n;
                        c->down_off = 0;
                        *progress = true;
                } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
                        if (libssh2_channel_eof(c->channel)) {
                                c->channel_eof = true;
                                *progress = true;
                        }
                } else if (n == LIBSSH2_ERROR_CHANNEL_CLOSED) {
                        c->channel_eof = true;
                        *progress = true;
                } else {
                        return -1;
                }
        }
        if (c->down_len > 0) {
                ssize_t n =
                    send(c->fd, c->down + c->down_off, c->down_len - c->down_off, MSG_NOSIGNAL);
                if (n > 0) {
                        c->down_off += (size_t)n;
                        if (c->down_off == c->down_len)
                                c->down_len = c->down_off = 0;
                        *progress = true;
                } else if (errno != EAGAIN && errno != EINTR) {
                        /* the client went away */
                        c->down_len = c->down_off = 0;
                        c->local_eof = c->channel_eof = true;
                        *progress = true;
                }
        }
        if (c->channel_eof && c->down_len == 0 && !c->shut) {
                shutdown(c->fd, SHUT_WR);
                c->shut = true;
        }
        return 0;
}

int ssh_bridge_pump(struct ssh_bridge *c)
{
        int moved = 0;
        bool progress = true;
        while (progress) {
                progress = false;
                if (pump_up(c, &progress) < 0 || pump_down(c, &progress) < 0)
                        return -1;
                if (progress)
                        moved = 1;
        }
        c->done = c->channel_eof && c->down_len == 0 && c->local_eof && c->eof_sent;
        return moved;
}
