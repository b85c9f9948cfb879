#include "nvidia-docker/cdi_devices.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"

#define LISTED_GPUS_MAX 16

/* "this host has GPUs 0 (GPU-…, Model), 1 (GPU-…)", as for docker (plugin_client). */
static char *gpu_list(const struct gpu_info_answer *info)
{
        struct buf list = BUF_INIT;
        buf_puts(&list, info->uuids.count == 0 ? "this host has no GPUs" : "this host has GPUs ");
        for (size_t i = 0; i < info->uuids.count && i < LISTED_GPUS_MAX; i++) {
                const char *model = i < info->models.count ? info->models.items[i] : "";
                buf_printf(&list, "%s%zu (%s%s%s)", i ? ", " : "", i, info->uuids.items[i],
                           model[0] ? ", " : "", model);
        }
        if (info->uuids.count > LISTED_GPUS_MAX)
                buf_printf(&list, ", ... (%zu in all)", info->uuids.count);
        return buf_steal(&list);
}

static bool all_digits(const char *s)
{
        if (*s == '\0')
                return false;
        for (; *s != '\0'; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* The spec's name for one item, owned; NULL with err when the machine has no such GPU.
 * *index: the GPU's index when the item names a whole GPU, else SIZE_MAX. */
static char *device_name(const char *item, const struct gpu_info_answer *info, const char *what,
                         size_t *index_out, struct error *err)
{
        *index_out = SIZE_MAX;
        if (strcmp(item, "none") == 0)
                return xstrdup("none");
        if (all_digits(item)) {
                char *end = NULL;
                unsigned long index = strtoul(item, &end, 10);
                if (index < info->uuids.count) {
                        *index_out = index;
                        return xasprintf("%lu", index);
                }
        } else if (strncmp(item, "GPU-", 4) == 0) {
                size_t len = strlen(item), found = 0, match = 0;
                for (size_t i = 0; i < info->uuids.count; i++)
                        if (strncmp(info->uuids.items[i], item, len) == 0) {
                                if (found++ == 0)
                                        match = i;
                        }
                if (found == 1) {
                        *index_out = match;
                        return xstrdup(info->uuids.items[match]);
                }
                if (found > 1) {
                        struct buf names = BUF_INIT;
                        for (size_t i = 0; i < info->uuids.count; i++)
                                if (strncmp(info->uuids.items[i], item, len) == 0)
                                        buf_printf(&names, "%s%s", names.len ? ", " : "",
                                                   info->uuids.items[i]);
                        cleanup_free char *text = buf_steal(&names);
                        error_set(err, "%s: invalid device: %s (ambiguous: %s)", what, item, text);
                        return NULL;
                }
        } else if (strncmp(item, "MIG-", 4) == 0 || strchr(item, ':') != NULL) {
                return xstrdup(item);
        }
        cleanup_free char *list = gpu_list(info);
        error_set(err, "%s: invalid device: %s; %s", what, item, list);
        return NULL;
}

int cdi_devices_options(bool all, const struct strv *items, const struct gpu_info_answer *info,
                        const char *what, struct strv *out, struct strv *nodes, struct error *err)
{
        struct strv names = STRV_INIT;
        if (all || items == NULL || items->count == 0) {
                strv_push(&names, "all");
        } else {
                for (size_t i = 0; i < items->count; i++) {
                        size_t index;
                        char *name = device_name(items->items[i], info, what, &index, err);
                        if (name == NULL) {
                                strv_destroy(&names);
                                return -1;
                        }
                        if (nodes != NULL && index < info->paths.count)
                                strv_push(nodes, info->paths.items[index]);
                        bool seen = false;
                        for (size_t j = 0; j < names.count && !seen; j++)
                                seen = strcmp(names.items[j], name) == 0;
                        if (seen)
                                free(name);
                        else
                                strv_push_owned(&names, name);
                }
        }
        for (size_t i = 0; i < names.count; i++)
                strv_pushf(out, "--device=" CDI_DEVICES_KIND "=%s", names.items[i]);
        strv_destroy(&names);
        return 0;
}
