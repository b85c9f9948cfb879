/*
 * ldcache: a parser of glibc's /etc/ld.so.cache over a memory buffer (glibc's
 * elf/cache.c and sysdeps/generic/ldconfig.h define the format).
 *
 * Accepts the new format alone (glibc >= 2.32 default), the combined old+new file (older
 * glibc: the new block starts at the next multiple of 8 after the old entries) and an old-only
 * file (libc5 format). Every offset is bounds-checked; entries whose strings fall outside the
 * string area or are not NUL-terminated inside it are skipped, never read. The glibc >= 2.33
 * extension directory and the hwcap/osversion fields are not interpreted (hwcap is exposed).
 * Entry strings point into the parsed buffer: keep it alive as long as the cache.
 */
#ifndef NVD_LDCACHE_H
#define NVD_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Entry flags (glibc's FLAG_* of ldconfig.h). */
#define LDCACHE_FLAG_ELF     0x0001 /* type bit: ELF, ELF libc6 */
#define LDCACHE_TYPE_MASK    0x00ff
#define LDCACHE_ARCH_MASK    0xff00
#define LDCACHE_ARCH_I386    0x0000
#define LDCACHE_ARCH_X86_64  0x0300
#define LDCACHE_ARCH_PPC64   0x0500
#define LDCACHE_ARCH_X32     0x0800
#define LDCACHE_ARCH_AARCH64 0x0a00

enum ldcache_format {
        LDCACHE_FORMAT_OLD = 1, /* libc5 entries only */
        LDCACHE_FORMAT_NEW,     /* glibc-ld.so.cache1.1 only */
        LDCACHE_FORMAT_COMBINED /* old entries followed by the new block (the new one is used) */
};

struct ldcache_entry {
        int32_t flags;
        const char *key;   /* soname, e.g. "libcuda.so.1" */
        const char *value; /* path, e.g. "/usr/lib/x86_64-linux-gnu/libcuda.so.1" */
        uint64_t hwcap;    /* 0 in the old format */
};

struct ldcache {
        enum ldcache_format format;
        struct ldcache_entry *entries; /* in file order, invalid entries left out */
        size_t count;
        size_t skipped; /* entries dropped by the bounds checks */
        void *owned;    /* file contents when loaded by ldcache_load */
};

/* Parses `size` bytes at `data` (not copied). Fails on a file that is no ld.so.cache. */
int ldcache_parse(struct ldcache *cache, const void *data, size_t size, struct error *err);
/* Reads the file (up to 64 MiB) and parses it; the cache owns the contents. */
int ldcache_load(struct ldcache *cache, const char *path, struct error *err);
void ldcache_destroy(struct ldcache *cache);

#endif
