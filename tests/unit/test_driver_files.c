/* Unit tests of driver_files: selection by capability, arch, version suffix, de-duplication
 * by resolved path, PATH walk and symlink resolution inside a driver root. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "fake_root.h"
#include "ldcache_builder.h"
#include "nvidia-docker-plugin/driver_files.h"
#include "nvidia-docker-plugin/ldcache.h"
#include "unit.h"

#define VERSION "580.1.2"

static char *debian_root; /* made once by make-driver-root.sh */

static const struct driver_file *find(const struct driver_files *files,
                                      enum driver_file_place place, const char *name)
{
        for (size_t i = 0; i < files->count; i++)
                if (files->items[i].place == place && strcmp(files->items[i].name, name) == 0)
                        return &files->items[i];
        return NULL;
}

static size_t count_place(const struct driver_files *files, enum driver_file_place place)
{
        size_t n = 0;
        for (size_t i = 0; i < files->count; i++)
                n += files->items[i].place == place;
        return n;
}

static void ensure_debian_root(void)
{
        if (debian_root == NULL)
                debian_root = fake_root_make(NULL, VERSION, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(debian_root);
}

static const char *const nvidia_libs[] = {
    "libcuda.so." VERSION,
    "libnvidia-ml.so." VERSION,
    "libnvidia-ptxjitcompiler.so." VERSION,
    "libnvidia-glcore.so." VERSION,
    "libnvidia-eglcore.so." VERSION,
    "libGLX_nvidia.so." VERSION,
    "libEGL.so." VERSION,
    "libnvidia-tls.so." VERSION,
};

static void test_debian_layout(void)
{
        ensure_debian_root();
        struct driver_files files;
        struct error err = ERROR_INIT;
        struct driver_files_options options = {
            .root = debian_root, .version = VERSION, .path_env = "/usr/local/bin:/usr/bin"};
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        for (size_t i = 0; i < 8; i++) {
                const struct driver_file *f64 = find(&files, DRIVER_FILE_LIB64, nvidia_libs[i]);
                const struct driver_file *f32 = find(&files, DRIVER_FILE_LIB, nvidia_libs[i]);
                CU_ASSERT_PTR_NOT_NULL(f64);
                CU_ASSERT_PTR_NOT_NULL(f32);
                if (f64 && f32) {
                        CU_ASSERT_EQUAL(strncmp(f64->path, debian_root, strlen(debian_root)), 0);
                        CU_ASSERT_PTR_NOT_NULL(strstr(f64->path, "/usr/lib/x86_64-linux-gnu/"));
                        CU_ASSERT_PTR_NOT_NULL(strstr(f32->path, "/usr/lib/i386-linux-gnu/"));
                }
        }
        /* Mesa, the GDK stub, gtk3 and nvidia-modprobe are left out. */
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB64), 8);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB), 8);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_BIN), 3);
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_BIN, "nvidia-smi"));
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_BIN, "nvidia-cuda-mps-control"));
        const struct driver_file *dump = find(&files, DRIVER_FILE_BIN, "nvidia-debugdump");
        CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
        /* Found through /usr/local/bin, resolved inside the root to the real file. */
        cleanup_free char *want = xasprintf("%s/usr/bin/nvidia-debugdump.real", debian_root);
        CU_ASSERT_STRING_EQUAL(dump->path, want);
        CU_ASSERT_PTR_NULL(find(&files, DRIVER_FILE_BIN, "nvidia-modprobe"));
        driver_files_destroy(&files);
}

static void test_capabilities(void)
{
        ensure_debian_root();
        struct driver_files files;
        struct error err = ERROR_INIT;
        struct driver_files_options options = {.root = debian_root,
                                               .version = VERSION,
                                               .path_env = "/usr/bin",
                                               .capabilities = DRIVER_CAP_COMPUTE};
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL(files.count, 3);
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB64, "libcuda.so." VERSION));
        CU_ASSERT_PTR_NOT_NULL(
            find(&files, DRIVER_FILE_LIB64, "libnvidia-ptxjitcompiler.so." VERSION));
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_BIN, "nvidia-cuda-mps-control"));
        driver_files_destroy(&files);

        options.capabilities = DRIVER_CAP_UTILITY | DRIVER_CAP_COMPAT32;
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL(files.count, 3); /* nvidia-smi, libnvidia-ml 64 and 32 */
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB, "libnvidia-ml.so." VERSION));
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_BIN, "nvidia-smi"));
        driver_files_destroy(&files);

        /* video implies compute */
        options.capabilities = DRIVER_CAP_VIDEO;
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB64, "libcuda.so." VERSION));
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB), 0);
        driver_files_destroy(&files);

        options.capabilities = DRIVER_CAP_GRAPHICS;
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL(files.count, 5); /* glcore, eglcore, GLX_nvidia, EGL, tls */
        CU_ASSERT_PTR_NULL(find(&files, DRIVER_FILE_LIB64, "libcuda.so." VERSION));
        driver_files_destroy(&files);
}

static void test_without_version_filter(void)
{
        ensure_debian_root();
        struct driver_files files;
        struct error err = ERROR_INIT;
        struct driver_files_options options = {.root = debian_root, .path_env = "/usr/bin"};
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        /* Both libnvidia-ml files are taken (different resolved paths), and Mesa's libGL. */
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB64, "libnvidia-ml.so.1"));
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB64, "libnvidia-ml.so." VERSION));
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB64, "libGL.so.1.7.0"));
        CU_ASSERT_PTR_NULL(find(&files, DRIVER_FILE_LIB64, "libnvidia-gtk3.so." VERSION));
        CU_ASSERT_PTR_NULL(find(&files, DRIVER_FILE_LIB64, "libEGL_mesa.so.0.0.0"));
        driver_files_destroy(&files);
        /* A different version filters every library out. */
        options.version = "999.1";
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB64), 0);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_BIN), 2);
        driver_files_destroy(&files);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
}

static void mkdir_in(const char *root, const char *sub)
{
        cleanup_free char *p = xasprintf("%s%s", root, sub);
        CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
}

static void symlink_in(const char *root, const char *target, const char *sub)
{
        cleanup_free char *p = xasprintf("%s%s", root, sub);
        CU_ASSERT_EQUAL(symlink(target, p), 0);
}

/* The real files of the test fleet's GPU host (driver.md §6.2) and their sonames. */
static const char *const gpu_host_libs[][2] = {
    {"libcuda", "libcuda.so.1"},
    {"libcudadebugger", "libcudadebugger.so.1"},
    {"libEGL_nvidia", "libEGL_nvidia.so.0"},
    {"libGLESv1_CM_nvidia", "libGLESv1_CM_nvidia.so.1"},
    {"libGLESv2_nvidia", "libGLESv2_nvidia.so.2"},
    {"libGLX_nvidia", "libGLX_nvidia.so.0"},
    {"libnvcuvid", "libnvcuvid.so.1"},
    {"libnvidia-allocator", "libnvidia-allocator.so.1"},
    {"libnvidia-cfg", "libnvidia-cfg.so.1"},
    {"libnvidia-eglcore", NULL},
    {"libnvidia-encode", "libnvidia-encode.so.1"},
    {"libnvidia-fbc", "libnvidia-fbc.so.1"},
    {"libnvidia-glcore", NULL},
    {"libnvidia-glsi", NULL},
    {"libnvidia-glvkspirv", NULL},
    {"libnvidia-gpucomp", NULL},
    {"libnvidia-ml", "libnvidia-ml.so.1"},
    {"libnvidia-nvvm", "libnvidia-nvvm.so.4"},
    {"libnvidia-opencl", "libnvidia-opencl.so.1"},
    {"libnvidia-opticalflow", "libnvidia-opticalflow.so.1"},
    {"libnvidia-pkcs11-openssl3", NULL},
    {"libnvidia-ptxjitcompiler", "libnvidia-ptxjitcompiler.so.1"},
    {"libnvidia-rtcore", NULL},
    {"libnvidia-tls", NULL},
    {"libnvoptix", "libnvoptix.so.1"},
    {"libvdpau_nvidia", "libvdpau_nvidia.so.1"},
};
#define GPU_VERSION "580.159.04"
#define GPU_LIBS    (sizeof(gpu_host_libs) / sizeof(gpu_host_libs[0]))

/*
 * A root shaped like the GPU host: /lib -> usr/lib, /usr/local/nvidia/lib -> lib64, the
 * files in lib64, soname and .so links, /usr/lib/<soname> -> /usr/local/nvidia/lib64/<soname>
 * (absolute: must resolve inside the root), and a new-format cache (with the extension) that
 * lists every key under lib64, under lib and under /lib.
 */
static void test_gpu_host_shape(void)
{
        cleanup_free char *root = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(root);
        mkdir_in(root, "/etc");
        mkdir_in(root, "/usr");
        mkdir_in(root, "/usr/lib");
        mkdir_in(root, "/usr/local");
        mkdir_in(root, "/usr/local/nvidia");
        mkdir_in(root, "/usr/local/nvidia/lib64");
        mkdir_in(root, "/usr/local/nvidia/bin");
        symlink_in(root, "usr/lib", "/lib");
        symlink_in(root, "lib64", "/usr/local/nvidia/lib");
        static struct ldcache_builder b;
        memset(&b, 0, sizeof(b));
        size_t duplicates = 0;
        for (size_t i = 0; i < GPU_LIBS; i++) {
                const char *name = gpu_host_libs[i][0];
                cleanup_free char *file = xasprintf("%s.so." GPU_VERSION, name);
                cleanup_free char *soname =
                    gpu_host_libs[i][1] ? xstrdup(gpu_host_libs[i][1]) : xstrdup(file);
                cleanup_free char *dev = xasprintf("%s.so", name);
                cleanup_free char *p = xasprintf("%s/usr/local/nvidia/lib64/%s", root, file);
                write_file(p, "not really ELF", 0755);
                cleanup_free char *s = xasprintf("/usr/local/nvidia/lib64/%s", soname);
                if (strcmp(soname, file) != 0)
                        symlink_in(root, file, s);
                cleanup_free char *d = xasprintf("/usr/local/nvidia/lib64/%s", dev);
                symlink_in(root, soname, d);
                cleanup_free char *l = xasprintf("/usr/lib/%s", soname);
                symlink_in(root, s, l);
                /* 44 /lib keys as on the host: every soname, and 18 development names. */
                bool dev_in_lib = i < 18;
                if (dev_in_lib) {
                        cleanup_free char *ld = xasprintf("/usr/lib/%s", dev);
                        symlink_in(root, d, ld);
                }
                const char *dirs[] = {"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/lib"};
                for (int k = 0; k < 3; k++) {
                        cleanup_free char *v1 = xasprintf("%s/%s", dirs[k], soname);
                        lcb_add(&b, 0x0303, soname, v1, 0);
                        if (k < 2 || dev_in_lib) {
                                cleanup_free char *v2 = xasprintf("%s/%s", dirs[k], dev);
                                lcb_add(&b, 0x0303, dev, v2, 0);
                        }
                        if (k == 2)
                                duplicates += 1 + dev_in_lib;
                }
        }
        CU_ASSERT_EQUAL(duplicates, 44);
        size_t size;
        unsigned char *data = lcb_new(&b, &size, 1);
        cleanup_free char *cache = xasprintf("%s/etc/ld.so.cache", root);
        int fd = open(cache, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        CU_ASSERT(write(fd, data, size) == (ssize_t)size);
        close(fd);
        free(data);
        const char *bins[] = {"nvidia-cuda-mps-control", "nvidia-cuda-mps-server",
                              "nvidia-debugdump", "nvidia-persistenced", "nvidia-smi"};
        for (int i = 0; i < 5; i++) {
                cleanup_free char *p = xasprintf("%s/usr/local/nvidia/bin/%s", root, bins[i]);
                write_file(p, "#!/bin/sh\n", 0755);
        }

        struct driver_files files;
        struct error err = ERROR_INIT;
        struct driver_files_options options = {
            .root = root, .version = GPU_VERSION, .path_env = "/usr/bin"}; /* bin: fallback */
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB64), GPU_LIBS);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB), 0);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_BIN), 5);
        for (size_t i = 0; i < GPU_LIBS; i++) {
                cleanup_free char *file = xasprintf("%s.so." GPU_VERSION, gpu_host_libs[i][0]);
                const struct driver_file *f = find(&files, DRIVER_FILE_LIB64, file);
                CU_ASSERT_PTR_NOT_NULL(f);
                if (f != NULL) {
                        cleanup_free char *want =
                            xasprintf("%s/usr/local/nvidia/lib64/%s", root, file);
                        CU_ASSERT_STRING_EQUAL(f->path, want);
                }
        }
        driver_files_destroy(&files);
        fake_rmtree(root);
}

/* Entries of another architecture are skipped; an explicit arch selects them. */
static void test_arch_selection(void)
{
        cleanup_free char *root = fake_tmpdir(NULL);
        mkdir_in(root, "/etc");
        mkdir_in(root, "/lib");
        cleanup_free char *p = xasprintf("%s/lib/libcuda.so.1.2", root);
        write_file(p, "x", 0644);
        static struct ldcache_builder b;
        memset(&b, 0, sizeof(b));
        lcb_add(&b, 0x0a03, "libcuda.so.1", "/lib/libcuda.so.1.2", 0); /* AArch64 */
        lcb_add(&b, 0x0802, "libcuda.so.1", "/lib/libcuda.so.1.2", 0); /* x32, libc5 type */
        lcb_add(&b, 0x0300, "libcuda.so.1", "/lib/libcuda.so.1.2", 0); /* libc4: not ELF */
        size_t size;
        unsigned char *data = lcb_new(&b, &size, 0);
        cleanup_free char *cache = xasprintf("%s/etc/ld.so.cache", root);
        int fd = open(cache, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        CU_ASSERT(write(fd, data, size) == (ssize_t)size);
        close(fd);
        free(data);
        struct driver_files files;
        struct error err = ERROR_INIT;
        struct driver_files_options options = {.root = root, .path_env = ""};
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
#if defined(__x86_64__)
        CU_ASSERT_EQUAL(files.count, 0);
#endif
        driver_files_destroy(&files);
        options.arch_given = true;
        options.arch64 = LDCACHE_ARCH_AARCH64;
        options.arch32 = -1;
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL_FATAL(files.count, 1);
        CU_ASSERT_EQUAL(files.items[0].place, DRIVER_FILE_LIB64);
        CU_ASSERT_STRING_EQUAL(files.items[0].name, "libcuda.so.1.2");
        driver_files_destroy(&files);
        /* No cache: a clear error. */
        unlink(cache);
        CU_ASSERT_EQUAL(driver_files_find(&files, &options, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message ? strstr(err.message, "ld.so.cache") : NULL);
        error_clear(&err);
        fake_rmtree(root);
}

static void test_resolve_inside_root(void)
{
        cleanup_free char *root = fake_tmpdir(NULL);
        mkdir_in(root, "/a");
        cleanup_free char *f = xasprintf("%s/a/file", root);
        write_file(f, "x", 0644);
        symlink_in(root, "/a/file", "/a/abs");
        symlink_in(root, "../../../../a/file", "/a/up");
        symlink_in(root, "loop2", "/a/loop1");
        symlink_in(root, "loop1", "/a/loop2");
        symlink_in(root, "/nonexistent", "/a/dangling");
        char *r;
        r = driver_files_resolve(root, "/a/abs");
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/a/file");
        free(r);
        r = driver_files_resolve(root, "/a/up"); /* ".." stops at the root */
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/a/file");
        free(r);
        r = driver_files_resolve(root, "/../../a/./file");
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/a/file");
        free(r);
        r = driver_files_resolve(root, "/");
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/");
        free(r);
        errno = 0;
        CU_ASSERT_PTR_NULL(driver_files_resolve(root, "/a/loop1"));
        CU_ASSERT_EQUAL(errno, ELOOP);
        CU_ASSERT_PTR_NULL(driver_files_resolve(root, "/a/dangling"));
        CU_ASSERT_EQUAL(errno, ENOENT);
        CU_ASSERT_PTR_NULL(driver_files_resolve(root, "/a/file/x"));
        CU_ASSERT_EQUAL(errno, ENOTDIR);
        CU_ASSERT_PTR_NULL(driver_files_resolve(root, "relative"));
        /* Root "/" is the real file system. */
        r = driver_files_resolve("/", f);
        CU_ASSERT_PTR_NOT_NULL(r);
        free(r);
        fake_rmtree(root);
}

static void test_cleanup(void)
{
        fake_rmtree(debian_root);
        free(debian_root);
        debian_root = NULL;
}

UNIT_MAIN("driver_files", UNIT(test_debian_layout), UNIT(test_capabilities),
          UNIT(test_without_version_filter), UNIT(test_gpu_host_shape), UNIT(test_arch_selection),
          UNIT(test_resolve_inside_root), UNIT(test_cleanup))
