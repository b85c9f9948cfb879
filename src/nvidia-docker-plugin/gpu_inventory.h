/*
 * gpu_inventory: what the REST API knows about the GPUs, as plain data.
 *
 * `struct gpu_inventory` is the device list snapshot taken once at start-up (by gpu_discover
 * from NVML and CUDA, or built by hand in tests and fuzzers). Everything that must be queried
 * per request (driver and CUDA versions, live status, control device nodes) sits behind
 * `struct gpu_live`, a table of functions, so rest_api never touches NVML itself.
 *
 * Nullable numbers are int64_t with GPU_NULL (-1): every real value is non-negative.
 *
 * MIG (docs/mig.md): a GPU in MIG mode (`mig_enabled`) lists its MIG devices, each a compute
 * instance inside a GPU instance, in NVML's MIG index order. A container gets a MIG device
 * through the parent's /dev/nvidia<minor> plus the two capability nodes of `gi_cap` and
 * `ci_cap` (/dev/nvidia-caps/nvidia-cap<minor>). The data is plain (no handles) so that other
 * writers (the REST API, a CDI spec) can use it as is.
 */
#ifndef NVD_GPU_INVENTORY_H
#define NVD_GPU_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"

#define GPU_NULL ((int64_t)-1)

struct gpu_peer {
        char bus_id[16]; /* legacy form, "0000:05:00.0" */
        int link;        /* 0..6, see gpu_link_text() */
};

/* A /dev/nvidia-caps/nvidia-cap<minor> node, as the driver's access file describes it. */
struct gpu_cap_node {
        char *path;         /* "/dev/nvidia-caps/nvidia-cap<minor>" (always under /dev) */
        unsigned int minor; /* the major is gpu_inventory.caps_major */
        unsigned int mode;  /* permission bits the driver asks for, e.g. 0444 */
        unsigned int uid, gid;
        bool modify; /* false: the administrator manages the node, the plugin never creates it */
};

/* One MIG device of a GPU in MIG mode. */
struct gpu_mig_device {
        char *uuid;                    /* "MIG-<uuid>" (R470+) or "MIG-GPU-<uuid>/<gi>/<ci>" */
        unsigned int index;            /* NVML MIG index under the parent: M of "G:M" */
        unsigned int gpu_instance;     /* GPU instance id (G of the gi<G> files) */
        unsigned int compute_instance; /* compute instance id inside it */
        int64_t memory;                /* MiB of the instance; GPU_NULL: NOT_SUPPORTED */
        struct gpu_cap_node gi_cap;    /* access to the GPU instance */
        struct gpu_cap_node ci_cap;    /* access to the compute instance */
};

struct gpu_device {
        char *uuid;
        char *path; /* "/dev/nvidia<minor>" */
        unsigned int minor;
        char *model;          /* NULL: NOT_SUPPORTED */
        int64_t power;        /* W */
        int64_t cpu_affinity; /* NUMA node, never null */
        char bus_id[16];
        int64_t bar1;                      /* MiB */
        int64_t pci_bandwidth;             /* MB/s */
        int64_t clock_cores, clock_memory; /* max MHz */
        struct gpu_peer *peers;            /* NULL with peer_count 0: "Topology":null */
        size_t peer_count;
        const char *family; /* static string or NULL */
        char arch[16];      /* "<major>.<minor>"; "" for a MIG-mode GPU that CUDA does not show */
        int64_t cores;
        bool ecc;
        int64_t memory_global, memory_shared, memory_constant, memory_l2, memory_bandwidth;
        bool mig_enabled;            /* current MIG mode is on: REST answers carry "MIG" */
        struct gpu_mig_device *migs; /* NULL with mig_count 0 */
        size_t mig_count;
};

struct gpu_inventory {
        struct gpu_device *devices;
        size_t count;
        unsigned int caps_major; /* of the nvidia-caps nodes; 0 when there is no MIG device */
};

struct gpu_process {
        unsigned int pid;
        char *name;
        int64_t memory_used; /* MiB */
};

struct gpu_status {
        int64_t power, temperature;
        int64_t util_gpu, util_memory, util_encoder, util_decoder;
        int64_t memory_used;
        int64_t ecc_l1, ecc_l2, ecc_global;
        int64_t clock_cores, clock_memory;
        int64_t bar1_used;
        int64_t rx, tx;                /* MB/s */
        struct gpu_process *processes; /* NULL with process_count 0: "Processes":null */
        size_t process_count;
};

/* The per-request queries. Each returns 0, or -1 with err set. Strings out are owned. */
struct gpu_live {
        void *context;
        int (*driver_version)(void *context, char **out, struct error *err);
        int (*cuda_version)(void *context, char **out, struct error *err);
        int (*device_status)(void *context, size_t index, struct gpu_status *out,
                             struct error *err);
        /* Appends /dev/nvidiactl, /dev/nvidia-uvm[, /dev/nvidia-uvm-tools]. */
        int (*control_devices)(void *context, struct strv *out, struct error *err);
        /* Appends /dev/nvidia-modeset if it exists (asked for graphics and display); NULL: none. */
        int (*modeset_device)(void *context, struct strv *out, struct error *err);
        /* Makes sure the capability nodes of a MIG device exist (created as nvidia-modprobe -f
         * does when missing). NULL: nothing to check (tests, fuzzers). */
        int (*mig_nodes)(void *context, const struct gpu_mig_device *mig, struct error *err);
};

void gpu_inventory_destroy(struct gpu_inventory *inventory);
/* Frees the MIG list of one device (mig_enabled is kept). */
void gpu_device_destroy_migs(struct gpu_device *device);
/* The MIG device of GPU `gpu` with NVML MIG index `index`, or NULL. */
const struct gpu_mig_device *gpu_inventory_find_mig(const struct gpu_inventory *inventory,
                                                    size_t gpu, unsigned int index);
void gpu_status_destroy(struct gpu_status *status);
/* A status with every field null. */
void gpu_status_init(struct gpu_status *status);

/* 1.0's architecture table: "Tesla".."Pascal" for CC major 1,2,3,5,6; NULL otherwise. */
const char *gpu_family(int cc_major);
/* Cores per multiprocessor for the compute capability, or 0 when not in 1.0's table. */
int gpu_cores_per_sm(int cc_major, int cc_minor);
/* Per-lane MB/s of a PCIe generation (1..4); 0 for any other generation, as in 1.0. */
int gpu_pcie_lane_bandwidth(unsigned int generation);
/* Link number (0..6) for an NVML topology level; 0 for an unknown level. */
int gpu_link_from_topology(int level);
/* "N/A", "Cross CPU socket", ... "Same board". */
const char *gpu_link_text(int link);
/* "<major>.<minor>" of an encoded CUDA version (12020 → "12.2"). Owned string. */
char *gpu_cuda_version_string(int version);

#endif
