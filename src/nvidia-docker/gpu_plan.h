/*
 * gpu_plan: the decision, as a pure function of the image and the environment: do we add
 * GPUs, which volume kinds, and what CUDA version the image needs.
 *
 * GPUs are added when
 *   - the image carries com.nvidia.volumes.needed (its space-separated words are the volume
 *     kinds; 1.0 images say `nvidia_driver`), or
 *   - the image sets NVIDIA_VISIBLE_DEVICES in Config.Env to anything but `void` or the empty
 *     string (kinds: nvidia_driver). `void` and empty mean "behave like runc" for the NVIDIA
 *     runtime, so they are not a GPU marker. The value never chooses the GPUs: only NV_GPU
 *     does (image metadata never widens access), or
 *   - NV_GPU is set and non-empty (kinds: nvidia_driver): the caller asked for GPUs.
 * Otherwise the argv passes through unchanged. It also passes through unchanged when the user
 * gave docker's own `--gpus`: docker (and the NVIDIA runtime) then decide, and our devices and
 * NVIDIA_VISIBLE_DEVICES=void must not fight that choice.
 *
 * CUDA requirement (only when GPUs are added): com.nvidia.cuda.version (9.0.176 -> 9.0), else
 * the `cuda>=X.Y` constraint of NVIDIA_REQUIRE_CUDA, else CUDA_VERSION (the NVIDIA runtime's
 * rule for legacy images). NVIDIA_DISABLE_REQUIRE set in the wrapper's environment turns the
 * check off (e.g. with cuda-compat). A version that is not MAJOR[.MINOR...] is an error.
 */
#ifndef NVD_GPU_PLAN_H
#define NVD_GPU_PLAN_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/engine.h"

struct gpu_plan {
        bool inject;
        char reason[256];          /* why (or why not), for NV_DEBUG */
        struct strv volume_kinds;  /* e.g. "nvidia_driver" */
        char *required_cuda;       /* "12.4", or NULL: no check */
        const char *required_from; /* where required_cuda came from (for NV_DEBUG), or NULL */
        bool check_disabled;       /* NVIDIA_DISABLE_REQUIRE skipped a check */
};

struct gpu_plan_input {
        const struct image_info *image;
        bool nv_gpu_set;      /* NV_GPU set and non-empty */
        bool gpus_option;     /* the command line has --gpus */
        bool disable_require; /* NVIDIA_DISABLE_REQUIRE set */
};

int gpu_plan_decide(const struct gpu_plan_input *in, struct gpu_plan *out, struct error *err);
void gpu_plan_destroy(struct gpu_plan *plan);
/* 0 when the driver's CUDA version (e.g. "13.0") satisfies `required` (e.g. "12.4");
 * else err = "unsupported CUDA version: driver 12.2 < image 12.4; ...". An empty or
 * unreadable driver version is reported as such, never as "driver 0.0". */
int cuda_version_check(const char *driver_cuda, const char *required, struct error *err);

#endif
