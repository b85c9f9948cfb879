/*
 * text: small tests on text, and making untrusted text safe to quote in a one-line message.
 */
#ifndef NVD_TEXT_H
#define NVD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s is given: neither NULL nor empty (how an environment variable or an option
 * counts as set). */
static inline bool text_is_set(const char *s)
{
        return s != NULL && s[0] != '\0';
}

/* The value of one hexadecimal digit (either case), or -1. */
static inline int text_hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* True when s[0..len) holds a control byte (below 0x20, NUL included, or 0x7f). */
bool text_has_control(const char *s, size_t len);

/* A copy of s[0..len) with control bytes (NUL included) as \xNN, cut after `max` bytes with
 * "..." appended (max SIZE_MAX: never cut). Owned by the caller. */
char *text_printable(const char *s, size_t len, size_t max);

#endif
