/* volume_plugin: see volume_plugin.h. */
#include "nvidia-docker/volume_plugin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "nvidia-docker/engine.h"

#define SOCKETS_DIR    "/run/docker/plugins"
#define PLUGIN_COMMAND "nvidia-docker-p" /* /proc/PID/comm keeps 15 bytes of the name */

enum probe {
        PROBE_ABSENT,  /* nothing there */
        PROBE_FOUND,   /* a socket that answers, or a spec file */
        PROBE_STALE,   /* a socket nobody listens on */
        PROBE_UNKNOWN, /* cannot be looked at */
};

/* The engine's process, as far as it can be seen from here. */
struct engine_peer {
        pid_t pid;      /* 0: unknown */
        uid_t uid;      /* the engine's user (0: rootful) */
        char root[40];  /* prefix for paths in its mount namespace: "" (ours) or /proc/PID/root */
        bool other_mnt; /* a mount namespace of its own (rootless, snap, ...) */
        bool blind;     /* its mount namespace cannot be looked into */
};

static void engine_peer_find(const char *socket_path, struct engine_peer *peer)
{
        memset(peer, 0, sizeof(*peer));
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(socket_path) >= sizeof(addr.sun_path))
                return;
        memcpy(addr.sun_path, socket_path, strlen(socket_path));
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct ucred cred = {0};
        socklen_t len = sizeof(cred);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
                peer->pid = cred.pid;
                peer->uid = cred.uid;
        }
        if (fd >= 0)
                close(fd);
        if (peer->pid <= 0) {
                peer->pid = 0; /* in a pid namespace we cannot see: look here */
                return;
        }
        char path[64];
        struct stat ours, theirs;
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)peer->pid);
        if (stat("/proc/self/ns/mnt", &ours) == 0 && stat(path, &theirs) == 0) {
                if (ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
                        return;
                peer->other_mnt = true;
                snprintf(peer->root, sizeof(peer->root), "/proc/%d/root", (int)peer->pid);
                return;
        }
        /* Not ours to look at (another user's engine): paths here are all there is. */
        peer->blind = errno == EACCES || errno == EPERM;
}

static enum probe probe_socket(const char *path)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return errno == ENOENT || errno == ENOTDIR ? PROBE_ABSENT : PROBE_UNKNOWN;
        if (!S_ISSOCK(st.st_mode))
                return PROBE_ABSENT; /* docker dials it and fails: as good as none */
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(addr.sun_path))
                return PROBE_UNKNOWN;
        memcpy(addr.sun_path, path, strlen(path));
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return PROBE_UNKNOWN;
        int rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
        int saved = errno;
        close(fd);
        if (rc == 0)
                return PROBE_FOUND;
        return saved == ECONNREFUSED ? PROBE_STALE : PROBE_UNKNOWN;
}

static enum probe probe_file(const char *path)
{
        struct stat st;
        if (stat(path, &st) == 0)
                return S_ISREG(st.st_mode) ? PROBE_FOUND : PROBE_ABSENT;
        return errno == ENOENT || errno == ENOTDIR ? PROBE_ABSENT : PROBE_UNKNOWN;
}

/* The spec directories the engine reads, as paths in its mount namespace. */
static void spec_dirs(const struct engine_peer *peer, struct strv *out)
{
        strv_push(out, "/etc/docker/plugins");
        strv_push(out, "/usr/lib/docker/plugins");
        if (peer->uid == 0)
                return;
        struct passwd *pw = getpwuid(peer->uid);
        if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/') {
                strv_pushf(out, "%s/.config/docker/plugins", pw->pw_dir);
                strv_pushf(out, "%s/.local/lib/docker/plugins", pw->pw_dir);
        }
}

/* The sockets of the nvidia-docker-plugin processes running in this mount namespace
 * ("DIR/nvidia-docker.sock (pid N)"), from their -s flag (Go's flag syntax: -s DIR, -s=DIR,
 * --s DIR, --s=DIR). */
static void running_plugins(struct strv *out)
{
        struct stat ours;
        if (stat("/proc/self/ns/mnt", &ours) < 0)
                return;
        DIR *proc = opendir("/proc");
        if (proc == NULL)
                return;
        struct dirent *entry;
        while ((entry = readdir(proc)) != NULL && out->count < 4) {
                if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
                        continue;
                char path[300], comm[32] = "";
                snprintf(path, sizeof(path), "/proc/%s/comm", entry->d_name);
                cleanup_close int cfd = open(path, O_RDONLY | O_CLOEXEC);
                ssize_t n = cfd >= 0 ? read(cfd, comm, sizeof(comm) - 1) : -1;
                if (n <= 0 || strncmp(comm, PLUGIN_COMMAND "\n", strlen(PLUGIN_COMMAND) + 1) != 0)
                        continue;
                /* Paths mean something here only in this mount namespace. */
                struct stat theirs;
                snprintf(path, sizeof(path), "/proc/%s/ns/mnt", entry->d_name);
                if (stat(path, &theirs) < 0 || theirs.st_ino != ours.st_ino ||
                    theirs.st_dev != ours.st_dev)
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/cmdline", entry->d_name);
                cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
                struct buf cmdline = BUF_INIT;
                if (fd < 0 || buf_read_fd(&cmdline, fd, 64 * 1024) < 0 || cmdline.len == 0) {
                        buf_destroy(&cmdline);
                        continue;
                }
                const char *dir = SOCKETS_DIR;
                for (size_t i = strlen(cmdline.data) + 1; i < cmdline.len;) {
                        const char *arg = cmdline.data + i;
                        size_t arg_len = strlen(arg);
                        const char *name = arg[0] == '-' ? arg + (arg[1] == '-' ? 2 : 1) : NULL;
                        if (name != NULL && strcmp(name, "s") == 0 && i + arg_len + 1 < cmdline.len)
                                dir = arg + arg_len + 1;
                        else if (name != NULL && strncmp(name, "s=", 2) == 0)
                                dir = name + 2;
                        else if (name != NULL && strcmp(name, "-") == 0)
                                break;
                        i += arg_len + 1;
                }
                strv_pushf(out, "%s/nvidia-docker.sock (pid %s)", dir, entry->d_name);
                buf_destroy(&cmdline);
        }
        closedir(proc);
}

/* The driver volume's name in the answer ("name:/usr/local/nvidia:ro"), or NULL. */
static char *volume_name(const struct docker_cli_answer *answer)
{
        if (answer->volumes.count == 0)
                return NULL;
        const char *spec = answer->volumes.items[0];
        return xstrndup(spec, strcspn(spec, ":"));
}

static int refuse(const char *socket_path, const struct engine_peer *peer, const char *docker_says,
                  bool stale, const struct strv *dirs, struct error *err)
{
        struct strv plugins = STRV_INIT;
        strv_init(&plugins);
        running_plugins(&plugins);
        struct buf line = BUF_INIT;
        buf_printf(&line, "the Docker engine at unix://%s cannot reach the volume plugin %s",
                   socket_path, PLUGIN_VOLUME_DRIVER);
        if (docker_says != NULL)
                buf_printf(&line, " (Docker: %s; docker run would report a missing image instead)",
                           docker_says);
        buf_puts(&line, ": it ");
        if (peer->other_mnt)
                buf_printf(&line, "(%s, pid %d) looks in its own mount namespace for ",
                           peer->uid != 0 ? "rootless" : "in a mount namespace of its own",
                           (int)peer->pid);
        else
                buf_puts(&line, "looks for ");
        buf_puts(&line, SOCKETS_DIR "/nvidia-docker.sock");
        if (stale)
                buf_puts(&line, " (there, but nothing answers)");
        buf_puts(&line, " and for nvidia-docker.spec or .json in ");
        for (size_t i = 0; i < dirs->count; i++)
                buf_printf(&line, "%s%s",
                           i == 0                 ? ""
                           : i + 1 == dirs->count ? " or "
                                                  : ", ",
                           dirs->items[i]);
        if (plugins.count == 0) {
                buf_puts(&line, "; no nvidia-docker-plugin runs in this mount namespace");
        } else {
                cleanup_free char *list = strv_join(&plugins, ", ");
                buf_printf(&line, "; nvidia-docker-plugin listens on %s", list);
        }
        if (peer->other_mnt && peer->uid != 0)
                buf_printf(&line,
                           "; start one in the engine's namespaces: nsenter -U "
                           "--preserve-credentials -m -t %d nvidia-docker-plugin -s " SOCKETS_DIR
                           " -d DIR (README: Rootless Docker)",
                           (int)peer->pid);
        else
                buf_puts(&line, "; start it with -s " SOCKETS_DIR " (its default)");
        cleanup_free char *text = buf_steal(&line);
        strv_destroy(&plugins);
        return error_set(err, "%s", text);
}

/* The check proper; *note: what was found, for NV_DEBUG. */
static int check(const char *socket_path, const char *volume, char **note, struct error *err)
{
        struct engine_peer peer;
        engine_peer_find(socket_path, &peer);
        static const char *const sockets[] = {
            SOCKETS_DIR "/nvidia-docker.sock",
            SOCKETS_DIR "/nvidia-docker/nvidia-docker.sock",
        };
        bool unknown = peer.blind, stale = false;
        for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++) {
                cleanup_free char *path = xasprintf("%s%s", peer.root, sockets[i]);
                enum probe p = probe_socket(path);
                if (p == PROBE_FOUND) {
                        *note = xasprintf("volume plugin: %s answers", path);
                        return 0;
                }
                unknown |= p == PROBE_UNKNOWN;
                stale |= p == PROBE_STALE;
        }
        struct strv dirs = STRV_INIT;
        strv_init(&dirs);
        spec_dirs(&peer, &dirs);
        int rc = 0;
        /* A socket file comes before any spec for docker: a dead one is the end of it. */
        for (size_t i = 0; i < dirs.count && !stale && *note == NULL; i++) {
                static const char *const names[] = {"nvidia-docker.spec", "nvidia-docker.json"};
                for (size_t j = 0; j < 2 && *note == NULL; j++) {
                        cleanup_free char *path =
                            xasprintf("%s%s/%s", peer.root, dirs.items[i], names[j]);
                        enum probe p = probe_file(path);
                        if (p == PROBE_FOUND)
                                *note = xasprintf("volume plugin: spec %s", path);
                        unknown |= p == PROBE_UNKNOWN;
                }
        }
        if (*note != NULL) {
                /* found a spec */
        } else if (stale) {
                rc = refuse(socket_path, &peer, NULL, true, &dirs, err);
        } else if (unknown) {
                *note = xstrdup("volume plugin: cannot tell (the engine's plugin directories "
                                "cannot be looked at)");
        } else {
                /* Nothing where the engine looks: the engine says whether it reaches the
                 * plugin all the same (what docker run would do next). */
                cleanup_free char *refusal = NULL;
                rc = engine_volume_create(socket_path, volume, PLUGIN_VOLUME_DRIVER, &refusal, err);
                if (rc == 0 && refusal == NULL)
                        *note = xasprintf("volume plugin: not where docker looks, but the engine "
                                          "created volume %s through it",
                                          volume);
                else if (rc == 0)
                        rc = refuse(socket_path, &peer, refusal, false, &dirs, err);
        }
        strv_destroy(&dirs);
        return rc;
}

int volume_plugin_check(const struct engine_endpoint *engine, const struct plugin_target *plugin,
                        const struct docker_cli_answer *answer, char **note, struct error *err)
{
        char *found = NULL;
        int rc = 0;
        const char *socket_path = engine_endpoint_socket(engine);
        cleanup_free char *volume = volume_name(answer);
        if (socket_path == NULL || !plugin->local || volume == NULL ||
            answer->volume_driver == NULL || strcmp(answer->volume_driver, PLUGIN_VOLUME_DRIVER))
                found = xstrdup("volume plugin: not checked (not a local engine and plugin)");
        else
                rc = check(socket_path, volume, &found, err);
        if (note != NULL)
                *note = found;
        else
                free(found);
        return rc;
}
