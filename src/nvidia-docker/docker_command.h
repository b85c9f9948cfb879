/*
 * docker_command: the docker program to run, from NV_DOCKER, and the final exec.
 *
 * NV_DOCKER is split on runs of white space; unset, empty or blank means `docker`. Word 1 is
 * the program (looked up on PATH when it has no slash), further words go before the docker
 * subcommand. Part of the libc-only front end.
 */
#ifndef NVD_DOCKER_COMMAND_H
#define NVD_DOCKER_COMMAND_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"

/* Fills `out` (initialised by the caller) with the program and its leading words. */
void docker_command_from_env(const char *nv_docker, struct strv *out);
/* True when the words run podman: one of them (the program, or a later one as in
 * `sudo podman` or `env X=1 podman`) is `podman` or `podman-remote`, by base name. */
bool docker_command_is_podman(const struct strv *docker);
/* True when that word is `podman-remote` (always a remote service). */
bool docker_command_is_podman_remote(const struct strv *docker);
/* execvp(prefix + words). Returns only on failure, with err set
 * ("cannot run docker (`docker`): No such file or directory; install docker or set NV_DOCKER"). */
int docker_command_exec(const struct strv *prefix, const char *const *words, size_t count,
                        struct error *err);

#endif
