/* run_docker: see run_docker.h. */
#include "nvidia-docker/run_docker.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker/argv_rewrite.h"
#include "nvidia-docker/env_file.h"
#include "nvidia-docker/loader_env.h"
#include "nvidia-docker/run_debug.h"
#include "nvidia-docker/run_devices.h"
#include "nvidia-docker/run_runtime.h"
#include "nvidia-docker/volume_plugin.h"

/* True when the command line sets NAME (-e/--env NAME or NAME=value, or an --env-file). */
static bool cmdline_sets(const struct run_state *s, const char *name, size_t len)
{
        int loader = loader_env_index(name, len);
        if (loader >= 0 && s->request->args->env_loader[loader] != NULL)
                return true;
        return env_entries_find(&s->env_entries, name) != NULL;
}

/* The plugin's loader variables (an answer to caps=), each merged into the image's value; a
 * variable the user sets on the command line is left to the user (docs/capabilities.md). */
void run_loader_environment(const struct run_state *s, struct strv *out)
{
        const struct strv *answer = &s->answer.environment;
        for (size_t i = 0; i < answer->count; i++) {
                const char *entry = answer->items[i];
                size_t len = (size_t)(strchr(entry, '=') - entry);
                cleanup_free char *name = xstrndup(entry, len);
                if (cmdline_sets(s, name, len)) {
                        run_debug(s, "%s: the command line's value is kept", name);
                        continue;
                }
                const char *current = NULL; /* the image's last definition */
                for (size_t j = 0; j < s->image.env.count; j++)
                        if (strncmp(s->image.env.items[j], name, len) == 0 &&
                            s->image.env.items[j][len] == '=')
                                current = s->image.env.items[j] + len + 1;
                char *merged = argv_env_merge(entry, current);
                if (current != NULL && strcmp(merged + len + 1, current) == 0) {
                        free(merged); /* the image has it already: nothing to add */
                        continue;
                }
                strv_push_owned(out, merged);
        }
}

/* The capabilities to ask the plugin for: the plan's, except for a 1.0-era image (the label
 * com.nvidia.volumes.needed, no NVIDIA_VISIBLE_DEVICES) that nobody chose capabilities for: like
 * NVIDIA's runtime for legacy images it gets every capability, through 1.0's request and
 * volume name (docs/capabilities.md). */
const char *run_capabilities_to_ask(const struct run_state *s)
{
        bool legacy = s->image.volumes_label != NULL && s->image.volumes_label[0] != '\0' &&
                      s->image.visible_devices == NULL;
        if (legacy && s->plan.capabilities_source != NULL &&
            strcmp(s->plan.capabilities_source, "the default") == 0)
                return NULL;
        return s->plan.capabilities;
}

int run_docker_with_gpus(struct run_state *s, struct error *err)
{
        const char *runtime = NULL;
        if (plugin_client_open(&s->plugin, &s->env.plugin_client, &s->client, err) < 0 ||
            run_cuda_check(s, err) < 0 || run_devices_choose(s, err) < 0 ||
            plugin_client_docker_cli(
                s->client, &s->plan.volume_kinds, s->all_devices ? NULL : &s->devices,
                run_capabilities_to_ask(s), s->plan.source, &s->answer, err) < 0 ||
            run_devices_confirm(s, &s->answer.devices, err) < 0 ||
            run_runtime_choose(s, &runtime, err) < 0)
                return -1;
        run_debug_answer(s);
        /* The engine must reach the volume plugin, or docker reports a missing image. */
        cleanup_free char *reach = NULL;
        if (volume_plugin_check(&s->engine, &s->plugin, &s->answer, &reach, err) < 0)
                return -1;
        run_debug(s, "%s", reach);
        struct strv environment = STRV_INIT;
        run_loader_environment(s, &environment);
        const struct argv_extras extras = {
            .runtime = runtime,
            .capabilities = s->plan.capabilities_to_env ? s->plan.capabilities : NULL,
            .environment = &environment,
        };
        strv_init(&s->options);
        int rc = argv_gpu_options(&s->answer, &extras, &s->options, err);
        strv_destroy(&environment);
        if (rc < 0)
                return -1;
        return run_exec_words(s, &s->options, err);
}
