/*
 * plugin_query: asks a plugin the way the wrapper does and prints the decoded answers; for the
 * integration tests of plugin_client (tests/integration/test_plugin_client.sh).
 *
 * Usage: plugin_query [--vol KIND[,KIND...]] REQUEST...
 *   REQUEST: "cli" (GET /v1.0/docker/cli/json with NV_GPU) or "info" (GET /v1.0/gpu/info/json);
 *   all requests of one run share one client (one connection). --vol "" sends no vol.
 * Reads NV_HOST, DOCKER_HOST, USER, NV_GPU and (inside plugin_client) NV_TIMEOUT.
 * Prints "target <url> <source>", then per request the answer, one item per line:
 *   "volume-driver D", "volume V", "device D" / "driver V", "cuda V", "gpu I UUID PATH MODEL",
 * and finally "connections N". On error: "error: <message>" on stderr, exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/gpu_select.h"
#include "nvidia-docker/host_select.h"
#include "nvidia-docker/plugin_client.h"

static int fail(struct error *err)
{
        fprintf(stderr, "error: %s\n", err->message);
        error_clear(err);
        return 1;
}

int main(int argc, char *argv[])
{
        struct error err = ERROR_INIT;
        struct strv kinds = STRV_INIT;
        int first = 1;
        if (argc > 2 && strcmp(argv[1], "--vol") == 0) {
                strv_split(&kinds, argv[2], ",");
                first = 3;
        } else {
                strv_push(&kinds, "nvidia_driver");
        }
        if (first >= argc) {
                fprintf(stderr, "usage: plugin_query [--vol KINDS] cli|info...\n");
                strv_destroy(&kinds);
                return 2;
        }
        struct plugin_target target;
        if (host_select(getenv("NV_HOST"), getenv("DOCKER_HOST"), getenv("USER"), &target, &err) <
            0) {
                strv_destroy(&kinds);
                return fail(&err);
        }
        printf("target %s %s\n", target.url, target.source);
        /* NV_GPU: a list is asked for as such, `none` as none, anything else as all GPUs. */
        struct gpu_request sel;
        if (gpu_request_parse_list(getenv("NV_GPU"), "NV_GPU", &sel, &err) < 0) {
                plugin_target_destroy(&target);
                strv_destroy(&kinds);
                return fail(&err);
        }
        struct plugin_client *client = NULL;
        int status = 0;
        if (plugin_client_open(&target, &client, &err) < 0) {
                status = fail(&err);
                goto out;
        }
        for (int i = first; i < argc && status == 0; i++) {
                if (strcmp(argv[i], "cli") == 0) {
                        struct docker_cli_answer a;
                        struct strv none = STRV_INIT;
                        strv_push(&none, "none");
                        const struct strv *devices = sel.kind == GPU_REQUEST_LIST   ? &sel.items
                                                     : sel.kind == GPU_REQUEST_NONE ? &none
                                                                                    : NULL;
                        int rc = plugin_client_docker_cli(client, &kinds, devices, NULL, "NV_GPU",
                                                          &a, &err);
                        strv_destroy(&none);
                        if (rc < 0) {
                                status = fail(&err);
                                break;
                        }
                        printf("volume-driver %s\n", a.volume_driver);
                        for (size_t j = 0; j < a.volumes.count; j++)
                                printf("volume %s\n", a.volumes.items[j]);
                        for (size_t j = 0; j < a.devices.count; j++)
                                printf("device %s\n", a.devices.items[j]);
                        docker_cli_answer_destroy(&a);
                } else if (strcmp(argv[i], "info") == 0) {
                        struct gpu_info_answer a;
                        if (plugin_client_gpu_info(client, &a, &err) < 0) {
                                status = fail(&err);
                                break;
                        }
                        printf("driver %s\ncuda %s\n", a.driver_version, a.cuda_version);
                        for (size_t j = 0; j < a.uuids.count; j++)
                                printf("gpu %zu %s %s %s\n", j, a.uuids.items[j], a.paths.items[j],
                                       a.models.items[j]);
                        gpu_info_answer_destroy(&a);
                } else {
                        fprintf(stderr, "plugin_query: unknown request '%s'\n", argv[i]);
                        status = 2;
                }
        }
        printf("connections %u\n", plugin_client_connections(client));
out:
        plugin_client_free(client);
        gpu_request_destroy(&sel);
        plugin_target_destroy(&target);
        strv_destroy(&kinds);
        return status;
}
