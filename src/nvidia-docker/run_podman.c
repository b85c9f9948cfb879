/* run_podman: see run_podman.h. */
#include "nvidia-docker/run_podman.h"

#include "common/xalloc.h"
#include "nvidia-docker/argv_rewrite.h"
#include "nvidia-docker/cdi_devices.h"
#include "nvidia-docker/run_debug.h"
#include "nvidia-docker/run_devices.h"
#include "nvidia-docker/run_docker.h"
#include "nvidia-docker/run_runtime.h"

/* The spec's driver directory holds every capability's files; the loader environment comes
 * from a docker/cli request for no GPU, only for its "Environment". */
int run_podman_with_gpus(struct run_state *s, struct error *err)
{
        const char *runtime = NULL;
        const char *capabilities = run_capabilities_to_ask(s);
        struct strv nodes = STRV_INIT, none = STRV_INIT, environment = STRV_INIT;
        strv_init(&nodes);
        strv_push(&none, "none");
        strv_init(&s->options);
        int rc = -1;
        if (plugin_client_open(&s->plugin, &s->env.plugin_client, &s->client, err) < 0 ||
            run_cuda_check(s, err) < 0 || run_devices_choose(s, err) < 0 ||
            run_gpu_info_load(s, err) < 0 ||
            cdi_devices_options(s->all_devices, &s->devices, &s->info, s->plan.source, &s->options,
                                &nodes, err) < 0 ||
            run_devices_confirm(s, &nodes, err) < 0 || run_runtime_choose(s, &runtime, err) < 0)
                goto out;
        if (capabilities != NULL && plugin_client_docker_cli(s->client, NULL, &none, capabilities,
                                                             s->plan.source, &s->answer, err) < 0)
                goto out;
        if (s->debug) {
                cleanup_free char *asked =
                    s->all_devices ? xstrdup("all") : strv_join(&s->devices, ",");
                cleanup_free char *devices = strv_join(&s->options, " ");
                run_debug(s, "GPUs asked for: %s; CDI devices: %s", asked, devices);
        }
        run_loader_environment(s, &environment);
        /* No --runtime=runc for podman: NVIDIA's hook is neutralised by the spec's
         * NVIDIA_VISIBLE_DEVICES=void. */
        const struct argv_extras extras = {
            .capabilities = s->plan.capabilities_to_env ? s->plan.capabilities : NULL,
            .environment = &environment,
        };
        if (argv_gpu_options(NULL, &extras, &s->options, err) < 0)
                goto out;
        rc = run_exec_words(s, &s->options, err);
out:
        strv_destroy(&nodes);
        strv_destroy(&none);
        strv_destroy(&environment);
        return rc;
}
