/*
 * argv_rewrite: the final docker argv. Pure.
 *
 * docker words + the user's words up to insert_index + the GPU options + the rest, with the
 * user's --gpus options taken out (the wrapper serves them). GPU options: one `--device=<node>`
 * per device; the driver volume scoped to its own driver,
 * `--mount=type=volume,source=<name>,target=<path>,readonly,volume-driver=<driver>` (never
 * `--volume-driver`, which would capture the user's own volumes); `--runtime=runc` when the
 * engine's host has NVIDIA's container runtime, which would otherwise add every GPU an image's
 * NVIDIA_VISIBLE_DEVICES names; and `--env=NVIDIA_DRIVER_CAPABILITIES=<list>` when the caller
 * (not the image or the command line) chose the capabilities; and, with driver capabilities,
 * the loader variables of the plugin's answer (`--env=LD_LIBRARY_PATH=...`, ...: a committed
 * image keeps those, harmless without the volume).
 */
#ifndef NVD_ARGV_REWRITE_H
#define NVD_ARGV_REWRITE_H

#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/docker_args.h"
#include "nvidia-docker/plugin_answer.h"

/* What goes into the container besides the plugin's answer. */
struct argv_extras {
        const char *runtime;      /* "runc", or NULL */
        const char *capabilities; /* NVIDIA_DRIVER_CAPABILITIES for the environment, or NULL */
        const struct strv *environment; /* NAME=VALUE for the loaders (argv_env_merge), or NULL */
};

/* The plugin's loader entry NAME=VALUE (a colon list) merged into the value the container would
 * otherwise have (`current`, NULL when unset): current's entries first, then VALUE's entries it
 * lacks; VALUE itself when unset. Owned "NAME=..." (docs/capabilities.md). */
char *argv_env_merge(const char *entry, const char *current);

/* The GPU options alone (err on a malformed volume such as a missing target). `answer` may be
 * NULL (only the extras). */
int argv_gpu_options(const struct docker_cli_answer *answer, const struct argv_extras *extras,
                     struct strv *out, struct error *err);
/* out = docker + words[0..insert) + options + words[insert..count), leaving out the words of
 * `removed` (options before insert_index, such as the user's --gpus). */
void argv_rewrite(const struct strv *docker, const char *const *words, size_t count,
                  size_t insert_index, const struct strv *options,
                  const struct docker_args_option *removed, size_t removed_count, struct strv *out);

#endif
