/*
 * vendor_json: the JSON files through which the graphics loaders find a vendor's library
 * (docs/capabilities.md): GLVND's EGL vendor files (glvnd/egl_vendor.d), Vulkan ICD and layer
 * files (vulkan/icd.d, vulkan/implicit_layer.d, ...), EGL external platform files
 * (egl/egl_external_platform.d). Each names its library in `library_path` of the object "ICD",
 * of the object "layer", or of each object of the array "layers". Pure: no I/O.
 *
 * Input is a driver file of the host (trusted, but read with limits): at most VENDOR_JSON_MAX
 * bytes, a JSON object, NUL bytes refused, at most VENDOR_JSON_MAX_LIBRARIES library paths.
 */
#ifndef NVD_VENDOR_JSON_H
#define NVD_VENDOR_JSON_H

#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

#define VENDOR_JSON_MAX           (64 * 1024)
#define VENDOR_JSON_MAX_LIBRARIES 16

/* Appends every library_path (in document order) to `out`. Fails on text that is not such a
 * file: not a JSON object, no library_path at all, a library_path that is not a non-empty
 * string, too large. */
int vendor_json_libraries(const char *text, size_t len, struct strv *out, struct error *err);

/*
 * The same document with every library_path replaced by map(ctx, old), or kept when map returns
 * NULL (map's results are owned and freed here). Written with 4-space indentation, the keys in
 * their original order, and a final newline; *out is owned, *out_len its length.
 */
int vendor_json_rewrite(const char *text, size_t len,
                        char *(*map)(void *ctx, const char *library_path), void *ctx, char **out,
                        size_t *out_len, struct error *err);

#endif
