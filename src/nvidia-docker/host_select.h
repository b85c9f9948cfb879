/*
 * host_select: which nvidia-docker-plugin to ask, from NV_HOST and DOCKER_HOST.
 *
 * 1.0's grammar and port rules (../shared/reference/wrapper.md §1.3): NV_HOST wins when
 * non-empty; `[scheme://][user@][HOST][:SSHPORT]:[PLUGINPORT]`; tcp/http → HTTP (plugin port
 * forced to 3476 when the value came from DOCKER_HOST); ssh → a tunnel; unset and unix:// →
 * the local plugin at http://127.0.0.1:3476. DOCKER_HOST=ssh://[user@]host[:sshport] is read
 * as docker reads it (the port is the SSH port; the plugin port is 3476). Pure.
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
        bool local;        /* the local plugin (nothing set, or unix://) */
        const char *source; /* "NV_HOST", "DOCKER_HOST" or "default": for messages */
        char *url;         /* HTTP: base URL without trailing slash, e.g. http://127.0.0.1:3476 */
        /* SSH */
        char *ssh_user;    /* from the URL, else $USER; NULL when neither: the SSH config decides */
        bool ssh_user_explicit;
        char *ssh_host;    /* host name or IPv6 literal without brackets */
        char *ssh_port;    /* "22" unless given */
        bool ssh_port_explicit;
        char *plugin_port; /* "3476" unless given */
        /* Set when NV_HOST is used but DOCKER_HOST is empty (1.0's warning, for NV_DEBUG). */
        bool docker_host_unset_warning;
};

int host_select(const char *nv_host, const char *docker_host, const char *user,
                struct plugin_target *out, struct error *err);
void plugin_target_destroy(struct plugin_target *target);

#endif
