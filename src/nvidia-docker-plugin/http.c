#include "nvidia-docker-plugin/http.h"

#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/xalloc.h"

char *http_unescape(const char *s, size_t n, bool query)
{
        char *out = xmalloc(n + 1), *w = out;
        for (size_t i = 0; i < n; i++) {
                if (query && s[i] == '+') {
                        *w++ = ' ';
                        continue;
                }
                if (s[i] != '%') {
                        *w++ = s[i];
                        continue;
                }
                int hi = i + 2 < n ? text_hex_value(s[i + 1]) : -1;
                int lo = i + 2 < n ? text_hex_value(s[i + 2]) : -1;
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                        free(out);
                        return NULL;
                }
                *w++ = (char)(hi * 16 + lo);
                i += 2;
        }
        *w = '\0';
        return out;
}

const char *http_request_query(const struct http_request *request, const char *key)
{
        for (size_t i = 0; i < request->query_count; i++)
                if (strcmp(request->query[i].key, key) == 0)
                        return request->query[i].value;
        return NULL;
}

void http_response_text(struct http_response *response, int status, const char *content_type,
                        const char *text)
{
        free(response->body);
        response->status = status;
        response->content_type = content_type;
        response->body_len = strlen(text);
        response->body = xstrdup(text);
}

void http_response_take(struct http_response *response, int status, const char *content_type,
                        struct buf *body)
{
        free(response->body);
        response->status = status;
        response->content_type = content_type;
        response->body_len = body->len;
        response->body = buf_steal(body);
}

void http_response_error(struct http_response *response, int status, const char *text)
{
        http_response_text(response, status, HTTP_TEXT_PLAIN, text);
        response->nosniff = 1;
}

void http_response_destroy(struct http_response *response)
{
        free(response->body);
        free(response->owned_location);
        response->body = NULL;
        response->owned_location = NULL;
        response->body_len = 0;
}
