/*
 * gpu_source_live: the per-request queries of `struct gpu_live` answered from a gpu_source:
 * driver and CUDA versions and live status from NVML (NOT_SUPPORTED gives a null field), the
 * control, modeset and MIG capability nodes through device_nodes.
 */
#ifndef NVD_GPU_SOURCE_LIVE_H
#define NVD_GPU_SOURCE_LIVE_H

#include "nvidia-docker-plugin/gpu_discover.h"
#include "nvidia-docker-plugin/gpu_inventory.h"

/* The queries, backed by `source` (borrowed: it must outlive their use). */
struct gpu_live gpu_source_live(struct gpu_source *source);

#endif
