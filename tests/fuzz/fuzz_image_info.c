/* Fuzzes image_info_decode (engine answers, `docker image inspect` output). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nvidia-docker/engine.h"
#include "nvidia-docker/gpu_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct image_info info;
        struct error err = ERROR_INIT;
        if (image_info_decode((const char *)data, size, &info, &err) == 0) {
                /* Whatever decodes must also go through the (pure) plan without trouble. */
                struct gpu_plan_input in = {.image = &info, .nv_gpu = size % 2 == 0 ? "all" : NULL};
                struct gpu_plan plan;
                struct error plan_err = ERROR_INIT;
                if (gpu_plan_decide(&in, &plan, &plan_err) == 0 && plan.required_cuda != NULL)
                        cuda_version_check(info.cuda_version_env, plan.required_cuda, &plan_err);
                gpu_plan_destroy(&plan);
                error_clear(&plan_err);
                image_info_destroy(&info);
        }
        error_clear(&err);
        return 0;
}
