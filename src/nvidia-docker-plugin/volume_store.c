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
#include "nvidia-docker-plugin/driver_caps.h"
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

/* The kind directories under the root: nvidia_driver and nvidia_driver-<set> (owned paths). */
static void kind_dirs(const struct volume_store *store, struct strv *out)
{
        strv_push(out, store->kind_dir);
        DIR *dir = opendir(store->root);
        if (dir == NULL)
                return;
        struct dirent *entry;
        size_t base = strlen(VOLUME_KIND_DRIVER);
        unsigned caps;
        while ((entry = readdir(dir)) != NULL)
                if (strncmp(entry->d_name, VOLUME_KIND_DRIVER "-", base + 1) == 0 &&
                    driver_caps_from_suffix(entry->d_name + base + 1,
                                            strlen(entry->d_name) - base - 1, &caps))
                        strv_pushf(out, "%s/%s", store->root, entry->d_name);
        closedir(dir);
}

/* Removes what interrupted builds left (the caller holds the lock). */
static void remove_stale_builds(struct volume_store *store)
{
        struct strv kinds = STRV_INIT;
        kind_dirs(store, &kinds);
        struct strv stale = STRV_INIT;
        for (size_t k = 0; k < kinds.count; k++) {
                DIR *dir = opendir(kinds.items[k]);
                if (dir == NULL)
                        continue;
                struct dirent *entry;
                while ((entry = readdir(dir)) != NULL)
                        if (strncmp(entry->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
                                strv_pushf(&stale, "%s/%s", kinds.items[k], entry->d_name);
                closedir(dir);
        }
        strv_destroy(&kinds);
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

/* True when a file below `dir` (depth-limited) is an empty file of the volume's own file system
 * `dev` where a bind-mounted driver file was: the mounts are gone (a reboot), the placeholders
 * stay. No driver file is empty, so a copy or a hard link never looks like this. */
static bool dir_has_dead_binds(const char *dir, dev_t dev, int depth)
{
        DIR *d = opendir(dir);
        if (d == NULL)
                return false;
        bool dead = false;
        struct dirent *entry;
        while (!dead && (entry = readdir(d)) != NULL) {
                if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                        continue;
                struct stat st;
                cleanup_free char *path = xasprintf("%s/%s", dir, entry->d_name);
                if (lstat(path, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && depth < 4)
                        dead = dir_has_dead_binds(path, dev, depth + 1);
                else if (S_ISREG(st.st_mode) && st.st_size == 0 &&
                         !file_tree_is_mount_point(path, dev))
                        dead = true;
        }
        closedir(d);
        return dead;
}

static bool has_dead_binds(const char *volume)
{
        struct stat top;
        if (stat(volume, &top) < 0)
                return false;
        return dir_has_dead_binds(volume, top.st_dev, 0);
}

/* Valid version directories of one kind directory, sorted. */
static int list_kind(const char *kind_dir, struct strv *versions, struct error *err);

/* Volumes whose bind mounts are gone are removed, to be built again on demand (the caller
 * holds the lock). */
static void remove_dead_volumes(struct volume_store *store)
{
        struct strv kinds = STRV_INIT;
        kind_dirs(store, &kinds);
        for (size_t k = 0; k < kinds.count; k++) {
                struct strv versions = STRV_INIT;
                struct error err = ERROR_INIT;
                if (list_kind(kinds.items[k], &versions, &err) < 0)
                        error_clear(&err);
                for (size_t i = 0; i < versions.count; i++) {
                        cleanup_free char *path =
                            xasprintf("%s/%s", kinds.items[k], versions.items[i]);
                        if (!has_dead_binds(path))
                                continue;
                        if (file_tree_remove(path, &err) < 0)
                                log_warning("%s", err.message);
                        else
                                log_msg("Removed the volume %s: its bind-mounted driver files are "
                                        "gone (a reboot?); it is built again when asked for",
                                        path);
                        error_clear(&err);
                }
                strv_destroy(&versions);
        }
        strv_destroy(&kinds);
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

/* <root>/<kind of caps> */
static char *set_kind_dir(const struct volume_store *store, unsigned caps)
{
        cleanup_free char *kind = volume_kind_of(caps);
        return xasprintf("%s/%s", store->root, kind);
}

char *volume_store_set_path(const struct volume_store *store, unsigned caps, const char *version)
{
        cleanup_free char *dir = set_kind_dir(store, caps);
        return xasprintf("%s/%s", dir, version);
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

static int build(struct volume_store *store, unsigned caps, const char *version, const char *final,
                 struct error *err)
{
        struct driver_files files;
        struct driver_files_options options = store->files;
        options.capabilities = caps;
        if (driver_files_find(&files, &options, err) < 0)
                return -1;
        cleanup_free char *kind_dir = set_kind_dir(store, caps);
        cleanup_free char *tmp = xasprintf("%s/" TMP_PREFIX "%s-XXXXXX", kind_dir, version);
        cleanup_free char *kind = volume_kind_of(caps);
        cleanup_free char *name = xasprintf("%s_%s", kind, version);
        int rc = -1;
        if (file_tree_make_dirs(kind_dir, err) < 0)
                goto out;
        if (mkdtemp(tmp) == NULL) {
                error_set_errno(err, errno, "create directory in %s", kind_dir);
                goto out;
        }
        if (chmod(tmp, 0755) < 0) {
                error_set_errno(err, errno, "chmod %s", tmp);
                goto fail;
        }
        struct volume_populate_options populate = {
            .bind = store->bind_mounts,
            .copy_threads = store->copy_threads,
            .stop = &store->stopping,
        };
        struct volume_populate_stats stats;
        if (volume_populate(tmp, &files, &populate, &stats, err) < 0)
                goto fail;
        volume_populate_log(name, &stats);
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

int volume_store_ensure_set(struct volume_store *store, unsigned caps, const char *version,
                            bool *built, struct error *err)
{
        if (built != NULL)
                *built = false;
        if (!volume_version_is_valid(version))
                return error_set(err, "invalid volume version '%s'", version);
        caps = driver_caps_close(caps);
        if (caps == 0)
                return error_set(err, "no driver capability asked for");
        cleanup_free char *final = volume_store_set_path(store, caps, version);
        /* Fast path: a complete volume appears only by rename, so it is safe to use unlocked. */
        int exists = volume_exists(final, err);
        if (exists != 0)
                return exists < 0 ? -1 : 0;
        if (lock_acquire(store, err) < 0)
                return -1;
        int rc = volume_exists(final, err);
        if (rc == 0) {
                rc = build(store, caps, version, final, err);
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

int volume_store_ensure(struct volume_store *store, const char *version, bool *built,
                        struct error *err)
{
        return volume_store_ensure_set(store, DRIVER_CAP_ALL, version, built, err);
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

int volume_store_remove_set(struct volume_store *store, unsigned caps, const char *version,
                            struct error *err)
{
        if (!volume_version_is_valid(version))
                return error_set(err, "invalid volume version '%s'", version);
        caps = driver_caps_close(caps);
        if (caps == 0)
                return 0;
        cleanup_free char *path = volume_store_set_path(store, caps, version);
        if (lock_acquire(store, err) < 0)
                return -1;
        int rc = file_tree_remove(path, err);
        lock_release(store);
        return rc;
}

int volume_store_remove(struct volume_store *store, const char *version, struct error *err)
{
        return volume_store_remove_set(store, DRIVER_CAP_ALL, version, err);
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_kind(const char *kind_dir, struct strv *versions, struct error *err)
{
        DIR *dir = opendir(kind_dir);
        if (dir == NULL) {
                if (errno == ENOENT)
                        return 0;
                return error_set_errno(err, errno, "open %s", kind_dir);
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

int volume_store_list(struct volume_store *store, struct strv *versions, struct error *err)
{
        return list_kind(store->kind_dir, versions, err);
}

int volume_store_list_names(struct volume_store *store, struct strv *names, struct error *err)
{
        struct strv kinds = STRV_INIT;
        kind_dirs(store, &kinds);
        int rc = 0;
        for (size_t k = 0; k < kinds.count && rc == 0; k++) {
                struct strv versions = STRV_INIT;
                rc = list_kind(kinds.items[k], &versions, err);
                const char *kind = strrchr(kinds.items[k], '/') + 1;
                for (size_t i = 0; rc == 0 && i < versions.count; i++)
                        strv_pushf(names, "%s_%s", kind, versions.items[i]);
                strv_destroy(&versions);
        }
        strv_destroy(&kinds);
        if (names->count > 1)
                qsort(names->items, names->count, sizeof(char *), compare_strings);
        return rc;
}
