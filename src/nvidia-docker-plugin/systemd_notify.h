/*
 * systemd_notify: tells the service manager how the plugin is doing (READY=1, RELOADING=1,
 * STOPPING=1, STATUS=...), with the datagram protocol that sd_notify(3) documents: one datagram
 * of newline-separated assignments to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or
 * "@name" in the abstract namespace). Written here rather than linked from libsystemd: the
 * protocol is a stable, documented dozen lines, and the plugin stays free of a library it would
 * load on every machine for this alone. Without a socket (not started by systemd, or
 * Type=simple) every call does nothing. Sending is best effort and never blocks.
 */
#ifndef NVD_SYSTEMD_NOTIFY_H
#define NVD_SYSTEMD_NOTIFY_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/error.h"

struct systemd_notify {
        int fd; /* -1: nobody to tell */
        struct sockaddr_un address;
        socklen_t address_len;
};

/* `socket_name` is $NOTIFY_SOCKET as main read it (NULL or "": nobody to tell). Fails for a name
 * that is neither an absolute path nor "@abstract", or too long. */
int systemd_notify_open(struct systemd_notify *notify, const char *socket_name, struct error *err);
/* Sends the assignments, e.g. "READY=1\nSTATUS=..." (printf format). -1 when it could not be
 * sent (nothing to do about it but log). */
int systemd_notify_send(struct systemd_notify *notify, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void systemd_notify_close(struct systemd_notify *notify);

#endif
