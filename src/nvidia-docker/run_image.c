/* run_image: see run_image.h. */
#include "nvidia-docker/run_image.h"

#include <string.h>

#include "nvidia-docker/run_debug.h"

int run_image_resolve(struct run_state *s, bool *passthrough, struct error *err)
{
        const struct run_request *r = s->request;
        const char *image = r->words[r->args->image_index];
        const char *pull = r->args->pull;
        struct engine_target target;
        if (s->podman)
                target = s->podman_target.engine;
        else
                engine_target_init(&target, r->docker, r->words, r->args->global_count,
                                   r->args->daemon_options, &s->engine);
        s->engine_local = target.local;
        if (target.use_cli)
                run_debug(s, "engine: asking `%s image inspect` (%s)", r->docker->items[0],
                          target.cli_reason);
        else
                run_debug(s, "engine: asking the Engine API at unix://%s", target.socket_path);

        bool always = false, never = false;
        if (pull != NULL) {
                /* podman's `newer` pulls when the registry has a newer image: a pull. */
                always = strcmp(pull, "always") == 0 || (s->podman && strcmp(pull, "newer") == 0);
                never = strcmp(pull, "never") == 0;
                if (!always && !never && strcmp(pull, "missing") != 0) {
                        run_debug(s, "unknown --pull=%s: docker decides", pull);
                        *passthrough = true;
                        return 0;
                }
        }
        if (always && engine_pull_image(&target, image, r->args->platform, err) < 0)
                return -1;
        if (engine_inspect_image(&target, image, &s->image, err) < 0)
                return -1;
        if (s->image.found)
                return 0;
        if (always)
                return error_set(err, "image '%s' is still missing after `%s pull`", image,
                                 s->podman ? "podman" : "docker");
        if (never) {
                run_debug(s, "image %s not found and --pull=never: docker reports it", image);
                *passthrough = true;
                return 0;
        }
        run_debug(s, "image %s not found: pulling it", image);
        if (engine_pull_image(&target, image, r->args->platform, err) < 0)
                return -1;
        image_info_destroy(&s->image);
        if (engine_inspect_image(&target, image, &s->image, err) < 0)
                return -1;
        if (!s->image.found)
                return error_set(err, "image '%s' is still missing after `%s pull`", image,
                                 s->podman ? "podman" : "docker");
        return 0;
}
