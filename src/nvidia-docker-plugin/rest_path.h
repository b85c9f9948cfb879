/*
 * rest_path: the path rules of the REST API, as Go's ServeMux applies them in 1.0: a path that
 * is not clean (path.Clean, a trailing slash kept) is answered 301 to its clean form, query
 * kept, with Go's small HTML body for GET and HEAD. Pure: no I/O.
 */
#ifndef NVD_REST_PATH_H
#define NVD_REST_PATH_H

#include "nvidia-docker-plugin/http.h"

/* Go's path.Clean plus ServeMux's trailing-slash rule. Owned string. */
char *rest_path_clean(const char *path);
/* The 301 answer to `clean` (the decoded clean path) for `request`. */
void rest_path_redirect(const struct http_request *request, const char *clean,
                        struct http_response *response);

#endif
