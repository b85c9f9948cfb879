/* Unit tests of volume_name: 1.0's name grammar plus the strict version rule. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "nvidia-docker-plugin/driver_caps.h"
#include "nvidia-docker-plugin/volume_name.h"
#include "unit.h"

static void expect_ok(const char *name, const char *version)
{
        struct volume_name parsed;
        struct error err = ERROR_INIT;
        int rc = volume_name_parse(name, &parsed, &err);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc == 0) {
                CU_ASSERT_STRING_EQUAL(parsed.kind, "nvidia_driver");
                CU_ASSERT_STRING_EQUAL(parsed.version, version);
        } else {
                fprintf(stderr, "unexpected error for '%s': %s\n", name, err.message);
        }
        error_clear(&err);
}

static void expect_error(const char *name, const char *message)
{
        struct volume_name parsed;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_name_parse(name, &parsed, &err), -1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        if (strcmp(err.message, message) != 0)
                fprintf(stderr, "'%s': got '%s', want '%s'\n", name, err.message, message);
        CU_ASSERT_STRING_EQUAL(err.message, message);
        error_clear(&err);
}

static void test_valid_names(void)
{
        expect_ok("nvidia_driver_375.39", "375.39");
        expect_ok("nvidia_driver_580.159.04", "580.159.04");
        expect_ok("nvidia_driver_1", "1");
        expect_ok("nvidia_driver_0.0.0.0", "0.0.0.0");
}

static void expect_caps(const char *name, const char *kind, unsigned caps)
{
        struct volume_name parsed;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(volume_name_parse(name, &parsed, &err), 0);
        CU_ASSERT_STRING_EQUAL(parsed.kind, kind);
        CU_ASSERT_EQUAL(parsed.capabilities, caps);
        CU_ASSERT_STRING_EQUAL(parsed.version, "580.159.04");
        char *back = volume_kind_of(caps);
        CU_ASSERT_STRING_EQUAL(back, kind);
        free(back);
}

/* Capability-set volumes: the canonical suffix only (one set, one name). */
static void test_capability_sets(void)
{
        expect_caps("nvidia_driver_580.159.04", "nvidia_driver", DRIVER_CAP_ALL);
        expect_caps("nvidia_driver-compute-utility_580.159.04", "nvidia_driver-compute-utility",
                    DRIVER_CAP_COMPUTE | DRIVER_CAP_UTILITY);
        expect_caps("nvidia_driver-compute-graphics-utility-video_580.159.04",
                    "nvidia_driver-compute-graphics-utility-video",
                    DRIVER_CAP_COMPUTE | DRIVER_CAP_GRAPHICS | DRIVER_CAP_UTILITY |
                        DRIVER_CAP_VIDEO);
        expect_caps("nvidia_driver-display-graphics_580.159.04", "nvidia_driver-display-graphics",
                    DRIVER_CAP_DISPLAY | DRIVER_CAP_GRAPHICS);
        expect_error("nvidia_driver-utility-compute_580.1",
                     "unsupported volume: nvidia_driver-utility-compute_580.1");
        expect_error("nvidia_driver-video_580.1", "unsupported volume: nvidia_driver-video_580.1");
        expect_error("nvidia_driver-_580.1", "unsupported volume: nvidia_driver-_580.1");
        expect_error("nvidia_driver-ngx_580.1", "unsupported volume: nvidia_driver-ngx_580.1");
        expect_error("nvidia_driver-compat32-compute-display-graphics-utility-video_580.1",
                     "unsupported volume: "
                     "nvidia_driver-compat32-compute-display-graphics-utility-video_580.1");
        expect_error("nvidia_driverx_580.1", "unsupported volume: nvidia_driverx_580.1");
}

static void test_bad_format(void)
{
        expect_error("foo", "bad volume format: foo");
        expect_error("nvidia_driver", "bad volume format: nvidia_driver");
        expect_error("nvidia_driver_", "bad volume format: nvidia_driver_");
        expect_error("", "bad volume format: ");
        expect_error("_375.39", "bad volume format: _375.39");
        expect_error("nvidia_driver_375.39a", "bad volume format: nvidia_driver_375.39a");
        expect_error("nvidia_driver_375/39", "bad volume format: nvidia_driver_375/39");
        expect_error("nvidia driver_375.39", "bad volume format: nvidia driver_375.39");
}

/* The path-traversal defect of 1.0.1 (docs/volume-plugin.md, "Volume names"): these must never
 * reach the disk. */
static void test_hostile_versions(void)
{
        expect_error("nvidia_driver_..", "bad volume format: nvidia_driver_..");
        expect_error("nvidia_driver_.", "bad volume format: nvidia_driver_.");
        expect_error("nvidia_driver_...", "bad volume format: nvidia_driver_...");
        expect_error("nvidia_driver_.375", "bad volume format: nvidia_driver_.375");
        expect_error("nvidia_driver_375.", "bad volume format: nvidia_driver_375.");
        expect_error("nvidia_driver_375..39", "bad volume format: nvidia_driver_375..39");
        expect_error("nvidia_driver_../..", "bad volume format: nvidia_driver_../..");
        expect_error("nvidia_driver_../../etc", "bad volume format: nvidia_driver_../../etc");
        expect_error("nvidia_driver_1/../..", "bad volume format: nvidia_driver_1/../..");
        expect_error("nvidia_driver_375.39\n", "bad volume format: nvidia_driver_375.39?");
        expect_error("nvidia_driver_\x1b[31m1", "bad volume format: nvidia_driver_?[31m1");
        /* A version longer than VOLUME_VERSION_MAX. */
        char name[200] = "nvidia_driver_";
        for (int i = 0; i < 40; i++)
                strcat(name, "1.");
        strcat(name, "1");
        struct volume_name parsed;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(volume_name_parse(name, &parsed, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message ? err.message : "", "bad volume format"));
        error_clear(&err);
        /* A name longer than VOLUME_NAME_MAX. */
        char long_name[600];
        memset(long_name, 'a', sizeof(long_name));
        strcpy(long_name + 580, "_1.2");
        CU_ASSERT_EQUAL(volume_name_parse(long_name, &parsed, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message ? err.message : "", "bad volume format"));
        error_clear(&err);
}

static void test_unsupported_kind(void)
{
        expect_error("cuda_8.0", "unsupported volume: cuda_8.0");
        expect_error("my_nvidia_driver_375.39", "unsupported volume: my_nvidia_driver_375.39");
        expect_error("nvidia_driver__375.39", "unsupported volume: nvidia_driver__375.39");
        expect_error("NVIDIA_DRIVER_375.39", "unsupported volume: NVIDIA_DRIVER_375.39");
        /* 1.0's order: kind first, so a foreign kind with a hostile version is unsupported. */
        expect_error("foo_..", "unsupported volume: foo_..");
}

static void test_version_rule(void)
{
        CU_ASSERT_TRUE(volume_version_is_valid("580.159.04"));
        CU_ASSERT_TRUE(volume_version_is_valid("7"));
        CU_ASSERT_FALSE(volume_version_is_valid(""));
        CU_ASSERT_FALSE(volume_version_is_valid("."));
        CU_ASSERT_FALSE(volume_version_is_valid(".."));
        CU_ASSERT_FALSE(volume_version_is_valid("1..2"));
        CU_ASSERT_FALSE(volume_version_is_valid("1.2."));
        CU_ASSERT_FALSE(volume_version_is_valid(".1.2"));
        CU_ASSERT_FALSE(volume_version_is_valid("1.2-rc"));
        CU_ASSERT_FALSE(volume_version_is_valid("1/2"));
}

static void test_version_compare(void)
{
        CU_ASSERT(volume_version_compare("375.39", "580.159.04") < 0);
        CU_ASSERT(volume_version_compare("580.159.04", "580.159.04") == 0);
        CU_ASSERT(volume_version_compare("580.159.04", "580.159.4") == 0);
        CU_ASSERT(volume_version_compare("9.1", "10.0") < 0);
        CU_ASSERT(volume_version_compare("580.159.05", "580.159.04") > 0);
        CU_ASSERT(volume_version_compare("580.159", "580.159.04") < 0);
        CU_ASSERT(volume_version_compare("580.159.04", "580.159") > 0);
        CU_ASSERT(volume_version_compare("0001", "1") == 0);
        CU_ASSERT(volume_version_compare("99999999999999999999.1", "99999999999999999998.9") > 0);
}

UNIT_MAIN("volume_name", UNIT(test_capability_sets), UNIT(test_valid_names), UNIT(test_bad_format),
          UNIT(test_hostile_versions), UNIT(test_unsupported_kind), UNIT(test_version_rule),
          UNIT(test_version_compare))
