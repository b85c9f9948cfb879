#include "nvidia-docker-plugin/compose_stanza.h"

#include <string.h>

#include "common/xalloc.h"

bool compose_stanza_service_is_valid(const char *service)
{
        size_t n = strlen(service);
        if (n == 0 || n > 63)
                return false;
        for (const char *c = service; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
                        return false;
        return true;
}

void compose_stanza_write(const char *service, const struct strv *devices,
                          const struct strv *volumes, const struct strv *environment,
                          const char *gpus, const char *driver, struct buf *out)
{
        buf_printf(out,
                   "# nvidia-docker-plugin: %s and the NVIDIA driver %s for the Compose "
                   "service \"%s\".\n"
                   "# Use it next to your file: docker-compose -f docker-compose.yml -f <this "
                   "file> up\n"
                   "services:\n  %s:\n    devices:\n",
                   gpus, driver, service, service);
        for (size_t i = 0; i < devices->count; i++)
                buf_printf(out, "      - %s\n", devices->items[i]);
        if (volumes->count > 0)
                buf_puts(out, "    volumes:\n");
        for (size_t i = 0; i < volumes->count; i++)
                buf_printf(out, "      - %s\n", volumes->items[i]);
        /* An NVIDIA container runtime, where one is configured, must not add GPUs of its own. */
        buf_puts(out, "    environment:\n      NVIDIA_VISIBLE_DEVICES: void\n");
        for (size_t i = 0; i < environment->count; i++) {
                const char *eq = strchr(environment->items[i], '=');
                if (eq != NULL) /* quoted: a value may hold ':' or start with a YAML sign */
                        buf_printf(out, "      %.*s: \"%s\"\n", (int)(eq - environment->items[i]),
                                   environment->items[i], eq + 1);
        }
        if (volumes->count > 0)
                buf_puts(out, "volumes:\n");
        for (size_t i = 0; i < volumes->count; i++) {
                const char *colon = strchr(volumes->items[i], ':');
                size_t len =
                    colon ? (size_t)(colon - volumes->items[i]) : strlen(volumes->items[i]);
                buf_printf(out, "  %.*s:\n    name: %.*s\n    driver: nvidia-docker\n", (int)len,
                           volumes->items[i], (int)len, volumes->items[i]);
        }
}
