/*
 * gpu_plan: the decision, as a pure function of the parsed argv, the image and the environment:
 * do we add GPUs, which volume kinds, and what CUDA version the image needs.
 *
 * GPUs are added when the image carries com.nvidia.volumes.needed (its words are the volume
 * kinds), or sets NVIDIA_VISIBLE_DEVICES in its environment (kinds: nvidia_driver), or NV_GPU
 * is set explicitly. The CUDA requirement comes from com.nvidia.cuda.version, else from
 * `cuda>=X.Y` in NVIDIA_REQUIRE_CUDA; NVIDIA_DISABLE_REQUIRE in the wrapper's environment
 * turns the check off.
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
};

struct gpu_plan_input {
        const struct image_info *image;
        bool nv_gpu_set;           /* NV_GPU set and non-empty */
        bool disable_require;      /* NVIDIA_DISABLE_REQUIRE set */
};

int gpu_plan_decide(const struct gpu_plan_input *in, struct gpu_plan *out, struct error *err);
void gpu_plan_destroy(struct gpu_plan *plan);
/* 0 when the driver's CUDA version (e.g. "13.0") satisfies `required` (e.g. "12.4");
 * else err = "unsupported CUDA version: driver 12.2 < image 12.4". */
int cuda_version_check(const char *driver_cuda, const char *required, struct error *err);

#endif
