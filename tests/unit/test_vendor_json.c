/* Unit tests of vendor_json: the library paths of the loaders' JSON files, and their copies that
 * name the library inside the driver volume. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/vendor_json.h"
#include "unit.h"

static const char egl_vendor[] = "{\n    \"file_format_version\" : \"1.0.0\",\n    \"ICD\" : {\n"
                                 "        \"library_path\" : \"libEGL_nvidia.so.0\"\n    }\n}\n";
static const char layers[] =
    "{\"file_format_version\":\"1.1.0\",\"layers\":[{\"name\":\"A\",\"library_path\":\"liba.so\"},"
    "{\"name\":\"B\",\"library_path\":\"/opt/libb.so\"}]}";

static void test_libraries(void)
{
        struct strv libs = STRV_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(vendor_json_libraries(egl_vendor, strlen(egl_vendor), &libs, &err), 0);
        CU_ASSERT_EQUAL_FATAL(libs.count, 1);
        CU_ASSERT_STRING_EQUAL(libs.items[0], "libEGL_nvidia.so.0");
        strv_destroy(&libs);
        CU_ASSERT_EQUAL(vendor_json_libraries(layers, strlen(layers), &libs, &err), 0);
        CU_ASSERT_EQUAL_FATAL(libs.count, 2);
        CU_ASSERT_STRING_EQUAL(libs.items[1], "/opt/libb.so");
        strv_destroy(&libs);
        const char layer[] = "{\"layer\":{\"name\":\"VK_LAYER_NV_optimus\",\"library_path\":"
                             "\"libGLX_nvidia.so.0\"}}";
        CU_ASSERT_EQUAL(vendor_json_libraries(layer, strlen(layer), &libs, &err), 0);
        CU_ASSERT_EQUAL(libs.count, 1);
        strv_destroy(&libs);
}

static void expect_bad(const char *text, size_t len, const char *message)
{
        struct strv libs = STRV_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(vendor_json_libraries(text, len, &libs, &err), -1);
        CU_ASSERT_EQUAL(libs.count, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
        if (strstr(err.message, message) == NULL)
                fprintf(stderr, "got '%s', want '%s'\n", err.message, message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, message));
        error_clear(&err);
        strv_destroy(&libs);
}

static void test_bad_files(void)
{
        expect_bad("{\"ICD\": ", 8, "not JSON");
        expect_bad("[1]", 3, "not a JSON object");
        expect_bad("{\"ICD\":{}}", 10, "no library_path");
        expect_bad("{\"ICD\":{\"library_path\":7}}", 26, "not a file name");
        expect_bad("{\"ICD\":{\"library_path\":\"\"}}", 27, "not a file name");
        expect_bad("{\"ICD\":{\"library_path\":\"a\\u0000b\"}}", 35, "not JSON");
        expect_bad("{\"a\":1,\"a\":2}", 13, "not JSON");
        char *big = xmalloc(VENDOR_JSON_MAX + 2);
        memset(big, ' ', VENDOR_JSON_MAX + 1);
        big[0] = '{';
        big[VENDOR_JSON_MAX] = '}';
        expect_bad(big, VENDOR_JSON_MAX + 1, "larger than");
        free(big);
}

static char *to_volume(void *ctx, const char *path)
{
        (*(int *)ctx)++;
        if (strchr(path, '/') != NULL)
                return NULL; /* kept */
        return xasprintf("/usr/local/nvidia/lib64/%s", path);
}

static void test_rewrite(void)
{
        int calls = 0;
        char *out = NULL;
        size_t len = 0;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(vendor_json_rewrite(egl_vendor, strlen(egl_vendor), to_volume, &calls,
                                                  &out, &len, &err),
                              0);
        CU_ASSERT_EQUAL(calls, 1);
        CU_ASSERT_EQUAL(strlen(out), len);
        CU_ASSERT_EQUAL(out[len - 1], '\n');
        CU_ASSERT_PTR_NOT_NULL(
            strstr(out, "\"library_path\": \"/usr/local/nvidia/lib64/libEGL_nvidia.so.0\""));
        /* Order of keys is kept: the version comes first. */
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"file_format_version\""));
        CU_ASSERT_TRUE(strstr(out, "file_format_version") < strstr(out, "ICD"));
        struct strv libs = STRV_INIT;
        CU_ASSERT_EQUAL(vendor_json_libraries(out, len, &libs, &err), 0);
        CU_ASSERT_STRING_EQUAL(libs.items[0], "/usr/local/nvidia/lib64/libEGL_nvidia.so.0");
        strv_destroy(&libs);
        free(out);
        calls = 0;
        CU_ASSERT_EQUAL_FATAL(
            vendor_json_rewrite(layers, strlen(layers), to_volume, &calls, &out, &len, &err), 0);
        CU_ASSERT_EQUAL(calls, 2);
        CU_ASSERT_EQUAL(vendor_json_libraries(out, len, &libs, &err), 0);
        CU_ASSERT_STRING_EQUAL(libs.items[0], "/usr/local/nvidia/lib64/liba.so");
        CU_ASSERT_STRING_EQUAL(libs.items[1], "/opt/libb.so");
        strv_destroy(&libs);
        free(out);
        CU_ASSERT_EQUAL(vendor_json_rewrite("{}", 2, to_volume, &calls, &out, &len, &err), -1);
        error_clear(&err);
}

UNIT_MAIN("vendor_json", UNIT(test_libraries), UNIT(test_bad_files), UNIT(test_rewrite))
