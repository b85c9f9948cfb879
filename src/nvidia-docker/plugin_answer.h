/*
 * plugin_answer: the plugin's JSON answers (REST API v1.0, docs/rest-api.md) as plain data, and
 * their decoders. Pure: no I/O; the fuzzers drive the decoders. Messages say what is wrong.
 * Validation: the top level is an object; docker/cli needs VolumeDriver (string), Volumes
 * (list of "name:/target[:options]" or null) and Devices (list of absolute paths without ':'
 * or ',', or null), and takes an optional boolean NvidiaRuntime and an optional Environment
 * (answer to caps=, docs/capabilities.md): a list of NAME=VALUE whose NAME is one the loaders
 * read (plugin_answer_env_allowed) and whose VALUE is a colon list of absolute paths; gpu/info
 * needs Version.Driver and Version.CUDA (strings) and Devices (list or null) of objects with UUID
 * (non-empty string), Path (absolute) and Model (string or null). Strings must not contain NUL or
 * other control characters. Unknown fields are ignored.
 */
#ifndef NVD_PLUGIN_ANSWER_H
#define NVD_PLUGIN_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

/* GET /v1.0/docker/cli/json */
struct docker_cli_answer {
        char *volume_driver;     /* "nvidia-docker" */
        struct strv volumes;     /* "nvidia_driver_580.1:/usr/local/nvidia:ro" */
        struct strv devices;     /* "/dev/nvidiactl", ... */
        bool nvidia_runtime;     /* "NvidiaRuntime": NVIDIA's container runtime is on that host */
        struct strv environment; /* "Environment": NAME=VALUE the loaders need (caps=) */
};

/* The variables the plugin may set in a container: LD_LIBRARY_PATH, __EGL_VENDOR_LIBRARY_DIRS,
 * __EGL_EXTERNAL_PLATFORM_CONFIG_DIRS, XDG_DATA_DIRS. */
bool plugin_answer_env_allowed(const char *name, size_t len);

/* GET /v1.0/gpu/info/json (the parts the wrapper uses) */
struct gpu_info_answer {
        char *driver_version; /* Version.Driver */
        char *cuda_version;   /* Version.CUDA, "13.0" */
        struct strv uuids;    /* Devices[].UUID, in NVML index order */
        struct strv paths;    /* Devices[].Path */
        struct strv models;   /* Devices[].Model ("" when null) */
        /* The MIG devices (Devices[].MIG[], optional), each with its parent's Path. */
        struct strv mig_uuids;   /* MIG[].UUID */
        struct strv mig_indexes; /* MIG[].Index, "G:M" */
        struct strv mig_paths;   /* the parent's Devices[].Path */
};

int plugin_answer_decode_docker_cli(const char *body, size_t len, struct docker_cli_answer *out,
                                    struct error *err);
int plugin_answer_decode_gpu_info(const char *body, size_t len, struct gpu_info_answer *out,
                                  struct error *err);
void docker_cli_answer_destroy(struct docker_cli_answer *answer);
void gpu_info_answer_destroy(struct gpu_info_answer *answer);

#endif
