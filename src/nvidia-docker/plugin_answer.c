/* plugin_answer: see plugin_answer.h. */
#include "nvidia-docker/plugin_answer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/xalloc.h"
#include "nvidia-docker/loader_env.h"

#define MAX_ITEMS          4096 /* entries in any list: far above any real host */
#define MAX_STRING         4096 /* bytes in any string we keep */
#define SHOWN_MAX          80   /* bytes of a bad value quoted in a message */
#define VOLUME_PREFIX      "nvidia_driver_"
#define VOLUME_VERSION_MAX 64

#define DEVICES_ALLOWED                                                                            \
        "/dev/nvidia<N>, /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia-uvm-tools, "                 \
        "/dev/nvidia-modeset, /dev/nvidia-caps/nvidia-cap<N>"

/* A value for a message: control characters as \xNN, cut after SHOWN_MAX bytes. */
static char *shown(const char *s)
{
        return text_printable(s, strlen(s), SHOWN_MAX);
}

static json_t *load(const char *body, size_t len, struct error *err)
{
        json_error_t jerr;
        /* Without JSON_ALLOW_NUL, "\u0000" in a string is rejected: strings are C strings. */
        json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
        if (root == NULL) {
                cleanup_free char *text = shown(jerr.text);
                error_set(err, "not JSON (%s at byte %d)", text, jerr.position);
                return NULL;
        }
        if (!json_is_object(root)) {
                json_decref(root);
                error_set(err, "expected a JSON object");
                return NULL;
        }
        return root;
}

/* A string member (or NULL → "" when null_ok); checks length and control characters. */
static int get_string(json_t *obj, const char *where, const char *key, bool null_ok,
                      const char **out, struct error *err)
{
        json_t *v = json_object_get(obj, key);
        if (v == NULL)
                return error_set(err, "%s%s is missing", where, key);
        if (null_ok && json_is_null(v)) {
                *out = "";
                return 0;
        }
        if (!json_is_string(v))
                return error_set(err, "%s%s is not a string", where, key);
        const char *s = json_string_value(v);
        if (json_string_length(v) > MAX_STRING)
                return error_set(err, "%s%s is too long", where, key);
        if (text_has_control(s, strlen(s))) {
                cleanup_free char *text = shown(s);
                return error_set(err, "%s%s '%s' contains a control character", where, key, text);
        }
        *out = s;
        return 0;
}

/* An array member or null (empty). */
static int get_array(json_t *obj, const char *where, const char *key, json_t **out,
                     struct error *err)
{
        json_t *v = json_object_get(obj, key);
        if (v == NULL)
                return error_set(err, "%s%s is missing", where, key);
        if (json_is_null(v)) {
                *out = NULL;
                return 0;
        }
        if (!json_is_array(v))
                return error_set(err, "%s%s is not a list", where, key);
        if (json_array_size(v) > MAX_ITEMS)
                return error_set(err, "%s%s has too many entries", where, key);
        *out = v;
        return 0;
}

static bool absolute_path(const char *s)
{
        return s[0] == '/' && strchr(s, ':') == NULL && strchr(s, ',') == NULL;
}

/* `s` is `prefix` followed by one or more digits and nothing else. */
static bool prefix_and_number(const char *s, const char *prefix)
{
        size_t n = strlen(prefix);
        if (strncmp(s, prefix, n) != 0 || s[n] == '\0')
                return false;
        return strspn(s + n, "0123456789") == strlen(s + n);
}

bool plugin_answer_device_allowed(const char *path)
{
        static const char *const fixed[] = {
            "/dev/nvidiactl",        /* control device */
            "/dev/nvidia-uvm",       /* unified memory */
            "/dev/nvidia-uvm-tools", /* unified memory, profiling */
            "/dev/nvidia-modeset",   /* display (graphics) */
        };
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
                if (strcmp(path, fixed[i]) == 0)
                        return true;
        return prefix_and_number(path, "/dev/nvidia") ||               /* one GPU */
               prefix_and_number(path, "/dev/nvidia-caps/nvidia-cap"); /* MIG capability */
}

bool plugin_answer_volume_name_allowed(const char *name)
{
        size_t n = strlen(VOLUME_PREFIX) - 1; /* "nvidia_driver" */
        if (strncmp(name, VOLUME_PREFIX, n) != 0)
                return false;
        const char *p = name + n;
        if (*p == '-') { /* a capability set: -word[-word...] */
                do {
                        p++;
                        size_t word = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
                        if (word == 0)
                                return false;
                        p += word;
                } while (*p == '-');
        }
        if (*p++ != '_')
                return false;
        const char *version = p;
        size_t len = strlen(version);
        if (len == 0 || len > VOLUME_VERSION_MAX || version[0] == '.' || version[len - 1] == '.')
                return false;
        for (size_t i = 0; i < len; i++) {
                bool digit = version[i] >= '0' && version[i] <= '9';
                if (!digit && (version[i] != '.' || version[i + 1] == '.'))
                        return false;
        }
        return true;
}

/* "<driver volume>:/usr/local/nvidia:ro", nothing else. */
static bool driver_volume_spec(const char *s)
{
        static const char suffix[] = ":" PLUGIN_VOLUME_TARGET ":ro";
        size_t len = strlen(s), suffix_len = sizeof(suffix) - 1;
        if (len <= suffix_len || strcmp(s + len - suffix_len, suffix) != 0)
                return false;
        cleanup_free char *name = xstrndup(s, len - suffix_len);
        return plugin_answer_volume_name_allowed(name);
}

static int string_list(json_t *obj, const char *key, bool (*valid)(const char *),
                       const char *expected, struct strv *out, struct error *err)
{
        json_t *list;
        if (get_array(obj, "", key, &list, err) < 0)
                return -1;
        strv_init(out);
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
                if (!json_is_string(item))
                        return error_set(err, "%s[%zu] is not a string", key, i);
                const char *s = json_string_value(item);
                if (json_string_length(item) > MAX_STRING)
                        return error_set(err, "%s[%zu] is too long", key, i);
                if (text_has_control(s, strlen(s)) || !valid(s)) {
                        cleanup_free char *text = shown(s);
                        return error_set(err, "%s[%zu] '%s' is not %s", key, i, text, expected);
                }
                strv_push(out, s);
        }
        return 0;
}

bool plugin_answer_env_allowed(const char *name, size_t len)
{
        return loader_env_index(name, len) >= 0;
}

/* NAME=/abs[:/abs...] with an allowed NAME; no ',' or quote (docker's --env is one word). */
static bool env_entry(const char *s)
{
        const char *eq = strchr(s, '=');
        if (eq == NULL || !plugin_answer_env_allowed(s, (size_t)(eq - s)))
                return false;
        const char *p = eq + 1;
        if (*p != '/')
                return false;
        for (; *p; p++)
                if (*p == ':' ? p[1] != '/' : (*p == '"' || *p == '\'' || *p == ' '))
                        return false;
        return true;
}

int plugin_answer_decode_docker_cli(const char *body, size_t len, struct docker_cli_answer *out,
                                    struct error *err)
{
        memset(out, 0, sizeof *out);
        json_t *root = load(body, len, err);
        if (root == NULL)
                return -1;
        const char *driver;
        int ret = get_string(root, "", "VolumeDriver", false, &driver, err);
        if (ret == 0)
                out->volume_driver = xstrdup(driver);
        if (ret == 0)
                ret = string_list(root, "Volumes", driver_volume_spec,
                                  "the driver volume (nvidia_driver_<version>:" PLUGIN_VOLUME_TARGET
                                  ":ro)",
                                  &out->volumes, err);
        if (ret == 0 && out->volumes.count > 1)
                ret = error_set(err, "Volumes has %zu entries where at most one driver volume fits",
                                out->volumes.count);
        if (ret == 0 && out->volumes.count > 0 && strcmp(driver, PLUGIN_VOLUME_DRIVER) != 0) {
                cleanup_free char *text = shown(driver);
                ret = error_set(err, "VolumeDriver '%s' is not " PLUGIN_VOLUME_DRIVER, text);
        }
        if (ret == 0)
                ret =
                    string_list(root, "Devices", plugin_answer_device_allowed,
                                "an NVIDIA device node (" DEVICES_ALLOWED ")", &out->devices, err);
        if (ret == 0 && json_object_get(root, "Environment") != NULL)
                ret =
                    string_list(root, "Environment", env_entry,
                                "a loader variable set to absolute paths", &out->environment, err);
        if (ret == 0) {
                json_t *runtime = json_object_get(root, "NvidiaRuntime");
                if (runtime != NULL && !json_is_boolean(runtime))
                        ret = error_set(err, "NvidiaRuntime is not a boolean");
                out->nvidia_runtime = json_is_true(runtime);
        }
        json_decref(root);
        if (ret < 0)
                docker_cli_answer_destroy(out);
        return ret;
}

static bool uuid_string(const char *s)
{
        return s[0] != '\0';
}

static int decode_device(json_t *dev, size_t i, struct gpu_info_answer *out, struct error *err)
{
        char where[48];
        snprintf(where, sizeof where, "Devices[%zu].", i);
        if (!json_is_object(dev))
                return error_set(err, "Devices[%zu] is not an object", i);
        const char *uuid, *path, *model;
        if (get_string(dev, where, "UUID", false, &uuid, err) < 0 ||
            get_string(dev, where, "Path", false, &path, err) < 0 ||
            get_string(dev, where, "Model", true, &model, err) < 0)
                return -1;
        if (!uuid_string(uuid))
                return error_set(err, "%sUUID is empty", where);
        if (!absolute_path(path)) {
                cleanup_free char *text = shown(path);
                return error_set(err, "%sPath '%s' is not an absolute device path", where, text);
        }
        strv_push(&out->uuids, uuid);
        strv_push(&out->paths, path);
        strv_push(&out->models, model);
        json_t *migs = json_object_get(dev, "MIG");
        if (migs == NULL || json_is_null(migs))
                return 0;
        if (!json_is_array(migs))
                return error_set(err, "%sMIG is not a list", where);
        size_t m;
        json_t *mig;
        json_array_foreach(migs, m, mig)
        {
                char mig_where[80];
                snprintf(mig_where, sizeof mig_where, "%sMIG[%zu].", where, m);
                if (!json_is_object(mig))
                        return error_set(err, "%sMIG[%zu] is not an object", where, m);
                const char *mig_uuid, *index;
                if (get_string(mig, mig_where, "UUID", false, &mig_uuid, err) < 0 ||
                    get_string(mig, mig_where, "Index", false, &index, err) < 0)
                        return -1;
                if (!uuid_string(mig_uuid))
                        return error_set(err, "%sUUID is empty", mig_where);
                strv_push(&out->mig_uuids, mig_uuid);
                strv_push(&out->mig_indexes, index);
                strv_push(&out->mig_paths, path);
        }
        return 0;
}

int plugin_answer_decode_gpu_info(const char *body, size_t len, struct gpu_info_answer *out,
                                  struct error *err)
{
        memset(out, 0, sizeof *out);
        strv_init(&out->uuids);
        strv_init(&out->paths);
        strv_init(&out->models);
        strv_init(&out->mig_uuids);
        strv_init(&out->mig_indexes);
        strv_init(&out->mig_paths);
        json_t *root = load(body, len, err);
        if (root == NULL) {
                gpu_info_answer_destroy(out);
                return -1;
        }
        int ret = 0;
        json_t *version = json_object_get(root, "Version");
        const char *driver, *cuda;
        if (version == NULL)
                ret = error_set(err, "Version is missing");
        else if (!json_is_object(version))
                ret = error_set(err, "Version is not an object");
        if (ret == 0 && get_string(version, "Version.", "Driver", false, &driver, err) == 0 &&
            get_string(version, "Version.", "CUDA", false, &cuda, err) == 0) {
                out->driver_version = xstrdup(driver);
                out->cuda_version = xstrdup(cuda);
        } else {
                ret = -1;
        }
        json_t *devices = NULL;
        if (ret == 0)
                ret = get_array(root, "", "Devices", &devices, err);
        size_t i;
        json_t *dev;
        if (ret == 0) {
                json_array_foreach(devices, i, dev)
                {
                        if (decode_device(dev, i, out, err) < 0) {
                                ret = -1;
                                break;
                        }
                }
        }
        json_decref(root);
        if (ret < 0)
                gpu_info_answer_destroy(out);
        return ret;
}

void docker_cli_answer_destroy(struct docker_cli_answer *answer)
{
        if (answer == NULL)
                return;
        free(answer->volume_driver);
        strv_destroy(&answer->volumes);
        strv_destroy(&answer->devices);
        strv_destroy(&answer->environment);
        memset(answer, 0, sizeof *answer);
}

void gpu_info_answer_destroy(struct gpu_info_answer *answer)
{
        if (answer == NULL)
                return;
        free(answer->driver_version);
        free(answer->cuda_version);
        strv_destroy(&answer->uuids);
        strv_destroy(&answer->paths);
        strv_destroy(&answer->models);
        strv_destroy(&answer->mig_uuids);
        strv_destroy(&answer->mig_indexes);
        strv_destroy(&answer->mig_paths);
        memset(answer, 0, sizeof *answer);
}
