#include "nvidia-docker-plugin/cuda.h"

#include <dlfcn.h>
#include <string.h>

#define CUDA_LIBRARY "libcuda.so.1"

static int cuda_resolve(struct cuda *cuda, void *slot, const char *name, int required,
                        struct error *err)
{
        void *symbol = dlsym(cuda->library, name);
        memcpy(slot, &symbol, sizeof(symbol));
        if (symbol == NULL && required)
                return error_set(err, "%s has no symbol %s (driver too old?)", CUDA_LIBRARY, name);
        return 0;
}

int cuda_open(struct cuda *cuda, struct error *err)
{
        memset(cuda, 0, sizeof(*cuda));
        dlerror();
        cuda->library = dlopen(CUDA_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (cuda->library == NULL) {
                const char *why = dlerror();
                return error_set(err, "could not load the CUDA driver library: %s",
                                 why ? why : CUDA_LIBRARY);
        }
        if (cuda_resolve(cuda, &cuda->Init, "cuInit", 1, err) < 0 ||
            cuda_resolve(cuda, &cuda->DriverGetVersion, "cuDriverGetVersion", 1, err) < 0 ||
            cuda_resolve(cuda, &cuda->DeviceGetByPCIBusId, "cuDeviceGetByPCIBusId", 1, err) < 0 ||
            cuda_resolve(cuda, &cuda->DeviceGetAttribute, "cuDeviceGetAttribute", 1, err) < 0 ||
            cuda_resolve(cuda, &cuda->DeviceTotalMem, "cuDeviceTotalMem_v2", 1, err) < 0 ||
            cuda_resolve(cuda, &cuda->DeviceCanAccessPeer, "cuDeviceCanAccessPeer", 1, err) < 0)
                goto fail;
        cuda_resolve(cuda, &cuda->GetErrorString, "cuGetErrorString", 0, err);
        CUresult ret = cuda->Init(0);
        if (ret != 0) {
                cuda_set_error(cuda, ret, "cuInit", err);
                goto fail;
        }
        return 0;
fail:
        cuda_close(cuda);
        return -1;
}

void cuda_close(struct cuda *cuda)
{
        if (cuda->library != NULL)
                dlclose(cuda->library);
        memset(cuda, 0, sizeof(*cuda));
}

int cuda_set_error(const struct cuda *cuda, CUresult ret, const char *call, struct error *err)
{
        const char *text = NULL;
        if (cuda != NULL && cuda->GetErrorString != NULL && cuda->GetErrorString(ret, &text) != 0)
                text = NULL;
        if (text != NULL)
                return error_set(err, "cuda: %s (%s)", text, call);
        return error_set(err, "cuda: error %d (%s)", ret, call);
}
