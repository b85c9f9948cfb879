#include "nvidia-docker-plugin/volume_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/file_tree.h"
#include "nvidia-docker-plugin/volume_name.h"
#include "nvidia-docker-plugin/volume_populate.h"

#define TMP_PREFIX ".tmp-"

static int lock_acquire(struct volume_store *store, struct error *err)
{
        pthread_mutex_lock(&store->mutex);
        while (flock(store->lock_fd, LOCK_EX) < 0) {
                if (errno == EINTR)
                        continue;
                int saved = errno;
                pthread_mutex_unlock(&store->mutex);
                return error_set_errno(err, saved, "lock %s", store->lock_path);
        }
        return 0;
}

static void lock_release(struct volume_store *store)
{
        flock(store->lock_fd, LOCK_UN);
        pthread_mutex_unlock(&store->mutex);
}

/* Removes what interrupted builds left (the caller holds the lock). */
static void remove_stale_builds(struct volume_store *store)
{
        DIR *dir = opendir(store->kind_dir);
        if (dir == NULL)
                return;
        struct strv stale = STRV_INIT;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL)
                if (strncmp(entry->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
                        strv_pushf(&stale, "%s/%s", store->kind_dir, entry->d_name);
        closedir(dir);
        for (size_t i = 0; i < stale.count; i++) {
                struct error err = ERROR_INIT;
                if (file_tree_remove(stale.items[i], &err) < 0)
                        log_warning("%s", err.message);
                else
                        log_msg("Removed the unfinished volume %s", stale.items[i]);
                error_clear(&err);
        }
        strv_destroy(&stale);
}

/* True when a file of the volume is an empty file of the volume's own file system where a
 * bind-mounted driver file was: the mounts are gone (a reboot), the placeholders stay. No
 * driver file is empty, so a copy or a hard link never looks like this. */
static bool has_dead_binds(const char *volume)
{
        struct stat top;
        if (stat(volume, &top) < 0)
                return false;
        static const enum driver_file_place places[] = {DRIVER_FILE_BIN, DRIVER_FILE_LIB,
                                                        DRIVER_FILE_LIB64};
        for (size_t p = 0; p < sizeof(places) / sizeof(places[0]); p++) {
                cleanup_free char *sub =
                    xasprintf("%s/%s", volume, volume_populate_dir_name(places[p]));
                DIR *dir = opendir(sub);
                if (dir == NULL)
                        continue;
                bool dead = false;
                struct dirent *entry;
                while (!dead && (entry = readdir(dir)) != NULL) {
                        struct stat st;
                        cleanup_free char *path = xasprintf("%s/%s", sub, entry->d_name);
                        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
                            !file_tree_is_mount_point(path, top.st_dev))
                                dead = true;
                }
                closedir(dir);
                if (dead)
                        return true;
        }
        return false;
}

/* Volumes whose bind mounts are gone are removed, to be built again on demand (the caller
 * holds the lock). */
static void remove_dead_volumes(struct volume_store *store)
{
        struct strv versions = STRV_INIT;
        struct error err = ERROR_INIT;
        if (volume_store_list(store, &versions, &err) < 0) {
                error_clear(&err);
                return;
        }
        for (size_t i = 0; i < versions.count; i++) {
                cleanup_free char *path = volume_store_path(store, versions.items[i]);
                if (!has_dead_binds(path))
                        continue;
                if (file_tree_remove(path, &err) < 0)
                        log_warning("%s", err.message);
                else
                        log_msg("Removed the volume %s: its bind-mounted driver files are gone "
                                "(a reboot?); it is built again when asked for",
                                path);
                error_clear(&err);
        }
        strv_destroy(&versions);
}

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

int volume_store_init(struct volume_store *store, const char *root,
                      const struct driver_files_options *files, struct error *err)
{
        memset(store, 0, sizeof(*store));
        store->lock_fd = -1;
        if (root == NULL || root[0] != '/')
                return error_set(err, "volume root must be an absolute path (got '%s')",
                                 root ? root : "");
        store->root = xstrdup(root);
        store->kind_dir = xasprintf("%s/%s", root, VOLUME_KIND_DRIVER);
        store->lock_path = xasprintf("%s/.lock", store->kind_dir);
        store->files = *files;
        store->files.root = dup_or_null(files->root);
        store->files.version = dup_or_null(files->version);
        store->files.path_env = dup_or_null(files->path_env);
        store->files.ldcache_path = dup_or_null(files->ldcache_path);
        pthread_mutex_init(&store->mutex, NULL);
        if (file_tree_make_dirs(store->kind_dir, err) < 0)
                goto fail;
        store->lock_fd = open(store->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (store->lock_fd < 0) {
                error_set_errno(err, errno, "open %s", store->lock_path);
                goto fail;
        }
        if (lock_acquire(store, err) < 0)
                goto fail;
        remove_stale_builds(store);
        remove_dead_volumes(store);
        lock_release(store);
        return 0;
fail:
        volume_store_destroy(store);
        return -1;
}

void volume_store_destroy(struct volume_store *store)
{
        if (store == NULL || store->root == NULL)
                return;
        if (store->lock_fd >= 0)
                close(store->lock_fd);
        free(store->root);
        free(store->kind_dir);
        free(store->lock_path);
        free((char *)store->files.root);
        free((char *)store->files.version);
        free((char *)store->files.path_env);
        free((char *)store->files.ldcache_path);
        pthread_mutex_destroy(&store->mutex);
        memset(store, 0, sizeof(*store));
        store->lock_fd = -1;
}

char *volume_store_path(const struct volume_store *store, const char *version)
{
        return xasprintf("%s/%s", store->kind_dir, version);
}

/* 1 if a directory, 0 if missing, -1 (with err) if something else is there. */
static int volume_exists(const char *path, struct error *err)
{
        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return error_set_errno(err, errno, "stat %s", path);
        }
        if (!S_ISDIR(st.st_mode))
                return error_set(err, "%s exists and is not a directory; remove it", path);
        return 1;
}

static int build(struct volume_store *store, const char *version, const char *final,
                 struct error *err)
{
        struct driver_files files;
        if (driver_files_find(&files, &store->files, err) < 0)
                return -1;
        cleanup_free char *tmp = xasprintf("%s/" TMP_PREFIX "%s-XXXXXX", store->kind_dir, version);
        int rc = -1;
        if (mkdtemp(tmp) == NULL) {
                error_set_errno(err, errno, "create directory in %s", store->kind_dir);
                goto out;
        }
        if (chmod(tmp, 0755) < 0) {
                error_set_errno(err, errno, "chmod %s", tmp);
                goto fail;
        }
        struct volume_populate_options options = {
            .bind = store->bind_mounts,
            .copy_threads = store->copy_threads,
            .stop = &store->stopping,
        };
        struct volume_populate_stats stats;
        if (volume_populate(tmp, &files, &options, &stats, err) < 0)
                goto fail;
        volume_populate_log(version, &stats);
        if (rename(tmp, final) < 0) {
                error_set_errno(err, errno, "rename %s to %s", tmp, final);
                goto fail;
        }
        rc = 0;
        goto out;
fail:;
        struct error cleanup_err = ERROR_INIT;
        if (file_tree_remove(tmp, &cleanup_err) < 0)
                log_warning("%s", cleanup_err.message);
        error_clear(&cleanup_err);
out:
        driver_files_destroy(&files);
        return rc;
}

int volume_store_ensure(struct volume_store *store, const char *version, bool *built,
                        struct error *err)
{
        if (built != NULL)
                *built = false;
        if (!volume_version_is_valid(version))
                return error_set(err, "invalid volume version '%s'", version);
        cleanup_free char *final = volume_store_path(store, version);
        /* Fast path: a complete volume appears only by rename, so it is safe to use unlocked. */
        int exists = volume_exists(final, err);
        if (exists != 0)
                return exists < 0 ? -1 : 0;
        if (lock_acquire(store, err) < 0)
                return -1;
        int rc = volume_exists(final, err);
        if (rc == 0) {
                rc = build(store, version, final, err);
                if (rc == 0 && built != NULL)
                        *built = true;
        } else if (rc > 0) {
                rc = 0;
        }
        lock_release(store);
        if (rc < 0)
                error_prefix(err, "building volume %s", final);
        return rc;
}

void volume_store_set_version(struct volume_store *store, const char *version)
{
        pthread_mutex_lock(&store->mutex); /* a build in progress finishes with the old files */
        free((char *)store->files.version);
        store->files.version = dup_or_null(version);
        pthread_mutex_unlock(&store->mutex);
}

void volume_store_stop(struct volume_store *store)
{
        atomic_store(&store->stopping, true);
}

int volume_store_remove(struct volume_store *store, const char *version, struct error *err)
{
        if (!volume_version_is_valid(version))
                return error_set(err, "invalid volume version '%s'", version);
        cleanup_free char *path = volume_store_path(store, version);
        if (lock_acquire(store, err) < 0)
                return -1;
        int rc = file_tree_remove(path, err);
        lock_release(store);
        return rc;
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int volume_store_list(struct volume_store *store, struct strv *versions, struct error *err)
{
        DIR *dir = opendir(store->kind_dir);
        if (dir == NULL) {
                if (errno == ENOENT)
                        return 0;
                return error_set_errno(err, errno, "open %s", store->kind_dir);
        }
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
                if (!volume_version_is_valid(entry->d_name))
                        continue;
                struct stat st;
                if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISDIR(st.st_mode))
                        strv_push(versions, entry->d_name);
        }
        closedir(dir);
        if (versions->count > 1)
                qsort(versions->items, versions->count, sizeof(char *), compare_strings);
        return 0;
}
