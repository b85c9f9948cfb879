/* Fuzzes host_select (input: NV_HOST \0 DOCKER_HOST \0 USER; a missing part is unset), and
 * host_select_engine with the second part as a context's address. Checks: success gives a URL
 * and, over SSH, a host and port; errors are one line. (gpu_select has its own fuzzer.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/host_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, struct plugin_target *t, struct error *err)
{
        if (rc == 0) {
                if (t->url == NULL || strncmp(t->url, "http://", 7) != 0 || t->plugin_port == NULL)
                        abort();
                if (t->transport == PLUGIN_TRANSPORT_SSH &&
                    (t->ssh_host == NULL || t->ssh_port == NULL))
                        abort();
                plugin_target_destroy(t);
        } else {
                if (err->message == NULL || strchr(err->message, '\n') != NULL)
                        abort();
                error_clear(err);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *copy = xmalloc(size + 1);
        memcpy(copy, data, size);
        copy[size] = '\0';
        char *parts[3] = {NULL, NULL, NULL};
        char *p = copy, *end = copy + size;
        for (int i = 0; i < 3 && p <= end; i++) {
                parts[i] = p;
                p += strlen(p) + 1;
        }
        struct plugin_target t;
        struct error err = ERROR_INIT;
        check(host_select(parts[0], parts[1], parts[2], &t, &err), &t, &err);
        check(host_select_engine(NULL, parts[1], "docker context 'fuzz' host", parts[2], &t, &err),
              &t, &err);
        free(copy);
        return 0;
}
