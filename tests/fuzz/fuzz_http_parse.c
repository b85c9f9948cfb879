/*
 * Fuzzes the plugin's HTTP request reading (http_parse): the input is the bytes a client sends.
 * The head is parsed; when complete, its query is decoded and the rest is fed to the chunked
 * decoder in two pieces, as it would arrive. Checks the invariants of every answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "nvidia-docker-plugin/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = xmalloc(size + 1);
        memcpy(buf, data, size);
        struct http_head head;
        struct http_refusal refusal = {0, NULL};
        long n = http_parse_head(buf, size, &head, &refusal);
        if (n < 0 && (refusal.reason == NULL || refusal.status < 400 || refusal.status > 505))
                abort();
        if (n > (long)size)
                abort();
        if (n > 0) {
                if (head.method[0] == '\0' || head.target[0] == '\0' || head.minor > 1)
                        abort();
                const char *question = strchr(head.target, '?');
                struct http_query_param *params;
                size_t count;
                struct error err = ERROR_INIT;
                if (http_query_parse(question ? question + 1 : NULL, &params, &count, &err) == 0) {
                        for (size_t i = 0; i < count; i++)
                                if (params[i].key[0] == '\0')
                                        abort();
                        http_query_free(params, count);
                } else if (err.message == NULL) {
                        abort();
                }
                error_clear(&err);
                struct http_chunked chunked = HTTP_CHUNKED_INIT;
                size_t rest = size - (size_t)n, half = rest / 2, consumed = 0, produced = 0;
                int rc = http_chunked_decode(&chunked, buf + n, half, &consumed, &produced);
                if (consumed > half || produced > consumed)
                        abort();
                if (rc == 0) {
                        size_t more = rest - consumed;
                        rc = http_chunked_decode(&chunked, buf + n + consumed, more, &consumed,
                                                 &produced);
                        if (consumed > more || produced > consumed)
                                abort();
                }
        }
        free(buf);
        return 0;
}
