/*
 * http: the request/response shapes shared by the plugin's two servers and their handlers.
 *
 * http_server turns each request into a `struct http_request` and calls a handler, which fills
 * a `struct http_response`. Handlers are pure with respect to HTTP: no
 * sockets, so unit tests and fuzzers call them directly. rest_api answers the REST API v1.0
 * (TCP), volume_api the Docker volume plugin protocol (unix socket).
 */
#ifndef NVD_HTTP_H
#define NVD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

struct http_query_param {
        const char *key;   /* URL-decoded */
        const char *value; /* URL-decoded ('+' is a space); "" when absent after the key */
};

struct http_request {
        const char *method;                   /* "GET", "POST", ... */
        const char *path;                     /* without the query, not decoded */
        const struct http_query_param *query; /* in order, repeated keys kept */
        size_t query_count;
        const char *accept; /* Accept header, or NULL */
        const char *body;   /* request body (not NUL-terminated), may be NULL */
        size_t body_len;
        const char *query_string; /* raw query after '?' (not decoded), or NULL */
        bool may_block;           /* answered on a handler thread of its own: may wait */
};

struct http_response {
        int status;               /* 200, 400, ... */
        const char *content_type; /* static string, or NULL for none */
        const char *location;     /* static or owned_location: Location header for 301 */
        char *owned_location;     /* freed by http_response_destroy */
        int nosniff;              /* add X-Content-Type-Options: nosniff */
        char *body;               /* owned, freed by http_response_destroy; may be NULL */
        size_t body_len;
};

typedef void (*http_handler_fn)(void *context, const struct http_request *request,
                                struct http_response *response);

/* Percent-decodes s[0..n) (%XX). With `query`, '+' is a space (Go's url.QueryUnescape). NULL
 * when malformed: a '%' without two hex digits, or an escaped NUL (which would cut the C string
 * short and let "0%00xyz" pass for "0"). */
char *http_unescape(const char *s, size_t n, bool query);
/* First value of `key`, or NULL when absent. */
const char *http_request_query(const struct http_request *request, const char *key);
#define HTTP_TEXT_PLAIN     "text/plain; charset=utf-8"
#define HTTP_INTERNAL_ERROR "internal error, check logs for details\n"

/* Sets status, content type and a copy of the text as body. */
void http_response_text(struct http_response *response, int status, const char *content_type,
                        const char *text);
/* Sets status, content type and the buffer's contents as body (the buffer is emptied). */
void http_response_take(struct http_response *response, int status, const char *content_type,
                        struct buf *body);
/* An error answer as Go's http.Error writes it: text/plain, X-Content-Type-Options: nosniff. */
void http_response_error(struct http_response *response, int status, const char *text);
void http_response_destroy(struct http_response *response);

#endif
