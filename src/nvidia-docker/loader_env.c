/* loader_env: see loader_env.h. */
#include "nvidia-docker/loader_env.h"

#include <string.h>

const char *const loader_env_names[LOADER_ENV_COUNT] = {
    "LD_LIBRARY_PATH",                     /* the volume's libraries */
    "__EGL_VENDOR_LIBRARY_DIRS",           /* GLVND's EGL vendor files */
    "__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS", /* libEGL_nvidia's platform files */
    "XDG_DATA_DIRS",                       /* the Vulkan loader's icd.d and layers */
};

int loader_env_index(const char *s, size_t len)
{
        for (int i = 0; i < LOADER_ENV_COUNT; i++)
                if (strlen(loader_env_names[i]) == len && memcmp(loader_env_names[i], s, len) == 0)
                        return i;
        return -1;
}
