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
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker/argv_rewrite.h"
#include "nvidia-docker/cdi_devices.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/engine.h"
#include "nvidia-docker/engine_endpoint.h"
#include "nvidia-docker/env_file.h"
#include "nvidia-docker/gpu_access.h"
#include "nvidia-docker/gpu_plan.h"
#include "nvidia-docker/gpu_select.h"
#include "nvidia-docker/host_select.h"
#include "nvidia-docker/plugin_client.h"
#include "nvidia-docker/podman_engine.h"
#include "nvidia-docker/volume_plugin.h"

/* The environment variables the run path reads, read once (run_env_read) and passed down. */
struct run_env {
        const char *nv_gpu, *nv_host, *nv_debug, *nv_driver_capabilities;
        const char *docker_host, *docker_context, *docker_config, *home, *user;
        const char *disable_require;            /* NVIDIA_DISABLE_REQUIRE */
        const char *cuda_visible_devices;       /* CUDA_VISIBLE_DEVICES */
        const char *visible_devices;            /* NVIDIA_VISIBLE_DEVICES (for `-e NAME`) */
        const char *driver_capabilities;        /* NVIDIA_DRIVER_CAPABILITIES (`-e NAME`) */
        struct podman_env podman;               /* CONTAINER_HOST, ... (NV_DOCKER naming podman) */
        struct plugin_client_env plugin_client; /* NV_TIMEOUT, SSH_AUTH_SOCK, CI, HOME, USER */
};

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

struct run_state {
        const struct run_request *request;
        struct run_env env;
        bool debug;
        bool engine_local;             /* the engine (and so the container) is on this machine */
        struct engine_endpoint engine; /* which engine: for the image query and the plugin */
        struct plugin_target plugin;
        struct error plugin_target_error; /* reported only if the plugin is needed */
        struct image_info image;
        struct strv env_entries; /* --env-file entries, in order */
        struct gpu_plan plan;
        struct strv devices; /* the `dev` items asked for */
        bool all_devices;    /* ask for every GPU (no `dev`) */
        struct plugin_client *client;
        struct docker_cli_answer answer;
        struct gpu_info_answer info;
        bool info_loaded;
        struct strv options;
        struct strv final_words; /* the user's words with the GPU options inserted */
        bool podman;             /* NV_DOCKER names podman: CDI devices (docs/cdi.md) */
        struct podman_target podman_target;
};

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
        engine_endpoint_destroy(&s->engine);
        plugin_target_destroy(&s->plugin);
        error_clear(&s->plugin_target_error);
        image_info_destroy(&s->image);
        strv_destroy(&s->env_entries);
        gpu_plan_destroy(&s->plan);
        strv_destroy(&s->devices);
        plugin_client_free(s->client);
        docker_cli_answer_destroy(&s->answer);
        gpu_info_answer_destroy(&s->info);
        strv_destroy(&s->options);
        strv_destroy(&s->final_words);
        podman_target_destroy(&s->podman_target);
}

/* Execs docker with the user's words, less their --gpus options, plus `options`. */
static int exec_words(struct run_state *s, const struct strv *options, struct error *err)
{
        const struct run_request *r = s->request;
        const struct docker_args *a = r->args;
        struct strv no_prefix = STRV_INIT;
        strv_init(&s->final_words);
        argv_rewrite(&no_prefix, r->words, r->count, a->insert_index, options, a->gpus,
                     a->gpus_count, &s->final_words);
        debug_argv(s, "exec", (const char *const *)s->final_words.items, s->final_words.count);
        return docker_command_exec(r->docker, (const char *const *)s->final_words.items,
                                   s->final_words.count, err);
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
        if (s->podman)
                target = s->podman_target.engine;
        else
                engine_target_init(&target, r->docker, r->words, r->args->global_count,
                                   r->args->daemon_options, &s->engine);
        s->engine_local = target.local;
        if (target.use_cli)
                debug(s, "engine: asking `%s image inspect` (%s)", r->docker->items[0],
                      target.cli_reason);
        else
                debug(s, "engine: asking the Engine API at unix://%s", target.socket_path);

        bool always = false, never = false;
        if (pull != NULL) {
                /* podman's `newer` pulls when the registry has a newer image: a pull. */
                always = strcmp(pull, "always") == 0 || (s->podman && strcmp(pull, "newer") == 0);
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
                return error_set(err, "image '%s' is still missing after `%s pull`", image,
                                 s->podman ? "podman" : "docker");
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
                return error_set(err, "image '%s' is still missing after `%s pull`", image,
                                 s->podman ? "podman" : "docker");
        return 0;
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
        debug(s, "%s", s->plan.reason);
        if (in.nv_gpu != NULL && a->gpus_count > 0)
                log_warning("--gpus is ignored: NV_GPU chooses the GPUs");
        return 0;
}

static int gpu_info_load(struct run_state *s, struct error *err)
{
        if (s->info_loaded)
                return 0;
        if (plugin_client_gpu_info(s->client, &s->info, err) < 0)
                return -1;
        s->info_loaded = true;
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
        if (gpu_info_load(s, err) < 0)
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

/* The GPUs of the plugin's host that the caller may use, in index order (UUIDs): all of them,
 * less those its device cgroup denies, narrowed by CUDA_VISIBLE_DEVICES UUIDs (local engine
 * only). *narrowed: the list is not simply "every GPU". */
static int usable_gpus(struct run_state *s, struct strv *uuids, bool *narrowed, struct error *err)
{
        if (gpu_info_load(s, err) < 0)
                return -1;
        size_t n = s->info.uuids.count;
        cleanup_free bool *allowed = xcalloc(n + 1, sizeof(*allowed));
        bool confined = false;
        for (size_t i = 0; i < n; i++)
                allowed[i] = true;
        if (s->engine_local)
                gpu_access_check_all(&s->info.paths, allowed, &confined);
        struct strv cuda = STRV_INIT;
        bool by_cuda = s->engine_local && gpu_access_cuda_uuids(s->env.cuda_visible_devices, &cuda);
        for (size_t i = 0; i < n; i++) {
                bool listed = !by_cuda;
                for (size_t k = 0; k < cuda.count && !listed; k++)
                        listed = strncmp(s->info.uuids.items[i], cuda.items[k],
                                         strlen(cuda.items[k])) == 0;
                if (allowed[i] && listed)
                        strv_push(uuids, s->info.uuids.items[i]);
        }
        strv_destroy(&cuda);
        *narrowed = uuids->count != n;
        if (confined || by_cuda)
                debug(s, "the caller may use %zu of the %zu GPUs (%s%s%s)", uuids->count, n,
                      confined ? "device cgroup" : "", confined && by_cuda ? ", " : "",
                      by_cuda ? "CUDA_VISIBLE_DEVICES" : "");
        if (uuids->count == 0)
                return error_set(err,
                                 "no GPU for %s: this process may use none of the %zu GPUs of "
                                 "this host (%s); run where GPUs are allowed, or set "
                                 "NV_GPU=none (driver only) or NV_GPU=void",
                                 s->plan.source, n,
                                 by_cuda ? "CUDA_VISIBLE_DEVICES names none of them"
                                         : "its device cgroup denies them");
        return 0;
}

/* The first `count` usable GPUs into s->devices. */
static int devices_count(struct run_state *s, unsigned count, struct error *err)
{
        bool narrowed = false;
        struct strv usable = STRV_INIT;
        strv_init(&usable);
        int ret = usable_gpus(s, &usable, &narrowed, err);
        if (ret == 0 && count > usable.count)
                ret = error_set(err,
                                "%s asks for %u GPUs, but %s %zu; ask for fewer, or name them "
                                "with NV_GPU",
                                s->plan.source, count,
                                narrowed ? "this process may use only" : "this host has",
                                usable.count);
        for (size_t i = 0; ret == 0 && i < count; i++)
                strv_push(&s->devices, usable.items[i]);
        strv_destroy(&usable);
        return ret;
}

/* Fills s->devices (or sets s->all_devices) from the plan, the inventory and confinement. */
static int devices_choose(struct run_state *s, struct error *err)
{
        const struct gpu_request *req = &s->plan.request;
        bool narrowed = false;
        strv_init(&s->devices);
        switch (req->kind) {
        case GPU_REQUEST_NONE:
                strv_push(&s->devices, "none");
                return 0;
        case GPU_REQUEST_LIST:
                for (size_t i = 0; i < req->items.count; i++)
                        strv_push(&s->devices, req->items.items[i]);
                return 0;
        case GPU_REQUEST_COUNT:
                return devices_count(s, req->count, err);
        case GPU_REQUEST_ALL:
                if (!s->engine_local)
                        break; /* the caller's cgroup says nothing about another machine */
                if (usable_gpus(s, &s->devices, &narrowed, err) < 0)
                        return -1;
                if (narrowed)
                        return 0;
                break;
        case GPU_REQUEST_VOID:
                break;
        }
        strv_destroy(&s->devices);
        strv_init(&s->devices);
        s->all_devices = true;
        return 0;
}

/* Each GPU given for a list (`given`: the device nodes the plugin answered, or the nodes of
 * the CDI devices) must be one the caller may open (local engine). */
static int devices_confirm(struct run_state *s, const struct strv *given, struct error *err)
{
        if (!s->engine_local || s->plan.request.kind != GPU_REQUEST_LIST)
                return 0;
        struct strv nodes = STRV_INIT;
        strv_init(&nodes);
        for (size_t i = 0; i < given->count; i++)
                if (gpu_access_is_gpu_node(given->items[i]))
                        strv_push(&nodes, given->items[i]);
        cleanup_free bool *allowed = xcalloc(nodes.count + 1, sizeof(*allowed));
        bool confined = false;
        gpu_access_check_all(&nodes, allowed, &confined);
        size_t bad = 0;
        while (bad < nodes.count && allowed[bad])
                bad++;
        if (bad == nodes.count) {
                strv_destroy(&nodes);
                return 0;
        }
        const char *uuid = "";
        struct error ignored = ERROR_INIT;
        if (gpu_info_load(s, &ignored) == 0)
                for (size_t k = 0; k < s->info.paths.count; k++)
                        if (strcmp(s->info.paths.items[k], nodes.items[bad]) == 0)
                                uuid = s->info.uuids.items[k];
        error_clear(&ignored);
        error_set(err,
                  "%s chooses the GPU at %s%s%s%s, which this process may not open (its device "
                  "cgroup denies it, or it is not in its /dev); choose a GPU this process may use",
                  s->plan.source, nodes.items[bad], uuid[0] ? " (" : "", uuid, uuid[0] ? ")" : "");
        strv_destroy(&nodes);
        return -1;
}

/* `--runtime=runc` against NVIDIA's runtime on the engine's host; a user's --runtime naming
 * NVIDIA's is refused. */
static int runtime_choose(struct run_state *s, const char **runtime, struct error *err)
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
                debug(s, "NVIDIA's container runtime is on the engine's host: --runtime=runc, so "
                         "that it adds no GPU");
        }
        return 0;
}

static void debug_plugin_target(const struct run_state *s)
{
        if (s->plugin.docker_host_unset_warning)
                debug(s, "NV_HOST is set but DOCKER_HOST is not");
        if (s->plugin.transport == PLUGIN_TRANSPORT_SSH)
                debug(s, "plugin: ssh://%s@%s:%s, then 127.0.0.1:%s (from %s)",
                      s->plugin.ssh_user ? s->plugin.ssh_user : "", s->plugin.ssh_host,
                      s->plugin.ssh_port, s->plugin.plugin_port, s->plugin.source);
        else
                debug(s, "plugin: %s (from %s)", s->plugin.url, s->plugin.source);
}

static void debug_answer(const struct run_state *s)
{
        if (!s->debug)
                return;
        cleanup_free char *asked = s->all_devices ? xstrdup("all") : strv_join(&s->devices, ",");
        cleanup_free char *devices = strv_join(&s->answer.devices, " ");
        cleanup_free char *volumes = strv_join(&s->answer.volumes, " ");
        debug(s, "GPUs asked for: %s; devices: %s; volumes: %s (driver %s)", asked, devices,
              volumes, s->answer.volume_driver ? s->answer.volume_driver : "none");
}

/* True when the user's words before the image set NAME with -e/--env (NAME or NAME=value). A
 * plain scan: a wrong guess only leaves a loader variable out, never changes the user's. */
static bool cmdline_sets(const struct run_state *s, const char *name)
{
        const struct run_request *r = s->request;
        size_t len = strlen(name);
        for (size_t i = 0; i < r->args->insert_index && i < r->count; i++) {
                const char *w = r->words[i], *v = NULL;
                if ((strcmp(w, "-e") == 0 || strcmp(w, "--env") == 0) && i + 1 < r->count)
                        v = r->words[i + 1];
                else if (strncmp(w, "--env=", 6) == 0)
                        v = w + 6;
                else if (strncmp(w, "-e", 2) == 0 && w[2] != '-')
                        v = w + 2;
                if (v != NULL && strncmp(v, name, len) == 0 && (v[len] == '=' || v[len] == '\0'))
                        return true;
        }
        return env_entries_find(&s->env_entries, name) != NULL;
}

/* The plugin's loader variables (an answer to caps=), each merged into the image's value; a
 * variable the user sets on the command line is left to the user (docs/capabilities.md). */
static void loader_environment(const struct run_state *s, struct strv *out)
{
        const struct strv *answer = &s->answer.environment;
        for (size_t i = 0; i < answer->count; i++) {
                const char *entry = answer->items[i];
                size_t len = (size_t)(strchr(entry, '=') - entry);
                cleanup_free char *name = xstrndup(entry, len);
                if (cmdline_sets(s, name)) {
                        debug(s, "%s: the command line's value is kept", name);
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
static const char *capabilities_to_ask(const struct run_state *s)
{
        bool legacy = s->image.volumes_label != NULL && s->image.volumes_label[0] != '\0' &&
                      s->image.visible_devices == NULL;
        if (legacy && s->plan.capabilities_source != NULL &&
            strcmp(s->plan.capabilities_source, "the default") == 0)
                return NULL;
        return s->plan.capabilities;
}

/* Podman: the GPUs as CDI devices of the plugin's spec (cdi_devices), checked against the
 * plugin's GPU list and, for a local engine, against what the caller may open. The spec's
 * driver directory holds every capability's files; the loader environment of the plan's
 * capabilities comes from the plugin, as for docker (a docker/cli request for no GPU, only
 * for its "Environment"). */
static int run_podman_with_gpus(struct run_state *s, struct error *err)
{
        const char *runtime = NULL;
        const char *capabilities = capabilities_to_ask(s);
        struct strv nodes = STRV_INIT, none = STRV_INIT, environment = STRV_INIT;
        strv_init(&nodes);
        strv_push(&none, "none");
        strv_init(&s->options);
        int rc = -1;
        if (plugin_client_open(&s->plugin, &s->env.plugin_client, &s->client, err) < 0 ||
            cuda_check(s, err) < 0 || devices_choose(s, err) < 0 || gpu_info_load(s, err) < 0 ||
            cdi_devices_options(s->all_devices, &s->devices, &s->info, s->plan.source, &s->options,
                                &nodes, err) < 0 ||
            devices_confirm(s, &nodes, err) < 0 || runtime_choose(s, &runtime, err) < 0)
                goto out;
        if (capabilities != NULL && plugin_client_docker_cli(s->client, NULL, &none, capabilities,
                                                             s->plan.source, &s->answer, err) < 0)
                goto out;
        if (s->debug) {
                cleanup_free char *asked =
                    s->all_devices ? xstrdup("all") : strv_join(&s->devices, ",");
                cleanup_free char *devices = strv_join(&s->options, " ");
                debug(s, "GPUs asked for: %s; CDI devices: %s", asked, devices);
        }
        loader_environment(s, &environment);
        /* No --runtime=runc for podman: NVIDIA's hook is neutralised by the spec's
         * NVIDIA_VISIBLE_DEVICES=void. */
        const struct argv_extras extras = {
            .capabilities = s->plan.capabilities_to_env ? s->plan.capabilities : NULL,
            .environment = &environment,
        };
        if (argv_gpu_options(NULL, &extras, &s->options, err) < 0)
                goto out;
        rc = exec_words(s, &s->options, err);
out:
        strv_destroy(&nodes);
        strv_destroy(&none);
        strv_destroy(&environment);
        return rc;
}

/* Asks the plugin and execs docker with the GPU options. */
static int run_with_gpus(struct run_state *s, struct error *err)
{
        if (error_is_set(&s->plugin_target_error)) {
                error_set(err, "%s", s->plugin_target_error.message);
                return error_prefix(err, "cannot choose the nvidia-docker-plugin to ask");
        }
        debug_plugin_target(s);
        if (s->podman)
                return run_podman_with_gpus(s, err);
        const char *runtime = NULL;
        if (plugin_client_open(&s->plugin, &s->env.plugin_client, &s->client, err) < 0 ||
            cuda_check(s, err) < 0 || devices_choose(s, err) < 0 ||
            plugin_client_docker_cli(s->client, &s->plan.volume_kinds,
                                     s->all_devices ? NULL : &s->devices, capabilities_to_ask(s),
                                     s->plan.source, &s->answer, err) < 0 ||
            devices_confirm(s, &s->answer.devices, err) < 0 || runtime_choose(s, &runtime, err) < 0)
                return -1;
        debug_answer(s);
        /* The engine must reach the volume plugin, or docker reports a missing image. */
        cleanup_free char *reach = NULL;
        if (volume_plugin_check(&s->engine, &s->plugin, &s->answer, &reach, err) < 0)
                return -1;
        debug(s, "%s", reach);
        struct strv environment = STRV_INIT;
        loader_environment(s, &environment);
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
        return exec_words(s, &s->options, err);
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
static int run_plain(struct run_state *s, struct error *err)
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
                        if (runtime_choose(s, &runtime, err) < 0) {
                                strv_destroy(&none);
                                return -1;
                        }
                } else {
                        debug(s,
                              "cannot ask the plugin whether NVIDIA's runtime is on the "
                              "engine's host (%s)",
                              ask.message ? ask.message : s->plugin_target_error.message);
                }
                error_clear(&ask);
                strv_destroy(&none);
        }
        if (runtime == NULL)
                return exec_words(s, NULL, err);
        const struct argv_extras extras = {.runtime = runtime};
        strv_init(&s->options);
        if (argv_gpu_options(NULL, &extras, &s->options, err) < 0)
                return -1;
        return exec_words(s, &s->options, err);
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

        s->podman = docker_command_is_podman(r->docker);
        if (s->podman && a->late_daemon_option != NULL)
                return error_set(err,
                                 "podman's --%s after `%s` chooses where images are: put it "
                                 "before `%s`, where nvidia-docker repeats it on its own podman "
                                 "calls",
                                 a->late_daemon_option, r->words[a->command_index],
                                 r->words[a->command_index]);
        /* A bad NV_HOST or context only matters once the plugin is needed (plugin_target_error). */
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
                debug(s, "engine: %s (from %s)",
                      s->engine.host ? s->engine.host : s->engine.error.message, s->engine.origin);
                engine_endpoint_plugin(&s->engine, s->env.nv_host, s->env.user, &s->plugin,
                                       &s->plugin_target_error);
        }
        plugin_client_global_init(error_is_set(&s->plugin_target_error) ? NULL : &s->plugin);

        bool passthrough = false;
        if (image_resolve(s, &passthrough, err) < 0)
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
        s.debug = s.env.nv_debug != NULL && s.env.nv_debug[0] != '\0';
        struct error err = ERROR_INIT;
        run_pipeline(&s, &err); /* returns only on failure: success is an exec */
        log_error("%s", err.message != NULL ? err.message : "internal error in the run path");
        error_clear(&err);
        run_state_destroy(&s);
        return 1;
}
