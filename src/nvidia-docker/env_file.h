/*
 * env_file: the environment a `docker run` command line gives the container, as far as GPU
 * selection needs it: --env-file files read the way the docker CLI reads them, then -e/--env
 * (which override them, whatever their order on the line).
 *
 * File format (docker's): lines separated by `\n` (a trailing `\r` is dropped); a UTF-8 BOM at
 * the start is dropped; leading white space is dropped; empty lines and lines starting with `#`
 * are skipped; `NAME=value` keeps the value as written (no trimming, no quotes removed); `NAME`
 * alone takes the caller's value of NAME, and unsets NAME when the caller has none. A name with
 * white space, an empty name, invalid UTF-8 or a line over 64 KiB is an error, as for docker.
 */
#ifndef NVD_ENV_FILE_H
#define NVD_ENV_FILE_H

#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"

/* Appends the file's entries, in order, as `NAME=value` or `NAME` (pass-through, unresolved).
 * Pure. `path` only names the file in messages. */
int env_file_parse(const char *text, size_t len, const char *path, struct strv *out,
                   struct error *err);
/* Reads and parses the file at `path` (relative to the working directory, as docker does). */
int env_file_read(const char *path, struct strv *out, struct error *err);

/* The value an entry (`NAME=value`, or `NAME` resolved through `caller_value`, the caller's
 * value of NAME or NULL) gives NAME: NULL when it unsets it. */
const char *env_entry_value(const char *entry, const char *caller_value);
/* The last entry of `entries` that names `name`, or NULL. */
const char *env_entries_find(const struct strv *entries, const char *name);

#endif
