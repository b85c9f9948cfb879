/*
 * gpu_inventory: what the REST API knows about the GPUs, as plain data.
 *
 * `struct gpu_inventory` is the device list snapshot taken once at start-up (by gpu_discover
 * from NVML and CUDA, or built by hand in tests and fuzzers). Everything that must be queried
 * per request (driver and CUDA versions, live status, control device nodes) sits behind
 * `struct gpu_live`, a table of functions, so rest_api never touches NVML itself.
 *
 * Nullable numbers are int64_t with GPU_NULL (-1): every real value is non-negative.
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
        char arch[16];      /* "<major>.<minor>" */
        int64_t cores;
        bool ecc;
        int64_t memory_global, memory_shared, memory_constant, memory_l2, memory_bandwidth;
};

struct gpu_inventory {
        struct gpu_device *devices;
        size_t count;
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
};

void gpu_inventory_destroy(struct gpu_inventory *inventory);
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
