/*
 * cdi_devices: the GPU options for podman (docs/cdi.md): one `--device=nvidia.com/gpu=<name>`
 * per selected device, named as nvidia-docker-plugin's CDI spec names them. Pure.
 *
 * The selection is resolved against the plugin's GPU list (GET /v1.0/gpu/info/json) before
 * anything is emitted, so that a wrong item gets our one-line error listing this machine's
 * GPUs (as with docker), not podman's "unresolvable CDI devices":
 *   - every GPU (the selection is `all`) → nvidia.com/gpu=all;
 *   - an index → that index (`0`), if the machine has it;
 *   - a UUID or a unique UUID prefix (`GPU-…`) → the full UUID; an ambiguous prefix is an
 *     error naming the candidates;
 *   - a MIG UUID or unique prefix (`MIG-…`) → the full MIG UUID, the MIG index form (`0:1`) →
 *     itself, if the plugin lists that MIG device;
 *   - `none` → nvidia.com/gpu=none (the control nodes and the driver, no GPU).
 * The same device named twice is emitted once. No environment is added: the spec's own edits
 * set NVIDIA_VISIBLE_DEVICES=void and mount the driver at /usr/local/nvidia.
 */
#ifndef NVD_CDI_DEVICES_H
#define NVD_CDI_DEVICES_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/plugin_answer.h"

#define CDI_DEVICES_KIND "nvidia.com/gpu"

/* `items`: the selected devices as the user wrote them (NULL or empty with `all` set: every
 * GPU). `what`: the selection's source for messages ("NV_GPU"). Appends the options to out,
 * and to `nodes` (may be NULL) the /dev/nvidiaN of each GPU named (a MIG device's parent's), for
 * the caller's access check. */
int cdi_devices_options(bool all, const struct strv *items, const struct gpu_info_answer *info,
                        const char *what, struct strv *out, struct strv *nodes, struct error *err);

#endif
