/*
 * base64: RFC 4648 encoding and decoding (standard alphabet), as used by OpenSSH's files
 * and fingerprints, and the URL-safe encoding (RFC 4648 §5) of 1.0's /mesos/cli. Pure.
 */
#ifndef NVD_BASE64_H
#define NVD_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes `len` characters (padding optional, no whitespace). Returns an owned buffer and its
 * length in *out_len, or NULL when the text is not base64. */
unsigned char *base64_decode(const char *text, size_t len, size_t *out_len);
/* Encodes; with `pad` false the trailing '=' are left out (OpenSSH's SHA256 fingerprints). */
char *base64_encode(const unsigned char *data, size_t len, bool pad);
/* The URL-safe alphabet ('-' and '_' for '+' and '/'), without padding. */
char *base64url_encode(const unsigned char *data, size_t len);

#endif
