/* plugin_answer decoders: the exact bodies of 1.0's /gpu/info/json and /docker/cli/json
 * (docs/rest-api.md), then violations, then the allow-lists (NVIDIA device nodes, the driver
 * volume) that hostile answers meet. */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/plugin_answer.h"
#include "unit.h"

/* docs/rest-api.md, GET /docker/cli/json (with its trailing newline). */
static const char CLI_BODY[] = "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_"
                               "375.39:/usr/local/nvidia:ro\"],"
                               "\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/"
                               "nvidia-uvm-tools\",\"/dev/nvidia0\","
                               "\"/dev/nvidia1\",\"/dev/nvidia2\"]}\n";

/* docs/rest-api.md, GET /gpu/info/json. */
static const char INFO_BODY[] =
    "{\"Version\":{\"Driver\":\"375.39\",\"CUDA\":\"8.0\"},\"Devices\":[{\"UUID\":\"GPU-b1028956-"
    "cfa2-0990-bf4a-5da9abb51763\",\"Path\":\"/dev/nvidia0\",\"Model\":\"Tesla "
    "P100-PCIE-16GB\",\"Power\":250,\"CPUAffinity\":0,\"PCI\":{\"BusID\":\"0000:04:00.0\",\"BAR1\":"
    "16384,\"Bandwidth\":15760},\"Clocks\":{\"Cores\":1328,\"Memory\":715},\"Topology\":[{"
    "\"BusID\":\"0000:05:00.0\",\"Link\":5}],\"Family\":\"Pascal\",\"Arch\":\"6.0\",\"Cores\":3584,"
    "\"Memory\":{\"ECC\":true,\"Global\":16276,\"Shared\":64,\"Constant\":64,\"L2Cache\":4096,"
    "\"Bandwidth\":732160}},{\"UUID\":\"GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10\",\"Path\":\"/dev/"
    "nvidia1\",\"Model\":\"Tesla "
    "P100-PCIE-16GB\",\"Power\":250,\"CPUAffinity\":0,\"PCI\":{\"BusID\":\"0000:05:00.0\",\"BAR1\":"
    "16384,\"Bandwidth\":15760},\"Clocks\":{\"Cores\":1328,\"Memory\":715},\"Topology\":[{"
    "\"BusID\":\"0000:04:00.0\",\"Link\":5}],\"Family\":\"Pascal\",\"Arch\":\"6.0\",\"Cores\":3584,"
    "\"Memory\":{\"ECC\":true,\"Global\":16276,\"Shared\":64,\"Constant\":64,\"L2Cache\":4096,"
    "\"Bandwidth\":732160}},{\"UUID\":\"GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19\",\"Path\":\"/dev/"
    "nvidia2\",\"Model\":null,\"Power\":null,\"CPUAffinity\":1,\"PCI\":{\"BusID\":\"0000:82:00.0\","
    "\"BAR1\":256,\"Bandwidth\":15760},\"Clocks\":{\"Cores\":1911,\"Memory\":5005},\"Topology\":"
    "null,\"Family\":\"Pascal\",\"Arch\":\"6.1\",\"Cores\":2560,\"Memory\":{\"ECC\":false,"
    "\"Global\":8113,\"Shared\":96,\"Constant\":64,\"L2Cache\":2048,\"Bandwidth\":320320}}]}\n";

static void test_cli_reference_body(void)
{
        struct docker_cli_answer a;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(plugin_answer_decode_docker_cli(CLI_BODY, strlen(CLI_BODY), &a, &err),
                              0);
        CU_ASSERT_STRING_EQUAL(a.volume_driver, "nvidia-docker");
        CU_ASSERT_EQUAL(a.volumes.count, 1);
        CU_ASSERT_STRING_EQUAL(a.volumes.items[0], "nvidia_driver_375.39:/usr/local/nvidia:ro");
        CU_ASSERT_EQUAL(a.devices.count, 6);
        CU_ASSERT_STRING_EQUAL(a.devices.items[0], "/dev/nvidiactl");
        CU_ASSERT_STRING_EQUAL(a.devices.items[2], "/dev/nvidia-uvm-tools");
        CU_ASSERT_STRING_EQUAL(a.devices.items[5], "/dev/nvidia2");
        CU_ASSERT_PTR_NULL(a.devices.items[6]);
        docker_cli_answer_destroy(&a);
        docker_cli_answer_destroy(&a);
}

static void test_info_reference_body(void)
{
        struct gpu_info_answer a;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(plugin_answer_decode_gpu_info(INFO_BODY, strlen(INFO_BODY), &a, &err),
                              0);
        CU_ASSERT_STRING_EQUAL(a.driver_version, "375.39");
        CU_ASSERT_STRING_EQUAL(a.cuda_version, "8.0");
        CU_ASSERT_EQUAL(a.uuids.count, 3);
        CU_ASSERT_EQUAL(a.paths.count, 3);
        CU_ASSERT_EQUAL(a.models.count, 3);
        CU_ASSERT_STRING_EQUAL(a.uuids.items[0], "GPU-b1028956-cfa2-0990-bf4a-5da9abb51763");
        CU_ASSERT_STRING_EQUAL(a.uuids.items[2], "GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19");
        CU_ASSERT_STRING_EQUAL(a.paths.items[1], "/dev/nvidia1");
        CU_ASSERT_STRING_EQUAL(a.models.items[0], "Tesla P100-PCIE-16GB");
        CU_ASSERT_STRING_EQUAL(a.models.items[2], ""); /* null */
        gpu_info_answer_destroy(&a);
        gpu_info_answer_destroy(&a);
}

/* A body without the trailing newline, and one with no GPUs ("Devices":[] or null). */
static void test_variants(void)
{
        struct error err = ERROR_INIT;
        struct docker_cli_answer c;
        CU_ASSERT_EQUAL(plugin_answer_decode_docker_cli(CLI_BODY, strlen(CLI_BODY) - 1, &c, &err),
                        0);
        docker_cli_answer_destroy(&c);
        const char *nulls = "{\"VolumeDriver\":\"\",\"Volumes\":null,\"Devices\":null}";
        CU_ASSERT_EQUAL(plugin_answer_decode_docker_cli(nulls, strlen(nulls), &c, &err), 0);
        CU_ASSERT_EQUAL(c.volumes.count, 0);
        CU_ASSERT_EQUAL(c.devices.count, 0);
        docker_cli_answer_destroy(&c);
        /* fields appended by newer plugins are ignored; MIG and display nodes are NVIDIA's */
        const char *extra =
            "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_580.159.04:/usr/"
            "local/nvidia:ro\"],\"Devices\":[\"/dev/nvidia-modeset\",\"/dev/nvidia-caps/"
            "nvidia-cap21\",\"/dev/nvidia17\"],\"NvidiaRuntime\":true}";
        CU_ASSERT_EQUAL(plugin_answer_decode_docker_cli(extra, strlen(extra), &c, &err), 0);
        CU_ASSERT_EQUAL(c.volumes.count, 1);
        CU_ASSERT_EQUAL(c.devices.count, 3);
        docker_cli_answer_destroy(&c);

        struct gpu_info_answer g;
        const char *none =
            "{\"Version\":{\"Driver\":\"580.1\",\"CUDA\":\"13.0\"},\"Devices\":[]}\n";
        CU_ASSERT_EQUAL(plugin_answer_decode_gpu_info(none, strlen(none), &g, &err), 0);
        CU_ASSERT_EQUAL(g.uuids.count, 0);
        CU_ASSERT_STRING_EQUAL(g.cuda_version, "13.0");
        gpu_info_answer_destroy(&g);
        const char *null_devices =
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"2\"},\"Devices\":null}";
        CU_ASSERT_EQUAL(plugin_answer_decode_gpu_info(null_devices, strlen(null_devices), &g, &err),
                        0);
        gpu_info_answer_destroy(&g);
        CU_ASSERT_FALSE(error_is_set(&err));
}

/* Each bad body must give an error containing `expected`, on one line. */
static void expect_cli_error(const char *body, const char *expected)
{
        struct docker_cli_answer a;
        struct error err = ERROR_INIT;
        int ret = plugin_answer_decode_docker_cli(body, strlen(body), &a, &err);
        CU_ASSERT_EQUAL(ret, -1);
        if (ret == 0) {
                fprintf(stderr, "accepted: %s\n", body);
                docker_cli_answer_destroy(&a);
                return;
        }
        if (strstr(err.message, expected) == NULL)
                fprintf(stderr, "body %s\n  expected: %s\n  got: %s\n", body, expected,
                        err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, expected));
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
        CU_ASSERT_PTR_NULL(a.volume_driver);
        CU_ASSERT_PTR_NULL(a.volumes.items);
        error_clear(&err);
}

static void expect_info_error(const char *body, const char *expected)
{
        struct gpu_info_answer a;
        struct error err = ERROR_INIT;
        int ret = plugin_answer_decode_gpu_info(body, strlen(body), &a, &err);
        CU_ASSERT_EQUAL(ret, -1);
        if (ret == 0) {
                fprintf(stderr, "accepted: %s\n", body);
                gpu_info_answer_destroy(&a);
                return;
        }
        if (strstr(err.message, expected) == NULL)
                fprintf(stderr, "body %s\n  expected: %s\n  got: %s\n", body, expected,
                        err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, expected));
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
        CU_ASSERT_PTR_NULL(a.uuids.items);
        error_clear(&err);
}

static void test_cli_violations(void)
{
        expect_cli_error("", "not JSON");
        expect_cli_error("invalid device: 5\n", "not JSON");
        expect_cli_error("[]", "expected a JSON object");
        expect_cli_error("\"x\"", "not JSON");
        expect_cli_error("{\"Volumes\":[],\"Devices\":[]}", "VolumeDriver is missing");
        expect_cli_error("{\"VolumeDriver\":1,\"Volumes\":[],\"Devices\":[]}",
                         "VolumeDriver is not a string");
        expect_cli_error("{\"VolumeDriver\":\"a\\u0000b\",\"Volumes\":[],\"Devices\":[]}",
                         "not JSON");
        expect_cli_error("{\"VolumeDriver\":\"a\\nb\",\"Volumes\":[],\"Devices\":[]}",
                         "VolumeDriver 'a\\x0ab' contains a control character");
        expect_cli_error("{\"VolumeDriver\":\"d\",\"Devices\":[]}", "Volumes is missing");
        expect_cli_error("{\"VolumeDriver\":\"d\",\"Volumes\":{},\"Devices\":[]}",
                         "Volumes is not a list");
        expect_cli_error("{\"VolumeDriver\":\"d\",\"Volumes\":[1],\"Devices\":[]}",
                         "Volumes[0] is not a string");
        expect_cli_error("{\"VolumeDriver\":\"d\",\"Volumes\":[]}", "Devices is missing");
        expect_cli_error("{\"VolumeDriver\":\"d\",\"Volumes\":[],\"Devices\":\"/dev/x\"}",
                         "Devices is not a list");
        expect_cli_error(
            "{\"VolumeDriver\":\"d\",\"Volumes\":[],\"Devices\":[\"/dev/nvidia0\",null]}",
            "Devices[1] is not a string");
        expect_cli_error(
            "{\"VolumeDriver\":\"d\",\"VolumeDriver\":\"e\",\"Volumes\":[],\"Devices\":[]}",
            "not JSON");
        expect_cli_error(CLI_BODY + 1, "not JSON");
}

static void test_info_violations(void)
{
        expect_info_error("<html>", "not JSON");
        expect_info_error("[1]", "expected a JSON object");
        expect_info_error("{\"Devices\":[]}", "Version is missing");
        expect_info_error("{\"Version\":\"1\",\"Devices\":[]}", "Version is not an object");
        expect_info_error("{\"Version\":{\"CUDA\":\"8.0\"},\"Devices\":[]}",
                          "Version.Driver is missing");
        expect_info_error("{\"Version\":{\"Driver\":\"1\",\"CUDA\":8.0},\"Devices\":[]}",
                          "Version.CUDA is not a string");
        expect_info_error("{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"}}", "Devices is missing");
        expect_info_error("{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[1]}",
                          "Devices[0] is not an object");
        expect_info_error(
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"Path\":\"/dev/"
            "nvidia0\",\"Model\":null}]}",
            "Devices[0].UUID is missing");
        expect_info_error(
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":\"\","
            "\"Path\":\"/dev/nvidia0\",\"Model\":null}]}",
            "Devices[0].UUID is empty");
        expect_info_error(
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":\"GPU-1\","
            "\"Path\":\"nvidia0\",\"Model\":null}]}",
            "Devices[0].Path 'nvidia0' is not an absolute device path");
        expect_info_error(
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":\"GPU-1\","
            "\"Path\":\"/dev/nvidia0\",\"Model\":3}]}",
            "Devices[0].Model is not a string");
        expect_info_error(
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":\"GPU-1\","
            "\"Path\":\"/dev/nvidia0\"}]}",
            "Devices[0].Model is missing");
        expect_info_error(INFO_BODY + 2, "not JSON");
}

static void test_long_values_are_cut_in_messages(void)
{
        char body[9000];
        char path[5000];
        memset(path, 'a', sizeof path - 1);
        path[sizeof path - 1] = '\0';
        snprintf(body, sizeof body, "{\"VolumeDriver\":\"d\",\"Volumes\":[],\"Devices\":[\"%s\"]}",
                 path);
        expect_cli_error(body, "Devices[0] is too long");
        path[100] = '\0';
        snprintf(body, sizeof body, "{\"VolumeDriver\":\"d\",\"Volumes\":[],\"Devices\":[\"%s\"]}",
                 path);
        struct docker_cli_answer a;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(plugin_answer_decode_docker_cli(body, strlen(body), &a, &err), -1);
        CU_ASSERT(strlen(err.message) < 300);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "a...'"));
        error_clear(&err);
}

/* What a hostile or broken plugin may name, and what it may not (docs/remote.md). */
static void test_devices_allowed(void)
{
        const char *good[] = {"/dev/nvidia0",
                              "/dev/nvidia15",
                              "/dev/nvidiactl",
                              "/dev/nvidia-uvm",
                              "/dev/nvidia-uvm-tools",
                              "/dev/nvidia-modeset",
                              "/dev/nvidia-caps/nvidia-cap1",
                              "/dev/nvidia-caps/nvidia-cap2047"};
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
                CU_ASSERT(plugin_answer_device_allowed(good[i]));
        const char *bad[] = {"/dev/sda",
                             "/",
                             "/dev/nvidia",
                             "/dev/nvidia-",
                             "/dev/nvidiax",
                             "/dev/nvidia0x",
                             "/dev/nvidia0/../sda",
                             "/dev/nvidia-0",
                             "/dev/nvidia 0",
                             "/dev/nvidiactl2",
                             "/dev/nvidia-uvm-tools/",
                             "/dev/nvidia-caps",
                             "/dev/nvidia-caps/nvidia-cap",
                             "/dev/nvidia-caps/nvidia-capx",
                             "/dev/nvidia-caps/../sda",
                             "/dev/../dev/nvidia0",
                             "//dev/nvidia0",
                             "/dev//nvidia0",
                             "dev/nvidia0",
                             "/dev/nvidia-nvswitch0",
                             "/dev/dri/card0",
                             "/dev/nvidia+0",
                             ""};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                if (plugin_answer_device_allowed(bad[i]))
                        fprintf(stderr, "allowed: %s\n", bad[i]);
                CU_ASSERT(!plugin_answer_device_allowed(bad[i]));
        }
}

static void test_volume_names_allowed(void)
{
        const char *good[] = {
            "nvidia_driver_375.39",
            "nvidia_driver_580.159.04",
            "nvidia_driver_1",
            "nvidia_driver-compute-utility_580.159.04",
            "nvidia_driver-graphics_1.2",
            "nvidia_driver_1234567890123456789012345678901234567890123456789012345"
            "678901234"};
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
                CU_ASSERT(plugin_answer_volume_name_allowed(good[i]));
        const char *bad[] = {
            "nvidia_driver_",
            "nvidia_driver",
            "nvidia_driver_.",
            "nvidia_driver_..",
            "nvidia_driver_1..2",
            "nvidia_driver_.1",
            "nvidia_driver_1.",
            "nvidia_driver_1/2",
            "nvidia_driver_1a",
            "nvidia_driver_-1",
            "xx",
            "nvidia_driver_580.1:/etc",
            "Nvidia_driver_1",
            "x_nvidia_driver_1",
            "proj_nvidia_driver_1",
            "nvidia_driver_12345678901234567890123456789012345678901234567890123456"
            "7890123456"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                if (plugin_answer_volume_name_allowed(bad[i]))
                        fprintf(stderr, "allowed: %s\n", bad[i]);
                CU_ASSERT(!plugin_answer_volume_name_allowed(bad[i]));
        }
}

/* Hostile answers: devices and mounts that would open the host. */
static void test_hostile_answers(void)
{
        expect_cli_error("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[],\"Devices\":["
                         "\"/dev/nvidiactl\",\"/dev/sda\",\"/\"]}",
                         "Devices[1] '/dev/sda' is not an NVIDIA device node (/dev/nvidia<N>, "
                         "/dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia-uvm-tools, "
                         "/dev/nvidia-modeset, /dev/nvidia-caps/nvidia-cap<N>)");
        expect_cli_error("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"xx:/etc:rw\"],"
                         "\"Devices\":[]}",
                         "Volumes[0] 'xx:/etc:rw' is not the driver volume "
                         "(nvidia_driver_<version>:/usr/local/nvidia:ro)");
        const char *volumes[] = {
            "nvidia_driver_580.1:/usr/local/nvidia",       /* writable */
            "nvidia_driver_580.1:/usr/local/nvidia:rw",    /* writable */
            "nvidia_driver_580.1:/etc:ro",                 /* elsewhere */
            "nvidia_driver_580.1:/usr/local/nvidia/..:ro", /* elsewhere */
            "nvidia_driver_580.1:/usr/local/nvidia:ro,z",  /* options */
            "nvidia_driver_../../x:/usr/local/nvidia:ro",  /* name */
            "/etc:/usr/local/nvidia:ro",                   /* a bind mount */
            "nvidia_driver_580.1:/usr/local/nvidia:ro:ro", /* garbage */
            "local_volume_1:/usr/local/nvidia:ro",         /* another volume */
            "nvidia_driver_580.1:/usr/local/nvidia:ro\\n", /* escaped garbage */
        };
        for (size_t i = 0; i < sizeof volumes / sizeof volumes[0]; i++) {
                cleanup_free char *body = xasprintf(
                    "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"%s\"],\"Devices\":[]}",
                    volumes[i]);
                expect_cli_error(body, "Volumes[0]");
        }
        expect_cli_error("{\"VolumeDriver\":\"local\",\"Volumes\":[\"nvidia_driver_580.1:/usr/"
                         "local/nvidia:ro\"],\"Devices\":[]}",
                         "VolumeDriver 'local' is not nvidia-docker");
        expect_cli_error("{\"VolumeDriver\":\"\",\"Volumes\":[\"nvidia_driver_580.1:/usr/"
                         "local/nvidia:ro\"],\"Devices\":[]}",
                         "VolumeDriver '' is not nvidia-docker");
        expect_cli_error("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_1:/"
                         "usr/local/nvidia:ro\",\"nvidia_driver_1:/usr/local/nvidia:ro\"],"
                         "\"Devices\":[]}",
                         "Volumes has 2 entries where at most one driver volume fits");
}

/* The answer to caps=: Environment, allow-listed loader variables with absolute paths only. */
static void test_environment(void)
{
        const char *ok = "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver-"
                         "graphics_580.1:/usr/local/nvidia:ro\"],\"Devices\":[],\"Capabilities\":"
                         "[\"graphics\"],\"Environment\":[\"LD_LIBRARY_PATH=/usr/local/nvidia/"
                         "lib64\",\"XDG_DATA_DIRS=/usr/local/nvidia/share:/usr/share\"]}";
        struct docker_cli_answer a;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(plugin_answer_decode_docker_cli(ok, strlen(ok), &a, &err), 0);
        CU_ASSERT_EQUAL(a.environment.count, 2);
        CU_ASSERT_STRING_EQUAL(a.volumes.items[0],
                               "nvidia_driver-graphics_580.1:/usr/local/nvidia:ro");
        docker_cli_answer_destroy(&a);
        const char *bad[] = {
            "[\"LD_PRELOAD=/tmp/evil.so\"]", /* not a loader variable */
            "[\"LD_LIBRARY_PATH=lib64\"]",   /* relative */
            "[\"LD_LIBRARY_PATH=/a::/b\"]",  /* empty entry (the working directory) */
            "[\"LD_LIBRARY_PATH=/a:b\"]",    /* relative entry */
            "[\"LD_LIBRARY_PATH\"]",         /* no value */
            "[\"XDG_DATA_DIRS=/a b\"]",      /* blank */
            "[7]",                           /* not a string */
            "\"LD_LIBRARY_PATH=/a\"",        /* not a list */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *body = xasprintf("{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[],"
                                       "\"Devices\":[],\"Environment\":%s}",
                                       bad[i]);
                CU_ASSERT_EQUAL(plugin_answer_decode_docker_cli(body, strlen(body), &a, &err), -1);
                CU_ASSERT_PTR_NOT_NULL(err.message ? strstr(err.message, "Environment") : NULL);
                error_clear(&err);
                free(body);
        }
        /* Without the field (1.0's answer): no environment. */
        const char *old = "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[],\"Devices\":[]}";
        CU_ASSERT_EQUAL_FATAL(plugin_answer_decode_docker_cli(old, strlen(old), &a, &err), 0);
        CU_ASSERT_EQUAL(a.environment.count, 0);
        docker_cli_answer_destroy(&a);
}

/* The MIG devices of /gpu/info/json (for podman's CDI names), each with its parent's node. */
static void test_info_mig(void)
{
        const char *body =
            "{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":["
            "{\"UUID\":\"GPU-a\",\"Path\":\"/dev/nvidia0\",\"Model\":null,\"MIG\":["
            "{\"UUID\":\"MIG-x\",\"Index\":\"0:0\",\"GPUInstance\":1,\"ComputeInstance\":0,"
            "\"Memory\":19968,\"Devices\":[\"/dev/nvidia-caps/nvidia-cap12\"]},"
            "{\"UUID\":\"MIG-y\",\"Index\":\"0:1\"}]},"
            "{\"UUID\":\"GPU-b\",\"Path\":\"/dev/nvidia3\",\"Model\":\"m\",\"MIG\":null}]}";
        struct gpu_info_answer a;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(plugin_answer_decode_gpu_info(body, strlen(body), &a, &err), 0);
        CU_ASSERT_EQUAL_FATAL(a.mig_uuids.count, 2);
        CU_ASSERT_STRING_EQUAL(a.mig_uuids.items[1], "MIG-y");
        CU_ASSERT_STRING_EQUAL(a.mig_indexes.items[0], "0:0");
        CU_ASSERT_STRING_EQUAL(a.mig_paths.items[1], "/dev/nvidia0");
        CU_ASSERT_EQUAL(a.uuids.count, 2);
        gpu_info_answer_destroy(&a);
        expect_info_error("{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":"
                          "\"GPU-1\",\"Path\":\"/dev/nvidia0\",\"Model\":null,\"MIG\":{}}]}",
                          "Devices[0].MIG is not a list");
        expect_info_error("{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":"
                          "\"GPU-1\",\"Path\":\"/dev/nvidia0\",\"Model\":null,\"MIG\":[{\"UUID\":"
                          "\"MIG-1\"}]}]}",
                          "Devices[0].MIG[0].Index is missing");
        expect_info_error("{\"Version\":{\"Driver\":\"1\",\"CUDA\":\"8\"},\"Devices\":[{\"UUID\":"
                          "\"GPU-1\",\"Path\":\"/dev/nvidia0\",\"Model\":null,\"MIG\":[3]}]}",
                          "Devices[0].MIG[0] is not an object");
}

UNIT_MAIN("plugin_answer", UNIT(test_environment), UNIT(test_cli_reference_body),
          UNIT(test_info_mig), UNIT(test_info_reference_body), UNIT(test_variants),
          UNIT(test_cli_violations), UNIT(test_info_violations),
          UNIT(test_long_values_are_cut_in_messages), UNIT(test_devices_allowed),
          UNIT(test_volume_names_allowed), UNIT(test_hostile_answers))
