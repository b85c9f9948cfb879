#include "nvidia-docker-plugin/rest_docker.h"

#include <stdlib.h>
#include <string.h>

#include "common/json_util.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/compose_stanza.h"
#include "nvidia-docker-plugin/device_select.h"
#include "nvidia-docker-plugin/driver_caps.h"
#include "nvidia-docker-plugin/driver_files.h"
#include "nvidia-docker-plugin/volume_name.h"

/* The volume kinds /docker/cli knows; 1.0 had only the driver volume. */
static const struct volume_kind {
        const char *name;
        const char *mountpoint;
        const char *options;
} volume_kinds[] = {
    {"nvidia_driver", DRIVER_FILES_VOLUME_TARGET, "ro"}, /* driver files, read-only */
};
#define VOLUME_KIND_COUNT (sizeof(volume_kinds) / sizeof(volume_kinds[0]))

/* The volume of kind k for the driver: with a capability set (caps_given), the driver kind
 * names the set's volume; an empty set has none. */
static void push_volume(struct strv *out, size_t k, const char *driver, bool caps_given,
                        unsigned caps)
{
        if (caps_given && strcmp(volume_kinds[k].name, VOLUME_KIND_DRIVER) == 0) {
                if (caps == 0)
                        return;
                cleanup_free char *kind = volume_kind_of(caps);
                strv_pushf(out, "%s_%s:%s:%s", kind, driver, volume_kinds[k].mountpoint,
                           volume_kinds[k].options);
                return;
        }
        strv_pushf(out, "%s_%s:%s:%s", volume_kinds[k].name, driver, volume_kinds[k].mountpoint,
                   volume_kinds[k].options);
}

static int select_volumes(const char *vol, const char *driver, bool caps_given, unsigned caps,
                          struct strv *out, struct error *err)
{
        if (vol == NULL || vol[0] == '\0' || strcmp(vol, "*") == 0) {
                for (size_t k = 0; k < VOLUME_KIND_COUNT; k++)
                        push_volume(out, k, driver, caps_given, caps);
                return 0;
        }
        cleanup_free char *copy = xstrdup(vol);
        char *rest = copy;
        bool taken[VOLUME_KIND_COUNT] = {false};
        for (;;) {
                char *space = strchr(rest, ' ');
                if (space != NULL)
                        *space = '\0';
                size_t k;
                for (k = 0; k < VOLUME_KIND_COUNT; k++)
                        if (strcmp(rest, volume_kinds[k].name) == 0)
                                break;
                if (k == VOLUME_KIND_COUNT)
                        return error_set(err, "invalid volume: %s", rest);
                /* A kind named twice is mounted once: two mounts on one path fail the run. */
                if (!taken[k])
                        push_volume(out, k, driver, caps_given, caps);
                taken[k] = true;
                if (space == NULL)
                        break;
                rest = space + 1;
        }
        return 0;
}

static void reply_bad_request(struct http_response *resp, const struct error *err)
{
        cleanup_free char *text = xasprintf("%s\n", err->message ? err->message : "error");
        http_response_error(resp, 400, text);
}

/* Appends s unless devices already holds it (a GPU instance shared by two MIG devices). */
static void push_unique(struct strv *devices, const char *s)
{
        for (size_t i = 0; i < devices->count; i++)
                if (strcmp(devices->items[i], s) == 0)
                        return;
        strv_push(devices, s);
}

/* The nodes of the chosen GPUs and MIG devices, after the control nodes. */
static int chosen_devices(const struct rest_api *api, const struct device_choice *chosen,
                          size_t count, struct strv *devices, struct error *err)
{
        for (size_t i = 0; i < count; i++) {
                const struct gpu_mig_device *mig = chosen[i].mig;
                if (mig != NULL && api->live.mig_nodes != NULL &&
                    api->live.mig_nodes(api->live.context, mig, err) < 0)
                        return -1;
                push_unique(devices, api->inventory->devices[chosen[i].gpu].path);
                if (mig != NULL) {
                        push_unique(devices, mig->gi_cap.path);
                        push_unique(devices, mig->ci_cap.path);
                }
        }
        return 0;
}

/* What both answers give a container; `words` and the appended JSON fields only with `caps`. */
struct docker_answer {
        struct strv devices, volumes, environment, words;
        char *driver;
        bool caps_given;
};

static void docker_answer_destroy(struct docker_answer *a)
{
        strv_destroy(&a->devices);
        strv_destroy(&a->volumes);
        strv_destroy(&a->environment);
        strv_destroy(&a->words);
        free(a->driver);
}

/*
 * 1.0's answer, and with `caps` (driver capabilities, docs/capabilities.md) the set's volume,
 * /dev/nvidia-modeset for graphics and display, the closed set's words and the environment the
 * loaders need (driver_files_environment). Error text: the 400 body without its newline.
 */
static int docker_answer_build(const struct rest_api *api, const struct http_request *req,
                               struct docker_answer *a, struct error *err)
{
        const char *caps_query = http_request_query(req, "caps");
        cleanup_free struct device_choice *chosen = NULL;
        size_t count = 0;
        unsigned caps = 0;
        a->caps_given = caps_query != NULL;
        if (a->caps_given) {
                if (driver_caps_parse(caps_query, &caps, NULL, err) < 0)
                        return -1;
                caps = driver_caps_close(caps);
                driver_caps_words(caps, &a->words);
        }
        /* Same order of checks as 1.0: control devices, GPUs, then volumes. */
        if (api->live.control_devices(api->live.context, &a->devices, err) < 0 ||
            device_select_parse(api->inventory, http_request_query(req, "dev"), &chosen, &count,
                                err) < 0 ||
            api->live.driver_version(api->live.context, &a->driver, err) < 0 ||
            select_volumes(http_request_query(req, "vol"), a->driver, a->caps_given, caps,
                           &a->volumes, err) < 0 ||
            chosen_devices(api, chosen, count, &a->devices, err) < 0)
                return -1;
        if ((caps & (DRIVER_CAP_GRAPHICS | DRIVER_CAP_DISPLAY)) && api->live.modeset_device &&
            api->live.modeset_device(api->live.context, &a->devices, err) < 0)
                return -1;
        bool has_driver_volume = false;
        for (size_t i = 0; i < a->volumes.count; i++)
                has_driver_volume |= strncmp(a->volumes.items[i], VOLUME_KIND_DRIVER,
                                             strlen(VOLUME_KIND_DRIVER)) == 0;
        if (has_driver_volume)
                driver_files_environment(caps, &a->environment);
        return 0;
}

void rest_docker_cli(const struct rest_api *api, const struct http_request *req, bool json,
                     struct http_response *resp)
{
        struct error err = ERROR_INIT;
        struct docker_answer a = {0};
        if (docker_answer_build(api, req, &a, &err) < 0) {
                reply_bad_request(resp, &err);
                goto out;
        }
        struct buf b = BUF_INIT;
        if (json) {
                buf_puts(&b, "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":");
                json_append_string_list(&b, &a.volumes);
                buf_puts(&b, ",\"Devices\":");
                json_append_string_list(&b, &a.devices);
                if (a.caps_given) {
                        buf_puts(&b, ",\"Capabilities\":");
                        json_append_string_list(&b, &a.words);
                        buf_puts(&b, ",\"Environment\":");
                        json_append_string_list(&b, &a.environment);
                }
                if (api->nvidia_runtime)
                        buf_puts(&b, ",\"NvidiaRuntime\":true");
                buf_puts(&b, "}\n");
                http_response_take(resp, 200, "application/json", &b);
        } else {
                buf_puts(&b, "--volume-driver=nvidia-docker");
                for (size_t i = 0; i < a.volumes.count; i++)
                        buf_printf(&b, " --volume=%s", a.volumes.items[i]);
                for (size_t i = 0; i < a.devices.count; i++)
                        buf_printf(&b, " --device=%s", a.devices.items[i]);
                for (size_t i = 0; i < a.environment.count; i++)
                        buf_printf(&b, " --env=%s", a.environment.items[i]);
                http_response_take(resp, 200, HTTP_TEXT_PLAIN, &b);
        }
out:
        docker_answer_destroy(&a);
        error_clear(&err);
}

/* GET /v1.0/docker/compose?service=NAME[&dev=...][&vol=...][&caps=...]: compose_stanza.h. */
void rest_docker_compose(const struct rest_api *api, const struct http_request *req,
                         struct http_response *resp)
{
        const char *service = http_request_query(req, "service");
        const char *dev = http_request_query(req, "dev");
        struct error err = ERROR_INIT;
        struct docker_answer a = {0};
        cleanup_free char *gpus = NULL;
        if (service == NULL || !compose_stanza_service_is_valid(service))
                error_set(&err,
                          "invalid service: %s; name the Compose service that gets the GPUs: "
                          "/v1.0/docker/compose?service=NAME&dev=0",
                          service ? service : "(none)");
        if (error_is_set(&err) || docker_answer_build(api, req, &a, &err) < 0) {
                reply_bad_request(resp, &err);
                goto out;
        }
        if (dev == NULL || dev[0] == '\0' || strcmp(dev, "*") == 0) {
                gpus = xstrdup("all GPUs");
        } else {
                struct strv items = STRV_INIT;
                strv_split(&items, dev, " ");
                cleanup_free char *list = strv_join(&items, ", ");
                gpus = xasprintf("GPUs %s", list);
                strv_destroy(&items);
        }
        struct buf b = BUF_INIT;
        compose_stanza_write(service, &a.devices, &a.volumes, &a.environment, gpus, a.driver, &b);
        http_response_take(resp, 200, "application/yaml", &b);
out:
        docker_answer_destroy(&a);
        error_clear(&err);
}
