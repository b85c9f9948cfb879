/*
 * run_module: the run/create pipeline (see run_module.h). Orchestration only: every step is a
 * module with its own contract; this file reads the environment, calls them in order, prints
 * NV_DEBUG lines and the one error line, and execs docker.
 */
#include "nvidia-docker/run_module.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker/argv_rewrite.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/engine.h"
#include "nvidia-docker/engine_endpoint.h"
#include "nvidia-docker/gpu_plan.h"
#include "nvidia-docker/gpu_select.h"
#include "nvidia-docker/host_select.h"
#include "nvidia-docker/plugin_client.h"
#include "nvidia-docker/volume_plugin.h"

struct run_state {
        const struct run_request *request;
        bool debug;
        struct gpu_selection selection;
        struct engine_endpoint engine; /* which engine: for the image query and the plugin */
        struct plugin_target plugin;
        struct error plugin_target_error; /* reported only if the plugin is needed */
        struct image_info image;
        struct gpu_plan plan;
        struct plugin_client *client;
        struct docker_cli_answer answer;
        struct gpu_info_answer info;
        struct strv options;
        struct strv final_words; /* the user's words with the GPU options inserted */
};

static bool env_set(const char *name)
{
        const char *v = getenv(name);
        return v != NULL && v[0] != '\0';
}

static void debug(const struct run_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void debug(const struct run_state *s, const char *fmt, ...)
{
        if (!s->debug)
                return;
        va_list ap;
        va_start(ap, fmt);
        cleanup_free char *text = xvasprintf(fmt, ap);
        va_end(ap);
        log_msg("Debug: %s", text);
}

/* Shell-like quoting for the debug line only (never executed). */
static void append_quoted(struct buf *line, const char *word)
{
        bool plain = word[0] != '\0';
        for (const char *p = word; *p != '\0' && plain; p++)
                plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "-_./:=,+@%",
                               *p) != NULL;
        if (line->len > 0)
                buf_puts(line, " ");
        if (plain) {
                buf_puts(line, word);
                return;
        }
        buf_puts(line, "'");
        for (const char *p = word; *p != '\0'; p++) {
                if (*p == '\'')
                        buf_puts(line, "'\\''");
                else
                        buf_append(line, p, 1);
        }
        buf_puts(line, "'");
}

static void debug_argv(const struct run_state *s, const char *what, const char *const *words,
                       size_t count)
{
        if (!s->debug)
                return;
        struct buf line = BUF_INIT;
        for (size_t i = 0; i < s->request->docker->count; i++)
                append_quoted(&line, s->request->docker->items[i]);
        for (size_t i = 0; i < count; i++)
                append_quoted(&line, words[i]);
        debug(s, "%s: %s", what, line.data != NULL ? line.data : "");
        buf_destroy(&line);
}

static void run_state_destroy(struct run_state *s)
{
        gpu_selection_destroy(&s->selection);
        engine_endpoint_destroy(&s->engine);
        plugin_target_destroy(&s->plugin);
        error_clear(&s->plugin_target_error);
        image_info_destroy(&s->image);
        gpu_plan_destroy(&s->plan);
        plugin_client_free(s->client);
        docker_cli_answer_destroy(&s->answer);
        gpu_info_answer_destroy(&s->info);
        strv_destroy(&s->options);
        strv_destroy(&s->final_words);
}

static int pass_through(struct run_state *s, struct error *err)
{
        const struct run_request *r = s->request;
        debug_argv(s, "exec", r->words, r->count);
        return docker_command_exec(r->docker, r->words, r->count, err);
}

/* Inspect, pulling as --pull says. Sets *passthrough when docker must decide alone. */
static int image_resolve(struct run_state *s, bool *passthrough, struct error *err)
{
        const struct run_request *r = s->request;
        const char *image = r->words[r->args->image_index];
        const char *pull = r->args->pull;
        struct engine_target target;
        engine_target_init(&target, r->docker, r->words, r->args->global_count,
                           r->args->daemon_options, &s->engine);
        if (target.use_cli)
                debug(s, "engine: asking `%s image inspect` (%s)", r->docker->items[0],
                      target.cli_reason);
        else
                debug(s, "engine: asking the Engine API at unix://%s", target.socket_path);

        bool always = false, never = false;
        if (pull != NULL) {
                always = strcmp(pull, "always") == 0;
                never = strcmp(pull, "never") == 0;
                if (!always && !never && strcmp(pull, "missing") != 0) {
                        debug(s, "unknown --pull=%s: docker decides", pull);
                        *passthrough = true;
                        return 0;
                }
        }
        if (always && engine_pull_image(&target, image, r->args->platform, err) < 0)
                return -1;
        if (engine_inspect_image(&target, image, &s->image, err) < 0)
                return -1;
        if (s->image.found)
                return 0;
        if (always)
                return error_set(err, "image '%s' is still missing after `docker pull`", image);
        if (never) {
                debug(s, "image %s not found and --pull=never: docker reports it", image);
                *passthrough = true;
                return 0;
        }
        debug(s, "image %s not found: pulling it", image);
        if (engine_pull_image(&target, image, r->args->platform, err) < 0)
                return -1;
        image_info_destroy(&s->image);
        if (engine_inspect_image(&target, image, &s->image, err) < 0)
                return -1;
        if (!s->image.found)
                return error_set(err, "image '%s' is still missing after `docker pull`", image);
        return 0;
}

static int cuda_check(struct run_state *s, struct error *err)
{
        if (s->plan.check_disabled) {
                debug(s, "CUDA check skipped: NVIDIA_DISABLE_REQUIRE is set");
                return 0;
        }
        if (s->plan.required_cuda == NULL) {
                debug(s, "CUDA check: the image states no CUDA requirement");
                return 0;
        }
        if (plugin_client_gpu_info(s->client, &s->info, err) < 0)
                return error_prefix(err,
                                    "cannot check the image's CUDA requirement %s (%s): "
                                    "the driver query failed",
                                    s->plan.required_cuda, s->plan.required_from);
        if (cuda_version_check(s->info.cuda_version, s->plan.required_cuda, err) < 0)
                return -1;
        debug(s, "CUDA check: driver %s >= image %s (%s)", s->info.cuda_version,
              s->plan.required_cuda, s->plan.required_from);
        return 0;
}

static int run_pipeline(struct run_state *s, struct error *err)
{
        const struct run_request *r = s->request;
        const struct docker_args *a = r->args;

        if (!a->certain ||
            (a->command != DOCKER_COMMAND_RUN && a->command != DOCKER_COMMAND_CREATE) ||
            a->image_index >= r->count || a->insert_index > a->image_index) {
                debug(s, "passing through: %s",
                      a->certain ? "not a run/create line with an image" : a->uncertain_reason);
                return pass_through(s, err);
        }

        const char *nv_gpu = getenv("NV_GPU");
        if (gpu_select_parse(nv_gpu, &s->selection, err) < 0)
                return -1;
        /* Which engine the command goes to decides the plugin, unless NV_HOST names one. A bad
         * NV_HOST or context only matters once the plugin is needed (plugin_target_error). */
        struct engine_endpoint_input engine_input = {
            .host_option = a->host_option,
            .context_option = a->context_option,
            .config_option = a->config_option,
            .docker_host = getenv("DOCKER_HOST"),
            .docker_context = getenv("DOCKER_CONTEXT"),
            .docker_config = getenv("DOCKER_CONFIG"),
            .home = getenv("HOME"),
        };
        engine_endpoint_resolve(&engine_input, &s->engine);
        debug(s, "engine: %s (from %s)", s->engine.host ? s->engine.host : s->engine.error.message,
              s->engine.origin);
        engine_endpoint_plugin(&s->engine, getenv("NV_HOST"), getenv("USER"), &s->plugin,
                               &s->plugin_target_error);

        plugin_client_global_init(error_is_set(&s->plugin_target_error) ? NULL : &s->plugin);

        bool passthrough = false;
        if (image_resolve(s, &passthrough, err) < 0)
                return -1;
        if (passthrough)
                return pass_through(s, err);

        struct gpu_plan_input in = {
            .image = &s->image,
            /* Blank NV_GPU means all GPUs, like unset: not an explicit request. */
            .nv_gpu_set = !s->selection.all,
            .gpus_option = a->gpus_option,
            .disable_require = getenv("NVIDIA_DISABLE_REQUIRE") != NULL,
        };
        if (gpu_plan_decide(&in, &s->plan, err) < 0)
                return -1;
        debug(s, "%s", s->plan.reason);
        if (!s->plan.inject) {
                if (a->gpus_option && in.nv_gpu_set)
                        log_warning("NV_GPU is ignored: the command line has --gpus");
                return pass_through(s, err);
        }

        if (error_is_set(&s->plugin_target_error)) {
                error_set(err, "%s", s->plugin_target_error.message);
                return error_prefix(err, "cannot choose the nvidia-docker-plugin to ask");
        }
        if (s->plugin.docker_host_unset_warning)
                debug(s, "NV_HOST is set but DOCKER_HOST is not");
        if (s->plugin.transport == PLUGIN_TRANSPORT_SSH)
                debug(s, "plugin: ssh://%s@%s:%s, then 127.0.0.1:%s (from %s)",
                      s->plugin.ssh_user ? s->plugin.ssh_user : "", s->plugin.ssh_host,
                      s->plugin.ssh_port, s->plugin.plugin_port, s->plugin.source);
        else
                debug(s, "plugin: %s (from %s)", s->plugin.url, s->plugin.source);

        if (plugin_client_open(&s->plugin, &s->client, err) < 0)
                return -1;
        if (cuda_check(s, err) < 0)
                return -1;
        if (plugin_client_docker_cli(s->client, &s->plan.volume_kinds, &s->selection, &s->answer,
                                     err) < 0)
                return -1;
        if (s->debug) {
                cleanup_free char *devices = strv_join(&s->answer.devices, " ");
                cleanup_free char *volumes = strv_join(&s->answer.volumes, " ");
                debug(s, "GPU selection: %s; devices: %s; volumes: %s (driver %s)",
                      s->selection.all ? "all (NV_GPU unset)" : nv_gpu, devices, volumes,
                      s->answer.volume_driver ? s->answer.volume_driver : "none");
        }
        /* The engine must reach the volume plugin, or docker reports a missing image. */
        cleanup_free char *reach = NULL;
        if (volume_plugin_check(&s->engine, &s->plugin, &s->answer, &reach, err) < 0)
                return -1;
        debug(s, "%s", reach);
        strv_init(&s->options);
        if (argv_gpu_options(&s->answer, &s->options, err) < 0)
                return -1;

        struct strv no_prefix = STRV_INIT;
        strv_init(&s->final_words);
        argv_rewrite(&no_prefix, r->words, r->count, a->insert_index, &s->options, &s->final_words);
        debug_argv(s, "exec", (const char *const *)s->final_words.items, s->final_words.count);
        return docker_command_exec(r->docker, (const char *const *)s->final_words.items,
                                   s->final_words.count, err);
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

        struct run_state s = {.request = request, .debug = env_set("NV_DEBUG")};
        struct error err = ERROR_INIT;
        run_pipeline(&s, &err); /* returns only on failure: success is an exec */
        log_error("%s", err.message != NULL ? err.message : "internal error in the run path");
        error_clear(&err);
        run_state_destroy(&s);
        return 1;
}
