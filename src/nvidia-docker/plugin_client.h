/*
 * plugin_client: asks nvidia-docker-plugin's REST API v1.0 (libcurl, decoded with jansson).
 *
 * One client = one connection reused for every request of a wrapper run (keep-alive), with a
 * total timeout per request (NV_TIMEOUT seconds, default 10). Over SSH the connection is the
 * local end of an ssh_tunnel. Any non-200 answer is an error carrying the plugin's text.
 * The decoders are pure and are what the fuzzers drive.
 */
#ifndef NVD_PLUGIN_CLIENT_H
#define NVD_PLUGIN_CLIENT_H

#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/gpu_select.h"
#include "nvidia-docker/host_select.h"

/* GET /v1.0/docker/cli/json */
struct docker_cli_answer {
        char *volume_driver;  /* "nvidia-docker" */
        struct strv volumes;  /* "nvidia_driver_580.1:/usr/local/nvidia:ro" */
        struct strv devices;  /* "/dev/nvidiactl", ... */
};

/* GET /v1.0/gpu/info/json (the parts the wrapper uses) */
struct gpu_info_answer {
        char *driver_version; /* Version.Driver */
        char *cuda_version;   /* Version.CUDA, "13.0" */
        struct strv uuids;    /* Devices[].UUID, in NVML index order */
        struct strv paths;    /* Devices[].Path */
        struct strv models;   /* Devices[].Model ("" when null) */
};

int plugin_answer_decode_docker_cli(const char *body, size_t len, struct docker_cli_answer *out,
                                    struct error *err);
int plugin_answer_decode_gpu_info(const char *body, size_t len, struct gpu_info_answer *out,
                                  struct error *err);
void docker_cli_answer_destroy(struct docker_cli_answer *answer);
void gpu_info_answer_destroy(struct gpu_info_answer *answer);

struct plugin_client;

/* Opens the transport (for SSH: the tunnel). No request is made yet. */
int plugin_client_open(const struct plugin_target *target, struct plugin_client **out,
                       struct error *err);
/* vol: volume kinds (e.g. "nvidia_driver"); sel: NV_GPU. A 400 "invalid device" answer is
 * turned into an error that lists the valid indexes and UUIDs (one more request). */
int plugin_client_docker_cli(struct plugin_client *client, const struct strv *volume_kinds,
                             const struct gpu_selection *sel, struct docker_cli_answer *out,
                             struct error *err);
int plugin_client_gpu_info(struct plugin_client *client, struct gpu_info_answer *out,
                           struct error *err);
/* Number of transport connections made so far (SSH handshakes, TCP connects): for tests. */
unsigned plugin_client_connections(const struct plugin_client *client);
void plugin_client_free(struct plugin_client *client);

#endif
