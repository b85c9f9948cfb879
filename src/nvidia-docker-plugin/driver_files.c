#include "nvidia-docker-plugin/driver_files.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/ldcache.h"

/* Binaries by capability (driver.md §5). Left out on purpose: nvidia-modprobe,
 * nvidia-settings, nvidia-xconfig (host set-up and X tools). */
static const struct driver_binary {
        const char *name;
        unsigned capability;
} driver_binaries[] = {
    {"nvidia-smi", DRIVER_CAP_UTILITY},              /* GPU status tool */
    {"nvidia-debugdump", DRIVER_CAP_UTILITY},        /* bug-report dumps */
    {"nvidia-persistenced", DRIVER_CAP_UTILITY},     /* persistence daemon */
    {"nv-fabricmanager", DRIVER_CAP_UTILITY},        /* NVSwitch fabric manager */
    {"nvidia-cuda-mps-control", DRIVER_CAP_COMPUTE}, /* MPS control daemon */
    {"nvidia-cuda-mps-server", DRIVER_CAP_COMPUTE},  /* MPS server */
};

/* Libraries by capability, as ld.so.cache key prefixes (driver.md §5). Prefix matching:
 * "libGL.so" matches libGL.so.1 but not libGLX_nvidia.so.0. Left out on purpose:
 * libnvidia-gtk2/3, libnvidia-wfb, libglx, nvidia_drv (X server only), libOpenCL (ICD loader),
 * libnvidia-egl-wayland and the GLVND loaders libGLX, libOpenGL, libGLdispatch (the image's). */
static const struct driver_library {
        const char *prefix;
        unsigned capability;
} driver_libraries[] = {
    {"libnvidia-ml.so", DRIVER_CAP_UTILITY},              /* NVML */
    {"libnvidia-cfg.so", DRIVER_CAP_UTILITY},             /* GPU configuration */
    {"libnvidia-nscq.so", DRIVER_CAP_UTILITY},            /* NVSwitch queries */
    {"libcuda.so", DRIVER_CAP_COMPUTE},                   /* CUDA driver API */
    {"libcudadebugger.so", DRIVER_CAP_COMPUTE},           /* CUDA debugger back end */
    {"libnvidia-opencl.so", DRIVER_CAP_COMPUTE},          /* OpenCL ICD */
    {"libnvidia-gpucomp.so", DRIVER_CAP_COMPUTE},         /* shader/kernel compiler */
    {"libnvidia-ptxjitcompiler.so", DRIVER_CAP_COMPUTE},  /* PTX JIT */
    {"libnvidia-fatbinaryloader.so", DRIVER_CAP_COMPUTE}, /* fatbin loader (old drivers) */
    {"libnvidia-allocator.so", DRIVER_CAP_COMPUTE},       /* memory allocator */
    {"libnvidia-compiler.so", DRIVER_CAP_COMPUTE},        /* OpenCL compiler (old) */
    {"libnvidia-pkcs11.so", DRIVER_CAP_COMPUTE},          /* confidential computing */
    {"libnvidia-pkcs11-openssl3.so", DRIVER_CAP_COMPUTE}, /* same, OpenSSL 3 */
    {"libnvidia-nvvm.so", DRIVER_CAP_COMPUTE},            /* NVVM JIT */
    {"libnvidia-tileiras.so", DRIVER_CAP_COMPUTE},        /* tile IR compiler */
    {"libvdpau_nvidia.so", DRIVER_CAP_VIDEO},             /* VDPAU */
    {"libnvidia-encode.so", DRIVER_CAP_VIDEO},            /* NVENC */
    {"libnvidia-opticalflow.so", DRIVER_CAP_VIDEO},       /* optical flow */
    {"libnvcuvid.so", DRIVER_CAP_VIDEO},                  /* NVDEC */
    {"libnvidia-eglcore.so", DRIVER_CAP_GRAPHICS},        /* EGL core */
    {"libnvidia-glcore.so", DRIVER_CAP_GRAPHICS},         /* OpenGL core */
    {"libnvidia-tls.so", DRIVER_CAP_GRAPHICS},            /* TLS helper (ABI-checked) */
    {"libnvidia-glsi.so", DRIVER_CAP_GRAPHICS},           /* OpenGL system interface */
    {"libnvidia-fbc.so", DRIVER_CAP_GRAPHICS},            /* frame buffer capture */
    {"libnvidia-ifr.so", DRIVER_CAP_GRAPHICS},            /* in-band frame readback (old) */
    {"libnvidia-rtcore.so", DRIVER_CAP_GRAPHICS},         /* ray tracing core */
    {"libnvoptix.so", DRIVER_CAP_GRAPHICS},               /* OptiX */
    {"libGLX_nvidia.so", DRIVER_CAP_GRAPHICS},            /* GLVND GLX vendor */
    {"libEGL_nvidia.so", DRIVER_CAP_GRAPHICS},            /* GLVND EGL vendor */
    {"libGLESv2_nvidia.so", DRIVER_CAP_GRAPHICS},         /* GLVND GLES 2/3 vendor */
    {"libGLESv1_CM_nvidia.so", DRIVER_CAP_GRAPHICS},      /* GLVND GLES 1 vendor */
    {"libnvidia-glvkspirv.so", DRIVER_CAP_GRAPHICS},      /* Vulkan SPIR-V compiler */
    {"libnvidia-cbl.so", DRIVER_CAP_GRAPHICS},            /* Vulkan ray tracing (old) */
    {"libGL.so", DRIVER_CAP_GRAPHICS},                    /* compat (no-glvnd) OpenGL */
    {"libEGL.so", DRIVER_CAP_GRAPHICS},                   /* compat EGL */
    {"libGLESv1_CM.so", DRIVER_CAP_GRAPHICS},             /* compat GLES 1 */
    {"libGLESv2.so", DRIVER_CAP_GRAPHICS},                /* compat GLES 2/3 */
};

#define RESOLVE_MAX_LINKS 40

/* Appends `component` to the resolved path `out` (always starting with '/'). */
static void path_push(char **out, const char *component, size_t len)
{
        size_t out_len = strlen(*out);
        bool slash = out_len > 0 && (*out)[out_len - 1] == '/';
        char *joined = xasprintf("%s%s%.*s", *out, slash ? "" : "/", (int)len, component);
        free(*out);
        *out = joined;
}

static void path_pop(char *out)
{
        char *slash = strrchr(out, '/');
        if (slash == out)
                out[1] = '\0';
        else if (slash != NULL)
                *slash = '\0';
}

static char *host_path(const char *root, const char *inner)
{
        if (strcmp(root, "/") == 0)
                return xstrdup(inner);
        size_t len = strlen(root);
        while (len > 1 && root[len - 1] == '/')
                len--;
        return xasprintf("%.*s%s", (int)len, root, inner);
}

char *driver_files_resolve(const char *root, const char *path)
{
        if (root == NULL || root[0] == '\0')
                root = "/";
        if (path[0] != '/') {
                errno = EINVAL;
                return NULL;
        }
        cleanup_free char *out = xstrdup("/");
        cleanup_free char *rest = xstrdup(path);
        int links = 0;
        const char *p = rest;
        while (*p != '\0') {
                while (*p == '/')
                        p++;
                if (*p == '\0')
                        break;
                const char *end = strchrnul(p, '/');
                size_t len = (size_t)(end - p);
                if (len == 1 && p[0] == '.') {
                        p = end;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        path_pop(out);
                        p = end;
                        continue;
                }
                cleanup_free char *candidate = xstrdup(out);
                path_push(&candidate, p, len);
                cleanup_free char *on_host = host_path(root, candidate);
                struct stat st;
                if (lstat(on_host, &st) < 0)
                        return NULL;
                if (S_ISLNK(st.st_mode)) {
                        if (++links > RESOLVE_MAX_LINKS) {
                                errno = ELOOP;
                                return NULL;
                        }
                        char target[PATH_MAX];
                        ssize_t n = readlink(on_host, target, sizeof(target) - 1);
                        if (n < 0)
                                return NULL;
                        if (n == 0) {
                                errno = ENOENT;
                                return NULL;
                        }
                        target[n] = '\0';
                        if (target[0] == '/') {
                                free(out);
                                out = xstrdup("/");
                        }
                        char *next = xasprintf("%s%s", target, end);
                        free(rest);
                        rest = next;
                        p = rest;
                        continue;
                }
                if (*end != '\0' && !S_ISDIR(st.st_mode)) {
                        /* More components follow; only "/" runs may remain. */
                        const char *q = end;
                        while (*q == '/')
                                q++;
                        if (*q != '\0') {
                                errno = ENOTDIR;
                                return NULL;
                        }
                }
                free(out);
                out = steal_pointer(&candidate);
                p = end;
        }
        return steal_pointer(&out);
}

/* `name`: the file's name in the volume; NULL for the resolved basename. */
static void files_add(struct driver_files *files, size_t *capacity, enum driver_file_place place,
                      const char *root, const char *resolved, const char *name)
{
        if (files->count == *capacity) {
                *capacity = *capacity ? *capacity * 2 : 32;
                files->items = xrealloc(files->items, *capacity * sizeof(*files->items));
        }
        const char *slash = strrchr(resolved, '/');
        files->items[files->count++] = (struct driver_file){
            .place = place,
            .path = host_path(root, resolved),
            .name = xstrdup(name    ? name
                            : slash ? slash + 1
                                    : resolved),
        };
}

static bool already_taken(const struct strv *taken, const char *resolved)
{
        for (size_t i = 0; i < taken->count; i++)
                if (strcmp(taken->items[i], resolved) == 0)
                        return true;
        return false;
}

static bool has_version_suffix(const char *resolved, const char *version)
{
        if (version == NULL || version[0] == '\0')
                return true;
        size_t len = strlen(resolved), vlen = strlen(version);
        return len > vlen + 1 && resolved[len - vlen - 1] == '.' &&
               strcmp(resolved + len - vlen, version) == 0;
}

static void find_binaries(struct driver_files *files, size_t *capacity, struct strv *taken,
                          const char *root, const char *path_env, unsigned caps)
{
        struct strv dirs = STRV_INIT;
        strv_split(&dirs, path_env, ":");
        /* The driver's own directory (the GPU host of driver.md §6.2), even when a service
         * manager's PATH lacks it. */
        strv_push(&dirs, DRIVER_FILES_NVIDIA_BIN);
        for (size_t b = 0; b < sizeof(driver_binaries) / sizeof(driver_binaries[0]); b++) {
                if (!(driver_binaries[b].capability & caps))
                        continue;
                for (size_t d = 0; d < dirs.count; d++) {
                        if (dirs.items[d][0] != '/')
                                continue; /* relative PATH entries mean nothing here */
                        cleanup_free char *inner =
                            xasprintf("%s/%s", dirs.items[d], driver_binaries[b].name);
                        cleanup_free char *resolved = driver_files_resolve(root, inner);
                        if (resolved == NULL)
                                continue;
                        cleanup_free char *on_host = host_path(root, resolved);
                        struct stat st;
                        if (stat(on_host, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                                continue;
                        if (!already_taken(taken, resolved)) {
                                strv_push(taken, resolved);
                                files_add(files, capacity, DRIVER_FILE_BIN, root, resolved,
                                          driver_binaries[b].name);
                        }
                        break;
                }
        }
        strv_destroy(&dirs);
}

static bool library_wanted(const char *key, unsigned caps)
{
        for (size_t i = 0; i < sizeof(driver_libraries) / sizeof(driver_libraries[0]); i++) {
                size_t len = strlen(driver_libraries[i].prefix);
                if (strncmp(key, driver_libraries[i].prefix, len) == 0)
                        return (driver_libraries[i].capability & caps) != 0;
        }
        return false;
}

static void host_arch(int32_t *arch64, int32_t *arch32)
{
#if defined(__x86_64__)
        *arch64 = LDCACHE_ARCH_X86_64;
        *arch32 = LDCACHE_ARCH_I386;
#elif defined(__aarch64__)
        *arch64 = LDCACHE_ARCH_AARCH64;
        *arch32 = -1;
#elif defined(__powerpc64__)
        *arch64 = LDCACHE_ARCH_PPC64;
        *arch32 = -1;
#else
        *arch64 = -1;
        *arch32 = LDCACHE_ARCH_I386;
#endif
}

int driver_files_find(struct driver_files *files, const struct driver_files_options *options,
                      struct error *err)
{
        memset(files, 0, sizeof(*files));
        const char *root = options->root && options->root[0] ? options->root : "/";
        unsigned caps = options->capabilities ? options->capabilities : DRIVER_CAP_DEFAULT;
        if (caps & DRIVER_CAP_VIDEO)
                caps |= DRIVER_CAP_COMPUTE; /* video decoding needs CUDA */
        int32_t arch64, arch32;
        if (options->arch_given) {
                arch64 = options->arch64;
                arch32 = options->arch32;
        } else {
                host_arch(&arch64, &arch32);
        }
        if (!(caps & DRIVER_CAP_COMPAT32))
                arch32 = -1;

        cleanup_free char *cache_path = options->ldcache_path ? xstrdup(options->ldcache_path)
                                                              : host_path(root, "/etc/ld.so.cache");
        struct ldcache cache;
        if (ldcache_load(&cache, cache_path, err) < 0)
                return error_prefix(err, "reading the driver's library list");

        size_t capacity = 0;
        struct strv taken = STRV_INIT;
        find_binaries(files, &capacity, &taken, root,
                      options->path_env ? options->path_env : DRIVER_FILES_DEFAULT_PATH, caps);
        for (size_t i = 0; i < cache.count; i++) {
                const struct ldcache_entry *e = &cache.entries[i];
                if (!(e->flags & LDCACHE_FLAG_ELF))
                        continue;
                int32_t arch = e->flags & LDCACHE_ARCH_MASK;
                enum driver_file_place place;
                if (arch == arch64)
                        place = DRIVER_FILE_LIB64;
                else if (arch == arch32)
                        place = DRIVER_FILE_LIB;
                else
                        continue;
                if (!library_wanted(e->key, caps) || e->value[0] != '/')
                        continue;
                cleanup_free char *resolved = driver_files_resolve(root, e->value);
                if (resolved == NULL || !has_version_suffix(resolved, options->version) ||
                    already_taken(&taken, resolved))
                        continue;
                strv_push(&taken, resolved);
                files_add(files, &capacity, place, root, resolved, NULL);
        }
        strv_destroy(&taken);
        ldcache_destroy(&cache);
        return 0;
}

void driver_files_destroy(struct driver_files *files)
{
        if (files == NULL)
                return;
        for (size_t i = 0; i < files->count; i++) {
                free(files->items[i].path);
                free(files->items[i].name);
        }
        free(files->items);
        memset(files, 0, sizeof(*files));
}
