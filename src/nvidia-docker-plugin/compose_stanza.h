/*
 * compose_stanza: a Docker Compose file that gives one service the GPUs' device nodes and the
 * driver volume, for `docker-compose -f docker-compose.yml -f <it> up` (man/nvidia-docker-
 * plugin.8.in, REST API). It names the volume explicitly (`name: nvidia_driver_<version>`), so
 * that Compose never prefixes it with the project name (a name the volume plugin refuses); it
 * has no `version:` key, so that it extends files of any version. Pure text; the caller has
 * checked the inputs.
 */
#ifndef NVD_COMPOSE_STANZA_H
#define NVD_COMPOSE_STANZA_H

#include <stdbool.h>

#include "common/buf.h"
#include "common/strv.h"

/* True for a Compose service name: letters, digits, '.', '_', '-' (1 to 63 of them). */
bool compose_stanza_service_is_valid(const char *service);
/* devices: /dev paths; volumes: "<name>:<mount point>:<options>" as /docker/cli answers them;
 * environment: "NAME=value" items the driver's loaders need (docs/capabilities.md); gpus: which
 * GPUs, for the comment ("all GPUs", "GPUs 0, 2"). */
void compose_stanza_write(const char *service, const struct strv *devices,
                          const struct strv *volumes, const struct strv *environment,
                          const char *gpus, const char *driver, struct buf *out);

#endif
