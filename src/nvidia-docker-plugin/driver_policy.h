/*
 * driver_policy: which of the driver files found by driver_files go into the driver volume,
 * and which extra names they get there (nvidia-docker 1.0's rules, see
 * man/nvidia-docker-plugin.8.in, VOLUME PLUGIN PROTOCOL). Pure: decides from names and ELF
 * facts, touches no file.
 *
 *   - 1.0's blacklist: libEGL, libGLESv1_CM, libGLESv2 and libGL only when they depend on
 *     libnvidia-glcore, libnvidia-eglcore or libGLdispatch (NVIDIA's own, not Mesa's);
 *     libnvidia-tls only with the ABI tag 2.3.99 (the TLS flavour of today's glibc);
 *   - every library is also reachable by its soname; libcuda also as the plain libcuda.so
 *     (what nvcc-built programs dlopen), libGLX_nvidia also as libGLX_indirect (GLVND's
 *     indirect rendering name).
 */
#ifndef NVD_DRIVER_POLICY_H
#define NVD_DRIVER_POLICY_H

#include <stdbool.h>

#include "common/strv.h"
#include "nvidia-docker-plugin/elf_file.h"

/* True when the library file `name` (its basename) with these ELF facts stays out. */
bool driver_policy_excludes(const char *name, const struct elf_file *elf);
/* Appends the link names a library with this soname gets, the soname first. Names are as the
 * ELF file says: the caller must refuse one that would leave the directory. */
void driver_policy_links(const char *soname, struct strv *out);

#endif
