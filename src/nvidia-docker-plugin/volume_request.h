/*
 * volume_request: reading the requests Docker sends to a volume plugin, as 1.0 (Go's
 * encoding/json) read them: the Accept header, and the "Name" and "ID" of the JSON body, keys
 * matched case-insensitively, absent or null fields read as "".
 */
#ifndef NVD_VOLUME_REQUEST_H
#define NVD_VOLUME_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* Docker sends application/vnd.docker.plugins.v1.2+json (v1.1 before 1.10). Tolerant: any v1.x
 * (+json), a list containing one, * / *, or no header. */
bool volume_request_accept_ok(const char *accept);
/* Copy of a client string for a log line: control characters as '?', at most 256 bytes. */
char *volume_request_loggable(const char *s);
/* The body's "Name" (owned; "" when absent or null) and, if id is not NULL, its "ID"; or NULL
 * with *cause (owned, for the log) for a body Go's decoder would refuse: empty, not JSON, not
 * an object, or a field that is not a string. */
char *volume_request_read(const char *body, size_t len, char **id, char **cause);

#endif
