/* gpu_access: which GPU nodes a caller may open, and CUDA_VISIBLE_DEVICES UUIDs. The device
 * cgroup itself is exercised for real in tests/integration/test_selection.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_access.h"
#include "nvidia-docker-plugin/nvidia_toolkit.h"
#include "unit.h"

static void test_gpu_nodes(void)
{
        CU_ASSERT_TRUE(gpu_access_is_gpu_node("/dev/nvidia0"));
        CU_ASSERT_TRUE(gpu_access_is_gpu_node("/dev/nvidia17"));
        CU_ASSERT_FALSE(gpu_access_is_gpu_node("/dev/nvidiactl"));
        CU_ASSERT_FALSE(gpu_access_is_gpu_node("/dev/nvidia-uvm"));
        CU_ASSERT_FALSE(gpu_access_is_gpu_node("/dev/nvidia-caps/nvidia-cap1"));
        CU_ASSERT_FALSE(gpu_access_is_gpu_node("/dev/nvidia"));
        CU_ASSERT_FALSE(gpu_access_is_gpu_node("/dev/nvidia1x"));
}

static void test_check(void)
{
        CU_ASSERT_EQUAL(gpu_access_check("/dev/null"), GPU_ACCESS_ALLOWED);
        CU_ASSERT_EQUAL(gpu_access_check("/nonexistent/nvidia0"), GPU_ACCESS_MISSING);
        CU_ASSERT_EQUAL(gpu_access_check("/dev/null/x"), GPU_ACCESS_MISSING);
        /* Nothing in sight: not confined, every node allowed. */
        struct strv paths = STRV_INIT;
        strv_init(&paths);
        strv_push(&paths, "/nonexistent/nvidia0");
        strv_push(&paths, "/nonexistent/nvidia1");
        bool allowed[2] = {false, false}, confined = true;
        gpu_access_check_all(&paths, allowed, &confined);
        CU_ASSERT_FALSE(confined);
        CU_ASSERT_TRUE(allowed[0] && allowed[1]);
        /* One present, one missing: confined to the one it sees. */
        free(paths.items[0]);
        paths.items[0] = xstrdup("/dev/null");
        gpu_access_check_all(&paths, allowed, &confined);
        CU_ASSERT_TRUE(confined);
        CU_ASSERT_TRUE(allowed[0]);
        CU_ASSERT_FALSE(allowed[1]);
        strv_destroy(&paths);
}

static void test_cuda_uuids(void)
{
        struct strv out = STRV_INIT;
        strv_init(&out);
        CU_ASSERT_FALSE(gpu_access_cuda_uuids(NULL, &out));
        CU_ASSERT_FALSE(gpu_access_cuda_uuids("", &out));
        CU_ASSERT_FALSE(gpu_access_cuda_uuids("0,1", &out));
        CU_ASSERT_FALSE(gpu_access_cuda_uuids("GPU-ab,1", &out));
        CU_ASSERT_FALSE(gpu_access_cuda_uuids("NoDevFiles", &out));
        CU_ASSERT_EQUAL(out.count, 0);
        CU_ASSERT_TRUE(gpu_access_cuda_uuids(" GPU-ab, MIG-cd ", &out));
        CU_ASSERT_EQUAL_FATAL(out.count, 2);
        CU_ASSERT_STRING_EQUAL(out.items[0], "GPU-ab");
        CU_ASSERT_STRING_EQUAL(out.items[1], "MIG-cd");
        strv_destroy(&out);
}

static void test_toolkit(void)
{
        char dir[] = "/tmp/nvd-toolkit-XXXXXX";
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
        cleanup_free char *path = xasprintf("/nonexistent:%s", dir);
        CU_ASSERT_FALSE(nvidia_toolkit_present(path));
        cleanup_free char *hook = xasprintf("%s/nvidia-container-runtime-hook", dir);
        FILE *f = fopen(hook, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fclose(f);
        CU_ASSERT_FALSE(nvidia_toolkit_present(path)); /* not executable */
        CU_ASSERT_EQUAL(chmod(hook, 0755), 0);
        CU_ASSERT_TRUE(nvidia_toolkit_present(path));
        unlink(hook);
        rmdir(dir);
}

UNIT_MAIN("gpu_access", UNIT(test_gpu_nodes), UNIT(test_check), UNIT(test_cuda_uuids),
          UNIT(test_toolkit))
