#include "nvidia-docker-plugin/volume_api.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/volume_name.h"

#define CONTENT_TYPE_PLUGIN "application/vnd.docker.plugins.v1+json"
#define CONTENT_TYPE_TEXT   "text/plain; charset=utf-8"
#define INTERNAL_ERROR      "internal error, check logs for details\n"

int volume_api_init(struct volume_api *api, const struct volume_api_config *config,
                    struct error *err)
{
        memset(api, 0, sizeof(*api));
        pthread_mutex_init(&api->mounts_lock, NULL);
        if (config->driver_version == NULL || !volume_version_is_valid(config->driver_version))
                return error_set(err,
                                 "driver version '%s' is not digit groups separated by dots; "
                                 "cannot name driver volumes",
                                 config->driver_version ? config->driver_version : "");
        struct driver_files_options files = {
            .root = config->driver_root,
            .version = config->driver_version,
            .capabilities = config->capabilities,
            .path_env = config->path_env,
        };
        if (volume_store_init(&api->store, config->volume_root, &files, err) < 0)
                return -1;
        api->store.bind_mounts = config->bind_mounts;
        return 0;
}

void volume_api_destroy(struct volume_api *api)
{
        if (api == NULL)
                return;
        volume_store_destroy(&api->store);
        strv_destroy(&api->mount_ids);
        pthread_mutex_destroy(&api->mounts_lock);
}

/* Mount IDs: which containers use the (shared) current volume of a kind right now, kept as
 * "<kind> <id>". */
static void mounts_add(struct volume_api *api, const char *kind, const char *mount_id)
{
        if (mount_id == NULL || mount_id[0] == '\0')
                return;
        cleanup_free char *id = xasprintf("%s %s", kind, mount_id);
        pthread_mutex_lock(&api->mounts_lock);
        bool known = false;
        for (size_t i = 0; i < api->mount_ids.count && !known; i++)
                known = strcmp(api->mount_ids.items[i], id) == 0;
        if (!known)
                strv_push(&api->mount_ids, id);
        pthread_mutex_unlock(&api->mounts_lock);
}

static void mounts_remove(struct volume_api *api, const char *kind, const char *mount_id)
{
        if (mount_id == NULL || mount_id[0] == '\0')
                return;
        cleanup_free char *id = xasprintf("%s %s", kind, mount_id);
        pthread_mutex_lock(&api->mounts_lock);
        struct strv *ids = &api->mount_ids;
        for (size_t i = 0; i < ids->count; i++) {
                if (strcmp(ids->items[i], id) != 0)
                        continue;
                free(ids->items[i]);
                ids->items[i] = ids->items[ids->count - 1];
                ids->items[--ids->count] = NULL;
                break;
        }
        pthread_mutex_unlock(&api->mounts_lock);
}

static size_t mounts_count(struct volume_api *api, const char *kind)
{
        size_t len = strlen(kind), n = 0;
        pthread_mutex_lock(&api->mounts_lock);
        for (size_t i = 0; i < api->mount_ids.count; i++)
                n += strncmp(api->mount_ids.items[i], kind, len) == 0 &&
                     api->mount_ids.items[i][len] == ' ';
        pthread_mutex_unlock(&api->mounts_lock);
        return n;
}

/* ---- JSON output (1.0's Go encoder: compact, <>& escaped, invalid UTF-8 as U+FFFD) ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
        size_t len;
        unsigned min;
        unsigned cp;
        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, cp = s[0] & 0x1f, min = 0x80;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, cp = s[0] & 0x0f, min = 0x800;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, cp = s[0] & 0x07, min = 0x10000;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

static void json_put_string(struct buf *b, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);
        buf_puts(b, "\"");
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                if (c == '"' || c == '\\') {
                        buf_printf(b, "\\%c", c);
                } else if (c == '\n') {
                        buf_puts(b, "\\n");
                } else if (c == '\r') {
                        buf_puts(b, "\\r");
                } else if (c == '\t') {
                        buf_puts(b, "\\t");
                } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        buf_printf(b, "\\u%04x", c);
                } else if (c >= 0x80) {
                        size_t len = utf8_length(p + i, n - i);
                        if (len == 0) {
                                buf_puts(b, "\\ufffd");
                                i++;
                                continue;
                        }
                        if (len == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
                            (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
                                buf_printf(b, "\\u202%c", p[i + 2] == 0xa8 ? '8' : '9');
                        else
                                buf_append(b, p + i, len);
                        i += len;
                        continue;
                } else {
                        buf_append(b, &c, 1);
                }
                i++;
        }
        buf_puts(b, "\"");
}

static void reply_json(struct http_response *response, struct buf *b)
{
        buf_puts(b, "\n");
        free(response->body);
        response->status = 200;
        response->content_type = CONTENT_TYPE_PLUGIN;
        response->body_len = b->len;
        response->body = buf_steal(b);
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
                json_put_string(&b, text);
        buf_puts(&b, "}");
        reply_json(response, &b);
}

static void reply_internal_error(struct http_response *response, const char *cause)
{
        log_error("%s", cause);
        http_response_text(response, 500, CONTENT_TYPE_TEXT, INTERNAL_ERROR);
        response->nosniff = 1;
}

static void reply_not_found(struct http_response *response)
{
        http_response_text(response, 404, CONTENT_TYPE_TEXT, "404 page not found\n");
        response->nosniff = 1;
}

/* ---- requests ---- */

/* Docker sends application/vnd.docker.plugins.v1.2+json (v1.1 before 1.10). Be tolerant: any
 * v1.x, a list containing one, * / *, or no header. */
static bool accept_ok(const char *accept)
{
        if (accept == NULL)
                return true;
        cleanup_free char *copy = xstrdup(accept);
        bool blank = true;
        char *save = NULL;
        for (char *item = strtok_r(copy, ",", &save); item != NULL;
             item = strtok_r(NULL, ",", &save)) {
                char *semicolon = strchr(item, ';');
                if (semicolon != NULL)
                        *semicolon = '\0';
                while (*item == ' ' || *item == '\t')
                        item++;
                size_t len = strlen(item);
                while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t'))
                        item[--len] = '\0';
                if (len == 0)
                        continue;
                blank = false;
                static const char prefix[] = "application/vnd.docker.plugins.v1";
                if (strcmp(item, "*/*") == 0 ||
                    (strncasecmp(item, prefix, strlen(prefix)) == 0 && len >= 5 &&
                     strcasecmp(item + len - 5, "+json") == 0))
                        return true;
        }
        return blank;
}

/* Copy of a client string for a log line: control characters as '?', at most 256 bytes. */
static char *loggable(const char *s)
{
        char *copy = xstrndup(s, 256);
        for (char *p = copy; *p != '\0'; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
        return copy;
}

/* The value of `key` in `object`: exact match preferred, else case-insensitive (Go). */
static json_t *object_get_any_case(json_t *object, const char *key)
{
        json_t *value = json_object_get(object, key);
        if (value != NULL)
                return value;
        const char *k;
        json_t *v;
        json_object_foreach(object, k, v)
        {
                if (strcasecmp(k, key) == 0)
                        return v;
        }
        return NULL;
}

/* A string field: *out is the value ("" when absent or null). -1 if it is not a string. */
static int string_field(json_t *object, const char *key, char **out)
{
        json_t *value = object ? object_get_any_case(object, key) : NULL;
        if (value == NULL || json_is_null(value)) {
                *out = xstrdup("");
                return 0;
        }
        if (!json_is_string(value))
                return -1;
        *out = xstrndup(json_string_value(value), json_string_length(value));
        return 0;
}

/*
 * Reads the request's "Name" and, if `id` is not NULL, its "ID" (keys case-insensitive).
 * Returns the name (owned; "" when absent or null), or NULL after a 500 reply for a body that
 * Go's decoder would refuse: empty, not JSON, not an object, or a field that is not a string.
 */
static char *read_request(const struct http_request *request, struct http_response *response,
                          char **id)
{
        if (request->body == NULL || request->body_len == 0) {
                reply_internal_error(response, "EOF");
                return NULL;
        }
        json_error_t jerr;
        json_t *root = json_loadb(request->body, request->body_len, JSON_DECODE_ANY, &jerr);
        if (root == NULL) {
                cleanup_free char *text = loggable(jerr.text);
                cleanup_free char *cause = xasprintf("invalid JSON request: %s", text);
                reply_internal_error(response, cause);
                return NULL;
        }
        char *name = NULL;
        if (!json_is_null(root) && !json_is_object(root)) {
                reply_internal_error(response, "json: cannot unmarshal a non-object request");
        } else {
                json_t *object = json_is_object(root) ? root : NULL;
                if (string_field(object, "Name", &name) < 0) {
                        reply_internal_error(response, "json: cannot unmarshal a non-string Name");
                } else if (id != NULL && string_field(object, "ID", id) < 0) {
                        reply_internal_error(response, "json: cannot unmarshal a non-string ID");
                        free(name);
                        name = NULL;
                }
        }
        json_decref(root);
        return name;
}

/* Validates a name; on failure replies the 1.0 error with the given null field. */
static bool parse_or_reply(const char *name, struct volume_name *parsed,
                           struct http_response *response, const char *null_field)
{
        struct error err = ERROR_INIT;
        if (volume_name_parse(name, parsed, &err) == 0)
                return true;
        reply_err(response, null_field, err.message);
        error_clear(&err);
        return false;
}

static const char *current_version(const struct volume_api *api)
{
        return api->store.files.version;
}

/*
 * The mount point serving volume `name` (a valid nvidia_driver name): the running driver's
 * volume, built if needed. Replies and returns NULL when there is none.
 */
static char *serve(struct volume_api *api, const struct volume_name *parsed, const char *name,
                   struct http_response *response, const char *null_field)
{
        const char *current = current_version(api);
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
                json_put_string(&b, names.items[i]);
                buf_puts(&b, ",\"Mountpoint\":");
                json_put_string(&b, path);
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
        cleanup_free char *shown = loggable(name);
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
        if (volume_version_compare(parsed.version, current_version(api)) > 0) {
                cleanup_free char *text = xasprintf("invalid volume version: %s", name);
                reply_err(response, NULL, text);
                return;
        }
        cleanup_free char *path = serve(api, &parsed, name, response, NULL);
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
        size_t in_use = mounts_count(api, parsed.kind);
        if (in_use > 0 && volume_version_compare(parsed.version, current_version(api)) == 0) {
                /* Containers mounting older names share this directory. */
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
        cleanup_free char *path = serve(api, &parsed, name, response, "Mountpoint");
        if (path == NULL)
                return;
        if (is_mount)
                mounts_add(api, parsed.kind, id);
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Mountpoint\":");
        json_put_string(&b, path);
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
        mounts_remove(api, parsed.kind, id);
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
        cleanup_free char *path = serve(api, &parsed, name, response, "Volume");
        if (path == NULL)
                return;
        struct buf b = BUF_INIT;
        buf_puts(&b, "{\"Volume\":{\"Name\":");
        json_put_string(&b, name);
        buf_puts(&b, ",\"Mountpoint\":");
        json_put_string(&b, path);
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

void volume_api_handle(void *context, const struct http_request *request,
                       struct http_response *response)
{
        struct volume_api *api = context;
        if (!accept_ok(request->accept)) {
                cleanup_free char *shown = loggable(request->accept);
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
                        http_response_text(response, 413, CONTENT_TYPE_TEXT,
                                           "request body too large\n");
                        response->nosniff = 1;
                        return;
                }
                volume_routes[i].handle(api, request, response);
                return;
        }
        reply_not_found(response);
}
