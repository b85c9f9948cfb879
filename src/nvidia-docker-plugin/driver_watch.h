/*
 * driver_watch: notices cheaply that the NVIDIA kernel module changed (a driver upgrade, a
 * module reload), so that the plugin rediscovers its GPUs before answering with a stale driver
 * (man/nvidia-docker-plugin.8.in, DRIVER UPGRADES).
 *
 * It watches <proc root>/driver/nvidia/version, the kernel module's own version line: one
 * stat(2) per check (through the directory kept open); the file is read and compared only when
 * its identity or time changed, or DRIVER_WATCH_READ_MS after the last read. While no module
 * is loaded (no file), a check looks at most every DRIVER_WATCH_READ_MS / 10.
 * A file that disappears (module unloaded) or appears counts as a change too. Thread-safe.
 */
#ifndef NVD_DRIVER_WATCH_H
#define NVD_DRIVER_WATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>

struct driver_watch {
        char *path;
        char *dir_path;
        atomic_int dir;           /* O_PATH descriptor of dir_path, or -1 */
        atomic_bool present_hint; /* the file existed at the last look */
        atomic_long absent_checked;
        pthread_mutex_t lock;
        bool present;
        dev_t dev;
        ino_t ino;
        struct timespec mtime;
        off_t size;
        char text[512]; /* the file's content when last read */
        long last_read; /* monotonic ms */
};

#define DRIVER_WATCH_READ_MS 1000

/* proc_root: "/proc" in production. Takes the first look. */
void driver_watch_init(struct driver_watch *watch, const char *proc_root);
void driver_watch_destroy(struct driver_watch *watch);
/* True once per change since the last call that returned true (or since init). */
bool driver_watch_changed(struct driver_watch *watch);
/* The module's version ("580.159.04") as last read, or "" (e.g. no module loaded). */
void driver_watch_version(struct driver_watch *watch, char *out, size_t size);

#endif
