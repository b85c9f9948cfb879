/*
 * gpu_discover_mig: the MIG part of a discovery (docs/mig.md). With NVML's MIG functions present,
 * a GPU whose current MIG mode is on gets its MIG devices in NVML MIG index order (gaps
 * skipped), each with its UUID, GPU and compute instance ids, memory, and the two capability
 * nodes that the driver's files under the source's proc_root describe (mig_caps).
 */
#ifndef NVD_GPU_DISCOVER_MIG_H
#define NVD_GPU_DISCOVER_MIG_H

#include "common/error.h"
#include "nvidia-docker-plugin/gpu_discover.h"

/* Sets d->mig_enabled and d->migs for GPU #index of the source; nothing without MIG support. */
int gpu_discover_migs(struct gpu_source *source, unsigned int index, struct gpu_device *d,
                      struct error *err);

#endif
