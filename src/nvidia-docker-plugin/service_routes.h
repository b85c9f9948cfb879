/*
 * service_routes: what plugin_service puts between the servers and the pure handlers: the
 * current GPU snapshot for the REST API (or why there is none: 503), the readiness answer of
 * the volume API, which requests go to the handler pool, and the cheap driver-change check
 * before requests that depend on the driver.
 */
#ifndef NVD_SERVICE_ROUTES_H
#define NVD_SERVICE_ROUTES_H

#include <stdbool.h>

#include "nvidia-docker-plugin/http.h"
#include "nvidia-docker-plugin/plugin_service.h"

/* http_handler_fn of the REST server; context is the plugin_service. */
void service_rest_handle(void *context, const struct http_request *request,
                         struct http_response *response);
/* http_slow_fn of the REST server: true for what may wait (NVML, a discovery, nvidia-modprobe). */
bool service_rest_is_slow(void *context, const struct http_request *request);
/* volume_api's `ready` callback: NULL when the GPUs are known, else why not (owned). */
char *service_volume_ready(void *context, bool may_block);
/* Looks for a changed driver (cheap): asks for a rediscovery when it changed. */
void service_check_driver(struct plugin_service *service);

#endif
