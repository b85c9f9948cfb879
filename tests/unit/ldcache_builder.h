/*
 * ldcache_builder: builds ld.so.cache images by hand for the unit tests and fuzz seeds:
 * new format (optionally with a glibc 2.33 extension directory after the strings), old
 * (libc5) format, and the combined file older glibc wrote.
 */
#ifndef NVD_LDCACHE_BUILDER_H
#define NVD_LDCACHE_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LCB_MAX 512

struct lcb_entry {
        int32_t flags;
        uint32_t key, value; /* offsets inside the string table */
        uint64_t hwcap;
};

struct ldcache_builder {
        char strings[65536];
        size_t strings_len;
        struct lcb_entry entries[LCB_MAX];
        size_t count;
};

static inline uint32_t lcb_string(struct ldcache_builder *b, const char *s)
{
        uint32_t at = (uint32_t)b->strings_len;
        memcpy(b->strings + b->strings_len, s, strlen(s) + 1);
        b->strings_len += strlen(s) + 1;
        return at;
}

static inline void lcb_add(struct ldcache_builder *b, int32_t flags, const char *key,
                           const char *value, uint64_t hwcap)
{
        struct lcb_entry *e = &b->entries[b->count++];
        e->flags = flags;
        e->key = lcb_string(b, key);
        e->value = lcb_string(b, value);
        e->hwcap = hwcap;
}

static inline void lcb_u32(unsigned char *p, uint32_t v)
{
        for (int i = 0; i < 4; i++)
                p[i] = (unsigned char)(v >> (8 * i));
}

static inline void lcb_u64(unsigned char *p, uint64_t v)
{
        lcb_u32(p, (uint32_t)v);
        lcb_u32(p + 4, (uint32_t)(v >> 32));
}

/* Writes the new-format block at `out` (room checked by the caller); returns its size. */
static inline size_t lcb_write_new(const struct ldcache_builder *b, unsigned char *out,
                                   int extension)
{
        size_t strings_start = 48 + 24 * b->count;
        memset(out, 0, strings_start);
        memcpy(out, "glibc-ld.so.cache1.1", 20);
        lcb_u32(out + 20, (uint32_t)b->count);
        lcb_u32(out + 24, (uint32_t)b->strings_len);
        out[28] = 2; /* little endian */
        for (size_t i = 0; i < b->count; i++) {
                unsigned char *e = out + 48 + 24 * i;
                lcb_u32(e, (uint32_t)b->entries[i].flags);
                lcb_u32(e + 4, (uint32_t)(strings_start + b->entries[i].key));
                lcb_u32(e + 8, (uint32_t)(strings_start + b->entries[i].value));
                lcb_u32(e + 12, 0);
                lcb_u64(e + 16, b->entries[i].hwcap);
        }
        memcpy(out + strings_start, b->strings, b->strings_len);
        size_t size = strings_start + b->strings_len;
        if (extension) {
                /* Extension directory: magic, count 1, section tag 0 (generator) -> string. */
                size_t at = (size + 3) & ~(size_t)3;
                memset(out + size, 0, at - size);
                lcb_u32(out + 32, (uint32_t)at);
                const char *generator = "ldcache_builder";
                lcb_u32(out + at, 0xEAA42174u);
                lcb_u32(out + at + 4, 1);
                lcb_u32(out + at + 8, 0);
                lcb_u32(out + at + 12, 0);
                lcb_u32(out + at + 16, (uint32_t)(at + 24));
                lcb_u32(out + at + 20, (uint32_t)strlen(generator));
                memcpy(out + at + 24, generator, strlen(generator));
                size = at + 24 + strlen(generator);
        }
        return size;
}

/* New format alone (glibc >= 2.32). Caller frees. */
static inline unsigned char *lcb_new(const struct ldcache_builder *b, size_t *size, int extension)
{
        unsigned char *out = calloc(1, 48 + 24 * b->count + b->strings_len + 64);
        *size = lcb_write_new(b, out, extension);
        return out;
}

/* Old (libc5) format alone: offsets from the end of the entry array. */
static inline unsigned char *lcb_old(const struct ldcache_builder *b, size_t *size)
{
        size_t base = 16 + 12 * b->count;
        unsigned char *out = calloc(1, base + b->strings_len);
        memcpy(out, "ld.so-1.7.0", 12);
        lcb_u32(out + 12, (uint32_t)b->count);
        for (size_t i = 0; i < b->count; i++) {
                unsigned char *e = out + 16 + 12 * i;
                lcb_u32(e, (uint32_t)b->entries[i].flags);
                lcb_u32(e + 4, b->entries[i].key);
                lcb_u32(e + 8, b->entries[i].value);
        }
        memcpy(out + base, b->strings, b->strings_len);
        *size = base + b->strings_len;
        return out;
}

/* Combined: old header and entries, zero padding to a multiple of 8, then the new block; the
 * old entries point into the new block's string table, as ldconfig wrote them. */
static inline unsigned char *lcb_combined(const struct ldcache_builder *b, size_t *size)
{
        size_t old_end = 16 + 12 * b->count;
        size_t new_start = (old_end + 7) & ~(size_t)7;
        size_t strings_in_file = new_start + 48 + 24 * b->count;
        unsigned char *out = calloc(1, strings_in_file + b->strings_len + 64);
        memcpy(out, "ld.so-1.7.0", 12);
        lcb_u32(out + 12, (uint32_t)b->count);
        for (size_t i = 0; i < b->count; i++) {
                unsigned char *e = out + 16 + 12 * i;
                lcb_u32(e, (uint32_t)b->entries[i].flags);
                lcb_u32(e + 4, (uint32_t)(strings_in_file - old_end + b->entries[i].key));
                lcb_u32(e + 8, (uint32_t)(strings_in_file - old_end + b->entries[i].value));
        }
        *size = new_start + lcb_write_new(b, out + new_start, 0);
        return out;
}

#endif
