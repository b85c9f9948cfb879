/*
 * run_debug: the run module's NV_DEBUG lines, "Debug: ..." on stderr. Each function prints
 * nothing unless s->debug.
 */
#ifndef NVD_RUN_DEBUG_H
#define NVD_RUN_DEBUG_H

#include <stddef.h>

#include "nvidia-docker/run_state.h"

void run_debug(const struct run_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "WHAT: <NV_DOCKER words> <words>", each word quoted as a shell would need (display only:
 * never executed). */
void run_debug_argv(const struct run_state *s, const char *what, const char *const *words,
                    size_t count);
/* Which plugin will be asked, and what chose it. */
void run_debug_plugin_target(const struct run_state *s);
/* The GPUs asked for and the plugin's devices and volumes. */
void run_debug_answer(const struct run_state *s);

#endif
