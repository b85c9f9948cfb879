/*
 * mig_caps: the NVIDIA driver's MIG capability files (docs/mig.md).
 *
 * A MIG device is usable only through two capability device nodes,
 * /dev/nvidia-caps/nvidia-cap<minor>, one for its GPU instance and one for its compute instance.
 * Their minors (and the mode the driver wants for the node) come from
 *   <proc>/driver/nvidia/capabilities/gpu<gpu minor>/mig/gi<G>/access         (GPU instance)
 *   <proc>/driver/nvidia/capabilities/gpu<gpu minor>/mig/gi<G>/ci<C>/access   (compute instance)
 * ("DeviceFileMinor: 21" lines), or, when such a file cannot be read, from the table of every
 * possible minor in <proc>/driver/nvidia-caps/mig-minors ("gpu0/gi2/access 21" lines). The
 * node's major is the one of "nvidia-caps" in <proc>/devices.
 *
 * The parsers work on memory and never fail on odd input: the three text formats are checked
 * strictly where a value is used and skipped where a line is of no interest. The readers take
 * the proc root as a value ("/proc"; tests pass a scratch directory).
 */
#ifndef NVD_MIG_CAPS_H
#define NVD_MIG_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* What an access file says about the node (defaults as nvidia-modprobe applies them). */
struct mig_cap_access {
        unsigned int minor;    /* DeviceFileMinor (required) */
        unsigned int mode;     /* DeviceFileMode: permission bits, default 0666 */
        unsigned int uid, gid; /* DeviceFileUID / DeviceFileGID, default 0 */
        bool modify;           /* DeviceFileModify: 0 = the administrator manages the node */
};

/* Largest minor a Linux device number holds (20 bits). */
#define MIG_CAPS_MINOR_MAX 0xfffffu

/* Parses an access file: "Name: <decimal>" lines; unknown names are ignored, blank lines too.
 * Errors: a line without ": ", a known name with a value that is no decimal number in range
 * (minor <= MIG_CAPS_MINOR_MAX, mode <= 0777), no DeviceFileMinor. */
int mig_caps_parse_access(const char *text, size_t len, struct mig_cap_access *out,
                          struct error *err);

/* Looks up the minor of "gpu<gpu>/gi<gi>/access" (ci < 0) or "gpu<gpu>/gi<gi>/ci<ci>/access" in
 * the text of mig-minors ("<name> <decimal minor>" lines). 1 and *minor set when found; 0 when
 * the name is absent or its minor is not a valid number. */
int mig_caps_find_minor(const char *text, size_t len, unsigned int gpu, unsigned int gi, int ci,
                        unsigned int *minor);

/* The major of character device `name` in the text of /proc/devices (the "Character devices:"
 * section, lines "<spaces><major> <name>"). 1 and *major set when found, else 0. */
int mig_caps_find_major(const char *text, size_t len, const char *name, unsigned int *major);

/* The access file path for a GPU instance (ci < 0) or a compute instance. Owned string. */
char *mig_caps_access_path(const char *proc_root, unsigned int gpu_minor, unsigned int gi, int ci);

/* Reads the access file of a GPU instance (ci < 0) or compute instance; when it cannot be
 * read, falls back to mig-minors (the mode is then 0444, read-only as the driver makes it,
 * with modify set). Error when neither gives the minor, naming both files. */
int mig_caps_lookup(const char *proc_root, unsigned int gpu_minor, unsigned int gi, int ci,
                    struct mig_cap_access *out, struct error *err);

/* The "nvidia-caps" major from <proc_root>/devices; error (what to do) when it is absent. */
int mig_caps_read_major(const char *proc_root, unsigned int *major, struct error *err);

#endif
