// Vector addition on the GPU, checked on the host: the CUDA kernel the end-to-end test runs
// inside a container started by nvidia-docker. Prints "vector_add: OK n=<n> on <device>".
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cuda_runtime.h>

__global__ void add(const float *a, const float *b, float *c, int n)
{
        int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n)
                c[i] = a[i] + b[i];
}

#define CHECK(call)                                                                                \
        do {                                                                                       \
                cudaError_t e_ = (call);                                                           \
                if (e_ != cudaSuccess) {                                                           \
                        fprintf(stderr, "vector_add: %s: %s\n", #call, cudaGetErrorString(e_));   \
                        return 1;                                                                  \
                }                                                                                  \
        } while (0)

int main()
{
        const int n = 1 << 20;
        size_t bytes = n * sizeof(float);
        float *a = (float *)malloc(bytes), *b = (float *)malloc(bytes), *c = (float *)malloc(bytes);
        for (int i = 0; i < n; i++) {
                a[i] = (float)i;
                b[i] = 2.0f * (float)(n - i);
        }
        int count = 0;
        CHECK(cudaGetDeviceCount(&count));
        cudaDeviceProp prop;
        CHECK(cudaGetDeviceProperties(&prop, 0));
        float *da, *db, *dc;
        CHECK(cudaMalloc(&da, bytes));
        CHECK(cudaMalloc(&db, bytes));
        CHECK(cudaMalloc(&dc, bytes));
        CHECK(cudaMemcpy(da, a, bytes, cudaMemcpyHostToDevice));
        CHECK(cudaMemcpy(db, b, bytes, cudaMemcpyHostToDevice));
        add<<<(n + 255) / 256, 256>>>(da, db, dc, n);
        CHECK(cudaGetLastError());
        CHECK(cudaMemcpy(c, dc, bytes, cudaMemcpyDeviceToHost));
        for (int i = 0; i < n; i++) {
                float want = (float)i + 2.0f * (float)(n - i);
                if (fabsf(c[i] - want) > 1e-3f * fabsf(want)) {
                        fprintf(stderr, "vector_add: wrong result at %d: %f != %f\n", i, c[i], want);
                        return 1;
                }
        }
        printf("vector_add: OK n=%d on %s (%d visible GPU%s)\n", n, prop.name, count,
               count == 1 ? "" : "s");
        cudaFree(da);
        cudaFree(db);
        cudaFree(dc);
        free(a);
        free(b);
        free(c);
        return 0;
}
