/*
 * gpu_plan: the decision, as a pure function of the image and the selection sources: do we
 * add GPUs, which ones, which volume kinds, which driver capabilities, and what CUDA version
 * the image needs. The precedence (docs/gpu-selection.md, nvidia-docker(1)):
 *
 *   1. NV_GPU in the caller's environment (set, even empty);
 *   2. docker's --gpus on the command line (the last one);
 *   3. NVIDIA_VISIBLE_DEVICES given on the command line (-e/--env/--env-file, or -e NAME taken
 *      from the caller's environment), then -e NV_GPU;
 *   4. the image's NVIDIA_VISIBLE_DEVICES;
 *   5. the host default, `all` (the GPUs the caller may open), for an image that asks for GPUs
 *      through the label com.nvidia.volumes.needed.
 * The first source present decides. `void` (or empty) means a plain container: nothing is
 * added. An image without label and without NVIDIA_VISIBLE_DEVICES gets GPUs only when one of
 * 1-3 chooses them. What the image asks for is later narrowed to what the caller may open
 * (run_devices.h): image metadata never widens access.
 *
 * Driver capabilities, the same way: NV_DRIVER_CAPABILITIES (caller) > --gpus capabilities= >
 * NVIDIA_DRIVER_CAPABILITIES on the command line > the image's > `compute,utility`. When the
 * caller or --gpus decided, the container's environment must get the value (to_env).
 *
 * Volume kinds: the label's words, else `nvidia_driver`. CUDA requirement (only when GPUs are
 * added): com.nvidia.cuda.version (9.0.176 -> 9.0), else the `cuda>=X.Y` constraint of
 * NVIDIA_REQUIRE_CUDA, else CUDA_VERSION (the NVIDIA runtime's rule for legacy images).
 * NVIDIA_DISABLE_REQUIRE set in the wrapper's environment turns the check off (e.g. with
 * cuda-compat). A version that is not MAJOR[.MINOR...] is an error.
 */
#ifndef NVD_GPU_PLAN_H
#define NVD_GPU_PLAN_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/image_info.h"
#include "nvidia-docker/gpu_select.h"

struct gpu_plan {
        bool inject;                /* add GPU arguments (false: a plain container) */
        struct gpu_request request; /* which GPUs (not VOID when inject) */
        const char *source;         /* which source decided (static text), NULL: none */
        bool from_image;            /* the image (or the host default for it) decided */
        char *capabilities;         /* normalised driver capabilities */
        const char *capabilities_source;
        bool capabilities_to_env;  /* add NVIDIA_DRIVER_CAPABILITIES to the container */
        char reason[320];          /* why (or why not), for NV_DEBUG */
        struct strv volume_kinds;  /* e.g. "nvidia_driver" */
        char *required_cuda;       /* "12.4", or NULL: no check */
        const char *required_from; /* where required_cuda came from (for NV_DEBUG), or NULL */
        bool check_disabled;       /* NVIDIA_DISABLE_REQUIRE skipped a check */
};

/* The sources; NULL = absent. Command-line values are the variables' values (the run path
 * resolves --env-file and -e NAME first). */
struct gpu_plan_input {
        const struct image_info *image;
        const char *nv_gpu;                  /* NV_GPU of the caller */
        const char *gpus_option;             /* value of the last --gpus */
        const char *cmdline_visible_devices; /* NVIDIA_VISIBLE_DEVICES on the command line */
        const char *cmdline_nv_gpu;          /* -e NV_GPU */
        const char *nv_driver_capabilities;  /* NV_DRIVER_CAPABILITIES of the caller */
        const char *cmdline_capabilities;    /* NVIDIA_DRIVER_CAPABILITIES on the command line */
        bool disable_require;                /* NVIDIA_DISABLE_REQUIRE set */
};

int gpu_plan_decide(const struct gpu_plan_input *in, struct gpu_plan *out, struct error *err);
void gpu_plan_destroy(struct gpu_plan *plan);
/* 0 when the driver's CUDA version (e.g. "13.0") satisfies `required` (e.g. "12.4");
 * else err = "unsupported CUDA version: driver 12.2 < image 12.4; ...". An empty or
 * unreadable driver version is reported as such, never as "driver 0.0". */
int cuda_version_check(const char *driver_cuda, const char *required, struct error *err);

#endif
