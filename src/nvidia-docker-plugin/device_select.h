/*
 * device_select: the `dev` value of /docker/cli and /docker/compose (docs/rest-api.md) resolved
 * against the inventory. Items are separated by single spaces: an index (optional sign and
 * leading zeros, as 1.0), a UUID or unique UUID prefix (`GPU-...`, `MIG-...`), or `G:M` (MIG
 * device of NVML MIG index M on GPU G). Absent, empty or `*`: every GPU; `none`: no GPU.
 * Unlike 1.0, the caller's order is kept, a choice named twice counts once, and an ambiguous
 * prefix is refused with the candidates. Pure: no I/O.
 */
#ifndef NVD_DEVICE_SELECT_H
#define NVD_DEVICE_SELECT_H

#include <stddef.h>

#include "common/error.h"
#include "nvidia-docker-plugin/gpu_inventory.h"

/* One item of a selection: a whole GPU, or one MIG device of it. */
struct device_choice {
        size_t gpu;                       /* inventory index */
        const struct gpu_mig_device *mig; /* NULL: the whole GPU; else one of devices[gpu].migs */
};

/* Resolves `dev` (NULL = absent) to choices (out, count: owned array). Error text is the 400
 * body without its newline: "invalid device: <item>[ (<why>)]". */
int device_select_parse(const struct gpu_inventory *inv, const char *dev,
                        struct device_choice **out, size_t *count, struct error *err);

#endif
