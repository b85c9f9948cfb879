/*
 * fuzz_cdi_spec: cdi_spec_build on arbitrary GPU names and paths. The input is split into
 * fields on newline bytes: the driver directory, then per GPU an index name, a UUID name, a
 * container path and a host path. The output must be one JSON object (jansson parses it) whose
 * devices all carry names CDI accepts, each once, `all` and `none` last, and whose strings are
 * the input's (escaping round-trips).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/strv.h"
#include "nvidia-docker-plugin/cdi_spec.h"

#define MAX_GPUS 8

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "invariant failed: %s\n", #cond);                          \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        memcpy(text, data, size);
        text[size] = '\0';
        struct strv fields = STRV_INIT;
        for (char *p = text, *nl; p != NULL; p = nl != NULL ? nl + 1 : NULL) {
                nl = strchr(p, '\n');
                if (nl != NULL)
                        *nl = '\0';
                strv_push(&fields, p);
        }
        static const struct cdi_node control[] = {{"/dev/nvidiactl", NULL, 'c', 195, 255}};
        struct cdi_node nodes[MAX_GPUS];
        struct cdi_gpu gpus[MAX_GPUS];
        size_t gpu_count = 0;
        for (size_t f = 1; f + 3 < fields.count + 1 && gpu_count < MAX_GPUS; f += 4) {
                const char *field[4];
                for (size_t k = 0; k < 4; k++)
                        field[k] = f + k < fields.count ? fields.items[f + k] : "";
                nodes[gpu_count] = (struct cdi_node){field[2], field[3][0] ? field[3] : NULL, 'c',
                                                     195, (int64_t)gpu_count};
                gpus[gpu_count] =
                    (struct cdi_gpu){field[0][0] ? field[0] : NULL, field[1][0] ? field[1] : NULL,
                                     &nodes[gpu_count], 1};
                gpu_count++;
        }
        struct cdi_spec_input in = {gpus, gpu_count, control, 1,
                                    fields.count > 0 ? fields.items[0] : ""};
        struct buf out = BUF_INIT;
        struct strv skipped = STRV_INIT;
        struct error err = ERROR_INIT;
        if (cdi_spec_build(&in, &out, &skipped, &err) == 0) {
                json_error_t jerr;
                json_t *root = json_loadb(out.data, out.len, 0, &jerr);
                CHECK(root != NULL);
                json_t *devices = json_object_get(root, "devices");
                CHECK(json_is_array(devices));
                size_t n = json_array_size(devices);
                CHECK(n >= 2);
                CHECK(strcmp(json_string_value(
                                 json_object_get(json_array_get(devices, n - 2), "name")),
                             CDI_DEVICE_ALL) == 0);
                CHECK(strcmp(json_string_value(
                                 json_object_get(json_array_get(devices, n - 1), "name")),
                             CDI_DEVICE_NONE) == 0);
                for (size_t i = 0; i < n; i++) {
                        const char *name =
                            json_string_value(json_object_get(json_array_get(devices, i), "name"));
                        CHECK(name != NULL && cdi_spec_valid_name(name));
                        for (size_t j = 0; j < i; j++)
                                CHECK(strcmp(name, json_string_value(json_object_get(
                                                       json_array_get(devices, j), "name"))) != 0);
                }
                json_t *mount = json_array_get(
                    json_object_get(json_object_get(root, "containerEdits"), "mounts"), 0);
                const char *host = json_string_value(json_object_get(mount, "hostPath"));
                /* Escaping round-trips (checked for ASCII: json_util replaces invalid UTF-8). */
                CHECK(host != NULL);
                bool ascii = true;
                for (const char *p = in.driver_dir; *p != '\0'; p++)
                        ascii = ascii && (unsigned char)*p < 0x80;
                if (ascii)
                        CHECK(strcmp(host, in.driver_dir) == 0);
                json_decref(root);
                CHECK(n + skipped.count <= 2 + 2 * gpu_count);
        } else {
                CHECK(err.message != NULL);
        }
        error_clear(&err);
        buf_destroy(&out);
        strv_destroy(&skipped);
        strv_destroy(&fields);
        free(text);
        return 0;
}
