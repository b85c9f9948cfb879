/*
 * volume_name: parses and validates Docker volume names of the plugin (docs/volume-plugin.md).
 *
 * A name is <kind>_<version>: kind = one or more of [A-Za-z0-9_.-], version = one or more of
 * [0-9.], split at the last '_' followed only by digits and dots (1.0's rule). On top of 1.0,
 * the version must be digit groups separated by single dots ("375.39", "580.159.04"): `.`, `..`,
 * empty groups, leading or trailing dots are refused, so a name can never reach outside the
 * volume root. Kinds: `nvidia_driver` (every capability: 1.0's volume) and, for a capability set
 * (docs/capabilities.md), `nvidia_driver-<words>` with the set's canonical suffix of
 * driver_caps.h ("nvidia_driver-compute-utility_580.159.04"); any other spelling of a set is
 * unsupported, so that one set has one name. Pure: no I/O.
 */
#ifndef NVD_VOLUME_NAME_H
#define NVD_VOLUME_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define VOLUME_KIND_DRIVER "nvidia_driver"
#define VOLUME_NAME_MAX    255 /* longer names are a bad format */
#define VOLUME_VERSION_MAX 64

struct volume_name {
        char kind[VOLUME_NAME_MAX + 1];
        char version[VOLUME_VERSION_MAX + 1];
        unsigned capabilities; /* DRIVER_CAP_ALL for nvidia_driver, else the kind's set */
};

/* The kind of a capability set: "nvidia_driver" for DRIVER_CAP_ALL, else
 * "nvidia_driver-<suffix>" (owned). `capabilities` must not be 0. */
char *volume_kind_of(unsigned capabilities);

/* True if `version` is digit groups separated by single dots, at most VOLUME_VERSION_MAX. */
bool volume_version_is_valid(const char *version);

/*
 * Parses `name` (NUL-terminated). Fails with 1.0's messages:
 *   "bad volume format: <name>"   no <kind>_<version> match, or a hostile/invalid version
 *   "unsupported volume: <name>"  well formed, kind is not nvidia_driver[-<canonical set>]
 * The message quotes the name with control characters replaced by '?'.
 */
int volume_name_parse(const char *name, struct volume_name *out, struct error *err);

/*
 * Compares two valid versions group by group, numerically ("9.1" < "10.0", "1.02" == "1.2").
 * Returns <0, 0, >0.
 */
int volume_version_compare(const char *a, const char *b);

#endif
