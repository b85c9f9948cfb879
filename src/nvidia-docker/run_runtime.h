/*
 * run_runtime: keeps NVIDIA's container runtime from adding GPUs of its own. Where the plugin
 * reports it on the engine's host, a container gets `--runtime=runc` (docker) unless the user
 * chose a runtime; a user's --runtime naming NVIDIA's is refused.
 */
#ifndef NVD_RUN_RUNTIME_H
#define NVD_RUN_RUNTIME_H

#include "common/error.h"
#include "nvidia-docker/run_state.h"

/* *runtime: "runc" or NULL (no --runtime to add), from s->answer and the user's --runtime. */
int run_runtime_choose(struct run_state *s, const char **runtime, struct error *err);
/* Execs a container without GPUs of ours (the plan injects none). Returns only on failure. */
int run_plain(struct run_state *s, struct error *err);

#endif
