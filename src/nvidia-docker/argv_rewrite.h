/*
 * argv_rewrite: the final docker argv. Pure.
 *
 * docker words + the user's words up to insert_index + the GPU options + the rest. GPU options:
 * one `--device=<node>` per device; the driver volume scoped to its own driver,
 * `--mount=type=volume,source=<name>,target=<path>,readonly,volume-driver=<driver>` (never
 * `--volume-driver`, which would capture the user's own volumes); and
 * `--env=NVIDIA_VISIBLE_DEVICES=void` so that an nvidia runtime cannot widen access.
 */
#ifndef NVD_ARGV_REWRITE_H
#define NVD_ARGV_REWRITE_H

#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/plugin_client.h"

/* The GPU options alone (err on a malformed volume such as a missing target). */
int argv_gpu_options(const struct docker_cli_answer *answer, struct strv *out, struct error *err);
/* out = docker + words[0..insert) + options + words[insert..count) */
void argv_rewrite(const struct strv *docker, const char *const *words, size_t count,
                  size_t insert_index, const struct strv *options, struct strv *out);

#endif
