#include "nvidia-docker-plugin/device_select.h"

#include <ctype.h>
#include <string.h>

#include "common/xalloc.h"

/* Decimal index with optional sign and leading zeros; -1 if not a number or out of range. */
static long long parse_index(const char *item, int *is_number)
{
        const char *p = item;
        int negative = 0;
        *is_number = 0;
        if (*p == '+' || *p == '-')
                negative = *p++ == '-';
        if (*p == '\0')
                return -1;
        long long value = 0;
        for (; *p; p++) {
                if (!isdigit((unsigned char)*p))
                        return -1;
                if (value < 100000000)
                        value = value * 10 + (*p - '0');
        }
        *is_number = 1;
        return negative && value != 0 ? -1 : value;
}

/* The UUIDs starting with `prefix` among the GPUs ("GPU-...") or MIG devices ("MIG-..."). The
 * prefix's own first four characters keep the two kinds apart. */
static size_t match_uuid(const struct gpu_inventory *inv, const char *prefix,
                         struct device_choice *first, struct strv *candidates)
{
        size_t len = strlen(prefix), matches = 0;
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_device *d = &inv->devices[i];
                if (strncmp(d->uuid, prefix, len) == 0) {
                        if (matches++ == 0)
                                *first = (struct device_choice){i, NULL};
                        if (candidates)
                                strv_push(candidates, d->uuid);
                }
                for (size_t m = 0; m < d->mig_count; m++) {
                        if (strncmp(d->migs[m].uuid, prefix, len) != 0)
                                continue;
                        if (matches++ == 0)
                                *first = (struct device_choice){i, &d->migs[m]};
                        if (candidates)
                                strv_push(candidates, d->migs[m].uuid);
                }
        }
        return matches;
}

/* "G:M": MIG device of NVML MIG index M on the GPU of index G. */
static int select_mig_index(const struct gpu_inventory *inv, const char *item, const char *colon,
                            struct device_choice *out, struct error *err)
{
        cleanup_free char *gpu_text = xstrndup(item, (size_t)(colon - item));
        int gpu_number, mig_number;
        long long gpu = parse_index(gpu_text, &gpu_number);
        long long mig = parse_index(colon + 1, &mig_number);
        if (!gpu_number || !mig_number || gpu < 0 || mig < 0 ||
            (unsigned long long)gpu >= inv->count)
                return error_set(err, "invalid device: %s", item);
        const struct gpu_device *d = &inv->devices[gpu];
        if (!d->mig_enabled)
                return error_set(err, "invalid device: %s (GPU %lld is not in MIG mode)", item,
                                 gpu);
        const struct gpu_mig_device *found =
            mig > UINT32_MAX ? NULL : gpu_inventory_find_mig(inv, (size_t)gpu, (unsigned int)mig);
        if (found == NULL) {
                struct strv known = STRV_INIT;
                for (size_t m = 0; m < d->mig_count; m++)
                        strv_pushf(&known, "%lld:%u", gpu, d->migs[m].index);
                cleanup_free char *list = strv_join(&known, ", ");
                strv_destroy(&known);
                return error_set(err, "invalid device: %s (GPU %lld has %s%s)", item, gpu,
                                 d->mig_count ? "the MIG devices " : "no MIG device",
                                 d->mig_count ? list : "");
        }
        *out = (struct device_choice){(size_t)gpu, found};
        return 0;
}

static int select_one(const struct gpu_inventory *inv, const char *item, struct device_choice *out,
                      struct error *err)
{
        int is_number;
        long long n = parse_index(item, &is_number);
        if (is_number) {
                if (n < 0 || (unsigned long long)n >= inv->count)
                        return error_set(err, "invalid device: %s", item);
                *out = (struct device_choice){(size_t)n, NULL};
                return 0;
        }
        const char *colon = strchr(item, ':');
        if (colon != NULL && (isdigit((unsigned char)item[0]) || item[0] == '+'))
                return select_mig_index(inv, item, colon, out, err);
        if (strncmp(item, "GPU-", 4) != 0 && strncmp(item, "MIG-", 4) != 0)
                return error_set(err, "invalid device: %s", item);
        size_t matches = match_uuid(inv, item, out, NULL);
        if (matches == 0)
                return error_set(err, "invalid device: %s", item);
        if (matches > 1) {
                struct strv candidates = STRV_INIT;
                match_uuid(inv, item, out, &candidates);
                cleanup_free char *list = strv_join(&candidates, ", ");
                strv_destroy(&candidates);
                return error_set(err, "invalid device: %s (ambiguous: %s)", item, list);
        }
        return 0;
}

int device_select_parse(const struct gpu_inventory *inv, const char *dev,
                        struct device_choice **out, size_t *count, struct error *err)
{
        size_t capacity = inv->count + 1, n = 0;
        cleanup_free struct device_choice *chosen = xcalloc(capacity, sizeof(*chosen));
        if (dev == NULL || dev[0] == '\0' || strcmp(dev, "*") == 0) {
                for (size_t i = 0; i < inv->count; i++)
                        chosen[n++] = (struct device_choice){i, NULL};
        } else if (strcmp(dev, "none") == 0) {
                /* No GPU: the control devices and the volumes only (NVIDIA's `none`). */
        } else {
                cleanup_free char *copy = xstrdup(dev);
                char *rest = copy;
                for (;;) {
                        char *space = strchr(rest, ' ');
                        if (space != NULL)
                                *space = '\0';
                        struct device_choice choice;
                        if (select_one(inv, rest, &choice, err) < 0)
                                return -1;
                        int seen = 0;
                        for (size_t i = 0; i < n; i++)
                                seen |= chosen[i].gpu == choice.gpu && chosen[i].mig == choice.mig;
                        if (!seen) {
                                if (n + 1 == capacity) {
                                        capacity *= 2;
                                        chosen = xrealloc(chosen, capacity * sizeof(*chosen));
                                }
                                chosen[n++] = choice;
                        }
                        if (space == NULL)
                                break;
                        rest = space + 1;
                }
        }
        *count = n;
        *out = steal_pointer(&chosen);
        return 0;
}
