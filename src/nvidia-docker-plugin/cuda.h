/*
 * cuda: the CUDA driver API (libcuda.so.1), opened at run time for the device properties that
 * NVML does not give (compute capability, SM count, shared/constant memory, L2 size, memory
 * bus width and clock, ECC, peer access). Like nvml, own declarations and typed dlsym(); no
 * context is created, so no GPU memory is used.
 */
#ifndef NVD_CUDA_H
#define NVD_CUDA_H

#include <stddef.h>

#include "common/error.h"

typedef int CUresult;
typedef int CUdevice;

enum {
        CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY = 9,
        CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
        CU_DEVICE_ATTRIBUTE_ECC_ENABLED = 32,
        CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36,       /* kHz */
        CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37, /* bits */
        CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38,
        CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
        CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
        CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81,
};

struct cuda {
        void *library;
        CUresult (*Init)(unsigned int);
        CUresult (*DriverGetVersion)(int *);
        CUresult (*DeviceGetByPCIBusId)(CUdevice *, const char *);
        CUresult (*DeviceGetAttribute)(int *, int, CUdevice);
        CUresult (*DeviceTotalMem)(size_t *, CUdevice);
        CUresult (*DeviceCanAccessPeer)(int *, CUdevice, CUdevice);
        CUresult (*GetErrorString)(CUresult, const char **); /* optional */
};

/* Loads libcuda.so.1, resolves the functions, calls cuInit(0). */
int cuda_open(struct cuda *cuda, struct error *err);
void cuda_close(struct cuda *cuda);
/* Sets err to "cuda: <text> (<call>)" and returns -1. */
int cuda_set_error(const struct cuda *cuda, CUresult ret, const char *call, struct error *err);

#endif
