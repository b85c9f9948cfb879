/* Fuzzes both plugin answer decoders with the same body. Checks: errors are one line; an
 * accepted docker/cli answer holds NVIDIA device nodes only and at most the driver volume,
 * read-only at /usr/local/nvidia with the nvidia-docker driver; gpu/info lists are parallel. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/plugin_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(struct error *err)
{
        if (err->message == NULL || strchr(err->message, '\n') != NULL)
                abort();
        error_clear(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *body = (const char *)data;
        struct error err = ERROR_INIT;
        struct docker_cli_answer cli;
        if (plugin_answer_decode_docker_cli(body, size, &cli, &err) == 0) {
                for (size_t i = 0; i < cli.devices.count; i++)
                        if (strncmp(cli.devices.items[i], "/dev/nvidia", 11) != 0 ||
                            strstr(cli.devices.items[i], "..") != NULL ||
                            !plugin_answer_device_allowed(cli.devices.items[i]))
                                abort();
                if (cli.volumes.count > 1)
                        abort();
                for (size_t i = 0; i < cli.volumes.count; i++) {
                        const char *v = cli.volumes.items[i];
                        const char *colon = strchr(v, ':');
                        cleanup_free char *name =
                            colon != NULL ? xstrndup(v, (size_t)(colon - v)) : NULL;
                        if (colon == NULL || strcmp(colon, ":/usr/local/nvidia:ro") != 0 ||
                            strncmp(v, "nvidia_driver", 13) != 0 || strstr(name, "..") != NULL ||
                            strchr(name, '/') != NULL || !plugin_answer_volume_name_allowed(name) ||
                            strcmp(cli.volume_driver, "nvidia-docker") != 0)
                                abort();
                }
                docker_cli_answer_destroy(&cli);
        } else {
                check_error(&err);
        }
        struct gpu_info_answer info;
        if (plugin_answer_decode_gpu_info(body, size, &info, &err) == 0) {
                if (info.uuids.count != info.paths.count || info.uuids.count != info.models.count)
                        abort();
                for (size_t i = 0; i < info.paths.count; i++)
                        if (info.paths.items[i][0] != '/' || info.uuids.items[i][0] == '\0')
                                abort();
                gpu_info_answer_destroy(&info);
        } else {
                check_error(&err);
        }
        return 0;
}
