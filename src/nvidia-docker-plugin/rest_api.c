#include "nvidia-docker-plugin/rest_api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/base64.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/compose_stanza.h"
#include "nvidia-docker-plugin/driver_caps.h"
#include "nvidia-docker-plugin/driver_files.h"
#include "nvidia-docker-plugin/text_table.h"
#include "nvidia-docker-plugin/volume_name.h"

#define TEXT_PLAIN       "text/plain; charset=utf-8"
#define APPLICATION_JSON "application/json"
#define INTERNAL_ERROR   "internal error, check logs for details\n"

/* The volume kinds /docker/cli knows; 1.0 had only the driver volume. */
static const struct volume_kind {
        const char *name;
        const char *mountpoint;
        const char *options;
} volume_kinds[] = {
    {"nvidia_driver", DRIVER_FILES_VOLUME_TARGET, "ro"}, /* driver files, read-only */
};
#define VOLUME_KIND_COUNT (sizeof(volume_kinds) / sizeof(volume_kinds[0]))

/* ---- text bodies ---- */

static char *with_unit(int64_t value, const char *unit)
{
        if (value < 0)
                return xstrdup("N/A");
        return xasprintf("%lld%s", (long long)value, unit);
}

static char *pair_with_unit(int64_t used, int64_t total, const char *unit)
{
        if (used < 0 || total < 0)
                return xstrdup("N/A");
        return xasprintf("%lld / %lld%s", (long long)used, (long long)total, unit);
}

#define ROW_UNIT(t, label, value, unit)                                                            \
        do {                                                                                       \
                cleanup_free char *v_ = with_unit(value, unit);                                    \
                text_table_row(t, label, "%s", v_);                                                \
        } while (0)

/* The MIG devices of a GPU in MIG mode, under its block (docs/rest-api.md). */
static void text_migs(struct text_table *t, size_t index, const struct gpu_device *d)
{
        if (d->mig_count == 0) {
                text_table_text(t, "  MIG Devices:  None");
                return;
        }
        text_table_text(t, "  MIG Devices");
        for (size_t m = 0; m < d->mig_count; m++) {
                const struct gpu_mig_device *mig = &d->migs[m];
                text_table_text(t, "    Device %zu:%u", index, mig->index);
                text_table_row(t, "      UUID:", "%s", mig->uuid);
                text_table_row(t, "      GPU Instance:", "%u", mig->gpu_instance);
                text_table_row(t, "      Compute Instance:", "%u", mig->compute_instance);
                ROW_UNIT(t, "      Memory:", mig->memory, " MiB");
                text_table_row(t, "      Devices:", "%s %s", mig->gi_cap.path, mig->ci_cap.path);
        }
}

void rest_api_info_text(const struct gpu_inventory *inv, const char *driver, const char *cuda,
                        struct buf *out)
{
        struct text_table t = TEXT_TABLE_INIT;
        text_table_text(&t, "%s", "");
        text_table_row(&t, "Driver version:", "%s", driver);
        text_table_row(&t, "Supported CUDA version:", "%s", cuda);
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_device *d = &inv->devices[i];
                text_table_text(&t, "%s", "");
                text_table_text(&t, "Device #%zu", i);
                text_table_row(&t, "  Model:", "%s", d->model ? d->model : "N/A");
                text_table_row(&t, "  UUID:", "%s", d->uuid);
                text_table_row(&t, "  Path:", "%s", d->path);
                text_table_row(&t, "  Family:", "%s", d->family ? d->family : "N/A");
                text_table_row(&t, "  Arch:", "%s", d->arch[0] ? d->arch : "N/A");
                ROW_UNIT(&t, "  Cores:", d->cores, "");
                ROW_UNIT(&t, "  Power:", d->power, " W");
                text_table_row(&t, "  CPU Affinity:", "NUMA node%lld", (long long)d->cpu_affinity);
                text_table_text(&t, "  PCI");
                text_table_row(&t, "    Bus ID:", "%s", d->bus_id);
                ROW_UNIT(&t, "    BAR1:", d->bar1, " MiB");
                ROW_UNIT(&t, "    Bandwidth:", d->pci_bandwidth, " MB/s");
                text_table_text(&t, "  Memory");
                text_table_row(&t, "    ECC:", "%s", d->ecc ? "true" : "false");
                ROW_UNIT(&t, "    Global:", d->memory_global, " MiB");
                ROW_UNIT(&t, "    Constant:", d->memory_constant, " KiB");
                ROW_UNIT(&t, "    Shared:", d->memory_shared, " KiB");
                ROW_UNIT(&t, "    L2 Cache:", d->memory_l2, " KiB");
                ROW_UNIT(&t, "    Bandwidth:", d->memory_bandwidth, " MB/s");
                text_table_text(&t, "  Clocks");
                ROW_UNIT(&t, "    Cores:", d->clock_cores, " MHz");
                ROW_UNIT(&t, "    Memory:", d->clock_memory, " MHz");
                if (d->peer_count == 0) {
                        text_table_row(&t, "  P2P Available:", "None");
                } else {
                        text_table_text(&t, "  P2P Available");
                        for (size_t p = 0; p < d->peer_count; p++)
                                text_table_text(&t, "    %s - %s", d->peers[p].bus_id,
                                                gpu_link_text(d->peers[p].link));
                }
                if (d->mig_enabled)
                        text_migs(&t, i, d);
        }
        text_table_text(&t, "%s", "");
        text_table_flush(&t, out);
}

void rest_api_status_text(const struct gpu_inventory *inv, const struct gpu_status *status,
                          struct buf *out)
{
        struct text_table t = TEXT_TABLE_INIT;
        text_table_text(&t, "%s", "");
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_device *d = &inv->devices[i];
                const struct gpu_status *s = &status[i];
                cleanup_free char *power = pair_with_unit(s->power, d->power, " W");
                cleanup_free char *global =
                    pair_with_unit(s->memory_used, d->memory_global, " MiB");
                cleanup_free char *bar1 = pair_with_unit(s->bar1_used, d->bar1, " MiB");
                text_table_text(&t, "Device #%zu", i);
                text_table_row(&t, "  Power:", "%s", power);
                ROW_UNIT(&t, "  Temperature:", s->temperature,
                         " \xc2\xb0"
                         "C");
                text_table_text(&t, "  Utilization");
                ROW_UNIT(&t, "    GPU:", s->util_gpu, " %");
                ROW_UNIT(&t, "    Memory:", s->util_memory, " %");
                ROW_UNIT(&t, "    Encoder:", s->util_encoder, " %");
                ROW_UNIT(&t, "    Decoder:", s->util_decoder, " %");
                text_table_text(&t, "  Memory");
                text_table_row(&t, "    Global:", "%s", global);
                text_table_text(&t, "    ECC Errors");
                ROW_UNIT(&t, "      L1 Cache:", s->ecc_l1, "");
                ROW_UNIT(&t, "      L2 Cache:", s->ecc_l2, "");
                ROW_UNIT(&t, "      Global:", s->ecc_global, "");
                text_table_text(&t, "  PCI");
                text_table_row(&t, "    BAR1:", "%s", bar1);
                text_table_text(&t, "    Throughput");
                ROW_UNIT(&t, "      RX:", s->rx, " MB/s");
                ROW_UNIT(&t, "      TX:", s->tx, " MB/s");
                text_table_text(&t, "  Clocks");
                ROW_UNIT(&t, "    Cores:", s->clock_cores, " MHz");
                ROW_UNIT(&t, "    Memory:", s->clock_memory, " MHz");
                if (s->process_count == 0) {
                        text_table_row(&t, "  Processes:", "None");
                } else {
                        text_table_text(&t, "  Processes");
                        for (size_t p = 0; p < s->process_count; p++) {
                                const struct gpu_process *proc = &s->processes[p];
                                text_table_row(&t, "    - PID:", "%u", proc->pid);
                                text_table_row(&t, "      Name:", "%s", proc->name);
                                ROW_UNIT(&t, "      Memory:", proc->memory_used, " MiB");
                        }
                }
                text_table_text(&t, "%s", "");
        }
        text_table_flush(&t, out);
}

/* ---- JSON bodies ---- */

/* ,"MIG":[...] of a GPU in MIG mode (docs/rest-api.md). */
static void json_migs(struct buf *b, size_t index, const struct gpu_device *d)
{
        buf_puts(b, ",\"MIG\":[");
        for (size_t m = 0; m < d->mig_count; m++) {
                const struct gpu_mig_device *mig = &d->migs[m];
                buf_puts(b, m ? ",{\"UUID\":" : "{\"UUID\":");
                json_append_string(b, mig->uuid);
                buf_printf(b, ",\"Index\":\"%zu:%u\",\"GPUInstance\":%u,\"ComputeInstance\":%u",
                           index, mig->index, mig->gpu_instance, mig->compute_instance);
                buf_puts(b, ",\"Memory\":");
                json_append_nullable_int(b, mig->memory);
                buf_puts(b, ",\"Devices\":[");
                json_append_string(b, mig->gi_cap.path);
                buf_puts(b, ",");
                json_append_string(b, mig->ci_cap.path);
                buf_puts(b, "]}");
        }
        buf_puts(b, "]");
}

static void json_device(struct buf *b, size_t index, const struct gpu_device *d)
{
        buf_puts(b, "{\"UUID\":");
        json_append_string(b, d->uuid);
        buf_puts(b, ",\"Path\":");
        json_append_string(b, d->path);
        buf_puts(b, ",\"Model\":");
        json_append_nullable_string(b, d->model);
        buf_puts(b, ",\"Power\":");
        json_append_nullable_int(b, d->power);
        buf_puts(b, ",\"CPUAffinity\":");
        json_append_int(b, d->cpu_affinity < 0 ? 0 : d->cpu_affinity);
        buf_puts(b, ",\"PCI\":{\"BusID\":");
        json_append_string(b, d->bus_id);
        buf_puts(b, ",\"BAR1\":");
        json_append_nullable_int(b, d->bar1);
        buf_puts(b, ",\"Bandwidth\":");
        json_append_nullable_int(b, d->pci_bandwidth);
        buf_puts(b, "},\"Clocks\":{\"Cores\":");
        json_append_nullable_int(b, d->clock_cores);
        buf_puts(b, ",\"Memory\":");
        json_append_nullable_int(b, d->clock_memory);
        buf_puts(b, "},\"Topology\":");
        if (d->peer_count == 0) {
                buf_puts(b, "null");
        } else {
                buf_puts(b, "[");
                for (size_t p = 0; p < d->peer_count; p++) {
                        buf_puts(b, p ? ",{\"BusID\":" : "{\"BusID\":");
                        json_append_string(b, d->peers[p].bus_id);
                        buf_puts(b, ",\"Link\":");
                        json_append_int(b, d->peers[p].link);
                        buf_puts(b, "}");
                }
                buf_puts(b, "]");
        }
        buf_puts(b, ",\"Family\":");
        json_append_nullable_string(b, d->family);
        buf_puts(b, ",\"Arch\":");
        json_append_string(b, d->arch);
        buf_puts(b, ",\"Cores\":");
        json_append_nullable_int(b, d->cores);
        buf_puts(b, ",\"Memory\":{\"ECC\":");
        buf_puts(b, d->ecc ? "true" : "false");
        buf_puts(b, ",\"Global\":");
        json_append_nullable_int(b, d->memory_global);
        buf_puts(b, ",\"Shared\":");
        json_append_nullable_int(b, d->memory_shared);
        buf_puts(b, ",\"Constant\":");
        json_append_nullable_int(b, d->memory_constant);
        buf_puts(b, ",\"L2Cache\":");
        json_append_nullable_int(b, d->memory_l2);
        buf_puts(b, ",\"Bandwidth\":");
        json_append_nullable_int(b, d->memory_bandwidth);
        buf_puts(b, "}");
        if (d->mig_enabled)
                json_migs(b, index, d);
        buf_puts(b, "}");
}

void rest_api_info_json(const struct gpu_inventory *inv, const char *driver, const char *cuda,
                        struct buf *out)
{
        buf_puts(out, "{\"Version\":{\"Driver\":");
        json_append_string(out, driver);
        buf_puts(out, ",\"CUDA\":");
        json_append_string(out, cuda);
        buf_puts(out, "},\"Devices\":[");
        for (size_t i = 0; i < inv->count; i++) {
                if (i)
                        buf_puts(out, ",");
                json_device(out, i, &inv->devices[i]);
        }
        buf_puts(out, "]}\n");
}

void rest_api_status_json(const struct gpu_inventory *inv, const struct gpu_status *status,
                          struct buf *b)
{
        buf_puts(b, "{\"Devices\":[");
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_status *s = &status[i];
                buf_puts(b, i ? ",{\"Power\":" : "{\"Power\":");
                json_append_nullable_int(b, s->power);
                buf_puts(b, ",\"Temperature\":");
                json_append_nullable_int(b, s->temperature);
                buf_puts(b, ",\"Utilization\":{\"GPU\":");
                json_append_nullable_int(b, s->util_gpu);
                buf_puts(b, ",\"Memory\":");
                json_append_nullable_int(b, s->util_memory);
                buf_puts(b, ",\"Encoder\":");
                json_append_nullable_int(b, s->util_encoder);
                buf_puts(b, ",\"Decoder\":");
                json_append_nullable_int(b, s->util_decoder);
                buf_puts(b, "},\"Memory\":{\"GlobalUsed\":");
                json_append_nullable_int(b, s->memory_used);
                buf_puts(b, ",\"ECCErrors\":{\"L1Cache\":");
                json_append_nullable_int(b, s->ecc_l1);
                buf_puts(b, ",\"L2Cache\":");
                json_append_nullable_int(b, s->ecc_l2);
                buf_puts(b, ",\"Global\":");
                json_append_nullable_int(b, s->ecc_global);
                buf_puts(b, "}},\"Clocks\":{\"Cores\":");
                json_append_nullable_int(b, s->clock_cores);
                buf_puts(b, ",\"Memory\":");
                json_append_nullable_int(b, s->clock_memory);
                buf_puts(b, "},\"PCI\":{\"BAR1Used\":");
                json_append_nullable_int(b, s->bar1_used);
                buf_puts(b, ",\"Throughput\":{\"RX\":");
                json_append_nullable_int(b, s->rx);
                buf_puts(b, ",\"TX\":");
                json_append_nullable_int(b, s->tx);
                buf_puts(b, "}},\"Processes\":");
                if (s->process_count == 0) {
                        buf_puts(b, "null");
                } else {
                        buf_puts(b, "[");
                        for (size_t p = 0; p < s->process_count; p++) {
                                buf_puts(b, p ? ",{\"PID\":" : "{\"PID\":");
                                json_append_int(b, s->processes[p].pid);
                                buf_puts(b, ",\"Name\":");
                                json_append_string(b, s->processes[p].name);
                                buf_puts(b, ",\"MemoryUsed\":");
                                json_append_nullable_int(b, s->processes[p].memory_used);
                                buf_puts(b, "}");
                        }
                        buf_puts(b, "]");
                }
                buf_puts(b, "}");
        }
        buf_puts(b, "]}\n");
}

/* ---- device and volume selection ---- */

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
                         struct rest_api_choice *first, struct strv *candidates)
{
        size_t len = strlen(prefix), matches = 0;
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_device *d = &inv->devices[i];
                if (strncmp(d->uuid, prefix, len) == 0) {
                        if (matches++ == 0)
                                *first = (struct rest_api_choice){i, NULL};
                        if (candidates)
                                strv_push(candidates, d->uuid);
                }
                for (size_t m = 0; m < d->mig_count; m++) {
                        if (strncmp(d->migs[m].uuid, prefix, len) != 0)
                                continue;
                        if (matches++ == 0)
                                *first = (struct rest_api_choice){i, &d->migs[m]};
                        if (candidates)
                                strv_push(candidates, d->migs[m].uuid);
                }
        }
        return matches;
}

/* "G:M": MIG device of NVML MIG index M on the GPU of index G. */
static int select_mig_index(const struct gpu_inventory *inv, const char *item, const char *colon,
                            struct rest_api_choice *out, struct error *err)
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
        *out = (struct rest_api_choice){(size_t)gpu, found};
        return 0;
}

static int select_one(const struct gpu_inventory *inv, const char *item,
                      struct rest_api_choice *out, struct error *err)
{
        int is_number;
        long long n = parse_index(item, &is_number);
        if (is_number) {
                if (n < 0 || (unsigned long long)n >= inv->count)
                        return error_set(err, "invalid device: %s", item);
                *out = (struct rest_api_choice){(size_t)n, NULL};
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

int rest_api_select_devices(const struct gpu_inventory *inv, const char *dev,
                            struct rest_api_choice **out, size_t *count, struct error *err)
{
        size_t capacity = inv->count + 1, n = 0;
        cleanup_free struct rest_api_choice *chosen = xcalloc(capacity, sizeof(*chosen));
        if (dev == NULL || dev[0] == '\0' || strcmp(dev, "*") == 0) {
                for (size_t i = 0; i < inv->count; i++)
                        chosen[n++] = (struct rest_api_choice){i, NULL};
        } else if (strcmp(dev, "none") == 0) {
                /* No GPU: the control devices and the volumes only (NVIDIA's `none`). */
        } else {
                cleanup_free char *copy = xstrdup(dev);
                char *rest = copy;
                for (;;) {
                        char *space = strchr(rest, ' ');
                        if (space != NULL)
                                *space = '\0';
                        struct rest_api_choice choice;
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

/* The volume of kind k for the driver: with a capability set (caps_given), the driver kind
 * names the set's volume; an empty set has none. */
static void push_volume(struct strv *out, size_t k, const char *driver, bool caps_given,
                        unsigned caps)
{
        if (caps_given && strcmp(volume_kinds[k].name, VOLUME_KIND_DRIVER) == 0) {
                if (caps == 0)
                        return;
                cleanup_free char *kind = volume_kind_of(caps);
                strv_pushf(out, "%s_%s:%s:%s", kind, driver, volume_kinds[k].mountpoint,
                           volume_kinds[k].options);
                return;
        }
        strv_pushf(out, "%s_%s:%s:%s", volume_kinds[k].name, driver, volume_kinds[k].mountpoint,
                   volume_kinds[k].options);
}

static int select_volumes(const char *vol, const char *driver, bool caps_given, unsigned caps,
                          struct strv *out, struct error *err)
{
        if (vol == NULL || vol[0] == '\0' || strcmp(vol, "*") == 0) {
                for (size_t k = 0; k < VOLUME_KIND_COUNT; k++)
                        push_volume(out, k, driver, caps_given, caps);
                return 0;
        }
        cleanup_free char *copy = xstrdup(vol);
        char *rest = copy;
        bool taken[VOLUME_KIND_COUNT] = {false};
        for (;;) {
                char *space = strchr(rest, ' ');
                if (space != NULL)
                        *space = '\0';
                size_t k;
                for (k = 0; k < VOLUME_KIND_COUNT; k++)
                        if (strcmp(rest, volume_kinds[k].name) == 0)
                                break;
                if (k == VOLUME_KIND_COUNT)
                        return error_set(err, "invalid volume: %s", rest);
                /* A kind named twice is mounted once: two mounts on one path fail the run. */
                if (!taken[k])
                        push_volume(out, k, driver, caps_given, caps);
                taken[k] = true;
                if (space == NULL)
                        break;
                rest = space + 1;
        }
        return 0;
}

/* ---- paths ---- */

char *rest_api_clean_path(const char *p)
{
        if (p[0] == '\0')
                return xstrdup("/");
        size_t n = strlen(p);
        /* Go's path.Clean on "/" + p (when p is not rooted), in place on a copy. */
        char *out = xmalloc(n + 3);
        size_t w = 0, r = 0;
        out[w++] = '/';
        if (p[0] == '/')
                r = 1;
        while (r < n) {
                if (p[r] == '/') {
                        r++;
                } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
                        r++;
                } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
                        r += 2;
                        if (w > 1) {
                                w--;
                                while (w > 1 && out[w - 1] != '/')
                                        w--;
                                if (w > 1)
                                        w--; /* drop the separator too */
                        }
                } else {
                        if (w > 1)
                                out[w++] = '/';
                        while (r < n && p[r] != '/')
                                out[w++] = p[r++];
                }
        }
        if (w > 1 && out[w - 1] == '/')
                w--;
        /* ServeMux keeps a trailing slash. */
        if (p[n - 1] == '/' && !(w == 1))
                out[w++] = '/';
        out[w] = '\0';
        return out;
}

/* Escapes a decoded path for a Location header. */
static char *escape_path(const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        struct buf b = BUF_INIT;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (isalnum(*p) || strchr("-._~/!$&'()*+,;=:@", *p) != NULL) {
                        buf_append(&b, p, 1);
                } else {
                        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
                        buf_append(&b, esc, 3);
                }
        }
        return buf_steal(&b);
}

/* ---- handlers ---- */

static void respond_body(struct http_response *resp, int status, const char *type, struct buf *b)
{
        free(resp->body);
        resp->status = status;
        resp->content_type = type;
        resp->body_len = b->len;
        resp->body = buf_steal(b);
}

static void respond_error(struct http_response *resp, int status, const char *text)
{
        http_response_text(resp, status, TEXT_PLAIN, text);
        resp->nosniff = 1;
}

static void respond_unavailable(struct http_response *resp, const char *text)
{
        cleanup_free char *line = xasprintf("%s\n", text ? text : "nvidia-docker-plugin is busy");
        respond_error(resp, 503, line);
}

static void respond_internal(struct http_response *resp, const struct error *err)
{
        if (err->code == EAGAIN) { /* NVML busy or hung: not an internal error */
                respond_unavailable(resp, err->message);
                return;
        }
        log_error("%s", err->message ? err->message : "unknown");
        respond_error(resp, 500, INTERNAL_ERROR);
}

static void respond_bad_request(struct http_response *resp, const struct error *err)
{
        cleanup_free char *text = xasprintf("%s\n", err->message ? err->message : "error");
        respond_error(resp, 400, text);
}

static int versions(const struct rest_api *api, char **driver, char **cuda, struct error *err)
{
        if (api->live.driver_version(api->live.context, driver, err) < 0)
                return -1;
        if (api->live.cuda_version(api->live.context, cuda, err) < 0) {
                free(*driver);
                *driver = NULL;
                return -1;
        }
        return 0;
}

static void handle_info(const struct rest_api *api, int json, struct http_response *resp)
{
        struct error err = ERROR_INIT;
        cleanup_free char *driver = NULL;
        cleanup_free char *cuda = NULL;
        if (versions(api, &driver, &cuda, &err) < 0) {
                respond_internal(resp, &err);
                error_clear(&err);
                return;
        }
        struct buf b = BUF_INIT;
        if (json) {
                rest_api_info_json(api->inventory, driver, cuda, &b);
                respond_body(resp, 200, APPLICATION_JSON, &b);
        } else {
                rest_api_info_text(api->inventory, driver, cuda, &b);
                respond_body(resp, 200, TEXT_PLAIN, &b);
        }
}

static void handle_status(const struct rest_api *api, int json, struct http_response *resp)
{
        const struct gpu_inventory *inv = api->inventory;
        struct error err = ERROR_INIT;
        struct gpu_status *status = xcalloc(inv->count + 1, sizeof(*status));
        size_t done = 0;
        for (; done < inv->count; done++) {
                if (api->live.device_status(api->live.context, done, &status[done], &err) < 0) {
                        if (err.code != EAGAIN) /* a 503 line is shown as it is */
                                error_prefix(&err, "GPU #%zu status", done);
                        break;
                }
        }
        if (done == inv->count) {
                struct buf b = BUF_INIT;
                if (json) {
                        rest_api_status_json(inv, status, &b);
                        respond_body(resp, 200, APPLICATION_JSON, &b);
                } else {
                        rest_api_status_text(inv, status, &b);
                        respond_body(resp, 200, TEXT_PLAIN, &b);
                }
        } else {
                respond_internal(resp, &err);
        }
        for (size_t i = 0; i < done; i++)
                gpu_status_destroy(&status[i]);
        free(status);
        error_clear(&err);
}

/* Appends s unless devices already holds it (a GPU instance shared by two MIG devices). */
static void push_unique(struct strv *devices, const char *s)
{
        for (size_t i = 0; i < devices->count; i++)
                if (strcmp(devices->items[i], s) == 0)
                        return;
        strv_push(devices, s);
}

/* The nodes of the chosen GPUs and MIG devices, after the control nodes. */
static int chosen_devices(const struct rest_api *api, const struct rest_api_choice *chosen,
                          size_t count, struct strv *devices, struct error *err)
{
        for (size_t i = 0; i < count; i++) {
                const struct gpu_mig_device *mig = chosen[i].mig;
                if (mig != NULL && api->live.mig_nodes != NULL &&
                    api->live.mig_nodes(api->live.context, mig, err) < 0)
                        return -1;
                push_unique(devices, api->inventory->devices[chosen[i].gpu].path);
                if (mig != NULL) {
                        push_unique(devices, mig->gi_cap.path);
                        push_unique(devices, mig->ci_cap.path);
                }
        }
        return 0;
}

static void json_string_list(struct buf *b, const struct strv *items)
{
        buf_puts(b, "[");
        for (size_t i = 0; i < items->count; i++) {
                if (i)
                        buf_puts(b, ",");
                json_append_string(b, items->items[i]);
        }
        buf_puts(b, "]");
}

/*
 * 1.0's answer, and with `caps` (driver capabilities, docs/capabilities.md) the set's volume,
 * /dev/nvidia-modeset for graphics and display, and appended fields "Capabilities" (the closed
 * set's words) and "Environment" (what the loaders need: driver_files_environment); the text
 * form gets the environment as --env words.
 */
static void handle_docker_cli(const struct rest_api *api, const struct http_request *req, int json,
                              struct http_response *resp)
{
        struct error err = ERROR_INIT;
        struct strv devices = STRV_INIT;
        struct strv volumes = STRV_INIT;
        struct strv words = STRV_INIT;
        struct strv environment = STRV_INIT;
        cleanup_free struct rest_api_choice *chosen = NULL;
        cleanup_free char *driver = NULL;
        size_t count = 0;
        const char *caps_query = http_request_query(req, "caps");
        bool caps_given = caps_query != NULL;
        unsigned caps = 0;
        if (caps_given) {
                if (driver_caps_parse(caps_query, &caps, NULL, &err) < 0) {
                        respond_bad_request(resp, &err);
                        goto out;
                }
                caps = driver_caps_close(caps);
                driver_caps_words(caps, &words);
        }
        /* Same order of checks as 1.0: control devices, GPUs, then volumes. */
        if (api->live.control_devices(api->live.context, &devices, &err) < 0 ||
            rest_api_select_devices(api->inventory, http_request_query(req, "dev"), &chosen, &count,
                                    &err) < 0 ||
            api->live.driver_version(api->live.context, &driver, &err) < 0 ||
            select_volumes(http_request_query(req, "vol"), driver, caps_given, caps, &volumes,
                           &err) < 0 ||
            chosen_devices(api, chosen, count, &devices, &err) < 0) {
                respond_bad_request(resp, &err);
                goto out;
        }
        if ((caps & (DRIVER_CAP_GRAPHICS | DRIVER_CAP_DISPLAY)) && api->live.modeset_device &&
            api->live.modeset_device(api->live.context, &devices, &err) < 0) {
                respond_bad_request(resp, &err);
                goto out;
        }
        bool has_driver_volume = false;
        for (size_t i = 0; i < volumes.count; i++)
                has_driver_volume |=
                    strncmp(volumes.items[i], VOLUME_KIND_DRIVER, strlen(VOLUME_KIND_DRIVER)) == 0;
        if (has_driver_volume)
                driver_files_environment(caps, &environment);
        struct buf b = BUF_INIT;
        if (json) {
                buf_puts(&b, "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":");
                json_string_list(&b, &volumes);
                buf_puts(&b, ",\"Devices\":");
                json_string_list(&b, &devices);
                if (caps_given) {
                        buf_puts(&b, ",\"Capabilities\":");
                        json_string_list(&b, &words);
                        buf_puts(&b, ",\"Environment\":");
                        json_string_list(&b, &environment);
                }
                if (api->nvidia_runtime)
                        buf_puts(&b, ",\"NvidiaRuntime\":true");
                buf_puts(&b, "}\n");
                respond_body(resp, 200, APPLICATION_JSON, &b);
        } else {
                buf_puts(&b, "--volume-driver=nvidia-docker");
                for (size_t i = 0; i < volumes.count; i++)
                        buf_printf(&b, " --volume=%s", volumes.items[i]);
                for (size_t i = 0; i < devices.count; i++)
                        buf_printf(&b, " --device=%s", devices.items[i]);
                for (size_t i = 0; i < environment.count; i++)
                        buf_printf(&b, " --env=%s", environment.items[i]);
                respond_body(resp, 200, TEXT_PLAIN, &b);
        }
out:
        strv_destroy(&devices);
        strv_destroy(&volumes);
        strv_destroy(&words);
        strv_destroy(&environment);
        error_clear(&err);
}

static void handle_mesos_cli(const struct rest_api *api, struct http_response *resp)
{
        struct error err = ERROR_INIT;
        cleanup_free char *driver = NULL;
        cleanup_free char *cuda = NULL;
        if (versions(api, &driver, &cuda, &err) < 0) {
                respond_internal(resp, &err);
                error_clear(&err);
                return;
        }
        struct buf json = BUF_INIT;
        rest_api_info_json(api->inventory, driver, cuda, &json);
        uLongf zlen = compressBound(json.len);
        cleanup_free unsigned char *z = xmalloc(zlen);
        if (compress2(z, &zlen, (const Bytef *)json.data, json.len, Z_DEFAULT_COMPRESSION) !=
            Z_OK) {
                buf_destroy(&json);
                error_set(&err, "zlib: cannot compress the GPU inventory");
                respond_internal(resp, &err);
                error_clear(&err);
                return;
        }
        buf_destroy(&json);
        struct buf b = BUF_INIT;
        buf_puts(&b, "--attributes=gpus:");
        cleanup_free char *attributes = base64url_encode(z, zlen);
        buf_puts(&b, attributes);
        buf_puts(&b, " --resources=gpus:{");
        for (size_t i = 0; i < api->inventory->count; i++) {
                if (i)
                        buf_puts(&b, ",");
                buf_puts(&b, api->inventory->devices[i].uuid);
        }
        buf_puts(&b, "}");
        respond_body(resp, 200, TEXT_PLAIN, &b);
}

/* GET /v1.0/cdi/spec[.json]: the CDI spec that cdi_publish keeps (docs/cdi.md); 503 with the
 * reason, one line, while there is none. */
static void handle_cdi_spec(const struct rest_api *api, struct http_response *resp)
{
        struct error err = ERROR_INIT;
        char *text = api->cdi != NULL ? cdi_publish_current(api->cdi, &err) : NULL;
        if (text == NULL) {
                cleanup_free char *line = xasprintf(
                    "%s\n", api->cdi != NULL
                                ? err.message
                                : "this plugin publishes no CDI spec (started with -cdi=)");
                respond_error(resp, 503, line);
                error_clear(&err);
                return;
        }
        struct buf b = BUF_INIT;
        buf_puts(&b, text);
        free(text);
        respond_body(resp, 200, APPLICATION_JSON, &b);
}

/* GET /v1.0/docker/compose?service=NAME[&dev=...][&vol=...]: compose_stanza.h. */
static void handle_docker_compose(const struct rest_api *api, const struct http_request *req,
                                  struct http_response *resp)
{
        const char *service = http_request_query(req, "service");
        struct error err = ERROR_INIT;
        struct strv devices = STRV_INIT;
        struct strv volumes = STRV_INIT;
        struct strv environment = STRV_INIT;
        cleanup_free struct rest_api_choice *chosen = NULL;
        cleanup_free char *driver = NULL;
        cleanup_free char *gpus = NULL;
        size_t count = 0;
        const char *dev = http_request_query(req, "dev");
        const char *caps_query = http_request_query(req, "caps");
        unsigned caps = 0;
        if (service == NULL || !compose_stanza_service_is_valid(service))
                error_set(&err,
                          "invalid service: %s; name the Compose service that gets the GPUs: "
                          "/v1.0/docker/compose?service=NAME&dev=0",
                          service ? service : "(none)");
        else if (caps_query != NULL && driver_caps_parse(caps_query, &caps, NULL, &err) == 0)
                caps = driver_caps_close(caps);
        if (error_is_set(&err) ||
            api->live.control_devices(api->live.context, &devices, &err) < 0 ||
            rest_api_select_devices(api->inventory, dev, &chosen, &count, &err) < 0 ||
            api->live.driver_version(api->live.context, &driver, &err) < 0 ||
            select_volumes(http_request_query(req, "vol"), driver, caps_query != NULL, caps,
                           &volumes, &err) < 0 ||
            chosen_devices(api, chosen, count, &devices, &err) < 0) {
                respond_bad_request(resp, &err);
                goto out;
        }
        if ((caps & (DRIVER_CAP_GRAPHICS | DRIVER_CAP_DISPLAY)) && api->live.modeset_device &&
            api->live.modeset_device(api->live.context, &devices, &err) < 0) {
                respond_bad_request(resp, &err);
                goto out;
        }
        if (volumes.count > 0)
                driver_files_environment(caps, &environment);
        if (dev == NULL || dev[0] == '\0' || strcmp(dev, "*") == 0) {
                gpus = xstrdup("all GPUs");
        } else {
                struct strv items = STRV_INIT;
                strv_split(&items, dev, " ");
                cleanup_free char *list = strv_join(&items, ", ");
                gpus = xasprintf("GPUs %s", list);
                strv_destroy(&items);
        }
        struct buf b = BUF_INIT;
        compose_stanza_write(service, &devices, &volumes, &environment, gpus, driver, &b);
        respond_body(resp, 200, "application/yaml", &b);
out:
        strv_destroy(&devices);
        strv_destroy(&volumes);
        strv_destroy(&environment);
        error_clear(&err);
}

enum route {
        ROUTE_NONE,
        INFO,
        INFO_JSON,
        STATUS,
        STATUS_JSON,
        CLI,
        CLI_JSON,
        MESOS,
        COMPOSE,
        CDI_SPEC,
};

static enum route find_route(const char *path)
{
        static const struct {
                const char *path;
                enum route route;
        } routes[] = {
            {"/gpu/info", INFO},     {"/gpu/info/json", INFO_JSON},
            {"/gpu/status", STATUS}, {"/gpu/status/json", STATUS_JSON},
            {"/docker/cli", CLI},    {"/docker/cli/json", CLI_JSON},
            {"/mesos/cli", MESOS},
        };
        bool versioned = strncmp(path, "/v1.0/", 6) == 0;
        if (versioned)
                path += 5;
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
                if (strcmp(path, routes[i].path) == 0)
                        return routes[i].route;
        /* Routes that 1.0 did not have exist under /v1.0 only. */
        if (versioned && strcmp(path, "/docker/compose") == 0)
                return COMPOSE;
        if (versioned && (strcmp(path, "/cdi/spec") == 0 || strcmp(path, "/cdi/spec.json") == 0))
                return CDI_SPEC;
        return ROUTE_NONE;
}

/* ServeMux's 301 to the cleaned path, query kept; an HTML body for GET and HEAD, as Go's. */
static void respond_redirect(const struct http_request *req, const char *clean,
                             struct http_response *resp)
{
        cleanup_free char *escaped = escape_path(clean);
        const char *q = req->query_string;
        resp->status = 301;
        resp->owned_location =
            xasprintf("%s%s%s", escaped, q && q[0] ? "?" : "", q && q[0] ? q : "");
        resp->location = resp->owned_location;
        if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
                struct buf b = BUF_INIT;
                buf_puts(&b, "<a href=\"");
                for (const char *p = resp->owned_location; *p; p++) {
                        switch (*p) {
                        case '<':
                                buf_puts(&b, "&lt;");
                                break;
                        case '>':
                                buf_puts(&b, "&gt;");
                                break;
                        case '&':
                                buf_puts(&b, "&amp;");
                                break;
                        case '"':
                                buf_puts(&b, "&#34;");
                                break;
                        case '\'':
                                buf_puts(&b, "&#39;");
                                break;
                        default:
                                buf_append(&b, p, 1);
                        }
                }
                buf_puts(&b, "\">Moved Permanently</a>.\n\n");
                respond_body(resp, 301, "text/html; charset=utf-8", &b);
        }
}

void rest_api_handle(void *context, const struct http_request *req, struct http_response *resp)
{
        const struct rest_api *api = context;
        cleanup_free char *path = http_unescape(req->path, strlen(req->path), false);
        if (path == NULL || path[0] != '/') {
                respond_error(resp, 404, "404 page not found\n");
                return;
        }
        cleanup_free char *clean = rest_api_clean_path(path);
        if (strcmp(clean, path) != 0) {
                respond_redirect(req, clean, resp);
                return;
        }
        enum route route = find_route(path);
        if (route == ROUTE_NONE || strcmp(req->method, "GET") != 0) {
                respond_error(resp, 404, "404 page not found\n");
                return;
        }
        if (api->inventory == NULL) {
                respond_unavailable(resp, api->unavailable);
                return;
        }
        switch (route) {
        case INFO:
                handle_info(api, 0, resp);
                break;
        case INFO_JSON:
                handle_info(api, 1, resp);
                break;
        case STATUS:
                handle_status(api, 0, resp);
                break;
        case STATUS_JSON:
                handle_status(api, 1, resp);
                break;
        case CLI:
                handle_docker_cli(api, req, 0, resp);
                break;
        case CLI_JSON:
                handle_docker_cli(api, req, 1, resp);
                break;
        case MESOS:
                handle_mesos_cli(api, resp);
                break;
        case COMPOSE:
                handle_docker_compose(api, req, resp);
                break;
        case CDI_SPEC:
                handle_cdi_spec(api, resp);
                break;
        case ROUTE_NONE:
                break;
        }
}
