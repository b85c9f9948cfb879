#include "nvidia-docker-plugin/nvidia_toolkit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"

#define SYSTEM_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

bool nvidia_toolkit_present(const char *path_env)
{
        static const char *const programs[] = {"nvidia-container-runtime",
                                               "nvidia-container-runtime-hook", "nvidia-ctk"};
        const char *p = path_env != NULL && path_env[0] != '\0' ? path_env : SYSTEM_PATH;
        while (*p != '\0') {
                size_t n = strcspn(p, ":");
                for (size_t i = 0; n > 0 && i < sizeof(programs) / sizeof(programs[0]); i++) {
                        cleanup_free char *file = xasprintf("%.*s/%s", (int)n, p, programs[i]);
                        if (access(file, X_OK) == 0)
                                return true;
                }
                p += n;
                p += *p == ':';
        }
        return false;
}
