/*
 * nvidia_toolkit: is NVIDIA's container toolkit installed on this host? Its runtime
 * (nvidia-container-runtime, or the hook docker's --gpus uses) gives a container every GPU that
 * the container's NVIDIA_VISIBLE_DEVICES names, so when it is present the wrapper runs GPU
 * containers with runtime runc (docs/gpu-selection.md). The answer travels in
 * /docker/cli/json as "NvidiaRuntime":true.
 */
#ifndef NVD_NVIDIA_TOOLKIT_H
#define NVD_NVIDIA_TOOLKIT_H

#include <stdbool.h>

/* True when nvidia-container-runtime, nvidia-container-runtime-hook or nvidia-ctk is an
 * executable file in one of the directories of `path_env` (a PATH value; NULL: the default
 * system directories). */
bool nvidia_toolkit_present(const char *path_env);

#endif
