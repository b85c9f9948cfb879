#include "nvidia-docker-plugin/dev_watch.h"

#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#define EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)

static void *watch_main(void *arg)
{
        struct dev_watch *w = arg;
        char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        struct pollfd fds[2] = {{.fd = w->fd, .events = POLLIN},
                                {.fd = w->stop_fd, .events = POLLIN}};
        for (;;) {
                if (poll(fds, 2, -1) < 0)
                        continue;
                if (fds[1].revents != 0)
                        return NULL;
                while (read(w->fd, events, sizeof(events)) > 0)
                        ;
                atomic_fetch_add(&w->generation, 1);
        }
}

void dev_watch_start(struct dev_watch *w, const char *dir)
{
        memset(w, 0, sizeof(*w));
        w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->fd >= 0 && (w->stop_fd < 0 || inotify_add_watch(w->fd, dir, EVENTS) < 0 ||
                           pthread_create(&w->thread, NULL, watch_main, w) != 0)) {
                close(w->fd);
                w->fd = -1;
        }
        w->started = w->fd >= 0;
}

void dev_watch_stop(struct dev_watch *w)
{
        if (w->started) {
                uint64_t one = 1;
                if (write(w->stop_fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
                        pthread_join(w->thread, NULL);
                else
                        pthread_cancel(w->thread); /* cannot happen: a fresh eventfd */
        }
        if (w->fd >= 0)
                close(w->fd);
        if (w->stop_fd >= 0)
                close(w->stop_fd);
        w->fd = w->stop_fd = -1;
        w->started = false;
}

unsigned long dev_watch_generation(struct dev_watch *w)
{
        if (!w->started)
                return atomic_fetch_add(&w->generation, 1) + 1; /* never the same twice */
        return atomic_load(&w->generation);
}
