/*
 * podman_engine: the podman side of a run/create line (NV_DOCKER naming podman, docs/cdi.md):
 * where its images are asked about, and which machine runs its containers, hence which plugin
 * to ask. Pure but for access(2) on the socket path.
 *
 * Images: through the Docker-compatible API of podman's service socket
 * (/run/podman/podman.sock for root, $XDG_RUNTIME_DIR/podman/podman.sock otherwise) when one
 * can be opened and nothing else could make the CLI use other storage or another service: a
 * single-word NV_DOCKER (not `sudo podman`, not podman-remote), no global options, none of
 * CONTAINER_HOST, CONTAINER_CONNECTION, CONTAINERS_CONF, CONTAINERS_STORAGE_CONF set.
 * Otherwise one `podman [global options] image inspect` (engine.h).
 *
 * Machine: podman is remote with -r/--remote, --url, -H/--host, -c/--connection (global
 * options), CONTAINER_HOST or CONTAINER_CONNECTION, or as podman-remote. The URL, when one is
 * given (--url/-H, else CONTAINER_HOST), names the machine: unix:// is this one, ssh://[user@]
 * host[:port]/path and tcp://host:port another. A connection name does not (it lives in
 * podman's own configuration).
 *
 * The plugin (podman_engine_plugin): NV_HOST when set, as for docker; else the machine of the
 * URL (ssh:// over SSH to that host, plugin port 3476; tcp:// http://host:3476; unix:// the
 * local plugin), else the local plugin for a local podman. Refused, with one line saying what
 * to do: a remote podman whose machine is unknown (a connection name) without NV_HOST, and a
 * local podman with NV_HOST naming another machine's plugin (the containers would get this
 * machine's CDI devices, chosen from that machine's list). DOCKER_HOST is docker's and is not
 * read.
 */
#ifndef NVD_PODMAN_ENGINE_H
#define NVD_PODMAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/engine.h"
#include "nvidia-docker/host_select.h"

#define PODMAN_ROOT_SOCKET "/run/podman/podman.sock"

struct podman_env {
        const char *container_host;       /* CONTAINER_HOST */
        const char *container_connection; /* CONTAINER_CONNECTION */
        const char *containers_conf;      /* CONTAINERS_CONF */
        const char *storage_conf;         /* CONTAINERS_STORAGE_CONF */
        const char *xdg_runtime_dir;      /* XDG_RUNTIME_DIR */
        bool root;                        /* effective user 0 */
};

struct podman_target {
        struct engine_target engine; /* for engine_inspect_image and engine_pull_image */
        char *socket_path;           /* owned; engine.socket_path points here */
        bool remote;                 /* podman runs the containers through a service */
        char *url;                   /* the service URL when given (--url, -H, CONTAINER_HOST) */
        const char *url_source;      /* "--url", "CONTAINER_HOST", ... (static) */
        const char *remote_reason;   /* why remote, for messages (static), or NULL */
        char *connection;            /* -c/--connection or CONTAINER_CONNECTION, or NULL */
};

/* `global`: the words before the command (docker_args.global_count of them). */
void podman_target_init(struct podman_target *target, const struct strv *docker,
                        const char *const *global, size_t global_count,
                        const struct podman_env *env);
void podman_target_destroy(struct podman_target *target);

/* The plugin to ask (see above). On success fills *out (plugin_target_destroy). */
int podman_engine_plugin(const struct podman_target *target, const char *nv_host, const char *user,
                         struct plugin_target *out, struct error *err);

#endif
