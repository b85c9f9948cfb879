/* Unit tests of the REST API: routing and answers (rest_api, rest_docker, rest_path), bodies
 * (gpu_report, text_table, json_util), selection (device_select), gpu_inventory helpers and
 * http_query_parse, on a hand-made inventory: no NVML. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/json_util.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/device_select.h"
#include "nvidia-docker-plugin/gpu_report.h"
#include "nvidia-docker-plugin/http_server.h"
#include "nvidia-docker-plugin/rest_api.h"
#include "nvidia-docker-plugin/rest_path.h"
#include "nvidia-docker-plugin/text_table.h"
#include "unit.h"

#define EXPECT_STR(expected, actual) CU_ASSERT_STRING_EQUAL(actual, expected)

/* Device #2 of tests/fakes/gpus-3.json (1.0's reference answers): the one with NOT_SUPPORTED name
 * and power. */
static void reference_device2(struct gpu_device *d)
{
        memset(d, 0, sizeof(*d));
        d->uuid = xstrdup("GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19");
        d->path = xstrdup("/dev/nvidia2");
        d->minor = 2;
        d->model = NULL;
        d->power = GPU_NULL;
        d->cpu_affinity = 1;
        strcpy(d->bus_id, "0000:82:00.0");
        d->bar1 = 256;
        d->pci_bandwidth = 15760;
        d->clock_cores = 1911;
        d->clock_memory = 5005;
        d->family = gpu_family(6);
        strcpy(d->arch, "6.1");
        d->cores = 2560;
        d->ecc = false;
        d->memory_global = 8113;
        d->memory_shared = 96;
        d->memory_constant = 64;
        d->memory_l2 = 2048;
        d->memory_bandwidth = 320320;
}

static void test_text_table_runs(void)
{
        struct text_table t = TEXT_TABLE_INIT;
        struct buf b = BUF_INIT;
        text_table_text(&t, "  Clocks");
        text_table_row(&t, "    Cores:", "1911 MHz");
        text_table_row(&t, "    Memory:", "5005 MHz");
        text_table_row(&t, "  P2P Available:", "None");
        text_table_text(&t, "%s", "");
        text_table_row(&t, "  A:", "x");
        text_table_row(&t, "  Temperature:",
                       "34 \xc2\xb0"
                       "C");
        text_table_flush(&t, &b);
        EXPECT_STR("  Clocks\n"
                   "    Cores:        1911 MHz\n"
                   "    Memory:       5005 MHz\n"
                   "  P2P Available:  None\n"
                   "\n"
                   "  A:            x\n"
                   "  Temperature:  34 \xc2\xb0"
                   "C\n",
                   b.data);
        buf_destroy(&b);
}

static void test_json_escaping(void)
{
        struct buf b = BUF_INIT;
        json_append_string(&b, "<a&b>\"\\\n\r\t\x01\x1f");
        EXPECT_STR("\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\r\\t\\u0001\\u001f\"", b.data);
        buf_destroy(&b);
        json_append_string(&b, "bad\xff\xc3(\xe2\x80\xa8\xe2\x80\xa9 \xc3\xa9 \xf0\x9f\x98\x80");
        EXPECT_STR("\"bad\\ufffd\\ufffd(\\u2028\\u2029 \xc3\xa9 \xf0\x9f\x98\x80\"", b.data);
        buf_destroy(&b);
        json_append_stringn(&b, "\xed\xa0\x80", 3); /* a UTF-16 surrogate is invalid UTF-8 */
        EXPECT_STR("\"\\ufffd\\ufffd\\ufffd\"", b.data);
        buf_destroy(&b);
        json_append_nullable_int(&b, GPU_NULL);
        json_append_nullable_int(&b, 0);
        json_append_nullable_string(&b, NULL);
        EXPECT_STR("null0null", b.data);
        buf_destroy(&b);
}

static void test_info_json_reference_device(void)
{
        struct gpu_device d;
        reference_device2(&d);
        struct gpu_inventory inv = {&d, 1, 0};
        struct buf b = BUF_INIT;
        gpu_report_info_json(&inv, "375.39", "8.0", &b);
        EXPECT_STR("{\"Version\":{\"Driver\":\"375.39\",\"CUDA\":\"8.0\"},\"Devices\":[{\"UUID\":"
                   "\"GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19\",\"Path\":\"/dev/nvidia2\","
                   "\"Model\":null,\"Power\":null,\"CPUAffinity\":1,\"PCI\":{\"BusID\":\"0000:"
                   "82:00.0\",\"BAR1\":256,\"Bandwidth\":15760},\"Clocks\":{\"Cores\":1911,"
                   "\"Memory\":5005},\"Topology\":null,\"Family\":\"Pascal\",\"Arch\":\"6.1\","
                   "\"Cores\":2560,\"Memory\":{\"ECC\":false,\"Global\":8113,\"Shared\":96,"
                   "\"Constant\":64,\"L2Cache\":2048,\"Bandwidth\":320320}}]}\n",
                   b.data);
        buf_destroy(&b);
        gpu_report_info_text(&inv, "375.39", "8.0", &b);
        EXPECT_STR("\n"
                   "Driver version:          375.39\n"
                   "Supported CUDA version:  8.0\n"
                   "\n"
                   "Device #0\n"
                   "  Model:         N/A\n"
                   "  UUID:          GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19\n"
                   "  Path:          /dev/nvidia2\n"
                   "  Family:        Pascal\n"
                   "  Arch:          6.1\n"
                   "  Cores:         2560\n"
                   "  Power:         N/A\n"
                   "  CPU Affinity:  NUMA node1\n"
                   "  PCI\n"
                   "    Bus ID:     0000:82:00.0\n"
                   "    BAR1:       256 MiB\n"
                   "    Bandwidth:  15760 MB/s\n"
                   "  Memory\n"
                   "    ECC:        false\n"
                   "    Global:     8113 MiB\n"
                   "    Constant:   64 KiB\n"
                   "    Shared:     96 KiB\n"
                   "    L2 Cache:   2048 KiB\n"
                   "    Bandwidth:  320320 MB/s\n"
                   "  Clocks\n"
                   "    Cores:        1911 MHz\n"
                   "    Memory:       5005 MHz\n"
                   "  P2P Available:  None\n"
                   "\n",
                   b.data);
        buf_destroy(&b);
        free(d.uuid);
        free(d.path);
}

static void test_zero_devices(void)
{
        struct gpu_inventory inv = {NULL, 0, 0};
        struct buf b = BUF_INIT;
        gpu_report_info_text(&inv, "580.159.04", "13.0", &b);
        EXPECT_STR("\nDriver version:          580.159.04\nSupported CUDA version:  13.0\n\n",
                   b.data);
        buf_destroy(&b);
        gpu_report_info_json(&inv, "580.159.04", "13.0", &b);
        EXPECT_STR("{\"Version\":{\"Driver\":\"580.159.04\",\"CUDA\":\"13.0\"},\"Devices\":[]}\n",
                   b.data);
        buf_destroy(&b);
        gpu_report_status_text(&inv, NULL, &b);
        EXPECT_STR("\n", b.data);
        buf_destroy(&b);
        gpu_report_status_json(&inv, NULL, &b);
        EXPECT_STR("{\"Devices\":[]}\n", b.data);
        buf_destroy(&b);
}

static void test_status_nulls(void)
{
        struct gpu_device d;
        reference_device2(&d);
        struct gpu_inventory inv = {&d, 1, 0};
        struct gpu_status s;
        gpu_status_init(&s);
        s.ecc_global = 0;
        s.memory_used = 1;
        struct gpu_process p = {7, (char *)"x<y", GPU_NULL};
        s.processes = &p;
        s.process_count = 1;
        struct buf b = BUF_INIT;
        gpu_report_status_json(&inv, &s, &b);
        EXPECT_STR("{\"Devices\":[{\"Power\":null,\"Temperature\":null,\"Utilization\":{\"GPU\":"
                   "null,\"Memory\":null,\"Encoder\":null,\"Decoder\":null},\"Memory\":{"
                   "\"GlobalUsed\":1,\"ECCErrors\":{\"L1Cache\":null,\"L2Cache\":null,\"Global\":"
                   "0}},\"Clocks\":{\"Cores\":null,\"Memory\":null},\"PCI\":{\"BAR1Used\":null,"
                   "\"Throughput\":{\"RX\":null,\"TX\":null}},\"Processes\":[{\"PID\":7,\"Name\":"
                   "\"x\\u003cy\",\"MemoryUsed\":null}]}]}\n",
                   b.data);
        buf_destroy(&b);
        gpu_report_status_text(&inv, &s, &b);
        EXPECT_STR("\n"
                   "Device #0\n"
                   "  Power:        N/A\n"
                   "  Temperature:  N/A\n"
                   "  Utilization\n"
                   "    GPU:      N/A\n"
                   "    Memory:   N/A\n"
                   "    Encoder:  N/A\n"
                   "    Decoder:  N/A\n"
                   "  Memory\n"
                   "    Global:  1 / 8113 MiB\n"
                   "    ECC Errors\n"
                   "      L1 Cache:  N/A\n"
                   "      L2 Cache:  N/A\n"
                   "      Global:    0\n"
                   "  PCI\n"
                   "    BAR1:  N/A\n"
                   "    Throughput\n"
                   "      RX:  N/A\n"
                   "      TX:  N/A\n"
                   "  Clocks\n"
                   "    Cores:   N/A\n"
                   "    Memory:  N/A\n"
                   "  Processes\n"
                   "    - PID:     7\n"
                   "      Name:    x<y\n"
                   "      Memory:  N/A\n"
                   "\n",
                   b.data);
        buf_destroy(&b);
        free(d.uuid);
        free(d.path);
}

/* Three GPUs whose UUIDs share prefixes. */
static struct gpu_device three[3];
static struct gpu_inventory three_inv = {three, 3, 0};

static void setup_three(void)
{
        static const char *uuids[] = {"GPU-1a00", "GPU-1b00", "GPU-2000"};
        for (int i = 0; i < 3; i++) {
                three[i].uuid = (char *)uuids[i];
                three[i].minor = (unsigned)(3 - i);
        }
}

/* The choices as "<gpu>;" or "<gpu>:<mig index>;", or the error text. */
static char *select_in(const struct gpu_inventory *inv, const char *dev)
{
        struct error err = ERROR_INIT;
        struct device_choice *chosen = NULL;
        size_t count = 0;
        if (device_select_parse(inv, dev, &chosen, &count, &err) < 0) {
                char *msg = xstrdup(err.message);
                error_clear(&err);
                return msg;
        }
        struct buf b = BUF_INIT;
        for (size_t i = 0; i < count; i++) {
                if (chosen[i].mig != NULL)
                        buf_printf(&b, "%zu:%u;", chosen[i].gpu, chosen[i].mig->index);
                else
                        buf_printf(&b, "%zu;", chosen[i].gpu);
        }
        free(chosen);
        return buf_steal(&b);
}

static char *select_text(const char *dev)
{
        setup_three();
        return select_in(&three_inv, dev);
}

#define EXPECT_SELECT(dev, expected)                                                               \
        do {                                                                                       \
                char *got_ = select_text(dev);                                                     \
                EXPECT_STR(expected, got_);                                                        \
                free(got_);                                                                        \
        } while (0)

static void test_select_devices(void)
{
        EXPECT_SELECT(NULL, "0;1;2;");
        EXPECT_SELECT("", "0;1;2;");
        EXPECT_SELECT("*", "0;1;2;");
        EXPECT_SELECT("2 0", "2;0;");
        EXPECT_SELECT("2 GPU-2 0 +0 00", "2;0;");
        EXPECT_SELECT("GPU-1b 1", "1;");
        EXPECT_SELECT("-0", "0;");
        EXPECT_SELECT("3", "invalid device: 3");
        EXPECT_SELECT("-1", "invalid device: -1");
        EXPECT_SELECT("0,1", "invalid device: 0,1");
        EXPECT_SELECT("0  1", "invalid device: ");
        EXPECT_SELECT("0 ", "invalid device: ");
        EXPECT_SELECT("* 0", "invalid device: *");
        EXPECT_SELECT("99999999999999999999", "invalid device: 99999999999999999999");
        EXPECT_SELECT("GPU-1", "invalid device: GPU-1 (ambiguous: GPU-1a00, GPU-1b00)");
        EXPECT_SELECT("GPU-3", "invalid device: GPU-3");
        EXPECT_SELECT("gpu-2000", "invalid device: gpu-2000");
        EXPECT_SELECT("MIG-1", "invalid device: MIG-1");
        /* Without MIG-mode GPUs the MIG forms find nothing; none is no GPU. */
        EXPECT_SELECT("0:0", "invalid device: 0:0 (GPU 0 is not in MIG mode)");
        EXPECT_SELECT("3:0", "invalid device: 3:0");
        EXPECT_SELECT("none", "");
        EXPECT_SELECT("none 0", "invalid device: none");
        EXPECT_SELECT("0 none", "invalid device: none");
}

static void test_clean_path(void)
{
        static const char *cases[][2] = {
            {"/gpu/info", "/gpu/info"},
            {"//gpu/info", "/gpu/info"},
            {"/gpu/./info", "/gpu/info"},
            {"/a/../gpu/info", "/gpu/info"},
            {"/..", "/"},
            {"/../a/", "/a/"},
            {"/a//", "/a/"},
            {"/", "/"},
            {"", "/"},
            {"a/b", "/a/b"},
            {"/a/b/../../..", "/"},
            {"/a/..b/.c", "/a/..b/.c"},
            {"/gpu/info/.", "/gpu/info"},
            {"/gpu/info/./", "/gpu/info/"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = rest_path_clean(cases[i][0]);
                EXPECT_STR(cases[i][1], got);
                free(got);
        }
}

static void test_query_parse(void)
{
        struct http_query_param *p;
        size_t n;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(
            http_query_parse("dev=0+1&vol=a%20b;x=1&=v&dev=2&flag&&", &p, &n, &err), 0);
        CU_ASSERT_EQUAL_FATAL(n, 5);
        EXPECT_STR("dev", p[0].key);
        EXPECT_STR("0 1", p[0].value);
        EXPECT_STR("vol", p[1].key);
        EXPECT_STR("a b", p[1].value);
        EXPECT_STR("x", p[2].key);
        EXPECT_STR("dev", p[3].key);
        EXPECT_STR("2", p[3].value);
        EXPECT_STR("flag", p[4].key);
        EXPECT_STR("", p[4].value);
        struct http_request r = {.query = p, .query_count = n};
        EXPECT_STR("0 1", http_request_query(&r, "dev"));
        CU_ASSERT_PTR_NULL(http_request_query(&r, "bad"));
        http_query_free(p, n);
        CU_ASSERT_EQUAL(http_query_parse(NULL, &p, &n, &err), 0);
        CU_ASSERT_EQUAL(n, 0);
        http_query_free(p, n);
        /* Malformed pairs fail the query, naming the pair, instead of being dropped. */
        static const char *const bad[][2] = {
            {"dev=0%00xyz", "invalid query parameter: dev=0%00xyz (NUL byte)"},
            {"dev=%zz", "invalid query parameter: dev=%zz (bad %-escape)"},
            {"vol=nvidia_driver&dev=%", "invalid query parameter: dev=% (bad %-escape)"},
            {"dev=%4", "invalid query parameter: dev=%4 (bad %-escape)"},
            {"vol=nvidia_driver%00junk",
             "invalid query parameter: vol=nvidia_driver%00junk (NUL byte)"},
            {"%zz=1", "invalid query parameter: %zz=1 (bad %-escape)"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                p = (void *)1;
                CU_ASSERT_EQUAL(http_query_parse(bad[i][0], &p, &n, &err), -1);
                CU_ASSERT_PTR_NULL(p);
                CU_ASSERT_EQUAL(n, 0);
                EXPECT_STR(bad[i][1], err.message);
                error_clear(&err);
        }
}

static void test_tables(void)
{
        CU_ASSERT_PTR_NULL(gpu_family(7));
        CU_ASSERT_PTR_NULL(gpu_family(9));
        EXPECT_STR("Maxwell", gpu_family(5));
        CU_ASSERT_EQUAL(gpu_cores_per_sm(6, 0), 64);
        CU_ASSERT_EQUAL(gpu_cores_per_sm(2, 1), 48);
        CU_ASSERT_EQUAL(gpu_cores_per_sm(3, 7), 192);
        CU_ASSERT_EQUAL(gpu_cores_per_sm(9, 0), 0);
        CU_ASSERT_EQUAL(gpu_cores_per_sm(7, 0), 0);
        CU_ASSERT_EQUAL(gpu_pcie_lane_bandwidth(3), 985);
        CU_ASSERT_EQUAL(gpu_pcie_lane_bandwidth(4), 1969);
        CU_ASSERT_EQUAL(gpu_pcie_lane_bandwidth(5), 0);
        CU_ASSERT_EQUAL(gpu_link_from_topology(10), 5);
        CU_ASSERT_EQUAL(gpu_link_from_topology(40), 2);
        CU_ASSERT_EQUAL(gpu_link_from_topology(60), 0);
        EXPECT_STR("Cross CPU socket", gpu_link_text(1));
        EXPECT_STR("N/A", gpu_link_text(9));
        char *v = gpu_cuda_version_string(12020);
        EXPECT_STR("12.2", v);
        free(v);
        v = gpu_cuda_version_string(13000);
        EXPECT_STR("13.0", v);
        free(v);
        v = gpu_cuda_version_string(8000);
        EXPECT_STR("8.0", v);
        free(v);
}

/* A gpu_live whose answers a test sets. */
static int fail_status, fail_driver;
static int live_driver(void *c, char **out, struct error *err)
{
        if (fail_driver)
                return error_set(err, "nvml: Unknown Error");
        *out = xstrdup("375.39");
        return 0;
}
static int live_cuda(void *c, char **out, struct error *err)
{
        *out = xstrdup("8.0");
        return 0;
}
static int live_status(void *c, size_t i, struct gpu_status *s, struct error *err)
{
        gpu_status_init(s);
        if (fail_status)
                return error_set(err, "nvml: GPU is lost");
        return 0;
}
static int live_control(void *c, struct strv *out, struct error *err)
{
        strv_push(out, "/dev/nvidiactl");
        strv_push(out, "/dev/nvidia-uvm");
        return 0;
}

static int has_modeset;
static int live_modeset(void *c, struct strv *out, struct error *err)
{
        if (has_modeset)
                strv_push(out, "/dev/nvidia-modeset");
        return 0;
}
static bool toolkit; /* what handle() gives the API as nvidia_runtime */

static void handle(const char *method, const char *path, const char *query,
                   struct http_response *resp)
{
        setup_three();
        for (int i = 0; i < 3; i++)
                three[i].path = (char *)(i == 0   ? "/dev/nvidia3"
                                         : i == 1 ? "/dev/nvidia2"
                                                  : "/dev/nvidia1");
        struct rest_api api = {
            &three_inv,
            {NULL, live_driver, live_cuda, live_status, live_control, live_modeset, NULL},
            toolkit,
            NULL,
            NULL};
        struct http_query_param *p;
        size_t n;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(http_query_parse(query, &p, &n, &err), 0);
        struct http_request req = {
            .method = method, .path = path, .query = p, .query_count = n, .query_string = query};
        memset(resp, 0, sizeof(*resp));
        rest_api_handle(&api, &req, resp);
        http_query_free(p, n);
}

/* "NvidiaRuntime":true only on hosts with NVIDIA's toolkit: 1.0 answers stay exact. */
static void test_nvidia_runtime_field(void)
{
        struct http_response r;
        const char *plain =
            "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_375.39:"
            "/usr/local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/"
            "nvidia-uvm\"]}\n";
        handle("GET", "/v1.0/docker/cli/json", "dev=none", &r);
        EXPECT_STR(plain, r.body);
        http_response_destroy(&r);
        toolkit = true;
        handle("GET", "/v1.0/docker/cli/json", "dev=none", &r);
        toolkit = false;
        EXPECT_STR("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_375.39:/usr/"
                   "local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\"],"
                   "\"NvidiaRuntime\":true}\n",
                   r.body);
        http_response_destroy(&r);
}

static void test_handler(void)
{
        struct http_response r;
        handle("GET", "/v1.0/docker/cli", "dev=GPU-2+0", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        EXPECT_STR(
            "--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro "
            "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia1 "
            "--device=/dev/nvidia3",
            r.body);
        EXPECT_STR("text/plain; charset=utf-8", r.content_type);
        http_response_destroy(&r);

        /* Compose: the chosen GPUs' nodes, in the caller's order. */
        handle("GET", "/v1.0/docker/compose", "service=cuda&dev=1+2", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "      - /dev/nvidia-uvm\n      - /dev/nvidia2\n"
                                              "      - /dev/nvidia1\n"));
        CU_ASSERT_PTR_NULL(strstr(r.body, "/dev/nvidia3"));
        http_response_destroy(&r);

        handle("GET", "/docker/cli/json", "dev=GPU-1", &r);
        CU_ASSERT_EQUAL(r.status, 400);
        EXPECT_STR("invalid device: GPU-1 (ambiguous: GPU-1a00, GPU-1b00)\n", r.body);
        http_response_destroy(&r);

        handle("HEAD", "/gpu/info", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 404);
        EXPECT_STR("404 page not found\n", r.body);
        http_response_destroy(&r);

        handle("GET", "/v1.0//gpu/../gpu/info", "a=1&b", &r);
        CU_ASSERT_EQUAL(r.status, 301);
        EXPECT_STR("/v1.0/gpu/info?a=1&b", r.location);
        EXPECT_STR("<a href=\"/v1.0/gpu/info?a=1&amp;b\">Moved Permanently</a>.\n\n", r.body);
        http_response_destroy(&r);

        handle("POST", "/gpu//info", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 301);
        CU_ASSERT_PTR_NULL(r.body);
        http_response_destroy(&r);

        fail_status = 1;
        handle("GET", "/gpu/status/json", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 500);
        EXPECT_STR("internal error, check logs for details\n", r.body);
        http_response_destroy(&r);
        fail_status = 0;

        fail_driver = 1;
        handle("GET", "/docker/cli", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 400);
        EXPECT_STR("nvml: Unknown Error\n", r.body);
        http_response_destroy(&r);
        handle("GET", "/gpu/info", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 500);
        http_response_destroy(&r);
        fail_driver = 0;

        handle("GET", "/gpu/%zz", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 404);
        http_response_destroy(&r);

        /* The CDI spec: under /v1.0/ only; 503 with the reason while there is none. */
        handle("GET", "/v1.0/cdi/spec", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 503);
        EXPECT_STR("this plugin publishes no CDI spec (started with -cdi=)\n", r.body);
        http_response_destroy(&r);
        handle("GET", "/cdi/spec", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 404);
        http_response_destroy(&r);
        handle("POST", "/v1.0/cdi/spec.json", NULL, &r);
        CU_ASSERT_EQUAL(r.status, 404);
        http_response_destroy(&r);
}

/* ---- MIG ---- */

/* GPU 0 in MIG mode with MIG devices 0:0, 0:1 and 0:3 (0:1 and 0:3 share GPU instance 2),
 * GPU 1 a plain GPU, GPU 2 in MIG mode without MIG devices. */
static struct gpu_mig_device mig0[3];
static struct gpu_device mixed[3];
static struct gpu_inventory mixed_inv = {mixed, 3, 241};

static void set_cap(struct gpu_cap_node *cap, unsigned int minor, char *path)
{
        cap->minor = minor;
        cap->path = path;
        cap->mode = 0444;
        cap->modify = true;
}

static void setup_mixed(void)
{
        static const char *uuids[] = {"MIG-11aa0000-0000-0000-0000-000000000000",
                                      "MIG-11bb0000-0000-0000-0000-000000000000",
                                      "MIG-22cc0000-0000-0000-0000-000000000000"};
        static const unsigned int index[] = {0, 1, 3}, gi[] = {1, 2, 2}, ci[] = {0, 0, 1};
        static char *gi_path[] = {"/dev/nvidia-caps/nvidia-cap12", "/dev/nvidia-caps/nvidia-cap21",
                                  "/dev/nvidia-caps/nvidia-cap21"};
        static char *ci_path[] = {"/dev/nvidia-caps/nvidia-cap13", "/dev/nvidia-caps/nvidia-cap22",
                                  "/dev/nvidia-caps/nvidia-cap23"};
        static const unsigned int gi_minor[] = {12, 21, 21}, ci_minor[] = {13, 22, 23};
        memset(mig0, 0, sizeof(mig0));
        memset(mixed, 0, sizeof(mixed));
        for (int m = 0; m < 3; m++) {
                mig0[m].uuid = (char *)uuids[m];
                mig0[m].index = index[m];
                mig0[m].gpu_instance = gi[m];
                mig0[m].compute_instance = ci[m];
                mig0[m].memory = m == 2 ? GPU_NULL : 9856;
                set_cap(&mig0[m].gi_cap, gi_minor[m], gi_path[m]);
                set_cap(&mig0[m].ci_cap, ci_minor[m], ci_path[m]);
        }
        static const char *gpu_uuids[] = {"GPU-aaaa", "GPU-bbbb", "GPU-cccc"};
        static char *paths[] = {"/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia2"};
        for (int i = 0; i < 3; i++) {
                mixed[i].uuid = (char *)gpu_uuids[i];
                mixed[i].path = paths[i];
                mixed[i].minor = (unsigned)i;
        }
        mixed[0].mig_enabled = true;
        mixed[0].migs = mig0;
        mixed[0].mig_count = 3;
        mixed[2].mig_enabled = true;
}

#define EXPECT_MIXED(dev, expected)                                                                \
        do {                                                                                       \
                setup_mixed();                                                                     \
                char *got_ = select_in(&mixed_inv, dev);                                           \
                EXPECT_STR(expected, got_);                                                        \
                free(got_);                                                                        \
        } while (0)

static void test_select_mig(void)
{
        /* All GPUs means the GPUs, as in 1.0: MIG devices only when named. */
        EXPECT_MIXED(NULL, "0;1;2;");
        EXPECT_MIXED("*", "0;1;2;");
        EXPECT_MIXED("none", "");
        EXPECT_MIXED("0:1", "0:1;");
        EXPECT_MIXED("0:3 0:0", "0:3;0:0;");
        EXPECT_MIXED("+0:01", "0:1;");
        EXPECT_MIXED("MIG-22", "0:3;");
        EXPECT_MIXED("MIG-11bb0000-0000-0000-0000-000000000000", "0:1;");
        EXPECT_MIXED("0:1 MIG-11bb 0:1 00:1", "0:1;");
        EXPECT_MIXED("0 0:0 1 MIG-11a", "0;0:0;1;");
        EXPECT_MIXED("MIG-1", "invalid device: MIG-1 (ambiguous: "
                              "MIG-11aa0000-0000-0000-0000-000000000000, "
                              "MIG-11bb0000-0000-0000-0000-000000000000)");
        EXPECT_MIXED("MIG-", "invalid device: MIG- (ambiguous: "
                             "MIG-11aa0000-0000-0000-0000-000000000000, "
                             "MIG-11bb0000-0000-0000-0000-000000000000, "
                             "MIG-22cc0000-0000-0000-0000-000000000000)");
        EXPECT_MIXED("GPU-", "invalid device: GPU- (ambiguous: GPU-aaaa, GPU-bbbb, GPU-cccc)");
        EXPECT_MIXED("MIG-33", "invalid device: MIG-33");
        EXPECT_MIXED("0:2", "invalid device: 0:2 (GPU 0 has the MIG devices 0:0, 0:1, 0:3)");
        EXPECT_MIXED("1:0", "invalid device: 1:0 (GPU 1 is not in MIG mode)");
        EXPECT_MIXED("2:0", "invalid device: 2:0 (GPU 2 has no MIG device)");
        EXPECT_MIXED("3:0", "invalid device: 3:0");
        EXPECT_MIXED("0:", "invalid device: 0:");
        EXPECT_MIXED("0:-1", "invalid device: 0:-1");
        EXPECT_MIXED("-0:1", "invalid device: -0:1");
        EXPECT_MIXED("0:1:2", "invalid device: 0:1:2");
        EXPECT_MIXED("0:99999999999", "invalid device: 0:99999999999 (GPU 0 has the MIG devices "
                                      "0:0, 0:1, 0:3)");
        EXPECT_MIXED("0:x", "invalid device: 0:x");
}

static void test_info_mig(void)
{
        struct gpu_device d[2];
        reference_device2(&d[0]);
        reference_device2(&d[1]);
        setup_mixed();
        d[0].mig_enabled = true;
        d[0].migs = mig0;
        d[0].mig_count = 2;
        d[1].mig_enabled = true;
        struct gpu_inventory inv = {d, 2, 241};
        struct buf b = BUF_INIT;
        gpu_report_info_json(&inv, "580.159.04", "13.0", &b);
        const char *device = "\"Path\":\"/dev/nvidia2\",\"Model\":null,\"Power\":null,"
                             "\"CPUAffinity\":1,\"PCI\":{\"BusID\":\"0000:82:00.0\",\"BAR1\":256,"
                             "\"Bandwidth\":15760},\"Clocks\":{\"Cores\":1911,\"Memory\":5005},"
                             "\"Topology\":null,\"Family\":\"Pascal\",\"Arch\":\"6.1\","
                             "\"Cores\":2560,\"Memory\":{\"ECC\":false,\"Global\":8113,"
                             "\"Shared\":96,\"Constant\":64,\"L2Cache\":2048,\"Bandwidth\":320320}";
        cleanup_free char *expected =
            xasprintf("{\"Version\":{\"Driver\":\"580.159.04\",\"CUDA\":\"13.0\"},\"Devices\":["
                      "{\"UUID\":\"GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19\",%s,\"MIG\":["
                      "{\"UUID\":\"MIG-11aa0000-0000-0000-0000-000000000000\",\"Index\":\"0:0\","
                      "\"GPUInstance\":1,\"ComputeInstance\":0,\"Memory\":9856,\"Devices\":["
                      "\"/dev/nvidia-caps/nvidia-cap12\",\"/dev/nvidia-caps/nvidia-cap13\"]},"
                      "{\"UUID\":\"MIG-11bb0000-0000-0000-0000-000000000000\",\"Index\":\"0:1\","
                      "\"GPUInstance\":2,\"ComputeInstance\":0,\"Memory\":9856,\"Devices\":["
                      "\"/dev/nvidia-caps/nvidia-cap21\",\"/dev/nvidia-caps/nvidia-cap22\"]}]},"
                      "{\"UUID\":\"GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19\",%s,\"MIG\":[]}]}\n",
                      device, device);
        EXPECT_STR(expected, b.data);
        buf_destroy(&b);

        d[0].mig_count = 3; /* 0:3 has no memory figure */
        gpu_report_info_text(&inv, "580.159.04", "13.0", &b);
        const char *tail = "  Clocks\n"
                           "    Cores:        1911 MHz\n"
                           "    Memory:       5005 MHz\n"
                           "  P2P Available:  None\n";
        cleanup_free char *expected_text = xasprintf(
            "%s"
            "  MIG Devices\n"
            "    Device 0:0\n"
            "      UUID:              MIG-11aa0000-0000-0000-0000-000000000000\n"
            "      GPU Instance:      1\n"
            "      Compute Instance:  0\n"
            "      Memory:            9856 MiB\n"
            "      Devices:           /dev/nvidia-caps/nvidia-cap12 /dev/nvidia-caps/nvidia-cap13\n"
            "    Device 0:1\n"
            "      UUID:              MIG-11bb0000-0000-0000-0000-000000000000\n"
            "      GPU Instance:      2\n"
            "      Compute Instance:  0\n"
            "      Memory:            9856 MiB\n"
            "      Devices:           /dev/nvidia-caps/nvidia-cap21 /dev/nvidia-caps/nvidia-cap22\n"
            "    Device 0:3\n"
            "      UUID:              MIG-22cc0000-0000-0000-0000-000000000000\n"
            "      GPU Instance:      2\n"
            "      Compute Instance:  1\n"
            "      Memory:            N/A\n"
            "      Devices:           /dev/nvidia-caps/nvidia-cap21 /dev/nvidia-caps/nvidia-cap23\n"
            "\n"
            "Device #1\n",
            tail);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, expected_text));
        cleanup_free char *expected_end = xasprintf("%s  MIG Devices:  None\n\n", tail);
        size_t len = strlen(b.data), end_len = strlen(expected_end);
        CU_ASSERT(len > end_len && strcmp(b.data + len - end_len, expected_end) == 0);
        buf_destroy(&b);
        for (int i = 0; i < 2; i++) {
                free(d[i].uuid);
                free(d[i].path);
        }
}

static int mig_nodes_calls, mig_nodes_fail;
static int live_mig_nodes(void *c, const struct gpu_mig_device *mig, struct error *err)
{
        mig_nodes_calls++;
        if (mig_nodes_fail)
                return error_set(err, "MIG device %s: cannot create the MIG capability node",
                                 mig->uuid);
        return 0;
}

static void handle_mixed(const char *path, const char *query, struct http_response *resp)
{
        setup_mixed();
        struct rest_api api = {
            &mixed_inv,
            {NULL, live_driver, live_cuda, live_status, live_control, NULL, live_mig_nodes},
            false,
            NULL,
            NULL};
        struct http_query_param *p;
        size_t n;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(http_query_parse(query, &p, &n, &err), 0);
        struct http_request req = {
            .method = "GET", .path = path, .query = p, .query_count = n, .query_string = query};
        memset(resp, 0, sizeof(*resp));
        rest_api_handle(&api, &req, resp);
        http_query_free(p, n);
}

static void test_docker_cli_mig(void)
{
        struct http_response r;
        mig_nodes_calls = 0;
        handle_mixed("/v1.0/docker/cli", "dev=0:3+0:1+1", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        EXPECT_STR(
            "--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro "
            "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia0 "
            "--device=/dev/nvidia-caps/nvidia-cap21 --device=/dev/nvidia-caps/nvidia-cap23 "
            "--device=/dev/nvidia-caps/nvidia-cap22 --device=/dev/nvidia1",
            r.body);
        CU_ASSERT_EQUAL(mig_nodes_calls, 2);
        http_response_destroy(&r);

        /* Compose: a MIG device's nodes too. */
        mig_nodes_calls = 0;
        handle_mixed("/v1.0/docker/compose", "service=cuda&dev=0:3", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "      - /dev/nvidia0\n"
                                              "      - /dev/nvidia-caps/nvidia-cap21\n"
                                              "      - /dev/nvidia-caps/nvidia-cap23\n"));
        CU_ASSERT_EQUAL(mig_nodes_calls, 1);
        http_response_destroy(&r);

        handle_mixed("/v1.0/docker/cli/json", "dev=MIG-22", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        EXPECT_STR("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_375.39:/usr/"
                   "local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/"
                   "nvidia0\",\"/dev/nvidia-caps/nvidia-cap21\",\"/dev/nvidia-caps/nvidia-cap23\"]}"
                   "\n",
                   r.body);
        http_response_destroy(&r);

        handle_mixed("/v1.0/docker/cli/json", "dev=none", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        EXPECT_STR("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_375.39:/usr/"
                   "local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\"]}\n",
                   r.body);
        http_response_destroy(&r);

        /* The whole-GPU answers stay 1.0's on a MIG host. */
        mig_nodes_calls = 0;
        handle_mixed("/docker/cli", NULL, &r);
        EXPECT_STR(
            "--volume-driver=nvidia-docker --volume=nvidia_driver_375.39:/usr/local/nvidia:ro "
            "--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia0 "
            "--device=/dev/nvidia1 --device=/dev/nvidia2",
            r.body);
        CU_ASSERT_EQUAL(mig_nodes_calls, 0);
        http_response_destroy(&r);

        handle_mixed("/docker/cli", "dev=1:0", &r);
        CU_ASSERT_EQUAL(r.status, 400);
        EXPECT_STR("invalid device: 1:0 (GPU 1 is not in MIG mode)\n", r.body);
        http_response_destroy(&r);

        mig_nodes_fail = 1;
        handle_mixed("/docker/cli", "dev=0:0", &r);
        CU_ASSERT_EQUAL(r.status, 400);
        EXPECT_STR("MIG device MIG-11aa0000-0000-0000-0000-000000000000: cannot create the MIG "
                   "capability node\n",
                   r.body);
        http_response_destroy(&r);
        mig_nodes_fail = 0;
}

/* caps=: the capability set's volume, modeset for graphics and display, appended fields. */
static void test_capabilities(void)
{
        struct http_response r;
        /* Without caps: 1.0's exact answer, also when /dev/nvidia-modeset exists. */
        has_modeset = 1;
        handle("GET", "/docker/cli/json", "dev=0", &r);
        EXPECT_STR("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_375.39:/usr/"
                   "local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/"
                   "nvidia3\"]}\n",
                   r.body);
        http_response_destroy(&r);
        /* The default set (empty list): compute and utility, no modeset. */
        handle("GET", "/docker/cli/json", "dev=0&caps=", &r);
        CU_ASSERT_EQUAL(r.status, 200);
        EXPECT_STR("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver-compute-"
                   "utility_375.39:/usr/local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/"
                   "nvidia-uvm\",\"/dev/nvidia3\"],\"Capabilities\":[\"compute\",\"utility\"],"
                   "\"Environment\":[]}\n",
                   r.body);
        http_response_destroy(&r);
        /* graphics: modeset, and where the loaders look */
        handle("GET", "/docker/cli/json", "dev=0&caps=graphics,utility", &r);
        EXPECT_STR(
            "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver-graphics-utility_375."
            "39:/usr/local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/"
            "nvidia3\",\"/dev/nvidia-modeset\"],\"Capabilities\":[\"graphics\",\"utility\"],"
            "\"Environment\":[\"LD_LIBRARY_PATH=/usr/local/nvidia/lib64\",\"__EGL_VENDOR_LIBRARY_"
            "DIRS=/usr/local/nvidia/share/glvnd/egl_vendor.d:/etc/glvnd/egl_vendor.d:/usr/share/"
            "glvnd/egl_vendor.d\",\"__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS=/usr/local/nvidia/share/"
            "egl/egl_external_platform.d:/etc/egl/egl_external_platform.d:/usr/share/egl/"
            "egl_external_platform.d\",\"XDG_DATA_DIRS=/usr/local/nvidia/share:/usr/local/share:/"
            "usr/share\"]}\n",
            r.body);
        http_response_destroy(&r);
        /* display brings graphics; without the node, no modeset */
        has_modeset = 0;
        handle("GET", "/v1.0/docker/cli", "dev=0&caps=display", &r);
        EXPECT_STR("--volume-driver=nvidia-docker --volume=nvidia_driver-display-graphics_375.39:/"
                   "usr/local/nvidia:ro --device=/dev/nvidiactl --device=/dev/nvidia-uvm "
                   "--device=/dev/nvidia3 --env=LD_LIBRARY_PATH=/usr/local/nvidia/lib64 "
                   "--env=__EGL_VENDOR_LIBRARY_DIRS=/usr/local/nvidia/share/glvnd/egl_vendor.d:/"
                   "etc/glvnd/egl_vendor.d:/usr/share/glvnd/egl_vendor.d "
                   "--env=__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS=/usr/local/nvidia/share/egl/"
                   "egl_external_platform.d:/etc/egl/egl_external_platform.d:/usr/share/egl/"
                   "egl_external_platform.d --env=XDG_DATA_DIRS=/usr/local/nvidia/share:/usr/"
                   "local/share:/usr/share",
                   r.body);
        http_response_destroy(&r);
        /* compute and video, compat32: lib too; all: 1.0's volume name */
        has_modeset = 1;
        handle("GET", "/docker/cli/json", "dev=0&caps=video,compat32", &r);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"nvidia_driver-compat32-compute-video_375.39:"));
        CU_ASSERT_PTR_NULL(strstr(r.body, "modeset"));
        CU_ASSERT_PTR_NOT_NULL(
            strstr(r.body, "\"LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/nvidia/lib\""));
        http_response_destroy(&r);
        handle("GET", "/docker/cli/json", "dev=0&caps=all", &r);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "[\"nvidia_driver_375.39:/usr/local/nvidia:ro\"]"));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"/dev/nvidia-modeset\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"Capabilities\":[\"compat32\",\"compute\","
                                              "\"display\",\"graphics\",\"utility\",\"video\"]"));
        http_response_destroy(&r);
        /* unknown words only: no driver volume, no environment */
        handle("GET", "/docker/cli/json", "dev=0&caps=ngx", &r);
        EXPECT_STR("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[],\"Devices\":[\"/dev/"
                   "nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/nvidia3\"],\"Capabilities\":[],"
                   "\"Environment\":[]}\n",
                   r.body);
        http_response_destroy(&r);
        /* a malformed word: 400, one line */
        handle("GET", "/docker/cli/json", "dev=0&caps=compute/rm", &r);
        CU_ASSERT_EQUAL(r.status, 400);
        EXPECT_STR("invalid capability: compute/rm\n", r.body);
        http_response_destroy(&r);
        has_modeset = 0;
}

UNIT_MAIN("rest_api", UNIT(test_text_table_runs), UNIT(test_json_escaping),
          UNIT(test_info_json_reference_device), UNIT(test_zero_devices), UNIT(test_status_nulls),
          UNIT(test_select_devices), UNIT(test_clean_path), UNIT(test_query_parse),
          UNIT(test_tables), UNIT(test_handler), UNIT(test_capabilities),
          UNIT(test_nvidia_runtime_field), UNIT(test_select_mig), UNIT(test_info_mig),
          UNIT(test_docker_cli_mig))
