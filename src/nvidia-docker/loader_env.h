/*
 * loader_env: the variables through which a container's loaders find the driver's files
 * (docs/capabilities.md). They are the only variables the plugin may set in a container
 * (plugin_answer.h), and a value the command line gives one of them wins over the plugin's
 * (docker_args.h records it). Pure.
 */
#ifndef NVD_LOADER_ENV_H
#define NVD_LOADER_ENV_H

#include <stddef.h>

#define LOADER_ENV_COUNT 4

/* LD_LIBRARY_PATH, __EGL_VENDOR_LIBRARY_DIRS, __EGL_EXTERNAL_PLATFORM_CONFIG_DIRS,
 * XDG_DATA_DIRS. */
extern const char *const loader_env_names[LOADER_ENV_COUNT];

/* The index in loader_env_names of the name s[0..len), or -1. */
int loader_env_index(const char *s, size_t len);

#endif
