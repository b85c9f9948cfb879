/*
 * host_select: which nvidia-docker-plugin to ask, from NV_HOST or else from the address of the
 * Docker engine the command goes to (DOCKER_HOST, -H or a context's host: engine_endpoint.h).
 * Pure: the values are parameters (no getenv), no DNS, no I/O. Full rules: docs/remote.md.
 *
 * 1.0's grammar and port rules for every value 1.0 accepted and used:
 *   - NV_HOST wins when non-empty (the engine's address is then not parsed at all, and a bad
 *     NV_HOST is an error, never a fallback); otherwise the engine's; otherwise the local plugin.
 *   - A value without `scheme://` gets `tcp://` in front (`host:2375` -> `tcp://host:2375`,
 *     `/var/run/docker.sock` -> remote `localhost`, as 1.0; `unix:/sock` is remote host `unix`).
 *   - Authority `[user@][HOST][:SSHPORT]:[PLUGINPORT]`; the colon is mandatory in NV_HOST.
 *     HOST is `[A-Za-z0-9._-]+` or a bracketed IPv6 literal in lower-case hex; empty HOST =
 *     `localhost`; an empty authority (`tcp://`) = all defaults. One number after the host is
 *     the plugin port, two are SSHPORT:PLUGINPORT. Ports are digits, kept as written.
 *   - tcp and http -> HTTP to http://HOST:P; P = NV_HOST's plugin port (default 3476), always
 *     3476 for the engine's address (docker's port is never the plugin's).
 *   - ssh -> SSH to HOST:SSHPORT, then 127.0.0.1:PLUGINPORT on that host. For the engine's
 *     address, docker's form ssh://[user@]host[:sshport] (1.0's two numbers still read).
 *   - SSH user: the address's, else `user` ($USER), NULL when that is empty too (the SSH
 *     configuration decides).
 * Where this module differs from 1.0 (values 1.0 rejected, mis-read or silently ignored):
 *   - Schemes are case-insensitive; `fd://` is local like `unix://`; tcp://host and
 *     http://host without a port are accepted from the engine's address.
 *   - Ports must be 1..65535; an IPv6 literal must be valid and takes no SSH port in NV_HOST;
 *     an empty user name and control characters are errors; https, npipe and other schemes are
 *     errors that name the accepted forms.
 *   - NV_HOST refuses what it would otherwise ignore: a user with http:// or tcp:// (the
 *     plugin's API has no authentication), a password with ssh:// (SSH asks on the terminal),
 *     a path other than `/`, a query, a fragment. The engine's address may carry a base path
 *     (docker's, for the engine's API): it is ignored.
 * Error messages are one line: "invalid NV_HOST '<value>' (<reason>): expected …"; a password
 * in the value is shown as `***`. The local plugin is http://127.0.0.1:3476 (no name lookup).
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
