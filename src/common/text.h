/*
 * text: making untrusted text safe to quote in a one-line message.
 */
#ifndef NVD_TEXT_H
#define NVD_TEXT_H

#include <stddef.h>

/* A copy of s[0..len) with control bytes (NUL included) as \xNN, cut after `max` bytes with
 * "..." appended (max SIZE_MAX: never cut). Owned by the caller. */
char *text_printable(const char *s, size_t len, size_t max);

#endif
