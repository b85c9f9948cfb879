/* gpu_select: NV_GPU as wrapper.md §1.2 and §5.8 describe it, with this project's decisions. */
#include <stdio.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_select.h"
#include "unit.h"

/* Parses `value`; returns the items joined by '|', "ALL", or "error: <message>". */
static char *parse(const char *value)
{
        struct gpu_selection sel;
        struct error err = ERROR_INIT;
        char *out;
        if (gpu_select_parse(value, &sel, &err) < 0) {
                out = xasprintf("error: %s", err.message);
                error_clear(&err);
                return out;
        }
        CU_ASSERT_EQUAL(sel.all, sel.items.count == 0);
        out = sel.all ? xstrdup("ALL") : strv_join(&sel.items, "|");
        gpu_selection_destroy(&sel);
        gpu_selection_destroy(&sel);
        return out;
}

#define EXPECT(value, expected)                                                                    \
        do {                                                                                       \
                cleanup_free char *got_ = parse(value);                                            \
                if (strcmp(got_, expected) != 0)                                                   \
                        fprintf(stderr, "NV_GPU=%s: expected %s, got %s\n",                        \
                                value ? value : "(unset)", expected, got_);                        \
                CU_ASSERT_STRING_EQUAL(got_, expected);                                            \
        } while (0)

#define EXPECT_ERROR(value, substring)                                                             \
        do {                                                                                       \
                cleanup_free char *got_ = parse(value);                                            \
                if (strncmp(got_, "error: ", 7) != 0 || strstr(got_, substring) == NULL)           \
                        fprintf(stderr, "NV_GPU=%s: expected error with %s, got %s\n", value,      \
                                substring, got_);                                                  \
                CU_ASSERT(strncmp(got_, "error: ", 7) == 0 && strstr(got_, substring) != NULL);    \
                CU_ASSERT_PTR_NULL(strchr(got_, '\n'));                                            \
        } while (0)

static void test_all(void)
{
        EXPECT(NULL, "ALL");
        EXPECT("", "ALL");
        EXPECT(" ", "ALL");
        EXPECT(",, ,", "ALL");
}

/* §1.2: "0,1 2", "0, 1,2" and ",0,,1 2," all give 0 1 2. */
static void test_separators(void)
{
        EXPECT("0,1 2", "0|1|2");
        EXPECT("0, 1,2", "0|1|2");
        EXPECT(",0,,1 2,", "0|1|2");
        EXPECT("3", "3");
}

static void test_tab_is_not_a_separator(void)
{
        EXPECT_ERROR("0\t1", "invalid NV_GPU item '0\\x091'");
        EXPECT_ERROR("0\n", "'0\\x0a'");
}

/* §5.8: order kept, duplicates dropped. */
static void test_order_and_duplicates(void)
{
        EXPECT("2,0,1", "2|0|1");
        EXPECT("2 0 2 1 0", "2|0|1");
        EXPECT("1,01,+1,001", "1");
        EXPECT("GPU-abc,0,GPU-abc", "GPU-abc|0");
}

static void test_indexes(void)
{
        EXPECT("007", "7");
        EXPECT("0", "0");
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
        EXPECT_ERROR("GPU-", "'GPU-'");
        EXPECT_ERROR("gpu-2d1f", "'gpu-2d1f'");
        EXPECT_ERROR("GPU-2d1f+1", "'GPU-2d1f+1'");
        EXPECT_ERROR("GPU-a&b", "'GPU-a&b'");
        EXPECT_ERROR("GPU-a%20", "'GPU-a%20'");
}

static void test_other_words(void)
{
        EXPECT_ERROR("all",
                     "invalid NV_GPU item 'all': expected GPU indexes as nvidia-smi numbers "
                     "them (e.g. 0,1) or UUIDs (GPU-…, MIG-…), separated by commas or spaces");
        EXPECT_ERROR("none", "'none'");
        EXPECT_ERROR("0;1", "'0;1'");
        EXPECT_ERROR("0,x,1", "'x'");
}

static void test_long_item_is_cut(void)
{
        char value[300];
        memset(value, 'x', sizeof value - 1);
        value[sizeof value - 1] = '\0';
        cleanup_free char *got = parse(value);
        CU_ASSERT(strlen(got) < 250);
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "x...'"));
}

UNIT_MAIN("gpu_select", UNIT(test_all), UNIT(test_separators), UNIT(test_tab_is_not_a_separator),
          UNIT(test_order_and_duplicates), UNIT(test_indexes), UNIT(test_uuids),
          UNIT(test_other_words), UNIT(test_long_item_is_cut))
