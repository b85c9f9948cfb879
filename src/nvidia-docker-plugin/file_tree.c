#include "nvidia-docker-plugin/file_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/strv.h"
#include "common/xalloc.h"

/* Deeper than any volume (nvidia_driver/<version>/lib64/<file>): a loop or an attack. */
#define MAX_DEPTH 16

int file_tree_make_dirs(const char *path, struct error *err)
{
        cleanup_free char *copy = xstrdup(path);
        for (char *p = copy + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return error_set_errno(err, errno, "create directory %s", copy);
                *p = saved;
                if (saved == '\0')
                        break;
        }
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(err, "%s is not a directory", path);
        return 0;
}

bool file_tree_is_mount_point(const char *path, dev_t dev)
{
        struct statx stx;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0) {
                if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
                return makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev;
        }
        return false;
}

/* Lazily unmounts the mount point `child`; fails when something stays mounted there. */
static int unmount_child(const char *child, dev_t dev, struct stat *st, struct error *err)
{
        if (umount2(child, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                return error_set_errno(err, errno, "unmount %s", child);
        if (lstat(child, st) < 0 || file_tree_is_mount_point(child, dev))
                return error_set(err, "remove %s: still a mount point", child);
        return 0;
}

/* Empties the directory `path` of file system `dev`. */
static int remove_below(const char *path, dev_t dev, int depth, struct error *err)
{
        if (depth > MAX_DEPTH)
                return error_set(err, "remove %s: too deep", path);
        DIR *dir = opendir(path);
        if (dir == NULL)
                return error_set_errno(err, errno, "remove %s", path);
        struct strv names = STRV_INIT;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL)
                if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
                        strv_push(&names, entry->d_name);
        closedir(dir);
        int rc = 0;
        for (size_t i = 0; i < names.count && rc == 0; i++) {
                cleanup_free char *child = xasprintf("%s/%s", path, names.items[i]);
                struct stat st;
                if (lstat(child, &st) < 0) {
                        if (errno != ENOENT)
                                rc = error_set_errno(err, errno, "remove %s", child);
                        continue;
                }
                if (file_tree_is_mount_point(child, dev) &&
                    (rc = unmount_child(child, dev, &st, err)) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        rc = remove_below(child, dev, depth + 1, err);
                        if (rc == 0 && rmdir(child) < 0 && errno != ENOENT)
                                rc = error_set_errno(err, errno, "remove %s", child);
                } else if (unlink(child) < 0 && errno != ENOENT) {
                        rc = error_set_errno(err, errno, "remove %s", child);
                }
        }
        strv_destroy(&names);
        return rc;
}

int file_tree_remove(const char *path, struct error *err)
{
        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return error_set_errno(err, errno, "stat %s", path);
        }
        if (!S_ISDIR(st.st_mode)) {
                if (unlink(path) < 0 && errno != ENOENT)
                        return error_set_errno(err, errno, "remove %s", path);
                return 0;
        }
        if (remove_below(path, st.st_dev, 0, err) < 0)
                return -1;
        if (rmdir(path) < 0 && errno != ENOENT)
                return error_set_errno(err, errno, "remove %s", path);
        return 0;
}
