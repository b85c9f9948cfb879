#include "nvidia-docker-plugin/cdi_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xalloc.h"

/* mkdir -p, mode 0755 for what it creates. */
static int make_dirs(const char *path, struct error *err)
{
        cleanup_free char *copy = xstrdup(path);
        for (char *p = copy + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                if (copy[0] != '\0' && mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return error_set_errno(err, errno, "create the CDI spec directory %s",
                                               copy);
                *p = saved;
                if (saved == '\0')
                        break;
        }
        struct stat st;
        if (stat(path, &st) < 0)
                return error_set_errno(err, errno, "CDI spec directory %s", path);
        if (!S_ISDIR(st.st_mode))
                return error_set(err, "CDI spec directory %s is not a directory", path);
        return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                data += n;
                len -= (size_t)n;
        }
        return 0;
}

int cdi_file_write(const char *dir, const char *name, const char *data, size_t len,
                   struct error *err)
{
        if (dir == NULL || dir[0] != '/')
                return error_set(err, "CDI spec directory '%s' is not an absolute path",
                                 dir ? dir : "");
        if (make_dirs(dir, err) < 0)
                return -1;
        cleanup_free char *tmp = xasprintf("%s/.%s.XXXXXX", dir, name);
        cleanup_free char *final = xasprintf("%s/%s", dir, name);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, errno, "create a temporary file in %s", dir);
        int rc = -1;
        if (write_all(fd, data, len) < 0)
                error_set_errno(err, errno, "write %s", tmp);
        else if (fchmod(fd, 0644) < 0)
                error_set_errno(err, errno, "chmod %s", tmp);
        else if (fsync(fd) < 0)
                error_set_errno(err, errno, "sync %s", tmp);
        else
                rc = 0;
        if (close(fd) < 0 && rc == 0)
                rc = error_set_errno(err, errno, "write %s", tmp);
        if (rc == 0 && rename(tmp, final) < 0)
                rc = error_set_errno(err, errno, "rename %s to %s", tmp, final);
        if (rc < 0) {
                unlink(tmp);
                return -1;
        }
        cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd >= 0)
                fsync(dirfd); /* the rename is done; a failed sync of it is not worth failing */
        return 0;
}

int cdi_file_remove(const char *dir, const char *name, struct error *err)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, name);
        if (unlink(path) < 0 && errno != ENOENT && errno != ENOTDIR)
                return error_set_errno(err, errno, "remove the CDI spec %s", path);
        return 0;
}

void cdi_file_clean(const char *dir, const char *name)
{
        DIR *d = opendir(dir);
        if (d == NULL)
                return;
        cleanup_free char *prefix = xasprintf(".%s.", name);
        size_t prefix_len = strlen(prefix);
        struct dirent *entry;
        while ((entry = readdir(d)) != NULL)
                if (strncmp(entry->d_name, prefix, prefix_len) == 0 &&
                    strlen(entry->d_name) == prefix_len + 6)
                        unlinkat(dirfd(d), entry->d_name, 0);
        closedir(d);
}
