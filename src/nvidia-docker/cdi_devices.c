#include "nvidia-docker/cdi_devices.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"

#define LISTED_GPUS_MAX 16

/* "this host has GPUs 0 (GPU-…, Model), 1 (GPU-…)[; MIG devices 0:0 (MIG-…), …]", as for docker
 * (plugin_client). */
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
        for (size_t i = 0; i < info->mig_uuids.count && i < LISTED_GPUS_MAX; i++)
                buf_printf(&list, "%s%s (%s)", i ? ", " : "; MIG devices ",
                           i < info->mig_indexes.count ? info->mig_indexes.items[i] : "?",
                           info->mig_uuids.items[i]);
        if (info->mig_uuids.count > LISTED_GPUS_MAX)
                buf_printf(&list, ", ... (%zu in all)", info->mig_uuids.count);
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

/* The one entry of `names` that starts with `prefix` (its index), or SIZE_MAX with err: none
 * (err untouched), or several (named). */
static size_t unique_prefix(const struct strv *names, const char *prefix, const char *what,
                            struct error *err)
{
        size_t len = strlen(prefix), found = 0, match = SIZE_MAX;
        for (size_t i = 0; i < names->count; i++)
                if (strncmp(names->items[i], prefix, len) == 0 && found++ == 0)
                        match = i;
        if (found <= 1)
                return match;
        struct buf list = BUF_INIT;
        for (size_t i = 0; i < names->count; i++)
                if (strncmp(names->items[i], prefix, len) == 0)
                        buf_printf(&list, "%s%s", list.len ? ", " : "", names->items[i]);
        cleanup_free char *text = buf_steal(&list);
        error_set(err, "%s: invalid device: %s (ambiguous: %s)", what, prefix, text);
        return SIZE_MAX;
}

/* The spec's name for one item, owned; NULL with err when the machine has no such device.
 * *node: the GPU node the device uses (the parent's for a MIG device), for the access check. */
static char *device_name(const char *item, const struct gpu_info_answer *info, const char *what,
                         const char **node, struct error *err)
{
        *node = NULL;
        if (strcmp(item, "none") == 0)
                return xstrdup("none");
        size_t at = SIZE_MAX;
        if (all_digits(item)) {
                unsigned long index = strtoul(item, NULL, 10);
                if (index < info->uuids.count) {
                        *node = index < info->paths.count ? info->paths.items[index] : NULL;
                        return xasprintf("%lu", index);
                }
        } else if (strncmp(item, "GPU-", 4) == 0) {
                at = unique_prefix(&info->uuids, item, what, err);
                if (at != SIZE_MAX) {
                        *node = at < info->paths.count ? info->paths.items[at] : NULL;
                        return xstrdup(info->uuids.items[at]);
                }
        } else if (strncmp(item, "MIG-", 4) == 0) {
                at = unique_prefix(&info->mig_uuids, item, what, err);
                if (at != SIZE_MAX) {
                        *node = at < info->mig_paths.count ? info->mig_paths.items[at] : NULL;
                        return xstrdup(info->mig_uuids.items[at]);
                }
        } else if (strchr(item, ':') != NULL) {
                for (size_t i = 0; i < info->mig_indexes.count && at == SIZE_MAX; i++)
                        if (strcmp(info->mig_indexes.items[i], item) == 0)
                                at = i;
                if (at != SIZE_MAX) {
                        *node = at < info->mig_paths.count ? info->mig_paths.items[at] : NULL;
                        return xstrdup(item);
                }
        }
        if (error_is_set(err))
                return NULL;
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
                        const char *node;
                        char *name = device_name(items->items[i], info, what, &node, err);
                        if (name == NULL) {
                                strv_destroy(&names);
                                return -1;
                        }
                        bool seen = false;
                        for (size_t j = 0; j < names.count && !seen; j++)
                                seen = strcmp(names.items[j], name) == 0;
                        if (seen) {
                                free(name);
                                continue;
                        }
                        strv_push_owned(&names, name);
                        if (nodes != NULL && node != NULL)
                                strv_push(nodes, node);
                }
        }
        for (size_t i = 0; i < names.count; i++)
                strv_pushf(out, "--device=" CDI_DEVICES_KIND "=%s", names.items[i]);
        strv_destroy(&names);
        return 0;
}
