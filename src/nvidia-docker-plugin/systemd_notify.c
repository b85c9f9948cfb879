#include "nvidia-docker-plugin/systemd_notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"

int systemd_notify_open(struct systemd_notify *notify, const char *name, struct error *err)
{
        memset(notify, 0, sizeof(*notify));
        notify->fd = -1;
        if (name == NULL || name[0] == '\0')
                return 0;
        size_t len = strlen(name);
        if ((name[0] != '/' && name[0] != '@') || len >= sizeof(notify->address.sun_path))
                return error_set(err,
                                 "NOTIFY_SOCKET=%s: expected an absolute path or @name of at most "
                                 "%zu bytes",
                                 name, sizeof(notify->address.sun_path) - 1);
        notify->address.sun_family = AF_UNIX;
        memcpy(notify->address.sun_path, name, len);
        if (name[0] == '@')
                notify->address.sun_path[0] = '\0'; /* abstract: no terminating NUL counted */
        notify->address_len =
            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
        notify->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (notify->fd < 0)
                return error_set_errno(err, errno, "NOTIFY_SOCKET=%s: socket", name);
        return 0;
}

int systemd_notify_send(struct systemd_notify *notify, const char *fmt, ...)
{
        if (notify->fd < 0)
                return 0;
        va_list ap;
        va_start(ap, fmt);
        cleanup_free char *text = xvasprintf(fmt, ap);
        va_end(ap);
        ssize_t n;
        do
                n = sendto(notify->fd, text, strlen(text), MSG_NOSIGNAL,
                           (struct sockaddr *)&notify->address, notify->address_len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -1 : 0;
}

void systemd_notify_close(struct systemd_notify *notify)
{
        if (notify->fd >= 0)
                close(notify->fd);
        notify->fd = -1;
}
