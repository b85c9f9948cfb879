#include "nvidia-docker-plugin/driver_watch.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/xalloc.h"

/* Reads the file into text (empty when unreadable). */
static void read_text(const char *path, char *text, size_t size)
{
        text[0] = '\0';
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        ssize_t n = read(fd, text, size - 1);
        close(fd);
        text[n > 0 ? n : 0] = '\0';
}

/* Whether st differs from what was seen last (the caller holds the lock). */
static bool differs(const struct driver_watch *w, bool present, const struct stat *st)
{
        if (present != w->present)
                return true;
        return present &&
               (st->st_dev != w->dev || st->st_ino != w->ino || st->st_size != w->size ||
                st->st_mtim.tv_sec != w->mtime.tv_sec || st->st_mtim.tv_nsec != w->mtime.tv_nsec);
}

static void remember(struct driver_watch *w, bool present, const struct stat *st)
{
        w->present = present;
        if (present) {
                w->dev = st->st_dev;
                w->ino = st->st_ino;
                w->size = st->st_size;
                w->mtime = st->st_mtim;
        }
}

/* One stat of the version file: through the directory kept open (a one-name lookup) while it
 * exists, else by its path. */
static bool stat_version(struct driver_watch *w, struct stat *st)
{
        int dir = atomic_load(&w->dir);
        if (dir >= 0 && fstatat(dir, "version", st, 0) == 0)
                return true;
        if (stat(w->path, st) != 0)
                return false;
        /* The module's directory is back (or new): keep it open for the next checks. */
        int fresh = open(w->dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int old = atomic_exchange(&w->dir, fresh);
        if (old >= 0)
                close(old); /* a concurrent fstatat on it just fails and retries by path */
        return true;
}

void driver_watch_init(struct driver_watch *w, const char *proc_root)
{
        memset(w, 0, sizeof(*w));
        w->path = xasprintf("%s/driver/nvidia/version", proc_root);
        w->dir_path = xasprintf("%s/driver/nvidia", proc_root);
        atomic_init(&w->dir, -1);
        pthread_mutex_init(&w->lock, NULL);
        struct stat st;
        bool present = stat_version(w, &st);
        atomic_init(&w->present_hint, present);
        remember(w, present, &st);
        if (present)
                read_text(w->path, w->text, sizeof(w->text));
        w->last_read = monotonic_ms();
}

void driver_watch_destroy(struct driver_watch *w)
{
        free(w->path);
        free(w->dir_path);
        w->path = w->dir_path = NULL;
        int dir = atomic_exchange(&w->dir, -1);
        if (dir >= 0)
                close(dir);
        pthread_mutex_destroy(&w->lock);
}

bool driver_watch_changed(struct driver_watch *w)
{
        struct stat st;
        long now = monotonic_ms();
        /* No module loaded: a stat by path at most once per DRIVER_WATCH_READ_MS / 10. */
        if (!atomic_load(&w->present_hint) &&
            now - atomic_load(&w->absent_checked) < DRIVER_WATCH_READ_MS / 10)
                return false;
        bool present = stat_version(w, &st);
        atomic_store(&w->present_hint, present);
        if (!present)
                atomic_store(&w->absent_checked, now);
        pthread_mutex_lock(&w->lock);
        bool changed = false;
        /* procfs may show a reloaded module's file with the old identity: read it anyway once
         * a second. */
        if (differs(w, present, &st) || now - w->last_read >= DRIVER_WATCH_READ_MS) {
                w->last_read = now;
                char text[sizeof(w->text)];
                if (present)
                        read_text(w->path, text, sizeof(text));
                else
                        text[0] = '\0';
                /* procfs files all show size 0 and the time of the first look: the content
                 * decides (a rewritten file with the same text is no change). */
                changed = strcmp(text, w->text) != 0;
                memcpy(w->text, text, sizeof(text));
                remember(w, present, &st);
        }
        pthread_mutex_unlock(&w->lock);
        return changed;
}

void driver_watch_version(struct driver_watch *w, char *out, size_t size)
{
        pthread_mutex_lock(&w->lock);
        /* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu ...": the first word
         * after "Module" made of digits and dots. */
        const char *p = strstr(w->text, "Module");
        size_t len = 0;
        while (p != NULL && *p != '\0' && *p != '\n') {
                p += strcspn(p, " \t\n");
                p += strspn(p, " \t");
                len = strspn(p, "0123456789.");
                if (len > 0 && isdigit((unsigned char)p[0]) &&
                    (p[len] == ' ' || p[len] == '\t' || p[len] == '\n' || p[len] == '\0'))
                        break;
                len = 0;
        }
        snprintf(out, size, "%.*s", (int)len, len > 0 ? p : "");
        pthread_mutex_unlock(&w->lock);
}
