// Lists the CUDA devices a process sees, in CUDA's numbering: "cuda <n> <uuid> <pci bus id>",
// and runs a small kernel on each ("kernel <n> OK"). For tests/gpu/multi.sh: which GPUs a
// container got, in which order CUDA numbers them, and that each one computes.
#include <cstdio>
#include <cuda_runtime.h>

__global__ void fill(int *out, int value)
{
        out[threadIdx.x] = value + (int)threadIdx.x;
}

int main()
{
        int count = 0;
        cudaError_t e = cudaGetDeviceCount(&count);
        if (e != cudaSuccess) {
                fprintf(stderr, "cuda_ids: cudaGetDeviceCount: %s\n", cudaGetErrorString(e));
                return 1;
        }
        int failures = 0;
        for (int d = 0; d < count; d++) {
                cudaDeviceProp p;
                cudaGetDeviceProperties(&p, d);
                char bus[32];
                cudaDeviceGetPCIBusId(bus, sizeof(bus), d);
                printf("cuda %d GPU-", d);
                const unsigned char *u = (const unsigned char *)p.uuid.bytes;
                for (int i = 0; i < 16; i++)
                        printf("%02x%s", u[i], (i == 3 || i == 5 || i == 7 || i == 9) ? "-" : "");
                printf(" %s\n", bus);
                cudaSetDevice(d);
                int *buf = nullptr, host[64];
                if (cudaMalloc(&buf, sizeof(host)) != cudaSuccess) {
                        failures++;
                        continue;
                }
                fill<<<1, 64>>>(buf, 1000 * d);
                cudaMemcpy(host, buf, sizeof(host), cudaMemcpyDeviceToHost);
                bool ok = cudaGetLastError() == cudaSuccess;
                for (int i = 0; i < 64 && ok; i++)
                        ok = host[i] == 1000 * d + i;
                cudaFree(buf);
                printf("kernel %d %s\n", d, ok ? "OK" : "FAILED");
                failures += !ok;
        }
        return failures ? 1 : 0;
}
