/*
 * image_info: what the wrapper needs of an image's metadata (`docker image inspect` output or
 * the Engine API's image object): the NVIDIA labels and the Config.Env values that GPU
 * selection reads, the last definition of each winning as in docker. Pure (jansson only).
 */
#ifndef NVD_IMAGE_INFO_H
#define NVD_IMAGE_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

struct image_info {
        bool found;
        char *volumes_label;       /* com.nvidia.volumes.needed, NULL if absent */
        char *cuda_version_label;  /* com.nvidia.cuda.version, NULL if absent */
        char *visible_devices;     /* NVIDIA_VISIBLE_DEVICES from Config.Env, NULL if absent */
        char *require_cuda;        /* NVIDIA_REQUIRE_CUDA, NULL if absent */
        char *cuda_version_env;    /* CUDA_VERSION, NULL if absent */
        char *driver_capabilities; /* NVIDIA_DRIVER_CAPABILITIES, NULL if absent */
        struct strv env;           /* every NAME=value of Config.Env, in order */
};

/* Decodes one image object, or an array holding one (an empty array: found = false). */
int image_info_decode(const char *json, size_t len, struct image_info *out, struct error *err);
/* NULL is a no-op. */
void image_info_destroy(struct image_info *info);

#endif
