/*
 * libFuzzer target: the parsers of the NVIDIA driver's MIG files (mig_caps) over arbitrary
 * bytes, not NUL-terminated (a read past the input is caught by ASan). The first byte picks the
 * parser: 0 an access file, 1 mig-minors (the next three bytes pick the GPU, GPU instance and
 * compute instance looked up), 2 /proc/devices. Also checks what a success promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/mig_caps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 4)
                return 0;
        unsigned int gpu = data[1] % 33, gi = data[2] % 16;
        int ci = data[3] % 9 - 1;
        /* An exact-size copy: the parsers get a length, never a terminator. */
        size_t len = size - 4;
        char *text = xmalloc(len ? len : 1);
        memcpy(text, data + 4, len);
        switch (data[0] % 3) {
        case 0: {
                struct mig_cap_access a;
                struct error err = ERROR_INIT;
                if (mig_caps_parse_access(text, len, &a, &err) == 0) {
                        if (a.minor > MIG_CAPS_MINOR_MAX || a.mode > 0777 || err.message != NULL)
                                abort();
                } else if (err.message == NULL) {
                        abort();
                }
                error_clear(&err);
                break;
        }
        case 1: {
                unsigned int minor = 0;
                if (mig_caps_find_minor(text, len, gpu, gi, ci, &minor)) {
                        char name[64];
                        if (ci < 0)
                                snprintf(name, sizeof(name), "gpu%u/gi%u/access", gpu, gi);
                        else
                                snprintf(name, sizeof(name), "gpu%u/gi%u/ci%d/access", gpu, gi, ci);
                        if (minor > MIG_CAPS_MINOR_MAX ||
                            memmem(text, len, name, strlen(name)) == NULL)
                                abort();
                }
                break;
        }
        default: {
                unsigned int major = 0;
                if (mig_caps_find_major(text, len, "nvidia-caps", &major) &&
                    (major > 0xfff || memmem(text, len, "nvidia-caps", 11) == NULL))
                        abort();
                break;
        }
        }
        free(text);
        return 0;
}
