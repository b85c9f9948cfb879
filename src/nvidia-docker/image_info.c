/* image_info: see image_info.h. */
#include "nvidia-docker/image_info.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

#define LABEL_VOLUMES "com.nvidia.volumes.needed"
#define LABEL_CUDA    "com.nvidia.cuda.version"

void image_info_destroy(struct image_info *info)
{
        if (info == NULL)
                return;
        free(info->volumes_label);
        free(info->cuda_version_label);
        free(info->visible_devices);
        free(info->require_cuda);
        free(info->cuda_version_env);
        free(info->driver_capabilities);
        strv_destroy(&info->env);
        memset(info, 0, sizeof(*info));
}

static int take_string(json_t *value, const char *what, char **out, struct error *err)
{
        if (!json_is_string(value))
                return error_set(err,
                                 "unexpected image data from the docker engine: %s is not "
                                 "a string",
                                 what);
        free(*out);
        *out = xstrndup(json_string_value(value), json_string_length(value));
        return 0;
}

static int decode_object(json_t *image, struct image_info *out, struct error *err)
{
        if (!json_is_object(image))
                return error_set(err, "unexpected image data from the docker engine: not an "
                                      "object");
        json_t *config = json_object_get(image, "Config");
        if (config != NULL && !json_is_null(config)) {
                if (!json_is_object(config))
                        return error_set(err, "unexpected image data from the docker engine: "
                                              "Config is not an object");
                json_t *labels = json_object_get(config, "Labels");
                if (labels != NULL && !json_is_null(labels)) {
                        if (!json_is_object(labels))
                                return error_set(err, "unexpected image data from the docker "
                                                      "engine: Config.Labels is not an object");
                        json_t *v;
                        if ((v = json_object_get(labels, LABEL_VOLUMES)) != NULL &&
                            take_string(v, "label " LABEL_VOLUMES, &out->volumes_label, err) < 0)
                                return -1;
                        if ((v = json_object_get(labels, LABEL_CUDA)) != NULL &&
                            take_string(v, "label " LABEL_CUDA, &out->cuda_version_label, err) < 0)
                                return -1;
                }
                json_t *env = json_object_get(config, "Env");
                if (env != NULL && !json_is_null(env)) {
                        if (!json_is_array(env))
                                return error_set(err, "unexpected image data from the docker "
                                                      "engine: Config.Env is not an array");
                        size_t i;
                        json_t *item;
                        json_array_foreach(env, i, item)
                        {
                                if (!json_is_string(item))
                                        return error_set(err,
                                                         "unexpected image data from the "
                                                         "docker engine: Config.Env[%zu] is "
                                                         "not a string",
                                                         i);
                                const char *kv = json_string_value(item);
                                size_t len = json_string_length(item);
                                const char *eq = memchr(kv, '=', len);
                                if (eq == NULL)
                                        continue;
                                size_t name_len = (size_t)(eq - kv);
                                strv_push_owned(&out->env, xstrndup(kv, len));
                                char **slot = NULL;
                                if (name_len == 22 && memcmp(kv, "NVIDIA_VISIBLE_DEVICES", 22) == 0)
                                        slot = &out->visible_devices;
                                else if (name_len == 19 &&
                                         memcmp(kv, "NVIDIA_REQUIRE_CUDA", 19) == 0)
                                        slot = &out->require_cuda;
                                else if (name_len == 12 && memcmp(kv, "CUDA_VERSION", 12) == 0)
                                        slot = &out->cuda_version_env;
                                else if (name_len == 26 &&
                                         memcmp(kv, "NVIDIA_DRIVER_CAPABILITIES", 26) == 0)
                                        slot = &out->driver_capabilities;
                                if (slot == NULL)
                                        continue;
                                /* Like docker, the last definition wins. */
                                free(*slot);
                                *slot = xstrndup(eq + 1, len - name_len - 1);
                        }
                }
        }
        out->found = true;
        return 0;
}

int image_info_decode(const char *json, size_t len, struct image_info *out, struct error *err)
{
        memset(out, 0, sizeof(*out));
        json_error_t jerr;
        json_t *root = json_loadb(json, len, 0, &jerr);
        if (root == NULL)
                return error_set(err,
                                 "cannot read the image data from the docker engine: %s "
                                 "(line %d)",
                                 jerr.text, jerr.line);
        int rc = 0;
        if (json_is_array(root)) {
                size_t n = json_array_size(root);
                if (n > 1)
                        rc = error_set(err,
                                       "unexpected image data from the docker engine: %zu "
                                       "images where one was asked for",
                                       n);
                else if (n == 1)
                        rc = decode_object(json_array_get(root, 0), out, err);
        } else {
                rc = decode_object(root, out, err);
        }
        json_decref(root);
        if (rc < 0)
                image_info_destroy(out);
        return rc;
}
