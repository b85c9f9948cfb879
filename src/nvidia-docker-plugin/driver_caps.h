/*
 * driver_caps: the driver capabilities of NVIDIA_DRIVER_CAPABILITIES (docs/capabilities.md) as a
 * bit set: the words, NVIDIA's defaults, what each word implies, and the canonical suffix that
 * names the driver volume of a set. Pure: no I/O.
 *
 *   words      utility compute video graphics display compat32, and `all` (every one)
 *   default    an empty list means utility,compute (the NVIDIA runtime's default)
 *   implies    video -> compute (NVDEC/NVENC run on CUDA); display -> graphics
 *   unknown    well-formed words we do not serve (`ngx`, a newer runtime's words) are ignored,
 *              as the NVIDIA runtime ignores words it does not support; they are returned so
 *              that a caller can say so
 *   suffix     the closed set's words in alphabetical order joined by '-' ("compute-utility");
 *              the set of every capability has the empty suffix (1.0's nvidia_driver volume)
 */
#ifndef NVD_DRIVER_CAPS_H
#define NVD_DRIVER_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

enum driver_capability {
        DRIVER_CAP_UTILITY = 1 << 0,  /* nvidia-smi & co, libnvidia-ml, libnvidia-cfg */
        DRIVER_CAP_COMPUTE = 1 << 1,  /* libcuda & co, MPS binaries */
        DRIVER_CAP_VIDEO = 1 << 2,    /* encode/decode libraries (plus compute) */
        DRIVER_CAP_GRAPHICS = 1 << 3, /* GL/EGL/GLES/Vulkan vendor libraries and their JSON files */
        DRIVER_CAP_COMPAT32 = 1 << 4, /* also the 32-bit libraries */
        DRIVER_CAP_DISPLAY = 1 << 5,  /* X server driver modules, /dev/nvidia-modeset (plus
                                       * graphics) */
};
#define DRIVER_CAP_ALL                                                                             \
        (DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE | DRIVER_CAP_VIDEO | DRIVER_CAP_GRAPHICS |        \
         DRIVER_CAP_COMPAT32 | DRIVER_CAP_DISPLAY)
/* NVIDIA's default for an unset or empty NVIDIA_DRIVER_CAPABILITIES. */
#define DRIVER_CAP_REQUEST_DEFAULT (DRIVER_CAP_UTILITY | DRIVER_CAP_COMPUTE)
/* Longest word accepted by driver_caps_parse. */
#define DRIVER_CAPS_WORD_MAX 32

/*
 * Parses a comma-separated list ("compute,utility", "all", "" = the default; blanks around words
 * are ignored; a word named twice counts once). Unknown words that are well formed (letters,
 * digits, '_' or '-', at most DRIVER_CAPS_WORD_MAX) are appended to `unknown` (may be NULL) and
 * otherwise ignored. Fails on a malformed word: "invalid capability: <word>" (control
 * characters shown as '?'). *caps is not closed (see driver_caps_close).
 */
int driver_caps_parse(const char *list, unsigned *caps, struct strv *unknown, struct error *err);
/* Adds what the words imply: video -> compute, display -> graphics. */
unsigned driver_caps_close(unsigned caps);
/* The words of `caps` in alphabetical order, appended to out. */
void driver_caps_words(unsigned caps, struct strv *out);
/* The canonical suffix of the closed set (owned; "" for DRIVER_CAP_ALL). The empty set has no
 * volume: callers check for 0 first. */
char *driver_caps_suffix(unsigned caps);
/* Reads a suffix of `len` bytes; true only for a canonical one of a closed set other than
 * DRIVER_CAP_ALL (so that one set has one name). */
bool driver_caps_from_suffix(const char *suffix, size_t len, unsigned *caps);

#endif
