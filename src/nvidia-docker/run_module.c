/*
 * run_module: the run/create pipeline (see run_module.h). Orchestration only: every step is a
 * module with its own contract (run_state.h lists them); this file reads the environment,
 * calls them in order, prints the one error line, and execs docker.
 */
#include "nvidia-docker/run_module.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/text.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/env_file.h"
#include "nvidia-docker/run_debug.h"
#include "nvidia-docker/run_docker.h"
#include "nvidia-docker/run_image.h"
#include "nvidia-docker/run_podman.h"
#include "nvidia-docker/run_runtime.h"
#include "nvidia-docker/run_state.h"

/* The run module's only reader of the environment: it is loaded by dlopen and entered through
 * run_module_main, a second entry point beside main.c's; everything below gets values. */
static void run_env_read(struct run_env *e)
{
        e->nv_gpu = getenv("NV_GPU");
        e->nv_host = getenv("NV_HOST");
        e->nv_debug = getenv("NV_DEBUG");
        e->nv_driver_capabilities = getenv("NV_DRIVER_CAPABILITIES");
        e->docker_host = getenv("DOCKER_HOST");
        e->docker_context = getenv("DOCKER_CONTEXT");
        e->docker_config = getenv("DOCKER_CONFIG");
        e->home = getenv("HOME");
        e->user = getenv("USER");
        e->disable_require = getenv("NVIDIA_DISABLE_REQUIRE");
        e->cuda_visible_devices = getenv("CUDA_VISIBLE_DEVICES");
        e->visible_devices = getenv("NVIDIA_VISIBLE_DEVICES");
        e->driver_capabilities = getenv("NVIDIA_DRIVER_CAPABILITIES");
        e->podman = (struct podman_env){
            .container_host = getenv("CONTAINER_HOST"),
            .container_connection = getenv("CONTAINER_CONNECTION"),
            .containers_conf = getenv("CONTAINERS_CONF"),
            .storage_conf = getenv("CONTAINERS_STORAGE_CONF"),
            .xdg_runtime_dir = getenv("XDG_RUNTIME_DIR"),
            .root = geteuid() == 0,
        };
        e->plugin_client = (struct plugin_client_env){
            .timeout = getenv("NV_TIMEOUT"),
            .ssh_env =
                {
                    .home = e->home,
                    .user = e->user,
                    .auth_sock = getenv("SSH_AUTH_SOCK"),
                    .ci = getenv("CI"),
                },
        };
}

static int pass_through(struct run_state *s, struct error *err)
{
        const struct run_request *r = s->request;
        run_debug_argv(s, "exec", r->words, r->count);
        return docker_command_exec(r->docker, r->words, r->count, err);
}

/* The value the command line gives variable `name`: the last -e/--env (`cmdline_word`,
 * `NAME=value` or `NAME`), else the last --env-file entry; NULL when it gives none (or unsets
 * it: `-e NAME` with NAME unset here; `caller_value` is the caller's value of NAME). */
static const char *cmdline_value(const struct run_state *s, const char *name,
                                 const char *cmdline_word, const char *caller_value)
{
        const char *entry =
            cmdline_word != NULL ? cmdline_word : env_entries_find(&s->env_entries, name);
        return entry != NULL ? env_entry_value(entry, caller_value) : NULL;
}

static int plan_decide(struct run_state *s, struct error *err)
{
        const struct docker_args *a = s->request->args;
        strv_init(&s->env_entries);
        for (size_t i = 0; i < a->env_file_count; i++)
                if (env_file_read(a->env_files[i], &s->env_entries, err) < 0)
                        return -1;
        struct gpu_plan_input in = {
            .image = &s->image,
            .nv_gpu = s->env.nv_gpu,
            .gpus_option = a->gpus_count > 0 ? a->gpus[a->gpus_count - 1].value : NULL,
            .cmdline_visible_devices = cmdline_value(
                s, "NVIDIA_VISIBLE_DEVICES", a->env_visible_devices, s->env.visible_devices),
            .cmdline_nv_gpu = cmdline_value(s, "NV_GPU", a->env_nv_gpu, s->env.nv_gpu),
            .nv_driver_capabilities = s->env.nv_driver_capabilities,
            .cmdline_capabilities = cmdline_value(s, "NVIDIA_DRIVER_CAPABILITIES",
                                                  a->env_capabilities, s->env.driver_capabilities),
            .disable_require = s->env.disable_require != NULL,
        };
        if (gpu_plan_decide(&in, &s->plan, err) < 0)
                return -1;
        run_debug(s, "%s", s->plan.reason);
        if (in.nv_gpu != NULL && a->gpus_count > 0)
                log_warning("--gpus is ignored: NV_GPU chooses the GPUs");
        return 0;
}

/* Asks the plugin and execs docker (or podman) with the GPU options. */
static int run_with_gpus(struct run_state *s, struct error *err)
{
        if (error_is_set(&s->plugin_target_error)) {
                error_set(err, "%s", s->plugin_target_error.message);
                return error_prefix(err, "cannot choose the nvidia-docker-plugin to ask");
        }
        run_debug_plugin_target(s);
        if (s->podman)
                return run_podman_with_gpus(s, err);
        return run_docker_with_gpus(s, err);
}

/* The engine the command goes to and the plugin to ask. A bad NV_HOST or context only matters
 * once the plugin is needed: it waits in s->plugin_target_error. */
static void targets_choose(struct run_state *s)
{
        const struct run_request *r = s->request;
        const struct docker_args *a = r->args;
        if (s->podman) {
                podman_target_init(&s->podman_target, r->docker, r->words, a->global_count,
                                   &s->env.podman);
                podman_engine_plugin(&s->podman_target, s->env.nv_host, s->env.user, &s->plugin,
                                     &s->plugin_target_error);
        } else {
                /* Which engine the command goes to decides the plugin, unless NV_HOST names
                 * one. */
                struct engine_endpoint_input engine_input = {
                    .host_option = a->host_option,
                    .context_option = a->context_option,
                    .config_option = a->config_option,
                    .docker_host = s->env.docker_host,
                    .docker_context = s->env.docker_context,
                    .docker_config = s->env.docker_config,
                    .home = s->env.home,
                };
                engine_endpoint_resolve(&engine_input, &s->engine);
                run_debug(s, "engine: %s (from %s)",
                          s->engine.host ? s->engine.host : s->engine.error.message,
                          s->engine.origin);
                engine_endpoint_plugin(&s->engine, s->env.nv_host, s->env.user, &s->plugin,
                                       &s->plugin_target_error);
        }
}

static int run_pipeline(struct run_state *s, struct error *err)
{
        const struct run_request *r = s->request;
        const struct docker_args *a = r->args;

        if (!a->certain ||
            (a->command != DOCKER_COMMAND_RUN && a->command != DOCKER_COMMAND_CREATE) ||
            a->image_index >= r->count || a->insert_index > a->image_index) {
                run_debug(s, "passing through: %s",
                          a->certain ? "not a run/create line with an image" : a->uncertain_reason);
                return pass_through(s, err);
        }

        s->podman = docker_command_is_podman(r->docker);
        if (s->podman && a->late_daemon_option != NULL)
                return error_set(err,
                                 "podman's --%s after `%s` chooses where images are: put it "
                                 "before `%s`, where nvidia-docker repeats it on its own podman "
                                 "calls",
                                 a->late_daemon_option, r->words[a->command_index],
                                 r->words[a->command_index]);
        targets_choose(s);
        plugin_client_global_init(error_is_set(&s->plugin_target_error) ? NULL : &s->plugin);

        bool passthrough = false;
        if (run_image_resolve(s, &passthrough, err) < 0)
                return -1;
        if (passthrough)
                return pass_through(s, err);
        if (plan_decide(s, err) < 0)
                return -1;
        if (!s->plan.inject)
                return run_plain(s, err);
        return run_with_gpus(s, err);
}

int run_module_main(const struct run_request *request)
{
        if (request == NULL || request->abi != RUN_MODULE_ABI) {
                log_error("nvidia-docker-run.so does not match this nvidia-docker (ABI %d, want "
                          "%d); reinstall nvidia-docker",
                          request ? request->abi : -1, RUN_MODULE_ABI);
                return 1;
        }
        log_init(request->program);
        stdio_ensure_open();

        struct run_state s = {.request = request};
        run_env_read(&s.env);
        s.debug = text_is_set(s.env.nv_debug);
        struct error err = ERROR_INIT;
        run_pipeline(&s, &err); /* returns only on failure: success is an exec */
        log_error("%s", err.message != NULL ? err.message : "internal error in the run path");
        error_clear(&err);
        run_state_destroy(&s);
        return 1;
}
