/*
 * FAKE libnvidia-ml.so.1 for the tests: answers every NVML call nvidia-docker-plugin makes
 * from the JSON file named by FAKE_NVML_CONFIG (fake_gpus.h). Not NVIDIA's library.
 * Top-level keys: "driver_version", "cuda_version" (int or "NOT_SUPPORTED"), "init" (absent or
 * "ERROR:<code>"), "gpus": [...]. Per GPU: uuid, minor, bus_id, name, power_limit (mW),
 * bar1_total, bar1_used (bytes), pcie_gen, pcie_width, max_clock_sm, max_clock_mem,
 * topology {bus_id: level}, power_usage (mW), temperature, util_gpu, util_memory, encoder,
 * decoder, memory_total, memory_used (bytes), ecc_l1, ecc_l2, ecc_device, clock_sm, clock_mem,
 * rx, tx (KB/s), processes [{pid, name, used (bytes)}], and "cuda" (see fake_cuda.c).
 * MIG (absent keys: a GPU without MIG, NOT_SUPPORTED): "mig_mode" (current mode, 0 or 1, or
 * [current, pending]), "max_mig_devices", "mig_devices": [{"index" (NVML MIG index; gaps give
 * NOT_FOUND), "uuid", "gpu_instance", "compute_instance", "memory_total", "memory_used" (bytes),
 * "parent" (NVML index nvmlDeviceGetDeviceHandleFromMigDeviceHandle gives; default its GPU)}].
 * A MIG handle answers nvmlDeviceGetUUID and nvmlDeviceGetMemoryInfo from its object; GPU-only
 * queries on it answer INVALID_ARGUMENT. Built with -DFAKE_NVML_NO_MIG, the library has no MIG
 * symbols at all (an older driver).
 * "sleep": {"<function>": seconds} delays that function (a hung NVML: fake_gpus.h); it works for
 * nvmlInit_v2, nvmlDeviceGetCount_v2, nvmlSystemGetDriverVersion, nvmlDeviceGetTemperature
 * (a /gpu/status query) and cuInit. The file is
 * read again by every nvmlInit_v2, so a test can switch the driver version under a running
 * plugin (which initialises NVML again when the driver changes).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fake_gpus.h"

typedef int nvmlReturn_t;
typedef struct fake_device *nvmlDevice_t;

#define EXPORT __attribute__((visibility("default")))

static int initialized;

/* Handles: GPU i is i + 1; MIG device at position p of GPU i's "mig_devices" is
 * (i + 1) | (p + 1) << 16, which dev_gpu() does not take for a GPU. */
#define MIG_SHIFT 16

static json_t *dev_gpu(nvmlDevice_t d)
{
        uintptr_t i = (uintptr_t)d;
        if (i == 0 || i > fake_gpu_count())
                return NULL;
        return fake_gpu(i - 1);
}

/* The MIG device object of a MIG handle, or NULL. */
static json_t *dev_mig(nvmlDevice_t d)
{
        uintptr_t h = (uintptr_t)d, gpu = h & ((1u << MIG_SHIFT) - 1), pos = h >> MIG_SHIFT;
        if (pos == 0 || gpu == 0 || gpu > fake_gpu_count())
                return NULL;
        return json_array_get(json_object_get(fake_gpu(gpu - 1), "mig_devices"), pos - 1);
}

#define GPU_OR_FAIL(d)                                                                             \
        json_t *gpu = dev_gpu(d);                                                                  \
        if (!initialized)                                                                          \
                return 1;                                                                          \
        if (gpu == NULL)                                                                           \
        return 2

static nvmlReturn_t copy_string(json_t *obj, const char *key, char *out, unsigned int len)
{
        json_t *v;
        int r = fake_value(obj, key, &v);
        if (r)
                return r;
        const char *s = json_string_value(v);
        if (s == NULL)
                return 2;
        if (strlen(s) + 1 > len)
                return 7;
        strcpy(out, s);
        return 0;
}

static nvmlReturn_t get_uint(json_t *obj, const char *key, unsigned int *out)
{
        unsigned long long v;
        int r = fake_uint(obj, key, &v);
        if (r == 0)
                *out = (unsigned int)v;
        return r;
}

EXPORT nvmlReturn_t nvmlInit_v2(void)
{
        fake_config_reload();
        fake_sleep("nvmlInit_v2");
        json_t *c = fake_config();
        if (c == NULL)
                return 999;
        json_t *v;
        int r = fake_value(c, "init", &v);
        if (r != 0 && r != 3)
                return r;
        initialized = 1;
        return 0;
}

EXPORT nvmlReturn_t nvmlShutdown(void)
{
        initialized = 0;
        return 0;
}

EXPORT const char *nvmlErrorString(nvmlReturn_t r)
{
        switch (r) {
        case 0:
                return "Success";
        case 1:
                return "Uninitialized";
        case 2:
                return "Invalid Argument";
        case 3:
                return "Not Supported";
        case 4:
                return "Insufficient Permissions";
        case 6:
                return "Not Found";
        case 7:
                return "Insufficient Size";
        case 9:
                return "Driver Not Loaded";
        case 12:
                return "NVML Shared Library Not Found";
        case 13:
                return "Function Not Found";
        case 15:
                return "GPU is lost";
        default:
                return "Unknown Error";
        }
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *out, unsigned int len)
{
        fake_sleep("nvmlSystemGetDriverVersion");
        if (!initialized)
                return 1;
        return copy_string(fake_config(), "driver_version", out, len);
}

EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *out)
{
        unsigned long long v;
        if (!initialized)
                return 1;
        int r = fake_uint(fake_config(), "cuda_version", &v);
        if (r == 3)
                return 12; /* _v2 says LIBRARY_NOT_FOUND without libcuda */
        if (r == 0)
                *out = (int)v;
        return r;
}

EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *out)
{
        return nvmlSystemGetCudaDriverVersion_v2(out);
}

EXPORT nvmlReturn_t nvmlSystemGetProcessName(unsigned int pid, char *name, unsigned int len)
{
        if (!initialized)
                return 1;
        for (size_t i = 0; i < fake_gpu_count(); i++) {
                json_t *p;
                size_t k;
                json_array_foreach(json_object_get(fake_gpu(i), "processes"), k, p)
                {
                        if (json_integer_value(json_object_get(p, "pid")) == pid) {
                                const char *s = json_string_value(json_object_get(p, "name"));
                                if (s == NULL)
                                        s = "";
                                /* "hex:<bytes>" gives names that JSON cannot hold
                                 * (invalid UTF-8). */
                                if (strncmp(s, "hex:", 4) == 0) {
                                        unsigned int n = 0, byte;
                                        for (s += 4; n + 1 < len && sscanf(s, "%2x", &byte) == 1;
                                             s += 2)
                                                name[n++] = (char)byte;
                                        name[n] = 0;
                                        return 0;
                                }
                                snprintf(name, len, "%s", s);
                                return 0;
                        }
                }
        }
        return 6;
}

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
        fake_sleep("nvmlDeviceGetCount_v2");
        if (!initialized)
                return 1;
        *count = (unsigned int)fake_gpu_count();
        return 0;
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *d)
{
        if (!initialized)
                return 1;
        if (index >= fake_gpu_count())
                return 2;
        *d = (nvmlDevice_t)(uintptr_t)(index + 1);
        return 0;
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *out, unsigned int len)
{
        json_t *mig = dev_mig(d);
        if (initialized && mig != NULL)
                return copy_string(mig, "uuid", out, len);
        GPU_OR_FAIL(d);
        return copy_string(gpu, "uuid", out, len);
}

EXPORT nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t d, unsigned int *out)
{
        GPU_OR_FAIL(d);
        return get_uint(gpu, "minor", out);
}

typedef struct {
        char busIdLegacy[16];
        unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
        char busId[32];
} nvmlPciInfo_t;

EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci)
{
        GPU_OR_FAIL(d);
        json_t *v;
        int r = fake_value(gpu, "bus_id", &v);
        if (r)
                return r;
        unsigned int domain = 0, bus = 0, dev = 0, fn = 0;
        if (sscanf(json_string_value(v), "%x:%x:%x.%x", &domain, &bus, &dev, &fn) != 4)
                return 999;
        memset(pci, 0, sizeof(*pci));
        pci->domain = domain;
        pci->bus = bus;
        pci->device = dev;
        snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.%X", domain, bus, dev,
                 fn);
        snprintf(pci->busId, sizeof(pci->busId), "%08X:%02X:%02X.%X", domain, bus, dev, fn);
        return 0;
}

EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v2(nvmlDevice_t d, nvmlPciInfo_t *pci)
{
        return nvmlDeviceGetPciInfo_v3(d, pci);
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *out, unsigned int len)
{
        GPU_OR_FAIL(d);
        return copy_string(gpu, "name", out, len);
}

#define UINT_QUERY(fn, key)                                                                        \
        EXPORT nvmlReturn_t fn(nvmlDevice_t d, unsigned int *out)                                  \
        {                                                                                          \
                GPU_OR_FAIL(d);                                                                    \
                return get_uint(gpu, key, out);                                                    \
        }

UINT_QUERY(nvmlDeviceGetPowerManagementLimit, "power_limit")
UINT_QUERY(nvmlDeviceGetMaxPcieLinkGeneration, "pcie_gen")
UINT_QUERY(nvmlDeviceGetMaxPcieLinkWidth, "pcie_width")
UINT_QUERY(nvmlDeviceGetPowerUsage, "power_usage")

typedef struct {
        unsigned long long bar1Total, bar1Free, bar1Used;
} nvmlBAR1Memory_t;

EXPORT nvmlReturn_t nvmlDeviceGetBAR1MemoryInfo(nvmlDevice_t d, nvmlBAR1Memory_t *out)
{
        GPU_OR_FAIL(d);
        unsigned long long total, used = 0;
        int r = fake_uint(gpu, "bar1_total", &total);
        if (r)
                return r;
        fake_uint(gpu, "bar1_used", &used);
        out->bar1Total = total;
        out->bar1Used = used;
        out->bar1Free = total - used;
        return 0;
}

EXPORT nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int type, unsigned int *out)
{
        GPU_OR_FAIL(d);
        return get_uint(gpu, type == 1 ? "max_clock_sm" : type == 2 ? "max_clock_mem" : "-", out);
}

EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *out)
{
        GPU_OR_FAIL(d);
        return get_uint(gpu, type == 1 ? "clock_sm" : type == 2 ? "clock_mem" : "-", out);
}

EXPORT nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t a, nvmlDevice_t b, int *level)
{
        GPU_OR_FAIL(a);
        json_t *other = dev_gpu(b);
        if (other == NULL)
                return 2;
        json_t *topo;
        int r = fake_value(gpu, "topology", &topo);
        if (r)
                return r;
        const char *bus = json_string_value(json_object_get(other, "bus_id"));
        unsigned long long v;
        r = fake_uint(topo, bus ? bus : "", &v);
        if (r == 0)
                *level = (int)v;
        return r;
}

EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *out)
{
        fake_sleep("nvmlDeviceGetTemperature");
        GPU_OR_FAIL(d);
        return sensor == 0 ? get_uint(gpu, "temperature", out) : 2;
}

typedef struct {
        unsigned int gpu, memory;
} nvmlUtilization_t;

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *out)
{
        GPU_OR_FAIL(d);
        int r = get_uint(gpu, "util_gpu", &out->gpu);
        return r ? r : get_uint(gpu, "util_memory", &out->memory);
}

EXPORT nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t d, unsigned int *u,
                                                    unsigned int *period)
{
        GPU_OR_FAIL(d);
        *period = 1000000;
        return get_uint(gpu, "encoder", u);
}

EXPORT nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t d, unsigned int *u,
                                                    unsigned int *period)
{
        GPU_OR_FAIL(d);
        *period = 1000000;
        return get_uint(gpu, "decoder", u);
}

typedef struct {
        unsigned long long total, free, used;
} nvmlMemory_t;

EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *out)
{
        json_t *mig = dev_mig(d);
        json_t *gpu = mig != NULL ? mig : dev_gpu(d);
        if (!initialized)
                return 1;
        if (gpu == NULL)
                return 2;
        unsigned long long total, used;
        int r = fake_uint(gpu, "memory_total", &total);
        if (r == 0)
                r = fake_uint(gpu, "memory_used", &used);
        if (r)
                return r;
        out->total = total;
        out->used = used;
        out->free = total - used;
        return 0;
}

EXPORT nvmlReturn_t nvmlDeviceGetMemoryErrorCounter(nvmlDevice_t d, int type, int counter,
                                                    int location, unsigned long long *out)
{
        GPU_OR_FAIL(d);
        if (type != 1 || counter != 0)
                return 2;
        const char *key = location == 0   ? "ecc_l1"
                          : location == 1 ? "ecc_l2"
                          : location == 2 ? "ecc_device"
                                          : "-";
        return fake_uint(gpu, key, out);
}

EXPORT nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t d, int counter, unsigned int *out)
{
        GPU_OR_FAIL(d);
        return get_uint(gpu, counter == 1 ? "rx" : counter == 0 ? "tx" : "-", out);
}

typedef struct {
        unsigned int pid;
        unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t d, unsigned int *count,
                                                         nvmlProcessInfo_v1_t *infos)
{
        GPU_OR_FAIL(d);
        json_t *list;
        int r = fake_value(gpu, "processes", &list);
        if (r)
                return r;
        size_t n = json_array_size(list);
        if (n > *count) {
                *count = (unsigned int)n;
                return 7;
        }
        for (size_t i = 0; i < n; i++) {
                json_t *p = json_array_get(list, i);
                infos[i].pid = (unsigned int)json_integer_value(json_object_get(p, "pid"));
                json_t *used = json_object_get(p, "used");
                infos[i].usedGpuMemory =
                    json_is_integer(used) ? (unsigned long long)json_integer_value(used) : ~0ULL;
        }
        *count = (unsigned int)n;
        return 0;
}

#ifndef FAKE_NVML_NO_MIG
EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current,
                                         unsigned int *pending)
{
        GPU_OR_FAIL(d);
        json_t *v;
        int r = fake_value(gpu, "mig_mode", &v);
        if (r)
                return r;
        if (json_is_array(v)) {
                *current = (unsigned int)json_integer_value(json_array_get(v, 0));
                *pending = (unsigned int)json_integer_value(json_array_get(v, 1));
        } else {
                *current = *pending = (unsigned int)json_integer_value(v);
        }
        return 0;
}

UINT_QUERY(nvmlDeviceGetMaxMigDeviceCount, "max_mig_devices")

EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t d, unsigned int index,
                                                        nvmlDevice_t *out)
{
        GPU_OR_FAIL(d);
        unsigned long long max;
        int r = fake_uint(gpu, "max_mig_devices", &max);
        if (r)
                return r;
        if (index >= max)
                return 2;
        json_t *list;
        if ((r = fake_value(gpu, "mig_devices", &list)) != 0)
                return r == 3 ? 6 : r;
        json_t *mig;
        size_t pos;
        json_array_foreach(list, pos, mig)
        {
                if (json_integer_value(json_object_get(mig, "index")) == index) {
                        *out = (nvmlDevice_t)((uintptr_t)d | (uintptr_t)(pos + 1) << MIG_SHIFT);
                        return 0;
                }
        }
        return 6; /* NOT_FOUND */
}

#define MIG_UINT_QUERY(fn, key)                                                                    \
        EXPORT nvmlReturn_t fn(nvmlDevice_t d, unsigned int *out)                                  \
        {                                                                                          \
                json_t *mig = dev_mig(d);                                                          \
                if (!initialized)                                                                  \
                        return 1;                                                                  \
                if (mig == NULL)                                                                   \
                        return 2;                                                                  \
                return get_uint(mig, key, out);                                                    \
        }

MIG_UINT_QUERY(nvmlDeviceGetGpuInstanceId, "gpu_instance")
MIG_UINT_QUERY(nvmlDeviceGetComputeInstanceId, "compute_instance")

EXPORT nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t d,
                                                                 nvmlDevice_t *parent)
{
        json_t *mig = dev_mig(d);
        if (!initialized)
                return 1;
        if (mig == NULL)
                return 2;
        unsigned long long index;
        int r = fake_uint(mig, "parent", &index);
        if (r == 3)
                index = ((uintptr_t)d & ((1u << MIG_SHIFT) - 1)) - 1;
        else if (r)
                return r;
        *parent = (nvmlDevice_t)(uintptr_t)(index + 1);
        return 0;
}
#endif
