/* Unit tests of driver_caps: NVIDIA_DRIVER_CAPABILITIES words, defaults, implications and the
 * canonical volume-name suffix. */
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/driver_caps.h"
#include "unit.h"

static unsigned parse(const char *list)
{
        unsigned caps = 0xdead;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(driver_caps_parse(list, &caps, NULL, &err), 0);
        error_clear(&err);
        return caps;
}

static void test_parse(void)
{
        CU_ASSERT_EQUAL(parse(NULL), DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE);
        CU_ASSERT_EQUAL(parse(""), DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE);
        CU_ASSERT_EQUAL(parse(" , ,"), DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE);
        CU_ASSERT_EQUAL(parse("all"), DRIVER_CAP_ALL);
        CU_ASSERT_EQUAL(parse("compute"), DRIVER_CAP_COMPUTE);
        CU_ASSERT_EQUAL(parse("graphics, utility ,graphics"),
                        DRIVER_CAP_GRAPHICS | DRIVER_CAP_UTILITY);
        CU_ASSERT_EQUAL(parse("video,display,compat32"),
                        DRIVER_CAP_VIDEO | DRIVER_CAP_DISPLAY | DRIVER_CAP_COMPAT32);
        CU_ASSERT_EQUAL(parse("compute,all"), DRIVER_CAP_ALL);
}

static void test_unknown_and_invalid(void)
{
        unsigned caps = 0;
        struct strv unknown = STRV_INIT;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(driver_caps_parse("ngx,compute,Graphics", &caps, &unknown, &err), 0);
        CU_ASSERT_EQUAL(caps, DRIVER_CAP_COMPUTE); /* words are case-sensitive, as NVIDIA's */
        CU_ASSERT_EQUAL_FATAL(unknown.count, 2);
        CU_ASSERT_STRING_EQUAL(unknown.items[0], "ngx");
        CU_ASSERT_STRING_EQUAL(unknown.items[1], "Graphics");
        strv_destroy(&unknown);
        /* Only unknown words: nothing asked for, not the default. */
        CU_ASSERT_EQUAL(driver_caps_parse("ngx", &caps, NULL, &err), 0);
        CU_ASSERT_EQUAL(caps, 0);
        CU_ASSERT_EQUAL(driver_caps_parse("compute;utility", &caps, NULL, &err), -1);
        CU_ASSERT_STRING_EQUAL(err.message, "invalid capability: compute;utility");
        error_clear(&err);
        CU_ASSERT_EQUAL(driver_caps_parse("a\nb", &caps, NULL, &err), -1);
        CU_ASSERT_STRING_EQUAL(err.message, "invalid capability: a?b");
        error_clear(&err);
        char long_word[DRIVER_CAPS_WORD_MAX + 2];
        memset(long_word, 'x', sizeof(long_word) - 1);
        long_word[sizeof(long_word) - 1] = '\0';
        CU_ASSERT_EQUAL(driver_caps_parse(long_word, &caps, NULL, &err), -1);
        error_clear(&err);
        long_word[DRIVER_CAPS_WORD_MAX] = '\0';
        CU_ASSERT_EQUAL(driver_caps_parse(long_word, &caps, NULL, &err), 0);
}

static void test_close(void)
{
        CU_ASSERT_EQUAL(driver_caps_close(DRIVER_CAP_VIDEO), DRIVER_CAP_VIDEO | DRIVER_CAP_COMPUTE);
        CU_ASSERT_EQUAL(driver_caps_close(DRIVER_CAP_DISPLAY),
                        DRIVER_CAP_DISPLAY | DRIVER_CAP_GRAPHICS);
        CU_ASSERT_EQUAL(driver_caps_close(DRIVER_CAP_UTILITY), DRIVER_CAP_UTILITY);
        CU_ASSERT_EQUAL(driver_caps_close(0xffffffffu), DRIVER_CAP_ALL);
}

static void expect_suffix(unsigned caps, const char *want)
{
        cleanup_free char *suffix = driver_caps_suffix(caps);
        CU_ASSERT_STRING_EQUAL(suffix, want);
        unsigned back = 0;
        if (want[0] != '\0') {
                CU_ASSERT_TRUE(driver_caps_from_suffix(suffix, strlen(suffix), &back));
                CU_ASSERT_EQUAL(back, driver_caps_close(caps));
        }
}

static void test_suffix(void)
{
        expect_suffix(DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE, "compute-utility");
        expect_suffix(DRIVER_CAP_VIDEO, "compute-video");
        expect_suffix(DRIVER_CAP_DISPLAY | DRIVER_CAP_UTILITY, "display-graphics-utility");
        expect_suffix(DRIVER_CAP_ALL, "");
        expect_suffix(DRIVER_CAP_ALL & ~DRIVER_CAP_DISPLAY,
                      "compat32-compute-graphics-utility-video");
        expect_suffix(DRIVER_CAP_COMPAT32, "compat32");
        unsigned caps;
        /* Not canonical: order, repeats, unknown words, open sets, the full set, blanks. */
        const char *bad[] = {"utility-compute",
                             "compute-compute",
                             "compute-ngx",
                             "video",
                             "display",
                             "",
                             "compute-",
                             "-compute",
                             "compat32-compute-display-graphics-utility-video"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CU_ASSERT_FALSE(driver_caps_from_suffix(bad[i], strlen(bad[i]), &caps));
        CU_ASSERT_TRUE(driver_caps_from_suffix("compute-utility_1", 15, &caps));
        CU_ASSERT_EQUAL(caps, DRIVER_CAP_COMPUTE | DRIVER_CAP_UTILITY);
}

static void test_words(void)
{
        struct strv words = STRV_INIT;
        driver_caps_words(DRIVER_CAP_ALL, &words);
        cleanup_free char *joined = strv_join(&words, ",");
        CU_ASSERT_STRING_EQUAL(joined, "compat32,compute,display,graphics,utility,video");
        strv_destroy(&words);
}

UNIT_MAIN("driver_caps", UNIT(test_parse), UNIT(test_unknown_and_invalid), UNIT(test_close),
          UNIT(test_suffix), UNIT(test_words))
