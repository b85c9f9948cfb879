/*
 * volume_plugin: can the local Docker engine reach our volume plugin? Asked before docker runs,
 * when the driver volume is about to be mounted with the nvidia-docker volume driver, the
 * engine is a local unix socket and the plugin asked is the local one (no NV_HOST). Otherwise
 * a missing plugin looks like a missing image: Docker's CLI turns the engine's "error looking
 * up volume plugin" (a not-found error) into "Unable to find image ... locally" and a pull.
 *
 * Where an engine looks for the legacy plugin nvidia-docker (Docker 20.10 to 28): the socket
 * /run/docker/plugins/nvidia-docker.sock (or nvidia-docker/nvidia-docker.sock) in the ENGINE's
 * mount namespace (a rootless engine has its own), then nvidia-docker.spec or .json in
 * /etc/docker/plugins and /usr/lib/docker/plugins (rootless, Docker 23 and later: also
 * ~/.config/docker/plugins and ~/.local/lib/docker/plugins of the engine's user). The engine's
 * process is the peer of its socket (SO_PEERCRED); its mount namespace is /proc/PID/root.
 * When all is well this costs one connect to the engine's socket, a few stat() and a connect to
 * the plugin's socket (README: Rootless Docker; bench/bench_run.sh measures it).
 *
 * Only a certain "no" stops the run: a path that cannot be looked at (permissions) means "cannot
 * tell", and docker runs. Before refusing, the engine itself is asked to create the volume
 * (POST /volumes/create, what `docker run` does next anyway): if it can (a managed plugin, a
 * layout not looked for here), the run goes on. If not, one line gives the engine's own answer,
 * where that engine looks, and where nvidia-docker-plugin listens here (the -s of running
 * plugins, from /proc/PID/cmdline).
 */
#ifndef NVD_VOLUME_PLUGIN_H
#define NVD_VOLUME_PLUGIN_H

#include "common/error.h"
#include "nvidia-docker/engine_endpoint.h"
#include "nvidia-docker/host_select.h"
#include "nvidia-docker/plugin_answer.h"

/* 0: reachable, cannot tell, or not this module's case (*note, owned, says which; may be NULL
 * when not wanted). -1 with the one-line explanation in err. */
int volume_plugin_check(const struct engine_endpoint *engine, const struct plugin_target *plugin,
                        const struct docker_cli_answer *answer, char **note, struct error *err);

#endif
