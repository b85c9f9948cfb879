/* Unit tests of driver_files: selection by capability, arch, version suffix, de-duplication
 * by resolved path, PATH walk and symlink resolution inside a driver root. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "fake_root.h"
#include "ldcache_builder.h"
#include "nvidia-docker-plugin/driver_files.h"
#include "nvidia-docker-plugin/ldcache.h"
#include "nvidia-docker-plugin/root_path.h"
#include "nvidia-docker-plugin/vendor_json.h"
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
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB64), 18);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB), 8);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_SHARE), 6);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_XORG), 2);
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

/* The names of `files` in `place`, sorted and joined by spaces. */
static char *names_in(const struct driver_files *files, enum driver_file_place place)
{
        struct strv names = STRV_INIT;
        for (size_t i = 0; i < files->count; i++)
                if (files->items[i].place == place)
                        strv_push(&names, files->items[i].name);
        for (size_t i = 1; i < names.count; i++)
                for (size_t j = i; j > 0 && strcmp(names.items[j - 1], names.items[j]) > 0; j--) {
                        char *t = names.items[j];
                        names.items[j] = names.items[j - 1];
                        names.items[j - 1] = t;
                }
        char *joined = strv_join(&names, " ");
        strv_destroy(&names);
        return joined;
}

/* Finds the files of `caps` in the Debian-shaped fake root; each place must hold exactly the
 * names given (sorted, "V" standing for the version). */
static void expect_set(const char *caps_words, const char *bin, const char *lib64, const char *lib,
                       const char *share, const char *xorg)
{
        ensure_debian_root();
        unsigned caps = 0;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(driver_caps_parse(caps_words, &caps, NULL, &err), 0);
        struct driver_files files;
        struct driver_files_options options = {
            .root = debian_root, .version = VERSION, .path_env = "/usr/bin", .capabilities = caps};
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        const char *want[] = {bin, lib, lib64, share, xorg};
        for (int p = 0; p < DRIVER_FILE_PLACES; p++) {
                cleanup_free char *got = names_in(&files, (enum driver_file_place)p);
                /* "V" in the expectation is the version. */
                struct buf expected = BUF_INIT;
                for (const char *c = want[p]; *c; c++) {
                        if (*c == 'V' && (c[1] == ' ' || c[1] == '\0') && c > want[p] &&
                            c[-1] == '.')
                                buf_puts(&expected, VERSION);
                        else
                                buf_append(&expected, c, 1);
                }
                cleanup_free char *w = buf_steal(&expected);
                if (strcmp(got, w) != 0)
                        fprintf(stderr, "caps %s, %s: got '%s'\n  want '%s'\n", caps_words,
                                driver_file_place_dirs[p], got, w);
                CU_ASSERT_STRING_EQUAL(got, w);
        }
        /* Every file is there for a capability of the (closed) set. */
        for (size_t i = 0; i < files.count; i++)
                CU_ASSERT_NOT_EQUAL(files.items[i].capabilities & driver_caps_close(caps), 0);
        driver_files_destroy(&files);
}

#define GRAPHICS64                                                                                 \
        "libEGL.so.V libEGL_nvidia.so.V libGLESv2_nvidia.so.V libGLX_nvidia.so.V "                 \
        "libnvidia-egl-wayland.so.1.1.13 libnvidia-eglcore.so.V libnvidia-glcore.so.V "            \
        "libnvidia-glsi.so.V libnvidia-gpucomp.so.V libnvidia-tls.so.V libnvoptix.so.V"
#define GRAPHICS_SHARE                                                                             \
        "egl/egl_external_platform.d/10_nvidia_wayland.json glvnd/egl_vendor.d/10_nvidia.json "    \
        "nvidia/nvoptix.bin vulkan/icd.d/nvidia_icd.json "                                         \
        "vulkan/implicit_layer.d/nvidia_layers.json"

static void test_capabilities(void)
{
        expect_set("compute", "nvidia-cuda-mps-control",
                   "libcuda.so.V libnvidia-gpucomp.so.V libnvidia-ptxjitcompiler.so.V", "", "", "");
        expect_set("", "nvidia-cuda-mps-control nvidia-smi",
                   "libcuda.so.V libnvidia-cfg.so.V libnvidia-gpucomp.so.V libnvidia-ml.so.V "
                   "libnvidia-ptxjitcompiler.so.V",
                   "", "", "");
        expect_set("utility,compat32", "nvidia-smi", "libnvidia-cfg.so.V libnvidia-ml.so.V",
                   "libnvidia-ml.so.V", "", "");
        /* video brings compute (NVDEC and NVENC run on CUDA) */
        expect_set("video", "nvidia-cuda-mps-control",
                   "libcuda.so.V libnvcuvid.so.V libnvidia-encode.so.V libnvidia-gpucomp.so.V "
                   "libnvidia-opticalflow.so.V libnvidia-ptxjitcompiler.so.V",
                   "", "", "");
        /* graphics: the vendor libraries, their JSON files (not Mesa's, not lavapipe's, not the
         * broken one) and OptiX's data */
        expect_set("graphics", "", GRAPHICS64, "", GRAPHICS_SHARE, "");
        /* display brings graphics, and adds the X server's modules and configuration */
        expect_set("display", "", GRAPHICS64, "", "X11/xorg.conf.d/10-nvidia.conf " GRAPHICS_SHARE,
                   "drivers/nvidia_drv.so extensions/libglxserver_nvidia.so");
        expect_set("graphics,compat32", "", GRAPHICS64,
                   "libEGL.so.V libGLX_nvidia.so.V libnvidia-eglcore.so.V libnvidia-glcore.so.V "
                   "libnvidia-tls.so.V",
                   GRAPHICS_SHARE, "");
}

/* Where the JSON copies point: inside the volume, unless a 32-bit copy of the library is in
 * the set too (then the bare name, for LD_LIBRARY_PATH to choose by class). */
static void test_json_copies(void)
{
        ensure_debian_root();
        struct error err = ERROR_INIT;
        struct driver_files files;
        struct driver_files_options options = {.root = debian_root,
                                               .version = VERSION,
                                               .path_env = "/usr/bin",
                                               .capabilities = DRIVER_CAP_GRAPHICS};
        for (int compat = 0; compat < 2; compat++) {
                options.capabilities |= compat ? DRIVER_CAP_COMPAT32 : 0;
                CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
                size_t json = 0;
                for (size_t i = 0; i < files.count; i++) {
                        const struct driver_file *f = &files.items[i];
                        if (f->place != DRIVER_FILE_SHARE)
                                continue;
                        CU_ASSERT_STRING_EQUAL(f->standard_dir, "/usr/share");
                        CU_ASSERT_PTR_NOT_NULL(strstr(f->path, "/usr/share/"));
                        if (strstr(f->name, ".json") == NULL) {
                                CU_ASSERT_PTR_NULL(f->content);
                                continue;
                        }
                        json++;
                        CU_ASSERT_PTR_NOT_NULL_FATAL(f->content);
                        CU_ASSERT_EQUAL(strlen(f->content), f->content_len);
                        struct strv libs = STRV_INIT;
                        CU_ASSERT_EQUAL(
                            vendor_json_libraries(f->content, f->content_len, &libs, &err), 0);
                        CU_ASSERT_EQUAL_FATAL(libs.count, 1);
                        const char *want = NULL;
                        if (strstr(f->name, "egl_vendor"))
                                want = "/usr/local/nvidia/lib64/libEGL_nvidia.so." VERSION;
                        else if (strstr(f->name, "wayland"))
                                want = "/usr/local/nvidia/lib64/libnvidia-egl-wayland.so.1.1.13";
                        else /* libGLX_nvidia has a 32-bit copy */
                                want = compat ? "libGLX_nvidia.so.0"
                                              : "/usr/local/nvidia/lib64/libGLX_nvidia.so." VERSION;
                        CU_ASSERT_STRING_EQUAL(libs.items[0], want);
                        strv_destroy(&libs);
                }
                CU_ASSERT_EQUAL(json, 4);
                driver_files_destroy(&files);
        }
}

/* On the GPU host's shape the JSON files sit in the driver's own share/ directory. */
static void test_gpu_host_share(void)
{
        cleanup_free char *root = fake_root_make(NULL, "580.159.04", "gpu-host", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(root);
        struct error err = ERROR_INIT;
        struct driver_files files;
        struct driver_files_options options = {.root = root,
                                               .version = "580.159.04",
                                               .path_env = "/usr/bin",
                                               .capabilities = DRIVER_CAP_ALL};
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        cleanup_free char *share = names_in(&files, DRIVER_FILE_SHARE);
        CU_ASSERT_STRING_EQUAL(share, GRAPHICS_SHARE);
        cleanup_free char *xorg = names_in(&files, DRIVER_FILE_XORG);
        CU_ASSERT_STRING_EQUAL(xorg, "");
        for (size_t i = 0; i < files.count; i++)
                if (files.items[i].place == DRIVER_FILE_SHARE)
                        CU_ASSERT_PTR_NOT_NULL(
                            strstr(files.items[i].path, "/usr/local/nvidia/share/"));
        driver_files_destroy(&files);
        fake_rmtree(root);
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
        /* A different version filters every library out, but the EGL platform library that has
         * a version of its own; its JSON file then comes along (and the X configuration). */
        options.version = "999.1";
        CU_ASSERT_EQUAL_FATAL(driver_files_find(&files, &options, &err), 0);
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_LIB64), 1);
        CU_ASSERT_PTR_NOT_NULL(find(&files, DRIVER_FILE_LIB64, "libnvidia-egl-wayland.so.1.1.13"));
        CU_ASSERT_EQUAL(count_place(&files, DRIVER_FILE_SHARE), 2);
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

/* The real files of a GPU host (driver 580) and their sonames. */
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
        r = root_path_resolve(root, "/a/abs");
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/a/file");
        free(r);
        r = root_path_resolve(root, "/a/up"); /* ".." stops at the root */
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/a/file");
        free(r);
        r = root_path_resolve(root, "/../../a/./file");
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/a/file");
        free(r);
        r = root_path_resolve(root, "/");
        CU_ASSERT_STRING_EQUAL(r ? r : "", "/");
        free(r);
        errno = 0;
        CU_ASSERT_PTR_NULL(root_path_resolve(root, "/a/loop1"));
        CU_ASSERT_EQUAL(errno, ELOOP);
        CU_ASSERT_PTR_NULL(root_path_resolve(root, "/a/dangling"));
        CU_ASSERT_EQUAL(errno, ENOENT);
        CU_ASSERT_PTR_NULL(root_path_resolve(root, "/a/file/x"));
        CU_ASSERT_EQUAL(errno, ENOTDIR);
        CU_ASSERT_PTR_NULL(root_path_resolve(root, "relative"));
        /* Root "/" is the real file system. */
        r = root_path_resolve("/", f);
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

UNIT_MAIN("driver_files", UNIT(test_debian_layout), UNIT(test_capabilities), UNIT(test_json_copies),
          UNIT(test_gpu_host_share), UNIT(test_without_version_filter), UNIT(test_gpu_host_shape),
          UNIT(test_arch_selection), UNIT(test_resolve_inside_root), UNIT(test_cleanup))
