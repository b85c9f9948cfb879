#include "nvidia-docker-plugin/gpu_report.h"

#include "common/json_util.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/text_table.h"

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

void gpu_report_info_text(const struct gpu_inventory *inv, const char *driver, const char *cuda,
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

void gpu_report_status_text(const struct gpu_inventory *inv, const struct gpu_status *status,
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

void gpu_report_info_json(const struct gpu_inventory *inv, const char *driver, const char *cuda,
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

void gpu_report_status_json(const struct gpu_inventory *inv, const struct gpu_status *status,
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
