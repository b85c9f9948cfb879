/* libFuzzer target: ldcache_parse over arbitrary bytes (every entry's strings are read, so an
 * out-of-bounds offset would be caught by ASan). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "nvidia-docker-plugin/ldcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ldcache cache;
        struct error err = ERROR_INIT;
        if (ldcache_parse(&cache, data, size, &err) == 0) {
                size_t total = 0;
                for (size_t i = 0; i < cache.count; i++)
                        total += strlen(cache.entries[i].key) + strlen(cache.entries[i].value);
                (void)total;
                ldcache_destroy(&cache);
        }
        error_clear(&err);
        return 0;
}
