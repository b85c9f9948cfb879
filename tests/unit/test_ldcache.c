/* Unit tests of ldcache: hand-built new, old and combined caches, hostile offsets, and the
 * machine's own /etc/ld.so.cache. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ldcache_builder.h"
#include "nvidia-docker-plugin/ldcache.h"
#include "unit.h"

#define X86_64_LIBC6 0x0303
#define I386_LIBC6   0x0003

static void fill(struct ldcache_builder *b)
{
        memset(b, 0, sizeof(*b));
        lcb_add(b, X86_64_LIBC6, "libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", 0);
        lcb_add(b, I386_LIBC6, "libcuda.so.1", "/usr/lib/i386-linux-gnu/libcuda.so.1", 0);
        lcb_add(b, 0x0001, "ld-linux.so.2", "/lib/ld-linux.so.2", 0);
        /* A glibc-hwcaps entry (bit 62): treated like any other. */
        lcb_add(b, X86_64_LIBC6, "libz.so.1", "/usr/lib/glibc-hwcaps/x86-64-v3/libz.so.1",
                (1ull << 62) | 0);
}

static void check_filled(const struct ldcache *cache)
{
        CU_ASSERT_EQUAL_FATAL(cache->count, 4);
        CU_ASSERT_EQUAL(cache->skipped, 0);
        CU_ASSERT_EQUAL(cache->entries[0].flags, X86_64_LIBC6);
        CU_ASSERT_STRING_EQUAL(cache->entries[0].key, "libcuda.so.1");
        CU_ASSERT_STRING_EQUAL(cache->entries[0].value, "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
        CU_ASSERT_EQUAL(cache->entries[1].flags, I386_LIBC6);
        CU_ASSERT_STRING_EQUAL(cache->entries[1].value, "/usr/lib/i386-linux-gnu/libcuda.so.1");
        CU_ASSERT_STRING_EQUAL(cache->entries[2].key, "ld-linux.so.2");
        CU_ASSERT_STRING_EQUAL(cache->entries[3].value,
                               "/usr/lib/glibc-hwcaps/x86-64-v3/libz.so.1");
}

static void test_new_format(void)
{
        static struct ldcache_builder b;
        fill(&b);
        for (int extension = 0; extension <= 1; extension++) {
                size_t size;
                unsigned char *data = lcb_new(&b, &size, extension);
                struct ldcache cache;
                struct error err = ERROR_INIT;
                CU_ASSERT_EQUAL_FATAL(ldcache_parse(&cache, data, size, &err), 0);
                CU_ASSERT_EQUAL(cache.format, LDCACHE_FORMAT_NEW);
                check_filled(&cache);
                if (extension)
                        CU_ASSERT_EQUAL(cache.entries[3].hwcap, 1ull << 62);
                ldcache_destroy(&cache);
                free(data);
        }
}

static void test_old_format(void)
{
        static struct ldcache_builder b;
        fill(&b);
        size_t size;
        unsigned char *data = lcb_old(&b, &size);
        struct ldcache cache;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(ldcache_parse(&cache, data, size, &err), 0);
        CU_ASSERT_EQUAL(cache.format, LDCACHE_FORMAT_OLD);
        check_filled(&cache);
        ldcache_destroy(&cache);
        free(data);
}

static void test_combined_format(void)
{
        static struct ldcache_builder b;
        fill(&b);
        /* 4 old entries end at 16 + 48 = 64 (aligned); try 3 entries too (52 -> pad to 56). */
        for (int variant = 0; variant < 2; variant++) {
                if (variant == 1) {
                        memset(&b, 0, sizeof(b));
                        lcb_add(&b, X86_64_LIBC6, "libcuda.so.1", "/a/libcuda.so.1", 0);
                        lcb_add(&b, I386_LIBC6, "libcuda.so.1", "/b/libcuda.so.1", 0);
                        lcb_add(&b, X86_64_LIBC6, "libm.so.6", "/c/libm.so.6", 0);
                }
                size_t size;
                unsigned char *data = lcb_combined(&b, &size);
                struct ldcache cache;
                struct error err = ERROR_INIT;
                CU_ASSERT_EQUAL_FATAL(ldcache_parse(&cache, data, size, &err), 0);
                CU_ASSERT_EQUAL(cache.format, LDCACHE_FORMAT_COMBINED);
                if (variant == 0) {
                        check_filled(&cache);
                } else {
                        CU_ASSERT_EQUAL(cache.count, 3);
                        CU_ASSERT_STRING_EQUAL(cache.entries[2].value, "/c/libm.so.6");
                }
                ldcache_destroy(&cache);
                free(data);
        }
}

static void expect_reject(const void *data, size_t size)
{
        struct ldcache cache;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL(ldcache_parse(&cache, data, size, &err), -1);
        CU_ASSERT_PTR_NOT_NULL(err.message);
        CU_ASSERT_PTR_NULL(cache.entries);
        error_clear(&err);
}

static void test_rejects(void)
{
        expect_reject("", 0);
        expect_reject("hello world, not a cache", 24);
        expect_reject("glibc-ld.so.cache1.1", 20); /* header cut */
        expect_reject("ld.so-1.7.0", 11);
        /* nlibs far beyond the file. */
        static struct ldcache_builder b;
        fill(&b);
        size_t size;
        unsigned char *data = lcb_new(&b, &size, 0);
        lcb_u32(data + 20, 0x7fffffff);
        expect_reject(data, size);
        lcb_u32(data + 20, 0xffffffff);
        expect_reject(data, size);
        free(data);
        data = lcb_old(&b, &size);
        lcb_u32(data + 12, 0xffffffff);
        expect_reject(data, size);
        free(data);
}

static void test_hostile_offsets(void)
{
        static struct ldcache_builder b;
        fill(&b);
        size_t size;
        unsigned char *data = lcb_new(&b, &size, 0);
        /* Entry 0: key points before the strings (into the header). Entry 1: value past the end.
         * Entry 2: value at the last byte of a string table whose final NUL was removed. */
        lcb_u32(data + 48 + 4, 0);
        lcb_u32(data + 48 + 24 + 8, 0xfffffff0);
        data[size - 1] = 'x';
        struct ldcache cache;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(ldcache_parse(&cache, data, size, &err), 0);
        /* Entry 3's value is the last string: no NUL any more, so it is skipped too. */
        CU_ASSERT_EQUAL(cache.count, 1);
        CU_ASSERT_EQUAL(cache.skipped, 3);
        CU_ASSERT_STRING_EQUAL(cache.entries[0].key, "ld-linux.so.2");
        ldcache_destroy(&cache);
        /* len_strings larger than the file: bounded by the file, entries still valid. */
        data[size - 1] = '\0';
        lcb_u32(data + 48 + 4, 48 + 24 * 4);
        lcb_u32(data + 48 + 24 + 8, 48 + 24 * 4);
        lcb_u32(data + 24, 0x7fffffff);
        CU_ASSERT_EQUAL_FATAL(ldcache_parse(&cache, data, size, &err), 0);
        CU_ASSERT_EQUAL(cache.count, 4);
        ldcache_destroy(&cache);
        free(data);
}

/* The machine's own cache (Debian 12: new format, with the extension directory). */
static void test_real_cache(void)
{
        struct ldcache cache;
        struct error err = ERROR_INIT;
        int rc = ldcache_load(&cache, "/etc/ld.so.cache", &err);
        if (rc < 0)
                fprintf(stderr, "%s\n", err.message);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT(cache.count > 10);
        CU_ASSERT_EQUAL(cache.skipped, 0);
        int libc = 0;
        for (size_t i = 0; i < cache.count; i++) {
                CU_ASSERT_EQUAL(cache.entries[i].value[0], '/');
                if (strcmp(cache.entries[i].key, "libc.so.6") == 0 &&
                    (cache.entries[i].flags & LDCACHE_ARCH_MASK) == LDCACHE_ARCH_X86_64)
                        libc++;
        }
#if defined(__x86_64__)
        CU_ASSERT(libc >= 1);
#endif
        ldcache_destroy(&cache);
        CU_ASSERT_EQUAL(ldcache_load(&cache, "/nonexistent/ld.so.cache", &err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/nonexistent/ld.so.cache"));
        error_clear(&err);
        CU_ASSERT_EQUAL(ldcache_load(&cache, "/etc", &err), -1);
        error_clear(&err);
        ldcache_destroy(NULL);
}

/* Shaped like a real GPU host (driver 580): new format only, flags byte 2, an
 * extension right after the strings, every NVIDIA key twice (lib64 and a /lib duplicate). */
static void test_gpu_host_shape(void)
{
        static struct ldcache_builder b;
        memset(&b, 0, sizeof(b));
        static const char *const names[] = {"libcuda.so.1", "libnvidia-ml.so.1",
                                            "libEGL_nvidia.so.0", "libnvidia-glcore.so.580.159.04"};
        for (int i = 0; i < 4; i++) {
                char path[256];
                snprintf(path, sizeof(path), "/usr/local/nvidia/lib64/%s", names[i]);
                lcb_add(&b, X86_64_LIBC6, names[i], path, 0);
                snprintf(path, sizeof(path), "/lib/%s", names[i]);
                lcb_add(&b, X86_64_LIBC6, names[i], path, 0);
        }
        size_t size;
        unsigned char *data = lcb_new(&b, &size, 1);
        struct ldcache cache;
        struct error err = ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(ldcache_parse(&cache, data, size, &err), 0);
        CU_ASSERT_EQUAL(cache.format, LDCACHE_FORMAT_NEW);
        CU_ASSERT_EQUAL(cache.count, 8);
        CU_ASSERT_STRING_EQUAL(cache.entries[7].value, "/lib/libnvidia-glcore.so.580.159.04");
        ldcache_destroy(&cache);
        free(data);
}

UNIT_MAIN("ldcache", UNIT(test_new_format), UNIT(test_old_format), UNIT(test_combined_format),
          UNIT(test_rejects), UNIT(test_hostile_offsets), UNIT(test_real_cache),
          UNIT(test_gpu_host_shape))
