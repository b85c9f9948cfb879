/*
 * gpu_access: which GPUs the calling process may use, for a container that runs on this
 * machine (docs/gpu-selection.md, "Confined callers").
 *
 * A process confined by its device cgroup (a Slurm or HTCondor job, a CI runner container
 * given one GPU) may open only some /dev/nvidia* nodes. access(2) on a node asks the same
 * permission check that open(2) does, device cgroup included (v1 and v2 alike), without
 * opening the device (which would initialise the GPU): EPERM means the cgroup denies it.
 * A node missing from the caller's /dev counts as denied too, unless the caller sees no GPU
 * node at all (a process with no view of the host's devices is not taken as confined).
 * Permission bits (EACCES) are not a confinement: docker opens the nodes, not the caller.
 *
 * CUDA_VISIBLE_DEVICES narrows the default further when every item is a GPU-/MIG- UUID (or
 * prefix): index forms count from the caller's own view of the GPUs, so they are ignored.
 */
#ifndef NVD_GPU_ACCESS_H
#define NVD_GPU_ACCESS_H

#include <stdbool.h>

#include "common/strv.h"

enum gpu_access {
        GPU_ACCESS_ALLOWED,
        GPU_ACCESS_DENIED,  /* EPERM: the device cgroup (or a security module) refuses it */
        GPU_ACCESS_MISSING, /* ENOENT */
};

/* The check for one device node path. */
enum gpu_access gpu_access_check(const char *path);

/* Checks `paths`; *confined when some are denied or missing and the caller sees at least one
 * GPU node. allowed[i] tells for each path (caller-allocated, paths->count entries). */
void gpu_access_check_all(const struct strv *paths, bool *allowed, bool *confined);

/* True when `path` is a GPU node, /dev/nvidia<digits>: the nodes that confinement is about
 * (a MIG device is allowed with its parent GPU; MIG capability nodes may be created later by
 * the plugin, so they are not checked). */
bool gpu_access_is_gpu_node(const char *path);

/* The UUID items of CUDA_VISIBLE_DEVICES (comma-separated, spaces trimmed), into `out`; false
 * (out untouched) when the value is unset, empty, or has an item that is not a UUID. */
bool gpu_access_cuda_uuids(const char *cuda_visible_devices, struct strv *out);

#endif
