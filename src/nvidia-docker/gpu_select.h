/*
 * gpu_select: reads NV_GPU.
 *
 * Items are separated by commas and/or spaces; empty items are dropped. Each item is a decimal
 * NVML index (as nvidia-smi numbers them), or a `GPU-` / `MIG-` UUID or unique prefix of one.
 * Order is kept; textual duplicates are dropped (the plugin drops a GPU named twice in two
 * ways). Unset or empty (or blank) means all GPUs. Pure.
 */
#ifndef NVD_GPU_SELECT_H
#define NVD_GPU_SELECT_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"

struct gpu_selection {
        bool all;          /* NV_GPU unset or empty: every GPU */
        struct strv items; /* the items, in the user's order, without duplicates */
};

/* err: "invalid NV_GPU item 'x': use GPU indexes (0,1) or UUIDs (GPU-…)". */
int gpu_select_parse(const char *nv_gpu, struct gpu_selection *out, struct error *err);
void gpu_selection_destroy(struct gpu_selection *sel);

#endif
