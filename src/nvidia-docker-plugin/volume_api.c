#include "nvidia-docker-plugin/volume_api.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/mount_records.h"
#include "nvidia-docker-plugin/volume_name.h"
#include "nvidia-docker-plugin/volume_request.h"

#define CONTENT_TYPE_PLUGIN "application/vnd.docker.plugins.v1+json"

int volume_api_init(struct volume_api *api, const struct volume_api_config *config,
                    struct error *err)
{
        memset(api, 0, sizeof(*api));
        pthread_mutex_init(&api->lock, NULL);
        if (config->driver_version != NULL && !volume_version_is_valid(config->driver_version))
                return volume_api_set_driver(api, config->driver_version, err); /* the error */
        api->ready = config->ready;
        api->ready_context = config->ready_context;
        struct driver_files_options files = {
            .root = config->driver_root,
            .capabilities = config->capabilities,
            .path_env = config->path_env,
        };
        if (volume_store_init(&api->store, config->volume_root, &files, err) < 0)
                return -1;
        cleanup_free char *records = xasprintf("%s/.mounts", api->store.kind_dir);
        if (mount_records_init(&api->mounts, records, config->boot_id_path, err) < 0) {
                mount_records_destroy(&api->mounts);
                volume_store_destroy(&api->store);
                return -1;
        }
        api->mounts_ready = true;
        api->store.bind_mounts = config->bind_mounts;
        api->store.copy_threads = config->copy_threads;
        if (config->driver_version != NULL)
                volume_api_set_driver(api, config->driver_version, err); /* valid: checked */
        return 0;
}

int volume_api_set_driver(struct volume_api *api, const char *version, struct error *err)
{
        if (version == NULL || !volume_version_is_valid(version))
                return error_set(err,
                                 "driver version '%s' is not digit groups separated by dots; "
                                 "cannot name driver volumes",
                                 version ? version : "");
        volume_store_set_version(&api->store, version);
        pthread_mutex_lock(&api->lock);
        free(api->driver);
        api->driver = xstrdup(version);
        pthread_mutex_unlock(&api->lock);
        return 0;
}

void volume_api_destroy(struct volume_api *api)
{
        if (api == NULL)
                return;
        volume_store_destroy(&api->store);
        if (api->mounts_ready)
                mount_records_destroy(&api->mounts);
        free(api->driver);
        pthread_mutex_destroy(&api->lock);
}

static void reply_json(struct http_response *response, struct buf *b)
{
        buf_puts(b, "\n");
        http_response_take(response, 200, CONTENT_TYPE_PLUGIN, b);
}

/* {"Err":null} or {"Err":"<text>"}, with optional leading null fields ("Mountpoint", ...). */
static void reply_err(struct http_response *response, const char *null_field, const char *text)
{
        struct buf b = BUF_INIT;
        buf_puts(&b, "{");
        if (null_field != NULL)
                buf_printf(&b, "\"%s\":null,", null_field);
        buf_puts(&b, "\"Err\":");
        if (text == NULL)
                buf_puts(&b, "null");
        else
                json_append_string(&b, text);
        buf_puts(&b, "}");
        reply_json(response, &b);
}

static void reply_internal_error(struct http_response *response, const char *cause)
{
        log_error("%s", cause);
        http_response_error(response, 500, HTTP_INTERNAL_ERROR);
}

static void reply_not_found(struct http_response *response)
{
        http_response_error(response, 404, "404 page not found\n");
}

/* ---- requests ---- */

/* The request's "Name" (and "ID" when id is not NULL), or NULL after a 500 reply for a body
 * that Go's decoder would refuse (volume_request_read). */
static char *read_request(const struct http_request *request, struct http_response *response,
                          char **id)
{
        cleanup_free char *cause = NULL;
        char *name = volume_request_read(request->body, request->body_len, id, &cause);
        if (name == NULL)
                reply_internal_error(response, cause);
        return name;
}

/* The record of a Mount: per kind (one container mounts several kinds with one ID), or NULL
 * for an anonymous one. */
static char *mount_record_id(const char *kind, const char *id)
{
        return id != NULL && id[0] != '\0' ? xasprintf("%s.%s", kind, id) : NULL;
}

/* Validates a name; on failure replies the 1.0 error with the given null field. */
static bool parse_or_reply(const char *name, struct volume_name *parsed,
                           struct http_response *response, const char *null_field)
{
        struct error err = ERROR_INIT;
        if (volume_name_parse(name, parsed, &err) == 0)
                return true;
        const char *kind = strstr(name, "_" VOLUME_KIND_DRIVER);
        if (kind != NULL && volume_name_parse(kind + 1, parsed, NULL) == 0) {
                /* "<project>_nvidia_driver_<version>": a Compose file without `name:`. */
                cleanup_free char *hint =
                    xasprintf("%s; Docker Compose put its project name in front: give the volume "
                              "`name: %s` in the Compose file (GET /v1.0/docker/compose prints it)",
                              err.message, kind + 1);
                reply_err(response, null_field, hint);
                error_clear(&err);
                return false;
        }
        reply_err(response, null_field, err.message);
        error_clear(&err);
        return false;
}

/* The running driver's version (owned), or NULL after replying why there is none now (with the
 * given null field first, as 1.0's replies have it). */
static char *current_driver(struct volume_api *api, const struct http_request *request,
                            struct http_response *response, const char *null_field)
{
        cleanup_free char *why =
            api->ready != NULL ? api->ready(api->ready_context, request->may_block) : NULL;
        char *driver = NULL;
        if (why == NULL) {
                pthread_mutex_lock(&api->lock);
                driver = api->driver != NULL ? xstrdup(api->driver) : NULL;
                pthread_mutex_unlock(&api->lock);
        }
        if (driver == NULL)
                reply_err(response, null_field, why ? why : "the NVIDIA driver is not known yet");
        return driver;
}

/*
 * The mount point serving volume `name` (a valid nvidia_driver name): the running driver's
 * volume, built if needed. Replies and returns NULL when there is none.
 */
static char *serve(struct volume_api *api, const struct volume_name *parsed, const char *name,
                   const char *current, struct http_response *response, const char *null_field)
{
        int order = volume_version_compare(parsed->version, current);
        if (order > 0) {
                cleanup_free char *text = xasprintf("no such volume: %s", name);
                reply_err(response, null_field, text);
                return NULL;
        }
        struct error err = ERROR_INIT;
        bool built = false;
        if (volume_store_ensure_set(&api->store, parsed->capabilities, current, &built, &err) < 0) {
                reply_internal_error(response, err.message);
                error_clear(&err);
                return NULL;
        }
        char *path = volume_store_set_path(&api->store, parsed->capabilities, current);
        if (built)
                log_msg("Provisioned volume %s", path);
        if (order < 0)
                log_msg("Serving volume '%s' with the running driver's volume %s "
                        "(driver upgraded from %s to %s)",
                        name, path, parsed->version, current);
        return path;
}

static void handle_activate(struct volume_api *api, const struct http_request *request,
                            struct http_response *response)
{
        log_msg("Received activate request");
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Implements\":[\"VolumeDriver\"]}");
        reply_json(response, &b);
        log_msg("Plugins activated [VolumeDriver]");
}

static void handle_capabilities(struct volume_api *api, const struct http_request *request,
                                struct http_response *response)
{
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Capabilities\":{\"Scope\":\"local\"}}");
        reply_json(response, &b);
}

static void handle_list(struct volume_api *api, const struct http_request *request,
                        struct http_response *response)
{
        struct strv names = STRV_INIT;
        struct error err = ERROR_INIT;
        if (volume_store_list_names(&api->store, &names, &err) < 0) {
                reply_internal_error(response, err.message);
                error_clear(&err);
                strv_destroy(&names);
                return;
        }
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Volumes\":");
        if (names.count == 0)
                buf_puts(&b, "null");
        for (size_t i = 0; i < names.count; i++) {
                struct volume_name parsed;
                if (volume_name_parse(names.items[i], &parsed, &err) < 0) {
                        error_clear(&err);
                        continue;
                }
                cleanup_free char *path =
                    volume_store_set_path(&api->store, parsed.capabilities, parsed.version);
                buf_puts(&b, i == 0 ? "[{\"Name\":" : ",{\"Name\":");
                json_append_string(&b, names.items[i]);
                buf_puts(&b, ",\"Mountpoint\":");
                json_append_string(&b, path);
                buf_puts(&b, "}");
        }
        if (names.count > 0)
                buf_puts(&b, "]");
        buf_puts(&b, ",\"Err\":null}");
        reply_json(response, &b);
        strv_destroy(&names);
}

static void log_received(const char *what, const char *name)
{
        cleanup_free char *shown = volume_request_loggable(name);
        log_msg("Received %s request for volume '%s'", what, shown);
}

static void handle_create(struct volume_api *api, const struct http_request *request,
                          struct http_response *response)
{
        cleanup_free char *name = read_request(request, response, NULL);
        if (name == NULL)
                return;
        log_received("create", name);
        struct volume_name parsed;
        if (!parse_or_reply(name, &parsed, response, NULL))
                return;
        cleanup_free char *current = current_driver(api, request, response, NULL);
        if (current == NULL)
                return;
        if (volume_version_compare(parsed.version, current) > 0) {
                cleanup_free char *text = xasprintf("invalid volume version: %s", name);
                reply_err(response, NULL, text);
                return;
        }
        cleanup_free char *path = serve(api, &parsed, name, current, response, NULL);
        if (path != NULL)
                reply_err(response, NULL, NULL);
}

static void handle_remove(struct volume_api *api, const struct http_request *request,
                          struct http_response *response)
{
        cleanup_free char *name = read_request(request, response, NULL);
        if (name == NULL)
                return;
        log_received("remove", name);
        struct volume_name parsed;
        if (!parse_or_reply(name, &parsed, response, NULL))
                return;
        /* The records say which directory each mount was served: containers of older names
         * use the running driver's; a restart of the plugin forgets none of them. */
        cleanup_free char *directory = xasprintf("%s_%s", parsed.kind, parsed.version);
        size_t in_use = mount_records_count(&api->mounts, directory);
        if (in_use > 0) {
                cleanup_free char *text =
                    xasprintf("volume %s is in use by %zu mount(s) of this or an older driver's "
                              "volume name; stop those containers first",
                              name, in_use);
                reply_err(response, NULL, text);
                return;
        }
        struct error err = ERROR_INIT;
        if (volume_store_remove_set(&api->store, parsed.capabilities, parsed.version, &err) < 0) {
                reply_internal_error(response, err.message);
                error_clear(&err);
                return;
        }
        reply_err(response, NULL, NULL);
}

static void mount_or_path(struct volume_api *api, const struct http_request *request,
                          struct http_response *response, bool is_mount)
{
        cleanup_free char *id = NULL;
        cleanup_free char *name = read_request(request, response, is_mount ? &id : NULL);
        if (name == NULL)
                return;
        log_received("mount", name); /* 1.0 logs Path as a mount request too */
        struct volume_name parsed;
        if (!parse_or_reply(name, &parsed, response, "Mountpoint"))
                return;
        cleanup_free char *current = current_driver(api, request, response, "Mountpoint");
        if (current == NULL)
                return;
        cleanup_free char *path = serve(api, &parsed, name, current, response, "Mountpoint");
        if (path == NULL)
                return;
        if (is_mount) {
                struct error err = ERROR_INIT;
                cleanup_free char *directory = xasprintf("%s_%s", parsed.kind, current);
                cleanup_free char *record = mount_record_id(parsed.kind, id);
                if (mount_records_add(&api->mounts, record, directory, &err) < 0) {
                        /* Unrecorded, a Remove could delete it under the container: refused. */
                        reply_internal_error(response, err.message);
                        error_clear(&err);
                        return;
                }
        }
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Mountpoint\":");
        json_append_string(&b, path);
        buf_puts(&b, ",\"Err\":null}");
        reply_json(response, &b);
}

static void handle_mount(struct volume_api *api, const struct http_request *request,
                         struct http_response *response)
{
        mount_or_path(api, request, response, true);
}

static void handle_path(struct volume_api *api, const struct http_request *request,
                        struct http_response *response)
{
        mount_or_path(api, request, response, false);
}

static void handle_unmount(struct volume_api *api, const struct http_request *request,
                           struct http_response *response)
{
        cleanup_free char *id = NULL;
        cleanup_free char *name = read_request(request, response, &id);
        if (name == NULL)
                return;
        log_received("unmount", name);
        struct volume_name parsed;
        if (!parse_or_reply(name, &parsed, response, NULL))
                return;
        cleanup_free char *record = mount_record_id(parsed.kind, id);
        mount_records_remove(&api->mounts, record);
        reply_err(response, NULL, NULL);
}

static void handle_get(struct volume_api *api, const struct http_request *request,
                       struct http_response *response)
{
        cleanup_free char *name = read_request(request, response, NULL);
        if (name == NULL)
                return;
        struct volume_name parsed;
        if (!parse_or_reply(name, &parsed, response, "Volume"))
                return;
        cleanup_free char *current = current_driver(api, request, response, "Volume");
        if (current == NULL)
                return;
        cleanup_free char *path = serve(api, &parsed, name, current, response, "Volume");
        if (path == NULL)
                return;
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Volume\":{\"Name\":");
        json_append_string(&b, name);
        buf_puts(&b, ",\"Mountpoint\":");
        json_append_string(&b, path);
        buf_puts(&b, "},\"Err\":null}");
        reply_json(response, &b);
}

static const struct volume_route {
        const char *path;
        void (*handle)(struct volume_api *api, const struct http_request *request,
                       struct http_response *response);
} volume_routes[] = {
    {"/Plugin.Activate", handle_activate},               /* handshake */
    {"/VolumeDriver.Create", handle_create},             /* docker volume create, run */
    {"/VolumeDriver.Remove", handle_remove},             /* docker volume rm */
    {"/VolumeDriver.Mount", handle_mount},               /* container start */
    {"/VolumeDriver.Path", handle_path},                 /* like Mount, not counted */
    {"/VolumeDriver.Unmount", handle_unmount},           /* container stop */
    {"/VolumeDriver.Get", handle_get},                   /* docker volume inspect */
    {"/VolumeDriver.List", handle_list},                 /* docker volume ls */
    {"/VolumeDriver.Capabilities", handle_capabilities}, /* scope */
};

bool volume_api_is_slow(void *context, const struct http_request *request)
{
        static const char *const quick[] = {"/Plugin.Activate", "/VolumeDriver.Capabilities",
                                            "/VolumeDriver.List", "/VolumeDriver.Unmount"};
        for (size_t i = 0; i < sizeof(quick) / sizeof(quick[0]); i++)
                if (request->path != NULL && strcmp(request->path, quick[i]) == 0)
                        return false;
        return true;
}

void volume_api_handle(void *context, const struct http_request *request,
                       struct http_response *response)
{
        struct volume_api *api = context;
        if (!volume_request_accept_ok(request->accept)) {
                cleanup_free char *shown = volume_request_loggable(request->accept);
                log_msg("Unsupported plugin API %s", shown);
                free(response->body);
                response->body = NULL;
                response->body_len = 0;
                response->content_type = NULL;
                response->status = 406;
                return;
        }
        if (request->method == NULL || strcmp(request->method, "POST") != 0 ||
            request->path == NULL) {
                reply_not_found(response);
                return;
        }
        for (size_t i = 0; i < sizeof(volume_routes) / sizeof(volume_routes[0]); i++) {
                if (strcmp(request->path, volume_routes[i].path) != 0)
                        continue;
                if (request->body_len > VOLUME_API_MAX_BODY) {
                        log_error("request body of %zu bytes refused (limit %d)", request->body_len,
                                  VOLUME_API_MAX_BODY);
                        http_response_error(response, 413, "request body too large\n");
                        return;
                }
                volume_routes[i].handle(api, request, response);
                return;
        }
        reply_not_found(response);
}
