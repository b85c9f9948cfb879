/*
 * rest_docker: the answers that give a container GPUs (docs/rest-api.md): /docker/cli[/json]
 * (docker run arguments: the volume driver, the driver volume, the device nodes) and
 * /v1.0/docker/compose (the same as a Compose file). `dev` is read by device_select, `vol`
 * against the known volume kinds, `caps` by driver_caps; a bad item is a 400 naming it. Live
 * facts (control nodes, driver version, MIG nodes) come from the rest_api's gpu_live.
 */
#ifndef NVD_REST_DOCKER_H
#define NVD_REST_DOCKER_H

#include <stdbool.h>

#include "nvidia-docker-plugin/http.h"
#include "nvidia-docker-plugin/rest_api.h"

/* /docker/cli (text: docker arguments) or /docker/cli/json. */
void rest_docker_cli(const struct rest_api *api, const struct http_request *request, bool json,
                     struct http_response *response);
/* /v1.0/docker/compose?service=NAME[&dev=...][&vol=...][&caps=...]. */
void rest_docker_compose(const struct rest_api *api, const struct http_request *request,
                         struct http_response *response);

#endif
