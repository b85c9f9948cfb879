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
#include "nvidia-docker-plugin/mig_caps.h"

/* nvmlDeviceGetUUID's buffer for MIG handles (old-style MIG UUIDs are longer than 80). */
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96

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

/* A value query: NOT_SUPPORTED → 0 (caller leaves the field null), success → 1, else -1. */
static int check(const struct nvml *nvml, nvmlReturn_t ret, const char *call, struct error *err)
{
        if (ret == NVML_SUCCESS)
                return 1;
        if (ret == NVML_ERROR_NOT_SUPPORTED)
                return 0;
        nvml_set_error(nvml, ret, err);
        error_prefix(err, "%s", call);
        return -1;
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

/* A MIG-level NVML failure as "GPU #<i> MIG device <m>: <call>: nvml: <text>". */
static int mig_error(const struct nvml *nvml, nvmlReturn_t ret, const char *call,
                     unsigned int index, unsigned int mig, struct error *err)
{
        if (ret == NVML_ERROR_NOT_SUPPORTED)
                return error_set(err, "unsupported MIG device %u:%u: %s is not supported", index,
                                 mig, call);
        nvml_set_error(nvml, ret, err);
        return error_prefix(err, "GPU #%u MIG device %u: %s", index, mig, call);
}

static void fill_cap(struct gpu_cap_node *cap, const struct mig_cap_access *access)
{
        cap->minor = access->minor;
        cap->path = xasprintf("/dev/nvidia-caps/nvidia-cap%u", access->minor);
        cap->mode = access->mode;
        cap->uid = access->uid;
        cap->gid = access->gid;
        cap->modify = access->modify;
}

/* One MIG device: identity from NVML, capability minors from the driver's files. */
static int discover_mig(struct gpu_source *s, unsigned int index, struct gpu_device *d,
                        unsigned int m, nvmlDevice_t handle, struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        nvmlReturn_t ret;
        if (nvml->DeviceGetDeviceHandleFromMigDeviceHandle != NULL) {
                nvmlDevice_t parent = NULL;
                ret = nvml->DeviceGetDeviceHandleFromMigDeviceHandle(handle, &parent);
                if (ret != NVML_SUCCESS && ret != NVML_ERROR_NOT_SUPPORTED)
                        return mig_error(nvml, ret, "nvmlDeviceGetDeviceHandleFromMigDeviceHandle",
                                         index, m, err);
                if (ret == NVML_SUCCESS && parent != s->handles[index])
                        return error_set(err,
                                         "GPU #%u MIG device %u: NVML gives it another parent GPU",
                                         index, m);
        }
        char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
        unsigned int gi = 0, ci = 0;
        if ((ret = nvml->DeviceGetUUID(handle, uuid, sizeof(uuid))) != NVML_SUCCESS)
                return mig_error(nvml, ret, "nvmlDeviceGetUUID", index, m, err);
        if ((ret = nvml->DeviceGetGpuInstanceId(handle, &gi)) != NVML_SUCCESS)
                return mig_error(nvml, ret, "nvmlDeviceGetGpuInstanceId", index, m, err);
        if ((ret = nvml->DeviceGetComputeInstanceId(handle, &ci)) != NVML_SUCCESS)
                return mig_error(nvml, ret, "nvmlDeviceGetComputeInstanceId", index, m, err);
        if (gi > INT32_MAX || ci > INT32_MAX)
                return error_set(err, "GPU #%u MIG device %u: NVML gives instance ids %u/%u", index,
                                 m, gi, ci);
        nvmlMemory_t mem;
        int64_t memory = GPU_NULL;
        int r =
            check(nvml, nvml->DeviceGetMemoryInfo(handle, &mem), "nvmlDeviceGetMemoryInfo", err);
        if (r < 0)
                return error_prefix(err, "GPU #%u MIG device %u", index, m);
        if (r)
                memory = (int64_t)(mem.total >> 20);
        struct mig_cap_access gi_access, ci_access;
        if (mig_caps_lookup(s->proc_root, d->minor, gi, -1, &gi_access, err) < 0 ||
            mig_caps_lookup(s->proc_root, d->minor, gi, (int)ci, &ci_access, err) < 0)
                return error_prefix(err, "MIG device %s (%u:%u): no capability minor", uuid, index,
                                    m);
        d->migs = xrealloc(d->migs, (d->mig_count + 1) * sizeof(*d->migs));
        struct gpu_mig_device *mig = &d->migs[d->mig_count++];
        memset(mig, 0, sizeof(*mig));
        mig->uuid = xstrdup(uuid);
        mig->index = m;
        mig->gpu_instance = gi;
        mig->compute_instance = ci;
        mig->memory = memory;
        fill_cap(&mig->gi_cap, &gi_access);
        fill_cap(&mig->ci_cap, &ci_access);
        return 0;
}

/* MIG mode and MIG devices of GPU #index; nothing without NVML's MIG functions. */
static int discover_migs(struct gpu_source *s, unsigned int index, struct gpu_device *d,
                         struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        nvmlDevice_t dev = s->handles[index];
        if (!nvml->mig)
                return 0;
        unsigned int current = NVML_DEVICE_MIG_DISABLE, pending = NVML_DEVICE_MIG_DISABLE;
        nvmlReturn_t ret = nvml->DeviceGetMigMode(dev, &current, &pending);
        if (ret == NVML_ERROR_NOT_SUPPORTED || ret == NVML_ERROR_FUNCTION_NOT_FOUND)
                return 0; /* a GPU without MIG (before Ampere, or a consumer board) */
        if (ret != NVML_SUCCESS) {
                nvml_set_error(nvml, ret, err);
                return error_prefix(err, "GPU #%u: nvmlDeviceGetMigMode", index);
        }
        if (current != NVML_DEVICE_MIG_ENABLE)
                return 0;
        d->mig_enabled = true;
        unsigned int max = 0;
        ret = nvml->DeviceGetMaxMigDeviceCount(dev, &max);
        if (ret != NVML_SUCCESS) {
                nvml_set_error(nvml, ret, err);
                return error_prefix(err, "GPU #%u: nvmlDeviceGetMaxMigDeviceCount", index);
        }
        for (unsigned int m = 0; m < max; m++) {
                nvmlDevice_t handle = NULL;
                ret = nvml->DeviceGetMigDeviceHandleByIndex(dev, m, &handle);
                if (ret == NVML_ERROR_NOT_FOUND)
                        continue; /* no MIG device with that index */
                if (ret != NVML_SUCCESS)
                        return mig_error(nvml, ret, "nvmlDeviceGetMigDeviceHandleByIndex", index, m,
                                         err);
                if (discover_mig(s, index, d, m, handle, err) < 0)
                        return -1;
        }
        return 0;
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
        if ((r = check(nvml, nvml->DeviceGetName(dev, text, NVML_DEVICE_NAME_BUFFER_SIZE),
                       "nvmlDeviceGetName", err)) < 0)
                return -1;
        if (r)
                d->model = xstrdup(text);
        unsigned int value = 0, value2 = 0;
        d->power = GPU_NULL;
        if ((r = check(nvml, nvml->DeviceGetPowerManagementLimit(dev, &value),
                       "nvmlDeviceGetPowerManagementLimit", err)) < 0)
                return -1;
        if (r)
                d->power = value / 1000;
        d->cpu_affinity = read_numa_node(s->sys_root, d->bus_id);
        nvmlBAR1Memory_t bar1;
        d->bar1 = GPU_NULL;
        if ((r = check(nvml, nvml->DeviceGetBAR1MemoryInfo(dev, &bar1),
                       "nvmlDeviceGetBAR1MemoryInfo", err)) < 0)
                return -1;
        if (r)
                d->bar1 = (int64_t)(bar1.bar1Total >> 20);
        d->pci_bandwidth = GPU_NULL;
        int r1 = check(nvml, nvml->DeviceGetMaxPcieLinkGeneration(dev, &value),
                       "nvmlDeviceGetMaxPcieLinkGeneration", err);
        int r2 = r1 < 0 ? -1
                        : check(nvml, nvml->DeviceGetMaxPcieLinkWidth(dev, &value2),
                                "nvmlDeviceGetMaxPcieLinkWidth", err);
        if (r1 < 0 || r2 < 0)
                return -1;
        if (r1 && r2)
                d->pci_bandwidth = (int64_t)gpu_pcie_lane_bandwidth(value) * value2;
        d->clock_cores = d->clock_memory = GPU_NULL;
        if ((r = check(nvml, nvml->DeviceGetMaxClockInfo(dev, NVML_CLOCK_SM, &value),
                       "nvmlDeviceGetMaxClockInfo", err)) < 0)
                return -1;
        if (r)
                d->clock_cores = value;
        if ((r = check(nvml, nvml->DeviceGetMaxClockInfo(dev, NVML_CLOCK_MEM, &value),
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
                    discover_migs(s, i, &inv.devices[i], err) < 0)
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

/* ---- per-request queries ---- */

static int live_driver_version(void *context, char **out, struct error *err)
{
        struct gpu_source *s = context;
        char version[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
        nvmlReturn_t ret = s->nvml.SystemGetDriverVersion(version, sizeof(version));
        if (ret != NVML_SUCCESS)
                return nvml_set_error(&s->nvml, ret, err);
        *out = xstrdup(version);
        return 0;
}

static int live_cuda_version(void *context, char **out, struct error *err)
{
        struct gpu_source *s = context;
        int version = 0;
        nvmlReturn_t ret = NVML_ERROR_FUNCTION_NOT_FOUND;
        if (s->nvml.SystemGetCudaDriverVersion_v2 != NULL)
                ret = s->nvml.SystemGetCudaDriverVersion_v2(&version);
        if (ret != NVML_SUCCESS && s->nvml.SystemGetCudaDriverVersion != NULL)
                ret = s->nvml.SystemGetCudaDriverVersion(&version);
        if (ret != NVML_SUCCESS && s->cuda.library != NULL) {
                if (s->cuda.DriverGetVersion(&version) == 0)
                        ret = NVML_SUCCESS;
        }
        if (ret != NVML_SUCCESS) {
                nvml_set_error(&s->nvml, ret, err);
                return error_prefix(err, "cannot query the CUDA driver version");
        }
        *out = gpu_cuda_version_string(version);
        return 0;
}

#define STATUS_QUERY(call, name, assign)                                                           \
        do {                                                                                       \
                int r_ = check(nvml, (call), name, err);                                           \
                if (r_ < 0)                                                                        \
                        goto fail;                                                                 \
                if (r_) {                                                                          \
                        assign;                                                                    \
                }                                                                                  \
        } while (0)

static int query_processes(struct gpu_source *s, nvmlDevice_t dev, struct gpu_status *st,
                           struct error *err)
{
        const struct nvml *nvml = &s->nvml;
        unsigned int count = 32;
        for (int attempt = 0; attempt < 4; attempt++) {
                unsigned int capacity = count + 8; /* processes may start in between */
                unsigned int n = capacity;
                cleanup_free nvmlProcessInfo_v1_t *v1 = NULL;
                cleanup_free nvmlProcessInfo_v2_t *v3 = NULL;
                nvmlReturn_t ret;
                if (nvml->DeviceGetComputeRunningProcesses_v1 != NULL) {
                        v1 = xcalloc(capacity, sizeof(*v1));
                        ret = nvml->DeviceGetComputeRunningProcesses_v1(dev, &n, v1);
                } else {
                        v3 = xcalloc(capacity, sizeof(*v3));
                        ret = nvml->DeviceGetComputeRunningProcesses_v3(dev, &n, v3);
                }
                if (ret == NVML_ERROR_INSUFFICIENT_SIZE && n > count) {
                        count = n; /* 1.0.1 answered 500 past 32 processes */
                        continue;
                }
                int r = check(nvml, ret, "nvmlDeviceGetComputeRunningProcesses", err);
                if (r <= 0)
                        return r;
                if (n > capacity)
                        n = capacity;
                if (n == 0)
                        return 0;
                st->processes = xcalloc(n, sizeof(*st->processes));
                for (unsigned int i = 0; i < n; i++) {
                        unsigned int pid = v1 ? v1[i].pid : v3[i].pid;
                        unsigned long long used = v1 ? v1[i].usedGpuMemory : v3[i].usedGpuMemory;
                        struct gpu_process *p = &st->processes[st->process_count++];
                        char name[NVML_PROCESS_NAME_BUFFER_SIZE] = "";
                        /* A process may exit between the two calls: keep it with no name. */
                        if (nvml->SystemGetProcessName(pid, name, sizeof(name)) != NVML_SUCCESS)
                                name[0] = '\0';
                        p->pid = pid;
                        p->name = xstrdup(name);
                        p->memory_used =
                            used == NVML_VALUE_NOT_AVAILABLE_ULL ? GPU_NULL : (int64_t)(used >> 20);
                }
                return 0;
        }
        return error_set(err, "nvmlDeviceGetComputeRunningProcesses: process list keeps growing");
}

static int live_device_status(void *context, size_t index, struct gpu_status *st, struct error *err)
{
        struct gpu_source *s = context;
        const struct nvml *nvml = &s->nvml;
        gpu_status_init(st);
        if (index >= s->count)
                return error_set(err, "no GPU #%zu", index);
        nvmlDevice_t dev = s->handles[index];
        unsigned int v = 0, period = 0;
        nvmlUtilization_t util;
        nvmlMemory_t mem;
        nvmlBAR1Memory_t bar1;
        unsigned long long count = 0;

        STATUS_QUERY(nvml->DeviceGetPowerUsage(dev, &v), "nvmlDeviceGetPowerUsage",
                     st->power = v / 1000);
        STATUS_QUERY(nvml->DeviceGetTemperature(dev, NVML_TEMPERATURE_GPU, &v),
                     "nvmlDeviceGetTemperature", st->temperature = v);
        STATUS_QUERY(nvml->DeviceGetUtilizationRates(dev, &util), "nvmlDeviceGetUtilizationRates",
                     (st->util_gpu = util.gpu, st->util_memory = util.memory));
        STATUS_QUERY(nvml->DeviceGetEncoderUtilization(dev, &v, &period),
                     "nvmlDeviceGetEncoderUtilization", st->util_encoder = v);
        STATUS_QUERY(nvml->DeviceGetDecoderUtilization(dev, &v, &period),
                     "nvmlDeviceGetDecoderUtilization", st->util_decoder = v);
        STATUS_QUERY(nvml->DeviceGetMemoryInfo(dev, &mem), "nvmlDeviceGetMemoryInfo",
                     st->memory_used = (int64_t)(mem.used >> 20));
        STATUS_QUERY(nvml->DeviceGetMemoryErrorCounter(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                                       NVML_VOLATILE_ECC,
                                                       NVML_MEMORY_LOCATION_L1_CACHE, &count),
                     "nvmlDeviceGetMemoryErrorCounter", st->ecc_l1 = (int64_t)count);
        STATUS_QUERY(nvml->DeviceGetMemoryErrorCounter(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                                       NVML_VOLATILE_ECC,
                                                       NVML_MEMORY_LOCATION_L2_CACHE, &count),
                     "nvmlDeviceGetMemoryErrorCounter", st->ecc_l2 = (int64_t)count);
        STATUS_QUERY(nvml->DeviceGetMemoryErrorCounter(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                                       NVML_VOLATILE_ECC,
                                                       NVML_MEMORY_LOCATION_DEVICE_MEMORY, &count),
                     "nvmlDeviceGetMemoryErrorCounter", st->ecc_global = (int64_t)count);
        STATUS_QUERY(nvml->DeviceGetClockInfo(dev, NVML_CLOCK_SM, &v), "nvmlDeviceGetClockInfo",
                     st->clock_cores = v);
        STATUS_QUERY(nvml->DeviceGetClockInfo(dev, NVML_CLOCK_MEM, &v), "nvmlDeviceGetClockInfo",
                     st->clock_memory = v);
        STATUS_QUERY(nvml->DeviceGetBAR1MemoryInfo(dev, &bar1), "nvmlDeviceGetBAR1MemoryInfo",
                     st->bar1_used = (int64_t)(bar1.bar1Used >> 20));
        STATUS_QUERY(nvml->DeviceGetPcieThroughput(dev, NVML_PCIE_UTIL_RX_BYTES, &v),
                     "nvmlDeviceGetPcieThroughput", st->rx = v / 1000);
        STATUS_QUERY(nvml->DeviceGetPcieThroughput(dev, NVML_PCIE_UTIL_TX_BYTES, &v),
                     "nvmlDeviceGetPcieThroughput", st->tx = v / 1000);
        if (query_processes(s, dev, st, err) < 0)
                goto fail;
        return 0;
fail:
        gpu_status_destroy(st);
        return -1;
}

static int live_control_devices(void *context, struct strv *out, struct error *err)
{
        struct gpu_source *s = context;
        return device_nodes_control(s->dev_root, out, err);
}

static int live_modeset_device(void *context, struct strv *out, struct error *err)
{
        struct gpu_source *s = context;
        return device_nodes_modeset(s->dev_root, out, err);
}

static int live_mig_nodes(void *context, const struct gpu_mig_device *mig, struct error *err)
{
        struct gpu_source *s = context;
        if (device_nodes_ensure_cap(s->dev_root, s->caps_major, &mig->gi_cap, NULL, err) < 0 ||
            device_nodes_ensure_cap(s->dev_root, s->caps_major, &mig->ci_cap, NULL, err) < 0)
                return error_prefix(err, "MIG device %s", mig->uuid);
        return 0;
}

struct gpu_live gpu_source_live(struct gpu_source *source)
{
        struct gpu_live live = {
            .context = source,
            .driver_version = live_driver_version,
            .cuda_version = live_cuda_version,
            .device_status = live_device_status,
            .control_devices = live_control_devices,
            .modeset_device = live_modeset_device,
            .mig_nodes = live_mig_nodes,
        };
        return live;
}
