/*
 * nvml: the NVIDIA Management Library, opened at run time.
 *
 * nvml_open() loads libnvidia-ml.so.1 with dlopen() through the normal library search
 * (LD_LIBRARY_PATH works) and resolves every function with a typed dlsym() of its versioned
 * name, so building needs no NVIDIA header or library. The declarations below are the project's
 * own, copied by hand from NVML's documented ABI (only what the plugin uses). Optional functions
 * (missing in older drivers) are NULL after nvml_open(); callers treat NULL as NOT_SUPPORTED.
 * The MIG functions (drivers R450 and later) come as a group: `mig` is true only when all the
 * required ones resolved, else they are all NULL and every GPU is taken as not in MIG mode.
 */
#ifndef NVD_NVML_H
#define NVD_NVML_H

#include <stdbool.h>

#include "common/error.h"

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;

enum {
        NVML_SUCCESS = 0,
        NVML_ERROR_UNINITIALIZED = 1,
        NVML_ERROR_INVALID_ARGUMENT = 2,
        NVML_ERROR_NOT_SUPPORTED = 3,
        NVML_ERROR_NO_PERMISSION = 4,
        NVML_ERROR_NOT_FOUND = 6,
        NVML_ERROR_INSUFFICIENT_SIZE = 7,
        NVML_ERROR_DRIVER_NOT_LOADED = 9,
        NVML_ERROR_LIBRARY_NOT_FOUND = 12,
        NVML_ERROR_FUNCTION_NOT_FOUND = 13,
        NVML_ERROR_GPU_IS_LOST = 15,
        NVML_ERROR_UNKNOWN = 999,
};

enum { NVML_CLOCK_GRAPHICS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2 };
enum { NVML_TEMPERATURE_GPU = 0 };
enum { NVML_MEMORY_ERROR_TYPE_CORRECTED = 0, NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1 };
enum { NVML_VOLATILE_ECC = 0, NVML_AGGREGATE_ECC = 1 };
enum {
        NVML_MEMORY_LOCATION_L1_CACHE = 0,
        NVML_MEMORY_LOCATION_L2_CACHE = 1,
        NVML_MEMORY_LOCATION_DEVICE_MEMORY = 2,
};
enum { NVML_PCIE_UTIL_TX_BYTES = 0, NVML_PCIE_UTIL_RX_BYTES = 1 };
enum {
        NVML_TOPOLOGY_INTERNAL = 0,
        NVML_TOPOLOGY_SINGLE = 10,
        NVML_TOPOLOGY_MULTIPLE = 20,
        NVML_TOPOLOGY_HOSTBRIDGE = 30,
        NVML_TOPOLOGY_NODE = 40, /* was NVML_TOPOLOGY_CPU */
        NVML_TOPOLOGY_SYSTEM = 50,
};

/* nvmlDeviceGetMigMode's current and pending modes. */
enum { NVML_DEVICE_MIG_DISABLE = 0, NVML_DEVICE_MIG_ENABLE = 1 };

#define NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define NVML_DEVICE_NAME_BUFFER_SIZE           64
#define NVML_DEVICE_UUID_BUFFER_SIZE           80
#define NVML_PROCESS_NAME_BUFFER_SIZE          64

/* nvmlPciInfo_t as used by nvmlDeviceGetPciInfo_v2 and _v3. */
typedef struct {
        char busIdLegacy[16]; /* "0000:04:00.0" */
        unsigned int domain;
        unsigned int bus;
        unsigned int device;
        unsigned int pciDeviceId;
        unsigned int pciSubSystemId;
        char busId[32]; /* "00000000:04:00.0" */
} nvmlPciInfo_t;

typedef struct {
        unsigned long long total, free, used;
} nvmlMemory_t;

typedef struct {
        unsigned long long bar1Total, bar1Free, bar1Used;
} nvmlBAR1Memory_t;

typedef struct {
        unsigned int gpu, memory;
} nvmlUtilization_t;

/* Element of the unversioned nvmlDeviceGetComputeRunningProcesses. */
typedef struct {
        unsigned int pid;
        unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

/* Element of nvmlDeviceGetComputeRunningProcesses_v2 / _v3. */
typedef struct {
        unsigned int pid;
        unsigned long long usedGpuMemory;
        unsigned int gpuInstanceId;
        unsigned int computeInstanceId;
} nvmlProcessInfo_v2_t;

/* usedGpuMemory when NVML cannot tell (e.g. Windows WDDM, some containers). */
#define NVML_VALUE_NOT_AVAILABLE_ULL (~0ULL)

struct nvml {
        void *library;
        nvmlReturn_t (*Init)(void);
        nvmlReturn_t (*Shutdown)(void);
        const char *(*ErrorString)(nvmlReturn_t);
        nvmlReturn_t (*SystemGetDriverVersion)(char *, unsigned int);
        nvmlReturn_t (*SystemGetCudaDriverVersion_v2)(int *); /* optional */
        nvmlReturn_t (*SystemGetCudaDriverVersion)(int *);    /* optional */
        nvmlReturn_t (*SystemGetProcessName)(unsigned int, char *, unsigned int);
        nvmlReturn_t (*DeviceGetCount)(unsigned int *);
        nvmlReturn_t (*DeviceGetHandleByIndex)(unsigned int, nvmlDevice_t *);
        nvmlReturn_t (*DeviceGetUUID)(nvmlDevice_t, char *, unsigned int);
        nvmlReturn_t (*DeviceGetMinorNumber)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetPciInfo)(nvmlDevice_t, nvmlPciInfo_t *);
        nvmlReturn_t (*DeviceGetName)(nvmlDevice_t, char *, unsigned int);
        nvmlReturn_t (*DeviceGetPowerManagementLimit)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetBAR1MemoryInfo)(nvmlDevice_t, nvmlBAR1Memory_t *);
        nvmlReturn_t (*DeviceGetMaxPcieLinkGeneration)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetMaxPcieLinkWidth)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetMaxClockInfo)(nvmlDevice_t, int, unsigned int *);
        nvmlReturn_t (*DeviceGetTopologyCommonAncestor)(nvmlDevice_t, nvmlDevice_t,
                                                        int *); /* optional */
        nvmlReturn_t (*DeviceGetPowerUsage)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetTemperature)(nvmlDevice_t, int, unsigned int *);
        nvmlReturn_t (*DeviceGetUtilizationRates)(nvmlDevice_t, nvmlUtilization_t *);
        nvmlReturn_t (*DeviceGetEncoderUtilization)(nvmlDevice_t, unsigned int *, unsigned int *);
        nvmlReturn_t (*DeviceGetDecoderUtilization)(nvmlDevice_t, unsigned int *, unsigned int *);
        nvmlReturn_t (*DeviceGetMemoryInfo)(nvmlDevice_t, nvmlMemory_t *);
        nvmlReturn_t (*DeviceGetClockInfo)(nvmlDevice_t, int, unsigned int *);
        /* Exactly one of the two is set: the unversioned one is preferred. */
        nvmlReturn_t (*DeviceGetComputeRunningProcesses_v1)(nvmlDevice_t, unsigned int *,
                                                            nvmlProcessInfo_v1_t *);
        nvmlReturn_t (*DeviceGetComputeRunningProcesses_v3)(nvmlDevice_t, unsigned int *,
                                                            nvmlProcessInfo_v2_t *);
        nvmlReturn_t (*DeviceGetMemoryErrorCounter)(nvmlDevice_t, int, int, int,
                                                    unsigned long long *);
        nvmlReturn_t (*DeviceGetPcieThroughput)(nvmlDevice_t, int, unsigned int *);
        /* MIG (optional as a group, see above). On a MIG device handle, DeviceGetUUID gives
         * its "MIG-..." UUID and DeviceGetMemoryInfo the memory of its GPU instance. */
        bool mig;
        nvmlReturn_t (*DeviceGetMigMode)(nvmlDevice_t, unsigned int *current,
                                         unsigned int *pending);
        nvmlReturn_t (*DeviceGetMaxMigDeviceCount)(nvmlDevice_t, unsigned int *);
        /* NOT_FOUND where no MIG device has that index (indexes may have gaps). */
        nvmlReturn_t (*DeviceGetMigDeviceHandleByIndex)(nvmlDevice_t, unsigned int, nvmlDevice_t *);
        nvmlReturn_t (*DeviceGetGpuInstanceId)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetComputeInstanceId)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*DeviceGetDeviceHandleFromMigDeviceHandle)(nvmlDevice_t,
                                                                 nvmlDevice_t *); /* optional */
        int initialized;
};

/* Loads the library, resolves the functions and calls nvmlInit_v2. */
int nvml_open(struct nvml *nvml, struct error *err);
/* nvmlShutdown (if initialised) and dlclose; safe on a zeroed or closed struct. */
void nvml_close(struct nvml *nvml);
/* NVML's own text for a return code ("Unknown Error"), never NULL. */
const char *nvml_error_string(const struct nvml *nvml, nvmlReturn_t ret);
/* Sets err to "nvml: <text>" (1.0's wording) and returns -1. */
int nvml_set_error(const struct nvml *nvml, nvmlReturn_t ret, struct error *err);
/* A value query's answer: 1 success, 0 NOT_SUPPORTED (the caller leaves the field null), else
 * -1 with err "<call>: nvml: <text>". */
int nvml_check(const struct nvml *nvml, nvmlReturn_t ret, const char *call, struct error *err);

#endif
