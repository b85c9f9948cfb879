/*
 * plugin_answer: the plugin's JSON answers (REST API v1.0, docs/rest-api.md), decoded and checked
 * against what they may legitimately be. Pure: no I/O; what the fuzzers drive.
 *
 * The plugin is on the other side of a trust boundary (a network, or a daemon that may have
 * been replaced): what it names is given to `docker run`. So GET /docker/cli/json is not only
 * parsed but held to allow-lists, and anything else is an error (the run stops, docker is
 * never started):
 *   - Devices: NVIDIA's device nodes only: /dev/nvidia<N>, /dev/nvidiactl, /dev/nvidia-uvm,
 *     /dev/nvidia-uvm-tools, /dev/nvidia-modeset, /dev/nvidia-caps/nvidia-cap<N> (<N>: digits).
 *   - Volumes: the driver volume only, "<name>:/usr/local/nvidia:ro", <name> as
 *     plugin_answer_volume_name_allowed() says, at most one, with VolumeDriver "nvidia-docker".
 *   - Environment (optional, the answer to caps=, docs/capabilities.md): NAME=VALUE whose NAME
 *     is one the loaders read (plugin_answer_env_allowed) and whose VALUE is a colon list of
 *     absolute paths.
 *   - NvidiaRuntime (optional): a boolean.
 * GET /gpu/info/json needs Version.Driver and Version.CUDA (strings) and Devices (list or null)
 * of objects with UUID (non-empty string), Path (absolute) and Model (string or null); it only
 * feeds the CUDA check, the GPU choice and messages. Everywhere: the top level is an object, no
 * duplicate keys, strings without NUL or other control characters, at most 4096 bytes and 4096
 * list entries; unknown fields are ignored. Messages say what is wrong ("Devices[0] '/dev/sda'
 * is not an NVIDIA device node (...)"); plugin_client puts "bad answer from
 * nvidia-docker-plugin at URL: " in front.
 */
#ifndef NVD_PLUGIN_ANSWER_H
#define NVD_PLUGIN_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

#define PLUGIN_VOLUME_DRIVER "nvidia-docker"
#define PLUGIN_VOLUME_TARGET "/usr/local/nvidia"

/* GET /v1.0/docker/cli/json */
struct docker_cli_answer {
        char *volume_driver;     /* "nvidia-docker" */
        struct strv volumes;     /* "nvidia_driver_580.1:/usr/local/nvidia:ro" (0 or 1) */
        struct strv devices;     /* "/dev/nvidiactl", ... */
        bool nvidia_runtime;     /* "NvidiaRuntime": NVIDIA's container runtime is on that host */
        struct strv environment; /* "Environment": NAME=VALUE the loaders need (caps=) */
};

/* The variables the plugin may set in a container: loader_env.h's (LD_LIBRARY_PATH, ...). */
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

/* Whether `path` is one of NVIDIA's device nodes (the list above). */
bool plugin_answer_device_allowed(const char *path);
/* Whether `name` is a driver volume the wrapper mounts: nvidia_driver_<version> (every
 * capability), or nvidia_driver-<words>_<version> for a capability set (docs/capabilities.md;
 * words of lower-case letters and digits joined by single '-': "nvidia_driver-compute-utility_
 * 580.159.04"; which sets exist is the plugin's business), the version digit groups separated
 * by single dots, at most 64 bytes. The one place that decides which volume names a plugin may
 * hand us. */
bool plugin_answer_volume_name_allowed(const char *name);

#endif
