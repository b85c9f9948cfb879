/*
 * http_parse: the pure part of the plugin's HTTP/1.x server: reading a request head, a chunked
 * body and a query string, within the limits of man/nvidia-docker-plugin.8.in (LIMITS). No
 * sockets and no allocation but the query list, so the fuzzers drive it directly.
 *
 * A head is the request line and the header fields up to the first empty line; lines end with
 * CRLF or a bare LF. It is parsed in place: the parser writes NULs into the caller's buffer and
 * the head's strings point there. What the server needs of the fields is kept (Content-Length,
 * Transfer-Encoding: chunked, Connection, Expect: 100-continue, Accept); the others are checked
 * for syntax and skipped.
 */
#ifndef NVD_HTTP_PARSE_H
#define NVD_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "nvidia-docker-plugin/http.h"

#define HTTP_MAX_REQUEST_LINE 16384 /* bytes; longer: 414 */
#define HTTP_MAX_HEAD         32768 /* request line and fields; longer: 431 */
#define HTTP_MAX_FIELDS       64    /* header fields; more: 431 */
#define HTTP_MAX_PARAMS       128   /* query parameters; more: 414 */

struct http_head {
        char *method;           /* NUL-terminated, in the caller's buffer */
        char *target;           /* raw request target ("/docker/cli?dev=0"), likewise */
        int minor;              /* HTTP/1.<minor> */
        const char *accept;     /* the first Accept field, or NULL */
        int64_t content_length; /* -1: none */
        bool chunked;           /* Transfer-Encoding: chunked */
        bool keep_alive;        /* after this request (HTTP/1.1 unless "close"; 1.0 if asked) */
        bool expect_continue;   /* Expect: 100-continue */
};

/* A refusal: the status to answer and one line saying why (static text). */
struct http_refusal {
        int status;
        const char *reason;
};

/* Parses buf[0..len): the head's length (> 0) when complete, 0 when more bytes are needed (and
 * the limits still allow them), -1 with *refusal set when the request must be refused. */
long http_parse_head(char *buf, size_t len, struct http_head *head, struct http_refusal *refusal);

/* Incremental decoder of a chunked body ("Transfer-Encoding: chunked"). */
struct http_chunked {
        int state;
        uint64_t remaining; /* bytes left in the current chunk */
        int digits;
};
#define HTTP_CHUNKED_INIT                                                                          \
        {                                                                                          \
                0, 0, 0                                                                            \
        }

/* Decodes in[0..len) in place: the body bytes are moved to the front of `in`. Sets *consumed
 * (input bytes used) and *produced (body bytes at in[0..produced)). Returns 1 when the body and
 * its trailer are complete, 0 when more input is needed, -1 when malformed. */
int http_chunked_decode(struct http_chunked *chunked, char *in, size_t len, size_t *consumed,
                        size_t *produced);

/* Splits a raw query string into decoded pairs, in order, repeats kept: pairs split on '&' and
 * ';', '+' is a space, %XX decoded; empty pieces and pairs with an empty key are skipped. A
 * malformed escape or a NUL byte fails the whole query with "invalid query parameter: <pair>
 * (<why>)", so that nothing is silently dropped. More than HTTP_MAX_PARAMS pairs fail too.
 * Free with http_query_free(params, count). */
int http_query_parse(const char *query, struct http_query_param **params, size_t *count,
                     struct error *err);
void http_query_free(struct http_query_param *params, size_t count);
/* The number of non-empty '&'/';' pieces of a raw query. */
size_t http_query_count(const char *query);

#endif
