/*
 * dev_watch: a counter that changes whenever an entry of a directory is created, removed or
 * renamed (inotify), so that what a request learnt about device nodes can be reused without a
 * system call until the directory changes. Where inotify is not available the counter changes
 * on every read, and nothing is reused.
 */
#ifndef NVD_DEV_WATCH_H
#define NVD_DEV_WATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct dev_watch {
        int fd;      /* inotify, or -1 */
        int stop_fd; /* eventfd that ends the thread */
        pthread_t thread;
        bool started;
        atomic_ulong generation;
};

/* Watches `dir` (borrowed) on a thread of its own; never fails (see above). */
void dev_watch_start(struct dev_watch *watch, const char *dir);
void dev_watch_stop(struct dev_watch *watch);
/* The current count: equal values mean no entry changed in between. */
unsigned long dev_watch_generation(struct dev_watch *watch);

#endif
