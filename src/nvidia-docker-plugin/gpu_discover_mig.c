#include "nvidia-docker-plugin/gpu_discover_mig.h"

#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/mig_caps.h"

/* nvmlDeviceGetUUID's buffer for MIG handles (old-style MIG UUIDs are longer than 80). */
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96

/* A MIG-level NVML failure as "GPU #<i> MIG device <m>: <call>: nvml: <text>". */
static int mig_error(const struct nvml *nvml, nvmlReturn_t ret, const char *call,
                     unsigned int index, unsigned int mig, struct error *err)
{
        if (ret == NVML_ERROR_NOT_SUPPORTED)
                return error_set(err, "unsupported MIG device %u:%u: %s is not supported", index,
                                 mig, call);
        nvml_set_error(nvml, ret, err);
        return error_prefix(err, "GPU #%u MIG device %u: %s", index, mig, call);
}

static void fill_cap(struct gpu_cap_node *cap, const struct mig_cap_access *access)
{
        cap->minor = access->minor;
        cap->path = xasprintf("/dev/nvidia-caps/nvidia-cap%u", access->minor);
        cap->mode = access->mode;
        cap->uid = access->uid;
        cap->gid = access->gid;
        cap->modify = access->modify;
}

/* One MIG device: identity from NVML, capability minors from the driver's files. */
static int discover_mig(struct gpu_source *s, unsigned int index, struct gpu_device *d,
                        unsigned int m, nvmlDevice_t handle, struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        nvmlReturn_t ret;
        if (nvml->DeviceGetDeviceHandleFromMigDeviceHandle != NULL) {
                nvmlDevice_t parent = NULL;
                ret = nvml->DeviceGetDeviceHandleFromMigDeviceHandle(handle, &parent);
                if (ret != NVML_SUCCESS && ret != NVML_ERROR_NOT_SUPPORTED)
                        return mig_error(nvml, ret, "nvmlDeviceGetDeviceHandleFromMigDeviceHandle",
                                         index, m, err);
                if (ret == NVML_SUCCESS && parent != s->handles[index])
                        return error_set(err,
                                         "GPU #%u MIG device %u: NVML gives it another parent GPU",
                                         index, m);
        }
        char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
        unsigned int gi = 0, ci = 0;
        if ((ret = nvml->DeviceGetUUID(handle, uuid, sizeof(uuid))) != NVML_SUCCESS)
                return mig_error(nvml, ret, "nvmlDeviceGetUUID", index, m, err);
        if ((ret = nvml->DeviceGetGpuInstanceId(handle, &gi)) != NVML_SUCCESS)
                return mig_error(nvml, ret, "nvmlDeviceGetGpuInstanceId", index, m, err);
        if ((ret = nvml->DeviceGetComputeInstanceId(handle, &ci)) != NVML_SUCCESS)
                return mig_error(nvml, ret, "nvmlDeviceGetComputeInstanceId", index, m, err);
        if (gi > INT32_MAX || ci > INT32_MAX)
                return error_set(err, "GPU #%u MIG device %u: NVML gives instance ids %u/%u", index,
                                 m, gi, ci);
        nvmlMemory_t mem;
        int64_t memory = GPU_NULL;
        int r = nvml_check(nvml, nvml->DeviceGetMemoryInfo(handle, &mem), "nvmlDeviceGetMemoryInfo",
                           err);
        if (r < 0)
                return error_prefix(err, "GPU #%u MIG device %u", index, m);
        if (r)
                memory = (int64_t)(mem.total >> 20);
        struct mig_cap_access gi_access, ci_access;
        if (mig_caps_lookup(s->proc_root, d->minor, gi, -1, &gi_access, err) < 0 ||
            mig_caps_lookup(s->proc_root, d->minor, gi, (int)ci, &ci_access, err) < 0)
                return error_prefix(err, "MIG device %s (%u:%u): no capability minor", uuid, index,
                                    m);
        d->migs = xrealloc(d->migs, (d->mig_count + 1) * sizeof(*d->migs));
        struct gpu_mig_device *mig = &d->migs[d->mig_count++];
        memset(mig, 0, sizeof(*mig));
        mig->uuid = xstrdup(uuid);
        mig->index = m;
        mig->gpu_instance = gi;
        mig->compute_instance = ci;
        mig->memory = memory;
        fill_cap(&mig->gi_cap, &gi_access);
        fill_cap(&mig->ci_cap, &ci_access);
        return 0;
}

/* MIG mode and MIG devices of GPU #index; nothing without NVML's MIG functions. */
int gpu_discover_migs(struct gpu_source *s, unsigned int index, struct gpu_device *d,
                      struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        nvmlDevice_t dev = s->handles[index];
        if (!nvml->mig)
                return 0;
        unsigned int current = NVML_DEVICE_MIG_DISABLE, pending = NVML_DEVICE_MIG_DISABLE;
        nvmlReturn_t ret = nvml->DeviceGetMigMode(dev, &current, &pending);
        if (ret == NVML_ERROR_NOT_SUPPORTED || ret == NVML_ERROR_FUNCTION_NOT_FOUND)
                return 0; /* a GPU without MIG (before Ampere, or a consumer board) */
        if (ret != NVML_SUCCESS) {
                nvml_set_error(nvml, ret, err);
                return error_prefix(err, "GPU #%u: nvmlDeviceGetMigMode", index);
        }
        if (current != NVML_DEVICE_MIG_ENABLE)
                return 0;
        d->mig_enabled = true;
        unsigned int max = 0;
        ret = nvml->DeviceGetMaxMigDeviceCount(dev, &max);
        if (ret != NVML_SUCCESS) {
                nvml_set_error(nvml, ret, err);
                return error_prefix(err, "GPU #%u: nvmlDeviceGetMaxMigDeviceCount", index);
        }
        for (unsigned int m = 0; m < max; m++) {
                nvmlDevice_t handle = NULL;
                ret = nvml->DeviceGetMigDeviceHandleByIndex(dev, m, &handle);
                if (ret == NVML_ERROR_NOT_FOUND)
                        continue; /* no MIG device with that index */
                if (ret != NVML_SUCCESS)
                        return mig_error(nvml, ret, "nvmlDeviceGetMigDeviceHandleByIndex", index, m,
                                         err);
                if (discover_mig(s, index, d, m, handle, err) < 0)
                        return -1;
        }
        return 0;
}
