/*
 * run_module: the run/create path, built as lib/nvidia-docker/nvidia-docker-run.so and loaded
 * by the front end with dlopen() only when a run/create line was read with certainty, so that
 * pass-through commands never load libcurl, jansson or libssh2.
 *
 * Pipeline: environment -> host_select + gpu_select -> engine_inspect_image (pull if missing)
 * -> gpu_plan_decide -> plugin_client (docker/cli, gpu/info for the CUDA check) ->
 * argv_gpu_options + argv_rewrite -> exec docker. Any failure before the exec: one line on
 * stderr, exit status 1, docker not started.
 */
#ifndef NVD_RUN_MODULE_H
#define NVD_RUN_MODULE_H

#include <stddef.h>

#include "common/strv.h"
#include "nvidia-docker/docker_args.h"

#define RUN_MODULE_ABI 2

struct run_request {
        int abi;                  /* RUN_MODULE_ABI */
        const char *program;      /* argv[0], for messages */
        const char *const *words; /* argv + 1 */
        size_t count;
        const struct docker_args *args;
        const struct strv *docker; /* NV_DOCKER words */
};

/* Returns only on failure, with the exit status to use (the message is already printed). */
int run_module_main(const struct run_request *request);
typedef int (*run_module_main_fn)(const struct run_request *request);

#endif
