/* run_devices: see run_devices.h. */
#include "nvidia-docker/run_devices.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_access.h"
#include "nvidia-docker/run_debug.h"

int run_gpu_info_load(struct run_state *s, struct error *err)
{
        if (s->info_loaded)
                return 0;
        if (plugin_client_gpu_info(s->client, &s->info, err) < 0)
                return -1;
        s->info_loaded = true;
        return 0;
}

int run_cuda_check(struct run_state *s, struct error *err)
{
        if (s->plan.check_disabled) {
                run_debug(s, "CUDA check skipped: NVIDIA_DISABLE_REQUIRE is set");
                return 0;
        }
        if (s->plan.required_cuda == NULL) {
                run_debug(s, "CUDA check: the image states no CUDA requirement");
                return 0;
        }
        if (run_gpu_info_load(s, err) < 0)
                return error_prefix(err,
                                    "cannot check the image's CUDA requirement %s (%s): "
                                    "the driver query failed",
                                    s->plan.required_cuda, s->plan.required_from);
        if (cuda_version_check(s->info.cuda_version, s->plan.required_cuda, err) < 0)
                return -1;
        run_debug(s, "CUDA check: driver %s >= image %s (%s)", s->info.cuda_version,
                  s->plan.required_cuda, s->plan.required_from);
        return 0;
}

/* The GPUs of the plugin's host that the caller may use, in index order (UUIDs): all of them,
 * less those its device cgroup denies, narrowed by CUDA_VISIBLE_DEVICES UUIDs (local engine
 * only). *narrowed: the list is not simply "every GPU". */
static int usable_gpus(struct run_state *s, struct strv *uuids, bool *narrowed, struct error *err)
{
        if (run_gpu_info_load(s, err) < 0)
                return -1;
        size_t n = s->info.uuids.count;
        cleanup_free bool *allowed = xcalloc(n + 1, sizeof(*allowed));
        bool confined = false;
        for (size_t i = 0; i < n; i++)
                allowed[i] = true;
        if (s->engine_local)
                gpu_access_check_all(&s->info.paths, allowed, &confined);
        struct strv cuda = STRV_INIT;
        bool by_cuda = s->engine_local && gpu_access_cuda_uuids(s->env.cuda_visible_devices, &cuda);
        for (size_t i = 0; i < n; i++) {
                bool listed = !by_cuda;
                for (size_t k = 0; k < cuda.count && !listed; k++)
                        listed = strncmp(s->info.uuids.items[i], cuda.items[k],
                                         strlen(cuda.items[k])) == 0;
                if (allowed[i] && listed)
                        strv_push(uuids, s->info.uuids.items[i]);
        }
        strv_destroy(&cuda);
        *narrowed = uuids->count != n;
        if (confined || by_cuda)
                run_debug(s, "the caller may use %zu of the %zu GPUs (%s%s%s)", uuids->count, n,
                          confined ? "device cgroup" : "", confined && by_cuda ? ", " : "",
                          by_cuda ? "CUDA_VISIBLE_DEVICES" : "");
        if (uuids->count == 0)
                return error_set(err,
                                 "no GPU for %s: this process may use none of the %zu GPUs of "
                                 "this host (%s); run where GPUs are allowed, or set "
                                 "NV_GPU=none (driver only) or NV_GPU=void",
                                 s->plan.source, n,
                                 by_cuda ? "CUDA_VISIBLE_DEVICES names none of them"
                                         : "its device cgroup denies them");
        return 0;
}

/* The first `count` usable GPUs into s->devices. */
static int devices_count(struct run_state *s, unsigned count, struct error *err)
{
        bool narrowed = false;
        struct strv usable = STRV_INIT;
        strv_init(&usable);
        int ret = usable_gpus(s, &usable, &narrowed, err);
        if (ret == 0 && count > usable.count)
                ret = error_set(err,
                                "%s asks for %u GPUs, but %s %zu; ask for fewer, or name them "
                                "with NV_GPU",
                                s->plan.source, count,
                                narrowed ? "this process may use only" : "this host has",
                                usable.count);
        for (size_t i = 0; ret == 0 && i < count; i++)
                strv_push(&s->devices, usable.items[i]);
        strv_destroy(&usable);
        return ret;
}

int run_devices_choose(struct run_state *s, struct error *err)
{
        const struct gpu_request *req = &s->plan.request;
        bool narrowed = false;
        strv_init(&s->devices);
        switch (req->kind) {
        case GPU_REQUEST_NONE:
                strv_push(&s->devices, "none");
                return 0;
        case GPU_REQUEST_LIST:
                for (size_t i = 0; i < req->items.count; i++)
                        strv_push(&s->devices, req->items.items[i]);
                return 0;
        case GPU_REQUEST_COUNT:
                return devices_count(s, req->count, err);
        case GPU_REQUEST_ALL:
                if (!s->engine_local)
                        break; /* the caller's cgroup says nothing about another machine */
                if (usable_gpus(s, &s->devices, &narrowed, err) < 0)
                        return -1;
                if (narrowed)
                        return 0;
                break;
        case GPU_REQUEST_VOID:
                break;
        }
        strv_destroy(&s->devices);
        strv_init(&s->devices);
        s->all_devices = true;
        return 0;
}

int run_devices_confirm(struct run_state *s, const struct strv *given, struct error *err)
{
        if (!s->engine_local || s->plan.request.kind != GPU_REQUEST_LIST)
                return 0;
        struct strv nodes = STRV_INIT;
        strv_init(&nodes);
        for (size_t i = 0; i < given->count; i++)
                if (gpu_access_is_gpu_node(given->items[i]))
                        strv_push(&nodes, given->items[i]);
        cleanup_free bool *allowed = xcalloc(nodes.count + 1, sizeof(*allowed));
        bool confined = false;
        gpu_access_check_all(&nodes, allowed, &confined);
        size_t bad = 0;
        while (bad < nodes.count && allowed[bad])
                bad++;
        if (bad == nodes.count) {
                strv_destroy(&nodes);
                return 0;
        }
        const char *uuid = "";
        struct error ignored = ERROR_INIT;
        if (run_gpu_info_load(s, &ignored) == 0)
                for (size_t k = 0; k < s->info.paths.count; k++)
                        if (strcmp(s->info.paths.items[k], nodes.items[bad]) == 0)
                                uuid = s->info.uuids.items[k];
        error_clear(&ignored);
        error_set(err,
                  "%s chooses the GPU at %s%s%s%s, which this process may not open (its device "
                  "cgroup denies it, or it is not in its /dev); choose a GPU this process may use",
                  s->plan.source, nodes.items[bad], uuid[0] ? " (" : "", uuid, uuid[0] ? ")" : "");
        strv_destroy(&nodes);
        return -1;
}
