#include "nvidia-docker/engine.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/subprocess.h"
#include "common/xalloc.h"

/* An image object is a few KiB; anything near this is not one. */
#define ENGINE_BODY_LIMIT    (8u << 20)
#define ENGINE_STDERR_LIMIT  (64u << 10)
#define ENGINE_API_TIMEOUT_S 60L

/* ---- where the daemon is ---------------------------------------------------------------- */

void engine_target_init(struct engine_target *target, const struct strv *docker,
                        const char *const *global, size_t global_count, bool daemon_options,
                        const struct engine_endpoint *endpoint)
{
        memset(target, 0, sizeof(*target));
        target->docker = docker;
        target->global = global;
        target->global_count = global_count;
        target->socket_path = ENGINE_DEFAULT_SOCKET;
        target->use_cli = true;

        /* The engine runs here when docker reaches it over a unix socket or fd:// (which is
         * what engine_endpoint decided, as docker decides it). */
        const char *host = endpoint->host;
        target->local = host != NULL && !error_is_set(&endpoint->error) &&
                        (strncmp(host, "unix://", 7) == 0 || strncmp(host, "fd://", 5) == 0);
        if (daemon_options) {
                target->cli_reason = "global options choose the daemon";
                return;
        }
        if (docker->count != 1) {
                target->cli_reason = "NV_DOCKER has several words";
                return;
        }
        if (endpoint->named_context) {
                target->cli_reason = "a docker context chooses the engine";
                return;
        }
        if (endpoint->config_unreadable) {
                target->cli_reason = "the docker config file cannot be read";
                return;
        }
        const char *socket = engine_endpoint_socket(endpoint);
        if (socket == NULL) {
                target->cli_reason = "DOCKER_HOST is not a unix:// socket";
                return;
        }
        target->socket_path = socket;
        if (access(target->socket_path, R_OK | W_OK) < 0) {
                target->cli_reason = "the daemon socket cannot be opened by this user";
                return;
        }
        target->use_cli = false;
}

/* ---- asking the Engine API over the socket --------------------------------------------- */

struct body {
        struct buf data;
        bool too_large;
};

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct body *body = userdata;
        size_t n = size * nmemb;
        if (body->data.len + n > ENGINE_BODY_LIMIT) {
                body->too_large = true;
                return 0;
        }
        buf_append(&body->data, ptr, n);
        return n;
}

/* Path escaping as docker's client does it (url.URL.EscapedPath): '/' and ':' and '@' stay. */
/* A request to the engine's API on its unix socket: the options both requests share. */
static void engine_request_setup(CURL *curl, const char *socket_path, const char *url,
                                 struct body *body, char *curl_error)
{
        curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_PROXY, "");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, ENGINE_API_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "nvidia-docker/" NVD_VERSION);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_write);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
}

static char *escape_image_name(const char *image)
{
        static const char hex[] = "0123456789ABCDEF";
        struct buf out = BUF_INIT;
        for (const unsigned char *p = (const unsigned char *)image; *p != '\0'; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~/:@", *p) != NULL) {
                        buf_append(&out, p, 1);
                } else {
                        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
                        buf_append(&out, esc, 3);
                }
        }
        return buf_steal(&out);
}

/* The daemon's {"message": "..."} error body, or the raw body. */
static char *daemon_message(const struct buf *body)
{
        if (body->data == NULL || body->len == 0)
                return xstrdup("(empty answer)");
        json_t *root = json_loadb(body->data, body->len, 0, NULL);
        json_t *message = json_object_get(root, "message");
        char *text = json_is_string(message)
                         ? xstrdup(json_string_value(message))
                         : xstrndup(body->data, body->len > 200 ? 200 : body->len);
        json_decref(root);
        for (char *p = text; *p != '\0'; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        return text;
}

static int inspect_over_socket(const struct engine_target *target, const char *image,
                               struct image_info *out, struct error *err)
{
        cleanup_free char *escaped = escape_image_name(image);
        cleanup_free char *url = xasprintf("http://localhost/images/%s/json", escaped);
        struct body body = {BUF_INIT, false};
        char curl_error[CURL_ERROR_SIZE] = "";
        int rc = -1;

        CURL *curl = curl_easy_init();
        if (curl == NULL)
                return error_set(err, "cannot ask the docker engine: libcurl failed to start");
        engine_request_setup(curl, target->socket_path, url, &body, curl_error);

        CURLcode res = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (body.too_large) {
                error_set(err,
                          "the docker engine's answer about image '%s' is larger than %u "
                          "bytes",
                          image, ENGINE_BODY_LIMIT);
        } else if (res != CURLE_OK) {
                error_set(err,
                          "cannot ask the docker engine at unix://%s about image '%s': %s; "
                          "is dockerd running?",
                          target->socket_path, image,
                          curl_error[0] != '\0' ? curl_error : curl_easy_strerror(res));
        } else if (status == 200) {
                rc = image_info_decode(body.data.data, body.data.len, out, err);
        } else if (status == 404) {
                memset(out, 0, sizeof(*out));
                rc = 0;
        } else {
                cleanup_free char *message = daemon_message(&body.data);
                error_set(err,
                          "the docker engine at unix://%s refused to describe image '%s' "
                          "(HTTP %ld): %s",
                          target->socket_path, image, status, message);
        }
        curl_easy_cleanup(curl);
        buf_destroy(&body.data);
        return rc;
}

int engine_volume_create(const char *socket_path, const char *name, const char *driver,
                         char **refusal, struct error *err)
{
        *refusal = NULL;
        json_t *request = json_pack("{s:s, s:s}", "Name", name, "Driver", driver);
        cleanup_free char *payload = json_dumps(request, JSON_COMPACT);
        json_decref(request);
        struct body body = {BUF_INIT, false};
        char curl_error[CURL_ERROR_SIZE] = "";
        CURL *curl = curl_easy_init();
        if (curl == NULL || payload == NULL) {
                curl_easy_cleanup(curl);
                return error_set(err, "cannot ask the docker engine: libcurl failed to start");
        }
        struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
        engine_request_setup(curl, socket_path, "http://localhost/volumes/create", &body,
                             curl_error);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        CURLcode res = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        int rc = 0;
        if (res != CURLE_OK)
                rc = error_set(err,
                               "cannot ask the docker engine at unix://%s to create volume %s: %s",
                               socket_path, name,
                               curl_error[0] != '\0' ? curl_error : curl_easy_strerror(res));
        else if (status < 200 || status > 299)
                *refusal = daemon_message(&body.data);
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        buf_destroy(&body.data);
        return rc;
}

/* ---- asking through the docker CLI ------------------------------------------------------ */

static void docker_argv(const struct engine_target *target, struct strv *argv)
{
        strv_init(argv);
        for (size_t i = 0; i < target->docker->count; i++)
                strv_push(argv, target->docker->items[i]);
        for (size_t i = 0; i < target->global_count; i++)
                strv_push(argv, target->global[i]);
}

/* "cannot inspect image 'x': cannot run `docker`: No such file or directory; install ..." */
static void spawn_failed(struct error *err, const char *what, const char *image)
{
        cleanup_free char *cause = steal_pointer(&err->message);
        int code = err->code;
        error_clear(err);
        error_set(err, "%s '%s': %s%s", what, image, cause != NULL ? cause : "failed",
                  code == ENOENT ? "; install docker or set NV_DOCKER" : "");
        err->code = code;
}

/* docker: "No such image"; podman: "<name>: image not known". */
static bool mentions_no_such_image(const char *text)
{
        return strcasestr(text, "no such image") != NULL ||
               strstr(text, ": image not known") != NULL;
}

static int inspect_with_cli(const struct engine_target *target, const char *image,
                            struct image_info *out, struct error *err)
{
        struct strv argv = STRV_INIT;
        docker_argv(target, &argv);
        strv_push(&argv, "image");
        strv_push(&argv, "inspect");
        strv_push(&argv, "--format");
        strv_push(&argv, "{{json .}}");
        strv_push(&argv, "--");
        strv_push(&argv, image);

        struct subprocess_result res;
        int rc = subprocess_run((const char *const *)argv.items, -1, ENGINE_BODY_LIMIT,
                                ENGINE_STDERR_LIMIT, &res, err);
        if (rc < 0) {
                spawn_failed(err, "cannot inspect image", image);
                goto out;
        }
        if (subprocess_succeeded(&res)) {
                rc = image_info_decode(res.out.data, res.out.len, out, err);
        } else {
                cleanup_free char *text = subprocess_error_text(&res);
                if (mentions_no_such_image(text)) {
                        memset(out, 0, sizeof(*out));
                } else {
                        rc = error_set(err, "cannot inspect image '%s' with `%s`: %s", image,
                                       argv.items[0],
                                       text[0] != '\0' ? text : "failed to run docker command");
                }
        }
        subprocess_result_destroy(&res);
out:
        strv_destroy(&argv);
        return rc;
}

int engine_inspect_image(const struct engine_target *target, const char *image,
                         struct image_info *out, struct error *err)
{
        memset(out, 0, sizeof(*out));
        if (target->use_cli)
                return inspect_with_cli(target, image, out, err);
        return inspect_over_socket(target, image, out, err);
}

int engine_pull_image(const struct engine_target *target, const char *image, const char *platform,
                      struct error *err)
{
        struct strv argv = STRV_INIT;
        docker_argv(target, &argv);
        strv_push(&argv, "pull");
        if (platform != NULL) {
                strv_push(&argv, "--platform");
                strv_push(&argv, platform);
        }
        strv_push(&argv, "--");
        strv_push(&argv, image);

        /* Progress goes to our stderr: the container's stdout stays clean (docker prints it on
         * stdout, podman on stderr). */
        struct subprocess_result res;
        int rc = subprocess_run_tee((const char *const *)argv.items, STDERR_FILENO, 0,
                                    target->pull_progress_on_stderr ? STDERR_FILENO : -1,
                                    ENGINE_STDERR_LIMIT, &res, err);
        if (rc < 0) {
                spawn_failed(err, "cannot pull image", image);
        } else if (!subprocess_succeeded(&res)) {
                cleanup_free char *text = subprocess_error_text(&res);
                rc = error_set(err, "cannot pull image '%s': %s", image,
                               text[0] != '\0' ? text : "docker pull failed");
        }
        subprocess_result_destroy(&res);
        strv_destroy(&argv);
        return rc;
}
