/* gpu_plan: when GPUs are added, which volume kinds, and the CUDA requirement and check. */
#include <stdio.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_plan.h"
#include "unit.h"

static struct image_info image(const char *volumes, const char *cuda_label, const char *visible,
                               const char *require, const char *cuda_env)
{
        struct image_info i = {.found = true,
                               .volumes_label = (char *)volumes,
                               .cuda_version_label = (char *)cuda_label,
                               .visible_devices = (char *)visible,
                               .require_cuda = (char *)require,
                               .cuda_version_env = (char *)cuda_env};
        return i;
}

/* nv_gpu: NV_GPU=0 when true, unset otherwise. */
static void decide(const struct image_info *img, bool nv_gpu, bool disable, struct gpu_plan *plan)
{
        struct gpu_plan_input in = {
            .image = img, .nv_gpu = nv_gpu ? "0" : NULL, .disable_require = disable};
        struct error err = ERROR_INIT;
        int rc = gpu_plan_decide(&in, plan, &err);
        if (rc != 0)
                fprintf(stderr, "unexpected error: %s\n", err.message);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static void test_label_gives_kinds(void)
{
        struct image_info img = image("  nvidia_driver  other ", "9.0.176", NULL, NULL, NULL);
        struct gpu_plan plan;
        decide(&img, false, false, &plan);
        CU_ASSERT_TRUE(plan.inject);
        CU_ASSERT_EQUAL_FATAL(plan.volume_kinds.count, 2);
        CU_ASSERT_STRING_EQUAL(plan.volume_kinds.items[0], "nvidia_driver");
        CU_ASSERT_STRING_EQUAL(plan.volume_kinds.items[1], "other");
        CU_ASSERT_STRING_EQUAL(plan.required_cuda, "9.0");
        CU_ASSERT_PTR_NOT_NULL(strstr(plan.reason, "com.nvidia.volumes.needed"));
        gpu_plan_destroy(&plan);
}

static void test_visible_devices_marker(void)
{
        struct image_info img =
            image(NULL, NULL, "all", "cuda>=12.4 brand=tesla,driver>=470,driver<471", "12.4.1");
        struct gpu_plan plan;
        decide(&img, false, false, &plan);
        CU_ASSERT_TRUE(plan.inject);
        CU_ASSERT_EQUAL_FATAL(plan.volume_kinds.count, 1);
        CU_ASSERT_STRING_EQUAL(plan.volume_kinds.items[0], "nvidia_driver");
        CU_ASSERT_STRING_EQUAL(plan.required_cuda, "12.4");
        CU_ASSERT_STRING_EQUAL(plan.required_from, "NVIDIA_REQUIRE_CUDA");
        gpu_plan_destroy(&plan);

        /* "none" (driver without GPUs for the NVIDIA runtime) is still a GPU image. */
        img = image(NULL, NULL, "none", NULL, NULL);
        decide(&img, false, false, &plan);
        CU_ASSERT_TRUE(plan.inject);
        CU_ASSERT_PTR_NULL(plan.required_cuda);
        gpu_plan_destroy(&plan);
}

static void test_void_and_empty_are_not_markers(void)
{
        const char *values[] = {"void", ""};
        for (int i = 0; i < 2; i++) {
                struct image_info img = image(NULL, "9.0", values[i], "cuda>=12.4", NULL);
                struct gpu_plan plan;
                decide(&img, false, false, &plan);
                CU_ASSERT_FALSE(plan.inject);
                CU_ASSERT_PTR_NULL(plan.required_cuda);
                CU_ASSERT_PTR_NOT_NULL(strstr(plan.reason, "says void"));
                gpu_plan_destroy(&plan);
                /* ... but NV_GPU still asks for GPUs */
                decide(&img, true, false, &plan);
                CU_ASSERT_TRUE(plan.inject);
                CU_ASSERT_STRING_EQUAL(plan.required_cuda, "9.0");
                gpu_plan_destroy(&plan);
        }
}

static void test_plain_image(void)
{
        struct image_info img = image(NULL, NULL, NULL, NULL, NULL);
        struct gpu_plan plan;
        decide(&img, false, false, &plan);
        CU_ASSERT_FALSE(plan.inject);
        CU_ASSERT_EQUAL(plan.volume_kinds.count, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(plan.reason, "GPUs not added"));
        gpu_plan_destroy(&plan);
        /* An empty or blank label is no marker (1.0 trims it). */
        img = image(" ", NULL, NULL, NULL, NULL);
        decide(&img, false, false, &plan);
        CU_ASSERT_FALSE(plan.inject);
        gpu_plan_destroy(&plan);
        /* NV_GPU forces GPUs on a plain image */
        img = image(NULL, NULL, NULL, NULL, NULL);
        decide(&img, true, false, &plan);
        CU_ASSERT_TRUE(plan.inject);
        CU_ASSERT_STRING_EQUAL(plan.volume_kinds.items[0], "nvidia_driver");
        CU_ASSERT_PTR_NULL(plan.required_cuda);
        CU_ASSERT_PTR_NOT_NULL(strstr(plan.reason, "NV_GPU"));
        gpu_plan_destroy(&plan);
}

/* One row of the precedence table: the sources (NULL = absent), what decides, which GPUs. */
struct precedence_row {
        const char *nv_gpu, *gpus, *cmdline, *cmdline_nv_gpu, *image_devices, *label;
        const char *source; /* substring of plan.source, or NULL: no GPUs */
        const char *chosen; /* gpu_request_describe */
};

static void test_precedence(void)
{
        static const struct precedence_row rows[] = {
            /* each source alone */
            {"1", NULL, NULL, NULL, NULL, NULL, "NV_GPU", "1"},
            {NULL, "device=2", NULL, NULL, NULL, NULL, "--gpus", "2"},
            {NULL, "2", NULL, NULL, NULL, NULL, "--gpus", "2 GPUs"},
            {NULL, NULL, "0,1", NULL, NULL, NULL, "command line", "0,1"},
            {NULL, NULL, NULL, "1", NULL, NULL, "NV_GPU on the command line", "1"},
            {NULL, NULL, NULL, NULL, "all", NULL, "image", "all"},
            {NULL, NULL, NULL, NULL, "1", NULL, "image", "1"},
            {NULL, NULL, NULL, NULL, "none", NULL, "image", "none"},
            {NULL, NULL, NULL, NULL, NULL, "nvidia_driver", "host default", "all"},
            {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
            /* in conflict: the higher one wins */
            {"0", "all", "1", "2", "all", "nvidia_driver", "NV_GPU", "0"},
            {NULL, "all", "1", "2", "0", "nvidia_driver", "--gpus", "all"},
            {NULL, NULL, "1", "2", "0", "nvidia_driver", "NVIDIA_VISIBLE_DEVICES on the command",
             "1"},
            {NULL, NULL, NULL, "2", "0", NULL, "NV_GPU on the command line", "2"},
            {NULL, NULL, NULL, NULL, "0", "nvidia_driver", "image", "0"},
            /* the special values, from each level */
            {"", "all", NULL, NULL, "all", NULL, NULL, NULL},
            {"void", NULL, NULL, NULL, "all", NULL, NULL, NULL},
            {"none", NULL, NULL, NULL, NULL, NULL, "NV_GPU", "none"},
            {"all", NULL, NULL, NULL, NULL, NULL, "NV_GPU", "all"},
            {NULL, "0", NULL, NULL, "all", NULL, NULL, NULL},
            {NULL, NULL, "void", NULL, "all", "nvidia_driver", NULL, NULL},
            {NULL, NULL, "", NULL, "all", NULL, NULL, NULL},
            {NULL, NULL, "none", NULL, "all", NULL, "command line", "none"},
            {NULL, NULL, "all", NULL, NULL, NULL, "command line", "all"},
            {NULL, NULL, NULL, NULL, "void", "nvidia_driver", NULL, NULL},
            {NULL, NULL, NULL, NULL, "", NULL, NULL, NULL},
            /* an image the user marked void still gets what the user asks for */
            {"0", NULL, NULL, NULL, "void", NULL, "NV_GPU", "0"},
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                const struct precedence_row *r = &rows[i];
                struct image_info img = image(r->label, NULL, r->image_devices, NULL, NULL);
                struct gpu_plan_input in = {.image = &img,
                                            .nv_gpu = r->nv_gpu,
                                            .gpus_option = r->gpus,
                                            .cmdline_visible_devices = r->cmdline,
                                            .cmdline_nv_gpu = r->cmdline_nv_gpu};
                struct gpu_plan plan;
                struct error err = ERROR_INIT;
                CU_ASSERT_EQUAL_FATAL(gpu_plan_decide(&in, &plan, &err), 0);
                bool ok = plan.inject == (r->source != NULL);
                if (ok && r->source != NULL) {
                        cleanup_free char *chosen = gpu_request_describe(&plan.request);
                        ok = strstr(plan.source, r->source) != NULL &&
                             strcmp(chosen, r->chosen) == 0;
                        ok = ok && plan.from_image == (strstr(r->source, "image") != NULL ||
                                                       strstr(r->source, "host") != NULL);
                }
                if (!ok)
                        fprintf(stderr, "row %zu: %s\n", i, plan.reason);
                CU_ASSERT(ok);
                gpu_plan_destroy(&plan);
        }
}

static void test_bad_values_name_their_source(void)
{
        struct image_info img = image(NULL, NULL, "GPU-", NULL, NULL);
        struct gpu_plan_input in = {.image = &img};
        struct gpu_plan plan;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(gpu_plan_decide(&in, &plan, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NVIDIA_VISIBLE_DEVICES (image)"));
        error_clear(&err);
        in.gpus_option = "count=x";
        CU_ASSERT_EQUAL(gpu_plan_decide(&in, &plan, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "for \"--gpus\" flag"));
        error_clear(&err);
        in.gpus_option = NULL;
        in.nv_driver_capabilities = "compute,x";
        img.visible_devices = (char *)"all";
        CU_ASSERT_EQUAL(gpu_plan_decide(&in, &plan, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NV_DRIVER_CAPABILITIES capability 'x'"));
        error_clear(&err);
}

static void test_capabilities_precedence(void)
{
        struct image_info img = image(NULL, NULL, "all", NULL, NULL);
        img.driver_capabilities = (char *)"compute,utility,video";
        struct gpu_plan_input in = {.image = &img};
        struct gpu_plan plan;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(gpu_plan_decide(&in, &plan, &err), 0);
        CU_ASSERT_STRING_EQUAL(plan.capabilities, "compute,utility,video");
        CU_ASSERT_FALSE(plan.capabilities_to_env); /* already in the container's environment */
        gpu_plan_destroy(&plan);

        in.cmdline_capabilities = "graphics";
        CU_ASSERT_EQUAL_FATAL(gpu_plan_decide(&in, &plan, &err), 0);
        CU_ASSERT_STRING_EQUAL(plan.capabilities, "graphics");
        CU_ASSERT_FALSE(plan.capabilities_to_env);
        gpu_plan_destroy(&plan);

        in.gpus_option = "all,\"capabilities=utility,display\"";
        CU_ASSERT_EQUAL_FATAL(gpu_plan_decide(&in, &plan, &err), 0);
        CU_ASSERT_STRING_EQUAL(plan.capabilities, "display,utility");
        CU_ASSERT_TRUE(plan.capabilities_to_env);
        gpu_plan_destroy(&plan);

        in.nv_driver_capabilities = "all";
        CU_ASSERT_EQUAL_FATAL(gpu_plan_decide(&in, &plan, &err), 0);
        CU_ASSERT_STRING_EQUAL(plan.capabilities, "all");
        CU_ASSERT_STRING_EQUAL(plan.capabilities_source, "NV_DRIVER_CAPABILITIES");
        CU_ASSERT_TRUE(plan.capabilities_to_env);
        gpu_plan_destroy(&plan);

        struct image_info bare = image(NULL, NULL, "all", NULL, NULL);
        struct gpu_plan_input none = {.image = &bare};
        CU_ASSERT_EQUAL_FATAL(gpu_plan_decide(&none, &plan, &err), 0);
        CU_ASSERT_STRING_EQUAL(plan.capabilities, "compute,utility");
        CU_ASSERT_FALSE(plan.capabilities_to_env);
        gpu_plan_destroy(&plan);
}

static void test_requirement_precedence(void)
{
        struct gpu_plan plan;
        /* label beats NVIDIA_REQUIRE_CUDA */
        struct image_info img = image("nvidia_driver", "8.0", NULL, "cuda>=12.4", "12.4.1");
        decide(&img, false, false, &plan);
        CU_ASSERT_STRING_EQUAL(plan.required_cuda, "8.0");
        gpu_plan_destroy(&plan);
        /* NVIDIA_REQUIRE_CUDA without cuda>= : no check, CUDA_VERSION not consulted */
        img = image("nvidia_driver", NULL, NULL, "brand=tesla,driver>=470", "12.4.1");
        decide(&img, false, false, &plan);
        CU_ASSERT_PTR_NULL(plan.required_cuda);
        gpu_plan_destroy(&plan);
        /* cuda>= inside a comma list */
        img = image("nvidia_driver", NULL, NULL, "driver>=450,cuda>=11.0", NULL);
        decide(&img, false, false, &plan);
        CU_ASSERT_STRING_EQUAL(plan.required_cuda, "11.0");
        gpu_plan_destroy(&plan);
        /* CUDA_VERSION alone (legacy images) */
        img = image("nvidia_driver", NULL, NULL, NULL, "10.2.89");
        decide(&img, false, false, &plan);
        CU_ASSERT_STRING_EQUAL(plan.required_cuda, "10.2");
        gpu_plan_destroy(&plan);
        /* major only */
        img = image("nvidia_driver", "12", NULL, NULL, NULL);
        decide(&img, false, false, &plan);
        CU_ASSERT_STRING_EQUAL(plan.required_cuda, "12.0");
        gpu_plan_destroy(&plan);
}

static void test_disable_require(void)
{
        struct image_info img = image("nvidia_driver", "garbage", NULL, NULL, NULL);
        struct gpu_plan plan;
        decide(&img, false, true, &plan);
        CU_ASSERT_TRUE(plan.inject);
        CU_ASSERT_TRUE(plan.check_disabled);
        CU_ASSERT_PTR_NULL(plan.required_cuda);
        gpu_plan_destroy(&plan);
}

static void expect_plan_error(const struct image_info *img, const char *fragment)
{
        struct gpu_plan_input in = {.image = img};
        struct gpu_plan plan;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(gpu_plan_decide(&in, &plan, &err), -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        if (strstr(err.message, fragment) == NULL)
                fprintf(stderr, "message: %s\n", err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, fragment));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NVIDIA_DISABLE_REQUIRE"));
        CU_ASSERT_PTR_NULL(plan.required_cuda);
        gpu_plan_destroy(&plan);
        error_clear(&err);
}

static void test_garbage_versions(void)
{
        struct image_info img = image("nvidia_driver", "abc", NULL, NULL, NULL);
        expect_plan_error(&img, "com.nvidia.cuda.version=\"abc\"");
        img = image("nvidia_driver", "9.x", NULL, NULL, NULL);
        expect_plan_error(&img, "com.nvidia.cuda.version=\"9.x\"");
        img = image("nvidia_driver", "1234567.0", NULL, NULL, NULL);
        expect_plan_error(&img, "is not MAJOR.MINOR");
        img = image(NULL, NULL, "all", "cuda>=twelve brand=tesla", NULL);
        expect_plan_error(&img, "'cuda>=twelve'");
        img = image(NULL, NULL, "all", "cuda>=", NULL);
        expect_plan_error(&img, "NVIDIA_REQUIRE_CUDA");
        img = image(NULL, NULL, "all", NULL, "v12");
        expect_plan_error(&img, "CUDA_VERSION=\"v12\"");
}

static void expect_check(const char *driver, const char *required, const char *message)
{
        struct error err = ERROR_INIT;
        int rc = cuda_version_check(driver, required, &err);
        if (message == NULL) {
                CU_ASSERT_EQUAL(rc, 0);
                CU_ASSERT_PTR_NULL(err.message);
        } else {
                CU_ASSERT_EQUAL(rc, -1);
                CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
                if (strstr(err.message, message) == NULL)
                        fprintf(stderr, "message: %s\n", err.message);
                CU_ASSERT_PTR_NOT_NULL(strstr(err.message, message));
                CU_ASSERT_PTR_NULL(strstr(err.message, "driver 0.0"));
        }
        error_clear(&err);
}

static void test_cuda_check(void)
{
        expect_check("8.0", "9.0", "unsupported CUDA version: driver 8.0 < image 9.0");
        expect_check("9.0", "9.0", NULL);
        expect_check("9.1", "9.0", NULL);
        expect_check("10.0", "9.2", NULL);
        expect_check("12.2", "12.4", "unsupported CUDA version: driver 12.2 < image 12.4");
        expect_check("13.0", "12.4", NULL);
        expect_check("12.10", "12.9", NULL); /* numeric, not textual */
        expect_check("11.8", "12.0", "driver 11.8 < image 12.0");
        expect_check("", "12.0", "did not report");
        expect_check(NULL, "12.0", "did not report");
        expect_check("N/A", "12.0", "'N/A'");
}

UNIT_MAIN("gpu_plan", UNIT(test_label_gives_kinds), UNIT(test_visible_devices_marker),
          UNIT(test_void_and_empty_are_not_markers), UNIT(test_plain_image), UNIT(test_precedence),
          UNIT(test_bad_values_name_their_source), UNIT(test_capabilities_precedence),
          UNIT(test_requirement_precedence), UNIT(test_disable_require),
          UNIT(test_garbage_versions), UNIT(test_cuda_check))
