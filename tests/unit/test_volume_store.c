/* Unit tests of volume_store: layout, links, blacklist, link-or-copy across file systems,
 * atomic build under concurrency (threads and processes), stale temporary directories,
 * Remove and List. The driver files come from tests/fakes/make-driver-root.sh. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "fake_root.h"
#include "nvidia-docker-plugin/volume_populate.h"
#include "nvidia-docker-plugin/volume_store.h"
#include "unit.h"

#define VERSION "580.1.2"

static char *driver_root; /* Debian layout, made once */

static void ensure_driver_root(void)
{
        if (driver_root == NULL)
                driver_root = fake_root_make(NULL, VERSION, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(driver_root);
}

static int store_open(struct volume_store *store, const char *volumes, const char *root,
                      const char *version)
{
        struct driver_files_options files = {
            .root = root, .version = version, .path_env = "/usr/local/bin:/usr/bin"};
        struct error err = ERROR_INIT;
        int rc = volume_store_init(store, volumes, &files, &err);
        if (rc < 0)
                fprintf(stderr, "volume_store_init: %s\n", err.message);
        error_clear(&err);
        return rc;
}

/* Fills dir from an explicit file list, copying across file systems (no bind mounts). */
static int populate(const char *dir, const struct driver_files *files, struct error *err)
{
        struct volume_populate_options options = {.bind = false};
        return volume_populate(dir, files, &options, NULL, err);
}

static char *link_target(const char *dir, const char *name)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, name);
        char buf[512];
        ssize_t n = readlink(path, buf, sizeof(buf) - 1);
        if (n < 0)
                return xstrdup("");
        buf[n] = '\0';
        return xstrdup(buf);
}

static void expect_link(const char *dir, const char *name, const char *target)
{
        cleanup_free char *got = link_target(dir, name);
        if (strcmp(got, target) != 0)
                fprintf(stderr, "%s/%s -> '%s', want '%s'\n", dir, name, got, target);
        CU_ASSERT_STRING_EQUAL(got, target);
}

static bool exists(const char *dir, const char *name)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, name);
        struct stat st;
        return lstat(path, &st) == 0;
}

static size_t count_entries(const char *dir, const char *prefix)
{
        DIR *d = opendir(dir);
        if (d == NULL)
                return 0;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
                if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
                        n++;
        closedir(d);
        return n;
}

/* Same inode as the driver file (hard link) or a copy with the same mode. */
static void expect_placed(const char *vol_file, const char *driver_file, bool linked)
{
        struct stat a, b;
        CU_ASSERT_EQUAL_FATAL(stat(vol_file, &a), 0);
        CU_ASSERT_EQUAL_FATAL(stat(driver_file, &b), 0);
        CU_ASSERT_EQUAL(a.st_ino == b.st_ino && a.st_dev == b.st_dev, linked);
        CU_ASSERT_EQUAL(a.st_mode, b.st_mode);
        CU_ASSERT_EQUAL(a.st_size, b.st_size);
}

static void fd_close_write(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        CU_ASSERT(fd >= 0);
        if (fd >= 0)
                close(fd);
}

static void check_volume(const char *vol, const char *root, const char *libdir, bool linked,
                         bool with32)
{
        cleanup_free char *lib64 = xasprintf("%s/lib64", vol);
        cleanup_free char *lib = xasprintf("%s/lib", vol);
        cleanup_free char *bin = xasprintf("%s/bin", vol);
        struct stat st;
        CU_ASSERT_EQUAL(stat(vol, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0755);
        CU_ASSERT_EQUAL(stat(lib, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 07777, 0755);
        CU_ASSERT_TRUE(S_ISDIR(st.st_mode));
        cleanup_free char *vol_cuda = xasprintf("%s/libcuda.so." VERSION, lib64);
        cleanup_free char *drv_cuda = xasprintf("%s%s/libcuda.so." VERSION, root, libdir);
        expect_placed(vol_cuda, drv_cuda, linked);
        expect_link(lib64, "libcuda.so.1", "libcuda.so." VERSION);
        expect_link(lib64, "libcuda.so", "libcuda.so." VERSION);
        expect_link(lib64, "libnvidia-ml.so.1", "libnvidia-ml.so." VERSION);
        expect_link(lib64, "libGLX_nvidia.so.0", "libGLX_nvidia.so." VERSION);
        expect_link(lib64, "libGLX_indirect.so.0", "libGLX_nvidia.so." VERSION);
        expect_link(lib64, "libEGL.so.1", "libEGL.so." VERSION);
        CU_ASSERT_TRUE(exists(lib64, "libnvidia-glcore.so." VERSION));
        CU_ASSERT_TRUE(exists(lib64, "libnvidia-tls.so." VERSION));
        CU_ASSERT_FALSE(exists(lib64, "libGL.so.1.7.0"));
        CU_ASSERT_FALSE(exists(lib64, "libnvidia-gtk3.so." VERSION));
        CU_ASSERT_TRUE(exists(bin, "nvidia-smi"));
        CU_ASSERT_TRUE(exists(bin, "nvidia-debugdump"));
        CU_ASSERT_TRUE(exists(bin, "nvidia-cuda-mps-control"));
        CU_ASSERT_FALSE(exists(bin, "nvidia-modprobe"));
        cleanup_free char *smi = xasprintf("%s/nvidia-smi", bin);
        CU_ASSERT_EQUAL(access(smi, X_OK), 0);
        if (with32) {
                expect_link(lib, "libcuda.so.1", "libcuda.so." VERSION);
                expect_link(lib, "libcuda.so", "libcuda.so." VERSION);
                CU_ASSERT_TRUE(exists(lib, "libnvidia-ml.so." VERSION));
        } else {
                CU_ASSERT_EQUAL(count_entries(lib, "lib"), 0);
        }
}

static void test_build_layout(void)
{
        ensure_driver_root();
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        struct error err = ERROR_INIT;
        bool built = false;
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, &built, &err), 0);
        CU_ASSERT_TRUE(built);
        cleanup_free char *vol = volume_store_path(&store, VERSION);
        cleanup_free char *want = xasprintf("%s/nvidia_driver/" VERSION, volumes);
        CU_ASSERT_STRING_EQUAL(vol, want);
        check_volume(vol, driver_root, "/usr/lib/x86_64-linux-gnu", true, true);
        /* Second call: nothing to do. */
        CU_ASSERT_EQUAL(volume_store_ensure(&store, VERSION, &built, &err), 0);
        CU_ASSERT_FALSE(built);
        CU_ASSERT_EQUAL(count_entries(store.kind_dir, ".tmp-"), 0);
        struct strv list = STRV_INIT;
        CU_ASSERT_EQUAL(volume_store_list(&store, &list, &err), 0);
        CU_ASSERT_EQUAL_FATAL(list.count, 1);
        CU_ASSERT_STRING_EQUAL(list.items[0], VERSION);
        strv_destroy(&list);
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

static bool same_contents(const char *a, const char *b)
{
        FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
        bool same = x != NULL && y != NULL;
        static char bx[1 << 16], by[1 << 16];
        while (same) {
                size_t n = fread(bx, 1, sizeof(bx), x), m = fread(by, 1, sizeof(by), y);
                same = n == m && memcmp(bx, by, n) == 0;
                if (n == 0)
                        break;
        }
        if (x)
                fclose(x);
        if (y)
                fclose(y);
        return same;
}

/* A new volume root in /dev/shm, on another file system than the fake driver root in /tmp (made
 * here if needed); NULL, with a note, where they are one file system. */
static char *other_fs_volumes(void)
{
        ensure_driver_root();
        char *volumes = fake_tmpdir("/dev/shm");
        CU_ASSERT_PTR_NOT_NULL_FATAL(volumes);
        struct stat a, b;
        CU_ASSERT_EQUAL(stat(volumes, &a), 0);
        CU_ASSERT_EQUAL(stat(driver_root, &b), 0);
        if (a.st_dev != b.st_dev)
                return volumes;
        fprintf(stderr, "(skipped: /dev/shm and /tmp are one file system)\n");
        fake_rmtree(volumes);
        free(volumes);
        return NULL;
}

/* Volume root on another file system (tmpfs /dev/shm vs the driver root in /tmp): hard links
 * fail with EXDEV, files are copied. */
static void test_copy_across_file_systems(void)
{
        cleanup_free char *volumes = other_fs_volumes();
        if (volumes == NULL)
                return;
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, NULL, &err), 0);
        cleanup_free char *vol = volume_store_path(&store, VERSION);
        check_volume(vol, driver_root, "/usr/lib/x86_64-linux-gnu", false, true);
        /* Contents equal. */
        cleanup_free char *copy = xasprintf("%s/lib64/libcuda.so." VERSION, vol);
        cleanup_free char *original =
            xasprintf("%s/usr/lib/x86_64-linux-gnu/libcuda.so." VERSION, driver_root);
        CU_ASSERT_TRUE(same_contents(copy, original));
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

/* Shaped like a real GPU host (driver 580): driver under /usr/local/nvidia, lib -> lib64,
 * /lib duplicates, new-format cache only; volume root on another file system. */
static void test_gpu_host_layout(void)
{
        cleanup_free char *root = fake_root_make(NULL, "580.159.04", "gpu-host", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(root);
        cleanup_free char *volumes = fake_tmpdir("/dev/shm");
        struct volume_store store;
        struct driver_files_options files = {
            .root = root, .version = "580.159.04", .path_env = "/usr/local/nvidia/bin:/usr/bin"};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_store_init(&store, volumes, &files, &err), 0);
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, "580.159.04", NULL, &err), 0);
        cleanup_free char *vol = volume_store_path(&store, "580.159.04");
        cleanup_free char *lib64 = xasprintf("%s/lib64", vol);
        cleanup_free char *lib = xasprintf("%s/lib", vol);
        /* 8 files, each once despite the duplicate keys (/lib, lib, lib64). */
        CU_ASSERT_EQUAL(count_entries(lib64, "libcuda.so.580"), 1);
        expect_link(lib64, "libcuda.so.1", "libcuda.so.580.159.04");
        expect_link(lib64, "libcuda.so", "libcuda.so.580.159.04");
        expect_link(lib64, "libGLX_indirect.so.0", "libGLX_nvidia.so.580.159.04");
        CU_ASSERT_TRUE(exists(lib64, "libnvidia-glcore.so.580.159.04"));
        CU_ASSERT_EQUAL(count_entries(lib, ""), 2); /* only . and .. */
        cleanup_free char *bin = xasprintf("%s/bin", vol);
        CU_ASSERT_TRUE(exists(bin, "nvidia-smi"));
        volume_store_destroy(&store);
        fake_rmtree(volumes);
        fake_rmtree(root);
}

static void test_blacklist_old_tls(void)
{
        cleanup_free char *root = fake_root_make(NULL, VERSION, NULL, "old");
        CU_ASSERT_PTR_NOT_NULL_FATAL(root);
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, root, VERSION), 0);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, NULL, &err), 0);
        cleanup_free char *vol = volume_store_path(&store, VERSION);
        cleanup_free char *lib64 = xasprintf("%s/lib64", vol);
        CU_ASSERT_FALSE(exists(lib64, "libnvidia-tls.so." VERSION));
        CU_ASSERT_TRUE(exists(lib64, "libcuda.so." VERSION));
        volume_store_destroy(&store);
        /* Without the version filter, Mesa's libGL (no NVIDIA core in DT_NEEDED) reaches the
         * builder and is blacklisted there. */
        fake_rmtree(volumes);
        free(volumes);
        volumes = fake_tmpdir(NULL);
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, root, NULL), 0);
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, NULL, &err), 0);
        free(lib64);
        free(vol);
        vol = volume_store_path(&store, VERSION);
        lib64 = xasprintf("%s/lib64", vol);
        CU_ASSERT_FALSE(exists(lib64, "libGL.so.1.7.0"));
        CU_ASSERT_TRUE(exists(lib64, "libEGL.so." VERSION));
        /* The GDK stub libnvidia-ml.so.1 and the real libnvidia-ml.so.1 link: first wins. */
        CU_ASSERT_TRUE(exists(lib64, "libnvidia-ml.so.1"));
        volume_store_destroy(&store);
        fake_rmtree(volumes);
        fake_rmtree(root);
}

static void test_stale_temporary_dirs(void)
{
        cleanup_free char *volumes = fake_tmpdir(NULL);
        cleanup_free char *kind = xasprintf("%s/nvidia_driver", volumes);
        cleanup_free char *stale = xasprintf("%s/.tmp-1.2-abcdef", kind);
        cleanup_free char *stale_sub = xasprintf("%s/lib64", stale);
        CU_ASSERT_EQUAL(mkdir(kind, 0755), 0);
        CU_ASSERT_EQUAL(mkdir(stale, 0700), 0);
        CU_ASSERT_EQUAL(mkdir(stale_sub, 0755), 0);
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, "/nonexistent", "1.2"), 0);
        CU_ASSERT_EQUAL(count_entries(kind, ".tmp-"), 0);
        /* A build that fails (no ld.so.cache under the root) leaves nothing behind. */
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_store_ensure(&store, "1.2", NULL, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message ? strstr(err.message, "ld.so.cache") : NULL);
        error_clear(&err);
        CU_ASSERT_EQUAL(count_entries(kind, ".tmp-"), 0);
        CU_ASSERT_FALSE(exists(kind, "1.2"));
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

static void test_broken_library_fails_cleanly(void)
{
        cleanup_free char *root = fake_root_make(NULL, VERSION, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(root);
        /* Replace libcuda with a non-ELF file: 1.0 fails Create with "<path>: <error>". */
        cleanup_free char *cuda =
            xasprintf("%s/usr/lib/x86_64-linux-gnu/libcuda.so." VERSION, root);
        int fd = open(cuda, O_WRONLY | O_TRUNC);
        CU_ASSERT(write(fd, "junk", 4) == 4);
        close(fd);
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, root, VERSION), 0);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_store_ensure(&store, VERSION, NULL, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message ? strstr(err.message, "libcuda.so." VERSION) : NULL);
        error_clear(&err);
        CU_ASSERT_EQUAL(count_entries(store.kind_dir, ".tmp-"), 0);
        CU_ASSERT_EQUAL(count_entries(store.kind_dir, "5"), 0);
        volume_store_destroy(&store);
        fake_rmtree(volumes);
        fake_rmtree(root);
}

static void test_remove_and_list(void)
{
        ensure_driver_root();
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        struct error err = ERROR_INIT;
        struct strv list = STRV_INIT;
        CU_ASSERT_EQUAL(volume_store_list(&store, &list, &err), 0);
        CU_ASSERT_EQUAL(list.count, 0);
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, NULL, &err), 0);
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, "375.39", NULL, &err), 0);
        /* Junk in the kind directory is not listed. */
        cleanup_free char *junk = xasprintf("%s/notaversion", store.kind_dir);
        CU_ASSERT_EQUAL(mkdir(junk, 0755), 0);
        cleanup_free char *file = xasprintf("%s/9.9", store.kind_dir);
        fd_close_write(file);
        CU_ASSERT_EQUAL(volume_store_list(&store, &list, &err), 0);
        CU_ASSERT_EQUAL_FATAL(list.count, 2);
        CU_ASSERT_STRING_EQUAL(list.items[0], "375.39");
        CU_ASSERT_STRING_EQUAL(list.items[1], VERSION);
        strv_destroy(&list);
        /* A version directory that is a symlink to somewhere else: only the link goes. */
        cleanup_free char *outside = fake_tmpdir(NULL);
        cleanup_free char *keep = xasprintf("%s/keep", outside);
        fd_close_write(keep);
        cleanup_free char *evil = xasprintf("%s/7.7", store.kind_dir);
        CU_ASSERT_EQUAL(symlink(outside, evil), 0);
        CU_ASSERT_EQUAL(volume_store_remove(&store, "7.7", &err), 0);
        CU_ASSERT_FALSE(exists(store.kind_dir, "7.7"));
        CU_ASSERT_TRUE(exists(outside, "keep"));
        CU_ASSERT_EQUAL(volume_store_remove(&store, "375.39", &err), 0);
        CU_ASSERT_FALSE(exists(store.kind_dir, "375.39"));
        CU_ASSERT_TRUE(exists(store.kind_dir, VERSION));
        CU_ASSERT_EQUAL(volume_store_remove(&store, "375.39", &err), 0); /* missing: fine */
        /* Hostile versions never reach the disk. */
        CU_ASSERT_EQUAL(volume_store_remove(&store, "..", &err), -1);
        error_clear(&err);
        CU_ASSERT_EQUAL(volume_store_ensure(&store, "../x", NULL, &err), -1);
        error_clear(&err);
        CU_ASSERT_TRUE(exists(volumes, "nvidia_driver"));
        /* Something else than a directory at the version path is an error for ensure. */
        CU_ASSERT_EQUAL(volume_store_ensure(&store, "9.9", NULL, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message ? strstr(err.message, "not a directory") : NULL);
        error_clear(&err);
        volume_store_destroy(&store);
        fake_rmtree(volumes);
        fake_rmtree(outside);
}

struct race {
        struct volume_store *store;
        pthread_barrier_t *barrier;
        bool built;
        int rc;
};

static void *race_thread(void *arg)
{
        struct race *r = arg;
        struct error err = ERROR_INIT;
        pthread_barrier_wait(r->barrier);
        r->rc = volume_store_ensure(r->store, VERSION, &r->built, &err);
        error_clear(&err);
        return NULL;
}

/* 8 threads and 4 processes (each with its own store: flock) ask at once: one build. */
static void test_concurrent_builds(void)
{
        ensure_driver_root();
        cleanup_free char *volumes = fake_tmpdir(NULL);
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        int pipefd[2];
        CU_ASSERT_EQUAL_FATAL(pipe(pipefd), 0);
        pid_t children[4];
        for (int c = 0; c < 4; c++) {
                children[c] = fork();
                if (children[c] == 0) {
                        close(pipefd[1]);
                        char go;
                        if (read(pipefd[0], &go, 1) != 1)
                                _exit(3);
                        struct volume_store own;
                        if (store_open(&own, volumes, driver_root, VERSION) < 0)
                                _exit(3);
                        struct error err = ERROR_INIT;
                        bool built = false;
                        int rc = volume_store_ensure(&own, VERSION, &built, &err);
                        _exit(rc < 0 ? 3 : built ? 1 : 0);
                }
        }
        close(pipefd[0]);
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, 8);
        struct race races[8];
        pthread_t threads[8];
        for (int i = 0; i < 8; i++) {
                races[i] = (struct race){&store, &barrier, false, 0};
                pthread_create(&threads[i], NULL, race_thread, &races[i]);
        }
        CU_ASSERT(write(pipefd[1], "gggg", 4) == 4);
        close(pipefd[1]);
        int builds = 0;
        for (int i = 0; i < 8; i++) {
                pthread_join(threads[i], NULL);
                CU_ASSERT_EQUAL(races[i].rc, 0);
                builds += races[i].built;
        }
        for (int c = 0; c < 4; c++) {
                int status;
                waitpid(children[c], &status, 0);
                CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
                builds += WIFEXITED(status) && WEXITSTATUS(status) == 1;
        }
        pthread_barrier_destroy(&barrier);
        CU_ASSERT_EQUAL(builds, 1);
        CU_ASSERT_EQUAL(count_entries(store.kind_dir, ".tmp-"), 0);
        cleanup_free char *vol = volume_store_path(&store, VERSION);
        check_volume(vol, driver_root, "/usr/lib/x86_64-linux-gnu", true, true);
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

/* A library whose DT_SONAME is a path: the link must not leave the volume directory. */
static void test_hostile_soname(void)
{
        cleanup_free char *dir = fake_tmpdir(NULL);
        cleanup_free char *src = xasprintf("%s/x.c", dir);
        cleanup_free char *lib = xasprintf("%s/libcuda.so.1.2", dir);
        fd_close_write(src);
        pid_t pid = fork();
        if (pid == 0) {
                execlp("gcc", "gcc", "-shared", "-Wl,-soname,../../escaped", "-o", lib, src,
                       (char *)NULL);
                _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        CU_ASSERT_FATAL(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cleanup_free char *vol = xasprintf("%s/vol", dir);
        CU_ASSERT_EQUAL_FATAL(mkdir(vol, 0755), 0);
        struct driver_file item = {
            .place = DRIVER_FILE_LIB64, .path = lib, .name = (char *)"libcuda.so.1.2"};
        struct driver_files files = {&item, 1};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(populate(vol, &files, &err), 0);
        error_clear(&err);
        cleanup_free char *lib64 = xasprintf("%s/lib64", vol);
        CU_ASSERT_TRUE(exists(lib64, "libcuda.so.1.2"));
        CU_ASSERT_FALSE(exists(dir, "escaped"));
        CU_ASSERT_FALSE(exists(vol, "escaped"));
        fake_rmtree(dir);
}

static void test_init_errors(void)
{
        struct volume_store store;
        struct driver_files_options files = {0};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_store_init(&store, "relative/dir", &files, &err), -1);
        error_clear(&err);
        CU_ASSERT_EQUAL(volume_store_init(&store, "/proc/nvd-cannot-exist", &files, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message);
        error_clear(&err);
        volume_store_destroy(&store);
}

/* ---- parallel copies ---- */

/* A fake root of ~40 files of varied sizes (ELF libraries with sonames, some padded to up to
 * 3 MiB, scripts as binaries, a blacklisted Mesa libGL) as an explicit file list. */
#define MANY 40

struct many_root {
        char *dir;
        struct driver_file items[MANY + 4];
        size_t count;
};

static void many_root_make(struct many_root *m)
{
        m->dir = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m->dir);
        CU_ASSERT_EQUAL_FATAL(chmod(m->dir, 0755), 0);
        cleanup_free char *script = xasprintf(
            "set -e; cd '%s'; : > e.c; for i in $(seq 0 %d); do "
            "gcc -shared -Wl,-soname,libnv$i.so.1 -o libnv$i.so.1.2.$i e.c; "
            "head -c $(( (i * 7919 %% 37) * 83000 + i )) /dev/urandom >> libnv$i.so.1.2.$i; "
            "chmod $([ $((i %% 3)) = 0 ] && echo 0644 || echo 0755) libnv$i.so.1.2.$i; done; "
            "gcc -shared -Wl,-soname,libcuda.so.1 -o libcuda.so.9.9 e.c; "
            "gcc -shared -Wl,-soname,libGL.so.1 -o libGL.so.1.7.0 e.c; "
            "printf '#!/bin/sh\\necho hi\\n' > nvidia-smi; chmod 0750 nvidia-smi; "
            "head -c 2000000 /dev/urandom > nvidia-debugdump; chmod 0711 nvidia-debugdump",
            m->dir, MANY - 1);
        pid_t pid = fork();
        if (pid == 0) {
                execl("/bin/sh", "sh", "-c", script, (char *)NULL);
                _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        CU_ASSERT_FATAL(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        m->count = 0;
        for (int i = 0; i < MANY; i++) {
                char *name = xasprintf("libnv%d.so.1.2.%d", i, i);
                m->items[m->count++] =
                    (struct driver_file){.place = DRIVER_FILE_LIB64,
                                         .path = xasprintf("%s/%s", m->dir, name),
                                         .name = name};
        }
        const char *libs[] = {"libcuda.so.9.9", "libGL.so.1.7.0"};
        for (int i = 0; i < 2; i++)
                m->items[m->count++] =
                    (struct driver_file){.place = DRIVER_FILE_LIB64,
                                         .path = xasprintf("%s/%s", m->dir, libs[i]),
                                         .name = xstrdup(libs[i])};
        const char *bins[] = {"nvidia-smi", "nvidia-debugdump"};
        for (int i = 0; i < 2; i++)
                m->items[m->count++] =
                    (struct driver_file){.place = DRIVER_FILE_BIN,
                                         .path = xasprintf("%s/%s", m->dir, bins[i]),
                                         .name = xstrdup(bins[i])};
}

static void many_root_destroy(struct many_root *m)
{
        for (size_t i = 0; i < m->count; i++) {
                free(m->items[i].path);
                free(m->items[i].name);
        }
        fake_rmtree(m->dir);
        free(m->dir);
}

/* "path kind mode target" per entry under vol, sorted (sizes: expect_placed). */
static char *tree_listing(const char *vol)
{
        cleanup_free char *cmd =
            xasprintf("cd '%s' && find . -mindepth 1 -printf '%%p %%y %%m %%l\\n' | sort", vol);
        int fds[2];
        CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
        pid_t pid = fork();
        if (pid == 0) {
                dup2(fds[1], 1);
                close(fds[0]);
                close(fds[1]);
                execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
                _exit(127);
        }
        close(fds[1]);
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        char chunk[4096];
        ssize_t n;
        while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
                fwrite(chunk, 1, (size_t)n, out);
        close(fds[0]);
        fclose(out);
        int status;
        waitpid(pid, &status, 0);
        CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return text;
}

/* ~40 files copied by the pool (tmpfs volume dir, driver files in /tmp) give the same tree as
 * hard links (same file system): names, link targets, modes, sizes; and equal contents. */
static void test_parallel_copy_many_files(void)
{
        struct many_root m;
        many_root_make(&m);
        struct driver_files files = {m.items, m.count};
        cleanup_free char *linked = fake_tmpdir(NULL);
        cleanup_free char *copied = fake_tmpdir("/dev/shm");
        CU_ASSERT_PTR_NOT_NULL_FATAL(copied);
        struct stat a, b;
        CU_ASSERT_EQUAL(stat(copied, &a), 0);
        CU_ASSERT_EQUAL(stat(m.dir, &b), 0);
        bool cross = a.st_dev != b.st_dev;
        if (!cross)
                fprintf(stderr, "(/dev/shm and /tmp are one file system: no copies)\n");
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(populate(linked, &files, &err), 0);
        CU_ASSERT_EQUAL_FATAL(populate(copied, &files, &err), 0);
        cleanup_free char *want = tree_listing(linked);
        cleanup_free char *got = tree_listing(copied);
        if (strcmp(want, got) != 0)
                fprintf(stderr, "linked:\n%s\ncopied:\n%s\n", want, got);
        CU_ASSERT_STRING_EQUAL(got, want);
        /* 40 sonames + libcuda.so.1 + libcuda.so, no libGL, 2 binaries. */
        CU_ASSERT_EQUAL(count_entries(copied, ""), 5); /* . .. bin lib lib64 */
        cleanup_free char *lib64 = xasprintf("%s/lib64", copied);
        CU_ASSERT_EQUAL(count_entries(lib64, "libnv"), 2 * MANY);
        CU_ASSERT_FALSE(exists(lib64, "libGL.so.1.7.0"));
        expect_link(lib64, "libcuda.so", "libcuda.so.9.9");
        expect_link(lib64, "libnv17.so.1", "libnv17.so.1.2.17");
        for (size_t i = 0; i < m.count; i++) {
                const struct driver_file *f = &m.items[i];
                if (strcmp(f->name, "libGL.so.1.7.0") == 0)
                        continue;
                cleanup_free char *dst = xasprintf(
                    "%s/%s/%s", copied, f->place == DRIVER_FILE_BIN ? "bin" : "lib64", f->name);
                expect_placed(dst, f->path, !cross);
                if (!same_contents(dst, f->path))
                        fprintf(stderr, "%s differs from %s\n", dst, f->path);
                CU_ASSERT_TRUE(same_contents(dst, f->path));
        }
        fake_rmtree(linked);
        fake_rmtree(copied);
        many_root_destroy(&m);
}

/* An unreadable file among many copies (an unprivileged child, volume dir on tmpfs): the
 * error names the first failing file in list order, as the serial build did ("open <src>:
 * Permission denied"), and no later file's error wins. */
static void test_parallel_copy_unreadable(void)
{
        struct many_root m;
        many_root_make(&m);
        cleanup_free char *copied = fake_tmpdir("/dev/shm");
        CU_ASSERT_PTR_NOT_NULL_FATAL(copied);
        CU_ASSERT_EQUAL(chmod(copied, 0777), 0);
        /* Binaries are not ELF-checked: an unreadable one fails at the copy. Two unreadable
         * files; the first in list order is reported. */
        size_t smi = m.count - 2, dump = m.count - 1;
        CU_ASSERT_EQUAL(chmod(m.items[smi].path, 0), 0);
        CU_ASSERT_EQUAL(chmod(m.items[dump].path, 0), 0);
        int pipefd[2];
        CU_ASSERT_EQUAL_FATAL(pipe(pipefd), 0);
        pid_t pid = fork();
        if (pid == 0) {
                close(pipefd[0]);
                if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
                        _exit(3);
                struct driver_files files = {m.items, m.count};
                struct error err = ERROR_INIT;
                int rc = populate(copied, &files, &err);
                if (err.message != NULL && write(pipefd[1], err.message, strlen(err.message)) < 0)
                        _exit(4);
                _exit(rc < 0 ? 1 : 0);
        }
        close(pipefd[1]);
        char buf[1024] = "";
        ssize_t n, total = 0;
        while ((n = read(pipefd[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
                total += n;
        buf[total] = '\0';
        close(pipefd[0]);
        int status;
        waitpid(pid, &status, 0);
        CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        cleanup_free char *want = xasprintf("open %s: Permission denied", m.items[smi].path);
        if (strcmp(buf, want) != 0)
                fprintf(stderr, "got '%s', want '%s'\n", buf, want);
        CU_ASSERT_STRING_EQUAL(buf, want);
        fake_rmtree(copied);
        many_root_destroy(&m);
}

/* A file larger than a copy chunk (8 MiB) is copied by several threads at once: a 3.5-chunk
 * file whose every 4-byte word holds its own offset arrives whole (a chunk written at another
 * offset, or one missing, shows), with its size and mode; an empty file is copied too. */
static void test_chunked_copy_big_file(void)
{
        cleanup_free char *src = fake_tmpdir(NULL);
        cleanup_free char *copied = fake_tmpdir("/dev/shm");
        CU_ASSERT_PTR_NOT_NULL_FATAL(copied);
        cleanup_free char *big = xasprintf("%s/nvidia-big", src);
        cleanup_free char *empty = xasprintf("%s/nvidia-empty", src);
        const size_t size = ((size_t)7 << 22) + 4097; /* 28 MiB + 4097: 4 chunks, the last short */
        FILE *f = fopen(big, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        for (uint32_t off = 0; off < size; off += 4)
                fwrite(&off, 1, size - off < 4 ? size - off : 4, f);
        CU_ASSERT_EQUAL(fclose(f), 0);
        CU_ASSERT_EQUAL(chmod(big, 0751), 0);
        f = fopen(empty, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fclose(f);
        CU_ASSERT_EQUAL(chmod(empty, 0700), 0);
        struct driver_file items[] = {
            {.place = DRIVER_FILE_BIN, .path = big, .name = "nvidia-big"},
            {.place = DRIVER_FILE_BIN, .path = empty, .name = "nvidia-empty"}};
        struct driver_files files = {items, 2};
        /* Several threads even on a 2-core machine. */
        struct volume_populate_options four = {.copy_threads = 4};
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_populate(copied, &files, &four, NULL, &err), 0);
        if (err.message != NULL)
                fprintf(stderr, "%s\n", err.message);
        error_clear(&err);
        cleanup_free char *dst = xasprintf("%s/bin/nvidia-big", copied);
        cleanup_free char *dst_empty = xasprintf("%s/bin/nvidia-empty", copied);
        struct stat a, b, e;
        CU_ASSERT_EQUAL_FATAL(stat(dst, &a), 0);
        CU_ASSERT_EQUAL_FATAL(stat(big, &b), 0);
        CU_ASSERT_NOT_EQUAL(a.st_ino, b.st_ino); /* a copy, not a link */
        CU_ASSERT_EQUAL(a.st_size, (off_t)size);
        CU_ASSERT_EQUAL(a.st_mode & 07777, 0751);
        CU_ASSERT_TRUE(same_contents(dst, big));
        CU_ASSERT_EQUAL_FATAL(stat(dst_empty, &e), 0);
        CU_ASSERT_EQUAL(e.st_size, 0);
        CU_ASSERT_EQUAL(e.st_mode & 07777, 0700);
        fake_rmtree(copied);
        fake_rmtree(src);
}

/* Lines of /proc/self/mountinfo whose mount point is under `dir`. */
static int mounts_under(const char *dir)
{
        FILE *f = fopen("/proc/self/mountinfo", "r");
        if (f == NULL)
                return -1;
        char line[4096];
        int n = 0;
        size_t len = strlen(dir);
        while (fgets(line, sizeof(line), f) != NULL) {
                char point[2048];
                if (sscanf(line, "%*s %*s %*s %*s %2047s", point) == 1 &&
                    strncmp(point, dir, len) == 0 && (point[len] == '/' || point[len] == '\0'))
                        n++;
        }
        fclose(f);
        return n;
}

/* Unmounts every bind-mounted file below `dir` (what a reboot does); returns how many. */
static int unmount_binds_below(const char *dir, dev_t dev)
{
        DIR *d = opendir(dir);
        if (d == NULL)
                return 0;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                cleanup_free char *path = xasprintf("%s/%s", dir, e->d_name);
                struct stat st;
                if (lstat(path, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        n += unmount_binds_below(path, dev);
                else if (S_ISREG(st.st_mode) && st.st_dev != dev && umount2(path, MNT_DETACH) == 0)
                        n++;
        }
        closedir(d);
        return n;
}

static int unmount_binds(const char *vol)
{
        struct stat top;
        if (stat(vol, &top) < 0)
                return -1;
        return unmount_binds_below(vol, top.st_dev);
}

/* Across file systems with bind_mounts set (the plugin's default; needs root): every driver file
 * is the driver's own file, bind-mounted read-only (same device and inode, writes refused), with
 * the usual links; Remove unmounts them all and deletes the volume; a volume whose mounts are
 * gone (a reboot) is removed by the next init and built again. */
static void test_bind_mounts(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "(skipped: mounting needs root)\n");
                return;
        }
        cleanup_free char *volumes = other_fs_volumes();
        if (volumes == NULL)
                return;
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        store.bind_mounts = true;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, NULL, &err), 0);
        cleanup_free char *vol = volume_store_path(&store, VERSION);
        check_volume(vol, driver_root, "/usr/lib/x86_64-linux-gnu", true, true);
        cleanup_free char *cuda = xasprintf("%s/lib64/libcuda.so." VERSION, vol);
        int fd = open(cuda, O_WRONLY);
        CU_ASSERT_EQUAL(fd, -1);
        CU_ASSERT_EQUAL(errno, EROFS);
        if (fd >= 0)
                close(fd);
        int bound = mounts_under(vol);
        CU_ASSERT_TRUE(bound >= 10); /* the fake root's libraries and binaries */

        /* A reboot: the mounts go, the empty files stay. The next init removes the volume. */
        CU_ASSERT_EQUAL(unmount_binds(vol), bound);
        CU_ASSERT_EQUAL(mounts_under(vol), 0);
        volume_store_destroy(&store);
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        store.bind_mounts = true;
        struct stat st;
        CU_ASSERT_EQUAL(stat(vol, &st), -1);
        bool built = false;
        CU_ASSERT_EQUAL_FATAL(volume_store_ensure(&store, VERSION, &built, &err), 0);
        CU_ASSERT_TRUE(built);
        CU_ASSERT_EQUAL(mounts_under(vol), bound);
        /* A live volume survives a restart of the plugin (init again): nothing is rebuilt. */
        volume_store_destroy(&store);
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        CU_ASSERT_EQUAL(stat(vol, &st), 0);
        CU_ASSERT_EQUAL(mounts_under(vol), bound);

        CU_ASSERT_EQUAL(volume_store_remove(&store, VERSION, &err), 0);
        if (err.message != NULL)
                fprintf(stderr, "%s\n", err.message);
        error_clear(&err);
        CU_ASSERT_EQUAL(mounts_under(vol), 0);
        CU_ASSERT_EQUAL(stat(vol, &st), -1);
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

/* volume_store_stop: a build in progress or started later fails and leaves no directory. */
static void test_stop_cancels_build(void)
{
        ensure_driver_root();
        cleanup_free char *volumes = fake_tmpdir("/dev/shm");
        struct volume_store store;
        CU_ASSERT_EQUAL_FATAL(store_open(&store, volumes, driver_root, VERSION), 0);
        volume_store_stop(&store);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_store_ensure(&store, VERSION, NULL, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message ? strstr(err.message, "stopping") : NULL);
        error_clear(&err);
        CU_ASSERT_EQUAL(count_entries(store.kind_dir, ".tmp-"), 0);
        CU_ASSERT_FALSE(exists(store.kind_dir, VERSION));
        volume_store_destroy(&store);
        fake_rmtree(volumes);
}

static void test_cleanup(void)
{
        fake_rmtree(driver_root);
        free(driver_root);
        driver_root = NULL;
}

UNIT_MAIN("volume_store", UNIT(test_build_layout), UNIT(test_copy_across_file_systems),
          UNIT(test_gpu_host_layout), UNIT(test_blacklist_old_tls), UNIT(test_stale_temporary_dirs),
          UNIT(test_broken_library_fails_cleanly), UNIT(test_remove_and_list),
          UNIT(test_concurrent_builds), UNIT(test_hostile_soname), UNIT(test_init_errors),
          UNIT(test_parallel_copy_many_files), UNIT(test_parallel_copy_unreadable),
          UNIT(test_chunked_copy_big_file), UNIT(test_bind_mounts), UNIT(test_stop_cancels_build),
          UNIT(test_cleanup))
