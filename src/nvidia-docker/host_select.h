/*
 * host_select: which nvidia-docker-plugin to ask, from NV_HOST and DOCKER_HOST. Pure: the
 * values are parameters (no getenv), no DNS, no I/O.
 *
 * 1.0's grammar and port rules (reference/wrapper.md §1.3) for every value 1.0 accepted:
 *   - NV_HOST wins when non-empty (DOCKER_HOST is then not parsed at all, and a bad NV_HOST
 *     is an error, never a fallback); otherwise DOCKER_HOST; otherwise the local plugin.
 *   - A value without `scheme://` gets `tcp://` in front (`host:2375` → `tcp://host:2375`,
 *     `/var/run/docker.sock` → remote `localhost`, as 1.0).
 *   - Authority `[user@][HOST][:SSHPORT]:[PLUGINPORT]`; the colon is mandatory in NV_HOST
 *     (`http://host` is an error). HOST is `[A-Za-z0-9._-]+` or a bracketed IPv6 literal in
 *     lower-case hex; empty HOST = `localhost`; an empty authority (`tcp://`) = all defaults.
 *     One number after the host is the plugin port, two are SSHPORT:PLUGINPORT; `host::5000`
 *     is an error. Ports are digits, kept as written (`01234`); defaults 22 and 3476.
 *   - tcp and http → HTTP to http://HOST:P. P = the plugin port written in NV_HOST (3476 when
 *     empty); always 3476 when the value came from DOCKER_HOST. The SSH port is ignored.
 *   - ssh (NV_HOST) → SSH to HOST:SSHPORT, then 127.0.0.1:PLUGINPORT on that host.
 *   - SSH user: the URL's user whenever user info is present, else `user` ($USER), NULL when
 *     that is empty too (the SSH config decides). A password in the URL is never used.
 *   - Path, query and fragment are ignored.
 *   - Kept although odd: `unix:/sock` (one slash, no `://`) is remote host `unix` as in 1.0,
 *     and `/var/run/docker.sock` in DOCKER_HOST means http://localhost:3476.
 *
 * Where this module deliberately differs from 1.0 (values 1.0 rejected or mis-read):
 *   - Schemes are case-insensitive (RFC 3986): `UNIX:///x` is local and `HTTP://h:1` is
 *     http://h:1 (1.0 read them as remote hosts named `UNIX` / `HTTP`).
 *   - `fd://…` (docker's socket activation) is local like `unix://` (1.0: error).
 *   - DOCKER_HOST is docker's, so it is read the way docker reads it:
 *       tcp://host and http://host without a port (docker's default port) → http://host:3476
 *         (1.0: "invalid remote host URI");
 *       ssh://[user@]host[:sshport] → the port is the SSH port, the plugin port is 3476
 *         (1.0 took it as the plugin port and used SSH port 22); 1.0's two-number form
 *         ssh://host:SSHPORT:PLUGINPORT is still read as 1.0 does.
 *   - Ports must be 1..65535 (1.0 accepted `99999`, which can never connect).
 *   - An IPv6 literal must be a valid address (inet_pton), and takes no SSH port: an IPv6
 *     SSH host always uses port 22 (except DOCKER_HOST=ssh://[addr]:sshport, docker's form).
 *   - An empty user name (`ssh://@host:`) is an error (1.0 tried to log in as "").
 *   - Control characters anywhere in the value are an error (as Go's URL parser).
 *   - https, npipe, ftp and any other scheme are errors (as 1.0), but the message names the
 *     value and the accepted forms.
 * Error messages are one line: "invalid NV_HOST '<value>' (<reason>): expected …"; a password
 * in the value is shown as `***`.
 *
 * The local plugin is http://127.0.0.1:3476: a literal address, no name lookup.
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
        bool local;         /* the local plugin (nothing set, or unix:// / fd://) */
        const char *source; /* "NV_HOST", "DOCKER_HOST" or "default": for messages (static) */
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
        /* Set when NV_HOST is used but DOCKER_HOST is empty (1.0's warning, for NV_DEBUG). */
        bool docker_host_unset_warning;
};

/* nv_host, docker_host, user: the values of NV_HOST, DOCKER_HOST, USER (NULL = unset).
 * On success fills *out (destroy it with plugin_target_destroy); on error only `source` and
 * `docker_host_unset_warning` are set in *out (nothing to destroy, destroying is harmless). */
int host_select(const char *nv_host, const char *docker_host, const char *user,
                struct plugin_target *out, struct error *err);
void plugin_target_destroy(struct plugin_target *target);

#endif
