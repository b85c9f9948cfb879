#include "nvidia-docker-plugin/vendor_json.h"

#include <jansson.h>
#include <string.h>

#include "common/xalloc.h"

static json_t *load(const char *text, size_t len, struct error *err)
{
        if (len > VENDOR_JSON_MAX)
                return error_set(err, "larger than %d bytes", VENDOR_JSON_MAX), NULL;
        json_error_t jerr;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (root == NULL)
                return error_set(err, "not JSON (line %d: %.80s)", jerr.line, jerr.text), NULL;
        if (!json_is_object(root)) {
                json_decref(root);
                return error_set(err, "not a JSON object"), NULL;
        }
        return root;
}

/* The objects that may carry a library_path: ICD, layer, layers[]. */
static size_t holders(json_t *root, json_t **out, size_t max)
{
        size_t n = 0;
        json_t *icd = json_object_get(root, "ICD");
        if (json_is_object(icd) && n < max)
                out[n++] = icd;
        json_t *layer = json_object_get(root, "layer");
        if (json_is_object(layer) && n < max)
                out[n++] = layer;
        json_t *layers = json_object_get(root, "layers");
        size_t i;
        json_t *item;
        if (json_is_array(layers))
                json_array_foreach(layers, i, item)
                {
                        if (json_is_object(item) && n < max)
                                out[n++] = item;
                }
        return n;
}

/* Every holder's library_path must be a non-empty string without NUL. */
static int check_paths(json_t **objects, size_t count, struct error *err)
{
        size_t found = 0;
        for (size_t i = 0; i < count; i++) {
                json_t *path = json_object_get(objects[i], "library_path");
                if (path == NULL)
                        continue;
                if (!json_is_string(path) || json_string_length(path) == 0 ||
                    strlen(json_string_value(path)) != json_string_length(path))
                        return error_set(err, "library_path is not a file name");
                found++;
        }
        if (found == 0)
                return error_set(err, "no library_path");
        return 0;
}

int vendor_json_libraries(const char *text, size_t len, struct strv *out, struct error *err)
{
        json_t *root = load(text, len, err);
        if (root == NULL)
                return -1;
        json_t *objects[VENDOR_JSON_MAX_LIBRARIES];
        size_t count = holders(root, objects, VENDOR_JSON_MAX_LIBRARIES);
        int rc = check_paths(objects, count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
                json_t *path = json_object_get(objects[i], "library_path");
                if (path != NULL)
                        strv_push(out, json_string_value(path));
        }
        json_decref(root);
        return rc;
}

int vendor_json_rewrite(const char *text, size_t len,
                        char *(*map)(void *ctx, const char *library_path), void *ctx, char **out,
                        size_t *out_len, struct error *err)
{
        json_t *root = load(text, len, err);
        if (root == NULL)
                return -1;
        json_t *objects[VENDOR_JSON_MAX_LIBRARIES];
        size_t count = holders(root, objects, VENDOR_JSON_MAX_LIBRARIES);
        if (check_paths(objects, count, err) < 0) {
                json_decref(root);
                return -1;
        }
        for (size_t i = 0; i < count; i++) {
                json_t *path = json_object_get(objects[i], "library_path");
                if (path == NULL)
                        continue;
                cleanup_free char *mapped = map(ctx, json_string_value(path));
                if (mapped != NULL)
                        json_object_set_new(objects[i], "library_path", json_string(mapped));
        }
        char *dumped = json_dumps(root, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
        json_decref(root);
        if (dumped == NULL)
                return error_set(err, "cannot write the JSON file");
        size_t n = strlen(dumped);
        char *with_newline = xmalloc(n + 2);
        memcpy(with_newline, dumped, n);
        with_newline[n] = '\n';
        with_newline[n + 1] = '\0';
        free(dumped);
        *out = with_newline;
        *out_len = n + 1;
        return 0;
}
