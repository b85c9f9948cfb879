#include "nvidia-docker-plugin/gpu_source_live.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_nodes.h"

static int live_driver_version(void *context, char **out, struct error *err)
{
        struct gpu_source *s = context;
        char version[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
        nvmlReturn_t ret = s->nvml.SystemGetDriverVersion(version, sizeof(version));
        if (ret != NVML_SUCCESS)
                return nvml_set_error(&s->nvml, ret, err);
        *out = xstrdup(version);
        return 0;
}

static int live_cuda_version(void *context, char **out, struct error *err)
{
        struct gpu_source *s = context;
        int version = 0;
        nvmlReturn_t ret = NVML_ERROR_FUNCTION_NOT_FOUND;
        if (s->nvml.SystemGetCudaDriverVersion_v2 != NULL)
                ret = s->nvml.SystemGetCudaDriverVersion_v2(&version);
        if (ret != NVML_SUCCESS && s->nvml.SystemGetCudaDriverVersion != NULL)
                ret = s->nvml.SystemGetCudaDriverVersion(&version);
        if (ret != NVML_SUCCESS && s->cuda.library != NULL) {
                if (s->cuda.DriverGetVersion(&version) == 0)
                        ret = NVML_SUCCESS;
        }
        if (ret != NVML_SUCCESS) {
                nvml_set_error(&s->nvml, ret, err);
                return error_prefix(err, "cannot query the CUDA driver version");
        }
        *out = gpu_cuda_version_string(version);
        return 0;
}

#define STATUS_QUERY(call, name, assign)                                                           \
        do {                                                                                       \
                int r_ = nvml_check(nvml, (call), name, err);                                      \
                if (r_ < 0)                                                                        \
                        goto fail;                                                                 \
                if (r_) {                                                                          \
                        assign;                                                                    \
                }                                                                                  \
        } while (0)

static int query_processes(struct gpu_source *s, nvmlDevice_t dev, struct gpu_status *st,
                           struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        unsigned int count = 32;
        for (int attempt = 0; attempt < 4; attempt++) {
                unsigned int capacity = count + 8; /* processes may start in between */
                unsigned int n = capacity;
                cleanup_free nvmlProcessInfo_v1_t *v1 = NULL;
                cleanup_free nvmlProcessInfo_v2_t *v3 = NULL;
                nvmlReturn_t ret;
                if (nvml->DeviceGetComputeRunningProcesses_v1 != NULL) {
                        v1 = xcalloc(capacity, sizeof(*v1));
                        ret = nvml->DeviceGetComputeRunningProcesses_v1(dev, &n, v1);
                } else {
                        v3 = xcalloc(capacity, sizeof(*v3));
                        ret = nvml->DeviceGetComputeRunningProcesses_v3(dev, &n, v3);
                }
                if (ret == NVML_ERROR_INSUFFICIENT_SIZE && n > count) {
                        count = n; /* 1.0.1 answered 500 past 32 processes */
                        continue;
                }
                int r = nvml_check(nvml, ret, "nvmlDeviceGetComputeRunningProcesses", err);
                if (r <= 0)
                        return r;
                if (n > capacity)
                        n = capacity;
                if (n == 0)
                        return 0;
                st->processes = xcalloc(n, sizeof(*st->processes));
                for (unsigned int i = 0; i < n; i++) {
                        unsigned int pid = v1 ? v1[i].pid : v3[i].pid;
                        unsigned long long used = v1 ? v1[i].usedGpuMemory : v3[i].usedGpuMemory;
                        struct gpu_process *p = &st->processes[st->process_count++];
                        char name[NVML_PROCESS_NAME_BUFFER_SIZE] = "";
                        /* A process may exit between the two calls: keep it with no name. */
                        if (nvml->SystemGetProcessName(pid, name, sizeof(name)) != NVML_SUCCESS)
                                name[0] = '\0';
                        p->pid = pid;
                        p->name = xstrdup(name);
                        p->memory_used =
                            used == NVML_VALUE_NOT_AVAILABLE_ULL ? GPU_NULL : (int64_t)(used >> 20);
                }
                return 0;
        }
        return error_set(err, "nvmlDeviceGetComputeRunningProcesses: process list keeps growing");
}

static int live_device_status(void *context, size_t index, struct gpu_status *st, struct error *err)
{
        struct gpu_source *s = context;
        const struct nvml *nvml = &s->nvml;
        gpu_status_init(st);
        if (index >= s->count)
                return error_set(err, "no GPU #%zu", index);
        nvmlDevice_t dev = s->handles[index];
        unsigned int v = 0, period = 0;
        nvmlUtilization_t util;
        nvmlMemory_t mem;
        nvmlBAR1Memory_t bar1;
        unsigned long long count = 0;

        STATUS_QUERY(nvml->DeviceGetPowerUsage(dev, &v), "nvmlDeviceGetPowerUsage",
                     st->power = v / 1000);
        STATUS_QUERY(nvml->DeviceGetTemperature(dev, NVML_TEMPERATURE_GPU, &v),
                     "nvmlDeviceGetTemperature", st->temperature = v);
        STATUS_QUERY(nvml->DeviceGetUtilizationRates(dev, &util), "nvmlDeviceGetUtilizationRates",
                     (st->util_gpu = util.gpu, st->util_memory = util.memory));
        STATUS_QUERY(nvml->DeviceGetEncoderUtilization(dev, &v, &period),
                     "nvmlDeviceGetEncoderUtilization", st->util_encoder = v);
        STATUS_QUERY(nvml->DeviceGetDecoderUtilization(dev, &v, &period),
                     "nvmlDeviceGetDecoderUtilization", st->util_decoder = v);
        STATUS_QUERY(nvml->DeviceGetMemoryInfo(dev, &mem), "nvmlDeviceGetMemoryInfo",
                     st->memory_used = (int64_t)(mem.used >> 20));
        STATUS_QUERY(nvml->DeviceGetMemoryErrorCounter(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                                       NVML_VOLATILE_ECC,
                                                       NVML_MEMORY_LOCATION_L1_CACHE, &count),
                     "nvmlDeviceGetMemoryErrorCounter", st->ecc_l1 = (int64_t)count);
        STATUS_QUERY(nvml->DeviceGetMemoryErrorCounter(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                                       NVML_VOLATILE_ECC,
                                                       NVML_MEMORY_LOCATION_L2_CACHE, &count),
                     "nvmlDeviceGetMemoryErrorCounter", st->ecc_l2 = (int64_t)count);
        STATUS_QUERY(nvml->DeviceGetMemoryErrorCounter(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                                       NVML_VOLATILE_ECC,
                                                       NVML_MEMORY_LOCATION_DEVICE_MEMORY, &count),
                     "nvmlDeviceGetMemoryErrorCounter", st->ecc_global = (int64_t)count);
        STATUS_QUERY(nvml->DeviceGetClockInfo(dev, NVML_CLOCK_SM, &v), "nvmlDeviceGetClockInfo",
                     st->clock_cores = v);
        STATUS_QUERY(nvml->DeviceGetClockInfo(dev, NVML_CLOCK_MEM, &v), "nvmlDeviceGetClockInfo",
                     st->clock_memory = v);
        STATUS_QUERY(nvml->DeviceGetBAR1MemoryInfo(dev, &bar1), "nvmlDeviceGetBAR1MemoryInfo",
                     st->bar1_used = (int64_t)(bar1.bar1Used >> 20));
        STATUS_QUERY(nvml->DeviceGetPcieThroughput(dev, NVML_PCIE_UTIL_RX_BYTES, &v),
                     "nvmlDeviceGetPcieThroughput", st->rx = v / 1000);
        STATUS_QUERY(nvml->DeviceGetPcieThroughput(dev, NVML_PCIE_UTIL_TX_BYTES, &v),
                     "nvmlDeviceGetPcieThroughput", st->tx = v / 1000);
        if (query_processes(s, dev, st, err) < 0)
                goto fail;
        return 0;
fail:
        gpu_status_destroy(st);
        return -1;
}

static int live_control_devices(void *context, struct strv *out, struct error *err)
{
        struct gpu_source *s = context;
        return device_nodes_control(s->dev_root, out, err);
}

static int live_modeset_device(void *context, struct strv *out, struct error *err)
{
        struct gpu_source *s = context;
        return device_nodes_modeset(s->dev_root, out, err);
}

static int live_mig_nodes(void *context, const struct gpu_mig_device *mig, struct error *err)
{
        struct gpu_source *s = context;
        if (device_nodes_ensure_cap(s->dev_root, s->caps_major, &mig->gi_cap, NULL, err) < 0 ||
            device_nodes_ensure_cap(s->dev_root, s->caps_major, &mig->ci_cap, NULL, err) < 0)
                return error_prefix(err, "MIG device %s", mig->uuid);
        return 0;
}

struct gpu_live gpu_source_live(struct gpu_source *source)
{
        struct gpu_live live = {
            .context = source,
            .driver_version = live_driver_version,
            .cuda_version = live_cuda_version,
            .device_status = live_device_status,
            .control_devices = live_control_devices,
            .modeset_device = live_modeset_device,
            .mig_nodes = live_mig_nodes,
        };
        return live;
}
