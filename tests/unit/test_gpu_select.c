/* gpu_select: the device lists of NV_GPU / NVIDIA_VISIBLE_DEVICES, docker's --gpus, and driver
 * capabilities (docs/gpu-selection.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_select.h"
#include "unit.h"

/* "ALL", "NONE", "VOID", "COUNT n", the items joined by '|', or "error: <message>". */
static char *shown(const struct gpu_request *r)
{
        switch (r->kind) {
        case GPU_REQUEST_ALL:
                return xstrdup("ALL");
        case GPU_REQUEST_NONE:
                return xstrdup("NONE");
        case GPU_REQUEST_VOID:
                return xstrdup("VOID");
        case GPU_REQUEST_COUNT:
                return xasprintf("COUNT %u", r->count);
        case GPU_REQUEST_LIST:
                break;
        }
        CU_ASSERT(r->items.count > 0);
        return strv_join(&r->items, "|");
}

static char *parse(const char *value)
{
        struct gpu_request r;
        struct error err = ERROR_INIT;
        char *out;
        if (gpu_request_parse_list(value, "NV_GPU", &r, &err) < 0) {
                out = xasprintf("error: %s", err.message);
                error_clear(&err);
                CU_ASSERT_EQUAL(r.items.count, 0);
                return out;
        }
        out = shown(&r);
        gpu_request_destroy(&r);
        gpu_request_destroy(&r);
        return out;
}

/* --gpus: the request, then " caps=<capabilities>" when given. */
static char *parse_option(const char *value)
{
        struct gpu_request r;
        struct error err = ERROR_INIT;
        char *caps = NULL;
        if (gpu_request_parse_option(value, &r, &caps, &err) < 0) {
                char *out = xasprintf("error: %s", err.message);
                error_clear(&err);
                CU_ASSERT_PTR_NULL(caps);
                return out;
        }
        cleanup_free char *req = shown(&r);
        gpu_request_destroy(&r);
        char *out = caps ? xasprintf("%s caps=%s", req, caps) : xstrdup(req);
        free(caps);
        return out;
}

static char *parse_caps(const char *value)
{
        char *caps = NULL;
        struct error err = ERROR_INIT;
        if (driver_capabilities_parse(value, "NVIDIA_DRIVER_CAPABILITIES", &caps, &err) < 0) {
                char *out = xasprintf("error: %s", err.message);
                error_clear(&err);
                return out;
        }
        return caps;
}

#define CHECK(fn, value, expected)                                                                 \
        do {                                                                                       \
                cleanup_free char *got_ = fn(value);                                               \
                if (strcmp(got_, expected) != 0)                                                   \
                        fprintf(stderr, "%s(%s): expected %s, got %s\n", #fn,                      \
                                value ? value : "(null)", expected, got_);                         \
                CU_ASSERT_STRING_EQUAL(got_, expected);                                            \
        } while (0)

#define CHECK_ERROR(fn, value, substring)                                                          \
        do {                                                                                       \
                cleanup_free char *got_ = fn(value);                                               \
                bool ok_ = strncmp(got_, "error: ", 7) == 0 && strstr(got_, substring) != NULL;    \
                if (!ok_)                                                                          \
                        fprintf(stderr, "%s(%s): expected error with %s, got %s\n", #fn, value,    \
                                substring, got_);                                                  \
                CU_ASSERT(ok_);                                                                    \
                CU_ASSERT_PTR_NULL(strchr(got_, '\n'));                                            \
        } while (0)

#define EXPECT(value, expected)        CHECK(parse, value, expected)
#define EXPECT_ERROR(value, substring) CHECK_ERROR(parse, value, substring)

static void test_special_words(void)
{
        EXPECT("all", "ALL");
        EXPECT("none", "NONE");
        EXPECT("void", "VOID");
        EXPECT(" all, ", "ALL");
        EXPECT("nvidia.com/gpu=all", "ALL");
        /* Empty and blank are void (a plain container), as for NVIDIA's runtime. */
        EXPECT(NULL, "VOID");
        EXPECT("", "VOID");
        EXPECT(" ", "VOID");
        EXPECT(",, ,", "VOID");
        EXPECT_ERROR("all,0", "'all' (it stands alone, not in a list)");
        EXPECT_ERROR("0 none", "'none' (it stands alone");
        EXPECT_ERROR("ALL", "'ALL'");
}

/* "0,1 2", "0, 1,2" and ",0,,1 2," all give 0 1 2 (1.0's separators). */
static void test_separators(void)
{
        EXPECT("0,1 2", "0|1|2");
        EXPECT("0, 1,2", "0|1|2");
        EXPECT(",0,,1 2,", "0|1|2");
        EXPECT("3", "3");
        EXPECT_ERROR("0\t1", "invalid NV_GPU item '0\\x091'");
        EXPECT_ERROR("0\n", "'0\\x0a'");
}

static void test_order_and_duplicates(void)
{
        EXPECT("2,0,1", "2|0|1");
        EXPECT("2 0 2 1 0", "2|0|1");
        EXPECT("1,01,+1,001", "1");
        EXPECT("GPU-abc,0,GPU-abc", "GPU-abc|0");
        EXPECT("0:1,00:01,0:1", "0:1");
}

static void test_indexes(void)
{
        EXPECT("007", "7");
        EXPECT("000", "0");
        EXPECT("+3", "3");
        EXPECT("123456789", "123456789");
        EXPECT("0000000000000000001", "1");
        EXPECT_ERROR("1234567890", "index too large");
        EXPECT_ERROR("-1", "invalid NV_GPU item '-1' (GPU indexes are not negative)");
        EXPECT_ERROR("-0", "not negative");
        EXPECT_ERROR("+", "invalid NV_GPU item '+':");
        EXPECT_ERROR("-", "invalid NV_GPU item '-':");
        EXPECT_ERROR("1a", "'1a'");
        EXPECT_ERROR("0x1", "'0x1'");
        EXPECT_ERROR("1.5", "'1.5'");
        EXPECT_ERROR("++1", "'++1'");
}

static void test_mig_indexes(void)
{
        EXPECT("0:1", "0:1");
        EXPECT("+02:003", "2:3");
        EXPECT("1:0,0", "1:0|0");
        EXPECT_ERROR("0:", "'0:'");
        EXPECT_ERROR(":1", "':1'");
        EXPECT_ERROR("0:1:2", "'0:1:2'");
        EXPECT_ERROR("0:-1", "not negative");
        EXPECT_ERROR("0:x", "'0:x'");
}

static void test_uuids(void)
{
        EXPECT("GPU-b1028956-cfa2-0990-bf4a-5da9abb51763",
               "GPU-b1028956-cfa2-0990-bf4a-5da9abb51763");
        EXPECT("GPU-2d1f", "GPU-2d1f");
        EXPECT("MIG-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19",
               "MIG-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19");
        EXPECT("MIG-GPU-b1028956-cfa2-0990-bf4a-5da9abb51763/1/0",
               "MIG-GPU-b1028956-cfa2-0990-bf4a-5da9abb51763/1/0");
        EXPECT("1,GPU-2d1f 0", "1|GPU-2d1f|0");
        EXPECT("nvidia.com/gpu=GPU-2d1f,nvidia.com/gpu=1", "GPU-2d1f|1");
        EXPECT_ERROR("GPU-", "'GPU-'");
        EXPECT_ERROR("gpu-2d1f", "'gpu-2d1f'");
        EXPECT_ERROR("GPU-2d1f+1", "'GPU-2d1f+1'");
        EXPECT_ERROR("GPU-a&b", "'GPU-a&b'");
        EXPECT_ERROR("GPU-a%20", "'GPU-a%20'");
        EXPECT_ERROR("nvidia.com/gpu=", "'nvidia.com/gpu='");
}

static void test_other_words(void)
{
        EXPECT_ERROR("0;1", "'0;1'");
        EXPECT_ERROR("0,x,1", "'x'");
        EXPECT_ERROR("x", "expected GPU indexes as nvidia-smi numbers them (e.g. 0,1), UUIDs "
                          "(GPU-..., MIG-...) or MIG indexes (0:1), separated by commas or "
                          "spaces; or all, none or void");
}

static void test_long_item_is_cut(void)
{
        char value[300];
        memset(value, 'x', sizeof value - 1);
        value[sizeof value - 1] = '\0';
        cleanup_free char *got = parse(value);
        CU_ASSERT(strlen(got) < 300);
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "x...'"));
}

#define OPTION(value, expected)   CHECK(parse_option, value, expected)
#define OPTION_ERROR(value, text) CHECK_ERROR(parse_option, value, text)

/* Every form docker's --gpus takes (opts/gpus.go), with docker's meaning. */
static void test_gpus_option(void)
{
        OPTION("all", "ALL");
        OPTION("count=all", "ALL");
        OPTION("2", "COUNT 2");
        OPTION("count=3", "COUNT 3");
        OPTION("0", "VOID");
        OPTION("count=0", "VOID");
        OPTION("device=1", "1");
        OPTION("device=0,2", "0|2");
        OPTION("\"device=0,2\"", "0|2");
        OPTION("device=GPU-2d1f,GPU-b102", "GPU-2d1f|GPU-b102");
        OPTION("device=0:1", "0:1");
        OPTION("\"device=2,0\",driver=nvidia", "2|0");
        OPTION("\"capabilities=compute,utility\"", "COUNT 1 caps=compute,utility");
        OPTION("all,\"capabilities=graphics,compute,gpu\"", "ALL caps=compute,graphics");
        OPTION("2,capabilities=video", "COUNT 2 caps=video");
        OPTION("count=1,\"options=a=b,c=d\"", "COUNT 1");
        OPTION("driver=nvidia", "COUNT 1");
        OPTION_ERROR("\"device=\"\"0\"\"\"", "invalid --gpus device item '\"0\"'");
}

static void test_gpus_option_errors(void)
{
        OPTION_ERROR("foo", "invalid argument \"foo\" for \"--gpus\" flag: invalid count (foo): "
                            "value must be either \"all\" or an integer");
        OPTION_ERROR("", "invalid argument \"\" for \"--gpus\" flag: EOF");
        OPTION_ERROR("bar=1", "unexpected key 'bar' in 'bar=1'");
        OPTION_ERROR("count=1,count=2", "gpu request key 'count' can be specified only once");
        OPTION_ERROR("2,3", "gpu request key 'count' can be specified only once");
        OPTION_ERROR("count=2,device=1", "cannot set both count and device");
        OPTION_ERROR("\"x", "extraneous or missing \" in quoted-field");
        OPTION_ERROR("a\"b", "bare \" in non-quoted-field");
        OPTION_ERROR("driver=amd", "driver 'amd': nvidia-docker serves only NVIDIA GPUs");
        OPTION_ERROR("capabilities=frobnicate", "invalid --gpus capability 'frobnicate'");
        OPTION_ERROR("device=x", "invalid --gpus device item 'x'");
        OPTION_ERROR("device=", "device= names no GPU");
        OPTION_ERROR("count=-1", "not negative");
        OPTION_ERROR("count=1234567890123", "invalid count");
}

#define CAPS(value, expected)      CHECK(parse_caps, value, expected)
#define CAPS_ERROR(value, message) CHECK_ERROR(parse_caps, value, message)

static void test_capabilities(void)
{
        CAPS(NULL, "compute,utility");
        CAPS("", "compute,utility");
        CAPS("utility", "utility");
        CAPS("video,compute,video", "compute,video");
        CAPS("graphics,display,compat32,utility", "compat32,display,graphics,utility");
        CAPS("all", "all");
        CAPS("compute,all", "all");
        CAPS(",compute,,", "compute");
        CAPS_ERROR("compute,frob", "invalid NVIDIA_DRIVER_CAPABILITIES capability 'frob': "
                                   "expected compute, compat32, display, graphics, utility or "
                                   "video, separated by commas; or all");
        CAPS_ERROR("Compute", "'Compute'");
        CU_ASSERT_TRUE(driver_capabilities_has("compute,graphics", "graphics"));
        CU_ASSERT_TRUE(driver_capabilities_has("all", "display"));
        CU_ASSERT_FALSE(driver_capabilities_has("compute,utility", "util"));
        CU_ASSERT_FALSE(driver_capabilities_has(NULL, "compute"));
}

static void test_describe(void)
{
        struct gpu_request r;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(gpu_request_parse_list("1, GPU-ab", "x", &r, &err), 0);
        cleanup_free char *d = gpu_request_describe(&r);
        CU_ASSERT_STRING_EQUAL(d, "1,GPU-ab");
        gpu_request_destroy(&r);
        char *caps = NULL;
        CU_ASSERT_EQUAL_FATAL(gpu_request_parse_option("1", &r, &caps, &err), 0);
        cleanup_free char *one = gpu_request_describe(&r);
        CU_ASSERT_STRING_EQUAL(one, "1 GPU");
        gpu_request_destroy(&r);
}

UNIT_MAIN("gpu_select", UNIT(test_special_words), UNIT(test_separators),
          UNIT(test_order_and_duplicates), UNIT(test_indexes), UNIT(test_mig_indexes),
          UNIT(test_uuids), UNIT(test_other_words), UNIT(test_long_item_is_cut),
          UNIT(test_gpus_option), UNIT(test_gpus_option_errors), UNIT(test_capabilities),
          UNIT(test_describe))
