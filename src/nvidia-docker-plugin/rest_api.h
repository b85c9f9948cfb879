/*
 * rest_api: the REST API of nvidia-docker-plugin (docs/rest-api.md), byte-compatible with 1.0:
 * 7 GET routes with and without /v1.0 (/gpu/info[/json], /gpu/status[/json], /docker/cli[/json],
 * /mesos/cli), Go ServeMux path cleaning (301, rest_path), `404 page not found`, 400 naming the
 * bad item, 500 with the cause in the log, JSON field order and null rules (gpu_report). Under
 * /v1.0/ only: /v1.0/docker/compose (rest_docker) and /v1.0/cdi/spec[.json] (the CDI spec).
 *
 * The handler works on a `struct gpu_inventory` snapshot plus the `struct gpu_live` queries;
 * it has no NVML or socket code, so tests and fuzzers drive it with a hand-made inventory.
 */
#ifndef NVD_REST_API_H
#define NVD_REST_API_H

#include <stdbool.h>

#include "common/error.h"
#include "nvidia-docker-plugin/gpu_inventory.h"
#include "nvidia-docker-plugin/http.h"

struct cdi_publish;

struct rest_api {
        const struct gpu_inventory *inventory; /* NULL: no GPUs to serve now, see unavailable */
        struct gpu_live live;
        bool nvidia_runtime; /* NVIDIA's container toolkit is on this host (nvidia_toolkit.h):
                              * /docker/cli/json appends "NvidiaRuntime":true */
        /* Why there is no inventory (one line): the 503 answer of every route that needs it. A
         * live query failing with err->code EAGAIN is answered 503 with its message too. */
        const char *unavailable;
        struct cdi_publish *cdi; /* GET /v1.0/cdi/spec; NULL (-cdi=): 503 */
};

/* http_handler_fn for the TCP server; context is a struct rest_api. */
void rest_api_handle(void *context, const struct http_request *request,
                     struct http_response *response);

#endif
