/*
 * gpu_select: the values that choose GPUs and driver capabilities, read as text. Pure: values
 * are parameters (no getenv, no I/O). docs/gpu-selection.md describes the grammar for users.
 *
 * Device lists (NV_GPU, NVIDIA_VISIBLE_DEVICES, --gpus device=...):
 *   - `all`: every GPU the caller may use; `none`: no GPU, but the control nodes and the driver
 *     volume; `void` or empty (or only separators): no GPU arguments at all. These words stand
 *     alone: `all,0` is an error.
 *   - otherwise items separated by commas and/or spaces, in the user's order, duplicates (after
 *     normalisation) dropped: a decimal index as nvidia-smi numbers GPUs (`+` and leading
 *     zeros accepted and normalised away: `+01` is `1`; negative or over 9 digits is an
 *     error); `G:M`, MIG device M of GPU G (both decimal, normalised the same way); a `GPU-`
 *     or `MIG-` UUID or prefix of one (at least one character after the dash, then letters,
 *     digits, `-`, `/`, `:` and `.`), kept as written. An item written as a CDI name of our
 *     kind, `nvidia.com/gpu=X`, is read as X. Whether an item names a GPU of the host is the
 *     plugin's business.
 * Docker's --gpus value: a CSV record as docker reads it (encoding/csv: fields separated by
 *   commas, a field may be double-quoted, `""` inside quotes is a quote): `all`, a count `N`
 *   (or `count=N`, `count=all`), `device=ID[,ID...]` (IDs as in a device list; a bare field that
 *   follows `device=` is one more ID, so `--gpus device=0,2` means GPUs 0 and 2, a line docker
 *   itself would reject at the daemon), `capabilities=CAP[,CAP...]`, `driver=nvidia`,
 *   `options=...` (accepted and ignored). Each key once. Count 0 is `void`, as docker's NVIDIA
 *   driver reads it; device= and count= together are an error, as for docker.
 * Driver capabilities (NVIDIA_DRIVER_CAPABILITIES, --gpus capabilities=): comma-separated words
 *   among compute, compat32, display, graphics, utility, video (`gpu` and `nvidia`, which
 *   docker's --gpus adds for itself, are ignored), or `all`; empty means the default,
 *   utility,compute. Normalised to a sorted, de-duplicated list, or `all`.
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
