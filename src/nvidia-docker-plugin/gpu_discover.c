#include "nvidia-docker-plugin/gpu_discover.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_nodes.h"
#include "nvidia-docker-plugin/gpu_discover_mig.h"
#include "nvidia-docker-plugin/mig_caps.h"

int gpu_source_open(struct gpu_source *source, const char *dev_root, const char *sys_root,
                    const char *proc_root, struct error *err)
{
        memset(source, 0, sizeof(*source));
        source->dev_root = dev_root;
        source->sys_root = sys_root;
        source->proc_root = proc_root;
        if (nvml_open(&source->nvml, err) < 0)
                return -1;
        return 0;
}

void gpu_source_close(struct gpu_source *source)
{
        free(source->handles);
        source->handles = NULL;
        cuda_close(&source->cuda);
        nvml_close(&source->nvml);
}

/* Required identity query: NOT_SUPPORTED is an unsupported GPU. */
static int require(const struct nvml *nvml, nvmlReturn_t ret, const char *call, unsigned int index,
                   struct error *err)
{
        if (ret == NVML_SUCCESS)
                return 0;
        if (ret == NVML_ERROR_NOT_SUPPORTED)
                return error_set(err, "unsupported GPU device #%u: %s is not supported", index,
                                 call);
        nvml_set_error(nvml, ret, err);
        return error_prefix(err, "GPU #%u: %s", index, call);
}

static int64_t read_numa_node(const char *sys_root, const char *bus_id)
{
        char lower[16];
        size_t i;
        for (i = 0; bus_id[i] != '\0' && i + 1 < sizeof(lower); i++)
                lower[i] = (char)tolower((unsigned char)bus_id[i]);
        lower[i] = '\0';
        cleanup_free char *path = xasprintf("%s/bus/pci/devices/%s/numa_node", sys_root, lower);
        cleanup_fclose FILE *f = fopen(path, "re");
        long node = -1;
        if (f == NULL || fscanf(f, "%ld", &node) != 1 || node < 0)
                return 0;
        return node;
}

static int cuda_attribute(struct gpu_source *s, CUdevice dev, int attribute, int *value,
                          struct error *err)
{
        CUresult ret = s->cuda.DeviceGetAttribute(value, attribute, dev);
        if (ret != 0)
                return cuda_set_error(&s->cuda, ret, "cuDeviceGetAttribute", err);
        return 0;
}

/* 1 with the CUDA fields filled, 0 for a MIG-mode GPU that CUDA does not show (fields stay
 * null: in MIG mode CUDA enumerates MIG devices, not GPUs), -1 on error. */
static int discover_cuda(struct gpu_source *s, struct gpu_device *d, CUdevice *cu_dev,
                         struct error *err)
{
        CUresult ret = s->cuda.DeviceGetByPCIBusId(cu_dev, d->bus_id);
        if (ret != 0 && d->mig_enabled)
                return 0;
        if (ret != 0) {
                cuda_set_error(&s->cuda, ret, "cuDeviceGetByPCIBusId", err);
                return error_prefix(err, "GPU %s", d->bus_id);
        }
        int major, minor, sms, ecc, shared, constant, l2, clock_khz, bus_width;
        if (cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &major, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &minor, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &sms, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_ECC_ENABLED, &ecc, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
                           &shared, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY, &constant, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, &l2, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, &clock_khz, err) ||
            cuda_attribute(s, *cu_dev, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, &bus_width,
                           err))
                return error_prefix(err, "GPU %s", d->bus_id);
        size_t total = 0;
        ret = s->cuda.DeviceTotalMem(&total, *cu_dev);
        if (ret != 0) {
                cuda_set_error(&s->cuda, ret, "cuDeviceTotalMem", err);
                return error_prefix(err, "GPU %s", d->bus_id);
        }
        d->family = gpu_family(major);
        snprintf(d->arch, sizeof(d->arch), "%d.%d", major, minor);
        int per_sm = gpu_cores_per_sm(major, minor);
        d->cores = per_sm > 0 ? (int64_t)per_sm * sms : GPU_NULL;
        d->ecc = ecc != 0;
        d->memory_global = (int64_t)(total >> 20);
        d->memory_shared = shared / 1024;
        d->memory_constant = constant / 1024;
        d->memory_l2 = l2 / 1024;
        d->memory_bandwidth = 2 * ((int64_t)clock_khz / 1000) * ((int64_t)bus_width / 8);
        return 1;
}

static void cuda_fields_null(struct gpu_device *d)
{
        d->family = NULL;
        d->arch[0] = '\0';
        d->cores = GPU_NULL;
        d->ecc = false;
        d->memory_global = d->memory_shared = d->memory_constant = GPU_NULL;
        d->memory_l2 = d->memory_bandwidth = GPU_NULL;
}

static int discover_device(struct gpu_source *s, unsigned int index, struct gpu_device *d,
                           struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        nvmlDevice_t dev = s->handles[index];
        char text[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
        int r;

        if (require(nvml, nvml->DeviceGetUUID(dev, text, NVML_DEVICE_UUID_BUFFER_SIZE),
                    "nvmlDeviceGetUUID", index, err) < 0)
                return -1;
        d->uuid = xstrdup(text);
        if (require(nvml, nvml->DeviceGetMinorNumber(dev, &d->minor), "nvmlDeviceGetMinorNumber",
                    index, err) < 0)
                return -1;
        d->path = xasprintf("/dev/nvidia%u", d->minor);
        nvmlPciInfo_t pci;
        memset(&pci, 0, sizeof(pci));
        if (require(nvml, nvml->DeviceGetPciInfo(dev, &pci), "nvmlDeviceGetPciInfo", index, err) <
            0)
                return -1;
        /* Legacy form with a 4-digit domain and upper-case hex, as 1.0 printed it. */
        snprintf(d->bus_id, sizeof(d->bus_id), "%04X:%02X:%02X.0", pci.domain & 0xffff,
                 pci.bus & 0xff, pci.device & 0xff);
        if (pci.busIdLegacy[0] != '\0' && strlen(pci.busIdLegacy) == 12) {
                for (size_t i = 0; i < 12; i++)
                        d->bus_id[i] = (char)toupper((unsigned char)pci.busIdLegacy[i]);
                d->bus_id[12] = '\0';
        }

        d->model = NULL;
        if ((r = nvml_check(nvml, nvml->DeviceGetName(dev, text, NVML_DEVICE_NAME_BUFFER_SIZE),
                            "nvmlDeviceGetName", err)) < 0)
                return -1;
        if (r)
                d->model = xstrdup(text);
        unsigned int value = 0, value2 = 0;
        d->power = GPU_NULL;
        if ((r = nvml_check(nvml, nvml->DeviceGetPowerManagementLimit(dev, &value),
                            "nvmlDeviceGetPowerManagementLimit", err)) < 0)
                return -1;
        if (r)
                d->power = value / 1000;
        d->cpu_affinity = read_numa_node(s->sys_root, d->bus_id);
        nvmlBAR1Memory_t bar1;
        d->bar1 = GPU_NULL;
        if ((r = nvml_check(nvml, nvml->DeviceGetBAR1MemoryInfo(dev, &bar1),
                            "nvmlDeviceGetBAR1MemoryInfo", err)) < 0)
                return -1;
        if (r)
                d->bar1 = (int64_t)(bar1.bar1Total >> 20);
        d->pci_bandwidth = GPU_NULL;
        int r1 = nvml_check(nvml, nvml->DeviceGetMaxPcieLinkGeneration(dev, &value),
                            "nvmlDeviceGetMaxPcieLinkGeneration", err);
        int r2 = r1 < 0 ? -1
                        : nvml_check(nvml, nvml->DeviceGetMaxPcieLinkWidth(dev, &value2),
                                     "nvmlDeviceGetMaxPcieLinkWidth", err);
        if (r1 < 0 || r2 < 0)
                return -1;
        if (r1 && r2)
                d->pci_bandwidth = (int64_t)gpu_pcie_lane_bandwidth(value) * value2;
        d->clock_cores = d->clock_memory = GPU_NULL;
        if ((r = nvml_check(nvml, nvml->DeviceGetMaxClockInfo(dev, NVML_CLOCK_SM, &value),
                            "nvmlDeviceGetMaxClockInfo", err)) < 0)
                return -1;
        if (r)
                d->clock_cores = value;
        if ((r = nvml_check(nvml, nvml->DeviceGetMaxClockInfo(dev, NVML_CLOCK_MEM, &value),
                            "nvmlDeviceGetMaxClockInfo", err)) < 0)
                return -1;
        if (r)
                d->clock_memory = value;
        return 0;
}

static void add_peer(struct gpu_device *d, const char *bus_id, int link)
{
        d->peers = xrealloc(d->peers, (d->peer_count + 1) * sizeof(*d->peers));
        struct gpu_peer *p = &d->peers[d->peer_count++];
        snprintf(p->bus_id, sizeof(p->bus_id), "%s", bus_id);
        p->link = link;
}

static int discover_peers(struct gpu_source *s, struct gpu_inventory *inv, const CUdevice *cu,
                          const bool *cu_ok, struct error *err)
{
        for (size_t i = 0; i < inv->count; i++) {
                for (size_t j = i + 1; j < inv->count; j++) {
                        int can = 0;
                        if (!cu_ok[i] || !cu_ok[j])
                                continue;
                        CUresult ret = s->cuda.DeviceCanAccessPeer(&can, cu[i], cu[j]);
                        if (ret != 0)
                                return cuda_set_error(&s->cuda, ret, "cuDeviceCanAccessPeer", err);
                        if (!can)
                                continue;
                        int link = 0, level = 0;
                        if (s->nvml.DeviceGetTopologyCommonAncestor != NULL) {
                                nvmlReturn_t r = s->nvml.DeviceGetTopologyCommonAncestor(
                                    s->handles[i], s->handles[j], &level);
                                if (r == NVML_SUCCESS)
                                        link = gpu_link_from_topology(level);
                                else if (r != NVML_ERROR_NOT_SUPPORTED &&
                                         r != NVML_ERROR_FUNCTION_NOT_FOUND) {
                                        nvml_set_error(&s->nvml, r, err);
                                        return error_prefix(err,
                                                            "nvmlDeviceGetTopologyCommonAncestor");
                                }
                        }
                        add_peer(&inv->devices[i], inv->devices[j].bus_id, link);
                        add_peer(&inv->devices[j], inv->devices[i].bus_id, link);
                }
        }
        return 0;
}

int gpu_discover(struct gpu_source *s, struct gpu_inventory *out, struct error *err)
{
        struct gpu_inventory inv = {NULL, 0, 0};
        unsigned int count = 0;
        nvmlReturn_t ret = s->nvml.DeviceGetCount(&count);
        if (ret != NVML_SUCCESS) {
                nvml_set_error(&s->nvml, ret, err);
                return error_prefix(err, "nvmlDeviceGetCount_v2");
        }
        free(s->handles);
        s->handles = xcalloc(count + 1, sizeof(*s->handles));
        s->count = count;
        inv.devices = xcalloc(count + 1, sizeof(*inv.devices));
        cleanup_free CUdevice *cu = xcalloc(count + 1, sizeof(*cu));
        cleanup_free bool *cu_ok = xcalloc(count + 1, sizeof(*cu_ok));
        bool any_mig = false;
        for (unsigned int i = 0; i < count; i++) {
                ret = s->nvml.DeviceGetHandleByIndex(i, &s->handles[i]);
                if (ret != NVML_SUCCESS) {
                        nvml_set_error(&s->nvml, ret, err);
                        error_prefix(err, "GPU #%u: nvmlDeviceGetHandleByIndex_v2", i);
                        goto fail;
                }
                inv.count = i + 1;
                if (discover_device(s, i, &inv.devices[i], err) < 0 ||
                    gpu_discover_migs(s, i, &inv.devices[i], err) < 0)
                        goto fail;
                any_mig |= inv.devices[i].mig_count > 0;
        }
        /* The nodes' major, only where some MIG device needs nodes. */
        if (any_mig && mig_caps_read_major(s->proc_root, &inv.caps_major, err) < 0)
                goto fail;
        s->caps_major = inv.caps_major;
        if (count > 0) {
                if (s->cuda.library == NULL && cuda_open(&s->cuda, err) < 0)
                        goto fail;
                for (unsigned int i = 0; i < count; i++) {
                        int r = discover_cuda(s, &inv.devices[i], &cu[i], err);
                        if (r < 0)
                                goto fail;
                        cu_ok[i] = r > 0;
                        if (r == 0)
                                cuda_fields_null(&inv.devices[i]);
                }
                if (discover_peers(s, &inv, cu, cu_ok, err) < 0)
                        goto fail;
        }
        *out = inv;
        return 0;
fail:
        gpu_inventory_destroy(&inv);
        return -1;
}

int gpu_check_device_nodes(const struct gpu_source *s, const struct gpu_inventory *inv,
                           struct error *err)
{
        if (device_nodes_check(s->dev_root, "nvidiactl", err) < 0)
                return -1;
        for (size_t i = 0; i < inv->count; i++) {
                cleanup_free char *name = xasprintf("nvidia%u", inv->devices[i].minor);
                if (device_nodes_check(s->dev_root, name, err) < 0)
                        return -1;
        }
        for (size_t i = 0; i < inv->count; i++) {
                const struct gpu_device *d = &inv->devices[i];
                for (size_t m = 0; m < d->mig_count; m++) {
                        const struct gpu_mig_device *mig = &d->migs[m];
                        const struct gpu_cap_node *caps[] = {&mig->gi_cap, &mig->ci_cap};
                        for (size_t c = 0; c < 2; c++) {
                                struct error node_err = ERROR_INIT;
                                bool created = false;
                                if (device_nodes_ensure_cap(s->dev_root, inv->caps_major, caps[c],
                                                            &created, &node_err) < 0)
                                        log_warning("MIG device %s (%zu:%u): %s", mig->uuid, i,
                                                    mig->index, node_err.message);
                                else if (created)
                                        log_msg("Created %s (c %u:%u, mode %04o) for MIG device "
                                                "%s (%zu:%u)",
                                                caps[c]->path, inv->caps_major, caps[c]->minor,
                                                caps[c]->mode, mig->uuid, i, mig->index);
                                error_clear(&node_err);
                        }
                }
        }
        return 0;
}
