/* libFuzzer target: vendor_json_libraries and vendor_json_rewrite over arbitrary bytes; a
 * rewritten document must read back with the same number of library paths, each mapped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/vendor_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *prefix(void *ctx, const char *path)
{
        return xasprintf("/usr/local/nvidia/lib64/%s", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct strv libs = STRV_INIT;
        struct error err = ERROR_INIT;
        int rc = vendor_json_libraries((const char *)data, size, &libs, &err);
        error_clear(&err);
        char *out = NULL;
        size_t len = 0;
        if (vendor_json_rewrite((const char *)data, size, prefix, NULL, &out, &len, &err) == 0) {
                if (rc != 0)
                        abort(); /* one accepts what the other refuses */
                struct strv again = STRV_INIT;
                if (vendor_json_libraries(out, len, &again, &err) != 0 || again.count != libs.count)
                        abort();
                for (size_t i = 0; i < again.count; i++)
                        if (strncmp(again.items[i], "/usr/local/nvidia/lib64/", 24) != 0)
                                abort();
                strv_destroy(&again);
                free(out);
        } else if (rc == 0) {
                abort();
        }
        error_clear(&err);
        strv_destroy(&libs);
        return 0;
}
