/*
 * cdi_spec: this host's GPUs as a Container Device Interface spec (docs/cdi.md), built as JSON
 * text from plain facts. Pure: no file is read, stat()ed or written here (cdi_publish gathers
 * the facts and writes the file).
 *
 * The spec (cdiVersion 0.5.0, the newest that Debian 12's podman 4.3 reads; later CDI versions
 * read it too) has kind `nvidia.com/gpu` and these devices, in this order:
 *   - per GPU: its NVML index ("0") and its UUID ("GPU-..."), each giving the control nodes
 *     and the GPU's own nodes;
 *   - per MIG device, after its GPU (an entry whose nodes are its parent's /dev/nvidiaN and the
 *     /dev/nvidia-caps/nvidia-capN of its GPU and compute instance): "G:M" and "MIG-...";
 *   - `all`: the control nodes and every entry's nodes;
 *   - `none`: the control nodes only (no GPU: the driver files and nvidia-smi's control
 *     device, for the `none` selection).
 * `all` and `none` are never taken by a GPU's name. Every device's nodes carry type, major, minor
 * and the cgroup permissions "rw"; `hostPath` is written when the node is looked up elsewhere than
 * its container path (a test's scratch dev root). The spec-wide edits (applied once whichever
 * devices are asked for) mount the driver directory read-only, recursively (its driver files may be
 * bind mounts), at /usr/local/nvidia, and set NVIDIA_VISIBLE_DEVICES=void so that an NVIDIA OCI
 * hook on the host cannot widen access because an image says `all` (CDI edits are not stored by
 * `podman commit`). Names that CDI does not allow (letters, digits, `_ - . :`, starting and
 * ending with a letter or digit) are left out and listed in `skipped`; a name given twice
 * keeps its first device.
 */
#ifndef NVD_CDI_SPEC_H
#define NVD_CDI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/strv.h"

#define CDI_SPEC_VERSION     "0.5.0"
#define CDI_SPEC_KIND        "nvidia.com/gpu"
#define CDI_DEVICE_ALL       "all"
#define CDI_DEVICE_NONE      "none"
#define CDI_DRIVER_MOUNT     "/usr/local/nvidia"
#define CDI_NODE_PERMISSIONS "rw"

struct cdi_node {
        const char *path;      /* in the container, absolute: "/dev/nvidia0" */
        const char *host_path; /* on the host; NULL or equal to path: the same */
        char type;             /* 'c' or 'b' */
        int64_t major, minor;
};

/* A GPU, or a MIG device of one. */
struct cdi_gpu {
        const char *index; /* "0", or "0:1" for MIG device 1 of GPU 0; NULL: no index name */
        const char *uuid;  /* "GPU-..." / "MIG-..."; NULL: no UUID name */
        const struct cdi_node *nodes;
        size_t node_count;
};

struct cdi_spec_input {
        const struct cdi_gpu *gpus; /* GPUs in NVML order, each followed by its MIG devices */
        size_t gpu_count;
        const struct cdi_node *control; /* nvidiactl, nvidia-uvm, nvidia-uvm-tools */
        size_t control_count;
        const char *driver_dir; /* host directory mounted at CDI_DRIVER_MOUNT; required */
};

/* True if CDI accepts `name` as a device name. */
bool cdi_spec_valid_name(const char *name);

/* Appends the spec to `out`. Names left out are appended to `skipped` (may be NULL). Fails
 * only on input that cannot make a valid spec (a relative path, an unknown node type, no
 * control node, no driver directory). */
int cdi_spec_build(const struct cdi_spec_input *in, struct buf *out, struct strv *skipped,
                   struct error *err);

#endif
