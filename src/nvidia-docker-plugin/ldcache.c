#include "nvidia-docker-plugin/ldcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xalloc.h"

#define OLD_MAGIC       "ld.so-1.7.0" /* 11 bytes, count at offset 12 */
#define OLD_HEADER_SIZE 16
#define OLD_ENTRY_SIZE  12
#define NEW_MAGIC       "glibc-ld.so.cache1.1" /* magic + version, 20 bytes */
#define NEW_HEADER_SIZE 48
#define NEW_ENTRY_SIZE  24
#define LOAD_LIMIT      (64u << 20)

static uint32_t read_u32(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const unsigned char *p)
{
        return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

/*
 * A string at `offset` from `base`, which must lie in [strings_start, strings_end) (offsets
 * from `base`) and be NUL-terminated before strings_end. NULL otherwise.
 */
static const char *string_at(const unsigned char *base, uint64_t strings_start,
                             uint64_t strings_end, uint32_t offset)
{
        if (offset < strings_start || offset >= strings_end)
                return NULL;
        const char *s = (const char *)base + offset;
        if (memchr(s, '\0', strings_end - offset) == NULL)
                return NULL;
        return s;
}

static void add_entry(struct ldcache *cache, size_t *capacity, int32_t flags, const char *key,
                      const char *value, uint64_t hwcap)
{
        if (key == NULL || value == NULL) {
                cache->skipped++;
                return;
        }
        if (cache->count == *capacity) {
                *capacity = *capacity ? *capacity * 2 : 64;
                cache->entries = xrealloc(cache->entries, *capacity * sizeof(*cache->entries));
        }
        cache->entries[cache->count++] = (struct ldcache_entry){flags, key, value, hwcap};
}

/* The new-format block at `block` (size bytes up to the end of the file). */
static int parse_new(struct ldcache *cache, const unsigned char *block, size_t size,
                     struct error *err)
{
        if (size < NEW_HEADER_SIZE)
                return error_set(err, "ld.so.cache: truncated header");
        uint64_t nlibs = read_u32(block + 20);
        uint64_t len_strings = read_u32(block + 24);
        uint64_t strings_start = NEW_HEADER_SIZE + nlibs * NEW_ENTRY_SIZE;
        if (strings_start > size)
                return error_set(err, "ld.so.cache: %llu entries do not fit in the file",
                                 (unsigned long long)nlibs);
        /* Tolerate a string table that claims more than the file holds: bound it by the file
         * (each string is still checked). */
        uint64_t strings_end = strings_start + len_strings;
        if (strings_end > size)
                strings_end = size;
        size_t capacity = 0;
        for (uint64_t i = 0; i < nlibs; i++) {
                const unsigned char *e = block + NEW_HEADER_SIZE + i * NEW_ENTRY_SIZE;
                add_entry(cache, &capacity, (int32_t)read_u32(e),
                          string_at(block, strings_start, strings_end, read_u32(e + 4)),
                          string_at(block, strings_start, strings_end, read_u32(e + 8)),
                          read_u64(e + 16));
        }
        return 0;
}

/* Old entries: string offsets count from the end of the entry array; strings reach to EOF. */
static void parse_old(struct ldcache *cache, const unsigned char *data, size_t size, uint64_t nlibs)
{
        uint64_t base_offset = OLD_HEADER_SIZE + nlibs * OLD_ENTRY_SIZE;
        const unsigned char *base = data + base_offset;
        uint64_t strings_end = size - base_offset;
        size_t capacity = 0;
        for (uint64_t i = 0; i < nlibs; i++) {
                const unsigned char *e = data + OLD_HEADER_SIZE + i * OLD_ENTRY_SIZE;
                add_entry(cache, &capacity, (int32_t)read_u32(e),
                          string_at(base, 0, strings_end, read_u32(e + 4)),
                          string_at(base, 0, strings_end, read_u32(e + 8)), 0);
        }
}

int ldcache_parse(struct ldcache *cache, const void *data, size_t size, struct error *err)
{
        memset(cache, 0, sizeof(*cache));
        const unsigned char *bytes = data;
        if (size >= strlen(NEW_MAGIC) && memcmp(bytes, NEW_MAGIC, strlen(NEW_MAGIC)) == 0) {
                cache->format = LDCACHE_FORMAT_NEW;
                if (parse_new(cache, bytes, size, err) < 0)
                        goto fail;
                return 0;
        }
        if (size < OLD_HEADER_SIZE || memcmp(bytes, OLD_MAGIC, strlen(OLD_MAGIC)) != 0) {
                error_set(err, "not an ld.so.cache file (unknown magic)");
                goto fail;
        }
        uint64_t nlibs = read_u32(bytes + 12);
        uint64_t old_end = OLD_HEADER_SIZE + nlibs * OLD_ENTRY_SIZE;
        if (old_end > size) {
                error_set(err, "ld.so.cache: %llu old entries do not fit in the file",
                          (unsigned long long)nlibs);
                goto fail;
        }
        uint64_t new_start = (old_end + 7) & ~(uint64_t)7;
        if (new_start + strlen(NEW_MAGIC) <= size &&
            memcmp(bytes + new_start, NEW_MAGIC, strlen(NEW_MAGIC)) == 0) {
                cache->format = LDCACHE_FORMAT_COMBINED;
                if (parse_new(cache, bytes + new_start, size - new_start, err) < 0)
                        goto fail;
                return 0;
        }
        cache->format = LDCACHE_FORMAT_OLD;
        parse_old(cache, bytes, size, nlibs);
        return 0;
fail:
        free(cache->entries);
        cache->entries = NULL;
        cache->count = 0;
        return -1;
}

int ldcache_load(struct ldcache *cache, const char *path, struct error *err)
{
        memset(cache, 0, sizeof(*cache));
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, errno, "open %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, errno, "stat %s", path);
        if (!S_ISREG(st.st_mode) || st.st_size > LOAD_LIMIT)
                return error_set(err, "%s: not a regular file of at most 64 MiB", path);
        size_t size = (size_t)st.st_size;
        cleanup_free unsigned char *data = xmalloc(size ? size : 1);
        size_t done = 0;
        while (done < size) {
                ssize_t n = read(fd, data + done, size - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set_errno(err, errno, "read %s", path);
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        if (ldcache_parse(cache, data, done, err) < 0)
                return error_prefix(err, "%s", path);
        cache->owned = steal_pointer(&data);
        return 0;
}

void ldcache_destroy(struct ldcache *cache)
{
        if (cache == NULL)
                return;
        free(cache->entries);
        free(cache->owned);
        memset(cache, 0, sizeof(*cache));
}
