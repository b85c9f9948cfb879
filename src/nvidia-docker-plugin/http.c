#include "nvidia-docker-plugin/http.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

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

void http_response_destroy(struct http_response *response)
{
        free(response->body);
        free(response->owned_location);
        response->body = NULL;
        response->owned_location = NULL;
        response->body_len = 0;
}
