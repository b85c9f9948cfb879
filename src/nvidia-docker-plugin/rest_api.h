/*
 * rest_api: the REST API v1.0 of 1.0's nvidia-docker-plugin (reference/plugin-api.md §1),
 * byte-compatible: 7 GET routes with and without /v1.0, Go ServeMux path cleaning (301),
 * `404 page not found`, 400 `invalid device: <item>` / `invalid volume: <item>`, 500 with the
 * cause in the log, JSON field order and null rules, tabwriter text layouts.
 *
 * The handler works on a `struct gpu_inventory` snapshot plus the `struct gpu_live` queries;
 * it has no NVML or socket code, so tests and fuzzers drive it with a hand-made inventory.
 * Unlike 1.0, `dev` keeps the caller's order, drops a GPU named twice after its first mention
 * and rejects an ambiguous UUID prefix, naming the candidates.
 *
 * Additions (docs/rest-api.md), which leave every 1.0 answer as it was: `dev=none` (control
 * nodes and volume, no GPU), `dev` items `MIG-<uuid or prefix>` and `G:M` (MIG device of NVML
 * MIG index M on GPU G), answered with the parent's /dev/nvidia<minor> and the MIG device's two
 * /dev/nvidia-caps nodes; /gpu/info[/json] list the MIG devices of GPUs in MIG mode only; under
 * /v1.0/ only, /v1.0/cdi/spec and /v1.0/cdi/spec.json (the CDI spec, application/json).
 */
#ifndef NVD_REST_API_H
#define NVD_REST_API_H

#include <stdbool.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker-plugin/cdi_publish.h"
#include "nvidia-docker-plugin/gpu_inventory.h"
#include "nvidia-docker-plugin/http.h"

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

/* Bodies, exposed for the unit tests. */
void rest_api_info_text(const struct gpu_inventory *inv, const char *driver, const char *cuda,
                        struct buf *out);
void rest_api_info_json(const struct gpu_inventory *inv, const char *driver, const char *cuda,
                        struct buf *out);
void rest_api_status_text(const struct gpu_inventory *inv, const struct gpu_status *status,
                          struct buf *out);
void rest_api_status_json(const struct gpu_inventory *inv, const struct gpu_status *status,
                          struct buf *out);
/* One item of a `dev` selection: a whole GPU, or one MIG device of it. */
struct rest_api_choice {
        size_t gpu;                       /* inventory index */
        const struct gpu_mig_device *mig; /* NULL: the whole GPU; else one of devices[gpu].migs */
};
/* Resolves a `dev` value (NULL = absent: every GPU; "none": nothing) to choices (out, count),
 * in the caller's order, a repeated choice dropped. Error text is the 400 body without its
 * newline: "invalid device: <item>[ (<why>)]". */
int rest_api_select_devices(const struct gpu_inventory *inv, const char *dev,
                            struct rest_api_choice **out, size_t *count, struct error *err);
/* Go's path.Clean plus ServeMux's trailing-slash rule. Owned string. */
char *rest_api_clean_path(const char *path);

#endif
