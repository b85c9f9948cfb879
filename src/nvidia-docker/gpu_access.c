#include "nvidia-docker/gpu_access.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum gpu_access gpu_access_check(const char *path)
{
        if (access(path, R_OK | W_OK) == 0)
                return GPU_ACCESS_ALLOWED;
        if (errno == EPERM)
                return GPU_ACCESS_DENIED;
        if (errno == ENOENT || errno == ENOTDIR)
                return GPU_ACCESS_MISSING;
        return GPU_ACCESS_ALLOWED; /* EACCES and the like: not a confinement */
}

static bool digits_after(const char *s, const char *prefix)
{
        size_t n = strlen(prefix);
        if (strncmp(s, prefix, n) != 0 || s[n] == '\0')
                return false;
        for (s += n; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

bool gpu_access_is_gpu_node(const char *path)
{
        return digits_after(path, "/dev/nvidia");
}

void gpu_access_check_all(const struct strv *paths, bool *allowed, bool *confined)
{
        bool any_present = false, any_refused = false;
        for (size_t i = 0; i < paths->count; i++) {
                enum gpu_access a = gpu_access_check(paths->items[i]);
                allowed[i] = a == GPU_ACCESS_ALLOWED;
                any_present |= a != GPU_ACCESS_MISSING;
                any_refused |= a != GPU_ACCESS_ALLOWED;
        }
        if (!any_present) {
                /* No GPU node in sight: not a confined caller, just another view of /dev. */
                for (size_t i = 0; i < paths->count; i++)
                        allowed[i] = true;
        }
        *confined = any_present && any_refused;
}

bool gpu_access_cuda_uuids(const char *cuda_visible_devices, struct strv *out)
{
        if (cuda_visible_devices == NULL)
                return false;
        struct strv items = STRV_INIT;
        strv_split(&items, cuda_visible_devices, ", ");
        bool uuids = items.count > 0;
        for (size_t i = 0; i < items.count && uuids; i++)
                uuids = (strncmp(items.items[i], "GPU-", 4) == 0 ||
                         strncmp(items.items[i], "MIG-", 4) == 0) &&
                        items.items[i][4] != '\0';
        if (uuids)
                for (size_t i = 0; i < items.count; i++)
                        strv_push(out, items.items[i]);
        strv_destroy(&items);
        return uuids;
}
