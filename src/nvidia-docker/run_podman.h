/*
 * run_podman: the GPU options for podman (NV_DOCKER naming podman): the GPUs as CDI devices
 * of the plugin's spec (cdi_devices.h, docs/cdi.md), checked against the plugin's GPU list
 * and, for a local engine, against what the caller may open; the loader environment of the
 * plan's capabilities from the plugin, as for docker.
 */
#ifndef NVD_RUN_PODMAN_H
#define NVD_RUN_PODMAN_H

#include "common/error.h"
#include "nvidia-docker/run_state.h"

/* Asks the plugin and execs podman with the CDI devices. Returns only on failure. */
int run_podman_with_gpus(struct run_state *s, struct error *err);

#endif
