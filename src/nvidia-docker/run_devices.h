/*
 * run_devices: which GPUs a run gets, for the plan's request (gpu_plan.h): a list as given, a
 * count or `all` from the GPUs of the plugin's host that the caller may open (its device
 * cgroup, and CUDA_VISIBLE_DEVICES UUIDs, for a local engine only); and the image's CUDA
 * requirement against the driver. The plugin's GPU list (gpu/info) is asked at most once.
 */
#ifndef NVD_RUN_DEVICES_H
#define NVD_RUN_DEVICES_H

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/run_state.h"

/* s->info from the plugin, once. */
int run_gpu_info_load(struct run_state *s, struct error *err);
/* The image's CUDA requirement (s->plan.required_cuda) against the driver's CUDA version. */
int run_cuda_check(struct run_state *s, struct error *err);
/* Fills s->devices (or sets s->all_devices) from the plan, the inventory and confinement. */
int run_devices_choose(struct run_state *s, struct error *err);
/* Each GPU node of `given` (the device nodes the plugin answered, or the nodes of the CDI
 * devices) must be one the caller may open, for a list of GPUs and a local engine. */
int run_devices_confirm(struct run_state *s, const struct strv *given, struct error *err);

#endif
