/*
 * driver_files: finds the driver files of a capability set (the lists of driver_lists.h) under
 * a driver root, symlinks resolved inside the root (root_path.h), each file once:
 *   - libraries through <root>/etc/ld.so.cache: 64-bit entries to lib64, 32-bit ones to lib;
 *     with a known driver version the resolved name must end with it (drops Mesa, stubs and
 *     leftovers of older drivers), except libraries versioned on their own;
 *   - binaries on the PATH list, then /usr/local/nvidia/bin; first hit wins;
 *   - graphics and display: the loaders' JSON files (rewritten to name their library inside the
 *     volume, vendor_json.h), nvoptix.bin, the X config snippets and X server modules, looked
 *     for in the driver's own share directory, then /etc, /usr/local/share, /usr/share.
 * Missing files are not errors; an unreadable JSON file is left out (logged). Reads; writes
 * nothing. docs/capabilities.md tells which capability brings what.
 */
#ifndef NVD_DRIVER_FILES_H
#define NVD_DRIVER_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "nvidia-docker-plugin/driver_caps.h"

/* What 1.0's volume held, updated to today's driver: every capability. */
#define DRIVER_CAP_DEFAULT DRIVER_CAP_ALL

/* Where the volume is mounted in containers; JSON copies name libraries below it. */
#define DRIVER_FILES_VOLUME_TARGET "/usr/local/nvidia"

enum driver_file_place {
        DRIVER_FILE_BIN,   /* bin/ */
        DRIVER_FILE_LIB,   /* lib/: 32-bit libraries */
        DRIVER_FILE_LIB64, /* lib64/ */
        DRIVER_FILE_SHARE, /* share/<relative name>: loaders' JSON files, nvoptix.bin, X config */
        DRIVER_FILE_XORG,  /* lib64/xorg/modules/<relative name>: X server modules */
};
#define DRIVER_FILE_PLACES 5

/* The directory of each place inside the volume ("bin", ..., "lib64/xorg/modules"). */
extern const char *const driver_file_place_dirs[DRIVER_FILE_PLACES];

struct driver_file {
        enum driver_file_place place;
        char *path; /* host path of the resolved file: <root> + resolved path */
        char *name; /* name in the volume below its place's directory: a library's resolved
                     * basename (the soname links point to it), a binary's own name (nvidia-smi
                     * even if a symlink); for share and xorg a relative path
                     * ("glvnd/egl_vendor.d/10_nvidia.json", "drivers/nvidia_drv.so") */
        unsigned capabilities; /* DRIVER_CAP_* bits that want this file */
        char *content;         /* NULL, or what the volume's copy holds instead of the file's
                                * bytes (a JSON file naming its library inside the volume) */
        size_t content_len;
        const char *standard_dir; /* share files: the directory the loaders search by default
                                   * ("/usr/share" or "/etc"; the file's place there is
                                   * <standard_dir>/<name>, e.g. for a CDI mount); else NULL */
};

struct driver_files {
        struct driver_file *items; /* bin entries first, then libraries in cache order */
        size_t count;
};

struct driver_files_options {
        const char *root;         /* driver root; NULL or "" means "/" */
        const char *version;      /* driver version; NULL: no basename filter */
        unsigned capabilities;    /* DRIVER_CAP_* (closed: see driver_caps_close); 0 means
                                   * DRIVER_CAP_DEFAULT */
        const char *path_env;     /* colon list for binaries; NULL: DRIVER_FILES_DEFAULT_PATH */
        const char *ldcache_path; /* NULL: <root>/etc/ld.so.cache */
        bool arch_given;          /* false: the host's arch values (compile time) */
        int32_t arch64;           /* ld.so.cache arch of lib64 entries, e.g. LDCACHE_ARCH_X86_64 */
        int32_t arch32;           /* arch of lib entries (LDCACHE_ARCH_I386), -1: none */
};

#define DRIVER_FILES_NVIDIA_BIN "/usr/local/nvidia/bin"
#define DRIVER_FILES_DEFAULT_PATH                                                                  \
        "/usr/local/nvidia/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The files of the capability set options->capabilities (closed first: video brings compute,
 * display graphics). Fails only when the ld.so.cache cannot be read or parsed. */
int driver_files_find(struct driver_files *files, const struct driver_files_options *options,
                      struct error *err);
void driver_files_destroy(struct driver_files *files);

/*
 * The environment that lets a container's loaders find the files of the set `capabilities` in
 * the volume mounted at DRIVER_FILES_VOLUME_TARGET, as NAME=VALUE with VALUE a colon list
 * (docs/capabilities.md): LD_LIBRARY_PATH (lib64, and lib with compat32) for a set with video
 * or graphics (the loaders of generic images find nothing in /usr/local/nvidia otherwise);
 * for graphics __EGL_VENDOR_LIBRARY_DIRS (GLVND), __EGL_EXTERNAL_PLATFORM_CONFIG_DIRS
 * (libEGL_nvidia) and XDG_DATA_DIRS (the Vulkan loader's icd.d and layer directories), each the
 * volume's directory followed by the loader's defaults. A caller merges VALUE's entries into
 * the value the container would otherwise have.
 */
void driver_files_environment(unsigned capabilities, struct strv *out);

#endif
