/*
 * gpu_select: the values that choose GPUs and driver capabilities, read as text. Pure: values
 * in, no I/O. The grammar, for users: docs/gpu-selection.md ("Values").
 *
 * Device lists (NV_GPU, NVIDIA_VISIBLE_DEVICES, --gpus device=...): `all`, `none` (control
 *   nodes and the driver volume only), `void` or empty (nothing), each standing alone; else
 *   items separated by commas and/or spaces, in the user's order, duplicates dropped: an index
 *   (`+01` normalised to `1`), `G:M` (MIG device M of GPU G), a `GPU-`/`MIG-` UUID or prefix
 *   (kept as written), or any of these as a CDI name `nvidia.com/gpu=X`. Whether an item names
 *   a GPU of the host is the plugin's business.
 * --gpus: a CSV record as docker reads it: `all`, `N`, `count=N|all`, `device=ID[,ID...]` (a
 *   bare field after device= is one more ID), `capabilities=...`, `driver=nvidia`, `options=`
 *   (ignored); each key once; count 0 is `void`; device= with count= is an error.
 * Driver capabilities: words among compute, compat32, display, graphics, utility, video
 *   (`gpu` and `nvidia` ignored), or `all`; empty is utility,compute. Normalised: sorted,
 *   de-duplicated.
 * Errors are one line naming the source (`what`) and the accepted forms.
 */
#ifndef NVD_GPU_SELECT_H
#define NVD_GPU_SELECT_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strv.h"

#define DRIVER_CAPABILITIES_DEFAULT "compute,utility"

enum gpu_request_kind {
        GPU_REQUEST_ALL,   /* every GPU the caller may use */
        GPU_REQUEST_NONE,  /* no GPU: control nodes and the driver volume */
        GPU_REQUEST_VOID,  /* nothing at all: a plain container */
        GPU_REQUEST_LIST,  /* the GPUs named by `items`, in order */
        GPU_REQUEST_COUNT, /* the first `count` GPUs the caller may use */
};

struct gpu_request {
        enum gpu_request_kind kind;
        struct strv items; /* LIST: "0", "0:1", "GPU-...", "MIG-..." */
        unsigned count;    /* COUNT: at least 1 */
};

/* A device list. `what` names the source in messages ("NV_GPU"). On error *out is empty. */
int gpu_request_parse_list(const char *value, const char *what, struct gpu_request *out,
                           struct error *err);
/* Docker's --gpus value; *capabilities gets the normalised capabilities= value, or NULL. */
int gpu_request_parse_option(const char *value, struct gpu_request *out, char **capabilities,
                             struct error *err);
void gpu_request_destroy(struct gpu_request *request);
/* "all", "none", "void", "0,GPU-ab", "2 GPUs": for messages. Owned string. */
char *gpu_request_describe(const struct gpu_request *request);

/* NVIDIA_DRIVER_CAPABILITIES; *out owned ("all", or e.g. "compute,graphics,utility"). */
int driver_capabilities_parse(const char *value, const char *what, char **out, struct error *err);
/* True when the normalised list `capabilities` has `word` (or is `all`). */
bool driver_capabilities_has(const char *capabilities, const char *word);

#endif
