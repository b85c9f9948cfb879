/*
 * run_state: what the steps of the run module share for one run/create line. run_module.c
 * fills it and calls the steps in order (run_image, run_devices, run_docker, run_podman,
 * run_runtime; NV_DEBUG lines: run_debug); each step reads what earlier ones left and adds
 * its own part. Internal to the run module.
 */
#ifndef NVD_RUN_STATE_H
#define NVD_RUN_STATE_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/engine.h"
#include "nvidia-docker/engine_endpoint.h"
#include "nvidia-docker/gpu_plan.h"
#include "nvidia-docker/host_select.h"
#include "nvidia-docker/plugin_answer.h"
#include "nvidia-docker/plugin_client.h"
#include "nvidia-docker/podman_engine.h"
#include "nvidia-docker/run_module.h"

/* The environment variables the run path reads, read once (run_module.c) and passed down. */
struct run_env {
        const char *nv_gpu, *nv_host, *nv_debug, *nv_driver_capabilities;
        const char *docker_host, *docker_context, *docker_config, *home, *user;
        const char *disable_require;            /* NVIDIA_DISABLE_REQUIRE */
        const char *cuda_visible_devices;       /* CUDA_VISIBLE_DEVICES */
        const char *visible_devices;            /* NVIDIA_VISIBLE_DEVICES (for `-e NAME`) */
        const char *driver_capabilities;        /* NVIDIA_DRIVER_CAPABILITIES (`-e NAME`) */
        struct podman_env podman;               /* CONTAINER_HOST, ... (NV_DOCKER naming podman) */
        struct plugin_client_env plugin_client; /* NV_TIMEOUT, SSH_AUTH_SOCK, CI, HOME, USER */
};

struct run_state {
        const struct run_request *request;
        struct run_env env;
        bool debug;
        bool engine_local;             /* the engine (and so the container) is on this machine */
        struct engine_endpoint engine; /* which engine: for the image query and the plugin */
        struct plugin_target plugin;
        struct error plugin_target_error; /* reported only if the plugin is needed */
        struct image_info image;
        struct strv env_entries; /* --env-file entries, in order */
        struct gpu_plan plan;
        struct strv devices; /* the `dev` items asked for */
        bool all_devices;    /* ask for every GPU (no `dev`) */
        struct plugin_client *client;
        struct docker_cli_answer answer;
        struct gpu_info_answer info;
        bool info_loaded;
        struct strv options;
        struct strv final_words; /* the user's words with the GPU options inserted */
        bool podman;             /* NV_DOCKER names podman: CDI devices (docs/cdi.md) */
        struct podman_target podman_target;
};

/* Frees what the steps left in *s. */
void run_state_destroy(struct run_state *s);
/* Execs docker with the user's words, less their --gpus options, plus `options` (NULL: none).
 * Returns only on failure. */
int run_exec_words(struct run_state *s, const struct strv *options, struct error *err);

#endif
