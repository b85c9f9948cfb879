/*
 * run_image: the image's metadata for a run (s->image), from the engine the command goes to
 * (engine.h; podman's target for podman). --pull decides: `always` (podman's `newer` too)
 * pulls first; `missing` (or none) pulls when the image is not there; `never` leaves a
 * missing image to docker. An unknown --pull value is left to docker as well.
 */
#ifndef NVD_RUN_IMAGE_H
#define NVD_RUN_IMAGE_H

#include <stdbool.h>

#include "common/error.h"
#include "nvidia-docker/run_state.h"

/* Fills s->image and s->engine_local. Sets *passthrough when docker must decide alone. */
int run_image_resolve(struct run_state *s, bool *passthrough, struct error *err);

#endif
