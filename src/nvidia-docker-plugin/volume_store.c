#include "nvidia-docker-plugin/volume_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/elf_file.h"
#include "nvidia-docker-plugin/volume_name.h"

#define TMP_PREFIX     ".tmp-"
#define TLS_ABI_2_3_99 0x0000006300000003ull

#define place_dirs driver_file_place_dirs

/* mkdir -p with mode 0755 for each missing component. */
static int make_dirs(const char *path, struct error *err)
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

/* True when `path` (not followed) is a mount point: STATX_ATTR_MOUNT_ROOT where the kernel tells
 * (a bind mount from the same file system keeps st_dev), else a device other than `dev`. */
static bool is_mount_point(const char *path, dev_t dev)
{
        struct statx stx;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0) {
                if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
                return makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev;
        }
        return false;
}

/* Empties the directory `path` of file system `dev`. Whatever is mounted below it (the
 * bind-mounted driver files of a volume) is unmounted, lazily, and never emptied: only this file
 * system's entries are removed. */
static int remove_below(const char *path, dev_t dev, int depth, struct error *err)
{
        if (depth > 16)
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
                if (is_mount_point(child, dev)) {
                        if (umount2(child, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
                                rc = error_set_errno(err, errno, "unmount %s", child);
                                continue;
                        }
                        if (lstat(child, &st) < 0 || is_mount_point(child, dev)) {
                                rc = error_set(err, "remove %s: still a mount point", child);
                                continue;
                        }
                }
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

/* rm -rf without following symlinks; mounts below are unmounted, not crossed. */
static int remove_tree(const char *path, struct error *err)
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
                if (remove_tree(stale.items[i], &err) < 0)
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
                else if (S_ISREG(st.st_mode) && st.st_size == 0 && !is_mount_point(path, dev))
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
                        if (remove_tree(path, &err) < 0)
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
        if (make_dirs(store->kind_dir, err) < 0)
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

/* ---- building ---- */

/* What one build did, for its log line. */
struct build_stats {
        size_t files, linked, bound, copied, threads;
        uint64_t copied_bytes;
        long examine_ms, copy_ms;
};

/* ---- a pool of worker threads ---- */

#define POOL_MAX_THREADS 16

struct pool_run {
        size_t count;
        atomic_size_t next;
        void (*work)(void *ctx, size_t i);
        void *ctx;
};

static void *pool_worker(void *arg)
{
        struct pool_run *run = arg;
        for (size_t i; (i = atomic_fetch_add(&run->next, 1)) < run->count;)
                run->work(run->ctx, i);
        return NULL;
}

/* min(16, online CPUs, jobs) for jobs > 0; NVD_COPY_THREADS=N (1-99) sets it for benchmarks
 * (bench_volume.sh: 1 is the serial baseline). */
static size_t pool_threads(size_t jobs)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n > POOL_MAX_THREADS)
                n = POOL_MAX_THREADS;
        const char *forced = getenv("NVD_COPY_THREADS");
        if (forced != NULL && forced[0] >= '1' && forced[0] <= '9' &&
            (forced[1] == '\0' || (forced[1] >= '0' && forced[1] <= '9' && forced[2] == '\0')))
                n = strtol(forced, NULL, 10);
        size_t want = n < 1 ? 1 : (size_t)n;
        return want < jobs ? want : jobs;
}

/* work(ctx, i) for every i < count, on pool_threads(count) threads (the caller being one);
 * returns the number of threads that ran. */
static size_t pool_for(size_t count, void (*work)(void *ctx, size_t i), void *ctx)
{
        if (count == 0)
                return 0;
        struct pool_run run = {.count = count, .work = work, .ctx = ctx};
        atomic_init(&run.next, 0);
        size_t want = pool_threads(count);
        pthread_t *threads = xmalloc(want * sizeof(*threads));
        size_t started = 0;
        for (size_t t = 1; t < want; t++) {
                if (pthread_create(&threads[started], NULL, pool_worker, &run) != 0)
                        break; /* fewer threads: the others take the work */
                started++;
        }
        pool_worker(&run);
        for (size_t t = 0; t < started; t++)
                pthread_join(threads[t], NULL);
        free(threads);
        return started + 1;
}

static bool stopping(const atomic_bool *stop)
{
        return stop != NULL && atomic_load(stop);
}

/* ---- copies ----
 * Files that could not be hard-linked. Phase 1 reserves the name (an empty file made with
 * O_EXCL, so the duplicate-basename rule and the soname links behave as when each file was
 * placed in turn) and gives it its final size; phase 2 fills it in chunks of COPY_CHUNK bytes,
 * all files' chunks at once on the pool: a 100 MB library is copied by several threads, so the
 * largest file no longer sets the build time. (On the GPU host the squashfs device sets it: 8,
 * 16 and 32 threads copy its 676 MiB in the same 1.1-1.4 s; hence bind mounts there.) */

#define COPY_CHUNK ((off_t)8 << 20)
#define COPY_BUF   ((size_t)256 << 10)

struct copy_job {
        size_t index;     /* in the file list: errors are reported in list order */
        const char *src;  /* driver file (borrowed) */
        int dirfd;        /* borrowed */
        const char *name; /* borrowed */
        char *shown;      /* owned */
        off_t size;
        mode_t mode;
        size_t first_chunk, chunks;
};

struct copy_chunk {
        struct copy_job *job;
        off_t offset, length;
        struct error err; /* this chunk's own error: no error object is shared by threads */
        int rc;
};

struct copy_run {
        struct copy_chunk *chunks;
        atomic_size_t first_error; /* lowest failing file index so far (SIZE_MAX: none) */
        const atomic_bool *stop;
};

/* Copies [offset, offset + length) of src into the reserved file at the same offset. */
static int copy_range(const struct copy_job *job, off_t offset, off_t length,
                      const atomic_bool *stop, struct error *err)
{
        cleanup_close int in = open(job->src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return error_set_errno(err, errno, "open %s", job->src);
        cleanup_close int out = openat(job->dirfd, job->name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (out < 0)
                return error_set_errno(err, errno, "open %s", job->shown);
        cleanup_free char *buffer = NULL;
        off_t in_off = offset, out_off = offset, end = offset + length;
        while (in_off < end) {
                if (stopping(stop))
                        return error_set(err, "copy %s to %s: the plugin is stopping", job->src,
                                         job->shown);
                ssize_t n;
                size_t want = (size_t)(end - in_off);
                if (buffer == NULL) {
                        n = copy_file_range(in, &in_off, out, &out_off, want, 0);
                        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                                      errno == EOPNOTSUPP)) {
                                buffer = xmalloc(COPY_BUF); /* across file systems: by hand */
                                continue;
                        }
                } else {
                        n = pread(in, buffer, want < COPY_BUF ? want : COPY_BUF, in_off);
                        for (ssize_t w = 0; n > 0 && w < n;) {
                                ssize_t m = pwrite(out, buffer + w, (size_t)(n - w), out_off + w);
                                if (m < 0 && errno == EINTR)
                                        continue;
                                if (m < 0)
                                        return error_set_errno(err, errno, "write %s", job->shown);
                                w += m;
                        }
                        if (n > 0) {
                                in_off += n;
                                out_off += n;
                        }
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set_errno(err, errno, "copy %s to %s", job->src, job->shown);
                if (n == 0)
                        return error_set(err, "copy %s to %s: the file shrank while it was copied",
                                         job->src, job->shown);
        }
        int fd = out;
        out = -1;
        if (close(fd) < 0)
                return error_set_errno(err, errno, "write %s", job->shown);
        return 0;
}

static void copy_chunk_work(void *ctx, size_t i)
{
        struct copy_run *run = ctx;
        struct copy_chunk *chunk = &run->chunks[i];
        /* Chunks of files after a failed file cannot change the outcome: skip them. */
        if (chunk->job->index > atomic_load(&run->first_error))
                return;
        chunk->rc = copy_range(chunk->job, chunk->offset, chunk->length, run->stop, &chunk->err);
        if (chunk->rc < 0) {
                size_t seen = atomic_load(&run->first_error);
                while (chunk->job->index < seen &&
                       !atomic_compare_exchange_weak(&run->first_error, &seen, chunk->job->index))
                        ;
        }
}

static int compare_jobs(const void *a, const void *b)
{
        const struct copy_job *x = *(struct copy_job *const *)a, *y = *(struct copy_job *const *)b;
        if (x->size != y->size)
                return x->size > y->size ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* Copies every job (largest files' chunks first); the caller then gives each copy its mode.
 * Returns the number of threads used; a job's failure is in its first failing chunk's err
 * (chunks[] is returned for the caller to read and free). */
static size_t copy_all(struct copy_job *jobs, size_t count, const atomic_bool *stop,
                       struct copy_chunk **chunks_out, size_t *nchunks_out)
{
        struct copy_job **order = xmalloc((count ? count : 1) * sizeof(*order));
        size_t nchunks = 0;
        for (size_t i = 0; i < count; i++) {
                order[i] = &jobs[i];
                jobs[i].chunks =
                    jobs[i].size > 0 ? (size_t)((jobs[i].size - 1) / COPY_CHUNK + 1) : 0;
                nchunks += jobs[i].chunks;
        }
        qsort(order, count, sizeof(*order), compare_jobs);
        struct copy_chunk *chunks = xcalloc(nchunks ? nchunks : 1, sizeof(*chunks));
        size_t c = 0;
        for (size_t i = 0; i < count; i++) {
                struct copy_job *job = order[i];
                job->first_chunk = c;
                for (off_t off = 0; off < job->size; off += COPY_CHUNK, c++)
                        chunks[c] = (struct copy_chunk){
                            .job = job,
                            .offset = off,
                            .length = job->size - off < COPY_CHUNK ? job->size - off : COPY_CHUNK,
                            .err = ERROR_INIT,
                        };
        }
        free(order);
        struct copy_run run = {.chunks = chunks, .stop = stop};
        atomic_init(&run.first_error, SIZE_MAX);
        size_t threads = pool_for(nchunks, copy_chunk_work, &run);
        *chunks_out = chunks;
        *nchunks_out = nchunks;
        return threads;
}

/* A relative symlink `name` -> `target` in `dirfd`; an existing entry is kept (1.0). */
static int add_link(int dirfd, const char *name, const char *target, const char *dir,
                    struct error *err)
{
        /* Link names come from the ELF file: never let one leave the directory. */
        if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0) {
                log_warning("%s/%s: ignoring the unusable soname '%s'", dir, target, name);
                return 0;
        }
        if (strcmp(name, target) == 0)
                return 0;
        if (symlinkat(target, dirfd, name) < 0 && errno != EEXIST)
                return error_set_errno(err, errno, "symlink %s/%s -> %s", dir, name, target);
        return 0;
}

/* The NAME of ".../lib<NAME>.so[.digits.dots]", or NULL. */
static char *library_name(const char *file)
{
        if (strncmp(file, "lib", 3) != 0)
                return NULL;
        const char *so = strstr(file + 3, ".so");
        if (so == NULL || so == file + 3)
                return NULL;
        for (const char *p = so + 3; *p != '\0'; p++)
                if (!(*p == '.' || (*p >= '0' && *p <= '9')))
                        return NULL;
        return xstrndup(file + 3, (size_t)(so - (file + 3)));
}

static bool needs_any(const struct elf_file *elf, const char *const *names)
{
        for (size_t i = 0; i < elf->needed.count; i++)
                for (const char *const *n = names; *n != NULL; n++)
                        if (strstr(elf->needed.items[i], *n) != NULL)
                                return true;
        return false;
}

/* 1.0's blacklist (driver.md §1.4): true if the file must be left out. */
static bool blacklisted(const char *file, const struct elf_file *elf)
{
        static const char *const gl_cores[] = {"libnvidia-glcore.so", "libnvidia-eglcore.so",
                                               "libGLdispatch.so", NULL};
        cleanup_free char *name = library_name(file);
        if (name == NULL)
                return false;
        if (strcmp(name, "EGL") == 0 || strcmp(name, "GLESv1_CM") == 0 ||
            strcmp(name, "GLESv2") == 0 || strcmp(name, "GL") == 0)
                return !needs_any(elf, gl_cores);
        if (strcmp(name, "nvidia-tls") == 0)
                return !elf->has_abi_tag || elf->abi_tag != TLS_ABI_2_3_99;
        return false;
}

/* The soname link and 1.0's extra links (libcuda.so, libGLX_indirect). */
static int add_soname_links(int dirfd, const char *dir, const char *soname, const char *file,
                            struct error *err)
{
        if (add_link(dirfd, soname, file, dir, err) < 0)
                return -1;
        if (strncmp(soname, "libcuda", 7) == 0) {
                cleanup_free char *plain = xstrdup(soname);
                size_t len = strlen(plain);
                while (len > 0 &&
                       (plain[len - 1] == '.' || (plain[len - 1] >= '0' && plain[len - 1] <= '9')))
                        plain[--len] = '\0';
                if (add_link(dirfd, plain, file, dir, err) < 0)
                        return -1;
        }
        const char *glx = strstr(soname, "GLX_nvidia");
        if (strncmp(soname, "libGLX_nvidia", 13) == 0 && glx != NULL) {
                cleanup_free char *indirect = xasprintf("%.*sGLX_indirect%s", (int)(glx - soname),
                                                        soname, glx + strlen("GLX_nvidia"));
                if (add_link(dirfd, indirect, file, dir, err) < 0)
                        return -1;
        }
        return 0;
}

struct placement {
        struct copy_job *jobs; /* files to copy, in list order */
        size_t count, capacity;
        size_t linked, bound;
        bool bind; /* bind-mount what cannot be hard-linked across file systems; cleared when
                    * a mount is refused (not root), the rest is copied */
};

/* A read-only bind mount of `src` on the (existing, empty) file `dst`: the driver's own file, no
 * bytes copied. Read-only, so that nothing writes to the driver through the volume. */
static int bind_file(const char *src, const char *dst)
{
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                return -1;
        if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
            0) {
                int saved = errno;
                umount2(dst, MNT_DETACH);
                errno = saved;
                return -1;
        }
        return 0;
}

/* What phase 0 learns of one driver file, on the pool: its ELF facts, size and mode. */
struct examined {
        struct elf_file elf;
        bool is_elf;
        struct error elf_err;
        off_t size;
        mode_t mode;
};

struct examine_run {
        const struct driver_files *files;
        struct examined *out;
        const atomic_bool *stop;
};

static void examine_work(void *ctx, size_t i)
{
        struct examine_run *run = ctx;
        struct examined *e = &run->out[i];
        if (stopping(run->stop))
                return;
        const char *path = run->files->items[i].path;
        e->is_elf = elf_file_read(&e->elf, path, &e->elf_err) == 0;
        struct stat st;
        if (stat(path, &st) == 0) {
                e->size = st.st_size;
                e->mode = st.st_mode & 0777;
        }
}

/* Hard link; across file systems a read-only bind mount when allowed; else reserve the name
 * (with its final size) for a copy. 0 with *placed false for a duplicate basename. */
static int link_or_reserve(int dirfd, const char *dir, const struct driver_file *file, size_t index,
                           const struct examined *facts, struct placement *placement, bool *placed,
                           struct error *err)
{
        cleanup_free char *shown = xasprintf("%s/%s", dir, file->name);
        *placed = false;
        if (linkat(AT_FDCWD, file->path, dirfd, file->name, 0) == 0) {
                placement->linked++;
                *placed = true;
                return 0;
        }
        if (errno == EEXIST) {
                /* Two files with one basename: keep the first (cache order). */
                log_warning("%s: %s exists already, skipping this copy", file->path, shown);
                return 0;
        }
        int link_errno = errno;
        /* EXDEV (other file system), EPERM (protected_hardlinks), EROFS, ...: bind or copy. */
        cleanup_close int fd =
            openat(dirfd, file->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set_errno(err, errno, "create %s", shown);
        if (link_errno == EXDEV && placement->bind) {
                if (bind_file(file->path, shown) == 0) {
                        placement->bound++;
                        *placed = true;
                        return 0;
                }
                if (errno != EPERM && errno != EACCES)
                        return error_set_errno(err, errno, "bind-mount %s on %s", file->path,
                                               shown);
                log_msg("Cannot bind-mount driver files (%s): copying them instead",
                        strerror(errno));
                placement->bind = false;
        }
        if (ftruncate(fd, facts->size) < 0)
                return error_set_errno(err, errno, "create %s", shown);
        if (placement->count == placement->capacity) {
                placement->capacity = placement->capacity ? 2 * placement->capacity : 16;
                placement->jobs =
                    xrealloc(placement->jobs, placement->capacity * sizeof(*placement->jobs));
        }
        placement->jobs[placement->count++] = (struct copy_job){
            .index = index,
            .src = file->path,
            .dirfd = dirfd,
            .name = file->name,
            .shown = shown,
            .size = facts->size,
            .mode = facts->mode,
        };
        shown = NULL;
        *placed = true;
        return 0;
}

/* mkdir -p of the directories in `name` (relative to dirfd), 0755. */
static int make_parents(int dirfd, const char *dir, const char *name, struct error *err)
{
        cleanup_free char *copy = xstrdup(name);
        for (char *slash = strchr(copy, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (mkdirat(dirfd, copy, 0755) < 0 && errno != EEXIST)
                        return error_set_errno(err, errno, "create directory %s/%s", dir, copy);
                *slash = '/';
        }
        return 0;
}

/* A file whose volume copy has its own content (a JSON file naming its library in the volume). */
static int write_content(int dirfd, const char *dir, const struct driver_file *file,
                         struct error *err)
{
        cleanup_free char *shown = xasprintf("%s/%s", dir, file->name);
        cleanup_close int fd =
            openat(dirfd, file->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
                if (errno == EEXIST) {
                        log_warning("%s: %s exists already, skipping this copy", file->path, shown);
                        return 0;
                }
                return error_set_errno(err, errno, "create %s", shown);
        }
        for (size_t w = 0; w < file->content_len;) {
                ssize_t n = write(fd, file->content + w, file->content_len - w);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set_errno(err, errno, "write %s", shown);
                w += (size_t)n;
        }
        if (fchmod(fd, 0644) < 0)
                return error_set_errno(err, errno, "chmod %s", shown);
        int closing = fd;
        fd = -1;
        if (close(closing) < 0)
                return error_set_errno(err, errno, "write %s", shown);
        return 0;
}

static int place_file(int dirfd, const char *dir, const struct driver_file *file, size_t index,
                      const struct examined *facts, struct placement *placement, struct error *err)
{
        if (strchr(file->name, '/') != NULL && make_parents(dirfd, dir, file->name, err) < 0)
                return -1;
        if (file->content != NULL)
                return write_content(dirfd, dir, file, err);
        bool library = file->place == DRIVER_FILE_LIB || file->place == DRIVER_FILE_LIB64;
        if (!facts->is_elf && library) {
                /* A library that is no ELF file: 1.0 fails the Create with "<path>: <error>". */
                return error_set(err, "%s", facts->elf_err.message);
        }
        if (!facts->is_elf || !library) /* a script, a data or configuration file, an X module */
                return link_or_reserve(dirfd, dir, file, index, facts, placement, &(bool){false},
                                       err);
        bool placed = false;
        if (blacklisted(file->name, &facts->elf))
                return 0;
        int rc = link_or_reserve(dirfd, dir, file, index, facts, placement, &placed, err);
        if (rc == 0 && placed && facts->elf.soname != NULL)
                rc = add_soname_links(dirfd, dir, facts->elf.soname, file->name, err);
        return rc;
}

/*
 * Phase 0 (pool): every file's ELF facts, size and mode (reads of a cold, compressed driver file
 * system overlap instead of queueing). Phase 1 (sequential, list order): blacklist, hard link or
 * reserved file, soname links. Phase 2 (pool): the reserved files are copied in chunks. The
 * error is the one of the first failing file in list order, as if the files were placed one
 * after the other: when phase 1 fails at file i, the copies of files before i still run, since
 * one of them may fail first.
 */
static int populate(const char *dir, const struct driver_files *files, bool bind,
                    const atomic_bool *stop, struct build_stats *stats, struct error *err)
{
        int dirfds[DRIVER_FILE_PLACES] = {-1, -1, -1, -1, -1};
        char *sub[DRIVER_FILE_PLACES] = {NULL};
        struct placement placement = {.bind = bind};
        struct examined *facts = xcalloc(files->count ? files->count : 1, sizeof(*facts));
        struct copy_chunk *chunks = NULL;
        size_t nchunks = 0;
        struct error phase1 = ERROR_INIT;
        size_t phase1_index = SIZE_MAX;
        int rc = -1;
        long start = monotonic_ms();
        for (int p = 0; p < DRIVER_FILE_PLACES; p++) {
                /* bin, lib and lib64 always (1.0's layout); share and the X modules when used. */
                bool used = p <= DRIVER_FILE_LIB64;
                for (size_t i = 0; i < files->count && !used; i++)
                        used = files->items[i].place == (enum driver_file_place)p;
                if (!used)
                        continue;
                sub[p] = xasprintf("%s/%s", dir, place_dirs[p]);
                if (make_dirs(sub[p], err) < 0)
                        goto out;
                dirfds[p] = open(sub[p], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dirfds[p] < 0) {
                        error_set_errno(err, errno, "open %s", sub[p]);
                        goto out;
                }
        }
        struct examine_run examine = {.files = files, .out = facts, .stop = stop};
        pool_for(files->count, examine_work, &examine);
        stats->examine_ms = monotonic_ms() - start;
        stats->files = files->count;
        for (size_t i = 0; i < files->count; i++) {
                const struct driver_file *f = &files->items[i];
                if (stopping(stop)) {
                        error_set(&phase1, "the plugin is stopping");
                        phase1_index = i;
                        break;
                }
                if (place_file(dirfds[f->place], sub[f->place], f, i, &facts[i], &placement,
                               &phase1) < 0) {
                        phase1_index = i;
                        break;
                }
        }
        long copy_start = monotonic_ms();
        stats->threads = copy_all(placement.jobs, placement.count, stop, &chunks, &nchunks);
        stats->copy_ms = monotonic_ms() - copy_start;
        stats->linked = placement.linked;
        stats->bound = placement.bound;
        stats->copied = placement.count;
        stats->copied_bytes = 0;
        struct error *first = phase1_index != SIZE_MAX ? &phase1 : NULL;
        for (size_t j = 0; j < placement.count; j++) {
                struct copy_job *job = &placement.jobs[j]; /* list order */
                if (job->index >= phase1_index)
                        break;
                struct error *failed = NULL;
                for (size_t c = job->first_chunk; c < job->first_chunk + job->chunks; c++)
                        if (chunks[c].rc < 0) {
                                failed = &chunks[c].err;
                                break;
                        }
                if (failed != NULL) {
                        first = failed;
                        break;
                }
                if (first == NULL && fchmodat(job->dirfd, job->name, job->mode, 0) < 0) {
                        error_set_errno(&phase1, errno, "chmod %s", job->shown);
                        first = &phase1;
                        break;
                }
                stats->copied_bytes += (uint64_t)job->size;
        }
        if (first != NULL) {
                /* Hand the message over: err is the caller's and set at most once. */
                if (!error_is_set(err)) {
                        *err = *first;
                        *first = (struct error)ERROR_INIT;
                }
                goto out;
        }
        rc = 0;
out:
        for (size_t c = 0; c < nchunks; c++)
                error_clear(&chunks[c].err);
        free(chunks);
        for (size_t j = 0; j < placement.count; j++)
                free(placement.jobs[j].shown);
        free(placement.jobs);
        for (size_t i = 0; i < files->count; i++) {
                elf_file_destroy(&facts[i].elf);
                error_clear(&facts[i].elf_err);
        }
        free(facts);
        error_clear(&phase1);
        for (int p = 0; p < DRIVER_FILE_PLACES; p++) {
                free(sub[p]);
                sub[p] = NULL;
                if (dirfds[p] >= 0)
                        close(dirfds[p]);
        }
        return rc;
}

int volume_store_populate(const char *dir, const struct driver_files *files, bool bind,
                          struct error *err)
{
        struct build_stats stats;
        return populate(dir, files, bind, NULL, &stats, err);
}

static void log_build(const char *version, const struct build_stats *stats)
{
        cleanup_free char *copies = stats->copied == 0
                                        ? xstrdup("")
                                        : xasprintf(" (%.1f MiB in %ld ms on %zu threads)",
                                                    (double)stats->copied_bytes / (1024.0 * 1024.0),
                                                    stats->copy_ms, stats->threads);
        log_msg("Driver files for %s: %zu examined in %ld ms; %zu hard-linked, %zu bind-mounted "
                "read-only, %zu copied%s",
                version, stats->files, stats->examine_ms, stats->linked, stats->bound,
                stats->copied, copies);
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
        if (make_dirs(kind_dir, err) < 0)
                goto out;
        if (mkdtemp(tmp) == NULL) {
                error_set_errno(err, errno, "create directory in %s", kind_dir);
                goto out;
        }
        if (chmod(tmp, 0755) < 0) {
                error_set_errno(err, errno, "chmod %s", tmp);
                goto fail;
        }
        struct build_stats stats = {0};
        if (populate(tmp, &files, store->bind_mounts, &store->stopping, &stats, err) < 0)
                goto fail;
        log_build(name, &stats);
        if (rename(tmp, final) < 0) {
                error_set_errno(err, errno, "rename %s to %s", tmp, final);
                goto fail;
        }
        rc = 0;
        goto out;
fail:;
        struct error cleanup_err = ERROR_INIT;
        if (remove_tree(tmp, &cleanup_err) < 0)
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
        int rc = remove_tree(path, err);
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
