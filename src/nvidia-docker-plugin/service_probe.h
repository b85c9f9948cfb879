/*
 * service_probe: asks the plugin's own servers one request each, as a client would, so that
 * systemd hears READY=1 only once both sockets really answer (a listening socket that nothing
 * serves would accept connections too). One second per probe at most.
 */
#ifndef NVD_SERVICE_PROBE_H
#define NVD_SERVICE_PROBE_H

#include "common/error.h"

/* POST /VolumeDriver.Capabilities on the unix socket: any HTTP answer will do. */
int service_probe_unix(const char *path, struct error *err);
/* GET /v1.0/ on the TCP listen address (the loopback address for "all interfaces"). */
int service_probe_tcp(const char *listen, struct error *err);

#endif
