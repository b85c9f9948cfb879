/* engine_endpoint: see engine_endpoint.h. */
#include "nvidia-docker/engine_endpoint.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "common/xalloc.h"

static char *config_dir(const struct engine_endpoint_input *in)
{
        if (text_is_set(in->config_option))
                return xstrdup(in->config_option);
        if (text_is_set(in->docker_config))
                return xstrdup(in->docker_config);
        if (text_is_set(in->home))
                return xasprintf("%s/.docker", in->home);
        return NULL;
}

/* `currentContext` of <dir>/config.json into *name (NULL: none). -1 when the file exists but
 * cannot be read or parsed, or holds something else than a string there. */
static int current_context(const char *dir, char **name)
{
        *name = NULL;
        if (dir == NULL)
                return 0;
        cleanup_free char *path = xasprintf("%s/config.json", dir);
        if (access(path, F_OK) < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
        json_t *root = json_load_file(path, 0, NULL);
        if (root == NULL)
                return -1;
        int rc = 0;
        json_t *context = json_object_get(root, "currentContext");
        if (json_is_string(context) && json_string_length(context) > 0)
                *name = xstrdup(json_string_value(context));
        else if (context != NULL && !json_is_null(context) && !json_is_string(context))
                rc = -1;
        json_decref(root);
        return rc;
}

/* Docker stores a context under the SHA-256 of its name, in hex. */
static char *context_digest(const char *name)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (EVP_Digest(name, strlen(name), md, &len, EVP_sha256(), NULL) != 1)
                return NULL;
        char *hex = xmalloc(2 * len + 1);
        for (unsigned i = 0; i < len; i++)
                snprintf(hex + 2 * i, 3, "%02x", md[i]);
        return hex;
}

/* Endpoints.docker.Host of the context's meta.json. */
static char *context_host(const char *dir, const char *name, struct error *err)
{
        if (dir == NULL) {
                error_set(err,
                          "cannot find docker context '%s': no docker config directory "
                          "(set HOME or DOCKER_CONFIG)",
                          name);
                return NULL;
        }
        cleanup_free char *digest = context_digest(name);
        if (digest == NULL) {
                error_set(err, "cannot find docker context '%s': SHA-256 unavailable", name);
                return NULL;
        }
        cleanup_free char *path = xasprintf("%s/contexts/meta/%s/meta.json", dir, digest);
        json_error_t jerr;
        json_t *root = json_load_file(path, 0, &jerr);
        if (root == NULL) {
                if (access(path, F_OK) < 0 && errno == ENOENT)
                        error_set(err,
                                  "docker context '%s' not found (no %s); see `docker context ls`",
                                  name, path);
                else
                        error_set(err, "cannot read docker context '%s' (%s: %s)", name, path,
                                  jerr.text);
                return NULL;
        }
        json_t *host =
            json_object_get(json_object_get(json_object_get(root, "Endpoints"), "docker"), "Host");
        char *out = NULL;
        if (json_is_string(host) && json_string_length(host) > 0)
                out = xstrdup(json_string_value(host));
        else
                error_set(err,
                          "docker context '%s' names no docker engine (Endpoints.docker.Host "
                          "in %s)",
                          name, path);
        json_decref(root);
        return out;
}

void engine_endpoint_resolve(const struct engine_endpoint_input *in, struct engine_endpoint *out)
{
        memset(out, 0, sizeof(*out));
        cleanup_free char *dir = config_dir(in);
        cleanup_free char *from_config = NULL;
        const char *context = NULL;
        if (text_is_set(in->context_option)) {
                context = in->context_option;
        } else if (!text_is_set(in->host_option) && !text_is_set(in->docker_host)) {
                if (text_is_set(in->docker_context))
                        context = in->docker_context;
                else if (current_context(dir, &from_config) < 0)
                        out->config_unreadable = true; /* docker warns and goes on: default */
                else
                        context = from_config;
        }
        if (context != NULL && strcmp(context, "default") != 0) {
                out->origin = xasprintf("docker context '%s'", context);
                out->address_name = xasprintf("docker context '%s' host", context);
                out->named_context = true;
                out->chosen = true;
                out->host = context_host(dir, context, &out->error);
                return;
        }
        if (text_is_set(in->host_option)) {
                out->host = xstrdup(in->host_option);
                out->origin = xstrdup("-H");
                out->chosen = true;
        } else if (text_is_set(in->docker_host)) {
                out->host = xstrdup(in->docker_host);
                out->origin = xstrdup("DOCKER_HOST");
                out->chosen = true;
        } else {
                out->host = xstrdup(ENGINE_DEFAULT_HOST);
                out->origin = xstrdup("default");
        }
        out->address_name = xstrdup(out->origin);
}

void engine_endpoint_destroy(struct engine_endpoint *endpoint)
{
        if (endpoint == NULL)
                return;
        free(endpoint->host);
        free(endpoint->origin);
        free(endpoint->address_name);
        error_clear(&endpoint->error);
        memset(endpoint, 0, sizeof(*endpoint));
}

const char *engine_endpoint_socket(const struct engine_endpoint *endpoint)
{
        const char *host = endpoint->host;
        if (host == NULL || strncmp(host, "unix://", 7) != 0 || host[7] == '\0')
                return NULL;
        return host + 7;
}

int engine_endpoint_plugin(const struct engine_endpoint *endpoint, const char *nv_host,
                           const char *user, struct plugin_target *out, struct error *err)
{
        if (!text_is_set(nv_host) && error_is_set(&endpoint->error)) {
                memset(out, 0, sizeof(*out));
                out->source = "default";
                return error_set(err, "%s", endpoint->error.message);
        }
        return host_select_engine(nv_host, endpoint->chosen ? endpoint->host : NULL,
                                  endpoint->address_name ? endpoint->address_name : "DOCKER_HOST",
                                  user, out, err);
}
