/*
 * driver_files: today's NVIDIA driver files, by capability (driver.md §5, libnvidia-container's
 * lists), found under a driver root:
 *   - libraries through <root>/etc/ld.so.cache: entries of the host's 64-bit architecture go to
 *     lib64, those of its 32-bit one (i386 on x86-64) to lib; a key must start with a wanted
 *     prefix; the value path is resolved through symlinks inside <root> (absolute links are
 *     relative to <root>), and with a known driver version the resolved basename must end with
 *     that version (drops Mesa, GDK stubs, leftovers of older drivers);
 *   - binaries by walking the PATH list, then /usr/local/nvidia/bin (systemd's default PATH
 *     lacks it), each directory resolved inside <root>, first hit wins.
 * Files are de-duplicated by resolved path (one set shared by lib, lib64 and bin), so the
 * duplicate /lib keys of driver.md §6.2 give one file. Missing files are not errors.
 * Reads the cache and stats files; writes nothing.
 */
#ifndef NVD_DRIVER_FILES_H
#define NVD_DRIVER_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum driver_capability {
        DRIVER_CAP_UTILITY = 1 << 0,  /* nvidia-smi & co, libnvidia-ml, libnvidia-cfg */
        DRIVER_CAP_COMPUTE = 1 << 1,  /* libcuda & co, MPS binaries */
        DRIVER_CAP_VIDEO = 1 << 2,    /* encode/decode libraries (plus compute) */
        DRIVER_CAP_GRAPHICS = 1 << 3, /* GL/EGL/Vulkan vendor libraries (GLVND) */
        DRIVER_CAP_COMPAT32 = 1 << 4, /* also the 32-bit libraries */
};
/* What 1.0's volume held, updated to today's driver: everything above. */
#define DRIVER_CAP_DEFAULT                                                                         \
        (DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE | DRIVER_CAP_VIDEO | DRIVER_CAP_GRAPHICS |        \
         DRIVER_CAP_COMPAT32)

enum driver_file_place {
        DRIVER_FILE_BIN,   /* bin/ */
        DRIVER_FILE_LIB,   /* lib/: 32-bit libraries */
        DRIVER_FILE_LIB64, /* lib64/ */
};

struct driver_file {
        enum driver_file_place place;
        char *path; /* host path of the resolved file: <root> + resolved path */
        char *name; /* name in the volume: a library's resolved basename (the soname links
                     * point to it), a binary's own name (nvidia-smi even if a symlink) */
};

struct driver_files {
        struct driver_file *items; /* bin entries first, then libraries in cache order */
        size_t count;
};

struct driver_files_options {
        const char *root;         /* driver root; NULL or "" means "/" */
        const char *version;      /* driver version; NULL: no basename filter */
        unsigned capabilities;    /* DRIVER_CAP_*; 0 means DRIVER_CAP_DEFAULT */
        const char *path_env;     /* colon list for binaries; NULL: DRIVER_FILES_DEFAULT_PATH */
        const char *ldcache_path; /* NULL: <root>/etc/ld.so.cache */
        bool arch_given;          /* false: the host's arch values (compile time) */
        int32_t arch64;           /* ld.so.cache arch of lib64 entries, e.g. LDCACHE_ARCH_X86_64 */
        int32_t arch32;           /* arch of lib entries (LDCACHE_ARCH_I386), -1: none */
};

#define DRIVER_FILES_NVIDIA_BIN "/usr/local/nvidia/bin"
#define DRIVER_FILES_DEFAULT_PATH                                                                  \
        "/usr/local/nvidia/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Fails only when the ld.so.cache cannot be read or parsed. */
int driver_files_find(struct driver_files *files, const struct driver_files_options *options,
                      struct error *err);
void driver_files_destroy(struct driver_files *files);

/*
 * Resolves `path` (absolute, as seen inside `root`) through every symlink, treating `root` as
 * the file system root ("/.." stays at the root). Returns the resolved path inside root
 * ("/usr/lib/libcuda.so.580.1"), or NULL with errno set (ENOENT, ELOOP, ENOTDIR, ...).
 */
char *driver_files_resolve(const char *root, const char *path);

#endif
