/*
 * file_tree: directory trees of the volume store on disk: creating a path, telling a mount
 * point, and removing a tree whose files may be bind mounts.
 *
 * file_tree_remove never follows a symlink and never crosses into another mount: whatever is
 * mounted below the tree (a volume's read-only bind-mounted driver files) is unmounted, lazily,
 * and only then its placeholder removed; the mounted file system itself is never emptied.
 */
#ifndef NVD_FILE_TREE_H
#define NVD_FILE_TREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

/* mkdir -p, mode 0755 for each missing component; an error when path ends up no directory. */
int file_tree_make_dirs(const char *path, struct error *err);
/* True when `path` (not followed) is a mount point: STATX_ATTR_MOUNT_ROOT where the kernel
 * tells (a bind mount from the same file system keeps st_dev), else a device other than `dev`. */
bool file_tree_is_mount_point(const char *path, dev_t dev);
/* rm -rf of `path` with the rules above; a missing path is success, a symlink is unlinked. */
int file_tree_remove(const char *path, struct error *err);

#endif
