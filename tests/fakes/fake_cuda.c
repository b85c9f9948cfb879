/*
 * FAKE libcuda.so.1 for the tests: the CUDA driver API calls nvidia-docker-plugin makes,
 * answered from the "cuda" object of each GPU in FAKE_NVML_CONFIG: "cc": [major, minor], "sms",
 * "ecc" (0/1), "shared_per_sm", "constant", "l2" (bytes), "mem_clock_khz", "bus_width" (bits),
 * "total_mem" (bytes), "peers": [bus ids it can access]. A GPU without a "cuda" object is not
 * a CUDA device (as a GPU in MIG mode can be): cuDeviceGetByPCIBusId fails for it. Not NVIDIA's
 * library.
 */
#include <stddef.h>
#include <string.h>

#include "fake_gpus.h"

#define EXPORT __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;

static int initialized;

EXPORT CUresult cuInit(unsigned int flags)
{
        fake_config_reload();
        fake_sleep("cuInit");
        if (fake_config() == NULL)
                return 100; /* CUDA_ERROR_NO_DEVICE */
        initialized = 1;
        return 0;
}

EXPORT CUresult cuDriverGetVersion(int *v)
{
        unsigned long long n;
        if (fake_uint(fake_config(), "cuda_version", &n) != 0)
                return 999;
        *v = (int)n;
        return 0;
}

EXPORT CUresult cuGetErrorString(CUresult r, const char **s)
{
        switch (r) {
        case 3:
                *s = "initialization error";
                return 0;
        case 100:
                *s = "no CUDA-capable device is detected";
                return 0;
        case 101:
                *s = "invalid device ordinal";
                return 0;
        default:
                *s = "unknown error";
                return 0;
        }
}

EXPORT CUresult cuDeviceGetByPCIBusId(CUdevice *dev, const char *bus_id)
{
        if (!initialized)
                return 3;
        int i = fake_gpu_by_bus_id(bus_id);
        if (i < 0 || json_object_get(fake_gpu((size_t)i), "cuda") == NULL)
                return 101;
        *dev = i;
        return 0;
}

static json_t *cuda_of(CUdevice dev)
{
        if (dev < 0 || (size_t)dev >= fake_gpu_count())
                return NULL;
        return json_object_get(fake_gpu((size_t)dev), "cuda");
}

EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice dev)
{
        json_t *c = cuda_of(dev);
        if (!initialized)
                return 3;
        if (c == NULL)
                return 101;
        json_t *cc = json_object_get(c, "cc");
        const char *key = NULL;
        switch (attribute) {
        case 75:
                *value = (int)json_integer_value(json_array_get(cc, 0));
                return 0;
        case 76:
                *value = (int)json_integer_value(json_array_get(cc, 1));
                return 0;
        case 9:
                key = "constant";
                break;
        case 16:
                key = "sms";
                break;
        case 32:
                key = "ecc";
                break;
        case 36:
                key = "mem_clock_khz";
                break;
        case 37:
                key = "bus_width";
                break;
        case 38:
                key = "l2";
                break;
        case 81:
                key = "shared_per_sm";
                break;
        default:
                return 1; /* CUDA_ERROR_INVALID_VALUE */
        }
        *value = (int)json_integer_value(json_object_get(c, key));
        return 0;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
{
        json_t *c = cuda_of(dev);
        if (c == NULL)
                return 101;
        *bytes = (size_t)json_integer_value(json_object_get(c, "total_mem"));
        return 0;
}

EXPORT CUresult cuDeviceCanAccessPeer(int *can, CUdevice a, CUdevice b)
{
        json_t *c = cuda_of(a);
        json_t *other = b >= 0 && (size_t)b < fake_gpu_count() ? fake_gpu((size_t)b) : NULL;
        if (c == NULL || other == NULL)
                return 101;
        const char *bus = json_string_value(json_object_get(other, "bus_id"));
        json_t *p;
        size_t i;
        *can = 0;
        json_array_foreach(json_object_get(c, "peers"), i, p)
        {
                if (bus && json_string_value(p) && strcmp(json_string_value(p), bus) == 0)
                        *can = 1;
        }
        return 0;
}
