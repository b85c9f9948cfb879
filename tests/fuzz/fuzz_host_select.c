/* Fuzzes host_select (input: NV_HOST \0 DOCKER_HOST \0 USER; a missing part is unset) and,
 * on the first part, gpu_select_parse. Checks: success gives a URL, errors are one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_select.h"
#include "nvidia-docker/host_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        if (host_select(parts[0], parts[1], parts[2], &t, &err) == 0) {
                if (t.url == NULL || strncmp(t.url, "http://", 7) != 0 || t.plugin_port == NULL)
                        abort();
                if (t.transport == PLUGIN_TRANSPORT_SSH &&
                    (t.ssh_host == NULL || t.ssh_port == NULL))
                        abort();
                plugin_target_destroy(&t);
        } else {
                if (err.message == NULL || strchr(err.message, '\n') != NULL)
                        abort();
                error_clear(&err);
        }
        struct gpu_selection sel;
        if (gpu_select_parse(parts[0], &sel, &err) == 0) {
                for (size_t i = 0; i < sel.items.count; i++)
                        if (strpbrk(sel.items.items[i], " ,\t\n") != NULL ||
                            sel.items.items[i][0] == '\0')
                                abort();
                gpu_selection_destroy(&sel);
        } else {
                if (err.message == NULL || strchr(err.message, '\n') != NULL)
                        abort();
                error_clear(&err);
        }
        free(copy);
        return 0;
}
