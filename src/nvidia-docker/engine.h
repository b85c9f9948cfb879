/*
 * engine: what the docker engine knows about an image, asked once per run.
 *
 * When the engine (engine_endpoint.h) is a local unix socket chosen by DOCKER_HOST or by
 * default (no -H/--context/--config/--tls* global options, no context other than `default`, a
 * readable config file, NV_DOCKER a single word) and its socket can be opened, the Engine API
 * is asked directly over the unix socket with libcurl (GET /images/<name>/json): no docker
 * subprocess. Otherwise one
 * `$NV_DOCKER [global options] image inspect --format '{{json .}}' IMAGE` call answers.
 * Missing images are pulled with `$NV_DOCKER [global options] pull [--platform P] IMAGE`, its
 * progress on our stderr so that the container's stdout stays clean.
 *
 * "Not found" is only ever a 404 from the API or docker's "No such image" (podman's "image not
 * known"): a daemon that cannot be reached or refuses us is an error, never a reason to pull.
 * The same functions serve podman (its target from podman_engine.h).
 */
#ifndef NVD_ENGINE_H
#define NVD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker/engine_endpoint.h"
#include "nvidia-docker/image_info.h"

struct engine_target {
        const struct strv *docker; /* NV_DOCKER words */
        const char *const *global; /* the user's global options (words before the command) */
        size_t global_count;
        bool use_cli;            /* true: ask through the docker CLI, not the socket */
        bool local;              /* the engine runs on this machine (its containers too) */
        const char *socket_path; /* the local daemon's socket (DOCKER_HOST unix:// or default) */
        const char *cli_reason;  /* why use_cli (static text, for NV_DEBUG), or NULL */
        bool pull_progress_on_stderr; /* podman: `pull` shows its progress on stderr */
};

#define ENGINE_DEFAULT_SOCKET "/var/run/docker.sock"

/* Decides socket or CLI for the engine that `endpoint` names. The target points into the
 * endpoint and the given arrays: keep them alive. */
void engine_target_init(struct engine_target *target, const struct strv *docker,
                        const char *const *global, size_t global_count, bool daemon_options,
                        const struct engine_endpoint *endpoint);

/* found=false (and 0 returned) when the image does not exist; -1 only for real failures. */
int engine_inspect_image(const struct engine_target *target, const char *image,
                         struct image_info *out, struct error *err);
int engine_pull_image(const struct engine_target *target, const char *image, const char *platform,
                      struct error *err);

/* POST /volumes/create {"Name": name, "Driver": driver} on the engine at the unix socket: the
 * engine then looks up the volume plugin as `docker run` would. 0 when it created the volume or
 * has it (no side effect that `docker run` would not have); 0 with *refusal set to the engine's
 * message (owned) when it refused, e.g. "error looking up volume plugin nvidia-docker: plugin
 * \"nvidia-docker\" not found"; -1 when the engine could not be asked. */
int engine_volume_create(const char *socket_path, const char *name, const char *driver,
                         char **refusal, struct error *err);

#endif
