#include "nvidia-docker-plugin/nvml.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define NVML_LIBRARY "libnvidia-ml.so.1"

/* Resolves `name` into `*slot`; a required symbol that is missing fails the open. */
static int nvml_resolve(struct nvml *nvml, void *slot, const char *name, int required,
                        struct error *err)
{
        void *symbol = dlsym(nvml->library, name);
        memcpy(slot, &symbol, sizeof(symbol));
        if (symbol == NULL && required)
                return error_set(err, "%s has no symbol %s (driver too old or not an NVML library)",
                                 NVML_LIBRARY, name);
        return 0;
}

#define REQUIRED(field, name)                                                                      \
        do {                                                                                       \
                if (nvml_resolve(nvml, &nvml->field, name, 1, err) < 0)                            \
                        goto fail;                                                                 \
        } while (0)
#define OPTIONAL(field, name) nvml_resolve(nvml, &nvml->field, name, 0, err)

int nvml_open(struct nvml *nvml, struct error *err)
{
        memset(nvml, 0, sizeof(*nvml));
        dlerror();
        nvml->library = dlopen(NVML_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (nvml->library == NULL) {
                const char *why = dlerror();
                return error_set(err,
                                 "could not load NVML library: %s; is the NVIDIA driver "
                                 "installed and %s in the library search path?",
                                 why ? why : NVML_LIBRARY, NVML_LIBRARY);
        }
        REQUIRED(Init, "nvmlInit_v2");
        REQUIRED(Shutdown, "nvmlShutdown");
        REQUIRED(ErrorString, "nvmlErrorString");
        REQUIRED(SystemGetDriverVersion, "nvmlSystemGetDriverVersion");
        OPTIONAL(SystemGetCudaDriverVersion_v2, "nvmlSystemGetCudaDriverVersion_v2");
        OPTIONAL(SystemGetCudaDriverVersion, "nvmlSystemGetCudaDriverVersion");
        REQUIRED(SystemGetProcessName, "nvmlSystemGetProcessName");
        REQUIRED(DeviceGetCount, "nvmlDeviceGetCount_v2");
        REQUIRED(DeviceGetHandleByIndex, "nvmlDeviceGetHandleByIndex_v2");
        REQUIRED(DeviceGetUUID, "nvmlDeviceGetUUID");
        REQUIRED(DeviceGetMinorNumber, "nvmlDeviceGetMinorNumber");
        /* _v3 and _v2 share the struct; _v3 fills busId with an 8-digit domain, both fill
         * busIdLegacy, which is what 1.0 reports. */
        OPTIONAL(DeviceGetPciInfo, "nvmlDeviceGetPciInfo_v3");
        if (nvml->DeviceGetPciInfo == NULL)
                REQUIRED(DeviceGetPciInfo, "nvmlDeviceGetPciInfo_v2");
        REQUIRED(DeviceGetName, "nvmlDeviceGetName");
        REQUIRED(DeviceGetPowerManagementLimit, "nvmlDeviceGetPowerManagementLimit");
        REQUIRED(DeviceGetBAR1MemoryInfo, "nvmlDeviceGetBAR1MemoryInfo");
        REQUIRED(DeviceGetMaxPcieLinkGeneration, "nvmlDeviceGetMaxPcieLinkGeneration");
        REQUIRED(DeviceGetMaxPcieLinkWidth, "nvmlDeviceGetMaxPcieLinkWidth");
        REQUIRED(DeviceGetMaxClockInfo, "nvmlDeviceGetMaxClockInfo");
        OPTIONAL(DeviceGetTopologyCommonAncestor, "nvmlDeviceGetTopologyCommonAncestor");
        REQUIRED(DeviceGetPowerUsage, "nvmlDeviceGetPowerUsage");
        REQUIRED(DeviceGetTemperature, "nvmlDeviceGetTemperature");
        REQUIRED(DeviceGetUtilizationRates, "nvmlDeviceGetUtilizationRates");
        REQUIRED(DeviceGetEncoderUtilization, "nvmlDeviceGetEncoderUtilization");
        REQUIRED(DeviceGetDecoderUtilization, "nvmlDeviceGetDecoderUtilization");
        REQUIRED(DeviceGetMemoryInfo, "nvmlDeviceGetMemoryInfo");
        REQUIRED(DeviceGetClockInfo, "nvmlDeviceGetClockInfo");
        OPTIONAL(DeviceGetComputeRunningProcesses_v1, "nvmlDeviceGetComputeRunningProcesses");
        if (nvml->DeviceGetComputeRunningProcesses_v1 == NULL)
                REQUIRED(DeviceGetComputeRunningProcesses_v3,
                         "nvmlDeviceGetComputeRunningProcesses_v3");
        REQUIRED(DeviceGetMemoryErrorCounter, "nvmlDeviceGetMemoryErrorCounter");
        REQUIRED(DeviceGetPcieThroughput, "nvmlDeviceGetPcieThroughput");
        OPTIONAL(DeviceGetMigMode, "nvmlDeviceGetMigMode");
        OPTIONAL(DeviceGetMaxMigDeviceCount, "nvmlDeviceGetMaxMigDeviceCount");
        OPTIONAL(DeviceGetMigDeviceHandleByIndex, "nvmlDeviceGetMigDeviceHandleByIndex");
        OPTIONAL(DeviceGetGpuInstanceId, "nvmlDeviceGetGpuInstanceId");
        OPTIONAL(DeviceGetComputeInstanceId, "nvmlDeviceGetComputeInstanceId");
        OPTIONAL(DeviceGetDeviceHandleFromMigDeviceHandle,
                 "nvmlDeviceGetDeviceHandleFromMigDeviceHandle");
        nvml->mig = nvml->DeviceGetMigMode != NULL && nvml->DeviceGetMaxMigDeviceCount != NULL &&
                    nvml->DeviceGetMigDeviceHandleByIndex != NULL &&
                    nvml->DeviceGetGpuInstanceId != NULL &&
                    nvml->DeviceGetComputeInstanceId != NULL;
        if (!nvml->mig) {
                nvml->DeviceGetMigMode = NULL;
                nvml->DeviceGetMaxMigDeviceCount = NULL;
                nvml->DeviceGetMigDeviceHandleByIndex = NULL;
                nvml->DeviceGetGpuInstanceId = NULL;
                nvml->DeviceGetComputeInstanceId = NULL;
                nvml->DeviceGetDeviceHandleFromMigDeviceHandle = NULL;
        }

        nvmlReturn_t ret = nvml->Init();
        if (ret != NVML_SUCCESS) {
                nvml_set_error(nvml, ret, err);
                error_prefix(err, "could not initialise NVML (nvmlInit_v2)");
                goto fail;
        }
        nvml->initialized = 1;
        return 0;
fail:
        nvml_close(nvml);
        return -1;
}

void nvml_close(struct nvml *nvml)
{
        if (nvml->initialized && nvml->Shutdown != NULL)
                nvml->Shutdown();
        if (nvml->library != NULL)
                dlclose(nvml->library);
        memset(nvml, 0, sizeof(*nvml));
}

const char *nvml_error_string(const struct nvml *nvml, nvmlReturn_t ret)
{
        const char *text = NULL;
        if (nvml != NULL && nvml->ErrorString != NULL)
                text = nvml->ErrorString(ret);
        return text != NULL ? text : "Unknown Error";
}

int nvml_set_error(const struct nvml *nvml, nvmlReturn_t ret, struct error *err)
{
        return error_set(err, "nvml: %s", nvml_error_string(nvml, ret));
}

int nvml_check(const struct nvml *nvml, nvmlReturn_t ret, const char *call, struct error *err)
{
        if (ret == NVML_SUCCESS)
                return 1;
        if (ret == NVML_ERROR_NOT_SUPPORTED)
                return 0;
        nvml_set_error(nvml, ret, err);
        error_prefix(err, "%s", call);
        return -1;
}
