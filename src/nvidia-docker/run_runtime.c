/* run_runtime: see run_runtime.h. */
#include "nvidia-docker/run_runtime.h"

#include <stdbool.h>
#include <string.h>

#include "nvidia-docker/argv_rewrite.h"
#include "nvidia-docker/env_file.h"
#include "nvidia-docker/run_debug.h"

int run_runtime_choose(struct run_state *s, const char **runtime, struct error *err)
{
        const char *user = s->request->args->runtime;
        *runtime = NULL;
        if (user != NULL && strstr(user, "nvidia") != NULL)
                return error_set(err,
                                 "--runtime=%s: NVIDIA's runtime would give the container every "
                                 "GPU its NVIDIA_VISIBLE_DEVICES names, whatever nvidia-docker "
                                 "chooses; leave --runtime out (nvidia-docker gives the GPUs), "
                                 "or use docker itself",
                                 user);
        if (user == NULL && s->answer.nvidia_runtime) {
                *runtime = "runc";
                run_debug(s,
                          "NVIDIA's container runtime is on the engine's host: --runtime=runc, so "
                          "that it adds no GPU");
        }
        return 0;
}

/* Would NVIDIA's runtime, if it ran the container, add GPUs? It does when the container's
 * NVIDIA_VISIBLE_DEVICES (the command line's, else the image's) names any, or is absent from
 * an image with CUDA_VERSION (its "legacy image" rule). */
static bool nvidia_runtime_would_add(const struct run_state *s)
{
        const struct docker_args *a = s->request->args;
        const char *entry = a->env_visible_devices != NULL
                                ? a->env_visible_devices
                                : env_entries_find(&s->env_entries, "NVIDIA_VISIBLE_DEVICES");
        const char *value = s->image.visible_devices;
        if (entry != NULL)
                value = env_entry_value(entry, s->env.visible_devices);
        if (value == NULL)
                return s->image.cuda_version_env != NULL;
        return value[0] != '\0' && strcmp(value, "void") != 0;
}

/* A container without GPUs of ours. Where NVIDIA's runtime would add some, the plugin is asked
 * whether it is on the engine's host, and then the container runs with runc; a plugin that
 * cannot be asked is no reason to stop a container that gets no GPU. */
int run_plain(struct run_state *s, struct error *err)
{
        const char *runtime = NULL;
        if (nvidia_runtime_would_add(s)) {
                struct error ask = ERROR_INIT;
                struct strv none = STRV_INIT;
                strv_push(&none, "none");
                if (!error_is_set(&s->plugin_target_error) &&
                    plugin_client_open(&s->plugin, &s->env.plugin_client, &s->client, &ask) == 0 &&
                    plugin_client_docker_cli(s->client, NULL, &none, NULL, "the runtime check",
                                             &s->answer, &ask) == 0) {
                        if (run_runtime_choose(s, &runtime, err) < 0) {
                                strv_destroy(&none);
                                return -1;
                        }
                } else {
                        run_debug(s,
                                  "cannot ask the plugin whether NVIDIA's runtime is on the "
                                  "engine's host (%s)",
                                  ask.message ? ask.message : s->plugin_target_error.message);
                }
                error_clear(&ask);
                strv_destroy(&none);
        }
        if (runtime == NULL)
                return run_exec_words(s, NULL, err);
        const struct argv_extras extras = {.runtime = runtime};
        strv_init(&s->options);
        if (argv_gpu_options(NULL, &extras, &s->options, err) < 0)
                return -1;
        return run_exec_words(s, &s->options, err);
}
