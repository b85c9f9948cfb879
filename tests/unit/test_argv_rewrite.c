/* argv_rewrite: the GPU options from a plugin answer and where they go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/argv_rewrite.h"
#include "unit.h"

static void check_strv(const struct strv *v, const char *const *expected)
{
        size_t n = 0;
        while (expected[n] != NULL)
                n++;
        CU_ASSERT_EQUAL(v->count, n);
        for (size_t i = 0; i < n && i < v->count; i++) {
                if (strcmp(v->items[i], expected[i]) != 0)
                        fprintf(stderr, "[%zu] %s != %s\n", i, v->items[i], expected[i]);
                CU_ASSERT_STRING_EQUAL(v->items[i], expected[i]);
        }
        CU_ASSERT_PTR_NULL(v->items[v->count]);
}

static void answer_init(struct docker_cli_answer *a, const char *driver)
{
        memset(a, 0, sizeof(*a));
        a->volume_driver = driver ? xstrdup(driver) : NULL;
        strv_init(&a->volumes);
        strv_init(&a->devices);
}

static void answer_free(struct docker_cli_answer *a)
{
        free(a->volume_driver);
        strv_destroy(&a->volumes);
        strv_destroy(&a->devices);
}

static void test_options_from_answer(void)
{
        struct docker_cli_answer a;
        answer_init(&a, "nvidia-docker");
        strv_push(&a.volumes, "nvidia_driver_580.1:/usr/local/nvidia:ro");
        strv_push(&a.devices, "/dev/nvidiactl");
        strv_push(&a.devices, "/dev/nvidia-uvm");
        strv_push(&a.devices, "/dev/nvidia1");
        struct strv out = STRV_INIT;
        struct error err = ERROR_INIT;
        strv_init(&out);
        CU_ASSERT_EQUAL_FATAL(argv_gpu_options(&a, NULL, &out, &err), 0);
        const char *expected[] = {
            "--device=/dev/nvidiactl", "--device=/dev/nvidia-uvm", "--device=/dev/nvidia1",
            "--mount=type=volume,source=nvidia_driver_580.1,target=/usr/local/"
            "nvidia,readonly,volume-driver=nvidia-docker",
            NULL};
        check_strv(&out, expected);
        for (size_t i = 0; i < out.count; i++) {
                CU_ASSERT_PTR_NULL(strstr(out.items[i], "--volume-driver"));
                CU_ASSERT_PTR_NULL(strstr(out.items[i], "--env")); /* nothing for docker commit */
        }
        strv_destroy(&out);
        answer_free(&a);
}

/* The runtime and the caller's capabilities come after the answer's options. */
static void test_extras(void)
{
        struct docker_cli_answer a;
        answer_init(&a, "nvidia-docker");
        strv_push(&a.devices, "/dev/nvidiactl");
        struct strv out = STRV_INIT;
        struct error err = ERROR_INIT;
        strv_init(&out);
        const struct argv_extras extras = {.runtime = "runc", .capabilities = "compute,video"};
        CU_ASSERT_EQUAL_FATAL(argv_gpu_options(&a, &extras, &out, &err), 0);
        const char *expected[] = {"--device=/dev/nvidiactl", "--runtime=runc",
                                  "--env=NVIDIA_DRIVER_CAPABILITIES=compute,video", NULL};
        check_strv(&out, expected);
        strv_destroy(&out);
        answer_free(&a);
}

static void test_volume_forms(void)
{
        struct docker_cli_answer a;
        answer_init(&a, "");
        strv_push(&a.volumes, "v1:/a");
        strv_push(&a.volumes, "v2:/b:rw");
        struct strv out = STRV_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(argv_gpu_options(&a, NULL, &out, &err), 0);
        const char *expected[] = {"--mount=type=volume,source=v1,target=/a",
                                  "--mount=type=volume,source=v2,target=/b", NULL};
        check_strv(&out, expected);
        strv_destroy(&out);
        answer_free(&a);
}

static void expect_option_error(const char *volume, const char *device, const char *fragment)
{
        struct docker_cli_answer a;
        answer_init(&a, "nvidia-docker");
        if (volume)
                strv_push(&a.volumes, volume);
        if (device)
                strv_push(&a.devices, device);
        struct strv out = STRV_INIT;
        strv_init(&out);
        strv_push(&out, "keep");
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(argv_gpu_options(&a, NULL, &out, &err), -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        if (strstr(err.message, fragment) == NULL)
                fprintf(stderr, "message: %s\n", err.message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, fragment));
        CU_ASSERT_EQUAL(out.count, 1); /* nothing half-added */
        strv_destroy(&out);
        error_clear(&err);
        answer_free(&a);
}

static void test_bad_answers(void)
{
        expect_option_error("novolume", NULL, "without a name or target");
        expect_option_error(":/x:ro", NULL, "without a name or target");
        expect_option_error("v:relative:ro", NULL, "not an absolute path");
        expect_option_error("v:/x:rx", NULL, "mode 'rx'");
        expect_option_error("a,b:/x:ro", NULL, "comma or quote");
        expect_option_error("v:/x:ro", "nvidia0", "not an absolute path");
}

static void test_insert_before_image(void)
{
        struct strv docker = STRV_INIT, options = STRV_INIT, out = STRV_INIT;
        strv_push(&docker, "docker");
        strv_push(&options, "--device=/dev/nvidia0");
        strv_push(&options, "--runtime=runc");
        const char *words[] = {"run", "--rm", "-v", "myvol:/x", "img", "sh", "-c", "x"};
        argv_rewrite(&docker, words, 8, 4, &options, NULL, 0, &out);
        const char *expected[] = {
            "docker",         "run", "--rm", "-v", "myvol:/x", "--device=/dev/nvidia0",
            "--runtime=runc", "img", "sh",   "-c", "x",        NULL};
        check_strv(&out, expected);
        strv_destroy(&out);
        strv_destroy(&docker);
        strv_destroy(&options);
}

static void test_insert_before_double_dash_with_prefix_words(void)
{
        struct strv docker = STRV_INIT, options = STRV_INIT, out = STRV_INIT;
        strv_split(&docker, "/usr/bin/docker -H unix:///x.sock", " ");
        strv_push(&options, "--device=/dev/nvidia0");
        const char *words[] = {"-D", "container", "run", "-it", "--", "img", "--", "cmd"};
        argv_rewrite(&docker, words, 8, 4, &options, NULL, 0, &out);
        const char *expected[] = {"/usr/bin/docker",
                                  "-H",
                                  "unix:///x.sock",
                                  "-D",
                                  "container",
                                  "run",
                                  "-it",
                                  "--device=/dev/nvidia0",
                                  "--",
                                  "img",
                                  "--",
                                  "cmd",
                                  NULL};
        check_strv(&out, expected);
        strv_destroy(&out);

        /* no options, image last */
        const char *short_words[] = {"run", "img"};
        argv_rewrite(&docker, short_words, 2, 1, NULL, NULL, 0, &out);
        const char *expected2[] = {"/usr/bin/docker", "-H", "unix:///x.sock", "run", "img", NULL};
        check_strv(&out, expected2);
        strv_destroy(&out);
        strv_destroy(&docker);
        strv_destroy(&options);
}

/* The user's --gpus words leave the line, wherever they stand among the options. */
static void test_gpus_words_removed(void)
{
        struct strv docker = STRV_INIT, options = STRV_INIT, out = STRV_INIT;
        strv_push(&docker, "docker");
        strv_push(&options, "--device=/dev/nvidia0");
        const char *words[] = {"run", "--gpus", "all",    "--rm", "--gpus=device=1",
                               "-it", "img",    "--gpus", "x"};
        const struct docker_args_option removed[] = {{1, 2, "all"}, {4, 1, "device=1"}};
        argv_rewrite(&docker, words, 9, 6, &options, removed, 2, &out);
        const char *expected[] = {"docker", "run",    "--rm", "-it", "--device=/dev/nvidia0",
                                  "img",    "--gpus", "x",    NULL};
        check_strv(&out, expected);
        strv_destroy(&out);
        /* nothing inserted (void): only the removal */
        argv_rewrite(&docker, words, 9, 6, NULL, removed, 2, &out);
        const char *expected2[] = {"docker", "run", "--rm", "-it", "img", "--gpus", "x", NULL};
        check_strv(&out, expected2);
        strv_destroy(&out);
        strv_destroy(&docker);
        strv_destroy(&options);
}

/* The loader variables merged into what the container would have (docs/capabilities.md). */
static void test_env_merge(void)
{
        char *m = argv_env_merge("LD_LIBRARY_PATH=/usr/local/nvidia/lib64", NULL);
        CU_ASSERT_STRING_EQUAL(m, "LD_LIBRARY_PATH=/usr/local/nvidia/lib64");
        free(m);
        m = argv_env_merge("LD_LIBRARY_PATH=/usr/local/nvidia/lib64",
                           "/usr/local/nvidia/lib:/usr/local/nvidia/lib64");
        CU_ASSERT_STRING_EQUAL(m, "LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64");
        free(m);
        m = argv_env_merge("XDG_DATA_DIRS=/usr/local/nvidia/share:/usr/local/share:/usr/share",
                           "/opt/share:/usr/share");
        CU_ASSERT_STRING_EQUAL(
            m, "XDG_DATA_DIRS=/opt/share:/usr/share:/usr/local/nvidia/share:/usr/local/share");
        free(m);
        m = argv_env_merge("LD_LIBRARY_PATH=/usr/local/nvidia/lib64", "");
        CU_ASSERT_STRING_EQUAL(m, "LD_LIBRARY_PATH=/usr/local/nvidia/lib64");
        free(m);
}

UNIT_MAIN("argv_rewrite", UNIT(test_env_merge), UNIT(test_options_from_answer), UNIT(test_extras),
          UNIT(test_gpus_words_removed), UNIT(test_volume_forms), UNIT(test_bad_answers),
          UNIT(test_insert_before_image), UNIT(test_insert_before_double_dash_with_prefix_words))
