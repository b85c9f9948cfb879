/* fuzz_ssh_config: ssh_config_parse() and ssh_config_expand() on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/ssh/ssh_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = xstrndup((const char *)data, size);
        struct ssh_config cfg;
        struct error err = ERROR_INIT;
        /* no Include: the fuzzer must not read files */
        struct ssh_config_context ctx = {"gpu1", "/nonexistent", "/home/me", 16};
        ssh_config_init(&cfg);
        ssh_config_parse(&cfg, (const char *)data, size, "fuzz", &ctx, &err);
        error_clear(&err);
        ssh_config_destroy(&cfg);
        struct ssh_expand_context ex = {"/home/me", "me", "root", "h", "n", "22", "l"};
        char *expanded = ssh_config_expand(text, &ex, &err);
        free(expanded);
        error_clear(&err);
        ssh_pattern_list_match(text, ",", "gpu1.example.com");
        free(text);
        return 0;
}
