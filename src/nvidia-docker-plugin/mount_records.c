#include "nvidia-docker-plugin/mount_records.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xalloc.h"

#define ANONYMOUS "anonymous-"

/* The record's file name for an ID: the ID itself when it is a plain name, else a hash. */
static char *record_name(const char *id)
{
        size_t n = strlen(id);
        bool plain = n > 0 && n <= 128 && id[0] != '.';
        for (const char *c = id; plain && *c; c++)
                plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                        (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.';
        if (plain && strncmp(id, ANONYMOUS, strlen(ANONYMOUS)) != 0)
                return xstrdup(id);
        uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a */
        for (const unsigned char *c = (const unsigned char *)id; *c; c++)
                hash = (hash ^ *c) * 0x100000001b3ull;
        return xasprintf("id-%016llx", (unsigned long long)hash);
}

/* The version and boot of a record; false when unreadable. */
static bool read_record(int dirfd, const char *name, char *version, char *boot, size_t size)
{
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return false;
        char text[200];
        ssize_t n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0)
                return false;
        text[n] = '\0';
        char *nl = strchr(text, '\n');
        if (nl == NULL)
                return false;
        *nl = '\0';
        snprintf(version, size, "%s", text);
        snprintf(boot, size, "%.*s", (int)strcspn(nl + 1, "\n"), nl + 1);
        return true;
}

/* Calls visit for each record; stops when visit returns false. */
static void each_record(struct mount_records *r,
                        bool (*visit)(void *ctx, int dirfd, const char *name, const char *version,
                                      const char *boot),
                        void *ctx)
{
        DIR *dir = opendir(r->dir);
        if (dir == NULL)
                return;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
                char version[256], boot[256];
                if (entry->d_name[0] == '.' ||
                    !read_record(dirfd(dir), entry->d_name, version, boot, sizeof(version)))
                        continue;
                if (!visit(ctx, dirfd(dir), entry->d_name, version, boot))
                        break;
        }
        closedir(dir);
}

static bool drop_old_boot(void *ctx, int dirfd, const char *name, const char *version,
                          const char *boot)
{
        const struct mount_records *r = ctx;
        if (strcmp(boot, r->boot_id) != 0)
                unlinkat(dirfd, name, 0);
        return true;
}

int mount_records_init(struct mount_records *r, const char *dir, const char *boot_id_path,
                       struct error *err)
{
        memset(r, 0, sizeof(*r));
        pthread_mutex_init(&r->lock, NULL);
        r->dir = xstrdup(dir);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return error_set_errno(err, errno, "create directory %s", dir);
        const char *path = boot_id_path ? boot_id_path : "/proc/sys/kernel/random/boot_id";
        FILE *f = fopen(path, "re");
        if (f == NULL || fgets(r->boot_id, sizeof(r->boot_id), f) == NULL)
                snprintf(r->boot_id, sizeof(r->boot_id), "unknown");
        if (f != NULL)
                fclose(f);
        r->boot_id[strcspn(r->boot_id, "\n")] = '\0';
        each_record(r, drop_old_boot, r);
        return 0;
}

void mount_records_destroy(struct mount_records *r)
{
        free(r->dir);
        r->dir = NULL;
        pthread_mutex_destroy(&r->lock);
}

int mount_records_add(struct mount_records *r, const char *id, const char *version,
                      struct error *err)
{
        pthread_mutex_lock(&r->lock);
        cleanup_free char *name =
            id != NULL && id[0] != '\0'
                ? record_name(id)
                : xasprintf(ANONYMOUS "%ld-%lu", (long)getpid(), ++r->anonymous);
        pthread_mutex_unlock(&r->lock);
        cleanup_free char *path = xasprintf("%s/%s", r->dir, name);
        cleanup_free char *tmp = xasprintf("%s/.%s.tmp", r->dir, name);
        cleanup_free char *text = xasprintf("%s\n%s\n", version, r->boot_id);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set_errno(err, errno, "record the mount in %s", tmp);
        ssize_t n = write(fd, text, strlen(text));
        int saved = errno;
        if (close(fd) < 0 || n != (ssize_t)strlen(text) || rename(tmp, path) < 0) {
                unlink(tmp);
                return error_set_errno(err, n < 0 ? saved : errno, "record the mount in %s", path);
        }
        return 0;
}

struct match {
        const char *version;
        size_t count;
        bool remove_one_anonymous;
};

static bool visit_match(void *ctx, int dirfd, const char *name, const char *version,
                        const char *boot)
{
        struct match *m = ctx;
        if (m->remove_one_anonymous) {
                if (strncmp(name, ANONYMOUS, strlen(ANONYMOUS)) != 0)
                        return true;
                unlinkat(dirfd, name, 0);
                return false;
        }
        if (strcmp(version, m->version) == 0)
                m->count++;
        return true;
}

void mount_records_remove(struct mount_records *r, const char *id)
{
        if (id != NULL && id[0] != '\0') {
                cleanup_free char *name = record_name(id);
                cleanup_free char *path = xasprintf("%s/%s", r->dir, name);
                unlink(path);
                return;
        }
        struct match m = {.remove_one_anonymous = true};
        pthread_mutex_lock(&r->lock);
        each_record(r, visit_match, &m);
        pthread_mutex_unlock(&r->lock);
}

size_t mount_records_count(struct mount_records *r, const char *version)
{
        struct match m = {.version = version};
        each_record(r, visit_match, &m);
        return m.count;
}
