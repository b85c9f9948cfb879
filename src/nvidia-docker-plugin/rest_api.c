#include "nvidia-docker-plugin/rest_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/base64.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "nvidia-docker-plugin/cdi_publish.h"
#include "nvidia-docker-plugin/gpu_report.h"
#include "nvidia-docker-plugin/rest_docker.h"
#include "nvidia-docker-plugin/rest_path.h"

#define APPLICATION_JSON "application/json"

static void respond_unavailable(struct http_response *resp, const char *text)
{
        cleanup_free char *line = xasprintf("%s\n", text ? text : "nvidia-docker-plugin is busy");
        http_response_error(resp, 503, line);
}

static void respond_internal(struct http_response *resp, const struct error *err)
{
        if (err->code == EAGAIN) { /* NVML busy or hung: not an internal error */
                respond_unavailable(resp, err->message);
                return;
        }
        log_error("%s", err->message ? err->message : "unknown");
        http_response_error(resp, 500, HTTP_INTERNAL_ERROR);
}

static int versions(const struct rest_api *api, char **driver, char **cuda, struct error *err)
{
        if (api->live.driver_version(api->live.context, driver, err) < 0)
                return -1;
        if (api->live.cuda_version(api->live.context, cuda, err) < 0) {
                free(*driver);
                *driver = NULL;
                return -1;
        }
        return 0;
}

static void handle_info(const struct rest_api *api, bool json, struct http_response *resp)
{
        struct error err = ERROR_INIT;
        cleanup_free char *driver = NULL;
        cleanup_free char *cuda = NULL;
        if (versions(api, &driver, &cuda, &err) < 0) {
                respond_internal(resp, &err);
                error_clear(&err);
                return;
        }
        struct buf b = BUF_INIT;
        if (json) {
                gpu_report_info_json(api->inventory, driver, cuda, &b);
                http_response_take(resp, 200, APPLICATION_JSON, &b);
        } else {
                gpu_report_info_text(api->inventory, driver, cuda, &b);
                http_response_take(resp, 200, HTTP_TEXT_PLAIN, &b);
        }
}

static void handle_status(const struct rest_api *api, bool json, struct http_response *resp)
{
        const struct gpu_inventory *inv = api->inventory;
        struct error err = ERROR_INIT;
        struct gpu_status *status = xcalloc(inv->count + 1, sizeof(*status));
        size_t done = 0;
        for (; done < inv->count; done++) {
                if (api->live.device_status(api->live.context, done, &status[done], &err) < 0) {
                        if (err.code != EAGAIN) /* a 503 line is shown as it is */
                                error_prefix(&err, "GPU #%zu status", done);
                        break;
                }
        }
        if (done == inv->count) {
                struct buf b = BUF_INIT;
                if (json) {
                        gpu_report_status_json(inv, status, &b);
                        http_response_take(resp, 200, APPLICATION_JSON, &b);
                } else {
                        gpu_report_status_text(inv, status, &b);
                        http_response_take(resp, 200, HTTP_TEXT_PLAIN, &b);
                }
        } else {
                respond_internal(resp, &err);
        }
        for (size_t i = 0; i < done; i++)
                gpu_status_destroy(&status[i]);
        free(status);
        error_clear(&err);
}

/* 1.0's Mesos arguments: the JSON inventory, zlib-compressed and base64url-encoded, as an
 * attribute, and the UUIDs as resources. */
static void handle_mesos_cli(const struct rest_api *api, struct http_response *resp)
{
        struct error err = ERROR_INIT;
        cleanup_free char *driver = NULL;
        cleanup_free char *cuda = NULL;
        if (versions(api, &driver, &cuda, &err) < 0) {
                respond_internal(resp, &err);
                error_clear(&err);
                return;
        }
        struct buf json = BUF_INIT;
        gpu_report_info_json(api->inventory, driver, cuda, &json);
        uLongf zlen = compressBound(json.len);
        cleanup_free unsigned char *z = xmalloc(zlen);
        if (compress2(z, &zlen, (const Bytef *)json.data, json.len, Z_DEFAULT_COMPRESSION) !=
            Z_OK) {
                buf_destroy(&json);
                error_set(&err, "zlib: cannot compress the GPU inventory");
                respond_internal(resp, &err);
                error_clear(&err);
                return;
        }
        buf_destroy(&json);
        struct buf b = BUF_INIT;
        cleanup_free char *encoded = base64url_encode(z, zlen);
        buf_puts(&b, "--attributes=gpus:");
        buf_puts(&b, encoded);
        buf_puts(&b, " --resources=gpus:{");
        for (size_t i = 0; i < api->inventory->count; i++) {
                if (i)
                        buf_puts(&b, ",");
                buf_puts(&b, api->inventory->devices[i].uuid);
        }
        buf_puts(&b, "}");
        http_response_take(resp, 200, HTTP_TEXT_PLAIN, &b);
}

/* GET /v1.0/cdi/spec[.json]: the CDI spec that cdi_publish keeps (docs/cdi.md); 503 with the
 * reason, one line, while there is none. */
static void handle_cdi_spec(const struct rest_api *api, struct http_response *resp)
{
        struct error err = ERROR_INIT;
        char *text = api->cdi != NULL ? cdi_publish_current(api->cdi, &err) : NULL;
        if (text == NULL) {
                cleanup_free char *line = xasprintf(
                    "%s\n", api->cdi != NULL
                                ? err.message
                                : "this plugin publishes no CDI spec (started with -cdi=)");
                http_response_error(resp, 503, line);
                error_clear(&err);
                return;
        }
        struct buf b = BUF_INIT;
        buf_puts(&b, text);
        free(text);
        http_response_take(resp, 200, APPLICATION_JSON, &b);
}

enum route {
        ROUTE_NONE,
        INFO,
        INFO_JSON,
        STATUS,
        STATUS_JSON,
        CLI,
        CLI_JSON,
        MESOS,
        COMPOSE,
        CDI_SPEC,
};

static enum route find_route(const char *path)
{
        static const struct {
                const char *path;
                enum route route;
        } routes[] = {
            {"/gpu/info", INFO},     {"/gpu/info/json", INFO_JSON},
            {"/gpu/status", STATUS}, {"/gpu/status/json", STATUS_JSON},
            {"/docker/cli", CLI},    {"/docker/cli/json", CLI_JSON},
            {"/mesos/cli", MESOS},
        };
        bool versioned = strncmp(path, "/v1.0/", 6) == 0;
        if (versioned)
                path += 5;
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
                if (strcmp(path, routes[i].path) == 0)
                        return routes[i].route;
        /* Routes that 1.0 did not have exist under /v1.0 only. */
        if (versioned && strcmp(path, "/docker/compose") == 0)
                return COMPOSE;
        if (versioned && (strcmp(path, "/cdi/spec") == 0 || strcmp(path, "/cdi/spec.json") == 0))
                return CDI_SPEC;
        return ROUTE_NONE;
}

void rest_api_handle(void *context, const struct http_request *req, struct http_response *resp)
{
        const struct rest_api *api = context;
        cleanup_free char *path = http_unescape(req->path, strlen(req->path), false);
        if (path == NULL || path[0] != '/') {
                http_response_error(resp, 404, "404 page not found\n");
                return;
        }
        cleanup_free char *clean = rest_path_clean(path);
        if (strcmp(clean, path) != 0) {
                rest_path_redirect(req, clean, resp);
                return;
        }
        enum route route = find_route(path);
        if (route == ROUTE_NONE || strcmp(req->method, "GET") != 0) {
                http_response_error(resp, 404, "404 page not found\n");
                return;
        }
        if (api->inventory == NULL) {
                respond_unavailable(resp, api->unavailable);
                return;
        }
        switch (route) {
        case INFO:
                handle_info(api, false, resp);
                break;
        case INFO_JSON:
                handle_info(api, true, resp);
                break;
        case STATUS:
                handle_status(api, false, resp);
                break;
        case STATUS_JSON:
                handle_status(api, true, resp);
                break;
        case CLI:
                rest_docker_cli(api, req, false, resp);
                break;
        case CLI_JSON:
                rest_docker_cli(api, req, true, resp);
                break;
        case MESOS:
                handle_mesos_cli(api, resp);
                break;
        case COMPOSE:
                rest_docker_compose(api, req, resp);
                break;
        case CDI_SPEC:
                handle_cdi_spec(api, resp);
                break;
        case ROUTE_NONE:
                break;
        }
}
