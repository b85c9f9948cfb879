/* Unit tests of driver_policy: 1.0's blacklist and the extra link names. */
#include <string.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/driver_policy.h"
#include "unit.h"

static struct elf_file elf_needing(const char *needed)
{
        struct elf_file elf;
        memset(&elf, 0, sizeof(elf));
        if (needed != NULL)
                strv_push(&elf.needed, needed);
        return elf;
}

static void test_gl_only_with_nvidia_core(void)
{
        struct elf_file mesa = elf_needing("libglapi.so.0");
        struct elf_file nvidia = elf_needing("libnvidia-glcore.so.580.1.2");
        struct elf_file glvnd = elf_needing("libGLdispatch.so.0");
        CU_ASSERT_TRUE(driver_policy_excludes("libGL.so.1.7.0", &mesa));
        CU_ASSERT_TRUE(driver_policy_excludes("libEGL.so.1", &mesa));
        CU_ASSERT_TRUE(driver_policy_excludes("libGLESv2.so.2", &mesa));
        CU_ASSERT_TRUE(driver_policy_excludes("libGLESv1_CM.so.1", &mesa));
        CU_ASSERT_FALSE(driver_policy_excludes("libGL.so.580.1.2", &nvidia));
        CU_ASSERT_FALSE(driver_policy_excludes("libEGL.so.1", &glvnd));
        /* Not of the GL family, or not a library name: kept whatever it needs. */
        CU_ASSERT_FALSE(driver_policy_excludes("libGLX_nvidia.so.580.1.2", &mesa));
        CU_ASSERT_FALSE(driver_policy_excludes("libcuda.so.580.1.2", &mesa));
        CU_ASSERT_FALSE(driver_policy_excludes("nvidia-smi", &mesa));
        CU_ASSERT_FALSE(driver_policy_excludes("libGL.so.1-old", &mesa));
        strv_destroy(&mesa.needed);
        strv_destroy(&nvidia.needed);
        strv_destroy(&glvnd.needed);
}

static void test_tls_only_with_abi_2_3_99(void)
{
        struct elf_file tls = elf_needing(NULL);
        CU_ASSERT_TRUE(driver_policy_excludes("libnvidia-tls.so.580.1.2", &tls)); /* no tag */
        tls.has_abi_tag = true;
        tls.abi_tag = 0x0000000600000002ull; /* 2.6: the old flavour */
        CU_ASSERT_TRUE(driver_policy_excludes("libnvidia-tls.so.580.1.2", &tls));
        tls.abi_tag = 0x0000006300000003ull; /* 2.3.99 */
        CU_ASSERT_FALSE(driver_policy_excludes("libnvidia-tls.so.580.1.2", &tls));
}

static void expect_links(const char *soname, const char *want)
{
        struct strv links = STRV_INIT;
        driver_policy_links(soname, &links);
        cleanup_free char *got = strv_join(&links, " ");
        if (strcmp(got, want) != 0)
                fprintf(stderr, "%s: got '%s', want '%s'\n", soname, got, want);
        CU_ASSERT_STRING_EQUAL(got, want);
        strv_destroy(&links);
}

static void test_links(void)
{
        expect_links("libnvidia-ml.so.1", "libnvidia-ml.so.1");
        expect_links("libcuda.so.1", "libcuda.so.1 libcuda.so");
        expect_links("libGLX_nvidia.so.0", "libGLX_nvidia.so.0 libGLX_indirect.so.0");
        expect_links("libGLX.so.0", "libGLX.so.0");
}

UNIT_MAIN("driver_policy", UNIT(test_gl_only_with_nvidia_core), UNIT(test_tls_only_with_abi_2_3_99),
          UNIT(test_links))
