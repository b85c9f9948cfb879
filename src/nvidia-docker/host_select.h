/*
 * host_select: which nvidia-docker-plugin to ask, from NV_HOST or else from the address of the
 * Docker engine the command goes to (engine_endpoint.h). Pure: values in, no DNS, no I/O.
 * The grammar, and where it is stricter than 1.0's: docs/remote.md ("Address rules").
 *
 *   - A non-empty NV_HOST wins (a bad one is an error, never a fallback); else the engine's
 *     address; else the local plugin, http://127.0.0.1:3476 (no name lookup).
 *   - `[scheme://][user@][HOST][:SSHPORT]:[PLUGINPORT]`; no scheme means tcp://; NV_HOST needs
 *     the colon. tcp/http: HTTP to HOST:PLUGINPORT (3476 for the engine's address). ssh: SSH
 *     to HOST:SSHPORT, then 127.0.0.1:PLUGINPORT there. unix:// and fd://: the local plugin.
 *   - SSH user: the address's, else `user` ($USER), else NULL (the SSH configuration decides).
 *   - Errors are one line, "invalid NV_HOST '<value>' (<reason>): expected ...", with a
 *     password shown as `***` and control characters as \xNN.
 */
#ifndef NVD_HOST_SELECT_H
#define NVD_HOST_SELECT_H

#include <stdbool.h>

#include "common/error.h"

enum plugin_transport {
        PLUGIN_TRANSPORT_HTTP, /* plain HTTP to `url` */
        PLUGIN_TRANSPORT_SSH,  /* SSH to ssh_host:ssh_port, then 127.0.0.1:plugin_port there */
};

struct plugin_target {
        enum plugin_transport transport;
        bool local; /* the local plugin (nothing set, or unix:// / fd://) */
        /* "NV_HOST", the engine's name given to host_select_engine, or "default": for messages
         * (static text or the caller's engine_name, which must outlive the target) */
        const char *source;
        /* HTTP: base URL without trailing slash, e.g. http://127.0.0.1:3476 or http://[::1]:3476.
         * SSH: the URL on the far side of the tunnel, http://127.0.0.1:<plugin_port>. */
        char *url;
        /* SSH */
        char *ssh_user; /* from the URL, else $USER; NULL when neither: the SSH config decides */
        bool ssh_user_explicit;
        char *ssh_host; /* host name or IPv6 literal without brackets */
        char *ssh_port; /* "22" unless given */
        bool ssh_port_explicit;
        char *plugin_port; /* "3476" unless given (every transport) */
        /* Set when NV_HOST is used but no engine address is (1.0's "DOCKER_HOST is not set"
         * warning, for NV_DEBUG). */
        bool docker_host_unset_warning;
};

/* nv_host, user: the values of NV_HOST and USER (NULL = unset); engine_host: the address of the
 * engine the command goes to (NULL when nothing chose one: the local socket), named
 * `engine_name` in messages ("DOCKER_HOST", "-H", "docker context 'gpu9'"). On success fills
 * *out (destroy it with plugin_target_destroy); on error only `source` and
 * `docker_host_unset_warning` are set in *out (nothing to destroy, destroying is harmless). */
int host_select_engine(const char *nv_host, const char *engine_host, const char *engine_name,
                       const char *user, struct plugin_target *out, struct error *err);
/* The same with DOCKER_HOST as the engine's address. */
int host_select(const char *nv_host, const char *docker_host, const char *user,
                struct plugin_target *out, struct error *err);
void plugin_target_destroy(struct plugin_target *target);

#endif
