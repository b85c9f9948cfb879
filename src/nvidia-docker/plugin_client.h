/*
 * plugin_client: asks nvidia-docker-plugin's REST API v1.0 (libcurl, decoded with jansson).
 *
 * One client = one curl handle = one connection reused for every request of a wrapper run
 * (keep-alive), with a total timeout per request: NV_TIMEOUT seconds (the caller's value, given
 * to plugin_client_open; a positive number, fractions allowed; default 10). No proxy is ever
 * used (proxies must not see plugin traffic), no redirects, no signals. Answers over 1 MiB are
 * an error ("plugin answer too large"). Over SSH the connection is the local end of an
 * ssh_tunnel (one connection per tunnel; its socket becomes O_NONBLOCK), and requests go to
 * http://127.0.0.1:<plugin_port> on the far side (how curl gets that socket: plugin_client.c).
 *
 * Requests: GET /v1.0/docker/cli/json?vol=<kinds joined by +>&dev=<items joined by +>, each
 * item URL-escaped (vol omitted when there are no kinds, dev when the selection is all), and
 * GET /v1.0/gpu/info/json.
 *
 * Errors (one line each; URL = the target's url, or ssh://user@host:port (plugin port P)):
 *   "plugin not reachable at URL: Connection refused; is nvidia-docker-plugin running? …"
 *   "nvidia-docker-plugin at URL did not answer within N s; set NV_TIMEOUT (seconds) …"
 *   "nvidia-docker-plugin at URL refused the request: <first line of its text>" (HTTP 400)
 *   "nvidia-docker-plugin at URL answered HTTP <code>: <first line of its text>" (others)
 *   "NV_GPU: invalid device: 5; this host has GPUs 0 (GPU-…, Model), 1 (GPU-…)" (400 invalid
 *     device: the GPU list comes from one more request, /v1.0/gpu/info/json)
 *   "bad answer from nvidia-docker-plugin at URL: <what>" (not JSON, wrong types, a device that
 *     is not an NVIDIA device node, a volume that is not the driver volume, truncated bodies,
 *     over 1 MiB: "plugin answer too large")
 *
 * The answers are decoded and checked by plugin_answer.h (allow-lists; pure; the fuzzers drive
 * it); the client puts "bad answer from nvidia-docker-plugin at URL: " in front of its messages.
 */
#ifndef NVD_PLUGIN_CLIENT_H
#define NVD_PLUGIN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/host_select.h"
#include "nvidia-docker/plugin_answer.h"
#include "nvidia-docker/ssh/ssh_tunnel.h"

struct plugin_client;

/* The caller's environment, as values (NULL = unset). */
struct plugin_client_env {
        const char *timeout;            /* NV_TIMEOUT (NULL or "": 10 s) */
        struct ssh_environment ssh_env; /* HOME, USER, SSH_AUTH_SOCK, CI: for an SSH tunnel */
};

/* Starts libcurl for the whole process: call it once, before any other libcurl use (the engine's
 * requests too). `target` is the plugin that will be asked, or NULL when none could be chosen.
 * Unless it is reached over SSH, OpenSSL is told to skip its configuration file, which libcurl
 * would otherwise have it parse (about a tenth of what a run executes) for TLS that is never
 * used; libssh2 takes its ciphers from libcrypto, whose configuration (a FIPS provider, say)
 * then matters. */
void plugin_client_global_init(const struct plugin_target *target);

/* Opens the transport (for SSH: the tunnel) after checking env->timeout. No request is made
 * yet. */
int plugin_client_open(const struct plugin_target *target, const struct plugin_client_env *env,
                       struct plugin_client **out, struct error *err);
/* vol: volume kinds (e.g. "nvidia_driver"); devices: the `dev` items (NULL: all GPUs), and
 * `source` names where they came from ("NV_GPU") in messages. A 400 "invalid device" answer
 * is turned into an error that lists the valid indexes and UUIDs (one more request).
 * capabilities: NVIDIA_DRIVER_CAPABILITIES (sent as caps=, docs/capabilities.md), or NULL for a
 * 1.0 request. */
int plugin_client_docker_cli(struct plugin_client *client, const struct strv *volume_kinds,
                             const struct strv *devices, const char *capabilities,
                             const char *source, struct docker_cli_answer *out, struct error *err);
int plugin_client_gpu_info(struct plugin_client *client, struct gpu_info_answer *out,
                           struct error *err);
/* Number of transport connections made so far (SSH handshakes, TCP connects): for tests. */
unsigned plugin_client_connections(const struct plugin_client *client);
void plugin_client_free(struct plugin_client *client);

#endif
