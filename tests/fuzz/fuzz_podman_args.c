/*
 * fuzz_podman_args: podman's command lines (docker_args with podman's tables), the reading of
 * its global options into a machine and a plugin (podman_engine), and the CDI device names of
 * a selection (cdi_devices), on arbitrary words. The input is split into words on NUL and
 * newline bytes (at most 64); a word starting with "ENV:" goes to CONTAINER_HOST instead, one
 * starting with "NV_HOST:" to NV_HOST, and the words after the image are the GPU selection.
 * Invariants are checked and any violation aborts; ASan and UBSan watch the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/cdi_devices.h"
#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/docker_flags.h"
#include "nvidia-docker/podman_engine.h"

#define MAX_WORDS 64

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "invariant failed: %s\n", #cond);                          \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        memcpy(text, data, size);
        text[size] = '\0';
        const char *words[MAX_WORDS];
        const char *container_host = NULL, *nv_host = NULL;
        size_t count = 0, start = 0;
        for (size_t i = 0; i <= size && count < MAX_WORDS; i++) {
                if (i == size || text[i] == '\n' || text[i] == '\0') {
                        text[i] = '\0';
                        const char *w = text + start;
                        if (strncmp(w, "ENV:", 4) == 0)
                                container_host = w + 4;
                        else if (strncmp(w, "NV_HOST:", 8) == 0)
                                nv_host = w + 8;
                        else if (i < size || start < size)
                                words[count++] = w;
                        start = i + 1;
                }
        }

        struct docker_flag_tables tables;
        docker_flags_tables(true, &tables);
        struct docker_args a;
        docker_args_parse_with(words, count, &tables, &a);
        CHECK(a.certain == (a.uncertain_reason[0] == '\0'));
        CHECK(a.global_count <= count);
        bool run_or_create = a.command == DOCKER_COMMAND_RUN || a.command == DOCKER_COMMAND_CREATE;
        if (run_or_create && a.certain) {
                CHECK(a.image_index < count && a.insert_index <= a.image_index);
                CHECK(words[a.image_index][0] != '-' && words[a.image_index][0] != '\0');
        }
        if (a.late_daemon_option != NULL)
                CHECK(a.daemon_options);

        struct strv docker = STRV_INIT;
        strv_push(&docker,
                  count > 0 && strcmp(words[0], "remote") == 0 ? "podman-remote" : "podman");
        struct podman_env env = {.container_host = container_host, .root = count % 2 == 0};
        struct podman_target target;
        podman_target_init(&target, &docker, words, a.global_count, &env);
        CHECK(target.engine.socket_path != NULL);
        CHECK(target.engine.use_cli || (!target.remote && a.global_count == 0));
        if (target.url != NULL)
                CHECK(target.remote);
        struct plugin_target plugin;
        struct error err = ERROR_INIT;
        if (podman_engine_plugin(&target, nv_host, "me", &plugin, &err) == 0) {
                CHECK(!error_is_set(&err));
                CHECK(plugin.url != NULL);
                plugin_target_destroy(&plugin);
        } else {
                CHECK(err.message != NULL && strchr(err.message, '\n') == NULL);
        }
        error_clear(&err);

        if (run_or_create && a.certain) {
                struct gpu_info_answer info = {0};
                strv_push(&info.uuids, "GPU-aaaa1111-0000-0000-0000-000000000000");
                strv_push(&info.uuids, "GPU-aaaa2222-0000-0000-0000-000000000000");
                strv_push(&info.models, "FAKE");
                strv_push(&info.models, "");
                strv_push(&info.paths, "/dev/nvidia0");
                strv_push(&info.paths, "/dev/nvidia1");
                strv_push(&info.mig_uuids, "MIG-5a1c3e7f-2b4d-5e6f-8a9b-0c1d2e3f4a5b");
                strv_push(&info.mig_indexes, "1:0");
                strv_push(&info.mig_paths, "/dev/nvidia1");
                struct strv items = STRV_INIT, out = STRV_INIT, nodes = STRV_INIT;
                for (size_t i = a.image_index + 1; i < count; i++)
                        strv_push(&items, words[i]);
                if (cdi_devices_options(false, &items, &info, "NV_GPU", &out, &nodes, &err) == 0) {
                        CHECK(nodes.count <= out.count);
                        CHECK(out.count >= 1 && out.count <= (items.count ? items.count : 1));
                        for (size_t i = 0; i < out.count; i++)
                                CHECK(strncmp(out.items[i], "--device=nvidia.com/gpu=", 24) == 0);
                } else {
                        CHECK(err.message != NULL);
                }
                error_clear(&err);
                strv_destroy(&items);
                strv_destroy(&out);
                strv_destroy(&nodes);
                gpu_info_answer_destroy(&info);
        }
        podman_target_destroy(&target);
        strv_destroy(&docker);
        free(text);
        return 0;
}
