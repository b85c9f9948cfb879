/*
 * driver_lists: which files of the NVIDIA driver a container may need, by capability
 * (docs/capabilities.md; libnvidia-container's lists, NVIDIA's container toolkit for the
 * graphics files), as data with one commented row per entry. driver_files finds them on a host.
 */
#ifndef NVD_DRIVER_LISTS_H
#define NVD_DRIVER_LISTS_H

#include <stdbool.h>
#include <stddef.h>

#include "nvidia-docker-plugin/driver_caps.h"

struct driver_binary {
        const char *name;
        unsigned capability; /* DRIVER_CAP_* */
};

struct driver_library {
        const char *prefix; /* of the ld.so.cache key: "libGL.so" matches libGL.so.1 */
        unsigned capability;
        bool own_version; /* versioned on its own, not with the driver: no version filter */
};

/* The X server's modules (display): file to look for, name in the volume. */
struct driver_xorg_module {
        const char *file;
        const char *name;
        bool versioned; /* resolves to <name>.<driver version> */
};

extern const struct driver_binary driver_binaries[];
extern const size_t driver_binary_count;
extern const struct driver_library driver_libraries[];
extern const size_t driver_library_count;
/* Directories (below a configuration directory) of the loaders' JSON files. */
extern const char *const driver_json_dirs[];
extern const size_t driver_json_dir_count;
extern const struct driver_xorg_module driver_xorg_modules[];
extern const size_t driver_xorg_module_count;
/* Where the X modules are looked for; "@" stands for the driver's 64-bit library directory. */
extern const char *const driver_xorg_dirs[];
extern const size_t driver_xorg_dir_count;

#endif
