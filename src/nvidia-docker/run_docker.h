/*
 * run_docker: the GPU options for docker. The plugin's docker/cli answer (devices, the driver
 * volume, the loader environment for the plan's capabilities) is checked against what the
 * caller may open and against the engine's access to the volume plugin, then turned into
 * options (argv_rewrite.h) and docker is exec'd. The loader environment and the capabilities
 * to ask for serve podman's path too (run_podman.h).
 */
#ifndef NVD_RUN_DOCKER_H
#define NVD_RUN_DOCKER_H

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/run_state.h"

/* The capabilities to ask the plugin for (caps=), or NULL for 1.0's request. */
const char *run_capabilities_to_ask(const struct run_state *s);
/* The plugin's loader variables (s->answer.environment), each merged into the image's value,
 * as NAME=value entries into `out`; those the command line sets are left to the user. */
void run_loader_environment(const struct run_state *s, struct strv *out);
/* Asks the plugin and execs docker with the GPU options. Returns only on failure. */
int run_docker_with_gpus(struct run_state *s, struct error *err);

#endif
