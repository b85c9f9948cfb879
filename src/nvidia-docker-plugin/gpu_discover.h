/*
 * gpu_discover: the real GPU source. Opens NVML (and the CUDA driver API for the device
 * properties) and takes the device list snapshot into a `struct gpu_inventory`
 * (gpu_discover_mig: the MIG devices; gpu_source_live: the per-request queries).
 *
 * Null rule: a query answering NOT_SUPPORTED gives a null field; each query is tested on its
 * own (on H200 the L1/L2 ECC counters are NOT_SUPPORTED while device memory works). Any other
 * NVML failure is an error ("nvml: <NVML's text> (<function>)").
 *
 * A GPU in MIG mode that CUDA does not show keeps its CUDA fields null.
 */
#ifndef NVD_GPU_DISCOVER_H
#define NVD_GPU_DISCOVER_H

#include "nvidia-docker-plugin/cuda.h"
#include "nvidia-docker-plugin/gpu_inventory.h"
#include "nvidia-docker-plugin/nvml.h"

struct gpu_source {
        struct nvml nvml;
        struct cuda cuda;
        nvmlDevice_t *handles; /* per inventory index */
        size_t count;
        const char *dev_root;    /* where device nodes are looked up ("/dev") */
        const char *sys_root;    /* where sysfs is read ("/sys") */
        const char *proc_root;   /* where the driver's MIG files are read ("/proc") */
        unsigned int caps_major; /* of the nvidia-caps nodes, after a discovery with MIG */
};

/* Opens NVML and CUDA. dev_root, sys_root and proc_root are borrowed. */
int gpu_source_open(struct gpu_source *source, const char *dev_root, const char *sys_root,
                    const char *proc_root, struct error *err);
void gpu_source_close(struct gpu_source *source);
/* Takes the device snapshot. Zero GPUs gives an empty inventory (not an error here). */
int gpu_discover(struct gpu_source *source, struct gpu_inventory *out, struct error *err);
/* Checks that /dev/nvidiactl and each /dev/nvidia<minor> exist under dev_root, and makes the
 * capability nodes of every MIG device (logged; a node that cannot be made is logged as a
 * warning, not an error: the GPUs stay usable and a request for that MIG device reports it). */
int gpu_check_device_nodes(const struct gpu_source *source, const struct gpu_inventory *inv,
                           struct error *err);

#endif
