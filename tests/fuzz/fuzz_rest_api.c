/*
 * Fuzzes the REST API handler with arbitrary request targets (path and query), against a
 * hand-made inventory and a fake gpu_live: no NVML, no sockets. The first input byte picks the
 * method; the rest is the raw request target ("/docker/cli?dev=0+GPU-1"), split at the first
 * '?' and its query decoded as http_server does. Also checks invariants of every reply. The
 * second GPU is in MIG mode with two MIG devices (MIG-, G:M and none selections).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/http_server.h"
#include "nvidia-docker-plugin/rest_api.h"

static struct gpu_peer peers0[] = {{"0000:05:00.0", 5}};
static struct gpu_peer peers1[] = {{"0000:04:00.0", 5}};
static struct gpu_mig_device migs1[] = {
    {.uuid = "MIG-5a1c3e7f",
     .index = 0,
     .gpu_instance = 1,
     .compute_instance = 0,
     .memory = 19968,
     .gi_cap = {.path = "/dev/nvidia-caps/nvidia-cap12", .minor = 12, .mode = 0444},
     .ci_cap = {.path = "/dev/nvidia-caps/nvidia-cap13", .minor = 13, .mode = 0444}},
    {.uuid = "MIG-5b9d<&>",
     .index = 2,
     .gpu_instance = 1,
     .compute_instance = 1,
     .memory = GPU_NULL,
     .gi_cap = {.path = "/dev/nvidia-caps/nvidia-cap12", .minor = 12, .mode = 0444},
     .ci_cap = {.path = "/dev/nvidia-caps/nvidia-cap14", .minor = 14, .mode = 0444}},
};
static struct gpu_device devices[] = {
    {.uuid = "GPU-b1028956-cfa2",
     .path = "/dev/nvidia0",
     .minor = 0,
     .model = "Tesla <P100>",
     .power = 250,
     .bus_id = "0000:04:00.0",
     .bar1 = 16384,
     .pci_bandwidth = 15760,
     .clock_cores = 1328,
     .clock_memory = 715,
     .peers = peers0,
     .peer_count = 1,
     .family = "Pascal",
     .arch = "6.0",
     .cores = 3584,
     .ecc = true,
     .memory_global = 16276},
    {.uuid = "GPU-b1028957-aaaa",
     .path = "/dev/nvidia3",
     .minor = 3,
     .model = NULL,
     .power = GPU_NULL,
     .bus_id = "0000:05:00.0",
     .bar1 = GPU_NULL,
     .pci_bandwidth = 0,
     .clock_cores = GPU_NULL,
     .clock_memory = GPU_NULL,
     .peers = peers1,
     .peer_count = 1,
     .family = NULL,
     .arch = "9.0",
     .cores = GPU_NULL,
     .memory_global = 143771,
     .mig_enabled = true,
     .migs = migs1,
     .mig_count = 2},
};
static struct gpu_inventory inventory = {devices, 2, 241};

static int live_driver(void *c, char **out, struct error *err)
{
        *out = xstrdup("580.159.04");
        return 0;
}
static int live_cuda(void *c, char **out, struct error *err)
{
        *out = xstrdup("13.0");
        return 0;
}
static int live_status(void *c, size_t i, struct gpu_status *s, struct error *err)
{
        gpu_status_init(s);
        s->power = (int64_t)i * 100;
        if (i == 1) {
                s->processes = xcalloc(1, sizeof(*s->processes));
                s->processes[0].pid = 42;
                s->processes[0].name = xstrdup("py\xff<&>");
                s->processes[0].memory_used = GPU_NULL;
                s->process_count = 1;
        }
        return 0;
}
static int live_control(void *c, struct strv *out, struct error *err)
{
        strv_push(out, "/dev/nvidiactl");
        strv_push(out, "/dev/nvidia-uvm");
        return 0;
}

static int live_mig_nodes(void *c, const struct gpu_mig_device *mig, struct error *err)
{
        if (mig < migs1 || mig >= migs1 + 2)
                abort(); /* a MIG device of the inventory, nothing else */
        return mig->index == 2 ? error_set(err, "cannot create %s", mig->ci_cap.path) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *methods[] = {"GET", "POST", "HEAD", "PUT"};
        if (size == 0)
                return 0;
        const char *method = methods[data[0] % 4];
        char *target = xstrndup((const char *)data + 1, size - 1); /* stops at a NUL */
        char *question = strchr(target, '?');
        if (question != NULL)
                *question = '\0';
        struct http_query_param *params;
        size_t count;
        struct error err = ERROR_INIT;
        if (http_query_parse(question ? question + 1 : NULL, &params, &count, &err) < 0) {
                /* The server answers 400 itself: the handler never sees such a query. */
                if (err.message == NULL ||
                    (strncmp(err.message, "invalid query parameter: ", 25) != 0 &&
                     strncmp(err.message, "too many query parameters", 25) != 0))
                        abort();
                error_clear(&err);
                free(target);
                return 0;
        }
        struct rest_api api = {
            &inventory,
            {NULL, live_driver, live_cuda, live_status, live_control, NULL, live_mig_nodes},
            false,
            NULL,
            NULL};
        struct http_request request = {.method = method,
                                       .path = target,
                                       .query = params,
                                       .query_count = count,
                                       .query_string = question ? question + 1 : NULL};
        struct http_response response;
        memset(&response, 0, sizeof(response));
        rest_api_handle(&api, &request, &response);
        /* Invariants: a known status (503: no CDI spec here); a body where one is due; a
         * Location only on 301. */
        int s = response.status;
        if (s != 200 && s != 301 && s != 400 && s != 404 && s != 500 && s != 503)
                abort();
        if (s != 301 && (response.body == NULL || response.body_len != strlen(response.body)))
                abort();
        if ((s == 301) != (response.location != NULL))
                abort();
        /* JSON never carries invalid UTF-8 (text replies print names raw, like 1.0). */
        if (s == 200 && strcmp(response.content_type, "application/json") == 0 &&
            strstr(response.body, "\xff") != NULL)
                abort();
        http_response_destroy(&response);
        http_query_free(params, count);
        free(target);
        return 0;
}
