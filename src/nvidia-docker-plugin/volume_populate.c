#include "nvidia-docker-plugin/volume_populate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/work_pool.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/driver_policy.h"
#include "nvidia-docker-plugin/elf_file.h"
#include "nvidia-docker-plugin/file_tree.h"
#include "nvidia-docker-plugin/parallel_copy.h"

#define PLACES DRIVER_FILE_PLACES

const char *volume_populate_dir_name(enum driver_file_place place)
{
        return driver_file_place_dirs[place];
}

static bool stopping(const atomic_bool *stop)
{
        return stop != NULL && atomic_load(stop);
}

/* ---- phase 0: what each driver file is ---- */

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

/* ---- phase 1: links, bind mounts, reserved names ---- */

struct placement {
        int dirfds[PLACES];
        char *dirs[PLACES];
        struct copy_job *jobs; /* files to copy, in list order */
        size_t count, capacity;
        size_t linked, bound;
        bool bind; /* cleared when a mount is refused (not root): the rest is copied */
};

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

static int add_soname_links(int dirfd, const char *dir, const char *soname, const char *file,
                            struct error *err)
{
        struct strv links = STRV_INIT;
        driver_policy_links(soname, &links);
        int rc = 0;
        for (size_t i = 0; i < links.count && rc == 0; i++)
                rc = add_link(dirfd, links.items[i], file, dir, err);
        strv_destroy(&links);
        return rc;
}

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

static void add_copy_job(struct placement *placement, struct copy_job job)
{
        if (placement->count == placement->capacity) {
                placement->capacity = placement->capacity ? 2 * placement->capacity : 16;
                placement->jobs =
                    xrealloc(placement->jobs, placement->capacity * sizeof(*placement->jobs));
        }
        placement->jobs[placement->count++] = job;
}

/* Hard link; across file systems a read-only bind mount when allowed; else reserve the name
 * (with its final size) for a copy. 0 with *placed false for a duplicate basename. */
static int link_or_reserve(struct placement *placement, const struct driver_file *file,
                           size_t index, const struct examined *facts, bool *placed,
                           struct error *err)
{
        int dirfd = placement->dirfds[file->place];
        const char *dir = placement->dirs[file->place];
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
        add_copy_job(placement, (struct copy_job){
                                    .index = index,
                                    .src = file->path,
                                    .dirfd = dirfd,
                                    .name = file->name,
                                    .shown = steal_pointer(&shown),
                                    .size = facts->size,
                                    .mode = facts->mode,
                                    .err = ERROR_INIT,
                                });
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

static int place_file(struct placement *placement, const struct driver_file *file, size_t index,
                      const struct examined *facts, struct error *err)
{
        bool placed = false;
        int dirfd = placement->dirfds[file->place];
        const char *dir = placement->dirs[file->place];
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
                return link_or_reserve(placement, file, index, facts, &placed, err);
        if (driver_policy_excludes(file->name, &facts->elf))
                return 0;
        int rc = link_or_reserve(placement, file, index, facts, &placed, err);
        if (rc == 0 && placed && facts->elf.soname != NULL)
                rc = add_soname_links(dirfd, dir, facts->elf.soname, file->name, err);
        return rc;
}

/* bin, lib and lib64 always (1.0's layout); share and the X modules when a file goes there. */
static int open_place_dirs(struct placement *placement, const char *dir,
                           const struct driver_files *files, struct error *err)
{
        for (int p = 0; p < PLACES; p++) {
                bool used = p <= DRIVER_FILE_LIB64;
                for (size_t i = 0; i < files->count && !used; i++)
                        used = files->items[i].place == (enum driver_file_place)p;
                if (!used)
                        continue;
                placement->dirs[p] = xasprintf("%s/%s", dir, driver_file_place_dirs[p]);
                if (file_tree_make_dirs(placement->dirs[p], err) < 0)
                        return -1;
                placement->dirfds[p] = open(placement->dirs[p], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (placement->dirfds[p] < 0)
                        return error_set_errno(err, errno, "open %s", placement->dirs[p]);
        }
        return 0;
}

static void placement_destroy(struct placement *placement)
{
        for (size_t j = 0; j < placement->count; j++) {
                free(placement->jobs[j].shown);
                error_clear(&placement->jobs[j].err);
        }
        free(placement->jobs);
        for (int p = 0; p < PLACES; p++) {
                free(placement->dirs[p]);
                if (placement->dirfds[p] >= 0)
                        close(placement->dirfds[p]);
        }
}

/* ---- phase 2 result ---- */

/* The first error in list order: a copy of a file before `phase1_index` (the file phase 1 failed
 * at, SIZE_MAX for none), a chmod, or phase 1's own. Moves it into err; -1 when there is one. */
static int first_error(struct placement *placement, size_t phase1_index, struct error *phase1,
                       struct volume_populate_stats *stats, struct error *err)
{
        struct error *first = phase1_index != SIZE_MAX ? phase1 : NULL;
        for (size_t j = 0; j < placement->count; j++) {
                struct copy_job *job = &placement->jobs[j]; /* list order */
                if (job->index >= phase1_index)
                        break;
                if (job->failed) {
                        first = &job->err;
                        break;
                }
                if (first == NULL && fchmodat(job->dirfd, job->name, job->mode, 0) < 0) {
                        error_set_errno(phase1, errno, "chmod %s", job->shown);
                        first = phase1;
                        break;
                }
                stats->copied_bytes += (uint64_t)job->size;
        }
        if (first == NULL)
                return 0;
        /* Hand the message over: err is the caller's and set at most once. */
        if (!error_is_set(err)) {
                *err = *first;
                *first = (struct error)ERROR_INIT;
        }
        return -1;
}

int volume_populate(const char *dir, const struct driver_files *files,
                    const struct volume_populate_options *options,
                    struct volume_populate_stats *stats_out, struct error *err)
{
        struct volume_populate_stats stats = {0};
        const atomic_bool *stop = options->stop;
        struct placement placement = {.bind = options->bind};
        for (int p = 0; p < PLACES; p++)
                placement.dirfds[p] = -1;
        struct examined *facts = xcalloc(files->count ? files->count : 1, sizeof(*facts));
        struct error phase1 = ERROR_INIT;
        size_t phase1_index = SIZE_MAX;
        int rc = -1;
        long start = monotonic_ms();
        if (open_place_dirs(&placement, dir, files, err) < 0)
                goto out;
        struct examine_run examine = {.files = files, .out = facts, .stop = stop};
        work_pool_run(files->count, options->copy_threads, examine_work, &examine);
        stats.examine_ms = monotonic_ms() - start;
        stats.files = files->count;
        for (size_t i = 0; i < files->count && phase1_index == SIZE_MAX; i++) {
                if (stopping(stop))
                        error_set(&phase1, "the plugin is stopping");
                else if (place_file(&placement, &files->items[i], i, &facts[i], &phase1) == 0)
                        continue;
                phase1_index = i;
        }
        /* When phase 1 failed at file i, the copies of files before i still run: one of them
         * may fail first. */
        long copy_start = monotonic_ms();
        stats.threads =
            parallel_copy_run(placement.jobs, placement.count, options->copy_threads, stop);
        stats.copy_ms = monotonic_ms() - copy_start;
        stats.linked = placement.linked;
        stats.bound = placement.bound;
        stats.copied = placement.count;
        rc = first_error(&placement, phase1_index, &phase1, &stats, err);
out:
        placement_destroy(&placement);
        for (size_t i = 0; i < files->count; i++) {
                elf_file_destroy(&facts[i].elf);
                error_clear(&facts[i].elf_err);
        }
        free(facts);
        error_clear(&phase1);
        if (stats_out != NULL)
                *stats_out = stats;
        return rc;
}

void volume_populate_log(const char *version, const struct volume_populate_stats *stats)
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
