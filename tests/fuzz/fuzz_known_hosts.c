/* fuzz_known_hosts: known_hosts_parse() and lookups (plain, [host]:port, hashed) on arbitrary
 * text. */
#include <stdint.h>
#include <stdlib.h>

#include "common/base64.h"
#include "common/xalloc.h"
#include "nvidia-docker/ssh/known_hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct known_hosts kh;
        known_hosts_init(&kh);
        known_hosts_parse(&kh, (const char *)data, size, "fuzz");
        static const char k1[] =
            "AAAAC3NzaC1lZDI1NTE5AAAAID09WqpYAW0DriMto9UG3Hn9IdEBcmgLbYRVR5T2BQU8";
        size_t len = 0;
        unsigned char *key = base64_decode(k1, sizeof(k1) - 1, &len);
        const char *names[] = {"gpu1", "[10.0.0.1]:2222", "[::1]:22"};
        for (size_t i = 0; i < 3; i++) {
                known_hosts_check(&kh, names[i], key, len, NULL);
                struct strv types = STRV_INIT;
                strv_init(&types);
                known_hosts_types_for(&kh, names[i], &types);
                strv_destroy(&types);
        }
        free(key);
        known_hosts_destroy(&kh);
        return 0;
}
