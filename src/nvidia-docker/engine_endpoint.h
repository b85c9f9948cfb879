/*
 * engine_endpoint: which Docker engine a command goes to, decided the way the docker CLI decides
 * it, once per run, for both the image query (engine.h) and the choice of the plugin
 * (host_select.h: the plugin follows the engine unless NV_HOST says otherwise).
 *
 * The context: --context/-c NAME; else "default" when -H/--host or DOCKER_HOST is given; else
 * DOCKER_CONTEXT; else `currentContext` of the client's config.json; else "default". The
 * default context's engine is -H, else DOCKER_HOST, else unix:///var/run/docker.sock. Another
 * context's engine is Endpoints.docker.Host of <config dir>/contexts/meta/<sha256 of NAME>/
 * meta.json. The config dir is --config, else DOCKER_CONFIG, else $HOME/.docker.
 *
 * Files are read only when they decide (config.json only when nothing before it chose; a
 * meta.json only for a named context). A config.json that cannot be read is what docker does
 * with it: a warning there, the default context here (config_unreadable says so). A named
 * context that cannot be read is an error kept in `error`, for the caller to report when the
 * engine's address is needed (docker reports it on its own otherwise).
 */
#ifndef NVD_ENGINE_ENDPOINT_H
#define NVD_ENGINE_ENDPOINT_H

#include <stdbool.h>

#include "common/error.h"
#include "nvidia-docker/host_select.h"

#define ENGINE_DEFAULT_HOST "unix:///var/run/docker.sock"

/* What decides (NULL = not given). */
struct engine_endpoint_input {
        const char *host_option;    /* -H/--host */
        const char *context_option; /* -c/--context */
        const char *config_option;  /* --config */
        const char *docker_host;    /* DOCKER_HOST */
        const char *docker_context; /* DOCKER_CONTEXT */
        const char *docker_config;  /* DOCKER_CONFIG */
        const char *home;           /* HOME */
};

struct engine_endpoint {
        char *host;   /* docker's address of the engine, e.g. unix:///var/run/docker.sock,
                       * tcp://gpu9:2376, ssh://me@gpu9; NULL when `error` is set */
        char *origin; /* what chose it, for messages: "-H", "DOCKER_HOST", "docker context 'gpu9'"
                       * (named by --context, DOCKER_CONTEXT or config.json), or "default" */
        char *address_name;     /* how messages name the address: "-H", "DOCKER_HOST",
                                 * "docker context 'gpu9' host" */
        bool chosen;            /* false: nothing chose an engine (the default socket) */
        bool named_context;     /* a context other than "default" chose it */
        bool config_unreadable; /* config.json exists but could not be read or parsed */
        struct error error;     /* a named context that cannot be read */
};

/* Never fails: a failure is in out->error. Destroy with engine_endpoint_destroy. */
void engine_endpoint_resolve(const struct engine_endpoint_input *in, struct engine_endpoint *out);
void engine_endpoint_destroy(struct engine_endpoint *endpoint);

/* The unix socket path of a local engine (unix://PATH), or NULL. Points into endpoint->host. */
const char *engine_endpoint_socket(const struct engine_endpoint *endpoint);

/* The plugin to ask for this engine: NV_HOST when set, else the one that goes with the engine
 * (host_select's rules: ssh:// over SSH, tcp://HOST on HOST:3476, unix:// local). */
int engine_endpoint_plugin(const struct engine_endpoint *endpoint, const char *nv_host,
                           const char *user, struct plugin_target *out, struct error *err);

#endif
