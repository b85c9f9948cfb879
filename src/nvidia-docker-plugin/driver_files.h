/*
 * driver_files: today's NVIDIA driver files, by capability (docs/capabilities.md; driver.md §5,
 * libnvidia-container's lists, NVIDIA's container toolkit for the graphics files), found under a
 * driver root:
 *   - libraries through <root>/etc/ld.so.cache: entries of the host's 64-bit architecture go to
 *     lib64, those of its 32-bit one (i386 on x86-64) to lib; a key must start with a wanted
 *     prefix; the value path is resolved through symlinks inside <root> (absolute links are
 *     relative to <root>), and with a known driver version the resolved basename must end with
 *     that version (drops Mesa, GDK stubs, leftovers of older drivers), except for the EGL
 *     external platform libraries, which carry versions of their own
 * (libnvidia-egl-wayland.so.1.1.x);
 *   - binaries by walking the PATH list, then /usr/local/nvidia/bin (systemd's default PATH
 *     lacks it), each directory resolved inside <root>, first hit wins;
 *   - graphics: the loaders' JSON files (vendor_json.h) of the directories glvnd/egl_vendor.d,
 *     egl/egl_external_platform.d, vulkan/{icd.d,implicit_layer.d,explicit_layer.d},
 *     vulkansc/icd.d that name a library of this list, plus nvidia/nvoptix.bin (OptiX); display:
 *     the X11/xorg.conf.d snippets named nvidia. Looked for in <driver prefix>/share (the directory
 * above the 64-bit libraries' directory: /usr/local/nvidia/share on a driver in /usr/local/nvidia),
 *     then /etc, /usr/local/share, /usr/share; first hit per file name. A JSON file's copy names
 *     its library by absolute path inside the volume (DRIVER_FILES_VOLUME_TARGET/lib64/<file>),
 *     so that a loader finds it without LD_LIBRARY_PATH, unless the set also holds the 32-bit
 *     copy of that library: then the name stays bare and LD_LIBRARY_PATH picks the right one;
 *   - display: the X server's driver nvidia_drv.so and GLX module libglxserver_nvidia.so.<version>
 *     from the X module directories (<libdir>/xorg/modules, <libdir>/nvidia/xorg,
 *     /usr/lib/xorg/modules, /usr/lib64/xorg/modules).
 * Files are de-duplicated by resolved path (one set shared by every place), so the
 * duplicate /lib keys of driver.md §6.2 give one file. Missing files are not errors; an
 * unreadable JSON file is left out (logged).
 * Reads the cache, the JSON files and stats files; writes nothing.
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

/*
 * Resolves `path` (absolute, as seen inside `root`) through every symlink, treating `root` as
 * the file system root ("/.." stays at the root). Returns the resolved path inside root
 * ("/usr/lib/libcuda.so.580.1"), or NULL with errno set (ENOENT, ELOOP, ENOTDIR, ...).
 */
char *driver_files_resolve(const char *root, const char *path);

#endif
