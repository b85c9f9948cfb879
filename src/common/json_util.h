/*
 * json_util: writing JSON text the way Go's encoding/json does, for byte-compatible replies.
 *
 * Strings: `"`, `\` and control characters escaped (\n, \r, \t short forms, others \u00XX),
 * `<`, `>`, `&` as \u003c, \u003e, \u0026, U+2028/U+2029 as \u2028/\u2029, and every invalid
 * UTF-8 byte replaced by U+FFFD, written as the escape \ufffd as Go does. Objects are written field
 * by field by the caller, so the field order is the code's order. (Hand-written rather than through
 * jansson: no tree to build per request, and the escaping above is exact without post-processing.)
 */
#ifndef NVD_JSON_UTIL_H
#define NVD_JSON_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/strv.h"

/* Appends s (NUL-terminated) as a quoted JSON string. */
void json_append_string(struct buf *b, const char *s);
void json_append_stringn(struct buf *b, const char *s, size_t len);
/* Appends the decimal value, or `null` when value < 0 and nullable is set. */
void json_append_int(struct buf *b, int64_t value);
void json_append_nullable_int(struct buf *b, int64_t value);
/* Appends s quoted, or `null` for NULL. */
void json_append_nullable_string(struct buf *b, const char *s);
/* Appends the strings as a JSON array ("[]" when empty). */
void json_append_string_list(struct buf *b, const struct strv *items);

#endif
