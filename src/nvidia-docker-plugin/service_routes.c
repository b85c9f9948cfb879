#include "nvidia-docker-plugin/service_routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_nodes.h"
#include "nvidia-docker-plugin/rest_api.h"

/* What the live queries of one REST request work from. */
struct live_request {
        struct plugin_service *service;
        struct gpu_snapshot *snapshot;
        long deadline;
};

static int live_driver_version(void *context, char **out, struct error *err)
{
        struct live_request *live = context;
        *out = xstrdup(live->snapshot->driver_version);
        return 0;
}

static int live_cuda_version(void *context, char **out, struct error *err)
{
        struct live_request *live = context;
        *out = xstrdup(live->snapshot->cuda_version);
        return 0;
}

static int live_device_status(void *context, size_t index, struct gpu_status *out,
                              struct error *err)
{
        struct live_request *live = context;
        return gpu_state_device_status(&live->service->gpu, live->snapshot, index, live->deadline,
                                       out, err);
}

/* The control nodes found present are reused while dev_watch sees no change in the device
 * directory: most requests then make no system call for them. */
#define NODES_TOOLS 1u /* /dev/nvidia-uvm-tools was there */
#define NODES_SEEN  2u

static bool control_nodes_known(struct plugin_service *service, unsigned int *seen)
{
        *seen = atomic_load(&service->control_nodes);
        return (*seen & NODES_SEEN) &&
               atomic_load(&service->control_nodes_at) == dev_watch_generation(&service->dev);
}

static int live_control_devices(void *context, struct strv *out, struct error *err)
{
        struct live_request *live = context;
        struct plugin_service *service = live->service;
        unsigned int seen;
        if (control_nodes_known(service, &seen)) {
                strv_push(out, "/dev/nvidiactl");
                strv_push(out, "/dev/nvidia-uvm");
                if (seen & NODES_TOOLS)
                        strv_push(out, "/dev/nvidia-uvm-tools");
                return 0;
        }
        unsigned long generation = dev_watch_generation(&service->dev);
        size_t before = out->count;
        if (device_nodes_control(service->config.dev_root, out, err) < 0) {
                atomic_store(&service->control_nodes, 0u);
                return -1;
        }
        /* Stored with the generation read before looking: a change meanwhile is not missed. */
        atomic_store(&service->control_nodes,
                     NODES_SEEN | (out->count - before == 3 ? NODES_TOOLS : 0));
        atomic_store(&service->control_nodes_at, generation);
        return 0;
}

static int live_modeset_device(void *context, struct strv *out, struct error *err)
{
        struct live_request *live = context;
        return device_nodes_modeset(live->service->config.dev_root, out, err);
}

/* A MIG device's capability nodes, made again if they went missing (docs/mig.md). */
static int live_mig_nodes(void *context, const struct gpu_mig_device *mig, struct error *err)
{
        struct live_request *live = context;
        const char *dev_root = live->service->config.dev_root;
        unsigned int major = live->snapshot != NULL ? live->snapshot->inventory.caps_major : 0;
        if (device_nodes_ensure_cap(dev_root, major, &mig->gi_cap, NULL, err) < 0 ||
            device_nodes_ensure_cap(dev_root, major, &mig->ci_cap, NULL, err) < 0)
                return error_prefix(err, "MIG device %s", mig->uuid);
        return 0;
}

void service_check_driver(struct plugin_service *service)
{
        if (driver_watch_changed(&service->watch)) {
                char version[64];
                driver_watch_version(&service->watch, version, sizeof(version));
                systemd_notify_send(
                    &service->notify,
                    "RELOADING=1\nSTATUS=The NVIDIA kernel module changed (now %s): "
                    "discovering the GPUs again",
                    version[0] ? version : "none loaded");
                gpu_state_rediscover(&service->gpu);
        }
}

/* The REST path without "/v1.0" (the raw path: only a hint, routing decides). */
static const char *route_of(const char *path)
{
        return strncmp(path, "/v1.0/", 6) == 0 ? path + 5 : path;
}

bool service_rest_is_slow(void *context, const struct http_request *request)
{
        struct plugin_service *service = context;
        const char *route = route_of(request->path);
        if (strncmp(route, "/gpu/status", 11) == 0)
                return true; /* NVML, on its thread */
        service_check_driver(service);
        if (gpu_state_busy(&service->gpu))
                return true; /* may wait for the discovery in progress */
        /* The first request after /dev/nvidia-uvm went missing runs nvidia-modprobe. */
        if (strncmp(route, "/docker/cli", 11) != 0)
                return false;
        unsigned int seen;
        if (control_nodes_known(service, &seen))
                return false;
        return device_nodes_uvm_missing(service->config.dev_root);
}

void service_rest_handle(void *context, const struct http_request *request,
                         struct http_response *response)
{
        struct plugin_service *service = context;
        long deadline = monotonic_ms() + SERVICE_WAIT_MS;
        cleanup_free char *reason = NULL;
        struct gpu_snapshot *snapshot =
            gpu_state_acquire(&service->gpu, request->may_block, deadline, &reason);
        struct live_request live = {service, snapshot, deadline};
        struct rest_api api = {
            .inventory = snapshot != NULL ? &snapshot->inventory : NULL,
            .unavailable = reason,
            .live =
                {
                    .context = &live,
                    .driver_version = live_driver_version,
                    .cuda_version = live_cuda_version,
                    .device_status = live_device_status,
                    .control_devices = live_control_devices,
                    .modeset_device = live_modeset_device,
                    .mig_nodes = live_mig_nodes,
                },
            .nvidia_runtime = service->nvidia_runtime,
            .cdi = service->cdi_ready ? &service->cdi : NULL,
        };
        rest_api_handle(&api, request, response);
        gpu_snapshot_release(snapshot);
}

char *service_volume_ready(void *context, bool may_block)
{
        struct plugin_service *service = context;
        service_check_driver(service);
        char *reason = NULL;
        struct gpu_snapshot *snapshot =
            gpu_state_acquire(&service->gpu, may_block, monotonic_ms() + SERVICE_WAIT_MS, &reason);
        gpu_snapshot_release(snapshot);
        return reason;
}
