/*
 * gpu_select: reads NV_GPU. Pure: the value is a parameter (no getenv).
 *
 * Items are separated by commas and/or spaces (only those two, as 1.0: a tab is part of an
 * item and makes it invalid); empty items are dropped. Each item is
 *   - a decimal NVML index (as nvidia-smi numbers them). An optional '+' and leading zeros are
 *     accepted (as 1.0) and normalised away: "+01" is stored as "1". A '-' sign is an error
 *     (1.0 accepted "-0"); more than 9 digits is an error;
 *   - or a `GPU-` / `MIG-` UUID or prefix of one (case-sensitive prefix, at least one more
 *     character, then only letters, digits, '-', '/', ':' and '.'), kept as written; the plugin
 *     matches it and rejects an ambiguous prefix.
 * Order is kept; duplicates after normalisation are dropped ("0,00" is "0"; the same GPU named
 * by index and by UUID is left to the plugin). Unset, empty or blank (only separators) means
 * all GPUs. Errors are one line and list the accepted forms:
 *   "invalid NV_GPU item 'x': expected GPU indexes as nvidia-smi numbers them (e.g. 0,1) or
 *    UUIDs (GPU-…, MIG-…), separated by commas or spaces"
 */
#ifndef NVD_GPU_SELECT_H
#define NVD_GPU_SELECT_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"

struct gpu_selection {
        bool all;          /* NV_GPU unset, empty or blank: every GPU (items is then empty) */
        struct strv items; /* the items, in the user's order, without duplicates */
};

/* On success fills *out (destroy with gpu_selection_destroy); on error *out needs nothing. */
int gpu_select_parse(const char *nv_gpu, struct gpu_selection *out, struct error *err);
void gpu_selection_destroy(struct gpu_selection *sel);

#endif
