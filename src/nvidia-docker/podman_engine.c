#include "nvidia-docker/podman_engine.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "common/xalloc.h"
#include "nvidia-docker/docker_command.h"
#include "nvidia-docker/docker_flags.h"

static bool is_unix_url(const char *url)
{
        return strncmp(url, "unix:", 5) == 0;
}

/* What one global option says about the machine. */
static void note_global(struct podman_target *t, const struct docker_flag *flag, const char *value)
{
        if (strcmp(flag->name, "remote") == 0) {
                t->remote = value == NULL || docker_flags_bool_is_true(value);
                t->remote_reason = t->remote ? "--remote" : NULL;
        } else if (strcmp(flag->name, "url") == 0 || strcmp(flag->name, "host") == 0) {
                free(t->url);
                t->url = xstrdup(value != NULL ? value : "");
                t->url_source = strcmp(flag->name, "url") == 0 ? "--url" : "-H/--host";
        } else if (strcmp(flag->name, "connection") == 0) {
                free(t->connection);
                t->connection = xstrdup(value != NULL ? value : "");
        }
}

/* The global options as podman's parser reads them (docker_args has checked them). */
static void read_globals(struct podman_target *t, const char *const *global, size_t count)
{
        size_t table_count;
        const struct docker_flag *table = docker_flags_podman_global(&table_count);
        for (size_t i = 0; i < count; i++) {
                const char *word = global[i];
                if (word[0] != '-' || word[1] == '\0')
                        continue;
                if (word[1] == '-') {
                        const char *name = word + 2, *eq = strchr(name, '=');
                        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
                        const struct docker_flag *flag =
                            docker_flags_find_long(table, table_count, name, len);
                        if (flag == NULL)
                                continue;
                        const char *value = eq != NULL ? eq + 1 : NULL;
                        if (flag->takes_value && value == NULL && i + 1 < count)
                                value = global[++i];
                        note_global(t, flag, value);
                        continue;
                }
                for (const char *c = word + 1; *c != '\0'; c++) {
                        const struct docker_flag *flag =
                            docker_flags_find_short(table, table_count, *c);
                        if (flag == NULL)
                                break;
                        const char *value = NULL;
                        if (c[1] == '=') {
                                note_global(t, flag, c + 2);
                                break;
                        }
                        if (flag->takes_value) {
                                value = c[1] != '\0' ? c + 1 : (i + 1 < count ? global[++i] : "");
                                note_global(t, flag, value);
                                break;
                        }
                        note_global(t, flag, NULL);
                }
        }
}

void podman_target_init(struct podman_target *t, const struct strv *docker,
                        const char *const *global, size_t global_count,
                        const struct podman_env *env)
{
        memset(t, 0, sizeof(*t));
        t->engine.docker = docker;
        t->engine.global = global;
        t->engine.global_count = global_count;
        t->engine.use_cli = true;
        t->engine.pull_progress_on_stderr = true;

        if (docker_command_is_podman_remote(docker)) {
                t->remote = true;
                t->remote_reason = "podman-remote";
        }
        if (text_is_set(env->container_host)) {
                t->remote = true;
                t->remote_reason = "CONTAINER_HOST";
                t->url = xstrdup(env->container_host);
                t->url_source = "CONTAINER_HOST";
        }
        if (text_is_set(env->container_connection)) {
                t->remote = true;
                t->remote_reason = "CONTAINER_CONNECTION";
                t->connection = xstrdup(env->container_connection);
        }
        read_globals(t, global, global_count);
        if (!t->remote && (t->url != NULL || t->connection != NULL)) {
                t->remote = true;
                t->remote_reason = t->url != NULL ? t->url_source : "--connection";
        }

        t->engine.local = !t->remote || (t->url != NULL && is_unix_url(t->url));
        t->socket_path = env->root ? xstrdup(PODMAN_ROOT_SOCKET)
                         : text_is_set(env->xdg_runtime_dir)
                             ? xasprintf("%s/podman/podman.sock", env->xdg_runtime_dir)
                             : NULL;
        t->engine.socket_path = t->socket_path != NULL ? t->socket_path : PODMAN_ROOT_SOCKET;
        if (t->remote)
                t->engine.cli_reason = "podman runs the containers through a service";
        else if (docker->count != 1)
                t->engine.cli_reason = "NV_DOCKER has several words";
        else if (global_count > 0)
                t->engine.cli_reason = "podman's global options may choose other storage";
        else if (text_is_set(env->containers_conf) || text_is_set(env->storage_conf))
                t->engine.cli_reason = "CONTAINERS_CONF or CONTAINERS_STORAGE_CONF is set";
        else if (t->socket_path == NULL || access(t->socket_path, R_OK | W_OK) < 0)
                t->engine.cli_reason = "no podman service socket this user can open";
        else
                t->engine.use_cli = false;
}

void podman_target_destroy(struct podman_target *t)
{
        if (t == NULL)
                return;
        free(t->socket_path);
        free(t->url);
        free(t->connection);
        memset(t, 0, sizeof(*t));
}

/* The URL without its path: host_select reads ssh://user@host:port as docker's DOCKER_HOST. */
static char *url_without_path(const char *url)
{
        const char *scheme = strstr(url, "://");
        if (scheme == NULL)
                return xstrdup(url);
        const char *slash = strchr(scheme + 3, '/');
        return slash != NULL ? xstrndup(url, (size_t)(slash - url)) : xstrdup(url);
}

int podman_engine_plugin(const struct podman_target *t, const char *nv_host, const char *user,
                         struct plugin_target *out, struct error *err)
{
        memset(out, 0, sizeof(*out));
        bool other_machine = t->remote && !(t->url != NULL && is_unix_url(t->url));
        if (text_is_set(nv_host)) {
                if (host_select(nv_host, NULL, user, out, err) < 0)
                        return -1;
                bool loopback = out->transport == PLUGIN_TRANSPORT_HTTP &&
                                (strncmp(out->url, "http://127.", 11) == 0 ||
                                 strncmp(out->url, "http://localhost:", 17) == 0 ||
                                 strncmp(out->url, "http://[::1]:", 13) == 0);
                if (!other_machine && !out->local && !loopback) {
                        error_set(err,
                                  "NV_HOST names the nvidia-docker-plugin of another machine, "
                                  "but podman runs the containers on this one, whose CDI spec "
                                  "gives this machine's GPUs: unset NV_HOST, or point podman at "
                                  "that machine (podman --remote --url ssh://USER@HOST/run/"
                                  "podman/podman.sock, or CONTAINER_HOST)");
                        plugin_target_destroy(out);
                        return -1;
                }
                return 0;
        }
        if (t->remote && t->url == NULL)
                return error_set(err,
                                 "podman runs the containers through %s%s%s, and nvidia-docker "
                                 "cannot tell on which machine: set NV_HOST to that machine's "
                                 "nvidia-docker-plugin (NV_HOST=ssh://USER@HOST:)",
                                 t->connection != NULL ? "the connection '" : t->remote_reason,
                                 t->connection != NULL ? t->connection : "",
                                 t->connection != NULL ? "'" : "");
        if (t->url == NULL || is_unix_url(t->url))
                return host_select(NULL, NULL, user, out, err);
        cleanup_free char *base = url_without_path(t->url);
        if (host_select(NULL, base, user, out, err) < 0) {
                error_clear(err);
                return error_set(err,
                                 "cannot tell which nvidia-docker-plugin to ask from podman's "
                                 "%s '%s': set NV_HOST to that machine's plugin "
                                 "(NV_HOST=ssh://USER@HOST:)",
                                 t->url_source, t->url);
        }
        out->source = t->url_source;
        return 0;
}
