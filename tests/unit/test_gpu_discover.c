/*
 * Unit tests of GPU discovery (gpu_discover) against the FAKE libnvidia-ml.so.1 and libcuda.so.1
 * of build/fakes (NVD_BUILD), with a scratch proc root and dev root: MIG mode and MIG devices
 * (gaps in the MIG indexes, access files and the mig-minors fallback, GPUs that are not in MIG
 * mode, a MIG GPU that CUDA does not show), NVML without MIG, NVML and proc failures, and the
 * capability nodes made at start-up and again per request.
 *
 * The fakes are loaded once by path before the code under test asks for them by soname, which
 * then finds them already loaded; each scenario writes its own FAKE_NVML_CONFIG file, which the
 * fake NVML reads again at nvmlInit_v2.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "fake_root.h"
#include "nvidia-docker-plugin/gpu_discover.h"
#include "nvidia-docker-plugin/gpu_source_live.h"
#include "unit.h"

#define EXPECT_STR(expected, actual) CU_ASSERT_STRING_EQUAL(actual, expected)

static char *scratch;                         /* per test */
static char *dev_root, *sys_root, *proc_root; /* in scratch */
static int config_count;                      /* each config gets a new file name */

static void write_file(const char *name, const char *text)
{
        char *path = xasprintf("%s/%s", scratch, name);
        for (char *slash = path + strlen(scratch) + 1; (slash = strchr(slash, '/')) != NULL;
             slash++) {
                *slash = '\0';
                CU_ASSERT(mkdir(path, 0755) == 0 || errno == EEXIST);
                *slash = '/';
        }
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
        free(path);
}

static bool fakes_loaded(void)
{
        static void *nvml, *cuda;
        if (nvml == NULL) {
                const char *build = getenv("NVD_BUILD");
                char *path = xasprintf("%s/fakes/libnvidia-ml.so.1", build ? build : "build");
                nvml = dlopen(path, RTLD_NOW | RTLD_LOCAL);
                free(path);
                path = xasprintf("%s/fakes/libcuda.so.1", build ? build : "build");
                cuda = dlopen(path, RTLD_NOW | RTLD_LOCAL);
                free(path);
        }
        if (nvml == NULL || cuda == NULL)
                CU_FAIL("the fake NVML and CUDA libraries are not built (make fakes)");
        return nvml != NULL && cuda != NULL;
}

/* A GPU object of the fake's config: its identity plus what discovery asks for. */
#define GPU_JSON(uuid, minor, bus, extra)                                                          \
        "{\"uuid\":\"" uuid "\",\"minor\":" #minor ",\"bus_id\":\"" bus "\",\"name\":\"G\","       \
        "\"power_limit\":1000,\"bar1_total\":1048576,\"pcie_gen\":4,\"pcie_width\":16,"            \
        "\"max_clock_sm\":1,\"max_clock_mem\":2,\"topology\":\"NOT_SUPPORTED\"" extra "}"
#define CUDA_JSON                                                                                  \
        ",\"cuda\":{\"cc\":[8,0],\"sms\":108,\"ecc\":1,\"shared_per_sm\":1024,\"constant\":1024,"  \
        "\"l2\":1024,\"mem_clock_khz\":1000,\"bus_width\":8,\"total_mem\":1048576,"                \
        "\"peers\":[\"0000:08:00.0\",\"0000:07:00.0\"]}"
#define MIG_JSON(index, uuid, gi, ci, memory)                                                      \
        "{\"index\":" #index ",\"uuid\":\"" uuid "\",\"gpu_instance\":" #gi                        \
        ",\"compute_instance\":" #ci ",\"memory_total\":" memory ",\"memory_used\":0}"

/* GPU 0 in MIG mode with MIG devices 0:0 and 0:2 (gap), GPU 1 without MIG, GPU 2 MIG-capable
 * but not in MIG mode (enabled only at the next reset), GPU 3 in MIG mode without MIG devices
 * and not shown by CUDA. */
// clang-format off
#define GPU0 GPU_JSON("GPU-0000", 0, "0000:07:00.0",                                            \
                      ",\"mig_mode\":[1,1],\"max_mig_devices\":7,\"mig_devices\":["              \
                      MIG_JSON(0, "MIG-aaaa", 1, 0, "20937965568") ","                        \
                      MIG_JSON(2, "MIG-GPU-0000/2/1", 2, 1, "\"NOT_SUPPORTED\"") "]" CUDA_JSON)
#define GPU1 GPU_JSON("GPU-1111", 1, "0000:08:00.0", CUDA_JSON)
#define GPU2 GPU_JSON("GPU-2222", 4, "0000:09:00.0",                                            \
                      ",\"mig_mode\":[0,1],\"max_mig_devices\":7,\"mig_devices\":["              \
                      MIG_JSON(0, "MIG-bbbb", 1, 0, "1") "]" CUDA_JSON)
#define GPU3 GPU_JSON("GPU-3333", 5, "0000:0A:00.0",                                            \
                      ",\"mig_mode\":1,\"max_mig_devices\":7,\"mig_devices\":[]")
#define CONFIG(gpus) "{\"driver_version\":\"535.1\",\"cuda_version\":12020,\"gpus\":[" gpus "]}"
static const char mixed_config[] = CONFIG(GPU0 "," GPU1 "," GPU2 "," GPU3);
// clang-format on

#define DEVICES_FILE "Character devices:\n195 nvidia-frontend\n241 nvidia-caps\n\n"

/* The proc files of mixed_config: gi1 of GPU 0 by access files (the ci one read-only for the
 * owner), gi2 only in mig-minors. */
static void write_mixed_proc(void)
{
        write_file("proc/devices", DEVICES_FILE);
        write_file("proc/driver/nvidia/capabilities/gpu0/mig/gi1/access",
                   "DeviceFileMinor: 12\nDeviceFileMode: 292\nDeviceFileModify: 1\n");
        write_file("proc/driver/nvidia/capabilities/gpu0/mig/gi1/ci0/access",
                   "DeviceFileMinor: 13\nDeviceFileMode: 256\nDeviceFileModify: 1\n");
        write_file("proc/driver/nvidia-caps/mig-minors",
                   "config 1\nmonitor 2\ngpu0/gi1/access 12\ngpu0/gi1/ci0/access 13\n"
                   "gpu0/gi2/access 21\ngpu0/gi2/ci1/access 23\n");
}

/* Discovery with `config`; 0 and *inv, or -1 and *message. `no_mig` hides NVML's MIG
 * functions as a driver without them would. */
static int discover(const char *config, struct gpu_source *s, struct gpu_inventory *inv,
                    bool no_mig, char **message)
{
        char *name = xasprintf("config-%d.json", config_count++);
        write_file(name, config);
        char *path = xasprintf("%s/%s", scratch, name);
        setenv("FAKE_NVML_CONFIG", path, 1);
        free(path);
        free(name);
        mkdir(dev_root, 0755);
        struct error err = ERROR_INIT;
        int r = gpu_source_open(s, dev_root, sys_root, proc_root, &err);
        if (r == 0) {
                if (no_mig)
                        s->nvml.mig = false;
                r = gpu_discover(s, inv, &err);
        }
        *message = err.message ? xstrdup(err.message) : NULL;
        error_clear(&err);
        return r;
}

static void set_up(void)
{
        scratch = fake_tmpdir(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
        dev_root = xasprintf("%s/dev", scratch);
        sys_root = xasprintf("%s/sys", scratch);
        proc_root = xasprintf("%s/proc", scratch);
}

static void tear_down(void)
{
        fake_rmtree(scratch);
        free(scratch);
        free(dev_root);
        free(sys_root);
        free(proc_root);
        scratch = dev_root = sys_root = proc_root = NULL;
}

static void test_mixed(void)
{
        if (!fakes_loaded())
                return;
        set_up();
        write_mixed_proc();
        struct gpu_source s;
        struct gpu_inventory inv = {NULL, 0, 0};
        char *message = NULL;
        CU_ASSERT_EQUAL_FATAL(discover(mixed_config, &s, &inv, false, &message), 0);
        CU_ASSERT_EQUAL(inv.count, 4);
        CU_ASSERT_EQUAL(inv.caps_major, 241);

        const struct gpu_device *d = &inv.devices[0];
        CU_ASSERT(d->mig_enabled);
        CU_ASSERT_EQUAL_FATAL(d->mig_count, 2);
        const struct gpu_mig_device *m = &d->migs[0];
        EXPECT_STR("MIG-aaaa", m->uuid);
        CU_ASSERT_EQUAL(m->index, 0);
        CU_ASSERT_EQUAL(m->gpu_instance, 1);
        CU_ASSERT_EQUAL(m->compute_instance, 0);
        CU_ASSERT_EQUAL(m->memory, 19968);
        EXPECT_STR("/dev/nvidia-caps/nvidia-cap12", m->gi_cap.path);
        CU_ASSERT_EQUAL(m->gi_cap.minor, 12);
        CU_ASSERT_EQUAL(m->gi_cap.mode, 0444);
        EXPECT_STR("/dev/nvidia-caps/nvidia-cap13", m->ci_cap.path);
        CU_ASSERT_EQUAL(m->ci_cap.mode, 0400);
        m = &d->migs[1];
        EXPECT_STR("MIG-GPU-0000/2/1", m->uuid); /* an R450-style UUID */
        CU_ASSERT_EQUAL(m->index, 2);
        CU_ASSERT_EQUAL(m->gpu_instance, 2);
        CU_ASSERT_EQUAL(m->compute_instance, 1);
        CU_ASSERT_EQUAL(m->memory, GPU_NULL);
        EXPECT_STR("/dev/nvidia-caps/nvidia-cap21", m->gi_cap.path);
        EXPECT_STR("/dev/nvidia-caps/nvidia-cap23", m->ci_cap.path);
        CU_ASSERT_EQUAL(m->ci_cap.mode, 0444);
        CU_ASSERT_PTR_EQUAL(gpu_inventory_find_mig(&inv, 0, 2), m);
        CU_ASSERT_PTR_NULL(gpu_inventory_find_mig(&inv, 0, 1));
        CU_ASSERT_PTR_NULL(gpu_inventory_find_mig(&inv, 7, 0));
        EXPECT_STR("8.0", d->arch);
        CU_ASSERT_EQUAL(d->peer_count, 1); /* GPU 1 */

        CU_ASSERT(!inv.devices[1].mig_enabled);
        CU_ASSERT_EQUAL(inv.devices[1].mig_count, 0);
        CU_ASSERT(!inv.devices[2].mig_enabled); /* pending only */
        CU_ASSERT_EQUAL(inv.devices[2].mig_count, 0);

        d = &inv.devices[3];
        CU_ASSERT(d->mig_enabled);
        CU_ASSERT_EQUAL(d->mig_count, 0);
        EXPECT_STR("", d->arch); /* not a CUDA device: CUDA fields null */
        CU_ASSERT_PTR_NULL(d->family);
        CU_ASSERT_EQUAL(d->cores, GPU_NULL);
        CU_ASSERT_EQUAL(d->memory_global, GPU_NULL);
        CU_ASSERT_EQUAL(d->peer_count, 0);
        gpu_inventory_destroy(&inv);
        gpu_source_close(&s);
        free(message);
        tear_down();
}

static void test_without_mig(void)
{
        if (!fakes_loaded())
                return;
        set_up();
        write_mixed_proc();
        struct gpu_source s;
        struct gpu_inventory inv = {NULL, 0, 0};
        char *message = NULL;
        /* A driver without the MIG functions: every GPU as before, nothing read from proc
         * (without MIG mode, a GPU that CUDA does not show is still an error). */
        CU_ASSERT_EQUAL_FATAL(discover(CONFIG(GPU0 "," GPU1 "," GPU2), &s, &inv, true, &message),
                              0);
        CU_ASSERT_EQUAL(inv.count, 3);
        for (size_t i = 0; i < inv.count; i++) {
                CU_ASSERT(!inv.devices[i].mig_enabled);
                CU_ASSERT_EQUAL(inv.devices[i].mig_count, 0);
        }
        CU_ASSERT_EQUAL(inv.caps_major, 0);
        gpu_inventory_destroy(&inv);
        gpu_source_close(&s);
        /* A MIG-mode GPU without MIG devices needs no proc file at all. */
        fake_rmtree(proc_root);
        CU_ASSERT_EQUAL(discover(CONFIG(GPU3), &s, &inv, false, &message), 0);
        CU_ASSERT(inv.count == 1 && inv.devices[0].mig_enabled);
        gpu_inventory_destroy(&inv);
        gpu_source_close(&s);
        tear_down();
}

/* One MIG GPU whose MIG device 0:0 has `mig_extra` in its object, or whose GPU has
 * `gpu_extra` instead of the MIG keys. */
#define ONE_MIG_CONFIG(gpu_keys)                                                                   \
        "{\"driver_version\":\"535.1\",\"gpus\":[" GPU_JSON("GPU-0000", 0, "0000:07:00.0",         \
                                                            gpu_keys CUDA_JSON) "]}"
#define MIG_KEYS(mig_extra)                                                                        \
        ",\"mig_mode\":1,\"max_mig_devices\":7,\"mig_devices\":[{\"index\":0,"                     \
        "\"uuid\":\"MIG-aaaa\",\"gpu_instance\":1,\"compute_instance\":0,"                         \
        "\"memory_total\":1048576,\"memory_used\":0" mig_extra "}]"

static void expect_failure(const char *config, const char *expected)
{
        struct gpu_source s;
        struct gpu_inventory inv = {NULL, 0, 0};
        char *message = NULL;
        CU_ASSERT_EQUAL(discover(config, &s, &inv, false, &message), -1);
        CU_ASSERT_PTR_NOT_NULL(message);
        if (message != NULL && strstr(message, expected) == NULL) {
                fprintf(stderr, "\nexpected '%s' in '%s'\n", expected, message);
                CU_FAIL("unexpected error text");
        }
        CU_ASSERT_EQUAL(inv.count, 0);
        free(message);
        gpu_source_close(&s);
}

static void test_failures(void)
{
        if (!fakes_loaded())
                return;
        set_up();
        write_mixed_proc();
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS(",\"gpu_instance\":\"ERROR:999\"")),
                       "GPU #0 MIG device 0: nvmlDeviceGetGpuInstanceId: nvml: Unknown Error");
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS(",\"compute_instance\":\"ERROR:15\"")),
                       "GPU #0 MIG device 0: nvmlDeviceGetComputeInstanceId: nvml: GPU is lost");
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS(",\"uuid\":\"NOT_SUPPORTED\"")),
                       "unsupported MIG device 0:0: nvmlDeviceGetUUID is not supported");
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS(",\"memory_total\":\"ERROR:999\"")),
                       "GPU #0 MIG device 0: nvmlDeviceGetMemoryInfo: nvml: Unknown Error");
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS(",\"parent\":3")),
                       "GPU #0 MIG device 0: NVML gives it another parent GPU");
        expect_failure(ONE_MIG_CONFIG(",\"mig_mode\":\"ERROR:15\""),
                       "GPU #0: nvmlDeviceGetMigMode: nvml: GPU is lost");
        expect_failure(ONE_MIG_CONFIG(",\"mig_mode\":1,\"max_mig_devices\":\"ERROR:999\""),
                       "GPU #0: nvmlDeviceGetMaxMigDeviceCount: nvml: Unknown Error");
        expect_failure(ONE_MIG_CONFIG(",\"mig_mode\":1,\"max_mig_devices\":2,"
                                      "\"mig_devices\":\"ERROR:4\""),
                       "GPU #0 MIG device 0: nvmlDeviceGetMigDeviceHandleByIndex: nvml: "
                       "Insufficient Permissions");
        /* gi 3 has no access file and no mig-minors line. */
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS(",\"gpu_instance\":3")),
                       "MIG device MIG-aaaa (0:0): no capability minor: cannot open ");
        write_file("proc/devices", "Character devices:\n195 nvidia-frontend\n\n");
        expect_failure(ONE_MIG_CONFIG(MIG_KEYS("")), "lists no nvidia-caps character device");
        tear_down();
}

static bool can_mknod(void)
{
        char *path = xasprintf("%s/probe", scratch);
        bool ok = mknod(path, S_IFCHR | 0600, makedev(1, 3)) == 0;
        unlink(path);
        free(path);
        return ok;
}

static void expect_node(const char *name, unsigned int minor, unsigned int mode)
{
        char *path = xasprintf("%s/dev/nvidia-caps/%s", scratch, name);
        struct stat st;
        CU_ASSERT_EQUAL(stat(path, &st), 0);
        CU_ASSERT(S_ISCHR(st.st_mode) && major(st.st_rdev) == 241 && minor(st.st_rdev) == minor);
        CU_ASSERT_EQUAL(st.st_mode & 0777, mode);
        free(path);
}

static void test_nodes(void)
{
        if (!fakes_loaded())
                return;
        set_up();
        if (!can_mknod()) {
                fprintf(stderr, "(skipped: this process may not create device nodes) ");
                tear_down();
                return;
        }
        write_mixed_proc();
        static const char *gpu_nodes[] = {"nvidiactl", "nvidia0", "nvidia1", "nvidia4", "nvidia5"};
        for (size_t i = 0; i < 5; i++) {
                char *name = xasprintf("dev/%s", gpu_nodes[i]);
                write_file(name, "");
                free(name);
        }
        struct gpu_source s;
        struct gpu_inventory inv = {NULL, 0, 0};
        char *message = NULL;
        CU_ASSERT_EQUAL_FATAL(discover(mixed_config, &s, &inv, false, &message), 0);
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(gpu_check_device_nodes(&s, &inv, &err), 0);
        expect_node("nvidia-cap12", 12, 0444);
        expect_node("nvidia-cap13", 13, 0400);
        expect_node("nvidia-cap21", 21, 0444);
        expect_node("nvidia-cap23", 23, 0444);

        /* A node removed later is made again when a request needs it. */
        char *path = xasprintf("%s/dev/nvidia-caps/nvidia-cap13", scratch);
        CU_ASSERT_EQUAL(unlink(path), 0);
        struct gpu_live live = gpu_source_live(&s);
        CU_ASSERT_EQUAL(live.mig_nodes(live.context, &inv.devices[0].migs[0], &err), 0);
        expect_node("nvidia-cap13", 13, 0400);
        free(path);

        /* A GPU node missing is still the start-up error it was. */
        path = xasprintf("%s/dev/nvidia5", scratch);
        unlink(path);
        CU_ASSERT_EQUAL(gpu_check_device_nodes(&s, &inv, &err), -1);
        CU_ASSERT(err.message != NULL && strstr(err.message, "/dev/nvidia5 is missing") != NULL);
        error_clear(&err);
        free(path);
        gpu_inventory_destroy(&inv);
        gpu_source_close(&s);
        tear_down();
}

UNIT_MAIN("gpu_discover", UNIT(test_mixed), UNIT(test_without_mig), UNIT(test_failures),
          UNIT(test_nodes))
