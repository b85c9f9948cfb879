/* video_probe: the video engines' libraries load and answer: libnvidia-encode.so.1's
 * NvEncodeAPIGetMaxSupportedVersion, and libnvcuvid.so.1's cuvidGetDecoderCaps for H.264 on a
 * CUDA context of GPU 0 (libcuda.so.1). dlopen only: no NVIDIA header or library at build time.
 * For tests/gpu/graphics.sh. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The few declarations needed, from NVIDIA's public Video Codec SDK API (stable ABI). */
typedef int (*encode_version_fn)(unsigned int *version);
typedef int (*cu_init_fn)(unsigned int flags);
typedef int (*cu_device_get_fn)(int *device, int ordinal);
typedef int (*cu_ctx_create_fn)(void **ctx, unsigned int flags, int device);
typedef int (*cu_ctx_destroy_fn)(void *ctx);
struct cuvid_decode_caps { /* CUVIDDECODECAPS */
        int eCodecType, eChromaFormat;
        unsigned int nBitDepthMinus8;
        unsigned int reserved1[3];
        unsigned char bIsSupported, nNumNVDECs;
        unsigned short nOutputFormatMask;
        unsigned int nMaxWidth, nMaxHeight, nMaxMBCount;
        unsigned short nMinWidth, nMinHeight;
        unsigned char bIsHistogramSupported, nCounterBitDepth;
        unsigned short nMaxHistogramBins;
        unsigned int reserved3[10];
};
typedef int (*decoder_caps_fn)(struct cuvid_decode_caps *caps);

int main(void)
{
        int failed = 0;
        void *enc = dlopen("libnvidia-encode.so.1", RTLD_NOW);
        encode_version_fn version =
            enc ? (encode_version_fn)dlsym(enc, "NvEncodeAPIGetMaxSupportedVersion") : NULL;
        unsigned int v = 0;
        if (version != NULL && version(&v) == 0) {
                printf("video: NVENC API %u.%u\n", v >> 4, v & 0xf);
        } else {
                printf("video: NVENC failed: %s\n",
                       enc ? "NvEncodeAPIGetMaxSupportedVersion" : dlerror());
                failed = 1;
        }
        void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
        void *dec = dlopen("libnvcuvid.so.1", RTLD_NOW);
        if (cuda == NULL || dec == NULL) {
                printf("video: NVDEC failed: %s\n", dlerror());
                return 1;
        }
        cu_init_fn cu_init = (cu_init_fn)dlsym(cuda, "cuInit");
        cu_device_get_fn device_get = (cu_device_get_fn)dlsym(cuda, "cuDeviceGet");
        cu_ctx_create_fn ctx_create = (cu_ctx_create_fn)dlsym(cuda, "cuCtxCreate_v2");
        cu_ctx_destroy_fn ctx_destroy = (cu_ctx_destroy_fn)dlsym(cuda, "cuCtxDestroy_v2");
        decoder_caps_fn caps_fn = (decoder_caps_fn)dlsym(dec, "cuvidGetDecoderCaps");
        int device = 0;
        void *ctx = NULL;
        if (!cu_init || !device_get || !ctx_create || !caps_fn || cu_init(0) != 0 ||
            device_get(&device, 0) != 0 || ctx_create(&ctx, 0, device) != 0) {
                printf("video: NVDEC failed: no CUDA context or cuvidGetDecoderCaps missing\n");
                return 1;
        }
        struct cuvid_decode_caps caps;
        memset(&caps, 0, sizeof(caps));
        caps.eCodecType = 4;    /* cudaVideoCodec_H264 */
        caps.eChromaFormat = 1; /* cudaVideoChromaFormat_420 */
        int rc = caps_fn(&caps);
        printf("video: cuvidGetDecoderCaps(H.264 4:2:0) = %d, supported %d, %u NVDEC(s), up to "
               "%ux%u\n",
               rc, caps.bIsSupported, caps.nNumNVDECs, caps.nMaxWidth, caps.nMaxHeight);
        if (rc != 0)
                failed = 1;
        ctx_destroy(ctx);
        return failed;
}
